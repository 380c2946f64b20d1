/*
 * libwebsockets' side of the WebSocket backends. Debian's libwebsockets
 * has neither libevent nor external poll support, so it runs its own poll
 * loop in this thread. The thread shares no memory with the main loop
 * once started, only sockets: a control socketpair that brings requests
 * in (struct ws_req pointers; ownership comes along) and takes accepted
 * sessions out (struct ws_accepted), and one SOCK_SEQPACKET socketpair
 * per session carrying one netceptor message per packet.
 *
 * The context is made before the sandbox: it opens /dev/urandom, which
 * the chroot and the seccomp filter would refuse.
 *
 * TLS: a vhost per TLS backend, made when the main loop asks, after the
 * sandbox, so from memory only: a server's certificate, key and client
 * CAs go into the SSL_CTX libwebsockets makes (it would read files or
 * take a single CA certificate), a client's SSL_CTX is ours whole.
 * libwebsockets verifies the chain; pins, host names and node IDs are
 * the main loop's, on the DER of the peer's certificate.
 */
#include <sys/socket.h>
#include <sys/queue.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <libwebsockets.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "log.h"
#include "netd.h"
#include "netmsg.h"

/*
 * lws sizes its descriptor tables by this rather than by RLIMIT_NOFILE,
 * which may be huge; a session takes two.
 */
#define WS_MAX_FDS	4096
/* Messages from the main loop waiting for the WebSocket, per session. */
#define WS_TXQ_MAX	(256 * 1024)
/* Go's curves for TLS 1.2 and 1.3 key shares (PROTOCOL.md 3.4). */
#define WS_TLS_GROUPS	"P-521:P-384:P-256"
/* A dial's report: "+" and the peer's certificate, or "-" and why not. */
#define WS_REPORT_MAX	NETMSG_MAXLEN

struct ws_msg {
	TAILQ_ENTRY(ws_msg)	 entry;
	size_t			 len;
	uint8_t			 buf[];		/* LWS_PRE, then the message */
};

/* A TLS backend's vhost. */
struct ws_vh {
	LIST_ENTRY(ws_vh)	 entry;
	uint64_t		 id;
	struct lws_vhost	*vh;
	SSL_CTX			*client;	/* a dialer's, ours to free */
};

struct ws_sess {
	struct ws_req		*req;
	struct lws		*ws;		/* plain HTTP until upgraded */
	struct lws		*raw;		/* our end of the socketpair */
	int			 fd;
	int			 reported;	/* a dial's outcome was sent */
	int			 closing;	/* the main loop is done */
	const char		*verify_error;	/* why OpenSSL refused a server */
	int			 adopting;	/* inside lws_adopt_...() */
	int			 gone;		/* and lws dropped it there */
	TAILQ_HEAD(, ws_msg)	 txq;
	size_t			 txq_len;
	uint8_t			*rx;		/* message being reassembled */
	size_t			 rx_len;
	int			 rx_whole;	/* and waiting for the socket */
};

static int	ws_callback(struct lws *, enum lws_callback_reasons, void *,
		    void *, size_t);
static void	*ws_thread(void *);
static void	ws_log(int, const char *);
static int	ctl_read(void);
static void	vhost_new(struct ws_req *);
static void	vhost_gone(uint64_t);
static struct lws_vhost *vhost_of(const struct ws_req *);
static int	tls_ctx_setup(SSL_CTX *, const struct ws_tls *);
static int	pem_certs(const void *, size_t, int (*)(void *, X509 *, int),
		    void *);
