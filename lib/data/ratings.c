#include "data/ratings.h"

#include <string.h>

#include "io/filekind.h"
#include "io/parse.h"
#include "io/text.h"

static const char *const ratings_layout_names_list[] = { "auto", "tab", "dat", "csv" };
const struct names ratings_layout_names = NAMES_OF(ratings_layout_names_list);

/* Look at the first non-blank line to tell the three layouts apart. */
static int
detect_layout(struct ratings_reader *r, struct bpr_err *e)
{
	const unsigned char *p;
	size_t n, i, end;

	if (input_peek(r->in, 1 << 16, &p, &n, e) < 0)
		return -1;
	/* (a byte order mark holds no separator: it needs no skipping here) */
	for (i = 0; i < n && (p[i] == '\n' || p[i] == '\r' || p[i] == ' ' || p[i] == '\t'); i++)
		;
	for (end = i; end < n && p[end] != '\n'; end++)
		;
	if (memmem(p + i, end - i, "::", 2) != NULL)
		r->layout = LAYOUT_DAT;
	else if (memchr(p + i, '\t', end - i) != NULL)
		r->layout = LAYOUT_TAB;
	else if (memchr(p + i, ',', end - i) != NULL)
		r->layout = LAYOUT_CSV;
	else
		return bpr_fail_at(e, input_name(r->in), 1,
		    "cannot tell the ratings layout (expected TAB like u.data, '::' like ratings.dat, "
		    "or commas like ratings.csv; -f forces one)");
	return 0;
}

int
ratings_open(struct ratings_reader *r, struct bpr_input *in,
    enum ratings_layout layout, double min_rating, double max_rating,
    struct bpr_err *e)
{
	memset(r, 0, sizeof(*r));
	r->in = in;
	r->layout = layout;
	r->min_rating = min_rating;
	r->max_rating = max_rating;
	if (expect_text(in, "ratings", 0, e) < 0)
		return -1;
	if (r->layout == LAYOUT_AUTO && detect_layout(r, e) < 0)
		return -1;
	if (r->layout == LAYOUT_CSV)
		return csvrec_init(&r->csv, in, e);
	return 0;
}

void
ratings_close(struct ratings_reader *r)
{
	if (r->layout == LAYOUT_CSV)
		csvrec_free(&r->csv);
}

/* Validate and convert the four fields of one row. */
static int
convert_fields(struct ratings_reader *r, const struct field *f, size_t nf,
    struct rating_row *row, struct bpr_err *e)
{
	const char *why;

	if (nf != 4)
		return bpr_fail_at(e, input_name(r->in), r->line,
		    "%zu field%s, expected 4 (user, item, rating, timestamp) in %s layout",
		    nf, PLURAL(nf), names_get(&ratings_layout_names, r->layout));
	if (parse_id(f[0].s, f[0].len, &row->user, &why) < 0)
		return bpr_fail_at(e, input_name(r->in), r->line, "user id '%.*s' %s",
		    field_show(&f[0]), why);
	if (parse_id(f[1].s, f[1].len, &row->item, &why) < 0)
		return bpr_fail_at(e, input_name(r->in), r->line, "item id '%.*s' %s",
		    field_show(&f[1]), why);
	if (parse_double(f[2].s, f[2].len, &row->rating, &why) < 0)
		return bpr_fail_at(e, input_name(r->in), r->line, "rating '%.*s' %s",
		    field_show(&f[2]), why);
	if (row->rating < r->min_rating || row->rating > r->max_rating)
		return bpr_fail_at(e, input_name(r->in), r->line,
		    "rating %.*s is out of range (expected %g..%g)",
		    field_show(&f[2]), r->min_rating, r->max_rating);
	if (parse_i64(f[3].s, f[3].len, &row->timestamp, &why) < 0)
		return bpr_fail_at(e, input_name(r->in), r->line, "timestamp '%.*s' %s",
		    field_show(&f[3]), why);
	return 0;
}

static int
next_delimited(struct ratings_reader *r, struct rating_row *row, struct bpr_err *e)
{
	struct field f[5];
	char *line;
	size_t len, nf;
	int rc;

	for (;;) {
		if ((rc = input_line(r->in, &line, &len, e)) <= 0)
			return rc;
		r->line = input_lineno(r->in);
		if (is_blank(line, len)) {
			r->blank_lines++;
			continue;
		}
		if (r->layout == LAYOUT_TAB)
			nf = split_fields(line, len, "\t", 1, f, 5);
		else
			nf = split_fields(line, len, "::", 2, f, 5);
		return convert_fields(r, f, nf, row, e) < 0 ? -1 : 1;
	}
}

static int
first_field_is_number(const struct csv_records *c)
{
	return c->nfields > 0 && c->field[0].len > 0 && c->field[0].s[0] >= '0' &&
	    c->field[0].s[0] <= '9';
}

static int
next_csv(struct ratings_reader *r, struct rating_row *row, struct bpr_err *e)
{
	int rc;

	for (;;) {
		if ((rc = csvrec_next(&r->csv, e)) <= 0)
			return rc;
		r->line = r->csv.line;
		if (!r->header_checked) {
			r->header_checked = 1;
			if (!first_field_is_number(&r->csv))
				continue;	/* "userId,movieId,rating,timestamp" */
		}
		return convert_fields(r, r->csv.field, r->csv.nfields, row, e) < 0 ? -1 : 1;
	}
}

int
ratings_next(struct ratings_reader *r, struct rating_row *row, struct bpr_err *e)
{
	if (r->layout == LAYOUT_CSV)
		return next_csv(r, row, e);
	return next_delimited(r, row, e);
}
