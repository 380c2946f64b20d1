/*
 * The life of a child process (netd, workd, ctld): the start-up handshake
 * with the parent and the two sibling processes, the sandbox, receiving
 * its part of the configuration, and exit when any channel closes.
 */
#ifndef RECEPTOR_PROC_H
#define RECEPTOR_PROC_H

#include <event2/event.h>

#include "config.h"
#include "imsgev.h"
#include "log.h"
#include "sandbox.h"

/* The parent channel is on this descriptor when a child starts. */
#define PROC_PARENT_FD		3

/* Set to a child's role name to make it try a forbidden syscall. */
#define PROC_SELFTEST_ENV	"RECEPTOR_SANDBOX_SELFTEST"

struct child_ops {
	enum proc_role	 role;
	/* Before the sandbox closes: load what can't be read later. */
	void		(*init)(void);
	/* The configuration changed (child_config() is the new one). */
	void		(*configure)(const struct config *old);
	/* Messages beyond the handshake, from the parent or a sibling. */
	void		(*dispatch)(enum proc_role from, struct imsg *);
};

__dead void	 child_main(const struct child_ops *);
struct imsgev	*child_channel(enum proc_role);
struct event_base *child_base(void);
const struct config *child_config(void);
const unsigned char *child_file(const char *path, size_t *len);

/* Build and read the HELLO message the parent sends each child. */
struct hello {
	uint32_t		 loglevel;
	struct sandbox_conf	 sandbox;
};
void	hello_encode(const struct hello *, struct msgbuild *);
int	hello_decode(struct msgread *, struct hello *);
void	hello_clear(struct hello *);

#endif
