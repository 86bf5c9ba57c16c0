/*
 * The trainer's hot loops, included by trainer.c (compiled for any x86-64),
 * trainer_avx2.c (-mavx2) and trainer_avx512.c (-mavx512f), each defining
 * KERNEL_NAME. Everything here is inlined into that one entry point, so
 * each copy is compiled whole for its instruction set; all give the same
 * bits.
 */
#ifndef KERNEL_NAME
#error "define KERNEL_NAME before including trainer_kernel.h"
#endif

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "io/progress.h"
#include "train/trainer_impl.h"

/*
 * A tag row is TAG_WIDTH floats for every --tag-dim up to 16 (the default
 * is 10). The code of tag rows has a copy compiled for that width, a
 * constant, so that its loops unroll: that cut the defaults' count from
 * 1,928 instructions a triplet to 1,768 (callgrind; 1,762 now).
 */
#define TAG_WIDTH VEC_LANES
/* f(args..., n), with n the constant TAG_WIDTH when it is that */
#define AT_WIDTH(n, f, ...) ((n) == TAG_WIDTH ? f(__VA_ARGS__, TAG_WIDTH) : f(__VA_ARGS__, (n)))

VEC_INLINE double
power_of(const double *table, double base, uint64_t k)
{
	return k < POW_TABLE ? table[k] : pow(base, (double)k);
}
/* ------------------------------------------------- element-wise updates */

/*
 * A chunk is the vector the element-wise updates take at a time: 16
 * floats in the AVX-512 copy, 8 (an AVX2 register, or two SSE ones) in
 * the others. Rows are a multiple of 16 floats, 64-byte aligned, and a
 * chunk's lanes lie in memory as a vec16's do, so a 16-float chunk holds
 * the .lo and .hi lanes of vec_dot_acc's sums.
 */
#if defined(__AVX512F__)
typedef float vchunk __attribute__((vector_size(64), may_alias));
#define CHUNK 16

VEC_INLINE vchunk
chunk_sqrt(vchunk x)
{
	return (vchunk)_mm512_sqrt_ps((__m512)x);
}
#else
typedef vec8 vchunk;
#define CHUNK 8
#define chunk_sqrt vec8_sqrt
#endif

/*
 * The update rules, element by element, for rows of a multiple of 16
 * floats, a chunk at a time; the biases, one float a row, have the same
 * rules in scalar form below. Element-wise arithmetic gives the same bits
 * at any vector width, and both forms compute the same expressions in
 * the same order.
 */
#define V(p, i) (*(vchunk *)((p) + (i)))

/* The skipped steps' drift, then the moments' decay. */
VEC_INLINE void
adam_drift(float *w, float *m, float *v, size_t n, float drift, float b1, float b2, float eps)
{
	size_t i;

	for (i = 0; i < n; i += CHUNK) {
		V(w, i) -= drift * V(m, i) / (chunk_sqrt(V(v, i)) + eps);
		V(m, i) *= b1;
		V(v, i) *= b2;
	}
}

/*
 * Row-wise Adagrad: one sum of squares a row, grown by the row's mean
 * squared gradient, scales the whole row's step (as large embedding
 * trainers do): one square root a row instead of one a value. The
 * row's scale, from the sum of its squared gradient over `real` values.
 */
VEC_INLINE float
rowwise_rate(float *rv, float squares, size_t real, float lr, float eps)
{
	*rv += squares / (float)real;
	return lr / (sqrtf(*rv) + eps);
}

/*
 * One chunk of a row's step, for an optimiser known at compile
 * time: the same expressions as every path's, shrink first. keep is 1
 * without L2, and x * 1 is x to the bit: no test needed.
 */
VEC_INLINE void
chunk_step(enum opt_kind opt, const struct train_config *c, float *w, float *m, float *v,
    vchunk g, float keep, float lr_t)
{
	vchunk x = V(w, 0) * keep;

	switch (opt) {
	case OPT_SGD:
		x -= c->lr * g;
		break;
	case OPT_ADAGRAD:
		V(v, 0) += g * g;
		x -= c->lr * g / (chunk_sqrt(V(v, 0)) + c->eps);
		break;
	default:
		V(m, 0) = c->beta1 * V(m, 0) + (1 - c->beta1) * g;
		V(v, 0) = c->beta2 * V(v, 0) + (1 - c->beta2) * (g * g);
		x -= lr_t * V(m, 0) / (chunk_sqrt(V(v, 0)) + c->eps);
		break;
	}
	V(w, 0) = x;
}

struct row_ref {
	float *w, *m, *v;
};

VEC_INLINE struct row_ref
row_ref(const struct param_table *tb, size_t row)
{
	struct row_ref r = { tb->w + row * tb->stride, NULL, NULL };

	if (tb->m != NULL)
		r.m = tb->m + row * tb->stride;
	if (tb->v != NULL)
		r.v = tb->v + row * tb->stride;
	return r;
}

#define AT(r, i) (r).w + (i), (r).m ? (r).m + (i) : NULL, (r).v ? (r).v + (i) : NULL

/*
 * g * a - g * b, the batch path's gradient chunk less its zeroed start:
 * 0 + x and x differ only when x is -0, and a step by a zero of either
 * sign gives the same bits (w * keep - 0 is w * keep for any w but -0,
 * and no step makes a weight -0 from +0 starts: x - y is -0 only when x
 * is). So the immediate path skips the zeroing adds.
 */
