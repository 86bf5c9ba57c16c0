#include "io/parse.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int
parse_digits(const char *s, size_t len, uint64_t limit, uint64_t *out,
    const char **why)
{
	uint64_t v = 0;
	size_t i;
	int overflow = 0;

	if (len == 0) {
		*why = "is empty";
		return -1;
	}
	for (i = 0; i < len; i++) {
		unsigned d = (unsigned char)s[i] - '0';
		if (d > 9) {
			*why = "is not a non-negative integer";
			return -1;
		}
		overflow |= __builtin_mul_overflow(v, 10, &v);
		overflow |= __builtin_add_overflow(v, d, &v);
	}
	if (overflow || v > limit) {
		*why = "is too large";
		return -1;
	}
	*out = v;
	return 0;
}

int
parse_id(const char *s, size_t len, uint32_t *out, const char **why)
{
	uint64_t v;

	if (len > 0 && s[0] == '-') {
		*why = "is negative (ids are 0..2147483647)";
		return -1;
	}
	if (parse_digits(s, len, BPR_ID_MAX, &v, why) < 0) {
		if (strcmp(*why, "is too large") == 0)
			*why = "is beyond the largest id 2147483647";
		return -1;
	}
	*out = (uint32_t)v;
	return 0;
}

int
parse_u64(const char *s, size_t len, uint64_t *out, const char **why)
{
	if (len > 0 && s[0] == '-') {
		*why = "is negative";
		return -1;
	}
	return parse_digits(s, len, UINT64_MAX, out, why);
}

int
parse_i64(const char *s, size_t len, int64_t *out, const char **why)
{
	uint64_t v;
	int neg = len > 0 && s[0] == '-';

	if (parse_digits(s + neg, len - neg, neg ? (uint64_t)INT64_MAX + 1 :
	    (uint64_t)INT64_MAX, &v, why) < 0) {
		if (strcmp(*why, "is not a non-negative integer") == 0)
			*why = "is not an integer";
		return -1;
	}
	*out = neg ? (int64_t)(0 - v) : (int64_t)v;
	return 0;
}

/*
 * Exact for up to 15 significant digits and 22 decimals: both the
 * mantissa and the power of ten are exact doubles, so one division is
 * correctly rounded (Clinger's fast path). Anything else goes to strtod.
 */
static int
parse_plain_decimal(const char *s, size_t len, double *out)
{
	static const double pow10[] = { 1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6,
	    1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15 };
	uint64_t mant = 0;
	size_t i, digits = 0, frac = 0;
	int seen_point = 0;

	for (i = 0; i < len; i++) {
		unsigned d = (unsigned char)s[i] - '0';
		if (d <= 9) {
			mant = mant * 10 + d;
			digits++;
			frac += seen_point;
		} else if (s[i] == '.' && !seen_point) {
			seen_point = 1;
		} else {
			return -1;
		}
	}
	if (digits == 0 || digits > 15)
		return -1;
	*out = (double)mant / pow10[frac];
	return 0;
}

int
parse_double(const char *s, size_t len, double *out, const char **why)
{
	char buf[64], *end;
	size_t i;
	double v;

	if (len == 0) {
		*why = "is empty";
		return -1;
	}
	if (parse_plain_decimal(s, len, out) == 0)
		return 0;
	for (i = 0; i < len; i++) {
		if (strchr("0123456789+-.eE", s[i]) == NULL || s[i] == '\0') {
			*why = "is not a number";
			return -1;
		}
	}
	if (len >= sizeof(buf)) {
		*why = "is too long to be a number";
		return -1;
	}
	memcpy(buf, s, len);
	buf[len] = '\0';
	errno = 0;
	v = strtod(buf, &end);
	if (end != buf + len) {
		*why = "is not a number";
		return -1;
	}
	if (!isfinite(v) || errno == ERANGE) {
		*why = "is out of the range of a double";
		return -1;
	}
	*out = v;
	return 0;
}

static int
decimal_digits(uint64_t v)
{
	int n = 1;

	while (v >= 10) {
		v /= 10;
		n++;
	}
	return n;
}

/*
 * The fewest significant digits that read back as v. If p digits do,
 * p + 1 do too (the nearest p + 1 digit decimal is at least as close),
 * and 9 always do; most scores need 7 or 8, so the search goes down
 * from 8 and keeps the last text that read back: two or three prints
 * a value where a bisection over 1..9 took four.
 */
int
format_float(char *buf, float v)
{
	char fewer[32];
	int p, len, n;

	len = snprintf(buf, 32, "%.8g", (double)v);
	if (len >= 32 || strtof(buf, NULL) != v)
		return snprintf(buf, 32, "%.9g", (double)v);
	for (p = 7; p >= 1; p--) {
		n = snprintf(fewer, sizeof(fewer), "%.*g", p, (double)v);
		if (n < 0 || n >= (int)sizeof(fewer) || strtof(fewer, NULL) != v)
			break;
		memcpy(buf, fewer, (size_t)n + 1);
		len = n;
	}
	return len;
}

int
format_u64(char *buf, uint64_t v)
{
	static const char pairs[] =
	    "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
	    "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
	    "8081828384858687888990919293949596979899";
	int n = decimal_digits(v);
	char *p = buf + n;

	*p = '\0';
	/* Two digits a division: the tools print hundreds of millions of ids. */
	while (v >= 100) {
		unsigned d = (unsigned)(v % 100) * 2;
		v /= 100;
		*--p = pairs[d + 1];
		*--p = pairs[d];
	}
	if (v >= 10) {
		*--p = pairs[v * 2 + 1];
		*--p = pairs[v * 2];
	} else {
		*--p = (char)('0' + v);
	}
	return n;
}

