/*
 * Listeners and client sessions. A session reads one request line at a
 * time and never past its newline (Go reads byte by byte so that a
 * command's payload can follow it), runs one command at a time, and keeps
 * its replies in a buffer so a slow client holds up nobody else.
 *
 * A TCP listener whose control-service names a tls-server (tcptls) runs
 * the same session inside TLS: the handshake has CTL_TLS_HANDSHAKE_TIMEOUT
 * seconds, then libtls reads and writes, driven by hand on the socket's
 * events as netd's TLS backends are. What tls_read() brings beyond a line
 * waits in the session's input buffer, as it would in the socket.
 *
 * Clients that come over the mesh are streams netd hands over, served
 * the same way. A connect turns the session into a relay (bridge.c): its
 * client's bytes then go to the stream, bytes left unread after the
 * connect line first.
 */
#include <sys/socket.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <tls.h>
#include <unistd.h>

#include "ctld.h"
#include "log.h"
#include "proc.h"
#include "tlsconf.h"

/* Bytes per read (a whole TLS record at least), and reads per wakeup. */
#define CLIENT_READ_CHUNK	(16 * 1024)
#define CLIENT_READ_ROUNDS	64
/* How long accept(2) rests after running out of descriptors. */
#define LISTENER_PAUSE		1
/* client_peek(): nothing to take now. */
#define CLIENT_AGAIN		(-2)

/* Listeners live as long as ctld. */
struct ctl_listener {
	int			 fd;
	struct event		*ev;
	struct event		*ev_pause;
	struct tlsconf		*tls;		/* NULL for a plain listener */
	enum ctl_origin		 origin;
};

static uint32_t			 client_ids;

static void	listener_accept(evutil_socket_t, short, void *);
static void	listener_resume(evutil_socket_t, short, void *);
static void	client_new(int, struct tlsconf *, enum ctl_origin, char *);
static void	client_read(evutil_socket_t, short, void *);
static void	client_flush(evutil_socket_t, short, void *);
static void	client_tls_io(evutil_socket_t, short, void *);
static int	client_handshake(struct ctl_client *);
static int	client_input(struct ctl_client *);
static int	client_output(struct ctl_client *);
static void	record_mark(struct ctl_client *);
static int	client_shut(struct ctl_client *);
static int	client_must_shut(struct ctl_client *);
static ssize_t	client_recv(struct ctl_client *, char *, size_t, int);
static int	client_take(struct ctl_client *, char *, size_t);
static void	client_idle(evutil_socket_t, short, void *);
static void	client_line(struct ctl_client *, enum ctl_line_status);
static int	client_ready(struct ctl_client *);
static int	client_over(struct ctl_client *);
static void	client_touch(struct ctl_client *);

/*
 * A listening socket from the parent, for the control-service item it
 * names. A TCP listener whose TLS settings don't load is closed rather
 * than serve in the clear what was meant to be encrypted.
 */
void
control_listener(struct imsg *imsg)
{
	struct ctl_listener	*l;
	struct cfg_item		*item;
	struct msgread		 mr;
	struct tlsconf		*tc = NULL;
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
	if (tcp && tcptls != NULL && *tcptls != '\0' &&
	    (tc = tlsconf_new("control-service", tcptls, 1,
	    ctld_node_id())) == NULL) {
		log_error("control-service %s: not listening on %s",
		    cfg_str(item, "service"), cfg_str(item, "tcplisten"));
		return;
	}
	if ((l = calloc(1, sizeof(*l))) == NULL)
		fatal("control listener");
	l->tls = tc;
	l->origin = tcp ? CTL_ORIGIN_TCP : CTL_ORIGIN_UNIX;
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
	log_debug("control-service %s: listening on %s%s",
	    cfg_str(item, "service"), tcp ? cfg_str(item, "tcplisten") :
	    cfg_str(item, "filename"), tc != NULL ? " (TLS)" : "");
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
	client_new(s, l->tls, l->origin, NULL);
}

