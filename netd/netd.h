/*
 * netd: the mesh. Backends carry netceptor messages over links; the mesh
 * floods routing updates and service advertisements over them and routes
 * data messages between services by least cost.
 */
#ifndef RECEPTOR_NETD_H
#define RECEPTOR_NETD_H

#include <sys/queue.h>
#include <sys/tree.h>
/* libbsd's static tree(3) generators use it without defining it. */
#ifndef __unused
#define __unused	__attribute__((__unused__))
#endif
#include <stdint.h>
#include <time.h>
#include <event2/event.h>
#include <event2/dns.h>

#include "config.h"
#include "gojson.h"
#include "imsg.h"
#include "sandbox.h"
#include "tlsconf.h"

/* Go's timings (PROTOCOL.md 2.7), in seconds unless said otherwise. */
#define MESH_UPDATE_INTERVAL	10	/* our latest update again */
#define MESH_REFRESH_INTERVAL	60	/* a new one, flooded */
#define MESH_SETTLE_MS		100	/* triggered update and recompute */
#define MESH_LOG_NODES		100	/* tables logged at info up to */
#define MESH_INIT_INTERVAL	1
#define MESH_INIT_TRIES		11
#define MESH_IDLE_TIMEOUT	21
#define MESH_IDLE_CHECK		5
#define MESH_SEEN_KEEP		3600
#define MESH_SEEN_SWEEP		1800
#define MESH_AD_INTERVAL	60
#define MESH_AD_FIRST		5
#define MESH_PING_TIMEOUT	10
#define REDIAL_FIRST		5.0
#define REDIAL_FACTOR		1.5
#define REDIAL_MAX		20.0
#define TLS_HANDSHAKE_TIMEOUT	15	/* Go's TLS dial timeout */

struct backend;
struct link;
struct evutil_addrinfo;
struct sockaddr;

/* What a link needs from the transport under it. */
struct transport {
	const char	*name;
	int		(*send)(void *conn, const void *, size_t);
	/* Close the connection; the transport makes no upcall after this. */
	void		(*close)(void *conn);
	/*
	 * May the connection carry the peer's node ID, now that the link
	 * knows it? -1 with why if not; NULL when there is nothing to check.
	 */
	int		(*verify_peer)(void *conn, const char *peer, char *why,
			    size_t);
};

struct link {
	TAILQ_ENTRY(link)	 entry;
	struct backend		*backend;
	const struct transport	*tp;
	void			*conn;
	char			 remote[128];	/* address, for logs */
	char			*peer;		/* node ID, once established */
	double			 cost;
	int			 established;
	int			 listed_us;	/* peer's updates named us */
	int			 inits;		/* handshake updates sent */
	int			 complained;	/* about its messages */
	struct event		*ev_init;
	time_t			 last_rx;	/* monotonic */
};
TAILQ_HEAD(links, link);

enum backend_kind {
	BK_TCP_LISTENER,
	BK_TCP_PEER,
	BK_UDP_LISTENER,
	BK_UDP_PEER,
	BK_WS_LISTENER,
	BK_WS_PEER,
};

struct backend {
	TAILQ_ENTRY(backend)	 entry;
	enum backend_kind	 kind;
	const struct cfg_item	*item;		/* in netd's config */
	char			*host;
	char			*port;
	double			 cost;
	int			 redial;
	/* runtime */
	int			 fd;		/* listener or UDP socket */
	struct event		*ev;
	struct event		*ev_redial;
	double			 backoff;
	struct evdns_getaddrinfo_request *resolving;
	void			(*connect)(struct backend *,
				    const struct evutil_addrinfo *);
	struct link		*link;		/* a peer's one link */
	void			*dialing;	/* tcp.c: connecting, no link */
	void			*udp;		/* udp.c's state */
	void			*ws;		/* ws.c's state */
	struct tlsconf		*tls;		/* NULL for plain TCP */
};
TAILQ_HEAD(backends, backend);

/* loop.c */
struct event_base	*netd_base(void);
void			 netd_dns_init(void);
struct evdns_base	*netd_dns(void);
time_t			 monotime(void);

/* backend.c */
void	backends_start(const struct config *);
void	backends_stop(void);
double	backend_cost(const struct backend *, const char *peer);
int	backend_allows(const struct backend *, const char *peer);
int	backend_dials(const struct backend *);
void	backend_link_gone(struct backend *, struct link *, int established);
const char *backend_action(const struct backend *);
void	backend_resolve(struct backend *, int socktype,
	    void (*)(struct backend *, const struct evutil_addrinfo *));

/* tcp.c */
void	sockaddr_text(const struct sockaddr *, char *, size_t);
int	sock_listen(const char *action, int socktype, const char *host,
	    const char *port);
const struct evutil_addrinfo *addrinfo_pick(const struct evutil_addrinfo *);
int	tcp_listen(struct backend *);
void	tcp_dial(struct backend *);
void	tcp_stop(struct backend *);
void	tcp_dial_failed(struct backend *, const char *why);

/* tls.c */
void	tlsc_accept(struct backend *, int, const struct sockaddr *);
void	tlsc_dial(struct backend *, int, const struct evutil_addrinfo *);
void	tlsc_backend_stop(struct backend *);

/* udp.c */
int	udp_listen(struct backend *);
void	udp_dial(struct backend *);
void	udp_stop(struct backend *);

