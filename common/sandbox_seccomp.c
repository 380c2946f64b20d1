/*
 * seccomp: one allowlist per role, everything else kills the process.
 * Rules name syscalls as strings so that the table reads the same on every
 * architecture; a name the native one lacks is skipped. The filter checks
 * the architecture (libseccomp adds native only, and on x86_64 also turns
 * away x32 numbers), so a syscall can't be smuggled in through another ABI.
 *
 * In trap mode a violation raises SIGSYS instead; the handler logs which
 * syscall it was and dies by SIGSYS all the same, so the parent sees the
 * same death in both modes.
 */
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>

#include <errno.h>
#include <sched.h>
#include <seccomp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "sandbox.h"
#include "sandbox_priv.h"

#define NETD	(1U << ROLE_NETD)
#define WORKD	(1U << ROLE_WORKD)
#define CTLD	(1U << ROLE_CTLD)
#define ALL	(NETD | WORKD | CTLD)

enum cond {
	C_ANY,
	C_EQ,		/* argument == val */
	C_MASK,		/* (argument & mask) == val */
	C_SELF,		/* first argument is our own pid */
};

struct rule {
	const char	*name;
	unsigned	 roles;
	int		 err;	/* fail with this errno instead of allowing */
	enum cond	 cond;
	unsigned	 arg;
	uint64_t	 mask;
	uint64_t	 val;
};

#define ALLOW(n, r)		{ n, r, 0, C_ANY, 0, 0, 0 }
#define ALLOW_EQ(n, r, a, v)	{ n, r, 0, C_EQ, a, 0, v }
#define ALLOW_MASK(n, r, a, m, v) { n, r, 0, C_MASK, a, m, v }
#define ALLOW_SELF(n, r)	{ n, r, 0, C_SELF, 0, 0, 0 }
#define FAIL(n, r, e)		{ n, r, e, C_ANY, 0, 0, 0 }
#define FAIL_EQ(n, r, a, v, e)	{ n, r, e, C_EQ, a, 0, v }
#define FAIL_MASK(n, r, a, m, v, e) { n, r, e, C_MASK, a, m, v }

/* Memory may be readable and writable, never executable. */
#define PROT_DATA	((uint64_t)(PROT_READ | PROT_WRITE))

/* What pthread_create passes, and namespaces, which it never asks for. */
#define CLONE_THREADS	(CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | \
			 CLONE_THREAD | CLONE_SYSVSEM)
#define CLONE_NAMESPACES (CLONE_NEWNS | CLONE_NEWCGROUP | CLONE_NEWUTS | \
			 CLONE_NEWIPC | CLONE_NEWUSER | CLONE_NEWPID | \
			 CLONE_NEWNET)
#if defined(__s390__)
#define CLONE_FLAGS_ARG	1
#else
#define CLONE_FLAGS_ARG	0
#endif

#if defined(__SANITIZE_ADDRESS__)
#define SANDBOX_ASAN	1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SANDBOX_ASAN	1
#endif
#endif

