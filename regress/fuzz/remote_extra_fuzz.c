/*
 * libFuzzer harness: arbitrary bytes as a remote unit's ExtraData, which
 * anyone who can write the datadir could have put there.
 *
 * What decodes must encode to text that decodes and encodes to the same
 * bytes again: nothing read is lost or changed on the way back to disk.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "workd.h"
#include "remote.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static char *
encoded(const struct remote *r)
{
	struct gjbuf	 b;
	char		*s;

	gj_init(&b);
	remote_encode(&b, r, 0);
	gj_raw(&b, "", 1);
	if (b.err != NULL)
		return NULL;
	if ((s = strdup(b.buf)) == NULL)
		abort();
	gj_free(&b);
	return s;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct remote	*r, *again;
	char		*text, *once, *twice;

	if ((text = strndup((const char *)data, size)) == NULL)
		abort();
	r = remote_new(NULL);
	if (remote_decode(r, text) == 0 && (once = encoded(r)) != NULL) {
		again = remote_new(NULL);
		if (remote_decode(again, once) == -1 ||
		    (twice = encoded(again)) == NULL ||
		    strcmp(once, twice) != 0)
			abort();
		free(twice);
		free(once);
		remote_free(again);
	}
	remote_free(r);
	free(text);
	return 0;
}
