/*
 * nolandlock ERRNO PROGRAM [ARG...]: runs PROGRAM with Landlock's system
 * calls failing with ERRNO (EPERM, ENOSYS), as a container runtime's
 * seccomp profile makes them fail, for the tests of what the daemon does
 * there.
 */
#include <sys/prctl.h>

#include <errno.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int
main(int argc, char *argv[])
{
	static const char *const calls[] = { "landlock_create_ruleset",
	    "landlock_add_rule", "landlock_restrict_self" };
	scmp_filter_ctx	 ctx;
	size_t		 i;
	int		 e;

	if (argc < 3) {
		fprintf(stderr, "usage: nolandlock EPERM|ENOSYS program "
		    "[arg ...]\n");
		return 2;
	}
	e = strcmp(argv[1], "ENOSYS") == 0 ? ENOSYS : EPERM;
	/* Root installs it as a container's runtime would, without NNP. */
	if (geteuid() != 0 && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == -1) {
		perror("prctl");
		return 1;
	}
	if ((ctx = seccomp_init(SCMP_ACT_ALLOW)) == NULL)
		return 1;
	for (i = 0; i < sizeof(calls) / sizeof(calls[0]); i++)
		if (seccomp_rule_add(ctx, SCMP_ACT_ERRNO(e),
		    seccomp_syscall_resolve_name(calls[i]), 0) != 0) {
			fprintf(stderr, "nolandlock: %s\n", calls[i]);
			return 1;
		}
	if (seccomp_load(ctx) != 0) {
		fprintf(stderr, "nolandlock: seccomp_load failed\n");
		return 1;
	}
	execv(argv[2], argv + 2);
	perror(argv[2]);
	return 127;
}
