/*
 * Unix socket listeners as Go makes them (utils.UnixSocketListen): hold
 * an exclusive lock on "<filename>.lock", remove a stale socket, bind,
 * chmod, listen. The children may not touch the file system, so the
 * parent makes them for the control service and the unix-socket-server
 * proxies, and removes the files when they go.
 */
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "receptor.h"
#include "util.h"

/* -1 with why in err, naming action; us is then empty. */
int
unixsock_listen(const char *action, const char *path, long long mode,
    struct unixsock *us, char *err, size_t errlen)
{
	struct sockaddr_un	 sun;
	char			*dir;
	int			 created;

	memset(us, 0, sizeof(*us));
	us->fd = us->lockfd = -1;
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlcpy(sun.sun_path, path, sizeof(sun.sun_path)) >=
	    sizeof(sun.sun_path)) {
		snprintf(err, errlen, "%s: filename %s is too long for a "
		    "socket", action, path);
		return -1;
	}
	if (asprintf(&us->lockpath, "%s.lock", path) == -1 ||
	    (dir = strdup(path)) == NULL)
		fatal("asprintf");
	/* Like a service's RuntimeDirectory: /run/receptor may be new. */
	if (mkdir_p(dirname(dir), 0755, &created) == -1) {
		snprintf(err, errlen, "%s: cannot create the directory of %s: "
		    "%s", action, path, strerror(errno));
		free(dir);
		free(us->lockpath);
		return -1;
	}
	free(dir);
	us->lockfd = open(us->lockpath, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (us->lockfd == -1 || flock(us->lockfd, LOCK_EX | LOCK_NB) == -1) {
		snprintf(err, errlen, "%s: could not acquire lock on socket "
		    "file %s: %s", action, us->lockpath, strerror(errno));
		goto fail;
	}
	/* Only a socket we hold the lock of is ours to replace. */
	if (unlink(path) == -1 && errno != ENOENT) {
		snprintf(err, errlen, "%s: could not remove socket file %s: "
		    "%s", action, path, strerror(errno));
		goto fail;
	}
	us->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK,
	    0);
	if (us->fd == -1)
		fatal("socket");
	if (bind(us->fd, (struct sockaddr *)&sun, sizeof(sun)) == -1 ||
	    chmod(path, mode) == -1 || listen(us->fd, LISTEN_BACKLOG) ==
	    -1) {
		snprintf(err, errlen, "%s: cannot listen on %s: %s", action,
		    path, strerror(errno));
		unlink(path);
		goto fail;
	}
	if ((us->path = strdup(path)) == NULL)
		fatal("strdup");
	return 0;
 fail:
	if (us->fd != -1)
		close(us->fd);
	if (us->lockfd != -1)
		close(us->lockfd);
	unlink(us->lockpath);
	free(us->lockpath);
	memset(us, 0, sizeof(*us));
	us->fd = us->lockfd = -1;
	return -1;
}

/* Close the listener and remove its files. */
void
unixsock_close(struct unixsock *us)
{
	if (us->fd != -1)
		close(us->fd);
	if (us->path != NULL) {
		unlink(us->path);
		free(us->path);
	}
	if (us->lockfd != -1) {
		unlink(us->lockpath);
		close(us->lockfd);
	}
	free(us->lockpath);
	memset(us, 0, sizeof(*us));
	us->fd = us->lockfd = -1;
}
