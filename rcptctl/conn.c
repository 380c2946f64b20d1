/*
 * The connection to a control service: open it, check the greeting, and
 * send one command line for one reply line at a time. A tls:// socket is
 * a TCP one inside TLS, as receptorctl's: TLS 1.2 or later, the server's
 * certificate always checked against the roots, its name unless
 * insecureskipverify; reads go through a stdio cookie over tls_read().
 * A command whose reply is followed by a stream reads past the stdio
 * buffer, which holds nothing then: the node sends only replies.
 */
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <ctype.h>
#include <errno.h>
#include <netdb.h>
#include <stdlib.h>
#include <string.h>
#include <tls.h>
#include <unistd.h>

#include "proto.h"
#include "rcptctl.h"

static int	 conn_unix(const char *);
static int	 conn_tcp(const char *, const char *);
static void	 conn_tls(struct conn *, const char *,
		    const struct conn_tls *);
static ssize_t	 conn_read(void *, char *, size_t);
static char	*strip(char *);
static ssize_t	 tls_want(ssize_t);

#define GREETING	"Receptor Control, node "

void
conn_open(struct conn *c, const char *address, const struct conn_tls *tc)
{
	struct sockurl	 u;

	memset(c, 0, sizeof(*c));
	if (sockurl_parse(address, &u) == -1)
		die("Invalid socket address %s", address);
	switch (u.kind) {
	case SOCKURL_UNIX:
		c->fd = conn_unix(u.path);
		break;
	case SOCKURL_TCP:
		c->fd = conn_tcp(u.host, u.port);
		break;
	case SOCKURL_TLS:
		c->fd = conn_tcp(u.host, u.port);
		conn_tls(c, u.host, tc);
		if (asprintf(&c->peer, "%s:%s", u.host, u.port) == -1)
			die("out of memory");
		break;
	}
	sockurl_clear(&u);
	if (c->tls != NULL) {
		if ((c->in = fopencookie(c, "r", (cookie_io_functions_t){
		    .read = conn_read })) == NULL)
			die("fopencookie: %s", strerror(errno));
	} else if ((c->in = fdopen(c->fd, "r")) == NULL)
		die("fdopen: %s", strerror(errno));
	conn_greeting(c);
}

/* The first line of a control service, "Receptor Control, node (.+)". */
void
conn_greeting(struct conn *c)
{
	char	*line;

	line = conn_readline(c);
	if (strncmp(line, GREETING, strlen(GREETING)) != 0 ||
	    line[strlen(GREETING)] == '\0')
		die("Failed to connect to Receptor socket");
	free(line);
}

/*
 * Ask the node for a stream to service on node, as receptorctl does:
 * tlsclient empty for none, any reply but "Connecting" the error. The
 * reply is read exactly: the stream follows it.
 */
void
conn_connect(struct conn *c, const char *node, const char *service,
    const char *tlsclient)
{
	char	*line;

	if (asprintf(&line, "connect %s %s %s\n", node, service,
	    tlsclient) == -1)
		die("out of memory");
	conn_write(c, line, strlen(line));
	free(line);
	line = conn_readline_exact(c);
	/* receptorctl's RuntimeError(reply): "ERROR: ERROR: ...". */
	if (strncmp(line, "Connecting", 10) != 0)
		die("%s", line);
	free(line);
}

static int
conn_unix(const char *path)
{
	struct sockaddr_un	 sun;
	struct stat		 st;
	int			 fd;

	if (stat(path, &st) == -1)
		die("Socket path does not exist: %s", path);
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlcpy(sun.sun_path, path, sizeof(sun.sun_path)) >=
	    sizeof(sun.sun_path))
		die("%s: %s", path, strerror(ENAMETOOLONG));
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1 ||
	    connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1)
		die("[Errno %d] %s", errno, strerror(errno));
	return fd;
}

static int
conn_tcp(const char *host, const char *port)
{
	struct addrinfo	 hints, *res, *ai;
	int		 fd = -1, rv;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	if ((rv = getaddrinfo(host, port, &hints, &res)) != 0)
		die("[Errno %d] %s", rv, gai_strerror(rv));
	for (ai = res; ai != NULL; ai = ai->ai_next) {
		fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC,
		    ai->ai_protocol);
		if (fd == -1)
			continue;
		if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
			break;
		close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	if (fd == -1)
		die("Could not connect to host %s port %s", host, port);
	return fd;
}

