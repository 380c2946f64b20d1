/*
 * WebSocket backends (PROTOCOL.md 1.3), the main loop's side. The
 * WebSockets themselves live in ws_thread.c; each session reaches the
 * mesh through a SOCK_SEQPACKET socketpair, one packet per netceptor
 * message, which this file turns into a transport under a link.
 *
 * TLS (a listener's tls=, a wss:// URL) is libwebsockets' own, on a vhost
 * per backend made from the bytes of the tls-server or tls-client; the
 * peer's certificate comes back as DER for tlsconf.c's checks, the same
 * as the TCP backends': pins and host name once the session is up, the
 * node ID once the link knows the peer.
 */
#include <sys/socket.h>
#include <sys/queue.h>
#include <errno.h>
#include <netdb.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <event2/listener.h>
#include <event2/util.h>

#include "log.h"
#include "netd.h"
#include "netmsg.h"

struct ws_conn;

struct ws_backend {
	TAILQ_ENTRY(ws_backend)	 entry;
	uint64_t		 id;	/* outlives the backend in requests */
	struct backend		*be;
	struct evconnlistener	*listener;
	struct ws_url		 url;	/* a peer's */
	char			*hdrname;
	char			*hdrvalue;
	struct ws_conn		*dialing;
	int			 tls;		/* its sessions are TLS */
};
TAILQ_HEAD(ws_backends, ws_backend);

struct ws_pkt {
	TAILQ_ENTRY(ws_pkt)	 entry;
	size_t			 len;
	uint8_t			 data[];
};

struct ws_conn {
	int			 fd;
	struct event		*ev_read;
	struct event		*ev_write;
	TAILQ_HEAD(, ws_pkt)	 queue;
	struct link		*link;
	struct backend		*be;
	struct ws_backend	*dialer;	/* until the dial's outcome */
	uint8_t			*cert;		/* the TLS peer's, DER */
	size_t			 certlen;
	char			 remote[128];
	int			 reading;	/* inside ws_conn_read() */
	int			 closed;	/* free when it returns */
};

static void	ws_ctl_read(evutil_socket_t, short, void *);
static void	ws_submit(struct ws_req *);
static void	ws_submit_id(int, uint64_t);
static void	ws_vhost(struct ws_backend *);
static int	ws_open(struct ws_conn *, struct backend *);
static void	ws_accept(struct evconnlistener *, evutil_socket_t,
		    struct sockaddr *, int, void *);
static void	ws_connect(struct backend *, const struct evutil_addrinfo *);
static struct ws_conn *ws_conn_new(int, struct backend *);
static void	ws_conn_read(evutil_socket_t, short, void *);
static void	ws_conn_write(evutil_socket_t, short, void *);
static void	ws_dialed(struct ws_conn *, const uint8_t *, size_t);
static void	ws_gone(struct ws_conn *, const char *);
static int	ws_send(void *, const void *, size_t);
static void	ws_close(void *);
static int	ws_verify_peer(void *, const char *, char *, size_t);
static void	ws_conn_free(struct ws_conn *);
static int	ws_flush(struct ws_conn *);

static const struct transport ws_transport = {
	.name = "ws",
	.send = ws_send,
	.close = ws_close,
};

static const struct transport wss_transport = {
	.name = "wss",
	.send = ws_send,
	.close = ws_close,
	.verify_peer = ws_verify_peer,
};

static struct ws_backends	 ws_backends =
				    TAILQ_HEAD_INITIALIZER(ws_backends);
static uint64_t			 ws_next_id;
static int			 ctl_fd = -1;
static struct event		*ev_ctl;
static int			 thread_started;
static uint8_t			 pkt[NETMSG_MAXLEN];

/* Before the sandbox; the thread starts with the first WebSocket backend. */
void
ws_init(void)
{
	ctl_fd = ws_thread_init();
	ev_ctl = event_new(netd_base(), ctl_fd, EV_READ | EV_PERSIST,
	    ws_ctl_read, NULL);
	if (ev_ctl == NULL || event_add(ev_ctl, NULL) == -1)
		fatalx("ws: event_new");
}

