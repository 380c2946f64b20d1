/*
 * The configuration file: a YAML list whose items are an action name or a
 * one-key map of action to fields (PROTOCOL 6.1), read with libyaml's
 * document API so that every item and field keeps its line and column.
 * Scalars resolve as in YAML 1.1 (Go's yaml.v2): 0600 is octal, yes is a
 * boolean, and only a string may stand for an action's bare field.
 */
#include <sys/queue.h>

#include <errno.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <yaml.h>

#include "config.h"
#include "config_local.h"

#define CFG_MAXFILE	(16 * 1024 * 1024)
/* Aliases can repeat one big list in many items; bound the total. */
#define CFG_MAXVALUES	100000

struct yparse {
	const char		*name;
	yaml_document_t		*doc;
	struct cfg_error	*err;
	size_t			 nvalues;
};

static int	 y_scalar(struct yparse *, yaml_node_t *, struct cfg_scalar *);
static int	 y_float_syntax(const char *);
static void	 y_resolve(const char *, struct cfg_scalar *);
static const char *y_nodename(yaml_node_t *);
static struct cfg_item *y_item(struct yparse *, yaml_node_t *);
static int	 y_fields(struct yparse *, struct cfg_item *, yaml_node_t *);
static int	 y_field(struct yparse *, struct cfg_item *,
		    const struct cfg_field *, yaml_node_t *);
static int	 y_list(struct yparse *, struct cfg_item *,
		    const struct cfg_field *, yaml_node_t *);
static int	 y_map(struct yparse *, struct cfg_item *,
		    const struct cfg_field *, yaml_node_t *, struct cfg_map *,
		    int rule);
static int	 y_count(struct yparse *, struct cfg_item *,
		    const struct cfg_field *, yaml_node_t *);

#define LINE(n)	((unsigned)(n)->start_mark.line + 1)
#define COL(n)	((unsigned)(n)->start_mark.column + 1)

int
config_parse_file(struct config *cf, const char *path, struct cfg_error *err)
{
	FILE	*fp;
	char	*buf = NULL, *nb;
	size_t	 len = 0, size = 0, n;
	int	 rv;

	if ((fp = fopen(path, "r")) == NULL) {
		cfg_err(err, path, 0, 0, NULL, NULL,
		    "error loading config file: %s", strerror(errno));
		return -1;
	}
	for (;;) {
		if (len == size) {
			size = size == 0 ? 8192 : size * 2;
			if (size > CFG_MAXFILE + 1 ||
			    (nb = realloc(buf, size)) == NULL) {
				cfg_err(err, path, 0, 0, NULL, NULL,
				    "error loading config file: %s",
				    size > CFG_MAXFILE + 1 ? "file too large" :
				    strerror(errno));
				free(buf);
				fclose(fp);
				return -1;
			}
			buf = nb;
		}
		if ((n = fread(buf + len, 1, size - len, fp)) == 0)
			break;
		len += n;
	}
	if (ferror(fp)) {
		cfg_err(err, path, 0, 0, NULL, NULL,
		    "error loading config file: %s", strerror(errno));
		free(buf);
		fclose(fp);
		return -1;
	}
	fclose(fp);
	rv = config_parse_buf(cf, path, buf, len, err);
	free(buf);
	return rv;
}

