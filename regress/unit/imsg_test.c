/*
 * Framing, descriptor passing and typed payloads of common/imsg.c and
 * common/msg.c.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include <atf-c.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "imsg.h"

#define MAX_PAYLOAD	(IMSG_MAX_SIZE - IMSG_HDR_SIZE)

static int	 count_fds(void);
static void	 chan_pair(struct imsgchan *, struct imsgchan *);
static void	 raw_pair(int *, struct imsgchan *);
static size_t	 put_hdr(unsigned char *, uint32_t, uint32_t, uint32_t,
		    uint32_t);
static void	 raw_send(int, const void *, size_t, int);
static int	 get_wait(struct imsgchan *, struct imsgchan *, struct imsg *);
static unsigned char pattern(size_t, size_t);
static void	 check_payload(const struct imsg *, size_t, size_t);
static void	 check_pipe(int, int, unsigned char);

static int
count_fds(void)
{
	DIR		*d;
	struct dirent	*de;
	int		 n = 0;

	ATF_REQUIRE((d = opendir("/proc/self/fd")) != NULL);
	while ((de = readdir(d)) != NULL)
		if (de->d_name[0] != '.')
			n++;
	closedir(d);
	/* Less the one opendir() used. */
	return n - 1;
}

static void
chan_pair(struct imsgchan *a, struct imsgchan *b)
{
	int	 sv[2];

	ATF_REQUIRE(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, 0, sv) == 0);
	imsgchan_init(a, sv[0]);
	imsgchan_init(b, sv[1]);
}

/* *wfd is a plain socket for hand-made bytes, b reads them. */
static void
raw_pair(int *wfd, struct imsgchan *b)
{
	int	 sv[2];

	ATF_REQUIRE(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, 0, sv) == 0);
	*wfd = sv[0];
	imsgchan_init(b, sv[1]);
}

static size_t
put_hdr(unsigned char *p, uint32_t type, uint32_t len, uint32_t flags,
    uint32_t peerid)
{
	struct imsg_hdr	 hdr;

	hdr.type = type;
	hdr.len = len;
	hdr.flags = flags;
	hdr.peerid = peerid;
	hdr.pid = 1;
	memcpy(p, &hdr, sizeof(hdr));
	return sizeof(hdr);
}

/* One sendmsg(2), with fd as SCM_RIGHTS unless it is -1. */
static void
raw_send(int s, const void *p, size_t len, int fd)
{
	union {
		struct cmsghdr	 hdr;
		char		 buf[CMSG_SPACE(sizeof(int))];
	}		 cmsgbuf;
	struct msghdr	 msg;
	struct cmsghdr	*cmsg;
	struct iovec	 iov;

	iov.iov_base = (void *)p;
	iov.iov_len = len;
	memset(&msg, 0, sizeof(msg));
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	if (fd != -1) {
		memset(&cmsgbuf, 0, sizeof(cmsgbuf));
		msg.msg_control = cmsgbuf.buf;
		msg.msg_controllen = sizeof(cmsgbuf.buf);
		cmsg = CMSG_FIRSTHDR(&msg);
		cmsg->cmsg_level = SOL_SOCKET;
		cmsg->cmsg_type = SCM_RIGHTS;
		cmsg->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(cmsg), &fd, sizeof(int));
	}
	ATF_REQUIRE_EQ(sendmsg(s, &msg, 0), (ssize_t)len);
}

/*
 * imsg_get() on rx, reading (and flushing tx, when given) until a frame,
 * EOF or an error. Returns what imsg_get() returned, 0 on EOF, -1 on a
 * read error.
 */
static int
get_wait(struct imsgchan *rx, struct imsgchan *tx, struct imsg *imsg)
{
	struct pollfd	 pfd[2];
	ssize_t		 n;
	int		 rv, npfd;

	for (;;) {
		if ((rv = imsg_get(rx, imsg)) != 0)
			return rv;
		npfd = 1;
		pfd[0].fd = rx->fd;
		pfd[0].events = POLLIN;
		if (tx != NULL && tx->wqlen > 0) {
			ATF_REQUIRE(imsg_flush(tx) != -1);
			pfd[1].fd = tx->fd;
			pfd[1].events = POLLOUT;
			npfd = tx->wqlen > 0 ? 2 : 1;
		}
		ATF_REQUIRE_MSG(poll(pfd, npfd, 10000) > 0, "poll timed out");
		if ((n = imsg_read(rx)) == 0)
			return 0;
		if (n == -1 && errno != EAGAIN)
			return -1;
	}
}

static unsigned char
pattern(size_t frame, size_t i)
{
	return (frame * 7 + i * 13) & 0xff;
}

static void
check_payload(const struct imsg *imsg, size_t frame, size_t len)
{
	const unsigned char	*p = imsg->data;
	size_t			 i;

	ATF_REQUIRE_EQ(imsg->datalen, len);
	ATF_REQUIRE_EQ(imsg->hdr.len, IMSG_HDR_SIZE + len);
	for (i = 0; i < len; i++)
		if (p[i] != pattern(frame, i))
			atf_tc_fail("frame %zu byte %zu differs", frame, i);
}

