/*
 * The model's insides, for the library's kernels (scoring, training,
 * evaluation) and the model module itself: the tables, their padding and
 * optimiser state, and the inline score of a (user, item) pair. Tools use
 * model/model.h, where the model is opaque.
 */
#ifndef BPR_MODEL_IMPL_H
#define BPR_MODEL_IMPL_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "data/idmap.h"
#include "io/err.h"
#include "model/model.h"
#include "model/vec.h"

/* Parameters and their optimiser state. */
struct param_table {
	float *w;		/* rows x stride, 64-byte aligned, zero padding */
	float *m, *v;		/* moments (Adam), or v the sum of squares (Adagrad) */
	float *rv;		/* one sum of squares a row (row-wise Adagrad) */
	uint64_t *last;		/* Adam: the step each row is up to date with */
	size_t rows, cap, stride;
	int nseg;		/* the real values: up to two segments of a row */
	size_t seg_off[2], seg_len[2];
	uint32_t init_stream;
	int has_m, has_v, has_rv;
};

struct bpr_model {
	uint32_t item_dim, tag_dim;
	size_t ipad, tpad;		/* padded widths of the two parts */
	enum tag_mode tag_mode;
	int use_bias;
	float init_scale;		/* initial values uniform in +-init_scale */
	uint64_t seed;
	struct param_table user, item, tag, bias;
	struct idmap user_rows, item_rows;	/* id -> row; .ids is row -> id */
	/* tags of each item row */
	uint32_t *tag_start;		/* item rows + 1 */
	uint32_t *tag_list;
	float *tag_scale;		/* 1/n for a mean, 1 for a sum */
	size_t tag_list_len, tag_list_cap, tag_rows_cap;
	/* the catalogue rows take their tags from: item id -> tag ids */
	struct idmap cat_items;
	uint32_t *cat_start, *cat_tags;
	size_t cat_len;
	uint32_t ntags, pad_len;
	/* optimiser steps taken, and epochs trained */
	uint64_t step;
	uint32_t epochs;
	char *meta;			/* key=value lines describing the run */
	uint32_t file_crc;		/* loaded: the file's header CRC and size */
	uint64_t file_bytes;
};

/* An empty model in place (model_new's work); model_clear undoes it. */
int model_init(struct bpr_model *m, uint32_t item_dim, uint32_t tag_dim,
    enum tag_mode mode, int use_bias, uint64_t seed, float init_scale,
    struct bpr_err *e);
/* Free what a model holds, not the struct itself. */
void model_clear(struct bpr_model *m);
/*
 * Optimiser state. moments: 0 none, 1 one (Adagrad), 2 two (Adam);
 * with_last: per-row step counters for Keras-exact Adam; row_state: one
 * float a row (row-wise Adagrad).
 */
int model_enable_state(struct bpr_model *m, int moments, int with_last, int row_state,
    struct bpr_err *e);
/* A deep copy into dst (for keeping the best epoch's model). */
int model_clone(struct bpr_model *dst, const struct bpr_model *src, struct bpr_err *e);
/* True when every parameter is within +-MODEL_MAX_VALUE (a diverged run is not saved). */
int model_in_range(const struct bpr_model *m);

/* Within the model module: rows, tag lists, meta numbers. */
int model_table_reserve(struct param_table *t, size_t need, struct bpr_err *e);
/* Room in table t for exactly `more` rows beyond those it has (no spare: a loaded table's size is known). */
int model_table_room(struct param_table *t, size_t more, struct bpr_err *e);
int model_add_row(struct bpr_model *m, struct param_table *t, uint32_t id, uint64_t step,
    struct bpr_err *e);
int model_add_item_tags(struct bpr_model *m, size_t i, uint32_t id, struct bpr_err *e);
char *model_current_meta(const struct bpr_model *m, struct bpr_err *e);
int model_meta_number(const struct bpr_model *m, const char *key, double *out);
int model_meta_count(const struct bpr_model *m, const char *key, uint64_t max, uint64_t *out);

VEC_INLINE float *
model_row(const struct param_table *t, size_t row)
{
	return t->w + row * t->stride;
}

/* The tag part of item row i into out[0..tpad): mean (or sum) of its tags. */
VEC_INLINE void
model_tag_part(const struct bpr_model *m, size_t i, float *out)
{
	uint32_t k = m->tag_start[i], end = m->tag_start[i + 1];

	if (k == end) {
		memset(out, 0, m->tpad * sizeof(float));
		return;
	}
	/* 0 + 1 * x, the bits of adding to a zeroed row, without the memset */
	vec_zero_axpy(out, 1.0f, model_row(&m->tag, m->tag_list[k]), m->tpad);
	for (k++; k < end; k++)
		vec_axpy(out, 1.0f, model_row(&m->tag, m->tag_list[k]), m->tpad);
	if (m->tag_scale[i] != 1.0f)
		vec_scale_to(out, m->tag_scale[i], out, m->tpad);
}

/* Score of user row u and item row i, whose tag part is tagpart. */
VEC_INLINE float
model_score(const struct bpr_model *m, size_t u, size_t i, const float *tagpart)
{
	const float *uw = model_row(&m->user, u);
	vec16 acc = { { 0 }, { 0 } };

	vec_dot_acc(&acc, uw, model_row(&m->item, i), m->ipad);
	vec_dot_acc(&acc, uw + m->ipad, tagpart, m->tpad);
	return vec_sum(&acc) + (m->use_bias ? m->bias.w[i] : 0.0f);
}

#endif