static int	add_own_cert(void *, X509 *, int);
static int	add_ca_cert(void *, X509 *, int);
static int	tls_server_verify(int);
static int	tls_client_verify(struct ws_sess *, X509_STORE_CTX *, int);
static void	sess_dial(struct ws_req *);
static void	sess_accept(struct ws_req *);
static int	sess_adopt_raw(struct ws_sess *, int);
static void	sess_report(struct ws_sess *, const char *);
static int	sess_report_up(struct ws_sess *, struct lws *);
static uint8_t	*sess_peer_cert(struct lws *, size_t *);
static int	sess_established(struct ws_sess *, struct lws *);
static int	sess_http(struct lws *, struct ws_sess *, int upgrade);
static int	sess_from_main(struct ws_sess *);
static int	sess_to_peer(struct lws *, struct ws_sess *);
static int	sess_from_peer(struct lws *, struct ws_sess *, const void *,
		    size_t);
static int	sess_to_main(struct ws_sess *);
static void	sess_detach(struct ws_sess *, struct lws *);

static const struct lws_protocols protocols[] = {
	{ "receptor", ws_callback, 0, 0, 0, NULL, 0 },
	{ NULL, NULL, 0, 0, 0, NULL, 0 }
};

static struct lws_context	*ctx;
static struct lws_vhost		*vhost;
static LIST_HEAD(, ws_vh)	 tls_vhosts = LIST_HEAD_INITIALIZER(tls_vhosts);
/* The TLS settings of the vhost being made, for its SSL_CTX callback. */
static const struct ws_tls	*vhost_setup;
static struct lws		*ctl_wsi;
static int			 ctl_fd = -1;
static uint8_t			 rxbuf[NETMSG_MAXLEN];

/* Returns the main loop's end of the control socketpair. */
int
ws_thread_init(void)
{
	struct lws_context_creation_info info;
	lws_adopt_desc_t	 ad;
	int			 sv[2];

	lws_set_log_level(LLL_ERR | LLL_WARN, ws_log);
	memset(&info, 0, sizeof(info));
	info.port = CONTEXT_PORT_NO_LISTEN_SERVER;
	info.protocols = protocols;
	info.gid = -1;
	info.uid = -1;
	info.fd_limit_per_thread = WS_MAX_FDS;
	/*
	 * No system CA paths, they are files. OpenSSL initialises itself
	 * when a TLS vhost first needs it: doing it here cost netd 2.5 MB
	 * of memory, TLS or not.
	 */
	info.options = LWS_SERVER_OPTION_DISABLE_OS_CA_CERTS |
	    LWS_SERVER_OPTION_JUST_USE_RAW_ORIGIN;
	if ((ctx = lws_create_context(&info)) == NULL)
		fatalx("cannot create the libwebsockets context");
	vhost = lws_get_vhost_by_name(ctx, "default");
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) == -1)
		fatal("socketpair");
	memset(&ad, 0, sizeof(ad));
	ad.vh = vhost;
	ad.type = LWS_ADOPT_RAW_FILE_DESC;
	ad.fd.filefd = sv[1];
	/* The loop isn't running yet, so lws may be called from here. */
	if (vhost == NULL || (ctl_wsi =
	    lws_adopt_descriptor_vhost_via_info(&ad)) == NULL)
		fatalx("cannot set up the libwebsockets thread");
	ctl_fd = sv[1];
	return sv[0];
}

