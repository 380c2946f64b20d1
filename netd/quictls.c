/*
 * TLS for streams over the mesh (PROTOCOL.md 3.3-3.4), with GnuTLS: the
 * one TLS library Debian's ngtcp2 can drive. A service without a
 * tls-server shows a throwaway certificate named netceptor-insecure-
 * common-name, and its dialers ask for nothing more; with one, the
 * certificates are checked as Go checks them, node IDs included.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <ngtcp2/ngtcp2.h>
#include <ngtcp2/ngtcp2_crypto.h>
#include <ngtcp2/ngtcp2_crypto_gnutls.h>

#include "log.h"
#include "netd.h"
#include "quic.h"
#include "tlsconf.h"

#define INSECURE_CN	"netceptor-insecure-common-name"
/* TLS 1.3 only, as QUIC wants; no middlebox compatibility records. */
#define QUIC_PRIORITY	"NORMAL:-VERS-ALL:+VERS-TLS1.3:-CIPHER-ALL:" \
			"+AES-128-GCM:+AES-256-GCM:+CHACHA20-POLY1305:" \
			"-GROUP-ALL:+GROUP-X25519:+GROUP-SECP256R1:" \
			"+GROUP-SECP384R1:+GROUP-SECP521R1:" \
			"%DISABLE_TLS13_COMPAT_MODE"

struct quictls {
	gnutls_certificate_credentials_t cred;	/* NULL: not made yet */
	struct tlsconf		*tc;	/* NULL: the insecure kind */
	int			 server;
};

static const gnutls_datum_t alpn = { (unsigned char *)"netceptor", 9 };

static int	verify_peer(gnutls_session_t);
static int	verify_insecure(const gnutls_datum_t *, unsigned int);
static int	self_signed(gnutls_certificate_credentials_t);
static int	make_creds(struct quictls *);

/*
 * tc (ours from now on) NULL: the insecure kind, whose credentials wait
 * for the first connection: most nodes never see a stream, and GnuTLS,
 * which the parent has not initialise itself on load, costs some 3 MB.
 * A tls-server's or tls-client's are made now, from the configuration's
 * bytes, which a reload frees.
 */
struct quictls *
quictls_new(struct tlsconf *tc, int server, char *err, size_t errlen)
{
	struct quictls	*qt;
	int		 rv;

	if ((qt = calloc(1, sizeof(*qt))) == NULL)
		fatal("quic tls");
	qt->tc = tc;
	qt->server = server;
	if (tc != NULL && (rv = make_creds(qt)) < 0) {
		snprintf(err, errlen, "%s", gnutls_strerror(rv));
		quictls_free(qt);
		return NULL;
	}
	return qt;
}

static int
make_creds(struct quictls *qt)
{
	static int		 initialised;
	const struct tlsconf_mem *m;
	gnutls_datum_t		 cert, key, cas;
	int			 rv;

	if (!initialised) {
		if ((rv = gnutls_global_init()) < 0)
			return rv;
		initialised = 1;
	}
	if ((rv = gnutls_certificate_allocate_credentials(&qt->cred)) < 0)
		return rv;
	gnutls_certificate_set_verify_function(qt->cred, verify_peer);
	if (qt->tc == NULL)
		return qt->server ? self_signed(qt->cred) : 0;
	m = tlsconf_mem(qt->tc);
	cert.data = (unsigned char *)m->cert;
	cert.size = m->certlen;
	key.data = (unsigned char *)m->key;
	key.size = m->keylen;
	rv = gnutls_certificate_set_x509_key_mem2(qt->cred, &cert, &key,
	    GNUTLS_X509_FMT_PEM, NULL, 0);
	if (rv >= 0 && m->verify && m->cas != NULL) {
		cas.data = (unsigned char *)m->cas;
		cas.size = m->caslen;
		rv = gnutls_certificate_set_x509_trust_mem(qt->cred, &cas,
		    GNUTLS_X509_FMT_PEM);
	}
	return rv;
}

void
quictls_free(struct quictls *qt)
{
	if (qt == NULL)
		return;
	if (qt->cred != NULL)
		gnutls_certificate_free_credentials(qt->cred);
	tlsconf_free(qt->tc);
	free(qt);
}

/*
 * Go's listener makes an RSA-2048 key; its dialers check nothing but the
 * name, so a P-256 key does as well and takes no time to make.
 */
static int
self_signed(gnutls_certificate_credentials_t cred)
{
	gnutls_x509_privkey_t	 key;
	gnutls_x509_crt_t	 crt;
	unsigned char		 serial = 1;
	time_t			 now = time(NULL);
	int			 rv;

	if ((rv = gnutls_x509_privkey_init(&key)) < 0)
		return rv;
	if ((rv = gnutls_x509_crt_init(&crt)) < 0) {
		gnutls_x509_privkey_deinit(key);
		return rv;
	}
	if ((rv = gnutls_x509_privkey_generate(key, GNUTLS_PK_ECDSA,
	    GNUTLS_CURVE_TO_BITS(GNUTLS_ECC_CURVE_SECP256R1), 0)) >= 0 &&
	    (rv = gnutls_x509_crt_set_version(crt, 3)) >= 0 &&
	    (rv = gnutls_x509_crt_set_serial(crt, &serial, 1)) >= 0 &&
	    (rv = gnutls_x509_crt_set_dn_by_oid(crt,
	    GNUTLS_OID_X520_COMMON_NAME, 0, INSECURE_CN,
	    strlen(INSECURE_CN))) >= 0 &&
	    (rv = gnutls_x509_crt_set_activation_time(crt, now - 60)) >= 0 &&
	    (rv = gnutls_x509_crt_set_expiration_time(crt,
	    now + 24 * 60 * 60)) >= 0 &&
	    (rv = gnutls_x509_crt_set_key(crt, key)) >= 0 &&
	    (rv = gnutls_x509_crt_sign2(crt, crt, key, GNUTLS_DIG_SHA256,
	    0)) >= 0)
		rv = gnutls_certificate_set_x509_key(cred, &crt, 1, key);
	gnutls_x509_crt_deinit(crt);
	gnutls_x509_privkey_deinit(key);
	return rv;
}

