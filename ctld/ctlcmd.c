/*
 * Control request parsing. JSON requests are checked first by a scanner
 * that follows Go's encoding/json state machine step by step, so a bad
 * request gets the very error text Go prints; only then is the object
 * built, decoding strings the way Go does (invalid UTF-8 and lone
 * surrogates become U+FFFD).
 */
#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json.h>

#include "ctlcmd.h"
#include "log.h"

/* encoding/json's maxNestingDepth */
#define JSON_MAX_DEPTH	10000

enum js_state {
	JS_BEGIN_VALUE,
	JS_BEGIN_VALUE_OR_EMPTY,
	JS_BEGIN_STRING_OR_EMPTY,
	JS_BEGIN_STRING,
	JS_END_VALUE,
	JS_END_TOP,
	JS_IN_STRING,
	JS_IN_STRING_ESC,
	JS_IN_STRING_ESC_U,
	JS_NEG,
	JS_ONE,
	JS_ZERO,
	JS_DOT,
	JS_DOT0,
	JS_E,
	JS_ESIGN,
	JS_E0,
	JS_LITERAL,
	JS_ERROR,
};

enum js_parse {
	JP_OBJECT_KEY,
	JP_OBJECT_VALUE,
	JP_ARRAY_VALUE,
};

struct jscan {
	const char	*text;		/* NUL-terminated */
	enum js_state	 state;
	unsigned char	*stack;		/* enum js_parse per open container */
	size_t		 depth;
	const char	*lit;		/* JS_LITERAL: "true" etc. */
	size_t		 litpos;	/* next expected index in lit */
	int		 hex;		/* JS_IN_STRING_ESC_U: digits seen */
	char		 err[128];
	/* The first number too large for a float64, as Go reports it. */
	size_t		 numstart;
	size_t		 bigstart, bigend;
	int		 big;
};

/* A container being built, with the key its next value goes to. */
struct jframe {
	struct json_object *obj;
	char		*key;
	int		 dropkey;
};

static void	 js_error(struct jscan *, unsigned char, const char *);
static void	 js_push(struct jscan *, unsigned char, enum js_parse,
		    enum js_state);
static void	 js_end_value(struct jscan *, unsigned char, size_t);
static void	 js_begin_value(struct jscan *, unsigned char, size_t);
static void	 js_step(struct jscan *, unsigned char, size_t);
static int	 js_check(const char *, size_t, char **);
static int	 is_space(unsigned char);
static size_t	 utf8_valid(const unsigned char *, size_t);
static size_t	 put_utf8(char *, uint32_t);
static int	 hex4(const char *, uint32_t *);
static char	*js_unquote(const char *, size_t, size_t *, size_t *);
static struct json_object *js_build(const char *, size_t);
static char	*xasprintf(const char *, ...)
		    __attribute__((format(printf, 1, 2)));
static char	*memdup_z(const char *, size_t);
static char	*lower_word(const char *, size_t);
static int	 fail(char *, size_t, const char *, ...)
		    __attribute__((format(printf, 3, 4)));

void
ctl_line_init(struct ctl_line *l)
{
	l->len = 0;
	l->buf[0] = '\0';
	l->toolong = 0;
	l->complete = 0;
}

enum ctl_line_status
ctl_line_feed(struct ctl_line *l, const char *data, size_t len, size_t *used)
{
	size_t	 i;

	if (l->complete)
		ctl_line_init(l);
	for (i = 0; i < len; i++) {
		if (data[i] == '\r')
			continue;
		if (data[i] == '\n') {
			*used = i + 1;
			l->complete = 1;
			return l->toolong ? CTL_LINE_TOOLONG : CTL_LINE_DONE;
		}
		/* Past the limit keep reading, but only to find the end. */
		if (l->len == CTL_LINE_MAX) {
			l->toolong = 1;
			continue;
		}
		l->buf[l->len++] = data[i];
		l->buf[l->len] = '\0';
	}
	*used = len;
	return CTL_LINE_MORE;
}