/* A backend's WebSocket state; a peer's URL gives the host and port. */
int
ws_setup(struct backend *be)
{
	struct ws_backend	*wb;
	const char		*addr, *hdr, *err, *colon;

	if ((wb = calloc(1, sizeof(*wb))) == NULL)
		fatal("ws backend");
	wb->id = ++ws_next_id;
	wb->be = be;
	if (be->kind == BK_WS_PEER) {
		addr = cfg_str(be->item, "address");
		if (ws_url_parse(addr, &wb->url, &err) == -1) {
			log_error("ws-peer: %s: %s", addr, err);
			ws_url_free(&wb->url);
			free(wb);
			return -1;
		}
		if ((be->host = strdup(wb->url.host)) == NULL ||
		    asprintf(&be->port, "%d", wb->url.port) == -1)
			fatal("ws-peer");
		/* Go splits "Name:value" at the first colon. */
		if ((hdr = cfg_str(be->item, "extraheader")) != NULL &&
		    (colon = strchr(hdr, ':')) != NULL) {
			if ((wb->hdrname = strndup(hdr, colon - hdr + 1)) ==
			    NULL || (wb->hdrvalue = strdup(colon + 1)) == NULL)
				fatal("ws-peer");
		}
	}
	TAILQ_INSERT_TAIL(&ws_backends, wb, entry);
	be->ws = wb;
	if (!thread_started) {
		ws_thread_start();
		thread_started = 1;
	}
	return 0;
}

void
ws_stop(struct backend *be)
{
	struct ws_backend	*wb = be->ws;

	if (wb == NULL)
		return;
	TAILQ_REMOVE(&ws_backends, wb, entry);
	if (wb->listener != NULL)
		evconnlistener_free(wb->listener);
	/* Closing our end makes the thread drop the dial. */
	if (wb->dialing != NULL) {
		wb->dialing->dialer = NULL;
		ws_close(wb->dialing);
	}
	if (wb->tls)
		ws_submit_id(WS_REQ_VHOST_GONE, wb->id);
	ws_url_free(&wb->url);
	free(wb->hdrname);
	free(wb->hdrvalue);
	free(wb);
	be->ws = NULL;
}

int
ws_wss(const struct backend *be)
{
	const struct ws_backend	*wb = be->ws;

	return wb != NULL && wb->url.tls;
}

void
ws_req_free(struct ws_req *req)
{
	free(req->address);
	free(req->hostport);
	free(req->path);
	free(req->hdrname);
	free(req->hdrvalue);
	free(req->pattern);
	if (req->vhost != NULL) {
		free(req->vhost->cert);
		freezero(req->vhost->key, req->vhost->keylen);
		free(req->vhost->cas);
		free(req->vhost);
	}
	free(req);
}

/* A pointer fits any socket buffer; the thread takes it from here. */
static void
ws_submit(struct ws_req *req)
{
	if (send(ctl_fd, &req, sizeof(req), MSG_NOSIGNAL) != sizeof(req))
		fatal("ws: control channel");
}

static void
ws_submit_id(int type, uint64_t id)
{
	struct ws_req	*req;

	if ((req = calloc(1, sizeof(*req))) == NULL)
		fatal("ws request");
	req->type = type;
	req->id = id;
	req->fd = -1;
	ws_submit(req);
}

static uint8_t *
ws_copy(const unsigned char *p, size_t len)
{
	uint8_t	*c;

	if (p == NULL)
		return NULL;
	if ((c = malloc(len)) == NULL)
		fatal("ws tls");
	memcpy(c, p, len);
	return c;
}

/*
 * A TLS backend's vhost, made by the thread before any session of the
 * backend: requests keep their order. The thread gets copies, the
 * configuration's files may go with a reload before it reads them.
 */