int
config_parse_buf(struct config *cf, const char *name, const char *buf,
    size_t len, struct cfg_error *err)
{
	yaml_parser_t		 parser;
	yaml_document_t		 doc;
	yaml_node_t		*root, *n;
	yaml_node_item_t	*ip;
	struct cfg_items	 items;
	struct cfg_item		*it;
	struct yparse		 yp;
	struct cfg_scalar	 s;
	int			 rv = -1;

	TAILQ_INIT(&items);
	if (!yaml_parser_initialize(&parser)) {
		cfg_err(err, name, 0, 0, NULL, NULL, "out of memory");
		return -1;
	}
	yaml_parser_set_input_string(&parser, (const unsigned char *)buf, len);
	if (!yaml_parser_load(&parser, &doc)) {
		if (parser.context != NULL)
			cfg_err(err, name, (unsigned)parser.problem_mark.line + 1,
			    (unsigned)parser.problem_mark.column + 1, NULL, NULL,
			    "YAML syntax error: %s %s (line %u, column %u)",
			    parser.problem, parser.context,
			    (unsigned)parser.context_mark.line + 1,
			    (unsigned)parser.context_mark.column + 1);
		else
			cfg_err(err, name, (unsigned)parser.problem_mark.line + 1,
			    (unsigned)parser.problem_mark.column + 1, NULL, NULL,
			    "YAML syntax error: %s", parser.problem != NULL ?
			    parser.problem : "out of memory");
		yaml_parser_delete(&parser);
		return -1;
	}
	memset(&yp, 0, sizeof(yp));
	yp.name = name;
	yp.doc = &doc;
	yp.err = err;

	root = yaml_document_get_root_node(&doc);
	if (root == NULL)
		rv = 0;
	else if (root->type == YAML_SCALAR_NODE) {
		if (y_scalar(&yp, root, &s) == 0) {
			if (s.kind == CFG_SC_NULL)
				rv = 0;
			else
				cfg_err(err, name, LINE(root), COL(root), NULL,
				    NULL, "expected a list of actions, got %s",
				    cfg_scalar_kindname(s.kind));
		}
	} else if (root->type != YAML_SEQUENCE_NODE)
		cfg_err(err, name, LINE(root), COL(root), NULL, NULL,
		    "expected a list of actions (\"- node: ...\"), got a map");
	else {
		rv = 0;
		for (ip = root->data.sequence.items.start;
		    ip < root->data.sequence.items.top; ip++) {
			n = yaml_document_get_node(&doc, *ip);
			if ((it = y_item(&yp, n)) == NULL) {
				rv = -1;
				break;
			}
			TAILQ_INSERT_TAIL(&items, it, entry);
		}
	}
	yaml_document_delete(&doc);
	yaml_parser_delete(&parser);

	while ((it = TAILQ_FIRST(&items)) != NULL) {
		TAILQ_REMOVE(&items, it, entry);
		if (rv == 0)
			TAILQ_INSERT_TAIL(&cf->items, it, entry);
		else
			cfg_item_free(it);
	}
	return rv;
}

/* yaml.v2's float syntax: [-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)? */
static int
y_float_syntax(const char *p)
{
	int	 n = 0;

	if (*p == '+' || *p == '-')
		p++;
	if (*p == '.') {
		p++;
		while (isdigit((unsigned char)*p)) {
			p++;
			n++;
		}
		if (n == 0)
			return 0;
	} else {
		while (isdigit((unsigned char)*p)) {
			p++;
			n++;
		}
		if (n == 0)
			return 0;
		if (*p == '.') {
			p++;
			while (isdigit((unsigned char)*p))
				p++;
		}
	}
	if (*p == 'e' || *p == 'E') {
		p++;
		if (*p == '+' || *p == '-')
			p++;
		n = 0;
		while (isdigit((unsigned char)*p)) {
			p++;
			n++;
		}
		if (n == 0)
			return 0;
	}
	return *p == '\0';
}

