/*
 * The scoring loop, included by scoring.c (any x86-64) and scoring_avx2.c
 * (-mavx2), each defining SCORE_NAME.
 */
#ifndef SCORE_NAME
#error "define SCORE_NAME before including score_kernel.h"
#endif

#include "scoring.h"
#include "vec.h"

/* Up to four users against one candidate: its chunks are loaded once. */
VEC_INLINE void
score_candidate(const float *const *users, int nu, const float *item, size_t width,
    float *sums)
{
	vec16 acc[SCORE_BLOCK] = { { { 0 }, { 0 } } };
	vec8 lo, hi;
	size_t i;
	int u;

	for (i = 0; i < width; i += VEC_LANES) {
		lo = vec8_at(item + i);
		hi = vec8_at(item + i + 8);
		for (u = 0; u < SCORE_BLOCK; u++) {
			if (u < nu) {
				acc[u].lo += vec8_at(users[u] + i) * lo;
				acc[u].hi += vec8_at(users[u] + i + 8) * hi;
			}
		}
	}
	for (u = 0; u < nu; u++)
		sums[u] = vec_sum(&acc[u]);
}

void
SCORE_NAME(const float *const *users, int nu, const float *items, const float *bias,
    size_t n, size_t width, float *out)
{
	float sums[SCORE_BLOCK];
	size_t c;
	int u;

	for (c = 0; c < n; c++) {
		score_candidate(users, nu, items + c * width, width, sums);
		for (u = 0; u < nu; u++)
			out[(size_t)u * n + c] = bias != NULL ? sums[u] + bias[c] : sums[u];
	}
}
