/*
 * pca-check: read rows of numbers (TAB or space separated) from standard
 * input and print the first principal axis, one value per line, computed
 * by lib/eval/pca.c's power iteration.
 */
#include <stdio.h>
#include <stdlib.h>

#include "eval/pca.h"

int
main(void)
{
	float *x = NULL;
	size_t n = 0, d = 0, cap = 0, cols = 0, j;
	double *axes, *mean, v;
	struct bpr_err e;
	int c;

	/* numbers, rows ending at newlines */
	while (scanf("%lf", &v) == 1) {
		if (n == cap && (x = realloc(x, (cap = cap ? cap * 2 : 64) * sizeof(*x))) == NULL)
			return 2;
		x[n++] = (float)v;
		cols++;
		while ((c = getchar()) == ' ' || c == '\t')
			;
		if (c == '\n' || c == EOF) {
			if (d == 0)
				d = cols;
			if (cols != d)
				return 2;
			cols = 0;
		} else {
			ungetc(c, stdin);
		}
	}
	if (d == 0 || (axes = malloc(d * sizeof(*axes))) == NULL || (mean = malloc(d * sizeof(*mean))) == NULL)
		return 2;
	if (pca_axes(x, n / d, d, d, 1, axes, mean, &e) < 0)
		return 1;
	for (j = 0; j < d; j++)
		printf("%.9f\n", axes[j]);
	free(x);
	free(axes);
	free(mean);
	return 0;
}
