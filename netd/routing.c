/*
 * Mesh graph and routing table: red-black trees of nodes, each holding a
 * red-black tree of its advertised edges, and a binary heap for Dijkstra.
 */
#include <sys/tree.h>

#include <err.h>
#include <float.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "routing.h"

struct rt_edge {
	RB_ENTRY(rt_edge)	 entry;
	char			*peer;
	double			 cost;
};
RB_HEAD(rt_edges, rt_edge);

struct rt_node {
	RB_ENTRY(rt_node)	 entry;
	char			*name;
	struct rt_edges		 edges;
	/* The route from the last routing_compute(). */
	struct rt_node		*via;
	double			 cost;
	/* Dijkstra scratch. */
	double			 dist;
	struct rt_node		*hop;
	int			 done;
};
RB_HEAD(rt_nodes, rt_node);

struct routing {
	struct rt_nodes		 nodes;
	char			*self;
	size_t			 nroutes;
};

struct heap_item {
	struct rt_node		*node;
	double			 dist;
};

struct heap {
	struct heap_item	*items;
	size_t			 len, cap;
};

static int	 edge_cmp(const struct rt_edge *, const struct rt_edge *);
static int	 node_cmp(const struct rt_node *, const struct rt_node *);
static void	*xmalloc(size_t);
static char	*xstrdup(const char *);
static struct rt_node *node_find(const struct routing *, const char *);
static struct rt_node *node_get(struct routing *, const char *);
static struct rt_edge *edge_find(const struct rt_edges *, const char *);
static void	 edge_set(struct rt_edges *, const char *, double);
static void	 edge_del(struct rt_edges *, const char *);
static void	 edges_clear(struct rt_edges *);
static int	 edges_equal(const struct rt_edges *, const struct rt_edges *);
static int	 heap_before(const struct heap_item *,
		    const struct heap_item *);
static void	 heap_push(struct heap *, struct rt_node *, double);
static int	 heap_pop(struct heap *, struct heap_item *);
static void	 relax(struct heap *, struct rt_node *, struct rt_node *,
		    struct rt_node *, double);

/* libbsd's _STATIC variants need a __unused it does not define. */
RB_PROTOTYPE(rt_edges, rt_edge, entry, edge_cmp)
RB_PROTOTYPE(rt_nodes, rt_node, entry, node_cmp)
RB_GENERATE(rt_edges, rt_edge, entry, edge_cmp)
RB_GENERATE(rt_nodes, rt_node, entry, node_cmp)

static int
edge_cmp(const struct rt_edge *a, const struct rt_edge *b)
{
	return strcmp(a->peer, b->peer);
}

static int
node_cmp(const struct rt_node *a, const struct rt_node *b)
{
	return strcmp(a->name, b->name);
}

/* netd cannot route with half a graph: running out of memory is fatal. */
static void *
xmalloc(size_t len)
{
	void	*p;

	if ((p = malloc(len)) == NULL)
		err(1, "routing");
	return p;
}

static char *
xstrdup(const char *s)
{
	char	*p;

	if ((p = strdup(s)) == NULL)
		err(1, "routing");
	return p;
}

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

	if ((n = node_find(r, name)) != NULL)
		return n;
	n = xmalloc(sizeof(*n));
	memset(n, 0, sizeof(*n));
	n->name = xstrdup(name);
	RB_INIT(&n->edges);
	RB_INSERT(rt_nodes, &r->nodes, n);
	return n;
}

static struct rt_edge *
edge_find(const struct rt_edges *edges, const char *peer)
{
	struct rt_edge	 key;

	key.peer = (char *)peer;
	return RB_FIND(rt_edges, (struct rt_edges *)edges, &key);
}

static void
edge_set(struct rt_edges *edges, const char *peer, double cost)
{
	struct rt_edge	*e;

	if ((e = edge_find(edges, peer)) == NULL) {
		e = xmalloc(sizeof(*e));
		e->peer = xstrdup(peer);
		RB_INSERT(rt_edges, edges, e);
	}
	e->cost = cost;
}

static void
edge_del(struct rt_edges *edges, const char *peer)
{
	struct rt_edge	*e;

	if ((e = edge_find(edges, peer)) == NULL)
		return;
	RB_REMOVE(rt_edges, edges, e);
	free(e->peer);
	free(e);
}

static void
edges_clear(struct rt_edges *edges)
{
	struct rt_edge	*e, *next;

	RB_FOREACH_SAFE(e, rt_edges, edges, next) {
		RB_REMOVE(rt_edges, edges, e);
		free(e->peer);
		free(e);
	}
}

static int
edges_equal(const struct rt_edges *a, const struct rt_edges *b)
{
	const struct rt_edge	*x, *y;

	x = RB_MIN(rt_edges, (struct rt_edges *)a);
	y = RB_MIN(rt_edges, (struct rt_edges *)b);
	while (x != NULL && y != NULL) {
		if (strcmp(x->peer, y->peer) != 0 || x->cost != y->cost)
			return 0;
		x = RB_NEXT(rt_edges, (struct rt_edges *)a, (struct rt_edge *)x);
		y = RB_NEXT(rt_edges, (struct rt_edges *)b, (struct rt_edge *)y);
	}
	return x == NULL && y == NULL;
}

struct routing *
routing_new(const char *self)
{
	struct routing	*r;

	r = xmalloc(sizeof(*r));
	RB_INIT(&r->nodes);
	r->self = xstrdup(self);
	r->nroutes = 0;
	return r;
}

