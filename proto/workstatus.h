/*
 * A work unit's status file, byte for byte as Go receptor writes it
 * (pkg/workceptor StatusFileData), and the flock(2) on "status.lock"
 * that Go's daemon, Go's runner, workd and our runner all take around
 * every read and write of it, so a datadir can pass between them.
 */
#ifndef RECEPTOR_WORKSTATUS_H
#define RECEPTOR_WORKSTATUS_H

#include <stddef.h>
#include <stdint.h>

enum work_state {
	WORK_PENDING,
	WORK_RUNNING,
	WORK_SUCCEEDED,
	WORK_FAILED,
	WORK_CANCELED,
};

struct work_status {
	int64_t		 state;
	char		*detail;
	int64_t		 stdout_size;
	char		*work_type;
	/* ExtraData as compact JSON text, Go's bytes; "null" when none. */
	char		*extra;
};

/* Go's WorkStateToString: "Pending" .. "Canceled", else "Unknown: <n>". */
const char	*work_state_name(int64_t, char *buf, size_t len);
/* Go's IsComplete: Succeeded or Failed (Canceled is not). */
int		 work_state_complete(int64_t);

/*
 * Set every field to Go's zero value ("", 0, "null"). Those strings are
 * static: never free() a field by hand; work_status_clear() frees the
 * malloc'd ones (every other string a work_status holds).
 */
void		 work_status_init(struct work_status *);
void		 work_status_clear(struct work_status *);
/* Replace one of st's string fields by a copy of s; -1 if out of memory. */
int		 work_status_set(char **field, const char *s);
/* Replace *dst by a copy of src (strings duplicated). */
int		 work_status_copy(struct work_status *dst,
		    const struct work_status *src);

/*
 * The file's bytes: {"State":..,"Detail":..,"StdoutSize":..,"WorkType":..,
 * "ExtraData":..} and '\n', Go's escaping. Returns malloc'd text, *len set.
 */
char		*work_status_encode(const struct work_status *, size_t *len);
/*
 * Read the bytes as Go's json.Unmarshal reads them into a StatusFileData:
 * keys matched case-insensitively, unknown keys skipped, null leaves a
 * field as it was. On error (-1) err holds a reason naming what was wrong
 * and *st is unchanged.
 */
int		 work_status_decode(const char *buf, size_t len,
		    struct work_status *, char *err, size_t errlen);

/*
 * Under an exclusive flock of dirfd's "status.lock" (created 0600 and
 * truncated, as Go's lockedfile does). dirfd is the unit's directory.
 * Each returns -1 with err set on failure, touching nothing else.
 */
int		 work_status_load(int dirfd, struct work_status *, char *err,
		    size_t errlen);
int		 work_status_save(int dirfd, const struct work_status *,
		    char *err, size_t errlen);
/*
 * Go's UpdateFullStatus: load the file (when not empty), let fn change
 * it, truncate and write it back; *st (may be NULL) gets the result.
 */
int		 work_status_modify(int dirfd,
		    void (*fn)(struct work_status *, void *), void *arg,
		    struct work_status *st, char *err, size_t errlen);
/*
 * Go's UpdateBasicStatus: state, detail and (unless stdout_size is -1)
 * StdoutSize; the rest as the file has it.
 */
int		 work_status_update(int dirfd, int64_t state,
		    const char *detail, int64_t stdout_size,
		    struct work_status *st, char *err, size_t errlen);

#endif
