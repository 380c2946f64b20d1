/*
 * rcptctl: global options, the command table, and messages. The
 * connection is opened only once a command's arguments are good.
 */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "rcptctl.h"

struct rcptctl {
	const char	*socket;
	const char	*config;	/* --config: a receptor config */
	const char	*tlsclient;	/* --tls-client: an item of it */
	struct conn_tls	 tls;
	struct config	*conf;		/* what tls points into */
	struct conn	 conn;
	int		 connected;
	char		*version;	/* the daemon's, from `status` */
};

static const struct command commands[] = {
	{ "connect",	cmd_connect },
	{ "ping",	cmd_ping },
	{ "privileges",	cmd_privileges },
	{ "reload",	cmd_reload },
	{ "status",	cmd_status },
	{ "traceroute",	cmd_traceroute },
	{ "version",	cmd_version },
	{ "work",	cmd_work },
};

/* What die() exits with: receptorctl's work submit fails with 101. */
static int	fatal_status = 1;

static void	tls_options(struct rcptctl *);
static void	tls_file(const char **, const struct cfg_item *,
		    const char *);
static void	message(const char *, const char *, const char *, va_list)
		    __attribute__((format(printf, 3, 0)));

__dead void
usage(FILE *fp, int status)
{
	fprintf(fp, "usage: rcptctl [--socket address] [--config file] "
	    "[--tls-client name]\n"
	    "               [--rootcas file] [--cert file] [--key file] "
	    "[--insecureskipverify]\n"
	    "               command [argument ...]\n");
	if (status == 0)
		fprintf(fp, "commands:\n"
		    "\tconnect node service [--raw] [--tls-client name]\n"
		    "\tping node [--count count] [--delay seconds]\n"
		    "\tprivileges [--json]\n"
		    "\treload\n"
		    "\tstatus [--json | --dot]\n"
		    "\ttraceroute node\n"
		    "\tversion\n"
		    "\twork cancel [unit_id ...]\n"
		    "\twork list [--quiet] [--node node] [--unit_id unit_id]\n"
		    "\t    [--tls-client name]\n"
		    "\twork release [--force] [--all] [unit_id ...]\n"
		    "\twork results unit_id\n"
		    "\twork submit worktype [param ...]\n"
		    "\t    --payload file | --payload-literal text | "
		    "--no-payload\n"
		    "\t    [--node node] [--tls-client name] [--ttl duration] "
		    "[--signwork]\n"
		    "\t    [--param key=value ...] [--follow] [--rm] "
		    "[--json]\n");
	exit(status);
}

int
main(int argc, char *argv[])
{
	static const struct option opts[] = {
		{ "socket",	required_argument,	NULL, 's' },
		{ "config",	required_argument,	NULL, 'c' },
		{ "tls-client",	required_argument,	NULL, 't' },
		{ "rootcas",	required_argument,	NULL, 'r' },
		{ "cert",	required_argument,	NULL, 'C' },
		{ "key",	required_argument,	NULL, 'k' },
		{ "insecureskipverify", no_argument,	NULL, 'i' },
		{ "help",	no_argument,		NULL, 'h' },
		{ NULL,		0,			NULL, 0 }
	};
	const struct command	*cmd;
	struct rcptctl		 rc;
	int			 ch, rv;

	/* Every line at once, as Python's click.echo() flushes it. */
	setvbuf(stdout, NULL, _IOLBF, 0);
	memset(&rc, 0, sizeof(rc));
	rc.socket = getenv("RECEPTORCTL_SOCKET");
	rc.config = getenv("RECEPTORCTL_CONFIG");
	rc.tlsclient = getenv("RECEPTORCTL_TLSCLIENT");
	opterr = 0;
	/* "+": the first operand is the command; its options are its own. */
	while ((ch = getopt_long(argc, argv, "+c:", opts, NULL)) != -1) {
		switch (ch) {
		case 's':
			rc.socket = optarg;
			break;
		case 'c':
			rc.config = optarg;
			break;
		case 't':
			rc.tlsclient = optarg;
			break;
		case 'r':
			rc.tls.rootcas = optarg;
			break;
		case 'C':
			rc.tls.cert = optarg;
			break;
		case 'k':
			rc.tls.key = optarg;
			break;
		case 'i':
			rc.tls.insecureskipverify = 1;
			break;
		case 'h':
			usage(stdout, 0);
		default:
			error_line("No such option: %s", argv[optind - 1]);
			usage(stderr, 1);
		}
	}
	argc -= optind;
	argv += optind;
	if (argc == 0) {
		error_line("Missing command.");
		usage(stderr, 1);
	}
	cmd = command_find(commands, sizeof(commands) / sizeof(commands[0]),
	    argv[0]);
	if (rc.socket == NULL || *rc.socket == '\0') {
		error_line("Missing parameter: socket");
		usage(stderr, 1);
	}
	tls_options(&rc);
	if ((rc.tls.cert == NULL) != (rc.tls.key == NULL))
		warning("a client certificate needs both --cert and --key: "
		    "none is sent");
	rv = cmd->run(&rc, argc, argv);
	rcptctl_close(&rc);
	free(rc.version);
	config_free(rc.conf);
	return rv;
}

