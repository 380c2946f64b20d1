/*
 * Remote units as Go's remoteUnit runs them. A unit has one job at a
 * time: start (submit and payload), cancel or release sent on, or the
 * monitor, which polls the far unit's status every second and, while
 * the far stdout is longer than ours, streams the rest of it in. A job
 * that can't reach the far node tries again, 1 s apart growing by half
 * to a minute; a client still waiting then hears that it is pending.
 *
 * Where Go leaves a unit stuck (a start that fails in the background, a
 * cancel the far node refuses, a far node that stops answering), the
 * unit fails with the reason or the monitor goes on, as documented in
 * receptor.8.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "log.h"
#include "proc.h"
#include "workd.h"
#include "remote.h"

/* A key of a command line to the far node: a string or a number. */
struct cmd_field {
	const char	*key;
	const char	*str;
	int64_t		 num;
};

static void	job_try(evutil_socket_t, short, void *);
static void	monitor_tick(evutil_socket_t, short, void *);
static void	job_ready(struct rconn *, const char *, void *);
static void	job_retry(struct remote *);
static void	job_stop(struct remote *);
static void	timer_arm(struct event **, event_callback_fn, struct remote *,
		    int64_t);
static void	job_pending(struct remote *);
static void	start_send(struct remote *);
static void	start_created(struct rconn *, const char *, const char *,
		    void *);
static void	start_done(struct rconn *, const char *, const char *,
		    void *);
static void	start_fail(struct remote *, const char *);
static void	cancel_send(struct remote *);
static void	cancel_done(struct rconn *, const char *, const char *,
		    void *);
static void	cancel_reply(struct remote *, int pending);
static void	monitor_start(struct remote *, int);
static void	monitor_poll(struct remote *);
static void	monitor_status(struct rconn *, const char *, const char *,
		    void *);
static void	monitor_end(struct remote *);
static void	results_check(struct remote *);
static void	results_ready(struct rconn *, const char *, void *);
static void	results_streaming(struct rconn *, const char *,
		    const char *, void *);
static void	results_copied(struct rconn *, const char *, void *);
static void	results_stop(struct remote *);
static void	expire_arm(struct remote *);
static void	expire(evutil_socket_t, short, void *);
static int	send_cmd(struct remote *, struct rconn *, struct cmd_field *,
		    size_t, char *, size_t);

/*
 * Go's AllocateRemoteUnit, past its checks: the unit's ExtraData. ttl
 * is already a duration in ns, 0 for none.
 */
void
remote_init(struct unit *u, const char *node, const char *worktype,
    const char *tlsclient, int64_t ttl, int signwork)
{
	struct remote	*r = u->remote;

	if ((r->node = strdup(node)) == NULL ||
	    (r->worktype = strdup(worktype)) == NULL ||
	    (r->tlsclient = strdup(tlsclient != NULL ? tlsclient : "")) ==
	    NULL)
		fatal("remote unit");
	r->signwork = signwork;
	if (ttl > 0) {
		gotime_now(&r->expiration);
		r->expiration.sec += ttl / 1000000000;
		r->expiration.nsec += ttl % 1000000000;
		if (r->expiration.nsec >= 1000000000) {
			r->expiration.sec++;
			r->expiration.nsec -= 1000000000;
		}
	}
	(void)remote_save(r);
}

/* The payload is in stdin: Go's Start, its first try while s waits. */
void
remote_start(struct submit *s)
{
	struct remote	*r = s->unit->remote;

	if (r->cancelled) {
		submit_fail(s, NULL, "work unit was cancelled");
		return;
	}
	r->job = RJOB_START;
	r->delay_ms = REMOTE_RETRY_MIN_MS;
	expire_arm(r);
	job_try(-1, 0, r);
}

/* Another try at the job's connection. */
static void
job_try(evutil_socket_t fd, short events, void *arg)
{
	struct remote	*r = arg;

	r->conn = rconn_open(r->node, r->tlsclient, job_ready, r);
}

/* The monitor's next status, a second after the last. */
static void
monitor_tick(evutil_socket_t fd, short events, void *arg)
{
	monitor_poll(arg);
}

