/*
 * The privilege audit: what each process of the daemon may do, for the
 * control service's `privileges` and for `receptor -n -v`.
 *
 * The parent reads what the kernel says of each process in
 * /proc/PID/status (ids, NoNewPrivs, seccomp mode, capabilities), asks
 * each child for what only it may see of itself (its root directory and
 * the inodes of its sockets, found listening in the kernel's tables), and
 * adds what it knows each child installed: the seccomp allowlist and the
 * Landlock rule set of its role, from the tables that install them.
 * /proc does not show Landlock, so that part is the plan.
 */
#include <sys/types.h>
#include <sys/queue.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "proto.h"
#include "receptor.h"
#include "sockets.h"

/* Flags of a listening socket in /proc/net/unix (__SO_ACCEPTCON). */
#define UNIX_ACCEPTCON	0x10000
#define UNIX_DGRAM	2
#define TCP_LISTEN	0x0a

/* Seconds a child has to answer the audit. */
#define AUDIT_TIMEOUT	2

struct strlist {
	char	**v;
	size_t	  n;
};

struct proc_priv {
	enum proc_role	 role;
	pid_t		 pid;
	char		 error[256];
	uint32_t	 uid[4];
	uint32_t	 gid[4];
	char		 user[64];
	char		 root[PATH_MAX];
	uint32_t	 nnp;
	uint32_t	 seccomp;
	char		 capeff[32];
	char		 capprm[32];
	char		 capbnd[32];
	struct strlist	 listen;
};

/* What a process said of itself. */
struct self_view {
	int		 answered;
	char		*root;
	uint64_t	*inodes;
	size_t		 ninodes;
};

/* ctld's request reqid, waiting for the children's answers. */
struct audit {
	TAILQ_ENTRY(audit)	 entry;
	struct imsgev		*ctld;
	uint32_t		 reqid;
	int			 waiting;
	struct self_view	 view[ROLE_COUNT];
	struct event		*ev_timeout;
};

static TAILQ_HEAD(, audit) audits = TAILQ_HEAD_INITIALIZER(audits);

struct landlock_lists {
	struct strlist	 restricts;
	struct strlist	 rules;
};

struct syscalls {
	struct strlist	 allowed;	/* with some arguments or any */
	struct strlist	 checked;	/* with some arguments only */
	struct strlist	 fail;		/* "name ERRNO" */
	struct strlist	 anyargs;	/* allowed with any arguments */
};

/* What each child's allowlist is for, in words, as receptor(8) says. */
static const char *const role_syscalls[ROLE_COUNT] = {
	[ROLE_PARENT] = "unfiltered",
	[ROLE_NETD] = "sockets, event loop, time, threads",
	[ROLE_WORKD] = "file I/O, received descriptors",
	[ROLE_CTLD] = "accept, read, write, socketpair",
};

static void	strlist_add(struct strlist *, const char *);
static void	strlist_sort(struct strlist *);
static int	strlist_has(const struct strlist *, const char *);
static void	strlist_free(struct strlist *);
static int	str_cmp(const void *, const void *);
static void	audit_timeout(evutil_socket_t, short, void *);
static void	audit_finish(struct audit *);
static void	audit_free(struct audit *);
static void	proc_read(struct proc_priv *, const struct self_view *);
static void	proc_status(struct proc_priv *);
static void	ids_parse(const char *, uint32_t [4]);
static void	listening(struct proc_priv *, const struct self_view *);
static int	inode_in(const struct self_view *, unsigned long);
static void	net_inet(struct proc_priv *, const char *,
		    const struct self_view *);
static void	net_unix(struct proc_priv *, const struct self_view *);
static int	inet_text(const char *, unsigned, int, char *, size_t);
static void	syscalls_collect(enum proc_role, struct syscalls *);
static void	syscall_add(const struct sandbox_syscall *, void *);
static void	syscalls_free(struct syscalls *);
static void	msg_add_list(struct msgbuild *, const struct strlist *);
static void	restricts_add(const char *, void *);
static void	rule_add(const char *, void *);
static void	plan_listeners(FILE *, const struct config *);
static const char *plan_user(const struct cmdline *);