static void
ws_vhost(struct ws_backend *wb)
{
	const struct tlsconf_mem *m;
	struct backend		*be = wb->be;
	struct ws_req		*req;
	struct ws_tls		*t;

	if (wb->tls || be->tls == NULL ||
	    (be->kind == BK_WS_PEER && !wb->url.tls))
		return;
	m = tlsconf_mem(be->tls);
	if ((req = calloc(1, sizeof(*req))) == NULL ||
	    (t = calloc(1, sizeof(*t))) == NULL)
		fatal("ws tls");
	t->cert = ws_copy(m->cert, m->certlen);
	t->certlen = m->certlen;
	t->key = ws_copy(m->key, m->keylen);
	t->keylen = m->keylen;
	t->cas = ws_copy(m->cas, m->caslen);
	t->caslen = m->caslen;
	t->server = be->kind == BK_WS_LISTENER;
	t->mintls13 = m->mintls13;
	t->verify = m->verify;
	req->type = WS_REQ_VHOST;
	req->id = wb->id;
	req->fd = -1;
	req->vhost = t;
	ws_submit(req);
	wb->tls = 1;
}

int
ws_listen(struct backend *be)
{
	struct ws_backend	*wb = be->ws;
	struct addrinfo		 hints, *res;
	int			 rv;

	ws_vhost(wb);
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE | AI_NUMERICHOST | AI_NUMERICSERV;
	if ((rv = getaddrinfo(*be->host ? be->host : NULL, be->port, &hints,
	    &res)) != 0) {
		log_error("ws-listener: %s:%s: %s", be->host, be->port,
		    gai_strerror(rv));
		return -1;
	}
	wb->listener = evconnlistener_new_bind(netd_base(), ws_accept, wb,
	    LEV_OPT_CLOSE_ON_FREE | LEV_OPT_CLOSE_ON_EXEC | LEV_OPT_REUSEABLE,
	    128, res->ai_addr, res->ai_addrlen);
	freeaddrinfo(res);
	if (wb->listener == NULL) {
		log_warn("ws-listener: %s:%s", be->host, be->port);
		return -1;
	}
	log_debug("ws-listener on %s:%s%s", be->host, be->port,
	    cfg_str(be->item, "path"));
	return 0;
}

/* The thread speaks HTTP on it and hands back the upgraded sessions. */
static void
ws_accept(struct evconnlistener *l, evutil_socket_t fd, struct sockaddr *sa,
    int salen, void *arg)
{
	struct ws_backend	*wb = arg;
	struct ws_req		*req;

	if ((req = calloc(1, sizeof(*req))) == NULL ||
	    (req->pattern = strdup(cfg_str(wb->be->item, "path"))) == NULL)
		fatal("ws-listener");
	req->type = WS_REQ_ACCEPT;
	req->id = wb->id;
	req->fd = fd;
	req->tls = wb->tls;
	sockaddr_text(sa, req->remote, sizeof(req->remote));
	ws_submit(req);
}

static void
ws_ctl_read(evutil_socket_t fd, short events, void *arg)
{
	struct ws_accepted	 a;
	struct ws_backend	*wb;
	struct ws_conn		*wc;
	ssize_t			 n;

	if ((n = recv(fd, &a, sizeof(a), MSG_DONTWAIT)) == -1 &&
	    (errno == EAGAIN || errno == EINTR))
		return;
	if (n != sizeof(a))
		fatalx("ws: control channel lost");
	a.remote[sizeof(a.remote) - 1] = '\0';
	TAILQ_FOREACH(wb, &ws_backends, entry)
		if (wb->id == a.id)
			break;
	/* Its listener went with a reload. */
	if (wb == NULL) {
		free(a.cert);
		close(a.fd);
		return;
	}
	wc = ws_conn_new(a.fd, wb->be);
	strlcpy(wc->remote, a.remote, sizeof(wc->remote));
	wc->cert = a.cert;
	wc->certlen = a.certlen;
	if (ws_open(wc, wb->be) == -1)
		ws_conn_free(wc);
}

/*
 * A session is up: a TLS one once its peer's certificate passes the
 * checks libwebsockets doesn't make (the dialer's host name per Go).
 */
