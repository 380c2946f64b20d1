/*
 * Netceptor's wire messages. The JSON ones are described once, as tables
 * of fields in the order of Go's struct declarations: that order is the
 * order json.Marshal writes, and the same table tells the decoder which
 * member a key (matched as Go matches it) fills.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "gojson.h"
#include "netmsg.h"

enum kind {
	K_STR,		/* char * */
	K_U64,		/* uint64_t */
	K_U8,		/* uint8_t, Go's byte */
	K_BOOL,		/* int */
	K_FLOAT,	/* double */
	K_TIME,		/* struct gotime */
	K_MAP,		/* elements of a key (char *) and a value field */
	K_SLICE,	/* elements described by their own fields */
};

struct field {
	const char		*name;
	enum kind		 kind;
	size_t			 off;
	/* a map or slice: where its count is, what an element is */
	size_t			 noff;
	const struct field	*elem;
	size_t			 nelem;
	size_t			 elemsize;
};

struct dec {
	struct gjreader	 r;
	struct gjbuf	 key;
	struct gjbuf	 val;
};

#define MEMBER(base, f, type)	((type *)((char *)(base) + (f)->off))
#define COUNT(base, f)		((size_t *)((char *)(base) + (f)->noff))
#define NFIELDS(a)		(sizeof(a) / sizeof((a)[0]))

#define F(s, name, kind, m)	{ name, kind, offsetof(s, m), 0, NULL, 0, 0 }
#define FA(s, name, kind, m, n, t, fields)				\
	{ name, kind, offsetof(s, m), offsetof(s, n), fields,		\
	    NFIELDS(fields), sizeof(t) }

static void	*get_array(const void *, const struct field *);
static void	 set_array(void *, const struct field *, void *);
static int	 dec_fail(struct dec *, const char *);
static char	*dec_str(struct dec *);
static void	*grow(void *, size_t, size_t);
static int	 keycmp(const void *, const void *);
static int	 keyptrcmp(const void *, const void *);
static int	 read_map(struct dec *, const struct field *, void *);
static int	 read_slice(struct dec *, const struct field *, void *);
static int	 read_value(struct dec *, const struct field *, void *);
static int	 read_object(struct dec *, const struct field *, size_t,
		    void *);
static int	 decode(const void *, size_t, const struct field *, size_t,
		    void *, const char **);
static void	 free_elems(const struct field *, char *, size_t, size_t);
static void	 free_object(const struct field *, size_t, void *);
static void	 write_map(struct gjbuf *, const struct field *, const void *);
static void	 write_value(struct gjbuf *, const struct field *,
		    const void *);
static void	 write_object(struct gjbuf *, const struct field *, size_t,
		    const void *);
static int	 encode(struct gjbuf *, int, const struct field *, size_t,
		    const void *);
static int	 get_service(char [NETMSG_SVCLEN + 1], const uint8_t *);

static const struct field conn_fields[] = {
	F(struct netmsg_conn, "", K_STR, node),
	F(struct netmsg_conn, "", K_FLOAT, cost),
};

static const struct field tag_fields[] = {
	F(struct netmsg_tag, "", K_STR, name),
	F(struct netmsg_tag, "", K_STR, value),
};

static const struct field workcmd_fields[] = {
	F(struct netmsg_workcmd, "WorkType", K_STR, worktype),
	F(struct netmsg_workcmd, "Secure", K_BOOL, secure),
};

static const struct field route_fields[] = {
	F(struct netmsg_route, "NodeID", K_STR, node_id),
	F(struct netmsg_route, "UpdateID", K_STR, update_id),
	F(struct netmsg_route, "UpdateEpoch", K_U64, epoch),
	F(struct netmsg_route, "UpdateSequence", K_U64, sequence),
	FA(struct netmsg_route, "Connections", K_MAP, conns, nconns,
	    struct netmsg_conn, conn_fields),
	F(struct netmsg_route, "ForwardingNode", K_STR, forwarding_node),
	F(struct netmsg_route, "SuspectedDuplicate", K_U64, suspected_dup),
};

