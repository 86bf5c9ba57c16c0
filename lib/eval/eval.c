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
#include "io/progress.h"
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
 * The positives' places among themselves, as place counts them for every
 * score: each positive's (positives below it + positives at most it).
 */
static uint64_t
positives_own_places(const float *sorted, size_t npos)
{
	uint64_t sum = 0;
	size_t lo, hi;

	for (lo = 0; lo < npos; lo = hi) {
		for (hi = lo + 1; hi < npos && sorted[hi] == sorted[lo]; hi++)
			;
		sum += (uint64_t)(hi - lo) * (lo + hi);
	}
	return sum;
}

int
user_rank_reserve(struct user_rank *r, size_t npos, uint32_t k, struct bpr_err *e)
{
	if (r->heap == NULL || k != r->k) {
		free(r->heap);
		if ((r->heap = mem_array((size_t)k + 1, sizeof(struct scored), 0, "ranking", e)) == NULL)
			return -1;
		r->k = k;
		r->place = place_kernel();
	}
	if (npos <= r->cap && r->sorted != NULL)
		return 0;
	free(r->sorted);
	free(r->levels);
	r->cap = npos > 2 * r->cap ? npos : 2 * r->cap;
	r->sorted = mem_array(r->cap + 1, sizeof(float), 0, "ranking", e);
	r->levels = mem_array(place_table_size(r->cap), sizeof(float), 0, "ranking", e);
	if (r->sorted == NULL || r->levels == NULL) {
		r->cap = 0;
		return -1;
	}
	return 0;
}

void
user_rank_free(struct user_rank *r)
{
	free(r->sorted);
	free(r->levels);
	free(r->heap);
	memset(r, 0, sizeof(*r));
}

void
user_rank_begin(struct user_rank *r, size_t npos, size_t skipped)
{
	r->npos = npos;
	r->skipped = skipped;
	sort_array(r->sorted, npos, sizeof(*r->sorted), ascending_float);
	place_table_build(&r->table, r->sorted, npos, r->levels);
	memset(&r->placed, 0, sizeof(r->placed));
	if (r->k > 0)
		topk_reset(&r->top, r->heap, r->k);
}

void
user_rank_feed(struct user_rank *r, const float *score, size_t first, size_t n)
{
	r->place(score, n, &r->table, &r->placed);
	if (r->k > 0)
		topk_offer_scores(&r->top, score, n, NULL, first);
}

int
user_rank_finish(struct user_rank *r, size_t n, const uint8_t *label, size_t equal_earlier,
    struct user_metrics *out)
{
	const struct placed *p = &r->placed;
	size_t npos = r->npos, negatives = n - npos - r->skipped;
	uint64_t twice;		/* 2 x (positive above + 1/2 tie) pairs: exact */
	struct ranked_user ru = { .k = r->k, .label = label, .npos = npos };

	memset(out, 0, sizeof(*out));
	if (negatives == 0)
		return -1;
	/* every score's (2 x positives above + ties), less the positives' own */
	twice = 2 * (uint64_t)npos * p->scored - p->below_twice -
	    (2 * (uint64_t)npos * npos - positives_own_places(r->sorted, npos));
	out->auc = (double)twice / (2.0 * (double)npos * (double)negatives);
	/* the best positive: below those above it, and equal ones before it */
	ru.first = n - r->skipped - (p->scored - p->from_highest) - p->at_highest +
	    (p->at_highest > 1 ? equal_earlier : 0) + 1;
	if (r->k > 0) {
		ru.got = topk_sorted(&r->top);
		ru.top = r->top.heap;
	}
	table_metrics(&ru, out);
	return 0;
}

/*
 * The best of npos positives, score[i] of candidate pos[i]: the highest
 * score, the first candidate of equals. Returns its i.
 */
static size_t
best_positive(const float *score, const uint32_t *pos, size_t npos)
{
	size_t best = 0, i;

	for (i = 1; i < npos; i++)
		if (score[i] > score[best] || (score[i] == score[best] && pos[i] < pos[best]))
			best = i;
	return best;
}

int
user_metrics(const float *score, size_t n, size_t npos, size_t skipped, struct rank_space *w,
    struct user_metrics *out)
{
	size_t i, equal_earlier = 0;
	uint32_t best;

