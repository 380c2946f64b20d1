/*
 * The certificate actions, run by the parent alone before anything else
 * starts: cert-init makes a CA, cert-makereq a certificate request naming
 * Receptor nodes, cert-signreq signs one with the CA. The certificates are
 * those of Go's pkg/certificates (PROTOCOL.md 3.5): RSA keys, SHA-256
 * signatures, serial numbers from the clock, and Go's extensions in Go's
 * order.
 */
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "log.h"
#include "tlsconf.h"
#include "receptor.h"
#include "cert.h"

#define CA_YEARS	10
#define CERT_YEARS	1
#define EKU_GO		"clientAuth,serverAuth"

struct nid_name {
	int		 nid;
	const char	*name;
};

/* Go's names, for the summary cert-signreq prints before it asks. */
static const struct nid_name key_names[] = {
	{ EVP_PKEY_RSA, "RSA" },
	{ EVP_PKEY_DSA, "DSA" },
	{ EVP_PKEY_EC, "ECDSA" },
	{ EVP_PKEY_ED25519, "Ed25519" },
	{ NID_undef, NULL }
};
static const struct nid_name sig_names[] = {
	{ NID_sha1WithRSAEncryption, "SHA1-RSA" },
	{ NID_sha256WithRSAEncryption, "SHA256-RSA" },
	{ NID_sha384WithRSAEncryption, "SHA384-RSA" },
	{ NID_sha512WithRSAEncryption, "SHA512-RSA" },
	{ NID_ecdsa_with_SHA256, "ECDSA-SHA256" },
	{ NID_ecdsa_with_SHA384, "ECDSA-SHA384" },
	{ NID_ecdsa_with_SHA512, "ECDSA-SHA512" },
	{ NID_ED25519, "Ed25519" },
	{ NID_undef, NULL }
};

static int	 cert_init(const struct cfg_item *, char *, size_t);
static int	 cert_makereq(const struct cfg_item *, char *, size_t);
static int	 cert_signreq(const struct cfg_item *, char *, size_t);
static int	 validity(const struct cfg_item *, int, time_t *, time_t *,
		    char *, size_t);
static int	 parse_time(const char *, time_t *);
static X509	*cert_new(const X509_NAME *, EVP_PKEY *, time_t, time_t);
static void	 cert_ext(X509 *, int, const char *);
static void	 name_cn(X509_NAME *, const char *);
static int	 req_san(X509_REQ *, const struct cfg_item *, char *, size_t);
static int	 cert_names(X509 *, FILE *, const char *, char *, size_t);
static void	 print_summary(X509_REQ *);
static int	 ask(char *, size_t);
static const char *nid_name(const struct nid_name *, int);
static BIO	*pem_bio(void);

static const struct {
	const char	*action;
	int		(*run)(const struct cfg_item *, char *, size_t);
} cert_actions[] = {
	{ "cert-init", cert_init },
	{ "cert-makereq", cert_makereq },
	{ "cert-signreq", cert_signreq },
};

/* Run an exclusive action; -1 with why in err. */
int
cert_run(const struct cfg_item *it, char *err, size_t errlen)
{
	size_t	 i;

	for (i = 0; i < sizeof(cert_actions) / sizeof(cert_actions[0]); i++)
		if (strcmp(it->action->name, cert_actions[i].action) == 0)
			return cert_actions[i].run(it, err, errlen);
	fatalx("no code for the exclusive action %s", it->action->name);
}

int
cert_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -1;
}

/*
 * A self-signed RSA CA: digital signatures and certificate signing, for
 * clients and servers, with a subject key ID for its certificates' AKID.
 */
