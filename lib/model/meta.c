#include "model/model_impl.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "io/mem.h"
#include "io/parse.h"

const char *
model_meta(const struct bpr_model *m, const char *key, char *buf, size_t size)
{
	size_t klen = strlen(key), n;
	const char *p = m->meta, *eol;

	buf[0] = '\0';
	while (p != NULL && *p != '\0') {
		eol = strchr(p, '\n');
		n = eol ? (size_t)(eol - p) : strlen(p);
		if (n > klen && strncmp(p, key, klen) == 0 && p[klen] == '=') {
			snprintf(buf, size, "%.*s", (int)(n - klen - 1), p + klen + 1);
			break;
		}
		p = eol ? eol + 1 : NULL;
	}
	return buf;
}

int
model_set_meta(struct bpr_model *m, const char *text, struct bpr_err *e)
{
	char *copy = strdup(text);

	if (copy == NULL)
		return bpr_fail(e, "out of memory");
	free(m->meta);
	m->meta = copy;
	return 0;
}

/* True when line sets a key (the text up to its '=') that one of updates' lines sets. */
static int
key_in(const char *line, const char *updates)
{
	const char *eq = strchr(line, '='), *nl = strchr(line, '\n'), *u, *next;
	size_t klen;

	if (eq == NULL || (nl != NULL && eq > nl))
		return 0;
	klen = (size_t)(eq - line) + 1;	/* the key and its '=' */
	for (u = updates; *u != '\0'; u = next) {
		next = strchr(u, '\n');
		next = next ? next + 1 : u + strlen(u);
		if (strncmp(u, line, klen) == 0)
			return 1;
	}
	return 0;
}

/*
 * The key=value lines of meta, those whose keys updates sets left out,
 * followed by updates' lines.
 */
static char *
meta_replaced(const char *meta, const char *updates, struct bpr_err *e)
{
	size_t size = strlen(meta) + strlen(updates) + 2, n = 0;
	char *out = mem_array(size, 1, 0, "the model description", e);
	const char *p, *eol;

	if (out == NULL)
		return NULL;
	for (p = meta; *p != '\0'; p = eol) {
		eol = strchr(p, '\n');
		eol = eol ? eol + 1 : p + strlen(p);
		if (!key_in(p, updates)) {
			memcpy(out + n, p, (size_t)(eol - p));
			n += (size_t)(eol - p);
		}
	}
	if (n > 0 && out[n - 1] != '\n')
		out[n++] = '\n';
	memcpy(out + n, updates, strlen(updates) + 1);
	return out;
}

int
model_update_meta(struct bpr_model *m, const char *updates, struct bpr_err *e)
{
	char *meta = meta_replaced(m->meta ? m->meta : "", updates, e);

	if (meta == NULL)
		return -1;
	free(m->meta);
	m->meta = meta;
	return 0;
}

/* The meta text with the run's progress (epochs, step) brought up to date. */
char *
model_current_meta(const struct bpr_model *m, struct bpr_err *e)
{
	char progress[64];

	snprintf(progress, sizeof(progress), "epochs=%u\nstep=%llu\n", m->epochs,
	    (unsigned long long)m->step);
	return meta_replaced(m->meta ? m->meta : "", progress, e);
}

/* A number from the meta text; -1 when missing or malformed. */
int
model_meta_number(const struct bpr_model *m, const char *key, double *out)
{
	char buf[64];
	const char *why;

	model_meta(m, key, buf, sizeof(buf));
	return parse_double(buf, strlen(buf), out, &why) == 0 && isfinite(*out) ? 0 : -1;
}

/* A whole number from the meta text, at most max; -1 when missing, malformed or larger. */
int
model_meta_count(const struct bpr_model *m, const char *key, uint64_t max, uint64_t *out)
{
	char buf[64];
	const char *why;

	model_meta(m, key, buf, sizeof(buf));
	return parse_u64(buf, strlen(buf), out, &why) == 0 && *out <= max ? 0 : -1;
}
