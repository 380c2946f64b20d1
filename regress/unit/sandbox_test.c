/*
 * Each test forks a child that enters a role's sandbox, signals that it is
 * ready (so its /proc status can be read while it lives), then does one
 * thing: allowed work that must succeed, or a forbidden call that must end
 * in death by SIGSYS.
 *
 * Run as root, the children also drop privileges: to "nobody", chrooted
 * (netd, ctld) into a fresh root-owned directory under a temporary one;
 * the privdrop tests are skipped for other users, who exercise the rest.
 */
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <atf-c.h>
#include <errno.h>
#include <event2/event.h>
#include <fcntl.h>
#include <ftw.h>
#include <pthread.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "sandbox.h"

#if defined(__SANITIZE_ADDRESS__)
#define TEST_ASAN	1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define TEST_ASAN	1
#endif
#endif

struct fixture {
	char			 dir[64];
	char			 chroot[128];
	char			 datadir[128];
	struct sandbox_conf	 conf;
	int			 pair[2];	/* for the event loop */
	int			 listener;	/* ctld accepts on it */
	int			 client;	/* connected to listener */
};

struct result {
	int			 ready;		/* got through sandbox_enter */
	int			 status;	/* from waitpid */
	char			 proc[4096];	/* /proc/<pid>/status */
	char			 root[256];	/* /proc/<pid>/root */
	char			 err[8192];	/* the child's stderr */
};

typedef int	(*child_fn)(struct fixture *);

/* In the child: report what went wrong on the captured stderr, exit. */
#define CHILD_REQUIRE(c) do {						\
	if (!(c)) {							\
		dprintf(STDERR_FILENO, "%s:%d: %s failed (errno %d)\n",	\
		    __FILE__, __LINE__, #c, errno);			\
		_exit(1);						\
	}								\
} while (0)

static int	rm_entry(const char *, const struct stat *, int, struct FTW *);

static void
fixture_init(struct fixture *fx)
{
	memset(fx, 0, sizeof(*fx));
	strlcpy(fx->dir, "/tmp/sandbox_test.XXXXXX", sizeof(fx->dir));
	ATF_REQUIRE(mkdtemp(fx->dir) != NULL);
	/* The unprivileged user must reach the datadir below it. */
	ATF_REQUIRE(chmod(fx->dir, 0755) == 0);
	snprintf(fx->chroot, sizeof(fx->chroot), "%s/empty", fx->dir);
	snprintf(fx->datadir, sizeof(fx->datadir), "%s/data/work", fx->dir);
	fx->conf.user = "nobody";
	fx->conf.chroot = fx->chroot;
	fx->conf.datadir = fx->datadir;
	ATF_REQUIRE(socketpair(AF_UNIX, SOCK_STREAM, 0, fx->pair) == 0);
	fx->listener = fx->client = -1;
}

static int
rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	return remove(path);
}

