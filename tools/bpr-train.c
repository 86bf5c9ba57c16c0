/*
 * bpr-train: learn the hybrid ranking model from a triplet stream (or
 * from positives, sampling triplets in-process) and write the model file.
 */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "data/positives.h"
#include "io/text.h"
#include "model/model.h"
#include "sample/sampler.h"
#include "sample/source.h"
#include "train/fit.h"

#define DEFAULT_L2 1e-4f

static const char usage[] =
    "usage: bpr-train [-qv] [--item-tags file] [--item-dim N] [--tag-dim N]\n"
    "                 [--tag-mode mode] [--bias | --no-bias] [--loss name] [--hard K]\n"
    "                 [--max-sampled N] [--optimizer name] [--lr X] [--lr-schedule name]\n"
    "                 [--batch N]"
    " [--l2 X] [--l2-user X] [--l2-item X]\n"
    "                 [--l2-tag X] [--epochs N] [--seed N] [--threads N]\n"
    "                 [--schedule name]\n"
    "                 [--compat notebook] [--train file] [--neg mode] [--items file]\n"
    "                 [--seen file] [--seen-rate X] [--eval file] [--eval-every N]\n"
    "                 [--valid file] [--patience N]\n"
    "                 [--checkpoint-every N] [--init model] [--log file]\n"
    "                 -o model [triplets]\n";

static const char help_text[] =
    "\n"
    "Learn the hybrid model: a user vector of item-dim + tag-dim values scores an\n"
    "item by its own embedding followed by the mean of its tags' embeddings.\n"
    "Triplets come from a stream (binary or TSV, a file or - for a pipe) or are\n"
    "sampled in-process from --train positives, the same way triplet-sample does.\n"
    "\n"
    "  --item-tags file       item<TAB>tag pairs (ml-genres): the catalogue, each\n"
    "                         item a row; without them the model is pure matrix\n"
    "                         factorisation\n"
    "  --item-dim N           item embedding size (default 90)\n"
    "  --tag-dim N            tag embedding size (default 10; without --item-tags 0)\n"
    "  --tag-mode mode        mean (default), sum, off, padded-mean\n"
    "  --bias, --no-bias      learn an item bias, or not (default: learn one, but\n"
    "                         not with --compat notebook)\n"
    "  --loss name            notebook (default): 1 - sigmoid(x); bpr: -ln sigmoid(x);\n"
    "                         warp: L(rank) max(0, 1 - x), drawing negatives until\n"
    "                         one comes within the margin (Weston et al. 2011)\n"
    "  --hard K               train on the best-scoring of K negatives: the given\n"
    "                         one and K-1 drawn uniformly from the model's items\n"
    "                         (default 3; 1 with --compat notebook)\n"
    "  --max-sampled N        warp: negatives drawn before skipping a positive\n"
    "                         (default 10)\n"
    "  --optimizer name       adagrad (default), rowadagrad (one accumulator a row),\n"
    "                         adam (Keras' exact rule; the default of --compat\n"
    "                         notebook), lazyadam, sgd, adam-dense (adam computed\n"
    "                         literally: slow)\n"
    "  --lr X                 learning rate (default 0.03; 0.001 for the Adams)\n"
    "  --lr-schedule name     the rate of each epoch: constant (default), linear\n"
    "                         (down to lr/E in the last of E epochs) or cosine\n"
    "  --batch N              triplets a step (default 1; 64 for the Adams)\n"
    "  --l2 X                 L2 penalty on the rows of a batch, every table\n"
    "                         (default 0.0001; 0 with --compat notebook)\n"
    "  --l2-user X, --l2-item X, --l2-tag X\n"
    "                         the same for one table\n"
    "  --epochs N             epochs (default: --train 30; a stream: all of it)\n"
    "  --seed N               seed of initial values and sampling (default 1)\n"
    "  --threads N            Hogwild threads (default 1: reproducible)\n"
    "  --schedule name        the order of an epoch: shuffled (as sampled),\n"
    "                         blocked (by blocks of users that fit in the cache,\n"
    "                         in random order), or auto (default: blocked once the\n"
    "                         user table outgrows the cache)\n"
    "  --compat notebook      the notebook's quirks: padded tag mean, uniform\n"
    "                         negatives over 0..max, notebook loss, Keras adam\n"
    "  --train file           sample triplets from these positives\n"
    "  --neg mode             --train negatives: unseen (default), uniform, pop[:A]\n"
    "  --items file           --train: the universe's items besides the positives'\n"
    "                         (first column; default: the --item-tags file)\n"
    "  --seen file            --train: the users' other interactions, such as every\n"
    "                         train rating; each that is not a positive is also\n"
    "                         trained as one, in a share of the epochs, against an\n"
    "                         item the user has not seen\n"
    "  --seen-rate X          that share: each seen item's chance to be in an epoch\n"
    "                         (default 0.3)\n"
    "  --eval file            test positives: AUC before training and every N epochs,\n"
    "                         clean, then the notebook's where most ids are items\n"
    "  --eval-every N         (default 1)\n"
    "  --valid file           validation positives, measured like --eval\n"
    "  --patience N           stop after N evaluations without a better validation\n"
    "                         AUC, and keep the best epoch's model\n"
    "  --checkpoint-every N   also save MODEL.epochN every N epochs\n"
    "  --init model           resume from a model, its optimiser state and settings\n"
    "  --log file             a TSV row per epoch: epoch, loss, auc, clean_auc,\n"
    "                         valid_auc (empty when not measured), seconds\n"
    "  -o, --output model     the model file\n"
    "  -q, --quiet            no summary or progress on standard error (progress,\n"
    "                         with an ETA, is shown only on a terminal)\n"
    "  -v, --verbose          a line per epoch even without --eval\n"
    "  -h, --help             this help\n"
    "      --version          print the version\n";