/*
 * The handshake now, so that its failure reads as one. With TLS 1.3 the
 * server checks our certificate after it: a refusal comes with the
 * first read.
 */
static void
conn_tls(struct conn *c, const char *host, const struct conn_tls *tc)
{
	struct tls_config	*cfg;
	int			 rv;

	if ((cfg = tls_config_new()) == NULL)
		die("tls_config_new: %s", strerror(errno));
	if (tls_config_set_protocols(cfg, TLS_PROTOCOL_TLSv1_2 |
	    TLS_PROTOCOL_TLSv1_3) == -1 ||
	    tls_config_set_ca_file(cfg, tc->rootcas != NULL ? tc->rootcas :
	    TLS_SYSTEM_ROOTS) == -1)
		die("%s", tls_config_error(cfg));
	if (tc->cert != NULL && tc->key != NULL &&
	    tls_config_set_keypair_file(cfg, tc->cert, tc->key) == -1)
		die("%s", tls_config_error(cfg));
	if (tc->insecureskipverify)
		tls_config_insecure_noverifyname(cfg);
	if ((c->tls = tls_client()) == NULL)
		die("tls_client: %s", strerror(errno));
	if (tls_configure(c->tls, cfg) == -1 ||
	    tls_connect_socket(c->tls, c->fd, host) == -1)
		die("%s", tls_error(c->tls));
	tls_config_free(cfg);
	while ((rv = tls_handshake(c->tls)) == TLS_WANT_POLLIN ||
	    rv == TLS_WANT_POLLOUT)
		;
	if (rv == -1)
		die("TLS handshake with %s failed: %s", host,
		    tls_error(c->tls));
}

/*
 * A read on a blocking socket, where TLS may still ask to be called
 * again; also the stdio cookie's.
 */
static ssize_t
conn_read(void *cookie, char *buf, size_t len)
{
	struct conn	*c = cookie;
	ssize_t		 n;

	while ((n = conn_recv(c, buf, len)) == CONN_WANT_READ ||
	    n == CONN_WANT_WRITE)
		;
	return n;
}

/* A line without surrounding white space (Python's strip()); "" at EOF. */
char *
conn_readline(struct conn *c)
{
	char	*line = NULL;
	size_t	 size = 0;

	if (getline(&line, &size, c->in) == -1) {
		if (ferror(c->in))
			die("read: %s", strerror(errno));
		free(line);
		if ((line = strdup("")) == NULL)
			die("out of memory");
		return line;
	}
	return strip(line);
}

/*
 * The same a byte at a time, leaving what follows the line in the
 * connection, which must block.
 */
char *
conn_readline_exact(struct conn *c)
{
	char	*line;
	size_t	 len = 0;

	if ((line = malloc(CONN_LINE_MAX + 1)) == NULL)
		die("out of memory");
	while (len < CONN_LINE_MAX && conn_read(c, line + len, 1) == 1)
		if (line[len++] == '\n')
			break;
	line[len] = '\0';
	return strip(line);
}

static char *
strip(char *line)
{
	char	*p;
	size_t	 len;

	len = strlen(line);
	while (len > 0 && isspace((unsigned char)line[len - 1]))
		line[--len] = '\0';
	for (p = line; isspace((unsigned char)*p); p++)
		;
	memmove(line, p, strlen(p) + 1);
	return line;
}

/*
 * Read what there is: the count, 0 at EOF, CONN_WANT_READ or
 * CONN_WANT_WRITE if a non-blocking socket has nothing for now.
 */
ssize_t
conn_recv(struct conn *c, void *buf, size_t len)
{
	ssize_t	 n;

	if (c->tls != NULL) {
		if ((n = tls_read(c->tls, buf, len)) == -1)
			die("TLS connection to %s failed: %s", c->peer,
			    tls_error(c->tls));
		return tls_want(n);
	}
	while ((n = read(c->fd, buf, len)) == -1) {
		if (errno == EAGAIN)
			return CONN_WANT_READ;
		if (errno != EINTR)
			die("[Errno %d] %s", errno, strerror(errno));
	}
	return n;
}

