/*
 * bpr-train: learn the hybrid ranking model from a triplet stream (or
 * from positives, sampling triplets in-process) and write the model file.
 * Its options are the rows of lib/train/settings.c's table.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"
#include "data/positives.h"
#include "model/model.h"
#include "sample/source.h"
#include "train/fit.h"
#include "train/fit_log.h"
#include "train/settings.h"

static const char usage[] =
    "usage: bpr-train [-qv] [--item-tags file] [--item-dim N] [--tag-dim N]\n"
    "                 [--tag-mode mode] [--bias | --no-bias] [--loss name] [--hard K]\n"
    "                 [--max-sampled N] [--optimizer name] [--lr X] [--lr-schedule name]\n"
    "                 [--batch N] [--l2 X] [--l2-user X] [--l2-item X]\n"
    "                 [--l2-tag X] [--epochs N] [--seed N] [--threads N]\n"
    "                 [--schedule name]\n"
    "                 [--compat notebook] [--train file] [--neg mode] [--items file]\n"
    "                 [--seen file] [--seen-rate X] [--eval file] [--eval-every N]\n"
    "                 [--valid file] [--patience N]\n"
    "                 [--checkpoint-every N] [--init model] [--log file]\n"
    "                 -o model [triplets]\n";

static const char help_intro[] =
    "\n"
    "Learn the hybrid model: a user vector of item-dim + tag-dim values scores an\n"
    "item by its own embedding followed by the mean of its tags' embeddings.\n"
    "Triplets come from a stream (binary or TSV, a file or - for a pipe) or are\n"
    "sampled in-process from --train positives, the same way triplet-sample does.\n"
    "\n";

enum { OPT_HELP = 'h', OPT_VERSION = 1, OPT_SETTING = 256 };

/* The help: the usage, then a paragraph, then every row of the table. */
static _Noreturn void
help(void)
{
	char text[SET_COUNT * 400 + 1024], *p = text;
	size_t left = sizeof(text), n;
	int k;

	n = (size_t)snprintf(p, left, "%s", help_intro);
	for (k = 0; k < SET_COUNT && n < left; k++) {
		p += n;
		left -= n;
		n = settings_help((enum setting)k, p, left);
	}
	if (n < left)
		snprintf(p + n, left - n, "  %-22s %s\n  %-22s %s\n", "-h, --help", "this help",
		    "    --version", "print the version");
	cli_help_usage(usage, text);
}

/* getopt_long's table, from the settings' rows. */
static void
build_options(struct option *o, char *shorts)
{
	int k, n = 0;

	for (k = 0; k < SET_COUNT; k++) {
		const struct setting_row *r = &setting_rows[k];
		if (r->option == NULL)
			continue;
		o[n++] = (struct option){ r->option, r->arg ? required_argument : no_argument, NULL,
		    r->short_option ? r->short_option : OPT_SETTING + k };
		if (r->short_option) {
			*shorts++ = r->short_option;
			if (r->arg)
				*shorts++ = ':';
		}
	}
	o[n++] = (struct option){ "help", no_argument, NULL, OPT_HELP };
	o[n++] = (struct option){ "version", no_argument, NULL, OPT_VERSION };
	o[n] = (struct option){ NULL, 0, NULL, 0 };
	strcpy(shorts, "h");
}

/* The setting of a short option. */
static enum setting
short_setting(int c)
{
	int k;

	for (k = 0; k < SET_COUNT; k++)
		if (setting_rows[k].short_option == c)
			return (enum setting)k;
	return SET_COUNT;
}

static void
parse_options(int argc, char **argv, struct train_settings *s)
{
	struct option longopts[SET_COUNT + 3];
	char shorts[2 * SET_COUNT + 2];
	enum setting k;
	struct bpr_err e;
	int c;

	build_options(longopts, shorts);
	while ((c = getopt_long(argc, argv, shorts, longopts, NULL)) != -1) {
		if (c == OPT_HELP)
			help();
		if (c == OPT_VERSION)
			cli_version();
		if (c == '?')
			cli_bad_option();
		k = c >= OPT_SETTING ? (enum setting)(c - OPT_SETTING) : short_setting(c);
		if (k == SET_COUNT || settings_set(s, k, optarg, &e) < 0)
			cli_usage_die(&e);
	}
}

/* Every file the run names, before any is read. */
static void
check_files(const struct train_settings *s)
{
	const char *checkpoints = s->fit.checkpoint_every > 0 ? s->output : NULL;

	cli_files_ready((const struct run_file[]){
	    { "--item-tags", s->item_tags, FILE_INPUT }, { "--train", s->train, FILE_INPUT },
	    { "--items", s->items, FILE_INPUT }, { "--seen", s->seen, FILE_INPUT },
	    { "--eval", s->eval, FILE_INPUT }, { "--valid", s->valid, FILE_INPUT },
	    { "--init", s->init, FILE_INPUT_RESUMED }, { "the triplet stream", s->stream, FILE_INPUT },
	    { "-o", s->output, FILE_OUTPUT }, { "--log", s->log, FILE_OUTPUT },
	    { "--checkpoint-every", checkpoints, FILE_CHECKPOINTS } }, 11);
}