/* IMSG_CTL_PRIVILEGES: ask each child of itself, then answer ctld. */
void
audit_request(struct imsgev *ctld, uint32_t reqid)
{
	struct audit	*a;
	struct timeval	 tv = { AUDIT_TIMEOUT, 0 };
	struct self_view *self;
	enum proc_role	 r;

	if ((a = calloc(1, sizeof(*a))) == NULL ||
	    (a->ev_timeout = evtimer_new(rc->base, audit_timeout, a)) == NULL)
		fatal("privileges");
	a->ctld = ctld;
	a->reqid = reqid;
	self = &a->view[ROLE_PARENT];
	self->answered = 1;
	if ((self->root = strdup(sandbox_root())) == NULL ||
	    (self->inodes = calloc(AUDIT_INODES_MAX,
	    sizeof(*self->inodes))) == NULL)
		fatal("privileges");
	self->ninodes = socket_inodes(self->inodes, AUDIT_INODES_MAX);
	for (r = ROLE_NETD; r < ROLE_COUNT; r++)
		if (rc->children[r].pid > 0 && imsgev_compose(
		    &rc->children[r].iev, IMSG_AUDIT, reqid, -1, NULL, 0) == 0)
			a->waiting++;
	TAILQ_INSERT_TAIL(&audits, a, entry);
	if (a->waiting == 0)
		audit_finish(a);
	else
		evtimer_add(a->ev_timeout, &tv);
}

/* IMSG_AUDIT_REPLY: what child c says of itself. */
void
audit_answer(struct child *c, struct imsg *imsg)
{
	struct audit		*a;
	struct self_view	*v;
	struct msgread		 mr;
	uint32_t		 n, i;

	TAILQ_FOREACH(a, &audits, entry)
		if (a->reqid == imsg->hdr.peerid)
			break;
	if (a == NULL || a->view[c->role].answered)
		return;		/* late, after the timeout */
	v = &a->view[c->role];
	msg_read_init(&mr, imsg);
	v->root = msg_get_str(&mr);
	n = msg_get_u32(&mr);
	if (n > AUDIT_INODES_MAX ||
	    (v->inodes = calloc(n, sizeof(*v->inodes))) == NULL)
		n = 0;
	for (i = 0; i < n; i++)
		v->inodes[i] = msg_get_u64(&mr);
	v->ninodes = n;
	if (msg_read_end(&mr) == -1 || v->root == NULL) {
		log_warnx("malformed audit reply from %s", role_name(c->role));
		free(v->root);
		v->root = NULL;
		v->ninodes = 0;
	}
	v->answered = 1;
	if (--a->waiting == 0)
		audit_finish(a);
}

static void
audit_timeout(evutil_socket_t fd, short events, void *arg)
{
	audit_finish(arg);
}

/* The reply to ctld, with what the children said by now. */
static void
audit_finish(struct audit *a)
{
	struct msgbuild		 mb;
	struct proc_priv	 p;
	struct syscalls		 sc;
	struct landlock_lists	 ll;
	enum proc_role		 r;
	size_t			 i;
	int			 abi, cabi;
	char			*sp;

	abi = sandbox_landlock_kernel_abi();
	msg_init(&mb);
	msg_add_u32(&mb, abi);
	msg_add_u32(&mb, ROLE_COUNT);
	for (r = ROLE_PARENT; r < ROLE_COUNT; r++) {
		memset(&p, 0, sizeof(p));
		p.role = r;
		p.pid = r == ROLE_PARENT ? getpid() : rc->children[r].pid;
		proc_read(&p, &a->view[r]);

		msg_add_str(&mb, role_name(r));
		msg_add_u32(&mb, p.pid);
		msg_add_str(&mb, p.error);
		for (i = 0; i < 4; i++)
			msg_add_u32(&mb, p.uid[i]);
		for (i = 0; i < 4; i++)
			msg_add_u32(&mb, p.gid[i]);
		msg_add_str(&mb, p.user);
		msg_add_str(&mb, p.root);
		msg_add_u32(&mb, p.nnp);
		msg_add_u32(&mb, p.seccomp);
		msg_add_str(&mb, p.capeff);
		msg_add_str(&mb, p.capprm);
		msg_add_str(&mb, p.capbnd);

		syscalls_collect(r, &sc);
		msg_add_u32(&mb, r != ROLE_PARENT);
		msg_add_list(&mb, &sc.allowed);
		msg_add_list(&mb, &sc.checked);
		msg_add_u32(&mb, sc.fail.n);
		for (i = 0; i < sc.fail.n; i++) {
			sp = strchr(sc.fail.v[i], ' ');
			*sp = '\0';
			msg_add_str(&mb, sc.fail.v[i]);
			msg_add_str(&mb, sp + 1);
			*sp = ' ';
		}
		syscalls_free(&sc);

		/* What the child found it could install. */
		memset(&ll, 0, sizeof(ll));
		cabi = r != ROLE_PARENT ? rc->children[r].landlock_abi : 0;
		sandbox_landlock_list(r, cabi, config_datadir(rc->conf),
		    restricts_add, rule_add, &ll);
		msg_add_u32(&mb, cabi);
		msg_add_str(&mb, r != ROLE_PARENT ?
		    rc->children[r].landlock_why : "");
		msg_add_list(&mb, &ll.restricts);
		msg_add_list(&mb, &ll.rules);
		msg_add_list(&mb, &p.listen);
		strlist_free(&ll.restricts);
		strlist_free(&ll.rules);
		strlist_free(&p.listen);
	}
	if (imsgev_msg(a->ctld, &mb, IMSG_CTL_PRIVILEGES_REPLY, a->reqid,
	    -1) == -1)
		log_warn("privileges reply to ctld");
	audit_free(a);
}

