/*
 * A training run: epochs from a triplet source, evaluation before training
 * and every few epochs, early stopping on a validation set with the best
 * epoch's model kept, and checkpoints. Progress is reported through a
 * hook so that the library prints nothing.
 */
#ifndef BPR_FIT_H
#define BPR_FIT_H

#include <stdint.h>

#include "data/positives.h"
#include "eval/eval.h"
#include "io/err.h"
#include "io/text.h"
#include "model/model.h"
#include "sample/source.h"
#include "train/trainer.h"

/*
 * The order an epoch is trained in: as the triplets came (shuffled), or
 * blocked: grouped into blocks of users whose rows fit in the cache, the
 * blocks in a fresh random order each epoch and the triplets of a block
 * in their shuffled order, each thread taking whole blocks. Blocked
 * trains the same triplets with far fewer trips to memory once the user
 * table outgrows the cache; auto picks it then.
 */
enum fit_schedule { SCHEDULE_AUTO, SCHEDULE_SHUFFLED, SCHEDULE_BLOCKED };

extern const struct names fit_schedule_names;	/* in enum fit_schedule's order */

/*
 * The learning rate of each epoch of a run of E epochs, k = 0..E-1:
 * constant; linear, lr (1 - k/E); cosine, lr (1 + cos(pi k/E)) / 2.
 * Decaying ones need E known (--epochs or a stream that announces it).
 */
enum lr_schedule { LR_CONSTANT, LR_LINEAR, LR_COSINE };

extern const struct names lr_schedule_names;	/* in enum lr_schedule's order */

struct fit_config {
	struct train_config train;
	enum fit_schedule schedule;
	enum lr_schedule lr_schedule;
	uint32_t epochs;		/* 0: every epoch the stream holds */
	uint32_t eval_every;		/* test and validation every N epochs */
	uint32_t patience;		/* stop after N evaluations without gain; 0 off */
	uint32_t checkpoint_every;	/* 0 off */
	const char *checkpoint_base;	/* checkpoints are BASE.epochN */
};

enum fit_event_kind {
	FIT_READY,		/* the first epoch is read: the model has its rows */
	FIT_EPOCH,		/* an epoch was trained */
	FIT_EVAL,		/* test (and validation) measured */
	FIT_CHECKPOINT,		/* a checkpoint was written */
	FIT_STOP,		/* early stopping: no gain for `patience` evaluations */
	FIT_DONE,		/* training is over */
};

struct fit_event {
	enum fit_event_kind kind;
	uint32_t epoch;			/* epochs trained so far */
	uint32_t epochs;		/* epochs planned, 0 when unknown */
	size_t triplets;		/* in the epoch */
	double loss, seconds;		/* of the epoch; FIT_EVAL: of the evaluation */
	double at;			/* FIT_EVAL: monotonic_seconds() of the model measured */
	int has_test, has_valid;
	struct eval_result notebook;	/* every id, train counted as negatives */
	struct eval_result clean;	/* model items, train left out */
	struct eval_result valid;	/* validation, clean protocol */
	uint32_t best_epoch;
	const char *path;		/* the checkpoint */
	size_t test_in_train, valid_in_train;	/* FIT_READY: pairs also trained on */
	size_t catalogue_untripled;	/* FIT_DONE: catalogue items in no triplet of the run */
};

typedef void (*fit_hook)(void *ctx, const struct fit_event *ev);

#define FIT_LOG_K 10	/* the clean ranking's P@K that evaluations report */

/*
 * Measure m as bpr-train and als-train report it into ev: on test (may
 * be NULL) the notebook AUC, and the clean AUC and P@FIT_LOG_K with
 * train's positives left out; on valid (may be NULL) the clean AUC; and
 * the seconds it took. Beside other work (beside != 0) it takes one
 * thread and counts no progress.
 */
int fit_measure(const struct bpr_model *m, const struct positives *test,
    const struct positives *valid, const struct positives *train, int threads, int beside,
    struct fit_event *ev, struct bpr_err *e);

/* Free what fit_measure gave an event. */
void fit_event_free(struct fit_event *ev);

/* Early stopping's memory: a copy of the best validation epoch's model. */
struct best_model {
	struct bpr_model *m;	/* NULL until the first evaluation */
	double valid;
	uint32_t epoch, since;	/* its epoch; evaluations since it */
};

/*
 * Take m's validation AUC after its epochs: 1 when patience evaluations
 * have passed without a better one, 0 to go on, -1 on error.
 */
int best_track(struct best_model *b, const struct bpr_model *m, double valid_auc,
    uint32_t patience, struct bpr_err *e);
/* Replace m by the best model kept, if any, and forget it. */
void best_restore(struct best_model *b, struct bpr_model *m);
void best_free(struct best_model *b);

/*
 * Train m from src. test and valid may be NULL. The train positives left
 * out of clean rankings are the source's (a stream's first epoch
 * supplies them). With patience, m ends as the best validation epoch's
 * model.
 */
int fit_run(struct bpr_model *m, struct triplet_source *src, const struct positives *test,
    const struct positives *valid, const struct fit_config *c, fit_hook hook, void *ctx,
    struct bpr_err *e);

#endif
