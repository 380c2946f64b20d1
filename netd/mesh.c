/*
 * The mesh: this node's identity, its links, the routing updates flooded
 * between nodes (PROTOCOL.md 2.2), the routing table, and the table of
 * node names by the hash that data messages carry.
 */
#include <sys/param.h>

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "highwayhash.h"
#include "log.h"
#include "netd.h"
#include "netmsg.h"
#include "routing.h"

#define UPDATE_ID_LEN	8

/* Another node's latest update: what makes a later one news. */
struct node_state {
	RB_ENTRY(node_state)	 entry;
	char			*name;
	uint64_t		 epoch;
	uint64_t		 sequence;
};

struct name_entry {
	RB_ENTRY(name_entry)	 entry;
	RB_ENTRY(name_entry)	 byname;
	uint64_t		 hash;
	char			*name;
};

struct seen_update {
	RB_ENTRY(seen_update)	 entry;
	char			*id;
	time_t			 when;
};

static int	node_cmp(struct node_state *, struct node_state *);
static int	name_cmp(struct name_entry *, struct name_entry *);
static int	byname_cmp(struct name_entry *, struct name_entry *);
static int	seen_cmp(struct seen_update *, struct seen_update *);
RB_HEAD(nodes, node_state);
RB_HEAD(names, name_entry);
RB_HEAD(bynames, name_entry);
RB_HEAD(seen, seen_update);
RB_PROTOTYPE_STATIC(nodes, node_state, entry, node_cmp)
RB_PROTOTYPE_STATIC(names, name_entry, entry, name_cmp)
RB_PROTOTYPE_STATIC(bynames, name_entry, byname, byname_cmp)
RB_PROTOTYPE_STATIC(seen, seen_update, entry, seen_cmp)

static struct {
	char			*id;
	uint64_t		 epoch;
	uint64_t		 sequence;
	struct routing		*routing;
	struct links		 links;
	struct nodes		 nodes;
	struct names		 names;
	struct bynames		 bynames;	/* the same, by name */
	struct seen		 seen;
	time_t			 maxidle;
	int			 need_update;
	int			 need_compute;
	int			 need_refresh;
	struct gjbuf		 last;		/* our latest update */
	time_t			 last_flood;
	struct event		*ev_periodic;
	struct event		*ev_settle;
	struct event		*ev_idle;
	struct event		*ev_sweep;
} mesh;

static void	mesh_periodic(evutil_socket_t, short, void *);
static void	mesh_settle(evutil_socket_t, short, void *);
static void	mesh_idle(evutil_socket_t, short, void *);
static void	mesh_sweep(evutil_socket_t, short, void *);
static void	mesh_schedule(int update, int compute);
static void	mesh_broadcast(uint64_t suspected_dup);
static void	mesh_replay(struct link *);
static void	mesh_relay(struct netmsg_route *, struct link *, struct link *);
static time_t	mesh_refresh_gap(void);
static time_t	mesh_per_node(time_t, time_t);
static void	mesh_update_id(char [UPDATE_ID_LEN + 1]);
static int	mesh_encode_update(struct gjbuf *, uint64_t suspected_dup);
static int	mesh_seen(const char *);
static void	mesh_log_tables(void);
static void	mesh_log_line(void *, const char *);
static struct event *timer(void (*)(evutil_socket_t, short, void *),
		    int persist_seconds);

static int
node_cmp(struct node_state *a, struct node_state *b)
{
	return strcmp(a->name, b->name);
}

static int
name_cmp(struct name_entry *a, struct name_entry *b)
{
	return a->hash < b->hash ? -1 : a->hash > b->hash;
}

static int
byname_cmp(struct name_entry *a, struct name_entry *b)
{
	return strcmp(a->name, b->name);
}

static int
seen_cmp(struct seen_update *a, struct seen_update *b)
{
	return strcmp(a->id, b->id);
}

RB_GENERATE_STATIC(nodes, node_state, entry, node_cmp)
RB_GENERATE_STATIC(names, name_entry, entry, name_cmp)
RB_GENERATE_STATIC(bynames, name_entry, byname, byname_cmp)
RB_GENERATE_STATIC(seen, seen_update, entry, seen_cmp)

static struct event *
timer(void (*cb)(evutil_socket_t, short, void *), int persist_seconds)
{
	struct timeval	 tv = { persist_seconds, 0 };
	struct event	*ev;

	ev = event_new(netd_base(), -1, persist_seconds ? EV_PERSIST : 0, cb,
	    NULL);
	if (ev == NULL)
		fatalx("mesh: event_new");
	if (persist_seconds && evtimer_add(ev, &tv) == -1)
		fatalx("mesh: evtimer_add");
	return ev;
}

