/*
 * proto/gojson.c against what Go's encoding/json and time packages do:
 * expected texts are written from Go's rules, not from our output.
 */
#include <atf-c.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gojson.h"

static void	 check_text(struct gjbuf *, const char *);
static void	 check_float(double, const char *);
static void	 check_str(const char *, const char *);
static void	 check_parse(const char *, int64_t, long, int);
static void	 check_format(int64_t, long, int, const char *);
static void	 check_read_str(const char *, const char *, size_t);
static int	 read_u64(const char *, uint64_t *);
static int	 read_float(const char *, double *);
static int	 skip_all(const char *, size_t);
static char	*nested(int);

static void
check_text(struct gjbuf *b, const char *want)
{
	ATF_REQUIRE(b->err == NULL);
	ATF_CHECK_MSG(b->len == strlen(want) &&
	    memcmp(b->buf, want, b->len) == 0, "got %.*s, want %s",
	    (int)b->len, b->buf, want);
}

static void
check_float(double f, const char *want)
{
	struct gjbuf	 b;

	gj_init(&b);
	gj_float(&b, f);
	check_text(&b, want);
	gj_free(&b);
}

static void
check_str(const char *s, const char *want)
{
	struct gjbuf	 b;

	gj_init(&b);
	gj_str(&b, s);
	check_text(&b, want);
	gj_free(&b);
}

static void
check_parse(const char *s, int64_t sec, long nsec, int off)
{
	struct gotime	 t;

	ATF_REQUIRE_MSG(gotime_parse(&t, s, strlen(s)) == 0, "%s", s);
	ATF_CHECK_EQ_MSG(t.sec, sec, "%s: sec %lld", s, (long long)t.sec);
	ATF_CHECK_EQ_MSG(t.nsec, nsec, "%s: nsec %ld", s, t.nsec);
	ATF_CHECK_EQ_MSG(t.off, off, "%s: off %d", s, t.off);
}

static void
check_format(int64_t sec, long nsec, int off, const char *want)
{
	struct gotime	 t = { sec, nsec, off };
	char		 buf[GOTIME_BUFLEN];
	struct gjbuf	 b;

	if (want == NULL) {
		ATF_CHECK_EQ(gotime_format(buf, &t), -1);
		return;
	}
	ATF_CHECK_EQ(gotime_format(buf, &t), (int)strlen(want));
	ATF_CHECK_STREQ(buf, want);
	gj_init(&b);
	gj_time(&b, &t);
	ATF_CHECK(b.len == strlen(want) + 2 && b.buf[0] == '"' &&
	    memcmp(b.buf + 1, want, strlen(want)) == 0);
	gj_free(&b);
}

/* json is one string literal; want is what Go's unquote makes of it. */
static void
check_read_str(const char *json, const char *want, size_t wantlen)
{
	struct gjreader	 r;
	struct gjbuf	 out;

	gj_init(&out);
	gj_read_init(&r, json, strlen(json));
	if (want == NULL)
		ATF_CHECK_MSG(gj_read_str(&r, &out) == -1, "%s", json);
	else {
		ATF_REQUIRE_MSG(gj_read_str(&r, &out) == 0 &&
		    gj_read_end(&r) == 0, "%s: %s", json, r.err);
		ATF_CHECK_MSG(out.len == wantlen && (wantlen == 0 ||
		    memcmp(out.buf, want, wantlen) == 0), "%s", json);
	}
	gj_free(&out);
}

static int
read_u64(const char *json, uint64_t *v)
{
	struct gjreader	 r;

	gj_read_init(&r, json, strlen(json));
	if (gj_read_u64(&r, v, UINT64_MAX) == -1)
		return -1;
	return gj_read_end(&r);
}

static int
read_float(const char *json, double *v)
{
	struct gjreader	 r;

	gj_read_init(&r, json, strlen(json));
	if (gj_read_float(&r, v) == -1)
		return -1;
	return gj_read_end(&r);
}

static int
skip_all(const char *json, size_t len)
{
	struct gjreader	 r;

	gj_read_init(&r, json, len);
	if (gj_read_skip(&r) == -1)
		return -1;
	return gj_read_end(&r);
}