int
format_i64(char *buf, int64_t v)
{
	if (v < 0) {
		buf[0] = '-';
		return 1 + format_u64(buf + 1, (uint64_t)0 - (uint64_t)v);
	}
	return format_u64(buf, (uint64_t)v);
}

int
format_double(char *buf, double v)
{
	double twice = v * 2;
	int p;

	/* Half-star and whole ratings: "4", "4.5". */
	if (twice >= 0 && twice < 1e15 && twice == (double)(uint64_t)twice) {
		uint64_t t = (uint64_t)twice;
		int n = format_u64(buf, t / 2);
		if (t % 2) {
			memcpy(buf + n, ".5", 3);
			n += 2;
		}
		return n;
	}
	/* Shortest precision that round-trips. */
	for (p = 1; p <= 17; p++) {
		int n = snprintf(buf, 32, "%.*g", p, v);
		if (strtod(buf, NULL) == v)
			return n;
	}
	return snprintf(buf, 32, "%.17g", v);
}

int
option_int(const char *opt, const char *arg, long long min, long long max, long long *out,
    struct bpr_err *e)
{
	int64_t v;
	const char *why;

	if (parse_i64(arg, strlen(arg), &v, &why) < 0)
		return bpr_fail_usage(e, "%s '%s' %s", opt, arg, why);
	if (v < min || v > max)
		return bpr_fail_usage(e, "%s %s is out of range (expected %lld..%lld)", opt, arg, min, max);
	*out = v;
	return 0;
}

int
option_u64(const char *opt, const char *arg, uint64_t *out, struct bpr_err *e)
{
	const char *why;

	if (parse_u64(arg, strlen(arg), out, &why) < 0)
		return bpr_fail_usage(e, "%s '%s' %s", opt, arg, why);
	return 0;
}

int
option_double(const char *opt, const char *arg, double min, double max, double *out,
    struct bpr_err *e)
{
	const char *why;

	if (parse_double(arg, strlen(arg), out, &why) < 0)
		return bpr_fail_usage(e, "%s '%s' %s", opt, arg, why);
	if (*out < min || *out > max)
		return bpr_fail_usage(e, "%s %s is out of range (expected %g..%g)", opt, arg, min, max);
	return 0;
}

int
option_name(const char *opt, const char *arg, const struct names *t, int *out, struct bpr_err *e)
{
	char list[512];

	if ((*out = names_find(t, arg)) >= 0)
		return 0;
	return bpr_fail_usage(e, "%s %s: unknown (expected %s)", opt, arg, names_list(t, list, sizeof(list)));
}

/* One end of a range: an integer or a number in [min, max]. */
static int
range_end(const char *opt, const char *arg, double min, double max, int integer, double *out,
    struct bpr_err *e)
{
	long long v;

	if (!integer)
		return option_double(opt, arg, min, max, out, e);
	if (option_int(opt, arg, (long long)min, (long long)max, &v, e) < 0)
		return -1;
	*out = (double)v;
	return 0;
}

int
option_range(const char *opt, const char *arg, double min, double max, int integer,
    double *lo, double *hi, struct bpr_err *e)
{
	const char *colon = strchr(arg, ':');
	char first[64];

	if (colon == NULL || (size_t)(colon - arg) >= sizeof(first))
		return bpr_fail_usage(e, "%s '%s' is not a range A:B", opt, arg);
	memcpy(first, arg, (size_t)(colon - arg));
	first[colon - arg] = '\0';
	if (range_end(opt, first, min, max, integer, lo, e) < 0 ||
	    range_end(opt, colon + 1, min, max, integer, hi, e) < 0)
		return -1;
	if (*lo > *hi)
		return bpr_fail_usage(e, "%s %s is an empty range (A > B)", opt, arg);
	return 0;
}

int
option_doubles(const char *opt, const char *arg, double min, double max, double *v,
    size_t cap, size_t *n, struct bpr_err *e)
{
	struct field f[256];
	const char *why;
	size_t i;

	*n = split_fields(arg, strlen(arg), ",", 1, f, 256);
	if (*n > cap || *n > 256)
		return bpr_fail_usage(e, "%s: at most %zu numbers", opt, cap < 256 ? cap : 256);
	for (i = 0; i < *n; i++) {
		if (parse_double(f[i].s, f[i].len, &v[i], &why) < 0)
			return bpr_fail_usage(e, "%s: '%.*s' %s", opt, field_show(&f[i]), why);
		if (v[i] < min || v[i] > max)
			return bpr_fail_usage(e, "%s: %.*s is out of range (expected %g..%g)", opt,
			    field_show(&f[i]), min, max);
	}
	return 0;
}

int
option_ids(const char *opt, const char *arg, uint32_t *ids, size_t max, size_t *n,
    struct bpr_err *e)
{
	struct field f[256];
	const char *why;
	size_t i;

	*n = split_fields(arg, strlen(arg), ",", 1, f, 256);
	if (*n > max || *n > 256)
		return bpr_fail_usage(e, "%s: at most %zu ids", opt, max < 256 ? max : 256);
	for (i = 0; i < *n; i++)
		if (parse_id(f[i].s, f[i].len, &ids[i], &why) < 0)
			return bpr_fail_usage(e, "%s: id '%.*s' %s", opt, field_show(&f[i]), why);
	return 0;
}
