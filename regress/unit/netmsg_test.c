/*
 * Netceptor messages of proto/netmsg.c. The expected bytes are written
 * from Go's rules (struct order, sorted map keys, HTML-safe escapes,
 * shortest floats) and from PROTOCOL.md's captures, not from our output.
 */
#include <atf-c.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gojson.h"
#include "highwayhash.h"
#include "netmsg.h"

#define LIT(s)		(s), sizeof(s) - 1

#define ROUTE_EX							\
	"\001{\"NodeID\":\"nodeA\",\"UpdateID\":\"JiPkUIUK\","	\
	"\"UpdateEpoch\":30125504348914209,\"UpdateSequence\":5,"	\
	"\"Connections\":{\"nodeB\":1,\"nodeC\":1.5},"			\
	"\"ForwardingNode\":\"nodeA\",\"SuspectedDuplicate\":0}"

#define SVCAD_EX							\
	"\002{\"NodeID\":\"nodeA\",\"Service\":\"control\","		\
	"\"Time\":\"2026-11-25T15:20:50.205854565Z\","			\
	"\"ConnType\":1,\"Tags\":{\"type\":\"Control Service\"},"	\
	"\"WorkCommands\":[{\"WorkType\":\"cat\",\"Secure\":false}],"	\
	"\"Cancel\":false}"

static void	 check_bytes(const struct gjbuf *, const char *, size_t);
static void	 route_ok(const char *, size_t, struct netmsg_route *);
static void	 route_bad(const char *, size_t);
static void	 svcad_ok(const char *, size_t, struct netmsg_svcad *);
static void	 svcad_bad(const char *, size_t);
static void	 reencode_route(const char *, size_t, const char *, size_t);
static size_t	 frame(uint8_t *, const char *);

static void
check_bytes(const struct gjbuf *b, const char *want, size_t len)
{
	ATF_REQUIRE_MSG(b->err == NULL, "%s", b->err);
	ATF_CHECK_MSG(b->len == len && memcmp(b->buf, want, len) == 0,
	    "got %.*s\nwant %.*s", (int)b->len, b->buf, (int)len, want);
}

static void
route_ok(const char *msg, size_t len, struct netmsg_route *ru)
{
	const char	*errstr = NULL;

	ATF_REQUIRE_MSG(netmsg_route_decode(msg, len, ru, &errstr) == 0,
	    "%.*s: %s", (int)len, msg, errstr);
}

static void
route_bad(const char *msg, size_t len)
{
	struct netmsg_route	 ru;
	const char		*errstr = NULL;

	ATF_CHECK_MSG(netmsg_route_decode(msg, len, &ru, &errstr) == -1,
	    "accepted %.*s", (int)len, msg);
	ATF_CHECK(errstr != NULL);
	ATF_CHECK(ru.node_id == NULL && ru.conns == NULL);
}

static void
svcad_ok(const char *msg, size_t len, struct netmsg_svcad *ad)
{
	const char	*errstr = NULL;

	ATF_REQUIRE_MSG(netmsg_svcad_decode(msg, len, ad, &errstr) == 0,
	    "%.*s: %s", (int)len, msg, errstr);
}

static void
svcad_bad(const char *msg, size_t len)
{
	struct netmsg_svcad	 ad;
	const char		*errstr = NULL;

	ATF_CHECK_MSG(netmsg_svcad_decode(msg, len, &ad, &errstr) == -1,
	    "accepted %.*s", (int)len, msg);
	ATF_CHECK(errstr != NULL);
}

/* What Go re-floods after decoding msg: its own marshalling of it. */
static void
reencode_route(const char *msg, size_t len, const char *want,
    size_t wantlen)
{
	struct netmsg_route	 ru;
	struct gjbuf		 b;

	route_ok(msg, len, &ru);
	gj_init(&b);
	ATF_REQUIRE(netmsg_route_encode(&b, &ru) == 0);
	check_bytes(&b, want, wantlen);
	gj_free(&b);
	netmsg_route_free(&ru);
}

