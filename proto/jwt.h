/*
 * The JSON web tokens of signed work, as Go receptor makes and checks
 * them with golang-jwt v4: RS512, header {"alg":"RS512","typ":"JWT"},
 * claims {"aud":["<node>"],"exp":<unix seconds>}, and Go's error texts.
 */
#ifndef RECEPTOR_JWT_H
#define RECEPTOR_JWT_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <openssl/evp.h>

/* Longest token taken: Go's are well under 1 KiB for a 4096-bit key. */
#define JWT_MAX		(16 * 1024)

/*
 * An RSA key from a PEM file's bytes, as Go's LoadPrivateKey and
 * LoadPublicKey take it: exactly one block of a known type, RSA. NULL
 * with Go's reason in err.
 */
EVP_PKEY	*jwt_key_private(const void *, size_t, char *err, size_t);
EVP_PKEY	*jwt_key_public(const void *, size_t, char *err, size_t);

/* A token for node aud, expiring at exp; NULL if signing failed. */
char		*jwt_sign(EVP_PKEY *, const char *aud, int64_t exp);

/*
 * 0 if token is signed by key, unexpired at now and for node aud; else
 * -1 with Go's VerifySignature error in err.
 */
int		 jwt_verify(EVP_PKEY *, const char *token, const char *aud,
		    time_t now, char *err, size_t);

#endif
