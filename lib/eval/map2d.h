/*
 * A map of the items: their composed vectors projected on the first two
 * principal axes, and each tag drawn as the direction an item moves when
 * it gains that tag. Also what a map is coloured by: an item's main tag.
 */
#ifndef BPR_MAP2D_H
#define BPR_MAP2D_H

#include <stddef.h>
#include <stdint.h>

#include "io/err.h"
#include "model/model.h"

struct item_map {
	double *item_xy;	/* item rows x 2, in row order */
	double *tag_xy;		/* tag rows x 2: directions, not positions */
	size_t nitems, ntags;
};

int item_map_build(struct item_map *im, const struct bpr_model *m, struct bpr_err *e);
void item_map_free(struct item_map *im);

/*
 * How many catalogue items carry each tag: counts[0..m->ntags), NULL on
 * failure.
 */
uint32_t *tag_item_counts(const struct bpr_model *m, struct bpr_err *e);

/*
 * The item's main tag: of its tags, the one the fewest items share (the
 * most telling: Romance over Drama), ties to the lower id; -1 without tags.
 */
int64_t item_main_tag(const struct bpr_model *m, uint32_t id, const uint32_t *counts);

#endif
