#include "sampler.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mem.h"
#include "parse.h"

int
neg_mode_parse(const char *s, enum neg_mode *mode, double *alpha)
{
	const char *why;

	*alpha = 1;
	if (strcmp(s, "uniform") == 0)
		*mode = NEG_UNIFORM;
	else if (strcmp(s, "unseen") == 0)
		*mode = NEG_UNSEEN;
	else if (strcmp(s, "pop") == 0)
		*mode = NEG_POP;
	else if (strncmp(s, "pop:", 4) == 0) {
		*mode = NEG_POP;
		if (parse_double(s + 4, strlen(s + 4), alpha, &why) < 0 || *alpha < 0 || *alpha > 10)
			return -1;
	} else
		return -1;
	return 0;
}

void
neg_mode_format(enum neg_mode mode, double alpha, char *buf, size_t size)
{
	if (mode == NEG_POP)
		snprintf(buf, size, "pop:%g", alpha);
	else
		snprintf(buf, size, "%s", mode == NEG_UNIFORM ? "uniform" : "unseen");
}

/*
 * Walker's alias method: O(1) draws from any discrete distribution. Built
 * in double with a fixed order of operations, so it is the same on every
 * platform.
 */
static int
build_alias(struct neg_sampler *s, const double *w, size_t n, struct bpr_err *e)
{
	uint32_t *small = mem_array(n, sizeof(*small), 0, "the sampler", e);
	uint32_t *large = mem_array(n, sizeof(*large), 0, "the sampler", e);
	double *q = mem_array(n, sizeof(*q), 0, "the sampler", e), sum = 0;
	size_t i, ns = 0, nl = 0;

	s->alias_prob = mem_array(n, sizeof(*s->alias_prob), 0, "the sampler", e);
	s->alias = mem_array(n, sizeof(*s->alias), 0, "the sampler", e);
	if (!small || !large || !q || !s->alias_prob || !s->alias) {
		free(small);
		free(large);
		free(q);
		return -1;
	}
	for (i = 0; i < n; i++)
		sum += w[i];
	for (i = 0; i < n; i++) {
		q[i] = w[i] * (double)n / sum;
		if (q[i] < 1)
			small[ns++] = (uint32_t)i;
		else
			large[nl++] = (uint32_t)i;
	}
	while (ns > 0 && nl > 0) {
		uint32_t l = small[--ns], g = large[nl - 1];
		s->alias_prob[l] = q[l];
		s->alias[l] = g;
		q[g] = (q[g] + q[l]) - 1;
		if (q[g] < 1) {
			nl--;
			small[ns++] = g;
		}
	}
	while (nl > 0) {
		s->alias_prob[large[--nl]] = 1;
		s->alias[large[nl]] = large[nl];
	}
	while (ns > 0) {	/* rounding leftovers */
		s->alias_prob[small[--ns]] = 1;
		s->alias[small[ns]] = small[ns];
	}
	free(small);
	free(large);
	free(q);
	return 0;
}

static int
init_pop(struct neg_sampler *s, struct bpr_err *e)
{
	const struct positives *p = s->pos;
	double *w;
	size_t i;
	int rc;

	s->pop_items = mem_array(p->nitems, sizeof(*s->pop_items), 0, "the sampler", e);
	w = mem_array(p->nitems, sizeof(*w), 0, "the sampler", e);
	if (s->pop_items == NULL || w == NULL) {
		free(w);
		return -1;
	}
	for (i = 0; i < p->nitems; i++) {
		if (p->item_count[i] > 0) {
			w[s->npop] = pow((double)p->item_count[i], s->alpha);
			s->pop_items[s->npop++] = (uint32_t)i;
		}
	}
	rc = build_alias(s, w, s->npop, e);
	free(w);
	return rc;
}

int
sampler_init(struct neg_sampler *s, const struct positives *p, enum neg_mode mode,
    double alpha, struct bpr_err *e)
{
	memset(s, 0, sizeof(*s));
	s->mode = mode;
	s->alpha = alpha;
	s->pos = p;
	if (mode == NEG_POP)
		return init_pop(s, e);
	return 0;
}

