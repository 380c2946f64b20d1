/*
 * work: units of work on a node, as receptorctl's work group does them:
 * list, submit, results, cancel and release, with its requests, texts
 * and exit statuses. A payload and the results stream through, never
 * whole in memory. Like receptorctl, a submit closes its connection,
 * and so do results: what follows them connects again.
 */
#include <sys/stat.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "gojson.h"
#include "rcptctl.h"

/* shutil.copyfileobj()'s chunk, for the payload and the results. */
#define WORK_CHUNK	(64 * 1024)

/* What receptorctl's submit exits with once a request has failed. */
#define SUBMIT_FAILED	101

#define CREATED		"Work unit created with ID "
#define SEND_EOF	" Send stdin data and EOF"
#define STREAMING	"Streaming results for work unit "

/* Strings empty on the command line are NULL, as Python takes them. */
struct submit {
	const char		*node;
	const char		*payload;	/* a file, or - */
	const char		*literal;
	int			 nopayload;
	const char		*tlsclient;
	const char		*ttl;
	int			 signwork;
	int			 follow;
	int			 rm;
	int			 json;
	char			**params;	/* --param, as given */
	size_t			 nparams;
	struct json_object	*reply;
	char			*unitid;
};

static int	work_cancel(struct rcptctl *, int, char **);
static int	work_list(struct rcptctl *, int, char **);
static int	work_release(struct rcptctl *, int, char **);
static int	work_results(struct rcptctl *, int, char **);
static int	work_submit(struct rcptctl *, int, char **);
static const char *nonempty(const char *);
static int	payload_open(const char *);
static void	submit(struct rcptctl *, struct submit *, const char *,
		    char **, int, int);
static struct json_object *user_params(const struct submit *, char **,
		    int);
static void	request_params(struct json_object *, struct json_object *);
static char	*param_file(const char *, size_t *);
static int	created(const char *);
static char	*refused(const char *, const char *);
static void	payload_copy(struct conn *, int);
static int	results(struct rcptctl *, const char *, int);
static int	units_op(struct rcptctl *, const char *, char **, size_t);

int
cmd_work(struct rcptctl *rc, int argc, char **argv)
{
	static const struct command subs[] = {
		{ "cancel",	work_cancel },
		{ "list",	work_list },
		{ "release",	work_release },
		{ "results",	work_results },
		{ "submit",	work_submit },
	};
	static const struct option opts[] = { HELP_OPTION, OPTIONS_END };
	const struct command	*sub;

	optind = 0;
	while (next_option(argc, argv, "+:", opts) != -1)
		;
	/* click shows the group's help when no command follows. */
	if (optind == argc)
		usage(stdout, 0);
	sub = command_find(subs, sizeof(subs) / sizeof(subs[0]), argv[optind]);
	/* As in Python, a write to a closed peer is an error, not death. */
	signal(SIGPIPE, SIG_IGN);
	return sub->run(rc, argc - optind, argv + optind);
}

/* Every unit as JSON, or the IDs alone; --node: that node's. */
static int
work_list(struct rcptctl *rc, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "quiet",	no_argument,		NULL, 'q' },
		{ "node",	required_argument,	NULL, 'N' },
		{ "unit_id",	required_argument,	NULL, 'u' },
		{ "tls-client",	required_argument,	NULL, 't' },
		HELP_OPTION,
		OPTIONS_END
	};
	struct json_object	*r;
	struct conn		*c;
	const char		*node = "", *unitid = "", *tlsclient = "";
	char			*line;
	int			 ch, quiet = 0;

	optind = 0;
	while ((ch = next_option(argc, argv, ":q", opts)) != -1) {
		switch (ch) {
		case 'q':
			quiet = 1;
			break;
		case 'N':
			node = optarg;
			break;
		case 'u':
			unitid = optarg;
			break;
		default:
			tlsclient = optarg;
			break;
		}
	}
	operands(argc, argv, 0, 0, NULL);
	c = rcptctl_conn(rc);
	/* The control service of that node, over the mesh. */
	if (*node != '\0') {
		conn_connect(c, node, "control", tlsclient);
		conn_greeting(c);
	}
	if (asprintf(&line, "work list%s%s", *unitid != '\0' ? " " : "",
	    unitid) == -1)
		die("out of memory");
	r = conn_command(c, line);
	free(line);
	if (quiet) {
		json_object_object_foreach(r, key, val) {
			(void)val;
			printf("%s\n", key);
		}
	} else
		pyjson_dump(stdout, r);
	json_object_put(r);
	return 0;
}

