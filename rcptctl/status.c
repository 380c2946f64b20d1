/*
 * The status reply, as receptorctl lays it out in text, and as a
 * Graphviz graph of the mesh.
 */
#include <stdlib.h>
#include <string.h>

#include "rcptctl.h"

/* The keys status_text() shows itself; the rest is dumped at the end. */
struct nodes;

static const char *const shown[] = {
	"NodeID", "Version", "SystemCPUCount", "SystemMemoryMiB",
	"Connections", "KnownConnectionCosts", "RoutingTable",
	"Advertisements",
};

static int	present(struct json_object *);
static void	cell(FILE *, struct json_object *, int);
static const char *conn_type(struct json_object *);
static void	last_seen(FILE *, struct json_object *);
static void	work_types(FILE *, struct json_object *, const char *, int,
		    int);
static void	dot_quote(FILE *, const char *);
static int	str_cmp(const void *, const void *);
static void	nodes_add(struct nodes *, const char *);
static struct json_object *link_cost(struct json_object *, const char *,
		    const char *);

/* Python's truth of a section: neither absent, null nor empty. */
static int
present(struct json_object *o)
{
	if (o == NULL)
		return 0;
	switch (json_object_get_type(o)) {
	case json_type_null:
		return 0;
	case json_type_array:
		return json_object_array_length(o) > 0;
	case json_type_object:
		return json_object_object_length(o) > 0;
	default:
		return 1;
	}
}

/* f"{value:<width}" */
static void
cell(FILE *fp, struct json_object *o, int width)
{
	char	*s = pyjson_strdup(o);

	pyjson_pad(fp, s, width);
	free(s);
}

/*
 * Text as receptorctl prints it. Returns 0, or -1 with *missing naming a
 * field the reply lacks (receptorctl fails on the same).
 */
int
status_text(FILE *fp, struct json_object *st, const char **missing)
{
	static const char *const head[][2] = {
		{ "NodeID", "Node ID" },
		{ "Version", "Version" },
		{ "SystemCPUCount", "System CPU Count" },
		{ "SystemMemoryMiB", "System Memory MiB" },
	};
	struct json_object	*conns, *costs, *routes, *ads, *v, *rest;
	size_t			 i, n;
	int			 w = 12, len;

	for (i = 0; i < sizeof(head) / sizeof(head[0]); i++)
		if (pyjson_get(st, head[i][0]) == NULL) {
			*missing = head[i][0];
			return -1;
		}
	for (i = 0; i < sizeof(head) / sizeof(head[0]); i++) {
		fprintf(fp, "%s: ", head[i][1]);
		pyjson_str(fp, pyjson_get(st, head[i][0]));
		fputc('\n', fp);
	}
	conns = pyjson_get(st, "Connections");
	costs = pyjson_get(st, "KnownConnectionCosts");
	routes = pyjson_get(st, "RoutingTable");
	ads = pyjson_get(st, "Advertisements");

	/* The first column fits every node of these two sections. */
	if (present(conns))
		for (i = 0, n = json_object_array_length(conns); i < n; i++) {
			v = pyjson_get(json_object_array_get_idx(conns, i),
			    "NodeID");
			len = v != NULL ? pyjson_len(json_object_get_string(v)) :
			    0;
			if (len > w)
				w = len;
		}
	if (present(costs)) {
		json_object_object_foreach(costs, node, peers) {
			(void)peers;
			if ((len = pyjson_len(node)) > w)
				w = len;
		}
	}

	if (present(conns)) {
		fputc('\n', fp);
		pyjson_pad(fp, "Connection", w);
		fputs(" Cost\n", fp);
		for (i = 0, n = json_object_array_length(conns); i < n; i++) {
			v = json_object_array_get_idx(conns, i);
			cell(fp, pyjson_get(v, "NodeID"), w);
			fputc(' ', fp);
			pyjson_str(fp, pyjson_get(v, "Cost"));
			fputc('\n', fp);
		}
	}
	if (present(costs)) {
		fputc('\n', fp);
		pyjson_pad(fp, "Known Node", w);
		fputs(" Known Connections\n", fp);
		json_object_object_foreach(costs, node, peers) {
			pyjson_pad(fp, node, w);
			fputc(' ', fp);
			if (json_object_is_type(peers, json_type_object)) {
				json_object_object_foreach(peers, peer, cost) {
					fprintf(fp, "%s: ", peer);
					pyjson_str(fp, cost);
					fputc(' ', fp);
				}
			}
			fputc('\n', fp);
		}
	}
	if (present(routes)) {
		fputc('\n', fp);
		pyjson_pad(fp, "Route", w);
		fputs(" Via\n", fp);
		json_object_object_foreach(routes, node, via) {
			pyjson_pad(fp, node, w);
			fputc(' ', fp);
			pyjson_str(fp, via);
			fputc('\n', fp);
		}
	}
	if (present(ads)) {
		fputc('\n', fp);
		pyjson_pad(fp, "Node", w);
		fputs(" Service   Type       Last Seen             Tags\n", fp);
		for (i = 0, n = json_object_array_length(ads); i < n; i++) {
			v = json_object_array_get_idx(ads, i);
			cell(fp, pyjson_get(v, "NodeID"), w);
			fputc(' ', fp);
			cell(fp, pyjson_get(v, "Service"), 9);
			fputc(' ', fp);
			pyjson_pad(fp, conn_type(pyjson_get(v, "ConnType")), 10);
			fputc(' ', fp);
			last_seen(fp, pyjson_get(v, "Time"));
			fputc(' ', fp);
			/* pyjson_get() is NULL for JSON null too. */
			if (pyjson_get(v, "Tags") == NULL)
				pyjson_pad(fp, "-", 16);
			else
				cell(fp, pyjson_get(v, "Tags"), 16);
			fputc('\n', fp);
		}
		work_types(fp, ads, "Work Types", 0, w);
		work_types(fp, ads, "Secure Work Types", 1, w);
	}

	/* Whatever this version of rcptctl does not know about. */
	if ((rest = json_object_new_object()) == NULL)
		die("out of memory");
	json_object_object_foreach(st, key, val) {
		for (i = 0; i < sizeof(shown) / sizeof(shown[0]); i++)
			if (strcmp(key, shown[i]) == 0)
				break;
		if (i == sizeof(shown) / sizeof(shown[0]))
			json_object_object_add(rest, key,
			    json_object_get(val));
	}
	if (json_object_object_length(rest) > 0) {
		fputs("Additional data returned from Receptor:\n", fp);
		pyjson_dump(fp, rest);
	}
	json_object_put(rest);
	return 0;
}