static int
is_space(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* "invalid character <c> <context>", c quoted as Go's quoteChar(). */
static void
js_error(struct jscan *s, unsigned char c, const char *context)
{
	static const char ctl[] = "\a\b\f\n\r\t\v", ctlname[] = "abfnrtv";
	const char	*p;
	char		 q[16];

	if (c == '\'')
		snprintf(q, sizeof(q), "'\\''");
	else if (c == '\\')
		snprintf(q, sizeof(q), "'\\\\'");
	else if (c != '\0' && (p = strchr(ctl, c)) != NULL)
		snprintf(q, sizeof(q), "'\\%c'", ctlname[p - ctl]);
	else if (c < ' ' || c == 0x7f)
		snprintf(q, sizeof(q), "'\\x%02x'", c);
	else if (c < 0x80)
		snprintf(q, sizeof(q), "'%c'", c);
	else if (c <= 0xa0 || c == 0xad)
		/* The byte is taken as a rune: U+0080-U+00FF. */
		snprintf(q, sizeof(q), "'\\u%04x'", c);
	else
		snprintf(q, sizeof(q), "'%c%c'", 0xc0 | (c >> 6),
		    0x80 | (c & 0x3f));
	snprintf(s->err, sizeof(s->err), "invalid character %s %s", q,
	    context);
	s->state = JS_ERROR;
}

static void
js_push(struct jscan *s, unsigned char c, enum js_parse p,
    enum js_state next)
{
	if (s->depth == JSON_MAX_DEPTH) {
		js_error(s, c, "exceeded max depth");
		return;
	}
	s->stack[s->depth++] = p;
	s->state = next;
}

static void
js_end_value(struct jscan *s, unsigned char c, size_t i)
{
	if (s->depth == 0) {
		s->state = JS_END_TOP;
		if (!is_space(c))
			js_error(s, c, "after top-level value");
		return;
	}
	s->state = JS_END_VALUE;
	if (is_space(c))
		return;
	switch (s->stack[s->depth - 1]) {
	case JP_OBJECT_KEY:
		if (c == ':') {
			s->stack[s->depth - 1] = JP_OBJECT_VALUE;
			s->state = JS_BEGIN_VALUE;
		} else
			js_error(s, c, "after object key");
		return;
	case JP_OBJECT_VALUE:
		if (c == ',') {
			s->stack[s->depth - 1] = JP_OBJECT_KEY;
			s->state = JS_BEGIN_STRING;
		} else if (c == '}') {
			if (--s->depth == 0)
				s->state = JS_END_TOP;
		} else
			js_error(s, c, "after object key:value pair");
		return;
	case JP_ARRAY_VALUE:
		if (c == ',')
			s->state = JS_BEGIN_VALUE;
		else if (c == ']') {
			if (--s->depth == 0)
				s->state = JS_END_TOP;
		} else
			js_error(s, c, "after array element");
		return;
	}
}

static void
js_begin_value(struct jscan *s, unsigned char c, size_t i)
{
	if (is_space(c))
		return;
	s->numstart = i;
	switch (c) {
	case '{':
		js_push(s, c, JP_OBJECT_KEY, JS_BEGIN_STRING_OR_EMPTY);
		return;
	case '[':
		js_push(s, c, JP_ARRAY_VALUE, JS_BEGIN_VALUE_OR_EMPTY);
		return;
	case '"':
		s->state = JS_IN_STRING;
		return;
	case '-':
		s->state = JS_NEG;
		return;
	case '0':
		s->state = JS_ZERO;
		return;
	case 't':
		s->lit = "true";
		break;
	case 'f':
		s->lit = "false";
		break;
	case 'n':
		s->lit = "null";
		break;
	default:
		if (c >= '1' && c <= '9')
			s->state = JS_ONE;
		else
			js_error(s, c, "looking for beginning of value");
		return;
	}
	s->litpos = 1;
	s->state = JS_LITERAL;
}

/* One byte at offset i; i is only used to locate number literals. */
static void
js_step(struct jscan *s, unsigned char c, size_t i)
{
	char	 ctx[40];
	double	 d;

	switch (s->state) {
	case JS_BEGIN_VALUE:
		js_begin_value(s, c, i);
		return;
	case JS_BEGIN_VALUE_OR_EMPTY:
		if (is_space(c))
			return;
		if (c == ']')
			js_end_value(s, c, i);
		else
			js_begin_value(s, c, i);
		return;
	case JS_BEGIN_STRING_OR_EMPTY:
		if (is_space(c))
			return;
		if (c == '}') {
			s->stack[s->depth - 1] = JP_OBJECT_VALUE;
			js_end_value(s, c, i);
			return;
		}
		/* FALLTHROUGH */
	case JS_BEGIN_STRING:
		if (is_space(c))
			return;
		if (c == '"')
			s->state = JS_IN_STRING;
		else
			js_error(s, c,
			    "looking for beginning of object key string");
		return;
	case JS_END_VALUE:
		js_end_value(s, c, i);
		return;
	case JS_END_TOP:
		if (!is_space(c))
			js_error(s, c, "after top-level value");
		return;
	case JS_IN_STRING:
		if (c == '"')
			s->state = JS_END_VALUE;
		else if (c == '\\')
			s->state = JS_IN_STRING_ESC;
		else if (c < 0x20)
			js_error(s, c, "in string literal");
		return;
	case JS_IN_STRING_ESC:
		if (c != '\0' && strchr("bfnrt\\/\"", c) != NULL)
			s->state = JS_IN_STRING;
		else if (c == 'u') {
			s->hex = 0;
			s->state = JS_IN_STRING_ESC_U;
		} else
			js_error(s, c, "in string escape code");
		return;
	case JS_IN_STRING_ESC_U:
		if (!isxdigit(c))
			js_error(s, c, "in \\u hexadecimal character escape");
		else if (++s->hex == 4)
			s->state = JS_IN_STRING;
		return;
	case JS_NEG:
		if (c == '0')
			s->state = JS_ZERO;
		else if (c >= '1' && c <= '9')
			s->state = JS_ONE;
		else
			js_error(s, c, "in numeric literal");
		return;
	case JS_ONE:
	case JS_DOT0:
	case JS_E0:
		if (c >= '0' && c <= '9')
			return;
		if (s->state != JS_E0 && (c == 'e' || c == 'E')) {
			s->state = JS_E;
			return;
		}
		if (s->state == JS_ONE && c == '.') {
			s->state = JS_DOT;
			return;
		}
		break;
	case JS_ZERO:
		if (c == '.')
			s->state = JS_DOT;
		else if (c == 'e' || c == 'E')
			s->state = JS_E;
		else
			break;
		return;
	case JS_DOT:
		if (c >= '0' && c <= '9')
			s->state = JS_DOT0;
		else
			js_error(s, c, "after decimal point in numeric literal");
		return;
	case JS_E:
		if (c == '+' || c == '-') {
			s->state = JS_ESIGN;
			return;
		}
		/* FALLTHROUGH */
	case JS_ESIGN:
		if (c >= '0' && c <= '9')
			s->state = JS_E0;
		else
			js_error(s, c, "in exponent of numeric literal");
		return;
	case JS_LITERAL:
		if (c == (unsigned char)s->lit[s->litpos]) {
			if (s->lit[++s->litpos] == '\0')
				s->state = JS_END_VALUE;
		} else {
			snprintf(ctx, sizeof(ctx), "in literal %s (expecting "
			    "'%c')", s->lit, s->lit[s->litpos]);
			js_error(s, c, ctx);
		}
		return;
	case JS_ERROR:
		return;
	}
	/* A number ended at i: Go decodes it as a float64 later. */
	if (!s->big) {
		d = strtod(s->text + s->numstart, NULL);
		if (isinf(d)) {
			s->big = 1;
			s->bigstart = s->numstart;
			s->bigend = i;
		}
	}
	js_end_value(s, c, i);
}

/* 0 if text is what Go's json.Unmarshal takes, else -1 and its error. */
static int
js_check(const char *text, size_t len, char **detail)
{
	struct jscan	 s;
	size_t		 i;

	memset(&s, 0, sizeof(s));
	s.text = text;
	s.state = JS_BEGIN_VALUE;
	if ((s.stack = malloc(JSON_MAX_DEPTH)) == NULL)
		fatal("ctlcmd");
	for (i = 0; i < len && s.state != JS_ERROR; i++)
		js_step(&s, text[i], i);
	/* Go ends the input with a space, which may complete a number. */
	if (s.state != JS_ERROR && s.state != JS_END_TOP) {
		js_step(&s, ' ', len);
		if (s.state != JS_ERROR && s.state != JS_END_TOP) {
			snprintf(s.err, sizeof(s.err),
			    "unexpected end of JSON input");
			s.state = JS_ERROR;
		}
	}
	free(s.stack);
	if (s.state == JS_ERROR) {
		*detail = xasprintf("%s", s.err);
		return -1;
	}
	if (s.big) {
		*detail = xasprintf("json: cannot unmarshal number %.*s into "
		    "Go value of type float64", (int)(s.bigend - s.bigstart),
		    text + s.bigstart);
		return -1;
	}
	return 0;
}

/* The length of the valid UTF-8 sequence at p, 0 if there is none. */
static size_t
utf8_valid(const unsigned char *p, size_t n)
{
	uint32_t	 r;
	size_t		 len, i;

	if (p[0] < 0x80)
		return 1;
	if (p[0] >= 0xc2 && p[0] <= 0xdf)
		len = 2;
	else if (p[0] >= 0xe0 && p[0] <= 0xef)
		len = 3;
	else if (p[0] >= 0xf0 && p[0] <= 0xf4)
		len = 4;
	else
		return 0;
	if (n < len)
		return 0;
	r = p[0] & (0x7f >> len);
	for (i = 1; i < len; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		r = r << 6 | (p[i] & 0x3f);
	}
	/* Overlong forms, surrogates and values past U+10FFFF. */
	if ((len == 3 && r < 0x800) || (len == 4 && r < 0x10000) ||
	    (r >= 0xd800 && r <= 0xdfff) || r > 0x10ffff)
		return 0;
	return len;
}

static size_t
put_utf8(char *o, uint32_t r)
{
	if (r < 0x80) {
		o[0] = r;
		return 1;
	}
	if (r < 0x800) {
		o[0] = 0xc0 | r >> 6;
		o[1] = 0x80 | (r & 0x3f);
		return 2;
	}
	if (r < 0x10000) {
		o[0] = 0xe0 | r >> 12;
		o[1] = 0x80 | ((r >> 6) & 0x3f);
		o[2] = 0x80 | (r & 0x3f);
		return 3;
	}
	o[0] = 0xf0 | r >> 18;
	o[1] = 0x80 | ((r >> 12) & 0x3f);
	o[2] = 0x80 | ((r >> 6) & 0x3f);
	o[3] = 0x80 | (r & 0x3f);
	return 4;
}

static int
hex4(const char *p, uint32_t *r)
{
	int	 i;

	*r = 0;
	for (i = 0; i < 4; i++) {
		if (!isxdigit((unsigned char)p[i]))
			return -1;
		*r = *r << 4 | (isdigit((unsigned char)p[i]) ? p[i] - '0' :
		    (tolower((unsigned char)p[i]) - 'a' + 10));
	}
	return 0;
}

/*
 * Decode the string literal at t[0] == '"' of a checked document as Go
 * does; *used gets its length in t, *outlen the result's.
 */
static char *
js_unquote(const char *t, size_t avail, size_t *used, size_t *outlen)
{
	char		*out;
	size_t		 i = 1, o = 0, n;
	uint32_t	 r, r2;

	/* An invalid byte turns into three: U+FFFD. */
	if ((out = reallocarray(NULL, avail, 3)) == NULL)
		fatal("ctlcmd");
	while (t[i] != '"') {
		if (t[i] != '\\') {
			if ((n = utf8_valid((const unsigned char *)t + i,
			    avail - i)) == 0) {
				o += put_utf8(out + o, 0xfffd);
				i++;
				continue;
			}
			memcpy(out + o, t + i, n);
			o += n;
			i += n;
			continue;
		}
		switch (t[i + 1]) {
		case 'b': out[o++] = '\b'; break;
		case 'f': out[o++] = '\f'; break;
		case 'n': out[o++] = '\n'; break;
		case 'r': out[o++] = '\r'; break;
		case 't': out[o++] = '\t'; break;
		case 'u':
			hex4(t + i + 2, &r);
			i += 6;
			if (r >= 0xd800 && r < 0xe000) {
				/* Only a high then a low surrogate pair up. */
				if (r < 0xdc00 && t[i] == '\\' &&
				    t[i + 1] == 'u' && hex4(t + i + 2,
				    &r2) == 0 && r2 >= 0xdc00 && r2 < 0xe000) {
					r = 0x10000 + ((r - 0xd800) << 10) +
					    (r2 - 0xdc00);
					i += 6;
				} else
					r = 0xfffd;
			}
			o += put_utf8(out + o, r);
			continue;
		default:
			out[o++] = t[i + 1];
			break;
		}
		i += 2;
	}
	out[o] = '\0';
	*used = i + 1;
	*outlen = o;
	return out;
}

/* Build the json-c object of a document js_check() accepted. */
static struct json_object *
js_build(const char *t, size_t len)
{
	struct jframe		*st;
	struct json_object	*v;
	size_t			 depth = 0, i = 0, n, slen;
	char			*str;

	if ((st = reallocarray(NULL, JSON_MAX_DEPTH, sizeof(*st))) == NULL)
		fatal("ctlcmd");
	for (;;) {
		while (is_space(t[i]) || t[i] == ',' || t[i] == ':')
			i++;
		switch (t[i]) {
		case '{':
		case '[':
			st[depth].obj = t[i] == '{' ? json_object_new_object() :
			    json_object_new_array();
			if (st[depth].obj == NULL)
				fatal("ctlcmd");
			st[depth++].key = NULL;
			i++;
			continue;
		case '}':
		case ']':
			v = st[--depth].obj;
			i++;
			break;
		case '"':
			str = js_unquote(t + i, len - i, &n, &slen);
			i += n;
			if (depth > 0 && st[depth - 1].key == NULL &&
			    json_object_is_type(st[depth - 1].obj,
			    json_type_object)) {
				st[depth - 1].key = str;
				/*
				 * json-c keys end at a NUL: such a key would be
				 * found as another one. Nothing can look it up,
				 * so its member is dropped.
				 */
				st[depth - 1].dropkey = strlen(str) != slen;
				continue;
			}
			v = json_object_new_string_len(str, slen);
			free(str);
			break;
		case 't':
		case 'f':
			v = json_object_new_boolean(t[i] == 't');
			i += t[i] == 't' ? 4 : 5;
			break;
		case 'n':
			v = NULL;
			i += 4;
			break;
		default:
			v = json_object_new_double(strtod(t + i, NULL));
			i += strspn(t + i, "-+.0123456789eE");
			break;
		}
		if (depth == 0)
			break;
		if (json_object_is_type(st[depth - 1].obj, json_type_array)) {
			if (json_object_array_add(st[depth - 1].obj, v) != 0)
				fatal("ctlcmd");
		} else {
			if (st[depth - 1].dropkey)
				json_object_put(v);
			else if (json_object_object_add(st[depth - 1].obj,
			    st[depth - 1].key, v) != 0)
				fatal("ctlcmd");
			free(st[depth - 1].key);
			st[depth - 1].key = NULL;
		}
	}
	free(st);
	return v;
}

static char *
xasprintf(const char *fmt, ...)
{
	va_list	 ap;
	char	*s;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) == -1)
		fatal("ctlcmd");
	va_end(ap);
	return s;
}

