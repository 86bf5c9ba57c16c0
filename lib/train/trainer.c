#include "train/trainer.h"

#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "data/rng.h"
#include "data/sort.h"
#include "eval/score_many.h"
#include "io/mem.h"
#include "io/output.h"
#include "io/text.h"
#include "train/trainer_impl.h"

#define KERNEL_NAME train_work_baseline
#include "train/trainer_kernel.h"

static const char *const opt_names_list[] = { "sgd", "adagrad", "adam", "lazyadam", "adam-dense",
	"rowadagrad" };
const struct names opt_names = NAMES_OF(opt_names_list);

int
trainer_draws_negatives(const struct train_config *c)
{
	return c->hard > 1 || losses[c->loss].sampled;
}

int
opt_moments(enum opt_kind k)
{
	switch (k) {
	case OPT_SGD:
	case OPT_ROWADAGRAD:
		return 0;
	case OPT_ADAGRAD:
		return 1;
	default:
		return 2;
	}
}

/* ------------------------------------------------------ Keras Adam maths */

/* The step size of step t >= 1, bias corrections included. */
double
adam_lr(const struct train_config *c, uint64_t step)
{
	return c->lr * sqrt(1 - pow(c->beta2, (double)step)) / (1 - pow(c->beta1, (double)step));
}

/* F(s) for every s < need, by the backward recurrence F(s) = c (lr_{s+1} + F(s+1)). */
static int
extend_F(struct trainer *t, size_t need, struct bpr_err *e)
{
	double c = t->c.beta1 / sqrt(t->c.beta2), f = 0;
	size_t cap = t->F_cap ? t->F_cap : 4096, s;
	double *F;

	if (need <= t->F_cap)
		return 0;
	while (cap < need)
		cap *= 2;
	if ((F = mem_array(cap, sizeof(*F), 0, "the Adam step table", e)) == NULL)
		return -1;
	/* Terms past F_HORIZON steps are below 1e-36 of the first: start at 0. */
	for (s = cap + F_HORIZON; s-- > 0;) {
		f = c * (adam_lr(&t->c, s + 1) + f);
		if (s < cap)
			F[s] = f;
	}
	free(t->F);
	t->F = F;
	t->F_cap = cap;
	return 0;
}

void
trainer_flush(struct trainer *t)
{
	struct bpr_err ignored;
	size_t r;
	int k;

	if (t->c.opt != OPT_ADAM || extend_F(t, t->m->step + 1, &ignored) < 0)
		return;
	for (k = 0; k < NTABLES; k++) {
		struct param_table *tb = trainer_table(t->m, k);
		for (r = 0; r < tb->rows && tb->last != NULL; r++)
			catch_up(t, tb, r, t->m->step);
	}
}

void
trainer_set_lr(struct trainer *t, float lr)
{
	if (lr == t->c.lr)
		return;
	trainer_flush(t);
	t->c.lr = lr;
	/* F holds sums of future step sizes: recomputed at the new rate */
	free(t->F);
	t->F = NULL;
	t->F_cap = 0;
}

typedef void *(*work_fn)(void *);

/* The widest copy of the loop the processor runs (not in a reference run). */
static work_fn
choose_kernel(void)
{
	if (kernels_avx512())
		return train_work_avx512;
	return kernels_avx2() ? train_work_avx2 : train_work_baseline;
}

/* ----------------------------------------------------------------- setup */

static int
worker_init(struct worker *wk, struct trainer *t, int index, struct bpr_err *e)
{
	memset(wk, 0, sizeof(*wk));
	wk->t = t;
	wk->index = index;
	rng_seed(&wk->rng, t->c.seed, RNG_STREAM_TRAIN, (uint64_t)index);
	wk->tag_k = mem_aligned(3 * t->m->tpad + VEC_LANES, sizeof(float), "work space", e);
	wk->tag_p = wk->tag_k;
	wk->tag_n = wk->tag_k + t->m->tpad;
	return wk->tag_k != NULL ? 0 : -1;
}

static void
worker_free(struct worker *wk)
{
	int k;

	for (k = 0; k < NTABLES; k++) {
		free(wk->grad[k].slot_of);
		free(wk->grad[k].rows);
		free(wk->grad[k].g);
	}
	free(wk->tag_k);
}

int
trainer_init(struct trainer **out, struct bpr_model *m, const struct train_config *c,
    struct bpr_err *e)
{
	struct trainer *t = calloc(1, sizeof(*t));
	double cc;
	int i;

