/*
 * runner: owns one work unit's command, as Go receptor's commandRunner
 * (pkg/workceptor/command.go) does. The parent forks it, calls setsid(),
 * drops privileges and execs it; from then on it belongs to no daemon
 * process and outlives them all. It starts the command in a process
 * group of its own, writes the unit's status file while the command
 * runs and when it ends, and on SIGINT or SIGTERM (a cancel) stops the
 * whole group.
 */
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/timerfd.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "gojson.h"
#include "log.h"
#include "shlex.h"
#include "workstatus.h"

/* Go's os.Exit(-1), and ExitCode() of a command killed by a signal */
#define EXIT_RUNNER	255
#define TICK_MS		250
#define GRACE_MS	10000
/* Go gives up after more failed writes in a row than this. */
#define MAX_FAILURES	3
#define TEXT_MAX	(PATH_MAX + 256)

struct runner {
	const char	*unitdir;
	int		 dirfd;
	int		 sigfd;
	pid_t		 pid;		/* the command, its group's leader */
	int64_t		 written;	/* StdoutSize last written, or -1 */
	int		 failures;
};

/* Go's syscall.Signal.String() on Linux */
static const char *const signames[] = {
	[SIGHUP] = "hangup",
	[SIGINT] = "interrupt",
	[SIGQUIT] = "quit",
	[SIGILL] = "illegal instruction",
	[SIGTRAP] = "trace/breakpoint trap",
	[SIGABRT] = "aborted",
	[SIGBUS] = "bus error",
	[SIGFPE] = "floating point exception",
	[SIGKILL] = "killed",
	[SIGUSR1] = "user defined signal 1",
	[SIGSEGV] = "segmentation fault",
	[SIGUSR2] = "user defined signal 2",
	[SIGPIPE] = "broken pipe",
	[SIGALRM] = "alarm clock",
	[SIGTERM] = "terminated",
	[SIGSTKFLT] = "stack fault",
	[SIGCHLD] = "child exited",
	[SIGCONT] = "continued",
	[SIGSTOP] = "stopped (signal)",
	[SIGTSTP] = "stopped",
	[SIGTTIN] = "stopped (tty input)",
	[SIGTTOU] = "stopped (tty output)",
	[SIGURG] = "urgent I/O condition",
	[SIGXCPU] = "CPU time limit exceeded",
	[SIGXFSZ] = "file size limit exceeded",
	[SIGVTALRM] = "virtual timer expired",
	[SIGPROF] = "profiling timer expired",
	[SIGWINCH] = "window changed",
	[SIGIO] = "I/O possible",
	[SIGPWR] = "power failure",
	[SIGSYS] = "bad system call",
};

static __dead void	 usage(void);
static const char	*go_strerror(int, char *, size_t);
static void		 go_quote(char *, size_t, const char *);
static void		 unit_path(const struct runner *, const char *, char *,
			    size_t);
static int64_t		 stdout_size(const struct runner *);
static int		 set_status(const struct runner *, int64_t,
			    const char *);
static __dead void	 fail(const struct runner *, const char *);
static int		 open_unit_file(const struct runner *, const char *,
			    int, char *, size_t);
static int		 find_command(const char *, char *, size_t, char *,
			    size_t);
static __dead void	 exec_child(const char *, char **, int, int, int);
static int		 start(struct runner *, const char *, char **, int, int,
			    char *, size_t);
static void		 report_running(struct runner *);
static int		 next_signal(struct runner *, int);
static int		 wait_exit(struct runner *, int);
static __dead void	 cancel(struct runner *);
static __dead void	 finish(const struct runner *, int);
static void		 std_fds(void);

static __dead void
usage(void)
{
	fprintf(stderr, "usage: runner unitdir command params\n");
	exit(1);
}

/* Go's texts are the C library's, lowercased unless an acronym leads. */
static const char *
go_strerror(int e, char *buf, size_t len)
{
	snprintf(buf, len, "%s", strerror(e));
	if (buf[0] >= 'A' && buf[0] <= 'Z' && buf[1] >= 'a' && buf[1] <= 'z')
		buf[0] += 'a' - 'A';
	return buf;
}

