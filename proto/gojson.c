/*
 * Go's encoding/json and time.Time text. A node of ours is only welcome
 * in a Go mesh if its messages are the bytes Go would have sent and if it
 * reads what Go reads, so every rule here is Go's, not JSON's:
 * HTML-safe string escapes, invalid UTF-8 read and written as U+FFFD,
 * floats shortest-first with ES6 exponent cutoffs, integers exact to
 * 2^64, object keys matched with Go's case folding, 10000 levels deep.
 */
#include <errno.h>
#include <locale.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "gojson.h"

#define SECS_PER_DAY	86400
/* Days from 0000-03-01 to 1970-01-01, proleptic Gregorian. */
#define EPOCH_DAYS	719468
/* Not toupper(3): in a Turkish locale 'i' is not 'I'. */
#define ASCII_UPPER(c)	((c) >= 'a' && (c) <= 'z' ? (c) - 'a' + 'A' : (c))

static int64_t	 days_from_civil(int, int, int);
static void	 civil_from_days(int64_t, int *, int *, int *);
static int	 days_in(int, int);
static int	 num(const char **, const char *, int, int *);

static int	 reserve(struct gjbuf *, size_t);
static void	 put(struct gjbuf *, const void *, size_t);
static void	 putc1(struct gjbuf *, char);
static void	 put_rune(struct gjbuf *, unsigned int);
static int	 shortest(double, char [24], int *);

static int	 fail(struct gjreader *, const char *);
static void	 skip_ws(struct gjreader *);
static int	 peek(struct gjreader *);
static int	 mismatch(struct gjreader *);
static int	 hex4(const unsigned char *, const unsigned char *);
static int	 unescape_u(const unsigned char **, const unsigned char *);
static size_t	 digits(const unsigned char **, const unsigned char *);
static int	 read_string(struct gjreader *, struct gjbuf *);
static size_t	 scan_number(struct gjreader *);
static int	 literal(struct gjreader *, const char *);
static int	 skip_scalar(struct gjreader *);
static int	 open_container(struct gjreader *, int);
static int	 next_member(struct gjreader *, int);

static const char hexdigits[] = "0123456789abcdef";

/* Howard Hinnant's civil calendar algorithms, years 0 to 9999 here. */
static int64_t
days_from_civil(int y, int m, int d)
{
	int	 era, yoe, doy;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	return (int64_t)era * 146097 + yoe * 365 + yoe / 4 - yoe / 100 +
	    doy - EPOCH_DAYS;
}

static void
civil_from_days(int64_t z, int *y, int *m, int *d)
{
	int64_t	 era;
	int	 doe, yoe, doy, mp;

	z += EPOCH_DAYS;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = yoe + (int)era * 400 + (*m <= 2);
}

static int
days_in(int m, int y)
{
	static const int days[] = {
		31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31
	};

	if (m == 2 && y % 4 == 0 && (y % 100 != 0 || y % 400 == 0))
		return 29;
	return days[m - 1];
}

/* Exactly n digits, or 1 or 2 when n is 0 (Go's unpadded hour). */
static int
num(const char **pp, const char *end, int n, int *v)
{
	const char	*p = *pp;
	int		 i, want = n == 0 ? 2 : n;

	*v = 0;
	for (i = 0; i < want && p < end && *p >= '0' && *p <= '9'; i++)
		*v = *v * 10 + *p++ - '0';
	if (i == 0 || (n != 0 && i != n))
		return -1;
	*pp = p;
	return 0;
}

void
gotime_now(struct gotime *t)
{
	struct timespec	 ts;
	struct tm	 tm;

	clock_gettime(CLOCK_REALTIME, &ts);
	t->sec = ts.tv_sec;
	t->nsec = ts.tv_nsec;
	t->off = localtime_r(&ts.tv_sec, &tm) != NULL ? tm.tm_gmtoff : 0;
}

