/*
 * QUIC connections over the mesh (PROTOCOL.md 3): each packet is one data
 * message between the dialer's ephemeral service and the listener's. A
 * connection carries one stream, which starts with a 0x00 from the dialer,
 * and which we bridge to one end of a socketpair for its consumer.
 */
#include <sys/param.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <event2/buffer.h>
#include <ngtcp2/ngtcp2.h>
#include <ngtcp2/ngtcp2_crypto.h>

#include "log.h"
#include "netd.h"
#include "netmsg.h"
#include "quicconn.h"

/*
 * Packet sizes. Go's quic-go reads 1452 bytes and drops the rest, and says
 * so in its max_udp_payload_size; to a node that says no more than that
 * we send what Go sends itself. Between our nodes a packet fills a data
 * message of the mesh's MTU, 16384 bytes with its header, which every
 * node of either implementation relays (Go's backends carry up to 65507).
 */
#define QUIC_TX_GO		1200
#define QUIC_RX_GO		1452
#define QUIC_TX_MAX		(16384 - NETMSG_HDRLEN)
#define QUIC_RX_MAX		QUIC_TX_MAX
#define QUIC_IDLE_TIMEOUT	(30 * NGTCP2_SECONDS)
#define QUIC_HANDSHAKE_TIMEOUT	(15 * NGTCP2_SECONDS)
#define QUIC_KEEPALIVE		(15 * NGTCP2_SECONDS)	/* dialers only */
#define QUIC_ACCEPT_TIMEOUT	60	/* for the stream, in seconds */
/*
 * A listener whose stream is over leaves the close to the dialer, as Go's
 * does: quic-go drops what its reader has not taken when the connection
 * closes. Go's connect never closes it, though, so not forever.
 */
#define QUIC_DONE_WAIT		30
#define QUIC_WINDOW		(256 * 1024)	/* per stream and connection */
#define QUIC_CIDLEN		8
/* Connections in any one listener's care, handshakes included. */
#define QUIC_LISTENER_CONNS	256

/* A packet for a service of our own node, delivered from the loop. */
struct localpkt {
	TAILQ_ENTRY(localpkt)	 entry;
	char			 fromsvc[NETMSG_SVCLEN + 1];
	char			 tosvc[NETMSG_SVCLEN + 1];
	size_t			 len;
	uint8_t			 data[];
};
static TAILQ_HEAD(, localpkt)	 localq = TAILQ_HEAD_INITIALIZER(localq);
static struct event		*ev_local;

struct quic_listener {
	struct service		*svc;
	struct quictls		*tls;
	struct qconns		 conns;
	size_t			 nconns;
	quic_accept_fn		 accepted;
	void			*arg;
};

static void	qconn_datagram(struct service *, const char *, const char *,
		    const uint8_t *, size_t);
static void	qconn_unreachable(struct service *, const char *,
		    const char *);
static void	listener_datagram(struct service *, const char *,
		    const char *, const uint8_t *, size_t);
static struct qconn *qconn_new(const char *, const char *);
static int	qconn_start(struct qconn *, struct quictls *,
		    const ngtcp2_pkt_hd *);
static void	qconn_input(struct qconn *, const uint8_t *, size_t);
static int	qconn_send(struct qconn *, const uint8_t *, size_t);
static int	quic_out(struct qconn *, const uint8_t *, size_t,
		    const char **);
static void	local_deliver(evutil_socket_t, short, void *);
static void	qconn_close(struct qconn *, uint64_t, const char *);
static void	qconn_fail(struct qconn *, const char *);
static void	qconn_lost(struct qconn *, const char *);
static void	qconn_free(struct qconn *);
static void	qconn_timer(evutil_socket_t, short, void *);
static void	qconn_wait_over(evutil_socket_t, short, void *);
static int	cb_recv_stream_data(ngtcp2_conn *, uint32_t, int64_t,
		    uint64_t, const uint8_t *, size_t, void *, void *);
static int	cb_acked(ngtcp2_conn *, int64_t, uint64_t, uint64_t, void *,
		    void *);
