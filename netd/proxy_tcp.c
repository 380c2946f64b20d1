/*
 * TCP proxies. tcp-server accepts TCP connections and dials a stream to
 * remotenode:remoteservice for each; tcp-client listens on a service and
 * connects each stream to its address. Either way the stream is bridged
 * straight to the TCP socket: no copy between them but the stream's own.
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
 * where is "tcp-server ADDR:PORT", for logs; tls the stream's tls-client
 * or NULL; full says it refuses connections and has said so; a stopped
 * one is freed when its last connection goes.
 */
struct tcp_server {
	char		 where[80];
	char		*node;
	char		*service;
	char		*tls;
	int		 fd;
	struct event	*ev;
	size_t		 nconns;
	int		 full;
	int		 stopped;
};

struct tcp_client {
	char			*service;
	struct proxy_target	*target;
	struct quic_listener	*listener;
};

static void	*server_start(const struct cfg_item *);
static void	 server_stop(void *);
static void	 server_accept(evutil_socket_t, short, void *);
static void	 server_dialed(const char *, void *);
static void	 server_gone(void *);
static void	 server_free(struct tcp_server *);
static void	*client_start(const struct cfg_item *);
static void	 client_stop(void *);
static int	 client_accepted(const char *, void *);

const struct proxy_kind proxy_tcp_server = {
	"tcp-server", server_start, server_stop
};
const struct proxy_kind proxy_tcp_client = {
	"tcp-client", client_start, client_stop
};

/* The TCP side's own TLS is not ours yet: say so rather than run bare. */
static int
tcp_tls_refused(const struct cfg_item *item, const char *field)
{
	const char	*tls = cfg_str(item, field);

	if (tls == NULL || *tls == '\0')
		return 0;
	log_error("%s: %s %s: TLS on the TCP side is not supported",
	    item->action->name, field, tls);
	return 1;
}

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

static void *
server_start(const struct cfg_item *item)
{
	struct tcp_server	*ts;
	const char		*host = cfg_str(item, "bindaddr");
	char			 port[16];

	if (tcp_tls_refused(item, "tlsserver"))
		return NULL;
	if ((ts = calloc(1, sizeof(*ts))) == NULL ||
	    (ts->node = strdup(cfg_str(item, "remotenode"))) == NULL ||
	    (ts->service = strdup(cfg_str(item, "remoteservice"))) == NULL)
		fatal("tcp-server");
	ts->tls = opt_dup(cfg_str(item, "tlsclient"));
	snprintf(port, sizeof(port), "%lld", cfg_int(item, "port"));
	snprintf(ts->where, sizeof(ts->where), "tcp-server %s:%s", host, port);
	if ((ts->fd = sock_listen("tcp-server", SOCK_STREAM, host, port)) ==
	    -1) {
		server_free(ts);
		return NULL;
	}
	if ((ts->ev = event_new(netd_base(), ts->fd, EV_READ | EV_PERSIST,
	    server_accept, ts)) == NULL)
		fatalx("tcp-server: event_new");
	event_add(ts->ev, NULL);
	log_debug("%s: forwarding to %s:%s", ts->where, ts->node, ts->service);
	return ts;
}

static void
server_stop(void *arg)
{
	struct tcp_server	*ts = arg;

	ts->stopped = 1;
	if (ts->nconns == 0)
		server_free(ts);
}

static void
server_free(struct tcp_server *ts)
{
	if (ts->ev != NULL)
		event_free(ts->ev);
	if (ts->fd != -1)
		close(ts->fd);
	free(ts->node);
	free(ts->service);
	free(ts->tls);
	free(ts);
}

/* A stream for each connection; none while at the limit. */
static void
server_accept(evutil_socket_t lfd, short events, void *arg)
{
	struct tcp_server	*ts = arg;
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
	struct tcp_server	*ts = arg;

	if (err != NULL)
		log_warnx("%s: %s:%s: %s", ts->where, ts->node, ts->service,
		    err);
}

static void
server_gone(void *arg)
{
	struct tcp_server	*ts = arg;

	ts->nconns--;
	if (ts->full && ts->nconns < PROXY_MAX_CONNS) {
		log_info("%s: accepting connections again", ts->where);
		ts->full = 0;
	}
	if (ts->stopped && ts->nconns == 0)
		server_free(ts);
}

static void *
client_start(const struct cfg_item *item)
{
	struct tcp_client	*tc;
	struct tlsconf		*conf = NULL;
	struct quictls		*qt;
	const char		*tls = cfg_str(item, "tlsserver"), *err;
	const char		*address = cfg_str(item, "address");
	char			 why[256];

	if (tcp_tls_refused(item, "tlsclient"))
		return NULL;
	if ((tc = calloc(1, sizeof(*tc))) == NULL ||
	    (tc->service = strdup(cfg_str(item, "service"))) == NULL)
		fatal("tcp-client");
	if ((tc->target = proxy_target_new("tcp-client", address,
	    SOCK_STREAM)) == NULL)
		goto fail;
	if (tls != NULL && *tls != '\0' && (conf = tlsconf_new("tcp-client",
	    tls, 1, mesh_node_id())) == NULL)
		goto fail;
	if ((qt = quictls_new(conf, 1, why, sizeof(why))) == NULL) {
		log_error("tcp-client %s: %s", tc->service, why);
		goto fail;
	}
	if ((tc->listener = quic_listen(tc->service, qt, client_accepted, tc,
	    &err)) == NULL) {
		log_error("tcp-client %s: %s", tc->service, err);
		quictls_free(qt);
		goto fail;
	}
	svcad_add(tc->service, conf != NULL ? NETMSG_CONN_STREAMTLS :
	    NETMSG_CONN_STREAM, "TCP Proxy", "address", address);
	log_debug("tcp-client %s: forwarding to %s", tc->service, address);
	return tc;
 fail:
	if (tc->target != NULL)
		proxy_target_free(tc->target);
	free(tc->service);
	free(tc);
	return NULL;
}

static void
client_stop(void *arg)
{
	struct tcp_client	*tc = arg;

	svcad_remove(tc->service);
	quic_unlisten(tc->listener);
	proxy_target_free(tc->target);
	free(tc->service);
	free(tc);
}

static int
client_accepted(const char *node, void *arg)
{
	struct tcp_client	*tc = arg;

	log_debug("tcp-client %s: stream from %s", tc->service, node);
	return proxy_target_connect(tc->target);
}