static void
listener_resume(evutil_socket_t fd, short events, void *arg)
{
	struct ctl_listener	*l = arg;

	if (event_add(l->ev, NULL) == -1)
		fatalx("cannot watch a control listener");
}

/*
 * A stream a node opened to one of our control services over the mesh:
 * str remote node, str local service.
 */
void
control_mesh_client(struct imsg *imsg)
{
	struct msgread	 mr;
	char		*node, *service;
	int		 fd;

	msg_read_init(&mr, imsg);
	node = msg_get_str(&mr);
	service = msg_get_str(&mr);
	if (msg_read_end(&mr) == -1 || node == NULL || service == NULL ||
	    imsg->fd == -1)
		fatalx("bad mesh control client from netd");
	fd = imsg->fd;
	imsg->fd = -1;
	if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) == -1)
		fatal("mesh control client");
	free(service);
	client_new(fd, NULL, CTL_ORIGIN_MESH, node);
}

/*
 * The greeting waits in the output buffer for a TLS handshake to end.
 * remote is the node of a mesh client, kept by the session.
 */
static void
client_new(int fd, struct tlsconf *tc, enum ctl_origin origin, char *remote)
{
	struct ctl_client	*c;
	struct timeval		 tv = { CTL_TLS_HANDSHAKE_TIMEOUT, 0 };
	static const char	 greeting[] = "Receptor Control, node ";

	if ((c = calloc(1, sizeof(*c))) == NULL)
		fatal("control client");
	c->id = ++client_ids;
	c->fd = fd;
	c->origin = origin;
	c->remote = remote;
	c->ev_read = event_new(child_base(), fd, EV_READ | EV_PERSIST,
	    tc != NULL ? client_tls_io : client_read, c);
	c->ev_write = event_new(child_base(), fd, EV_WRITE | EV_PERSIST,
	    tc != NULL ? client_tls_io : client_flush, c);
	c->ev_idle = evtimer_new(child_base(), client_idle, c);
	if (c->ev_read == NULL || c->ev_write == NULL || c->ev_idle == NULL ||
	    (c->out = evbuffer_new()) == NULL ||
	    (c->in = evbuffer_new()) == NULL ||
	    (c->line = malloc(sizeof(*c->line))) == NULL)
		fatalx("control client %u: out of memory", c->id);
	ctl_line_init(c->line);
	if (remote != NULL)
		log_debug("control client %u connected from node %s", c->id,
		    remote);
	else
		log_debug("control client %u connected", c->id);
	client_write(c, greeting, sizeof(greeting) - 1);
	client_write(c, ctld_node_id(), strlen(ctld_node_id()));
	client_write(c, "\n", 1);
	if (tc != NULL) {
		if (tls_accept_socket(tlsconf_server(tc), &c->tls, fd) == -1) {
			log_warnx("control client %u: %s", c->id,
			    tls_error(tlsconf_server(tc)));
			client_close(c);
			return;
		}
		c->tlsconf = tc;
		c->handshake = 1;
		c->tls_want = EV_READ;
		evtimer_add(c->ev_idle, &tv);
	} else
		client_touch(c);
	client_update(c);
}

/*
 * Not while a command runs or replies pile up: lines wait in the socket.
 * A relay reads while the stream takes what it is given.
 */
static int
client_ready(struct ctl_client *c)
{
	if (c->eof)
		return 0;
	if (c->bridge != NULL)
		return c->bridge->way != BRIDGE_OUT &&
		    evbuffer_get_length(c->bridge->out) < CTL_OUT_HIGH;
	return c->req == NULL && evbuffer_get_length(c->out) < CTL_OUT_HIGH;
}

static void
client_read(evutil_socket_t fd, short events, void *arg)
{
	struct ctl_client	*c = arg;

	if (client_input(c) == 0)
		client_update(c);
}