static const struct rule rules[] = {
	/* Descriptors the process holds or is sent. */
	ALLOW("read", ALL),
	ALLOW("readv", ALL),
	ALLOW("write", ALL),
	ALLOW("writev", ALL),
	ALLOW("close", ALL),
	ALLOW("dup", ALL),
	ALLOW("dup2", ALL),
	ALLOW("dup3", ALL),
	ALLOW("fcntl", ALL),
	ALLOW("fstat", ALL),
	/* glibc's fstat(): fstatat(fd, "", AT_EMPTY_PATH). */
	ALLOW("newfstatat", ALL),
	ALLOW("lseek", ALL),
	ALLOW("pipe", ALL),
	ALLOW("pipe2", ALL),
	ALLOW("eventfd2", ALL),
	ALLOW("sendmsg", ALL),
	ALLOW("recvmsg", ALL),
	ALLOW("sendto", ALL),
	ALLOW("recvfrom", ALL),
	ALLOW("shutdown", ALL),
	ALLOW("getsockopt", ALL),
	ALLOW("setsockopt", ALL),
	ALLOW("getsockname", ALL),
	ALLOW("getpeername", ALL),
	ALLOW_EQ("ioctl", ALL, 1, FIONREAD),
	ALLOW_EQ("ioctl", ALL, 1, FIONBIO),
	/* isatty(), also asked by the sanitizers before they report. */
	FAIL_EQ("ioctl", ALL, 1, TCGETS, ENOTTY),

	/* The event loop and time. */
	ALLOW("epoll_create", ALL),
	ALLOW("epoll_create1", ALL),
	ALLOW("epoll_ctl", ALL),
	ALLOW("epoll_wait", ALL),
	ALLOW("epoll_pwait", ALL),
	ALLOW("epoll_pwait2", ALL),
	ALLOW("poll", ALL),
	ALLOW("ppoll", ALL),
	ALLOW("select", ALL),
	ALLOW("pselect6", ALL),
	ALLOW("timerfd_create", ALL),
	ALLOW("timerfd_settime", ALL),
	ALLOW("timerfd_gettime", ALL),
	ALLOW("clock_gettime", ALL),
	ALLOW("clock_getres", ALL),
	ALLOW("gettimeofday", ALL),
	ALLOW("time", ALL),
	ALLOW("nanosleep", ALL),
	ALLOW("clock_nanosleep", ALL),
	ALLOW("sched_yield", ALL),
	ALLOW("restart_syscall", ALL),

	/* Memory. */
	ALLOW("brk", ALL),
	ALLOW_MASK("mmap", ALL, 2, ~PROT_DATA, 0),
	ALLOW_MASK("mprotect", ALL, 2, ~PROT_DATA, 0),
	ALLOW("munmap", ALL),
	ALLOW("mremap", ALL),
	ALLOW("madvise", ALL),
	ALLOW("futex", ALL),
	ALLOW("set_robust_list", ALL),
	ALLOW("rseq", ALL),

	/* Signals; kill only ourselves (abort(), trap mode). */
	ALLOW("rt_sigaction", ALL),
	ALLOW("rt_sigprocmask", ALL),
	ALLOW("rt_sigreturn", ALL),
	ALLOW("sigaltstack", ALL),
	ALLOW_SELF("kill", ALL),
	ALLOW_SELF("tgkill", ALL),

	/* Identity and limits, read only. */
	ALLOW("getpid", ALL),
	ALLOW("gettid", ALL),
	ALLOW("getppid", ALL),
	ALLOW("getuid", ALL),
	ALLOW("geteuid", ALL),
	ALLOW("getgid", ALL),
	ALLOW("getegid", ALL),
	ALLOW("getresuid", ALL),
	ALLOW("getresgid", ALL),
	ALLOW("getrandom", ALL),
	ALLOW("uname", ALL),
	/* glibc's qsort() sizes its buffer by physical memory. */
	ALLOW("sysinfo", ALL),
	ALLOW("getrlimit", ALL),
	ALLOW_EQ("prlimit64", ALL, 2, 0),
	ALLOW("exit", ALL),
	ALLOW("exit_group", ALL),

	/*
	 * clone3 hides its flags from seccomp behind a pointer; glibc falls
	 * back to clone, whose flags can be checked.
	 */
	FAIL("clone3", ALL, ENOSYS),
	ALLOW_MASK("clone", NETD, CLONE_FLAGS_ARG,
	    CLONE_THREADS | CLONE_NAMESPACES, CLONE_THREADS),
	/* pthread_getattr_np(), which ASan's pthread_create() calls. */
	ALLOW("sched_getaffinity", NETD),

	/* netd: the network. */
	ALLOW_EQ("socket", NETD, 0, AF_INET),
	ALLOW_EQ("socket", NETD, 0, AF_INET6),
	ALLOW_EQ("socket", NETD, 0, AF_UNIX),
	/*
	 * A WebSocket session's link to the libwebsockets thread; the
	 * stream of a control client's connect, handed from ctld to netd.
	 */
	ALLOW_EQ("socketpair", NETD | CTLD, 0, AF_UNIX),
	ALLOW("connect", NETD),
	ALLOW("bind", NETD),
	ALLOW("listen", NETD),
	ALLOW("sendmmsg", NETD),
	ALLOW("recvmmsg", NETD),
	ALLOW("accept", NETD | CTLD),
	ALLOW("accept4", NETD | CTLD),

	/*
	 * Files: a stray open in netd or ctld (glibc's lazy loads) fails as
	 * it would in the chroot instead of killing the process.
	 */
	FAIL("open", NETD | CTLD, EACCES),
	FAIL("openat", NETD | CTLD, EACCES),

	/* workd: files, below the datadir as Landlock sees to. */
	ALLOW("open", WORKD),
	ALLOW("openat", WORKD),
	ALLOW("creat", WORKD),
	ALLOW("pread64", WORKD),
	ALLOW("pwrite64", WORKD),
	ALLOW("preadv", WORKD),
	ALLOW("pwritev", WORKD),
	ALLOW("sendfile", WORKD),
	ALLOW("copy_file_range", WORKD),
	ALLOW("ftruncate", WORKD),
	ALLOW("truncate", WORKD),
	ALLOW("fallocate", WORKD),
	ALLOW("fsync", WORKD),
	ALLOW("fdatasync", WORKD),
	ALLOW("flock", WORKD),
	ALLOW("getdents64", WORKD),
	ALLOW("stat", WORKD),
	ALLOW("lstat", WORKD),
	ALLOW("statx", WORKD),
	ALLOW("fstatfs", WORKD),
	ALLOW("access", WORKD),
	ALLOW("faccessat", WORKD),
	ALLOW("faccessat2", WORKD),
	ALLOW("mkdir", WORKD),
	ALLOW("mkdirat", WORKD),
	ALLOW("rmdir", WORKD),
	ALLOW("unlink", WORKD),
	ALLOW("unlinkat", WORKD),
	ALLOW("rename", WORKD),
	ALLOW("renameat", WORKD),
	ALLOW("renameat2", WORKD),
	ALLOW("link", WORKD),
	ALLOW("linkat", WORKD),
	ALLOW("fchmod", WORKD),
	ALLOW("fchmodat", WORKD),
	ALLOW("chmod", WORKD),
	ALLOW("utimensat", WORKD),
	ALLOW("umask", WORKD),
	ALLOW("getcwd", WORKD),
	ALLOW("chdir", WORKD),
	ALLOW("fchdir", WORKD),
	ALLOW("inotify_init1", WORKD),
	ALLOW("inotify_add_watch", WORKD),
	ALLOW("inotify_rm_watch", WORKD),

#ifdef SANDBOX_ASAN
	/*
	 * A report rather than a SIGSYS: the runtime looks for a symbolizer
	 * and would fork it; both fail, and frames stay module+offset, for
	 * addr2line afterwards.
	 */
	FAIL("stat", NETD | CTLD, ENOENT),
	FAIL("readlink", ALL, ENOENT),
	FAIL_MASK("clone", ALL, CLONE_FLAGS_ARG, CLONE_THREAD, 0, EPERM),
	FAIL("fork", ALL, EPERM),
	FAIL("vfork", ALL, EPERM),
#endif
};

