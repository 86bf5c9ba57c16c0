#include "train.h"

#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "mem.h"
#include "vec.h"

enum { T_USER, T_ITEM, T_TAG, T_BIAS, NTABLES };

#define POW_TABLE 4096		/* beta1^k and c^k are 0 in float beyond this */
#define F_HORIZON 800		/* terms of the catch-up series that matter */

/* The batch gradient of one table: slots for the rows the batch touches. */
struct grad {
	int32_t *slot_of;	/* row -> slot, -1 when untouched */
	size_t slot_cap;
	uint32_t *rows;		/* slot -> row */
	float *g;		/* slots x stride */
	size_t n, cap, stride;
};

struct worker {
	struct trainer *t;
	struct grad grad[NTABLES];
	float *tag_p, *tag_n;
	const struct row_triplet *trip;
	size_t n;
	double loss;
	int failed;
};

struct trainer {
	struct bpr_model *m;
	struct train_config c;
	struct worker *w;
	/* Keras Adam: lr_t, and F(t) = sum_j>=1 lr_{t+j} c^j, c = beta1/sqrt(beta2) */
	double *F;
	size_t F_cap;
	double c_pow[POW_TABLE], b1_pow[POW_TABLE], b2_pow[POW_TABLE];
};

static const char *const loss_names[] = { "notebook", "bpr" };
static const char *const opt_names[] = { "sgd", "adagrad", "adam", "lazyadam", "adam-dense" };

const char *
loss_name(enum loss_kind k)
{
	return loss_names[k];
}

int
loss_parse(const char *s, enum loss_kind *k)
{
	unsigned i;

	for (i = 0; i < sizeof(loss_names) / sizeof(loss_names[0]); i++)
		if (strcmp(s, loss_names[i]) == 0)
			return (*k = (enum loss_kind)i), 0;
	return -1;
}

const char *
opt_name(enum opt_kind k)
{
	return opt_names[k];
}

int
opt_parse(const char *s, enum opt_kind *k)
{
	unsigned i;

	for (i = 0; i < sizeof(opt_names) / sizeof(opt_names[0]); i++)
		if (strcmp(s, opt_names[i]) == 0)
			return (*k = (enum opt_kind)i), 0;
	return -1;
}

int
opt_moments(enum opt_kind k)
{
	switch (k) {
	case OPT_SGD:
		return 0;
	case OPT_ADAGRAD:
		return 1;
	default:
		return 2;
	}
}

static struct param_table *
table_of(struct bpr_model *m, int k)
{
	struct param_table *tables[NTABLES] = { &m->user, &m->item, &m->tag, &m->bias };

	return tables[k];
}

/* ------------------------------------------------------ Keras Adam maths */

/* The step size of step t >= 1, bias corrections included. */
static double
adam_lr(const struct trainer *t, uint64_t step)
{
	return t->c.lr * sqrt(1 - pow(t->c.beta2, (double)step)) / (1 - pow(t->c.beta1, (double)step));
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
		f = c * (adam_lr(t, s + 1) + f);
		if (s < cap)
			F[s] = f;
	}
	free(t->F);
	t->F = F;
	t->F_cap = cap;
	return 0;
}

static double
power_of(const double *table, double base, uint64_t k)
{
	return k < POW_TABLE ? table[k] : pow(base, (double)k);
}

/*
 * Keras' Adam moves every parameter at every step, even with a zero
 * gradient: its moments decay and the parameter keeps drifting by
 * lr_t m / (sqrt(v) + eps). A row untouched since step t0 is brought up
 * to step t1 in one go: the moments decay by beta^k (exact), and the
 * drift is the sum over the skipped steps, lr_{t0+j} c^j m / (sqrt(v) +
 * eps), c = beta1 / sqrt(beta2). The one approximation: eps is taken as
 * not growing with the decay of v (exactly it is eps / beta2^(j/2)), which
 * changes nothing unless sqrt(v) is within a few eps.
 */
/* The skipped steps' drift, then the moments' decay. */
static void
adam_drift(float *restrict w, float *restrict m, float *restrict v, size_t n, float drift,
    float b1, float b2, float eps)
{
	size_t i, l;

	if (n % VEC_LANES != 0) {	/* the bias table: one value a row */
		w[0] -= drift * m[0] / (sqrtf(v[0]) + eps);
		m[0] *= b1;
		v[0] *= b2;
		return;
	}
	/* Fixed 16-wide inner loops: the compiler vectorises these. */
	for (i = 0; i < n; i += VEC_LANES) {
		for (l = i; l < i + VEC_LANES; l++) {
			w[l] -= drift * m[l] / (sqrtf(v[l]) + eps);
			m[l] *= b1;
			v[l] *= b2;
		}
	}
}

