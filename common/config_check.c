/*
 * config_validate(): the checks Go receptor makes when it parses and
 * prepares a configuration, made before anything runs, so that a mistake
 * is reported with its file, line and column instead of failing later in
 * some child process.
 */
#include <sys/queue.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <ctype.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "config.h"
#include "config_local.h"

static int	 check_item(struct config *, struct cfg_item *,
		    struct cfg_error *);
static int	 check_field(struct config *, struct cfg_item *,
		    const struct cfg_field *, struct cfg_error *);
static int	 check_hostport(const char *);
static int	 check_cidr(const char *, int *af, int *bits);
static int	 check_time(const char *);
static int	 check_pin(const char *);
static int	 check_node(struct config *, struct cfg_error *);
static int	 check_unique(struct config *, struct cfg_error *);
static int	 check_work(struct config *, struct cfg_error *);
static struct cfg_item *find_named(struct config *, const char *action,
		    const char *field, const char *name,
		    const struct cfg_item *before);
static const char *where(const struct cfg_item *, char *, size_t);

int
config_validate(struct config *cf, struct cfg_error *err)
{
	struct cfg_item	*it, *o, *ex;
	char		 w[256];

	if ((ex = config_exclusive(cf)) != NULL) {
		TAILQ_FOREACH(o, &cf->items, entry)
			if (o != ex) {
				cfg_item_err(err, o, NULL, "cannot specify any "
				    "other options with %s (%s)",
				    ex->action->name, where(ex, w, sizeof(w)));
				return -1;
			}
		if (check_item(cf, ex, err) == -1)
			return -1;
		return check_work(cf, err);
	}
	TAILQ_FOREACH(it, &cf->items, entry) {
		if (!(it->action->flags & CFGA_SINGLETON))
			continue;
		for (o = TAILQ_FIRST(&cf->items); o != it;
		    o = TAILQ_NEXT(o, entry))
			if (o->action == it->action) {
				cfg_item_err(err, it, NULL, "only one %s "
				    "directive is allowed (the first is %s)",
				    it->action->name, where(o, w, sizeof(w)));
				return -1;
			}
	}
	if (check_node(cf, err) == -1)
		return -1;
	TAILQ_FOREACH(it, &cf->items, entry)
		if (check_item(cf, it, err) == -1)
			return -1;
	if (check_unique(cf, err) == -1 || check_work(cf, err) == -1)
		return -1;
	return 0;
}

static const char *
where(const struct cfg_item *it, char *buf, size_t len)
{
	if (it->implicit)
		snprintf(buf, len, "the implicit node");
	else if (it->file == NULL)
		snprintf(buf, len, "on the command line");
	else
		snprintf(buf, len, "at %s:%u:%u", it->file, it->line, it->col);
	return buf;
}

/* Go adds a node when none is given; its ID defaults to the hostname. */
static int
check_node(struct config *cf, struct cfg_error *err)
{
	const struct cfg_action	*na = cfg_action_find("node");
	struct cfg_item		*it;
	struct cfg_value	*v;
	char			 host[256];
	int			 idx = cfg_field_index(na, "id");

	if ((it = config_first(cf, "node")) == NULL) {
		if ((it = cfg_item_new(na, NULL, 0, 0)) == NULL) {
			cfg_err(err, NULL, 0, 0, "node", NULL, "out of memory");
			return -1;
		}
		it->implicit = 1;
		TAILQ_INSERT_HEAD(&cf->items, it, entry);
	}
	v = &it->values[idx];
	if (v->set && v->str[0] != '\0')
		return 0;
	if (gethostname(host, sizeof(host)) == -1)
		host[0] = '\0';
	host[sizeof(host) - 1] = '\0';
	if (host[0] == '\0' || strcasecmp(host, "localhost") == 0 ||
	    strncasecmp(host, "localhost.", 10) == 0) {
		cfg_item_err(err, it, NULL, "no node ID specified and local "
		    "host name is localhost (set node id)");
		return -1;
	}
	free(v->str);
	if ((v->str = strdup(host)) == NULL) {
		cfg_item_err(err, it, NULL, "out of memory");
		return -1;
	}
	v->set = 1;
	return 0;
}