#define NAMES_MAX	1024

/* Resolved before the filter: a SIGSYS handler can't use libseccomp. */
static char		*syscall_names[NAMES_MAX];
static int		 names_loaded;
static uint32_t		 native_arch;

static const char	*trap_role;
static long		 trap_gmtoff;

static void	names_load(void);
static void	rule_add(scmp_filter_ctx, const struct rule *);
static void	trap_init(enum proc_role);
static void	trap_handler(int, siginfo_t *, void *);
static size_t	put_str(char *, size_t, size_t, const char *);
static size_t	put_num(char *, size_t, size_t, unsigned long long, int);

void
sandbox_seccomp(enum proc_role role, int trap)
{
	scmp_filter_ctx	 ctx;
	uint32_t	 deny;
	size_t		 i;
	int		 rc;

	deny = trap ? SCMP_ACT_TRAP : SCMP_ACT_KILL_PROCESS;
	if (trap)
		trap_init(role);
	if ((ctx = seccomp_init(deny)) == NULL)
		fatalx("seccomp_init failed");
	if ((rc = seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, deny)) != 0 ||
	    (rc = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_TSYNC, 1)) != 0)
		fatalx("seccomp_attr_set: %s", strerror(-rc));
	for (i = 0; i < sizeof(rules) / sizeof(rules[0]); i++)
		if (rules[i].roles & (1U << role))
			rule_add(ctx, &rules[i]);
	if ((rc = seccomp_load(ctx)) != 0)
		fatalx("seccomp_load: %s", strerror(-rc));
	seccomp_release(ctx);
	log_debug("seccomp filter loaded (%s on violation)",
	    trap ? "trap" : "kill");
}

