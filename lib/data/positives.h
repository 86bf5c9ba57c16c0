/*
 * The positive interactions a model learns from: every distinct (user,
 * item) pair of an interactions TSV (user<TAB>item[<TAB>...]), grouped by
 * user, plus the item universe negatives are drawn from (the items named,
 * and any catalogue of further items).
 */
#ifndef BPR_POSITIVES_H
#define BPR_POSITIVES_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include "io/err.h"
#include "io/input.h"

/*
 * Rows whose third column is a star rating (0 to 5 in halves, as ml-split
 * writes them): a ratings file given where positives were expected takes
 * every rating, the 1-star ones too, as a positive.
 */
struct star_count {
	size_t rated;		/* rows with a star rating */
	size_t below;		/* of them, rated below STAR_LIKED */
};
#define STAR_LIKED 4.0

struct positives {
	size_t nusers, nitems, npairs;
	uint32_t *user_id;	/* [nusers] ascending */
	uint32_t *item_id;	/* [nitems] ascending: the universe */
	uint32_t *start;	/* [nusers + 1] offsets into items */
	uint32_t *items;	/* [npairs] universe indexes, ascending per user */
	uint32_t *item_count;	/* [nitems] positives per item */
	uint32_t max_item_id;	/* largest id in the universe */
	size_t duplicates;	/* repeated pairs, collapsed */
	struct star_count stars;	/* rows of the positives' file that carry a rating */
	size_t rows;		/* data lines read */
	uint32_t crc;		/* CRC32 of the input bytes */
	uint64_t bytes;
	/*
	 * Seen, when read: each user's other interactions (rated below the
	 * positives' threshold, say), as universe indexes ascending per user,
	 * the user's positives taken out; NULL without.
	 */
	uint32_t *seen_start;	/* [nusers + 1] offsets into seen */
	uint32_t *seen;		/* [nseen] */
	size_t nseen;
	size_t seen_rows;	/* data lines of the seen file */
	size_t seen_unused;	/* distinct pairs not kept: a positive, or a user without one */
	uint32_t seen_crc;
};

/*
 * Read interactions; `extra_items` (may be NULL) adds items to the
 * universe without positives (a catalogue: the first column of any TSV).
 */
int positives_read(struct positives *p, struct bpr_input *in,
    struct bpr_input *extra_items, struct bpr_err *e);

/* Item ids, in any order and repeated or not: a catalogue already read. */
struct id_list {
	const uint32_t *ids;
	size_t n;
};

/*
 * The same with the extra items as ids (may be NULL), and `seen` (may be
 * NULL): interactions of the same users that are not positives; their
 * items join the universe.
 */
int positives_read_seen(struct positives *p, struct bpr_input *in,
    const struct id_list *extra, struct bpr_input *seen, struct bpr_err *e);
void positives_free(struct positives *p);

/*
 * positives_read(p, in, NULL, ...) into a new p, by a thread of its own,
 * so that a big file (the train positives to leave out) loads while the
 * caller reads the others; positives_wait joins it, closes in and gives
 * the result (p NULL for in NULL: nothing to read). Where no thread can
 * start, the reading is done before positives_read_behind returns.
 */
struct positives_behind {
	pthread_t thread;
	struct positives *p;
	struct bpr_input *in;
	struct bpr_err e;
	int rc, threaded;
};

void positives_read_behind(struct positives_behind *b, struct bpr_input *in);
int positives_wait(struct positives_behind *b, struct bpr_err *e);
/*
 * Build from (user << 32 | item) keys, which are sorted in place; extra
 * items as for positives_read.
 */
int positives_from_keys(struct positives *p, uint64_t *keys, size_t n,
    const uint32_t *extra_items, size_t nextra, struct bpr_err *e);

/* Universe index of an item id, or -1 (binary search). */
int64_t positives_item_index(const struct positives *p, uint32_t id);
/* Index of a user id, or -1. */
int64_t positives_user_index(const struct positives *p, uint32_t id);

/*
 * find(ctx, id) of each of p's universe indexes (an index, or -1): one
 * lookup an item, where a lookup a pair would repeat it for every user
 * who has the item. NULL (and e set) when out of memory.
 */
int32_t *positives_item_map(const struct positives *p,
    int64_t (*find)(const void *ctx, uint32_t id), const void *ctx, struct bpr_err *e);
/*
 * How many (user, item) pairs a and b have in common: test pairs that are
 * also training pairs are a leak, or a mix-up of files.
 */
size_t positives_common(const struct positives *a, const struct positives *b);
/* True when user index u has item universe index i as a positive. */
int positives_has(const struct positives *p, uint32_t u, uint32_t i);

/*
 * Read "a<TAB>b[<TAB>...]" id pairs as (a << 32 | b) keys, in input order.
 * names[0] and names[1] name the two ids in messages ("user", "item"),
 * names[2] the whole ("interactions"). Lines starting with '#' are
 * comments. stars (may be NULL) counts the rows that carry a rating.
 */
int read_id_pairs(struct bpr_input *in, const char *const names[3], uint64_t **keys,
    size_t *n, struct star_count *stars, struct bpr_err *e);

/* One "a<TAB>b[<TAB>...]" line as (a << 32 | b); messages name file:lineno. */
int parse_id_pair(const char *line, size_t len, const char *const names[2], uint64_t *key,
    const char *file, long lineno, struct bpr_err *e);

/*
 * Read ids from the first column of a TSV (lines starting with '#'
 * skipped). Used for item catalogues and user lists.
 */
int read_id_column(struct bpr_input *in, uint32_t **ids, size_t *n,
    struct bpr_err *e);

#endif
