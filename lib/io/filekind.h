/*
 * Every bprtools file kind announces itself in its first bytes, so a
 * reader handed the wrong kind (a model where ratings were expected, a
 * triplet stream where interactions were) can say so instead of parsing
 * garbage.
 */
#ifndef BPR_FILEKIND_H
#define BPR_FILEKIND_H

#include <stddef.h>

#include "io/err.h"
#include "io/input.h"

#define TRIPLETS_MAGIC "BPRTRIPS"	/* binary triplet stream */
#define TRIPLETS_TSV_HEADER "#bprtools-triplets"
#define MODEL_MAGIC "BPRMODEL"
#define MAGIC_LEN 8

enum file_kind {
	KIND_EMPTY,
	KIND_TEXT,
	KIND_TRIPLETS_BINARY,
	KIND_TRIPLETS_TSV,
	KIND_MODEL,
	KIND_BZIP2,		/* compressed, but not in a way we read */
	KIND_XZ,
	KIND_ZSTD,
	KIND_GZIP_AGAIN,	/* gzip inside gzip (or a zip member): we undo one */
	KIND_BINARY,		/* something else that is not text */
};

/* Classify the first bytes of an input (after gzip is undone). */
enum file_kind sniff_kind(const unsigned char *p, size_t n);
const char *file_kind_name(enum file_kind k);

/*
 * Peek at `in` and fail unless it holds text for a reader of `what`
 * ("ratings", "interactions", ...). Empty input is allowed when
 * allow_empty; otherwise it is an error too.
 */
int expect_text(struct bpr_input *in, const char *what, int allow_empty,
    struct bpr_err *e);

#endif
