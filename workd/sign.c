/*
 * Signed work: the tokens a remote unit's commands carry when it was
 * submitted with signwork.
 */
#include <stdio.h>

#include "workd.h"

/* Go's createSignature; without work-signing there is no key. */
int
sign_token(const char *node, char **token, char *err, size_t errlen)
{
	*token = NULL;
	(void)snprintf(err, errlen, "cannot sign work: signing key is empty");
	return -1;
}
