/*
 * netd/routing.c on synthetic meshes of 10,000 nodes, against a reference
 * written the plainest way: edge arrays, Go's deletion rule by scanning
 * every node, and Dijkstra by scanning for the nearest unsettled node.
 * Costs are small integers, so that equal-cost paths are common and the
 * tie rule (the smallest next hop by name) is tested too.
 */
#include <atf-c.h>
#include <float.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "netmsg.h"
#include "routing.h"

#define NODES		10000
#define MAXDEG		64
#define CHURN		3000

struct ref_node {
	int		 key;
	size_t		 n;
	int		 to[MAXDEG];
	double		 cost[MAXDEG];
};

static struct ref_node	 ref[NODES];
static char		 names[NODES][8];
static double		 dist[NODES];
static int		 hop[NODES], done[NODES];

static int	 ref_find(const struct ref_node *, int);
static void	 ref_set(int, int, double);
static void	 ref_del(int, int);
static void	 ref_update(int, const int *, const double *, size_t);
static void	 ref_compute(void);
static void	 link_up(struct routing *, int, double);
static void	 update(struct routing *, int, const int *, const double *,
		    size_t);
static void	 random_links(int, int *, double *, size_t *);
static void	 random_graph(void);
static void	 compare(const struct routing *);
static void	 compare_edges(const struct routing *, int);

static int
ref_find(const struct ref_node *n, int to)
{
	size_t	 i;

	for (i = 0; i < n->n; i++)
		if (n->to[i] == to)
			return (int)i;
	return -1;
}

static void
ref_set(int from, int to, double cost)
{
	struct ref_node	*n = &ref[from];
	int		 i;

	if ((i = ref_find(n, to)) == -1) {
		ATF_REQUIRE(n->n < MAXDEG);
		i = (int)n->n++;
		n->to[i] = to;
	}
	n->cost[i] = cost;
}

static void
ref_del(int from, int to)
{
	struct ref_node	*n = &ref[from];
	int		 i;

	if ((i = ref_find(n, to)) == -1)
		return;
	n->n--;
	n->to[i] = n->to[n->n];
	n->cost[i] = n->cost[n->n];
}

/* Go's rule, the long way: every node but self that node no longer lists. */
static void
ref_update(int node, const int *to, const double *cost, size_t n)
{
	size_t	 i;
	int	 x;

	ref[node].key = 1;
	ref[node].n = 0;
	for (i = 0; i < n; i++)
		ref_set(node, to[i], cost[i]);
	for (x = 1; x < NODES; x++)
		if (ref_find(&ref[node], x) == -1)
			ref_del(x, node);
}

/*
 * O(n^2) Dijkstra from node 0. A node's next hop is the smallest by name
 * of its shortest-path predecessors' next hops; every predecessor is
 * settled first, as costs are positive.
 */
static void
ref_compute(void)
{
	size_t	 i;
	int	 n, best, to, h;
	double	 d;

	for (n = 0; n < NODES; n++) {
		dist[n] = DBL_MAX;
		hop[n] = -1;
		done[n] = 0;
	}
	if (!ref[0].key)
		return;
	dist[0] = 0;
	for (;;) {
		best = -1;
		for (n = 0; n < NODES; n++)
			if (!done[n] && dist[n] != DBL_MAX &&
			    (best == -1 || dist[n] < dist[best]))
				best = n;
		if (best == -1)
			break;
		done[best] = 1;
		for (i = 0; i < ref[best].n; i++) {
			to = ref[best].to[i];
			if (!ref[to].key || to == 0)
				continue;
			d = dist[best] + ref[best].cost[i];
			h = best == 0 ? to : hop[best];
			if (d < dist[to] || (d == dist[to] &&
			    strcmp(names[h], names[hop[to]]) < 0)) {
				dist[to] = d;
				hop[to] = h;
			}
		}
	}
}

static void
link_up(struct routing *r, int peer, double cost)
{
	routing_link_up(r, names[peer], cost);
	ref[0].key = ref[peer].key = 1;
	ref_set(0, peer, cost);
	ref_set(peer, 0, cost);
}

static void
update(struct routing *r, int node, const int *to, const double *cost,
    size_t n)
{
	struct routing_edge	 e[MAXDEG];
	size_t			 i;

	for (i = 0; i < n; i++) {
		e[i].peer = names[to[i]];
		e[i].cost = cost[i];
	}
	routing_update(r, names[node], n > 0 ? e : NULL, n);
	ref_update(node, to, cost, n);
}

/* Up to 8 peers of node, never node 0 or itself, each once. */
static void
random_links(int node, int *to, double *cost, size_t *n)
{
	size_t	 want = 1 + arc4random_uniform(8), i;
	int	 p;

	*n = 0;
	while (*n < want) {
		p = 1 + (int)arc4random_uniform(NODES - 1);
		for (i = 0; i < *n && to[i] != p; i++)
			;
		if (p == node || i < *n)
			continue;
		to[*n] = p;
		cost[(*n)++] = 1 + arc4random_uniform(4);
	}
}