ATF_TC_WITHOUT_HEAD(route_encode);
ATF_TC_BODY(route_encode, tc)
{
	struct netmsg_conn	 conns[] = { { "nodeC", 1.5 }, { "nodeB", 1 } };
	struct netmsg_route	 ru = {
		.node_id = "nodeA",
		.update_id = "JiPkUIUK",
		.epoch = 30125504348914209ULL,
		.sequence = 5,
		.conns = conns,
		.nconns = 2,
		.forwarding_node = "nodeA",
	};
	struct gjbuf		 b;

	gj_init(&b);
	ATF_REQUIRE(netmsg_route_encode(&b, &ru) == 0);
	check_bytes(&b, LIT(ROUTE_EX));

	/* No links yet: {} from a non-NULL array; NULL is Go's nil map. */
	ru.nconns = 0;
	ru.epoch = UINT64_MAX;
	ru.suspected_dup = 9007199254740993ULL;
	b.len = 0;
	ATF_REQUIRE(netmsg_route_encode(&b, &ru) == 0);
	check_bytes(&b, LIT("\001{\"NodeID\":\"nodeA\","
	    "\"UpdateID\":\"JiPkUIUK\",\"UpdateEpoch\":18446744073709551615,"
	    "\"UpdateSequence\":5,"
	    "\"Connections\":{},\"ForwardingNode\":\"nodeA\","
	    "\"SuspectedDuplicate\":9007199254740993}"));
	memset(&ru, 0, sizeof(ru));
	b.len = 0;
	ATF_REQUIRE(netmsg_route_encode(&b, &ru) == 0);
	check_bytes(&b, LIT("\001{\"NodeID\":\"\",\"UpdateID\":\"\","
	    "\"UpdateEpoch\":0,\"UpdateSequence\":0,\"Connections\":null,"
	    "\"ForwardingNode\":\"\",\"SuspectedDuplicate\":0}"));
	gj_free(&b);
}

ATF_TC_WITHOUT_HEAD(route_encode_values);
ATF_TC_BODY(route_encode_values, tc)
{
	struct netmsg_conn	 conns[] = {
		{ "c", 100 }, { "b", 0.1 }, { "a&<>", 1e21 }, { "B", 1e-7 },
		{ "caf\xc3\xa9", 2.5 }, { "\xe2\x80\xa8", 1e20 },
	};
	struct netmsg_route	 ru = {
		.node_id = "x<y>&z",
		.update_id = "\"\\\n\x01",
		.conns = conns,
		.nconns = 6,
		.forwarding_node = "bad\xff",
	};
	struct gjbuf		 b;

	gj_init(&b);
	ATF_REQUIRE(netmsg_route_encode(&b, &ru) == 0);
	check_bytes(&b, LIT("\001{\"NodeID\":\"x\\u003cy\\u003e\\u0026z\","
	    "\"UpdateID\":\"\\\"\\\\\\n\\u0001\",\"UpdateEpoch\":0,"
	    "\"UpdateSequence\":0,\"Connections\":{\"B\":1e-7,"
	    "\"a\\u0026\\u003c\\u003e\":1e+21,\"b\":0.1,\"c\":100,"
	    "\"caf\xc3\xa9\":2.5,\"\\u2028\":100000000000000000000},"
	    "\"ForwardingNode\":\"bad\\ufffd\",\"SuspectedDuplicate\":0}"));

	/* Go's json.Marshal fails on NaN; nothing must go out. */
	conns[0].cost = 0.0 / 0.0;
	b.len = 0;
	ATF_CHECK(netmsg_route_encode(&b, &ru) == -1);
	gj_free(&b);
}

ATF_TC_WITHOUT_HEAD(route_decode);
ATF_TC_BODY(route_decode, tc)
{
	struct netmsg_route	 ru;

	route_ok(LIT(ROUTE_EX), &ru);
	ATF_CHECK_STREQ(ru.node_id, "nodeA");
	ATF_CHECK_STREQ(ru.update_id, "JiPkUIUK");
	ATF_CHECK_EQ(ru.epoch, 30125504348914209ULL);
	ATF_CHECK_EQ(ru.sequence, 5);
	ATF_REQUIRE_EQ(ru.nconns, 2);
	ATF_CHECK_STREQ(ru.conns[0].node, "nodeB");
	ATF_CHECK(ru.conns[0].cost == 1);
	ATF_CHECK_STREQ(ru.conns[1].node, "nodeC");
	ATF_CHECK(ru.conns[1].cost == 1.5);
	ATF_CHECK_STREQ(ru.forwarding_node, "nodeA");
	ATF_CHECK_EQ(ru.suspected_dup, 0);
	netmsg_route_free(&ru);
	ATF_CHECK(ru.node_id == NULL && ru.conns == NULL && ru.nconns == 0);

	reencode_route(LIT(ROUTE_EX), LIT(ROUTE_EX));
	/* PROTOCOL.md's capture, whitespace and all. */
	reencode_route(LIT("\001{\"NodeID\":\"nodeA\","
	    "\"UpdateID\":\"JiPkUIUK\",\"UpdateEpoch\":30125504348914209,\n "
	    "\"UpdateSequence\":5,"
	    "\"Connections\":{\"nodeB\":1,\"nodeC\":1},\n \"ForwardingNode\":"
	    "\"nodeA\",\"SuspectedDuplicate\":0}"),
	    LIT("\001{\"NodeID\":\"nodeA\",\"UpdateID\":\"JiPkUIUK\","
	    "\"UpdateEpoch\":30125504348914209,\"UpdateSequence\":5,"
	    "\"Connections\":{\"nodeB\":1,\"nodeC\":1},\"ForwardingNode\":"
	    "\"nodeA\",\"SuspectedDuplicate\":0}"));
}

