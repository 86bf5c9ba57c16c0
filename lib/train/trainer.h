/*
 * Training: mini-batches of (user, positive, negative) row triplets.
 * As Keras does, every gradient of a batch is taken at the parameters the
 * batch started with, averaged over the batch, and then applied by the
 * optimiser. Threads (Hogwild) split each epoch into fixed contiguous
 * parts and update the shared tables without locks; with one thread the
 * result is exactly reproducible.
 */
#ifndef BPR_TRAINER_H
#define BPR_TRAINER_H

#include <stddef.h>
#include <stdint.h>

#include "data/positives.h"
#include "io/err.h"
#include "io/text.h"
#include "model/model.h"
#include "train/losses.h"

enum opt_kind {
	OPT_SGD,
	OPT_ADAGRAD,
	OPT_ADAM,		/* Keras: every parameter moves every step */
	OPT_LAZYADAM,		/* only the rows of the batch move */
	OPT_ADAM_DENSE,		/* OPT_ADAM computed literally, for checking */
	OPT_ROWADAGRAD,		/* Adagrad with one sum of squares a row */
};

struct train_config {
	int loss;		/* a row of losses[] (train/losses.h) */
	enum opt_kind opt;
	float lr;
	float l2[4];		/* per table: user, item, tag, bias */
	float beta1, beta2, eps;
	uint32_t batch;
	int threads;
	uint32_t hard;		/* negatives: the best-scoring of this many draws */
	uint32_t max_sampled;	/* WARP: draws before giving up on a positive */
	uint64_t seed;		/* the trainer's own draws (hard negatives, WARP) */
};

struct row_triplet {
	uint32_t u, p, n;	/* model rows */
};

extern const struct names opt_names;	/* in enum opt_kind's order */
/* Moments an optimiser keeps per parameter (for model_enable_state). */
int opt_moments(enum opt_kind k);
/* True for the optimisers whose rule depends on the step number (the Adams). */
static inline int
opt_counts_steps(enum opt_kind k)
{
	return k == OPT_ADAM || k == OPT_LAZYADAM || k == OPT_ADAM_DENSE;
}
/*
 * True when the trainer draws negatives of its own besides the triplet's
 * (the best of --hard K, or a sampled loss's draws): they must not be one
 * of the user's positives (trainer_set_positives).
 */
int trainer_draws_negatives(const struct train_config *c);

struct trainer;

int trainer_init(struct trainer **t, struct bpr_model *m, const struct train_config *c,
    struct bpr_err *e);
/*
 * The users' positives (data set ids), for negatives the trainer draws
 * itself (hard negatives, WARP): never one of the user's positives. Call
 * again when the model has grown.
 */
int trainer_set_positives(struct trainer *t, const struct positives *p, struct bpr_err *e);
void trainer_free(struct trainer *t);
/*
 * One pass over n triplets; *loss receives their mean loss. Fails if the
 * loss or a parameter stops being finite: such a model must not be saved.
 */
int trainer_run(struct trainer *t, const struct row_triplet *trip, size_t n, double *loss,
    struct bpr_err *e);
/*
 * Block k of an epoch, drawn by worker `thread` (0..threads-1) into room
 * of that worker's own: its triplets in *out, their count returned.
 */
typedef size_t (*block_fill_fn)(void *ctx, int thread, size_t k, const struct row_triplet **out);
/*
 * One pass over `count` blocks that the workers draw themselves as they
 * go (fill), each worker taking the next block not yet taken; at most
 * `most` triplets in all. *n receives how many there were, *loss their
 * mean loss. With one thread the blocks go in order 0..count-1.
 */
int trainer_run_blocks(struct trainer *t, size_t count, size_t most, block_fill_fn fill,
    void *ctx, size_t *n, double *loss, struct bpr_err *e);
/* Bring every row up to the current step (Keras Adam moves rows lazily). */
void trainer_flush(struct trainer *t);
/*
 * Change the learning rate from the next step on (a schedule). Keras Adam
 * rows are first brought up to date at the old rate, so the lazy rule
 * stays exact.
 */
void trainer_set_lr(struct trainer *t, float lr);

#endif