/*
 * strconv.Quote, for the names of commands: ASCII escaped as Go does;
 * valid UTF-8 is kept, where Go would escape the runes it can't print.
 */
static void
go_quote(char *out, size_t len, const char *s)
{
	static const char	 from[] = "\a\b\f\n\r\t\v\"\\";
	static const char	 to[] = "abfnrtv\"\\";
	const char		*e;
	size_t			 o = 0, left = strlen(s), n;

	out[o++] = '"';
	for (; left > 0 && o + 8 < len; s += n, left -= n) {
		if ((n = gj_utf8_len(s, left)) > 1) {
			memcpy(out + o, s, n);
			o += n;
			continue;
		}
		n = 1;
		if ((e = strchr(from, *s)) != NULL) {
			out[o++] = '\\';
			out[o++] = to[e - from];
		} else if ((unsigned char)*s < 0x20 || (unsigned char)*s >= 0x7f)
			o += snprintf(out + o, len - o, "\\x%02x",
			    (unsigned char)*s);
		else
			out[o++] = *s;
	}
	out[o++] = '"';
	out[o] = '\0';
}

/* path.Join(unitdir, name), for messages that must read as Go's. */
static void
unit_path(const struct runner *r, const char *name, char *buf, size_t len)
{
	size_t	 n = strlen(r->unitdir);

	while (n > 1 && r->unitdir[n - 1] == '/')
		n--;
	snprintf(buf, len, "%.*s/%s", (int)n, r->unitdir, name);
}

/* Go's stdoutSize(): 0 when there is no such file. */
static int64_t
stdout_size(const struct runner *r)
{
	struct stat	 sb;

	if (fstatat(r->dirfd, "stdout", &sb, AT_SYMLINK_NOFOLLOW) == -1 ||
	    !S_ISREG(sb.st_mode))
		return 0;
	return sb.st_size;
}

static int
set_status(const struct runner *r, int64_t state, const char *detail)
{
	char	 err[TEXT_MAX];

	if (work_status_update(r->dirfd, state, detail, stdout_size(r), NULL,
	    err, sizeof(err)) == -1) {
		log_error("Error updating status file in %s: %s", r->unitdir,
		    err);
		return -1;
	}
	return 0;
}

/* The command could not start: Go's commandRunnerCfg.Run(). */
static __dead void
fail(const struct runner *r, const char *why)
{
	(void)set_status(r, WORK_FAILED, why);
	log_error("Command runner exited with error: %s", why);
	exit(EXIT_RUNNER);
}

/* Go's texts, "open <path>: <error>"; no symbolic link followed. */
static int
open_unit_file(const struct runner *r, const char *name, int flags,
    char *err, size_t errlen)
{
	char	 path[PATH_MAX], why[128];
	int	 fd;

	if ((fd = openat(r->dirfd, name, flags | O_CLOEXEC | O_NOFOLLOW,
	    0600)) == -1) {
		unit_path(r, name, path, sizeof(path));
		snprintf(err, errlen, "open %s: %s", path,
		    go_strerror(errno, why, sizeof(why)));
	}
	return fd;
}

/*
 * exec.Command's exec.LookPath: a name with a '/' is used as it is,
 * any other is looked for in $PATH ("" there being "."), and one found
 * through a relative directory is refused.
 */