enum {
	OPT_ITEM_TAGS = 256, OPT_ITEM_DIM, OPT_TAG_DIM, OPT_TAG_MODE, OPT_BIAS, OPT_NO_BIAS, OPT_LOSS,
	OPT_HARD,
	OPT_MAX_SAMPLED,
	OPT_OPTIMIZER, OPT_LR, OPT_LR_SCHEDULE, OPT_BATCH, OPT_L2, OPT_L2_USER, OPT_L2_ITEM, OPT_L2_TAG,
	OPT_EPOCHS, OPT_SEED, OPT_THREADS, OPT_SCHEDULE, OPT_COMPAT, OPT_TRAIN, OPT_NEG, OPT_ITEMS,
	OPT_SEEN, OPT_SEEN_RATE, OPT_EVAL,
	OPT_EVAL_EVERY, OPT_VALID, OPT_PATIENCE, OPT_CHECKPOINT, OPT_INIT, OPT_LOG, OPT_VERSION,
};

static const struct option longopts[] = {
	{ "item-tags", required_argument, NULL, OPT_ITEM_TAGS },
	{ "item-dim", required_argument, NULL, OPT_ITEM_DIM },
	{ "tag-dim", required_argument, NULL, OPT_TAG_DIM },
	{ "tag-mode", required_argument, NULL, OPT_TAG_MODE },
	{ "bias", no_argument, NULL, OPT_BIAS },
	{ "no-bias", no_argument, NULL, OPT_NO_BIAS },
	{ "loss", required_argument, NULL, OPT_LOSS },
	{ "hard", required_argument, NULL, OPT_HARD },
	{ "max-sampled", required_argument, NULL, OPT_MAX_SAMPLED },
	{ "optimizer", required_argument, NULL, OPT_OPTIMIZER },
	{ "lr", required_argument, NULL, OPT_LR },
	{ "batch", required_argument, NULL, OPT_BATCH },
	{ "l2", required_argument, NULL, OPT_L2 },
	{ "l2-user", required_argument, NULL, OPT_L2_USER },
	{ "l2-item", required_argument, NULL, OPT_L2_ITEM },
	{ "l2-tag", required_argument, NULL, OPT_L2_TAG },
	{ "epochs", required_argument, NULL, OPT_EPOCHS },
	{ "seed", required_argument, NULL, OPT_SEED },
	{ "threads", required_argument, NULL, OPT_THREADS },
	{ "schedule", required_argument, NULL, OPT_SCHEDULE },
	{ "lr-schedule", required_argument, NULL, OPT_LR_SCHEDULE },
	{ "compat", required_argument, NULL, OPT_COMPAT },
	{ "train", required_argument, NULL, OPT_TRAIN },
	{ "neg", required_argument, NULL, OPT_NEG },
	{ "items", required_argument, NULL, OPT_ITEMS },
	{ "seen", required_argument, NULL, OPT_SEEN },
	{ "seen-rate", required_argument, NULL, OPT_SEEN_RATE },
	{ "eval", required_argument, NULL, OPT_EVAL },
	{ "eval-every", required_argument, NULL, OPT_EVAL_EVERY },
	{ "valid", required_argument, NULL, OPT_VALID },
	{ "patience", required_argument, NULL, OPT_PATIENCE },
	{ "checkpoint-every", required_argument, NULL, OPT_CHECKPOINT },
	{ "init", required_argument, NULL, OPT_INIT },
	{ "log", required_argument, NULL, OPT_LOG },
	{ "output", required_argument, NULL, 'o' },
	{ "quiet", no_argument, NULL, 'q' },
	{ "verbose", no_argument, NULL, 'v' },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, OPT_VERSION },
	{ NULL, 0, NULL, 0 },
};

struct settings {
	struct fit_config fit;
	uint32_t item_dim, tag_dim;
	enum tag_mode tag_mode;
	int bias, compat, quiet, verbose;
	int given_lr, given_loss, given_opt, given_neg, given_tag_mode, given_epochs;
	int given_batch, given_hard, given_bias, given_seen_rate, given_dims, given_tag_dim;
	struct sampling how;	/* --train's sampling; its seed also seeds the model */
	const char *item_tags, *train, *items, *seen, *eval, *valid, *init, *output, *stream, *log;
	double started;
};

