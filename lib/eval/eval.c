#include "eval/eval.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "data/sort.h"
#include "eval/score_many.h"
#include "io/mem.h"
#include "io/output.h"
#include "model/model_impl.h"
#include "model/vec.h"

static const char *const compat_list[] = { "none", "notebook" };
const struct names compat_names = NAMES_OF(compat_list);

static int
ascending_float(const void *a, const void *b)
{
	float x = *(const float *)a, y = *(const float *)b;

	return (x > y) - (x < y);
}

/* How many of sorted[0..n), n >= 1, are below s (strict) or at most s. */
static size_t
count_below(const float *sorted, size_t n, float s, int or_equal)
{
	size_t lo = 0, half;

	while (n > 1) {
		half = n / 2;
		lo += (size_t)(or_equal ? sorted[lo + half - 1] <= s : sorted[lo + half - 1] < s) * half;
		n -= half;
	}
	return lo + (or_equal ? sorted[lo] <= s : sorted[lo] < s);
}

/*
 * The sorted positive scores of a user, cut into buckets of equal width
 * between the lowest and the highest, so that placing a score among them
 * is a multiply, a load and a scan of a bucket or two positives long,
 * instead of a binary search over them all. A score's bucket is a
 * monotone function of it, so positives in lower buckets are below it and
 * those in higher ones above: only its own bucket is compared, and the
 * counts stay exact.
 */
struct pos_index {
	const float *sorted;
	size_t npos, nb;
	double lowest, scale;
	uint32_t *start;	/* nb + 1: the first positive of each bucket */
};

/* The bucket of s >= lowest. */
static size_t
bucket_of(const struct pos_index *x, float s)
{
	double b = ((double)s - x->lowest) * x->scale;

	return b < (double)(x->nb - 1) ? (size_t)b : x->nb - 1;
}

static void
pos_index_build(struct pos_index *x, const float *sorted, size_t npos, uint32_t *start)
{
	size_t i = 0, b;

	x->sorted = sorted;
	x->npos = npos;
	x->nb = 2 * npos;
	x->start = start;
	x->lowest = sorted[0];
	x->scale = sorted[npos - 1] > sorted[0] ?
	    (double)x->nb / ((double)sorted[npos - 1] - (double)sorted[0]) : 0;
	if (!isfinite(x->scale))	/* positives a denormal apart: one bucket */
		x->scale = 0;
	for (b = 0; b <= x->nb; b++) {
		while (i < npos && bucket_of(x, sorted[i]) < b)
			i++;
		start[b] = (uint32_t)i;
	}
}

/* Positives with score above s and equal to s; lowest <= s. */
static void
count_positives_vs(const struct pos_index *x, float s, size_t *above, size_t *equal)
{
	size_t b = bucket_of(x, s), lo = x->start[b], hi = x->start[b + 1], le, lt;

	if (hi - lo > 16) {	/* a crowded bucket: search it */
		le = lo + count_below(x->sorted + lo, hi - lo, s, 1);
		lt = lo + count_below(x->sorted + lo, hi - lo, s, 0);
	} else {
		for (le = lo; le < hi && x->sorted[le] <= s; le++)
			;
		for (lt = lo; lt < le && x->sorted[lt] < s; lt++)
			;
	}
	*above = x->npos - le;
	*equal = le - lt;
}

/* Every metric of the table: those at k only when k is asked for. */
static void
table_metrics(const struct ranked_user *ru, struct user_metrics *out)
{
	size_t i;

	for (i = 0; i < metric_count; i++)
		if (!metrics[i].at_k || ru->k > 0)
			out->value[i] = metrics[i].of(ru);
}

/*
 * Up to this many positives, their places among the scores are tallied in
 * vector passes over all scores (TALLY_WIDTH positives a pass); with more,
 * each negative is placed among them through the bucket index, a scalar
 * pass whose cost does not grow with the positives.
 */
#define TALLY_POSITIVES 256

/*
 * Twice the (positive above negative + 1/2 tie) pairs, by tallying each
 * positive against every score (NaN, the skipped, count as neither), then
 * taking out the positives' own places among themselves.
 */
