/*
 * The work commands ctld hands over, answered as Go's workceptor
 * ControlFunc answers them, checks in Go's order.
 */
#include <strings.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <json.h>

#include "config.h"
#include "gojson.h"
#include "log.h"
#include "proc.h"
#include "proto.h"
#include "workd.h"
#include "remote.h"
#include "goduration.h"
#include "tlsconf.h"

/* A long reply (work list) goes to ctld in pieces of about this size. */
#define REPLY_PIECE	(32 * 1024)

struct work_cmd {
	uint32_t	 reqid;
	uint32_t	 sub;
	int		 verify;	/* the client is not on a Unix socket */
	char		*unitid;
	uint64_t	 startpos;
	char		*signature;
	char		*node;
	char		*worktype;
	char		*tlsclient;
	char		*ttl;
	uint32_t	 signwork;
	char		*params;
	int		 fd;
};

static int	cmd_read(struct imsg *, struct work_cmd *);
static void	cmd_free(struct work_cmd *);
static void	submit(struct work_cmd *);
static void	submit_remote(struct work_cmd *);
static void	list(struct work_cmd *);
static void	status(struct work_cmd *);
static void	cancel(struct work_cmd *);
static void	results(struct work_cmd *);
static struct unit *unit_named(struct work_cmd *);
static int	unit_signwork(const struct unit *);
static int	signature_check(struct work_cmd *, const char *, int);
static void	reply_error(uint32_t, const char *);
static void	reply_json(uint32_t, struct gjbuf *);
static void	reply_piece(uint32_t, struct gjbuf *);

void
control_work(struct imsg *imsg)
{
	struct work_cmd	 c;

	if (cmd_read(imsg, &c) == -1) {
		log_warnx("malformed work command from ctld");
		reply_error(imsg->hdr.peerid, "malformed work command");
		cmd_free(&c);
		return;
	}
	switch (c.sub) {
	case CTLW_SUBMIT:
		submit(&c);
		break;
	case CTLW_LIST:
		list(&c);
		break;
	case CTLW_STATUS:
		status(&c);
		break;
	case CTLW_CANCEL:
	case CTLW_RELEASE:
	case CTLW_FORCE_RELEASE:
		cancel(&c);
		break;
	case CTLW_RESULTS:
		results(&c);
		break;
	default:
		reply_error(c.reqid, "bad command");
	}
	cmd_free(&c);
}

static int
cmd_read(struct imsg *imsg, struct work_cmd *c)
{
	struct msgread	 mr;

	memset(c, 0, sizeof(*c));
	c->reqid = imsg->hdr.peerid;
	c->fd = imsg->fd;
	imsg->fd = -1;
	msg_read_init(&mr, imsg);
	c->sub = msg_get_u32(&mr);
	c->verify = msg_get_u32(&mr) != 0;
	c->unitid = msg_get_str(&mr);
	c->startpos = msg_get_u64(&mr);
	c->signature = msg_get_str(&mr);
	c->node = msg_get_str(&mr);
	c->worktype = msg_get_str(&mr);
	c->tlsclient = msg_get_str(&mr);
	c->ttl = msg_get_str(&mr);
	c->signwork = msg_get_u32(&mr);
	c->params = msg_get_str(&mr);
	if (msg_read_end(&mr) == -1)
		return -1;
	if ((c->sub == CTLW_SUBMIT || c->sub == CTLW_RESULTS) && c->fd == -1)
		return -1;
	return 0;
}

static void
cmd_free(struct work_cmd *c)
{
	if (c->fd != -1)
		close(c->fd);
	free(c->unitid);
	free(c->signature);
	free(c->node);
	free(c->worktype);
	free(c->tlsclient);
	free(c->ttl);
	free(c->params);
}

/*
 * Go's submit: the signature, local or remote, ttl, the work type and
 * its params; only then a unit, which takes the payload.
 */
static void
submit(struct work_cmd *c)
{
	const struct cfg_item	*wc;
	struct json_object	*params, *given;
	struct unit		*u;
	const char		*own, *user = "";
	char			 err[512];

	if (c->node == NULL || c->worktype == NULL) {
		reply_error(c->reqid, "work submit requires a target node and "
		    "work type");
		return;
	}
	if (signature_check(c, c->worktype, c->signwork) == -1)
		return;
	own = cfg_str(config_first(child_config(), "node"), "id");
	if (strcmp(c->node, own) != 0 && strcasecmp(c->node, "localhost") != 0) {
		submit_remote(c);
		return;
	}
	if (c->ttl != NULL && *c->ttl != '\0') {
		reply_error(c->reqid, "ttl option is intended for remote work "
		    "only");
		return;
	}
	if ((wc = worktype_find(c->worktype)) == NULL) {
		(void)snprintf(err, sizeof(err), "unknown work type %s",
		    c->worktype);
		reply_error(c->reqid, err);
		return;
	}
	params = json_tokener_parse(c->params != NULL ? c->params : "{}");
	if (json_object_object_get_ex(params, "params", &given) &&
	    json_object_is_type(given, json_type_string))
		user = json_object_get_string(given);
	if (*user != '\0' && !cfg_bool(wc, "allowruntimeparams")) {
		reply_error(c->reqid, "extra params provided but not allowed");
		json_object_put(params);
		return;
	}
	if ((u = unit_create(c->worktype, 0, err, sizeof(err))) == NULL) {
		reply_error(c->reqid, err);
		json_object_put(params);
		return;
	}
	u->params = work_params_join(cfg_str(wc, "params"), user);
	submit_start(c->reqid, u, c->fd, user);
	c->fd = -1;
	json_object_put(params);
}