static void
fixture_free(struct fixture *fx)
{
	nftw(fx->dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	close(fx->pair[0]);
	close(fx->pair[1]);
	if (fx->listener != -1)
		close(fx->listener);
	if (fx->client != -1)
		close(fx->client);
}

static void
read_file(const char *path, char *buf, size_t size)
{
	ssize_t	 n;
	int	 fd;

	buf[0] = '\0';
	if ((fd = open(path, O_RDONLY)) == -1)
		return;
	n = read(fd, buf, size - 1);
	buf[n > 0 ? n : 0] = '\0';
	close(fd);
}

static void
run(enum proc_role role, struct fixture *fx, child_fn fn, struct result *res)
{
	struct rlimit	 nocore = { 0, 0 };
	char		 path[64], c = 'x';
	size_t		 len = 0;
	ssize_t		 n;
	pid_t		 pid;
	int		 ready[2], go[2], err[2];

	memset(res, 0, sizeof(*res));
	ATF_REQUIRE(pipe(ready) == 0 && pipe(go) == 0 && pipe(err) == 0);
	ATF_REQUIRE((pid = fork()) != -1);
	if (pid == 0) {
		close(ready[0]);
		close(go[1]);
		close(err[0]);
		dup2(err[1], STDERR_FILENO);
		/* Deaths by SIGSYS are expected; leave no core files. */
		setrlimit(RLIMIT_CORE, &nocore);
		log_init(LOG_LEVEL_DEBUG, role_name(role));
		sandbox_enter(role, &fx->conf);
		CHILD_REQUIRE(write(ready[1], &c, 1) == 1);
		CHILD_REQUIRE(read(go[0], &c, 1) == 1);
		_exit(fn(fx));
	}
	close(ready[1]);
	close(go[0]);
	close(err[1]);
	if (read(ready[0], &c, 1) == 1) {
		res->ready = 1;
		snprintf(path, sizeof(path), "/proc/%ld/status", (long)pid);
		read_file(path, res->proc, sizeof(res->proc));
		snprintf(path, sizeof(path), "/proc/%ld/root", (long)pid);
		n = readlink(path, res->root, sizeof(res->root) - 1);
		res->root[n > 0 ? n : 0] = '\0';
	}
	if (res->ready)
		ATF_REQUIRE(write(go[1], &c, 1) == 1);
	while (len < sizeof(res->err) - 1 &&
	    (n = read(err[0], res->err + len, sizeof(res->err) - 1 - len)) > 0)
		len += n;
	res->err[len] = '\0';
	ATF_REQUIRE(waitpid(pid, &res->status, 0) == pid);
	close(ready[0]);
	close(go[1]);
	close(err[0]);

	if (res->ready) {
		ATF_CHECK_MSG(strstr(res->proc, "\nSeccomp:\t2\n") != NULL,
		    "%s is not in seccomp filter mode", role_name(role));
		ATF_CHECK_MSG(strstr(res->proc, "\nNoNewPrivs:\t1\n") != NULL,
		    "%s has no NoNewPrivs", role_name(role));
	}
}

static void
require_exit0(const struct result *res)
{
	ATF_REQUIRE_MSG(res->ready, "no sandbox: %s", res->err);
	ATF_REQUIRE_MSG(WIFEXITED(res->status) && WEXITSTATUS(res->status) == 0,
	    "child status %#x: %s", res->status, res->err);
}

static void
require_sigsys(const struct result *res)
{
	ATF_REQUIRE_MSG(res->ready, "no sandbox: %s", res->err);
	ATF_REQUIRE_MSG(WIFSIGNALED(res->status) &&
	    WTERMSIG(res->status) == SIGSYS,
	    "child status %#x, not killed by SIGSYS: %s", res->status,
	    res->err);
}

static void
run_sigsys(enum proc_role role, child_fn fn)
{
	struct fixture	 fx;
	struct result	 res;

	fixture_init(&fx);
	run(role, &fx, fn, &res);
	fixture_free(&fx);
	require_sigsys(&res);
}

static void
run_ok(enum proc_role role, child_fn fn)
{
	struct fixture	 fx;
	struct result	 res;

	fixture_init(&fx);
	run(role, &fx, fn, &res);
	fixture_free(&fx);
	require_exit0(&res);
}

/* Forbidden calls: each returns only if the sandbox let it through. */

static int
do_exec(struct fixture *fx)
{
	execl("/bin/true", "true", (char *)NULL);
	return 2;
}

static int
do_socket_inet(struct fixture *fx)
{
	socket(AF_INET, SOCK_STREAM, 0);
	return 2;
}

static int
do_socket_packet(struct fixture *fx)
{
	socket(AF_PACKET, SOCK_RAW, 0);
	return 2;
}

#ifdef TEST_ASAN
/* Sanitizer builds refuse it, so that a report can't die on it. */
static int
fork_refused(struct fixture *fx)
{
	CHILD_REQUIRE(fork() == -1 && errno == EPERM);
	return 0;
}
#else
static int
do_fork(struct fixture *fx)
{
	if (fork() == 0)
		_exit(0);
	return 2;
}
#endif

static int
do_mmap_exec(struct fixture *fx)
{
	mmap(NULL, 4096, PROT_READ | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS,
	    -1, 0);
	return 2;
}

static int
do_ptrace(struct fixture *fx)
{
	syscall(SYS_ptrace, 0, 0, 0, 0);
	return 2;
}

#ifdef __x86_64__
/* getpid, allowed natively, through the x32 ABI. */
static int
do_x32(struct fixture *fx)
{
	syscall(0x40000000 | SYS_getpid);
	return 2;
}
#endif

static int
do_kill_parent(struct fixture *fx)
{
	kill(getppid(), 0);
	return 2;
}

/* Allowed work. */

struct loop_state {
	int	 fired;
	int	 got;
};

static void
on_timer(evutil_socket_t fd, short what, void *arg)
{
	((struct loop_state *)arg)->fired = 1;
}

static void
on_read(evutil_socket_t fd, short what, void *arg)
{
	char	 c;

	if (read(fd, &c, 1) == 1 && c == 'x')
		((struct loop_state *)arg)->got = 1;
}

/* An event loop made and run entirely under the filter. */
static void
loop_works(struct fixture *fx)
{
	struct loop_state	 st = { 0, 0 };
	struct timeval		 tv = { 0, 1000 };
	struct event_base	*base;
	struct event		*tev, *rev;
	int			 i;

	CHILD_REQUIRE((base = event_base_new()) != NULL);
	CHILD_REQUIRE((tev = evtimer_new(base, on_timer, &st)) != NULL);
	CHILD_REQUIRE((rev = event_new(base, fx->pair[0], EV_READ | EV_PERSIST,
	    on_read, &st)) != NULL);
	CHILD_REQUIRE(evtimer_add(tev, &tv) == 0);
	CHILD_REQUIRE(event_add(rev, NULL) == 0);
	CHILD_REQUIRE(write(fx->pair[1], "x", 1) == 1);
	for (i = 0; i < 100 && !(st.fired && st.got); i++)
		CHILD_REQUIRE(event_base_loop(base, EVLOOP_ONCE) == 0);
	CHILD_REQUIRE(st.fired && st.got);
	event_free(tev);
	event_free(rev);
	event_base_free(base);
}

static void
files_closed(void)
{
	int	 fd;

	fd = open("/etc/passwd", O_RDONLY);
	CHILD_REQUIRE(fd == -1 && (errno == EACCES || errno == ENOENT));
	fd = open("/tmp", O_RDONLY | O_DIRECTORY);
	CHILD_REQUIRE(fd == -1 && (errno == EACCES || errno == ENOENT));
}

static void *
thread_work(void *arg)
{
	char	*p;
	size_t	 i, sum = 0;

	/* Large enough for its own mapping and, in glibc, its own arena. */
	if ((p = malloc(1 << 20)) == NULL)
		return NULL;
	for (i = 0; i < (1 << 20); i++)
		p[i] = (char)i;
	for (i = 0; i < (1 << 20); i++)
		sum += (unsigned char)p[i];
	free(p);
	*(size_t *)arg = sum;
	return arg;
}

static int
netd_work(struct fixture *fx)
{
	struct sockaddr_in	 sin;
	socklen_t		 len = sizeof(sin);
	pthread_t		 t;
	size_t			 sum = 0;
	void			*ret;
	char			 c;
	int			 l, s, a;

	loop_works(fx);
	files_closed();

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	CHILD_REQUIRE((l = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) !=
	    -1);
	CHILD_REQUIRE(bind(l, (struct sockaddr *)&sin, sizeof(sin)) == 0);
	CHILD_REQUIRE(listen(l, 5) == 0);
	CHILD_REQUIRE(getsockname(l, (struct sockaddr *)&sin, &len) == 0);
	CHILD_REQUIRE((s = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0)) !=
	    -1);
	CHILD_REQUIRE(connect(s, (struct sockaddr *)&sin, sizeof(sin)) == 0 ||
	    errno == EINPROGRESS);
	CHILD_REQUIRE((a = accept4(l, NULL, NULL, SOCK_CLOEXEC)) != -1);
	CHILD_REQUIRE(write(a, "x", 1) == 1);
	CHILD_REQUIRE(read(s, &c, 1) == 1 || errno == EAGAIN);
	close(a);
	close(s);
	close(l);
	CHILD_REQUIRE((s = socket(AF_INET6, SOCK_DGRAM, 0)) != -1);
	close(s);

	CHILD_REQUIRE(pthread_create(&t, NULL, thread_work, &sum) == 0);
	CHILD_REQUIRE(pthread_join(t, &ret) == 0);
	CHILD_REQUIRE(ret == &sum && sum == 255u * 128 * (1 << 12));
	return 0;
}

