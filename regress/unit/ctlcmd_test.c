/*
 * Control request lines (ctld/ctlcmd.c): the line reader, text and JSON
 * forms, Go's error texts and the parameter helpers.
 */
#include <atf-c.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json.h>

#include "ctlcmd.h"

static enum ctlcmd_status parse(const char *, struct ctlcmd *);
static void	 check_json_error(const char *, const char *);
static void	 check_target(const char *, const char *, const char *);
static void	 check_connect(const char *, const char *, const char *,
		    const char *, const char *);

static enum ctlcmd_status
parse(const char *line, struct ctlcmd *cmd)
{
	return ctlcmd_parse(line, strlen(line), cmd);
}

static void
check_json_error(const char *line, const char *detail)
{
	struct ctlcmd	 cmd;
	char		 want[512];

	ATF_CHECK_EQ_MSG(parse(line, &cmd), CTLCMD_ERROR, "%s", line);
	snprintf(want, sizeof(want), "ERROR: %s\nERROR: Unknown command\n",
	    detail);
	ATF_CHECK_STREQ_MSG(cmd.reply, want, "%s", line);
	ATF_CHECK_STREQ(cmd.name, "");
	ctlcmd_clear(&cmd);
}

/* want NULL: expect error text err. */
static void
check_target(const char *line, const char *want, const char *err)
{
	struct ctlcmd	 cmd;
	const char	*t;
	char		 e[256];
	size_t		 len;

	ATF_REQUIRE_EQ_MSG(parse(line, &cmd), CTLCMD_OK, "%s", line);
	if (want != NULL) {
		ATF_CHECK_EQ_MSG(ctlcmd_target(&cmd, &t, &len, e, sizeof(e)),
		    0, "%s", line);
		ATF_CHECK_STREQ(t, want);
		ATF_CHECK_EQ(len, strlen(want));
	} else {
		ATF_CHECK_EQ_MSG(ctlcmd_target(&cmd, &t, &len, e, sizeof(e)),
		    -1, "%s", line);
		ATF_CHECK_STREQ(e, err);
	}
	ctlcmd_clear(&cmd);
}

/* node NULL: expect error text svc. */
static void
check_connect(const char *line, const char *node, const char *svc,
    const char *tls, const char *err)
{
	struct ctlcmd		 cmd;
	struct ctl_connect	 c;
	char			 e[256];

	ATF_REQUIRE_EQ_MSG(parse(line, &cmd), CTLCMD_OK, "%s", line);
	if (node == NULL) {
		ATF_CHECK_EQ_MSG(ctlcmd_connect(&cmd, &c, e, sizeof(e)), -1,
		    "%s", line);
		ATF_CHECK_STREQ(e, err);
	} else {
		ATF_REQUIRE_EQ_MSG(ctlcmd_connect(&cmd, &c, e, sizeof(e)), 0,
		    "%s", line);
		ATF_CHECK_STREQ(c.node, node);
		ATF_CHECK_STREQ(c.service, svc);
		if (tls == NULL)
			ATF_CHECK(c.tls == NULL);
		else {
			ATF_CHECK_STREQ(c.tls, tls);
			ATF_CHECK_EQ(c.tls_len, strlen(tls));
		}
		ctl_connect_clear(&c);
	}
	ctlcmd_clear(&cmd);
}

