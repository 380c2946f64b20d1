/*
 * Mesh graph and routing table. Every name the graph mentions is one
 * node, found by name in a red-black tree; a node is a key of Go's
 * KnownConnectionCosts once it has said what it is connected to. An
 * edge sits in its source's tree, by the target's name, and in its
 * target's list of edges in: an update touches only the edges it
 * changes, and Dijkstra follows pointers rather than looking up names.
 */
#include <sys/queue.h>
#include <sys/tree.h>

#include <err.h>
#include <float.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "netmsg.h"
#include "routing.h"

struct rt_node;

struct rt_edge {
	RB_ENTRY(rt_edge)	 entry;		/* in from->out */
	LIST_ENTRY(rt_edge)	 in;		/* in to->in */
	struct rt_node		*from, *to;
	double			 cost;
};
RB_HEAD(rt_edges, rt_edge);
LIST_HEAD(rt_in, rt_edge);

struct rt_node {
	RB_ENTRY(rt_node)	 entry;
	struct rt_edges		 out;
	struct rt_in		 in;
	int			 key;
	/* The route from the last routing_compute(). */
	struct rt_node		*via;
	double			 cost;
	/* Dijkstra scratch. */
	double			 dist;
	struct rt_node		*hop;
	int			 done;
	char			*name;		/* stored after the node */
};
RB_HEAD(rt_nodes, rt_node);

struct heap_item {
	struct rt_node		*node;
	double			 dist;
};

struct routing {
	struct rt_nodes		 nodes;
	char			*self;
	size_t			 nkeys;
	size_t			 nroutes;
	/* Dijkstra's queue, kept between computes at its largest size. */
	struct heap_item	*heap;
	size_t			 heaplen, heapcap;
};

/* An update's edge, for sorting: the last of a repeated peer counts. */
struct new_edge {
	const char		*peer;
	double			 cost;
	size_t			 order;
};

static int	 edge_cmp(const struct rt_edge *, const struct rt_edge *);
static int	 node_cmp(const struct rt_node *, const struct rt_node *);
static struct rt_node *node_find(const struct routing *, const char *);
static struct rt_node *node_get(struct routing *, const char *);
static void	 node_key(struct routing *, struct rt_node *);
static void	 node_release(struct routing *, struct rt_node *);
static struct rt_edge *edge_find(const struct rt_node *, const char *);
static void	 edge_set(struct routing *, struct rt_node *, const char *,
		    double);
static void	 edge_del(struct routing *, struct rt_edge *);
static int	 new_edge_cmp(const void *, const void *);
static size_t	 new_edges(const struct routing_edge *, size_t,
		    struct new_edge **);
static int	 edges_equal(const struct rt_node *, const struct new_edge *,
		    size_t);
static int	 heap_before(const struct heap_item *,
		    const struct heap_item *);
static void	 heap_push(struct routing *, struct rt_node *, double);
static int	 heap_pop(struct routing *, struct heap_item *);
static void	 relax(struct routing *, struct rt_node *, struct rt_node *,
		    struct rt_node *, double);

/* libbsd's _STATIC variants need a __unused it does not define. */
RB_PROTOTYPE(rt_edges, rt_edge, entry, edge_cmp)
RB_PROTOTYPE(rt_nodes, rt_node, entry, node_cmp)
RB_GENERATE(rt_edges, rt_edge, entry, edge_cmp)
RB_GENERATE(rt_nodes, rt_node, entry, node_cmp)

static int
edge_cmp(const struct rt_edge *a, const struct rt_edge *b)
{
	return strcmp(a->to->name, b->to->name);
}

static int
node_cmp(const struct rt_node *a, const struct rt_node *b)
{
	return strcmp(a->name, b->name);
}

/* netd cannot route with half a graph: running out of memory is fatal. */
static struct rt_node *
node_find(const struct routing *r, const char *name)
{
	struct rt_node	 key;

	key.name = (char *)name;
	return RB_FIND(rt_nodes, (struct rt_nodes *)&r->nodes, &key);
}

static struct rt_node *
node_get(struct routing *r, const char *name)
{
	struct rt_node	*n;
	size_t		 len = strlen(name);

	if ((n = node_find(r, name)) != NULL)
		return n;
	/* One allocation for the node and its name. */
	if ((n = calloc(1, sizeof(*n) + len + 1)) == NULL)
		err(1, "routing");
	n->name = (char *)(n + 1);
	memcpy(n->name, name, len + 1);
	RB_INIT(&n->out);
	LIST_INIT(&n->in);
	RB_INSERT(rt_nodes, &r->nodes, n);
	return n;
}

