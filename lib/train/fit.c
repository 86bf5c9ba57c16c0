#include "train/fit.h"

#include <math.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "data/rng.h"
#include "eval/score_many.h"
#include "io/clock.h"
#include "io/progress.h"
#include "io/mem.h"
#include "io/output.h"
#include "io/text.h"
#include "model/model_impl.h"
#include "train/drawn.h"
#include "train/fit_behind.h"

#define BLOCK_BYTES (512u << 10)	/* user rows and state a block: half an L2 */
#define AUTO_BLOCKED_BYTES (8u << 20)	/* user tables past this are blocked */

static const char *const fit_schedule_names_list[] = { "auto", "shuffled", "blocked" };
const struct names fit_schedule_names = NAMES_OF(fit_schedule_names_list);

static const char *const lr_schedule_names_list[] = { "constant", "linear", "cosine" };
const struct names lr_schedule_names = NAMES_OF(lr_schedule_names_list);

/* The rate of epoch k (0-based) of a run of n epochs. */
static float
scheduled_lr(const struct fit_config *c, uint32_t k, uint32_t n)
{
	double f = n ? (double)k / n : 0;

	switch (c->lr_schedule) {
	case LR_LINEAR:
		return (float)(c->train.lr * (1 - f));
	case LR_COSINE:
		return (float)(c->train.lr * (1 + cos(acos(-1.0) * f)) / 2);
	default:
		return c->train.lr;
	}
}

/*
 * The next epoch, read or sampled by a helper thread while this one trains
 * (see read_ahead_start).
 */
struct read_ahead {
	pthread_t tid;
	struct bpr_err err;
	int rc, running;
};

struct run {
	struct read_ahead ahead;
	struct bpr_model *m;
	struct triplet_source *src;
	const struct positives *test, *valid;
	const struct fit_config *c;
	fit_hook hook;
	void *ctx;
	struct trainer *trainer;
	struct drawn_epochs *drawn;	/* --train, blocked: threads draw their blocks */
	struct row_triplet *rows, *scratch;
	size_t rows_cap, scratch_cap;
	unsigned char *item_in_triplet;	/* by item row: in a triplet of this run */
	size_t item_flags_cap;
	struct bpr_rng order_rng;
	struct positives stream_train;	/* a stream's positives, from epoch 1 */
	const struct positives *train;
	struct best_model best;
	uint32_t last_eval;
	int spare;			/* a processor is free and the fast path runs */
	struct fit_behind behind;	/* an evaluation on it, beside training */
	uint32_t stopped_at;		/* the epoch whose evaluation ran out of patience */
};

/* Which item rows the run's triplets have named so far (for FIT_DONE). */
static int
mark_items(struct run *r, struct bpr_err *e)
{
	size_t old = r->item_flags_cap, i;

	if (mem_grow(&r->item_in_triplet, &r->item_flags_cap, r->m->item.rows + 1, 1, "item flags",
	    e) < 0)
		return -1;
	memset(r->item_in_triplet + old, 0, r->item_flags_cap - old);
	for (i = 0; i < r->src->len; i++) {
		r->item_in_triplet[r->rows[i].p] = 1;
		r->item_in_triplet[r->rows[i].n] = 1;
	}
	return 0;
}

/* The items the threads' drawn epochs named, into the run's flags. */
static int
mark_drawn_items(struct run *r, struct bpr_err *e)
{
	if (r->drawn == NULL)
		return 0;
	if (mem_grow(&r->item_in_triplet, &r->item_flags_cap, r->m->item.rows + 1, 1, "item flags",
	    e) < 0)
		return -1;
	memset(r->item_in_triplet, 0, r->item_flags_cap);
	drawn_epochs_named(r->drawn, r->item_in_triplet);
	return 0;
}

