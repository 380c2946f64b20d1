/*
 * Command units' runners. workd may neither exec nor signal another
 * process, so it asks; the parent checks each request against its own
 * configuration (a configured work type, runtime params only where
 * allowed) and the unit's directory, then starts the runner in a session
 * of its own, so that it outlives the daemon, as the user the children
 * run as. Each runner, started here or found running by workd at start,
 * is watched through a pidfd, and workd is told when it ends.
 */
#include <sys/queue.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "proto.h"
#include "receptor.h"
#include "util.h"

struct runner {
	TAILQ_ENTRY(runner)	 entry;
	char			 unit[UNIT_ID_MAX + 1];
	pid_t			 pid;
	int			 pidfd;
	int			 execfd;	/* until its exec is known */
	struct event		*ev;
};

static TAILQ_HEAD(, runner)	 runners = TAILQ_HEAD_INITIALIZER(runners);

static void	launch(const char *, const char *, const char *);
static const struct cfg_item *launch_check(const char *, const char *,
		    char *, size_t);
static struct runner *launch_fork(const char *, const char *, const char *,
		    char *, size_t);
static void	launch_exec(evutil_socket_t, short, void *);
static void	launched(const char *, pid_t, const char *);
static __dead void launch_child(const char *, const char *, const char *,
		    const struct passwd *, int);
static int	unit_dir(const char *, char *, size_t);
static void	watch(struct imsgev *, const char *, pid_t);
static void	watch_fd(struct runner *);
static struct runner *runner_new(const char *, pid_t, int);
static void	runner_free(struct runner *);
static int	is_runner_of(pid_t, const char *);
static void	runner_signal(struct imsgev *, const char *, pid_t);
static void	runner_ended(evutil_socket_t, short, void *);
static void	gone(struct imsgev *, const char *, pid_t);

/* A message of workd's about runners. */
void
launch_dispatch(struct imsgev *workd, struct imsg *imsg)
{
	struct msgread	 mr;
	char		*unit, *type = NULL, *params = NULL;
	uint32_t	 pid = 0;

	msg_read_init(&mr, imsg);
	unit = msg_get_str(&mr);
	if (imsg->hdr.type == IMSG_WORK_LAUNCH) {
		type = msg_get_str(&mr);
		params = msg_get_str(&mr);
	} else
		pid = msg_get_u32(&mr);
	if (msg_read_end(&mr) == -1 || unit == NULL ||
	    !unit_id_valid(unit) || (imsg->hdr.type == IMSG_WORK_LAUNCH &&
	    (type == NULL || params == NULL)) || pid > INT_MAX) {
		log_warnx("malformed runner request from workd");
		goto done;
	}
	switch (imsg->hdr.type) {
	case IMSG_WORK_LAUNCH:
		launch(unit, type, params);
		break;
	case IMSG_WORK_WATCH:
		watch(workd, unit, pid);
		break;
	case IMSG_WORK_SIGNAL:
		runner_signal(workd, unit, pid);
		break;
	}
 done:
	free(unit);
	free(type);
	free(params);
}

static void
launch(const char *unit, const char *type, const char *params)
{
	const struct cfg_item	*wc;
	struct runner		*r;
	char			 err[256], *all;

	if ((wc = launch_check(type, params, err, sizeof(err))) == NULL) {
		launched(unit, 0, err);
		return;
	}
	all = work_params_join(cfg_str(wc, "params"), params);
	r = launch_fork(unit, cfg_str(wc, "command"), all, err, sizeof(err));
	free(all);
	if (r == NULL)
		launched(unit, 0, err);
}

/* The answer to workd: the runner's pid, or 0 and why not. */
static void
launched(const char *unit, pid_t pid, const char *err)
{
	struct msgbuild	 mb;

	msg_init(&mb);
	msg_add_str(&mb, unit);
	msg_add_u32(&mb, pid);
	msg_add_str(&mb, err);
	if (imsgev_msg(&rc->children[ROLE_WORKD].iev, &mb, IMSG_WORK_LAUNCHED,
	    0, -1) == -1)
		log_warn("runner reply to workd");
}

/* The work-command item of type, if the parent's configuration allows. */
static const struct cfg_item *
launch_check(const char *type, const char *params, char *err, size_t errlen)
{
	struct cfg_item	*wc;

	for (wc = config_first(rc->conf, "work-command"); wc != NULL;
	    wc = config_next(wc, "work-command"))
		if (strcmp(cfg_str(wc, "worktype"), type) == 0)
			break;
	if (wc == NULL) {
		(void)snprintf(err, errlen, "unknown work type %s", type);
		return NULL;
	}
	if (*params != '\0' && !cfg_bool(wc, "allowruntimeparams")) {
		(void)strlcpy(err, "extra params provided but not allowed",
		    errlen);
		return NULL;
	}
	return wc;
}

