#include "io/input.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "io/gunzip.h"
#include "io/progress.h"
#include "io/text.h"
#include "io/zipread.h"

#define INITIAL_BUFFER (1u << 20)

/* A zip archive whose members are read: a regular file, or bytes in memory. */
struct archive {
	char *path;			/* its name (a pipe's is only for messages) */
	unsigned char *bytes;		/* the archive, when it came through a pipe */
	size_t len;
	int refs;			/* inputs reading members of it */
};

struct bpr_input {
	char *name;
	struct gunzip *gz;		/* plain or gzip input */
	struct zip_member *zip;		/* or one zip member */
	struct archive *archive;	/* the archive of zip */
	unsigned char *buf;
	size_t cap, pos, len;		/* unread bytes are buf[pos..len) */
	int eof;
	int bom_checked;
	long lineno;
	uint64_t bytes;
	uint64_t file_size;		/* a plain regular file's size; 0: not known */
	uint32_t crc;
	int track_crc;
	int counts_progress;
};

const char *
input_name(const struct bpr_input *in)
{
	return in->name;
}

long
input_lineno(const struct bpr_input *in)
{
	return in->lineno;
}

uint64_t
input_bytes(const struct bpr_input *in)
{
	return in->bytes;
}

uint64_t
input_file_size(const struct bpr_input *in)
{
	return in->file_size;
}

size_t
input_records_expected(const struct bpr_input *in, size_t n)
{
	uint64_t used = in->bytes - (in->len - in->pos);
	double all;

	if (in->file_size == 0 || used == 0 || n == 0)
		return 0;
	all = (double)n * ((double)in->file_size / (double)used);
	return all < (double)(SIZE_MAX / 16) ? (size_t)all : 0;
}

uint32_t
input_crc(const struct bpr_input *in)
{
	return in->crc;
}

static int fill(struct bpr_input *in, struct bpr_err *e);

static struct bpr_input *
new_input(const char *path, struct bpr_err *e)
{
	struct bpr_input *in = calloc(1, sizeof(*in));

	if (in == NULL || (in->buf = malloc(INITIAL_BUFFER)) == NULL) {
		free(in);
		bpr_fail(e, "%s: out of memory", path);
		return NULL;
	}
	in->cap = INITIAL_BUFFER;
	in->crc = (uint32_t)crc32(0L, Z_NULL, 0);
	return in;
}

void
input_track_crc(struct bpr_input *in)
{
	/* Bytes already buffered but not consumed count too. */
	in->track_crc = 1;
	in->crc = (uint32_t)crc32(in->crc, in->buf + in->pos, (uInt)(in->len - in->pos));
}

void
input_count_progress(struct bpr_input *in)
{
	progress_reading(in->name, in->file_size);
	in->counts_progress = 1;
	progress_add(in->len);	/* already buffered */
}

/* "dir/x.zip:member" names a member when the whole string is not a file. */
static int
split_member(const char *path, char **archive, char **member)
{
	const char *colon = strstr(path, ".zip:");
	struct stat st;

	*archive = *member = NULL;
	if (colon == NULL || stat(path, &st) == 0)
		return 0;
	colon += 4;
	if ((*archive = strndup(path, (size_t)(colon - path))) == NULL ||
	    (*member = strdup(colon + 1)) == NULL) {
		free(*archive);
		return -1;
	}
	return 1;
}

static void
archive_release(struct archive *a)
{
	if (a == NULL || --a->refs > 0)
		return;
	free(a->path);
	free(a->bytes);
	free(a);
}

/* A stream over the archive's bytes: the file itself, or the copy in memory. */
static FILE *
archive_stream(const struct archive *a)
{
	if (a->bytes != NULL)
		return fmemopen(a->bytes, a->len, "rb");
	return fopen(a->path, "rb");
}

/*
 * Open a member of in->archive (named, or the first of wanted it holds)
 * through f, or a new stream over the archive when f is NULL.
 */
static int
open_member(struct bpr_input *in, FILE *f, const char *member, const char *const *wanted,
    struct bpr_err *e)
{
	static const char *const none[] = { NULL };

	if (f == NULL && (f = archive_stream(in->archive)) == NULL)
		return bpr_fail(e, "%s: cannot open: %s", in->archive->path, strerror(errno));
	free(in->name);
	in->name = NULL;
	in->zip = zip_member_open(f, in->archive->path, member, wanted ? wanted : none, &in->name, e);
	return in->zip != NULL ? 0 : -1;
}