/*
 * receptorctl's checks in its order, once connected: exactly one
 * payload, a warning for --rm alone, the file; then the request, where
 * any failure exits 101. --follow prints the results instead of the
 * unit; --rm releases a unit submitted, whatever happened next.
 */
static int
work_submit(struct rcptctl *rc, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "node",		required_argument,	NULL, 'N' },
		{ "payload",		required_argument,	NULL, 'p' },
		{ "payload-literal",	required_argument,	NULL, 'l' },
		{ "no-payload",		no_argument,		NULL, 'n' },
		{ "tls-client",		required_argument,	NULL, 't' },
		{ "ttl",		required_argument,	NULL, 'T' },
		{ "signwork",		no_argument,		NULL, 's' },
		{ "follow",		no_argument,		NULL, 'f' },
		{ "rm",			no_argument,		NULL, 'r' },
		{ "param",		required_argument,	NULL, 'a' },
		{ "json",		no_argument,		NULL, 'j' },
		HELP_OPTION,
		OPTIONS_END
	};
	struct submit	 s;
	char		*result;
	int		 ch, given, fd = -1, status = 0;

	memset(&s, 0, sizeof(s));
	if ((s.params = calloc(argc, sizeof(*s.params))) == NULL)
		die("out of memory");
	optind = 0;
	while ((ch = next_option(argc, argv, ":p:l:na:f", opts)) != -1) {
		switch (ch) {
		case 'N':
			s.node = nonempty(optarg);
			break;
		case 'p':
			s.payload = nonempty(optarg);
			break;
		case 'l':
			s.literal = nonempty(optarg);
			break;
		case 'n':
			s.nopayload = 1;
			break;
		case 't':
			s.tlsclient = nonempty(optarg);
			break;
		case 'T':
			s.ttl = nonempty(optarg);
			break;
		case 's':
			s.signwork = 1;
			break;
		case 'f':
			s.follow = 1;
			break;
		case 'r':
			s.rm = 1;
			break;
		case 'a':
			s.params[s.nparams++] = optarg;
			break;
		case 'j':
			s.json = 1;
			break;
		}
	}
	operands(argc, argv, 1, -1, "worktype");
	if (s.json && s.follow) {
		error_line("--json and --follow are mutually exclusive.");
		usage(stderr, 1);
	}
	rcptctl_conn(rc);
	given = (s.payload != NULL) + (s.literal != NULL) + s.nopayload;
	if (given == 0)
		die("Must provide one of --payload, --no-payload or "
		    "--payload-literal.");
	if (given > 1)
		die("Cannot provide more than one of --payload, --no-payload "
		    "and --payload-literal.");
	if (s.rm && !s.follow)
		warning("using --rm without --follow. Unit results will never "
		    "be seen.");
	if (s.payload != NULL)
		fd = payload_open(s.payload);

	die_status(SUBMIT_FAILED);
	submit(rc, &s, argv[optind], argv + optind + 1, argc - optind - 1, fd);
	if (s.follow)
		status = results(rc, s.unitid, SUBMIT_FAILED);
	else if (s.json)
		pyjson_dump(stdout, s.reply);
	else {
		result = pyjson_strdup(pyjson_get(s.reply, "result"));
		printf("Result: %s\nUnit ID: %s\n", result, s.unitid);
		free(result);
	}
	die_status(1);
	if (s.rm && units_op(rc, "release", &s.unitid, 1) != 0)
		status = 1;
	json_object_put(s.reply);
	free(s.unitid);
	free(s.params);
	return status;
}

static const char *
nonempty(const char *s)
{
	return *s != '\0' ? s : NULL;
}

/* open(payload, "rb"), failing in Python's words. */
static int
payload_open(const char *path)
{
	struct stat	 st;
	int		 fd;

	if (strcmp(path, "-") == 0)
		return STDIN_FILENO;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) != -1 &&
	    fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
		close(fd);
		fd = -1;
		errno = EISDIR;
	}
	if (fd == -1)
		die("Failed to load payload file: [Errno %d] %s: %s", errno,
		    strerror(errno), pyjson_repr(path));
	return fd;
}

