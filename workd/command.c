/*
 * Command units (work-command), as Go's commandUnit runs them: the
 * payload goes to stdin, the parent launches a runner that owns the
 * command and writes its state to the status file, and workd learns
 * from the parent when the runner ends. Cancel has the parent SIGINT the
 * runner, which takes the command's whole process group with it.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "gojson.h"
#include "log.h"
#include "proc.h"
#include "proto.h"
#include "workd.h"

static void	runner_ended(struct unit *);

const struct cfg_item *
worktype_find(const char *name)
{
	struct cfg_item	*wc;

	if (name == NULL)
		return NULL;
	for (wc = config_first(child_config(), "work-command"); wc != NULL;
	    wc = config_next(wc, "work-command"))
		if (strcmp(cfg_str(wc, "worktype"), name) == 0)
			return wc;
	return NULL;
}

/*
 * Go's CommandExtraData from the status file: the runner's pid and the
 * command's params; what is not there, or not of its type, is zero.
 */
void
command_extra(const char *extra, pid_t *pid, char **params)
{
	struct gjreader	 r;
	struct gjbuf	 key, val;
	uint64_t	 n;
	int		 rv;

	*pid = 0;
	*params = NULL;
	gj_init(&key);
	gj_init(&val);
	gj_read_init(&r, extra, strlen(extra));
	if (gj_read_null(&r) != 0 || gj_read_obj(&r) == -1)
		goto done;
	while ((rv = gj_read_key(&r, &key)) == 1) {
		if (gj_keyeq(&key, "Pid") && gj_read_null(&r) == 0) {
			if (gj_read_u64(&r, &n, INT_MAX) == 0)
				*pid = n;
		} else if (gj_keyeq(&key, "Params") &&
		    gj_read_null(&r) == 0) {
			val.len = 0;
			if (gj_read_str(&r, &val) == 0) {
				free(*params);
				*params = val.len > 0 ?
				    strndup(val.buf, val.len) : strdup("");
				if (*params == NULL)
					fatal("unit");
			}
		} else if (gj_read_skip(&r) == -1)
			break;
		key.len = 0;
	}
 done:
	gj_free(&key);
	gj_free(&val);
}

/* The payload is in stdin: ask the parent for a runner. */
void
command_launch(struct submit *s)
{
	struct unit	*u = s->unit;
	struct msgbuild	 mb;

	(void)unit_update(u, WORK_PENDING, "Launching command runner", 0);
	msg_init(&mb);
	msg_add_str(&mb, u->id);
	msg_add_str(&mb, u->st.work_type);
	msg_add_str(&mb, s->given);
	if (imsgev_msg(child_channel(ROLE_PARENT), &mb, IMSG_WORK_LAUNCH, 0,
	    -1) == -1)
		fatal("launch request to parent");
}

/* The parent's answer to a launch: the runner's pid, or why not. */
void
command_launched(const char *id, pid_t pid, const char *err)
{
	struct unit	*u;
	struct submit	*s;

	if ((u = unit_find(id)) == NULL || (s = u->submit) == NULL ||
	    s->ev != NULL) {
		log_debug("[%s] launched runner %ld for no submit", id,
		    (long)pid);
		return;
	}
	if (pid <= 0) {
		log_warnx("[%s] Failed to start command runner: %s", id, err);
		submit_fail(s, "Error starting worker: ", err);
		return;
	}
	(void)unit_set_runner(u, pid);
	submit_started(s, "Job Started");
}

/* The parent says pid, once the unit's runner, is no more. */
void
command_gone(const char *id, pid_t pid)
{
	struct unit	*u;

	if ((u = unit_find(id)) == NULL || u->runner != pid) {
		log_debug("[%s] runner %ld gone, not the unit's", id,
		    (long)pid);
		return;
	}
	runner_ended(u);
}

/*
 * The runner wrote the unit's last state before it ended; one that
 * could not (killed, or gone while the daemon was down) leaves a unit
 * that would stay Running for ever, so it fails here with the reason.
 */
static void
runner_ended(struct unit *u)
{
	struct unit_waiter	*w;
	char			 detail[128], id[UNIT_ID_MAX + 1];
	pid_t			 pid = u->runner;

	(void)unit_reload(u);
	(void)unit_set_runner(u, -1);
	if (!work_state_complete(u->st.state) &&
	    u->st.state != WORK_CANCELED && TAILQ_EMPTY(&u->waiters)) {
		(void)snprintf(detail, sizeof(detail), "Command runner (pid "
		    "%ld) ended without reporting a result", (long)pid);
		log_warnx("[%s] %s", u->id, detail);
		(void)unit_update(u, WORK_FAILED, detail, unit_stdout_size(u));
	}
	while ((w = TAILQ_FIRST(&u->waiters)) != NULL) {
		TAILQ_REMOVE(&u->waiters, w, entry);
		if (u->st.state != WORK_CANCELED)
			(void)unit_update(u, WORK_CANCELED, "Canceled", -1);
		(void)strlcpy(id, u->id, sizeof(id));
		control_done(u, w->reqid, w->release);
		free(w);
		/* A release took the unit with it. */
		if ((u = unit_find(id)) == NULL)
			return;
	}
	results_wake(u);
}

/*
 * Go's Restart, at start: a unit that never got its runner failed;
 * one whose runner may still run is watched, by the parent.
 */
void
command_restart(struct unit *u)
{
	if (work_state_complete(u->st.state) ||
	    u->st.state == WORK_CANCELED)
		return;
	if (u->st.state == WORK_PENDING)
		(void)unit_update(u, WORK_FAILED, "Pending at restart",
		    unit_stdout_size(u));
	if (u->runner > 0)
		workd_to_parent(IMSG_WORK_WATCH, u->id, u->runner);
	else if (!work_state_complete(u->st.state))
		(void)unit_update(u, WORK_FAILED, "Failed to restart: no "
		    "command runner recorded", unit_stdout_size(u));
}

/*
 * Go's Cancel: nothing to do without a runner; else SIGINT it and
 * answer once it has ended. release: 1, or 2 to force.
 */
void
command_cancel(struct unit *u, uint32_t reqid, int release)
{
	struct unit_waiter	*w;

	if (u->submit != NULL && release) {
		workd_reply(u->submit->reqid, WORK_REPLY_ERROR,
		    "work unit was released");
		submit_free(u->submit);
	}
	if (u->runner <= 0) {
		control_done(u, reqid, release);
		return;
	}
	if ((w = calloc(1, sizeof(*w))) == NULL)
		fatal("cancel");
	w->reqid = reqid;
	w->release = release;
	TAILQ_INSERT_TAIL(&u->waiters, w, entry);
	workd_to_parent(IMSG_WORK_SIGNAL, u->id, u->runner);
}
