/*
 * Configuration items and values: building them, converting scalars the
 * way Go receptor's cmdline package does, accessors and error messages.
 */
#include <sys/queue.h>

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <json-c/json.h>

#include "config.h"
#include "goduration.h"
#include "config_local.h"

static void		 cfg_scalar_desc(char *, size_t,
			    const struct cfg_scalar *);
static int		 cfg_parse_bool(const char *, int *);
static char		*cfg_scalar_text(const struct cfg_scalar *);
static int		 cfg_set_json(struct cfg_value *,
			    const struct cfg_field *, const char *, char *);
static int		 cfg_json_scalar(struct json_object *, char **);
static int		 cfg_digits(const char *, int, unsigned long long *);
static void		 cfg_value_reset(struct cfg_value *);
static void		 cfg_verr(struct cfg_error *, const char *, unsigned,
			    unsigned, const char *, const char *, const char *,
			    va_list) __attribute__((format(printf, 7, 0)));
static const struct cfg_field *cfg_get_field(const struct cfg_item *,
			    const char *, const struct cfg_value **);

struct config *
config_new(void)
{
	struct config	*cf;

	if ((cf = calloc(1, sizeof(*cf))) == NULL)
		return NULL;
	TAILQ_INIT(&cf->items);
	return cf;
}

void
config_free(struct config *cf)
{
	struct cfg_item	*it;

	if (cf == NULL)
		return;
	while ((it = TAILQ_FIRST(&cf->items)) != NULL) {
		TAILQ_REMOVE(&cf->items, it, entry);
		cfg_item_free(it);
	}
	free(cf);
}

struct cfg_item *
cfg_item_new(const struct cfg_action *a, const char *file, unsigned line,
    unsigned col)
{
	struct cfg_item	*it;
	size_t		 n;

	for (n = 0; a->fields[n].name != NULL; n++)
		;
	if ((it = calloc(1, sizeof(*it))) == NULL)
		return NULL;
	if ((it->values = calloc(n + 1, sizeof(*it->values))) == NULL ||
	    (file != NULL && (it->file = strdup(file)) == NULL)) {
		free(it->values);
		free(it);
		return NULL;
	}
	it->action = a;
	it->line = line;
	it->col = col;
	return it;
}

void
cfg_map_clear(struct cfg_map *m)
{
	size_t	 i;

	for (i = 0; i < m->npairs; i++) {
		free(m->pairs[i].key);
		free(m->pairs[i].val);
	}
	free(m->pairs);
	m->pairs = NULL;
	m->npairs = 0;
}

/* Forget the value, keeping where it was given. */
static void
cfg_value_reset(struct cfg_value *v)
{
	size_t	 i;

	free(v->str);
	v->str = NULL;
	for (i = 0; i < v->nlist; i++)
		free(v->list[i]);
	free(v->list);
	v->list = NULL;
	v->nlist = 0;
	cfg_map_clear(&v->map);
	for (i = 0; i < v->nrules; i++)
		cfg_map_clear(&v->rules[i]);
	free(v->rules);
	v->rules = NULL;
	v->nrules = 0;
	v->num = 0;
	v->real = 0;
	v->set = 0;
}

void
cfg_item_free(struct cfg_item *it)
{
	size_t	 i;

	if (it == NULL)
		return;
	for (i = 0; it->action->fields[i].name != NULL; i++)
		cfg_value_reset(&it->values[i]);
	free(it->values);
	free(it->file);
	free(it);
}

int
cfg_field_index(const struct cfg_action *a, const char *name)
{
	int	 i;

	for (i = 0; a->fields[i].name != NULL; i++)
		if (strcasecmp(a->fields[i].name, name) == 0)
			return i;
	return -1;
}

