/*
 * The runner binary on a unit directory of the test's, with real
 * commands: the status file it leaves as Go's commandRunner would, the
 * command's output, its exit code, and a cancel that leaves no process
 * of the command's group behind.
 */
#include <sys/inotify.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <atf-c.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "testfile.h"

#define UNIT		"unit"
#define GO_PENDING	"{\"State\":0,\"Detail\":\"Unit Created\"," \
			"\"StdoutSize\":0,\"WorkType\":\"cmd\"," \
			"\"ExtraData\":{\"Pid\":0,\"Params\":\"p\"}}\n"

static int	 sigfd = -1;

static void	 setup(const char *);
static long	 ms_since(const struct timespec *);
static pid_t	 spawn(const atf_tc_t *, const char *, const char *);
static int	 reap(pid_t, int);
static int	 run(const atf_tc_t *, const char *, const char *);
static void	 check_status(const char *);
static pid_t	 wait_running(const char *, int);
static void	 wait_group_gone(pid_t, int);

/*
 * A unit directory with stdin, as workd leaves it. We become the
 * subreaper of what the command leaves, to see it die; SIGCHLD tells
 * us of any death.
 */
static void
setup(const char *in)
{
	sigset_t	 mask;

	ATF_REQUIRE(mkdir(UNIT, 0700) == 0);
	put_file(UNIT "/stdin", in);
	put_file(UNIT "/status", GO_PENDING);
	ATF_REQUIRE(prctl(PR_SET_CHILD_SUBREAPER, 1) == 0);
	sigemptyset(&mask);
	sigaddset(&mask, SIGCHLD);
	ATF_REQUIRE(sigprocmask(SIG_BLOCK, &mask, NULL) == 0);
	ATF_REQUIRE((sigfd = signalfd(-1, &mask, SFD_CLOEXEC)) != -1);
}



static long
ms_since(const struct timespec *t0)
{
	struct timespec	 now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (now.tv_sec - t0->tv_sec) * 1000 +
	    (now.tv_nsec - t0->tv_nsec) / 1000000;
}

/*
 * The runner, with a signal ignored and fd 7 open: the command must
 * inherit neither.
 */
static pid_t
spawn(const atf_tc_t *tc, const char *cmd, const char *params)
{
	char		 path[1024];
	sigset_t	 none;
	pid_t		 pid;

	snprintf(path, sizeof(path), "%s/../../libexec/receptor/runner",
	    atf_tc_get_config_var(tc, "srcdir"));
	ATF_REQUIRE((pid = fork()) != -1);
	if (pid == 0) {
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		/* as a shell's background job leaves it */
		signal(SIGQUIT, SIG_IGN);
		if (dup2(STDERR_FILENO, 7) == -1)
			_exit(126);
		execl(path, "runner", UNIT, cmd, params, (char *)NULL);
		_exit(127);
	}
	return pid;
}

/* pid's wait status, within secs; anything else that dies is reaped. */
static int
reap(pid_t pid, int secs)
{
	struct signalfd_siginfo	 si;
	struct pollfd		 pfd = { sigfd, POLLIN, 0 };
	struct timespec		 t0;
	pid_t			 p;
	int			 status, left;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		while ((p = waitpid(-1, &status, WNOHANG)) > 0)
			if (p == pid)
				return status;
		if ((left = secs * 1000 - ms_since(&t0)) <= 0)
			break;
		if (poll(&pfd, 1, left) == 1)
			ATF_REQUIRE(read(sigfd, &si, sizeof(si)) == sizeof(si));
	}
	kill(pid, SIGKILL);
	atf_tc_fail("pid %ld still there after %d s", (long)pid, secs);
}

/* The runner's exit code, once it is done with the command. */
static int
run(const atf_tc_t *tc, const char *cmd, const char *params)
{
	int	 status = reap(spawn(tc, cmd, params), 10);

	ATF_REQUIRE(WIFEXITED(status));
	return WEXITSTATUS(status);
}

