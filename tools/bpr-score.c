/*
 * bpr-score: query a model: scores of user-item pairs, top-k
 * recommendations, similar items or users, a new item from its tags, and
 * the vectors themselves.
 */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "data/positives.h"
#include "data/sort.h"
#include "eval/export.h"
#include "eval/query.h"
#include "eval/topk.h"
#include "io/filekind.h"
#include "io/mem.h"
#include "io/output.h"
#include "io/parse.h"
#include "io/text.h"
#include "model/model.h"
#include "model/vec.h"

static const char usage[] =
    "usage: bpr-score -m model ... [--top K] [--user ID] [--all-users] [--exclude file]\n"
    "                 [--titles file] [--similar-items ID] [--similar-users ID]\n"
    "                 [--cold-item TAGS] [--dump what] [--map what] [--projector dir]\n"
    "                 [--vocab file] [--threads N] [--shard I/N]\n";

static const char help_text[] =
    "\n"
    "Query a model. Without a mode option, read user<TAB>item pairs from standard\n"
    "input and print user<TAB>item<TAB>score. Scores are the shortest text that\n"
    "reads back as the same float.\n"
    "\n"
    "  -m, --model file        the model; more than once, with --top: rank by the\n"
    "                          mean of the models' ranks of the first one's items\n"
    "      --top K             recommend K items to each user given by --user, by\n"
    "                          --all-users, or one id a line on standard input:\n"
    "                          user<TAB>rank<TAB>item<TAB>score[<TAB>title]\n"
    "      --user ID           a user to recommend for (may be repeated)\n"
    "      --all-users         recommend for every user of the model\n"
    "      --exclude file      do not recommend the user's positives in file\n"
    "      --titles file       item<TAB>title lines (ml-genres --titles) to print\n"
    "      --similar-items ID  the K (--top, default 10) items most similar to ID\n"
    "                          by the cosine of their vectors:\n"
    "                          ID<TAB>rank<TAB>item<TAB>cosine[<TAB>title]\n"
    "      --similar-users ID  the same for users: ID<TAB>rank<TAB>user<TAB>cosine\n"
    "      --cold-item TAGS    a new item made of its tags alone (ids, comma\n"
    "                          separated): user<TAB>TAGS<TAB>score for each user\n"
    "                          (--user, or all), or with --top the K users who would\n"
    "                          like it most: TAGS<TAB>rank<TAB>user<TAB>score\n"
    "      --dump what         users, items or tags: id<TAB>v1<TAB>...; items as the\n"
    "                          composed vectors used for scoring, so that a score\n"
    "                          is the dot product of two rows (with item biases,\n"
    "                          users end in a 1 and items in their bias)\n"
    "      --map what          items: id<TAB>x<TAB>y<TAB>tag<TAB>name<TAB>title, the\n"
    "                          items' vectors on their first two principal axes (a\n"
    "                          map), with each item's main tag and its name;\n"
    "                          tags: id<TAB>dx<TAB>dy<TAB>name, the direction on that\n"
    "                          map in which each tag moves an item\n"
    "      --projector dir     write the TensorBoard Embedding Projector files into\n"
    "                          dir: vectors and metadata for items, tags and users,\n"
    "                          and projector_config.pbtxt\n"
    "      --vocab file        tag<TAB>name lines (ml-genres --vocab) to name tags\n"
    "      --threads N         threads for --top (default 2)\n"
    "      --shard I/N         --top and pair scores for shard I of N of the users\n"
    "                          only (by a hash of the id, as auc --shard)\n"
    "  -h, --help              this help\n"
    "      --version           print the version\n";

enum {
	OPT_TOP = 256, OPT_USER, OPT_ALL_USERS, OPT_EXCLUDE, OPT_TITLES, OPT_SIMILAR_ITEMS,
	OPT_SIMILAR_USERS, OPT_COLD_ITEM, OPT_DUMP, OPT_MAP, OPT_PROJECTOR, OPT_VOCAB, OPT_THREADS,
	OPT_SHARD, OPT_VERSION,
};