/* Error messages: "where: action: field: why". */
static void
cfg_verr(struct cfg_error *err, const char *file, unsigned line, unsigned col,
    const char *action, const char *field, const char *fmt, va_list ap)
{
	size_t	 n;
	int	 r;

	if (err == NULL)
		return;
	if (file == NULL)
		r = snprintf(err->msg, sizeof(err->msg), "command line: %s%s%s",
		    action != NULL ? "--" : "", action != NULL ? action : "",
		    action != NULL ? ": " : "");
	else if (line > 0)
		r = snprintf(err->msg, sizeof(err->msg), "%s:%u:%u: %s%s",
		    file, line, col, action != NULL ? action : "",
		    action != NULL ? ": " : "");
	else
		r = snprintf(err->msg, sizeof(err->msg), "%s: %s%s", file,
		    action != NULL ? action : "", action != NULL ? ": " : "");
	n = r < 0 ? 0 : (size_t)r;
	if (field != NULL && n < sizeof(err->msg)) {
		r = snprintf(err->msg + n, sizeof(err->msg) - n, "%s: ",
		    field);
		n += r < 0 ? 0 : (size_t)r;
	}
	if (n < sizeof(err->msg))
		vsnprintf(err->msg + n, sizeof(err->msg) - n, fmt, ap);
}

void
cfg_err(struct cfg_error *err, const char *file, unsigned line, unsigned col,
    const char *action, const char *field, const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	cfg_verr(err, file, line, col, action, field, fmt, ap);
	va_end(ap);
}

/* At the field if it came from a file, else at the item. */
void
cfg_item_err(struct cfg_error *err, const struct cfg_item *it,
    const struct cfg_field *f, const char *fmt, ...)
{
	const struct cfg_value	*v = NULL;
	unsigned		 line = it->line, col = it->col;
	va_list			 ap;
	char			 why[CFG_WHYLEN];

	if (f != NULL)
		v = &it->values[f - it->action->fields];
	if (v != NULL && v->set && v->line > 0) {
		line = v->line;
		col = v->col;
	}
	va_start(ap, fmt);
	if (it->implicit) {
		vsnprintf(why, sizeof(why), fmt, ap);
		if (err != NULL)
			snprintf(err->msg, sizeof(err->msg),
			    "implicit node: %s%s%s", f != NULL ? f->name : "",
			    f != NULL ? ": " : "", why);
	} else
		cfg_verr(err, it->file, line, col, it->action->name,
		    f != NULL ? f->name : NULL, fmt, ap);
	va_end(ap);
}

/* "name1, name2, ..." of an action's fields, for unknown-field errors. */
void
cfg_list_names(char *buf, size_t len, const struct cfg_action *a)
{
	const struct cfg_field	*f;

	buf[0] = '\0';
	for (f = a->fields; f->name != NULL; f++) {
		if (f != a->fields)
			strlcat(buf, ", ", len);
		strlcat(buf, f->name, len);
	}
	if (a->fields[0].name == NULL)
		strlcat(buf, "none", len);
}

/* The actions a user may write, for unknown-action errors. */
void
cfg_list_actions(char *buf, size_t len)
{
	const struct cfg_action	*a;

	buf[0] = '\0';
	for (a = cfg_actions; a->name != NULL; a++) {
		if (a->flags & CFGA_HIDDEN)
			continue;
		if (buf[0] != '\0')
			strlcat(buf, ", ", len);
		strlcat(buf, a->name, len);
	}
}

/* A string for an error message: quoted, escaped, shortened. */
void
cfg_quote(char *buf, size_t len, const char *s)
{
	size_t	 n = 0;

	if (len < 10) {
		buf[0] = '\0';
		return;
	}
	buf[n++] = '"';
	for (; *s != '\0' && n + 9 < len; s++) {
		unsigned char c = *s;

		if (c == '"' || c == '\\') {
			buf[n++] = '\\';
			buf[n++] = c;
		} else if (c < 0x20 || c == 0x7f)
			n += snprintf(buf + n, len - n, "\\x%02x", c);
		else
			buf[n++] = c;
	}
	if (*s != '\0') {
		memcpy(buf + n, "...", 3);
		n += 3;
	}
	buf[n++] = '"';
	buf[n] = '\0';
}