	*out = t;
	if (t == NULL)
		return bpr_fail(e, "out of memory");
	t->m = m;
	t->c = *c;
	if (t->c.hard == 0)
		t->c.hard = 1;
	t->reference = kernels_reference();
	cc = c->beta1 / sqrt(c->beta2);
	for (i = 0; i < POW_TABLE; i++) {
		t->c_pow[i] = pow(cc, i);
		t->b1_pow[i] = pow(c->beta1, i);
		t->b2_pow[i] = pow(c->beta2, i);
	}
	if ((t->w = mem_aligned((size_t)c->threads, sizeof(*t->w), "the workers", e)) == NULL)
		return -1;
	for (i = 0; i < c->threads; i++)
		if (worker_init(&t->w[i], t, i, e) < 0)
			return -1;
	return model_enable_state(m, opt_moments(c->opt), c->opt == OPT_ADAM,
	    c->opt == OPT_ROWADAGRAD, e);
}

void
trainer_free(struct trainer *t)
{
	int i;

	if (t == NULL)
		return;
	for (i = 0; t->w != NULL && i < t->c.threads; i++)
		worker_free(&t->w[i]);
	free(t->w);
	free(t->F);
	free(t->pos_start);
	free(t->pos_rows);
	free(t->warp_weight);
	free(t);
}

int
trainer_set_positives(struct trainer *t, const struct positives *p, struct bpr_err *e)
{
	const struct bpr_model *m = t->m;
	size_t nu = m->user.rows, u, k, fill;
	int32_t *item_row;
	int64_t ur;

	free(t->pos_start);
	free(t->pos_rows);
	t->pos_users = 0;
	t->pos_start = mem_array(nu + 1, sizeof(*t->pos_start), 1, "the users' positives", e);
	t->pos_rows = mem_array(p->npairs + 1, sizeof(*t->pos_rows), 0, "the users' positives", e);
	if (t->pos_start == NULL || t->pos_rows == NULL ||
	    (item_row = positives_item_map(p, model_item_find, m, e)) == NULL)
		return -1;
	/* count per user row, then fill, then sort each user's rows */
	for (u = 0; u < p->nusers; u++)
		if ((ur = idmap_find(&m->user_rows, p->user_id[u])) >= 0)
			t->pos_start[ur + 1] = p->start[u + 1] - p->start[u];
	for (u = 0; u < nu; u++)
		t->pos_start[u + 1] += t->pos_start[u];
	for (u = 0; u < p->nusers; u++) {
		if ((ur = idmap_find(&m->user_rows, p->user_id[u])) < 0)
			continue;
		fill = t->pos_start[ur];
		for (k = p->start[u]; k < p->start[u + 1]; k++)
			t->pos_rows[fill++] = item_row[p->items[k]] >= 0 ?
			    (uint32_t)item_row[p->items[k]] : UINT32_MAX;
		sort_u32(t->pos_rows + t->pos_start[ur], fill - t->pos_start[ur]);
	}
	free(item_row);
	t->pos_users = nu;
	return 0;
}

/* L(r) = sum_{i=1..r} 1/i for the ranks of a catalogue of `items` rows. */
static int
warp_weights(struct trainer *t, size_t items, struct bpr_err *e)
{
	double sum = 0;
	size_t r;

	if (items <= t->warp_cap)
		return 0;
	free(t->warp_weight);
	if ((t->warp_weight = mem_array(items + 1, sizeof(float), 0, "WARP weights", e)) == NULL)
		return -1;
	t->warp_weight[0] = 0;
	for (r = 1; r <= items; r++) {
		sum += 1.0 / (double)r;
		t->warp_weight[r] = (float)sum;
	}
	t->warp_cap = items;
	return 0;
}

/*
 * Room for a table of `rows` rows, and for the most rows one batch can
 * touch (`slots`), so that nothing is allocated while training.
 */
static int
grad_reserve(struct grad *gr, size_t rows, size_t stride, size_t slots, struct bpr_err *e)
{
	size_t old = gr->slot_cap;
	float *g;

	gr->stride = stride;
	if (rows > gr->slot_cap) {
		if (mem_grow(&gr->slot_of, &gr->slot_cap, rows, sizeof(*gr->slot_of), "gradients", e) < 0)
			return -1;
		memset(gr->slot_of + old, 0xff, (gr->slot_cap - old) * sizeof(*gr->slot_of));
	}
	if (slots > gr->cap) {
		if ((g = mem_aligned(slots, stride * sizeof(float), "gradients", e)) == NULL)
			return -1;
		free(gr->g);
		gr->g = g;
		free(gr->rows);
		gr->cap = 0;
		if ((gr->rows = mem_array(slots, sizeof(*gr->rows), 0, "gradients", e)) == NULL)
			return -1;
		gr->cap = slots;
	}
	return 0;
}

/* The longest tag list of an item row. */
static size_t
longest_tag_list(const struct bpr_model *m)
{
	size_t i, longest = 0;

	for (i = 0; i < m->item.rows; i++)
		if (m->tag_start[i + 1] - m->tag_start[i] > longest)
			longest = m->tag_start[i + 1] - m->tag_start[i];
	return longest;
}

