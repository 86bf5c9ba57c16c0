#include "eval/query.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eval/score_many.h"
#include "eval/topk.h"
#include "io/filekind.h"
#include "io/mem.h"
#include "io/output.h"
#include "io/parse.h"
#include "io/progress.h"
#include "io/text.h"
#include "model/model_impl.h"
#include "model/vec.h"

int
titles_read(struct titles *t, struct bpr_input *in, const char *kind, const char *label,
    struct bpr_err *e)
{
	char shape[64];
	struct field f[2];
	const char *why;
	uint32_t id;
	size_t len, before;
	int64_t k;
	char *line;
	int rc;

	memset(t, 0, sizeof(*t));
	if (idmap_init(&t->items, 4096) < 0)
		return bpr_fail(e, "out of memory");
	snprintf(shape, sizeof(shape), "%s<TAB>%s", kind, label);
	if (expect_text(in, shape, 1, e) < 0)
		return -1;
	while ((rc = input_record(in, &line, &len, e)) > 0) {
		if (split_fields(line, len, "\t", 1, f, 2) != 2)
			return bpr_fail_at(e, input_name(in), input_lineno(in), "expected %s", shape);
		if (parse_id(f[0].s, f[0].len, &id, &why) < 0)
			return bpr_fail_at(e, input_name(in), input_lineno(in), "%s id '%.*s' %s",
			    kind, field_show(&f[0]), why);
		before = t->items.count;
		if ((k = idmap_add(&t->items, id)) < 0 ||
		    mem_grow(&t->title, &t->cap, t->items.count, sizeof(*t->title), "titles", e) < 0)
			return bpr_fail(e, "out of memory");
		if (t->items.count == before)
			return bpr_fail_at(e, input_name(in), input_lineno(in), "%s %u has two %ss", kind,
			    id, label);
		if ((t->title[k] = strndup(f[1].s, f[1].len)) == NULL)
			return bpr_fail(e, "out of memory");
	}
	return rc;
}

const char *
titles_get(const struct titles *t, uint32_t item)
{
	int64_t k = t->items.slots ? idmap_find(&t->items, item) : -1;

	return k >= 0 ? t->title[k] : "";
}

void
titles_free(struct titles *t)
{
	size_t i;

	for (i = 0; i < t->items.count && t->title != NULL; i++)
		free(t->title[i]);
	free(t->title);
	idmap_free(&t->items);
}

struct rec_job {
	const struct bpr_model *m;
	const struct blend *blend;
	const struct score_items *cand;	/* the model's items, packed */
	const uint32_t *users;
	const struct positives *exclude;
	const int32_t *exclude_row;	/* the model row of each of exclude's items, or -1 */
	size_t first, last;
	uint32_t k;
	struct ranked *out;
	uint32_t *got;
	float *score;			/* a tile's scores (score_tile_alloc) */
	struct scored *heap;		/* SCORE_USERS x k */
	struct topk top[SCORE_USERS];
	struct left_out skip[SCORE_USERS];
	int failed;
};

/* Start the top k of the user's scores, leaving out what it already has. */
static void
top_begin(struct rec_job *j, int b, uint32_t user)
{
	const struct positives *x = j->exclude;
	int64_t xu = x ? positives_user_index(x, user) : -1;
	uint32_t k;

	j->skip[b].n = 0;
	for (k = xu >= 0 ? x->start[xu] : 0; xu >= 0 && k < x->start[xu + 1]; k++)
		if (j->exclude_row[x->items[k]] >= 0)
			j->failed |= left_out_add(&j->skip[b], (uint32_t)j->exclude_row[x->items[k]]) < 0;
	left_out_ready(&j->skip[b]);
	topk_reset(&j->top[b], j->heap + (size_t)b * j->k, j->k);
}

/* Candidates first .. first + n - 1 of user b's scores (a tile_feed_fn). */
static void
top_feed(void *job, int b, float *score, size_t first, size_t n)
{
	struct rec_job *j = job;

	left_out_blank(&j->skip[b], score, first, n);
	topk_offer_scores(&j->top[b], score, n, NULL, first);
}