static int
find_command(const char *name, char *path, size_t len, char *err,
    size_t errlen)
{
	struct stat	 sb;
	const char	*dirs, *end;
	char		 quoted[PATH_MAX];
	size_t		 n;

	if (*name == '\0') {
		snprintf(err, errlen, "exec: no command");
		return -1;
	}
	if (strchr(name, '/') != NULL) {
		snprintf(path, len, "%s", name);
		return 0;
	}
	go_quote(quoted, sizeof(quoted), name);
	if ((dirs = getenv("PATH")) == NULL || *dirs == '\0')
		dirs = NULL;
	for (; dirs != NULL; dirs = *end == ':' ? end + 1 : NULL) {
		end = dirs + strcspn(dirs, ":");
		n = end - dirs;
		while (n > 1 && dirs[n - 1] == '/')
			n--;
		if (n == 0)
			snprintf(path, len, "%s", name);
		else if (n == 1 && *dirs == '/')
			snprintf(path, len, "/%s", name);
		else
			snprintf(path, len, "%.*s/%s", (int)n, dirs, name);
		if (stat(path, &sb) == -1 || S_ISDIR(sb.st_mode) ||
		    faccessat(AT_FDCWD, path, X_OK, AT_EACCESS) == -1)
			continue;
		if (*path != '/') {
			snprintf(err, errlen, "exec: %s: cannot run executable "
			    "found relative to current directory", quoted);
			return -1;
		}
		return 0;
	}
	snprintf(err, errlen, "exec: %s: executable file not found in $PATH",
	    quoted);
	return -1;
}

/*
 * The command's process: a group of its own for cancel to reach its
 * whole tree, signals as a new program expects them, and no descriptor
 * but 0, 1 and 2. Why exec failed goes back through errfd.
 */
static __dead void
exec_child(const char *path, char **argv, int in, int out, int errfd)
{
	/* All zeros: SIG_DFL, whatever the kernel's field order. */
	static const unsigned long	 dfl[8];
	sigset_t			 none;
	int				 sig, e;

	(void)setpgid(0, 0);
	/*
	 * Not sigaction(3): glibc refuses the two signals it keeps for
	 * itself (32, 33), and an ancestor may have left them ignored.
	 */
	for (sig = 1; sig < NSIG; sig++)
		(void)syscall(SYS_rt_sigaction, sig, dfl, NULL, NSIG / 8);
	sigemptyset(&none);
	(void)sigprocmask(SIG_SETMASK, &none, NULL);
	if (dup2(in, STDIN_FILENO) != -1 && dup2(out, STDOUT_FILENO) != -1 &&
	    dup2(out, STDERR_FILENO) != -1) {
		(void)close_range(STDERR_FILENO + 1, ~0U, CLOSE_RANGE_CLOEXEC);
		execve(path, argv, environ);
	}
	e = errno;
	(void)write(errfd, &e, sizeof(e));
	_exit(127);
}

static int
start(struct runner *r, const char *path, char **argv, int in, int out,
    char *err, size_t errlen)
{
	char	 why[128];
	ssize_t	 n;
	int	 p[2], e;

	if (pipe2(p, O_CLOEXEC) == -1 || (r->pid = fork()) == -1) {
		snprintf(err, errlen, "fork/exec %s: %s", path,
		    go_strerror(errno, why, sizeof(why)));
		return -1;
	}
	if (r->pid == 0)
		exec_child(path, argv, in, out, p[1]);
	/* Either of us may be first; the other's setpgid is then a no-op. */
	(void)setpgid(r->pid, r->pid);
	close(p[1]);
	while ((n = read(p[0], &e, sizeof(e))) == -1 && errno == EINTR)
		;
	close(p[0]);
	if (n == sizeof(e)) {
		(void)waitpid(r->pid, NULL, 0);
		snprintf(err, errlen, "fork/exec %s: %s", path,
		    go_strerror(e, why, sizeof(why)));
		return -1;
	}
	return 0;
}

/*
 * Go rewrites the status every 250 ms; a write that would change
 * nothing we set is skipped.
 */
static void
report_running(struct runner *r)
{
	char	 detail[64], err[TEXT_MAX];
	int64_t	 size = stdout_size(r);

	if (size == r->written)
		return;
	snprintf(detail, sizeof(detail), "Running: PID %ld", (long)r->pid);
	if (work_status_update(r->dirfd, WORK_RUNNING, detail, size, NULL,
	    err, sizeof(err)) == 0) {
		r->written = size;
		r->failures = 0;
		return;
	}
	log_error("Error updating status file in %s: %s", r->unitdir, err);
	if (++r->failures > MAX_FAILURES) {
		log_error("Exceeded retries for updating status file in %s: %s",
		    r->unitdir, err);
		exit(EXIT_RUNNER);
	}
}

