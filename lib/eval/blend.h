/*
 * Rank blending: several models rank the same candidates, and each
 * candidate's blended score is minus the weighted mean of its rank in each
 * model (1 the best; tied scores share their mean rank). Ranks, not
 * scores, are averaged, so models of any scale mix; a model blended with
 * itself ranks exactly as it does alone.
 *
 * The candidates are a list of item ids; a model without a row for one
 * scores it by its tags alone, or 0. A user a model lacks is ranked by
 * the others; one that no model has is not ranked.
 */
#ifndef BPR_BLEND_H
#define BPR_BLEND_H

#include <stddef.h>
#include <stdint.h>

#include "eval/score_many.h"
#include "eval/topk.h"
#include "io/err.h"
#include "model/model.h"

#define BLEND_MAX 16

struct blend_part {
	const struct bpr_model *m;
	double weight;
	struct score_items cand;	/* the candidates' vectors and biases, packed */
};

struct blend {
	struct blend_part part[BLEND_MAX];
	size_t nparts, ncand;
	uint32_t *ids;		/* [ncand] the candidates, ascending */
	size_t cold;		/* candidates that some model has no row for */
};

/* Scratch for one thread's blend_user. */
struct blend_scratch {
	float *score;
	struct scored *pairs;
	double *sum;
};

/*
 * The blend of nparts models, weights equal when weight is NULL (else
 * none below 0, and some above: a usage error otherwise). Its
 * candidates, ascending: list (when given, ascending), else every id
 * 0..the largest of the models' items, the list's and max_id (all_ids),
 * else the first model's items.
 */
int blend_open(struct blend *b, const struct bpr_model *const *m, const double *weight,
    size_t nparts, int all_ids, const uint32_t *list, size_t nlist, uint32_t max_id,
    struct bpr_err *e);
void blend_close(struct blend *b);
/*
 * The weights as text, each to 17 digits that read back exactly, joined
 * by commas (equal ones: all 1): what tells one blend of the same models
 * from another.
 */
void blend_weights_text(const struct blend *b, char *buf, size_t size);
#define BLEND_WEIGHTS_TEXT (BLEND_MAX * 26)	/* room for it: 24 characters and a comma a weight */
/* "rank blend of A + B", and " (weights ...)" when weighted, for paths[] of the models. */
void blend_describe(const struct blend *b, const char *const *paths, int weighted, char *buf,
    size_t size);
int blend_scratch_alloc(struct blend_scratch *s, size_t ncand, struct bpr_err *e);
void blend_scratch_free(struct blend_scratch *s);
/*
 * The blended scores of user id's candidates into out[0..ncand); returns
 * how many of the models of weight above 0 have the user (0: out untouched).
 */
size_t blend_user(const struct blend *b, uint32_t id, float *out, struct blend_scratch *s);

#endif
