/*
 * What all of netd runs on: the event loop, name resolution and a
 * monotonic clock.
 */
#include <time.h>

#include "log.h"
#include "netd.h"
#include "proc.h"

static struct evdns_base	*dns;

struct event_base *
netd_base(void)
{
	return child_base();
}

/* Name servers and /etc/hosts can only be read before the chroot. */
void
netd_dns_init(void)
{
	dns = evdns_base_new(netd_base(), EVDNS_BASE_INITIALIZE_NAMESERVERS |
	    EVDNS_BASE_NAMESERVERS_NO_DEFAULT);
	if (dns == NULL)
		dns = evdns_base_new(netd_base(), 0);
	if (dns == NULL)
		fatalx("cannot set up name resolution");
	if (evdns_base_load_hosts(dns, NULL) != 0)
		log_debug("no /etc/hosts for name resolution");
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
