/*
 * Go time.Duration text, both directions, following the algorithms of
 * Go's time package so that every value rounds and fails the same way.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "goduration.h"

#define NS_US		UINT64_C(1000)
#define NS_MS		UINT64_C(1000000)
#define NS_S		UINT64_C(1000000000)
#define NS_M		(60 * NS_S)
#define NS_H		(60 * NS_M)
#define TWO63		(UINT64_C(1) << 63)

struct unit {
	const char	*name;
	uint64_t	 ns;
};

static const struct unit units[] = {
	{ "ns", 1 },
	{ "us", NS_US },
	{ "\xc2\xb5s", NS_US },		/* U+00B5 micro sign */
	{ "\xce\xbcs", NS_US },		/* U+03BC Greek mu */
	{ "ms", NS_MS },
	{ "s", NS_S },
	{ "m", NS_M },
	{ "h", NS_H },
};

static size_t	 fmt_frac(char *, size_t, uint64_t *, int);
static size_t	 fmt_int(char *, size_t, uint64_t);
static void	 go_quote(char *, size_t, size_t *, const char *, size_t);
static int	 parse_fail(char *, size_t, const char *, const char *,
		    size_t, const char *);

/*
 * Both helpers write backwards ending before buf[w] and return the new
 * start, as Go does, so the whole text is built right to left.
 */
static size_t
fmt_frac(char *buf, size_t w, uint64_t *v, int prec)
{
	int	 i, print = 0;
	unsigned digit;

	for (i = 0; i < prec; i++) {
		digit = *v % 10;
		print = print || digit != 0;
		if (print)
			buf[--w] = '0' + digit;
		*v /= 10;
	}
	if (print)
		buf[--w] = '.';
	return w;
}

static size_t
fmt_int(char *buf, size_t w, uint64_t v)
{
	if (v == 0)
		buf[--w] = '0';
	while (v > 0) {
		buf[--w] = '0' + v % 10;
		v /= 10;
	}
	return w;
}

size_t
goduration_format(int64_t ns, char out[GODURATION_STRLEN])
{
	char		 buf[GODURATION_STRLEN];
	size_t		 w = sizeof(buf), len;
	uint64_t	 u = (uint64_t)ns;
	int		 neg = ns < 0, prec;

	/* Unsigned negation keeps INT64_MIN exact. */
	if (neg)
		u = -u;
	if (u < NS_S) {
		buf[--w] = 's';
		if (u == 0) {
			buf[--w] = '0';
		} else {
			if (u < NS_US) {
				prec = 0;
				buf[--w] = 'n';
			} else if (u < NS_MS) {
				prec = 3;
				buf[--w] = '\xb5';
				buf[--w] = '\xc2';
			} else {
				prec = 6;
				buf[--w] = 'm';
			}
			w = fmt_frac(buf, w, &u, prec);
			w = fmt_int(buf, w, u);
		}
	} else {
		buf[--w] = 's';
		w = fmt_frac(buf, w, &u, 9);
		w = fmt_int(buf, w, u % 60);
		u /= 60;
		if (u > 0) {
			buf[--w] = 'm';
			w = fmt_int(buf, w, u % 60);
			u /= 60;
			if (u > 0) {
				buf[--w] = 'h';
				w = fmt_int(buf, w, u);
			}
		}
	}
	if (neg)
		buf[--w] = '-';
	len = sizeof(buf) - w;
	memcpy(out, buf + w, len);
	out[len] = '\0';
	return len;
}

/*
 * Append Go's time.quote() of s to err at *o: printable ASCII as is with
 * '"' and '\\' escaped, every other byte as \xHH. Truncates to fit.
 */
static void
go_quote(char *err, size_t errlen, size_t *o, const char *s, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	size_t		 i;
	unsigned char	 c;

#define PUT(ch)	do { if (*o + 1 < errlen) err[(*o)++] = (ch); } while (0)
	PUT('"');
	for (i = 0; i < len; i++) {
		c = s[i];
		if (c >= 0x80 || c < ' ') {
			PUT('\\');
			PUT('x');
			PUT(hex[c >> 4]);
			PUT(hex[c & 0xf]);
			continue;
		}
		if (c == '"' || c == '\\')
			PUT('\\');
		PUT(c);
	}
	PUT('"');
#undef PUT
	err[*o] = '\0';
}