static void
top_finish(struct rec_job *j, int b, size_t i)
{
	const struct bpr_model *m = j->m;
	struct topk *top = &j->top[b];
	size_t r;

	j->got[i] = (uint32_t)topk_sorted(top);
	for (r = 0; r < j->got[i]; r++) {
		j->out[i * j->k + r].id = m->item_rows.ids[top->heap[r].index];
		j->out[i * j->k + r].score = top->heap[r].score;
	}
}

/* A blend's users, one at a time. */
static void
recommend_blended(struct rec_job *j)
{
	struct blend_scratch s;
	struct bpr_err e;
	float *score = mem_array(j->m->item.rows + 1, sizeof(float), 0, "recommendations", &e);
	size_t i;

	if (score == NULL || blend_scratch_alloc(&s, j->m->item.rows, &e) < 0) {
		free(score);
		j->failed = 1;
		return;
	}
	for (i = j->first; i < j->last; i++) {
		blend_user(j->blend, j->users[i], score, &s);
		top_begin(j, 0, j->users[i]);
		top_feed(j, 0, score, 0, j->m->item.rows);
		top_finish(j, 0, i);
		progress_add(1);
	}
	blend_scratch_free(&s);
	free(score);
}

/*
 * SCORE_USERS users at a time, over the items a tile at a time: each
 * tile's scores go to the users' lists while they are in cache.
 */
static void *
recommend_users(void *arg)
{
	struct rec_job *j = arg;
	const struct bpr_model *m = j->m;
	const float *rows[SCORE_USERS];
	score_fn score = score_kernel();
	size_t i;
	int nb, b;

	if (j->blend != NULL) {
		recommend_blended(j);
		return NULL;
	}
	for (i = j->first; i < j->last; i += (size_t)nb) {
		nb = j->last - i < SCORE_USERS ? (int)(j->last - i) : SCORE_USERS;
		for (b = 0; b < nb; b++) {
			rows[b] = model_row(&m->user, (size_t)idmap_find(&m->user_rows, j->users[i + (size_t)b]));
			top_begin(j, b, j->users[i + (size_t)b]);
		}
		score_by_tiles(score, j->cand, rows, nb, j->score, top_feed, j);
		for (b = 0; b < nb; b++)
			top_finish(j, b, i + (size_t)b);
		progress_add((uint64_t)nb);
	}
	return NULL;
}

/* Whether any of the models (the blend's, or m) has the user. */
static int
has_user(const struct bpr_model *m, const struct blend *blend, uint32_t id)
{
	size_t k;

	for (k = 0; blend != NULL && k < blend->nparts; k++)
		if (idmap_find(&blend->part[k].m->user_rows, id) >= 0)
			return 1;
	return idmap_find(&m->user_rows, id) >= 0;
}

static void
free_jobs(struct rec_job *jobs, int n)
{
	int i, b;

	for (i = 0; i < n; i++) {
		for (b = 0; b < SCORE_USERS; b++)
			left_out_free(&jobs[i].skip[b]);
		free(jobs[i].score);
		free(jobs[i].heap);
	}
}

int
recommend(const struct bpr_model *m, const struct blend *blend, const uint32_t *users,
    size_t n, uint32_t k, const struct positives *exclude, int threads, struct ranked *out,
    uint32_t *got, struct bpr_err *e)
{
	struct rec_job jobs[64];
	pthread_t tid[64];
	struct score_items cand;
	float *items;
	int32_t *exclude_row = NULL;
	size_t i;
	int t, nt = threads < 1 ? 1 : threads > 64 ? 64 : threads, rc = -1, packed;

	for (i = 0; i < n; i++)
		if (!has_user(m, blend, users[i]))
			return bpr_fail(e, "user %u is not in the model%s", users[i], blend ? "s" : "");
	if ((items = model_compose_items(m, e)) == NULL)
		return -1;
	packed = score_items_pack(&cand, items, m->use_bias ? m->bias.w : NULL, m->item.rows,
	    m->ipad + m->tpad, e);
	free(items);
	if (packed < 0)
		return -1;
	memset(jobs, 0, sizeof(jobs));
	if (exclude != NULL && (exclude_row = positives_item_map(exclude, model_item_find, m, e)) == NULL)
		goto done;
	for (t = 0; t < nt; t++) {
		jobs[t] = (struct rec_job){ .m = m, .blend = blend, .cand = &cand, .users = users, .exclude = exclude,
		    .exclude_row = exclude_row, .first = n * (size_t)t / (size_t)nt, .last = n * (size_t)(t + 1) / (size_t)nt,
		    .k = k, .out = out, .got = got };
		jobs[t].score = score_tile_alloc(&cand, SCORE_USERS, e);
		jobs[t].heap = mem_array((size_t)SCORE_USERS * k + 1, sizeof(struct scored), 0,
		    "recommendations", e);
		if (!jobs[t].score || !jobs[t].heap)
			goto done;
	}
	progress_stage(n, "users", "ranking items for users");
	for (t = 1; t < nt; t++)
		if (output_quiet_thread(&tid[t], recommend_users, &jobs[t]) != 0) {
			bpr_fail(e, "cannot start a thread");
			nt = t;
			goto join;
		}
	recommend_users(&jobs[0]);
	rc = 0;
join:
	for (t = 1; t < nt; t++)
		pthread_join(tid[t], NULL);
	progress_done();
	for (t = 0; t < nt && rc == 0; t++)
		if (jobs[t].failed)
			rc = bpr_fail(e, "out of memory for recommendations");
done:
	free_jobs(jobs, threads < 1 ? 1 : threads > 64 ? 64 : threads);
	score_items_free(&cand);
	free(exclude_row);
	return rc;
}

