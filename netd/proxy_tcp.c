/*
 * TCP proxies. tcp-server accepts TCP connections and dials a stream to
 * remotenode:remoteservice for each; tcp-client listens on a service and
 * connects each stream to its address. Either way the stream is bridged
 * straight to the TCP socket, no copy between them but the stream's own;
 * with TLS on the TCP side, to a pipe that speaks it (proxy_tls.c).
 */
#include <sys/socket.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "netd.h"
#include "proxy.h"
#include "quic.h"

struct tcp_client {
	char			 where[80];
	char			*service;
	struct proxy_target	*target;
	struct quic_listener	*listener;
	struct proxy_tls	*tls;	/* to the address, or NULL */
};

static void	*server_start(const struct cfg_item *);
static void	*client_start(const struct cfg_item *);
static void	 client_stop(void *);
static int	 client_accepted(const char *, uint64_t, void *);

const struct proxy_kind proxy_tcp_server = {
	"tcp-server", server_start, stream_server_stop
};
const struct proxy_kind proxy_tcp_client = {
	"tcp-client", client_start, client_stop
};

/* TLS on the TCP side, if item's field names it; -1 if it can't be had. */
static int
tcp_tls(const struct cfg_item *item, const char *field, int server,
    struct proxy_tls **pt)
{
	const char	*name = cfg_str(item, field);

	*pt = NULL;
	if (name == NULL || *name == '\0')
		return 0;
	if ((*pt = proxy_tls_new(item->action->name, name, server)) == NULL)
		return -1;
	return 0;
}

static void *
server_start(const struct cfg_item *item)
{
	struct proxy_tls *pt;
	const char	*host = cfg_str(item, "bindaddr");
	char		 port[16], where[80];
	int		 fd;

	if (tcp_tls(item, "tlsserver", 1, &pt) == -1)
		return NULL;
	snprintf(port, sizeof(port), "%lld", cfg_int(item, "port"));
	snprintf(where, sizeof(where), "tcp-server %s:%s", host, port);
	if ((fd = sock_listen("tcp-server", SOCK_STREAM, host, port)) == -1) {
		proxy_tls_release(pt);
		return NULL;
	}
	return stream_server_start(where, fd, item, "tlsclient", pt);
}

static void *
client_start(const struct cfg_item *item)
{
	struct tcp_client	*tc;
	const char		*address = cfg_str(item, "address");

	if ((tc = calloc(1, sizeof(*tc))) == NULL ||
	    (tc->service = strdup(cfg_str(item, "service"))) == NULL)
		fatal("tcp-client");
	snprintf(tc->where, sizeof(tc->where), "tcp-client %s", tc->service);
	if (tcp_tls(item, "tlsclient", 0, &tc->tls) == -1 ||
	    (tc->target = proxy_target_new("tcp-client", address,
	    SOCK_STREAM)) == NULL ||
	    (tc->listener = proxy_listen(item, "tlsserver", client_accepted,
	    tc, "TCP Proxy", "address", address)) == NULL) {
		if (tc->target != NULL)
			proxy_target_free(tc->target);
		proxy_tls_release(tc->tls);
		free(tc->service);
		free(tc);
		return NULL;
	}
	log_debug("tcp-client %s: forwarding to %s", tc->service, address);
	return tc;
}

static void
client_stop(void *arg)
{
	struct tcp_client	*tc = arg;

	svcad_remove(tc->service);
	quic_unlisten(tc->listener);
	proxy_target_free(tc->target);
	proxy_tls_release(tc->tls);
	free(tc->service);
	free(tc);
}

static int
client_accepted(const char *node, uint64_t conn, void *arg)
{
	struct tcp_client	*tc = arg;
	int			 fd;

	log_debug("%s: stream from %s", tc->where, node);
	if ((fd = proxy_target_connect(tc->target)) == -1 || tc->tls == NULL)
		return fd;
	return tlspipe_client(fd, tc->tls, proxy_target_host(tc->target),
	    tc->where);
}