static const struct option longopts[] = {
	{ "model", required_argument, NULL, 'm' },
	{ "top", required_argument, NULL, OPT_TOP },
	{ "user", required_argument, NULL, OPT_USER },
	{ "all-users", no_argument, NULL, OPT_ALL_USERS },
	{ "exclude", required_argument, NULL, OPT_EXCLUDE },
	{ "titles", required_argument, NULL, OPT_TITLES },
	{ "similar-items", required_argument, NULL, OPT_SIMILAR_ITEMS },
	{ "similar-users", required_argument, NULL, OPT_SIMILAR_USERS },
	{ "cold-item", required_argument, NULL, OPT_COLD_ITEM },
	{ "dump", required_argument, NULL, OPT_DUMP },
	{ "map", required_argument, NULL, OPT_MAP },
	{ "projector", required_argument, NULL, OPT_PROJECTOR },
	{ "vocab", required_argument, NULL, OPT_VOCAB },
	{ "threads", required_argument, NULL, OPT_THREADS },
	{ "shard", required_argument, NULL, OPT_SHARD },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, OPT_VERSION },
	{ NULL, 0, NULL, 0 },
};

/* --dump's and --map's words: tables, in enum model_table's order. */
static const char *const dump_list[] = { "users", "items", "tags" };
static const char *const map_list[] = { "items", "tags" };
static const struct names dump_names = NAMES_OF(dump_list), map_names = NAMES_OF(map_list);

/* The queries, MODE_TOP to MODE_COLD in enum query_kind's order. */
enum mode {
	MODE_PAIRS, MODE_TOP, MODE_SIMILAR_ITEMS, MODE_SIMILAR_USERS, MODE_COLD, MODE_DUMP, MODE_MAP,
	MODE_PROJECTOR
};

struct settings {
	const char *model, *exclude, *titles, *vocab, *cold_tags, *projector;
	int dump, map;		/* which table: an enum model_table */
	enum mode mode;
	int modes, all_users, threads, top_given;
	uint32_t top, similar_id;
	struct shard shard;
	uint32_t *users;
	size_t nusers, users_cap;
	const char *models[BLEND_MAX];
	size_t nmodels;
	struct positives_behind loading;	/* --exclude's positives */
};

static void
set_mode(struct settings *s, enum mode m)
{
	if (s->modes++ > 0 && s->mode != m)
		cli_usage_error("--similar-items, --similar-users, --cold-item, --dump, --map and "
		    "--projector are different queries: give one");
	s->mode = m;
}

static void
add_user(struct settings *s, uint32_t id)
{
	struct bpr_err e;

	if (mem_grow(&s->users, &s->users_cap, s->nusers + 1, sizeof(*s->users), "users", &e) < 0)
		cli_die(&e);
	s->users[s->nusers++] = id;
}

