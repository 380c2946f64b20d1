/*
 * libFuzzer harness: arbitrary bytes as a work unit's status file, which
 * the unit's own command could have written.
 *
 * Bytes that decode must encode to a file that decodes to the same
 * status; bytes that don't must leave the status as it was and say why.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "workstatus.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct work_status	 st, again;
	char			 err[256], *before, *after, *twice;
	size_t			 blen, alen, tlen;

	work_status_init(&st);
	if (work_status_set(&st.detail, "before") == -1 ||
	    work_status_set(&st.extra, "{\"Pid\":1}") == -1)
		abort();
	st.state = 42;
	if ((before = work_status_encode(&st, &blen)) == NULL)
		abort();
	err[0] = '\0';
	if (work_status_decode((const char *)data, size, &st, err,
	    sizeof(err)) == -1) {
		if ((after = work_status_encode(&st, &alen)) == NULL)
			abort();
		if (err[0] == '\0' || alen != blen ||
		    memcmp(before, after, blen) != 0)
			abort();
		free(after);
		free(before);
		work_status_clear(&st);
		return 0;
	}
	if ((after = work_status_encode(&st, &alen)) == NULL)
		abort();
	work_status_init(&again);
	if (work_status_decode(after, alen, &again, err, sizeof(err)) == -1 ||
	    (twice = work_status_encode(&again, &tlen)) == NULL)
		abort();
	if (tlen != alen || memcmp(after, twice, alen) != 0)
		abort();
	free(twice);
	free(after);
	free(before);
	work_status_clear(&again);
	work_status_clear(&st);
	return 0;
}