/*
 * Go's AllocateRemoteUnit: a known TLS client, secrets only over TLS,
 * then a "remote" unit holding every param for the far node. A bad ttl
 * is refused before the unit is made (Go leaves one behind).
 */
static void
submit_remote(struct work_cmd *c)
{
	const struct cfg_item	*signing;
	struct json_object	*params;
	struct json_object_iter	 it;
	struct unit		*u;
	int64_t			 ttl = 0;
	char			 err[512];
	int			 secrets = 0;

	if (c->tlsclient != NULL && *c->tlsclient != '\0' &&
	    tlsconf_item("tls-client", c->tlsclient) == NULL) {
		(void)snprintf(err, sizeof(err), "unknown TLS config %s",
		    c->tlsclient);
		reply_error(c->reqid, err);
		return;
	}
	params = json_tokener_parse(c->params != NULL ? c->params : "{}");
	json_object_object_foreachC(params, it)
		if (strncasecmp(it.key, "secret_", 7) == 0)
			secrets = 1;
	if (secrets && (c->tlsclient == NULL || *c->tlsclient == '\0')) {
		reply_error(c->reqid, "cannot send secrets over a non-TLS "
		    "connection");
		json_object_put(params);
		return;
	}
	if (c->ttl != NULL && *c->ttl != '\0') {
		if (goduration_parse(c->ttl, &ttl, err, sizeof(err)) == -1) {
			log_warnx("Failed to parse provided ttl -- valid "
			    "examples include '1.5h', '30m', '30m10s'");
			reply_error(c->reqid, err);
			json_object_put(params);
			return;
		}
		signing = config_first(child_config(), "work-signing");
		if (c->signwork && signing != NULL &&
		    ttl > cfg_duration(signing, "tokenexpiration",
		    SIGN_LIFETIME_DEFAULT))
			log_warnx("json web token expires before ttl");
	}
	if ((u = unit_create("remote", 1, err, sizeof(err))) == NULL) {
		reply_error(c->reqid, err);
		json_object_put(params);
		return;
	}
	json_object_object_foreachC(params, it)
		remote_param_set(u->remote, it.key,
		    json_object_get_string(it.val));
	json_object_put(params);
	remote_init(u, c->node, c->worktype, c->tlsclient, ttl, c->signwork);
	submit_start(c->reqid, u, c->fd, "");
	c->fd = -1;
}

/* {"<id>":{status},...}, sorted as Go's maps are. */
static void
list(struct work_cmd *c)
{
	struct gjbuf	 b;
	struct unit	*u, *only = NULL;

	if (c->unitid != NULL && (only = unit_named(c)) == NULL)
		return;
	gj_init(&b);
	gj_obj_open(&b);
	RB_FOREACH(u, unit_tree, &units) {
		if (only != NULL && u != only)
			continue;
		gj_key(&b, u->id);
		control_status(&b, u);
		if (b.err == NULL && b.len >= REPLY_PIECE)
			reply_piece(c->reqid, &b);
	}
	gj_obj_close(&b);
	reply_json(c->reqid, &b);
}

static void
status(struct work_cmd *c)
{
	struct gjbuf	 b;
	struct unit	*u;

	if ((u = unit_named(c)) == NULL)
		return;
	gj_init(&b);
	control_status(&b, u);
	reply_json(c->reqid, &b);
}

/*
 * Go's unitStatusForCFR: the status fields and StateName, keys sorted;
 * a running unit's as its runner last wrote them.
 */
void
control_status(struct gjbuf *b, struct unit *u)
{
	char	 name[32], *params;
	pid_t	 pid;

	if (u->runner > 0)
		(void)unit_reload(u);
	gj_obj_open(b);
	gj_key(b, "Detail");
	gj_str(b, u->st.detail != NULL ? u->st.detail : "");
	gj_key(b, "ExtraData");
	if (u->remote != NULL)
		remote_encode(b, u->remote, 1);
	else if (!u->command)
		gj_str(b, "Unknown WorkType");
	else if (strcmp(u->st.extra, "null") == 0)
		gj_null(b);
	else {
		command_extra(u->st.extra, &pid, &params);
		gj_obj_open(b);
		gj_key(b, "Pid");
		gj_i64(b, pid);
		gj_key(b, "Params");
		gj_str(b, params != NULL ? params : "");
		gj_obj_close(b);
		free(params);
	}
	gj_key(b, "State");
	gj_i64(b, u->st.state);
	gj_key(b, "StateName");
	gj_str(b, work_state_name(u->st.state, name, sizeof(name)));
	gj_key(b, "StdoutSize");
	gj_i64(b, u->st.stdout_size);
	gj_key(b, "WorkType");
	gj_str(b, u->st.work_type != NULL ? u->st.work_type : "");
	gj_obj_close(b);
}

