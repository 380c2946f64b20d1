/*
 * A work unit's status file, read and written as Go receptor's
 * StatusFileData (pkg/workceptor/workunitbase.go), under the same flock
 * of "status.lock" Go takes. The file is untrusted: the unit's command
 * can write into its directory, so nothing it holds may crash us, and
 * neither the file nor its lock is opened through a symbolic link.
 */
#include <sys/file.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "gojson.h"
#include "workstatus.h"

#define STATUS_FILE	"status"
#define LOCK_FILE	"status.lock"
/* Ours, not Go's: a status file is a few hundred bytes. */
#define STATUS_MAX	(16 * 1024 * 1024)

/* The zero values init sets; never freed, everything else is malloc'd. */
static char	 zero_str[] = "";
static char	 zero_extra[] = "null";

static const char *const state_names[] = {
	[WORK_PENDING] = "Pending",
	[WORK_RUNNING] = "Running",
	[WORK_SUCCEEDED] = "Succeeded",
	[WORK_FAILED] = "Failed",
	[WORK_CANCELED] = "Canceled",
};

struct basic {
	int64_t		 state;
	char		*detail;
	int64_t		 stdout_size;
};

static void	 release(char *);
static void	 replace(char **, char *, const char *);
static int	 next_byte(struct gjreader *);
static int	 read_int(struct gjreader *, const char *, int64_t *, char *,
		    size_t);
static int	 read_string(struct gjreader *, const char *, struct gjbuf *,
		    char **, char *, size_t);
static int	 remarshal(struct gjreader *, struct gjbuf *, struct gjbuf *);
static int	 read_extra(struct gjreader *, struct gjbuf *, char **, char *,
		    size_t);
static void	 release_unshared(const struct work_status *,
		    struct work_status *);
static int	 decode_fields(struct gjreader *, struct work_status *,
		    char *, size_t);
static int	 open_file(int, const char *, int, char *, size_t);
static int	 lock_status(int, char *, size_t);
static int	 read_status(int, struct work_status *, char *, size_t);
static int	 write_status(int, const char *, size_t, char *, size_t);
static void	 set_basic(struct work_status *, void *);

const char *
work_state_name(int64_t state, char *buf, size_t len)
{
	if (state >= WORK_PENDING && state <= WORK_CANCELED)
		return state_names[state];
	snprintf(buf, len, "Unknown: %lld", (long long)state);
	return buf;
}

int
work_state_complete(int64_t state)
{
	return state == WORK_SUCCEEDED || state == WORK_FAILED;
}

static void
release(char *s)
{
	if (s != zero_str && s != zero_extra)
		free(s);
}

/* *field = s, freeing what it held unless that is orig, still in use. */
static void
replace(char **field, char *s, const char *orig)
{
	if (*field != orig)
		release(*field);
	*field = s;
}

void
work_status_init(struct work_status *st)
{
	st->state = WORK_PENDING;
	st->detail = zero_str;
	st->stdout_size = 0;
	st->work_type = zero_str;
	st->extra = zero_extra;
}

void
work_status_clear(struct work_status *st)
{
	release(st->detail);
	release(st->work_type);
	release(st->extra);
	work_status_init(st);
}

int
work_status_set(char **field, const char *s)
{
	char	*copy;

	if ((copy = strdup(s)) == NULL)
		return -1;
	release(*field);
	*field = copy;
	return 0;
}

int
work_status_copy(struct work_status *dst, const struct work_status *src)
{
	struct work_status	 c;

	c.state = src->state;
	c.stdout_size = src->stdout_size;
	c.detail = strdup(src->detail);
	c.work_type = strdup(src->work_type);
	c.extra = strdup(src->extra);
	if (c.detail == NULL || c.work_type == NULL || c.extra == NULL) {
		free(c.detail);
		free(c.work_type);
		free(c.extra);
		return -1;
	}
	work_status_clear(dst);
	*dst = c;
	return 0;
}