	for (i = 0; i < npos; i++)
		w->rank.sorted[i] = score[w->pos[i]];
	best = w->pos[best_positive(w->rank.sorted, w->pos, npos)];
	user_rank_begin(&w->rank, npos, skipped);
	user_rank_feed(&w->rank, score, 0, n);
	for (i = 0; w->rank.placed.at_highest > 1 && i < best; i++)
		equal_earlier += score[i] == score[best];
	return user_rank_finish(&w->rank, n, w->label, equal_earlier, out);
}

void
rank_space_free(struct rank_space *w)
{
	free(w->label);
	free(w->pos);
	user_rank_free(&w->rank);
	memset(w, 0, sizeof(*w));
}

int
rank_space_alloc(struct rank_space *w, size_t n, uint32_t k, struct bpr_err *e)
{
	memset(w, 0, sizeof(*w));
	w->label = mem_array(n, 1, 1, "ranking", e);
	w->pos = mem_array(n, sizeof(uint32_t), 0, "ranking", e);
	return w->label && w->pos && user_rank_reserve(&w->rank, n, k, e) == 0 ? 0 : -1;
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
	int32_t *test_cand, *exclude_cand;
	/* the notebook's ranking beside the clean one: each id's candidate and back */
	int32_t *id_cand;
	uint32_t *order;
	size_t nids;
	struct eval_job *beside;	/* that ranking, fed the same scores */
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

	if (j->id_cand != NULL)
		return id < j->nids ? j->id_cand[id] : -1;
	switch (j->c->universe) {
	case UNIVERSE_ALL_IDS:
		return id < j->ncand ? (int64_t)id : -1;
	case UNIVERSE_LIST:
		return find_id(j->cand_id, j->ncand, id);
	default:
		return idmap_find(&j->m->item_rows, id);
	}
}

/* Label user tu's test positives known as candidates; their candidates into pos. */
static size_t
label_positives(const struct eval_job *j, size_t tu, uint8_t *label, uint32_t *pos)
{
	const struct positives *t = j->test;
	size_t k, npos = 0;
	int64_t c;

	for (k = t->start[tu]; k < t->start[tu + 1]; k++)
		if ((c = j->test_cand[t->items[k]]) >= 0) {
			label[c] = LABEL_POS;
			pos[npos++] = (uint32_t)c;
		}
	return npos;
}

static void
label_list(uint8_t *label, const uint32_t *c, size_t n, uint8_t value)
{
	size_t i;

	for (i = 0; i < n; i++)
		label[c[i]] = value;
}

/*
 * Begin user tu: its positives labelled (candidates into pos) and the
 * candidates it leaves out (its train positives that are not test
 * positives) labelled and listed in skip; what it has counted into j.
 * Returns its positives, or -1 out of memory.
 */
static int64_t
begin_user(struct eval_job *j, size_t tu, uint8_t *label, uint32_t *pos, struct left_out *skip)
{
	const struct positives *t = j->test, *x = j->exclude;
	size_t k, npos = label_positives(j, tu, label, pos);
	int64_t c, xu = x != NULL ? positives_user_index(x, t->user_id[tu]) : -1;
	int failed = 0;

	skip->n = 0;
	for (k = xu >= 0 ? x->start[xu] : 0; xu >= 0 && k < x->start[xu + 1]; k++) {
		c = j->exclude_cand[x->items[k]];
		if (c >= 0 && label[c] == LABEL_NEG) {
			label[c] = LABEL_SKIP;
			failed |= left_out_add(skip, (uint32_t)c) < 0;
		}
	}
	j->npos[tu] = npos;
	j->nunknown[tu] = t->start[tu + 1] - t->start[tu] - npos;
	j->nexcl[tu] = skip->n;
	j->evaluated[tu] = EVAL_WITHOUT;
	return failed ? -1 : (int64_t)npos;
}

/* Metrics of test user tu from its row of scores (the blend's). */
static void
measure_user(struct eval_job *j, size_t tu, float *score, struct rank_space *w,
    struct left_out *skip)
{
	int64_t npos = begin_user(j, tu, w->label, w->pos, skip);
	size_t i;

	if (npos < 0) {
		j->failed = 1;
		return;
	}
	for (i = 0; i < skip->n; i++)
		score[skip->c[i]] = NAN;
	if (npos > 0 && user_metrics(score, j->ncand, (size_t)npos, skip->n, w,
	    &j->per_user[tu]) == 0)
		j->evaluated[tu] = EVAL_DONE;
	label_list(w->label, w->pos, (size_t)(npos > 0 ? npos : 0), LABEL_NEG);
	label_list(w->label, skip->c, skip->n, LABEL_NEG);
}