/*
 * receptorctl's submit_work(): the request as one JSON line of strings,
 * the payload after "Work unit created", the end of what we send as its
 * end, then the reply, with which the connection closes. Fills
 * s->reply and s->unitid, or fails.
 */
static void
submit(struct rcptctl *rc, struct submit *s, const char *worktype,
    char **cmdparams, int ncmdparams, int fd)
{
	struct json_object	*params, *req, *v;
	struct conn		*c;
	char			*line = NULL;
	size_t			 len = 0;
	FILE			*fp;

	params = user_params(s, cmdparams, ncmdparams);
	if ((req = json_object_new_object()) == NULL)
		die("out of memory");
	json_object_object_add(req, "command", json_object_new_string("work"));
	json_object_object_add(req, "subcommand",
	    json_object_new_string("submit"));
	json_object_object_add(req, "node", json_object_new_string(
	    s->node != NULL ? s->node : "localhost"));
	json_object_object_add(req, "worktype",
	    json_object_new_string(worktype));
	if (s->tlsclient != NULL)
		json_object_object_add(req, "tlsclient",
		    json_object_new_string(s->tlsclient));
	if (s->ttl != NULL)
		json_object_object_add(req, "ttl",
		    json_object_new_string(s->ttl));
	if (s->signwork)
		json_object_object_add(req, "signwork",
		    json_object_new_string("true"));
	request_params(req, params);
	json_object_put(params);
	if ((fp = open_memstream(&line, &len)) == NULL)
		die("out of memory");
	pyjson_dumps(fp, req);
	fputc('\n', fp);
	if (fclose(fp) != 0)
		die("out of memory");
	json_object_put(req);

	c = rcptctl_conn(rc);
	conn_write(c, line, len);
	free(line);
	line = conn_readline(c);
	if (!created(line))
		die("%s", refused("Failed to start work unit", line));
	free(line);
	if (s->literal != NULL) {
		conn_write(c, s->literal, strlen(s->literal));
		conn_write(c, "\n", 1);
	} else if (fd != -1)
		payload_copy(c, fd);
	conn_halfclose(c);
	line = conn_readline(c);
	rcptctl_close(rc);
	if (strncmp(line, "ERROR:", 6) == 0)
		die("Remote error: %s", line);
	/* json.loads("") */
	if (*line == '\0')
		die("Expecting value: line 1 column 1 (char 0)");
	if ((s->reply = json_tokener_parse(line)) == NULL ||
	    !json_object_is_type(s->reply, json_type_object))
		die("bad reply from the control service: %s", line);
	free(line);
	/* Python's KeyError of work.pop(). */
	if (!json_object_object_get_ex(s->reply, "result", NULL))
		die("'result'");
	if (!json_object_object_get_ex(s->reply, "unitid", &v))
		die("'unitid'");
	s->unitid = pyjson_strdup(v);
}

/*
 * dict(s.split("=", 1) for s in param), the command's params joined to
 * its "params": a key given again keeps its place, with the last value.
 */
static struct json_object *
user_params(const struct submit *s, char **cmdparams, int ncmdparams)
{
	struct json_object	*params, *prior;
	char			*key, *eq, *joined = NULL;
	size_t			 i, len = 0;
	int			 j;
	FILE			*fp;

	if ((params = json_object_new_object()) == NULL)
		die("out of memory");
	for (i = 0; i < s->nparams; i++) {
		if ((eq = strchr(s->params[i], '=')) == NULL)
			die("dictionary update sequence element #%zu has "
			    "length 1; 2 is required", i);
		if ((key = strndup(s->params[i], eq - s->params[i])) == NULL)
			die("out of memory");
		json_object_object_add(params, key,
		    json_object_new_string(eq + 1));
		free(key);
	}
	if (ncmdparams == 0)
		return params;
	if ((fp = open_memstream(&joined, &len)) == NULL)
		die("out of memory");
	if ((prior = pyjson_get(params, "params")) != NULL)
		fprintf(fp, "%s ", json_object_get_string(prior));
	for (j = 0; j < ncmdparams; j++)
		fprintf(fp, "%s%s", j > 0 ? " " : "", cmdparams[j]);
	if (fclose(fp) != 0)
		die("out of memory");
	json_object_object_add(params, "params",
	    json_object_new_string_len(joined, len));
	free(joined);
	return params;
}