const char *
cfg_scalar_kindname(enum cfg_sckind k)
{
	switch (k) {
	case CFG_SC_NULL:
		return "null";
	case CFG_SC_STR:
		return "a string";
	case CFG_SC_INT:
		return "an integer";
	case CFG_SC_FLOAT:
		return "a number";
	case CFG_SC_BOOL:
		return "a boolean";
	}
	return "?";
}

static void
cfg_scalar_desc(char *buf, size_t len, const struct cfg_scalar *s)
{
	char	 q[128];

	cfg_quote(q, sizeof(q), s->text);
	switch (s->kind) {
	case CFG_SC_NULL:
		snprintf(buf, len, "null");
		break;
	case CFG_SC_STR:
		snprintf(buf, len, "%s", q);
		break;
	default:
		snprintf(buf, len, "%s %s", cfg_scalar_kindname(s->kind),
		    s->text);
		break;
	}
}

const char *
cfg_expect(const struct cfg_field *f)
{
	switch (f->check) {
	case CFGC_PORT:
		return "an integer 1-65535";
	case CFGC_PERM:
		return "a file mode like 0600";
	case CFGC_COST:
		return "a positive number";
	case CFGC_NODECOST:
		return "a map of node IDs to positive numbers";
	case CFGC_BITS:
		return "a key size in bits";
	default:
		break;
	}
	switch (f->type) {
	case CFG_STRING:
		return "a string";
	case CFG_INT:
		return "an integer";
	case CFG_FLOAT:
		return "a number";
	case CFG_BOOL:
		return "a boolean (true or false)";
	case CFG_DURATION:
		return "a duration like 1h30m or 45s";
	case CFG_LIST:
		return "a list of strings";
	case CFG_MAP:
		return "a map of strings";
	case CFG_RULES:
		return "a list of firewall rules (maps)";
	}
	return "?";
}

/* Go's betterParseBool. */
static int
cfg_parse_bool(const char *s, int *b)
{
	static const char *const yes[] = { "1", "t", "T", "Y", "true", "TRUE",
	    "True", "yes", "Yes", "YES", NULL };
	static const char *const no[] = { "0", "f", "F", "N", "false", "FALSE",
	    "False", "no", "No", "NO", NULL };
	int	 i;

	for (i = 0; yes[i] != NULL; i++)
		if (strcmp(s, yes[i]) == 0) {
			*b = 1;
			return 0;
		}
	for (i = 0; no[i] != NULL; i++)
		if (strcmp(s, no[i]) == 0) {
			*b = 0;
			return 0;
		}
	return -1;
}

/* Digits of one base with Go's underscore rule: only between digits. */
static int
cfg_digits(const char *s, int base, unsigned long long *out)
{
	unsigned long long	 v = 0;
	int			 d, prev_us = 1, any = 0;

	for (; *s != '\0'; s++) {
		if (*s == '_') {
			if (prev_us)
				return -1;
			prev_us = 1;
			continue;
		}
		if (isdigit((unsigned char)*s))
			d = *s - '0';
		else if (isalpha((unsigned char)*s))
			d = tolower((unsigned char)*s) - 'a' + 10;
		else
			return -1;
		if (d >= base)
			return -1;
		if (v > (ULLONG_MAX - d) / base)
			return -1;
		v = v * base + d;
		prev_us = 0;
		any = 1;
	}
	if (!any || prev_us)
		return -1;
	*out = v;
	return 0;
}

/* Go's strconv.ParseInt(s, 0, 64): 0x, 0o, 0b and 0 (octal) prefixes. */
int
cfg_parse_int(const char *s, long long *out)
{
	unsigned long long	 v;
	int			 neg = 0, base = 10;

	if (*s == '+' || *s == '-')
		neg = *s++ == '-';
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
	} else if (s[0] == '0' && (s[1] == 'o' || s[1] == 'O')) {
		base = 8;
		s += 2;
	} else if (s[0] == '0' && (s[1] == 'b' || s[1] == 'B')) {
		base = 2;
		s += 2;
	} else if (s[0] == '0' && s[1] != '\0') {
		base = 8;
		s++;
	}
	if (base != 10 && *s == '_')
		s++;
	if (cfg_digits(s, base, &v) == -1)
		return -1;
	if (neg) {
		if (v > (unsigned long long)LLONG_MAX + 1)
			return -1;
		*out = v == (unsigned long long)LLONG_MAX + 1 ? LLONG_MIN :
		    -(long long)v;
	} else {
		if (v > LLONG_MAX)
			return -1;
		*out = (long long)v;
	}
	return 0;
}

