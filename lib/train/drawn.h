/*
 * bpr-train --train on the blocked schedule: each training thread draws
 * the blocks of users it trains (sample/blocks.h) and maps them to model
 * rows through tables made once. An epoch is never gathered, shuffled
 * and regrouped as a whole between epochs, which on two cores left both
 * idle for a third of the time; its sampling now runs on the threads
 * that train it, a block at a time, while the block is in cache.
 */
#ifndef BPR_DRAWN_H
#define BPR_DRAWN_H

#include <stddef.h>
#include <stdint.h>

#include "io/err.h"
#include "model/model.h"
#include "sample/blocks.h"
#include "sample/source.h"
#include "train/trainer.h"

struct drawn_room;

struct drawn_epochs {
	struct user_blocks blocks;
	int32_t *user_row;	/* positives' user index -> model row */
	int32_t *item_row;	/* universe index -> model row */
	int32_t *id_row;	/* uniform negatives: item id 0..max_item_id -> model row */
	const int32_t *neg_row;	/* a drawn negative -> model row: item_row, or id_row (uniform) */
	size_t named_words;	/* of each thread's bitmap of the negatives drawn */
	struct drawn_room *room;	/* one a thread */
	int threads;
};

/*
 * False for uniform negatives over ids too sparse for a table by id and
 * a row each; such epochs are drawn whole.
 */
int drawn_epochs_fit(const struct sampled_epochs *src);
/*
 * Set up the blocks of `per` users, and give the model a row for every
 * user with a triplet (in the blocks' order of users) and every item a
 * triplet can name, by ascending id (with --neg unseen the whole
 * universe, uniform every id 0..max, pop the items with positives and
 * the seen items).
 */
int drawn_epochs_init(struct drawn_epochs *d, struct bpr_model *m, const struct sampled_epochs *src,
    uint32_t per, int threads, struct bpr_err *e);
void drawn_epochs_free(struct drawn_epochs *d);
/* Set named[row] for every item row a triplet has named so far. */
void drawn_epochs_named(const struct drawn_epochs *d, unsigned char *named);
/* Triplets an epoch is expected to hold (the seen items' share drawn at their rate). */
size_t drawn_epochs_expected(const struct drawn_epochs *d);
/* trainer_run_blocks' fill: block k of the current epoch as model rows. */
size_t drawn_epochs_fill(void *ctx, int thread, size_t k, const struct row_triplet **out);

#endif
