/*
 * TLS settings of a TCP backend (netd) or TCP control listener (ctld),
 * built from the tls-server or tls-client it names, and the checks libtls
 * doesn't make: pinned fingerprints, Go's hostname rules for a dialer, and
 * Receptor node IDs (tlsnames.c) in our own certificate at start and in
 * the peer's once a link learns who it is.
 */
#include <sys/socket.h>
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <tls.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <event2/buffer.h>

#include "log.h"
#include "proc.h"
#include "proto.h"
#include "tlsconf.h"

#define TLS_CURVES		"secp521r1,secp384r1,prime256v1"
/* A TLS record's worth: what one tls_write() takes at most. */
#define TLS_CHUNK		16384
/* The content type of the record that carries a ClientHello. */
#define TLS_RECORD_HANDSHAKE	0x16

struct pin {
	uint8_t		 md[EVP_MAX_MD_SIZE];
	size_t		 len;
};

struct tlsconf {
	struct tls_config	*cfg;
	struct tls		*server;	/* a listener accepts from it */
	int			 verify;	/* the peer's certificate is checked */
	int			 checknode;	/* and must name the peer's node */
	struct pin		*pins;
	size_t			 npins;
	struct tlsconf_mem	 mem;
};

static const char *opt_str(const struct cfg_item *, const char *);
static const unsigned char *tls_file(const struct cfg_item *, const char *field,
	    size_t *);
static int	check_own_cert(const struct cfg_item *, const char *node,
	    const unsigned char *, size_t);
static int	load_pins(struct tlsconf *, const struct cfg_value *);
static int	set_protocols(struct tlsconf *, int mintls13);
static int	set_cas(struct tlsconf *, const struct cfg_item *,
	    const char *field);
static X509	*pem_leaf(const void *, size_t);
static X509	*peer_leaf(struct tls *);
static X509	*der_leaf(const void *, size_t);
static int	check_peer(const struct tlsconf *, X509 *, const char *host,
	    char *, size_t);
static int	check_node(const struct tlsconf *, X509 *, const char *node,
	    char *, size_t);
static int	check_pins(const struct tlsconf *, X509 *);
static void	names_text(const struct tlsnames *, char *, size_t);

/*
 * For the tls-server (server) or tls-client called name, which user (the
 * action naming it, for log lines) needs on node.
 */
struct tlsconf *
tlsconf_new(const char *user, const char *name, int server, const char *node)
{
	const char		*action = server ? "tls-server" : "tls-client";
	const struct cfg_item	*item;
	const unsigned char	*cert, *key;
	struct tlsconf		*tc;
	size_t			 certlen, keylen;

	if ((item = tlsconf_item(action, name)) == NULL) {
		log_error("%s: no %s named %s", user, action, name);
		return NULL;
	}
	if ((cert = tls_file(item, "cert", &certlen)) == NULL ||
	    (key = tls_file(item, "key", &keylen)) == NULL)
		return NULL;
	if (!cfg_bool(item, "skipreceptornamescheck") &&
	    check_own_cert(item, node, cert, certlen) == -1)
		return NULL;

	if ((tc = calloc(1, sizeof(*tc))) == NULL ||
	    (tc->cfg = tls_config_new()) == NULL)
		fatal("tls config");
	tc->mem.cert = cert;
	tc->mem.certlen = certlen;
	tc->mem.key = key;
	tc->mem.keylen = keylen;
	if (tls_config_set_keypair_mem(tc->cfg, cert, certlen, key,
	    keylen) == -1 || set_protocols(tc, cfg_bool(item, "mintls13")) ==
	    -1)
		goto fail;

	if (server) {
		/* Go demands a certificate even when only clientcas is set. */
		tc->verify = cfg_bool(item, "requireclientcert") ||
		    opt_str(item, "clientcas") != NULL;
		if (tc->verify) {
			tls_config_verify_client(tc->cfg);
			if (set_cas(tc, item, "clientcas") == -1 ||
			    load_pins(tc, cfg_get(item, "pinnedclientcert")) ==
			    -1)
				goto bad;
		}
		if ((tc->server = tls_server()) == NULL)
			fatal("tls_server");
		if (tls_configure(tc->server, tc->cfg) == -1) {
			log_error("%s %s: %s", action, name,
			    tls_error(tc->server));
			goto bad;
		}
	} else {
		tc->verify = !cfg_bool(item, "insecureskipverify");
		if (!tc->verify) {
			tls_config_insecure_noverifycert(tc->cfg);
			tls_config_insecure_noverifyname(tc->cfg);
		} else {
			/* Go's hostname rules are not libtls's: see below. */
			tls_config_insecure_noverifyname(tc->cfg);
			if (set_cas(tc, item, "rootcas") == -1 ||
			    load_pins(tc, cfg_get(item, "pinnedservercert")) ==
			    -1)
				goto bad;
		}
	}
	tc->checknode = tc->verify && !cfg_bool(item, "skipreceptornamescheck");
	tc->mem.verify = tc->verify;
	return tc;

fail:
	log_error("%s %s: %s", action, name, tls_config_error(tc->cfg));
bad:
	tlsconf_free(tc);
	return NULL;
}

