/*
 * libwebsockets' side of the WebSocket backends. Debian's libwebsockets
 * has neither libevent nor external poll support, so it runs its own poll
 * loop in this thread. The thread shares no memory with the main loop
 * once started, only sockets: a control socketpair that brings requests
 * in (struct ws_req pointers; ownership comes along) and takes accepted
 * sessions out (struct ws_accepted), and one SOCK_SEQPACKET socketpair
 * per session carrying one netceptor message per packet.
 *
 * The context is made before the sandbox: it opens /dev/urandom, which
 * the chroot and the seccomp filter would refuse.
 */
#include <sys/socket.h>
#include <sys/queue.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <libwebsockets.h>

#include "log.h"
#include "netd.h"
#include "netmsg.h"

/*
 * lws sizes its descriptor tables by this rather than by RLIMIT_NOFILE,
 * which may be huge; a session takes two.
 */
#define WS_MAX_FDS	4096
/* Messages from the main loop waiting for the WebSocket, per session. */
#define WS_TXQ_MAX	(256 * 1024)

struct ws_msg {
	TAILQ_ENTRY(ws_msg)	 entry;
	size_t			 len;
	uint8_t			 buf[];		/* LWS_PRE, then the message */
};

struct ws_sess {
	struct ws_req		*req;
	struct lws		*ws;		/* plain HTTP until upgraded */
	struct lws		*raw;		/* our end of the socketpair */
	int			 fd;
	int			 reported;	/* a dial's outcome was sent */
	int			 closing;	/* the main loop is done */
	TAILQ_HEAD(, ws_msg)	 txq;
	size_t			 txq_len;
	uint8_t			*rx;		/* message being reassembled */
	size_t			 rx_len;
	int			 rx_whole;	/* and waiting for the socket */
};

static int	ws_callback(struct lws *, enum lws_callback_reasons, void *,
		    void *, size_t);
static void	*ws_thread(void *);
static void	ws_log(int, const char *);
static int	ctl_read(void);
static void	sess_dial(struct ws_req *);
static void	sess_accept(struct ws_req *);
static int	sess_adopt_raw(struct ws_sess *, int);
static void	sess_report(struct ws_sess *, const char *);
static int	sess_established(struct ws_sess *);
static int	sess_http(struct lws *, struct ws_sess *, int upgrade);
static int	sess_from_main(struct ws_sess *);
static int	sess_to_peer(struct lws *, struct ws_sess *);
static int	sess_from_peer(struct lws *, struct ws_sess *, const void *,
		    size_t);
static int	sess_to_main(struct ws_sess *);
static void	sess_detach(struct ws_sess *, struct lws *);

static const struct lws_protocols protocols[] = {
	{ "receptor", ws_callback, 0, 0, 0, NULL, 0 },
	{ NULL, NULL, 0, 0, 0, NULL, 0 }
};

static struct lws_context	*ctx;
static struct lws_vhost		*vhost;
static struct lws		*ctl_wsi;
static int			 ctl_fd = -1;
static uint8_t			 rxbuf[NETMSG_MAXLEN];

/* Returns the main loop's end of the control socketpair. */
int
ws_thread_init(void)
{
	struct lws_context_creation_info info;
	lws_adopt_desc_t	 ad;
	int			 sv[2];

	lws_set_log_level(LLL_ERR | LLL_WARN, ws_log);
	memset(&info, 0, sizeof(info));
	info.port = CONTEXT_PORT_NO_LISTEN_SERVER;
	info.protocols = protocols;
	info.gid = -1;
	info.uid = -1;
	info.fd_limit_per_thread = WS_MAX_FDS;
	if ((ctx = lws_create_context(&info)) == NULL)
		fatalx("cannot create the libwebsockets context");
	vhost = lws_get_vhost_by_name(ctx, "default");
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) == -1)
		fatal("socketpair");
	memset(&ad, 0, sizeof(ad));
	ad.vh = vhost;
	ad.type = LWS_ADOPT_RAW_FILE_DESC;
	ad.fd.filefd = sv[1];
	/* The loop isn't running yet, so lws may be called from here. */
	if (vhost == NULL || (ctl_wsi =
	    lws_adopt_descriptor_vhost_via_info(&ad)) == NULL)
		fatalx("cannot set up the libwebsockets thread");
	ctl_fd = sv[1];
	return sv[0];
}

