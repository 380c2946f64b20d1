/*
 * Starting the children, the start-up handshake and reaping them.
 *
 * Each child is exec'd from its own binary with its parent channel on
 * descriptor 3. The parent then sends HELLO (log level and sandbox
 * settings; the child confines itself on receipt), one channel to each
 * sibling (IMSG_PEER_FD), and waits until every child reports that both
 * siblings answered (IMSG_PEERS_READY) before any configuration flows.
 */
#include <sys/socket.h>
#include <sys/wait.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "proc.h"
#include "proto.h"
#include "receptor.h"

static void	child_spawn(struct child *);
static void	child_hello(struct child *);
static void	children_connect(void);
static void	parent_dispatch_child(struct imsgev *, struct imsg *);
static int	child_report(struct child *, int status);
static struct child *child_by_pid(pid_t);
static void	parent_reload(struct child *, uint32_t);

void
children_start(void)
{
	enum proc_role	 r;

	for (r = ROLE_NETD; r < ROLE_COUNT; r++) {
		rc->children[r].role = r;
		child_spawn(&rc->children[r]);
	}
	for (r = ROLE_NETD; r < ROLE_COUNT; r++)
		child_hello(&rc->children[r]);
	children_connect();
}

static void
child_spawn(struct child *c)
{
	char		 path[4200];
	char		*argv[2];
	int		 sv[2];

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0,
	    sv) == -1)
		fatal("socketpair");
	(void)snprintf(path, sizeof(path), "%s/%s", rc->libexec,
	    role_name(c->role));
	switch (c->pid = fork()) {
	case -1:
		fatal("fork");
	case 0:
		/* dup2 clears close-on-exec; a no-op dup2 would not. */
		if (sv[1] == PROC_PARENT_FD &&
		    fcntl(sv[1], F_SETFD, 0) == -1)
			_exit(127);
		if (sv[1] != PROC_PARENT_FD &&
		    dup2(sv[1], PROC_PARENT_FD) == -1)
			_exit(127);
		argv[0] = (char *)role_name(c->role);
		argv[1] = NULL;
		/*
		 * GnuTLS initialises itself as it loads, some 3 MB of netd's
		 * memory before any stream needs it; netd does it then.
		 */
		if (c->role == ROLE_NETD &&
		    setenv("GNUTLS_NO_IMPLICIT_INIT", "1", 1) == -1)
			_exit(127);
		execv(path, argv);
		log_warn("exec %s", path);
		_exit(127);
	}
	close(sv[1]);
	imsgev_init(&c->iev, rc->base, sv[0], role_name(c->role),
	    parent_dispatch_child, c);
	log_debug("started %s, pid %ld", role_name(c->role), (long)c->pid);
}

static void
child_hello(struct child *c)
{
	struct hello	 hello;
	struct msgbuild	 mb;

	memset(&hello, 0, sizeof(hello));
	hello.loglevel = log_getlevel();
	hello.sandbox.user = rc->cmd.user != NULL ? rc->cmd.user :
	    RECEPTOR_USER;
	hello.sandbox.chroot = RECEPTOR_CHROOT;
	hello.sandbox.datadir = config_datadir(rc->conf);
	hello.sandbox.trap = rc->cmd.sandbox_trap;
	msg_init(&mb);
	hello_encode(&hello, &mb);
	if (imsgev_msg(&c->iev, &mb, IMSG_HELLO, 0, -1) == -1)
		fatal("hello to %s", role_name(c->role));
}

/* One socketpair for each pair of children, an end to each. */
static void
children_connect(void)
{
	struct msgbuild	 mb;
	enum proc_role	 a, b;
	int		 sv[2];

	for (a = ROLE_NETD; a < ROLE_COUNT; a++) {
		for (b = a + 1; b < ROLE_COUNT; b++) {
			if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC |
			    SOCK_NONBLOCK, 0, sv) == -1)
				fatal("socketpair");
			msg_init(&mb);
			msg_add_u32(&mb, b);
			if (imsgev_msg(&rc->children[a].iev, &mb,
			    IMSG_PEER_FD, 0, sv[0]) == -1)
				fatal("peer channel to %s", role_name(a));
			msg_init(&mb);
			msg_add_u32(&mb, a);
			if (imsgev_msg(&rc->children[b].iev, &mb,
			    IMSG_PEER_FD, 0, sv[1]) == -1)
				fatal("peer channel to %s", role_name(b));
		}
	}
}