/*
 * Go's messages: "time: <what> <orig>", or with a unit (ulen > 0)
 * "time: unknown unit <unit> in duration <orig>", both quoted.
 */
static int
parse_fail(char *err, size_t errlen, const char *what, const char *unit,
    size_t ulen, const char *orig)
{
	size_t	 o;
	int	 n;

	if (errlen == 0)
		return -1;
	if (ulen > 0) {
		n = snprintf(err, errlen, "time: unknown unit ");
		o = (size_t)n < errlen ? (size_t)n : errlen - 1;
		go_quote(err, errlen, &o, unit, ulen);
		n = snprintf(err + o, errlen - o, " in duration ");
	} else {
		o = 0;
		n = snprintf(err, errlen, "time: %s ", what);
	}
	o += (size_t)n < errlen - o ? (size_t)n : errlen - o - 1;
	go_quote(err, errlen, &o, orig, strlen(orig));
	return -1;
}

int
goduration_parse(const char *orig, int64_t *ns, char *err, size_t errlen)
{
	const char	*s = orig;
	uint64_t	 d = 0, v, f, unit, y;
	double		 scale;
	size_t		 i, pl, ulen;
	int		 neg = 0, pre, post, overflow;

	if (*s == '-' || *s == '+') {
		neg = *s == '-';
		s++;
	}
	if (strcmp(s, "0") == 0) {
		*ns = 0;
		return 0;
	}
	if (*s == '\0')
		goto invalid;
	while (*s != '\0') {
		if (!(*s == '.' || (*s >= '0' && *s <= '9')))
			goto invalid;
		/* [0-9]*, failing on overflow like Go's leadingInt */
		v = 0;
		for (pl = 0; s[pl] >= '0' && s[pl] <= '9'; pl++) {
			if (v > TWO63 / 10)
				goto invalid;
			v = v * 10 + (uint64_t)(s[pl] - '0');
			if (v > TWO63)
				goto invalid;
		}
		pre = pl != 0;
		s += pl;
		/* (\.[0-9]*)?, dropping digits past uint64 precision */
		f = 0;
		scale = 1;
		post = 0;
		if (*s == '.') {
			s++;
			overflow = 0;
			for (pl = 0; s[pl] >= '0' && s[pl] <= '9'; pl++) {
				if (overflow)
					continue;
				if (f > (TWO63 - 1) / 10) {
					overflow = 1;
					continue;
				}
				y = f * 10 + (uint64_t)(s[pl] - '0');
				if (y > TWO63) {
					overflow = 1;
					continue;
				}
				f = y;
				scale *= 10;
			}
			post = pl != 0;
			s += pl;
		}
		if (!pre && !post)
			goto invalid;
		for (ulen = 0; s[ulen] != '\0' && s[ulen] != '.' &&
		    !(s[ulen] >= '0' && s[ulen] <= '9'); ulen++)
			;
		if (ulen == 0)
			return parse_fail(err, errlen, "missing unit in duration",
			    NULL, 0, orig);
		unit = 0;
		for (i = 0; i < sizeof(units) / sizeof(units[0]); i++)
			if (strlen(units[i].name) == ulen &&
			    memcmp(units[i].name, s, ulen) == 0)
				unit = units[i].ns;
		if (unit == 0)
			return parse_fail(err, errlen, NULL, s, ulen, orig);
		s += ulen;
		if (v > TWO63 / unit)
			goto invalid;
		v *= unit;
		if (f > 0) {
			/* Go computes the fraction in float64; so do we. */
			v += (uint64_t)((double)f * ((double)unit / scale));
			if (v > TWO63)
				goto invalid;
		}
		d += v;
		if (d > TWO63)
			goto invalid;
	}
	if (neg) {
		*ns = (int64_t)(0 - d);
		return 0;
	}
	if (d > TWO63 - 1)
		goto invalid;
	*ns = (int64_t)d;
	return 0;

invalid:
	return parse_fail(err, errlen, "invalid duration", NULL, 0, orig);
}