/* Go's serviceAdvertisementFull: the ad's fields, then Cancel. */
static const struct field svcad_fields[] = {
	F(struct netmsg_svcad, "NodeID", K_STR, node_id),
	F(struct netmsg_svcad, "Service", K_STR, service),
	F(struct netmsg_svcad, "Time", K_TIME, time),
	F(struct netmsg_svcad, "ConnType", K_U8, conntype),
	FA(struct netmsg_svcad, "Tags", K_MAP, tags, ntags,
	    struct netmsg_tag, tag_fields),
	FA(struct netmsg_svcad, "WorkCommands", K_SLICE, workcmds, nworkcmds,
	    struct netmsg_workcmd, workcmd_fields),
	F(struct netmsg_svcad, "Cancel", K_BOOL, cancel),
};

static const struct field unreach_fields[] = {
	F(struct netmsg_unreach, "FromNode", K_STR, from_node),
	F(struct netmsg_unreach, "ToNode", K_STR, to_node),
	F(struct netmsg_unreach, "FromService", K_STR, from_service),
	F(struct netmsg_unreach, "ToService", K_STR, to_service),
	F(struct netmsg_unreach, "Problem", K_STR, problem),
};

/* The array pointer of a map or slice, whatever its element type. */
static void *
get_array(const void *base, const struct field *f)
{
	void	*arr;

	memcpy(&arr, (const char *)base + f->off, sizeof(arr));
	return arr;
}

static void
set_array(void *base, const struct field *f, void *arr)
{
	memcpy((char *)base + f->off, &arr, sizeof(arr));
}

static int
dec_fail(struct dec *d, const char *why)
{
	if (d->r.err == NULL)
		d->r.err = why;
	return -1;
}

/* The string just read, or NULL with the error set. */
static char *
dec_str(struct dec *d)
{
	char	*s;

	if (memchr(d->val.buf, '\0', d->val.len) != NULL) {
		dec_fail(d, "NUL byte in string");
		return NULL;
	}
	if ((s = malloc(d->val.len + 1)) == NULL) {
		dec_fail(d, "out of memory");
		return NULL;
	}
	if (d->val.len > 0)
		memcpy(s, d->val.buf, d->val.len);
	s[d->val.len] = '\0';
	return s;
}

/*
 * Room for one more than n elements. Decoded arrays grow to powers of
 * two, so only a count that is one (or 0) needs more room.
 */
static void *
grow(void *arr, size_t n, size_t size)
{
	if (arr != NULL && (n & (n - 1)) != 0)
		return arr;
	return reallocarray(arr, n == 0 ? 1 : 2 * n, size);
}

/* Map elements start with their key; Go orders keys bytewise. */
static int
keycmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int
keyptrcmp(const void *a, const void *b)
{
	return keycmp(*(const void *const *)a, *(const void *const *)b);
}

/*
 * Go decodes into the map already there, so a repeated key adds to it.
 * Entries are appended, sorted stably, and of equal keys the last kept.
 */
static int
read_map(struct dec *d, const struct field *f, void *base)
{
	char	*arr = get_array(base, f), *p;
	size_t	*n = COUNT(base, f), i, out;
	int	 rv;

	if (gj_read_obj(&d->r) == -1)
		return -1;
	for (;;) {
		if ((p = grow(arr, *n, f->elemsize)) == NULL)
			return dec_fail(d, "out of memory");
		set_array(base, f, arr = p);
		if ((rv = gj_read_key(&d->r, &d->val)) != 1)
			break;
		p = arr + *n * f->elemsize;
		memset(p, 0, f->elemsize);
		(*n)++;
		if ((*(char **)p = dec_str(d)) == NULL ||
		    read_value(d, &f->elem[1], p) == -1)
			return -1;
	}
	if (rv == -1)
		return -1;
	if (mergesort(arr, *n, f->elemsize, keycmp) == -1)
		return dec_fail(d, "out of memory");
	for (i = out = 0; i < *n; i++) {
		p = arr + i * f->elemsize;
		if (i + 1 < *n && keycmp(p, p + f->elemsize) == 0)
			free_object(f->elem, f->nelem, p);
		else if (out++ != i)
			memcpy(arr + (out - 1) * f->elemsize, p, f->elemsize);
	}
	*n = out;
	return 0;
}