/*
 * What Time.UnmarshalJSON accepts: Go tries a strict RFC 3339 parser and
 * falls back on time.Parse(time.RFC3339), so the looser of the two rules
 * wins each time: a one-digit hour, ',' before the fraction, zone hours
 * to 24 and minutes to 60. Digits past the ninth are dropped.
 */
int
gotime_parse(struct gotime *t, const char *s, size_t len)
{
	const char	*p = s, *end = s + len;
	int		 y, mo, d, h, mi, sec, zh, zm, i;
	long		 nsec = 0;

	if (num(&p, end, 4, &y) == -1 || p == end || *p++ != '-' ||
	    num(&p, end, 2, &mo) == -1 || p == end || *p++ != '-' ||
	    num(&p, end, 2, &d) == -1 || p == end || *p++ != 'T' ||
	    num(&p, end, 0, &h) == -1 || p == end || *p++ != ':' ||
	    num(&p, end, 2, &mi) == -1 || p == end || *p++ != ':' ||
	    num(&p, end, 2, &sec) == -1)
		return -1;
	if (mo < 1 || mo > 12 || d < 1 || d > days_in(mo, y) || h > 23 ||
	    mi > 59 || sec > 59)
		return -1;
	if (end - p >= 2 && (*p == '.' || *p == ',') && p[1] >= '0' &&
	    p[1] <= '9') {
		for (p++, i = 0; p < end && *p >= '0' && *p <= '9'; p++, i++)
			if (i < 9)
				nsec = nsec * 10 + *p - '0';
		for (; i < 9; i++)
			nsec *= 10;
	}
	t->off = 0;
	if (p < end && *p == 'Z')
		p++;
	else {
		if (end - p < 6 || (*p != '+' && *p != '-') || p[3] != ':')
			return -1;
		p++;
		if (num(&p, end, 2, &zh) == -1 || zh > 24)
			return -1;
		p++;
		if (num(&p, end, 2, &zm) == -1 || zm > 60)
			return -1;
		t->off = (zh * 60 + zm) * 60;
		if (p[-6] == '-')
			t->off = -t->off;
	}
	if (p != end)
		return -1;
	t->sec = days_from_civil(y, mo, d) * SECS_PER_DAY + h * 3600 +
	    mi * 60 + sec - t->off;
	t->nsec = nsec;
	return 0;
}

/*
 * RFC3339Nano as Time.MarshalJSON writes it; -1 where Go refuses to
 * marshal: a year outside 0-9999 or a zone 24 hours or more off.
 */
int
gotime_format(char buf[GOTIME_BUFLEN], const struct gotime *t)
{
	int64_t		 local = t->sec + t->off, days, rem;
	int		 y, m, d, zone, n, i;
	long		 frac;

	if (t->off <= -24 * 3600 || t->off >= 24 * 3600)
		return -1;
	days = local / SECS_PER_DAY;
	rem = local % SECS_PER_DAY;
	if (rem < 0) {
		rem += SECS_PER_DAY;
		days--;
	}
	civil_from_days(days, &y, &m, &d);
	if (y < 0 || y > 9999)
		return -1;
	n = snprintf(buf, GOTIME_BUFLEN, "%04d-%02d-%02dT%02d:%02d:%02d",
	    y, m, d, (int)(rem / 3600), (int)(rem / 60 % 60), (int)(rem % 60));
	if (t->nsec > 0) {
		buf[n++] = '.';
		for (frac = t->nsec, i = 8; i >= 0; i--, frac /= 10)
			buf[n + i] = '0' + frac % 10;
		for (n += 9; buf[n - 1] == '0'; n--)
			;
	}
	/* Go writes whole minutes only, truncated toward zero. */
	if (t->off == 0)
		buf[n++] = 'Z';
	else {
		zone = t->off / 60;
		buf[n++] = zone < 0 ? '-' : '+';
		if (zone < 0)
			zone = -zone;
		n += snprintf(buf + n, GOTIME_BUFLEN - n, "%02d:%02d",
		    zone / 60, zone % 60);
	}
	buf[n] = '\0';
	return n;
}

