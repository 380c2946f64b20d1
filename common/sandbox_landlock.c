/*
 * Landlock, Linux's unveil: netd and ctld get no file access at all, workd
 * gets its datadir and nothing else. The rights handled are those of the
 * running kernel's ABI, asked at run time; where Landlock can't be had the
 * other layers do the work.
 */
#include <sys/syscall.h>

#include <linux/landlock.h>

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "sandbox.h"
#include "sandbox_priv.h"

/*
 * Rights by the ABI that brought them, spelled out here because the
 * system's header may predate the running kernel.
 */
#define LL_FS_V1		((1ULL << 13) - 1)	/* EXECUTE..MAKE_SYM */
#define LL_FS_EXECUTE		(1ULL << 0)
#define LL_FS_REFER		(1ULL << 13)		/* ABI 2 */
#define LL_FS_TRUNCATE		(1ULL << 14)		/* ABI 3 */
#define LL_NET_BIND_TCP		(1ULL << 0)		/* ABI 4 */
#define LL_NET_CONNECT_TCP	(1ULL << 1)
#define LL_FS_IOCTL_DEV		(1ULL << 15)		/* ABI 5 */
#define LL_SCOPE_ABSTRACT_UNIX	(1ULL << 0)		/* ABI 6 */
#define LL_SCOPE_SIGNAL		(1ULL << 1)

/* struct landlock_ruleset_attr as of ABI 6; older kernels take a prefix. */
struct ll_ruleset_attr {
	uint64_t	handled_access_fs;
	uint64_t	handled_access_net;
	uint64_t	scoped;
};

static int	landlock_abi;
static char	landlock_why[128];	/* why not, when not */

static size_t	ruleset_attr(enum proc_role, int, struct ll_ruleset_attr *);
static void	unavailable(enum proc_role, const char *);
static uint64_t	datadir_rights(const struct ll_ruleset_attr *);
static void	rights_text(char *, size_t, const char *, uint64_t,
		    const char *const *, size_t);

/* By bit, as the kernel's header names them (LANDLOCK_ACCESS_FS_*). */
static const char *const fs_rights[] = {
	"execute", "write_file", "read_file", "read_dir", "remove_dir",
	"remove_file", "make_char", "make_dir", "make_reg", "make_sock",
	"make_fifo", "make_block", "make_sym", "refer", "truncate",
	"ioctl_dev",
};
static const char *const net_rights[] = { "bind_tcp", "connect_tcp" };
static const char *const scopes[] = { "abstract_unix_socket", "signal" };

int
sandbox_landlock_abi(void)
{
	return landlock_abi;
}

int
sandbox_landlock_kernel_abi(void)
{
	int	 abi;

	abi = syscall(SYS_landlock_create_ruleset, NULL, 0,
	    LANDLOCK_CREATE_RULESET_VERSION);
	return abi == -1 ? 0 : abi;
}

/*
 * What the role's rule set handles at ABI abi, that is forbids unless a
 * rule grants it; returns the attribute's length for that ABI.
 */
static size_t
ruleset_attr(enum proc_role role, int abi, struct ll_ruleset_attr *attr)
{
	size_t	 attrlen;

	memset(attr, 0, sizeof(*attr));
	attrlen = sizeof(attr->handled_access_fs);
	attr->handled_access_fs = LL_FS_V1;
	if (abi >= 2)
		attr->handled_access_fs |= LL_FS_REFER;
	if (abi >= 3)
		attr->handled_access_fs |= LL_FS_TRUNCATE;
	/* netd binds and connects TCP: seccomp already keeps it to that. */
	if (abi >= 4 && role != ROLE_NETD) {
		attr->handled_access_net = LL_NET_BIND_TCP |
		    LL_NET_CONNECT_TCP;
		attrlen = sizeof(attr->handled_access_fs) +
		    sizeof(attr->handled_access_net);
	}
	if (abi >= 5)
		attr->handled_access_fs |= LL_FS_IOCTL_DEV;
	/*
	 * No child talks to abstract sockets or signals other processes;
	 * signals to itself (abort, trap mode) stay inside the domain.
	 */
	if (abi >= 6) {
		attr->scoped = LL_SCOPE_ABSTRACT_UNIX | LL_SCOPE_SIGNAL;
		attrlen = sizeof(*attr);
	}
	return attrlen;
}

/* workd's one rule: everything below the datadir but running what is there. */
static uint64_t
datadir_rights(const struct ll_ruleset_attr *attr)
{
	return attr->handled_access_fs & ~LL_FS_EXECUTE;
}

