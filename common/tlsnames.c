/*
 * Receptor node IDs in a certificate: otherName SANs of Receptor's OID
 * (PROTOCOL.md 3.4), read from certificates and written into requests.
 * Apart from the rest of TLS so that unit tests link it alone.
 */
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/objects.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "log.h"
#include "tlsconf.h"

#define RECEPTOR_NAME_OID	"1.3.6.1.4.1.2312.19.1"

static ASN1_OBJECT *receptor_oid(void);
static int	names_add(struct tlsnames *, const ASN1_TYPE *);
static GENERAL_NAME *gen_dns(const char *);
static GENERAL_NAME *gen_ip(const char *);
static GENERAL_NAME *gen_node(const char *);

static ASN1_OBJECT *
receptor_oid(void)
{
	static ASN1_OBJECT	*oid;

	if (oid == NULL && (oid = OBJ_txt2obj(RECEPTOR_NAME_OID, 1)) == NULL)
		fatalx("OBJ_txt2obj");
	return oid;
}

/*
 * The Receptor node IDs among a certificate's SANs: otherNames of our
 * OID holding any ASN.1 string, as Go accepts. -1 if one is not a string
 * or the extension does not parse.
 */
int
tlsnames_x509(X509 *x, struct tlsnames *names)
{
	GENERAL_NAMES		*gens;
	const GENERAL_NAME	*gen;
	int			 crit, i, rv = 0;

	memset(names, 0, sizeof(*names));
	if ((gens = X509_get_ext_d2i(x, NID_subject_alt_name, &crit,
	    NULL)) == NULL)
		return crit == -1 ? 0 : -1;
	for (i = 0; i < sk_GENERAL_NAME_num(gens) && rv == 0; i++) {
		gen = sk_GENERAL_NAME_value(gens, i);
		if (gen->type == GEN_OTHERNAME &&
		    OBJ_cmp(gen->d.otherName->type_id, receptor_oid()) == 0)
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

/*
 * The DER of a subjectAltName extension's value in Go's MakeReceptorSAN
 * order: DNS names, IP addresses (IPv4, also IPv4-mapped IPv6, in four
 * bytes like Go's To4), then node IDs as otherName [0] { OID, [0]
 * EXPLICIT UTF8String }. Returns its length with *der to OPENSSL_free(),
 * or -1 if an IP address does not parse.
 */
int
tlsnames_san(const struct tlsnames *dns, const struct tlsnames *ips,
    const struct tlsnames *nodes, unsigned char **der)
{
	GENERAL_NAMES	*gens;
	GENERAL_NAME	*gen;
	size_t		 i;
	int		 len = -1;

	*der = NULL;
	if ((gens = GENERAL_NAMES_new()) == NULL)
		fatalx("GENERAL_NAMES_new");
	for (i = 0; i < dns->n; i++)
		if (sk_GENERAL_NAME_push(gens, gen_dns(dns->v[i])) <= 0)
			fatalx("sk_GENERAL_NAME_push");
	for (i = 0; i < ips->n; i++) {
		if ((gen = gen_ip(ips->v[i])) == NULL)
			goto done;
		if (sk_GENERAL_NAME_push(gens, gen) <= 0)
			fatalx("sk_GENERAL_NAME_push");
	}
	for (i = 0; i < nodes->n; i++)
		if (sk_GENERAL_NAME_push(gens, gen_node(nodes->v[i])) <= 0)
			fatalx("sk_GENERAL_NAME_push");
	if ((len = i2d_GENERAL_NAMES(gens, der)) <= 0)
		fatalx("i2d_GENERAL_NAMES");
 done:
	GENERAL_NAMES_free(gens);
	return len;
}

static GENERAL_NAME *
gen_dns(const char *name)
{
	GENERAL_NAME	*gen;
	ASN1_IA5STRING	*str;

	if ((gen = GENERAL_NAME_new()) == NULL ||
	    (str = ASN1_IA5STRING_new()) == NULL ||
	    ASN1_STRING_set(str, name, -1) != 1)
		fatalx("GENERAL_NAME");
	GENERAL_NAME_set0_value(gen, GEN_DNS, str);
	return gen;
}

static GENERAL_NAME *
gen_ip(const char *s)
{
	GENERAL_NAME		*gen;
	ASN1_OCTET_STRING	*oct;
	struct in6_addr		 a6;
	struct in_addr		 a4;
	const void		*addr = &a4;
	size_t			 len = sizeof(a4);

	if (inet_pton(AF_INET6, s, &a6) == 1) {
		if (IN6_IS_ADDR_V4MAPPED(&a6))
			addr = &a6.s6_addr[12];
		else {
			addr = &a6;
			len = sizeof(a6);
		}
	} else if (inet_pton(AF_INET, s, &a4) != 1)
		return NULL;
	if ((gen = GENERAL_NAME_new()) == NULL ||
	    (oct = ASN1_OCTET_STRING_new()) == NULL ||
	    ASN1_OCTET_STRING_set(oct, addr, len) != 1)
		fatalx("GENERAL_NAME");
	GENERAL_NAME_set0_value(gen, GEN_IPADD, oct);
	return gen;
}

static GENERAL_NAME *
gen_node(const char *node)
{
	GENERAL_NAME	*gen;
	ASN1_TYPE	*val;
	ASN1_OBJECT	*oid;
	ASN1_STRING	*str;

	if ((gen = GENERAL_NAME_new()) == NULL ||
	    (val = ASN1_TYPE_new()) == NULL ||
	    (str = ASN1_UTF8STRING_new()) == NULL ||
	    ASN1_STRING_set(str, node, -1) != 1 ||
	    (oid = OBJ_dup(receptor_oid())) == NULL)
		fatalx("GENERAL_NAME");
	ASN1_TYPE_set(val, V_ASN1_UTF8STRING, str);
	if (GENERAL_NAME_set0_othername(gen, oid, val) != 1)
		fatalx("GENERAL_NAME_set0_othername");
	return gen;
}
