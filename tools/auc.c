/*
 * auc: how well a model (or any scores) ranks held-out positives: the mean
 * per-user AUC, and with -k the top-k metrics, each printed under its
 * protocol.
 */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "data/positives.h"
#include "data/sort.h"
#include "eval/eval.h"
#include "eval/partial.h"
#include "eval/score_file.h"
#include "eval/shard.h"
#include "io/parse.h"
#include "model/model.h"

static const char usage[] =
    "usage: auc [-m model ... [--blend weights] | --scores file] [--exclude file]\n"
    "           [--items file] [--compat notebook] [-k K] [--threads N]\n"
    "           [--per-user file] [--shard I/N] test\n"
    "       auc --merge [--per-user file] partial ...\n";

static const char help_text[] =
    "\n"
    "Measure how well a model ranks the test positives (user<TAB>item lines):\n"
    "for each test user, every candidate item is scored and ranked; AUC is the\n"
    "share of (positive, negative) pairs ranked right, ties counting 1/2,\n"
    "averaged over users. Prints a # line with the protocol, then one\n"
    "metric<TAB>value line per metric.\n"
    "\n"
    "  -m, --model file       the model; candidates are its items. Given more than\n"
    "                         once: rank by the mean of each model's ranks\n"
    "      --blend w1,w2,...  weights of the models' ranks (default equal)\n"
    "      --scores file      instead of a model, user<TAB>item<TAB>score lines\n"
    "                         (- or no -m: standard input); a user's candidates\n"
    "                         are the items scored for them\n"
    "      --exclude file     leave each user's positives in file (train) out of\n"
    "                         the ranking; without it they count as negatives\n"
    "      --items file       rank these items (the first column of a TSV, such\n"
    "                         as ml-genres' titles) instead of the model's; one\n"
    "                         without a row in the model is scored by its tags\n"
    "      --compat notebook  rank every id 0..max, as the notebook did\n"
    "  -k K                   also precision, recall, NDCG and MAP at K, and MRR\n"
    "      --threads N        threads (default 2)\n"
    "      --per-user file    write user<TAB>auc for every evaluated user\n"
    "      --shard I/N        evaluate only shard I of N of the test users (by a\n"
    "                         hash of the id) and write a partial result for\n"
    "                         --merge instead of the metric lines\n"
    "      --merge            add up the partials of every shard: the same lines,\n"
    "                         digit for digit, as one run without --shard\n"
    "  -h, --help             this help\n"
    "      --version          print the version\n";

enum { OPT_BLEND = 255, OPT_SCORES = 256, OPT_EXCLUDE, OPT_ITEMS, OPT_COMPAT, OPT_THREADS, OPT_PER_USER,
	OPT_SHARD, OPT_MERGE, OPT_VERSION };

static const struct option longopts[] = {
	{ "model", required_argument, NULL, 'm' },
	{ "blend", required_argument, NULL, OPT_BLEND },
	{ "scores", required_argument, NULL, OPT_SCORES },
	{ "exclude", required_argument, NULL, OPT_EXCLUDE },
	{ "items", required_argument, NULL, OPT_ITEMS },
	{ "compat", required_argument, NULL, OPT_COMPAT },
	{ "threads", required_argument, NULL, OPT_THREADS },
	{ "per-user", required_argument, NULL, OPT_PER_USER },
	{ "shard", required_argument, NULL, OPT_SHARD },
	{ "merge", no_argument, NULL, OPT_MERGE },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, OPT_VERSION },
	{ NULL, 0, NULL, 0 },
};

struct settings {
	const char *model, *scores, *exclude, *items, *per_user, *weights;
	const char *models[BLEND_MAX];
	size_t nmodels;
	char source[4096];
	int compat, merge, k_given;
	struct eval_config eval;
	struct partial_input items_id;	/* --items' CRC and size */
};

