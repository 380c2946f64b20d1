/*
 * One pledge-like call per process role. On Linux: privilege drop (only
 * when started as root), PR_SET_NO_NEW_PRIVS, Landlock where the kernel
 * has it, and a libseccomp allowlist that kills the process on violation.
 */
#ifndef RECEPTOR_SANDBOX_H
#define RECEPTOR_SANDBOX_H

#include <stdint.h>

enum proc_role {
	ROLE_PARENT,
	ROLE_NETD,
	ROLE_WORKD,
	ROLE_CTLD,
	ROLE_COUNT
};

struct sandbox_conf {
	const char	*user;		/* unprivileged user, e.g. "_receptor" */
	const char	*chroot;	/* empty directory (netd, ctld) */
	const char	*datadir;	/* the one tree workd may touch */
	int		 trap;		/* log violations and die instead of kill */
};

const char *role_name(enum proc_role);

/*
 * Confine the calling process for its role; fatal() on any failure, so a
 * child never runs with less confinement than asked for, but Landlock's:
 * where that can't be had (containers often refuse its calls) the child
 * runs under the other layers and the audit says why.
 * Privilege drop happens only when running as root; the rest always does.
 */
void	sandbox_enter(enum proc_role, const struct sandbox_conf *);

/*
 * workd's datadir, opened before privileges were dropped: the user may
 * not search the path's parents, only what is below it. -1 elsewhere.
 */
int	sandbox_datadir(void);

/* The directory the process is confined to: its chroot, or "/". */
const char *sandbox_root(void);

/* capset.c: capability sets as masks, bit N for capability N. */
#define CAPSET_BIT(cap)	((uint64_t)1 << (cap))
struct capsets {
	uint64_t	 effective;
	uint64_t	 permitted;
	uint64_t	 inheritable;
};
void	capset_get(struct capsets *);
/* Drop every capability but keep's from the bounding set, where allowed. */
void	capset_bound(uint64_t keep);
void	capset_limit(uint64_t keep);

/* Landlock ABI in use (0 when none). */
int	sandbox_landlock_abi(void);
/* Why Landlock is not in use ("call: reason"), or NULL when it is. */
const char *sandbox_landlock_unavailable(void);

/*
 * For the privilege audit, which runs in the unconfined parent: what the
 * children install, read from the same tables that install it.
 */

/* Landlock ABI of the running kernel (0 when it has none). */
int	sandbox_landlock_kernel_abi(void);

/*
 * The role's Landlock rule set at ABI abi, as lines of text: what it
 * restricts ("fs: execute write_file ...", "net: ...", "scope: ...") and
 * each rule ("beneath DATADIR: read_file ..."). Nothing at ABI 0.
 */
void	sandbox_landlock_list(enum proc_role, int abi, const char *datadir,
	    void (*restricts)(const char *, void *),
	    void (*rule)(const char *, void *), void *arg);

/*
 * One entry of a role's seccomp allowlist, in table order; a syscall may
 * come more than once with different argument checks.
 */
struct sandbox_syscall {
	const char	*name;
	int		 err;		/* fails with this errno, 0: runs */
	int		 checked;	/* only for some argument values */
};

/* Each entry the role's filter holds on this architecture. */
void	sandbox_seccomp_list(enum proc_role,
	    void (*)(const struct sandbox_syscall *, void *), void *arg);

/* Name of a syscall number for logs ("syscall 1234" when unknown). */
const char *sandbox_syscall_name(int nr);

#endif