static int
ws_open(struct ws_conn *wc, struct backend *be)
{
	struct ws_backend	*wb = be->ws;
	char			 why[256];

	if (!wb->tls) {
		wc->link = link_open(be, &ws_transport, wc, wc->remote);
		return 0;
	}
	if (tlsconf_check_peer_der(be->tls, wc->cert, wc->certlen,
	    be->kind == BK_WS_PEER ? be->host : NULL, why, sizeof(why)) ==
	    -1) {
		if (be->kind == BK_WS_PEER)
			ws_gone(wc, why);
		else
			log_warnx("ws-listener: refused TLS connection from "
			    "%s: %s", wc->remote, why);
		return -1;
	}
	wc->link = link_open(be, &wss_transport, wc, wc->remote);
	return 0;
}

void
ws_dial(struct backend *be)
{
	ws_vhost(be->ws);
	backend_resolve(be, SOCK_STREAM, ws_connect);
}

static void
ws_connect(struct backend *be, const struct evutil_addrinfo *ai)
{
	struct ws_backend	*wb = be->ws;
	struct ws_req		*req;
	char			 host[NI_MAXHOST];
	int			 sv[2];

	if (getnameinfo(ai->ai_addr, ai->ai_addrlen, host, sizeof(host), NULL,
	    0, NI_NUMERICHOST) != 0 || socketpair(AF_UNIX, SOCK_SEQPACKET |
	    SOCK_NONBLOCK | SOCK_CLOEXEC, 0, sv) == -1)
		fatal("ws-peer");
	wb->dialing = ws_conn_new(sv[0], be);
	wb->dialing->dialer = wb;
	sockaddr_text(ai->ai_addr, wb->dialing->remote,
	    sizeof(wb->dialing->remote));

	if ((req = calloc(1, sizeof(*req))) == NULL ||
	    (req->address = strdup(host)) == NULL ||
	    (req->hostport = strdup(wb->url.hostport)) == NULL ||
	    (req->path = strdup(wb->url.path)) == NULL ||
	    (wb->hdrname != NULL && ((req->hdrname = strdup(wb->hdrname)) ==
	    NULL || (req->hdrvalue = strdup(wb->hdrvalue)) == NULL)))
		fatal("ws-peer");
	req->type = WS_REQ_DIAL;
	req->id = wb->id;
	req->fd = sv[1];
	req->tls = wb->tls;
	req->insecure = wb->tls && !tlsconf_mem(be->tls)->verify;
	req->port = wb->url.port;
	ws_submit(req);
}

static struct ws_conn *
ws_conn_new(int fd, struct backend *be)
{
	struct ws_conn	*wc;

	if ((wc = calloc(1, sizeof(*wc))) == NULL)
		fatal("ws connection");
	wc->fd = fd;
	wc->be = be;
	TAILQ_INIT(&wc->queue);
	wc->ev_read = event_new(netd_base(), fd, EV_READ | EV_PERSIST,
	    ws_conn_read, wc);
	wc->ev_write = event_new(netd_base(), fd, EV_WRITE, ws_conn_write,
	    wc);
	if (wc->ev_read == NULL || wc->ev_write == NULL ||
	    event_add(wc->ev_read, NULL) == -1)
		fatalx("ws: event_new");
	return wc;
}

/* One packet per callback: the loop comes back while there are more. */
static void
ws_conn_read(evutil_socket_t fd, short events, void *arg)
{
	struct ws_conn	*wc = arg;
	ssize_t		 n;

	if ((n = recv(fd, pkt, sizeof(pkt), MSG_DONTWAIT)) == -1) {
		if (errno != EAGAIN && errno != EINTR)
			ws_gone(wc, strerror(errno));
		return;
	}
	if (n == 0) {
		ws_gone(wc, NULL);
		return;
	}
	if (wc->dialer != NULL) {
		ws_dialed(wc, pkt, n);
		return;
	}
	/* link_input() may close the link; wc stays until we return. */
	wc->reading = 1;
	link_input(wc->link, pkt, n);
	wc->reading = 0;
	if (wc->closed)
		ws_conn_free(wc);
}

