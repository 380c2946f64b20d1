/*
 * libFuzzer harness: arbitrary bytes as what a control client sends,
 * cut into lines by ctl_line_feed(); each line parsed and put through
 * every parameter helper as each built-in command, work's too.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <json.h>

#include "ctlcmd.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void	 check_line(const char *, size_t);

static void
check_line(const char *line, size_t len)
{
	static const char *const names[] = { "ping", "traceroute",
	    "status", "connect", "work" };
	struct ctlcmd		 cmd;
	struct ctl_connect	 c;
	struct ctl_work		 w;
	struct json_object	*fields;
	const char		*t;
	char			 err[256];
	size_t			 i, tlen;
	enum ctlcmd_status	 st;

	st = ctlcmd_parse(line, len, &cmd);
	if (st == CTLCMD_ERROR && (cmd.reply == NULL ||
	    strncmp(cmd.reply, "ERROR: ", 7) != 0 ||
	    strstr(cmd.reply, "\n" CTL_REPLY_UNKNOWN) == NULL))
		abort();
	if (st == CTLCMD_OK) {
		if (cmd.name == NULL || (cmd.json == NULL) ==
		    (cmd.params == NULL))
			abort();
		for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
			free(cmd.name);
			if ((cmd.name = strdup(names[i])) == NULL)
				abort();
			if (ctlcmd_target(&cmd, &t, &tlen, err,
			    sizeof(err)) == 0 && t[tlen] != '\0')
				abort();
			if (ctlcmd_status_fields(&cmd, &fields, err,
			    sizeof(err)) == 0 && fields != NULL)
				json_object_array_length(fields);
			if (ctlcmd_connect(&cmd, &c, err, sizeof(err)) == 0)
				ctl_connect_clear(&c);
			/* A parsed work command names what workd needs. */
			if (ctlcmd_work(&cmd, &w, err, sizeof(err)) == 0 &&
			    (w.sub == CTLW_BAD || (w.sub == CTLW_SUBMIT &&
			    (w.node == NULL || w.worktype == NULL)) ||
			    (w.sub != CTLW_SUBMIT && w.sub != CTLW_LIST &&
			    w.unitid == NULL)))
				abort();
			ctl_work_clear(&w);
		}
	}
	ctlcmd_clear(&cmd);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct ctl_line	 l;
	const char		*p = (const char *)data;
	size_t			 used;
	enum ctl_line_status	 st;

	ctl_line_init(&l);
	while (size > 0) {
		st = ctl_line_feed(&l, p, size, &used);
		if (used == 0 || used > size || l.len > CTL_LINE_MAX)
			abort();
		if (st == CTL_LINE_DONE)
			check_line(l.buf, l.len);
		p += used;
		size -= used;
	}
	/* The unterminated rest, as if it were a whole line. */
	if (!l.complete)
		check_line(l.buf, l.len);
	return 0;
}