/* Catalogue items whose rows no triplet of the run named. */
static size_t
catalogue_untripled(const struct run *r)
{
	size_t c, n = 0;
	int64_t row;

	for (c = 0; c < r->m->cat_items.count; c++) {
		row = model_item_find(r->m, r->m->cat_items.ids[c]);
		n += row < 0 || (size_t)row >= r->item_flags_cap || !r->item_in_triplet[row];
	}
	return n;
}

/* Model rows for the epoch's ids, creating rows for ids seen the first time. */
static int
map_rows(struct run *r, struct bpr_err *e)
{
	const struct triplet *t = r->src->buf;
	const struct idmap *users = &r->m->user_rows, *items = &r->m->item_rows;
	size_t i, n = r->src->len;
	int64_t u, p, q;

	if (mem_grow(&r->rows, &r->rows_cap, n + 1, sizeof(*r->rows), "an epoch of triplets", e) < 0)
		return -1;
	/* every epoch after the first finds its ids known: looked up inline, the rare new one added */
	for (i = 0; i < n; i++) {
		if (((u = idmap_find(users, t[i].user)) < 0 &&
		    (u = model_user_row(r->m, t[i].user, e)) < 0) ||
		    ((p = idmap_find(items, t[i].pos)) < 0 &&
		    (p = model_item_row(r->m, t[i].pos, e)) < 0) ||
		    ((q = idmap_find(items, t[i].neg)) < 0 &&
		    (q = model_item_row(r->m, t[i].neg, e)) < 0))
			return -1;
		r->rows[i].u = (uint32_t)u;
		r->rows[i].p = (uint32_t)p;
		r->rows[i].n = (uint32_t)q;
	}
	return mark_items(r, e);
}

/* A stream's train positives: the (user, positive) pairs of its first epoch. */
static int
collect_stream_positives(struct run *r, struct bpr_err *e)
{
	size_t i, n = r->src->len;
	uint64_t *keys;
	int rc;

	if (r->src->internal) {
		r->train = &r->src->drawn.pos;
		return 0;
	}
	if ((keys = mem_array(n + 1, sizeof(*keys), 0, "the train positives", e)) == NULL)
		return -1;
	for (i = 0; i < n; i++)
		keys[i] = (uint64_t)r->src->buf[i].user << 32 | r->src->buf[i].pos;
	rc = positives_from_keys(&r->stream_train, keys, n, NULL, 0, e);
	free(keys);
	r->train = rc == 0 ? &r->stream_train : NULL;
	return rc;
}

int
fit_measure(const struct bpr_model *m, const struct positives *test,
    const struct positives *valid, const struct positives *train, int threads, int beside,
    struct fit_event *ev, struct bpr_err *e)
{
	/* Results do not depend on the thread count, so evaluation takes two even when training takes one. */
	int t = beside ? 1 : threads > 2 ? threads : 2;
	struct eval_config notebook = { .universe = UNIVERSE_ALL_IDS, .threads = t, .quiet = beside };
	struct eval_config clean = { .universe = UNIVERSE_MODEL, .threads = t, .k = FIT_LOG_K,
	    .quiet = beside };
	double t0 = monotonic_seconds();

	ev->has_test = test != NULL;
	ev->has_valid = valid != NULL;
	/* one scoring for both: the notebook's AUC from the clean ranking's scores */
	if (test != NULL &&
	    evaluate_with_notebook(m, test, train, &clean, &ev->clean, &notebook, &ev->notebook, e) < 0)
		return -1;
	clean.k = 0;
	if (valid != NULL && evaluate(m, valid, train, &clean, &ev->valid, e) < 0)
		return -1;
	ev->at = t0;
	ev->seconds = monotonic_seconds() - t0;
	return 0;
}

void
fit_event_free(struct fit_event *ev)
{
	eval_result_free(&ev->notebook);
	eval_result_free(&ev->clean);
	eval_result_free(&ev->valid);
}

