/*
 * The mesh graph and Dijkstra of netd/routing.c: shapes, ties, asymmetric
 * costs, Go's edge deletion rule, a 100-node tree and the log lines.
 */
#include <atf-c.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "routing.h"

struct lines {
	char	 text[8192];
};

static void	 check_route(const struct routing *, const char *,
		    const char *, double);
static void	 add_line(void *, const char *);
static void	 count_route(void *, const char *, const char *, double);

static void
check_route(const struct routing *r, const char *dest, const char *via,
    double cost)
{
	const char	*got;
	double		 c = -1;

	got = routing_nexthop(r, dest, &c);
	if (via == NULL) {
		ATF_CHECK_MSG(got == NULL, "%s via %s", dest, got);
		return;
	}
	ATF_REQUIRE_MSG(got != NULL, "no route to %s", dest);
	ATF_CHECK_STREQ_MSG(got, via, "to %s", dest);
	ATF_CHECK_MSG(c == cost, "to %s: cost %g, want %g", dest, c, cost);
}

static void
add_line(void *arg, const char *line)
{
	struct lines	*l = arg;

	strlcat(l->text, line, sizeof(l->text));
	strlcat(l->text, "\n", sizeof(l->text));
}

static void
count_route(void *arg, const char *dest, const char *via, double cost)
{
	(*(size_t *)arg)++;
}

ATF_TC_WITHOUT_HEAD(line);
ATF_TC_BODY(line, tc)
{
	struct routing			*r = routing_new("a");
	const struct routing_edge	 b[] = { { "a", 1 }, { "c", 2 } };
	const struct routing_edge	 c[] = { { "b", 2 }, { "d", 3 } };
	const struct routing_edge	 d[] = { { "c", 3 } };

	routing_link_up(r, "b", 1);
	ATF_CHECK_EQ(routing_update(r, "b", b, 2), 1);
	ATF_CHECK_EQ(routing_update(r, "c", c, 2), 1);
	ATF_CHECK_EQ(routing_update(r, "d", d, 1), 1);
	routing_compute(r);
	check_route(r, "b", "b", 1);
	check_route(r, "c", "b", 3);
	check_route(r, "d", "b", 6);
	check_route(r, "a", NULL, 0);
	ATF_CHECK_EQ(routing_nroutes(r), 3);
	/* The same set again changes nothing. */
	ATF_CHECK_EQ(routing_update(r, "d", d, 1), 0);
	routing_link_down(r, "b");
	routing_compute(r);
	ATF_CHECK_EQ(routing_nroutes(r), 0);
	ATF_CHECK(routing_known(r, "b"));
	routing_free(r);
}

ATF_TC_WITHOUT_HEAD(star);
ATF_TC_BODY(star, tc)
{
	struct routing			*r = routing_new("hub");
	const struct routing_edge	 spoke[] = { { "hub", 1 } };
	char				 name[8];
	int				 i;

	for (i = 0; i < 5; i++) {
		snprintf(name, sizeof(name), "s%d", i);
		routing_link_up(r, name, 1 + i);
		routing_update(r, name, spoke, 1);
	}
	routing_compute(r);
	check_route(r, "s0", "s0", 1);
	check_route(r, "s4", "s4", 5);
	ATF_CHECK_EQ(routing_nroutes(r), 5);
	routing_free(r);
}