/* The blend's test users, one at a time. */
static void
blend_users(struct eval_job *j)
{
	struct blend_scratch s;
	struct rank_space w;
	struct left_out skip = { 0 };
	struct bpr_err e;
	float *score = mem_array(j->ncand + 1, sizeof(float), 0, "scores", &e);
	size_t tu;

	if (score == NULL || rank_space_alloc(&w, j->ncand, j->c->k, &e) < 0 ||
	    blend_scratch_alloc(&s, j->ncand, &e) < 0) {
		j->failed = 1;
		free(score);
		rank_space_free(&w);
		return;
	}
	for (tu = j->first; tu < j->last; tu++) {
		if (!shard_has(&j->c->shard, j->test->user_id[tu]))
			j->evaluated[tu] = EVAL_OTHER_SHARD;
		else if (blend_user(j->c->blend, j->test->user_id[tu], score, &s) > 0)
			measure_user(j, tu, score, &w, &skip);
		if (!j->c->quiet)
			progress_add(1);
	}
	blend_scratch_free(&s);
	rank_space_free(&w);
	left_out_free(&skip);
	free(score);
}

/*
 * Users scored together: the candidates' panels are read from memory once
 * a block (make bench, 3 rounds: auc at 1.52x sgemm with 24 users a
 * block, 1.40x with 96).
 */
#define EVAL_USERS 96

/*
 * A test user of a block scored together: its ranking, fed each tile of
 * scores while the tile is in cache, and the candidates it leaves out.
 */
struct user_slot {
	struct user_rank rank;
	struct left_out skip;
	uint32_t best;		/* the best positive's candidate */
	size_t tu;
	const float *row;	/* the user's vector */
	int ranked;		/* has a positive to rank */
};

/* What one evaluation thread works with. */
struct slot_space {
	struct user_slot slot[EVAL_USERS];
	struct user_slot beside[EVAL_USERS];	/* the notebook's ranking, when beside */
	const struct eval_job *j;
	uint8_t *label;		/* by candidate: all LABEL_NEG between users */
	uint32_t *pos;		/* a user's positive candidates */
	float *tile;		/* a tile's scores (score_tile_alloc) */
	score_fn score;
	score_pick_fn pick;
};

/*
 * Start user tu in slot u: its positives' scores (the kernel's bits),
 * placed, and the candidates it leaves out. twin, for the notebook's
 * ranking beside the clean one, is the user's clean slot: the notebook's
 * positives are the clean ones (rows first, in the same order) and those
 * without a row, so as many of them are the same ones, scored already.
 * Returns -1 out of memory.
 */
static int
slot_begin(struct eval_job *j, struct slot_space *w, struct user_slot *u, size_t tu,
    const struct user_slot *twin)
{
	struct bpr_err e;
	int64_t npos = begin_user(j, tu, w->label, w->pos, &u->skip);

	if (npos < 0)
		return -1;
	/* the label array serves the whole block: clear it until the user's end */
	label_list(w->label, w->pos, (size_t)npos, LABEL_NEG);
	label_list(w->label, u->skip.c, u->skip.n, LABEL_NEG);
	u->tu = tu;
	if (!(u->ranked = npos > 0))
		return 0;
	if (user_rank_reserve(&u->rank, (size_t)npos, j->c->k, &e) < 0)
		return -1;
	left_out_ready(&u->skip);
	if (twin != NULL && twin->ranked && twin->rank.npos == (size_t)npos) {
		memcpy(u->rank.sorted, twin->rank.sorted, (size_t)npos * sizeof(float));
		u->best = twin->best;
	} else {
		w->pick(j->cand, u->row, w->pos, (size_t)npos, u->rank.sorted);
		u->best = w->pos[best_positive(u->rank.sorted, w->pos, (size_t)npos)];
	}
	user_rank_begin(&u->rank, (size_t)npos, u->skip.n);
	return 0;
}

/* A slot's part of a tile: its left-out candidates NaN, then ranked. */
static void
rank_slot(struct user_slot *u, float *score, size_t first, size_t n)
{
	if (!u->ranked)
		return;
	left_out_blank(&u->skip, score, first, n);
	user_rank_feed(&u->rank, score, first, n);
}

/*
 * User b's part of a tile (a tile_feed_fn): the notebook's ranking beside
 * first, which leaves nothing out, then the job's own, whose candidates
 * may end before the scored ones do.
 */
