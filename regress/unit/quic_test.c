/*
 * Streams over the mesh in one netd (netd/quic.c, quictls.c): a dial to a
 * listener of our own node runs the real QUIC and TLS handshakes through
 * the data message path, and its stream carries bytes both ways.
 */
#include <sys/socket.h>
#include <atf-c.h>
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <event2/buffer.h>
#include <event2/event.h>

#include "netd.h"
#include "quic.h"

#define NODE		"quictest"
#define DEADLINE	30	/* seconds any one wait may take */

/* One consumer's end of a stream: it sends out, then EOF; reads into in. */
struct end {
	int		 fd;
	struct evbuffer	*out;
	struct evbuffer	*in;
	int		 eof;
	struct event	*ev_read;
	struct event	*ev_write;
};

struct dial {
	int		 done;
	char		 err[300];
};

static struct event_base	*base;
static struct end		 accepted;
static int			 naccepted;

static void
tick(evutil_socket_t fd, short events, void *arg)
{
}

static void
setup(void)
{
	struct timeval	 tv = { 0, 100000 };
	struct event	*ev;

	signal(SIGPIPE, SIG_IGN);
	base = netd_base();
	mesh_init(NODE);
	/* Wake the loop now and then, for the conditions it waits on. */
	ATF_REQUIRE((ev = event_new(base, -1, EV_PERSIST, tick, NULL)) !=
	    NULL);
	event_add(ev, &tv);
}

static void
wait_for(int *cond, const char *what)
{
	time_t	 deadline = monotime() + DEADLINE;

	while (!*cond) {
		ATF_REQUIRE_MSG(monotime() < deadline, "no %s in %d s", what,
		    DEADLINE);
		event_base_loop(base, EVLOOP_ONCE);
	}
}

static void
end_read(evutil_socket_t fd, short events, void *arg)
{
	struct end	*e = arg;
	int		 n;

	if ((n = evbuffer_read(e->in, fd, 65536)) > 0)
		return;
	if (n == -1 && errno == EAGAIN)
		return;
	e->eof = 1;
	event_del(e->ev_read);
}

static void
end_write(evutil_socket_t fd, short events, void *arg)
{
	struct end	*e = arg;

	if (evbuffer_get_length(e->out) > 0 &&
	    evbuffer_write(e->out, fd) == -1 && errno != EAGAIN) {
		evbuffer_drain(e->out, evbuffer_get_length(e->out));
		return;
	}
	if (evbuffer_get_length(e->out) == 0) {
		shutdown(fd, SHUT_WR);
		return;
	}
	event_add(e->ev_write, NULL);
}

/* Start pumping: send len bytes of a pattern seeded by seed, then EOF. */
static void
end_start(struct end *e, int fd, size_t len, unsigned seed)
{
	size_t	 i;
	uint8_t	 b;

	evutil_make_socket_nonblocking(fd);
	e->fd = fd;
	e->eof = 0;
	ATF_REQUIRE((e->out = evbuffer_new()) != NULL);
	ATF_REQUIRE((e->in = evbuffer_new()) != NULL);
	for (i = 0; i < len; i++) {
		b = (uint8_t)(i * seed + i / 251);
		evbuffer_add(e->out, &b, 1);
	}
	e->ev_read = event_new(base, fd, EV_READ | EV_PERSIST, end_read, e);
	e->ev_write = event_new(base, fd, EV_WRITE, end_write, e);
	ATF_REQUIRE(e->ev_read != NULL && e->ev_write != NULL);
	event_add(e->ev_read, NULL);
	event_add(e->ev_write, NULL);
}

static void
end_check(struct end *e, size_t len, unsigned seed)
{
	const uint8_t	*p;
	size_t		 i;

	ATF_REQUIRE_EQ_MSG(evbuffer_get_length(e->in), len, "got %zu of %zu",
	    evbuffer_get_length(e->in), len);
	p = evbuffer_pullup(e->in, -1);
	for (i = 0; i < len; i++)
		ATF_REQUIRE_MSG(p[i] == (uint8_t)(i * seed + i / 251),
		    "byte %zu differs", i);
}

/* netd closed its end once the connection was over. */
static void
wait_closed(struct end *e)
{
	time_t	 deadline = monotime() + DEADLINE;

	for (;;) {
		if (send(e->fd, "", 1, MSG_NOSIGNAL) == -1 && errno == EPIPE)
			break;
		ATF_REQUIRE_MSG(monotime() < deadline, "stream still open");
		event_base_loop(base, EVLOOP_ONCE);
	}
	event_free(e->ev_read);
	event_free(e->ev_write);
	evbuffer_free(e->in);
	evbuffer_free(e->out);
	close(e->fd);
}

static int
on_accept(const char *node, uint64_t conn, void *arg)
{
	int	 sp[2];

	ATF_CHECK_STREQ(node, NODE);
	ATF_REQUIRE(socketpair(AF_UNIX, SOCK_STREAM, 0, sp) == 0);
	end_start(&accepted, sp[1], (size_t)(uintptr_t)arg, 7);
	naccepted++;
	return sp[0];
}

