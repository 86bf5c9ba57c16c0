/*
 * place's search for 16 scores at a time (the Makefile adds -mavx512f to
 * *_avx512.c files on x86-64; place.c picks it on processors that have
 * it): a level of up to 16 entries is a permute of a register, up to 64
 * a permute of pairs of registers for each 32, a wider one a gather.
 */
#if defined(__x86_64__)
#include <immintrin.h>
#include <math.h>

#include "eval/place.h"


/* Level l's entry for each lane's index j. */
static inline __attribute__((always_inline)) __m512
level_entry(const float *level, const unsigned l, const __m512 *near, __m512i j)
{
	const float *tab = level + ((size_t)1 << l) - 1;
	__m512 r;

	if (l == 0)
		return near[0];
	if (l <= 4)
		return _mm512_permutexvar_ps(j, near[l]);
	if (l > 6)
		return _mm512_i32gather_ps(j, tab, 4);
	r = _mm512_permutex2var_ps(_mm512_loadu_ps(tab), j, _mm512_loadu_ps(tab + 16));
	if (l == 6)
		r = _mm512_mask_mov_ps(r, _mm512_test_epi32_mask(j, _mm512_set1_epi32(32)),
		    _mm512_permutex2var_ps(_mm512_loadu_ps(tab + 32), j, _mm512_loadu_ps(tab + 48)));
	return r;
}

/*
 * Chunks of 16 scores searched side by side: a level's lookup waits on
 * the level before's compare, and other chunks' work fills the wait.
 */
#define SIDE 8

/* What a run of chunks adds up. */
struct sums {
	__m512i twice;
	uint64_t scored, from_highest;
};

/*
 * w chunks from s[i] (the last ones cut at end), `levels` and w constants
 * once inlined. A score equal to the first positive at least it (rare:
 * ties, and the positives' own scores) is counted by place_one instead,
 * its lane left out of the sums; a NaN (a skipped candidate) ends at
 * index 0 and counts in none.
 */
static inline __attribute__((always_inline)) void
place_chunks(const float *s, size_t i, size_t end, const int w, const struct place_table *t,
    const int levels, const __m512 *near, struct sums *sum, struct placed *p)
{
	__m512 x[SIDE], highest = _mm512_set1_ps(t->sorted[t->npos - 1]);
	__m512i j[SIDE], one = _mm512_set1_epi32(1);
	__mmask16 live, below, odd;
	int c, l, q;

#pragma GCC unroll 8
	for (c = 0; c < w; c++) {
		live = end - i - 16 * (size_t)c >= 16 ? 0xffff :
		    (__mmask16)((1u << (end - i - 16 * (size_t)c)) - 1);
		x[c] = _mm512_mask_loadu_ps(_mm512_set1_ps(NAN), live, s + i + 16 * (size_t)c);
		j[c] = _mm512_setzero_si512();
	}
#pragma GCC unroll 16
	for (l = 0; l < levels; l++)
#pragma GCC unroll 8
		for (c = 0; c < w; c++) {
			below = _mm512_cmp_ps_mask(level_entry(t->level, (unsigned)l, near, j[c]), x[c],
			    _CMP_LT_OQ);
			j[c] = _mm512_add_epi32(j[c], j[c]);
			j[c] = _mm512_mask_add_epi32(j[c], below, j[c], one);
		}
#pragma GCC unroll 8
	for (c = 0; c < w; c++) {
		/* equal to the first positive at least it */
		odd = _mm512_cmp_ps_mask(level_entry(t->level, (unsigned)levels, near, j[c]), x[c],
		    _CMP_EQ_OQ);
		if (odd) {
			for (q = 0; q < 16; q++)
				if (odd >> q & 1)
					place_one(t, s[i + 16 * (size_t)c + (size_t)q], p);
			j[c] = _mm512_maskz_mov_epi32((__mmask16)~odd, j[c]);
		}
		sum->twice = _mm512_add_epi32(sum->twice, j[c]);
		sum->scored += (uint64_t)__builtin_popcount(~odd & _mm512_cmp_ps_mask(x[c], x[c],
		    _CMP_ORD_Q));
		sum->from_highest += (uint64_t)__builtin_popcount(~odd & _mm512_cmp_ps_mask(x[c],
		    highest, _CMP_GE_OQ));
	}
}

/* The search over runs of scores whose sums of indices (each below 2^levels) fit 32 bits. */
static inline __attribute__((always_inline)) void
place_levels(const float *s, size_t n, const struct place_table *t, struct placed *p,
    const int levels)
{
	__m512 near[5];
	struct sums sum = { .scored = 0 };
	size_t i, end, run = (size_t)1 << (31 - levels);
	int l;

	near[0] = _mm512_set1_ps(t->level[0]);
	for (l = 1; l < 5; l++)
		near[l] = _mm512_loadu_ps(t->level + (1 << l) - 1);
	for (i = 0; i < n; i = end) {
		end = n - i > run ? i + run : n;
		sum.twice = _mm512_setzero_si512();
		for (; i + 16 * SIDE <= end; i += 16 * SIDE)
			place_chunks(s, i, end, SIDE, t, levels, near, &sum, p);
		for (; i < end; i += 16)
			place_chunks(s, i, end, 1, t, levels, near, &sum, p);
		p->below_twice += 2 * (uint64_t)(uint32_t)_mm512_reduce_add_epi32(sum.twice);
	}
	p->scored += sum.scored;
	p->from_highest += sum.from_highest;
}

void
place_avx512(const float *s, size_t n, const struct place_table *t, struct placed *p)
{
	PLACE_BY_DEPTH(place_levels, s, n, t, p);
}

#else
typedef int place_avx512_unused;	/* ISO C wants something in a translation unit */
#endif