/* The bytes of the model's parameters and optimiser state. */
static size_t
model_state_bytes(struct bpr_model *m)
{
	const struct param_table *tb;
	size_t bytes = 0;
	int k;

	for (k = 0; k < NTABLES; k++) {
		tb = trainer_table(m, k);
		bytes += tb->rows * tb->stride * sizeof(float) *
		    (1 + (tb->v != NULL) + (tb->m != NULL));
	}
	return bytes;
}

/* Slots for every row the model has now (it grows between epochs). */
static int
sync_workers(struct trainer *t, struct bpr_err *e)
{
	size_t b = t->c.batch, tags = 2 * b * longest_tag_list(t->m);
	size_t slots[NTABLES] = { b, 2 * b, tags < t->m->tag.rows ? tags : t->m->tag.rows, 2 * b };
	int i, k;

	for (k = 0; k < NTABLES; k++) {
		t->real[k] = real_width(trainer_table(t->m, k));
		t->keep[k] = t->c.l2[k] != 0 ? 1.0f - t->c.lr * t->c.l2[k] : 1.0f;
	}
	t->prefetch = model_state_bytes(t->m) > PREFETCH_MIN_BYTES;
	for (i = 0; i < t->c.threads; i++)
		for (k = 0; k < NTABLES; k++)
			if (grad_reserve(&t->w[i].grad[k], trainer_table(t->m, k)->rows + 1,
			    trainer_table(t->m, k)->stride, slots[k] + 1, e) < 0)
				return -1;
	return warp_weights(t, t->m->item.rows, e);
}

/* Room for the rows the model has now and Keras Adam's steps for up to n triplets. */
static int
run_prepare(struct trainer *t, size_t n, struct bpr_err *e)
{
	size_t steps = t->c.batch == 1 ? n : n / t->c.batch;

	if (sync_workers(t, e) < 0)
		return -1;
	if (t->c.opt == OPT_ADAM && extend_F(t, t->m->step + steps + (size_t)t->c.threads + 2, e) < 0)
		return -1;
	return 0;
}

/* The workers' losses and steps summed; fails on a model no longer finite. */
static int
run_finish(struct trainer *t, size_t n, double *loss, struct bpr_err *e)
{
	double sum = 0;
	int i;

	for (i = 0; i < t->c.threads; i++) {
		sum += t->w[i].loss;
		if (!opt_counts_steps(t->c.opt))
			t->m->step += t->w[i].steps;
	}
	*loss = n > 0 ? sum / (double)n : 0;
	if (!isfinite(*loss) || !model_in_range(t->m))
		return bpr_fail(e, "training diverged (the loss or a parameter is no longer finite, "
		    "or beyond +-%g): try a smaller --lr", (double)MODEL_MAX_VALUE);
	return 0;
}

int
trainer_run(struct trainer *t, const struct row_triplet *trip, size_t n, double *loss,
    struct bpr_err *e)
{
	size_t per = n / (size_t)t->c.threads, start = 0;
	int i, threads = t->c.threads;

	if (run_prepare(t, n, e) < 0)
		return -1;
	for (i = 0; i < threads; i++) {
		t->w[i].trip = trip + start;
		t->w[i].n = i == threads - 1 ? n - start : per;
		t->w[i].steps = 0;
		start += t->w[i].n;
	}
	if (output_run_threads(threads, choose_kernel(), t->w, sizeof(t->w[0])) < 0)
		return bpr_fail(e, "cannot start a training thread");
	return run_finish(t, n, loss, e);
}

/* A worker of trainer_run_blocks: the next block not taken, drawn, then trained. */
static void *
block_worker(void *arg)
{
	struct worker *wk = arg;
	struct block_jobs *b = &wk->t->blocks;
	work_fn work = choose_kernel();
	double loss = 0;
	size_t k;

	while ((k = __atomic_fetch_add(&b->next, 1, __ATOMIC_RELAXED)) < b->count) {
		wk->n = b->fill(b->ctx, wk->index, k, &wk->trip);
		work(wk);
		loss += wk->loss;
		__atomic_fetch_add(&b->triplets, wk->n, __ATOMIC_RELAXED);
	}
	wk->loss = loss;
	return NULL;
}

int
trainer_run_blocks(struct trainer *t, size_t count, size_t most, block_fill_fn fill, void *ctx,
    size_t *n, double *loss, struct bpr_err *e)
{
	int i;

	/* each block's last batch may be short: a step more per block */
	if (run_prepare(t, most + count * t->c.batch, e) < 0)
		return -1;
	t->blocks = (struct block_jobs){ .fill = fill, .ctx = ctx, .count = count };
	for (i = 0; i < t->c.threads; i++)
		t->w[i].steps = 0;
	if (output_run_threads(t->c.threads, block_worker, t->w, sizeof(t->w[0])) < 0)
		return bpr_fail(e, "cannot start a training thread");
	*n = t->blocks.triplets;
	return run_finish(t, *n, loss, e);
}
