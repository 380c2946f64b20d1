/*
 * work commands (ctlcmd_work in ctld/ctlcmd.c): both forms read as Go's
 * workceptor reads them, and Go's error texts in Go's order.
 */
#include <atf-c.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json.h>

#include "ctlcmd.h"

struct work_case {
	const char	*line;
	const char	*err;		/* NULL: parses */
	int		 sub;
	const char	*unitid;
	long long	 startpos;
	const char	*node;
	const char	*worktype;
	const char	*params;	/* the work params, as JSON */
};

static void	check(const struct work_case *);

static void
check(const struct work_case *t)
{
	struct ctlcmd	 cmd;
	struct ctl_work	 w;
	char		 err[512];
	int		 rv;

	ATF_REQUIRE_EQ_MSG(ctlcmd_parse(t->line, strlen(t->line), &cmd),
	    CTLCMD_OK, "%s", t->line);
	rv = ctlcmd_work(&cmd, &w, err, sizeof(err));
	if (t->err != NULL) {
		ATF_CHECK_EQ_MSG(rv, -1, "%s", t->line);
		if (rv == -1)
			ATF_CHECK_STREQ_MSG(err, t->err, "%s", t->line);
		goto done;
	}
	ATF_CHECK_EQ_MSG(rv, 0, "%s: %s", t->line, err);
	if (rv == -1)
		goto done;
	ATF_CHECK_EQ_MSG((int)w.sub, t->sub, "%s", t->line);
	if (t->unitid != NULL || w.unitid != NULL)
		ATF_CHECK_STREQ_MSG(w.unitid != NULL ? w.unitid : "(null)",
		    t->unitid != NULL ? t->unitid : "(null)", "%s", t->line);
	ATF_CHECK_EQ_MSG(w.startpos, t->startpos, "%s", t->line);
	if (t->node != NULL)
		ATF_CHECK_STREQ_MSG(w.node, t->node, "%s", t->line);
	if (t->worktype != NULL)
		ATF_CHECK_STREQ_MSG(w.worktype, t->worktype, "%s", t->line);
	if (t->params != NULL)
		ATF_CHECK_STREQ_MSG(json_object_to_json_string_ext(w.params,
		    JSON_C_TO_STRING_PLAIN), t->params, "%s", t->line);
 done:
	ctl_work_clear(&w);
	ctlcmd_clear(&cmd);
}

ATF_TC_WITHOUT_HEAD(text);
ATF_TC_BODY(text, tc)
{
	static const struct work_case cases[] = {
		{ "work", "bad command", 0, NULL, 0, NULL, NULL, NULL },
		{ "work frob x", "bad command", 0, NULL, 0, NULL, NULL, NULL },
		{ "work SUBMIT a b", NULL, CTLW_SUBMIT, NULL, 0, "a", "b",
		    "{}" },
		{ "work submit a b c  d", NULL, CTLW_SUBMIT, NULL, 0, "a",
		    "b", "{\"params\":\"c  d\"}" },
		{ "work submit a b ", NULL, CTLW_SUBMIT, NULL, 0, "a", "b",
		    "{\"params\":\"\"}" },
		{ "work submit a", "work submit requires a target node and "
		    "work type", 0, NULL, 0, NULL, NULL, NULL },
		{ "work list", NULL, CTLW_LIST, NULL, 0, NULL, NULL, NULL },
		{ "work list abc def", NULL, CTLW_LIST, "abc", 0, NULL, NULL,
		    NULL },
		{ "work status", "work status requires a unit ID", 0, NULL,
		    0, NULL, NULL, NULL },
		{ "work Cancel x y", "work cancel does not take parameters "
		    "after the unit ID", 0, NULL, 0, NULL, NULL, NULL },
		{ "work force-release x", NULL, CTLW_FORCE_RELEASE, "x", 0,
		    NULL, NULL, NULL },
		{ "work release ", NULL, CTLW_RELEASE, "", 0, NULL, NULL,
		    NULL },
		{ "work results x", NULL, CTLW_RESULTS, "x", 0, NULL, NULL,
		    NULL },
		{ "work results x -12", NULL, CTLW_RESULTS, "x", -12, NULL,
		    NULL, NULL },
		{ "work results x 1 2", "work results only takes a unit ID "
		    "and optional start position", 0, NULL, 0, NULL, NULL,
		    NULL },
		{ "work results x y", "error converting start position to "
		    "integer: strconv.ParseInt: parsing \"y\": invalid syntax",
		    0, NULL, 0, NULL, NULL, NULL },
		{ "work results x 99999999999999999999", "error converting "
		    "start position to integer: strconv.ParseInt: parsing "
		    "\"99999999999999999999\": value out of range", 0, NULL,
		    0, NULL, NULL, NULL },
		{ "work results x ", "error converting start position to "
		    "integer: strconv.ParseInt: parsing \"\": invalid syntax",
		    0, NULL, 0, NULL, NULL, NULL },
	};
	size_t	 i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		check(&cases[i]);
}