/* Like Go's Before/After: the instant alone, not the zone. */
int
gotime_cmp(const struct gotime *a, const struct gotime *b)
{
	if (a->sec != b->sec)
		return a->sec < b->sec ? -1 : 1;
	if (a->nsec != b->nsec)
		return a->nsec < b->nsec ? -1 : 1;
	return 0;
}

void
gj_init(struct gjbuf *b)
{
	memset(b, 0, sizeof(*b));
}

void
gj_free(struct gjbuf *b)
{
	free(b->buf);
	gj_init(b);
}

static int
reserve(struct gjbuf *b, size_t n)
{
	size_t	 size;
	char	*p;

	if (b->err != NULL)
		return -1;
	if (n <= b->size - b->len)
		return 0;
	if (n > SIZE_MAX / 2 - b->len) {
		b->err = "out of memory";
		return -1;
	}
	size = b->size < 64 ? 64 : b->size;
	while (size - b->len < n)
		size *= 2;
	if ((p = realloc(b->buf, size)) == NULL) {
		b->err = "out of memory";
		return -1;
	}
	b->buf = p;
	b->size = size;
	return 0;
}

static void
put(struct gjbuf *b, const void *p, size_t n)
{
	if (n == 0 || reserve(b, n) == -1)
		return;
	memcpy(b->buf + b->len, p, n);
	b->len += n;
}

static void
putc1(struct gjbuf *b, char c)
{
	put(b, &c, 1);
}

void
gj_raw(struct gjbuf *b, const void *p, size_t n)
{
	put(b, p, n);
}

void
gj_obj_open(struct gjbuf *b)
{
	putc1(b, '{');
}

void
gj_obj_close(struct gjbuf *b)
{
	putc1(b, '}');
}

void
gj_arr_open(struct gjbuf *b)
{
	putc1(b, '[');
}

void
gj_arr_close(struct gjbuf *b)
{
	putc1(b, ']');
}

/* A member follows a '{' or another member, which needs the comma. */
void
gj_key(struct gjbuf *b, const char *key)
{
	if (b->len > 0 && b->buf[b->len - 1] != '{')
		putc1(b, ',');
	gj_str(b, key);
	putc1(b, ':');
}

void
gj_elem(struct gjbuf *b)
{
	if (b->len > 0 && b->buf[b->len - 1] != '[')
		putc1(b, ',');
}

size_t
gj_utf8_len(const void *s, size_t n)
{
	const unsigned char	*p = s;
	unsigned char		 lo = 0x80, hi = 0xbf;
	size_t			 need, i;

	if (p[0] < 0x80)
		return 1;
	if (p[0] < 0xc2 || p[0] > 0xf4)
		return 0;
	if (p[0] < 0xe0)
		need = 2;
	else if (p[0] < 0xf0) {
		need = 3;
		if (p[0] == 0xe0)
			lo = 0xa0;
		else if (p[0] == 0xed)
			hi = 0x9f;	/* no surrogates */
	} else {
		need = 4;
		if (p[0] == 0xf0)
			lo = 0x90;
		else if (p[0] == 0xf4)
			hi = 0x8f;
	}
	if (n < need || p[1] < lo || p[1] > hi)
		return 0;
	for (i = 2; i < need; i++)
		if ((p[i] & 0xc0) != 0x80)
			return 0;
	return need;
}

void
gj_str(struct gjbuf *b, const char *str)
{
	if (str == NULL)
		str = "";
	gj_strn(b, str, strlen(str));
}

