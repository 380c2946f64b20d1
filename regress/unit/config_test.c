/*
 * The configuration subsystem: every example config parses and prints
 * back to itself, malformed ones fail with the place and the reason, the
 * command line works like Go's, items survive the imsg transfer, and the
 * man page documents every action and field of the schema.
 */
#include <sys/queue.h>

#include <atf-c.h>
#include <dirent.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "imsg.h"

static char	*print_config(const struct config *);
static struct config *parse_text(const char *, struct cfg_error *);
static char	*data_path(const atf_tc_t *, const char *);
static int	 cmpstr(const void *, const void *);
static size_t	 good_files(const atf_tc_t *, char ***);
static void	 free_files(char **, size_t);
static struct config *argv_config(struct cmdline *, struct cfg_error *,
		    ...);
static char	*roundtrip_imsg(const struct config *);

static char *
print_config(const struct config *cf)
{
	char	*buf = NULL;
	size_t	 len = 0;
	FILE	*fp;

	ATF_REQUIRE((fp = open_memstream(&buf, &len)) != NULL);
	config_print(fp, cf);
	ATF_REQUIRE(fclose(fp) == 0);
	return buf;
}

/* Parse and validate a config given as text; NULL with err on failure. */
static struct config *
parse_text(const char *text, struct cfg_error *err)
{
	struct config	*cf;

	ATF_REQUIRE((cf = config_new()) != NULL);
	if (config_parse_buf(cf, "bad.conf", text, strlen(text), err) == -1 ||
	    config_validate(cf, err) == -1) {
		config_free(cf);
		return NULL;
	}
	return cf;
}

static char *
data_path(const atf_tc_t *tc, const char *name)
{
	char	*p;

	ATF_REQUIRE(asprintf(&p, "%s/data/%s",
	    atf_tc_get_config_var(tc, "srcdir"), name) != -1);
	return p;
}

