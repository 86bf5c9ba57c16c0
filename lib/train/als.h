/*
 * Implicit-feedback alternating least squares (iALS; Hu, Koren and
 * Volinsky 2008), with the unobserved weight and the frequency-scaled L2
 * of Rendle et al. 2022. For user vectors w and item vectors h it
 * minimises
 *
 *   sum over positives (u, i) of (w_u.h_i - 1)^2
 *   + alpha0 * sum over every user and item of (w_u.h_i)^2
 *   + lambda * sum_u (|I_u| + alpha0 |I|) |w_u|^2
 *   + lambda * sum_i (|U_i| + alpha0 |U|) |h_i|^2
 *
 * by solving for all users with the items fixed, then for all items with
 * the users fixed (a sweep). The all-pairs term costs one d x d Gram
 * matrix a half-sweep, so a sweep is O(nnz d^2 + (users + items) d^3)
 * solved exactly (Cholesky), or O(nnz d + (users + items) d^2) a step of
 * conjugate gradient started from the current vector.
 */
#ifndef BPR_ALS_H
#define BPR_ALS_H

#include <stdint.h>

#include "data/positives.h"
#include "io/err.h"
#include "model/model.h"
#include "train/fit.h"

/* The most tags a tag part takes: a row's values are the vector's and one a tag. */
#define ALS_MAX_TAGS 256

struct als_config {
	uint32_t dim;
	double alpha0;		/* weight of every user-item pair's score^2 */
	double lambda;		/* L2, scaled by each row's count as above */
	uint32_t sweeps;
	uint32_t cg_steps;	/* 0: exact solves */
	float init_scale;	/* initial values uniform in +-init_scale */
	uint64_t seed;
	int threads;
	uint32_t eval_every;	/* test and validation every N sweeps */
	uint32_t patience;	/* stop after N evaluations without gain; 0 off */
	/*
	 * The item tags (a model's catalogue; NULL, none or TAGS_OFF: no
	 * tag part): each item's vector is followed by tag_weight on each
	 * of its tags (TAGS_SUM), or that over their count (TAGS_MEAN),
	 * held fixed, and each user's by as many values solved with the
	 * rest.
	 */
	const struct bpr_model *tags;
	enum tag_mode tag_mode;
	float tag_weight;
};

/*
 * A model of train's users and universe items (its rows made here),
 * trained by c; test and valid (may be NULL) are measured as bpr-train
 * measures them, and events (FIT_EPOCH a sweep) go to hook. With patience
 * and valid, the model is the best validation sweep's.
 */
struct bpr_model *als_fit(const struct positives *train, const struct positives *test,
    const struct positives *valid, const struct als_config *c, fit_hook hook, void *ctx,
    struct bpr_err *e);

#endif
