/*
 * How far a long run has come, for the progress line a program draws on
 * a terminal (tools/cli_progress.c): the stage (what is being done, a
 * total and its unit) and how many units are done, added to from any
 * thread. The library only counts; it never prints.
 */
#ifndef BPR_PROGRESS_H
#define BPR_PROGRESS_H

#include <stdint.h>

struct progress_view {
	char what[96];
	char unit[16];
	uint64_t done, total;	/* total 0: not known */
	double started;		/* the stage's start, monotonic_seconds() */
};

/* A new stage of total units (0: not known), what it does in printf's terms. */
void progress_stage(uint64_t total, const char *unit, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* No stage: the work is done (or the next has not begun). */
void progress_done(void);
/* n more units of the stage done. */
void progress_add(uint64_t n);
/*
 * Bytes to read join the stage: a new reading stage, or (while one is
 * under way, another file read meanwhile) a bigger one.
 */
void progress_reading(const char *name, uint64_t bytes);
void progress_get(struct progress_view *v);

#endif
