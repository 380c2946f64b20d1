/*
 * workd: work units in Go receptor's datadir layout. Units live in
 * <datadir>/<node ID>/<unit ID>/ (status, status.lock, stdin, stdout);
 * workd takes payloads into stdin, has the parent launch and signal the
 * runners that own the commands, and streams stdout back.
 */
#ifndef RECEPTOR_WORKD_H
#define RECEPTOR_WORKD_H

#include <sys/queue.h>
#include <sys/tree.h>
#include <sys/types.h>
#include <stdint.h>

#include <event2/event.h>

#include "imsg.h"
#include "proto.h"
#include "util.h"
#include "workstatus.h"

/* Go's GetResults: how often a follower looks for more output. */
#define RESULTS_POLL_MS		250
#define RESULTS_WAIT_STDOUT_MS	500

struct gjbuf;
struct work_req;

/* A cancel or release waiting for the unit's runner to end. */
struct unit_waiter {
	TAILQ_ENTRY(unit_waiter) entry;
	uint32_t		 reqid;
	int			 release;	/* 0 cancel, 1 release, 2 force */
};
TAILQ_HEAD(unit_waiters, unit_waiter);

struct results;
TAILQ_HEAD(results_list, results);

/* A payload being taken from the client into the unit's stdin. */
struct submit {
	struct unit	*unit;
	uint32_t	 reqid;
	int		 sock;
	int		 stdinfd;
	struct event	*ev;
	char		*given;		/* params given at submit */
};

struct remote;

struct unit {
	RB_ENTRY(unit)		 entry;
	char			 id[UNIT_ID_MAX + 1];
	struct work_status	 st;		/* as last read or written */
	int			 command;	/* a configured work-command */
	struct remote		*remote;	/* work type "remote" */
	char			*params;	/* its command's, all of them */
	pid_t			 runner;	/* ExtraData's Pid while it runs */
	struct submit		*submit;	/* payload being taken */
	struct unit_waiters	 waiters;
	struct results_list	 results;
};
RB_HEAD(unit_tree, unit);
RB_PROTOTYPE(unit_tree, unit, entry, unit_cmp);

/* workd.c */
void		 workd_reply(uint32_t reqid, enum work_reply, const char *);
void		 workd_to_parent(uint32_t type, const char *unit, pid_t);

/* store.c */
extern struct unit_tree	 units;
int		 unit_cmp(const struct unit *, const struct unit *);
void		 store_open(const char *datadir, const char *node);
void		 store_scan(void);
struct unit	*unit_find(const char *);
struct unit	*unit_create(const char *worktype, int remote, char *err,
		    size_t);
int		 unit_dir(const struct unit *);
int		 unit_open(const struct unit *, const char *, int flags);
void		 unit_remove(struct unit *, int force, char *err, size_t);
void		 unit_forget(struct unit *);
int		 unit_update(struct unit *, int64_t state, const char *detail,
		    int64_t stdout_size);
int		 unit_save(struct unit *);
char		*unit_extra(const struct unit *, pid_t);
int		 unit_set_runner(struct unit *, pid_t);
int		 unit_reload(struct unit *);
int64_t		 unit_stdout_size(struct unit *);
const char	*go_strerror(int);

/* command.c */
const struct cfg_item *worktype_find(const char *);
void		 command_extra(const char *, pid_t *, char **params);
void		 command_launch(struct submit *);
void		 command_launched(const char *unit, pid_t, const char *err);
void		 command_gone(const char *unit, pid_t);
void		 command_restart(struct unit *);
void		 command_cancel(struct unit *, uint32_t reqid, int release);

/* submit.c */
void		 submit_start(uint32_t reqid, struct unit *, int fd,
		    const char *given);
void		 submit_started(struct submit *, const char *result);
void		 submit_fail(struct submit *, const char *, const char *);
void		 submit_free(struct submit *);

/* remote.c */
void		 remote_init(struct unit *, const char *node,
		    const char *worktype, const char *tlsclient, int64_t ttl,
		    int signwork);
void		 remote_start(struct submit *);
void		 remote_cancel(struct unit *, uint32_t reqid, int release);
void		 remote_restart(struct unit *);
void		 remote_forget(struct unit *);

/* sign.c */
/* Go's default lifetime of a token (work-signing's tokenexpiration) */
#define SIGN_LIFETIME_DEFAULT	(5 * 60 * 1000000000LL)
int		 sign_token(const char *node, char **token, char *err,
		    size_t);
int		 sign_verify(const char *token, char *err, size_t);

/* results.c */
void		 results_start(struct unit *, int fd, int64_t startpos);
void		 results_wake(struct unit *);
void		 results_end_all(struct unit *);

/* control.c */
void		 control_work(struct imsg *);
void		 control_status(struct gjbuf *, struct unit *);
void		 control_done(struct unit *, uint32_t reqid, int release);
void		 control_cancel_reply(uint32_t reqid, const char *id,
		    int release, int pending);

#endif
