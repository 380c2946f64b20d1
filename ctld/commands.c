/*
 * The commands: status, ping, traceroute, reload, privileges, connect,
 * and work (work.c).
 * What ctld knows itself it answers at once; the rest is one request to
 * netd or the parent, tagged with a request id, whose reply is turned
 * into Go's reply text. A session has at most one request in flight.
 */
#include <sys/socket.h>
#include <sys/tree.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <json.h>

#include "ctlcmd.h"
#include "ctld.h"
#include "goduration.h"
#include "log.h"
#include "proc.h"
#include "proto.h"

/* Go's ProblemExpiredInTransit: a traceroute hop, not a failure. */
#define PROBLEM_EXPIRED		"message expired"
/* What Go's dial, as netd's, answers for a node or service that can't be. */
#define CONNECT_NO_ROUTE	"INTERNAL_ERROR (local): no route to node"
#define CONNECT_NO_SERVICE	"context canceled"

RB_HEAD(req_tree, ctl_req);

struct command {
	const char	*name;
	void		(*run)(struct ctl_client *, const struct ctlcmd *);
};

static void	cmd_status(struct ctl_client *, const struct ctlcmd *);
static void	cmd_ping(struct ctl_client *, const struct ctlcmd *);
static void	cmd_reload(struct ctl_client *, const struct ctlcmd *);
static int	status_wanted(struct json_object *, const char *);
static int	netd_field(const char *);
static int	status_needs_netd(struct json_object *);
static void	status_local(struct json_object *, struct gomap *);
static void	status_reply(struct ctl_req *, struct msgread *, int);
static void	ping_reply(struct ctl_req *, const char *, uint64_t,
		    const char *);
static void	ping_send(struct ctl_req *);
static void	reload_reply(struct ctl_req *, struct msgread *);
static void	cmd_privileges(struct ctl_client *, const struct ctlcmd *);
static void	cmd_connect(struct ctl_client *, const struct ctlcmd *);
static int	connect_check(struct ctl_client *, const struct ctl_connect *);
static void	connect_reply(struct ctl_req *, struct msgread *);
static void	privileges_reply(struct ctl_req *, struct msgread *);
static void	privileges_process(struct gjbuf *, struct msgread *);
static void	get_str(struct gjbuf *, struct msgread *);
static void	get_list(struct gjbuf *, struct msgread *);
static void	get_ids(struct gjbuf *, struct msgread *);

static void	req_timeout(evutil_socket_t, short, void *);
static void	reply_json(struct ctl_client *, struct gomap *);
static int	req_cmp(const struct ctl_req *, const struct ctl_req *);

RB_PROTOTYPE(req_tree, ctl_req, entry, req_cmp);
RB_GENERATE(req_tree, ctl_req, entry, req_cmp);

static const struct command commands[] = {
	{ "connect",	cmd_connect },
	{ "ping",	cmd_ping },
	{ "privileges",	cmd_privileges },
	{ "reload",	cmd_reload },
	{ "status",	cmd_status },
	{ "traceroute",	cmd_ping },
	{ "work",	cmd_work },
};

/* The status fields netd answers (IMSG_CTL_STATUS_REPLY). */
static const char *const netd_fields[] = {
	"Advertisements", "Connections", "KnownConnectionCosts",
	"RoutingTable",
};

static struct req_tree	 reqs = RB_INITIALIZER(&reqs);
static uint32_t		 req_ids;

static int
req_cmp(const struct ctl_req *a, const struct ctl_req *b)
{
	return a->id < b->id ? -1 : a->id > b->id;
}

/* One request line. */
void
commands_run(struct ctl_client *c, const char *line, size_t len)
{
	struct ctlcmd	 cmd;
	size_t		 i;

	switch (ctlcmd_parse(line, len, &cmd)) {
	case CTLCMD_EMPTY:
		break;
	case CTLCMD_ERROR:
		client_write(c, cmd.reply, strlen(cmd.reply));
		break;
	case CTLCMD_OK:
		for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
			if (strcmp(cmd.name, commands[i].name) == 0)
				break;
		if (i < sizeof(commands) / sizeof(commands[0]))
			commands[i].run(c, &cmd);
		else
			client_write(c, CTL_REPLY_UNKNOWN,
			    strlen(CTL_REPLY_UNKNOWN));
		break;
	}
	ctlcmd_clear(&cmd);
}

