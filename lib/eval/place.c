#include "eval/place.h"

#include <math.h>

#include "eval/score_many.h"

/* L, the least with 2^L > npos. */
static int
levels_for(size_t npos)
{
	int levels = 0;

	while (((size_t)1 << levels) <= npos)
		levels++;
	return levels;
}

size_t
place_table_size(size_t npos)
{
	return ((size_t)2 << levels_for(npos)) - 1 + PLACE_SLACK;
}

void
place_table_build(struct place_table *t, const float *sorted, size_t npos, float *level)
{
	size_t m, step, j, at, end;
	int l;

	t->levels = levels_for(npos);
	m = (size_t)1 << t->levels;
	t->sorted = sorted;
	t->npos = npos;
	t->level = level;
	for (l = 0; l <= t->levels; l++) {
		step = m >> l;		/* positives between a level's entries */
		for (j = 0; j < ((size_t)1 << l); j++) {
			at = l < t->levels ? (2 * j + 1) * (step / 2) - 1 : j;
			level[((size_t)1 << l) - 1 + j] = at < npos ? sorted[at] : INFINITY;
		}
	}
	for (end = 2 * m - 1 + PLACE_SLACK, at = 2 * m - 1; at < end; at++)
		level[at] = INFINITY;
}

/* How many of sorted[0..n), n >= 1, are below s (strict) or at most s. */
static size_t
count_below(const float *sorted, size_t n, float s, int or_equal)
{
	size_t lo = 0, half;

	while (n > 1) {
		half = n / 2;
		lo += (size_t)(or_equal ? sorted[lo + half - 1] <= s : sorted[lo + half - 1] < s) * half;
		n -= half;
	}
	return lo + (or_equal ? sorted[lo] <= s : sorted[lo] < s);
}

void
place_one(const struct place_table *t, float s, struct placed *p)
{
	float highest = t->sorted[t->npos - 1];

	if (isnan(s))
		return;
	p->scored++;
	p->below_twice += count_below(t->sorted, t->npos, s, 0) +
	    count_below(t->sorted, t->npos, s, 1);
	p->from_highest += s >= highest;
	p->at_highest += s == highest;
}

/*
 * The levels' search for one score, as the vector loops do it for 8 or 16
 * at once: at the end j is how many positives are below s, and level L's
 * entry j the first at least s; if that equals s, place_one counts it.
 */
void
place_baseline(const float *s, size_t n, const struct place_table *t, struct placed *p)
{
	float highest = t->sorted[t->npos - 1], x;
	size_t i, j;
	int l;

	for (i = 0; i < n; i++) {
		x = s[i];
		for (j = 0, l = 0; l < t->levels; l++)
			j = 2 * j + (t->level[((size_t)1 << l) - 1 + j] < x);
		if (t->level[((size_t)1 << t->levels) - 1 + j] == x) {
			place_one(t, x, p);
		} else if (!isnan(x)) {
			p->scored++;
			p->below_twice += 2 * j;
			p->from_highest += x >= highest;
		}
	}
}

place_fn
place_kernel(void)
{
	if (kernels_avx512())
		return place_avx512;
	return kernels_avx2() ? place_avx2 : place_baseline;
}
