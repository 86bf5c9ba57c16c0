/*
 * Negative sampling and epochs of (user, positive, negative) triplets,
 * shared by triplet-sample and bpr-train --train so both draw the same
 * triplets from the same seed.
 *
 * Modes:
 *   uniform    any id 0..max item id, the notebook's way: it may draw a
 *              positive of the user, or an id no item has (such as 0)
 *   unseen     an item of the universe the user has no positive for,
 *              every such item equally likely
 *   pop:ALPHA  an item of the universe with probability proportional to
 *              (its positives)^ALPHA; items without positives never
 */
#ifndef BPR_SAMPLER_H
#define BPR_SAMPLER_H

#include <stddef.h>
#include <stdint.h>

#include "data/positives.h"
#include "data/rng.h"
#include "io/err.h"
#include "io/text.h"
#include "sample/triplets.h"

/*
 * Walker's alias method: O(1) draws from any discrete distribution of n
 * weights. Built in double with a fixed order of operations, so the
 * draws are the same on every platform.
 */
struct alias_table {
	double *prob;
	uint32_t *alias;
	size_t n;
};

int alias_init(struct alias_table *t, const double *w, size_t n, struct bpr_err *e);
void alias_free(struct alias_table *t);

static inline uint32_t
alias_draw(const struct alias_table *t, struct bpr_rng *rng)
{
	uint32_t k = rng_below(rng, (uint32_t)t->n);

	return rng_double(rng) < t->prob[k] ? k : t->alias[k];
}

enum neg_mode { NEG_UNIFORM, NEG_UNSEEN, NEG_POP };

struct neg_sampler {
	enum neg_mode mode;
	double alpha;
	const struct positives *pos;
	struct alias_table pop;		/* pop: over pop_items */
	uint32_t *pop_items;		/* pop: universe indexes with a positive */
	uint64_t *bitmap;		/* unseen: one user's positives, kept all zero */
};

/* The modes' names, in enum neg_mode's order; pop takes a weight too (pop:ALPHA). */
extern const struct names neg_mode_names;
/* "uniform", "unseen", "pop" or "pop:ALPHA" as an option's value; a usage error naming opt. */
int neg_mode_option(const char *opt, const char *s, enum neg_mode *mode, double *alpha,
    struct bpr_err *e);
/* Canonical text of a mode ("pop:0.75"), for metadata. */
void neg_mode_format(enum neg_mode mode, double alpha, char *buf, size_t size);

int sampler_init(struct neg_sampler *s, const struct positives *p, enum neg_mode mode,
    double alpha, struct bpr_err *e);
void sampler_free(struct neg_sampler *s);

/* True when user index u can have a negative under this mode. */
int sampler_user_ok(const struct neg_sampler *s, uint32_t u);

/*
 * The rank-r item the user has no positive for: with P the user's k
 * positives (sorted universe indexes), P[j] - j counts the non-positives
 * before P[j], so the answer is r + (the first j with P[j] - j > r).
 * The search starts where j would be if the positives were spread evenly
 * and gallops from there: a few probes near one cache line instead of a
 * binary search over a long list. Same answer as any correct search.
 */
static inline uint32_t
unseen_at(const uint32_t *P, uint32_t k, uint32_t guess, uint32_t r)
{
	uint32_t lo, hi, step = 1, mid;

	if (guess < k && P[guess] - guess <= r) {
		lo = hi = guess + 1;
		while (hi < k && P[hi] - hi <= r) {
			lo = hi + 1;
			step <<= 1;
			hi = k - lo > step ? lo + step : k;
		}
	} else {
		lo = hi = guess;
		while (lo > 0 && P[lo - 1] - (lo - 1) > r) {
			hi = lo - 1;
			step <<= 1;
			lo = hi > step ? hi - step : 0;
		}
	}
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (P[mid] - mid <= r)
			lo = mid + 1;
		else
			hi = mid;
	}
	return r + lo;
}

/*
 * n negatives for user index u's seen items: as sampler_draw_user, but in
 * unseen mode an item the user has neither as a positive nor as seen;
 * scratch has room for the user's positives and seen items together.
 */
void sampler_draw_seen(const struct neg_sampler *s, struct bpr_rng *rng, uint32_t u,
    uint32_t *scratch, uint32_t *neg, size_t n);

/* One negative item id for user index u. */
uint32_t sampler_draw(const struct neg_sampler *s, struct bpr_rng *rng, uint32_t u);
/* n negatives for user index u, the same as n calls of sampler_draw. */
void sampler_draw_user(const struct neg_sampler *s, struct bpr_rng *rng, uint32_t u,
    uint32_t *neg, size_t n);