static int
ctld_work(struct fixture *fx)
{
	char	 c;
	int	 a;

	loop_works(fx);
	files_closed();
	CHILD_REQUIRE((a = accept4(fx->listener, NULL, NULL, SOCK_CLOEXEC)) !=
	    -1);
	CHILD_REQUIRE(read(a, &c, 1) == 1 && c == 'y');
	CHILD_REQUIRE(write(a, "z", 1) == 1);
	close(a);
	return 0;
}

static int
workd_work(struct fixture *fx)
{
	char	 path[256], other[256], buf[8];
	int	 fd;

	loop_works(fx);
	snprintf(path, sizeof(path), "%s/unit", fx->datadir);
	CHILD_REQUIRE(mkdir(path, 0700) == 0);
	snprintf(path, sizeof(path), "%s/unit/stdout", fx->datadir);
	CHILD_REQUIRE((fd = open(path, O_RDWR | O_CREAT | O_EXCL, 0600)) !=
	    -1);
	CHILD_REQUIRE(write(fd, "data", 4) == 4);
	CHILD_REQUIRE(fsync(fd) == 0);
	CHILD_REQUIRE(ftruncate(fd, 2) == 0);
	CHILD_REQUIRE(pread(fd, buf, sizeof(buf), 0) == 2);
	close(fd);
	snprintf(other, sizeof(other), "%s/unit/stdout.old", fx->datadir);
	CHILD_REQUIRE(rename(path, other) == 0);
	CHILD_REQUIRE(unlink(other) == 0);
	snprintf(path, sizeof(path), "%s/unit", fx->datadir);
	CHILD_REQUIRE(rmdir(path) == 0);

	/* Outside the datadir: readable or writable by us, yet refused. */
	fd = open("/etc/passwd", O_RDONLY);
	CHILD_REQUIRE(fd == -1 && errno == EACCES);
	snprintf(path, sizeof(path), "%s/data/outside", fx->dir);
	fd = open(path, O_WRONLY | O_CREAT, 0600);
	CHILD_REQUIRE(fd == -1 && errno == EACCES);
	return 0;
}

