/*
 * rcptctl's output from a control-service reply: the status text, --json
 * and --dot, checked against what receptorctl (Python) prints for the
 * same reply; and the --socket forms.
 */
#include <atf-c.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "rcptctl.h"

/* Go field order in the ads; everything receptorctl shows, and more. */
static const char reply[] =
    "{\"Advertisements\":["
    "{\"NodeID\":\"nodeA\",\"Service\":\"control\","
    "\"Time\":\"2026-11-25T15:34:53.123456789+01:00\",\"ConnType\":1,"
    "\"Tags\":{\"type\":\"Control Service\"},\"WorkCommands\":["
    "{\"WorkType\":\"cat\",\"Secure\":false},"
    "{\"WorkType\":\"sleep\",\"Secure\":false},"
    "{\"WorkType\":\"signed\",\"Secure\":true}]},"
    "{\"NodeID\":\"nodeB\",\"Service\":\"ping2\","
    "\"Time\":\"2026-11-25T15:34:50Z\",\"ConnType\":0,\"Tags\":null,"
    "\"WorkCommands\":null},"
    "{\"NodeID\":\"a-much-longer-node\",\"Service\":\"ctl\","
    "\"Time\":\"2026-01-02T03:04:05-05:00\",\"ConnType\":2,\"Tags\":{},"
    "\"WorkCommands\":[{\"WorkType\":\"echo\",\"Secure\":false}]}],"
    "\"Connections\":[{\"NodeID\":\"nodeB\",\"Cost\":1}],"
    "\"KnownConnectionCosts\":{\"nodeA\":{\"nodeB\":1,\"nodeC\":1.5},"
    "\"nodeB\":{\"nodeA\":1},\"nodeC\":{\"nodeA\":1.5},\"lost\":{}},"
    "\"NodeID\":\"nodeA\",\"RoutingTable\":{\"nodeB\":\"nodeB\","
    "\"nodeC\":\"nodeC\"},\"SystemCPUCount\":2,\"SystemMemoryMiB\":24105,"
    "\"Version\":\"v1.4.9\","
    "\"Extra\":{\"z\":[1,2.5,1e-05,\"\xc2\xb5s\"],\"a\":null,\"b\":true}}";

/* The sources under test report fatal errors through rcptctl's die(). */
__dead void
die(const char *fmt, ...)
{
	char	 msg[1024];
	va_list	 ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	atf_tc_fail("die: %s", msg);
}

static struct json_object *
parse(const char *text)
{
	struct json_object	*o;

	ATF_REQUIRE((o = json_tokener_parse(text)) != NULL);
	return o;
}

/* The output of fn on the JSON text, as a string to compare. */
static char *
render(void (*fn)(FILE *, struct json_object *), const char *text)
{
	struct json_object	*o = parse(text);
	char			*s = NULL;
	size_t			 len = 0;
	FILE			*fp;

	ATF_REQUIRE((fp = open_memstream(&s, &len)) != NULL);
	fn(fp, o);
	ATF_REQUIRE(fclose(fp) == 0);
	json_object_put(o);
	return s;
}

static void
text(FILE *fp, struct json_object *o)
{
	const char	*missing;

	ATF_REQUIRE(status_text(fp, o, &missing) == 0);
}

static void
check(const char *got, const char *want)
{
	if (strcmp(got, want) != 0) {
		fprintf(stderr, "got:\n%s\nwant:\n%s\n", got, want);
		atf_tc_fail("output differs (see stderr)");
	}
}