/* fd was received for the pipe whose read end is rfd: prove it. */
static void
check_pipe(int fd, int rfd, unsigned char c)
{
	unsigned char	 got;

	ATF_REQUIRE(fd != -1);
	ATF_REQUIRE((fcntl(fd, F_GETFD) & FD_CLOEXEC) != 0);
	ATF_REQUIRE_EQ(write(fd, &c, 1), 1);
	ATF_REQUIRE_EQ(read(rfd, &got, 1), 1);
	ATF_REQUIRE_EQ(got, c);
}

ATF_TC_WITHOUT_HEAD(roundtrip_many);
ATF_TC_BODY(roundtrip_many, tc)
{
	struct imsgchan	 a, b;
	struct imsg	 imsg;
	unsigned char	*buf;
	size_t		 i, j, len, nframes = 3000;
	int		 nfds = count_fds();

	chan_pair(&a, &b);
	ATF_REQUIRE((buf = malloc(MAX_PAYLOAD)) != NULL);
	for (i = 0; i < nframes; i++) {
		len = (i * 397) % 5000;
		if (i % 500 == 499)
			len = MAX_PAYLOAD;
		for (j = 0; j < len; j++)
			buf[j] = pattern(i, j);
		ATF_REQUIRE(imsg_compose(&a, 100 + i, i * 3, -1, buf,
		    len) == 0);
	}
	ATF_REQUIRE_EQ(a.wqlen, nframes);

	for (i = 0; i < nframes; i++) {
		ATF_REQUIRE_EQ(get_wait(&b, &a, &imsg), 1);
		ATF_REQUIRE_EQ(imsg.hdr.type, 100 + i);
		ATF_REQUIRE_EQ(imsg.hdr.peerid, i * 3);
		ATF_REQUIRE_EQ(imsg.hdr.pid, (uint32_t)getpid());
		ATF_REQUIRE_EQ(imsg.hdr.flags, 0);
		ATF_REQUIRE_EQ(imsg.fd, -1);
		len = (i * 397) % 5000;
		if (i % 500 == 499)
			len = MAX_PAYLOAD;
		check_payload(&imsg, i, len);
		imsg_free(&imsg);
	}
	ATF_REQUIRE_EQ(a.wqlen, 0);
	ATF_REQUIRE_EQ(imsg_get(&b, &imsg), 0);

	free(buf);
	imsgchan_clear(&a);
	imsgchan_clear(&b);
	ATF_REQUIRE_EQ(count_fds(), nfds);
}

ATF_TC_WITHOUT_HEAD(partial_writes);
ATF_TC_BODY(partial_writes, tc)
{
	struct imsgchan	 a, b;
	struct imsg	 imsg;
	unsigned char	*buf;
	size_t		 i, got = 0;
	int		 p[2], sndbuf = 4096, partial = 0, rv;
	int		 nfds = count_fds();

	chan_pair(&a, &b);
	ATF_REQUIRE(setsockopt(a.fd, SOL_SOCKET, SO_SNDBUF, &sndbuf,
	    sizeof(sndbuf)) == 0);
	ATF_REQUIRE(pipe2(p, O_CLOEXEC) == 0);

	/* Large frames, with a descriptor right behind a partial one. */
	ATF_REQUIRE((buf = malloc(MAX_PAYLOAD)) != NULL);
	for (i = 0; i < 4; i++) {
		memset(buf, 0, MAX_PAYLOAD);
		for (size_t j = 0; j < MAX_PAYLOAD - i; j++)
			buf[j] = pattern(i, j);
		ATF_REQUIRE(imsg_compose(&a, i, 0, i == 1 ? p[1] : -1, buf,
		    MAX_PAYLOAD - i) == 0);
	}

	while (got < 4) {
		if ((rv = imsg_flush(&a)) == 0)
			partial++;
		ATF_REQUIRE(rv != -1);
		if (imsg_read(&b) == -1)
			ATF_REQUIRE_ERRNO(EAGAIN, 1);
		while ((rv = imsg_get(&b, &imsg)) == 1) {
			ATF_REQUIRE_EQ(imsg.hdr.type, got);
			check_payload(&imsg, got, MAX_PAYLOAD - got);
			if (got == 1) {
				ATF_REQUIRE_EQ(imsg.hdr.flags, IMSGF_HASFD);
				check_pipe(imsg.fd, p[0], 'w');
			} else
				ATF_REQUIRE_EQ(imsg.fd, -1);
			imsg_free(&imsg);
			got++;
		}
		ATF_REQUIRE_EQ(rv, 0);
	}
	ATF_REQUIRE_MSG(partial > 0, "the socket took everything at once");
	ATF_REQUIRE_EQ(a.wqlen, 0);

	free(buf);
	close(p[0]);
	imsgchan_clear(&a);
	imsgchan_clear(&b);
	ATF_REQUIRE_EQ(count_fds(), nfds);
}