static void
audit_free(struct audit *a)
{
	enum proc_role	 r;

	TAILQ_REMOVE(&audits, a, entry);
	event_free(a->ev_timeout);
	for (r = ROLE_PARENT; r < ROLE_COUNT; r++) {
		free(a->view[r].root);
		free(a->view[r].inodes);
	}
	free(a);
}

static void
restricts_add(const char *line, void *arg)
{
	struct landlock_lists	*ll = arg;

	strlist_add(&ll->restricts, line);
}

static void
rule_add(const char *line, void *arg)
{
	struct landlock_lists	*ll = arg;

	strlist_add(&ll->rules, line);
}

static void
msg_add_list(struct msgbuild *mb, const struct strlist *l)
{
	size_t	 i;

	msg_add_u32(mb, l->n);
	for (i = 0; i < l->n; i++)
		msg_add_str(mb, l->v[i]);
}

static void
proc_read(struct proc_priv *p, const struct self_view *v)
{
	struct passwd	*pw;

	if (p->pid <= 0) {
		(void)strlcpy(p->error, "not running", sizeof(p->error));
		return;
	}
	proc_status(p);
	if (p->error[0] != '\0')
		return;
	if ((pw = getpwuid(p->uid[1])) != NULL)
		(void)strlcpy(p->user, pw->pw_name, sizeof(p->user));
	else
		(void)snprintf(p->user, sizeof(p->user), "%u", p->uid[1]);
	if (!v->answered || v->root == NULL) {
		(void)strlcpy(p->error, "did not answer the audit",
		    sizeof(p->error));
		return;
	}
	(void)strlcpy(p->root, v->root, sizeof(p->root));
	listening(p, v);
}

static void
proc_status(struct proc_priv *p)
{
	FILE	*fp;
	char	 path[64], line[512], *v;

	(void)snprintf(path, sizeof(path), "/proc/%ld/status", (long)p->pid);
	if ((fp = fopen(path, "re")) == NULL) {
		(void)snprintf(p->error, sizeof(p->error), "%s: %s", path,
		    strerror(errno));
		return;
	}
	while (fgets(line, sizeof(line), fp) != NULL) {
		if ((v = strchr(line, ':')) == NULL)
			continue;
		*v++ = '\0';
		v += strspn(v, " \t");
		v[strcspn(v, "\n")] = '\0';
		if (strcmp(line, "Uid") == 0)
			ids_parse(v, p->uid);
		else if (strcmp(line, "Gid") == 0)
			ids_parse(v, p->gid);
		else if (strcmp(line, "NoNewPrivs") == 0)
			p->nnp = strtoul(v, NULL, 10);
		else if (strcmp(line, "Seccomp") == 0)
			p->seccomp = strtoul(v, NULL, 10);
		else if (strcmp(line, "CapEff") == 0)
			(void)strlcpy(p->capeff, v, sizeof(p->capeff));
		else if (strcmp(line, "CapPrm") == 0)
			(void)strlcpy(p->capprm, v, sizeof(p->capprm));
		else if (strcmp(line, "CapBnd") == 0)
			(void)strlcpy(p->capbnd, v, sizeof(p->capbnd));
	}
	fclose(fp);
}

