/*
 * The half of every main() that is the same in all tools: the program
 * name, err(3)-style messages and exit statuses, strict option values,
 * inputs that refuse a terminal, and outputs whose temporary files are
 * removed on an error or a signal. It prints and exits, so it lives
 * beside the tools, not in lib/.
 */
#ifndef BPR_CLI_H
#define BPR_CLI_H

#include <stdint.h>

#include "data/positives.h"
#include "eval/query.h"
#include "eval/shard.h"
#include "io/err.h"
#include "io/fileid.h"
#include "io/input.h"
#include "io/output.h"
#include "io/text.h"

#define BPR_VERSION "1.0.0"

/* Set the program name and install the signal handlers. */
void cli_init(const char *name, const char *usage);
const char *cli_name(void);

/* "name: message" to stderr. */
void cli_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Report a library error and exit with its status, removing temporary files. */
_Noreturn void cli_die(const struct bpr_err *e);
_Noreturn void cli_fatal(int status, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* A usage error: the message, then the usage text, exit 2. */
_Noreturn void cli_usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Help to stdout, exit 0: the usage lines, then the rest of the help. */
_Noreturn void cli_help_usage(const char *usage, const char *rest);
/* --version likewise. */
_Noreturn void cli_version(void);
/* getopt's own complaint has been printed: add the usage and exit 2. */
_Noreturn void cli_bad_option(void);

/* A library error that is a usage error: its message and the usage, exit 2. */
_Noreturn void cli_usage_die(const struct bpr_err *e);

/* Strict option values: the whole argument, in [min, max] (a name of t), else exit 2. */
int cli_enum(const char *opt, const char *arg, const struct names *t);
/* item<TAB>title or tag<TAB>name lines (kind, label: their columns' names). */
void cli_read_names(const char *path, const char *kind, const char *label, struct titles *t);
/* -m given once more: the models of a blend, at most BLEND_MAX. */
void cli_add_model(const char **paths, size_t *n, const char *arg);
/*
 * The rank blend of the models of paths[0..n): ms[0] is loaded, the others
 * are loaded into ms[1..n); the candidates are blend_open's. Closing frees
 * the blend and ms[1..n).
 */
void cli_open_blend(struct blend *b, const struct bpr_model **ms, const char *const *paths,
    size_t n, const double *weight, int all_ids, const uint32_t *list, size_t nlist,
    uint32_t max_id);
void cli_close_blend(struct blend *b, const struct bpr_model **ms, size_t n);
/* The ids of a TSV's first column (none for a NULL path); free .ids. */
struct id_list cli_read_ids(const char *path);
/* A model file, loaded and checked. */
struct bpr_model *cli_load_model(const char *path);
/* --shard's I/N. */
struct shard cli_shard(const char *opt, const char *arg);
long long cli_int(const char *opt, const char *arg, long long min, long long max);
uint64_t cli_u64(const char *opt, const char *arg);
double cli_double(const char *opt, const char *arg, double min, double max);
/* "A:B" with min <= A <= B <= max (integers only when integer is set). */
void cli_range(const char *opt, const char *arg, double min, double max, int integer,
    double *lo, double *hi);

/* Open an input; "-" on a terminal is refused with a hint. Exits on failure. */
struct bpr_input *cli_open_input(const char *path, const char *const *wanted);

/* (user, item) positives from a file, or exit with its error; NULL for a NULL path. */
struct positives *cli_load_positives(const char *path);
/*
 * The same in two halves, the reading done by a thread meanwhile: the
 * largest input loads while the program reads the others. An error to
 * report waits for cli_loaded, so errors come in the order of the calls.
 */
void cli_load_behind(struct positives_behind *l, const char *path);
struct positives *cli_loaded(struct positives_behind *l);
/*
 * When positives came from a file of ratings (a third column of stars,
 * some below 4), say so: each row, the 1-star ones too, is a positive.
 * Nothing for NULL.
 */
void cli_warn_ratings(const struct positives *p, const char *path);
/* Free what cli_load_positives returned; NULL is fine. */
void cli_free_positives(struct positives *p);

/* Outputs that die cleanly: the library removes their temporary files. */
void cli_output_open(struct bpr_output *o, const char *path);
void cli_output_commit(struct bpr_output *o, int durable);

/*
 * Before anything is read: every file a run names, checked as a whole.
 * Exit 2 for an empty name, a closed standard stream the run needs,
 * standard input read twice, an output that is an input or another
 * output however spelled (./x, a link; devices and FIFOs may be shared),
 * and a file a checkpoint would replace; exit 1 when an output could not
 * be written (no such directory, no permission), rather than after the
 * work.
 */
void cli_files_ready(const struct run_file *f, size_t n);
/*
 * After --init's model is read: exit 2 when a checkpoint after epoch
 * epochs_done would replace it.
 */
void cli_checkpoints_spare(const char *opt, const char *input, const char *output,
    unsigned long epochs_done);

/* Progress reports are wanted when stderr is a terminal and not -q. */
int cli_progress_wanted(int quiet);
/*
 * The progress line (cli_progress.c), when cli_progress_wanted: begun
 * after the options are read, paused around anything else written to
 * standard error, ended before the results are written.
 */
void cli_progress_begin(int quiet);
void cli_progress_pause(void);
void cli_progress_resume(void);
void cli_progress_end(void);

#endif
