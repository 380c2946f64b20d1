#ifndef RECEPTOR_UTIL_H
#define RECEPTOR_UTIL_H

#include <sys/types.h>

int	mkdir_p(const char *, mode_t, int *created);

/*
 * Work unit IDs: Go makes 8 letters and digits; any name of letters and
 * digits up to UNIT_ID_MAX is taken from disk, nothing that could leave
 * the datadir.
 */
#define UNIT_ID_MAX	64
int	unit_id_valid(const char *);
/*
 * Go's combineParams: the configured params (NULL: none) and the
 * submitted, joined.
 */
char	*work_params_join(const char *base, const char *user);

#endif