ATF_TC_WITHOUT_HEAD(ties);
ATF_TC_BODY(ties, tc)
{
	struct routing			*r = routing_new("a");
	const struct routing_edge	 x[] = { { "a", 1 }, { "z", 1 } };
	const struct routing_edge	 z[] = { { "x", 1 }, { "m", 1 },
					    { "y", 1 } };
	const struct routing_edge	 m[] = { { "z", 1 } };

	/* a-y-z and a-x-z cost the same: the smaller next hop wins. */
	routing_link_up(r, "y", 1);
	routing_link_up(r, "x", 1);
	routing_update(r, "y", x, 2);
	routing_update(r, "x", x, 2);
	routing_update(r, "m", m, 1);
	routing_update(r, "z", z, 3);
	routing_compute(r);
	check_route(r, "z", "x", 2);
	check_route(r, "m", "x", 3);
	/* Whatever order the links came in. */
	routing_free(r);
	r = routing_new("a");
	routing_link_up(r, "x", 1);
	routing_link_up(r, "y", 1);
	routing_update(r, "x", x, 2);
	routing_update(r, "y", x, 2);
	routing_update(r, "m", m, 1);
	routing_update(r, "z", z, 3);
	routing_compute(r);
	check_route(r, "z", "x", 2);
	check_route(r, "m", "x", 3);
	routing_free(r);
}

ATF_TC_WITHOUT_HEAD(nodecost_asymmetric);
ATF_TC_BODY(nodecost_asymmetric, tc)
{
	struct routing			*r = routing_new("a");
	const struct routing_edge	 b[] = { { "a", 2.5 }, { "c", 1 } };
	const struct routing_edge	 c[] = { { "b", 1 }, { "a", 10 } };
	double				 cost;

	/*
	 * The caller applied nodecost b=2.5 to the link; c advertises
	 * cost 10 towards us but our edge to c costs 1.
	 */
	routing_link_up(r, "b", 2.5);
	routing_link_up(r, "c", 1);
	routing_update(r, "b", b, 2);
	routing_update(r, "c", c, 2);
	routing_compute(r);
	check_route(r, "b", "c", 2);
	check_route(r, "c", "c", 1);
	ATF_CHECK(routing_edge_cost(r, "c", "a", &cost) && cost == 10);
	ATF_CHECK(routing_edge_cost(r, "a", "b", &cost) && cost == 2.5);
	ATF_CHECK(!routing_edge_cost(r, "a", "zz", &cost));
	routing_free(r);
}

ATF_TC_WITHOUT_HEAD(unreachable_nonkeys);
ATF_TC_BODY(unreachable_nonkeys, tc)
{
	struct routing			*r = routing_new("a");
	const struct routing_edge	 b[] = { { "a", 1 }, { "ghost", 1 } };

	/* Nothing is reachable before we have a link: self is no key. */
	routing_update(r, "b", b, 2);
	routing_compute(r);
	ATF_CHECK_EQ(routing_nroutes(r), 0);
	routing_link_up(r, "b", 1);
	routing_compute(r);
	check_route(r, "b", "b", 1);
	/* ghost is listed by b but never sent an update. */
	check_route(r, "ghost", NULL, 0);
	ATF_CHECK(!routing_known(r, "ghost"));
	/* An update with no edges makes a node known, yet unreachable. */
	ATF_CHECK_EQ(routing_update(r, "lone", NULL, 0), 1);
	ATF_CHECK_EQ(routing_update(r, "lone", NULL, 0), 0);
	routing_compute(r);
	check_route(r, "lone", NULL, 0);
	ATF_CHECK(routing_known(r, "lone"));
	routing_free(r);
}

ATF_TC_WITHOUT_HEAD(replace_deletes);
ATF_TC_BODY(replace_deletes, tc)
{
	struct routing			*r = routing_new("a");
	const struct routing_edge	 b1[] = { { "a", 1 }, { "c", 1 } };
	const struct routing_edge	 b2[] = { { "a", 1 } };
	const struct routing_edge	 c[] = { { "b", 1 } };
	const struct routing_edge	 dup[] = { { "a", 1 }, { "a", 4 } };
	double				 cost;

	routing_link_up(r, "b", 1);
	routing_update(r, "b", b1, 2);
	routing_update(r, "c", c, 1);
	routing_compute(r);
	check_route(r, "c", "b", 2);
	/* b drops c: c->b goes too, though c said nothing new. */
	ATF_CHECK_EQ(routing_update(r, "b", b2, 1), 1);
	ATF_CHECK(!routing_edge_cost(r, "c", "b", &cost));
	routing_compute(r);
	check_route(r, "c", NULL, 0);
	/* Our own edge a->b is never deleted by b's update. */
	ATF_CHECK_EQ(routing_update(r, "b", NULL, 0), 1);
	ATF_CHECK(routing_edge_cost(r, "a", "b", &cost));
	ATF_CHECK(!routing_edge_cost(r, "b", "a", &cost));
	/* A repeated peer: the last cost counts. */
	routing_update(r, "b", dup, 2);
	ATF_CHECK(routing_edge_cost(r, "b", "a", &cost) && cost == 4);
	routing_free(r);
}