/*
 * A wss:// URL without tls=: Go's tls-client "default" has no pinned
 * fingerprints and fails to start; this is what such a dialer sensibly
 * wants instead, a browser's checks: the system's roots and the host
 * name, no certificate of our own and no Receptor node IDs.
 */
struct tlsconf *
tlsconf_default(void)
{
	struct tlsconf	*tc;

	if ((tc = calloc(1, sizeof(*tc))) == NULL ||
	    (tc->cfg = tls_config_new()) == NULL)
		fatal("tls config");
	tc->verify = tc->mem.verify = 1;
	tls_config_insecure_noverifyname(tc->cfg);
	if (set_protocols(tc, 0) == -1) {
		log_error("tls-client default: %s", tls_config_error(tc->cfg));
		tlsconf_free(tc);
		return NULL;
	}
	if (set_cas(tc, NULL, "rootcas") == -1) {
		tlsconf_free(tc);
		return NULL;
	}
	return tc;
}

void
tlsconf_free(struct tlsconf *tc)
{
	if (tc == NULL)
		return;
	tls_free(tc->server);
	tls_config_free(tc->cfg);
	free(tc->pins);
	free(tc);
}

struct tls_config *
tlsconf_config(const struct tlsconf *tc)
{
	return tc->cfg;
}

struct tls *
tlsconf_server(const struct tlsconf *tc)
{
	return tc->server;
}

const struct tlsconf_mem *
tlsconf_mem(const struct tlsconf *tc)
{
	return &tc->mem;
}

/* TLS >= 1.2 on Go's curves and suites, or 1.3 alone on the library's. */
static int
set_protocols(struct tlsconf *tc, int mintls13)
{
	tc->mem.mintls13 = mintls13;
	if (mintls13)
		return tls_config_set_protocols(tc->cfg, TLS_PROTOCOL_TLSv1_3);
	if (tls_config_set_protocols(tc->cfg, TLS_PROTOCOL_TLSv1_2 |
	    TLS_PROTOCOL_TLSv1_3) == -1 ||
	    tls_config_set_ecdhecurves(tc->cfg, TLS_CURVES) == -1 ||
	    tls_config_set_ciphers(tc->cfg, TLS12_CIPHERS) == -1)
		return -1;
	return 0;
}

/* The tls-server or tls-client item called name, or NULL. */
const struct cfg_item *
tlsconf_item(const char *action, const char *name)
{
	const struct config	*conf = child_config();
	struct cfg_item		*item;

	for (item = config_first(conf, action); item != NULL;
	    item = config_next(item, action))
		if (name != NULL && strcmp(cfg_str(item, "name"), name) == 0)
			return item;
	return NULL;
}

/* Go takes an empty file name for none. */
static const char *
opt_str(const struct cfg_item *item, const char *field)
{
	const char	*s = cfg_str(item, field);

	return s != NULL && *s != '\0' ? s : NULL;
}

/* netd and ctld can't open files: the parent sent every one the config
   names. */
static const unsigned char *
tls_file(const struct cfg_item *item, const char *field, size_t *len)
{
	const char		*path = cfg_str(item, field);
	const unsigned char	*data;

	if ((data = child_file(path, len)) == NULL)
		log_error("%s %s: %s %s was not loaded", item->action->name,
		    cfg_str(item, "name"), field, path);
	return data;
}

/*
 * Without a bundle of its own Go trusts the system's roots; so does the
 * default tls-client (item NULL).
 */
static int
set_cas(struct tlsconf *tc, const struct cfg_item *item, const char *field)
{
	const unsigned char	*ca;
	const char		*action, *name;
	size_t			 len;

	action = item != NULL ? item->action->name : "tls-client";
	name = item != NULL ? cfg_str(item, "name") : "default";
	if (item != NULL && opt_str(item, field) != NULL)
		ca = tls_file(item, field, &len);
	else if ((ca = child_file(TLS_SYSTEM_ROOTS, &len)) == NULL)
		log_error("%s %s: no %s and no system roots in %s", action,
		    name, field, TLS_SYSTEM_ROOTS);
	if (ca == NULL)
		return -1;
	if (tls_config_set_ca_mem(tc->cfg, ca, len) == -1) {
		log_error("%s %s: %s: %s", action, name, field,
		    tls_config_error(tc->cfg));
		return -1;
	}
	tc->mem.cas = ca;
	tc->mem.caslen = len;
	return 0;
}