static void
set_compat(struct settings *s, const char *what)
{
	if (strcmp(what, "notebook") != 0)
		cli_usage_error("--compat %s: unknown (the one compatibility mode is notebook)", what);
	s->compat = 1;
}

/* --compat notebook chooses what the notebook did, unless told otherwise. */
static void
apply_defaults(struct settings *s)
{
	struct train_config *t = &s->fit.train;
	int i;

	if (!s->given_loss)
		t->loss = LOSS_NOTEBOOK;
	if (!s->given_opt)
		t->opt = s->compat ? OPT_ADAM : OPT_ADAGRAD;
	if (!s->given_lr)
		t->lr = t->opt == OPT_SGD || t->opt == OPT_ADAGRAD ? 0.03f : 0.001f;
	if (!s->given_batch)
		t->batch = t->opt == OPT_ADAGRAD || t->opt == OPT_SGD ? 1 : 64;
	if (!s->given_hard)
		t->hard = s->compat ? 1 : 3;
	if (!s->given_bias)
		s->bias = !s->compat;
	if (!s->given_neg && s->compat)
		s->how.neg = NEG_UNIFORM;
	if (!s->given_tag_mode && s->compat)
		s->tag_mode = TAGS_PADDED_MEAN;
	if (!s->given_epochs && s->train != NULL)
		s->fit.epochs = 30;
	/* Without tags there is no tag part: the user vector is the item embedding's size. */
	if (s->init == NULL && s->item_tags == NULL) {
		if (s->given_tag_dim && s->tag_dim > 0)
			cli_usage_error("--tag-dim %u needs --item-tags: without tags the model is pure "
			    "matrix factorisation", s->tag_dim);
		s->tag_dim = 0;
	}
	for (i = 0; i < 4; i++)
		if (t->l2[i] < 0)	/* not given: make sweep's choice; none in the notebook */
			t->l2[i] = s->compat ? 0 : DEFAULT_L2;
	/*
	 * Who passes the catalogue's tags passes the catalogue: --train draws
	 * negatives from it (the notebook too drew from every id up to its last).
	 */
	if (s->items == NULL && s->train != NULL)
		s->items = s->item_tags;
}

static float
l2_value(const char *opt, const char *arg)
{
	return (float)cli_double(opt, arg, 0, 1e6);
}

static void
parse_model_option(struct settings *s, int c)
{
	struct train_config *t = &s->fit.train;

	switch (c) {
	case OPT_ITEM_DIM:
		s->item_dim = (uint32_t)cli_int("--item-dim", optarg, 1, MODEL_MAX_DIM);
		s->given_dims = 1;
		break;
	case OPT_TAG_DIM:
		s->tag_dim = (uint32_t)cli_int("--tag-dim", optarg, 0, MODEL_MAX_DIM);
		s->given_dims = s->given_tag_dim = 1;
		break;
	case OPT_TAG_MODE:
		if (tag_mode_parse(optarg, &s->tag_mode) < 0)
			cli_usage_error("--tag-mode %s: unknown (expected mean, sum, off or padded-mean)", optarg);
		s->given_tag_mode = 1;
		break;
	case OPT_LOSS:
		if (loss_parse(optarg, &t->loss) < 0)
			cli_usage_error("--loss %s: unknown (expected notebook, bpr or warp)", optarg);
		s->given_loss = 1;
		break;
	case OPT_HARD:
		t->hard = (uint32_t)cli_int("--hard", optarg, 1, 1000);
		s->given_hard = 1;
		break;
	case OPT_MAX_SAMPLED:
		t->max_sampled = (uint32_t)cli_int("--max-sampled", optarg, 1, 100000);
		break;
	case OPT_OPTIMIZER:
		if (opt_parse(optarg, &t->opt) < 0)
			cli_usage_error("--optimizer %s: unknown (expected adagrad, rowadagrad, adam, "
			    "lazyadam, sgd or adam-dense)", optarg);
		s->given_opt = 1;
		break;
	case OPT_LR:
		t->lr = (float)cli_double("--lr", optarg, 1e-9, 100);
		s->given_lr = 1;
		break;
	case OPT_BATCH:
		t->batch = (uint32_t)cli_int("--batch", optarg, 1, 1 << 20);
		s->given_batch = 1;
		break;
	case OPT_L2:
		t->l2[0] = t->l2[1] = t->l2[2] = t->l2[3] = l2_value("--l2", optarg);
		break;
	case OPT_L2_USER:
		t->l2[0] = l2_value("--l2-user", optarg);
		break;
	case OPT_L2_ITEM:
		t->l2[1] = t->l2[3] = l2_value("--l2-item", optarg);
		break;
	case OPT_L2_TAG:
		t->l2[2] = l2_value("--l2-tag", optarg);
		break;
	}
}