ATF_TC_WITHOUT_HEAD(partial_reads);
ATF_TC_BODY(partial_reads, tc)
{
	struct imsgchan	 b;
	struct imsg	 imsg;
	unsigned char	 buf[512];
	size_t		 len = 0, i, ends[3], frame = 0;
	int		 s, rv;

	raw_pair(&s, &b);
	len += put_hdr(buf + len, 1, IMSG_HDR_SIZE + 100, 0, 11);
	for (i = 0; i < 100; i++)
		buf[len++] = pattern(0, i);
	ends[0] = len;
	len += put_hdr(buf + len, 2, IMSG_HDR_SIZE, 0, 12);
	ends[1] = len;
	len += put_hdr(buf + len, 3, IMSG_HDR_SIZE + 3, 0, 13);
	for (i = 0; i < 3; i++)
		buf[len++] = pattern(2, i);
	ends[2] = len;

	for (i = 0; i < len; i++) {
		ATF_REQUIRE_EQ(write(s, buf + i, 1), 1);
		ATF_REQUIRE_EQ(imsg_read(&b), 1);
		rv = imsg_get(&b, &imsg);
		if (i + 1 != ends[frame]) {
			ATF_REQUIRE_EQ(rv, 0);
			continue;
		}
		ATF_REQUIRE_EQ(rv, 1);
		ATF_REQUIRE_EQ(imsg.hdr.type, frame + 1);
		ATF_REQUIRE_EQ(imsg.hdr.peerid, frame + 11);
		check_payload(&imsg, frame, frame == 0 ? 100 :
		    frame == 1 ? 0 : 3);
		imsg_free(&imsg);
		ATF_REQUIRE_EQ(imsg_get(&b, &imsg), 0);
		frame++;
	}
	ATF_REQUIRE_EQ(frame, 3);
	ATF_REQUIRE_EQ(imsg_read(&b), -1);
	ATF_REQUIRE_EQ(errno, EAGAIN);

	close(s);
	imsgchan_clear(&b);
}

ATF_TC_WITHOUT_HEAD(fd_pass);
ATF_TC_BODY(fd_pass, tc)
{
	struct imsgchan	 a, b;
	struct imsg	 imsg;
	char		 got[6];
	int		 p[2];
	int		 nfds = count_fds();

	chan_pair(&a, &b);
	ATF_REQUIRE(pipe2(p, O_CLOEXEC) == 0);
	ATF_REQUIRE(imsg_compose(&a, 5, 77, p[1], "x", 1) == 0);
	ATF_REQUIRE_EQ(imsg_flush_all(&a), 0);
	/* Sent: the sender's copy is gone. */
	ATF_REQUIRE_EQ(fcntl(p[1], F_GETFD), -1);

	ATF_REQUIRE_EQ(get_wait(&b, NULL, &imsg), 1);
	ATF_REQUIRE_EQ(imsg.hdr.type, 5);
	ATF_REQUIRE_EQ(imsg.hdr.peerid, 77);
	ATF_REQUIRE_EQ(imsg.hdr.flags, IMSGF_HASFD);
	ATF_REQUIRE_EQ(imsg.datalen, 1);
	ATF_REQUIRE(imsg.fd != -1);
	ATF_REQUIRE(fcntl(imsg.fd, F_GETFD) & FD_CLOEXEC);
	ATF_REQUIRE_EQ(write(imsg.fd, "hello", 5), 5);
	imsg_free(&imsg);
	ATF_REQUIRE_EQ(imsg.fd, -1);

	/* The only write end was closed by imsg_free(): EOF after "hello". */
	ATF_REQUIRE_EQ(read(p[0], got, sizeof(got)), 5);
	ATF_REQUIRE(memcmp(got, "hello", 5) == 0);
	ATF_REQUIRE_EQ(read(p[0], got, sizeof(got)), 0);

	close(p[0]);
	imsgchan_clear(&a);
	imsgchan_clear(&b);
	ATF_REQUIRE_EQ(count_fds(), nfds);
}

