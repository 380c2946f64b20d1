/*
 * privileges: the daemon's privilege audit, a table of every process
 * and then, for each, its listening sockets, its system calls and its
 * Landlock rules; --json for the reply as it came.
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "rcptctl.h"

#define WRAP		78
#define INDENT		"  "

enum {
	COL_ROLE, COL_PID, COL_UID, COL_GID, COL_ROOT, COL_NNP, COL_SECCOMP,
	COL_CAPEFF, COL_CAPPRM, COL_CAPBND, COL_LANDLOCK, NCOLS
};

static const char *const heads[NCOLS] = {
	"ROLE", "PID", "UID", "GID", "ROOT", "NONEWPRIVS", "SECCOMP",
	"CAPEFF", "CAPPRM", "CAPBND", "LANDLOCK",
};

static char	*text(struct json_object *, const char *);
static char	*ids(struct json_object *, const char *);
static char	*landlock(struct json_object *, int);
static void	 details(FILE *, struct json_object *);
static void	 words(FILE *, const char *, struct json_object *, const char *);
static void	 lines(FILE *, const char *, struct json_object *);

int
cmd_privileges(struct rcptctl *rc, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json",	no_argument,	NULL, 'j' },
		HELP_OPTION,
		OPTIONS_END
	};
	struct json_object	*r, *procs, *p, *v;
	char			***cells;
	size_t			 i, n, c;
	int			 json = 0, abi, w[NCOLS];

	optind = 0;
	while (next_option(argc, argv, ":", opts) != -1)
		json = 1;
	operands(argc, argv, 0, 0, NULL);
	r = conn_command(rcptctl_conn(rc), "privileges");
	if (json) {
		pyjson_dump(stdout, r);
		json_object_put(r);
		return 0;
	}
	if ((procs = pyjson_get(r, "Processes")) == NULL ||
	    !json_object_is_type(procs, json_type_array))
		die("'Processes'");
	abi = (v = pyjson_get(r, "LandlockABI")) != NULL ?
	    json_object_get_int(v) : 0;
	n = json_object_array_length(procs);
	if ((cells = calloc(n, sizeof(*cells))) == NULL)
		die("out of memory");
	for (c = 0; c < NCOLS; c++)
		w[c] = pyjson_len(heads[c]);
	for (i = 0; i < n; i++) {
		p = json_object_array_get_idx(procs, i);
		if ((cells[i] = calloc(NCOLS, sizeof(**cells))) == NULL)
			die("out of memory");
		cells[i][COL_ROLE] = text(p, "Role");
		cells[i][COL_PID] = text(p, "Pid");
		cells[i][COL_UID] = ids(p, "Uid");
		cells[i][COL_GID] = ids(p, "Gid");
		cells[i][COL_ROOT] = text(p, "Root");
		cells[i][COL_NNP] = text(p, "NoNewPrivs");
		cells[i][COL_SECCOMP] = text(p, "Seccomp");
		cells[i][COL_CAPEFF] = text(p, "CapEff");
		cells[i][COL_CAPPRM] = text(p, "CapPrm");
		cells[i][COL_CAPBND] = text(p, "CapBnd");
		cells[i][COL_LANDLOCK] = landlock(p, abi);
		for (c = 0; c < NCOLS; c++)
			if (pyjson_len(cells[i][c]) > w[c])
				w[c] = pyjson_len(cells[i][c]);
	}
	for (c = 0; c < NCOLS; c++)
		pyjson_pad(stdout, heads[c], c + 1 < NCOLS ? w[c] + 2 : 0);
	printf("\n");
	for (i = 0; i < n; i++) {
		for (c = 0; c < NCOLS; c++) {
			pyjson_pad(stdout, cells[i][c],
			    c + 1 < NCOLS ? w[c] + 2 : 0);
			free(cells[i][c]);
		}
		printf("\n");
		free(cells[i]);
	}
	free(cells);
	for (i = 0; i < n; i++)
		details(stdout, json_object_array_get_idx(procs, i));
	json_object_put(r);
	return 0;
}

/* str(p[key]); "-" when absent (a process whose /proc could not be read). */
static char *
text(struct json_object *p, const char *key)
{
	struct json_object	*v;
	char			*s;

	if ((v = pyjson_get(p, key)) != NULL)
		return pyjson_strdup(v);
	if ((s = strdup("-")) == NULL)
		die("out of memory");
	return s;
}

/* One id when real, effective, saved and fs agree, else all four. */
static char *
ids(struct json_object *p, const char *key)
{
	struct json_object	*v;
	char			 buf[128], *s;
	size_t			 i, n;
	int			 same = 1;

	if ((v = pyjson_get(p, key)) == NULL ||
	    !json_object_is_type(v, json_type_array) ||
	    (n = json_object_array_length(v)) == 0)
		return text(p, key);
	for (i = 1; i < n; i++)
		if (json_object_get_int64(json_object_array_get_idx(v, i)) !=
		    json_object_get_int64(json_object_array_get_idx(v, 0)))
			same = 0;
	buf[0] = '\0';
	for (i = 0; i < (same ? 1 : n); i++)
		snprintf(buf + strlen(buf), sizeof(buf) - strlen(buf), "%s%lld",
		    i > 0 ? "," : "", (long long)json_object_get_int64(
		    json_object_array_get_idx(v, i)));
	if ((s = strdup(buf)) == NULL)
		die("out of memory");
	return s;
}