VEC_INLINE vchunk
pair_grad(float g, vchunk a, vchunk b)
{
	return g * a + -g * b;
}

/* Shrink by keep, then step by the gradient at the row's scale: step_row's rowadagrad. */
VEC_INLINE void
rowwise_chunk(float *w, vchunk g, float keep, float scale)
{
	V(w, 0) = V(w, 0) * keep - g * scale;
}

/* The same rules for one float (an item bias). */
VEC_INLINE void
update_scalar(enum opt_kind opt, const struct train_config *c, float *w, float *m, float *v,
    float g, float keep, float lr_t)
{
	*w *= keep;
	switch (opt) {
	case OPT_SGD:
		*w -= c->lr * g;
		return;
	case OPT_ADAGRAD:
		*v += g * g;
		*w -= c->lr * g / (sqrtf(*v) + c->eps);
		return;
	case OPT_ROWADAGRAD:
		*w -= g * rowwise_rate(v, g * g, 1, c->lr, c->eps);
		return;
	default:
		*m = c->beta1 * *m + (1 - c->beta1) * g;
		*v = c->beta2 * *v + (1 - c->beta2) * (g * g);
		*w -= lr_t * *m / (sqrtf(*v) + c->eps);
		return;
	}
}

VEC_INLINE void
drift_scalar(float *w, float *m, float *v, float drift, float b1, float b2, float eps)
{
	*w -= drift * *m / (sqrtf(*v) + eps);
	*m *= b1;
	*v *= b2;
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
VEC_INLINE void
catch_up(const struct trainer *t, struct param_table *tb, size_t row, uint64_t to)
{
	uint64_t from = tb->last[row], k = to - from;
	size_t off = row * tb->stride;
	float drift, b1, b2;

	if (to <= from)
		return;
	drift = (float)(t->F[from] - power_of(t->c_pow, 0, k) * t->F[to]);
	b1 = (float)power_of(t->b1_pow, t->c.beta1, k);
	b2 = (float)power_of(t->b2_pow, t->c.beta2, k);
	if (tb->stride == 1)
		drift_scalar(tb->w + off, tb->m + off, tb->v + off, drift, b1, b2, t->c.eps);
	else
		adam_drift(tb->w + off, tb->m + off, tb->v + off, tb->stride, drift, b1, b2, t->c.eps);
	tb->last[row] = to;
}

/*
 * One row's step with gradient g, for optimiser opt (a constant where
 * the caller knows it; for adam, at step `step`). L2 is decoupled weight
 * decay (AdamW): the row first shrinks by keep, 1 - lr * l2 (t->keep);
 * for sgd that is the L2 gradient, for the adaptive optimisers it stops
 * the penalty from being rescaled. A one-float row (an item bias) takes
 * update_scalar's form of the same rules.
 */
VEC_INLINE void
step_scalar(const struct trainer *t, enum opt_kind opt, int k, size_t row, float g, float keep,
    uint64_t step, float lr_t)
{
	struct param_table *tb = trainer_table(t->m, k);
	struct row_ref r = row_ref(tb, row);

	if (opt == OPT_ADAM) {
		catch_up(t, tb, row, step - 1);
		tb->last[row] = step;
	}
	update_scalar(opt, &t->c, r.w, r.m, tb->rv ? tb->rv + row : r.v, g, keep, lr_t);
}

VEC_INLINE void
step_row_of(const struct trainer *t, enum opt_kind opt, int k, size_t row, const float *g,
    float keep, uint64_t step, float lr_t, size_t n)
{
	struct param_table *tb = trainer_table(t->m, k);
	struct row_ref r = row_ref(tb, row);
	size_t i;
	float scale;

	if (n == 1) {
		step_scalar(t, opt, k, row, g[0], keep, step, lr_t);
		return;
	}
	if (opt == OPT_ADAM) {
		catch_up(t, tb, row, step - 1);
		tb->last[row] = step;
	}
	if (opt == OPT_ROWADAGRAD) {
		scale = rowwise_rate(tb->rv + row, vec_dot(g, g, n), t->real[k], t->c.lr, t->c.eps);
		for (i = 0; i < n; i += CHUNK)
			rowwise_chunk(r.w + i, V(g, i), keep, scale);
		return;
	}
	for (i = 0; i < n; i += CHUNK)
		chunk_step(opt, &t->c, AT(r, i), V(g, i), keep, lr_t);
}

VEC_INLINE void
step_row(const struct trainer *t, enum opt_kind opt, int k, size_t row, const float *g,
    float keep, uint64_t step, float lr_t)
{
	AT_WIDTH(trainer_table(t->m, k)->stride, step_row_of, t, opt, k, row, g, keep, step, lr_t);
}

/* ------------------------------------------------------------- gradients */

/* The gradient row of a table row in this batch; *fresh when first touched. */
VEC_INLINE float *
grad_slot(struct grad *gr, uint32_t row, int *fresh)
{
	int32_t s = gr->slot_of[row];

	*fresh = s < 0;
	if (s < 0) {
		s = (int32_t)gr->n++;
		gr->slot_of[row] = s;
		gr->rows[s] = row;
	}
	return gr->g + (size_t)s * gr->stride;
}

/* The gradient row of a table row, zeroed on first touch in a batch. */
VEC_INLINE float *
grad_row(struct grad *gr, uint32_t row)
{
	int fresh;
	float *g = grad_slot(gr, row, &fresh);

	if (fresh)
		memset(g, 0, gr->stride * sizeof(float));
	return g;
}

/*
 * Add s * x to a table row's gradient (a whole row, n floats); on first
 * touch in a batch it becomes 0 + s * x: the bits of zeroing it and
 * adding, without the memset.
 */
VEC_INLINE void
grad_add_of(struct grad *gr, uint32_t row, float s, const float *x, size_t n)
{
	int fresh;
	float *g = grad_slot(gr, row, &fresh);

	if (fresh)
		vec_zero_axpy(g, s, x, n);
	else
		vec_axpy(g, s, x, n);
}

VEC_INLINE void
grad_add(struct grad *gr, uint32_t row, float s, const float *x)
{
	AT_WIDTH(gr->stride, grad_add_of, gr, row, s, x);
}

VEC_INLINE void
grad_clear(struct grad *gr)
{
	size_t s;

	for (s = 0; s < gr->n; s++)
		gr->slot_of[gr->rows[s]] = -1;
	gr->n = 0;
}

static void step_untouched_rows(const struct trainer *t, int k, const struct grad *gr,
    float lr_t);

/* Apply and clear table k's batch gradient. */
VEC_INLINE void
apply_grads(struct trainer *t, enum opt_kind opt, int k, struct grad *gr, uint64_t step,
    float lr_t)
{
	size_t s;

	for (s = 0; s < gr->n; s++)
		step_row(t, opt, k, gr->rows[s], gr->g + s * gr->stride, t->keep[k], step, lr_t);
	if (opt == OPT_ADAM_DENSE)
		step_untouched_rows(t, k, gr, lr_t);
	grad_clear(gr);
}

/*
 * Item row i's tag part (n floats) into out, and its product with the
 * user's tag part ut added into acc: model_tag_part's and model_score's
 * expressions (1 * x is x, to the bit), 16 floats at a time, so that the
 * tag part is made in registers and stored once.
 */
VEC_INLINE void
tag_part_dot_of(const struct bpr_model *m, uint32_t i, const float *ut, float *out, vec16 *acc,
    size_t n)
{
	uint32_t first = m->tag_start[i], end = m->tag_start[i + 1], k;
	float scale = m->tag_scale[i];
	vec8 zero = { 0 }, lo, hi;
	const float *T;
	size_t c;

	for (c = 0; c < n; c += VEC_LANES) {
		lo = hi = zero;
		for (k = first; k < end; k++) {
			T = model_row(&m->tag, m->tag_list[k]) + c;
			lo = lo + vec8_at(T);
			hi = hi + vec8_at(T + 8);
		}
		if (scale != 1.0f && first < end) {
			lo = scale * lo;
			hi = scale * hi;
		}
		vec8_put(out + c, lo);
		vec8_put(out + c + 8, hi);
		acc->lo += vec8_at(ut + c) * lo;
		acc->hi += vec8_at(ut + c + 8) * hi;
	}
}

VEC_INLINE void
tag_part_dot(const struct bpr_model *m, uint32_t i, const float *ut, float *out, vec16 *acc)
{
	AT_WIDTH(m->tpad, tag_part_dot_of, m, i, ut, out, acc);
}

/* True when item row i is one of user row u's positives. */
VEC_INLINE int
is_positive(const struct trainer *t, uint32_t u, uint32_t i)
{
	const uint32_t *p;
	size_t lo, hi, mid;

	if (u >= t->pos_users)
		return 0;
	p = t->pos_rows;
	lo = t->pos_start[u];
	hi = t->pos_start[u + 1];
	while (lo < hi) {
		mid = (lo + hi) / 2;
		if (p[mid] < i)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < t->pos_start[u + 1] && p[lo] == i;
}

/*
 * An item row drawn uniformly: for hard negatives, any item (a positive of
 * the user may be drawn, as uniform negatives may be); for WARP, one the
 * user has no positive for.
 */
VEC_INLINE uint32_t
draw_negative(struct worker *wk, uint32_t u, int unseen)
{
	uint32_t n = (uint32_t)wk->t->m->item.rows, i, tries = 0;

	do
		i = rng_below(&wk->rng, n);
	while (unseen && is_positive(wk->t, u, i) && ++tries < 64);
	return i;
}

/*
 * An item row about to be read, brought up to the current step (Keras'
 * Adam moves every row at every step; the others need nothing).
 */
VEC_INLINE void
ready_item(struct worker *wk, uint32_t i)
{
	struct trainer *t = wk->t;
	struct bpr_model *m = t->m;
	uint64_t now;
	uint32_t k;

	if (t->c.opt != OPT_ADAM)
		return;
	now = __atomic_load_n(&m->step, __ATOMIC_RELAXED);
	catch_up(t, &m->item, i, now);
	if (m->use_bias)
		catch_up(t, &m->bias, i, now);
	for (k = m->tag_start[i]; m->tpad > 0 && k < m->tag_start[i + 1]; k++)
		catch_up(t, &m->tag, m->tag_list[k], now);
}

VEC_INLINE void
prefetch_lines(const float *p, size_t floats)
{
	size_t off;

	for (off = 0; off < floats; off += 16)
		__builtin_prefetch(p + off, 1);
}

VEC_INLINE void
prefetch_row(const struct param_table *tb, size_t row)
{
	size_t at = row * tb->stride;

	prefetch_lines(tb->w + at, tb->stride);
	if (tb->last != NULL)
		__builtin_prefetch(tb->last + row, 1);
	if (tb->rv != NULL)
		__builtin_prefetch(tb->rv + row, 1);
	if (tb->v != NULL)
		prefetch_lines(tb->v + at, tb->stride);
	if (tb->m != NULL)
		prefetch_lines(tb->m + at, tb->stride);
}

/*
 * Hard negatives are drawn a few triplets ahead, in the order they are
 * used (the same random stream as drawing each when needed), so that
 * their rows can be fetched from memory meanwhile (for a model past
 * PREFETCH_MIN_BYTES; a smaller one draws each when needed).
 */
VEC_INLINE void
draw_ahead(struct worker *wk)
{
	const struct bpr_model *m = wk->t->m;
	uint32_t c;

	while (wk->ahead_n < HARD_AHEAD_MAX) {
		c = draw_negative(wk, 0, 0);
		wk->ahead[(wk->ahead_head + wk->ahead_n++) % HARD_AHEAD_MAX] = c;
		/* its bias and state too: each candidate's bias is read, the best one's state stepped */
		prefetch_row(&m->item, c);
		if (m->use_bias)
			prefetch_row(&m->bias, c);
	}
}

/*
 * The next hard-negative candidate: the oldest drawn ahead, or, when
 * rows are not fetched ahead (a small model) and none was, one drawn now
 * from the same stream.
 */
VEC_INLINE uint32_t
next_candidate(struct worker *wk)
{
	uint32_t c;

	if (wk->ahead_n == 0)
		return draw_negative(wk, 0, 0);
	c = wk->ahead[wk->ahead_head];

	wk->ahead_head = (wk->ahead_head + 1) % HARD_AHEAD_MAX;
	wk->ahead_n--;
	draw_ahead(wk);
	return c;
}

/* Add the products of a 16-float piece of the user's row (lo, hi) and of an item's to acc. */
VEC_INLINE void
dot_piece(vec16 *acc, vec8 lo, vec8 hi, const float *item)
{
	acc->lo += lo * vec8_at(item);
	acc->hi += hi * vec8_at(item + 8);
}

/* Item row i's score from its item part's products in acc; its tag part into tag. */
VEC_INLINE float
finish_score(const struct bpr_model *m, const float *U, uint32_t i, float *tag, vec16 *acc)
{
	tag_part_dot(m, i, U + m->ipad, tag, acc);
	return vec_sum(acc) + (m->use_bias ? m->bias.w[i] : 0.0f);
}

/*
 * The scores of k item rows for user row u (k, 1 to 3, a constant where
 * inlined) in one pass over the user's row, item j's tag part left in
 * tag[j]: lanes 0-7 of each 16 into .lo and 8-15 into .hi, as
 * vec_dot_acc adds them, so an item's score has the same bits in any
 * pass. The accumulators are named, not an array, so that they stay in
 * registers.
 */
VEC_INLINE void
score_items(const struct bpr_model *m, size_t u, const uint32_t *item, int k, float *const *tag,
    float *s)
{
	const float *U = model_row(&m->user, u), *R0 = model_row(&m->item, item[0]);
	const float *R1 = k > 1 ? model_row(&m->item, item[1]) : R0;
	const float *R2 = k > 2 ? model_row(&m->item, item[2]) : R0;
	vec16 a0 = { { 0 }, { 0 } }, a1 = a0, a2 = a0;
	vec8 lo, hi;
	size_t i;

	for (i = 0; i < m->ipad; i += VEC_LANES) {
		lo = vec8_at(U + i);
		hi = vec8_at(U + i + 8);
		dot_piece(&a0, lo, hi, R0 + i);
		if (k > 1)
			dot_piece(&a1, lo, hi, R1 + i);
		if (k > 2)
			dot_piece(&a2, lo, hi, R2 + i);
	}
	s[0] = finish_score(m, U, item[0], tag[0], &a0);
	if (k > 1)
		s[1] = finish_score(m, U, item[1], tag[1], &a1);
	if (k > 2)
		s[2] = finish_score(m, U, item[2], tag[2], &a2);
}

/* Score of item row i for user row u; its tag part is left in tagbuf. */
VEC_INLINE float
score_of(const struct bpr_model *m, size_t u, uint32_t i, float *tagbuf)
{
	float s;

	score_items(m, u, &i, 1, &tagbuf, &s);
	return s;
}

/* Candidate c, of score sc and tag part tag, becomes the negative when it scores higher. */
VEC_INLINE void
take_if_higher(struct worker *wk, uint32_t c, float sc, float *tag, uint32_t *neg, float *sn)
{
	if (sc > *sn) {
		*neg = c;
		*sn = sc;
		wk->tag_n = tag;
	}
}

/*
 * Hard negatives: candidate c replaces the negative when it scores
 * higher. Its tag part goes to the slot after the negative's, and the
 * two slots trade places when it wins.
 */
VEC_INLINE void
better_negative(struct worker *wk, const struct row_triplet *tr, uint32_t c, uint32_t *neg,
    float *sn)
{
	const struct bpr_model *m = wk->t->m;
	float *tag = wk->tag_n == wk->tag_k + m->tpad ? wk->tag_n + m->tpad : wk->tag_k + m->tpad;
	float sc;

	ready_item(wk, c);
	sc = score_of(m, tr->u, c, tag);
	take_if_higher(wk, c, sc, tag, neg, sn);
}

/*
 * The negative a triplet trains on, and both scores: the given one; with
 * hard negatives the best-scoring of the given one and hard-1 uniform
 * draws; with WARP the first of the given one and further draws among
 * the user's non-positives that comes within the margin of the positive,
 * weighted by L(estimated rank). The tag parts are left in wk->tag_p and
 * wk->tag_n. Returns 0 when WARP finds none (skip).
 */
VEC_INLINE int
choose_negative(struct worker *wk, const struct row_triplet *tr, float *sp, uint32_t *neg,
    float *sn, float *weight)
{
	struct trainer *t = wk->t;
	const struct bpr_model *m = t->m;
	float *tag[3] = { wk->tag_k, wk->tag_k + m->tpad, wk->tag_k + 2 * m->tpad }, s[3];
	uint32_t k, item[3] = { tr->p, tr->n, 0 };

	*weight = 1;
	wk->tag_p = tag[0];
	wk->tag_n = tag[1];
	*neg = tr->n;
	if (!losses[t->c.loss].sampled && t->c.hard > 1) {
		/* the first candidate is scored in the triplet's pass over the user's row */
		item[2] = next_candidate(wk);
		ready_item(wk, item[2]);
		score_items(m, tr->u, item, 3, tag, s);
		*sp = s[0];
		*sn = s[1];
		take_if_higher(wk, item[2], s[2], tag[2], neg, sn);
		for (k = 2; k < t->c.hard; k++)
			better_negative(wk, tr, next_candidate(wk), neg, sn);
		return 1;
	}
	score_items(m, tr->u, item, 2, tag, s);
	*sp = s[0];
	*sn = s[1];
	if (!losses[t->c.loss].sampled)
		return 1;
	for (k = 1; *sn <= *sp - 1; k++) {
		if (k >= t->c.max_sampled)
			return 0;
		*neg = draw_negative(wk, tr->u, 1);
		ready_item(wk, *neg);
		*sn = score_of(m, tr->u, *neg, wk->tag_n);
	}
	*weight = t->warp_weight[(m->item.rows - 1) / k];
	return 1;
}

/* Forward pass of one triplet: its slope g (scaled), or 0 with *skip set. */
VEC_INLINE float
forward(struct worker *wk, const struct row_triplet *tr, float scale, uint32_t *neg, int *skip)
{
	float sp, sn, weight, slope;
	double loss;

	*skip = !choose_negative(wk, tr, &sp, neg, &sn, &weight);
	if (*skip)
		return 0;
	losses[wk->t->c.loss].of(sp - sn, weight, &loss, &slope);
	wk->loss += loss;
	return slope * scale;
}

/* Add g * (scale times the user's tag part) to each tag of item row i. */
VEC_INLINE void
add_tag_grads(struct worker *wk, size_t i, float g, const float *utag)
{
	const struct bpr_model *m = wk->t->m;
	float s = g * m->tag_scale[i];
	uint32_t k;

	for (k = m->tag_start[i]; k < m->tag_start[i + 1]; k++)
		grad_add(&wk->grad[T_TAG], m->tag_list[k], s, utag);
}

/* ------------------------------------------------- the batch code path */

/* Forward and backward for one triplet into the batch's slots. */
VEC_INLINE void
triplet_grads(struct worker *wk, const struct row_triplet *tr, float inv_batch)
{
	const struct bpr_model *m = wk->t->m;
	const float *uw = model_row(&m->user, tr->u);
	float g, *gu;
	uint32_t n;
	int skip;

	g = forward(wk, tr, inv_batch, &n, &skip);
	if (skip)
		return;
	gu = grad_row(&wk->grad[T_USER], tr->u);
	vec_axpy(gu, g, model_row(&m->item, tr->p), m->ipad);
	vec_axpy(gu, -g, model_row(&m->item, n), m->ipad);
	if (m->tpad > 0) {
		vec_axpy(gu + m->ipad, g, wk->tag_p, m->tpad);
		vec_axpy(gu + m->ipad, -g, wk->tag_n, m->tpad);
		add_tag_grads(wk, tr->p, g, uw + m->ipad);
		add_tag_grads(wk, n, -g, uw + m->ipad);
	}
	grad_add(&wk->grad[T_ITEM], tr->p, g, uw);
	grad_add(&wk->grad[T_ITEM], n, -g, uw);
	if (m->use_bias) {
		grad_row(&wk->grad[T_BIAS], tr->p)[0] += g;
		grad_row(&wk->grad[T_BIAS], n)[0] -= g;
	}
}

/* Keras, literally: rows without a gradient still take the step, with g = 0. */
static void
step_untouched_rows(const struct trainer *t, int k, const struct grad *gr, float lr_t)
{
	const struct param_table *tb = trainer_table(t->m, k);
	float zero[1024] = { 0 }, *g;
	size_t r;

	g = tb->stride <= 1024 ? zero : calloc(tb->stride, sizeof(float));
	for (r = 0; r < tb->rows && g != NULL; r++)
		if (gr->slot_of[r] < 0)
			step_row(t, OPT_ADAM_DENSE, k, r, g, 1.0f, 0, lr_t);
	if (g != zero)
		free(g);
}

/*
 * The step number of a new batch (opt: a constant where the caller knows
 * it). Only the Adams use it; for the others each thread counts its own,
 * which avoids a shared counter's cache line bouncing between cores at
 * every triplet (the totals are summed after).
 */
VEC_INLINE uint64_t
next_step(struct worker *wk, enum opt_kind opt, const struct train_config *c, float *lr_t)
{
	uint64_t step;

	if (!opt_counts_steps(opt)) {
		*lr_t = 0;
		return ++wk->steps;
	}
	step = __atomic_add_fetch(&wk->t->m->step, 1, __ATOMIC_RELAXED);
	*lr_t = (float)adam_lr(c, step);
	return step;
}

VEC_INLINE void
apply_batch(struct worker *wk)
{
	struct trainer *t = wk->t;
	float lr_t;
	uint64_t step = next_step(wk, t->c.opt, &t->c, &lr_t);
	int k;

	for (k = 0; k < NTABLES; k++)
		apply_grads(t, t->c.opt, k, &wk->grad[k], step, lr_t);
}

/* The rows a triplet will read and write, fetched while others compute. */
VEC_INLINE void
prefetch_triplet(const struct bpr_model *m, const struct row_triplet *tr)
{
	prefetch_row(&m->user, tr->u);
	prefetch_row(&m->item, tr->p);
	prefetch_row(&m->item, tr->n);
	if (m->use_bias) {
		prefetch_row(&m->bias, tr->p);
		prefetch_row(&m->bias, tr->n);
	}
}

/* Triplet i + PREFETCH_AHEAD's rows, when the worker has one there. */
VEC_INLINE void
prefetch_ahead(const struct worker *wk, size_t i)
{
	if (wk->t->prefetch && i + PREFETCH_AHEAD < wk->n)
		prefetch_triplet(wk->t->m, &wk->trip[i + PREFETCH_AHEAD]);
}

/* The rows a triplet reads, up to date with every step taken so far (Keras). */
VEC_INLINE void
catch_up_triplet(struct trainer *t, const struct row_triplet *tr, uint64_t now)
{
	struct bpr_model *m = t->m;
	uint32_t k, items[2] = { tr->p, tr->n };
	int j;

	catch_up(t, &m->user, tr->u, now);
	for (j = 0; j < 2; j++) {
		catch_up(t, &m->item, items[j], now);
		if (m->use_bias)
			catch_up(t, &m->bias, items[j], now);
		for (k = m->tag_start[items[j]]; m->tpad > 0 && k < m->tag_start[items[j] + 1]; k++)
			catch_up(t, &m->tag, m->tag_list[k], now);
	}
}

/*
 * Keras takes a batch's gradients at parameters that every earlier step
 * has moved: bring the rows this batch reads up to date first (negatives
 * drawn while training are brought up when drawn).
 */
VEC_INLINE void
catch_up_batch(struct worker *wk, size_t from, size_t len)
{
	struct trainer *t = wk->t;
	uint64_t now = __atomic_load_n(&t->m->step, __ATOMIC_RELAXED);
	size_t i;

	for (i = from; i < from + len; i++) {
		prefetch_ahead(wk, i);
		catch_up_triplet(t, &wk->trip[i], now);
	}
}

/* The batch slots a triplet will look up (row -> slot maps are random reads). */
VEC_INLINE void
prefetch_slots(struct worker *wk, const struct row_triplet *tr)
{
	__builtin_prefetch(wk->grad[T_USER].slot_of + tr->u, 1);
	__builtin_prefetch(wk->grad[T_ITEM].slot_of + tr->p, 1);
	__builtin_prefetch(wk->grad[T_ITEM].slot_of + tr->n, 1);
	if (wk->t->m->use_bias) {
		__builtin_prefetch(wk->grad[T_BIAS].slot_of + tr->p, 1);
		__builtin_prefetch(wk->grad[T_BIAS].slot_of + tr->n, 1);
	}
}

/* Triplets between two counts of the progress (io/progress.h): a shared count, not touched often. */
#define PROGRESS_EVERY 8192

VEC_INLINE void
run_batches(struct worker *wk)
{
	size_t b, i, len, batch = wk->t->c.batch, counted = 0;
	int catch_up = wk->t->c.opt == OPT_ADAM;

	for (b = 0; b < wk->n; b += batch) {
		if (b - counted >= PROGRESS_EVERY) {
			progress_add(b - counted);
			counted = b;
		}
		len = wk->n - b < batch ? wk->n - b : batch;
		/*
		 * Each triplet's rows are fetched ahead of their first touch:
		 * Keras Adam's catch-up, or else the gradients.
		 */
		if (catch_up)
			catch_up_batch(wk, b, len);
		for (i = 0; i < len; i++) {
			if (!catch_up)
				prefetch_ahead(wk, b + i);
			if (b + i + PREFETCH_AHEAD < wk->n)
				prefetch_slots(wk, &wk->trip[b + i + PREFETCH_AHEAD]);
			triplet_grads(wk, &wk->trip[b + i], 1.0f / (float)len);
		}
		apply_batch(wk);
	}
	progress_add(wk->n - counted);
}

/* --------------------------------------- the immediate code path (batch 1) */

/*
 * The gradient chunks at i of the user's item part and of the two item
 * rows, from their old values (without the zeroed start, as pair_grad).
 * same (a compile-time constant at each call) when the negative is the
 * positive: its row then takes both.
 */
VEC_INLINE void
row_grads(const float *U, const float *P, const float *N, size_t i, float g, int same,
    vchunk *gu, vchunk *gp, vchunk *gn)
{
	vchunk u = V(U, i);

	*gu = pair_grad(g, V(P, i), V(N, i));
	*gp = g * u;
	if (same)
		*gp = *gp + -g * u;
	*gn = -g * u;
}

/*
 * The user's and the two items' steps in one pass over their rows: each
 * chunk's gradients come from the chunk's old values, as the batch path
 * computes them, and the three rows are written once.
 */
VEC_INLINE void
fused_steps_of(struct worker *wk, enum opt_kind opt, const struct row_triplet *tr, uint32_t n,
    float g, uint64_t step, float lr_t, int same)
{
	const struct trainer *t = wk->t;
	const struct bpr_model *m = t->m;
	struct row_ref U = row_ref(&m->user, tr->u), P = row_ref(&m->item, tr->p);
	struct row_ref N = row_ref(&m->item, n);
	float ku = t->keep[T_USER], ki = t->keep[T_ITEM];
	vchunk gu, gp, gn;
	size_t i;

	if (opt == OPT_ADAM) {
		m->user.last[tr->u] = step;
		m->item.last[tr->p] = step;
		m->item.last[n] = step;
	}
	for (i = 0; i < m->ipad; i += CHUNK) {
		row_grads(U.w, P.w, N.w, i, g, same, &gu, &gp, &gn);
		chunk_step(opt, &t->c, AT(U, i), gu, ku, lr_t);
		chunk_step(opt, &t->c, AT(P, i), gp, ki, lr_t);
		if (!same)
			chunk_step(opt, &t->c, AT(N, i), gn, ki, lr_t);
	}
	for (i = 0; i < m->tpad; i += CHUNK) {
		gu = pair_grad(g, V(wk->tag_p, i), V(wk->tag_n, i));
		chunk_step(opt, &t->c, AT(U, m->ipad + i), gu, ku, lr_t);
	}
}

VEC_INLINE void
fused_steps(struct worker *wk, enum opt_kind opt, const struct row_triplet *tr, uint32_t n,
    float g, uint64_t step, float lr_t)
{
	if (n == tr->p)
		fused_steps_of(wk, opt, tr, n, g, step, lr_t, 1);
	else
		fused_steps_of(wk, opt, tr, n, g, step, lr_t, 0);
}

/*
 * Squared gradients are summed into 16 lanes as vec_dot_acc sums: chunk
 * h / CHUNK of each 16-float piece into lanes[h / CHUNK], whose memory is
 * a vec16's (.lo then .hi).
 */
#define PIECE_CHUNKS (VEC_LANES / CHUNK)

VEC_INLINE void
square_into(vchunk *lane, vchunk x)
{
	*lane += x * x;
}

/* One row's row-wise Adagrad scale from its squared gradient's lanes. */
VEC_INLINE float
rowwise_scale(const struct trainer *t, int k, size_t row, const vchunk *lanes)
{
	vec16 squares;

	memcpy(&squares, lanes, sizeof(squares));
	return rowwise_rate(trainer_table(t->m, k)->rv + row, vec_sum(&squares), t->real[k],
	    t->c.lr, t->c.eps);
}

/*
 * Row-wise Adagrad needs a row's whole gradient before its step: a first
 * pass sums the three rows' squared gradients, a second steps them, each
 * chunk's gradient made again from the old values. The bits are those of
 * building the gradient rows and stepping each (the batch path). Rows
 * are a multiple of 16 floats: each pass takes 16 at a time, the two
 * halves into the two lane sets.
 */
VEC_INLINE void
rowwise_steps_of(struct worker *wk, const struct row_triplet *tr, uint32_t n, float g, int same)
{
	const struct trainer *t = wk->t;
	const struct bpr_model *m = t->m;
	float *U = model_row(&m->user, tr->u), *P = model_row(&m->item, tr->p);
	float *N = model_row(&m->item, n), *UT = U + m->ipad;
	float ku = t->keep[T_USER], ki = t->keep[T_ITEM], su, sp, sn = 0;
	vchunk qu[PIECE_CHUNKS] = { { 0 } }, qp[PIECE_CHUNKS] = { { 0 } };
	vchunk gu, gp, gn;
	size_t i, h;

	/* the negative's gradient is the positive's negated: the same squares */
	for (i = 0; i < m->ipad; i += VEC_LANES)
		for (h = 0; h < VEC_LANES; h += CHUNK) {
			row_grads(U, P, N, i + h, g, same, &gu, &gp, &gn);
			square_into(&qu[h / CHUNK], gu);
			square_into(&qp[h / CHUNK], gp);
		}
	for (i = 0; i < m->tpad; i += VEC_LANES)
		for (h = 0; h < VEC_LANES; h += CHUNK)
			square_into(&qu[h / CHUNK],
			    pair_grad(g, V(wk->tag_p, i + h), V(wk->tag_n, i + h)));
	su = rowwise_scale(t, T_USER, tr->u, qu);
	sp = rowwise_scale(t, T_ITEM, tr->p, qp);
	if (!same)
		sn = rowwise_scale(t, T_ITEM, n, qp);
	for (i = 0; i < m->ipad; i += CHUNK) {
		row_grads(U, P, N, i, g, same, &gu, &gp, &gn);
		rowwise_chunk(U + i, gu, ku, su);
		rowwise_chunk(P + i, gp, ki, sp);
		if (!same)
			rowwise_chunk(N + i, gn, ki, sn);
	}
	for (i = 0; i < m->tpad; i += CHUNK)
		rowwise_chunk(UT + i, pair_grad(g, V(wk->tag_p, i), V(wk->tag_n, i)), ku, su);
}

VEC_INLINE void
rowwise_steps(struct worker *wk, const struct row_triplet *tr, uint32_t n, float g)
{
	if (n == tr->p)
		rowwise_steps_of(wk, tr, n, g, 1);
	else
		rowwise_steps_of(wk, tr, n, g, 0);
}

/*
 * With one triplet a batch there is nothing to gather: compute its
 * gradients from the parameters as they are, and step the rows. The
 * float operations are those of the batch path, in the same order, so
 * both give the same bits; this one skips the bookkeeping.
 */
VEC_INLINE void
immediate_triplet(struct worker *wk, enum opt_kind opt, const struct row_triplet *tr)
{
	struct trainer *t = wk->t;
	struct bpr_model *m = t->m;
	const float *uw = model_row(&m->user, tr->u);
	float g, lr_t;
	uint64_t step;
	uint32_t n;
	int skip;

	if (opt == OPT_ADAM)
		catch_up_triplet(t, tr, __atomic_load_n(&m->step, __ATOMIC_RELAXED));
	g = forward(wk, tr, 1.0f, &n, &skip);
	step = next_step(wk, opt, &t->c, &lr_t);
	if (skip)
		return;
	if (m->tpad > 0) {
		add_tag_grads(wk, tr->p, g, uw + m->ipad);
		add_tag_grads(wk, n, -g, uw + m->ipad);
		apply_grads(t, opt, T_TAG, &wk->grad[T_TAG], step, lr_t);
	}
	if (opt == OPT_ROWADAGRAD)
		rowwise_steps(wk, tr, n, g);
	else
		fused_steps(wk, opt, tr, n, g, step, lr_t);
	if (m->use_bias) {
		float bp = 0.0f + g, bn = n == tr->p ? bp - g : 0.0f - g;
		step_scalar(t, opt, T_BIAS, tr->p, n == tr->p ? bn : bp, t->keep[T_BIAS], step, lr_t);
		if (n != tr->p)
			step_scalar(t, opt, T_BIAS, n, bn, t->keep[T_BIAS], step, lr_t);
	}
}

VEC_INLINE void
run_immediate_opt(struct worker *wk, enum opt_kind opt)
{
	size_t i;

	for (i = 0; i < wk->n; i++) {
		if (i % PROGRESS_EVERY == PROGRESS_EVERY - 1)
			progress_add(PROGRESS_EVERY);
		prefetch_ahead(wk, i);
		immediate_triplet(wk, opt, &wk->trip[i]);
	}
	progress_add(wk->n % PROGRESS_EVERY);
}

/* One specialised loop per optimiser: the switch is out of the hot loop. */
VEC_INLINE void
run_immediate(struct worker *wk)
{
	switch (wk->t->c.opt) {
	case OPT_SGD:
		run_immediate_opt(wk, OPT_SGD);
		break;
	case OPT_ADAGRAD:
		run_immediate_opt(wk, OPT_ADAGRAD);
		break;
	case OPT_ROWADAGRAD:
		run_immediate_opt(wk, OPT_ROWADAGRAD);
		break;
	case OPT_ADAM:
		run_immediate_opt(wk, OPT_ADAM);
		break;
	default:
		run_immediate_opt(wk, OPT_LAZYADAM);
		break;
	}
}

VEC_INLINE void
run_worker(struct worker *wk, int reference)
{
	wk->loss = 0;
	/* the best of --hard K: drawn a few triplets ahead (a sampled loss draws as it goes) */
	if (trainer_draws_negatives(&wk->t->c) && !losses[wk->t->c.loss].sampled &&
	    wk->t->prefetch && wk->ahead_n == 0)
		draw_ahead(wk);
	if (wk->t->c.batch == 1 && wk->t->c.opt != OPT_ADAM_DENSE && !reference)
		run_immediate(wk);
	else
		run_batches(wk);
}

void *
KERNEL_NAME(void *arg)
{
	struct worker *wk = arg;

	run_worker(wk, wk->t->reference);
	return NULL;
}
