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
/* The projector's file names, for checking them against a run's other files. */
extern const char *const export_projector_files[];
#define EXPORT_PROJECTOR_FILES 7

#endif
