#include <errno.h>
#include <limits.h>
#include <malloc.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "proc.h"
#include "proto.h"
#include "sockets.h"

/* Files the config names, as the parent read them. */
struct child_file {
	char		*path;
	unsigned char	*data;
	size_t		 len;
};

struct child_files {
	struct child_file *v;
	size_t		 n;
};

/* A child's state: one channel per other process, its config. */
static struct {
	const struct child_ops	*ops;
	struct event_base	*base;
	struct imsgev		 chan[ROLE_COUNT];
	int			 peer_hello[ROLE_COUNT];
	int			 sandboxed;
	int			 ready;		/* PEERS_READY sent */
	struct config		*conf;		/* in force */
	struct config		*pending;	/* being received */
	struct child_files	 files;		/* what conf names */
	struct child_files	 pending_files;
	uint32_t		 generation;
} child;

static void	child_dispatch_parent(struct imsgev *, struct imsg *);
static void	child_dispatch_peer(struct imsgev *, struct imsg *);
static void	child_hello(struct imsg *);
static void	child_peer_fd(struct imsg *);
static void	child_reconf(struct imsg *);
static void	child_audit(uint32_t);
static void	child_check_ready(void);
static void	child_selftest(void);
static enum proc_role child_role_of(struct imsgev *);
static void	child_dispatch(enum proc_role, struct imsg *);
static void	child_file_add(struct msgread *);
static void	child_files_free(struct child_files *);

/* Made on first use, so that tests of a child's code get one too. */
struct event_base *
child_base(void)
{
	if (child.base == NULL && (child.base = event_base_new()) == NULL)
		fatalx("event_base_new failed");
	return child.base;
}

const struct config *
child_config(void)
{
	return child.conf;
}

struct imsgev *
child_channel(enum proc_role role)
{
	return child.chan[role].open ? &child.chan[role] : NULL;
}

__dead void
child_main(const struct child_ops *ops)
{
	child.ops = ops;
	log_init(LOG_LEVEL_INFO, role_name(ops->role));

	/*
	 * Signals are for the parent, which stops us in order by closing
	 * our channel; ^C on a terminal and systemd's stop reach the whole
	 * process group.
	 */
	signal(SIGINT, SIG_IGN);
	signal(SIGTERM, SIG_IGN);
	signal(SIGHUP, SIG_IGN);
	signal(SIGPIPE, SIG_IGN);

	imsgev_init(&child.chan[ROLE_PARENT], child_base(), PROC_PARENT_FD,
	    "parent", child_dispatch_parent, NULL);
	if (event_base_dispatch(child.base) == -1)
		fatalx("event loop failed");
	exit(0);
}

static enum proc_role
child_role_of(struct imsgev *iev)
{
	return (enum proc_role)(iev - child.chan);
}

static void
child_dispatch_parent(struct imsgev *iev, struct imsg *imsg)
{
	if (imsg == NULL) {
		/* The parent is gone: nobody supervises us any more. */
		log_debug("parent channel closed, exiting");
		exit(0);
	}
	switch (imsg->hdr.type) {
	case IMSG_HELLO:
		child_hello(imsg);
		break;
	case IMSG_PEER_FD:
		child_peer_fd(imsg);
		break;
	case IMSG_RECONF_START:
	case IMSG_RECONF_ITEM:
	case IMSG_RECONF_FILE:
	case IMSG_RECONF_DONE:
		child_reconf(imsg);
		break;
	case IMSG_AUDIT:
		child_audit(imsg->hdr.peerid);
		break;
	default:
		if (!child.ready)
			fatalx("message %u from parent before start-up ended",
			    imsg->hdr.type);
		child_dispatch(ROLE_PARENT, imsg);
	}
}

static void
child_dispatch_peer(struct imsgev *iev, struct imsg *imsg)
{
	enum proc_role	 from = child_role_of(iev);

	if (imsg == NULL) {
		/*
		 * A sibling stopped or died; either way the parent is bringing
		 * the daemon down and reports the one that failed.
		 */
		log_debug("channel to %s closed, exiting", role_name(from));
		exit(0);
	}
	if (imsg->hdr.type == IMSG_PEER_HELLO) {
		if (child.peer_hello[from]++)
			fatalx("second hello from %s", role_name(from));
		child_check_ready();
		return;
	}
	if (!child.ready)
		fatalx("message %u from %s before start-up ended",
		    imsg->hdr.type, role_name(from));
	child_dispatch(from, imsg);
}

static void
child_dispatch(enum proc_role from, struct imsg *imsg)
{
	if (child.ops->dispatch != NULL)
		child.ops->dispatch(from, imsg);
	else
		log_warnx("unexpected message %u from %s", imsg->hdr.type,
		    role_name(from));
}

