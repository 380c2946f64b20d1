#ifndef RECEPTOR_RECEPTOR_H
#define RECEPTOR_RECEPTOR_H

#include <sys/types.h>
#include <sys/socket.h>
#include <stdio.h>
#include <event2/event.h>

#include "config.h"
#include "imsgev.h"
#include "sandbox.h"

#define RECEPTOR_USER		"_receptor"
#define RECEPTOR_CHROOT		"/var/empty"
#define STOP_GRACE_SECONDS	5
/*
 * Exit statuses: a configuration the daemon cannot start with, as Go's,
 * and a failure once running, which receptor.service restarts (its
 * RestartPreventExitStatus= keeps a bad configuration from looping).
 */
#define EXIT_CONFIG		1
#define EXIT_RUNTIME		2
/*
 * As Go's net.Listen (the system's maximum): a burst of clients, AWX's
 * say, waits to be accepted rather than being refused with EAGAIN.
 */
#define LISTEN_BACKLOG		SOMAXCONN

struct conf_file {
	char		*path;
	unsigned char	*data;
	size_t		 len;
	unsigned int	 roles;		/* 1 << role of each child using it */
};

struct conf_files {
	struct conf_file *v;
	size_t		 n;
};

struct child {
	enum proc_role	 role;
	pid_t		 pid;		/* 0 once reaped */
	struct imsgev	 iev;
	int		 peers_ready;
	uint32_t	 applied;	/* config generation in force */
	uint32_t	 landlock_abi;	/* in force in it, 0: none */
	char		*landlock_why;	/* why none */
};

struct receptor {
	struct event_base	*base;
	struct child		 children[ROLE_COUNT];	/* ROLE_PARENT unused */
	struct config		*conf;
	struct conf_files	 files;		/* read for conf */
	struct cmdline		 cmd;
	int			 argc;
	char			**argv;
	char			 libexec[4096];	/* where the children live */
	uint32_t		 generation;	/* config last sent */
	int			 running;	/* initialization complete */
	int			 stopping;
	int			 exitcode;
	struct event		*ev_stop;	/* grace period timer */
};

extern struct receptor	*rc;

/* receptor.c */
void	receptor_stop(int exitcode);

/* audit.c */
void	caps_limit(void);
size_t	caps_kept(void);
int	caps_check_ports(const struct config *, char *, size_t);

void	audit_request(struct imsgev *ctld, uint32_t reqid);
void	audit_answer(struct child *, struct imsg *);
void	audit_plan(FILE *, const struct config *, const struct cmdline *);

/* launch.c */
void	launch_dispatch(struct imsgev *workd, struct imsg *);

/* cert.c */
int	cert_run(const struct cfg_item *, char *, size_t);

/* children.c */
void	children_start(void);
void	children_signal(int sig);
void	children_close(void);
void	children_reap(void);
int	children_alive(void);

/* A listening Unix socket, its lock and their files (unixsock.c). */
struct unixsock {
	int	 fd;
	int	 lockfd;
	char	*path;
	char	*lockpath;
};

/* ctlsock.c */
int	ctlsock_open(const struct config *, char *, size_t);
void	ctlsock_send(struct imsgev *);
void	ctlsock_close(void);

/* proxysock.c */
int	proxysock_open(const struct config *, char *, size_t);
void	proxysock_send(struct imsgev *);
void	proxysock_connect(struct imsgev *, struct imsg *);
void	proxysock_close(void);

/* unixsock.c */
int	unixsock_listen(const char *action, const char *path, long long mode,
	    struct unixsock *, char *, size_t);
void	unixsock_close(struct unixsock *);

/* datadir.c */
int	datadir_prepare(const struct config *, const char *user, char *,
	    size_t);

/* files.c */
int	files_load(const struct config *, struct conf_files *, char *,
	    size_t);
int	files_read(const char *, struct conf_file *, char *, size_t);
void	files_send(const struct conf_files *, struct child *);
void	files_free(struct conf_files *);

/* reconf.c */
void	reconf_send(void);
void	reconf_applied(struct child *, uint32_t generation);
int	reconf_reload(char *, size_t);
enum log_level reconf_log_level(const struct config *);

#endif
