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
    "usage: bpr-score -m model [--top K] [--user ID] [--all-users] [--exclude file]\n"
    "                 [--titles file] [--similar-items ID] [--similar-users ID]\n"
    "                 [--cold-item TAGS] [--dump what] [--map what] [--projector dir]\n"
    "                 [--vocab file] [--threads N]\n";

static const char help_text[] =
    "\n"
    "Query a model. Without a mode option, read user<TAB>item pairs from standard\n"
    "input and print user<TAB>item<TAB>score. Scores are the shortest text that\n"
    "reads back as the same float.\n"
    "\n"
    "  -m, --model file        the model\n"
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
    "  -h, --help              this help\n"
    "      --version           print the version\n";

enum {
	OPT_TOP = 256, OPT_USER, OPT_ALL_USERS, OPT_EXCLUDE, OPT_TITLES, OPT_SIMILAR_ITEMS,
	OPT_SIMILAR_USERS, OPT_COLD_ITEM, OPT_DUMP, OPT_MAP, OPT_PROJECTOR, OPT_VOCAB, OPT_THREADS,
	OPT_VERSION,
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
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, OPT_VERSION },
	{ NULL, 0, NULL, 0 },
};

enum mode {
	MODE_PAIRS, MODE_TOP, MODE_SIMILAR_ITEMS, MODE_SIMILAR_USERS, MODE_COLD, MODE_DUMP, MODE_MAP,
	MODE_PROJECTOR
};

struct settings {
	const char *model, *exclude, *titles, *vocab, *cold_tags, *dump, *map, *projector;
	enum mode mode;
	int modes, all_users, threads, top_given;
	uint32_t top, similar_id;
	uint32_t *users;
	size_t nusers, users_cap;
};

static uint32_t
id_option(const char *opt, const char *arg)
{
	return (uint32_t)cli_int(opt, arg, 0, 2147483647);
}

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
		case 'm': s->model = optarg; break;
		case OPT_TOP:
			s->top = (uint32_t)cli_int("--top", optarg, 1, 1000000);
			s->top_given = 1;
			break;
		case OPT_USER: add_user(s, id_option("--user", optarg)); break;
		case OPT_ALL_USERS: s->all_users = 1; break;
		case OPT_EXCLUDE: s->exclude = optarg; break;
		case OPT_TITLES: s->titles = optarg; break;
		case OPT_SIMILAR_ITEMS:
			set_mode(s, MODE_SIMILAR_ITEMS);
			s->similar_id = id_option("--similar-items", optarg);
			break;
		case OPT_SIMILAR_USERS:
			set_mode(s, MODE_SIMILAR_USERS);
			s->similar_id = id_option("--similar-users", optarg);
			break;
		case OPT_COLD_ITEM: set_mode(s, MODE_COLD); s->cold_tags = optarg; break;
		case OPT_DUMP: set_mode(s, MODE_DUMP); s->dump = optarg; break;
		case OPT_MAP: set_mode(s, MODE_MAP); s->map = optarg; break;
		case OPT_PROJECTOR: set_mode(s, MODE_PROJECTOR); s->projector = optarg; break;
		case OPT_VOCAB: s->vocab = optarg; break;
		case OPT_THREADS: s->threads = (int)cli_int("--threads", optarg, 1, 64); break;
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
	if (s->modes == 0 && s->top > 0)
		s->mode = MODE_TOP;
	if (s->mode == MODE_DUMP && strcmp(s->dump, "users") != 0 && strcmp(s->dump, "items") != 0 &&
	    strcmp(s->dump, "tags") != 0)
		cli_usage_error("--dump %s: expected users, items or tags", s->dump);
	if (s->mode == MODE_MAP && strcmp(s->map, "items") != 0 && strcmp(s->map, "tags") != 0)
		cli_usage_error("--map %s: expected items or tags", s->map);
	if (s->vocab != NULL && s->mode != MODE_MAP && s->mode != MODE_PROJECTOR)
		cli_usage_error("--vocab names tags for --map and --projector");
	if ((s->nusers > 0 || s->all_users) && s->mode != MODE_TOP && s->mode != MODE_COLD)
		cli_usage_error("--user and --all-users choose users for --top or --cold-item");
	if (s->nusers > 0 && s->all_users)
		cli_usage_error("--user and --all-users both choose users: give one");
	if (s->exclude != NULL && s->mode != MODE_TOP)
		cli_usage_error("--exclude applies to --top recommendations");
	if (s->top == 0)
		s->top = 10;
}

