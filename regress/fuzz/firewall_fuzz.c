/*
 * libFuzzer harness: the input split at NUL bytes into strings, read as
 * firewall rules of key/value pairs ("\x01" between rules), compiled,
 * then matched against the strings that follow.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "firewall.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define MAXSTR	64

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cfg_value	 v;
	struct cfg_map		 maps[8];
	struct cfg_pair		 pairs[8][4];
	struct firewall		*fw;
	char			*buf, *str[MAXSTR], err[512];
	const char		*m[4] = { "", "", "", "" };
	size_t			 nstr = 0, i, k;
	enum fw_result		 r;

	if ((buf = malloc(size + 1)) == NULL)
		abort();
	memcpy(buf, data, size);
	buf[size] = '\0';
	str[nstr++] = buf;
	for (i = 0; i < size && nstr < MAXSTR; i++)
		if (buf[i] == '\0')
			str[nstr++] = buf + i + 1;
	memset(&v, 0, sizeof(v));
	v.rules = maps;
	k = 0;
	memset(maps, 0, sizeof(maps));
	for (i = 0; i + 1 < nstr && v.nrules < 8; i += 2) {
		if (str[i][0] == '\x01') {
			if (maps[v.nrules].npairs > 0)
				v.nrules++;
			i--;
			continue;
		}
		if (maps[v.nrules].npairs == 4)
			v.nrules++;
		if (v.nrules == 8)
			break;
		maps[v.nrules].pairs = pairs[v.nrules];
		pairs[v.nrules][maps[v.nrules].npairs].key = str[i];
		pairs[v.nrules][maps[v.nrules].npairs].val = str[i + 1];
		maps[v.nrules].npairs++;
		k = i + 2;
	}
	if (v.nrules < 8 && maps[v.nrules].npairs > 0)
		v.nrules++;
	if (firewall_compile(&v, &fw, err, sizeof(err)) == 0) {
		for (i = 0; i < 4 && k + i < nstr; i++)
			m[i] = str[k + i];
		r = firewall_match(fw, m[0], m[1], m[2], m[3]);
		if (r != FW_ACCEPT && r != FW_REJECT && r != FW_DROP)
			abort();
		if (v.nrules == 0 && (fw != NULL || r != FW_ACCEPT))
			abort();
		firewall_free(fw);
	} else if (strncmp(err, "error in rule ", 14) != 0)
		abort();
	free(buf);
	return 0;
}
