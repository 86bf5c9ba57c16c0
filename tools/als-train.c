/*
 * als-train: implicit-feedback alternating least squares on the same
 * positives as bpr-train, written as the same model file, so bpr-score
 * and auc use it unchanged.
 */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "data/positives.h"
#include "model/model.h"
#include "train/als.h"
#include "train/fit_log.h"

static const char usage[] =
    "usage: als-train [-q] [--dim N] [--alpha0 X] [--lambda X] [--sweeps N]\n"
    "                 [--cg-steps N] [--seed N] [--threads N] [--items file]\n"
    "                 [--item-tags file] [--tag-mode mode] [--tag-weight X]\n"
    "                 [--eval file] [--eval-every N] [--valid file] [--patience N]\n"
    "                 [--log file] --train file -o model\n";

static const char help_text[] =
    "\n"
    "Learn user and item vectors by implicit ALS: every positive pulls its score\n"
    "towards 1, every user-item pair towards 0 with weight alpha0, and each row's\n"
    "L2 is lambda times its positives plus alpha0 times the other side's count.\n"
    "Writes a model file that auc and bpr-score read as they read bpr-train's.\n"
    "\n"
    "      --train file      positives, user<TAB>item lines (- for standard input)\n"
    "  -o file               the model to write\n"
    "      --dim N           vector dimension (default 32)\n"
    "      --alpha0 X        weight of the unobserved pairs (default 0.2)\n"
    "      --lambda X        L2 (default 0.02)\n"
    "      --sweeps N        sweeps over users then items (default 16)\n"
    "      --cg-steps N      conjugate-gradient steps a row, from its last value;\n"
    "                        0 solves exactly (default 0)\n"
    "      --seed N          initial vectors' seed (default 1)\n"
    "      --threads N       threads (default 2); the model does not depend on it\n"
    "      --items file      the catalogue: the first column of a TSV (such as\n"
    "                        ml-genres' item-tags); items without positives are\n"
    "                        in the model with a zero vector (or, with --item-tags,\n"
    "                        the one their tags give)\n"
    "      --item-tags file  item<TAB>tag lines (ml-genres): the catalogue, and each\n"
    "                        item's tags, a value a tag after its vector, held fixed\n"
    "      --tag-mode mode   mean, sum or off: how those values are made\n"
    "                        (default mean)\n"
    "      --tag-weight X    a tag's value, over the item's tags for mean\n"
    "                        (default 0.5)\n"
    "      --eval file       test positives: both AUCs after every --eval-every sweeps\n"
    "      --eval-every N    (default 1)\n"
    "      --valid file      validation positives, for --patience\n"
    "      --patience N      stop after N evaluations without a better validation\n"
    "                        AUC and keep the best sweep's model\n"
    "      --log file        epoch<TAB>loss<TAB>auc<TAB>clean_auc<TAB>valid_auc<TAB>seconds\n"
    "                        <TAB>clean_p@10<TAB>wall (the epoch: the sweep; wall:\n"
    "                        seconds since the start, evaluations left out)\n"
    "  -q                    no progress on standard error\n"
    "  -h, --help            this help\n"
    "      --version         print the version\n";

enum { OPT_TRAIN = 256, OPT_DIM, OPT_ALPHA0, OPT_LAMBDA, OPT_SWEEPS, OPT_CG, OPT_SEED,
	OPT_THREADS, OPT_ITEMS, OPT_ITEM_TAGS, OPT_TAG_MODE, OPT_TAG_WEIGHT, OPT_EVAL,
	OPT_EVAL_EVERY, OPT_VALID, OPT_PATIENCE, OPT_LOG, OPT_VERSION };

static const struct option longopts[] = {
	{ "train", required_argument, NULL, OPT_TRAIN },
	{ "dim", required_argument, NULL, OPT_DIM },
	{ "alpha0", required_argument, NULL, OPT_ALPHA0 },
	{ "lambda", required_argument, NULL, OPT_LAMBDA },
	{ "sweeps", required_argument, NULL, OPT_SWEEPS },
	{ "cg-steps", required_argument, NULL, OPT_CG },
	{ "seed", required_argument, NULL, OPT_SEED },
	{ "threads", required_argument, NULL, OPT_THREADS },
	{ "items", required_argument, NULL, OPT_ITEMS },
	{ "item-tags", required_argument, NULL, OPT_ITEM_TAGS },
	{ "tag-mode", required_argument, NULL, OPT_TAG_MODE },
	{ "tag-weight", required_argument, NULL, OPT_TAG_WEIGHT },
	{ "eval", required_argument, NULL, OPT_EVAL },
	{ "eval-every", required_argument, NULL, OPT_EVAL_EVERY },
	{ "valid", required_argument, NULL, OPT_VALID },
	{ "patience", required_argument, NULL, OPT_PATIENCE },
	{ "log", required_argument, NULL, OPT_LOG },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, OPT_VERSION },
	{ NULL, 0, NULL, 0 },
};