/* The status file, ExtraData and WorkType kept from GO_PENDING. */
static void
check_status(const char *head)
{
	char	 want[1024];

	snprintf(want, sizeof(want), "%s,\"WorkType\":\"cmd\","
	    "\"ExtraData\":{\"Pid\":0,\"Params\":\"p\"}}\n", head);
	ATF_CHECK_STREQ(get_file(UNIT "/status"), want);
}

/*
 * Until the status says Running with stdout holding at least the text
 * out; returns the command's PID from it. Each change of the unit
 * directory wakes us.
 */
static pid_t
wait_running(const char *out, int secs)
{
	struct timespec	 t0;
	struct pollfd	 pfd;
	char		 buf[4096], *s;
	long		 pid;
	int		 left;

	ATF_REQUIRE((pfd.fd = inotify_init1(IN_CLOEXEC)) != -1);
	pfd.events = POLLIN;
	ATF_REQUIRE(inotify_add_watch(pfd.fd, UNIT, IN_MODIFY |
	    IN_CLOSE_WRITE) != -1);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		s = get_file(UNIT "/status");
		if (sscanf(s, "{\"State\":1,\"Detail\":\"Running: PID %ld\"",
		    &pid) == 1 && strcmp(get_file(UNIT "/stdout"), out) == 0)
			break;
		if ((left = secs * 1000 - ms_since(&t0)) <= 0)
			atf_tc_fail("not running after %d s: %s", secs, s);
		if (poll(&pfd, 1, left) == 1)
			ATF_REQUIRE(read(pfd.fd, buf, sizeof(buf)) > 0);
	}
	close(pfd.fd);
	return pid;
}

/* Until no process is left in the group, reaping those that die. */
static void
wait_group_gone(pid_t pgid, int secs)
{
	struct signalfd_siginfo	 si;
	struct pollfd		 pfd = { sigfd, POLLIN, 0 };
	struct timespec		 t0;
	int			 left;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		while (waitpid(-1, NULL, WNOHANG) > 0)
			;
		if (kill(-pgid, 0) == -1 && errno == ESRCH)
			return;
		if ((left = secs * 1000 - ms_since(&t0)) <= 0)
			break;
		if (poll(&pfd, 1, left) == 1)
			ATF_REQUIRE(read(sigfd, &si, sizeof(si)) == sizeof(si));
	}
	kill(-pgid, SIGKILL);
	atf_tc_fail("process group %ld still there after %d s", (long)pgid,
	    secs);
}

ATF_TC_WITHOUT_HEAD(echo);
ATF_TC_BODY(echo, tc)
{
	setup("");
	ATF_CHECK_EQ(run(tc, "echo", "hello 'big  world' \"a\\\"b\" # no"), 0);
	ATF_CHECK_STREQ(get_file(UNIT "/stdout"), "hello big  world a\"b\n");
	check_status("{\"State\":2,\"Detail\":\"exit status 0\","
	    "\"StdoutSize\":21");
}

ATF_TC_WITHOUT_HEAD(cat);
ATF_TC_BODY(cat, tc)
{
	struct stat	 sb;

	setup("line 1\nline 2\n");
	ATF_CHECK_EQ(run(tc, "cat", ""), 0);
	ATF_CHECK_STREQ(get_file(UNIT "/stdout"), "line 1\nline 2\n");
	check_status("{\"State\":2,\"Detail\":\"exit status 0\","
	    "\"StdoutSize\":14");
	ATF_REQUIRE(stat(UNIT "/stdout", &sb) == 0);
	ATF_CHECK_EQ(sb.st_mode & 07777, 0600);
	ATF_REQUIRE(stat(UNIT "/status.lock", &sb) == 0);
	ATF_CHECK_EQ(sb.st_mode & 07777, 0600);
}

