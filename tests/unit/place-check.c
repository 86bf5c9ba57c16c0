/*
 * place-check: where scores fall among a user's positives, by every copy
 * of the search (portable, AVX2, AVX-512: those the processor has),
 * against the definition counted pair by pair: for each score that is
 * not NaN, the positives below it and at most it, and whether it is at
 * least (or equal to) the highest positive. Positive counts cross every
 * depth of the search (1 to 3000, powers of two and their neighbours),
 * score counts cross the vector widths, and the scores are drawn so that
 * ties with positives, repeated positives, NaNs and infinities all occur.
 * Prints one line a check; exit 1 if any fails.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "data/rng.h"
#include "eval/place.h"
#include "eval/score_many.h"

static struct bpr_rng rng;

static float
draw_score(void)
{
	switch (rng_below(&rng, 40)) {
	case 0: return NAN;
	case 1: return rng_below(&rng, 2) ? INFINITY : -INFINITY;
	case 2: case 3: case 4: case 5: return (float)rng_below(&rng, 16) / 4.0f;	/* ties */
	default: return (float)(rng_double(&rng) * 8.0 - 2.0);
	}
}

static int
ascending(const void *a, const void *b)
{
	float x = *(const float *)a, y = *(const float *)b;

	return (x > y) - (x < y);
}

/* The sums by their definition: every score against every positive. */
static struct placed
by_pairs(const float *s, size_t n, const float *pos, size_t npos)
{
	struct placed p = { 0 };
	size_t i, k;

	for (i = 0; i < n; i++) {
		if (isnan(s[i]))
			continue;
		p.scored++;
		for (k = 0; k < npos; k++)
			p.below_twice += (size_t)(pos[k] < s[i]) + (size_t)(pos[k] <= s[i]);
		p.from_highest += s[i] >= pos[npos - 1];
		p.at_highest += s[i] == pos[npos - 1];
	}
	return p;
}

static int
check(const char *name, place_fn place, size_t npos, size_t n)
{
	float *s = malloc(n * sizeof(float)), *pos = malloc(npos * sizeof(float));
	float *level = malloc(place_table_size(npos) * sizeof(float));
	struct place_table t;
	struct placed want, got = { 0 };
	size_t i;
	int bad;

	for (i = 0; i < n; i++)
		s[i] = draw_score();
	for (i = 0; i < npos; i++) {	/* some positives are scores, as a user's are */
		do
			pos[i] = rng_below(&rng, 3) == 0 ? s[rng_below(&rng, (uint32_t)n)] : draw_score();
		while (isnan(pos[i]));
	}
	qsort(pos, npos, sizeof(float), ascending);
	want = by_pairs(s, n, pos, npos);
	place_table_build(&t, pos, npos, level);
	place(s, n, &t, &got);
	bad = memcmp(&want, &got, sizeof(want)) != 0;
	printf("%s %s: %zu scores among %zu positives: pairs %llu, scored %llu, "
	    "at least the highest %llu, equal %llu\n", bad ? "not ok" : "ok", name, n, npos,
	    (unsigned long long)got.below_twice, (unsigned long long)got.scored,
	    (unsigned long long)got.from_highest, (unsigned long long)got.at_highest);
	if (bad)
		printf("#   want %llu %llu %llu %llu\n", (unsigned long long)want.below_twice,
		    (unsigned long long)want.scored, (unsigned long long)want.from_highest,
		    (unsigned long long)want.at_highest);
	free(s);
	free(pos);
	free(level);
	return bad;
}

int
main(void)
{
	static const size_t npos[] = { 1, 2, 3, 7, 8, 15, 16, 31, 32, 33, 63, 64, 65, 127, 128,
	    255, 256, 511, 1023, 1024, 3000 };
	static const size_t counts[] = { 1, 7, 8, 9, 16, 17, 1000, 5003 };
	struct {
		const char *name;
		place_fn place;
		int has;
	} copy[] = {
		{ "portable", place_baseline, 1 },
		{ "avx2", place_avx2, kernels_avx2() },
		{ "avx512", place_avx512, kernels_avx512() },
	};
	size_t c, p, k;
	int bad = 0;

	rng_seed(&rng, 11, 0, 0);
	for (c = 0; c < sizeof(copy) / sizeof(copy[0]); c++) {
		if (!copy[c].has) {
			printf("# %s: not run (the processor lacks it, or BPRTOOLS_REFERENCE)\n", copy[c].name);
			continue;
		}
		for (p = 0; p < sizeof(npos) / sizeof(npos[0]); p++)
			for (k = 0; k < sizeof(counts) / sizeof(counts[0]); k++)
				bad |= check(copy[c].name, copy[c].place, npos[p], counts[k]);
	}
	return bad;
}
