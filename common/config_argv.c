/*
 * The command line, as Go receptor reads it (PROTOCOL 6.2):
 *
 *	receptor [-nvT] [-u user] [--ACTION [field=value | bare] ...] ...
 *
 * "-x" is "--x"; action names are lowercased; --config FILE (or -c FILE)
 * merges a file in place; a repeated field=value adds to a list field
 * and replaces any other field.  -n, -v, -T and -u are ours.
 */
#include <sys/queue.h>

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "config.h"
#include "config_local.h"

static int	 argv_value(struct cfg_item *, const char *,
		    struct cfg_error *);
static int	 argv_option(const char *, struct cmdline *);

void
cmdline_clear(struct cmdline *cl)
{
	free(cl->user);
	free(cl->conffile);
	memset(cl, 0, sizeof(*cl));
}

/* Our own flag options (-n, -v, -nv, -vn, -T); 1 if arg was one. */
static int
argv_option(const char *arg, struct cmdline *cl)
{
	const char	*p;

	if (strcmp(arg, "-T") == 0) {
		cl->sandbox_trap = 1;
		return 1;
	}
	if (arg[0] != '-' || arg[1] == '\0' || arg[1] == '-')
		return 0;
	for (p = arg + 1; *p != '\0'; p++)
		if (*p != 'n' && *p != 'v')
			return 0;
	for (p = arg + 1; *p != '\0'; p++) {
		if (*p == 'n')
			cl->check = 1;
		else
			cl->verbose = 1;
	}
	return 1;
}

static int
argv_value(struct cfg_item *it, const char *arg, struct cfg_error *err)
{
	const struct cfg_action	*a = it->action;
	const struct cfg_field	*f;
	struct cfg_scalar	 s;
	const char		*eq = strchr(arg, '=');
	char			*name, why[CFG_WHYLEN], names[1024], q[128];

	memset(&s, 0, sizeof(s));
	s.kind = CFG_SC_STR;
	if (eq == NULL) {
		for (f = a->fields; f->name != NULL; f++)
			if (f->flags & CFGF_BARE)
				break;
		if (f->name == NULL) {
			cfg_list_names(names, sizeof(names), a);
			cfg_quote(q, sizeof(q), arg);
			cfg_err(err, NULL, 0, 0, a->name, NULL, "command does "
			    "not allow bare values, got %s (expected "
			    "field=value with fields: %s)", q, names);
			return -1;
		}
		s.text = arg;
	} else {
		if ((name = strndup(arg, eq - arg)) == NULL) {
			cfg_err(err, NULL, 0, 0, a->name, NULL,
			    "out of memory");
			return -1;
		}
		f = cfg_field_find(a, name);
		if (f == NULL) {
			cfg_quote(q, sizeof(q), name);
			cfg_list_names(names, sizeof(names), a);
			cfg_err(err, NULL, 0, 0, a->name, NULL, "unknown field "
			    "name %s (fields: %s)", q, names);
			free(name);
			return -1;
		}
		free(name);
		s.text = eq + 1;
	}
	if (!cfg_utf8_valid(s.text, strlen(s.text))) {
		cfg_err(err, NULL, 0, 0, a->name, f->name,
		    "value is not valid UTF-8");
		return -1;
	}
	if (cfg_set_scalar(&it->values[f - a->fields], f, &s, why) == -1) {
		cfg_err(err, NULL, 0, 0, a->name, f->name, "%s", why);
		return -1;
	}
	return 0;
}

struct config *
config_from_argv(int argc, char *argv[], struct cmdline *cl,
    struct cfg_error *err)
{
	const struct cfg_action	*a;
	struct config		*cf;
	struct cfg_item		*cur = NULL;
	char			 name[64], q[128], names[1024];
	const char		*arg, *p;
	int			 i, nargs = 0;
	size_t			 n;

	memset(cl, 0, sizeof(*cl));
	if ((cf = config_new()) == NULL) {
		cfg_err(err, NULL, 0, 0, NULL, NULL, "out of memory");
		return NULL;
	}
	for (i = 1; i < argc; i++) {
		arg = argv[i];
		if (strcasecmp(arg, "-h") == 0 ||
		    strcasecmp(arg, "--help") == 0) {
			cl->help = 1;
			return cf;
		}
		if (strcasecmp(arg, "--bash-completion") == 0) {
			cl->completion = 1;
			return cf;
		}
	}
	for (i = 1; i < argc; i++) {
		arg = argv[i];
		if (argv_option(arg, cl))
			continue;
		if (strcmp(arg, "-u") == 0) {
			if (i + 1 >= argc) {
				cfg_err(err, NULL, 0, 0, NULL, NULL,
				    "-u requires a user name");
				goto bad;
			}
			free(cl->user);
			if ((cl->user = strdup(argv[++i])) == NULL)
				goto nomem;
			continue;
		}
		nargs++;
		if (arg[0] != '-') {
			if (cur == NULL) {
				cfg_quote(q, sizeof(q), arg);
				cfg_err(err, NULL, 0, 0, NULL, NULL, "parameter "
				    "%s specified before command (expected "
				    "--ACTION first)", q);
				goto bad;
			}
			if (argv_value(cur, arg, err) == -1)
				goto bad;
			continue;
		}
		cur = NULL;
		p = arg + (arg[1] == '-' ? 2 : 1);
		for (n = 0; p[n] != '\0' && n + 1 < sizeof(name); n++)
			name[n] = tolower((unsigned char)p[n]);
		name[n] = '\0';
		if (strcmp(name, "config") == 0 || strcmp(name, "c") == 0) {
			if (i + 1 >= argc) {
				cfg_err(err, NULL, 0, 0, NULL, NULL,
				    "%s requires a file name", arg);
				goto bad;
			}
			arg = argv[++i];
			if (config_parse_file(cf, arg, err) == -1)
				goto bad;
			if (cl->conffile == NULL &&
			    (cl->conffile = strdup(arg)) == NULL)
				goto nomem;
			continue;
		}
		if (p[n] != '\0' || (a = cfg_action_find(name)) == NULL) {
			cfg_quote(q, sizeof(q), arg);
			cfg_list_actions(names, sizeof(names));
			cfg_err(err, NULL, 0, 0, NULL, NULL, "command error: "
			    "unknown config type %s (actions: %s)", q, names);
			goto bad;
		}
		if ((cur = cfg_item_new(a, NULL, 0, 0)) == NULL)
			goto nomem;
		TAILQ_INSERT_TAIL(&cf->items, cur, entry);
	}
	if (nargs == 0 && !cl->check) {
		cl->help = 1;
		return cf;
	}
	if (config_first(cf, "version") != NULL)
		cl->version = 1;
	if (config_validate(cf, err) == -1)
		goto bad;
	return cf;

 nomem:
	cfg_err(err, NULL, 0, 0, NULL, NULL, "out of memory");
 bad:
	config_free(cf);
	cmdline_clear(cl);
	return NULL;
}