static int
report_abi(struct fixture *fx)
{
	return sandbox_landlock_abi();
}

ATF_TC_WITHOUT_HEAD(netd_allowed);
ATF_TC_BODY(netd_allowed, tc)
{
	run_ok(ROLE_NETD, netd_work);
}

ATF_TC_WITHOUT_HEAD(netd_exec);
ATF_TC_BODY(netd_exec, tc)
{
	run_sigsys(ROLE_NETD, do_exec);
}

ATF_TC_WITHOUT_HEAD(netd_fork);
ATF_TC_BODY(netd_fork, tc)
{
#ifdef TEST_ASAN
	run_ok(ROLE_NETD, fork_refused);
#else
	run_sigsys(ROLE_NETD, do_fork);
#endif
}

ATF_TC_WITHOUT_HEAD(netd_socket_packet);
ATF_TC_BODY(netd_socket_packet, tc)
{
	run_sigsys(ROLE_NETD, do_socket_packet);
}

ATF_TC_WITHOUT_HEAD(netd_mmap_exec);
ATF_TC_BODY(netd_mmap_exec, tc)
{
	run_sigsys(ROLE_NETD, do_mmap_exec);
}

ATF_TC_WITHOUT_HEAD(netd_ptrace);
ATF_TC_BODY(netd_ptrace, tc)
{
	run_sigsys(ROLE_NETD, do_ptrace);
}