/*
 * Read the rest of the input into memory after what is buffered: a zip
 * archive that came through a pipe, whose central directory is at its end.
 */
static int
hold_in_memory(struct bpr_input *in, struct archive *a, struct bpr_err *e)
{
	while (!in->eof) {
		if (in->len - in->pos > INPUT_MAX_PIPED_ZIP)
			return bpr_fail(e, "%s: a zip archive read from a pipe must fit in %u MiB of "
			    "memory: give the archive as a file", in->name, INPUT_MAX_PIPED_ZIP >> 20);
		if (fill(in, e) < 0)
			return -1;
	}
	a->len = in->len - in->pos;
	if ((a->bytes = malloc(a->len)) == NULL)
		return bpr_fail(e, "%s: out of memory", in->name);
	memcpy(a->bytes, in->buf + in->pos, a->len);
	return 0;
}

/*
 * The input holds a zip archive: read the member from it. A regular file
 * is read in place through a second descriptor of the same open file
 * (raw; no second open by name); anything else, a pipe or gzip around the
 * archive, is held in memory first. raw is closed whatever happens.
 */
static int
become_zip(struct bpr_input *in, int raw, const char *archive, const char *member,
    const char *const *wanted, struct bpr_err *e)
{
	struct archive *a = calloc(1, sizeof(*a));
	FILE *f = NULL;
	int rc = 0;

	if (a == NULL || (a->path = strdup(archive)) == NULL) {
		free(a);
		rc = bpr_fail(e, "%s: out of memory", archive);
	} else {
		a->refs = 1;
		in->archive = a;
	}
	if (rc == 0 && wanted == NULL && member == NULL)
		rc = bpr_fail(e, "%s: is a zip archive; this input cannot be read from one", in->name);
	if (rc == 0 && raw >= 0 && gunzip_is_plain(in->gz)) {
		if ((f = fdopen(raw, "rb")) == NULL)
			rc = bpr_fail(e, "%s: cannot read: %s", archive, strerror(errno));
		else
			raw = -1;	/* the stream owns it now */
	} else if (rc == 0) {
		rc = hold_in_memory(in, a, e);
	}
	if (raw >= 0)
		close(raw);
	if (rc < 0)
		return -1;
	gunzip_close(in->gz);
	in->gz = NULL;
	in->pos = in->len = 0;
	in->eof = 0;
	in->bytes = 0;
	return open_member(in, f, member, wanted, e);
}

/* One descriptor for the whole life of the input: never a second open. */
static int
open_descriptor(const char *path, int *fd, struct stat *st, struct bpr_err *e)
{
	*fd = strcmp(path, "-") == 0 ? dup(STDIN_FILENO) : open(path, O_RDONLY);
	if (*fd < 0)
		return bpr_fail(e, "%s: cannot open: %s", path, strerror(errno));
	memset(st, 0, sizeof(*st));	/* a failed fstat tells nothing: no kind, no size */
	if (fstat(*fd, st) == 0 && S_ISDIR(st->st_mode)) {
		close(*fd);
		return bpr_fail(e, "%s: is a directory", path);
	}
	return 0;
}

/*
 * Open path (or the archive of "archive.zip:member") once, and tell what
 * it holds from its first bytes, read through our own buffer: gzip is
 * undone (io/gunzip.h), a zip archive gives its member.
 */
static int
open_any(struct bpr_input *in, const char *path, const char *archive, const char *member,
    const char *const *wanted, struct bpr_err *e)
{
	const char *file = archive != NULL ? archive : path;
	const unsigned char *p;
	struct stat st;
	size_t n;
	int fd, raw = -1;

	if (open_descriptor(file, &fd, &st, e) < 0)
		return -1;
	if (S_ISREG(st.st_mode) && (raw = dup(fd)) < 0) {
		close(fd);
		return bpr_fail(e, "%s: cannot open: %s", file, strerror(errno));
	}
	if ((in->gz = gunzip_open(fd)) == NULL) {
		if (raw >= 0)
			close(raw);
		return bpr_fail(e, "%s: out of memory", file);
	}
	if ((in->name = strdup(strcmp(file, "-") == 0 ? "stdin" : file)) == NULL ||
	    input_peek(in, 4, &p, &n, e) < 0) {
		if (raw >= 0)
			close(raw);
		return in->name == NULL ? bpr_fail(e, "%s: out of memory", file) : -1;
	}
	if (zip_has_magic(p, n))
		return become_zip(in, raw, in->name, member, wanted, e);
	/* only a plain file's size is its bytes to read */
	if (S_ISREG(st.st_mode) && gunzip_is_plain(in->gz))
		in->file_size = (uint64_t)st.st_size;
	if (raw >= 0)
		close(raw);
	if (archive != NULL)
		return bpr_fail(e, "%s: not a zip archive, so it has no member %s", file, member);
	return 0;
}

