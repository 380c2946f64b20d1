/*
 * Framed messages over a connected AF_UNIX stream socket, with descriptor
 * passing.  See imsg.h for the frame layout.
 */
#include <sys/types.h>
#include <sys/queue.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "imsg.h"

/*
 * The read buffer grows on demand up to a few frames' worth: one maximal
 * frame must fit, and reading more than that per call gains nothing.
 */
#define IMSG_RBUF_INIT		(16 * 1024)
#define IMSG_RBUF_MAX		(4 * IMSG_MAX_SIZE)
#define IMSG_RBUF_MINFREE	4096

/* Frames gathered into one sendmsg(2). */
#define IMSG_IOV_MAX		64

/*
 * Descriptors accepted per recvmsg(2). Linux hands over the descriptors
 * of one sendmsg(2) at a time and a well-behaved peer sends one; room for
 * more lets a misbehaving peer's extras be closed instead of truncated.
 */
#define IMSG_RECV_FDS		16

struct imsg_wbuf {
	TAILQ_ENTRY(imsg_wbuf)	 entry;
	int			 fd;	/* -1 once sent */
	size_t			 len;
	size_t			 off;	/* bytes already written */
	unsigned char		 buf[];
};

/*
 * A received descriptor remembers which bytes of rbuf arrived with it: its
 * frame must start there, since the sender attaches it to the sendmsg(2)
 * that carries the frame's first byte.
 */
struct imsg_fdq {
	TAILQ_ENTRY(imsg_fdq)	 entry;
	int			 fd;
	size_t			 start;
	size_t			 end;
};

static void	 imsg_rbuf_compact(struct imsgchan *);
static int	 imsg_rbuf_grow(struct imsgchan *);
static int	 imsg_queue_fds(struct imsgchan *, struct msghdr *, size_t,
		    size_t);
static int	 imsg_take_fd(struct imsgchan *, const struct imsg_hdr *,
		    int *);

void
imsgchan_init(struct imsgchan *chan, int fd)
{
	memset(chan, 0, sizeof(*chan));
	chan->fd = fd;
	chan->pid = getpid();
	TAILQ_INIT(&chan->rfds);
	TAILQ_INIT(&chan->wq);
}

void
imsgchan_clear(struct imsgchan *chan)
{
	struct imsg_wbuf	*wb;
	struct imsg_fdq		*fq;

	while ((wb = TAILQ_FIRST(&chan->wq)) != NULL) {
		TAILQ_REMOVE(&chan->wq, wb, entry);
		if (wb->fd != -1)
			close(wb->fd);
		free(wb);
	}
	while ((fq = TAILQ_FIRST(&chan->rfds)) != NULL) {
		TAILQ_REMOVE(&chan->rfds, fq, entry);
		close(fq->fd);
		free(fq);
	}
	free(chan->rbuf);
	if (chan->fd != -1)
		close(chan->fd);
	imsgchan_init(chan, -1);
}

int
imsg_compose(struct imsgchan *chan, uint32_t type, uint32_t peerid, int fd,
    const void *data, size_t datalen)
{
	struct imsg_wbuf	*wb;
	struct imsg_hdr		 hdr;

	if (datalen > IMSG_MAX_SIZE - IMSG_HDR_SIZE) {
		errno = EMSGSIZE;
		goto fail;
	}
	if ((wb = malloc(sizeof(*wb) + IMSG_HDR_SIZE + datalen)) == NULL)
		goto fail;

	hdr.type = type;
	hdr.len = IMSG_HDR_SIZE + datalen;
	hdr.flags = fd != -1 ? IMSGF_HASFD : 0;
	hdr.peerid = peerid;
	hdr.pid = chan->pid;
	memcpy(wb->buf, &hdr, IMSG_HDR_SIZE);
	if (datalen > 0)
		memcpy(wb->buf + IMSG_HDR_SIZE, data, datalen);
	wb->len = IMSG_HDR_SIZE + datalen;
	wb->off = 0;
	wb->fd = fd;
	TAILQ_INSERT_TAIL(&chan->wq, wb, entry);
	chan->wqlen++;
	return 0;

 fail:
	if (fd != -1) {
		int	 saved = errno;

		close(fd);
		errno = saved;
	}
	return -1;
}