char *
work_status_encode(const struct work_status *st, size_t *len)
{
	struct gjbuf	 b;

	gj_init(&b);
	gj_obj_open(&b);
	gj_key(&b, "State");
	gj_i64(&b, st->state);
	gj_key(&b, "Detail");
	gj_str(&b, st->detail);
	gj_key(&b, "StdoutSize");
	gj_i64(&b, st->stdout_size);
	gj_key(&b, "WorkType");
	gj_str(&b, st->work_type);
	gj_key(&b, "ExtraData");
	gj_raw(&b, st->extra, strlen(st->extra));
	gj_obj_close(&b);
	/* The '\n' is Go's; the NUL only for callers wanting a string. */
	gj_raw(&b, "\n", 2);
	if (b.err != NULL) {
		gj_free(&b);
		return NULL;
	}
	*len = b.len - 1;
	return b.buf;
}

/* The first byte of the next token; the text is known to be valid. */
static int
next_byte(struct gjreader *r)
{
	while (r->p < r->end && (*r->p == ' ' || *r->p == '\t' ||
	    *r->p == '\n' || *r->p == '\r'))
		r->p++;
	return r->p < r->end ? *r->p : -1;
}

/* Go's int field: strconv.ParseInt of the number's text, or null. */
static int
read_int(struct gjreader *r, const char *name, int64_t *v, char *err,
    size_t errlen)
{
	const unsigned char	*p;
	uint64_t		 x = 0, max = INT64_MAX;
	int			 c;

	if (gj_read_null(r) == 1)
		return 0;
	c = next_byte(r);
	p = r->p;
	if ((c != '-' && (c < '0' || c > '9')) || gj_read_skip(r) == -1) {
		snprintf(err, errlen, "%s: not an integer", name);
		return -1;
	}
	if (*p == '-') {
		max = (uint64_t)INT64_MAX + 1;
		p++;
	}
	for (; p < r->p; p++) {
		if (*p < '0' || *p > '9') {
			snprintf(err, errlen, "%s: not an integer", name);
			return -1;
		}
		if (x > (max - (*p - '0')) / 10) {
			snprintf(err, errlen, "%s: number out of range", name);
			return -1;
		}
		x = x * 10 + *p - '0';
	}
	*v = c == '-' ? (int64_t)(0 - x) : (int64_t)x;
	return 0;
}

/*
 * A string field, or null. A NUL byte (\u0000) ends the C string: only
 * Go's struct can carry it.
 */
