/*
 * ctld: the control service. Clients connect to listeners the parent
 * opens; each line they send is a command, answered as Go receptor does.
 */
#ifndef RECEPTOR_CTLD_H
#define RECEPTOR_CTLD_H

#include <stddef.h>
#include <stdint.h>

#include <event2/buffer.h>
#include <event2/event.h>

#include "ctlcmd.h"
#include "gojson.h"
#include "imsg.h"
#include "sandbox.h"

/* A client that sends nothing and has nothing in flight for this long is
   closed (Go never closes an idle session). */
#define CTL_IDLE_TIMEOUT	(5 * 60)
/* Replies not yet taken by a client: above this its next lines wait. */
#define CTL_OUT_HIGH		(256 * 1024)
/* A sibling that never answers must not hold a session forever; netd's
   own ping timeout is 10 s. */
#define CTL_REQUEST_TIMEOUT	30
/* Go's limit on a TLS control client's handshake. */
#define CTL_TLS_HANDSHAKE_TIMEOUT 10
/* Go's MaxForwardingHops: the hops of a ping, the last traceroute step. */
#define CTL_MAX_HOPS		30

struct ctl_req;
struct tls;
struct tlsconf;

/* Go checks work signatures of all but Unix socket clients. */
enum ctl_origin {
	CTL_ORIGIN_UNIX,
	CTL_ORIGIN_TCP,
	CTL_ORIGIN_MESH,
};

/* A connect's stream: ctld's end of the socketpair netd splices to it. */
struct ctl_bridge {
	int			 fd;
	struct event		*ev_read;
	struct event		*ev_write;
	struct evbuffer		*out;		/* from the client, not yet sent */
	int			 eof;		/* the stream ended */
	int			 shut;		/* our write side is shut */
};

struct ctl_client {
	uint32_t		 id;		/* for log lines */
	int			 fd;
	enum ctl_origin		 origin;
	char			*remote;	/* mesh: the node it came from */
	struct event		*ev_read;
	struct event		*ev_write;
	struct event		*ev_idle;
	struct evbuffer		*out;
	struct ctl_line		*line;		/* the request being read */
	int			 eof;		/* client sent EOF */
	struct ctl_req		*req;		/* command in flight */
	struct tls		*tls;		/* NULL for a plain socket */
	const struct tlsconf	*tlsconf;	/* the listener's */
	int			 handshake;	/* TLS: not done yet */
	int			 hello_seen;	/* TLS: the first byte was */
	short			 tls_want;	/* TLS: the event it waits for */
	struct evbuffer		*in;		/* TLS: read, not yet taken */
	struct ctl_bridge	*bridge;	/* relaying a connect */
	int			 shut;		/* bridge: our write side shut */
};

/* ctld.c */
struct ctld_sysinfo {
	long long	 cpus;
	long long	 mem_mib;
};
const struct ctld_sysinfo *ctld_sysinfo(void);
const char	*ctld_node_id(void);

/* control.c */
void	control_listener(struct imsg *);
void	control_mesh_client(struct imsg *);
void	client_write(struct ctl_client *, const char *, size_t);
void	client_error(struct ctl_client *, const char *);
void	client_done(struct ctl_client *);
void	client_update(struct ctl_client *);
void	client_close(struct ctl_client *);
void	ctl_watch(struct event *, int);

/* bridge.c */
void	bridge_start(struct ctl_client *, int);
void	bridge_send(struct ctl_bridge *, const char *, size_t);
void	bridge_update(struct ctl_client *);
void	bridge_free(struct ctl_bridge *);

/* commands.c */
void	commands_run(struct ctl_client *, const char *, size_t);
void	commands_detach(struct ctl_client *);
void	commands_dispatch(enum proc_role, struct imsg *);

/* gomap.c */
struct gomap_kv {
	char		*key;
	struct gjbuf	 val;		/* encoded JSON */
};
struct gomap {
	struct gomap_kv	*kv;
	size_t		 n;
	size_t		 size;
};
void		 gomap_init(struct gomap *);
void		 gomap_clear(struct gomap *);
struct gjbuf	*gomap_set(struct gomap *, const char *);
void		 gomap_write(struct gomap *, struct gjbuf *);

#endif
