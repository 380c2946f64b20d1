/*
 * The sockets a process holds, by inode, for the privilege audit to find
 * in the kernel's socket tables. Each process lists its own: reading
 * another's /proc/PID/fd takes CAP_SYS_PTRACE, which the parent drops,
 * and netd and ctld have no /proc in their chroot.
 */
#include <sys/resource.h>
#include <sys/stat.h>

#include <poll.h>
#include <stdint.h>
#include <stdlib.h>

#include "log.h"
#include "sockets.h"

/* poll(2) tells which of a batch of descriptors are open in one call. */
#define FD_BATCH	256

size_t
socket_inodes(uint64_t *inodes, size_t max)
{
	struct pollfd	 pfd[FD_BATCH];
	struct rlimit	 rl;
	struct stat	 st;
	rlim_t		 base;
	size_t		 i, batch, n = 0;

	if (getrlimit(RLIMIT_NOFILE, &rl) == -1) {
		log_warn("socket_inodes: getrlimit");
		return 0;
	}
	for (base = 0; base < rl.rlim_cur && n < max; base += batch) {
		batch = rl.rlim_cur - base < FD_BATCH ?
		    rl.rlim_cur - base : FD_BATCH;
		for (i = 0; i < batch; i++) {
			pfd[i].fd = base + i;
			pfd[i].events = 0;
			pfd[i].revents = 0;
		}
		if (poll(pfd, batch, 0) == -1) {
			log_warn("socket_inodes: poll");
			break;
		}
		for (i = 0; i < batch && n < max; i++)
			if ((pfd[i].revents & POLLNVAL) == 0 &&
			    fstat(pfd[i].fd, &st) == 0 && S_ISSOCK(st.st_mode))
				inodes[n++] = st.st_ino;
	}
	return n;
}