static void
job_ready(struct rconn *rc, const char *err, void *arg)
{
	struct remote	*r = arg;
	struct unit	*u = r->unit;
	char		 detail[1024];

	if (err == NULL) {
		r->delay_ms = REMOTE_RETRY_MIN_MS;
		switch (r->job) {
		case RJOB_START:
			start_send(r);
			break;
		case RJOB_CANCEL:
			cancel_send(r);
			break;
		case RJOB_MONITOR:
			monitor_poll(r);
			break;
		default:
			break;
		}
		return;
	}
	rconn_close(rc);
	r->conn = NULL;
	log_debug("[%s] Connection to %s failed with error: %s", u->id,
	    r->node, err);
	if (strstr(err, "CRYPTO_ERROR") != NULL) {
		(void)snprintf(detail, sizeof(detail), "TLS error connecting "
		    "to remote service: %s", err);
		(void)unit_update(u, r->started ? u->st.state : WORK_FAILED,
		    detail, -1);
		if (!r->started) {
			job_pending(r);
			job_stop(r);
			return;
		}
	}
	if (r->job == RJOB_CANCEL && r->release == 2) {
		/* force-release: one try, then the unit goes anyway */
		cancel_reply(r, 0);
		return;
	}
	job_pending(r);
	job_retry(r);
}

/* Whoever waits on the first try hears that the job goes on. */
static void
job_pending(struct remote *r)
{
	if (r->job == RJOB_START && r->unit->submit != NULL)
		submit_started(r->unit->submit, "Job Submitted");
	else if (r->job == RJOB_CANCEL && r->waiting)
		cancel_reply(r, 1);
}

static void
job_retry(struct remote *r)
{
	timer_arm(&r->ev_retry, job_try, r, r->delay_ms);
	r->delay_ms += r->delay_ms / 2;
	if (r->delay_ms > REMOTE_RETRY_MAX_MS)
		r->delay_ms = REMOTE_RETRY_MAX_MS;
}

/* *ev, made the first time, fires in ms milliseconds. */
static void
timer_arm(struct event **ev, event_callback_fn fn, struct remote *r,
    int64_t ms)
{
	struct timeval	 tv;

	if (ms < 0)
		ms = 0;
	tv.tv_sec = ms / 1000;
	tv.tv_usec = ms % 1000 * 1000;
	if (*ev == NULL && (*ev = evtimer_new(child_base(), fn, r)) == NULL)
		fatal("remote unit");
	if (evtimer_add(*ev, &tv) == -1)
		fatal("remote unit");
}

/* No job any more: its sessions and timers go. */
static void
job_stop(struct remote *r)
{
	rconn_close(r->conn);
	r->conn = NULL;
	results_stop(r);
	if (r->ev_retry != NULL)
		evtimer_del(r->ev_retry);
	if (r->ev_poll != NULL)
		evtimer_del(r->ev_poll);
	if (r->ev_expire != NULL)
		evtimer_del(r->ev_expire);
	r->job = RJOB_NONE;
}

/* Go's startRemoteUnit: the submit line, params and all. */
static void
start_send(struct remote *r)
{
	struct cmd_field	*f;
	size_t			 i, n = 0;
	char			 err[1024];

	if ((f = calloc(r->nparams + 6, sizeof(*f))) == NULL)
		fatal("remote unit");
	f[n++] = (struct cmd_field){ "command", "work", 0 };
	f[n++] = (struct cmd_field){ "subcommand", "submit", 0 };
	f[n++] = (struct cmd_field){ "node", r->node, 0 };
	f[n++] = (struct cmd_field){ "worktype", r->worktype, 0 };
	f[n++] = (struct cmd_field){ "tlsclient", r->tlsclient, 0 };
	/* Go's map: a param named as one of these loses to it. */
	for (i = 0; i < r->nparams; i++)
		if (strcmp(r->params[i].key, "command") != 0 &&
		    strcmp(r->params[i].key, "subcommand") != 0 &&
		    strcmp(r->params[i].key, "node") != 0 &&
		    strcmp(r->params[i].key, "worktype") != 0 &&
		    strcmp(r->params[i].key, "tlsclient") != 0 &&
		    strcmp(r->params[i].key, "signature") != 0)
			f[n++] = (struct cmd_field){ r->params[i].key,
			    r->params[i].value, 0 };
	if (send_cmd(r, r->conn, f, n, err, sizeof(err)) == -1) {
		free(f);
		start_fail(r, err);
		return;
	}
	free(f);
	rconn_read_line(r->conn, REMOTE_REPLY_TIMEOUT, start_created);
}