static int
cmpstr(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static size_t
good_files(const atf_tc_t *tc, char ***out)
{
	DIR		*d;
	struct dirent	*de;
	char		*dir, **files = NULL;
	size_t		 n = 0;

	dir = data_path(tc, "");
	ATF_REQUIRE_MSG((d = opendir(dir)) != NULL, "%s", dir);
	while ((de = readdir(d)) != NULL) {
		if (strncmp(de->d_name, "good-", 5) != 0)
			continue;
		ATF_REQUIRE((files = reallocarray(files, n + 1,
		    sizeof(*files))) != NULL);
		files[n++] = data_path(tc, de->d_name);
	}
	closedir(d);
	free(dir);
	qsort(files, n, sizeof(*files), cmpstr);
	*out = files;
	return n;
}

static void
free_files(char **files, size_t n)
{
	while (n > 0)
		free(files[--n]);
	free(files);
}

static struct config *
argv_config(struct cmdline *cl, struct cfg_error *err, ...)
{
	va_list		 ap;
	char		*argv[64];
	int		 argc = 0;

	argv[argc++] = "receptor";
	va_start(ap, err);
	while ((argv[argc] = va_arg(ap, char *)) != NULL)
		argc++;
	va_end(ap);
	return config_from_argv(argc, argv, cl, err);
}

/* Every item through encode and decode, printed again. */
static char *
roundtrip_imsg(const struct config *cf)
{
	struct config		*copy;
	struct cfg_item		*it, *ni;
	struct msgbuild		 mb;
	struct msgread		 mr;
	struct imsg		 im;
	char			*out;

	ATF_REQUIRE((copy = config_new()) != NULL);
	TAILQ_FOREACH(it, &cf->items, entry) {
		msg_init(&mb);
		cfg_item_encode(it, &mb);
		ATF_REQUIRE(!mb.failed);
		memset(&im, 0, sizeof(im));
		im.data = mb.buf;
		im.datalen = mb.len;
		msg_read_init(&mr, &im);
		ni = cfg_item_decode(&mr);
		ATF_REQUIRE_MSG(ni != NULL, "decode %s", it->action->name);
		ATF_REQUIRE(msg_read_end(&mr) == 0);
		ATF_REQUIRE_EQ(ni->line, it->line);
		ATF_REQUIRE_EQ(ni->implicit, it->implicit);
		TAILQ_INSERT_TAIL(&copy->items, ni, entry);
		msg_free(&mb);
	}
	out = print_config(copy);
	config_free(copy);
	return out;
}

ATF_TC(good_configs);
ATF_TC_HEAD(good_configs, tc)
{
	atf_tc_set_md_var(tc, "descr", "the Go docs' and our example configs "
	    "parse, validate and print back to themselves (-nv)");
}
ATF_TC_BODY(good_configs, tc)
{
	struct config		*cf, *cf2;
	struct cfg_error	 err;
	char			**files, *p1, *p2, *p3;
	size_t			 i, n;

	n = good_files(tc, &files);
	ATF_REQUIRE_MSG(n >= 40, "only %zu good configs", n);
	for (i = 0; i < n; i++) {
		ATF_REQUIRE((cf = config_new()) != NULL);
		ATF_REQUIRE_MSG(config_parse_file(cf, files[i], &err) == 0 &&
		    config_validate(cf, &err) == 0, "%s", err.msg);
		p1 = print_config(cf);
		ATF_REQUIRE((cf2 = parse_text(p1, &err)) != NULL);
		p2 = print_config(cf2);
		ATF_REQUIRE_STREQ_MSG(p1, p2, "%s does not round-trip",
		    files[i]);
		p3 = roundtrip_imsg(cf);
		ATF_REQUIRE_STREQ_MSG(p1, p3, "%s changes over imsg",
		    files[i]);
		free(p1);
		free(p2);
		free(p3);
		config_free(cf);
		config_free(cf2);
	}
	free_files(files, n);
}

static const struct {
	const char	*text;
	const char	*expect;
} bad[] = {
	{ "- tcp-listener: 2222\n", "bad.conf:1:17: tcp-listener: invalid "
	    "config format for tcp-listener: a bare value must be a string, "
	    "got an integer 2222" },
	{ "- Local-Only\n", "bad.conf:1:3: unknown config type "
	    "\"Local-Only\" (actions are lowercase: node, local-only," },
	{ "- node: {id: a}\n  tcp-peer: x:1\n", "bad.conf:1:3: config format "
	    "invalid: item has multiple names" },
	{ "- {}\n", "bad.conf:1:3: config format invalid: item has no name" },
	{ "- node:\n    id: localhost\n", "bad.conf:2:5: node: id: node ID "
	    "\"localhost\" is reserved" },
	{ "- node:\n    id: a\n- node:\n    id: b\n", "bad.conf:3:3: node: "
	    "only one node directive is allowed (the first is at "
	    "bad.conf:1:3)" },
	{ "- log-level: info\n- log-level: debug\n", "bad.conf:2:3: "
	    "log-level: only one log-level directive is allowed" },
	{ "- tcp-peer:\n    redial: true\n", "bad.conf:1:3: tcp-peer: "
	    "required parameter missing: address" },
	{ "- tls-server:\n    name: x\n", "bad.conf:1:3: tls-server: "
	    "required parameters missing: cert, key" },
	{ "- tcp-listener:\n    port: 2222\n    cost: 0\n", "bad.conf:3:5: "
	    "tcp-listener: cost: connection cost must be positive" },
	{ "- tcp-listener:\n    port: 2222\n    nodecost: {b: -1}\n",
	    "bad.conf:3:5: tcp-listener: nodecost: connection cost must be "
	    "positive for b" },
	{ "- tcp-listener:\n    port: 2222\n    nodecost: {b: x}\n",
	    "bad.conf:3:19: tcp-listener: nodecost: invalid value for \"b\": "
	    "expected a number, got a string" },
	{ "- tcp-listener:\n    port: 2222\n    nodecost: '{\"b\":'\n",
	    "bad.conf:3:5: tcp-listener: nodecost: expected a map of node IDs "
	    "to positive numbers, got invalid JSON" },
	{ "- log-level: loud\n", "bad.conf:1:14: log-level: level: \"loud\" "
	    "is not a valid log level name (expected error, warning, info or "
	    "debug)" },
	{ "- tcp-listener:\n    port: 70000\n", "bad.conf:2:5: tcp-listener: "
	    "port: expected an integer 1-65535, got 70000" },
	{ "- tcp-listener:\n    port: abc\n", "bad.conf:2:5: tcp-listener: "
	    "port: expected an integer 1-65535, got \"abc\"" },
	{ "- tcp-listener:\n    port: 2222.5\n", "bad.conf:2:5: tcp-listener: "
	    "port: expected an integer 1-65535, got a number 2222.5" },
	{ "- control-service:\n    permissions: rw\n", "bad.conf:2:5: "
	    "control-service: permissions: expected a file mode like 0600, "
	    "got \"rw\"" },
	{ "- control-service:\n    permissions: 077777\n", "bad.conf:2:5: "
	    "control-service: permissions: expected a file mode like 0600, "
	    "got 32767" },
	{ "- node:\n    id: a\n- cert-init:\n    commonname: ca\n    bits: "
	    "2048\n    outcert: c\n    outkey: k\n", "bad.conf:1:3: node: "
	    "cannot specify any other options with cert-init (at "
	    "bad.conf:3:3)" },
	{ "- tcp-listener:\n    port: 1\n    tls: nosuch\n", "bad.conf:3:5: "
	    "tcp-listener: tls: unknown TLS config \"nosuch\": no tls-server "
	    "has that name" },
	{ "- tls-server:\n    name: s\n    cert: c\n    key: k\n- tcp-peer:\n"
	    "    address: h:1\n    tls: s\n", "bad.conf:7:5: tcp-peer: tls: "
	    "unknown TLS config \"s\": no tls-client has that name" },
	{ "- tls-server: {name: x, cert: c, key: k}\n- tls-server: {name: x, "
	    "cert: d, key: e}\n", "bad.conf:2:16: tls-server: name: "
	    "tls-server name \"x\" is already used by tls-server at "
	    "bad.conf:1:3" },
	{ "- tcp-listener:\n    prot: 2222\n", "bad.conf:2:5: tcp-listener: "
	    "field \"prot\" not defined for command tcp-listener (fields: "
	    "bindaddr, port, tls, cost, nodecost, allowedpeers)" },
	{ "- node:\n    id: foo\n    allowedpeers: bar\n", "bad.conf:3:5: "
	    "node: field \"allowedpeers\" not defined for command node" },
	{ "- node:\n    id: [a\n", "bad.conf:3:1: YAML syntax error: did not "
	    "find expected ',' or ']'" },
	{ "---\n1234syntaxerror\n- node:\n    id: foo\n", "bad.conf:3:7: "
	    "YAML syntax error: mapping values are not allowed" },
	{ "node:\n  id: foo\n", "bad.conf:1:1: expected a list of actions" },
	{ "- 42\n", "bad.conf:1:3: unknown config file format: expected an "
	    "action name or a one-key map, got an integer" },
	{ "- node: x\n-\n", "bad.conf:2:2: unknown config file format: "
	    "expected an action name or a one-key map, got null" },
	{ "- tcp-peer:\n    address: h:1\n    redial: maybe\n",
	    "bad.conf:3:5: tcp-peer: redial: expected a boolean (true or "
	    "false), got \"maybe\"" },
	{ "- node:\n    maxidleconnectiontimeout: 10 parsecs\n",
	    "bad.conf:2:5: node: maxidleconnectiontimeout: expected a "
	    "duration like 1h30m or 45s, got \"10 parsecs\"" },
	{ "- work-signing:\n    privatekey: k\n    tokenexpiration: 3\n",
	    "bad.conf:3:5: work-signing: tokenexpiration: expected a duration "
	    "like 1h30m or 45s, got an integer 3" },
	{ "- node:\n    firewallrules:\n      - action: allow\n",
	    "bad.conf:3:9: node: firewallrules: error in rule 0: unknown "
	    "action: \"allow\" (expected accept, reject or drop)" },
	{ "- node:\n    firewallrules:\n      - action: accept\n      - "
	    "action: drop\n        from: a\n", "bad.conf:4:9: node: "
	    "firewallrules: error in rule 1: invalid firewall rule. unknown "
	    "key: \"from\"" },
	{ "- node:\n    firewallrules:\n      - action: accept\n        "
	    "fromnode: 5\n", "bad.conf:4:19: node: firewallrules: invalid "
	    "firewall rule. \"fromnode\" must be a string" },
	{ "- node:\n    firewallrules:\n      - tonode: a\n", "bad.conf:3:9: "
	    "node: firewallrules: error in rule 0: invalid firewall rule. "
	    "action is missing" },
	{ "- node:\n    firewallrules: [accept]\n", "bad.conf:2:21: node: "
	    "firewallrules: error in rule 0: invalid firewall rule. see "
	    "documentation for syntax" },
	{ "- tcp-peer:\n    address: h:1\n    allowedpeers: 5\n",
	    "bad.conf:3:5: tcp-peer: allowedpeers: expected a list of "
	    "strings, got an integer 5" },
	{ "- tcp-peer:\n    address: h:1\n    allowedpeers: [a, [b]]\n",
	    "bad.conf:3:23: tcp-peer: allowedpeers: expected a list of "
	    "strings, element 1 is a list" },
	{ "- tcp-listener:\n    port: 1\n    Port: 2\n", "bad.conf:3:5: "
	    "tcp-listener: port: given twice (also at line 2, column 5)" },
	{ "- work-command:\n    worktype: x\n    command: c\n    "
	    "verifysignature: true\n", "bad.conf:4:5: work-command: "
	    "verifysignature: VerifySignature for work command 'x' is true, "
	    "but the work verification public key is not specified" },
	{ "- work-command: {worktype: x, command: a}\n- work-python: "
	    "{worktype: x, plugin: p, function: f}\n", "bad.conf:2:17: "
	    "work-python: worktype: work type \"x\" is already used by "
	    "work-command at bad.conf:1:3" },
	{ "- control-service:\n    filename: /a\n- control-service:\n    "
	    "filename: /b\n", "bad.conf:3:3: control-service: service: "
	    "service \"control\" is already used by control-service at "
	    "bad.conf:1:3" },
	{ "- ws-peer: http://h/\n", "bad.conf:1:12: ws-peer: address: "
	    "address \"http://h/\" is not a valid URL" },
	{ "- ws-peer:\n    address: ws://h/\n    extraheader: X-Y\n",
	    "bad.conf:3:5: ws-peer: extraheader: extra header must be in the "
	    "form key:value" },
	{ "- tls-client:\n    name: c\n    cert: c\n    key: k\n    "
	    "pinnedservercert: [abcd]\n", "bad.conf:5:5: tls-client: "
	    "pinnedservercert: error decoding fingerprint \"abcd\"" },
	{ "- cert-init:\n    commonname: ca\n    bits: 2048\n    notbefore: "
	    "yesterday\n    outcert: c\n    outkey: k\n", "bad.conf:4:5: "
	    "cert-init: notbefore: expected an RFC 3339 date and time" },
	{ "- cert-init:\n    commonname: ca\n    bits: 12\n    outcert: c\n"
	    "    outkey: k\n", "bad.conf:3:5: cert-init: bits: expected a key "
	    "size in bits (1024-16384), got 12" },
	{ "- cert-makereq:\n    commonname: n\n    outreq: r\n    inkey: a\n"
	    "    outkey: b\n", "bad.conf:1:3: cert-makereq: cannot use both "
	    "InKey and OutKey" },
	{ "- cert-makereq:\n    commonname: n\n    outreq: r\n    outkey: "
	    "b\n", "bad.conf:1:3: cert-makereq: must specify key bits when "
	    "creating a new key" },
	{ "- cert-signreq:\n    cacert: c\n    cakey: k\n    outcert: o\n",
	    "bad.conf:1:3: cert-signreq: required parameter missing: req" },
	{ "- ip-router:\n    networkname: n\n    localnet: 10.0.0.0/24\n",
	    "bad.conf:3:5: ip-router: localnet: local network "
	    "\"10.0.0.0/24\" must be an IPv4 /30 CIDR" },
	{ "- ip-router:\n    networkname: n\n    localnet: 10.0.0.0/30\n    "
	    "routes: 10.1.0.0/16,bogus\n", "bad.conf:4:5: ip-router: routes: "
	    "could not parse \"bogus\" as a CIDR address" },
	{ "- work-kubernetes:\n    worktype: k\n    image: i\n    namespace: "
	    "n\n    authmethod: token\n", "bad.conf:5:5: work-kubernetes: "
	    "authmethod: invalid AuthMethod: \"token\"" },
	{ "- work-kubernetes:\n    worktype: k\n    image: i\n    namespace: "
	    "n\n    streammethod: udp\n", "bad.conf:5:5: work-kubernetes: "
	    "streammethod: stream mode must be logger or tcp" },
	{ "- work-kubernetes:\n    worktype: k\n    image: i\n",
	    "bad.conf:1:3: work-kubernetes: must provide namespace when "
	    "AuthMethod is not kubeconfig" },
	{ "- tcp-peer: example.com\n", "bad.conf:1:13: tcp-peer: address: "
	    "expected host:port, got \"example.com\"" },
	{ "- work-signing\n", "bad.conf:1:3: work-signing: privatekey: "
	    "expected a file name" },
	{ "- trace: x\n", "bad.conf:1:10: trace: command does not allow bare "
	    "values" },
	{ "- tcp-listener: [1]\n", "bad.conf:1:17: tcp-listener: invalid "
	    "config format for tcp-listener: expected a map of fields or a "
	    "string, got a list" },
	{ "- node:\n    id: \"a\\0b\"\n", "bad.conf:2:9: a string contains a "
	    "NUL character" },
	{ "- node: {id: [a]}\n", "bad.conf:1:10: node: id: expected a "
	    "string, got a list" },
	{ "- node:\n    [a]: b\n", "bad.conf:2:5: node: invalid config format "
	    "for node: a field name must be a string, got a list" },
	{ "- control-service:\n    tcplisten: abc\n", "bad.conf:2:5: "
	    "control-service: tcplisten: expected a port or host:port, got "
	    "\"abc\"" },
	{ "- ws-listener:\n    port: 80\n    path: x\n", "bad.conf:3:5: "
	    "ws-listener: path: expected a URL path starting with /, got "
	    "\"x\"" },
	{ "- node:\n    id: \"\"\n    datadir:\n", "bad.conf:3:5: node: "
	    "datadir: expected a string, got null" },
	{ "- version\n- trace\n", "bad.conf:2:3: trace: cannot specify any "
	    "other options with version" },
};

ATF_TC(bad_configs);
ATF_TC_HEAD(bad_configs, tc)
{
	atf_tc_set_md_var(tc, "descr", "malformed configs fail with "
	    "file:line:col, action, field and what was expected");
}
ATF_TC_BODY(bad_configs, tc)
{
	struct config		*cf;
	struct cfg_error	 err;
	size_t			 i;

	ATF_REQUIRE(sizeof(bad) / sizeof(bad[0]) >= 30);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memset(&err, 0, sizeof(err));
		cf = parse_text(bad[i].text, &err);
		ATF_CHECK_MSG(cf == NULL, "case %zu parsed: %s", i,
		    bad[i].text);
		config_free(cf);
		ATF_CHECK_MSG(strstr(err.msg, bad[i].expect) != NULL,
		    "case %zu: got '%s', want '%s'", i, err.msg,
		    bad[i].expect);
	}
}

