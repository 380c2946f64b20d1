/*
 * Shared by the config_*.c files only: building items and values, and
 * error messages that say where.
 */
#ifndef RECEPTOR_CONFIG_LOCAL_H
#define RECEPTOR_CONFIG_LOCAL_H

#include <stddef.h>

#include "config.h"

/* A scalar as YAML 1.1 (Go's yaml.v2) resolves it; CLI values are STR. */
enum cfg_sckind {
	CFG_SC_NULL,
	CFG_SC_STR,
	CFG_SC_INT,
	CFG_SC_FLOAT,
	CFG_SC_BOOL,
};

struct cfg_scalar {
	enum cfg_sckind	 kind;
	const char	*text;		/* as written */
	long long	 i;
	double		 d;
	int		 b;
};

#define CFG_WHYLEN	512

/* config.c */
struct cfg_item	*cfg_item_new(const struct cfg_action *, const char *file,
		    unsigned line, unsigned col);
int		 cfg_field_index(const struct cfg_action *, const char *);
int		 cfg_set_scalar(struct cfg_value *, const struct cfg_field *,
		    const struct cfg_scalar *, char *why);
int		 cfg_list_add(struct cfg_value *, const char *);
int		 cfg_map_add(struct cfg_map *, const char *, const char *);
int		 cfg_rule_check(struct cfg_map *, char *why);
void		 cfg_map_clear(struct cfg_map *);
const char	*cfg_scalar_kindname(enum cfg_sckind);
const char	*cfg_expect(const struct cfg_field *);
int		 cfg_parse_int(const char *, long long *);
int		 cfg_parse_float(const char *, double *);
void		 cfg_format_float(char *, size_t, double);
int		 cfg_utf8_valid(const char *, size_t);
void		 cfg_quote(char *, size_t, const char *);
void		 cfg_err(struct cfg_error *, const char *file, unsigned line,
		    unsigned col, const char *action, const char *field,
		    const char *fmt, ...)
		    __attribute__((format(printf, 7, 8)));
void		 cfg_list_names(char *, size_t, const struct cfg_action *);
void		 cfg_list_actions(char *, size_t);

#endif
