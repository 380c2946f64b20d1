/*
 * Receptor node IDs in certificates (common/tlsnames.c): the otherName SAN
 * captured from Go in PROTOCOL.md 3.4, hand-made variants of it, and
 * certificates made and signed here.
 */
#include <atf-c.h>
#include <stdint.h>
#include <string.h>
#include <openssl/evp.h>
#include <openssl/ec.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "tlsconf.h"

#define LIT(s)		(const uint8_t *)(s), sizeof(s) - 1

/* DNS localhost, IP 127.0.0.1, node s1 (Go, observed). */
#define SAN_GO								\
	"\x30\x24\x82\x09localhost\x87\x04\x7f\x00\x00\x01"		\
	"\xa0\x11\x06\x09\x2b\x06\x01\x04\x01\x92\x08\x13\x01"		\
	"\xa0\x04\x0c\x02s1"

/* The OID and [0] EXPLICIT around a value of LEN bytes. */
#define OTHER(len)							\
	"\xa0" len "\x06\x09\x2b\x06\x01\x04\x01\x92\x08\x13\x01\xa0"

static X509	*cert_with_san(const uint8_t *, size_t);
static X509	*cert_with_conf(const char *);
static void	 check_names(X509 *, int, const char *const *, size_t);

static X509 *
cert_with_san(const uint8_t *der, size_t len)
{
	X509			*x;
	X509_EXTENSION		*ext;
	ASN1_OCTET_STRING	*oct;

	ATF_REQUIRE((x = X509_new()) != NULL);
	ATF_REQUIRE((oct = ASN1_OCTET_STRING_new()) != NULL);
	ATF_REQUIRE(ASN1_OCTET_STRING_set(oct, der, len) == 1);
	ATF_REQUIRE((ext = X509_EXTENSION_create_by_NID(NULL,
	    NID_subject_alt_name, 0, oct)) != NULL);
	ATF_REQUIRE(X509_add_ext(x, ext, -1) == 1);
	X509_EXTENSION_free(ext);
	ASN1_OCTET_STRING_free(oct);
	return x;
}

/*
 * A signed certificate whose SAN OpenSSL encodes from the text openssl(1)
 * takes, through DER and back.
 */
static X509 *
cert_with_conf(const char *san)
{
	X509		*x, *back;
	X509_EXTENSION	*ext;
	EVP_PKEY	*key;
	unsigned char	*der = NULL;
	const unsigned char *p;
	int		 len;

	ATF_REQUIRE((key = EVP_EC_gen("P-256")) != NULL);
	ATF_REQUIRE((x = X509_new()) != NULL);
	ATF_REQUIRE(X509_set_version(x, X509_VERSION_3) == 1);
	ATF_REQUIRE(X509_gmtime_adj(X509_getm_notBefore(x), 0) != NULL);
	ATF_REQUIRE(X509_gmtime_adj(X509_getm_notAfter(x), 3600) != NULL);
	ATF_REQUIRE(X509_set_pubkey(x, key) == 1);
	ATF_REQUIRE((ext = X509V3_EXT_conf_nid(NULL, NULL,
	    NID_subject_alt_name, san)) != NULL);
	ATF_REQUIRE(X509_add_ext(x, ext, -1) == 1);
	X509_EXTENSION_free(ext);
	ATF_REQUIRE(X509_sign(x, key, EVP_sha256()) > 0);
	EVP_PKEY_free(key);
	ATF_REQUIRE((len = i2d_X509(x, &der)) > 0);
	X509_free(x);
	p = der;
	back = d2i_X509(NULL, &p, len);
	OPENSSL_free(der);
	ATF_REQUIRE(back != NULL);
	return back;
}

