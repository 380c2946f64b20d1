/*
 * Control service requests: reading a line, parsing it into a command
 * the way Go receptor's RunControlSession does, and the parameter checks
 * of the built-in commands with Go's error texts.
 *
 * Every error text here is the message only; the session writes it as
 * "ERROR: <message>\n".
 */
#ifndef RECEPTOR_CTLCMD_H
#define RECEPTOR_CTLCMD_H

#include <stddef.h>
#include <stdint.h>

#include "proto.h"

struct json_object;

/* Go reads lines of any length; we refuse longer ones. */
#define CTL_LINE_MAX		65536
/* The reply to a command that is not known, "" included. */
#define CTL_REPLY_UNKNOWN	"ERROR: Unknown command\n"
/* The detail of a line longer than CTL_LINE_MAX (ours, not Go's). */
#define CTL_ERR_TOOLONG		"line too long"

/*
 * A request line being read. Bytes are fed as they arrive; '\r' is
 * dropped wherever it appears and nothing past the '\n' is consumed, so
 * whatever follows (a payload) stays with the caller.
 */
struct ctl_line {
	char		 buf[CTL_LINE_MAX + 1];	/* NUL-terminated */
	size_t		 len;
	int		 toolong;
	int		 complete;
};

enum ctl_line_status {
	CTL_LINE_MORE,		/* no '\n' yet: feed more */
	CTL_LINE_DONE,		/* buf/len hold the line, without '\n' */
	CTL_LINE_TOOLONG,	/* a line over CTL_LINE_MAX was skipped */
};

void		 ctl_line_init(struct ctl_line *);
/*
 * Consume up to and including the first '\n' of data; *used tells how
 * many bytes were taken. After DONE or TOOLONG the next call starts a
 * new line.
 */
enum ctl_line_status ctl_line_feed(struct ctl_line *, const char *data,
		    size_t len, size_t *used);

enum ctlcmd_status {
	CTLCMD_EMPTY,		/* empty line: no reply at all */
	CTLCMD_OK,		/* look name up; unknown: CTL_REPLY_UNKNOWN */
	CTLCMD_ERROR,		/* send reply, then carry on with the session */
};

struct ctlcmd {
	/*
	 * Text form: the first word, lowercased; JSON form: "command" as
	 * given. "" when there is none (a leading space) or when it holds
	 * a NUL byte: both can only be unknown commands.
	 */
	char			*name;
	/* Text form: everything after the first space ("" if none). */
	char			*params;
	size_t			 params_len;
	/* JSON form: the request object; NULL for the text form. */
	struct json_object	*json;
	/* CTLCMD_ERROR: the whole reply, two "ERROR: " lines. */
	char			*reply;
};

/*
 * Parse one line (without its '\n'; any '\r' is dropped here too).
 * A line starting with '{' is JSON: a syntax error gets Go's
 * encoding/json text ("invalid character 'b' looking for beginning of
 * object key string", "unexpected end of JSON input"), a missing or
 * non-string command "JSON did not contain a command" or "command must
 * be a string", each followed by the line "ERROR: Unknown command" as Go
 * sends it. Clear the command with ctlcmd_clear() whatever the result.
 */
enum ctlcmd_status ctlcmd_parse(const char *line, size_t len,
		    struct ctlcmd *);
void		 ctlcmd_clear(struct ctlcmd *);

/* A JSON parameter: present and a string, absent, or of another type. */
enum ctlcmd_param {
	CTLP_OK,
	CTLP_ABSENT,
	CTLP_NOTSTRING,
};
/*
 * The string parameter key of a JSON command (a text command has none):
 * *val stays valid while cmd does; *len counts bytes, NUL included.
 */
enum ctlcmd_param ctlcmd_param_string(const struct ctlcmd *, const char *key,
		    const char **val, size_t *len);

/*
 * ping and traceroute: the target, text or JSON "target". Errors
 * "no <cmd> target", "<cmd> target must be string". A target whose
 * *len differs from strlen() holds a NUL and names no node.
 */
int		 ctlcmd_target(const struct ctlcmd *, const char **target,
		    size_t *len, char *err, size_t errlen);

/*
 * status: "status command does not take parameters" for text with any;
 * JSON "requested_fields" must be a list of strings ("each element of
 * requested_fields must be a string"). *fields is that list, or NULL for
 * every field. A non-list is an error here ("requested_fields must be a
 * list"); Go crashes on it.
 */
int		 ctlcmd_status_fields(const struct ctlcmd *,
		    struct json_object **fields, char *err, size_t errlen);

/* connect <node> <service> [<tlsclient>] */
struct ctl_connect {
	char		*node;
	size_t		 node_len;
	char		*service;
	size_t		 service_len;
	char		*tls;		/* NULL: no TLS */
	size_t		 tls_len;
};
/*
 * Text: split on every single space; fewer than two parts "no connect
 * target", more than three "too many parameters"; an empty third part
 * (a trailing space) means no TLS. JSON "node", "service", "tls": "no
 * connect target node", "connect target node must be string", "no
 * connect target service", "connect target service must be string",
 * "connect tls name must be string". Free with ctl_connect_clear().
 */
int		 ctlcmd_connect(const struct ctlcmd *, struct ctl_connect *,
		    char *err, size_t errlen);
void		 ctl_connect_clear(struct ctl_connect *);

/*
 * A work command, its parameters read as Go's workceptor InitFromString
 * and InitFromJSON read them, plus the checks its ControlFunc makes
 * before it looks at any unit or work type. Strings are NUL-terminated;
 * NULL means absent. Free with ctl_work_clear().
 */
struct ctl_work {
	enum ctl_work_sub	 sub;
	char			*unitid;	/* list: NULL for every unit */
	int64_t			 startpos;	/* results */
	char			*signature;
	/* submit */
	char			*node;
	char			*worktype;
	char			*tlsclient;
	char			*ttl;
	int			 signwork;	/* "signwork":"true" */
	/*
	 * The work params: a JSON object of strings, every key that is
	 * not command, subcommand, node, worktype, tlsclient, ttl,
	 * signwork or signature; the text form's words after the work
	 * type become "params". Never NULL for submit.
	 */
	struct json_object	*params;
};

/*
 * Parse cmd (named "work") into *w. -1 with Go's text in err: "field
 * subcommand missing", "work submit requires a target node and work
 * type", "work <sub> requires a unit ID", "work <sub> does not take
 * parameters after the unit ID", "error converting start position to
 * integer: ...", "field startpos value <v> is not convertible to an
 * int", "submit parameters must all be strings and <k> is not", "field
 * <k> missing", "field <k> must be a string", "bad command", ...
 */
int		 ctlcmd_work(const struct ctlcmd *, struct ctl_work *,
		    char *err, size_t errlen);
void		 ctl_work_clear(struct ctl_work *);

#endif
