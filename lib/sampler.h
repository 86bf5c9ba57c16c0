/*
 * Negative sampling and epochs of (user, positive, negative) triplets,
 * shared by triplet-sample and bpr-train --train so both draw the same
 * triplets from the same seed.
 *
 * Modes:
 *   uniform    any id 0..max item id, the notebook's way: it may draw a
 *              positive of the user, or an id no item has (such as 0)
 *   unseen     an item of the universe the user has no positive for,
 *              every such item equally likely (exact, no rejection loop)
 *   pop:ALPHA  an item of the universe with probability proportional to
 *              (its positives)^ALPHA; items without positives never
 */
#ifndef BPR_SAMPLER_H
#define BPR_SAMPLER_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "positives.h"
#include "rng.h"

enum neg_mode { NEG_UNIFORM, NEG_UNSEEN, NEG_POP };

struct neg_sampler {
	enum neg_mode mode;
	double alpha;
	const struct positives *pos;
	double *alias_prob;	/* pop: Walker's alias table */
	uint32_t *alias;
	uint32_t *pop_items;	/* pop: universe indexes with a positive */
	size_t npop;
};

/* "uniform", "unseen", "pop" or "pop:ALPHA"; -1 if malformed. */
int neg_mode_parse(const char *s, enum neg_mode *mode, double *alpha);
/* Canonical text of a mode ("pop:0.75"), for metadata. */
void neg_mode_format(enum neg_mode mode, double alpha, char *buf, size_t size);

int sampler_init(struct neg_sampler *s, const struct positives *p, enum neg_mode mode,
    double alpha, struct bpr_err *e);
void sampler_free(struct neg_sampler *s);

/* True when user index u can have a negative under this mode. */
int sampler_user_ok(const struct neg_sampler *s, uint32_t u);

/* One negative item id for user index u. */
static inline uint32_t
sampler_draw(const struct neg_sampler *s, struct bpr_rng *rng, uint32_t u)
{
	const struct positives *p = s->pos;

	if (s->mode == NEG_UNIFORM)
		return rng_below(rng, p->max_item_id + 1);
	if (s->mode == NEG_POP) {
		uint32_t k = rng_below(rng, (uint32_t)s->npop);
		if (rng_double(rng) >= s->alias_prob[k])
			k = s->alias[k];
		return p->item_id[s->pop_items[k]];
	} else {
		/*
		 * The r-th universe index that is not a positive: P[j] - j counts
		 * the non-positives before P[j], so binary-search the first j
		 * with P[j] - j > r; the answer is r + j.
		 */
		const uint32_t *P = p->items + p->start[u];
		uint32_t k = p->start[u + 1] - p->start[u];
		uint32_t r = rng_below(rng, (uint32_t)p->nitems - k), lo = 0, hi = k;
		while (lo < hi) {
			uint32_t mid = (lo + hi) / 2;
			if (P[mid] - mid <= r)
				lo = mid + 1;
			else
				hi = mid;
		}
		return p->item_id[r + lo];
	}
}

struct triplet {
	uint32_t user, pos, neg;
};

/*
 * Epochs: every distinct positive once, in a fresh uniformly random order,
 * each with a freshly drawn negative. Users for whom no negative exists
 * (unseen mode, a user who has every item) are skipped and counted.
 */
struct epoch_gen {
	const struct positives *pos;
	const struct neg_sampler *sampler;
	struct bpr_rng rng;
	uint64_t *order, *scratch;	/* (user index << 32 | item index) */
	size_t n, next;
	size_t skipped_users, skipped_pairs;
};

int epoch_gen_init(struct epoch_gen *g, const struct positives *p,
    const struct neg_sampler *s, uint64_t seed, struct bpr_err *e);
void epoch_gen_free(struct epoch_gen *g);
/* Shuffle for a new epoch. */
void epoch_begin(struct epoch_gen *g);
/* Up to max triplets of the current epoch; 0 when it is over. */
size_t epoch_fill(struct epoch_gen *g, struct triplet *out, size_t max);
/* Triplets per epoch. */
static inline size_t
epoch_size(const struct epoch_gen *g)
{
	return g->n;
}

/* Uniform shuffle of n keys (Rao-Sandelius: scatter to buckets, shuffle each). */
void shuffle_u64(uint64_t *keys, uint64_t *scratch, size_t n, struct bpr_rng *rng);

#endif
