/* CSV through libcsv (and the quote-free fast path), as movies.csv is read. */
#include "data/catalog.h"
#include "io/csvrec.h"
#include "fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct csv_records c;
	struct catalog cat;
	struct bpr_input *in;
	struct bpr_err e;
	size_t i, total = 0;

	if ((in = input_from_bytes("fuzz", data, size, &e)) == NULL)
		return 0;
	if (csvrec_init(&c, in, &e) == 0) {
		while (csvrec_next(&c, &e) > 0)
			for (i = 0; i < c.nfields; i++)
				total += c.field[i].len;
		csvrec_free(&c);
	}
	input_close(in);
	if ((in = input_from_bytes("fuzz", data, size, &e)) == NULL)
		return 0;
	if (catalog_read(&cat, in, CATALOG_CSV, NULL, &e) == 0)
		catalog_free(&cat);
	input_close(in);
	return total == (size_t)-1;
}