static char *
memdup_z(const char *p, size_t len)
{
	char	*s;

	if ((s = malloc(len + 1)) == NULL)
		fatal("ctlcmd");
	memcpy(s, p, len);
	s[len] = '\0';
	return s;
}

/*
 * Go's strings.ToLower. Besides ASCII only the Kelvin sign (U+212A)
 * lowers into ASCII ('k', as in "work"); other characters cannot make
 * a known command either way and are kept. A NUL gives "": no command.
 */
static char *
lower_word(const char *p, size_t len)
{
	char	*s;
	size_t	 i, o = 0;

	if (memchr(p, '\0', len) != NULL)
		return memdup_z("", 0);
	s = memdup_z(p, len);
	for (i = 0; i < len; i++) {
		if (i + 2 < len && memcmp(p + i, "\xe2\x84\xaa", 3) == 0) {
			s[o++] = 'k';
			i += 2;
		} else
			s[o++] = tolower((unsigned char)p[i]);
	}
	s[o] = '\0';
	return s;
}

static int
fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	if (errlen > 0)
		vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -1;
}

enum ctlcmd_status
ctlcmd_parse(const char *line, size_t len, struct ctlcmd *cmd)
{
	struct json_object	*v;
	char			*text, *detail = NULL, *sp;
	size_t			 i, n = 0;

	memset(cmd, 0, sizeof(*cmd));
	if ((text = malloc(len + 1)) == NULL)
		fatal("ctlcmd");
	for (i = 0; i < len; i++)
		if (line[i] != '\r')
			text[n++] = line[i];
	text[n] = '\0';
	if (n == 0) {
		free(text);
		return CTLCMD_EMPTY;
	}
	if (text[0] != '{') {
		if ((sp = memchr(text, ' ', n)) == NULL)
			sp = text + n;
		cmd->name = lower_word(text, sp - text);
		if (sp < text + n)
			sp++;
		cmd->params_len = text + n - sp;
		cmd->params = memdup_z(sp, cmd->params_len);
		free(text);
		return CTLCMD_OK;
	}
	if (js_check(text, n, &detail) == 0) {
		cmd->json = js_build(text, n);
		if (!json_object_object_get_ex(cmd->json, "command", &v))
			detail = xasprintf("JSON did not contain a command");
		else if (!json_object_is_type(v, json_type_string))
			detail = xasprintf("command must be a string");
		else if (strlen(json_object_get_string(v)) !=
		    (size_t)json_object_get_string_len(v))
			cmd->name = memdup_z("", 0);
		else
			cmd->name = xasprintf("%s", json_object_get_string(v));
	}
	free(text);
	if (detail == NULL)
		return CTLCMD_OK;
	/* Go goes on with an empty command: "Unknown command" follows. */
	cmd->name = memdup_z("", 0);
	cmd->reply = xasprintf("ERROR: %s\n%s", detail, CTL_REPLY_UNKNOWN);
	free(detail);
	return CTLCMD_ERROR;
}

