/*
 * workd: work units. It keeps them in the datadir, the only part of the
 * file system its sandbox lets it touch, and asks the parent to launch
 * and signal their runners.
 */
#include <stdlib.h>

#include "config.h"
#include "log.h"
#include "proc.h"
#include "proto.h"
#include "workd.h"
#include "remote.h"

static void	workd_configure(const struct config *);
static void	workd_dispatch(enum proc_role, struct imsg *);
static void	workd_runner_news(struct imsg *);

static const struct child_ops workd_ops = {
	.role = ROLE_WORKD,
	.configure = workd_configure,
	.dispatch = workd_dispatch,
};

int
main(int argc, char *argv[])
{
	child_main(&workd_ops);
}

/* Work types and the datadir can't change on a reload (Go's rule). */
static void
workd_configure(const struct config *old)
{
	const struct cfg_item	*node;

	if (old != NULL)
		return;
	node = config_first(child_config(), "node");
	store_open(config_datadir(child_config()), cfg_str(node, "id"));
	store_scan();
}

static void
workd_dispatch(enum proc_role from, struct imsg *imsg)
{
	if (from == ROLE_CTLD && imsg->hdr.type == IMSG_CTL_WORK)
		control_work(imsg);
	else if (from == ROLE_NETD && imsg->hdr.type == IMSG_WORK_DIALED)
		rconn_dialed(imsg);
	else if (from == ROLE_PARENT && (imsg->hdr.type == IMSG_WORK_LAUNCHED ||
	    imsg->hdr.type == IMSG_WORK_GONE))
		workd_runner_news(imsg);
	else
		log_warnx("unexpected message %u from %s", imsg->hdr.type,
		    role_name(from));
}

static void
workd_runner_news(struct imsg *imsg)
{
	struct msgread	 mr;
	char		*unit, *err = NULL;
	uint32_t	 pid;

	msg_read_init(&mr, imsg);
	unit = msg_get_str(&mr);
	pid = msg_get_u32(&mr);
	if (imsg->hdr.type == IMSG_WORK_LAUNCHED)
		err = msg_get_str(&mr);
	if (msg_read_end(&mr) == -1 || unit == NULL ||
	    (imsg->hdr.type == IMSG_WORK_LAUNCHED && err == NULL))
		fatalx("malformed runner news from the parent");
	if (imsg->hdr.type == IMSG_WORK_LAUNCHED)
		command_launched(unit, pid, err);
	else
		command_gone(unit, pid);
	free(unit);
	free(err);
}

void
workd_reply(uint32_t reqid, enum work_reply kind, const char *text)
{
	struct msgbuild	 mb;

	msg_init(&mb);
	msg_add_u32(&mb, kind);
	msg_add_str(&mb, text);
	if (imsgev_msg(child_channel(ROLE_CTLD), &mb, IMSG_CTL_WORK_REPLY,
	    reqid, -1) == -1)
		fatal("work reply to ctld");
}

void
workd_to_parent(uint32_t type, const char *unit, pid_t pid)
{
	struct msgbuild	 mb;

	msg_init(&mb);
	msg_add_str(&mb, unit);
	msg_add_u32(&mb, pid);
	if (imsgev_msg(child_channel(ROLE_PARENT), &mb, type, 0, -1) == -1)
		fatal("runner request to parent");
}
