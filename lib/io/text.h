/* Small helpers for splitting and showing text fields. */
#ifndef BPR_TEXT_H
#define BPR_TEXT_H

#include <stddef.h>

struct field {
	const char *s;
	size_t len;
};

/*
 * Split line[0..len) at every occurrence of sep (seplen bytes) into at
 * most max fields; returns the true number of fields, which may exceed
 * max (the extra ones are not stored).
 */
size_t split_fields(const char *line, size_t len, const char *sep, size_t seplen,
    struct field *f, size_t max);

/* True for an empty or all-space/TAB line. */
int is_blank(const char *s, size_t len);
/* An empty or blank line, or a # comment: no record. */
int is_comment_or_blank(const char *s, size_t len);

/* The plural ending of a count's noun: "1 epoch", "2 epochs". */
#define PLURAL(n) ((n) == 1 ? "" : "s")

/* printf("%.*s") arguments showing at most 40 bytes of a field. */
#define field_show(f) (int)((f)->len > 40 ? 40 : (f)->len), (f)->s

/* True when s[0..len) is valid UTF-8. */
int utf8_valid(const unsigned char *s, size_t len);
/*
 * Latin-1 to UTF-8: writes at most 2*len bytes to out; returns the
 * length written.
 */
size_t latin1_to_utf8(const unsigned char *s, size_t len, char *out);

/*
 * The names of an enum's values, in the enum's order: one table to read a
 * value, print it, and list the valid ones in a message.
 */
struct names {
	const char *const *name;	/* the first name */
	size_t n;
	size_t stride;			/* bytes from a name to the next; 0: an array of names */
	const char *const *help;	/* what each value is (same stride), or NULL */
};
#define NAMES_OF(array) { (array), sizeof(array) / sizeof((array)[0]), 0, NULL }

/* The index of s, or -1. */
int names_find(const struct names *t, const char *s);
/* The name of value i. */
const char *names_get(const struct names *t, int i);
/* What value i is, or NULL. */
const char *names_help(const struct names *t, int i);
/* "a, b or c", for "(expected a, b or c)". */
const char *names_list(const struct names *t, char *buf, size_t size);

#endif
