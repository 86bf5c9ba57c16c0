/*
 * Where training triplets come from, an epoch at a time: a triplet
 * stream (binary or TSV, file or pipe), or the same sampler triplet-sample
 * uses, run in-process on a positives file. Both give the same triplets
 * for the same seed, so both train the same model.
 */
#ifndef BPR_SOURCE_H
#define BPR_SOURCE_H

#include <stddef.h>
#include <stdint.h>

#include "data/positives.h"
#include "io/err.h"
#include "io/input.h"
#include "sample/sampler.h"
#include "sample/triplets.h"

/* Positives (with any items and seen items), their negatives and their epochs. */
struct sampled_epochs {
	struct positives pos;
	struct neg_sampler sampler;
	struct epoch_gen gen;
	struct sampling how;
};

/*
 * Read positives `in` (items and seen may be NULL, as for
 * positives_read_seen) and set up their sampling as `how` says; on
 * failure nothing is left to free.
 */
int sampled_epochs_open(struct sampled_epochs *d, struct bpr_input *in,
    const struct id_list *items, struct bpr_input *seen, const struct sampling *how,
    struct bpr_err *e);
void sampled_epochs_close(struct sampled_epochs *d);

struct triplet_source {
	int internal;
	/* a stream (the source owns its input) */
	struct triplet_reader reader;
	struct bpr_input *in;
	/* or the sampler */
	struct sampled_epochs drawn;
	/* the current epoch */
	struct triplet *buf;
	size_t len, cap;
	uint32_t epochs_announced;	/* 0: as many as the stream holds */
	uint32_t epochs_read;
	char meta[1024];		/* how the triplets were made */
};

/* Read a triplet stream; the source takes in and closes it in source_close. */
int source_open_stream(struct triplet_source *s, struct bpr_input *in, struct bpr_err *e);
/*
 * The sampler on positives `in`; items (may be NULL) widens the universe,
 * seen (may be NULL) adds the users' seen items.
 */
int source_open_sampler(struct triplet_source *s, struct bpr_input *in,
    const struct id_list *items, struct bpr_input *seen, const struct sampling *how,
    struct bpr_err *e);
/* The next epoch in s->buf[0..len): 1, or 0 when the stream has ended. */
int source_next(struct triplet_source *s, struct bpr_err *e);
void source_close(struct triplet_source *s);

#endif