static int
check_item(struct config *cf, struct cfg_item *it, struct cfg_error *err)
{
	const struct cfg_field	*f;
	char			 missing[512];
	int			 n = 0;

	missing[0] = '\0';
	for (f = it->action->fields; f->name != NULL; f++) {
		if (!(f->flags & CFGF_REQUIRED) ||
		    it->values[f - it->action->fields].set)
			continue;
		if (n++ > 0)
			strlcat(missing, ", ", sizeof(missing));
		strlcat(missing, f->name, sizeof(missing));
	}
	if (n > 0) {
		cfg_item_err(err, it, NULL, "required parameter%s missing: %s",
		    n > 1 ? "s" : "", missing);
		return -1;
	}
	for (f = it->action->fields; f->name != NULL; f++)
		if (check_field(cf, it, f, err) == -1)
			return -1;
	return 0;
}

static int
check_field(struct config *cf, struct cfg_item *it, const struct cfg_field *f,
    struct cfg_error *err)
{
	const struct cfg_value	*v = &it->values[f - it->action->fields];
	const char		*s = v->str, *other;
	char			 q[128], buf[256], *p, *tok;
	size_t			 i;
	double			 d;
	int			 af, bits;

	if (!v->set) {
		if (f->check == CFGC_FILE) {
			cfg_item_err(err, it, f, "expected a file name");
			return -1;
		}
		return 0;
	}
	if (s != NULL)
		cfg_quote(q, sizeof(q), s);
	switch (f->check) {
	case CFGC_NONE:
		break;
	case CFGC_NODEID:
		if (strcasecmp(s, "localhost") == 0) {
			cfg_item_err(err, it, f,
			    "node ID \"localhost\" is reserved");
			return -1;
		}
		break;
	case CFGC_PORT:
		if (v->num < 1 || v->num > 65535) {
			cfg_item_err(err, it, f, "expected an integer 1-65535, "
			    "got %lld", v->num);
			return -1;
		}
		break;
	case CFGC_COST:
		if (!(v->real > 0)) {
			cfg_item_err(err, it, f,
			    "connection cost must be positive");
			return -1;
		}
		break;
	case CFGC_NODECOST:
		for (i = 0; i < v->map.npairs; i++)
			if (cfg_parse_float(v->map.pairs[i].val, &d) == -1 ||
			    !(d > 0)) {
				cfg_item_err(err, it, f, "connection cost must "
				    "be positive for %s", v->map.pairs[i].key);
				return -1;
			}
		break;
	case CFGC_PERM:
		if (v->num < 0 || v->num > 07777) {
			cfg_item_err(err, it, f, "expected a file mode like "
			    "0600, got %lld (%#llo)", v->num, v->num);
			return -1;
		}
		break;
	case CFGC_LOGLEVEL:
		if (strcasecmp(s, "error") != 0 &&
		    strcasecmp(s, "warning") != 0 &&
		    strcasecmp(s, "info") != 0 &&
		    strcasecmp(s, "debug") != 0) {
			cfg_item_err(err, it, f, "%s is not a valid log level "
			    "name (expected error, warning, info or debug)", q);
			return -1;
		}
		break;
	case CFGC_TLSSERVER:
	case CFGC_TLSCLIENT:
		other = f->check == CFGC_TLSSERVER ? "tls-server" :
		    "tls-client";
		if (s[0] != '\0' && find_named(cf, other, "name", s,
		    NULL) == NULL) {
			cfg_item_err(err, it, f, "unknown TLS config %s: no "
			    "%s has that name", q, other);
			return -1;
		}
		break;
	case CFGC_HOSTPORT:
		if (check_hostport(s) == -1) {
			cfg_item_err(err, it, f, "expected host:port, got %s",
			    q);
			return -1;
		}
		break;
	case CFGC_TCPLISTEN:
		for (p = v->str; isdigit((unsigned char)*p); p++)
			;
		if (*p == '\0' && p != v->str) {
			if (strlen(s) <= 5 && atoi(s) >= 1 && atoi(s) <= 65535)
				break;
		} else if (check_hostport(s) == 0)
			break;
		cfg_item_err(err, it, f, "expected a port or host:port, got %s",
		    q);
		return -1;
	case CFGC_WSURL:
		if (strncasecmp(s, "ws://", 5) == 0)
			p = v->str + 5;
		else if (strncasecmp(s, "wss://", 6) == 0)
			p = v->str + 6;
		else
			p = NULL;
		if (p == NULL || strchr("/:?#", *p) != NULL) {
			cfg_item_err(err, it, f, "address %s is not a valid "
			    "URL: expected ws://host[:port][/path] or "
			    "wss://...", q);
			return -1;
		}
		break;
	case CFGC_HEADER:
		if (strchr(s, ':') == NULL) {
			cfg_item_err(err, it, f, "extra header must be in the "
			    "form key:value, got %s", q);
			return -1;
		}
		break;
	case CFGC_PINS:
		for (i = 0; i < v->nlist; i++)
			if (check_pin(v->list[i]) == -1) {
				cfg_quote(q, sizeof(q), v->list[i]);
				cfg_item_err(err, it, f, "error decoding "
				    "fingerprint %s: expected 32 or 64 hex "
				    "bytes (sha256 or sha512), \":\" allowed",
				    q);
				return -1;
			}
		break;
	case CFGC_TIME:
		if (check_time(s) == -1) {
			cfg_item_err(err, it, f, "expected an RFC 3339 date and "
			    "time like 2024-01-02T15:04:05Z, got %s", q);
			return -1;
		}
		break;
	case CFGC_BITS:
		if (v->num < 1024 || v->num > 16384) {
			cfg_item_err(err, it, f, "expected a key size in bits "
			    "(1024-16384), got %lld", v->num);
			return -1;
		}
		break;
	case CFGC_CIDR4_30:
		if (check_cidr(s, &af, &bits) == -1) {
			cfg_item_err(err, it, f, "could not parse %s as a CIDR "
			    "address", q);
			return -1;
		}
		if (af != AF_INET || bits != 30) {
			cfg_item_err(err, it, f, "local network %s must be an "
			    "IPv4 /30 CIDR", q);
			return -1;
		}
		break;
	case CFGC_CIDRS:
		if (s[0] == '\0')
			break;
		strlcpy(buf, s, sizeof(buf));
		for (p = buf; (tok = strsep(&p, ",")) != NULL;)
			if (check_cidr(tok, &af, &bits) == -1) {
				cfg_quote(q, sizeof(q), tok);
				cfg_item_err(err, it, f, "could not parse %s "
				    "as a CIDR address", q);
				return -1;
			}
		break;
	case CFGC_IPS:
		for (i = 0; i < v->nlist; i++) {
			struct in6_addr	 a6;

			if (inet_pton(AF_INET, v->list[i], &a6) != 1 &&
			    inet_pton(AF_INET6, v->list[i], &a6) != 1) {
				cfg_quote(q, sizeof(q), v->list[i]);
				cfg_item_err(err, it, f, "invalid IP address: "
				    "%s", q);
				return -1;
			}
		}
		break;
	case CFGC_AUTHMETHOD:
		if (strcasecmp(s, "kubeconfig") != 0 &&
		    strcasecmp(s, "incluster") != 0 &&
		    strcasecmp(s, "runtime") != 0) {
			cfg_item_err(err, it, f, "invalid AuthMethod: %s "
			    "(expected kubeconfig, incluster or runtime)", q);
			return -1;
		}
		break;
	case CFGC_STREAMMETHOD:
		if (strcasecmp(s, "logger") != 0 && strcasecmp(s, "tcp") != 0) {
			cfg_item_err(err, it, f, "stream mode must be logger or "
			    "tcp, got %s", q);
			return -1;
		}
		break;
	case CFGC_FILE:
		if (s[0] == '\0') {
			cfg_item_err(err, it, f, "expected a file name");
			return -1;
		}
		break;
	case CFGC_URLPATH:
		if (s[0] != '/') {
			cfg_item_err(err, it, f, "expected a URL path starting "
			    "with /, got %s", q);
			return -1;
		}
		break;
	}
	return 0;
}