/* The epoch tells this run of the node from an earlier or a duplicate. */
void
mesh_init(const char *id)
{
	if ((mesh.id = strdup(id)) == NULL)
		fatal("strdup");
	mesh.epoch = (uint64_t)time(NULL) << 24 | arc4random_uniform(1 << 24);
	mesh.routing = routing_new(id);
	TAILQ_INIT(&mesh.links);
	RB_INIT(&mesh.nodes);
	RB_INIT(&mesh.names);
	RB_INIT(&mesh.bynames);
	RB_INIT(&mesh.seen);
	mesh_learn_name(id);
	mesh.ev_periodic = timer(mesh_periodic, MESH_UPDATE_INTERVAL);
	mesh.ev_settle = timer(mesh_settle, 0);
	mesh.ev_idle = timer(mesh_idle, MESH_IDLE_CHECK);
	mesh.ev_sweep = timer(mesh_sweep, MESH_SEEN_SWEEP);
}

void
mesh_configure(const struct config *conf)
{
	struct cfg_item	*node = config_first(conf, "node");
	long long	 ns;

	ns = cfg_duration(node, "maxidleconnectiontimeout", 0);
	mesh.maxidle = ns / 1000000000LL;
	if (mesh.maxidle < MESH_IDLE_TIMEOUT)
		mesh.maxidle = MESH_IDLE_TIMEOUT;
}

const char *
mesh_node_id(void)
{
	return mesh.id;
}

struct links *
mesh_links(void)
{
	return &mesh.links;
}

struct routing *
mesh_routing(void)
{
	return mesh.routing;
}

struct link *
mesh_link_to(const char *peer)
{
	struct link	*link;

	TAILQ_FOREACH(link, &mesh.links, entry)
		if (link->established && strcmp(link->peer, peer) == 0)
			return link;
	return NULL;
}

/* The first name with a hash wins, as in Go. The name's hash. */
uint64_t
mesh_learn_name(const char *name)
{
	struct name_entry	 key, *ne;

	/* Every data message names two nodes: hash each name once only. */
	key.name = (char *)name;
	if ((ne = RB_FIND(bynames, &mesh.bynames, &key)) != NULL)
		return ne->hash;
	key.hash = node_hash(name);
	if (RB_FIND(names, &mesh.names, &key) != NULL)
		return key.hash;	/* another name's hash: it stays */
	if ((ne = calloc(1, sizeof(*ne))) == NULL ||
	    (ne->name = strdup(name)) == NULL)
		fatal("name");
	ne->hash = key.hash;
	RB_INSERT(names, &mesh.names, ne);
	RB_INSERT(bynames, &mesh.bynames, ne);
	return ne->hash;
}

const char *
mesh_name_of(uint64_t hash)
{
	struct name_entry	 key, *ne;

	key.hash = hash;
	ne = RB_FIND(names, &mesh.names, &key);
	return ne != NULL ? ne->name : NULL;
}

/* Go's: 8 random letters and digits. */
static void
mesh_update_id(char id[UPDATE_ID_LEN + 1])
{
	static const char	 alnum[] = "0123456789"
	    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
	size_t			 i;

	for (i = 0; i < UPDATE_ID_LEN; i++)
		id[i] = alnum[arc4random_uniform(sizeof(alnum) - 1)];
	id[i] = '\0';
}

static int
mesh_encode_update(struct gjbuf *b, uint64_t suspected_dup)
{
	struct netmsg_route	 ru;
	struct netmsg_conn	*conns;
	struct link		*link;
	char			 id[UPDATE_ID_LEN + 1];
	size_t			 n = 0;
	int			 rv;

	TAILQ_FOREACH(link, &mesh.links, entry)
		n += link->established;
	if ((conns = calloc(n + 1, sizeof(*conns))) == NULL)
		fatal("update");
	n = 0;
	TAILQ_FOREACH(link, &mesh.links, entry) {
		if (!link->established)
			continue;
		conns[n].node = link->peer;
		conns[n++].cost = link->cost;
	}
	mesh_update_id(id);
	memset(&ru, 0, sizeof(ru));
	ru.node_id = mesh.id;
	ru.update_id = id;
	ru.epoch = mesh.epoch;
	ru.sequence = ++mesh.sequence;
	ru.conns = conns;
	ru.nconns = n;
	ru.forwarding_node = mesh.id;
	ru.suspected_dup = suspected_dup;
	gj_init(b);
	rv = netmsg_route_encode(b, &ru);
	free(conns);
	if (rv == -1 || b->err != NULL) {
		log_warnx("cannot encode a routing update: %s", b->err);
		gj_free(b);
		return -1;
	}
	return 0;
}