int
imsg_flush(struct imsgchan *chan)
{
	struct iovec		 iov[IMSG_IOV_MAX];
	union {
		struct cmsghdr	 hdr;
		char		 buf[CMSG_SPACE(sizeof(int))];
	}			 cmsgbuf;
	struct msghdr		 msg;
	struct cmsghdr		*cmsg;
	struct imsg_wbuf	*wb, *fdwb;
	ssize_t			 n;
	size_t			 left;
	int			 niov;

	while (!TAILQ_EMPTY(&chan->wq)) {
		niov = 0;
		fdwb = NULL;
		TAILQ_FOREACH(wb, &chan->wq, entry) {
			if (niov == IMSG_IOV_MAX)
				break;
			/*
			 * A descriptor must ride with its frame's first byte
			 * and the receiver keeps one sendmsg's descriptors
			 * apart from the next, so such a frame starts a
			 * sendmsg of its own.
			 */
			if (wb->fd != -1) {
				if (niov > 0)
					break;
				fdwb = wb;
			}
			iov[niov].iov_base = wb->buf + wb->off;
			iov[niov].iov_len = wb->len - wb->off;
			niov++;
		}

		memset(&msg, 0, sizeof(msg));
		msg.msg_iov = iov;
		msg.msg_iovlen = niov;
		if (fdwb != NULL) {
			memset(&cmsgbuf, 0, sizeof(cmsgbuf));
			msg.msg_control = cmsgbuf.buf;
			msg.msg_controllen = sizeof(cmsgbuf.buf);
			cmsg = CMSG_FIRSTHDR(&msg);
			cmsg->cmsg_level = SOL_SOCKET;
			cmsg->cmsg_type = SCM_RIGHTS;
			cmsg->cmsg_len = CMSG_LEN(sizeof(int));
			memcpy(CMSG_DATA(cmsg), &fdwb->fd, sizeof(int));
		}

		if ((n = sendmsg(chan->fd, &msg, MSG_NOSIGNAL)) == -1) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return 0;
			return -1;
		}

		/* Any byte written means the descriptor went with it. */
		if (fdwb != NULL && n > 0) {
			close(fdwb->fd);
			fdwb->fd = -1;
		}

		left = n;
		while (left > 0 && (wb = TAILQ_FIRST(&chan->wq)) != NULL) {
			if (left < wb->len - wb->off) {
				wb->off += left;
				break;
			}
			left -= wb->len - wb->off;
			TAILQ_REMOVE(&chan->wq, wb, entry);
			chan->wqlen--;
			free(wb);
		}
	}
	return 1;
}

int
imsg_flush_all(struct imsgchan *chan)
{
	struct pollfd	 pfd;
	int		 rv;

	for (;;) {
		if ((rv = imsg_flush(chan)) != 0)
			return rv == 1 ? 0 : -1;
		pfd.fd = chan->fd;
		pfd.events = POLLOUT;
		pfd.revents = 0;
		if (poll(&pfd, 1, -1) == -1 && errno != EINTR)
			return -1;
		if (pfd.revents & POLLNVAL) {
			errno = EBADF;
			return -1;
		}
	}
}

ssize_t
imsg_read(struct imsgchan *chan)
{
	union {
		struct cmsghdr	 hdr;
		char		 buf[CMSG_SPACE(IMSG_RECV_FDS * sizeof(int))];
	}			 cmsgbuf;
	struct msghdr		 msg;
	struct iovec		 iov;
	ssize_t			 n;

	imsg_rbuf_compact(chan);
	if (imsg_rbuf_grow(chan) == -1)
		return -1;

	iov.iov_base = chan->rbuf + chan->rlen;
	iov.iov_len = chan->rsize - chan->rlen;
	memset(&msg, 0, sizeof(msg));
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	msg.msg_control = cmsgbuf.buf;
	msg.msg_controllen = sizeof(cmsgbuf.buf);

	do {
		n = recvmsg(chan->fd, &msg, MSG_CMSG_CLOEXEC);
	} while (n == -1 && errno == EINTR);
	if (n <= 0)
		return n;

	if (imsg_queue_fds(chan, &msg, chan->rlen, chan->rlen + n) == -1)
		return -1;
	chan->rlen += n;
	return n;
}

int
imsg_get(struct imsgchan *chan, struct imsg *imsg)
{
	struct imsg_hdr	 hdr;
	size_t		 avail, datalen;
	void		*data = NULL;
	int		 fd;

	avail = chan->rlen - chan->rpos;
	if (avail < IMSG_HDR_SIZE)
		return 0;
	memcpy(&hdr, chan->rbuf + chan->rpos, IMSG_HDR_SIZE);

	/* Judge the header at once: garbage must not wait for more bytes. */
	if (hdr.len < IMSG_HDR_SIZE || hdr.len > IMSG_MAX_SIZE ||
	    (hdr.flags & ~IMSGF_HASFD) != 0) {
		errno = EBADMSG;
		return -1;
	}
	if (avail < hdr.len)
		return 0;

	/* Allocate first, so running out of memory loses nothing. */
	datalen = hdr.len - IMSG_HDR_SIZE;
	if (datalen > 0) {
		if ((data = malloc(datalen)) == NULL)
			return -1;
		memcpy(data, chan->rbuf + chan->rpos + IMSG_HDR_SIZE, datalen);
	}
	if (imsg_take_fd(chan, &hdr, &fd) == -1) {
		free(data);
		return -1;
	}

	imsg->hdr = hdr;
	imsg->fd = fd;
	imsg->data = data;
	imsg->datalen = datalen;
	chan->rpos += hdr.len;
	return 1;
}

