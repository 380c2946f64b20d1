/*
 * Listeners and client sessions. A session reads one request line at a
 * time and never past its newline (Go reads byte by byte so that a
 * command's payload can follow it), runs one command at a time, and keeps
 * its replies in a buffer so a slow client holds up nobody else.
 */
#include <sys/socket.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ctld.h"
#include "log.h"
#include "proc.h"

/* Bytes taken from a socket per recv(2), and recv(2)s per wakeup. */
#define CLIENT_READ_CHUNK	(16 * 1024)
#define CLIENT_READ_ROUNDS	64
/* How long accept(2) rests after running out of descriptors. */
#define LISTENER_PAUSE		1

/* Listeners live as long as ctld. */
struct ctl_listener {
	int			 fd;
	struct event		*ev;
	struct event		*ev_pause;
};

static uint32_t			 client_ids;

static void	listener_accept(evutil_socket_t, short, void *);
static void	listener_resume(evutil_socket_t, short, void *);
static void	client_new(int);
static void	client_read(evutil_socket_t, short, void *);
static void	client_flush(evutil_socket_t, short, void *);
static void	client_idle(evutil_socket_t, short, void *);
static void	client_line(struct ctl_client *, enum ctl_line_status);
static int	client_ready(struct ctl_client *);
static void	client_update(struct ctl_client *);
static void	client_touch(struct ctl_client *);
static void	client_close(struct ctl_client *);

/*
 * A listening socket from the parent, for the control-service item it
 * names. TLS on the TCP listener (tcptls) is not implemented: rather than
 * serve in the clear what was meant to be encrypted, that listener is
 * closed and the daemon runs without it.
 */
void
control_listener(struct imsg *imsg)
{
	struct ctl_listener	*l;
	struct cfg_item		*item;
	struct msgread		 mr;
	const char		*tcptls;
	uint32_t		 service, tcp, i;

	msg_read_init(&mr, imsg);
	service = msg_get_u32(&mr);
	tcp = msg_get_u32(&mr);
	if (msg_read_end(&mr) == -1 || imsg->fd == -1)
		fatalx("bad control listener from parent");
	item = config_first(child_config(), "control-service");
	for (i = 0; item != NULL && i < service; i++)
		item = config_next(item, "control-service");
	if (item == NULL)
		fatalx("control listener for unknown control-service %u",
		    service);
	tcptls = cfg_str(item, "tcptls");
	if (tcp && tcptls != NULL && *tcptls != '\0') {
		log_error("control-service %s: tcptls (%s) is not supported, "
		    "not listening on %s", cfg_str(item, "service"), tcptls,
		    cfg_str(item, "tcplisten"));
		return;
	}
	if ((l = calloc(1, sizeof(*l))) == NULL)
		fatal("control listener");
	l->fd = imsg->fd;
	imsg->fd = -1;
	if (fcntl(l->fd, F_SETFL, fcntl(l->fd, F_GETFL) | O_NONBLOCK) == -1)
		fatal("control listener");
	l->ev = event_new(child_base(), l->fd, EV_READ | EV_PERSIST,
	    listener_accept, l);
	l->ev_pause = evtimer_new(child_base(), listener_resume, l);
	if (l->ev == NULL || l->ev_pause == NULL ||
	    event_add(l->ev, NULL) == -1)
		fatalx("cannot watch a control listener");
	log_debug("control-service %s: listening on %s",
	    cfg_str(item, "service"), tcp ? cfg_str(item, "tcplisten") :
	    cfg_str(item, "filename"));
}

static void
listener_accept(evutil_socket_t fd, short events, void *arg)
{
	struct ctl_listener	*l = arg;
	struct timeval		 tv = { LISTENER_PAUSE, 0 };
	int			 s;

	if ((s = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC)) ==
	    -1) {
		switch (errno) {
		case EMFILE:
		case ENFILE:
		case ENOBUFS:
		case ENOMEM:
			/* The backlog keeps them until we can. */
			log_warn("control service accept");
			event_del(l->ev);
			evtimer_add(l->ev_pause, &tv);
			break;
		case EAGAIN:
		case EINTR:
		case ECONNABORTED:
			break;
		default:
			log_warn("control service accept");
		}
		return;
	}
	client_new(s);
}

static void
listener_resume(evutil_socket_t fd, short events, void *arg)
{
	struct ctl_listener	*l = arg;

	if (event_add(l->ev, NULL) == -1)
		fatalx("cannot watch a control listener");
}

static void
client_new(int fd)
{
	struct ctl_client	*c;
	static const char	 greeting[] = "Receptor Control, node ";

	if ((c = calloc(1, sizeof(*c))) == NULL)
		fatal("control client");
	c->id = ++client_ids;
	c->fd = fd;
	c->ev_read = event_new(child_base(), fd, EV_READ | EV_PERSIST,
	    client_read, c);
	c->ev_write = event_new(child_base(), fd, EV_WRITE | EV_PERSIST,
	    client_flush, c);
	c->ev_idle = evtimer_new(child_base(), client_idle, c);
	if (c->ev_read == NULL || c->ev_write == NULL || c->ev_idle == NULL ||
	    (c->out = evbuffer_new()) == NULL ||
	    (c->line = malloc(sizeof(*c->line))) == NULL)
		fatalx("control client %u: out of memory", c->id);
	ctl_line_init(c->line);
	log_debug("control client %u connected", c->id);
	client_write(c, greeting, sizeof(greeting) - 1);
	client_write(c, ctld_node_id(), strlen(ctld_node_id()));
	client_write(c, "\n", 1);
	client_touch(c);
	client_update(c);
}