ATF_TC_WITHOUT_HEAD(tree100);
ATF_TC_BODY(tree100, tc)
{
	struct routing		*r = routing_new("n0");
	struct routing_edge	 e[3];
	char			 names[100][8], via[8];
	size_t			 ne, i, nroutes = 0;
	const char		*got;
	double			 cost;
	int			 depth, top;

	for (i = 0; i < 100; i++)
		snprintf(names[i], sizeof(names[i]), "n%zu", i);
	/* A binary tree: node i links to (i-1)/2, 2i+1, 2i+2. */
	routing_link_up(r, "n1", 1);
	routing_link_up(r, "n2", 1);
	for (i = 1; i < 100; i++) {
		ne = 0;
		e[ne].peer = names[(i - 1) / 2];
		e[ne++].cost = 1;
		if (2 * i + 1 < 100) {
			e[ne].peer = names[2 * i + 1];
			e[ne++].cost = 1;
		}
		if (2 * i + 2 < 100) {
			e[ne].peer = names[2 * i + 2];
			e[ne++].cost = 1;
		}
		routing_update(r, names[i], e, ne);
	}
	routing_compute(r);
	routing_walk_table(r, count_route, &nroutes);
	ATF_CHECK_EQ(nroutes, 99);
	ATF_CHECK_EQ(routing_nroutes(r), 99);
	for (i = 1; i < 100; i++) {
		/* The subtree root under n0 and the depth of node i. */
		for (top = i, depth = 1; top > 2; top = (top - 1) / 2)
			depth++;
		snprintf(via, sizeof(via), "n%d", top);
		got = routing_nexthop(r, names[i], &cost);
		ATF_REQUIRE(got != NULL);
		ATF_CHECK_STREQ(got, via);
		ATF_CHECK_EQ((int)cost, depth);
	}
	/* Recomputing gives the same table. */
	routing_compute(r);
	check_route(r, "n99", "n2", 6);
	routing_free(r);
}

ATF_TC_WITHOUT_HEAD(log_format);
ATF_TC_BODY(log_format, tc)
{
	struct routing			*r = routing_new("nodeA");
	const struct routing_edge	 b[] = { { "nodeA", 1 },
					    { "nodeC", 2.345 } };
	struct lines			 l;

	routing_link_up(r, "nodeB", 1);
	routing_update(r, "nodeB", b, 2);
	routing_update(r, "nodeD", NULL, 0);
	routing_compute(r);
	memset(&l, 0, sizeof(l));
	routing_log(r, add_line, &l);
	ATF_CHECK_STREQ(l.text,
	    "Known Connections:\n"
	    "   nodeA: nodeB(1.00) \n"
	    "   nodeB: nodeA(1.00) nodeC(2.35) \n"
	    "   nodeD: \n"
	    "Routing Table:\n"
	    "   nodeB via nodeB\n");
	routing_free(r);
}

ATF_TP_ADD_TCS(tp)
{
	ATF_TP_ADD_TC(tp, line);
	ATF_TP_ADD_TC(tp, star);
	ATF_TP_ADD_TC(tp, ties);
	ATF_TP_ADD_TC(tp, nodecost_asymmetric);
	ATF_TP_ADD_TC(tp, unreachable_nonkeys);
	ATF_TP_ADD_TC(tp, replace_deletes);
	ATF_TP_ADD_TC(tp, tree100);
	ATF_TP_ADD_TC(tp, log_format);
	return atf_no_error();
}
