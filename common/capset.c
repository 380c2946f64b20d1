/*
 * Capability sets as masks (bit N for capability N): what the parent and
 * each child keep of root's, through one path.
 */
#include <sys/prctl.h>
#include <sys/syscall.h>

#include <linux/capability.h>

#include <errno.h>
#include <stdint.h>
#include <unistd.h>

#include "log.h"
#include "sandbox.h"

void
capset_get(struct capsets *cs)
{
	struct __user_cap_header_struct	 hdr;
	struct __user_cap_data_struct	 data[_LINUX_CAPABILITY_U32S_3];

	hdr.version = _LINUX_CAPABILITY_VERSION_3;
	hdr.pid = 0;
	if (syscall(SYS_capget, &hdr, data) == -1)
		fatal("capget");
	cs->effective = data[0].effective |
	    (uint64_t)data[1].effective << 32;
	cs->permitted = data[0].permitted |
	    (uint64_t)data[1].permitted << 32;
	cs->inheritable = data[0].inheritable |
	    (uint64_t)data[1].inheritable << 32;
}

/*
 * Only root may shrink the bounding set; without it no later exec,
 * however it came about, can hand capabilities back. A process that may
 * not (no CAP_SETPCAP, or a container that denies it) keeps it whole.
 */
void
capset_bound(uint64_t keep)
{
	unsigned	 cap;

	for (cap = 0; prctl(PR_CAPBSET_READ, cap, 0, 0, 0) >= 0; cap++)
		if ((keep & CAPSET_BIT(cap)) == 0 &&
		    prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) == -1) {
			if (errno != EPERM)
				fatal("prctl(PR_CAPBSET_DROP, %u)", cap);
			return;
		}
}

/* Permitted and effective to what they hold of keep; inheritable none. */
void
capset_limit(uint64_t keep)
{
	struct __user_cap_header_struct	 hdr;
	struct __user_cap_data_struct	 data[_LINUX_CAPABILITY_U32S_3];
	struct capsets			 cs;
	uint64_t			 set;
	int				 i;

	capset_get(&cs);
	set = cs.permitted & keep;
	hdr.version = _LINUX_CAPABILITY_VERSION_3;
	hdr.pid = 0;
	for (i = 0; i < _LINUX_CAPABILITY_U32S_3; i++) {
		data[i].permitted = data[i].effective = set >> (32 * i);
		data[i].inheritable = 0;
	}
	if (syscall(SYS_capset, &hdr, data) == -1)
		fatal("capset");
}