void
ctlcmd_clear(struct ctlcmd *cmd)
{
	free(cmd->name);
	free(cmd->params);
	free(cmd->reply);
	if (cmd->json != NULL)
		json_object_put(cmd->json);
	memset(cmd, 0, sizeof(*cmd));
}

enum ctlcmd_param
ctlcmd_param_string(const struct ctlcmd *cmd, const char *key,
    const char **val, size_t *len)
{
	struct json_object	*v;

	if (cmd->json == NULL ||
	    !json_object_object_get_ex(cmd->json, key, &v))
		return CTLP_ABSENT;
	if (!json_object_is_type(v, json_type_string))
		return CTLP_NOTSTRING;
	*val = json_object_get_string(v);
	*len = json_object_get_string_len(v);
	return CTLP_OK;
}

int
ctlcmd_target(const struct ctlcmd *cmd, const char **target, size_t *len,
    char *err, size_t errlen)
{
	if (cmd->json == NULL) {
		if (cmd->params_len == 0)
			return fail(err, errlen, "no %s target", cmd->name);
		*target = cmd->params;
		*len = cmd->params_len;
		return 0;
	}
	switch (ctlcmd_param_string(cmd, "target", target, len)) {
	case CTLP_ABSENT:
		return fail(err, errlen, "no %s target", cmd->name);
	case CTLP_NOTSTRING:
		return fail(err, errlen, "%s target must be string", cmd->name);
	case CTLP_OK:
		break;
	}
	return 0;
}

