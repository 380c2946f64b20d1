/*
 * The commands: their options, the request each sends, and the output
 * and exit status receptorctl gives for the reply.
 */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "rcptctl.h"

static char	*text_of(struct json_object *, const char *);
static int	 hop_cmp(const void *, const void *);
static void	 pause_for(double);

/*
 * getopt_long() with click's messages; --help anywhere shows usage.
 * shortopts follow a ':', as in ":r". A short option's error names the
 * letter alone, as click does in a group such as -nx.
 */
int
next_option(int argc, char **argv, const char *shortopts,
    const struct option *opts)
{
	const char	*arg;
	size_t		 len;
	int		 ch, li = -1, islong;

	opterr = 0;
	optopt = 0;
	ch = getopt_long(argc, argv, shortopts, opts, &li);
	arg = optind > 0 ? argv[optind - 1] : "";
	islong = strncmp(arg, "--", 2) == 0;
	len = strcspn(arg, "=");
	switch (ch) {
	case 'h':
		usage(stdout, 0);
	case ':':
		if (islong)
			error_line("Option '%s' requires an argument.", arg);
		else
			error_line("Option '-%c' requires an argument.",
			    optopt);
		usage(stderr, 1);
	case '?':
		/* optopt: a known long option given a value. */
		if (islong && optopt != 0 && arg[len] == '=')
			error_line("Option '%.*s' does not take a value.",
			    (int)len, arg);
		else if (islong)
			error_line("No such option: %.*s", (int)len, arg);
		else
			error_line("No such option: -%c", optopt);
		usage(stderr, 1);
	}
	/* getopt_long() takes a prefix of a long option's name; click not. */
	if (li != -1) {
		if (opts[li].has_arg == required_argument && optarg == arg)
			arg = argv[optind - 2];
		len = strlen(opts[li].name);
		if (strncmp(arg + 2, opts[li].name, len) != 0 ||
		    (arg[len + 2] != '\0' && arg[len + 2] != '=')) {
			error_line("No such option: %.*s",
			    (int)strcspn(arg, "="), arg);
			usage(stderr, 1);
		}
	}
	return ch;
}

/*
 * From min to max operands after the options (max -1: any number), or
 * a usage error naming the first missing one as click does.
 */
void
operands(int argc, char **argv, int min, int max, const char *name)
{
	FILE	*fp;
	char	*extra = NULL;
	size_t	 len = 0;
	int	 i;

	if (argc - optind < min) {
		error_line("Missing parameter: %s", name);
		usage(stderr, 1);
	}
	if (max == -1 || argc - optind <= max)
		return;
	if ((fp = open_memstream(&extra, &len)) == NULL)
		die("out of memory");
	for (i = optind + max; i < argc; i++)
		fprintf(fp, "%s%s", i > optind + max ? " " : "", argv[i]);
	if (fclose(fp) != 0)
		die("out of memory");
	error_line("Got unexpected extra argument%s (%s)",
	    argc - optind - max > 1 ? "s" : "", extra);
	usage(stderr, 1);
}

/* str(reply[key]); a missing key fails as it does in receptorctl. */
static char *
text_of(struct json_object *o, const char *key)
{
	struct json_object	*v;

	if (!json_object_object_get_ex(o, key, &v))
		die("'%s'", key);
	return pyjson_strdup(v);
}

int
cmd_status(struct rcptctl *rc, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json",	no_argument,	NULL, 'j' },
		{ "dot",	no_argument,	NULL, 'd' },
		HELP_OPTION,
		OPTIONS_END
	};
	struct json_object	*st;
	const char		*missing;
	int			 ch, json = 0, dot = 0;

	optind = 0;
	while ((ch = next_option(argc, argv, ":", opts)) != -1) {
		if (ch == 'j')
			json = 1;
		else
			dot = 1;
	}
	operands(argc, argv, 0, 0, NULL);
	if (json && dot) {
		error_line("--json and --dot are mutually exclusive.");
		usage(stderr, 1);
	}
	st = conn_command(rcptctl_conn(rc), "status");
	if (json)
		pyjson_dump(stdout, st);
	else if (dot)
		status_dot(stdout, st);
	else if (status_text(stdout, st, &missing) == -1)
		die("'%s'", missing);
	json_object_put(st);
	return 0;
}

