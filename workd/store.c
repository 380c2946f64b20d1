/*
 * The units: <datadir>/<node ID>/<unit ID>/, found there at start and
 * made by submit. Each unit's status is kept in memory as last read or
 * written; files are reached through the node directory's descriptor.
 * A unit whose files can't be read or written fails with the reason in
 * its Detail; workd goes on with the others.
 */
#include <sys/stat.h>
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "gojson.h"
#include "log.h"
#include "proto.h"
#include "sandbox.h"
#include "workd.h"
#include "remote.h"

#define UNIT_ID_LEN	8

struct unit_tree	 units = RB_INITIALIZER(&units);
static int		 nodefd = -1;
static char		*nodedir;

static struct unit	*unit_new(const char *);
static void		 unit_load(struct unit *);
static int		 remove_tree(int, const char *);

RB_GENERATE(unit_tree, unit, entry, unit_cmp);

int
unit_cmp(const struct unit *a, const struct unit *b)
{
	return strcmp(a->id, b->id);
}

/*
 * Go makes the node's directory, and each unit's, 0700. It is reached
 * from the datadir the sandbox opened.
 */
void
store_open(const char *datadir, const char *node)
{
	if (asprintf(&nodedir, "%s/%s", datadir, node) == -1)
		fatal("datadir");
	if (mkdirat(sandbox_datadir(), node, 0700) == -1 && errno != EEXIST)
		fatal("datadir %s", nodedir);
	if ((nodefd = openat(sandbox_datadir(), node, O_RDONLY |
	    O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) == -1)
		fatal("datadir %s", nodedir);
}

/*
 * Every unit on disk, as Go's scanForUnits finds them. A directory with
 * no status file is not a unit (Go: "Status file has disappeared").
 */
void
store_scan(void)
{
	struct dirent	*de;
	struct unit	*u;
	DIR		*dir;
	int		 fd;

	if ((fd = dup(nodefd)) == -1 || (dir = fdopendir(fd)) == NULL)
		fatal("datadir %s", nodedir);
	while ((de = readdir(dir)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		if (!unit_id_valid(de->d_name)) {
			log_warnx("%s/%s: not a unit name, skipped", nodedir,
			    de->d_name);
			continue;
		}
		if (faccessat(nodefd, de->d_name, F_OK, 0) == -1)
			continue;
		u = unit_new(de->d_name);
		unit_load(u);
	}
	closedir(dir);
	RB_FOREACH(u, unit_tree, &units)
		if (u->command)
			command_restart(u);
		else if (u->remote != NULL)
			remote_restart(u);
}

static struct unit *
unit_new(const char *id)
{
	struct unit	*u;

	if ((u = calloc(1, sizeof(*u))) == NULL)
		fatal("unit");
	(void)strlcpy(u->id, id, sizeof(u->id));
	work_status_init(&u->st);
	TAILQ_INIT(&u->waiters);
	TAILQ_INIT(&u->results);
	return u;
}

/*
 * A unit found on disk: listed whatever its status file says, failed
 * with the reason when that can't be read (the file is rewritten).
 */
static void
unit_load(struct unit *u)
{
	struct stat	 sb;
	char		 err[512], detail[600];
	int		 dfd, rv;

	if ((dfd = unit_dir(u)) == -1) {
		free(u);
		return;
	}
	if (fstatat(dfd, "status", &sb, AT_SYMLINK_NOFOLLOW) == -1 &&
	    errno == ENOENT) {
		log_error("Status file has disappeared for %s.", u->id);
		close(dfd);
		free(u);
		return;
	}
	RB_INSERT(unit_tree, &units, u);
	rv = work_status_load(dfd, &u->st, err, sizeof(err));
	close(dfd);
	if (rv == -1) {
		log_warnx("Failed to restart worker %s/%s due to read error: "
		    "%s", nodedir, u->id, err);
		(void)snprintf(detail, sizeof(detail), "Failed to restart: %s",
		    err);
		u->st.state = WORK_FAILED;
		if (work_status_set(&u->st.detail, detail) == -1)
			fatal("unit");
		u->st.stdout_size = unit_stdout_size(u);
		(void)unit_save(u);
		return;
	}
	if (worktype_find(u->st.work_type) != NULL) {
		u->command = 1;
		command_extra(u->st.extra, &u->runner, &u->params);
	} else if (u->st.work_type != NULL &&
	    strcmp(u->st.work_type, "remote") == 0) {
		u->remote = remote_new(u);
		if (remote_decode(u->remote, u->st.extra) == -1) {
			/* Nothing to resume from what can't be read. */
			u->remote->started = 0;
			log_warnx("[%s] Failed to restart: bad remote "
			    "ExtraData", u->id);
			if (!work_state_complete(u->st.state))
				(void)unit_update(u, WORK_FAILED, "Failed to "
				    "restart: ExtraData of a remote unit "
				    "unreadable", unit_stdout_size(u));
		}
	}
}

struct unit *
unit_find(const char *id)
{
	struct unit	 find;

	if (!unit_id_valid(id))
		return NULL;
	(void)strlcpy(find.id, id, sizeof(find.id));
	return RB_FIND(unit_tree, &units, &find);
}

/*
 * Go's AllocateUnit: a fresh ID of 8 letters and digits whose directory
 * is new, and the status "Unit Created". A remote unit's work type is
 * "remote"; its far one goes in its ExtraData.
 */
struct unit *
unit_create(const char *worktype, int remote, char *err, size_t errlen)
{
	static const char	 chars[] = "abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
	struct unit		*u;
	char			 id[UNIT_ID_LEN + 1];
	size_t			 i;

	for (;;) {
		for (i = 0; i < UNIT_ID_LEN; i++)
			id[i] = chars[arc4random_uniform(sizeof(chars) - 1)];
		id[i] = '\0';
		if (unit_find(id) != NULL)
			continue;
		if (mkdirat(nodefd, id, 0700) == 0)
			break;
		if (errno != EEXIST) {
			(void)snprintf(err, errlen, "mkdir %s/%s: %s", nodedir,
			    id, go_strerror(errno));
			return NULL;
		}
	}
	u = unit_new(id);
	RB_INSERT(unit_tree, &units, u);
	if (work_status_set(&u->st.work_type, remote ? "remote" :
	    worktype) == -1 ||
	    work_status_set(&u->st.detail, "Unit Created") == -1)
		fatal("unit");
	if (remote)
		u->remote = remote_new(u);
	else
		u->command = 1;
	return u;
}

/* The unit's directory, opened; -1 (logged) if it can't be. */
int
unit_dir(const struct unit *u)
{
	int	 fd;

	fd = openat(nodefd, u->id, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
	    O_CLOEXEC);
	if (fd == -1)
		log_warn("[%s] %s/%s", u->id, nodedir, u->id);
	return fd;
}

/* One of the unit's files, never through a link; created 0600. */
int
unit_open(const struct unit *u, const char *name, int flags)
{
	char	 path[UNIT_ID_MAX + 16];

	(void)snprintf(path, sizeof(path), "%s/%s", u->id, name);
	return openat(nodefd, path, flags | O_NOFOLLOW | O_CLOEXEC, 0600);
}

/*
 * Go's UpdateBasicStatus; also keeps the copy in memory when the file
 * can't be written, so the unit shows what happened to it. -1 if so.
 */
int
unit_update(struct unit *u, int64_t state, const char *detail,
    int64_t stdout_size)
{
	char	 err[512];
	int	 dfd, rv = -1;

	if ((dfd = unit_dir(u)) != -1) {
		rv = work_status_update(dfd, state, detail, stdout_size,
		    &u->st, err, sizeof(err));
		close(dfd);
		if (rv == -1)
			log_warnx("[%s] Error updating status file: %s", u->id,
			    err);
	}
	if (rv == -1) {
		u->st.state = state;
		if (work_status_set(&u->st.detail, detail) == -1)
			fatal("unit");
		if (stdout_size >= 0)
			u->st.stdout_size = stdout_size;
	}
	return rv;
}

/* The whole status as in memory, over whatever the file had. */
int
unit_save(struct unit *u)
{
	char	 err[512];
	int	 dfd, rv = -1;

	if ((dfd = unit_dir(u)) != -1) {
		if ((rv = work_status_save(dfd, &u->st, err, sizeof(err))) ==
		    -1)
			log_warnx("[%s] Error updating status file: %s", u->id,
			    err);
		close(dfd);
	}
	return rv;
}

static void
set_extra(struct work_status *st, void *arg)
{
	if (work_status_set(&st->extra, arg) == -1)
		fatal("unit");
}

/*
 * ExtraData of a command unit: {"Pid":pid,"Params":...}, Pid 0 until it
 * has a runner (Go's runCommand), and null once that has ended (pid -1;
 * Go's cmdWaiter).
 */
char *
unit_extra(const struct unit *u, pid_t pid)
{
	struct gjbuf	 b;
	char		*s;

	gj_init(&b);
	if (pid >= 0) {
		gj_obj_open(&b);
		gj_key(&b, "Pid");
		gj_i64(&b, pid);
		gj_key(&b, "Params");
		gj_str(&b, u->params != NULL ? u->params : "");
		gj_obj_close(&b);
	} else
		gj_null(&b);
	if (b.err != NULL || (s = strndup(b.buf, b.len)) == NULL)
		fatalx("unit: out of memory");
	gj_free(&b);
	return s;
}

int
unit_set_runner(struct unit *u, pid_t pid)
{
	char	 err[512], *extra;
	int	 dfd, rv = -1;

	extra = unit_extra(u, pid);
	if ((dfd = unit_dir(u)) != -1) {
		rv = work_status_modify(dfd, set_extra, extra, &u->st, err,
		    sizeof(err));
		close(dfd);
		if (rv == -1)
			log_warnx("[%s] Error updating status file: %s", u->id,
			    err);
	}
	if (rv == -1)
		set_extra(&u->st, extra);
	free(extra);
	u->runner = pid > 0 ? pid : 0;
	return rv;
}

/* What a runner has written since; -1 if it could not be read. */
int
unit_reload(struct unit *u)
{
	char	 err[512];
	int	 dfd, rv;

	if ((dfd = unit_dir(u)) == -1)
		return -1;
	if ((rv = work_status_load(dfd, &u->st, err, sizeof(err))) == -1)
		log_warnx("[%s] Error reading status file: %s", u->id, err);
	close(dfd);
	return rv;
}

int64_t
unit_stdout_size(struct unit *u)
{
	struct stat	 sb;
	char		 path[UNIT_ID_MAX + sizeof("/stdout")];

	(void)snprintf(path, sizeof(path), "%s/stdout", u->id);
	if (fstatat(nodefd, path, &sb, AT_SYMLINK_NOFOLLOW) == -1)
		return 0;
	return sb.st_size;
}

/*
 * Go's Release: the unit's directory goes, then the unit. Unless force,
 * a directory that can't be removed keeps the unit, and err says why.
 */
void
unit_remove(struct unit *u, int force, char *err, size_t errlen)
{
	*err = '\0';
	if (remove_tree(nodefd, u->id) == -1) {
		(void)snprintf(err, errlen, "unlinkat %s/%s: %s", nodedir,
		    u->id, go_strerror(errno));
		log_error("Error removing directory for %s. No more retries "
		    "left.", u->id);
		if (!force)
			return;
		*err = '\0';
	}
	unit_forget(u);
}

void
unit_forget(struct unit *u)
{
	results_end_all(u);
	if (u->remote != NULL)
		remote_forget(u);
	RB_REMOVE(unit_tree, &units, u);
	work_status_clear(&u->st);
	free(u->params);
	free(u);
}

/* rm -r name below dirfd, never following a link. */
static int
remove_tree(int parent, const char *name)
{
	struct dirent	*de;
	DIR		*dir;
	int		 fd, rv = 0, saved;

	if (unlinkat(parent, name, 0) == 0 || errno == ENOENT)
		return 0;
	if (errno != EISDIR && errno != EPERM)
		return -1;
	if ((fd = openat(parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
	    O_CLOEXEC)) == -1)
		return -1;
	if ((dir = fdopendir(fd)) == NULL) {
		close(fd);
		return -1;
	}
	while ((de = readdir(dir)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		if (remove_tree(dirfd(dir), de->d_name) == -1)
			rv = -1;
	}
	saved = errno;
	closedir(dir);
	if (rv == -1) {
		errno = saved;
		return -1;
	}
	if (unlinkat(parent, name, AT_REMOVEDIR) == -1 && errno != ENOENT)
		return -1;
	return 0;
}

/* Go's error texts are the C library's, lowercased. */
const char *
go_strerror(int e)
{
	static char	 buf[128];

	(void)strlcpy(buf, strerror(e), sizeof(buf));
	buf[0] = tolower((unsigned char)buf[0]);
	return buf;
}