static void
parse_options(int argc, char **argv, struct settings *s)
{
	int c;

	while ((c = getopt_long(argc, argv, "m:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'm': cli_add_model(s->models, &s->nmodels, optarg); s->model = s->models[0]; break;
		case OPT_TOP: s->top = (uint32_t)cli_int("--top", optarg, 1, 1000000); s->top_given = 1; break;
		case OPT_USER: add_user(s, (uint32_t)cli_int("--user", optarg, 0, BPR_ID_MAX)); break;
		case OPT_ALL_USERS: s->all_users = 1; break;
		case OPT_EXCLUDE: s->exclude = optarg; break;
		case OPT_TITLES: s->titles = optarg; break;
		case OPT_SIMILAR_ITEMS:
		case OPT_SIMILAR_USERS:
			set_mode(s, c == OPT_SIMILAR_ITEMS ? MODE_SIMILAR_ITEMS : MODE_SIMILAR_USERS);
			s->similar_id = (uint32_t)cli_int(c == OPT_SIMILAR_ITEMS ? "--similar-items" :
			    "--similar-users", optarg, 0, BPR_ID_MAX);
			break;
		case OPT_COLD_ITEM: set_mode(s, MODE_COLD); s->cold_tags = optarg; break;
		case OPT_DUMP: set_mode(s, MODE_DUMP); s->dump = cli_enum("--dump", optarg, &dump_names); break;
		case OPT_MAP:
			set_mode(s, MODE_MAP);
			s->map = cli_enum("--map", optarg, &map_names) + MODEL_ITEMS;
			break;
		case OPT_PROJECTOR: set_mode(s, MODE_PROJECTOR); s->projector = optarg; break;
		case OPT_VOCAB: s->vocab = optarg; break;
		case OPT_THREADS: s->threads = (int)cli_int("--threads", optarg, 1, 64); break;
		case OPT_SHARD: s->shard = cli_shard("--shard", optarg); break;
		case 'h': cli_help_usage(usage, help_text);
		case OPT_VERSION: cli_version();
		default: cli_bad_option();
		}
	}
}

static void
check_settings(struct settings *s)
{
	if (s->model == NULL)
		cli_usage_error("no model given (-m model)");
	if (s->modes == 0 && s->top_given)
		s->mode = MODE_TOP;
	if (s->vocab != NULL && s->mode != MODE_MAP && s->mode != MODE_PROJECTOR)
		cli_usage_error("--vocab names tags for --map and --projector");
	if ((s->nusers > 0 || s->all_users) && s->mode != MODE_TOP && s->mode != MODE_COLD)
		cli_usage_error("--user and --all-users choose users for --top or --cold-item");
	if (s->nusers > 0 && s->all_users)
		cli_usage_error("--user and --all-users both choose users: give one");
	if (s->nmodels > 1 && s->mode != MODE_TOP)
		cli_usage_error("several models (-m) blend their ranks for --top only");
	if (s->exclude != NULL && s->mode != MODE_TOP)
		cli_usage_error("--exclude applies to --top recommendations");
	if (s->shard.count > 0 && s->mode != MODE_TOP && s->mode != MODE_PAIRS)
		cli_usage_error("--shard splits --top and pair scores by user");
}

/* Every file the query names, before any is read. */
static void
check_files(const struct settings *s)
{
	int reads_stdin = s->mode == MODE_PAIRS ||
	    (s->mode == MODE_TOP && s->nusers == 0 && !s->all_users);
	int projector = s->mode == MODE_PROJECTOR;
	struct run_file f[6 + EXPORT_PROJECTOR_FILES + BLEND_MAX] = {
		{ "-m", s->model, FILE_INPUT }, { "--exclude", s->exclude, FILE_INPUT },
		{ "--titles", s->titles, FILE_INPUT }, { "--vocab", s->vocab, FILE_INPUT },
		{ "standard input", reads_stdin ? "-" : NULL, FILE_INPUT },
		{ "standard output", projector ? NULL : "-", FILE_OUTPUT },
	};
	char path[EXPORT_PROJECTOR_FILES][4096];
	size_t i, n = 6;

	for (i = 1; i < s->nmodels; i++)
		f[n++] = (struct run_file){ "-m", s->models[i], FILE_INPUT };
	for (i = 0; projector && i < EXPORT_PROJECTOR_FILES; i++) {
		if ((size_t)snprintf(path[i], sizeof(path[i]), "%s/%s", s->projector,
		    export_projector_files[i]) >= sizeof(path[i]))
			cli_usage_error("--projector %s: the path is too long", s->projector);
		f[n++] = (struct run_file){ "--projector", path[i], FILE_OUTPUT_UNPROBED };
	}
	cli_files_ready(f, n);
}

/* Users for --top: --user, --all-users, or ids on standard input; the shard's only. */
static void
collect_users(struct settings *s, const struct bpr_model *m)
{
	struct bpr_err e;
	struct id_list given;
	uint32_t *ids = s->users;
	size_t n = s->nusers, i, k;

	if (s->all_users) {
		if ((ids = model_ids(m, MODEL_USERS, &n, &e)) == NULL)
			cli_die(&e);
	} else if (s->nusers == 0) {
		given = cli_read_ids("-");
		ids = (uint32_t *)given.ids;	/* ours to keep and free */
		n = given.n;
	}
	for (i = k = 0; i < n; i++)
		if (shard_has(&s->shard, ids[i]))
			ids[k++] = ids[i];
	if (ids != s->users)
		free(s->users);
	s->users = ids;
	s->nusers = k;
}

static void
run_top(struct settings *s, const struct bpr_model *m, const struct titles *titles,
    struct bpr_output *o)
{
	const struct bpr_model *ms[BLEND_MAX] = { m };
	struct positives *excl;
	struct blend b = { .nparts = 0 };
	struct ranked *out;
	uint32_t *got;
	struct bpr_err e;
	char query[16];
	size_t i;

	if (s->nmodels > 1)
		cli_open_blend(&b, ms, s->models, s->nmodels, NULL, 0, NULL, 0, 0);
	collect_users(s, m);
	excl = cli_loaded(&s->loading);
	out = mem_array(s->nusers * s->top + 1, sizeof(*out), 0, "recommendations", &e);
	got = mem_array(s->nusers + 1, sizeof(*got), 0, "recommendations", &e);
	if (out == NULL || got == NULL ||
	    recommend(m, b.nparts ? &b : NULL, s->users, s->nusers, s->top, excl, s->threads, out, got,
	    &e) < 0)
		cli_die(&e);
	cli_progress_end();
	for (i = 0; i < s->nusers; i++) {
		snprintf(query, sizeof(query), "%u", s->users[i]);
		export_ranked(o, query, out + i * s->top, got[i], titles);
	}
	free(out);
	free(got);
	cli_free_positives(excl);
	cli_close_blend(&b, ms, s->nmodels);
}

static void
run_similar(const struct settings *s, const struct bpr_model *m, const struct titles *titles,
    struct bpr_output *o)
{
	int of_users = s->mode == MODE_SIMILAR_USERS;
	struct ranked *out;
	struct bpr_err e;
	char query[16];
	size_t got;

	if ((out = mem_array(s->top, sizeof(*out), 0, "the ranking", &e)) == NULL ||
	    most_similar(m, of_users, s->similar_id, s->top, out, &got, &e) < 0)
		cli_die(&e);
	snprintf(query, sizeof(query), "%u", s->similar_id);
	export_ranked(o, query, out, got, of_users ? NULL : titles);
	free(out);
}

static void
run_cold(struct settings *s, const struct bpr_model *m, struct bpr_output *o)
{
	uint32_t tags[64];
	size_t ntags;
	struct bpr_err e;

	if (option_ids("--cold-item", s->cold_tags, tags, 64, &ntags, &e) < 0)
		cli_usage_die(&e);
	if (s->nusers == 0)
		s->all_users = 1;
	collect_users(s, m);
	if (export_cold_item(o, m, tags, ntags, s->users, s->nusers, s->top_given ? s->top : 0,
	    &e) < 0)
		cli_die(&e);
}

/* --dump, --map and --projector write what lib/eval/export.c makes. */
static void
run_export(const struct settings *s, const struct bpr_model *m, const struct titles *titles,
    const struct titles *vocab, struct bpr_output *o)
{
	struct bpr_err e;
	int rc;

	if (s->mode == MODE_PROJECTOR)
		rc = export_projector(s->projector, m, titles, vocab, &e);
	else if (s->mode == MODE_DUMP)
		/* with biases, users get a column of 1 and items their bias: scores stay dot products */
		rc = export_vectors(o, m, (enum model_table)s->dump, 1, 1, &e);
	else if (s->map == MODEL_ITEMS)
		rc = export_map_items(o, m, titles, vocab, &e);
	else
		rc = export_map_tags(o, m, vocab, &e);
	if (rc < 0) {
		if (s->mode != MODE_PROJECTOR)
			bpr_err_prefix(&e, "%s: ", s->model);
		cli_die(&e);
	}
}

int
main(int argc, char **argv)
{
	struct settings s = { .threads = 2, .top = 10 };
	struct titles titles, vocab;
	struct bpr_output out;
	struct bpr_input *in;
	struct bpr_model *m;
	struct bpr_err e;

	cli_init("bpr-score", usage);
	parse_options(argc, argv, &s);
	if (optind != argc)
		cli_usage_error("unexpected argument '%s'", argv[optind]);
	check_settings(&s);
	check_files(&s);
	cli_progress_begin(0);
	cli_load_behind(&s.loading, s.mode == MODE_TOP ? s.exclude : NULL);	/* read meanwhile */
	m = cli_load_model(s.model);
	if (s.top_given && s.mode >= MODE_TOP && s.mode <= MODE_COLD &&
	    query_check_k(m, (enum query_kind)(s.mode - MODE_TOP), s.top, &e) < 0)
		cli_usage_die(&e);
	if (s.titles != NULL)
		cli_read_names(s.titles, "item", "title", &titles);
	if (s.vocab != NULL)
		cli_read_names(s.vocab, "tag", "name", &vocab);
	if (s.mode != MODE_PROJECTOR)
		cli_output_open(&out, "-");
	switch (s.mode) {
	case MODE_TOP: run_top(&s, m, s.titles ? &titles : NULL, &out); break;
	case MODE_SIMILAR_ITEMS:
	case MODE_SIMILAR_USERS: run_similar(&s, m, s.titles ? &titles : NULL, &out); break;
	case MODE_COLD: run_cold(&s, m, &out); break;
	case MODE_PAIRS:
		in = cli_open_input("-", NULL);
		if (export_pair_scores(&out, m, in, &s.shard, &e) < 0)
			cli_die(&e);
		input_close(in);
		break;
	default: run_export(&s, m, s.titles ? &titles : NULL, s.vocab ? &vocab : NULL, &out); break;
	}
	if (s.mode != MODE_PROJECTOR)
		cli_output_commit(&out, 0);
	if (s.titles != NULL)
		titles_free(&titles);
	if (s.vocab != NULL)
		titles_free(&vocab);
	model_free(m);
	free(s.users);
	return BPR_EXIT_OK;
}
