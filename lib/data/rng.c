#include "data/rng.h"

void
rng_seed(struct bpr_rng *r, uint64_t seed, uint64_t stream, uint64_t sub)
{
	uint64_t x = seed;
	int i;

	/* Mix the three words so that nearby seeds and streams decorrelate. */
	x = rng_splitmix(&x) ^ (stream * 0xd1b54a32d192ed03ULL);
	x = rng_splitmix(&x) ^ (sub * 0x8cb92ba72f3d8dd7ULL);
	for (i = 0; i < 4; i++)
		r->s[i] = rng_splitmix(&x);
	if ((r->s[0] | r->s[1] | r->s[2] | r->s[3]) == 0)
		r->s[0] = 1;	/* the all-zero state is a fixed point */
}

void
rng_permutation(struct bpr_rng *r, uint32_t *a, size_t n)
{
	uint32_t j, k, t;

	for (j = 0; j < n; j++)
		a[j] = j;
	for (j = (uint32_t)n; j > 1; j--) {
		k = rng_below(r, j);
		t = a[j - 1];
		a[j - 1] = a[k];
		a[k] = t;
	}
}
