#include "train/settings.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "io/parse.h"

#define DEFAULT_L2 1e-4f	/* make sweep's choice; none in the notebook */

/* How a row's value is read and written. */
enum kind {
	K_FILE,			/* const char *: a file name */
	K_ON, K_OFF,		/* int: a switch that sets it to 1, or 0 */
	K_U32, K_INT, K_U64,	/* whole numbers in [min, max] */
	K_FLOAT, K_DOUBLE,	/* real numbers in [min, max] */
	K_NAME,			/* an enum, by the names of its values */
	K_L2,			/* every table's L2: four floats */
	K_L2_ITEM,		/* the items' L2 and their biases' */
	K_NEG,			/* --train's negatives: a mode, pop with a weight */
};

#define AT(field) offsetof(struct train_settings, field)
#define FILE_ROW(opt, arg, help, field) { opt, 0, arg, help, NULL, 0, K_FILE, 0, 0, NULL, AT(field) }

const struct setting_row setting_rows[SET_COUNT] = {
	[SET_ITEM_TAGS] = FILE_ROW("item-tags", "file", "item<TAB>tag pairs (ml-genres): the catalogue, each\n"
	    "item a row; without them the model is pure matrix\nfactorisation", item_tags),
	[SET_ITEM_DIM] = { "item-dim", 0, "N", "item embedding size (default 90)", "item_dim", 1, K_U32,
	    1, MODEL_MAX_DIM, NULL, AT(item_dim) },
	[SET_TAG_DIM] = { "tag-dim", 0, "N", "tag embedding size (default 10; without --item-tags 0)",
	    "tag_dim", 1, K_U32, 0, MODEL_MAX_DIM, NULL, AT(tag_dim) },
	[SET_TAG_MODE] = { "tag-mode", 0, "mode", "mean (default), sum, off, padded-mean", "tag_mode",
	    1, K_NAME, 0, 0, &tag_mode_names, AT(tag_mode) },
	[SET_BIAS] = { "bias", 0, NULL, "learn an item bias (the default, but not with --compat\n"
	    "notebook)", "bias", 1, K_ON, 0, 0, NULL, AT(bias) },
	[SET_NO_BIAS] = { "no-bias", 0, NULL, "do not", NULL, 0, K_OFF, 0, 0, NULL, AT(bias) },
	[SET_LOSS] = { "loss", 0, "name", "the pairwise loss of x = s(u,p) - s(u,n):", "loss", 0,
	    K_NAME, 0, 0, &loss_names, AT(fit.train.loss) },
	[SET_HARD] = { "hard", 0, "K", "train on the best-scoring of K negatives: the given\n"
	    "one and K-1 drawn uniformly from the model's items\n(default 3; 1 with --compat notebook)",
	    "hard", 0, K_U32, 1, 1000, NULL, AT(fit.train.hard) },
	[SET_MAX_SAMPLED] = { "max-sampled", 0, "N", "warp: negatives drawn before skipping a positive\n"
	    "(default 10)", "max_sampled", 0, K_U32, 1, 100000, NULL, AT(fit.train.max_sampled) },
	[SET_OPTIMIZER] = { "optimizer", 0, "name", "rowadagrad (default): Adagrad, one accumulator\n"
	    "a row; adagrad: one a value; adam (Keras' exact rule;\nthe default of --compat notebook), "
	    "lazyadam, sgd,\nadam-dense (adam computed literally: slow)", "optimizer", 0, K_NAME, 0, 0,
	    &opt_names, AT(fit.train.opt) },
	[SET_LR] = { "lr", 0, "X", "learning rate (default 0.035; 0.03 for adagrad, 0.1 for\n"
	    "sgd, 0.001 for the Adams)", "lr", 0, K_FLOAT, 1e-9, 100, NULL, AT(fit.train.lr) },
	[SET_LR_SCHEDULE] = { "lr-schedule", 0, "name", "the rate of each epoch: constant (default), linear\n"
	    "(down to lr/E in the last of E epochs) or cosine", "lr_schedule", 0, K_NAME, 0, 0,
	    &lr_schedule_names, AT(fit.lr_schedule) },
	[SET_BATCH] = { "batch", 0, "N", "triplets a step (default 1; 64 for the Adams)", "batch", 0, K_U32,
	    1, 1 << 20, NULL, AT(fit.train.batch) },
	[SET_L2] = { "l2", 0, "X", "L2 penalty on the rows of a batch, every table\n(default 0.0001; 0 "
	    "with --compat notebook)", "l2", 0, K_L2, 0, 1e6, NULL, AT(fit.train.l2) },
	[SET_L2_USER] = { "l2-user", 0, "X", "the same for the users' table", NULL, 0, K_FLOAT, 0, 1e6,
	    NULL, AT(fit.train.l2[0]) },
	[SET_L2_ITEM] = { "l2-item", 0, "X", "for the items' and their biases'", NULL, 0, K_L2_ITEM, 0, 1e6,
	    NULL, AT(fit.train.l2[1]) },
	[SET_L2_TAG] = { "l2-tag", 0, "X", "for the tags'", NULL, 0, K_FLOAT, 0, 1e6, NULL,
	    AT(fit.train.l2[2]) },
	[SET_BETA1] = { NULL, 0, NULL, NULL, "beta1", 0, K_FLOAT, 0, 1, NULL, AT(fit.train.beta1) },
	[SET_BETA2] = { NULL, 0, NULL, NULL, "beta2", 0, K_FLOAT, 0, 1, NULL, AT(fit.train.beta2) },
	[SET_EPS] = { NULL, 0, NULL, NULL, "eps", 0, K_FLOAT, 0, 1, NULL, AT(fit.train.eps) },
	[SET_EPOCHS] = { "epochs", 0, "N", "epochs (default: --train 30; a stream: all of it)", NULL, 0,
	    K_U32, 1, 100000, NULL, AT(fit.epochs) },
	[SET_SEED] = { "seed", 0, "N", "seed of initial values and sampling (default 1)", "seed", 1, K_U64,
	    0, 0, NULL, AT(how.seed) },
	[SET_INIT_SCALE] = { NULL, 0, NULL, NULL, "init_scale", 1, K_FLOAT, 0, 1, NULL, AT(init_scale) },
	[SET_THREADS] = { "threads", 0, "N", "Hogwild threads (default 1: reproducible)", "threads", 0,
	    K_INT, 1, 256, NULL, AT(fit.train.threads) },
	[SET_SCHEDULE] = { "schedule", 0, "name", "the order of an epoch: shuffled (as sampled),\n"
	    "blocked (by blocks of users that fit in the cache,\nin random order), or auto (default: "
	    "blocked once the\nuser table outgrows the cache)", "schedule", 0, K_NAME, 0, 0,
	    &fit_schedule_names, AT(fit.schedule) },
	[SET_COMPAT] = { "compat", 0, "notebook", "the notebook's quirks: padded tag mean, uniform\n"
	    "negatives over 0..max, notebook loss, Keras adam", "compat", 0, K_NAME, 0, 0, &compat_names,
	    AT(compat) },
	[SET_TRAIN] = FILE_ROW("train", "file", "sample triplets from these positives", train),
	[SET_NEG] = { "neg", 0, "mode", "--train negatives: unseen (default), uniform, pop[:A]", NULL, 0,
	    K_NEG, 0, 0, NULL, AT(how) },
	[SET_ITEMS] = FILE_ROW("items", "file", "--train: the universe's items besides the positives'\n"
	    "(first column; default: the --item-tags file)", items),
	[SET_SEEN] = FILE_ROW("seen", "file", "--train: the users' other interactions, such as every\n"
	    "train rating; each that is not a positive is also\ntrained as one, in a share of the epochs, "
	    "against an\nitem the user has not seen", seen),
	[SET_SEEN_RATE] = { "seen-rate", 0, "X", "that share: each seen item's chance to be in an epoch\n"
	    "(default 0.3)", NULL, 0, K_DOUBLE, 0, 1, NULL, AT(how.seen_rate) },
	[SET_EVAL] = FILE_ROW("eval", "file", "test positives: AUC before training and every N epochs,\n"
	    "clean, then the notebook's where most ids are items", eval),
	[SET_EVAL_EVERY] = { "eval-every", 0, "N", "(default 1); with a processor free, a copy of the\n"
	    "model is measured there while the next epoch trains", NULL, 0, K_U32, 1, 100000, NULL,
	    AT(fit.eval_every) },
	[SET_VALID] = FILE_ROW("valid", "file", "validation positives, measured like --eval", valid),
	[SET_PATIENCE] = { "patience", 0, "N", "stop after N evaluations without a better validation\n"
	    "AUC, and keep the best epoch's model", NULL, 0, K_U32, 1, 100000, NULL, AT(fit.patience) },
	[SET_CHECKPOINT_EVERY] = { "checkpoint-every", 0, "N", "also save MODEL.epochN every N epochs",
	    NULL, 0, K_U32, 1, 100000, NULL, AT(fit.checkpoint_every) },
	[SET_INIT] = FILE_ROW("init", "model", "resume from a model, its optimiser state and settings",
	    init),
	[SET_LOG] = FILE_ROW("log", "file", "a TSV row per epoch: epoch, loss, auc, clean_auc,\n"
	    "valid_auc (empty when not measured), seconds,\nclean_p@10, wall (since the start, "
	    "evaluations\nleft out)", log),
	[SET_OUTPUT] = { "output", 'o', "model", "the model file", NULL, 0, K_FILE, 0, 0, NULL,
	    AT(output) },
	[SET_QUIET] = { "quiet", 'q', NULL, "no summary or progress on standard error (progress,\n"
	    "with an ETA, is shown only on a terminal)", NULL, 0, K_ON, 0, 0, NULL, AT(quiet) },
	[SET_VERBOSE] = { "verbose", 'v', NULL, "a line per epoch even without --eval", NULL, 0, K_ON, 0, 0,
	    NULL, AT(verbose) },
};

