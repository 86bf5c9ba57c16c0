/*
 * A model's vectors and maps for other tools: TSV dumps of a table, the
 * items' 2-D map and its tag directions, and the files of TensorBoard's
 * Embedding Projector. Rows come in id order; values with nine
 * significant digits (they read back as the same floats), map
 * coordinates with six decimals.
 */
#ifndef BPR_EXPORT_H
#define BPR_EXPORT_H

#include "eval/query.h"
#include "eval/shard.h"
#include "io/err.h"
#include "io/output.h"
#include "model/model.h"

/*
 * Table t, a row a line: the id first when with_id, then the values (items
 * as composed for scoring: embedding, then tag part); with bias_column and
 * item biases, users end in a 1 and items in their bias, so that a score
 * is the dot product of two rows.
 */
int export_vectors(struct bpr_output *o, const struct bpr_model *m, enum model_table t,
    int with_id, int bias_column, struct bpr_err *e);
/*
 * The map: id<TAB>x<TAB>y<TAB>tag<TAB>name<TAB>title a line per item
 * (titles and vocab may be NULL), or id<TAB>dx<TAB>dy<TAB>name a line per
 * tag (the direction in which the tag moves an item).
 */
int export_map_items(struct bpr_output *o, const struct bpr_model *m, const struct titles *titles,
    const struct titles *vocab, struct bpr_err *e);
int export_map_tags(struct bpr_output *o, const struct bpr_model *m, const struct titles *vocab,
    struct bpr_err *e);
/*
 * The Embedding Projector's files in dir (made if missing): items.tsv,
 * users.tsv, tags.tsv (with a tag part), their -meta.tsv and
 * projector_config.pbtxt.
 */
int export_projector(const char *dir, const struct bpr_model *m, const struct titles *titles,
    const struct titles *vocab, struct bpr_err *e);
/*
 * A query's answers, a line each: query<TAB>rank<TAB>id<TAB>score, and
 * the id's title when titles is given; scores as the shortest text that
 * reads back as the same float.
 */
void export_ranked(struct bpr_output *o, const char *query, const struct ranked *r, size_t n,
    const struct titles *titles);
/*
 * user<TAB>item lines in, user<TAB>item<TAB>score out, a line at a time;
 * the lines of users outside shard s are read and passed over.
 */
int export_pair_scores(struct bpr_output *o, const struct bpr_model *m, struct bpr_input *in,
    const struct shard *s,
    struct bpr_err *e);
/*
 * A new item of the given tags, named in the lines by its tags joined by
 * commas: for each of the users, user<TAB>TAGS<TAB>score; or, with top >
 * 0, the top users who would like it most, as export_ranked writes them.
 */
int export_cold_item(struct bpr_output *o, const struct bpr_model *m, const uint32_t *tags,
    size_t ntags, const uint32_t *users, size_t nusers, uint32_t top, struct bpr_err *e);
/* The projector's file names, for checking them against a run's other files. */
extern const char *const export_projector_files[];
#define EXPORT_PROJECTOR_FILES 7

#endif
