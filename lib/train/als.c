/* Implicit ALS (als.h): sweeps of exact or conjugate-gradient solves. */
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eval/eval.h"
#include "io/clock.h"
#include "io/mem.h"
#include "io/output.h"
#include "io/progress.h"
#include "model/model_impl.h"
#include "train/als.h"

/* One side of a half-sweep: the rows solved for, and the fixed rows each is paired with. */
struct side {
	struct param_table *solve, *fixed;
	const uint32_t *solve_row;	/* [n]: the model row of each solved index */
	const uint32_t *fixed_row;	/* fixed index -> model row */
	const uint32_t *start, *pairs;	/* CSR: the fixed indexes paired with each solved one */
	size_t n, nfixed;
	size_t dim;		/* the rows' values */
	size_t nsolve;		/* of them, those solved; the rest are pinned (the tag part) */
};

struct half_job {
	const struct side *s;
	const struct als_config *c;
	const double *gram;		/* alpha0 * the fixed rows' Gram matrix, d x d */
	const float *fgram;		/* the same in float, rows width wide */
	size_t width;			/* the padded row width */
	size_t first, last;
	int want_err;
	double sq_err;			/* sum over pairs of (score - 1)^2, after the solve */
	int failed;
};

/* alpha0 * sum over the rows of t (those listed) of h h^T, lower triangle mirrored. */
static void
scaled_gram(const struct param_table *t, const uint32_t *rows, size_t n, size_t d, double alpha0,
    double *g)
{
	size_t r, a, b;

	memset(g, 0, d * d * sizeof(double));
	for (r = 0; r < n; r++) {
		const float *h = model_row(t, rows[r]);
		for (a = 0; a < d; a++) {
			double ha = h[a];
			for (b = 0; b <= a; b++)
				g[a * d + b] += ha * h[b];
		}
	}
	for (a = 0; a < d; a++)
		for (b = 0; b <= a; b++)
			g[b * d + a] = g[a * d + b] *= alpha0;
}

/* Solve A x = b in place for symmetric positive definite A (Cholesky); -1 if it is not. */
static int
cholesky_solve(double *A, double *x, size_t d)
{
	size_t i, j, k;

	for (j = 0; j < d; j++) {
		double s = A[j * d + j];
		for (k = 0; k < j; k++)
			s -= A[j * d + k] * A[j * d + k];
		if (!(s > 0))
			return -1;
		A[j * d + j] = sqrt(s);
		for (i = j + 1; i < d; i++) {
			double t = A[i * d + j];
			for (k = 0; k < j; k++)
				t -= A[i * d + k] * A[j * d + k];
			A[i * d + j] = t / A[j * d + j];
		}
	}
	for (i = 0; i < d; i++) {
		double t = x[i];
		for (k = 0; k < i; k++)
			t -= A[i * d + k] * x[k];
		x[i] = t / A[i * d + i];
	}
	for (i = d; i-- > 0;) {
		double t = x[i];
		for (k = i + 1; k < d; k++)
			t -= A[k * d + i] * x[k];
		x[i] = t / A[i * d + i];
	}
	return 0;
}

struct scratch {
	double *A, *b, *x;		/* exact solves */
	float *fx, *fr, *fp, *fAp;	/* conjugate gradient: ipad wide, zero padding */
};

/*
 * The fixed row of pair q, and a prefetch of the one PREFETCH pairs on:
 * the rows are scattered in memory, and a pass waits on them, not on the
 * arithmetic.
 */
#define PREFETCH 6

static inline const float *
pair_row(const struct side *s, size_t q, size_t end)
{
	if (q + PREFETCH < end)
		__builtin_prefetch(model_row(s->fixed, s->fixed_row[s->pairs[q + PREFETCH]]));
	return model_row(s->fixed, s->fixed_row[s->pairs[q]]);
}

/* Zero v's pinned values: a solve moves only the others. */
static void
unpinned(const struct side *s, float *v)
{
	if (s->nsolve < s->dim)
		memset(v + s->nsolve, 0, (s->dim - s->nsolve) * sizeof(float));
}