static void
slot_feed(void *space, int b, float *score, size_t first, size_t n)
{
	struct slot_space *w = space;
	size_t own = w->j->ncand;

	if (w->j->beside != NULL)
		rank_slot(&w->beside[b], score, first, n);
	if (first < own)
		rank_slot(&w->slot[b], score, first, own - first < n ? own - first : n);
}

/* The candidates before the best positive, not left out, with its score. */
static size_t
equal_before_best(struct eval_job *j, struct slot_space *w, struct user_slot *u)
{
	float s, best = u->rank.sorted[u->rank.npos - 1];
	size_t n = 0;
	uint32_t c;

	for (c = 0; c < u->best; c++)
		if (w->label[c] != LABEL_SKIP) {
			w->pick(j->cand, u->row, &c, 1, &s);
			n += s == best;
		}
	return n;
}

/* The user's metrics, its labels set meanwhile where they serve. */
static void
slot_finish(struct eval_job *j, struct slot_space *w, struct user_slot *u)
{
	/* the labels serve the top k's metrics and ties with the best only */
	int labelled = j->c->k > 0 || u->rank.placed.at_highest > 1;
	size_t npos = 0, equal = 0;

	if (!u->ranked)
		return;
	if (labelled) {
		npos = label_positives(j, u->tu, w->label, w->pos);
		label_list(w->label, u->skip.c, u->skip.n, LABEL_SKIP);
	}
	if (u->rank.placed.at_highest > 1)
		equal = equal_before_best(j, w, u);
	if (user_rank_finish(&u->rank, j->ncand, w->label, equal, &j->per_user[u->tu]) == 0)
		j->evaluated[u->tu] = EVAL_DONE;
	if (labelled) {
		label_list(w->label, w->pos, npos, LABEL_NEG);
		label_list(w->label, u->skip.c, u->skip.n, LABEL_NEG);
	}
}

static void
slot_space_free(struct slot_space *w)
{
	int b;

	for (b = 0; b < EVAL_USERS; b++) {
		user_rank_free(&w->slot[b].rank);
		left_out_free(&w->slot[b].skip);
		user_rank_free(&w->beside[b].rank);
		left_out_free(&w->beside[b].skip);
	}
	free(w->label);
	free(w->pos);
	free(w->tile);
	memset(w, 0, sizeof(*w));
}

static int
slot_space_alloc(struct slot_space *w, const struct eval_job *j, struct bpr_err *e)
{
	memset(w, 0, sizeof(*w));
	w->j = j;
	w->score = score_kernel();
	w->pick = score_pick_kernel();
	/* every scored candidate: the notebook's beside may rank more than the job */
	w->label = mem_array(j->cand->n + 1, 1, 1, "ranking", e);
	w->pos = mem_array(j->cand->n + 1, sizeof(uint32_t), 0, "ranking", e);
	w->tile = score_tile_alloc(j->cand, EVAL_USERS, e);
	return w->label && w->pos && w->tile ? 0 : -1;
}

/* The next few test users the model knows, from *tu on, into the slots. */
static int
next_block(struct eval_job *j, struct slot_space *w, size_t *tu, const float **rows)
{
	int64_t urow;
	int n;

	for (n = 0; n < EVAL_USERS && *tu < j->last; (*tu)++) {
		if (!shard_has(&j->c->shard, j->test->user_id[*tu])) {
			j->evaluated[*tu] = EVAL_OTHER_SHARD;
			if (j->beside != NULL)
				j->beside->evaluated[*tu] = EVAL_OTHER_SHARD;
			continue;
		}
		if ((urow = idmap_find(&j->m->user_rows, j->test->user_id[*tu])) < 0)
			continue;
		rows[n] = w->slot[n].row = w->beside[n].row = model_row(&j->m->user, (size_t)urow);
		if (slot_begin(j, w, &w->slot[n], *tu, NULL) < 0 ||
		    (j->beside != NULL && slot_begin(j->beside, w, &w->beside[n], *tu, &w->slot[n]) < 0))
			return -1;
		n++;
	}
	return n;
}

