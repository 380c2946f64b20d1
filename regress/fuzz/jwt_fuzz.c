/*
 * libFuzzer harness: arbitrary bytes as a signed work token, which any
 * control client can send, and as the PEM of a key file. Neither may
 * crash or leak; a token that passes must be one the key signed, which
 * random bytes never are.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/rsa.h>

#include "jwt.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static EVP_PKEY	*key;
	EVP_PKEY	*k;
	char		*token, err[256];

	if (key == NULL && (key = EVP_RSA_gen(1024)) == NULL)
		abort();
	if ((token = strndup((const char *)data, size)) == NULL)
		abort();
	if (jwt_verify(key, token, "node", 1800000000, err, sizeof(err)) ==
	    0)
		abort();
	if ((k = jwt_key_private(data, size, err, sizeof(err))) != NULL)
		EVP_PKEY_free(k);
	if ((k = jwt_key_public(data, size, err, sizeof(err))) != NULL)
		EVP_PKEY_free(k);
	free(token);
	return 0;
}
