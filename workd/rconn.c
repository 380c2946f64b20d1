/*
 * One session with a far node's control service, for a remote unit: netd
 * dials the stream (workd makes no sockets) and hands over our end; the
 * greeting must name the node, as Go checks. Then lines go out, reply
 * lines come back one at a time, a payload file is sent and the stream
 * half-closed, or all the rest of the stream is appended to a file.
 * Nothing the far node sends is trusted: lines are bounded, replies
 * timed.
 */
#include <sys/socket.h>
#include <sys/stat.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>

#include "log.h"
#include "proc.h"
#include "proto.h"
#include "workd.h"
#include "remote.h"

/* Bytes moved per read(2) or write(2) at most. */
#define RCONN_IO_MAX	(1024 * 1024)

enum rconn_state {
	RC_DIALING,
	RC_HELLO,
	RC_IDLE,
	RC_LINE,
	RC_COPY,
};

struct rconn {
	TAILQ_ENTRY(rconn)	 entry;		/* while dialing */
	uint32_t		 dialid;
	enum rconn_state	 state;
	char			*node;
	struct bufferevent	*bev;
	struct event		*ev_timeout;
	int			 eof;		/* the far end is done */
	int			 shut;		/* half-close once sent */
	int			 outfd;		/* RC_COPY */
	rconn_ready_fn		 ready;
	rconn_line_fn		 line;
	rconn_copied_fn		 copied;
	void			*arg;
};
TAILQ_HEAD(rconns, rconn);

static struct rconns	 dialing = TAILQ_HEAD_INITIALIZER(dialing);
static uint32_t		 next_dialid;

static void	rconn_read(struct bufferevent *, void *);
static void	rconn_written(struct bufferevent *, void *);
static void	rconn_event(struct bufferevent *, short, void *);
static void	rconn_timeout(evutil_socket_t, short, void *);
static void	rconn_timer(struct rconn *, int);
static void	rconn_input(struct rconn *);
static void	rconn_fail(struct rconn *, const char *);

/* ready is called once: err NULL and the greeting read, or why not. */
struct rconn *
rconn_open(const char *node, const char *tlsclient, rconn_ready_fn ready,
    void *arg)
{
	struct rconn	*rc;
	struct msgbuild	 mb;

	if ((rc = calloc(1, sizeof(*rc))) == NULL ||
	    (rc->node = strdup(node)) == NULL ||
	    (rc->ev_timeout = evtimer_new(child_base(), rconn_timeout,
	    rc)) == NULL)
		fatal("remote connection");
	rc->state = RC_DIALING;
	rc->outfd = -1;
	rc->ready = ready;
	rc->arg = arg;
	if (++next_dialid == 0)
		next_dialid = 1;
	rc->dialid = next_dialid;
	TAILQ_INSERT_TAIL(&dialing, rc, entry);
	msg_init(&mb);
	msg_add_str(&mb, node);
	msg_add_str(&mb, "control");
	msg_add_str(&mb, tlsclient != NULL ? tlsclient : "");
	if (imsgev_msg(child_channel(ROLE_NETD), &mb, IMSG_WORK_DIAL,
	    rc->dialid, -1) == -1)
		fatal("dial request to netd");
	return rc;
}

/* netd's answer: our end of the stream, or why there is none. */
void
rconn_dialed(struct imsg *imsg)
{
	struct msgread	 mr;
	struct rconn	*rc;
	char		*err;
	int		 fd = imsg->fd;

	imsg->fd = -1;
	msg_read_init(&mr, imsg);
	err = msg_get_str(&mr);
	if (msg_read_end(&mr) == -1 || err == NULL)
		fatalx("malformed dial reply from netd");
	TAILQ_FOREACH(rc, &dialing, entry)
		if (rc->dialid == imsg->hdr.peerid)
			break;
	if (rc == NULL) {
		/* Its unit let it go meanwhile. */
		if (fd != -1)
			close(fd);
		free(err);
		return;
	}
	TAILQ_REMOVE(&dialing, rc, entry);
	rc->dialid = 0;
	if (*err != '\0' || fd == -1) {
		rconn_fail(rc, *err != '\0' ? err : "no stream from netd");
		free(err);
		return;
	}
	free(err);
	if ((rc->bev = bufferevent_socket_new(child_base(), fd,
	    BEV_OPT_CLOSE_ON_FREE)) == NULL)
		fatal("remote connection");
	bufferevent_setcb(rc->bev, rconn_read, rconn_written, rconn_event,
	    rc);
	/* libevent's default of 16 KiB a write would cap a payload's rate. */
	if (bufferevent_set_max_single_write(rc->bev, RCONN_IO_MAX) == -1 ||
	    bufferevent_set_max_single_read(rc->bev, RCONN_IO_MAX) == -1)
		fatalx("remote connection: buffer sizes");
	bufferevent_enable(rc->bev, EV_READ);
	rc->state = RC_HELLO;
	rconn_timer(rc, REMOTE_HELLO_TIMEOUT);
}

void
rconn_close(struct rconn *rc)
{
	if (rc == NULL)
		return;
	if (rc->dialid != 0)
		TAILQ_REMOVE(&dialing, rc, entry);
	if (rc->bev != NULL)
		bufferevent_free(rc->bev);
	event_free(rc->ev_timeout);
	free(rc->node);
	free(rc);
}

void
rconn_send(struct rconn *rc, const char *buf, size_t len)
{
	if (bufferevent_write(rc->bev, buf, len) == -1)
		fatal("remote connection");
}