/*
 * The runner, forked; NULL with err set. Its pidfd is taken while it is
 * our child not yet reaped, so surely ours. Whether its exec worked
 * comes later, on a close-on-exec pipe (launch_exec()), so that the
 * parent never waits for it.
 */
static struct runner *
launch_fork(const char *unit, const char *command, const char *params,
    char *err, size_t errlen)
{
	static struct passwd	 pw;
	struct passwd		*p;
	struct runner		*r;
	const char		*user;
	char			 dir[PATH_MAX];
	int			 fds[2], pidfd;
	pid_t			 pid;

	if (unit_dir(unit, dir, sizeof(dir)) == -1) {
		(void)strlcpy(err, "unit directory path too long", errlen);
		return NULL;
	}
	/* The user, looked up once: the children run as it already. */
	if (geteuid() == 0 && pw.pw_name == NULL) {
		user = rc->cmd.user != NULL ? rc->cmd.user : RECEPTOR_USER;
		if ((p = getpwnam(user)) == NULL) {
			(void)snprintf(err, errlen, "user %s does not exist",
			    user);
			return NULL;
		}
		pw = *p;
		pw.pw_name = (char *)user;
	}
	if (pipe2(fds, O_CLOEXEC | O_NONBLOCK) == -1) {
		(void)snprintf(err, errlen, "pipe: %s", strerror(errno));
		return NULL;
	}
	if ((pid = fork()) == -1) {
		(void)snprintf(err, errlen, "fork: %s", strerror(errno));
		close(fds[0]);
		close(fds[1]);
		return NULL;
	}
	if (pid == 0) {
		close(fds[0]);
		launch_child(dir, command, params,
		    pw.pw_name != NULL ? &pw : NULL, fds[1]);
	}
	close(fds[1]);
	if ((pidfd = syscall(SYS_pidfd_open, pid, 0)) == -1)
		fatal("pidfd_open");
	r = runner_new(unit, pid, pidfd);
	r->execfd = fds[0];
	if ((r->ev = event_new(rc->base, r->execfd, EV_READ, launch_exec,
	    r)) == NULL || event_add(r->ev, NULL) == -1)
		fatalx("runner %ld: cannot watch it", (long)pid);
	return r;
}

/* EOF: the runner runs; else the errno of its failed exec. */
static void
launch_exec(evutil_socket_t fd, short events, void *arg)
{
	struct runner	*r = arg;
	char		 err[128];
	ssize_t		 n;
	int		 child_errno;

	n = read(fd, &child_errno, sizeof(child_errno));
	if (n == -1 && (errno == EAGAIN || errno == EINTR)) {
		event_add(r->ev, NULL);
		return;
	}
	event_free(r->ev);
	r->ev = NULL;
	close(r->execfd);
	r->execfd = -1;
	if (n == sizeof(child_errno)) {
		(void)snprintf(err, sizeof(err), "fork/exec runner: %s",
		    strerror(child_errno));
		launched(r->unit, 0, err);
		runner_free(r);
		return;
	}
	log_debug("[%s] started runner, pid %ld", r->unit, (long)r->pid);
	launched(r->unit, r->pid, "");
	watch_fd(r);
}

/*
 * In the forked child: a session of its own, ordinary signal handling,
 * the user's identity when we are root, nothing of ours open but the
 * log on stdout and stderr.
 */
static __dead void
launch_child(const char *dir, const char *command, const char *params,
    const struct passwd *pw, int errfd)
{
	char		 path[sizeof(rc->libexec) + sizeof("/runner")];
	char		*argv[5];
	sigset_t	 all;
	gid_t		 gid;
	int		 null;

	if (setsid() == -1)
		goto fail;
	sigemptyset(&all);
	if (signal(SIGPIPE, SIG_DFL) == SIG_ERR ||
	    sigprocmask(SIG_SETMASK, &all, NULL) == -1)
		goto fail;
	if (pw != NULL) {
		gid = pw->pw_gid;
		if (setgroups(1, &gid) == -1 ||
		    setresgid(gid, gid, gid) == -1 ||
		    setresuid(pw->pw_uid, pw->pw_uid, pw->pw_uid) == -1)
			goto fail;
	}
	if ((null = open("/dev/null", O_RDONLY)) == -1 ||
	    dup2(null, STDIN_FILENO) == -1)
		goto fail;
	if (errfd != 3) {
		if (dup2(errfd, 3) == -1 || fcntl(3, F_SETFD, FD_CLOEXEC) == -1)
			goto fail;
		errfd = 3;
	}
	if (syscall(SYS_close_range, 4, ~0U, 0) == -1)
		goto fail;
	(void)snprintf(path, sizeof(path), "%s/runner", rc->libexec);
	argv[0] = "runner";
	argv[1] = (char *)dir;
	argv[2] = (char *)command;
	argv[3] = (char *)params;
	argv[4] = NULL;
	execv(path, argv);
 fail:
	(void)write(errfd, &errno, sizeof(errno));
	_exit(127);
}

