/*
 * Item side data from the three MovieLens catalogue layouts: u.item
 * (ml-100k: '|', Latin-1, one 0/1 column per genre, names in u.genre),
 * movies.dat (ml-1m/10m: "::", genres joined by '|') and movies.csv
 * (ml-20m/25m/latest: CSV with quoted titles). Titles come out UTF-8.
 */
#ifndef BPR_CATALOG_H
#define BPR_CATALOG_H

#include <stddef.h>
#include <stdint.h>

#include "io/err.h"
#include "io/input.h"
#include "io/text.h"

enum catalog_layout { CATALOG_AUTO, CATALOG_ITEM, CATALOG_DAT, CATALOG_CSV };

struct catalog {
	enum catalog_layout layout;
	size_t n;			/* items, in input order */
	uint32_t *item;
	char **title;			/* UTF-8, no TAB or newline */
	uint32_t *tag_start;		/* n + 1 offsets into tags */
	uint32_t *tags;			/* ascending within an item */
	size_t pairs, cap, tags_cap;
	char **tag_name;		/* NULL entries when names are unknown */
	size_t ntags;
};

extern const struct names catalog_layout_names;	/* in enum catalog_layout's order */

/*
 * Read a catalogue. For u.item, `genres` (u.genre, may be NULL) names
 * the genre columns; tag ids are then u.genre's own ids, so "unknown"
 * (0) is a genre like the others. For the other layouts tag ids number
 * the genre names in byte order.
 */
int catalog_read(struct catalog *c, struct bpr_input *in, enum catalog_layout layout,
    struct bpr_input *genres, struct bpr_err *e);
void catalog_free(struct catalog *c);

#endif
