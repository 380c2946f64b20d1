/*
 * Go time.Duration text of proto/goduration.c, against values Go's
 * Duration.String() and ParseDuration() give.
 */
#include <atf-c.h>
#include <stdint.h>
#include <string.h>

#include "goduration.h"

static void	 check_format(int64_t, const char *);
static void	 check_parse(const char *, int64_t);
static void	 check_error(const char *, const char *);

static void
check_format(int64_t ns, const char *want)
{
	char	 buf[GODURATION_STRLEN];

	ATF_CHECK_EQ_MSG(goduration_format(ns, buf), strlen(want), "%s", want);
	ATF_CHECK_STREQ(buf, want);
}

static void
check_parse(const char *s, int64_t want)
{
	char	 err[256];
	int64_t	 ns = -42;

	ATF_CHECK_EQ_MSG(goduration_parse(s, &ns, err, sizeof(err)), 0,
	    "%s", s);
	ATF_CHECK_EQ_MSG(ns, want, "%s: %lld", s, (long long)ns);
}

static void
check_error(const char *s, const char *want)
{
	char	 err[256];
	int64_t	 ns;

	ATF_CHECK_EQ_MSG(goduration_parse(s, &ns, err, sizeof(err)), -1,
	    "%s", s);
	ATF_CHECK_STREQ(err, want);
}

ATF_TC_WITHOUT_HEAD(format);
ATF_TC_BODY(format, tc)
{
	check_format(0, "0s");
	check_format(1, "1ns");
	check_format(999, "999ns");
	check_format(1000, "1\xc2\xb5s");
	check_format(338764, "338.764\xc2\xb5s");
	check_format(88822, "88.822\xc2\xb5s");
	check_format(1500000, "1.5ms");
	check_format(999999999, "999.999999ms");
	check_format(2000000000LL, "2s");
	check_format(1000000001LL, "1.000000001s");
	check_format(90000000000LL, "1m30s");
	check_format(3600000000000LL, "1h0m0s");
	check_format(3723500000000LL, "1h2m3.5s");
	check_format(-2000000000LL, "-2s");
	check_format(-1500, "-1.5\xc2\xb5s");
	check_format(INT64_MAX, "2562047h47m16.854775807s");
	check_format(INT64_MIN, "-2562047h47m16.854775808s");
}

ATF_TC_WITHOUT_HEAD(parse);
ATF_TC_BODY(parse, tc)
{
	check_parse("0", 0);
	check_parse("-0", 0);
	check_parse("+0", 0);
	check_parse("0s", 0);
	check_parse("5m", 300000000000LL);
	check_parse("1h30m", 5400000000000LL);
	check_parse("1.5s", 1500000000LL);
	check_parse("300ms", 300000000LL);
	check_parse("2h45m0.5s", 9900500000000LL);
	check_parse("1ns", 1);
	check_parse("1us", 1000);
	check_parse("1\xc2\xb5s", 1000);
	check_parse("1\xce\xbcs", 1000);
	check_parse(".5s", 500000000LL);
	check_parse("5.s", 5000000000LL);
	check_parse("-1.5h", -5400000000000LL);
	check_parse("1.0000000001s", 1000000000LL);
	check_parse("9223372036854775807ns", INT64_MAX);
	check_parse("-9223372036854775808ns", INT64_MIN);
	check_parse("0.3333333333333333333h", 1200000000000LL);
}

ATF_TC_WITHOUT_HEAD(errors);
ATF_TC_BODY(errors, tc)
{
	check_error("", "time: invalid duration \"\"");
	check_error("-", "time: invalid duration \"-\"");
	check_error("s", "time: invalid duration \"s\"");
	check_error(".s", "time: invalid duration \".s\"");
	check_error("1", "time: missing unit in duration \"1\"");
	check_error("1.5", "time: missing unit in duration \"1.5\"");
	check_error("3x", "time: unknown unit \"x\" in duration \"3x\"");
	check_error("1d", "time: unknown unit \"d\" in duration \"1d\"");
	check_error("1s x", "time: unknown unit \"s x\" in duration "
	    "\"1s x\"");
	check_error("9223372036854775808ns",
	    "time: invalid duration \"9223372036854775808ns\"");
	check_error("3000000h", "time: invalid duration \"3000000h\"");
	check_error("1\xff", "time: unknown unit \"\\xff\" in duration "
	    "\"1\\xff\"");
	check_error("\"1\"", "time: invalid duration \"\\\"1\\\"\"");
}

ATF_TP_ADD_TCS(tp)
{
	ATF_TP_ADD_TC(tp, format);
	ATF_TP_ADD_TC(tp, parse);
	ATF_TP_ADD_TC(tp, errors);
	return atf_no_error();
}
