#include "eval/topk.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "data/sort.h"
#include "eval/score_many.h"

static void
swap(struct scored *a, struct scored *b)
{
	struct scored t = *a;

	*a = *b;
	*b = t;
}

/* A min-heap on rank: the weakest of the best k sits at heap[0]. */
static void
sift_down(struct scored *h, size_t n, size_t i)
{
	size_t c;

	for (;;) {
		c = 2 * i + 1;
		if (c >= n)
			return;
		if (c + 1 < n && ranks_below(&h[c + 1], &h[c]))
			c++;
		if (!ranks_below(&h[c], &h[i]))
			return;
		swap(&h[i], &h[c]);
		i = c;
	}
}

static void
sift_up(struct scored *h, size_t i)
{
	while (i > 0 && ranks_below(&h[i], &h[(i - 1) / 2])) {
		swap(&h[i], &h[(i - 1) / 2]);
		i = (i - 1) / 2;
	}
}

void
topk_reset(struct topk *t, struct scored *heap, size_t k)
{
	t->heap = heap;
	t->k = k;
	t->n = 0;
}

void
topk_offer(struct topk *t, float score, uint32_t index)
{
	struct scored s = { score, index };

	if (t->n < t->k) {
		t->heap[t->n] = s;
		sift_up(t->heap, t->n++);
	} else if (t->k > 0 && ranks_below(&t->heap[0], &s)) {
		t->heap[0] = s;
		sift_down(t->heap, t->k, 0);
	}
}

static int
best_first(const void *a, const void *b)
{
	const struct scored *x = a, *y = b;

	return ranks_below(x, y) ? 1 : ranks_below(y, x) ? -1 : 0;
}

size_t
topk_sorted(struct topk *t)
{
	sort_array(t->heap, t->n, sizeof(*t->heap), best_first);
	return t->n;
}

void
topk_offer_scores(struct topk *t, const float *score, size_t n, const uint8_t *skip, size_t first)
{
	at_least_fn at_least = at_least_kernel();
	uint64_t maybe;
	size_t b, i;

	for (b = 0; b < n; b += 64) {
		/* a full heap's floor only rises: the blocks' mask can only over-select */
		if (t->n < t->k || n - b < 64)
			maybe = n - b < 64 ? ((uint64_t)1 << (n - b)) - 1 : ~(uint64_t)0;
		else
			maybe = at_least(score + b, t->heap[0].score);
		for (; maybe != 0; maybe &= maybe - 1) {
			i = b + (size_t)__builtin_ctzll(maybe);
			if ((skip == NULL || !skip[i]) && score[i] == score[i] &&
			    (t->n < t->k || score[i] >= t->heap[0].score))
				topk_offer(t, score[i], (uint32_t)(first + i));
		}
	}
}

int
left_out_add(struct left_out *l, uint32_t c)
{
	size_t cap = l->cap > 0 ? 2 * l->cap : 64;
	uint32_t *grown;

	if (l->n == l->cap) {
		if ((grown = realloc(l->c, cap * sizeof(*grown))) == NULL)
			return -1;
		l->c = grown;
		l->cap = cap;
	}
	l->c[l->n++] = c;
	return 0;
}

static int
ascending_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return (x > y) - (x < y);
}

void
left_out_ready(struct left_out *l)
{
	size_t i;

	for (i = 1; i < l->n && l->c[i - 1] < l->c[i]; i++)	/* often in order already */
		;
	if (i < l->n)
		sort_array(l->c, l->n, sizeof(*l->c), ascending_u32);
	l->next = 0;
}

void
left_out_blank(struct left_out *l, float *score, size_t first, size_t n)
{
	for (; l->next < l->n && l->c[l->next] < first + n; l->next++)
		score[l->c[l->next] - first] = NAN;
}

void
left_out_free(struct left_out *l)
{
	free(l->c);
	memset(l, 0, sizeof(*l));
}