/* depth arrays around an object: [[...[{"a":[1]}]...]] */
static char *
nested(int depth)
{
	char	*s;
	int	 i, n = 0;

	ATF_REQUIRE((s = malloc(2 * depth + 16)) != NULL);
	for (i = 0; i < depth - 2; i++)
		s[n++] = '[';
	n += sprintf(s + n, "{\"a\":[1]}");
	for (i = 0; i < depth - 2; i++)
		s[n++] = ']';
	s[n] = '\0';
	return s;
}

ATF_TC_WITHOUT_HEAD(floats);
ATF_TC_BODY(floats, tc)
{
	check_float(1, "1");
	check_float(1.5, "1.5");
	check_float(0.1, "0.1");
	check_float(100, "100");
	check_float(1e21, "1e+21");
	check_float(1e-7, "1e-7");
	check_float(1.5e-7, "1.5e-7");
	check_float(1e-10, "1e-10");
	check_float(1e20, "100000000000000000000");
	check_float(123456789012345678e3, "123456789012345680000");
	check_float(0.000001, "0.000001");
	check_float(0.0000012345, "0.0000012345");
	check_float(-2.5, "-2.5");
	check_float(0, "0");
	check_float(-0.0, "-0");
	check_float(1.0 / 3, "0.3333333333333333");
	check_float(2.0 / 3, "0.6666666666666666");
	check_float(0.3, "0.3");
	check_float(1152921504606846976.0, "1152921504606847000");
	check_float(5e-324, "5e-324");
	check_float(1.7976931348623157e308, "1.7976931348623157e+308");
	check_float(1e100, "1e+100");
	check_float(-1e-100, "-1e-100");
	check_float(123456789.25, "123456789.25");
}

ATF_TC_WITHOUT_HEAD(float_unsupported);
ATF_TC_BODY(float_unsupported, tc)
{
	struct gjbuf	 b;

	/* json.Marshal fails on NaN and infinities; so must we. */
	gj_init(&b);
	gj_float(&b, NAN);
	ATF_CHECK(b.err != NULL);
	gj_free(&b);
	gj_float(&b, -INFINITY);
	ATF_CHECK(b.err != NULL);
	gj_u64(&b, 1);
	ATF_CHECK_EQ(b.len, 0);
	gj_free(&b);
}

ATF_TC_WITHOUT_HEAD(ints);
ATF_TC_BODY(ints, tc)
{
	struct gjbuf	 b;

	gj_init(&b);
	gj_arr_open(&b);
	gj_elem(&b);
	gj_u64(&b, UINT64_MAX);
	gj_elem(&b);
	gj_i64(&b, INT64_MIN);
	gj_elem(&b);
	gj_u64(&b, 30125504348914209ULL);
	gj_elem(&b);
	gj_bool(&b, 1);
	gj_elem(&b);
	gj_bool(&b, 0);
	gj_elem(&b);
	gj_null(&b);
	gj_elem(&b);
	gj_obj_open(&b);
	gj_obj_close(&b);
	gj_arr_close(&b);
	check_text(&b, "[18446744073709551615,-9223372036854775808,"
	    "30125504348914209,true,false,null,{}]");
	gj_free(&b);
}

ATF_TC_WITHOUT_HEAD(escapes);
ATF_TC_BODY(escapes, tc)
{
	check_str("", "\"\"");
	check_str(NULL, "\"\"");
	check_str("nodeA", "\"nodeA\"");
	check_str("a<b>&c", "\"a\\u003cb\\u003e\\u0026c\"");
	check_str("\"\\/", "\"\\\"\\\\/\"");
	check_str("\n\r\t\b\f\x01\x1f\x7f",
	    "\"\\n\\r\\t\\u0008\\u000c\\u0001\\u001f\x7f\"");
	check_str("caf\xc3\xa9 \xf0\x9f\x98\x80",
	    "\"caf\xc3\xa9 \xf0\x9f\x98\x80\"");
	check_str("\xe2\x80\xa8\xe2\x80\xa9", "\"\\u2028\\u2029\"");
	check_str("a\xff" "b", "\"a\\ufffdb\"");
	/* Surrogates, overlong forms, truncation: each byte is bad. */
	check_str("\xed\xa0\x80", "\"\\ufffd\\ufffd\\ufffd\"");
	check_str("\xc0\x80", "\"\\ufffd\\ufffd\"");
	check_str("\xe2\x82", "\"\\ufffd\\ufffd\"");
	check_str("\xf4\x90\x80\x80", "\"\\ufffd\\ufffd\\ufffd\\ufffd\"");
}