static void
cmd_status(struct ctl_client *c, const struct ctlcmd *cmd)
{
	struct ctl_req		*req;
	struct json_object	*fields;
	struct gomap		 o;
	char			 err[256];

	if (ctlcmd_status_fields(cmd, &fields, err, sizeof(err)) == -1) {
		client_error(c, err);
		return;
	}
	if (!status_needs_netd(fields)) {
		gomap_init(&o);
		status_local(fields, &o);
		reply_json(c, &o);
		return;
	}
	req = req_new(c, REQ_STATUS, ROLE_NETD);
	req->fields = json_object_get(fields);
	req_send(req, IMSG_CTL_STATUS, NULL, -1);
}

static int
status_wanted(struct json_object *fields, const char *name)
{
	size_t	 i, n;

	if (fields == NULL)
		return 1;
	n = json_object_array_length(fields);
	for (i = 0; i < n; i++)
		if (strcmp(json_object_get_string(
		    json_object_array_get_idx(fields, i)), name) == 0)
			return 1;
	return 0;
}

static int
netd_field(const char *name)
{
	size_t	 i;

	for (i = 0; i < sizeof(netd_fields) / sizeof(netd_fields[0]); i++)
		if (strcmp(name, netd_fields[i]) == 0)
			return 1;
	return 0;
}

/*
 * Go's statusGetters: other names are skipped, so only netd's fields
 * make it worth asking netd (receptorctl asks for the Version alone
 * before every command).
 */
static int
status_needs_netd(struct json_object *fields)
{
	size_t	 i, n;

	if (fields == NULL)
		return 1;
	n = json_object_array_length(fields);
	for (i = 0; i < n; i++)
		if (netd_field(json_object_get_string(
		    json_object_array_get_idx(fields, i))))
			return 1;
	return 0;
}

/*
 * Version is what `receptor --version` prints, as in Go, where both are
 * the build's version string.
 */
static void
status_local(struct json_object *fields, struct gomap *o)
{
	const struct ctld_sysinfo	*si = ctld_sysinfo();

	if (status_wanted(fields, "NodeID"))
		gj_str(gomap_set(o, "NodeID"), ctld_node_id());
	if (status_wanted(fields, "Version"))
		gj_str(gomap_set(o, "Version"), RECEPTOR_VERSION);
	if (status_wanted(fields, "SystemCPUCount"))
		gj_i64(gomap_set(o, "SystemCPUCount"), si->cpus);
	if (status_wanted(fields, "SystemMemoryMiB"))
		gj_i64(gomap_set(o, "SystemMemoryMiB"), si->mem_mib);
}

/*
 * netd's fields arrive as JSON text, already in Go's order and form, a
 * long one in pieces, over as many messages as it takes.
 */
static void
status_reply(struct ctl_req *req, struct msgread *mr, int last)
{
	const void	*val;
	char		*key;
	size_t		 len;

	while (mr->left > 0 && !mr->failed) {
		key = msg_get_str(mr);
		val = msg_get_bytes(mr, &len);
		if (key != NULL && val != NULL && netd_field(key) &&
		    status_wanted(req->fields, key))
			gj_raw(gomap_add(&req->map, key), val, len);
		free(key);
	}
	if (msg_read_end(mr) == -1)
		fatalx("malformed status reply from netd");
	if (!last)
		return;
	status_local(req->fields, &req->map);
	reply_json(req->client, &req->map);
	req_done(req);
}

/* ping and traceroute: one ping with 30 hops, or 0, 1, ... up to 30. */
static void
cmd_ping(struct ctl_client *c, const struct ctlcmd *cmd)
{
	struct ctl_req	*req;
	const char	*target;
	size_t		 len;
	char		 err[256];

	if (ctlcmd_target(cmd, &target, &len, err, sizeof(err)) == -1) {
		client_error(c, err);
		return;
	}
	if (strcmp(cmd->name, "ping") == 0) {
		req = req_new(c, REQ_PING, ROLE_NETD);
		req->hops = CTL_MAX_HOPS;
	} else {
		req = req_new(c, REQ_TRACEROUTE, ROLE_NETD);
	}
	if ((req->target = strndup(target, len)) == NULL)
		fatal("ping");
	/* A name with a NUL in it has no route, as Go finds out. */
	if (strlen(req->target) != len)
		ping_reply(req, ctld_node_id(), 0, "no route to node");
	else
		ping_send(req);
}