ATF_TC(bad_files);
ATF_TC_HEAD(bad_files, tc)
{
	atf_tc_set_md_var(tc, "descr", "a missing file or a bad one named "
	    "with -c gives no config");
}
ATF_TC_BODY(bad_files, tc)
{
	struct cmdline		 cl;
	struct cfg_error	 err;
	struct config		*cf;
	FILE			*fp;

	cf = argv_config(&cl, &err, "-c", "/nonexistent/receptor.conf", NULL);
	ATF_REQUIRE(cf == NULL);
	ATF_REQUIRE_MATCH("^/nonexistent/receptor.conf: error loading config "
	    "file: No such file or directory$", err.msg);

	ATF_REQUIRE((fp = fopen("x.conf", "w")) != NULL);
	fputs("- node:\n    id: a\n\n\n\n\n- tcp-listener:\n    port: abc\n",
	    fp);
	ATF_REQUIRE(fclose(fp) == 0);
	cf = argv_config(&cl, &err, "--config", "x.conf", NULL);
	ATF_REQUIRE(cf == NULL);
	ATF_REQUIRE_STREQ("x.conf:8:5: tcp-listener: port: expected an "
	    "integer 1-65535, got \"abc\"", err.msg);
}

ATF_TC(yaml_conversions);
ATF_TC_HEAD(yaml_conversions, tc)
{
	atf_tc_set_md_var(tc, "descr", "YAML 1.1 scalars convert like Go's "
	    "yaml.v2 and cmdline");
}
ATF_TC_BODY(yaml_conversions, tc)
{
	struct config		*cf;
	struct cfg_error	 err;
	struct cfg_item		*it;
	const struct cfg_value	*v;

	cf = parse_text("- node:\n    id: 0x10\n    datadir: 1.5\n"
	    "- control-service:\n    permissions: 0600\n    service: yes\n"
	    "- tcp-listener:\n    port: 1_000\n    cost: 3\n"
	    "    nodecost: {a: 2, b: 0.25}\n"
	    "- tcp-peer:\n    address: h:1\n    redial: \"N\"\n"
	    "- unix-socket-server:\n    filename: /s\n    permissions: \"0o644\"\n"
	    "    remotenode: n\n    remoteservice: s\n", &err);
	ATF_REQUIRE_MSG(cf != NULL, "%s", err.msg);
	it = config_first(cf, "node");
	ATF_CHECK_STREQ(cfg_str(it, "id"), "16");
	ATF_CHECK_STREQ(cfg_str(it, "datadir"), "1.500000");
	it = config_first(cf, "control-service");
	ATF_CHECK_EQ(cfg_int(it, "permissions"), 0600);
	ATF_CHECK_STREQ(cfg_str(it, "service"), "true");
	it = config_first(cf, "tcp-listener");
	ATF_CHECK_EQ(cfg_int(it, "port"), 1000);
	ATF_CHECK(cfg_float(it, "cost") == 3.0);
	v = cfg_get(it, "nodecost");
	ATF_REQUIRE(v != NULL && v->set && v->map.npairs == 2);
	ATF_CHECK_STREQ(v->map.pairs[1].key, "b");
	ATF_CHECK_STREQ(v->map.pairs[1].val, "0.25");
	ATF_CHECK_STREQ(cfg_str(it, "bindaddr"), "0.0.0.0");
	it = config_first(cf, "tcp-peer");
	ATF_CHECK(!cfg_bool(it, "redial"));
	ATF_CHECK(cfg_float(it, "cost") == 1.0);
	it = config_first(cf, "unix-socket-server");
	ATF_CHECK_EQ(cfg_int(it, "permissions"), 0644);
	ATF_CHECK(cfg_get(it, "nosuchfield") == NULL);
	ATF_CHECK(cfg_str(it, "nosuchfield") == NULL);
	config_free(cf);
}

