/*
 * What the proxies share. The "-server" side: connections accepted on a
 * listening socket (TCP or Unix), each dialed to remotenode:remoteservice
 * and bridged straight to its stream. The "-client" side: a service that
 * takes streams, advertised as Go advertises it.
 */
#include <sys/socket.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "netd.h"
#include "netmsg.h"
#include "proxy.h"
#include "quic.h"
#include "tlsconf.h"

/*
 * where names it for logs ("tcp-server ADDR:PORT"); tls is the stream's
 * tls-client or NULL; full says it refuses connections and has said so;
 * a stopped one is freed when its last connection goes.
 */
struct stream_server {
	char		 where[80];
	char		*node;
	char		*service;
	char		*tls;
	struct proxy_tls *fdtls;	/* on the accepted socket, or NULL */
	int		 fd;
	struct event	*ev;
	size_t		 nconns;
	int		 full;
	int		 stopped;
};

static void	 server_accept(evutil_socket_t, short, void *);
static void	 server_dialed(const char *, void *);
static void	 server_gone(void *);
static void	 server_free(struct stream_server *);

static char *
opt_dup(const char *s)
{
	char	*d;

	if (s == NULL || *s == '\0')
		return NULL;
	if ((d = strdup(s)) == NULL)
		fatal("proxy");
	return d;
}

/*
 * Serve the listening fd, which it then owns, for item; tlsfield names
 * the item's field with the stream's tls-client; fdtls (taken) is TLS on
 * the accepted sockets, or NULL.
 */
void *
stream_server_start(const char *where, int fd, const struct cfg_item *item,
    const char *tlsfield, struct proxy_tls *fdtls)
{
	struct stream_server	*ts;

	if ((ts = calloc(1, sizeof(*ts))) == NULL ||
	    (ts->node = strdup(cfg_str(item, "remotenode"))) == NULL ||
	    (ts->service = strdup(cfg_str(item, "remoteservice"))) == NULL)
		fatal("%s", item->action->name);
	strlcpy(ts->where, where, sizeof(ts->where));
	ts->tls = opt_dup(cfg_str(item, tlsfield));
	ts->fdtls = fdtls;
	ts->fd = fd;
	if ((ts->ev = event_new(netd_base(), ts->fd, EV_READ | EV_PERSIST,
	    server_accept, ts)) == NULL)
		fatalx("%s: event_new", where);
	event_add(ts->ev, NULL);
	log_debug("%s: forwarding to %s:%s", ts->where, ts->node, ts->service);
	return ts;
}

void
stream_server_stop(void *arg)
{
	struct stream_server	*ts = arg;

	ts->stopped = 1;
	if (ts->nconns == 0)
		server_free(ts);
}

static void
server_free(struct stream_server *ts)
{
	if (ts->ev != NULL)
		event_free(ts->ev);
	if (ts->fd != -1)
		close(ts->fd);
	free(ts->node);
	free(ts->service);
	free(ts->tls);
	proxy_tls_release(ts->fdtls);
	free(ts);
}

/* A stream for each connection; none while at the limit. */
static void
server_accept(evutil_socket_t lfd, short events, void *arg)
{
	struct stream_server	*ts = arg;
	struct tlsconf		*tc = NULL;
	struct quictls		*qt;
	const char		*err;
	char			 why[256];
	int			 fd, on = 1;

	if ((fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC)) ==
	    -1) {
		if (errno != EAGAIN && errno != EINTR &&
		    errno != ECONNABORTED)
			log_warn("%s: accept", ts->where);
		return;
	}
	if (ts->nconns >= PROXY_MAX_CONNS) {
		if (!ts->full)
			log_warnx("%s: %d connections open, refusing more",
			    ts->where, PROXY_MAX_CONNS);
		ts->full = 1;
		close(fd);
		return;
	}
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof(on));
	if (ts->fdtls != NULL &&
	    (fd = tlspipe_server(fd, ts->fdtls, ts->where)) == -1)
		return;
	if (ts->tls != NULL && (tc = tlsconf_new(ts->where, ts->tls, 0,
	    mesh_node_id())) == NULL) {
		close(fd);
		return;
	}
	if ((qt = quictls_new(tc, 0, why, sizeof(why))) == NULL) {
		log_warnx("%s: %s", ts->where, why);
		close(fd);
		return;
	}
	if (quic_dial(ts->node, ts->service, qt, fd, server_dialed,
	    server_gone, ts, &err) == -1) {
		log_warnx("%s: %s:%s: %s", ts->where, ts->node, ts->service,
		    err);
		quictls_free(qt);
		close(fd);
		return;
	}
	ts->nconns++;
}

static void
server_dialed(const char *err, void *arg)
{
	struct stream_server	*ts = arg;

	if (err != NULL)
		log_warnx("%s: %s:%s: %s", ts->where, ts->node, ts->service,
		    err);
}

static void
server_gone(void *arg)
{
	struct stream_server	*ts = arg;

	ts->nconns--;
	if (ts->full && ts->nconns < PROXY_MAX_CONNS) {
		log_info("%s: accepting connections again", ts->where);
		ts->full = 0;
	}
	if (ts->stopped && ts->nconns == 0)
		server_free(ts);
}

/*
 * Listen on item's service for streams, for fn to take, with the stream's
 * tls-server named in tlsfield; advertised with type and one tag. NULL,
 * logged, if it cannot.
 */
struct quic_listener *
proxy_listen(const struct cfg_item *item, const char *tlsfield,
    quic_accept_fn fn, void *arg, const char *type, const char *tag,
    const char *value)
{
	struct quic_listener	*l;
	struct tlsconf		*conf = NULL;
	struct quictls		*qt;
	const char		*action = item->action->name;
	const char		*service = cfg_str(item, "service");
	const char		*tls = cfg_str(item, tlsfield), *err;
	char			 why[256];

	if (tls != NULL && *tls != '\0' && (conf = tlsconf_new(action, tls, 1,
	    mesh_node_id())) == NULL)
		return NULL;
	if ((qt = quictls_new(conf, 1, why, sizeof(why))) == NULL) {
		log_error("%s %s: %s", action, service, why);
		return NULL;
	}
	if ((l = quic_listen(service, qt, fn, arg, &err)) == NULL) {
		log_error("%s %s: %s", action, service, err);
		quictls_free(qt);
		return NULL;
	}
	svcad_add(service, conf != NULL ? NETMSG_CONN_STREAMTLS :
	    NETMSG_CONN_STREAM, type, tag, value);
	return l;
}