/* rv and the names expected; frees x. */
static void
check_names(X509 *x, int rv, const char *const *want, size_t n)
{
	struct tlsnames	 names;
	size_t		 i;

	ATF_REQUIRE_EQ(tlsnames_x509(x, &names), rv);
	X509_free(x);
	if (rv == -1)
		return;
	ATF_REQUIRE_EQ(names.n, n);
	for (i = 0; i < n; i++) {
		ATF_CHECK_STREQ(names.v[i], want[i]);
		ATF_CHECK(tlsnames_has(&names, want[i]));
	}
	ATF_CHECK(!tlsnames_has(&names, "localhost"));
	tlsnames_free(&names);
}

ATF_TC_WITHOUT_HEAD(go_capture);
ATF_TC_BODY(go_capture, tc)
{
	const char *const want[] = { "s1" };

	check_names(cert_with_san(LIT(SAN_GO)), 0, want, 1);
}

ATF_TC_WITHOUT_HEAD(string_types);
ATF_TC_BODY(string_types, tc)
{
	/* PrintableString, IA5String and BMPString, as Go takes any. */
	const uint8_t san[] = "\x30\x3b"
	    OTHER("\x11") "\x04\x13\x02n1"
	    OTHER("\x11") "\x04\x16\x02n2"
	    OTHER("\x13") "\x06\x1e\x04\x00n\x00" "3";
	const char *const want[] = { "n1", "n2", "n3" };

	check_names(cert_with_san(san, sizeof(san) - 1), 0, want, 3);
}

ATF_TC_WITHOUT_HEAD(other_oid);
ATF_TC_BODY(other_oid, tc)
{
	/* ...2312.19.2 is not ours; the DNS name is no node ID either. */
	const uint8_t san[] = "\x30\x1e\x82\x09localhost"
	    "\xa0\x11\x06\x09\x2b\x06\x01\x04\x01\x92\x08\x13\x02"
	    "\xa0\x04\x0c\x02s1";

	check_names(cert_with_san(san, sizeof(san) - 1), 0, NULL, 0);
}

ATF_TC_WITHOUT_HEAD(not_a_string);
ATF_TC_BODY(not_a_string, tc)
{
	/* An INTEGER 0x0107. */
	const uint8_t san[] = "\x30\x13" OTHER("\x11") "\x04\x02\x02\x01\x07";

	check_names(cert_with_san(san, sizeof(san) - 1), -1, NULL, 0);
}

ATF_TC_WITHOUT_HEAD(malformed);
ATF_TC_BODY(malformed, tc)
{
	/* The otherName claims more bytes than there are. */
	const uint8_t san[] = "\x30\x13" OTHER("\x20") "\x04\x0c\x02s1";

	check_names(cert_with_san(san, sizeof(san) - 1), -1, NULL, 0);
}

ATF_TC_WITHOUT_HEAD(no_san);
ATF_TC_BODY(no_san, tc)
{
	X509	*x;

	ATF_REQUIRE((x = X509_new()) != NULL);
	check_names(x, 0, NULL, 0);
}

ATF_TC_WITHOUT_HEAD(openssl_made);
ATF_TC_BODY(openssl_made, tc)
{
	const char *const one[] = { "foo" };
	const char *const two[] = { "foo", "bar.example" };

	check_names(cert_with_conf("DNS:localhost,IP:127.0.0.1,"
	    "otherName:1.3.6.1.4.1.2312.19.1;UTF8:foo"), 0, one, 1);
	check_names(cert_with_conf("otherName:1.3.6.1.4.1.2312.19.1;UTF8:foo,"
	    "email:a@b.example,"
	    "otherName:1.3.6.1.4.1.2312.19.1;UTF8:bar.example"), 0, two, 2);
	check_names(cert_with_conf("DNS:foo"), 0, NULL, 0);
}

ATF_TP_ADD_TCS(tp)
{
	ATF_TP_ADD_TC(tp, go_capture);
	ATF_TP_ADD_TC(tp, string_types);
	ATF_TP_ADD_TC(tp, other_oid);
	ATF_TP_ADD_TC(tp, not_a_string);
	ATF_TP_ADD_TC(tp, malformed);
	ATF_TP_ADD_TC(tp, no_san);
	ATF_TP_ADD_TC(tp, openssl_made);
	return atf_no_error();
}