void
ws_thread_start(void)
{
	pthread_t	 t;
	sigset_t	 all, old;
	int		 rv;

	/* Signals stay with the main loop. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	rv = pthread_create(&t, NULL, ws_thread, NULL);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rv != 0) {
		errno = rv;
		fatal("pthread_create");
	}
	pthread_detach(t);
}

static void *
ws_thread(void *arg)
{
	for (;;)
		if (lws_service(ctx, 0) < 0)
			fatalx("libwebsockets service loop failed");
	return NULL;
}

static void
ws_log(int level, const char *line)
{
	size_t	 len = strcspn(line, "\n");

	log_debug("libwebsockets: %.*s", (int)len, line);
}

static int
ws_callback(struct lws *wsi, enum lws_callback_reasons reason, void *user,
    void *in, size_t len)
{
	struct ws_sess	*s = lws_get_opaque_user_data(wsi);

	if (wsi == ctl_wsi)
		return reason == LWS_CALLBACK_RAW_RX_FILE ? ctl_read() : 0;
	if (s == NULL)
		return 0;
	switch (reason) {
	case LWS_CALLBACK_HTTP:
		return sess_http(wsi, s, 0);
	case LWS_CALLBACK_HTTP_CONFIRM_UPGRADE:
		return sess_http(wsi, s, 1);
	case LWS_CALLBACK_CLIENT_APPEND_HANDSHAKE_HEADER:
		if (s->req->hdrname == NULL)
			return 0;
		if (lws_add_http_header_by_name(wsi,
		    (const uint8_t *)s->req->hdrname,
		    (const uint8_t *)s->req->hdrvalue,
		    (int)strlen(s->req->hdrvalue), (uint8_t **)in,
		    *(uint8_t **)in + len))
			return -1;
		return 0;
	case LWS_CALLBACK_ESTABLISHED:
	case LWS_CALLBACK_CLIENT_ESTABLISHED:
		return sess_established(s);
	case LWS_CALLBACK_CLIENT_CONNECTION_ERROR:
		sess_report(s, in != NULL ? in : "connection failed");
		return 0;
	case LWS_CALLBACK_RECEIVE:
	case LWS_CALLBACK_CLIENT_RECEIVE:
		return sess_from_peer(wsi, s, in, len);
	case LWS_CALLBACK_SERVER_WRITEABLE:
	case LWS_CALLBACK_CLIENT_WRITEABLE:
		return sess_to_peer(wsi, s);
	case LWS_CALLBACK_RAW_RX_FILE:
		return sess_from_main(s);
	case LWS_CALLBACK_RAW_WRITEABLE_FILE:
		return sess_to_main(s);
	case LWS_CALLBACK_WSI_DESTROY:
		sess_detach(s, wsi);
		return 0;
	default:
		return 0;
	}
}

static int
ctl_read(void)
{
	struct ws_req	*req;
	ssize_t		 n;

	while ((n = recv(ctl_fd, &req, sizeof(req), MSG_DONTWAIT)) ==
	    sizeof(req)) {
		if (req->type == WS_REQ_DIAL)
			sess_dial(req);
		else
			sess_accept(req);
	}
	if (n == 0 || (n == -1 && errno != EAGAIN && errno != EINTR))
		fatalx("libwebsockets thread: control channel lost");
	return 0;
}

static struct ws_sess *
sess_new(struct ws_req *req)
{
	struct ws_sess	*s;

	if ((s = calloc(1, sizeof(*s))) == NULL)
		fatal("ws session");
	s->req = req;
	s->fd = -1;
	TAILQ_INIT(&s->txq);
	return s;
}

static int
sess_adopt_raw(struct ws_sess *s, int fd)
{
	lws_adopt_desc_t	 ad;

	memset(&ad, 0, sizeof(ad));
	ad.vh = vhost;
	ad.type = LWS_ADOPT_RAW_FILE_DESC;
	ad.fd.filefd = fd;
	ad.opaque = s;
	s->fd = fd;
	if ((s->raw = lws_adopt_descriptor_vhost_via_info(&ad)) == NULL)
		return -1;
	return 0;
}

static void
sess_dial(struct ws_req *req)
{
	struct lws_client_connect_info ci;
	struct ws_sess	*s = sess_new(req);
	struct lws	*wsi;

	if (sess_adopt_raw(s, req->fd) == -1) {
		close(req->fd);
		ws_req_free(req);
		free(s);
		return;
	}
	memset(&ci, 0, sizeof(ci));
	ci.context = ctx;
	ci.vhost = vhost;
	ci.address = req->address;
	ci.port = req->port;
	ci.path = req->path;
	ci.host = req->hostport;
	/* lws prefixes it with http://, as Go does for ws:// URLs. */
	ci.origin = req->hostport;
	ci.ietf_version_or_minus_one = -1;
	ci.opaque_user_data = s;
	ci.pwsi = &s->ws;
	wsi = lws_client_connect_via_info(&ci);
	if (wsi == NULL && !s->reported) {
		sess_report(s, "cannot connect");
		lws_set_timeout(s->raw, PENDING_TIMEOUT_KILLED_BY_PARENT,
		    LWS_TO_KILL_ASYNC);
	}
}