ATF_TC_WITHOUT_HEAD(line_reader);
ATF_TC_BODY(line_reader, tc)
{
	static struct ctl_line	 l;
	const char		*in = "pi\rng a\r\nPAYLOAD";
	char			*big;
	size_t			 used;

	ctl_line_init(&l);
	ATF_CHECK_EQ(ctl_line_feed(&l, in, 3, &used), CTL_LINE_MORE);
	ATF_CHECK_EQ(used, 3);
	ATF_CHECK_EQ(ctl_line_feed(&l, in + 3, strlen(in) - 3, &used),
	    CTL_LINE_DONE);
	/* Nothing past the newline is taken. */
	ATF_CHECK_STREQ(in + 3 + used, "PAYLOAD");
	ATF_CHECK_STREQ(l.buf, "ping a");
	ATF_CHECK_EQ(l.len, 6);
	ATF_CHECK_EQ(ctl_line_feed(&l, "\n", 1, &used), CTL_LINE_DONE);
	ATF_CHECK_EQ(l.len, 0);

	ATF_REQUIRE((big = malloc(CTL_LINE_MAX + 2)) != NULL);
	memset(big, 'x', CTL_LINE_MAX + 1);
	big[CTL_LINE_MAX + 1] = '\n';
	ATF_CHECK_EQ(ctl_line_feed(&l, big, CTL_LINE_MAX + 1, &used),
	    CTL_LINE_MORE);
	ATF_CHECK_EQ(l.len, CTL_LINE_MAX);
	ATF_CHECK_EQ(ctl_line_feed(&l, big + CTL_LINE_MAX + 1, 1, &used),
	    CTL_LINE_TOOLONG);
	/* The next line is read normally. */
	ATF_CHECK_EQ(ctl_line_feed(&l, "status\n", 7, &used), CTL_LINE_DONE);
	ATF_CHECK_STREQ(l.buf, "status");
	free(big);
}

ATF_TC_WITHOUT_HEAD(text_forms);
ATF_TC_BODY(text_forms, tc)
{
	struct ctlcmd	 cmd;

	ATF_CHECK_EQ(parse("", &cmd), CTLCMD_EMPTY);
	ATF_CHECK_EQ(parse("\r\r", &cmd), CTLCMD_EMPTY);

	ATF_REQUIRE_EQ(parse("PiNg  node B", &cmd), CTLCMD_OK);
	ATF_CHECK_STREQ(cmd.name, "ping");
	ATF_CHECK_STREQ(cmd.params, " node B");
	ATF_CHECK(cmd.json == NULL);
	ctlcmd_clear(&cmd);

	ATF_REQUIRE_EQ(parse("st\ratus", &cmd), CTLCMD_OK);
	ATF_CHECK_STREQ(cmd.name, "status");
	ATF_CHECK_STREQ(cmd.params, "");
	ctlcmd_clear(&cmd);

	/* A leading space: no command, so "Unknown command". */
	ATF_REQUIRE_EQ(parse(" ping a", &cmd), CTLCMD_OK);
	ATF_CHECK_STREQ(cmd.name, "");
	ATF_CHECK_STREQ(cmd.params, "ping a");
	ctlcmd_clear(&cmd);

	/* Go lowers the Kelvin sign to 'k'. */
	ATF_REQUIRE_EQ(parse("WOR\xe2\x84\xaa list", &cmd), CTLCMD_OK);
	ATF_CHECK_STREQ(cmd.name, "work");
	ctlcmd_clear(&cmd);

	ATF_REQUIRE_EQ(ctlcmd_parse("ping\0x a", 8, &cmd), CTLCMD_OK);
	ATF_CHECK_STREQ(cmd.name, "");
	ctlcmd_clear(&cmd);
	ATF_CHECK_STREQ(CTL_REPLY_UNKNOWN, "ERROR: Unknown command\n");
}