static int	cb_stream_open(ngtcp2_conn *, int64_t, void *);
static int	cb_stream_close(ngtcp2_conn *, uint32_t, int64_t, uint64_t,
		    void *, void *);
static int	cb_stream_reset(ngtcp2_conn *, int64_t, uint64_t, uint64_t,
		    void *, void *);
static int	cb_stop_sending(ngtcp2_conn *, int64_t, uint64_t, void *,
		    void *);
static int	cb_handshake_completed(ngtcp2_conn *, void *);
static void	cb_rand(uint8_t *, size_t, const ngtcp2_rand_ctx *);
static int	cb_new_cid(ngtcp2_conn *, ngtcp2_cid *, uint8_t *, size_t,
		    void *);

static const struct service_ops dial_ops = {
	.datagram = qconn_datagram,
	.unreachable = qconn_unreachable,
};

static const struct service_ops listener_ops = {
	.datagram = listener_datagram,
};

/*
 * The mesh's addresses are node:service, which ngtcp2 has no room for:
 * every connection has a service of its own (or a listener's list keyed
 * by node and service), so one fixed path does for all.
 */
static struct sockaddr_in6	path_addr = { .sin6_family = AF_INET6 };
static const ngtcp2_path	quic_path = {
	{ (struct sockaddr *)&path_addr, sizeof(path_addr) },
	{ (struct sockaddr *)&path_addr, sizeof(path_addr) },
	NULL
};

static ngtcp2_tstamp
now_ns(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (ngtcp2_tstamp)ts.tv_sec * NGTCP2_SECONDS + ts.tv_nsec;
}

static ngtcp2_conn *
conn_of_ref(ngtcp2_crypto_conn_ref *ref)
{
	return ((struct qconn *)ref->user_data)->conn;
}

struct quic_listener *
quic_listen(const char *service, struct quictls *tls, quic_accept_fn fn,
    void *arg, const char **err)
{
	struct quic_listener	*l;

	if ((l = calloc(1, sizeof(*l))) == NULL)
		fatal("quic listener");
	if ((l->svc = dgram_bind(service, &listener_ops, l)) == NULL) {
		*err = "service is already listening";
		free(l);
		return NULL;
	}
	l->tls = tls;
	TAILQ_INIT(&l->conns);
	l->accepted = fn;
	l->arg = arg;
	return l;
}

/* Go's "Listener Closed" for every connection it still has. */
void
quic_unlisten(struct quic_listener *l)
{
	struct qconn	*qc;

	while ((qc = TAILQ_FIRST(&l->conns)) != NULL)
		qconn_close(qc, QUIC_APP_ERROR, "Listener Closed");
	dgram_unbind(l->svc);
	quictls_free(l->tls);
	free(l);
}

/* fd (-1: refused) for a connection whose accept said "later". */
void
quic_accept_later(struct quic_listener *l, uint64_t conn, int fd)
{
	struct qconn	*qc;

	TAILQ_FOREACH(qc, &l->conns, entry)
		if (qc->id == conn && qc->awaiting)
			break;
	if (qc == NULL) {	/* gone meanwhile */
		if (fd != -1)
			close(fd);
		return;
	}
	qc->awaiting = 0;
	if (fd == -1 || qstream_bridge(qc, fd) == -1)
		qc->abort = "Accept Error";
	else
		qstream_rx_flush(qc);
	qconn_flush(qc);
}

/*
 * Dial node:service from a new ephemeral service, then bridge fd to the
 * stream. fn is called once the handshake ends either way, and gone (if
 * any) when the connection is freed; on an error here nothing is taken
 * and neither is called.
 */
int
quic_dial(const char *node, const char *service, struct quictls *tls,
    int fd, quic_dial_fn fn, quic_gone_fn gone, void *arg, const char **err)
{
	struct qconn	*qc;

	if (strlen(service) > NETMSG_SVCLEN) {
		*err = "service name too long";
		return -1;
	}
	if (strcasecmp(node, "localhost") == 0)
		node = mesh_node_id();
	qc = qconn_new(node, service);
	qc->dialtls = tls;
	qc->svc = dgram_bind_ephemeral(&dial_ops, qc);
	qc->fd = fd;
	qc->dialed = fn;
	qc->arg = arg;
	qstream_first_byte(qc);
	if (qconn_start(qc, tls, NULL) == -1) {
		*err = "cannot start a QUIC connection";
		qc->fd = -1;
		qc->dialtls = NULL;
		qc->dialed = NULL;
		qconn_free(qc);
		return -1;
	}
	qc->gone = gone;
	qconn_flush(qc);
	return 0;
}