/* Go's strconv.ParseFloat, plus YAML's .inf and .nan. */
int
cfg_parse_float(const char *s, double *out)
{
	const char	*p = s;
	char		*end;
	int		 neg = 0;

	if (*p == '+' || *p == '-')
		neg = *p++ == '-';
	if (strcasecmp(p, ".inf") == 0 || strcasecmp(p, "inf") == 0 ||
	    strcasecmp(p, "infinity") == 0) {
		*out = neg ? -INFINITY : INFINITY;
		return 0;
	}
	if (strcasecmp(p, ".nan") == 0 || strcasecmp(p, "nan") == 0) {
		if (p != s)
			return -1;
		*out = NAN;
		return 0;
	}
	if (!isdigit((unsigned char)*p) && *p != '.')
		return -1;
	errno = 0;
	*out = strtod(s, &end);
	if (end == s || *end != '\0' || errno == ERANGE)
		return -1;
	return 0;
}

/* Shortest text that reads back as the same double; YAML's .inf/.nan. */
void
cfg_format_float(char *buf, size_t len, double d)
{
	int	 prec;

	if (isnan(d)) {
		snprintf(buf, len, ".nan");
		return;
	}
	if (isinf(d)) {
		snprintf(buf, len, "%s.inf", d < 0 ? "-" : "");
		return;
	}
	for (prec = 1; prec <= 17; prec++) {
		snprintf(buf, len, "%.*g", prec, d);
		if (strtod(buf, NULL) == d)
			break;
	}
}

int
cfg_utf8_valid(const char *s, size_t len)
{
	const unsigned char	*p = (const unsigned char *)s;
	size_t			 i = 0, n, k;
	unsigned		 cp;

	while (i < len) {
		if (p[i] == 0)
			return 0;
		if (p[i] < 0x80) {
			i++;
			continue;
		}
		if ((p[i] & 0xe0) == 0xc0) {
			n = 1;
			cp = p[i] & 0x1f;
		} else if ((p[i] & 0xf0) == 0xe0) {
			n = 2;
			cp = p[i] & 0x0f;
		} else if ((p[i] & 0xf8) == 0xf0) {
			n = 3;
			cp = p[i] & 0x07;
		} else
			return 0;
		for (k = 1; k <= n; k++) {
			if (i + k >= len || (p[i + k] & 0xc0) != 0x80)
				return 0;
			cp = cp << 6 | (p[i + k] & 0x3f);
		}
		if ((n == 1 && cp < 0x80) || (n == 2 && cp < 0x800) ||
		    (n == 3 && cp < 0x10000) || cp > 0x10ffff ||
		    (cp >= 0xd800 && cp <= 0xdfff))
			return 0;
		i += n + 1;
	}
	return 1;
}

/* A scalar as Go's setValue() turns it into a string field. */
static char *
cfg_scalar_text(const struct cfg_scalar *s)
{
	char	 buf[64];

	switch (s->kind) {
	case CFG_SC_INT:
		snprintf(buf, sizeof(buf), "%lld", s->i);
		break;
	case CFG_SC_FLOAT:
		if (isnan(s->d))
			snprintf(buf, sizeof(buf), "NaN");
		else if (isinf(s->d))
			snprintf(buf, sizeof(buf), "%cInf", s->d < 0 ? '-' : '+');
		else
			snprintf(buf, sizeof(buf), "%f", s->d);
		break;
	case CFG_SC_BOOL:
		snprintf(buf, sizeof(buf), "%s", s->b ? "true" : "false");
		break;
	default:
		return strdup(s->text);
	}
	return strdup(buf);
}

