/*
 * netd's QUIC streams (netd/quic.c, quictls.c) over plain UDP instead of
 * mesh messages, for a peer written with quic-go (quicpeer.go) to talk
 * to. The mesh calls quic.c makes are answered here: every packet goes to
 * the one UDP peer, and every datagram from it comes from node "gonode",
 * service "control".
 *
 *	quicudp listen PORT		serve "control"; echo each stream,
 *					until killed
 *	quicudp dial PORT MESSAGE	dial 127.0.0.1:PORT, send MESSAGE,
 *					print the reply
 */
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <err.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <event2/buffer.h>
#include <event2/event.h>

#include "log.h"
#include "netd.h"
#include "quic.h"

#define PEER_NODE	"gonode"
#define PEER_SVC	"control"

static struct event_base	*base;
static int			 udp = -1;
static struct sockaddr_in	 peer;
static int			 have_peer;
static struct service		*bound;		/* one at a time is enough */
static struct evbuffer		*got;
static struct event		*ev_stream;
static int			 dial_fd = -1;
static int			 stream_over, conn_over;

const char *
mesh_node_id(void)
{
	return "cnode";
}

int
dgram_send(const char *fromsvc, const char *tonode, const char *tosvc,
    const void *pkt, size_t len, uint8_t hops, const char **errp)
{
	if (!have_peer || sendto(udp, pkt, len, 0, (struct sockaddr *)&peer,
	    sizeof(peer)) == -1) {
		*errp = "no route to node";
		return -1;
	}
	return 0;
}

struct service *
dgram_bind(const char *name, const struct service_ops *ops, void *arg)
{
	if (bound != NULL)
		return NULL;
	if ((bound = calloc(1, sizeof(*bound))) == NULL)
		err(1, "calloc");
	strlcpy(bound->name, name, sizeof(bound->name));
	bound->ops = ops;
	bound->arg = arg;
	return bound;
}

struct service *
dgram_bind_ephemeral(const struct service_ops *ops, void *arg)
{
	return dgram_bind("ephemera", ops, arg);
}

struct service *
dgram_service(const char *name)
{
	return bound != NULL && strcmp(bound->name, name) == 0 ? bound : NULL;
}

/* A dial is over once its connection and its stream are. */
static void
dial_over(int *what)
{
	*what = 1;
	if (stream_over && conn_over)
		event_base_loopexit(base, NULL);
}

void
dgram_unbind(struct service *s)
{
	free(s);
	bound = NULL;
	dial_over(&conn_over);
}

static void
udp_read(evutil_socket_t fd, short events, void *arg)
{
	uint8_t		 buf[65536];
	socklen_t	 len = sizeof(peer);
	ssize_t		 n;

	if ((n = recvfrom(fd, buf, sizeof(buf), 0, (struct sockaddr *)&peer,
	    &len)) == -1)
		return;
	have_peer = 1;
	if (bound != NULL)
		bound->ops->datagram(bound, PEER_NODE, PEER_SVC, buf, n);
}

/* Our end of a stream: echo (listen) or collect (dial) until EOF. */
static void
stream_read(evutil_socket_t fd, short events, void *arg)
{
	struct evbuffer	*echo = arg;
	int		 n;

	if ((n = evbuffer_read(got, fd, 65536)) > 0 ||
	    (n == -1 && errno == EAGAIN))
		return;
	event_del(ev_stream);
	if (echo == NULL) {
		dial_over(&stream_over);
		return;
	}
	evbuffer_add_buffer(echo, got);
	evbuffer_write(echo, fd);
	shutdown(fd, SHUT_WR);
}

static int
accepted(const char *node, uint64_t conn, void *arg)
{
	static struct evbuffer	*echo;
	int			 sp[2];

	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sp) == -1)
		err(1, "socketpair");
	evbuffer_drain(got, evbuffer_get_length(got));
	if ((echo == NULL && (echo = evbuffer_new()) == NULL) ||
	    (ev_stream = event_new(base, sp[1], EV_READ | EV_PERSIST,
	    stream_read, echo)) == NULL)
		errx(1, "accepted");
	event_add(ev_stream, NULL);
	return sp[0];
}

static void
dialed(const char *why, void *arg)
{
	if (why != NULL)
		errx(1, "dial: %s", why);
	if ((ev_stream = event_new(base, dial_fd, EV_READ | EV_PERSIST,
	    stream_read, NULL)) == NULL)
		errx(1, "dialed");
	event_add(ev_stream, NULL);
}

int
main(int argc, char *argv[])
{
	struct sockaddr_in	 sin = { .sin_family = AF_INET };
	struct event		*ev;
	struct quictls		*qt;
	const char		*why;
	char			 errbuf[256];
	int			 sp[2], listening;

	if (argc < 3 || (strcmp(argv[1], "listen") != 0 &&
	    strcmp(argv[1], "dial") != 0) ||
	    (strcmp(argv[1], "dial") == 0 && argc != 4))
		errx(2, "usage: quicudp listen PORT | dial PORT MESSAGE");
	listening = strcmp(argv[1], "listen") == 0;
	log_init(LOG_LEVEL_DEBUG, "quicudp");
	base = netd_base();
	if ((got = evbuffer_new()) == NULL)
		errx(1, "libevent");
	if ((udp = socket(AF_INET, SOCK_DGRAM, 0)) == -1)
		err(1, "socket");
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (listening) {
		sin.sin_port = htons(atoi(argv[2]));
		if (bind(udp, (struct sockaddr *)&sin, sizeof(sin)) == -1)
			err(1, "bind");
	} else {
		peer = sin;
		peer.sin_port = htons(atoi(argv[2]));
		have_peer = 1;
	}
	if ((ev = event_new(base, udp, EV_READ | EV_PERSIST, udp_read,
	    NULL)) == NULL)
		errx(1, "event_new");
	event_add(ev, NULL);
	if ((qt = quictls_new(NULL, listening, errbuf, sizeof(errbuf))) ==
	    NULL)
		errx(1, "quictls: %s", errbuf);
	if (listening) {
		if (quic_listen("control", qt, accepted, NULL, &why) == NULL)
			errx(1, "listen: %s", why);
		printf("listening\n");
		fflush(stdout);
	} else {
		if (socketpair(AF_UNIX, SOCK_STREAM, 0, sp) == -1)
			err(1, "socketpair");
		dial_fd = sp[0];
		if (write(sp[0], argv[3], strlen(argv[3])) == -1)
			err(1, "write");
		shutdown(sp[0], SHUT_WR);
		if (quic_dial(PEER_NODE, "control", qt, sp[1], dialed, NULL,
		    NULL, &why) == -1)
			errx(1, "dial: %s", why);
	}
	event_base_dispatch(base);
	if (!listening) {
		fwrite(evbuffer_pullup(got, -1), 1, evbuffer_get_length(got),
		    stdout);
		printf("\n");
	}
	return 0;
}
