/*
 * netd: the mesh. Backends, links, routing, services and datagrams live
 * here, sandboxed in an empty chroot with no file access.
 */
#include <string.h>
#include <time.h>

#include "log.h"
#include "netd.h"
#include "proc.h"
#include "proto.h"

static void	netd_init(void);
static void	netd_configure(const struct config *);
static void	netd_dispatch(enum proc_role, struct imsg *);

static const struct child_ops netd_ops = {
	.role = ROLE_NETD,
	.init = netd_init,
	.configure = netd_configure,
	.dispatch = netd_dispatch,
};

static struct evdns_base	*dns;

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
	dns = evdns_base_new(child_base(), EVDNS_BASE_INITIALIZE_NAMESERVERS |
	    EVDNS_BASE_NAMESERVERS_NO_DEFAULT);
	if (dns == NULL)
		dns = evdns_base_new(child_base(), 0);
	if (dns == NULL)
		fatalx("cannot set up name resolution");
	if (evdns_base_load_hosts(dns, NULL) != 0)
		log_debug("no /etc/hosts for name resolution");
	ws_init();
}

struct event_base *
netd_base(void)
{
	return child_base();
}

struct evdns_base *
netd_dns(void)
{
	return dns;
}

time_t
monotime(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec;
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
	backends_start(conf);
}

static void
netd_dispatch(enum proc_role from, struct imsg *imsg)
{
	if (from == ROLE_CTLD) {
		ctl_dispatch(imsg);
		return;
	}
	log_warnx("unexpected message %u from %s", imsg->hdr.type,
	    role_name(from));
}
