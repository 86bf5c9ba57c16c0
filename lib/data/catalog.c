#include "data/catalog.h"

#include <stdlib.h>
#include <string.h>

#include "data/idmap.h"
#include "data/sort.h"
#include "io/csvrec.h"
#include "io/filekind.h"
#include "io/mem.h"
#include "io/parse.h"
#include "io/text.h"

#define U_ITEM_FIXED_FIELDS 5	/* id, title, release, video release, URL */

static const char *const catalog_layout_names_list[] = { "auto", "item", "dat", "csv" };
const struct names catalog_layout_names = NAMES_OF(catalog_layout_names_list);

void
catalog_free(struct catalog *c)
{
	size_t i;

	for (i = 0; i < c->n; i++)
		free(c->title[i]);
	for (i = 0; c->tag_name != NULL && i < c->ntags; i++)
		free(c->tag_name[i]);
	free(c->item);
	free(c->title);
	free(c->tag_start);
	free(c->tags);
	free(c->tag_name);
	memset(c, 0, sizeof(*c));
}

/* The character after the leading digits tells the layouts apart. */
static int
detect_layout(struct bpr_input *in, enum catalog_layout *layout, struct bpr_err *e)
{
	const unsigned char *p;
	size_t n, i = 0;

	if (input_peek(in, 4096, &p, &n, e) < 0)
		return -1;
	if (n >= 3 && memcmp(p, "\xef\xbb\xbf", 3) == 0)
		i = 3;
	while (i < n && p[i] >= '0' && p[i] <= '9')
		i++;
	if (i < n && p[i] == '|')
		*layout = CATALOG_ITEM;
	else if (i + 1 < n && p[i] == ':' && p[i + 1] == ':')
		*layout = CATALOG_DAT;
	else if (i < n && (p[i] == ',' || !(p[i] >= '0' && p[i] <= '9')))
		*layout = CATALOG_CSV;	/* "movieId,title,genres" header */
	else
		return bpr_fail_at(e, input_name(in), 1, "cannot tell the catalogue layout "
		    "(expected u.item '|', movies.dat '::' or movies.csv; -f forces one)");
	return 0;
}

/* UTF-8 title with TAB and newlines made spaces; Latin-1 converted. */
static char *
clean_title(const char *s, size_t len, int latin1)
{
	char *t = malloc(len * 2 + 1);
	size_t n, i;

	if (t == NULL)
		return NULL;
	if (latin1 || !utf8_valid((const unsigned char *)s, len))
		n = latin1_to_utf8((const unsigned char *)s, len, t);
	else
		n = (memcpy(t, s, len), len);
	for (i = 0; i < n; i++)
		if (t[i] == '\t' || t[i] == '\n' || t[i] == '\r')
			t[i] = ' ';
	t[n] = '\0';
	return t;
}

static int
add_item(struct catalog *c, struct idmap *seen, uint32_t id, char *title,
    const char *file, long line, struct bpr_err *e)
{
	size_t before = seen->count;

	if (title == NULL)
		return bpr_fail(e, "out of memory");
	if (idmap_add(seen, id) < 0) {
		free(title);
		return bpr_fail(e, "out of memory");
	}
	if (seen->count == before) {
		free(title);
		return bpr_fail_at(e, file, line, "item %u appears twice", id);
	}
	if (c->n + 1 >= c->cap) {
		size_t cap = c->cap;
		if (mem_grow(&c->item, &cap, c->n + 2, sizeof(*c->item), "the catalogue", e) < 0)
			return -1;
		cap = c->cap;
		if (mem_grow(&c->title, &cap, c->n + 2, sizeof(*c->title), "the catalogue", e) < 0)
			return -1;
		cap = c->cap;
		if (mem_grow(&c->tag_start, &cap, c->n + 2, sizeof(*c->tag_start), "the catalogue", e) < 0)
			return -1;
		c->cap = cap;
	}
	c->item[c->n] = id;
	c->title[c->n] = title;
	c->tag_start[c->n] = (uint32_t)c->pairs;
	c->n++;
	c->tag_start[c->n] = (uint32_t)c->pairs;
	return 0;
}