static const char *
conn_type(struct json_object *o)
{
	static const char *const names[] = { "Datagram", "Stream",
	    "StreamTLS" };
	int	 t = o != NULL ? json_object_get_int(o) : -1;

	return t >= 0 && t <= 2 ? names[t] : "Unknown";
}

/* The ad's own wall clock: Go's RFC 3339 time without its zone. */
static void
last_seen(FILE *fp, struct json_object *o)
{
	const char	*s = o != NULL ? json_object_get_string(o) : "";
	char		 buf[32];
	int		 y, mo, d, h, mi, sec;

	if (sscanf(s, "%d-%d-%dT%d:%d:%d", &y, &mo, &d, &h, &mi, &sec) == 6)
		snprintf(buf, sizeof(buf), "%04d-%02d-%02d %02d:%02d:%02d",
		    y, mo, d, h, mi, sec);
	else
		strlcpy(buf, s, sizeof(buf));
	pyjson_pad(fp, buf, 21);
}

/* Per node, the work types of its first ad that lists any. */
static void
work_types(FILE *fp, struct json_object *ads, const char *header,
    int secure, int w)
{
	struct json_object	*ad, *cmds, *c, *sec, **seen;
	size_t			 i, j, n, nseen = 0, ncmds;
	int			 listed, header_done = 0;
	const char		*node;

	n = json_object_array_length(ads);
	if ((seen = calloc(n, sizeof(*seen))) == NULL)
		die("out of memory");
	for (i = 0; i < n; i++) {
		ad = json_object_array_get_idx(ads, i);
		if (!present(cmds = pyjson_get(ad, "WorkCommands")) ||
		    !json_object_is_type(cmds, json_type_array))
			continue;
		ncmds = json_object_array_length(cmds);
		for (j = 0, listed = 0; j < ncmds; j++) {
			c = json_object_array_get_idx(cmds, j);
			sec = pyjson_get(c, "Secure");
			if ((sec != NULL && json_object_get_boolean(sec)) ==
			    secure)
				listed++;
		}
		if (listed == 0)
			continue;
		node = json_object_get_string(pyjson_get(ad, "NodeID"));
		for (j = 0; j < nseen; j++)
			if (strcmp(json_object_get_string(pyjson_get(seen[j],
			    "NodeID")), node) == 0)
				break;
		if (j < nseen)
			continue;
		seen[nseen++] = ad;
		if (!header_done) {
			fputc('\n', fp);
			pyjson_pad(fp, "Node", w);
			fprintf(fp, " %s\n", header);
			header_done = 1;
		}
		pyjson_pad(fp, node, w);
		fputc(' ', fp);
		for (j = 0, listed = 0; j < ncmds; j++) {
			c = json_object_array_get_idx(cmds, j);
			sec = pyjson_get(c, "Secure");
			if ((sec != NULL && json_object_get_boolean(sec)) !=
			    secure)
				continue;
			if (listed++ > 0)
				fputs(", ", fp);
			pyjson_str(fp, pyjson_get(c, "WorkType"));
		}
		fputc('\n', fp);
	}
	free(seen);
}

