#include "eval/score_many.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "io/mem.h"
#include "model/vec.h"

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
	return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
#else
	return 0;
#endif
}

score_fn
score_kernel(void)
{
	return kernels_avx2() ? score_panels_fma : score_panels_reference;
}

tally_fn
tally_kernel(void)
{
	return kernels_avx2() ? tally_avx2 : tally_baseline;
}

at_least_fn
at_least_kernel(void)
{
	return kernels_avx2() ? at_least_avx2 : at_least_baseline;
}

uint64_t
at_least_baseline(const float *s, float t)
{
	uint64_t m = 0;
	int i;

	for (i = 0; i < 64; i++)
		m |= (uint64_t)(s[i] >= t) << i;
	return m;
}

int
score_items_pack(struct score_items *s, const float *items, const float *bias, size_t n,
    size_t width, struct bpr_err *e)
{
	size_t c, k, panels = (n + SCORE_NR - 1) / SCORE_NR;
	float *panel;

	memset(s, 0, sizeof(*s));
	s->panel = mem_aligned(panels > 0 ? panels : 1, width * SCORE_NR * sizeof(float),
	    "packed candidates", e);
	if (s->panel == NULL)
		return -1;
	if (bias != NULL &&
	    (s->bias = mem_array(panels * SCORE_NR + 1, sizeof(float), 1, "packed candidates", e)) == NULL) {
		score_items_free(s);
		return -1;
	}
	memset(s->panel, 0, panels * width * SCORE_NR * sizeof(float));
	for (c = 0; c < n; c++) {
		panel = s->panel + (c / SCORE_NR) * width * SCORE_NR + c % SCORE_NR;
		for (k = 0; k < width; k++)
			panel[k * SCORE_NR] = items[c * width + k];
	}
	if (bias != NULL)
		memcpy(s->bias, bias, n * sizeof(float));
	s->n = n;
	s->panels = panels;
	s->width = width;
	return 0;
}

void
score_items_free(struct score_items *s)
{
	free(s->panel);
	free(s->bias);
	memset(s, 0, sizeof(*s));
}

/* The definition of every score, one at a time: vec_dot_fused's order. */
void
score_panels_reference(const float *const *users, int nu, const struct score_items *s,
    size_t first, size_t last, float *out, size_t stride)
{
	size_t c, k, end = last * SCORE_NR < s->n ? last * SCORE_NR : s->n;
	const float *panel;
	float sum;
	int u;

	for (u = 0; u < nu; u++)
		for (c = first * SCORE_NR; c < end; c++) {
			panel = s->panel + (c / SCORE_NR) * s->width * SCORE_NR + c % SCORE_NR;
			sum = 0.0f;
			for (k = 0; k < s->width; k++)
				sum = fmaf(users[u][k], panel[k * SCORE_NR], sum);
			out[(size_t)u * stride + c] = s->bias != NULL ? sum + s->bias[c] : sum;
		}
}

void
score_users(score_fn kernel, const struct score_items *s, const float *const *users, int nu,
    float *out)
{
	size_t tile = SCORE_TILE_BYTES / (s->width * SCORE_NR * sizeof(float)), p, end;
	int u;

	if (tile < 1)
		tile = 1;
	for (p = 0; p < s->panels; p = end) {
		end = s->panels - p < tile ? s->panels : p + tile;
		for (u = 0; u < nu; u += SCORE_MR)
			kernel(users + u, nu - u < SCORE_MR ? nu - u : SCORE_MR, s, p, end,
			    out + (size_t)u * s->n, s->n);
	}
}
