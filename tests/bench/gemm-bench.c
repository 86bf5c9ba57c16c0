/*
 * gemm-bench: the machine's limit for scoring, timed beside auc and
 * bpr-score in make bench. The product of USERS x DIM user vectors and
 * ITEMS x DIM item vectors (random, seeded) is computed
 *
 *   sgemm   by the best sgemm found at run time (OpenBLAS, loaded with
 *           dlopen so that bprtools never depends on it), in blocks of
 *           2,048 users, C written in full as a BLAS does;
 *   kernel  by our scoring kernel (lib/eval/score_many), SCORE_USERS users
 *           a pass, the scores left in a per-thread buffer.
 *
 * One line each: name, what ran, seconds, GFLOP/s.
 *
 * usage: gemm-bench users items dim threads
 */
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "data/rng.h"
#include "eval/score_many.h"
#include "io/clock.h"
#include "io/mem.h"

enum { CBLAS_ROW_MAJOR = 101, CBLAS_NO_TRANS = 111, CBLAS_TRANS = 112 };
typedef void (*sgemm_fn)(int, int, int, int, int, int, float, const float *, int,
    const float *, int, float, float *, int);
typedef void (*set_threads_fn)(int);

#define SGEMM_BLOCK 2048

struct job {
	const struct score_items *cand;
	const float *users;
	size_t first, last, dim;
	float *out;
};

static void *
kernel_users(void *arg)
{
	struct job *j = arg;
	const float *rows[SCORE_USERS];
	score_fn kernel = score_kernel();
	size_t u, b, nb;

	for (u = j->first; u < j->last; u += nb) {
		nb = j->last - u < SCORE_USERS ? j->last - u : SCORE_USERS;
		for (b = 0; b < nb; b++)
			rows[b] = j->users + (u + b) * j->dim;
		score_users(kernel, j->cand, rows, (int)nb, j->out);
	}
	return NULL;
}

static double
time_kernel(const float *users, size_t nu, const float *items, size_t ni, size_t dim, int threads)
{
	struct score_items cand;
	struct bpr_err e;
	struct job jobs[64];
	pthread_t tid[64];
	double start;
	int t;

	if (score_items_pack(&cand, items, NULL, ni, dim, &e) < 0) {
		fprintf(stderr, "gemm-bench: %s\n", e.msg);
		exit(1);
	}
	start = monotonic_seconds();
	for (t = 0; t < threads; t++) {
		jobs[t] = (struct job){ &cand, users, nu * (size_t)t / (size_t)threads,
		    nu * (size_t)(t + 1) / (size_t)threads, dim,
		    malloc(SCORE_USERS * ni * sizeof(float)) };
		if (jobs[t].out == NULL || pthread_create(&tid[t], NULL, kernel_users, &jobs[t]) != 0) {
			fprintf(stderr, "gemm-bench: cannot start thread %d\n", t);
			exit(1);
		}
	}
	for (t = 0; t < threads; t++) {
		pthread_join(tid[t], NULL);
		free(jobs[t].out);
	}
	start = monotonic_seconds() - start;
	score_items_free(&cand);
	return start;
}

/* The product by a BLAS found at run time; < 0 without one. */
static double
time_sgemm(const float *users, size_t nu, const float *items, size_t ni, size_t dim, int threads,
    const char **which)
{
	static const char *const libs[] = { "libopenblas.so.0", "libopenblas.so", "libblis.so.4" };
	void *h = NULL;
	sgemm_fn sgemm;
	set_threads_fn set_threads;
	float *c;
	double start;
	size_t i, u, nb;

	for (i = 0; i < sizeof(libs) / sizeof(libs[0]) && h == NULL; i++)
		if ((h = dlopen(libs[i], RTLD_NOW | RTLD_LOCAL)) != NULL)
			*which = libs[i];
	if (h == NULL || (sgemm = (sgemm_fn)dlsym(h, "cblas_sgemm")) == NULL)
		return -1;
	if ((set_threads = (set_threads_fn)dlsym(h, "openblas_set_num_threads")) != NULL)
		set_threads(threads);
	if ((c = malloc(SGEMM_BLOCK * ni * sizeof(float))) == NULL)
		return -1;
	/* one block first, so that the library's threads are up */
	sgemm(CBLAS_ROW_MAJOR, CBLAS_NO_TRANS, CBLAS_TRANS, SGEMM_BLOCK, (int)ni, (int)dim, 1.0f,
	    users, (int)dim, items, (int)dim, 0.0f, c, (int)ni);
	start = monotonic_seconds();
	for (u = 0; u < nu; u += nb) {
		nb = nu - u < SGEMM_BLOCK ? nu - u : SGEMM_BLOCK;
		sgemm(CBLAS_ROW_MAJOR, CBLAS_NO_TRANS, CBLAS_TRANS, (int)nb, (int)ni, (int)dim, 1.0f,
		    users + u * dim, (int)dim, items, (int)dim, 0.0f, c, (int)ni);
	}
	start = monotonic_seconds() - start;
	free(c);
	return start;
}

static float *
random_rows(size_t n, size_t dim, uint64_t seed)
{
	struct bpr_rng r;
	float *w = mem_aligned(n, dim * sizeof(float), "rows", &(struct bpr_err){ 0 });
	size_t i;

	if (w == NULL) {
		fprintf(stderr, "gemm-bench: out of memory\n");
		exit(1);
	}
	rng_seed(&r, seed, 0, 0);
	for (i = 0; i < n * dim; i++)
		w[i] = (float)(rng_double(&r) - 0.5) * 0.2f;
	return w;
}

int
main(int argc, char **argv)
{
	size_t nu, ni, dim;
	int threads;
	float *users, *items;
	double flops, s;
	const char *which = "";

	if (argc != 5 || (nu = strtoul(argv[1], NULL, 10)) == 0 || (ni = strtoul(argv[2], NULL, 10)) == 0 ||
	    (dim = strtoul(argv[3], NULL, 10)) == 0 || dim % 16 != 0 ||
	    (threads = atoi(argv[4])) < 1 || threads > 64) {
		fprintf(stderr, "usage: gemm-bench users items dim(a multiple of 16) threads\n");
		return 2;
	}
	users = random_rows(nu, dim, 1);
	items = random_rows(ni, dim, 2);
	flops = 2.0 * (double)nu * (double)ni * (double)dim;
	if ((s = time_sgemm(users, nu, items, ni, dim, threads, &which)) > 0)
		printf("sgemm\t%s\t%.3f\t%.1f\n", which, s, flops / s / 1e9);
	else
		printf("sgemm\tnone found\t-\t-\n");
	s = time_kernel(users, nu, items, ni, dim, threads);
	printf("kernel\t%s\t%.3f\t%.1f\n", kernels_avx2() ? "fma" : "reference", s, flops / s / 1e9);
	free(users);
	free(items);
	return 0;
}