static void
parse_run_option(struct settings *s, int c)
{
	switch (c) {
	case OPT_EPOCHS:
		s->fit.epochs = (uint32_t)cli_int("--epochs", optarg, 1, 100000);
		s->given_epochs = 1;
		break;
	case OPT_SEED:
		s->how.seed = cli_u64("--seed", optarg);
		break;
	case OPT_THREADS:
		s->fit.train.threads = (int)cli_int("--threads", optarg, 1, 256);
		break;
	case OPT_SCHEDULE:
		if (fit_schedule_parse(optarg, &s->fit.schedule) < 0)
			cli_usage_error("--schedule %s: unknown (expected auto, shuffled or blocked)", optarg);
		break;
	case OPT_LR_SCHEDULE:
		if (lr_schedule_parse(optarg, &s->fit.lr_schedule) < 0)
			cli_usage_error("--lr-schedule %s: unknown (expected constant, linear or cosine)",
			    optarg);
		break;
	case OPT_NEG:
		if (neg_mode_parse(optarg, &s->how.neg, &s->how.alpha) < 0)
			cli_usage_error("--neg %s: unknown mode (expected uniform, unseen, pop or pop:ALPHA)",
			    optarg);
		s->given_neg = 1;
		break;
	case OPT_SEEN_RATE:
		s->how.seen_rate = cli_double("--seen-rate", optarg, 0, 1);
		s->given_seen_rate = 1;
		break;
	case OPT_EVAL_EVERY:
		s->fit.eval_every = (uint32_t)cli_int("--eval-every", optarg, 1, 100000);
		break;
	case OPT_PATIENCE:
		s->fit.patience = (uint32_t)cli_int("--patience", optarg, 1, 100000);
		break;
	case OPT_CHECKPOINT:
		s->fit.checkpoint_every = (uint32_t)cli_int("--checkpoint-every", optarg, 1, 100000);
		break;
	}
}

static void
parse_options(int argc, char **argv, struct settings *s)
{
	int c;

	while ((c = getopt_long(argc, argv, "o:qvh", longopts, NULL)) != -1) {
		switch (c) {
		case OPT_ITEM_TAGS: s->item_tags = optarg; break;
		case OPT_BIAS: s->bias = s->given_bias = 1; break;
		case OPT_NO_BIAS: s->bias = 0; s->given_bias = 1; break;
		case OPT_COMPAT: set_compat(s, optarg); break;
		case OPT_TRAIN: s->train = optarg; break;
		case OPT_ITEMS: s->items = optarg; break;
		case OPT_SEEN: s->seen = optarg; break;
		case OPT_EVAL: s->eval = optarg; break;
		case OPT_VALID: s->valid = optarg; break;
		case OPT_INIT: s->init = optarg; break;
		case OPT_LOG: s->log = optarg; break;
		case 'o': s->output = optarg; break;
		case 'q': s->quiet = 1; break;
		case 'v': s->verbose = 1; break;
		case 'h': cli_help_usage(usage, help_text);
		case OPT_VERSION: cli_version();
		case OPT_EPOCHS: case OPT_SEED: case OPT_THREADS: case OPT_SCHEDULE: case OPT_NEG:
		case OPT_SEEN_RATE:
		case OPT_LR_SCHEDULE:
		case OPT_EVAL_EVERY: case OPT_PATIENCE: case OPT_CHECKPOINT:
			parse_run_option(s, c);
			break;
		case '?':
			cli_bad_option();
		default:
			parse_model_option(s, c);
		}
	}
}

static void
check_settings(const struct settings *s, int operands)
{
	if (s->output == NULL)
		cli_usage_error("no model file given (-o model)");
	if (s->train != NULL && operands > 0)
		cli_usage_error("give a triplet stream or --train positives, not both");
	if (s->train == NULL && operands == 0)
		cli_usage_error("no triplets: give a triplet stream (- for standard input) or --train file");
	if (operands > 1)
		cli_usage_error("one triplet stream only");
	if (s->train == NULL && (s->given_neg || s->items != NULL || s->seen != NULL))
		cli_usage_error("--neg, --items and --seen choose how --train samples; a stream comes "
		    "sampled");
	if (s->given_seen_rate && s->seen == NULL)
		cli_usage_error("--seen-rate needs --seen");
	if (s->fit.patience > 0 && s->valid == NULL)
		cli_usage_error("--patience needs --valid file");
	if (s->fit.train.opt == OPT_ADAM_DENSE && s->fit.train.threads > 1)
		cli_usage_error("--optimizer adam-dense is a single-thread reference");
}

/* Every file the run names, before any is read. */
static void
check_files(const struct settings *s)
{
	const char *checkpoints = s->fit.checkpoint_every > 0 ? s->output : NULL;

	cli_files_ready((const struct cli_file[]){
	    { "--item-tags", s->item_tags, CLI_INPUT }, { "--train", s->train, CLI_INPUT },
	    { "--items", s->items, CLI_INPUT }, { "--seen", s->seen, CLI_INPUT },
	    { "--eval", s->eval, CLI_INPUT }, { "--valid", s->valid, CLI_INPUT },
	    { "--init", s->init, CLI_INPUT_RESUMED }, { "the triplet stream", s->stream, CLI_INPUT },
	    { "-o", s->output, CLI_OUTPUT }, { "--log", s->log, CLI_OUTPUT },
	    { "--checkpoint-every", checkpoints, CLI_CHECKPOINTS } }, 11);
}