void
settings_init(struct train_settings *s)
{
	memset(s, 0, sizeof(*s));
	s->item_dim = 90;
	s->tag_dim = 10;
	s->tag_mode = TAGS_MEAN;
	s->init_scale = 0.05f;
	s->fit = (struct fit_config){ .train = { .batch = 64, .threads = 1, .beta1 = 0.9f,
	    .beta2 = 0.999f, .eps = 1e-8f, .hard = 1, .max_sampled = 10, .l2 = { -1, -1, -1, -1 } },
	    .eval_every = 1 };
	s->how = (struct sampling){ .neg = NEG_UNSEEN, .alpha = 1, .seed = 1,
	    .seen_rate = SEEN_RATE_DEFAULT };
}

int
settings_given(const struct train_settings *s, enum setting k)
{
	return (s->given >> k) & 1;
}

/* The option as a message names it: "--lr". */
static void
option_label(enum setting k, char *buf, size_t size)
{
	snprintf(buf, size, "--%s", setting_rows[k].option ? setting_rows[k].option :
	    setting_rows[k].meta);
}

/* Read arg into the row's field, as its kind says. */
static int
read_value(struct train_settings *s, const struct setting_row *r, const char *opt, const char *arg,
    struct bpr_err *e)
{
	char *at = (char *)s + r->offset;
	long long i;
	uint64_t u;
	double d;
	int n;

