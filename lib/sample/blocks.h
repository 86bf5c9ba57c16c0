/*
 * Epochs drawn a block of users at a time, by whichever thread is about
 * to train the block: every positive of the block's users once with a
 * fresh negative (and seen items as epoch_begin adds them), in a fresh
 * random order within the block, the blocks in a fresh random order each
 * epoch. That is the distribution of triplet-sample's epochs as the
 * blocked schedule regroups them, but the draws are the block's own: a
 * stream from (seed, epoch, block), so the triplets do not depend on
 * which thread draws a block, or when. Users are cut into blocks in an
 * order drawn once from the seed: at most `per` users, and at most
 * max_triplets triplets unless one user has more; BLOCK_TRIPLETS fit in
 * L2 twice over (as drawn, and as the rows trained). Random members
 * mix the heavy users with the rest: in ascending id, a block of the
 * synthetic 25M set's first users held a handful of users, and
 * consecutive triplets of one user wait on each other's update of its
 * row (an epoch took 1.3 times as long). Blocks of even size keep the threads busy to
 * the end of an epoch (activity is skewed: the first 2,048 users of the
 * synthetic 25M set hold 36% of its positives) and keep each block's
 * shuffle in cache.
 */
#ifndef BPR_BLOCKS_H
#define BPR_BLOCKS_H

#include <stddef.h>
#include <stdint.h>

#include "data/positives.h"
#include "io/err.h"
#include "sample/sampler.h"

struct user_blocks {
	const struct positives *pos;
	double seen_rate;
	uint64_t seed;
	uint32_t *users;	/* [nusers]: the users in the order blocks are cut */
	uint32_t *first;	/* [count + 1]: block k holds users[first[k]..first[k + 1]) */
	size_t count;		/* blocks */
	size_t most_block;	/* the most triplets one block can give */
	size_t most_epoch;	/* the most an epoch can give */
	size_t positives;	/* an epoch's triplets for positives (the rest: seen items) */
	uint32_t *order;	/* the current epoch's blocks, in training order */
	uint32_t epoch;		/* epochs begun */
};

int user_blocks_init(struct user_blocks *b, const struct positives *p, const struct neg_sampler *s,
    uint64_t seed, double seen_rate, uint32_t per, size_t max_triplets, struct bpr_err *e);
#define BLOCK_TRIPLETS 32768	/* max_triplets for blocks that fit in L2 twice over */
void user_blocks_free(struct user_blocks *b);
/* The next epoch: a fresh order of the blocks. */
void user_blocks_begin(struct user_blocks *b);
/*
 * The k-th block of the current epoch, drawn with d's room into out
 * (room for most_block): its triplets, shuffled; returns how many.
 */
size_t user_blocks_draw(const struct user_blocks *b, struct user_draw *d, size_t k,
    struct sample *out);

#endif