#ifdef __x86_64__
ATF_TC_WITHOUT_HEAD(netd_x32);
ATF_TC_BODY(netd_x32, tc)
{
	run_sigsys(ROLE_NETD, do_x32);
}
#endif

ATF_TC_WITHOUT_HEAD(ctld_allowed);
ATF_TC_BODY(ctld_allowed, tc)
{
	struct fixture		 fx;
	struct result		 res;
	struct sockaddr_in	 sin;
	socklen_t		 len = sizeof(sin);
	char			 c;

	fixture_init(&fx);
	/* ctld makes no sockets: its listener comes from outside. */
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ATF_REQUIRE((fx.listener = socket(AF_INET, SOCK_STREAM, 0)) != -1);
	ATF_REQUIRE(bind(fx.listener, (struct sockaddr *)&sin,
	    sizeof(sin)) == 0);
	ATF_REQUIRE(listen(fx.listener, 5) == 0);
	ATF_REQUIRE(getsockname(fx.listener, (struct sockaddr *)&sin,
	    &len) == 0);
	ATF_REQUIRE((fx.client = socket(AF_INET, SOCK_STREAM, 0)) != -1);
	ATF_REQUIRE(connect(fx.client, (struct sockaddr *)&sin,
	    sizeof(sin)) == 0);
	ATF_REQUIRE(write(fx.client, "y", 1) == 1);
	run(ROLE_CTLD, &fx, ctld_work, &res);
	ATF_CHECK(read(fx.client, &c, 1) == 1 && c == 'z');
	fixture_free(&fx);
	require_exit0(&res);
}

ATF_TC_WITHOUT_HEAD(ctld_exec);
ATF_TC_BODY(ctld_exec, tc)
{
	run_sigsys(ROLE_CTLD, do_exec);
}

ATF_TC_WITHOUT_HEAD(ctld_socket);
ATF_TC_BODY(ctld_socket, tc)
{
	run_sigsys(ROLE_CTLD, do_socket_inet);
}

ATF_TC_WITHOUT_HEAD(ctld_kill);
ATF_TC_BODY(ctld_kill, tc)
{
	run_sigsys(ROLE_CTLD, do_kill_parent);
}

ATF_TC_WITHOUT_HEAD(workd_allowed);
ATF_TC_BODY(workd_allowed, tc)
{
	run_ok(ROLE_WORKD, workd_work);
}

ATF_TC_WITHOUT_HEAD(workd_exec);
ATF_TC_BODY(workd_exec, tc)
{
	run_sigsys(ROLE_WORKD, do_exec);
}

ATF_TC_WITHOUT_HEAD(workd_socket);
ATF_TC_BODY(workd_socket, tc)
{
	run_sigsys(ROLE_WORKD, do_socket_inet);
}

ATF_TC_WITHOUT_HEAD(workd_fork);
ATF_TC_BODY(workd_fork, tc)
{
#ifdef TEST_ASAN
	run_ok(ROLE_WORKD, fork_refused);
#else
	run_sigsys(ROLE_WORKD, do_fork);
#endif
}

/* Trap mode: the same death, after a log line naming the syscall. */
static void
run_trap(enum proc_role role, child_fn fn, const char *want)
{
	struct fixture	 fx;
	struct result	 res;
	char		*line;

	fixture_init(&fx);
	fx.conf.trap = 1;
	run(role, &fx, fn, &res);
	fixture_free(&fx);
	require_sigsys(&res);
	ATF_REQUIRE_MSG((line = strstr(res.err, want)) != NULL,
	    "no \"%s\" in: %s", want, res.err);
	/* "ERROR YYYY/MM/DD HH:MM:SS " precedes it, at a line start. */
	ATF_REQUIRE(line - res.err >= 26);
	line -= 26;
	ATF_REQUIRE_MSG(line == res.err || line[-1] == '\n', "%s", res.err);
	ATF_REQUIRE_MSG(strncmp(line, "ERROR 2", 7) == 0 && line[10] == '/' &&
	    line[13] == '/' && line[16] == ' ' && line[19] == ':' &&
	    line[22] == ':' && line[25] == ' ', "bad line: %s", line);
}

