/* Small helpers several processes share. */
#include <sys/stat.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

/*
 * mkdir -p; parents are made searchable so that the user can reach the
 * leaf. *created tells whether the leaf is new.
 */
int
mkdir_p(const char *path, mode_t mode, int *created)
{
	char	*copy, *p;
	int	 rv = -1;

	*created = 0;
	if ((copy = strdup(path)) == NULL)
		return -1;
	for (p = copy + 1; *p != '\0'; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(copy, 0755) == -1 && errno != EEXIST)
			goto out;
		*p = '/';
	}
	if (mkdir(copy, mode) == 0)
		*created = 1;
	else if (errno != EEXIST)
		goto out;
	rv = 0;
 out:
	free(copy);
	return rv;
}