int
ctlcmd_status_fields(const struct ctlcmd *cmd, struct json_object **fields,
    char *err, size_t errlen)
{
	struct json_object	*v;
	size_t			 i;

	*fields = NULL;
	if (cmd->json == NULL) {
		if (cmd->params_len != 0)
			return fail(err, errlen,
			    "status command does not take parameters");
		return 0;
	}
	if (!json_object_object_get_ex(cmd->json, "requested_fields", &v))
		return 0;
	if (!json_object_is_type(v, json_type_array))
		return fail(err, errlen, "requested_fields must be a list");
	for (i = 0; i < json_object_array_length(v); i++)
		if (!json_object_is_type(json_object_array_get_idx(v, i),
		    json_type_string))
			return fail(err, errlen, "each element of "
			    "requested_fields must be a string");
	*fields = v;
	return 0;
}

int
ctlcmd_connect(const struct ctlcmd *cmd, struct ctl_connect *c, char *err,
    size_t errlen)
{
	const char	*node, *svc, *tls = NULL, *p, *sp1, *sp2, *end;
	size_t		 nodelen, svclen, tlslen = 0, spaces = 0;

	memset(c, 0, sizeof(*c));
	if (cmd->json == NULL) {
		p = cmd->params;
		end = p + cmd->params_len;
		for (; p < end; p++)
			spaces += *p == ' ';
		if (spaces < 1)
			return fail(err, errlen, "no connect target");
		if (spaces > 2)
			return fail(err, errlen, "too many parameters");
		node = cmd->params;
		sp1 = memchr(node, ' ', end - node);
		nodelen = sp1 - node;
		svc = sp1 + 1;
		if ((sp2 = memchr(svc, ' ', end - svc)) == NULL)
			sp2 = end;
		else {
			tls = sp2 + 1;
			tlslen = end - tls;
		}
		svclen = sp2 - svc;
	} else {
		switch (ctlcmd_param_string(cmd, "node", &node, &nodelen)) {
		case CTLP_ABSENT:
			return fail(err, errlen, "no connect target node");
		case CTLP_NOTSTRING:
			return fail(err, errlen,
			    "connect target node must be string");
		case CTLP_OK:
			break;
		}
		switch (ctlcmd_param_string(cmd, "service", &svc, &svclen)) {
		case CTLP_ABSENT:
			return fail(err, errlen, "no connect target service");
		case CTLP_NOTSTRING:
			return fail(err, errlen,
			    "connect target service must be string");
		case CTLP_OK:
			break;
		}
		if (ctlcmd_param_string(cmd, "tls", &tls, &tlslen) ==
		    CTLP_NOTSTRING)
			return fail(err, errlen,
			    "connect tls name must be string");
	}
	c->node = memdup_z(node, nodelen);
	c->node_len = nodelen;
	c->service = memdup_z(svc, svclen);
	c->service_len = svclen;
	/* An empty name is no TLS, as Go's GetClientTLSConfig("") is. */
	if (tls != NULL && tlslen > 0) {
		c->tls = memdup_z(tls, tlslen);
		c->tls_len = tlslen;
	}
	return 0;
}

