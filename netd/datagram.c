/*
 * Data messages: sending from a local service, forwarding by the routing
 * table, delivery to the services bound here, the reserved services ping
 * and unreach, and the firewall on every message (PROTOCOL.md 2.4-2.5).
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "firewall.h"
#include "log.h"
#include "netd.h"
#include "netmsg.h"
#include "routing.h"

/* By name: every stream and UDP proxy session has one of its own. */
static int	service_cmp(const struct service *, const struct service *);
RB_HEAD(services, service);
RB_PROTOTYPE_STATIC(services, service, entry, service_cmp)
static struct services	 services = RB_INITIALIZER(&services);
static struct firewall	*fw;

static void	dgram_deliver(const char *, const char *, const char *,
		    const uint8_t *, size_t);
static void	dgram_unreachable(const char *fromnode, const char *tonode,
		    const char *fromsvc, const char *tosvc, const char *);
static int	dgram_forward(const char *, const char *, const char *,
		    const char *, const void *, size_t, uint8_t,
		    const char **);

void
dgram_configure(const struct config *conf)
{
	const struct cfg_value	*rules;
	char			 err[256];

	firewall_free(fw);
	fw = NULL;
	rules = cfg_get(config_first(conf, "node"), "firewallrules");
	if (rules != NULL && rules->set &&
	    firewall_compile(rules, &fw, err, sizeof(err)) == -1)
		log_error("firewallrules: %s", err);
}

static int
service_cmp(const struct service *a, const struct service *b)
{
	return strcmp(a->name, b->name);
}

RB_GENERATE_STATIC(services, service, entry, service_cmp)

static int
reserved(const char *svc)
{
	return strcmp(svc, "ping") == 0 || strcmp(svc, "unreach") == 0;
}

struct service *
dgram_service(const char *name)
{
	struct service	 find;

	if (strlcpy(find.name, name, sizeof(find.name)) >= sizeof(find.name))
		return NULL;
	return RB_FIND(services, &services, &find);
}

/* A service called name; NULL if it is taken or reserved. */
struct service *
dgram_bind(const char *name, const struct service_ops *ops, void *arg)
{
	struct service	*s;

	if (strlen(name) > NETMSG_SVCLEN || reserved(name) ||
	    dgram_service(name) != NULL)
		return NULL;
	if ((s = calloc(1, sizeof(*s))) == NULL)
		fatal("service");
	strlcpy(s->name, name, sizeof(s->name));
	s->ops = ops;
	s->arg = arg;
	RB_INSERT(services, &services, s);
	return s;
}

/* A service of our own on an unused random 8-character name. */
struct service *
dgram_bind_ephemeral(const struct service_ops *ops, void *arg)
{
	static const char	 alnum[] = "0123456789"
	    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
	struct service		*s;
	char			 name[NETMSG_SVCLEN + 1];
	size_t			 i;

	do {
		for (i = 0; i < NETMSG_SVCLEN; i++)
			name[i] = alnum[arc4random_uniform(sizeof(alnum) - 1)];
		name[i] = '\0';
	} while ((s = dgram_bind(name, ops, arg)) == NULL);
	return s;
}

void
dgram_unbind(struct service *s)
{
	RB_REMOVE(services, &services, s);
	free(s);
}

/* Originate a message from one of our services. */
int
dgram_send(const char *fromsvc, const char *tonode, const char *tosvc,
    const void *payload, size_t len, uint8_t hops, const char **err)
{
	const char	*self = mesh_node_id();

	if (strcasecmp(tonode, "localhost") == 0)
		tonode = self;
	if (strlen(fromsvc) > NETMSG_SVCLEN || strlen(tosvc) >
	    NETMSG_SVCLEN) {
		*err = "service name too long";
		return -1;
	}
	switch (firewall_match(fw, self, fromsvc, tonode, tosvc)) {
	case FW_DROP:
		return 0;
	case FW_REJECT:
		*err = NETMSG_PROBLEM_REJECTED;
		return -1;
	case FW_ACCEPT:
		break;
	}
	if (strcmp(tonode, self) == 0) {
		if (!reserved(tosvc) && dgram_service(tosvc) == NULL) {
			*err = NETMSG_PROBLEM_UNKNOWN;
			return -1;
		}
		dgram_deliver(self, fromsvc, tosvc, payload, len);
		return 0;
	}
	/* Expiry comes before the first send too: hop 0 of traceroute. */
	if (hops == 0) {
		*err = NETMSG_PROBLEM_EXPIRED;
		return -1;
	}
	return dgram_forward(self, fromsvc, tonode, tosvc, payload, len,
	    hops, err);
}

