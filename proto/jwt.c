/*
 * Signed work's tokens: made as Go's createSignature makes them, read
 * as golang-jwt v4's Parser reads them (segments, base64url, header,
 * claims, the method its "alg" names, claims checked before the
 * signature, whose error wins), then the audience as receptor checks
 * it. Every byte of a token is untrusted.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include "goduration.h"
#include "gojson.h"
#include "jwt.h"

#define B64URL	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz" \
		"0123456789-_"

/* What the claims say; a time absent is has_* 0. */
struct claims {
	int		 aud_match;
	int		 has_exp, has_iat, has_nbf;
	double		 exp, iat, nbf;
};

static EVP_PKEY	*key_load(const void *, size_t, int, char *, size_t);
static char	*b64_encode(const void *, size_t);
static unsigned char *b64_decode(const char *, size_t, size_t *, char *,
		    size_t);
static int	 read_header(const unsigned char *, size_t, char *, size_t,
		    char *, size_t);
static int	 read_claims(const unsigned char *, size_t, const char *,
		    struct claims *, char *, size_t);
static int	 check_times(const struct claims *, time_t, char *, size_t);
static int	 check_signature(EVP_PKEY *, const char *, const char *,
		    size_t, const char *, char *, size_t);

EVP_PKEY *
jwt_key_private(const void *pem, size_t len, char *err, size_t errlen)
{
	return key_load(pem, len, 1, err, errlen);
}

EVP_PKEY *
jwt_key_public(const void *pem, size_t len, char *err, size_t errlen)
{
	return key_load(pem, len, 0, err, errlen);
}

