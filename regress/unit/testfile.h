/* Small files for the unit tests: written whole, read whole. */
#ifndef RECEPTOR_TESTFILE_H
#define RECEPTOR_TESTFILE_H

void	 put_file(const char *path, const char *text);
/* The file's text, in a buffer the next call reuses. */
char	*get_file(const char *path);

#endif
