/*
 * What the control service asks of the mesh: status, pings, connect. Each
 * request from ctld gets exactly one reply with its peerid (status: after
 * the pieces before it).
 */
#include <sys/param.h>

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "log.h"
#include "netd.h"
#include "netmsg.h"
#include "proc.h"
#include "proto.h"

struct ping {
	uint32_t	 reqid;
	struct service	*svc;
	struct timespec	 start;
	struct event	*ev_timeout;
};

static void	ctl_status_reply(uint32_t);
static void	ctl_status_send(struct msgbuild *, uint32_t, uint32_t);
static void	ctl_ping(uint32_t, struct imsg *);
static void	ping_done(struct ping *, const char *from, const char *err);
static void	ping_datagram(struct service *, const char *, const char *,
		    const uint8_t *, size_t);
static void	ping_unreachable(struct service *, const char *, const char *);
static void	ping_timeout(evutil_socket_t, short, void *);

static const struct service_ops ping_ops = {
	.datagram = ping_datagram,
	.unreachable = ping_unreachable,
};

#define STATUS_PIECE	(32 * 1024)

static const char *const status_fields[] = {
	"Connections", "RoutingTable", "Advertisements",
	"KnownConnectionCosts", NULL
};

void
ctl_dispatch(struct imsg *imsg)
{
	switch (imsg->hdr.type) {
	case IMSG_CTL_STATUS:
		ctl_status_reply(imsg->hdr.peerid);
		break;
	case IMSG_CTL_PING:
		ctl_ping(imsg->hdr.peerid, imsg);
		break;
	case IMSG_CTL_CONNECT:
		streams_connect(ROLE_CTLD, imsg);
		break;
	default:
		log_warnx("unexpected message %u from ctld", imsg->hdr.type);
	}
}

/*
 * The fields as JSON text, as many pieces to a message as fit: in a big
 * mesh KnownConnectionCosts and Advertisements alone outgrow a message.
 */
static void
ctl_status_reply(uint32_t reqid)
{
	struct msgbuild	 mb;
	struct gjbuf	 b;
	const char	*key;
	size_t		 i, off, n;

	msg_init(&mb);
	for (i = 0; (key = status_fields[i]) != NULL; i++) {
		gj_init(&b);
		if (strcmp(key, "Advertisements") == 0)
			svcad_status(&b);
		else
			mesh_status(&b, key);
		if (b.err != NULL)
			fatalx("status: %s", b.err);
		for (off = 0; off < b.len; off += n) {
			n = MIN(b.len - off, STATUS_PIECE);
			/* 64: the key and the tags and lengths of both. */
			if (mb.len + n + 64 > IMSG_MAX_SIZE - IMSG_HDR_SIZE)
				ctl_status_send(&mb, IMSG_CTL_STATUS_PART,
				    reqid);
			msg_add_str(&mb, key);
			msg_add_bytes(&mb, b.buf + off, n);
		}
		gj_free(&b);
	}
	ctl_status_send(&mb, IMSG_CTL_STATUS_REPLY, reqid);
}

static void
ctl_status_send(struct msgbuild *mb, uint32_t type, uint32_t reqid)
{
	if (imsgev_msg(child_channel(ROLE_CTLD), mb, type, reqid, -1) == -1)
		log_warn("status reply to ctld");
	msg_init(mb);
}

static void
ctl_ping(uint32_t reqid, struct imsg *imsg)
{
	struct msgread	 mr;
	struct ping	*p;
	struct timeval	 tv = { MESH_PING_TIMEOUT, 0 };
	const char	*err;
	char		*target;
	uint32_t	 hops;

	msg_read_init(&mr, imsg);
	target = msg_get_str(&mr);
	hops = msg_get_u32(&mr);
	if (msg_read_end(&mr) == -1 || target == NULL) {
		log_warnx("malformed ping request from ctld");
		free(target);
		return;
	}
	if ((p = calloc(1, sizeof(*p))) == NULL)
		fatal("ping");
	p->reqid = reqid;
	p->svc = dgram_bind_ephemeral(&ping_ops, p);
	p->ev_timeout = evtimer_new(netd_base(), ping_timeout, p);
	if (p->ev_timeout == NULL)
		fatalx("ping: evtimer_new");
	evtimer_add(p->ev_timeout, &tv);
	clock_gettime(CLOCK_MONOTONIC, &p->start);
	/* A ping of ourselves is answered before dgram_send() returns. */
	if (dgram_send(p->svc->name, target, "ping", "", 0,
	    hops > NETMSG_MAXHOPS ? NETMSG_MAXHOPS : hops, &err) == -1)
		ping_done(p, mesh_node_id(), err);
	free(target);
}

static void
ping_datagram(struct service *svc, const char *fromnode, const char *fromsvc,
    const uint8_t *payload, size_t len)
{
	ping_done(svc->arg, fromnode, NULL);
}

static void
ping_unreachable(struct service *svc, const char *from, const char *problem)
{
	ping_done(svc->arg, from, problem);
}

static void
ping_timeout(evutil_socket_t fd, short events, void *arg)
{
	ping_done(arg, mesh_node_id(), "timeout");
}

/* Reply: str from, u64 nanoseconds, str error ("" for success). */
static void
ping_done(struct ping *p, const char *from, const char *err)
{
	struct msgbuild	 mb;
	struct timespec	 now;
	uint64_t	 ns;

	clock_gettime(CLOCK_MONOTONIC, &now);
	ns = (uint64_t)(now.tv_sec - p->start.tv_sec) * 1000000000ULL +
	    now.tv_nsec - p->start.tv_nsec;
	msg_init(&mb);
	msg_add_str(&mb, from);
	msg_add_u64(&mb, ns);
	msg_add_str(&mb, err != NULL ? err : "");
	if (imsgev_msg(child_channel(ROLE_CTLD), &mb, IMSG_CTL_PING_REPLY,
	    p->reqid, -1) == -1)
		log_warn("ping reply to ctld");
	dgram_unbind(p->svc);
	event_free(p->ev_timeout);
	free(p);
}
