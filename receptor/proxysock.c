/*
 * The files of the Unix socket proxies, which netd may not touch: the
 * parent makes the listener of each unix-socket-server and keeps it while
 * its item stands, handing netd a copy with every configuration, and
 * connects to a unix-socket-client's socket, only a configured one,
 * whenever a stream reaches it.
 */
#include <sys/queue.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "proto.h"
#include "receptor.h"

/* keep: 0 gone from the configuration, 1 in it, 2 new in it */
struct proxysock {
	TAILQ_ENTRY(proxysock)	 entry;
	char			*key;	/* the item's text */
	struct unixsock		 us;
	int			 keep;
};
static TAILQ_HEAD(, proxysock)	socks = TAILQ_HEAD_INITIALIZER(socks);

static struct proxysock *proxysock_find(const char *key, const char *path);
static void	proxysock_free(struct proxysock *);

/*
 * A listener for every unix-socket-server of conf: the same one while an
 * item stands or keeps its filename (its mode set anew), a new one for a
 * new filename; the rest closed. On error (in err) the new are closed.
 */
int
proxysock_open(const struct config *conf, char *err, size_t errlen)
{
	struct cfg_item		*item;
	struct proxysock	*ps, *next;
	const char		*path;
	char			*key;
	long long		 mode;

	TAILQ_FOREACH(ps, &socks, entry)
		ps->keep = 0;
	for (item = config_first(conf, "unix-socket-server"); item != NULL;
	    item = config_next(item, "unix-socket-server")) {
		key = cfg_item_text(item);
		path = cfg_str(item, "filename");
		mode = cfg_int(item, "permissions");
		if ((ps = proxysock_find(key, path)) != NULL) {
			free(ps->key);
			ps->key = key;
			ps->keep = 1;
			if (chmod(path, mode) == -1) {
				snprintf(err, errlen, "unix-socket-server: "
				    "chmod %s: %s", path, strerror(errno));
				goto fail;
			}
			continue;
		}
		if ((ps = calloc(1, sizeof(*ps))) == NULL)
			fatal("unix-socket-server");
		ps->key = key;
		ps->keep = 2;
		if (unixsock_listen("unix-socket-server", path, mode, &ps->us,
		    err, errlen) == -1) {
			free(ps->key);
			free(ps);
			goto fail;
		}
		TAILQ_INSERT_TAIL(&socks, ps, entry);
	}
	TAILQ_FOREACH_SAFE(ps, &socks, entry, next)
		if (ps->keep == 0)
			proxysock_free(ps);
	return 0;
 fail:
	TAILQ_FOREACH_SAFE(ps, &socks, entry, next)
		if (ps->keep == 2)
			proxysock_free(ps);
	return -1;
}

/* The listener of key, or one not yet claimed for path. */
static struct proxysock *
proxysock_find(const char *key, const char *path)
{
	struct proxysock	*ps;

	TAILQ_FOREACH(ps, &socks, entry)
		if (ps->keep == 0 && strcmp(ps->key, key) == 0)
			return ps;
	TAILQ_FOREACH(ps, &socks, entry)
		if (ps->keep == 0 && strcmp(ps->us.path, path) == 0)
			return ps;
	return NULL;
}

static void
proxysock_free(struct proxysock *ps)
{
	TAILQ_REMOVE(&socks, ps, entry);
	unixsock_close(&ps->us);
	free(ps->key);
	free(ps);
}

/* netd gets a copy of each listener ahead of the configuration. */
void
proxysock_send(struct imsgev *netd)
{
	struct proxysock	*ps;
	struct msgbuild		 mb;
	int			 fd;

	TAILQ_FOREACH(ps, &socks, entry) {
		if ((fd = dup(ps->us.fd)) == -1)
			fatal("dup");
		msg_init(&mb);
		msg_add_str(&mb, ps->key);
		if (imsgev_msg(netd, &mb, IMSG_PROXY_LISTENER, 0, fd) == -1)
			fatal("unix-socket-server listener to netd");
	}
}

void
proxysock_close(void)
{
	struct proxysock	*ps;

	while ((ps = TAILQ_FIRST(&socks)) != NULL)
		proxysock_free(ps);
}

static int
is_client_file(const char *path)
{
	struct cfg_item	*item;

	for (item = config_first(rc->conf, "unix-socket-client");
	    item != NULL; item = config_next(item, "unix-socket-client"))
		if (strcmp(cfg_str(item, "filename"), path) == 0)
			return 1;
	return 0;
}

/*
 * netd asks for a connection to a unix-socket-client's socket: made
 * without blocking, so a server that does not accept cannot hold up the
 * parent, and only to a file the configuration names.
 */
void
proxysock_connect(struct imsgev *netd, struct imsg *imsg)
{
	struct sockaddr_un	 sun;
	struct msgread		 mr;
	struct msgbuild		 mb;
	char			*path, why[256] = "";
	int			 fd = -1;

	msg_read_init(&mr, imsg);
	path = msg_get_str(&mr);
	if (msg_read_end(&mr) == -1 || path == NULL) {
		log_warnx("malformed unix-socket-client request from netd");
		free(path);
		return;
	}
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (!is_client_file(path))
		snprintf(why, sizeof(why), "%s is no unix-socket-client's "
		    "filename", path);
	else if (strlcpy(sun.sun_path, path, sizeof(sun.sun_path)) >=
	    sizeof(sun.sun_path))
		snprintf(why, sizeof(why), "filename %s is too long for a "
		    "socket", path);
	else if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, 0)) == -1)
		snprintf(why, sizeof(why), "socket: %s", strerror(errno));
	else if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1) {
		snprintf(why, sizeof(why), "dial unix %s: connect: %s", path,
		    strerror(errno));
		close(fd);
		fd = -1;
	}
	free(path);
	msg_init(&mb);
	msg_add_str(&mb, why);
	if (imsgev_msg(netd, &mb, IMSG_PROXY_CONNECTED, imsg->hdr.peerid,
	    fd) == -1)
		fatal("unix-socket-client connection to netd");
}