static void
parent_dispatch_child(struct imsgev *iev, struct imsg *imsg)
{
	struct child	*c = iev->arg;
	struct msgread	 mr;
	enum proc_role	 r;
	uint32_t	 gen;

	if (imsg == NULL) {
		/* The child's exit status, when it died, follows on reaping. */
		if (!rc->stopping) {
			log_error("lost the channel to %s, shutting down",
			    role_name(c->role));
			receptor_stop(EXIT_RUNTIME);
		}
		return;
	}
	switch (imsg->hdr.type) {
	case IMSG_PEERS_READY:
		if (c->peers_ready++)
			break;
		msg_read_init(&mr, imsg);
		c->landlock_abi = msg_get_u32(&mr);
		c->landlock_why = msg_get_str(&mr);
		if (msg_read_end(&mr) == -1 || c->landlock_why == NULL) {
			log_error("malformed message from %s",
			    role_name(c->role));
			receptor_stop(EXIT_RUNTIME);
			return;
		}
		for (r = ROLE_NETD; r < ROLE_COUNT; r++)
			if (!rc->children[r].peers_ready)
				return;
		reconf_send();
		break;
	case IMSG_RECONF_APPLIED:
		msg_read_init(&mr, imsg);
		gen = msg_get_u32(&mr);
		if (msg_read_end(&mr) == -1) {
			log_error("malformed message from %s",
			    role_name(c->role));
			receptor_stop(EXIT_RUNTIME);
			return;
		}
		reconf_applied(c, gen);
		break;
	case IMSG_WORK_LAUNCH:
	case IMSG_WORK_WATCH:
	case IMSG_WORK_SIGNAL:
		if (c->role == ROLE_WORKD) {
			launch_dispatch(&c->iev, imsg);
			break;
		}
		log_warnx("unexpected message %u from %s", imsg->hdr.type,
		    role_name(c->role));
		break;
	case IMSG_PROXY_CONNECT:
		if (c->role == ROLE_NETD) {
			proxysock_connect(&c->iev, imsg);
			break;
		}
		log_warnx("unexpected message %u from %s", imsg->hdr.type,
		    role_name(c->role));
		break;
	case IMSG_AUDIT_REPLY:
		audit_answer(c, imsg);
		break;
	case IMSG_CTL_PRIVILEGES:
		if (c->role == ROLE_CTLD) {
			audit_request(&c->iev, imsg->hdr.peerid);
			break;
		}
		/* FALLTHROUGH */
	case IMSG_CTL_RELOAD:
		if (c->role == ROLE_CTLD) {
			parent_reload(c, imsg->hdr.peerid);
			break;
		}
		/* FALLTHROUGH */
	default:
		log_warnx("unexpected message %u from %s", imsg->hdr.type,
		    role_name(c->role));
	}
}

/* A child leaves when its channel to us closes. */
void
children_close(void)
{
	enum proc_role	 r;

	for (r = ROLE_NETD; r < ROLE_COUNT; r++)
		imsgev_clear(&rc->children[r].iev);
}

void
children_signal(int sig)
{
	enum proc_role	 r;

	for (r = ROLE_NETD; r < ROLE_COUNT; r++)
		if (rc->children[r].pid > 0)
			(void)kill(rc->children[r].pid, sig);
}

int
children_alive(void)
{
	enum proc_role	 r;
	int		 n = 0;

	for (r = ROLE_NETD; r < ROLE_COUNT; r++)
		n += rc->children[r].pid > 0;
	return n;
}

void
children_reap(void)
{
	struct child	*c;
	pid_t		 pid;
	int		 status;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		if ((c = child_by_pid(pid)) == NULL)
			continue;
		c->pid = 0;
		imsgev_clear(&c->iev);
		receptor_stop(child_report(c, status));
	}
	if (pid == -1 && errno != ECHILD)
		log_warn("waitpid");
}

/*
 * A clean exit during shutdown is expected (returns 0); anything else is
 * what brought the daemon down, so it is said loudly.
 */
static int
child_report(struct child *c, int status)
{
	const char	*name = role_name(c->role);
	int		 sig;

	if (rc->stopping && WIFEXITED(status) && WEXITSTATUS(status) == 0) {
		log_debug("%s exited", name);
		return 0;
	}
	if (WIFEXITED(status)) {
		log_error("%s exited with status %d", name,
		    WEXITSTATUS(status));
		return EXIT_RUNTIME;
	}
	sig = WTERMSIG(status);
	if (sig == SIGSYS)
		log_error("%s was killed by signal %d (SIGSYS): it broke its "
		    "sandbox (a forbidden system call)", name, sig);
	else
		log_error("%s was killed by signal %d (%s)", name, sig,
		    strsignal(sig));
	return EXIT_RUNTIME;
}

static struct child *
child_by_pid(pid_t pid)
{
	enum proc_role	 r;

	for (r = ROLE_NETD; r < ROLE_COUNT; r++)
		if (rc->children[r].pid == pid)
			return &rc->children[r];
	return NULL;
}

/* The control service's reload: Go's reply code (0, 3 or 4) and why. */
static void
parent_reload(struct child *c, uint32_t reqid)
{
	struct msgbuild	 mb;
	char		 err[1024] = "";
	int		 code;

	code = reconf_reload(err, sizeof(err));
	if (code != 0)
		log_warnx("Reload not successful: %s", err);
	msg_init(&mb);
	msg_add_u32(&mb, code);
	msg_add_str(&mb, err);
	if (imsgev_msg(&c->iev, &mb, IMSG_CTL_RELOAD_REPLY, reqid, -1) == -1)
		log_warn("reload reply to ctld");
}