static void
sess_accept(struct ws_req *req)
{
	lws_adopt_desc_t	 ad;
	struct ws_sess		*s = sess_new(req);

	memset(&ad, 0, sizeof(ad));
	ad.vh = vhost;
	ad.type = LWS_ADOPT_SOCKET | LWS_ADOPT_HTTP;
	ad.fd.sockfd = req->fd;
	ad.opaque = s;
	/* On failure lws has closed the socket. */
	if ((s->ws = lws_adopt_descriptor_vhost_via_info(&ad)) == NULL) {
		ws_req_free(req);
		free(s);
	}
}

/* A dial's outcome is the first packet: "+", or "-" and why not. */
static void
sess_report(struct ws_sess *s, const char *why)
{
	char	 buf[256];
	int	 n;

	if (s->req->type != WS_REQ_DIAL || s->reported)
		return;
	s->reported = 1;
	if (why == NULL)
		n = snprintf(buf, sizeof(buf), "+");
	else
		n = snprintf(buf, sizeof(buf), "-%s", why);
	if (n >= (int)sizeof(buf))
		n = sizeof(buf) - 1;
	(void)send(s->fd, buf, n, MSG_DONTWAIT | MSG_NOSIGNAL);
}

static int
sess_established(struct ws_sess *s)
{
	struct ws_accepted	 a;
	int			 sv[2];

	/* The main loop gave up on this dial while it was under way. */
	if (s->closing)
		return -1;
	if (s->req->type == WS_REQ_DIAL) {
		sess_report(s, NULL);
		return 0;
	}
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0, sv) == -1) {
		log_warn("ws-listener: socketpair");
		return -1;
	}
	if (sess_adopt_raw(s, sv[1]) == -1) {
		close(sv[0]);
		return -1;
	}
	memset(&a, 0, sizeof(a));
	a.id = s->req->id;
	a.fd = sv[0];
	strlcpy(a.remote, s->req->remote, sizeof(a.remote));
	if (send(ctl_fd, &a, sizeof(a), MSG_NOSIGNAL) != sizeof(a))
		fatal("libwebsockets thread: control channel");
	return 0;
}

/*
 * A request at the listener: Go's ServeMux answers 404 off the path, and
 * on it gorilla/websocket wants an upgrade (400) from the same origin
 * (403). The headers fit lws's header buffer, hence these sizes.
 */
static int
sess_http(struct lws *wsi, struct ws_sess *s, int upgrade)
{
	char	 uri[4096], origin[1024], host[1024];
	int	 status = 0;

	if (lws_hdr_copy(wsi, uri, sizeof(uri), WSI_TOKEN_GET_URI) < 0 ||
	    !ws_path_match(s->req->pattern, uri))
		status = HTTP_STATUS_NOT_FOUND;
	else if (!upgrade)
		status = HTTP_STATUS_BAD_REQUEST;
	else if (lws_hdr_total_length(wsi, WSI_TOKEN_ORIGIN) > 0) {
		if (lws_hdr_copy(wsi, origin, sizeof(origin),
		    WSI_TOKEN_ORIGIN) < 0 || lws_hdr_copy(wsi, host,
		    sizeof(host), WSI_TOKEN_HOST) < 0 ||
		    !ws_origin_ok(origin, host))
			status = HTTP_STATUS_FORBIDDEN;
	}
	if (status == 0)
		return 0;
	log_debug("ws-listener: %s from %s: %d", uri, s->req->remote, status);
	if (lws_return_http_status(wsi, status, NULL))
		return -1;
	/* After a refused upgrade lws completes the transaction itself. */
	if (upgrade)
		return 1;
	return lws_http_transaction_completed(wsi) ? -1 : 0;
}

/*
 * The main loop has messages for the peer: take what is there, up to a
 * limit, so that what it sent before closing still goes out.
 */