/* "ABI n", "unavailable", or "not in kernel", for the table. */
static char *
landlock(struct json_object *p, int abi)
{
	struct json_object	*ll, *en, *v;
	char			*s;

	ll = pyjson_get(p, "Landlock");
	en = ll != NULL ? pyjson_get(ll, "Enforced") : NULL;
	if (en != NULL && json_object_get_boolean(en)) {
		if ((v = pyjson_get(ll, "ABI")) != NULL)
			abi = json_object_get_int(v);
		if (asprintf(&s, "ABI %d", abi) == -1)
			die("out of memory");
	} else if (ll != NULL && pyjson_get(ll, "Unavailable") != NULL)
		s = strdup("unavailable");
	else
		s = strdup(abi > 0 ? "no" : "not in kernel");
	if (s == NULL)
		die("out of memory");
	return s;
}

static void
details(FILE *fp, struct json_object *p)
{
	struct json_object	*sc, *ll, *errs, *v;
	char			*role, *pid, *user, *s, label[64];

	role = text(p, "Role");
	pid = text(p, "Pid");
	user = text(p, "User");
	fprintf(fp, "\n%s (pid %s, user %s)\n", role, pid, user);
	free(role);
	free(pid);
	free(user);
	if ((v = pyjson_get(p, "Error")) != NULL) {
		s = pyjson_strdup(v);
		fprintf(fp, INDENT "error: %s\n", s);
		free(s);
	}
	words(fp, "listening", pyjson_get(p, "Listening"), "none");
	sc = pyjson_get(p, "Syscalls");
	if (sc == NULL || json_object_is_type(sc, json_type_null))
		fprintf(fp, INDENT "syscalls: no filter of receptor's\n");
	else {
		v = pyjson_get(sc, "Allowed");
		snprintf(label, sizeof(label), "syscalls allowed (%zu)",
		    v != NULL && json_object_is_type(v, json_type_array) ?
		    json_object_array_length(v) : 0);
		words(fp, label, v, "none");
		words(fp, "only some arguments",
		    pyjson_get(sc, "ArgumentsChecked"), "none");
		errs = pyjson_get(sc, "Errno");
		if (errs != NULL && json_object_is_type(errs, json_type_object)
		    && json_object_object_length(errs) > 0) {
			if ((v = json_object_new_array()) == NULL)
				die("out of memory");
			json_object_object_foreach(errs, name, e) {
				if (asprintf(&s, "%s (%s)", name,
				    json_object_get_string(e)) == -1)
					die("out of memory");
				json_object_array_add(v,
				    json_object_new_string(s));
				free(s);
			}
			words(fp, "fail with an error", v, "none");
			json_object_put(v);
		}
	}
	ll = pyjson_get(p, "Landlock");
	if (ll != NULL && (v = pyjson_get(ll, "Enforced")) != NULL &&
	    json_object_get_boolean(v)) {
		lines(fp, "landlock restricts", pyjson_get(ll, "Restricts"));
		v = pyjson_get(ll, "Rules");
		if (v != NULL && json_object_is_type(v, json_type_array) &&
		    json_object_array_length(v) > 0)
			lines(fp, "landlock allows", v);
		else
			fprintf(fp, INDENT "landlock allows: nothing\n");
	} else if (ll != NULL && (v = pyjson_get(ll, "Unavailable")) != NULL) {
		s = pyjson_strdup(v);
		fprintf(fp, INDENT "landlock: unavailable: %s\n", s);
		free(s);
	} else
		fprintf(fp, INDENT "landlock: none\n");
}

/* "  label: a b c", wrapped; empty when the list is. */
static void
words(FILE *fp, const char *label, struct json_object *list,
    const char *empty)
{
	const char	*s;
	size_t		 i, n;
	int		 col, len, start;

	n = list != NULL && json_object_is_type(list, json_type_array) ?
	    json_object_array_length(list) : 0;
	start = col = fprintf(fp, INDENT "%s:", label);
	if (n == 0) {
		fprintf(fp, " %s\n", empty);
		return;
	}
	for (i = 0; i < n; i++) {
		s = json_object_get_string(json_object_array_get_idx(list, i));
		len = pyjson_len(s);
		if (col > start && col + 1 + len > WRAP) {
			fprintf(fp, "\n%*s", start, "");
			col = start;
		}
		col += fprintf(fp, " %s", s);
	}
	fprintf(fp, "\n");
}

/* One element a line, each wrapped at its spaces. */
static void
lines(FILE *fp, const char *label, struct json_object *list)
{
	const char	*s, *sp;
	size_t		 i, n;
	int		 col, start, len;

	n = list != NULL && json_object_is_type(list, json_type_array) ?
	    json_object_array_length(list) : 0;
	for (i = 0; i < n; i++) {
		s = json_object_get_string(json_object_array_get_idx(list, i));
		start = col = fprintf(fp, INDENT "%s:", label);
		while (*s != '\0') {
			s += strspn(s, " ");
			sp = s + strcspn(s, " ");
			if (sp == s)
				break;
			len = (int)(sp - s);
			if (col > start && col + 1 + len > WRAP) {
				fprintf(fp, "\n%*s", start, "");
				col = start;
			}
			col += fprintf(fp, " %.*s", len, s);
			s = sp;
		}
		fprintf(fp, "\n");
	}
}