static void
node_key(struct routing *r, struct rt_node *n)
{
	if (!n->key) {
		n->key = 1;
		r->nkeys++;
	}
}

/* A name nothing lists any more and that never spoke is forgotten. */
static void
node_release(struct routing *r, struct rt_node *n)
{
	if (n->key || !LIST_EMPTY(&n->in))
		return;
	RB_REMOVE(rt_nodes, &r->nodes, n);
	free(n);
}

static struct rt_edge *
edge_find(const struct rt_node *from, const char *peer)
{
	struct rt_node	 to;
	struct rt_edge	 key;

	to.name = (char *)peer;
	key.to = &to;
	return RB_FIND(rt_edges, (struct rt_edges *)&from->out, &key);
}

static void
edge_set(struct routing *r, struct rt_node *from, const char *peer,
    double cost)
{
	struct rt_edge	*e;

	if ((e = edge_find(from, peer)) == NULL) {
		if ((e = calloc(1, sizeof(*e))) == NULL)
			err(1, "routing");
		e->from = from;
		e->to = node_get(r, peer);
		RB_INSERT(rt_edges, &from->out, e);
		LIST_INSERT_HEAD(&e->to->in, e, in);
	}
	e->cost = cost;
}

static void
edge_del(struct routing *r, struct rt_edge *e)
{
	struct rt_node	*to = e->to;

	RB_REMOVE(rt_edges, &e->from->out, e);
	LIST_REMOVE(e, in);
	free(e);
	node_release(r, to);
}

struct routing *
routing_new(const char *self)
{
	struct routing	*r;

	if ((r = calloc(1, sizeof(*r))) == NULL ||
	    (r->self = strdup(self)) == NULL)
		err(1, "routing");
	RB_INIT(&r->nodes);
	return r;
}

void
routing_free(struct routing *r)
{
	struct rt_node	*n, *next;
	struct rt_edge	*e, *enext;

	if (r == NULL)
		return;
	RB_FOREACH_SAFE(n, rt_nodes, &r->nodes, next)
		RB_FOREACH_SAFE(e, rt_edges, &n->out, enext) {
			RB_REMOVE(rt_edges, &n->out, e);
			free(e);
		}
	RB_FOREACH_SAFE(n, rt_nodes, &r->nodes, next) {
		RB_REMOVE(rt_nodes, &r->nodes, n);
		free(n);
	}
	free(r->heap);
	free(r->self);
	free(r);
}

const char *
routing_self(const struct routing *r)
{
	return r->self;
}

void
routing_link_up(struct routing *r, const char *peer, double cost)
{
	struct rt_node	*self = node_get(r, r->self);
	struct rt_node	*p = node_get(r, peer);

	node_key(r, self);
	node_key(r, p);
	edge_set(r, self, peer, cost);
	edge_set(r, p, r->self, cost);
}

void
routing_link_down(struct routing *r, const char *peer)
{
	struct rt_node	*n;
	struct rt_edge	*e;

	/* Unlike link_up, Go creates no key here. */
	if ((n = node_find(r, peer)) != NULL &&
	    (e = edge_find(n, r->self)) != NULL)
		edge_del(r, e);
	if ((n = node_find(r, r->self)) != NULL &&
	    (e = edge_find(n, peer)) != NULL)
		edge_del(r, e);
}

static int
new_edge_cmp(const void *a, const void *b)
{
	const struct new_edge	*x = a, *y = b;
	int			 c;

	if ((c = strcmp(x->peer, y->peer)) != 0)
		return c;
	return x->order < y->order ? -1 : x->order > y->order;
}

/* The edges sorted by peer, each peer once with its last cost. */
static size_t
new_edges(const struct routing_edge *edges, size_t n, struct new_edge **out)
{
	struct new_edge	*v;
	size_t		 i, m = 0;

	if ((v = calloc(n + 1, sizeof(*v))) == NULL)
		err(1, "routing");
	for (i = 0; i < n; i++) {
		v[i].peer = edges[i].peer;
		v[i].cost = edges[i].cost;
		v[i].order = i;
	}
	qsort(v, n, sizeof(*v), new_edge_cmp);
	for (i = 0; i < n; i++) {
		if (i + 1 < n && strcmp(v[i].peer, v[i + 1].peer) == 0)
			continue;
		v[m++] = v[i];
	}
	*out = v;
	return m;
}