ATF_TC(defaults);
ATF_TC_HEAD(defaults, tc)
{
	atf_tc_set_md_var(tc, "descr", "unset fields read as the schema "
	    "defaults; the implicit node gets the hostname");
}
ATF_TC_BODY(defaults, tc)
{
	struct config		*cf;
	struct cfg_error	 err;
	struct cfg_item		*it;
	char			 host[256];

	ATF_REQUIRE(gethostname(host, sizeof(host)) == 0);
	cf = parse_text("- tcp-peer: h:1\n- control-service\n"
	    "- work-signing: /k\n", &err);
	ATF_REQUIRE_MSG(cf != NULL, "%s", err.msg);
	it = config_first(cf, NULL);
	ATF_REQUIRE_STREQ(it->action->name, "node");
	ATF_CHECK(it->implicit);
	ATF_CHECK_STREQ(cfg_str(it, "id"), host);
	ATF_CHECK_STREQ(cfg_str(it, "datadir"), "/tmp/receptor");
	it = config_next(it, NULL);
	ATF_CHECK_STREQ(cfg_str(it, "address"), "h:1");
	ATF_CHECK(cfg_bool(it, "redial"));
	ATF_CHECK(cfg_float(it, "cost") == 1.0);
	it = config_first(cf, "control-service");
	ATF_CHECK_STREQ(cfg_str(it, "service"), "control");
	ATF_CHECK_EQ(cfg_int(it, "permissions"), 0600);
	ATF_CHECK(cfg_str(it, "filename") == NULL);
	it = config_first(cf, "work-signing");
	ATF_CHECK_EQ(cfg_duration(it, "tokenexpiration", 300000000000LL),
	    300000000000LL);
	ATF_CHECK(config_next(it, "work-signing") == NULL);
	ATF_CHECK(config_exclusive(cf) == NULL);
	config_free(cf);
}

