/*
 * HighwayHash-64 against the vectors the minio Go package produced, and
 * the node hashes netceptor puts on the wire.
 */
#include <atf-c.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "highwayhash.h"

ATF_TC(vectors);
ATF_TC_HEAD(vectors, tc)
{
	atf_tc_set_md_var(tc, "descr",
	    "every line of highwayhash64-zero-key.tsv");
}
ATF_TC_BODY(vectors, tc)
{
	static const uint8_t	 zero[HIGHWAYHASH_KEYLEN];
	char			 path[1024], line[1024], kind[16];
	char			 input[512];
	uint8_t			 seq[256];
	unsigned long long	 want;
	const char		*name;
	size_t			 n, i;
	int			 count = 0;
	FILE			*f;

	snprintf(path, sizeof(path), "%s/data/highwayhash64-zero-key.tsv",
	    atf_tc_get_config_var(tc, "srcdir"));
	ATF_REQUIRE((f = fopen(path, "r")) != NULL);
	for (i = 0; i < sizeof(seq); i++)
		seq[i] = i;
	while (fgets(line, sizeof(line), f) != NULL) {
		if (line[0] == '#' || line[0] == '\n')
			continue;
		ATF_REQUIRE(sscanf(line, "%15[^\t]\t%511[^\t]\t%llx", kind,
		    input, &want) == 3);
		if (strcmp(kind, "bytes") == 0) {
			n = strtoul(input, NULL, 10);
			ATF_REQUIRE(n <= sizeof(seq));
			ATF_CHECK_EQ_MSG(highwayhash64(zero, seq, n), want,
			    "bytes %zu", n);
		} else {
			ATF_REQUIRE_STREQ(kind, "name");
			n = strlen(input);
			ATF_REQUIRE(n >= 2 && input[0] == '"' &&
			    input[n - 1] == '"');
			input[n - 1] = '\0';
			name = input + 1;
			ATF_CHECK_EQ_MSG(node_hash(name), want, "name %s",
			    name);
			ATF_CHECK_EQ(highwayhash64(zero, name, n - 2), want);
		}
		count++;
	}
	fclose(f);
	ATF_CHECK(count >= 80);
}

ATF_TC_WITHOUT_HEAD(observed);
ATF_TC_BODY(observed, tc)
{
	/* Seen on the wire from a Go v1.4.9 node. */
	ATF_CHECK_EQ(node_hash("nodeA"), 0x1d4e8523c2f8f6bfULL);
}

ATF_TC(keyed);
ATF_TC_HEAD(keyed, tc)
{
	atf_tc_set_md_var(tc, "descr",
	    "key 00..1f, the minio package's own test vectors");
}
ATF_TC_BODY(keyed, tc)
{
	/* Sum() bytes there, so each is the little-endian uint64. */
	static const struct {
		size_t		 len;
		const char	*sum;
	} v[] = {
		{ 0, "536ec222de567a90" },
		{ 3, "803d468aabef6b5c" },
		{ 17, "e2c0c5c8d267fe19" },
		{ 32, "fc80d5ecd964c9a0" },
		{ 33, "fc8131a03cf7902c" },
		{ 64, "ffa6d24c5d2c5475" },
	};
	uint8_t		 key[HIGHWAYHASH_KEYLEN], in[64];
	uint64_t	 want;
	unsigned int	 byte;
	size_t		 i, j;

	for (i = 0; i < sizeof(key); i++)
		key[i] = i;
	for (i = 0; i < sizeof(in); i++)
		in[i] = i;
	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		want = 0;
		for (j = 0; j < 8; j++) {
			ATF_REQUIRE(sscanf(v[i].sum + 2 * j, "%2x",
			    &byte) == 1);
			want |= (uint64_t)byte << (8 * j);
		}
		ATF_CHECK_EQ_MSG(highwayhash64(key, in, v[i].len), want,
		    "length %zu", v[i].len);
	}
}

ATF_TP_ADD_TCS(tp)
{
	ATF_TP_ADD_TC(tp, vectors);
	ATF_TP_ADD_TC(tp, observed);
	ATF_TP_ADD_TC(tp, keyed);
	return atf_no_error();
}