static void
catch_up(const struct trainer *t, struct param_table *tb, size_t row, uint64_t to)
{
	uint64_t from = tb->last[row], k = to - from;
	size_t off = row * tb->stride;
	float drift;

	if (to <= from)
		return;
	drift = (float)(t->F[from] - power_of(t->c_pow, 0, k) * t->F[to]);
	adam_drift(tb->w + off, tb->m + off, tb->v + off, tb->stride, drift,
	    (float)power_of(t->b1_pow, t->c.beta1, k), (float)power_of(t->b2_pow, t->c.beta2, k),
	    t->c.eps);
	tb->last[row] = to;
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
		struct param_table *tb = table_of(t->m, k);
		for (r = 0; r < tb->rows && tb->last != NULL; r++)
			catch_up(t, tb, r, t->m->step);
	}
}

/* ------------------------------------------------------------ optimisers */

/* The update rules, element by element; n is 1 or a multiple of 16. */
static void
sgd_update(float *restrict w, const float *restrict g, size_t n, float lr)
{
	size_t i, l;

	if (n % VEC_LANES != 0) {
		w[0] -= lr * g[0];
		return;
	}
	for (i = 0; i < n; i += VEC_LANES)
		for (l = i; l < i + VEC_LANES; l++)
			w[l] -= lr * g[l];
}

static void
adagrad_update(float *restrict w, float *restrict v, const float *restrict g, size_t n,
    float lr, float eps)
{
	size_t i, l;

	if (n % VEC_LANES != 0) {
		v[0] += g[0] * g[0];
		w[0] -= lr * g[0] / (sqrtf(v[0]) + eps);
		return;
	}
	for (i = 0; i < n; i += VEC_LANES) {
		for (l = i; l < i + VEC_LANES; l++) {
			v[l] += g[l] * g[l];
			w[l] -= lr * g[l] / (sqrtf(v[l]) + eps);
		}
	}
}

static void
adam_update(float *restrict w, float *restrict m, float *restrict v, const float *restrict g,
    size_t n, float lrt, float b1, float b2, float eps)
{
	size_t i, l;

	if (n % VEC_LANES != 0) {
		m[0] = b1 * m[0] + (1 - b1) * g[0];
		v[0] = b2 * v[0] + (1 - b2) * (g[0] * g[0]);
		w[0] -= lrt * m[0] / (sqrtf(v[0]) + eps);
		return;
	}
	for (i = 0; i < n; i += VEC_LANES) {
		for (l = i; l < i + VEC_LANES; l++) {
			m[l] = b1 * m[l] + (1 - b1) * g[l];
			v[l] = b2 * v[l] + (1 - b2) * (g[l] * g[l]);
			w[l] -= lrt * m[l] / (sqrtf(v[l]) + eps);
		}
	}
}

static void
step_row(const struct trainer *t, struct param_table *tb, size_t row, float *g, float l2,
    uint64_t step, double lr_t)
{
	float *w = model_row(tb, row), lr = t->c.lr;
	size_t i, n = tb->stride;

	/*
	 * L2 as decoupled weight decay (AdamW): the row shrinks by lr * l2 * w
	 * apart from the gradient step. For sgd this is the L2 gradient; for
	 * the adaptive optimisers it stops the penalty from being rescaled.
	 */
	if (l2 != 0) {
		float shrink = 1.0f - lr * l2;
		for (i = 0; i < n; i++)
			w[i] *= shrink;
	}
	switch (t->c.opt) {
	case OPT_SGD:
		sgd_update(w, g, n, lr);
		return;
	case OPT_ADAGRAD:
		adagrad_update(w, tb->v + row * n, g, n, lr, t->c.eps);
		return;
	case OPT_ADAM:
		catch_up(t, tb, row, step - 1);
		tb->last[row] = step;
		/* FALLTHROUGH */
	case OPT_LAZYADAM:
	case OPT_ADAM_DENSE:
		adam_update(w, tb->m + row * n, tb->v + row * n, g, n, (float)lr_t, t->c.beta1,
		    t->c.beta2, t->c.eps);
		return;
	}
}

/* Keras, literally: rows without a gradient still take the step, with g = 0. */
static void
step_untouched_rows(const struct trainer *t, struct param_table *tb, const struct grad *gr,
    double lr_t)
{
	float zero[1024] = { 0 }, *g;
	size_t r;

	g = tb->stride <= 1024 ? zero : calloc(tb->stride, sizeof(float));
	for (r = 0; r < tb->rows && g != NULL; r++) {
		if (gr->slot_of[r] >= 0)
			continue;
		step_row(t, tb, r, g, 0, 0, lr_t);
	}
	if (g != zero)
		free(g);
}

/* ------------------------------------------------------------- gradients */

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

