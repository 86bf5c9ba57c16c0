#include "eval/score_many.h"

#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "io/mem.h"
#include "model/vec.h"

static int reference_asked, avx2_at_most;
static pthread_once_t reference_read = PTHREAD_ONCE_INIT;

static void
read_reference(void)
{
	const char *ref = getenv("BPRTOOLS_REFERENCE");

	avx2_at_most = ref != NULL && strcmp(ref, "avx2") == 0;
	reference_asked = ref != NULL && *ref != '\0' && strcmp(ref, "0") != 0 && !avx2_at_most;
}

/* Read once: the hot loops ask for every block of scores. */
int
kernels_reference(void)
{
	pthread_once(&reference_read, read_reference);
	return reference_asked;
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

int
kernels_avx512(void)
{
	if (kernels_reference() || avx2_at_most)
		return 0;
#if defined(__x86_64__)
	__builtin_cpu_init();
	return __builtin_cpu_supports("avx512f");
#else
	return 0;
#endif
}

score_fn
score_kernel(void)
{
	return kernels_avx2() ? score_panels_fma : score_panels_reference;
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
	if ((s->rows = mem_array(n * width + 1, sizeof(float), 0, "packed candidates", e)) == NULL) {
		score_items_free(s);
		return -1;
	}
	memcpy(s->rows, items, n * width * sizeof(float));
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
	free(s->rows);
	memset(s, 0, sizeof(*s));
}

/* The definition of every score, one at a time: vec_dot_fused's order. */
void
score_panels_reference(const float *const *users, int nu, const struct score_items *s,
    size_t first, size_t last, float *out, size_t stride)
{
	size_t c, end = last * SCORE_NR < s->n ? last * SCORE_NR : s->n;
	uint32_t id;
	int u;

	for (u = 0; u < nu; u++)
		for (c = first * SCORE_NR; c < end; c++) {
			id = (uint32_t)c;
			score_pick_baseline(s, users[u], &id, 1, out + (size_t)u * stride + c -
			    first * SCORE_NR);
		}
}

/* Panels in a tile: SCORE_TILE_BYTES of them, at least one. */
static size_t
tile_panels(const struct score_items *s)
{
	size_t tile = SCORE_TILE_BYTES / (s->width * SCORE_NR * sizeof(float));

	return tile > 0 ? tile : 1;
}

/* Panels [first, last) for nu users: out[u * stride + c - first * SCORE_NR]. */
static void
score_tile(score_fn kernel, const struct score_items *s, const float *const *users, int nu,
    size_t first, size_t last, float *out, size_t stride)
{
	int u;

	for (u = 0; u < nu; u += SCORE_MR)
		kernel(users + u, nu - u < SCORE_MR ? nu - u : SCORE_MR, s, first, last,
		    out + (size_t)u * stride, stride);
}

void
score_users(score_fn kernel, const struct score_items *s, const float *const *users, int nu,
    float *out)
{
	size_t tile = tile_panels(s), p, end;

	for (p = 0; p < s->panels; p = end) {
		end = s->panels - p < tile ? s->panels : p + tile;
		score_tile(kernel, s, users, nu, p, end, out + p * SCORE_NR, s->n);
	}
}

float *
score_tile_alloc(const struct score_items *s, int nu, struct bpr_err *e)
{
	return mem_aligned((size_t)nu, tile_panels(s) * SCORE_NR * sizeof(float), "scores", e);
}

void
score_by_tiles(score_fn kernel, const struct score_items *s, const float *const *users, int nu,
    float *tile, tile_feed_fn feed, void *ctx)
{
	size_t panels = tile_panels(s), cols = panels * SCORE_NR, p, end, lo, hi;
	int u;

	for (p = 0; p < s->panels; p = end) {
		end = s->panels - p < panels ? s->panels : p + panels;
		lo = p * SCORE_NR;
		hi = end * SCORE_NR < s->n ? end * SCORE_NR : s->n;
		score_tile(kernel, s, users, nu, p, end, tile, cols);
		for (u = 0; u < nu; u++)
			feed(ctx, u, tile + (size_t)u * cols, lo, hi - lo);
	}
}

score_pick_fn
score_pick_kernel(void)
{
	return kernels_avx2() ? score_pick_fma : score_pick_baseline;
}

#define PICK_NAME score_pick_baseline
#include "eval/score_pick.h"
