#ifndef RECEPTOR_SOCKETS_H
#define RECEPTOR_SOCKETS_H

#include <stddef.h>
#include <stdint.h>

/*
 * Up to max inodes of the sockets the calling process holds, lowest
 * descriptors first (listeners are opened before their connections).
 */
size_t	socket_inodes(uint64_t *inodes, size_t max);

#endif