/* Our update to one link: the handshake, or to a new neighbour. */
void
mesh_send_update(struct link *link)
{
	struct gjbuf	 b;

	if (mesh_encode_update(&b, 0) == -1)
		return;
	(void)link_send(link, b.buf, b.len);
	gj_free(&b);
}

/*
 * A new update of ours to every established link, if there is any; the
 * last one without a suspected duplicate is kept for mesh_periodic().
 */
static void
mesh_broadcast(uint64_t suspected_dup)
{
	struct gjbuf	 b;
	struct link	*link;

	TAILQ_FOREACH(link, &mesh.links, entry)
		if (link->established)
			break;
	if (link == NULL || mesh_encode_update(&b, suspected_dup) == -1)
		return;
	mesh_flood(NULL, b.buf, b.len);
	if (suspected_dup != 0) {
		gj_free(&b);
		return;
	}
	gj_free(&mesh.last);
	mesh.last = b;
	mesh.last_flood = monotime();
	mesh.need_refresh = 0;
}

/*
 * A new neighbour gets at once an update of every other node we route
 * to, at the sequence we last had from it and with the edges of it we
 * keep: what it knows is then as good as what we know, where Go leaves
 * it to the floods of the next 10 s. What is not news to it, it drops
 * without flooding on.
 */
static void
mesh_replay(struct link *to)
{
	struct node_state	*ns;
	struct netmsg_route	 ru;
	char			 id[UPDATE_ID_LEN + 1];

	RB_FOREACH(ns, nodes, &mesh.nodes) {
		if (strcmp(ns->name, to->peer) == 0 ||
		    routing_nexthop(mesh.routing, ns->name, NULL) == NULL)
			continue;
		memset(&ru, 0, sizeof(ru));
		ru.node_id = ns->name;
		mesh_update_id(id);
		ru.update_id = id;
		ru.epoch = ns->epoch;
		ru.sequence = ns->sequence;
		ru.nconns = routing_edges(mesh.routing, ns->name, &ru.conns);
		mesh_relay(&ru, to, NULL);
		free(ru.conns);
	}
}

/*
 * Another node's update as our own copy, we its forwarding node now: to
 * link to, or else to every link but except.
 */
static void
mesh_relay(struct netmsg_route *ru, struct link *to, struct link *except)
{
	struct gjbuf	 b;

	ru->forwarding_node = mesh.id;
	gj_init(&b);
	if (netmsg_route_encode(&b, ru) == 0 && b.err == NULL) {
		if (to != NULL)
			(void)link_send(to, b.buf, b.len);
		else
			mesh_flood(except, b.buf, b.len);
	}
	gj_free(&b);
	/* forwarding_node is ours, not the caller's. */
	ru->forwarding_node = NULL;
}

void
mesh_flood(struct link *except, const void *msg, size_t len)
{
	struct link	*link;

	TAILQ_FOREACH(link, &mesh.links, entry)
		if (link->established && link != except)
			(void)link_send(link, msg, len);
}

void
mesh_link_up(struct link *link)
{
	mesh_learn_name(link->peer);
	routing_link_up(mesh.routing, link->peer, link->cost);
	mesh_replay(link);
	mesh_schedule(1, 1);
	svcad_soon();
}

void
mesh_link_down(struct link *link)
{
	routing_link_down(mesh.routing, link->peer);
	mesh_schedule(1, 1);
}

/* Changes settle for 100 ms, then one update and one recompute. */
static void
mesh_schedule(int update, int compute)
{
	struct timeval	 tv = { 0, MESH_SETTLE_MS * 1000 };

	mesh.need_update |= update;
	mesh.need_compute |= compute;
	if (!evtimer_pending(mesh.ev_settle, NULL))
		evtimer_add(mesh.ev_settle, &tv);
}

static void
mesh_settle(evutil_socket_t fd, short events, void *arg)
{
	if (mesh.need_update)
		mesh_broadcast(0);
	if (mesh.need_compute) {
		routing_compute(mesh.routing);
		mesh_log_tables();
	}
	mesh.need_update = mesh.need_compute = 0;
}

/*
 * Go logs the whole graph and table at info after each recompute: two
 * lines a node. Past MESH_LOG_NODES that is megabytes a minute while a
 * big mesh converges, so info gets one line and debug the tables.
 */
