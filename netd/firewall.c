/*
 * Firewall rules. Go compiles "/RE/" values with its RE2 engine; we
 * translate the RE2 forms rules use into POSIX extended syntax and let
 * regcomp(3) do the rest. What we cannot translate faithfully counts as
 * a regex that does not compile, which Go ignores: the field then
 * matches anything. Matching is byte-wise where Go's is rune-wise, so
 * "." or a class meets one byte of a multi-byte UTF-8 character.
 */
#include <sys/types.h>

#include <ctype.h>
#include <regex.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "config.h"
#include "firewall.h"
#include "log.h"

enum fw_field {
	FF_FROMNODE,
	FF_FROMSERVICE,
	FF_TONODE,
	FF_TOSERVICE,
	FF_NFIELDS,
};

static const char *const field_names[FF_NFIELDS] = {
	[FF_FROMNODE] = "fromnode",
	[FF_FROMSERVICE] = "fromservice",
	[FF_TONODE] = "tonode",
	[FF_TOSERVICE] = "toservice",
};

enum fw_kind {
	FK_ANY,
	FK_EXACT,
	FK_REGEX,
};

struct fw_cond {
	enum fw_kind	 kind;
	char		*exact;
	regex_t		 re;
};

struct fw_rule {
	enum fw_result	 action;
	struct fw_cond	 cond[FF_NFIELDS];
};

struct firewall {
	struct fw_rule	*rules;
	size_t		 nrules;
};

/* A set of ASCII bytes; NUL never occurs in what we match. */
struct charset {
	uint8_t		 has[128];
};

/* The output of the translator, bounded by the input's length. */
struct rebuf {
	char		*p;
	size_t		 len, cap;
};

/* RE2 repeat counts above this do not compile. */
#define RE2_MAX_REPEAT	1000

static int	 rule_compile(const struct cfg_map *, struct fw_rule *,
		    char *, size_t, size_t);
static void	 cond_compile(struct fw_cond *, const char *);
static int	 cond_match(const struct fw_cond *, const char *);
static void	 rule_clear(struct fw_rule *);
static int	 re2_to_ere(const char *, size_t, struct rebuf *, int *);
static void	 put(struct rebuf *, const char *, size_t);
static void	 put_literal(struct rebuf *, unsigned char);
static int	 put_set(struct rebuf *, const struct charset *, int);
static int	 shorthand(struct charset *, char, int *);
static int	 escape_char(char, unsigned char *);
static int	 is_word(int);
static int	 is_ascii(int);
static int	 parse_class(const char *, size_t, size_t *, struct rebuf *);
static int	 parse_repeat(const char *, size_t, size_t *);

/* Out of memory is fatal: a rule we could not compile would match all. */
static void
put(struct rebuf *b, const char *s, size_t len)
{
	char	*p;
	size_t	 cap;

	if (b->len + len + 1 > b->cap) {
		cap = (b->len + len + 1) * 2;
		if ((p = realloc(b->p, cap)) == NULL)
			fatal("firewall");
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->len, s, len);
	b->len += len;
	b->p[b->len] = '\0';
}

static void
put_literal(struct rebuf *b, unsigned char c)
{
	char	 esc[2] = { '\\', (char)c };

	if (c != '\0' && strchr("^.[$()|*+?{\\", c) != NULL)
		put(b, esc, 2);
	else
		put(b, esc + 1, 1);
}

/*
 * A bracket expression of single characters, no ranges, so the locale's
 * collation order plays no part. ']' goes first and '-' last, where
 * POSIX takes them literally; '^' and '[' away from the front.
 */
static int
put_set(struct rebuf *b, const struct charset *cs, int neg)
{
	char	 ch;
	int	 c, n = 0;

	for (c = 1; c < 128; c++)
		n += cs->has[c];
	if (n == 0)
		return -1;
	if (!neg && n == 1 && cs->has['^']) {
		put(b, "\\^", 2);
		return 0;
	}
	put(b, neg ? "[^" : "[", neg ? 2 : 1);
	if (cs->has[']'])
		put(b, "]", 1);
	for (c = 1; c < 128; c++) {
		if (!cs->has[c] || strchr("]^[-", c) != NULL)
			continue;
		ch = c;
		put(b, &ch, 1);
	}
	if (!neg && n == 2 && cs->has['-'] && cs->has['^']) {
		put(b, "-^]", 3);
		return 0;
	}
	if (cs->has['['])
		put(b, "[", 1);
	if (cs->has['^'])
		put(b, "^", 1);
	if (cs->has['-'])
		put(b, "-", 1);
	put(b, "]", 1);
	return 0;
}