static void
ping_send(struct ctl_req *req)
{
	struct msgbuild	 mb;

	msg_init(&mb);
	msg_add_str(&mb, req->target);
	msg_add_u32(&mb, req->hops);
	req_send(req, IMSG_CTL_PING, &mb, -1);
}

/* error is NULL or "" for a reply from the target. */
static void
ping_reply(struct ctl_req *req, const char *from, uint64_t ns,
    const char *error)
{
	struct gomap	 o, hop;
	char		 timestr[GODURATION_STRLEN], key[16];
	int		 failed = error != NULL && *error != '\0';

	goduration_format((int64_t)ns, timestr);
	gomap_init(&o);
	if (req->kind == REQ_PING) {
		gj_bool(gomap_set(&o, "Success"), !failed);
		if (failed)
			gj_str(gomap_set(&o, "Error"), error);
		else {
			gj_str(gomap_set(&o, "From"), from);
			gj_i64(gomap_set(&o, "Time"), (int64_t)ns);
			gj_str(gomap_set(&o, "TimeStr"), timestr);
		}
		reply_json(req->client, &o);
		req_done(req);
		return;
	}
	gomap_init(&hop);
	gj_str(gomap_set(&hop, "From"), from);
	gj_i64(gomap_set(&hop, "Time"), (int64_t)ns);
	gj_str(gomap_set(&hop, "TimeStr"), timestr);
	if (failed && strcmp(error, PROBLEM_EXPIRED) != 0)
		gj_str(gomap_set(&hop, "Error"), error);
	snprintf(key, sizeof(key), "%u", req->hops);
	gomap_write(&hop, gomap_set(&req->map, key));
	if (failed && strcmp(error, PROBLEM_EXPIRED) == 0 &&
	    req->hops < CTL_MAX_HOPS) {
		req->hops++;
		ping_send(req);
		return;
	}
	reply_json(req->client, &req->map);
	req_done(req);
}

static void
cmd_reload(struct ctl_client *c, const struct ctlcmd *cmd)
{
	req_send(req_new(c, REQ_RELOAD, ROLE_PARENT), IMSG_CTL_RELOAD, NULL,
	    -1);
}

static void
reload_reply(struct ctl_req *req, struct msgread *mr)
{
	struct gomap	 o;
	char		*error, *text;
	uint32_t	 code;

	code = msg_get_u32(mr);
	error = msg_get_str(mr);
	if (msg_read_end(mr) == -1)
		fatalx("malformed reload reply from parent");
	gomap_init(&o);
	gj_bool(gomap_set(&o, "Success"), code == 0);
	if (code != 0) {
		if (asprintf(&text, "%s ERRORCODE %u", error != NULL ? error :
		    "", code) == -1)
			fatal("reload");
		gj_str(gomap_set(&o, "Error"), text);
		free(text);
	}
	free(error);
	reply_json(req->client, &o);
	req_done(req);
}

/* The parent reads /proc of every process; ctld may not. */
static void
cmd_privileges(struct ctl_client *c, const struct ctlcmd *cmd)
{
	if (cmd->json == NULL && cmd->params_len > 0) {
		client_error(c, "privileges command does not take parameters");
		return;
	}
	req_send(req_new(c, REQ_PRIVILEGES, ROLE_PARENT), IMSG_CTL_PRIVILEGES,
	    NULL, -1);
}

/*
 * {"LandlockABI": n, "Processes": [...]}, a process per element, in the
 * order of the reply (receptor, netd, workd, ctld).
 */
static void
privileges_reply(struct ctl_req *req, struct msgread *mr)
{
	struct gomap	 o;
	struct gjbuf	*procs;
	uint32_t	 i, n;

	gomap_init(&o);
	gj_i64(gomap_set(&o, "LandlockABI"), msg_get_u32(mr));
	n = msg_get_u32(mr);
	procs = gomap_set(&o, "Processes");
	gj_arr_open(procs);
	for (i = 0; i < n && !mr->failed; i++) {
		gj_elem(procs);
		privileges_process(procs, mr);
	}
	gj_arr_close(procs);
	if (msg_read_end(mr) == -1)
		fatalx("malformed privileges reply from parent");
	reply_json(req->client, &o);
	req_done(req);
}

