/*
 * Train/test splits of a ratings table, by the schemes GroupLens used to
 * make ua/ub (allbut) and u1..u5 (fold), and the usual random and
 * temporal ones. The split is decided on the rows as read; then later
 * duplicates of a (user, item) pair and rows below the minimum rating
 * are dropped, so a split never depends on --min-rating.
 */
#ifndef BPR_SPLIT_H
#define BPR_SPLIT_H

#include <stddef.h>
#include <stdint.h>

#include "data/ratings.h"
#include "io/err.h"
#include "io/text.h"

struct rating_table {
	uint32_t *user, *item;
	double *rating;
	int64_t *timestamp;
	size_t n, cap;
};

int ratings_table_push(struct rating_table *t, const struct rating_row *row,
    struct bpr_err *e);
/* Room for n rows in all, so a large file does not grow the table by copying. */
int ratings_table_reserve(struct rating_table *t, size_t n, struct bpr_err *e);
void ratings_table_free(struct rating_table *t);

enum split_scheme {
	SPLIT_ALLBUT,		/* per user, ratings number lo..hi (input order, or
				   a random one when the input is in item order) */
	SPLIT_FOLD,		/* the fold-th of `folds` sequential slices */
	SPLIT_RANDOM,		/* exactly round(fraction * n) rows at random */
	SPLIT_LEAVE_OUT,	/* per user, `count` rows at random */
	SPLIT_TEMPORAL,		/* per user the last `count`, or ts >= time_cut */
	SPLIT_NONE,		/* rows arrive already marked train or test */
};

struct split_options {
	enum split_scheme scheme;
	uint32_t range_lo, range_hi;
	unsigned fold, folds;
	double fraction;
	uint32_t count;
	int use_time_cut;
	int64_t time_cut;
	uint64_t seed;
	double min_rating;
};

/* What happens to each row. */
enum { ROW_TRAIN, ROW_TEST, ROW_DUPLICATE, ROW_BELOW_MIN };

struct split_stats {
	size_t users, items, rows;
	size_t train, test, duplicates, below_min;
	int allbut_shuffled;	/* the input was in item order: allbut drew an order */
};

extern const struct names split_scheme_names;	/* in enum split_scheme's order */

/*
 * Decide every row's fate in dest[0..t->n). For SPLIT_NONE dest must
 * arrive holding ROW_TRAIN or ROW_TEST.
 */
int split_rows(const struct rating_table *t, const struct split_options *o,
    uint8_t *dest, struct split_stats *stats, struct bpr_err *e);

#endif
