/*
 * Remote units (work type "remote"): a local unit whose command runs on
 * another node, driven through that node's control service over mesh
 * streams netd dials, as Go's remoteUnit drives it.
 */
#ifndef RECEPTOR_WORKD_REMOTE_H
#define RECEPTOR_WORKD_REMOTE_H

#include "gojson.h"

/* Go's timings (remote_work.go, workunitbase.go) */
#define REMOTE_HELLO_TIMEOUT	5		/* s, for the greeting */
#define REMOTE_POLL_MS		1000		/* status and results */
#define REMOTE_RETRY_MIN_MS	1000		/* SuccessWorkSleep */
#define REMOTE_RETRY_MAX_MS	60000		/* MaxWorkSleep */
/*
 * Go waits for ever on a far node that stops answering; we give up on
 * it after these many seconds and fail, or try again, as it fits.
 */
#define REMOTE_REPLY_TIMEOUT	30
/* A status is answered at once: silence means the path is gone. */
#define REMOTE_STATUS_TIMEOUT	5
#define REMOTE_STARTED_TIMEOUT	600		/* the line after a payload */
/* Longest reply line taken from a far node. */
#define REMOTE_LINE_MAX		(1024 * 1024)

struct rconn;

struct remote_param {
	char		*key;
	char		*value;
};

/* What runs for the unit now, besides the expiry timer. */
enum remote_job {
	RJOB_NONE,
	RJOB_START,		/* submit and payload */
	RJOB_CANCEL,		/* cancel or release sent on */
	RJOB_MONITOR,		/* status and stdout followed */
};

struct remote {
	struct unit		*unit;

	/* Go's RemoteExtraData, in its order */
	char			*node;
	char			*worktype;
	struct remote_param	*params;	/* sorted by key */
	size_t			 nparams;
	char			*unitid;
	int			 started;
	int			 cancelled;
	int			 released;
	int			 signwork;
	char			*tlsclient;
	struct gotime		 expiration;	/* GOTIME_ZERO_SEC: none */

	enum remote_job		 job;
	int			 release;	/* RJOB_CANCEL: 0, 1, 2 force */
	int			 waiting;	/* a client, on reqid */
	uint32_t		 reqid;
	int			 for_release;	/* monitor until it is gone */
	struct rconn		*conn;		/* the job's session */
	struct rconn		*results;	/* the monitor's stdout copy */
	int			 stdoutfd;	/* where that goes */
	struct event		*ev_retry;	/* next try of the job */
	struct event		*ev_poll;	/* the monitor's next status */
	struct event		*ev_expire;
	int			 delay_ms;
	int			 polled_early;	/* since the last tick */
};

/* remote_data.c */
struct remote	*remote_new(struct unit *);
void		 remote_free(struct remote *);
int		 remote_decode(struct remote *, const char *extra);
void		 remote_encode(struct gjbuf *, const struct remote *,
		    int redacted);
void		 remote_param_set(struct remote *, const char *,
		    const char *);
int		 remote_has_secrets(const struct remote *);

/* remote.c */
int		 remote_save(struct remote *);

/* rconn.c: one session with a far node's control service */
typedef void	(*rconn_ready_fn)(struct rconn *, const char *err, void *);
typedef void	(*rconn_line_fn)(struct rconn *, const char *line,
		    const char *err, void *);
typedef void	(*rconn_copied_fn)(struct rconn *, const char *err, void *);

struct rconn	*rconn_open(const char *node, const char *tlsclient,
		    rconn_ready_fn, void *);
void		 rconn_close(struct rconn *);
void		 rconn_send(struct rconn *, const char *, size_t);
int		 rconn_send_file(struct rconn *, int fd);
void		 rconn_read_line(struct rconn *, int timeout, rconn_line_fn);
void		 rconn_copy(struct rconn *, int fd, rconn_copied_fn);
void		 rconn_dialed(struct imsg *);

#endif
