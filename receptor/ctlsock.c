/*
 * Control service sockets. ctld may not open files or sockets, so the
 * parent creates the listeners of every control-service item (Unix ones
 * as unixsock.c makes them), passes them to ctld, and removes the socket
 * files when the daemon stops.
 */
#include <sys/socket.h>
#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "proto.h"
#include "receptor.h"

struct ctlsock {
	struct unixsock	 us;	/* a TCP one has only the fd */
	uint32_t	 service;	/* which control-service item, from 0 */
};

static struct ctlsock	*socks;
static size_t		 nsocks;

static int	ctlsock_tcp(const char *, struct ctlsock *, char *, size_t);
static void	ctlsock_add(const struct ctlsock *, uint32_t);

/* Opens every listener, or none: returns -1 with why in err. */
int
ctlsock_open(const struct config *conf, char *err, size_t errlen)
{
	struct cfg_item	*item;
	struct ctlsock	 s;
	const char	*filename, *tcplisten;
	uint32_t	 service = 0;

	for (item = config_first(conf, "control-service"); item != NULL;
	    item = config_next(item, "control-service"), service++) {
		filename = cfg_str(item, "filename");
		tcplisten = cfg_str(item, "tcplisten");
		if (filename != NULL && *filename != '\0') {
			if (unixsock_listen("control-service", filename,
			    cfg_int(item, "permissions"), &s.us, err,
			    errlen) == -1)
				goto fail;
			ctlsock_add(&s, service);
		}
		if (tcplisten != NULL && *tcplisten != '\0') {
			if (ctlsock_tcp(tcplisten, &s, err, errlen) == -1)
				goto fail;
			ctlsock_add(&s, service);
		}
	}
	return 0;
 fail:
	ctlsock_close();
	return -1;
}

static void
ctlsock_add(const struct ctlsock *s, uint32_t service)
{
	socks = reallocarray(socks, nsocks + 1, sizeof(*socks));
	if (socks == NULL)
		fatal("control sockets");
	socks[nsocks] = *s;
	socks[nsocks++].service = service;
}

/* tcplisten is "port" (all addresses) or "host:port", as Go takes it. */
static int
ctlsock_tcp(const char *listen_on, struct ctlsock *s, char *err,
    size_t errlen)
{
	struct addrinfo	 hints, *res;
	char		*copy, *host, *port;
	int		 on = 1, rv;

	memset(s, 0, sizeof(*s));
	s->us.lockfd = -1;
	if ((copy = host = strdup(listen_on)) == NULL)
		fatal("strdup");
	if ((port = strrchr(host, ':')) != NULL)
		*port++ = '\0';
	else {
		port = host;
		host = NULL;
	}
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE;
	if (host != NULL && host[0] == '[') {
		host++;
		host[strcspn(host, "]")] = '\0';
	}
	rv = getaddrinfo(host != NULL && *host != '\0' ? host : NULL, port,
	    &hints, &res);
	free(copy);
	if (rv != 0) {
		snprintf(err, errlen, "control-service: tcplisten %s: %s",
		    listen_on, gai_strerror(rv));
		return -1;
	}
	s->us.fd = socket(res->ai_family, res->ai_socktype | SOCK_CLOEXEC |
	    SOCK_NONBLOCK, 0);
	if (s->us.fd == -1 || setsockopt(s->us.fd, SOL_SOCKET, SO_REUSEADDR, &on,
	    sizeof(on)) == -1 || bind(s->us.fd, res->ai_addr,
	    res->ai_addrlen) == -1 || listen(s->us.fd, LISTEN_BACKLOG) == -1) {
		snprintf(err, errlen, "control-service: cannot listen on %s: "
		    "%s", listen_on, strerror(errno));
		if (s->us.fd != -1)
			close(s->us.fd);
		freeaddrinfo(res);
		return -1;
	}
	freeaddrinfo(res);
	return 0;
}

/* ctld gets a copy of each listener, told which control-service it is. */
void
ctlsock_send(struct imsgev *ctld)
{
	struct msgbuild	 mb;
	size_t		 i;
	int		 fd;

	for (i = 0; i < nsocks; i++) {
		if ((fd = dup(socks[i].us.fd)) == -1)
			fatal("dup");
		msg_init(&mb);
		msg_add_u32(&mb, socks[i].service);
		msg_add_u32(&mb, socks[i].us.path == NULL);
		if (imsgev_msg(ctld, &mb, IMSG_CTL_LISTENER, 0, fd) == -1)
			fatal("control socket to ctld");
	}
}

void
ctlsock_close(void)
{
	size_t	 i;

	for (i = 0; i < nsocks; i++)
		unixsock_close(&socks[i].us);
	free(socks);
	socks = NULL;
	nsocks = 0;
}
