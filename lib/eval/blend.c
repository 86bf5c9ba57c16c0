/* Rank blending of several models (blend.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "data/sort.h"
#include "eval/blend.h"
#include "eval/score_many.h"
#include "io/mem.h"
#include "model/model_impl.h"

static uint32_t *
candidates(const struct bpr_model *const *m, size_t nparts, int all_ids,
    const uint32_t *list, size_t nlist, uint32_t max_test_item, size_t *n, struct bpr_err *e)
{
	uint32_t *ids, max = max_test_item;
	size_t k, i;

	if (list != NULL && !all_ids) {
		if ((ids = mem_array(nlist + 1, sizeof(uint32_t), 0, "candidates", e)) != NULL)
			memcpy(ids, list, nlist * sizeof(uint32_t));
		*n = nlist;
		return ids;
	}
	if (!all_ids) {
		if ((ids = model_ids(m[0], MODEL_ITEMS, n, e)) != NULL)
			sort_u32(ids, *n);
		return ids;
	}
	for (i = 0; i < nlist; i++)
		max = list[i] > max ? list[i] : max;
	for (k = 0; k < nparts; k++)
		for (i = 0; i < m[k]->item.rows; i++)
			max = m[k]->item_rows.ids[i] > max ? m[k]->item_rows.ids[i] : max;
	if ((ids = mem_array((size_t)max + 1, sizeof(uint32_t), 0, "candidates", e)) == NULL)
		return NULL;
	for (i = 0; i <= max; i++)
		ids[i] = (uint32_t)i;
	*n = (size_t)max + 1;
	return ids;
}

/*
 * The part's candidates: rows' own vectors, or tags alone; packed. Those
 * it has no row for are marked in lacks[0..n).
 */
static int
pack_part(struct blend_part *p, const uint32_t *ids, size_t n, unsigned char *lacks,
    struct bpr_err *e)
{
	size_t width = p->m->ipad + p->m->tpad, c;
	float *items = mem_aligned(n + 1, width * sizeof(float), "candidate vectors", e);
	float *bias = p->m->use_bias ? mem_array(n + 1, sizeof(float), 1, "biases", e) : NULL;
	float spare;		/* where a bias goes without one */
	int rc = -1, got = 0;

	if (items == NULL || (p->m->use_bias && bias == NULL))
		goto done;
	for (c = 0; c < n; c++) {
		if ((got = model_item_vector(p->m, ids[c], items + c * width,
		    bias != NULL ? bias + c : &spare, e)) < 0)
			goto done;
		lacks[c] |= got == 0;
	}
	rc = score_items_pack(&p->cand, items, bias, n, width, e);
done:
	free(items);
	free(bias);
	return rc;
}

int
blend_open(struct blend *b, const struct bpr_model *const *m, const double *weight,
    size_t nparts, int all_ids, const uint32_t *list, size_t nlist, uint32_t max_id,
    struct bpr_err *e)
{
	size_t k, n, c;
	uint32_t *ids;
	unsigned char *lacks;
	double total;

	memset(b, 0, sizeof(*b));
	if (nparts > BLEND_MAX)
		return bpr_fail_usage(e, "at most %d models can be blended", BLEND_MAX);
	for (k = 0, total = 0; weight != NULL && k < nparts; k++) {
		if (!(weight[k] >= 0))
			return bpr_fail_usage(e, "a blend's weight may not be below 0 (%g)", weight[k]);
		total += weight[k];
	}
	if (weight != NULL && !(total > 0))
		return bpr_fail_usage(e, "the blend's weights add up to 0: at least one must be above 0");
	if ((ids = candidates(m, nparts, all_ids, list, nlist, max_id, &n, e)) == NULL)
		return -1;
	b->ids = ids;
	b->ncand = n;
	if ((lacks = mem_array(n + 1, 1, 1, "candidates", e)) == NULL) {
		blend_close(b);
		return -1;
	}
	for (k = 0; k < nparts; k++) {
		struct blend_part *p = &b->part[b->nparts++];
		p->m = m[k];
		p->weight = weight != NULL ? weight[k] : 1.0;
		if (pack_part(p, ids, n, lacks, e) < 0) {
			free(lacks);
			blend_close(b);
			return -1;
		}
	}
	for (c = 0; c < n; c++)
		b->cold += lacks[c];
	free(lacks);
	return 0;
}

