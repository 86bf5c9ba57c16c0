#include "sample/sampler.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "io/mem.h"
#include "io/parse.h"

static const char *const neg_mode_list[] = { "uniform", "unseen", "pop" };
const struct names neg_mode_names = NAMES_OF(neg_mode_list);

int
neg_mode_option(const char *opt, const char *s, enum neg_mode *mode, double *alpha,
    struct bpr_err *e)
{
	const char *why;
	char list[128];
	int i;

	*alpha = 1;
	if ((i = names_find(&neg_mode_names, s)) >= 0) {
		*mode = (enum neg_mode)i;
		return 0;
	}
	if (strncmp(s, "pop:", 4) == 0 && parse_double(s + 4, strlen(s + 4), alpha, &why) == 0 &&
	    *alpha >= 0 && *alpha <= 10) {
		*mode = NEG_POP;
		return 0;
	}
	return bpr_fail_usage(e, "%s %s: unknown mode (expected %s, or pop:ALPHA with ALPHA in 0..10)",
	    opt, s, names_list(&neg_mode_names, list, sizeof(list)));
}

void
neg_mode_format(enum neg_mode mode, double alpha, char *buf, size_t size)
{
	if (mode == NEG_POP)
		snprintf(buf, size, "pop:%g", alpha);
	else
		snprintf(buf, size, "%s", names_get(&neg_mode_names, mode));
}