ATF_TC_WITHOUT_HEAD(route_go_semantics);
ATF_TC_BODY(route_go_semantics, tc)
{
	struct netmsg_route	 ru;

	/* Keys in any case, long s for s; unknown keys skipped whole. */
	route_ok(LIT("\001{\"nodeid\":\"a\",\"UPDATEID\":\"b\","
	    "\"updateEPOCH\":18446744073709551615,\"Unknown\":{\"deep\":"
	    "[1,{\"a\":null},\"\\u0041\",true]},\"\xc5\xbfuspectedduplicate\":"
	    "9007199254740993,\"connections\":{\"x\":2},\"forwardingnode\":"
	    "\"f\",\"updatesequence\":7,\"Extra\":[]}"), &ru);
	ATF_CHECK_STREQ(ru.node_id, "a");
	ATF_CHECK_STREQ(ru.update_id, "b");
	ATF_CHECK_EQ(ru.epoch, UINT64_MAX);
	ATF_CHECK_EQ(ru.sequence, 7);
	ATF_CHECK_EQ(ru.suspected_dup, 9007199254740993ULL);
	ATF_CHECK(ru.nconns == 1 && strcmp(ru.conns[0].node, "x") == 0 &&
	    ru.conns[0].cost == 2);
	ATF_CHECK_STREQ(ru.forwarding_node, "f");
	netmsg_route_free(&ru);

	/* null at the top or for a field is no error and sets nothing. */
	route_ok(LIT("\001 null "), &ru);
	ATF_CHECK(ru.node_id == NULL && ru.conns == NULL);
	route_ok(LIT("\001{\"NodeID\":null,\"UpdateEpoch\":null,"
	    "\"Connections\":{\"a\":null}}"), &ru);
	ATF_CHECK(ru.node_id == NULL && ru.epoch == 0);
	ATF_CHECK(ru.nconns == 1 && ru.conns[0].cost == 0);
	netmsg_route_free(&ru);

	/* A nil map and an empty one marshal differently. */
	reencode_route(LIT("\001{\"Connections\":{\"a\":1},\"Connections\":"
	    "null}"), LIT("\001{\"NodeID\":\"\",\"UpdateID\":\"\","
	    "\"UpdateEpoch\":0,\"UpdateSequence\":0,\"Connections\":null,"
	    "\"ForwardingNode\":\"\",\"SuspectedDuplicate\":0}"));
	reencode_route(LIT("\001{\"Connections\":{}}"),
	    LIT("\001{\"NodeID\":\"\",\"UpdateID\":\"\","
	    "\"UpdateEpoch\":0,\"UpdateSequence\":0,\"Connections\":{},"
	    "\"ForwardingNode\":\"\",\"SuspectedDuplicate\":0}"));

	/* Repeated keys: the last value wins, maps add up. */
	route_ok(LIT("\001{\"NodeID\":\"a\",\"nodeID\":\"b\",\"Connections\":"
	    "{\"z\":1,\"y\":2,\"z\":3},\"CONNECTIONS\":{\"x\":4,\"y\":5}}"),
	    &ru);
	ATF_CHECK_STREQ(ru.node_id, "b");
	ATF_REQUIRE_EQ(ru.nconns, 3);
	ATF_CHECK(strcmp(ru.conns[0].node, "x") == 0 && ru.conns[0].cost == 4);
	ATF_CHECK(strcmp(ru.conns[1].node, "y") == 0 && ru.conns[1].cost == 5);
	ATF_CHECK(strcmp(ru.conns[2].node, "z") == 0 && ru.conns[2].cost == 3);
	netmsg_route_free(&ru);

	/* Strings come out as Go's unquote leaves them. */
	reencode_route(LIT("\001{\"NodeID\":\"\\u003c\\u00e9\\ud83d\\ude00"
	    "\\ud800\xff\",\"Connections\":{\"\\u2028\":1E+2,\"a\":1.50}}"),
	    LIT("\001{\"NodeID\":\"\\u003c\xc3\xa9\xf0\x9f\x98\x80\xef\xbf\xbd"
	    "\xef\xbf\xbd\",\"UpdateID\":\"\",\"UpdateEpoch\":0,"
	    "\"UpdateSequence\":0,\"Connections\":{\"a\":1.5,\"\\u2028\":100},"
	    "\"ForwardingNode\":\"\",\"SuspectedDuplicate\":0}"));
}

