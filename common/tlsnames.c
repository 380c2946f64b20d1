/*
 * Receptor node IDs in a certificate: otherName SANs of Receptor's OID
 * (PROTOCOL.md 3.4). Apart from the rest of TLS so that unit tests link
 * it alone.
 */
#include <stdlib.h>
#include <string.h>
#include <openssl/objects.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "log.h"
#include "tlsconf.h"

#define RECEPTOR_NAME_OID	"1.3.6.1.4.1.2312.19.1"

static int	names_add(struct tlsnames *, const ASN1_TYPE *);

/*
 * The Receptor node IDs among a certificate's SANs: otherNames of our
 * OID holding any ASN.1 string, as Go accepts. -1 if one is not a string
 * or the extension does not parse.
 */
int
tlsnames_x509(X509 *x, struct tlsnames *names)
{
	static ASN1_OBJECT	*oid;
	GENERAL_NAMES		*gens;
	const GENERAL_NAME	*gen;
	int			 crit, i, rv = 0;

	memset(names, 0, sizeof(*names));
	if (oid == NULL && (oid = OBJ_txt2obj(RECEPTOR_NAME_OID, 1)) == NULL)
		fatalx("OBJ_txt2obj");
	if ((gens = X509_get_ext_d2i(x, NID_subject_alt_name, &crit,
	    NULL)) == NULL)
		return crit == -1 ? 0 : -1;
	for (i = 0; i < sk_GENERAL_NAME_num(gens) && rv == 0; i++) {
		gen = sk_GENERAL_NAME_value(gens, i);
		if (gen->type == GEN_OTHERNAME &&
		    OBJ_cmp(gen->d.otherName->type_id, oid) == 0)
			rv = names_add(names, gen->d.otherName->value);
	}
	GENERAL_NAMES_free(gens);
	if (rv == -1)
		tlsnames_free(names);
	return rv;
}

static int
names_add(struct tlsnames *names, const ASN1_TYPE *val)
{
	unsigned char	*utf8;
	char		*name;
	int		 len;

	switch (val->type) {
	case V_ASN1_UTF8STRING:
	case V_ASN1_PRINTABLESTRING:
	case V_ASN1_IA5STRING:
	case V_ASN1_T61STRING:
	case V_ASN1_BMPSTRING:
	case V_ASN1_UNIVERSALSTRING:
	case V_ASN1_VISIBLESTRING:
	case V_ASN1_NUMERICSTRING:
		break;
	default:
		return -1;
	}
	if ((len = ASN1_STRING_to_UTF8(&utf8, val->value.asn1_string)) < 0)
		return -1;
	name = strndup((char *)utf8, len);
	OPENSSL_free(utf8);
	names->v = reallocarray(names->v, names->n + 1, sizeof(*names->v));
	if (name == NULL || names->v == NULL)
		fatal("tls names");
	names->v[names->n++] = name;
	return 0;
}

int
tlsnames_has(const struct tlsnames *names, const char *node)
{
	size_t	 i;

	for (i = 0; i < names->n; i++)
		if (strcmp(names->v[i], node) == 0)
			return 1;
	return 0;
}

void
tlsnames_free(struct tlsnames *names)
{
	size_t	 i;

	for (i = 0; i < names->n; i++)
		free(names->v[i]);
	free(names->v);
	memset(names, 0, sizeof(*names));
}