/*
 * The triplets: a stream, or sampled from --train. The catalogue that
 * --item-tags implies is the model's, read once (a pipe reads once).
 */
static void
open_source(struct triplet_source *src, const struct train_settings *s,
    const struct bpr_model *m)
{
	struct bpr_input *in, *seen = NULL;
	struct id_list items = { NULL, 0 };
	struct bpr_err e;
	int rc;

	if (s->train == NULL) {
		rc = source_open_stream(src, cli_open_input(s->stream, NULL), &e);
	} else {
		in = cli_open_input(s->train, NULL);
		if (s->items == s->item_tags && s->item_tags != NULL)
			items.ids = model_catalogue_items(m, &items.n);
		else
			items = cli_read_ids(s->items);
		if (s->seen != NULL)
			seen = cli_open_input(s->seen, NULL);
		rc = source_open_sampler(src, in, &items, seen, &s->how, &e);
		input_close(in);
		input_close(seen);
		if (s->items != s->item_tags)
			free((void *)items.ids);
	}
	if (rc < 0)
		cli_die(&e);
	if (s->train != NULL)
		cli_warn_ratings(&src->drawn.pos, s->train);
	if (src->epochs_announced > 0 && s->fit.epochs > src->epochs_announced)
		cli_fatal(BPR_EXIT_DATA, "%s: the stream holds %u epoch%s; --epochs asks for %u",
		    s->stream, src->epochs_announced, PLURAL(src->epochs_announced), s->fit.epochs);
}

/* What the run reports on standard error, and writes to --log. */
struct report {
	const struct train_settings *s;
	const struct bpr_model *m;
	double loss, train_seconds, started;
	uint32_t epochs_timed;
	int progress;
	struct fit_log log;
};

/* Like Keras' model.summary(): the tables, then the training. */
static void
print_summary(const struct report *r, uint32_t planned)
{
	const struct train_config *t = &r->s->fit.train;
	char text[1024];

	model_summary(r->m, text, sizeof(text));
	fprintf(stderr, "bpr-train: model\n%s", text);
	fprintf(stderr, "  loss %s, optimizer %s (lr %g %s, batch %u, l2 %g), %u epoch%s, seed %llu, "
	    "%d thread%s\n", names_get(&loss_names, t->loss), names_get(&opt_names, t->opt),
	    (double)t->lr, names_get(&lr_schedule_names, r->s->fit.lr_schedule), t->batch,
	    (double)t->l2[0], planned, PLURAL(planned), (unsigned long long)r->s->how.seed,
	    t->threads, PLURAL(t->threads));
}

/*
 * The model's items are the catalogue, but a stream may name only those
 * of its own positives: the others are trained only as the trainer's
 * extra negatives (--hard K, warp), or never. Counted over every epoch.
 */
static void
print_untripled(size_t n, const struct bpr_model *m, const struct train_settings *s)
{
	const struct train_config *t = &s->fit.train;
	size_t count;

	model_catalogue_items(m, &count);
	if (n > 0)
		fprintf(stderr, "bpr-train: %zu of the %zu catalogue items were in no triplet: %s; %s "
		    "adds them as negatives\n", n, count, trainer_draws_negatives(t) ?
		    "trained only as the trainer's own extra negatives" : "never trained",
		    s->train != NULL ? "--items" : "triplet-sample --items");
}

/*
 * The clean AUC first: the model's items ranked, train positives left
 * out. The notebook's (every id 0..max ranked, train positives counted as
 * negatives) only where most of those ids are items: on ml-latest's ids
 * up to 193609 for 9742 movies it measures the ids that are no movie.
 */
static void
print_eval(const struct fit_event *ev, const struct report *r)
{
	const struct eval_result *nb = &ev->notebook;

	fprintf(stderr, "bpr-train: epoch %u", ev->epoch);
	if (ev->epochs > 0)
		fprintf(stderr, "/%u", ev->epochs);
	if (ev->epoch > 0)
		fprintf(stderr, ": loss %.6f", r->loss);
	else
		fprintf(stderr, " (before training)");
	if (ev->has_test)
		fprintf(stderr, ", clean auc %.6f (the model's %zu items, train left out)", ev->clean.auc,
		    ev->clean.candidates);
	if (ev->has_test && nb->cold * 2 <= nb->candidates)
		fprintf(stderr, ", notebook auc %.6f (every id 0..%u, train counted)", nb->auc, nb->max_id);
	else if (ev->has_test)
		fprintf(stderr, " (no notebook auc: %zu of the ids 0..%u are no item)", nb->cold,
		    nb->max_id);
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

	if (r->s->log != NULL)
		fit_log_event(&r->log, ev);
	if (r->s->quiet)
		return;
	cli_progress_pause();
	if (r->progress)
		fputs("\r\033[K", stderr);
	if (ev->kind == FIT_READY) {
		print_summary(r, ev->epochs);
		warn_trained_on(ev->test_in_train, "--eval", r->s->eval);
		warn_trained_on(ev->valid_in_train, "--valid", r->s->valid);
	} else if (ev->kind == FIT_EPOCH) {
		r->loss = ev->loss;
		if (r->s->verbose)
			fprintf(stderr, "bpr-train: epoch %u: loss %.6f, %.2f s, %.2f M triplets/s\n",
			    ev->epoch, ev->loss, ev->seconds, (double)ev->triplets / ev->seconds / 1e6);
		else if (r->progress)
			print_progress(r, ev);
	} else if (ev->kind == FIT_EVAL) {
		print_eval(ev, r);
	} else if (ev->kind == FIT_CHECKPOINT) {
		fprintf(stderr, "bpr-train: wrote checkpoint %s\n", ev->path);
	} else if (ev->kind == FIT_STOP) {
		fprintf(stderr, "bpr-train: no better validation AUC for %u evaluations: stopped at "
		    "epoch %u, keeping epoch %u\n", r->s->fit.patience, ev->epoch, ev->best_epoch);
	} else {
		print_untripled(ev->catalogue_untripled, r->m, r->s);
	}
	cli_progress_resume();
}