static uint64_t
pairs_by_tally(const float *score, size_t n, const float *sorted_pos, size_t npos,
    tally_fn tally, uint32_t *high_below, uint32_t *high_equal)
{
	float t[TALLY_WIDTH];
	uint32_t below[TALLY_WIDTH], equal[TALLY_WIDTH];
	uint64_t twice = 0;
	size_t j, q, lo = 0, hi = 0;

	for (j = 0; j < npos; j += TALLY_WIDTH) {
		for (q = 0; q < TALLY_WIDTH; q++)
			t[q] = sorted_pos[j + q < npos ? j + q : npos - 1];
		tally(score, n, t, below, equal);
		for (q = 0; q < TALLY_WIDTH && j + q < npos; q++) {
			/* positives below sorted_pos[j + q]: lo; equal to it: hi - lo */
			while (sorted_pos[lo] < t[q])
				lo++;
			for (hi = hi > lo ? hi : lo; hi < npos && sorted_pos[hi] == t[q]; hi++)
				;
			twice += 2 * (below[q] - lo) + (equal[q] - (hi - lo));
		}
	}
	/* the last threshold tallied is the highest positive */
	*high_below = below[(npos - 1) % TALLY_WIDTH];
	*high_equal = equal[(npos - 1) % TALLY_WIDTH];
	return twice;
}

/* The same pairs, each negative placed among the positives by the index. */
static uint64_t
pairs_by_buckets(const float *score, const uint8_t *label, size_t n, const float *sorted_pos,
    size_t npos, uint32_t *buckets)
{
	struct pos_index index;
	float lowest = sorted_pos[0], highest = sorted_pos[npos - 1];
	size_t i, above, equal;
	uint64_t twice = 0;

	pos_index_build(&index, sorted_pos, npos, buckets);
	for (i = 0; i < n; i++) {
		float s = score[i];
		if (label[i] != LABEL_NEG)
			continue;
		/* most negatives fall below every positive: no search needed */
		if (s < lowest)
			above = npos, equal = 0;
		else if (s > highest)
			above = 0, equal = 0;
		else
			count_positives_vs(&index, s, &above, &equal);
		twice += 2 * above + equal;
	}
	return twice;
}

/* How many of s[0..n) are below v, and equal to it. */
static void
tally_value(tally_fn tally, const float *s, size_t n, float v, uint32_t *below, uint32_t *equal)
{
	float t[TALLY_WIDTH];
	uint32_t b[TALLY_WIDTH], e[TALLY_WIDTH];
	size_t q;

	for (q = 0; q < TALLY_WIDTH; q++)
		t[q] = v;
	tally(s, n, t, b, e);
	*below = b[0];
	*equal = e[0];
}

/*
 * The rank of the best positive (the highest score, the first of equals):
 * the candidates above it, or equal and earlier, given how many of the
 * ranked candidates are below and equal to its score.
 */
static size_t
before_best(const float *score, size_t ranked, uint32_t best, tally_fn tally, uint32_t below,
    uint32_t equal)
{
	uint32_t below_earlier, equal_earlier = 0;

	if (equal > 1)	/* ties with the best: those before it rank above */
		tally_value(tally, score, best, score[best], &below_earlier, &equal_earlier);
	return ranked - below - equal + equal_earlier;
}

int
user_metrics(const float *score, size_t n, size_t npos, size_t skipped, uint32_t k,
    struct rank_space *w, struct user_metrics *out)
{
	size_t i, negatives = n - npos - skipped;
	uint64_t twice;		/* 2 x (positive above + 1/2 tie) pairs: exact */
	uint32_t best = w->pos[0], below, equal;
	struct ranked_user ru = { .k = k, .label = w->label, .npos = npos };
	struct topk top;

