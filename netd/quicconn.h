/*
 * One QUIC connection over the mesh, shared by quic.c (the connection)
 * and quicstream.c (its stream's bytes to and from the consumer).
 */
#ifndef RECEPTOR_QUICCONN_H
#define RECEPTOR_QUICCONN_H

#include <sys/queue.h>
#include <stdint.h>
#include <event2/buffer.h>
#include <event2/event.h>
#include <ngtcp2/ngtcp2.h>

#include "netmsg.h"
#include "quic.h"

/* Read no more from the consumer while this much is not yet acked. */
#define QUIC_TX_BUFFER		(256 * 1024)
#define QUIC_CHUNK		16384
/* Chunks read from the consumer in one wake-up, at most. */
#define QUIC_READ_CHUNKS	4
/* How long the bytes of a closed connection wait for its consumer. */
#define QUIC_LINGER		60
/* Go's application error codes. */
#define QUIC_APP_OK		0
#define QUIC_APP_CANCEL_READ	499
#define QUIC_APP_ERROR		500

struct txchunk {
	STAILQ_ENTRY(txchunk)	 entry;
	uint8_t			 data[QUIC_CHUNK];
};

struct qconn {
	struct quictls_peer	 peer;		/* first: see quic.h */
	TAILQ_ENTRY(qconn)	 entry;		/* in a listener's list */
	struct quic_listener	*listener;	/* NULL: we dialed */
	struct service		*svc;		/* ours */
	char			 peersvc[NETMSG_SVCLEN + 1];
	struct quictls		*dialtls;	/* a dial's own */
	ngtcp2_conn		*conn;
	gnutls_session_t	 tls;
	struct event		*ev_timer;
	struct event		*ev_wait;	/* a listener's: for a stream, then a close */
	uint64_t		 id;		/* for a later accept */
	size_t			 txmax;		/* of a packet we send */
	int64_t			 stream;	/* -1: none yet */
	int			 fd;		/* the consumer's stream */
	int			 awaiting;	/* its fd, accepted later */
	struct event		*ev_read;
	struct event		*ev_write;
	/* Stream offsets of what we send: acked <= sent <= end. */
	STAILQ_HEAD(, txchunk)	 tx;
	size_t			 nchunks;
	uint64_t		 tx_base;	/* of the first chunk */
	uint64_t		 tx_acked;
	uint64_t		 tx_sent;
	uint64_t		 tx_end;
	int			 tx_eof;	/* FIN after tx_end */
	int			 fin_sent;
	struct evbuffer		*rx;		/* for the fd, not yet written */
	uint64_t		 rx_credit;	/* written, not yet re-granted */
	int			 rx_fin;
	int			 rx_started;	/* the dialer's 0x00 came */
	int			 done;		/* close after this round */
	const char		*abort;		/* or close with error 500 */
	quic_dial_fn		 dialed;	/* until the handshake ends */
	quic_gone_fn		 gone;		/* a dial's, when freed */
	void			*arg;
};
TAILQ_HEAD(qconns, qconn);

/* quic.c */
void	qconn_flush(struct qconn *);

/* quicstream.c */
void	qstream_first_byte(struct qconn *);
int	qstream_bridge(struct qconn *, int);
void	qstream_unbridge(struct qconn *);
void	qstream_received(struct qconn *, const uint8_t *, size_t, int fin);
void	qstream_rx_flush(struct qconn *);
void	qstream_acked(struct qconn *, uint64_t);
size_t	qstream_pending(struct qconn *, ngtcp2_vec *, size_t *);
void	qstream_free(struct qconn *);

#endif