/* "real effective saved fs", tab separated. */
static void
ids_parse(const char *s, uint32_t ids[4])
{
	char	*end;
	size_t	 i;

	for (i = 0; i < 4; i++) {
		ids[i] = strtoul(s, &end, 10);
		s = end;
	}
}

/*
 * The sockets of the process (the inodes it reported) that the tables of
 * our network namespace, which is every process's, show listening: TCP in
 * LISTEN, UDP bound and unconnected, unix with a path, listening or
 * datagram.
 */
static void
listening(struct proc_priv *p, const struct self_view *v)
{
	if (v->ninodes > 0) {
		net_inet(p, "tcp", v);
		net_inet(p, "tcp6", v);
		net_inet(p, "udp", v);
		net_inet(p, "udp6", v);
		net_unix(p, v);
	}
	strlist_sort(&p->listen);
}

static int
inode_in(const struct self_view *v, unsigned long ino)
{
	size_t	 i;

	for (i = 0; i < v->ninodes; i++)
		if (v->inodes[i] == ino)
			return 1;
	return 0;
}

/* /proc/self/net/{tcp,tcp6,udp,udp6}: "sl local rem st ... inode". */
static void
net_inet(struct proc_priv *p, const char *proto, const struct self_view *v)
{
	FILE		*fp;
	char		 path[64], line[512], laddr[40], raddr[40];
	char		 text[128], addr[INET6_ADDRSTRLEN + 16];
	unsigned	 lport, rport, st;
	unsigned long	 ino;
	int		 tcp = proto[0] == 't', v6 = strchr(proto, '6') != NULL;

	(void)snprintf(path, sizeof(path), "/proc/self/net/%s", proto);
	if ((fp = fopen(path, "re")) == NULL)
		return;
	while (fgets(line, sizeof(line), fp) != NULL) {
		if (sscanf(line, " %*d: %39[0-9A-Fa-f]:%x %39[0-9A-Fa-f]:%x %x "
		    "%*s %*s %*s %*u %*u %lu", laddr, &lport, raddr, &rport,
		    &st, &ino) != 6)
			continue;
		if (!inode_in(v, ino))
			continue;
		if (tcp ? st != TCP_LISTEN : rport != 0)
			continue;
		if (inet_text(laddr, lport, v6, addr, sizeof(addr)) == -1)
			continue;
		(void)snprintf(text, sizeof(text), "%s %s", proto, addr);
		strlist_add(&p->listen, text);
	}
	fclose(fp);
}

/*
 * The kernel prints each 32-bit word of the address as the host reads
 * it from memory, so the words go back into memory as they are.
 */
static int
inet_text(const char *hex, unsigned port, int v6, char *buf, size_t len)
{
	struct in6_addr	 a6;
	struct in_addr	 a4;
	uint32_t	 w[4];
	char		 word[9], ip[INET6_ADDRSTRLEN];
	size_t		 i, nw = v6 ? 4 : 1;

	if (strlen(hex) != nw * 8)
		return -1;
	for (i = 0; i < nw; i++) {
		memcpy(word, hex + i * 8, 8);
		word[8] = '\0';
		w[i] = strtoul(word, NULL, 16);
	}
	if (v6) {
		memcpy(&a6, w, sizeof(a6));
		if (inet_ntop(AF_INET6, &a6, ip, sizeof(ip)) == NULL)
			return -1;
		(void)snprintf(buf, len, "[%s]:%u", ip, port);
	} else {
		memcpy(&a4, w, sizeof(a4));
		if (inet_ntop(AF_INET, &a4, ip, sizeof(ip)) == NULL)
			return -1;
		(void)snprintf(buf, len, "%s:%u", ip, port);
	}
	return 0;
}

