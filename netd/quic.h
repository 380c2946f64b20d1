/*
 * Streams over the mesh: QUIC (ngtcp2) carried in data messages between a
 * dialer's ephemeral service and a listening service (PROTOCOL.md 3). The
 * consumer of a stream sees one end of a socketpair.
 */
#ifndef RECEPTOR_QUIC_H
#define RECEPTOR_QUIC_H

#include <stddef.h>
#include <stdint.h>
#include <gnutls/gnutls.h>
#include <ngtcp2/ngtcp2_crypto.h>

struct quictls;
struct tlsconf;
struct quic_listener;

/* What a connection's TLS session points at. */
struct quictls_peer {
	ngtcp2_crypto_conn_ref	 ref;	/* first: ngtcp2's crypto glue's */
	const struct quictls	*tls;
	char			*node;	/* the node at the other end */
	char			 why[256];	/* its certificate was refused */
};

/*
 * A node opened a stream to a listener: the socket to bridge it to, which
 * the stream then owns, or -1 to refuse it; or QUIC_ACCEPT_LATER, and
 * quic_accept_later() for conn when the socket is there. The stream
 * holds what comes meanwhile, within its window.
 */
#define QUIC_ACCEPT_LATER	(-2)
typedef int	(*quic_accept_fn)(const char *node, uint64_t conn, void *arg);
/* A dial ended its handshake: err NULL when the stream is up. */
typedef void	(*quic_dial_fn)(const char *err, void *arg);
/* A dial's connection is gone, whichever way it ended. */
typedef void	(*quic_gone_fn)(void *arg);

/* quic.c */
struct quic_listener *quic_listen(const char *service, struct quictls *,
	    quic_accept_fn, void *, const char **err);
void	quic_unlisten(struct quic_listener *);
void	quic_accept_later(struct quic_listener *, uint64_t conn, int fd);
int	quic_dial(const char *node, const char *service, struct quictls *,
	    int fd, quic_dial_fn, quic_gone_fn, void *, const char **err);

/* quictls.c */
struct quictls *quictls_new(struct tlsconf *, int server, char *, size_t);
void	quictls_free(struct quictls *);
int	quictls_session(struct quictls *, struct quictls_peer *,
	    gnutls_session_t *);

#endif
