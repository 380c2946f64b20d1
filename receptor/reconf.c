/*
 * Sending the configuration: each child receives only the items of the
 * actions it serves, between RECONF_START and RECONF_DONE, and swaps to
 * the new config when DONE arrives. A reload (SIGHUP) re-reads the
 * command line's files and does the same; an invalid file changes nothing.
 */
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "proto.h"
#include "receptor.h"

static void	reconf_send_child(struct child *, const struct config *);

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
		receptor_stop(1);
		return;
	}
	c->applied = generation;
	/* An older one: the newest is still on its way. */
	for (r = ROLE_NETD; r < ROLE_COUNT; r++)
		if (rc->children[r].applied != rc->generation)
			return;
	if (!rc->running) {
		rc->running = 1;
		log_info("Initialization complete");
	} else
		log_info("Configuration reloaded");
}

void
reconf_reload(void)
{
	struct config	*conf;
	struct cmdline	 cmd;
	struct cfg_error err;

	log_info("Reloading configuration");
	if ((conf = config_from_argv(rc->argc, rc->argv, &cmd, &err)) ==
	    NULL) {
		log_error("reload failed, keeping the running configuration: "
		    "%s", err.msg);
		return;
	}
	free(cmd.conffile);
	free(cmd.user);
	if (!rc->running) {
		log_warnx("reload ignored: still starting up");
		config_free(conf);
		return;
	}
	config_free(rc->conf);
	rc->conf = conf;
	log_setlevel(reconf_log_level(conf));
	reconf_send();
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

const char *
reconf_datadir(const struct config *conf)
{
	return cfg_str(config_first(conf, "node"), "datadir");
}