/*
 * A session for one connection to or from peer->node. Its pointer is
 * peer, whose first member ngtcp2's crypto glue takes for its own.
 */
int
quictls_session(struct quictls *qt, struct quictls_peer *peer,
    gnutls_session_t *out)
{
	/* Go's insecure dialer names itself; with a tls-client, nothing. */
	const char		*sni = !qt->server && qt->tc == NULL ?
				    mesh_node_id() : NULL;
	gnutls_session_t	 s;
	int			 rv;

	peer->tls = qt;
	peer->why[0] = '\0';
	if (qt->cred == NULL && (rv = make_creds(qt)) < 0) {
		log_warnx("quic: TLS credentials: %s", gnutls_strerror(rv));
		if (qt->cred != NULL)
			gnutls_certificate_free_credentials(qt->cred);
		qt->cred = NULL;
		return rv;
	}
	if ((rv = gnutls_init(&s, (qt->server ? GNUTLS_SERVER :
	    GNUTLS_CLIENT) | GNUTLS_NO_END_OF_EARLY_DATA)) < 0)
		return rv;
	if ((qt->server ? ngtcp2_crypto_gnutls_configure_server_session(s) :
	    ngtcp2_crypto_gnutls_configure_client_session(s)) != 0)
		rv = GNUTLS_E_INTERNAL_ERROR;
	else if ((rv = gnutls_priority_set_direct(s, QUIC_PRIORITY,
	    NULL)) >= 0 && (rv = gnutls_credentials_set(s,
	    GNUTLS_CRD_CERTIFICATE, qt->cred)) >= 0)
		rv = gnutls_alpn_set_protocols(s, &alpn, 1,
		    GNUTLS_ALPN_MANDATORY);
	if (rv >= 0 && sni != NULL)
		rv = gnutls_server_name_set(s, GNUTLS_NAME_DNS, sni,
		    strlen(sni));
	if (rv < 0) {
		gnutls_deinit(s);
		return rv;
	}
	/* Go asks a client for a certificate exactly when it verifies one. */
	if (qt->server && qt->tc != NULL && tlsconf_mem(qt->tc)->verify)
		gnutls_certificate_server_set_request(s, GNUTLS_CERT_REQUIRE);
	gnutls_session_set_ptr(s, peer);
	*out = s;
	return 0;
}

/* Non-zero refuses the handshake, with the reason in peer->why. */
static int
verify_peer(gnutls_session_t s)
{
	struct quictls_peer	*peer = gnutls_session_get_ptr(s);
	const struct quictls	*qt = peer->tls;
	const gnutls_datum_t	*chain;
	gnutls_typed_vdata_st	 purpose;
	unsigned int		 n, status;

	chain = gnutls_certificate_get_peers(s, &n);
	if (qt->tc == NULL) {
		if (qt->server || verify_insecure(chain, n) == 0)
			return 0;
		snprintf(peer->why, sizeof(peer->why),
		    "insecure connection to secure service");
		return -1;
	}
	if (!tlsconf_mem(qt->tc)->verify)
		return 0;
	if (chain == NULL || n == 0) {
		snprintf(peer->why, sizeof(peer->why),
		    "peer certificate missing");
		return -1;
	}
	memset(&purpose, 0, sizeof(purpose));
	purpose.type = GNUTLS_DT_KEY_PURPOSE_OID;
	purpose.data = (unsigned char *)(qt->server ?
	    GNUTLS_KP_TLS_WWW_CLIENT : GNUTLS_KP_TLS_WWW_SERVER);
	if (gnutls_certificate_verify_peers(s, &purpose, 1, &status) < 0 ||
	    status != 0) {
		snprintf(peer->why, sizeof(peer->why), "x509: certificate "
		    "signed by unknown authority or not valid for %s",
		    qt->server ? "client authentication" :
		    "server authentication");
		return -1;
	}
	if (tlsconf_check_peer_der(qt->tc, chain[0].data, chain[0].size, NULL,
	    peer->why, sizeof(peer->why)) == -1 ||
	    tlsconf_check_node_der(qt->tc, chain[0].data, chain[0].size,
	    peer->node, peer->why, sizeof(peer->why)) == -1)
		return -1;
	return 0;
}

/* Go's dialer skips the chain but wants the throwaway name somewhere. */
static int
verify_insecure(const gnutls_datum_t *chain, unsigned int n)
{
	gnutls_x509_crt_t	 crt;
	char			 cn[64];
	size_t			 len;
	unsigned int		 i;
	int			 found = 0;

	for (i = 0; i < n && !found; i++) {
		if (gnutls_x509_crt_init(&crt) < 0)
			fatalx("gnutls_x509_crt_init");
		len = sizeof(cn);
		if (gnutls_x509_crt_import(crt, &chain[i],
		    GNUTLS_X509_FMT_DER) >= 0 &&
		    gnutls_x509_crt_get_dn_by_oid(crt,
		    GNUTLS_OID_X520_COMMON_NAME, 0, 0, cn, &len) >= 0)
			found = strcmp(cn, INSECURE_CN) == 0;
		gnutls_x509_crt_deinit(crt);
	}
	return found ? 0 : -1;
}