ATF_TC_WITHOUT_HEAD(strn);
ATF_TC_BODY(strn, tc)
{
	struct gjbuf	 b;

	gj_init(&b);
	gj_strn(&b, "a\0<\0", 4);
	check_text(&b, "\"a\\u0000\\u003c\\u0000\"");
	gj_free(&b);
	gj_init(&b);
	gj_strn(&b, "\xc3\xa9", 1);
	check_text(&b, "\"\\ufffd\"");
	gj_free(&b);
	ATF_CHECK_EQ(gj_utf8_len("a", 1), 1);
	ATF_CHECK_EQ(gj_utf8_len("\xc3\xa9", 2), 2);
	ATF_CHECK_EQ(gj_utf8_len("\xc3\xa9", 1), 0);
	ATF_CHECK_EQ(gj_utf8_len("\xf0\x9f\x98\x80", 4), 4);
	ATF_CHECK_EQ(gj_utf8_len("\xed\xa0\x80", 3), 0);
}

ATF_TC_WITHOUT_HEAD(keys);
ATF_TC_BODY(keys, tc)
{
	struct gjbuf	 b;

	gj_init(&b);
	gj_obj_open(&b);
	gj_key(&b, "a");
	gj_u64(&b, 1);
	gj_key(&b, "<b>");
	gj_arr_open(&b);
	gj_arr_close(&b);
	gj_key(&b, "c");
	gj_obj_open(&b);
	gj_key(&b, "d");
	gj_null(&b);
	gj_obj_close(&b);
	gj_obj_close(&b);
	check_text(&b, "{\"a\":1,\"\\u003cb\\u003e\":[],\"c\":{\"d\":null}}");
	gj_free(&b);
}

ATF_TC_WITHOUT_HEAD(time_format);
ATF_TC_BODY(time_format, tc)
{
	check_format(1795620050, 205854565, 0,
	    "2026-11-25T15:20:50.205854565Z");
	check_format(1795620050, 500000000, 0, "2026-11-25T15:20:50.5Z");
	check_format(1795620050, 0, 0, "2026-11-25T15:20:50Z");
	check_format(1795620050, 1, 0, "2026-11-25T15:20:50.000000001Z");
	check_format(1795620050, 120000, -5 * 3600,
	    "2026-11-25T10:20:50.00012-05:00");
	check_format(1795620050, 0, 5 * 3600 + 1800,
	    "2026-11-25T20:50:50+05:30");
	check_format(1795620050, 0, -(9 * 3600 + 1800),
	    "2026-11-25T05:50:50-09:30");
	/* Offset seconds are dropped from the text, not from the time. */
	check_format(1795620050, 0, 30, "2026-11-25T15:21:20+00:00");
	check_format(1709251199, 0, 0, "2024-02-29T23:59:59Z");
	check_format(1709251199, 0, 3600, "2024-03-01T00:59:59+01:00");
	check_format(GOTIME_ZERO_SEC, 0, 0, "0001-01-01T00:00:00Z");
	check_format(-62162035200LL, 0, 0, "0000-03-01T00:00:00Z");
	check_format(-62167219200LL, 0, 0, "0000-01-01T00:00:00Z");
	check_format(253402300799LL, 999999999, 0,
	    "9999-12-31T23:59:59.999999999Z");
	check_format(0, 0, 0, "1970-01-01T00:00:00Z");
	check_format(-1, 0, 0, "1969-12-31T23:59:59Z");
	/* What Time.MarshalJSON refuses. */
	check_format(253402300800LL, 0, 0, NULL);
	check_format(-62167219201LL, 0, 0, NULL);
	check_format(0, 0, 24 * 3600, NULL);
	check_format(0, 0, -24 * 3600, NULL);
}

ATF_TC_WITHOUT_HEAD(time_now);
ATF_TC_BODY(time_now, tc)
{
	struct gotime	 t, u;
	char		 buf[GOTIME_BUFLEN];
	int		 n;

	gotime_now(&t);
	ATF_REQUIRE((n = gotime_format(buf, &t)) > 0);
	ATF_REQUIRE(gotime_parse(&u, buf, n) == 0);
	ATF_CHECK(gotime_cmp(&t, &u) == 0);
	ATF_CHECK_EQ(t.off / 60, u.off / 60);
}