void
gj_strn(struct gjbuf *b, const char *str, size_t len)
{
	const unsigned char	*s = (const unsigned char *)str;
	size_t			 i = 0, start, n;
	char			 esc[6] = { '\\', 'u', '0', '0' };

	putc1(b, '"');
	while (i < len) {
		start = i;
		while (i < len && s[i] >= 0x20 && s[i] < 0x80 && s[i] != '"' &&
		    s[i] != '\\' && s[i] != '<' && s[i] != '>' && s[i] != '&')
			i++;
		put(b, s + start, i - start);
		if (i == len)
			break;
		if (s[i] < 0x80) {
			if (s[i] == '"' || s[i] == '\\') {
				esc[1] = s[i];
				put(b, esc, 2);
			} else if (s[i] == '\n')
				put(b, "\\n", 2);
			else if (s[i] == '\r')
				put(b, "\\r", 2);
			else if (s[i] == '\t')
				put(b, "\\t", 2);
			else {
				esc[1] = 'u';
				esc[4] = hexdigits[s[i] >> 4];
				esc[5] = hexdigits[s[i] & 0xf];
				put(b, esc, 6);
			}
			i++;
		} else if ((n = gj_utf8_len(s + i, len - i)) == 0) {
			put(b, "\\ufffd", 6);
			i++;
		} else if (n == 3 && s[i] == 0xe2 && s[i + 1] == 0x80 &&
		    (s[i + 2] == 0xa8 || s[i + 2] == 0xa9)) {
			/* U+2028, U+2029 end a line in JavaScript. */
			put(b, "\\u202", 5);
			putc1(b, hexdigits[s[i + 2] & 0xf]);
			i += n;
		} else {
			put(b, s + i, n);
			i += n;
		}
	}
	putc1(b, '"');
}

/* Digits by hand: a routing update has four numbers, and netd many. */
static int
u64_digits(uint64_t v, char s[24])
{
	char	 r[24];
	int	 n = 0, i;

	do {
		r[n++] = '0' + v % 10;
		v /= 10;
	} while (v != 0);
	for (i = 0; i < n; i++)
		s[i] = r[n - 1 - i];
	return n;
}

void
gj_u64(struct gjbuf *b, uint64_t v)
{
	char	 s[24];

	put(b, s, u64_digits(v, s));
}

void
gj_i64(struct gjbuf *b, int64_t v)
{
	char	 s[24];

	put(b, s, snprintf(s, sizeof(s), "%lld", (long long)v));
}

/*
 * The shortest decimal that reads back as f (> 0, finite), the closest
 * one when several have that length: its digits, no trailing zeros, and
 * the exponent of the first. printf gives the closest decimal of each
 * length; just above a power of two the gap below f is half the gap
 * above, so the closest may miss while its upper neighbour reads back.
 */
static int
shortest(double f, char digits[24], int *exp10)
{
	char			 s[48];
	unsigned long long	 m, alt;
	double			 g;
	int			 prec, e = 0, nd;
	char			*p;

	for (prec = 1; prec <= 17; prec++) {
		snprintf(s, sizeof(s), "%.*e", prec - 1, f);
		m = 0;
		for (p = s; *p != 'e'; p++)
			if (*p >= '0' && *p <= '9')
				m = m * 10 + *p - '0';
		e = strtol(p + 1, NULL, 10);
		snprintf(s, sizeof(s), "%llue%d", m, e - prec + 1);
		if ((g = strtod(s, NULL)) == f)
			break;
		alt = g < f ? m + 1 : m - 1;
		snprintf(s, sizeof(s), "%llue%d", alt, e - prec + 1);
		if (strtod(s, NULL) == f) {
			m = alt;
			break;
		}
	}
	nd = snprintf(digits, 24, "%llu", m);
	/* A carry (999 + 1) or borrow (100 - 1) moves the first digit. */
	*exp10 = e + nd - prec;
	while (nd > 1 && digits[nd - 1] == '0')
		nd--;
	return nd;
}

