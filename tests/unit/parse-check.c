/*
 * parse-check [N]: N random strings (default 200000) read by lib/io/parse.c
 * and by the C library, which must agree: parse_double as strtod within
 * its documented limits (decimal notation, finite, not out of range),
 * parse_i64, parse_u64 and parse_id as strtoll and strtoull on plain
 * digits. Then random doubles and floats written by format_double and
 * format_float, which must read back exactly, in no more significant
 * digits than the shortest %g that does. Prints the count checked and
 * every disagreement; exits 1 on any.
 */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "io/parse.h"

static unsigned long long state = 88172645463325252ull;
static long failures;

static unsigned long long
next(void)
{
	state ^= state << 13;
	state ^= state >> 7;
	state ^= state << 17;
	return state;
}

static unsigned
below(unsigned n)
{
	return (unsigned)(next() % n);
}

static void
fail(const char *what, const char *s, const char *detail)
{
	if (failures++ < 20)
		printf("%s '%s': %s\n", what, s, detail);
}

/* A number-like string: sign, digits with a point somewhere, exponent, a stray character. */
static void
random_number(char *s)
{
	static const char junk[] = "+-.eEx 9";
	int digits = (int)below(22), point = (int)below(24), n = 0, i;

	if (below(4) == 0)
		s[n++] = below(2) ? '-' : '+';
	for (i = 0; i <= digits; i++) {
		if (i == point)
			s[n++] = '.';
		if (i < digits)
			s[n++] = (char)('0' + (below(3) == 0 ? 0 : below(10)));
	}
	if (below(5) == 0)
		n += sprintf(s + n, "e%d", (int)below(700) - 350);
	if (below(20) == 0)
		s[below((unsigned)n + 1)] = junk[below(sizeof(junk) - 1)];
	s[n] = '\0';
}

/* What parse_double promises: strtod's value where the text is decimal, whole, finite, in range. */
static int
oracle_double(const char *s, double *v)
{
	char *end;

	if (*s == '\0' || strspn(s, "0123456789+-.eE") != strlen(s) || strlen(s) >= 64)
		return -1;
	errno = 0;
	*v = strtod(s, &end);
	return *end == '\0' && isfinite(*v) && errno != ERANGE ? 0 : -1;
}

static void
check_double(const char *s)
{
	double want = 0, got = 0;
	const char *why;
	int w = oracle_double(s, &want), g = parse_double(s, strlen(s), &got, &why);

	if (w != g || (w == 0 && memcmp(&want, &got, sizeof(want)) != 0)) {
		char detail[128];
		snprintf(detail, sizeof(detail), "strtod %s %.17g, parse_double %s %.17g",
		    w == 0 ? "reads" : "refuses", want, g == 0 ? "reads" : "refuses", got);
		fail("double", s, detail);
	}
}

/* Plain digits, an optional '-' for the signed kind. */
static int
plain_digits(const char *s, int sign)
{
	s += sign && *s == '-';
	return *s != '\0' && strspn(s, "0123456789") == strlen(s);
}

static void
check_integers(const char *s)
{
	const char *why;
	char *end;
	int64_t i64;
	uint64_t u64;
	uint32_t id;
	long long sv;
	unsigned long long uv;
	int ok;

	errno = 0;
	sv = strtoll(s, &end, 10);
	ok = plain_digits(s, 1) && errno != ERANGE;
	if ((parse_i64(s, strlen(s), &i64, &why) == 0) != ok || (ok && i64 != sv))
		fail("i64", s, ok ? "strtoll reads it otherwise" : "strtoll refuses it");
	errno = 0;
	uv = strtoull(s, &end, 10);
	ok = plain_digits(s, 0) && errno != ERANGE;
	if ((parse_u64(s, strlen(s), &u64, &why) == 0) != ok || (ok && u64 != uv))
		fail("u64", s, ok ? "strtoull reads it otherwise" : "strtoull refuses it");
	ok = ok && uv <= 2147483647u;
	if ((parse_id(s, strlen(s), &id, &why) == 0) != ok || (ok && id != uv))
		fail("id", s, ok ? "an id 0..2^31-1 read otherwise" : "not an id 0..2^31-1");
}

/* Significant digits of the shortest %g that reads back as v (p 1..max). */
static int
shortest_g(double v, int max, int as_float)
{
	char buf[64];
	int p;

	for (p = 1; p < max; p++) {
		snprintf(buf, sizeof(buf), "%.*g", p, v);
		if (as_float ? strtof(buf, NULL) == (float)v : strtod(buf, NULL) == v)
			break;
	}
	return p;
}

/*
 * Significant digits written: those of the mantissa from its first
 * nonzero digit; a whole number's trailing zeros only place it.
 */
static int
significant(const char *s)
{
	size_t end = strcspn(s, "e"), i;
	int n = 0, started = 0, trailing = 0;

	for (i = 0; i < end; i++) {
		if (s[i] < '0' || s[i] > '9' || (!started && s[i] == '0'))
			continue;
		started = 1;
		n++;
		trailing = s[i] == '0' ? trailing + 1 : 0;
	}
	if (memchr(s, '.', end) == NULL)
		n -= trailing;
	return n > 0 ? n : 1;
}

static void
check_format(double v, int as_float)
{
	char buf[64], detail[192];
	int len = as_float ? format_float(buf, (float)v) : format_double(buf, v);
	int back = as_float ? strtof(buf, NULL) == (float)v : strtod(buf, NULL) == v;
	int digits = significant(buf), need = shortest_g(v, as_float ? 9 : 17, as_float);

	if ((size_t)len != strlen(buf) || !back || digits > need) {
		snprintf(detail, sizeof(detail), "%.17g written as %s (%d digits, %d needed)", v, buf,
		    digits, need);
		fail(as_float ? "format_float" : "format_double", buf, detail);
	}
}

/* A double with random bits, or a short decimal, or a half star. */
static double
random_double(void)
{
	unsigned long long bits = next();
	double v;

	switch (below(3)) {
	case 0:
		memcpy(&v, &bits, sizeof(v));
		return isfinite(v) ? v : 1.5;
	case 1:
		return (double)(long long)below(2000000) / (double)(1u << below(12)) - 1000;
	default:
		return below(11) * 0.5;
	}
}

/* The edges random strings seldom reach. */
static const char *const edges[] = {
	"", "-", "+", ".", "-.", "0", "-0", "1.", ".5", "007", "2147483647", "2147483648",
	"4294967295", "4294967296", "9223372036854775807", "9223372036854775808",
	"-9223372036854775808", "-9223372036854775809", "18446744073709551615",
	"18446744073709551616", "99999999999999999999", "123456789012345", "1234567890123456",
	"0.123456789012345", "0.1234567890123456", "1e308", "1.8e308", "2e-308", "4.9e-324",
	"1e-400", "0.000000000000000000000001", "1e", "1e+", "--1", "1-", "1.2.3", NULL
};

int
main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 200000, i;
	char s[128];

	for (i = 0; edges[i] != NULL; i++) {
		check_double(edges[i]);
		check_integers(edges[i]);
	}
	for (i = 0; i < n; i++) {
		random_number(s);
		check_double(s);
		check_integers(s);
	}
	for (i = 0; i < n; i++) {
		double v = random_double();
		check_format(v, 0);
		check_format((double)(float)v, 1);
	}
	printf("parse-check: %ld strings and %ld numbers, %ld disagreements\n", n, n, failures);
	return failures > 0;
}