/*
 * As Go does, element i of a repeated key's array is decoded into
 * element i of the slice already there. An empty array makes an empty,
 * not a nil, slice.
 */
static int
read_slice(struct dec *d, const struct field *f, void *base)
{
	char	*arr = get_array(base, f), *p;
	size_t	*n = COUNT(base, f), i = 0;
	int	 rv;

	if (gj_read_arr(&d->r) == -1)
		return -1;
	for (;;) {
		if (i == *n) {
			if ((p = grow(arr, *n, f->elemsize)) == NULL)
				return dec_fail(d, "out of memory");
			set_array(base, f, arr = p);
		}
		if ((rv = gj_read_elem(&d->r)) != 1)
			break;
		p = arr + i * f->elemsize;
		if (i++ == *n) {
			memset(p, 0, f->elemsize);
			(*n)++;
		}
		if ((rv = gj_read_null(&d->r)) == -1 ||
		    (rv == 0 && read_object(d, f->elem, f->nelem, p) == -1))
			return -1;
	}
	if (rv == -1)
		return -1;
	free_elems(f, arr, i, *n);
	*n = i;
	return 0;
}

/* null makes a map or slice nil and leaves anything else as it is. */
static int
read_value(struct dec *d, const struct field *f, void *base)
{
	const char	*s;
	uint64_t	 v;
	size_t		 len;
	char		*str;
	int		 rv;

	if ((rv = gj_read_null(&d->r)) != 0) {
		if (rv == 1 && (f->kind == K_MAP || f->kind == K_SLICE))
			free_object(f, 1, base);
		return rv == 1 ? 0 : -1;
	}
	switch (f->kind) {
	case K_STR:
		if (gj_read_str(&d->r, &d->val) == -1 ||
		    (str = dec_str(d)) == NULL)
			return -1;
		free(*MEMBER(base, f, char *));
		*MEMBER(base, f, char *) = str;
		return 0;
	case K_U64:
		return gj_read_u64(&d->r, MEMBER(base, f, uint64_t),
		    UINT64_MAX);
	case K_U8:
		if (gj_read_u64(&d->r, &v, UINT8_MAX) == -1)
			return -1;
		*MEMBER(base, f, uint8_t) = v;
		return 0;
	case K_BOOL:
		return gj_read_bool(&d->r, MEMBER(base, f, int));
	case K_FLOAT:
		return gj_read_float(&d->r, MEMBER(base, f, double));
	case K_TIME:
		/* Go's Time.UnmarshalJSON parses the quoted bytes as is. */
		if (gj_read_rawstr(&d->r, &s, &len) == -1)
			return -1;
		if (gotime_parse(MEMBER(base, f, struct gotime), s, len) == -1)
			return dec_fail(d, "cannot parse time");
		return 0;
	case K_MAP:
		return read_map(d, f, base);
	case K_SLICE:
		return read_slice(d, f, base);
	}
	return dec_fail(d, "unknown field kind");
}

static int
read_object(struct dec *d, const struct field *fields, size_t nfields,
    void *base)
{
	const struct field	*f;
	int			 rv;

	if (gj_read_obj(&d->r) == -1)
		return -1;
	while ((rv = gj_read_key(&d->r, &d->key)) == 1) {
		for (f = fields; f < fields + nfields; f++)
			if (gj_keyeq(&d->key, f->name))
				break;
		if (f == fields + nfields)
			rv = gj_read_skip(&d->r);
		else
			rv = read_value(d, f, base);
		if (rv == -1)
			return -1;
	}
	return rv;
}