static int
add_tag(struct catalog *c, uint32_t tag, struct bpr_err *e)
{
	if (mem_grow(&c->tags, &c->tags_cap, c->pairs + 1, sizeof(*c->tags), "item tags", e) < 0)
		return -1;
	c->tags[c->pairs++] = tag;
	c->tag_start[c->n] = (uint32_t)c->pairs;
	return 0;
}

/* Tag id of a genre name, adding it to the vocabulary if new. */
static int64_t
tag_for_name(struct catalog *c, size_t *cap, const char *name, size_t len,
    struct bpr_err *e)
{
	size_t i;

	for (i = 0; i < c->ntags; i++)
		if (strlen(c->tag_name[i]) == len && memcmp(c->tag_name[i], name, len) == 0)
			return (int64_t)i;
	if (mem_grow(&c->tag_name, cap, c->ntags + 1, sizeof(*c->tag_name), "tag names", e) < 0)
		return -1;
	if ((c->tag_name[c->ntags] = strndup(name, len)) == NULL)
		return bpr_fail(e, "out of memory");
	return (int64_t)c->ntags++;
}

static int
compare_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Number the genre names in byte order, so ids do not depend on row order. */
static int
renumber_tags_by_name(struct catalog *c, struct bpr_err *e)
{
	char **sorted;
	uint32_t *new_id;
	size_t i, j;

	if (c->ntags == 0)
		return 0;	/* no item has a genre */
	sorted = mem_array(c->ntags, sizeof(*sorted), 0, "tag names", e);
	new_id = mem_array(c->ntags, sizeof(*new_id), 0, "tag names", e);
	if (sorted == NULL || new_id == NULL) {
		free(sorted);
		free(new_id);
		return -1;
	}
	memcpy(sorted, c->tag_name, c->ntags * sizeof(*sorted));
	sort_array(sorted, c->ntags, sizeof(*sorted), compare_names);
	for (i = 0; i < c->ntags; i++)
		for (j = 0; j < c->ntags; j++)
			if (c->tag_name[i] == sorted[j])
				new_id[i] = (uint32_t)j;
	for (i = 0; i < c->pairs; i++)
		c->tags[i] = new_id[c->tags[i]];
	for (i = 0; i < c->n; i++)
		sort_u32(c->tags + c->tag_start[i], c->tag_start[i + 1] - c->tag_start[i]);
	memcpy(c->tag_name, sorted, c->ntags * sizeof(*sorted));
	free(sorted);
	free(new_id);
	return 0;
}

/* "Drama|War" (movies.dat, movies.csv) */
static int
add_genre_names(struct catalog *c, size_t *names_cap, const char *s, size_t len,
    const char *file, long line, struct bpr_err *e)
{
	struct field f[64];
	size_t nf, i, k;
	int64_t tag;

	if (len == 0)
		return 0;
	nf = split_fields(s, len, "|", 1, f, 64);
	if (nf > 64)
		return bpr_fail_at(e, file, line, "more than 64 genres for one item");
	for (i = 0; i < nf; i++) {
		if (f[i].len == 0)
			return bpr_fail_at(e, file, line, "empty genre name in '%.*s'", (int)len, s);
		if ((tag = tag_for_name(c, names_cap, f[i].s, f[i].len, e)) < 0)
			return -1;
		for (k = c->tag_start[c->n - 1]; k < c->pairs; k++)
			if (c->tags[k] == (uint32_t)tag)
				break;
		if (k == c->pairs && add_tag(c, (uint32_t)tag, e) < 0)
			return -1;
	}
	return 0;
}