static void
parse_options(int argc, char **argv, struct settings *s)
{
	int c;

	while ((c = getopt_long(argc, argv, "m:k:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'm': cli_add_model(s->models, &s->nmodels, optarg); s->model = s->models[0]; break;
		case OPT_BLEND: s->weights = optarg; break;
		case OPT_SCORES: s->scores = optarg; break;
		case OPT_EXCLUDE: s->exclude = optarg; break;
		case OPT_ITEMS: s->items = optarg; break;
		case OPT_COMPAT: s->compat = cli_enum("--compat", optarg, &compat_names); break;
		case 'k':
			s->eval.k = (uint32_t)cli_int("-k", optarg, 1, 1000000);
			s->k_given = 1;
			break;
		case OPT_THREADS: s->eval.threads = (int)cli_int("--threads", optarg, 1, 64); break;
		case OPT_PER_USER: s->per_user = optarg; break;
		case OPT_SHARD: s->eval.shard = cli_shard("--shard", optarg); break;
		case OPT_MERGE: s->merge = 1; break;
		case 'h': cli_help_usage(usage, help_text);
		case OPT_VERSION: cli_version();
		default: cli_bad_option();
		}
	}
}

/* The candidate items: the list of --items, ascending and distinct. */
static void
load_universe(struct settings *s)
{
	struct bpr_input *in = cli_open_input(s->items, NULL);
	uint32_t *ids;
	size_t n;
	struct bpr_err e;

	input_track_crc(in);
	if (read_id_column(in, &ids, &n, &e) < 0)
		cli_die(&e);
	s->items_id = (struct partial_input){ "items", input_crc(in), input_bytes(in) };
	input_close(in);
	if (n == 0)
		cli_fatal(BPR_EXIT_DATA, "%s: no items", s->items);
	s->eval.ids = ids;
	s->eval.nids = sort_u32_distinct(ids, n);
}

/*
 * Test pairs that are also in the exclude set stay test positives; a
 * clean split has none, so any is worth a word.
 */
static void
warn_common(const struct positives *test, const struct positives *excl, const char *test_path,
    const char *excl_path)
{
	size_t n = positives_common(test, excl);

	if (n > 0)
		cli_warn("%zu of the %zu pairs of %s are also in %s (they stay test positives): "
		    "is that this test set's training set?", n, test->npairs, test_path, excl_path);
}

static void
write_per_user(const char *path, const struct partial *p)
{
	struct bpr_output o;

	cli_output_open(&o, path);
	partial_print_per_user(&o, p);
	cli_output_commit(&o, 0);
}

static void
run_model(const struct settings *s, struct bpr_model *m, const struct positives *test,
    const struct positives *excl, struct partial *p)
{
	struct bpr_err e;
	uint32_t crc;
	uint64_t bytes;

	if (evaluate(m, test, excl, &s->eval, &p->result, &e) < 0)
		cli_die(&e);
	model_file_id(m, &crc, &bytes);
	partial_add_input(p, "model", crc, bytes);
	model_free(m);
}

static void
run_scores(const struct settings *s, const struct positives *test, const struct positives *excl,
    struct partial *p)
{
	struct bpr_input *in = cli_open_input(s->scores ? s->scores : "-", NULL);
	struct bpr_err e;

	input_track_crc(in);
	if (evaluate_scores(in, test, excl, &s->eval, &p->result, &e) < 0)
		cli_die(&e);
	partial_add_input(p, "scores", input_crc(in), input_bytes(in));
	input_close(in);
}

/* Several models: the rank blend over their candidates. */
static void
run_blend(struct settings *s, const struct positives *test, const struct positives *excl,
    struct partial *p)
{
	const struct bpr_model *m[BLEND_MAX];
	double w[BLEND_MAX];
	struct blend b;
	struct bpr_err e;
	size_t n;

	if (s->weights != NULL && option_doubles("--blend", s->weights, 0, 1e9, w, BLEND_MAX, &n, &e) < 0)
		cli_usage_die(&e);
	if (s->weights != NULL && n != s->nmodels)
		cli_usage_error("--blend %s: %zu weights for %zu models", s->weights, n, s->nmodels);
	m[0] = cli_load_model(s->models[0]);
	cli_open_blend(&b, m, s->models, s->nmodels, s->weights ? w : NULL, s->compat, s->eval.ids,
	    s->eval.nids, test->max_item_id);
	if (evaluate_blend(&b, test, excl, &s->eval, &p->result, &e) < 0)
		cli_die(&e);
	s->eval.universe = UNIVERSE_LIST;	/* the blend's candidates */
	partial_add_blend(p, &b);
	blend_describe(&b, s->models, s->weights != NULL, s->source, sizeof(s->source));
	cli_close_blend(&b, m, s->nmodels);
	model_free((struct bpr_model *)m[0]);
}

/* The metric lines under their # line, and the --per-user file. */
static void
report(const struct partial *p, const char *per_user)
{
	struct bpr_output o;

	if (p->result.users == 0)
		cli_fatal(BPR_EXIT_DATA, "%s: no test user could be evaluated (are they in the %s?)",
		    p->test_name, p->from_scores ? "scores" : "model");
	cli_output_open(&o, "-");
	partial_print(&o, p);
	cli_output_commit(&o, 0);
	if (per_user != NULL)
		write_per_user(per_user, p);
}

static void
write_partial(const struct partial *p)
{
	struct bpr_output o;
	struct bpr_err e;

	cli_output_open(&o, "-");
	if (partial_write(&o, p, &e) < 0)
		cli_usage_die(&e);
	cli_output_commit(&o, 0);
}

/* auc --merge: the partials of every shard, added up. */
static int
run_merge(const struct settings *s, int argc, char **argv)
{
	struct partial *parts = calloc((size_t)argc, sizeof(*parts)), merged;
	struct run_file *f = calloc((size_t)argc + 2, sizeof(*f));
	struct bpr_input *in;
	struct bpr_err e;
	int i;

	if (s->model || s->scores || s->exclude || s->items || s->compat || s->k_given ||
	    s->eval.shard.count > 0)
		cli_usage_error("--merge takes its settings from the partials: give only them "
		    "(and --per-user)");
	if (argc == 0)
		cli_usage_error("no partial given to --merge");
	if (parts == NULL || f == NULL)
		cli_fatal(BPR_EXIT_DATA, "out of memory");
	for (i = 0; i < argc; i++)
		f[i] = (struct run_file){ "a partial", argv[i], FILE_INPUT };
	f[argc] = (struct run_file){ "standard output", "-", FILE_OUTPUT };
	f[argc + 1] = (struct run_file){ "--per-user", s->per_user, FILE_OUTPUT };
	cli_files_ready(f, (size_t)argc + 2);
	for (i = 0; i < argc; i++) {
		in = cli_open_input(argv[i], NULL);
		if (partial_read(in, &parts[i], &e) < 0)
			cli_die(&e);
		input_close(in);
	}
	if (partial_merge(parts, (size_t)argc, (const char *const *)argv, &merged, &e) < 0)
		cli_die(&e);
	report(&merged, s->per_user);
	for (i = 0; i < argc; i++)
		partial_free(&parts[i]);
	partial_free(&merged);
	free(parts);
	free(f);
	return BPR_EXIT_OK;
}

static void
check_settings(const struct settings *s, int argc)
{
	if (argc != 1)
		cli_usage_error(argc == 0 ? "no test file given" : "one test file only");
	if (s->model != NULL && s->scores != NULL)
		cli_usage_error("-m and --scores are two sources of scores: give one");
	if (s->weights != NULL && s->nmodels < 2)
		cli_usage_error("--blend weighs the ranks of several models (-m given more than once)");
	if (s->model == NULL && (s->compat || s->items != NULL))
		cli_usage_error("%s chooses what a model ranks: it needs -m",
		    s->compat ? "--compat notebook" : "--items");
}

/* Every file the run names, before any is read. */
static void
check_files(const struct settings *s, const char *test)
{
	struct run_file f[6 + BLEND_MAX] = {
		{ "--scores", s->model == NULL && s->scores == NULL ? "-" : s->scores, FILE_INPUT },
		{ "--exclude", s->exclude, FILE_INPUT }, { "--items", s->items, FILE_INPUT },
		{ "the test file", test, FILE_INPUT }, { "standard output", "-", FILE_OUTPUT },
		{ "--per-user", s->per_user, FILE_OUTPUT } };
	size_t n = 6, k;

	for (k = 0; k < s->nmodels; k++)
		f[n++] = (struct run_file){ "-m", s->models[k], FILE_INPUT };
	cli_files_ready(f, n);
}

int
main(int argc, char **argv)
{
	struct settings s = { .eval = { .universe = UNIVERSE_MODEL, .threads = 2 } };
	struct positives *test, *excl;
	struct positives_behind loading;
	struct bpr_model *m;
	struct partial p = { 0 };

	cli_init("auc", usage);
	parse_options(argc, argv, &s);
	argc -= optind;
	argv += optind;
	if (s.merge)
		return run_merge(&s, argc, argv);
	check_settings(&s, argc);
	check_files(&s, argv[0]);
	cli_progress_begin(0);
	if (s.items != NULL)
		load_universe(&s);
	s.eval.universe = s.compat ? UNIVERSE_ALL_IDS : s.items ? UNIVERSE_LIST : UNIVERSE_MODEL;
	cli_load_behind(&loading, s.exclude);	/* the largest input, read meanwhile */
	test = cli_load_positives(argv[0]);
	cli_warn_ratings(test, argv[0]);
	m = s.nmodels <= 1 && s.model != NULL ? cli_load_model(s.model) : NULL;
	if ((excl = cli_loaded(&loading)) != NULL)
		warn_common(test, excl, argv[0], s.exclude);
	if (s.nmodels > 1)
		run_blend(&s, test, excl, &p);
	else if (m != NULL)
		run_model(&s, m, test, excl, &p);
	else
		run_scores(&s, test, excl, &p);
	if (s.eval.k > p.result.candidates && s.model != NULL)
		cli_usage_error("-k %u is more than the %zu items ranked", s.eval.k, p.result.candidates);
	p.shard = s.eval.shard;
	p.source = (char *)(s.nmodels > 1 ? s.source : s.model ? s.model : s.scores ? s.scores :
	    "stdin");
	p.test_name = argv[0];
	partial_add_input(&p, "test", test->crc, test->bytes);
	if (excl != NULL)
		partial_add_input(&p, "exclude", excl->crc, excl->bytes);
	if (s.items != NULL)
		p.input[p.ninputs++] = s.items_id;
	p.config = s.eval;
	p.excluded = excl != NULL;
	p.from_scores = s.model == NULL;
	cli_progress_end();
	if (s.eval.shard.count > 0) {
		write_partial(&p);
		if (s.per_user != NULL)
			write_per_user(s.per_user, &p);
	} else {
		report(&p, s.per_user);
	}
	eval_result_free(&p.result);
	cli_free_positives(test);
	cli_free_positives(excl);
	free((void *)s.eval.ids);
	return BPR_EXIT_OK;
}
