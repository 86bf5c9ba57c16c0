#include "eval/pca.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "io/mem.h"

#define PCA_ITERATIONS 1000
#define PCA_TOLERANCE 1e-12

static double
dot(const double *a, const double *b, size_t d)
{
	double s = 0;
	size_t j;

	for (j = 0; j < d; j++)
		s += a[j] * b[j];
	return s;
}

/* v -= (v . u) u for each earlier axis u: stay orthogonal to them. */
static void
deflate(double *v, const double *axes, int found, size_t d)
{
	int a;
	size_t j;

	for (a = 0; a < found; a++) {
		double p = dot(v, axes + (size_t)a * d, d);
		for (j = 0; j < d; j++)
			v[j] -= p * axes[(size_t)a * d + j];
	}
}

static int
normalise(double *v, size_t d)
{
	double norm = sqrt(dot(v, v, d));
	size_t j;

	if (norm == 0)
		return -1;
	for (j = 0; j < d; j++)
		v[j] /= norm;
	return 0;
}

/* next = C v, C the covariance of the centred rows (never formed). */
static void
multiply(const float *x, size_t n, size_t d, size_t stride, const double *mean,
    const double *v, double *next, double *centred)
{
	size_t i, j;
	double p;

	memset(next, 0, d * sizeof(*next));
	for (i = 0; i < n; i++) {
		for (j = 0; j < d; j++)
			centred[j] = x[i * stride + j] - mean[j];
		p = dot(centred, v, d);
		for (j = 0; j < d; j++)
			next[j] += p * centred[j];
	}
}

/* A fixed start that is unlikely to be orthogonal to the axis sought. */
static void
start_vector(double *v, size_t d, int axis)
{
	size_t j;

	for (j = 0; j < d; j++)
		v[j] = 1.0 + 0.001 * (double)((j * 7 + (size_t)axis * 13) % 17);
}

static void
positive_sign(double *v, size_t d)
{
	size_t j, big = 0;

	for (j = 1; j < d; j++)
		if (fabs(v[j]) > fabs(v[big]))
			big = j;
	if (v[big] < 0)
		for (j = 0; j < d; j++)
			v[j] = -v[j];
}

static void
one_axis(const float *x, size_t n, size_t d, size_t stride, const double *mean, double *axes,
    int axis, double *next, double *centred)
{
	double *v = axes + (size_t)axis * d, change;
	int it;
	size_t j;

	start_vector(v, d, axis);
	deflate(v, axes, axis, d);
	normalise(v, d);
	for (it = 0; it < PCA_ITERATIONS; it++) {
		multiply(x, n, d, stride, mean, v, next, centred);
		deflate(next, axes, axis, d);
		if (normalise(next, d) < 0)
			break;	/* no variance left in this direction */
		for (change = 0, j = 0; j < d; j++)
			change += (next[j] - v[j]) * (next[j] - v[j]);
		memcpy(v, next, d * sizeof(*v));
		if (change < PCA_TOLERANCE)
			break;
	}
	positive_sign(v, d);
}

int
pca_axes(const float *x, size_t n, size_t d, size_t stride, int k, double *axes,
    double *mean, struct bpr_err *e)
{
	double *next = mem_array(d, sizeof(*next), 0, "PCA", e);
	double *centred = mem_array(d, sizeof(*centred), 0, "PCA", e);
	size_t i, j;
	int a;

	if (next == NULL || centred == NULL) {
		free(next);
		free(centred);
		return -1;
	}
	memset(mean, 0, d * sizeof(*mean));
	for (i = 0; i < n; i++)
		for (j = 0; j < d; j++)
			mean[j] += x[i * stride + j];
	for (j = 0; j < d && n > 0; j++)
		mean[j] /= (double)n;
	for (a = 0; a < k; a++)
		one_axis(x, n, d, stride, mean, axes, a, next, centred);
	free(next);
	free(centred);
	return 0;
}

void
pca_project(const float *row, size_t d, const double *mean, const double *axes, int k,
    double *out)
{
	size_t j;
	int a;

	for (a = 0; a < k; a++) {
		out[a] = 0;
		for (j = 0; j < d; j++)
			out[a] += (row[j] - mean[j]) * axes[(size_t)a * d + j];
	}
}
