/*
 * A link: one backend session between two nodes. Both ends send routing
 * updates every second until the first one arrives from the other side;
 * that names the peer (its ForwardingNode), which must pass our checks,
 * and establishes the link (PROTOCOL.md 2.1).
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "netd.h"
#include "netmsg.h"

static void	link_init_tick(evutil_socket_t, short, void *);
static void	link_establish(struct link *, const uint8_t *, size_t);
static void	link_free(struct link *, const char *why);
static void	link_route(struct link *, const uint8_t *, size_t);

struct link *
link_open(struct backend *be, const struct transport *tp, void *conn,
    const char *remote)
{
	struct link	*link;
	struct timeval	 tv = { MESH_INIT_INTERVAL, 0 };

	if ((link = calloc(1, sizeof(*link))) == NULL)
		fatal("link");
	link->backend = be;
	link->tp = tp;
	link->conn = conn;
	strlcpy(link->remote, remote, sizeof(link->remote));
	link->last_rx = monotime();
	link->ev_init = event_new(netd_base(), -1, EV_PERSIST, link_init_tick,
	    link);
	if (link->ev_init == NULL || evtimer_add(link->ev_init, &tv) == -1)
		fatalx("link: event_new");
	TAILQ_INSERT_TAIL(mesh_links(), link, entry);
	if (backend_dials(be))
		be->link = link;
	log_debug("%s session with %s", tp->name, remote);
	mesh_send_update(link);
	return link;
}

static void
link_init_tick(evutil_socket_t fd, short events, void *arg)
{
	struct link	*link = arg;

	if (++link->inits >= MESH_INIT_TRIES) {
		log_warnx("Giving up on connection initialization");
		link_close(link, "initialization timed out");
		return;
	}
	mesh_send_update(link);
}

/*
 * What a peer sends wrong is logged once per link as a warning, then only
 * at debug level, so a broken or hostile peer cannot flood the log.
 */
void
link_complain(struct link *link, const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	vlog(link->complained++ ? LOG_LEVEL_DEBUG : LOG_LEVEL_WARNING, fmt,
	    ap);
	va_end(ap);
}

int
link_send(struct link *link, const void *msg, size_t len)
{
	return link->tp->send(link->conn, msg, len);
}

/*
 * Bytes of a stream transport (TCP, TLS) through its framer to the link,
 * until they are used or *closed says the link went meanwhile.
 */
void
link_frames(struct link *link, struct netmsg_framer *f, const int *closed,
    const uint8_t *p, size_t len)
{
	const uint8_t	*msg;
	const char	*err;
	size_t		 used, mlen;
	int		 rv;

	while (!*closed && len > 0) {
		used = netmsg_framer_feed(f, p, len);
		p += used;
		len -= used;
		while (!*closed && (rv = netmsg_framer_next(f, &msg, &mlen,
		    &err)) != 0) {
			if (rv == -1)
				link_close(link, err);
			else
				link_input(link, msg, mlen);
		}
	}
}

void
link_input(struct link *link, const uint8_t *msg, size_t len)
{
	link->last_rx = monotime();
	if (!link->established) {
		if (msg[0] == NETMSG_ROUTE)
			link_establish(link, msg, len);
		else if (msg[0] == NETMSG_REJECT)
			link_close(link, "remote node rejected the connection");
		return;
	}
	switch (msg[0]) {
	case NETMSG_DATA:
		dgram_input(link, msg, len);
		break;
	case NETMSG_ROUTE:
		link_route(link, msg, len);
		break;
	case NETMSG_SERVICE:
		svcad_input(link, msg, len);
		break;
	case NETMSG_REJECT:
		link_close(link, "remote node rejected the connection");
		break;
	default:
		link_complain(link, "Unknown message type %u from %s", msg[0],
		    link->peer);
	}
}

