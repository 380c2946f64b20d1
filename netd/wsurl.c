/*
 * The text a WebSocket backend has to understand, kept apart from the
 * sockets so that it can be tested and fuzzed alone: the dialer's ws://
 * URL, the listener's path pattern and the Origin check (PROTOCOL.md 1.3).
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "log.h"
#include "netd.h"

static size_t	authority_len(const char *);
static const char *userinfo_end(const char *, size_t);

/* The authority runs to the first of "/?#" (RFC 3986 3.2). */
static size_t
authority_len(const char *s)
{
	return strcspn(s, "/?#");
}

/* Go's url.Parse leaves user:password@ out of Host. */
static const char *
userinfo_end(const char *s, size_t len)
{
	const char	*at = memrchr(s, '@', len);

	return at != NULL ? at + 1 : s;
}

/*
 * ws://host[:port][/path][?query], wss:// likewise; the host may be an
 * [IPv6] literal. Host and Origin are sent as Go sends them: the URL's
 * host[:port] as written.
 */
int
ws_url_parse(const char *url, struct ws_url *u, const char **err)
{
	const char	*p, *host, *end, *colon = NULL;
	size_t		 alen;
	char		*q;
	long		 port;

	memset(u, 0, sizeof(*u));
	if (strncasecmp(url, "ws://", 5) == 0)
		p = url + 5;
	else if (strncasecmp(url, "wss://", 6) == 0) {
		p = url + 6;
		u->tls = 1;
	} else {
		*err = "expected ws:// or wss://";
		return -1;
	}
	alen = authority_len(p);
	host = userinfo_end(p, alen);
	end = p + alen;
	if (*host == '[') {
		if ((q = memchr(host, ']', end - host)) == NULL) {
			*err = "unclosed [ in host";
			return -1;
		}
		u->host = strndup(host + 1, q - host - 1);
		if (q + 1 < end) {
			if (q[1] != ':') {
				*err = "junk after ]";
				goto fail;
			}
			colon = q + 1;
		}
	} else {
		colon = memchr(host, ':', end - host);
		if (colon != NULL && memchr(colon + 1, ':', end - colon - 1) !=
		    NULL) {
			*err = "IPv6 address must be in []";
			return -1;
		}
		u->host = strndup(host, (colon != NULL ? colon : end) - host);
	}
	if (u->host == NULL)
		fatal("strndup");
	if (*u->host == '\0') {
		*err = "no host";
		goto fail;
	}
	if (colon != NULL && colon + 1 < end) {
		port = 0;
		for (p = colon + 1; p < end; p++) {
			if (!isdigit((unsigned char)*p) || port > 65535) {
				*err = "bad port";
				goto fail;
			}
			port = port * 10 + (*p - '0');
		}
		if (port < 1 || port > 65535) {
			*err = "bad port";
			goto fail;
		}
		u->port = (int)port;
	} else
		u->port = u->tls ? 443 : 80;
	if ((u->hostport = strndup(host, end - host)) == NULL)
		fatal("strndup");
	/* The request target is path?query; the fragment stays here. */
	alen = strcspn(end, "#");
	if (asprintf(&u->path, "%s%.*s", *end == '/' ? "" : "/", (int)alen,
	    end) == -1)
		fatal("asprintf");
	return 0;
fail:
	ws_url_free(u);
	return -1;
}

void
ws_url_free(struct ws_url *u)
{
	free(u->host);
	free(u->hostport);
	free(u->path);
	memset(u, 0, sizeof(*u));
}

/*
 * Go's ServeMux: a pattern ending in / matches every path below it (so
 * "/" matches all), any other pattern only itself.
 */
int
ws_path_match(const char *pattern, const char *path)
{
	size_t	 len = strlen(pattern);

	if (len > 0 && pattern[len - 1] == '/')
		return strncmp(pattern, path, len) == 0;
	return strcmp(pattern, path) == 0;
}

/*
 * gorilla/websocket's same-origin check: no Origin is fine, else the
 * host[:port] of the Origin URL must equal Host, ignoring ASCII case.
 */
int
ws_origin_ok(const char *origin, const char *host)
{
	const char	*p, *h;
	size_t		 alen;

	if (origin == NULL)
		return 1;
	if ((p = strstr(origin, "://")) == NULL)
		return 0;
	p += 3;
	alen = authority_len(p);
	h = userinfo_end(p, alen);
	alen -= h - p;
	return host != NULL && strlen(host) == alen &&
	    strncasecmp(h, host, alen) == 0;
}