/*
 * y = (gram + reg I + sum over the pairs of h h^T) v, in float (v's
 * padding and pinned values zero), y's pinned values zeroed.
 */
static void
apply_matrix(const struct half_job *j, size_t k, float reg, const float *v, float *y)
{
	const struct side *s = j->s;
	size_t d = s->dim, w = j->width, a, q;

	for (a = 0; a < d; a++)
		y[a] = vec_dot(j->fgram + a * w, v, w) + reg * v[a];
	for (q = s->start[k]; q < s->start[k + 1]; q++) {
		const float *h = pair_row(s, q, s->start[k + 1]);
		vec_axpy(y, vec_dot(h, v, w), h, w);
	}
	unpinned(s, y);
}

/*
 * cg_steps steps of conjugate gradient from the row's current value x:
 * one pass over the row's pairs for the residual b - A x, one a step.
 */
static void
solve_cg(const struct half_job *j, size_t k, float reg, struct scratch *w)
{
	const struct side *s = j->s;
	size_t d = s->dim, wd = j->width, a, q, step;
	float rr = 0, rr_new, pap, alpha, beta;

	/*
	 * r = sum h (1 - h.x) - (gram + reg I) x, over the whole row: the
	 * pinned values' share of each score is in it, and then their own
	 * residuals are dropped.
	 */
	for (a = 0; a < d; a++)
		w->fr[a] = -vec_dot(j->fgram + a * wd, w->fx, wd) - reg * w->fx[a];
	for (q = s->start[k]; q < s->start[k + 1]; q++) {
		const float *h = pair_row(s, q, s->start[k + 1]);
		vec_axpy(w->fr, 1.0f - vec_dot(h, w->fx, wd), h, wd);
	}
	unpinned(s, w->fr);
	memcpy(w->fp, w->fr, wd * sizeof(float));
	rr = vec_dot(w->fr, w->fr, wd);
	for (step = 0; step < j->c->cg_steps && rr > 1e-20f; step++) {
		apply_matrix(j, k, reg, w->fp, w->fAp);
		if (!((pap = vec_dot(w->fp, w->fAp, wd)) > 0))
			break;
		alpha = rr / pap;
		vec_axpy(w->fx, alpha, w->fp, wd);
		vec_axpy(w->fr, -alpha, w->fAp, wd);
		rr_new = vec_dot(w->fr, w->fr, wd);
		beta = rr_new / rr;
		for (a = 0; a < wd; a++)
			w->fp[a] = w->fr[a] + beta * w->fp[a];
		rr = rr_new;
	}
}

/* The exact solution of the solved values: A = gram + reg I + sum h h^T, b as given. */
static int
solve_exact(const struct half_job *j, size_t k, double reg, struct scratch *w)
{
	const struct side *s = j->s;
	size_t d = s->nsolve, a, b, q;

	for (a = 0; a < d; a++)
		memcpy(w->A + a * d, j->gram + a * s->dim, d * sizeof(double));
	for (a = 0; a < d; a++)
		w->A[a * d + a] += reg;
	for (q = s->start[k]; q < s->start[k + 1]; q++) {
		const float *h = model_row(s->fixed, s->fixed_row[s->pairs[q]]);
		for (a = 0; a < d; a++)
			for (b = 0; b <= a; b++)
				w->A[a * d + b] += (double)h[a] * h[b];
	}
	for (a = 0; a < d; a++)
		for (b = 0; b < a; b++)
			w->A[b * d + a] = w->A[a * d + b];
	memcpy(w->x, w->b, d * sizeof(double));
	return cholesky_solve(w->A, w->x, d);
}

/*
 * b of the exact solve: sum over the pairs of h, each scaled by what is
 * left of 1 when the pinned values' share of the score is taken out, less
 * gram's share of the pinned values (row's, which the solve keeps).
 */
