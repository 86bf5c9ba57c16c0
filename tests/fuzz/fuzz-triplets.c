/* Triplet streams, binary and TSV, every epoch to the end. */
#include "fuzz.h"
#include "sample/triplets.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct triplet buf[64];
	struct triplet_reader r;
	struct bpr_input *in;
	struct bpr_err e;
	size_t got;
	int rc, rounds = 0;

	if ((in = input_from_bytes("fuzz", data, size, &e)) == NULL)
		return 0;
	if (triplets_open(&r, in, &e) == 0) {
		do
			rc = triplets_read(&r, buf, 64, &got, &e);
		while (rc > 0 && ++rounds < 100000);
		triplets_close(&r);
	}
	input_close(in);
	return 0;
}