static struct qconn *
qconn_new(const char *node, const char *peersvc)
{
	static uint64_t	 ids;
	struct qconn	*qc;

	if ((qc = calloc(1, sizeof(*qc))) == NULL ||
	    (qc->peer.node = strdup(node)) == NULL ||
	    (qc->rx = evbuffer_new()) == NULL)
		fatal("quic connection");
	strlcpy(qc->peersvc, peersvc, sizeof(qc->peersvc));
	qc->peer.ref.get_conn = conn_of_ref;
	qc->peer.ref.user_data = qc;
	qc->id = ++ids;
	qc->txmax = QUIC_TX_GO;
	qc->stream = -1;
	qc->fd = -1;
	STAILQ_INIT(&qc->tx);
	if ((qc->ev_timer = evtimer_new(netd_base(), qconn_timer, qc)) ==
	    NULL)
		fatalx("quic: evtimer_new");
	return qc;
}

/* hd: the client's first packet, for a listener's connection. */
static int
qconn_start(struct qconn *qc, struct quictls *tls, const ngtcp2_pkt_hd *hd)
{
	ngtcp2_callbacks	 cb = {
		.recv_crypto_data = ngtcp2_crypto_recv_crypto_data_cb,
		.encrypt = ngtcp2_crypto_encrypt_cb,
		.decrypt = ngtcp2_crypto_decrypt_cb,
		.hp_mask = ngtcp2_crypto_hp_mask_cb,
		.recv_retry = ngtcp2_crypto_recv_retry_cb,
		.update_key = ngtcp2_crypto_update_key_cb,
		.delete_crypto_aead_ctx =
		    ngtcp2_crypto_delete_crypto_aead_ctx_cb,
		.delete_crypto_cipher_ctx =
		    ngtcp2_crypto_delete_crypto_cipher_ctx_cb,
		.get_path_challenge_data =
		    ngtcp2_crypto_get_path_challenge_data_cb,
		.version_negotiation = ngtcp2_crypto_version_negotiation_cb,
		.rand = cb_rand,
		.get_new_connection_id = cb_new_cid,
		.handshake_completed = cb_handshake_completed,
		.recv_stream_data = cb_recv_stream_data,
		.acked_stream_data_offset = cb_acked,
		.stream_open = cb_stream_open,
		.stream_close = cb_stream_close,
		.stream_reset = cb_stream_reset,
		.stream_stop_sending = cb_stop_sending,
	};
	ngtcp2_settings		 settings;
	ngtcp2_transport_params	 params;
	ngtcp2_cid		 dcid, scid;
	int			 rv;

	if (quictls_session(tls, &qc->peer, &qc->tls) < 0)
		return -1;
	ngtcp2_settings_default(&settings);
	settings.initial_ts = now_ns();
	settings.max_tx_udp_payload_size = QUIC_TX_MAX;
	/* The far end's max_udp_payload_size and qc->txmax decide. */
	settings.no_tx_udp_payload_size_shaping = 1;
	settings.no_pmtud = 1;
	settings.handshake_timeout = QUIC_HANDSHAKE_TIMEOUT;
	ngtcp2_transport_params_default(&params);
	params.initial_max_data = QUIC_WINDOW;
	params.initial_max_stream_data_bidi_local = QUIC_WINDOW;
	params.initial_max_stream_data_bidi_remote = QUIC_WINDOW;
	params.max_idle_timeout = QUIC_IDLE_TIMEOUT;
	params.max_udp_payload_size = QUIC_RX_MAX;
	scid.datalen = QUIC_CIDLEN;
	arc4random_buf(scid.data, scid.datalen);
	if (hd == NULL) {
		cb.client_initial = ngtcp2_crypto_client_initial_cb;
		dcid.datalen = NGTCP2_MIN_INITIAL_DCIDLEN;
		arc4random_buf(dcid.data, dcid.datalen);
		rv = ngtcp2_conn_client_new(&qc->conn, &dcid, &scid,
		    &quic_path, NGTCP2_PROTO_VER_V1, &cb, &settings, &params,
		    NULL, qc);
	} else {
		cb.recv_client_initial = ngtcp2_crypto_recv_client_initial_cb;
		/* One stream per connection, as Go's listener accepts. */
		params.initial_max_streams_bidi = 1;
		params.original_dcid = hd->dcid;
		rv = ngtcp2_conn_server_new(&qc->conn, &hd->scid, &scid,
		    &quic_path, hd->version, &cb, &settings, &params, NULL,
		    qc);
	}
	if (rv != 0) {
		log_warnx("quic: %s", ngtcp2_strerror(rv));
		return -1;
	}
	ngtcp2_conn_set_tls_native_handle(qc->conn, qc->tls);
	if (hd == NULL)
		ngtcp2_conn_set_keep_alive_timeout(qc->conn, QUIC_KEEPALIVE);
	return 0;
}

