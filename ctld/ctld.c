/*
 * ctld: the control service. It answers clients on sockets the parent
 * opens for it, sandboxed in an empty chroot with no file access.
 */
#include "proc.h"

static const struct child_ops ctld_ops = {
	.role = ROLE_CTLD,
};

int
main(int argc, char *argv[])
{
	child_main(&ctld_ops);
}
