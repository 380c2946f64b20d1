/*
 * Backends from the configuration: listeners and peers over TCP, UDP and
 * WebSocket,
 * their costs and allowed peers, and redialing a lost peer with backoff
 * (5 s, then x1.5 up to 20 s, reset after a session that established).
 */
#include <sys/socket.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "netd.h"

static struct backends	 backends = TAILQ_HEAD_INITIALIZER(backends);

static const struct {
	const char		*action;
	enum backend_kind	 kind;
} kinds[] = {
	{ "tcp-listener", BK_TCP_LISTENER },
	{ "tcp-peer", BK_TCP_PEER },
	{ "udp-listener", BK_UDP_LISTENER },
	{ "udp-peer", BK_UDP_PEER },
	{ "ws-listener", BK_WS_LISTENER },
	{ "ws-peer", BK_WS_PEER },
};

static struct backend *backend_new(const struct cfg_item *, enum backend_kind);
static void	backend_dial(struct backend *);
static void	backend_redial(evutil_socket_t, short, void *);
static void	backend_resolved(int, struct evutil_addrinfo *, void *);
static int	split_hostport(const char *, char **, char **);
static int	backend_tls(struct backend *);

void
backends_start(const struct config *conf)
{
	struct cfg_item	*item;
	struct backend	*be;
	size_t		 i;
	int		 rv;

	for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		for (item = config_first(conf, kinds[i].action); item != NULL;
		    item = config_next(item, kinds[i].action)) {
			if ((be = backend_new(item, kinds[i].kind)) == NULL)
				continue;
			TAILQ_INSERT_TAIL(&backends, be, entry);
			if (backend_tls(be) == -1) {
				log_error("%s on %s:%s failed to start",
				    kinds[i].action, be->host, be->port);
				continue;
			}
			switch (be->kind) {
			case BK_TCP_LISTENER:
				rv = tcp_listen(be);
				break;
			case BK_UDP_LISTENER:
				rv = udp_listen(be);
				break;
			case BK_WS_LISTENER:
				rv = ws_listen(be);
				break;
			default:
				backend_dial(be);
				rv = 0;
			}
			if (rv == -1)
				log_error("%s on %s:%s failed to start",
				    kinds[i].action, be->host, be->port);
		}
	}
}

/*
 * TLS settings of a backend naming a tls-server or tls-client; a wss://
 * URL without one gets the default client's (tlsconf.c).
 */
static int
backend_tls(struct backend *be)
{
	const char	*tls = cfg_str(be->item, "tls");

	if (be->kind == BK_UDP_LISTENER || be->kind == BK_UDP_PEER)
		return 0;
	if (tls != NULL && *tls != '\0')
		be->tls = tlsconf_new(be->item->action->name, tls,
		    be->kind == BK_TCP_LISTENER || be->kind == BK_WS_LISTENER,
		    mesh_node_id());
	else if (be->kind == BK_WS_PEER && ws_wss(be))
		be->tls = tlsconf_default();
	else
		return 0;
	return be->tls != NULL ? 0 : -1;
}

static struct backend *
backend_new(const struct cfg_item *item, enum backend_kind kind)
{
	struct backend	*be;
	char		*addr = NULL;
	int		 rv;

	if ((be = calloc(1, sizeof(*be))) == NULL)
		fatal("backend");
	be->kind = kind;
	be->item = item;
	be->fd = -1;
	be->cost = cfg_float(item, "cost");
	be->redial = backend_dials(be) && cfg_bool(item, "redial");
	be->backoff = REDIAL_FIRST;
	if (kind == BK_WS_PEER)
		rv = ws_setup(be);
	else if (backend_dials(be))
		rv = split_hostport(cfg_str(item, "address"), &be->host,
		    &be->port);
	else {
		if (asprintf(&addr, "%s:%lld", cfg_str(item, "bindaddr"),
		    cfg_int(item, "port")) == -1)
			fatal("asprintf");
		rv = split_hostport(addr, &be->host, &be->port);
		free(addr);
		if (rv == 0 && kind == BK_WS_LISTENER)
			rv = ws_setup(be);
	}
	if (rv == -1) {
		log_error("%s: bad address", item->action->name);
		free(be);
		return NULL;
	}
	be->ev_redial = evtimer_new(netd_base(), backend_redial, be);
	if (be->ev_redial == NULL)
		fatalx("evtimer_new");
	return be;
}

/* "host:port", "[v6]:port"; the port is what follows the last colon. */
static int
split_hostport(const char *s, char **host, char **port)
{
	const char	*colon;

	if (s == NULL || (colon = strrchr(s, ':')) == NULL || colon[1] == '\0')
		return -1;
	if (s[0] == '[' && colon > s && colon[-1] == ']')
		*host = strndup(s + 1, colon - s - 2);
	else
		*host = strndup(s, colon - s);
	*port = strdup(colon + 1);
	if (*host == NULL || *port == NULL)
		fatal("strdup");
	return 0;
}

