/*
 * TCP backends over TLS: the same u16le-framed stream inside a libtls
 * session. libtls keeps its SSL to itself, so no bufferevent_openssl: the
 * socket's read and write events drive tls_handshake(), tls_read() and
 * tls_write() by hand, following TLS_WANT_POLLIN and TLS_WANT_POLLOUT.
 * The link opens once the handshake and our own checks (tlsconf.c) pass.
 */
#include <sys/socket.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <errno.h>
#include <netdb.h>
#include <stdlib.h>
#include <string.h>
#include <tls.h>
#include <unistd.h>
#include <event2/buffer.h>

#include "log.h"
#include "netd.h"
#include "netmsg.h"

/* A TLS record's worth: what one tls_write() takes at most. */
#define TLSC_CHUNK	16384

enum tlsc_state {
	TLSC_CONNECTING,
	TLSC_HANDSHAKE,
	TLSC_OPEN,
};

struct tlsc {
	TAILQ_ENTRY(tlsc)	 entry;
	enum tlsc_state		 state;
	int			 fd;
	struct tls		*ctx;
	struct backend		*be;
	int			 dialer;
	struct link		*link;
	char			 remote[128];
	struct event		*ev_read;	/* persists while not connecting */
	struct event		*ev_write;	/* once, when TLS asks or out has data */
	struct event		*ev_timeout;	/* the handshake's */
	struct evbuffer		*out;
	int			 hello_seen;	/* a listener's first byte was TLS */
	int			 reading;	/* inside tlsc_read() */
	int			 closed;	/* free when it returns */
	struct netmsg_framer	 framer;
};
TAILQ_HEAD(tlscs, tlsc);

static struct tlscs	 tlscs = TAILQ_HEAD_INITIALIZER(tlscs);

static int	tlsc_send(void *, const void *, size_t);
static void	tlsc_close(void *);
static int	tlsc_verify_peer(void *, const char *, char *, size_t);
static struct tlsc *tlsc_new(struct backend *, int, int);
static void	tlsc_io(evutil_socket_t, short, void *);
static void	tlsc_timeout(evutil_socket_t, short, void *);
static void	tlsc_connected(struct tlsc *);
static int	tlsc_plain(struct tlsc *);
static int	tlsc_handshake(struct tlsc *);
static int	tlsc_flush(struct tlsc *);
static void	tlsc_read(struct tlsc *);
static void	tlsc_failed(struct tlsc *, const char *);
static void	tlsc_gone(struct tlsc *, const char *);
static void	tlsc_free(struct tlsc *);

static const struct transport tls_transport = {
	.name = "tls",
	.send = tlsc_send,
	.close = tlsc_close,
	.verify_peer = tlsc_verify_peer,
};

void
tlsc_accept(struct backend *be, int s, const struct sockaddr *sa)
{
	struct tlsc	*c;

	c = tlsc_new(be, s, 0);
	sockaddr_text(sa, c->remote, sizeof(c->remote));
	if (tls_accept_socket(tlsconf_server(be->tls), &c->ctx, s) == -1) {
		tlsc_failed(c, tls_error(tlsconf_server(be->tls)));
		return;
	}
	c->state = TLSC_HANDSHAKE;
	event_add(c->ev_read, NULL);
}

void
tlsc_dial(struct backend *be, int s, const struct evutil_addrinfo *ai)
{
	struct tlsc	*c;

	c = tlsc_new(be, s, 1);
	sockaddr_text(ai->ai_addr, c->remote, sizeof(c->remote));
	c->state = TLSC_CONNECTING;
	if (connect(s, ai->ai_addr, ai->ai_addrlen) == -1 &&
	    errno != EINPROGRESS) {
		tlsc_failed(c, strerror(errno));
		return;
	}
	event_add(c->ev_write, NULL);
}