/* RE2's \d \w \s and their negations \D \W \S. */
static int
shorthand(struct charset *cs, char c, int *neg)
{
	int	 i;

	memset(cs, 0, sizeof(*cs));
	*neg = isupper((unsigned char)c) != 0;
	switch (tolower((unsigned char)c)) {
	case 'd':
		for (i = '0'; i <= '9'; i++)
			cs->has[i] = 1;
		return 0;
	case 'w':
		for (i = 1; i < 128; i++)
			cs->has[i] = is_word(i);
		return 0;
	case 's':
		cs->has['\t'] = cs->has['\n'] = cs->has['\f'] = 1;
		cs->has['\r'] = cs->has[' '] = 1;
		return 0;
	}
	return -1;
}

/* An escape that stands for one character: \n \t ..., or \<punct>. */
static int
escape_char(char c, unsigned char *out)
{
	static const char from[] = "aftnrv", to[] = "\a\f\t\n\r\v";
	const char	*p;

	if (c != '\0' && (p = strchr(from, c)) != NULL) {
		*out = to[p - from];
		return 0;
	}
	if ((unsigned char)c < 0x80 && c != '\0' &&
	    !isalnum((unsigned char)c)) {
		*out = c;
		return 0;
	}
	return -1;
}

static int
is_word(int c)
{
	return isalnum(c) || c == '_';
}

static int
is_ascii(int c)
{
	return c < 0x80;
}

/* RE2's [:name:] classes, ASCII only as in RE2. */
static const struct {
	const char	*name;
	int		(*is)(int);
} classes[] = {
	{ "alnum", isalnum }, { "alpha", isalpha }, { "blank", isblank },
	{ "cntrl", iscntrl }, { "digit", isdigit }, { "graph", isgraph },
	{ "lower", islower }, { "print", isprint }, { "punct", ispunct },
	{ "space", isspace }, { "upper", isupper }, { "xdigit", isxdigit },
	{ "word", is_word }, { "ascii", is_ascii },
};

/* A bracket expression starting at re[*i] == '['. */
static int
parse_class(const char *re, size_t len, size_t *i, struct rebuf *b)
{
	struct charset	 cs, sh;
	size_t		 j = *i + 1, k, nlen;
	unsigned char	 lo, hi;
	int		 neg = 0, first = 1, shneg, c;
	const char	*end;

	memset(&cs, 0, sizeof(cs));
	if (j < len && re[j] == '^') {
		neg = 1;
		j++;
	}
	for (;; first = 0) {
		if (j >= len)
			return -1;
		if (re[j] == ']' && !first)
			break;
		if (re[j] == '[' && j + 1 < len && re[j + 1] == ':') {
			if ((end = memchr(re + j + 2, ':', len - j - 2)) ==
			    NULL || end + 1 >= re + len || end[1] != ']')
				return -1;
			nlen = end - (re + j + 2);
			for (k = 0; k < sizeof(classes) / sizeof(classes[0]);
			    k++)
				if (strlen(classes[k].name) == nlen &&
				    memcmp(classes[k].name, re + j + 2,
				    nlen) == 0)
					break;
			if (k == sizeof(classes) / sizeof(classes[0]))
				return -1;
			for (c = 1; c < 128; c++)
				if (classes[k].is(c))
					cs.has[c] = 1;
			j = end + 2 - re;
			continue;
		}
		if (re[j] == '\\') {
			if (j + 1 >= len)
				return -1;
			if (shorthand(&sh, re[j + 1], &shneg) == 0) {
				if (shneg)
					return -1;
				for (c = 1; c < 128; c++)
					cs.has[c] |= sh.has[c];
				j += 2;
				continue;
			}
			if (escape_char(re[j + 1], &lo) == -1)
				return -1;
			j += 2;
		} else
			lo = re[j++];
		hi = lo;
		if (j + 1 < len && re[j] == '-' && re[j + 1] != ']') {
			j++;
			if (re[j] == '\\') {
				if (j + 1 >= len ||
				    escape_char(re[j + 1], &hi) == -1)
					return -1;
				j += 2;
			} else
				hi = re[j++];
			if (hi < lo)
				return -1;
		}
		/* Bytes of UTF-8 characters: Go sees runes here. */
		if (lo >= 0x80 || hi >= 0x80)
			return -1;
		for (c = lo; c <= hi; c++)
			cs.has[c] = 1;
	}
	*i = j + 1;
	return put_set(b, &cs, neg);
}

/*
 * A repeat {n}, {n,} or {n,m} at re[*i] == '{': its length in *i, 0 if
 * this is not one (RE2 then takes '{' literally), -1 if out of range.
 */
