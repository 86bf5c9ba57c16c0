/* Implicit ALS (als.h): sweeps of exact or conjugate-gradient solves. */
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "eval/eval.h"
#include "io/clock.h"
#include "io/mem.h"
#include "io/output.h"
#include "model/model_impl.h"
#include "train/als.h"

/* One side of a half-sweep: the rows solved for, and the fixed rows each is paired with. */
struct side {
	struct param_table *solve, *fixed;
	const uint32_t *solve_row;	/* [n]: the model row of each solved index */
	const uint32_t *fixed_row;	/* fixed index -> model row */
	const uint32_t *start, *pairs;	/* CSR: the fixed indexes paired with each solved one */
	size_t n, nfixed;
};

struct half_job {
	const struct side *s;
	const struct als_config *c;
	const double *gram;		/* alpha0 * the fixed rows' Gram matrix, d x d */
	size_t first, last;
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
	double *A, *b, *x, *r, *p, *Ap;
};

/* y = (gram + reg I + sum over the pairs of h h^T) v */
static void
apply_matrix(const struct half_job *j, size_t k, double reg, const double *v, double *y)
{
	const struct side *s = j->s;
	size_t d = j->c->dim, a, b, q;

	for (a = 0; a < d; a++) {
		double t = reg * v[a];
		for (b = 0; b < d; b++)
			t += j->gram[a * d + b] * v[b];
		y[a] = t;
	}
	for (q = s->start[k]; q < s->start[k + 1]; q++) {
		const float *h = model_row(s->fixed, s->fixed_row[s->pairs[q]]);
		double dot = 0;
		for (a = 0; a < d; a++)
			dot += h[a] * v[a];
		for (a = 0; a < d; a++)
			y[a] += dot * h[a];
	}
}

/* Conjugate gradient from the current vector x, cg_steps steps. */
static void
solve_cg(const struct half_job *j, size_t k, double reg, struct scratch *w)
{
	size_t d = j->c->dim, a, step;
	double rr = 0, rr_new, pap, alpha;

	apply_matrix(j, k, reg, w->x, w->Ap);
	for (a = 0; a < d; a++) {
		w->r[a] = w->b[a] - w->Ap[a];
		w->p[a] = w->r[a];
		rr += w->r[a] * w->r[a];
	}
	for (step = 0; step < j->c->cg_steps && rr > 1e-20; step++) {
		apply_matrix(j, k, reg, w->p, w->Ap);
		pap = 0;
		for (a = 0; a < d; a++)
			pap += w->p[a] * w->Ap[a];
		if (!(pap > 0))
			break;
		alpha = rr / pap;
		rr_new = 0;
		for (a = 0; a < d; a++) {
			w->x[a] += alpha * w->p[a];
			w->r[a] -= alpha * w->Ap[a];
			rr_new += w->r[a] * w->r[a];
		}
		for (a = 0; a < d; a++)
			w->p[a] = w->r[a] + rr_new / rr * w->p[a];
		rr = rr_new;
	}
}

