#include "io/csvrec.h"

#include <stdlib.h>
#include <string.h>

#include "io/mem.h"

static void
on_field(void *data, size_t len, void *arg)
{
	struct csv_records *c = arg;

	struct bpr_err ignored;

	if (mem_grow(&c->text, &c->text_cap, c->text_len + len + 1, 1, "CSV fields", &ignored) < 0 ||
	    mem_grow(&c->start, &c->start_cap, c->nfields + 1, sizeof(size_t), "CSV fields",
	    &ignored) < 0) {
		c->oom = 1;
		return;
	}
	c->start[c->nfields++] = c->text_len;
	if (len > 0)
		memcpy(c->text + c->text_len, data, len);
	c->text_len += len;
	c->text[c->text_len++] = '\0';
}

static void
on_record(int terminator, void *arg)
{
	struct csv_records *c = arg;

	(void)terminator;
	c->complete++;
}

int
csvrec_init(struct csv_records *c, struct bpr_input *in, struct bpr_err *e)
{
	memset(c, 0, sizeof(*c));
	c->in = in;
	if (csv_init(&c->parser, CSV_STRICT | CSV_STRICT_FINI) != 0)
		return bpr_fail(e, "%s: cannot start the CSV parser", input_name(in));
	return 0;
}

void
csvrec_free(struct csv_records *c)
{
	csv_free(&c->parser);
	free(c->text);
	free(c->start);
	free(c->field);
}

static int
parse_error(struct csv_records *c, struct bpr_err *e)
{
	if (c->oom)
		return bpr_fail(e, "%s: out of memory", input_name(c->in));
	return bpr_fail_at(e, input_name(c->in), input_lineno(c->in),
	    "malformed CSV (%s; a quote inside an unquoted field, or text after a closing quote?)",
	    csv_strerror(csv_error(&c->parser)));
}

/* Feed one line and its newline; libcsv keeps state across quoted newlines. */
static int
feed_line(struct csv_records *c, const char *line, size_t len, struct bpr_err *e)
{
	if (csv_parse(&c->parser, line, len, on_field, on_record, c) != len ||
	    csv_parse(&c->parser, "\n", 1, on_field, on_record, c) != 1 || c->oom)
		return parse_error(c, e);
	if (c->complete > 1)
		return bpr_fail_at(e, input_name(c->in), input_lineno(c->in),
		    "a carriage return inside an unquoted field splits this line in two");
	return 0;
}

static int
finish(struct csv_records *c, long first_open_line, struct bpr_err *e)
{
	if (csv_fini(&c->parser, on_field, on_record, c) != 0)
		return bpr_fail_at(e, input_name(c->in), first_open_line,
		    "unterminated quoted field (the closing quote is missing)");
	if (c->oom)
		return parse_error(c, e);
	c->line = first_open_line;
	return c->complete ? 1 : 0;
}

/* Point c->field at libcsv's collected fields. */
static int
collect_fields(struct csv_records *c, struct bpr_err *e)
{
	size_t i;

	if (mem_grow(&c->field, &c->fields_cap, c->nfields, sizeof(*c->field), "CSV fields", e) < 0)
		return -1;
	for (i = 0; i < c->nfields; i++) {
		c->field[i].s = c->text + c->start[i];
		c->field[i].len = (i + 1 < c->nfields ? c->start[i + 1] : c->text_len) - 1 - c->start[i];
	}
	return 0;
}

static int
is_csv_space(char ch)
{
	return ch == ' ' || ch == '\t';
}

static void
trim_csv_spaces(struct field *f)
{
	while (f->len > 0 && is_csv_space(f->s[0])) {
		f->s++;
		f->len--;
	}
	while (f->len > 0 && is_csv_space(f->s[f->len - 1]))
		f->len--;
}

/*
 * A line with no quote character is a record whose fields are the text
 * between commas, trimmed of spaces and TABs exactly as libcsv trims
 * unquoted fields. Splitting it here, in one pass and without copying,
 * is what lets ml-split read 25 million rating lines in seconds; a line
 * with a quote, and every line of a record a quote left open, goes to
 * libcsv. Returns 0 when the line has a quote (nothing split).
 */
static int
split_plain_line(struct csv_records *c, const char *line, size_t len, struct bpr_err *e)
{
	size_t i, n = 0, from = 0;

	for (i = 0; i <= len; i++) {
		if (i < len && line[i] != ',') {
			if (line[i] == '"')
				return 0;
			continue;
		}
		if (n == c->fields_cap &&
		    mem_grow(&c->field, &c->fields_cap, n + 1, sizeof(*c->field), "CSV fields", e) < 0)
			return -1;
		c->field[n].s = line + from;
		c->field[n].len = i - from;
		trim_csv_spaces(&c->field[n++]);
		from = i + 1;
	}
	c->nfields = n;
	return 1;
}

int
csvrec_next(struct csv_records *c, struct bpr_err *e)
{
	char *line;
	size_t len;
	long first = 0;
	int rc;

	c->complete = 0;
	c->nfields = 0;
	c->text_len = 0;
	while (!c->complete) {
		if ((rc = input_line(c->in, &line, &len, e)) < 0)
			return -1;
		if (rc == 0) {
			if ((rc = finish(c, first, e)) <= 0)
				return rc;
			return collect_fields(c, e) < 0 ? -1 : 1;
		}
		if (first == 0 && len == 0)
			continue;	/* libcsv skips empty lines too */
		if (first == 0)
			first = input_lineno(c->in);
		if (first == input_lineno(c->in) && (rc = split_plain_line(c, line, len, e)) != 0) {
			c->line = first;
			return rc;
		}
		if (feed_line(c, line, len, e) < 0)
			return -1;
	}
	c->line = first;
	return collect_fields(c, e) < 0 ? -1 : 1;
}