void
ctl_connect_clear(struct ctl_connect *c)
{
	free(c->node);
	free(c->service);
	free(c->tls);
	memset(c, 0, sizeof(*c));
}

/* The keys of a submit that are not work params (Go's nonParams). */
static const char *const work_reserved[] = {
	"command", "subcommand", "node", "worktype", "tlsclient", "ttl",
	"signwork", "signature",
};

static enum ctl_work_sub
work_sub(const char *name)
{
	static const struct {
		const char		*name;
		enum ctl_work_sub	 sub;
	} subs[] = {
		{ "submit", CTLW_SUBMIT },
		{ "list", CTLW_LIST },
		{ "status", CTLW_STATUS },
		{ "cancel", CTLW_CANCEL },
		{ "release", CTLW_RELEASE },
		{ "force-release", CTLW_FORCE_RELEASE },
		{ "results", CTLW_RESULTS },
	};
	size_t	 i;

	for (i = 0; i < sizeof(subs) / sizeof(subs[0]); i++)
		if (strcmp(name, subs[i].name) == 0)
			return subs[i].sub;
	return CTLW_BAD;
}

/* Go's strconv.Quote of a string, for its printable ASCII at least. */
static char *
go_quote(const char *s, size_t len)
{
	char	*q, *o;
	size_t	 i;

	if ((q = o = malloc(len * 4 + 3)) == NULL)
		fatal("ctlcmd");
	*o++ = '"';
	for (i = 0; i < len; i++) {
		if (s[i] == '"' || s[i] == '\\') {
			*o++ = '\\';
			*o++ = s[i];
		} else if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			o += sprintf(o, "\\x%02x", (unsigned char)s[i]);
		else
			*o++ = s[i];
	}
	*o++ = '"';
	*o = '\0';
	return q;
}

