/*
 * Scores of many users against every candidate item: the inner loop of
 * auc, bpr-score and bpr-train's evaluation, a matrix product. It is
 * blocked as a GEMM is: the candidates are packed once into panels of
 * SCORE_NR items stored in the order the kernel reads them (dimension by
 * dimension, the panel's items side by side), and a step keeps SCORE_MR
 * users x SCORE_NR items of sums in registers while it streams the shared
 * dimension, with fused multiply-adds where the processor has them.
 *
 * Every score is the same bits on every path: s = 0, then
 * s = fmaf(user[k], item[k], s) for k = 0, 1, ... in order (IEEE 754 defines
 * the fused result exactly), then s + bias. vec_dot_fused is that order for
 * one pair; the portable path calls fmaf() in it.
 */
#ifndef BPR_SCORE_MANY_H
#define BPR_SCORE_MANY_H

#include <stddef.h>
#include <stdint.h>

#include "io/err.h"

#define SCORE_MR 6		/* users a kernel step scores together */
#define SCORE_NR 16		/* items in a packed panel */
#define SCORE_USERS 24		/* users a pass over the items serves */
#define SCORE_TILE_BYTES (256 * 1024)	/* panels scored in turn: stay in L2 */

/* Candidates packed for the kernel. */
struct score_items {
	float *panel;		/* panels x width x SCORE_NR: item c, dim k at
				 * panel[(c / NR) * width * NR + k * NR + c % NR] */
	float *bias;		/* n rounded up to SCORE_NR, or NULL */
	float *rows;		/* n x width, row by row: a few chosen ones read fast */
	size_t n, panels, width;
};

/*
 * Pack n candidate rows of width floats (bias: n values or NULL); rows
 * past n in the last panel are zeros.
 */
int score_items_pack(struct score_items *s, const float *items, const float *bias, size_t n,
    size_t width, struct bpr_err *e);
void score_items_free(struct score_items *s);

/*
 * out[u * stride + c - first * SCORE_NR] = users[u] . item c (+ bias[c])
 * for u < nu <= SCORE_MR and the items c of panels [first, last).
 */
typedef void (*score_fn)(const float *const *users, int nu, const struct score_items *s,
    size_t first, size_t last, float *out, size_t stride);

/*
 * Which copy of the hot loops (scoring, placing, training) to run: the
 * environment's BPRTOOLS_REFERENCE (set, and not "0") asks for the plain
 * baseline code, and "avx2" the AVX2 copies at most (so that the tests
 * check them on a processor with AVX-512); otherwise AVX2 (with FMA), or
 * AVX-512 for the loops that have such a copy (place.h, training), where
 * the processor has it.
 */
int kernels_reference(void);
int kernels_avx2(void);
int kernels_avx512(void);

/* The scoring loop for this processor. */
score_fn score_kernel(void);

void score_panels_reference(const float *const *users, int nu, const struct score_items *s,
    size_t first, size_t last, float *out, size_t stride);
void score_panels_fma(const float *const *users, int nu, const struct score_items *s,
    size_t first, size_t last, float *out, size_t stride);

/*
 * out[u * s->n + c] for u < nu <= SCORE_USERS and every candidate c: the
 * panels a tile at a time, each tile scored for all nu users while it is
 * in cache, so that the candidates are read from memory once per
 * SCORE_USERS users.
 */
void score_users(score_fn kernel, const struct score_items *s, const float *const *users,
    int nu, float *out);

/* Room for one tile's scores of nu users, for score_by_tiles. */
float *score_tile_alloc(const struct score_items *s, int nu, struct bpr_err *e);

/* What a tile's scores go to: user u's, candidates first .. first + n - 1. */
typedef void (*tile_feed_fn)(void *ctx, int u, float *score, size_t first, size_t n);

/*
 * Every candidate for nu users, a tile of panels at a time into tile
 * (from score_tile_alloc for at least nu), each user's part of it fed on
 * while it is in cache: no user's whole row of scores is ever stored.
 */
void score_by_tiles(score_fn kernel, const struct score_items *s, const float *const *users,
    int nu, float *tile, tile_feed_fn feed, void *ctx);

/*
 * The scores of candidates c[0..n) for one user, the kernel's bits:
 * a few at a time, for the places of a user's positives.
 */
typedef void (*score_pick_fn)(const struct score_items *s, const float *user,
    const uint32_t *c, size_t n, float *out);

score_pick_fn score_pick_kernel(void);
void score_pick_baseline(const struct score_items *s, const float *user, const uint32_t *c,
    size_t n, float *out);
void score_pick_fma(const struct score_items *s, const float *user, const uint32_t *c,
    size_t n, float *out);

/*
 * Bit i set where s[i] >= t, for the 64 scores s[0..64): a pass that
 * finds the few candidates that can enter a top-k list, 8 compares at a
 * time, leaving the heap only those (a NaN is never at least t).
 */
typedef uint64_t (*at_least_fn)(const float *s, float t);

at_least_fn at_least_kernel(void);
uint64_t at_least_baseline(const float *s, float t);
uint64_t at_least_avx2(const float *s, float t);

#endif