/* /proc/self/net/unix: "Num RefCount Protocol Flags Type St Inode Path". */
static void
net_unix(struct proc_priv *p, const struct self_view *v)
{
	FILE		*fp;
	char		 path[64], *line = NULL, *sp, *text;
	size_t		 size = 0;
	unsigned	 flags, type, st;
	unsigned long	 ino;
	int		 pos;

	(void)strlcpy(path, "/proc/self/net/unix", sizeof(path));
	if ((fp = fopen(path, "re")) == NULL)
		return;
	while (getline(&line, &size, fp) != -1) {
		line[strcspn(line, "\n")] = '\0';
		pos = -1;
		if (sscanf(line, "%*s %*x %*x %x %x %x %lu %n", &flags, &type,
		    &st, &ino, &pos) != 4 || pos == -1)
			continue;
		sp = line + pos;
		if (*sp == '\0' || !inode_in(v, ino))
			continue;
		if ((flags & UNIX_ACCEPTCON) == 0 && type != UNIX_DGRAM)
			continue;
		if (asprintf(&text, "unix %s", sp) == -1)
			fatal("privileges");
		strlist_add(&p->listen, text);
		free(text);
	}
	free(line);
	fclose(fp);
}

/* The role's allowlist by name, each list sorted, without repeats. */
static void
syscalls_collect(enum proc_role role, struct syscalls *sc)
{
	struct strlist	 checked;
	size_t		 i;

	memset(sc, 0, sizeof(*sc));
	sandbox_seccomp_list(role, syscall_add, sc);
	strlist_sort(&sc->allowed);
	strlist_sort(&sc->fail);
	strlist_sort(&sc->anyargs);
	/* Allowed with any arguments by one entry: not checked at all. */
	checked = sc->checked;
	memset(&sc->checked, 0, sizeof(sc->checked));
	for (i = 0; i < checked.n; i++)
		if (!strlist_has(&sc->anyargs, checked.v[i]))
			strlist_add(&sc->checked, checked.v[i]);
	strlist_free(&checked);
	strlist_sort(&sc->checked);
}

static void
syscall_add(const struct sandbox_syscall *s, void *arg)
{
	struct syscalls	*sc = arg;
	const char	*e;
	char		 text[128];

	if (s->err != 0) {
		if ((e = strerrorname_np(s->err)) == NULL)
			e = "errno";
		(void)snprintf(text, sizeof(text), "%s %s", s->name, e);
		strlist_add(&sc->fail, text);
		return;
	}
	strlist_add(&sc->allowed, s->name);
	strlist_add(s->checked ? &sc->checked : &sc->anyargs, s->name);
}

static void
syscalls_free(struct syscalls *sc)
{
	strlist_free(&sc->allowed);
	strlist_free(&sc->checked);
	strlist_free(&sc->fail);
	strlist_free(&sc->anyargs);
}

/*
 * `receptor -n -v`: what the config implies, as YAML comments after it,
 * so the output still reads back as the same config.
 */
void
audit_plan(FILE *fp, const struct config *conf, const struct cmdline *cmd)
{
	struct syscalls	 sc;
	enum proc_role	 r;
	const char	*user = plan_user(cmd), *datadir;
	char		 files[PATH_MAX + 64], calls[128], caps[16];
	int		 abi = sandbox_landlock_kernel_abi();

	datadir = config_datadir(conf);
	fprintf(fp, "#\n# Privilege plan: what each process may do when "
	    "started as root.\n");
	if (geteuid() != 0)
		fprintf(fp, "# Started as uid %u instead, user and root stay "
		    "as they are; the rest applies.\n", (unsigned)geteuid());
	fprintf(fp, "#\n# %-9s %-11s %-11s %-34s %-6s %s\n", "process",
	    "user", "root", "files", "caps", "syscalls");
	for (r = ROLE_PARENT; r < ROLE_COUNT; r++) {
		syscalls_collect(r, &sc);
		if (r == ROLE_PARENT)
			(void)snprintf(calls, sizeof(calls), "%s",
			    role_syscalls[r]);
		else
			(void)snprintf(calls, sizeof(calls), "%zu: %s",
			    sc.allowed.n, role_syscalls[r]);
		syscalls_free(&sc);
		if (r == ROLE_PARENT)
			(void)strlcpy(files, "all", sizeof(files));
		else if (r == ROLE_WORKD)
			(void)snprintf(files, sizeof(files), "%s (no exec)",
			    datadir != NULL ? datadir : "(none)");
		else
			(void)strlcpy(files, "none", sizeof(files));
		if (r == ROLE_PARENT)
			(void)snprintf(caps, sizeof(caps), "%zu", caps_kept());
		else
			(void)strlcpy(caps, r == ROLE_NETD ? "bind" : "none",
			    sizeof(caps));
		fprintf(fp, "# %-9s %-11s %-11s %-34s %-6s %s\n", role_name(r),
		    r == ROLE_PARENT ? "root" : user,
		    r == ROLE_PARENT || r == ROLE_WORKD ? "/" : RECEPTOR_CHROOT,
		    files, caps, calls);
	}
	fprintf(fp, "#\n# Every child: no_new_privs, an empty capability "
	    "bounding set (netd's: bind\n# below 1024), a seccomp allowlist "
	    "killing it on any other system call,\n# no exec; ");
	if (abi > 0)
		fprintf(fp, "Landlock ABI %d:\n# no file access but workd's "
		    "datadir, no TCP bind or connect but netd's.\n", abi);
	else
		fprintf(fp, "no Landlock in\n# this kernel: chroot and seccomp "
		    "keep the files out.\n");
	fprintf(fp, "# The parent reads the config, certificates and keys, "
	    "and launches work.\n");
	plan_listeners(fp, conf);
}

