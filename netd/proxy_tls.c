/*
 * TLS on a proxy's TCP side (tcp-server's tlsserver, tcp-client's
 * tlsclient): libtls on the TCP socket, pumped to one end of a socket
 * pair whose other end the stream is bridged to. Each direction holds at
 * most one TLS record's worth and reads no more until it is written, so
 * a slow side slows the other rather than fill memory; an end of either
 * side passes on as a half-close.
 */
#include <sys/socket.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <tls.h>
#include <unistd.h>

#include "log.h"
#include "netd.h"
#include "proxy.h"
#include "tlsconf.h"

#define PIPE_CHUNK	16384	/* a TLS record */

/* A proxy's TLS configuration, kept while a pipe of it still runs. */
struct proxy_tls {
	struct tlsconf	*conf;
	int		 refs;
};

/* One direction: bytes read from one side, not yet written to the other. */
struct half {
	uint8_t		 buf[PIPE_CHUNK];
	size_t		 off, len;
	int		 eof;		/* its source ended */
	int		 done;		/* and all of it went on */
};

struct tlspipe {
	char			 where[128];
	struct tls		*ctx;
	struct proxy_tls	*pt;
	char			*host;	/* to check, a client's; else NULL */
	int			 fd;	/* TCP */
	int			 inner;	/* ours of the pair */
	int			 connecting;
	int			 handshaken;
	struct half		 in;	/* TLS to the pair */
	struct half		 out;	/* the pair to TLS */
	struct event		*ev_fd_r, *ev_fd_w, *ev_in_r, *ev_in_w;
	struct event		*ev_timeout;
	/* what the last round waits for */
	int			 want_fd_r, want_fd_w, want_in_r, want_in_w;
};

static struct tlspipe *pipe_new(int, struct proxy_tls *, const char *,
		    int *);
static void	pipe_io(evutil_socket_t, short, void *);
static void	pipe_timeout(evutil_socket_t, short, void *);
static int	pipe_handshake(struct tlspipe *);
static int	pipe_round(struct tlspipe *);
static int	tls_want(struct tlspipe *, ssize_t);
static void	pipe_free(struct tlspipe *, const char *);

/* NULL (logged) when the tls-server or tls-client can't be had. */
struct proxy_tls *
proxy_tls_new(const char *where, const char *name, int server)
{
	struct proxy_tls	*pt;
	struct tlsconf		*conf;

	if ((conf = tlsconf_new(where, name, server, mesh_node_id())) == NULL)
		return NULL;
	if ((pt = calloc(1, sizeof(*pt))) == NULL)
		fatal("%s", where);
	pt->conf = conf;
	pt->refs = 1;
	return pt;
}

void
proxy_tls_release(struct proxy_tls *pt)
{
	if (pt == NULL || --pt->refs > 0)
		return;
	tlsconf_free(pt->conf);
	free(pt);
}

/* The pair's end for the stream, or -1 (logged); fd is taken either way. */
int
tlspipe_server(int fd, struct proxy_tls *pt, const char *where)
{
	struct tls	*server = tlsconf_server(pt->conf);
	struct tlspipe	*p;
	int		 outer;

	if ((p = pipe_new(fd, pt, where, &outer)) == NULL)
		return -1;
	if (tls_accept_socket(server, &p->ctx, fd) == -1) {
		pipe_free(p, tls_error(server));
		close(outer);
		return -1;
	}
	event_add(p->ev_fd_r, NULL);
	return outer;
}

/* The same for a socket still connecting to host, checked as Go does. */
int
tlspipe_client(int fd, struct proxy_tls *pt, const char *host,
    const char *where)
{
	struct tlspipe	*p;
	int		 outer;

	if ((p = pipe_new(fd, pt, where, &outer)) == NULL)
		return -1;
	if ((p->host = strdup(host)) == NULL || (p->ctx = tls_client()) ==
	    NULL)
		fatal("%s", where);
	/* The host is also the SNI, as in Go. */
	if (tls_configure(p->ctx, tlsconf_config(pt->conf)) == -1 ||
	    tls_connect_socket(p->ctx, fd, host) == -1) {
		pipe_free(p, tls_error(p->ctx));
		close(outer);
		return -1;
	}
	p->connecting = 1;
	p->want_fd_w = 1;
	event_add(p->ev_fd_w, NULL);
	return outer;
}

static struct tlspipe *
pipe_new(int fd, struct proxy_tls *pt, const char *where, int *outer)
{
	struct tlspipe	*p;
	struct timeval	 tv = { TLS_HANDSHAKE_TIMEOUT, 0 };
	int		 sp[2];

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0,
	    sp) == -1) {
		log_warn("%s: socketpair", where);
		close(fd);
		return NULL;
	}
	if ((p = calloc(1, sizeof(*p))) == NULL)
		fatal("%s", where);
	strlcpy(p->where, where, sizeof(p->where));
	p->pt = pt;
	pt->refs++;
	p->fd = fd;
	p->inner = sp[0];
	*outer = sp[1];
	if ((p->ev_fd_r = event_new(netd_base(), fd, EV_READ, pipe_io, p)) ==
	    NULL ||
	    (p->ev_fd_w = event_new(netd_base(), fd, EV_WRITE, pipe_io, p)) ==
	    NULL ||
	    (p->ev_in_r = event_new(netd_base(), p->inner, EV_READ, pipe_io,
	    p)) == NULL ||
	    (p->ev_in_w = event_new(netd_base(), p->inner, EV_WRITE, pipe_io,
	    p)) == NULL ||
	    (p->ev_timeout = evtimer_new(netd_base(), pipe_timeout, p)) ==
	    NULL)
		fatalx("%s: event_new", where);
	evtimer_add(p->ev_timeout, &tv);
	return p;
}