static int
parse_repeat(const char *re, size_t len, size_t *n)
{
	size_t	 j = 1;
	long	 lo = -1, hi = -1, *v = &lo;

	for (; j < len; j++) {
		if (isdigit((unsigned char)re[j])) {
			if (*v < 0)
				*v = 0;
			if ((*v = *v * 10 + (re[j] - '0')) > RE2_MAX_REPEAT)
				*v = RE2_MAX_REPEAT + 1;
		} else if (re[j] == ',' && v == &lo && lo >= 0) {
			v = &hi;
			hi = -2;
		} else if (re[j] == '}' && lo >= 0)
			break;
		else
			return 0;
	}
	if (j >= len)
		return 0;
	if (hi == -2)
		hi = lo;
	if (lo > RE2_MAX_REPEAT || hi > RE2_MAX_REPEAT ||
	    (hi >= 0 && hi < lo))
		return -1;
	*n = j + 1;
	return 1;
}

/*
 * Go's pattern "^RE$" in RE2 syntax to POSIX ERE. The anchors are
 * translated with the rest, since RE may end in a backslash that makes
 * Go's "$" a literal. A (?i) at the start of RE sets *icase. -1 for what
 * RE2 rejects or we cannot express.
 */
static int
re2_to_ere(const char *re, size_t len, struct rebuf *b, int *icase)
{
	struct charset	 cs;
	size_t		 i = 0, n;
	unsigned char	 lit;
	const char	*end;
	int		 neg, r;
	/* What came last: nothing to repeat, an atom, or a repeat. */
	enum { L_NONE, L_ATOM, L_REPEAT } last = L_NONE;

	*icase = 0;
	if (len >= 5 && memcmp(re, "^(?i)", 5) == 0) {
		*icase = 1;
		put(b, "^", 1);
		i = 5;
	}
	while (i < len) {
		switch (re[i]) {
		case '\\':
			if (i + 1 >= len)
				return -1;
			if (shorthand(&cs, re[i + 1], &neg) == 0) {
				if (put_set(b, &cs, neg) == -1)
					return -1;
			} else if (escape_char(re[i + 1], &lit) == 0)
				put_literal(b, lit);
			else
				return -1;
			i += 2;
			last = L_ATOM;
			break;
		case '[':
			if (parse_class(re, len, &i, b) == -1)
				return -1;
			last = L_ATOM;
			break;
		case '.':
			/* Go's "." stops at newlines; POSIX's would not. */
			put(b, "[^\n]", 4);
			i++;
			last = L_ATOM;
			break;
		case '(':
			if (i + 1 < len && re[i + 1] == '?') {
				if (i + 2 < len && re[i + 2] == ':')
					n = 3;
				else if ((i + 3 < len && re[i + 2] == 'P' &&
				    re[i + 3] == '<') ||
				    (i + 2 < len && re[i + 2] == '<')) {
					if ((end = memchr(re + i, '>',
					    len - i)) == NULL)
						return -1;
					n = end - (re + i) + 1;
				} else
					return -1;
			} else
				n = 1;
			put(b, "(", 1);
			i += n;
			last = L_NONE;
			break;
		case ')':
		case '|':
			put(b, re + i, 1);
			last = re[i] == ')' ? L_ATOM : L_NONE;
			i++;
			break;
		case '^':
		case '$':
			/* Repeating an anchor: unclear in POSIX, refuse. */
			put(b, re + i, 1);
			i++;
			last = L_NONE;
			break;
		case '*':
		case '+':
		case '?':
		case '{':
			n = 1;
			if (re[i] == '{') {
				if ((r = parse_repeat(re + i, len - i, &n)) ==
				    -1)
					return -1;
				if (r == 0) {
					put_literal(b, '{');
					i++;
					last = L_ATOM;
					break;
				}
			}
			if (last != L_ATOM)
				return -1;
			put(b, re + i, n);
			i += n;
			/* Laziness does not change whether a string matches. */
			if (i < len && re[i] == '?')
				i++;
			last = L_REPEAT;
			break;
		default:
			put_literal(b, re[i]);
			i++;
			last = L_ATOM;
			break;
		}
	}
	return 0;
}

static void
cond_compile(struct fw_cond *fc, const char *val)
{
	struct rebuf	 b = { NULL, 0, 0 };
	char		*pat;
	size_t		 len = strlen(val);
	int		 icase;

	fc->kind = FK_ANY;
	if (len == 0)
		return;
	if (val[0] != '/') {
		fc->kind = FK_EXACT;
		if ((fc->exact = strdup(val)) == NULL)
			fatal("firewall");
		return;
	}
	/* Go panics on a lone "/"; we ignore it like any bad regex. */
	if (len < 2 || val[len - 1] != '/')
		return;
	if (asprintf(&pat, "^%.*s$", (int)(len - 2), val + 1) == -1)
		fatal("firewall");
	if (re2_to_ere(pat, len, &b, &icase) == 0 &&
	    regcomp(&fc->re, b.p, REG_EXTENDED | REG_NOSUB |
	    (icase ? REG_ICASE : 0)) == 0)
		fc->kind = FK_REGEX;
	free(pat);
	free(b.p);
}

