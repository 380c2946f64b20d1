/*
 * The node's firewall rules (config field "firewallrules"), applied to
 * every data message this node originates, forwards or delivers.
 */
#ifndef RECEPTOR_FIREWALL_H
#define RECEPTOR_FIREWALL_H

#include <stddef.h>

struct cfg_value;
struct firewall;

enum fw_result {
	FW_ACCEPT,
	FW_REJECT,	/* the caller sends "blocked by firewall" */
	FW_DROP,
};

/*
 * Compile a CFG_RULES value: each rule a map of keys action, fromnode,
 * tonode, fromservice, toservice (any case). A value "/RE/" is a regular
 * expression anchored as ^RE$ (RE2 syntax translated to POSIX); one that
 * does not end in '/' or does not compile, and an empty value, match
 * anything, exactly as in Go. Returns 0 and *fw (NULL for no rules), or
 * -1 with Go's error text in err ("error in rule 0: unknown action: x").
 */
int		 firewall_compile(const struct cfg_value *, struct firewall **,
		    char *err, size_t errlen);
/* The first rule that matches decides; no match accepts. */
enum fw_result	 firewall_match(const struct firewall *, const char *fromnode,
		    const char *fromservice, const char *tonode,
		    const char *toservice);
void		 firewall_free(struct firewall *);

#endif
