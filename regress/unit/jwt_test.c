/*
 * proto/jwt.c: tokens made and checked as Go receptor makes and checks
 * them (golang-jwt v4.5.0), keys taken as its LoadPrivateKey and
 * LoadPublicKey take them, with Go's error texts.
 */
#include <atf-c.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/pem.h>

#include "jwt.h"

#define NOW	1800000000

static EVP_PKEY	*gen(void);
static char	*pem(EVP_PKEY *, int private);
static void	 refused(EVP_PKEY *, const char *, const char *, const char *);

static EVP_PKEY *
gen(void)
{
	EVP_PKEY	*k;

	ATF_REQUIRE((k = EVP_RSA_gen(2048)) != NULL);
	return k;
}

static char *
pem(EVP_PKEY *k, int private)
{
	BIO	*b;
	char	*p, *s;
	long	 n;

	ATF_REQUIRE((b = BIO_new(BIO_s_mem())) != NULL);
	ATF_REQUIRE((private ? PEM_write_bio_PrivateKey(b, k, NULL, NULL, 0,
	    NULL, NULL) : PEM_write_bio_PUBKEY(b, k)) == 1);
	n = BIO_get_mem_data(b, &p);
	ATF_REQUIRE((s = strndup(p, n)) != NULL);
	BIO_free(b);
	return s;
}

static void
refused(EVP_PKEY *k, const char *token, const char *aud, const char *want)
{
	char	 err[256];

	ATF_CHECK_EQ_MSG(jwt_verify(k, token, aud, NOW, err, sizeof(err)),
	    -1, "%s accepted", token);
	ATF_CHECK_MATCH_MSG(want, err, "%s: %s", token, err);
}

ATF_TC_WITHOUT_HEAD(roundtrip);
ATF_TC_BODY(roundtrip, tc)
{
	EVP_PKEY	*k = gen(), *other = gen();
	char		*t, err[256];

	ATF_REQUIRE((t = jwt_sign(k, "node1", NOW + 60)) != NULL);
	/* Go's header and claims, byte for byte */
	ATF_CHECK(strncmp(t, "eyJhbGciOiJSUzUxMiIsInR5cCI6IkpXVCJ9."
	    "eyJhdWQiOlsibm9kZTEiXSwiZXhwIjoxODAwMDAwMDYwfQ.", 80) == 0);
	ATF_CHECK_EQ(jwt_verify(k, t, "node1", NOW, err, sizeof(err)), 0);
	refused(k, t, "node2", "^token audience did not match node ID$");
	refused(other, t, "node1", "^could not verify signature: "
	    "crypto/rsa: verification error$");
	ATF_CHECK_EQ(jwt_verify(k, t, "node1", NOW + 61, err, sizeof(err)),
	    -1);
	ATF_CHECK_STREQ(err, "could not verify signature: token is expired "
	    "by 1s");
	free(t);
	EVP_PKEY_free(k);
	EVP_PKEY_free(other);
}

ATF_TC_WITHOUT_HEAD(malformed);
ATF_TC_BODY(malformed, tc)
{
	EVP_PKEY	*k = gen();
	/* {"alg":"none"} {"alg":"HS256"} {"typ":"JWT"} {"alg":"XX512"} */
	const char	*none = "eyJhbGciOiJub25lIn0", *hs = "eyJhbGciOiJIUzI1NiJ9",
			*noalg = "eyJ0eXAiOiJKV1QifQ", *xx = "eyJhbGciOiJYWDUxMiJ9",
			*claims = "eyJhdWQiOiJjIn0";	/* {"aud":"c"} */
	char		 t[256];

	refused(k, "a.b", "c", "^could not verify signature: token contains "
	    "an invalid number of segments$");
	refused(k, "a.b.c.d", "c", "invalid number of segments");
	refused(k, "ab*c.d.e", "c", "^could not verify signature: illegal "
	    "base64 data at input byte 2$");
	snprintf(t, sizeof(t), "%s.%s.", none, claims);
	refused(k, t, "c", "^could not verify signature: 'none' signature "
	    "type is not allowed$");
	snprintf(t, sizeof(t), "%s.%s.AAAA", hs, claims);
	refused(k, t, "c", "^could not verify signature: key is of invalid "
	    "type$");
	snprintf(t, sizeof(t), "%s.%s.AAAA", noalg, claims);
	refused(k, t, "c", "^could not verify signature: signing method "
	    "\\(alg\\) is unspecified\\.$");
	snprintf(t, sizeof(t), "%s.%s.AAAA", xx, claims);
	refused(k, t, "c", "^could not verify signature: signing method "
	    "\\(alg\\) is unavailable\\.$");
	EVP_PKEY_free(k);
}

ATF_TC_WITHOUT_HEAD(keys);
ATF_TC_BODY(keys, tc)
{
	EVP_PKEY	*k = gen(), *got;
	char		*priv = pem(k, 1), *pub = pem(k, 0), *two, err[256];

	ATF_CHECK((got = jwt_key_private(priv, strlen(priv), err,
	    sizeof(err))) != NULL);
	EVP_PKEY_free(got);
	ATF_CHECK((got = jwt_key_public(pub, strlen(pub), err,
	    sizeof(err))) != NULL);
	EVP_PKEY_free(got);
	ATF_CHECK(jwt_key_private(pub, strlen(pub), err, sizeof(err)) ==
	    NULL);
	ATF_CHECK_STREQ(err, "private key file does not contain private key "
	    "data");
	ATF_CHECK(jwt_key_public(priv, strlen(priv), err, sizeof(err)) ==
	    NULL);
	ATF_CHECK_STREQ(err, "public key file does not contain public key "
	    "data");
	ATF_CHECK(jwt_key_private("junk\n", 5, err, sizeof(err)) == NULL);
	ATF_CHECK_STREQ(err, "failed to decode PEM block");
	ATF_REQUIRE(asprintf(&two, "%s%s", priv, priv) != -1);
	ATF_CHECK(jwt_key_private(two, strlen(two), err, sizeof(err)) ==
	    NULL);
	ATF_CHECK_STREQ(err, "private key file should contain exactly one "
	    "item");
	free(two);
	free(priv);
	free(pub);
	EVP_PKEY_free(k);
}

ATF_TP_ADD_TCS(tp)
{
	ATF_TP_ADD_TC(tp, roundtrip);
	ATF_TP_ADD_TC(tp, malformed);
	ATF_TP_ADD_TC(tp, keys);
	return atf_no_error();
}