void
sandbox_landlock_list(enum proc_role role, int abi, const char *datadir,
    void (*restricts)(const char *, void *),
    void (*rule)(const char *, void *), void *arg)
{
	struct ll_ruleset_attr	 attr;
	char			 line[1024], head[512];

	if (abi <= 0 || role <= ROLE_PARENT || role >= ROLE_COUNT)
		return;
	(void)ruleset_attr(role, abi, &attr);
	rights_text(line, sizeof(line), "fs:", attr.handled_access_fs,
	    fs_rights, sizeof(fs_rights) / sizeof(fs_rights[0]));
	restricts(line, arg);
	if (attr.handled_access_net != 0) {
		rights_text(line, sizeof(line), "net:", attr.handled_access_net,
		    net_rights, sizeof(net_rights) / sizeof(net_rights[0]));
		restricts(line, arg);
	}
	if (attr.scoped != 0) {
		rights_text(line, sizeof(line), "scope:", attr.scoped,
		    scopes, sizeof(scopes) / sizeof(scopes[0]));
		restricts(line, arg);
	}
	if (role == ROLE_WORKD) {
		(void)snprintf(head, sizeof(head), "beneath %s:",
		    datadir != NULL ? datadir : "(no datadir)");
		rights_text(line, sizeof(line), head, datadir_rights(&attr),
		    fs_rights, sizeof(fs_rights) / sizeof(fs_rights[0]));
		rule(line, arg);
	}
}

/* "head name name ...", the names of the bits set in rights. */
static void
rights_text(char *buf, size_t len, const char *head, uint64_t rights,
    const char *const *names, size_t nnames)
{
	char	 bit[16];
	size_t	 i;

	(void)strlcpy(buf, head, len);
	for (i = 0; i < 64; i++) {
		if ((rights & (1ULL << i)) == 0)
			continue;
		(void)strlcat(buf, " ", len);
		if (i < nnames)
			(void)strlcat(buf, names[i], len);
		else {
			(void)snprintf(bit, sizeof(bit), "bit%zu", i);
			(void)strlcat(buf, bit, len);
		}
	}
}

/*
 * Landlock is a layer on top of the others: where it can't be had (no
 * Landlock in the kernel, a container's seccomp profile refusing its
 * calls, an ABI that lacks a right) the child runs without it, says why
 * once, and the privilege audit shows it. Nothing is applied before
 * landlock_restrict_self(), so a failure before it leaves nothing half
 * done.
 */
void
sandbox_landlock(enum proc_role role, int datafd)
{
	struct ll_ruleset_attr			 attr;
	struct landlock_path_beneath_attr	 beneath;
	size_t					 attrlen;
	int					 abi, fd;

	abi = syscall(SYS_landlock_create_ruleset, NULL, 0,
	    LANDLOCK_CREATE_RULESET_VERSION);
	if (abi == -1) {
		unavailable(role, "landlock_create_ruleset");
		return;
	}
	attrlen = ruleset_attr(role, abi, &attr);
	if ((fd = syscall(SYS_landlock_create_ruleset, &attr, attrlen, 0)) ==
	    -1) {
		unavailable(role, "landlock_create_ruleset");
		return;
	}
	if (role == ROLE_WORKD) {
		memset(&beneath, 0, sizeof(beneath));
		beneath.allowed_access = datadir_rights(&attr);
		beneath.parent_fd = datafd;
		if (syscall(SYS_landlock_add_rule, fd,
		    LANDLOCK_RULE_PATH_BENEATH, &beneath, 0) == -1) {
			unavailable(role, "landlock_add_rule");
			close(fd);
			return;
		}
	}
	if (syscall(SYS_landlock_restrict_self, fd, 0) == -1) {
		unavailable(role, "landlock_restrict_self");
		close(fd);
		return;
	}
	close(fd);
	landlock_abi = abi;
	log_debug("Landlock ABI %d", abi);
}

const char *
sandbox_landlock_unavailable(void)
{
	return landlock_why[0] != '\0' ? landlock_why : NULL;
}

static void
unavailable(enum proc_role role, const char *call)
{
	if (errno == ENOSYS || errno == EOPNOTSUPP)
		(void)snprintf(landlock_why, sizeof(landlock_why),
		    "%s: not in this kernel (%s)", call, strerror(errno));
	else
		(void)snprintf(landlock_why, sizeof(landlock_why), "%s: %s",
		    call, strerror(errno));
	log_warnx("%s: Landlock unavailable (%s), running without it",
	    role_name(role), landlock_why);
}
