/*
 * The PEM files of the certificate actions. Reading takes the blocks Go's
 * LoadFromPEMFile takes and fails on anything else, naming the file.
 * Writing never leaves a half-written file: every output goes to a
 * temporary file beside it, and the temporary files are renamed into
 * place only once all of them are complete.
 */
#include <errno.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <openssl/err.h>
#include <openssl/pem.h>

#include "log.h"
#include "receptor.h"
#include "cert.h"

static const char *pem_decode(struct pem_item *, const char *,
		    const unsigned char *, long);
static int	only_space(const char *, long);
static int	out_tmp(struct cert_out *, char *, size_t);

/* Every PEM block of a file; -1 with why in err. */
int
pem_load(const char *path, struct pem_items *items, char *err,
    size_t errlen)
{
	struct conf_file	 file;
	struct pem_item		 item;
	BIO			*bio;
	char			*name = NULL, *header = NULL, *rest;
	const char		*why;
	unsigned char		*der = NULL;
	long			 len, derlen = 0;
	int			 rv = -1;

	memset(items, 0, sizeof(*items));
	if (files_read(path, &file, err, errlen) == -1)
		return -1;
	if ((bio = BIO_new_mem_buf(file.data, file.len)) == NULL)
		fatalx("BIO_new_mem_buf");
	for (;;) {
		len = BIO_get_mem_data(bio, &rest);
		/* Text before a block is skipped, as Go does. */
		if (only_space(rest, len)) {
			rv = 0;
			break;
		}
		if (!PEM_read_bio(bio, &name, &header, &der, &derlen)) {
			cert_err(err, errlen, "%s: failed to decode PEM block",
			    path);
			break;
		}
		if ((why = pem_decode(&item, name, der, derlen)) != NULL) {
			cert_err(err, errlen, "%s: %s %s", path, why, name);
			break;
		}
		items->v = reallocarray(items->v, items->n + 1,
		    sizeof(*items->v));
		if (items->v == NULL)
			fatal("pem");
		items->v[items->n++] = item;
		OPENSSL_free(name);
		OPENSSL_free(header);
		OPENSSL_clear_free(der, derlen);
		name = header = NULL;
		der = NULL;
	}
	OPENSSL_free(name);
	OPENSSL_free(header);
	OPENSSL_clear_free(der, derlen);
	BIO_free(bio);
	freezero(file.data, file.len);
	free(file.path);
	ERR_clear_error();
	if (rv == -1)
		pem_free(items);
	return rv;
}

/* One block by its type; NULL, or why not for the error. */
static const char *
pem_decode(struct pem_item *item, const char *name, const unsigned char *der,
    long len)
{
	PKCS8_PRIV_KEY_INFO	*p8;
	const unsigned char	*p = der;

	memset(item, 0, sizeof(*item));
	if (strcmp(name, PEM_STRING_X509) == 0) {
		item->type = PEM_CERT;
		item->cert = d2i_X509(NULL, &p, len);
	} else if (strcmp(name, PEM_STRING_X509_REQ) == 0) {
		item->type = PEM_REQ;
		item->req = d2i_X509_REQ(NULL, &p, len);
	} else if (strcmp(name, PEM_STRING_RSA) == 0) {
		item->type = PEM_PRIVKEY;
		item->key = d2i_PrivateKey(EVP_PKEY_RSA, NULL, &p, len);
	} else if (strcmp(name, PEM_STRING_PKCS8INF) == 0) {
		item->type = PEM_PRIVKEY;
		if ((p8 = d2i_PKCS8_PRIV_KEY_INFO(NULL, &p, len)) != NULL) {
			item->key = EVP_PKCS82PKEY(p8);
			PKCS8_PRIV_KEY_INFO_free(p8);
		}
	} else if (strcmp(name, PEM_STRING_PUBLIC) == 0) {
		item->type = PEM_PUBKEY;
		item->key = d2i_PUBKEY(NULL, &p, len);
	} else
		return "unknown block type";
	/* Go refuses trailing bytes after the DER too. */
	if ((item->cert == NULL && item->req == NULL && item->key == NULL) ||
	    p != der + len) {
		X509_free(item->cert);
		X509_REQ_free(item->req);
		EVP_PKEY_free(item->key);
		return "malformed block";
	}
	return NULL;
}

static int
only_space(const char *s, long len)
{
	long	 i;

	for (i = 0; i < len; i++)
		if (strchr(" \t\r\n", s[i]) == NULL || s[i] == '\0')
			return 0;
	return 1;
}

void
pem_free(struct pem_items *items)
{
	size_t	 i;

	for (i = 0; i < items->n; i++) {
		X509_free(items->v[i].cert);
		X509_REQ_free(items->v[i].req);
		EVP_PKEY_free(items->v[i].key);
	}
	free(items->v);
	memset(items, 0, sizeof(*items));
}