static const char *
plan_user(const struct cmdline *cmd)
{
	return cmd->user != NULL ? cmd->user : RECEPTOR_USER;
}

/* Who holds which listening socket. */
static void
plan_listeners(FILE *fp, const struct config *conf)
{
	static const char *const netd_actions[][2] = {
		{ "tcp-listener", "tcp" },
		{ "udp-listener", "udp" },
		{ "ws-listener", "tcp (WebSocket)" },
		{ "tcp-server", "tcp (proxy)" },
		{ "udp-server", "udp (proxy)" },
	};
	struct cfg_item	*item;
	const char	*s;
	size_t		 a;

	for (a = 0; a < sizeof(netd_actions) / sizeof(netd_actions[0]); a++)
		for (item = config_first(conf, netd_actions[a][0]);
		    item != NULL; item = config_next(item, netd_actions[a][0]))
			fprintf(fp, "# Listening: netd %s %s:%lld\n",
			    netd_actions[a][1], cfg_str(item, "bindaddr"),
			    cfg_int(item, "port"));
	for (item = config_first(conf, "control-service"); item != NULL;
	    item = config_next(item, "control-service")) {
		if ((s = cfg_str(item, "filename")) != NULL && *s != '\0')
			fprintf(fp, "# Listening: receptor and ctld unix %s\n",
			    s);
		if ((s = cfg_str(item, "tcplisten")) != NULL && *s != '\0')
			fprintf(fp, "# Listening: receptor and ctld tcp %s\n",
			    s);
	}
	for (item = config_first(conf, "unix-socket-server"); item != NULL;
	    item = config_next(item, "unix-socket-server"))
		fprintf(fp, "# Listening: receptor and netd unix %s\n",
		    cfg_str(item, "filename"));
	for (item = config_first(conf, "unix-socket-client"); item != NULL;
	    item = config_next(item, "unix-socket-client"))
		fprintf(fp, "# Connecting: receptor for netd, unix %s\n",
		    cfg_str(item, "filename"));
}

static void
strlist_add(struct strlist *l, const char *s)
{
	if ((l->v = reallocarray(l->v, l->n + 1, sizeof(*l->v))) == NULL ||
	    (l->v[l->n] = strdup(s)) == NULL)
		fatal("privileges");
	l->n++;
}

static int
str_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sorted, each string once. */
static void
strlist_sort(struct strlist *l)
{
	size_t	 i, j;

	if (l->n == 0)
		return;
	qsort(l->v, l->n, sizeof(*l->v), str_cmp);
	for (i = 1, j = 1; i < l->n; i++) {
		if (strcmp(l->v[i], l->v[j - 1]) == 0)
			free(l->v[i]);
		else
			l->v[j++] = l->v[i];
	}
	l->n = j;
}

static int
strlist_has(const struct strlist *l, const char *s)
{
	size_t	 i;

	for (i = 0; i < l->n; i++)
		if (strcmp(l->v[i], s) == 0)
			return 1;
	return 0;
}

static void
strlist_free(struct strlist *l)
{
	size_t	 i;

	for (i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	memset(l, 0, sizeof(*l));
}