ATF_TC_WITHOUT_HEAD(fd_sequence);
ATF_TC_BODY(fd_sequence, tc)
{
	struct imsgchan	 a, b;
	struct imsg	 imsg;
	uint32_t	 i;
	int		 p[8][2], fd;
	int		 nfds = count_fds();

	chan_pair(&a, &b);
	/*
	 * Descriptors on consecutive frames, and between frames without
	 * one, all written by one flush and read back in as few reads.
	 */
	for (i = 0; i < 8; i++) {
		ATF_REQUIRE(pipe2(p[i], O_CLOEXEC) == 0);
		if (i % 3 == 2)
			ATF_REQUIRE(imsg_compose(&a, 1000 + i, i, -1, &i,
			    sizeof(i)) == 0);
		ATF_REQUIRE(imsg_compose(&a, i, i, p[i][1], &i,
		    sizeof(i)) == 0);
	}
	ATF_REQUIRE_EQ(imsg_flush_all(&a), 0);

	for (i = 0; i < 8; i++) {
		if (i % 3 == 2) {
			ATF_REQUIRE_EQ(get_wait(&b, NULL, &imsg), 1);
			ATF_REQUIRE_EQ(imsg.hdr.type, 1000 + i);
			ATF_REQUIRE_EQ(imsg.hdr.flags, 0);
			ATF_REQUIRE_EQ(imsg.fd, -1);
			imsg_free(&imsg);
		}
		ATF_REQUIRE_EQ(get_wait(&b, NULL, &imsg), 1);
		ATF_REQUIRE_EQ(imsg.hdr.type, i);
		ATF_REQUIRE_EQ(imsg.hdr.flags, IMSGF_HASFD);
		ATF_REQUIRE_EQ(imsg.datalen, sizeof(i));
		ATF_REQUIRE(memcmp(imsg.data, &i, sizeof(i)) == 0);
		/* Taking the descriptor: imsg_free() leaves it open. */
		fd = imsg.fd;
		imsg.fd = -1;
		imsg_free(&imsg);
		check_pipe(fd, p[i][0], 'a' + i);
		close(fd);
		close(p[i][0]);
	}
	ATF_REQUIRE_EQ(imsg_get(&b, &imsg), 0);

	imsgchan_clear(&a);
	imsgchan_clear(&b);
	ATF_REQUIRE_EQ(count_fds(), nfds);
}

ATF_TC_WITHOUT_HEAD(fd_cleared_unsent);
ATF_TC_BODY(fd_cleared_unsent, tc)
{
	struct imsgchan	 a, b;
	struct imsg	 imsg;
	int		 p[2];
	int		 nfds = count_fds();

	/* Descriptors queued or received but never taken are closed. */
	chan_pair(&a, &b);
	ATF_REQUIRE(pipe2(p, O_CLOEXEC) == 0);
	ATF_REQUIRE(imsg_compose(&a, 1, 0, p[0], NULL, 0) == 0);
	ATF_REQUIRE(imsg_compose(&a, 2, 0, p[1], NULL, 0) == 0);
	ATF_REQUIRE(imsg_flush(&a) == 1);
	ATF_REQUIRE_EQ(get_wait(&b, NULL, &imsg), 1);
	ATF_REQUIRE(imsg.fd != -1);
	ATF_REQUIRE(imsg.data == NULL);
	imsg_free(&imsg);
	ATF_REQUIRE(pipe2(p, O_CLOEXEC) == 0);
	ATF_REQUIRE(imsg_compose(&a, 3, 0, p[0], NULL, 0) == 0);
	ATF_REQUIRE(imsg_compose(&a, 4, 0, p[1], NULL, 0) == 0);
	imsgchan_clear(&a);
	imsgchan_clear(&b);
	ATF_REQUIRE_EQ(count_fds(), nfds);
}

ATF_TC_WITHOUT_HEAD(compose_oversize);
ATF_TC_BODY(compose_oversize, tc)
{
	struct imsgchan	 a, b;
	unsigned char	*buf;
	int		 p[2];
	int		 nfds = count_fds();

	chan_pair(&a, &b);
	ATF_REQUIRE((buf = calloc(1, IMSG_MAX_SIZE)) != NULL);
	ATF_REQUIRE(imsg_compose(&a, 1, 0, -1, buf, MAX_PAYLOAD) == 0);
	ATF_REQUIRE_EQ(imsg_compose(&a, 1, 0, -1, buf, MAX_PAYLOAD + 1), -1);
	ATF_REQUIRE_EQ(errno, EMSGSIZE);
	ATF_REQUIRE_EQ(imsg_compose(&a, 1, 0, -1, buf, SIZE_MAX), -1);
	ATF_REQUIRE_EQ(errno, EMSGSIZE);
	ATF_REQUIRE_EQ(a.wqlen, 1);

	/* A refused frame's descriptor is closed all the same. */
	ATF_REQUIRE(pipe2(p, O_CLOEXEC) == 0);
	ATF_REQUIRE_EQ(imsg_compose(&a, 1, 0, p[1], buf, IMSG_MAX_SIZE), -1);
	ATF_REQUIRE_EQ(errno, EMSGSIZE);
	ATF_REQUIRE_EQ(fcntl(p[1], F_GETFD), -1);
	close(p[0]);

	free(buf);
	imsgchan_clear(&a);
	imsgchan_clear(&b);
	ATF_REQUIRE_EQ(count_fds(), nfds);
}

