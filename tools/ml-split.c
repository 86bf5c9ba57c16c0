/*
 * ml-split: MovieLens ratings in, train and test TSV out
 * (user<TAB>item<TAB>rating<TAB>timestamp), by the GroupLens schemes
 * (allbut, fold) and the usual random and temporal ones.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "data/ratings.h"
#include "data/split.h"
#include "io/parse.h"

static const char usage[] =
    "usage: ml-split [-q] [-f layout] [--scheme name] [--test-range A:B] [--fold K]\n"
    "                [--folds N] [--test-fraction F] [--test-count K] [--time-cut T]\n"
    "                [--seed N] [--min-rating R] [--rating-range A:B] [-o train]\n"
    "                [-t test] file ...\n";

static const char help_text[] =
    "\n"
    "Split MovieLens ratings (u.data, ratings.dat, ratings.csv; plain, .gz, or a\n"
    "GroupLens .zip) into train and test TSV: user, item, rating, timestamp.\n"
    "\n"
    "  -f, --format layout      tab (u.data), dat (ratings.dat), csv (ratings.csv);\n"
    "                           default: detected from the first line\n"
    "      --scheme name        allbut (default), fold, random, leave-out, temporal, none\n"
    "      --test-range A:B     allbut: each user's ratings A..B in input order go\n"
    "                           to test (default 1:10, GroupLens ua; 11:20 is ub);\n"
    "                           input in item order is taken in a random order\n"
    "      --fold K             fold: the K-th sequential slice is test (u1..u5)\n"
    "      --folds N            fold: number of slices (default 5)\n"
    "      --test-fraction F    random: exactly round(F * rows) rows go to test\n"
    "      --test-count K       leave-out: K random ratings per user go to test;\n"
    "                           temporal: each user's last K by timestamp (default 1)\n"
    "      --time-cut T         temporal: rows with timestamp >= T go to test\n"
    "      --seed N             seed of the random schemes (default 1)\n"
    "      --min-rating R       keep only rows rated >= R, after splitting\n"
    "      --rating-range A:B   valid ratings (default 0.5:5); others are errors\n"
    "  -o, --output file        train output (default: standard output)\n"
    "  -t, --test file          test output\n"
    "  -q, --quiet              no summary line on standard error\n"
    "  -h, --help               this help\n"
    "      --version            print the version\n"
    "\n"
    "Scheme none takes files already split: the first is train, a second is test.\n"
    "A (user, item) pair seen again keeps its first row; later ones are dropped.\n";

enum { OPT_SCHEME = 256, OPT_RANGE, OPT_FOLD, OPT_FOLDS, OPT_FRACTION, OPT_COUNT,
	OPT_TIMECUT, OPT_SEED, OPT_MINRATING, OPT_RATINGRANGE, OPT_VERSION };

static const struct option longopts[] = {
	{ "format", required_argument, NULL, 'f' },
	{ "scheme", required_argument, NULL, OPT_SCHEME },
	{ "test-range", required_argument, NULL, OPT_RANGE },
	{ "fold", required_argument, NULL, OPT_FOLD },
	{ "folds", required_argument, NULL, OPT_FOLDS },
	{ "test-fraction", required_argument, NULL, OPT_FRACTION },
	{ "test-count", required_argument, NULL, OPT_COUNT },
	{ "time-cut", required_argument, NULL, OPT_TIMECUT },
	{ "seed", required_argument, NULL, OPT_SEED },
	{ "min-rating", required_argument, NULL, OPT_MINRATING },
	{ "rating-range", required_argument, NULL, OPT_RATINGRANGE },
	{ "output", required_argument, NULL, 'o' },
	{ "test", required_argument, NULL, 't' },
	{ "quiet", no_argument, NULL, 'q' },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, OPT_VERSION },
	{ NULL, 0, NULL, 0 },
};

/* Members of a GroupLens archive that hold ratings, most likely first. */
static const char *const ratings_members[] = { "u.data", "ratings.dat", "ratings.csv", NULL };

struct settings {
	struct split_options split;
	enum ratings_layout layout;
	double min_valid, max_valid;
	const char *train_path, *test_path;
	int quiet;
	/* Which scheme-specific options were given, to catch mismatches. */
	const char *given_for[8];
};

static void
note_given(struct settings *s, enum split_scheme scheme, const char *opt)
{
	s->given_for[scheme] = opt;
}

