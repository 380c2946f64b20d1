/*
 * work: the command is parsed here and answered by workd. A submit's
 * payload and a unit's results go between workd and the client's own
 * connection, whose descriptor workd gets: workd reads the payload and
 * writes the results itself. A TLS client's bytes can only pass through
 * the session, which relays them on a socketpair instead; so do results
 * asked for while earlier replies are still on their way.
 */
#include <sys/socket.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <json.h>

#include "ctld.h"
#include "log.h"
#include "proc.h"
#include "proto.h"

static int	work_pair(int [2]);
static void	work_bridge_end(struct ctl_client *);

void
cmd_work(struct ctl_client *c, const struct ctlcmd *cmd)
{
	struct ctl_work	 w;
	struct ctl_req	*req;
	struct msgbuild	 mb;
	char		 err[512];
	int		 sv[2] = { -1, -1 };

	if (ctlcmd_work(cmd, &w, err, sizeof(err)) == -1) {
		client_error(c, err);
		ctl_work_clear(&w);
		return;
	}
	if (w.sub == CTLW_SUBMIT || w.sub == CTLW_RESULTS) {
		if (c->tls == NULL && (w.sub == CTLW_SUBMIT ||
		    evbuffer_get_length(c->out) == 0)) {
			if ((sv[1] = dup(c->fd)) == -1)
				fatal("work");
		} else if (work_pair(sv) == -1) {
			client_error(c, strerror(errno));
			ctl_work_clear(&w);
			return;
		}
	}
	req = req_new(c, REQ_WORK, ROLE_WORKD);
	req->fd = sv[0];
	req->untimed = sv[1] != -1;
	msg_init(&mb);
	msg_add_u32(&mb, w.sub);
	msg_add_u32(&mb, c->origin != CTL_ORIGIN_UNIX);
	msg_add_str(&mb, w.unitid);
	msg_add_u64(&mb, (uint64_t)w.startpos);
	msg_add_str(&mb, w.signature);
	msg_add_str(&mb, w.node);
	msg_add_str(&mb, w.worktype);
	msg_add_str(&mb, w.tlsclient);
	msg_add_str(&mb, w.ttl);
	msg_add_u32(&mb, w.signwork);
	msg_add_str(&mb, w.params != NULL ?
	    json_object_to_json_string_ext(w.params, JSON_C_TO_STRING_PLAIN) :
	    NULL);
	req_send(req, IMSG_CTL_WORK, &mb, sv[1]);
	ctl_work_clear(&w);
}

/* A socketpair for a relay, sv[0] the session's end; -1 if none. */
static int
work_pair(int sv[2])
{
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) == -1) {
		log_warn("work");
		return -1;
	}
	if (fcntl(sv[0], F_SETFL, fcntl(sv[0], F_GETFL) | O_NONBLOCK) == -1 ||
	    fcntl(sv[1], F_SETFL, fcntl(sv[1], F_GETFL) | O_NONBLOCK) == -1)
		fatal("work");
	return 0;
}

/* u32 kind, str text. */
void
work_reply(struct ctl_req *req, struct msgread *mr)
{
	static const char	 created[] = "Work unit created with ID %s. "
	    "Send stdin data and EOF.\n";
	struct ctl_client	*c = req->client;
	uint32_t		 kind;
	char			*text, *s;

	kind = msg_get_u32(mr);
	text = msg_get_str(mr);
	if (msg_read_end(mr) == -1 || text == NULL)
		fatalx("malformed work reply from workd");
	switch (kind) {
	case WORK_REPLY_PART:
		if (asprintf(&s, "%s%s", req->reply != NULL ? req->reply : "",
		    text) == -1)
			fatal("work reply");
		free(req->reply);
		req->reply = s;
		free(text);
		return;
	case WORK_REPLY_CREATED:
		if (c != NULL) {
			if (asprintf(&s, created, text) == -1)
				fatal("work reply");
			client_write(c, s, strlen(s));
			free(s);
			if (req->fd != -1) {
				bridge_start(c, req->fd, BRIDGE_IN);
				req->fd = -1;
			}
			client_update(c);
		}
		free(text);
		return;
	case WORK_REPLY_STREAMING:
		/* workd sends Go's line and the output, on its own. */
		if (c != NULL && req->fd != -1) {
			bridge_start(c, req->fd, BRIDGE_OUT);
			req->fd = -1;
		} else if (c != NULL) {
			free(text);
			req_done(req);
			client_close(c);
			return;
		}
		break;
	case WORK_REPLY_ERROR:
		if (c != NULL) {
			work_bridge_end(c);
			client_error(c, text);
		}
		break;
	default:
		if (c != NULL) {
			work_bridge_end(c);
			if (req->reply != NULL)
				client_write(c, req->reply,
				    strlen(req->reply));
			client_write(c, text, strlen(text));
			client_write(c, "\n", 1);
		}
	}
	free(text);
	req_done(req);
}

/*
 * A payload's relay ends with workd's answer; the session reads lines
 * again, as Go's does after a submit.
 */
static void
work_bridge_end(struct ctl_client *c)
{
	if (c->bridge == NULL || c->bridge->way != BRIDGE_IN)
		return;
	bridge_free(c->bridge);
	c->bridge = NULL;
}
