/*
 * score-check: the scoring kernel against its definition. For widths,
 * candidate counts (panel edges included), user counts and values chosen
 * to round differently (cancellation, denormals, signed zeros), every
 * score of score_users is compared bit for bit with vec_dot_fused (fmaf in
 * the order of the dimension, then + bias) and with a double-precision
 * dot within a bound on the rounding; the fast path (where the processor
 * has it) and the reference path must give the same bits. Then the top-k
 * pass (topk_offer_scores) against a plain sort of the same scores, with
 * ties, NaNs and skipped candidates. Prints one line a check; exit 1 on
 * the first failure.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "data/rng.h"
#include "eval/score_many.h"
#include "eval/topk.h"
#include "io/mem.h"
#include "model/vec.h"

static struct bpr_rng rng;

/* A value of one of several kinds: plain, large, tiny, denormal, zero. */
static float
awkward(void)
{
	double u = rng_double(&rng) - 0.5;

	switch (rng_below(&rng, 8)) {
	case 0: return (float)(u * 1e4);
	case 1: return (float)(u * 1e-30);
	case 2: return (float)u * 1e-38f;
	case 3: return rng_below(&rng, 2) ? 0.0f : -0.0f;
	default: return (float)u;
	}
}

static int
check_scores(size_t width, size_t n, int nu, int with_bias)
{
	float *items = mem_aligned(n + 1, width * sizeof(float), "items", &(struct bpr_err){ 0 });
	float *users = mem_aligned((size_t)nu, width * sizeof(float), "users", &(struct bpr_err){ 0 });
	float *bias = malloc((n + 1) * sizeof(float)), *fast = malloc((size_t)nu * n * sizeof(float));
	float *ref = malloc((size_t)nu * n * sizeof(float));
	const float *rows[SCORE_USERS];
	struct score_items s;
	struct bpr_err e;
	size_t i, c, k;
	int u, bad = 0;

	for (i = 0; i < n * width; i++)
		items[i] = awkward();
	for (i = 0; i < (size_t)nu * width; i++)
		users[i] = awkward();
	for (c = 0; c < n; c++)
		bias[c] = awkward();
	for (u = 0; u < nu; u++)
		rows[u] = users + (size_t)u * width;
	if (score_items_pack(&s, items, with_bias ? bias : NULL, n, width, &e) < 0)
		return 1;
	score_users(score_kernel(), &s, rows, nu, fast);
	score_users(score_panels_reference, &s, rows, nu, ref);
	for (u = 0; u < nu && !bad; u++)
		for (c = 0; c < n && !bad; c++) {
			float want = vec_dot_fused(rows[u], items + c * width, width);
			double exact = 0, mag = 0;
			if (with_bias)
				want += bias[c];
			for (k = 0; k < width; k++) {
				exact += (double)rows[u][k] * items[c * width + k];
				mag += fabs((double)rows[u][k] * items[c * width + k]);
			}
			exact += with_bias ? bias[c] : 0;
			mag += with_bias ? fabs(bias[c]) : 0;
			if (memcmp(&fast[(size_t)u * n + c], &want, sizeof(want)) != 0 ||
			    memcmp(&ref[(size_t)u * n + c], &want, sizeof(want)) != 0) {
				printf("FAIL width %zu n %zu user %d item %zu: fast %a reference %a fmaf %a\n",
				    width, n, u, c, fast[(size_t)u * n + c], ref[(size_t)u * n + c], want);
				bad = 1;
			} else if (fabs((double)want - exact) > (double)(width + 2) * 0x1p-24 * mag + 0x1p-140) {
				printf("FAIL width %zu n %zu user %d item %zu: %a, exact %a\n", width, n, u, c,
				    want, exact);
				bad = 1;
			}
		}
	printf("%s scores width %zu, %zu items, %d users, %s bias: fast, reference and fmaf agree\n",
	    bad ? "not" : "ok", width, n, nu, with_bias ? "with" : "no");
	score_items_free(&s);
	free(items);
	free(users);
	free(bias);
	free(fast);
	free(ref);
	return bad;
}

/* The k best by sorting every index: score descending, then index. */
static int
by_rank(const void *a, const void *b)
{
	const struct scored *x = a, *y = b;

	return ranks_below(x, y) ? 1 : ranks_below(y, x) ? -1 : 0;
}

static int
check_topk(size_t n, size_t k)
{
	float *score = malloc(n * sizeof(float));
	uint8_t *skip = malloc(n);
	struct scored *heap = malloc((k + 1) * sizeof(*heap)), *all = malloc(n * sizeof(*all));
	struct topk t;
	size_t i, m = 0, got;
	int bad = 0;

	for (i = 0; i < n; i++) {
		/* few distinct values, so ties are common; some NaN, some skipped */
		score[i] = (float)rng_below(&rng, 50) / 8.0f;
		if (rng_below(&rng, 20) == 0)
			score[i] = NAN;
		skip[i] = rng_below(&rng, 10) == 0;
		if (score[i] == score[i] && !skip[i])
			all[m++] = (struct scored){ score[i], (uint32_t)i };
	}
	qsort(all, m, sizeof(*all), by_rank);
	topk_reset(&t, heap, k);
	topk_offer_scores(&t, score, n, skip, 0);
	got = topk_sorted(&t);
	bad = got != (m < k ? m : k);
	for (i = 0; i < got && !bad; i++)
		bad = heap[i].index != all[i].index || heap[i].score != all[i].score;
	printf("%s top %zu of %zu scores (ties, NaNs, skips) as a full sort ranks them\n",
	    bad ? "not" : "ok", k, n);
	free(score);
	free(skip);
	free(heap);
	free(all);
	return bad;
}

int
main(void)
{
	static const size_t widths[] = { 16, 32, 64, 112 };
	static const size_t counts[] = { 1, 15, 16, 17, 100, 1000 };
	static const int users[] = { 1, 5, 6, 7, 11, 12, 13, 24 };
	size_t w, c, u;
	int bad = 0;

	rng_seed(&rng, 7, 0, 0);
	printf("kernel: %s\n", kernels_avx2() ? "fma" : "reference");
	for (w = 0; w < 4; w++)
		for (c = 0; c < 6; c++)
			for (u = 0; u < 8; u++)
				bad |= check_scores(widths[w], counts[c], users[u], (int)(c + u) % 2);
	bad |= check_topk(1, 1) | check_topk(63, 10) | check_topk(64, 10) | check_topk(65, 3) |
	    check_topk(5000, 10) | check_topk(5000, 200) | check_topk(130, 200);
	return bad;
}
