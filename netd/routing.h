/*
 * The mesh graph and the routing table computed from it.
 *
 * The graph is Go receptor's KnownConnectionCosts: for every node N that
 * sent a routing update (or is one of our peers, or ourselves once a link
 * is up) the directed edges N->M with the cost N advertised. Nodes are
 * never forgotten; a lost node keeps an empty edge set.
 *
 * Costs are stored as given. nodecost is not applied here: netd picks the
 * cost of a link (the listener's nodecost for that peer, else its cost)
 * before it calls routing_link_up(), exactly as Go records connectionCost.
 */
#ifndef RECEPTOR_ROUTING_H
#define RECEPTOR_ROUTING_H

#include <stddef.h>

struct routing;

struct routing_edge {
	const char	*peer;
	double		 cost;
};

struct routing	*routing_new(const char *self);
void		 routing_free(struct routing *);
const char	*routing_self(const struct routing *);

/* One of our links came up: edges self->peer and peer->self. */
void		 routing_link_up(struct routing *, const char *peer, double);
/* One of our links went away: drop self->peer and peer->self. */
void		 routing_link_down(struct routing *, const char *peer);

/*
 * A routing update from node: replace its edge set (a repeated peer: the
 * last one counts) and, as Go does, delete X->node for every known X
 * other than self that the new set does not list. Returns 1 if anything
 * changed and a recompute is due, 0 if the set equals the stored one.
 * The work is in proportion to the edges of node and the edges to it.
 * A node not yet known always counts as changed, even with no edges; Go
 * leaves it unknown only for "Connections": null, which the caller skips.
 */
int		 routing_update(struct routing *, const char *node,
		    const struct routing_edge *, size_t);

/* Whether node is a key of the graph; how many keys there are. */
int		 routing_known(const struct routing *, const char *node);
size_t		 routing_nknown(const struct routing *);
/*
 * The edges of node as an update lists them, in peer order, in *conns
 * (for free(3); the names are the graph's, valid until it changes).
 */
struct netmsg_conn;
size_t		 routing_edges(const struct routing *, const char *node,
		    struct netmsg_conn **conns);
/* The cost of edge from->to; 0 if there is no such edge. */
int		 routing_edge_cost(const struct routing *, const char *from,
		    const char *to, double *);

/*
 * Recompute the table: Dijkstra from self, relaxing with a strict "<".
 * Only keys of the graph are reachable. Go breaks ties between equal-cost
 * paths by random map order; we pick the lexically smallest next hop so
 * that results are reproducible. Costs are expected to be > 0.
 */
void		 routing_compute(struct routing *);
/*
 * The next hop to dest as of the last routing_compute(), NULL if none
 * (unreachable, self, or unknown); *cost gets the path cost if not NULL.
 */
const char	*routing_nexthop(const struct routing *, const char *dest,
		    double *cost);
size_t		 routing_nroutes(const struct routing *);

/* In name order: every node with its edges in peer order. */
void		 routing_walk_known(const struct routing *,
		    void (*node_cb)(void *, const char *node),
		    void (*edge_cb)(void *, const char *node, const char *peer,
		    double cost), void *);
/* In destination order: every route of the last routing_compute(). */
void		 routing_walk_table(const struct routing *,
		    void (*)(void *, const char *dest, const char *via,
		    double cost), void *);
/*
 * The Info lines Go logs after a recompute, one call per line without a
 * newline: "Known Connections:", "   A: B(1.00) C(2.50) " (trailing
 * space), "Routing Table:", "   B via B". Sorted where Go is random.
 */
void		 routing_log(const struct routing *,
		    void (*)(void *, const char *line), void *);

#endif
