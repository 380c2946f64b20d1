/*
 * workd: work units. It keeps them in the datadir, the only part of the
 * file system its sandbox lets it touch, and asks the parent to launch
 * their commands.
 */
#include "proc.h"

static const struct child_ops workd_ops = {
	.role = ROLE_WORKD,
};

int
main(int argc, char *argv[])
{
	child_main(&workd_ops);
}
