/*
 * The tallying loop, included by score_many.c (any x86-64) and
 * score_many_avx2.c (-mavx2), each defining TALLY_NAME.
 */
#if !defined(TALLY_NAME)
#error "define TALLY_NAME before including score_many_kernel.h"
#endif

#include <string.h>

#include "eval/score_many.h"
#include "model/vec.h"

typedef int32_t ivec8 __attribute__((vector_size(32), may_alias));

/*
 * Eight scores at a time against each threshold, counted in eight int32
 * lanes (n / 8 per lane at most), then summed; the tail one by one.
 */
void
TALLY_NAME(const float *s, size_t n, const float *t, uint32_t *below, uint32_t *equal)
{
	ivec8 lt[TALLY_WIDTH], eq[TALLY_WIDTH], zero = { 0 };
	vec8 tv[TALLY_WIDTH], x;
	size_t i, r;
	int j, l;

#pragma GCC unroll 4
	for (j = 0; j < TALLY_WIDTH; j++) {
		tv[j] = vec8_of(t[j]);
		lt[j] = eq[j] = zero;
	}
	/* a comparison gives -1 in each lane where it holds */
	for (i = 0; i + 8 <= n; i += 8) {
		memcpy(&x, s + i, sizeof(x));
#pragma GCC unroll 4
		for (j = 0; j < TALLY_WIDTH; j++) {
			lt[j] -= x < tv[j];
			eq[j] -= x == tv[j];
		}
	}
	for (j = 0; j < TALLY_WIDTH; j++) {
		below[j] = equal[j] = 0;
		for (l = 0; l < 8; l++) {
			below[j] += (uint32_t)lt[j][l];
			equal[j] += (uint32_t)eq[j][l];
		}
		for (r = i; r < n; r++) {
			below[j] += s[r] < t[j];
			equal[j] += s[r] == t[j];
		}
	}
}