ATF_TC_WITHOUT_HEAD(json);
ATF_TC_BODY(json, tc)
{
	static const struct work_case cases[] = {
		{ "{\"command\":\"work\"}", "field subcommand missing", 0,
		    NULL, 0, NULL, NULL, NULL },
		{ "{\"command\":\"work\",\"subcommand\":1}", "field subcommand "
		    "must be a string", 0, NULL, 0, NULL, NULL, NULL },
		{ "{\"command\":\"work\",\"subcommand\":\"nope\"}", "bad "
		    "command", 0, NULL, 0, NULL, NULL, NULL },
		{ "{\"command\":\"work\",\"subcommand\":\"Submit\",\"node\":"
		    "\"n\",\"worktype\":\"t\",\"params\":\"-x\",\"ttl\":\"1m\","
		    "\"key\":\"v\"}", NULL, CTLW_SUBMIT, NULL, 0, "n", "t",
		    "{\"params\":\"-x\",\"key\":\"v\"}" },
		{ "{\"command\":\"work\",\"subcommand\":\"submit\",\"node\":"
		    "\"n\",\"worktype\":\"t\",\"n\":1}", "submit parameters "
		    "must all be strings and n is not", 0, NULL, 0, NULL, NULL,
		    NULL },
		{ "{\"command\":\"work\",\"subcommand\":\"submit\",\"node\":"
		    "\"n\"}", "field worktype missing", 0, NULL, 0, NULL, NULL,
		    NULL },
		{ "{\"command\":\"work\",\"subcommand\":\"list\",\"unitid\":3}",
		    NULL, CTLW_LIST, NULL, 0, NULL, NULL, NULL },
		{ "{\"command\":\"work\",\"subcommand\":\"status\"}", "field "
		    "unitid missing", 0, NULL, 0, NULL, NULL, NULL },
		{ "{\"command\":\"work\",\"subcommand\":\"cancel\",\"unitid\":"
		    "[]}", "field unitid must be a string", 0, NULL, 0, NULL,
		    NULL, NULL },
		{ "{\"command\":\"work\",\"subcommand\":\"results\",\"unitid\":"
		    "\"u\",\"startpos\":7.9}", NULL, CTLW_RESULTS, "u", 7, NULL,
		    NULL, NULL },
		{ "{\"command\":\"work\",\"subcommand\":\"results\",\"unitid\":"
		    "\"u\"}", "field startpos missing", 0, NULL, 0, NULL, NULL,
		    NULL },
		{ "{\"command\":\"work\",\"subcommand\":\"results\",\"unitid\":"
		    "\"u\",\"startpos\":\"0\"}", "field startpos value 0 is "
		    "not convertible to an int", 0, NULL, 0, NULL, NULL, NULL },
		{ "{\"command\":\"work\",\"subcommand\":\"results\",\"unitid\":"
		    "\"u\",\"startpos\":\"x\"}", "strconv.ParseInt: parsing "
		    "\"x\": invalid syntax", 0, NULL, 0, NULL, NULL, NULL },
		{ "{\"command\":\"work\",\"subcommand\":\"results\",\"unitid\":"
		    "\"u\",\"startpos\":true}", "field startpos value "
		    "%!s(bool=true) is not convertible to an int", 0, NULL, 0,
		    NULL, NULL, NULL },
		{ "{\"command\":\"work\",\"subcommand\":\"results\",\"unitid\":"
		    "\"u\",\"startpos\":null}", "field startpos value "
		    "%!s(<nil>) is not convertible to an int", 0, NULL, 0, NULL,
		    NULL, NULL },
		{ "{\"command\":\"work\",\"subcommand\":\"status\",\"unitid\":"
		    "\"a\\u0000b\"}", "field unitid holds a NUL byte", 0, NULL,
		    0, NULL, NULL, NULL },
	};
	size_t	 i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		check(&cases[i]);
}

/* The optional fields of submit, read leniently as Go reads them. */
ATF_TC_WITHOUT_HEAD(submit_fields);
ATF_TC_BODY(submit_fields, tc)
{
	static const char line[] = "{\"command\":\"work\",\"subcommand\":"
	    "\"submit\",\"node\":\"n\",\"worktype\":\"t\",\"tlsclient\":\"c\","
	    "\"ttl\":\"5m\",\"signwork\":\"true\",\"signature\":\"s\"}";
	struct ctlcmd	 cmd;
	struct ctl_work	 w;
	char		 err[256];

	ATF_REQUIRE_EQ(ctlcmd_parse(line, strlen(line), &cmd), CTLCMD_OK);
	ATF_REQUIRE_EQ(ctlcmd_work(&cmd, &w, err, sizeof(err)), 0);
	ATF_CHECK_STREQ(w.tlsclient, "c");
	ATF_CHECK_STREQ(w.ttl, "5m");
	ATF_CHECK_EQ(w.signwork, 1);
	ATF_CHECK_STREQ(w.signature, "s");
	ATF_CHECK_STREQ(json_object_to_json_string_ext(w.params,
	    JSON_C_TO_STRING_PLAIN), "{}");
	ctl_work_clear(&w);
	ctlcmd_clear(&cmd);
}

ATF_TP_ADD_TCS(tp)
{
	ATF_TP_ADD_TC(tp, text);
	ATF_TP_ADD_TC(tp, json);
	ATF_TP_ADD_TC(tp, submit_fields);
	return atf_no_error();
}