/* Send on towards tonode; the hop count drops by one on every send. */
static int
dgram_forward(const char *fromnode, const char *fromsvc, const char *tonode,
    const char *tosvc, const void *payload, size_t len, uint8_t hops,
    const char **err)
{
	/* No allocation per message: netd forwards one at a time. */
	static uint8_t	 msg[NETMSG_MAXLEN];
	struct link	*link;
	const char	*via;
	int		 rv;

	if ((via = routing_nexthop(mesh_routing(), tonode, NULL)) == NULL) {
		*err = "no route to node";
		return -1;
	}
	if ((link = mesh_link_to(via)) == NULL) {
		*err = "no connection to next hop";
		return -1;
	}
	if (len > sizeof(msg) - NETMSG_HDRLEN) {
		*err = "message too long";
		return -1;
	}
	if (netmsg_data_hdr(msg, hops - 1, mesh_learn_name(fromnode), fromsvc,
	    mesh_learn_name(tonode), tosvc, err) == -1)
		return -1;
	memcpy(msg + NETMSG_HDRLEN, payload, len);
	rv = link_send(link, msg, NETMSG_HDRLEN + len);
	if (rv == -1)
		*err = "write error";
	return rv;
}

void
dgram_input(struct link *link, const uint8_t *msg, size_t len)
{
	struct netmsg_data	 md;
	const char		*fromnode, *tonode, *err;

	if (netmsg_data_decode(msg, len, &md, &err) == -1) {
		link_complain(link, "Error translating data to message "
		    "struct: %s", err);
		return;
	}
	fromnode = mesh_name_of(md.from_node);
	tonode = mesh_name_of(md.to_node);
	if (fromnode == NULL || tonode == NULL) {
		link_complain(link, "Error translating data to message "
		    "struct: hash not found");
		return;
	}
	switch (firewall_match(fw, fromnode, md.from_service, tonode,
	    md.to_service)) {
	case FW_DROP:
		return;
	case FW_REJECT:
		dgram_unreachable(fromnode, tonode, md.from_service,
		    md.to_service, NETMSG_PROBLEM_REJECTED);
		return;
	case FW_ACCEPT:
		break;
	}
	if (strcmp(tonode, mesh_node_id()) == 0) {
		if (!reserved(md.to_service) &&
		    dgram_service(md.to_service) == NULL)
			dgram_unreachable(fromnode, tonode, md.from_service,
			    md.to_service, NETMSG_PROBLEM_UNKNOWN);
		else
			dgram_deliver(fromnode, md.from_service,
			    md.to_service, md.payload, md.payloadlen);
		return;
	}
	if (md.hops == 0) {
		dgram_unreachable(fromnode, tonode, md.from_service,
		    md.to_service, NETMSG_PROBLEM_EXPIRED);
		return;
	}
	if (dgram_forward(fromnode, md.from_service, tonode, md.to_service,
	    md.payload, md.payloadlen, md.hops, &err) == -1)
		log_warnx("Error handling message data: %s", err);
}

/* Tell a message's sender why it went no further; never about unreach. */
static void
dgram_unreachable(const char *fromnode, const char *tonode,
    const char *fromsvc, const char *tosvc, const char *problem)
{
	struct netmsg_unreach	 un;
	struct gjbuf		 b;
	const char		*err;

	if (strcmp(fromsvc, "unreach") == 0)
		return;
	un.from_node = (char *)fromnode;
	un.to_node = (char *)tonode;
	un.from_service = (char *)fromsvc;
	un.to_service = (char *)tosvc;
	un.problem = (char *)problem;
	gj_init(&b);
	if (netmsg_unreach_encode(&b, &un) == 0 && b.err == NULL &&
	    dgram_send("unreach", fromnode, "unreach", b.buf, b.len,
	    NETMSG_MAXHOPS, &err) == -1)
		log_debug("cannot send unreachable to %s: %s", fromnode, err);
	gj_free(&b);
}

static void
dgram_deliver(const char *fromnode, const char *fromsvc, const char *tosvc,
    const uint8_t *payload, size_t len)
{
	struct netmsg_unreach	 un;
	struct service		*s;
	const char		*err;

	if (strcmp(tosvc, "ping") == 0) {
		if (dgram_send("ping", fromnode, fromsvc, "", 0,
		    NETMSG_MAXHOPS, &err) == -1)
			log_debug("cannot answer ping from %s: %s", fromnode,
			    err);
		return;
	}
	if (strcmp(tosvc, "unreach") == 0) {
		if (netmsg_unreach_decode(payload, len, &un, &err) == -1) {
			log_warnx("bad unreachable message from %s: %s",
			    fromnode, err);
			return;
		}
		log_warnx("Received unreachable message from %s: %s",
		    fromnode, un.problem);
		if ((s = dgram_service(un.from_service)) != NULL &&
		    s->ops->unreachable != NULL)
			s->ops->unreachable(s, fromnode, un.problem);
		netmsg_unreach_free(&un);
		return;
	}
	if ((s = dgram_service(tosvc)) != NULL)
		s->ops->datagram(s, fromnode, fromsvc, payload, len);
}