	memset(out, 0, sizeof(*out));
	if (negatives == 0)
		return -1;
	for (i = 0; i < npos; i++) {
		w->sorted[i] = score[w->pos[i]];
		if (score[w->pos[i]] > score[best] || (score[w->pos[i]] == score[best] &&
		    w->pos[i] < best))
			best = w->pos[i];
	}
	sort_array(w->sorted, npos, sizeof(*w->sorted), ascending_float);
	if (npos <= TALLY_POSITIVES) {
		twice = pairs_by_tally(score, n, w->sorted, npos, w->tally, &below, &equal);
	} else {
		twice = pairs_by_buckets(score, w->label, n, w->sorted, npos, w->buckets);
		tally_value(w->tally, score, n, score[best], &below, &equal);
	}
	out->auc = (double)twice / (2.0 * (double)npos * (double)negatives);
	ru.first = before_best(score, n - skipped, best, w->tally, below, equal) + 1;
	if (k > 0) {
		topk_reset(&top, w->heap, k);
		topk_offer_scores(&top, score, n, NULL);
		ru.got = topk_sorted(&top);
		ru.top = top.heap;
	}
	table_metrics(&ru, out);
	return 0;
}

void
rank_space_free(struct rank_space *w)
{
	free(w->label);
	free(w->pos);
	free(w->sorted);
	free(w->buckets);
	free(w->heap);
	memset(w, 0, sizeof(*w));
}

int
rank_space_alloc(struct rank_space *w, size_t n, uint32_t k, struct bpr_err *e)
{
	w->label = mem_array(n, 1, 1, "ranking", e);
	w->pos = mem_array(n, sizeof(uint32_t), 0, "ranking", e);
	w->sorted = mem_array(n, sizeof(float), 0, "ranking", e);
	w->buckets = mem_array(2 * n + 1, sizeof(uint32_t), 0, "ranking", e);
	w->heap = mem_array(k + 1, sizeof(struct scored), 0, "ranking", e);
	w->tally = tally_kernel();
	return w->label && w->pos && w->sorted && w->buckets && w->heap ? 0 : -1;
}

/* ------------------------------------------------------- model evaluation */

/* What became of a test user. */
enum eval_state {
	EVAL_UNKNOWN,		/* not in the model (the state before any) */
	EVAL_DONE,
	EVAL_WITHOUT,		/* no positive or no negative to rank */
	EVAL_OTHER_SHARD,
};

struct eval_job {
	const struct bpr_model *m;
	const struct positives *test, *exclude;
	const struct eval_config *c;
	const struct score_items *cand;	/* candidates' vectors and biases, packed */
	const uint32_t *cand_id;	/* UNIVERSE_LIST: the candidates' ids */
	/* the candidate of each universe index of test and exclude, or -1 */
	const int32_t *test_cand, *exclude_cand;
	size_t ncand, width;
	size_t first, last;		/* test users [first, last) */
	struct user_metrics *per_user;
	uint8_t *evaluated;		/* an enum eval_state */
	size_t *npos, *nexcl, *nunknown;
	int failed;
};

/* Index of key in ascending a[0..n), or -1. */
static int64_t
find_id(const uint32_t *a, size_t n, uint32_t key)
{
	size_t lo = 0, hi = n, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (a[mid] < key)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < n && a[lo] == key ? (int64_t)lo : -1;
}

/* Candidate index of an item id, or -1. */
static int64_t
candidate_of(const void *job, uint32_t id)
{
	const struct eval_job *j = job;

	switch (j->c->universe) {
	case UNIVERSE_ALL_IDS:
		return id < j->ncand ? (int64_t)id : -1;
	case UNIVERSE_LIST:
		return find_id(j->cand_id, j->ncand, id);
	default:
		return idmap_find(&j->m->item_rows, id);
	}
}

/*
 * Label the user's test positives and (if excluding) train positives; the
 * scores of the ones left out become NaN, as user_metrics wants.
 */
static size_t
label_user(const struct eval_job *j, size_t tu, float *score, struct rank_space *w,
    size_t *unknown, size_t *excluded)
{
	const struct positives *t = j->test, *x = j->exclude;
	size_t k, npos = 0;
	int64_t c, xu;

	for (k = t->start[tu]; k < t->start[tu + 1]; k++) {
		if ((c = j->test_cand[t->items[k]]) < 0) {
			(*unknown)++;
			continue;
		}
		w->label[c] = LABEL_POS;
		w->pos[npos++] = (uint32_t)c;
	}
	xu = x != NULL ? positives_user_index(x, t->user_id[tu]) : -1;
	for (k = xu >= 0 ? x->start[xu] : 0; xu >= 0 && k < x->start[xu + 1]; k++) {
		c = j->exclude_cand[x->items[k]];
		if (c >= 0 && w->label[c] == LABEL_NEG) {
			rank_skip(w, score, (size_t)c);
			(*excluded)++;
		}
	}
	return npos;
}

