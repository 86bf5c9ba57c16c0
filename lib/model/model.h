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
 *
 * Outside lib/ the model is opaque: its tables are reached through the
 * functions below (rows of a table, the vector of an id, ids in order).
 * The library's kernels see its fields through model/model_impl.h.
 */
#ifndef BPR_MODEL_H
#define BPR_MODEL_H

#include <stddef.h>
#include <stdint.h>

#include "io/err.h"
#include "io/input.h"
#include "io/text.h"

/* How an item's tags make its tag part. */
enum tag_mode {
	TAGS_MEAN,		/* mean of its tags' embeddings; zero without tags */
	TAGS_SUM,		/* their sum */
	TAGS_OFF,		/* no tag part: pure matrix factorisation */
	TAGS_PADDED_MEAN,	/* the notebook: lists padded with tag 0 to the
				   longest, and the padding averaged in */
};

extern const struct names tag_mode_names;	/* in enum tag_mode's order */

struct bpr_model;

/* The model's tables, for the functions that reach into one. */
enum model_table { MODEL_USERS, MODEL_ITEMS, MODEL_TAGS, MODEL_BIASES };

/* The largest item-dim and tag-dim, as trained and as read from a file. */
#define MODEL_MAX_DIM 4096

/*
 * The largest magnitude of a model's value (user, item, tag, bias) and of
 * an item's tag scale. No training comes near it, and it keeps every score
 * finite: 2 * 4096 products of a user's value (1e6) and an item's (at most
 * 1e6 times 1e6 for each of its tags, under 2^32 of them) are below 4e31,
 * where a crafted file of finite values could otherwise overflow to an
 * infinity or a NaN, and a NaN score would drop its item unseen.
 */
#define MODEL_MAX_VALUE 1e6f

/* What a model is: its dimensions and how it combines tags. */
struct model_shape {
	uint32_t item_dim, tag_dim;
	enum tag_mode tag_mode;
	int use_bias;
	uint32_t ntags;		/* tag ids 0..ntags-1 */
};

/* A new empty model; NULL with e set on failure. */
struct bpr_model *model_new(uint32_t item_dim, uint32_t tag_dim, enum tag_mode mode,
    int use_bias, uint64_t seed, float init_scale, struct bpr_err *e);
/* Free a model and everything it holds; NULL is fine. */
void model_free(struct bpr_model *m);

/*
 * Save (rows sorted by id, atomically) and load. The meta text is saved
 * as set, with the lines epochs= and step= brought up to date. Loading
 * checks every byte and number of the file (bpr-formats(5)).
 */
int model_save(const struct bpr_model *m, const char *path, struct bpr_err *e);
struct bpr_model *model_load(const char *path, struct bpr_err *e);
/* The same from bytes in memory (name for messages). */
struct bpr_model *model_load_bytes(const void *bytes, size_t n, const char *name,
    struct bpr_err *e);

/*
 * What identifies the file a model was loaded from: the CRC32 of its
 * header, which covers every table's CRC, and its size (0 and 0 for a
 * model made in memory).
 */
void model_file_id(const struct bpr_model *m, uint32_t *crc, uint64_t *bytes);

/* The model's shape, the rows of a table, its parameters in use. */
void model_get_shape(const struct bpr_model *m, struct model_shape *s);
size_t model_rows(const struct bpr_model *m, enum model_table t);
uint64_t model_param_count(const struct bpr_model *m, enum model_table t);
/* The epochs trained; the optimiser steps taken in *steps, unless NULL. */
uint32_t model_progress(const struct bpr_model *m, uint64_t *steps);

/*
 * Like Keras' model.summary(): a line a table (its rows, dimension and
 * parameters), the total, and what an item's vector is made of; lines
 * start with two spaces. Returns the length, as snprintf does.
 */
size_t model_summary(const struct bpr_model *m, char *buf, size_t size);

