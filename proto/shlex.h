/*
 * Splitting a command's parameters into words as Go receptor does with
 * github.com/google/shlex: whitespace separates, quotes and backslashes
 * as a POSIX shell's, '#' starts a comment, nothing is expanded.
 */
#ifndef RECEPTOR_SHLEX_H
#define RECEPTOR_SHLEX_H

#include <stddef.h>

/*
 * *argv gets a NULL-terminated array of words (free with shlex_free()),
 * *argc their number. -1 with err set to shlex's text ("EOF found when
 * expecting closing quote", "EOF found after escape character").
 */
int	shlex_split(const char *, char ***argv, size_t *argc, char *err,
	    size_t errlen);
void	shlex_free(char **);

#endif
