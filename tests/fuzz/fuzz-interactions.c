/*
 * Interactions (user<TAB>item) into positives, the second half of the
 * bytes as their seen items, and an epoch drawn from them.
 */
#include "fuzz.h"
#include "data/positives.h"
#include "sample/sampler.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct triplet buf[256];
	struct neg_sampler s;
	struct epoch_gen g;
	struct positives p;
	struct bpr_input *in, *seen;
	struct bpr_err e;
	int mode;

	if ((in = input_from_bytes("fuzz", data, size, &e)) == NULL)
		return 0;
	if ((seen = input_from_bytes("seen", data + size / 2, size - size / 2, &e)) == NULL) {
		input_close(in);
		return 0;
	}
	if (positives_read_seen(&p, in, NULL, seen, &e) == 0) {
		/* ids near 2^31 would make the uniform range huge but harmless */
		for (mode = NEG_UNIFORM; mode <= NEG_POP && p.npairs < 100000; mode++) {
			if (sampler_init(&s, &p, (enum neg_mode)mode, 0.75, &e) < 0)
				continue;
			if (epoch_gen_init(&g, &p, &s, 1, 0.5, &e) == 0) {
				epoch_begin(&g);
				while (epoch_fill(&g, buf, 256) > 0)
					;
				epoch_gen_free(&g);
			}
			sampler_free(&s);
		}
		positives_free(&p);
	}
	input_close(in);
	input_close(seen);
	return 0;
}