static void
pipe_timeout(evutil_socket_t fd, short events, void *arg)
{
	pipe_free(arg, "TLS handshake timed out");
}

/* Any side is ready: go as far as both sides let, then wait again. */
static void
pipe_io(evutil_socket_t fd, short events, void *arg)
{
	struct tlspipe	*p = arg;
	int		 err = 0;
	socklen_t	 len = sizeof(err);

	if (p->connecting) {
		if (getsockopt(p->fd, SOL_SOCKET, SO_ERROR, &err, &len) == -1)
			err = errno;
		if (err != 0) {
			pipe_free(p, strerror(err));
			return;
		}
		p->connecting = 0;
	}
	p->want_fd_r = p->want_fd_w = p->want_in_r = p->want_in_w = 0;
	if (!p->handshaken && pipe_handshake(p) == -1)
		return;
	if (p->handshaken && pipe_round(p) == -1)
		return;
	if (p->in.done && p->out.done) {
		pipe_free(p, NULL);
		return;
	}
	if (p->want_fd_r)
		event_add(p->ev_fd_r, NULL);
	if (p->want_fd_w)
		event_add(p->ev_fd_w, NULL);
	if (p->want_in_r)
		event_add(p->ev_in_r, NULL);
	if (p->want_in_w)
		event_add(p->ev_in_w, NULL);
}

/* -1 when the pipe is gone; else handshaken says whether it is done. */
static int
pipe_handshake(struct tlspipe *p)
{
	char	 why[256];
	int	 rv;

	if ((rv = tls_handshake(p->ctx)) == -1) {
		snprintf(why, sizeof(why), "TLS handshake failed: %s",
		    tls_error(p->ctx));
		pipe_free(p, why);
		return -1;
	}
	if (tls_want(p, rv))
		return 0;
	if (tlsconf_check_peer(p->pt->conf, p->ctx, p->host, why,
	    sizeof(why)) == -1) {
		pipe_free(p, why);
		return -1;
	}
	evtimer_del(p->ev_timeout);
	p->handshaken = 1;
	log_debug("%s: TLS %s", p->where, tls_conn_version(p->ctx));
	return 0;
}

/* libtls waits for the socket: say for what. */
static int
tls_want(struct tlspipe *p, ssize_t rv)
{
	if (rv == TLS_WANT_POLLIN)
		p->want_fd_r = 1;
	else if (rv == TLS_WANT_POLLOUT)
		p->want_fd_w = 1;
	else
		return 0;
	return 1;
}

/* Move bytes both ways until each waits; -1 when the pipe is gone. */
static int
pipe_round(struct tlspipe *p)
{
	struct half	*in = &p->in, *out = &p->out;
	ssize_t		 n;
	int		 moved;

	do {
		moved = 0;
		if (in->len == 0 && !in->eof) {
			n = tls_read(p->ctx, in->buf, sizeof(in->buf));
			/*
			 * Many a client ends without close_notify: an end
			 * all the same, as Go's bridge takes it.
			 */
			if (n == -1) {
				log_debug("%s: %s", p->where, tls_error(p->ctx));
				n = 0;
			}
			if (!tls_want(p, n)) {
				in->off = 0;
				in->len = n;
				in->eof = n == 0;
				moved = 1;
			}
		}
		if (in->len > 0) {
			n = write(p->inner, in->buf + in->off, in->len);
			if (n == -1 && errno == EAGAIN)
				p->want_in_w = 1;
			else if (n == -1) {
				/* The stream is gone: so is its reader. */
				in->len = 0;
				in->eof = 1;
			} else {
				in->off += n;
				in->len -= n;
				moved = 1;
			}
		}
		if (in->eof && in->len == 0 && !in->done) {
			shutdown(p->inner, SHUT_WR);
			in->done = 1;
		}

		if (out->len == 0 && !out->eof) {
			n = read(p->inner, out->buf, sizeof(out->buf));
			if (n == -1 && errno == EAGAIN)
				p->want_in_r = 1;
			else {
				out->off = 0;
				out->len = n > 0 ? n : 0;
				out->eof = n <= 0;
				moved = 1;
			}
		}
		if (out->len > 0) {
			n = tls_write(p->ctx, out->buf + out->off, out->len);
			if (n == -1) {
				pipe_free(p, tls_error(p->ctx));
				return -1;
			}
			if (!tls_want(p, n)) {
				out->off += n;
				out->len -= n;
				moved = 1;
			}
		}
		if (out->eof && out->len == 0 && !out->done) {
			n = tls_close(p->ctx);
			if (!tls_want(p, n)) {
				shutdown(p->fd, SHUT_WR);
				out->done = 1;
			}
		}
	} while (moved);
	return 0;
}

/* why: an error to log, or NULL at a clean end. */
static void
pipe_free(struct tlspipe *p, const char *why)
{
	if (why != NULL)
		log_warnx("%s: %s", p->where, why);
	event_free(p->ev_fd_r);
	event_free(p->ev_fd_w);
	event_free(p->ev_in_r);
	event_free(p->ev_in_w);
	event_free(p->ev_timeout);
	if (p->ctx != NULL)
		tls_free(p->ctx);
	close(p->fd);
	close(p->inner);
	proxy_tls_release(p->pt);
	free(p->host);
	free(p);
}
