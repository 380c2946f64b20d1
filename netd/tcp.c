/*
 * TCP backends: a stream of u16le-length-prefixed netceptor messages.
 * A bufferevent writes and connects; reading is ours, in reads of
 * TCP_READ_MAX where libevent's evbuffer takes 4096 bytes a wake-up.
 */
#include <sys/socket.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <event2/bufferevent.h>
#include <event2/buffer.h>

#include "log.h"
#include "netd.h"
#include "netmsg.h"

#define TCP_READ_MAX		65536
/* Reads one wake-up makes of one connection before others get a turn. */
#define TCP_READ_ROUNDS		4
#define TCP_WRITE_MAX		(256 * 1024)	/* one writev's worth */

struct tcp_conn {
	struct bufferevent	*bev;
	struct event		*ev_read;
	struct link		*link;
	struct backend		*dialer;	/* NULL when accepted */
	char			 remote[128];
	int			 reading;	/* inside tcp_read() */
	int			 closed;	/* free when it returns */
	struct netmsg_framer	 framer;
};

static int	tcp_send(void *, const void *, size_t);
static void	tcp_close(void *);
static void	tcp_accept(evutil_socket_t, short, void *);
static void	tcp_connect(struct backend *, const struct evutil_addrinfo *);
static struct tcp_conn *tcp_conn_new(int, struct backend *);
static void	tcp_read(evutil_socket_t, short, void *);
static void	tcp_event(struct bufferevent *, short, void *);
static void	tcp_gone(struct tcp_conn *, const char *);
static void	tcp_free(struct tcp_conn *);

static const struct transport tcp_transport = {
	.name = "tcp",
	.send = tcp_send,
	.close = tcp_close,
};

void
sockaddr_text(const struct sockaddr *sa, char *buf, size_t len)
{
	char		 host[INET6_ADDRSTRLEN];
	in_port_t	 port;

	if (sa->sa_family == AF_INET6) {
		inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)sa)->
		    sin6_addr, host, sizeof(host));
		port = ((const struct sockaddr_in6 *)sa)->sin6_port;
		snprintf(buf, len, "[%s]:%u", host, ntohs(port));
	} else {
		inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr,
		    host, sizeof(host));
		port = ((const struct sockaddr_in *)sa)->sin_port;
		snprintf(buf, len, "%s:%u", host, ntohs(port));
	}
}

/*
 * A non-blocking socket bound to a numeric host ("" for any) and port,
 * listening if a stream socket; -1, logged for action, if not.
 */
int
sock_listen(const char *action, int socktype, const char *host,
    const char *port)
{
	struct addrinfo	 hints, *res;
	int		 fd, on = 1, rv;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = socktype;
	hints.ai_flags = AI_PASSIVE | AI_NUMERICHOST | AI_NUMERICSERV;
	if ((rv = getaddrinfo(*host ? host : NULL, port, &hints, &res)) != 0) {
		log_error("%s: %s:%s: %s", action, host, port,
		    gai_strerror(rv));
		return -1;
	}
	fd = socket(res->ai_family, socktype | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0);
	if (fd == -1 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on,
	    sizeof(on)) == -1 || bind(fd, res->ai_addr, res->ai_addrlen) ==
	    -1 || (socktype == SOCK_STREAM && listen(fd, SOMAXCONN) == -1)) {
		log_warn("%s: %s:%s", action, host, port);
		if (fd != -1)
			close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	return fd;
}

int
tcp_listen(struct backend *be)
{
	if ((be->fd = sock_listen("tcp-listener", SOCK_STREAM, be->host,
	    be->port)) == -1)
		return -1;
	be->ev = event_new(netd_base(), be->fd, EV_READ | EV_PERSIST,
	    tcp_accept, be);
	if (be->ev == NULL || event_add(be->ev, NULL) == -1)
		fatalx("tcp-listener: event_new");
	log_debug("tcp-listener on %s:%s", be->host, be->port);
	return 0;
}

static void
tcp_accept(evutil_socket_t fd, short events, void *arg)
{
	struct backend		*be = arg;
	struct sockaddr_storage	 ss;
	socklen_t		 len = sizeof(ss);
	struct tcp_conn		*tc;
	int			 s;

	s = accept4(fd, (struct sockaddr *)&ss, &len, SOCK_NONBLOCK |
	    SOCK_CLOEXEC);
	if (s == -1) {
		if (errno != EAGAIN && errno != ECONNABORTED)
			log_warn("tcp-listener: accept");
		return;
	}
	if (be->tls != NULL) {
		tlsc_accept(be, s, (struct sockaddr *)&ss);
		return;
	}
	tc = tcp_conn_new(s, NULL);
	sockaddr_text((struct sockaddr *)&ss, tc->remote, sizeof(tc->remote));
	tc->link = link_open(be, &tcp_transport, tc, tc->remote);
}

void
tcp_dial(struct backend *be)
{
	backend_resolve(be, SOCK_STREAM, tcp_connect);
}