/* Go's float encoder: 'f' from 1e-6 to 1e21, else 'e' as in ES6. */
void
gj_float(struct gjbuf *b, double f)
{
	char	 d[24], s[64];
	int	 nd, e, n = 0, i;

	if (!isfinite(f)) {
		if (b->err == NULL)
			b->err = "unsupported value: NaN or Inf";
		return;
	}
	if (signbit(f))
		s[n++] = '-';
	if (f == 0) {
		s[n++] = '0';
		put(b, s, n);
		return;
	}
	if (f < 0)
		f = -f;
	/* A whole number, as costs nearly always are: its digits are it. */
	if (f < 0x1p53 && f == (double)(uint64_t)f) {
		n += u64_digits((uint64_t)f, s + n);
		put(b, s, n);
		return;
	}
	nd = shortest(f, d, &e);
	if (f < 1e-6 || f >= 1e21) {
		s[n++] = d[0];
		if (nd > 1) {
			s[n++] = '.';
			for (i = 1; i < nd; i++)
				s[n++] = d[i];
		}
		n += snprintf(s + n, sizeof(s) - n, e < 0 ? "e-%d" : "e+%02d",
		    e < 0 ? -e : e);
	} else if (e < 0) {
		s[n++] = '0';
		s[n++] = '.';
		for (i = -1; i > e; i--)
			s[n++] = '0';
		for (i = 0; i < nd; i++)
			s[n++] = d[i];
	} else {
		for (i = 0; i <= e || i < nd; i++) {
			if (i == e + 1)
				s[n++] = '.';
			s[n++] = i < nd ? d[i] : '0';
		}
	}
	put(b, s, n);
}

void
gj_bool(struct gjbuf *b, int v)
{
	if (v)
		put(b, "true", 4);
	else
		put(b, "false", 5);
}

void
gj_null(struct gjbuf *b)
{
	put(b, "null", 4);
}

void
gj_time(struct gjbuf *b, const struct gotime *t)
{
	char	 s[GOTIME_BUFLEN];
	int	 n;

	if ((n = gotime_format(s, t)) == -1) {
		if (b->err == NULL)
			b->err = "time outside what Go marshals";
		return;
	}
	putc1(b, '"');
	put(b, s, n);
	putc1(b, '"');
}

void
gj_read_init(struct gjreader *r, const void *p, size_t len)
{
	memset(r, 0, sizeof(*r));
	r->p = p;
	r->end = r->p + len;
}

static int
fail(struct gjreader *r, const char *why)
{
	if (r->err == NULL)
		r->err = why;
	return -1;
}

static void
skip_ws(struct gjreader *r)
{
	while (r->p < r->end && (*r->p == ' ' || *r->p == '\t' ||
	    *r->p == '\n' || *r->p == '\r'))
		r->p++;
}

/* The next byte past whitespace, -1 at the end or after an error. */
static int
peek(struct gjreader *r)
{
	if (r->err != NULL)
		return -1;
	skip_ws(r);
	if (r->p == r->end) {
		fail(r, "unexpected end of JSON input");
		return -1;
	}
	return *r->p;
}

/* A value of another type is Go's UnmarshalTypeError, else bad syntax. */
static int
mismatch(struct gjreader *r)
{
	int	 c = peek(r);

	if (c == -1)
		return -1;
	if (c != '\0' && strchr("{[\"tfn-0123456789", c) != NULL)
		return fail(r, "value of the wrong type");
	return fail(r, "syntax error");
}

int
gj_read_end(struct gjreader *r)
{
	if (r->err != NULL)
		return -1;
	skip_ws(r);
	if (r->p != r->end)
		return fail(r, "invalid character after top-level value");
	return 0;
}

static int
literal(struct gjreader *r, const char *word)
{
	size_t	 n = strlen(word);

	if ((size_t)(r->end - r->p) < n) {
		if (memcmp(r->p, word, r->end - r->p) == 0)
			return fail(r, "unexpected end of JSON input");
		return fail(r, "syntax error");
	}
	if (memcmp(r->p, word, n) != 0)
		return fail(r, "syntax error");
	r->p += n;
	return 0;
}

int
gj_read_null(struct gjreader *r)
{
	if (peek(r) != 'n')
		return r->err != NULL ? -1 : 0;
	return literal(r, "null") == -1 ? -1 : 1;
}