static int
sess_from_main(struct ws_sess *s)
{
	struct ws_msg	*m;
	ssize_t		 n;

	for (;;) {
		if (s->txq_len >= WS_TXQ_MAX) {
			lws_rx_flow_control(s->raw, 0);
			break;
		}
		n = recv(s->fd, rxbuf, sizeof(rxbuf), MSG_DONTWAIT);
		if (n == -1 && (errno == EAGAIN || errno == EINTR))
			break;
		if (n <= 0) {
			s->closing = 1;
			break;
		}
		if ((m = malloc(sizeof(*m) + LWS_PRE + n)) == NULL)
			fatal("ws message");
		m->len = n;
		memcpy(m->buf + LWS_PRE, rxbuf, n);
		TAILQ_INSERT_TAIL(&s->txq, m, entry);
		s->txq_len += n;
	}
	if (s->ws != NULL)
		lws_callback_on_writable(s->ws);
	return s->closing ? -1 : 0;
}

/* One message per writable callback: lws buffers what the socket refuses. */
static int
sess_to_peer(struct lws *wsi, struct ws_sess *s)
{
	struct ws_msg	*m;
	int		 rv = 0;

	if ((m = TAILQ_FIRST(&s->txq)) == NULL) {
		if (!s->closing)
			return 0;
		lws_close_reason(wsi, LWS_CLOSE_STATUS_NORMAL, NULL, 0);
		return -1;
	}
	TAILQ_REMOVE(&s->txq, m, entry);
	s->txq_len -= m->len;
	if (lws_write(wsi, m->buf + LWS_PRE, m->len, LWS_WRITE_BINARY) <
	    (int)m->len)
		rv = -1;
	free(m);
	if (rv == 0 && (!TAILQ_EMPTY(&s->txq) || s->closing))
		lws_callback_on_writable(wsi);
	if (s->raw != NULL && s->txq_len < WS_TXQ_MAX)
		lws_rx_flow_control(s->raw, 1);
	return rv;
}

/* Frames of one message arrive in pieces; the main loop gets it whole. */
static int
sess_from_peer(struct lws *wsi, struct ws_sess *s, const void *in,
    size_t len)
{
	uint8_t	*p;

	if (s->rx_whole || s->raw == NULL)
		return -1;
	if (len > NETMSG_MAXLEN - s->rx_len) {
		log_warnx("ws: a message from %s is over %d bytes",
		    s->req->remote[0] != '\0' ? s->req->remote :
		    s->req->hostport, NETMSG_MAXLEN);
		return -1;
	}
	if (len > 0) {
		if ((p = realloc(s->rx, s->rx_len + len)) == NULL)
			fatal("ws message");
		s->rx = p;
		memcpy(s->rx + s->rx_len, in, len);
		s->rx_len += len;
	}
	if (!lws_is_final_fragment(wsi) || lws_remaining_packet_payload(wsi) > 0)
		return 0;
	/* An empty message is no netceptor message. */
	if (s->rx_len == 0)
		return 0;
	s->rx_whole = 1;
	return sess_to_main(s);
}

static int
sess_to_main(struct ws_sess *s)
{
	if (!s->rx_whole)
		return 0;
	if (send(s->fd, s->rx, s->rx_len, MSG_DONTWAIT | MSG_NOSIGNAL) == -1) {
		if (errno != EAGAIN)
			return -1;
		/* The peer waits until the main loop catches up. */
		lws_rx_flow_control(s->ws, 0);
		lws_callback_on_writable(s->raw);
		return 0;
	}
	s->rx_whole = 0;
	s->rx_len = 0;
	if (s->ws != NULL)
		lws_rx_flow_control(s->ws, 1);
	return 0;
}

/*
 * Each of a session's two wsi ends the other: the WebSocket going kills
 * the socketpair, which the main loop sees as EOF; the socketpair going
 * closes the WebSocket once what the main loop sent has gone out.
 */
static void
sess_detach(struct ws_sess *s, struct lws *wsi)
{
	struct ws_msg	*m;

	if (wsi == s->raw) {
		s->raw = NULL;
		s->closing = 1;
		if (s->ws != NULL)
			lws_callback_on_writable(s->ws);
	} else {
		s->ws = NULL;
		sess_report(s, "connection closed");
		if (s->raw != NULL)
			lws_set_timeout(s->raw, PENDING_TIMEOUT_KILLED_BY_PARENT,
			    LWS_TO_KILL_ASYNC);
	}
	if (s->ws != NULL || s->raw != NULL)
		return;
	while ((m = TAILQ_FIRST(&s->txq)) != NULL) {
		TAILQ_REMOVE(&s->txq, m, entry);
		free(m);
	}
	free(s->rx);
	ws_req_free(s->req);
	free(s);
}
