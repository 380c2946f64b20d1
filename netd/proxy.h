/*
 * Service proxies: sockets on this node forwarded to a service on another
 * (the "-server" actions) and services of this node forwarded to a
 * socket (the "-client" actions), as Go's pkg/services does.
 */
#ifndef RECEPTOR_PROXY_H
#define RECEPTOR_PROXY_H

#include <sys/socket.h>

#include "config.h"
#include "quic.h"

/* Connections or sessions one proxy serves at once; more are refused. */
#define PROXY_MAX_CONNS		1000

struct proxy_kind {
	const char	*action;
	/* A running proxy's state, or NULL (logged) when it cannot run. */
	void		*(*start)(const struct cfg_item *);
	/* Stop listening; open connections may run on to their end. */
	void		 (*stop)(void *);
};

/* proxy.c */
void	proxy_configure(const struct config *);

/* proxy_stream.c */
struct proxy_tls;
void	*stream_server_start(const char *where, int fd, const struct cfg_item *,
	    const char *tlsfield, struct proxy_tls *);
void	 stream_server_stop(void *);
struct quic_listener *proxy_listen(const struct cfg_item *,
	    const char *tlsfield, quic_accept_fn, void *, const char *type,
	    const char *tag, const char *value);

/* proxy_tls.c */
struct proxy_tls *proxy_tls_new(const char *where, const char *name,
	    int server);
void	proxy_tls_release(struct proxy_tls *);
int	tlspipe_server(int, struct proxy_tls *, const char *where);
int	tlspipe_client(int, struct proxy_tls *, const char *host,
	    const char *where);

/* proxy_sock.c */
struct proxy_target;
struct proxy_target *proxy_target_new(const char *action,
	    const char *hostport, int socktype);
int	proxy_target_connect(struct proxy_target *);
const char *proxy_target_host(const struct proxy_target *);
void	proxy_target_free(struct proxy_target *);

/* proxy_tcp.c */
extern const struct proxy_kind proxy_tcp_server;
extern const struct proxy_kind proxy_tcp_client;

/* proxy_unix.c */
extern const struct proxy_kind proxy_unix_server;
extern const struct proxy_kind proxy_unix_client;
struct imsg;
void	proxy_unix_handed(struct imsg *);
void	proxy_unix_connected(struct imsg *);
void	proxy_unix_configured(void);

/* proxy_udp.c */
extern const struct proxy_kind proxy_udp_server;
extern const struct proxy_kind proxy_udp_client;

#endif