/* dir/name into path, or die: the name must fit. */
static void
join_path(char *path, size_t size, const char *dir, const char *name)
{
	if ((size_t)snprintf(path, size, "%s/%s", dir, name) >= size)
		cli_usage_error("--projector %s: the path is too long", dir);
}

/* --top beyond what the query ranks is a usage error, whatever the query. */
static void
check_top(const struct settings *s, const struct bpr_model *m)
{
	size_t items = model_rows(m, MODEL_ITEMS), users = model_rows(m, MODEL_USERS);

	if (!s->top_given)
		return;
	if (s->mode == MODE_COLD && s->top > users)
		cli_usage_error("--top %u is more than the model's %zu users", s->top, users);
	if (s->mode == MODE_SIMILAR_USERS && s->top + 1 > users)
		cli_usage_error("--top %u is more than the model's %zu other users", s->top,
		    users > 0 ? users - 1 : 0);
	if (s->mode == MODE_SIMILAR_ITEMS && s->top + 1 > items)
		cli_usage_error("--top %u is more than the model's %zu other items", s->top,
		    items > 0 ? items - 1 : 0);
	if (s->mode == MODE_TOP && s->top > items)
		cli_usage_error("--top %u is more than the model's %zu items", s->top, items);
}

/* Every file the query names, before any is read. */
static void
check_files(const struct settings *s)
{
	int reads_stdin = s->mode == MODE_PAIRS ||
	    (s->mode == MODE_TOP && s->nusers == 0 && !s->all_users);
	int projector = s->mode == MODE_PROJECTOR;
	struct cli_file f[6 + EXPORT_PROJECTOR_FILES] = {
		{ "-m", s->model, CLI_INPUT }, { "--exclude", s->exclude, CLI_INPUT },
		{ "--titles", s->titles, CLI_INPUT }, { "--vocab", s->vocab, CLI_INPUT },
		{ "standard input", reads_stdin ? "-" : NULL, CLI_INPUT },
		{ "standard output", projector ? NULL : "-", CLI_OUTPUT },
	};
	char path[EXPORT_PROJECTOR_FILES][4096];
	size_t i, n = 6;

	for (i = 0; projector && i < EXPORT_PROJECTOR_FILES; i++) {
		join_path(path[i], sizeof(path[i]), s->projector, export_projector_files[i]);
		f[n++] = (struct cli_file){ "--projector", path[i], CLI_OUTPUT_UNPROBED };
	}
	cli_files_ready(f, n);
}

/* Users for --top: --user, --all-users, or ids on standard input. */
static void
collect_users(struct settings *s, const struct bpr_model *m)
{
	struct bpr_input *in;
	struct bpr_err e;
	uint32_t *ids;
	size_t n, i;

	if (s->all_users) {
		if ((ids = model_ids(m, MODEL_USERS, &n, &e)) == NULL)
			cli_die(&e);
		for (i = 0; i < n; i++)
			add_user(s, ids[i]);
		free(ids);
		return;
	}
	if (s->nusers > 0)
		return;
	in = cli_open_input("-", NULL);
	if (read_id_column(in, &ids, &n, &e) < 0)
		cli_die(&e);
	for (i = 0; i < n; i++)
		add_user(s, ids[i]);
	free(ids);
	input_close(in);
}

/* A score as the shortest text that reads back as the same float. */
static const char *
score_text(float v, char *buf)
{
	format_float(buf, v);
	return buf;
}

static void
print_title(const struct titles *t, uint32_t item)
{
	if (t != NULL)
		printf("\t%s", titles_get(t, item));
}