/* The catalogue of item tags; its CRC goes into the model's description. */
static void
load_catalogue(struct bpr_model *m, const char *path, uint32_t *crc)
{
	static const char *const names[3] = { "item", "tag", "item tags" };
	struct bpr_input *in = cli_open_input(path, NULL);
	uint64_t *pairs;
	size_t n;
	struct bpr_err e;

	input_track_crc(in);
	if (read_id_pairs(in, names, &pairs, &n, NULL, &e) < 0 ||
	    model_set_catalogue(m, pairs, n, &e) < 0)
		cli_die(&e);
	*crc = input_crc(in);
	input_close(in);
	free(pairs);
}

static void
open_source(struct triplet_source *src, const struct settings *s)
{
	struct bpr_input *in, *items = NULL, *seen = NULL;
	struct bpr_err e;
	int rc;

	if (s->train == NULL) {
		in = cli_open_input(s->stream, NULL);
		rc = source_open_stream(src, in, &e);
	} else {
		in = cli_open_input(s->train, NULL);
		if (s->items != NULL)
			items = cli_open_input(s->items, NULL);
		if (s->seen != NULL)
			seen = cli_open_input(s->seen, NULL);
		rc = source_open_sampler(src, in, items, seen, &s->how, &e);
		input_close(in);
		input_close(items);
		input_close(seen);
		in = NULL;
	}
	if (rc < 0)
		cli_die(&e);
	if (s->train != NULL)
		cli_warn_ratings(&src->drawn.pos, s->train);
	if (src->epochs_announced > 0 && s->fit.epochs > src->epochs_announced)
		cli_fatal(BPR_EXIT_DATA, "%s: the stream holds %u epoch%s; --epochs asks for %u",
		    s->stream, src->epochs_announced, PLURAL(src->epochs_announced), s->fit.epochs);
}

/*
 * The settings of this run's training: a run resumed with --init records
 * its own over the model's, which still describe its shape and origin.
 */
static void
describe_training(char *buf, size_t size, const struct settings *s,
    const struct triplet_source *src)
{
	const struct train_config *t = &s->fit.train;

	snprintf(buf, size,
	    "loss=%s\nhard=%u\nmax_sampled=%u\noptimizer=%s\nlr=%g\nlr_schedule=%s\nbatch=%u\n"
	    "l2=%g,%g,%g,%g\n"
	    "beta1=%g\nbeta2=%g\neps=%g\nthreads=%d\nschedule=%s\ncompat=%s\ntriplets=%s\n",
	    loss_name(t->loss), t->hard, t->max_sampled, opt_name(t->opt), (double)t->lr,
	    lr_schedule_name(s->fit.lr_schedule), t->batch, (double)t->l2[0],
	    (double)t->l2[1], (double)t->l2[2], (double)t->l2[3], (double)t->beta1,
	    (double)t->beta2, (double)t->eps, t->threads, fit_schedule_name(s->fit.schedule),
	    s->compat ? "notebook" : "none", src->meta);
}

/* The meta text of a new model: its shape and origin around the training settings. */
static void
describe_run(char *buf, size_t size, const struct settings *s, const struct triplet_source *src,
    uint32_t tags_crc)
{
	size_t n;

	snprintf(buf, size,
	    "format=bprtools-model\nitem_dim=%u\ntag_dim=%u\ntag_mode=%s\nbias=%d\nseed=%llu\n"
	    "init_scale=0.05\n",
	    s->item_dim, s->tag_dim, tag_mode_name(s->tag_mode), s->bias, (unsigned long long)s->how.seed);
	n = strlen(buf);
	describe_training(buf + n, size - n, s, src);
	n += strlen(buf + n);
	snprintf(buf + n, size - n, "item_tags=%s crc32=%08x\n",
	    s->item_tags ? s->item_tags : "none", tags_crc);
}

/*
 * The model's items are the catalogue (--train draws negatives from it,
 * and every catalogue item gets a row), but a stream may name only the
 * items of its own positives: the others are trained only when the
 * trainer draws them as extra negatives (--hard K, warp), or never.
 * Counted over every epoch, once training is done.
 */
static void
print_untripled(size_t n, const struct bpr_model *m, const struct settings *s)
{
	const struct train_config *t = &s->fit.train;
	int drawn = t->hard > 1 || t->loss == LOSS_WARP;

	size_t count;

	model_catalogue_items(m, &count);
	if (n == 0)
		return;
	fprintf(stderr, "bpr-train: %zu of the %zu catalogue items were in no triplet: %s; %s adds "
	    "them as negatives\n", n, count,
	    drawn ? "trained only as the trainer's own extra negatives" : "never trained",
	    s->train != NULL ? "--items" : "triplet-sample --items");
}

