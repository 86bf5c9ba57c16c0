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
#include "eval/score_file.h"
#include "model/model.h"

static const char usage[] =
    "usage: auc [-m model | --scores file] [--exclude file] [--items file]\n"
    "           [--compat notebook] [-k K] [--threads N] [--per-user file] test\n";

static const char help_text[] =
    "\n"
    "Measure how well a model ranks the test positives (user<TAB>item lines):\n"
    "for each test user, every candidate item is scored and ranked; AUC is the\n"
    "share of (positive, negative) pairs ranked right, ties counting 1/2,\n"
    "averaged over users. Prints a # line with the protocol, then one\n"
    "metric<TAB>value line per metric.\n"
    "\n"
    "  -m, --model file       the model; candidates are its items\n"
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
    "  -h, --help             this help\n"
    "      --version          print the version\n";

enum { OPT_SCORES = 256, OPT_EXCLUDE, OPT_ITEMS, OPT_COMPAT, OPT_THREADS, OPT_PER_USER,
	OPT_VERSION };

static const struct option longopts[] = {
	{ "model", required_argument, NULL, 'm' },
	{ "scores", required_argument, NULL, OPT_SCORES },
	{ "exclude", required_argument, NULL, OPT_EXCLUDE },
	{ "items", required_argument, NULL, OPT_ITEMS },
	{ "compat", required_argument, NULL, OPT_COMPAT },
	{ "threads", required_argument, NULL, OPT_THREADS },
	{ "per-user", required_argument, NULL, OPT_PER_USER },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, OPT_VERSION },
	{ NULL, 0, NULL, 0 },
};

struct settings {
	const char *model, *scores, *exclude, *items, *per_user;
	int compat;
	struct eval_config eval;
};

static void
parse_options(int argc, char **argv, struct settings *s)
{
	int c;

	while ((c = getopt_long(argc, argv, "m:k:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'm':
			s->model = optarg;
			break;
		case OPT_SCORES:
			s->scores = optarg;
			break;
		case OPT_EXCLUDE:
			s->exclude = optarg;
			break;
		case OPT_ITEMS:
			s->items = optarg;
			break;
		case OPT_COMPAT:
			s->compat = cli_enum("--compat", optarg, &compat_names);
			break;
		case 'k':
			s->eval.k = (uint32_t)cli_int("-k", optarg, 1, 1000000);
			break;
		case OPT_THREADS:
			s->eval.threads = (int)cli_int("--threads", optarg, 1, 64);
			break;
		case OPT_PER_USER:
			s->per_user = optarg;
			break;
		case 'h':
			cli_help_usage(usage, help_text);
		case OPT_VERSION:
			cli_version();
		default:
			cli_bad_option();
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

	if (read_id_column(in, &ids, &n, &e) < 0)
		cli_die(&e);
	input_close(in);
	if (n == 0)
		cli_fatal(BPR_EXIT_DATA, "%s: no items", s->items);
	s->eval.ids = ids;
	s->eval.nids = sort_u32_distinct(ids, n);
}

static void
print_metrics(const struct eval_result *r, uint32_t k, const char *protocol)
{
	size_t i;

	printf("# %s\n", protocol);
	printf("auc\t%.6f\n", r->auc);
	if (k > 0) {
		for (i = 0; i < metric_count; i++) {
			printf("%s", metrics[i].name);
			if (metrics[i].at_k)
				printf("@%u", k);
			printf("\t%.6f\n", r->value[i]);
		}
	}
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
write_per_user(const char *path, const struct eval_result *r)
{
	struct bpr_output o;
	size_t i;

	cli_output_open(&o, path);
	for (i = 0; i < r->nusers; i++)
		if (!isnan(r->user_auc[i]))
			output_printf(&o, "%u\t%.6f\n", r->user_id[i], r->user_auc[i]);
	cli_output_commit(&o, 0);
}

static void
run_model(const struct settings *s, const struct positives *test, const struct positives *excl,
    struct eval_result *r)
{
	struct bpr_model *m;
	struct bpr_err e;

	if ((m = model_load(s->model, &e)) == NULL || evaluate(m, test, excl, &s->eval, r, &e) < 0)
		cli_die(&e);
	model_free(m);
}

static void
run_scores(const struct settings *s, const struct positives *test, const struct positives *excl,
    struct eval_result *r)
{
	struct bpr_input *in = cli_open_input(s->scores ? s->scores : "-", NULL);
	struct bpr_err e;

	if (evaluate_scores(in, test, excl, &s->eval, r, &e) < 0)
		cli_die(&e);
	input_close(in);
}

int
main(int argc, char **argv)
{
	struct settings s = { .eval = { .universe = UNIVERSE_MODEL, .threads = 2 } };
	struct positives *test, *excl = NULL;
	struct eval_result r;
	char protocol[512], what[1024];

	cli_init("auc", usage);
	parse_options(argc, argv, &s);
	argc -= optind;
	argv += optind;
	if (argc != 1)
		cli_usage_error(argc == 0 ? "no test file given" : "one test file only");
	if (s.model != NULL && s.scores != NULL)
		cli_usage_error("-m and --scores are two sources of scores: give one");
	if (s.model == NULL && (s.compat || s.items != NULL))
		cli_usage_error("%s chooses what a model ranks: it needs -m",
		    s.compat ? "--compat notebook" : "--items");
	cli_files_ready((const struct run_file[]){
	    { "-m", s.model, FILE_INPUT },
	    { "--scores", s.model == NULL && s.scores == NULL ? "-" : s.scores, FILE_INPUT },
	    { "--exclude", s.exclude, FILE_INPUT }, { "--items", s.items, FILE_INPUT },
	    { "the test file", argv[0], FILE_INPUT }, { "standard output", "-", FILE_OUTPUT },
	    { "--per-user", s.per_user, FILE_OUTPUT } }, 7);
	if (s.items != NULL)
		load_universe(&s);
	s.eval.universe = s.compat ? UNIVERSE_ALL_IDS : s.items ? UNIVERSE_LIST : UNIVERSE_MODEL;
	test = cli_load_positives(argv[0]);
	cli_warn_ratings(test, argv[0]);
	if (s.exclude != NULL) {
		excl = cli_load_positives(s.exclude);
		warn_common(test, excl, argv[0], s.exclude);
	}
	if (s.model != NULL)
		run_model(&s, test, excl, &r);
	else
		run_scores(&s, test, excl, &r);
	if (s.eval.k > r.candidates && s.model != NULL)
		cli_usage_error("-k %u is more than the %zu items ranked", s.eval.k, r.candidates);
	if (r.users == 0)
		cli_fatal(BPR_EXIT_DATA, "%s: no test user could be evaluated (are they in the %s?)",
		    argv[0], s.model != NULL ? "model" : "scores");
	eval_protocol(&r, &s.eval, excl != NULL, s.model == NULL, protocol, sizeof(protocol));
	snprintf(what, sizeof(what), "%s on %s; %s", s.model ? s.model : s.scores ? s.scores : "stdin",
	    argv[0], protocol);
	print_metrics(&r, s.eval.k, what);
	if (s.per_user != NULL)
		write_per_user(s.per_user, &r);
	eval_result_free(&r);
	cli_free_positives(test);
	cli_free_positives(excl);
	free((void *)s.eval.ids);
	if (fflush(stdout) != 0 || ferror(stdout))
		cli_fatal(BPR_EXIT_DATA, "stdout: write error");
	return BPR_EXIT_OK;
}