ATF_TC_WITHOUT_HEAD(json_forms);
ATF_TC_BODY(json_forms, tc)
{
	struct ctlcmd	 cmd;
	const char	*v;
	size_t		 len;

	ATF_REQUIRE_EQ(parse("{\"command\":\"Ping\",\"target\":\"b\"}", &cmd),
	    CTLCMD_OK);
	/* JSON commands keep their case. */
	ATF_CHECK_STREQ(cmd.name, "Ping");
	ATF_CHECK(cmd.json != NULL);
	ATF_CHECK(cmd.params == NULL);
	ctlcmd_clear(&cmd);

	ATF_REQUIRE_EQ(parse(" {\"command\":\"ping\"}", &cmd), CTLCMD_OK);
	ATF_CHECK_STREQ(cmd.name, "");
	ctlcmd_clear(&cmd);

	ATF_REQUIRE_EQ(parse("{ \"command\" : \"work\", \"a\": [1, -2.5e3, "
	    "true, false, null, {}], \"s\": \"\\u00e9\\ud83d\\ude00\\ud800x"
	    "\xff\", \"command\": \"status\" } ", &cmd), CTLCMD_OK);
	/* The last of a repeated key counts, as in Go. */
	ATF_CHECK_STREQ(cmd.name, "status");
	ATF_REQUIRE_EQ(ctlcmd_param_string(&cmd, "s", &v, &len), CTLP_OK);
	ATF_CHECK_STREQ(v, "\xc3\xa9\xf0\x9f\x98\x80\xef\xbf\xbdx"
	    "\xef\xbf\xbd");
	ATF_CHECK_EQ(ctlcmd_param_string(&cmd, "a", &v, &len),
	    CTLP_NOTSTRING);
	ATF_CHECK_EQ(ctlcmd_param_string(&cmd, "zz", &v, &len), CTLP_ABSENT);
	ctlcmd_clear(&cmd);

	ATF_REQUIRE_EQ(parse("{\"command\":\"ping\",\"target\":\"a\\u0000b\"}",
	    &cmd), CTLCMD_OK);
	ATF_REQUIRE_EQ(ctlcmd_param_string(&cmd, "target", &v, &len),
	    CTLP_OK);
	ATF_CHECK_EQ(len, 3);
	ctlcmd_clear(&cmd);

	/* A key with a NUL is not "command". */
	check_json_error("{\"command\\u0000x\":\"ping\"}",
	    "JSON did not contain a command");
}

ATF_TC_WITHOUT_HEAD(json_errors);
ATF_TC_BODY(json_errors, tc)
{
	char	*deep;
	int	 i;

	check_json_error("{}", "JSON did not contain a command");
	check_json_error("{\"command\":1}", "command must be a string");
	check_json_error("{\"command\":null}", "command must be a string");
	check_json_error("{bad}", "invalid character 'b' looking for "
	    "beginning of object key string");
	check_json_error("{", "unexpected end of JSON input");
	check_json_error("{\"command\":\"ping\"", "unexpected end of JSON "
	    "input");
	check_json_error("{\"a\" 1}", "invalid character '1' after object "
	    "key");
	check_json_error("{\"a\":1 2}", "invalid character '2' after object "
	    "key:value pair");
	check_json_error("{\"a\":[1 2]}", "invalid character '2' after "
	    "array element");
	check_json_error("{\"a\":}", "invalid character '}' looking for "
	    "beginning of value");
	check_json_error("{}x", "invalid character 'x' after top-level "
	    "value");
	check_json_error("{\"a\":tru}", "invalid character '}' in literal "
	    "true (expecting 'e')");
	check_json_error("{\"a\":nul", "invalid character ' ' in literal "
	    "null (expecting 'l')");
	check_json_error("{\"a\":fx}", "invalid character 'x' in literal "
	    "false (expecting 'a')");
	check_json_error("{\"a\":-}", "invalid character '}' in numeric "
	    "literal");
	check_json_error("{\"a\":1.}", "invalid character '}' after decimal "
	    "point in numeric literal");
	check_json_error("{\"a\":1e}", "invalid character '}' in exponent "
	    "of numeric literal");
	check_json_error("{\"a\":01}", "invalid character '1' after object "
	    "key:value pair");
	check_json_error("{\"a\":\"\\x\"}", "invalid character 'x' in string "
	    "escape code");
	check_json_error("{\"a\":\"\\u12g4\"}", "invalid character 'g' in "
	    "\\u hexadecimal character escape");
	check_json_error("{\"a\":\"\t\"}", "invalid character '\\t' in "
	    "string literal");
	check_json_error("{\"a\":\"\x01\"}", "invalid character '\\x01' in "
	    "string literal");
	check_json_error("{'a':1}", "invalid character '\\'' looking for "
	    "beginning of object key string");
	check_json_error("{\"a\":\\}", "invalid character '\\\\' looking for "
	    "beginning of value");
	check_json_error("{\"a\":\xc3}", "invalid character '\xc3\x83' "
	    "looking for beginning of value");
	check_json_error("{\"a\":\x85}", "invalid character '\\u0085' "
	    "looking for beginning of value");
	check_json_error("{\"a\":1e400}", "json: cannot unmarshal number "
	    "1e400 into Go value of type float64");
	check_json_error("{\"a\":1x,\"b\":1e999}", "invalid character 'x' "
	    "after object key:value pair");

	/* encoding/json's depth limit is 10000. */
	ATF_REQUIRE((deep = malloc(20010)) != NULL);
	deep[0] = '{';
	memcpy(deep + 1, "\"a\":", 4);
	for (i = 0; i < 9999; i++)
		deep[5 + i] = '[';
	deep[5 + 9999] = '\0';
	check_json_error(deep, "unexpected end of JSON input");
	deep[5 + 9999] = '[';
	deep[5 + 10000] = '\0';
	check_json_error(deep, "invalid character '[' exceeded max depth");
	free(deep);
}