/*
 * The params into the request after its own keys, which they may not
 * name: "@file" sends the file's text, "@@..." itself.
 */
static void
request_params(struct json_object *req, struct json_object *params)
{
	const char	*s;
	char		*text;
	size_t		 len;

	json_object_object_foreach(params, key, val) {
		s = json_object_get_string(val);
		if (json_object_object_get_ex(req, key, NULL))
			die("Duplicate or illegal parameter %s", key);
		/* v[0] of an empty value */
		if (*s == '\0')
			die("string index out of range");
		if (s[0] == '@' && s[1] != '@') {
			text = param_file(s + 1, &len);
			json_object_object_add(req, key,
			    json_object_new_string_len(text, len));
			free(text);
		} else
			json_object_object_add(req, key, json_object_get(val));
	}
}

/*
 * A file's text as Python's open(path, "r").read() gives it: UTF-8,
 * "\r\n" and "\r" read as "\n".
 */
static char *
param_file(const char *path, size_t *lenp)
{
	struct stat	 st;
	FILE		*in, *out;
	char		*text = NULL;
	size_t		 i, n;
	int		 ch, cr = 0, bad;

	if (stat(path, &st) == -1)
		die("%s does not exist", path);
	if ((in = fopen(path, "r")) == NULL)
		die("could not read from file %s", path);
	if ((out = open_memstream(&text, lenp)) == NULL)
		die("out of memory");
	while ((ch = getc(in)) != EOF) {
		if (ch == '\n' && cr) {
			cr = 0;
			continue;
		}
		cr = ch == '\r';
		putc(cr ? '\n' : ch, out);
	}
	bad = ferror(in);
	fclose(in);
	if (fclose(out) != 0)
		die("out of memory");
	for (i = 0; !bad && i < *lenp; i += n)
		bad = (n = gj_utf8_len(text + i, *lenp - i)) == 0;
	if (bad)
		die("could not read from file %s", path);
	return text;
}

/*
 * re.fullmatch("Work unit created with ID (.+). Send stdin data and
 * EOF.", line): its dots match any character.
 */
static int
created(const char *line)
{
	size_t	 len = strlen(line), pre = strlen(CREATED);
	size_t	 post = strlen(SEND_EOF) + 1;

	return len >= pre + 2 + post && strncmp(line, CREATED, pre) == 0 &&
	    strncmp(line + len - post, SEND_EOF, post - 1) == 0;
}

/* receptorctl's error for a line that is not the one awaited. */
static char *
refused(const char *what, const char *line)
{
	char	*msg;

	if (asprintf(&msg, "%s%s%s", what, strncmp(line, "ERROR: ", 7) == 0 ?
	    ": " : "", strncmp(line, "ERROR: ", 7) == 0 ? line + 7 : "") == -1)
		die("out of memory");
	return msg;
}

static void
payload_copy(struct conn *c, int fd)
{
	char	 buf[WORK_CHUNK];
	ssize_t	 n;

	while ((n = read(fd, buf, sizeof(buf))) != 0) {
		if (n == -1) {
			if (errno == EINTR)
				continue;
			die("[Errno %d] %s", errno, strerror(errno));
		}
		conn_write(c, buf, n);
	}
}

/* The output of a unit, as it is made. */
static int
work_results(struct rcptctl *rc, int argc, char **argv)
{
	static const struct option opts[] = { HELP_OPTION, OPTIONS_END };

	optind = 0;
	while (next_option(argc, argv, ":", opts) != -1)
		;
	operands(argc, argv, 1, 1, "unit_id");
	rcptctl_conn(rc);
	return results(rc, argv[optind], 1);
}

/*
 * The unit's output from its start, copied as it comes until the node
 * ends it, then the unit's state, asked on a new connection. Returns 1
 * for a unit that failed, fail (the caller's status) for an error, once
 * printed, else 0.
 */
