#include "train/fit_log.h"

#include <string.h>

#include "eval/metrics.h"
#include "io/clock.h"

int
fit_log_open(struct fit_log *l, const char *path, double started, struct bpr_err *e)
{
	memset(l, 0, sizeof(*l));
	l->started = started;
	if (output_open(&l->out, path, e) < 0)
		return -1;
	output_str(&l->out, FIT_LOG_HEADER);
	return 0;
}

/* Where evaluations keep P@K among the metrics. */
static size_t
precision_slot(void)
{
	size_t i;

	for (i = 0; i < metric_count; i++)
		if (strcmp(metrics[i].name, "p") == 0)
			return i;
	return 0;
}

/* A field; empty for what was not measured. */
static void
log_value(struct bpr_output *o, int has, double v)
{
	output_char(o, '\t');
	if (has)
		output_printf(o, "%.6f", v);
}

/* Write the pending row, if any. */
static void
flush_row(struct fit_log *l)
{
	if (!l->used)
		return;
	output_u64(&l->out, l->epoch);
	log_value(&l->out, l->has_loss, l->loss);
	log_value(&l->out, l->has_test, l->auc);
	log_value(&l->out, l->has_test, l->clean_auc);
	log_value(&l->out, l->has_valid, l->valid_auc);
	log_value(&l->out, l->has_loss, l->seconds);
	log_value(&l->out, l->has_test, l->clean_p);
	log_value(&l->out, 1, l->wall);
	output_char(&l->out, '\n');
	l->used = l->has_loss = l->has_test = l->has_valid = 0;
}

void
fit_log_event(struct fit_log *l, const struct fit_event *ev)
{
	if (ev->kind != FIT_EPOCH && ev->kind != FIT_EVAL)
		return;
	/* an epoch's row gathers its loss and its evaluation; epoch 0 has only the latter */
	if (l->used && l->epoch != ev->epoch)
		flush_row(l);
	/*
	 * wall: an epoch's, now; a row of an evaluation alone, when its model
	 * was measured (an evaluation beside training reports an epoch late);
	 * either less the time every evaluation before held training up
	 */
	if (ev->kind == FIT_EPOCH)
		l->wall = monotonic_seconds() - l->started - l->evaluating;
	else if (!l->used)
		l->wall = ev->at - l->started - l->evaluating;
	if (ev->kind == FIT_EVAL)
		l->evaluating += ev->seconds;
	l->used = 1;
	l->epoch = ev->epoch;
	if (ev->kind == FIT_EPOCH) {
		l->has_loss = 1;
		l->loss = ev->loss;
		l->seconds = ev->seconds;
		return;
	}
	l->has_test = ev->has_test;
	l->clean_p = ev->clean.value[precision_slot()];
	l->auc = ev->notebook.auc;
	l->clean_auc = ev->clean.auc;
	l->has_valid = ev->has_valid;
	l->valid_auc = ev->valid.auc;
}

int
fit_log_commit(struct fit_log *l, struct bpr_err *e)
{
	flush_row(l);
	return output_commit(&l->out, 0, e);
}