/* The gradient row of a table row, zeroed on first touch in a batch. */
static float *
grad_row(struct grad *gr, uint32_t row)
{
	int32_t s = gr->slot_of[row];

	if (s < 0) {
		s = (int32_t)gr->n++;
		gr->slot_of[row] = s;
		gr->rows[s] = row;
		memset(gr->g + (size_t)s * gr->stride, 0, gr->stride * sizeof(float));
	}
	return gr->g + (size_t)s * gr->stride;
}

static void
grad_clear(struct grad *gr)
{
	size_t s;

	for (s = 0; s < gr->n; s++)
		gr->slot_of[gr->rows[s]] = -1;
	gr->n = 0;
}

/* The loss of x = s(u,p) - s(u,n), and its derivative in x. */
static void
loss_and_slope(enum loss_kind k, float x, double *loss, float *slope)
{
	float sg = 1.0f / (1.0f + expf(-x));

	if (k == LOSS_NOTEBOOK) {
		*loss = 1.0 - sg;
		*slope = -sg * (1.0f - sg);
	} else {
		/* -ln sigmoid(x) = ln(1 + e^-x), computed without overflow */
		*loss = x > 0 ? log1p(exp(-(double)x)) : -(double)x + log1p(exp((double)x));
		*slope = -(1.0f - sg);
	}
}

/* Add g * (scale times the user's tag part) to each tag of item row i. */
static void
add_tag_grads(struct worker *wk, size_t i, float g, const float *utag)
{
	const struct bpr_model *m = wk->t->m;
	float s = g * m->tag_scale[i];
	uint32_t k;

	for (k = m->tag_start[i]; k < m->tag_start[i + 1]; k++)
		vec_axpy(grad_row(&wk->grad[T_TAG], m->tag_list[k]), s, utag, m->tpad);
}

/* Forward and backward for one triplet; g scales its gradient (1/batch). */
static void
triplet_grads(struct worker *wk, const struct row_triplet *tr, float inv_batch)
{
	const struct bpr_model *m = wk->t->m;
	const float *uw = model_row(&m->user, tr->u);
	float x, slope, g, *gu;
	double loss;

	if (m->tpad > 0) {
		model_tag_part(m, tr->p, wk->tag_p);
		model_tag_part(m, tr->n, wk->tag_n);
	}
	x = model_score(m, tr->u, tr->p, wk->tag_p) - model_score(m, tr->u, tr->n, wk->tag_n);
	loss_and_slope(wk->t->c.loss, x, &loss, &slope);
	wk->loss += loss;
	g = slope * inv_batch;
	gu = grad_row(&wk->grad[T_USER], tr->u);
	vec_axpy(gu, g, model_row(&m->item, tr->p), m->ipad);
	vec_axpy(gu, -g, model_row(&m->item, tr->n), m->ipad);
	if (m->tpad > 0) {
		vec_axpy(gu + m->ipad, g, wk->tag_p, m->tpad);
		vec_axpy(gu + m->ipad, -g, wk->tag_n, m->tpad);
		add_tag_grads(wk, tr->p, g, uw + m->ipad);
		add_tag_grads(wk, tr->n, -g, uw + m->ipad);
	}
	vec_axpy(grad_row(&wk->grad[T_ITEM], tr->p), g, uw, m->ipad);
	vec_axpy(grad_row(&wk->grad[T_ITEM], tr->n), -g, uw, m->ipad);
	if (m->use_bias) {
		grad_row(&wk->grad[T_BIAS], tr->p)[0] += g;
		grad_row(&wk->grad[T_BIAS], tr->n)[0] -= g;
	}
}

/*
 * Keras takes a batch's gradients at parameters that every earlier step
 * has moved: bring the rows this batch reads up to date first.
 */
static void
catch_up_batch(struct worker *wk, const struct row_triplet *tr, size_t n)
{
	struct trainer *t = wk->t;
	struct bpr_model *m = t->m;
	uint64_t now = __atomic_load_n(&m->step, __ATOMIC_RELAXED);
	size_t i;
	uint32_t k;

	for (i = 0; i < n; i++) {
		catch_up(t, &m->user, tr[i].u, now);
		catch_up(t, &m->item, tr[i].p, now);
		catch_up(t, &m->item, tr[i].n, now);
		if (m->use_bias) {
			catch_up(t, &m->bias, tr[i].p, now);
			catch_up(t, &m->bias, tr[i].n, now);
		}
		for (k = m->tag_start[tr[i].p]; m->tpad > 0 && k < m->tag_start[tr[i].p + 1]; k++)
			catch_up(t, &m->tag, m->tag_list[k], now);
		for (k = m->tag_start[tr[i].n]; m->tpad > 0 && k < m->tag_start[tr[i].n + 1]; k++)
			catch_up(t, &m->tag, m->tag_list[k], now);
	}
}