/* host:port, [v6]:port; the port numeric or a service name. */
static int
check_hostport(const char *s)
{
	const char	*c = strrchr(s, ':'), *rb;

	if (c == NULL || c[1] == '\0')
		return -1;
	if (s[0] == '[') {
		if ((rb = strchr(s, ']')) == NULL || rb + 1 != c)
			return -1;
	} else if (memchr(s, ':', c - s) != NULL)
		return -1;
	return 0;
}

static int
check_cidr(const char *s, int *af, int *bits)
{
	char		 buf[INET6_ADDRSTRLEN + 8], *slash, *end;
	unsigned char	 a[sizeof(struct in6_addr)];
	long		 l;

	if (strlcpy(buf, s, sizeof(buf)) >= sizeof(buf) ||
	    (slash = strchr(buf, '/')) == NULL)
		return -1;
	*slash++ = '\0';
	if (inet_pton(AF_INET, buf, a) == 1)
		*af = AF_INET;
	else if (inet_pton(AF_INET6, buf, a) == 1)
		*af = AF_INET6;
	else
		return -1;
	if (!isdigit((unsigned char)*slash))
		return -1;
	l = strtol(slash, &end, 10);
	if (*end != '\0' || l > (*af == AF_INET ? 32 : 128))
		return -1;
	*bits = (int)l;
	return 0;
}

