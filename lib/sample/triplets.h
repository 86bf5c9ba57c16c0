/*
 * Triplet streams: epochs of (user, positive, negative) ids, as TSV for
 * people or as a binary stream for speed. Both mark where each epoch ends
 * and how many triplets it held, so a reader knows epochs apart and can
 * tell a complete stream from a truncated one.
 *
 * Binary: "BPRTRIPS", u32 version, u32 epochs announced (0: unknown),
 * u32 metadata length, metadata text; then records of three little-endian
 * u32 (user, pos, neg); an epoch ends with the record
 * (0xffffffff, epoch number, triplets in the epoch).
 *
 * TSV: a "#bprtools-triplets" header line, "user<TAB>pos<TAB>neg" lines,
 * and "#epoch N COUNT" after each epoch.
 */
#ifndef BPR_TRIPLETS_H
#define BPR_TRIPLETS_H

#include <stddef.h>
#include <stdint.h>

#include "io/err.h"
#include "io/input.h"
#include "io/output.h"

/* One triplet of the stream: data set ids. */
struct triplet {
	uint32_t user, pos, neg;
};

#define TRIPLETS_VERSION 1
#define TRIPLET_MARKER 0xffffffffu

struct triplet_writer {
	struct bpr_output *out;
	int tsv;
	uint32_t epoch;
	uint64_t in_epoch;
};

void triplets_write_header(struct triplet_writer *w, struct bpr_output *out, int tsv,
    uint32_t epochs, const char *meta);
void triplets_write(struct triplet_writer *w, const struct triplet *t, size_t n);
int triplets_end_epoch(struct triplet_writer *w, struct bpr_err *e);

struct triplet_reader {
	struct bpr_input *in;
	int tsv;
	uint32_t epochs_announced;	/* 0 when unknown */
	char *meta;			/* the writer's metadata text */
	uint32_t epoch;			/* epochs completed */
	uint64_t in_epoch;		/* triplets read in the current epoch */
	uint64_t record;		/* records read, for messages */
	int saw_marker;			/* TSV without markers is one epoch */
};

/* Detect binary or TSV and read the header. */
int triplets_open(struct triplet_reader *r, struct bpr_input *in, struct bpr_err *e);
void triplets_close(struct triplet_reader *r);

/*
 * Read up to max triplets of the current epoch into out. *got receives
 * the number read; the return is 1 while the epoch goes on, 2 when it
 * ended (after *got triplets), 0 at the end of the stream, -1 on error.
 */
int triplets_read(struct triplet_reader *r, struct triplet *out, size_t max,
    size_t *got, struct bpr_err *e);

#endif
