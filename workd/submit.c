/*
 * A submit's payload, taken from the client's stream into the unit's
 * stdin as it comes (never held in memory), then the unit started: a
 * command unit by its runner, a remote one on its node. Go's order of
 * status details is kept, and the client's last line says how it went.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "gojson.h"
#include "log.h"
#include "proc.h"
#include "workd.h"

/* Payload bytes moved per read, and reads per wakeup. */
#define SUBMIT_CHUNK	(256 * 1024)
#define SUBMIT_ROUNDS	16

static void	submit_read(evutil_socket_t, short, void *);
static void	submit_end(struct submit *);

/* The unit exists, status "Unit Created"; its payload comes on fd. */
void
submit_start(uint32_t reqid, struct unit *u, int fd, const char *given)
{
	struct submit	*s;
	char		 detail[512], *extra;

	if ((s = calloc(1, sizeof(*s))) == NULL)
		fatal("submit");
	s->unit = u;
	s->reqid = reqid;
	s->sock = fd;
	s->stdinfd = -1;
	if ((s->given = strdup(given)) == NULL)
		fatal("submit");
	u->submit = s;
	if (u->remote == NULL) {
		extra = unit_extra(u, 0);
		if (work_status_set(&u->st.extra, extra) == -1)
			fatal("submit");
		free(extra);
	}
	if (unit_save(u) == -1) {
		submit_fail(s, NULL, "could not write the status file");
		return;
	}
	if ((s->stdinfd = unit_open(u, "stdin", O_WRONLY | O_CREAT)) == -1) {
		(void)snprintf(detail, sizeof(detail), "open stdin: %s",
		    go_strerror(errno));
		submit_fail(s, NULL, detail);
		return;
	}
	(void)unit_update(u, WORK_PENDING, "Waiting for Input Data", 0);
	workd_reply(reqid, WORK_REPLY_CREATED, u->id);
	if ((s->ev = event_new(child_base(), fd, EV_READ | EV_PERSIST,
	    submit_read, s)) == NULL || event_add(s->ev, NULL) == -1)
		fatalx("submit: cannot watch the payload");
}

static void
submit_read(evutil_socket_t fd, short events, void *arg)
{
	static char	 buf[SUBMIT_CHUNK];
	struct submit	*s = arg;
	char		 detail[512];
	ssize_t		 n, w, off;
	int		 round;

	for (round = 0; round < SUBMIT_ROUNDS; round++) {
		if ((n = read(fd, buf, sizeof(buf))) == -1) {
			if (errno == EAGAIN || errno == EINTR)
				return;
			(void)snprintf(detail, sizeof(detail), "read: %s",
			    go_strerror(errno));
			submit_fail(s, "Error reading input data: ", detail);
			return;
		}
		if (n == 0) {
			submit_end(s);
			return;
		}
		for (off = 0; off < n; off += w)
			if ((w = write(s->stdinfd, buf + off, n - off)) ==
			    -1) {
				(void)snprintf(detail, sizeof(detail),
				    "write stdin: %s", go_strerror(errno));
				submit_fail(s, "Error reading input data: ",
				    detail);
				return;
			}
	}
}

/* The payload is whole: start the unit. */
static void
submit_end(struct submit *s)
{
	int	 rv;

	event_free(s->ev);
	s->ev = NULL;
	rv = close(s->stdinfd);
	s->stdinfd = -1;
	if (rv == -1) {
		submit_fail(s, "Error reading input data: ", go_strerror(errno));
		return;
	}
	(void)unit_update(s->unit, WORK_PENDING, "Starting Worker", 0);
	if (s->unit->remote != NULL)
		remote_start(s);
	else
		command_launch(s);
}

/* The client's last line: {"result":result,"unitid":...}. */
void
submit_started(struct submit *s, const char *result)
{
	struct gjbuf	 b;

	gj_init(&b);
	gj_obj_open(&b);
	gj_key(&b, "result");
	gj_str(&b, result);
	gj_key(&b, "unitid");
	gj_str(&b, s->unit->id);
	gj_obj_close(&b);
	gj_raw(&b, "", 1);
	workd_reply(s->reqid, WORK_REPLY_JSON, b.buf);
	gj_free(&b);
	submit_free(s);
}

/*
 * Go fails the unit with "<what><err>" and answers the client with the
 * error alone.
 */
void
submit_fail(struct submit *s, const char *what, const char *err)
{
	char	 detail[1024];

	if (what != NULL) {
		(void)snprintf(detail, sizeof(detail), "%s%s", what, err);
		(void)unit_update(s->unit, WORK_FAILED, detail, 0);
	}
	workd_reply(s->reqid, WORK_REPLY_ERROR, err);
	submit_free(s);
}

void
submit_free(struct submit *s)
{
	s->unit->submit = NULL;
	if (s->ev != NULL)
		event_free(s->ev);
	if (s->sock != -1)
		close(s->sock);
	if (s->stdinfd != -1)
		close(s->stdinfd);
	free(s->given);
	free(s);
}
