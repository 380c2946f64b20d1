/*
 * A reply as Go builds it, a map[string]interface{}: members may be set
 * in any order and replace each other; json.Marshal writes them sorted
 * bytewise by key, which gomap_write() does.
 */
#include <stdlib.h>
#include <string.h>

#include "ctld.h"
#include "log.h"

static int	gomap_cmp(const void *, const void *);

void
gomap_init(struct gomap *m)
{
	memset(m, 0, sizeof(*m));
}

void
gomap_clear(struct gomap *m)
{
	size_t	 i;

	for (i = 0; i < m->n; i++) {
		free(m->kv[i].key);
		gj_free(&m->kv[i].val);
	}
	free(m->kv);
	gomap_init(m);
}

/* The value of key, emptied, for the caller to write with gj_*(). */
struct gjbuf *
gomap_set(struct gomap *m, const char *key)
{
	struct gjbuf	*val = gomap_add(m, key);

	gj_free(val);
	return val;
}

/* The value of key as it is, to write more of; empty if new. */
struct gjbuf *
gomap_add(struct gomap *m, const char *key)
{
	size_t	 i;

	for (i = 0; i < m->n; i++)
		if (strcmp(m->kv[i].key, key) == 0)
			return &m->kv[i].val;
	if (m->n == m->size) {
		m->size = m->size ? m->size * 2 : 8;
		if ((m->kv = reallocarray(m->kv, m->size,
		    sizeof(*m->kv))) == NULL)
			fatal("gomap");
	}
	if ((m->kv[m->n].key = strdup(key)) == NULL)
		fatal("gomap");
	gj_init(&m->kv[m->n].val);
	return &m->kv[m->n++].val;
}

static int
gomap_cmp(const void *a, const void *b)
{
	const struct gomap_kv	*ka = a, *kb = b;

	return strcmp(ka->key, kb->key);
}

/* Append the map's JSON to out (the first error sticks in out->err). */
void
gomap_write(struct gomap *m, struct gjbuf *out)
{
	size_t	 i;

	if (m->n > 0)
		qsort(m->kv, m->n, sizeof(*m->kv), gomap_cmp);
	gj_obj_open(out);
	for (i = 0; i < m->n; i++) {
		gj_key(out, m->kv[i].key);
		if (m->kv[i].val.err != NULL && out->err == NULL)
			out->err = m->kv[i].val.err;
		gj_raw(out, m->kv[i].val.buf, m->kv[i].val.len);
	}
	gj_obj_close(out);
	gomap_clear(m);
}