ATF_TC_WITHOUT_HEAD(route_malformed);
ATF_TC_BODY(route_malformed, tc)
{
	static const char *const bad[] = {
		"", "{", "[]", "\"x\"", "1", "true", "{}x", "{} {}",
		"{\"NodeID\":1}", "{\"NodeID\":[]}",
		"{\"NodeID\":\"a\\u0000b\"}",
		"{\"UpdateEpoch\":-1}", "{\"UpdateEpoch\":1.0}",
		"{\"UpdateEpoch\":1e3}", "{\"UpdateEpoch\":-0}",
		"{\"UpdateEpoch\":18446744073709551616}",
		"{\"UpdateEpoch\":\"1\"}", "{\"UpdateSequence\":01}",
		"{\"Connections\":[]}", "{\"Connections\":{\"a\":\"1\"}}",
		"{\"Connections\":{\"a\":1e400}}",
		"{\"Connections\":{\"a\":true}}",
		"{\"Connections\":{\"a\\u0000\":1}}", "{\"Connections\":1}",
		"{\"a\":1,}", "{'NodeID':'a'}", "{NodeID:\"a\"}",
		"{\"NodeID\":\"a\tb\"}", "{\"NodeID\":\"a\"",
		"{\"Unknown\":[1,]}",
		"{\"Unknown\":nul}", "{\"NodeID\" \"a\"}",
	};
	struct gjbuf	 b;
	size_t		 i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		gj_init(&b);
		gj_raw(&b, "\001", 1);
		gj_raw(&b, bad[i], strlen(bad[i]));
		route_bad(b.buf, b.len);
		gj_free(&b);
	}
	route_bad(LIT(""));
	route_bad(LIT("\002{}"));
	/* Only the type byte: an empty document. */
	route_bad(LIT("\001"));
}

ATF_TC_WITHOUT_HEAD(route_depth);
ATF_TC_BODY(route_depth, tc)
{
	struct netmsg_route	 ru;
	char			*msg;
	size_t			 n;
	int			 depth, i;

	/* Go nests 10000 levels, the message object being the first. */
	for (depth = GJ_MAXDEPTH; depth <= GJ_MAXDEPTH + 1; depth++) {
		ATF_REQUIRE((msg = malloc(2 * depth + 32)) != NULL);
		n = sprintf(msg, "\001{\"x\":");
		for (i = 1; i < depth; i++)
			msg[n++] = '[';
		for (i = 1; i < depth; i++)
			msg[n++] = ']';
		n += sprintf(msg + n, ",\"NodeID\":\"a\"}");
		if (depth == GJ_MAXDEPTH) {
			route_ok(msg, n, &ru);
			ATF_CHECK_STREQ(ru.node_id, "a");
			netmsg_route_free(&ru);
		} else
			route_bad(msg, n);
		free(msg);
	}
}

ATF_TC_WITHOUT_HEAD(svcad_encode);
ATF_TC_BODY(svcad_encode, tc)
{
	struct netmsg_tag	 tags[] = { { "type", "Control Service" } };
	struct netmsg_workcmd	 cmds[] = { { "cat", 0 } };
	struct netmsg_tag	 ptags[] = {
		{ "type", "TCP Proxy" }, { "address", "localhost:80" },
		{ "B", "<&>" },
	};
	struct netmsg_svcad	 ad = {
		.node_id = "nodeA",
		.service = "control",
		.time = { 1795620050, 205854565, 0 },
		.conntype = NETMSG_CONN_STREAM,
		.tags = tags,
		.ntags = 1,
		.workcmds = cmds,
		.nworkcmds = 1,
	};
	struct gjbuf		 b;

	gj_init(&b);
	ATF_REQUIRE(netmsg_svcad_encode(&b, &ad) == 0);
	check_bytes(&b, LIT(SVCAD_EX));

	/* A withdrawal, in a zone west of Greenwich. */
	ad.service = "svc";
	ad.time.nsec = 0;
	ad.time.off = -5 * 3600;
	ad.conntype = NETMSG_CONN_DATAGRAM;
	ad.tags = NULL;
	ad.workcmds = NULL;
	ad.cancel = 1;
	b.len = 0;
	ATF_REQUIRE(netmsg_svcad_encode(&b, &ad) == 0);
	check_bytes(&b, LIT("\002{\"NodeID\":\"nodeA\",\"Service\":\"svc\","
	    "\"Time\":\"2026-11-25T10:20:50-05:00\",\"ConnType\":0,"
	    "\"Tags\":null,\"WorkCommands\":null,\"Cancel\":true}"));

	ad.tags = ptags;
	ad.ntags = 3;
	ad.workcmds = cmds;
	ad.nworkcmds = 0;
	ad.cancel = 0;
	ad.time.off = 0;
	ad.time.nsec = 120000000;
	ad.conntype = NETMSG_CONN_STREAMTLS;
	b.len = 0;
	ATF_REQUIRE(netmsg_svcad_encode(&b, &ad) == 0);
	check_bytes(&b, LIT("\002{\"NodeID\":\"nodeA\",\"Service\":\"svc\","
	    "\"Time\":\"2026-11-25T15:20:50.12Z\",\"ConnType\":2,"
	    "\"Tags\":{\"B\":\"\\u003c\\u0026\\u003e\",\"address\":"
	    "\"localhost:80\",\"type\":\"TCP Proxy\"},\"WorkCommands\":[],"
	    "\"Cancel\":false}"));

	/* Go refuses to marshal a year past 9999. */
	ad.time.sec = 253402300800LL;
	b.len = 0;
	ATF_CHECK(netmsg_svcad_encode(&b, &ad) == -1);
	gj_free(&b);
}

