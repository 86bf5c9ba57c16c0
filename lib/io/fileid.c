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
