/*
 * Go's encoding/json byte for byte: a writer producing what json.Marshal
 * produces and a pull reader accepting what json.Unmarshal accepts, plus
 * the RFC 3339 text of Go's time.Time.
 */
#ifndef RECEPTOR_GOJSON_H
#define RECEPTOR_GOJSON_H

#include <stddef.h>
#include <stdint.h>

/* Go's time.Time as an instant and the offset of the zone it was in. */
struct gotime {
	int64_t		 sec;		/* since 1970-01-01T00:00:00Z */
	long		 nsec;
	int		 off;		/* seconds east of UTC */
};

/* time.Time{}, what an absent or null "Time" decodes to */
#define GOTIME_ZERO_SEC		(-62135596800LL)
#define GOTIME_BUFLEN		40

void	 gotime_now(struct gotime *);
int	 gotime_parse(struct gotime *, const char *, size_t);
int	 gotime_format(char [GOTIME_BUFLEN], const struct gotime *);
int	 gotime_cmp(const struct gotime *, const struct gotime *);

/*
 * Output grows as needed. After the first failure (memory, or a value Go
 * refuses to marshal) err says why and further appends do nothing.
 */
struct gjbuf {
	char		*buf;
	size_t		 len;
	size_t		 size;
	const char	*err;
};

void	 gj_init(struct gjbuf *);
void	 gj_free(struct gjbuf *);
void	 gj_raw(struct gjbuf *, const void *, size_t);
void	 gj_obj_open(struct gjbuf *);
void	 gj_obj_close(struct gjbuf *);
void	 gj_arr_open(struct gjbuf *);
void	 gj_arr_close(struct gjbuf *);
void	 gj_key(struct gjbuf *, const char *);
void	 gj_elem(struct gjbuf *);
void	 gj_str(struct gjbuf *, const char *);
/* The same for a string that may hold NUL bytes. */
void	 gj_strn(struct gjbuf *, const char *, size_t);
void	 gj_u64(struct gjbuf *, uint64_t);
void	 gj_i64(struct gjbuf *, int64_t);
void	 gj_float(struct gjbuf *, double);
void	 gj_bool(struct gjbuf *, int);
void	 gj_null(struct gjbuf *);
void	 gj_time(struct gjbuf *, const struct gotime *);

/* Length of the valid UTF-8 sequence at p (n > 0) as Go decodes it, or 0. */
size_t	 gj_utf8_len(const void *p, size_t);

/* Go's limit on nested arrays and objects */
#define GJ_MAXDEPTH		10000

/*
 * Reads one value, typed by the caller. Every call returns -1 once err
 * is set; the first error is kept.
 */
struct gjreader {
	const unsigned char	*p;
	const unsigned char	*end;
	int			 depth;
	int			 first;		/* just inside { or [ */
	const char		*err;
};

void	 gj_read_init(struct gjreader *, const void *, size_t);
int	 gj_read_end(struct gjreader *);
int	 gj_read_null(struct gjreader *);
int	 gj_read_obj(struct gjreader *);
int	 gj_read_key(struct gjreader *, struct gjbuf *);
int	 gj_read_arr(struct gjreader *);
int	 gj_read_elem(struct gjreader *);
int	 gj_read_str(struct gjreader *, struct gjbuf *);
int	 gj_read_rawstr(struct gjreader *, const char **, size_t *);
int	 gj_read_u64(struct gjreader *, uint64_t *, uint64_t);
int	 gj_read_float(struct gjreader *, double *);
int	 gj_read_bool(struct gjreader *, int *);
int	 gj_read_skip(struct gjreader *);
int	 gj_keyeq(const struct gjbuf *, const char *);

#endif