ATF_TC(durations);
ATF_TC_HEAD(durations, tc)
{
	atf_tc_set_md_var(tc, "descr", "Go duration syntax");
}
ATF_TC_BODY(durations, tc)
{
	long long	 ns;

	ATF_CHECK(cfg_duration_parse("1h30m", &ns) == 0 &&
	    ns == 5400000000000LL);
	ATF_CHECK(cfg_duration_parse("21s", &ns) == 0 && ns == 21000000000LL);
	ATF_CHECK(cfg_duration_parse("1.5h", &ns) == 0 &&
	    ns == 5400000000000LL);
	ATF_CHECK(cfg_duration_parse("250ms", &ns) == 0 && ns == 250000000LL);
	ATF_CHECK(cfg_duration_parse("3\xc2\xb5s", &ns) == 0 && ns == 3000);
	ATF_CHECK(cfg_duration_parse("-5m", &ns) == 0 && ns == -300000000000LL);
	ATF_CHECK(cfg_duration_parse("0", &ns) == 0 && ns == 0);
	ATF_CHECK(cfg_duration_parse("", &ns) == -1);
	ATF_CHECK(cfg_duration_parse("5", &ns) == -1);
	ATF_CHECK(cfg_duration_parse("5x", &ns) == -1);
	ATF_CHECK(cfg_duration_parse("h", &ns) == -1);
	ATF_CHECK(cfg_duration_parse(".s", &ns) == -1);
	ATF_CHECK(cfg_duration_parse("1h 30m", &ns) == -1);
	ATF_CHECK(cfg_duration_parse("99999999999h", &ns) == -1);
}