int
best_track(struct best_model *b, const struct bpr_model *m, double valid_auc,
    uint32_t patience, struct bpr_err *e)
{
	if (b->m != NULL && !(valid_auc > b->valid))
		return ++b->since >= patience;
	if (b->m == NULL && (b->m = calloc(1, sizeof(*b->m))) == NULL)
		return bpr_fail(e, "out of memory for the best epoch's model");
	model_clear(b->m);
	if (model_clone(b->m, m, e) < 0) {
		best_free(b);
		return -1;
	}
	b->valid = valid_auc;
	b->epoch = m->epochs;
	b->since = 0;
	return 0;
}

void
best_restore(struct best_model *b, struct bpr_model *m)
{
	if (b->m == NULL)
		return;
	model_clear(m);
	*m = *b->m;
	free(b->m);
	b->m = NULL;
}

void
best_free(struct best_model *b)
{
	if (b->m != NULL)
		model_clear(b->m);
	free(b->m);
	b->m = NULL;
}

/* Keep the best validation epoch (measured is the model as measured); 1 when patience has run out. */
static int
track_best(struct run *r, const struct bpr_model *measured, const struct fit_event *ev,
    struct bpr_err *e)
{
	if (r->valid == NULL || r->c->patience == 0)
		return 0;
	return best_track(&r->best, measured, ev->valid.auc, r->c->patience, e);
}

/* An evaluation's event to the hook, and early stopping's verdict (1: stop). */
static int
report_eval(struct run *r, const struct bpr_model *measured, struct fit_event *ev,
    struct bpr_err *e)
{
	int stop = track_best(r, measured, ev, e);

	ev->best_epoch = r->best.epoch;
	if (stop >= 0)
		r->hook(r->ctx, ev);
	if (stop == 1)
		r->stopped_at = ev->epoch;
	fit_event_free(ev);
	return stop;
}

/* The evaluation beside training, if one is under way: waited for and reported. */
static int
report_behind(struct run *r, struct bpr_err *e)
{
	struct fit_event ev;
	int rc;

	/* training waits for it from here: say so, rather than leave the epoch's line at 100% */
	if (r->behind.running)
		progress_stage(0, "users", "measuring epoch %u beside training", r->behind.ev.epoch);
	rc = fit_behind_finish(&r->behind, &ev, e);

	if (rc < 0)
		fit_event_free(&ev);
	if (rc <= 0)
		return rc;
	return report_eval(r, &r->behind.snap, &ev, e);
}

/*
 * Measure the model as it stands: beside the epochs still to train when
 * a processor is free for it, else in place (after the one beside, so
 * that the events keep their order).
 */
static int
evaluate_now(struct run *r, uint32_t planned, struct bpr_err *e)
{
	struct fit_event ev = { .kind = FIT_EVAL, .epoch = r->m->epochs, .epochs = planned };
	int stop, last = planned != 0 && r->m->epochs >= planned;

	if (r->test == NULL && r->valid == NULL)
		return 0;
	trainer_flush(r->trainer);
	r->last_eval = r->m->epochs;
	if (r->spare && !last)
		return fit_behind_start(&r->behind, r->m, r->test, r->valid, r->train, &ev, e);
	if ((stop = report_behind(r, e)) != 0)
		return stop;
	if (fit_measure(r->m, r->test, r->valid, r->train, r->c->train.threads, 0, &ev, e) < 0) {
		fit_event_free(&ev);
		return -1;
	}
	return report_eval(r, r->m, &ev, e);
}

static int
checkpoint(struct run *r, struct bpr_err *e)
{
	struct fit_event ev = { .kind = FIT_CHECKPOINT, .epoch = r->m->epochs };
	char path[4096];

	if (r->c->checkpoint_every == 0 || r->m->epochs % r->c->checkpoint_every != 0)
		return 0;
	snprintf(path, sizeof(path), "%s.epoch%u", r->c->checkpoint_base, r->m->epochs);
	trainer_flush(r->trainer);
	if (model_save(r->m, path, e) < 0)
		return -1;
	ev.path = path;
	r->hook(r->ctx, &ev);
	return 0;
}

