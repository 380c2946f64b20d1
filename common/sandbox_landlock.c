/*
 * Landlock, Linux's unveil: netd and ctld get no file access at all, workd
 * gets its datadir and nothing else. The rights handled are those of the
 * running kernel's ABI, asked at run time; a kernel without Landlock leaves
 * the other layers to do the work.
 */
#include <sys/syscall.h>

#include <linux/landlock.h>

#include <errno.h>
#include <stdint.h>
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

int
sandbox_landlock_abi(void)
{
	return landlock_abi;
}

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
		if (errno != ENOSYS && errno != EOPNOTSUPP)
			fatal("landlock_create_ruleset");
		log_debug("no Landlock in this kernel");
		return;
	}

	memset(&attr, 0, sizeof(attr));
	attrlen = sizeof(attr.handled_access_fs);
	attr.handled_access_fs = LL_FS_V1;
	if (abi >= 2)
		attr.handled_access_fs |= LL_FS_REFER;
	if (abi >= 3)
		attr.handled_access_fs |= LL_FS_TRUNCATE;
	/* netd binds and connects TCP: seccomp already keeps it to that. */
	if (abi >= 4 && role != ROLE_NETD) {
		attr.handled_access_net = LL_NET_BIND_TCP | LL_NET_CONNECT_TCP;
		attrlen = sizeof(attr.handled_access_fs) +
		    sizeof(attr.handled_access_net);
	}
	if (abi >= 5)
		attr.handled_access_fs |= LL_FS_IOCTL_DEV;
	/*
	 * No child talks to abstract sockets or signals other processes;
	 * signals to itself (abort, trap mode) stay inside the domain.
	 */
	if (abi >= 6) {
		attr.scoped = LL_SCOPE_ABSTRACT_UNIX | LL_SCOPE_SIGNAL;
		attrlen = sizeof(attr);
	}

	if ((fd = syscall(SYS_landlock_create_ruleset, &attr, attrlen, 0)) ==
	    -1)
		fatal("landlock_create_ruleset");
	if (role == ROLE_WORKD) {
		/* Everything below the datadir but running what is there. */
		memset(&beneath, 0, sizeof(beneath));
		beneath.allowed_access = attr.handled_access_fs &
		    ~LL_FS_EXECUTE;
		beneath.parent_fd = datafd;
		if (syscall(SYS_landlock_add_rule, fd,
		    LANDLOCK_RULE_PATH_BENEATH, &beneath, 0) == -1)
			fatal("landlock_add_rule");
	}
	if (syscall(SYS_landlock_restrict_self, fd, 0) == -1)
		fatal("landlock_restrict_self");
	close(fd);
	landlock_abi = abi;
	log_debug("Landlock ABI %d", abi);
}