/* A packet for a dial: only from where we dialed. */
static void
qconn_datagram(struct service *svc, const char *node, const char *fromsvc,
    const uint8_t *pkt, size_t len)
{
	struct qconn	*qc = svc->arg;

	if (strcmp(node, qc->peer.node) == 0 &&
	    strcmp(fromsvc, qc->peersvc) == 0)
		qconn_input(qc, pkt, len);
}

/* Go gives up a dial or connection whose far service is gone. */
static void
qconn_unreachable(struct service *svc, const char *from,
    const char *problem)
{
	struct qconn	*qc = svc->arg;

	if (strcmp(problem, NETMSG_PROBLEM_UNKNOWN) != 0 ||
	    strcmp(from, qc->peer.node) != 0)
		return;
	log_warnx("remote service %s to node %s is unreachable", qc->peersvc,
	    qc->peer.node);
	qconn_fail(qc, "context canceled");
}

static void
listener_datagram(struct service *svc, const char *node,
    const char *fromsvc, const uint8_t *pkt, size_t len)
{
	struct quic_listener	*l = svc->arg;
	struct qconn		*qc;
	ngtcp2_pkt_hd		 hd;

	TAILQ_FOREACH(qc, &l->conns, entry)
		if (strcmp(qc->peer.node, node) == 0 &&
		    strcmp(qc->peersvc, fromsvc) == 0) {
			qconn_input(qc, pkt, len);
			return;
		}
	if (len > QUIC_RX_MAX)
		len = QUIC_RX_MAX;
	if (ngtcp2_accept(&hd, pkt, len) != 0)
		return;
	if (l->nconns >= QUIC_LISTENER_CONNS) {
		log_warnx("%s: too many connections, dropping one from %s:%s",
		    l->svc->name, node, fromsvc);
		return;
	}
	qc = qconn_new(node, fromsvc);
	qc->listener = l;
	qc->svc = l->svc;
	TAILQ_INSERT_TAIL(&l->conns, qc, entry);
	l->nconns++;
	if (qconn_start(qc, l->tls, &hd) == -1) {
		qconn_free(qc);
		return;
	}
	qconn_input(qc, pkt, len);
}

static void
qconn_input(struct qconn *qc, const uint8_t *pkt, size_t len)
{
	ngtcp2_pkt_info	 pi = { 0 };
	int		 rv;

	if (len > QUIC_RX_MAX)
		len = QUIC_RX_MAX;
	rv = ngtcp2_conn_read_pkt(qc->conn, &quic_path, &pi, pkt, len,
	    now_ns());
	switch (rv) {
	case 0:
		break;
	case NGTCP2_ERR_DRAINING:
		qconn_fail(qc, NULL);
		return;
	case NGTCP2_ERR_DROP_CONN:
		qconn_free(qc);
		return;
	case NGTCP2_ERR_CRYPTO:
		qconn_close(qc, 0, NULL);
		return;
	default:
		log_debug("quic from %s:%s: %s", qc->peer.node, qc->peersvc,
		    ngtcp2_strerror(rv));
		qconn_close(qc, 0, NULL);
		return;
	}
	qconn_flush(qc);
}