static int
results(struct rcptctl *rc, const char *unitid, int fail)
{
	struct json_object	*st, *state, *detail;
	struct conn		*c = rcptctl_conn(rc);
	char			*line, *error, buf[WORK_CHUNK];
	ssize_t			 n;

	if (asprintf(&line, "work results %s 0\n", unitid) == -1)
		die("out of memory");
	conn_write(c, line, strlen(line));
	free(line);
	line = conn_readline_exact(c);
	if (strncmp(line, STREAMING, strlen(STREAMING)) != 0 ||
	    line[strlen(STREAMING)] == '\0') {
		error = refused("Failed to get results", line);
		error_line("%s", error);
		free(error);
		free(line);
		return fail;
	}
	free(line);
	conn_halfclose(c);
	while ((n = conn_recv(c, buf, sizeof(buf))) != 0)
		if (n > 0)
			write_stdout(buf, n);
	rcptctl_close(rc);

	if (asprintf(&line, "work status %s", unitid) == -1)
		die("out of memory");
	st = conn_request(rcptctl_conn(rc), line, &error);
	free(line);
	if (st == NULL) {
		error_line("%s", error);
		free(error);
		return fail;
	}
	state = pyjson_get(st, "State");
	if (state != NULL && (json_object_is_type(state, json_type_int) ||
	    json_object_is_type(state, json_type_double)) &&
	    json_object_get_double(state) == 3) {
		/* status.pop("Detail", "Unknown"); null is None. */
		line = json_object_object_get_ex(st, "Detail", &detail) ?
		    pyjson_strdup(detail) : strdup("Unknown");
		if (line == NULL)
			die("out of memory");
		error_line("Remote unit failed: %s\n", line);
		free(line);
		json_object_put(st);
		return 1;
	}
	json_object_put(st);
	return 0;
}

static int
work_cancel(struct rcptctl *rc, int argc, char **argv)
{
	static const struct option opts[] = { HELP_OPTION, OPTIONS_END };

	optind = 0;
	while (next_option(argc, argv, ":", opts) != -1)
		;
	rcptctl_conn(rc);
	if (optind == argc) {
		warning("No unit IDs supplied: Not doing anything");
		return 0;
	}
	printf("Cancelled:\n");
	return units_op(rc, "cancel", argv + optind, argc - optind);
}

/* --all: every unit the node lists, whatever IDs follow. */
static int
work_release(struct rcptctl *rc, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "force",	no_argument,	NULL, 'f' },
		{ "all",	no_argument,	NULL, 'a' },
		HELP_OPTION,
		OPTIONS_END
	};
	struct json_object	*r;
	const char		*op;
	char			**ids;
	size_t			 n;
	int			 ch, force = 0, all = 0, status;

	optind = 0;
	while ((ch = next_option(argc, argv, ":", opts)) != -1) {
		if (ch == 'f')
			force = 1;
		else
			all = 1;
	}
	rcptctl_conn(rc);
	if (optind == argc && !all) {
		warning("No unit IDs supplied: Not doing anything");
		return 0;
	}
	op = force ? "force-release" : "release";
	printf("Released:\n");
	if (!all)
		return units_op(rc, op, argv + optind, argc - optind);
	r = conn_command(rcptctl_conn(rc), "work list");
	if ((ids = calloc(json_object_object_length(r) + 1,
	    sizeof(*ids))) == NULL)
		die("out of memory");
	n = 0;
	json_object_object_foreach(r, key, val) {
		(void)val;
		ids[n++] = key;
	}
	status = units_op(rc, op, ids, n);
	free(ids);
	json_object_put(r);
	return status;
}

/*
 * receptorctl's op_on_unit_ids(): for each unit "(value, key)" of the
 * first member of the reply; the first error ends it, exit status 1.
 */
static int
units_op(struct rcptctl *rc, const char *op, char **ids, size_t n)
{
	struct json_object	*r;
	struct lh_entry		*first;
	char			*line, *error, *value;
	size_t			 i;

	for (i = 0; i < n; i++) {
		if (asprintf(&line, "work %s %s", op, ids[i]) == -1)
			die("out of memory");
		r = conn_request(rcptctl_conn(rc), line, &error);
		free(line);
		if (r != NULL && json_object_object_length(r) == 0) {
			json_object_put(r);
			r = NULL;
			/* list(...)[0] of nothing */
			if ((error = strdup("list index out of range")) == NULL)
				die("out of memory");
		}
		if (r == NULL) {
			error_line("%s: ERROR: %s", ids[i], error);
			free(error);
			return 1;
		}
		first = lh_table_head(json_object_get_object(r));
		value = pyjson_strdup(lh_entry_v(first));
		printf("(%s, %s)\n", value, (const char *)lh_entry_k(first));
		free(value);
		json_object_put(r);
	}
	return 0;
}