static void
child_hello(struct imsg *imsg)
{
	struct msgread	 mr;
	struct hello	 hello;

	if (child.sandboxed)
		fatalx("second hello from parent");
	msg_read_init(&mr, imsg);
	if (hello_decode(&mr, &hello) == -1)
		fatalx("malformed hello from parent");
	log_setlevel(hello.loglevel);
	if (child.ops->init != NULL)
		child.ops->init();
	sandbox_enter(child.ops->role, &hello.sandbox);
	hello_clear(&hello);
	child.sandboxed = 1;
	log_debug("sandboxed, pid %ld", (long)getpid());
}

static void
child_peer_fd(struct imsg *imsg)
{
	struct msgread	 mr;
	uint32_t	 role;

	msg_read_init(&mr, imsg);
	role = msg_get_u32(&mr);
	if (msg_read_end(&mr) == -1 || imsg->fd == -1 || !child.sandboxed ||
	    role == ROLE_PARENT || role >= ROLE_COUNT ||
	    role == child.ops->role || child.chan[role].open)
		fatalx("bad peer channel from parent");
	imsgev_init(&child.chan[role], child.base, imsg->fd, role_name(role),
	    child_dispatch_peer, NULL);
	imsg->fd = -1;
	if (imsgev_compose(&child.chan[role], IMSG_PEER_HELLO, 0, -1, NULL,
	    0) == -1)
		fatal("hello to %s", role_name(role));
}

/* Ready once both siblings said hello on their channels. */
static void
child_check_ready(void)
{
	struct msgbuild	 mb;
	enum proc_role	 r;
	const char	*why;

	for (r = ROLE_NETD; r < ROLE_COUNT; r++)
		if (r != child.ops->role && !child.peer_hello[r])
			return;
	child.ready = 1;
	why = sandbox_landlock_unavailable();
	msg_init(&mb);
	msg_add_u32(&mb, sandbox_landlock_abi());
	msg_add_str(&mb, why != NULL ? why : "");
	if (imsgev_msg(&child.chan[ROLE_PARENT], &mb, IMSG_PEERS_READY, 0,
	    -1) == -1)
		fatal("ready to parent");
}

/* Config arrives item by item between START and DONE; then it is swapped. */
static void
child_reconf(struct imsg *imsg)
{
	struct msgread	 mr;
	struct cfg_item	*item;
	struct config	*old;
	uint32_t	 gen;

	if (!child.ready)
		fatalx("configuration before start-up ended");
	msg_read_init(&mr, imsg);
	switch (imsg->hdr.type) {
	case IMSG_RECONF_START:
		gen = msg_get_u32(&mr);
		if (msg_read_end(&mr) == -1 || child.pending != NULL)
			fatalx("bad configuration start from parent");
		child.pending = config_new();
		child.generation = gen;
		break;
	case IMSG_RECONF_ITEM:
		if (child.pending == NULL ||
		    (item = cfg_item_decode(&mr)) == NULL ||
		    msg_read_end(&mr) == -1)
			fatalx("bad configuration item from parent");
		TAILQ_INSERT_TAIL(&child.pending->items, item, entry);
		break;
	case IMSG_RECONF_FILE:
		if (child.pending == NULL)
			fatalx("bad configuration file from parent");
		child_file_add(&mr);
		break;
	case IMSG_RECONF_DONE:
		gen = msg_get_u32(&mr);
		if (msg_read_end(&mr) == -1 || child.pending == NULL ||
		    gen != child.generation)
			fatalx("bad configuration end from parent");
		old = child.conf;
		child.conf = child.pending;
		child.pending = NULL;
		child_files_free(&child.files);
		child.files = child.pending_files;
		memset(&child.pending_files, 0, sizeof(child.pending_files));
		if (child.ops->configure != NULL)
			child.ops->configure(old);
		config_free(old);
		/*
		 * Start-up and reloads free most of what they built (the
		 * seccomp filter, the old config); hand the pages back, as
		 * free() keeps them: they are a third of a child's private
		 * memory, which a machine of many nodes pays for each.
		 */
		malloc_trim(0);
		log_debug("configuration %u applied", gen);
		if (imsgev_compose_u32(&child.chan[ROLE_PARENT],
		    IMSG_RECONF_APPLIED, 0, gen) == -1)
			fatal("configuration applied to parent");
		child_selftest();
		break;
	}
}

/*
 * What only this process can see of itself for the parent's audit. The
 * reply holds as many sockets as a message does; the rest are later
 * descriptors, connections rather than listeners.
 */
