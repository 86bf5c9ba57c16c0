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

/* As place_avx512.c's, 8 lanes; the last n % 8 scores one by one. */
static inline __attribute__((always_inline)) void
place_levels(const float *s, size_t n, const struct place_table *t, struct placed *p,
    const int levels)
{
	__m256 near[4], highest = _mm256_set1_ps(t->sorted[t->npos - 1]), x, odd, counted;
	__m256i j, twice, scored, from_highest;
	size_t i = 0, end, run = (size_t)1 << (31 - levels);
	int l, q, lanes;

	near[0] = _mm256_set1_ps(t->level[0]);
	for (l = 1; l < 4; l++)
		near[l] = _mm256_loadu_ps(t->level + (1 << l) - 1);
	for (; n - i >= 8; i = end) {
		end = n - i > run ? i + run : i + (n - i) / 8 * 8;
		twice = scored = from_highest = _mm256_setzero_si256();
		for (; i < end; i += 8) {
			x = _mm256_loadu_ps(s + i);
			j = _mm256_setzero_si256();
#pragma GCC unroll 16
			for (l = 0; l < levels; l++)
				j = count_where(_mm256_add_epi32(j, j),
				    _mm256_cmp_ps(level_entry(t->level, (unsigned)l, near, j), x, _CMP_LT_OQ));
			/* equal to the first positive at least it */
			odd = _mm256_cmp_ps(level_entry(t->level, (unsigned)levels, near, j), x, _CMP_EQ_OQ);
			if ((lanes = _mm256_movemask_ps(odd)) != 0) {
				for (q = 0; q < 8; q++)
					if (lanes >> q & 1)
						place_one(t, s[i + q], p);
				j = _mm256_andnot_si256(_mm256_castps_si256(odd), j);
			}
			counted = _mm256_andnot_ps(odd, _mm256_cmp_ps(x, x, _CMP_ORD_Q));
			twice = _mm256_add_epi32(twice, j);
			scored = count_where(scored, counted);
			from_highest = count_where(from_highest,
			    _mm256_and_ps(counted, _mm256_cmp_ps(x, highest, _CMP_GE_OQ)));
		}
		p->below_twice += 2 * lanes_sum(twice);
		p->scored += lanes_sum(scored);
		p->from_highest += lanes_sum(from_highest);
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