static struct tlsc *
tlsc_new(struct backend *be, int s, int dialer)
{
	struct tlsc	*c;
	struct timeval	 tv = { TLS_HANDSHAKE_TIMEOUT, 0 };
	int		 on = 1;

	if ((c = calloc(1, sizeof(*c))) == NULL)
		fatal("tls connection");
	(void)setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &on, sizeof(on));
	c->fd = s;
	c->be = be;
	c->dialer = dialer;
	netmsg_framer_init(&c->framer);
	c->ev_read = event_new(netd_base(), s, EV_READ | EV_PERSIST, tlsc_io,
	    c);
	c->ev_write = event_new(netd_base(), s, EV_WRITE, tlsc_io, c);
	c->ev_timeout = evtimer_new(netd_base(), tlsc_timeout, c);
	if (c->ev_read == NULL || c->ev_write == NULL ||
	    c->ev_timeout == NULL || (c->out = evbuffer_new()) == NULL)
		fatalx("tls connection: event_new");
	evtimer_add(c->ev_timeout, &tv);
	TAILQ_INSERT_TAIL(&tlscs, c, entry);
	return c;
}

static void
tlsc_io(evutil_socket_t fd, short events, void *arg)
{
	struct tlsc	*c = arg;

	if (c->state == TLSC_CONNECTING) {
		tlsc_connected(c);
		return;
	}
	if (c->state == TLSC_HANDSHAKE && (tlsc_plain(c) == -1 ||
	    tlsc_handshake(c) != 1))
		return;
	/*
	 * Both ways on any event: a write may wait for a read and back, and
	 * the handshake's last flight may have brought data along.
	 */
	if (tlsc_flush(c) == 0)
		tlsc_read(c);
}

static void
tlsc_timeout(evutil_socket_t fd, short events, void *arg)
{
	tlsc_failed(arg, "TLS handshake timed out");
}

static void
tlsc_connected(struct tlsc *c)
{
	int		 err = 0;
	socklen_t	 len = sizeof(err);

	if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &len) == -1)
		err = errno;
	if (err != 0) {
		tlsc_failed(c, strerror(err));
		return;
	}
	if ((c->ctx = tls_client()) == NULL)
		fatal("tls_client");
	/* The host part of the address is also the SNI, as in Go. */
	if (tls_configure(c->ctx, tlsconf_config(c->be->tls)) == -1 ||
	    tls_connect_socket(c->ctx, c->fd, c->be->host) == -1) {
		tlsc_failed(c, tls_error(c->ctx));
		return;
	}
	c->state = TLSC_HANDSHAKE;
	event_add(c->ev_read, NULL);
	if (tlsc_handshake(c) == 1 && tlsc_flush(c) == 0)
		tlsc_read(c);
}

/* A plain TCP peer is refused at once, as Go does. */
static int
tlsc_plain(struct tlsc *c)
{
	const char	*why;
	int		 rv;

	if (c->dialer || c->hello_seen)
		return 0;
	if ((rv = tlsio_hello(c->fd, &why)) == -1) {
		tlsc_failed(c, why);
		return -1;
	}
	c->hello_seen = rv;
	return 0;
}

/* 1 when the link is open, 0 while the handshake goes on, -1 if gone. */
static int
tlsc_handshake(struct tlsc *c)
{
	char	 why[256];

	switch (tls_handshake(c->ctx)) {
	case TLS_WANT_POLLOUT:
		event_add(c->ev_write, NULL);
		return 0;
	case TLS_WANT_POLLIN:
		return 0;
	case -1:
		snprintf(why, sizeof(why), "TLS handshake failed: %s",
		    tls_error(c->ctx));
		tlsc_failed(c, why);
		return -1;
	}
	if (tlsconf_check_peer(c->be->tls, c->ctx, c->dialer ? c->be->host :
	    NULL, why, sizeof(why)) == -1) {
		tlsc_failed(c, why);
		return -1;
	}
	evtimer_del(c->ev_timeout);
	c->state = TLSC_OPEN;
	log_debug("TLS %s with %s", tls_conn_version(c->ctx), c->remote);
	c->link = link_open(c->be, &tls_transport, c, c->remote);
	return 1;
}