static void
link_establish(struct link *link, const uint8_t *msg, size_t len)
{
	struct netmsg_route	 ru;
	struct link		*other;
	const char		*err, *peer;
	char			 why[640];

	if (netmsg_route_decode(msg, len, &ru, &err) == -1) {
		link_complain(link, "bad routing update from %s: %s",
		    link->remote, err);
		return;
	}
	peer = ru.forwarding_node;
	if (peer == NULL || *peer == '\0')
		err = "it sent no node ID";
	else if (strcmp(peer, mesh_node_id()) == 0)
		err = "it tried to connect using our own node ID";
	else if (!backend_allows(link->backend, peer))
		err = "it is not in the allowed peers list";
	else if ((other = mesh_link_to(peer)) != NULL && other != link)
		err = "it connected using a node ID we are already "
		    "connected to";
	else if (link->tp->verify_peer != NULL &&
	    link->tp->verify_peer(link->conn, peer, why, sizeof(why)) == -1)
		err = why;
	else
		err = NULL;
	if (err != NULL) {
		log_error("Backend error: %s: rejected connection with node "
		    "%s because %s", mesh_node_id(), peer != NULL ? peer : "",
		    err);
		netmsg_route_free(&ru);
		link_reject(link, err);
		return;
	}
	if ((link->peer = strdup(peer)) == NULL)
		fatal("strdup");
	netmsg_route_free(&ru);
	link->cost = backend_cost(link->backend, link->peer);
	link->established = 1;
	evtimer_del(link->ev_init);
	log_info("Connection established with %s", link->peer);
	mesh_link_up(link);
}

/* Updates on an established link must keep to what it agreed (2.1.3). */
static void
link_route(struct link *link, const uint8_t *msg, size_t len)
{
	struct netmsg_route	 ru;
	const char		*err = NULL;
	char			*why = NULL;
	size_t			 i;

	if (netmsg_route_decode(msg, len, &ru, &err) == -1) {
		link_complain(link, "bad routing update from %s: %s",
		    link->peer, err);
		return;
	}
	if (strcmp(ru.forwarding_node, link->peer) != 0) {
		if (asprintf(&why, "remote node ID changed unexpectedly from "
		    "%s to %s", link->peer, ru.forwarding_node) == -1)
			fatal("asprintf");
	} else if (strcmp(ru.node_id, link->peer) == 0) {
		for (i = 0; i < ru.nconns; i++)
			if (strcmp(ru.conns[i].node, mesh_node_id()) == 0)
				break;
		if (i == ru.nconns && link->listed_us)
			err = "remote node no longer lists us as a connection";
		else if (i < ru.nconns && ru.conns[i].cost != link->cost)
			err = "we disagree about the connection cost";
		else if (i < ru.nconns)
			link->listed_us = 1;
	}
	if (why != NULL || err != NULL) {
		netmsg_route_free(&ru);
		log_error("Backend error: %s: rejected connection with node "
		    "%s because %s", mesh_node_id(), link->peer,
		    why != NULL ? why : err);
		link_reject(link, why != NULL ? why : err);
		free(why);
		return;
	}
	mesh_route_update(link, &ru);
	netmsg_route_free(&ru);
}

void
link_reject(struct link *link, const char *why)
{
	struct gjbuf	 b;

	gj_init(&b);
	netmsg_reject_encode(&b);
	if (b.err == NULL)
		(void)link_send(link, b.buf, b.len);
	gj_free(&b);
	link_close(link, why);
}

/* We end the link. */
void
link_close(struct link *link, const char *why)
{
	link->tp->close(link->conn);
	link_free(link, why);
}

/* The transport ended under the link. */
void
link_lost(struct link *link, const char *why)
{
	link_free(link, why);
}

static void
link_free(struct link *link, const char *why)
{
	struct backend	*be = link->backend;
	int		 established = link->established;

	TAILQ_REMOVE(mesh_links(), link, entry);
	event_free(link->ev_init);
	if (established)
		mesh_link_down(link);
	if (backend_dials(be)) {
		if (be->redial)
			log_warnx("Backend connection exited (will retry)%s%s",
			    why != NULL ? ": " : "", why != NULL ? why : "");
		backend_link_gone(be, link, established);
	} else
		log_debug("session with %s closed%s%s", link->remote,
		    why != NULL ? ": " : "", why != NULL ? why : "");
	free(link->peer);
	free(link);
}