static void
run_top(struct settings *s, const struct bpr_model *m, const struct titles *titles)
{
	struct positives *excl = NULL, xs;
	struct ranked *out;
	uint32_t *got;
	struct bpr_err e;
	size_t i, r;
	char num[32];

	collect_users(s, m);
	if (s->exclude != NULL) {
		struct bpr_input *in = cli_open_input(s->exclude, NULL);
		if (positives_read(&xs, in, NULL, &e) < 0)
			cli_die(&e);
		input_close(in);
		excl = &xs;
	}
	out = mem_array(s->nusers * s->top + 1, sizeof(*out), 0, "recommendations", &e);
	got = mem_array(s->nusers + 1, sizeof(*got), 0, "recommendations", &e);
	if (out == NULL || got == NULL ||
	    recommend(m, s->users, s->nusers, s->top, excl, s->threads, out, got, &e) < 0)
		cli_die(&e);
	for (i = 0; i < s->nusers; i++) {
		for (r = 0; r < got[i]; r++) {
			printf("%u\t%zu\t%u\t%s", s->users[i], r + 1, out[i * s->top + r].id,
			    score_text(out[i * s->top + r].score, num));
			print_title(titles, out[i * s->top + r].id);
			putchar('\n');
		}
	}
	free(out);
	free(got);
	if (excl != NULL)
		positives_free(excl);
}

static void
run_similar(const struct settings *s, const struct bpr_model *m, const struct titles *titles)
{
	struct ranked *out;
	struct bpr_err e;
	size_t got, r;
	int of_users = s->mode == MODE_SIMILAR_USERS;
	char num[32];

	if ((out = mem_array(s->top, sizeof(*out), 0, "the ranking", &e)) == NULL ||
	    most_similar(m, of_users, s->similar_id, s->top, out, &got, &e) < 0)
		cli_die(&e);
	for (r = 0; r < got; r++) {
		printf("%u\t%zu\t%u\t%s", s->similar_id, r + 1, out[r].id, score_text(out[r].score, num));
		if (!of_users)
			print_title(titles, out[r].id);
		putchar('\n');
	}
	free(out);
}

/* "3,5,7": the tags of --cold-item, also its name in the output (normalised). */
static size_t
parse_tags(const char *arg, uint32_t *tags, size_t max, char *name, size_t name_size)
{
	struct field f[64];
	const char *why;
	size_t n = split_fields(arg, strlen(arg), ",", 1, f, 64), i;

	if (n > max)
		cli_usage_error("--cold-item: at most %zu tags", max);
	name[0] = '\0';
	for (i = 0; i < n; i++) {
		if (parse_id(f[i].s, f[i].len, &tags[i], &why) < 0)
			cli_usage_error("--cold-item: tag '%.*s' %s", field_show(&f[i]), why);
		snprintf(name + strlen(name), name_size - strlen(name), "%s%u", i ? "," : "", tags[i]);
	}
	return n;
}

static void
run_cold(struct settings *s, const struct bpr_model *m)
{
	uint32_t tags[64];
	char name[64 * 11], num[32];
	size_t ntags = parse_tags(s->cold_tags, tags, 64, name, sizeof(name)), u;
	struct bpr_err e;
	float *v = mem_aligned(model_composed_size(m) + VEC_LANES, sizeof(float), "the new item", &e);
	struct scored *heap = mem_array(s->top, sizeof(*heap), 0, "the ranking", &e);
	struct topk top;
	float score;

	if (v == NULL || heap == NULL || model_cold_vector(m, tags, ntags, v, &e) < 0)
		cli_die(&e);
	if (s->nusers == 0)
		s->all_users = 1;
	collect_users(s, m);
	topk_reset(&top, heap, s->top);
	for (u = 0; u < s->nusers; u++) {
		if (model_user_score(m, s->users[u], v, &score) < 0)
			cli_fatal(BPR_EXIT_DATA, "user %u is not in the model", s->users[u]);
		if (s->top_given)
			topk_offer(&top, score, s->users[u]);
		else
			printf("%u\t%s\t%s\n", s->users[u], name, score_text(score, num));
	}
	/* as the other queries: what was asked, rank, the answer, its score */
	for (u = 0; s->top_given && u < topk_sorted(&top); u++)
		printf("%s\t%zu\t%u\t%s\n", name, u + 1, heap[u].index, score_text(heap[u].score, num));
	free(v);
	free(heap);
}

