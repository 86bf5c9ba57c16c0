/* Partial evaluations (auc --shard), read and, when all parse, merged. */
#include <string.h>

#include "eval/partial.h"
#include "fuzz.h"

#define MAX_PARTS 4

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const names[MAX_PARTS] = { "p0", "p1", "p2", "p3" };
	struct partial p[MAX_PARTS], merged;
	struct bpr_input *in;
	struct bpr_err e;
	size_t n = 0, from = 0, to;

	/* NUL bytes separate the partials. */
	while (n < MAX_PARTS && from <= size) {
		const uint8_t *nul = memchr(data + from, 0, size - from);
		to = nul ? (size_t)(nul - data) : size;
		if ((in = input_from_bytes(names[n], data + from, to - from, &e)) == NULL)
			break;
		if (partial_read(in, &p[n], &e) < 0) {
			input_close(in);
			break;
		}
		input_close(in);
		n++;
		from = to + 1;
	}
	if (n > 0 && (n == MAX_PARTS || from > size) &&
	    partial_merge(p, n, names, &merged, &e) == 0)
		partial_free(&merged);
	while (n > 0)
		partial_free(&p[--n]);
	return 0;
}