ATF_TC_WITHOUT_HEAD(bad_headers);
ATF_TC_BODY(bad_headers, tc)
{
	static const struct {
		uint32_t	 len;
		uint32_t	 flags;
	} bad[] = {
		{ 0, 0 },
		{ IMSG_HDR_SIZE - 1, 0 },
		{ IMSG_MAX_SIZE + 1, 0 },
		{ UINT32_MAX, 0 },
		{ IMSG_HDR_SIZE, 0x2 },
		{ IMSG_HDR_SIZE, 0x80000000 },
		{ IMSG_HDR_SIZE, IMSGF_HASFD },
	};
	struct imsgchan	 b;
	struct imsg	 imsg;
	unsigned char	 buf[IMSG_HDR_SIZE * 2];
	size_t		 i, len;
	int		 s;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		raw_pair(&s, &b);
		/* A good frame first: the bad one is judged mid-stream. */
		len = put_hdr(buf, 1, IMSG_HDR_SIZE, 0, 0);
		len += put_hdr(buf + len, 2, bad[i].len, bad[i].flags, 0);
		ATF_REQUIRE_EQ(write(s, buf, len), (ssize_t)len);
		ATF_REQUIRE_EQ(get_wait(&b, NULL, &imsg), 1);
		imsg_free(&imsg);
		errno = 0;
		ATF_REQUIRE_MSG(get_wait(&b, NULL, &imsg) == -1,
		    "case %zu accepted", i);
		ATF_REQUIRE_EQ(errno, EBADMSG);
		close(s);
		imsgchan_clear(&b);
	}

	/* Garbage, and a header that has not arrived whole yet. */
	raw_pair(&s, &b);
	memset(buf, 0xa5, sizeof(buf));
	ATF_REQUIRE_EQ(write(s, buf, IMSG_HDR_SIZE - 1), IMSG_HDR_SIZE - 1);
	ATF_REQUIRE_EQ(imsg_read(&b), IMSG_HDR_SIZE - 1);
	ATF_REQUIRE_EQ(imsg_get(&b, &imsg), 0);
	ATF_REQUIRE_EQ(write(s, buf, 1), 1);
	ATF_REQUIRE_EQ(get_wait(&b, NULL, &imsg), -1);
	ATF_REQUIRE_EQ(errno, EBADMSG);
	close(s);
	imsgchan_clear(&b);
}

ATF_TC_WITHOUT_HEAD(fd_mismatch);
ATF_TC_BODY(fd_mismatch, tc)
{
	struct imsgchan	 b;
	struct imsg	 imsg;
	unsigned char	 buf[IMSG_HDR_SIZE];
	int		 s, p[2];
	int		 nfds = count_fds();

	/* A descriptor no frame claims. */
	raw_pair(&s, &b);
	ATF_REQUIRE(pipe2(p, O_CLOEXEC) == 0);
	put_hdr(buf, 1, IMSG_HDR_SIZE, 0, 0);
	raw_send(s, buf, sizeof(buf), p[0]);
	put_hdr(buf, 2, IMSG_HDR_SIZE, 0, 0);
	raw_send(s, buf, sizeof(buf), -1);
	ATF_REQUIRE_EQ(get_wait(&b, NULL, &imsg), 1);
	ATF_REQUIRE_EQ(imsg.fd, -1);
	imsg_free(&imsg);
	ATF_REQUIRE_EQ(get_wait(&b, NULL, &imsg), -1);
	ATF_REQUIRE_EQ(errno, EBADMSG);
	close(s);
	imsgchan_clear(&b);

	/*
	 * A frame claiming the descriptor of the frame after it, which came
	 * with a later read.
	 */
	raw_pair(&s, &b);
	put_hdr(buf, 1, IMSG_HDR_SIZE, IMSGF_HASFD, 0);
	raw_send(s, buf, sizeof(buf), -1);
	ATF_REQUIRE_EQ(imsg_read(&b), IMSG_HDR_SIZE);
	put_hdr(buf, 2, IMSG_HDR_SIZE, IMSGF_HASFD, 0);
	raw_send(s, buf, sizeof(buf), p[1]);
	ATF_REQUIRE_EQ(imsg_read(&b), IMSG_HDR_SIZE);
	ATF_REQUIRE_EQ(imsg_get(&b, &imsg), -1);
	ATF_REQUIRE_EQ(errno, EBADMSG);
	close(s);
	imsgchan_clear(&b);

	close(p[0]);
	close(p[1]);
	ATF_REQUIRE_EQ(count_fds(), nfds);
}

