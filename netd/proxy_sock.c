/*
 * The address a proxy connects to, resolved once when the proxy starts
 * (netd has no resolver of its own after its chroot; evdns read the
 * system's before) and again after a connection to it fails.
 */
#include <sys/socket.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <event2/dns.h>

#include "log.h"
#include "netd.h"
#include "proxy.h"

struct proxy_target {
	const char			*action;
	char				*host;
	char				*port;
	int				 socktype;
	struct sockaddr_storage		 ss;
	socklen_t			 sslen;	/* 0: not resolved */
	struct evdns_getaddrinfo_request *resolving;
};

static int	proxy_split(const char *, const char *, char **, char **);
static void	target_resolve(struct proxy_target *);
static void	target_resolved(int, struct evutil_addrinfo *, void *);

/* Go's net.SplitHostPort, enough for an address a proxy connects to. */
static int
proxy_split(const char *action, const char *hostport, char **host,
    char **port)
{
	const char	*colon = strrchr(hostport, ':');
	size_t		 hl;

	if (colon == NULL || colon[1] == '\0')
		goto bad;
	hl = colon - hostport;
	if (hl >= 2 && hostport[0] == '[' && hostport[hl - 1] == ']') {
		hostport++;
		hl -= 2;
	}
	if ((*host = strndup(hostport, hl)) == NULL ||
	    (*port = strdup(colon + 1)) == NULL)
		fatal("%s", action);
	return 0;
 bad:
	log_error("%s: address %s: missing port", action, hostport);
	return -1;
}

struct proxy_target *
proxy_target_new(const char *action, const char *hostport, int socktype)
{
	struct proxy_target	*t;

	if ((t = calloc(1, sizeof(*t))) == NULL)
		fatal("%s", action);
	t->action = action;
	t->socktype = socktype;
	if (proxy_split(action, hostport, &t->host, &t->port) == -1) {
		free(t);
		return NULL;
	}
	target_resolve(t);
	return t;
}

static void
target_resolve(struct proxy_target *t)
{
	struct evutil_addrinfo	 hints;

	if (t->resolving != NULL)
		return;
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = t->socktype;
	t->resolving = evdns_getaddrinfo(netd_dns(), t->host, t->port, &hints,
	    target_resolved, t);
}

static void
target_resolved(int result, struct evutil_addrinfo *res, void *arg)
{
	struct proxy_target		*t = arg;
	const struct evutil_addrinfo	*ai;

	if (result == EVUTIL_EAI_CANCEL)
		return;
	t->resolving = NULL;
	if (result != 0) {
		log_warnx("%s: lookup %s: %s", t->action, t->host,
		    evutil_gai_strerror(result));
		return;
	}
	ai = addrinfo_pick(res);
	memcpy(&t->ss, ai->ai_addr, ai->ai_addrlen);
	t->sslen = ai->ai_addrlen;
	evutil_freeaddrinfo(res);
}

/*
 * A non-blocking socket connecting to the target, or -1, logged. A stream
 * bridged to it waits for the connection in the kernel.
 */
int
proxy_target_connect(struct proxy_target *t)
{
	int	 fd, on = 1;

	if (t->sslen == 0) {
		log_warnx("%s: %s:%s is not resolved (yet)", t->action,
		    t->host, t->port);
		target_resolve(t);
		return -1;
	}
	if ((fd = socket(t->ss.ss_family, t->socktype | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, 0)) == -1) {
		log_warn("%s: socket", t->action);
		return -1;
	}
	/* Go's connections are TCP_NODELAY. */
	if (t->socktype == SOCK_STREAM)
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof(on));
	if (connect(fd, (struct sockaddr *)&t->ss, t->sslen) == -1 &&
	    errno != EINPROGRESS) {
		log_warn("%s: connect to %s:%s", t->action, t->host, t->port);
		close(fd);
		target_resolve(t);
		return -1;
	}
	return fd;
}

const char *
proxy_target_host(const struct proxy_target *t)
{
	return t->host;
}

void
proxy_target_free(struct proxy_target *t)
{
	if (t->resolving != NULL)
		evdns_getaddrinfo_cancel(t->resolving);
	free(t->host);
	free(t->port);
	free(t);
}