static int
cb_handshake_completed(ngtcp2_conn *conn, void *arg)
{
	struct qconn			*qc = arg;
	const ngtcp2_transport_params	*far;
	struct timeval			 tv = { QUIC_ACCEPT_TIMEOUT, 0 };

	far = ngtcp2_conn_get_remote_transport_params(conn);
	if (far != NULL && far->max_udp_payload_size > QUIC_RX_GO)
		qc->txmax = MIN(far->max_udp_payload_size, QUIC_TX_MAX);
	log_debug("quic with %s:%s: packets of up to %zu bytes",
	    qc->peer.node, qc->peersvc, qc->txmax);
	if (qc->listener != NULL) {
		if ((qc->ev_wait = evtimer_new(netd_base(), qconn_wait_over,
		    qc)) == NULL)
			fatalx("quic: evtimer_new");
		evtimer_add(qc->ev_wait, &tv);
		return 0;
	}
	if (ngtcp2_conn_open_bidi_stream(conn, &qc->stream, NULL) != 0 ||
	    qstream_bridge(qc, qc->fd) == -1)
		return NGTCP2_ERR_CALLBACK_FAILURE;
	qc->dialed(NULL, qc->arg);
	qc->dialed = NULL;
	return 0;
}

static void
qconn_wait_over(evutil_socket_t fd, short events, void *arg)
{
	struct qconn	*qc = arg;

	if (qc->rx_started)
		qconn_close(qc, QUIC_APP_OK, "normal close");
	else
		qconn_close(qc, QUIC_APP_ERROR, "Accept Timeout");
}

/* A listener takes the first stream; a second one is refused. */
static int
cb_stream_open(ngtcp2_conn *conn, int64_t id, void *arg)
{
	struct qconn	*qc = arg;

	if (qc->stream == -1)
		qc->stream = id;
	else
		ngtcp2_conn_shutdown_stream(conn, id, QUIC_APP_ERROR);
	return 0;
}

static int
cb_recv_stream_data(ngtcp2_conn *conn, uint32_t flags, int64_t id,
    uint64_t offset, const uint8_t *data, size_t len, void *arg, void *sarg)
{
	struct qconn	*qc = arg;
	int		 fd;

	if (id != qc->stream)
		return 0;
	if (qc->listener != NULL && !qc->rx_started && len > 0) {
		if (data[0] != 0) {
			qc->abort = "Read Data Error";
			return 0;
		}
		qc->rx_started = 1;
		data++;
		len--;
		qc->rx_credit++;
		if (qc->ev_wait != NULL)
			evtimer_del(qc->ev_wait);
		/* On a failed bridge the stream has the fd, to close. */
		fd = qc->listener->accepted(qc->peer.node, qc->id,
		    qc->listener->arg);
		if (fd == QUIC_ACCEPT_LATER)
			qc->awaiting = 1;
		else if (fd == -1 || qstream_bridge(qc, fd) == -1) {
			qc->abort = "Accept Error";
			return 0;
		}
	}
	qstream_received(qc, data, len, flags & NGTCP2_STREAM_DATA_FLAG_FIN);
	return 0;
}

static int
cb_acked(ngtcp2_conn *conn, int64_t id, uint64_t offset, uint64_t len,
    void *arg, void *sarg)
{
	qstream_acked(arg, len);
	return 0;
}

static int
cb_stream_close(ngtcp2_conn *conn, uint32_t flags, int64_t id,
    uint64_t code, void *arg, void *sarg)
{
	struct qconn	*qc = arg;

	if (id == qc->stream)
		qc->done = 1;
	return 0;
}

/* The far end gave up sending: the consumer sees EOF. */
static int
cb_stream_reset(ngtcp2_conn *conn, int64_t id, uint64_t size, uint64_t code,
    void *arg, void *sarg)
{
	struct qconn	*qc = arg;

	if (id == qc->stream)
		qstream_received(qc, NULL, 0, 1);
	return 0;
}

