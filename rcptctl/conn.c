/*
 * The connection to a control service: open it, check the greeting, and
 * send one command line for one reply line at a time. A tls:// socket is
 * a TCP one inside TLS, as receptorctl's: TLS 1.2 or later, the server's
 * certificate always checked against the roots, its name unless
 * insecureskipverify; reads go through a stdio cookie over tls_read().
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
static ssize_t	 conn_tls_read(void *, char *, size_t);
static char	*conn_readline(struct conn *);
static void	 conn_write(struct conn *, const char *, size_t);

#define GREETING	"Receptor Control, node "

void
conn_open(struct conn *c, const char *address, const struct conn_tls *tc)
{
	struct sockurl	 u;
	char		*line;

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
		    .read = conn_tls_read })) == NULL)
			die("fopencookie: %s", strerror(errno));
	} else if ((c->in = fdopen(c->fd, "r")) == NULL)
		die("fdopen: %s", strerror(errno));
	line = conn_readline(c);
	if (strncmp(line, GREETING, strlen(GREETING)) != 0 ||
	    line[strlen(GREETING)] == '\0')
		die("Failed to connect to Receptor socket");
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

static ssize_t
conn_tls_read(void *cookie, char *buf, size_t len)
{
	struct conn	*c = cookie;
	ssize_t		 n;

	while ((n = tls_read(c->tls, buf, len)) == TLS_WANT_POLLIN ||
	    n == TLS_WANT_POLLOUT)
		;
	if (n == -1)
		die("TLS connection to %s failed: %s", c->peer,
		    tls_error(c->tls));
	return n;
}

/* A line without surrounding white space (Python's strip()); "" at EOF. */
static char *
conn_readline(struct conn *c)
{
	char	*line = NULL, *p;
	size_t	 size = 0, len;

	if (getline(&line, &size, c->in) == -1) {
		if (ferror(c->in))
			die("read: %s", strerror(errno));
		free(line);
		if ((line = strdup("")) == NULL)
			die("out of memory");
		return line;
	}
	len = strlen(line);
	while (len > 0 && isspace((unsigned char)line[len - 1]))
		line[--len] = '\0';
	for (p = line; isspace((unsigned char)*p); p++)
		;
	memmove(line, p, strlen(p) + 1);
	return line;
}

static void
conn_write(struct conn *c, const char *p, size_t len)
{
	ssize_t	 n;

	while (len > 0) {
		if (c->tls != NULL) {
			n = tls_write(c->tls, p, len);
			if (n == TLS_WANT_POLLIN || n == TLS_WANT_POLLOUT)
				continue;
			if (n == -1)
				die("TLS connection to %s failed: %s",
				    c->peer, tls_error(c->tls));
		} else if ((n = write(c->fd, p, len)) == -1) {
			if (errno == EINTR)
				continue;
			die("[Errno %d] %s", errno, strerror(errno));
		}
		p += n;
		len -= n;
	}
}

/*
 * The reply to a command that answers with one JSON line; the daemon's
 * "ERROR: msg" becomes our error, as in receptorctl.
 */
struct json_object *
conn_command(struct conn *c, const char *command)
{
	struct json_object	*reply;
	char			*line;

	conn_write(c, command, strlen(command));
	conn_write(c, "\n", 1);
	line = conn_readline(c);
	if (strncmp(line, "ERROR:", 6) == 0)
		die("%s", strlen(line) > 7 ? line + 7 : "");
	if (*line == '\0')
		die("the control service closed the connection");
	reply = json_tokener_parse(line);
	if (reply == NULL || !json_object_is_type(reply, json_type_object))
		die("bad reply from the control service: %s", line);
	free(line);
	return reply;
}

void
conn_close(struct conn *c)
{
	if (c->in != NULL)
		fclose(c->in);
	if (c->tls != NULL) {
		(void)tls_close(c->tls);
		tls_free(c->tls);
		close(c->fd);
	}
	free(c->peer);
	memset(c, 0, sizeof(*c));
}