void
ws_thread_start(void)
{
	pthread_t	 t;
	sigset_t	 all, old;
	int		 rv;

	/* Signals stay with the main loop. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	rv = pthread_create(&t, NULL, ws_thread, NULL);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rv != 0) {
		errno = rv;
		fatal("pthread_create");
	}
	pthread_detach(t);
}

static void *
ws_thread(void *arg)
{
	for (;;)
		if (lws_service(ctx, 0) < 0)
			fatalx("libwebsockets service loop failed");
	return NULL;
}

static void
ws_log(int level, const char *line)
{
	size_t	 len = strcspn(line, "\n");

	log_debug("libwebsockets: %.*s", (int)len, line);
}

static int
ws_callback(struct lws *wsi, enum lws_callback_reasons reason, void *user,
    void *in, size_t len)
{
	struct ws_sess	*s = lws_get_opaque_user_data(wsi);
	char		 why[256];

	if (wsi == ctl_wsi)
		return reason == LWS_CALLBACK_RAW_RX_FILE ? ctl_read() : 0;
	switch (reason) {
	case LWS_CALLBACK_OPENSSL_LOAD_EXTRA_SERVER_VERIFY_CERTS:
		return vhost_setup != NULL ? tls_ctx_setup(user,
		    vhost_setup) : 0;
	case LWS_CALLBACK_OPENSSL_PERFORM_CLIENT_CERT_VERIFICATION:
		return tls_server_verify((int)len);
	case LWS_CALLBACK_OPENSSL_PERFORM_SERVER_CERT_VERIFICATION:
		return s != NULL ? tls_client_verify(s, user, (int)len) : 0;
	default:
		break;
	}
	if (s == NULL)
		return 0;
	switch (reason) {
	case LWS_CALLBACK_HTTP:
		return sess_http(wsi, s, 0);
	case LWS_CALLBACK_HTTP_CONFIRM_UPGRADE:
		return sess_http(wsi, s, 1);
	case LWS_CALLBACK_CLIENT_APPEND_HANDSHAKE_HEADER:
		if (s->req->hdrname == NULL)
			return 0;
		if (lws_add_http_header_by_name(wsi,
		    (const uint8_t *)s->req->hdrname,
		    (const uint8_t *)s->req->hdrvalue,
		    (int)strlen(s->req->hdrvalue), (uint8_t **)in,
		    *(uint8_t **)in + len))
			return -1;
		return 0;
	case LWS_CALLBACK_ESTABLISHED:
	case LWS_CALLBACK_CLIENT_ESTABLISHED:
		return sess_established(s, wsi);
	case LWS_CALLBACK_CLIENT_CONNECTION_ERROR:
		if (s->verify_error != NULL) {
			snprintf(why, sizeof(why), "TLS handshake failed: "
			    "certificate verification failed: %s",
			    s->verify_error);
			sess_report(s, why);
		} else
			sess_report(s, in != NULL ? in : "connection failed");
		return 0;
	case LWS_CALLBACK_RECEIVE:
	case LWS_CALLBACK_CLIENT_RECEIVE:
		return sess_from_peer(wsi, s, in, len);
	case LWS_CALLBACK_SERVER_WRITEABLE:
	case LWS_CALLBACK_CLIENT_WRITEABLE:
		return sess_to_peer(wsi, s);
	case LWS_CALLBACK_RAW_RX_FILE:
		return sess_from_main(s);
	case LWS_CALLBACK_RAW_WRITEABLE_FILE:
		return sess_to_main(s);
	case LWS_CALLBACK_WSI_DESTROY:
		sess_detach(s, wsi);
		return 0;
	default:
		return 0;
	}
}

static int
ctl_read(void)
{
	struct ws_req	*req;
	ssize_t		 n;

	while ((n = recv(ctl_fd, &req, sizeof(req), MSG_DONTWAIT)) ==
	    sizeof(req)) {
		switch (req->type) {
		case WS_REQ_DIAL:
			sess_dial(req);
			break;
		case WS_REQ_ACCEPT:
			sess_accept(req);
			break;
		case WS_REQ_VHOST:
			vhost_new(req);
			break;
		case WS_REQ_VHOST_GONE:
			vhost_gone(req->id);
			ws_req_free(req);
			break;
		}
	}
	if (n == 0 || (n == -1 && errno != EAGAIN && errno != EINTR))
		fatalx("libwebsockets thread: control channel lost");
	return 0;
}

/*
 * A TLS backend's vhost. Without one (its certificate or key were
 * refused) the backend's sessions fail, and this says why once.
 */
static void
vhost_new(struct ws_req *req)
{
	struct lws_context_creation_info info;
	struct ws_tls	*t = req->vhost;
	struct ws_vh	*v;
	char		 name[32];

	if ((v = calloc(1, sizeof(*v))) == NULL)
		fatal("ws vhost");
	v->id = req->id;
	snprintf(name, sizeof(name), "tls-%llu", (unsigned long long)req->id);
	memset(&info, 0, sizeof(info));
	info.vhost_name = name;
	info.port = CONTEXT_PORT_NO_LISTEN_SERVER;
	info.protocols = protocols;
	info.alpn = "http/1.1";
	info.options = LWS_SERVER_OPTION_DO_SSL_GLOBAL_INIT |
	    LWS_SERVER_OPTION_DISABLE_OS_CA_CERTS;
	if (t->server) {
		/* Certificates come in LOAD_EXTRA_SERVER_VERIFY_CERTS. */
		info.options |= LWS_SERVER_OPTION_CREATE_VHOST_SSL_CTX;
		if (t->verify)
			info.options |=
			    LWS_SERVER_OPTION_REQUIRE_VALID_OPENSSL_CLIENT_CERT;
	} else {
		if ((v->client = SSL_CTX_new(TLS_client_method())) == NULL ||
		    tls_ctx_setup(v->client, t) != 0)
			goto fail;
		info.provided_client_ssl_ctx = v->client;
	}
	vhost_setup = t;
	v->vh = lws_create_vhost(ctx, &info);
	vhost_setup = NULL;
	if (v->vh == NULL)
		goto fail;
	LIST_INSERT_HEAD(&tls_vhosts, v, entry);
	ws_req_free(req);
	return;

fail:
	log_warnx("%s: the TLS certificate, key or CAs were refused",
	    t->server ? "ws-listener" : "ws-peer");
	SSL_CTX_free(v->client);
	free(v);
	ws_req_free(req);
}

/* Sessions still on it are closed; lws frees it when they are. */
static void
vhost_gone(uint64_t id)
{
	struct ws_vh	*v;

	LIST_FOREACH(v, &tls_vhosts, entry)
		if (v->id == id)
			break;
	if (v == NULL)
		return;
	LIST_REMOVE(v, entry);
	lws_vhost_destroy(v->vh);
	/* Each SSL holds a reference to its SSL_CTX. */
	SSL_CTX_free(v->client);
	free(v);
}

static struct lws_vhost *
vhost_of(const struct ws_req *req)
{
	struct ws_vh	*v;

	if (!req->tls)
		return vhost;
	LIST_FOREACH(v, &tls_vhosts, entry)
		if (v->id == req->id)
			return v->vh;
	return NULL;
}

/*
 * Go's protocol versions, curves and suites, our certificate chain and
 * key, the CAs that verify the peer: all from the PEM bytes the main loop
 * sent.
 * 0 when done, as lws's callbacks return.
 */
static int
tls_ctx_setup(SSL_CTX *sc, const struct ws_tls *t)
{
	EVP_PKEY	*pkey;
	BIO		*bio;
	int		 rv;

	if (SSL_CTX_set_min_proto_version(sc, t->mintls13 ? TLS1_3_VERSION :
	    TLS1_2_VERSION) != 1 || (!t->mintls13 &&
	    (SSL_CTX_set1_groups_list(sc, WS_TLS_GROUPS) != 1 ||
	    SSL_CTX_set_cipher_list(sc, TLS12_CIPHERS) != 1)))
		return -1;
	if (t->cert != NULL) {
		if (pem_certs(t->cert, t->certlen, add_own_cert, sc) == -1)
			return -1;
		if ((bio = BIO_new_mem_buf(t->key, t->keylen)) == NULL)
			fatalx("BIO_new_mem_buf");
		pkey = PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL);
		BIO_free(bio);
		rv = pkey != NULL && SSL_CTX_use_PrivateKey(sc, pkey) == 1 &&
		    SSL_CTX_check_private_key(sc) == 1;
		EVP_PKEY_free(pkey);
		if (!rv)
			return -1;
	}
	if (t->cas != NULL && pem_certs(t->cas, t->caslen, add_ca_cert,
	    SSL_CTX_get_cert_store(sc)) == -1)
		return -1;
	/* The end of the PEM reads above is no error to report later. */
	ERR_clear_error();
	return 0;
}