/*
 * In double: a composed item vector of a model at MODEL_MAX_VALUE, with
 * many tags, can hold values whose squares a float cannot.
 */
static double
dot_double(const float *a, const float *b, size_t n)
{
	double s = 0;
	size_t k;

	for (k = 0; k < n; k++)
		s += (double)a[k] * b[k];
	return s;
}

int
most_similar(const struct bpr_model *m, int of_users, uint32_t id, uint32_t k,
    struct ranked *out, size_t *got, struct bpr_err *e)
{
	const struct idmap *map = of_users ? &m->user_rows : &m->item_rows;
	size_t width = m->ipad + m->tpad, n = of_users ? m->user.rows : m->item.rows, r;
	float *vecs = of_users ? m->user.w : model_compose_items(m, e);
	double qn, vn, cos;
	struct scored *heap = mem_array(k, sizeof(*heap), 0, "the ranking", e);
	int64_t q = idmap_find(map, id);
	struct topk top;

	if (vecs == NULL || heap == NULL) {
		if (!of_users)
			free(vecs);
		free(heap);
		return -1;
	}
	if (q < 0) {
		if (!of_users)
			free(vecs);
		free(heap);
		return bpr_fail(e, "%s %u is not in the model", of_users ? "user" : "item", id);
	}
	qn = sqrt(dot_double(vecs + (size_t)q * width, vecs + (size_t)q * width, width));
	topk_reset(&top, heap, k);
	for (r = 0; r < n; r++) {
		if ((int64_t)r == q)
			continue;
		vn = sqrt(dot_double(vecs + r * width, vecs + r * width, width));
		cos = qn > 0 && vn > 0 ?
		    dot_double(vecs + (size_t)q * width, vecs + r * width, width) / (qn * vn) : 0;
		topk_offer(&top, (float)cos, (uint32_t)r);
	}
	*got = topk_sorted(&top);
	for (r = 0; r < *got; r++) {
		out[r].id = map->ids[heap[r].index];
		out[r].score = heap[r].score;
	}
	if (!of_users)
		free(vecs);
	free(heap);
	return 0;
}

int
query_check_k(const struct bpr_model *m, enum query_kind q, uint32_t k, struct bpr_err *e)
{
	size_t items = model_rows(m, MODEL_ITEMS), users = model_rows(m, MODEL_USERS);

	/* a neighbour is any row but the one asked about */
	if (q == QUERY_COLD && k > users)
		return bpr_fail_usage(e, "--top %u is more than the model's %zu users", k, users);
	if (q == QUERY_SIMILAR_USERS && k + 1 > users)
		return bpr_fail_usage(e, "--top %u is more than the model's %zu other users", k,
		    users > 0 ? users - 1 : 0);
	if (q == QUERY_SIMILAR_ITEMS && k + 1 > items)
		return bpr_fail_usage(e, "--top %u is more than the model's %zu other items", k,
		    items > 0 ? items - 1 : 0);
	if (q == QUERY_TOP && k > items)
		return bpr_fail_usage(e, "--top %u is more than the model's %zu items", k, items);
	return 0;
}
