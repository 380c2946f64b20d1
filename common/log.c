#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "log.h"

static enum log_level	 log_level = LOG_LEVEL_INFO;
static const char	*log_proc = "receptor";

static const char *const level_names[] = {
	[LOG_LEVEL_ERROR] = "ERROR",
	[LOG_LEVEL_WARNING] = "WARNING",
	[LOG_LEVEL_INFO] = "INFO",
	[LOG_LEVEL_DEBUG] = "DEBUG",
};

void
log_init(enum log_level level, const char *procname)
{
	log_level = level;
	log_procname(procname);
	/* Resolve the time zone now: a sandboxed child can't open it later. */
	tzset();
}

void
log_setlevel(enum log_level level)
{
	log_level = level;
}

enum log_level
log_getlevel(void)
{
	return log_level;
}

void
log_procname(const char *procname)
{
	log_proc = procname;
}

int
log_level_parse(const char *s, enum log_level *level)
{
	enum log_level	 l;

	for (l = LOG_LEVEL_ERROR; l <= LOG_LEVEL_DEBUG; l++) {
		if (strcasecmp(s, level_names[l]) == 0) {
			*level = l;
			return 0;
		}
	}
	return -1;
}

const char *
log_level_name(enum log_level level)
{
	return level_names[level];
}

void
vlog(enum log_level level, const char *fmt, va_list ap)
{
	char		 line[2048];
	struct tm	 tm;
	time_t		 now;
	size_t		 len;
	int		 n, saved_errno = errno;

	if (level > log_level)
		return;
	now = time(NULL);
	localtime_r(&now, &tm);
	n = snprintf(line, sizeof(line), "%s %04d/%02d/%02d %02d:%02d:%02d ",
	    level_names[level], tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
	    tm.tm_hour, tm.tm_min, tm.tm_sec);
	len = n;
	/* Debug lines say which process wrote them; Go has only one. */
	if (log_level == LOG_LEVEL_DEBUG) {
		n = snprintf(line + len, sizeof(line) - len, "%s: ", log_proc);
		len += n;
	}
	n = vsnprintf(line + len, sizeof(line) - len, fmt, ap);
	len = (n < 0 || (size_t)n >= sizeof(line) - len - 1) ?
	    sizeof(line) - 2 : len + n;
	line[len++] = '\n';
	(void)write(STDERR_FILENO, line, len);
	errno = saved_errno;
}

#define LOG_FN(name, level)					\
void								\
name(const char *fmt, ...)					\
{								\
	va_list ap;						\
								\
	va_start(ap, fmt);					\
	vlog(level, fmt, ap);					\
	va_end(ap);						\
}

LOG_FN(log_error, LOG_LEVEL_ERROR)
LOG_FN(log_warnx, LOG_LEVEL_WARNING)
LOG_FN(log_info, LOG_LEVEL_INFO)
LOG_FN(log_debug, LOG_LEVEL_DEBUG)

/* Like log_warnx, followed by ": " and strerror(errno). */
void
log_warn(const char *fmt, ...)
{
	char	 buf[1024];
	va_list	 ap;
	int	 saved_errno = errno;

	va_start(ap, fmt);
	(void)vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	log_warnx("%s: %s", buf, strerror(saved_errno));
	errno = saved_errno;
}

static int	 fatal_status = 1;

void
log_fatal_status(int status)
{
	fatal_status = status;
}

static __dead void
vfatal(int with_errno, const char *fmt, va_list ap)
{
	char	 buf[1024];
	int	 saved_errno = errno;

	(void)vsnprintf(buf, sizeof(buf), fmt, ap);
	if (with_errno)
		log_error("%s: %s: %s", log_proc, buf, strerror(saved_errno));
	else
		log_error("%s: %s", log_proc, buf);
	exit(fatal_status);
}

void
fatal(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	vfatal(1, fmt, ap);
}

void
fatalx(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	vfatal(0, fmt, ap);
}