ATF_TC_WITHOUT_HEAD(exits);
ATF_TC_BODY(exits, tc)
{
	setup("");
	ATF_CHECK_EQ(run(tc, "false", ""), 1);
	check_status("{\"State\":3,\"Detail\":\"exit status 1\","
	    "\"StdoutSize\":0");
	/* stderr goes to stdout as well */
	ATF_CHECK_EQ(run(tc, "sh", "-c 'echo err >&2; exit 7'"), 7);
	check_status("{\"State\":3,\"Detail\":\"exit status 7\","
	    "\"StdoutSize\":4");
	ATF_CHECK_STREQ(get_file(UNIT "/stdout"), "err\n");
	ATF_CHECK_EQ(run(tc, "sh", "-c 'kill -TERM $$'"), 255);
	check_status("{\"State\":3,\"Detail\":\"signal: terminated\","
	    "\"StdoutSize\":4");
	ATF_CHECK_EQ(run(tc, "sh", "-c 'kill -USR2 $$'"), 255);
	check_status("{\"State\":3,\"Detail\":\"signal: user defined signal "
	    "2\",\"StdoutSize\":4");
}

/* What Go's exec.Command and Start() say, as Go's Run() records it. */
ATF_TC_WITHOUT_HEAD(start_errors);
ATF_TC_BODY(start_errors, tc)
{
	setup("");
	ATF_REQUIRE(unlink(UNIT "/stdin") == 0);
	ATF_CHECK_EQ(run(tc, "cat", ""), 255);
	check_status("{\"State\":3,\"Detail\":\"open unit/stdin: no such file "
	    "or directory\",\"StdoutSize\":0");
	ATF_CHECK(access(UNIT "/stdout", F_OK) == -1);
	put_file(UNIT "/stdin", "");

	ATF_CHECK_EQ(run(tc, "echo", "'unclosed"), 255);
	check_status("{\"State\":3,\"Detail\":\"EOF found when expecting "
	    "closing quote\",\"StdoutSize\":0");
	ATF_CHECK_EQ(run(tc, "echo", "x\\"), 255);
	check_status("{\"State\":3,\"Detail\":\"EOF found after escape "
	    "character\",\"StdoutSize\":0");
	ATF_CHECK_EQ(run(tc, "no-such-command-here", ""), 255);
	check_status("{\"State\":3,\"Detail\":\"exec: \\\"no-such-command-here"
	    "\\\": executable file not found in $PATH\",\"StdoutSize\":0");
	ATF_CHECK_EQ(run(tc, "/nonexistent/cmd", ""), 255);
	check_status("{\"State\":3,\"Detail\":\"fork/exec /nonexistent/cmd: "
	    "no such file or directory\",\"StdoutSize\":0");
	put_file("script", "echo no #! line\n");
	ATF_REQUIRE(chmod("script", 0755) == 0);
	ATF_CHECK_EQ(run(tc, "./script", ""), 255);
	check_status("{\"State\":3,\"Detail\":\"fork/exec ./script: exec "
	    "format error\",\"StdoutSize\":0");
	ATF_CHECK_EQ(run(tc, UNIT "/stdin", ""), 255);
	check_status("{\"State\":3,\"Detail\":\"fork/exec unit/stdin: "
	    "permission denied\",\"StdoutSize\":0");
}

/* The command's stdout can't lead out of the unit's directory. */
ATF_TC_WITHOUT_HEAD(symlinks);
ATF_TC_BODY(symlinks, tc)
{
	setup("secret\n");
	put_file("outside", "");
	ATF_REQUIRE(symlink("../outside", UNIT "/stdout") == 0);
	ATF_CHECK_EQ(run(tc, "cat", ""), 255);
	check_status("{\"State\":3,\"Detail\":\"open unit/stdout: too many "
	    "levels of symbolic links\",\"StdoutSize\":0");
	ATF_CHECK_STREQ(get_file("outside"), "");
}

/*
 * The command starts clean: no signal blocked or ignored, no descriptor
 * but 0, 1, 2 (and the one ls opens), a process group of its own.
 */
