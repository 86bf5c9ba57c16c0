/*
 * Where a user's scores fall among the scores of its positives, in one
 * pass: the sums an exact AUC needs (each score's positives below it and
 * at most it), and the scores around the best positive, for its rank.
 *
 * The sorted positives are laid out level by level in the order a binary
 * search visits them (level l holds 2^l entries), so that the search for
 * many scores at once is, per level, a table lookup by each lane's index
 * so far, one compare and one add: no branch, and the cost grows with the
 * log of the positives, not with their number.
 */
#ifndef BPR_PLACE_H
#define BPR_PLACE_H

#include <stddef.h>
#include <stdint.h>

#define PLACE_SLACK 32		/* floats past a table that a vector may read */

struct place_table {
	const float *sorted;	/* npos >= 1, ascending, no NaN */
	size_t npos;
	int levels;		/* L, the least with 2^L > npos */
	/*
	 * 2^(L+1) - 1 + PLACE_SLACK floats, level l (0 <= l <= L) at
	 * [2^l - 1 ..]: for l < L, entry j is the positive a search step
	 * compares with, sorted[(2j + 1) * 2^(L-l-1) - 1]; level L is sorted
	 * itself, the first positive at least each score once searched.
	 * +inf past npos: no score is above it.
	 */
	float *level;
};

/* Floats that level must hold for up to npos positives. */
size_t place_table_size(size_t npos);
void place_table_build(struct place_table *t, const float *sorted, size_t npos, float *level);

/* The sums over scores that are not NaN (a NaN counts in none). */
struct placed {
	uint64_t below_twice;	/* positives below it + positives at most it */
	uint64_t scored;	/* scores */
	uint64_t from_highest;	/* scores at least the highest positive */
	uint64_t at_highest;	/* scores equal to it */
};

/* Add s[0..n)'s places among t's positives to *p. */
typedef void (*place_fn)(const float *s, size_t n, const struct place_table *t,
    struct placed *p);

/* The loop for this processor: AVX-512, AVX2 or the portable one. */
place_fn place_kernel(void);

void place_baseline(const float *s, size_t n, const struct place_table *t, struct placed *p);
void place_avx2(const float *s, size_t n, const struct place_table *t, struct placed *p);
void place_avx512(const float *s, size_t n, const struct place_table *t, struct placed *p);

/*
 * A vector copy's entry: its search, inlined for each depth up to 8 (the
 * levels a constant, the loop unrolled), at run time for deeper ones, and
 * beyond 24 levels (16 M positives, where index sums would overflow their
 * 32-bit lanes) one score at a time.
 */
#define PLACE_BY_DEPTH(search, s, n, t, p)						\
	do {										\
		switch ((t)->levels) {							\
		case 1: search(s, n, t, p, 1); break;					\
		case 2: search(s, n, t, p, 2); break;					\
		case 3: search(s, n, t, p, 3); break;					\
		case 4: search(s, n, t, p, 4); break;					\
		case 5: search(s, n, t, p, 5); break;					\
		case 6: search(s, n, t, p, 6); break;					\
		case 7: search(s, n, t, p, 7); break;					\
		case 8: search(s, n, t, p, 8); break;					\
		default:								\
			if ((t)->levels <= 24)						\
				search(s, n, t, p, (t)->levels);			\
			else								\
				place_baseline(s, n, t, p);				\
		}									\
	} while (0)

/* One score, by two plain binary searches: the definition the loops keep. */
void place_one(const struct place_table *t, float s, struct placed *p);

#endif