/* Write some: the count, or CONN_WANT_READ or CONN_WANT_WRITE. */
ssize_t
conn_send(struct conn *c, const void *buf, size_t len)
{
	ssize_t	 n;

	if (c->tls != NULL) {
		if ((n = tls_write(c->tls, buf, len)) == -1)
			die("TLS connection to %s failed: %s", c->peer,
			    tls_error(c->tls));
		return tls_want(n);
	}
	while ((n = write(c->fd, buf, len)) == -1) {
		if (errno == EAGAIN)
			return CONN_WANT_WRITE;
		if (errno != EINTR)
			die("[Errno %d] %s", errno, strerror(errno));
	}
	return n;
}

/*
 * Say we have sent all, keeping the other way open: 0 once done, or
 * CONN_WANT_READ or CONN_WANT_WRITE. TLS has its close_notify for that,
 * which the node takes as the end, as it takes a plain socket's shutdown.
 */
ssize_t
conn_shutdown(struct conn *c)
{
	ssize_t	 n;

	if (c->tls != NULL) {
		/* -1 may only say the node ended without a close_notify. */
		n = tls_close(c->tls);
		return n == -1 ? 0 : tls_want(n);
	}
	if (shutdown(c->fd, SHUT_WR) == -1)
		die("[Errno %d] %s", errno, strerror(errno));
	return 0;
}

/*
 * The same as receptorctl's shutdown_write(): the socket's own shutdown,
 * under TLS too. A Go node streaming results reads no more, and its
 * close on an unread close_notify would reset the connection, losing
 * what it had still to send.
 */
void
conn_halfclose(struct conn *c)
{
	if (shutdown(c->fd, SHUT_WR) == -1)
		die("[Errno %d] %s", errno, strerror(errno));
	c->halfclosed = 1;
}

static ssize_t
tls_want(ssize_t n)
{
	if (n == TLS_WANT_POLLIN)
		return CONN_WANT_READ;
	if (n == TLS_WANT_POLLOUT)
		return CONN_WANT_WRITE;
	return n;
}

void
conn_write(struct conn *c, const char *p, size_t len)
{
	ssize_t	 n;

	while (len > 0) {
		/* Blocking: TLS may still ask to be called again. */
		if ((n = conn_send(c, p, len)) < 0)
			continue;
		p += n;
		len -= n;
	}
}

/*
 * The reply to a command that answers with one JSON line, or NULL and
 * in *error why not: the node's "ERROR: msg" as msg, as receptorctl
 * takes it.
 */
struct json_object *
conn_request(struct conn *c, const char *command, char **error)
{
	struct json_object	*reply = NULL;
	char			*line;
	int			 rv = 0;

	conn_write(c, command, strlen(command));
	conn_write(c, "\n", 1);
	line = conn_readline(c);
	if (strncmp(line, "ERROR:", 6) == 0)
		rv = asprintf(error, "%s", strlen(line) > 7 ? line + 7 : "");
	else if (*line == '\0')
		rv = asprintf(error, "the control service closed the "
		    "connection");
	else if ((reply = json_tokener_parse(line)) == NULL ||
	    !json_object_is_type(reply, json_type_object)) {
		json_object_put(reply);
		reply = NULL;
		rv = asprintf(error, "bad reply from the control service: %s",
		    line);
	}
	if (rv == -1)
		die("out of memory");
	free(line);
	return reply;
}

/* The same, the error fatal. */
struct json_object *
conn_command(struct conn *c, const char *command)
{
	struct json_object	*reply;
	char			*error;

	if ((reply = conn_request(c, command, &error)) == NULL)
		die("%s", error);
	return reply;
}

void
conn_close(struct conn *c)
{
	if (c->in != NULL)
		fclose(c->in);
	if (c->tls != NULL) {
		/* No close_notify once half-closed: it could not be sent. */
		if (!c->halfclosed)
			(void)tls_close(c->tls);
		tls_free(c->tls);
		close(c->fd);
	}
	free(c->peer);
	memset(c, 0, sizeof(*c));
}