int
cfg_list_add(struct cfg_value *v, const char *s)
{
	char	**nl, *d;

	if ((d = strdup(s)) == NULL)
		return -1;
	if ((nl = reallocarray(v->list, v->nlist + 1, sizeof(*nl))) == NULL) {
		free(d);
		return -1;
	}
	v->list = nl;
	v->list[v->nlist++] = d;
	return 0;
}

int
cfg_map_add(struct cfg_map *m, const char *k, const char *val)
{
	struct cfg_pair	*np;
	char		*dk, *dv;

	dk = strdup(k);
	dv = strdup(val);
	np = reallocarray(m->pairs, m->npairs + 1, sizeof(*np));
	if (dk == NULL || dv == NULL || np == NULL) {
		free(dk);
		free(dv);
		if (np != NULL)
			m->pairs = np;
		return -1;
	}
	m->pairs = np;
	m->pairs[m->npairs].key = dk;
	m->pairs[m->npairs].val = dv;
	m->npairs++;
	return 0;
}

/*
 * One firewall rule (PROTOCOL 2.10): keys are lowercased here, must be
 * known and given once, and the action must be one Go knows.
 */
int
cfg_rule_check(struct cfg_map *m, char *why)
{
	static const char *const keys[] = { "action", "fromnode", "tonode",
	    "fromservice", "toservice", NULL };
	const char	*action = NULL;
	char		 q[128], *p;
	size_t		 i, j;
	int		 k;

	for (i = 0; i < m->npairs; i++) {
		for (p = m->pairs[i].key; *p != '\0'; p++)
			*p = tolower((unsigned char)*p);
		for (k = 0; keys[k] != NULL; k++)
			if (strcmp(keys[k], m->pairs[i].key) == 0)
				break;
		cfg_quote(q, sizeof(q), m->pairs[i].key);
		if (keys[k] == NULL) {
			snprintf(why, CFG_WHYLEN, "invalid firewall rule. "
			    "unknown key: %s (expected action, fromnode, "
			    "tonode, fromservice, toservice)", q);
			return -1;
		}
		for (j = 0; j < i; j++)
			if (strcmp(m->pairs[j].key, m->pairs[i].key) == 0) {
				snprintf(why, CFG_WHYLEN, "invalid firewall "
				    "rule. %s given twice", q);
				return -1;
			}
		if (k == 0)
			action = m->pairs[i].val;
	}
	if (action == NULL) {
		snprintf(why, CFG_WHYLEN, "invalid firewall rule. action is "
		    "missing (expected accept, reject or drop)");
		return -1;
	}
	if (strcasecmp(action, "accept") != 0 &&
	    strcasecmp(action, "reject") != 0 &&
	    strcasecmp(action, "drop") != 0) {
		cfg_quote(q, sizeof(q), action);
		snprintf(why, CFG_WHYLEN, "unknown action: %s (expected "
		    "accept, reject or drop)", q);
		return -1;
	}
	return 0;
}

/* A JSON scalar as map text; nested values are refused. */
static int
cfg_json_scalar(struct json_object *o, char **out)
{
	char	 buf[64];

	switch (json_object_get_type(o)) {
	case json_type_string:
		if (strlen(json_object_get_string(o)) !=
		    (size_t)json_object_get_string_len(o))
			return -1;
		*out = strdup(json_object_get_string(o));
		break;
	case json_type_int:
		snprintf(buf, sizeof(buf), "%lld",
		    (long long)json_object_get_int64(o));
		*out = strdup(buf);
		break;
	case json_type_double:
		cfg_format_float(buf, sizeof(buf), json_object_get_double(o));
		*out = strdup(buf);
		break;
	case json_type_boolean:
		*out = strdup(json_object_get_boolean(o) ? "true" : "false");
		break;
	default:
		return -1;
	}
	return *out == NULL ? -1 : 0;
}

