/* The three ratings layouts (u.data, ratings.dat, ratings.csv) and the split. */
#include <string.h>

#include "fuzz.h"
#include "data/ratings.h"
#include "data/split.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct split_options o = { .scheme = SPLIT_ALLBUT, .range_lo = 1, .range_hi = 2,
	    .folds = 5, .fold = 1, .count = 1, .seed = 1 };
	struct rating_table t = { 0 };
	struct ratings_reader r;
	struct rating_row row;
	struct split_stats st;
	struct bpr_input *in;
	struct bpr_err e;
	uint8_t *dest;
	int scheme;

	if ((in = input_from_bytes("fuzz", data, size, &e)) == NULL)
		return 0;
	if (ratings_open(&r, in, LAYOUT_AUTO, 0.5, 5, &e) == 0) {
		while (ratings_next(&r, &row, &e) > 0 && ratings_table_push(&t, &row, &e) == 0)
			;
		ratings_close(&r);
	}
	input_close(in);
	if (t.n > 0 && (dest = calloc(t.n, 1)) != NULL) {
		for (scheme = SPLIT_ALLBUT; scheme <= SPLIT_TEMPORAL; scheme++) {
			o.scheme = (enum split_scheme)scheme;
			o.fraction = 0.3;
			split_rows(&t, &o, dest, &st, &e);
		}
		free(dest);
	}
	ratings_table_free(&t);
	return 0;
}
