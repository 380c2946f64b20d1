/*
 * HighwayHash-64 in portable C. The state is four lanes of v0, v1, mul0
 * and mul1; every 32-byte packet is mixed into all four, a short tail is
 * padded the way the reference implementation does it.
 */
#include <stdint.h>
#include <string.h>

#include "highwayhash.h"

struct hhstate {
	uint64_t	v0[4];
	uint64_t	v1[4];
	uint64_t	mul0[4];
	uint64_t	mul1[4];
};

static uint64_t	 load64(const uint8_t *);
static uint64_t	 rot32(uint64_t);
static void	 zipper_merge(uint64_t, uint64_t, uint64_t *, uint64_t *);
static void	 hh_init(struct hhstate *, const uint8_t *);
static void	 hh_update(struct hhstate *, const uint64_t [4]);
static void	 hh_packet(struct hhstate *, const uint8_t *);
static void	 hh_tail(struct hhstate *, const uint8_t *, size_t);

static const uint64_t init0[4] = {
	0xdbe6d5d5fe4cce2fULL, 0xa4093822299f31d0ULL,
	0x13198a2e03707344ULL, 0x243f6a8885a308d3ULL,
};
static const uint64_t init1[4] = {
	0x3bd39e10cb0ef593ULL, 0xc0acf169b5f18a8cULL,
	0xbe5466cf34e90c6cULL, 0x452821e638d01377ULL,
};

/*
 * Byte i of the first (second) sum is byte merge0[i] (merge1[i]) of the
 * 16 bytes of the two lanes, little-endian, the first lane at 0..7.
 */
static const uint8_t merge0[8] = { 3, 12, 2, 5, 14, 1, 15, 0 };
static const uint8_t merge1[8] = { 11, 4, 10, 13, 9, 6, 8, 7 };

static uint64_t
load64(const uint8_t *p)
{
	uint64_t	 v = 0;
	int		 i;

	for (i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

static uint64_t
rot32(uint64_t v)
{
	return v >> 32 | v << 32;
}

static void
zipper_merge(uint64_t a, uint64_t b, uint64_t *add0, uint64_t *add1)
{
	uint8_t		 in[16];
	uint64_t	 r0 = 0, r1 = 0;
	int		 i;

	for (i = 0; i < 8; i++) {
		in[i] = a >> (8 * i);
		in[8 + i] = b >> (8 * i);
	}
	for (i = 7; i >= 0; i--) {
		r0 = r0 << 8 | in[merge0[i]];
		r1 = r1 << 8 | in[merge1[i]];
	}
	*add0 += r0;
	*add1 += r1;
}

static void
hh_init(struct hhstate *s, const uint8_t *key)
{
	uint64_t	 k;
	int		 i;

	for (i = 0; i < 4; i++) {
		k = load64(key + 8 * i);
		s->mul0[i] = init0[i];
		s->mul1[i] = init1[i];
		s->v0[i] = init0[i] ^ k;
		s->v1[i] = init1[i] ^ rot32(k);
	}
}

static void
hh_update(struct hhstate *s, const uint64_t m[4])
{
	int	 i;

	for (i = 0; i < 4; i++) {
		s->v1[i] += m[i] + s->mul0[i];
		s->mul0[i] ^= (s->v1[i] & 0xffffffff) * (s->v0[i] >> 32);
		s->v0[i] += s->mul1[i];
		s->mul1[i] ^= (s->v0[i] & 0xffffffff) * (s->v1[i] >> 32);
	}
	zipper_merge(s->v1[0], s->v1[1], &s->v0[0], &s->v0[1]);
	zipper_merge(s->v1[2], s->v1[3], &s->v0[2], &s->v0[3]);
	zipper_merge(s->v0[0], s->v0[1], &s->v1[0], &s->v1[1]);
	zipper_merge(s->v0[2], s->v0[3], &s->v1[2], &s->v1[3]);
}

static void
hh_packet(struct hhstate *s, const uint8_t *p)
{
	uint64_t	 m[4];
	int		 i;

	for (i = 0; i < 4; i++)
		m[i] = load64(p + 8 * i);
	hh_update(s, m);
}

/* The last 1..31 bytes; their count is folded into the state first. */
static void
hh_tail(struct hhstate *s, const uint8_t *p, size_t n)
{
	uint8_t		 block[32];
	uint32_t	 lo, hi;
	size_t		 mod4 = n & 3, whole = n - mod4;
	int		 i;

	for (i = 0; i < 4; i++) {
		s->v0[i] += (uint64_t)n << 32 | n;
		lo = s->v1[i];
		hi = s->v1[i] >> 32;
		lo = lo << n | lo >> (32 - n);
		hi = hi << n | hi >> (32 - n);
		s->v1[i] = (uint64_t)hi << 32 | lo;
	}
	memset(block, 0, sizeof(block));
	memcpy(block, p, whole);
	if (n >= 16)
		memcpy(block + 28, p + n - 4, 4);
	else if (mod4 != 0) {
		block[16] = p[whole];
		block[17] = p[whole + (mod4 >> 1)];
		block[18] = p[n - 1];
	}
	hh_packet(s, block);
}

uint64_t
highwayhash64(const uint8_t key[HIGHWAYHASH_KEYLEN], const void *data,
    size_t len)
{
	struct hhstate	 s;
	const uint8_t	*p = data;
	uint64_t	 perm[4];
	int		 i;

	hh_init(&s, key);
	for (; len >= 32; p += 32, len -= 32)
		hh_packet(&s, p);
	if (len > 0)
		hh_tail(&s, p, len);
	for (i = 0; i < 4; i++) {
		perm[0] = rot32(s.v0[2]);
		perm[1] = rot32(s.v0[3]);
		perm[2] = rot32(s.v0[0]);
		perm[3] = rot32(s.v0[1]);
		hh_update(&s, perm);
	}
	return s.v0[0] + s.v1[0] + s.mul0[0] + s.mul1[0];
}

/* Netceptor keys the hash with 32 zero bytes. */
uint64_t
node_hash(const char *name)
{
	static const uint8_t	 zero[HIGHWAYHASH_KEYLEN];

	return highwayhash64(zero, name, strlen(name));
}
