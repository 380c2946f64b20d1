/*
 * libFuzzer harness: arbitrary text as a ws-peer URL, and split in two
 * as an Origin and Host pair and as a listener path and request path.
 *
 * A URL that parses must give a host, a port in range and a path that
 * starts with "/"; one that doesn't must say why.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "netd.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ws_url	 u;
	const char	*err = NULL;
	char		*s, *half;

	if ((s = malloc(size + 1)) == NULL)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	if (ws_url_parse(s, &u, &err) == 0) {
		if (*u.host == '\0' || u.port < 1 || u.port > 65535 ||
		    u.path[0] != '/' || u.hostport == NULL)
			abort();
		ws_url_free(&u);
	} else if (err == NULL)
		abort();
	half = s + strlen(s) / 2;
	(void)ws_origin_ok(half, s + strlen(s) / 3);
	(void)ws_path_match(s, half);
	free(s);
	return 0;
}
