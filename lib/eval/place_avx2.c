/*
 * place's search for 8 scores at a time (the Makefile adds -mavx2 -mfma
 * to *_avx2.c files on x86-64; place.c picks it on processors that have
 * AVX2 but not AVX-512): a level of up to 8 entries is a permute of a
 * register, of 16 two permutes and a blend, a wider one a gather.
 */
#if defined(__x86_64__)
#include <immintrin.h>
#include <math.h>

#include "eval/place.h"


/* Level l's entry for each lane's index j. */
static inline __attribute__((always_inline)) __m256
level_entry(const float *level, const unsigned l, const __m256 *near, __m256i j)
{
	const float *tab = level + ((size_t)1 << l) - 1;

	if (l == 0)
		return near[0];
	if (l <= 3)
		return _mm256_permutevar8x32_ps(near[l], j);
	if (l > 4)
		return _mm256_i32gather_ps(tab, j, 4);
	return _mm256_blendv_ps(_mm256_permutevar8x32_ps(_mm256_loadu_ps(tab), j),
	    _mm256_permutevar8x32_ps(_mm256_loadu_ps(tab + 8), j),
	    _mm256_castsi256_ps(_mm256_slli_epi32(j, 28)));	/* bit 3 to the sign */
}

/* Lanes where a compare held (all ones, -1) add 1 to count. */
static inline __attribute__((always_inline)) __m256i
count_where(__m256i count, __m256 held)
{
	return _mm256_sub_epi32(count, _mm256_castps_si256(held));
}

static inline uint64_t
lanes_sum(__m256i v)
{
	__m128i s = _mm_add_epi32(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));

	s = _mm_add_epi32(s, _mm_shuffle_epi32(s, 0x4e));
	s = _mm_add_epi32(s, _mm_shuffle_epi32(s, 0xb1));
	return (uint32_t)_mm_cvtsi128_si32(s);
}

/* Chunks of 8 searched side by side, as in place_avx512.c. */
#define SIDE 4

struct sums {
	__m256i twice, scored, from_highest;
};

/* w full chunks of 8 from s[i], as place_avx512.c's place_chunks. */
static inline __attribute__((always_inline)) void
place_chunks(const float *s, size_t i, const int w, const struct place_table *t,
    const int levels, const __m256 *near, struct sums *sum, struct placed *p)
{
	__m256 x[SIDE], highest = _mm256_set1_ps(t->sorted[t->npos - 1]), odd, counted;
	__m256i j[SIDE];
	int c, l, q, lanes;

#pragma GCC unroll 4
	for (c = 0; c < w; c++) {
		x[c] = _mm256_loadu_ps(s + i + 8 * (size_t)c);
		j[c] = _mm256_setzero_si256();
	}
#pragma GCC unroll 16
	for (l = 0; l < levels; l++)
#pragma GCC unroll 4
		for (c = 0; c < w; c++)
			j[c] = count_where(_mm256_add_epi32(j[c], j[c]), _mm256_cmp_ps(level_entry(t->level,
			    (unsigned)l, near, j[c]), x[c], _CMP_LT_OQ));
#pragma GCC unroll 4
	for (c = 0; c < w; c++) {
		/* equal to the first positive at least it */
		odd = _mm256_cmp_ps(level_entry(t->level, (unsigned)levels, near, j[c]), x[c],
		    _CMP_EQ_OQ);
		if ((lanes = _mm256_movemask_ps(odd)) != 0) {
			for (q = 0; q < 8; q++)
				if (lanes >> q & 1)
					place_one(t, s[i + 8 * (size_t)c + (size_t)q], p);
			j[c] = _mm256_andnot_si256(_mm256_castps_si256(odd), j[c]);
		}
		counted = _mm256_andnot_ps(odd, _mm256_cmp_ps(x[c], x[c], _CMP_ORD_Q));
		sum->twice = _mm256_add_epi32(sum->twice, j[c]);
		sum->scored = count_where(sum->scored, counted);
		sum->from_highest = count_where(sum->from_highest,
		    _mm256_and_ps(counted, _mm256_cmp_ps(x[c], highest, _CMP_GE_OQ)));
	}
}

/* As place_avx512.c's, 8 lanes; the last n % 8 scores one by one. */
static inline __attribute__((always_inline)) void
place_levels(const float *s, size_t n, const struct place_table *t, struct placed *p,
    const int levels)
{
	__m256 near[4];
	struct sums sum;
	size_t i = 0, end, run = (size_t)1 << (31 - levels);
	int l;

	near[0] = _mm256_set1_ps(t->level[0]);
	for (l = 1; l < 4; l++)
		near[l] = _mm256_loadu_ps(t->level + (1 << l) - 1);
	for (; n - i >= 8; i = end) {
		end = n - i > run ? i + run : i + (n - i) / 8 * 8;
		sum.twice = sum.scored = sum.from_highest = _mm256_setzero_si256();
		for (; i + 8 * SIDE <= end; i += 8 * SIDE)
			place_chunks(s, i, SIDE, t, levels, near, &sum, p);
		for (; i < end; i += 8)
			place_chunks(s, i, 1, t, levels, near, &sum, p);
		p->below_twice += 2 * lanes_sum(sum.twice);
		p->scored += lanes_sum(sum.scored);
		p->from_highest += lanes_sum(sum.from_highest);
	}
	place_baseline(s + i, n - i, t, p);
}

void
place_avx2(const float *s, size_t n, const struct place_table *t, struct placed *p)
{
	PLACE_BY_DEPTH(place_levels, s, n, t, p);
}

#else
typedef int place_avx2_unused;	/* ISO C wants something in a translation unit */
#endif