/* A plain scalar resolved as YAML 1.1 does (yaml.v2 resolve()). */
static void
y_resolve(const char *t, struct cfg_scalar *s)
{
	static const char *const nulls[] = { "", "~", "null", "Null", "NULL",
	    NULL };
	static const char *const yes[] = { "y", "Y", "yes", "Yes", "YES", "on",
	    "On", "ON", "true", "True", "TRUE", NULL };
	static const char *const no[] = { "n", "N", "no", "No", "NO", "off",
	    "Off", "OFF", "false", "False", "FALSE", NULL };
	char	 buf[128];
	size_t	 i, j;

	s->text = t;
	s->kind = CFG_SC_STR;
	for (i = 0; nulls[i] != NULL; i++)
		if (strcmp(t, nulls[i]) == 0) {
			s->kind = CFG_SC_NULL;
			return;
		}
	for (i = 0; yes[i] != NULL; i++)
		if (strcmp(t, yes[i]) == 0) {
			s->kind = CFG_SC_BOOL;
			s->b = 1;
			return;
		}
	for (i = 0; no[i] != NULL; i++)
		if (strcmp(t, no[i]) == 0) {
			s->kind = CFG_SC_BOOL;
			s->b = 0;
			return;
		}
	if (strchr("+-.0123456789", t[0]) == NULL || strlen(t) >= sizeof(buf))
		return;
	/* yaml.v2 drops every underscore before trying a number */
	for (i = j = 0; t[i] != '\0'; i++)
		if (t[i] != '_')
			buf[j++] = t[i];
	buf[j] = '\0';
	if (cfg_parse_int(buf, &s->i) == 0) {
		s->kind = CFG_SC_INT;
		return;
	}
	if ((y_float_syntax(buf) || strcasecmp(buf + (*buf == '+' ||
	    *buf == '-'), ".inf") == 0 || strcasecmp(buf, ".nan") == 0) &&
	    cfg_parse_float(buf, &s->d) == 0)
		s->kind = CFG_SC_FLOAT;
}

static int
y_scalar(struct yparse *yp, yaml_node_t *n, struct cfg_scalar *s)
{
	const char	*t = (const char *)n->data.scalar.value;

	memset(s, 0, sizeof(*s));
	if (strlen(t) != n->data.scalar.length) {
		cfg_err(yp->err, yp->name, LINE(n), COL(n), NULL, NULL,
		    "a string contains a NUL character");
		return -1;
	}
	/* Quoted and block scalars are strings unless tagged otherwise. */
	if (n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE &&
	    (n->tag == NULL ||
	    strcmp((const char *)n->tag, YAML_STR_TAG) == 0)) {
		s->kind = CFG_SC_STR;
		s->text = t;
		return 0;
	}
	y_resolve(t, s);
	return 0;
}

