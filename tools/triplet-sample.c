/*
 * triplet-sample: positives in, epochs of (user, positive, negative)
 * triplets out, as a binary stream (default) or TSV.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "io/progress.h"
#include "io/text.h"
#include "sample/source.h"
#include "sample/triplets.h"

static const char usage[] =
    "usage: triplet-sample [-q] [--epochs N] [--seed N] [--neg mode] [--items file]\n"
    "                      [--seen file] [--seen-rate X] [--tsv] [-o file] file\n";

static const char help_text[] =
    "\n"
    "Read positive interactions (user<TAB>item[<TAB>...], such as ml-split's\n"
    "output) and write epochs of (user, positive, negative) triplets: each epoch\n"
    "holds every distinct positive once, in a fresh random order, each with a\n"
    "freshly drawn negative.\n"
    "\n"
    "      --epochs N     epochs to write (default 1)\n"
    "      --seed N       random seed (default 1); the same seed gives the same bytes\n"
    "      --neg mode     how negatives are drawn (default unseen):\n"
    "                       uniform    any id 0..max item id, as the notebook\n"
    "                                  does: may be a positive, or an unused id\n"
    "                       unseen     an item the user has no positive for\n"
    "                       pop[:A]    an item with probability proportional to\n"
    "                                  its positives^A (default A 1)\n"
    "      --items file   more items for the universe: the first column of a TSV,\n"
    "                     such as ml-genres' pairs or titles\n"
    "      --seen file    the users' other interactions (user<TAB>item[<TAB>...]),\n"
    "                     such as every train rating: each that is not a\n"
    "                     positive is also trained as one, in a share of the\n"
    "                     epochs, against a negative the user has not seen\n"
    "      --seen-rate X  that share: each seen item's chance to be in an\n"
    "                     epoch (default 0.3)\n"
    "      --tsv          write TSV (user<TAB>pos<TAB>neg) instead of binary\n"
    "  -o, --output file  output (default: standard output)\n"
    "  -q, --quiet        no summary line on standard error\n"
    "  -h, --help         this help\n"
    "      --version      print the version\n";

enum { OPT_EPOCHS = 256, OPT_SEED, OPT_NEG, OPT_ITEMS, OPT_SEEN, OPT_SEEN_RATE, OPT_TSV, OPT_VERSION };

static const struct option longopts[] = {
	{ "epochs", required_argument, NULL, OPT_EPOCHS },
	{ "seed", required_argument, NULL, OPT_SEED },
	{ "neg", required_argument, NULL, OPT_NEG },
	{ "items", required_argument, NULL, OPT_ITEMS },
	{ "seen", required_argument, NULL, OPT_SEEN },
	{ "seen-rate", required_argument, NULL, OPT_SEEN_RATE },
	{ "tsv", no_argument, NULL, OPT_TSV },
	{ "output", required_argument, NULL, 'o' },
	{ "quiet", no_argument, NULL, 'q' },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, OPT_VERSION },
	{ NULL, 0, NULL, 0 },
};

struct settings {
	uint32_t epochs;
	struct sampling how;
	const char *items, *seen, *output;
	int tsv, quiet, rate_given;
};

static void
parse_options(int argc, char **argv, struct settings *s)
{
	struct bpr_err e;
	int c;

	while ((c = getopt_long(argc, argv, "o:qh", longopts, NULL)) != -1) {
		switch (c) {
		case OPT_EPOCHS:
			s->epochs = (uint32_t)cli_int("--epochs", optarg, 1, 100000);
			break;
		case OPT_SEED:
			s->how.seed = cli_u64("--seed", optarg);
			break;
		case OPT_NEG:
			if (neg_mode_option("--neg", optarg, &s->how.neg, &s->how.alpha, &e) < 0)
				cli_usage_die(&e);
			break;
		case OPT_ITEMS:
			s->items = optarg;
			break;
		case OPT_SEEN:
			s->seen = optarg;
			break;
		case OPT_SEEN_RATE:
			s->how.seen_rate = cli_double("--seen-rate", optarg, 0, 1);
			s->rate_given = 1;
			break;
		case OPT_TSV:
			s->tsv = 1;
			break;
		case 'o':
			s->output = optarg;
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

/* The positives and their sampling, as the options say. */
static void
load(const char *path, const struct settings *s, struct sampled_epochs *d)
{
	struct bpr_input *in = cli_open_input(path, NULL);
	struct bpr_input *seen = s->seen ? cli_open_input(s->seen, NULL) : NULL;
	struct id_list items = cli_read_ids(s->items);
	struct bpr_err e;

	if (sampled_epochs_open(d, in, &items, seen, &s->how, &e) < 0)
		cli_die(&e);
	input_close(in);
	input_close(seen);
	free((void *)items.ids);
}

