/*
 * The scoring loops compiled for AVX2 and FMA (the Makefile
 * adds -mavx2 -mfma to *_avx2.c files on x86-64); score_many.c picks them
 * on processors that have both.
 */
#if defined(__x86_64__)
#include <immintrin.h>
#include <string.h>

#include "eval/score_many.h"

#define PICK_NAME score_pick_fma
#include "eval/score_pick.h"

/*
 * nu users (a constant once inlined) x one panel of SCORE_NR items: the
 * 2 * nu accumulators stay in registers while k runs over the dimension,
 * each step two loads of the panel, nu broadcasts, 2 * nu fused
 * multiply-adds: the arithmetic, not the loads, sets the pace. Each sum
 * takes its products in the order of k, as vec_dot_fused does.
 */
static inline __attribute__((always_inline)) void
panel_step(const float *const *users, const int nu, const float *panel, size_t width,
    const float *bias, float *out, size_t stride, size_t cols)
{
	__m256 acc[SCORE_MR][2], b0, b1, a;
	float tail[SCORE_NR];
	size_t k;
	int u;

#pragma GCC unroll 6
	for (u = 0; u < nu; u++)
		acc[u][0] = acc[u][1] = _mm256_setzero_ps();
	for (k = 0; k < width; k++) {
		b0 = _mm256_load_ps(panel + k * SCORE_NR);
		b1 = _mm256_load_ps(panel + k * SCORE_NR + 8);
#pragma GCC unroll 6
		for (u = 0; u < nu; u++) {
			a = _mm256_broadcast_ss(users[u] + k);
			acc[u][0] = _mm256_fmadd_ps(a, b0, acc[u][0]);
			acc[u][1] = _mm256_fmadd_ps(a, b1, acc[u][1]);
		}
	}
	if (bias != NULL) {
		b0 = _mm256_loadu_ps(bias);
		b1 = _mm256_loadu_ps(bias + 8);
#pragma GCC unroll 6
		for (u = 0; u < nu; u++) {
			acc[u][0] = _mm256_add_ps(acc[u][0], b0);
			acc[u][1] = _mm256_add_ps(acc[u][1], b1);
		}
	}
#pragma GCC unroll 6
	for (u = 0; u < nu; u++) {
		if (cols == SCORE_NR) {
			_mm256_storeu_ps(out + (size_t)u * stride, acc[u][0]);
			_mm256_storeu_ps(out + (size_t)u * stride + 8, acc[u][1]);
		} else {	/* the last panel's real items only */
			_mm256_storeu_ps(tail, acc[u][0]);
			_mm256_storeu_ps(tail + 8, acc[u][1]);
			memcpy(out + (size_t)u * stride, tail, cols * sizeof(float));
		}
	}
}

/* Panels [first, last) for nu users, nu a constant once inlined. */
static inline __attribute__((always_inline)) void
score_run(const float *const *users, const int nu, const struct score_items *s, size_t first,
    size_t last, float *out, size_t stride)
{
	size_t p, c, panel_size = s->width * SCORE_NR;

	for (p = first; p < last; p++) {
		c = p * SCORE_NR;
		panel_step(users, nu, s->panel + p * panel_size, s->width,
		    s->bias != NULL ? s->bias + c : NULL, out + (p - first) * SCORE_NR, stride,
		    s->n - c < SCORE_NR ? s->n - c : SCORE_NR);
	}
}

void
score_panels_fma(const float *const *users, int nu, const struct score_items *s, size_t first,
    size_t last, float *out, size_t stride)
{
	switch (nu) {
	case 6: score_run(users, 6, s, first, last, out, stride); break;
	case 5: score_run(users, 5, s, first, last, out, stride); break;
	case 4: score_run(users, 4, s, first, last, out, stride); break;
	case 3: score_run(users, 3, s, first, last, out, stride); break;
	case 2: score_run(users, 2, s, first, last, out, stride); break;
	case 1: score_run(users, 1, s, first, last, out, stride); break;
	default: break;
	}
}

uint64_t
at_least_avx2(const float *s, float t)
{
	__m256 tv = _mm256_set1_ps(t);
	uint64_t m = 0;
	int b;

#pragma GCC unroll 8
	for (b = 0; b < 8; b++)
		m |= (uint64_t)(uint32_t)_mm256_movemask_ps(_mm256_cmp_ps(_mm256_loadu_ps(s + 8 * b), tv,
		    _CMP_GE_OQ)) << (8 * b);
	return m;
}

_Static_assert(SCORE_MR == 6 && SCORE_NR == 16, "panel_step's registers are sized for 6 x 16");
#else
typedef int scoring_avx2_unused;	/* ISO C wants something in a translation unit */
#endif