static int
cert_init(const struct cfg_item *it, char *err, size_t errlen)
{
	struct cert_out	 out[2];
	X509_NAME	*name;
	X509		*x;
	EVP_PKEY	*key;
	time_t		 nb, na;
	int		 rv;

	if (validity(it, CA_YEARS, &nb, &na, err, errlen) == -1)
		return -1;
	if ((key = EVP_RSA_gen(cfg_int(it, "bits"))) == NULL ||
	    (name = X509_NAME_new()) == NULL)
		fatalx("cannot make an RSA key of %lld bits",
		    cfg_int(it, "bits"));
	name_cn(name, cfg_str(it, "commonname"));
	x = cert_new(name, key, nb, na);
	X509_NAME_free(name);
	if (X509_set_issuer_name(x, X509_get_subject_name(x)) != 1)
		fatalx("X509_set_issuer_name");
	cert_ext(x, NID_key_usage, "critical,digitalSignature,keyCertSign");
	cert_ext(x, NID_ext_key_usage, EKU_GO);
	cert_ext(x, NID_basic_constraints, "critical,CA:TRUE");
	cert_ext(x, NID_subject_key_identifier, "hash");
	if (X509_sign(x, key, EVP_sha256()) <= 0)
		fatalx("X509_sign");

	out[0] = (struct cert_out){ cfg_str(it, "outcert"), pem_bio(), NULL };
	out[1] = (struct cert_out){ cfg_str(it, "outkey"), pem_bio(), NULL };
	if (PEM_write_bio_X509(out[0].pem, x) != 1 ||
	    PEM_write_bio_PrivateKey_traditional(out[1].pem, key, NULL, NULL,
	    0, NULL, NULL) != 1)
		fatalx("PEM_write_bio");
	rv = cert_write(out, 2, err, errlen);
	BIO_free(out[0].pem);
	BIO_free(out[1].pem);
	X509_free(x);
	EVP_PKEY_free(key);
	return rv;
}

/* A request for the common name and the names of the SAN, signed. */
static int
cert_makereq(const struct cfg_item *it, char *err, size_t errlen)
{
	struct cert_out	 out[2];
	X509_REQ	*req;
	EVP_PKEY	*key;
	const char	*inkey = cfg_str(it, "inkey");
	size_t		 nout = 1;
	int		 rv = -1;

	if (inkey != NULL) {
		if ((key = pem_load_key(inkey, err, errlen)) == NULL)
			return -1;
	} else if ((key = EVP_RSA_gen(cfg_int(it, "bits"))) == NULL)
		fatalx("cannot make an RSA key of %lld bits",
		    cfg_int(it, "bits"));
	if ((req = X509_REQ_new()) == NULL ||
	    X509_REQ_set_version(req, X509_REQ_VERSION_1) != 1 ||
	    X509_REQ_set_pubkey(req, key) != 1)
		fatalx("X509_REQ_new");
	name_cn(X509_REQ_get_subject_name(req), cfg_str(it, "commonname"));
	if (req_san(req, it, err, errlen) == -1)
		goto done;
	if (X509_REQ_sign(req, key, EVP_sha256()) <= 0)
		fatalx("X509_REQ_sign");

	out[0] = (struct cert_out){ cfg_str(it, "outreq"), pem_bio(), NULL };
	if (PEM_write_bio_X509_REQ(out[0].pem, req) != 1)
		fatalx("PEM_write_bio_X509_REQ");
	if (inkey == NULL) {
		out[nout++] = (struct cert_out){ cfg_str(it, "outkey"),
		    pem_bio(), NULL };
		if (PEM_write_bio_PrivateKey_traditional(out[1].pem, key, NULL,
		    NULL, 0, NULL, NULL) != 1)
			fatalx("PEM_write_bio_PrivateKey_traditional");
	}
	rv = cert_write(out, nout, err, errlen);
	while (nout > 0)
		BIO_free(out[--nout].pem);
 done:
	X509_REQ_free(req);
	EVP_PKEY_free(key);
	return rv;
}

/*
 * The SAN Go's MakeReceptorSAN makes, empty when no names are given (so
 * that cert-signreq refuses the request), in an extension request.
 */
static int
req_san(X509_REQ *req, const struct cfg_item *it, char *err, size_t errlen)
{
	const struct cfg_value	*dv, *iv, *nv;
	struct tlsnames		 dns, ips, nodes;
	STACK_OF(X509_EXTENSION) *exts;
	X509_EXTENSION		*ext;
	ASN1_OCTET_STRING	*oct;
	unsigned char		*der;
	int			 len;

	dv = cfg_get(it, "dnsname");
	iv = cfg_get(it, "ipaddress");
	nv = cfg_get(it, "nodeid");
	dns = (struct tlsnames){ dv->list, dv->nlist };
	ips = (struct tlsnames){ iv->list, iv->nlist };
	nodes = (struct tlsnames){ nv->list, nv->nlist };
	if ((len = tlsnames_san(&dns, &ips, &nodes, &der)) == -1)
		return cert_err(err, errlen, "ipaddress: invalid IP address");
	if ((oct = ASN1_OCTET_STRING_new()) == NULL ||
	    ASN1_OCTET_STRING_set(oct, der, len) != 1 ||
	    (ext = X509_EXTENSION_create_by_NID(NULL, NID_subject_alt_name, 0,
	    oct)) == NULL || (exts = sk_X509_EXTENSION_new_null()) == NULL ||
	    sk_X509_EXTENSION_push(exts, ext) <= 0 ||
	    X509_REQ_add_extensions(req, exts) != 1)
		fatalx("subjectAltName");
	sk_X509_EXTENSION_pop_free(exts, X509_EXTENSION_free);
	ASN1_OCTET_STRING_free(oct);
	OPENSSL_free(der);
	return 0;
}