/* Write the epochs; returns the triplets written. */
static uint64_t
write_epochs(const struct settings *s, struct epoch_gen *g, const char *meta)
{
	struct triplet buf[4096];
	struct triplet_writer w;
	struct bpr_output out;
	struct bpr_err e;
	uint64_t total = 0;
	uint32_t ep;
	size_t n;

	cli_output_open(&out, s->output);
	triplets_write_header(&w, &out, s->tsv, s->epochs, meta);
	for (ep = 0; ep < s->epochs; ep++) {
		epoch_begin(g);
		total += epoch_size(g);
		progress_stage(epoch_size(g), "triplets", "sampling epoch %u of %u", ep + 1, s->epochs);
		while ((n = epoch_fill(g, buf, sizeof(buf) / sizeof(buf[0]))) > 0) {
			triplets_write(&w, buf, n);
			progress_add(n);
		}
		if (triplets_end_epoch(&w, &e) < 0)
			cli_die(&e);
	}
	cli_output_commit(&out, 0);
	return total;
}

static void
summarise(const char *input, const struct settings *s, const struct positives *pos,
    uint64_t total)
{
	fprintf(stderr, "triplet-sample: %s: %zu positives (%zu duplicates collapsed), %zu users, "
	    "%zu items; ", input, pos->npairs, pos->duplicates, pos->nusers, pos->nitems);
	if (pos->seen == NULL)
		fprintf(stderr, "%u epoch%s of %llu triplets\n", s->epochs, PLURAL(s->epochs),
		    (unsigned long long)(total / s->epochs));
	else
		fprintf(stderr, "%s: %zu seen pairs (%zu more were positives or had a user without "
		    "any), each in an epoch with probability %g; %u epoch%s, %llu triplets\n", s->seen,
		    pos->nseen, pos->seen_unused, s->how.seen_rate, s->epochs, PLURAL(s->epochs),
		    (unsigned long long)total);
}

int
main(int argc, char **argv)
{
	struct settings s = { .epochs = 1, .output = "-",
		.how = { .neg = NEG_UNSEEN, .alpha = 1, .seed = 1, .seen_rate = SEEN_RATE_DEFAULT } };
	struct sampled_epochs d;
	uint64_t total;
	char meta[1024];

	cli_init("triplet-sample", usage);
	parse_options(argc, argv, &s);
	argc -= optind;
	argv += optind;
	if (argc != 1)
		cli_usage_error(argc == 0 ? "no interactions file given" : "one interactions file only");
	if (s.rate_given && s.seen == NULL)
		cli_usage_error("--seen-rate needs --seen");
	if (!s.tsv && strcmp(s.output, "-") == 0 && isatty(STDOUT_FILENO))
		cli_usage_error("binary output to a terminal: redirect it, or use --tsv");
	cli_files_ready((const struct run_file[]){
	    { "the positives", argv[0], FILE_INPUT }, { "--items", s.items, FILE_INPUT },
	    { "--seen", s.seen, FILE_INPUT }, { "-o", s.output, FILE_OUTPUT } }, 4);
	cli_progress_begin(s.quiet);
	load(argv[0], &s, &d);
	cli_warn_ratings(&d.pos, argv[0]);
	if (d.gen.skipped_users > 0)
		cli_warn("skipping %zu positives of %zu users who have every item (no unseen negative exists)",
		    d.gen.skipped_pairs, d.gen.skipped_users);
	epoch_gen_describe(&d.gen, s.how.seed, meta, sizeof(meta));
	total = write_epochs(&s, &d.gen, meta);
	cli_progress_end();
	if (!s.quiet)
		summarise(argv[0], &s, &d.pos, total);
	sampled_epochs_close(&d);
	return BPR_EXIT_OK;
}
