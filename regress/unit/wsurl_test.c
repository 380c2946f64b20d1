/*
 * netd/wsurl.c: the ws-peer URL as Go's url.Parse and gorilla/websocket
 * read it, the listener's ServeMux path rules and the same-origin check.
 */
#include <atf-c.h>
#include <string.h>

#include "netd.h"

static void	 check_url(const char *, int, const char *, int, const char *,
		    const char *);
static void	 check_bad(const char *);

static void
check_url(const char *url, int tls, const char *host, int port,
    const char *hostport, const char *path)
{
	struct ws_url	 u;
	const char	*err = NULL;

	ATF_REQUIRE_EQ_MSG(ws_url_parse(url, &u, &err), 0, "%s: %s", url,
	    err);
	ATF_CHECK_EQ_MSG(u.tls, tls, "%s", url);
	ATF_CHECK_STREQ_MSG(u.host, host, "%s", url);
	ATF_CHECK_EQ_MSG(u.port, port, "%s", url);
	ATF_CHECK_STREQ_MSG(u.hostport, hostport, "%s", url);
	ATF_CHECK_STREQ_MSG(u.path, path, "%s", url);
	ws_url_free(&u);
}

static void
check_bad(const char *url)
{
	struct ws_url	 u;
	const char	*err = NULL;

	ATF_CHECK_EQ_MSG(ws_url_parse(url, &u, &err), -1, "%s", url);
	ATF_CHECK_MSG(err != NULL, "%s: no reason", url);
}

ATF_TC_WITHOUT_HEAD(url);
ATF_TC_BODY(url, tc)
{
	check_url("ws://localhost:8080/", 0, "localhost", 8080,
	    "localhost:8080", "/");
	check_url("ws://h", 0, "h", 80, "h", "/");
	check_url("WSS://h/x/y", 1, "h", 443, "h", "/x/y");
	check_url("ws://h:/p", 0, "h", 80, "h:", "/p");
	check_url("ws://h:1/p?q=1#frag", 0, "h", 1, "h:1", "/p?q=1");
	check_url("ws://h?q", 0, "h", 80, "h", "/?q");
	check_url("ws://[::1]:9/ws", 0, "::1", 9, "[::1]:9", "/ws");
	check_url("ws://[fe80::1]", 0, "fe80::1", 80, "[fe80::1]", "/");
	check_url("ws://user:pw@h:2/", 0, "h", 2, "h:2", "/");
}

ATF_TC_WITHOUT_HEAD(url_bad);
ATF_TC_BODY(url_bad, tc)
{
	check_bad("http://h/");
	check_bad("ws:/h");
	check_bad("ws://");
	check_bad("ws:///path");
	check_bad("ws://:80/");
	check_bad("ws://h:0/");
	check_bad("ws://h:65536/");
	check_bad("ws://h:99999999999999999999/");
	check_bad("ws://h:8x/");
	check_bad("ws://::1/");
	check_bad("ws://[::1/");
	check_bad("ws://[::1]x/");
}

ATF_TC_WITHOUT_HEAD(path);
ATF_TC_BODY(path, tc)
{
	ATF_CHECK(ws_path_match("/", "/"));
	ATF_CHECK(ws_path_match("/", "/anything/at/all"));
	ATF_CHECK(ws_path_match("/ws", "/ws"));
	ATF_CHECK(!ws_path_match("/ws", "/ws/"));
	ATF_CHECK(!ws_path_match("/ws", "/wsx"));
	ATF_CHECK(!ws_path_match("/ws", "/"));
	ATF_CHECK(ws_path_match("/ws/", "/ws/"));
	ATF_CHECK(ws_path_match("/ws/", "/ws/x"));
	ATF_CHECK(!ws_path_match("/ws/", "/ws"));
}

ATF_TC_WITHOUT_HEAD(origin);
ATF_TC_BODY(origin, tc)
{
	ATF_CHECK(ws_origin_ok(NULL, "h:1"));
	ATF_CHECK(ws_origin_ok("http://h:1", "h:1"));
	ATF_CHECK(ws_origin_ok("https://H:1/path", "h:1"));
	ATF_CHECK(ws_origin_ok("http://u@h:1", "h:1"));
	ATF_CHECK(!ws_origin_ok("http://h:2", "h:1"));
	ATF_CHECK(!ws_origin_ok("http://h", "h:1"));
	ATF_CHECK(!ws_origin_ok("null", "h:1"));
	ATF_CHECK(!ws_origin_ok("http://h:1", NULL));
}

ATF_TP_ADD_TCS(tp)
{
	ATF_TP_ADD_TC(tp, url);
	ATF_TP_ADD_TC(tp, url_bad);
	ATF_TP_ADD_TC(tp, path);
	ATF_TP_ADD_TC(tp, origin);
	return atf_no_error();
}