static void
unlabel_user(const struct eval_job *j, size_t tu, uint8_t *label)
{
	const struct positives *t = j->test, *x = j->exclude;
	size_t k;
	int64_t c, xu;

	for (k = t->start[tu]; k < t->start[tu + 1]; k++)
		if ((c = j->test_cand[t->items[k]]) >= 0)
			label[c] = LABEL_NEG;
	xu = x != NULL ? positives_user_index(x, t->user_id[tu]) : -1;
	for (k = xu >= 0 ? x->start[xu] : 0; xu >= 0 && k < x->start[xu + 1]; k++)
		if ((c = j->exclude_cand[x->items[k]]) >= 0)
			label[c] = LABEL_NEG;
}

/* Metrics of test user tu from its row of scores. */
static void
measure_user(struct eval_job *j, size_t tu, float *score, struct rank_space *w)
{
	size_t npos = label_user(j, tu, score, w, &j->nunknown[tu], &j->nexcl[tu]);

	j->npos[tu] = npos;
	j->evaluated[tu] = EVAL_WITHOUT;
	if (npos > 0 && user_metrics(score, j->ncand, npos, j->nexcl[tu], j->c->k, w,
	    &j->per_user[tu]) == 0)
		j->evaluated[tu] = EVAL_DONE;
	unlabel_user(j, tu, w->label);
}

/* The blend's test users, one at a time (score holds a user's candidates). */
static void
blend_users(struct eval_job *j, struct rank_space *w, float *score)
{
	struct blend_scratch s;
	struct bpr_err e;
	size_t tu;

	if (blend_scratch_alloc(&s, j->ncand, &e) < 0) {
		j->failed = 1;
		return;
	}
	for (tu = j->first; tu < j->last; tu++) {
		if (!shard_has(&j->c->shard, j->test->user_id[tu]))
			j->evaluated[tu] = EVAL_OTHER_SHARD;
		else if (blend_user(j->c->blend, j->test->user_id[tu], score, &s) > 0)
			measure_user(j, tu, score, w);
	}
	blend_scratch_free(&s);
}

static void *
eval_users(void *arg)
{
	struct eval_job *j = arg;
	score_fn score = score_kernel();
	struct rank_space w;
	struct bpr_err e;
	const float *rows[SCORE_USERS];
	size_t tu = j->first, block[SCORE_USERS];
	float *scores = mem_array(j->ncand * SCORE_USERS, sizeof(float), 0, "scores", &e);
	int64_t urow;
	int n, b;

	if (rank_space_alloc(&w, j->ncand, j->c->k, &e) < 0 || scores == NULL) {
		j->failed = 1;
		rank_space_free(&w);
		free(scores);
		return NULL;
	}
	if (j->c->blend != NULL) {
		blend_users(j, &w, scores);
		tu = j->last;
	}
	while (tu < j->last) {
		/* the next few test users the model knows */
		for (n = 0; n < SCORE_USERS && tu < j->last; tu++) {
			if (!shard_has(&j->c->shard, j->test->user_id[tu])) {
				j->evaluated[tu] = EVAL_OTHER_SHARD;
				continue;
			}
			if ((urow = idmap_find(&j->m->user_rows, j->test->user_id[tu])) < 0)
				continue;
			block[n] = tu;
			rows[n++] = model_row(&j->m->user, (size_t)urow);
		}
		score_users(score, j->cand, rows, n, scores);
		for (b = 0; b < n; b++)
			measure_user(j, block[b], scores + (size_t)b * j->ncand, &w);
	}
	rank_space_free(&w);
	free(scores);
	return NULL;
}