/* RFC 3339 as Go's time.RFC3339 layout parses it. */
static int
check_time(const char *s)
{
	static const char	 pat[] = "dddd-dd-ddTdd:dd:dd";
	size_t			 i;

	for (i = 0; pat[i] != '\0'; i++) {
		if (pat[i] == 'd' ? !isdigit((unsigned char)s[i]) :
		    s[i] != pat[i])
			return -1;
	}
	s += i;
	if (*s == '.') {
		if (!isdigit((unsigned char)*++s))
			return -1;
		while (isdigit((unsigned char)*s))
			s++;
	}
	if (strcmp(s, "Z") == 0)
		return 0;
	if ((s[0] == '+' || s[0] == '-') && isdigit((unsigned char)s[1]) &&
	    isdigit((unsigned char)s[2]) && s[3] == ':' &&
	    isdigit((unsigned char)s[4]) && isdigit((unsigned char)s[5]) &&
	    s[6] == '\0')
		return 0;
	return -1;
}

static int
check_pin(const char *s)
{
	size_t	 n = 0;

	for (; *s != '\0'; s++) {
		if (*s == ':')
			continue;
		if (!isxdigit((unsigned char)*s))
			return -1;
		n++;
	}
	return n == 64 || n == 128 ? 0 : -1;
}

static struct cfg_item *
find_named(struct config *cf, const char *action, const char *field,
    const char *name, const struct cfg_item *before)
{
	struct cfg_item	*it;
	const char	*s;

	for (it = config_first(cf, action); it != NULL && it != before;
	    it = config_next(it, action))
		if ((s = cfg_str(it, field)) != NULL && strcmp(s, name) == 0)
			return it;
	return NULL;
}

/* Names that must not repeat: TLS configs, services, work types. */
static int
check_unique(struct config *cf, struct cfg_error *err)
{
	static const struct {
		const char	*action, *field, *what;
	} names[] = {
		{ "tls-server", "name", "tls-server name" },
		{ "tls-client", "name", "tls-client name" },
		{ "control-service", "service", "service" },
		{ "command-service", "service", "service" },
		{ "tcp-client", "service", "service" },
		{ "udp-client", "service", "service" },
		{ "unix-socket-client", "service", "service" },
		{ "ip-router", "networkname", "service" },
		{ "work-command", "worktype", "work type" },
		{ "work-kubernetes", "worktype", "work type" },
		{ "work-python", "worktype", "work type" },
		{ NULL, NULL, NULL }
	};
	struct cfg_item	*it, *o;
	const char	*s;
	char		 q[128], w[256];
	int		 i, j;

	for (i = 0; names[i].action != NULL; i++) {
		for (it = config_first(cf, names[i].action); it != NULL;
		    it = config_next(it, names[i].action)) {
			if ((s = cfg_str(it, names[i].field)) == NULL ||
			    s[0] == '\0')
				continue;
			o = NULL;
			for (j = 0; j <= i && o == NULL; j++)
				if (strcmp(names[j].what, names[i].what) == 0)
					o = find_named(cf, names[j].action,
					    names[j].field, s, it);
			if (o == NULL)
				continue;
			cfg_quote(q, sizeof(q), s);
			cfg_item_err(err, it, cfg_field_find(it->action,
			    names[i].field), "%s %s is already used by %s %s",
			    names[i].what, q, o->action->name,
			    where(o, w, sizeof(w)));
			return -1;
		}
	}
	return 0;
}