void
sampler_free(struct neg_sampler *s)
{
	free(s->alias_prob);
	free(s->alias);
	free(s->pop_items);
	memset(s, 0, sizeof(*s));
}

int
sampler_user_ok(const struct neg_sampler *s, uint32_t u)
{
	const struct positives *p = s->pos;

	return s->mode != NEG_UNSEEN || p->start[u + 1] - p->start[u] < p->nitems;
}

/* Bucket count: about 16 Ki keys (128 KiB) per bucket so each fits in L2. */
static size_t
bucket_count(size_t n)
{
	size_t b = 1;

	while (b < 4096 && b * 16384 < n)
		b *= 2;
	return b;
}

static void
fisher_yates(uint64_t *a, size_t n, struct bpr_rng *rng)
{
	size_t i, j;
	uint64_t t;

	for (i = n; i > 1; i--) {
		j = rng_below(rng, (uint32_t)i);
		t = a[i - 1];
		a[i - 1] = a[j];
		a[j] = t;
	}
}

void
shuffle_u64(uint64_t *keys, uint64_t *scratch, size_t n, struct bpr_rng *rng)
{
	size_t nb = bucket_count(n), start[4097], fill[4097], i, b;
	struct bpr_rng replay = *rng;

	/* Pass 1 counts the buckets; pass 2 replays the same draws to scatter. */
	memset(start, 0, sizeof(start));
	for (i = 0; i < n; i++)
		start[rng_below(rng, (uint32_t)nb) + 1]++;
	for (b = 0; b < nb; b++)
		start[b + 1] += start[b];
	memcpy(fill, start, sizeof(fill));
	for (i = 0; i < n; i++)
		scratch[fill[rng_below(&replay, (uint32_t)nb)]++] = keys[i];
	for (b = 0; b < nb; b++)
		fisher_yates(scratch + start[b], start[b + 1] - start[b], rng);
	memcpy(keys, scratch, n * sizeof(*keys));
}

int
epoch_gen_init(struct epoch_gen *g, const struct positives *p,
    const struct neg_sampler *s, uint64_t seed, struct bpr_err *e)
{
	size_t u, k;

	memset(g, 0, sizeof(*g));
	g->pos = p;
	g->sampler = s;
	rng_seed(&g->rng, seed, RNG_STREAM_SAMPLE, 0);
	g->order = mem_array(p->npairs, sizeof(*g->order), 0, "the epoch order", e);
	g->scratch = mem_array(p->npairs, sizeof(*g->scratch), 0, "the epoch order", e);
	if (g->order == NULL || g->scratch == NULL) {
		epoch_gen_free(g);
		return -1;
	}
	for (u = 0; u < p->nusers; u++) {
		if (!sampler_user_ok(s, (uint32_t)u)) {
			g->skipped_users++;
			g->skipped_pairs += p->start[u + 1] - p->start[u];
			continue;
		}
		for (k = p->start[u]; k < p->start[u + 1]; k++)
			g->order[g->n++] = (uint64_t)u << 32 | p->items[k];
	}
	if (g->n == 0) {
		epoch_gen_free(g);
		return bpr_fail(e, "no user has an item left to draw a negative from");
	}
	return 0;
}

void
epoch_gen_free(struct epoch_gen *g)
{
	free(g->order);
	free(g->scratch);
	g->order = g->scratch = NULL;
}

void
epoch_begin(struct epoch_gen *g)
{
	shuffle_u64(g->order, g->scratch, g->n, &g->rng);
	g->next = 0;
}

size_t
epoch_fill(struct epoch_gen *g, struct triplet *out, size_t max)
{
	const struct positives *p = g->pos;
	size_t k = 0;

	while (k < max && g->next < g->n) {
		uint64_t pair = g->order[g->next++];
		uint32_t u = (uint32_t)(pair >> 32);
		out[k].user = p->user_id[u];
		out[k].pos = p->item_id[(uint32_t)pair];
		out[k].neg = sampler_draw(g->sampler, &g->rng, u);
		k++;
	}
	return k;
}