void
routing_free(struct routing *r)
{
	struct rt_node	*n, *next;

	if (r == NULL)
		return;
	RB_FOREACH_SAFE(n, rt_nodes, &r->nodes, next) {
		RB_REMOVE(rt_nodes, &r->nodes, n);
		edges_clear(&n->edges);
		free(n->name);
		free(n);
	}
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
	edge_set(&node_get(r, r->self)->edges, peer, cost);
	edge_set(&node_get(r, peer)->edges, r->self, cost);
}

void
routing_link_down(struct routing *r, const char *peer)
{
	struct rt_node	*n;

	/* Unlike link_up, Go creates no key here. */
	if ((n = node_find(r, peer)) != NULL)
		edge_del(&n->edges, r->self);
	if ((n = node_find(r, r->self)) != NULL)
		edge_del(&n->edges, peer);
}

int
routing_update(struct routing *r, const char *node,
    const struct routing_edge *edges, size_t nedges)
{
	struct rt_edges	 set;
	struct rt_node	*n, *x;
	size_t		 i;
	int		 isnew;

	RB_INIT(&set);
	for (i = 0; i < nedges; i++)
		edge_set(&set, edges[i].peer, edges[i].cost);
	isnew = (n = node_find(r, node)) == NULL;
	if (!isnew && edges_equal(&n->edges, &set)) {
		edges_clear(&set);
		return 0;
	}
	if (isnew)
		n = node_get(r, node);
	edges_clear(&n->edges);
	n->edges = set;
	RB_FOREACH(x, rt_nodes, &r->nodes) {
		if (strcmp(x->name, r->self) == 0)
			continue;
		if (edge_find(&n->edges, x->name) == NULL)
			edge_del(&x->edges, node);
	}
	return 1;
}

int
routing_known(const struct routing *r, const char *node)
{
	return node_find(r, node) != NULL;
}

int
routing_edge_cost(const struct routing *r, const char *from, const char *to,
    double *cost)
{
	struct rt_node	*n;
	struct rt_edge	*e;

	if ((n = node_find(r, from)) == NULL ||
	    (e = edge_find(&n->edges, to)) == NULL)
		return 0;
	*cost = e->cost;
	return 1;
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
heap_push(struct heap *h, struct rt_node *node, double dist)
{
	struct heap_item	 it, *items;
	size_t			 i, parent;

	if (h->len == h->cap) {
		h->cap = h->cap ? h->cap * 2 : 64;
		if ((items = reallocarray(h->items, h->cap,
		    sizeof(*items))) == NULL)
			err(1, "routing");
		h->items = items;
	}
	it.node = node;
	it.dist = dist;
	for (i = h->len++; i > 0; i = parent) {
		parent = (i - 1) / 2;
		if (!heap_before(&it, &h->items[parent]))
			break;
		h->items[i] = h->items[parent];
	}
	h->items[i] = it;
}

static int
heap_pop(struct heap *h, struct heap_item *out)
{
	struct heap_item	 last;
	size_t			 i, child;

	if (h->len == 0)
		return 0;
	*out = h->items[0];
	last = h->items[--h->len];
	for (i = 0; (child = 2 * i + 1) < h->len; i = child) {
		if (child + 1 < h->len &&
		    heap_before(&h->items[child + 1], &h->items[child]))
			child++;
		if (!heap_before(&h->items[child], &last))
			break;
		h->items[i] = h->items[child];
	}
	h->items[i] = last;
	return 1;
}

/*
 * Edge from->to with path cost d. Equal costs keep the smaller next hop:
 * with positive costs every predecessor on a shortest path is settled
 * before its successor, so the choice is final when "to" is settled.
 */
static void
relax(struct heap *h, struct rt_node *self, struct rt_node *from,
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
		heap_push(h, to, d);
	} else if (d == to->dist && to->hop != NULL &&
	    strcmp(hop->name, to->hop->name) < 0)
		to->hop = hop;
}

void
routing_compute(struct routing *r)
{
	struct heap	 h = { NULL, 0, 0 };
	struct heap_item it;
	struct rt_node	*n, *self, *to;
	struct rt_edge	*e;

	RB_FOREACH(n, rt_nodes, &r->nodes) {
		n->done = 0;
		n->hop = n->via = NULL;
		n->dist = DBL_MAX;
		n->cost = 0;
	}
	r->nroutes = 0;
	if ((self = node_find(r, r->self)) == NULL)
		return;
	self->dist = 0;
	heap_push(&h, self, 0);
	while (heap_pop(&h, &it)) {
		n = it.node;
		/* A stale entry: the node was pushed again with less. */
		if (n->done || it.dist != n->dist)
			continue;
		n->done = 1;
		RB_FOREACH(e, rt_edges, &n->edges) {
			/* Only keys are reachable, as in Go. */
			if ((to = node_find(r, e->peer)) != NULL)
				relax(&h, self, n, to, n->dist + e->cost);
		}
	}
	free(h.items);
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
		if (node_cb != NULL)
			node_cb(arg, n->name);
		if (edge_cb == NULL)
			continue;
		RB_FOREACH(e, rt_edges, &n->edges)
			edge_cb(arg, n->name, e->peer, e->cost);
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
		/* A node may have any number of peers: no fixed buffer. */
		if ((f = open_memstream(&line, &len)) == NULL)
			err(1, "routing");
		fprintf(f, "   %s: ", n->name);
		RB_FOREACH(e, rt_edges, &n->edges)
			fprintf(f, "%s(%.2f) ", e->peer, e->cost);
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