/* Go's strconv.ParseInt(s, 10, 64), its error text in err. */
static int
parse_int64(const char *s, size_t len, int64_t *v, char *err, size_t errlen)
{
	const char	*p = s, *end = s + len;
	uint64_t	 n = 0, limit;
	int		 neg = 0, range = 0;
	char		*q;

	if (p < end && (*p == '+' || *p == '-'))
		neg = *p++ == '-';
	limit = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
	if (p == end)
		goto syntax;
	for (; p < end; p++) {
		if (*p < '0' || *p > '9')
			goto syntax;
		if (n > (limit - (*p - '0')) / 10)
			range = 1;
		else
			n = n * 10 + (*p - '0');
	}
	if (range) {
		q = go_quote(s, len);
		fail(err, errlen, "strconv.ParseInt: parsing %s: value out of "
		    "range", q);
		free(q);
		return -1;
	}
	*v = neg ? (int64_t)(0 - n) : (int64_t)n;
	return 0;
 syntax:
	q = go_quote(s, len);
	fail(err, errlen, "strconv.ParseInt: parsing %s: invalid syntax", q);
	free(q);
	return -1;
}

/* Go's InitFromJSON wants every key of a submit to be a string. */
static int
work_all_strings(const struct ctlcmd *cmd, char *err, size_t errlen)
{
	json_object_object_foreach(cmd->json, key, val)
		if (!json_object_is_type(val, json_type_string))
			return fail(err, errlen, "submit parameters must all "
			    "be strings and %s is not", key);
	return 0;
}

/*
 * Go's strFromMap on the JSON request: 0 with *val set (a copy), or -1
 * with "field <k> missing", "field <k> must be a string". A value with a
 * NUL byte names nothing a C string could: refused here (ours).
 */
static int
work_str(const struct ctlcmd *cmd, const char *key, char **val, char *err,
    size_t errlen)
{
	const char	*v;
	size_t		 len;

	switch (ctlcmd_param_string(cmd, key, &v, &len)) {
	case CTLP_ABSENT:
		return fail(err, errlen, "field %s missing", key);
	case CTLP_NOTSTRING:
		return fail(err, errlen, "field %s must be a string", key);
	case CTLP_OK:
		break;
	}
	if (strlen(v) != len)
		return fail(err, errlen, "field %s holds a NUL byte", key);
	*val = memdup_z(v, len);
	return 0;
}

/*
 * Go's intFromMap for startpos: a JSON number, truncated; a string
 * that ParseInt takes still fails, as Go's does.
 */
static int
work_startpos(const struct ctlcmd *cmd, int64_t *pos, char *err,
    size_t errlen)
{
	struct json_object	*v;
	const char		*s;
	char			*shown;
	double			 d;
	int64_t			 n;
	int			 rv;

	if (!json_object_object_get_ex(cmd->json, "startpos", &v))
		return fail(err, errlen, "field startpos missing");
	switch (json_object_get_type(v)) {
	case json_type_int:
		*pos = json_object_get_int64(v);
		return 0;
	case json_type_double:
		d = json_object_get_double(v);
		/* amd64's conversion of what int64 can't hold */
		*pos = d >= -9223372036854775808.0 &&
		    d < 9223372036854775808.0 ? (int64_t)d : INT64_MIN;
		return 0;
	case json_type_string:
		s = json_object_get_string(v);
		if (parse_int64(s, json_object_get_string_len(v), &n, err,
		    errlen) == -1)
			return -1;
		return fail(err, errlen, "field startpos value %s is not "
		    "convertible to an int", s);
	case json_type_boolean:
		return fail(err, errlen, "field startpos value %%!s(bool=%s) "
		    "is not convertible to an int", json_object_get_boolean(v) ?
		    "true" : "false");
	case json_type_null:
		return fail(err, errlen, "field startpos value %%!s(<nil>) is "
		    "not convertible to an int");
	default:
		shown = xasprintf("%s", json_object_to_json_string_ext(v,
		    JSON_C_TO_STRING_PLAIN));
		rv = fail(err, errlen, "field startpos value %s is not "
		    "convertible to an int", shown);
		free(shown);
		return rv;
	}
}

