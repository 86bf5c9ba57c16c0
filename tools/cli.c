#include "cli.h"

#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "parse.h"

#define MAX_TEMPS 16

static const char *progname = "bprtools";
static const char *usage_text = "";
/* Temporary output files to remove if we die; read by the signal handler. */
static char *volatile temps[MAX_TEMPS];

static void
remove_temps(void)
{
	int i;

	for (i = 0; i < MAX_TEMPS; i++)
		if (temps[i] != NULL)
			unlink(temps[i]);
}

static void
on_signal(int sig)
{
	remove_temps();
	signal(sig, SIG_DFL);
	raise(sig);
}

void
cli_init(const char *name, const char *usage)
{
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP };
	struct sigaction sa;
	unsigned i;

	progname = name;
	usage_text = usage;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		sigaction(sigs[i], &sa, NULL);
}

const char *
cli_name(void)
{
	return progname;
}

static void
vwarn(const char *fmt, va_list ap)
{
	fprintf(stderr, "%s: ", progname);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
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
	remove_temps();
	fprintf(stderr, "%s: %s\n", progname, e->msg);
	exit(e->status == BPR_EXIT_USAGE ? BPR_EXIT_USAGE : BPR_EXIT_DATA);
}

void
cli_fatal(int status, const char *fmt, ...)
{
	va_list ap;

	remove_temps();
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
cli_help(const char *help)
{
	fputs(help, stdout);
	finish_stdout();
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

long long
cli_int(const char *opt, const char *arg, long long min, long long max)
{
	int64_t v;
	const char *why;

	if (parse_i64(arg, strlen(arg), &v, &why) < 0)
		cli_usage_error("%s '%s' %s", opt, arg, why);
	if (v < min || v > max)
		cli_usage_error("%s %s is out of range (expected %lld..%lld)", opt, arg, min, max);
	return v;
}

uint64_t
cli_u64(const char *opt, const char *arg)
{
	uint64_t v;
	const char *why;

	if (parse_u64(arg, strlen(arg), &v, &why) < 0)
		cli_usage_error("%s '%s' %s", opt, arg, why);
	return v;
}

double
cli_double(const char *opt, const char *arg, double min, double max)
{
	double v;
	const char *why;

	if (parse_double(arg, strlen(arg), &v, &why) < 0)
		cli_usage_error("%s '%s' %s", opt, arg, why);
	if (v < min || v > max)
		cli_usage_error("%s %s is out of range (expected %g..%g)", opt, arg, min, max);
	return v;
}

void
cli_range(const char *opt, const char *arg, double min, double max, int integer,
    double *lo, double *hi)
{
	const char *colon = strchr(arg, ':');
	char first[64];

	if (colon == NULL || (size_t)(colon - arg) >= sizeof(first))
		cli_usage_error("%s '%s' is not a range A:B", opt, arg);
	memcpy(first, arg, (size_t)(colon - arg));
	first[colon - arg] = '\0';
	if (integer) {
		*lo = (double)cli_int(opt, first, (long long)min, (long long)max);
		*hi = (double)cli_int(opt, colon + 1, (long long)min, (long long)max);
	} else {
		*lo = cli_double(opt, first, min, max);
		*hi = cli_double(opt, colon + 1, min, max);
	}
	if (*lo > *hi)
		cli_usage_error("%s %s is an empty range (A > B)", opt, arg);
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
	return in;
}

static void
register_temp(char *tmp)
{
	int i;

	for (i = 0; i < MAX_TEMPS; i++) {
		if (temps[i] == NULL) {
			temps[i] = tmp;
			return;
		}
	}
}

static void
unregister_temp(const char *tmp)
{
	int i;

	for (i = 0; i < MAX_TEMPS; i++)
		if (tmp != NULL && temps[i] == tmp)
			temps[i] = NULL;
}

void
cli_output_open(struct bpr_output *o, const char *path)
{
	struct bpr_err e;

	if (output_open(o, path, &e) < 0)
		cli_die(&e);
	register_temp(o->tmp);
}

void
cli_outputs_ready(const char *const *opts, const char *const *paths, size_t n)
{
	char **id = calloc(n, sizeof(*id));
	struct bpr_err e;
	size_t i, j;

	if (id == NULL)
		cli_fatal(BPR_EXIT_DATA, "out of memory");
	for (i = 0; i < n; i++)
		id[i] = paths[i] != NULL ? output_identity(paths[i]) : NULL;
	for (i = 0; i < n; i++)
		for (j = i + 1; j < n; j++)
			if (id[i] != NULL && id[j] != NULL && strcmp(id[i], id[j]) == 0)
				cli_usage_error("%s and %s are the same file: %s", opts[i], opts[j],
				    paths[j]);
	for (i = 0; i < n; i++)
		free(id[i]);
	free(id);
	for (i = 0; i < n; i++)
		if (paths[i] != NULL && output_probe(paths[i], &e) < 0)
			cli_die(&e);
}

void
cli_output_commit(struct bpr_output *o, int durable)
{
	struct bpr_err e;

	unregister_temp(o->tmp);
	if (output_commit(o, durable, &e) < 0)
		cli_die(&e);
}

void
cli_output_abort(struct bpr_output *o)
{
	unregister_temp(o->tmp);
	output_abort(o);
}

int
cli_progress_wanted(int quiet)
{
	return !quiet && isatty(STDERR_FILENO);
}

struct positives *
cli_load_positives(const char *path)
{
	struct positives *p = calloc(1, sizeof(*p));
	struct bpr_input *in;
	struct bpr_err e;

	if (p == NULL)
		cli_fatal(BPR_EXIT_DATA, "out of memory");
	in = cli_open_input(path, NULL);
	if (positives_read(p, in, NULL, &e) < 0)
		cli_die(&e);
	input_close(in);
	return p;
}

void
cli_free_positives(struct positives *p)
{
	if (p != NULL)
		positives_free(p);
	free(p);
}