/* datadir/nodeID/unit, as Go's workceptor names it. */
static int
unit_dir(const char *unit, char *buf, size_t len)
{
	int	 n;

	n = snprintf(buf, len, "%s/%s/%s", config_datadir(rc->conf),
	    cfg_str(config_first(rc->conf, "node"), "id"), unit);
	return n < 0 || (size_t)n >= len ? -1 : 0;
}

/* A runner found running: watched once it is known to be the unit's. */
static void
watch(struct imsgev *workd, const char *unit, pid_t pid)
{
	int	 pidfd;

	if (pid <= 0 ||
	    (pidfd = syscall(SYS_pidfd_open, pid, 0)) == -1) {
		gone(workd, unit, pid);
		return;
	}
	if (!is_runner_of(pid, unit)) {
		log_warnx("[%s] pid %ld is not the unit's runner", unit,
		    (long)pid);
		close(pidfd);
		gone(workd, unit, pid);
		return;
	}
	watch_fd(runner_new(unit, pid, pidfd));
}

static void
watch_fd(struct runner *r)
{
	if ((r->ev = event_new(rc->base, r->pidfd, EV_READ, runner_ended,
	    r)) == NULL || event_add(r->ev, NULL) == -1)
		fatalx("runner %ld: cannot watch it", (long)r->pid);
}

static struct runner *
runner_new(const char *unit, pid_t pid, int pidfd)
{
	struct runner	*r;

	if ((r = calloc(1, sizeof(*r))) == NULL)
		fatal("runner");
	(void)strlcpy(r->unit, unit, sizeof(r->unit));
	r->pid = pid;
	r->pidfd = pidfd;
	r->execfd = -1;
	TAILQ_INSERT_TAIL(&runners, r, entry);
	return r;
}

static void
runner_free(struct runner *r)
{
	TAILQ_REMOVE(&runners, r, entry);
	if (r->ev != NULL)
		event_free(r->ev);
	if (r->execfd != -1)
		close(r->execfd);
	close(r->pidfd);
	free(r);
}

/*
 * Whether pid runs the unit's command: our runner names the directory
 * as its first argument, Go's as "unitdir=DIR". A pid reused by some
 * other process is never signalled nor taken for the runner.
 */
static int
is_runner_of(pid_t pid, const char *unit)
{
	char	 path[64], dir[PATH_MAX], go[PATH_MAX + 8], args[16384];
	char	*p, *end;
	ssize_t	 n;
	int	 fd, argn;

	if (unit_dir(unit, dir, sizeof(dir)) == -1)
		return 0;
	(void)snprintf(go, sizeof(go), "unitdir=%s", dir);
	(void)snprintf(path, sizeof(path), "/proc/%ld/cmdline", (long)pid);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return 0;
	n = read(fd, args, sizeof(args) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	args[n] = '\0';
	end = args + n;
	for (p = args, argn = 0; p < end; p += strlen(p) + 1, argn++)
		if ((argn == 1 && strcmp(p, dir) == 0) || strcmp(p, go) == 0)
			return 1;
	return 0;
}

/* Cancel: SIGINT, which the runner passes to the command's group. */
static void
runner_signal(struct imsgev *workd, const char *unit, pid_t pid)
{
	struct runner	*r;

	TAILQ_FOREACH(r, &runners, entry)
		if (r->pid == pid && strcmp(r->unit, unit) == 0)
			break;
	if (r == NULL) {
		gone(workd, unit, pid);
		return;
	}
	if (kill(pid, SIGINT) == -1)
		log_warn("[%s] signal runner %ld", unit, (long)pid);
}

static void
runner_ended(evutil_socket_t fd, short events, void *arg)
{
	struct runner	*r = arg;

	log_debug("[%s] runner %ld ended", r->unit, (long)r->pid);
	gone(&rc->children[ROLE_WORKD].iev, r->unit, r->pid);
	runner_free(r);
}

static void
gone(struct imsgev *workd, const char *unit, pid_t pid)
{
	struct msgbuild	 mb;

	if (!workd->open)
		return;
	msg_init(&mb);
	msg_add_str(&mb, unit);
	msg_add_u32(&mb, pid > 0 ? pid : 0);
	if (imsgev_msg(workd, &mb, IMSG_WORK_GONE, 0, -1) == -1)
		log_warn("runner news to workd");
}