static void
check_scheme_options(const struct settings *s)
{
	int sch;

	for (sch = 0; sch < 8; sch++) {
		if (s->given_for[sch] == NULL || sch == (int)s->split.scheme)
			continue;
		if (sch == SPLIT_LEAVE_OUT && s->split.scheme == SPLIT_TEMPORAL)
			continue;	/* --test-count serves both */
		cli_usage_error("%s does not apply to --scheme %s",
		    s->given_for[sch], names_get(&split_scheme_names, s->split.scheme));
	}
	if (s->split.scheme == SPLIT_FOLD && s->split.fold == 0)
		cli_usage_error("--scheme fold needs --fold K");
	if (s->split.scheme == SPLIT_FOLD && s->split.fold > s->split.folds)
		cli_usage_error("--fold %u is beyond --folds %u", s->split.fold, s->split.folds);
	if (s->split.use_time_cut && s->given_for[SPLIT_LEAVE_OUT] != NULL)
		cli_usage_error("--time-cut and --test-count are two different temporal splits: give one");
	if (s->split.scheme == SPLIT_RANDOM && s->split.fraction < 0)
		cli_usage_error("--scheme random needs --test-fraction F");
}

static void
parse_options(int argc, char **argv, struct settings *s)
{
	double lo, hi;
	int c;

	while ((c = getopt_long(argc, argv, "f:o:t:qh", longopts, NULL)) != -1) {
		switch (c) {
		case 'f':
			s->layout = (enum ratings_layout)cli_enum("-f", optarg, &ratings_layout_names);
			break;
		case OPT_SCHEME:
			s->split.scheme = (enum split_scheme)cli_enum("--scheme", optarg, &split_scheme_names);
			break;
		case OPT_RANGE:
			cli_range("--test-range", optarg, 1, 4294967295.0, 1, &lo, &hi);
			s->split.range_lo = (uint32_t)lo;
			s->split.range_hi = (uint32_t)hi;
			note_given(s, SPLIT_ALLBUT, "--test-range");
			break;
		case OPT_FOLD:
			s->split.fold = (unsigned)cli_int("--fold", optarg, 1, 1000000);
			note_given(s, SPLIT_FOLD, "--fold");
			break;
		case OPT_FOLDS:
			s->split.folds = (unsigned)cli_int("--folds", optarg, 2, 1000000);
			note_given(s, SPLIT_FOLD, "--folds");
			break;
		case OPT_FRACTION:
			s->split.fraction = cli_double("--test-fraction", optarg, 0, 1);
			note_given(s, SPLIT_RANDOM, "--test-fraction");
			break;
		case OPT_COUNT:
			s->split.count = (uint32_t)cli_int("--test-count", optarg, 1, 4294967295LL);
			note_given(s, SPLIT_LEAVE_OUT, "--test-count");
			break;
		case OPT_TIMECUT:
			s->split.time_cut = cli_int("--time-cut", optarg, INT64_MIN + 1, INT64_MAX);
			s->split.use_time_cut = 1;
			note_given(s, SPLIT_TEMPORAL, "--time-cut");
			break;
		case OPT_SEED:
			s->split.seed = cli_u64("--seed", optarg);
			break;
		case OPT_MINRATING:
			s->split.min_rating = cli_double("--min-rating", optarg, -1e300, 1e300);
			break;
		case OPT_RATINGRANGE:
			cli_range("--rating-range", optarg, -1e300, 1e300, 0, &s->min_valid, &s->max_valid);
			break;
		case 'o':
			s->train_path = optarg;
			break;
		case 't':
			s->test_path = optarg;
			break;
		case 'q':
			s->quiet = 1;
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

static void
read_file(const char *path, const struct settings *s, struct rating_table *t,
    enum ratings_layout *seen)
{
	struct ratings_reader r;
	struct rating_row row;
	struct bpr_input *in = cli_open_input(path, ratings_members);
	struct bpr_err e;
	int rc;

	struct stat st;

	if (ratings_open(&r, in, s->layout, s->min_valid, s->max_valid, &e) < 0)
		cli_die(&e);
	/*
	 * Reserve rows for a plain file once (MovieLens rows take 16 bytes or
	 * more) instead of growing the table by copying; if it is more than
	 * needed, untouched pages cost nothing.
	 */
	if (stat(path, &st) == 0 && S_ISREG(st.st_mode) &&
	    ratings_table_reserve(t, t->n + (size_t)st.st_size / 16, &e) < 0)
		cli_die(&e);
	*seen = r.layout;
	while ((rc = ratings_next(&r, &row, &e)) > 0)
		if (ratings_table_push(t, &row, &e) < 0)
			cli_die(&e);
	if (rc < 0)
		cli_die(&e);
	ratings_close(&r);
	input_close(in);
}

static void
write_row(struct bpr_output *o, const struct rating_table *t, size_t i)
{
	char line[128];
	size_t n;

	n = (size_t)format_u64(line, t->user[i]);
	line[n++] = '\t';
	n += (size_t)format_u64(line + n, t->item[i]);
	line[n++] = '\t';
	n += (size_t)format_double(line + n, t->rating[i]);
	line[n++] = '\t';
	n += (size_t)format_i64(line + n, t->timestamp[i]);
	line[n++] = '\n';
	output_write(o, line, n);
}

static void
write_outputs(const struct settings *s, const struct rating_table *t, const uint8_t *dest)
{
	struct bpr_output train, test;
	size_t i;

	cli_output_open(&train, s->train_path);
	if (s->test_path != NULL)
		cli_output_open(&test, s->test_path);
	for (i = 0; i < t->n; i++) {
		if (dest[i] == ROW_TRAIN)
			write_row(&train, t, i);
		else if (dest[i] == ROW_TEST)
			write_row(&test, t, i);
	}
	cli_output_commit(&train, 0);
	if (s->test_path != NULL)
		cli_output_commit(&test, 0);
}

static void
print_summary(const char *first, enum ratings_layout layout, const struct split_stats *st)
{
	fprintf(stderr, "ml-split: %s (%s): %zu rows, %zu users, %zu items; train %zu, test %zu; "
	    "dropped %zu (%zu duplicate, %zu below --min-rating)\n",
	    first, names_get(&ratings_layout_names, layout), st->rows, st->users, st->items, st->train,
	    st->test, st->duplicates + st->below_min, st->duplicates, st->below_min);
}

/* The ratings files, then the two outputs. */
static void
check_files(const struct settings *s, int argc, char **argv)
{
	struct run_file *f = calloc((size_t)argc + 2, sizeof(*f));
	int i;

	if (f == NULL)
		cli_fatal(BPR_EXIT_DATA, "out of memory");
	for (i = 0; i < argc; i++)
		f[i] = (struct run_file){ "the ratings file", argv[i], FILE_INPUT };
	f[argc] = (struct run_file){ "-o", s->train_path, FILE_OUTPUT };
	f[argc + 1] = (struct run_file){ "-t", s->test_path, FILE_OUTPUT };
	cli_files_ready(f, (size_t)argc + 2);
	free(f);
}

int
main(int argc, char **argv)
{
	struct settings s = {
		.split = { .scheme = SPLIT_ALLBUT, .range_lo = 1, .range_hi = 10, .folds = 5,
		    .fraction = -1, .count = 1, .seed = 1, .min_rating = -1e300 },
		.layout = LAYOUT_AUTO, .min_valid = 0.5, .max_valid = 5, .train_path = "-",
	};
	struct rating_table t = { 0 };
	struct split_stats stats;
	enum ratings_layout layout = LAYOUT_AUTO;
	struct bpr_err e;
	uint8_t *dest;
	size_t first_file_rows = 0;
	int i;

	cli_init("ml-split", usage);
	parse_options(argc, argv, &s);
	argc -= optind;
	argv += optind;
	check_scheme_options(&s);
	if (argc == 0)
		cli_usage_error("no ratings file given");
	if (s.split.scheme == SPLIT_NONE && argc > 2)
		cli_usage_error("--scheme none takes one or two files (train, then test)");
	if (s.test_path == NULL && !(s.split.scheme == SPLIT_NONE && argc == 1))
		cli_usage_error("no test output given (-t file)");
	check_files(&s, argc, argv);
	cli_progress_begin(s.quiet);
	for (i = 0; i < argc; i++) {
		read_file(argv[i], &s, &t, &layout);
		if (i == 0)
			first_file_rows = t.n;
	}
	if (t.n == 0)
		cli_fatal(BPR_EXIT_DATA, "%s: no ratings in the input", argv[0]);
	if ((dest = calloc(t.n, 1)) == NULL)
		cli_fatal(BPR_EXIT_DATA, "out of memory");
	if (s.split.scheme == SPLIT_NONE)
		memset(dest + first_file_rows, ROW_TEST, t.n - first_file_rows);
	if (split_rows(&t, &s.split, dest, &stats, &e) < 0)
		cli_die(&e);
	/* empty outputs here are a mistaken threshold, not a split to pass on */
	if (stats.train + stats.test == 0 && stats.below_min > 0)
		cli_fatal(BPR_EXIT_DATA, "%s: every rating is below --min-rating %g: nothing to split",
		    argv[0], s.split.min_rating);
	write_outputs(&s, &t, dest);
	cli_progress_end();
	if (!s.quiet)
		print_summary(argv[0], layout, &stats);
	if (stats.allbut_shuffled)
		cli_warn("%s: each user's ratings come in item order, so allbut took ratings %u..%u "
		    "of each user's ratings in a random order (--seed %llu), not the %u lowest item "
		    "ids", argv[0], s.split.range_lo, s.split.range_hi,
		    (unsigned long long)s.split.seed, s.split.range_hi - s.split.range_lo + 1);
	free(dest);
	ratings_table_free(&t);
	return BPR_EXIT_OK;
}