ATF_TC_WITHOUT_HEAD(svcad_decode);
ATF_TC_BODY(svcad_decode, tc)
{
	struct netmsg_svcad	 ad;
	struct gotime		 t;
	struct gjbuf		 b;

	svcad_ok(LIT(SVCAD_EX), &ad);
	ATF_CHECK_STREQ(ad.node_id, "nodeA");
	ATF_CHECK_STREQ(ad.service, "control");
	ATF_CHECK_EQ(ad.time.sec, 1795620050);
	ATF_CHECK_EQ(ad.time.nsec, 205854565);
	ATF_CHECK_EQ(ad.time.off, 0);
	ATF_CHECK_EQ(ad.conntype, 1);
	ATF_REQUIRE_EQ(ad.ntags, 1);
	ATF_CHECK_STREQ(ad.tags[0].name, "type");
	ATF_CHECK_STREQ(ad.tags[0].value, "Control Service");
	ATF_REQUIRE_EQ(ad.nworkcmds, 1);
	ATF_CHECK_STREQ(ad.workcmds[0].worktype, "cat");
	ATF_CHECK_EQ(ad.workcmds[0].secure, 0);
	ATF_CHECK_EQ(ad.cancel, 0);
	gj_init(&b);
	ATF_REQUIRE(netmsg_svcad_encode(&b, &ad) == 0);
	check_bytes(&b, LIT(SVCAD_EX));
	gj_free(&b);
	netmsg_svcad_free(&ad);

	/* The receiver keeps an ad only if its Time is strictly later. */
	svcad_ok(LIT("\002{\"Time\":\"2026-11-25T10:20:50.205854566-05:00\","
	    "\"Cancel\":true,\"Tags\":null,\"ConnType\":255}"), &ad);
	ATF_REQUIRE(gotime_parse(&t, "2026-11-25T15:20:50.205854565Z", 30) ==
	    0);
	ATF_CHECK(gotime_cmp(&ad.time, &t) > 0);
	ATF_CHECK_EQ(ad.time.off, -18000);
	ATF_CHECK(ad.cancel == 1 && ad.tags == NULL && ad.conntype == 255);
	netmsg_svcad_free(&ad);

	/* No Time, or null: Go's zero time. */
	svcad_ok(LIT("\002{\"NodeID\":\"n\"}"), &ad);
	ATF_CHECK(ad.time.sec == GOTIME_ZERO_SEC && ad.time.nsec == 0);
	ATF_CHECK(ad.tags == NULL && ad.workcmds == NULL);
	netmsg_svcad_free(&ad);
	svcad_ok(LIT("\002{\"time\":null}"), &ad);
	ATF_CHECK(ad.time.sec == GOTIME_ZERO_SEC);
	netmsg_svcad_free(&ad);

	/* Elements merge into those of an earlier key, as in Go. */
	svcad_ok(LIT("\002{\"WorkCommands\":[{\"WorkType\":\"a\","
	    "\"Secure\":true},{\"WorkType\":\"b\"}],\"workcommands\":"
	    "[{\"worktype\":\"c\"}],\"Tags\":{\"b\":\"2\",\"a\":null,"
	    "\"b\":\"3\"}}"), &ad);
	ATF_REQUIRE_EQ(ad.nworkcmds, 1);
	ATF_CHECK_STREQ(ad.workcmds[0].worktype, "c");
	ATF_CHECK_EQ(ad.workcmds[0].secure, 1);
	ATF_REQUIRE_EQ(ad.ntags, 2);
	ATF_CHECK(strcmp(ad.tags[0].name, "a") == 0 && ad.tags[0].value ==
	    NULL);
	ATF_CHECK(strcmp(ad.tags[1].name, "b") == 0 &&
	    strcmp(ad.tags[1].value, "3") == 0);
	netmsg_svcad_free(&ad);

	svcad_ok(LIT("\002{\"WorkCommands\":[null,{\"SECURE\":true,"
	    "\"Wor\xe2\x84\xaaType\":\"x\"}]}"), &ad);
	ATF_REQUIRE_EQ(ad.nworkcmds, 2);
	ATF_CHECK(ad.workcmds[0].worktype == NULL && !ad.workcmds[0].secure);
	ATF_CHECK(strcmp(ad.workcmds[1].worktype, "x") == 0 &&
	    ad.workcmds[1].secure);
	netmsg_svcad_free(&ad);
	svcad_ok(LIT("\002{\"WorkCommands\":[]}"), &ad);
	ATF_CHECK(ad.workcmds != NULL && ad.nworkcmds == 0);
	netmsg_svcad_free(&ad);

	/* Go parses the Time bytes unescaped, so an escape is an error. */
	svcad_bad(LIT("\002{\"Time\":\"\\u0032026-11-25T15:20:50Z\"}"));
	svcad_bad(LIT("\002{\"Time\":\"2026-11-25T15:20:50\"}"));
	svcad_bad(LIT("\002{\"Time\":1795620050}"));
	svcad_bad(LIT("\002{\"ConnType\":256}"));
	svcad_bad(LIT("\002{\"ConnType\":-1}"));
	svcad_bad(LIT("\002{\"Cancel\":\"true\"}"));
	svcad_bad(LIT("\002{\"Cancel\":1}"));
	svcad_bad(LIT("\002{\"Tags\":{\"a\":1}}"));
	svcad_bad(LIT("\002{\"Tags\":[]}"));
	svcad_bad(LIT("\002{\"WorkCommands\":{}}"));
	svcad_bad(LIT("\002{\"WorkCommands\":[1]}"));
	svcad_bad(LIT("\002{\"WorkCommands\":[{\"Secure\":null},]}"));
	svcad_bad(LIT("\001{}"));
}

