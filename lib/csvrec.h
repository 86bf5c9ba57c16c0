/*
 * CSV records through libcsv, fed a line at a time from a bpr_input so
 * that quoted fields (commas and even newlines inside titles), CRLF line
 * ends and header rows are handled by one well-tested parser, while we
 * still know the line each record started on.
 */
#ifndef BPR_CSVREC_H
#define BPR_CSVREC_H

#include <csv.h>
#include <stddef.h>

#include "err.h"
#include "input.h"

struct csv_records {
	struct csv_parser parser;
	struct bpr_input *in;
	char *text;		/* field bytes, each NUL-terminated */
	size_t text_len, text_cap;
	size_t *start;		/* offset of each field in text */
	size_t nfields, fields_cap;
	int complete;		/* a whole record has been collected */
	int oom;
	long line;		/* line the current record started on */
};

int csvrec_init(struct csv_records *c, struct bpr_input *in, struct bpr_err *e);
/* Next record: 1 with fields ready, 0 at the end, -1 on error. */
int csvrec_next(struct csv_records *c, struct bpr_err *e);
void csvrec_free(struct csv_records *c);

static inline const char *
csvrec_field(const struct csv_records *c, size_t i)
{
	return c->text + c->start[i];
}

static inline size_t
csvrec_field_len(const struct csv_records *c, size_t i)
{
	size_t end = i + 1 < c->nfields ? c->start[i + 1] - 1 : c->text_len - 1;

	return end - c->start[i];
}

#endif
