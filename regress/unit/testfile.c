/* Small files for the unit tests: written whole, read whole. */
#include <atf-c.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "testfile.h"

void
put_file(const char *path, const char *text)
{
	int	 fd;

	ATF_REQUIRE_MSG((fd = open(path, O_WRONLY | O_CREAT | O_TRUNC,
	    0600)) != -1, "%s", path);
	ATF_REQUIRE(write(fd, text, strlen(text)) == (ssize_t)strlen(text));
	close(fd);
}

char *
get_file(const char *path)
{
	static char	 buf[65536];
	ssize_t		 n;
	int		 fd;

	ATF_REQUIRE_MSG((fd = open(path, O_RDONLY)) != -1, "%s", path);
	ATF_REQUIRE((n = read(fd, buf, sizeof(buf) - 1)) >= 0);
	buf[n] = '\0';
	close(fd);
	return buf;
}