ATF_TC_WITHOUT_HEAD(target);
ATF_TC_BODY(target, tc)
{
	check_target("ping nodeB", "nodeB", NULL);
	check_target("ping  x y", " x y", NULL);
	check_target("ping", NULL, "no ping target");
	check_target("ping ", NULL, "no ping target");
	check_target("traceroute", NULL, "no traceroute target");
	check_target("{\"command\":\"ping\",\"target\":\"b\"}", "b", NULL);
	check_target("{\"command\":\"ping\",\"target\":\"\"}", "", NULL);
	check_target("{\"command\":\"ping\"}", NULL, "no ping target");
	check_target("{\"command\":\"ping\",\"target\":5}", NULL,
	    "ping target must be string");
	check_target("{\"command\":\"traceroute\",\"target\":null}", NULL,
	    "traceroute target must be string");
}

ATF_TC_WITHOUT_HEAD(status);
ATF_TC_BODY(status, tc)
{
	static const struct {
		const char	*line;
		int		 ok, all;
		const char	*err;
	} t[] = {
		{ "status", 0, 1, NULL },
		{ "status x", -1, 0,
		    "status command does not take parameters" },
		{ "status ", 0, 1, NULL },
		{ "{\"command\":\"status\"}", 0, 1, NULL },
		{ "{\"command\":\"status\",\"requested_fields\":[]}", 0, 0,
		    NULL },
		{ "{\"command\":\"status\",\"requested_fields\":[\"NodeID\"]}",
		    0, 0, NULL },
		{ "{\"command\":\"status\",\"requested_fields\":[1]}", -1, 0,
		    "each element of requested_fields must be a string" },
		{ "{\"command\":\"status\",\"requested_fields\":[null]}", -1,
		    0, "each element of requested_fields must be a string" },
		{ "{\"command\":\"status\",\"requested_fields\":\"NodeID\"}",
		    -1, 0, "requested_fields must be a list" },
		{ "{\"command\":\"status\",\"requested_fields\":null}", -1, 0,
		    "requested_fields must be a list" },
	};
	struct ctlcmd		 cmd;
	struct json_object	*fields;
	char			 e[256];
	size_t			 i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		ATF_REQUIRE_EQ(parse(t[i].line, &cmd), CTLCMD_OK);
		ATF_CHECK_EQ_MSG(ctlcmd_status_fields(&cmd, &fields, e,
		    sizeof(e)), t[i].ok, "%s", t[i].line);
		if (t[i].ok == 0)
			ATF_CHECK_EQ_MSG(fields == NULL, t[i].all, "%s",
			    t[i].line);
		else
			ATF_CHECK_STREQ(e, t[i].err);
		ctlcmd_clear(&cmd);
	}
}