/* json.Unmarshal into a zeroed struct; null at the top leaves it so. */
static int
decode(const void *buf, size_t len, const struct field *fields,
    size_t nfields, void *base, const char **errstr)
{
	struct dec	 d;
	int		 rv;

	gj_read_init(&d.r, buf, len);
	gj_init(&d.key);
	gj_init(&d.val);
	if ((rv = gj_read_null(&d.r)) == 0)
		rv = read_object(&d, fields, nfields, base);
	if (rv != -1)
		rv = gj_read_end(&d.r);
	gj_free(&d.key);
	gj_free(&d.val);
	if (rv == -1) {
		free_object(fields, nfields, base);
		*errstr = d.r.err;
		return -1;
	}
	return 0;
}

/* Elements from..to-1 of a map or slice. */
static void
free_elems(const struct field *f, char *arr, size_t from, size_t to)
{
	for (; from < to; from++)
		free_object(f->elem, f->nelem, arr + from * f->elemsize);
}

/* Releases what the fields own and leaves them empty. */
static void
free_object(const struct field *fields, size_t nfields, void *base)
{
	const struct field	*f;

	for (f = fields; f < fields + nfields; f++) {
		if (f->kind == K_STR) {
			free(*MEMBER(base, f, char *));
			*MEMBER(base, f, char *) = NULL;
		} else if (f->kind == K_MAP || f->kind == K_SLICE) {
			free_elems(f, get_array(base, f), 0, *COUNT(base, f));
			free(get_array(base, f));
			set_array(base, f, NULL);
			*COUNT(base, f) = 0;
		}
	}
}

/* Go's json.Marshal writes a map's keys sorted. */
static void
write_map(struct gjbuf *b, const struct field *f, const void *base)
{
	const char	 *arr = get_array(base, f);
	size_t		  n = *COUNT(base, f), i;
	const void	**sorted;

	if ((sorted = reallocarray(NULL, n + 1, sizeof(*sorted))) == NULL) {
		if (b->err == NULL)
			b->err = "out of memory";
		return;
	}
	for (i = 0; i < n; i++)
		sorted[i] = arr + i * f->elemsize;
	qsort(sorted, n, sizeof(*sorted), keyptrcmp);
	gj_obj_open(b);
	for (i = 0; i < n; i++) {
		gj_key(b, *(char *const *)sorted[i]);
		write_value(b, &f->elem[1], sorted[i]);
	}
	gj_obj_close(b);
	free(sorted);
}

static void
write_value(struct gjbuf *b, const struct field *f, const void *base)
{
	const char	*arr;
	size_t		 i;

	switch (f->kind) {
	case K_STR:
		gj_str(b, *MEMBER(base, f, char *const));
		break;
	case K_U64:
		gj_u64(b, *MEMBER(base, f, const uint64_t));
		break;
	case K_U8:
		gj_u64(b, *MEMBER(base, f, const uint8_t));
		break;
	case K_BOOL:
		gj_bool(b, *MEMBER(base, f, const int));
		break;
	case K_FLOAT:
		gj_float(b, *MEMBER(base, f, const double));
		break;
	case K_TIME:
		gj_time(b, MEMBER(base, f, const struct gotime));
		break;
	case K_MAP:
	case K_SLICE:
		if ((arr = get_array(base, f)) == NULL)
			gj_null(b);
		else if (f->kind == K_MAP)
			write_map(b, f, base);
		else {
			gj_arr_open(b);
			for (i = 0; i < *COUNT(base, f); i++) {
				gj_elem(b);
				write_object(b, f->elem, f->nelem,
				    arr + i * f->elemsize);
			}
			gj_arr_close(b);
		}
		break;
	}
}

static void
write_object(struct gjbuf *b, const struct field *fields, size_t nfields,
    const void *base)
{
	const struct field	*f;

	gj_obj_open(b);
	for (f = fields; f < fields + nfields; f++) {
		gj_key(b, f->name);
		write_value(b, f, base);
	}
	gj_obj_close(b);
}