void
blend_close(struct blend *b)
{
	size_t k;

	for (k = 0; k < b->nparts; k++) {
		score_items_free(&b->part[k].cand);
	}
	free(b->ids);
	b->ids = NULL;
	b->nparts = 0;
}

void
blend_weights_text(const struct blend *b, char *buf, size_t size)
{
	size_t k, at = 0;

	buf[0] = '\0';
	for (k = 0; k < b->nparts && at < size; k++)
		at += (size_t)snprintf(buf + at, size - at, "%s%.17g", k > 0 ? "," : "",
		    b->part[k].weight);
}

void
blend_describe(const struct blend *b, const char *const *paths, int weighted, char *buf,
    size_t size)
{
	char weights[BLEND_WEIGHTS_TEXT];
	size_t k, at = 0;

	buf[0] = '\0';
	for (k = 0; k < b->nparts && at < size; k++)
		at += (size_t)snprintf(buf + at, size - at, "%s%s", k == 0 ? "rank blend of " : " + ",
		    paths[k]);
	if (weighted && at < size) {
		blend_weights_text(b, weights, sizeof(weights));
		snprintf(buf + at, size - at, " (weights %s)", weights);
	}
}

/* One block: the sums, then the pairs, then the scores (alignment kept in that order). */
int
blend_scratch_alloc(struct blend_scratch *s, size_t ncand, struct bpr_err *e)
{
	size_t one = sizeof(double) + sizeof(struct scored) + sizeof(float);
	char *block = mem_array(ncand + 1, one, 0, "blending", e);

	s->sum = (double *)(void *)block;
	s->pairs = block ? (struct scored *)(void *)(block + (ncand + 1) * sizeof(double)) : NULL;
	s->score = block ? (float *)(void *)(block + (ncand + 1) * (sizeof(double) +
	    sizeof(struct scored))) : NULL;
	return block ? 0 : -1;
}

void
blend_scratch_free(struct blend_scratch *s)
{
	free(s->sum);
	s->sum = NULL;
	s->pairs = NULL;
	s->score = NULL;
}

/* Best first: higher score, then lower index. */
static int
best_first(const void *pa, const void *pb)
{
	const struct scored *a = pa, *b = pb;

	if (a->score != b->score)
		return a->score > b->score ? -1 : 1;
	return a->index < b->index ? -1 : a->index > b->index;
}

/* Add weight x each candidate's rank (from 1; a tie's mean) to sum. */
static void
add_ranks(const float *score, size_t n, double weight, struct scored *pairs, double *sum)
{
	size_t c, from, to;

	for (c = 0; c < n; c++)
		pairs[c] = (struct scored){ score[c], (uint32_t)c };
	sort_array(pairs, n, sizeof(*pairs), best_first);
	for (from = 0; from < n; from = to) {
		for (to = from + 1; to < n && pairs[to].score == pairs[from].score; to++)
			;
		/* places from+1 .. to share their mean */
		for (c = from; c < to; c++)
			sum[pairs[c].index] += weight * (double)(from + 1 + to) / 2.0;
	}
}

size_t
blend_user(const struct blend *b, uint32_t id, float *out, struct blend_scratch *s)
{
	score_fn kernel = score_kernel();
	double total = 0;
	size_t k, c, have = 0;
	int64_t row;

	memset(s->sum, 0, b->ncand * sizeof(double));
	for (k = 0; k < b->nparts; k++) {
		const struct blend_part *p = &b->part[k];
		const float *u;
		/* a model of weight 0 has no say, not even in who is ranked */
		if (p->weight == 0 || (row = idmap_find(&p->m->user_rows, id)) < 0)
			continue;
		u = model_row(&p->m->user, (size_t)row);
		score_users(kernel, &p->cand, &u, 1, s->score);
		add_ranks(s->score, b->ncand, p->weight, s->pairs, s->sum);
		total += p->weight;
		have++;
	}
	for (c = 0; have > 0 && c < b->ncand; c++)
		out[c] = (float)(-s->sum[c] / total);
	return have;
}
