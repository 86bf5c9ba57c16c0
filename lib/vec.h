/*
 * Vector kernels of the model maths. Rows are padded with zeros to a
 * multiple of 16 floats and 64-byte aligned, and dot products add into
 * 16 lanes that are summed in one fixed order at the end: the result is
 * the same bits whether the compiler emits SSE, AVX2 or scalar code, so
 * speed work never changes a trained model.
 */
#ifndef BPR_VEC_H
#define BPR_VEC_H

#include <stddef.h>
#include <string.h>

#define VEC_LANES 16

typedef float vec16 __attribute__((vector_size(64), may_alias));

static inline size_t
vec_pad(size_t n)
{
	return (n + VEC_LANES - 1) & ~(size_t)(VEC_LANES - 1);
}

/*
 * *acc += a[0..n) * b[0..n) lane by lane; n a multiple of 16, rows aligned.
 * (Vectors pass by pointer: by value, 64-byte vectors change the ABI.)
 */
static inline void
vec_dot_acc(vec16 *acc, const float *a, const float *b, size_t n)
{
	size_t i;

	for (i = 0; i < n; i += VEC_LANES)
		*acc += *(const vec16 *)(a + i) * *(const vec16 *)(b + i);
}

/* The lanes summed pairwise in a fixed order. */
static inline float
vec_sum(const vec16 *acc)
{
	float t[VEC_LANES];
	int w, l;

	memcpy(t, acc, sizeof(t));
	for (w = VEC_LANES / 2; w > 0; w /= 2)
		for (l = 0; l < w; l++)
			t[l] += t[l + w];
	return t[0];
}

static inline float
vec_dot(const float *a, const float *b, size_t n)
{
	vec16 acc = { 0 };

	vec_dot_acc(&acc, a, b, n);
	return vec_sum(&acc);
}

/* y += s * x */
static inline void
vec_axpy(float *y, float s, const float *x, size_t n)
{
	size_t i;

	for (i = 0; i < n; i += VEC_LANES)
		*(vec16 *)(y + i) += s * *(const vec16 *)(x + i);
}

/* y = s * x */
static inline void
vec_scale_to(float *y, float s, const float *x, size_t n)
{
	size_t i;

	for (i = 0; i < n; i += VEC_LANES)
		*(vec16 *)(y + i) = s * *(const vec16 *)(x + i);
}

#endif