/* The type byte (none when type is -1), then the object. */
static int
encode(struct gjbuf *b, int type, const struct field *fields,
    size_t nfields, const void *base)
{
	uint8_t	 t = type;

	if (type != -1)
		gj_raw(b, &t, 1);
	write_object(b, fields, nfields, base);
	return b->err == NULL ? 0 : -1;
}

int
netmsg_route_encode(struct gjbuf *b, const struct netmsg_route *ru)
{
	return encode(b, NETMSG_ROUTE, route_fields, NFIELDS(route_fields),
	    ru);
}

int
netmsg_route_decode(const void *msg, size_t len, struct netmsg_route *ru,
    const char **errstr)
{
	memset(ru, 0, sizeof(*ru));
	if (len == 0 || *(const uint8_t *)msg != NETMSG_ROUTE) {
		*errstr = "not a routing update";
		return -1;
	}
	return decode((const uint8_t *)msg + 1, len - 1, route_fields,
	    NFIELDS(route_fields), ru, errstr);
}

void
netmsg_route_free(struct netmsg_route *ru)
{
	free_object(route_fields, NFIELDS(route_fields), ru);
	memset(ru, 0, sizeof(*ru));
}

int
netmsg_svcad_encode(struct gjbuf *b, const struct netmsg_svcad *ad)
{
	return encode(b, NETMSG_SERVICE, svcad_fields, NFIELDS(svcad_fields),
	    ad);
}

int
netmsg_svcad_decode(const void *msg, size_t len, struct netmsg_svcad *ad,
    const char **errstr)
{
	memset(ad, 0, sizeof(*ad));
	ad->time.sec = GOTIME_ZERO_SEC;
	if (len == 0 || *(const uint8_t *)msg != NETMSG_SERVICE) {
		*errstr = "not a service advertisement";
		return -1;
	}
	return decode((const uint8_t *)msg + 1, len - 1, svcad_fields,
	    NFIELDS(svcad_fields), ad, errstr);
}

void
netmsg_svcad_free(struct netmsg_svcad *ad)
{
	free_object(svcad_fields, NFIELDS(svcad_fields), ad);
	memset(ad, 0, sizeof(*ad));
}

int
netmsg_unreach_encode(struct gjbuf *b, const struct netmsg_unreach *un)
{
	return encode(b, -1, unreach_fields, NFIELDS(unreach_fields), un);
}

int
netmsg_unreach_decode(const void *payload, size_t len,
    struct netmsg_unreach *un, const char **errstr)
{
	memset(un, 0, sizeof(*un));
	return decode(payload, len, unreach_fields, NFIELDS(unreach_fields),
	    un, errstr);
}

void
netmsg_unreach_free(struct netmsg_unreach *un)
{
	free_object(unreach_fields, NFIELDS(unreach_fields), un);
}

/* Go marshals an empty []string as the body. */
int
netmsg_reject_encode(struct gjbuf *b)
{
	gj_raw(b, "\003[]", 3);
	return b->err == NULL ? 0 : -1;
}

/*
 * The payload follows the header. Go sends HopsToLive already lowered by
 * this hop; that is the caller's to do.
 */
int
netmsg_data_hdr(uint8_t hdr[NETMSG_HDRLEN], uint8_t hops, uint64_t from,
    const char *fromsvc, uint64_t to, const char *tosvc, const char **errstr)
{
	size_t	 fromlen = strlen(fromsvc), tolen = strlen(tosvc);
	int	 i;

	if (fromlen > NETMSG_SVCLEN || tolen > NETMSG_SVCLEN) {
		*errstr = "service name too long";
		return -1;
	}
	memset(hdr, 0, NETMSG_HDRLEN);
	hdr[0] = NETMSG_DATA;
	hdr[1] = hops;
	for (i = 0; i < 8; i++) {
		hdr[4 + i] = from >> (56 - 8 * i);
		hdr[12 + i] = to >> (56 - 8 * i);
	}
	memcpy(hdr + 20, fromsvc, fromlen);
	memcpy(hdr + 28, tosvc, tolen);
	return 0;
}