static void
compare(const struct routing *r)
{
	const char	*got;
	double		 cost;
	size_t		 routes = 0;
	int		 n;

	ref_compute();
	for (n = 1; n < NODES; n++) {
		got = routing_nexthop(r, names[n], &cost);
		if (hop[n] == -1) {
			ATF_REQUIRE_MSG(got == NULL, "%s via %s, want none",
			    names[n], got);
			continue;
		}
		routes++;
		ATF_REQUIRE_MSG(got != NULL, "no route to %s", names[n]);
		ATF_REQUIRE_STREQ_MSG(got, names[hop[n]], "to %s", names[n]);
		ATF_REQUIRE_MSG(cost == dist[n], "to %s: cost %g, want %g",
		    names[n], cost, dist[n]);
	}
	ATF_REQUIRE_EQ(routing_nroutes(r), routes);
	for (n = 1; n < NODES; n += 97)
		compare_edges(r, n);
}

/* What netd replays of node n to a new neighbour: its edges as kept. */
static void
compare_edges(const struct routing *r, int n)
{
	struct netmsg_conn	*conns;
	size_t			 len, i;
	int			 j;

	len = routing_edges(r, names[n], &conns);
	ATF_REQUIRE_EQ_MSG(len, ref[n].n, "%s: %zu edges, want %zu",
	    names[n], len, ref[n].n);
	for (i = 0; i < len; i++) {
		ATF_REQUIRE(sscanf(conns[i].node, "n%d", &j) == 1);
		ATF_REQUIRE_MSG(ref_find(&ref[n], j) != -1 &&
		    ref[n].cost[ref_find(&ref[n], j)] == conns[i].cost,
		    "%s: edge to %s", names[n], conns[i].node);
		if (i > 0)
			ATF_REQUIRE(strcmp(conns[i - 1].node,
			    conns[i].node) < 0);
	}
	free(conns);
}

/* A random tree and NODES / 2 more links, each way at its own cost. */
static void
random_graph(void)
{
	int	 n, a, b;

	for (n = 1; n < NODES; n++) {
		a = n > 1 ? 1 + (int)arc4random_uniform(n - 1) : 0;
		/* Node 0's are the links it has up. */
		if (a == 0 || n <= 4)
			continue;
		ref_set(n, a, 1 + arc4random_uniform(4));
		ref_set(a, n, 1 + arc4random_uniform(4));
	}
	for (n = 0; n < NODES / 2; n++) {
		a = 1 + (int)arc4random_uniform(NODES - 1);
		b = 1 + (int)arc4random_uniform(NODES - 1);
		if (a == b || ref[a].n == MAXDEG || ref[b].n == MAXDEG)
			continue;
		ref_set(a, b, 1 + arc4random_uniform(4));
		ref_set(b, a, 1 + arc4random_uniform(4));
	}
}

ATF_TC_WITHOUT_HEAD(random_mesh);
ATF_TC_BODY(random_mesh, tc)
{
	struct routing	*r = routing_new("n0");
	int		 to[MAXDEG], n, i;
	double		 cost[MAXDEG];
	size_t		 k;

	for (n = 0; n < NODES; n++)
		snprintf(names[n], sizeof(names[n]), "n%d", n);
	random_graph();
	/* Node 0's own links, then every other node's update of its own. */
	for (n = 1; n <= 4; n++)
		link_up(r, n, n);
	for (n = 1; n < NODES; n++) {
		k = ref[n].n;
		memcpy(to, ref[n].to, k * sizeof(to[0]));
		memcpy(cost, ref[n].cost, k * sizeof(cost[0]));
		update(r, n, to, cost, k);
	}
	routing_compute(r);
	ATF_CHECK(routing_nknown(r) == NODES);
	compare(r);
	ATF_CHECK(routing_nroutes(r) > NODES * 9 / 10);

	/*
	 * Churn: random new sets, which Go's rule answers by deleting the
	 * links to a node that it stops listing, and our links flapping.
	 */
	for (i = 0; i < CHURN; i++) {
		n = 1 + (int)arc4random_uniform(NODES - 1);
		random_links(n, to, cost, &k);
		update(r, n, to, cost, k);
		/* One of our links down for a while, each in turn. */
		n = 1 + i / 500 % 4;
		if (i % 500 == 0) {
			routing_link_down(r, names[n]);
			ref_del(0, n);
			ref_del(n, 0);
		} else if (i % 500 == 250)
			link_up(r, n, n);
	}
	routing_compute(r);
	compare(r);
	ATF_CHECK(routing_nroutes(r) > NODES / 2);
	routing_free(r);
}

ATF_TP_ADD_TCS(tp)
{
	ATF_TP_ADD_TC(tp, random_mesh);
	return atf_no_error();
}