int
alias_init(struct alias_table *t, const double *w, size_t n, struct bpr_err *e)
{
	uint32_t *small = mem_array(n, sizeof(*small), 0, "an alias table", e);
	uint32_t *large = mem_array(n, sizeof(*large), 0, "an alias table", e);
	double *q = mem_array(n, sizeof(*q), 0, "an alias table", e), sum = 0;
	size_t i, ns = 0, nl = 0;

	t->n = n;
	t->prob = mem_array(n, sizeof(*t->prob), 0, "an alias table", e);
	t->alias = mem_array(n, sizeof(*t->alias), 0, "an alias table", e);
	if (!small || !large || !q || !t->prob || !t->alias) {
		free(small);
		free(large);
		free(q);
		alias_free(t);
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
	/* Pair each light column with a heavy one that tops it up to 1. */
	while (ns > 0 && nl > 0) {
		uint32_t l = small[--ns], g = large[nl - 1];
		t->prob[l] = q[l];
		t->alias[l] = g;
		q[g] = (q[g] + q[l]) - 1;
		if (q[g] < 1) {
			nl--;
			small[ns++] = g;
		}
	}
	/* What is left is 1 up to rounding. */
	while (nl > 0) {
		nl--;
		t->prob[large[nl]] = 1;
		t->alias[large[nl]] = large[nl];
	}
	while (ns > 0) {
		ns--;
		t->prob[small[ns]] = 1;
		t->alias[small[ns]] = small[ns];
	}
	free(small);
	free(large);
	free(q);
	return 0;
}

void
alias_free(struct alias_table *t)
{
	free(t->prob);
	free(t->alias);
	t->prob = NULL;
	t->alias = NULL;
}

static int
init_pop(struct neg_sampler *s, struct bpr_err *e)
{
	const struct positives *p = s->pos;
	double *w;
	size_t i, npop = 0;
	int rc;

	s->pop_items = mem_array(p->nitems, sizeof(*s->pop_items), 0, "the sampler", e);
	w = mem_array(p->nitems, sizeof(*w), 0, "the sampler", e);
	if (s->pop_items == NULL || w == NULL) {
		free(w);
		return -1;
	}
	for (i = 0; i < p->nitems; i++) {
		if (p->item_count[i] > 0) {
			w[npop] = pow((double)p->item_count[i], s->alpha);
			s->pop_items[npop++] = (uint32_t)i;
		}
	}
	rc = alias_init(&s->pop, w, npop, e);
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
	if (mode == NEG_UNSEEN &&
	    (s->bitmap = mem_array(p->nitems / 64 + 1, sizeof(uint64_t), 1, "the sampler", e)) == NULL)
		return -1;
	return 0;
}

/*
 * The negatives, the seed and the positives, for epoch_gen_describe. The
 * positives are named by their counts and CRC, not their file's name: the
 * same data gives the same bytes from a file, a pipe or <(...).
 */
static void
sampler_describe(const struct neg_sampler *s, uint64_t seed, char *buf, size_t size)
{
	const struct positives *p = s->pos;
	char neg[32];

	neg_mode_format(s->mode, s->alpha, neg, sizeof(neg));
	snprintf(buf, size, "neg=%s seed=%llu rows=%zu positives=%zu users=%zu items=%zu "
	    "crc32=%08x", neg, (unsigned long long)seed, p->rows, p->npairs, p->nusers,
	    p->nitems, p->crc);
}

void
sampler_free(struct neg_sampler *s)
{
	alias_free(&s->pop);
	free(s->pop_items);
	free(s->bitmap);
	memset(s, 0, sizeof(*s));
}

int
sampler_user_ok(const struct neg_sampler *s, uint32_t u)
{
	const struct positives *p = s->pos;

	return s->mode != NEG_UNSEEN || p->start[u + 1] - p->start[u] < p->nitems;
}

/*
 * Negatives outside P, the k ascending universe indexes a user knows.
 * While P holds at most half the items, draw uniformly from the universe
 * and reject P's, testing a bitmap of P (`bits`, all zero, left so) that fits in L1 (at most two
 * draws expected); beyond that, pick the r-th item outside P directly.
 */
static void
draw_unseen(const struct neg_sampler *s, uint64_t *bits, const uint32_t *to, struct bpr_rng *rng,
    const uint32_t *P, uint32_t k, uint32_t *neg, size_t n)
{
	const struct positives *p = s->pos;
	uint32_t N = (uint32_t)p->nitems;
	uint32_t unseen = N - k, r, g, j;
	double spread = (double)k / unseen;
	size_t i;

	if (k <= N / 2) {
		for (j = 0; j < k; j++)
			bits[P[j] >> 6] |= (uint64_t)1 << (P[j] & 63);
		for (i = 0; i < n; i++) {
			do
				r = rng_below(rng, N);
			while (bits[r >> 6] >> (r & 63) & 1);
			neg[i] = to != NULL ? to[r] : r;
		}
		for (j = 0; j < k; j++)
			bits[P[j] >> 6] = 0;
		return;
	}
	for (i = 0; i < n; i++) {
		r = rng_below(rng, unseen);
		/* Where the answer would be if the positives were spread evenly. */
		g = (uint32_t)((double)r * spread);
		r = unseen_at(P, k, g < k ? g : k, r);
		neg[i] = to != NULL ? to[r] : r;
	}
}

/*
 * sampler_draw_user with the rejection bitmap given (one per thread), and
 * `to` mapping universe indexes to what is returned: the ids, or with
 * NULL the indexes themselves (but uniform negatives are always ids).
 */
static void
draw_user(const struct neg_sampler *s, uint64_t *bits, const uint32_t *to, struct bpr_rng *rng,
    uint32_t u, uint32_t *neg, size_t n)
{
	const struct positives *p = s->pos;
	size_t i;

	switch (s->mode) {
	case NEG_UNIFORM:
		for (i = 0; i < n; i++)
			neg[i] = rng_below(rng, p->max_item_id + 1);
		break;
	case NEG_POP:
		for (i = 0; i < n; i++)
			neg[i] = to != NULL ? to[s->pop_items[alias_draw(&s->pop, rng)]] :
			    s->pop_items[alias_draw(&s->pop, rng)];
		break;
	case NEG_UNSEEN:
		draw_unseen(s, bits, to, rng, p->items + p->start[u], p->start[u + 1] - p->start[u], neg, n);
		break;
	}
}

void
sampler_draw_user(const struct neg_sampler *s, struct bpr_rng *rng, uint32_t u,
    uint32_t *neg, size_t n)
{
	draw_user(s, s->bitmap, s->pos->item_id, rng, u, neg, n);
}

/* P and S, two ascending lists of universe indexes with nothing in common, merged. */
static uint32_t
merge_known(const uint32_t *P, uint32_t np, const uint32_t *S, uint32_t ns, uint32_t *out)
{
	uint32_t i = 0, j = 0, k = 0;

	while (i < np || j < ns)
		out[k++] = j == ns || (i < np && P[i] < S[j]) ? P[i++] : S[j++];
	return k;
}

static void
draw_seen(const struct neg_sampler *s, uint64_t *bits, const uint32_t *to, struct bpr_rng *rng,
    uint32_t u, uint32_t *scratch, uint32_t *neg, size_t n)
{
	const struct positives *p = s->pos;
	uint32_t k;

	if (s->mode != NEG_UNSEEN) {
		draw_user(s, bits, to, rng, u, neg, n);
		return;
	}
	k = merge_known(p->items + p->start[u], p->start[u + 1] - p->start[u],
	    p->seen + p->seen_start[u], p->seen_start[u + 1] - p->seen_start[u], scratch);
	draw_unseen(s, bits, to, rng, scratch, k, neg, n);
}

void
sampler_draw_seen(const struct neg_sampler *s, struct bpr_rng *rng, uint32_t u,
    uint32_t *scratch, uint32_t *neg, size_t n)
{
	draw_seen(s, s->bitmap, s->pos->item_id, rng, u, scratch, neg, n);
}

uint32_t
sampler_draw(const struct neg_sampler *s, struct bpr_rng *rng, uint32_t u)
{
	uint32_t neg;

	sampler_draw_user(s, rng, u, &neg, 1);
	return neg;
}

/*
 * Bucket count: about 32 Ki samples (384 KiB) per bucket so each fits in
 * L2, and few enough buckets that the scatter's streams stay in the TLB.
 */
static size_t
bucket_count(size_t n)
{
	size_t b = 1;

	while (b < 4096 && b * 32768 < n)
		b *= 2;
	return b;
}

/* Draws of the shuffle made ahead of their swap, so their slots are fetched meanwhile. */
#define SWAP_AHEAD 16

/*
 * Fisher-Yates from the end. The slot each step swaps with is drawn
 * SWAP_AHEAD steps early (the same draws in the same order) and fetched
 * then: a block larger than L2 would otherwise wait on memory at every
 * step.
 */
void
fisher_yates_samples(struct sample *a, size_t n, struct bpr_rng *rng)
{
	uint32_t ahead[SWAP_AHEAD];
	struct sample t;
	size_t i, j, k, at = 0;

	for (k = 0; k < SWAP_AHEAD && n > k + 1; k++) {
		ahead[k] = rng_below(rng, (uint32_t)(n - k));
		__builtin_prefetch(a + ahead[k], 1);
	}
	for (i = n; i > 1; i--) {
		j = ahead[at];
		if (i > SWAP_AHEAD + 1) {
			ahead[at] = rng_below(rng, (uint32_t)(i - SWAP_AHEAD));
			__builtin_prefetch(a + ahead[at], 1);
		}
		at = (at + 1) % SWAP_AHEAD;
		t = a[i - 1];
		a[i - 1] = a[j];
		a[j] = t;
	}
}

struct sample *
shuffle_samples(struct sample *a, struct sample *scratch, size_t n, struct bpr_rng *rng)
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
		scratch[fill[rng_below(&replay, (uint32_t)nb)]++] = a[i];
	for (b = 0; b < nb; b++)
		fisher_yates_samples(scratch + start[b], start[b + 1] - start[b], rng);
	return scratch;
}