/* The only block of a file, a certificate (Go's LoadCertificate). */
X509 *
pem_load_cert(const char *path, char *err, size_t errlen)
{
	struct pem_items	 items;
	X509			*cert = NULL;

	if (pem_load(path, &items, err, errlen) == -1)
		return NULL;
	if (items.n != 1)
		cert_err(err, errlen, "%s: certificate file should contain "
		    "exactly one item", path);
	else if (items.v[0].type != PEM_CERT)
		cert_err(err, errlen, "%s: certificate file does not contain "
		    "certificate data", path);
	else {
		cert = items.v[0].cert;
		items.v[0].cert = NULL;
	}
	pem_free(&items);
	return cert;
}

/* The only block of a file, a certificate request (Go's LoadRequest). */
X509_REQ *
pem_load_req(const char *path, char *err, size_t errlen)
{
	struct pem_items	 items;
	X509_REQ		*req = NULL;

	if (pem_load(path, &items, err, errlen) == -1)
		return NULL;
	if (items.n != 1)
		cert_err(err, errlen, "%s: certificate request file should "
		    "contain exactly one item", path);
	else if (items.v[0].type != PEM_REQ)
		cert_err(err, errlen, "%s: certificate request file does not "
		    "contain certificate request data", path);
	else {
		req = items.v[0].req;
		items.v[0].req = NULL;
	}
	pem_free(&items);
	return req;
}

/*
 * The one RSA private key of a file, which may hold other blocks too (Go's
 * MakeReq). Go would also skip a private key of another type; saying so
 * is clearer than "no private keys".
 */
EVP_PKEY *
pem_load_key(const char *path, char *err, size_t errlen)
{
	struct pem_items	 items;
	EVP_PKEY		*key = NULL;
	size_t			 i, nkeys = 0, other = 0;

	if (pem_load(path, &items, err, errlen) == -1)
		return NULL;
	for (i = 0; i < items.n; i++) {
		if (items.v[i].type != PEM_PRIVKEY)
			continue;
		if (EVP_PKEY_get_base_id(items.v[i].key) != EVP_PKEY_RSA) {
			other++;
			continue;
		}
		if (nkeys++ == 0) {
			key = items.v[i].key;
			items.v[i].key = NULL;
		}
	}
	pem_free(&items);
	if (nkeys == 1)
		return key;
	EVP_PKEY_free(key);
	if (nkeys > 1)
		cert_err(err, errlen, "multiple private keys in file %s", path);
	else if (other > 0)
		cert_err(err, errlen, "%s: the private key is not an RSA key",
		    path);
	else
		cert_err(err, errlen, "no private keys in file %s", path);
	return NULL;
}

/*
 * Write every file or none: all temporary files first, then the renames.
 * Mode 0600 for certificates too, as Go writes them.
 */
int
cert_write(struct cert_out *outs, size_t n, char *err, size_t errlen)
{
	size_t	 i;
	int	 rv = 0;

	for (i = 0; i < n && rv == 0; i++)
		rv = out_tmp(&outs[i], err, errlen);
	for (i = 0; i < n && rv == 0; i++)
		if (rename(outs[i].tmp, outs[i].path) == -1)
			rv = cert_err(err, errlen, "%s: %s", outs[i].path,
			    strerror(errno));
	for (i = 0; i < n; i++) {
		if (rv == -1 && outs[i].tmp != NULL)
			unlink(outs[i].tmp);
		free(outs[i].tmp);
		outs[i].tmp = NULL;
	}
	return rv;
}

static int
out_tmp(struct cert_out *out, char *err, size_t errlen)
{
	char	*dir, *base, *data;
	long	 len;
	ssize_t	 w;
	int	 fd, saved;

	if ((dir = strdup(out->path)) == NULL ||
	    (base = strdup(out->path)) == NULL ||
	    asprintf(&out->tmp, "%s/.%s.XXXXXX", dirname(dir),
	    basename(base)) == -1)
		fatal("cert_write");
	free(dir);
	free(base);
	if ((fd = mkstemp(out->tmp)) == -1) {
		saved = errno;
		free(out->tmp);
		out->tmp = NULL;
		return cert_err(err, errlen, "%s: %s", out->path,
		    strerror(saved));
	}
	len = BIO_get_mem_data(out->pem, &data);
	while (len > 0 && (w = write(fd, data, len)) > 0) {
		data += w;
		len -= w;
	}
	if (len > 0 || close(fd) == -1) {
		saved = errno;
		if (len > 0)
			close(fd);
		return cert_err(err, errlen, "%s: %s", out->path,
		    strerror(saved));
	}
	return 0;
}
