#include "io/fileid.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "io/output.h"

#define CHECKPOINT_INFIX ".epoch"

/*
 * An absolute name for path: realpath(3) when it exists and links are
 * followed; otherwise its directory's real path and its last component (a
 * file not yet written), or the path as written when even the directory
 * is missing.
 */
static char *
absolute_name(const char *path, int follow)
{
	const char *slash = strrchr(path, '/');
	char *real = follow ? realpath(path, NULL) : NULL, *dir, *abs;
	size_t n;

	if (real != NULL)
		return real;
	if (slash == path)
		dir = strdup("/");
	else
		dir = slash ? strndup(path, (size_t)(slash - path)) : strdup(".");
	if (dir == NULL)
		return NULL;
	real = realpath(dir, NULL);
	n = strlen(real ? real : dir) + strlen(path) + 2;
	if ((abs = malloc(n)) != NULL)
		snprintf(abs, n, "%s/%s", real ? real : dir, slash ? slash + 1 : path);
	free(real);
	free(dir);
	return abs;
}

static void
set_stat(struct file_id *id, const struct stat *st)
{
	id->exists = 1;
	id->regular = S_ISREG(st->st_mode);
	id->once = S_ISFIFO(st->st_mode) || S_ISSOCK(st->st_mode);
	id->dev = st->st_dev;
	id->ino = st->st_ino;
}

/* Standard input or output: its file, but no name (another may spell it). */
static int
standard_stream(struct file_id *id, int fd)
{
	struct stat st;

	id->stream = fd + 1;
	if (fstat(fd, &st) == 0)
		set_stat(id, &st);
	return 0;
}

static int
named(struct file_id *id, const char *path, struct bpr_err *e)
{
	struct stat st;

	if (stat(path, &st) == 0)
		set_stat(id, &st);
	if ((id->path = absolute_name(path, 1)) == NULL)
		return bpr_fail(e, "%s: out of memory", path);
	return 0;
}

int
file_id_input(struct file_id *id, const char *path, struct bpr_err *e)
{
	const char *colon = strstr(path, ".zip:");
	struct stat st;
	char *archive;
	int rc;

	memset(id, 0, sizeof(*id));
	if (strcmp(path, "-") == 0)
		return standard_stream(id, STDIN_FILENO);
	if (colon == NULL || stat(path, &st) == 0)
		return named(id, path, e);
	if ((archive = strndup(path, (size_t)(colon - path) + 4)) == NULL)
		return bpr_fail(e, "%s: out of memory", path);
	rc = named(id, archive, e);
	free(archive);
	return rc;
}

int
file_id_output(struct file_id *id, const char *path, struct bpr_err *e)
{
	char *target;
	int rc;

	memset(id, 0, sizeof(*id));
	if (strcmp(path, "-") == 0)
		return standard_stream(id, STDOUT_FILENO);
	if ((target = output_target(path, e)) == NULL)
		return -1;
	rc = named(id, target, e);
	free(target);
	return rc;
}

int
file_id_checkpoints(struct file_id *id, const char *output, struct bpr_err *e)
{
	memset(id, 0, sizeof(*id));
	if ((id->path = absolute_name(output, 0)) == NULL)
		return bpr_fail(e, "%s: out of memory", output);
	return 0;
}

void
file_id_free(struct file_id *id)
{
	free(id->path);
	id->path = NULL;
}

int
file_id_same(const struct file_id *a, const struct file_id *b)
{
	if (a->stream != 0 && a->stream == b->stream)
		return 1;
	if (a->exists && b->exists)
		return a->regular && b->regular && a->dev == b->dev && a->ino == b->ino;
	return a->path != NULL && b->path != NULL && strcmp(a->path, b->path) == 0;
}

int
file_id_is_checkpoint(const struct file_id *id, const struct file_id *base,
    unsigned long after)
{
	size_t n = base->path ? strlen(base->path) : 0, infix = strlen(CHECKPOINT_INFIX);
	const char *digits;
	char *end;
	unsigned long epoch;

	if (id->path == NULL || n == 0 || strncmp(id->path, base->path, n) != 0 ||
	    strncmp(id->path + n, CHECKPOINT_INFIX, infix) != 0)
		return 0;
	digits = id->path + n + infix;
	if (*digits < '0' || *digits > '9')
		return 0;
	epoch = strtoul(digits, &end, 10);
	return *end == '\0' && epoch > after;
}

/* The names a run gives, resolved once: who is who, to compare them. */
struct named_file {
	const struct run_file *f;
	struct file_id id;
};

static int
is_output(const struct run_file *f)
{
	return f->role == FILE_OUTPUT || f->role == FILE_OUTPUT_UNPROBED;
}

/* Empty names, and standard streams the program cannot use. */
static int
check_names(const struct run_file *f, size_t n, const int std_closed[3], struct bpr_err *e)
{
	const char *stdin_opt = NULL;
	size_t i;

	for (i = 0; i < n; i++) {
		if (f[i].path == NULL)
			continue;
		if (f[i].path[0] == '\0')
			return bpr_fail_usage(e, "%s: an empty file name", f[i].opt);
		if (strcmp(f[i].path, "-") != 0 || f[i].role == FILE_CHECKPOINTS)
			continue;
		if (is_output(&f[i]) && std_closed[1])
			return bpr_fail_usage(e, "%s: standard output is closed", f[i].opt);
		if (is_output(&f[i]))
			continue;
		if (std_closed[0])
			return bpr_fail_usage(e, "%s: standard input is closed", f[i].opt);
		if (stdin_opt != NULL)
			return bpr_fail_usage(e, "%s and %s both read standard input: it can be read once",
			    stdin_opt, f[i].opt);
		stdin_opt = f[i].opt;
	}
	return 0;
}

