/*
 * Signed work: the tokens a remote unit's commands carry when it was
 * submitted with signwork (work-signing), and the check of those that
 * reach work types with verifysignature (work-verification). The keys
 * come from the parent with the configuration; each use reads them
 * afresh, as Go does, so a reload takes effect at once.
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "config.h"
#include "jwt.h"
#include "proc.h"
#include "workd.h"

static EVP_PKEY	*key_of(int private, char *, size_t);

/* Go's createSignature */
int
sign_token(const char *node, char **token, char *err, size_t errlen)
{
	const struct cfg_item	*signing;
	EVP_PKEY		*key;
	long long		 life;

	*token = NULL;
	if ((signing = config_first(child_config(), "work-signing")) == NULL) {
		(void)snprintf(err, errlen, "cannot sign work: signing key "
		    "is empty");
		return -1;
	}
	if ((key = key_of(1, err, errlen)) == NULL)
		return -1;
	life = cfg_duration(signing, "tokenexpiration", SIGN_LIFETIME_DEFAULT);
	*token = jwt_sign(key, node, time(NULL) + life / 1000000000);
	EVP_PKEY_free(key);
	if (*token == NULL) {
		(void)snprintf(err, errlen, "cannot sign work: signing failed");
		return -1;
	}
	return 0;
}

/* Go's VerifySignature, for a signature that is not empty. */
int
sign_verify(const char *token, char *err, size_t errlen)
{
	EVP_PKEY	*key;
	int		 rv;

	if (config_first(child_config(), "work-verification") == NULL) {
		(void)snprintf(err, errlen, "could not verify signature: "
		    "verifying key not specified");
		return -1;
	}
	if ((key = key_of(0, err, errlen)) == NULL)
		return -1;
	rv = jwt_verify(key, token, cfg_str(config_first(child_config(),
	    "node"), "id"), time(NULL), err, errlen);
	EVP_PKEY_free(key);
	return rv;
}

/* Go's "could not load signing|verifying key file: <why>" if it can't. */
static EVP_PKEY *
key_of(int private, char *err, size_t errlen)
{
	const unsigned char	*data;
	const char		*path;
	char			 why[256];
	size_t			 len;
	EVP_PKEY		*key = NULL;

	path = private ? cfg_str(config_first(child_config(), "work-signing"),
	    "privatekey") : cfg_str(config_first(child_config(),
	    "work-verification"), "publickey");
	if (path == NULL || (data = child_file(path, &len)) == NULL)
		(void)snprintf(why, sizeof(why), "open %s: no such file or "
		    "directory", path != NULL ? path : "");
	else
		key = private ? jwt_key_private(data, len, why, sizeof(why)) :
		    jwt_key_public(data, len, why, sizeof(why));
	if (key == NULL)
		(void)snprintf(err, errlen, "could not load %s key file: %s",
		    private ? "signing" : "verifying", why);
	return key;
}