/* user<TAB>item lines in, user<TAB>item<TAB>score out, a line at a time. */
static void
run_pairs(const struct bpr_model *m)
{
	static const char *const names[2] = { "user", "item" };
	struct bpr_input *in = cli_open_input("-", NULL);
	struct bpr_err e;
	uint64_t key;
	size_t len;
	char *line, num[32];
	float score;
	int rc;

	if (expect_text(in, "user<TAB>item pairs", 1, &e) < 0)
		cli_die(&e);
	while ((rc = input_line(in, &line, &len, &e)) > 0) {
		uint32_t uid, iid;
		if (len == 0 || line[0] == '#')
			continue;
		if (parse_id_pair(line, len, names, &key, input_name(in), input_lineno(in), &e) < 0)
			cli_die(&e);
		uid = (uint32_t)(key >> 32);
		iid = (uint32_t)key;
		if ((rc = model_pair_score(m, uid, iid, &score)) < 0)
			cli_fatal(BPR_EXIT_DATA, "%s:%ld: %s %u is not in the model", input_name(in),
			    input_lineno(in), rc == -1 ? "user" : "item", rc == -1 ? uid : iid);
		printf("%u\t%u\t%s\n", uid, iid, score_text(score, num));
	}
	if (rc < 0)
		cli_die(&e);
	input_close(in);
}

/* --dump, --map and --projector write what lib/eval/export.c makes. */
static void
run_export(const struct settings *s, const struct bpr_model *m, const struct titles *titles,
    const struct titles *vocab)
{
	struct bpr_output o;
	struct bpr_err e;
	int rc;

	if (s->mode == MODE_PROJECTOR) {
		if (export_projector(s->projector, m, titles, vocab, &e) < 0)
			cli_die(&e);
		return;
	}
	cli_output_open(&o, "-");
	if (s->mode == MODE_DUMP)
		/* with biases, users get a column of 1 and items their bias: scores stay dot products */
		rc = export_vectors(&o, m, strcmp(s->dump, "users") == 0 ? MODEL_USERS :
		    strcmp(s->dump, "items") == 0 ? MODEL_ITEMS : MODEL_TAGS, 1, 1, &e);
	else if (strcmp(s->map, "items") == 0)
		rc = export_map_items(&o, m, titles, vocab, &e);
	else
		rc = export_map_tags(&o, m, vocab, &e);
	if (rc < 0) {
		cli_output_abort(&o);
		bpr_err_prefix(&e, "%s: ", s->model);
		cli_die(&e);
	}
	cli_output_commit(&o, 0);
}

/* item<TAB>title or tag<TAB>name lines */
static void
load_names(const char *path, const char *kind, const char *label, struct titles *t)
{
	struct bpr_input *in = cli_open_input(path, NULL);
	struct bpr_err e;

	if (titles_read(t, in, kind, label, &e) < 0)
		cli_die(&e);
	input_close(in);
}

int
main(int argc, char **argv)
{
	struct settings s = { .threads = 2 };
	struct titles titles, vocab;
	struct bpr_model *m;
	struct bpr_err e;

	cli_init("bpr-score", usage);
	parse_options(argc, argv, &s);
	if (optind != argc)
		cli_usage_error("unexpected argument '%s'", argv[optind]);
	check_settings(&s);
	check_files(&s);
	if ((m = model_load(s.model, &e)) == NULL)
		cli_die(&e);
	check_top(&s, m);
	if (s.titles != NULL)
		load_names(s.titles, "item", "title", &titles);
	if (s.vocab != NULL)
		load_names(s.vocab, "tag", "name", &vocab);
	switch (s.mode) {
	case MODE_TOP: run_top(&s, m, s.titles ? &titles : NULL); break;
	case MODE_SIMILAR_ITEMS:
	case MODE_SIMILAR_USERS: run_similar(&s, m, s.titles ? &titles : NULL); break;
	case MODE_COLD: run_cold(&s, m); break;
	case MODE_PAIRS: run_pairs(m); break;
	default: run_export(&s, m, s.titles ? &titles : NULL, s.vocab ? &vocab : NULL); break;
	}
	if (s.titles != NULL)
		titles_free(&titles);
	if (s.vocab != NULL)
		titles_free(&vocab);
	model_free(m);
	free(s.users);
	if (fflush(stdout) != 0 || ferror(stdout))
		cli_fatal(BPR_EXIT_DATA, "stdout: write error");
	return BPR_EXIT_OK;
}