static void
cancel(struct work_cmd *c)
{
	struct unit	*u;
	int		 release = 0;

	if ((u = unit_named(c)) == NULL)
		return;
	if (signature_check(c, u->st.work_type, unit_signwork(u)) == -1)
		return;
	if (c->sub == CTLW_RELEASE)
		release = 1;
	else if (c->sub == CTLW_FORCE_RELEASE)
		release = 2;
	if (u->command)
		command_cancel(u, c->reqid, release);
	else if (u->remote != NULL)
		remote_cancel(u, c->reqid, release);
	else
		control_done(u, c->reqid, release);
}

/* A cancel or release is over; a release takes the unit away now. */
void
control_done(struct unit *u, uint32_t reqid, int release)
{
	char	 id[UNIT_ID_MAX + 1], err[512];

	(void)strlcpy(id, u->id, sizeof(id));
	if (release) {
		unit_remove(u, release == 2, err, sizeof(err));
		if (*err != '\0') {
			reply_error(reqid, err);
			return;
		}
	}
	control_cancel_reply(reqid, id, release, 0);
}

/* {"cancelled":id}, {"released":id}, or their "pending" forms. */
void
control_cancel_reply(uint32_t reqid, const char *id, int release,
    int pending)
{
	struct gjbuf	 b;

	gj_init(&b);
	gj_obj_open(&b);
	if (pending)
		gj_key(&b, release ? "release pending" : "cancel pending");
	else
		gj_key(&b, release ? "released" : "cancelled");
	gj_str(&b, id);
	gj_obj_close(&b);
	reply_json(reqid, &b);
}

static void
results(struct work_cmd *c)
{
	struct unit	*u;

	if ((u = unit_named(c)) == NULL)
		return;
	if (signature_check(c, u->st.work_type, unit_signwork(u)) == -1)
		return;
	workd_reply(c->reqid, WORK_REPLY_STREAMING, u->id);
	results_start(u, c->fd, (int64_t)c->startpos);
	c->fd = -1;
}

/* Go's getSignWorkFromStatus */
static int
unit_signwork(const struct unit *u)
{
	return u->remote != NULL && u->remote->signwork;
}

/* The command's unit, or NULL once Go's error has been sent. */
static struct unit *
unit_named(struct work_cmd *c)
{
	struct unit	*u;
	char		 err[128];

	if (c->unitid == NULL) {
		reply_error(c->reqid, "field unitid missing");
		return NULL;
	}
	if ((u = unit_find(c->unitid)) == NULL) {
		(void)snprintf(err, sizeof(err), "unknown work unit %s",
		    c->unitid);
		reply_error(c->reqid, err);
	}
	return u;
}

/*
 * Go's processSignature: a work type that verifies signatures wants one
 * from every client but those on a Unix socket; others want none. A
 * remote unit wants one if it was signed (Go's ShouldVerifySignature).
 */
static int
signature_check(struct work_cmd *c, const char *worktype, int signwork)
{
	const struct cfg_item	*wc;
	char			 err[512];
	int			 want;

	if (worktype != NULL && strcmp(worktype, "remote") == 0)
		want = signwork;
	else {
		wc = worktype != NULL ? worktype_find(worktype) : NULL;
		want = wc != NULL && cfg_bool(wc, "verifysignature");
	}
	if (!want && c->signature != NULL && *c->signature != '\0') {
		reply_error(c->reqid, "work type did not expect a signature");
		return -1;
	}
	if (want && c->verify) {
		if (c->signature == NULL || *c->signature == '\0') {
			reply_error(c->reqid, "could not verify signature: "
			    "signature is empty");
			return -1;
		}
		if (sign_verify(c->signature, err, sizeof(err)) == -1) {
			reply_error(c->reqid, err);
			return -1;
		}
	}
	return 0;
}

static void
reply_error(uint32_t reqid, const char *err)
{
	workd_reply(reqid, WORK_REPLY_ERROR, err);
}

static void
reply_json(uint32_t reqid, struct gjbuf *b)
{
	gj_raw(b, "", 1);
	if (b->err != NULL)
		reply_error(reqid, b->err);
	else
		workd_reply(reqid, WORK_REPLY_JSON, b->buf);
	gj_free(b);
}

/*
 * All of the reply so far but its last byte, which stays so that the
 * writer still knows what the next key follows.
 */
static void
reply_piece(uint32_t reqid, struct gjbuf *b)
{
	char	 last = b->buf[b->len - 1];

	b->buf[b->len - 1] = '\0';
	workd_reply(reqid, WORK_REPLY_PART, b->buf);
	b->buf[0] = last;
	b->len = 1;
}