	switch ((enum kind)r->kind) {
	case K_FILE:
		*(const char **)(void *)at = arg;
		return 0;
	case K_ON:
	case K_OFF:
		*(int *)(void *)at = r->kind == K_ON;
		return 0;
	case K_U32:
	case K_INT:
		if (option_int(opt, arg, (long long)r->min, (long long)r->max, &i, e) < 0)
			return -1;
		if (r->kind == K_U32)
			*(uint32_t *)(void *)at = (uint32_t)i;
		else
			*(int *)(void *)at = (int)i;
		return 0;
	case K_U64:
		if (option_u64(opt, arg, &u, e) < 0)
			return -1;
		*(uint64_t *)(void *)at = u;
		return 0;
	case K_FLOAT:
	case K_DOUBLE:
	case K_L2:
	case K_L2_ITEM:
		if (option_double(opt, arg, r->min, r->max, &d, e) < 0)
			return -1;
		break;
	case K_NAME:
		if (option_name(opt, arg, r->names, &n, e) < 0)
			return -1;
		*(int *)(void *)at = n;
		return 0;
	case K_NEG:
		return neg_mode_option(opt, arg, &s->how.neg, &s->how.alpha, e);
	}
	if (r->kind == K_DOUBLE)
		*(double *)(void *)at = d;
	else if (r->kind == K_FLOAT)
		*(float *)(void *)at = (float)d;
	else if (r->kind == K_L2)
		s->fit.train.l2[0] = s->fit.train.l2[1] = s->fit.train.l2[2] = s->fit.train.l2[3] = (float)d;
	else
		s->fit.train.l2[1] = s->fit.train.l2[3] = (float)d;
	return 0;
}