/* 0 when all is written or TLS waits for the socket, -1 if gone. */
static int
tlsc_flush(struct tlsc *c)
{
	switch (tlsio_flush(c->ctx, c->out, NULL)) {
	case TLS_WANT_POLLOUT:
		event_add(c->ev_write, NULL);
		return 0;
	case -1:
		tlsc_gone(c, tls_error(c->ctx));
		return -1;
	}
	return 0;
}

static void
tlsc_read(struct tlsc *c)
{
	uint8_t		 buf[TLSC_CHUNK];
	ssize_t		 n;

	/* link_input() may close the link; c stays until we return. */
	c->reading = 1;
	while (!c->closed) {
		n = tls_read(c->ctx, buf, sizeof(buf));
		if (n == TLS_WANT_POLLIN)
			break;
		if (n == TLS_WANT_POLLOUT) {
			event_add(c->ev_write, NULL);
			break;
		}
		if (n <= 0) {
			tlsc_gone(c, n == 0 ? NULL : tls_error(c->ctx));
			break;
		}
		link_frames(c->link, &c->framer, &c->closed, buf, n);
	}
	c->reading = 0;
	if (c->closed)
		tlsc_free(c);
}

/* Before there is a link: the dialer retries, the listener goes on. */
static void
tlsc_failed(struct tlsc *c, const char *why)
{
	char		 msg[512];
	struct backend	*be = c->be;

	strlcpy(msg, why != NULL ? why : "connection closed", sizeof(msg));
	if (c->dialer) {
		tlsc_free(c);
		tcp_dial_failed(be, msg);
	} else {
		log_warnx("tcp-listener: refused TLS connection from %s: %s",
		    c->remote, msg);
		tlsc_free(c);
	}
}

/* The session ended under its link. */
static void
tlsc_gone(struct tlsc *c, const char *why)
{
	struct link	*link = c->link;
	char		 msg[512];

	/* why may be tls_error()'s, which goes with the context. */
	if (why != NULL)
		strlcpy(msg, why, sizeof(msg));
	c->closed = 1;
	if (!c->reading)
		tlsc_free(c);
	link_lost(link, why != NULL ? msg : NULL);
}

static int
tlsc_send(void *conn, const void *msg, size_t len)
{
	struct tlsc	*c = conn;
	uint8_t		 hdr[NETMSG_FRAMEHDR];
	const char	*err;

	if (netmsg_frame_hdr(hdr, len, &err) == -1) {
		log_warnx("tls: not sending a message: %s", err);
		return -1;
	}
	if (evbuffer_add(c->out, hdr, sizeof(hdr)) == -1 ||
	    evbuffer_add(c->out, msg, len) == -1)
		return -1;
	event_add(c->ev_write, NULL);
	return 0;
}

static void
tlsc_close(void *conn)
{
	struct tlsc	*c = conn;
	size_t		 len;

	c->link = NULL;
	c->closed = 1;
	/* What is queued (a reject, say) goes out if the socket takes it. */
	if ((len = evbuffer_get_length(c->out)) > TLSC_CHUNK)
		len = TLSC_CHUNK;
	if (len > 0)
		(void)tls_write(c->ctx, evbuffer_pullup(c->out, len), len);
	(void)tls_close(c->ctx);
	if (!c->reading)
		tlsc_free(c);
}

static int
tlsc_verify_peer(void *conn, const char *peer, char *why, size_t len)
{
	struct tlsc	*c = conn;

	return tlsconf_check_node(c->be->tls, c->ctx, peer, why, len);
}

/* The backend stops: its links are closed, sessions still opening go. */
void
tlsc_backend_stop(struct backend *be)
{
	struct tlsc	*c, *tmp;

	TAILQ_FOREACH_SAFE(c, &tlscs, entry, tmp)
		if (c->be == be && c->link == NULL)
			tlsc_free(c);
}

static void
tlsc_free(struct tlsc *c)
{
	TAILQ_REMOVE(&tlscs, c, entry);
	event_free(c->ev_read);
	event_free(c->ev_write);
	event_free(c->ev_timeout);
	evbuffer_free(c->out);
	tls_free(c->ctx);
	close(c->fd);
	free(c);
}