/* Each certificate of a PEM buffer to add(); -1 if none or add fails. */
static int
pem_certs(const void *pem, size_t len, int (*add)(void *, X509 *, int),
    void *arg)
{
	X509	*x;
	BIO	*bio;
	int	 n, rv = 1;

	if ((bio = BIO_new_mem_buf(pem, len)) == NULL)
		fatalx("BIO_new_mem_buf");
	for (n = 0; rv == 1 &&
	    (x = PEM_read_bio_X509(bio, NULL, NULL, NULL)) != NULL; n++) {
		rv = add(arg, x, n == 0);
		X509_free(x);
	}
	BIO_free(bio);
	return n > 0 && rv == 1 ? 0 : -1;
}

/* Our leaf first, then the rest of its chain. */
static int
add_own_cert(void *sc, X509 *x, int first)
{
	return first ? SSL_CTX_use_certificate(sc, x) :
	    SSL_CTX_add1_chain_cert(sc, x);
}

static int
add_ca_cert(void *store, X509 *x, int first)
{
	return X509_STORE_add_cert(store, x);
}

/* lws asks whether OpenSSL's verdict on a client's chain stands: it does. */
static int
tls_server_verify(int preverify_ok)
{
	return !preverify_ok;
}

/*
 * insecureskipverify: any chain goes (pins are still checked after).
 * Otherwise OpenSSL's reason is kept: lws's own message doesn't say.
 */
