/*
 * The Linux layers of sandbox_enter(), in the order it applies them.
 * Private to common/sandbox*.c.
 */
#ifndef RECEPTOR_SANDBOX_PRIV_H
#define RECEPTOR_SANDBOX_PRIV_H

#include "sandbox.h"

/* Restrict file (and for some roles network) access; datafd for workd. */
void	sandbox_landlock(enum proc_role, int datafd);

/* Load the role's seccomp allowlist; the last step, it forbids the rest. */
void	sandbox_seccomp(enum proc_role, int trap);

#endif
