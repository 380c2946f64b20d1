/*
 * Firewall rules of netd/firewall.c: every field, exact and regex
 * values, Go's quirks (ignored regexes, empty values) and errors.
 */
#include <atf-c.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "firewall.h"

#define MAXRULES	8
#define MAXPAIRS	6

struct rules {
	struct cfg_value	 v;
	struct cfg_map		 maps[MAXRULES];
	struct cfg_pair		 pairs[MAXRULES][MAXPAIRS];
};

static void	 rule(struct rules *, ...);
static struct firewall *compile(struct rules *);
static void	 check_error(struct rules *, const char *);
static enum fw_result one(const char *, const char *, const char *,
		    const char *, const char *, const char *);

/* Add a rule of key, value, ..., NULL pairs. */
static void
rule(struct rules *r, ...)
{
	struct cfg_map	*m;
	va_list		 ap;
	const char	*k;

	if (r->v.rules == NULL)
		r->v.rules = r->maps;
	ATF_REQUIRE(r->v.nrules < MAXRULES);
	m = &r->maps[r->v.nrules];
	m->pairs = r->pairs[r->v.nrules++];
	va_start(ap, r);
	while ((k = va_arg(ap, const char *)) != NULL) {
		ATF_REQUIRE(m->npairs < MAXPAIRS);
		m->pairs[m->npairs].key = (char *)k;
		m->pairs[m->npairs++].val = va_arg(ap, char *);
	}
	va_end(ap);
}

static struct firewall *
compile(struct rules *r)
{
	struct firewall	*fw;
	char		 err[256];

	ATF_REQUIRE_EQ_MSG(firewall_compile(&r->v, &fw, err, sizeof(err)), 0,
	    "%s", err);
	return fw;
}

static void
check_error(struct rules *r, const char *want)
{
	struct firewall	*fw;
	char		 err[256];

	ATF_CHECK_EQ(firewall_compile(&r->v, &fw, err, sizeof(err)), -1);
	ATF_CHECK(fw == NULL);
	ATF_CHECK_STREQ(err, want);
}

/* One rule "field: value" rejecting, matched against a message. */
static enum fw_result
one(const char *field, const char *value, const char *fn, const char *fs,
    const char *tn, const char *ts)
{
	struct rules	 r;
	struct firewall	*fw;
	enum fw_result	 res;

	memset(&r, 0, sizeof(r));
	rule(&r, "action", "reject", field, value, NULL);
	fw = compile(&r);
	res = firewall_match(fw, fn, fs, tn, ts);
	firewall_free(fw);
	return res;
}

ATF_TC_WITHOUT_HEAD(fields_exact);
ATF_TC_BODY(fields_exact, tc)
{
	ATF_CHECK_EQ(one("fromnode", "a", "a", "s", "b", "t"), FW_REJECT);
	ATF_CHECK_EQ(one("fromnode", "a", "A", "s", "b", "t"), FW_ACCEPT);
	ATF_CHECK_EQ(one("FromService", "s", "a", "s", "b", "t"), FW_REJECT);
	ATF_CHECK_EQ(one("FROMSERVICE", "s", "a", "x", "b", "t"), FW_ACCEPT);
	ATF_CHECK_EQ(one("tonode", "b", "a", "s", "b", "t"), FW_REJECT);
	ATF_CHECK_EQ(one("ToNode", "b", "a", "s", "bb", "t"), FW_ACCEPT);
	ATF_CHECK_EQ(one("toservice", "t", "a", "s", "b", "t"), FW_REJECT);
	ATF_CHECK_EQ(one("toservice", "t", "a", "s", "b", "u"), FW_ACCEPT);
	/* An empty value is no condition at all. */
	ATF_CHECK_EQ(one("tonode", "", "a", "s", "b", "t"), FW_REJECT);
}

