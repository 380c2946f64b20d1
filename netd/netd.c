/*
 * netd: the mesh. Backends, links, routing, services and datagrams live
 * here, sandboxed in an empty chroot with no file access.
 */
#include <malloc.h>
#include <string.h>

#include "log.h"
#include "netd.h"
#include "proc.h"
#include "proto.h"
#include "proxy.h"

/* Free memory the heap keeps rather than return at once. */
#define NETD_TRIM_THRESHOLD	(1024 * 1024)

static void	netd_init(void);
static void	netd_configure(const struct config *);
static void	netd_dispatch(enum proc_role, struct imsg *);

static const struct child_ops netd_ops = {
	.role = ROLE_NETD,
	.init = netd_init,
	.configure = netd_configure,
	.dispatch = netd_dispatch,
};

int
main(int argc, char *argv[])
{
	child_main(&netd_ops);
}

/*
 * Name servers and /etc/hosts can only be read before the chroot, and
 * libwebsockets opens /dev/urandom.
 */
static void
netd_init(void)
{
	/*
	 * A stream's buffers come and go by the hundred kilobytes: glibc's
	 * default trims the heap after each, a system call and a TLB
	 * flush across CPUs, then faults it back in.
	 */
	mallopt(M_TRIM_THRESHOLD, NETD_TRIM_THRESHOLD);
	netd_dns_init();
	ws_init();
}

/* Go restarts every backend on a reload; so do we. */
static void
netd_configure(const struct config *old)
{
	const struct config	*conf = child_config();

	if (old == NULL)
		mesh_init(cfg_str(config_first(conf, "node"), "id"));
	backends_stop();
	mesh_configure(conf);
	dgram_configure(conf);
	svcad_configure(conf);
	streams_configure(conf, old);
	proxy_configure(conf);
	backends_start(conf);
}

static void
netd_dispatch(enum proc_role from, struct imsg *imsg)
{
	if (from == ROLE_CTLD) {
		ctl_dispatch(imsg);
		return;
	}
	if (from == ROLE_WORKD && imsg->hdr.type == IMSG_WORK_DIAL) {
		streams_connect(from, imsg);
		return;
	}
	if (from == ROLE_PARENT && imsg->hdr.type == IMSG_PROXY_LISTENER) {
		proxy_unix_handed(imsg);
		return;
	}
	if (from == ROLE_PARENT && imsg->hdr.type == IMSG_PROXY_CONNECTED) {
		proxy_unix_connected(imsg);
		return;
	}
	log_warnx("unexpected message %u from %s", imsg->hdr.type,
	    role_name(from));
}