/* Lists, maps and rules given as a JSON string, like Go's cmdline. */
static int
cfg_set_json(struct cfg_value *v, const struct cfg_field *f, const char *s,
    char *why)
{
	struct json_tokener	*tok;
	struct json_object	*o, *e;
	struct cfg_value	 nv;
	struct cfg_map		 rule;
	struct cfg_map		*nr;
	size_t			 i, n, len = strlen(s), end;
	char			*text, q[128];
	double			 d;

	memset(&nv, 0, sizeof(nv));
	if ((tok = json_tokener_new()) == NULL) {
		snprintf(why, CFG_WHYLEN, "out of memory");
		return -1;
	}
	o = json_tokener_parse_ex(tok, s, (int)len);
	end = json_tokener_get_parse_end(tok);
	if (o == NULL || json_tokener_get_error(tok) != json_tokener_success) {
		snprintf(why, CFG_WHYLEN, "expected %s, got invalid JSON (%s)",
		    cfg_expect(f), o == NULL && json_tokener_get_error(tok) ==
		    json_tokener_continue ? "unexpected end" :
		    json_tokener_error_desc(json_tokener_get_error(tok)));
		json_object_put(o);
		json_tokener_free(tok);
		return -1;
	}
	json_tokener_free(tok);
	while (end < len && isspace((unsigned char)s[end]))
		end++;
	if (end != len) {
		snprintf(why, CFG_WHYLEN, "expected %s, got text after the "
		    "JSON value", cfg_expect(f));
		goto bad;
	}
	if (f->type == CFG_MAP) {
		if (!json_object_is_type(o, json_type_object))
			goto badtype;
		json_object_object_foreach(o, key, val) {
			text = NULL;
			if (f->flags & CFGF_NUMMAP) {
				if (!json_object_is_type(val, json_type_int) &&
				    !json_object_is_type(val, json_type_double)) {
					cfg_quote(q, sizeof(q), key);
					snprintf(why, CFG_WHYLEN, "expected a "
					    "number for %s", q);
					goto bad;
				}
			}
			if (cfg_json_scalar(val, &text) == -1) {
				cfg_quote(q, sizeof(q), key);
				snprintf(why, CFG_WHYLEN, "expected a string "
				    "or number for %s", q);
				goto bad;
			}
			if (f->flags & CFGF_NUMMAP) {
				d = json_object_get_double(val);
				free(text);
				if ((text = malloc(64)) != NULL)
					cfg_format_float(text, 64, d);
			}
			if (text == NULL || cfg_map_add(&nv.map, key, text)) {
				free(text);
				goto nomem;
			}
			free(text);
		}
	} else {
		if (!json_object_is_type(o, json_type_array))
			goto badtype;
		n = json_object_array_length(o);
		for (i = 0; i < n; i++) {
			e = json_object_array_get_idx(o, i);
			if (f->type == CFG_LIST) {
				if (!json_object_is_type(e, json_type_string) ||
				    cfg_json_scalar(e, &text) == -1) {
					snprintf(why, CFG_WHYLEN, "expected %s, "
					    "element %zu is not a string",
					    cfg_expect(f), i);
					goto bad;
				}
				if (cfg_list_add(&nv, text) == -1) {
					free(text);
					goto nomem;
				}
				free(text);
				continue;
			}
			if (!json_object_is_type(e, json_type_object)) {
				snprintf(why, CFG_WHYLEN, "error in rule %zu: "
				    "invalid firewall rule. see documentation "
				    "for syntax", i);
				goto bad;
			}
			memset(&rule, 0, sizeof(rule));
			json_object_object_foreach(e, key, ev) {
				if (!json_object_is_type(ev,
				    json_type_string) ||
				    cfg_json_scalar(ev, &text) == -1) {
					cfg_map_clear(&rule);
					snprintf(why, CFG_WHYLEN, "error in rule "
					    "%zu: invalid firewall rule. %s "
					    "must be a string", i, key);
					goto bad;
				}
				if (cfg_map_add(&rule, key, text) == -1) {
					free(text);
					cfg_map_clear(&rule);
					goto nomem;
				}
				free(text);
			}
			if (cfg_rule_check(&rule, q) == -1) {
				snprintf(why, CFG_WHYLEN, "error in rule %zu: "
				    "%s", i, q);
				cfg_map_clear(&rule);
				goto bad;
			}
			nr = reallocarray(nv.rules, nv.nrules + 1,
			    sizeof(*nr));
			if (nr == NULL) {
				cfg_map_clear(&rule);
				goto nomem;
			}
			nv.rules = nr;
			nv.rules[nv.nrules++] = rule;
		}
	}
	json_object_put(o);
	cfg_value_reset(v);
	v->list = nv.list;
	v->nlist = nv.nlist;
	v->map = nv.map;
	v->rules = nv.rules;
	v->nrules = nv.nrules;
	v->set = 1;
	return 0;

 badtype:
	snprintf(why, CFG_WHYLEN, "expected %s, got JSON %s", cfg_expect(f),
	    json_type_to_name(json_object_get_type(o)));
	goto bad;
 nomem:
	snprintf(why, CFG_WHYLEN, "out of memory");
 bad:
	json_object_put(o);
	cfg_value_reset(&nv);
	return -1;
}