static void
mesh_log_tables(void)
{
	size_t		 known = routing_nknown(mesh.routing);
	enum log_level	 level = LOG_LEVEL_INFO;

	if (known > MESH_LOG_NODES) {
		log_info("Routing table: %zu routes, %zu nodes known",
		    routing_nroutes(mesh.routing), known);
		level = LOG_LEVEL_DEBUG;
	}
	if (log_getlevel() >= level)
		routing_log(mesh.routing, mesh_log_line, &level);
}

static void
mesh_log_line(void *arg, const char *line)
{
	if (*(enum log_level *)arg == LOG_LEVEL_INFO)
		log_info("%s", line);
	else
		log_debug("%s", line);
}

/*
 * Go floods a new update of each node every 10 s, and each goes to every
 * node: in a mesh of n nodes, n every 10 s through each. We send our
 * latest update again instead, which keeps our links alive as Go times
 * them (a link idle 21 s ends) and which every receiver drops unforwarded
 * (Go as an update ID seen, ours for its sequence). A new one floods when
 * our links change (mesh_schedule()), here when a node new to us or a
 * new run of one has appeared, and every MESH_REFRESH_INTERVAL, or in a
 * mesh of more than 300 nodes less often: 5 a second from all of them.
 */
static void
mesh_periodic(evutil_socket_t fd, short events, void *arg)
{
	time_t	 since = monotime() - mesh.last_flood;

	if (mesh.last.buf == NULL ||
	    since >= mesh_per_node(MESH_REFRESH_INTERVAL, 5) ||
	    (mesh.need_refresh && since >= mesh_refresh_gap()))
		mesh_broadcast(0);
	else
		mesh_flood(NULL, mesh.last.buf, mesh.last.len);
}

/*
 * Between two floods of ours for new nodes: 10 s as Go's timing, longer
 * in a big mesh, so that the whole of it floods no more than 10 updates
 * a second for the nodes that start in it, however many.
 */
static time_t
mesh_refresh_gap(void)
{
	return mesh_per_node(MESH_UPDATE_INTERVAL, 10);
}

/*
 * seconds, or in a mesh of more nodes than rate * seconds, a period in
 * which all of them flood at most rate updates a second together.
 */
static time_t
mesh_per_node(time_t seconds, time_t rate)
{
	return MAX(seconds, (time_t)routing_nknown(mesh.routing) / rate);
}

static void
mesh_idle(evutil_socket_t fd, short events, void *arg)
{
	struct link	*link, *tmp;
	time_t		 now = monotime();

	TAILQ_FOREACH_SAFE(link, &mesh.links, entry, tmp) {
		if (now - link->last_rx <= mesh.maxidle)
			continue;
		log_warnx("Timing out connection %s, idle for the past %llds",
		    link->peer != NULL ? link->peer : link->remote,
		    (long long)mesh.maxidle);
		link_close(link, "idle timeout");
	}
}

/* Forget update IDs after an hour; recompute now and then regardless. */
static void
mesh_sweep(evutil_socket_t fd, short events, void *arg)
{
	struct seen_update	*su, *tmp;
	time_t			 now = monotime();

	RB_FOREACH_SAFE(su, seen, &mesh.seen, tmp) {
		if (now - su->when < MESH_SEEN_KEEP)
			continue;
		RB_REMOVE(seen, &mesh.seen, su);
		free(su->id);
		free(su);
	}
	mesh_schedule(0, 1);
}

/* Returns 1 if the ID was seen already, else records it. */
static int
mesh_seen(const char *id)
{
	struct seen_update	 key, *su;

	key.id = (char *)id;
	if (RB_FIND(seen, &mesh.seen, &key) != NULL)
		return 1;
	if ((su = calloc(1, sizeof(*su))) == NULL ||
	    (su->id = strdup(id)) == NULL)
		fatal("seen");
	su->when = monotime();
	RB_INSERT(seen, &mesh.seen, su);
	return 0;
}

static struct node_state *
node_state(const char *name, int *created)
{
	struct node_state	 key, *ns;
	size_t			 len = strlen(name);

	key.name = (char *)name;
	*created = 0;
	if ((ns = RB_FIND(nodes, &mesh.nodes, &key)) != NULL)
		return ns;
	/* One allocation for the state and its name: a mesh has many. */
	if ((ns = calloc(1, sizeof(*ns) + len + 1)) == NULL)
		fatal("node");
	ns->name = memcpy(ns + 1, name, len + 1);
	RB_INSERT(nodes, &mesh.nodes, ns);
	*created = 1;
	return ns;
}

