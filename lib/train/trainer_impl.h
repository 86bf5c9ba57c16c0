/*
 * What the trainer's two halves share: the setup and bookkeeping in
 * trainer.c, and the hot loops in trainer_kernel.h, which trainer.c,
 * trainer_avx2.c and trainer_avx512.c each compile (for the baseline,
 * AVX2 and AVX-512).
 */
#ifndef BPR_TRAINER_IMPL_H
#define BPR_TRAINER_IMPL_H

#include <stddef.h>
#include <stdint.h>

#include "data/rng.h"
#include "model/model_impl.h"
#include "model/vec.h"
#include "train/trainer.h"

enum { T_USER, T_ITEM, T_TAG, T_BIAS, NTABLES };

#define POW_TABLE 4096		/* beta1^k and c^k are 0 in float beyond this */
#define F_HORIZON 800		/* terms of the catch-up series that matter */
#define PREFETCH_AHEAD 8	/* triplets: enough to overlap the rows' cache misses */
#define HARD_AHEAD_MAX 16	/* hard negatives drawn ahead of use */
/*
 * Rows are fetched ahead only for a model larger than this. On a 1 MB
 * model (ml-100k) the rows are in cache already and the prefetches were
 * an eighth of the instructions for no gain; on the 5M set (dim 64) they
 * made an epoch of the defaults about twice as fast.
 */
#define PREFETCH_MIN_BYTES ((size_t)4 << 20)

/* The batch gradient of one table: slots for the rows the batch touches. */
struct grad {
	int32_t *slot_of;	/* row -> slot, -1 when untouched */
	size_t slot_cap;
	uint32_t *rows;		/* slot -> row */
	float *g;		/* slots x stride */
	size_t n, cap, stride;
};

/*
 * One training thread's state, a cache line of its own: its fields are
 * written at every triplet (the loss, the step count), and another
 * worker's on the same line would bounce it between the cores.
 */
struct worker {
	_Alignas(64) struct trainer *t;
	int index;
	struct grad grad[NTABLES];
	float *tag_k;		/* tag parts: the positive's, and two negatives' */
	float *tag_p, *tag_n;	/* the positive's and the chosen negative's, in tag_k */
	struct bpr_rng rng;
	const struct row_triplet *trip;
	size_t n;
	uint64_t steps;		/* steps this run (sgd, adagrad) */
	uint32_t ahead[HARD_AHEAD_MAX];	/* hard negatives drawn ahead */
	unsigned ahead_head, ahead_n;
	double loss;
};

/* trainer_run_blocks: blocks drawn by the workers, the next one taken by whoever is free. */
struct block_jobs {
	block_fill_fn fill;
	void *ctx;
	size_t count, next, triplets;
};

struct trainer {
	struct bpr_model *m;
	struct block_jobs blocks;
	struct train_config c;
	struct worker *w;
	/* each user row's positives as sorted item rows, for drawn negatives */
	uint32_t *pos_start, *pos_rows;
	size_t pos_users;
	/* WARP: L(r) = 1 + 1/2 + ... + 1/r, for every rank r < item rows */
	float *warp_weight;
	size_t warp_cap;
	/* Keras Adam: F(t) = sum_j>=1 lr_{t+j} c^j, c = beta1/sqrt(beta2) */
	double *F;
	size_t F_cap;
	double c_pow[POW_TABLE], b1_pow[POW_TABLE], b2_pow[POW_TABLE];
	int reference;		/* BPRTOOLS_REFERENCE: the plain batch code, baseline ISA */
	size_t real[NTABLES];	/* each table's real_width, for row-wise Adagrad */
	float keep[NTABLES];	/* each table's shrink, 1 - lr * l2, as step_row takes it */
	int prefetch;		/* fetch rows ahead: the model exceeds PREFETCH_MIN_BYTES */
};

/* The step size of Keras' Adam at step t >= 1, bias corrections included. */
double adam_lr(const struct train_config *c, uint64_t step);

/* The parameter tables in the order of the gradients: user, item, tag, bias. */
VEC_INLINE struct param_table *
trainer_table(struct bpr_model *m, int k)
{
	struct param_table *tables[NTABLES] = { &m->user, &m->item, &m->tag, &m->bias };

	return tables[k];
}

/* The values of a row that are not padding. */
VEC_INLINE size_t
real_width(const struct param_table *tb)
{
	return tb->seg_len[0] + (tb->nseg > 1 ? tb->seg_len[1] : 0);
}

/* The loop of one worker thread: baseline x86-64, AVX2 and AVX-512. */
void *train_work_baseline(void *arg);
void *train_work_avx2(void *arg);
void *train_work_avx512(void *arg);

#endif