static int
open_container(struct gjreader *r, int c)
{
	if (peek(r) != c)
		return mismatch(r);
	if (++r->depth > GJ_MAXDEPTH)
		return fail(r, "exceeded max depth");
	r->p++;
	r->first = 1;
	return 0;
}

int
gj_read_obj(struct gjreader *r)
{
	return open_container(r, '{');
}

int
gj_read_arr(struct gjreader *r)
{
	return open_container(r, '[');
}

/*
 * 1 when a member follows (for an object, its key is read through the
 * ':'), 0 when the closing bracket was consumed.
 */
static int
next_member(struct gjreader *r, int close)
{
	int	 c, first = r->first;

	r->first = 0;
	if ((c = peek(r)) == -1)
		return -1;
	if (c == close) {
		r->p++;
		r->depth--;
		return 0;
	}
	if (!first) {
		if (c != ',')
			return fail(r, "syntax error");
		r->p++;
	}
	return 1;
}

int
gj_read_key(struct gjreader *r, struct gjbuf *key)
{
	int	 rv;

	if ((rv = next_member(r, '}')) != 1)
		return rv;
	if (peek(r) != '"')
		return fail(r, "syntax error");
	if (read_string(r, key) == -1)
		return -1;
	if (peek(r) != ':')
		return fail(r, "syntax error");
	r->p++;
	return 1;
}

int
gj_read_elem(struct gjreader *r)
{
	return next_member(r, ']');
}

static int
hex4(const unsigned char *p, const unsigned char *end)
{
	int	 v = 0, i;

	if (end - p < 4)
		return -1;
	for (i = 0; i < 4; i++) {
		v <<= 4;
		if (p[i] >= '0' && p[i] <= '9')
			v |= p[i] - '0';
		else if (p[i] >= 'a' && p[i] <= 'f')
			v |= p[i] - 'a' + 10;
		else if (p[i] >= 'A' && p[i] <= 'F')
			v |= p[i] - 'A' + 10;
		else
			return -1;
	}
	return v;
}

static void
put_rune(struct gjbuf *b, unsigned int c)
{
	char	 s[4];

	if (c < 0x80)
		putc1(b, c);
	else if (c < 0x800) {
		s[0] = 0xc0 | c >> 6;
		s[1] = 0x80 | (c & 0x3f);
		put(b, s, 2);
	} else if (c < 0x10000) {
		s[0] = 0xe0 | c >> 12;
		s[1] = 0x80 | (c >> 6 & 0x3f);
		s[2] = 0x80 | (c & 0x3f);
		put(b, s, 3);
	} else {
		s[0] = 0xf0 | c >> 18;
		s[1] = 0x80 | (c >> 12 & 0x3f);
		s[2] = 0x80 | (c >> 6 & 0x3f);
		s[3] = 0x80 | (c & 0x3f);
		put(b, s, 4);
	}
}

/*
 * The rune of the \uXXXX at *pp, with the low surrogate escape after it
 * if the two make a pair; U+FFFD for a surrogate alone. -1 if bad.
 */
static int
unescape_u(const unsigned char **pp, const unsigned char *end)
{
	const unsigned char	*p = *pp;
	int			 c, lo;

	if ((c = hex4(p + 2, end)) == -1)
		return -1;
	p += 6;
	if (c >= 0xd800 && c < 0xe000) {
		if (c < 0xdc00 && end - p >= 6 && p[0] == '\\' &&
		    p[1] == 'u' && (lo = hex4(p + 2, end)) >= 0xdc00 &&
		    lo < 0xe000) {
			c = 0x10000 + ((c - 0xd800) << 10) + (lo - 0xdc00);
			p += 6;
		} else
			c = 0xfffd;
	}
	*pp = p;
	return c;
}

/*
 * At the opening quote. Decodes into out, or only checks when out is
 * NULL. A lone or misordered surrogate and each byte of bad UTF-8 become
 * U+FFFD, as Go's unquote does.
 */
