/*
 * Errors travel from the library to main() as text in a bpr_err: the
 * library never prints or exits, so every tool decides how to report
 * (and which exit status to use) in one place.
 */
#ifndef BPR_ERR_H
#define BPR_ERR_H

#include <stdarg.h>

/* Exit statuses shared by every tool. */
enum { BPR_EXIT_OK = 0, BPR_EXIT_DATA = 1, BPR_EXIT_USAGE = 2 };

struct bpr_err {
	int status;		/* BPR_EXIT_DATA or BPR_EXIT_USAGE */
	char msg[1024];		/* "file:line: what is wrong (what was expected)" */
};

/*
 * Record a message and the exit status it calls for; always returns -1
 * so callers can `return bpr_fail(...)`. bpr_fail is bad data (exit 1),
 * bpr_fail_usage a usage error (exit 2).
 */
int bpr_fail_as(struct bpr_err *e, int status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
#define bpr_fail(e, ...)	bpr_fail_as((e), BPR_EXIT_DATA, __VA_ARGS__)
#define bpr_fail_usage(e, ...)	bpr_fail_as((e), BPR_EXIT_USAGE, __VA_ARGS__)
/* Bad data, prefixed with "file:line: " (line 0 omits the line). */
int bpr_fail_at(struct bpr_err *e, const char *file, long line,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* Prefix an existing message with more context ("while reading X: "). */
void bpr_err_prefix(struct bpr_err *e, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Human-readable byte count for "cannot allocate" messages. */
const char *bpr_human_bytes(double bytes, char *buf, unsigned size);

#endif
