#include "io/text.h"

#include <stdio.h>
#include <string.h>

size_t
split_fields(const char *line, size_t len, const char *sep, size_t seplen,
    struct field *f, size_t max)
{
	const char *p = line, *end = line + len, *hit;
	size_t n = 0;

	for (;;) {
		if (seplen == 1)
			hit = memchr(p, sep[0], (size_t)(end - p));
		else
			hit = memmem(p, (size_t)(end - p), sep, seplen);
		if (n < max) {
			f[n].s = p;
			f[n].len = (size_t)((hit ? hit : end) - p);
		}
		n++;
		if (hit == NULL)
			return n;
		p = hit + seplen;
	}
}

int
is_blank(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (s[i] != ' ' && s[i] != '\t')
			return 0;
	return 1;
}

int
is_comment_or_blank(const char *s, size_t len)
{
	return (len > 0 && s[0] == '#') || is_blank(s, len);
}

/* Length of the UTF-8 sequence starting at s, 0 if it is not valid. */
static size_t
utf8_sequence(const unsigned char *s, size_t left)
{
	size_t n, i;
	unsigned c;
	unsigned long cp;

	if (left == 0)
		return 0;
	if ((c = s[0]) < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		n = 2, cp = c & 0x1f;
	else if (c >= 0xe0 && c <= 0xef)
		n = 3, cp = c & 0x0f;
	else if (c >= 0xf0 && c <= 0xf4)
		n = 4, cp = c & 0x07;
	else
		return 0;
	if (n > left)
		return 0;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	/* No overlong forms, no surrogates, nothing past U+10FFFF. */
	if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
	    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
		return 0;
	return n;
}

int
utf8_valid(const unsigned char *s, size_t len)
{
	size_t i = 0, n;

	while (i < len) {
		if ((n = utf8_sequence(s + i, len - i)) == 0)
			return 0;
		i += n;
	}
	return 1;
}

size_t
latin1_to_utf8(const unsigned char *s, size_t len, char *out)
{
	size_t i, n = 0;

	for (i = 0; i < len; i++) {
		if (s[i] < 0x80) {
			out[n++] = (char)s[i];
		} else {
			out[n++] = (char)(0xc0 | s[i] >> 6);
			out[n++] = (char)(0x80 | (s[i] & 0x3f));
		}
	}
	return n;
}

/* Entry i of a column of strings laid out every stride bytes (0: packed). */
static const char *
column_at(const char *const *first, size_t stride, size_t i)
{
	return *(const char *const *)(const void *)((const char *)first +
	    i * (stride ? stride : sizeof(*first)));
}

int
names_find(const struct names *t, const char *s)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		if (strcmp(s, column_at(t->name, t->stride, i)) == 0)
			return (int)i;
	return -1;
}

const char *
names_get(const struct names *t, int i)
{
	return i >= 0 && (size_t)i < t->n ? column_at(t->name, t->stride, (size_t)i) : "?";
}

const char *
names_help(const struct names *t, int i)
{
	return t->help != NULL && i >= 0 && (size_t)i < t->n ? column_at(t->help, t->stride, (size_t)i) :
	    NULL;
}

const char *
names_list(const struct names *t, char *buf, size_t size)
{
	size_t i, n = 0;

	buf[0] = '\0';
	for (i = 0; i < t->n && n < size; i++)
		n += (size_t)snprintf(buf + n, size - n, "%s%s", i == 0 ? "" : i + 1 == t->n ? " or " : ", ",
		    names_get(t, (int)i));
	return buf;
}