/* Take what lines, or relayed bytes, there are; -1 if the session closed. */
static int
client_input(struct ctl_client *c)
{
	char			 buf[CLIENT_READ_CHUNK];
	enum ctl_line_status	 status;
	ssize_t			 n;
	size_t			 used;
	int			 round;

	for (round = 0; round < CLIENT_READ_ROUNDS && client_ready(c);
	    round++) {
		if ((n = client_recv(c, buf, sizeof(buf), c->bridge == NULL)) ==
		    CLIENT_AGAIN)
			break;
		if (n == -1) {
			client_close(c);
			return -1;
		}
		if (n == 0) {
			/* Go still runs a last line that EOF cut short. */
			c->eof = 1;
			if (c->bridge == NULL && !c->line->complete &&
			    (c->line->len > 0 || c->line->toolong))
				client_line(c, c->line->toolong ?
				    CTL_LINE_TOOLONG : CTL_LINE_DONE);
			break;
		}
		client_touch(c);
		if (c->bridge != NULL) {
			bridge_send(c->bridge, buf, n);
			continue;
		}
		status = ctl_line_feed(c->line, buf, n, &used);
		/* Only what the line took: a payload may follow it. */
		if (client_take(c, buf, used) == -1) {
			client_close(c);
			return -1;
		}
		client_line(c, status);
	}
	return 0;
}

/*
 * Bytes from the client, left where they are if peek, as a line may not
 * take them all: the count, 0 at EOF, CLIENT_AGAIN if none yet, -1 on
 * error.
 */
static ssize_t
client_recv(struct ctl_client *c, char *buf, size_t len, int peek)
{
	ssize_t	 n;

	if (c->tls == NULL) {
		if ((n = recv(c->fd, buf, len, peek ? MSG_PEEK : 0)) == -1) {
			if (errno == EAGAIN || errno == EINTR)
				return CLIENT_AGAIN;
			log_debug("control client %u: read: %s", c->id,
			    strerror(errno));
		}
		return n;
	}
	if (evbuffer_get_length(c->in) == 0) {
		/*
		 * receptorctl ends a payload with a TCP shutdown and no
		 * close_notify, which OpenSSL takes for a fatal error that
		 * also ends our replies; Go takes it for EOF, and so do we.
		 * A 16 KiB read takes a whole record, so nothing waits in
		 * OpenSSL when the socket itself is at EOF.
		 */
		if (recv(c->fd, buf, 1, MSG_PEEK | MSG_DONTWAIT) == 0)
			return 0;
		n = tls_read(c->tls, buf, len);
		if (n == TLS_WANT_POLLIN || n == TLS_WANT_POLLOUT) {
			c->tls_want = n == TLS_WANT_POLLIN ? EV_READ :
			    EV_WRITE;
			return CLIENT_AGAIN;
		}
		if (n == -1)
			log_debug("control client %u: read: %s", c->id,
			    tls_error(c->tls));
		if (n <= 0)
			return n;
		if (evbuffer_add(c->in, buf, n) == -1)
			fatalx("control client %u: out of memory", c->id);
	}
	return peek ? evbuffer_copyout(c->in, buf, len) :
	    evbuffer_remove(c->in, buf, len);
}

