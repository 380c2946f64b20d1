/*
 * An imsg channel driven by a libevent loop: frames are read and handed to
 * a handler as they arrive, queued frames are written when the socket
 * takes them.
 */
#ifndef RECEPTOR_IMSGEV_H
#define RECEPTOR_IMSGEV_H

#include <event2/event.h>

#include "imsg.h"

struct imsgev;

/*
 * Called for each frame; with imsg == NULL once, when the channel closed
 * (EOF, I/O error or a malformed frame, already logged). After that call
 * the channel is cleared and may be initialised again or forgotten.
 */
typedef void (*imsgev_handler)(struct imsgev *, struct imsg *);

struct imsgev {
	struct imsgchan	 chan;
	struct event	*ev;
	short		 events;
	imsgev_handler	 handler;
	void		*arg;
	const char	*name;		/* the peer, for log lines */
	int		 open;
};

void	imsgev_init(struct imsgev *, struct event_base *, int fd,
	    const char *name, imsgev_handler, void *arg);
void	imsgev_clear(struct imsgev *);
int	imsgev_compose(struct imsgev *, uint32_t type, uint32_t peerid,
	    int fd, const void *data, size_t datalen);
/* Queue a frame carrying one u32. */
int	imsgev_compose_u32(struct imsgev *, uint32_t type, uint32_t peerid,
	    uint32_t val);
/* Queue a frame built with msg_add_*(); resets the builder. */
int	imsgev_msg(struct imsgev *, struct msgbuild *, uint32_t type,
	    uint32_t peerid, int fd);

#endif