int
settings_set(struct train_settings *s, enum setting k, const char *arg, struct bpr_err *e)
{
	char opt[40];

	option_label(k, opt, sizeof(opt));
	if (read_value(s, &setting_rows[k], opt, arg, e) < 0)
		return -1;
	s->given |= UINT64_C(1) << k;
	return 0;
}

/* Row k's value as the model's description writes it. */
static void
format_value(const struct train_settings *s, enum setting k, char *buf, size_t size)
{
	const struct setting_row *r = &setting_rows[k];
	const char *at = (const char *)s + r->offset;
	const float *l2 = s->fit.train.l2;

	switch ((enum kind)r->kind) {
	case K_U32:
		snprintf(buf, size, "%u", *(const uint32_t *)(const void *)at);
		break;
	case K_INT:
	case K_ON:
	case K_OFF:
		snprintf(buf, size, "%d", *(const int *)(const void *)at);
		break;
	case K_U64:
		snprintf(buf, size, "%llu", (unsigned long long)*(const uint64_t *)(const void *)at);
		break;
	case K_FLOAT:
		snprintf(buf, size, "%g", (double)*(const float *)(const void *)at);
		break;
	case K_NAME:
		snprintf(buf, size, "%s", names_get(r->names, *(const int *)(const void *)at));
		break;
	case K_L2:
		snprintf(buf, size, "%g,%g,%g,%g", (double)l2[0], (double)l2[1], (double)l2[2],
		    (double)l2[3]);
		break;
	default:
		buf[0] = '\0';
	}
}

int
settings_describe(const struct train_settings *s, int shape, const char *triplets,
    uint32_t item_tags_crc, char *buf, size_t size, struct bpr_err *e)
{
	size_t n = 0;
	char value[128];
	int k, pass;

	if (shape)
		n += (size_t)snprintf(buf + n, size - n, "format=bprtools-model\n");
	/* the shape and origin first, then the training */
	for (pass = !shape; pass < 2; pass++) {
		for (k = 0; k < SET_COUNT && n < size; k++) {
			if (setting_rows[k].meta == NULL || setting_rows[k].shape != (pass == 0))
				continue;
			format_value(s, (enum setting)k, value, sizeof(value));
			n += (size_t)snprintf(buf + n, size - n, "%s=%s\n", setting_rows[k].meta, value);
		}
	}
	if (n < size)
		n += (size_t)snprintf(buf + n, size - n, "triplets=%s\n", triplets);
	if (shape && n < size)
		/* by content, not name: the same tags give the same bytes from a file or a pipe */
		n += s->item_tags ? (size_t)snprintf(buf + n, size - n, "item_tags=crc32=%08x\n",
		    item_tags_crc) : (size_t)snprintf(buf + n, size - n, "item_tags=none\n");
	if (n >= size)
		return bpr_fail(e, "the model's description is longer than %zu bytes", size);
	return 0;
}

/* --init: the model's shape, which shape options given anew may not change. */
static int
resume_shape(struct train_settings *s, const struct bpr_model *m, struct bpr_err *e)
{
	struct model_shape sh;

	model_get_shape(m, &sh);
	if (s->item_tags != NULL)
		return bpr_fail_usage(e, "--init resumes with the model's own item tags; --item-tags "
		    "conflicts");
	if ((settings_given(s, SET_ITEM_DIM) && s->item_dim != sh.item_dim) ||
	    (settings_given(s, SET_TAG_DIM) && s->tag_dim != sh.tag_dim) ||
	    (settings_given(s, SET_TAG_MODE) && s->tag_mode != sh.tag_mode) ||
	    ((settings_given(s, SET_BIAS) || settings_given(s, SET_NO_BIAS)) && s->bias != sh.use_bias))
		return bpr_fail_usage(e, "--init %s: the model is %u + %u dimensions, %s tags, %s bias; "
		    "--item-dim, --tag-dim, --tag-mode and --bias cannot change that", s->init, sh.item_dim,
		    sh.tag_dim, names_get(&tag_mode_names, sh.tag_mode), sh.use_bias ? "with" : "no");
	s->item_dim = sh.item_dim;
	s->tag_dim = sh.tag_dim;
	s->tag_mode = sh.tag_mode;
	s->bias = sh.use_bias;
	s->given |= UINT64_C(1) << SET_ITEM_DIM | UINT64_C(1) << SET_TAG_DIM |
	    UINT64_C(1) << SET_TAG_MODE | UINT64_C(1) << SET_BIAS;
	return 0;
}

