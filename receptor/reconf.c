/*
 * Sending the configuration: each child receives only the items of the
 * actions it serves, between RECONF_START and RECONF_DONE, and swaps to
 * the new config when DONE arrives. A reload (SIGHUP) re-reads the
 * command line's files and does the same; an invalid file changes nothing.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "proto.h"
#include "receptor.h"

/*
 * What a reload may change; everything else needs a restart, as in Go.
 * Go restarts for a changed proxy too; netd starts and stops them.
 */
static const char *const reloadable[] = {
	"local-only", "tcp-listener", "tcp-peer", "udp-listener", "udp-peer",
	"ws-listener", "ws-peer", "tcp-server", "tcp-client", "udp-server",
	"udp-client", "unix-socket-server", "unix-socket-client", NULL
};

static void	reconf_send_child(struct child *, const struct config *);
static int	reconf_check(const struct config *, const struct config *,
		    char *, size_t);
static int	is_reloadable(const struct cfg_item *);
static int	has_item(const struct config *, const struct cfg_item *);

void
reconf_send(void)
{
	enum proc_role	 r;

	rc->generation++;
	for (r = ROLE_NETD; r < ROLE_COUNT; r++)
		reconf_send_child(&rc->children[r], rc->conf);
}

static void
reconf_send_child(struct child *c, const struct config *conf)
{
	struct cfg_item	*item;
	struct msgbuild	 mb;
	int		 mine = 1 << c->role;

	if (c->role == ROLE_NETD)
		proxysock_send(&c->iev);
	if (imsgev_compose_u32(&c->iev, IMSG_RECONF_START, 0,
	    rc->generation) == -1)
		fatal("configuration to %s", role_name(c->role));
	TAILQ_FOREACH(item, &conf->items, entry) {
		if ((item->action->roles & mine) == 0)
			continue;
		msg_init(&mb);
		cfg_item_encode(item, &mb);
		if (imsgev_msg(&c->iev, &mb, IMSG_RECONF_ITEM, 0, -1) == -1)
			fatal("configuration item %s to %s",
			    item->action->name, role_name(c->role));
	}
	files_send(&rc->files, c);
	if (imsgev_compose_u32(&c->iev, IMSG_RECONF_DONE, 0,
	    rc->generation) == -1)
		fatal("configuration to %s", role_name(c->role));
}

void
reconf_applied(struct child *c, uint32_t generation)
{
	enum proc_role	 r;

	if (generation > rc->generation) {
		log_error("%s applied configuration %u, only %u was sent",
		    role_name(c->role), generation, rc->generation);
		receptor_stop(EXIT_RUNTIME);
		return;
	}
	c->applied = generation;
	/* An older one: the newest is still on its way. */
	for (r = ROLE_NETD; r < ROLE_COUNT; r++)
		if (rc->children[r].applied != rc->generation)
			return;
	if (!rc->running) {
		rc->running = 1;
		/* Clients come only once every child has its configuration. */
		ctlsock_send(&rc->children[ROLE_CTLD].iev);
		log_info("Initialization complete");
	} else
		log_info("Configuration reloaded");
}

/*
 * Re-read the configuration (SIGHUP or the control service's reload):
 * 0 when applied, else Go's error code with why in err: 4 when it does
 * not parse, 3 when it changes what only a restart can.
 */
int
reconf_reload(char *err, size_t errlen)
{
	struct config	*conf;
	struct conf_files files;
	struct cmdline	 cmd;
	struct cfg_error cerr;

	log_info("Reloading configuration");
	if (!rc->running) {
		snprintf(err, errlen, "still starting up");
		return 4;
	}
	if (rc->cmd.conffile == NULL) {
		snprintf(err, errlen, "no configuration file was provided, "
		    "reload function not set");
		return 4;
	}
	if ((conf = config_from_argv(rc->argc, rc->argv, &cmd, &cerr)) ==
	    NULL) {
		snprintf(err, errlen, "%s", cerr.msg);
		return 4;
	}
	cmdline_clear(&cmd);
	if (reconf_check(rc->conf, conf, err, errlen) == -1 ||
	    caps_check_ports(conf, err, errlen) == -1) {
		config_free(conf);
		return 3;
	}
	if (files_load(conf, &files, err, errlen) == -1) {
		config_free(conf);
		return 4;
	}
	if (proxysock_open(conf, err, errlen) == -1) {
		files_free(&files);
		config_free(conf);
		return 4;
	}
	config_free(rc->conf);
	files_free(&rc->files);
	rc->conf = conf;
	rc->files = files;
	reconf_send();
	return 0;
}

static int
is_reloadable(const struct cfg_item *item)
{
	size_t	 i;

	for (i = 0; reloadable[i] != NULL; i++)
		if (strcmp(item->action->name, reloadable[i]) == 0)
			return 1;
	return 0;
}

/* Whether conf has an item printing exactly as item does. */
static int
has_item(const struct config *conf, const struct cfg_item *item)
{
	struct cfg_item	*it;
	char		*want, *have;
	int		 found = 0;

	want = cfg_item_text(item);
	TAILQ_FOREACH(it, &conf->items, entry) {
		if (it->action != item->action)
			continue;
		have = cfg_item_text(it);
		found = strcmp(want, have) == 0;
		free(have);
		if (found)
			break;
	}
	free(want);
	return found;
}

/* Only the reloadable actions may differ between old and new. */
static int
reconf_check(const struct config *old, const struct config *new, char *err,
    size_t errlen)
{
	struct cfg_item	*it;

	TAILQ_FOREACH(it, &new->items, entry) {
		if (!is_reloadable(it) && !has_item(old, it)) {
			snprintf(err, errlen, "a non-reloadable config action "
			    "'%s' was modified or added. Must restart receptor "
			    "for these changes to take effect",
			    it->action->name);
			return -1;
		}
	}
	TAILQ_FOREACH(it, &old->items, entry) {
		if (!is_reloadable(it) && !has_item(new, it)) {
			snprintf(err, errlen, "a non-reloadable config action "
			    "'%s' was removed. Must restart receptor for "
			    "changes to take effect", it->action->name);
			return -1;
		}
	}
	return 0;
}

/* Go: no log-level item means info; an item without a level, error. */
enum log_level
reconf_log_level(const struct config *conf)
{
	struct cfg_item	*item;
	enum log_level	 level = LOG_LEVEL_INFO;

	if ((item = config_first(conf, "log-level")) != NULL &&
	    log_level_parse(cfg_str(item, "level"), &level) == -1)
		level = LOG_LEVEL_ERROR;
	return level;
}
