/*
 * Everything a training run is set by, as one table: each row gives an
 * option's name, its argument, its help, the key under which the model's
 * description records it, its range and how it is read. bpr-train parses
 * its command line through the table, --help prints it, a new model's
 * description is written from it, and --init reads a model's settings
 * back through the same rows.
 */
#ifndef BPR_SETTINGS_H
#define BPR_SETTINGS_H

#include <stddef.h>
#include <stdint.h>

#include "io/err.h"
#include "model/model.h"
#include "sample/sampler.h"
#include "train/fit.h"

struct train_settings {
	/* the model's shape and origin */
	uint32_t item_dim, tag_dim;
	enum tag_mode tag_mode;
	int bias;
	float init_scale;
	/* training, its run and --train's sampling (whose seed seeds the model too) */
	struct fit_config fit;
	struct sampling how;
	int compat;			/* the notebook's quirks */
	/* the files */
	const char *item_tags, *train, *items, *seen, *eval, *valid, *init, *log, *output;
	const char *stream;		/* the triplet stream (an operand), or NULL */
	int quiet, verbose;
	uint64_t given;			/* a bit a setting: given, or taken from --init's model */
};

/* The table's rows, in --help's order. */
enum setting {
	SET_ITEM_TAGS, SET_ITEM_DIM, SET_TAG_DIM, SET_TAG_MODE, SET_BIAS, SET_NO_BIAS, SET_LOSS,
	SET_HARD, SET_MAX_SAMPLED, SET_OPTIMIZER, SET_LR, SET_LR_SCHEDULE, SET_BATCH, SET_L2,
	SET_L2_USER, SET_L2_ITEM, SET_L2_TAG, SET_BETA1, SET_BETA2, SET_EPS, SET_EPOCHS, SET_SEED,
	SET_INIT_SCALE, SET_THREADS, SET_SCHEDULE, SET_COMPAT, SET_TRAIN, SET_NEG, SET_ITEMS,
	SET_SEEN, SET_SEEN_RATE, SET_EVAL, SET_EVAL_EVERY, SET_VALID, SET_PATIENCE,
	SET_CHECKPOINT_EVERY, SET_INIT, SET_LOG, SET_OUTPUT, SET_QUIET, SET_VERBOSE, SET_COUNT
};

/* One row: what the table knows of a setting. */
struct setting_row {
	const char *option;		/* long option, or NULL: not on the command line */
	char short_option;		/* or 0 */
	const char *arg;		/* its argument's name, or NULL for a switch */
	const char *help;		/* --help's text, lines split by \n */
	const char *meta;		/* key in the model's description, or NULL */
	int shape;			/* a key of the model's shape and origin */
	int kind;			/* how the value is read and written (settings.c) */
	double min, max;
	const struct names *names;	/* the values of an enum */
	size_t offset;			/* the field in struct train_settings */
};

extern const struct setting_row setting_rows[SET_COUNT];

/* The defaults before any option is read. */
void settings_init(struct train_settings *s);
/* Set k from its option's argument (NULL for a switch): a usage error when out of range. */
int settings_set(struct train_settings *s, enum setting k, const char *arg, struct bpr_err *e);
int settings_given(const struct train_settings *s, enum setting k);
/*
 * --init: take the model's shape (a shape setting given anew must agree)
 * and its training settings, but those given anew; the optimiser must
 * agree, since the model carries its state.
 */
int settings_resume(struct train_settings *s, const struct bpr_model *m, struct bpr_err *e);
/*
 * The defaults that depend on others, for what was not given: the
 * optimiser's rate and batch, the notebook's quirks, 30 epochs for
 * --train, the catalogue as --train's universe, no tag part without tags;
 * and the usage errors of settings that cannot go together (operands:
 * how many triplet streams were named).
 */
int settings_finish(struct train_settings *s, int operands, struct bpr_err *e);
/*
 * The model's description: with shape, its shape and origin, then the
 * training settings and how the triplets were made; without, the
 * training settings alone (a resumed run writes its own over the model's).
 */
int settings_describe(const struct train_settings *s, int shape, const char *triplets,
    uint32_t item_tags_crc, char *buf, size_t size, struct bpr_err *e);
/* --help's lines for row k, "  --option ARG" then its text at column 26. */
size_t settings_help(enum setting k, char *buf, size_t size);

#endif
