/*
 * sandbox_enter(): the pledge-like call every child makes once, after it
 * has opened what it needs and before it reads anything from a peer.
 * As root: look the user up, chroot (netd, ctld), drop to the user for
 * good. Always: no_new_privs, Landlock, then seccomp, each layer assuming
 * the one before it may have a hole.
 */
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/types.h>

#include <linux/capability.h>

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "sandbox.h"
#include "util.h"
#include "sandbox_priv.h"

static int	datadir_open(const char *, const struct passwd *);
static void	chroot_enter(const char *);
static void	privdrop(const struct passwd *, int);

static const char *const role_names[ROLE_COUNT] = {
	[ROLE_PARENT] = "receptor",
	[ROLE_NETD] = "netd",
	[ROLE_WORKD] = "workd",
	[ROLE_CTLD] = "ctld",
};

static int	sandboxed;
static int	datadir_fd = -1;
static char	*root_dir;

const char *
role_name(enum proc_role role)
{
	if (role < 0 || role >= ROLE_COUNT)
		return "unknown";
	return role_names[role];
}

void
sandbox_enter(enum proc_role role, const struct sandbox_conf *conf)
{
	struct passwd	*pw = NULL;
	int		 datafd = -1;

	/* The parent stays unconfined: it must fork, exec and read keys. */
	if (role == ROLE_PARENT)
		return;
	if (role < 0 || role >= ROLE_COUNT)
		fatalx("sandbox for unknown role %d", role);
	if (sandboxed)
		fatalx("sandbox entered twice");

	if (geteuid() == 0) {
		if (conf->user == NULL)
			fatalx("running as root needs a user to drop to");
		/* Before chroot: the passwd database is outside it. */
		if ((pw = getpwnam(conf->user)) == NULL)
			fatalx("user %s does not exist; create it with "
			    "\"useradd --system --no-create-home --home-dir "
			    "/nonexistent --shell /usr/sbin/nologin %s\"",
			    conf->user, conf->user);
		if (pw->pw_uid == 0)
			fatalx("user %s has uid 0, refusing to run %s as root",
			    conf->user, role_name(role));
	}
	if (role == ROLE_WORKD) {
		if (conf->datadir == NULL)
			fatalx("no datadir to confine workd to");
		datafd = datadir_open(conf->datadir, pw);
	}
	if (pw != NULL) {
		if (role != ROLE_WORKD) {
			chroot_enter(conf->chroot);
			if ((root_dir = strdup(conf->chroot)) == NULL)
				fatal("sandbox");
		}
		privdrop(pw, role == ROLE_NETD);
		log_debug("running as %s (uid %u)", conf->user,
		    (unsigned)getuid());
	}

	/* Landlock needs it when unprivileged; seccomp would set it anyway. */
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == -1)
		fatal("prctl(PR_SET_NO_NEW_PRIVS)");
	sandbox_landlock(role, datafd);
	datadir_fd = datafd;
	sandbox_seccomp(role, conf->trap);
	sandboxed = 1;
}

const char *
sandbox_root(void)
{
	return root_dir != NULL ? root_dir : "/";
}

int
sandbox_datadir(void)
{
	return datadir_fd;
}

/*
 * The sanitizer's leak check at exit stops the world with ptrace, which
 * no sandbox allows: leave leak checking to unconfined processes.
 */
#if defined(__SANITIZE_ADDRESS__)
#define SANDBOX_LSAN	1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SANDBOX_LSAN	1
#endif
#endif

#ifdef SANDBOX_LSAN
int	__lsan_is_turned_off(void);

int
__lsan_is_turned_off(void)
{
	return sandboxed;
}
#endif

/*
 * Landlock rules name a directory by descriptor; open it while still
 * privileged, as the user may not be able to search the path's parents.
 * A datadir we create belongs to the user, who works in it.
 */
static int
datadir_open(const char *path, const struct passwd *pw)
{
	int	 created, fd;

	if (mkdir_p(path, 0750, &created) == -1)
		fatal("datadir %s", path);
	if (created && pw != NULL &&
	    chown(path, pw->pw_uid, pw->pw_gid) == -1)
		fatal("chown %s", path);
	if ((fd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC)) == -1)
		fatal("datadir %s", path);
	return fd;
}

/*
 * Checked through the descriptor we chroot to, so the directory can't be
 * swapped between the check and the chroot.
 */
static void
chroot_enter(const char *path)
{
	struct stat	 st;
	int		 created, fd;

	if (path == NULL)
		fatalx("running as root needs a chroot directory");
	if (mkdir_p(path, 0755, &created) == -1)
		fatal("chroot directory %s", path);
	if ((fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1)
		fatal("chroot directory %s", path);
	if (fstat(fd, &st) == -1)
		fatal("fstat %s", path);
	if (st.st_uid != 0)
		fatalx("chroot directory %s is not owned by root", path);
	if (st.st_mode & (S_IWGRP | S_IWOTH))
		fatalx("chroot directory %s is writable by group or others",
		    path);
	if (fchdir(fd) == -1)
		fatal("chdir %s", path);
	if (chroot(".") == -1)
		fatal("chroot %s", path);
	if (chdir("/") == -1)
		fatal("chdir /");
	close(fd);
}

/*
 * Become pw's user without a capability, but CAP_NET_BIND_SERVICE if
 * bind is set and root had it: netd binds the ports the configuration
 * names, below 1024 too, as Go's does as root.
 */
static void
privdrop(const struct passwd *pw, int bind)
{
	struct capsets	 cs;
	gid_t		 gid = pw->pw_gid;
	uid_t		 uid = pw->pw_uid;
	uint64_t	 keep = 0;

	if (bind && prctl(PR_CAPBSET_READ, CAP_NET_BIND_SERVICE, 0, 0,
	    0) == 1)
		keep = CAPSET_BIT(CAP_NET_BIND_SERVICE);
	capset_bound(keep);

	if (keep != 0 && prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) == -1)
		fatal("prctl(PR_SET_KEEPCAPS)");
	if (setgroups(1, &gid) == -1)
		fatal("setgroups");
	if (setresgid(gid, gid, gid) == -1)
		fatal("setresgid");
	if (setresuid(uid, uid, uid) == -1)
		fatal("setresuid");
	if (setuid(0) != -1 || setgid(0) != -1)
		fatalx("privileges could be regained after dropping them");

	/*
	 * Leaving uid 0 empties the effective and ambient sets, and the
	 * permitted one unless kept; the inheritable set survives it.
	 */
	capset_limit(keep);
	if (keep != 0 && prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) == -1)
		fatal("prctl(PR_SET_KEEPCAPS)");
	capset_get(&cs);
	if (cs.effective != keep || cs.permitted != keep ||
	    cs.inheritable != 0)
		fatalx("capabilities left after dropping privileges");
}