/* ws.c: WebSocket backends, served by a thread of their own (ws_thread.c). */
void	ws_init(void);
int	ws_setup(struct backend *);
int	ws_listen(struct backend *);
void	ws_dial(struct backend *);
void	ws_stop(struct backend *);
int	ws_wss(const struct backend *);

/*
 * ws_thread.c: libwebsockets' loop. Requests cross to it as pointers
 * (ownership goes along); accepted sessions come back as ws_accepted.
 */
struct ws_tls {
	uint8_t		*cert;		/* PEM copies; NULL: none */
	uint8_t		*key;
	uint8_t		*cas;
	size_t		 certlen;
	size_t		 keylen;
	size_t		 caslen;
	int		 server;
	int		 mintls13;
	int		 verify;	/* a client's certificate, a server's chain */
};

struct ws_req {
	enum {
		WS_REQ_DIAL,
		WS_REQ_ACCEPT,
		WS_REQ_VHOST,		/* a TLS backend's vhost, by id */
		WS_REQ_VHOST_GONE
	} type;
	uint64_t	 id;		/* the backend's */
	int		 fd;		/* session end, or the accepted socket */
	int		 tls;		/* on the backend's vhost */
	/* WS_REQ_DIAL */
	int		 insecure;	/* insecureskipverify */
	char		*address;	/* numeric */
	int		 port;
	char		*hostport;	/* Host, and Origin http(s)://<hostport> */
	char		*path;
	char		*hdrname;	/* extraheader, "Name:" */
	char		*hdrvalue;
	/* WS_REQ_ACCEPT */
	char		*pattern;
	char		 remote[128];
	/* WS_REQ_VHOST */
	struct ws_tls	*vhost;
};

/*
 * A TLS session's peer certificate comes along as DER: a dial's after
 * its "+", an accepted session's in cert (ownership goes along).
 */
struct ws_accepted {
	uint64_t	 id;
	int		 fd;		/* our end of the session */
	char		 remote[128];
	uint8_t		*cert;
	size_t		 certlen;
};

int	ws_thread_init(void);
void	ws_thread_start(void);
void	ws_req_free(struct ws_req *);

/* wsurl.c */
struct ws_url {
	int	 tls;
	char	*host;		/* without [] */
	int	 port;
	char	*hostport;	/* as written in the URL */
	char	*path;		/* path?query, at least "/" */
};
int	ws_url_parse(const char *, struct ws_url *, const char **err);
void	ws_url_free(struct ws_url *);
int	ws_path_match(const char *pattern, const char *path);
int	ws_origin_ok(const char *origin, const char *host);

/* link.c */
struct link *link_open(struct backend *, const struct transport *, void *,
	    const char *remote);
void	link_input(struct link *, const uint8_t *, size_t);
struct netmsg_framer;
void	link_frames(struct link *, struct netmsg_framer *, const int *closed,
	    const uint8_t *, size_t);
void	link_lost(struct link *, const char *why);
void	link_close(struct link *, const char *why);
int	link_send(struct link *, const void *, size_t);
void	link_reject(struct link *, const char *why);
void	link_complain(struct link *, const char *, ...)
	    __attribute__((format(printf, 2, 3)));

/* mesh.c */
void	mesh_init(const char *node_id);
void	mesh_configure(const struct config *);
const char *mesh_node_id(void);
struct links *mesh_links(void);
struct routing *mesh_routing(void);
void	mesh_link_up(struct link *);
void	mesh_link_down(struct link *);
struct netmsg_route;
void	mesh_route_update(struct link *, struct netmsg_route *);
void	mesh_status(struct gjbuf *, const char *field);
void	mesh_send_update(struct link *);
void	mesh_flood(struct link *except, const void *, size_t);
struct link *mesh_link_to(const char *peer);
uint64_t mesh_learn_name(const char *);
const char *mesh_name_of(uint64_t hash);

/* A service bound on this node: where its datagrams go. */
struct service;
struct service_ops {
	void	(*datagram)(struct service *, const char *fromnode,
		    const char *fromsvc, const uint8_t *, size_t);
	/* An unreachable came back for a message this service sent. */
	void	(*unreachable)(struct service *, const char *from,
		    const char *problem);
};

struct service {
	RB_ENTRY(service)	 entry;
	char			 name[9];
	const struct service_ops *ops;
	void			*arg;
};

/* datagram.c */
void	dgram_input(struct link *, const uint8_t *, size_t);
int	dgram_send(const char *fromsvc, const char *tonode, const char *tosvc,
	    const void *, size_t, uint8_t hops, const char **err);
void	dgram_configure(const struct config *);
struct service *dgram_service(const char *);
struct service *dgram_bind(const char *, const struct service_ops *, void *);
struct service *dgram_bind_ephemeral(const struct service_ops *, void *);
void	dgram_unbind(struct service *);

/* svcad.c */
void	svcad_input(struct link *, const uint8_t *, size_t);
void	svcad_configure(const struct config *);
void	svcad_status(struct gjbuf *);
void	svcad_add(const char *service, uint8_t conntype, const char *type,
	    const char *name, const char *value);
void	svcad_remove(const char *service);
void	svcad_soon(void);

/* ctl.c */
void	ctl_dispatch(struct imsg *);

/* streams.c: the services that take streams, and connect */
void	streams_configure(const struct config *, const struct config *old);
void	streams_connect(enum proc_role, struct imsg *);

#endif