/* Go's InitFromString: params split on every single space. */
static int
work_text(const struct ctlcmd *cmd, struct ctl_work *w, char *err,
    size_t errlen)
{
	const char	*p = cmd->params, *end = p + cmd->params_len, *sp;
	const char	*tok[3];
	size_t		 len[3], n = 0;
	char		*sub;

	while (n < 3) {
		if ((sp = memchr(p, ' ', end - p)) == NULL)
			sp = end;
		tok[n] = p;
		len[n++] = sp - p;
		if (sp == end)
			break;
		p = sp + 1;
	}
	/* What follows the third token, space and all, stays in p. */
	sub = lower_word(tok[0], len[0]);
	w->sub = work_sub(sub);
	switch (w->sub) {
	case CTLW_SUBMIT:
		if (n < 3) {
			free(sub);
			return fail(err, errlen, "work submit requires a "
			    "target node and work type");
		}
		w->node = memdup_z(tok[1], len[1]);
		w->worktype = memdup_z(tok[2], len[2]);
		if (tok[2] + len[2] < end)
			json_object_object_add(w->params, "params",
			    json_object_new_string_len(tok[2] + len[2] + 1,
			    end - (tok[2] + len[2] + 1)));
		break;
	case CTLW_LIST:
		if (n > 1)
			w->unitid = memdup_z(tok[1], len[1]);
		break;
	case CTLW_STATUS:
	case CTLW_CANCEL:
	case CTLW_RELEASE:
	case CTLW_FORCE_RELEASE:
		if (n < 2)
			fail(err, errlen, "work %s requires a unit ID", sub);
		else if (n > 2)
			fail(err, errlen, "work %s does not take parameters "
			    "after the unit ID", sub);
		else
			w->unitid = memdup_z(tok[1], len[1]);
		break;
	case CTLW_RESULTS:
		if (n < 2)
			fail(err, errlen, "work results requires a unit ID");
		else if (n == 3 && memchr(tok[2], ' ', end - tok[2]) != NULL)
			fail(err, errlen, "work results only takes a unit ID "
			    "and optional start position");
		else {
			w->unitid = memdup_z(tok[1], len[1]);
			if (n == 3 && parse_int64(tok[2], len[2], &w->startpos,
			    err, errlen) == -1) {
				free(sub);
				sub = xasprintf("%s", err);
				fail(err, errlen, "error converting start "
				    "position to integer: %s", sub);
				free(w->unitid);
				w->unitid = NULL;
			}
		}
		break;
	case CTLW_BAD:
		fail(err, errlen, "bad command");
		break;
	}
	free(sub);
	return w->sub == CTLW_SUBMIT || w->sub == CTLW_LIST ||
	    w->unitid != NULL ? 0 : -1;
}

/* Go's InitFromJSON, then ControlFunc's reading of submit's fields. */
static int
work_json(const struct ctlcmd *cmd, struct ctl_work *w, char *err,
    size_t errlen)
{
	char		*sub, *s;
	size_t		 i;

	if (work_str(cmd, "subcommand", &s, err, errlen) == -1)
		return -1;
	sub = lower_word(s, strlen(s));
	free(s);
	w->sub = work_sub(sub);
	free(sub);
	switch (w->sub) {
	case CTLW_SUBMIT:
		if (work_all_strings(cmd, err, errlen) == -1)
			return -1;
		if (work_str(cmd, "node", &w->node, err, errlen) == -1 ||
		    work_str(cmd, "worktype", &w->worktype, err, errlen) == -1)
			return -1;
		(void)work_str(cmd, "tlsclient", &w->tlsclient, err, errlen);
		(void)work_str(cmd, "ttl", &w->ttl, err, errlen);
		(void)work_str(cmd, "signature", &w->signature, err, errlen);
		if (work_str(cmd, "signwork", &s, err, errlen) == 0) {
			w->signwork = strcmp(s, "true") == 0;
			free(s);
		}
		json_object_object_foreach(cmd->json, k, v) {
			for (i = 0; i < sizeof(work_reserved) /
			    sizeof(work_reserved[0]); i++)
				if (strcmp(k, work_reserved[i]) == 0)
					break;
			if (i == sizeof(work_reserved) /
			    sizeof(work_reserved[0]))
				json_object_object_add(w->params, k,
				    json_object_get(v));
		}
		return 0;
	case CTLW_LIST:
		(void)work_str(cmd, "unitid", &w->unitid, err, errlen);
		return 0;
	case CTLW_STATUS:
	case CTLW_CANCEL:
	case CTLW_RELEASE:
	case CTLW_FORCE_RELEASE:
	case CTLW_RESULTS:
		if (work_str(cmd, "unitid", &w->unitid, err, errlen) == -1 ||
		    (w->sub == CTLW_RESULTS &&
		    work_startpos(cmd, &w->startpos, err, errlen) == -1))
			return -1;
		(void)work_str(cmd, "signature", &w->signature, err, errlen);
		return 0;
	case CTLW_BAD:
		break;
	}
	return fail(err, errlen, "bad command");
}

int
ctlcmd_work(const struct ctlcmd *cmd, struct ctl_work *w, char *err,
    size_t errlen)
{
	memset(w, 0, sizeof(*w));
	if ((w->params = json_object_new_object()) == NULL)
		fatal("ctlcmd");
	if (cmd->json == NULL)
		return work_text(cmd, w, err, errlen);
	return work_json(cmd, w, err, errlen);
}

void
ctl_work_clear(struct ctl_work *w)
{
	free(w->unitid);
	free(w->signature);
	free(w->node);
	free(w->worktype);
	free(w->tlsclient);
	free(w->ttl);
	if (w->params != NULL)
		json_object_put(w->params);
	memset(w, 0, sizeof(*w));
}
