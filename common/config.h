/*
 * The configuration: Go receptor's format (a YAML list of one-key maps, or
 * the same actions on the command line as --ACTION key=value ...), driven
 * by one schema table (config_schema.c) that lists every action and field.
 */
#ifndef RECEPTOR_CONFIG_H
#define RECEPTOR_CONFIG_H

#include <sys/queue.h>
#include <stdio.h>

#include "imsg.h"

enum cfg_type {
	CFG_STRING,
	CFG_INT,	/* Go int: decimal, 0x.., 0.. octal */
	CFG_FLOAT,	/* cost */
	CFG_BOOL,
	CFG_DURATION,	/* Go duration text ("5m", "1h30s"), kept as text */
	CFG_LIST,	/* list of strings */
	CFG_MAP,	/* string keys -> string values (nodecost, config) */
	CFG_RULES,	/* list of maps with string values (firewallrules) */
};

/* cfg_field.flags */
#define CFGF_REQUIRED	0x01
#define CFGF_BARE	0x02	/* the field a bare scalar sets */
#define CFGF_HIDDEN	0x04	/* not in --help or the man page */
#define CFGF_NUMMAP	0x08	/* MAP whose values are numbers (nodecost) */

/* cfg_field.check: what config_validate() checks beyond the type */
enum cfg_check {
	CFGC_NONE,
	CFGC_NODEID,		/* not "localhost" */
	CFGC_PORT,		/* 1-65535 */
	CFGC_COST,		/* > 0 */
	CFGC_NODECOST,		/* every value > 0 */
	CFGC_PERM,		/* file mode 0-07777, printed in octal */
	CFGC_LOGLEVEL,		/* error, warning, info, debug, any case */
	CFGC_TLSSERVER,		/* names a tls-server */
	CFGC_TLSCLIENT,		/* names a tls-client */
	CFGC_HOSTPORT,		/* host:port */
	CFGC_TCPLISTEN,		/* port or host:port */
	CFGC_WSURL,		/* ws:// or wss:// URL */
	CFGC_HEADER,		/* Name:value */
	CFGC_PINS,		/* hex fingerprints of 32 or 64 bytes */
	CFGC_TIME,		/* RFC 3339 date and time */
	CFGC_BITS,		/* RSA key size */
	CFGC_CIDR4_30,		/* IPv4 /30 network */
	CFGC_CIDRS,		/* comma separated CIDR networks */
	CFGC_IPS,		/* IP addresses */
	CFGC_AUTHMETHOD,	/* kubeconfig, incluster, runtime */
	CFGC_STREAMMETHOD,	/* logger, tcp */
	CFGC_FILE,		/* a non-empty file name */
	CFGC_URLPATH,		/* starts with / */
};

/* cfg_action.flags */
#define CFGA_SINGLETON	0x01	/* "only one <a> directive is allowed" */
#define CFGA_EXCLUSIVE	0x02	/* runs alone and exits (cert-*, version) */
#define CFGA_HIDDEN	0x04	/* command-runner */

/* cfg_action.roles: which processes receive items of this action */
#define CFGR_PARENT	(1 << 0)
#define CFGR_NETD	(1 << 1)
#define CFGR_WORKD	(1 << 2)
#define CFGR_CTLD	(1 << 3)

struct cfg_field {
	const char	*name;		/* lowercase */
	enum cfg_type	 type;
	int		 flags;
	const char	*def;		/* default as text, NULL for none */
	const char	*help;
	enum cfg_check	 check;
};

struct cfg_action {
	const char		*name;	/* lowercase */
	int			 flags;
	int			 roles;
	const struct cfg_field	*fields;	/* ends with a NULL name */
	const char		*help;
};

extern const struct cfg_action cfg_actions[];	/* ends with a NULL name */

struct cfg_pair {
	char		*key;
	char		*val;
};

struct cfg_map {
	struct cfg_pair	*pairs;
	size_t		 npairs;
};

struct cfg_value {
	int		 set;		/* given in the file or command line */
	unsigned	 line, col;	/* where, when set from a file */
	char		*str;		/* STRING, DURATION */
	long long	 num;		/* INT, BOOL */
	double		 real;		/* FLOAT */
	char		**list;		/* LIST */
	size_t		 nlist;
	struct cfg_map	 map;		/* MAP */
	struct cfg_map	*rules;		/* RULES */
	size_t		 nrules;
};