/* The thread's users, EVAL_USERS at a time, over the candidates a tile at a time. */
static void *
eval_users(void *arg)
{
	struct eval_job *j = arg;
	struct slot_space w;
	struct bpr_err e;
	const float *rows[EVAL_USERS];
	size_t tu = j->first, from;
	int n, b;

	if (j->c->blend != NULL) {
		blend_users(j);
		return NULL;
	}
	if (slot_space_alloc(&w, j, &e) < 0) {
		j->failed = 1;
		slot_space_free(&w);
		return NULL;
	}
	while (tu < j->last) {
		from = tu;
		if ((n = next_block(j, &w, &tu, rows)) < 0) {
			j->failed = 1;
			break;
		}
		score_by_tiles(w.score, j->cand, rows, n, w.tile, slot_feed, &w);
		for (b = 0; b < n; b++) {
			slot_finish(j, &w, &w.slot[b]);
			if (j->beside != NULL)
				slot_finish(j->beside, &w, &w.beside[b]);
		}
		if (!j->c->quiet)
			progress_add(tu - from);
	}
	slot_space_free(&w);
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
	if (j->order != NULL)
		return j->order[k];
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
 * The job's candidates' vectors and biases: rows' own, or (for candidates
 * the model has no row for) tags alone; counts those in *cold.
 */