static void
tcp_connect(struct backend *be, const struct evutil_addrinfo *ai)
{
	struct tcp_conn		*tc;
	int			 s;

	s = socket(ai->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0);
	if (s == -1)
		fatal("socket");
	if (be->tls != NULL) {
		tlsc_dial(be, s, ai);
		return;
	}
	tc = tcp_conn_new(s, be);
	be->dialing = tc;
	sockaddr_text(ai->ai_addr, tc->remote, sizeof(tc->remote));
	/* The link opens once connected (tcp_event). */
	if (bufferevent_socket_connect(tc->bev, ai->ai_addr,
	    ai->ai_addrlen) == -1)
		tcp_gone(tc, strerror(errno));
}

static struct tcp_conn *
tcp_conn_new(int s, struct backend *dialer)
{
	struct tcp_conn	*tc;
	int		 on = 1;

	if ((tc = calloc(1, sizeof(*tc))) == NULL)
		fatal("tcp connection");
	(void)setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &on, sizeof(on));
	tc->dialer = dialer;
	netmsg_framer_init(&tc->framer);
	tc->bev = bufferevent_socket_new(netd_base(), s,
	    BEV_OPT_CLOSE_ON_FREE);
	if (tc->bev == NULL)
		fatalx("bufferevent_socket_new");
	bufferevent_setcb(tc->bev, NULL, NULL, tcp_event, tc);
	bufferevent_set_max_single_write(tc->bev, TCP_WRITE_MAX);
	bufferevent_enable(tc->bev, EV_WRITE);
	if ((tc->ev_read = event_new(netd_base(), s, EV_READ | EV_PERSIST,
	    tcp_read, tc)) == NULL)
		fatalx("tcp: event_new");
	/* A dialer's starts once connected. */
	if (dialer == NULL)
		event_add(tc->ev_read, NULL);
	return tc;
}

static void
tcp_read(evutil_socket_t fd, short events, void *arg)
{
	static uint8_t	 buf[TCP_READ_MAX];
	struct tcp_conn	*tc = arg;
	ssize_t		 n;
	int		 i;

	/* link_input() may close the link; tc stays until we return. */
	tc->reading = 1;
	for (i = 0; i < TCP_READ_ROUNDS && !tc->closed; i++) {
		if ((n = read(fd, buf, sizeof(buf))) == -1 &&
		    (errno == EAGAIN || errno == EINTR))
			break;
		if (n <= 0) {
			tcp_gone(tc, n == 0 ? NULL : strerror(errno));
			break;
		}
		link_frames(tc->link, &tc->framer, &tc->closed, buf, n);
		if ((size_t)n < sizeof(buf))
			break;
	}
	tc->reading = 0;
	if (tc->closed)
		tcp_free(tc);
}

static void
tcp_event(struct bufferevent *bev, short what, void *arg)
{
	struct tcp_conn	*tc = arg;

	if (what & BEV_EVENT_CONNECTED) {
		tc->dialer->dialing = NULL;
		event_add(tc->ev_read, NULL);
		tc->link = link_open(tc->dialer, &tcp_transport, tc,
		    tc->remote);
		return;
	}
	if (what & BEV_EVENT_EOF)
		tcp_gone(tc, NULL);
	else if (what & BEV_EVENT_ERROR)
		tcp_gone(tc, strerror(EVUTIL_SOCKET_ERROR()));
}

/* The connection ended under the link (or before there was one). */
static void
tcp_gone(struct tcp_conn *tc, const char *why)
{
	struct link	*link = tc->link;
	struct backend	*dialer = tc->dialer;

	tc->closed = 1;
	if (!tc->reading)
		tcp_free(tc);
	if (link != NULL)
		link_lost(link, why);
	else if (dialer != NULL) {
		dialer->dialing = NULL;
		tcp_dial_failed(dialer, why != NULL ? why : "connection closed");
	}
}

/* The backend goes: a connection still being made goes with it. */
void
tcp_stop(struct backend *be)
{
	if (be->dialing != NULL) {
		tcp_free(be->dialing);
		be->dialing = NULL;
	}
}

/* A peer's connection failed before its link opened; TLS's too. */
void
tcp_dial_failed(struct backend *be, const char *why)
{
	log_warnx("Backend connection failed (will retry): dial tcp %s:%s: %s",
	    be->host, be->port, why);
	backend_link_gone(be, NULL, 0);
}

static int
tcp_send(void *conn, const void *msg, size_t len)
{
	struct tcp_conn	*tc = conn;
	uint8_t		 hdr[NETMSG_FRAMEHDR];
	const char	*err;

	if (netmsg_frame_hdr(hdr, len, &err) == -1) {
		log_warnx("tcp: not sending a message: %s", err);
		return -1;
	}
	if (bufferevent_write(tc->bev, hdr, sizeof(hdr)) == -1 ||
	    bufferevent_write(tc->bev, msg, len) == -1)
		return -1;
	return 0;
}

static void
tcp_close(void *conn)
{
	struct tcp_conn	*tc = conn;

	tc->link = NULL;
	tc->closed = 1;
	/* What is queued (a reject, say) goes out if the socket takes it. */
	(void)evbuffer_write(bufferevent_get_output(tc->bev),
	    bufferevent_getfd(tc->bev));
	if (!tc->reading)
		tcp_free(tc);
}

static void
tcp_free(struct tcp_conn *tc)
{
	event_free(tc->ev_read);
	bufferevent_free(tc->bev);
	free(tc);
}
