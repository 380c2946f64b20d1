/*
 * Typed imsg payloads: see imsg.h for the encoding.
 */
#include <sys/types.h>

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "imsg.h"

#define MSG_TAG_U32		'u'
#define MSG_TAG_U64		'U'
#define MSG_TAG_DOUBLE		'd'
#define MSG_TAG_STR		's'
#define MSG_TAG_BYTES		'b'

/* Length of a NULL string; no real one is that long. */
#define MSG_STR_NULL		UINT32_MAX

#define MSG_MAX_PAYLOAD		(IMSG_MAX_SIZE - IMSG_HDR_SIZE)

static void	 msg_add_raw(struct msgbuild *, const void *, size_t);
static void	 msg_add_value(struct msgbuild *, unsigned char, const void *,
		    size_t);
static int	 msg_get_value(struct msgread *, unsigned char, void *, size_t);
static const unsigned char *msg_get_counted(struct msgread *, unsigned char,
		    uint32_t *);

void
msg_init(struct msgbuild *m)
{
	memset(m, 0, sizeof(*m));
}

void
msg_add_u32(struct msgbuild *m, uint32_t v)
{
	msg_add_value(m, MSG_TAG_U32, &v, sizeof(v));
}

void
msg_add_u64(struct msgbuild *m, uint64_t v)
{
	msg_add_value(m, MSG_TAG_U64, &v, sizeof(v));
}

void
msg_add_double(struct msgbuild *m, double v)
{
	msg_add_value(m, MSG_TAG_DOUBLE, &v, sizeof(v));
}

void
msg_add_str(struct msgbuild *m, const char *s)
{
	size_t		 len;
	uint32_t	 n;

	if (s == NULL) {
		n = MSG_STR_NULL;
		msg_add_value(m, MSG_TAG_STR, &n, sizeof(n));
		return;
	}
	len = strlen(s);
	/* Checked here, or a huge length would wrap the u32 below. */
	if (len > MSG_MAX_PAYLOAD) {
		if (m->failed == 0)
			m->failed = EMSGSIZE;
		return;
	}
	n = len;
	msg_add_value(m, MSG_TAG_STR, &n, sizeof(n));
	msg_add_raw(m, s, len);
}

void
msg_add_bytes(struct msgbuild *m, const void *p, size_t len)
{
	uint32_t	 n;

	if (len > MSG_MAX_PAYLOAD) {
		if (m->failed == 0)
			m->failed = EMSGSIZE;
		return;
	}
	n = len;
	msg_add_value(m, MSG_TAG_BYTES, &n, sizeof(n));
	msg_add_raw(m, p, len);
}

int
msg_compose(struct msgbuild *m, struct imsgchan *chan, uint32_t type,
    uint32_t peerid, int fd)
{
	int	 rv;

	if (m->failed != 0) {
		errno = m->failed;
		if (fd != -1)
			close(fd);
		rv = -1;
	} else
		rv = imsg_compose(chan, type, peerid, fd, m->buf, m->len);
	m->len = 0;
	m->failed = 0;
	return rv;
}

void
msg_free(struct msgbuild *m)
{
	free(m->buf);
	msg_init(m);
}

void
msg_read_init(struct msgread *r, const struct imsg *imsg)
{
	r->p = imsg->data;
	r->left = imsg->datalen;
	r->failed = 0;
}

uint32_t
msg_get_u32(struct msgread *r)
{
	uint32_t	 v;

	if (msg_get_value(r, MSG_TAG_U32, &v, sizeof(v)) == -1)
		return 0;
	return v;
}

uint64_t
msg_get_u64(struct msgread *r)
{
	uint64_t	 v;

	if (msg_get_value(r, MSG_TAG_U64, &v, sizeof(v)) == -1)
		return 0;
	return v;
}

double
msg_get_double(struct msgread *r)
{
	double	 v;

	if (msg_get_value(r, MSG_TAG_DOUBLE, &v, sizeof(v)) == -1)
		return 0;
	return v;
}

char *
msg_get_str(struct msgread *r)
{
	const unsigned char	*p;
	char			*s;
	uint32_t		 len;

	if ((p = msg_get_counted(r, MSG_TAG_STR, &len)) == NULL)
		return NULL;
	if (len == MSG_STR_NULL)
		return NULL;
	/* Such a string would arrive silently shortened. */
	if (memchr(p, '\0', len) != NULL) {
		r->failed = 1;
		return NULL;
	}
	if ((s = malloc((size_t)len + 1)) == NULL) {
		r->failed = 1;
		return NULL;
	}
	memcpy(s, p, len);
	s[len] = '\0';
	return s;
}

const void *
msg_get_bytes(struct msgread *r, size_t *lenp)
{
	const unsigned char	*p;
	uint32_t		 len;

	*lenp = 0;
	if ((p = msg_get_counted(r, MSG_TAG_BYTES, &len)) == NULL)
		return NULL;
	if (len == MSG_STR_NULL) {
		r->failed = 1;
		return NULL;
	}
	*lenp = len;
	return p;
}

int
msg_read_end(struct msgread *r)
{
	if (r->failed || r->left != 0)
		return -1;
	return 0;
}

static void
msg_add_raw(struct msgbuild *m, const void *p, size_t len)
{
	unsigned char	*buf;
	size_t		 size;

	if (m->failed != 0 || len == 0)
		return;
	if (len > MSG_MAX_PAYLOAD - m->len) {
		m->failed = EMSGSIZE;
		return;
	}
	if (m->len + len > m->size) {
		size = m->size == 0 ? 256 : m->size;
		while (size < m->len + len)
			size *= 2;
		if (size > MSG_MAX_PAYLOAD)
			size = MSG_MAX_PAYLOAD;
		if ((buf = realloc(m->buf, size)) == NULL) {
			m->failed = ENOMEM;
			return;
		}
		m->buf = buf;
		m->size = size;
	}
	memcpy(m->buf + m->len, p, len);
	m->len += len;
}

static void
msg_add_value(struct msgbuild *m, unsigned char tag, const void *p,
    size_t len)
{
	msg_add_raw(m, &tag, 1);
	msg_add_raw(m, p, len);
}

/* Once a get has failed every later one fails too, without reading. */
static int
msg_get_value(struct msgread *r, unsigned char tag, void *v, size_t len)
{
	if (r->failed || r->left < 1 + len || r->p[0] != tag) {
		r->failed = 1;
		return -1;
	}
	memcpy(v, r->p + 1, len);
	r->p += 1 + len;
	r->left -= 1 + len;
	return 0;
}

/*
 * A tagged u32 length and the bytes it counts; a NULL string's length
 * comes back with a non-NULL pointer to no bytes.
 */
static const unsigned char *
msg_get_counted(struct msgread *r, unsigned char tag, uint32_t *lenp)
{
	const unsigned char	*p;
	uint32_t		 len;

	if (msg_get_value(r, tag, &len, sizeof(len)) == -1)
		return NULL;
	*lenp = len;
	if (len == MSG_STR_NULL)
		return r->p;
	if (r->left < len) {
		r->failed = 1;
		return NULL;
	}
	p = r->p;
	r->p += len;
	r->left -= len;
	return p;
}