/* One process, in the order of IMSG_CTL_PRIVILEGES_REPLY. */
static void
privileges_process(struct gjbuf *out, struct msgread *mr)
{
	struct gomap	 p, sc, errs, ll;
	struct gjbuf	 calls;
	char		*name, *err;
	uint32_t	 filtered, i, n, abi;

	gomap_init(&p);
	get_str(gomap_set(&p, "Role"), mr);
	gj_i64(gomap_set(&p, "Pid"), msg_get_u32(mr));
	if ((err = msg_get_str(mr)) != NULL && *err != '\0')
		gj_str(gomap_set(&p, "Error"), err);
	free(err);
	get_ids(gomap_set(&p, "Uid"), mr);
	get_ids(gomap_set(&p, "Gid"), mr);
	get_str(gomap_set(&p, "User"), mr);
	get_str(gomap_set(&p, "Root"), mr);
	gj_i64(gomap_set(&p, "NoNewPrivs"), msg_get_u32(mr));
	gj_i64(gomap_set(&p, "Seccomp"), msg_get_u32(mr));
	get_str(gomap_set(&p, "CapEff"), mr);
	get_str(gomap_set(&p, "CapPrm"), mr);
	get_str(gomap_set(&p, "CapBnd"), mr);

	filtered = msg_get_u32(mr);
	gomap_init(&sc);
	get_list(gomap_set(&sc, "Allowed"), mr);
	get_list(gomap_set(&sc, "ArgumentsChecked"), mr);
	gomap_init(&errs);
	n = msg_get_u32(mr);
	for (i = 0; i < n && !mr->failed; i++) {
		name = msg_get_str(mr);
		err = msg_get_str(mr);
		if (name != NULL && err != NULL)
			gj_str(gomap_set(&errs, name), err);
		free(name);
		free(err);
	}
	gomap_write(&errs, gomap_set(&sc, "Errno"));
	/* The parent's filter, if any, is not ours to list. */
	gj_init(&calls);
	gomap_write(&sc, &calls);
	if (filtered)
		gj_raw(gomap_set(&p, "Syscalls"), calls.buf, calls.len);
	else
		gj_null(gomap_set(&p, "Syscalls"));
	gj_free(&calls);

	gomap_init(&ll);
	abi = msg_get_u32(mr);
	gj_bool(gomap_set(&ll, "Enforced"), abi != 0);
	if (abi != 0)
		gj_i64(gomap_set(&ll, "ABI"), abi);
	if ((err = msg_get_str(mr)) != NULL && *err != '\0')
		gj_str(gomap_set(&ll, "Unavailable"), err);
	free(err);
	get_list(gomap_set(&ll, "Restricts"), mr);
	get_list(gomap_set(&ll, "Rules"), mr);
	gomap_write(&ll, gomap_set(&p, "Landlock"));
	get_list(gomap_set(&p, "Listening"), mr);
	gomap_write(&p, out);
}

/*
 * netd dials the node's service and splices the stream to one end of a
 * socketpair; the session relays the other once netd says it is up.
 */
static void
cmd_connect(struct ctl_client *c, const struct ctlcmd *cmd)
{
	struct ctl_connect	 cc;
	struct ctl_req		*req;
	struct msgbuild		 mb;
	char			 err[256];
	int			 sv[2];

	if (ctlcmd_connect(cmd, &cc, err, sizeof(err)) == -1) {
		client_error(c, err);
		return;
	}
	if (connect_check(c, &cc) == -1) {
		ctl_connect_clear(&cc);
		return;
	}
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) == -1) {
		log_warn("connect");
		client_error(c, strerror(errno));
		ctl_connect_clear(&cc);
		return;
	}
	if (fcntl(sv[0], F_SETFL, fcntl(sv[0], F_GETFL) | O_NONBLOCK) == -1)
		fatal("connect");
	req = req_new(c, REQ_CONNECT, ROLE_NETD);
	req->fd = sv[0];
	if (asprintf(&req->target, "%s:%s", cc.node, cc.service) == -1)
		fatal("connect");
	msg_init(&mb);
	msg_add_str(&mb, cc.node);
	msg_add_str(&mb, cc.service);
	msg_add_str(&mb, cc.tls != NULL ? cc.tls : "");
	req_send(req, IMSG_CTL_CONNECT, &mb, sv[1]);
	ctl_connect_clear(&cc);
}

