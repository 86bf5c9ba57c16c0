/*
 * Scores of many users against every candidate item: the inner loop of
 * auc and bpr-score --top. Users are taken a few at a time so that each
 * candidate's vector, once loaded, serves all of them, and the loop is
 * compiled for AVX2 too (chosen at run time). Every score has the bits of
 * model_score: the same 16-lane order of the same products.
 */
#ifndef BPR_SCORE_MANY_H
#define BPR_SCORE_MANY_H

#include <stddef.h>
#include <stdint.h>

#define SCORE_BLOCK 4		/* users a kernel call scores together */
#define SCORE_USERS 16		/* users a pass over the items serves */
#define SCORE_TILE_BYTES (64 * 1024)	/* items scored in turn: stay in L2 */

/*
 * out[u * stride + c] = users[u] . items[c] (+ bias[c]) for u < nu <=
 * SCORE_BLOCK, c < n; rows are width floats (a multiple of 16), 64-byte
 * aligned.
 */
typedef void (*score_fn)(const float *const *users, int nu, const float *items,
    const float *bias, size_t n, size_t width, float *out, size_t stride);

/*
 * Which copy of the hot loops (scoring, tallying, training) to run: the
 * environment's BPRTOOLS_REFERENCE (set, and not "0") asks for the plain
 * baseline code; otherwise AVX2 where the processor has it.
 */
int kernels_reference(void);
int kernels_avx2(void);

/* The scoring loop for this processor. */
score_fn score_kernel(void);

void score_users_baseline(const float *const *users, int nu, const float *items,
    const float *bias, size_t n, size_t width, float *out, size_t stride);
void score_users_avx2(const float *const *users, int nu, const float *items,
    const float *bias, size_t n, size_t width, float *out, size_t stride);

#define TALLY_WIDTH 4		/* thresholds a tally pass compares with */

/*
 * below[j] and equal[j]: how many of s[0..n) are below t[j] and equal to
 * it, for j < TALLY_WIDTH (a NaN is neither): where a user's few
 * positives fall among all the scores, in one vectorised pass.
 */
typedef void (*tally_fn)(const float *s, size_t n, const float *t, uint32_t *below,
    uint32_t *equal);

tally_fn tally_kernel(void);
void tally_baseline(const float *s, size_t n, const float *t, uint32_t *below, uint32_t *equal);
void tally_avx2(const float *s, size_t n, const float *t, uint32_t *below, uint32_t *equal);

/*
 * out[u * n + c] for u < nu <= SCORE_USERS and every candidate c < n: the
 * items a tile at a time, each tile scored for all nu users while it is
 * in cache, so that the item table is read from memory once per
 * SCORE_USERS users instead of once per SCORE_BLOCK.
 */
void score_users(score_fn kernel, const float *const *users, int nu, const float *items,
    const float *bias, size_t n, size_t width, float *out);

#endif
