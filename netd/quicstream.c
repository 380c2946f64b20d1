/*
 * The bytes of a connection's one stream and the consumer's end of it: ours
 * wait in chunks until the far end acks them (ngtcp2 sends them again from
 * there), and the stream's own go to the consumer as fast as it takes
 * them, the window growing only by what it took.
 */
#include <sys/param.h>
#include <sys/socket.h>
#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

#include "log.h"
#include "netd.h"
#include "quicconn.h"

static void	fd_read(evutil_socket_t, short, void *);
static void	fd_write(evutil_socket_t, short, void *);
static void	linger(int, struct evbuffer *);
static void	linger_write(evutil_socket_t, short, void *);

/* The byte that has Go's listener accept a dialer's stream. */
void
qstream_first_byte(struct qconn *qc)
{
	struct txchunk	*c;

	if ((c = calloc(1, sizeof(*c))) == NULL)
		fatal("quic stream");
	STAILQ_INSERT_TAIL(&qc->tx, c, entry);
	qc->nchunks = 1;
	qc->tx_end = 1;
}

/* What the stream brought (and whether it ended), for the consumer. */
void
qstream_received(struct qconn *qc, const uint8_t *data, size_t len, int fin)
{
	if (qc->fd == -1 && !qc->awaiting)	/* ended on our side */
		qc->rx_credit += len;
	else if (len > 0 && evbuffer_add(qc->rx, data, len) == -1)
		fatal("quic stream");
	if (fin)
		qc->rx_fin = 1;
	/*
	 * Written once the loop has handled the packets that came with this
	 * one: one write for them all.
	 */
	if (qc->ev_write != NULL && !event_pending(qc->ev_write, EV_WRITE,
	    NULL))
		event_active(qc->ev_write, EV_WRITE, 1);
}

/* Write what the stream brought to the consumer, as far as it takes. */
void
qstream_rx_flush(struct qconn *qc)
{
	int	 n;

	while (qc->fd != -1 && evbuffer_get_length(qc->rx) > 0) {
		if ((n = evbuffer_write(qc->rx, qc->fd)) > 0) {
			qc->rx_credit += n;
			continue;
		}
		if (n == -1 && errno == EAGAIN) {
			event_add(qc->ev_write, NULL);
			return;
		}
		/* The consumer is gone: Go's CancelRead. */
		qc->rx_credit += evbuffer_get_length(qc->rx);
		evbuffer_drain(qc->rx, evbuffer_get_length(qc->rx));
		if (qc->stream != -1)
			ngtcp2_conn_shutdown_stream_read(qc->conn, qc->stream,
			    QUIC_APP_CANCEL_READ);
		return;
	}
	if (qc->rx_fin && qc->fd != -1 && evbuffer_get_length(qc->rx) == 0)
		shutdown(qc->fd, SHUT_WR);
}

static void
fd_write(evutil_socket_t fd, short events, void *arg)
{
	struct qconn	*qc = arg;

	qstream_rx_flush(qc);
	qconn_flush(qc);
}

/* Take fd as the consumer's end of the stream. */
int
qstream_bridge(struct qconn *qc, int fd)
{
	qc->fd = fd;
	if (evutil_make_socket_nonblocking(fd) == -1) {
		log_warn("quic: stream socket");
		return -1;
	}
	if ((qc->ev_read = event_new(netd_base(), fd, EV_READ | EV_PERSIST,
	    fd_read, qc)) == NULL ||
	    (qc->ev_write = event_new(netd_base(), fd, EV_WRITE,
	    fd_write, qc)) == NULL) {
		log_warnx("quic: event_new");
		return -1;
	}
	event_add(qc->ev_read, NULL);
	return 0;
}

/* The consumer has had all of the stream and sent all of its own. */
void
qstream_unbridge(struct qconn *qc)
{
	event_free(qc->ev_read);
	event_free(qc->ev_write);
	qc->ev_read = qc->ev_write = NULL;
	close(qc->fd);
	qc->fd = -1;
}

