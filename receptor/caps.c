/*
 * The parent's capabilities. Before it starts its children it keeps only
 * what it uses for the rest of its life, as the unit's
 * CapabilityBoundingSet= (etc/receptor.service) does, so that a daemon
 * root starts by hand is held to the same.
 */
#include <sys/prctl.h>
#include <sys/syscall.h>

#include <linux/capability.h>

#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <unistd.h>

#include "log.h"
#include "receptor.h"

static const unsigned kept[] = {
	CAP_SETUID,		/* children and work units become their users */
	CAP_SETGID,
	CAP_SETPCAP,		/* children empty their bounding sets */
	CAP_SYS_CHROOT,		/* netd and ctld */
	CAP_CHOWN,		/* the datadir and units' files to their users */
	CAP_FOWNER,
	CAP_DAC_OVERRIDE,	/* the datadir, _receptor's own */
	CAP_KILL,		/* children and units run as other users */
	CAP_NET_BIND_SERVICE,	/* control listeners a reload adds */
};

/* For the privilege plan. */
size_t
caps_kept(void)
{
	return sizeof(kept) / sizeof(kept[0]);
}

void
caps_limit(void)
{
	struct __user_cap_header_struct	 hdr;
	struct __user_cap_data_struct	 data[_LINUX_CAPABILITY_U32S_3];
	uint32_t			 keep[_LINUX_CAPABILITY_U32S_3] = { 0 };
	unsigned			 cap, i;

	for (i = 0; i < caps_kept(); i++)
		keep[CAP_TO_INDEX(kept[i])] |= CAP_TO_MASK(kept[i]);

	/* Not root, no CAP_SETPCAP: nothing in it is ours to use anyway. */
	for (cap = 0; prctl(PR_CAPBSET_READ, cap, 0, 0, 0) >= 0; cap++)
		if ((keep[CAP_TO_INDEX(cap)] & CAP_TO_MASK(cap)) == 0 &&
		    prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) == -1 &&
		    errno != EPERM)
			fatal("prctl(PR_CAPBSET_DROP, %u)", cap);
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) == -1 &&
	    errno != EINVAL)
		fatal("prctl(PR_CAP_AMBIENT_CLEAR_ALL)");

	hdr.version = _LINUX_CAPABILITY_VERSION_3;
	hdr.pid = 0;
	if (syscall(SYS_capget, &hdr, data) == -1)
		fatal("capget");
	for (i = 0; i < _LINUX_CAPABILITY_U32S_3; i++) {
		data[i].permitted &= keep[i];
		data[i].effective &= keep[i];
		data[i].inheritable = 0;
	}
	if (syscall(SYS_capset, &hdr, data) == -1)
		fatal("capset");
}