static int
edges_equal(const struct rt_node *n, const struct new_edge *v, size_t m)
{
	struct rt_edge		*e;
	size_t			 i = 0;

	RB_FOREACH(e, rt_edges, (struct rt_edges *)&n->out) {
		if (i == m || strcmp(e->to->name, v[i].peer) != 0 ||
		    e->cost != v[i].cost)
			return 0;
		i++;
	}
	return i == m;
}

int
routing_update(struct routing *r, const char *node,
    const struct routing_edge *edges, size_t nedges)
{
	struct new_edge	*v;
	struct rt_node	*n;
	struct rt_edge	*e, *next;
	size_t		 m, i;

	m = new_edges(edges, nedges, &v);
	if ((n = node_find(r, node)) != NULL && n->key &&
	    edges_equal(n, v, m)) {
		free(v);
		return 0;
	}
	n = node_get(r, node);
	node_key(r, n);
	/* Add first: a peer that stays keeps its node through the swap. */
	for (i = 0; i < m; i++)
		edge_set(r, n, v[i].peer, v[i].cost);
	/* Then drop the rest: both in name order, one pass. */
	i = 0;
	RB_FOREACH_SAFE(e, rt_edges, &n->out, next) {
		while (i < m && strcmp(v[i].peer, e->to->name) < 0)
			i++;
		if (i == m || strcmp(v[i].peer, e->to->name) != 0)
			edge_del(r, e);
	}
	free(v);
	/* As Go: X->node goes for every X but self that node no longer lists. */
	LIST_FOREACH_SAFE(e, &n->in, in, next) {
		if (strcmp(e->from->name, r->self) != 0 &&
		    edge_find(n, e->from->name) == NULL)
			edge_del(r, e);
	}
	return 1;
}

int
routing_known(const struct routing *r, const char *node)
{
	struct rt_node	*n;

	return (n = node_find(r, node)) != NULL && n->key;
}

size_t
routing_nknown(const struct routing *r)
{
	return r->nkeys;
}

int
routing_edge_cost(const struct routing *r, const char *from, const char *to,
    double *cost)
{
	struct rt_node	*n;
	struct rt_edge	*e;

	if ((n = node_find(r, from)) == NULL || (e = edge_find(n, to)) == NULL)
		return 0;
	*cost = e->cost;
	return 1;
}

size_t
routing_edges(const struct routing *r, const char *node,
    struct netmsg_conn **out)
{
	struct rt_node		*n;
	struct rt_edge		*e;
	struct netmsg_conn	*v;
	size_t			 len = 0;

	*out = NULL;
	if ((n = node_find(r, node)) == NULL)
		return 0;
	RB_FOREACH(e, rt_edges, &n->out)
		len++;
	if ((v = calloc(len + 1, sizeof(*v))) == NULL)
		err(1, "routing");
	len = 0;
	RB_FOREACH(e, rt_edges, &n->out) {
		v[len].node = e->to->name;
		v[len++].cost = e->cost;
	}
	*out = v;
	return len;
}

/* Smaller distance first; equal ones by name so the order is fixed. */
static int
heap_before(const struct heap_item *a, const struct heap_item *b)
{
	if (a->dist != b->dist)
		return a->dist < b->dist;
	return strcmp(a->node->name, b->node->name) < 0;
}

static void
heap_push(struct routing *r, struct rt_node *node, double dist)
{
	struct heap_item	 it, *items;
	size_t			 i, parent;

	if (r->heaplen == r->heapcap) {
		r->heapcap = r->heapcap ? r->heapcap * 2 : 64;
		if ((items = reallocarray(r->heap, r->heapcap,
		    sizeof(*items))) == NULL)
			err(1, "routing");
		r->heap = items;
	}
	it.node = node;
	it.dist = dist;
	for (i = r->heaplen++; i > 0; i = parent) {
		parent = (i - 1) / 2;
		if (!heap_before(&it, &r->heap[parent]))
			break;
		r->heap[i] = r->heap[parent];
	}
	r->heap[i] = it;
}

static int
heap_pop(struct routing *r, struct heap_item *out)
{
	struct heap_item	 last;
	size_t			 i, child, len;

	if (r->heaplen == 0)
		return 0;
	*out = r->heap[0];
	last = r->heap[--r->heaplen];
	len = r->heaplen;
	for (i = 0; (child = 2 * i + 1) < len; i = child) {
		if (child + 1 < len &&
		    heap_before(&r->heap[child + 1], &r->heap[child]))
			child++;
		if (!heap_before(&r->heap[child], &last))
			break;
		r->heap[i] = r->heap[child];
	}
	r->heap[i] = last;
	return 1;
}

