#include "eval/score_many.h"

#include <stdlib.h>
#include <string.h>

#define SCORE_NAME score_users_baseline
#define TALLY_NAME tally_baseline
#include "eval/score_many_kernel.h"

int
kernels_reference(void)
{
	const char *ref = getenv("BPRTOOLS_REFERENCE");

	return ref != NULL && *ref != '\0' && strcmp(ref, "0") != 0;
}

int
kernels_avx2(void)
{
	if (kernels_reference())
		return 0;
#if defined(__x86_64__)
	__builtin_cpu_init();
	return __builtin_cpu_supports("avx2");
#else
	return 0;
#endif
}

score_fn
score_kernel(void)
{
	return kernels_avx2() ? score_users_avx2 : score_users_baseline;
}

tally_fn
tally_kernel(void)
{
	return kernels_avx2() ? tally_avx2 : tally_baseline;
}

void
score_users(score_fn kernel, const float *const *users, int nu, const float *items,
    const float *bias, size_t n, size_t width, float *out)
{
	size_t tile = SCORE_TILE_BYTES / (width * sizeof(float)), c, len;
	int u, nb;

	if (tile < 16)
		tile = 16;
	for (c = 0; c < n; c += len) {
		len = n - c < tile ? n - c : tile;
		for (u = 0; u < nu; u += nb) {
			nb = nu - u < SCORE_BLOCK ? nu - u : SCORE_BLOCK;
			kernel(users + u, nb, items + c * width, bias != NULL ? bias + c : NULL, len,
			    width, out + (size_t)u * n + c, n);
		}
	}
}