static void
on_dial(const char *err, void *arg)
{
	struct dial	*d = arg;

	snprintf(d->err, sizeof(d->err), "%s", err != NULL ? err : "");
	d->done = 1;
}

static struct quic_listener *
listen_on(const char *service, size_t reply)
{
	struct quic_listener	*l;
	struct quictls		*qt;
	const char		*err;
	char			 why[256];

	ATF_REQUIRE_MSG((qt = quictls_new(NULL, 1, why, sizeof(why))) !=
	    NULL, "%s", why);
	l = quic_listen(service, qt, on_accept, (void *)(uintptr_t)reply,
	    &err);
	ATF_REQUIRE_MSG(l != NULL, "%s", err);
	return l;
}

/* Dial node:service with the consumer's end of a new socketpair. */
static int
dial(const char *node, const char *service, struct dial *d)
{
	struct quictls	*qt;
	const char	*err;
	char		 why[256];
	int		 sp[2];

	ATF_REQUIRE(socketpair(AF_UNIX, SOCK_STREAM, 0, sp) == 0);
	ATF_REQUIRE_MSG((qt = quictls_new(NULL, 0, why, sizeof(why))) !=
	    NULL, "%s", why);
	memset(d, 0, sizeof(*d));
	ATF_REQUIRE_MSG(quic_dial(node, service, qt, sp[1], on_dial, NULL,
	    d, &err) == 0, "%s", err);
	return sp[0];
}

ATF_TC_WITHOUT_HEAD(stream_both_ways);
ATF_TC_BODY(stream_both_ways, tc)
{
	struct quic_listener	*l;
	struct end		 dialer;
	struct dial		 d;
	size_t			 up = 1024 * 1024 + 17, down = 300 * 1000;
	int			 fd;

	setup();
	l = listen_on("echo", down);
	fd = dial("localhost", "echo", &d);
	wait_for(&d.done, "handshake");
	ATF_REQUIRE_STREQ(d.err, "");
	end_start(&dialer, fd, up, 3);
	wait_for(&naccepted, "accepted stream");
	wait_for(&dialer.eof, "EOF at the dialer");
	wait_for(&accepted.eof, "EOF at the listener");
	end_check(&accepted, up, 3);
	end_check(&dialer, down, 7);
	wait_closed(&dialer);
	wait_closed(&accepted);
	quic_unlisten(l);
}

ATF_TC_WITHOUT_HEAD(empty_stream);
ATF_TC_BODY(empty_stream, tc)
{
	struct quic_listener	*l;
	struct end		 dialer;
	struct dial		 d;
	int			 fd;

	setup();
	l = listen_on("empty", 0);
	fd = dial(NODE, "empty", &d);
	wait_for(&d.done, "handshake");
	ATF_REQUIRE_STREQ(d.err, "");
	end_start(&dialer, fd, 0, 1);
	wait_for(&naccepted, "accepted stream");
	wait_for(&dialer.eof, "EOF at the dialer");
	wait_for(&accepted.eof, "EOF at the listener");
	end_check(&accepted, 0, 1);
	wait_closed(&dialer);
	wait_closed(&accepted);
	quic_unlisten(l);
}

ATF_TC_WITHOUT_HEAD(unknown_service);
ATF_TC_BODY(unknown_service, tc)
{
	struct dial	 d;
	int		 fd;

	setup();
	fd = dial(NODE, "nosuch", &d);
	wait_for(&d.done, "dial result");
	ATF_CHECK_STREQ(d.err, "context canceled");
	close(fd);
}

ATF_TC_WITHOUT_HEAD(no_route);
ATF_TC_BODY(no_route, tc)
{
	struct dial	 d;
	int		 fd;

	setup();
	fd = dial("elsewhere", "control", &d);
	wait_for(&d.done, "dial result");
	ATF_CHECK_STREQ(d.err, "INTERNAL_ERROR (local): no route to node");
	close(fd);
}

ATF_TC_WITHOUT_HEAD(listener_closed);
ATF_TC_BODY(listener_closed, tc)
{
	struct quic_listener	*l;
	struct end		 dialer;
	struct dial		 d;
	int			 fd;

	setup();
	l = listen_on("gone", 0);
	fd = dial(NODE, "gone", &d);
	wait_for(&d.done, "handshake");
	ATF_REQUIRE_STREQ(d.err, "");
	dialer.fd = -1;
	end_start(&dialer, fd, 10, 1);
	wait_for(&naccepted, "accepted stream");
	/* Go's listener closes its connections with error 500. */
	quic_unlisten(l);
	wait_for(&dialer.eof, "EOF at the dialer");
	wait_closed(&dialer);
	close(accepted.fd);
}

ATF_TP_ADD_TCS(tp)
{
	ATF_TP_ADD_TC(tp, stream_both_ways);
	ATF_TP_ADD_TC(tp, empty_stream);
	ATF_TP_ADD_TC(tp, unknown_service);
	ATF_TP_ADD_TC(tp, no_route);
	ATF_TP_ADD_TC(tp, listener_closed);
	return atf_no_error();
}
