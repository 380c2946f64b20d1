/*
 * libFuzzer harness: arbitrary bytes as a TCP backend stream, fed to the
 * framer in chunks whose sizes the data chooses.
 *
 * The messages must be those a plain walk over the whole buffer finds,
 * in order, stopping with an error at a zero length.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "netmsg.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static struct netmsg_framer	 framer;

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t	*msg;
	const char	*errstr;
	uint8_t		 hdr[NETMSG_FRAMEHDR];
	size_t		 off = 0, end, walk = 0, len, n;
	int		 rv = 0, seed = size > 0 ? data[0] : 0;

	netmsg_framer_init(&framer);
	while (off < size && rv != -1) {
		end = off + 1 + (data[off] * 257u + seed) % 700;
		if (end > size)
			end = size;
		while (off < end && rv != -1) {
			off += netmsg_framer_feed(&framer, data + off,
			    end - off);
			while ((rv = netmsg_framer_next(&framer, &msg, &len,
			    &errstr)) == 1) {
				n = data[walk] | data[walk + 1] << 8;
				if (n == 0 || len != n ||
				    memcmp(msg, data + walk + 2, n) != 0 ||
				    netmsg_frame_hdr(hdr, len, &errstr) == -1 ||
				    memcmp(hdr, data + walk, 2) != 0)
					abort();
				walk += 2 + n;
			}
			if (rv == -1 && (size - walk < 2 ||
			    (data[walk] | data[walk + 1] << 8) != 0))
				abort();
		}
	}
	/* Unless stopped, what is left is less than a message. */
	if (rv != -1 && size - walk >= 2 &&
	    size - walk >= 2 + (size_t)(data[walk] | data[walk + 1] << 8))
		abort();
	return 0;
}
