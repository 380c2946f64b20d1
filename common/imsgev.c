#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

#include "imsgev.h"
#include "log.h"

static void	imsgev_dispatch(evutil_socket_t, short, void *);
static void	imsgev_update(struct imsgev *);
static void	imsgev_closed(struct imsgev *);

void
imsgev_init(struct imsgev *iev, struct event_base *base, int fd,
    const char *name, imsgev_handler handler, void *arg)
{
	imsgchan_init(&iev->chan, fd);
	iev->handler = handler;
	iev->arg = arg;
	iev->name = name;
	iev->events = EV_READ;
	iev->open = 1;
	iev->ev = event_new(base, fd, EV_READ | EV_PERSIST, imsgev_dispatch,
	    iev);
	if (iev->ev == NULL || event_add(iev->ev, NULL) == -1)
		fatalx("imsgev_init: cannot watch the channel to %s", name);
}

void
imsgev_clear(struct imsgev *iev)
{
	if (!iev->open)
		return;
	iev->open = 0;
	event_free(iev->ev);
	iev->ev = NULL;
	imsgchan_clear(&iev->chan);
}

int
imsgev_compose(struct imsgev *iev, uint32_t type, uint32_t peerid, int fd,
    const void *data, size_t datalen)
{
	if (!iev->open) {
		if (fd != -1)
			close(fd);
		errno = EPIPE;
		return -1;
	}
	if (imsg_compose(&iev->chan, type, peerid, fd, data, datalen) == -1)
		return -1;
	imsgev_update(iev);
	return 0;
}

int
imsgev_msg(struct imsgev *iev, struct msgbuild *mb, uint32_t type,
    uint32_t peerid, int fd)
{
	int	 rv;

	if (mb->failed) {
		if (fd != -1)
			close(fd);
		msg_free(mb);
		errno = EMSGSIZE;
		return -1;
	}
	rv = imsgev_compose(iev, type, peerid, fd, mb->buf, mb->len);
	msg_free(mb);
	return rv;
}

int
imsgev_compose_u32(struct imsgev *iev, uint32_t type, uint32_t peerid,
    uint32_t val)
{
	struct msgbuild	 mb;

	msg_init(&mb);
	msg_add_u32(&mb, val);
	return imsgev_msg(iev, &mb, type, peerid, -1);
}

/* Watch for writability only while frames wait to be written. */
static void
imsgev_update(struct imsgev *iev)
{
	short	 want = EV_READ;

	if (iev->chan.wqlen > 0)
		want |= EV_WRITE;
	if (want == iev->events)
		return;
	iev->events = want;
	event_del(iev->ev);
	event_assign(iev->ev, event_get_base(iev->ev), iev->chan.fd,
	    want | EV_PERSIST, imsgev_dispatch, iev);
	if (event_add(iev->ev, NULL) == -1)
		fatalx("imsgev: cannot watch the channel to %s", iev->name);
}

static void
imsgev_closed(struct imsgev *iev)
{
	imsgev_clear(iev);
	iev->handler(iev, NULL);
}

static void
imsgev_dispatch(evutil_socket_t fd, short events, void *arg)
{
	struct imsgev	*iev = arg;
	struct imsg	 imsg;
	ssize_t		 n;
	int		 rv;

	if (events & EV_WRITE) {
		if (imsg_flush(&iev->chan) == -1) {
			if (errno != EPIPE)
				log_warn("write to %s", iev->name);
			imsgev_closed(iev);
			return;
		}
	}
	if (events & EV_READ) {
		n = imsg_read(&iev->chan);
		if (n == -1 && errno == EAGAIN)
			goto done;
		if (n == -1 && errno != ECONNRESET)
			log_warn("read from %s", iev->name);
		if (n <= 0) {
			imsgev_closed(iev);
			return;
		}
		/* The handler may close the channel, so check every turn. */
		while (iev->open && (rv = imsg_get(&iev->chan, &imsg)) != 0) {
			if (rv == -1) {
				log_error("malformed message from %s, closing "
				    "the channel", iev->name);
				imsgev_closed(iev);
				return;
			}
			iev->handler(iev, &imsg);
			imsg_free(&imsg);
		}
	}
 done:
	if (iev->open)
		imsgev_update(iev);
}