ATF_TC_WITHOUT_HEAD(environment);
ATF_TC_BODY(environment, tc)
{
	long	 pid, pgrp;
	char	*s;

	setup("");
	ATF_CHECK_EQ(run(tc, "grep", "-E '^Sig(Blk|Ign)' /proc/self/status"),
	    0);
	ATF_CHECK_STREQ(get_file(UNIT "/stdout"),
	    "SigBlk:\t0000000000000000\nSigIgn:\t0000000000000000\n");
	ATF_REQUIRE(unlink(UNIT "/stdout") == 0);
	ATF_CHECK_EQ(run(tc, "ls", "/proc/self/fd"), 0);
	ATF_CHECK_STREQ(get_file(UNIT "/stdout"), "0\n1\n2\n3\n");
	ATF_REQUIRE(unlink(UNIT "/stdout") == 0);
	ATF_CHECK_EQ(run(tc, "cat", "/proc/self/stat"), 0);
	s = strrchr(get_file(UNIT "/stdout"), ')');
	ATF_REQUIRE(s != NULL && sscanf(s, ") %*c %*d %ld", &pgrp) == 1);
	ATF_REQUIRE(sscanf(get_file(UNIT "/stdout"), "%ld", &pid) == 1);
	ATF_CHECK_EQ(pid, pgrp);
}

/*
 * While it runs, the status says so with the size of stdout; SIGINT
 * cancels: the command and what it started are gone, status "Killed".
 */
ATF_TC_WITHOUT_HEAD(cancel);
ATF_TC_BODY(cancel, tc)
{
	char	 head[128];
	pid_t	 runner, pid;
	int	 status;

	setup("");
	runner = spawn(tc, "sh", "-c 'echo up; sleep 100 & sleep 100 & wait'");
	pid = wait_running("up\n", 10);
	snprintf(head, sizeof(head), "{\"State\":1,\"Detail\":\"Running: "
	    "PID %ld\",\"StdoutSize\":3", (long)pid);
	check_status(head);
	ATF_CHECK_EQ(getpgid(pid), pid);
	ATF_REQUIRE(kill(runner, SIGINT) == 0);
	status = reap(runner, 10);
	ATF_CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 255);
	check_status("{\"State\":3,\"Detail\":\"Killed\",\"StdoutSize\":3");
	wait_group_gone(pid, 10);
}

ATF_TC_WITHOUT_HEAD(cancel_term);
ATF_TC_BODY(cancel_term, tc)
{
	pid_t	 runner, pid;
	int	 status;

	setup("");
	runner = spawn(tc, "sleep", "100");
	pid = wait_running("", 10);
	ATF_REQUIRE(kill(runner, SIGTERM) == 0);
	status = reap(runner, 10);
	ATF_CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 255);
	check_status("{\"State\":3,\"Detail\":\"Killed\",\"StdoutSize\":0");
	wait_group_gone(pid, 10);
}

/* A command deaf to SIGINT gets SIGKILL after Go's 10 s. */
ATF_TC(cancel_kill);
ATF_TC_HEAD(cancel_kill, tc)
{
	atf_tc_set_md_var(tc, "timeout", "60");
}
ATF_TC_BODY(cancel_kill, tc)
{
	struct timespec	 t0;
	pid_t		 runner, pid;
	long		 ms;
	int		 status;

	setup("");
	runner = spawn(tc, "sh", "-c 'trap \"\" INT; echo deaf; sleep 100'");
	pid = wait_running("deaf\n", 10);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	ATF_REQUIRE(kill(runner, SIGINT) == 0);
	status = reap(runner, 20);
	ms = ms_since(&t0);
	ATF_CHECK_MSG(ms >= 9900 && ms < 15000, "killed after %ld ms", ms);
	ATF_CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 255);
	check_status("{\"State\":3,\"Detail\":\"Killed\",\"StdoutSize\":5");
	wait_group_gone(pid, 10);
}

ATF_TP_ADD_TCS(tp)
{
	ATF_TP_ADD_TC(tp, echo);
	ATF_TP_ADD_TC(tp, cat);
	ATF_TP_ADD_TC(tp, exits);
	ATF_TP_ADD_TC(tp, start_errors);
	ATF_TP_ADD_TC(tp, symlinks);
	ATF_TP_ADD_TC(tp, environment);
	ATF_TP_ADD_TC(tp, cancel);
	ATF_TP_ADD_TC(tp, cancel_term);
	ATF_TP_ADD_TC(tp, cancel_kill);
	return atf_no_error();
}