struct settings {
	const char *train, *output, *items, *item_tags, *eval, *valid, *log;
	int quiet;
	int tags_shaped;	/* --tag-mode or --tag-weight given */
	struct als_config als;
};

/* mean, sum or off: padded-mean is the notebook's, for its own trainer. */
static enum tag_mode
parse_tag_mode(const char *arg)
{
	int mode = names_find(&tag_mode_names, arg);

	if (mode != TAGS_MEAN && mode != TAGS_SUM && mode != TAGS_OFF)
		cli_usage_error("--tag-mode: '%s' is not mean, sum or off", arg);
	return (enum tag_mode)mode;
}

static void
parse_options(int argc, char **argv, struct settings *s)
{
	int c;

	while ((c = getopt_long(argc, argv, "o:qh", longopts, NULL)) != -1) {
		switch (c) {
		case 'o': s->output = optarg; break;
		case 'q': s->quiet = 1; break;
		case OPT_TRAIN: s->train = optarg; break;
		case OPT_DIM: s->als.dim = (uint32_t)cli_int("--dim", optarg, 1, MODEL_MAX_DIM); break;
		case OPT_ALPHA0: s->als.alpha0 = cli_double("--alpha0", optarg, 0, 1e6); break;
		case OPT_LAMBDA: s->als.lambda = cli_double("--lambda", optarg, 0, 1e6); break;
		case OPT_SWEEPS: s->als.sweeps = (uint32_t)cli_int("--sweeps", optarg, 0, 100000); break;
		case OPT_CG: s->als.cg_steps = (uint32_t)cli_int("--cg-steps", optarg, 0, 1000); break;
		case OPT_SEED: s->als.seed = cli_u64("--seed", optarg); break;
		case OPT_THREADS: s->als.threads = (int)cli_int("--threads", optarg, 1, 64); break;
		case OPT_ITEMS: s->items = optarg; break;
		case OPT_ITEM_TAGS: s->item_tags = optarg; break;
		case OPT_TAG_MODE:
			s->als.tag_mode = parse_tag_mode(optarg);
			s->tags_shaped = 1;
			break;
		case OPT_TAG_WEIGHT:
			s->als.tag_weight = (float)cli_double("--tag-weight", optarg, 1e-6, 1e6);
			s->tags_shaped = 1;
			break;
		case OPT_EVAL: s->eval = optarg; break;
		case OPT_EVAL_EVERY:
			s->als.eval_every = (uint32_t)cli_int("--eval-every", optarg, 1, 100000);
			break;
		case OPT_VALID: s->valid = optarg; break;
		case OPT_PATIENCE:
			s->als.patience = (uint32_t)cli_int("--patience", optarg, 1, 100000);
			break;
		case OPT_LOG: s->log = optarg; break;
		case 'h': cli_help_usage(usage, help_text);
		case OPT_VERSION: cli_version();
		default: cli_bad_option();
		}
	}
}

struct report {
	int quiet;
	struct fit_log log;
	int logging;
};

static void
on_event(void *ctx, const struct fit_event *ev)
{
	struct report *r = ctx;

	if (r->logging)
		fit_log_event(&r->log, ev);
	if (r->quiet)
		return;
	cli_progress_pause();
	if (ev->kind == FIT_EPOCH)
		fprintf(stderr, "als-train: sweep %u/%u: loss %.6f, %.2f s\n", ev->epoch, ev->epochs,
		    ev->loss, ev->seconds);
	else if (ev->kind == FIT_EVAL && ev->has_test)
		fprintf(stderr, "als-train: sweep %u: clean auc %.6f, notebook auc %.6f%s\n", ev->epoch,
		    ev->clean.auc, ev->notebook.auc, ev->has_valid ? "" : "");
	if (ev->kind == FIT_EVAL && ev->has_valid)
		fprintf(stderr, "als-train: sweep %u: valid auc %.6f\n", ev->epoch, ev->valid.auc);
	if (ev->kind == FIT_STOP)
		fprintf(stderr, "als-train: no better validation AUC for a while: stopped at sweep %u, "
		    "kept sweep %u\n", ev->epoch, ev->best_epoch);
	cli_progress_resume();
}

/* The universe beyond train's items: --items' and the catalogue's. */
static struct id_list
universe_extra(const struct settings *s)
{
	struct id_list given = cli_read_ids(s->items), all = { NULL, 0 };
	const uint32_t *cat = NULL;
	size_t ncat = 0;
	uint32_t *ids;

	if (s->als.tags != NULL)
		cat = model_catalogue_items(s->als.tags, &ncat);
	if ((ids = malloc((given.n + ncat + 1) * sizeof(*ids))) == NULL)
		cli_fatal(BPR_EXIT_DATA, "out of memory");
	if (given.n > 0)
		memcpy(ids, given.ids, given.n * sizeof(*ids));
	if (ncat > 0)
		memcpy(ids + given.n, cat, ncat * sizeof(*ids));
	free((void *)given.ids);
	all.ids = ids;
	all.n = given.n + ncat;
	return all;
}