static void
rule_add(scmp_filter_ctx ctx, const struct rule *r)
{
	struct scmp_arg_cmp	 cmp;
	uint32_t		 action;
	unsigned		 ncmp = 1;
	int			 nr, rc;

	/* Not a syscall of this architecture: nothing to allow. */
	if ((nr = seccomp_syscall_resolve_name_arch(SCMP_ARCH_NATIVE,
	    r->name)) < 0)
		return;
	action = r->err != 0 ? SCMP_ACT_ERRNO(r->err) : SCMP_ACT_ALLOW;
	memset(&cmp, 0, sizeof(cmp));
	cmp.arg = r->arg;
	switch (r->cond) {
	case C_ANY:
		ncmp = 0;
		break;
	case C_EQ:
		cmp.op = SCMP_CMP_EQ;
		cmp.datum_a = r->val;
		break;
	case C_MASK:
		cmp.op = SCMP_CMP_MASKED_EQ;
		cmp.datum_a = r->mask;
		cmp.datum_b = r->val;
		break;
	case C_SELF:
		cmp.op = SCMP_CMP_EQ;
		cmp.datum_a = getpid();
		break;
	}
	if ((rc = seccomp_rule_add_array(ctx, action, nr, ncmp, &cmp)) != 0)
		fatalx("seccomp rule for %s: %s", r->name, strerror(-rc));
}

/* The entries rule_add() gives the filter, for the audit. */
void
sandbox_seccomp_list(enum proc_role role,
    void (*cb)(const struct sandbox_syscall *, void *), void *arg)
{
	struct sandbox_syscall	 sc;
	size_t			 i;

	if (role <= ROLE_PARENT || role >= ROLE_COUNT)
		return;
	for (i = 0; i < sizeof(rules) / sizeof(rules[0]); i++) {
		if ((rules[i].roles & (1U << role)) == 0 ||
		    seccomp_syscall_resolve_name_arch(SCMP_ARCH_NATIVE,
		    rules[i].name) < 0)
			continue;
		sc.name = rules[i].name;
		sc.err = rules[i].err;
		sc.checked = rules[i].cond != C_ANY;
		cb(&sc, arg);
	}
}

const char *
sandbox_syscall_name(int nr)
{
	static char	 buf[32];

	if (!names_loaded)
		names_load();
	if (nr >= 0 && nr < NAMES_MAX && syscall_names[nr] != NULL)
		return syscall_names[nr];
	(void)snprintf(buf, sizeof(buf), "syscall %d", nr);
	return buf;
}

static void
names_load(void)
{
	int	 nr;

	native_arch = seccomp_arch_native();
	for (nr = 0; nr < NAMES_MAX; nr++)
		syscall_names[nr] = seccomp_syscall_resolve_num_arch(
		    SCMP_ARCH_NATIVE, nr);
	names_loaded = 1;
}

/*
 * The handler formats local time itself; the offset is the one in force
 * now, since the time zone can't be looked up in the handler.
 */