/* Settings not given take the model's, read through their rows. */
static void
resume_row(struct train_settings *s, const struct bpr_model *m, enum setting k)
{
	char value[128];
	float l2[4];
	struct bpr_err ignored;
	int i;

	model_meta(m, setting_rows[k].meta, value, sizeof(value));
	if (setting_rows[k].kind == K_L2) {
		/* each table's own, unless given anew */
		if (sscanf(value, "%g,%g,%g,%g", &l2[0], &l2[1], &l2[2], &l2[3]) == 4)
			for (i = 0; i < 4; i++)
				if (s->fit.train.l2[i] < 0)
					s->fit.train.l2[i] = l2[i];
		return;
	}
	if (!settings_given(s, k) && value[0] != '\0')
		settings_set(s, k, value, &ignored);
}

int
settings_resume(struct train_settings *s, const struct bpr_model *m, struct bpr_err *e)
{
	static const enum setting resumed[] = { SET_COMPAT, SET_LOSS, SET_LR, SET_BATCH, SET_HARD,
		SET_L2 };
	char value[64];
	int opt;
	size_t i;

	if (resume_shape(s, m, e) < 0)
		return -1;
	if (strcmp(model_meta(m, "trainer", value, sizeof(value)), "als") == 0)
		return bpr_fail(e, "%s: the model is als-train's, which keeps no optimiser's state: "
		    "--init resumes bpr-train's models", s->init);
	/* the model carries its optimiser's state, which no other optimiser reads */
	if ((opt = names_find(&opt_names, model_meta(m, "optimizer", value, sizeof(value)))) < 0)
		return bpr_fail(e, "%s: the model does not say which optimiser trained it", s->init);
	if (settings_given(s, SET_OPTIMIZER) && (int)s->fit.train.opt != opt)
		return bpr_fail_usage(e, "--init %s: the model was trained with %s and carries its state; "
		    "--optimizer %s cannot resume it", s->init, names_get(&opt_names, opt),
		    names_get(&opt_names, (int)s->fit.train.opt));
	s->fit.train.opt = (enum opt_kind)opt;
	s->given |= UINT64_C(1) << SET_OPTIMIZER;
	for (i = 0; i < sizeof(resumed) / sizeof(resumed[0]); i++)
		resume_row(s, m, resumed[i]);
	return 0;
}

/*
 * Each optimiser's own learning rate: each learns at it, --hard 1 and
 * the defaults alike, on ml-100k (ua) and on a planted set (ml-synth -p;
 * tests/bpr-train.bats). One accumulator a row adapts more slowly than one a
 * parameter, and plain SGD not at all, so both take larger steps.
 */
static float
default_lr(enum opt_kind k)
{
	switch (k) {
	case OPT_SGD:
		return 0.1f;
	case OPT_ADAGRAD:
		return 0.03f;
	case OPT_ROWADAGRAD:
		return 0.035f;
	default:
		return 0.001f;	/* the Adams */
	}
}

/* What depends on the optimiser and on the notebook's quirks. */
static void
dependent_defaults(struct train_settings *s)
{
	struct train_config *t = &s->fit.train;
	int i;

	if (!settings_given(s, SET_OPTIMIZER))
		t->opt = s->compat ? OPT_ADAM : OPT_ROWADAGRAD;
	if (!settings_given(s, SET_LR))
		t->lr = default_lr(t->opt);
	if (!settings_given(s, SET_BATCH))
		t->batch = opt_counts_steps(t->opt) ? 64 : 1;	/* the Adams: 64 */
	if (!settings_given(s, SET_HARD))
		t->hard = s->compat ? 1 : 3;
	if (!settings_given(s, SET_BIAS) && !settings_given(s, SET_NO_BIAS))
		s->bias = !s->compat;
	if (!settings_given(s, SET_NEG) && s->compat)
		s->how.neg = NEG_UNIFORM;
	if (!settings_given(s, SET_TAG_MODE) && s->compat)
		s->tag_mode = TAGS_PADDED_MEAN;
	for (i = 0; i < 4; i++)
		if (t->l2[i] < 0)
			t->l2[i] = s->compat ? 0 : DEFAULT_L2;
}

