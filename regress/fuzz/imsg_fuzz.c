/*
 * libFuzzer harness: arbitrary bytes as the stream a peer writes into an
 * imsg channel, every frame's payload read as typed values.
 *
 * A payload that parses completely must encode back to the same bytes.
 */
#include <sys/types.h>
#include <sys/socket.h>

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "imsg.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void	 read_tagged(const struct imsg *);
static void	 read_blind(const struct imsg *);

/* Follow the payload's own tags, rebuilding it as we go. */
static void
read_tagged(const struct imsg *imsg)
{
	struct msgread	 r;
	struct msgbuild	 m;
	const void	*p;
	char		*s;
	size_t		 len;

	msg_read_init(&r, imsg);
	msg_init(&m);
	while (r.left > 0 && !r.failed) {
		switch (r.p[0]) {
		case 'u':
			msg_add_u32(&m, msg_get_u32(&r));
			break;
		case 'U':
			msg_add_u64(&m, msg_get_u64(&r));
			break;
		case 'd':
			msg_add_double(&m, msg_get_double(&r));
			break;
		case 's':
			s = msg_get_str(&r);
			msg_add_str(&m, s);
			free(s);
			break;
		case 'b':
			if ((p = msg_get_bytes(&r, &len)) != NULL) {
				if ((const unsigned char *)p + len != r.p)
					abort();
				msg_add_bytes(&m, p, len);
			}
			break;
		default:
			/* An unknown tag must fail whatever is asked. */
			msg_get_u32(&r);
			if (!r.failed)
				abort();
			break;
		}
	}
	if (msg_read_end(&r) == 0 && (m.failed != 0 ||
	    m.len != imsg->datalen ||
	    (m.len > 0 && memcmp(m.buf, imsg->data, m.len) != 0)))
		abort();
	msg_free(&m);
}

/* Ask for values in an order the payload did not choose. */
static void
read_blind(const struct imsg *imsg)
{
	struct msgread	 r;
	uint32_t	 order = imsg->hdr.type ^ imsg->hdr.peerid;
	size_t		 len;
	int		 i;

	msg_read_init(&r, imsg);
	for (i = 0; i < 10; i++, order /= 5) {
		switch (order % 5) {
		case 0:
			msg_get_u32(&r);
			break;
		case 1:
			msg_get_u64(&r);
			break;
		case 2:
			msg_get_double(&r);
			break;
		case 3:
			free(msg_get_str(&r));
			break;
		case 4:
			msg_get_bytes(&r, &len);
			if (r.failed && len != 0)
				abort();
			break;
		}
	}
	msg_read_end(&r);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct imsgchan	 chan;
	struct imsg	 imsg;
	size_t		 off = 0, chunk;
	ssize_t		 n;
	int		 sv[2], rv;

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0,
	    sv) == -1)
		abort();
	imsgchan_init(&chan, sv[1]);

	for (;;) {
		/* Chunks sized by the data, so frames split anywhere. */
		if (sv[0] != -1 && off < size) {
			chunk = 1 + (data[off] * 131u) % 4096;
			if (chunk > size - off)
				chunk = size - off;
			if ((n = write(sv[0], data + off, chunk)) > 0)
				off += n;
			else if (n == -1 && errno != EAGAIN)
				abort();
		}
		if (sv[0] != -1 && off == size) {
			close(sv[0]);
			sv[0] = -1;
		}

		n = imsg_read(&chan);
		if (n == 0)
			break;
		if (n == -1 && errno != EAGAIN)
			abort();
		while ((rv = imsg_get(&chan, &imsg)) == 1) {
			if (imsg.datalen + IMSG_HDR_SIZE != imsg.hdr.len ||
			    imsg.fd != -1)
				abort();
			read_tagged(&imsg);
			read_blind(&imsg);
			imsg_free(&imsg);
		}
		if (rv == -1) {
			if (errno != EBADMSG)
				abort();
			break;
		}
	}

	if (sv[0] != -1)
		close(sv[0]);
	imsgchan_clear(&chan);
	return 0;
}