/* "Work unit created with ID <id>. Send stdin data and EOF." */
static void
start_created(struct rconn *rc, const char *line, const char *err, void *arg)
{
	struct remote	*r = arg;
	const char	*p, *id;
	char		 why[1024];
	int		 fd;

	if (err != NULL) {
		start_fail(r, err);
		return;
	}
	for (p = line; (p = strstr(p, "with ID ")) != NULL; p++) {
		id = p + 8;
		p = id + strspn(id, "abcdefghijklmnopqrstuvwxyz"
		    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789");
		if (p > id && *p == '.')
			break;
		p = id - 1;
	}
	if (p == NULL) {
		(void)snprintf(why, sizeof(why), "could not parse response: "
		    "%s", line);
		start_fail(r, why);
		return;
	}
	free(r->unitid);
	if ((r->unitid = strndup(id, p - id)) == NULL)
		fatal("remote unit");
	(void)remote_save(r);
	if ((fd = unit_open(r->unit, "stdin", O_RDONLY)) == -1 ||
	    rconn_send_file(rc, fd) == -1) {
		(void)snprintf(why, sizeof(why), "error opening stdin file: "
		    "%s", go_strerror(errno));
		start_fail(r, why);
		return;
	}
	rconn_read_line(rc, REMOTE_STARTED_TIMEOUT, start_done);
}

/* The far node's answer to the payload: started, or its error. */
static void
start_done(struct rconn *rc, const char *line, const char *err, void *arg)
{
	struct remote	*r = arg;
	const char	*e;
	char		 why[1024];

	if (err != NULL) {
		start_fail(r, err);
		return;
	}
	if ((e = strstr(line, "ERROR: ")) != NULL) {
		(void)snprintf(why, sizeof(why), "error from remote: %s",
		    e + 7);
		start_fail(r, why);
		return;
	}
	rconn_close(rc);
	r->conn = NULL;
	r->started = 1;
	(void)remote_save(r);
	if (r->ev_expire != NULL)
		evtimer_del(r->ev_expire);
	if (r->unit->submit != NULL)
		submit_started(r->unit->submit, "Job Started");
	monitor_start(r, 0);
}

/*
 * Go's Start error: the unit fails, and a client still waiting hears
 * why. (Go drops the error of a start retried in the background and
 * leaves the unit Pending.)
 */
static void
start_fail(struct remote *r, const char *err)
{
	char	 detail[1200];

	log_warnx("[%s] remote start on %s: %s", r->unit->id, r->node, err);
	job_stop(r);
	if (r->unit->submit != NULL) {
		submit_fail(r->unit->submit, "Error starting worker: ", err);
		return;
	}
	(void)snprintf(detail, sizeof(detail), "Error starting worker: %s",
	    err);
	(void)unit_update(r->unit, WORK_FAILED, detail, -1);
}

/*
 * Go's cancelOrRelease. release: 0 cancel, 1 release, 2 force-release.
 * The reply goes to reqid, at once or after the first try.
 */
void
remote_cancel(struct unit *u, uint32_t reqid, int release)
{
	struct remote	*r = u->remote;
	char		 id[UNIT_ID_MAX + 1], err[512];

	r->cancelled = 1;
	if (release)
		r->released = 1;
	(void)remote_save(r);
	if (u->submit != NULL)
		submit_fail(u->submit, NULL, release ?
		    "work unit was released" : "work unit was cancelled");
	if (r->waiting) {
		r->waiting = 0;
		control_cancel_reply(r->reqid, u->id, r->release, 1);
	}
	job_stop(r);
	if (!r->started) {
		if (release) {
			(void)strlcpy(id, u->id, sizeof(id));
			unit_remove(u, 1, err, sizeof(err));
			control_cancel_reply(reqid, id, 1, 0);
			return;
		}
		(void)unit_update(u, WORK_FAILED, "Locally Cancelled", 0);
		control_cancel_reply(reqid, u->id, 0, 0);
		return;
	}
	r->job = RJOB_CANCEL;
	r->release = release;
	r->waiting = 1;
	r->reqid = reqid;
	r->delay_ms = REMOTE_RETRY_MIN_MS;
	job_try(-1, 0, r);
}

static void
cancel_send(struct remote *r)
{
	struct cmd_field	 f[4];
	char			 err[1024];

	f[0] = (struct cmd_field){ "command", "work", 0 };
	f[1] = (struct cmd_field){ "subcommand", r->release ? "release" :
	    "cancel", 0 };
	f[2] = (struct cmd_field){ "unitid", r->unitid, 0 };
	if (send_cmd(r, r->conn, f, 3, err, sizeof(err)) == -1) {
		cancel_done(r->conn, NULL, err, r);
		return;
	}
	rconn_read_line(r->conn, REMOTE_REPLY_TIMEOUT, cancel_done);
}

/*
 * The far node's answer. An error goes to a client still waiting; the
 * monitor runs on either way, so that the unit ends up as the far one.
 */
static void
cancel_done(struct rconn *rc, const char *line, const char *err, void *arg)
{
	struct remote	*r = arg;
	char		 why[1024];

	if (err == NULL && strncmp(line, "ERROR", 5) == 0) {
		(void)snprintf(why, sizeof(why), "error cancelling remote "
		    "unit: %s", line[5] != '\0' ? line + 6 : "");
		err = why;
	}
	rconn_close(rc);
	r->conn = NULL;
	if (r->release == 2) {
		cancel_reply(r, 0);
		return;
	}
	if (err != NULL && r->waiting) {
		r->waiting = 0;
		workd_reply(r->reqid, WORK_REPLY_ERROR, err);
	} else if (r->waiting)
		cancel_reply(r, 0);
	monitor_start(r, r->release);
}

/*
 * {"cancelled"|"released"|"cancel pending"|"release pending": id}; a
 * force-release takes the unit now, whatever the far node said.
 */
static void
cancel_reply(struct remote *r, int pending)
{
	struct unit	*u = r->unit;
	char		 id[UNIT_ID_MAX + 1], err[512];
	uint32_t	 reqid = r->reqid;
	int		 waiting = r->waiting;

	r->waiting = 0;
	if (r->release == 2) {
		(void)strlcpy(id, u->id, sizeof(id));
		unit_remove(u, 1, err, sizeof(err));
		if (waiting)
			control_cancel_reply(reqid, id, 2, 0);
		return;
	}
	if (waiting)
		control_cancel_reply(r->reqid, u->id, r->release, pending);
}

/*
 * Go's monitorRemoteUnit: status every second; stdout while the far one
 * is longer; for a release, status only, until the far unit is gone.
 */
static void
monitor_start(struct remote *r, int for_release)
{
	struct unit	*u = r->unit;
	int		 fd;

	job_stop(r);
	r->job = RJOB_MONITOR;
	r->for_release = for_release;
	r->delay_ms = REMOTE_RETRY_MIN_MS;
	/* Go makes stdout first: a follower then waits for its bytes. */
	if (!for_release && (fd = unit_open(u, "stdout", O_WRONLY | O_CREAT |
	    O_APPEND)) != -1)
		close(fd);
	if (!for_release && work_state_complete(u->st.state) &&
	    unit_stdout_size(u) >= u->st.stdout_size) {
		monitor_end(r);
		return;
	}
	job_try(-1, 0, r);
}

static void
monitor_poll(struct remote *r)
{
	char	 line[UNIT_ID_MAX + 64];
	int	 n;

	if (r->conn == NULL) {
		job_try(-1, 0, r);
		return;
	}
	n = snprintf(line, sizeof(line), "work status %s\n", r->unitid);
	rconn_send(r->conn, line, n);
	rconn_read_line(r->conn, REMOTE_STATUS_TIMEOUT, monitor_status);
}

static void
monitor_status(struct rconn *rc, const char *line, const char *err,
    void *arg)
{
	struct remote		*r = arg;
	struct unit		*u = r->unit;
	struct work_status	 st;
	char			 why[256];

	if (err != NULL) {
		/* The stdout stream is likely on the same dead path. */
		log_debug("[%s] %s", u->id, err);
		rconn_close(rc);
		r->conn = NULL;
		results_stop(r);
		job_retry(r);
		return;
	}
	if (strncmp(line, "ERROR", 5) == 0) {
		if (strstr(line, "unknown work unit") != NULL) {
			log_debug("[%s] Work unit %s on node %s is gone.",
			    u->id, r->unitid, r->node);
			if (!r->for_release)
				(void)unit_update(u, WORK_FAILED,
				    "Remote work unit is gone", -1);
		} else
			log_warnx("[%s] Remote error: %s", u->id,
			    line[5] != '\0' ? line + 6 : "");
		monitor_end(r);
		return;
	}
	work_status_init(&st);
	if (work_status_decode(line, strlen(line), &st, why,
	    sizeof(why)) == -1) {
		log_warnx("[%s] Error unmarshalling JSON: %s", u->id, line);
		work_status_clear(&st);
		monitor_end(r);
		return;
	}
	(void)unit_update(u, st.state, st.detail != NULL ? st.detail : "",
	    st.stdout_size);
	work_status_clear(&st);
	results_wake(u);
	if (!r->for_release) {
		results_check(r);
		if (r->job != RJOB_MONITOR)
			return;
	}
	r->polled_early = 0;
	timer_arm(&r->ev_poll, monitor_tick, r, REMOTE_POLL_MS);
}

/*
 * Go's monitorRemoteStdout, one step: done, or more to fetch. Go asks
 * for results only once a status shows more stdout than it has; we
 * follow a running unit's stdout as it is written, so that its output
 * arrives at once.
 */
static void
results_check(struct remote *r)
{
	struct unit	*u = r->unit;
	int64_t		 local = unit_stdout_size(u);

	if (work_state_complete(u->st.state) && local >= u->st.stdout_size) {
		if (r->results == NULL)
			monitor_end(r);
		return;
	}
	if (r->results == NULL && (local < u->st.stdout_size ||
	    u->st.state == WORK_RUNNING))
		r->results = rconn_open(r->node, r->tlsclient, results_ready,
		    r);
}

static void
results_ready(struct rconn *rc, const char *err, void *arg)
{
	struct remote		*r = arg;
	struct cmd_field	 f[5];
	char			 why[1024];

	if (err != NULL) {
		log_debug("[%s] Connection to %s failed with error: %s",
		    r->unit->id, r->node, err);
		results_stop(r);
		return;
	}
	f[0] = (struct cmd_field){ "command", "work", 0 };
	f[1] = (struct cmd_field){ "subcommand", "results", 0 };
	f[2] = (struct cmd_field){ "unitid", r->unitid, 0 };
	f[3] = (struct cmd_field){ "startpos", NULL,
	    unit_stdout_size(r->unit) };
	if (send_cmd(r, rc, f, 4, why, sizeof(why)) == -1) {
		log_warnx("[%s] could not create signature to get results: "
		    "%s", r->unit->id, why);
		monitor_end(r);
		return;
	}
	rconn_read_line(rc, REMOTE_REPLY_TIMEOUT, results_streaming);
}

static void
results_streaming(struct rconn *rc, const char *line, const char *err,
    void *arg)
{
	struct remote	*r = arg;
	int		 fd;

	if (err != NULL || strstr(line, "Streaming results") == NULL) {
		log_warnx("[%s] Remote node %s did not stream results%s%s",
		    r->unit->id, r->node, err != NULL ? ": " : "",
		    err != NULL ? err : "");
		results_stop(r);
		return;
	}
	if ((fd = unit_open(r->unit, "stdout", O_WRONLY | O_APPEND |
	    O_CREAT)) == -1) {
		log_warn("[%s] Could not open stdout file", r->unit->id);
		results_stop(r);
		return;
	}
	r->stdoutfd = fd;
	rconn_copy(rc, fd, results_copied);
}

/* The far node ended the stream: whatever came is ours now. */
static void
results_copied(struct rconn *rc, const char *err, void *arg)
{
	struct remote	*r = arg;

	if (err != NULL)
		log_warnx("[%s] Could not copy to stdout file: %s",
		    r->unit->id, err);
	results_stop(r);
	results_wake(r->unit);
	/* Likely the far unit's end: its status now, once a second at most. */
	if (r->job == RJOB_MONITOR && r->ev_poll != NULL &&
	    evtimer_pending(r->ev_poll, NULL) && !r->polled_early) {
		r->polled_early = 1;
		evtimer_del(r->ev_poll);
		monitor_poll(r);
	}
}

static void
results_stop(struct remote *r)
{
	rconn_close(r->results);
	r->results = NULL;
	if (r->stdoutfd != -1)
		close(r->stdoutfd);
	r->stdoutfd = -1;
}

/* The monitor is done; a release then takes the local unit. */
static void
monitor_end(struct remote *r)
{
	struct unit	*u = r->unit;
	char		 err[512];

	job_stop(r);
	results_wake(u);
	if (r->for_release)
		unit_remove(u, 0, err, sizeof(err));
}

/*
 * Go's Restart. A unit started on the far node is followed again, or
 * its cancel or release sent again; one that was not fails, as it has
 * no payload left to trust.
 */
void
remote_restart(struct unit *u)
{
	struct remote	*r = u->remote;

	if (r->started) {
		if (r->cancelled || r->released) {
			r->job = RJOB_CANCEL;
			r->release = r->released;
			r->delay_ms = REMOTE_RETRY_MIN_MS;
			job_try(-1, 0, r);
		} else
			monitor_start(r, 0);
		return;
	}
	if (!work_state_complete(u->st.state) &&
	    u->st.state != WORK_CANCELED)
		(void)unit_update(u, WORK_FAILED, "Failed to restart: remote "
		    "work had not previously started", unit_stdout_size(u));
}

/* The unit is going: nothing of it may run on. */
void
remote_forget(struct unit *u)
{
	struct remote	*r = u->remote;

	job_stop(r);
	if (r->ev_retry != NULL)
		event_free(r->ev_retry);
	if (r->ev_poll != NULL)
		event_free(r->ev_poll);
	if (r->ev_expire != NULL)
		event_free(r->ev_expire);
	remote_free(r);
	u->remote = NULL;
}

/* Go's setExpiration: not started by then, the unit fails. */
static void
expire_arm(struct remote *r)
{
	struct gotime	 now;
	int64_t		 ms;

	if (r->expiration.sec == GOTIME_ZERO_SEC)
		return;
	gotime_now(&now);
	ms = (r->expiration.sec - now.sec) * 1000 +
	    (r->expiration.nsec - now.nsec) / 1000000;
	timer_arm(&r->ev_expire, expire, r, ms);
}

static void
expire(evutil_socket_t fd, short events, void *arg)
{
	struct remote	*r = arg;
	struct tm	 tm;
	time_t		 t = r->expiration.sec;
	char		 when[64], detail[128];

	if (r->started)
		return;
	/* Go's "Mon Jan 2 15:04:05": the day of the month unpadded */
	if (localtime_r(&t, &tm) == NULL)
		memset(&tm, 0, sizeof(tm));
	(void)strftime(when, sizeof(when), "%a %b ", &tm);
	(void)snprintf(when + strlen(when), sizeof(when) - strlen(when),
	    "%d %02d:%02d:%02d", tm.tm_mday, tm.tm_hour, tm.tm_min,
	    tm.tm_sec);
	(void)snprintf(detail, sizeof(detail), "Work unit expired on %s",
	    when);
	job_stop(r);
	(void)unit_update(r->unit, WORK_FAILED, detail, -1);
	if (r->unit->submit != NULL)
		submit_fail(r->unit->submit, NULL, detail);
}

/* The unit's whole status, with this ExtraData, to its file. */
int
remote_save(struct remote *r)
{
	struct gjbuf	 b;

	gj_init(&b);
	remote_encode(&b, r, 0);
	gj_raw(&b, "", 1);
	if (b.err != NULL)
		fatalx("remote unit: %s", b.err);
	if (work_status_set(&r->unit->st.extra, b.buf) == -1)
		fatal("remote unit");
	gj_free(&b);
	return unit_save(r->unit);
}

static int
field_cmp(const void *a, const void *b)
{
	const struct cmd_field	*fa = a, *fb = b;

	return strcmp(fa->key, fb->key);
}

/*
 * One JSON command line as Go's json.Marshal of a map writes it (keys
 * sorted), with the signature Go adds to every command of a SignWork
 * unit. f must have room for one more field.
 */
static int
send_cmd(struct remote *r, struct rconn *rc, struct cmd_field *f, size_t n,
    char *err, size_t errlen)
{
	struct gjbuf	 b;
	char		*token = NULL;
	size_t		 i;

	if (r->signwork) {
		if (sign_token(r->node, &token, err, errlen) == -1)
			return -1;
		f[n++] = (struct cmd_field){ "signature", token, 0 };
	}
	qsort(f, n, sizeof(*f), field_cmp);
	gj_init(&b);
	gj_obj_open(&b);
	for (i = 0; i < n; i++) {
		gj_key(&b, f[i].key);
		if (f[i].str != NULL)
			gj_str(&b, f[i].str);
		else
			gj_i64(&b, f[i].num);
	}
	gj_obj_close(&b);
	gj_raw(&b, "\n", 1);
	if (b.err != NULL)
		fatalx("remote unit: %s", b.err);
	rconn_send(rc, b.buf, b.len);
	gj_free(&b);
	free(token);
	return 0;
}
