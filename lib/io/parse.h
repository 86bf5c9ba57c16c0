/*
 * Strict number parsing for user input: the whole field must be a number
 * in range, nothing silently truncated or wrapped (no atoi). Each parser
 * returns 0, or -1 and points *why at a short reason for the message.
 */
#ifndef BPR_PARSE_H
#define BPR_PARSE_H

#include <stddef.h>
#include <stdint.h>

#include "io/err.h"
#include "io/text.h"

#define BPR_ID_MAX 2147483647u	/* ids are 0..2^31-1 (fits int32 tools) */

int parse_id(const char *s, size_t len, uint32_t *out, const char **why);
int parse_u64(const char *s, size_t len, uint64_t *out, const char **why);
int parse_i64(const char *s, size_t len, int64_t *out, const char **why);
/* Decimal notation only (digits, sign, point, exponent); must be finite. */
int parse_double(const char *s, size_t len, double *out, const char **why);

/*
 * A command-line value: the whole of arg, in [min, max] (a name of t),
 * else a usage error naming the option, such as "--epochs 0 is out of
 * range (expected 1..100000)" or "--loss x: unknown (expected a or b)".
 */
int option_int(const char *opt, const char *arg, long long min, long long max, long long *out,
    struct bpr_err *e);
int option_u64(const char *opt, const char *arg, uint64_t *out, struct bpr_err *e);
int option_double(const char *opt, const char *arg, double min, double max, double *out,
    struct bpr_err *e);
int option_name(const char *opt, const char *arg, const struct names *t, int *out,
    struct bpr_err *e);
/* A range "A:B" of numbers in [min, max] (integers if integer), A <= B. */
int option_range(const char *opt, const char *arg, double min, double max, int integer,
    double *lo, double *hi, struct bpr_err *e);
/* Numbers in [min, max] joined by commas ("1,0.5"), at most cap of them, into v[0..*n). */
int option_doubles(const char *opt, const char *arg, double min, double max, double *v,
    size_t cap, size_t *n, struct bpr_err *e);
/* Ids joined by commas ("3,5,7"), at most max of them, into ids[0..*n). */
int option_ids(const char *opt, const char *arg, uint32_t *ids, size_t max, size_t *n,
    struct bpr_err *e);

/*
 * Shortest "%g"-like text that reads back as exactly v, written to buf
 * (at least 32 bytes); returns its length. Half-star ratings take a fast
 * path because ml-split prints tens of millions of them.
 */
int format_double(char *buf, double v);
/*
 * The same for a float: the shortest text that strtof reads back as v
 * (at most 9 significant digits); buf at least 32 bytes.
 */
int format_float(char *buf, float v);
/* Decimal text of v; returns its length (buf at least 21 bytes). */
int format_u64(char *buf, uint64_t v);
int format_i64(char *buf, int64_t v);

#endif
