/*
 * UDP proxies, Go's sessions: udp-server gives each UDP source its own
 * ephemeral service, which sends the source's datagrams to
 * remotenode:remoteservice and takes replies from there back to it;
 * udp-client listens on a service and gives each node:service that sends
 * to it its own UDP socket connected to the address. Go keeps every
 * session for ever; ours end after UDP_IDLE_SECONDS without a datagram
 * either way, and a proxy runs at most PROXY_MAX_CONNS of them.
 */
#include <sys/socket.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "log.h"
#include "netd.h"
#include "netmsg.h"
#include "proxy.h"

/* Linux's conntrack keeps a UDP flow that has seen replies this long. */
#define UDP_IDLE_SECONDS	120
/* Datagrams one wake-up reads from a socket before others get a turn. */
#define UDP_READ_BATCH		64
#define UDP_PAYLOAD_MAX		(NETMSG_MAXLEN - NETMSG_HDRLEN)
/* A session's key: a socket address, or node and service names. */
#define UDP_KEY_MAX		512

struct udp_proxy;

/*
 * One peer of a proxy. A udp-server's is a UDP source (key: its address)
 * with its own service; a udp-client's is a node:service (key: the two
 * strings) with its own socket.
 */
struct udp_session {
	RB_ENTRY(udp_session)	 entry;
	struct udp_proxy	*up;
	struct service		*svc;
	struct sockaddr_storage	 ss;
	socklen_t		 sslen;
	char			*node;
	char			 service[NETMSG_SVCLEN + 1];
	int			 fd;
	struct event		*ev_read;
	struct event		*ev_idle;
	time_t			 last;
	size_t			 keylen;
	uint8_t			 key[];
};

static int	session_cmp(const struct udp_session *,
		    const struct udp_session *);
RB_HEAD(udp_sessions, udp_session);
RB_PROTOTYPE_STATIC(udp_sessions, udp_session, entry, session_cmp)

/*
 * where names it in logs; node and service are the remote end of a
 * udp-server, service the own one of a udp-client; fd is a udp-server's
 * socket; full says it refuses new sessions and has said so.
 */
struct udp_proxy {
	char			 where[80];
	char			*node;
	char			*service;
	int			 fd;
	struct event		*ev;
	struct service		*svc;
	struct proxy_target	*target;
	struct udp_sessions	 sessions;
	size_t			 nsessions;
	int			 full;
};

static void	*server_start(const struct cfg_item *);
static void	 server_read(evutil_socket_t, short, void *);
static void	 server_reply(struct service *, const char *, const char *,
		    const uint8_t *, size_t);
static void	*client_start(const struct cfg_item *);
static void	 client_datagram(struct service *, const char *,
		    const char *, const uint8_t *, size_t);
static void	 client_read(evutil_socket_t, short, void *);
static void	 proxy_stop(void *);
static void	 unreachable(struct service *, const char *, const char *);
static struct udp_session *session_get(struct udp_proxy *, const void *,
		    size_t);
static void	 session_idle(evutil_socket_t, short, void *);
static void	 session_free(struct udp_session *);

const struct proxy_kind proxy_udp_server = {
	"udp-server", server_start, proxy_stop
};
const struct proxy_kind proxy_udp_client = {
	"udp-client", client_start, proxy_stop
};

static const struct service_ops server_ops = { server_reply, unreachable };
static const struct service_ops client_ops = { client_datagram,
    unreachable };

static int
session_cmp(const struct udp_session *a, const struct udp_session *b)
{
	if (a->keylen != b->keylen)
		return a->keylen < b->keylen ? -1 : 1;
	return memcmp(a->key, b->key, a->keylen);
}

RB_GENERATE_STATIC(udp_sessions, udp_session, entry, session_cmp)

static struct udp_proxy *
proxy_new(const char *where)
{
	struct udp_proxy	*up;

	if ((up = calloc(1, sizeof(*up))) == NULL)
		fatal("udp proxy");
	strlcpy(up->where, where, sizeof(up->where));
	up->fd = -1;
	RB_INIT(&up->sessions);
	return up;
}

static void *
server_start(const struct cfg_item *item)
{
	struct udp_proxy	*up;
	const char		*host = cfg_str(item, "bindaddr");
	char			 port[16], where[80];

	snprintf(port, sizeof(port), "%lld", cfg_int(item, "port"));
	snprintf(where, sizeof(where), "udp-server %s:%s", host, port);
	up = proxy_new(where);
	if ((up->node = strdup(cfg_str(item, "remotenode"))) == NULL ||
	    (up->service = strdup(cfg_str(item, "remoteservice"))) == NULL)
		fatal("udp-server");
	if ((up->fd = sock_listen("udp-server", SOCK_DGRAM, host, port)) ==
	    -1) {
		proxy_stop(up);
		return NULL;
	}
	if ((up->ev = event_new(netd_base(), up->fd, EV_READ | EV_PERSIST,
	    server_read, up)) == NULL)
		fatalx("udp-server: event_new");
	event_add(up->ev, NULL);
	log_debug("%s: forwarding to %s:%s", up->where, up->node,
	    up->service);
	return up;
}