/* Like Keras' model.summary(): the tables, their shapes and sizes. */
static void
print_summary(const struct bpr_model *m, const struct settings *s, uint32_t planned)
{
	const struct train_config *t = &s->fit.train;
	static const char *const names[] = { "user", "item", "tag", "item bias" };
	static const enum model_table tables[] = { MODEL_USERS, MODEL_ITEMS, MODEL_TAGS, MODEL_BIASES };
	struct model_shape sh;
	uint64_t total = 0;
	uint32_t dim;
	size_t i;

	model_get_shape(m, &sh);
	fprintf(stderr, "bpr-train: model\n  %-10s %10s %6s %12s\n", "table", "rows", "dim", "parameters");
	for (i = 0; i < 4; i++) {
		if (model_rows(m, tables[i]) == 0)
			continue;
		/* an item's own embedding; the tags' part comes in the next row */
		dim = tables[i] == MODEL_ITEMS ? sh.item_dim : (uint32_t)model_vector_size(m, tables[i]);
		fprintf(stderr, "  %-10s %10zu %6u %12llu\n", names[i], model_rows(m, tables[i]), dim,
		    (unsigned long long)model_param_count(m, tables[i]));
		total += model_param_count(m, tables[i]);
	}
	fprintf(stderr, "  %-10s %10s %6s %12llu\n", "total", "", "", (unsigned long long)total);
	if (sh.tag_dim > 0)
		fprintf(stderr, "  item vector = item embedding (%u) + %s of tag embeddings (%u; %u tags)\n",
		    sh.item_dim, tag_mode_name(sh.tag_mode), sh.tag_dim, sh.ntags);
	else
		fprintf(stderr, "  item vector = item embedding (%u), no tag part\n", sh.item_dim);
	fprintf(stderr, "  loss %s, optimizer %s (lr %g %s, batch %u, l2 %g), %u epoch%s, seed %llu, "
	    "%d thread%s\n", loss_name(t->loss), opt_name(t->opt), (double)t->lr,
	    lr_schedule_name(s->fit.lr_schedule), t->batch,
	    (double)t->l2[0], planned, PLURAL(planned), (unsigned long long)s->how.seed, t->threads,
	    PLURAL(t->threads));
}

/* A --log row: an epoch's loss and time, and its evaluation when there was one. */
struct log_row {
	uint32_t epoch;
	int used, has_loss, has_test, has_valid;
	double loss, seconds, auc, clean_auc, valid_auc;
};

struct report {
	const struct settings *s;
	const struct bpr_model *m;
	double loss, train_seconds;
	uint32_t epochs_timed;
	int progress;
	struct bpr_output log;
	struct log_row row;
};

static void
log_value(struct bpr_output *o, int has, double v)
{
	output_char(o, '\t');
	if (has)
		output_printf(o, "%.6f", v);
}

/* Write the pending row, if any: empty fields for what was not measured. */
static void
log_flush(struct report *r)
{
	struct log_row *w = &r->row;

	if (r->s->log == NULL || !w->used)
		return;
	output_u64(&r->log, w->epoch);
	log_value(&r->log, w->has_loss, w->loss);
	log_value(&r->log, w->has_test, w->auc);
	log_value(&r->log, w->has_test, w->clean_auc);
	log_value(&r->log, w->has_valid, w->valid_auc);
	log_value(&r->log, w->has_loss, w->seconds);
	output_char(&r->log, '\n');
	memset(w, 0, sizeof(*w));
}

/* The row for this epoch: the pending one, or a new one (the evaluation before training). */
static struct log_row *
log_row_for(struct report *r, uint32_t epoch)
{
	if (r->row.used && r->row.epoch != epoch)
		log_flush(r);
	r->row.used = 1;
	r->row.epoch = epoch;
	return &r->row;
}

static void
log_event(struct report *r, const struct fit_event *ev)
{
	struct log_row *w;

	if (r->s->log == NULL || (ev->kind != FIT_EPOCH && ev->kind != FIT_EVAL))
		return;
	w = log_row_for(r, ev->epoch);
	if (ev->kind == FIT_EPOCH) {
		w->has_loss = 1;
		w->loss = ev->loss;
		w->seconds = ev->seconds;
		return;
	}
	w->has_test = ev->has_test;
	w->auc = ev->notebook.auc;
	w->clean_auc = ev->clean.auc;
	w->has_valid = ev->has_valid;
	w->valid_auc = ev->valid.auc;
}

/*
 * The clean AUC first: the model's items ranked, train positives left
 * out. The notebook's (every id 0..max ranked, train positives counted as
 * negatives) only where most of those ids are items: on ml-latest's ids
 * up to 193609 for 9742 movies it measures the ids that are no movie.
 */
static void
print_test_aucs(const struct fit_event *ev)
{
	const struct eval_result *nb = &ev->notebook;

	fprintf(stderr, ", clean auc %.6f (the model's %zu items, train left out)", ev->clean.auc,
	    ev->clean.candidates);
	if (nb->cold * 2 <= nb->candidates)
		fprintf(stderr, ", notebook auc %.6f (every id 0..%u, train counted)", nb->auc, nb->max_id);
	else
		fprintf(stderr, " (no notebook auc: %zu of the ids 0..%u are no item)", nb->cold,
		    nb->max_id);
}