ATF_TC(cli);
ATF_TC_HEAD(cli, tc)
{
	atf_tc_set_md_var(tc, "descr", "the command line works like Go's");
}
ATF_TC_BODY(cli, tc)
{
	struct cmdline		 cl;
	struct cfg_error	 err;
	struct config		*cf;
	struct cfg_item		*it;
	const struct cfg_value	*v;
	char			*p;

	cf = argv_config(&cl, &err, "--node", "id=foo", "--local-only",
	    "--log-level", "debug", NULL);
	ATF_REQUIRE_MSG(cf != NULL, "%s", err.msg);
	p = print_config(cf);
	ATF_CHECK_STREQ(p, "---\n- node:\n    id: \"foo\"\n- local-only\n"
	    "- log-level:\n    level: \"debug\"\n");
	free(p);
	ATF_CHECK(!cl.help && !cl.check && !cl.version);
	config_free(cf);
	cmdline_clear(&cl);

	cf = argv_config(&cl, &err, "--node", "id=a", "--tcp-listener",
	    "2222", "nodecost={\"b\":2.5}", "allowedpeers=b",
	    "allowedpeers=c", "-Tcp-Peer", "address=h:1", "cost=0.5",
	    "redial=F", NULL);
	ATF_REQUIRE_MSG(cf != NULL, "%s", err.msg);
	it = config_first(cf, "tcp-listener");
	ATF_CHECK_EQ(cfg_int(it, "port"), 2222);
	v = cfg_get(it, "nodecost");
	ATF_REQUIRE(v->map.npairs == 1);
	ATF_CHECK_STREQ(v->map.pairs[0].key, "b");
	ATF_CHECK_STREQ(v->map.pairs[0].val, "2.5");
	v = cfg_get(it, "allowedpeers");
	ATF_REQUIRE_EQ(v->nlist, 2);
	ATF_CHECK_STREQ(v->list[1], "c");
	it = config_first(cf, "tcp-peer");
	ATF_CHECK(cfg_float(it, "cost") == 0.5);
	ATF_CHECK(!cfg_bool(it, "redial"));
	config_free(cf);

	cf = argv_config(&cl, &err, "--node", "id=a", "--tcp-peer", "h:1",
	    "allowedpeers=[\"x\",\"y\"]", NULL);
	ATF_REQUIRE_MSG(cf != NULL, "%s", err.msg);
	v = cfg_get(config_first(cf, "tcp-peer"), "allowedpeers");
	ATF_CHECK(v->nlist == 2 && strcmp(v->list[0], "x") == 0);
	config_free(cf);

	cf = argv_config(&cl, &err, "--node", "id=a", "--node", "id=b", NULL);
	ATF_CHECK(cf == NULL);
	ATF_CHECK_STREQ(err.msg, "command line: --node: only one node "
	    "directive is allowed (the first is on the command line)");

	cf = argv_config(&cl, &err, "--tcp-listener", "port=abc", NULL);
	ATF_CHECK(cf == NULL);
	ATF_CHECK_STREQ(err.msg, "command line: --tcp-listener: port: "
	    "expected an integer 1-65535, got \"abc\"");
	cf = argv_config(&cl, &err, "--tcp-listener", NULL);
	ATF_CHECK(cf == NULL);
	ATF_CHECK_STREQ(err.msg, "command line: --tcp-listener: required "
	    "parameter missing: port");
	cf = argv_config(&cl, &err, "--tcp-listener", "prot=1", NULL);
	ATF_CHECK(cf == NULL);
	ATF_CHECK_MATCH("^command line: --tcp-listener: unknown field name "
	    "\"prot\" \\(fields: bindaddr, port,", err.msg);
	cf = argv_config(&cl, &err, "--tcp-listner", "port=1", NULL);
	ATF_CHECK(cf == NULL);
	ATF_CHECK_MATCH("unknown config type \"--tcp-listner\"", err.msg);
	cf = argv_config(&cl, &err, "id=a", "--node", NULL);
	ATF_CHECK(cf == NULL);
	ATF_CHECK_MATCH("parameter \"id=a\" specified before command",
	    err.msg);
	cf = argv_config(&cl, &err, "--trace", "x", NULL);
	ATF_CHECK(cf == NULL);
	ATF_CHECK_MATCH("^command line: --trace: command does not allow "
	    "bare values", err.msg);
	cf = argv_config(&cl, &err, "--node", "id=a\xff", NULL);
	ATF_CHECK(cf == NULL);
	ATF_CHECK_MATCH("not valid UTF-8", err.msg);
	cf = argv_config(&cl, &err, "--tcp-listener", "1",
	    "nodecost={\"b\":\"x\"}", NULL);
	ATF_CHECK(cf == NULL);
	ATF_CHECK_MATCH("nodecost: expected a number for \"b\"", err.msg);
	cf = argv_config(&cl, &err, "--node", "firewallrules=[{\"action\":"
	    "\"accept\",\"fromnode\":1}]", NULL);
	ATF_CHECK(cf == NULL);
	ATF_CHECK_MATCH("error in rule 0: invalid firewall rule. fromnode "
	    "must be a string", err.msg);
	cf = argv_config(&cl, &err, "-c", NULL);
	ATF_CHECK(cf == NULL);
	ATF_CHECK_MATCH("-c requires a file name", err.msg);
	cf = argv_config(&cl, &err, "-u", NULL);
	ATF_CHECK(cf == NULL);
}

ATF_TC(cli_options);
ATF_TC_HEAD(cli_options, tc)
{
	atf_tc_set_md_var(tc, "descr", "help, version and our own options");
}
ATF_TC_BODY(cli_options, tc)
{
	struct cmdline		 cl;
	struct cfg_error	 err;
	struct config		*cf;

	cf = argv_config(&cl, &err, NULL);
	ATF_REQUIRE(cf != NULL && cl.help);
	config_free(cf);
	cf = argv_config(&cl, &err, "--node", "id=a", "-h", NULL);
	ATF_REQUIRE(cf != NULL && cl.help);
	config_free(cf);
	cf = argv_config(&cl, &err, "--HELP", NULL);
	ATF_REQUIRE(cf != NULL && cl.help);
	config_free(cf);

	cf = argv_config(&cl, &err, "--version", NULL);
	ATF_REQUIRE_MSG(cf != NULL, "%s", err.msg);
	ATF_CHECK(cl.version);
	ATF_CHECK(config_exclusive(cf) == config_first(cf, "version"));
	ATF_CHECK(config_first(cf, "node") == NULL);
	config_free(cf);
	cf = argv_config(&cl, &err, "--version", "--node", "id=a", NULL);
	ATF_CHECK(cf == NULL);
	ATF_CHECK_MATCH("cannot specify any other options with version",
	    err.msg);
	cf = argv_config(&cl, &err, "--cert-init", "commonname=ca",
	    "bits=2048", "outcert=c", "outkey=k", "--local-only", NULL);
	ATF_CHECK(cf == NULL);
	ATF_CHECK_MATCH("cannot specify any other options with cert-init",
	    err.msg);

	cf = argv_config(&cl, &err, "-nv", "-T", "-u", "nobody", "--node",
	    "id=a", NULL);
	ATF_REQUIRE_MSG(cf != NULL, "%s", err.msg);
	ATF_CHECK(cl.check && cl.verbose && cl.sandbox_trap && !cl.help);
	ATF_CHECK_STREQ(cl.user, "nobody");
	config_free(cf);
	cmdline_clear(&cl);
	cf = argv_config(&cl, &err, "-vn", NULL);
	ATF_REQUIRE_MSG(cf != NULL, "%s", err.msg);
	ATF_CHECK(cl.check && cl.verbose && !cl.help);
	config_free(cf);
	cf = argv_config(&cl, &err, "-n", "-v", "-local-only", NULL);
	ATF_REQUIRE_MSG(cf != NULL, "%s", err.msg);
	ATF_CHECK(cl.check && cl.verbose);
	ATF_CHECK(config_first(cf, "local-only") != NULL);
	config_free(cf);
}