ATF_TC_WITHOUT_HEAD(connect);
ATF_TC_BODY(connect, tc)
{
	check_connect("connect b svc", "b", "svc", NULL, NULL);
	check_connect("connect b svc tlsc", "b", "svc", "tlsc", NULL);
	check_connect("connect b svc ", "b", "svc", NULL, NULL);
	check_connect("connect b  svc", "b", "", "svc", NULL);
	check_connect("connect  svc", "", "svc", NULL, NULL);
	check_connect("connect B Svc TLS", "B", "Svc", "TLS", NULL);
	check_connect("CONNECT b svc", "b", "svc", NULL, NULL);
	check_connect("connect b", NULL, "", NULL, "no connect target");
	check_connect("connect", NULL, "", NULL, "no connect target");
	check_connect("connect a b c d", NULL, "", NULL,
	    "too many parameters");
	check_connect("connect a b c ", NULL, "", NULL,
	    "too many parameters");
	check_connect("{\"command\":\"connect\",\"node\":\"b\",\"service\":"
	    "\"s\"}", "b", "s", NULL, NULL);
	check_connect("{\"command\":\"connect\",\"node\":\"b\",\"service\":"
	    "\"s\",\"tls\":\"t\"}", "b", "s", "t", NULL);
	check_connect("{\"command\":\"connect\",\"node\":\"b\",\"service\":"
	    "\"s\",\"tls\":\"\"}", "b", "s", NULL, NULL);
	check_connect("{\"command\":\"connect\"}", NULL, "", NULL,
	    "no connect target node");
	check_connect("{\"command\":\"connect\",\"node\":1}", NULL, "", NULL,
	    "connect target node must be string");
	check_connect("{\"command\":\"connect\",\"node\":\"b\"}", NULL, "",
	    NULL, "no connect target service");
	check_connect("{\"command\":\"connect\",\"node\":\"b\",\"service\":"
	    "[]}", NULL, "", NULL, "connect target service must be string");
	check_connect("{\"command\":\"connect\",\"node\":\"b\",\"service\":"
	    "\"s\",\"tls\":false}", NULL, "", NULL,
	    "connect tls name must be string");
	/* Present but null is not a string to Go either. */
	check_connect("{\"command\":\"connect\",\"node\":null}", NULL, "",
	    NULL, "connect target node must be string");
	check_connect("{\"command\":\"connect\",\"node\":\"b\",\"service\":"
	    "\"s\",\"tls\":null}", NULL, "", NULL,
	    "connect tls name must be string");
	/* Text parameters are ignored by the JSON form, and back. */
	check_connect("{\"command\":\"connect\",\"target\":\"b s\"}", NULL,
	    "", NULL, "no connect target node");
}

ATF_TC_WITHOUT_HEAD(connect_nul);
ATF_TC_BODY(connect_nul, tc)
{
	struct ctlcmd		 cmd;
	struct ctl_connect	 c;
	char			 e[256];

	ATF_REQUIRE_EQ(parse("{\"command\":\"connect\",\"node\":\"b\\u0000x\","
	    "\"service\":\"s\\u0000\",\"tls\":\"t\\u0000ls\"}", &cmd),
	    CTLCMD_OK);
	ATF_REQUIRE_EQ(ctlcmd_connect(&cmd, &c, e, sizeof(e)), 0);
	/* The lengths tell such names from the names they start with. */
	ATF_CHECK_EQ(c.node_len, 3);
	ATF_CHECK_EQ(c.service_len, 2);
	ATF_CHECK_EQ(c.tls_len, 4);
	ATF_CHECK(memcmp(c.tls, "t\0ls", 4) == 0);
	ctl_connect_clear(&c);
	ctlcmd_clear(&cmd);
}

ATF_TP_ADD_TCS(tp)
{
	ATF_TP_ADD_TC(tp, line_reader);
	ATF_TP_ADD_TC(tp, text_forms);
	ATF_TP_ADD_TC(tp, json_forms);
	ATF_TP_ADD_TC(tp, json_errors);
	ATF_TP_ADD_TC(tp, target);
	ATF_TP_ADD_TC(tp, status);
	ATF_TP_ADD_TC(tp, connect);
	ATF_TP_ADD_TC(tp, connect_nul);
	return atf_no_error();
}
