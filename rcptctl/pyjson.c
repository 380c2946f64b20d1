/*
 * Values printed the way receptorctl's Python prints them: json.dumps()
 * with indent=4 and sort_keys=True for --json, json.dumps() alone for
 * the requests it sends as JSON, str() in text output
 * (repr() inside containers: {'type': 'Control Service'}), and str.ljust
 * padding, which counts characters, not bytes.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rcptctl.h"

static void	dump(FILE *, struct json_object *, int);
static void	dump_string(FILE *, const char *, size_t);
static void	repr(FILE *, struct json_object *);
static void	repr_string(FILE *, const char *);
static void	number(FILE *, struct json_object *);
static int	key_cmp(const void *, const void *);
static unsigned	utf8_next(const unsigned char **);

/* o[key]; NULL when absent, and for JSON null (json-c's null is NULL). */
struct json_object *
pyjson_get(struct json_object *o, const char *key)
{
	struct json_object	*v;

	return json_object_object_get_ex(o, key, &v) ? v : NULL;
}

void
pyjson_dump(FILE *fp, struct json_object *o)
{
	dump(fp, o, 0);
	fputc('\n', fp);
}

/* json.dumps(o): one line, the members in their order. */
void
pyjson_dumps(FILE *fp, struct json_object *o)
{
	dump(fp, o, -1);
}

/* repr() of a string, allocated. */
char *
pyjson_repr(const char *s)
{
	char	*r = NULL;
	size_t	 len = 0;
	FILE	*fp;

	if ((fp = open_memstream(&r, &len)) == NULL)
		die("out of memory");
	repr_string(fp, s);
	if (fclose(fp) != 0)
		die("out of memory");
	return r;
}

/* str(): a string as it is, anything else as repr(). */
void
pyjson_str(FILE *fp, struct json_object *o)
{
	if (json_object_is_type(o, json_type_string))
		fputs(json_object_get_string(o), fp);
	else
		repr(fp, o);
}

char *
pyjson_strdup(struct json_object *o)
{
	char	*s = NULL;
	size_t	 len = 0;
	FILE	*fp;

	if ((fp = open_memstream(&s, &len)) == NULL)
		die("out of memory");
	pyjson_str(fp, o);
	if (fclose(fp) != 0)
		die("out of memory");
	return s;
}

/* len() of a Python string: characters. */
int
pyjson_len(const char *s)
{
	const unsigned char	*p = (const unsigned char *)s;
	int			 chars = 0;

	while (*p != '\0') {
		utf8_next(&p);
		chars++;
	}
	return chars;
}

/* f"{s:<width}" */
void
pyjson_pad(FILE *fp, const char *s, int width)
{
	int	 chars;

	fputs(s, fp);
	for (chars = pyjson_len(s); chars < width; chars++)
		fputc(' ', fp);
}

static int
key_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* A level below 0 is the one-line form, no indent. */
static void
indent(FILE *fp, int level)
{
	if (level >= 0)
		fprintf(fp, "\n%*s", level * 4, "");
}

/* Indented by level, keys sorted; or at level -1 json.dumps()'s defaults. */
static void
dump(FILE *fp, struct json_object *o, int level)
{
	const char		*sep = level >= 0 ? "," : ", ";
	int			 inner = level >= 0 ? level + 1 : level;
	struct json_object	*v;
	const char		**keys;
	size_t			 i, n;

	switch (json_object_get_type(o)) {
	case json_type_null:
		fputs("null", fp);
		break;
	case json_type_boolean:
		fputs(json_object_get_boolean(o) ? "true" : "false", fp);
		break;
	case json_type_int:
	case json_type_double:
		number(fp, o);
		break;
	case json_type_string:
		dump_string(fp, json_object_get_string(o),
		    json_object_get_string_len(o));
		break;
	case json_type_array:
		if ((n = json_object_array_length(o)) == 0) {
			fputs("[]", fp);
			break;
		}
		fputc('[', fp);
		for (i = 0; i < n; i++) {
			if (i > 0)
				fputs(sep, fp);
			indent(fp, inner);
			dump(fp, json_object_array_get_idx(o, i), inner);
		}
		indent(fp, level);
		fputc(']', fp);
		break;
	case json_type_object:
		if ((n = json_object_object_length(o)) == 0) {
			fputs("{}", fp);
			break;
		}
		if ((keys = calloc(n, sizeof(*keys))) == NULL)
			die("out of memory");
		i = 0;
		json_object_object_foreach(o, key, val) {
			(void)val;
			keys[i++] = key;
		}
		if (level >= 0)
			qsort(keys, n, sizeof(*keys), key_cmp);
		fputc('{', fp);
		for (i = 0; i < n; i++) {
			if (i > 0)
				fputs(sep, fp);
			indent(fp, inner);
			dump_string(fp, keys[i], strlen(keys[i]));
			fputs(": ", fp);
			json_object_object_get_ex(o, keys[i], &v);
			dump(fp, v, inner);
		}
		indent(fp, level);
		fputc('}', fp);
		free(keys);
		break;
	}
}

/* ensure_ascii: all past ASCII escaped, as surrogate pairs past U+FFFF. */
static void
dump_string(FILE *fp, const char *s, size_t len)
{
	const unsigned char	*p = (const unsigned char *)s, *end = p + len;
	unsigned		 c;

	fputc('"', fp);
	while (p < end) {
		c = utf8_next(&p);
		switch (c) {
		case '"':
			fputs("\\\"", fp);
			break;
		case '\\':
			fputs("\\\\", fp);
			break;
		case '\b':
			fputs("\\b", fp);
			break;
		case '\f':
			fputs("\\f", fp);
			break;
		case '\n':
			fputs("\\n", fp);
			break;
		case '\r':
			fputs("\\r", fp);
			break;
		case '\t':
			fputs("\\t", fp);
			break;
		default:
			if (c >= 0x10000) {
				c -= 0x10000;
				fprintf(fp, "\\u%04x\\u%04x", 0xd800 + (c >> 10),
				    0xdc00 + (c & 0x3ff));
			} else if (c < 0x20 || c > 0x7e)
				fprintf(fp, "\\u%04x", c);
			else
				fputc(c, fp);
		}
	}
	fputc('"', fp);
}