static void
apply_batch(struct worker *wk)
{
	struct trainer *t = wk->t;
	struct bpr_model *m = t->m;
	uint64_t step = __atomic_add_fetch(&m->step, 1, __ATOMIC_RELAXED);
	double lr_t = t->c.opt == OPT_SGD || t->c.opt == OPT_ADAGRAD ? 0 : adam_lr(t, step);
	size_t s;
	int k;

	for (k = 0; k < NTABLES; k++) {
		struct grad *gr = &wk->grad[k];
		struct param_table *tb = table_of(m, k);
		for (s = 0; s < gr->n; s++)
			step_row(t, tb, gr->rows[s], gr->g + s * gr->stride, t->c.l2[k], step, lr_t);
		if (t->c.opt == OPT_ADAM_DENSE)
			step_untouched_rows(t, tb, gr, lr_t);
		grad_clear(gr);
	}
}

static void *
work(void *arg)
{
	struct worker *wk = arg;
	size_t b, i, len, batch = wk->t->c.batch;

	wk->loss = 0;
	for (b = 0; b < wk->n; b += batch) {
		len = wk->n - b < batch ? wk->n - b : batch;
		if (wk->t->c.opt == OPT_ADAM)
			catch_up_batch(wk, wk->trip + b, len);
		for (i = 0; i < len; i++)
			triplet_grads(wk, &wk->trip[b + i], 1.0f / (float)len);
		apply_batch(wk);
	}
	return NULL;
}

/* ----------------------------------------------------------------- setup */

static int
worker_init(struct worker *wk, struct trainer *t, struct bpr_err *e)
{
	struct bpr_model *m = t->m;

	memset(wk, 0, sizeof(*wk));
	wk->t = t;
	wk->tag_p = mem_aligned(m->tpad + VEC_LANES, sizeof(float), "work space", e);
	wk->tag_n = mem_aligned(m->tpad + VEC_LANES, sizeof(float), "work space", e);
	return wk->tag_p && wk->tag_n ? 0 : -1;
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
	free(wk->tag_p);
	free(wk->tag_n);
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
	cc = c->beta1 / sqrt(c->beta2);
	for (i = 0; i < POW_TABLE; i++) {
		t->c_pow[i] = pow(cc, i);
		t->b1_pow[i] = pow(c->beta1, i);
		t->b2_pow[i] = pow(c->beta2, i);
	}
	if ((t->w = calloc((size_t)c->threads, sizeof(*t->w))) == NULL)
		return bpr_fail(e, "out of memory");
	for (i = 0; i < c->threads; i++)
		if (worker_init(&t->w[i], t, e) < 0)
			return -1;
	return model_enable_state(m, opt_moments(c->opt), c->opt == OPT_ADAM, e);
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
	free(t);
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

/* Slots for every row the model has now (it grows between epochs). */
static int
sync_workers(struct trainer *t, struct bpr_err *e)
{
	size_t b = t->c.batch, tags = 2 * b * longest_tag_list(t->m);
	size_t slots[NTABLES] = { b, 2 * b, tags < t->m->tag.rows ? tags : t->m->tag.rows, 2 * b };
	int i, k;

	for (i = 0; i < t->c.threads; i++)
		for (k = 0; k < NTABLES; k++)
			if (grad_reserve(&t->w[i].grad[k], table_of(t->m, k)->rows + 1,
			    table_of(t->m, k)->stride, slots[k] + 1, e) < 0)
				return -1;
	return 0;
}

int
trainer_run(struct trainer *t, const struct row_triplet *trip, size_t n, double *loss,
    struct bpr_err *e)
{
	pthread_t tid[256];
	size_t per, start = 0;
	double sum = 0;
	int i, threads = t->c.threads;

	if (sync_workers(t, e) < 0)
		return -1;
	if (t->c.opt == OPT_ADAM &&
	    extend_F(t, t->m->step + n / t->c.batch + (size_t)threads + 2, e) < 0)
		return -1;
	per = n / (size_t)threads;
	for (i = 0; i < threads; i++) {
		t->w[i].trip = trip + start;
		t->w[i].n = i == threads - 1 ? n - start : per;
		start += t->w[i].n;
	}
	if (threads == 1)
		work(&t->w[0]);
	for (i = 1; i < threads; i++)
		if (pthread_create(&tid[i], NULL, work, &t->w[i]) != 0)
			return bpr_fail(e, "cannot start a training thread");
	if (threads > 1)
		work(&t->w[0]);
	for (i = 1; i < threads; i++)
		pthread_join(tid[i], NULL);
	for (i = 0; i < threads; i++)
		sum += t->w[i].loss;
	*loss = n > 0 ? sum / (double)n : 0;
	if (!isfinite(*loss) || !model_finite(t->m))
		return bpr_fail(e, "training diverged (the loss or a parameter is no longer finite): "
		    "try a smaller --lr");
	return 0;
}