static void
print_eval(const struct fit_event *ev, const struct report *r)
{
	fprintf(stderr, "bpr-train: epoch %u", ev->epoch);
	if (ev->epochs > 0)
		fprintf(stderr, "/%u", ev->epochs);
	if (ev->epoch > 0)
		fprintf(stderr, ": loss %.6f", r->loss);
	else
		fprintf(stderr, " (before training)");
	if (ev->has_test)
		print_test_aucs(ev);
	if (ev->has_valid)
		fprintf(stderr, ", valid auc %.6f", ev->valid.auc);
	fputc('\n', stderr);
}

/* The terminal's progress line: rate, and the time left at the mean epoch's pace. */
static void
print_progress(struct report *r, const struct fit_event *ev)
{
	double left;

	r->train_seconds += ev->seconds;
	r->epochs_timed++;
	fprintf(stderr, "epoch %u%s%.0u: loss %.6f, %.2f M triplets/s", ev->epoch,
	    ev->epochs ? "/" : "", ev->epochs, ev->loss, (double)ev->triplets / ev->seconds / 1e6);
	if (ev->epochs > ev->epoch) {
		left = r->train_seconds / r->epochs_timed * (ev->epochs - ev->epoch);
		fprintf(stderr, ", ETA %um%02us", (unsigned)(left / 60), (unsigned)left % 60);
	}
}

/* Evaluation pairs that are also training positives inflate every AUC. */
static void
warn_trained_on(size_t n, const char *opt, const char *path)
{
	if (n > 0)
		cli_warn("%zu pairs of %s %s are also training positives: its AUCs are not "
		    "held-out measures", n, opt, path);
}

static void
on_event(void *ctx, const struct fit_event *ev)
{
	struct report *r = ctx;

	log_event(r, ev);
	if (r->s->quiet)
		return;
	if (r->progress)
		fputs("\r\033[K", stderr);
	switch (ev->kind) {
	case FIT_READY:
		print_summary(r->m, r->s, ev->epochs);
		warn_trained_on(ev->test_in_train, "--eval", r->s->eval);
		warn_trained_on(ev->valid_in_train, "--valid", r->s->valid);
		break;
	case FIT_EPOCH:
		r->loss = ev->loss;
		if (r->s->verbose)
			fprintf(stderr, "bpr-train: epoch %u: loss %.6f, %.2f s, %.2f M triplets/s\n",
			    ev->epoch, ev->loss, ev->seconds, (double)ev->triplets / ev->seconds / 1e6);
		else if (r->progress)
			print_progress(r, ev);
		break;
	case FIT_EVAL:
		print_eval(ev, r);
		break;
	case FIT_CHECKPOINT:
		fprintf(stderr, "bpr-train: wrote checkpoint %s\n", ev->path);
		break;
	case FIT_STOP:
		fprintf(stderr, "bpr-train: no better validation AUC for %u evaluations: stopped at "
		    "epoch %u, keeping epoch %u\n", r->s->fit.patience, ev->epoch, ev->best_epoch);
		break;
	case FIT_DONE:
		print_untripled(ev->catalogue_untripled, r->m, r->s);
		break;
	}
}

/* The model's shape: what --init resumes, which options may not change. */
static void
keep_shape(struct settings *s, const struct bpr_model *model)
{
	struct model_shape sh, *m = &sh;

	model_get_shape(model, &sh);
	if (s->item_tags != NULL)
		cli_usage_error("--init resumes with the model's own item tags; --item-tags conflicts");
	if ((s->given_dims && (s->item_dim != m->item_dim || s->tag_dim != m->tag_dim)) ||
	    (s->given_tag_mode && s->tag_mode != m->tag_mode) ||
	    (s->given_bias && s->bias != m->use_bias))
		cli_usage_error("--init %s: the model is %u + %u dimensions, %s tags, %s bias; "
		    "--item-dim, --tag-dim, --tag-mode and --bias cannot change that", s->init,
		    m->item_dim, m->tag_dim, tag_mode_name(m->tag_mode), m->use_bias ? "with" : "no");
	s->item_dim = m->item_dim;
	s->tag_dim = m->tag_dim;
	s->tag_mode = m->tag_mode;
	s->bias = m->use_bias;
	s->given_tag_mode = s->given_bias = 1;	/* not the defaults' to set */
}

/*
 * --init resumes a run: what is not given is as the model was trained
 * (its meta table), above all the optimiser, whose state the model
 * carries and no other optimiser can read (Adam's second moments are not
 * Adagrad's sums of squares).
 */