static int
tls_client_verify(struct ws_sess *s, X509_STORE_CTX *store,
    int preverify_ok)
{
	if (s->req->insecure)
		X509_STORE_CTX_set_error(store, X509_V_OK);
	else if (!preverify_ok && s->verify_error == NULL)
		s->verify_error = X509_verify_cert_error_string(
		    X509_STORE_CTX_get_error(store));
	return 0;
}

static struct ws_sess *
sess_new(struct ws_req *req)
{
	struct ws_sess	*s;

	if ((s = calloc(1, sizeof(*s))) == NULL)
		fatal("ws session");
	s->req = req;
	s->fd = -1;
	TAILQ_INIT(&s->txq);
	return s;
}

static int
sess_adopt_raw(struct ws_sess *s, int fd)
{
	lws_adopt_desc_t	 ad;

	memset(&ad, 0, sizeof(ad));
	ad.vh = vhost;
	ad.type = LWS_ADOPT_RAW_FILE_DESC;
	ad.fd.filefd = fd;
	ad.opaque = s;
	s->fd = fd;
	if ((s->raw = lws_adopt_descriptor_vhost_via_info(&ad)) == NULL)
		return -1;
	return 0;
}

static void
sess_dial(struct ws_req *req)
{
	struct lws_client_connect_info ci;
	struct ws_sess	*s = sess_new(req);
	struct lws_vhost *vh = vhost_of(req);
	struct lws	*wsi;
	char		 origin[1024];

	if (sess_adopt_raw(s, req->fd) == -1) {
		close(req->fd);
		ws_req_free(req);
		free(s);
		return;
	}
	if (vh == NULL) {
		sess_report(s, "TLS is not set up for this backend");
		lws_set_timeout(s->raw, PENDING_TIMEOUT_KILLED_BY_PARENT,
		    LWS_TO_KILL_ASYNC);
		return;
	}
	memset(&ci, 0, sizeof(ci));
	ci.context = ctx;
	ci.vhost = vh;
	ci.address = req->address;
	ci.port = req->port;
	ci.path = req->path;
	ci.host = req->hostport;
	/* Go's, with the URL's scheme. */
	(void)snprintf(origin, sizeof(origin), "%s://%s",
	    req->tls ? "https" : "http", req->hostport);
	ci.origin = origin;
	ci.ietf_version_or_minus_one = -1;
	ci.opaque_user_data = s;
	ci.pwsi = &s->ws;
	if (req->tls) {
		/* The host name is checked by Go's rules, in the main loop. */
		ci.ssl_connection = LCCSCF_USE_SSL |
		    LCCSCF_SKIP_SERVER_CERT_HOSTNAME_CHECK;
		if (req->insecure)
			ci.ssl_connection |= LCCSCF_ALLOW_SELFSIGNED |
			    LCCSCF_ALLOW_INSECURE | LCCSCF_ALLOW_EXPIRED;
		ci.alpn = "http/1.1";
	}
	wsi = lws_client_connect_via_info(&ci);
	if (wsi == NULL && !s->reported) {
		sess_report(s, "cannot connect");
		lws_set_timeout(s->raw, PENDING_TIMEOUT_KILLED_BY_PARENT,
		    LWS_TO_KILL_ASYNC);
	}
}