/* A routing update from peer P on an established link (2.2). */
void
mesh_route_update(struct link *from, struct netmsg_route *ru)
{
	struct routing_edge	*edges;
	struct node_state	*ns;
	size_t			 i;
	int			 created;

	if (ru->node_id == NULL || *ru->node_id == '\0')
		return;
	if (strcmp(ru->node_id, mesh.id) == 0) {
		if (ru->epoch == mesh.epoch)
			return;
		if (ru->suspected_dup == mesh.epoch)
			fatalx("We are a duplicate node with ID %s and epoch "
			    "%llu. Shutting down.", mesh.id,
			    (unsigned long long)mesh.epoch);
		if (ru->epoch > mesh.epoch) {
			log_warnx("Duplicate node ID %s detected via %s",
			    mesh.id, from->peer);
			mesh_broadcast(ru->epoch);
		}
		return;
	}
	/*
	 * Go drops an update ID seen in the last hour before all else; any
	 * other copy of an update is dropped below for its sequence, so
	 * only a duplicate's warning, which has none, needs its ID kept.
	 * Keeping every ID would be a node's 360 an hour, times the mesh.
	 */
	if (ru->suspected_dup != 0 && mesh_seen(ru->update_id))
		return;
	ns = node_state(ru->node_id, &created);
	if (ru->suspected_dup != 0) {
		if (ns->epoch == ru->suspected_dup) {
			ns->epoch = ru->epoch;
			ns->sequence = ru->sequence;
		}
	} else {
		if (!created && (ru->epoch < ns->epoch || (ru->epoch ==
		    ns->epoch && ru->sequence <= ns->sequence)))
			return;
		if (created)
			mesh_learn_name(ru->node_id);
		/*
		 * Go sends its own update 100 ms after it first hears of a
		 * node, which then learns of it; a mesh starting up hears of
		 * a new node every moment. A new node or a new run of one
		 * (which knows nothing) gets ours as soon if the last was
		 * long enough ago, else by a later tick (mesh_periodic()).
		 */
		if (created || ru->epoch != ns->epoch) {
			if (monotime() - mesh.last_flood >= mesh_refresh_gap())
				mesh_schedule(1, 0);
			else
				mesh.need_refresh = 1;
		}
		ns->epoch = ru->epoch;
		ns->sequence = ru->sequence;
		if (ru->conns != NULL) {
			if ((edges = calloc(ru->nconns + 1,
			    sizeof(*edges))) == NULL)
				fatal("edges");
			for (i = 0; i < ru->nconns; i++) {
				edges[i].peer = ru->conns[i].node;
				edges[i].cost = ru->conns[i].cost;
			}
			if (routing_update(mesh.routing, ru->node_id, edges,
			    ru->nconns))
				mesh_schedule(0, 1);
			free(edges);
		}
	}
	mesh_relay(ru, NULL, from);
}

struct walk_state {
	struct gjbuf	*b;
	int		 open;
};

static void
status_node(void *arg, const char *node)
{
	struct walk_state	*ws = arg;

	if (ws->open)
		gj_obj_close(ws->b);
	gj_key(ws->b, node);
	gj_obj_open(ws->b);
	ws->open = 1;
}

static void
status_known_edge(void *arg, const char *node, const char *peer,
    double cost)
{
	struct walk_state	*ws = arg;

	gj_key(ws->b, peer);
	gj_float(ws->b, cost);
}

static void
status_route(void *arg, const char *dest, const char *via, double cost)
{
	struct gjbuf	*b = arg;

	gj_key(b, dest);
	gj_str(b, via);
}

/* One field of the control service's status, as Go's JSON. */
void
mesh_status(struct gjbuf *b, const char *field)
{
	struct walk_state	 ws = { b, 0 };
	struct link		*link;

	if (strcmp(field, "Connections") == 0) {
		gj_arr_open(b);
		TAILQ_FOREACH(link, &mesh.links, entry) {
			if (!link->established)
				continue;
			gj_elem(b);
			gj_obj_open(b);
			gj_key(b, "NodeID");
			gj_str(b, link->peer);
			gj_key(b, "Cost");
			gj_float(b, link->cost);
			gj_obj_close(b);
		}
		gj_arr_close(b);
	} else if (strcmp(field, "RoutingTable") == 0) {
		gj_obj_open(b);
		routing_walk_table(mesh.routing, status_route, b);
		gj_obj_close(b);
	} else if (strcmp(field, "KnownConnectionCosts") == 0) {
		gj_obj_open(b);
		routing_walk_known(mesh.routing, status_node,
		    status_known_edge, &ws);
		if (ws.open)
			gj_obj_close(b);
		gj_obj_close(b);
	}
}
