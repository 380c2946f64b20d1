/*
 * The certificate actions (cert-init, cert-makereq, cert-signreq): what
 * cert.c, which builds and signs, shares with cert_pem.c, which reads and
 * writes the PEM files.
 */
#ifndef RECEPTOR_CERT_H
#define RECEPTOR_CERT_H

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

/* The PEM blocks Go's LoadFromPEMFile reads. */
enum pem_type {
	PEM_CERT,	/* CERTIFICATE */
	PEM_REQ,	/* CERTIFICATE REQUEST */
	PEM_PRIVKEY,	/* RSA PRIVATE KEY (PKCS#1), PRIVATE KEY (PKCS#8) */
	PEM_PUBKEY,	/* PUBLIC KEY */
};

struct pem_item {
	enum pem_type	 type;
	X509		*cert;
	X509_REQ	*req;
	EVP_PKEY	*key;		/* private or public */
};

struct pem_items {
	struct pem_item	*v;
	size_t		 n;
};

/* A file to write: its PEM, then the temporary file it is renamed from. */
struct cert_out {
	const char	*path;
	BIO		*pem;
	char		*tmp;
};

/* cert.c */
int	cert_err(char *, size_t, const char *, ...)
	    __attribute__((__format__(__printf__, 3, 4)));

/* cert_pem.c */
int	pem_load(const char *, struct pem_items *, char *, size_t);
void	pem_free(struct pem_items *);
X509	*pem_load_cert(const char *, char *, size_t);
X509_REQ *pem_load_req(const char *, char *, size_t);
EVP_PKEY *pem_load_key(const char *, char *, size_t);
int	cert_write(struct cert_out *, size_t, char *, size_t);

#endif