/* The far end reads no more: nothing more to send, nor read for it. */
static int
cb_stop_sending(ngtcp2_conn *conn, int64_t id, uint64_t code, void *arg,
    void *sarg)
{
	struct qconn	*qc = arg;

	if (id == qc->stream && qc->ev_read != NULL)
		event_del(qc->ev_read);
	return 0;
}

/* Send what ngtcp2 has for the far end, then set its timer. */
void
qconn_flush(struct qconn *qc)
{
	uint8_t		 pkt[QUIC_TX_MAX];
	ngtcp2_pkt_info	 pi;
	ngtcp2_vec	 v[2];
	ngtcp2_ssize	 n, taken;
	ngtcp2_tstamp	 now = now_ns(), expiry;
	struct timeval	 tv;
	int64_t		 id;
	struct timeval	 done_wait = { QUIC_DONE_WAIT, 0 };
	uint32_t	 flags;
	size_t		 nv, pending;
	int		 blocked = 0;

	if (qc->rx_credit > 0 && qc->stream != -1) {
		ngtcp2_conn_extend_max_stream_offset(qc->conn, qc->stream,
		    qc->rx_credit);
		ngtcp2_conn_extend_max_offset(qc->conn, qc->rx_credit);
		qc->rx_credit = 0;
	}
	if (qc->abort != NULL) {
		qconn_close(qc, QUIC_APP_ERROR, qc->abort);
		return;
	}
	/* Not before the consumer has all the stream brought. */
	if (qc->done && evbuffer_get_length(qc->rx) == 0) {
		if (qc->listener == NULL) {
			qconn_close(qc, QUIC_APP_OK, "normal close");
			return;
		}
		if (qc->fd != -1 && qc->ev_wait != NULL) {
			qstream_unbridge(qc);
			evtimer_add(qc->ev_wait, &done_wait);
		}
	}
	for (;;) {
		id = -1;
		nv = 0;
		flags = NGTCP2_WRITE_STREAM_FLAG_MORE;
		if (qc->stream != -1 && !blocked && !qc->fin_sent) {
			nv = qstream_pending(qc, v, &pending);
			if (nv > 0 || qc->tx_eof)
				id = qc->stream;
			if (qc->tx_eof && qc->tx_sent + pending == qc->tx_end)
				flags |= NGTCP2_WRITE_STREAM_FLAG_FIN;
		}
		n = ngtcp2_conn_writev_stream(qc->conn, NULL, &pi, pkt,
		    qc->txmax, &taken, flags, id, v, nv, now);
		if (taken > 0)
			qc->tx_sent += taken;
		if (taken >= 0 && id != -1 &&
		    (flags & NGTCP2_WRITE_STREAM_FLAG_FIN) &&
		    qc->tx_sent == qc->tx_end)
			qc->fin_sent = 1;
		if (n == NGTCP2_ERR_WRITE_MORE)
			continue;
		if (n == NGTCP2_ERR_STREAM_DATA_BLOCKED ||
		    n == NGTCP2_ERR_STREAM_SHUT_WR ||
		    n == NGTCP2_ERR_STREAM_NOT_FOUND) {
			blocked = 1;
			continue;
		}
		if (n < 0) {
			log_debug("quic to %s:%s: %s", qc->peer.node,
			    qc->peersvc, ngtcp2_strerror((int)n));
			qconn_close(qc, 0, NULL);
			return;
		}
		if (n == 0)
			break;
		if (qconn_send(qc, pkt, n) == -1)
			return;
	}
	expiry = ngtcp2_conn_get_expiry(qc->conn);
	if (expiry == UINT64_MAX)
		return;
	expiry = expiry > now ? expiry - now : 0;
	tv.tv_sec = expiry / NGTCP2_SECONDS;
	tv.tv_usec = expiry % NGTCP2_SECONDS / 1000;
	evtimer_add(qc->ev_timer, &tv);
}

