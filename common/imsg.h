/*
 * imsg-style framed messages between the daemon's processes.
 *
 * A frame is a fixed 20-byte header followed by its payload:
 *
 *	u32 type	message type (proto/proto.h)
 *	u32 len		header + payload, host byte order
 *	u32 flags	IMSGF_HASFD: one descriptor travels with this frame
 *	u32 peerid	who the message is about (session, unit, client)
 *	u32 pid		sender's pid
 *
 * Both ends of a socketpair run on one host, so host byte order is fine.
 * A descriptor rides as SCM_RIGHTS on the sendmsg(2) carrying the frame's
 * first byte; the reader queues received descriptors and hands one to each
 * frame with IMSGF_HASFD, in order.
 */
#ifndef RECEPTOR_IMSG_H
#define RECEPTOR_IMSG_H

#include <sys/types.h>
#include <sys/queue.h>
#include <stddef.h>
#include <stdint.h>

#define IMSG_HDR_SIZE		20
#define IMSG_MAX_SIZE		(64 * 1024)	/* header included */
#define IMSGF_HASFD		0x1

struct imsg_hdr {
	uint32_t	 type;
	uint32_t	 len;
	uint32_t	 flags;
	uint32_t	 peerid;
	uint32_t	 pid;
};

struct imsg {
	struct imsg_hdr	 hdr;
	int		 fd;		/* -1 unless IMSGF_HASFD */
	void		*data;		/* payload; valid until imsg_free() */
	size_t		 datalen;
};

struct imsg_wbuf;
struct imsg_fdq;
TAILQ_HEAD(imsg_wqueue, imsg_wbuf);
TAILQ_HEAD(imsg_fdqueue, imsg_fdq);

struct imsgchan {
	int			 fd;
	pid_t			 pid;		/* stamped into outgoing frames */
	unsigned char		*rbuf;		/* bytes read, not yet framed */
	size_t			 rpos;		/* start of the next frame */
	size_t			 rlen;
	size_t			 rsize;
	struct imsg_fdqueue	 rfds;		/* descriptors received */
	struct imsg_wqueue	 wq;		/* frames not yet written */
	size_t			 wqlen;		/* frames queued */
};

/* Set up a channel on a connected, non-blocking socket. */
void	imsgchan_init(struct imsgchan *, int fd);
/* Free queued frames and received descriptors; closes the socket. */
void	imsgchan_clear(struct imsgchan *);

/*
 * Queue one frame. fd is -1 or a descriptor whose ownership passes to the
 * channel (closed once sent or on imsgchan_clear()); it passes even when
 * the call fails, so the caller never closes it.
 * Returns 0, or -1 with errno EMSGSIZE (too large) or ENOMEM.
 */
int	imsg_compose(struct imsgchan *, uint32_t type, uint32_t peerid,
	    int fd, const void *data, size_t datalen);

/*
 * Write as much of the queue as the socket takes.
 * Returns 1 when the queue is empty, 0 when more is left (EAGAIN),
 * -1 on error (errno set; EPIPE when the peer is gone).
 */
int	imsg_flush(struct imsgchan *);

/* Blocking variant for start-up and tests: write the whole queue. */
int	imsg_flush_all(struct imsgchan *);

/*
 * Read what the socket has (and any descriptors with it).
 * Returns bytes read, 0 on EOF, -1 on error (errno EAGAIN when nothing
 * was ready).
 */
ssize_t	imsg_read(struct imsgchan *);

/*
 * Take the next complete frame from the read buffer.
 * Returns 1 with *imsg filled, 0 when no whole frame is buffered, -1 when
 * the stream is malformed (length below the header or above IMSG_MAX_SIZE,
 * unknown flags, IMSGF_HASFD with no descriptor received): errno EBADMSG;
 * the channel is then unusable and must be closed.
 */
int	imsg_get(struct imsgchan *, struct imsg *);
/* Release a frame from imsg_get(); closes its fd unless taken (fd = -1). */
void	imsg_free(struct imsg *);

/*
 * Typed payloads (after OpenSMTPD's mproc): values are appended in order
 * and read back in the same order, each checked for type and bounds, so a
 * peer's mistake is an error, never a wild read.
 *
 *	u8 tag ('u' u32, 'U' u64, 'd' double, 's' string, 'b' bytes)
 *	strings: u32 length + bytes (no NUL on the wire); bytes likewise;
 *	a NULL string has length 0xffffffff and no bytes
 */
struct msgbuild {
	unsigned char	*buf;
	size_t		 len;
	size_t		 size;
	int		 failed;	/* errno of a failed append: ENOMEM or
					   EMSGSIZE (payload would not fit) */
};

struct msgread {
	const unsigned char	*p;
	size_t			 left;
	int			 failed;	/* a get did not match */
};

void	msg_init(struct msgbuild *);
void	msg_add_u32(struct msgbuild *, uint32_t);
void	msg_add_u64(struct msgbuild *, uint64_t);
void	msg_add_double(struct msgbuild *, double);
void	msg_add_str(struct msgbuild *, const char *);	/* NULL allowed */
void	msg_add_bytes(struct msgbuild *, const void *, size_t);
/*
 * Queue the built payload as one frame and reset the builder (also on
 * failure). fd as for imsg_compose(). Returns 0, or -1 with errno from
 * the failed append or from imsg_compose().
 */
int	msg_compose(struct msgbuild *, struct imsgchan *, uint32_t type,
	    uint32_t peerid, int fd);
void	msg_free(struct msgbuild *);

void	msg_read_init(struct msgread *, const struct imsg *);
uint32_t msg_get_u32(struct msgread *);
uint64_t msg_get_u64(struct msgread *);
double	msg_get_double(struct msgread *);
/* Returns a malloc'd NUL-terminated copy, NULL for a NULL string or error;
 * strings with an embedded NUL are an error. */
char	*msg_get_str(struct msgread *);
/* Points into the frame; valid until imsg_free(). */
const void *msg_get_bytes(struct msgread *, size_t *len);
/* 0 when every get matched and the payload was consumed exactly, else -1. */
int	msg_read_end(struct msgread *);

#endif