static uint32_t
planned_epochs(const struct run *r, uint32_t start)
{
	if (r->c->epochs > 0)
		return start + r->c->epochs;
	return r->src->epochs_announced ? start + r->src->epochs_announced : 0;
}

/* Processors this process may run on (taskset and cpusets narrow them). */
static long
usable_cpus(void)
{
#ifdef CPU_COUNT
	cpu_set_t set;

	if (sched_getaffinity(0, sizeof(set), &set) == 0)
		return CPU_COUNT(&set);
#endif
	return sysconf(_SC_NPROCESSORS_ONLN);
}

static void *
read_ahead_main(void *arg)
{
	struct run *r = arg;

	r->ahead.rc = source_next(r->src, &r->ahead.err);
	return NULL;
}

/*
 * Read or sample the next epoch while this one trains, when a processor
 * would idle (fewer training threads than processors) and another epoch
 * is wanted. The source's buffer is free once an epoch is mapped to model
 * rows, and drawing triplets never looks at the model, so the model is
 * the same bits; BPRTOOLS_REFERENCE reads each epoch in turn, as before.
 */
static void
read_ahead_start(struct run *r, uint32_t trained)
{
	/* drawn blocks have no epoch to read */
	if (!r->spare || r->drawn != NULL || (r->c->epochs > 0 && trained + 1 >= r->c->epochs))
		return;
	r->ahead.running = output_quiet_thread(&r->ahead.tid, read_ahead_main, r) == 0;
}

/* Wait for the helper; its result, or -1 when none ran. */
static int
read_ahead_finish(struct run *r)
{
	if (!r->ahead.running)
		return -1;
	pthread_join(r->ahead.tid, NULL);
	r->ahead.running = 0;
	return r->ahead.rc;
}

/* The epoch's pass: over the rows made for it, or over blocks its threads draw. */
static int
run_epoch(struct run *r, struct fit_event *ev, struct bpr_err *e)
{
	if (r->drawn == NULL)
		return trainer_run(r->trainer, r->rows, ev->triplets, &ev->loss, e);
	return trainer_run_blocks(r->trainer, r->drawn->blocks.count, r->drawn->blocks.most_epoch,
	    drawn_epochs_fill, r->drawn, &ev->triplets, &ev->loss, e);
}

/* Train an epoch; its event in *ev, for the hook once the evaluation before it has reported. */
static int
train_one(struct run *r, uint32_t planned, uint32_t trained, struct fit_event *out,
    struct bpr_err *e)
{
	struct fit_event ev = { .kind = FIT_EPOCH, .epochs = planned, .triplets = r->src->len };
	double t0 = monotonic_seconds();

	progress_stage(ev.triplets, "triplets", planned > 0 ? "epoch %u of %u" : "epoch %u",
	    r->m->epochs + 1, planned);
	read_ahead_start(r, trained);
	if (run_epoch(r, &ev, e) < 0) {
		bpr_err_prefix(e, "epoch %u: ", r->m->epochs + 1);
		return -1;
	}
	r->m->epochs++;
	ev.epoch = r->m->epochs;
	ev.seconds = monotonic_seconds() - t0;
	*out = ev;
	return 0;
}

/* Bytes of one user's row and its optimiser state. */
static size_t
user_row_bytes(const struct bpr_model *m)
{
	const struct param_table *t = &m->user;

	return t->stride * sizeof(float) * (1 + (t->m != NULL) + (t->v != NULL));
}

/* Whether a model of `users` user rows trains on the blocked schedule. */
static int
blocked_for(const struct run *r, size_t users)
{
	if (r->c->schedule == SCHEDULE_AUTO)
		return users * user_row_bytes(r->m) > AUTO_BLOCKED_BYTES;
	return r->c->schedule == SCHEDULE_BLOCKED;
}