static int
read_string(struct gjreader *r, struct gjbuf *out)
{
	static const char	 simple[] = "\"\"\\\\//b\bf\fn\nr\rt\t";
	const unsigned char	*p = r->p + 1;
	const char		*s;
	size_t			 n;
	int			 c;

	if (out != NULL)
		out->len = 0;
	for (;;) {
		if (p == r->end)
			return fail(r, "unexpected end of JSON input");
		if (*p == '"')
			break;
		if (*p < 0x20)
			return fail(r, "invalid character in string literal");
		if (*p == '\\') {
			if (r->end - p < 2)
				return fail(r, "unexpected end of JSON input");
			if (p[1] == 'u') {
				if ((c = unescape_u(&p, r->end)) == -1)
					return fail(r, "invalid \\u escape");
				if (out != NULL)
					put_rune(out, c);
				continue;
			}
			for (s = simple; *s != '\0' && *s != (char)p[1]; s += 2)
				;
			if (*s == '\0')
				return fail(r, "invalid escape in string");
			if (out != NULL)
				putc1(out, s[1]);
			p += 2;
		} else if ((n = gj_utf8_len(p, r->end - p)) == 0) {
			if (out != NULL)
				put_rune(out, 0xfffd);
			p++;
		} else {
			if (out != NULL)
				put(out, p, n);
			p += n;
		}
	}
	r->p = p + 1;
	if (out != NULL && out->err != NULL)
		return fail(r, out->err);
	return 0;
}

int
gj_read_str(struct gjreader *r, struct gjbuf *out)
{
	if (peek(r) != '"')
		return mismatch(r);
	return read_string(r, out);
}

/* The bytes between the quotes, escapes and all (Go's Time wants that). */
int
gj_read_rawstr(struct gjreader *r, const char **p, size_t *len)
{
	const unsigned char	*start;

	if (peek(r) != '"')
		return mismatch(r);
	start = r->p + 1;
	if (read_string(r, NULL) == -1)
		return -1;
	*p = (const char *)start;
	*len = r->p - 1 - start;
	return 0;
}

/* Moves *pp past digits; how many there were. */
static size_t
digits(const unsigned char **pp, const unsigned char *end)
{
	const unsigned char	*p = *pp;
	size_t			 n;

	while (p < end && *p >= '0' && *p <= '9')
		p++;
	n = p - *pp;
	*pp = p;
	return n;
}

/*
 * -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)? at r->p: its length, or
 * 0 with the error set. What follows is the caller's to check.
 */
static size_t
scan_number(struct gjreader *r)
{
	const unsigned char	*p = r->p, *end = r->end;

	if (p < end && *p == '-')
		p++;
	if (p < end && *p == '0')
		p++;
	else if (digits(&p, end) == 0)
		goto bad;
	if (p < end && *p == '.') {
		p++;
		if (digits(&p, end) == 0)
			goto bad;
	}
	if (p < end && (*p == 'e' || *p == 'E')) {
		if (++p < end && (*p == '+' || *p == '-'))
			p++;
		if (digits(&p, end) == 0)
			goto bad;
	}
	return p - r->p;
bad:
	fail(r, p == end ? "unexpected end of JSON input" : "syntax error");
	return 0;
}

/* strconv.ParseUint(text, 10, 64): digits only, at most max. */
int
gj_read_u64(struct gjreader *r, uint64_t *v, uint64_t max)
{
	const unsigned char	*p;
	size_t			 n, i;
	uint64_t		 x = 0;
	int			 c;

	if ((c = peek(r)) != '-' && (c < '0' || c > '9'))
		return mismatch(r);
	p = r->p;
	if ((n = scan_number(r)) == 0)
		return -1;
	r->p += n;
	for (i = 0; i < n; i++) {
		if (p[i] < '0' || p[i] > '9')
			return fail(r, "number is not an unsigned integer");
		if (x > (max - (p[i] - '0')) / 10)
			return fail(r, "number out of range");
		x = x * 10 + p[i] - '0';
	}
	*v = x;
	return 0;
}