/* The largest of a per-user count over the users, from its offsets. */
static size_t
most_per_user(const uint32_t *start, size_t nusers)
{
	size_t u, most = 0;

	for (u = 0; u < nusers; u++)
		if (start[u + 1] - start[u] > most)
			most = start[u + 1] - start[u];
	return most;
}

int
user_draw_init(struct user_draw *d, const struct neg_sampler *s, double seen_rate, int flags,
    struct bpr_err *e)
{
	int own_bitmap = flags & USER_DRAW_OWN_BITMAP;
	const struct positives *p = s->pos;
	size_t most_pos = most_per_user(p->start, p->nusers), most_seen = 0;

	memset(d, 0, sizeof(*d));
	d->sampler = s;
	d->seen_rate = p->seen != NULL ? seen_rate : 0;
	if (d->seen_rate > 0)
		most_seen = most_per_user(p->seen_start, p->nusers);
	d->negs = mem_array(most_pos > most_seen ? most_pos : most_seen, sizeof(*d->negs), 0,
	    "negatives", e);
	d->picked = mem_array(most_seen + 1, sizeof(*d->picked), 0, "negatives", e);
	d->known = mem_array(most_pos + most_seen + 1, sizeof(*d->known), 0, "negatives", e);
	d->bits = s->bitmap;
	d->to = flags & USER_DRAW_INDEXES ? NULL : p->item_id;
	if (own_bitmap && s->bitmap != NULL)
		d->own_bits = d->bits = mem_array(p->nitems / 64 + 1, sizeof(uint64_t), 1, "negatives", e);
	if (d->negs == NULL || d->picked == NULL || d->known == NULL ||
	    (own_bitmap && s->bitmap != NULL && d->own_bits == NULL)) {
		user_draw_free(d);
		return -1;
	}
	return 0;
}

void
user_draw_free(struct user_draw *d)
{
	free(d->negs);
	free(d->picked);
	free(d->known);
	free(d->own_bits);
	memset(d, 0, sizeof(*d));
}

/*
 * User u's seen items, each kept with probability seen_rate, with their
 * negatives, into out; returns how many.
 */