/* Hex digits, colons anywhere, as Go decodes them; SHA-256 or SHA-512. */
static int
load_pins(struct tlsconf *tc, const struct cfg_value *v)
{
	struct pin	*p;
	const char	*s, *hex = "0123456789abcdef", *h;
	size_t		 i, n;

	if (v == NULL || !v->set || v->nlist == 0)
		return 0;
	if ((tc->pins = calloc(v->nlist, sizeof(*tc->pins))) == NULL)
		fatal("pins");
	for (i = 0; i < v->nlist; i++) {
		p = &tc->pins[tc->npins++];
		for (n = 0, s = v->list[i]; *s != '\0'; s++) {
			if (*s == ':')
				continue;
			if ((h = strchr(hex, tolower((unsigned char)*s))) ==
			    NULL || n / 2 == sizeof(p->md))
				break;
			if (n % 2 == 0)
				p->md[n / 2] = (h - hex) << 4;
			else
				p->md[n / 2] |= h - hex;
			n++;
		}
		p->len = n / 2;
		if (*s != '\0' || n % 2 != 0 ||
		    (p->len != 32 && p->len != 64)) {
			log_error("bad pinned fingerprint %s", v->list[i]);
			return -1;
		}
	}
	return 0;
}

static int
check_own_cert(const struct cfg_item *item, const char *node,
    const unsigned char *pem, size_t len)
{
	struct tlsnames	 names;
	X509		*x;
	char		 text[1024];
	int		 ok;

	if ((x = pem_leaf(pem, len)) == NULL) {
		log_error("%s %s: failed to parse certificate PEM",
		    item->action->name, cfg_str(item, "name"));
		return -1;
	}
	if (tlsnames_x509(x, &names) == -1) {
		X509_free(x);
		log_error("%s %s: bad Receptor node ID in certificate",
		    item->action->name, cfg_str(item, "name"));
		return -1;
	}
	X509_free(x);
	if (!(ok = tlsnames_has(&names, node))) {
		names_text(&names, text, sizeof(text));
		log_error("nodeID=%s not found in certificate name(s); "
		    "names found=%s; cfg section=%s; server cert=%s",
		    node, text, cfg_str(item, "name"),
		    cfg_str(item, "cert"));
	}
	tlsnames_free(&names);
	return ok ? 0 : -1;
}

static X509 *
pem_leaf(const void *pem, size_t len)
{
	BIO	*bio;
	X509	*x;

	if ((bio = BIO_new_mem_buf(pem, len)) == NULL)
		fatalx("BIO_new_mem_buf");
	x = PEM_read_bio_X509(bio, NULL, NULL, NULL);
	BIO_free(bio);
	return x;
}

/* libtls shows the chain as PEM only, the peer's own certificate first. */
static X509 *
peer_leaf(struct tls *ctx)
{
	const uint8_t	*pem;
	size_t		 len;

	if ((pem = tls_peer_cert_chain_pem(ctx, &len)) == NULL)
		return NULL;
	return pem_leaf(pem, len);
}

static X509 *
der_leaf(const void *der, size_t len)
{
	const unsigned char	*p = der;

	if (der == NULL || len == 0 || len > LONG_MAX)
		return NULL;
	return d2i_X509(NULL, &p, len);
}

/*
 * After the handshake: pins, and for a dialer the address's host against
 * the DNS or IP SANs, never the subject's CN (Go's x509 rules).
 */
int
tlsconf_check_peer(const struct tlsconf *tc, struct tls *ctx,
    const char *host, char *err, size_t errlen)
{
	X509	*x;
	int	 rv;

	if (!tc->verify)
		return 0;
	x = peer_leaf(ctx);
	rv = check_peer(tc, x, host, err, errlen);
	X509_free(x);
	return rv;
}

/* The same for a TLS library that shows the certificate as DER. */
int
tlsconf_check_peer_der(const struct tlsconf *tc, const void *der,
    size_t len, const char *host, char *err, size_t errlen)
{
	X509	*x;
	int	 rv;

	if (!tc->verify)
		return 0;
	x = der_leaf(der, len);
	rv = check_peer(tc, x, host, err, errlen);
	X509_free(x);
	return rv;
}

static int
check_peer(const struct tlsconf *tc, X509 *x, const char *host, char *err,
    size_t errlen)
{
	struct in6_addr	 a6;
	struct in_addr	 a4;
	int		 ok;

	if (x == NULL) {
		snprintf(err, errlen, "peer certificate missing");
		return -1;
	}
	if (check_pins(tc, x) == -1) {
		snprintf(err, errlen, "presented certificate does not match "
		    "any pinned fingerprint");
		ok = 0;
	} else if (host == NULL)
		ok = 1;
	else if (inet_pton(AF_INET, host, &a4) == 1 ||
	    inet_pton(AF_INET6, host, &a6) == 1) {
		if (!(ok = X509_check_ip_asc(x, host, 0) == 1))
			snprintf(err, errlen, "certificate is not valid for "
			    "IP address %s", host);
	} else if (!(ok = X509_check_host(x, host, 0,
	    X509_CHECK_FLAG_NEVER_CHECK_SUBJECT, NULL) == 1))
		snprintf(err, errlen, "certificate is not valid for %s", host);
	return ok ? 0 : -1;
}

