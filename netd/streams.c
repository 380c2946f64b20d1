/*
 * The streams netd serves for the other processes: the control services
 * the mesh reaches (handed to ctld as control clients), and the streams
 * ctld and workd ask for (dialed here, bridged to a socketpair).
 */
#include <sys/socket.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "netd.h"
#include "proc.h"
#include "proto.h"
#include "quic.h"
#include "tlsconf.h"

static int	control_accepted(const char *, uint64_t, void *);
static void	connect_done(const char *, void *);

/*
 * A control service listens from the start: Go refuses a reload that
 * changes one, so the first configuration's listeners stay.
 */
void
streams_configure(const struct config *conf, const struct config *old)
{
	struct cfg_item		*item;
	struct tlsconf		*tc;
	struct quictls		*qt;
	const char		*service, *tls, *err;
	char			*name, why[256];

	if (old != NULL)
		return;
	for (item = config_first(conf, "control-service"); item != NULL;
	    item = config_next(item, "control-service")) {
		service = cfg_str(item, "service");
		tls = cfg_str(item, "tls");
		tc = NULL;
		if (tls != NULL && *tls != '\0' && (tc = tlsconf_new(
		    "control-service", tls, 1, mesh_node_id())) == NULL)
			continue;
		if ((qt = quictls_new(tc, 1, why, sizeof(why))) == NULL) {
			log_error("control-service %s: %s", service, why);
			continue;
		}
		/* Its own copy: a reload frees this configuration. */
		if ((name = strdup(service)) == NULL)
			fatal("control-service");
		if (quic_listen(name, qt, control_accepted, name, &err) ==
		    NULL) {
			log_error("control-service %s: %s", service, err);
			quictls_free(qt);
			free(name);
		}
	}
}

/* ctld serves the stream as a control client, on one end of a pair. */
static int
control_accepted(const char *node, uint64_t conn, void *arg)
{
	struct msgbuild	 mb;
	int		 sp[2];

	log_debug("control service %s: stream from %s", (const char *)arg,
	    node);
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0,
	    sp) == -1) {
		log_warn("control service %s", (const char *)arg);
		return -1;
	}
	msg_init(&mb);
	msg_add_str(&mb, node);
	msg_add_str(&mb, arg);
	if (imsgev_msg(child_channel(ROLE_CTLD), &mb, IMSG_CTL_MESH_CLIENT, 0,
	    sp[1]) == -1)
		log_warn("mesh control client to ctld");
	return sp[0];
}

/*
 * A stream to a node's service for ctld (IMSG_CTL_CONNECT, bridged to the
 * socketpair end it sent) or workd (IMSG_WORK_DIAL: workd makes no
 * sockets, so netd makes the pair and the reply carries workd's end).
 */
struct dial {
	enum proc_role	 from;
	uint32_t	 reqid;
	int		 keep;		/* workd's end until the stream is up */
};

void
streams_connect(enum proc_role from, struct imsg *imsg)
{
	struct msgread	 mr;
	struct tlsconf	*tc = NULL;
	struct quictls	*qt;
	struct dial	*d;
	const char	*err;
	char		*node, *service, *tls, why[256];
	int		 fd = imsg->fd, sv[2];

	imsg->fd = -1;
	if ((d = calloc(1, sizeof(*d))) == NULL)
		fatal("connect");
	d->from = from;
	d->reqid = imsg->hdr.peerid;
	d->keep = -1;
	msg_read_init(&mr, imsg);
	node = msg_get_str(&mr);
	service = msg_get_str(&mr);
	tls = msg_get_str(&mr);
	if (msg_read_end(&mr) == -1 || node == NULL || service == NULL ||
	    tls == NULL || (fd == -1) == (from == ROLE_CTLD)) {
		log_warnx("malformed connect request from %s",
		    role_name(from));
		connect_done("malformed connect request", d);
		goto done;
	}
	if (from == ROLE_WORKD) {
		if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK |
		    SOCK_CLOEXEC, 0, sv) == -1) {
			connect_done(strerror(errno), d);
			goto done;
		}
		d->keep = sv[0];
		fd = sv[1];
	}
	if (*tls != '\0' && (tlsconf_item("tls-client", tls) == NULL ||
	    (tc = tlsconf_new("connect", tls, 0, mesh_node_id())) == NULL)) {
		snprintf(why, sizeof(why), "unknown TLS config %s", tls);
		connect_done(why, d);
		goto done;
	}
	if ((qt = quictls_new(tc, 0, why, sizeof(why))) == NULL) {
		connect_done(why, d);
		goto done;
	}
	if (quic_dial(node, service, qt, fd, connect_done, NULL, d,
	    &err) == -1) {
		quictls_free(qt);
		connect_done(err, d);
		goto done;
	}
	fd = -1;
done:
	if (fd != -1)
		close(fd);
	free(node);
	free(service);
	free(tls);
}

/* The stream is up (err NULL) or not: the reply, "" or why. */
static void
connect_done(const char *err, void *arg)
{
	struct dial	*d = arg;
	struct msgbuild	 mb;
	uint32_t	 type;
	int		 fd = -1;

	msg_init(&mb);
	msg_add_str(&mb, err != NULL ? err : "");
	type = d->from == ROLE_CTLD ? IMSG_CTL_CONNECT_REPLY :
	    IMSG_WORK_DIALED;
	if (err == NULL)
		fd = d->keep;
	else if (d->keep != -1)
		close(d->keep);
	if (imsgev_msg(child_channel(d->from), &mb, type, d->reqid, fd) == -1)
		log_warn("connect reply to %s", role_name(d->from));
	free(d);
}
