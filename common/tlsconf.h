/*
 * TLS settings built from a tls-server or tls-client item, for netd's
 * TCP backends and ctld's TCP control listener, and the checks libtls
 * doesn't make: pinned fingerprints, Go's hostname rules for a dialer,
 * Receptor node IDs in our own certificate and in a peer's.
 */
#ifndef RECEPTOR_TLSCONF_H
#define RECEPTOR_TLSCONF_H

#include <stddef.h>
#include <sys/types.h>

/* Go's TLS 1.2 cipher suites, in OpenSSL's names (PROTOCOL.md 3.4). */
#define TLS12_CIPHERS	"ECDHE-RSA-AES256-GCM-SHA384:AES256-GCM-SHA384:" \
			"ECDHE-RSA-AES128-GCM-SHA256:" \
			"ECDHE-ECDSA-AES128-GCM-SHA256"

struct evbuffer;
struct tls;
struct tls_config;
struct tlsconf;
struct x509_st;

/*
 * What a TLS library other than libtls (libwebsockets' OpenSSL) needs:
 * PEM bytes, valid while the configuration that made them is current.
 */
struct tlsconf_mem {
	const unsigned char	*cert;		/* NULL: none */
	const unsigned char	*key;
	const unsigned char	*cas;		/* NULL: nothing to verify */
	size_t			 certlen;
	size_t			 keylen;
	size_t			 caslen;
	int			 mintls13;
	int			 verify;	/* the peer's chain, or a client's */
};

/* tlsconf.c */
struct cfg_item;
const struct cfg_item *tlsconf_item(const char *action, const char *name);
struct tlsconf	*tlsconf_new(const char *user, const char *name, int server,
	    const char *node);
struct tlsconf	*tlsconf_default(void);
void	tlsconf_free(struct tlsconf *);
struct tls_config *tlsconf_config(const struct tlsconf *);
struct tls *tlsconf_server(const struct tlsconf *);
const struct tlsconf_mem *tlsconf_mem(const struct tlsconf *);
int	tlsconf_check_peer(const struct tlsconf *, struct tls *,
	    const char *host, char *, size_t);
int	tlsconf_check_node(const struct tlsconf *, struct tls *,
	    const char *node, char *, size_t);
int	tlsconf_check_peer_der(const struct tlsconf *, const void *, size_t,
	    const char *host, char *, size_t);
int	tlsconf_check_node_der(const struct tlsconf *, const void *, size_t,
	    const char *node, char *, size_t);
int	tlsio_hello(int, const char **why);
/*
 * Write buf out; with *first above 0, that many bytes in records of their
 * own before any more (counted down as they go).
 */
ssize_t	tlsio_flush(struct tls *, struct evbuffer *, size_t *first);

/* tlsnames.c */
struct tlsnames {
	char		**v;
	size_t		  n;
};
int	tlsnames_x509(struct x509_st *, struct tlsnames *);
int	tlsnames_has(const struct tlsnames *, const char *);
int	tlsnames_san(const struct tlsnames *dns, const struct tlsnames *ips,
	    const struct tlsnames *nodes, unsigned char **der);
void	tlsnames_free(struct tlsnames *);

#endif