struct cfg_item {
	TAILQ_ENTRY(cfg_item)	 entry;
	const struct cfg_action	*action;
	char			*file;		/* NULL for the command line */
	unsigned		 line, col;
	int			 implicit;	/* node added by config_validate() */
	struct cfg_value	*values;	/* one per schema field, in order */
};
TAILQ_HEAD(cfg_items, cfg_item);

struct config {
	struct cfg_items	 items;		/* in file/command-line order */
};

/*
 * What the command line asked for besides actions.  Options of our own, not in Go receptor: -n, -v (also -nv, -vn), -T and
 * -u USER; they never clash with an action name.
 */
struct cmdline {
	int		 check;		/* -n: check the config and exit */
	int		 verbose;	/* -v: with -n, print it back */
	int		 help;		/* --help, -h, or no arguments */
	int		 completion;	/* --bash-completion */
	int		 version;	/* --version */
	int		 sandbox_trap;	/* -T: seccomp violations trap+log */
	char		*user;		/* -u USER: unprivileged user */
	char		*conffile;	/* first --config, re-read on reload */
};
/* Free what config_from_argv() allocated in a cmdline. */
void		 cmdline_clear(struct cmdline *);

struct cfg_error {
	char		 msg[1024];	/* "file:line:col: action: field: why" */
};

/* An error about an item, or one of its fields, where it was given. */
void		 cfg_item_err(struct cfg_error *, const struct cfg_item *,
		    const struct cfg_field *, const char *fmt, ...)
		    __attribute__((format(printf, 4, 5)));

/*
 * Parse a whole command line: options, --config files merged in place, and
 * --ACTION key=value items, then validate (implicit node, singletons,
 * required fields, value checks). On error returns NULL with *err filled.
 */
struct config	*config_from_argv(int argc, char *argv[], struct cmdline *,
		    struct cfg_error *err);
/* Parse one YAML file into cf (used by config_from_argv). */
int		 config_parse_file(struct config *, const char *path,
		    struct cfg_error *);
/* Parse a YAML document held in memory; name is used in errors. */
int		 config_parse_buf(struct config *, const char *name,
		    const char *buf, size_t len, struct cfg_error *);
/* Checks that need the whole config; fills in the implicit node. */
int		 config_validate(struct config *, struct cfg_error *);
struct config	*config_new(void);
void		 config_free(struct config *);

/* Canonical YAML that parses back to the same config (-nv). */
void		 config_print(FILE *, const struct config *);
/* One item of it, as config_print() writes it. */
void		 cfg_item_print(FILE *, const struct cfg_item *);
char		*cfg_item_text(const struct cfg_item *);
/* --help text, generated from the schema. */
void		 config_usage(FILE *);
/* --bash-completion: a bash completion script, from the same. */
void		 config_completion(FILE *);

const struct cfg_action	*cfg_action_find(const char *name);
/* Case-insensitive; NULL if the action has no such field. */
const struct cfg_field	*cfg_field_find(const struct cfg_action *,
			    const char *name);
/* The exclusive item (cert-*, version) if the config has one, else NULL. */
struct cfg_item		*config_exclusive(const struct config *);
struct cfg_item		*config_first(const struct config *, const char *action);
struct cfg_item		*config_next(struct cfg_item *, const char *action);
/* The value of a field by name; NULL if the action has no such field. */
const struct cfg_value	*cfg_get(const struct cfg_item *, const char *field);
/* The node's datadir: as set, else $TMPDIR/receptor, else /tmp/receptor. */
const char		*config_datadir(const struct config *);
/* Shorthands: the value if set, else the schema default. */
const char		*cfg_str(const struct cfg_item *, const char *field);
long long		 cfg_int(const struct cfg_item *, const char *field);
double			 cfg_float(const struct cfg_item *, const char *field);
int			 cfg_bool(const struct cfg_item *, const char *field);
/* A DURATION field in nanoseconds, or def_ns when neither set nor default. */
long long		 cfg_duration(const struct cfg_item *, const char *field,
			    long long def_ns);
/* Go time.ParseDuration: "1h30m", "250ms", "-1.5h". 0 or -1 on error. */
int			 cfg_duration_parse(const char *, long long *ns);

/* Send one item over a channel, and rebuild it on the other side. */
void		 cfg_item_encode(const struct cfg_item *, struct msgbuild *);
/* Leaves msg_read_end() to the caller, who may read more after the item. */
struct cfg_item	*cfg_item_decode(struct msgread *);
void		 cfg_item_free(struct cfg_item *);

#endif
