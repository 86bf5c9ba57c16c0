/*
 * An evaluation beside training: the model as it stands is copied, and
 * the copy measured on a thread of its own while the next epoch trains
 * (when a processor would otherwise idle). Measuring never changes a
 * model, so training gives the same bits and the evaluation the same
 * numbers as measuring in place; only the wait goes.
 */
#ifndef BPR_FIT_BEHIND_H
#define BPR_FIT_BEHIND_H

#include <pthread.h>

#include "model/model_impl.h"
#include "train/fit.h"

struct fit_behind {
	pthread_t tid;
	int running;
	struct bpr_model snap;		/* the model as it was at ev.epoch */
	struct fit_event ev;
	const struct positives *test, *valid, *train;
	double copied;			/* monotonic_seconds() when the copy began */
	double held;			/* seconds training waited for it */
	int rc;
	struct bpr_err err;
};

/* Copy m and start measuring the copy for the event ev (its kind, epochs). */
int fit_behind_start(struct fit_behind *b, const struct bpr_model *m,
    const struct positives *test, const struct positives *valid,
    const struct positives *train, const struct fit_event *ev, struct bpr_err *e);
/*
 * Wait for the evaluation started last: 1 with its event in *ev (seconds:
 * those training waited for it, copying included) and the measured copy
 * in b->snap until the next start or fit_behind_free; 0 when none is
 * under way; -1 when it failed.
 */
int fit_behind_finish(struct fit_behind *b, struct fit_event *ev, struct bpr_err *e);
/* Wait for any evaluation still running and free the copy. */
void fit_behind_free(struct fit_behind *b);

#endif
