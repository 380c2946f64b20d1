/*
 * libFuzzer harness: arbitrary bytes as the packets a node sends to one
 * of our stream services, each 2-byte length (little-endian) and that
 * many bytes, all from one node and service. What a listener does with
 * them must neither crash nor leak: a packet ngtcp2 takes for a first
 * Initial starts a connection, whose answer has no route, which ends it.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <event2/event.h>

#include "netd.h"
#include "quic.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static struct service		*svc;

static int
accepted(const char *node, uint64_t conn, void *arg)
{
	abort();	/* no stream can start without our answers */
}

static void
setup(void)
{
	struct quictls	*qt;
	const char	*err;
	char		 why[256];

	mesh_init("fuzzed");
	if ((qt = quictls_new(NULL, 1, why, sizeof(why))) == NULL ||
	    quic_listen("control", qt, accepted, NULL, &err) == NULL)
		abort();
	svc = dgram_service("control");
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t	 len;

	if (svc == NULL)
		setup();
	while (size >= 2) {
		len = data[0] | data[1] << 8;
		data += 2;
		size -= 2;
		if (len > size)
			len = size;
		svc->ops->datagram(svc, "peer", "Ab3dE6gH", data, len);
		data += len;
		size -= len;
	}
	event_base_loop(netd_base(), EVLOOP_NONBLOCK);
	return 0;
}