static void
child_audit(uint32_t reqid)
{
	static uint64_t	 inodes[AUDIT_INODES_MAX];
	struct msgbuild	 mb;
	size_t		 i, n;

	n = socket_inodes(inodes, sizeof(inodes) / sizeof(inodes[0]));
	msg_init(&mb);
	msg_add_str(&mb, sandbox_root());
	msg_add_u32(&mb, n);
	for (i = 0; i < n; i++)
		msg_add_u64(&mb, inodes[i]);
	if (imsgev_msg(&child.chan[ROLE_PARENT], &mb, IMSG_AUDIT_REPLY, reqid,
	    -1) == -1)
		fatal("audit reply to parent");
}

static void
child_file_add(struct msgread *mr)
{
	struct child_files	*cf = &child.pending_files;
	struct child_file	*f;
	const void		*data;
	char			*path;
	unsigned char		*p;
	uint32_t		 more;
	size_t			 len;

	path = msg_get_str(mr);
	more = msg_get_u32(mr);
	data = msg_get_bytes(mr, &len);
	if (msg_read_end(mr) == -1 || path == NULL || more > 1 ||
	    (more && (cf->n == 0 ||
	    strcmp(cf->v[cf->n - 1].path, path) != 0)))
		fatalx("bad configuration file from parent");
	/* A file bigger than a message comes in pieces (receptor/files.c). */
	if (more) {
		free(path);
		f = &cf->v[cf->n - 1];
	} else {
		cf->v = reallocarray(cf->v, cf->n + 1, sizeof(*cf->v));
		if (cf->v == NULL)
			fatal("configuration file");
		f = &cf->v[cf->n++];
		f->path = path;
		f->data = NULL;
		f->len = 0;
	}
	if ((p = realloc(f->data, f->len + len + 1)) == NULL)
		fatal("configuration file");
	memcpy(p + f->len, data, len);
	f->data = p;
	f->len += len;
	f->data[f->len] = '\0';
}

static void
child_files_free(struct child_files *cf)
{
	size_t	 i;

	for (i = 0; i < cf->n; i++) {
		free(cf->v[i].path);
		freezero(cf->v[i].data, cf->v[i].len);
	}
	free(cf->v);
	memset(cf, 0, sizeof(*cf));
}

/* A file the config names, NUL-terminated; NULL if the parent sent none. */
const unsigned char *
child_file(const char *path, size_t *len)
{
	size_t	 i;

	for (i = 0; i < child.files.n; i++) {
		if (strcmp(child.files.v[i].path, path) == 0) {
			*len = child.files.v[i].len;
			return child.files.v[i].data;
		}
	}
	return NULL;
}

/*
 * A testing aid: once configured, the named child tries to exec, which
 * every child's sandbox forbids, so the kernel must kill it.
 */
static void
child_selftest(void)
{
	const char	*who = getenv(PROC_SELFTEST_ENV);
	char		*argv[] = { "true", NULL };

	if (who == NULL || strcmp(who, role_name(child.ops->role)) != 0)
		return;
	log_info("sandbox self-test: calling execve");
	imsg_flush_all(&child.chan[ROLE_PARENT].chan);
	execv("/bin/true", argv);
	fatal("sandbox self-test: execve was not stopped");
}

void
hello_encode(const struct hello *h, struct msgbuild *mb)
{
	msg_add_u32(mb, h->loglevel);
	msg_add_u32(mb, h->sandbox.trap);
	msg_add_str(mb, h->sandbox.user);
	msg_add_str(mb, h->sandbox.chroot);
	msg_add_str(mb, h->sandbox.datadir);
}

int
hello_decode(struct msgread *mr, struct hello *h)
{
	memset(h, 0, sizeof(*h));
	h->loglevel = msg_get_u32(mr);
	h->sandbox.trap = msg_get_u32(mr);
	h->sandbox.user = msg_get_str(mr);
	h->sandbox.chroot = msg_get_str(mr);
	h->sandbox.datadir = msg_get_str(mr);
	if (msg_read_end(mr) == -1 || h->loglevel < LOG_LEVEL_ERROR ||
	    h->loglevel > LOG_LEVEL_DEBUG || h->sandbox.user == NULL ||
	    h->sandbox.chroot == NULL || h->sandbox.datadir == NULL) {
		hello_clear(h);
		return -1;
	}
	return 0;
}

void
hello_clear(struct hello *h)
{
	free((char *)h->sandbox.user);
	free((char *)h->sandbox.chroot);
	free((char *)h->sandbox.datadir);
	memset(h, 0, sizeof(*h));
}