static const char *
y_nodename(yaml_node_t *n)
{
	struct cfg_scalar	 s;

	switch (n->type) {
	case YAML_SEQUENCE_NODE:
		return "a list";
	case YAML_MAPPING_NODE:
		return "a map";
	case YAML_SCALAR_NODE:
		y_resolve((const char *)n->data.scalar.value, &s);
		if (n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
			return "a string";
		return cfg_scalar_kindname(s.kind);
	default:
		return "nothing";
	}
}

static struct cfg_item *
y_item(struct yparse *yp, yaml_node_t *n)
{
	const struct cfg_action	*a;
	const struct cfg_field	*f;
	struct cfg_item		*it;
	struct cfg_scalar	 s;
	yaml_node_t		*k, *v = NULL;
	char			 q[128], names[1024];
	long			 npairs;

	if (n->type == YAML_SCALAR_NODE) {
		if (y_scalar(yp, n, &s) == -1)
			return NULL;
		if (s.kind != CFG_SC_STR) {
			cfg_err(yp->err, yp->name, LINE(n), COL(n), NULL, NULL,
			    "unknown config file format: expected an action "
			    "name or a one-key map, got %s",
			    cfg_scalar_kindname(s.kind));
			return NULL;
		}
		k = n;
	} else if (n->type == YAML_MAPPING_NODE) {
		npairs = n->data.mapping.pairs.top - n->data.mapping.pairs.start;
		if (npairs != 1) {
			cfg_err(yp->err, yp->name, LINE(n), COL(n), NULL, NULL,
			    "config format invalid: %s (write each action as "
			    "its own \"- action:\" list item)", npairs == 0 ?
			    "item has no name" : "item has multiple names");
			return NULL;
		}
		k = yaml_document_get_node(yp->doc,
		    n->data.mapping.pairs.start->key);
		v = yaml_document_get_node(yp->doc,
		    n->data.mapping.pairs.start->value);
		if (k->type != YAML_SCALAR_NODE || y_scalar(yp, k, &s) == -1 ||
		    s.kind != CFG_SC_STR) {
			cfg_err(yp->err, yp->name, LINE(k), COL(k), NULL, NULL,
			    "section key is not a string");
			return NULL;
		}
	} else {
		cfg_err(yp->err, yp->name, LINE(n), COL(n), NULL, NULL,
		    "unknown config file format: expected an action name or a "
		    "one-key map, got %s", y_nodename(n));
		return NULL;
	}
	if ((a = cfg_action_find(s.text)) == NULL) {
		cfg_list_actions(names, sizeof(names));
		cfg_quote(q, sizeof(q), s.text);
		cfg_err(yp->err, yp->name, LINE(k), COL(k), NULL, NULL,
		    "unknown config type %s (actions are lowercase: %s)", q,
		    names);
		return NULL;
	}
	if ((it = cfg_item_new(a, yp->name, LINE(k), COL(k))) == NULL) {
		cfg_err(yp->err, yp->name, LINE(k), COL(k), NULL, NULL,
		    "out of memory");
		return NULL;
	}
	if (v == NULL)
		return it;
	if (v->type == YAML_MAPPING_NODE) {
		if (y_fields(yp, it, v) == -1)
			goto bad;
		return it;
	}
	for (f = a->fields; f->name != NULL; f++)
		if (f->flags & CFGF_BARE)
			break;
	if (v->type == YAML_SCALAR_NODE) {
		if (y_scalar(yp, v, &s) == -1)
			goto bad;
		if (s.kind == CFG_SC_NULL)
			return it;
		if (s.kind == CFG_SC_STR && f->name == NULL) {
			cfg_list_names(names, sizeof(names), a);
			cfg_err(yp->err, yp->name, LINE(v), COL(v), a->name,
			    NULL, "command does not allow bare values "
			    "(expected a map of fields: %s)", names);
			goto bad;
		}
		if (s.kind == CFG_SC_STR) {
			if (y_field(yp, it, f, v) == -1)
				goto bad;
			return it;
		}
		if (f->name != NULL) {
			cfg_err(yp->err, yp->name, LINE(v), COL(v), a->name,
			    NULL, "invalid config format for %s: a bare value "
			    "must be a string, got %s %s (quote it, or write "
			    "%s: %s)", a->name, cfg_scalar_kindname(s.kind),
			    s.text, f->name, s.text);
			goto bad;
		}
	}
	cfg_err(yp->err, yp->name, LINE(v), COL(v), a->name, NULL,
	    "invalid config format for %s: expected a map of fields%s, got %s",
	    a->name, f->name != NULL ? " or a string" : "", y_nodename(v));
 bad:
	cfg_item_free(it);
	return NULL;
}

static int
y_fields(struct yparse *yp, struct cfg_item *it, yaml_node_t *m)
{
	const struct cfg_field	*f;
	yaml_node_pair_t	*pp;
	yaml_node_t		*k, *v;
	struct cfg_scalar	 s;
	struct cfg_value	*val;
	char			 q[128], names[1024];

	for (pp = m->data.mapping.pairs.start; pp < m->data.mapping.pairs.top;
	    pp++) {
		k = yaml_document_get_node(yp->doc, pp->key);
		v = yaml_document_get_node(yp->doc, pp->value);
		if (k->type != YAML_SCALAR_NODE) {
			cfg_err(yp->err, yp->name, LINE(k), COL(k),
			    it->action->name, NULL, "invalid config format "
			    "for %s: a field name must be a string, got %s",
			    it->action->name, y_nodename(k));
			return -1;
		}
		if (y_scalar(yp, k, &s) == -1)
			return -1;
		if ((f = cfg_field_find(it->action, s.text)) == NULL) {
			cfg_quote(q, sizeof(q), s.text);
			cfg_list_names(names, sizeof(names), it->action);
			cfg_err(yp->err, yp->name, LINE(k), COL(k),
			    it->action->name, NULL, "field %s not defined for "
			    "command %s (fields: %s)", q, it->action->name,
			    names);
			return -1;
		}
		val = &it->values[f - it->action->fields];
		if (val->set) {
			cfg_err(yp->err, yp->name, LINE(k), COL(k),
			    it->action->name, f->name, "given twice (also at "
			    "line %u, column %u)", val->line, val->col);
			return -1;
		}
		val->line = LINE(k);
		val->col = COL(k);
		if (y_field(yp, it, f, v) == -1)
			return -1;
	}
	return 0;
}

static int
y_count(struct yparse *yp, struct cfg_item *it, const struct cfg_field *f,
    yaml_node_t *n)
{
	if (++yp->nvalues <= CFG_MAXVALUES)
		return 0;
	cfg_err(yp->err, yp->name, LINE(n), COL(n), it->action->name,
	    f->name, "too many values in one file (more than %d)",
	    CFG_MAXVALUES);
	return -1;
}

static int
y_field(struct yparse *yp, struct cfg_item *it, const struct cfg_field *f,
    yaml_node_t *v)
{
	struct cfg_value	*val = &it->values[f - it->action->fields];
	struct cfg_scalar	 s;
	char			 why[CFG_WHYLEN];

	if (val->line == 0) {
		val->line = LINE(v);
		val->col = COL(v);
	}
	if (y_count(yp, it, f, v) == -1)
		return -1;
	switch (v->type) {
	case YAML_SCALAR_NODE:
		if (y_scalar(yp, v, &s) == -1)
			return -1;
		if (cfg_set_scalar(val, f, &s, why) == -1) {
			cfg_err(yp->err, yp->name, val->line, val->col,
			    it->action->name, f->name, "%s", why);
			return -1;
		}
		return 0;
	case YAML_SEQUENCE_NODE:
		if (f->type == CFG_LIST || f->type == CFG_RULES) {
			val->set = 1;
			return y_list(yp, it, f, v);
		}
		break;
	case YAML_MAPPING_NODE:
		if (f->type == CFG_MAP) {
			val->set = 1;
			return y_map(yp, it, f, v, &val->map, 0);
		}
		break;
	default:
		break;
	}
	cfg_err(yp->err, yp->name, val->line, val->col, it->action->name,
	    f->name, "expected %s, got %s", cfg_expect(f), y_nodename(v));
	return -1;
}

static int
y_list(struct yparse *yp, struct cfg_item *it, const struct cfg_field *f,
    yaml_node_t *l)
{
	struct cfg_value	*val = &it->values[f - it->action->fields];
	struct cfg_map		 rule, *nr;
	yaml_node_item_t	*ip;
	yaml_node_t		*e;
	struct cfg_scalar	 s;
	size_t			 i = 0;
	char			 why[CFG_WHYLEN];

	for (ip = l->data.sequence.items.start; ip < l->data.sequence.items.top;
	    ip++, i++) {
		e = yaml_document_get_node(yp->doc, *ip);
		if (y_count(yp, it, f, e) == -1)
			return -1;
		if (f->type == CFG_LIST) {
			if (e->type != YAML_SCALAR_NODE ||
			    y_scalar(yp, e, &s) == -1 ||
			    s.kind == CFG_SC_NULL) {
				cfg_err(yp->err, yp->name, LINE(e), COL(e),
				    it->action->name, f->name, "expected a "
				    "list of strings, element %zu is %s", i,
				    y_nodename(e));
				return -1;
			}
			if (cfg_list_add(val, s.text) == -1)
				goto nomem;
			continue;
		}
		if (e->type != YAML_MAPPING_NODE) {
			cfg_err(yp->err, yp->name, LINE(e), COL(e),
			    it->action->name, f->name, "error in rule %zu: "
			    "invalid firewall rule. see documentation for "
			    "syntax (expected a map, got %s)", i,
			    y_nodename(e));
			return -1;
		}
		memset(&rule, 0, sizeof(rule));
		if (y_map(yp, it, f, e, &rule, 1) == -1) {
			cfg_map_clear(&rule);
			return -1;
		}
		if (cfg_rule_check(&rule, why) == -1) {
			cfg_map_clear(&rule);
			cfg_err(yp->err, yp->name, LINE(e), COL(e),
			    it->action->name, f->name, "error in rule %zu: %s",
			    i, why);
			return -1;
		}
		if ((nr = reallocarray(val->rules, val->nrules + 1,
		    sizeof(*nr))) == NULL) {
			cfg_map_clear(&rule);
			goto nomem;
		}
		val->rules = nr;
		val->rules[val->nrules++] = rule;
	}
	return 0;
 nomem:
	cfg_err(yp->err, yp->name, LINE(l), COL(l), it->action->name, f->name,
	    "out of memory");
	return -1;
}

/* A map field (nodecost, config) or one firewall rule. */
static int
y_map(struct yparse *yp, struct cfg_item *it, const struct cfg_field *f,
    yaml_node_t *m, struct cfg_map *out, int rule)
{
	yaml_node_pair_t	*pp;
	yaml_node_t		*k, *v;
	struct cfg_scalar	 ks, vs;
	char			 num[64], q[128];
	const char		*text;
	size_t			 i;

	for (pp = m->data.mapping.pairs.start; pp < m->data.mapping.pairs.top;
	    pp++) {
		k = yaml_document_get_node(yp->doc, pp->key);
		v = yaml_document_get_node(yp->doc, pp->value);
		if (y_count(yp, it, f, k) == -1)
			return -1;
		if (k->type != YAML_SCALAR_NODE || y_scalar(yp, k, &ks) == -1 ||
		    ks.kind == CFG_SC_NULL) {
			cfg_err(yp->err, yp->name, LINE(k), COL(k),
			    it->action->name, f->name, "a key must be a "
			    "string, got %s", y_nodename(k));
			return -1;
		}
		cfg_quote(q, sizeof(q), ks.text);
		for (i = 0; i < out->npairs; i++)
			if (strcmp(out->pairs[i].key, ks.text) == 0) {
				cfg_err(yp->err, yp->name, LINE(k), COL(k),
				    it->action->name, f->name, "%s given "
				    "twice", q);
				return -1;
			}
		if (v->type != YAML_SCALAR_NODE || y_scalar(yp, v, &vs) == -1) {
			cfg_err(yp->err, yp->name, LINE(v), COL(v),
			    it->action->name, f->name, rule ?
			    "invalid firewall rule. %s must be a string" :
			    "%s: expected a string or number, got %s", q,
			    y_nodename(v));
			return -1;
		}
		text = vs.text;
		if (rule && vs.kind != CFG_SC_STR) {
			cfg_err(yp->err, yp->name, LINE(v), COL(v),
			    it->action->name, f->name, "invalid firewall "
			    "rule. %s must be a string (quote it)", q);
			return -1;
		}
		if (f->flags & CFGF_NUMMAP) {
			if (vs.kind != CFG_SC_INT && vs.kind != CFG_SC_FLOAT) {
				cfg_err(yp->err, yp->name, LINE(v), COL(v),
				    it->action->name, f->name, "invalid value "
				    "for %s: expected a number, got %s", q,
				    y_nodename(v));
				return -1;
			}
			cfg_format_float(num, sizeof(num), vs.kind ==
			    CFG_SC_INT ? (double)vs.i : vs.d);
			text = num;
		} else if (vs.kind == CFG_SC_NULL) {
			cfg_err(yp->err, yp->name, LINE(v), COL(v),
			    it->action->name, f->name, "%s: expected a string "
			    "or number, got null", q);
			return -1;
		}
		if (cfg_map_add(out, ks.text, text) == -1) {
			cfg_err(yp->err, yp->name, LINE(k), COL(k),
			    it->action->name, f->name, "out of memory");
			return -1;
		}
	}
	return 0;
}