static void
exact_target(const struct half_job *j, size_t k, const float *row, double *b)
{
	const struct side *s = j->s;
	size_t d = s->nsolve, a, c, q;

	memset(b, 0, d * sizeof(double));
	for (q = s->start[k]; q < s->start[k + 1]; q++) {
		const float *h = model_row(s->fixed, s->fixed_row[s->pairs[q]]);
		double left = 1;
		for (c = d; c < s->dim; c++)
			left -= (double)h[c] * row[c];
		for (a = 0; a < d; a++)
			b[a] += left * h[a];
	}
	for (a = 0; a < d; a++)
		for (c = d; c < s->dim; c++)
			b[a] -= j->gram[a * s->dim + c] * row[c];
}

/* Solve row k of the side; its squared error over its pairs after. */
static int
solve_row(struct half_job *j, size_t k, struct scratch *w)
{
	const struct side *s = j->s;
	size_t d = s->nsolve, a, q, npairs = s->start[k + 1] - s->start[k];
	double reg = j->c->lambda * ((double)npairs + j->c->alpha0 * (double)s->nfixed);
	float *row = model_row(s->solve, s->solve_row[k]);

	if (j->c->cg_steps > 0) {
		memcpy(w->fx, row, j->width * sizeof(float));
		solve_cg(j, k, (float)reg, w);
		memcpy(row, w->fx, d * sizeof(float));
	} else {
		exact_target(j, k, row, w->b);
		if (solve_exact(j, k, reg, w) < 0)
			return -1;
		for (a = 0; a < d; a++)
			row[a] = (float)w->x[a];
	}
	for (q = s->start[k]; j->want_err && q < s->start[k + 1]; q++) {
		double dot = vec_dot(row, pair_row(s, q, s->start[k + 1]), j->width);
		j->sq_err += (dot - 1) * (dot - 1);
	}
	return 0;
}

static void *
half_main(void *arg)
{
	struct half_job *j = arg;
	size_t d = j->s->dim, wd = j->width, k;
	struct scratch w;
	double *mem = malloc((d * d + 2 * d) * sizeof(double));
	float *fmem = mem_aligned(4, wd * sizeof(float), "ALS", &(struct bpr_err){ 0 });

	if (mem == NULL || fmem == NULL) {
		j->failed = 1;
		free(mem);
		free(fmem);
		return NULL;
	}
	memset(fmem, 0, 4 * wd * sizeof(float));
	w = (struct scratch){ mem, mem + d * d, mem + d * d + d, fmem, fmem + wd, fmem + 2 * wd,
	    fmem + 3 * wd };
	for (k = j->first; k < j->last && !j->failed; k++) {
		if (solve_row(j, k, &w) < 0)
			j->failed = 1;
		if ((k - j->first) % 1024 == 1023)
			progress_add(1024);
	}
	progress_add((j->last - j->first) % 1024);
	free(mem);
	free(fmem);
	return NULL;
}

/*
 * Where the k-th of n equal shares of a side's work ends: a row costs its
 * pairs plus about dim (the Gram part), and popular rows cost far more
 * than the rest.
 */
