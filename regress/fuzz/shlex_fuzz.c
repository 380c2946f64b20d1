/*
 * libFuzzer harness: arbitrary text as a command's parameters.
 *
 * Text that splits must give words that, quoted again with single quotes,
 * split back to the same words; text that doesn't must give one of
 * shlex's two errors.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "shlex.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static char	*quote(char **, size_t);

/* 'it'\''s': each quote closes the string, is escaped, and reopens it. */
static char *
quote(char **argv, size_t argc)
{
	size_t	 i, len = 1;
	char	*s, *o, *p;

	for (i = 0; i < argc; i++)
		len += 3 + strlen(argv[i]) * 4;
	if ((s = o = malloc(len)) == NULL)
		abort();
	for (i = 0; i < argc; i++) {
		*o++ = '\'';
		for (p = argv[i]; *p != '\0'; p++) {
			if (*p == '\'') {
				memcpy(o, "'\\''", 4);
				o += 4;
			} else
				*o++ = *p;
		}
		*o++ = '\'';
		*o++ = ' ';
	}
	*o = '\0';
	return s;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char	 err[64], *s, *q, **argv, **again;
	size_t	 argc, nagain, i;

	if ((s = strndup((const char *)data, size)) == NULL)
		return 0;
	if (shlex_split(s, &argv, &argc, err, sizeof(err)) == -1) {
		if (strcmp(err, "EOF found after escape character") != 0 &&
		    strcmp(err, "EOF found when expecting closing quote") != 0 &&
		    strcmp(err, "out of memory") != 0)
			abort();
		free(s);
		return 0;
	}
	if (argv[argc] != NULL)
		abort();
	q = quote(argv, argc);
	if (shlex_split(q, &again, &nagain, err, sizeof(err)) == -1 ||
	    nagain != argc)
		abort();
	for (i = 0; i < argc; i++)
		if (strcmp(argv[i], again[i]) != 0)
			abort();
	shlex_free(again);
	shlex_free(argv);
	free(q);
	free(s);
	return 0;
}
