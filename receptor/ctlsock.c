/*
 * Control service sockets. ctld may not open files or sockets, so the
 * parent creates the listeners of every control-service item, as Go does
 * (lock "<filename>.lock", remove a stale socket, bind, chmod), passes
 * them to ctld, and removes the socket files when the daemon stops.
 */
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "proto.h"
#include "receptor.h"
#include "util.h"

/*
 * As Go's net.Listen (the system's maximum): a burst of clients, AWX's
 * say, waits to be accepted rather than being refused with EAGAIN.
 */
#define CTL_BACKLOG	SOMAXCONN

struct ctlsock {
	int	 fd;
	uint32_t service;	/* which control-service item, from 0 */
	int	 lockfd;	/* -1 for TCP */
	char	*path;		/* NULL for TCP */
	char	*lockpath;
};

static struct ctlsock	*socks;
static size_t		 nsocks;

static int	ctlsock_unix(const char *, long long, struct ctlsock *,
		    char *, size_t);
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
			if (ctlsock_unix(filename, cfg_int(item,
			    "permissions"), &s, err, errlen) == -1)
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

static int
ctlsock_unix(const char *path, long long mode, struct ctlsock *s, char *err,
    size_t errlen)
{
	struct sockaddr_un	 sun;
	char			*dir;
	int			 created;

	memset(s, 0, sizeof(*s));
	s->fd = -1;
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlcpy(sun.sun_path, path, sizeof(sun.sun_path)) >=
	    sizeof(sun.sun_path)) {
		snprintf(err, errlen, "control-service: filename %s is too "
		    "long for a socket", path);
		return -1;
	}
	if (asprintf(&s->lockpath, "%s.lock", path) == -1 ||
	    (dir = strdup(path)) == NULL)
		fatal("asprintf");
	/* Like a service's RuntimeDirectory: /run/receptor may be new. */
	if (mkdir_p(dirname(dir), 0755, &created) == -1) {
		snprintf(err, errlen, "control-service: cannot create the "
		    "directory of %s: %s", path, strerror(errno));
		free(dir);
		free(s->lockpath);
		return -1;
	}
	free(dir);
	s->lockfd = open(s->lockpath, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (s->lockfd == -1 || flock(s->lockfd, LOCK_EX | LOCK_NB) == -1) {
		snprintf(err, errlen, "control-service: could not acquire "
		    "lock on socket file %s: %s", s->lockpath,
		    strerror(errno));
		goto fail;
	}
	/* Only a socket we hold the lock of is ours to replace. */
	if (unlink(path) == -1 && errno != ENOENT) {
		snprintf(err, errlen, "control-service: could not remove "
		    "socket file %s: %s", path, strerror(errno));
		goto fail;
	}
	s->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (s->fd == -1)
		fatal("socket");
	if (bind(s->fd, (struct sockaddr *)&sun, sizeof(sun)) == -1 ||
	    chmod(path, mode) == -1 || listen(s->fd, CTL_BACKLOG) == -1) {
		snprintf(err, errlen, "control-service: cannot listen on %s: "
		    "%s", path, strerror(errno));
		unlink(path);
		goto fail;
	}
	if ((s->path = strdup(path)) == NULL)
		fatal("strdup");
	return 0;
 fail:
	if (s->fd != -1)
		close(s->fd);
	if (s->lockfd != -1)
		close(s->lockfd);
	unlink(s->lockpath);
	free(s->lockpath);
	return -1;
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
	s->lockfd = -1;
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
	s->fd = socket(res->ai_family, res->ai_socktype | SOCK_CLOEXEC |
	    SOCK_NONBLOCK, 0);
	if (s->fd == -1 || setsockopt(s->fd, SOL_SOCKET, SO_REUSEADDR, &on,
	    sizeof(on)) == -1 || bind(s->fd, res->ai_addr,
	    res->ai_addrlen) == -1 || listen(s->fd, CTL_BACKLOG) == -1) {
		snprintf(err, errlen, "control-service: cannot listen on %s: "
		    "%s", listen_on, strerror(errno));
		if (s->fd != -1)
			close(s->fd);
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
		if ((fd = dup(socks[i].fd)) == -1)
			fatal("dup");
		msg_init(&mb);
		msg_add_u32(&mb, socks[i].service);
		msg_add_u32(&mb, socks[i].path == NULL);
		if (imsgev_msg(ctld, &mb, IMSG_CTL_LISTENER, 0, fd) == -1)
			fatal("control socket to ctld");
	}
}

void
ctlsock_close(void)
{
	size_t	 i;

	for (i = 0; i < nsocks; i++) {
		close(socks[i].fd);
		if (socks[i].path != NULL) {
			unlink(socks[i].path);
			free(socks[i].path);
		}
		if (socks[i].lockfd != -1) {
			unlink(socks[i].lockpath);
			close(socks[i].lockfd);
			free(socks[i].lockpath);
		}
	}
	free(socks);
	socks = NULL;
	nsocks = 0;
}