/* The largest id of the model, the test set and the list. */
static uint32_t
largest_id(const struct bpr_model *m, const struct positives *test, const struct eval_config *c)
{
	uint32_t max = 0;
	size_t i;

	for (i = 0; i < m->item.rows; i++)
		max = m->item_rows.ids[i] > max ? m->item_rows.ids[i] : max;
	for (i = 0; i < test->nitems; i++)
		max = test->item_id[i] > max ? test->item_id[i] : max;
	for (i = 0; i < c->nids; i++)
		max = c->ids[i] > max ? c->ids[i] : max;
	return max;
}

/* The id of candidate k. */
static uint32_t
candidate_id(const struct eval_job *j, size_t k)
{
	switch (j->c->universe) {
	case UNIVERSE_ALL_IDS:
		return (uint32_t)k;
	case UNIVERSE_LIST:
		return j->cand_id[k];
	default:
		return j->m->item_rows.ids[k];
	}
}

/*
 * Candidate vectors and biases: rows' own, or (for candidates the model
 * has no row for) tags alone; counts those in *cold.
 */
static int
build_candidates(const struct bpr_model *m, const struct positives *test,
    const struct eval_config *c, struct eval_job *j, float **items, float **bias,
    uint32_t *max_id, size_t *cold, struct bpr_err *e)
{
	size_t width = m->ipad + m->tpad, k;
	int rc;

	j->width = width;
	j->cand_id = c->ids;
	*max_id = largest_id(m, test, c);
	j->ncand = c->universe == UNIVERSE_ALL_IDS ? (size_t)*max_id + 1 :
	    c->universe == UNIVERSE_LIST ? c->nids : m->item.rows;
	*items = mem_aligned(j->ncand + 1, width * sizeof(float), "candidate vectors", e);
	*bias = m->use_bias ? mem_array(j->ncand + 1, sizeof(float), 1, "biases", e) : NULL;
	if (*items == NULL || (m->use_bias && *bias == NULL))
		return -1;
	*cold = 0;
	for (k = 0; k < j->ncand; k++) {
		float b;
		if ((rc = model_item_vector(m, candidate_id(j, k), *items + k * width, &b, e)) < 0)
			return -1;
		*cold += rc == 0;
		if (*bias != NULL)
			(*bias)[k] = b;
	}
	return 0;
}

/* Count user tu's metrics, over npos ranked positives, into the sums. */
void
eval_add_user(struct eval_result *r, size_t tu, const struct user_metrics *um, size_t npos)
{
	size_t i;

	r->users++;
	r->positives += npos;
	r->user[tu] = *um;
	r->auc += um->auc;
	for (i = 0; i < metric_count; i++)
		r->value[i] += um->value[i];
}

/* The sums into means over the evaluated users. */
void
eval_finish(struct eval_result *r)
{
	size_t i;

	if (r->users == 0)
		return;
	r->auc /= (double)r->users;
	for (i = 0; i < metric_count; i++)
		r->value[i] /= (double)r->users;
}

static void
summarise(struct eval_result *r, const struct eval_job *j, const struct positives *test)
{
	size_t tu;

	for (tu = 0; tu < test->nusers; tu++) {
		r->user[tu].auc = NAN;
		r->positives_unknown += j->nunknown[tu];
		if (j->evaluated[tu] == EVAL_OTHER_SHARD)
			continue;
		if (j->evaluated[tu] == EVAL_UNKNOWN) {
			r->users_unknown++;
			continue;
		}
		if (j->evaluated[tu] == EVAL_WITHOUT) {
			r->users_without++;
			continue;
		}
		eval_add_user(r, tu, &j->per_user[tu], j->npos[tu]);
	}
	eval_finish(r);
}

static int
run_jobs(struct eval_job *base, int threads, size_t nusers, struct bpr_err *e)
{
	struct eval_job jobs[64];
	int i, n = threads < 1 ? 1 : threads > 64 ? 64 : threads;

	for (i = 0; i < n; i++) {
		jobs[i] = *base;
		jobs[i].first = nusers * (size_t)i / (size_t)n;
		jobs[i].last = nusers * (size_t)(i + 1) / (size_t)n;
	}
	if (output_run_threads(n, eval_users, jobs, sizeof(jobs[0])) < 0)
		return bpr_fail(e, "cannot start an evaluation thread");
	for (i = 0; i < n; i++)
		if (jobs[i].failed)
			return bpr_fail(e, "out of memory while evaluating");
	return 0;
}

