/*
 * Service advertisements (PROTOCOL.md 2.3): ours, sent 5 s after start and
 * every 60 s; others', kept one per node and service, each replaced only
 * by a strictly later one and flooded on as the bytes that came in.
 */
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "netd.h"
#include "netmsg.h"

#define CANCEL_SUFFIX	",\"Cancel\":false}"

struct stored_ad {
	RB_ENTRY(stored_ad)	 entry;
	char			*node;
	char			*service;
	struct gotime		 time;
	char			*json;		/* for status: no Cancel */
};

static int	ad_cmp(struct stored_ad *, struct stored_ad *);
RB_HEAD(ads, stored_ad);
RB_PROTOTYPE_STATIC(ads, stored_ad, entry, ad_cmp)
RB_GENERATE_STATIC(ads, stored_ad, entry, ad_cmp)

/* A proxy's service, advertised beside the control services. */
struct local_ad {
	TAILQ_ENTRY(local_ad)	 entry;
	char			*service;
	uint8_t			 conntype;
	struct netmsg_tag	 tags[2];	/* Go's order: by name */
	time_t			 cancelled;	/* monotonic, or 0 */
};
static TAILQ_HEAD(, local_ad)	 local_ads =
    TAILQ_HEAD_INITIALIZER(local_ads);

static struct ads		 ads = RB_INITIALIZER(&ads);
static const struct config	*svc_conf;
static struct event		*ev_ads;

static void	svcad_tick(evutil_socket_t, short, void *);
static int	svcad_own(struct gjbuf *, const struct cfg_item *, int type);
static int	svcad_local(struct gjbuf *, const struct local_ad *, int);
static void	local_ad_free(struct local_ad *);
static int	svcad_status_json(struct gjbuf *, const struct netmsg_svcad *);
static void	ad_free(struct stored_ad *);

static int
ad_cmp(struct stored_ad *a, struct stored_ad *b)
{
	int	 c;

	if ((c = strcmp(a->node, b->node)) != 0)
		return c;
	return strcmp(a->service, b->service);
}

void
svcad_configure(const struct config *conf)
{
	struct timeval	 tv = { MESH_AD_FIRST, 0 };

	svc_conf = conf;
	if (ev_ads == NULL &&
	    (ev_ads = evtimer_new(netd_base(), svcad_tick, NULL)) == NULL)
		fatalx("svcad: evtimer_new");
	/* A local service appeared (or changed): tell the mesh soon. */
	evtimer_add(ev_ads, &tv);
}

/*
 * Advertise service as type (a tag) of conntype, its one other tag
 * name=value, as Go's proxies do; proxies start in a configure, which has
 * the ads go out within MESH_AD_FIRST.
 */
void
svcad_add(const char *service, uint8_t conntype, const char *type,
    const char *name, const char *value)
{
	struct local_ad	*la, *next;

	TAILQ_FOREACH_SAFE(la, &local_ads, entry, next)
		if (strcmp(la->service, service) == 0)
			local_ad_free(la);
	if ((la = calloc(1, sizeof(*la))) == NULL ||
	    (la->service = strdup(service)) == NULL ||
	    (la->tags[0].name = strdup(name)) == NULL ||
	    (la->tags[0].value = strdup(value)) == NULL ||
	    (la->tags[1].value = strdup(type)) == NULL)
		fatal("service ad");
	la->tags[1].name = "type";
	la->conntype = conntype;
	TAILQ_INSERT_TAIL(&local_ads, la, entry);
}

/*
 * The service is gone: Go's cancelling ad, without tags, for two rounds,
 * so that it reaches the peers a reload's restarted backends lost for a
 * moment (Go sends it once, to whoever is linked then).
 */
void
svcad_remove(const char *service)
{
	struct local_ad	*la;

	TAILQ_FOREACH(la, &local_ads, entry)
		if (strcmp(la->service, service) == 0 && la->cancelled == 0) {
			la->cancelled = monotime();
			svcad_soon();
		}
}

