#ifndef RECEPTOR_UTIL_H
#define RECEPTOR_UTIL_H

#include <sys/types.h>

int	mkdir_p(const char *, mode_t, int *created);

#endif
