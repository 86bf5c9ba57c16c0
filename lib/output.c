#include "output.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "parse.h"

#define OUTPUT_BUFFER (1u << 20)

/* Temporary name ".NAME.XXXXXX" beside the target, so rename(2) is atomic. */
static char *
temp_name_for(const char *path)
{
	const char *slash = strrchr(path, '/');
	size_t dirlen = slash ? (size_t)(slash - path + 1) : 0;
	size_t n = strlen(path) + 16;
	char *tmp = malloc(n);

	if (tmp != NULL)
		snprintf(tmp, n, "%.*s.%s.XXXXXX", (int)dirlen, path, path + dirlen);
	return tmp;
}

static mode_t
creation_mode(void)
{
	mode_t mask = umask(0);

	umask(mask);
	return 0666 & ~mask;
}

static int
open_temporary(struct bpr_output *o, struct bpr_err *e)
{
	if ((o->tmp = temp_name_for(o->path)) == NULL)
		return bpr_fail(e, "%s: out of memory", o->path);
	if ((o->fd = mkstemp(o->tmp)) < 0) {
		int saved = errno;
		free(o->tmp);
		o->tmp = NULL;
		return bpr_fail(e, "%s: cannot create: %s", o->path, strerror(saved));
	}
	fchmod(o->fd, creation_mode());
	return 0;
}

static int
open_target(struct bpr_output *o, const char *path, struct bpr_err *e)
{
	struct stat st;

	if (strcmp(path, "-") == 0) {
		o->fd = STDOUT_FILENO;
		return 0;
	}
	if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
		return bpr_fail(e, "%s: is a directory", path);
	if (stat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
		if ((o->fd = open(path, O_WRONLY | O_TRUNC)) < 0)
			return bpr_fail(e, "%s: cannot open: %s", path, strerror(errno));
		return 0;
	}
	return open_temporary(o, e);
}

int
output_open(struct bpr_output *o, const char *path, struct bpr_err *e)
{
	memset(o, 0, sizeof(*o));
	o->fd = -1;
	o->path = strdup(strcmp(path, "-") == 0 ? "stdout" : path);
	o->buf = malloc(OUTPUT_BUFFER);
	if (o->path == NULL || o->buf == NULL) {
		output_abort(o);
		return bpr_fail(e, "%s: out of memory", path);
	}
	o->cap = OUTPUT_BUFFER;
	if (open_target(o, path, e) < 0) {
		output_abort(o);
		return -1;
	}
	return 0;
}

/* Standard output, devices and FIFOs: written directly, no temporary file. */
static int
written_directly(const char *path)
{
	struct stat st;

	return strcmp(path, "-") == 0 ||
	    (stat(path, &st) == 0 && !S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode));
}

int
output_probe(const char *path, struct bpr_err *e)
{
	struct bpr_output o;

	if (written_directly(path))
		return 0;
	if (output_open(&o, path, e) < 0)
		return -1;
	output_abort(&o);
	return 0;
}

char *
output_identity(const char *path)
{
	const char *slash = strrchr(path, '/');
	char *dir, *real, *id = NULL;
	size_t n;

	if (strcmp(path, "-") == 0)
		return strdup("-");
	if (written_directly(path))
		return NULL;
	if (slash == path)
		dir = strdup("/");
	else
		dir = slash ? strndup(path, (size_t)(slash - path)) : strdup(".");
	if (dir == NULL)
		return NULL;
	/* a missing directory is reported by output_probe; compare as written */
	real = realpath(dir, NULL);
	n = strlen(real ? real : dir) + strlen(path) + 2;
	if ((id = malloc(n)) != NULL)
		snprintf(id, n, "%s/%s", real ? real : dir, slash ? slash + 1 : path);
	free(real);
	free(dir);
	return id;
}

void
output_flush(struct bpr_output *o)
{
	size_t done = 0;
	ssize_t n;

	while (done < o->len && o->failed_errno == 0) {
		n = write(o->fd, o->buf + done, o->len - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			o->failed_errno = errno;
		else
			done += (size_t)n;
	}
	o->len = 0;
}

static void
release(struct bpr_output *o)
{
	if (o->fd > STDERR_FILENO)
		close(o->fd);
	o->fd = -1;
	free(o->tmp);
	free(o->path);
	free(o->buf);
	o->tmp = o->path = NULL;
	o->buf = NULL;
}

int
output_commit(struct bpr_output *o, int durable, struct bpr_err *e)
{
	output_flush(o);
	if (o->failed_errno == 0 && durable && o->tmp != NULL && fsync(o->fd) < 0)
		o->failed_errno = errno;
	if (o->fd > STDERR_FILENO && close(o->fd) < 0 && o->failed_errno == 0)
		o->failed_errno = errno;
	o->fd = -1;
	if (o->failed_errno == 0 && o->tmp != NULL && rename(o->tmp, o->path) < 0)
		o->failed_errno = errno;
	if (o->failed_errno != 0) {
		bpr_fail(e, "%s: write error: %s", o->path, strerror(o->failed_errno));
		output_abort(o);
		return -1;
	}
	release(o);
	return 0;
}

void
output_abort(struct bpr_output *o)
{
	if (o->fd > STDERR_FILENO)
		close(o->fd);
	o->fd = -1;
	if (o->tmp != NULL)
		unlink(o->tmp);
	release(o);
}

void
output_u64(struct bpr_output *o, uint64_t v)
{
	char buf[24];

	output_write(o, buf, (size_t)format_u64(buf, v));
}

void
output_i64(struct bpr_output *o, int64_t v)
{
	char buf[24];

	output_write(o, buf, (size_t)format_i64(buf, v));
}

void
output_double(struct bpr_output *o, double v)
{
	char buf[40];

	output_write(o, buf, (size_t)format_double(buf, v));
}

void
output_printf(struct bpr_output *o, const char *fmt, ...)
{
	char small[512], *text = small;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(small, sizeof(small), fmt, ap);
	va_end(ap);
	if (n < 0) {
		/* a line that cannot be formatted fails the file, not just the line */
		if (o->failed_errno == 0)
			o->failed_errno = errno != 0 ? errno : EINVAL;
		return;
	}
	if ((size_t)n >= sizeof(small)) {
		if ((text = malloc((size_t)n + 1)) == NULL) {
			o->failed_errno = ENOMEM;
			return;
		}
		va_start(ap, fmt);
		vsnprintf(text, (size_t)n + 1, fmt, ap);
		va_end(ap);
	}
	output_write(o, text, (size_t)n);
	if (text != small)
		free(text);
}
