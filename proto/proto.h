/*
 * Messages between the daemon's processes. Payloads are built and read
 * with the typed msg_* calls of common/imsg.h, never copied as structs.
 */
#ifndef RECEPTOR_PROTO_H
#define RECEPTOR_PROTO_H

enum imsg_type {
	IMSG_NONE,

	/* start-up handshake (parent <-> every child) */
	IMSG_HELLO,		/* parent -> child: u32 log level, u32 trap */
	IMSG_PEER_FD,		/* parent -> child: u32 role; fd = channel */
	IMSG_PEER_HELLO,	/* child -> child over a new peer channel */
	/*
	 * child -> parent: every peer acknowledged; u32 Landlock ABI in
	 * force (0: none), str why none ("" when in force)
	 */
	IMSG_PEERS_READY,

	/* configuration, object by object (parent -> child) */
	IMSG_RECONF_START,	/* u32 generation */
	IMSG_RECONF_ITEM,	/* one config item (cfg_item_encode) */
	IMSG_RECONF_FILE,	/* str path, bytes contents: a file it names */
	IMSG_RECONF_DONE,	/* u32 generation */
	IMSG_RECONF_APPLIED,	/* child -> parent: u32 generation */

	/*
	 * privilege audit: parent -> child, no payload; the reply, with the
	 * same peerid: str root directory, u32 n + n u64 socket inodes
	 */
	IMSG_AUDIT,
	IMSG_AUDIT_REPLY,

	/*
	 * Control service. peerid is ctld's request id; every request gets
	 * exactly one reply with the same peerid.
	 */
	IMSG_CTL_LISTENER,	/* parent -> ctld: u32 service, u32 tcp; fd */
	IMSG_CTL_STATUS,	/* ctld -> netd: no payload */
	/*
	 * netd -> ctld: (str key, bytes JSON)*, a long value in pieces of
	 * the same key in order; all but the last message are _PART.
	 */
	IMSG_CTL_STATUS_PART,
	IMSG_CTL_STATUS_REPLY,
	IMSG_CTL_PING,		/* ctld -> netd: str node, u32 hops to live */
	IMSG_CTL_PING_REPLY,	/* netd -> ctld: str from, u64 ns, str error */
	IMSG_CTL_RELOAD,	/* ctld -> parent: no payload */
	IMSG_CTL_RELOAD_REPLY,	/* parent -> ctld: u32 code, str error */
	IMSG_CTL_PRIVILEGES,	/* ctld -> parent: no payload */
	/*
	 * parent -> ctld: u32 Landlock ABI, u32 count, then per process:
	 * str role, u32 pid, str error ("" when /proc was read), 4 u32
	 * uids (real, effective, saved, fs), 4 u32 gids, str user, str root,
	 * u32 NoNewPrivs, u32 seccomp mode, str CapEff, CapPrm, CapBnd (hex
	 * as in /proc), u32 filtered (1: a filter of ours, the lists below
	 * are its), u32 n + n str allowed syscalls, u32 n + n str syscalls
	 * allowed for some arguments only, u32 n + n (str syscall, str
	 * errno) failing ones, u32 Landlock ABI in force (0: none), str why
	 * none ("" if in force or the parent), u32 n + n str what it
	 * restricts, u32 n + n str rules, u32 n + n str listening sockets
	 */
	IMSG_CTL_PRIVILEGES_REPLY,
	/*
	 * connect: ctld -> netd: str node, str service, str tls-client name
	 * ("": none); fd = one end of a stream socketpair. The reply: str
	 * error, "" once the stream is up. ctld reads its end only after
	 * that, so "Connecting" goes first; on error netd closes the fd.
	 */
	IMSG_CTL_CONNECT,
	IMSG_CTL_CONNECT_REPLY,
	/*
	 * netd -> ctld: str remote node, str local service; fd = a stream a
	 * node opened to our control service, to serve as a control client.
	 */
	IMSG_CTL_MESH_CLIENT,

	/*
	 * work: ctld -> workd: u32 subcommand (enum ctl_work_sub), u32
	 * signatures checked (0 for Unix socket clients), str unit ID, u64
	 * start position, str signature, str node, str work type, str TLS
	 * client, str ttl, u32 signwork, str work params (a JSON object of
	 * strings); NULL strings for what the command did not give. fd:
	 * submit, the stream its payload comes on; results, the stream the
	 * unit's stdout goes to. Replies: IMSG_CTL_WORK_REPLY, u32 kind
	 * (enum work_reply), str text.
	 */
	IMSG_CTL_WORK,
	IMSG_CTL_WORK_REPLY,

	/*
	 * Command units' runners, which only the parent may start or
	 * signal. workd -> parent: str unit ID, and for LAUNCH str work
	 * type, str params given at submit ("" none); for WATCH and SIGNAL
	 * u32 the runner's pid. parent -> workd: LAUNCHED str unit ID, u32
	 * pid (0 if it could not start), str error; GONE str unit ID, u32
	 * pid: that runner has ended, or was never the unit's.
	 */
	IMSG_WORK_LAUNCH,
	IMSG_WORK_LAUNCHED,
	IMSG_WORK_WATCH,
	IMSG_WORK_SIGNAL,
	IMSG_WORK_GONE,
	/*
	 * Remote units' streams. workd -> netd: str node, str service, str
	 * tls-client name ("": none). netd -> workd, DIALED: str error, ""
	 * with fd = workd's end of the stream once it is up.
	 */
	IMSG_WORK_DIAL,
	IMSG_WORK_DIALED,
	/*
	 * Unix socket proxies, whose files netd may not touch. parent ->
	 * netd, before each configuration: LISTENER str item text
	 * (cfg_item_text) of a unix-socket-server, fd = its listener. netd
	 * -> parent: CONNECT str filename of a unix-socket-client; the reply,
	 * CONNECTED: str error, "" with fd = a socket connected to it. The
	 * peer ID pairs them.
	 */
	IMSG_PROXY_LISTENER,
	IMSG_PROXY_CONNECT,
	IMSG_PROXY_CONNECTED,
};

/* work <sub> ...: the subcommands Go knows; any other is "bad command". */
enum ctl_work_sub {
	CTLW_BAD,
	CTLW_SUBMIT,
	CTLW_LIST,
	CTLW_STATUS,
	CTLW_CANCEL,
	CTLW_RELEASE,
	CTLW_FORCE_RELEASE,
	CTLW_RESULTS,
};

/* What a reply to IMSG_CTL_WORK says. */
enum work_reply {
	WORK_REPLY_JSON,	/* the reply line; the request is over */
	WORK_REPLY_PART,	/* the start of a long reply line, or more */
	WORK_REPLY_ERROR,	/* an error message; the request is over */
	WORK_REPLY_CREATED,	/* unit ID: the payload is read, then more */
	WORK_REPLY_STREAMING,	/* unit ID: stdout follows on the stream,
				   whose end ends the session */
};

/*
 * Also sent as a file when a TLS config has no CA bundle of its own and
 * Go would trust the system's roots, which the chrooted netd can't read.
 */
#define TLS_SYSTEM_ROOTS	"/etc/ssl/certs/ca-certificates.crt"

/*
 * Socket inodes an audit reply holds: a message, less room for the root
 * path, at a tag byte and 8 bytes each.
 */
#define AUDIT_INODES_MAX	((IMSG_MAX_SIZE - PATH_MAX) / 9)

#endif