static void
fd_read(evutil_socket_t fd, short events, void *arg)
{
	struct qconn	*qc = arg;
	struct txchunk	*c;
	size_t		 off;
	ssize_t		 n;
	int		 i;

	/* A few chunks a wake-up, then one flush for them all. */
	for (i = 0; i < QUIC_READ_CHUNKS; i++) {
		if (qc->tx_end - qc->tx_acked >= QUIC_TX_BUFFER) {
			event_del(qc->ev_read);	/* until acks make room */
			break;
		}
		/* Every chunk but the last is full. */
		if (qc->tx_end == qc->tx_base + qc->nchunks * QUIC_CHUNK) {
			if ((c = calloc(1, sizeof(*c))) == NULL)
				fatal("quic stream");
			STAILQ_INSERT_TAIL(&qc->tx, c, entry);
			qc->nchunks++;
		}
		c = STAILQ_LAST(&qc->tx, txchunk, entry);
		off = (qc->tx_end - qc->tx_base) % QUIC_CHUNK;
		n = read(fd, c->data + off, QUIC_CHUNK - off);
		if (n == -1 && (errno == EAGAIN || errno == EINTR))
			break;
		if (n <= 0) {
			qc->tx_eof = 1;
			event_del(qc->ev_read);
			break;
		}
		qc->tx_end += n;
		if ((size_t)n < QUIC_CHUNK - off)
			break;
	}
	qconn_flush(qc);
}

/* The far end has len more bytes: what it has is ours no longer. */
void
qstream_acked(struct qconn *qc, uint64_t len)
{
	struct txchunk	*c;

	qc->tx_acked += len;
	while (qc->tx_acked - qc->tx_base >= QUIC_CHUNK &&
	    (c = STAILQ_FIRST(&qc->tx)) != NULL) {
		STAILQ_REMOVE_HEAD(&qc->tx, entry);
		free(c);
		qc->nchunks--;
		qc->tx_base += QUIC_CHUNK;
	}
	if (qc->ev_read != NULL && !qc->tx_eof &&
	    qc->tx_end - qc->tx_acked < QUIC_TX_BUFFER)
		event_add(qc->ev_read, NULL);
}

/* What is not sent yet, at most two chunks' worth, and how much. */
size_t
qstream_pending(struct qconn *qc, ngtcp2_vec *v, size_t *total)
{
	struct txchunk	*c;
	uint64_t	 pos = qc->tx_base, lo, hi;
	size_t		 n = 0;

	*total = 0;
	STAILQ_FOREACH(c, &qc->tx, entry) {
		lo = MAX(pos, qc->tx_sent);
		hi = MIN(pos + QUIC_CHUNK, qc->tx_end);
		if (lo < hi && n < 2) {
			v[n].base = c->data + (lo - pos);
			v[n].len = hi - lo;
			*total += v[n++].len;
		}
		pos += QUIC_CHUNK;
	}
	return n;
}


/* Whatever came before the close is the consumer's all the same. */
void
qstream_free(struct qconn *qc)
{
	struct txchunk	*c;

	if (qc->fd != -1 && evbuffer_get_length(qc->rx) > 0) {
		linger(qc->fd, qc->rx);
		qc->fd = -1;
		qc->rx = NULL;
	}
	if (qc->fd != -1)
		close(qc->fd);
	if (qc->ev_read != NULL)
		event_free(qc->ev_read);
	if (qc->ev_write != NULL)
		event_free(qc->ev_write);
	while ((c = STAILQ_FIRST(&qc->tx)) != NULL) {
		STAILQ_REMOVE_HEAD(&qc->tx, entry);
		free(c);
	}
	if (qc->rx != NULL)
		evbuffer_free(qc->rx);
}

struct lingering {
	int		 fd;
	struct evbuffer	*buf;
	struct event	*ev;
};

static void
linger(int fd, struct evbuffer *buf)
{
	struct lingering	*lg;
	struct timeval		 tv = { QUIC_LINGER, 0 };

	if ((lg = calloc(1, sizeof(*lg))) == NULL ||
	    (lg->ev = event_new(netd_base(), fd, EV_WRITE | EV_PERSIST,
	    linger_write, lg)) == NULL)
		fatal("quic linger");
	lg->fd = fd;
	lg->buf = buf;
	event_add(lg->ev, &tv);
}

static void
linger_write(evutil_socket_t fd, short events, void *arg)
{
	struct lingering	*lg = arg;

	if ((events & EV_WRITE) && (evbuffer_write(lg->buf, fd) >= 0 ||
	    errno == EAGAIN) && evbuffer_get_length(lg->buf) > 0)
		return;
	event_free(lg->ev);
	evbuffer_free(lg->buf);
	close(fd);
	free(lg);
}