/* How epochs are drawn: the negatives' mode, the seed, the seen items' rate. */
struct sampling {
	enum neg_mode neg;
	double alpha;
	uint64_t seed;
	double seen_rate;
};

#define SEEN_RATE_DEFAULT 0.3	/* make sweep's choice */

/* One triplet of an epoch, as indexes into the positives. */
struct sample {
	uint32_t user;		/* user index */
	uint32_t item;		/* universe index of the positive */
	uint32_t neg;		/* negative item id */
};

/*
 * One thread's room for drawing users' triplets: the negatives, the seen
 * items picked, and the rejection bitmap, its own with
 * USER_DRAW_OWN_BITMAP (threads drawing at once), else the sampler's.
 * With USER_DRAW_INDEXES negatives are universe indexes, not ids (but
 * uniform negatives, any id, stay ids).
 */
struct user_draw {
	const struct neg_sampler *sampler;
	double seen_rate;		/* 0 without seen items */
	uint64_t *bits, *own_bits;
	const uint32_t *to;		/* universe index -> what a negative is; NULL: itself */
	uint32_t *negs, *picked, *known;
};

enum { USER_DRAW_OWN_BITMAP = 1, USER_DRAW_INDEXES = 2 };

int user_draw_init(struct user_draw *d, const struct neg_sampler *s, double seen_rate, int flags,
    struct bpr_err *e);
void user_draw_free(struct user_draw *d);
/*
 * User index u's triplets of one epoch, into out: each positive with a
 * fresh negative, then each seen item kept (seen_rate) with one; none
 * for a user who cannot have a negative. Returns how many.
 */
size_t user_draw_samples(struct user_draw *d, struct bpr_rng *rng, uint32_t u, struct sample *out);
/* The most triplets user_draw_samples can give user u. */
size_t user_draw_most(const struct positives *p, uint32_t u, double seen_rate);

/*
 * Epochs: every distinct positive once, in a fresh uniformly random order,
 * each with a freshly drawn negative; and, when the positives carry seen
 * items, each seen item with probability seen_rate, as a positive against
 * a negative the user has neither liked nor seen (in unseen mode): having
 * seen an item says something about the user even when they disliked it. The negatives are drawn a user at a
 * time, while that user's positives are in cache, and the finished
 * triplets are then shuffled, which gives the same distribution as
 * drawing them in shuffled order at a fraction of the cost. Users for
 * whom no negative exists (unseen mode, a user who has every item) are
 * skipped and counted.
 */
struct epoch_gen {
	const struct positives *pos;
	const struct neg_sampler *sampler;
	struct bpr_rng rng;
	struct sample *cur, *scratch;
	struct user_draw draw;		/* room for one user's draws */
	size_t n, next;			/* triplets of the current epoch; the next one */
	size_t cap;			/* the most an epoch can hold */
	size_t skipped_users, skipped_pairs;
};

int epoch_gen_init(struct epoch_gen *g, const struct positives *p,
    const struct neg_sampler *s, uint64_t seed, double seen_rate, struct bpr_err *e);
void epoch_gen_free(struct epoch_gen *g);
/* Draw and shuffle a new epoch. */
void epoch_begin(struct epoch_gen *g);
/* Up to max triplets (data set ids) of the current epoch; 0 when it is over. */
size_t epoch_fill(struct epoch_gen *g, struct triplet *out, size_t max);
/* Triplets in the current epoch (with seen items, it varies). */
static inline size_t
epoch_size(const struct epoch_gen *g)
{
	return g->n;
}
/*
 * How the triplets are made, for the metadata of streams and models: the
 * same text whether triplet-sample or bpr-train --train samples them
 * (negatives, seed, the positives' counts and CRC, and the seen items'
 * pairs, rate and CRC), and the same from a file or a pipe.
 */
void epoch_gen_describe(const struct epoch_gen *g, uint64_t seed, char *buf, size_t size);

/* a[0..n) in a uniformly random order, in place (for what fits in the cache). */
void fisher_yates_samples(struct sample *a, size_t n, struct bpr_rng *rng);

/*
 * Uniform shuffle (Rao-Sandelius): scatter to random buckets small enough
 * for the cache, then Fisher-Yates each bucket. The result is in scratch
 * (returned); a is left scrambled.
 */
struct sample *shuffle_samples(struct sample *a, struct sample *scratch, size_t n,
    struct bpr_rng *rng);

#endif
