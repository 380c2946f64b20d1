/*
 * TCP proxies. tcp-server accepts TCP connections and dials a stream to
 * remotenode:remoteservice for each; tcp-client listens on a service and
 * connects each stream to its address. Either way the stream is bridged
 * straight to the TCP socket: no copy between them but the stream's own.
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
	char			*service;
	struct proxy_target	*target;
	struct quic_listener	*listener;
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

/* The TCP side's own TLS is not ours yet: say so rather than run bare. */
static int
tcp_tls_refused(const struct cfg_item *item, const char *field)
{
	const char	*tls = cfg_str(item, field);

	if (tls == NULL || *tls == '\0')
		return 0;
	log_error("%s: %s %s: TLS on the TCP side is not supported",
	    item->action->name, field, tls);
	return 1;
}

static void *
server_start(const struct cfg_item *item)
{
	const char	*host = cfg_str(item, "bindaddr");
	char		 port[16], where[80];
	int		 fd;

	if (tcp_tls_refused(item, "tlsserver"))
		return NULL;
	snprintf(port, sizeof(port), "%lld", cfg_int(item, "port"));
	snprintf(where, sizeof(where), "tcp-server %s:%s", host, port);
	if ((fd = sock_listen("tcp-server", SOCK_STREAM, host, port)) == -1)
		return NULL;
	return stream_server_start(where, fd, item, "tlsclient");
}

static void *
client_start(const struct cfg_item *item)
{
	struct tcp_client	*tc;
	const char		*address = cfg_str(item, "address");

	if (tcp_tls_refused(item, "tlsclient"))
		return NULL;
	if ((tc = calloc(1, sizeof(*tc))) == NULL ||
	    (tc->service = strdup(cfg_str(item, "service"))) == NULL)
		fatal("tcp-client");
	if ((tc->target = proxy_target_new("tcp-client", address,
	    SOCK_STREAM)) == NULL ||
	    (tc->listener = proxy_listen(item, "tlsserver", client_accepted,
	    tc, "TCP Proxy", "address", address)) == NULL) {
		if (tc->target != NULL)
			proxy_target_free(tc->target);
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
	free(tc->service);
	free(tc);
}

static int
client_accepted(const char *node, uint64_t conn, void *arg)
{
	struct tcp_client	*tc = arg;

	log_debug("tcp-client %s: stream from %s", tc->service, node);
	return proxy_target_connect(tc->target);
}