/*
 * An integer as its digits, a float as Python's repr(): the shortest
 * text that reads back the same, in exponent form below 1e-4 and from
 * 1e16 on, else with at least one decimal ("1.0").
 */
static void
number(FILE *fp, struct json_object *o)
{
	char	 buf[40], digits[20], *p;
	double	 d;
	int	 prec, exp, ndig, i;

	if (json_object_is_type(o, json_type_int)) {
		fputs(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN),
		    fp);
		return;
	}
	d = json_object_get_double(o);
	if (isnan(d) || isinf(d)) {
		fputs(isnan(d) ? "NaN" : d < 0 ? "-Infinity" : "Infinity", fp);
		return;
	}
	for (prec = 0; prec < 17; prec++) {
		snprintf(buf, sizeof(buf), "%.*e", prec, d);
		if (strtod(buf, NULL) == d)
			break;
	}
	/* buf is [-]d[.ddd]e[+-]xx */
	p = buf;
	if (*p == '-') {
		fputc('-', fp);
		p++;
	}
	ndig = 0;
	for (; *p != 'e'; p++)
		if (*p != '.')
			digits[ndig++] = *p;
	exp = atoi(p + 1);
	while (ndig > 1 && digits[ndig - 1] == '0')
		ndig--;
	if (exp < -4 || exp >= 16) {
		fputc(digits[0], fp);
		if (ndig > 1)
			fprintf(fp, ".%.*s", ndig - 1, digits + 1);
		fprintf(fp, "e%c%02d", exp < 0 ? '-' : '+', abs(exp));
	} else if (exp < 0) {
		fputs("0.", fp);
		for (i = exp + 1; i < 0; i++)
			fputc('0', fp);
		fprintf(fp, "%.*s", ndig, digits);
	} else {
		for (i = 0; i <= exp; i++)
			fputc(i < ndig ? digits[i] : '0', fp);
		fputc('.', fp);
		if (ndig > exp + 1)
			fprintf(fp, "%.*s", ndig - exp - 1, digits + exp + 1);
		else
			fputc('0', fp);
	}
}

static void
repr(FILE *fp, struct json_object *o)
{
	struct json_object	*v;
	size_t			 i, n;
	int			 first = 1;

	switch (json_object_get_type(o)) {
	case json_type_null:
		fputs("None", fp);
		break;
	case json_type_boolean:
		fputs(json_object_get_boolean(o) ? "True" : "False", fp);
		break;
	case json_type_int:
	case json_type_double:
		number(fp, o);
		break;
	case json_type_string:
		repr_string(fp, json_object_get_string(o));
		break;
	case json_type_array:
		fputc('[', fp);
		n = json_object_array_length(o);
		for (i = 0; i < n; i++) {
			if (i > 0)
				fputs(", ", fp);
			v = json_object_array_get_idx(o, i);
			repr(fp, v);
		}
		fputc(']', fp);
		break;
	case json_type_object:
		fputc('{', fp);
		json_object_object_foreach(o, key, val) {
			if (!first)
				fputs(", ", fp);
			first = 0;
			repr_string(fp, key);
			fputs(": ", fp);
			repr(fp, val);
		}
		fputc('}', fp);
		break;
	}
}

/* Single quotes unless the text has one and no double quote. */
static void
repr_string(FILE *fp, const char *s)
{
	const unsigned char	*p = (const unsigned char *)s, *start;
	unsigned		 c;
	char			 q;

	q = strchr(s, '\'') != NULL && strchr(s, '"') == NULL ? '"' : '\'';
	fputc(q, fp);
	while (*p != '\0') {
		start = p;
		c = utf8_next(&p);
		if (c == (unsigned char)q || c == '\\')
			fprintf(fp, "\\%c", c);
		else if (c == '\n')
			fputs("\\n", fp);
		else if (c == '\r')
			fputs("\\r", fp);
		else if (c == '\t')
			fputs("\\t", fp);
		else if (c < 0x20 || (c >= 0x7f && c <= 0xa0) || c == 0xad)
			fprintf(fp, "\\x%02x", c);
		else if (c == 0x2028 || c == 0x2029)
			fprintf(fp, "\\u%04x", c);
		else
			fwrite(start, 1, p - start, fp);
	}
	fputc(q, fp);
}

/* The next code point; a byte that starts no valid sequence is U+FFFD. */
static unsigned
utf8_next(const unsigned char **pp)
{
	const unsigned char	*p = *pp;
	unsigned		 c = p[0];
	int			 n, i;

	if (c < 0x80)
		n = 0;
	else if ((c & 0xe0) == 0xc0) {
		n = 1;
		c &= 0x1f;
	} else if ((c & 0xf0) == 0xe0) {
		n = 2;
		c &= 0x0f;
	} else if ((c & 0xf8) == 0xf0) {
		n = 3;
		c &= 0x07;
	} else {
		*pp = p + 1;
		return 0xfffd;
	}
	for (i = 1; i <= n; i++) {
		if ((p[i] & 0xc0) != 0x80) {
			*pp = p + 1;
			return 0xfffd;
		}
		c = (c << 6) | (p[i] & 0x3f);
	}
	*pp = p + n + 1;
	return c;
}
