/*
 * Files the children need but may not open: certificates and keys of the
 * TLS configs, for netd and ctld, and the keys of signed work, for workd.
 * The parent reads them with the configuration, so a missing file fails
 * the start or the reload, and sends each as bytes to those children
 * only.
 */
#include <sys/stat.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "jwt.h"
#include "log.h"
#include "proto.h"
#include "receptor.h"

#define FILE_MAX	(1024 * 1024)
/* A piece of a file per message, well below IMSG_MAX_SIZE with the path. */
#define FILE_CHUNK	(32 * 1024)

#define TLS_ROLES	(1U << ROLE_NETD | 1U << ROLE_CTLD)

static const struct {
	const char	*action;
	unsigned int	 roles;
	const char	*fields[4];
} file_fields[] = {
	{ "tls-server", TLS_ROLES, { "cert", "key", "clientcas", NULL } },
	{ "tls-client", TLS_ROLES, { "cert", "key", "rootcas", NULL } },
	{ "work-signing", 1U << ROLE_WORKD, { "privatekey", NULL } },
	{ "work-verification", 1U << ROLE_WORKD, { "publickey", NULL } },
};

static int	needs_system_roots(const struct config *);
static int	key_check(const struct cfg_item *, const char *,
		    const struct conf_file *, char *, size_t);

void
files_free(struct conf_files *files)
{
	size_t	 i;

	for (i = 0; i < files->n; i++) {
		free(files->v[i].path);
		freezero(files->v[i].data, files->v[i].len);
	}
	free(files->v);
	memset(files, 0, sizeof(*files));
}

/* Read every file the config names; -1 with why in err. */
int
files_load(const struct config *conf, struct conf_files *files, char *err,
    size_t errlen)
{
	struct cfg_item	*item;
	const char	*path;
	size_t		 a, f;

	memset(files, 0, sizeof(*files));
	for (a = 0; a < sizeof(file_fields) / sizeof(file_fields[0]); a++) {
		for (item = config_first(conf, file_fields[a].action);
		    item != NULL;
		    item = config_next(item, file_fields[a].action)) {
			for (f = 0; file_fields[a].fields[f] != NULL; f++) {
				path = cfg_str(item, file_fields[a].fields[f]);
				if (path == NULL || *path == '\0')
					continue;
				files->v = reallocarray(files->v, files->n + 1,
				    sizeof(*files->v));
				if (files->v == NULL)
					fatal("files");
				if (files_read(path, &files->v[files->n], err,
				    errlen) == -1) {
					snprintf(err + strlen(err),
					    errlen - strlen(err), " (%s %s)",
					    file_fields[a].action,
					    file_fields[a].fields[f]);
					files_free(files);
					return -1;
				}
				if (key_check(item, file_fields[a].fields[f],
				    &files->v[files->n], err, errlen) == -1) {
					files->n++;
					files_free(files);
					return -1;
				}
				files->v[files->n++].roles =
				    file_fields[a].roles;
			}
		}
	}
	/* A missing bundle is netd's to report, for the backend using it. */
	if (needs_system_roots(conf)) {
		files->v = reallocarray(files->v, files->n + 1,
		    sizeof(*files->v));
		if (files->v == NULL)
			fatal("files");
		if (files_read(TLS_SYSTEM_ROOTS, &files->v[files->n], err,
		    errlen) == 0)
			files->v[files->n++].roles = TLS_ROLES;
		*err = '\0';
	}
	return 0;
}

/*
 * The keys of signed work, checked at start and reload: Go loads them
 * for each request and fails each one (or, without tokenexpiration,
 * panics); a key that can't sign or verify stops the config here.
 */