static int
str_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void
dot_quote(FILE *fp, const char *s)
{
	fputc('"', fp);
	for (; *s != '\0'; s++) {
		if (*s == '"' || *s == '\\')
			fputc('\\', fp);
		fputc(*s, fp);
	}
	fputc('"', fp);
}

struct nodes {
	const char	**name;
	size_t		  n;
	size_t		  size;
};

static void
nodes_add(struct nodes *ns, const char *name)
{
	if (ns->n == ns->size) {
		ns->size = ns->size ? ns->size * 2 : 16;
		if ((ns->name = reallocarray(ns->name, ns->size,
		    sizeof(*ns->name))) == NULL)
			die("out of memory");
	}
	ns->name[ns->n++] = name;
}

/* The cost node a gave its link to b, or NULL. */
static struct json_object *
link_cost(struct json_object *costs, const char *a, const char *b)
{
	struct json_object	*peers;

	if (costs == NULL || (peers = pyjson_get(costs, a)) == NULL ||
	    !json_object_is_type(peers, json_type_object))
		return NULL;
	return pyjson_get(peers, b);
}

/*
 * The mesh as an undirected Graphviz graph: every node known, the local
 * one in bold, one edge per connected pair labelled with its cost, or
 * "a/b" while the two ends still disagree (the cost the first node of
 * the pair gives, then the second's).
 */
void
status_dot(FILE *fp, struct json_object *st)
{
	struct json_object	*costs = pyjson_get(st, "KnownConnectionCosts");
	struct json_object	*self = pyjson_get(st, "NodeID");
	struct json_object	*ab, *ba;
	struct nodes		 ns;
	size_t			 i, j;

	if (costs != NULL && !json_object_is_type(costs, json_type_object))
		costs = NULL;
	memset(&ns, 0, sizeof(ns));
	if (self != NULL)
		nodes_add(&ns, json_object_get_string(self));
	if (costs != NULL) {
		json_object_object_foreach(costs, node, peers) {
			nodes_add(&ns, node);
			if (!json_object_is_type(peers, json_type_object))
				continue;
			json_object_object_foreach(peers, peer, cost) {
				(void)cost;
				nodes_add(&ns, peer);
			}
		}
	}
	/* Each node once, in a stable order. */
	if (ns.n > 0)
		qsort(ns.name, ns.n, sizeof(*ns.name), str_cmp);
	for (i = j = 0; i < ns.n; i++)
		if (j == 0 || strcmp(ns.name[j - 1], ns.name[i]) != 0)
			ns.name[j++] = ns.name[i];
	ns.n = j;

	fputs("graph receptor {\n", fp);
	for (i = 0; i < ns.n; i++) {
		fputc('\t', fp);
		dot_quote(fp, ns.name[i]);
		if (self != NULL &&
		    strcmp(ns.name[i], json_object_get_string(self)) == 0)
			fputs(" [style=bold]", fp);
		fputs(";\n", fp);
	}
	for (i = 0; i < ns.n; i++)
		for (j = i + 1; j < ns.n; j++) {
			ab = link_cost(costs, ns.name[i], ns.name[j]);
			ba = link_cost(costs, ns.name[j], ns.name[i]);
			if (ab == NULL && ba == NULL)
				continue;
			fputc('\t', fp);
			dot_quote(fp, ns.name[i]);
			fputs(" -- ", fp);
			dot_quote(fp, ns.name[j]);
			fputs(" [label=\"", fp);
			if (ab != NULL && ba != NULL &&
			    json_object_get_double(ab) !=
			    json_object_get_double(ba)) {
				pyjson_str(fp, ab);
				fputc('/', fp);
				pyjson_str(fp, ba);
			} else
				pyjson_str(fp, ab != NULL ? ab : ba);
			fputs("\"];\n", fp);
		}
	fputs("}\n", fp);
	free(ns.name);
}