/* The command of that name in the table, or click's usage error. */
const struct command *
command_find(const struct command *table, size_t n, const char *name)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		if (strcmp(name, table[i].name) == 0)
			return &table[i];
	error_line("No such command '%s'.", name);
	usage(stderr, 1);
}

/*
 * receptorctl's --config and --tls-client: the tls-client item of that
 * name in a receptor config gives what the command line left unset.
 */
static void
tls_options(struct rcptctl *rc)
{
	struct cfg_error	 err;
	struct cfg_item		*item;
	const char		*s;

	if (rc->config == NULL || *rc->config == '\0')
		return;
	if (rc->tlsclient == NULL || *rc->tlsclient == '\0')
		die("--config needs --tls-client (or RECEPTORCTL_TLSCLIENT)");
	if ((rc->conf = config_new()) == NULL)
		die("out of memory");
	if (config_parse_file(rc->conf, rc->config, &err) == -1)
		die("%s", err.msg);
	for (item = config_first(rc->conf, "tls-client"); item != NULL;
	    item = config_next(item, "tls-client"))
		if ((s = cfg_str(item, "name")) != NULL &&
		    strcmp(s, rc->tlsclient) == 0)
			break;
	if (item == NULL)
		die("no tls-client named %s in %s", rc->tlsclient, rc->config);
	tls_file(&rc->tls.rootcas, item, "rootcas");
	tls_file(&rc->tls.cert, item, "cert");
	tls_file(&rc->tls.key, item, "key");
	if (cfg_bool(item, "insecureskipverify"))
		rc->tls.insecureskipverify = 1;
}

/* Go takes an empty file name for none. */
static void
tls_file(const char **opt, const struct cfg_item *item, const char *field)
{
	const char	*s;

	if (*opt == NULL && (s = cfg_str(item, field)) != NULL && *s != '\0')
		*opt = s;
}

/*
 * Connected and greeted on first use, and again after rcptctl_close();
 * versions compared the first time only, as receptorctl does before any
 * command.
 */
struct conn *
rcptctl_conn(struct rcptctl *rc)
{
	struct json_object	*reply, *v;

	if (rc->connected)
		return &rc->conn;
	conn_open(&rc->conn, rc->socket, &rc->tls);
	rc->connected = 1;
	if (rc->version != NULL)
		return &rc->conn;
	reply = conn_command(&rc->conn,
	    "{\"command\":\"status\",\"requested_fields\":[\"Version\"]}");
	if (!json_object_object_get_ex(reply, "Version", &v))
		die("'Version'");
	rc->version = pyjson_strdup(v);
	json_object_put(reply);
	if (strcmp(rc->version, RECEPTOR_VERSION) != 0)
		warning("receptorctl and receptor are different versions, "
		    "they may not be compatible");
	return &rc->conn;
}

/* receptorctl's close(): after a submit and after results. */
void
rcptctl_close(struct rcptctl *rc)
{
	if (rc->connected) {
		conn_close(&rc->conn);
		rc->connected = 0;
	}
}

const char *
rcptctl_server_version(struct rcptctl *rc)
{
	rcptctl_conn(rc);
	return rc->version;
}

/* receptorctl's colours, only on a terminal as click does. */
static void
message(const char *prefix, const char *color, const char *fmt, va_list ap)
{
	int	 tty = isatty(STDERR_FILENO);

	fflush(stdout);
	if (tty)
		fputs(color, stderr);
	fputs(prefix, stderr);
	vfprintf(stderr, fmt, ap);
	if (tty)
		fputs("\033[0m", stderr);
	fputc('\n', stderr);
}

void
error_line(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	message("ERROR: ", "\033[31m", fmt, ap);
	va_end(ap);
}

__dead void
die(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	message("ERROR: ", "\033[31m", fmt, ap);
	va_end(ap);
	exit(fatal_status);
}

void
die_status(int status)
{
	fatal_status = status;
}

/* Bytes as they are, after the lines printed so far. */
void
write_stdout(const void *buf, size_t len)
{
	const char	*p = buf;
	ssize_t		 n;

	fflush(stdout);
	while (len > 0) {
		if ((n = write(STDOUT_FILENO, p, len)) == -1) {
			if (errno == EINTR)
				continue;
			die("[Errno %d] %s", errno, strerror(errno));
		}
		p += n;
		len -= n;
	}
}

void
warning(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	message("Warning: ", "\033[35m", fmt, ap);
	va_end(ap);
}
