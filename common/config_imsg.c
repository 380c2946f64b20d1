/*
 * One configuration item as a typed message payload, so the parent can
 * hand each child the items of its role.  The receiver trusts nothing:
 * every count is bounded by the bytes left and every value is checked
 * against the schema before an item is built.
 *
 *	str action, str file, u32 line, u32 col, u32 implicit, u32 nfields,
 *	then per field: u32 set, and if set u32 line, u32 col and the value
 *	(str; u64; double; u32 n + n str; u32 n + n pairs of str;
 *	u32 n + n times u32 m + m pairs of str)
 */
#include <sys/queue.h>

#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "config_local.h"

/* The least a counted element takes on the wire: a tagged u32. */
#define MINELEM	5

static void	 enc_map(struct msgbuild *, const struct cfg_map *);
static int	 dec_count(struct msgread *, size_t per, uint32_t *);
static char	*dec_str(struct msgread *);
static int	 dec_map(struct msgread *, struct cfg_map *);
static int	 dec_value(struct msgread *, const struct cfg_field *,
		    struct cfg_value *);

static void
enc_map(struct msgbuild *m, const struct cfg_map *map)
{
	size_t	 i;

	msg_add_u32(m, map->npairs);
	for (i = 0; i < map->npairs; i++) {
		msg_add_str(m, map->pairs[i].key);
		msg_add_str(m, map->pairs[i].val);
	}
}

void
cfg_item_encode(const struct cfg_item *it, struct msgbuild *m)
{
	const struct cfg_field	*f;
	const struct cfg_value	*v;
	size_t			 n, i;

	for (n = 0; it->action->fields[n].name != NULL; n++)
		;
	msg_add_str(m, it->action->name);
	msg_add_str(m, it->file);
	msg_add_u32(m, it->line);
	msg_add_u32(m, it->col);
	msg_add_u32(m, it->implicit);
	msg_add_u32(m, n);
	for (f = it->action->fields; f->name != NULL; f++) {
		v = &it->values[f - it->action->fields];
		msg_add_u32(m, v->set);
		if (!v->set)
			continue;
		msg_add_u32(m, v->line);
		msg_add_u32(m, v->col);
		switch (f->type) {
		case CFG_STRING:
		case CFG_DURATION:
			msg_add_str(m, v->str);
			break;
		case CFG_INT:
		case CFG_BOOL:
			msg_add_u64(m, (uint64_t)v->num);
			break;
		case CFG_FLOAT:
			msg_add_double(m, v->real);
			break;
		case CFG_LIST:
			msg_add_u32(m, v->nlist);
			for (i = 0; i < v->nlist; i++)
				msg_add_str(m, v->list[i]);
			break;
		case CFG_MAP:
			enc_map(m, &v->map);
			break;
		case CFG_RULES:
			msg_add_u32(m, v->nrules);
			for (i = 0; i < v->nrules; i++)
				enc_map(m, &v->rules[i]);
			break;
		}
	}
}

static int
dec_count(struct msgread *r, size_t per, uint32_t *n)
{
	*n = msg_get_u32(r);
	if (r->failed || *n > r->left / per)
		return -1;
	return 0;
}

/* A non-NULL string that could have come from a config file. */
static char *
dec_str(struct msgread *r)
{
	char	*s;

	if ((s = msg_get_str(r)) == NULL)
		return NULL;
	if (!cfg_utf8_valid(s, strlen(s))) {
		free(s);
		return NULL;
	}
	return s;
}

static int
dec_map(struct msgread *r, struct cfg_map *map)
{
	uint32_t	 n, i;
	char		*k, *v;
	int		 rv;

	if (dec_count(r, 2 * MINELEM, &n) == -1)
		return -1;
	for (i = 0; i < n; i++) {
		k = dec_str(r);
		v = dec_str(r);
		rv = k != NULL && v != NULL ? cfg_map_add(map, k, v) : -1;
		free(k);
		free(v);
		if (rv == -1)
			return -1;
	}
	return 0;
}

static int
dec_value(struct msgread *r, const struct cfg_field *f, struct cfg_value *v)
{
	struct cfg_map	 rule, *nr;
	uint32_t	 n, i;
	long long	 ns;
	double		 d;
	char		*s, why[CFG_WHYLEN];

	switch (f->type) {
	case CFG_STRING:
	case CFG_DURATION:
		if ((v->str = dec_str(r)) == NULL)
			return -1;
		if (f->type == CFG_DURATION &&
		    cfg_duration_parse(v->str, &ns) == -1)
			return -1;
		break;
	case CFG_INT:
	case CFG_BOOL:
		v->num = (long long)msg_get_u64(r);
		if (f->type == CFG_BOOL && v->num != 0 && v->num != 1)
			return -1;
		break;
	case CFG_FLOAT:
		v->real = msg_get_double(r);
		break;
	case CFG_LIST:
		if (dec_count(r, MINELEM, &n) == -1)
			return -1;
		for (i = 0; i < n; i++) {
			if ((s = dec_str(r)) == NULL)
				return -1;
			if (cfg_list_add(v, s) == -1) {
				free(s);
				return -1;
			}
			free(s);
		}
		break;
	case CFG_MAP:
		if (dec_map(r, &v->map) == -1)
			return -1;
		for (i = 0; (f->flags & CFGF_NUMMAP) && i < v->map.npairs; i++)
			if (cfg_parse_float(v->map.pairs[i].val, &d) == -1)
				return -1;
		break;
	case CFG_RULES:
		if (dec_count(r, MINELEM, &n) == -1)
			return -1;
		for (i = 0; i < n; i++) {
			memset(&rule, 0, sizeof(rule));
			if (dec_map(r, &rule) == -1 ||
			    cfg_rule_check(&rule, why) == -1 ||
			    (nr = reallocarray(v->rules, v->nrules + 1,
			    sizeof(*nr))) == NULL) {
				cfg_map_clear(&rule);
				return -1;
			}
			v->rules = nr;
			v->rules[v->nrules++] = rule;
		}
		break;
	}
	return r->failed ? -1 : 0;
}

struct cfg_item *
cfg_item_decode(struct msgread *r)
{
	const struct cfg_action	*a;
	const struct cfg_field	*f;
	struct cfg_item		*it = NULL;
	struct cfg_value	*v;
	char			*name, *file;
	uint32_t		 line, col, implicit, n, set;

	name = msg_get_str(r);
	file = msg_get_str(r);
	line = msg_get_u32(r);
	col = msg_get_u32(r);
	implicit = msg_get_u32(r);
	n = msg_get_u32(r);
	if (r->failed || name == NULL || implicit > 1 ||
	    (file != NULL && !cfg_utf8_valid(file, strlen(file))) ||
	    (a = cfg_action_find(name)) == NULL ||
	    (it = cfg_item_new(a, file, line, col)) == NULL)
		goto bad;
	it->implicit = implicit;
	for (f = a->fields; f->name != NULL; f++)
		n--;
	if (n != 0)
		goto bad;
	for (f = a->fields; f->name != NULL; f++) {
		v = &it->values[f - a->fields];
		set = msg_get_u32(r);
		if (r->failed || set > 1)
			goto bad;
		if (!set)
			continue;
		v->set = 1;
		v->line = msg_get_u32(r);
		v->col = msg_get_u32(r);
		if (dec_value(r, f, v) == -1)
			goto bad;
	}
	free(name);
	free(file);
	return it;
 bad:
	r->failed = 1;
	free(name);
	free(file);
	cfg_item_free(it);
	return NULL;
}