ATF_TC_WITHOUT_HEAD(time_parse);
ATF_TC_BODY(time_parse, tc)
{
	static const char *const bad[] = {
		"", "2026-11-25", "2026-11-25T15:20:50", "2023-02-29T00:00:00Z",
		"2026-13-01T00:00:00Z", "2026-00-01T00:00:00Z",
		"2026-11-31T00:00:00Z", "2026-11-00T00:00:00Z",
		"2026-11-25T24:00:00Z", "2026-11-25T15:60:00Z",
		"2026-11-25T15:20:60Z", "2026-11-25 15:20:50Z",
		"2026-11-25t15:20:50Z", "2026-11-25T15:20:50z",
		"2026-11-25T15:20:50+0500", "2026-11-25T15:20:50+05",
		"2026-11-25T15:20:50+25:00", "2026-11-25T15:20:50+23:61",
		"2026-11-25T15:20:50 +05:00", "2026-11-25T15:20:50.Z",
		"2026-11-25T15:20:50Zx", "2026-11-25T15:20:50.5",
		"26-11-25T15:20:50Z",
		"2026-1-25T15:20:50Z", "2026-11-5T15:20:50Z",
		"2026-11-25T015:20:50Z", "2026-11-25T15:2:50Z",
		"2026-11-25T15:20:5Z", "+026-11-25T15:20:50Z",
		"2026-11-25T15:20:50.5.5Z", "2026-11-25T15:20:50\\u005a",
	};
	struct gotime	 t;
	size_t		 i;

	check_parse("2026-11-25T15:20:50.205854565Z", 1795620050, 205854565, 0);
	check_parse("2026-11-25T15:20:50Z", 1795620050, 0, 0);
	check_parse("2026-11-25T10:20:50-05:00", 1795620050, 0, -18000);
	check_parse("2026-11-25T20:50:50.5+05:30", 1795620050, 500000000,
	    19800);
	check_parse("2026-11-25T15:20:50+00:00", 1795620050, 0, 0);
	check_parse("2024-02-29T23:59:59Z", 1709251199, 0, 0);
	check_parse("0001-01-01T00:00:00Z", GOTIME_ZERO_SEC, 0, 0);
	check_parse("0000-03-01T00:00:00Z", -62162035200LL, 0, 0);
	/* Digits past the ninth are cut, not rounded. */
	check_parse("2026-11-25T15:20:50.1234567899999Z", 1795620050,
	    123456789, 0);
	check_parse("2026-11-25T15:20:50.000000001Z", 1795620050, 1, 0);
	/* time.Parse, Go's fallback, is looser than RFC 3339. */
	check_parse("2026-11-25T15:20:50,25Z", 1795620050, 250000000, 0);
	check_parse("2026-11-25T5:20:50Z", 1795620050 - 10 * 3600, 0, 0);
	check_parse("2026-11-25T15:20:50+24:00", 1795620050 - 86400, 0, 86400);
	check_parse("2026-11-25T15:20:50-23:60", 1795620050 + 86400, 0,
	    -86400);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ATF_CHECK_MSG(gotime_parse(&t, bad[i], strlen(bad[i])) == -1,
		    "%s parsed", bad[i]);
	/* Not past len: a string that goes on is not read. */
	ATF_CHECK(gotime_parse(&t, "2026-11-25T15:20:50Zjunk", 20) == 0);
}

ATF_TC_WITHOUT_HEAD(time_order);
ATF_TC_BODY(time_order, tc)
{
	struct gotime	 a, b;

	ATF_REQUIRE(gotime_parse(&a, "2026-11-25T15:20:50.1Z", 22) == 0);
	ATF_REQUIRE(gotime_parse(&b, "2026-11-25T15:20:50.2Z", 22) == 0);
	ATF_CHECK(gotime_cmp(&a, &b) < 0);
	ATF_CHECK(gotime_cmp(&b, &a) > 0);
	/* One instant in two zones is neither before nor after. */
	ATF_REQUIRE(gotime_parse(&b, "2026-11-25T10:20:50.1-05:00", 27) == 0);
	ATF_CHECK(gotime_cmp(&a, &b) == 0);
	ATF_REQUIRE(gotime_parse(&b, "2026-11-25T16:20:49.9+01:00", 27) == 0);
	ATF_CHECK(gotime_cmp(&a, &b) > 0);
	ATF_REQUIRE(gotime_parse(&b, "1969-12-31T23:59:59.9Z", 22) == 0);
	ATF_REQUIRE(gotime_parse(&a, "1970-01-01T00:00:00Z", 20) == 0);
	ATF_CHECK(gotime_cmp(&b, &a) < 0);
}

