/*
 * connect: a stream to a service of a node, opened by the control
 * service, between it and standard input and output. As receptorctl
 * does: the request "connect node service tlsclient" (the last part
 * empty for none), any reply but "Connecting" an error, --raw for a
 * terminal, a newline once the stream ends. Unlike it, bytes pass as
 * they are, and the end of standard input only ends what we send: the
 * node's side goes on to its own end.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "rcptctl.h"

/* A TLS record at most, so that a read leaves none of one behind. */
#define RELAY_CHUNK	(16 * 1024)

static struct termios	 saved_tty;
static int		 raw_on;

static void	raw_mode(void);
static void	raw_restore(void);
static void	relay(struct conn *);
static short	want_events(ssize_t);

int
cmd_connect(struct rcptctl *rc, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "raw",	no_argument,		NULL, 'r' },
		{ "tls-client",	required_argument,	NULL, 't' },
		HELP_OPTION,
		OPTIONS_END
	};
	struct conn	*c;
	const char	*tlsclient = "";
	int		 ch, raw = 0;

	optind = 0;
	while ((ch = next_option(argc, argv, ":r", opts)) != -1) {
		if (ch == 'r')
			raw = 1;
		else
			tlsclient = optarg;
	}
	operands(argc, argv, 2, 2, optind == argc ? "node" : "service");
	c = rcptctl_conn(rc);
	conn_connect(c, argv[optind], argv[optind + 1], tlsclient);
	/* A node that ends first makes our writes fail, not kill us. */
	signal(SIGPIPE, SIG_IGN);
	if (raw && isatty(STDIN_FILENO))
		raw_mode();
	relay(c);
	raw_restore();
	printf("\n");
	return 0;
}

/* receptorctl's tty.setraw(), signals included: ^C goes to the node. */
static void
raw_mode(void)
{
	struct termios	 t;

	if (tcgetattr(STDIN_FILENO, &saved_tty) == -1)
		die("tcgetattr: %s", strerror(errno));
	t = saved_tty;
	cfmakeraw(&t);
	if (tcsetattr(STDIN_FILENO, TCSAFLUSH, &t) == -1)
		die("tcsetattr: %s", strerror(errno));
	raw_on = 1;
	/* die() too must give the terminal back. */
	atexit(raw_restore);
}

static void
raw_restore(void)
{
	if (raw_on) {
		raw_on = 0;
		(void)tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved_tty);
	}
}

/*
 * Until the node's side ends. The socket does not block, so that a read
 * can take what TLS already holds, which poll() can't see; it is asked
 * only once reads and writes have said what they wait for.
 */
static void
relay(struct conn *c)
{
	struct pollfd	 pfd[2];
	char		 in[RELAY_CHUNK], out[RELAY_CHUNK];
	size_t		 inoff = 0, inlen = 0;
	ssize_t		 n;
	short		 rwant = 0, wwant = 0;
	int		 in_eof = 0, shut = 0;

	if (fcntl(c->fd, F_SETFL, fcntl(c->fd, F_GETFL) | O_NONBLOCK) == -1)
		die("fcntl: %s", strerror(errno));
	for (;;) {
		if (rwant == 0) {
			if ((n = conn_recv(c, out, sizeof(out))) == 0)
				return;
			if (n > 0) {
				write_stdout(out, n);
				continue;
			}
			rwant = want_events(n);
		}
		if (inlen > 0 && wwant == 0) {
			if ((n = conn_send(c, in + inoff, inlen)) > 0) {
				inoff += n;
				inlen -= n;
				continue;
			}
			wwant = want_events(n);
		}
		if (in_eof && inlen == 0 && !shut && wwant == 0) {
			if ((n = conn_shutdown(c)) == 0)
				shut = 1;
			else
				wwant = want_events(n);
		}
		pfd[0].fd = in_eof || inlen > 0 ? -1 : STDIN_FILENO;
		pfd[0].events = POLLIN;
		pfd[1].fd = c->fd;
		pfd[1].events = rwant | wwant;
		if (poll(pfd, 2, -1) == -1) {
			if (errno == EINTR)
				continue;
			die("poll: %s", strerror(errno));
		}
		if (pfd[0].revents != 0) {
			if ((n = read(STDIN_FILENO, in, sizeof(in))) == -1 &&
			    errno != EINTR && errno != EAGAIN)
				die("read: %s", strerror(errno));
			if (n == 0)
				in_eof = 1;
			else if (n > 0) {
				inoff = 0;
				inlen = n;
			}
		}
		if (pfd[1].revents != 0)
			rwant = wwant = 0;
	}
}

static short
want_events(ssize_t n)
{
	return n == CONN_WANT_READ ? POLLIN : POLLOUT;
}
