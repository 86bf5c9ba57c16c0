/*
 * The hybrid ranking model of the notebook: a user vector of dim
 * item_dim + tag_dim; an item's vector is its own embedding (item_dim)
 * followed by the mean of its tags' embeddings (tag_dim); the score is
 * their dot product, plus an optional item bias.
 *
 * Rows are created for users and items the first time they are seen, with
 * initial values that depend only on (seed, table, id): the same model
 * comes out whatever order rows are created in. Files store rows sorted by
 * id.
 */
#ifndef BPR_MODEL_H
#define BPR_MODEL_H

#include <stddef.h>
#include <stdint.h>

#include "data/idmap.h"
#include "io/err.h"
#include "model/vec.h"

/* How an item's tags make its tag part. */
enum tag_mode {
	TAGS_MEAN,		/* mean of its tags' embeddings; zero without tags */
	TAGS_SUM,		/* their sum */
	TAGS_OFF,		/* no tag part: pure matrix factorisation */
	TAGS_PADDED_MEAN,	/* the notebook: lists padded with tag 0 to the
				   longest, and the padding averaged in */
};

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
};

const char *tag_mode_name(enum tag_mode m);
int tag_mode_parse(const char *s, enum tag_mode *m);

/*
 * An empty model. moments: 0 none, 1 one (Adagrad), 2 two (Adam);
 * with_last: per-row step counters for Keras-exact Adam; row_state: one
 * float a row (row-wise Adagrad).
 */
int model_init(struct bpr_model *m, uint32_t item_dim, uint32_t tag_dim,
    enum tag_mode mode, int use_bias, uint64_t seed, float init_scale,
    struct bpr_err *e);
int model_enable_state(struct bpr_model *m, int moments, int with_last, int row_state,
    struct bpr_err *e);
void model_free(struct bpr_model *m);

/*
 * The catalogue of item tags, (item << 32 | tag) keys; must come before
 * the first item row. ntags is the largest tag id + 1.
 */
int model_set_catalogue(struct bpr_model *m, uint64_t *pairs, size_t n, struct bpr_err *e);

/* Row of an id, creating and initialising it if new; -1 on failure. */
int64_t model_user_row(struct bpr_model *m, uint32_t id, struct bpr_err *e);
int64_t model_item_row(struct bpr_model *m, uint32_t id, struct bpr_err *e);

/* The row of item id in model m (a const struct bpr_model *), or -1: for positives_item_map. */
int64_t model_item_find(const void *m, uint32_t id);

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

/*
 * Composed item vectors (item part then tag part, ipad + tpad floats a
 * row, 64-byte aligned) for scoring many users; free() the result.
 */
float *model_compose_items(const struct bpr_model *m, struct bpr_err *e);

/* The catalogue's tags of item id (model or not); 0 when it has none. */
size_t model_catalogue_tags(const struct bpr_model *m, uint32_t id, const uint32_t **tags);
/*
 * A row for every catalogue item that has none, so that the model's items
 * are the catalogue: trained items draw them as negatives too.
 */
int model_add_catalogue_rows(struct bpr_model *m, struct bpr_err *e);
/* The catalogue's items that have no row: never trained, scored by tags alone. */
size_t model_catalogue_unrowed(const struct bpr_model *m);
/*
 * The composed vector (ipad + tpad floats) of an item that has only the
 * given tags, combined by the model's tag mode: a new item.
 */
int model_cold_vector(const struct bpr_model *m, const uint32_t *tags, size_t n, float *out,
    struct bpr_err *e);
/*
 * Item id's composed vector and bias: its row's, or, for an item the
 * model has no row for, its tags' from the catalogue (zero without tags).
 * Returns 1 for a row, 0 for a cold item, -1 on error.
 */
int model_item_vector(const struct bpr_model *m, uint32_t id, float *out, float *bias,
    struct bpr_err *e);

/* A deep copy (for keeping the best epoch's model). */
int model_clone(struct bpr_model *dst, const struct bpr_model *src, struct bpr_err *e);

/*
 * Save (rows sorted by id) and load. The meta text is saved as set, with
 * the lines epochs= and step= brought up to date.
 */
int model_save(const struct bpr_model *m, const char *path, struct bpr_err *e);
int model_load(struct bpr_model *m, const char *path, struct bpr_err *e);
/* The same from bytes in memory (name for messages). */
int model_load_bytes(struct bpr_model *m, const void *bytes, size_t n, const char *name,
    struct bpr_err *e);

/* Value of key in the meta text ("" if absent), copied into buf. */
const char *model_meta(const struct bpr_model *m, const char *key, char *buf, size_t size);
/* Replace the meta text. */
int model_set_meta(struct bpr_model *m, const char *text, struct bpr_err *e);
/* Set the keys of updates' key=value lines in the meta text, keeping the others. */
int model_update_meta(struct bpr_model *m, const char *updates, struct bpr_err *e);

/* True when every parameter is finite (a diverged run is not saved). */
int model_finite(const struct bpr_model *m);

/* Parameters in use (real values, not padding). */
uint64_t model_param_count(const struct param_table *t);

#endif