ATF_TC_WITHOUT_HEAD(read_strings);
ATF_TC_BODY(read_strings, tc)
{
	check_read_str("\"abc\"", "abc", 3);
	check_read_str(" \"\" ", "", 0);
	check_read_str("\"\\\"\\\\\\/\\b\\f\\n\\r\\t\"", "\"\\/\b\f\n\r\t", 8);
	check_read_str("\"\\u00e9\\u00E9\"", "\xc3\xa9\xc3\xa9", 4);
	check_read_str("\"\\u0000\"", "", 1);
	check_read_str("\"\\ud83d\\ude00\"", "\xf0\x9f\x98\x80", 4);
	check_read_str("\"\\ud800\"", "\xef\xbf\xbd", 3);
	check_read_str("\"\\ud800\\u0041\"", "\xef\xbf\xbd" "A", 4);
	check_read_str("\"\\udc00\\ud800\"", "\xef\xbf\xbd\xef\xbf\xbd", 6);
	check_read_str("\"\\ud800x\"", "\xef\xbf\xbdx", 4);
	check_read_str("\"a\xff" "b\"", "a\xef\xbf\xbd" "b", 5);
	check_read_str("\"\xed\xa0\x80\"",
	    "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd", 9);
	check_read_str("\"\xe2\x80\xa8\x7f\"", "\xe2\x80\xa8\x7f", 4);
	check_read_str("\"a\tb\"", NULL, 0);
	check_read_str("\"\\x\"", NULL, 0);
	check_read_str("\"\\u12\"", NULL, 0);
	check_read_str("\"\\ud800\\u12\"", NULL, 0);
	check_read_str("\"abc", NULL, 0);
	check_read_str("'abc'", NULL, 0);
	check_read_str("5", NULL, 0);
}

ATF_TC_WITHOUT_HEAD(read_numbers);
ATF_TC_BODY(read_numbers, tc)
{
	static const char *const badu[] = {
		"18446744073709551616", "99999999999999999999", "-1", "-0",
		"1.0", "1e3", "01", "+1", ".5", "1.", "1e", "-", "0x1",
		"\"1\"", "true", "",
	};
	static const char *const badf[] = {
		"1e400", "-1e400", "01", "+1", ".5", "1.", "1e", "1e+", "-",
		"NaN", "Infinity", "\"1\"", "0x10",
	};
	uint64_t	 u;
	double		 f;
	size_t		 i;

	ATF_CHECK(read_u64("18446744073709551615", &u) == 0 &&
	    u == UINT64_MAX);
	ATF_CHECK(read_u64("9007199254740993", &u) == 0 &&
	    u == 9007199254740993ULL);
	ATF_CHECK(read_u64(" 0 ", &u) == 0 && u == 0);
	for (i = 0; i < sizeof(badu) / sizeof(badu[0]); i++)
		ATF_CHECK_MSG(read_u64(badu[i], &u) == -1, "%s", badu[i]);

	ATF_CHECK(read_float("1", &f) == 0 && f == 1);
	ATF_CHECK(read_float("1.5e-7", &f) == 0 && f == 1.5e-7);
	ATF_CHECK(read_float("-0", &f) == 0 && f == 0 && signbit(f));
	ATF_CHECK(read_float("1E+2", &f) == 0 && f == 100);
	ATF_CHECK(read_float("100000000000000000000", &f) == 0 && f == 1e20);
	ATF_CHECK(read_float("123456789012345678901234567890", &f) == 0 &&
	    f == 123456789012345678901234567890.0);
	ATF_CHECK(read_float("1e-400", &f) == 0 && f == 0);
	ATF_CHECK(read_float("4.9e-324", &f) == 0 && f == 5e-324);
	ATF_CHECK(read_float("0.1", &f) == 0 && f == 0.1);
	for (i = 0; i < sizeof(badf) / sizeof(badf[0]); i++)
		ATF_CHECK_MSG(read_float(badf[i], &f) == -1, "%s", badf[i]);
}