/* Not while a command runs or replies pile up: lines wait in the socket. */
static int
client_ready(struct ctl_client *c)
{
	return !c->eof && c->req == NULL &&
	    evbuffer_get_length(c->out) < CTL_OUT_HIGH;
}

static void
client_read(evutil_socket_t fd, short events, void *arg)
{
	struct ctl_client	*c = arg;
	char			 buf[CLIENT_READ_CHUNK];
	enum ctl_line_status	 status;
	ssize_t			 n;
	size_t			 used;
	int			 round;

	for (round = 0; round < CLIENT_READ_ROUNDS && client_ready(c);
	    round++) {
		if ((n = recv(fd, buf, sizeof(buf), MSG_PEEK)) == -1) {
			if (errno == EAGAIN || errno == EINTR)
				break;
			log_debug("control client %u: read: %s", c->id,
			    strerror(errno));
			client_close(c);
			return;
		}
		if (n == 0) {
			/* Go still runs a last line that EOF cut short. */
			c->eof = 1;
			if (!c->line->complete &&
			    (c->line->len > 0 || c->line->toolong))
				client_line(c, c->line->toolong ?
				    CTL_LINE_TOOLONG : CTL_LINE_DONE);
			break;
		}
		client_touch(c);
		status = ctl_line_feed(c->line, buf, n, &used);
		/* Only what the line took: a payload may follow it. */
		if (recv(fd, buf, used, 0) != (ssize_t)used) {
			log_debug("control client %u: short read", c->id);
			client_close(c);
			return;
		}
		client_line(c, status);
	}
	client_update(c);
}

static void
client_line(struct ctl_client *c, enum ctl_line_status status)
{
	switch (status) {
	case CTL_LINE_MORE:
		break;
	case CTL_LINE_TOOLONG:
		log_warnx("control client %u: request line longer than %d "
		    "bytes discarded", c->id, CTL_LINE_MAX);
		client_error(c, CTL_ERR_TOOLONG);
		break;
	case CTL_LINE_DONE:
		commands_run(c, c->line->buf, c->line->len);
		break;
	}
}

void
client_write(struct ctl_client *c, const char *p, size_t len)
{
	if (evbuffer_add(c->out, p, len) == -1)
		fatalx("control client %u: out of memory", c->id);
}

void
client_error(struct ctl_client *c, const char *msg)
{
	client_write(c, "ERROR: ", 7);
	client_write(c, msg, strlen(msg));
	client_write(c, "\n", 1);
}

/*
 * The command in flight has replied; c->req is already cleared. The
 * session goes on from the event loop, as this may be called from within
 * client_read().
 */
void
client_done(struct ctl_client *c)
{
	client_touch(c);
	event_active(c->ev_write, EV_WRITE, 1);
}

static void
client_flush(evutil_socket_t fd, short events, void *arg)
{
	struct ctl_client	*c = arg;

	if (evbuffer_write(c->out, fd) == -1 && errno != EAGAIN &&
	    errno != EINTR) {
		log_debug("control client %u: write: %s", c->id,
		    strerror(errno));
		client_close(c);
		return;
	}
	client_touch(c);
	client_update(c);
}

/* Watch what the session can use now; close it once all is said. */
static void
client_update(struct ctl_client *c)
{
	int	 pending = evbuffer_get_length(c->out) > 0;

	if (c->eof && c->req == NULL && !pending) {
		client_close(c);
		return;
	}
	if (client_ready(c))
		event_add(c->ev_read, NULL);
	else
		event_del(c->ev_read);
	if (pending)
		event_add(c->ev_write, NULL);
	else
		event_del(c->ev_write);
}

static void
client_touch(struct ctl_client *c)
{
	struct timeval	 tv = { CTL_IDLE_TIMEOUT, 0 };

	evtimer_add(c->ev_idle, &tv);
}

/* Neither sending nor reading: a command in flight is not idleness. */
static void
client_idle(evutil_socket_t fd, short events, void *arg)
{
	struct ctl_client	*c = arg;

	if (c->req != NULL) {
		client_touch(c);
		return;
	}
	log_debug("control client %u: idle for %ds, closing", c->id,
	    CTL_IDLE_TIMEOUT);
	client_close(c);
}

static void
client_close(struct ctl_client *c)
{
	log_debug("control client %u disconnected", c->id);
	if (c->req != NULL)
		commands_detach(c);
	event_free(c->ev_read);
	event_free(c->ev_write);
	event_free(c->ev_idle);
	evbuffer_free(c->out);
	close(c->fd);
	free(c->line);
	free(c);
}
