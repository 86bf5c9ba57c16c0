/*
 * Vector kernels of the model maths. Rows are padded with zeros to a
 * multiple of 16 floats and 64-byte aligned, and dot products add into
 * 16 lanes that are summed in one fixed order at the end: the result is
 * the same bits whether the compiler emits SSE, AVX2 or scalar code, so
 * speed work never changes a trained model.
 */
#ifndef BPR_VEC_H
#define BPR_VEC_H

#include <math.h>
#include <stddef.h>
#include <string.h>
#if defined(__AVX__)
#include <immintrin.h>
#elif defined(__SSE__)
#include <xmmintrin.h>
#endif

#define VEC_LANES 16

/*
 * The 16 lanes are held as two 8-float vectors, lanes 0-7 and 8-15: the
 * register width of AVX2, and two SSE registers each on the baseline, so
 * the compiler keeps them in registers. vec16 is the logical lane set.
 */
typedef float vec8 __attribute__((vector_size(32), may_alias));
typedef float vec4 __attribute__((vector_size(16), may_alias));

typedef struct {
	vec8 lo, hi;
} vec16;

/*
 * Hot helpers are always inlined into the loops that use them, which are
 * compiled twice (for any x86-64 and for AVX2) so that each copy runs
 * its own instruction set throughout.
 */
#define VEC_INLINE static inline __attribute__((always_inline))

VEC_INLINE size_t
vec_pad(size_t n)
{
	return (n + VEC_LANES - 1) & ~(size_t)(VEC_LANES - 1);
}

VEC_INLINE vec8
vec8_at(const float *p)
{
	return *(const vec8 *)p;
}

VEC_INLINE void
vec8_put(float *p, vec8 v)
{
	*(vec8 *)p = v;
}

VEC_INLINE vec8
vec8_of(float s)
{
	vec8 v = { s, s, s, s, s, s, s, s };

	return v;
}

/* acc += a[0..n) * b[0..n) lane by lane; n a multiple of 16, rows aligned. */
VEC_INLINE void
vec_dot_acc(vec16 *acc, const float *a, const float *b, size_t n)
{
	vec8 lo = acc->lo, hi = acc->hi;
	size_t i;

	for (i = 0; i < n; i += VEC_LANES) {
		lo += vec8_at(a + i) * vec8_at(b + i);
		hi += vec8_at(a + i + 8) * vec8_at(b + i + 8);
	}
	acc->lo = lo;
	acc->hi = hi;
}

/*
 * The lanes summed pairwise in a fixed order: lane l takes lane l + 8,
 * then l + 4, l + 2, l + 1.
 */
VEC_INLINE float
vec_sum(const vec16 *acc)
{
	vec8 s8 = acc->lo + acc->hi;
	vec4 lo4, hi4, s4;

	memcpy(&lo4, &s8, sizeof(lo4));
	memcpy(&hi4, (const char *)&s8 + sizeof(lo4), sizeof(hi4));
	s4 = lo4 + hi4;
	return (s4[0] + s4[2]) + (s4[1] + s4[3]);
}

VEC_INLINE float
vec_dot(const float *a, const float *b, size_t n)
{
	vec16 acc = { { 0 }, { 0 } };

	vec_dot_acc(&acc, a, b, n);
	return vec_sum(&acc);
}

/*
 * The dot product in the order every ranking uses (auc, bpr-score, the
 * evaluation in training): s = fmaf(a[k], b[k], s) for k = 0, 1, ...,
 * one rounding a step, which IEEE 754 defines exactly; the blocked kernel
 * in eval/score_many gives these bits. vec_dot_fused_on continues a sum
 * s over more dimensions (a composed vector in two pieces). Any n.
 */
static inline float
vec_dot_fused_on(float s, const float *a, const float *b, size_t n)
{
	size_t k;

	for (k = 0; k < n; k++)
		s = fmaf(a[k], b[k], s);
	return s;
}

static inline float
vec_dot_fused(const float *a, const float *b, size_t n)
{
	return vec_dot_fused_on(0.0f, a, b, n);
}

/* y += s * x */
VEC_INLINE void
vec_axpy(float *y, float s, const float *x, size_t n)
{
	vec8 sv = vec8_of(s);
	size_t i;

	for (i = 0; i < n; i += 8)
		vec8_put(y + i, vec8_at(y + i) + sv * vec8_at(x + i));
}

/*
 * y = 0 + s * x: what adding s * x to a zeroed row gives, -0 made +0
 * included, so a gradient built in place matches one accumulated from 0.
 */
VEC_INLINE void
vec_zero_axpy(float *y, float s, const float *x, size_t n)
{
	vec8 sv = vec8_of(s), zero = { 0 };
	size_t i;

	for (i = 0; i < n; i += 8)
		vec8_put(y + i, zero + sv * vec8_at(x + i));
}

/* y = s * x */
VEC_INLINE void
vec_scale_to(float *y, float s, const float *x, size_t n)
{
	vec8 sv = vec8_of(s);
	size_t i;

	for (i = 0; i < n; i += 8)
		vec8_put(y + i, sv * vec8_at(x + i));
}

/*
 * sqrt of 8 lanes. sqrtps is the IEEE square root, like sqrtf: the same
 * bits, eight lanes at a time with AVX, four with SSE.
 */
VEC_INLINE vec8
vec8_sqrt(vec8 x)
{
	vec8 r;
#if defined(__AVX__)
	r = (vec8)_mm256_sqrt_ps((__m256)x);
#elif defined(__SSE__)
	_mm_storeu_ps((float *)&r, _mm_sqrt_ps(_mm_loadu_ps((const float *)&x)));
	_mm_storeu_ps((float *)&r + 4, _mm_sqrt_ps(_mm_loadu_ps((const float *)&x + 4)));
#else
	int k;

	for (k = 0; k < 8; k++)
		r[k] = sqrtf(x[k]);
#endif
	return r;
}

#endif