void
imsg_free(struct imsg *imsg)
{
	free(imsg->data);
	imsg->data = NULL;
	imsg->datalen = 0;
	if (imsg->fd != -1) {
		close(imsg->fd);
		imsg->fd = -1;
	}
}

/*
 * Move the unframed bytes to the front of rbuf, once per read rather than
 * once per frame.
 */
static void
imsg_rbuf_compact(struct imsgchan *chan)
{
	struct imsg_fdq	*fq;
	size_t		 shift = chan->rpos;

	if (shift == 0)
		return;
	memmove(chan->rbuf, chan->rbuf + shift, chan->rlen - shift);
	chan->rlen -= shift;
	chan->rpos = 0;
	/*
	 * A descriptor whose bytes are all consumed ends at 0 and is caught
	 * as a stray by the next imsg_get().
	 */
	TAILQ_FOREACH(fq, &chan->rfds, entry) {
		fq->start = fq->start > shift ? fq->start - shift : 0;
		fq->end = fq->end > shift ? fq->end - shift : 0;
	}
}

static int
imsg_rbuf_grow(struct imsgchan *chan)
{
	unsigned char	*p;
	size_t		 size;

	if (chan->rsize - chan->rlen >= IMSG_RBUF_MINFREE ||
	    chan->rsize >= IMSG_RBUF_MAX) {
		if (chan->rlen == chan->rsize) {
			/* The caller reads without taking frames out. */
			errno = ENOBUFS;
			return -1;
		}
		return 0;
	}
	size = chan->rsize == 0 ? IMSG_RBUF_INIT : chan->rsize * 2;
	if (size > IMSG_RBUF_MAX)
		size = IMSG_RBUF_MAX;
	if ((p = realloc(chan->rbuf, size)) == NULL)
		return -1;
	chan->rbuf = p;
	chan->rsize = size;
	return 0;
}

static int
imsg_queue_fds(struct imsgchan *chan, struct msghdr *msg, size_t start,
    size_t end)
{
	struct cmsghdr	*cmsg;
	struct imsg_fdq	*fq;
	size_t		 i, nfds;
	int		 fd, error = 0;

	/* Descriptors were lost: frames and fds can no longer pair up. */
	if (msg->msg_flags & MSG_CTRUNC)
		error = EBADMSG;

	for (cmsg = CMSG_FIRSTHDR(msg); cmsg != NULL;
	    cmsg = CMSG_NXTHDR(msg, cmsg)) {
		if (cmsg->cmsg_level != SOL_SOCKET ||
		    cmsg->cmsg_type != SCM_RIGHTS)
			continue;
		nfds = (cmsg->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (i = 0; i < nfds; i++) {
			memcpy(&fd, CMSG_DATA(cmsg) + i * sizeof(int),
			    sizeof(int));
			if (error == 0 && (fq = malloc(sizeof(*fq))) == NULL)
				error = ENOMEM;
			/* After an error keep going: each one must be closed. */
			if (error != 0) {
				close(fd);
				continue;
			}
			fq->fd = fd;
			fq->start = start;
			fq->end = end;
			TAILQ_INSERT_TAIL(&chan->rfds, fq, entry);
		}
	}
	if (error != 0) {
		errno = error;
		return -1;
	}
	return 0;
}

/*
 * Pair the frame starting at rpos with its descriptor, if it has one.
 * A queued descriptor that arrived wholly before this frame belonged to
 * no frame, and one claimed by a frame must have come with its first
 * byte; anything else means the peer's frames and descriptors disagree.
 */
static int
imsg_take_fd(struct imsgchan *chan, const struct imsg_hdr *hdr, int *fdp)
{
	struct imsg_fdq	*fq;

	*fdp = -1;
	fq = TAILQ_FIRST(&chan->rfds);
	if (fq != NULL && fq->end <= chan->rpos) {
		errno = EBADMSG;
		return -1;
	}
	if ((hdr->flags & IMSGF_HASFD) == 0)
		return 0;
	if (fq == NULL || fq->start > chan->rpos) {
		errno = EBADMSG;
		return -1;
	}
	TAILQ_REMOVE(&chan->rfds, fq, entry);
	*fdp = fq->fd;
	free(fq);
	return 0;
}