static void
local_ad_free(struct local_ad *la)
{
	TAILQ_REMOVE(&local_ads, la, entry);
	free(la->service);
	free(la->tags[0].name);
	free(la->tags[0].value);
	free(la->tags[1].value);
	free(la);
}

/*
 * Our ads in a second, not at the next round: a link came up, so a peer
 * that was away (or a reload's restarted backends) learns our services at
 * once, or a service went. Go waits for the round.
 */
void
svcad_soon(void)
{
	struct timeval	 tv = { 1, 0 };

	if (ev_ads != NULL)
		evtimer_add(ev_ads, &tv);
}

static void
svcad_tick(evutil_socket_t fd, short events, void *arg)
{
	struct timeval	 tv = { MESH_AD_INTERVAL, 0 };
	struct cfg_item	*item;
	struct local_ad	*la, *next;
	struct gjbuf	 b;

	for (item = config_first(svc_conf, "control-service"); item != NULL;
	    item = config_next(item, "control-service")) {
		gj_init(&b);
		if (svcad_own(&b, item, NETMSG_SERVICE) == 0)
			mesh_flood(NULL, b.buf, b.len);
		gj_free(&b);
	}
	TAILQ_FOREACH_SAFE(la, &local_ads, entry, next) {
		if (la->cancelled != 0 &&
		    monotime() - la->cancelled > 2 * MESH_AD_INTERVAL) {
			local_ad_free(la);
			continue;
		}
		gj_init(&b);
		if (svcad_local(&b, la, NETMSG_SERVICE) == 0)
			mesh_flood(NULL, b.buf, b.len);
		gj_free(&b);
	}
	evtimer_add(ev_ads, &tv);
}

/* The work types this node runs, as a control service advertises them. */
static void
svcad_workcmds(struct netmsg_svcad *ad)
{
	static const char *const kinds[] = { "work-command",
	    "work-kubernetes", "work-python" };
	struct cfg_item		*item;
	size_t			 i, n = 0;

	for (i = 0; i < 3; i++)
		for (item = config_first(svc_conf, kinds[i]); item != NULL;
		    item = config_next(item, kinds[i]))
			n++;
	if (n == 0)
		return;
	if ((ad->workcmds = calloc(n, sizeof(*ad->workcmds))) == NULL)
		fatal("work commands");
	for (i = 0; i < 3; i++)
		for (item = config_first(svc_conf, kinds[i]); item != NULL;
		    item = config_next(item, kinds[i])) {
			ad->workcmds[ad->nworkcmds].worktype =
			    (char *)cfg_str(item, "worktype");
			ad->workcmds[ad->nworkcmds++].secure =
			    i != 2 && cfg_bool(item, "verifysignature");
		}
}

/* Our ad for a control service, with (type 2) or without the type byte. */
static int
svcad_own(struct gjbuf *b, const struct cfg_item *item, int type)
{
	struct netmsg_svcad	 ad;
	struct netmsg_tag	 tag = { "type", "Control Service" };
	const char		*tls = cfg_str(item, "tls");
	int			 rv;

	memset(&ad, 0, sizeof(ad));
	ad.node_id = (char *)mesh_node_id();
	ad.service = (char *)cfg_str(item, "service");
	gotime_now(&ad.time);
	ad.conntype = tls != NULL && *tls != '\0' ? NETMSG_CONN_STREAMTLS :
	    NETMSG_CONN_STREAM;
	ad.tags = &tag;
	ad.ntags = 1;
	svcad_workcmds(&ad);
	rv = type == -1 ? svcad_status_json(b, &ad) :
	    netmsg_svcad_encode(b, &ad);
	free(ad.workcmds);
	return rv;
}

