#include "cli.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "io/fileid.h"
#include "io/mem.h"
#include "io/parse.h"

static const char *progname = "bprtools";
static const char *usage_text = "";
/* Which of standard input, output and error the program was started without. */
static int std_closed[3];

/* An output "-" with standard output closed is refused (files_check). */
void
cli_init(const char *name, const char *usage)
{
	progname = name;
	usage_text = usage;
	if (output_guard_process(std_closed) < 0)
		exit(BPR_EXIT_DATA);
	mem_keep_freed();
}

const char *
cli_name(void)
{
	return progname;
}

static void
vwarn(const char *fmt, va_list ap)
{
	cli_progress_pause();
	fprintf(stderr, "%s: ", progname);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	cli_progress_resume();
}

void
cli_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vwarn(fmt, ap);
	va_end(ap);
}

void
cli_die(const struct bpr_err *e)
{
	output_remove_temporaries();
	cli_progress_end();
	fprintf(stderr, "%s: %s\n", progname, e->msg);
	exit(e->status == BPR_EXIT_USAGE ? BPR_EXIT_USAGE : BPR_EXIT_DATA);
}

void
cli_fatal(int status, const char *fmt, ...)
{
	va_list ap;

	output_remove_temporaries();
	va_start(ap, fmt);
	vwarn(fmt, ap);
	va_end(ap);
	exit(status);
}

void
cli_usage_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vwarn(fmt, ap);
	va_end(ap);
	fputs(usage_text, stderr);
	exit(BPR_EXIT_USAGE);
}

void
cli_bad_option(void)
{
	fputs(usage_text, stderr);
	exit(BPR_EXIT_USAGE);
}

/* Help goes to stdout; a failed write (a full disk, a closed pipe) is not success. */
static _Noreturn void
finish_stdout(void)
{
	if (fflush(stdout) != 0 || ferror(stdout) || fclose(stdout) != 0) {
		fprintf(stderr, "%s: write error on stdout: %s\n", progname, strerror(errno));
		exit(BPR_EXIT_DATA);
	}
	exit(BPR_EXIT_OK);
}

void
cli_help_usage(const char *usage, const char *rest)
{
	fputs(usage, stdout);
	fputs(rest, stdout);
	finish_stdout();
}

void
cli_version(void)
{
	printf("%s (bprtools) %s\n", progname, BPR_VERSION);
	finish_stdout();
}

/* A usage error from the library: its message, then the usage text, exit 2. */
_Noreturn void
cli_usage_die(const struct bpr_err *e)
{
	cli_usage_error("%s", e->msg);
}

long long
cli_int(const char *opt, const char *arg, long long min, long long max)
{
	long long v;
	struct bpr_err e;

	if (option_int(opt, arg, min, max, &v, &e) < 0)
		cli_usage_die(&e);
	return v;
}

uint64_t
cli_u64(const char *opt, const char *arg)
{
	uint64_t v;
	struct bpr_err e;

	if (option_u64(opt, arg, &v, &e) < 0)
		cli_usage_die(&e);
	return v;
}

double
cli_double(const char *opt, const char *arg, double min, double max)
{
	double v;
	struct bpr_err e;

	if (option_double(opt, arg, min, max, &v, &e) < 0)
		cli_usage_die(&e);
	return v;
}

int
cli_enum(const char *opt, const char *arg, const struct names *t)
{
	struct bpr_err e;
	int v;

	if (option_name(opt, arg, t, &v, &e) < 0)
		cli_usage_die(&e);
	return v;
}

void
cli_read_names(const char *path, const char *kind, const char *label, struct titles *t)
{
	struct bpr_input *in = cli_open_input(path, NULL);
	struct bpr_err e;

	if (titles_read(t, in, kind, label, &e) < 0)
		cli_die(&e);
	input_close(in);
}

void
cli_add_model(const char **paths, size_t *n, const char *arg)
{
	if (*n == BLEND_MAX)
		cli_usage_error("at most %d models (-m) can be blended", BLEND_MAX);
	paths[(*n)++] = arg;
}

