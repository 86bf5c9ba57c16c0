/*
 * Principal axes of a set of vectors, by power iteration with deflation:
 * enough to draw a map of items in two dimensions.
 */
#ifndef BPR_PCA_H
#define BPR_PCA_H

#include <stddef.h>

#include "io/err.h"

/*
 * The first k principal axes (k x d, unit length, each with its largest
 * component positive) of n rows of d values, row i at x + i * stride, and
 * their mean (d values). Deterministic: no random start.
 */
int pca_axes(const float *x, size_t n, size_t d, size_t stride, int k, double *axes,
    double *mean, struct bpr_err *e);

/* Coordinates of one row on the axes: (row - mean) . axis. */
void pca_project(const float *row, size_t d, const double *mean, const double *axes, int k,
    double *out);

#endif