static struct positives *
load_train(const struct settings *s)
{
	struct bpr_input *in = cli_open_input(s->train, NULL);
	struct positives *p = calloc(1, sizeof(*p));
	struct id_list extra = universe_extra(s);
	struct bpr_err e;

	if (p == NULL)
		cli_fatal(BPR_EXIT_DATA, "out of memory");
	if (positives_read_seen(p, in, &extra, NULL, &e) < 0)
		cli_die(&e);
	input_close(in);
	free((void *)extra.ids);
	cli_warn_ratings(p, s->train);
	return p;
}

/* The catalogue of item tags, in a model that only holds it. */
static struct bpr_model *
load_tags(const char *path)
{
	struct bpr_input *in = cli_open_input(path, NULL);
	struct bpr_model *cat;
	struct bpr_err e;
	uint32_t crc;

	if ((cat = model_new(1, 0, TAGS_MEAN, 0, 1, 0, &e)) == NULL ||
	    model_read_catalogue(cat, in, &crc, &e) < 0)
		cli_die(&e);
	input_close(in);
	return cat;
}

static void
describe(struct bpr_model *m, const struct settings *s)
{
	char text[512];
	struct model_shape shape;
	struct bpr_err e;

	model_get_shape(m, &shape);
	snprintf(text, sizeof(text), "trainer=als\nitem_dim=%u\ntag_dim=%u\ntag_mode=%s\nbias=0\n"
	    "init_scale=%g\nalpha0=%g\nlambda=%g\nsweeps=%u\ncg_steps=%u\nseed=%llu\n",
	    shape.item_dim, shape.tag_dim, names_get(&tag_mode_names, (int)shape.tag_mode),
	    (double)s->als.init_scale, s->als.alpha0, s->als.lambda, s->als.sweeps, s->als.cg_steps,
	    (unsigned long long)s->als.seed);
	if (model_set_meta(m, text, &e) < 0)
		cli_die(&e);
}

int
main(int argc, char **argv)
{
	/* the defaults: make sweep's choice (pipelines/sweep/sweep-als.md) */
	struct settings s = { .als = { .dim = 32, .alpha0 = 0.2, .lambda = 0.02, .sweeps = 16,
	    .seed = 1, .threads = 2, .eval_every = 1, .tag_mode = TAGS_MEAN,
	    .tag_weight = 0.5f } };
	struct report rep = { 0 };
	double started = monotonic_seconds();
	struct positives *train, *test, *valid;
	struct bpr_model *m;
	struct bpr_err e;

	cli_init("als-train", usage);
	parse_options(argc, argv, &s);
	if (optind != argc)
		cli_usage_error("unexpected argument '%s'", argv[optind]);
	if (s.train == NULL || s.output == NULL)
		cli_usage_error(s.train == NULL ? "no positives given (--train file)" :
		    "no model to write (-o model)");
	if (s.tags_shaped && s.item_tags == NULL)
		cli_usage_error("--tag-mode and --tag-weight shape the tag part: they need --item-tags");
	if (s.als.patience > 0 && s.valid == NULL)
		cli_usage_error("--patience stops on the validation AUC: it needs --valid");
	cli_files_ready((const struct run_file[]){
	    { "--train", s.train, FILE_INPUT }, { "--items", s.items, FILE_INPUT },
	    { "--item-tags", s.item_tags, FILE_INPUT },
	    { "--eval", s.eval, FILE_INPUT }, { "--valid", s.valid, FILE_INPUT },
	    { "-o", s.output, FILE_OUTPUT }, { "--log", s.log, FILE_OUTPUT } }, 7);
	cli_progress_begin(s.quiet);
	/* as Rendle et al. 2022: about 0.1 / sqrt(dim) */
	s.als.init_scale = 0.1f / sqrtf((float)s.als.dim);
	rep.quiet = s.quiet;
	if (s.log != NULL) {
		if (fit_log_open(&rep.log, s.log, started, &e) < 0)
			cli_die(&e);
		rep.logging = 1;
	}
	if (s.item_tags != NULL)
		s.als.tags = load_tags(s.item_tags);
	train = load_train(&s);
	test = cli_load_positives(s.eval);
	valid = cli_load_positives(s.valid);
	if ((m = als_fit(train, test, valid, &s.als, on_event, &rep, &e)) == NULL)
		cli_die(&e);
	describe(m, &s);
	if (model_save(m, s.output, &e) < 0 || (rep.logging && fit_log_commit(&rep.log, &e) < 0))
		cli_die(&e);
	model_free(m);
	positives_free(train);
	free(train);
	cli_free_positives(test);
	cli_free_positives(valid);
	model_free((struct bpr_model *)s.als.tags);
	return BPR_EXIT_OK;
}