static int
candidate_vectors(const struct bpr_model *m, struct eval_job *j, float **items, float **bias,
    size_t *cold, struct bpr_err *e)
{
	size_t width = m->ipad + m->tpad, k;
	int rc;

	j->width = width;
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

/* The candidates of c's universe, their vectors and biases (candidate_vectors). */
static int
build_candidates(const struct bpr_model *m, const struct positives *test,
    const struct eval_config *c, struct eval_job *j, float **items, float **bias,
    uint32_t *max_id, size_t *cold, struct bpr_err *e)
{
	j->cand_id = c->ids;
	*max_id = largest_id(m, test, c);
	j->ncand = c->universe == UNIVERSE_ALL_IDS ? (size_t)*max_id + 1 :
	    c->universe == UNIVERSE_LIST ? c->nids : m->item.rows;
	return candidate_vectors(m, j, items, bias, cold, e);
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

/* A job's and its result's per-user arrays; -1 out of memory. */
static int
job_alloc(struct eval_job *j, const struct positives *test, struct eval_result *r,
    struct bpr_err *e)
{
	size_t n = test->nusers;

	memset(r, 0, sizeof(*r));
	r->nusers = n;
	j->per_user = mem_array(n + 1, sizeof(*j->per_user), 1, "evaluation", e);
	j->evaluated = mem_array(n + 1, 1, 1, "evaluation", e);
	j->npos = mem_array(n + 1, sizeof(size_t), 1, "evaluation", e);
	j->nexcl = mem_array(n + 1, sizeof(size_t), 1, "evaluation", e);
	j->nunknown = mem_array(n + 1, sizeof(size_t), 1, "evaluation", e);
	r->user = mem_array(n + 1, sizeof(*r->user), 0, "evaluation", e);
	r->user_id = mem_array(n + 1, sizeof(uint32_t), 0, "evaluation", e);
	if (!j->per_user || !j->evaluated || !j->npos || !j->nexcl || !j->nunknown || !r->user ||
	    !r->user_id)
		return -1;
	memcpy(r->user_id, test->user_id, n * sizeof(uint32_t));
	return 0;
}

static void
job_free(struct eval_job *j)
{
	free(j->test_cand);
	free(j->exclude_cand);
	free(j->id_cand);
	free(j->order);
	free(j->per_user);
	free(j->evaluated);
	free(j->npos);
	free(j->nexcl);
	free(j->nunknown);
}

/* Each test (and exclude) item's candidate, for the job's universe. */
static int
job_map_items(struct eval_job *j, struct bpr_err *e)
{
	if ((j->test_cand = positives_item_map(j->test, candidate_of, j, e)) == NULL)
		return -1;
	if (j->exclude != NULL &&
	    (j->exclude_cand = positives_item_map(j->exclude, candidate_of, j, e)) == NULL)
		return -1;
	return 0;
}

/*
 * The candidates of a clean ranking (c, the model's items in row order)
 * with the notebook's beside it (nb: every id 0..max): the rows, then
 * every other id, scored by its tags alone. The clean ranking takes the
 * first j->ncand; the notebook's all of them, in another order than its
 * own evaluation's, which its AUC does not depend on.
 */
static int
build_beside_candidates(const struct bpr_model *m, const struct positives *test,
    struct eval_job *j, struct eval_job *nb, struct eval_result *rnb, float **items,
    float **bias, struct bpr_err *e)
{
	size_t rows = m->item.rows, k, id;

	rnb->max_id = largest_id(m, test, nb->c);
	nb->nids = nb->ncand = (size_t)rnb->max_id + 1;
	nb->id_cand = mem_array(nb->nids, sizeof(int32_t), 0, "candidates", e);
	nb->order = mem_array(nb->nids, sizeof(uint32_t), 0, "candidates", e);
	if (nb->id_cand == NULL || nb->order == NULL)
		return -1;
	for (id = 0; id < nb->nids; id++)
		nb->id_cand[id] = -1;
	for (k = 0; k < rows; k++) {
		nb->order[k] = m->item_rows.ids[k];
		nb->id_cand[nb->order[k]] = (int32_t)k;
	}
	for (id = 0; id < nb->nids; id++)
		if (nb->id_cand[id] < 0) {
			nb->order[k] = (uint32_t)id;
			nb->id_cand[id] = (int32_t)k++;
		}
	j->ncand = rows;
	j->width = m->ipad + m->tpad;
	return candidate_vectors(m, nb, items, bias, &rnb->cold, e);
}

static int
evaluate_jobs(const struct bpr_model *m, const struct positives *test,
    const struct positives *exclude, const struct eval_config *c, struct eval_result *r,
    const struct eval_config *nbc, struct eval_result *rnb, struct bpr_err *e)
{
	struct eval_job j = { .m = m, .test = test, .exclude = exclude, .c = c };
	struct eval_job nb = { .m = m, .test = test, .c = nbc };
	float *items = NULL, *bias = NULL;
	struct score_items cand = { 0 };
	size_t n = test->nusers;
	int rc = -1;

	if (job_alloc(&j, test, r, e) < 0 || (rnb != NULL && job_alloc(&nb, test, rnb, e) < 0))
		goto done;
	if (rnb != NULL ?
	    build_beside_candidates(m, test, &j, &nb, rnb, &items, &bias, e) < 0 :
	    build_candidates(m, test, c, &j, &items, &bias, &r->max_id, &r->cold, e) < 0)
		goto done;
	if (score_items_pack(&cand, items, bias, rnb != NULL ? nb.ncand : j.ncand, j.width, e) < 0 ||
	    job_map_items(&j, e) < 0 || (rnb != NULL && job_map_items(&nb, e) < 0))
		goto done;
	free(items);		/* packed: cand keeps the rows too */
	items = NULL;
	j.cand = nb.cand = &cand;
	r->candidates = j.ncand;
	if (rnb != NULL) {
		r->max_id = rnb->max_id;
		rnb->candidates = nb.ncand;
		j.beside = &nb;
	}
	if (!c->quiet)
		progress_stage(n, "users", "ranking test users");
	rc = run_jobs(&j, c->threads, n, e);
	if (!c->quiet)
		progress_done();
	if (rc < 0)
		goto done;
	summarise(r, &j, test);
	if (rnb != NULL)
		summarise(rnb, &nb, test);
	rc = 0;
done:
	free(items);
	free(bias);
	score_items_free(&cand);
	job_free(&j);
	job_free(&nb);
	if (rc < 0) {
		eval_result_free(r);
		if (rnb != NULL)
			eval_result_free(rnb);
	}
	return rc;
}

int
evaluate(const struct bpr_model *m, const struct positives *test,
    const struct positives *exclude, const struct eval_config *c, struct eval_result *r,
    struct bpr_err *e)
{
	return evaluate_jobs(m, test, exclude, c, r, NULL, NULL, e);
}

int
evaluate_with_notebook(const struct bpr_model *m, const struct positives *test,
    const struct positives *exclude, const struct eval_config *c, struct eval_result *r,
    const struct eval_config *nbc, struct eval_result *nb, struct bpr_err *e)
{
	if (c->universe != UNIVERSE_MODEL || c->blend != NULL || nbc->universe != UNIVERSE_ALL_IDS ||
	    nbc->k != 0 || nbc->ids != NULL || nbc->blend != NULL)
		return bpr_fail(e, "evaluate_with_notebook: a clean ranking and the notebook's AUC only");
	return evaluate_jobs(m, test, exclude, c, r, nbc, nb, e);
}

int
evaluate_blend(const struct blend *b, const struct positives *test,
    const struct positives *exclude, const struct eval_config *c, struct eval_result *r,
    struct bpr_err *e)
{
	struct eval_config bc = { .universe = UNIVERSE_LIST, .ids = b->ids, .nids = b->ncand,
	    .k = c->k, .threads = c->threads, .quiet = c->quiet, .shard = c->shard, .blend = b };

	if (evaluate(b->part[0].m, test, exclude, &bc, r, e) < 0)
		return -1;
	r->cold = b->cold;	/* not only the first model's */
	return 0;
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