ATF_TC_WITHOUT_HEAD(status_text_full);
ATF_TC_BODY(status_text_full, tc)
{
	char	*s = render(text, reply);

	check(s,
	    "Node ID: nodeA\n"
	    "Version: v1.4.9\n"
	    "System CPU Count: 2\n"
	    "System Memory MiB: 24105\n"
	    "\n"
	    "Connection   Cost\n"
	    "nodeB        1\n"
	    "\n"
	    "Known Node   Known Connections\n"
	    "nodeA        nodeB: 1 nodeC: 1.5 \n"
	    "nodeB        nodeA: 1 \n"
	    "nodeC        nodeA: 1.5 \n"
	    "lost         \n"
	    "\n"
	    "Route        Via\n"
	    "nodeB        nodeB\n"
	    "nodeC        nodeC\n"
	    "\n"
	    "Node         Service   Type       Last Seen             Tags\n"
	    "nodeA        control   Stream     2026-11-25 15:34:53   "
	    "{'type': 'Control Service'}\n"
	    "nodeB        ping2     Datagram   2026-11-25 15:34:50   "
	    "-               \n"
	    "a-much-longer-node ctl       StreamTLS  2026-01-02 03:04:05   "
	    "{}              \n"
	    "\n"
	    "Node         Work Types\n"
	    "nodeA        cat, sleep\n"
	    "a-much-longer-node echo\n"
	    "\n"
	    "Node         Secure Work Types\n"
	    "nodeA        signed\n"
	    "Additional data returned from Receptor:\n"
	    "{\n"
	    "    \"Extra\": {\n"
	    "        \"a\": null,\n"
	    "        \"b\": true,\n"
	    "        \"z\": [\n"
	    "            1,\n"
	    "            2.5,\n"
	    "            1e-05,\n"
	    "            \"\\u00b5s\"\n"
	    "        ]\n"
	    "    }\n"
	    "}\n");
	free(s);
}

/* Empty sections are left out; widths count characters, not bytes. */
ATF_TC_WITHOUT_HEAD(status_text_sparse);
ATF_TC_BODY(status_text_sparse, tc)
{
	char	*s = render(text,
	    "{\"NodeID\":\"n\xc3\xa9\",\"Version\":\"\",\"SystemCPUCount\":1,"
	    "\"SystemMemoryMiB\":512,\"Connections\":[],\"RoutingTable\":{},"
	    "\"Advertisements\":null,\"KnownConnectionCosts\":"
	    "{\"\xc3\xa9-\xc3\xbcn\xc3\xaf" "code-node\":{\"x\":2.25}}}");

	check(s,
	    "Node ID: n\xc3\xa9\n"
	    "Version: \n"
	    "System CPU Count: 1\n"
	    "System Memory MiB: 512\n"
	    "\n"
	    "Known Node     Known Connections\n"
	    "\xc3\xa9-\xc3\xbcn\xc3\xaf" "code-node x: 2.25 \n");
	free(s);
}

ATF_TC_WITHOUT_HEAD(status_text_missing);
ATF_TC_BODY(status_text_missing, tc)
{
	struct json_object	*o = parse("{\"Version\":\"v\"}");
	const char		*missing = NULL;
	FILE			*fp;

	ATF_REQUIRE((fp = fopen("/dev/null", "w")) != NULL);
	ATF_CHECK_EQ(status_text(fp, o, &missing), -1);
	ATF_CHECK_STREQ(missing, "NodeID");
	fclose(fp);
	json_object_put(o);
}

/* Python's json.dumps(indent=4, sort_keys=True): floats as repr(). */
ATF_TC_WITHOUT_HEAD(status_json);
ATF_TC_BODY(status_json, tc)
{
	char	*s = render(pyjson_dump,
	    "{\"b\":[1e16,1e15,0.0001,1e-7,-0.5,1.0,18446744073709551615,"
	    "2.5e+20,\"'\\\"\\u2028\\ud83d\\ude00\"],\"a\":{},\"c\":[]}");

	check(s,
	    "{\n"
	    "    \"a\": {},\n"
	    "    \"b\": [\n"
	    "        1e+16,\n"
	    "        1000000000000000.0,\n"
	    "        0.0001,\n"
	    "        1e-07,\n"
	    "        -0.5,\n"
	    "        1.0,\n"
	    "        18446744073709551615,\n"
	    "        2.5e+20,\n"
	    "        \"'\\\"\\u2028\\ud83d\\ude00\"\n"
	    "    ],\n"
	    "    \"c\": []\n"
	    "}\n");
	free(s);
}

/* Python's repr() of the Tags dict picks quotes and escapes as Python. */
ATF_TC_WITHOUT_HEAD(status_tags_repr);
ATF_TC_BODY(status_tags_repr, tc)
{
	char	*s = render(pyjson_str,
	    "{\"k'\":\"v\\\"\",\"x\":\"a\\\\b\\n\\u0001\\u007f\\u00a0\xc3\xa9\","
	    "\"n\":true}");

	check(s, "{\"k'\": 'v\"', 'x': 'a\\\\b\\n\\x01\\x7f\\xa0\xc3\xa9', "
	    "'n': True}");
	free(s);
}