/*
 * Set a field from one scalar, converting like Go's cmdline setValue():
 * numbers and booleans become text in string fields, strings are parsed
 * into numbers, a string adds to a list, "[" and "{" strings are JSON.
 * On error, why says what was expected and what was got.
 */
int
cfg_set_scalar(struct cfg_value *v, const struct cfg_field *f,
    const struct cfg_scalar *s, char *why)
{
	char		 got[160];
	char		*text;
	long long	 ll;
	long long	 ns;
	double		 d;
	int		 b;

	cfg_scalar_desc(got, sizeof(got), s);
	switch (f->type) {
	case CFG_STRING:
	case CFG_DURATION:
		if (s->kind == CFG_SC_NULL)
			goto bad;
		if ((text = cfg_scalar_text(s)) == NULL)
			goto nomem;
		if (f->type == CFG_DURATION &&
		    cfg_duration_parse(text, &ns) == -1) {
			free(text);
			goto bad;
		}
		free(v->str);
		v->str = text;
		break;
	case CFG_INT:
		if (s->kind == CFG_SC_INT)
			ll = s->i;
		else if (s->kind == CFG_SC_STR && cfg_parse_int(s->text,
		    &ll) == 0)
			;
		else if (s->kind == CFG_SC_FLOAT && s->d > -9e18 &&
		    s->d < 9e18 && (double)(long long)s->d == s->d)
			ll = (long long)s->d;
		else
			goto bad;
		v->num = ll;
		break;
	case CFG_FLOAT:
		if (s->kind == CFG_SC_INT)
			d = (double)s->i;
		else if (s->kind == CFG_SC_FLOAT)
			d = s->d;
		else if (s->kind == CFG_SC_STR && cfg_parse_float(s->text,
		    &d) == 0)
			;
		else
			goto bad;
		v->real = d;
		break;
	case CFG_BOOL:
		if (s->kind == CFG_SC_BOOL)
			b = s->b;
		else if (s->kind == CFG_SC_STR && cfg_parse_bool(s->text,
		    &b) == 0)
			;
		else
			goto bad;
		v->num = b;
		break;
	case CFG_LIST:
	case CFG_MAP:
	case CFG_RULES:
		if (s->kind == CFG_SC_NULL) {
			cfg_value_reset(v);
			break;
		}
		if (s->kind != CFG_SC_STR)
			goto bad;
		if (s->text[0] == (f->type == CFG_MAP ? '{' : '['))
			return cfg_set_json(v, f, s->text, why);
		if (f->type != CFG_LIST)
			goto bad;
		if (cfg_list_add(v, s->text) == -1)
			goto nomem;
		break;
	}
	v->set = 1;
	return 0;

 nomem:
	snprintf(why, CFG_WHYLEN, "out of memory");
	return -1;
 bad:
	snprintf(why, CFG_WHYLEN, "expected %s, got %s", cfg_expect(f), got);
	return -1;
}

