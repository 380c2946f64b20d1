/*
 * HighwayHash-64, as github.com/minio/highwayhash computes it.
 * Netceptor names nodes on the wire by this hash of their ID.
 */
#ifndef RECEPTOR_HIGHWAYHASH_H
#define RECEPTOR_HIGHWAYHASH_H

#include <stddef.h>
#include <stdint.h>

#define HIGHWAYHASH_KEYLEN	32

uint64_t	highwayhash64(const uint8_t [HIGHWAYHASH_KEYLEN], const void *,
		    size_t);
uint64_t	node_hash(const char *);

#endif