int
evaluate(const struct bpr_model *m, const struct positives *test,
    const struct positives *exclude, const struct eval_config *c, struct eval_result *r,
    struct bpr_err *e)
{
	struct eval_job j = { .m = m, .test = test, .exclude = exclude, .c = c };
	float *items = NULL, *bias = NULL;
	struct score_items cand = { 0 };
	int32_t *test_cand = NULL, *exclude_cand = NULL;
	size_t n = test->nusers;
	int rc = -1;

	memset(r, 0, sizeof(*r));
	r->nusers = n;
	j.per_user = mem_array(n + 1, sizeof(*j.per_user), 1, "evaluation", e);
	j.evaluated = mem_array(n + 1, 1, 1, "evaluation", e);
	j.npos = mem_array(n + 1, sizeof(size_t), 1, "evaluation", e);
	j.nexcl = mem_array(n + 1, sizeof(size_t), 1, "evaluation", e);
	j.nunknown = mem_array(n + 1, sizeof(size_t), 1, "evaluation", e);
	r->user = mem_array(n + 1, sizeof(*r->user), 0, "evaluation", e);
	r->user_id = mem_array(n + 1, sizeof(uint32_t), 0, "evaluation", e);
	if (!j.per_user || !j.evaluated || !j.npos || !j.nexcl || !j.nunknown || !r->user ||
	    !r->user_id || build_candidates(m, test, c, &j, &items, &bias, &r->max_id, &r->cold, e) < 0 ||
	    score_items_pack(&cand, items, bias, j.ncand, j.width, e) < 0 ||
	    (test_cand = positives_item_map(test, candidate_of, &j, e)) == NULL ||
	    (exclude != NULL &&
	    (exclude_cand = positives_item_map(exclude, candidate_of, &j, e)) == NULL))
		goto done;
	j.test_cand = test_cand;
	j.exclude_cand = exclude_cand;
	memcpy(r->user_id, test->user_id, n * sizeof(uint32_t));
	j.cand = &cand;
	r->candidates = j.ncand;
	if (run_jobs(&j, c->threads, n, e) < 0)
		goto done;
	summarise(r, &j, test);
	rc = 0;
done:
	free(items);
	free(bias);
	score_items_free(&cand);
	free(test_cand);
	free(exclude_cand);
	free(j.per_user);
	free(j.evaluated);
	free(j.npos);
	free(j.nexcl);
	free(j.nunknown);
	if (rc < 0)
		eval_result_free(r);
	return rc;
}

void
eval_result_free(struct eval_result *r)
{
	free(r->user);
	free(r->user_id);
	r->user = NULL;
	r->user_id = NULL;
}

void
eval_protocol(const struct eval_result *r, const struct eval_config *c, int excluded,
    int from_scores, char *buf, size_t size)
{
	char universe[160];

	if (from_scores)
		snprintf(universe, sizeof(universe), "the items scored for each user (up to %zu)",
		    r->candidates);
	else if (c->universe == UNIVERSE_ALL_IDS)
		snprintf(universe, sizeof(universe), "every id 0..%u (notebook; %zu without a row)",
		    r->max_id, r->cold);
	else if (c->universe == UNIVERSE_LIST)
		snprintf(universe, sizeof(universe), "the list's %zu items (%zu without a row: by tags)",
		    r->candidates, r->cold);
	else
		snprintf(universe, sizeof(universe), "the model's %zu items", r->candidates);
	snprintf(buf, size, "ranked: %s; train positives: %s; ties: 1/2; users: %zu "
	    "(%zu not in the %s, %zu without a test item to rank); test positives: %zu "
	    "(%zu not rankable)", universe,
	    excluded ? "left out of the ranking" : "counted as negatives", r->users,
	    r->users_unknown, from_scores ? "scores" : "model", r->users_without, r->positives,
	    r->positives_unknown);
}