/* Go's LoadFromPEMFile, then exactly one RSA key of the kind wanted. */
static EVP_PKEY *
key_load(const void *pem, size_t len, int private, char *err, size_t errlen)
{
	const char		*what = private ? "private" : "public";
	const unsigned char	*p;
	EVP_PKEY		*key = NULL, *k;
	BIO			*bio;
	char			*name = NULL, *header = NULL;
	unsigned char		*data = NULL;
	long			 dlen;
	int			 items = 0, bad = 0;

	*err = '\0';
	if ((bio = BIO_new_mem_buf(pem, (int)len)) == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	while (PEM_read_bio(bio, &name, &header, &data, &dlen) == 1) {
		p = data;
		k = NULL;
		items++;
		if (strcmp(name, "RSA PRIVATE KEY") == 0)
			k = d2i_PrivateKey(EVP_PKEY_RSA, NULL, &p, dlen);
		else if (strcmp(name, "PRIVATE KEY") == 0)
			k = d2i_AutoPrivateKey(NULL, &p, dlen);
		else if (strcmp(name, "PUBLIC KEY") == 0)
			k = d2i_PUBKEY(NULL, &p, dlen);
		else if (strcmp(name, "CERTIFICATE") != 0 &&
		    strcmp(name, "CERTIFICATE REQUEST") != 0) {
			snprintf(err, errlen, "unknown block type %s", name);
			bad = 1;
		}
		if (k == NULL && strstr(name, "KEY") != NULL && !bad) {
			snprintf(err, errlen, "x509: failed to parse %s key",
			    strstr(name, "PUBLIC") != NULL ? "public" :
			    "private");
			bad = 1;
		}
		if (k != NULL && key == NULL && private ==
		    (strstr(name, "PRIVATE") != NULL) &&
		    EVP_PKEY_base_id(k) == EVP_PKEY_RSA)
			key = k;
		else
			EVP_PKEY_free(k);
		OPENSSL_free(name);
		OPENSSL_free(header);
		OPENSSL_free(data);
		name = header = NULL;
		data = NULL;
		if (bad)
			break;
	}
	BIO_free(bio);
	ERR_clear_error();
	if (!bad && items == 0)
		snprintf(err, errlen, "failed to decode PEM block");
	else if (!bad && items != 1)
		snprintf(err, errlen, "%s key file should contain exactly one "
		    "item", what);
	else if (!bad && key == NULL)
		snprintf(err, errlen, "%s key file does not contain %s key "
		    "data", what, what);
	if (*err != '\0') {
		EVP_PKEY_free(key);
		return NULL;
	}
	return key;
}

char *
jwt_sign(EVP_PKEY *key, const char *aud, int64_t exp)
{
	static const char	 header[] = "{\"alg\":\"RS512\",\"typ\":\"JWT\"}";
	struct gjbuf		 claims;
	EVP_MD_CTX		*md = NULL;
	unsigned char		*sig = NULL;
	char			*h = NULL, *c = NULL, *s = NULL, *token = NULL;
	size_t			 siglen;

	gj_init(&claims);
	gj_obj_open(&claims);
	gj_key(&claims, "aud");
	gj_arr_open(&claims);
	gj_elem(&claims);
	gj_str(&claims, aud);
	gj_arr_close(&claims);
	gj_key(&claims, "exp");
	gj_i64(&claims, exp);
	gj_obj_close(&claims);
	if (claims.err != NULL ||
	    (h = b64_encode(header, sizeof(header) - 1)) == NULL ||
	    (c = b64_encode(claims.buf, claims.len)) == NULL ||
	    asprintf(&token, "%s.%s", h, c) == -1) {
		token = NULL;
		goto done;
	}
	if ((md = EVP_MD_CTX_new()) == NULL ||
	    EVP_DigestSignInit(md, NULL, EVP_sha512(), NULL, key) != 1 ||
	    EVP_DigestSign(md, NULL, &siglen, (unsigned char *)token,
	    strlen(token)) != 1 || (sig = malloc(siglen)) == NULL ||
	    EVP_DigestSign(md, sig, &siglen, (unsigned char *)token,
	    strlen(token)) != 1 || (s = b64_encode(sig, siglen)) == NULL) {
		free(token);
		token = NULL;
		goto done;
	}
	free(token);
	if (asprintf(&token, "%s.%s.%s", h, c, s) == -1)
		token = NULL;
 done:
	ERR_clear_error();
	EVP_MD_CTX_free(md);
	gj_free(&claims);
	free(sig);
	free(h);
	free(c);
	free(s);
	return token;
}

int
jwt_verify(EVP_PKEY *key, const char *token, const char *aud, time_t now,
    char *err, size_t errlen)
{
	static const char	 prefix[] = "could not verify signature: ";
	struct claims		 cl;
	const char		*dot1, *dot2;
	unsigned char		*header = NULL, *claims = NULL;
	size_t			 hlen, clen, plen = sizeof(prefix) - 1;
	char			 alg[32];
	int			 rv = -1, times;

	memset(&cl, 0, sizeof(cl));
	(void)strlcpy(err, prefix, errlen);
	if (plen >= errlen)
		return -1;
	err += plen;
	errlen -= plen;
	if (strlen(token) > JWT_MAX) {
		snprintf(err, errlen, "token is too long");
		return -1;
	}
	if ((dot1 = strchr(token, '.')) == NULL ||
	    (dot2 = strchr(dot1 + 1, '.')) == NULL ||
	    strchr(dot2 + 1, '.') != NULL) {
		snprintf(err, errlen, "token contains an invalid number of "
		    "segments");
		return -1;
	}
	if ((header = b64_decode(token, dot1 - token, &hlen, err,
	    errlen)) == NULL) {
		if (strncasecmp(token, "bearer ", 7) == 0)
			snprintf(err, errlen, "tokenstring should not contain "
			    "'bearer '");
		goto done;
	}
	if (read_header(header, hlen, alg, sizeof(alg), err, errlen) == -1 ||
	    (claims = b64_decode(dot1 + 1, dot2 - dot1 - 1, &clen, err,
	    errlen)) == NULL ||
	    read_claims(claims, clen, aud, &cl, err, errlen) == -1)
		goto done;
	if (*alg == '\0') {
		snprintf(err, errlen, "signing method (alg) is unspecified.");
		goto done;
	}
	times = check_times(&cl, now, err, errlen);
	if (check_signature(key, alg, token, dot2 - token, dot2 + 1, err,
	    errlen) == -1 || times == -1)
		goto done;
	if (!cl.aud_match) {
		/* receptor's own check, past golang-jwt's */
		(void)strlcpy(err - plen, "token audience did not match node ID",
		    errlen + plen);
		goto done;
	}
	rv = 0;
 done:
	free(header);
	free(claims);
	return rv;
}

/* Go's map of the header: "alg" if it is a string, "" if not there. */
static int
read_header(const unsigned char *buf, size_t len, char *alg, size_t alglen,
    char *err, size_t errlen)
{
	struct gjreader	 r;
	struct gjbuf	 key, val;
	int		 rv;

	*alg = '\0';
	gj_init(&key);
	gj_init(&val);
	gj_read_init(&r, buf, len);
	if ((rv = gj_read_obj(&r)) == 0) {
		while ((rv = gj_read_key(&r, &key)) == 1) {
			val.len = 0;
			if (key.len == 3 && memcmp(key.buf, "alg", 3) == 0 &&
			    gj_read_str(&r, &val) == 0) {
				gj_raw(&val, "", 1);
				if (val.err == NULL)
					(void)strlcpy(alg, val.buf, alglen);
			} else if (gj_read_skip(&r) == -1)
				break;
			key.len = 0;
		}
		if (rv == 0)
			rv = gj_read_end(&r);
	}
	if (rv == -1)
		snprintf(err, errlen, "%s", r.err != NULL ? r.err :
		    "invalid header");
	gj_free(&key);
	gj_free(&val);
	return rv == -1 ? -1 : 0;
}

/* RegisteredClaims as json.Unmarshal fills them: keys in any case. */
static int
read_claims(const unsigned char *buf, size_t len, const char *aud,
    struct claims *cl, char *err, size_t errlen)
{
	struct gjreader	 r;
	struct gjbuf	 key, val;
	double		*t;
	int		 rv, *has;

	gj_init(&key);
	gj_init(&val);
	gj_read_init(&r, buf, len);
	if ((rv = gj_read_obj(&r)) == 0) {
		while ((rv = gj_read_key(&r, &key)) == 1) {
			t = NULL;
			if (gj_read_null(&r) == 1)
				rv = 0;
			else if (gj_keyeq(&key, "aud")) {
				/* ClaimStrings: one string, or an array */
				if (gj_read_arr(&r) == 0) {
					while ((rv = gj_read_elem(&r)) == 1) {
						val.len = 0;
						if (gj_read_str(&r, &val) == -1)
							break;
						if (val.len == strlen(aud) &&
						    memcmp(val.buf, aud,
						    val.len) == 0)
							cl->aud_match = 1;
					}
				} else {
					/* not an array: nothing was taken */
					r.err = NULL;
					val.len = 0;
					if ((rv = gj_read_str(&r, &val)) == 0 &&
					    val.len == strlen(aud) &&
					    memcmp(val.buf, aud, val.len) == 0)
						cl->aud_match = 1;
				}
			} else if (gj_keyeq(&key, "exp")) {
				t = &cl->exp;
				has = &cl->has_exp;
			} else if (gj_keyeq(&key, "iat")) {
				t = &cl->iat;
				has = &cl->has_iat;
			} else if (gj_keyeq(&key, "nbf")) {
				t = &cl->nbf;
				has = &cl->has_nbf;
			} else
				rv = gj_read_skip(&r);
			if (t != NULL && (rv = gj_read_float(&r, t)) == 0)
				*has = 1;
			if (rv == -1 || r.err != NULL)
				break;
			key.len = 0;
		}
		if (rv == 0 && r.err == NULL)
			rv = gj_read_end(&r);
	}
	if (rv == -1 || r.err != NULL) {
		snprintf(err, errlen, "%s", r.err != NULL ? r.err :
		    "invalid claims");
		rv = -1;
	}
	gj_free(&key);
	gj_free(&val);
	return rv;
}

/* RegisteredClaims.Valid(): the last of its failures is the one told. */
static int
check_times(const struct claims *cl, time_t now, char *err, size_t errlen)
{
	char	 d[GODURATION_STRLEN];
	int	 rv = 0;

	if (cl->has_exp && (double)now >= cl->exp) {
		(void)goduration_format((int64_t)(((double)now - cl->exp) *
		    1e9), d);
		snprintf(err, errlen, "token is expired by %s", d);
		rv = -1;
	}
	if (cl->has_iat && (double)now < cl->iat) {
		snprintf(err, errlen, "token used before issued");
		rv = -1;
	}
	if (cl->has_nbf && (double)now < cl->nbf) {
		snprintf(err, errlen, "token is not valid yet");
		rv = -1;
	}
	return rv;
}

/*
 * The method "alg" names, golang-jwt's: RSA ones check the signature
 * with our RSA key; the others can't use it.
 */
static int
check_signature(EVP_PKEY *key, const char *alg, const char *signed_part,
    size_t signed_len, const char *sig64, char *err, size_t errlen)
{
	const EVP_MD	*md;
	EVP_MD_CTX	*ctx;
	EVP_PKEY_CTX	*pctx;
	unsigned char	*sig;
	size_t		 siglen;
	int		 ok, pss = alg[0] == 'P';

	if (strcmp(alg, "none") == 0) {
		snprintf(err, errlen, "'none' signature type is not allowed");
		return -1;
	}
	if (strcmp(alg + (alg[0] != '\0'), "S256") == 0)
		md = EVP_sha256();
	else if (strcmp(alg + (alg[0] != '\0'), "S384") == 0)
		md = EVP_sha384();
	else if (strcmp(alg + (alg[0] != '\0'), "S512") == 0)
		md = EVP_sha512();
	else
		md = NULL;
	if (md == NULL || (alg[0] != 'R' && alg[0] != 'P' && alg[0] != 'H' &&
	    alg[0] != 'E')) {
		if (strcmp(alg, "EdDSA") == 0)
			snprintf(err, errlen, "key is of invalid type");
		else
			snprintf(err, errlen, "signing method (alg) is "
			    "unavailable.");
		return -1;
	}
	if (alg[0] == 'H' || alg[0] == 'E') {
		snprintf(err, errlen, "key is of invalid type");
		return -1;
	}
	if ((sig = b64_decode(sig64, strlen(sig64), &siglen, err, errlen)) ==
	    NULL)
		return -1;
	if ((ctx = EVP_MD_CTX_new()) == NULL) {
		free(sig);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	ok = EVP_DigestVerifyInit(ctx, &pctx, md, NULL, key) == 1 &&
	    (!pss || (EVP_PKEY_CTX_set_rsa_padding(pctx,
	    RSA_PKCS1_PSS_PADDING) == 1 &&
	    EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx,
	    RSA_PSS_SALTLEN_AUTO) == 1)) &&
	    EVP_DigestVerify(ctx, sig, siglen,
	    (const unsigned char *)signed_part, signed_len) == 1;
	EVP_MD_CTX_free(ctx);
	ERR_clear_error();
	free(sig);
	if (!ok) {
		snprintf(err, errlen, "crypto/rsa: verification error");
		return -1;
	}
	return 0;
}

static char *
b64_encode(const void *buf, size_t len)
{
	const unsigned char	*p = buf;
	char			*out, *o;
	size_t			 i;
	uint32_t		 v;

	if ((out = o = malloc(len / 3 * 4 + 5)) == NULL)
		return NULL;
	for (i = 0; i + 2 < len; i += 3) {
		v = p[i] << 16 | p[i + 1] << 8 | p[i + 2];
		*o++ = B64URL[v >> 18];
		*o++ = B64URL[v >> 12 & 63];
		*o++ = B64URL[v >> 6 & 63];
		*o++ = B64URL[v & 63];
	}
	if (i < len) {
		v = p[i] << 16 | (i + 1 < len ? p[i + 1] << 8 : 0);
		*o++ = B64URL[v >> 18];
		*o++ = B64URL[v >> 12 & 63];
		if (i + 1 < len)
			*o++ = B64URL[v >> 6 & 63];
	}
	*o = '\0';
	return out;
}

/*
 * Go's base64.RawURLEncoding: no padding, CR and LF skipped, the error
 * at the offset of the first byte it can't take.
 */
static unsigned char *
b64_decode(const char *s, size_t len, size_t *outlen, char *err,
    size_t errlen)
{
	unsigned char	*out;
	const char	*c;
	uint32_t	 v = 0;
	size_t		 i, n = 0, bits = 0;

	if ((out = malloc(len / 4 * 3 + 3)) == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	for (i = 0; i < len; i++) {
		if (s[i] == '\r' || s[i] == '\n')
			continue;
		if (s[i] == '\0' || (c = strchr(B64URL, s[i])) == NULL) {
			snprintf(err, errlen, "illegal base64 data at input "
			    "byte %zu", i);
			free(out);
			return NULL;
		}
		v = v << 6 | (uint32_t)(c - B64URL);
		if ((bits += 6) >= 8) {
			bits -= 8;
			out[n++] = v >> bits & 0xff;
		}
	}
	/* A lone last character makes no byte. */
	if (bits == 6) {
		snprintf(err, errlen, "illegal base64 data at input byte %zu",
		    len - 1);
		free(out);
		return NULL;
	}
	*outlen = n;
	return out;
}