static void
sess_accept(struct ws_req *req)
{
	lws_adopt_desc_t	 ad;
	struct ws_sess		*s = sess_new(req);
	struct lws		*wsi;

	memset(&ad, 0, sizeof(ad));
	if ((ad.vh = vhost_of(req)) == NULL) {
		close(req->fd);
		ws_req_free(req);
		free(s);
		return;
	}
	ad.type = LWS_ADOPT_SOCKET | LWS_ADOPT_HTTP;
	if (req->tls)
		ad.type |= LWS_ADOPT_ALLOW_SSL;
	ad.fd.sockfd = req->fd;
	ad.opaque = s;
	/*
	 * On failure lws has closed the socket. A TLS handshake may start
	 * and fail in there too: the wsi is gone then, s is ours to free.
	 */
	s->adopting = 1;
	wsi = lws_adopt_descriptor_vhost_via_info(&ad);
	s->adopting = 0;
	if (wsi == NULL || s->gone) {
		ws_req_free(req);
		free(s);
		return;
	}
	s->ws = wsi;
}

/* A dial's outcome is the first packet: this is "-" and why not. */
static void
sess_report(struct ws_sess *s, const char *why)
{
	char	 buf[256];
	int	 n;

	if (s->req->type != WS_REQ_DIAL || s->reported)
		return;
	s->reported = 1;
	n = snprintf(buf, sizeof(buf), "-%s", why);
	if (n >= (int)sizeof(buf))
		n = sizeof(buf) - 1;
	(void)send(s->fd, buf, n, MSG_DONTWAIT | MSG_NOSIGNAL);
}

/* The dial is up: "+" and the TLS peer's certificate; -1 if it can't be. */
static int
sess_report_up(struct ws_sess *s, struct lws *wsi)
{
	uint8_t	*der, *buf;
	size_t	 len = 0;

	if (s->reported)
		return -1;
	if ((der = sess_peer_cert(wsi, &len)) != NULL &&
	    len >= WS_REPORT_MAX) {
		free(der);
		sess_report(s, "peer certificate too large");
		return -1;
	}
	s->reported = 1;
	if ((buf = malloc(1 + len)) == NULL)
		fatal("ws report");
	buf[0] = '+';
	if (len > 0)
		memcpy(buf + 1, der, len);
	(void)send(s->fd, buf, 1 + len, MSG_DONTWAIT | MSG_NOSIGNAL);
	free(buf);
	free(der);
	return 0;
}

/* The DER of a TLS session's peer certificate; NULL for none. */
static uint8_t *
sess_peer_cert(struct lws *wsi, size_t *len)
{
	SSL		*ssl;
	X509		*x;
	uint8_t		*der = NULL, *p;
	int		 n;

	*len = 0;
	if ((ssl = lws_get_ssl(wsi)) == NULL ||
	    (x = SSL_get0_peer_certificate(ssl)) == NULL ||
	    (n = i2d_X509(x, NULL)) <= 0)
		return NULL;
	if ((der = malloc(n)) == NULL)
		fatal("ws certificate");
	p = der;
	if (i2d_X509(x, &p) != n) {
		free(der);
		return NULL;
	}
	*len = n;
	return der;
}