ATF_TC_WITHOUT_HEAD(unreach);
ATF_TC_BODY(unreach, tc)
{
	struct netmsg_unreach	 un = {
		.from_node = "nodeA",
		.to_node = "nodeB",
		.from_service = "abc",
		.to_service = "x<y",
		.problem = NETMSG_PROBLEM_UNKNOWN,
	};
	static const char	 want[] = "{\"FromNode\":\"nodeA\","
	    "\"ToNode\":\"nodeB\",\"FromService\":\"abc\","
	    "\"ToService\":\"x\\u003cy\",\"Problem\":\"service unknown\"}";
	struct netmsg_unreach	 got;
	struct gjbuf		 b;
	const char		*errstr;

	gj_init(&b);
	ATF_REQUIRE(netmsg_unreach_encode(&b, &un) == 0);
	check_bytes(&b, LIT(want));
	gj_free(&b);

	ATF_REQUIRE(netmsg_unreach_decode(LIT(want), &got, &errstr) == 0);
	ATF_CHECK_STREQ(got.from_node, "nodeA");
	ATF_CHECK_STREQ(got.to_node, "nodeB");
	ATF_CHECK_STREQ(got.from_service, "abc");
	ATF_CHECK_STREQ(got.to_service, "x<y");
	ATF_CHECK_STREQ(got.problem, "service unknown");
	netmsg_unreach_free(&got);

	ATF_REQUIRE(netmsg_unreach_decode(LIT("{\"problem\":\"message "
	    "expired\",\"Other\":0}"), &got, &errstr) == 0);
	ATF_CHECK_STREQ(got.problem, NETMSG_PROBLEM_EXPIRED);
	ATF_CHECK(got.from_node == NULL);
	netmsg_unreach_free(&got);
	ATF_CHECK(netmsg_unreach_decode(LIT(""), &got, &errstr) == -1);
	ATF_CHECK(netmsg_unreach_decode(LIT("{\"Problem\":5}"), &got,
	    &errstr) == -1);
}

ATF_TC_WITHOUT_HEAD(reject);
ATF_TC_BODY(reject, tc)
{
	struct gjbuf	 b;

	gj_init(&b);
	ATF_REQUIRE(netmsg_reject_encode(&b) == 0);
	check_bytes(&b, LIT("\x03\x5b\x5d"));
	gj_free(&b);
}

