/*
 * The parent's capabilities. Before it starts its children it keeps only
 * what it uses for the rest of its life, as the unit's
 * CapabilityBoundingSet= (etc/receptor.service) does, so that a daemon
 * root starts by hand is held to the same; and a configuration that needs
 * one it lacks is refused up front.
 */
#include <sys/prctl.h>

#include <linux/capability.h>

#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "receptor.h"

static const unsigned kept[] = {
	CAP_SETUID,		/* children and work units become their users */
	CAP_SETGID,
	CAP_SETPCAP,		/* children empty their bounding sets */
	CAP_SYS_CHROOT,		/* netd and ctld */
	CAP_CHOWN,		/* the datadir and units' files to their users */
	CAP_FOWNER,
	CAP_DAC_OVERRIDE,	/* the datadir, _receptor's own */
	CAP_KILL,		/* children and units run as other users */
	CAP_NET_BIND_SERVICE,	/* control listeners, and netd keeps it */
};

/* The actions whose port netd binds. */
static const char *const port_actions[] = {
	"tcp-listener", "udp-listener", "ws-listener", "tcp-server",
	"udp-server",
};

static int	port_check(const char *, long long, char *, size_t);
static int	unprivileged_port_start(void);

/* For the privilege plan. */
size_t
caps_kept(void)
{
	return sizeof(kept) / sizeof(kept[0]);
}

void
caps_limit(void)
{
	uint64_t	 keep = 0;
	size_t		 i;

	for (i = 0; i < caps_kept(); i++)
		keep |= CAPSET_BIT(kept[i]);
	capset_bound(keep);
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) == -1 &&
	    errno != EINVAL)
		fatal("prctl(PR_CAP_AMBIENT_CLEAR_ALL)");
	capset_limit(keep);
}

/*
 * A port below the first unprivileged one takes CAP_NET_BIND_SERVICE;
 * without it the listener could only fail, so the configuration does,
 * saying what would make it work.
 */
int
caps_check_ports(const struct config *conf, char *err, size_t errlen)
{
	struct capsets	 cs;
	struct cfg_item	*item;
	const char	*s;
	size_t		 a;

	capset_get(&cs);
	if (cs.effective & CAPSET_BIT(CAP_NET_BIND_SERVICE))
		return 0;
	for (a = 0; a < sizeof(port_actions) / sizeof(port_actions[0]); a++)
		for (item = config_first(conf, port_actions[a]); item != NULL;
		    item = config_next(item, port_actions[a]))
			if (port_check(port_actions[a], cfg_int(item, "port"),
			    err, errlen) == -1)
				return -1;
	for (item = config_first(conf, "control-service"); item != NULL;
	    item = config_next(item, "control-service"))
		if ((s = cfg_str(item, "tcplisten")) != NULL &&
		    (s = strrchr(s, ':')) != NULL &&
		    port_check("control-service", strtoll(s + 1, NULL, 10),
		    err, errlen) == -1)
			return -1;
	return 0;
}

static int
port_check(const char *action, long long port, char *err, size_t errlen)
{
	int	 first = unprivileged_port_start();

	if (port <= 0 || port >= first)
		return 0;
	(void)snprintf(err, errlen, "%s port %lld: a port below %d needs "
	    "CAP_NET_BIND_SERVICE, which this process lacks: start it as "
	    "root, keep the capability in receptor.service's "
	    "CapabilityBoundingSet=, or use port %d or above", action, port,
	    first, first);
	return -1;
}

static int
unprivileged_port_start(void)
{
	FILE	*fp;
	int	 first = 1024;

	if ((fp = fopen("/proc/sys/net/ipv4/ip_unprivileged_port_start",
	    "re")) != NULL) {
		if (fscanf(fp, "%d", &first) != 1)
			first = 1024;
		fclose(fp);
	}
	return first;
}
