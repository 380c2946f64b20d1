/*
 * connect: once netd has the stream up, the session stops reading lines
 * and relays bytes between its client and ctld's end of the socketpair
 * netd splices to the stream. Each direction ends on its own: the
 * client's EOF shuts the stream's write side once all it sent is through,
 * the stream's EOF the client's (control.c), and the session closes when
 * both have, or at the first error. Go closes the session as soon as
 * either direction ends, cutting off what the other still had to say.
 *
 * Neither side is read while the other's output is above CTL_OUT_HIGH.
 */
#include <sys/socket.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ctld.h"
#include "log.h"
#include "proc.h"

/* Bytes taken from the stream per wakeup. */
#define BRIDGE_READ_CHUNK	(64 * 1024)

static void	bridge_read(evutil_socket_t, short, void *);
static void	bridge_write(evutil_socket_t, short, void *);

/* fd is non-blocking; the session owns it from now on. */
void
bridge_start(struct ctl_client *c, int fd, enum bridge_way way)
{
	struct ctl_bridge	*b;

	if ((b = calloc(1, sizeof(*b))) == NULL)
		fatal("control client %u", c->id);
	b->way = way;
	b->fd = fd;
	b->ev_read = event_new(child_base(), fd, EV_READ | EV_PERSIST,
	    bridge_read, c);
	b->ev_write = event_new(child_base(), fd, EV_WRITE | EV_PERSIST,
	    bridge_write, c);
	if (b->ev_read == NULL || b->ev_write == NULL ||
	    (b->out = evbuffer_new()) == NULL)
		fatalx("control client %u: out of memory", c->id);
	c->bridge = b;
	/*
	 * Go sends the line that opens a stream ("Connecting", "Streaming
	 * results ...") in a TLS record of its own. receptorctl reads it
	 * through a buffered file and then reads the socket itself: what
	 * the same record held after the line would be lost.
	 */
	c->line_record = c->tls != NULL;
}

/* What the client sent, for the stream, unless that is gone. */
void
bridge_send(struct ctl_bridge *b, const char *p, size_t len)
{
	if (b->way == BRIDGE_IN && b->eof)
		return;
	if (evbuffer_add(b->out, p, len) == -1)
		fatalx("connect: out of memory");
}

static void
bridge_read(evutil_socket_t fd, short events, void *arg)
{
	struct ctl_client	*c = arg;

	switch (evbuffer_read(c->out, fd, BRIDGE_READ_CHUNK)) {
	case -1:
		if (errno == EAGAIN || errno == EINTR)
			return;
		log_debug("control client %u: stream read: %s", c->id,
		    strerror(errno));
		client_close(c);
		return;
	case 0:
		c->bridge->eof = 1;
		break;
	}
	client_update(c);
}

static void
bridge_write(evutil_socket_t fd, short events, void *arg)
{
	struct ctl_client	*c = arg;
	struct ctl_bridge	*b = c->bridge;

	if (evbuffer_write(b->out, fd) == -1 && errno != EAGAIN &&
	    errno != EINTR) {
		log_debug("control client %u: stream write: %s", c->id,
		    strerror(errno));
		if (b->way != BRIDGE_IN) {
			client_close(c);
			return;
		}
		/* workd stopped taking a payload; its answer says why. */
		b->eof = 1;
		evbuffer_drain(b->out, evbuffer_get_length(b->out));
	}
	client_update(c);
}

/*
 * Watch the stream for what can move now. A shutdown that fails finds
 * the stream gone already, which is as good.
 */
void
bridge_update(struct ctl_client *c)
{
	struct ctl_bridge	*b = c->bridge;
	int			 pending = evbuffer_get_length(b->out) > 0;

	if (c->eof && !pending && !b->shut && b->way != BRIDGE_OUT) {
		if (shutdown(b->fd, SHUT_WR) == -1)
			log_debug("control client %u: stream shutdown: %s",
			    c->id, strerror(errno));
		b->shut = 1;
	}
	ctl_watch(b->ev_read, b->way != BRIDGE_IN && !b->eof &&
	    evbuffer_get_length(c->out) < CTL_OUT_HIGH);
	ctl_watch(b->ev_write, pending);
}

void
bridge_free(struct ctl_bridge *b)
{
	event_free(b->ev_read);
	event_free(b->ev_write);
	evbuffer_free(b->out);
	close(b->fd);
	free(b);
}