static int
parse_item_id(const struct field *f, uint32_t *id, const char *file, long line,
    struct bpr_err *e)
{
	const char *why;

	if (parse_id(f->s, f->len, id, &why) < 0)
		return bpr_fail_at(e, file, line, "item id '%.*s' %s", field_show(f), why);
	return 0;
}

/* u.item: id|title|release|video|url|g0|...|g18, each g 0 or 1. */
static int
read_u_item_line(struct catalog *c, struct idmap *seen, char *line, size_t len,
    size_t *ncols, const char *file, long line_no, struct bpr_err *e)
{
	struct field f[256];
	size_t nf = split_fields(line, len, "|", 1, f, 256), g;
	uint32_t id;

	if (*ncols == 0)
		*ncols = nf;
	if (nf != *ncols || nf <= U_ITEM_FIXED_FIELDS || nf > 256)
		return bpr_fail_at(e, file, line_no, "%zu field%s, expected %zu (id, title, dates, "
		    "URL, then one 0/1 column per genre)", nf, PLURAL(nf), *ncols > U_ITEM_FIXED_FIELDS ? *ncols : 24);
	if (parse_item_id(&f[0], &id, file, line_no, e) < 0 ||
	    add_item(c, seen, id, clean_title(f[1].s, f[1].len, 1), file, line_no, e) < 0)
		return -1;
	for (g = U_ITEM_FIXED_FIELDS; g < nf; g++) {
		if (f[g].len != 1 || (f[g].s[0] != '0' && f[g].s[0] != '1'))
			return bpr_fail_at(e, file, line_no, "genre column %zu is '%.*s', expected 0 or 1",
			    g - U_ITEM_FIXED_FIELDS, field_show(&f[g]));
		if (f[g].s[0] == '1' && add_tag(c, (uint32_t)(g - U_ITEM_FIXED_FIELDS), e) < 0)
			return -1;
	}
	return 0;
}

static int
read_dat_line(struct catalog *c, struct idmap *seen, size_t *names_cap, char *line,
    size_t len, const char *file, long line_no, struct bpr_err *e)
{
	struct field f[4];
	size_t nf = split_fields(line, len, "::", 2, f, 4);
	uint32_t id;

	if (nf != 3)
		return bpr_fail_at(e, file, line_no, "%zu field%s, expected 3 (id::title::genres)", nf,
		    PLURAL(nf));
	if (parse_item_id(&f[0], &id, file, line_no, e) < 0 ||
	    add_item(c, seen, id, clean_title(f[1].s, f[1].len, 0), file, line_no, e) < 0)
		return -1;
	return add_genre_names(c, names_cap, f[2].s, f[2].len, file, line_no, e);
}

static int
read_lines(struct catalog *c, struct bpr_input *in, struct idmap *seen, struct bpr_err *e)
{
	size_t ncols = 0, names_cap = 0, len;
	char *line;
	int rc;

	while ((rc = input_line(in, &line, &len, e)) > 0) {
		if (is_blank(line, len))
			continue;
		if (c->layout == CATALOG_ITEM)
			rc = read_u_item_line(c, seen, line, len, &ncols, input_name(in),
			    input_lineno(in), e);
		else
			rc = read_dat_line(c, seen, &names_cap, line, len, input_name(in),
			    input_lineno(in), e);
		if (rc < 0)
			return -1;
	}
	if (rc == 0 && c->layout == CATALOG_ITEM)
		c->ntags = ncols > U_ITEM_FIXED_FIELDS ? ncols - U_ITEM_FIXED_FIELDS : 0;
	return rc;
}