/* All of fd (taken) goes out, then our half of the stream closes. */
int
rconn_send_file(struct rconn *rc, int fd)
{
	struct stat	 sb;

	if (fstat(fd, &sb) == -1) {
		close(fd);
		return -1;
	}
	if (sb.st_size > 0 && evbuffer_add_file(bufferevent_get_output(
	    rc->bev), fd, 0, sb.st_size) == -1) {
		close(fd);
		return -1;
	}
	if (sb.st_size == 0)
		close(fd);
	rc->shut = 1;
	if (evbuffer_get_length(bufferevent_get_output(rc->bev)) == 0)
		rconn_written(rc->bev, rc);
	return 0;
}

/* The next line, without its newline, within timeout seconds. */
void
rconn_read_line(struct rconn *rc, int timeout, rconn_line_fn fn)
{
	rc->state = RC_LINE;
	rc->line = fn;
	rconn_timer(rc, timeout);
	rconn_input(rc);
}

/* The rest of the stream, appended to fd, however long it takes. */
void
rconn_copy(struct rconn *rc, int fd, rconn_copied_fn fn)
{
	rc->state = RC_COPY;
	rc->outfd = fd;
	rc->copied = fn;
	evtimer_del(rc->ev_timeout);
	rconn_input(rc);
}

static void
rconn_timer(struct rconn *rc, int seconds)
{
	struct timeval	 tv = { seconds, 0 };

	if (evtimer_add(rc->ev_timeout, &tv) == -1)
		fatal("remote connection");
}

static void
rconn_timeout(evutil_socket_t fd, short events, void *arg)
{
	struct rconn	*rc = arg;
	char		 why[128];

	(void)snprintf(why, sizeof(why), "no reply from %s in time",
	    rc->node);
	rconn_fail(rc, why);
}

static void
rconn_read(struct bufferevent *bev, void *arg)
{
	rconn_input(arg);
}

static void
rconn_event(struct bufferevent *bev, short what, void *arg)
{
	struct rconn	*rc = arg;
	char		 why[256];

	if (what & BEV_EVENT_EOF) {
		rc->eof = 1;
		bufferevent_disable(bev, EV_READ);
		rconn_input(rc);
		return;
	}
	(void)snprintf(why, sizeof(why), "connection to %s: %s", rc->node,
	    strerror(EVUTIL_SOCKET_ERROR()));
	rconn_fail(rc, why);
}

/* Once a payload is sent, the far node sees its EOF. */
static void
rconn_written(struct bufferevent *bev, void *arg)
{
	struct rconn	*rc = arg;

	if (rc->shut) {
		rc->shut = 0;
		(void)shutdown(bufferevent_getfd(bev), SHUT_WR);
	}
}

/* What has come in, for whoever waits on it. */
static void
rconn_input(struct rconn *rc)
{
	struct evbuffer	*in;
	char		*line, why[256];
	size_t		 len;
	rconn_ready_fn	 ready;
	rconn_line_fn	 fn;
	rconn_copied_fn	 copied;

	if (rc->bev == NULL)
		return;
	in = bufferevent_get_input(rc->bev);
	switch (rc->state) {
	case RC_HELLO:
	case RC_LINE:
		if ((line = evbuffer_readln(in, &len, EVBUFFER_EOL_LF)) ==
		    NULL) {
			if (evbuffer_get_length(in) > REMOTE_LINE_MAX)
				rconn_fail(rc, "reply line too long");
			else if (rc->eof)
				rconn_fail(rc, "EOF");
			return;
		}
		evtimer_del(rc->ev_timeout);
		if (rc->state == RC_HELLO) {
			rc->state = RC_IDLE;
			ready = rc->ready;
			if (strstr(line, rc->node) == NULL) {
				(void)snprintf(why, sizeof(why), "while "
				    "expecting node ID %s, got message: %s",
				    rc->node, line);
				ready(rc, why, rc->arg);
			} else
				ready(rc, NULL, rc->arg);
		} else {
			rc->state = RC_IDLE;
			fn = rc->line;
			fn(rc, line, NULL, rc->arg);
		}
		free(line);
		break;
	case RC_COPY:
		while (evbuffer_get_length(in) > 0)
			if (evbuffer_write(in, rc->outfd) == -1) {
				(void)snprintf(why, sizeof(why), "write "
				    "stdout: %s", go_strerror(errno));
				rconn_fail(rc, why);
				return;
			}
		if (rc->eof) {
			rc->state = RC_IDLE;
			copied = rc->copied;
			copied(rc, NULL, rc->arg);
		}
		break;
	default:
		break;
	}
}

/*
 * The session is over; whoever waits hears why, a reply awaited in Go's
 * words ("read error reading from <node>: ...").
 */
static void
rconn_fail(struct rconn *rc, const char *why)
{
	enum rconn_state	 state = rc->state;
	char			 said[512];

	rc->state = RC_IDLE;
	evtimer_del(rc->ev_timeout);
	if (rc->bev != NULL)
		bufferevent_disable(rc->bev, EV_READ | EV_WRITE);
	switch (state) {
	case RC_DIALING:
	case RC_HELLO:
		rc->ready(rc, why, rc->arg);
		break;
	case RC_LINE:
		(void)snprintf(said, sizeof(said), "read error reading from "
		    "%s: %s", rc->node, why);
		rc->line(rc, NULL, said, rc->arg);
		break;
	case RC_COPY:
		rc->copied(rc, why, rc->arg);
		break;
	default:
		log_debug("remote connection to %s: %s", rc->node, why);
	}
}
