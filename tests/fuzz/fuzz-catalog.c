/* Item catalogues: u.item (with u.genre), movies.dat, movies.csv, detected. */
#include <string.h>

#include "data/catalog.h"
#include "fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *split = memchr(data, 0, size);
	size_t head = split ? (size_t)(split - data) : size;
	struct bpr_input *in, *genres = NULL;
	struct catalog c;
	struct bpr_err e;

	/* Before a NUL byte: the catalogue; after it: u.genre. */
	if ((in = input_from_bytes("fuzz", data, head, &e)) == NULL)
		return 0;
	if (split != NULL)
		genres = input_from_bytes("genres", split + 1, size - head - 1, &e);
	if (catalog_read(&c, in, CATALOG_AUTO, genres, &e) == 0)
		catalog_free(&c);
	input_close(in);
	input_close(genres);
	return 0;
}
