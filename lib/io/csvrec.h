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

#include "io/err.h"
#include "io/input.h"
#include "io/text.h"

struct csv_records {
	struct csv_parser parser;
	struct bpr_input *in;
	struct field *field;	/* the current record's fields */
	size_t nfields, fields_cap;
	char *text;		/* libcsv's field bytes, each NUL-terminated */
	size_t text_len, text_cap;
	size_t *start;		/* offset of each libcsv field in text */
	size_t start_cap;
	int complete;		/* records libcsv finished in the last feed */
	int oom;
	long line;		/* line the current record started on */
};

int csvrec_init(struct csv_records *c, struct bpr_input *in, struct bpr_err *e);
/*
 * Next record: 1 with c->field[0..nfields) ready (valid until the next
 * call), 0 at the end, -1 on error.
 */
int csvrec_next(struct csv_records *c, struct bpr_err *e);
void csvrec_free(struct csv_records *c);

#endif