/*
 * Trailing NULs pad a service name. Go keeps a NUL inside one, a name no
 * C string can hold, so such a message is refused rather than delivered
 * to the name's prefix.
 */
static int
get_service(char dst[NETMSG_SVCLEN + 1], const uint8_t *src)
{
	size_t	 n = strnlen((const char *)src, NETMSG_SVCLEN), i;

	for (i = n; i < NETMSG_SVCLEN; i++)
		if (src[i] != '\0')
			return -1;
	memcpy(dst, src, n);
	dst[n] = '\0';
	return 0;
}

int
netmsg_data_decode(const void *msg, size_t len, struct netmsg_data *md,
    const char **errstr)
{
	const uint8_t	*p = msg;
	int		 i;

	memset(md, 0, sizeof(*md));
	if (len < NETMSG_HDRLEN) {
		*errstr = "data too short to be a valid message";
		return -1;
	}
	if (p[0] != NETMSG_DATA) {
		*errstr = "not a data message";
		return -1;
	}
	if (get_service(md->from_service, p + 20) == -1 ||
	    get_service(md->to_service, p + 28) == -1) {
		*errstr = "NUL byte in service name";
		return -1;
	}
	md->hops = p[1];
	for (i = 0; i < 8; i++) {
		md->from_node = md->from_node << 8 | p[4 + i];
		md->to_node = md->to_node << 8 | p[12 + i];
	}
	md->payload = p + NETMSG_HDRLEN;
	md->payloadlen = len - NETMSG_HDRLEN;
	return 0;
}

void
netmsg_framer_init(struct netmsg_framer *f)
{
	f->len = 0;
}

/*
 * Takes bytes up to the end of the next message and returns how many;
 * none while a whole message waits for netmsg_framer_next().
 */
size_t
netmsg_framer_feed(struct netmsg_framer *f, const void *buf, size_t len)
{
	const uint8_t	*p = buf;
	size_t		 want, n, used = 0;

	for (;;) {
		if (f->len < NETMSG_FRAMEHDR)
			want = NETMSG_FRAMEHDR;
		else
			want = NETMSG_FRAMEHDR + (f->buf[0] | f->buf[1] << 8);
		if ((n = want - f->len) == 0 || used == len)
			return used;
		if (n > len - used)
			n = len - used;
		memcpy(f->buf + f->len, p + used, n);
		f->len += n;
		used += n;
	}
}

/*
 * 1 with the next message, valid until the next feed; 0 when more bytes
 * are needed. A zero length is an error (Go itself would crash on it),
 * and the stream can't be read past it.
 */
int
netmsg_framer_next(struct netmsg_framer *f, const uint8_t **msg,
    size_t *len, const char **errstr)
{
	size_t	 n;

	if (f->len < NETMSG_FRAMEHDR)
		return 0;
	if ((n = f->buf[0] | f->buf[1] << 8) == 0) {
		*errstr = "zero-length message";
		return -1;
	}
	if (f->len < NETMSG_FRAMEHDR + n)
		return 0;
	*msg = f->buf + NETMSG_FRAMEHDR;
	*len = n;
	f->len = 0;
	return 1;
}

/* Go would wrap a longer length silently, and crash a peer on an empty. */
int
netmsg_frame_hdr(uint8_t hdr[NETMSG_FRAMEHDR], size_t len,
    const char **errstr)
{
	if (len == 0) {
		*errstr = "empty message";
		return -1;
	}
	if (len > NETMSG_MAXLEN) {
		*errstr = "message too long";
		return -1;
	}
	hdr[0] = len & 0xff;
	hdr[1] = len >> 8;
	return 0;
}
