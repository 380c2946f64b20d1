/*
 * netd: the mesh. Backends, sessions, routing, services and streams live
 * here, sandboxed in an empty chroot with no file access.
 */
#include "proc.h"

static const struct child_ops netd_ops = {
	.role = ROLE_NETD,
};

int
main(int argc, char *argv[])
{
	child_main(&netd_ops);
}
