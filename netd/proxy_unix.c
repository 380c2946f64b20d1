/*
 * Unix socket proxies. netd may not touch files, so the parent makes each
 * unix-socket-server's listener and hands it over ahead of the
 * configuration that names it, and connects to a unix-socket-client's
 * socket for each stream that reaches it (receptor/proxysock.c). The
 * rest is the TCP proxies' (proxy_stream.c).
 */
#include <sys/queue.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "netd.h"
#include "netmsg.h"
#include "proc.h"
#include "proto.h"
#include "proxy.h"
#include "quic.h"

/* A listener from the parent, until the configuration takes it. */
struct handed {
	TAILQ_ENTRY(handed)	 entry;
	char			*key;	/* its item's text */
	int			 fd;
};
static TAILQ_HEAD(, handed)	 handed = TAILQ_HEAD_INITIALIZER(handed);

struct unix_client {
	char			*service;
	char			*filename;
	struct quic_listener	*listener;
};

/* A stream waiting for the parent's connection to the socket. */
struct connecting {
	TAILQ_ENTRY(connecting)	 entry;
	uint32_t		 reqid;
	struct unix_client	*uc;
	uint64_t		 conn;
};
static TAILQ_HEAD(, connecting)	 connecting =
    TAILQ_HEAD_INITIALIZER(connecting);

static void	*server_start(const struct cfg_item *);
static void	*client_start(const struct cfg_item *);
static void	 client_stop(void *);
static int	 client_accepted(const char *, uint64_t, void *);

const struct proxy_kind proxy_unix_server = {
	"unix-socket-server", server_start, stream_server_stop
};
const struct proxy_kind proxy_unix_client = {
	"unix-socket-client", client_start, client_stop
};

void
proxy_unix_handed(struct imsg *imsg)
{
	struct msgread	 mr;
	struct handed	*h;
	char		*key;

	msg_read_init(&mr, imsg);
	key = msg_get_str(&mr);
	if (msg_read_end(&mr) == -1 || key == NULL || imsg->fd == -1)
		fatalx("bad unix-socket-server listener from parent");
	if ((h = calloc(1, sizeof(*h))) == NULL)
		fatal("unix-socket-server");
	h->key = key;
	h->fd = imsg->fd;
	imsg->fd = -1;
	TAILQ_INSERT_TAIL(&handed, h, entry);
}

/* The configuration is in force: what it did not take is not needed. */
void
proxy_unix_configured(void)
{
	struct handed	*h;

	while ((h = TAILQ_FIRST(&handed)) != NULL) {
		TAILQ_REMOVE(&handed, h, entry);
		close(h->fd);
		free(h->key);
		free(h);
	}
}

static void *
server_start(const struct cfg_item *item)
{
	struct handed	*h;
	char		*key = cfg_item_text(item), where[128];
	int		 fd = -1;

	TAILQ_FOREACH(h, &handed, entry)
		if (strcmp(h->key, key) == 0) {
			TAILQ_REMOVE(&handed, h, entry);
			fd = h->fd;
			free(h->key);
			free(h);
			break;
		}
	free(key);
	snprintf(where, sizeof(where), "unix-socket-server %s",
	    cfg_str(item, "filename"));
	if (fd == -1) {
		log_error("%s: the parent made no listener", where);
		return NULL;
	}
	return stream_server_start(where, fd, item, "tls", NULL);
}

static void *
client_start(const struct cfg_item *item)
{
	struct unix_client	*uc;

	if ((uc = calloc(1, sizeof(*uc))) == NULL ||
	    (uc->service = strdup(cfg_str(item, "service"))) == NULL ||
	    (uc->filename = strdup(cfg_str(item, "filename"))) == NULL)
		fatal("unix-socket-client");
	if ((uc->listener = proxy_listen(item, "tls", client_accepted, uc,
	    "Unix Proxy", "filename", uc->filename)) == NULL) {
		free(uc->service);
		free(uc->filename);
		free(uc);
		return NULL;
	}
	log_debug("unix-socket-client %s: forwarding to %s", uc->service,
	    uc->filename);
	return uc;
}

static void
client_stop(void *arg)
{
	struct unix_client	*uc = arg;
	struct connecting	*c, *next;

	/* Their connections, when they come, find no stream and close. */
	TAILQ_FOREACH_SAFE(c, &connecting, entry, next)
		if (c->uc == uc) {
			TAILQ_REMOVE(&connecting, c, entry);
			free(c);
		}
	svcad_remove(uc->service);
	quic_unlisten(uc->listener);
	free(uc->service);
	free(uc->filename);
	free(uc);
}

/* Ask the parent for a connection to the socket; bridge it when here. */
static int
client_accepted(const char *node, uint64_t conn, void *arg)
{
	static uint32_t		 reqids;
	struct unix_client	*uc = arg;
	struct connecting	*c;
	struct msgbuild		 mb;

	log_debug("unix-socket-client %s: stream from %s", uc->service, node);
	if ((c = calloc(1, sizeof(*c))) == NULL)
		fatal("unix-socket-client");
	c->reqid = ++reqids;
	c->uc = uc;
	c->conn = conn;
	msg_init(&mb);
	msg_add_str(&mb, uc->filename);
	if (imsgev_msg(child_channel(ROLE_PARENT), &mb, IMSG_PROXY_CONNECT,
	    c->reqid, -1) == -1)
		fatal("unix-socket-client request to parent");
	TAILQ_INSERT_TAIL(&connecting, c, entry);
	return QUIC_ACCEPT_LATER;
}

void
proxy_unix_connected(struct imsg *imsg)
{
	struct connecting	*c;
	struct msgread		 mr;
	char			*err;

	msg_read_init(&mr, imsg);
	err = msg_get_str(&mr);
	if (msg_read_end(&mr) == -1 || err == NULL)
		fatalx("bad unix-socket-client connection from parent");
	TAILQ_FOREACH(c, &connecting, entry)
		if (c->reqid == imsg->hdr.peerid)
			break;
	/* A stopped proxy's connection is closed with the message. */
	if (c != NULL) {
		TAILQ_REMOVE(&connecting, c, entry);
		if (*err != '\0')
			log_warnx("unix-socket-client %s: %s", c->uc->service,
			    err);
		quic_accept_later(c->uc->listener, c->conn, imsg->fd);
		imsg->fd = -1;
		free(c);
	}
	free(err);
}
