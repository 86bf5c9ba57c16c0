#include "train/fit_behind.h"

#include <string.h>

#include "io/clock.h"
#include "io/output.h"

static void *
behind_main(void *arg)
{
	struct fit_behind *b = arg;

	b->rc = fit_measure(&b->snap, b->test, b->valid, b->train, 1, 1, &b->ev, &b->err);
	return NULL;
}

int
fit_behind_start(struct fit_behind *b, const struct bpr_model *m,
    const struct positives *test, const struct positives *valid,
    const struct positives *train, const struct fit_event *ev, struct bpr_err *e)
{
	double t0 = monotonic_seconds();

	model_clear(&b->snap);
	if (model_clone(&b->snap, m, e) < 0)
		return -1;
	b->ev = *ev;
	b->test = test;
	b->valid = valid;
	b->train = train;
	b->rc = -1;
	if (output_quiet_thread(&b->tid, behind_main, b) != 0)
		return bpr_fail(e, "cannot start a thread for the evaluation");
	b->running = 1;
	b->copied = t0;
	b->held = monotonic_seconds() - t0;
	return 0;
}

int
fit_behind_finish(struct fit_behind *b, struct fit_event *ev, struct bpr_err *e)
{
	double t0 = monotonic_seconds();

	if (!b->running)
		return 0;
	pthread_join(b->tid, NULL);
	b->running = 0;
	*ev = b->ev;
	memset(&b->ev, 0, sizeof(b->ev));
	if (b->rc < 0) {
		*e = b->err;
		return -1;
	}
	ev->at = b->copied;
	ev->seconds = b->held + (monotonic_seconds() - t0);
	return 1;
}

void
fit_behind_free(struct fit_behind *b)
{
	if (b->running) {
		pthread_join(b->tid, NULL);
		fit_event_free(&b->ev);
	}
	b->running = 0;
	model_clear(&b->snap);
}