/*
 * Edge from->to with path cost d. Equal costs keep the smaller next hop:
 * with positive costs every predecessor on a shortest path is settled
 * before its successor, so the choice is final when "to" is settled.
 */
static void
relax(struct routing *r, struct rt_node *self, struct rt_node *from,
    struct rt_node *to, double d)
{
	struct rt_node	*hop;

	if (to->done || to == self)
		return;
	hop = from == self ? to : from->hop;
	/* Unreached is DBL_MAX, Go's MaxFloat64: nothing relaxes to it. */
	if (d < to->dist) {
		to->dist = d;
		to->hop = hop;
		heap_push(r, to, d);
	} else if (d == to->dist && to->hop != NULL &&
	    strcmp(hop->name, to->hop->name) < 0)
		to->hop = hop;
}

void
routing_compute(struct routing *r)
{
	struct heap_item it;
	struct rt_node	*n, *self;
	struct rt_edge	*e;

	RB_FOREACH(n, rt_nodes, &r->nodes) {
		n->done = 0;
		n->hop = n->via = NULL;
		n->dist = DBL_MAX;
		n->cost = 0;
	}
	r->nroutes = 0;
	if ((self = node_find(r, r->self)) == NULL || !self->key)
		return;
	self->dist = 0;
	r->heaplen = 0;
	heap_push(r, self, 0);
	while (heap_pop(r, &it)) {
		n = it.node;
		/* A stale entry: the node was pushed again with less. */
		if (n->done || it.dist != n->dist)
			continue;
		n->done = 1;
		/* Only keys are reachable, as in Go. */
		RB_FOREACH(e, rt_edges, &n->out)
			if (e->to->key)
				relax(r, self, n, e->to, n->dist + e->cost);
	}
	RB_FOREACH(n, rt_nodes, &r->nodes) {
		if (n == self || n->hop == NULL)
			continue;
		n->via = n->hop;
		n->cost = n->dist;
		r->nroutes++;
	}
}

const char *
routing_nexthop(const struct routing *r, const char *dest, double *cost)
{
	struct rt_node	*n;

	if ((n = node_find(r, dest)) == NULL || n->via == NULL)
		return NULL;
	if (cost != NULL)
		*cost = n->cost;
	return n->via->name;
}

size_t
routing_nroutes(const struct routing *r)
{
	return r->nroutes;
}

void
routing_walk_known(const struct routing *r,
    void (*node_cb)(void *, const char *),
    void (*edge_cb)(void *, const char *, const char *, double), void *arg)
{
	struct rt_node	*n;
	struct rt_edge	*e;

	RB_FOREACH(n, rt_nodes, (struct rt_nodes *)&r->nodes) {
		if (!n->key)
			continue;
		if (node_cb != NULL)
			node_cb(arg, n->name);
		if (edge_cb == NULL)
			continue;
		RB_FOREACH(e, rt_edges, &n->out)
			edge_cb(arg, n->name, e->to->name, e->cost);
	}
}

void
routing_walk_table(const struct routing *r,
    void (*cb)(void *, const char *, const char *, double), void *arg)
{
	struct rt_node	*n;

	RB_FOREACH(n, rt_nodes, (struct rt_nodes *)&r->nodes)
		if (n->via != NULL)
			cb(arg, n->name, n->via->name, n->cost);
}

void
routing_log(const struct routing *r, void (*cb)(void *, const char *),
    void *arg)
{
	struct rt_node	*n;
	struct rt_edge	*e;
	FILE		*f;
	char		*line;
	size_t		 len;

	cb(arg, "Known Connections:");
	RB_FOREACH(n, rt_nodes, (struct rt_nodes *)&r->nodes) {
		if (!n->key)
			continue;
		/* A node may have any number of peers: no fixed buffer. */
		if ((f = open_memstream(&line, &len)) == NULL)
			err(1, "routing");
		fprintf(f, "   %s: ", n->name);
		RB_FOREACH(e, rt_edges, &n->out)
			fprintf(f, "%s(%.2f) ", e->to->name, e->cost);
		if (fclose(f) != 0)
			err(1, "routing");
		cb(arg, line);
		free(line);
	}
	cb(arg, "Routing Table:");
	RB_FOREACH(n, rt_nodes, (struct rt_nodes *)&r->nodes) {
		if (n->via == NULL)
			continue;
		if (asprintf(&line, "   %s via %s", n->name, n->via->name) == -1)
			err(1, "routing");
		cb(arg, line);
		free(line);
	}
}