ATF_TC(cli_merge);
ATF_TC_HEAD(cli_merge, tc)
{
	atf_tc_set_md_var(tc, "descr", "-c files merge in place with "
	    "command-line actions; the first is the reload file");
}
ATF_TC_BODY(cli_merge, tc)
{
	struct cmdline		 cl;
	struct cfg_error	 err;
	struct config		*cf;
	FILE			*fp;
	char			*p;

	ATF_REQUIRE((fp = fopen("a.conf", "w")) != NULL);
	fputs("- node:\n    id: a\n- tcp-listener: \"2222\"\n", fp);
	ATF_REQUIRE(fclose(fp) == 0);
	ATF_REQUIRE((fp = fopen("b.conf", "w")) != NULL);
	fputs("- tcp-peer: h:1\n", fp);
	ATF_REQUIRE(fclose(fp) == 0);

	cf = argv_config(&cl, &err, "-c", "a.conf", "--log-level", "info",
	    "--config", "b.conf", "--trace", NULL);
	ATF_REQUIRE_MSG(cf != NULL, "%s", err.msg);
	ATF_CHECK_STREQ(cl.conffile, "a.conf");
	p = print_config(cf);
	ATF_CHECK_STREQ(p, "---\n- node:\n    id: \"a\"\n- tcp-listener:\n"
	    "    port: 2222\n- log-level:\n    level: \"info\"\n- tcp-peer:\n"
	    "    address: \"h:1\"\n- trace\n");
	free(p);
	ATF_CHECK_STREQ(config_first(cf, "tcp-peer")->file, "b.conf");
	ATF_CHECK(config_first(cf, "log-level")->file == NULL);
	config_free(cf);
	cmdline_clear(&cl);

	cf = argv_config(&cl, &err, "-c", "a.conf", "--node", "id=b", NULL);
	ATF_CHECK(cf == NULL);
	ATF_CHECK_STREQ(err.msg, "command line: --node: only one node "
	    "directive is allowed (the first is at a.conf:1:3)");
}

ATF_TC(imsg_malformed);
ATF_TC_HEAD(imsg_malformed, tc)
{
	atf_tc_set_md_var(tc, "descr", "cfg_item_decode refuses truncated "
	    "and altered payloads");
}
ATF_TC_BODY(imsg_malformed, tc)
{
	struct config		*cf;
	struct cfg_error	 err;
	struct cfg_item		*it, *ni;
	struct msgbuild		 mb;
	struct msgread		 mr;
	struct imsg		 im;
	unsigned char		*copy;
	size_t			 len, i;
	int			 ok = 0;

	cf = parse_text("- node:\n    id: a\n    firewallrules:\n"
	    "      - action: drop\n        tonode: b\n"
	    "- tcp-listener:\n    port: 1\n    nodecost: {x: 2}\n"
	    "    allowedpeers: [p, q]\n", &err);
	ATF_REQUIRE_MSG(cf != NULL, "%s", err.msg);
	TAILQ_FOREACH(it, &cf->items, entry) {
		msg_init(&mb);
		cfg_item_encode(it, &mb);
		ATF_REQUIRE(!mb.failed);
		ATF_REQUIRE((copy = malloc(mb.len)) != NULL);
		memset(&im, 0, sizeof(im));
		im.data = copy;
		for (len = 0; len < mb.len; len++) {
			memcpy(copy, mb.buf, len);
			im.datalen = len;
			msg_read_init(&mr, &im);
			ni = cfg_item_decode(&mr);
			ATF_CHECK_MSG(ni == NULL, "truncated at %zu", len);
			cfg_item_free(ni);
		}
		/* flip every byte: decode fails or yields a sound item */
		for (i = 0; i < mb.len; i++) {
			memcpy(copy, mb.buf, mb.len);
			copy[i] ^= 0xff;
			im.datalen = mb.len;
			msg_read_init(&mr, &im);
			if ((ni = cfg_item_decode(&mr)) != NULL) {
				ok++;
				cfg_item_free(ni);
			}
		}
		free(copy);
		msg_free(&mb);
	}
	ATF_CHECK(ok > 0);
	config_free(cf);

	msg_init(&mb);
	msg_add_str(&mb, "no-such-action");
	msg_add_str(&mb, NULL);
	msg_add_u32(&mb, 0);
	msg_add_u32(&mb, 0);
	msg_add_u32(&mb, 0);
	msg_add_u32(&mb, 0);
	im.data = mb.buf;
	im.datalen = mb.len;
	msg_read_init(&mr, &im);
	ATF_CHECK(cfg_item_decode(&mr) == NULL);
	msg_free(&mb);
}