static int
sess_established(struct ws_sess *s, struct lws *wsi)
{
	struct ws_accepted	 a;
	int			 sv[2];

	/* The main loop gave up on this dial while it was under way. */
	if (s->closing)
		return -1;
	if (s->req->type == WS_REQ_DIAL) {
		return sess_report_up(s, wsi);
	}
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0, sv) == -1) {
		log_warn("ws-listener: socketpair");
		return -1;
	}
	if (sess_adopt_raw(s, sv[1]) == -1) {
		close(sv[0]);
		return -1;
	}
	memset(&a, 0, sizeof(a));
	a.id = s->req->id;
	a.fd = sv[0];
	strlcpy(a.remote, s->req->remote, sizeof(a.remote));
	a.cert = sess_peer_cert(wsi, &a.certlen);
	if (send(ctl_fd, &a, sizeof(a), MSG_NOSIGNAL) != sizeof(a))
		fatal("libwebsockets thread: control channel");
	return 0;
}

/*
 * A request at the listener: Go's ServeMux answers 404 off the path, and
 * on it gorilla/websocket wants an upgrade (400) from the same origin
 * (403). The headers fit lws's header buffer, hence these sizes.
 */
static int
sess_http(struct lws *wsi, struct ws_sess *s, int upgrade)
{
	char	 uri[4096], origin[1024], host[1024];
	int	 status = 0;

	if (lws_hdr_copy(wsi, uri, sizeof(uri), WSI_TOKEN_GET_URI) < 0 ||
	    !ws_path_match(s->req->pattern, uri))
		status = HTTP_STATUS_NOT_FOUND;
	else if (!upgrade)
		status = HTTP_STATUS_BAD_REQUEST;
	else if (lws_hdr_total_length(wsi, WSI_TOKEN_ORIGIN) > 0) {
		if (lws_hdr_copy(wsi, origin, sizeof(origin),
		    WSI_TOKEN_ORIGIN) < 0 || lws_hdr_copy(wsi, host,
		    sizeof(host), WSI_TOKEN_HOST) < 0 ||
		    !ws_origin_ok(origin, host))
			status = HTTP_STATUS_FORBIDDEN;
	}
	if (status == 0)
		return 0;
	log_debug("ws-listener: %s from %s: %d", uri, s->req->remote, status);
	if (lws_return_http_status(wsi, status, NULL))
		return -1;
	/* After a refused upgrade lws completes the transaction itself. */
	if (upgrade)
		return 1;
	return lws_http_transaction_completed(wsi) ? -1 : 0;
}

/*
 * The main loop has messages for the peer: take what is there, up to a
 * limit, so that what it sent before closing still goes out.
 */
static int
sess_from_main(struct ws_sess *s)
{
	struct ws_msg	*m;
	ssize_t		 n;

	for (;;) {
		if (s->txq_len >= WS_TXQ_MAX) {
			lws_rx_flow_control(s->raw, 0);
			break;
		}
		n = recv(s->fd, rxbuf, sizeof(rxbuf), MSG_DONTWAIT);
		if (n == -1 && (errno == EAGAIN || errno == EINTR))
			break;
		if (n <= 0) {
			s->closing = 1;
			break;
		}
		if ((m = malloc(sizeof(*m) + LWS_PRE + n)) == NULL)
			fatal("ws message");
		m->len = n;
		memcpy(m->buf + LWS_PRE, rxbuf, n);
		TAILQ_INSERT_TAIL(&s->txq, m, entry);
		s->txq_len += n;
	}
	if (s->ws != NULL)
		lws_callback_on_writable(s->ws);
	return s->closing ? -1 : 0;
}