/* Settings that cannot go together. */
static int
check_together(const struct train_settings *s, int operands, struct bpr_err *e)
{
	if (s->output == NULL)
		return bpr_fail_usage(e, "no model file given (-o model)");
	if (s->train != NULL && operands > 0)
		return bpr_fail_usage(e, "give a triplet stream or --train positives, not both");
	if (s->train == NULL && operands == 0)
		return bpr_fail_usage(e, "no triplets: give a triplet stream (- for standard input) or "
		    "--train file");
	if (operands > 1)
		return bpr_fail_usage(e, "one triplet stream only");
	if (s->train == NULL && (settings_given(s, SET_NEG) || s->items != NULL || s->seen != NULL))
		return bpr_fail_usage(e, "--neg, --items and --seen choose how --train samples; a stream "
		    "comes sampled");
	if (settings_given(s, SET_SEEN_RATE) && s->seen == NULL)
		return bpr_fail_usage(e, "--seen-rate needs --seen");
	if (s->fit.patience > 0 && s->valid == NULL)
		return bpr_fail_usage(e, "--patience needs --valid file");
	if (s->fit.train.opt == OPT_ADAM_DENSE && s->fit.train.threads > 1)
		return bpr_fail_usage(e, "--optimizer adam-dense is a single-thread reference");
	return 0;
}

int
settings_finish(struct train_settings *s, int operands, struct bpr_err *e)
{
	dependent_defaults(s);
	if (!settings_given(s, SET_EPOCHS) && s->train != NULL)
		s->fit.epochs = 30;
	/*
	 * Who passes the catalogue's tags passes the catalogue: --train draws
	 * negatives from it (the notebook too drew from every id up to its last).
	 */
	if (s->items == NULL && s->train != NULL)
		s->items = s->item_tags;
	/* Without tags there is no tag part: the user vector is the item embedding's size. */
	if (s->init == NULL && s->item_tags == NULL) {
		if (settings_given(s, SET_TAG_DIM) && s->tag_dim > 0)
			return bpr_fail_usage(e, "--tag-dim %u needs --item-tags: without tags the model is "
			    "pure matrix factorisation", s->tag_dim);
		s->tag_dim = 0;
	}
	s->fit.train.seed = s->how.seed;
	s->fit.checkpoint_base = s->output;
	return check_together(s, operands, e);
}

/* Text's lines, each at column 26, the first after left (which may be ""). */
static size_t
help_lines(const char *left, const char *prefix, const char *text, char *buf, size_t size)
{
	const char *p, *nl;
	size_t n = 0;

	for (p = text; n < size; p = nl + 1) {
		nl = strchr(p, '\n');
		n += (size_t)snprintf(buf + n, size - n, "  %-22s %s%.*s\n", p == text ? left : "",
		    p == text ? prefix : "", nl ? (int)(nl - p) : (int)strlen(p), p);
		if (nl == NULL)
			break;
	}
	return n;
}

size_t
settings_help(enum setting k, char *buf, size_t size)
{
	const struct setting_row *r = &setting_rows[k];
	char left[64], value[64];
	size_t n;
	int i;

	if (r->option == NULL)
		return 0;
	if (r->short_option)
		snprintf(left, sizeof(left), "-%c, --%s%s%s", r->short_option, r->option, r->arg ? " " : "",
		    r->arg ? r->arg : "");
	else
		snprintf(left, sizeof(left), "--%s%s%s", r->option, r->arg ? " " : "", r->arg ? r->arg : "");
	n = help_lines(left, "", r->help, buf, size);
	/* an enum whose values say what they are: a line or more each */
	for (i = 0; r->names != NULL && names_help(r->names, i) != NULL && n < size; i++) {
		snprintf(value, sizeof(value), "%s: ", names_get(r->names, i));
		n += help_lines("", value, names_help(r->names, i), buf + n, size - n);
	}
	return n;
}