static void *
client_start(const struct cfg_item *item)
{
	struct udp_proxy	*up;
	const char		*service = cfg_str(item, "service");
	const char		*address = cfg_str(item, "address");
	char			 where[80];

	snprintf(where, sizeof(where), "udp-client %s", service);
	up = proxy_new(where);
	if ((up->service = strdup(service)) == NULL)
		fatal("udp-client");
	if ((up->target = proxy_target_new("udp-client", address,
	    SOCK_DGRAM)) == NULL) {
		proxy_stop(up);
		return NULL;
	}
	if ((up->svc = dgram_bind(service, &client_ops, up)) == NULL) {
		log_error("%s: the service is in use or reserved", up->where);
		proxy_stop(up);
		return NULL;
	}
	svcad_add(service, NETMSG_CONN_DATAGRAM, "UDP Proxy", "address",
	    address);
	log_debug("%s: forwarding to %s", up->where, address);
	return up;
}

/* Sessions end with their proxy: a datagram has no connection to finish. */
static void
proxy_stop(void *arg)
{
	struct udp_proxy	*up = arg;
	struct udp_session	*s, *next;

	RB_FOREACH_SAFE(s, udp_sessions, &up->sessions, next)
		session_free(s);
	if (up->svc != NULL) {
		svcad_remove(up->service);
		dgram_unbind(up->svc);
	}
	if (up->target != NULL)
		proxy_target_free(up->target);
	if (up->ev != NULL)
		event_free(up->ev);
	if (up->fd != -1)
		close(up->fd);
	free(up->node);
	free(up->service);
	free(up);
}

/* The session for key, made if new and the proxy has room; or NULL. */
static struct udp_session *
session_get(struct udp_proxy *up, const void *key, size_t keylen)
{
	union {
		struct udp_session	s;
		uint8_t			b[sizeof(struct udp_session) +
					    UDP_KEY_MAX];
	}			 find;
	struct udp_session	*s;
	struct timeval		 tv = { UDP_IDLE_SECONDS, 0 };

	find.s.keylen = keylen;
	memcpy(find.s.key, key, keylen);
	if ((s = RB_FIND(udp_sessions, &up->sessions, &find.s)) != NULL) {
		s->last = monotime();
		return s;
	}
	if (up->nsessions >= PROXY_MAX_CONNS) {
		if (!up->full)
			log_warnx("%s: %d sessions open, dropping datagrams "
			    "of new ones", up->where, PROXY_MAX_CONNS);
		up->full = 1;
		return NULL;
	}
	if ((s = calloc(1, sizeof(*s) + keylen)) == NULL)
		fatal("udp session");
	s->keylen = keylen;
	memcpy(s->key, key, keylen);
	s->up = up;
	s->fd = -1;
	s->last = monotime();
	if ((s->ev_idle = evtimer_new(netd_base(), session_idle, s)) == NULL)
		fatalx("udp session: evtimer_new");
	evtimer_add(s->ev_idle, &tv);
	RB_INSERT(udp_sessions, &up->sessions, s);
	up->nsessions++;
	return s;
}

/* Idle for long enough, or not yet: then wait for the rest. */
static void
session_idle(evutil_socket_t fd, short events, void *arg)
{
	struct udp_session	*s = arg;
	struct timeval		 tv = { 0, 0 };
	time_t			 idle = monotime() - s->last;

	if (idle < UDP_IDLE_SECONDS) {
		tv.tv_sec = UDP_IDLE_SECONDS - idle;
		evtimer_add(s->ev_idle, &tv);
		return;
	}
	log_debug("%s: session %s idle for %d s, closed", s->up->where,
	    s->svc != NULL ? s->svc->name : s->node, UDP_IDLE_SECONDS);
	session_free(s);
}

static void
session_free(struct udp_session *s)
{
	struct udp_proxy	*up = s->up;

	RB_REMOVE(udp_sessions, &up->sessions, s);
	if (--up->nsessions < PROXY_MAX_CONNS && up->full) {
		log_info("%s: taking new sessions again", up->where);
		up->full = 0;
	}
	if (s->svc != NULL)
		dgram_unbind(s->svc);
	if (s->ev_read != NULL)
		event_free(s->ev_read);
	if (s->fd != -1)
		close(s->fd);
	event_free(s->ev_idle);
	free(s->node);
	free(s);
}

