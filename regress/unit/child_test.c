/*
 * A child process (netd, workd, ctld) run on its own with a socket of the
 * test's as its parent channel: whatever arrives there, it must log and
 * exit cleanly, never crash or hang.
 */
#include <sys/socket.h>
#include <sys/wait.h>
#include <atf-c.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "imsg.h"
#include "proc.h"
#include "proto.h"

static const char *const roles[] = { "netd", "workd", "ctld" };

struct spawned {
	pid_t	 pid;
	int	 chan;		/* our end of its parent channel */
	int	 log;		/* its stderr */
};

static void
spawn(const atf_tc_t *tc, const char *role, struct spawned *s)
{
	char	 path[1024];
	int	 sv[2], out[2];

	snprintf(path, sizeof(path), "%s/../../libexec/receptor/%s",
	    atf_tc_get_config_var(tc, "srcdir"), role);
	ATF_REQUIRE(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0,
	    sv) == 0);
	ATF_REQUIRE(pipe2(out, O_CLOEXEC) == 0);
	ATF_REQUIRE((s->pid = fork()) != -1);
	if (s->pid == 0) {
		if (dup2(sv[1], PROC_PARENT_FD) == -1 ||
		    dup2(out[1], STDERR_FILENO) == -1)
			_exit(126);
		execl(path, role, (char *)NULL);
		_exit(127);
	}
	close(sv[1]);
	close(out[1]);
	s->chan = sv[0];
	s->log = out[0];
}

/* Waits at most 10 s for the child; returns its wait status. */
static int
reap(struct spawned *s)
{
	int	 status, i;

	for (i = 0; i < 1000; i++) {
		if (waitpid(s->pid, &status, WNOHANG) == s->pid)
			return status;
		poll(NULL, 0, 10);
	}
	kill(s->pid, SIGKILL);
	waitpid(s->pid, &status, 0);
	atf_tc_fail("child %ld did not exit", (long)s->pid);
}

static char *
read_log(struct spawned *s)
{
	static char	 buf[8192];
	ssize_t		 n;
	size_t		 len = 0;

	while (len < sizeof(buf) - 1 &&
	    (n = read(s->log, buf + len, sizeof(buf) - 1 - len)) > 0)
		len += n;
	buf[len] = '\0';
	close(s->log);
	close(s->chan);
	return buf;
}

static void
send_bytes(struct spawned *s, const void *p, size_t len)
{
	ATF_REQUIRE(write(s->chan, p, len) == (ssize_t)len);
}

ATF_TC(garbage);
ATF_TC_HEAD(garbage, tc)
{
	atf_tc_set_md_var(tc, "descr", "Garbage on the parent channel is "
	    "logged and the child exits without crashing");
}
ATF_TC_BODY(garbage, tc)
{
	struct spawned	 s;
	unsigned char	 junk[256];
	size_t		 i, r;
	int		 status;

	srandom(time(NULL));
	for (r = 0; r < 3; r++) {
		for (i = 0; i < sizeof(junk); i++)
			junk[i] = random();
		/* A length below the header size is never valid. */
		memset(junk + 4, 0, 4);
		junk[4] = 5;
		spawn(tc, roles[r], &s);
		send_bytes(&s, junk, sizeof(junk));
		status = reap(&s);
		ATF_CHECK_MSG(WIFEXITED(status), "%s died by a signal",
		    roles[r]);
		ATF_CHECK_MSG(strstr(read_log(&s), "malformed message from "
		    "parent") != NULL, "%s logged nothing", roles[r]);
	}
}

ATF_TC(oversize);
ATF_TC_HEAD(oversize, tc)
{
	atf_tc_set_md_var(tc, "descr", "A frame above the size limit "
	    "closes the channel");
}
ATF_TC_BODY(oversize, tc)
{
	struct spawned	 s;
	struct imsg_hdr	 hdr = { IMSG_HELLO, 1 << 24, 0, 0, 0 };
	size_t		 r;
	int		 status;

	for (r = 0; r < 3; r++) {
		spawn(tc, roles[r], &s);
		send_bytes(&s, &hdr, sizeof(hdr));
		status = reap(&s);
		ATF_CHECK(WIFEXITED(status));
		ATF_CHECK(strstr(read_log(&s), "malformed message") != NULL);
	}
}

ATF_TC(bad_hello);
ATF_TC_HEAD(bad_hello, tc)
{
	atf_tc_set_md_var(tc, "descr", "A well-framed HELLO with a wrong "
	    "payload makes the child exit with status 1");
}
ATF_TC_BODY(bad_hello, tc)
{
	struct spawned	 s;
	struct imsgchan	 chan;
	size_t		 r;
	int		 status;

	for (r = 0; r < 3; r++) {
		spawn(tc, roles[r], &s);
		imsgchan_init(&chan, dup(s.chan));
		ATF_REQUIRE(imsg_compose(&chan, IMSG_HELLO, 0, -1, "xyz",
		    3) == 0);
		ATF_REQUIRE(imsg_flush_all(&chan) == 0);
		status = reap(&s);
		ATF_CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 1);
		ATF_CHECK(strstr(read_log(&s), "malformed hello") != NULL);
		imsgchan_clear(&chan);
	}
}

ATF_TC(parent_eof);
ATF_TC_HEAD(parent_eof, tc)
{
	atf_tc_set_md_var(tc, "descr", "A child exits at once when its "
	    "parent channel closes");
}
ATF_TC_BODY(parent_eof, tc)
{
	struct spawned	 s;
	size_t		 r;
	int		 status;

	for (r = 0; r < 3; r++) {
		spawn(tc, roles[r], &s);
		close(s.chan);
		s.chan = -1;
		status = reap(&s);
		ATF_CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
		close(s.log);
	}
}

ATF_TP_ADD_TCS(tp)
{
	ATF_TP_ADD_TC(tp, garbage);
	ATF_TP_ADD_TC(tp, oversize);
	ATF_TP_ADD_TC(tp, bad_hello);
	ATF_TP_ADD_TC(tp, parent_eof);
	return atf_no_error();
}