/*
 * Sign a request whose signature verifies and which names something:
 * its subject, key and SAN, and Go's usages for a node's certificate.
 * Unless verify is set, the operator confirms the names first.
 */
static int
cert_signreq(const struct cfg_item *it, char *err, size_t errlen)
{
	struct cert_out	 out;
	STACK_OF(X509_EXTENSION) *exts;
	X509_EXTENSION	*ext;
	const ASN1_OCTET_STRING *skid;
	AUTHORITY_KEYID	*akid;
	X509		*ca = NULL, *x = NULL;
	X509_REQ	*req = NULL;
	EVP_PKEY	*cakey = NULL;
	const char	*reqpath = cfg_str(it, "req");
	time_t		 nb, na;
	int		 i, n, rv = -1;

	if (validity(it, CERT_YEARS, &nb, &na, err, errlen) == -1 ||
	    (ca = pem_load_cert(cfg_str(it, "cacert"), err, errlen)) == NULL ||
	    (cakey = pem_load_key(cfg_str(it, "cakey"), err, errlen)) == NULL ||
	    (req = pem_load_req(reqpath, err, errlen)) == NULL)
		goto done;
	if (X509_check_private_key(ca, cakey) != 1) {
		cert_err(err, errlen, "%s: not the private key of the CA "
		    "certificate %s", cfg_str(it, "cakey"),
		    cfg_str(it, "cacert"));
		goto done;
	}
	/* Go does not check; a request anyone may have altered is refused. */
	if (X509_REQ_verify(req, X509_REQ_get0_pubkey(req)) != 1) {
		cert_err(err, errlen, "%s: the signature of the certificate "
		    "request does not verify", reqpath);
		goto done;
	}

	x = cert_new(X509_REQ_get_subject_name(req), X509_REQ_get0_pubkey(req),
	    nb, na);
	if (X509_set_issuer_name(x, X509_get_subject_name(ca)) != 1)
		fatalx("X509_set_issuer_name");
	cert_ext(x, NID_key_usage, "critical,digitalSignature");
	cert_ext(x, NID_ext_key_usage, EKU_GO);
	if ((skid = X509_get0_subject_key_id(ca)) != NULL) {
		if ((akid = AUTHORITY_KEYID_new()) == NULL ||
		    (akid->keyid = ASN1_OCTET_STRING_dup(skid)) == NULL ||
		    X509_add1_ext_i2d(x, NID_authority_key_identifier, akid, 0,
		    X509V3_ADD_DEFAULT) != 1)
			fatalx("authorityKeyIdentifier");
		AUTHORITY_KEYID_free(akid);
	}
	if ((exts = X509_REQ_get_extensions(req)) != NULL) {
		for (i = 0; i < sk_X509_EXTENSION_num(exts); i++) {
			ext = sk_X509_EXTENSION_value(exts, i);
			if (OBJ_obj2nid(X509_EXTENSION_get_object(ext)) ==
			    NID_subject_alt_name) {
				if (X509_add_ext(x, ext, -1) != 1)
					fatalx("X509_add_ext");
				break;
			}
		}
		sk_X509_EXTENSION_pop_free(exts, X509_EXTENSION_free);
	}

	if ((n = cert_names(x, NULL, reqpath, err, errlen)) == -1)
		goto done;
	if (n == 0) {
		cert_err(err, errlen, "cannot sign: no names found in "
		    "certificate");
		goto done;
	}
	if (!cfg_bool(it, "verify")) {
		print_summary(req);
		cert_names(x, stdout, reqpath, err, errlen);
		if (ask(err, errlen) == -1)
			goto done;
	}
	if (X509_sign(x, cakey, EVP_sha256()) <= 0)
		fatalx("X509_sign");
	out = (struct cert_out){ cfg_str(it, "outcert"), pem_bio(), NULL };
	if (PEM_write_bio_X509(out.pem, x) != 1)
		fatalx("PEM_write_bio_X509");
	rv = cert_write(&out, 1, err, errlen);
	BIO_free(out.pem);
 done:
	X509_free(x);
	X509_REQ_free(req);
	EVP_PKEY_free(cakey);
	X509_free(ca);
	return rv;
}

