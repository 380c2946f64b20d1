/*
 * The node's directory in the datadir, made before workd starts. Started
 * as root, the parent hands it and everything in it to the user that
 * workd and the runners run as: a datadir Go receptor left, which is
 * root's, is taken over as it is.
 */
#include <sys/stat.h>
#include <errno.h>
#include <ftw.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "receptor.h"
#include "util.h"

static uid_t	 owner_uid;
static gid_t	 owner_gid;

static int	take(const char *, const struct stat *, int, struct FTW *);
static void	failed(char *, size_t, const char *, const char *);
static void	reachable(const char *, const char *);

int
datadir_prepare(const struct config *conf, const char *user, char *err,
    size_t errlen)
{
	struct passwd	*pw;
	struct stat	 sb;
	const char	*datadir = config_datadir(conf);
	char		 nodedir[PATH_MAX];
	int		 created, n;

	n = snprintf(nodedir, sizeof(nodedir), "%s/%s", datadir,
	    cfg_str(config_first(conf, "node"), "id"));
	if (n < 0 || (size_t)n >= sizeof(nodedir)) {
		(void)snprintf(err, errlen, "datadir %s: path too long",
		    datadir);
		return -1;
	}
	/* Units are written below it from the start: it must take them. */
	if (mkdir_p(nodedir, 0700, &created) == -1 ||
	    access(nodedir, W_OK) == -1) {
		failed(err, errlen, "datadir", nodedir);
		return -1;
	}
	if (geteuid() != 0)
		return 0;
	if ((pw = getpwnam(user)) == NULL) {
		(void)snprintf(err, errlen, "user %s does not exist", user);
		return -1;
	}
	owner_uid = pw->pw_uid;
	owner_gid = pw->pw_gid;
	/* Never a shared directory such as /tmp itself. */
	if (lstat(datadir, &sb) == 0 && S_ISDIR(sb.st_mode) &&
	    (sb.st_mode & S_IWOTH) == 0 && sb.st_uid != owner_uid &&
	    lchown(datadir, owner_uid, owner_gid) == -1) {
		failed(err, errlen, "chown", datadir);
		return -1;
	}
	if (nftw(nodedir, take, 16, FTW_PHYS) == -1) {
		failed(err, errlen, "chown", nodedir);
		return -1;
	}
	reachable(datadir, user);
	return 0;
}

/* What failed on path, and under systemd's sandbox how to allow it. */
static void
failed(char *err, size_t errlen, const char *what, const char *path)
{
	int	 e = errno;

	(void)snprintf(err, errlen, "%s %s: %s%s", what, path, strerror(e),
	    e == EROFS ? " (under receptor.service, add the datadir to "
	    "ReadWritePaths= with systemctl edit receptor)" : "");
}

/*
 * The runners, which run as the work user, open their unit's files by
 * path: a directory on the way that the user may not pass through
 * leaves every unit failing without a word of why, so say it now.
 */
static void
reachable(const char *datadir, const char *user)
{
	struct stat	 sb;
	char		 path[PATH_MAX], *slash;

	if (realpath(datadir, path) == NULL)
		return;
	while ((slash = strrchr(path, '/')) != NULL && slash != path) {
		*slash = '\0';
		if (stat(path, &sb) == -1)
			continue;
		if ((sb.st_mode & S_IXOTH) ||
		    (sb.st_uid == owner_uid && (sb.st_mode & S_IXUSR)) ||
		    (sb.st_gid == owner_gid && (sb.st_mode & S_IXGRP)))
			continue;
		log_warnx("datadir %s: user %s may not pass through %s "
		    "(mode %04o): work commands will fail", datadir, user,
		    path, (unsigned)(sb.st_mode & 07777));
		return;
	}
}

static int
take(const char *path, const struct stat *sb, int type, struct FTW *ftw)
{
	if (sb->st_uid == owner_uid && sb->st_gid == owner_gid)
		return 0;
	if (lchown(path, owner_uid, owner_gid) == -1) {
		log_warn("chown %s", path);
		return -1;
	}
	return 0;
}