struct bpr_input *
input_open(const char *path, const char *const *wanted, struct bpr_err *e)
{
	struct bpr_input *in = new_input(path, e);
	char *archive = NULL, *member = NULL;
	int rc, split;

	if (in == NULL)
		return NULL;
	if ((split = split_member(path, &archive, &member)) < 0)
		rc = bpr_fail(e, "%s: out of memory", path);
	else
		rc = open_any(in, path, archive, member, wanted, e);
	free(archive);
	free(member);
	if (rc < 0) {
		input_close(in);
		return NULL;
	}
	return in;
}

struct bpr_input *
input_open_sibling(const struct bpr_input *of, const char *name, struct bpr_err *e)
{
	const char *member, *slash;
	const char *wanted[2] = { NULL, NULL };
	struct bpr_input *in;
	char *full;
	size_t n;

	if (of->archive == NULL || (in = new_input(of->archive->path, e)) == NULL)
		return NULL;
	/* the member's name follows "archive:" in the input's name */
	member = of->name + strlen(of->archive->path) + 1;
	slash = strrchr(member, '/');
	n = (slash ? (size_t)(slash - member + 1) : 0) + strlen(name) + 1;
	if ((full = malloc(n)) == NULL) {
		input_close(in);
		bpr_fail(e, "%s: out of memory", of->name);
		return NULL;
	}
	snprintf(full, n, "%.*s%s", slash ? (int)(slash - member + 1) : 0, member, name);
	wanted[0] = full;
	in->archive = of->archive;
	in->archive->refs++;
	if (open_member(in, NULL, NULL, wanted, e) < 0) {
		input_close(in);
		in = NULL;
	}
	free(full);
	return in;
}

int
input_is_member(const struct bpr_input *in)
{
	return in->archive != NULL;
}

struct bpr_input *
input_from_bytes(const char *name, const void *bytes, size_t n, struct bpr_err *e)
{
	struct bpr_input *in = calloc(1, sizeof(*in));

	if (in == NULL || (in->buf = malloc(n + 1)) == NULL || (in->name = strdup(name)) == NULL) {
		if (in != NULL)
			free(in->buf);
		free(in);
		bpr_fail(e, "%s: out of memory", name);
		return NULL;
	}
	memcpy(in->buf, bytes, n);
	in->cap = n + 1;
	in->len = n;
	in->bytes = n;
	in->eof = 1;
	in->crc = (uint32_t)crc32(0L, Z_NULL, 0);
	return in;
}

void
input_close(struct bpr_input *in)
{
	if (in == NULL)
		return;
	gunzip_close(in->gz);
	zip_member_close(in->zip);
	archive_release(in->archive);
	free(in->buf);
	free(in->name);
	free(in);
}

/* Append more input to the buffer; sets eof at the end. */
static int
fill(struct bpr_input *in, struct bpr_err *e)
{
	long got;

	if (in->pos > 0) {
		memmove(in->buf, in->buf + in->pos, in->len - in->pos);
		in->len -= in->pos;
		in->pos = 0;
	}
	if (in->len == in->cap) {
		unsigned char *bigger = realloc(in->buf, in->cap * 2);
		if (bigger == NULL)
			return bpr_fail(e, "%s: out of memory (%zu bytes buffered)", in->name, in->cap);
		in->buf = bigger;
		in->cap *= 2;
	}
	if (in->gz != NULL)
		got = gunzip_read(in->gz, in->name, in->buf + in->len, in->cap - in->len, e);
	else if (in->zip != NULL)
		got = zip_member_read(in->zip, in->buf + in->len, in->cap - in->len, e);
	else
		got = 0;	/* bytes from memory: all there from the start */
	if (got < 0)
		return -1;
	if (got == 0)
		in->eof = 1;
	if (in->track_crc)
		in->crc = (uint32_t)crc32(in->crc, in->buf + in->len, (uInt)got);
	in->bytes += (uint64_t)got;
	in->len += (size_t)got;
	if (in->counts_progress)
		progress_add((uint64_t)got);
	return 0;
}