static size_t
split_work(const struct side *s, size_t dim, int k, int n)
{
	uint64_t total = (uint64_t)s->start[s->n] + (uint64_t)s->n * dim;
	uint64_t want = total * (uint64_t)k / (uint64_t)n;
	size_t lo = 0, hi = s->n, mid;

	if (k == n)
		return s->n;
	while (lo < hi) {	/* the first row whose work before it reaches want */
		mid = lo + (hi - lo) / 2;
		if ((uint64_t)s->start[mid] + (uint64_t)mid * dim < want)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/*
 * Solve every row of one side, threads taking equal shares of the work; the squared
 * error over the pairs added to *sq_err, unless it is NULL.
 */
static int
half_sweep(const struct side *s, const struct als_config *c, double *gram, float *fgram,
    double *sq_err, struct bpr_err *e)
{
	struct half_job jobs[64];
	int i, n = c->threads < 1 ? 1 : c->threads > 64 ? 64 : c->threads;

	size_t a, b, width = s->fixed->stride;

	scaled_gram(s->fixed, s->fixed_row, s->nfixed, s->dim, c->alpha0, gram);
	for (a = 0; a < s->dim; a++)
		for (b = 0; b < s->dim; b++)
			fgram[a * width + b] = (float)gram[a * s->dim + b];
	for (i = 0; i < n; i++)
		jobs[i] = (struct half_job){ .s = s, .c = c, .gram = gram, .fgram = fgram, .width = width,
		    .want_err = sq_err != NULL, .first = i > 0 ? jobs[i - 1].last : 0,
		    .last = split_work(s, s->dim, i + 1, n) };
	if (output_run_threads(n, half_main, jobs, sizeof(jobs[0])) < 0)
		return bpr_fail(e, "cannot start a training thread");
	for (i = 0; i < n; i++) {
		if (jobs[i].failed)
			return bpr_fail(e, "out of memory, or a system that cannot be solved (lambda 0?)");
		if (sq_err != NULL)
			*sq_err += jobs[i].sq_err;
	}
	return 0;
}

/* The run: the model, both sides and the evaluation state. */
struct als_run {
	struct bpr_model *m;
	/*
	 * With tags, the model as its file has it (m's rows are the vector,
	 * then the tag part): its catalogue and tag rows make each item's
	 * tag part, and it takes m's values at the end.
	 */
	struct bpr_model *tagged;
	struct best_model best;
	const struct positives *train, *test, *valid;
	const struct als_config *c;
	struct side users, items;
	uint32_t *user_row, *item_row, *istart, *iusers;
	double *gram;
	float *fgram;		/* dim rows of the padded width, zero padding */
	size_t dim;		/* a row's values: the vector, then the tag part */
	uint32_t ntags;		/* the tag part's width: one value a tag */
	fit_hook hook;
	void *ctx;
};

/*
 * The tagged model, empty: item_dim the vector, a tag embedding a tag
 * (tag_weight times the tag's unit vector), combined by the tag mode.
 */
static struct bpr_model *
tag_model(const struct als_config *c, uint32_t ntags, struct bpr_err *e)
{
	struct bpr_model *t = model_new(c->dim, ntags, c->tag_mode, 0, c->seed, c->init_scale, e);
	uint32_t k;

	if (t == NULL || model_copy_catalogue(t, c->tags, e) < 0) {
		model_free(t);
		return NULL;
	}
	for (k = 0; k < ntags; k++) {
		memset(model_row(&t->tag, k), 0, t->tag.stride * sizeof(float));
		model_row(&t->tag, k)[k] = c->tag_weight;
	}
	return t;
}

/*
 * Item id's row of m, and with tags its row of the tagged model, whose tag
 * part m's row ends in: the solves hold it.
 */
static int64_t
item_rows(struct als_run *r, uint32_t id, float *tagpart, struct bpr_err *e)
{
	int64_t row = model_item_row(r->m, id, e), to;

	if (row < 0 || r->tagged == NULL)
		return row;
	if ((to = model_item_row(r->tagged, id, e)) < 0)
		return -1;
	model_tag_part(r->tagged, (size_t)to, tagpart);
	memcpy(model_row(&r->m->item, (size_t)row) + r->c->dim, tagpart, r->ntags * sizeof(float));
	return row;
}

/* Rows for every user and universe item, and the item -> users index. */
static int
build_rows(struct als_run *r, struct bpr_err *e)
{
	const struct positives *p = r->train;
	float *tagpart;
	size_t u, i, k;
	int64_t row;

	r->user_row = mem_array(p->nusers + 1, sizeof(uint32_t), 0, "ALS", e);
	r->item_row = mem_array(p->nitems + 1, sizeof(uint32_t), 0, "ALS", e);
	r->istart = mem_array(p->nitems + 2, sizeof(uint32_t), 1, "ALS", e);
	r->iusers = mem_array(p->npairs + 1, sizeof(uint32_t), 0, "ALS", e);
	r->gram = mem_array(r->dim * r->dim, sizeof(double), 0, "ALS", e);
	r->fgram = mem_aligned(r->dim, r->m->user.stride * sizeof(float), "ALS", e);
	tagpart = mem_aligned(1, (r->ntags + VEC_LANES) * sizeof(float), "ALS", e);
	if (!r->user_row || !r->item_row || !r->istart || !r->iusers || !r->gram || !r->fgram ||
	    !tagpart)
		goto fail;
	memset(r->fgram, 0, r->dim * r->m->user.stride * sizeof(float));
	for (i = 0; i < p->nitems; i++) {
		if ((row = item_rows(r, p->item_id[i], tagpart, e)) < 0)
			goto fail;
		r->item_row[i] = (uint32_t)row;
	}
	free(tagpart);
	for (u = 0; u < p->nusers; u++) {
		if ((row = model_user_row(r->m, p->user_id[u], e)) < 0)
			return -1;
		r->user_row[u] = (uint32_t)row;
	}
	/* transpose: users ascending within each item */
	for (k = 0; k < p->npairs; k++)
		r->istart[p->items[k] + 2]++;
	for (i = 0; i < p->nitems; i++)
		r->istart[i + 2] += r->istart[i + 1];
	for (u = 0; u < p->nusers; u++)
		for (k = p->start[u]; k < p->start[u + 1]; k++)
			r->iusers[r->istart[p->items[k] + 1]++] = (uint32_t)u;
	r->users = (struct side){ &r->m->user, &r->m->item, r->user_row, r->item_row, p->start,
	    p->items, p->nusers, p->nitems, r->dim, r->dim };
	r->items = (struct side){ &r->m->item, &r->m->user, r->item_row, r->user_row, r->istart,
	    r->iusers, p->nitems, p->nusers, r->dim, r->c->dim };
	return 0;
fail:
	free(tagpart);
	return -1;
}

/* The objective over the positives (the all-pairs and L2 terms left out), per positive. */
static int
sweep(struct als_run *r, double *loss, struct bpr_err *e)
{
	double err = 0;

	/* the error after the sweep: the items' half, which comes last */
	if (half_sweep(&r->users, r->c, r->gram, r->fgram, NULL, e) < 0 ||
	    half_sweep(&r->items, r->c, r->gram, r->fgram, &err, e) < 0)
		return -1;
	*loss = r->train->npairs > 0 ? err / (double)r->train->npairs : 0;
	r->m->epochs++;
	return 0;
}

/* Test and validation as bpr-train measures them; 1 when patience has run out. */
static int
evaluate_now(struct als_run *r, uint32_t planned, struct bpr_err *e)
{
	struct fit_event ev = { .kind = FIT_EVAL, .epoch = r->m->epochs, .epochs = planned };
	int stop = 0, rc = -1;

	if (r->test == NULL && r->valid == NULL)
		return 0;
	if (fit_measure(r->m, r->test, r->valid, r->train, r->c->threads, 0, &ev, e) < 0)
		goto done;
	if (r->valid != NULL && r->c->patience > 0 &&
	    (stop = best_track(&r->best, r->m, ev.valid.auc, r->c->patience, e)) < 0)
		goto done;
	ev.best_epoch = r->best.epoch;
	r->hook(r->ctx, &ev);
	rc = stop;
done:
	fit_event_free(&ev);
	return rc;
}

static int
sweeps_loop(struct als_run *r, struct bpr_err *e)
{
	uint32_t planned = r->c->sweeps;
	double t0, loss;
	int stop;

	if (evaluate_now(r, planned, e) < 0)
		return -1;
	while (r->m->epochs < planned) {
		t0 = monotonic_seconds();
		progress_stage(r->users.n + r->items.n, "rows", "sweep %u of %u", r->m->epochs + 1,
		    planned);
		if (sweep(r, &loss, e) < 0)
			return -1;
		r->hook(r->ctx, &(struct fit_event){ .kind = FIT_EPOCH, .epoch = r->m->epochs,
		    .epochs = planned, .triplets = r->train->npairs, .loss = loss,
		    .seconds = monotonic_seconds() - t0 });
		if (r->m->epochs % r->c->eval_every == 0 || r->m->epochs == planned) {
			if ((stop = evaluate_now(r, planned, e)) < 0)
				return -1;
			if (stop) {
				r->hook(r->ctx, &(struct fit_event){ .kind = FIT_STOP,
				    .epoch = r->m->epochs, .epochs = planned, .best_epoch = r->best.epoch });
				break;
			}
		}
	}
	best_restore(&r->best, r->m);
	return 0;
}

/* The solution as a model file may hold it: its loaders refuse anything else. */
static int
solution_in_range(const struct als_run *r, struct bpr_err *e)
{
	if (model_in_range(r->m))
		return 0;
	return bpr_fail(e, "the solution holds a value that is not finite, or beyond +-%g: "
	    "try a larger --lambda", (double)MODEL_MAX_VALUE);
}

/* m's values into the tagged model: the vectors, and users' tag parts where the file keeps them. */
static int
fill_tagged(struct als_run *r, struct bpr_err *e)
{
	const struct bpr_model *from = r->m;
	struct bpr_model *t = r->tagged;
	uint32_t d = r->c->dim;
	size_t row;
	int64_t to;

	for (row = 0; row < from->item.rows; row++) {
		if ((to = model_item_row(t, from->item_rows.ids[row], e)) < 0)
			return -1;
		memcpy(model_row(&t->item, (size_t)to), model_row(&from->item, row), d * sizeof(float));
	}
	for (row = 0; row < from->user.rows; row++) {
		const float *u = model_row(&from->user, row);
		if ((to = model_user_row(t, from->user_rows.ids[row], e)) < 0)
			return -1;
		memcpy(model_row(&t->user, (size_t)to), u, d * sizeof(float));
		memcpy(model_row(&t->user, (size_t)to) + t->ipad, u + d, r->ntags * sizeof(float));
	}
	t->epochs = from->epochs;
	return 0;
}

struct bpr_model *
als_fit(const struct positives *train, const struct positives *test,
    const struct positives *valid, const struct als_config *c, fit_hook hook, void *ctx,
    struct bpr_err *e)
{
	struct als_run r = { .train = train, .test = test, .valid = valid, .c = c, .hook = hook,
	    .ctx = ctx };
	struct model_shape shape = { 0 };
	int rc = -1;

	if (c->tags != NULL && c->tag_mode != TAGS_OFF)
		model_get_shape(c->tags, &shape);
	if (shape.ntags > ALS_MAX_TAGS) {
		bpr_fail(e, "tag ids up to %u: the tag part has one value a tag, and at most %u tags",
		    shape.ntags - 1, ALS_MAX_TAGS);
		return NULL;
	}
	r.ntags = shape.ntags;
	r.dim = c->dim + r.ntags;
	if ((r.m = model_new((uint32_t)r.dim, 0, TAGS_OFF, 0, c->seed, c->init_scale, e)) == NULL)
		return NULL;
	if (r.ntags > 0 && (r.tagged = tag_model(c, r.ntags, e)) == NULL) {
		model_free(r.m);
		return NULL;
	}
	if (build_rows(&r, e) == 0 && sweeps_loop(&r, e) == 0 && solution_in_range(&r, e) == 0 &&
	    (r.tagged == NULL || fill_tagged(&r, e) == 0)) {
		r.hook(r.ctx, &(struct fit_event){ .kind = FIT_DONE, .epoch = r.m->epochs,
		    .epochs = c->sweeps, .best_epoch = r.best.epoch });
		rc = 0;
	}
	best_free(&r.best);
	free(r.user_row);
	free(r.item_row);
	free(r.istart);
	free(r.iusers);
	free(r.gram);
	free(r.fgram);
	if (r.tagged != NULL) {
		model_free(r.m);
		r.m = r.tagged;
	}
	if (rc < 0) {
		model_free(r.m);
		return NULL;
	}
	return r.m;
}
