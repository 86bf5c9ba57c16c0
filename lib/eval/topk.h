/*
 * The k best of a stream of scored candidates, with a bounded heap:
 * O(n log k), no sort of all n scores. Ties rank the lower index first,
 * so every ranking is deterministic.
 */
#ifndef BPR_TOPK_H
#define BPR_TOPK_H

#include <stddef.h>
#include <stdint.h>

struct scored {
	float score;
	uint32_t index;
};

struct topk {
	struct scored *heap;	/* room for k */
	size_t n, k;
};

/* True when a ranks below b: lower score, or equal score and larger index. */
static inline int
ranks_below(const struct scored *a, const struct scored *b)
{
	return a->score < b->score || (a->score == b->score && a->index > b->index);
}

void topk_reset(struct topk *t, struct scored *heap, size_t k);
void topk_offer(struct topk *t, float score, uint32_t index);
/*
 * Offer score[0..n), the candidates first + i, in order, leaving out NaNs
 * and (skip non-NULL) those with skip[i] set: the same offers as a loop
 * over all n, with a vectorised pass skipping the blocks of 64 that
 * cannot enter the list.
 */
void topk_offer_scores(struct topk *t, const float *score, size_t n, const uint8_t *skip,
    size_t first);
/* Sort what was kept, best first; returns how many. */
size_t topk_sorted(struct topk *t);

/*
 * A user's candidates left out of its ranking (what it already has),
 * ascending, reached in order as its scores come a block of candidates
 * at a time: each block's left-out scores become NaN, which no ranking
 * counts.
 */
struct left_out {
	uint32_t *c;
	size_t n, cap, next;	/* next: the first not yet reached */
};

int left_out_add(struct left_out *l, uint32_t c);
/* Sorted, and back to the first candidate. */
void left_out_ready(struct left_out *l);
/* NaN the scores of those among candidates first .. first + n - 1. */
void left_out_blank(struct left_out *l, float *score, size_t first, size_t n);
void left_out_free(struct left_out *l);

#endif