int
input_peek(struct bpr_input *in, size_t n, const unsigned char **p, size_t *avail,
    struct bpr_err *e)
{
	while (in->len - in->pos < n && !in->eof)
		if (fill(in, e) < 0)
			return -1;
	*p = in->buf + in->pos;
	*avail = in->len - in->pos;
	return 0;
}

void
input_skip(struct bpr_input *in, size_t n)
{
	in->pos += n <= in->len - in->pos ? n : in->len - in->pos;
}

long
input_read(struct bpr_input *in, void *dst, size_t n, struct bpr_err *e)
{
	unsigned char *out = dst;
	size_t done = 0, chunk;

	while (done < n) {
		if (in->pos == in->len) {
			if (in->eof)
				break;
			if (fill(in, e) < 0)
				return -1;
			continue;
		}
		chunk = in->len - in->pos;
		if (chunk > n - done)
			chunk = n - done;
		memcpy(out + done, in->buf + in->pos, chunk);
		in->pos += chunk;
		done += chunk;
	}
	return (long)done;
}

/* A UTF-8 byte order mark at the very start is not data. */
static int
skip_bom(struct bpr_input *in, struct bpr_err *e)
{
	const unsigned char *p;
	size_t avail;

	in->bom_checked = 1;
	if (input_peek(in, 3, &p, &avail, e) < 0)
		return -1;
	if (avail >= 3 && memcmp(p, "\xef\xbb\xbf", 3) == 0)
		in->pos += 3;
	return 0;
}

/* The last line may lack its "\n": make room for the terminating NUL. */
static int
reserve_terminator(struct bpr_input *in, struct bpr_err *e)
{
	unsigned char *bigger;

	if (in->len < in->cap)
		return 0;
	if ((bigger = realloc(in->buf, in->cap + 1)) == NULL)
		return bpr_fail(e, "%s: out of memory", in->name);
	in->buf = bigger;
	in->cap++;
	return 0;
}

/* Find the end of the next line, reading more input as needed. */
static int
find_line_end(struct bpr_input *in, unsigned char **nl, struct bpr_err *e)
{
	size_t scanned = 0;

	for (;;) {
		*nl = memchr(in->buf + in->pos + scanned, '\n', in->len - in->pos - scanned);
		if (*nl != NULL)
			return 1;
		if (in->eof)
			return in->pos < in->len ? reserve_terminator(in, e) == 0 ? 1 : -1 : 0;
		scanned = in->len - in->pos;
		if (scanned > INPUT_MAX_LINE)
			return bpr_fail_at(e, in->name, in->lineno + 1, "a line longer than %u bytes "
			    "(not line-oriented text?)", INPUT_MAX_LINE);
		if (fill(in, e) < 0)
			return -1;
	}
}

int
input_line(struct bpr_input *in, char **line, size_t *len, struct bpr_err *e)
{
	unsigned char *start, *nl;
	size_t n;
	int rc;

	if (!in->bom_checked && skip_bom(in, e) < 0)
		return -1;
	if ((rc = find_line_end(in, &nl, e)) <= 0)
		return rc;
	start = in->buf + in->pos;
	n = nl != NULL ? (size_t)(nl - start) : in->len - in->pos;
	if (n > INPUT_MAX_LINE)
		return bpr_fail_at(e, in->name, in->lineno + 1, "a line longer than %u bytes "
		    "(not line-oriented text?)", INPUT_MAX_LINE);
	in->pos += n + (nl != NULL);
	in->lineno++;
	if (n > 0 && start[n - 1] == '\r')
		n--;
	start[n] = '\0';
	if (memchr(start, '\0', n) != NULL)
		return bpr_fail_at(e, in->name, in->lineno,
		    "contains a NUL byte (binary data where text was expected?)");
	*line = (char *)start;
	*len = n;
	return 1;
}

int
input_record(struct bpr_input *in, char **line, size_t *len, struct bpr_err *e)
{
	int rc;

	while ((rc = input_line(in, line, len, e)) > 0 && is_comment_or_blank(*line, *len))
		;
	return rc;
}