static void
ws_dialed(struct ws_conn *wc, const uint8_t *status, size_t len)
{
	struct ws_backend	*wb = wc->dialer;
	char			 why[256];

	if (status[0] != '+') {
		snprintf(why, sizeof(why), "%.*s", (int)len - 1, status + 1);
		ws_gone(wc, why);
		return;
	}
	if (len > 1) {
		if ((wc->cert = malloc(len - 1)) == NULL)
			fatal("ws certificate");
		memcpy(wc->cert, status + 1, len - 1);
		wc->certlen = len - 1;
	}
	/* A refusal by the checks is the dial's failure (ws_gone()). */
	if (ws_open(wc, wb->be) == 0) {
		wc->dialer = NULL;
		wb->dialing = NULL;
	}
}

/* The session ended under the link (or before there was one). */
static void
ws_gone(struct ws_conn *wc, const char *why)
{
	struct link		*link = wc->link;
	struct ws_backend	*wb = wc->dialer;

	wc->closed = 1;
	if (!wc->reading)
		ws_conn_free(wc);
	if (link != NULL)
		link_lost(link, why);
	else if (wb != NULL) {
		wb->dialing = NULL;
		log_warnx("Backend connection failed (will retry): dial %s: "
		    "%s", cfg_str(wb->be->item, "address"),
		    why != NULL ? why : "connection closed");
		backend_link_gone(wb->be, NULL, 0);
	}
}

static int
ws_send(void *conn, const void *msg, size_t len)
{
	struct ws_conn	*wc = conn;
	struct ws_pkt	*p;

	if (len > NETMSG_MAXLEN) {
		log_warnx("ws: not sending a message of %zu bytes", len);
		return -1;
	}
	if (TAILQ_EMPTY(&wc->queue)) {
		if (send(wc->fd, msg, len, MSG_DONTWAIT | MSG_NOSIGNAL) != -1)
			return 0;
		if (errno != EAGAIN)
			return -1;
		event_add(wc->ev_write, NULL);
	}
	if ((p = malloc(sizeof(*p) + len)) == NULL)
		fatal("ws message");
	p->len = len;
	memcpy(p->data, msg, len);
	TAILQ_INSERT_TAIL(&wc->queue, p, entry);
	return 0;
}

/* Sends what is queued: 0 when done, 1 for later, -1 on error. */
static int
ws_flush(struct ws_conn *wc)
{
	struct ws_pkt	*p;

	while ((p = TAILQ_FIRST(&wc->queue)) != NULL) {
		if (send(wc->fd, p->data, p->len, MSG_DONTWAIT |
		    MSG_NOSIGNAL) == -1)
			return errno == EAGAIN ? 1 : -1;
		TAILQ_REMOVE(&wc->queue, p, entry);
		free(p);
	}
	return 0;
}

static void
ws_conn_write(evutil_socket_t fd, short events, void *arg)
{
	struct ws_conn	*wc = arg;

	switch (ws_flush(wc)) {
	case 1:
		event_add(wc->ev_write, NULL);
		break;
	case -1:
		ws_gone(wc, strerror(errno));
		break;
	}
}

static void
ws_close(void *conn)
{
	struct ws_conn	*wc = conn;

	wc->link = NULL;
	wc->closed = 1;
	/* What is queued (a reject, say) goes out if the socket takes it. */
	(void)ws_flush(wc);
	if (!wc->reading)
		ws_conn_free(wc);
}

static int
ws_verify_peer(void *conn, const char *peer, char *why, size_t len)
{
	struct ws_conn	*wc = conn;

	return tlsconf_check_node_der(wc->be->tls, wc->cert, wc->certlen,
	    peer, why, len);
}

static void
ws_conn_free(struct ws_conn *wc)
{
	struct ws_pkt	*p;

	while ((p = TAILQ_FIRST(&wc->queue)) != NULL) {
		TAILQ_REMOVE(&wc->queue, p, entry);
		free(p);
	}
	event_free(wc->ev_read);
	event_free(wc->ev_write);
	close(wc->fd);
	free(wc->cert);
	free(wc);
}