/* The next signal within ms (-1: no limit); 0 if none came. */
static int
next_signal(struct runner *r, int ms)
{
	struct signalfd_siginfo	 si;
	struct pollfd		 pfd;
	int			 n;

	pfd.fd = r->sigfd;
	pfd.events = POLLIN;
	if ((n = poll(&pfd, 1, ms)) == -1 && errno != EINTR)
		fatal("poll");
	if (n <= 0)
		return 0;
	if (read(r->sigfd, &si, sizeof(si)) != sizeof(si))
		fatal("signalfd");
	return si.ssi_signo;
}

/*
 * Until the command has exited, within ms (-1: no limit). It stays a
 * zombie, so that its group's ID can't be reused before we signal it.
 */
static int
wait_exit(struct runner *r, int ms)
{
	struct timespec	 now, end;
	siginfo_t	 si;
	int		 left = ms;

	clock_gettime(CLOCK_MONOTONIC, &end);
	end.tv_sec += ms / 1000;
	end.tv_nsec += ms % 1000 * 1000000L;
	for (;;) {
		memset(&si, 0, sizeof(si));
		if (waitid(P_PID, r->pid, &si, WEXITED | WNOHANG | WNOWAIT) ==
		    -1)
			fatal("waitid");
		if (si.si_pid == r->pid)
			return 0;
		if (ms >= 0) {
			clock_gettime(CLOCK_MONOTONIC, &now);
			left = (end.tv_sec - now.tv_sec) * 1000 +
			    (end.tv_nsec - now.tv_nsec) / 1000000;
			if (left <= 0)
				return -1;
		}
		(void)next_signal(r, ms >= 0 ? left : -1);
	}
}

/*
 * Go's termThenKill, then "Killed". Go kills the command alone; we kill
 * its group, also once it is gone, so that nothing it started is left.
 */
static __dead void
cancel(struct runner *r)
{
	(void)kill(-r->pid, SIGINT);
	if (wait_exit(r, GRACE_MS) == -1) {
		log_warnx("timed out waiting for pid %ld to terminate with "
		    "SIGINT", (long)r->pid);
		log_info("sending SIGKILL to pid %ld", (long)r->pid);
		(void)kill(-r->pid, SIGKILL);
		(void)wait_exit(r, -1);
	}
	(void)kill(-r->pid, SIGKILL);
	(void)waitpid(r->pid, NULL, 0);
	(void)set_status(r, WORK_FAILED, "Killed");
	exit(EXIT_RUNNER);
}

/* Go's ProcessState.String() and ExitCode(). */
static __dead void
finish(const struct runner *r, int status)
{
	char	 detail[64];
	int	 sig;

	if (WIFEXITED(status)) {
		snprintf(detail, sizeof(detail), "exit status %d",
		    WEXITSTATUS(status));
		(void)set_status(r, WEXITSTATUS(status) == 0 ?
		    WORK_SUCCEEDED : WORK_FAILED, detail);
		exit(WEXITSTATUS(status));
	}
	sig = WTERMSIG(status);
	if (sig < (int)(sizeof(signames) / sizeof(signames[0])) &&
	    signames[sig] != NULL)
		snprintf(detail, sizeof(detail), "signal: %s%s", signames[sig],
		    WCOREDUMP(status) ? " (core dumped)" : "");
	else
		snprintf(detail, sizeof(detail), "signal: signal %d%s", sig,
		    WCOREDUMP(status) ? " (core dumped)" : "");
	(void)set_status(r, WORK_FAILED, detail);
	exit(EXIT_RUNNER);
}

