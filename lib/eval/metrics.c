#include "eval/metrics.h"

#include <math.h>

/* Positives among the top k. */
static size_t
hits(const struct ranked_user *r)
{
	size_t i, h = 0;

	for (i = 0; i < r->got; i++)
		h += r->label[r->top[i].index] == LABEL_POS;
	return h;
}

static double
precision(const struct ranked_user *r)
{
	return (double)hits(r) / r->k;
}

static double
recall(const struct ranked_user *r)
{
	return (double)hits(r) / (double)r->npos;
}

/* Binary gains discounted by log2 of the rank + 1, over the best possible. */
static double
ndcg(const struct ranked_user *r)
{
	double dcg = 0, idcg = 0;
	size_t i;

	for (i = 0; i < r->got; i++)
		if (r->label[r->top[i].index] == LABEL_POS)
			dcg += 1 / log2((double)i + 2);
	for (i = 0; i < r->npos && i < r->k; i++)
		idcg += 1 / log2((double)i + 2);
	return dcg / idcg;
}

/* Precision at each positive's rank, averaged over min(positives, k). */
static double
average_precision(const struct ranked_user *r)
{
	double ap = 0;
	size_t i, h = 0;

	for (i = 0; i < r->got; i++) {
		if (r->label[r->top[i].index] == LABEL_POS) {
			h++;
			ap += (double)h / (double)(i + 1);
		}
	}
	return ap / (double)(r->npos < r->k ? r->npos : r->k);
}

static double
reciprocal_rank(const struct ranked_user *r)
{
	return 1.0 / (double)r->first;
}

const struct metric metrics[] = {
	{ "p", 1, precision },
	{ "r", 1, recall },
	{ "ndcg", 1, ndcg },
	{ "map", 1, average_precision },
	{ "mrr", 0, reciprocal_rank },
};

const size_t metric_count = sizeof(metrics) / sizeof(metrics[0]);
