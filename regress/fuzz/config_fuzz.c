/*
 * libFuzzer: any bytes as a config file go through the parser, the
 * validator, the printer and the imsg transfer without crashing or
 * leaking; whatever is accepted must print back to itself.
 */
#include <sys/queue.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "imsg.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static char	*print(const struct config *);
static void	 transfer(const struct config *);

static char *
print(const struct config *cf)
{
	char	*buf = NULL;
	size_t	 len = 0;
	FILE	*fp;

	if ((fp = open_memstream(&buf, &len)) == NULL)
		abort();
	config_print(fp, cf);
	fclose(fp);
	return buf;
}

static void
transfer(const struct config *cf)
{
	struct cfg_item	*it, *ni;
	struct msgbuild	 mb;
	struct msgread	 mr;
	struct imsg	 im;

	TAILQ_FOREACH(it, &cf->items, entry) {
		msg_init(&mb);
		cfg_item_encode(it, &mb);
		memset(&im, 0, sizeof(im));
		im.data = mb.buf;
		im.datalen = mb.len;
		msg_read_init(&mr, &im);
		if ((ni = cfg_item_decode(&mr)) == NULL && !mb.failed)
			abort();
		cfg_item_free(ni);
		msg_free(&mb);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct config		*cf, *cf2;
	struct cfg_error	 err;
	char			*p1, *p2;

	if ((cf = config_new()) == NULL)
		return 0;
	if (config_parse_buf(cf, "fuzz", (const char *)data, size, &err) == 0 &&
	    config_validate(cf, &err) == 0) {
		p1 = print(cf);
		if ((cf2 = config_new()) == NULL)
			abort();
		if (config_parse_buf(cf2, "print", p1, strlen(p1), &err) != 0 ||
		    config_validate(cf2, &err) != 0) {
			fprintf(stderr, "printed config fails: %s\n%s", err.msg,
			    p1);
			abort();
		}
		p2 = print(cf2);
		if (strcmp(p1, p2) != 0) {
			fprintf(stderr, "print differs:\n%s---\n%s", p1, p2);
			abort();
		}
		transfer(cf);
		free(p1);
		free(p2);
		config_free(cf2);
	}
	config_free(cf);
	return 0;
}