ATF_TC_WITHOUT_HEAD(fd_flood);
ATF_TC_BODY(fd_flood, tc)
{
	union {
		struct cmsghdr	 hdr;
		char		 buf[CMSG_SPACE(64 * sizeof(int))];
	}		 cmsgbuf;
	struct imsgchan	 b;
	struct msghdr	 msg;
	struct cmsghdr	*cmsg;
	struct iovec	 iov;
	unsigned char	 buf[IMSG_HDR_SIZE];
	int		 s, fds[64], i;
	int		 nfds = count_fds();

	/* More descriptors in one message than the reader takes. */
	raw_pair(&s, &b);
	for (i = 0; i < 64; i++)
		ATF_REQUIRE((fds[i] = dup(s)) != -1);
	put_hdr(buf, 1, IMSG_HDR_SIZE, IMSGF_HASFD, 0);
	iov.iov_base = buf;
	iov.iov_len = sizeof(buf);
	memset(&msg, 0, sizeof(msg));
	memset(&cmsgbuf, 0, sizeof(cmsgbuf));
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	msg.msg_control = cmsgbuf.buf;
	msg.msg_controllen = sizeof(cmsgbuf.buf);
	cmsg = CMSG_FIRSTHDR(&msg);
	cmsg->cmsg_level = SOL_SOCKET;
	cmsg->cmsg_type = SCM_RIGHTS;
	cmsg->cmsg_len = CMSG_LEN(sizeof(fds));
	memcpy(CMSG_DATA(cmsg), fds, sizeof(fds));
	ATF_REQUIRE_EQ(sendmsg(s, &msg, 0), (ssize_t)sizeof(buf));
	for (i = 0; i < 64; i++)
		close(fds[i]);

	ATF_REQUIRE_EQ(imsg_read(&b), -1);
	ATF_REQUIRE_EQ(errno, EBADMSG);
	close(s);
	imsgchan_clear(&b);
	ATF_REQUIRE_EQ(count_fds(), nfds);
}

ATF_TC_WITHOUT_HEAD(eof);
ATF_TC_BODY(eof, tc)
{
	struct imsgchan	 a, b;
	struct imsg	 imsg;

	chan_pair(&a, &b);
	ATF_REQUIRE_EQ(imsg_read(&b), -1);
	ATF_REQUIRE_EQ(errno, EAGAIN);
	ATF_REQUIRE(imsg_compose(&a, 9, 0, -1, "last", 4) == 0);
	ATF_REQUIRE_EQ(imsg_flush_all(&a), 0);
	imsgchan_clear(&a);

	/* Frames written before the close still arrive, then EOF. */
	ATF_REQUIRE_EQ(get_wait(&b, NULL, &imsg), 1);
	ATF_REQUIRE_EQ(imsg.hdr.type, 9);
	imsg_free(&imsg);
	ATF_REQUIRE_EQ(get_wait(&b, NULL, &imsg), 0);
	ATF_REQUIRE_EQ(imsg_read(&b), 0);
	imsgchan_clear(&b);
}

ATF_TC_WITHOUT_HEAD(epipe);
ATF_TC_BODY(epipe, tc)
{
	struct imsgchan	 a, b;

	/* Must fail with EPIPE, not kill the process with SIGPIPE. */
	chan_pair(&a, &b);
	imsgchan_clear(&b);
	ATF_REQUIRE(imsg_compose(&a, 1, 0, -1, "x", 1) == 0);
	ATF_REQUIRE_EQ(imsg_flush(&a), -1);
	ATF_REQUIRE_EQ(errno, EPIPE);
	ATF_REQUIRE_EQ(imsg_flush_all(&a), -1);
	ATF_REQUIRE_EQ(errno, EPIPE);
	imsgchan_clear(&a);
}

ATF_TC_WITHOUT_HEAD(msg_roundtrip);
ATF_TC_BODY(msg_roundtrip, tc)
{
	struct imsgchan	 a, b;
	struct imsg	 imsg;
	struct msgbuild	 m;
	struct msgread	 r;
	const void	*bytes;
	char		*s;
	size_t		 len;
	int		 p[2];
	int		 nfds = count_fds();

	chan_pair(&a, &b);
	ATF_REQUIRE(pipe2(p, O_CLOEXEC) == 0);
	msg_init(&m);
	msg_add_u32(&m, 0xdeadbeef);
	msg_add_u64(&m, UINT64_C(0x0123456789abcdef));
	msg_add_double(&m, -2.5);
	msg_add_str(&m, "node-1");
	msg_add_str(&m, NULL);
	msg_add_str(&m, "");
	msg_add_bytes(&m, "\0\1\2", 3);
	msg_add_bytes(&m, NULL, 0);
	ATF_REQUIRE_EQ(msg_compose(&m, &a, 42, 7, p[1]), 0);
	ATF_REQUIRE_EQ(m.len, 0);
	/* The builder is reusable after compose. */
	msg_add_u32(&m, 1);
	ATF_REQUIRE_EQ(msg_compose(&m, &a, 43, 0, -1), 0);
	msg_free(&m);
	ATF_REQUIRE_EQ(imsg_flush_all(&a), 0);

	ATF_REQUIRE_EQ(get_wait(&b, NULL, &imsg), 1);
	ATF_REQUIRE_EQ(imsg.hdr.type, 42);
	ATF_REQUIRE_EQ(imsg.hdr.peerid, 7);
	msg_read_init(&r, &imsg);
	ATF_REQUIRE_EQ(msg_get_u32(&r), 0xdeadbeef);
	ATF_REQUIRE_EQ(msg_get_u64(&r), UINT64_C(0x0123456789abcdef));
	ATF_REQUIRE(msg_get_double(&r) == -2.5);
	ATF_REQUIRE((s = msg_get_str(&r)) != NULL);
	ATF_REQUIRE_STREQ(s, "node-1");
	free(s);
	ATF_REQUIRE(msg_get_str(&r) == NULL);
	ATF_REQUIRE_EQ(r.failed, 0);
	ATF_REQUIRE((s = msg_get_str(&r)) != NULL);
	ATF_REQUIRE_STREQ(s, "");
	free(s);
	ATF_REQUIRE((bytes = msg_get_bytes(&r, &len)) != NULL);
	ATF_REQUIRE_EQ(len, 3);
	ATF_REQUIRE(memcmp(bytes, "\0\1\2", 3) == 0);
	ATF_REQUIRE((bytes = msg_get_bytes(&r, &len)) != NULL);
	ATF_REQUIRE_EQ(len, 0);
	ATF_REQUIRE_EQ(msg_read_end(&r), 0);
	check_pipe(imsg.fd, p[0], 'm');
	imsg_free(&imsg);

	ATF_REQUIRE_EQ(get_wait(&b, NULL, &imsg), 1);
	msg_read_init(&r, &imsg);
	ATF_REQUIRE_EQ(msg_get_u32(&r), 1);
	ATF_REQUIRE_EQ(msg_read_end(&r), 0);
	imsg_free(&imsg);

	close(p[0]);
	imsgchan_clear(&a);
	imsgchan_clear(&b);
	ATF_REQUIRE_EQ(count_fds(), nfds);
}