ATF_TC_WITHOUT_HEAD(status_dot_graph);
ATF_TC_BODY(status_dot_graph, tc)
{
	char	*s = render(status_dot,
	    "{\"NodeID\":\"a\",\"KnownConnectionCosts\":{"
	    "\"a\":{\"b\":1,\"c\":1.5},\"b\":{\"a\":1,\"d\\\"q\":2},"
	    "\"c\":{\"a\":3},\"lost\":{}}}");

	check(s,
	    "graph receptor {\n"
	    "\t\"a\" [style=bold];\n"
	    "\t\"b\";\n"
	    "\t\"c\";\n"
	    "\t\"d\\\"q\";\n"
	    "\t\"lost\";\n"
	    "\t\"a\" -- \"b\" [label=\"1\"];\n"
	    "\t\"a\" -- \"c\" [label=\"1.5/3\"];\n"
	    "\t\"b\" -- \"d\\\"q\" [label=\"2\"];\n"
	    "}\n");
	free(s);
}

ATF_TC_WITHOUT_HEAD(socket_forms);
ATF_TC_BODY(socket_forms, tc)
{
	static const struct {
		const char		*text;
		enum sockurl_kind	 kind;
		const char		*a, *b;	/* path, or host and port */
	} good[] = {
		{ "/run/r.sock", SOCKURL_UNIX, "/run/r.sock", NULL },
		{ "r.sock", SOCKURL_UNIX, "r.sock", NULL },
		{ "unix:/run/r.sock", SOCKURL_UNIX, "/run/r.sock", NULL },
		{ "unix:///run/r.sock", SOCKURL_UNIX, "/run/r.sock", NULL },
		{ "unix://r.sock", SOCKURL_UNIX, "r.sock", NULL },
		{ "tcp://127.0.0.1:8888", SOCKURL_TCP, "127.0.0.1", "8888" },
		{ "tcp:localhost:1", SOCKURL_TCP, "localhost", "1" },
		{ "tcp://::1:8888", SOCKURL_TCP, "::1", "8888" },
		{ "tls://ctl.example.com:443", SOCKURL_TLS, "ctl.example.com",
		    "443" },
	};
	static const char *const bad[] = {
		"", "unix:", "tcp://host", "tcp://host:", "tcp://:80",
		"tcp://ho_st:80", "tcp://host:8o", "udp://host:80",
		"/a:b", "unix:/a:b",
	};
	struct sockurl	 u;
	size_t		 i;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		ATF_REQUIRE_MSG(sockurl_parse(good[i].text, &u) == 0, "%s",
		    good[i].text);
		ATF_CHECK_EQ_MSG(u.kind, good[i].kind, "%s", good[i].text);
		if (good[i].kind == SOCKURL_UNIX)
			ATF_CHECK_STREQ(u.path, good[i].a);
		else {
			ATF_CHECK_STREQ(u.host, good[i].a);
			ATF_CHECK_STREQ(u.port, good[i].b);
		}
		sockurl_clear(&u);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ATF_CHECK_MSG(sockurl_parse(bad[i], &u) == -1, "%s accepted",
		    bad[i]);
		sockurl_clear(&u);
	}
}

/* "~" is the user's home, as Python's os.path.expanduser() has it. */
ATF_TC_WITHOUT_HEAD(socket_home);
ATF_TC_BODY(socket_home, tc)
{
	struct sockurl	 u;

	ATF_REQUIRE(setenv("HOME", "/home/me", 1) == 0);
	ATF_REQUIRE(sockurl_parse("unix:~/r.sock", &u) == 0);
	ATF_CHECK_STREQ(u.path, "/home/me/r.sock");
	sockurl_clear(&u);
}

ATF_TP_ADD_TCS(tp)
{
	ATF_TP_ADD_TC(tp, status_text_full);
	ATF_TP_ADD_TC(tp, status_text_sparse);
	ATF_TP_ADD_TC(tp, status_text_missing);
	ATF_TP_ADD_TC(tp, status_json);
	ATF_TP_ADD_TC(tp, status_tags_repr);
	ATF_TP_ADD_TC(tp, status_dot_graph);
	ATF_TP_ADD_TC(tp, socket_forms);
	ATF_TP_ADD_TC(tp, socket_home);
	return atf_no_error();
}