void
cli_open_blend(struct blend *b, const struct bpr_model **ms, const char *const *paths,
    size_t n, const double *weight, int all_ids, const uint32_t *list, size_t nlist,
    uint32_t max_id)
{
	struct bpr_err e;
	size_t k;

	for (k = 1; k < n; k++)
		ms[k] = cli_load_model(paths[k]);
	if (blend_open(b, ms, weight, n, all_ids, list, nlist, max_id, &e) < 0)
		cli_die(&e);
}

void
cli_close_blend(struct blend *b, const struct bpr_model **ms, size_t n)
{
	size_t k;

	blend_close(b);
	for (k = 1; k < n; k++)
		model_free((struct bpr_model *)ms[k]);
}

struct id_list
cli_read_ids(const char *path)
{
	struct id_list l = { NULL, 0 };
	struct bpr_input *in;
	uint32_t *ids;
	struct bpr_err e;

	if (path == NULL)
		return l;
	in = cli_open_input(path, NULL);
	if (read_id_column(in, &ids, &l.n, &e) < 0)
		cli_die(&e);
	input_close(in);
	l.ids = ids;
	return l;
}

struct bpr_model *
cli_load_model(const char *path)
{
	struct bpr_model *m;
	struct bpr_err e;

	if ((m = model_load(path, &e)) == NULL)
		cli_die(&e);
	return m;
}

struct shard
cli_shard(const char *opt, const char *arg)
{
	struct shard s;
	struct bpr_err e;

	if (shard_parse(opt, arg, &s, &e) < 0)
		cli_usage_die(&e);
	return s;
}

void
cli_range(const char *opt, const char *arg, double min, double max, int integer,
    double *lo, double *hi)
{
	struct bpr_err e;

	if (option_range(opt, arg, min, max, integer, lo, hi, &e) < 0)
		cli_usage_die(&e);
}

struct bpr_input *
cli_open_input(const char *path, const char *const *wanted)
{
	struct bpr_input *in;
	struct bpr_err e;

	if (strcmp(path, "-") == 0 && isatty(STDIN_FILENO))
		cli_usage_error("standard input is a terminal: give a file name, or pipe data in");
	if ((in = input_open(path, wanted, &e)) == NULL)
		cli_die(&e);
	input_count_progress(in);
	return in;
}

void
cli_output_open(struct bpr_output *o, const char *path)
{
	struct bpr_err e;

	if (output_open(o, path, &e) < 0)
		cli_die(&e);
}

void
cli_files_ready(const struct run_file *f, size_t n)
{
	struct bpr_err e;

	if (files_check(f, n, std_closed, &e) < 0)
		e.status == BPR_EXIT_USAGE ? cli_usage_die(&e) : cli_die(&e);
}

void
cli_checkpoints_spare(const char *opt, const char *input, const char *output,
    unsigned long epochs_done)
{
	struct bpr_err e;

	if (files_checkpoints_spare(opt, input, output, epochs_done, &e) < 0)
		e.status == BPR_EXIT_USAGE ? cli_usage_die(&e) : cli_die(&e);
}

void
cli_output_commit(struct bpr_output *o, int durable)
{
	struct bpr_err e;

	if (output_commit(o, durable, &e) < 0)
		cli_die(&e);
}

int
cli_progress_wanted(int quiet)
{
	return !quiet && isatty(STDERR_FILENO);
}

void
cli_warn_ratings(const struct positives *p, const char *path)
{
	if (p == NULL || p->stars.below == 0)
		return;
	cli_warn("%s: %zu of its %zu rows carry a star rating, %zu of them below %g, and every "
	    "row is taken as a positive: to keep only the liked ones, split with ml-split "
	    "--min-rating %g", path, p->stars.rated, p->rows, p->stars.below, STAR_LIKED, STAR_LIKED);
}

void
cli_load_behind(struct positives_behind *l, const char *path)
{
	positives_read_behind(l, path != NULL ? cli_open_input(path, NULL) : NULL);
}

struct positives *
cli_loaded(struct positives_behind *l)
{
	struct bpr_err e;

	if (positives_wait(l, &e) < 0)
		cli_die(&e);
	return l->p;
}

struct positives *
cli_load_positives(const char *path)
{
	struct positives_behind l;

	cli_load_behind(&l, path);
	return cli_loaded(&l);
}

void
cli_free_positives(struct positives *p)
{
	if (p != NULL)
		positives_free(p);
	free(p);
}