static int
check_pins(const struct tlsconf *tc, X509 *x)
{
	unsigned char	*der = NULL;
	uint8_t		 md[EVP_MAX_MD_SIZE];
	unsigned	 mdlen;
	size_t		 i;
	int		 len, found = 0;

	if (tc->npins == 0)
		return 0;
	if ((len = i2d_X509(x, &der)) < 0)
		return -1;
	for (i = 0; i < tc->npins && !found; i++) {
		if (EVP_Digest(der, len, md, &mdlen, tc->pins[i].len == 32 ?
		    EVP_sha256() : EVP_sha512(), NULL) != 1)
			break;
		found = mdlen == tc->pins[i].len &&
		    memcmp(md, tc->pins[i].md, mdlen) == 0;
	}
	OPENSSL_free(der);
	return found ? 0 : -1;
}

/* The link learnt the peer's node ID: its certificate must name it. */
int
tlsconf_check_node(const struct tlsconf *tc, struct tls *ctx,
    const char *node, char *err, size_t errlen)
{
	X509	*x;
	int	 rv;

	if (!tc->checknode)
		return 0;
	x = peer_leaf(ctx);
	rv = check_node(tc, x, node, err, errlen);
	X509_free(x);
	return rv;
}

int
tlsconf_check_node_der(const struct tlsconf *tc, const void *der,
    size_t len, const char *node, char *err, size_t errlen)
{
	X509	*x;
	int	 rv;

	if (!tc->checknode)
		return 0;
	x = der_leaf(der, len);
	rv = check_node(tc, x, node, err, errlen);
	X509_free(x);
	return rv;
}

static int
check_node(const struct tlsconf *tc, X509 *x, const char *node, char *err,
    size_t errlen)
{
	struct tlsnames	 names;
	char		 text[512];
	int		 rv;

	if (x == NULL) {
		snprintf(err, errlen, "it presented no certificate");
		return -1;
	}
	if (tlsnames_x509(x, &names) == -1) {
		snprintf(err, errlen, "its certificate has a bad Receptor "
		    "node ID");
		return -1;
	}
	rv = 0;
	if (!tlsnames_has(&names, node)) {
		names_text(&names, text, sizeof(text));
		snprintf(err, errlen, "its certificate is not valid for node "
		    "%s (names: %s)", node, text);
		rv = -1;
	}
	tlsnames_free(&names);
	return rv;
}

/* As Go prints a []string: "[a b]". */
static void
names_text(const struct tlsnames *names, char *buf, size_t len)
{
	size_t	 i;

	strlcpy(buf, "[", len);
	for (i = 0; i < names->n; i++) {
		if (i > 0)
			strlcat(buf, " ", len);
		strlcat(buf, names->v[i], len);
	}
	strlcat(buf, "]", len);
}

/*
 * Before a server's handshake: 1 once the first record is a handshake's,
 * 0 while nothing came, -1 (why says) for anything else. A plain client's
 * bytes would keep OpenSSL waiting for a record of a length it reads from
 * the text: Go refuses at once.
 */
int
tlsio_hello(int fd, const char **why)
{
	uint8_t	 first;
	ssize_t	 n;

	if ((n = recv(fd, &first, 1, MSG_PEEK)) == -1 &&
	    (errno == EAGAIN || errno == EINTR))
		return 0;
	if (n == 1 && first == TLS_RECORD_HANDSHAKE)
		return 1;
	*why = n == 0 ? "connection closed" : n == -1 ? strerror(errno) :
	    "first record does not look like a TLS handshake";
	return -1;
}

/*
 * Write out what buf holds: 0 once all is written, TLS_WANT_POLLIN or
 * TLS_WANT_POLLOUT when TLS waits for the socket, -1 on error. A retried
 * tls_write() must offer the same bytes again: the front of buf only
 * changes by what was written.
 */
ssize_t
tlsio_flush(struct tls *ctx, struct evbuffer *buf, size_t *first)
{
	size_t	 len;
	ssize_t	 n;

	while ((len = evbuffer_get_length(buf)) > 0) {
		if (len > TLS_CHUNK)
			len = TLS_CHUNK;
		if (first != NULL && *first > 0 && len > *first)
			len = *first;
		n = tls_write(ctx, evbuffer_pullup(buf, len), len);
		if (n < 0)
			return n;
		evbuffer_drain(buf, n);
		if (first != NULL && *first > 0)
			*first -= n;
	}
	return 0;
}
