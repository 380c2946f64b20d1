/*
 * work results: a unit's stdout from a start position to a client's
 * stream, following it while the unit runs, as Go's GetResults does:
 * wait for stdout to appear (500 ms polls; none at all once the unit is
 * complete), send what there is, look again every 250 ms, and end once
 * the unit is complete and all its StdoutSize bytes are sent. A unit
 * that was canceled ends the stream too (Go's would follow it forever).
 * The output goes from the file to the socket by sendfile(2).
 */
#include <sys/sendfile.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "proc.h"
#include "workd.h"

/* Bytes handed to sendfile(2) at a time. */
#define RESULTS_CHUNK	(1024 * 1024)

struct results {
	TAILQ_ENTRY(results)	 entry;
	struct unit		*unit;
	int			 sock;
	char			*head;		/* Go's line, still to send */
	size_t			 headlen;
	int			 fd;		/* stdout, once it exists */
	off_t			 pos;
	struct event		*ev_write;
	struct event		*ev_timer;
};

static void	results_run(evutil_socket_t, short, void *);
static int	results_head(struct results *);
static int	results_open(struct results *);
static int	results_over(struct results *);
static void	results_later(struct results *, int);
static void	results_end(struct results *);

/*
 * sock is the client's own connection, or a socketpair ctld relays to
 * one: Go's line goes first, then the output.
 */
void
results_start(struct unit *u, int sock, int64_t startpos)
{
	struct results	*r;
	int		 n;

	if ((r = calloc(1, sizeof(*r))) == NULL)
		fatal("results");
	r->unit = u;
	r->sock = sock;
	r->fd = -1;
	r->pos = startpos;
	if ((n = asprintf(&r->head, "Streaming results for work unit %s\n",
	    u->id)) == -1)
		fatal("results");
	r->headlen = n;
	r->ev_write = event_new(child_base(), sock, EV_WRITE, results_run, r);
	r->ev_timer = evtimer_new(child_base(), results_run, r);
	if (r->ev_write == NULL || r->ev_timer == NULL)
		fatalx("results: out of memory");
	TAILQ_INSERT_TAIL(&u->results, r, entry);
	results_run(-1, 0, r);
}

/* Send what stdout has; then wait for the client or for more output. */
static void
results_run(evutil_socket_t fd, short events, void *arg)
{
	struct results	*r = arg;
	ssize_t		 n;

	switch (results_head(r)) {
	case -1:
		results_end(r);
		return;
	case 0:
		event_add(r->ev_write, NULL);
		return;
	}
	/* Go's seek to a negative start fails: the stream ends. */
	if (r->pos < 0) {
		results_end(r);
		return;
	}
	if (r->fd == -1) {
		switch (results_open(r)) {
		case -1:
			results_end(r);
			return;
		case 0:
			results_later(r, RESULTS_WAIT_STDOUT_MS);
			return;
		}
	}
	for (;;) {
		n = sendfile(r->sock, r->fd, &r->pos, RESULTS_CHUNK);
		if (n > 0)
			continue;
		if (n == -1 && errno == EAGAIN) {
			event_add(r->ev_write, NULL);
			return;
		}
		if (n == -1 && errno != EINTR) {
			log_debug("[%s] results: %s", r->unit->id,
			    strerror(errno));
			results_end(r);
			return;
		}
		if (n == 0)
			break;
	}
	if (results_over(r))
		results_end(r);
	else
		results_later(r, RESULTS_POLL_MS);
}

/* 1 once the line is sent, 0 while the client can't take it, -1: gone. */
static int
results_head(struct results *r)
{
	ssize_t	 n;

	while (r->headlen > 0) {
		n = write(r->sock, r->head + strlen(r->head) - r->headlen,
		    r->headlen);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 && errno == EAGAIN)
			return 0;
		if (n == -1)
			return -1;
		r->headlen -= n;
	}
	return 1;
}

/* 1 once stdout is open, 0 while it is still to come, -1: never. */
static int
results_open(struct results *r)
{
	struct unit	*u = r->unit;

	r->fd = unit_open(u, "stdout", O_RDONLY);
	if (r->fd != -1)
		return 1;
	if (errno != ENOENT) {
		log_warn("[%s] Error accessing stdout file", u->id);
		return -1;
	}
	if (u->runner > 0)
		(void)unit_reload(u);
	if (work_state_complete(u->st.state) ||
	    u->st.state == WORK_CANCELED) {
		log_warnx("[%s] Unit completed without producing any stdout",
		    u->id);
		return -1;
	}
	return 0;
}

/* Everything sent, of a unit that will write no more. */
static int
results_over(struct results *r)
{
	struct unit	*u = r->unit;

	if (u->runner > 0)
		(void)unit_reload(u);
	if (u->st.state == WORK_CANCELED && u->runner <= 0)
		return 1;
	return work_state_complete(u->st.state) &&
	    r->pos >= u->st.stdout_size;
}

static void
results_later(struct results *r, int ms)
{
	struct timeval	 tv = { ms / 1000, (ms % 1000) * 1000 };

	evtimer_add(r->ev_timer, &tv);
}

/* The unit changed: followers look now rather than at their next poll. */
void
results_wake(struct unit *u)
{
	struct results	*r;

	TAILQ_FOREACH(r, &u->results, entry)
		if (evtimer_pending(r->ev_timer, NULL)) {
			evtimer_del(r->ev_timer);
			event_active(r->ev_timer, EV_TIMEOUT, 1);
		}
}

/* The unit goes (release): its followers' streams end. */
void
results_end_all(struct unit *u)
{
	struct results	*r;

	while ((r = TAILQ_FIRST(&u->results)) != NULL)
		results_end(r);
}

/* Closing the stream ends the client's session, as Go's does. */
static void
results_end(struct results *r)
{
	TAILQ_REMOVE(&r->unit->results, r, entry);
	event_free(r->ev_write);
	event_free(r->ev_timer);
	if (r->fd != -1)
		close(r->fd);
	close(r->sock);
	free(r->head);
	free(r);
}
