/* Small helpers several processes share. */
#include <sys/stat.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
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

int
unit_id_valid(const char *id)
{
	size_t	 i;

	for (i = 0; id[i] != '\0'; i++)
		if (i >= UNIT_ID_MAX || !((id[i] >= '0' && id[i] <= '9') ||
		    (id[i] >= 'a' && id[i] <= 'z') ||
		    (id[i] >= 'A' && id[i] <= 'Z')))
			return 0;
	return i > 0;
}

char *
work_params_join(const char *base, const char *user)
{
	char	*s;

	if (base == NULL)
		base = "";
	if (*user == '\0')
		s = strdup(base);
	else if (*base == '\0')
		s = strdup(user);
	else if (asprintf(&s, "%s %s", base, user) == -1)
		s = NULL;
	if (s == NULL)
		fatal("work params");
	return s;
}