ATF_TC_WITHOUT_HEAD(trap_netd_exec);
ATF_TC_BODY(trap_netd_exec, tc)
{
	char	 want[64];

	snprintf(want, sizeof(want),
	    "netd: sandbox violation: syscall execve (%d)\n", SYS_execve);
	run_trap(ROLE_NETD, do_exec, want);
}

ATF_TC_WITHOUT_HEAD(trap_workd_socket);
ATF_TC_BODY(trap_workd_socket, tc)
{
	char	 want[64];

	snprintf(want, sizeof(want),
	    "workd: sandbox violation: syscall socket (%d)\n", SYS_socket);
	run_trap(ROLE_WORKD, do_socket_inet, want);
}

ATF_TC_WITHOUT_HEAD(syscall_name);
ATF_TC_BODY(syscall_name, tc)
{
	ATF_CHECK_STREQ(sandbox_syscall_name(SYS_execve), "execve");
	ATF_CHECK_STREQ(sandbox_syscall_name(SYS_socket), "socket");
	ATF_CHECK_STREQ(sandbox_syscall_name(99999), "syscall 99999");
	ATF_CHECK_STREQ(sandbox_syscall_name(-1), "syscall -1");
}

ATF_TC_WITHOUT_HEAD(landlock_abi);
ATF_TC_BODY(landlock_abi, tc)
{
	struct fixture	 fx;
	struct result	 res;
	long		 abi;

	abi = syscall(SYS_landlock_create_ruleset, NULL, 0, 1U);
	if (abi == -1)
		abi = 0;
	fixture_init(&fx);
	run(ROLE_NETD, &fx, report_abi, &res);
	fixture_free(&fx);
	ATF_REQUIRE_MSG(WIFEXITED(res.status), "%s", res.err);
	ATF_CHECK_EQ(WEXITSTATUS(res.status), abi);
	ATF_CHECK_EQ(sandbox_landlock_abi(), 0);
}

static void
require_root(void)
{
	if (geteuid() != 0)
		atf_tc_skip("privilege drop needs root");
	if (getpwnam("nobody") == NULL)
		atf_tc_skip("no user nobody");
}

static int
idle(struct fixture *fx)
{
	return 0;
}

ATF_TC_WITHOUT_HEAD(privdrop_netd);
ATF_TC_BODY(privdrop_netd, tc)
{
	struct fixture	 fx;
	struct result	 res;
	struct stat	 st;
	char		 uid[64];

	require_root();
	fixture_init(&fx);
	run(ROLE_NETD, &fx, idle, &res);
	ATF_CHECK(stat(fx.chroot, &st) == 0 && S_ISDIR(st.st_mode) &&
	    st.st_uid == 0 && (st.st_mode & 022) == 0);
	fixture_free(&fx);
	require_exit0(&res);
	snprintf(uid, sizeof(uid), "\nUid:\t%u\t%u\t%u\t%u\n",
	    getpwnam("nobody")->pw_uid, getpwnam("nobody")->pw_uid,
	    getpwnam("nobody")->pw_uid, getpwnam("nobody")->pw_uid);
	ATF_CHECK_MSG(strstr(res.proc, uid) != NULL, "%s", res.proc);
	/* CAP_NET_BIND_SERVICE alone, for ports below 1024. */
	ATF_CHECK(strstr(res.proc, "\nCapInh:\t0000000000000000\n") != NULL);
	ATF_CHECK(strstr(res.proc, "\nCapPrm:\t0000000000000400\n") != NULL);
	ATF_CHECK(strstr(res.proc, "\nCapEff:\t0000000000000400\n") != NULL);
	ATF_CHECK(strstr(res.proc, "\nCapBnd:\t0000000000000400\n") != NULL);
	ATF_CHECK(strstr(res.proc, "\nCapAmb:\t0000000000000000\n") != NULL);
	ATF_CHECK_STREQ(res.root, fx.chroot);
}

