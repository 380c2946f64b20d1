/*
 * rcptctl: the command-line client of the control service, after Go
 * receptor's Python receptorctl: same socket forms, requests and output.
 */
#ifndef RCPTCTL_H
#define RCPTCTL_H

#include <stdio.h>

#include <json-c/json.h>

#ifndef __dead
#define __dead __attribute__((__noreturn__))
#endif

struct rcptctl;

/* rcptctl.c */
struct command {
	const char	*name;
	int		(*run)(struct rcptctl *, int, char **);
};
const struct command *command_find(const struct command *, size_t,
		    const char *);
struct conn	*rcptctl_conn(struct rcptctl *);
void		 rcptctl_close(struct rcptctl *);
const char	*rcptctl_server_version(struct rcptctl *);
__dead void	 usage(FILE *, int);
__dead void	 die(const char *, ...) __attribute__((format(printf, 1, 2)));
void		 die_status(int);
void		 write_stdout(const void *, size_t);
void		 warning(const char *, ...)
		    __attribute__((format(printf, 1, 2)));
void		 error_line(const char *, ...)
		    __attribute__((format(printf, 1, 2)));

/* sockurl.c */
enum sockurl_kind {
	SOCKURL_UNIX,
	SOCKURL_TCP,
	SOCKURL_TLS,
};
struct sockurl {
	enum sockurl_kind	 kind;
	char			*path;		/* unix */
	char			*host;		/* tcp, tls */
	char			*port;
};
int	sockurl_parse(const char *, struct sockurl *);
void	sockurl_clear(struct sockurl *);

/* conn.c */
struct tls;
struct conn {
	int		 fd;
	FILE		*in;
	struct tls	*tls;		/* tls:// */
	char		*peer;		/* tls://: host:port, for errors */
	int		 halfclosed;	/* conn_halfclose() done */
};
/* For tls://: files, none NULL for none, and receptorctl's flag. */
struct conn_tls {
	const char	*rootcas;
	const char	*cert;
	const char	*key;
	int		 insecureskipverify;
};
/* What a non-blocking connection waits for. */
#define CONN_WANT_READ		(-2)
#define CONN_WANT_WRITE		(-3)
/* A reply line longer than this is cut. */
#define CONN_LINE_MAX		65536
void			 conn_open(struct conn *, const char *,
			    const struct conn_tls *);
void			 conn_close(struct conn *);
void			 conn_greeting(struct conn *);
void			 conn_connect(struct conn *, const char *, const char *,
			    const char *);
struct json_object	*conn_request(struct conn *, const char *, char **);
struct json_object	*conn_command(struct conn *, const char *);
void			 conn_write(struct conn *, const char *, size_t);
char			*conn_readline(struct conn *);
char			*conn_readline_exact(struct conn *);
ssize_t			 conn_recv(struct conn *, void *, size_t);
ssize_t			 conn_send(struct conn *, const void *, size_t);
ssize_t			 conn_shutdown(struct conn *);
void			 conn_halfclose(struct conn *);

/* pyjson.c: Python's json.dumps(indent=4, sort_keys=True) and str() */
struct json_object *pyjson_get(struct json_object *, const char *);
void	pyjson_dump(FILE *, struct json_object *);
void	pyjson_dumps(FILE *, struct json_object *);
char	*pyjson_repr(const char *);
void	pyjson_str(FILE *, struct json_object *);
int	pyjson_len(const char *);
void	pyjson_pad(FILE *, const char *, int);
char	*pyjson_strdup(struct json_object *);

/* status.c */
int	status_text(FILE *, struct json_object *, const char **);
void	status_dot(FILE *, struct json_object *);

/* commands.c: each returns the exit status */
struct option;
#define HELP_OPTION	{ "help", no_argument, NULL, 'h' }
#define OPTIONS_END	{ NULL, 0, NULL, 0 }
int	next_option(int, char **, const char *, const struct option *);
void	operands(int, char **, int, int, const char *);
int	cmd_status(struct rcptctl *, int, char **);
int	cmd_ping(struct rcptctl *, int, char **);
int	cmd_traceroute(struct rcptctl *, int, char **);
int	cmd_reload(struct rcptctl *, int, char **);
int	cmd_version(struct rcptctl *, int, char **);

/* privileges.c */
int	cmd_privileges(struct rcptctl *, int, char **);

/* connect.c */
int	cmd_connect(struct rcptctl *, int, char **);

/* work.c */
int	cmd_work(struct rcptctl *, int, char **);

#endif
