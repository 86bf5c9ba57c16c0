/*
 * bpr-train --log: a TSV row per epoch, from the training run's events:
 * epoch, its mean loss, the test AUCs (notebook protocol, clean) and the
 * validation AUC where they were measured, its training seconds, the
 * clean P@10, and the wall seconds since the tool began with every
 * evaluation's left out (a learning curve against the time a user waits).
 * Written like any output: all of it on commit, nothing on abort.
 */
#ifndef BPR_FIT_LOG_H
#define BPR_FIT_LOG_H

#include "io/clock.h"
#include "io/err.h"
#include "io/output.h"
#include "train/fit.h"

/* The log's header line, as written. */
#define FIT_LOG_HEADER "epoch\tloss\tauc\tclean_auc\tvalid_auc\tseconds\tclean_p@10\twall\n"

struct fit_log {
	struct bpr_output out;
	uint32_t epoch;		/* the pending row's */
	int used, has_loss, has_test, has_valid;
	double loss, seconds, auc, clean_auc, valid_auc, clean_p;
	double started;		/* monotonic seconds when the tool began */
	double evaluating;	/* seconds spent evaluating so far */
	double wall;		/* the row's: since started, evaluations left out */
};

/*
 * A log whose wall column counts from `started` (monotonic_seconds() when
 * the tool began, so that loading counts).
 */
int fit_log_open(struct fit_log *l, const char *path, double started, struct bpr_err *e);
/* Take an epoch's loss or an evaluation into the rows. */
void fit_log_event(struct fit_log *l, const struct fit_event *ev);
/* Write the pending row and commit the file. */
int fit_log_commit(struct fit_log *l, struct bpr_err *e);

#endif