ATF_TC_WITHOUT_HEAD(privdrop_workd);
ATF_TC_BODY(privdrop_workd, tc)
{
	struct fixture	 fx;
	struct result	 res;
	struct stat	 st;

	require_root();
	fixture_init(&fx);
	run(ROLE_WORKD, &fx, workd_work, &res);
	/* A datadir it had to create belongs to the user. */
	ATF_CHECK(stat(fx.datadir, &st) == 0 &&
	    st.st_uid == getpwnam("nobody")->pw_uid);
	fixture_free(&fx);
	require_exit0(&res);
	ATF_CHECK_STREQ(res.root, "/");
	ATF_CHECK(strstr(res.proc, "\nCapPrm:\t0000000000000000\n") != NULL);
	ATF_CHECK(strstr(res.proc, "\nCapEff:\t0000000000000000\n") != NULL);
	ATF_CHECK(strstr(res.proc, "\nCapBnd:\t0000000000000000\n") != NULL);
}

ATF_TC_WITHOUT_HEAD(privdrop_bad_chroot);
ATF_TC_BODY(privdrop_bad_chroot, tc)
{
	struct fixture	 fx;
	struct result	 res;

	require_root();
	fixture_init(&fx);
	ATF_REQUIRE(mkdir(fx.chroot, 0755) == 0);
	ATF_REQUIRE(chmod(fx.chroot, 0777) == 0);
	run(ROLE_CTLD, &fx, idle, &res);
	fixture_free(&fx);
	ATF_REQUIRE(!res.ready);
	ATF_REQUIRE(WIFEXITED(res.status) && WEXITSTATUS(res.status) == 1);
	ATF_REQUIRE_MSG(strstr(res.err, "writable by group or others") != NULL,
	    "%s", res.err);
}

ATF_TC_WITHOUT_HEAD(privdrop_no_user);
ATF_TC_BODY(privdrop_no_user, tc)
{
	struct fixture	 fx;
	struct result	 res;

	require_root();
	fixture_init(&fx);
	fx.conf.user = "_receptor_test_nouser";
	run(ROLE_NETD, &fx, idle, &res);
	fixture_free(&fx);
	ATF_REQUIRE(!res.ready);
	ATF_REQUIRE(WIFEXITED(res.status) && WEXITSTATUS(res.status) == 1);
	ATF_REQUIRE_MSG(strstr(res.err, "user _receptor_test_nouser does not "
	    "exist") != NULL && strstr(res.err, "useradd") != NULL,
	    "%s", res.err);
}

ATF_TP_ADD_TCS(tp)
{
	ATF_TP_ADD_TC(tp, netd_allowed);
	ATF_TP_ADD_TC(tp, netd_exec);
	ATF_TP_ADD_TC(tp, netd_fork);
	ATF_TP_ADD_TC(tp, netd_socket_packet);
	ATF_TP_ADD_TC(tp, netd_mmap_exec);
	ATF_TP_ADD_TC(tp, netd_ptrace);
#ifdef __x86_64__
	ATF_TP_ADD_TC(tp, netd_x32);
#endif
	ATF_TP_ADD_TC(tp, ctld_allowed);
	ATF_TP_ADD_TC(tp, ctld_exec);
	ATF_TP_ADD_TC(tp, ctld_socket);
	ATF_TP_ADD_TC(tp, ctld_kill);
	ATF_TP_ADD_TC(tp, workd_allowed);
	ATF_TP_ADD_TC(tp, workd_exec);
	ATF_TP_ADD_TC(tp, workd_socket);
	ATF_TP_ADD_TC(tp, workd_fork);
	ATF_TP_ADD_TC(tp, trap_netd_exec);
	ATF_TP_ADD_TC(tp, trap_workd_socket);
	ATF_TP_ADD_TC(tp, syscall_name);
	ATF_TP_ADD_TC(tp, landlock_abi);
	ATF_TP_ADD_TC(tp, privdrop_netd);
	ATF_TP_ADD_TC(tp, privdrop_workd);
	ATF_TP_ADD_TC(tp, privdrop_bad_chroot);
	ATF_TP_ADD_TC(tp, privdrop_no_user);
	return atf_no_error();
}
