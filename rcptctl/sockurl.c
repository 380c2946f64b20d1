/*
 * The --socket forms receptorctl takes, by its regular expression
 *	(tcp|tls):(//)?([a-zA-Z0-9-.:]+):([0-9]+)|(unix:(//)?)?([^:]+)
 * matched against the whole text: "/path", "unix:/path", "unix:///path",
 * "tcp://host:port", "tls://host:port" ("//" optional).
 */
#include <stdlib.h>
#include <string.h>

#include "rcptctl.h"

static int	 sockurl_hostport(const char *, struct sockurl *);
static char	*xstrndup(const char *, size_t);

/* Returns 0, or -1 when the text is none of the forms. */
int
sockurl_parse(const char *s, struct sockurl *u)
{
	const char	*home;

	memset(u, 0, sizeof(*u));
	if (strncmp(s, "tcp:", 4) == 0 || strncmp(s, "tls:", 4) == 0) {
		u->kind = s[1] == 'c' ? SOCKURL_TCP : SOCKURL_TLS;
		s += 4;
		if (strncmp(s, "//", 2) == 0 && sockurl_hostport(s + 2, u) == 0)
			return 0;
		return sockurl_hostport(s, u);
	}
	u->kind = SOCKURL_UNIX;
	if (strncmp(s, "unix:", 5) == 0) {
		s += 5;
		if (strncmp(s, "//", 2) == 0 && s[2] != '\0')
			s += 2;
	}
	if (*s == '\0' || strchr(s, ':') != NULL)
		return -1;
	/* Python's os.path.expanduser(), for the current user. */
	if ((s[0] == '~' && (s[1] == '/' || s[1] == '\0')) &&
	    (home = getenv("HOME")) != NULL) {
		if (asprintf(&u->path, "%s%s", home, s + 1) == -1)
			die("out of memory");
	} else
		u->path = xstrndup(s, strlen(s));
	return 0;
}

/* host is [a-zA-Z0-9-.:]+ and the port digits after its last colon. */
static int
sockurl_hostport(const char *s, struct sockurl *u)
{
	const char	*colon = strrchr(s, ':');

	if (colon == NULL || colon == s || colon[1] == '\0' ||
	    strspn(colon + 1, "0123456789") != strlen(colon + 1) ||
	    strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "0123456789-.:") < (size_t)(colon - s))
		return -1;
	u->host = xstrndup(s, colon - s);
	u->port = xstrndup(colon + 1, strlen(colon + 1));
	return 0;
}

void
sockurl_clear(struct sockurl *u)
{
	free(u->path);
	free(u->host);
	free(u->port);
	memset(u, 0, sizeof(*u));
}

static char *
xstrndup(const char *s, size_t len)
{
	char	*p;

	if ((p = strndup(s, len)) == NULL)
		die("out of memory");
	return p;
}