static int
read_string(struct gjreader *r, const char *name, struct gjbuf *tmp,
    char **field, char *err, size_t errlen)
{
	if (gj_read_null(r) == 1)
		return 0;
	if (gj_read_str(r, tmp) == -1) {
		snprintf(err, errlen, "%s: %s", name, tmp->err != NULL ?
		    tmp->err : "not a string");
		return -1;
	}
	if ((*field = strndup(tmp->len > 0 ? tmp->buf : "", tmp->len)) ==
	    NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	return 0;
}

/*
 * Any value, written back compactly as Go marshals what it decoded into
 * an interface{}: strings with Go's escapes, numbers as float64. Object
 * members stay in their order (Go would sort a map's keys). Iterative,
 * a bit per open level as gj_read_skip, for 10000 levels.
 */
static int
remarshal(struct gjreader *r, struct gjbuf *out, struct gjbuf *tmp)
{
	uint8_t	 isobj[GJ_MAXDEPTH / 8 + 1];
	double	 f;
	int	 level = 0, c, rv, b, obj;

	for (;;) {
		switch ((c = next_byte(r))) {
		case '{':
		case '[':
			if (c == '{') {
				if (gj_read_obj(r) == -1)
					return -1;
				gj_obj_open(out);
				isobj[level / 8] |= 1 << level % 8;
			} else {
				if (gj_read_arr(r) == -1)
					return -1;
				gj_arr_open(out);
				isobj[level / 8] &= ~(1 << level % 8);
			}
			level++;
			break;
		case '"':
			if (gj_read_str(r, tmp) == -1)
				return -1;
			gj_strn(out, tmp->buf, tmp->len);
			break;
		case 't':
		case 'f':
			if (gj_read_bool(r, &b) == -1)
				return -1;
			gj_bool(out, b);
			break;
		case 'n':
			if (gj_read_null(r) == -1)
				return -1;
			gj_null(out);
			break;
		default:
			if (gj_read_float(r, &f) == -1)
				return -1;
			gj_float(out, f);
			break;
		}
		while (level > 0) {
			obj = isobj[(level - 1) / 8] & 1 << (level - 1) % 8;
			if ((rv = obj ? gj_read_key(r, tmp) : gj_read_elem(r)) ==
			    -1)
				return -1;
			if (rv == 1) {
				if (out->len > 0 &&
				    out->buf[out->len - 1] != '{' &&
				    out->buf[out->len - 1] != '[')
					gj_raw(out, ",", 1);
				if (obj) {
					gj_strn(out, tmp->buf, tmp->len);
					gj_raw(out, ":", 1);
				}
				break;
			}
			if (obj)
				gj_obj_close(out);
			else
				gj_arr_close(out);
			level--;
		}
		if (level == 0)
			return out->err != NULL || tmp->err != NULL ? -1 : 0;
	}
}

static int
read_extra(struct gjreader *r, struct gjbuf *tmp, char **field, char *err,
    size_t errlen)
{
	struct gjbuf	 out;

	gj_init(&out);
	if (remarshal(r, &out, tmp) == -1) {
		snprintf(err, errlen, "ExtraData: %s", out.err != NULL ?
		    out.err : tmp->err != NULL ? tmp->err : r->err);
		gj_free(&out);
		return -1;
	}
	if ((*field = strndup(out.buf, out.len)) == NULL)
		snprintf(err, errlen, "out of memory");
	gj_free(&out);
	return *field == NULL ? -1 : 0;
}

/* Frees the strings of drop that keep does not share. */
static void
release_unshared(const struct work_status *keep, struct work_status *drop)
{
	if (drop->detail != keep->detail)
		release(drop->detail);
	if (drop->work_type != keep->work_type)
		release(drop->work_type);
	if (drop->extra != keep->extra)
		release(drop->extra);
}

/*
 * Into d, a shallow copy of the caller's status: a field set twice frees
 * its first value, never the caller's.
 */
static int
decode_fields(struct gjreader *r, struct work_status *d, char *err,
    size_t errlen)
{
	const struct work_status orig = *d;
	struct gjbuf	 key, tmp;
	char		*s;
	int		 rv;

	gj_init(&key);
	gj_init(&tmp);
	for (;;) {
		if ((rv = gj_read_key(r, &key)) != 1) {
			if (rv == -1)
				snprintf(err, errlen, "%s", r->err);
			break;
		}
		s = NULL;
		if (gj_keyeq(&key, "State"))
			rv = read_int(r, "State", &d->state, err, errlen);
		else if (gj_keyeq(&key, "StdoutSize"))
			rv = read_int(r, "StdoutSize", &d->stdout_size, err,
			    errlen);
		else if (gj_keyeq(&key, "Detail")) {
			if ((rv = read_string(r, "Detail", &tmp, &s, err,
			    errlen)) == 0 && s != NULL)
				replace(&d->detail, s, orig.detail);
		} else if (gj_keyeq(&key, "WorkType")) {
			if ((rv = read_string(r, "WorkType", &tmp, &s, err,
			    errlen)) == 0 && s != NULL)
				replace(&d->work_type, s, orig.work_type);
		} else if (gj_keyeq(&key, "ExtraData")) {
			if ((rv = read_extra(r, &tmp, &s, err, errlen)) == 0)
				replace(&d->extra, s, orig.extra);
		} else if ((rv = gj_read_skip(r)) == -1)
			snprintf(err, errlen, "%s", r->err);
		if (rv == -1)
			break;
	}
	gj_free(&key);
	gj_free(&tmp);
	if (rv == -1) {
		release_unshared(&orig, d);
		*d = orig;
	}
	return rv;
}

int
work_status_decode(const char *buf, size_t len, struct work_status *st,
    char *err, size_t errlen)
{
	struct gjreader		 r;
	struct work_status	 d;

	/* Go checks all the syntax first: it wins over a field's type. */
	gj_read_init(&r, buf, len);
	if (gj_read_skip(&r) == -1 || gj_read_end(&r) == -1) {
		snprintf(err, errlen, "%s at byte %zu", r.err,
		    (size_t)(r.p - (const unsigned char *)buf));
		return -1;
	}
	gj_read_init(&r, buf, len);
	if (gj_read_null(&r) == 1)
		return 0;
	if (next_byte(&r) != '{') {
		snprintf(err, errlen, "not a JSON object");
		return -1;
	}
	gj_read_obj(&r);
	d = *st;
	if (decode_fields(&r, &d, err, errlen) == -1)
		return -1;
	release_unshared(&d, st);
	*st = d;
	return 0;
}

/*
 * O_NONBLOCK: a FIFO put there must not hang us before fstat refuses
 * it; it means nothing to a regular file.
 */
static int
open_file(int dirfd, const char *name, int flags, char *err, size_t errlen)
{
	struct stat	 sb;
	int		 fd;

	if ((fd = openat(dirfd, name, flags | O_CLOEXEC | O_NOFOLLOW |
	    O_NONBLOCK, 0600)) == -1) {
		snprintf(err, errlen, "%s: %s", name, errno == ELOOP ?
		    "is a symbolic link" : strerror(errno));
		return -1;
	}
	if (fstat(fd, &sb) == -1 || !S_ISREG(sb.st_mode)) {
		snprintf(err, errlen, "%s: not a regular file", name);
		close(fd);
		return -1;
	}
	return fd;
}

/* Go's lockedfile.OpenFile(O_CREATE|O_WRONLY|O_TRUNC, 0600). */
static int
lock_status(int dirfd, char *err, size_t errlen)
{
	int	 fd;

	if ((fd = open_file(dirfd, LOCK_FILE, O_CREAT | O_WRONLY | O_TRUNC,
	    err, errlen)) == -1)
		return -1;
	while (flock(fd, LOCK_EX) == -1) {
		if (errno != EINTR) {
			snprintf(err, errlen, "%s: %s", LOCK_FILE,
			    strerror(errno));
			close(fd);
			return -1;
		}
	}
	return fd;
}

/* An empty file leaves st as it is (1), as UpdateFullStatus skips it. */
static int
read_status(int fd, struct work_status *st, char *err, size_t errlen)
{
	char	*buf = NULL, *p, why[128];
	size_t	 len = 0, size = 0;
	ssize_t	 n;
	int	 rv;

	for (;;) {
		if (len == size) {
			if (size >= STATUS_MAX) {
				snprintf(err, errlen, "%s: file too large",
				    STATUS_FILE);
				free(buf);
				return -1;
			}
			size = size == 0 ? 1024 : size * 2;
			if ((p = realloc(buf, size)) == NULL) {
				snprintf(err, errlen, "%s: out of memory",
				    STATUS_FILE);
				free(buf);
				return -1;
			}
			buf = p;
		}
		if ((n = pread(fd, buf + len, size - len, len)) == -1) {
			if (errno == EINTR)
				continue;
			snprintf(err, errlen, "%s: %s", STATUS_FILE,
			    strerror(errno));
			free(buf);
			return -1;
		}
		if (n == 0)
			break;
		len += n;
	}
	if (len == 0)
		rv = 1;
	else if ((rv = work_status_decode(buf, len, st, why,
	    sizeof(why))) == -1)
		snprintf(err, errlen, "%s: %s", STATUS_FILE, why);
	free(buf);
	return rv;
}

/*
 * Go truncates to nothing, then writes. Writing over the old bytes and
 * cutting what is left instead keeps ext4 from flushing the file to disk
 * at close, as it does for a file truncated to nothing (auto_da_alloc):
 * a unit's status is rewritten several times a second. Readers hold the
 * lock, so they never see the file between the two calls.
 */
static int
write_status(int fd, const char *buf, size_t len, char *err, size_t errlen)
{
	size_t	 off = 0;
	ssize_t	 n;

	while (off < len) {
		if ((n = pwrite(fd, buf + off, len - off, off)) == -1) {
			if (errno == EINTR)
				continue;
			snprintf(err, errlen, "%s: %s", STATUS_FILE,
			    strerror(errno));
			return -1;
		}
		off += n;
	}
	if (ftruncate(fd, len) == -1) {
		snprintf(err, errlen, "%s: %s", STATUS_FILE, strerror(errno));
		return -1;
	}
	return 0;
}

int
work_status_load(int dirfd, struct work_status *st, char *err,
    size_t errlen)
{
	int	 lockfd, fd, rv = -1;

	if ((lockfd = lock_status(dirfd, err, errlen)) == -1)
		return -1;
	if ((fd = open_file(dirfd, STATUS_FILE, O_RDONLY, err,
	    errlen)) != -1) {
		/* Go's Load reads an empty file as JSON, and fails. */
		if ((rv = read_status(fd, st, err, errlen)) == 1) {
			snprintf(err, errlen, "%s: unexpected end of JSON "
			    "input", STATUS_FILE);
			rv = -1;
		}
		close(fd);
	}
	close(lockfd);
	return rv;
}

int
work_status_save(int dirfd, const struct work_status *st, char *err,
    size_t errlen)
{
	char	*buf;
	size_t	 len;
	int	 lockfd, fd, rv = -1;

	if ((buf = work_status_encode(st, &len)) == NULL) {
		snprintf(err, errlen, "%s: out of memory", STATUS_FILE);
		return -1;
	}
	if ((lockfd = lock_status(dirfd, err, errlen)) != -1) {
		if ((fd = open_file(dirfd, STATUS_FILE, O_CREAT | O_WRONLY,
		    err, errlen)) != -1) {
			rv = write_status(fd, buf, len, err, errlen);
			close(fd);
		}
		close(lockfd);
	}
	free(buf);
	return rv;
}

int
work_status_modify(int dirfd, void (*fn)(struct work_status *, void *),
    void *arg, struct work_status *st, char *err, size_t errlen)
{
	struct work_status	 cur;
	char			*buf = NULL;
	size_t			 len;
	int			 lockfd, fd, rv = -1;

	if ((lockfd = lock_status(dirfd, err, errlen)) == -1)
		return -1;
	work_status_init(&cur);
	if ((fd = open_file(dirfd, STATUS_FILE, O_CREAT | O_RDWR, err,
	    errlen)) == -1)
		goto done;
	if (read_status(fd, &cur, err, errlen) == -1)
		goto done;
	fn(&cur, arg);
	if ((buf = work_status_encode(&cur, &len)) == NULL) {
		snprintf(err, errlen, "%s: out of memory", STATUS_FILE);
		goto done;
	}
	if ((rv = write_status(fd, buf, len, err, errlen)) == 0 &&
	    st != NULL) {
		work_status_clear(st);
		*st = cur;
		work_status_init(&cur);
	}
done:
	work_status_clear(&cur);
	free(buf);
	if (fd != -1)
		close(fd);
	close(lockfd);
	return rv;
}

static void
set_basic(struct work_status *st, void *arg)
{
	struct basic	*b = arg;

	st->state = b->state;
	release(st->detail);
	st->detail = b->detail;
	b->detail = NULL;
	if (b->stdout_size >= 0)
		st->stdout_size = b->stdout_size;
}

int
work_status_update(int dirfd, int64_t state, const char *detail,
    int64_t stdout_size, struct work_status *st, char *err, size_t errlen)
{
	struct basic	 b = { state, NULL, stdout_size };
	int		 rv;

	if ((b.detail = strdup(detail)) == NULL) {
		snprintf(err, errlen, "%s: out of memory", STATUS_FILE);
		return -1;
	}
	rv = work_status_modify(dirfd, set_basic, &b, st, err, errlen);
	free(b.detail);
	return rv;
}
