/*
 * A remote unit's ExtraData, Go's RemoteExtraData: read from the status
 * file as json.Unmarshal reads it, written as json.Marshal writes it
 * (struct order, RemoteParams by sorted key, Expiration as Go's time).
 * Secret params (secret_*, any case) stay in the file and out of every
 * status shown to a client.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "log.h"
#include "workd.h"
#include "remote.h"

static int	read_str(struct gjreader *, struct gjbuf *, char **);
static int	read_params(struct gjreader *, struct remote *);
static int	param_cmp(const void *, const void *);

struct remote *
remote_new(struct unit *u)
{
	struct remote	*r;

	if ((r = calloc(1, sizeof(*r))) == NULL)
		fatal("remote unit");
	r->unit = u;
	r->stdoutfd = -1;
	r->expiration.sec = GOTIME_ZERO_SEC;
	return r;
}

void
remote_free(struct remote *r)
{
	size_t	 i;

	for (i = 0; i < r->nparams; i++) {
		free(r->params[i].key);
		free(r->params[i].value);
	}
	free(r->params);
	free(r->node);
	free(r->worktype);
	free(r->unitid);
	free(r->tlsclient);
	free(r);
}

/* Keys as Go matches them: any case. Fields absent keep their zero. */
int
remote_decode(struct remote *r, const char *extra)
{
	struct gjreader	 rd;
	struct gjbuf	 key, val;
	const char	*s;
	size_t		 len;
	int		 rv, *flag;

	gj_init(&key);
	gj_init(&val);
	gj_read_init(&rd, extra, strlen(extra));
	if ((rv = gj_read_null(&rd)) != 0 || gj_read_obj(&rd) == -1)
		goto done;
	while ((rv = gj_read_key(&rd, &key)) == 1) {
		flag = NULL;
		if (gj_read_null(&rd) == 1)
			rv = 0;
		else if (gj_keyeq(&key, "RemoteNode"))
			rv = read_str(&rd, &val, &r->node);
		else if (gj_keyeq(&key, "RemoteWorkType"))
			rv = read_str(&rd, &val, &r->worktype);
		else if (gj_keyeq(&key, "RemoteUnitID"))
			rv = read_str(&rd, &val, &r->unitid);
		else if (gj_keyeq(&key, "TLSClient"))
			rv = read_str(&rd, &val, &r->tlsclient);
		else if (gj_keyeq(&key, "RemoteParams"))
			rv = read_params(&rd, r);
		else if (gj_keyeq(&key, "Expiration")) {
			if ((rv = gj_read_rawstr(&rd, &s, &len)) == 0 &&
			    gotime_parse(&r->expiration, s, len) == -1)
				rv = -1;
		} else if (gj_keyeq(&key, "RemoteStarted"))
			flag = &r->started;
		else if (gj_keyeq(&key, "LocalCancelled"))
			flag = &r->cancelled;
		else if (gj_keyeq(&key, "LocalReleased"))
			flag = &r->released;
		else if (gj_keyeq(&key, "SignWork"))
			flag = &r->signwork;
		else
			rv = gj_read_skip(&rd);
		if (flag != NULL)
			rv = gj_read_bool(&rd, flag);
		if (rv == -1)
			break;
		key.len = 0;
	}
	if (rv == 0)
		rv = gj_read_end(&rd);
 done:
	gj_free(&key);
	gj_free(&val);
	return rv == -1 ? -1 : 0;
}

/* A string as a C string: Go's may hold NULs, ours are refused. */
static int
read_str(struct gjreader *rd, struct gjbuf *val, char **field)
{
	val->len = 0;
	if (gj_read_str(rd, val) == -1 ||
	    (val->len > 0 && memchr(val->buf, '\0', val->len) != NULL))
		return -1;
	free(*field);
	if ((*field = strndup(val->len > 0 ? val->buf : "", val->len)) ==
	    NULL)
		fatal("remote unit");
	return 0;
}

static int
read_params(struct gjreader *rd, struct remote *r)
{
	struct gjbuf	 key, val;
	char		*value = NULL;
	int		 rv;

	gj_init(&key);
	gj_init(&val);
	if ((rv = gj_read_obj(rd)) == 0)
		while ((rv = gj_read_key(rd, &key)) == 1) {
			gj_raw(&key, "", 1);
			if (key.err != NULL || strlen(key.buf) + 1 != key.len ||
			    read_str(rd, &val, &value) == -1) {
				rv = -1;
				break;
			}
			remote_param_set(r, key.buf, value);
			key.len = 0;
		}
	free(value);
	gj_free(&key);
	gj_free(&val);
	return rv == -1 ? -1 : 0;
}

/* A param, replacing one of the same name. */
void
remote_param_set(struct remote *r, const char *key, const char *value)
{
	struct remote_param	*p;
	size_t			 i;

	for (i = 0; i < r->nparams; i++)
		if (strcmp(r->params[i].key, key) == 0) {
			free(r->params[i].value);
			if ((r->params[i].value = strdup(value)) == NULL)
				fatal("remote unit");
			return;
		}
	if ((p = reallocarray(r->params, r->nparams + 1, sizeof(*p))) ==
	    NULL)
		fatal("remote unit");
	r->params = p;
	p = &r->params[r->nparams++];
	if ((p->key = strdup(key)) == NULL || (p->value = strdup(value)) ==
	    NULL)
		fatal("remote unit");
	qsort(r->params, r->nparams, sizeof(*p), param_cmp);
}

static int
param_cmp(const void *a, const void *b)
{
	const struct remote_param	*pa = a, *pb = b;

	return strcmp(pa->key, pb->key);
}

static int
is_secret(const char *key)
{
	return strncasecmp(key, "secret_", 7) == 0;
}

int
remote_has_secrets(const struct remote *r)
{
	size_t	 i;

	for (i = 0; i < r->nparams; i++)
		if (is_secret(r->params[i].key))
			return 1;
	return 0;
}

void
remote_encode(struct gjbuf *b, const struct remote *r, int redacted)
{
	size_t	 i;

	gj_obj_open(b);
	gj_key(b, "RemoteNode");
	gj_str(b, r->node != NULL ? r->node : "");
	gj_key(b, "RemoteWorkType");
	gj_str(b, r->worktype != NULL ? r->worktype : "");
	gj_key(b, "RemoteParams");
	gj_obj_open(b);
	for (i = 0; i < r->nparams; i++) {
		if (redacted && is_secret(r->params[i].key))
			continue;
		gj_key(b, r->params[i].key);
		gj_str(b, r->params[i].value);
	}
	gj_obj_close(b);
	gj_key(b, "RemoteUnitID");
	gj_str(b, r->unitid != NULL ? r->unitid : "");
	gj_key(b, "RemoteStarted");
	gj_bool(b, r->started);
	gj_key(b, "LocalCancelled");
	gj_bool(b, r->cancelled);
	gj_key(b, "LocalReleased");
	gj_bool(b, r->released);
	gj_key(b, "SignWork");
	gj_bool(b, r->signwork);
	gj_key(b, "TLSClient");
	gj_str(b, r->tlsclient != NULL ? r->tlsclient : "");
	gj_key(b, "Expiration");
	gj_time(b, &r->expiration);
	gj_obj_close(b);
}
