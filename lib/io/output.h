/*
 * Output that is never half-written: a regular file is written under a
 * temporary name in the same directory and renamed into place only when
 * everything was written and flushed; on any error the temporary file is
 * removed and an existing file keeps its old contents. "-" is standard
 * output; devices and FIFOs are written directly (renaming over
 * /dev/full would be a disaster).
 *
 * Replacing a file keeps its permission bits; a symbolic link is followed
 * and its target replaced, so the link stays a link. A file we may not
 * write (a 0444 file, for anyone but root) is refused, as the shell's >
 * refuses it.
 *
 * Every temporary file, whoever opened it, is on one registry, so that a
 * signal handler can remove them all (output_remove_temporaries).
 */
#ifndef BPR_OUTPUT_H
#define BPR_OUTPUT_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "io/err.h"

struct bpr_output {
	char *path;		/* final name, for messages ("stdout" for -) */
	char *target;		/* the file replaced: path, or its link's target */
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
 * The file that writing path replaces: path itself, or, when path is a
 * symbolic link, the end of its chain of links (which may not exist yet).
 * NULL with a message for a loop of links or no memory; free() it.
 */
char *output_target(const char *path, struct bpr_err *e);
/* Flush, close and rename into place; durable also fsyncs first. */
int output_commit(struct bpr_output *o, int durable, struct bpr_err *e);
/* Give up: close and remove the temporary file. Safe after commit. */
void output_abort(struct bpr_output *o);

/*
 * Remove every temporary file still open, in any output of the process:
 * for a signal handler, so it only calls unlink(2) (async-signal-safe).
 */
void output_remove_temporaries(void);
/*
 * A tool's start. A standard stream it was started without (>&-) is held
 * open on /dev/null, closed[fd] set: else the first file it opened would
 * take that descriptor, and results meant for a file go to the stream.
 * SIGINT, SIGTERM and SIGHUP remove the temporary outputs, then end the
 * process as the signal would. -1 when /dev/null cannot be opened.
 */
int output_guard_process(int closed[3]);
/*
 * Start a thread that never runs signal handlers, so that a signal is
 * handled by the thread that opens and commits outputs, never while that
 * thread is between creating a temporary file and registering it.
 */
int output_quiet_thread(pthread_t *tid, void *(*fn)(void *), void *arg);
/*
 * fn on each of n jobs (an array of job_size-byte elements, n <= 256): job 0
 * on the calling thread, the others on quiet threads, all joined before it
 * returns. -1 when a thread could not start: the started ones are joined,
 * the caller's job is not run.
 */
int output_run_threads(int n, void *(*fn)(void *), void *jobs, size_t job_size);

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
void output_double(struct bpr_output *o, double v);
void output_float(struct bpr_output *o, float v);
/* printf-style, for the rare formatted line (headers, comments). */
void output_printf(struct bpr_output *o, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#endif