ATF_TC_WITHOUT_HEAD(read_skip);
ATF_TC_BODY(read_skip, tc)
{
	static const char *const good[] = {
		"{}", "[]", "null", "true", "false", "0", "-1.5e+3", "\"x\"",
		" {\"a\" : [1, {\"b\":null}, [], {}, \"c\"] , \"d\":{}} ",
		"[[[]],[[1]]]",
	};
	static const char *const bad[] = {
		"", "{", "[", "{\"a\"}", "{\"a\":}", "{\"a\":1,}", "[1,]",
		"[,1]", "{,}", "[1 2]", "{\"a\":1 \"b\":2}", "{'a':1}",
		"{a:1}", "nul", "tru", "[01]", "[1.]", "{} {}", "]", "}",
		"[\"a\tb\"]", "{\"a\":1]", "[1}", "NaN",
	};
	char	*s;
	size_t	 i;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		ATF_CHECK_MSG(skip_all(good[i], strlen(good[i])) == 0, "%s",
		    good[i]);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ATF_CHECK_MSG(skip_all(bad[i], strlen(bad[i])) == -1, "%s",
		    bad[i]);
	/* A NUL is a byte like any other: not an end. */
	ATF_CHECK(skip_all("{}\0", 3) == -1);

	/* Go allows 10000 levels of nesting, not 10001. */
	s = nested(GJ_MAXDEPTH);
	ATF_CHECK(skip_all(s, strlen(s)) == 0);
	free(s);
	s = nested(GJ_MAXDEPTH + 1);
	ATF_CHECK(skip_all(s, strlen(s)) == -1);
	free(s);
}

ATF_TC_WITHOUT_HEAD(keyeq);
ATF_TC_BODY(keyeq, tc)
{
	static const struct {
		const char	*key;
		const char	*name;
		int		 eq;
	} v[] = {
		{ "NodeID", "NodeID", 1 },
		{ "nodeid", "NodeID", 1 },
		{ "NODEID", "NodeID", 1 },
		{ "NodeI", "NodeID", 0 },
		{ "NodeIDs", "NodeID", 0 },
		{ "", "NodeID", 0 },
		{ "Node_ID", "NodeID", 0 },
		/* U+017F long s folds to s, U+212A Kelvin sign to k. */
		{ "\xc5\xbf" "ervice", "Service", 1 },
		{ "Wor\xe2\x84\xaa" "Type", "WorkType", 1 },
		{ "\xe2\x84\xaa", "S", 0 },
		/* Dotted and dotless i fold only to themselves. */
		{ "T\xc4\xb0me", "Time", 0 },
		{ "T\xc4\xb1me", "Time", 0 },
		{ "Tim\xc3\xa9", "Time", 0 },
	};
	struct gjbuf	 k;
	size_t		 i;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		k.buf = (char *)v[i].key;
		k.len = strlen(v[i].key);
		ATF_CHECK_EQ_MSG(gj_keyeq(&k, v[i].name), v[i].eq, "%s %s",
		    v[i].key, v[i].name);
	}
}

ATF_TP_ADD_TCS(tp)
{
	ATF_TP_ADD_TC(tp, floats);
	ATF_TP_ADD_TC(tp, float_unsupported);
	ATF_TP_ADD_TC(tp, ints);
	ATF_TP_ADD_TC(tp, escapes);
	ATF_TP_ADD_TC(tp, strn);
	ATF_TP_ADD_TC(tp, keys);
	ATF_TP_ADD_TC(tp, time_format);
	ATF_TP_ADD_TC(tp, time_now);
	ATF_TP_ADD_TC(tp, time_parse);
	ATF_TP_ADD_TC(tp, time_order);
	ATF_TP_ADD_TC(tp, read_strings);
	ATF_TP_ADD_TC(tp, read_numbers);
	ATF_TP_ADD_TC(tp, read_skip);
	ATF_TP_ADD_TC(tp, keyeq);
	return atf_no_error();
}