/* 0, 1 and 2 open, so that no file of ours lands there by chance. */
static void
std_fds(void)
{
	int	 fd;

	for (fd = STDIN_FILENO; fd <= STDERR_FILENO; fd++)
		if (fcntl(fd, F_GETFD) == -1 &&
		    open("/dev/null", O_RDWR) == -1)
			exit(EXIT_RUNNER);
}

int
main(int argc, char *argv[])
{
	struct runner		 r;
	struct itimerspec	 tick;
	struct pollfd		 pfd[2];
	sigset_t		 mask;
	char			 err[TEXT_MAX], path[PATH_MAX], **args, **cmdv;
	size_t			 nargs;
	uint64_t		 ticks;
	int			 in, out, timerfd, status;

	std_fds();
	log_init(LOG_LEVEL_INFO, "runner");
	if (argc != 4)
		usage();
	memset(&r, 0, sizeof(r));
	r.unitdir = argv[1];
	r.written = -1;

	/* A cancel that comes early waits for the command to be there. */
	sigemptyset(&mask);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGCHLD);
	if (sigprocmask(SIG_BLOCK, &mask, NULL) == -1 ||
	    (r.sigfd = signalfd(-1, &mask, SFD_CLOEXEC)) == -1)
		fatal("signalfd");
	/* The log may be a pipe the daemon no longer reads. */
	signal(SIGPIPE, SIG_IGN);

	if ((r.dirfd = open(r.unitdir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) ==
	    -1) {
		log_error("Command runner exited with error: open %s: %s",
		    r.unitdir, strerror(errno));
		exit(EXIT_RUNNER);
	}
	if (work_status_update(r.dirfd, WORK_PENDING, "Not started yet", 0,
	    NULL, err, sizeof(err)) == -1)
		log_error("Error updating status file in %s: %s", r.unitdir,
		    err);

	if (shlex_split(argv[3], &args, &nargs, err, sizeof(err)) == -1)
		fail(&r, err);
	if ((cmdv = calloc(nargs + 2, sizeof(*cmdv))) == NULL)
		fatal("calloc");
	cmdv[0] = argv[2];
	memcpy(cmdv + 1, args, nargs * sizeof(*args));
	if ((in = open_unit_file(&r, "stdin", O_RDONLY, err,
	    sizeof(err))) == -1)
		fail(&r, err);
	/*
	 * Go opens it O_SYNC; we don't: each write of the command would
	 * wait for the disk, and its readers see the page cache anyway.
	 */
	if ((out = open_unit_file(&r, "stdout", O_WRONLY | O_CREAT, err,
	    sizeof(err))) == -1)
		fail(&r, err);
	if (find_command(argv[2], path, sizeof(path), err, sizeof(err)) == -1 ||
	    start(&r, path, cmdv, in, out, err, sizeof(err)) == -1)
		fail(&r, err);
	close(in);
	close(out);
	free(cmdv);
	shlex_free(args);

	if ((timerfd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC)) == -1)
		fatal("timerfd_create");
	tick.it_value.tv_sec = tick.it_interval.tv_sec = 0;
	tick.it_value.tv_nsec = tick.it_interval.tv_nsec = TICK_MS * 1000000L;
	if (timerfd_settime(timerfd, 0, &tick, NULL) == -1)
		fatal("timerfd_settime");
	pfd[0].fd = r.sigfd;
	pfd[0].events = POLLIN;
	pfd[1].fd = timerfd;
	pfd[1].events = POLLIN;
	for (;;) {
		if (poll(pfd, 2, -1) == -1) {
			if (errno == EINTR)
				continue;
			fatal("poll");
		}
		if (pfd[0].revents & POLLIN) {
			switch (next_signal(&r, 0)) {
			case SIGCHLD:
				if (waitpid(r.pid, &status, WNOHANG) == r.pid)
					finish(&r, status);
				break;
			case SIGINT:
			case SIGTERM:
				cancel(&r);
			}
		}
		if ((pfd[1].revents & POLLIN) &&
		    read(timerfd, &ticks, sizeof(ticks)) == sizeof(ticks))
			report_running(&r);
	}
}