static void
trap_init(enum proc_role role)
{
	struct sigaction	 sa;
	struct tm		 tm;
	time_t			 now;

	if (!names_loaded)
		names_load();
	trap_role = role_name(role);
	now = time(NULL);
	if (localtime_r(&now, &tm) != NULL)
		trap_gmtoff = tm.tm_gmtoff;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = trap_handler;
	sa.sa_flags = SA_SIGINFO;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGSYS, &sa, NULL) == -1)
		fatal("sigaction(SIGSYS)");
}

/*
 * "ERROR 2026/11/25 15:16:53 netd: sandbox violation: syscall execve (59)",
 * one write(2), then death by SIGSYS with the default action.
 */
static void
trap_handler(int sig, siginfo_t *si, void *uctx)
{
	struct sigaction	 sa;
	struct timespec		 ts;
	sigset_t		 set;
	char			 line[256];
	long long		 secs, days, z, era;
	unsigned		 doe, yoe, doy, mp, month, day;
	long long		 year;
	size_t			 n = 0;
	int			 nr = si->si_syscall;

	clock_gettime(CLOCK_REALTIME, &ts);
	secs = ts.tv_sec + trap_gmtoff;
	days = secs / 86400;
	if (secs % 86400 < 0)
		days--;
	secs -= days * 86400;
	/* Days since 1970-01-01 to a civil date, eras of 400 years. */
	z = days + 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	day = doy - (153 * mp + 2) / 5 + 1;
	month = mp < 10 ? mp + 3 : mp - 9;
	year = yoe + era * 400 + (month <= 2);

	n = put_str(line, n, sizeof(line), "ERROR ");
	n = put_num(line, n, sizeof(line), year, 4);
	n = put_str(line, n, sizeof(line), "/");
	n = put_num(line, n, sizeof(line), month, 2);
	n = put_str(line, n, sizeof(line), "/");
	n = put_num(line, n, sizeof(line), day, 2);
	n = put_str(line, n, sizeof(line), " ");
	n = put_num(line, n, sizeof(line), secs / 3600, 2);
	n = put_str(line, n, sizeof(line), ":");
	n = put_num(line, n, sizeof(line), secs / 60 % 60, 2);
	n = put_str(line, n, sizeof(line), ":");
	n = put_num(line, n, sizeof(line), secs % 60, 2);
	n = put_str(line, n, sizeof(line), " ");
	n = put_str(line, n, sizeof(line), trap_role);
	n = put_str(line, n, sizeof(line), ": sandbox violation: syscall ");
	/* Another ABI's number would be misnamed by the native table. */
	if (si->si_arch == native_arch && nr >= 0 && nr < NAMES_MAX &&
	    syscall_names[nr] != NULL) {
		n = put_str(line, n, sizeof(line), syscall_names[nr]);
		n = put_str(line, n, sizeof(line), " (");
		n = put_num(line, n, sizeof(line), nr, 1);
		n = put_str(line, n, sizeof(line), ")");
	} else {
		n = put_num(line, n, sizeof(line), (unsigned)nr, 1);
	}
	n = put_str(line, n, sizeof(line), "\n");
	(void)write(STDERR_FILENO, line, n);

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_DFL;
	sigaction(SIGSYS, &sa, NULL);
	sigemptyset(&set);
	sigaddset(&set, SIGSYS);
	sigprocmask(SIG_UNBLOCK, &set, NULL);
	kill(getpid(), SIGSYS);
}

static size_t
put_str(char *buf, size_t n, size_t size, const char *s)
{
	while (*s != '\0' && n < size - 1)
		buf[n++] = *s++;
	return n;
}

/* Decimal, zero-padded to width. */
static size_t
put_num(char *buf, size_t n, size_t size, unsigned long long v, int width)
{
	char	 digits[24];
	int	 i = 0;

	do {
		digits[i++] = '0' + v % 10;
		v /= 10;
	} while (v != 0 && i < (int)sizeof(digits));
	while (i < width && i < (int)sizeof(digits))
		digits[i++] = '0';
	while (i > 0 && n < size - 1)
		buf[n++] = digits[--i];
	return n;
}
