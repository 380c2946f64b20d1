/*
 * Go's time.Duration as text: the String() form the control service puts
 * in "TimeStr" and the ParseDuration() syntax config durations use.
 */
#ifndef RECEPTOR_GODURATION_H
#define RECEPTOR_GODURATION_H

#include <stddef.h>
#include <stdint.h>

/* Longest String() result ("-2562047h47m16.854775808s") and its NUL. */
#define GODURATION_STRLEN	32

/*
 * Write Go's Duration.String() of ns into buf: "0s", "1ns", "338.764µs"
 * (U+00B5), "1.5ms", "1m30s", "1h2m3.5s", "-2s". Returns the length.
 */
size_t	goduration_format(int64_t ns, char buf[GODURATION_STRLEN]);

/*
 * Go's time.ParseDuration: an optional sign, then one or more decimal
 * numbers with optional fraction and a unit (ns, us, µs, μs, ms, s, m,
 * h), e.g. "1h30m", "-1.5s", "300ms"; a bare "0" is zero. Returns 0 with
 * *ns set, or -1 with Go's error text ("time: invalid duration \"x\"",
 * "time: missing unit in duration ...", "time: unknown unit ...") in err
 * when errlen > 0.
 */
int	goduration_parse(const char *s, int64_t *ns, char *err,
	    size_t errlen);

#endif