ATF_TC_WITHOUT_HEAD(data_header);
ATF_TC_BODY(data_header, tc)
{
	static const uint8_t	 want[NETMSG_HDRLEN] = {
		0x00, 0x1d, 0x00, 0x00,
		0x1d, 0x4e, 0x85, 0x23, 0xc2, 0xf8, 0xf6, 0xbf,
		0xef, 0x7a, 0x78, 0xb6, 0x7f, 0x92, 0xbd, 0xf7,
		'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h',
		'p', 'i', 'n', 'g', 0, 0, 0, 0,
	};
	uint8_t			 hdr[NETMSG_HDRLEN], msg[NETMSG_HDRLEN + 3];
	struct netmsg_data	 md;
	const char		*errstr;

	ATF_REQUIRE(netmsg_data_hdr(hdr, 29, node_hash("nodeA"), "abcdefgh",
	    node_hash("foo"), "ping", &errstr) == 0);
	ATF_CHECK(memcmp(hdr, want, sizeof(want)) == 0);

	memcpy(msg, hdr, sizeof(hdr));
	memcpy(msg + NETMSG_HDRLEN, "xyz", 3);
	ATF_REQUIRE(netmsg_data_decode(msg, sizeof(msg), &md, &errstr) == 0);
	ATF_CHECK_EQ(md.hops, 29);
	ATF_CHECK_EQ(md.from_node, 0x1d4e8523c2f8f6bfULL);
	ATF_CHECK_EQ(md.to_node, node_hash("foo"));
	ATF_CHECK_STREQ(md.from_service, "abcdefgh");
	ATF_CHECK_STREQ(md.to_service, "ping");
	ATF_CHECK(md.payload == msg + NETMSG_HDRLEN && md.payloadlen == 3);

	/* A ping: empty payload, empty from-service. */
	ATF_REQUIRE(netmsg_data_hdr(hdr, 30, 1, "", 2, "ping", &errstr) == 0);
	ATF_REQUIRE(netmsg_data_decode(hdr, sizeof(hdr), &md, &errstr) == 0);
	ATF_CHECK(md.payloadlen == 0 && md.from_service[0] == '\0');
	ATF_CHECK(md.from_node == 1 && md.to_node == 2 && md.hops == 30);

	ATF_CHECK(netmsg_data_hdr(hdr, 30, 1, "abcdefghi", 2, "x",
	    &errstr) == -1);
	ATF_CHECK_STREQ(errstr, "service name too long");
	ATF_CHECK(netmsg_data_hdr(hdr, 30, 1, "x", 2, "abcdefghi",
	    &errstr) == -1);

	ATF_CHECK(netmsg_data_decode(msg, NETMSG_HDRLEN - 1, &md,
	    &errstr) == -1);
	ATF_CHECK(netmsg_data_decode(msg, 0, &md, &errstr) == -1);
	msg[0] = NETMSG_ROUTE;
	ATF_CHECK(netmsg_data_decode(msg, sizeof(msg), &md, &errstr) == -1);
	msg[0] = NETMSG_DATA;
	/* "ping\0x\0\0": a NUL inside the name, not only after it. */
	msg[33] = 'x';
	ATF_CHECK(netmsg_data_decode(msg, sizeof(msg), &md, &errstr) == -1);
}

/* A frame of a NUL-terminated message into p; its length. */
static size_t
frame(uint8_t *p, const char *msg)
{
	const char	*errstr;
	size_t		 n = strlen(msg);

	ATF_REQUIRE(netmsg_frame_hdr(p, n, &errstr) == 0);
	memcpy(p + NETMSG_FRAMEHDR, msg, n);
	return n + NETMSG_FRAMEHDR;
}

ATF_TC_WITHOUT_HEAD(framer_chunks);
ATF_TC_BODY(framer_chunks, tc)
{
	static const char *const msgs[] = {
		"\003[]", "a", &ROUTE_EX[1], "bc", &SVCAD_EX[1],
	};
	const size_t		 nmsgs = sizeof(msgs) / sizeof(msgs[0]);
	struct netmsg_framer	*f;
	uint8_t			 stream[1024];
	const uint8_t		*msg;
	const char		*errstr;
	size_t			 len = 0, off, end, n, chunk, got, i;
	int			 rv;

	ATF_REQUIRE((f = malloc(sizeof(*f))) != NULL);
	for (i = 0; i < nmsgs; i++)
		len += frame(stream + len, msgs[i]);
	ATF_CHECK(stream[0] == 3 && stream[1] == 0);

	/* Every chunk size, so that frames split at every offset. */
	for (chunk = 1; chunk <= len; chunk++) {
		netmsg_framer_init(f);
		got = 0;
		for (off = 0; off < len; ) {
			end = len - off < chunk ? len : off + chunk;
			while (off < end) {
				off += netmsg_framer_feed(f, stream + off,
				    end - off);
				while ((rv = netmsg_framer_next(f, &msg, &n,
				    &errstr)) == 1) {
					ATF_REQUIRE(got < nmsgs);
					ATF_CHECK(n == strlen(msgs[got]) &&
					    memcmp(msg, msgs[got], n) == 0);
					got++;
				}
				ATF_REQUIRE(rv == 0);
			}
		}
		ATF_CHECK_EQ_MSG(got, nmsgs, "chunk %zu", chunk);
	}
	free(f);
}