static int
qconn_send(struct qconn *qc, const uint8_t *pkt, size_t len)
{
	const char	*err;
	char		 why[128];

	if (quic_out(qc, pkt, len, &err) == 0)
		return 0;
	/* As quic-go words a failed write. */
	snprintf(why, sizeof(why), "INTERNAL_ERROR (local): %s", err);
	qconn_lost(qc, why);
	return -1;
}

/*
 * Our own node delivers at once, and both ends of a local connection are
 * ours: queue such packets, so that neither runs inside the other.
 */
static int
quic_out(struct qconn *qc, const uint8_t *pkt, size_t len, const char **err)
{
	struct localpkt	*lp;

	if (strcmp(qc->peer.node, mesh_node_id()) != 0)
		return dgram_send(qc->svc->name, qc->peer.node, qc->peersvc,
		    pkt, len, NETMSG_MAXHOPS, err);
	if ((lp = malloc(sizeof(*lp) + len)) == NULL)
		fatal("quic packet");
	strlcpy(lp->fromsvc, qc->svc->name, sizeof(lp->fromsvc));
	strlcpy(lp->tosvc, qc->peersvc, sizeof(lp->tosvc));
	lp->len = len;
	memcpy(lp->data, pkt, len);
	TAILQ_INSERT_TAIL(&localq, lp, entry);
	if (ev_local == NULL && (ev_local = event_new(netd_base(), -1, 0,
	    local_deliver, NULL)) == NULL)
		fatalx("quic: event_new");
	event_active(ev_local, 0, 0);
	return 0;
}

static void
local_deliver(evutil_socket_t fd, short events, void *arg)
{
	TAILQ_HEAD(, localpkt)	 q = TAILQ_HEAD_INITIALIZER(q);
	struct localpkt		*lp;
	struct service		*svc;
	const char		*err;

	TAILQ_CONCAT(&q, &localq, entry);
	while ((lp = TAILQ_FIRST(&q)) != NULL) {
		TAILQ_REMOVE(&q, lp, entry);
		/* What an unreachable would say, had it come from afar. */
		if (dgram_send(lp->fromsvc, mesh_node_id(), lp->tosvc,
		    lp->data, lp->len, NETMSG_MAXHOPS, &err) == -1 &&
		    (svc = dgram_service(lp->fromsvc)) != NULL &&
		    svc->ops->unreachable != NULL)
			svc->ops->unreachable(svc, mesh_node_id(), err);
		free(lp);
	}
}

static void
qconn_timer(evutil_socket_t fd, short events, void *arg)
{
	struct qconn	*qc = arg;
	int		 rv;

	switch ((rv = ngtcp2_conn_handle_expiry(qc->conn, now_ns()))) {
	case 0:
		qconn_flush(qc);
		break;
	case NGTCP2_ERR_IDLE_CLOSE:
		qconn_lost(qc, "timeout: no recent network activity");
		break;
	case NGTCP2_ERR_HANDSHAKE_TIMEOUT:
		qconn_fail(qc, "timeout: handshake did not complete in time");
		break;
	default:
		log_debug("quic to %s:%s: %s", qc->peer.node, qc->peersvc,
		    ngtcp2_strerror(rv));
		qconn_close(qc, 0, NULL);
	}
}

/*
 * Close with an application error and reason, or (reason NULL) with
 * whatever ngtcp2 or the TLS session found wrong.
 */
