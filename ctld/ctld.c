/*
 * ctld: the control service. It answers clients on sockets the parent
 * opens for it, sandboxed in an empty chroot with no file access.
 */
#include <sys/sysinfo.h>
#include <sched.h>

#include "ctld.h"
#include "proc.h"
#include "proto.h"

static void	ctld_init(void);
static void	ctld_dispatch(enum proc_role, struct imsg *);

static const struct child_ops ctld_ops = {
	.role = ROLE_CTLD,
	.init = ctld_init,
	.dispatch = ctld_dispatch,
};

static struct ctld_sysinfo	 sys;

int
main(int argc, char *argv[])
{
	child_main(&ctld_ops);
}

/*
 * The figures `status` reports, as Go takes them: runtime.NumCPU() is the
 * CPUs we may run on, memory.TotalMemory() is sysinfo's total RAM. Read
 * now: the sandbox allows neither call.
 */
static void
ctld_init(void)
{
	struct sysinfo	 si;
	cpu_set_t	 set;

	if (sched_getaffinity(0, sizeof(set), &set) == 0)
		sys.cpus = CPU_COUNT(&set);
	else
		sys.cpus = 1;
	if (sysinfo(&si) == 0)
		sys.mem_mib = (long long)((unsigned long long)si.totalram *
		    si.mem_unit / (1024 * 1024));
}

const struct ctld_sysinfo *
ctld_sysinfo(void)
{
	return &sys;
}

/* config_validate() always leaves a node with an ID. */
const char *
ctld_node_id(void)
{
	return cfg_str(config_first(child_config(), "node"), "id");
}

static void
ctld_dispatch(enum proc_role from, struct imsg *imsg)
{
	if (from == ROLE_PARENT && imsg->hdr.type == IMSG_CTL_LISTENER)
		control_listener(imsg);
	else if (from == ROLE_NETD && imsg->hdr.type == IMSG_CTL_MESH_CLIENT)
		control_mesh_client(imsg);
	else
		commands_dispatch(from, imsg);
}