/*
 * The model to train: --init's, whose shape and training settings are
 * taken (but those given anew), or a new one with the catalogue's tags.
 */
static struct bpr_model *
open_model(struct train_settings *s, int operands, uint32_t *tags_crc)
{
	struct bpr_model *m = NULL;
	struct bpr_input *in;
	struct bpr_err e;

	if (s->init != NULL) {
		if ((m = model_load(s->init, &e)) == NULL)
			cli_die(&e);
		if (s->fit.checkpoint_every > 0)
			cli_checkpoints_spare("--init", s->init, s->output, model_progress(m, NULL));
		if (settings_resume(s, m, &e) < 0)
			e.status == BPR_EXIT_USAGE ? cli_usage_die(&e) : cli_die(&e);
	}
	if (settings_finish(s, operands, &e) < 0)
		cli_usage_die(&e);
	if (m != NULL)
		return m;
	if ((m = model_new(s->item_dim, s->tag_dim, s->tag_mode, s->bias, s->how.seed, s->init_scale,
	    &e)) == NULL)
		cli_die(&e);
	if (s->item_tags != NULL) {
		in = cli_open_input(s->item_tags, NULL);
		if (model_read_catalogue(m, in, tags_crc, &e) < 0)
			cli_die(&e);
		input_close(in);
	}
	return m;
}

/* The model's description: a new model's whole, a resumed run's training over the model's. */
static void
describe(struct bpr_model *m, const struct train_settings *s, const struct triplet_source *src,
    uint32_t tags_crc)
{
	char meta[4096];
	struct bpr_err e;

	if (settings_describe(s, s->init == NULL, src->meta, tags_crc, meta, sizeof(meta), &e) < 0 ||
	    (s->init == NULL ? model_set_meta(m, meta, &e) : model_update_meta(m, meta, &e)) < 0)
		cli_die(&e);
}

int
main(int argc, char **argv)
{
	struct train_settings s;
	struct positives *test, *valid;
	struct triplet_source src;
	struct bpr_model *m;
	struct report rep = { .s = &s, .started = monotonic_seconds() };
	uint32_t tags_crc = 0, epochs;
	uint64_t steps;
	struct bpr_err e;

	cli_init("bpr-train", usage);
	settings_init(&s);
	parse_options(argc, argv, &s);
	s.stream = optind < argc ? argv[optind] : NULL;
	check_files(&s);
	rep.progress = cli_progress_wanted(s.quiet) && !s.verbose;
	cli_progress_begin(!rep.progress);
	rep.m = m = open_model(&s, argc - optind, &tags_crc);
	test = cli_load_positives(s.eval);
	cli_warn_ratings(test, s.eval);
	valid = cli_load_positives(s.valid);
	cli_warn_ratings(valid, s.valid);
	open_source(&src, &s, m);
	describe(m, &s, &src, tags_crc);
	if (s.log != NULL && fit_log_open(&rep.log, s.log, rep.started, &e) < 0)
		cli_die(&e);
	/* The model's items are the catalogue, whatever the triplets name. */
	if (model_add_catalogue_rows(m, &e) < 0 ||
	    fit_run(m, &src, test, valid, &s.fit, on_event, &rep, &e) < 0 ||
	    model_save(m, s.output, &e) < 0 || (s.log != NULL && fit_log_commit(&rep.log, &e) < 0))
		cli_die(&e);
	epochs = model_progress(m, &steps);
	if (!s.quiet)	/* cli_warn: the progress line makes way */
		cli_warn("wrote %s (%u epoch%s, %llu steps)", s.output, epochs, PLURAL(epochs),
		    (unsigned long long)steps);
	source_close(&src);
	model_free(m);
	cli_free_positives(test);
	cli_free_positives(valid);
	return BPR_EXIT_OK;
}