/* strconv.ParseFloat(text, 64): correctly rounded, overflow refused. */
int
gj_read_float(struct gjreader *r, double *v)
{
	static locale_t	 c_locale;
	char		*s;
	size_t		 n;
	double		 x;
	int		 c;

	if ((c = peek(r)) != '-' && (c < '0' || c > '9'))
		return mismatch(r);
	if ((n = scan_number(r)) == 0)
		return -1;
	if (c_locale == (locale_t)0 &&
	    (c_locale = newlocale(LC_ALL_MASK, "C", (locale_t)0)) ==
	    (locale_t)0)
		return fail(r, "out of memory");
	if ((s = strndup((const char *)r->p, n)) == NULL)
		return fail(r, "out of memory");
	r->p += n;
	x = strtod_l(s, NULL, c_locale);
	free(s);
	/* Underflow to zero or a subnormal is fine with Go. */
	if (x - x != 0)
		return fail(r, "number out of range");
	*v = x;
	return 0;
}

int
gj_read_bool(struct gjreader *r, int *v)
{
	int	 c = peek(r);

	if (c != 't' && c != 'f')
		return mismatch(r);
	if (literal(r, c == 't' ? "true" : "false") == -1)
		return -1;
	*v = c == 't';
	return 0;
}

static int
skip_scalar(struct gjreader *r)
{
	size_t	 n;
	int	 c;

	switch ((c = peek(r))) {
	case -1:
		return -1;
	case '"':
		return read_string(r, NULL);
	case 't':
		return literal(r, "true");
	case 'f':
		return literal(r, "false");
	case 'n':
		return literal(r, "null");
	default:
		if (c != '-' && (c < '0' || c > '9'))
			return fail(r, "syntax error");
		if ((n = scan_number(r)) == 0)
			return -1;
		r->p += n;
		return 0;
	}
}

/*
 * Checks and drops one value of any type, the way Go ignores unknown
 * keys. No recursion: a bit per open level says object or array.
 */
int
gj_read_skip(struct gjreader *r)
{
	uint8_t	 isobj[GJ_MAXDEPTH / 8 + 1];
	int	 level = 0, c, rv;

	for (;;) {
		if ((c = peek(r)) == '{' || c == '[') {
			if (open_container(r, c) == -1)
				return -1;
			if (c == '{')
				isobj[level / 8] |= 1 << level % 8;
			else
				isobj[level / 8] &= ~(1 << level % 8);
			level++;
		} else if (skip_scalar(r) == -1)
			return -1;
		while (level > 0) {
			if (isobj[(level - 1) / 8] & 1 << (level - 1) % 8)
				rv = gj_read_key(r, NULL);
			else
				rv = gj_read_elem(r);
			if (rv == -1)
				return -1;
			if (rv == 1)
				break;
			level--;
		}
		if (level == 0)
			return 0;
	}
}

/*
 * Go matches a key to a field name case-insensitively, folding by
 * Unicode: besides ASCII, U+017F (long s) is 's' and U+212A (Kelvin) 'k'.
 * Field names are ASCII, so no other rune can match.
 */
int
gj_keyeq(const struct gjbuf *key, const char *name)
{
	const unsigned char	*k = (const unsigned char *)key->buf;
	size_t			 n = key->len, i = 0;
	int			 c;

	for (; *name != '\0'; name++) {
		c = ASCII_UPPER(*name);
		if (i == n)
			return 0;
		if (k[i] < 0x80) {
			if (ASCII_UPPER(k[i]) != c)
				return 0;
			i++;
		} else if (c == 'S' && n - i >= 2 && k[i] == 0xc5 &&
		    k[i + 1] == 0xbf)
			i += 2;
		else if (c == 'K' && n - i >= 3 && k[i] == 0xe2 &&
		    k[i + 1] == 0x84 && k[i + 2] == 0xaa)
			i += 3;
		else
			return 0;
	}
	return i == n;
}