int
cmd_ping(struct rcptctl *rc, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "count",	required_argument,	NULL, 'c' },
		{ "delay",	required_argument,	NULL, 'd' },
		HELP_OPTION,
		OPTIONS_END
	};
	struct json_object	*r, *ok;
	char			*line, *end, *error, *from, *took;
	double			 delay = 1.0;
	long			 count = 4, i;
	int			 ch, failed = 0;

	optind = 0;
	while ((ch = next_option(argc, argv, ":", opts)) != -1) {
		errno = 0;
		if (ch == 'c') {
			count = strtol(optarg, &end, 10);
			if (*optarg == '\0' || *end != '\0' || errno != 0) {
				error_line("Invalid value for '--count': '%s' "
				    "is not a valid integer.", optarg);
				usage(stderr, 1);
			}
		} else {
			delay = strtod(optarg, &end);
			if (*optarg == '\0' || *end != '\0' || errno != 0 ||
			    !isfinite(delay) || delay < 0) {
				error_line("Invalid value for '--delay': '%s' "
				    "is not a valid delay.", optarg);
				usage(stderr, 1);
			}
		}
	}
	operands(argc, argv, 1, 1, "node");
	if (asprintf(&line, "ping %s", argv[optind]) == -1)
		die("out of memory");
	for (i = 0; i < count; i++) {
		r = conn_command(rcptctl_conn(rc), line);
		ok = pyjson_get(r, "Success");
		if (ok != NULL && json_object_get_boolean(ok)) {
			from = text_of(r, "From");
			took = text_of(r, "TimeStr");
			printf("Reply from %s in %s\n", from, took);
			free(from);
			free(took);
		} else {
			failed = 1;
			error = text_of(r, "Error");
			if (pyjson_get(r, "From") != NULL &&
			    pyjson_get(r, "TimeStr") != NULL) {
				from = text_of(r, "From");
				took = text_of(r, "TimeStr");
				error_line("%s from %s in %s", error, from,
				    took);
				free(from);
				free(took);
			} else
				error_line("%s", error);
			free(error);
		}
		json_object_put(r);
		if (i < count - 1)
			pause_for(delay);
	}
	free(line);
	return failed ? 2 : 0;
}

static void
pause_for(double seconds)
{
	struct timespec	 ts;

	ts.tv_sec = (time_t)seconds;
	ts.tv_nsec = (long)((seconds - (double)ts.tv_sec) * 1e9);
	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
}

/* Hops come as "0", "1", ... "10": in the order of their numbers. */
static int
hop_cmp(const void *a, const void *b)
{
	long	 x = strtol(*(char *const *)a, NULL, 10);
	long	 y = strtol(*(char *const *)b, NULL, 10);

	return x < y ? -1 : x > y;
}

int
cmd_traceroute(struct rcptctl *rc, int argc, char **argv)
{
	static const struct option opts[] = { HELP_OPTION, OPTIONS_END };
	struct json_object	*r, *hop;
	const char		**keys;
	char			*line, *error, *from, *took;
	size_t			 i, n;

	optind = 0;
	while (next_option(argc, argv, ":", opts) != -1)
		;
	operands(argc, argv, 1, 1, "node");
	if (asprintf(&line, "traceroute %s", argv[optind]) == -1)
		die("out of memory");
	r = conn_command(rcptctl_conn(rc), line);
	free(line);
	n = json_object_object_length(r);
	if ((keys = calloc(n + 1, sizeof(*keys))) == NULL)
		die("out of memory");
	i = 0;
	json_object_object_foreach(r, key, val) {
		(void)val;
		keys[i++] = key;
	}
	qsort(keys, n, sizeof(*keys), hop_cmp);
	for (i = 0; i < n; i++) {
		hop = pyjson_get(r, keys[i]);
		from = text_of(hop, "From");
		took = text_of(hop, "TimeStr");
		if (pyjson_get(hop, "Error") != NULL) {
			error = text_of(hop, "Error");
			error_line("%s: Error %s from %s in %s", keys[i], error,
			    from, took);
			free(error);
		} else
			printf("%s: %s in %s\n", keys[i], from, took);
		free(from);
		free(took);
	}
	free(keys);
	json_object_put(r);
	return 0;
}

/* Exit 3: a change that needs a restart; 4: a bad file; 5: other. */
int
cmd_reload(struct rcptctl *rc, int argc, char **argv)
{
	static const struct option opts[] = { HELP_OPTION, OPTIONS_END };
	struct json_object	*r, *ok;
	char			*error;
	int			 status = 0;

	optind = 0;
	while (next_option(argc, argv, ":", opts) != -1)
		;
	operands(argc, argv, 0, 0, NULL);
	r = conn_command(rcptctl_conn(rc), "reload");
	ok = pyjson_get(r, "Success");
	if (ok != NULL && json_object_get_boolean(ok))
		printf("Reload successful\n");
	else {
		error = text_of(r, "Error");
		error_line("%s", error);
		if (strstr(error, "ERRORCODE 3") != NULL)
			status = 3;
		else if (strstr(error, "ERRORCODE 4") != NULL)
			status = 4;
		else
			status = 5;
		free(error);
	}
	json_object_put(r);
	return status;
}

int
cmd_version(struct rcptctl *rc, int argc, char **argv)
{
	static const struct option opts[] = { HELP_OPTION, OPTIONS_END };

	optind = 0;
	while (next_option(argc, argv, ":", opts) != -1)
		;
	operands(argc, argv, 0, 0, NULL);
	printf("receptorctl  %s\n", RECEPTOR_VERSION);
	printf("receptor     %s\n", rcptctl_server_version(rc));
	return 0;
}
