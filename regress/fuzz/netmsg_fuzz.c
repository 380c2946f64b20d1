/*
 * libFuzzer harness: arbitrary bytes as a netceptor message from a peer,
 * given to the decoder its first byte names.
 *
 * Whatever decodes must encode, and decoding that encoding must give
 * the same bytes again: what we re-flood is stable. A data header must
 * encode back to the bytes it came from.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "gojson.h"
#include "netmsg.h"

#define SEL_UNREACH	4	/* the rest is an unreach payload */
#define SEL_TIME	5	/* the rest is a Go time's text */

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void	 fuzz_data(const uint8_t *, size_t);
static void	 fuzz_route(const uint8_t *, size_t);
static void	 fuzz_svcad(const uint8_t *, size_t);
static void	 fuzz_unreach(const uint8_t *, size_t);
static void	 fuzz_time(const uint8_t *, size_t);
static void	 same(const struct gjbuf *, const struct gjbuf *);

static void
same(const struct gjbuf *a, const struct gjbuf *b)
{
	if (a->len != b->len || memcmp(a->buf, b->buf, a->len) != 0)
		abort();
}

static void
fuzz_data(const uint8_t *p, size_t len)
{
	struct netmsg_data	 md;
	uint8_t			 hdr[NETMSG_HDRLEN];
	const char		*errstr;

	if (netmsg_data_decode(p, len, &md, &errstr) == -1)
		return;
	if (md.payload != p + NETMSG_HDRLEN ||
	    md.payloadlen != len - NETMSG_HDRLEN)
		abort();
	if (netmsg_data_hdr(hdr, md.hops, md.from_node, md.from_service,
	    md.to_node, md.to_service, &errstr) == -1)
		abort();
	/* Bytes 2 and 3 are reserved: Go neither reads nor checks them. */
	if (memcmp(hdr, p, 2) != 0 || memcmp(hdr + 4, p + 4,
	    NETMSG_HDRLEN - 4) != 0)
		abort();
}

static void
fuzz_route(const uint8_t *p, size_t len)
{
	struct netmsg_route	 ru;
	struct gjbuf		 a, b;
	const char		*errstr;

	if (netmsg_route_decode(p, len, &ru, &errstr) == -1)
		return;
	gj_init(&a);
	gj_init(&b);
	if (netmsg_route_encode(&a, &ru) == -1)
		abort();
	netmsg_route_free(&ru);
	if (netmsg_route_decode(a.buf, a.len, &ru, &errstr) == -1 ||
	    netmsg_route_encode(&b, &ru) == -1)
		abort();
	same(&a, &b);
	netmsg_route_free(&ru);
	gj_free(&a);
	gj_free(&b);
}

static void
fuzz_svcad(const uint8_t *p, size_t len)
{
	struct netmsg_svcad	 ad;
	struct gjbuf		 a, b;
	const char		*errstr;

	if (netmsg_svcad_decode(p, len, &ad, &errstr) == -1)
		return;
	gj_init(&a);
	gj_init(&b);
	/* Go too refuses to marshal some times it parses (zone +24:00). */
	if (netmsg_svcad_encode(&a, &ad) == 0) {
		netmsg_svcad_free(&ad);
		if (netmsg_svcad_decode(a.buf, a.len, &ad, &errstr) == -1 ||
		    netmsg_svcad_encode(&b, &ad) == -1)
			abort();
		same(&a, &b);
	}
	netmsg_svcad_free(&ad);
	gj_free(&a);
	gj_free(&b);
}

static void
fuzz_unreach(const uint8_t *p, size_t len)
{
	struct netmsg_unreach	 un;
	struct gjbuf		 a, b;
	const char		*errstr;

	if (netmsg_unreach_decode(p, len, &un, &errstr) == -1)
		return;
	gj_init(&a);
	gj_init(&b);
	if (netmsg_unreach_encode(&a, &un) == -1)
		abort();
	netmsg_unreach_free(&un);
	if (netmsg_unreach_decode(a.buf, a.len, &un, &errstr) == -1 ||
	    netmsg_unreach_encode(&b, &un) == -1)
		abort();
	same(&a, &b);
	netmsg_unreach_free(&un);
	gj_free(&a);
	gj_free(&b);
}

/* A time that parses and formats must parse again to the same. */
static void
fuzz_time(const uint8_t *p, size_t len)
{
	struct gotime	 t, u;
	char		 buf[GOTIME_BUFLEN];
	int		 n;

	if (gotime_parse(&t, (const char *)p, len) == -1 ||
	    (n = gotime_format(buf, &t)) == -1)
		return;
	if (gotime_parse(&u, buf, n) == -1 || gotime_cmp(&t, &u) != 0 ||
	    t.off != u.off)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size == 0)
		return 0;
	switch (data[0]) {
	case NETMSG_DATA:
		fuzz_data(data, size);
		break;
	case NETMSG_ROUTE:
		fuzz_route(data, size);
		break;
	case NETMSG_SERVICE:
		fuzz_svcad(data, size);
		break;
	case SEL_UNREACH:
		fuzz_unreach(data + 1, size - 1);
		break;
	case SEL_TIME:
		fuzz_time(data + 1, size - 1);
		break;
	}
	return 0;
}