ATF_TC_WITHOUT_HEAD(framer_limits);
ATF_TC_BODY(framer_limits, tc)
{
	struct netmsg_framer	*f;
	uint8_t			 hdr[NETMSG_FRAMEHDR], *big;
	const uint8_t		*msg;
	const char		*errstr;
	size_t			 len, i;

	ATF_REQUIRE((f = malloc(sizeof(*f))) != NULL);
	ATF_CHECK(netmsg_frame_hdr(hdr, 0, &errstr) == -1);
	ATF_CHECK(netmsg_frame_hdr(hdr, NETMSG_MAXLEN + 1, &errstr) == -1);
	ATF_CHECK(netmsg_frame_hdr(hdr, 100000, &errstr) == -1);
	ATF_REQUIRE(netmsg_frame_hdr(hdr, 0x1234, &errstr) == 0);
	ATF_CHECK(hdr[0] == 0x34 && hdr[1] == 0x12);

	/* The largest message, in one piece. */
	ATF_REQUIRE((big = malloc(NETMSG_FRAMEHDR + NETMSG_MAXLEN)) != NULL);
	ATF_REQUIRE(netmsg_frame_hdr(big, NETMSG_MAXLEN, &errstr) == 0);
	ATF_CHECK(big[0] == 0xff && big[1] == 0xff);
	for (i = 0; i < NETMSG_MAXLEN; i++)
		big[NETMSG_FRAMEHDR + i] = i * 7;
	netmsg_framer_init(f);
	ATF_CHECK(netmsg_framer_next(f, &msg, &len, &errstr) == 0);
	ATF_CHECK_EQ(netmsg_framer_feed(f, big, NETMSG_FRAMEHDR +
	    NETMSG_MAXLEN), NETMSG_FRAMEHDR + NETMSG_MAXLEN);
	ATF_REQUIRE(netmsg_framer_next(f, &msg, &len, &errstr) == 1);
	ATF_CHECK(len == NETMSG_MAXLEN &&
	    memcmp(msg, big + NETMSG_FRAMEHDR, len) == 0);
	ATF_CHECK(netmsg_framer_next(f, &msg, &len, &errstr) == 0);
	free(big);

	/* A waiting message takes no more bytes until it is read. */
	netmsg_framer_init(f);
	ATF_CHECK_EQ(netmsg_framer_feed(f, "\001\000a\001\000b", 6), 3);
	ATF_CHECK_EQ(netmsg_framer_feed(f, "\001\000b", 3), 0);
	ATF_REQUIRE(netmsg_framer_next(f, &msg, &len, &errstr) == 1);
	ATF_CHECK(len == 1 && msg[0] == 'a');

	/* Zero length: Go would index byte 0 and crash; we refuse. */
	netmsg_framer_init(f);
	ATF_CHECK_EQ(netmsg_framer_feed(f, "\001\000a\000\000\001\000b", 8),
	    3);
	ATF_REQUIRE(netmsg_framer_next(f, &msg, &len, &errstr) == 1);
	ATF_CHECK_EQ(netmsg_framer_feed(f, "\000\000\001\000b", 5), 2);
	errstr = NULL;
	ATF_CHECK(netmsg_framer_next(f, &msg, &len, &errstr) == -1);
	ATF_CHECK(errstr != NULL);
	ATF_CHECK_EQ(netmsg_framer_feed(f, "\001\000b", 3), 0);
	ATF_CHECK(netmsg_framer_next(f, &msg, &len, &errstr) == -1);
	free(f);
}

ATF_TP_ADD_TCS(tp)
{
	ATF_TP_ADD_TC(tp, route_encode);
	ATF_TP_ADD_TC(tp, route_encode_values);
	ATF_TP_ADD_TC(tp, route_decode);
	ATF_TP_ADD_TC(tp, route_go_semantics);
	ATF_TP_ADD_TC(tp, route_malformed);
	ATF_TP_ADD_TC(tp, route_depth);
	ATF_TP_ADD_TC(tp, svcad_encode);
	ATF_TP_ADD_TC(tp, svcad_decode);
	ATF_TP_ADD_TC(tp, unreach);
	ATF_TP_ADD_TC(tp, reject);
	ATF_TP_ADD_TC(tp, data_header);
	ATF_TP_ADD_TC(tp, framer_chunks);
	ATF_TP_ADD_TC(tp, framer_limits);
	return atf_no_error();
}