/* Peers dial, and redial when allowed; listeners wait. */
int
backend_dials(const struct backend *be)
{
	return be->kind == BK_TCP_PEER || be->kind == BK_UDP_PEER ||
	    be->kind == BK_WS_PEER;
}

/*
 * Look up a peer's address and hand it to the transport's connect; a
 * failed lookup is logged and retried like a failed dial. IPv4 comes
 * first: a listener on 0.0.0.0 does not answer at ::1.
 */
void
backend_resolve(struct backend *be, int socktype,
    void (*connect_cb)(struct backend *, const struct evutil_addrinfo *))
{
	struct evutil_addrinfo	 hints;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = socktype;
	hints.ai_protocol = socktype == SOCK_STREAM ? IPPROTO_TCP :
	    IPPROTO_UDP;
	be->connect = connect_cb;
	be->resolving = evdns_getaddrinfo(netd_dns(), be->host, be->port,
	    &hints, backend_resolved, be);
}

static void
backend_resolved(int result, struct evutil_addrinfo *res, void *arg)
{
	struct backend		*be = arg;

	if (result == EVUTIL_EAI_CANCEL)
		return;
	be->resolving = NULL;
	if (result != 0) {
		log_warnx("Backend connection failed (will retry): lookup "
		    "%s: %s", be->host, evutil_gai_strerror(result));
		backend_link_gone(be, NULL, 0);
		return;
	}
	be->connect(be, addrinfo_pick(res));
	evutil_freeaddrinfo(res);
}

/* The first IPv4 address, as Go dials, or else the first. */
const struct evutil_addrinfo *
addrinfo_pick(const struct evutil_addrinfo *res)
{
	const struct evutil_addrinfo	*ai;

	for (ai = res; ai != NULL && ai->ai_family != AF_INET;
	    ai = ai->ai_next)
		;
	return ai != NULL ? ai : res;
}

const char *
backend_action(const struct backend *be)
{
	return be->item->action->name;
}

static void
backend_dial(struct backend *be)
{
	if (be->kind == BK_TCP_PEER)
		tcp_dial(be);
	else if (be->kind == BK_WS_PEER)
		ws_dial(be);
	else
		udp_dial(be);
}

static void
backend_redial(evutil_socket_t fd, short events, void *arg)
{
	backend_dial(arg);
}

/*
 * A peer's link is gone (or never came up): dial again later, sooner
 * if it had established.
 */
void
backend_link_gone(struct backend *be, struct link *link, int established)
{
	struct timeval	 tv;

	if (be->link == link)
		be->link = NULL;
	if (!be->redial)
		return;
	if (established)
		be->backoff = REDIAL_FIRST;
	tv.tv_sec = (time_t)be->backoff;
	tv.tv_usec = (suseconds_t)((be->backoff - tv.tv_sec) * 1e6);
	evtimer_add(be->ev_redial, &tv);
	be->backoff *= REDIAL_FACTOR;
	if (be->backoff > REDIAL_MAX)
		be->backoff = REDIAL_MAX;
}

/* A listener's nodecost for the peer wins over its cost (2.9). */
double
backend_cost(const struct backend *be, const char *peer)
{
	const struct cfg_value	*nc = cfg_get(be->item, "nodecost");
	size_t			 i;

	for (i = 0; nc != NULL && i < nc->map.npairs; i++)
		if (strcmp(nc->map.pairs[i].key, peer) == 0)
			return strtod(nc->map.pairs[i].val, NULL);
	return be->cost;
}

int
backend_allows(const struct backend *be, const char *peer)
{
	const struct cfg_value	*ap = cfg_get(be->item, "allowedpeers");
	size_t			 i;

	if (ap == NULL || !ap->set)
		return 1;
	for (i = 0; i < ap->nlist; i++)
		if (strcmp(ap->list[i], peer) == 0)
			return 1;
	return 0;
}

void
backends_stop(void)
{
	struct backend	*be;
	struct link	*link, *tmp;

	TAILQ_FOREACH_SAFE(link, mesh_links(), entry, tmp)
		link_close(link, "backend restart");
	while ((be = TAILQ_FIRST(&backends)) != NULL) {
		TAILQ_REMOVE(&backends, be, entry);
		if (be->resolving != NULL)
			evdns_getaddrinfo_cancel(be->resolving);
		if (be->kind == BK_TCP_PEER)
			tcp_stop(be);
		if (be->kind == BK_UDP_LISTENER || be->kind == BK_UDP_PEER)
			udp_stop(be);
		if (be->kind == BK_WS_LISTENER || be->kind == BK_WS_PEER)
			ws_stop(be);
		if (be->tls != NULL) {
			tlsc_backend_stop(be);
			tlsconf_free(be->tls);
		}
		if (be->ev != NULL)
			event_free(be->ev);
		if (be->fd != -1)
			close(be->fd);
		event_free(be->ev_redial);
		free(be->host);
		free(be->port);
		free(be);
	}
}