/*
 * A name with a NUL in it can't be sent to netd and names nothing there:
 * Go's answers, in Go's order (the TLS config is looked up first).
 */
static int
connect_check(struct ctl_client *c, const struct ctl_connect *cc)
{
	static const char	 unknown[] = "ERROR: unknown TLS config ";

	if (cc->tls != NULL && strlen(cc->tls) != cc->tls_len) {
		client_write(c, unknown, sizeof(unknown) - 1);
		client_write(c, cc->tls, cc->tls_len);
		client_write(c, "\n", 1);
		return -1;
	}
	if (strlen(cc->node) != cc->node_len) {
		client_error(c, CONNECT_NO_ROUTE);
		return -1;
	}
	if (strlen(cc->service) != cc->service_len) {
		client_error(c, CONNECT_NO_SERVICE);
		return -1;
	}
	return 0;
}

/* str error: "" once the stream is up. */
static void
connect_reply(struct ctl_req *req, struct msgread *mr)
{
	static const char	 connecting[] = "Connecting\n";
	struct ctl_client	*c = req->client;
	char			*error;

	error = msg_get_str(mr);
	if (msg_read_end(mr) == -1)
		fatalx("malformed connect reply from netd");
	if (c != NULL && error != NULL && *error != '\0')
		client_error(c, error);
	else if (c != NULL) {
		log_debug("control client %u: connected to %s", c->id,
		    req->target);
		client_write(c, connecting, sizeof(connecting) - 1);
		bridge_start(c, req->fd, BRIDGE_BOTH);
		req->fd = -1;
	}
	free(error);
	req_done(req);
}

static void
get_str(struct gjbuf *b, struct msgread *mr)
{
	char	*s;

	s = msg_get_str(mr);
	gj_str(b, s != NULL ? s : "");
	free(s);
}

/* u32 n, then n strings: a JSON list. */
static void
get_list(struct gjbuf *b, struct msgread *mr)
{
	uint32_t	 i, n;

	n = msg_get_u32(mr);
	gj_arr_open(b);
	for (i = 0; i < n && !mr->failed; i++) {
		gj_elem(b);
		get_str(b, mr);
	}
	gj_arr_close(b);
}

/* Real, effective, saved and file system ids, as /proc lists them. */
static void
get_ids(struct gjbuf *b, struct msgread *mr)
{
	int	 i;

	gj_arr_open(b);
	for (i = 0; i < 4; i++) {
		gj_elem(b);
		gj_i64(b, msg_get_u32(mr));
	}
	gj_arr_close(b);
}

void
commands_dispatch(enum proc_role from, struct imsg *imsg)
{
	struct ctl_req	 find, *req;
	struct msgread	 mr;
	char		*rfrom, *error;
	uint64_t	 ns;
	uint32_t	 expect;

	find.id = imsg->hdr.peerid;
	if ((req = RB_FIND(req_tree, &reqs, &find)) == NULL) {
		log_debug("reply %u from %s to a request that timed out",
		    imsg->hdr.peerid, role_name(from));
		return;
	}
	switch (req->kind) {
	case REQ_STATUS:
		expect = IMSG_CTL_STATUS_REPLY;
		break;
	case REQ_RELOAD:
		expect = IMSG_CTL_RELOAD_REPLY;
		break;
	case REQ_PRIVILEGES:
		expect = IMSG_CTL_PRIVILEGES_REPLY;
		break;
	case REQ_CONNECT:
		expect = IMSG_CTL_CONNECT_REPLY;
		break;
	case REQ_WORK:
		expect = IMSG_CTL_WORK_REPLY;
		break;
	default:
		expect = IMSG_CTL_PING_REPLY;
	}
	if (from != req->to || (imsg->hdr.type != expect &&
	    !(expect == IMSG_CTL_STATUS_REPLY &&
	    imsg->hdr.type == IMSG_CTL_STATUS_PART)))
		fatalx("unexpected message %u from %s", imsg->hdr.type,
		    role_name(from));
	msg_read_init(&mr, imsg);
	switch (imsg->hdr.type) {
	case IMSG_CTL_STATUS_PART:
	case IMSG_CTL_STATUS_REPLY:
		status_reply(req, &mr, imsg->hdr.type == IMSG_CTL_STATUS_REPLY);
		break;
	case IMSG_CTL_PING_REPLY:
		rfrom = msg_get_str(&mr);
		ns = msg_get_u64(&mr);
		error = msg_get_str(&mr);
		if (msg_read_end(&mr) == -1)
			fatalx("malformed ping reply from netd");
		ping_reply(req, rfrom != NULL ? rfrom : "", ns, error);
		free(rfrom);
		free(error);
		break;
	case IMSG_CTL_RELOAD_REPLY:
		reload_reply(req, &mr);
		break;
	case IMSG_CTL_PRIVILEGES_REPLY:
		privileges_reply(req, &mr);
		break;
	case IMSG_CTL_CONNECT_REPLY:
		connect_reply(req, &mr);
		break;
	case IMSG_CTL_WORK_REPLY:
		work_reply(req, &mr);
		break;
	}
}

