/*
 * One pledge-like call per process role. On Linux: privilege drop (only
 * when started as root), PR_SET_NO_NEW_PRIVS, Landlock where the kernel
 * has it, and a libseccomp allowlist that kills the process on violation.
 */
#ifndef RECEPTOR_SANDBOX_H
#define RECEPTOR_SANDBOX_H

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
 * child never runs with less confinement than asked for.
 * Privilege drop happens only when running as root; the rest always does.
 */
void	sandbox_enter(enum proc_role, const struct sandbox_conf *);

/* Landlock ABI in use (0 when the kernel has none). */
int	sandbox_landlock_abi(void);

/* Name of a syscall number for logs ("syscall 1234" when unknown). */
const char *sandbox_syscall_name(int nr);

#endif