static int
identify(struct named_file *nf, const struct run_file *f, struct bpr_err *e)
{
	nf->f = f;
	if (f->path == NULL)
		return 0;
	if (f->role == FILE_CHECKPOINTS)
		return file_id_checkpoints(&nf->id, f->path, e);
	if (is_output(f))
		return file_id_output(&nf->id, f->path, e);
	return file_id_input(&nf->id, f->path, e);
}

/* An output against a file named before it (an input or another output). */
static int
check_pair(const struct named_file *out, const struct named_file *other, struct bpr_err *e)
{
	const struct run_file *a = out->f, *b = other->f;

	if (!file_id_same(&out->id, &other->id))
		return 0;
	if (is_output(b))
		return bpr_fail_usage(e, "%s and %s are the same file: %s", b->opt, a->opt, a->path);
	if (strcmp(a->path, "-") == 0)
		return bpr_fail_usage(e, "standard output is the input %s (%s): an output may not name "
		    "an input", b->path, b->opt);
	return bpr_fail_usage(e, "%s %s would replace the input %s (%s): an output may not name an "
	    "input", a->opt, a->path, b->path, b->opt);
}

/* Files that a run's checkpoints OUTPUT.epochN would replace. */
static int
check_checkpoints(const struct named_file *cp, const struct named_file *other, struct bpr_err *e)
{
	const struct run_file *b = other->f;

	if (b->role == FILE_CHECKPOINTS || b->role == FILE_INPUT_RESUMED ||
	    !file_id_is_checkpoint(&other->id, &cp->id, 0))
		return 0;
	return bpr_fail_usage(e, "%s %s is a name of the checkpoints (%s.epochN) this run writes",
	    b->opt, b->path, cp->f->path);
}

/*
 * Two inputs that are one pipe: the first read takes it all, and opening a
 * FIFO again would wait for a writer that has gone. (One name given
 * twice by the program itself, the same string, is read once.)
 */
static int
check_one_pipe(const struct named_file *a, const struct named_file *b, struct bpr_err *e)
{
	if (!a->id.exists || !b->id.exists || !a->id.once || !b->id.once ||
	    a->id.dev != b->id.dev || a->id.ino != b->id.ino || a->f->path == b->f->path)
		return 0;
	return bpr_fail_usage(e, "%s %s and %s %s are one pipe: it can be read once", a->f->opt,
	    a->f->path, b->f->opt, b->f->path);
}

/* Every output against every other file the run names; inputs against each other. */
static int
check_all(const struct run_file *f, const struct named_file *nf, size_t n, struct bpr_err *e)
{
	size_t i, j;
	int rc = 0;

	for (i = 0; i < n && rc == 0; i++) {
		for (j = 0; j < n && f[i].path != NULL && rc == 0; j++) {
			if (i == j || f[j].path == NULL)
				continue;
			if (f[i].role == FILE_CHECKPOINTS)
				rc = check_checkpoints(&nf[i], &nf[j], e);
			else if (is_output(&f[i]) && f[j].role != FILE_CHECKPOINTS &&
			    (j < i || !is_output(&f[j])))
				rc = check_pair(&nf[i], &nf[j], e);
			else if (j < i && !is_output(&f[i]) && !is_output(&f[j]) &&
			    f[j].role != FILE_CHECKPOINTS)
				rc = check_one_pipe(&nf[j], &nf[i], e);
		}
	}
	return rc;
}

int
files_check(const struct run_file *f, size_t n, const int std_closed[3], struct bpr_err *e)
{
	struct named_file *nf;
	size_t i;
	int rc;

	if (check_names(f, n, std_closed, e) < 0)
		return -1;
	if ((nf = calloc(n + 1, sizeof(*nf))) == NULL)
		return bpr_fail(e, "out of memory");
	for (i = 0, rc = 0; i < n && rc == 0; i++)
		rc = identify(&nf[i], &f[i], e);
	if (rc == 0)
		rc = check_all(f, nf, n, e);
	for (i = 0; i < n; i++)
		file_id_free(&nf[i].id);
	free(nf);
	for (i = 0; i < n && rc == 0; i++)
		if (f[i].path != NULL && f[i].role == FILE_OUTPUT)
			rc = output_probe(f[i].path, e);
	return rc;
}

int
files_checkpoints_spare(const char *opt, const char *input, const char *output,
    unsigned long epochs_done, struct bpr_err *e)
{
	struct file_id in, cp;
	int rc = 0;

	if (file_id_input(&in, input, e) < 0)
		return -1;
	if (file_id_checkpoints(&cp, output, e) < 0) {
		file_id_free(&in);
		return -1;
	}
	if (file_id_is_checkpoint(&in, &cp, epochs_done))
		rc = bpr_fail_usage(e, "%s %s is a name of the checkpoints (%s.epochN) this run writes",
		    opt, input, output);
	file_id_free(&in);
	file_id_free(&cp);
	return rc;
}