/* The exact solution: A = gram + reg I + sum h h^T, b = sum h. */
static int
solve_exact(const struct half_job *j, size_t k, double reg, struct scratch *w)
{
	const struct side *s = j->s;
	size_t d = j->c->dim, a, b, q;

	memcpy(w->A, j->gram, d * d * sizeof(double));
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

/* Solve row k of the side; its squared error over its pairs after. */
static int
solve_row(struct half_job *j, size_t k, struct scratch *w)
{
	const struct side *s = j->s;
	size_t d = j->c->dim, a, q, npairs = s->start[k + 1] - s->start[k];
	double reg = j->c->lambda * ((double)npairs + j->c->alpha0 * (double)s->nfixed);
	float *row = model_row(s->solve, s->solve_row[k]);

	memset(w->b, 0, d * sizeof(double));
	for (q = s->start[k]; q < s->start[k + 1]; q++) {
		const float *h = model_row(s->fixed, s->fixed_row[s->pairs[q]]);
		for (a = 0; a < d; a++)
			w->b[a] += h[a];
	}
	for (a = 0; a < d; a++)
		w->x[a] = row[a];
	if (j->c->cg_steps > 0)
		solve_cg(j, k, reg, w);
	else if (solve_exact(j, k, reg, w) < 0)
		return -1;
	for (a = 0; a < d; a++)
		row[a] = (float)w->x[a];
	for (q = s->start[k]; q < s->start[k + 1]; q++) {
		const float *h = model_row(s->fixed, s->fixed_row[s->pairs[q]]);
		double dot = 0;
		for (a = 0; a < d; a++)
			dot += (double)row[a] * h[a];
		j->sq_err += (dot - 1) * (dot - 1);
	}
	return 0;
}

static void *
half_main(void *arg)
{
	struct half_job *j = arg;
	size_t d = j->c->dim, k;
	struct scratch w;
	double *mem = malloc((d * d + 5 * d) * sizeof(double));

	if (mem == NULL) {
		j->failed = 1;
		return NULL;
	}
	w = (struct scratch){ mem, mem + d * d, mem + d * d + d, mem + d * d + 2 * d,
	    mem + d * d + 3 * d, mem + d * d + 4 * d };
	for (k = j->first; k < j->last && !j->failed; k++)
		if (solve_row(j, k, &w) < 0)
			j->failed = 1;
	free(mem);
	return NULL;
}

/* Solve every row of one side, threads taking equal ranges; the squared error in *sq_err. */
static int
half_sweep(const struct side *s, const struct als_config *c, double *gram, double *sq_err,
    struct bpr_err *e)
{
	struct half_job jobs[64];
	int i, n = c->threads < 1 ? 1 : c->threads > 64 ? 64 : c->threads;

	scaled_gram(s->fixed, s->fixed_row, s->nfixed, c->dim, c->alpha0, gram);
	for (i = 0; i < n; i++)
		jobs[i] = (struct half_job){ .s = s, .c = c, .gram = gram,
		    .first = s->n * (size_t)i / (size_t)n, .last = s->n * (size_t)(i + 1) / (size_t)n };
	if (output_run_threads(n, half_main, jobs, sizeof(jobs[0])) < 0)
		return bpr_fail(e, "cannot start a training thread");
	*sq_err = 0;
	for (i = 0; i < n; i++) {
		if (jobs[i].failed)
			return bpr_fail(e, "out of memory, or a system that cannot be solved (lambda 0?)");
		*sq_err += jobs[i].sq_err;
	}
	return 0;
}

/* The run: the model, both sides and the evaluation state. */
struct als_run {
	struct bpr_model *m;
	struct best_model best;
	const struct positives *train, *test, *valid;
	const struct als_config *c;
	struct side users, items;
	uint32_t *user_row, *item_row, *istart, *iusers;
	double *gram;
	fit_hook hook;
	void *ctx;
};

/* Rows for every user and universe item, and the item -> users index. */
static int
build_rows(struct als_run *r, struct bpr_err *e)
{
	const struct positives *p = r->train;
	size_t u, i, k;
	int64_t row;

	r->user_row = mem_array(p->nusers + 1, sizeof(uint32_t), 0, "ALS", e);
	r->item_row = mem_array(p->nitems + 1, sizeof(uint32_t), 0, "ALS", e);
	r->istart = mem_array(p->nitems + 2, sizeof(uint32_t), 1, "ALS", e);
	r->iusers = mem_array(p->npairs + 1, sizeof(uint32_t), 0, "ALS", e);
	r->gram = mem_array((size_t)r->c->dim * r->c->dim, sizeof(double), 0, "ALS", e);
	if (!r->user_row || !r->item_row || !r->istart || !r->iusers || !r->gram)
		return -1;
	for (i = 0; i < p->nitems; i++) {
		if ((row = model_item_row(r->m, p->item_id[i], e)) < 0)
			return -1;
		r->item_row[i] = (uint32_t)row;
	}
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
	    p->items, p->nusers, p->nitems };
	r->items = (struct side){ &r->m->item, &r->m->user, r->item_row, r->user_row, r->istart,
	    r->iusers, p->nitems, p->nusers };
	return 0;
}

/* The objective over the positives (the all-pairs and L2 terms left out), per positive. */
static int
sweep(struct als_run *r, double *loss, struct bpr_err *e)
{
	double err;

	if (half_sweep(&r->users, r->c, r->gram, &err, e) < 0 ||
	    half_sweep(&r->items, r->c, r->gram, &err, e) < 0)
		return -1;
	*loss = r->train->npairs > 0 ? err / (double)r->train->npairs : 0;
	r->m->epochs++;
	return 0;
}

/* Test and validation as bpr-train measures them; 1 when patience has run out. */
static int
evaluate_now(struct als_run *r, uint32_t planned, struct bpr_err *e)
{
	int threads = r->c->threads > 2 ? r->c->threads : 2, stop = 0, rc = -1;
	struct eval_config notebook = { .universe = UNIVERSE_ALL_IDS, .threads = threads };
	struct eval_config clean = { .universe = UNIVERSE_MODEL, .threads = threads };
	struct fit_event ev = { .kind = FIT_EVAL, .epoch = r->m->epochs, .epochs = planned,
	    .has_test = r->test != NULL, .has_valid = r->valid != NULL };

	if (r->test == NULL && r->valid == NULL)
		return 0;
	if ((r->test != NULL && (evaluate(r->m, r->test, NULL, &notebook, &ev.notebook, e) < 0 ||
	    evaluate(r->m, r->test, r->train, &clean, &ev.clean, e) < 0)) ||
	    (r->valid != NULL && evaluate(r->m, r->valid, r->train, &clean, &ev.valid, e) < 0))
		goto done;
	if (r->valid != NULL && r->c->patience > 0 &&
	    (stop = best_track(&r->best, r->m, ev.valid.auc, r->c->patience, e)) < 0)
		goto done;
	ev.best_epoch = r->best.epoch;
	r->hook(r->ctx, &ev);
	rc = stop;
done:
	eval_result_free(&ev.notebook);
	eval_result_free(&ev.clean);
	eval_result_free(&ev.valid);
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

struct bpr_model *
als_fit(const struct positives *train, const struct positives *test,
    const struct positives *valid, const struct als_config *c, fit_hook hook, void *ctx,
    struct bpr_err *e)
{
	struct als_run r = { .train = train, .test = test, .valid = valid, .c = c, .hook = hook,
	    .ctx = ctx };
	int rc = -1;

	if ((r.m = model_new(c->dim, 0, TAGS_OFF, 0, c->seed, c->init_scale, e)) == NULL)
		return NULL;
	if (build_rows(&r, e) == 0 && sweeps_loop(&r, e) == 0) {
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
	if (rc < 0) {
		model_free(r.m);
		return NULL;
	}
	return r.m;
}