static void
inherit_training(struct settings *s, const struct bpr_model *m)
{
	struct train_config *t = &s->fit.train;
	enum opt_kind opt;
	char v[64];
	float l2[4];
	int i;

	if (opt_parse(model_meta(m, "optimizer", v, sizeof(v)), &opt) < 0)
		cli_fatal(BPR_EXIT_DATA, "%s: the model does not say which optimiser trained it", s->init);
	if (s->given_opt && t->opt != opt)
		cli_usage_error("--init %s: the model was trained with %s and carries its state; "
		    "--optimizer %s cannot resume it", s->init, opt_name(opt), opt_name(t->opt));
	t->opt = opt;
	s->given_opt = 1;
	if (strcmp(model_meta(m, "compat", v, sizeof(v)), "notebook") == 0)
		s->compat = 1;
	if (!s->given_loss)
		s->given_loss = loss_parse(model_meta(m, "loss", v, sizeof(v)), &t->loss) == 0;
	if (!s->given_lr)
		s->given_lr = sscanf(model_meta(m, "lr", v, sizeof(v)), "%g", &t->lr) == 1;
	if (!s->given_batch)
		s->given_batch = sscanf(model_meta(m, "batch", v, sizeof(v)), "%u", &t->batch) == 1;
	if (!s->given_hard)
		s->given_hard = sscanf(model_meta(m, "hard", v, sizeof(v)), "%u", &t->hard) == 1;
	if (sscanf(model_meta(m, "l2", v, sizeof(v)), "%g,%g,%g,%g", &l2[0], &l2[1], &l2[2],
	    &l2[3]) == 4)
		for (i = 0; i < 4; i++)
			if (t->l2[i] < 0)
				t->l2[i] = l2[i];
}

/* Load --init's model, and take its shape and training settings. */
static struct bpr_model *
resume_model(struct settings *s)
{
	struct bpr_model *m;
	struct bpr_err e;

	if ((m = model_load(s->init, &e)) == NULL)
		cli_die(&e);
	if (s->fit.checkpoint_every > 0)
		cli_checkpoints_spare("--init", s->init, s->output, model_epochs(m));
	keep_shape(s, m);
	inherit_training(s, m);
	return m;
}

/* The model to train: --init's, or a new one with the catalogue's tags. */
static struct bpr_model *
init_model(struct bpr_model *m, struct settings *s, uint32_t *tags_crc)
{
	struct bpr_err e;

	if (m != NULL)
		return m;	/* resume_model loaded it */
	if ((m = model_new(s->item_dim, s->tag_dim, s->tag_mode, s->bias, s->how.seed, 0.05f, &e)) == NULL)
		cli_die(&e);
	if (s->item_tags != NULL)
		load_catalogue(m, s->item_tags, tags_crc);
	return m;
}

int
main(int argc, char **argv)
{
	struct settings s = {
		.fit = { .train = { .batch = 64, .threads = 1, .beta1 = 0.9f, .beta2 = 0.999f,
		    .eps = 1e-8f, .hard = 1, .max_sampled = 10, .l2 = { -1, -1, -1, -1 } },
		    .eval_every = 1 },
		.item_dim = 90, .tag_dim = 10, .tag_mode = TAGS_MEAN,
		.how = { .neg = NEG_UNSEEN, .alpha = 1, .seed = 1, .seen_rate = SEEN_RATE_DEFAULT },
	};
	struct positives *test = NULL, *valid = NULL;
	struct triplet_source src;
	struct bpr_model *m = NULL;
	struct report rep = { .s = &s };
	uint32_t tags_crc = 0;
	struct bpr_err e;
	char meta[2048];

	cli_init("bpr-train", usage);
	parse_options(argc, argv, &s);
	argc -= optind;
	argv += optind;
	s.stream = argc > 0 ? argv[0] : NULL;
	check_files(&s);
	if (s.init != NULL)
		m = resume_model(&s);
	apply_defaults(&s);
	check_settings(&s, argc);
	s.fit.train.seed = s.how.seed;
	s.fit.checkpoint_base = s.output;
	rep.progress = cli_progress_wanted(s.quiet) && !s.verbose;
	rep.m = m = init_model(m, &s, &tags_crc);
	if (s.eval != NULL)
		test = cli_load_positives(s.eval);
	if (test != NULL)
		cli_warn_ratings(test, s.eval);
	if (s.valid != NULL)
		valid = cli_load_positives(s.valid);
	if (valid != NULL)
		cli_warn_ratings(valid, s.valid);
	open_source(&src, &s);
	if (s.init == NULL) {
		describe_run(meta, sizeof(meta), &s, &src, tags_crc);
		if (model_set_meta(m, meta, &e) < 0)
			cli_die(&e);
	} else {
		describe_training(meta, sizeof(meta), &s, &src);
		if (model_update_meta(m, meta, &e) < 0)
			cli_die(&e);
	}
	if (s.log != NULL) {
		cli_output_open(&rep.log, s.log);
		output_str(&rep.log, "epoch\tloss\tauc\tclean_auc\tvalid_auc\tseconds\n");
	}
	/* The model's items are the catalogue, whatever the triplets name. */
	if (model_add_catalogue_rows(m, &e) < 0)
		cli_die(&e);
	if (fit_run(m, &src, test, valid, &s.fit, on_event, &rep, &e) < 0)
		cli_die(&e);
	if (model_save(m, s.output, &e) < 0)
		cli_die(&e);
	if (s.log != NULL) {
		log_flush(&rep);
		cli_output_commit(&rep.log, 0);
	}
	if (!s.quiet)
		fprintf(stderr, "bpr-train: wrote %s (%u epoch%s, %llu steps)\n", s.output,
		    model_epochs(m), PLURAL(model_epochs(m)), (unsigned long long)model_steps(m));
	source_close(&src);
	model_free(m);
	cli_free_positives(test);
	cli_free_positives(valid);
	return BPR_EXIT_OK;
}
