/*
 * The ranking metrics beside AUC, as one table: each row names a metric
 * of one user's ranking (at K, or of the whole ranking) and gives the
 * function that measures it; auc prints them in the table's order, each
 * averaged over the users. A new metric is one function and one row.
 */
#ifndef BPR_METRICS_H
#define BPR_METRICS_H

#include <stddef.h>
#include <stdint.h>

#include "eval/topk.h"

#define METRIC_SLOTS 8		/* room for the table's rows */

enum { LABEL_NEG = 0, LABEL_POS = 1, LABEL_SKIP = 2 };

/* What a metric sees of one user's ranking. */
struct ranked_user {
	const struct scored *top;	/* the best candidates, best first (index: candidate) */
	size_t got;			/* how many: k, or fewer candidates */
	uint32_t k;
	const uint8_t *label;		/* each candidate's LABEL_* */
	size_t npos;			/* the user's ranked positives */
	size_t first;			/* the best-placed positive's rank in the whole ranking, from 1 */
};

struct metric {
	const char *name;
	int at_k;		/* of the top k (printed name@K): measured only with k */
	double (*of)(const struct ranked_user *r);
};

extern const struct metric metrics[];
extern const size_t metric_count;

#endif
