/*
 * Logging in Go receptor's line format: "<LEVEL> <YYYY/MM/DD> <HH:MM:SS> msg".
 * Every process writes each line with one write(2) to the shared stderr,
 * so lines of different processes never interleave.
 */
#ifndef RECEPTOR_LOG_H
#define RECEPTOR_LOG_H

#include <stdarg.h>

enum log_level {
	LOG_LEVEL_ERROR = 1,
	LOG_LEVEL_WARNING,
	LOG_LEVEL_INFO,
	LOG_LEVEL_DEBUG,
};

#ifndef __dead
#define __dead __attribute__((__noreturn__))
#endif

void	log_init(enum log_level, const char *procname);
void	log_setlevel(enum log_level);
/* The exit status of fatal() and fatalx(), 1 until set. */
void	log_fatal_status(int);
enum log_level log_getlevel(void);
void	log_procname(const char *);
int	log_level_parse(const char *, enum log_level *);
const char *log_level_name(enum log_level);

void	log_warn(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_warnx(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_error(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_info(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_debug(const char *, ...) __attribute__((format(printf, 1, 2)));
void	vlog(enum log_level, const char *, va_list)
	    __attribute__((format(printf, 2, 0)));
__dead void fatal(const char *, ...) __attribute__((format(printf, 1, 2)));
__dead void fatalx(const char *, ...) __attribute__((format(printf, 1, 2)));

#endif
