/*
 * The scoring and tallying loops, included by score_many.c (any x86-64) and
 * score_many_avx2.c (-mavx2), each defining SCORE_NAME and TALLY_NAME.
 */
#if !defined(SCORE_NAME) || !defined(TALLY_NAME)
#error "define SCORE_NAME and TALLY_NAME before including score_many_kernel.h"
#endif

#include <string.h>

#include "eval/score_many.h"
#include "model/vec.h"

/*
 * nu users against one candidate, its chunks loaded once, into acc.
 * Inlined with nu a constant, the loop over users unrolls and the
 * accumulators live in registers (with nu known only at run time they
 * went to the stack, and zeroing and reloading them took most of the time).
 */
VEC_INLINE void
dot_candidate(const float *const *users, int nu, const float *item, size_t width, vec16 *acc)
{
	vec8 lo, hi, zero = { 0 };
	size_t i;
	int u;

#pragma GCC unroll 4
	for (u = 0; u < nu; u++)
		acc[u].lo = acc[u].hi = zero;
	for (i = 0; i < width; i += VEC_LANES) {
		lo = vec8_at(item + i);
		hi = vec8_at(item + i + 8);
#pragma GCC unroll 4
		for (u = 0; u < nu; u++) {
			acc[u].lo += vec8_at(users[u] + i) * lo;
			acc[u].hi += vec8_at(users[u] + i + 8) * hi;
		}
	}
}

_Static_assert(SCORE_BLOCK == 4, "a full block is what vec_sum4 reduces");

/* Every candidate against nu <= SCORE_BLOCK users. */
VEC_INLINE void
score_block(const float *const *users, int nu, const float *items, const float *bias,
    size_t n, size_t width, float *out, size_t stride)
{
	float sums[SCORE_BLOCK];
	vec16 acc[SCORE_BLOCK];
	vec4 four;
	size_t c;
	int u;

	for (c = 0; c < n; c++) {
		if (nu == 4) {
			/* all four sums in one vector, stored straight to their rows */
			dot_candidate(users, 4, items + c * width, width, acc);
			four = vec_sum4(acc);
			if (bias != NULL)
				four += bias[c];
			out[c] = four[0];
			out[stride + c] = four[1];
			out[2 * stride + c] = four[2];
			out[3 * stride + c] = four[3];
			continue;
		}
		dot_candidate(users, nu, items + c * width, width, acc);
		for (u = 0; u < nu; u++)
			sums[u] = vec_sum(&acc[u]);
		for (u = 0; u < nu; u++)
			out[(size_t)u * stride + c] = bias != NULL ? sums[u] + bias[c] : sums[u];
	}
}

/* With a bias and without: inlined with nu constant, as the loop wants. */
VEC_INLINE void
score_block_either(const float *const *users, int nu, const float *items, const float *bias,
    size_t n, size_t width, float *out, size_t stride)
{
	if (bias != NULL)
		score_block(users, nu, items, bias, n, width, out, stride);
	else
		score_block(users, nu, items, NULL, n, width, out, stride);
}

/*
 * Full blocks, nearly every call, are compiled with the user count a
 * constant; the rest (the last few users) take the general loop.
 */
void
SCORE_NAME(const float *const *users, int nu, const float *items, const float *bias,
    size_t n, size_t width, float *out, size_t stride)
{
	if (nu == SCORE_BLOCK)
		score_block_either(users, SCORE_BLOCK, items, bias, n, width, out, stride);
	else if (nu > 0)
		score_block_either(users, nu, items, bias, n, width, out, stride);
}

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