/*
 * The names of the SAN that count for Go: DNS names, IP addresses and
 * node IDs, printed to fp unless it is NULL. How many, or -1.
 */
static int
cert_names(X509 *x, FILE *fp, const char *path, char *err, size_t errlen)
{
	struct tlsnames		 nodes;
	GENERAL_NAMES		*gens;
	const GENERAL_NAME	*gen;
	char			 ip[INET6_ADDRSTRLEN];
	int			 af, crit, i, len, n = 0;

	if (tlsnames_x509(x, &nodes) == -1)
		return cert_err(err, errlen, "%s: malformed subject "
		    "alternative names", path);
	gens = X509_get_ext_d2i(x, NID_subject_alt_name, &crit, NULL);
	for (i = 0; i < sk_GENERAL_NAME_num(gens); i++) {
		gen = sk_GENERAL_NAME_value(gens, i);
		if (gen->type != GEN_DNS)
			continue;
		n++;
		if (fp != NULL)
			fprintf(fp, "    DNS Name: %.*s\n",
			    ASN1_STRING_length(gen->d.dNSName),
			    ASN1_STRING_get0_data(gen->d.dNSName));
	}
	for (i = 0; i < sk_GENERAL_NAME_num(gens); i++) {
		gen = sk_GENERAL_NAME_value(gens, i);
		if (gen->type != GEN_IPADD)
			continue;
		n++;
		len = ASN1_STRING_length(gen->d.iPAddress);
		af = len == 4 ? AF_INET : len == 16 ? AF_INET6 : AF_UNSPEC;
		if (fp == NULL)
			continue;
		if (af == AF_UNSPEC || inet_ntop(af,
		    ASN1_STRING_get0_data(gen->d.iPAddress), ip,
		    sizeof(ip)) == NULL)
			strlcpy(ip, "?", sizeof(ip));
		fprintf(fp, "    IP Address: %s\n", ip);
	}
	for (i = 0; i < (int)nodes.n; i++) {
		n++;
		if (fp != NULL)
			fprintf(fp, "    Receptor Node ID: %s\n", nodes.v[i]);
	}
	GENERAL_NAMES_free(gens);
	tlsnames_free(&nodes);
	return n;
}

/* What Go prints of the request before its names. */
static void
print_summary(X509_REQ *req)
{
	EVP_PKEY	*key = X509_REQ_get0_pubkey(req);
	int		 id = EVP_PKEY_get_base_id(key);

	printf("Requested certificate:\n  Subject: ");
	X509_NAME_print_ex_fp(stdout, X509_REQ_get_subject_name(req), 0,
	    XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB);
	printf("\n  Encryption Algorithm: %s", nid_name(key_names, id));
	if (id == EVP_PKEY_RSA)
		printf(" (%d bits)", EVP_PKEY_get_bits(key));
	printf("\n  Signature Algorithm: %s\n  Names:\n",
	    nid_name(sig_names, X509_REQ_get_signature_nid(req)));
}

/* Go reads one word and takes y or yes, in any case. */
static int
ask(char *err, size_t errlen)
{
	char	*line = NULL, *word;
	size_t	 cap = 0;
	int	 rv = -1;

	printf("Sign certificate (yes/no)? ");
	fflush(stdout);
	if (getline(&line, &cap, stdin) == -1)
		cert_err(err, errlen, "no answer on standard input");
	else {
		word = line + strspn(line, " \t");
		word[strcspn(word, " \t\r\n")] = '\0';
		if (strcasecmp(word, "y") == 0 || strcasecmp(word, "yes") == 0)
			rv = 0;
		else
			cert_err(err, errlen, "user declined");
	}
	free(line);
	return rv;
}

static const char *
nid_name(const struct nid_name *names, int nid)
{
	for (; names->name != NULL; names++)
		if (names->nid == nid)
			return names->name;
	return OBJ_nid2sn(nid);
}