static size_t
draw_seen_samples(struct user_draw *d, struct bpr_rng *rng, uint32_t u, struct sample *out)
{
	const struct positives *p = d->sampler->pos;
	const uint32_t *S = p->seen + p->seen_start[u];
	uint32_t ns = p->seen_start[u + 1] - p->seen_start[u], np = p->start[u + 1] - p->start[u];
	uint32_t j, m = 0;

	for (j = 0; j < ns; j++)
		if (rng_double(rng) < d->seen_rate)
			d->picked[m++] = S[j];
	/*
	 * A user who knows every item (positives and seen items are disjoint)
	 * has no negative for them: none are added.
	 */
	if (m == 0 || np + ns >= p->nitems)
		return 0;
	draw_seen(d->sampler, d->bits, d->to, rng, u, d->known, d->negs, m);
	for (j = 0; j < m; j++) {
		out[j].user = u;
		out[j].item = d->picked[j];
		out[j].neg = d->negs[j];
	}
	return m;
}

size_t
user_draw_samples(struct user_draw *d, struct bpr_rng *rng, uint32_t u, struct sample *out)
{
	const struct positives *p = d->sampler->pos;
	uint32_t n = p->start[u + 1] - p->start[u], j;

	if (!sampler_user_ok(d->sampler, u))
		return 0;
	draw_user(d->sampler, d->bits, d->to, rng, u, d->negs, n);
	for (j = 0; j < n; j++) {
		out[j].user = u;
		out[j].item = p->items[p->start[u] + j];
		out[j].neg = d->negs[j];
	}
	return d->seen_rate > 0 ? n + draw_seen_samples(d, rng, u, out + n) : n;
}

size_t
user_draw_most(const struct positives *p, uint32_t u, double seen_rate)
{
	size_t n = p->start[u + 1] - p->start[u];

	return p->seen != NULL && seen_rate > 0 ? n + p->seen_start[u + 1] - p->seen_start[u] : n;
}

int
epoch_gen_init(struct epoch_gen *g, const struct positives *p,
    const struct neg_sampler *s, uint64_t seed, double seen_rate, struct bpr_err *e)
{
	size_t u;

	memset(g, 0, sizeof(*g));
	g->pos = p;
	g->sampler = s;
	rng_seed(&g->rng, seed, RNG_STREAM_SAMPLE, 0);
	for (u = 0; u < p->nusers; u++) {
		if (sampler_user_ok(s, (uint32_t)u)) {
			g->n += p->start[u + 1] - p->start[u];
			g->cap += user_draw_most(p, (uint32_t)u, seen_rate);
		} else {
			g->skipped_users++;
			g->skipped_pairs += p->start[u + 1] - p->start[u];
		}
	}
	if (g->n == 0)
		return bpr_fail(e, "no user has an item left to draw a negative from");
	if (user_draw_init(&g->draw, s, seen_rate, 0, e) < 0)
		return -1;
	g->cur = mem_array(g->cap, sizeof(*g->cur), 0, "an epoch of triplets", e);
	g->scratch = mem_array(g->cap, sizeof(*g->scratch), 0, "an epoch of triplets", e);
	if (g->cur == NULL || g->scratch == NULL) {
		epoch_gen_free(g);
		return -1;
	}
	return 0;
}

void
epoch_gen_free(struct epoch_gen *g)
{
	free(g->cur);
	free(g->scratch);
	g->cur = g->scratch = NULL;
	user_draw_free(&g->draw);
}

void
epoch_gen_describe(const struct epoch_gen *g, uint64_t seed, char *buf, size_t size)
{
	const struct positives *p = g->pos;
	size_t len;

	sampler_describe(g->sampler, seed, buf, size);
	len = strlen(buf);
	if (p->seen != NULL && len < size)
		snprintf(buf + len, size - len, " seen_rows=%zu seen_pairs=%zu seen_rate=%g "
		    "seen_crc32=%08x", p->seen_rows, p->nseen, g->draw.seen_rate, p->seen_crc);
}

void
epoch_begin(struct epoch_gen *g)
{
	const struct positives *p = g->pos;
	struct sample *shuffled;
	size_t k = 0;
	uint32_t u;

	for (u = 0; u < p->nusers; u++)
		k += user_draw_samples(&g->draw, &g->rng, u, g->cur + k);
	g->n = k;
	shuffled = shuffle_samples(g->cur, g->scratch, g->n, &g->rng);
	g->scratch = g->cur;
	g->cur = shuffled;
	g->next = 0;
}

size_t
epoch_fill(struct epoch_gen *g, struct triplet *out, size_t max)
{
	const struct positives *p = g->pos;
	size_t k;

	for (k = 0; k < max && g->next < g->n; k++, g->next++) {
		out[k].user = p->user_id[g->cur[g->next].user];
		out[k].pos = p->item_id[g->cur[g->next].item];
		out[k].neg = g->cur[g->next].neg;
	}
	return k;
}
