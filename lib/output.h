/*
 * Output that is never half-written: a regular file is written under a
 * temporary name in the same directory and renamed into place only when
 * everything was written and flushed; on any error the temporary file is
 * removed and an existing file keeps its old contents. "-" is standard
 * output; devices and FIFOs are written directly (renaming over
 * /dev/full would be a disaster).
 */
#ifndef BPR_OUTPUT_H
#define BPR_OUTPUT_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "err.h"

struct bpr_output {
	char *path;		/* final name, for messages ("stdout" for -) */
	char *tmp;		/* temporary name while writing, or NULL */
	int fd;
	int failed_errno;	/* first write error, 0 if none */
	unsigned char *buf;
	size_t len, cap;
};

int output_open(struct bpr_output *o, const char *path, struct bpr_err *e);
/*
 * Whether path could be written now (its directory exists and lets us
 * create the temporary file), for a program that writes only after a long
 * run: better to fail at once than after hours. Creates and removes the
 * temporary file; standard output, devices and FIFOs are not touched.
 */
int output_probe(const char *path, struct bpr_err *e);
/*
 * The file that writing path would replace, as a name two spellings of it
 * share ("-" for standard output): the real directory and the last
 * component, since the temporary file is renamed onto that name. NULL for
 * a device or FIFO, which outputs may share, and when out of memory.
 */
char *output_identity(const char *path);
/* Flush, close and rename into place; durable also fsyncs first. */
int output_commit(struct bpr_output *o, int durable, struct bpr_err *e);
/* Give up: close and remove the temporary file. Safe after commit. */
void output_abort(struct bpr_output *o);

/* Write the buffer out; errors are remembered and reported at commit. */
void output_flush(struct bpr_output *o);

static inline void
output_write(struct bpr_output *o, const void *p, size_t n)
{
	if (o->cap - o->len < n) {
		output_flush(o);
		if (n >= o->cap) {
			/* Large writes bypass the buffer. */
			const unsigned char *c = p;
			while (n > 0) {
				size_t k = n < o->cap ? n : o->cap;
				memcpy(o->buf, c, k);
				o->len = k;
				output_flush(o);
				c += k;
				n -= k;
			}
			return;
		}
	}
	memcpy(o->buf + o->len, p, n);
	o->len += n;
}

static inline void
output_char(struct bpr_output *o, char c)
{
	if (o->len == o->cap)
		output_flush(o);
	o->buf[o->len++] = (unsigned char)c;
}

static inline void
output_str(struct bpr_output *o, const char *s)
{
	output_write(o, s, strlen(s));
}

void output_u64(struct bpr_output *o, uint64_t v);
void output_i64(struct bpr_output *o, int64_t v);
void output_double(struct bpr_output *o, double v);
/* printf-style, for the rare formatted line (headers, comments). */
void output_printf(struct bpr_output *o, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#endif