static void
qconn_close(struct qconn *qc, uint64_t code, const char *reason)
{
	ngtcp2_connection_close_error	 ccerr;
	ngtcp2_pkt_info			 pi;
	uint8_t				 pkt[QUIC_TX_MAX];
	ngtcp2_ssize			 n;
	char				 why[300];
	const char			*err;

	ngtcp2_connection_close_error_default(&ccerr);
	if (reason != NULL)
		ngtcp2_connection_close_error_set_application_error(&ccerr,
		    code, (uint8_t *)reason, strlen(reason));
	else if (ngtcp2_conn_get_tls_alert(qc->conn) != 0)
		ngtcp2_connection_close_error_set_transport_error_tls_alert(
		    &ccerr, ngtcp2_conn_get_tls_alert(qc->conn),
		    (uint8_t *)qc->peer.why, strlen(qc->peer.why));
	else
		ngtcp2_connection_close_error_set_transport_error_liberr(
		    &ccerr, NGTCP2_ERR_INTERNAL, NULL, 0);
	if (!ngtcp2_conn_is_in_closing_period(qc->conn) &&
	    !ngtcp2_conn_is_in_draining_period(qc->conn) &&
	    (n = ngtcp2_conn_write_connection_close(qc->conn, NULL, &pi, pkt,
	    sizeof(pkt), &ccerr, now_ns())) > 0)
		(void)quic_out(qc, pkt, n, &err);
	if (reason != NULL && code == QUIC_APP_OK)
		err = NULL;
	else if (reason != NULL)
		err = reason;
	else {
		snprintf(why, sizeof(why), "CRYPTO_ERROR 0x%x (local): %s",
		    0x100 | ngtcp2_conn_get_tls_alert(qc->conn),
		    qc->peer.why[0] != '\0' ? qc->peer.why : "handshake failed");
		err = why;
		/* A certificate we refused is the operator's business. */
		if (qc->peer.why[0] != '\0')
			log_warnx("refused a stream %s %s:%s: %s",
			    qc->listener != NULL ? "from" : "to",
			    qc->peer.node, qc->peersvc, qc->peer.why);
	}
	qconn_fail(qc, err);
}

/*
 * The far end went away. Mid-stream that is worth a line; during a dial
 * the dialer hears why.
 */
static void
qconn_lost(struct qconn *qc, const char *why)
{
	if (ngtcp2_conn_get_handshake_completed(qc->conn))
		log_warnx("stream with %s:%s lost: %s", qc->peer.node,
		    qc->peersvc, why);
	qconn_fail(qc, why);
}

/* The connection is over: tell a dialer still waiting why, and free. */
static void
qconn_fail(struct qconn *qc, const char *why)
{
	ngtcp2_connection_close_error	 ccerr;
	char				 text[300];

	if (qc->dialed != NULL) {
		if (why == NULL) {
			/* The far end closed it: say what, as quic-go does. */
			ngtcp2_conn_get_connection_close_error(qc->conn,
			    &ccerr);
			snprintf(text, sizeof(text), "%s 0x%llx (remote): %.*s",
			    ccerr.type ==
			    NGTCP2_CONNECTION_CLOSE_ERROR_CODE_TYPE_APPLICATION ?
			    "Application error" : (ccerr.error_code & 0xff00) ==
			    0x100 ? "CRYPTO_ERROR" : "TRANSPORT_ERROR",
			    (unsigned long long)ccerr.error_code,
			    (int)ccerr.reasonlen, ccerr.reason != NULL ?
			    (char *)ccerr.reason : "");
			why = text;
		}
		qc->dialed(why, qc->arg);
		qc->dialed = NULL;
	}
	if (why != NULL)
		log_debug("stream with %s:%s ended: %s", qc->peer.node,
		    qc->peersvc, why);
	qconn_free(qc);
}

static void
qconn_free(struct qconn *qc)
{
	if (qc->listener != NULL) {
		TAILQ_REMOVE(&qc->listener->conns, qc, entry);
		qc->listener->nconns--;
	} else if (qc->svc != NULL)
		dgram_unbind(qc->svc);
	qstream_free(qc);
	if (qc->ev_wait != NULL)
		event_free(qc->ev_wait);
	event_free(qc->ev_timer);
	ngtcp2_conn_del(qc->conn);
	if (qc->tls != NULL)
		gnutls_deinit(qc->tls);
	quictls_free(qc->dialtls);
	free(qc->peer.node);
	if (qc->gone != NULL)
		qc->gone(qc->arg);
	free(qc);
}

static void
cb_rand(uint8_t *dest, size_t len, const ngtcp2_rand_ctx *ctx)
{
	arc4random_buf(dest, len);
}

static int
cb_new_cid(ngtcp2_conn *conn, ngtcp2_cid *cid, uint8_t *token, size_t len,
    void *arg)
{
	arc4random_buf(cid->data, len);
	cid->datalen = len;
	arc4random_buf(token, NGTCP2_STATELESS_RESET_TOKENLEN);
	return 0;
}
