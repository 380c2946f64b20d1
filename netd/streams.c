/*
 * The streams netd serves for the other processes: the control services
 * the mesh reaches (handed to ctld as control clients) and ctld's connect
 * requests (dialed here, bridged to the socketpair ctld sent along).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "netd.h"
#include "proc.h"
#include "proto.h"
#include "quic.h"
#include "tlsconf.h"

static void	control_accepted(int, const char *, void *);
static void	connect_done(const char *, void *);
static void	connect_reply(uint32_t, const char *);

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

static void
control_accepted(int fd, const char *node, void *arg)
{
	struct msgbuild	 mb;

	log_debug("control service %s: stream from %s", (const char *)arg,
	    node);
	msg_init(&mb);
	msg_add_str(&mb, node);
	msg_add_str(&mb, arg);
	if (imsgev_msg(child_channel(ROLE_CTLD), &mb, IMSG_CTL_MESH_CLIENT, 0,
	    fd) == -1)
		log_warn("mesh control client to ctld");
}

/* ctld's connect: node, service, tls-client name or "", and the fd. */
void
streams_connect(uint32_t reqid, struct imsg *imsg)
{
	struct msgread	 mr;
	struct tlsconf	*tc = NULL;
	struct quictls	*qt;
	const char	*err;
	char		*node, *service, *tls, why[256];
	int		 fd = imsg->fd;

	imsg->fd = -1;
	msg_read_init(&mr, imsg);
	node = msg_get_str(&mr);
	service = msg_get_str(&mr);
	tls = msg_get_str(&mr);
	if (msg_read_end(&mr) == -1 || node == NULL || service == NULL ||
	    tls == NULL || fd == -1) {
		log_warnx("malformed connect request from ctld");
		connect_reply(reqid, "malformed connect request");
		goto done;
	}
	if (*tls != '\0' && (tlsconf_item("tls-client", tls) == NULL || (tc = tlsconf_new("connect", tls, 0,
	    mesh_node_id())) == NULL)) {
		snprintf(why, sizeof(why), "unknown TLS config %s", tls);
		connect_reply(reqid, why);
		goto done;
	}
	if ((qt = quictls_new(tc, 0, why, sizeof(why))) == NULL) {
		connect_reply(reqid, why);
		goto done;
	}
	if (quic_dial(node, service, qt, fd, connect_done,
	    (void *)(uintptr_t)reqid, &err) == -1) {
		quictls_free(qt);
		connect_reply(reqid, err);
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

static void
connect_done(const char *err, void *arg)
{
	connect_reply((uint32_t)(uintptr_t)arg, err != NULL ? err : "");
}

static void
connect_reply(uint32_t reqid, const char *err)
{
	struct msgbuild	 mb;

	msg_init(&mb);
	msg_add_str(&mb, err);
	if (imsgev_msg(child_channel(ROLE_CTLD), &mb, IMSG_CTL_CONNECT_REPLY,
	    reqid, -1) == -1)
		log_warn("connect reply to ctld");
}