/* The first used bytes client_recv() peeked at are taken. */
static int
client_take(struct ctl_client *c, char *buf, size_t used)
{
	if (c->tls != NULL)
		return evbuffer_drain(c->in, used);
	if (recv(c->fd, buf, used, 0) != (ssize_t)used) {
		log_debug("control client %u: short read", c->id);
		return -1;
	}
	return 0;
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

/* Where the line a stream opens with ends, once it is all here. */
static void
record_mark(struct ctl_client *c)
{
	struct evbuffer_ptr	 eol;
	size_t			 eol_len;

	if (!c->line_record)
		return;
	eol = evbuffer_search_eol(c->out, NULL, &eol_len, EVBUFFER_EOL_LF);
	if (eol.pos == -1)
		return;
	c->record_end = eol.pos + eol_len;
	c->line_record = 0;
}

static void
client_flush(evutil_socket_t fd, short events, void *arg)
{
	struct ctl_client	*c = arg;

	if (client_output(c) == 0)
		client_update(c);
}

/* Send what the socket takes; -1 if the session closed. */
static int
client_output(struct ctl_client *c)
{
	ssize_t	 rv;

	if (c->tls != NULL) {
		record_mark(c);
		if ((rv = tlsio_flush(c->tls, c->out, &c->record_end)) ==
		    TLS_WANT_POLLIN ||
		    rv == TLS_WANT_POLLOUT)
			c->tls_want = rv == TLS_WANT_POLLIN ? EV_READ :
			    EV_WRITE;
		else if (rv == -1) {
			log_debug("control client %u: write: %s", c->id,
			    tls_error(c->tls));
			client_close(c);
			return -1;
		}
	} else if (evbuffer_write(c->out, c->fd) == -1 && errno != EAGAIN &&
	    errno != EINTR) {
		log_debug("control client %u: write: %s", c->id,
		    strerror(errno));
		client_close(c);
		return -1;
	}
	if (client_must_shut(c) && client_shut(c) == -1) {
		client_close(c);
		return -1;
	}
	client_touch(c);
	return 0;
}

/* A connect's stream has ended and all it sent has gone to the client. */
static int
client_must_shut(struct ctl_client *c)
{
	return c->bridge != NULL && c->bridge->way == BRIDGE_BOTH &&
	    c->bridge->eof && !c->shut && evbuffer_get_length(c->out) == 0;
}

/*
 * So the client's side ends too: a TLS client gets a close_notify and
 * may still send, as a plain one may after a shutdown().
 */
static int
client_shut(struct ctl_client *c)
{
	int	 rv;

	if (c->tls == NULL) {
		if (shutdown(c->fd, SHUT_WR) == -1) {
			log_debug("control client %u: shutdown: %s", c->id,
			    strerror(errno));
			return -1;
		}
	} else if ((rv = tls_close(c->tls)) == TLS_WANT_POLLIN ||
	    rv == TLS_WANT_POLLOUT) {
		c->tls_want = rv == TLS_WANT_POLLIN ? EV_READ : EV_WRITE;
		return 0;
	} else if (rv == -1) {
		log_debug("control client %u: close: %s", c->id,
		    tls_error(c->tls));
		return -1;
	}
	c->shut = 1;
	return 0;
}

/*
 * Any event of a TLS session: the handshake first, then both ways, as a
 * write may wait for a read and back, and a finished command's client_done()
 * must also take lines already in the input buffer.
 */
static void
client_tls_io(evutil_socket_t fd, short events, void *arg)
{
	struct ctl_client	*c = arg;

	c->tls_want = 0;
	if (c->handshake && client_handshake(c) != 1)
		return;
	if (client_output(c) == 0 && client_input(c) == 0)
		client_update(c);
}

/* 1 once the session is open, 0 while the handshake goes on, -1 if gone. */
static int
client_handshake(struct ctl_client *c)
{
	const char	*why;
	char		 err[256];
	int		 rv;

	if (!c->hello_seen) {
		if ((rv = tlsio_hello(c->fd, &why)) == 0) {
			c->tls_want = EV_READ;
			client_update(c);
			return 0;
		}
		if (rv == -1) {
			log_warnx("control client %u: TLS handshake error: %s",
			    c->id, why);
			client_close(c);
			return -1;
		}
		c->hello_seen = 1;
	}
	switch (tls_handshake(c->tls)) {
	case TLS_WANT_POLLIN:
		c->tls_want = EV_READ;
		client_update(c);
		return 0;
	case TLS_WANT_POLLOUT:
		c->tls_want = EV_WRITE;
		client_update(c);
		return 0;
	case -1:
		log_warnx("control client %u: TLS handshake error: %s", c->id,
		    tls_error(c->tls));
		client_close(c);
		return -1;
	}
	/* Go checks a client's certificate chain and pins, no node ID. */
	if (tlsconf_check_peer(c->tlsconf, c->tls, NULL, err, sizeof(err)) ==
	    -1) {
		log_warnx("control client %u: TLS handshake error: %s", c->id,
		    err);
		client_close(c);
		return -1;
	}
	c->handshake = 0;
	log_debug("control client %u: %s, %s", c->id,
	    tls_conn_version(c->tls), tls_conn_cipher(c->tls));
	return 1;
}

/*
 * All is said; a connect is over once both ways are, work results once
 * all of them are sent, a payload when workd answers (work.c).
 */
static int
client_over(struct ctl_client *c)
{
	if (c->bridge != NULL && c->bridge->way == BRIDGE_OUT)
		return c->bridge->eof && evbuffer_get_length(c->out) == 0;
	if (c->bridge != NULL)
		return c->bridge->way == BRIDGE_BOTH && c->eof &&
		    c->bridge->shut && c->shut;
	return c->eof && c->req == NULL && evbuffer_get_length(c->out) == 0;
}

/* Watch what the session can use now; close it once all is said. */
void
client_update(struct ctl_client *c)
{
	int	 pending = evbuffer_get_length(c->out) > 0;
	int	 rd, wr;

	if (c->bridge != NULL)
		bridge_update(c);
	if (client_over(c)) {
		client_close(c);
		return;
	}
	if (c->handshake) {
		rd = c->tls_want == EV_READ;
		wr = c->tls_want == EV_WRITE;
	} else {
		rd = client_ready(c) || c->tls_want == EV_READ;
		wr = pending || c->tls_want == EV_WRITE ||
		    client_must_shut(c);
		/* Lines TLS already gave wake no socket event. */
		if (client_ready(c) && evbuffer_get_length(c->in) > 0)
			event_active(c->ev_read, EV_READ, 1);
	}
	ctl_watch(c->ev_read, rd);
	ctl_watch(c->ev_write, wr);
}

void
ctl_watch(struct event *ev, int on)
{
	if (on)
		event_add(ev, NULL);
	else
		event_del(ev);
}

static void
client_touch(struct ctl_client *c)
{
	struct timeval	 tv = { CTL_IDLE_TIMEOUT, 0 };

	evtimer_add(c->ev_idle, &tv);
}

/*
 * Neither sending nor reading: a command in flight is not idleness, nor
 * is a quiet relay (a shell may wait for its user).
 */
static void
client_idle(evutil_socket_t fd, short events, void *arg)
{
	struct ctl_client	*c = arg;

	if (c->handshake) {
		log_warnx("control client %u: TLS handshake error: timed out "
		    "after %ds", c->id, CTL_TLS_HANDSHAKE_TIMEOUT);
		client_close(c);
		return;
	}
	if (c->req != NULL || c->bridge != NULL) {
		client_touch(c);
		return;
	}
	log_debug("control client %u: idle for %ds, closing", c->id,
	    CTL_IDLE_TIMEOUT);
	client_close(c);
}

void
client_close(struct ctl_client *c)
{
	log_debug("control client %u disconnected", c->id);
	if (c->req != NULL)
		commands_detach(c);
	if (c->bridge != NULL)
		bridge_free(c->bridge);
	event_free(c->ev_read);
	event_free(c->ev_write);
	event_free(c->ev_idle);
	evbuffer_free(c->out);
	evbuffer_free(c->in);
	if (c->tls != NULL && !c->handshake)
		(void)tls_close(c->tls);
	tls_free(c->tls);
	close(c->fd);
	free(c->line);
	free(c->remote);
	free(c);
}