/* A proxy's ad: Go sends work types only in a control service's. */
static int
svcad_local(struct gjbuf *b, const struct local_ad *la, int type)
{
	struct netmsg_svcad	 ad;

	memset(&ad, 0, sizeof(ad));
	ad.node_id = (char *)mesh_node_id();
	ad.service = la->service;
	gotime_now(&ad.time);
	ad.conntype = la->conntype;
	if (la->cancelled == 0) {
		ad.tags = (struct netmsg_tag *)la->tags;
		ad.ntags = 2;
	}
	ad.cancel = la->cancelled != 0;
	return type == -1 ? svcad_status_json(b, &ad) :
	    netmsg_svcad_encode(b, &ad);
}

/*
 * status shows an ad as its message without the type byte and without
 * Cancel, which is the last field and false for every ad kept.
 */
static int
svcad_status_json(struct gjbuf *b, const struct netmsg_svcad *ad)
{
	size_t	 cut = strlen(CANCEL_SUFFIX);

	if (netmsg_svcad_encode(b, ad) == -1 || b->len < 1 + cut ||
	    memcmp(b->buf + b->len - cut, CANCEL_SUFFIX, cut) != 0)
		return -1;
	memmove(b->buf, b->buf + 1, b->len - 1);
	b->len -= cut;
	b->buf[b->len - 1] = '}';
	return 0;
}

void
svcad_input(struct link *from, const uint8_t *msg, size_t len)
{
	struct netmsg_svcad	 ad;
	struct stored_ad	 key, *sa;
	struct gjbuf		 json;
	const char		*err;

	if (netmsg_svcad_decode(msg, len, &ad, &err) == -1) {
		link_complain(from, "bad service advertisement from %s: %s",
		    from->peer, err);
		return;
	}
	if (strcmp(ad.node_id, mesh_node_id()) == 0)
		goto done;
	key.node = ad.node_id;
	key.service = ad.service;
	sa = RB_FIND(ads, &ads, &key);
	if (sa != NULL && gotime_cmp(&ad.time, &sa->time) <= 0)
		goto done;
	if (sa != NULL) {
		RB_REMOVE(ads, &ads, sa);
		ad_free(sa);
	}
	if (!ad.cancel) {
		if ((sa = calloc(1, sizeof(*sa))) == NULL ||
		    (sa->node = strdup(ad.node_id)) == NULL ||
		    (sa->service = strdup(ad.service)) == NULL)
			fatal("service ad");
		sa->time = ad.time;
		gj_init(&json);
		if (svcad_status_json(&json, &ad) == -1 ||
		    (sa->json = strndup(json.buf, json.len)) == NULL)
			fatal("service ad");
		gj_free(&json);
		RB_INSERT(ads, &ads, sa);
	}
	mesh_flood(from, msg, len);
 done:
	netmsg_svcad_free(&ad);
}

static void
ad_free(struct stored_ad *sa)
{
	free(sa->node);
	free(sa->service);
	free(sa->json);
	free(sa);
}

/* status "Advertisements": ours with the time now, then everyone's. */
void
svcad_status(struct gjbuf *b)
{
	struct cfg_item		*item;
	struct stored_ad	*sa;
	struct local_ad		*la;
	struct gjbuf		 own;

	gj_arr_open(b);
	for (item = config_first(svc_conf, "control-service"); item != NULL;
	    item = config_next(item, "control-service")) {
		gj_init(&own);
		if (svcad_own(&own, item, -1) == 0) {
			gj_elem(b);
			gj_raw(b, own.buf, own.len);
		}
		gj_free(&own);
	}
	TAILQ_FOREACH(la, &local_ads, entry) {
		if (la->cancelled != 0)
			continue;
		gj_init(&own);
		if (svcad_local(&own, la, -1) == 0) {
			gj_elem(b);
			gj_raw(b, own.buf, own.len);
		}
		gj_free(&own);
	}
	RB_FOREACH(sa, ads, &ads) {
		gj_elem(b);
		gj_raw(b, sa->json, strlen(sa->json));
	}
	gj_arr_close(b);
}