ATF_TC_WITHOUT_HEAD(regex);
ATF_TC_BODY(regex, tc)
{
	ATF_CHECK_EQ(one("fromnode", "/a.*b/", "axxb", "", "", ""),
	    FW_REJECT);
	/* Anchored: the whole name must match. */
	ATF_CHECK_EQ(one("fromnode", "/a.*b/", "xaxxb", "", "", ""),
	    FW_ACCEPT);
	ATF_CHECK_EQ(one("fromnode", "/a.*b/", "axxbx", "", "", ""),
	    FW_ACCEPT);
	/* ^a|b$ as Go builds it: a prefix or a suffix. */
	ATF_CHECK_EQ(one("tonode", "/a|b/", "", "", "axx", ""), FW_REJECT);
	ATF_CHECK_EQ(one("tonode", "/a|b/", "", "", "xxb", ""), FW_REJECT);
	ATF_CHECK_EQ(one("tonode", "/a|b/", "", "", "xbx", ""), FW_ACCEPT);
	ATF_CHECK_EQ(one("tonode", "/node\\d+/", "", "", "node42", ""),
	    FW_REJECT);
	ATF_CHECK_EQ(one("tonode", "/node\\d+/", "", "", "nodeX", ""),
	    FW_ACCEPT);
	ATF_CHECK_EQ(one("tonode", "/\\w+\\s\\S/", "", "", "a_1 x", ""),
	    FW_REJECT);
	ATF_CHECK_EQ(one("tonode", "/\\D\\W/", "", "", "a-", ""), FW_REJECT);
	ATF_CHECK_EQ(one("tonode", "/\\D\\W/", "", "", "1-", ""), FW_ACCEPT);
	ATF_CHECK_EQ(one("tonode", "/[\\d_]+/", "", "", "1_2", ""),
	    FW_REJECT);
	ATF_CHECK_EQ(one("tonode", "/[]a^-]+/", "", "", "]^-a", ""),
	    FW_REJECT);
	ATF_CHECK_EQ(one("tonode", "/[^a-c]/", "", "", "d", ""), FW_REJECT);
	ATF_CHECK_EQ(one("tonode", "/[^a-c]/", "", "", "b", ""), FW_ACCEPT);
	ATF_CHECK_EQ(one("tonode", "/[[:digit:]]{2,3}/", "", "", "123", ""),
	    FW_REJECT);
	ATF_CHECK_EQ(one("tonode", "/[[:digit:]]{2,3}/", "", "", "1234",
	    ""), FW_ACCEPT);
	ATF_CHECK_EQ(one("tonode", "/(?:ab)+?c/", "", "", "ababc", ""),
	    FW_REJECT);
	ATF_CHECK_EQ(one("tonode", "/a{/", "", "", "a{", ""), FW_REJECT);
	ATF_CHECK_EQ(one("tonode", "/a\\.b/", "", "", "a.b", ""), FW_REJECT);
	ATF_CHECK_EQ(one("tonode", "/a\\.b/", "", "", "axb", ""), FW_ACCEPT);
	/* Go's "." does not match a newline. */
	ATF_CHECK_EQ(one("tonode", "/a.b/", "", "", "a\nb", ""), FW_ACCEPT);
	/* Go's pattern is ^x\$: the backslash takes the anchor. */
	ATF_CHECK_EQ(one("tonode", "/x\\/", "", "", "x$yz", ""), FW_REJECT);
	ATF_CHECK_EQ(one("tonode", "/x\\/", "", "", "x", ""), FW_ACCEPT);
	/* An exact value is not a regex. */
	ATF_CHECK_EQ(one("tonode", "a.*", "", "", "abc", ""), FW_ACCEPT);
	ATF_CHECK_EQ(one("tonode", "a.*", "", "", "a.*", ""), FW_REJECT);
}

ATF_TC_WITHOUT_HEAD(regex_icase);
ATF_TC_BODY(regex_icase, tc)
{
	ATF_CHECK_EQ(one("tonode", "/(?i)a.*b/", "", "", "AxxB", ""),
	    FW_REJECT);
	ATF_CHECK_EQ(one("tonode", "/(?i)[a-c]x/", "", "", "BX", ""),
	    FW_REJECT);
	ATF_CHECK_EQ(one("tonode", "/a.*b/", "", "", "AxxB", ""), FW_ACCEPT);
}

