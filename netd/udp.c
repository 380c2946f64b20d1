/*
 * UDP backends: one netceptor message per datagram, nothing else. A
 * listener keeps one session per source address, made by the first
 * datagram from it; liveness is left to the mesh's idle timeout.
 */
#include <sys/socket.h>
#include <netinet/in.h>
#include <errno.h>
#include <netdb.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "netd.h"

#define UDP_MAX_SEND	65507	/* the largest IPv4 UDP payload */
#define UDP_RECV_SIZE	65536

struct udp_sess {
	TAILQ_ENTRY(udp_sess)	 entry;
	struct backend		*be;
	struct link		*link;
	struct sockaddr_storage	 addr;
	socklen_t		 addrlen;
	int			 connected;	/* a peer's own socket */
};
TAILQ_HEAD(udp_sessions, udp_sess);

static int	udp_send(void *, const void *, size_t);
static void	udp_close(void *);
static void	udp_read(evutil_socket_t, short, void *);
static void	udp_connect(struct backend *, const struct evutil_addrinfo *);
static int	udp_socket(struct backend *, const struct sockaddr *,
		    socklen_t, int);
static struct udp_sess *udp_sess_new(struct backend *,
		    const struct sockaddr *, socklen_t);

static const struct transport udp_transport = {
	.name = "udp",
	.send = udp_send,
	.close = udp_close,
};

static struct udp_sessions *
sessions(struct backend *be)
{
	if (be->udp == NULL) {
		if ((be->udp = malloc(sizeof(struct udp_sessions))) == NULL)
			fatal("udp sessions");
		TAILQ_INIT((struct udp_sessions *)be->udp);
	}
	return be->udp;
}

/* Bind (listener) or connect (peer) a socket, and read from it. */
static int
udp_socket(struct backend *be, const struct sockaddr *sa, socklen_t len,
    int listener)
{
	be->fd = socket(sa->sa_family, SOCK_DGRAM | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, 0);
	if (be->fd == -1)
		fatal("socket");
	if ((listener ? bind(be->fd, sa, len) : connect(be->fd, sa, len)) ==
	    -1) {
		log_warn("%s %s:%s", backend_action(be), be->host, be->port);
		close(be->fd);
		be->fd = -1;
		return -1;
	}
	be->ev = event_new(netd_base(), be->fd, EV_READ | EV_PERSIST,
	    udp_read, be);
	if (be->ev == NULL || event_add(be->ev, NULL) == -1)
		fatalx("udp: event_new");
	return 0;
}

int
udp_listen(struct backend *be)
{
	struct addrinfo	 hints, *res;
	int		 rv;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_DGRAM;
	hints.ai_flags = AI_PASSIVE | AI_NUMERICHOST | AI_NUMERICSERV;
	if ((rv = getaddrinfo(*be->host ? be->host : NULL, be->port, &hints,
	    &res)) != 0) {
		log_error("udp-listener: %s:%s: %s", be->host, be->port,
		    gai_strerror(rv));
		return -1;
	}
	rv = udp_socket(be, res->ai_addr, res->ai_addrlen, 1);
	freeaddrinfo(res);
	return rv;
}

void
udp_dial(struct backend *be)
{
	backend_resolve(be, SOCK_DGRAM, udp_connect);
}

static void
udp_connect(struct backend *be, const struct evutil_addrinfo *ai)
{
	struct udp_sess	*us;

	if (udp_socket(be, ai->ai_addr, ai->ai_addrlen, 0) == -1) {
		backend_link_gone(be, NULL, 0);
		return;
	}
	us = udp_sess_new(be, ai->ai_addr, ai->ai_addrlen);
	us->connected = 1;
	be->link = us->link;
}

static struct udp_sess *
udp_sess_new(struct backend *be, const struct sockaddr *sa, socklen_t len)
{
	struct udp_sess	*us;
	char		 remote[128];

	if ((us = calloc(1, sizeof(*us))) == NULL)
		fatal("udp session");
	us->be = be;
	memcpy(&us->addr, sa, len);
	us->addrlen = len;
	TAILQ_INSERT_TAIL(sessions(be), us, entry);
	sockaddr_text(sa, remote, sizeof(remote));
	us->link = link_open(be, &udp_transport, us, remote);
	return us;
}

static void
udp_read(evutil_socket_t fd, short events, void *arg)
{
	struct backend		*be = arg;
	struct udp_sess		*us;
	struct sockaddr_storage	 ss;
	socklen_t		 len = sizeof(ss);
	static uint8_t		 buf[UDP_RECV_SIZE];
	ssize_t			 n;

	n = recvfrom(fd, buf, sizeof(buf), 0, (struct sockaddr *)&ss, &len);
	if (n == -1) {
		/* ICMP errors of a connected peer: the idle timer decides. */
		if (errno != EAGAIN && errno != ECONNREFUSED)
			log_warn("%s: recvfrom", backend_action(be));
		return;
	}
	/* Go would crash on an empty message; it opens no session here. */
	if (n == 0)
		return;
	TAILQ_FOREACH(us, sessions(be), entry)
		if (us->connected || (us->addrlen == len &&
		    memcmp(&us->addr, &ss, len) == 0))
			break;
	if (us == NULL) {
		if (be->kind != BK_UDP_LISTENER)
			return;
		us = udp_sess_new(be, (struct sockaddr *)&ss, len);
	}
	if (us->link != NULL)
		link_input(us->link, buf, n);
}

static int
udp_send(void *conn, const void *msg, size_t len)
{
	struct udp_sess	*us = conn;
	ssize_t		 n;

	if (len == 0 || len > UDP_MAX_SEND) {
		log_warnx("%s: not sending a message of %zu bytes: data too "
		    "large", backend_action(us->be), len);
		return -1;
	}
	if (us->connected)
		n = send(us->be->fd, msg, len, 0);
	else
		n = sendto(us->be->fd, msg, len, 0,
		    (struct sockaddr *)&us->addr, us->addrlen);
	if (n == -1 && errno != ECONNREFUSED && errno != EAGAIN) {
		log_warn("%s: send", backend_action(us->be));
		return -1;
	}
	return 0;
}

/* A peer's socket goes with its session; a listener's stays. */
static void
udp_close(void *conn)
{
	struct udp_sess	*us = conn;
	struct backend	*be = us->be;

	TAILQ_REMOVE(sessions(be), us, entry);
	if (us->connected) {
		event_free(be->ev);
		be->ev = NULL;
		close(be->fd);
		be->fd = -1;
	}
	free(us);
}

/* The backend stops: its links are closed already. */
void
udp_stop(struct backend *be)
{
	free(be->udp);
	be->udp = NULL;
}