static int
blocked(const struct run *r)
{
	return blocked_for(r, r->m->user.rows);
}

/* Users a block, so that their rows and state fill half an L2. */
static uint32_t
users_per_block(const struct run *r)
{
	size_t per = BLOCK_BYTES / user_row_bytes(r->m);

	return per > 0 ? (uint32_t)per : 1;
}

/*
 * --train on the blocked schedule: the training threads draw the blocks
 * they train (train/drawn.h), decided before the first epoch by the users
 * the positives give the model. Nothing is read ahead then.
 */
static int
start_drawn(struct run *r, struct bpr_err *e)
{
	const struct sampled_epochs *src = &r->src->drawn;
	size_t users = r->m->user.rows > src->pos.nusers ? r->m->user.rows : src->pos.nusers;

	if (!r->src->internal || !blocked_for(r, users) || !drawn_epochs_fit(src))
		return 0;
	if ((r->drawn = calloc(1, sizeof(*r->drawn))) == NULL)
		return bpr_fail(e, "out of memory");
	if (drawn_epochs_init(r->drawn, r->m, src, users_per_block(r), r->c->train.threads, e) < 0)
		return -1;
	return 0;
}

/*
 * Regroup the epoch by user block: a stable counting sort on block rank,
 * the blocks' order drawn afresh each epoch from the run's own stream.
 */
static int
order_by_user_block(struct run *r, struct bpr_err *e)
{
	size_t per = users_per_block(r), n = r->src->len, i;
	size_t nblocks = r->m->user.rows / per + 1, *start;
	uint32_t *rank, j;
	struct row_triplet *swap;
	size_t cap;

	if (mem_grow(&r->scratch, &r->scratch_cap, n + 1, sizeof(*r->scratch), "an epoch", e) < 0 ||
	    (rank = mem_array(nblocks, sizeof(*rank), 0, "block order", e)) == NULL)
		return -1;
	if ((start = mem_array(nblocks + 1, sizeof(*start), 1, "block order", e)) == NULL) {
		free(rank);
		return -1;
	}
	rng_permutation(&r->order_rng, rank, nblocks);
	for (i = 0; i < n; i++)
		start[rank[r->rows[i].u / per] + 1]++;
	for (j = 0; j < nblocks; j++)
		start[j + 1] += start[j];
	for (i = 0; i < n; i++)
		r->scratch[start[rank[r->rows[i].u / per]]++] = r->rows[i];
	swap = r->rows;
	r->rows = r->scratch;
	r->scratch = swap;
	cap = r->rows_cap;
	r->rows_cap = r->scratch_cap;
	r->scratch_cap = cap;
	free(rank);
	free(start);
	return 0;
}

static int
next_epoch(struct run *r, uint32_t trained, struct bpr_err *e)
{
	int rc;

	if (r->drawn != NULL) {
		user_blocks_begin(&r->drawn->blocks);
		r->src->epochs_read++;
		r->src->len = drawn_epochs_expected(r->drawn);
		return 1;
	}
	if (r->ahead.running) {
		if ((rc = read_ahead_finish(r)) < 0)
			*e = r->ahead.err;
	} else {
		rc = source_next(r->src, e);
	}
	if (rc < 0)
		return -1;
	if (rc == 0 && r->c->epochs > 0 && trained < r->c->epochs)
		return bpr_fail(e, "the triplet stream ended after %u epoch%s; --epochs asks for %u",
		    trained, PLURAL(trained), r->c->epochs);
	if (rc == 1 && map_rows(r, e) < 0)
		return -1;
	if (rc == 1 && blocked(r) && order_by_user_block(r, e) < 0)
		return -1;
	return rc;
}