/* Go's time.ParseDuration, as goduration_parse() implements it. */
int
cfg_duration_parse(const char *s, long long *out)
{
	char	 err[128];
	int64_t	 ns;

	if (goduration_parse(s, &ns, err, sizeof(err)) == -1)
		return -1;
	*out = ns;
	return 0;
}

struct cfg_item *
config_first(const struct config *cf, const char *action)
{
	struct cfg_item	*it;

	TAILQ_FOREACH(it, &cf->items, entry)
		if (action == NULL || strcmp(it->action->name, action) == 0)
			return it;
	return NULL;
}

struct cfg_item *
config_next(struct cfg_item *it, const char *action)
{
	while ((it = TAILQ_NEXT(it, entry)) != NULL)
		if (action == NULL || strcmp(it->action->name, action) == 0)
			return it;
	return NULL;
}

struct cfg_item *
config_exclusive(const struct config *cf)
{
	struct cfg_item	*it;

	TAILQ_FOREACH(it, &cf->items, entry)
		if (it->action->flags & CFGA_EXCLUSIVE)
			return it;
	return NULL;
}

const struct cfg_value *
cfg_get(const struct cfg_item *it, const char *field)
{
	int	 i;

	if ((i = cfg_field_index(it->action, field)) == -1)
		return NULL;
	return &it->values[i];
}

static const struct cfg_field *
cfg_get_field(const struct cfg_item *it, const char *field,
    const struct cfg_value **v)
{
	int	 i;

	if ((i = cfg_field_index(it->action, field)) == -1)
		return NULL;
	*v = &it->values[i];
	return &it->action->fields[i];
}

const char *
cfg_str(const struct cfg_item *it, const char *field)
{
	const struct cfg_field	*f;
	const struct cfg_value	*v;

	if ((f = cfg_get_field(it, field, &v)) == NULL)
		return NULL;
	return v->set && v->str != NULL ? v->str : f->def;
}

/*
 * The node's datadir. Go's default is os.TempDir()'s "receptor": under
 * $TMPDIR when that is set, as it is for each test Kyua runs.
 */
const char *
config_datadir(const struct config *conf)
{
	static char			 buf[4096];
	const struct cfg_item		*node = config_first(conf, "node");
	const struct cfg_value		*v = cfg_get(node, "datadir");
	const char			*tmp;

	if ((v != NULL && v->set) || (tmp = getenv("TMPDIR")) == NULL ||
	    *tmp == '\0')
		return cfg_str(node, "datadir");
	(void)snprintf(buf, sizeof(buf), "%s/receptor", tmp);
	return buf;
}

long long
cfg_int(const struct cfg_item *it, const char *field)
{
	const struct cfg_field	*f;
	const struct cfg_value	*v;
	long long		 ll;

	if ((f = cfg_get_field(it, field, &v)) == NULL)
		return 0;
	if (v->set)
		return v->num;
	if (f->def != NULL && cfg_parse_int(f->def, &ll) == 0)
		return ll;
	return 0;
}

double
cfg_float(const struct cfg_item *it, const char *field)
{
	const struct cfg_field	*f;
	const struct cfg_value	*v;
	double			 d;

	if ((f = cfg_get_field(it, field, &v)) == NULL)
		return 0;
	if (v->set)
		return v->real;
	if (f->def != NULL && cfg_parse_float(f->def, &d) == 0)
		return d;
	return 0;
}

int
cfg_bool(const struct cfg_item *it, const char *field)
{
	const struct cfg_field	*f;
	const struct cfg_value	*v;
	int			 b;

	if ((f = cfg_get_field(it, field, &v)) == NULL)
		return 0;
	if (v->set)
		return v->num != 0;
	if (f->def != NULL && cfg_parse_bool(f->def, &b) == 0)
		return b;
	return 0;
}

long long
cfg_duration(const struct cfg_item *it, const char *field, long long def_ns)
{
	const char	*s;
	long long	 ns;

	if ((s = cfg_str(it, field)) == NULL || *s == '\0' ||
	    cfg_duration_parse(s, &ns) == -1)
		return def_ns;
	return ns;
}