static int
read_csv(struct catalog *c, struct bpr_input *in, struct idmap *seen, struct bpr_err *e)
{
	struct csv_records r;
	const struct field *f;
	size_t names_cap = 0;
	uint32_t id;
	int rc, first = 1;

	if (csvrec_init(&r, in, e) < 0)
		return -1;
	while ((rc = csvrec_next(&r, e)) > 0) {
		f = r.field;
		if (first && !(f[0].len > 0 && f[0].s[0] >= '0' && f[0].s[0] <= '9')) {
			first = 0;
			continue;	/* movieId,title,genres */
		}
		first = 0;
		if (r.nfields != 3) {
			rc = bpr_fail_at(e, input_name(in), r.line,
			    "%zu field%s, expected 3 (movieId, title, genres)", r.nfields,
			    PLURAL(r.nfields));
			break;
		}
		if (parse_item_id(&f[0], &id, input_name(in), r.line, e) < 0 ||
		    add_item(c, seen, id, clean_title(f[1].s, f[1].len, 0), input_name(in), r.line, e) < 0 ||
		    add_genre_names(c, &names_cap, f[2].s, f[2].len, input_name(in), r.line, e) < 0) {
			rc = -1;
			break;
		}
	}
	csvrec_free(&r);
	return rc;
}

/* u.genre: "name|id" lines naming the u.item genre columns. */
static int
read_genre_names(struct catalog *c, struct bpr_input *in, struct bpr_err *e)
{
	struct field f[3];
	size_t len, nf;
	uint32_t id;
	const char *why;
	char *line;
	int rc;

	if ((c->tag_name = mem_array(c->ntags, sizeof(char *), 1, "genre names", e)) == NULL)
		return -1;
	while ((rc = input_line(in, &line, &len, e)) > 0) {
		if (is_blank(line, len))
			continue;
		if ((nf = split_fields(line, len, "|", 1, f, 3)) != 2)
			return bpr_fail_at(e, input_name(in), input_lineno(in),
			    "%zu field%s, expected 2 (name|id)", nf, PLURAL(nf));
		if (parse_id(f[1].s, f[1].len, &id, &why) < 0)
			return bpr_fail_at(e, input_name(in), input_lineno(in), "genre id '%.*s' %s",
			    field_show(&f[1]), why);
		if (id >= c->ntags)
			return bpr_fail_at(e, input_name(in), input_lineno(in),
			    "genre id %u, but u.item has only %zu genre columns", id, c->ntags);
		if (c->tag_name[id] != NULL)
			return bpr_fail_at(e, input_name(in), input_lineno(in), "genre id %u named twice", id);
		if ((c->tag_name[id] = clean_title(f[0].s, f[0].len, 1)) == NULL)
			return bpr_fail(e, "out of memory");
	}
	if (rc < 0)
		return -1;
	for (id = 0; id < c->ntags; id++)
		if (c->tag_name[id] == NULL)
			return bpr_fail_at(e, input_name(in), 0, "genre %u has no name", id);
	return 0;
}

int
catalog_read(struct catalog *c, struct bpr_input *in, enum catalog_layout layout,
    struct bpr_input *genres, struct bpr_err *e)
{
	struct idmap seen;
	int rc;

	memset(c, 0, sizeof(*c));
	c->layout = layout;
	if (expect_text(in, "an item catalogue", 0, e) < 0)
		return -1;
	if (c->layout == CATALOG_AUTO && detect_layout(in, &c->layout, e) < 0)
		return -1;
	if (idmap_init(&seen, 4096) < 0)
		return bpr_fail(e, "out of memory");
	rc = c->layout == CATALOG_CSV ? read_csv(c, in, &seen, e) : read_lines(c, in, &seen, e);
	idmap_free(&seen);
	if (rc == 0 && c->n == 0)
		rc = bpr_fail_at(e, input_name(in), 0, "no items in the catalogue");
	if (rc == 0 && c->layout != CATALOG_ITEM)
		rc = renumber_tags_by_name(c, e);
	if (rc == 0 && c->layout == CATALOG_ITEM && genres != NULL)
		rc = read_genre_names(c, genres, e);
	if (rc < 0) {
		catalog_free(c);
		return -1;
	}
	return 0;
}
