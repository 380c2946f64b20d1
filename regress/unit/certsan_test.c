/*
 * The subjectAltName cert-makereq writes (tlsnames_san() in
 * common/tlsnames.c): byte for byte what Go's MakeReceptorSAN makes,
 * PROTOCOL.md 3.4, and read back by tlsnames_x509().
 */
#include <atf-c.h>
#include <stdint.h>
#include <string.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "tlsconf.h"

#define LIT(s)		(const uint8_t *)(s), sizeof(s) - 1

/* DNS localhost, IP 127.0.0.1, node s1 (Go, observed). */
#define SAN_GO								\
	"\x30\x24\x82\x09localhost\x87\x04\x7f\x00\x00\x01"		\
	"\xa0\x11\x06\x09\x2b\x06\x01\x04\x01\x92\x08\x13\x01"		\
	"\xa0\x04\x0c\x02s1"

static void	check_san(char **, size_t, char **, size_t, char **, size_t,
		    const uint8_t *, size_t);

static void
check_san(char **dns, size_t ndns, char **ips, size_t nips, char **nodes,
    size_t nnodes, const uint8_t *want, size_t wantlen)
{
	struct tlsnames	 d = { dns, ndns }, i = { ips, nips };
	struct tlsnames	 n = { nodes, nnodes };
	unsigned char	*der;
	int		 len;

	len = tlsnames_san(&d, &i, &n, &der);
	ATF_REQUIRE_EQ_MSG((size_t)len, wantlen, "length %d, want %zu", len,
	    wantlen);
	ATF_CHECK(memcmp(der, want, wantlen) == 0);
	OPENSSL_free(der);
}

ATF_TC_WITHOUT_HEAD(go_bytes);
ATF_TC_BODY(go_bytes, tc)
{
	char	*dns[] = { "localhost" }, *ips[] = { "127.0.0.1" };
	char	*nodes[] = { "s1" };

	check_san(dns, 1, ips, 1, nodes, 1, LIT(SAN_GO));
}

ATF_TC_WITHOUT_HEAD(addresses);
ATF_TC_BODY(addresses, tc)
{
	char	*ips[] = { "::1", "::ffff:10.0.0.1", "10.1.2.3" };

	/* IPv6 in 16 bytes; IPv4, also mapped into IPv6, in 4 as Go's To4. */
	check_san(NULL, 0, ips, 3, NULL, 0, LIT("\x30\x1e"
	    "\x87\x10\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\x01"
	    "\x87\x04\x0a\x00\x00\x01" "\x87\x04\x0a\x01\x02\x03"));
}

ATF_TC_WITHOUT_HEAD(several_nodes);
ATF_TC_BODY(several_nodes, tc)
{
	char	*nodes[] = { "foo", "bär" };

	check_san(NULL, 0, NULL, 0, nodes, 2, LIT("\x30\x29"
	    "\xa0\x12\x06\x09\x2b\x06\x01\x04\x01\x92\x08\x13\x01"
	    "\xa0\x05\x0c\x03" "foo"
	    "\xa0\x13\x06\x09\x2b\x06\x01\x04\x01\x92\x08\x13\x01"
	    "\xa0\x06\x0c\x04" "b\xc3\xa4r"));
}

/* No names: an empty SAN, which cert-signreq then refuses, as Go. */
ATF_TC_WITHOUT_HEAD(empty);
ATF_TC_BODY(empty, tc)
{
	check_san(NULL, 0, NULL, 0, NULL, 0, LIT("\x30\x00"));
}

ATF_TC_WITHOUT_HEAD(bad_address);
ATF_TC_BODY(bad_address, tc)
{
	char		*ips[] = { "127.0.0.1", "300.1.1.1" };
	struct tlsnames	 none = { NULL, 0 }, i = { ips, 2 };
	unsigned char	*der;

	ATF_CHECK_EQ(tlsnames_san(&none, &i, &none, &der), -1);
	ATF_CHECK(der == NULL);
}

/* The node IDs written come back from a certificate carrying them. */
ATF_TC_WITHOUT_HEAD(round_trip);
ATF_TC_BODY(round_trip, tc)
{
	char			*dns[] = { "localhost" };
	char			*nodes[] = { "foo", "bar" };
	struct tlsnames		 d = { dns, 1 }, none = { NULL, 0 };
	struct tlsnames		 n = { nodes, 2 }, back;
	ASN1_OCTET_STRING	*oct;
	X509_EXTENSION		*ext;
	X509			*x;
	unsigned char		*der;
	int			 len;

	ATF_REQUIRE((len = tlsnames_san(&d, &none, &n, &der)) > 0);
	ATF_REQUIRE((x = X509_new()) != NULL);
	ATF_REQUIRE((oct = ASN1_OCTET_STRING_new()) != NULL);
	ATF_REQUIRE(ASN1_OCTET_STRING_set(oct, der, len) == 1);
	ATF_REQUIRE((ext = X509_EXTENSION_create_by_NID(NULL,
	    NID_subject_alt_name, 0, oct)) != NULL);
	ATF_REQUIRE(X509_add_ext(x, ext, -1) == 1);
	ATF_REQUIRE(tlsnames_x509(x, &back) == 0);
	ATF_REQUIRE_EQ(back.n, 2);
	ATF_CHECK_STREQ(back.v[0], "foo");
	ATF_CHECK_STREQ(back.v[1], "bar");
	tlsnames_free(&back);
	X509_EXTENSION_free(ext);
	ASN1_OCTET_STRING_free(oct);
	X509_free(x);
	OPENSSL_free(der);
}

ATF_TP_ADD_TCS(tp)
{
	ATF_TP_ADD_TC(tp, go_bytes);
	ATF_TP_ADD_TC(tp, addresses);
	ATF_TP_ADD_TC(tp, several_nodes);
	ATF_TP_ADD_TC(tp, empty);
	ATF_TP_ADD_TC(tp, bad_address);
	ATF_TP_ADD_TC(tp, round_trip);
	return atf_no_error();
}