/* One message per writable callback: lws buffers what the socket refuses. */
static int
sess_to_peer(struct lws *wsi, struct ws_sess *s)
{
	struct ws_msg	*m;
	int		 rv = 0;

	if ((m = TAILQ_FIRST(&s->txq)) == NULL) {
		if (!s->closing)
			return 0;
		lws_close_reason(wsi, LWS_CLOSE_STATUS_NORMAL, NULL, 0);
		return -1;
	}
	TAILQ_REMOVE(&s->txq, m, entry);
	s->txq_len -= m->len;
	if (lws_write(wsi, m->buf + LWS_PRE, m->len, LWS_WRITE_BINARY) <
	    (int)m->len)
		rv = -1;
	free(m);
	if (rv == 0 && (!TAILQ_EMPTY(&s->txq) || s->closing))
		lws_callback_on_writable(wsi);
	if (s->raw != NULL && s->txq_len < WS_TXQ_MAX)
		lws_rx_flow_control(s->raw, 1);
	return rv;
}

/* Frames of one message arrive in pieces; the main loop gets it whole. */
static int
sess_from_peer(struct lws *wsi, struct ws_sess *s, const void *in,
    size_t len)
{
	uint8_t	*p;

	if (s->rx_whole || s->raw == NULL)
		return -1;
	if (len > NETMSG_MAXLEN - s->rx_len) {
		log_warnx("ws: a message from %s is over %d bytes",
		    s->req->remote[0] != '\0' ? s->req->remote :
		    s->req->hostport, NETMSG_MAXLEN);
		return -1;
	}
	if (len > 0) {
		if ((p = realloc(s->rx, s->rx_len + len)) == NULL)
			fatal("ws message");
		s->rx = p;
		memcpy(s->rx + s->rx_len, in, len);
		s->rx_len += len;
	}
	if (!lws_is_final_fragment(wsi) || lws_remaining_packet_payload(wsi) > 0)
		return 0;
	/* An empty message is no netceptor message. */
	if (s->rx_len == 0)
		return 0;
	s->rx_whole = 1;
	return sess_to_main(s);
}

static int
sess_to_main(struct ws_sess *s)
{
	if (!s->rx_whole)
		return 0;
	if (send(s->fd, s->rx, s->rx_len, MSG_DONTWAIT | MSG_NOSIGNAL) == -1) {
		if (errno != EAGAIN)
			return -1;
		/* The peer waits until the main loop catches up. */
		lws_rx_flow_control(s->ws, 0);
		lws_callback_on_writable(s->raw);
		return 0;
	}
	s->rx_whole = 0;
	s->rx_len = 0;
	if (s->ws != NULL)
		lws_rx_flow_control(s->ws, 1);
	return 0;
}

/*
 * Each of a session's two wsi ends the other: the WebSocket going kills
 * the socketpair, which the main loop sees as EOF; the socketpair going
 * closes the WebSocket once what the main loop sent has gone out.
 */
static void
sess_detach(struct ws_sess *s, struct lws *wsi)
{
	struct ws_msg	*m;

	if (wsi == s->raw) {
		s->raw = NULL;
		s->closing = 1;
		if (s->ws != NULL)
			lws_callback_on_writable(s->ws);
	} else {
		s->ws = NULL;
		sess_report(s, "connection closed");
		if (s->raw != NULL)
			lws_set_timeout(s->raw, PENDING_TIMEOUT_KILLED_BY_PARENT,
			    LWS_TO_KILL_ASYNC);
	}
	if (s->ws != NULL || s->raw != NULL)
		return;
	if (s->adopting) {
		s->gone = 1;
		return;
	}
	while ((m = TAILQ_FIRST(&s->txq)) != NULL) {
		TAILQ_REMOVE(&s->txq, m, entry);
		free(m);
	}
	free(s->rx);
	ws_req_free(s->req);
	free(s);
}
