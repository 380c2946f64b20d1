/*
 * Service proxies (Go's pkg/services), kept in step with the
 * configuration: a reload leaves a proxy whose item is unchanged and names
 * no TLS configuration alone, with its listener and connections; every
 * other one stops and starts anew. TLS is rebuilt because its
 * certificates may have changed on disk with the names the same.
 */
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "netd.h"
#include "proxy.h"

struct proxy {
	TAILQ_ENTRY(proxy)	 entry;
	const struct proxy_kind	*kind;
	char			*key;	/* the item's text */
	int			 tls;	/* names a TLS configuration */
	int			 keep;	/* in the new configuration */
	void			*state;
};
static TAILQ_HEAD(, proxy)	 proxies = TAILQ_HEAD_INITIALIZER(proxies);

static const struct proxy_kind *const kinds[] = {
	&proxy_tcp_server,
	&proxy_tcp_client,
	&proxy_udp_server,
	&proxy_udp_client,
	&proxy_unix_server,
	&proxy_unix_client,
};

static int
item_names_tls(const struct cfg_item *item)
{
	const struct cfg_field	*f;
	const char		*v;

	for (f = item->action->fields; f->name != NULL; f++)
		if ((f->check == CFGC_TLSSERVER ||
		    f->check == CFGC_TLSCLIENT) &&
		    (v = cfg_str(item, f->name)) != NULL && *v != '\0')
			return 1;
	return 0;
}

/* A running proxy for key, not yet matched to an item (keep as given). */
static struct proxy *
proxy_find(const char *key, int keep)
{
	struct proxy	*p;

	TAILQ_FOREACH(p, &proxies, entry)
		if (!p->tls && p->keep == keep && strcmp(p->key, key) == 0)
			return p;
	return NULL;
}

void
proxy_configure(const struct config *conf)
{
	struct cfg_item		*item;
	struct proxy		*p, *next;
	char			*key;
	size_t			 i;
	void			*state;

	TAILQ_FOREACH(p, &proxies, entry)
		p->keep = 0;
	for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		for (item = config_first(conf, kinds[i]->action);
		    item != NULL; item = config_next(item, kinds[i]->action)) {
			key = cfg_item_text(item);
			if ((p = proxy_find(key, 0)) != NULL)
				p->keep = 1;
			free(key);
		}
	TAILQ_FOREACH_SAFE(p, &proxies, entry, next) {
		if (p->keep)
			continue;
		TAILQ_REMOVE(&proxies, p, entry);
		p->kind->stop(p->state);
		free(p->key);
		free(p);
	}
	for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		for (item = config_first(conf, kinds[i]->action);
		    item != NULL; item = config_next(item, kinds[i]->action)) {
			key = cfg_item_text(item);
			if ((p = proxy_find(key, 1)) != NULL) {
				p->keep = 2;
				free(key);
				continue;
			}
			if ((state = kinds[i]->start(item)) == NULL) {
				free(key);
				continue;
			}
			if ((p = calloc(1, sizeof(*p))) == NULL)
				fatal("proxy");
			p->kind = kinds[i];
			p->key = key;
			p->tls = item_names_tls(item);
			p->keep = 2;
			p->state = state;
			TAILQ_INSERT_TAIL(&proxies, p, entry);
		}
	proxy_unix_configured();
}
