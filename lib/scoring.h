/*
 * Scores of many users against every candidate item: the inner loop of
 * auc and bpr-score --top. Users are taken a few at a time so that each
 * candidate's vector, once loaded, serves all of them, and the loop is
 * compiled for AVX2 too (chosen at run time). Every score has the bits of
 * model_score: the same 16-lane order of the same products.
 */
#ifndef BPR_SCORING_H
#define BPR_SCORING_H

#include <stddef.h>

#define SCORE_BLOCK 4	/* users scored together */

/*
 * out[u * n + c] = users[u] . items[c] (+ bias[c]) for u < nu <= SCORE_BLOCK,
 * c < n; rows are width floats (a multiple of 16), 64-byte aligned.
 */
typedef void (*score_fn)(const float *const *users, int nu, const float *items,
    const float *bias, size_t n, size_t width, float *out);

/*
 * The version for this processor (AVX2 if it has it, unless the
 * environment sets BPRTOOLS_REFERENCE, which asks for the baseline code).
 */
score_fn score_kernel(void);

void score_users_baseline(const float *const *users, int nu, const float *items,
    const float *bias, size_t n, size_t width, float *out);
void score_users_avx2(const float *const *users, int nu, const float *items,
    const float *bias, size_t n, size_t width, float *out);

#endif