ATF_TC_WITHOUT_HEAD(msg_mismatch);
ATF_TC_BODY(msg_mismatch, tc)
{
	static const unsigned char truncated_u32[] = { 'u', 1, 2 };
	static const unsigned char truncated_str[] = { 's', 5, 0, 0, 0, 'a' };
	static const unsigned char short_len[] = { 's', 5, 0 };
	static const unsigned char nul_str[] = { 's', 3, 0, 0, 0, 'a', 0,
	    'b' };
	static const unsigned char null_bytes[] = { 'b', 0xff, 0xff, 0xff,
	    0xff };
	struct msgbuild	 m;
	struct msgread	 r;
	struct imsg	 imsg;
	unsigned char	 nul_bytes[sizeof(nul_str)];
	size_t		 len;

	memset(&imsg, 0, sizeof(imsg));
	imsg.fd = -1;
	msg_init(&m);

	/* Wrong tag; and a failure sticks even if later gets match. */
	msg_add_u32(&m, 5);
	msg_add_u32(&m, 6);
	imsg.data = m.buf;
	imsg.datalen = m.len;
	msg_read_init(&r, &imsg);
	ATF_REQUIRE_EQ(msg_get_u64(&r), 0);
	ATF_REQUIRE(r.failed);
	ATF_REQUIRE_EQ(msg_get_u32(&r), 0);
	ATF_REQUIRE_EQ(msg_read_end(&r), -1);

	/* Every other type asked of a u32. */
	msg_read_init(&r, &imsg);
	ATF_REQUIRE(msg_get_double(&r) == 0);
	ATF_REQUIRE_EQ(msg_read_end(&r), -1);
	msg_read_init(&r, &imsg);
	ATF_REQUIRE(msg_get_str(&r) == NULL);
	ATF_REQUIRE_EQ(msg_read_end(&r), -1);
	msg_read_init(&r, &imsg);
	ATF_REQUIRE(msg_get_bytes(&r, &len) == NULL);
	ATF_REQUIRE_EQ(len, 0);
	ATF_REQUIRE_EQ(msg_read_end(&r), -1);

	/* Trailing bytes. */
	msg_read_init(&r, &imsg);
	ATF_REQUIRE_EQ(msg_get_u32(&r), 5);
	ATF_REQUIRE_EQ(msg_read_end(&r), -1);

	/* Reading past the end. */
	msg_read_init(&r, &imsg);
	ATF_REQUIRE_EQ(msg_get_u32(&r), 5);
	ATF_REQUIRE_EQ(msg_get_u32(&r), 6);
	ATF_REQUIRE_EQ(msg_read_end(&r), 0);
	ATF_REQUIRE_EQ(msg_get_u32(&r), 0);
	ATF_REQUIRE_EQ(msg_read_end(&r), -1);

	/* A string and bytes are different types. */
	msg_free(&m);
	msg_add_str(&m, "abc");
	imsg.data = m.buf;
	imsg.datalen = m.len;
	msg_read_init(&r, &imsg);
	ATF_REQUIRE(msg_get_bytes(&r, &len) == NULL);
	ATF_REQUIRE_EQ(msg_read_end(&r), -1);
	msg_free(&m);

	/* An empty payload has nothing to get. */
	imsg.data = NULL;
	imsg.datalen = 0;
	msg_read_init(&r, &imsg);
	ATF_REQUIRE_EQ(msg_read_end(&r), 0);
	ATF_REQUIRE_EQ(msg_get_u32(&r), 0);
	ATF_REQUIRE_EQ(msg_read_end(&r), -1);

	/* Hand-made payloads a buggy or hostile peer could send. */
	imsg.data = (void *)truncated_u32;
	imsg.datalen = sizeof(truncated_u32);
	msg_read_init(&r, &imsg);
	ATF_REQUIRE_EQ(msg_get_u32(&r), 0);
	ATF_REQUIRE_EQ(msg_read_end(&r), -1);

	imsg.data = (void *)truncated_str;
	imsg.datalen = sizeof(truncated_str);
	msg_read_init(&r, &imsg);
	ATF_REQUIRE(msg_get_str(&r) == NULL);
	ATF_REQUIRE_EQ(msg_read_end(&r), -1);

	imsg.data = (void *)short_len;
	imsg.datalen = sizeof(short_len);
	msg_read_init(&r, &imsg);
	ATF_REQUIRE(msg_get_str(&r) == NULL);
	ATF_REQUIRE_EQ(msg_read_end(&r), -1);

	imsg.data = (void *)nul_str;
	imsg.datalen = sizeof(nul_str);
	msg_read_init(&r, &imsg);
	ATF_REQUIRE(msg_get_str(&r) == NULL);
	ATF_REQUIRE_EQ(msg_read_end(&r), -1);
	/* The same bytes are fine as bytes. */
	memcpy(nul_bytes, nul_str, sizeof(nul_str));
	nul_bytes[0] = 'b';
	imsg.data = nul_bytes;
	msg_read_init(&r, &imsg);
	ATF_REQUIRE(msg_get_bytes(&r, &len) == nul_bytes + 5);
	ATF_REQUIRE_EQ(len, 3);
	ATF_REQUIRE_EQ(msg_read_end(&r), 0);

	imsg.data = (void *)null_bytes;
	imsg.datalen = sizeof(null_bytes);
	msg_read_init(&r, &imsg);
	ATF_REQUIRE(msg_get_bytes(&r, &len) == NULL);
	ATF_REQUIRE_EQ(msg_read_end(&r), -1);
}