struct ctl_req *
req_new(struct ctl_client *c, enum req_kind kind, enum proc_role to)
{
	struct ctl_req	*req;

	if ((req = calloc(1, sizeof(*req))) == NULL)
		fatal("control request");
	req->kind = kind;
	req->to = to;
	req->client = c;
	req->fd = -1;
	req->ev_timeout = evtimer_new(child_base(), req_timeout, req);
	if (req->ev_timeout == NULL)
		fatalx("control request: out of memory");
	c->req = req;
	return req;
}

/*
 * Each message of a request, traceroute's steps too, has a fresh id. fd,
 * if not -1, goes with it and is closed here.
 */
void
req_send(struct ctl_req *req, uint32_t type, struct msgbuild *mb, int fd)
{
	struct timeval	 tv = { CTL_REQUEST_TIMEOUT, 0 };
	struct imsgev	*iev;
	int		 rv;

	if (req->id != 0)
		RB_REMOVE(req_tree, &reqs, req);
	if (++req_ids == 0)
		req_ids = 1;
	req->id = req_ids;
	RB_INSERT(req_tree, &reqs, req);
	if ((iev = child_channel(req->to)) == NULL)
		fatalx("no channel to %s", role_name(req->to));
	if (mb != NULL)
		rv = imsgev_msg(iev, mb, type, req->id, fd);
	else
		rv = imsgev_compose(iev, type, req->id, fd, NULL, 0);
	if (rv == -1)
		fatal("request to %s", role_name(req->to));
	if (!req->untimed)
		evtimer_add(req->ev_timeout, &tv);
}

static void
req_timeout(evutil_socket_t fd, short events, void *arg)
{
	struct ctl_req	*req = arg;
	char		 msg[64];

	log_warnx("request %u to %s timed out", req->id, role_name(req->to));
	if (req->client != NULL) {
		snprintf(msg, sizeof(msg), "no reply from %s",
		    role_name(req->to));
		client_error(req->client, msg);
	}
	req_done(req);
}

/* c is NULL when the client left while its request was in flight. */
static void
reply_json(struct ctl_client *c, struct gomap *o)
{
	struct gjbuf	 out;
	char		 msg[128];

	gj_init(&out);
	gomap_write(o, &out);
	gj_raw(&out, "\n", 1);
	if (c != NULL && out.err != NULL) {
		snprintf(msg, sizeof(msg), "could not convert response to "
		    "JSON: %s", out.err);
		client_error(c, msg);
	} else if (c != NULL)
		client_write(c, out.buf, out.len);
	gj_free(&out);
}

/* The request is over: forget it, and let its session read on. */
void
req_done(struct ctl_req *req)
{
	struct ctl_client	*c = req->client;

	if (req->id != 0)
		RB_REMOVE(req_tree, &reqs, req);
	event_free(req->ev_timeout);
	json_object_put(req->fields);
	free(req->target);
	free(req->reply);
	if (req->fd != -1)
		close(req->fd);
	gomap_clear(&req->map);
	free(req);
	if (c != NULL) {
		c->req = NULL;
		client_done(c);
	}
}

/* The session closes with a request in flight: its reply goes nowhere. */
void
commands_detach(struct ctl_client *c)
{
	c->req->client = NULL;
	c->req = NULL;
}
