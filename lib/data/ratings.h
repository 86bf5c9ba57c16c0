/*
 * MovieLens ratings in every layout GroupLens has published, detected from
 * the first line: ml-100k u.data (TAB), ml-1m/ml-10m ratings.dat ("::"),
 * ml-20m/ml-25m/ml-latest ratings.csv (CSV, header row, half stars).
 * Every row is user, item, rating, timestamp.
 */
#ifndef BPR_RATINGS_H
#define BPR_RATINGS_H

#include <stdint.h>

#include "io/csvrec.h"
#include "io/err.h"
#include "io/input.h"
#include "io/text.h"

enum ratings_layout { LAYOUT_AUTO, LAYOUT_TAB, LAYOUT_DAT, LAYOUT_CSV };

struct rating_row {
	uint32_t user, item;
	double rating;
	int64_t timestamp;
};

struct ratings_reader {
	struct bpr_input *in;
	enum ratings_layout layout;
	struct csv_records csv;
	double min_rating, max_rating;	/* the valid range of ratings */
	long line;			/* line of the last row returned */
	long blank_lines;		/* skipped */
	int header_checked;
};

/* Parse "tab", "dat" or "csv" (and "auto"); -1 if unknown. */
extern const struct names ratings_layout_names;	/* in enum ratings_layout's order */

/* Start reading; LAYOUT_AUTO detects the layout from the first line. */
int ratings_open(struct ratings_reader *r, struct bpr_input *in,
    enum ratings_layout layout, double min_rating, double max_rating,
    struct bpr_err *e);
/* Next row: 1 with a row, 0 at the end, -1 on error. */
int ratings_next(struct ratings_reader *r, struct rating_row *row,
    struct bpr_err *e);
void ratings_close(struct ratings_reader *r);

#endif
