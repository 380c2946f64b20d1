/*
 * ctld: the control service. Clients connect to listeners the parent
 * opens; each line they send is a command, answered as Go receptor does.
 */
#ifndef RECEPTOR_CTLD_H
#define RECEPTOR_CTLD_H

#include <sys/tree.h>

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

/*
 * Which way a relay carries bytes: both (connect), from the client only
 * (a work payload), or to the client only (work results).
 */
enum bridge_way {
	BRIDGE_BOTH,
	BRIDGE_IN,
	BRIDGE_OUT,
};

/* A relay's stream: ctld's end of a socketpair netd or workd holds. */
struct ctl_bridge {
	enum bridge_way		 way;
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
	struct ctl_bridge	*bridge;	/* relaying a stream */
	int			 line_record;	/* TLS: a line to end a record */
	size_t			 record_end;	/* TLS: bytes to it */
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
void	bridge_start(struct ctl_client *, int, enum bridge_way);
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
struct gjbuf	*gomap_add(struct gomap *, const char *);
void		 gomap_write(struct gomap *, struct gjbuf *);

/* A command's request to a sibling, answered with the same id. */
enum req_kind {
	REQ_STATUS,
	REQ_PING,
	REQ_TRACEROUTE,
	REQ_RELOAD,
	REQ_PRIVILEGES,
	REQ_CONNECT,
	REQ_WORK,
};

struct ctl_req {
	RB_ENTRY(ctl_req)	 entry;
	uint32_t		 id;
	enum req_kind		 kind;
	enum proc_role		 to;
	struct ctl_client	*client;	/* NULL once it has gone */
	struct event		*ev_timeout;
	struct json_object	*fields;	/* status: NULL for all */
	char			*target;	/* ping, traceroute; connect */
	int			 fd;		/* connect: ctld's end, until up */
	uint32_t		 hops;		/* traceroute: this step */
	struct gomap		 map;		/* status, traceroute: the
						   reply so far */
	int			 untimed;	/* work submit, results: as long
						   as their data takes */
	char			*reply;		/* work: a long reply so far */
};

/* requests (commands.c) */
struct ctl_req *req_new(struct ctl_client *, enum req_kind, enum proc_role);
void	req_send(struct ctl_req *, uint32_t, struct msgbuild *, int);
void	req_done(struct ctl_req *);

/* work.c */
void	cmd_work(struct ctl_client *, const struct ctlcmd *);
void	work_reply(struct ctl_req *, struct msgread *);

#endif