ATF_TC(usage);
ATF_TC_HEAD(usage, tc)
{
	atf_tc_set_md_var(tc, "descr", "--help lists every visible action "
	    "and field");
}
ATF_TC_BODY(usage, tc)
{
	const struct cfg_action	*a;
	const struct cfg_field	*f;
	char			*buf = NULL, needle[128];
	size_t			 len = 0;
	FILE			*fp;

	ATF_REQUIRE((fp = open_memstream(&buf, &len)) != NULL);
	config_usage(fp);
	ATF_REQUIRE(fclose(fp) == 0);
	ATF_CHECK(strncmp(buf, "Usage: receptor [--<action> [<param>=<value> "
	    "...] ...]\n", 55) == 0);
	for (a = cfg_actions; a->name != NULL; a++) {
		snprintf(needle, sizeof(needle), "   --%s:", a->name);
		if (a->flags & CFGA_HIDDEN) {
			ATF_CHECK(strstr(buf, needle) == NULL);
			continue;
		}
		ATF_CHECK_MSG(strstr(buf, needle) != NULL, "%s", a->name);
		for (f = a->fields; f->name != NULL; f++) {
			snprintf(needle, sizeof(needle), "      %s=<",
			    f->name);
			ATF_CHECK_MSG(strstr(buf, needle) != NULL, "%s %s",
			    a->name, f->name);
		}
	}
	ATF_CHECK(strstr(buf, "port=<int>: Local TCP port to listen on "
	    "(required)") != NULL);
	free(buf);
}

ATF_TC(schema);
ATF_TC_HEAD(schema, tc)
{
	atf_tc_set_md_var(tc, "descr", "the schema table is consistent");
}
ATF_TC_BODY(schema, tc)
{
	const struct cfg_action	*a, *b;
	const struct cfg_field	*f, *g;
	const char		*p;
	int			 bare;

	for (a = cfg_actions; a->name != NULL; a++) {
		ATF_CHECK(cfg_action_find(a->name) == a);
		ATF_CHECK(a->roles != 0 && a->help != NULL);
		for (b = cfg_actions; b != a; b++)
			ATF_CHECK(strcmp(a->name, b->name) != 0);
		for (p = a->name; *p != '\0'; p++)
			ATF_CHECK(*p == '-' || (*p >= 'a' && *p <= 'z'));
		bare = 0;
		for (f = a->fields; f->name != NULL; f++) {
			ATF_CHECK(cfg_field_find(a, f->name) == f);
			ATF_CHECK(f->help != NULL);
			bare += (f->flags & CFGF_BARE) != 0;
			for (g = a->fields; g != f; g++)
				ATF_CHECK(strcmp(f->name, g->name) != 0);
		}
		ATF_CHECK(bare <= 1);
	}
	ATF_CHECK(cfg_action_find("Node") == NULL);
	ATF_CHECK(cfg_field_find(cfg_action_find("work-command"),
	    "workType") != NULL);
	ATF_CHECK(cfg_action_find("command-runner")->flags & CFGA_HIDDEN);
	ATF_CHECK(cfg_action_find("cert-init")->flags & CFGA_EXCLUSIVE);
	ATF_CHECK_EQ(cfg_action_find("control-service")->roles,
	    CFGR_CTLD | CFGR_NETD | CFGR_PARENT);
}

ATF_TC(manpage);
ATF_TC_HEAD(manpage, tc)
{
	atf_tc_set_md_var(tc, "descr", "receptor.conf.5 documents every "
	    "visible action and field");
}
ATF_TC_BODY(manpage, tc)
{
	const struct cfg_action	*a;
	const struct cfg_field	*f;
	char			*path, *buf, *start, *end, *save, needle[128];
	FILE			*fp;
	long			 len;

	ATF_REQUIRE(asprintf(&path, "%s/../man/receptor.conf.5",
	    atf_tc_get_config_var(tc, "srcdir")) != -1);
	ATF_REQUIRE_MSG((fp = fopen(path, "r")) != NULL, "%s", path);
	ATF_REQUIRE(fseek(fp, 0, SEEK_END) == 0 && (len = ftell(fp)) > 0);
	rewind(fp);
	ATF_REQUIRE((buf = calloc(1, len + 1)) != NULL);
	ATF_REQUIRE(fread(buf, 1, len, fp) == (size_t)len);
	fclose(fp);
	for (a = cfg_actions; a->name != NULL; a++) {
		if (a->flags & CFGA_HIDDEN)
			continue;
		snprintf(needle, sizeof(needle), "\n.It Ic %s\n", a->name);
		start = strstr(buf, needle);
		ATF_CHECK_MSG(start != NULL, "action %s missing", a->name);
		if (start == NULL)
			continue;
		start += strlen(needle);
		end = strstr(start, "\n.It Ic ");
		save = NULL;
		if (end != NULL) {
			save = end;
			*end = '\0';
		}
		for (f = a->fields; f->name != NULL; f++) {
			if (f->flags & CFGF_HIDDEN)
				continue;
			snprintf(needle, sizeof(needle), "\n.It Cm %s ",
			    f->name);
			ATF_CHECK_MSG(strstr(start, needle) != NULL,
			    "%s field %s missing", a->name, f->name);
		}
		if (save != NULL)
			*save = '\n';
	}
	free(buf);
	free(path);
}

ATF_TP_ADD_TCS(tp)
{
	ATF_TP_ADD_TC(tp, good_configs);
	ATF_TP_ADD_TC(tp, bad_configs);
	ATF_TP_ADD_TC(tp, bad_files);
	ATF_TP_ADD_TC(tp, yaml_conversions);
	ATF_TP_ADD_TC(tp, defaults);
	ATF_TP_ADD_TC(tp, durations);
	ATF_TP_ADD_TC(tp, cli);
	ATF_TP_ADD_TC(tp, cli_options);
	ATF_TP_ADD_TC(tp, cli_merge);
	ATF_TP_ADD_TC(tp, imsg_malformed);
	ATF_TP_ADD_TC(tp, usage);
	ATF_TP_ADD_TC(tp, schema);
	ATF_TP_ADD_TC(tp, manpage);
	return atf_no_error();
}