static int
cond_match(const struct fw_cond *fc, const char *s)
{
	switch (fc->kind) {
	case FK_EXACT:
		return strcmp(fc->exact, s) == 0;
	case FK_REGEX:
		return regexec(&fc->re, s, 0, NULL, 0) == 0;
	case FK_ANY:
		break;
	}
	return 1;
}

static void
rule_clear(struct fw_rule *r)
{
	int	 f;

	for (f = 0; f < FF_NFIELDS; f++) {
		if (r->cond[f].kind == FK_REGEX)
			regfree(&r->cond[f].re);
		free(r->cond[f].exact);
	}
}

static int
rule_compile(const struct cfg_map *m, struct fw_rule *r, char *err,
    size_t errlen, size_t idx)
{
	const char	*val[FF_NFIELDS] = { NULL }, *action = "";
	const struct cfg_pair *p;
	size_t		 i;
	int		 f;

	memset(r, 0, sizeof(*r));
	for (i = 0; i < m->npairs; i++) {
		p = &m->pairs[i];
		if (p->val == NULL) {
			snprintf(err, errlen, "error in rule %zu: invalid "
			    "firewall rule. %s must be a string", idx, p->key);
			return -1;
		}
		if (strcasecmp(p->key, "action") == 0) {
			action = p->val;
			continue;
		}
		for (f = 0; f < FF_NFIELDS; f++)
			if (strcasecmp(p->key, field_names[f]) == 0)
				break;
		if (f == FF_NFIELDS) {
			/* "filewall" is Go's spelling. */
			snprintf(err, errlen, "error in rule %zu: invalid "
			    "filewall rule. unknown key: %s", idx, p->key);
			return -1;
		}
		val[f] = p->val;
	}
	if (strcasecmp(action, "accept") == 0)
		r->action = FW_ACCEPT;
	else if (strcasecmp(action, "reject") == 0)
		r->action = FW_REJECT;
	else if (strcasecmp(action, "drop") == 0)
		r->action = FW_DROP;
	else {
		snprintf(err, errlen, "error in rule %zu: unknown action: %s",
		    idx, action);
		return -1;
	}
	for (f = 0; f < FF_NFIELDS; f++)
		if (val[f] != NULL)
			cond_compile(&r->cond[f], val[f]);
	return 0;
}

int
firewall_compile(const struct cfg_value *v, struct firewall **fwp,
    char *err, size_t errlen)
{
	struct firewall	*fw;
	size_t		 i;

	*fwp = NULL;
	if (v == NULL || v->nrules == 0)
		return 0;
	if ((fw = calloc(1, sizeof(*fw))) == NULL ||
	    (fw->rules = calloc(v->nrules, sizeof(*fw->rules))) == NULL) {
		free(fw);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	for (i = 0; i < v->nrules; i++) {
		if (rule_compile(&v->rules[i], &fw->rules[i], err, errlen,
		    i) == -1) {
			firewall_free(fw);
			return -1;
		}
		fw->nrules++;
	}
	*fwp = fw;
	return 0;
}

enum fw_result
firewall_match(const struct firewall *fw, const char *fromnode,
    const char *fromservice, const char *tonode, const char *toservice)
{
	const struct fw_rule *r;
	const char	*val[FF_NFIELDS];
	size_t		 i;
	int		 f;

	if (fw == NULL)
		return FW_ACCEPT;
	val[FF_FROMNODE] = fromnode;
	val[FF_FROMSERVICE] = fromservice;
	val[FF_TONODE] = tonode;
	val[FF_TOSERVICE] = toservice;
	for (i = 0; i < fw->nrules; i++) {
		r = &fw->rules[i];
		for (f = 0; f < FF_NFIELDS; f++)
			if (!cond_match(&r->cond[f], val[f]))
				break;
		if (f == FF_NFIELDS)
			return r->action;
	}
	return FW_ACCEPT;
}

void
firewall_free(struct firewall *fw)
{
	size_t	 i;

	if (fw == NULL)
		return;
	for (i = 0; i < fw->nrules; i++)
		rule_clear(&fw->rules[i]);
	free(fw->rules);
	free(fw);
}