ATF_TC_WITHOUT_HEAD(msg_overflow);
ATF_TC_BODY(msg_overflow, tc)
{
	struct imsgchan	 a, b;
	struct msgbuild	 m;
	unsigned char	*buf;
	int		 p[2];
	int		 nfds = count_fds();

	chan_pair(&a, &b);
	ATF_REQUIRE((buf = calloc(1, MAX_PAYLOAD)) != NULL);
	msg_init(&m);

	/* Exactly full: a tag, a length and the rest. */
	msg_add_bytes(&m, buf, MAX_PAYLOAD - 5);
	ATF_REQUIRE_EQ(m.failed, 0);
	ATF_REQUIRE_EQ(m.len, MAX_PAYLOAD);
	ATF_REQUIRE_EQ(msg_compose(&m, &a, 1, 0, -1), 0);

	/* One byte more fails, and so does everything after it. */
	msg_add_bytes(&m, buf, MAX_PAYLOAD - 5);
	msg_add_u32(&m, 1);
	ATF_REQUIRE_EQ(m.failed, EMSGSIZE);
	msg_add_u32(&m, 1);
	ATF_REQUIRE(pipe2(p, O_CLOEXEC) == 0);
	ATF_REQUIRE_EQ(msg_compose(&m, &a, 2, 0, p[1]), -1);
	ATF_REQUIRE_EQ(errno, EMSGSIZE);
	ATF_REQUIRE_EQ(fcntl(p[1], F_GETFD), -1);
	close(p[0]);
	ATF_REQUIRE_EQ(a.wqlen, 1);

	/* The failure was reset with the builder. */
	ATF_REQUIRE_EQ(m.failed, 0);
	ATF_REQUIRE_EQ(m.len, 0);
	msg_add_bytes(&m, buf, MAX_PAYLOAD);
	ATF_REQUIRE_EQ(m.failed, EMSGSIZE);
	msg_free(&m);

	free(buf);
	imsgchan_clear(&a);
	imsgchan_clear(&b);
	ATF_REQUIRE_EQ(count_fds(), nfds);
}

ATF_TP_ADD_TCS(tp)
{
	ATF_TP_ADD_TC(tp, roundtrip_many);
	ATF_TP_ADD_TC(tp, partial_writes);
	ATF_TP_ADD_TC(tp, partial_reads);
	ATF_TP_ADD_TC(tp, fd_pass);
	ATF_TP_ADD_TC(tp, fd_sequence);
	ATF_TP_ADD_TC(tp, fd_cleared_unsent);
	ATF_TP_ADD_TC(tp, compose_oversize);
	ATF_TP_ADD_TC(tp, bad_headers);
	ATF_TP_ADD_TC(tp, fd_mismatch);
	ATF_TP_ADD_TC(tp, fd_flood);
	ATF_TP_ADD_TC(tp, eof);
	ATF_TP_ADD_TC(tp, epipe);
	ATF_TP_ADD_TC(tp, msg_roundtrip);
	ATF_TP_ADD_TC(tp, msg_mismatch);
	ATF_TP_ADD_TC(tp, msg_overflow);
	return atf_no_error();
}