/* The ids of a table's rows in increasing order (tags: 0..rows-1); free() them. */
uint32_t *model_ids(const struct bpr_model *m, enum model_table t, size_t *n, struct bpr_err *e);
/*
 * How many values model_vector writes for a row of t: users item_dim +
 * tag_dim, items the same (the composed vector: embedding, then tag
 * part), tags tag_dim, biases 1.
 */
size_t model_vector_size(const struct bpr_model *m, enum model_table t);
/* The vector of id in table t into out; 1, or 0 when the table has no such row. */
int model_vector(const struct bpr_model *m, enum model_table t, uint32_t id, float *out);

/* The score of user uid for item iid: 0, or -1 for an unknown user, -2 an unknown item. */
int model_pair_score(const struct bpr_model *m, uint32_t uid, uint32_t iid, float *score);
/* Floats of a composed item vector as model_cold_vector writes it (padded). */
size_t model_composed_size(const struct bpr_model *m);
/* The score of user uid for a composed item vector (no bias): 0, or -1 for an unknown user. */
int model_user_score(const struct bpr_model *m, uint32_t uid, const float *composed, float *score);

/*
 * The catalogue of item tags, (item << 32 | tag) keys; must come before
 * the first item row. ntags is the largest tag id + 1.
 */
int model_set_catalogue(struct bpr_model *m, uint64_t *pairs, size_t n, struct bpr_err *e);
/* src's catalogue as dst's (the same conditions). */
int model_copy_catalogue(struct bpr_model *dst, const struct bpr_model *src, struct bpr_err *e);
/* The same from item<TAB>tag lines (ml-genres); *crc receives their CRC32. */
int model_read_catalogue(struct bpr_model *m, struct bpr_input *in, uint32_t *crc,
    struct bpr_err *e);
/* The catalogue's items, ascending, and how many. */
const uint32_t *model_catalogue_items(const struct bpr_model *m, size_t *n);
/* The catalogue's tags of item id (model or not); 0 when it has none. */
size_t model_catalogue_tags(const struct bpr_model *m, uint32_t id, const uint32_t **tags);
/*
 * A row for every catalogue item that has none, so that the model's items
 * are the catalogue: trained items draw them as negatives too.
 */
int model_add_catalogue_rows(struct bpr_model *m, struct bpr_err *e);

/*
 * Room, exactly, for a row of each of ids[0..n) (ids 0..n-1 when ids is
 * NULL) that the model has none for yet: a caller that knows its ids
 * ahead adds them without the table growing by doubling, each time a
 * copy of all rows so far.
 */
int model_room_for_users(struct bpr_model *m, const uint32_t *ids, size_t n, struct bpr_err *e);
int model_room_for_items(struct bpr_model *m, const uint32_t *ids, size_t n, struct bpr_err *e);
/* Row of an id, creating and initialising it if new; -1 on failure. */
int64_t model_user_row(struct bpr_model *m, uint32_t id, struct bpr_err *e);
int64_t model_item_row(struct bpr_model *m, uint32_t id, struct bpr_err *e);
/* The row of item id in model m (a const struct bpr_model *), or -1: for positives_item_map. */
int64_t model_item_find(const void *m, uint32_t id);

/*
 * Composed item vectors (item part then tag part, model_composed_size
 * floats a row, 64-byte aligned, in row order) for scoring many users;
 * free() the result.
 */
float *model_compose_items(const struct bpr_model *m, struct bpr_err *e);
/*
 * The composed vector (model_composed_size floats) of an item that has
 * only the given tags, combined by the model's tag mode: a new item.
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

/* Value of key in the meta text ("" if absent), copied into buf. */
const char *model_meta(const struct bpr_model *m, const char *key, char *buf, size_t size);
/* Replace the meta text. */
int model_set_meta(struct bpr_model *m, const char *text, struct bpr_err *e);
/* Set the keys of updates' key=value lines in the meta text, keeping the others. */
int model_update_meta(struct bpr_model *m, const char *updates, struct bpr_err *e);

#endif
