/*
 * The scores of a few chosen candidates for one user, the kernel's bits
 * (fmaf over the dimension in order, then + bias), included by
 * score_many.c and by score_many_avx2.c (where fmaf is one instruction),
 * each defining PICK_NAME. Eight candidates go side by side, so that
 * their chains of multiply-adds overlap, read from the rows (a row's
 * dimensions are side by side there, 16 items apart in the panels).
 */
#if !defined(PICK_NAME)
#error "define PICK_NAME before including score_pick.h"
#endif

#include <math.h>

#include "eval/score_many.h"

#define PICK_SIDE 8

void
PICK_NAME(const struct score_items *s, const float *user, const uint32_t *c, size_t n,
    float *out)
{
	const float *row[PICK_SIDE];
	float sum[PICK_SIDE];
	size_t i, k;
	int q, m;

	for (i = 0; i < n; i += (size_t)m) {
		m = n - i < PICK_SIDE ? (int)(n - i) : PICK_SIDE;
		for (q = 0; q < m; q++) {
			row[q] = s->rows + (size_t)c[i + q] * s->width;
			sum[q] = 0.0f;
		}
		/* the next few rows are far apart in memory: ask for them now */
		for (q = 0; i + (size_t)m + (size_t)q < n && q < PICK_SIDE; q++)
			for (k = 0; k < s->width; k += 16)
				__builtin_prefetch(s->rows + (size_t)c[i + (size_t)m + (size_t)q] * s->width + k);
		for (k = 0; k < s->width; k++)
			for (q = 0; q < m; q++)
				sum[q] = fmaf(user[k], row[q][k], sum[q]);
		for (q = 0; q < m; q++)
			out[i + q] = s->bias != NULL ? sum[q] + s->bias[c[i + q]] : sum[q];
	}
}

#undef PICK_NAME