/* Go's Prepare() checks of work and certificate actions. */
static int
check_work(struct config *cf, struct cfg_error *err)
{
	struct cfg_item		*it;
	const char		*auth, *s;
	int			 verify = config_first(cf,
				    "work-verification") != NULL;

	TAILQ_FOREACH(it, &cf->items, entry) {
		if (strncmp(it->action->name, "work-", 5) == 0 &&
		    cfg_field_find(it->action, "verifysignature") != NULL &&
		    cfg_bool(it, "verifysignature") && !verify) {
			cfg_item_err(err, it, cfg_field_find(it->action,
			    "verifysignature"), "VerifySignature for work "
			    "command '%s' is true, but the work verification "
			    "public key is not specified", cfg_str(it,
			    "worktype"));
			return -1;
		}
		if (strcmp(it->action->name, "work-kubernetes") != 0)
			continue;
		auth = cfg_str(it, "authmethod");
		if (cfg_str(it, "namespace") == NULL &&
		    strcasecmp(auth, "kubeconfig") != 0 &&
		    !cfg_bool(it, "allowruntimeauth")) {
			cfg_item_err(err, it, NULL, "must provide namespace "
			    "when AuthMethod is not kubeconfig");
			return -1;
		}
		if (cfg_str(it, "kubeconfig") != NULL &&
		    strcasecmp(auth, "kubeconfig") != 0) {
			cfg_item_err(err, it, cfg_field_find(it->action,
			    "kubeconfig"), "can only provide KubeConfig when "
			    "AuthMethod=kubeconfig");
			return -1;
		}
		s = cfg_str(it, "pod");
		if (s != NULL && (cfg_str(it, "image") != NULL ||
		    cfg_str(it, "command") != NULL ||
		    cfg_str(it, "params") != NULL)) {
			cfg_item_err(err, it, cfg_field_find(it->action, "pod"),
			    "can only provide Pod when Image, Command, and "
			    "Params are empty");
			return -1;
		}
		if (s == NULL && cfg_str(it, "image") == NULL &&
		    !cfg_bool(it, "allowruntimecommand") &&
		    !cfg_bool(it, "allowruntimepod")) {
			cfg_item_err(err, it, NULL, "must specify a container "
			    "image to run");
			return -1;
		}
	}
	if ((it = config_first(cf, "cert-makereq")) != NULL) {
		s = cfg_str(it, "inkey");
		if (s == NULL && cfg_str(it, "outkey") == NULL) {
			cfg_item_err(err, it, NULL, "must provide either InKey "
			    "or OutKey");
			return -1;
		}
		if (s != NULL && cfg_str(it, "outkey") != NULL) {
			cfg_item_err(err, it, NULL, "cannot use both InKey and "
			    "OutKey");
			return -1;
		}
		if (s != NULL && cfg_get(it, "bits")->set) {
			cfg_item_err(err, it, cfg_field_find(it->action,
			    "bits"), "cannot specify key bits when reading an "
			    "already-existing key");
			return -1;
		}
		if (s == NULL && !cfg_get(it, "bits")->set) {
			cfg_item_err(err, it, NULL, "must specify key bits "
			    "when creating a new key");
			return -1;
		}
	}
	return 0;
}