static int
key_check(const struct cfg_item *item, const char *field,
    const struct conf_file *file, char *err, size_t errlen)
{
	struct cfg_error	 cerr;
	EVP_PKEY		*key;
	char			 why[256];

	if (strcmp(field, "privatekey") == 0)
		key = jwt_key_private(file->data, file->len, why, sizeof(why));
	else if (strcmp(field, "publickey") == 0)
		key = jwt_key_public(file->data, file->len, why, sizeof(why));
	else
		return 0;
	if (key != NULL) {
		EVP_PKEY_free(key);
		return 0;
	}
	cfg_item_err(&cerr, item, cfg_field_find(item->action, field),
	    "%s: %s", file->path, why);
	(void)strlcpy(err, cerr.msg, errlen);
	return -1;
}

/*
 * Go verifies with the system's roots when a config names no CAs; a
 * wss:// dialer without tls= does here (netd's tlsconf_default()).
 */
static int
needs_system_roots(const struct config *conf)
{
	struct cfg_item	*item;
	const char	*cas, *tls, *addr;

	for (item = config_first(conf, "tls-client"); item != NULL;
	    item = config_next(item, "tls-client")) {
		cas = cfg_str(item, "rootcas");
		if ((cas == NULL || *cas == '\0') &&
		    !cfg_bool(item, "insecureskipverify"))
			return 1;
	}
	for (item = config_first(conf, "ws-peer"); item != NULL;
	    item = config_next(item, "ws-peer")) {
		tls = cfg_str(item, "tls");
		addr = cfg_str(item, "address");
		if ((tls == NULL || *tls == '\0') && addr != NULL &&
		    strncasecmp(addr, "wss://", 6) == 0)
			return 1;
	}
	for (item = config_first(conf, "tls-server"); item != NULL;
	    item = config_next(item, "tls-server")) {
		cas = cfg_str(item, "clientcas");
		if ((cas == NULL || *cas == '\0') &&
		    cfg_bool(item, "requireclientcert"))
			return 1;
	}
	return 0;
}

/* A regular file of at most FILE_MAX bytes; -1 with why in err. */
int
files_read(const char *path, struct conf_file *cf, char *err, size_t errlen)
{
	struct stat	 st;
	ssize_t		 n;
	int		 fd;

	memset(cf, 0, sizeof(*cf));
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1 ||
	    fstat(fd, &st) == -1) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		if (fd != -1)
			close(fd);
		return -1;
	}
	if (!S_ISREG(st.st_mode) || st.st_size > FILE_MAX) {
		snprintf(err, errlen, "%s: not a regular file of at most %d "
		    "bytes", path, FILE_MAX);
		close(fd);
		return -1;
	}
	if ((cf->data = malloc(st.st_size + 1)) == NULL ||
	    (cf->path = strdup(path)) == NULL)
		fatal("file");
	n = read(fd, cf->data, st.st_size);
	close(fd);
	if (n != st.st_size) {
		snprintf(err, errlen, "%s: short read", path);
		free(cf->data);
		free(cf->path);
		return -1;
	}
	cf->len = n;
	return 0;
}

/*
 * Each file goes to the children that use it, before RECONF_DONE, in
 * pieces that fit a message (the system's roots don't): the first says
 * 0, those that continue it 1.
 */
void
files_send(const struct conf_files *files, struct child *c)
{
	struct msgbuild	 mb;
	size_t		 i, off, len;

	for (i = 0; i < files->n; i++) {
		if ((files->v[i].roles & 1U << c->role) == 0)
			continue;
		off = 0;
		do {
			len = files->v[i].len - off;
			if (len > FILE_CHUNK)
				len = FILE_CHUNK;
			msg_init(&mb);
			msg_add_str(&mb, files->v[i].path);
			msg_add_u32(&mb, off > 0);
			msg_add_bytes(&mb, files->v[i].data + off, len);
			if (imsgev_msg(&c->iev, &mb, IMSG_RECONF_FILE, 0,
			    -1) == -1)
				fatal("file %s to %s", files->v[i].path,
				    role_name(c->role));
			off += len;
		} while (off < files->v[i].len);
	}
}