ATF_TC_WITHOUT_HEAD(regex_broken);
ATF_TC_BODY(regex_broken, tc)
{
	/* Go ignores these: the field then matches anything. */
	ATF_CHECK_EQ(one("fromnode", "/a(b/", "zzz", "", "", ""), FW_REJECT);
	ATF_CHECK_EQ(one("fromnode", "/abc", "zzz", "", "", ""), FW_REJECT);
	ATF_CHECK_EQ(one("fromnode", "/", "zzz", "", "", ""), FW_REJECT);
	ATF_CHECK_EQ(one("fromnode", "/*a/", "zzz", "", "", ""), FW_REJECT);
	ATF_CHECK_EQ(one("fromnode", "/a**/", "zzz", "", "", ""), FW_REJECT);
	ATF_CHECK_EQ(one("fromnode", "/a{1001}/", "zzz", "", "", ""),
	    FW_REJECT);
	ATF_CHECK_EQ(one("fromnode", "/[z-a]/", "zzz", "", "", ""),
	    FW_REJECT);
}

ATF_TC_WITHOUT_HEAD(first_match_wins);
ATF_TC_BODY(first_match_wins, tc)
{
	struct rules	 r;
	struct firewall	*fw;

	memset(&r, 0, sizeof(r));
	rule(&r, "action", "Drop", "fromnode", "bad", "toservice", "ctl",
	    NULL);
	rule(&r, "ACTION", "accept", "fromnode", "bad", NULL);
	rule(&r, "action", "REJECT", "tonode", "/secret.*/", NULL);
	rule(&r, "action", "accept", NULL);
	rule(&r, "action", "drop", NULL);
	fw = compile(&r);
	ATF_CHECK_EQ(firewall_match(fw, "bad", "x", "n", "ctl"), FW_DROP);
	ATF_CHECK_EQ(firewall_match(fw, "bad", "x", "secret1", "y"),
	    FW_ACCEPT);
	ATF_CHECK_EQ(firewall_match(fw, "ok", "x", "secret1", "y"),
	    FW_REJECT);
	ATF_CHECK_EQ(firewall_match(fw, "ok", "x", "n", "y"), FW_ACCEPT);
	firewall_free(fw);
}

ATF_TC_WITHOUT_HEAD(default_accept);
ATF_TC_BODY(default_accept, tc)
{
	struct rules	 r;
	struct firewall	*fw;

	memset(&r, 0, sizeof(r));
	fw = compile(&r);
	ATF_CHECK(fw == NULL);
	ATF_CHECK_EQ(firewall_match(fw, "a", "b", "c", "d"), FW_ACCEPT);
	rule(&r, "action", "drop", "fromnode", "x", NULL);
	fw = compile(&r);
	ATF_CHECK_EQ(firewall_match(fw, "a", "b", "c", "d"), FW_ACCEPT);
	firewall_free(fw);
}

ATF_TC_WITHOUT_HEAD(errors);
ATF_TC_BODY(errors, tc)
{
	struct rules	 r;

	memset(&r, 0, sizeof(r));
	rule(&r, "action", "accept", NULL);
	rule(&r, "action", "allow", NULL);
	check_error(&r, "error in rule 1: unknown action: allow");

	memset(&r, 0, sizeof(r));
	rule(&r, "fromnode", "a", NULL);
	check_error(&r, "error in rule 0: unknown action: ");

	/* An unknown key is reported before a bad action. */
	memset(&r, 0, sizeof(r));
	rule(&r, "action", "bogus", "Via", "x", NULL);
	check_error(&r, "error in rule 0: invalid filewall rule. unknown "
	    "key: Via");

	memset(&r, 0, sizeof(r));
	rule(&r, "action", NULL, NULL);
	check_error(&r, "error in rule 0: invalid firewall rule. action "
	    "must be a string");
}

ATF_TP_ADD_TCS(tp)
{
	ATF_TP_ADD_TC(tp, fields_exact);
	ATF_TP_ADD_TC(tp, regex);
	ATF_TP_ADD_TC(tp, regex_icase);
	ATF_TP_ADD_TC(tp, regex_broken);
	ATF_TP_ADD_TC(tp, first_match_wins);
	ATF_TP_ADD_TC(tp, default_accept);
	ATF_TP_ADD_TC(tp, errors);
	return atf_no_error();
}
