/*
 * ml-genres: MovieLens item catalogue in, item<TAB>tag pairs out, with the
 * tag vocabulary and UTF-8 titles on the side.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "data/catalog.h"
#include "cli.h"

static const char usage[] =
    "usage: ml-genres [-q] [-f layout] [--genres file] [--vocab file] [--titles file]\n"
    "                 [-o file] file\n";

static const char help_text[] =
    "\n"
    "Read a MovieLens item catalogue (u.item, movies.dat, movies.csv; plain, .gz or\n"
    "a GroupLens .zip) and write item<TAB>tag pairs, one genre per line.\n"
    "\n"
    "  -f, --format layout   item (u.item), dat (movies.dat), csv (movies.csv);\n"
    "                        default: detected from the first line\n"
    "      --genres file     u.genre, naming u.item's genre columns (default: the\n"
    "                        u.genre beside u.item, or in the same archive)\n"
    "      --vocab file      write the tag vocabulary: tag<TAB>name\n"
    "      --titles file     write item<TAB>title, in UTF-8\n"
    "  -o, --output file     the pairs (default: standard output)\n"
    "  -q, --quiet           no summary line on standard error\n"
    "  -h, --help            this help\n"
    "      --version         print the version\n"
    "\n"
    "u.item's tag ids are u.genre's (0 is \"unknown\", a genre like the others);\n"
    "other layouts number their genre names in byte order from 0.\n";

enum { OPT_GENRES = 256, OPT_VOCAB, OPT_TITLES, OPT_VERSION };

static const struct option longopts[] = {
	{ "format", required_argument, NULL, 'f' },
	{ "genres", required_argument, NULL, OPT_GENRES },
	{ "vocab", required_argument, NULL, OPT_VOCAB },
	{ "titles", required_argument, NULL, OPT_TITLES },
	{ "output", required_argument, NULL, 'o' },
	{ "quiet", no_argument, NULL, 'q' },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, OPT_VERSION },
	{ NULL, 0, NULL, 0 },
};

static const char *const catalog_members[] = { "u.item", "movies.dat", "movies.csv", NULL };
static const char *const genre_members[] = { "u.genre", NULL };

struct settings {
	enum catalog_layout layout;
	const char *genres, *vocab, *titles, *output;
	int quiet;
};

static void
parse_options(int argc, char **argv, struct settings *s)
{
	int c;

	while ((c = getopt_long(argc, argv, "f:o:qh", longopts, NULL)) != -1) {
		switch (c) {
		case 'f':
			s->layout = (enum catalog_layout)cli_enum("-f", optarg, &catalog_layout_names);
			break;
		case OPT_GENRES:
			s->genres = optarg;
			break;
		case OPT_VOCAB:
			s->vocab = optarg;
			break;
		case OPT_TITLES:
			s->titles = optarg;
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

/*
 * --genres, or u.genre beside u.item (in its directory, or in the same
 * folder of its archive). NULL when there is none to read, *why saying
 * why: absent is fine unless the genres must be named.
 */
static struct bpr_input *
open_genres(const struct settings *s, const char *items_path, const struct bpr_input *items,
    struct bpr_err *why)
{
	const char *slash = strrchr(items_path, '/');
	int dir = slash ? (int)(slash - items_path + 1) : 0;
	struct bpr_input *in = NULL;
	char *path;

	if (s->genres != NULL)
		return cli_open_input(s->genres, genre_members);
	if (input_is_member(items))
		return input_open_sibling(items, "u.genre", why);
	if (strcmp(items_path, "-") == 0) {
		bpr_fail(why, "standard input has no u.genre beside it");
		return NULL;
	}
	if ((path = malloc((size_t)dir + sizeof("u.genre"))) == NULL) {
		bpr_fail(why, "%s: out of memory", items_path);
		return NULL;
	}
	snprintf(path, (size_t)dir + sizeof("u.genre"), "%.*su.genre", dir, items_path);
	if (access(path, F_OK) != 0)
		bpr_fail(why, "%s: no u.genre beside it", items_path);
	else
		in = input_open(path, genre_members, why);
	free(path);
	return in;
}

static void
write_pairs(const struct catalog *c, struct bpr_output *o)
{
	size_t i, k;

	for (i = 0; i < c->n; i++) {
		for (k = c->tag_start[i]; k < c->tag_start[i + 1]; k++) {
			output_u64(o, c->item[i]);
			output_char(o, '\t');
			output_u64(o, c->tags[k]);
			output_char(o, '\n');
		}
	}
}

static void
write_vocab(const struct catalog *c, struct bpr_output *o)
{
	size_t t;

	for (t = 0; t < c->ntags; t++)
		output_printf(o, "%zu\t%s\n", t, c->tag_name[t]);
}

static void
write_titles(const struct catalog *c, struct bpr_output *o)
{
	size_t i;

	for (i = 0; i < c->n; i++) {
		output_u64(o, c->item[i]);
		output_char(o, '\t');
		output_str(o, c->title[i]);
		output_char(o, '\n');
	}
}

int
main(int argc, char **argv)
{
	struct settings s = { .layout = CATALOG_AUTO, .output = "-" };
	struct bpr_input *in, *genres;
	struct bpr_output out[3];
	struct catalog c;
	struct bpr_err e, no_genres = { .msg = "the genres have no names" };

	cli_init("ml-genres", usage);
	parse_options(argc, argv, &s);
	argc -= optind;
	argv += optind;
	if (argc != 1)
		cli_usage_error(argc == 0 ? "no catalogue file given" : "one catalogue file only");
	cli_files_ready((const struct run_file[]){
	    { "the catalogue", argv[0], FILE_INPUT }, { "--genres", s.genres, FILE_INPUT },
	    { "-o", s.output, FILE_OUTPUT }, { "--vocab", s.vocab, FILE_OUTPUT },
	    { "--titles", s.titles, FILE_OUTPUT } }, 5);
	cli_progress_begin(s.quiet);
	in = cli_open_input(argv[0], catalog_members);
	genres = open_genres(&s, argv[0], in, &no_genres);
	if (catalog_read(&c, in, s.layout, genres, &e) < 0)
		cli_die(&e);
	if (s.vocab != NULL && c.ntags > 0 && c.tag_name == NULL)
		cli_fatal(BPR_EXIT_DATA, "%s; give --genres FILE to name the genres", no_genres.msg);
	/* every output written before any is committed: a failure leaves none */
	cli_output_open(&out[0], s.output);
	write_pairs(&c, &out[0]);
	if (s.vocab != NULL) {
		cli_output_open(&out[1], s.vocab);
		write_vocab(&c, &out[1]);
	}
	if (s.titles != NULL) {
		cli_output_open(&out[2], s.titles);
		write_titles(&c, &out[2]);
	}
	cli_output_commit(&out[0], 0);
	if (s.vocab != NULL)
		cli_output_commit(&out[1], 0);
	if (s.titles != NULL)
		cli_output_commit(&out[2], 0);
	cli_progress_end();
	if (!s.quiet)
		fprintf(stderr, "ml-genres: %s (%s): %zu items, %zu tags, %zu item-tag pairs\n",
		    input_name(in), names_get(&catalog_layout_names, c.layout), c.n, c.ntags, c.pairs);
	catalog_free(&c);
	input_close(in);
	input_close(genres);
	return BPR_EXIT_OK;
}
