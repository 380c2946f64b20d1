/*
 * receptor: the parent. It reads the configuration, starts netd, workd
 * and ctld from their own binaries, gives each its part of the config,
 * and supervises them: any child's death brings the daemon down.
 */
#include <sys/stat.h>
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "receptor.h"

static const char *const backend_actions[] = {
	"local-only", "tcp-listener", "tcp-peer", "udp-listener", "udp-peer",
	"ws-listener", "ws-peer", NULL
};

static struct receptor	 receptor;
struct receptor		*rc = &receptor;

static void	 find_libexec(void);
static int	 has_backend(const struct config *);
static void	 on_signal(evutil_socket_t, short, void *);
static void	 on_stop_timeout(evutil_socket_t, short, void *);
static __dead void usage_error(const char *);

int
main(int argc, char *argv[])
{
	struct cfg_error	 err;
	struct cfg_item		*ex;
	char			 errbuf[1024];
	struct event		*ev;
	const int		 sigs[] = { SIGTERM, SIGINT, SIGHUP, SIGCHLD };
	size_t			 i;

	log_init(LOG_LEVEL_INFO, "receptor");
	rc->argc = argc;
	rc->argv = argv;
	if ((rc->conf = config_from_argv(argc, argv, &rc->cmd, &err)) == NULL)
		usage_error(err.msg);
	if (rc->cmd.help) {
		config_usage(stdout);
		return 0;
	}
	if (rc->cmd.completion) {
		config_completion(stdout);
		return 0;
	}
	if (rc->cmd.version) {
		printf("%s\n", RECEPTOR_VERSION);
		return 0;
	}
	if (rc->cmd.check) {
		if (rc->cmd.verbose) {
			config_print(stdout, rc->conf);
			/* cert-* run alone: no daemon, so no privilege plan */
			if (config_exclusive(rc->conf) == NULL)
				audit_plan(stdout, rc->conf, &rc->cmd);
		} else
			fprintf(stderr, "configuration OK\n");
		return 0;
	}
	if ((ex = config_exclusive(rc->conf)) != NULL) {
		if (cert_run(ex, errbuf, sizeof(errbuf)) == -1)
			usage_error(errbuf);
		return 0;
	}
	if (!has_backend(rc->conf))
		usage_error("Nothing to do - no backends are running.");
	log_setlevel(reconf_log_level(rc->conf));
	find_libexec();
	if (files_load(rc->conf, &rc->files, errbuf, sizeof(errbuf)) == -1 ||
	    datadir_prepare(rc->conf, rc->cmd.user != NULL ? rc->cmd.user :
	    RECEPTOR_USER, errbuf, sizeof(errbuf)) == -1 ||
	    caps_check_ports(rc->conf, errbuf, sizeof(errbuf)) == -1 ||
	    ctlsock_open(rc->conf, errbuf, sizeof(errbuf)) == -1)
		usage_error(errbuf);
	if (proxysock_open(rc->conf, errbuf, sizeof(errbuf)) == -1) {
		ctlsock_close();
		usage_error(errbuf);
	}

	signal(SIGPIPE, SIG_IGN);
	if ((rc->base = event_base_new()) == NULL)
		fatalx("event_base_new failed");
	for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
		ev = evsignal_new(rc->base, sigs[i], on_signal, NULL);
		if (ev == NULL || event_add(ev, NULL) == -1)
			fatalx("cannot handle signal %d", sigs[i]);
	}
	if ((rc->ev_stop = evtimer_new(rc->base, on_stop_timeout, NULL)) ==
	    NULL)
		fatalx("evtimer_new failed");

	caps_limit();
	log_fatal_status(EXIT_RUNTIME);
	children_start();
	if (event_base_dispatch(rc->base) == -1)
		fatalx("event loop failed");
	ctlsock_close();
	proxysock_close();
	return rc->exitcode;
}

static __dead void
usage_error(const char *msg)
{
	fprintf(stderr, "Error: %s\n", msg);
	exit(EXIT_CONFIG);
}

static int
has_backend(const struct config *conf)
{
	size_t	 i;

	for (i = 0; backend_actions[i] != NULL; i++)
		if (config_first(conf, backend_actions[i]) != NULL)
			return 1;
	return 0;
}

/*
 * The children live in ../libexec/receptor beside our own binary, both
 * where `make install` puts them and in the build tree.
 */
static void
find_libexec(void)
{
	char	 self[PATH_MAX];
	ssize_t	 n;
	int	 len;

	if ((n = readlink("/proc/self/exe", self, sizeof(self) - 1)) == -1)
		fatal("readlink /proc/self/exe");
	self[n] = '\0';
	len = snprintf(rc->libexec, sizeof(rc->libexec),
	    "%s/../libexec/receptor", dirname(self));
	if (len < 0 || (size_t)len >= sizeof(rc->libexec))
		fatalx("path of the child binaries is too long");
	if (access(rc->libexec, X_OK) == -1)
		fatal("%s", rc->libexec);
}

static void
on_signal(evutil_socket_t sig, short events, void *arg)
{
	char	 err[1024];

	switch (sig) {
	case SIGTERM:
	case SIGINT:
		log_info("Received %s, shutting down",
		    sig == SIGTERM ? "SIGTERM" : "SIGINT");
		receptor_stop(0);
		break;
	case SIGHUP:
		if (reconf_reload(err, sizeof(err)) != 0)
			log_error("reload failed, keeping the running "
			    "configuration: %s", err);
		break;
	case SIGCHLD:
		children_reap();
		break;
	}
}

/*
 * Stop every child by closing its channel and leave once all are reaped;
 * those still alive after the grace period are killed.
 */
void
receptor_stop(int exitcode)
{
	struct timeval	 grace = { STOP_GRACE_SECONDS, 0 };

	if (exitcode > rc->exitcode)
		rc->exitcode = exitcode;
	if (!rc->stopping) {
		rc->stopping = 1;
		children_close();
		evtimer_add(rc->ev_stop, &grace);
	}
	if (!children_alive())
		event_base_loopbreak(rc->base);
}

static void
on_stop_timeout(evutil_socket_t fd, short events, void *arg)
{
	log_warnx("children still alive after %d seconds, killing them",
	    STOP_GRACE_SECONDS);
	children_signal(SIGKILL);
}