static void
send_mesh(struct udp_proxy *up, const char *fromsvc, const char *node,
    const char *service, const uint8_t *buf, size_t len)
{
	const char	*err;

	if (len > UDP_PAYLOAD_MAX)
		log_debug("%s: dropping a datagram of %zu bytes, more than "
		    "a data message carries", up->where, len);
	else if (dgram_send(fromsvc, node, service, buf, len,
	    NETMSG_MAXHOPS, &err) == -1)
		log_debug("%s: to %s:%s: %s", up->where, node, service, err);
}

/* Datagrams from UDP sources, each to the mesh from its session. */
static void
server_read(evutil_socket_t fd, short events, void *arg)
{
	static uint8_t		 buf[65536];
	struct udp_proxy	*up = arg;
	struct udp_session	*s;
	struct sockaddr_storage	 ss;
	socklen_t		 sslen;
	ssize_t			 n;
	int			 i;

	for (i = 0; i < UDP_READ_BATCH; i++) {
		memset(&ss, 0, sizeof(ss));
		sslen = sizeof(ss);
		if ((n = recvfrom(fd, buf, sizeof(buf), 0,
		    (struct sockaddr *)&ss, &sslen)) == -1) {
			if (errno != EAGAIN && errno != EINTR)
				log_warn("%s: recvfrom", up->where);
			return;
		}
		if ((s = session_get(up, &ss, sslen)) == NULL)
			continue;
		if (s->svc == NULL) {
			s->ss = ss;
			s->sslen = sslen;
			s->svc = dgram_bind_ephemeral(&server_ops, s);
			log_debug("%s: new session %s", up->where,
			    s->svc->name);
		}
		send_mesh(up, s->svc->name, up->node, up->service, buf, n);
	}
}

/* Replies come only from the service the session sends to, as in Go. */
static void
server_reply(struct service *svc, const char *fromnode, const char *fromsvc,
    const uint8_t *buf, size_t len)
{
	struct udp_session	*s = svc->arg;
	struct udp_proxy	*up = s->up;
	const char		*node = up->node;

	if (strcasecmp(node, "localhost") == 0)
		node = mesh_node_id();
	if (strcmp(fromnode, node) != 0 || strcmp(fromsvc, up->service) != 0) {
		log_debug("%s: session %s: ignoring a datagram from %s:%s",
		    up->where, svc->name, fromnode, fromsvc);
		return;
	}
	s->last = monotime();
	if (sendto(up->fd, buf, len, 0, (struct sockaddr *)&s->ss,
	    s->sslen) == -1 && errno != EAGAIN)
		log_debug("%s: sendto: %s", up->where, strerror(errno));
}

/* A datagram from a node's service, to the address from its session. */
static void
client_datagram(struct service *svc, const char *fromnode,
    const char *fromsvc, const uint8_t *buf, size_t len)
{
	struct udp_proxy	*up = svc->arg;
	struct udp_session	*s;
	char			 key[UDP_KEY_MAX];
	int			 keylen;

	keylen = snprintf(key, sizeof(key), "%s:%s", fromsvc, fromnode);
	if (keylen < 0 || (size_t)keylen >= sizeof(key))
		return;
	if ((s = session_get(up, key, keylen)) == NULL)
		return;
	if (s->node == NULL) {
		if ((s->node = strdup(fromnode)) == NULL)
			fatal("udp-client");
		strlcpy(s->service, fromsvc, sizeof(s->service));
		if ((s->fd = proxy_target_connect(up->target)) == -1) {
			session_free(s);
			return;
		}
		if ((s->ev_read = event_new(netd_base(), s->fd,
		    EV_READ | EV_PERSIST, client_read, s)) == NULL)
			fatalx("udp-client: event_new");
		event_add(s->ev_read, NULL);
		log_debug("%s: new session for %s:%s", up->where, fromnode,
		    fromsvc);
	}
	if (send(s->fd, buf, len, 0) == -1 && errno != EAGAIN)
		log_debug("%s: send: %s", up->where, strerror(errno));
}

/* Replies from the address, back to the session's node:service. */
static void
client_read(evutil_socket_t fd, short events, void *arg)
{
	static uint8_t		 buf[65536];
	struct udp_session	*s = arg;
	ssize_t			 n;
	int			 i;

	for (i = 0; i < UDP_READ_BATCH; i++) {
		if ((n = recv(fd, buf, sizeof(buf), 0)) == -1) {
			/* A refusal by the address is for its sender. */
			if (errno != EAGAIN && errno != EINTR)
				log_debug("%s: recv: %s", s->up->where,
				    strerror(errno));
			return;
		}
		s->last = monotime();
		send_mesh(s->up, s->up->service, s->node, s->service, buf, n);
	}
}

static void
unreachable(struct service *svc, const char *from, const char *problem)
{
	log_debug("service %s: unreachable from %s: %s", svc->name, from,
	    problem);
}