/* notbefore and notafter, or now and now plus years as Go's AddDate. */
static int
validity(const struct cfg_item *it, int years, time_t *nb, time_t *na,
    char *err, size_t errlen)
{
	static const char *const fields[] = { "notbefore", "notafter" };
	struct tm	 tm;
	time_t		*t[] = { nb, na };
	const char	*s;
	int		 i;

	*nb = time(NULL);
	localtime_r(nb, &tm);
	tm.tm_year += years;
	tm.tm_isdst = -1;
	*na = mktime(&tm);
	for (i = 0; i < 2; i++) {
		s = cfg_str(it, fields[i]);
		if (s != NULL && *s != '\0' && parse_time(s, t[i]) == -1)
			return cert_err(err, errlen, "%s: cannot parse %s as "
			    "an RFC 3339 time", fields[i], s);
	}
	return 0;
}

/* RFC 3339 as Go's time.RFC3339 layout reads it; fractions are dropped. */
static int
parse_time(const char *s, time_t *t)
{
	struct tm	 tm, back;
	const char	*p;
	int		 oh, om, n, off = 0;

	memset(&tm, 0, sizeof(tm));
	if ((p = strptime(s, "%Y-%m-%dT%H:%M:%S", &tm)) == NULL)
		return -1;
	if (*p == '.')
		for (p++; isdigit((unsigned char)*p); p++)
			;
	if (strcmp(p, "Z") != 0) {
		if ((*p != '+' && *p != '-') ||
		    sscanf(p + 1, "%2d:%2d%n", &oh, &om, &n) != 2 ||
		    p[1 + n] != '\0' || oh > 23 || om > 59)
			return -1;
		off = (oh * 60 + om) * 60 * (*p == '-' ? -1 : 1);
	}
	back = tm;
	*t = timegm(&tm) - off;
	/* timegm() makes February 30 March 2; Go refuses it. */
	return tm.tm_mday == back.tm_mday && tm.tm_mon == back.tm_mon ? 0 : -1;
}

/* A v3 certificate with Go's serial number, the time in seconds. */
static X509 *
cert_new(const X509_NAME *subject, EVP_PKEY *pub, time_t nb, time_t na)
{
	X509	*x;

	if ((x = X509_new()) == NULL ||
	    X509_set_version(x, X509_VERSION_3) != 1 ||
	    ASN1_INTEGER_set_int64(X509_get_serialNumber(x), time(NULL)) != 1 ||
	    X509_set_subject_name(x, subject) != 1 ||
	    X509_set_pubkey(x, pub) != 1 ||
	    ASN1_TIME_set(X509_getm_notBefore(x), nb) == NULL ||
	    ASN1_TIME_set(X509_getm_notAfter(x), na) == NULL)
		fatalx("cannot make a certificate");
	return x;
}

static void
cert_ext(X509 *x, int nid, const char *value)
{
	X509V3_CTX	 ctx;
	X509_EXTENSION	*ext;

	X509V3_set_ctx(&ctx, x, x, NULL, NULL, 0);
	if ((ext = X509V3_EXT_conf_nid(NULL, &ctx, nid, value)) == NULL ||
	    X509_add_ext(x, ext, -1) != 1)
		fatalx("extension %s = %s", OBJ_nid2sn(nid), value);
	X509_EXTENSION_free(ext);
}

/*
 * Go writes a string a PrintableString when its characters allow, else a
 * UTF8String; OpenSSL would always choose UTF8String.
 */
static void
name_cn(X509_NAME *name, const char *cn)
{
	const char	*p;
	int		 type = V_ASN1_PRINTABLESTRING;

	for (p = cn; *p != '\0'; p++)
		if (!(*p >= 'a' && *p <= 'z') && !(*p >= 'A' && *p <= 'Z') &&
		    !(*p >= '0' && *p <= '9') && strchr(" '()+,-./:=?", *p) ==
		    NULL)
			type = V_ASN1_UTF8STRING;
	if (X509_NAME_add_entry_by_NID(name, NID_commonName, type,
	    (const unsigned char *)cn, -1, -1, 0) != 1)
		fatalx("X509_NAME_add_entry_by_NID");
}

static BIO *
pem_bio(void)
{
	BIO	*bio;

	if ((bio = BIO_new(BIO_s_mem())) == NULL)
		fatalx("BIO_new");
	return bio;
}