static int
epochs_loop(struct run *r, struct bpr_err *e)
{
	uint32_t start = r->m->epochs, planned = planned_epochs(r, start), trained = 0;
	struct fit_event ready = { .kind = FIT_READY, .epochs = planned }, epoch;
	int more, stop = 0;

	if (start_drawn(r, e) < 0 || (more = next_epoch(r, 0, e)) < 0)
		return -1;
	if (more == 0)
		return bpr_fail(e, "the triplet stream holds no epoch");
	if (collect_stream_positives(r, e) < 0)
		return -1;
	if (trainer_draws_negatives(&r->c->train) &&
	    trainer_set_positives(r->trainer, r->train, e) < 0)
		return -1;
	ready.triplets = r->src->len;
	ready.test_in_train = r->test != NULL ? positives_common(r->test, r->train) : 0;
	ready.valid_in_train = r->valid != NULL ? positives_common(r->valid, r->train) : 0;
	r->hook(r->ctx, &ready);
	if (evaluate_now(r, planned, e) < 0)
		return -1;
	if (r->c->lr_schedule != LR_CONSTANT && planned == 0)
		return bpr_fail(e, "a decaying learning rate needs the number of epochs: give --epochs");
	while (more && !stop) {
		trainer_set_lr(r->trainer, scheduled_lr(r->c, trained, planned - start));
		if (train_one(r, planned, trained, &epoch, e) < 0)
			return -1;
		trained++;
		/* an evaluation that ran beside this epoch reports first; if it stops the run, the epoch goes unused */
		if ((stop = report_behind(r, e)) < 0)
			return -1;
		if (stop)
			break;
		r->hook(r->ctx, &epoch);
		if (r->m->epochs == planned || r->m->epochs % r->c->eval_every == 0)
			if ((stop = evaluate_now(r, planned, e)) < 0)
				return -1;
		if (checkpoint(r, e) < 0)
			return -1;
		if (r->c->epochs > 0 && trained == r->c->epochs)
			break;
		if (!stop && (more = next_epoch(r, trained, e)) < 0)
			return -1;
	}
	if (!stop && r->last_eval != r->m->epochs && (stop = evaluate_now(r, planned, e)) < 0)
		return -1;
	if (!stop && (stop = report_behind(r, e)) < 0)
		return -1;
	if (stop == 1) {
		struct fit_event ev = { .kind = FIT_STOP, .epoch = r->stopped_at, .best_epoch = r->best.epoch };
		r->hook(r->ctx, &ev);
	}
	return 0;
}

int
fit_run(struct bpr_model *m, struct triplet_source *src, const struct positives *test,
    const struct positives *valid, const struct fit_config *c, fit_hook hook, void *ctx,
    struct bpr_err *e)
{
	struct run r = { .m = m, .src = src, .test = test, .valid = valid, .c = c, .hook = hook,
	    .ctx = ctx, .last_eval = UINT32_MAX };
	struct fit_event done_ev = { .kind = FIT_DONE };
	int rc = -1;

	rng_seed(&r.order_rng, c->train.seed, RNG_STREAM_TRAIN, 1u << 20);
	r.spare = !kernels_reference() && c->train.threads < usable_cpus();
	if (trainer_init(&r.trainer, m, &c->train, e) < 0)
		goto done;
	if (epochs_loop(&r, e) < 0)
		goto done;
	trainer_flush(r.trainer);
	if (mark_drawn_items(&r, e) < 0)
		goto done;
	done_ev.catalogue_untripled = catalogue_untripled(&r);
	best_restore(&r.best, m);	/* early stopping keeps the best validation epoch's model */
	hook(ctx, &done_ev);
	rc = 0;
done:
	read_ahead_finish(&r);	/* an epoch read ahead of an early stop or a failure goes unused */
	fit_behind_free(&r.behind);
	best_free(&r.best);
	if (r.drawn != NULL)
		drawn_epochs_free(r.drawn);
	free(r.drawn);
	trainer_free(r.trainer);
	free(r.rows);
	free(r.scratch);
	free(r.item_in_triplet);
	positives_free(&r.stream_train);
	return rc;
}
