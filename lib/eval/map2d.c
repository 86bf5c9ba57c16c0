#include "eval/map2d.h"

#include <stdlib.h>
#include <string.h>

#include "eval/pca.h"
#include "io/mem.h"
#include "model/model_impl.h"

uint32_t *
tag_item_counts(const struct bpr_model *m, struct bpr_err *e)
{
	uint32_t *counts = mem_array(m->ntags + 1, sizeof(*counts), 1, "tag counts", e);
	size_t k;

	if (counts == NULL)
		return NULL;
	for (k = 0; k < m->cat_len; k++)
		counts[m->cat_tags[k]]++;
	return counts;
}

int64_t
item_main_tag(const struct bpr_model *m, uint32_t id, const uint32_t *counts)
{
	const uint32_t *tags;
	size_t n = model_catalogue_tags(m, id, &tags), k;
	int64_t best = -1;

	for (k = 0; k < n; k++)
		if (best < 0 || counts[tags[k]] < counts[best] ||
		    (counts[tags[k]] == counts[best] && tags[k] < best))
			best = tags[k];
	return best;
}

/* A tag's direction: the vector of an item with only that tag less one with none. */
static int
tag_directions(struct item_map *im, const struct bpr_model *m, const double *axes,
    const double *zero, float *with, float *without, struct bpr_err *e)
{
	size_t width = m->ipad + m->tpad, t, j;
	uint32_t tag;

	if (model_cold_vector(m, NULL, 0, without, e) < 0)
		return -1;
	for (t = 0; t < im->ntags; t++) {
		tag = (uint32_t)t;
		if (model_cold_vector(m, &tag, 1, with, e) < 0)
			return -1;
		for (j = 0; j < width; j++)
			with[j] -= without[j];
		pca_project(with, width, zero, axes, 2, im->tag_xy + 2 * t);
	}
	return 0;
}

static int
project_items(struct item_map *im, const struct bpr_model *m, double *axes, double *mean,
    struct bpr_err *e)
{
	size_t width = m->ipad + m->tpad, i;
	float *items = model_compose_items(m, e);

	if (items == NULL || pca_axes(items, im->nitems, width, width, 2, axes, mean, e) < 0) {
		free(items);
		return -1;
	}
	for (i = 0; i < im->nitems; i++)
		pca_project(items + i * width, width, mean, axes, 2, im->item_xy + 2 * i);
	free(items);
	return 0;
}

int
item_map_build(struct item_map *im, const struct bpr_model *m, struct bpr_err *e)
{
	size_t width = m->ipad + m->tpad;
	double *axes = mem_array(2 * width, sizeof(*axes), 0, "the map", e);
	double *mean = mem_array(width, sizeof(*mean), 0, "the map", e);
	double *zero = mem_array(width, sizeof(*zero), 1, "the map", e);
	float *with = mem_aligned(width + VEC_LANES, sizeof(float), "the map", e);
	float *without = mem_aligned(width + VEC_LANES, sizeof(float), "the map", e);
	int rc = -1;

	memset(im, 0, sizeof(*im));
	im->nitems = m->item.rows;
	im->ntags = m->tag_dim > 0 ? m->tag.rows : 0;
	im->item_xy = mem_array(2 * im->nitems + 1, sizeof(double), 0, "the map", e);
	im->tag_xy = mem_array(2 * im->ntags + 1, sizeof(double), 0, "the map", e);
	if (axes && mean && zero && with && without && im->item_xy && im->tag_xy &&
	    project_items(im, m, axes, mean, e) == 0 &&
	    (im->ntags == 0 || tag_directions(im, m, axes, zero, with, without, e) == 0))
		rc = 0;
	free(axes);
	free(mean);
	free(zero);
	free(with);
	free(without);
	if (rc < 0)
		item_map_free(im);
	return rc;
}

void
item_map_free(struct item_map *im)
{
	free(im->item_xy);
	free(im->tag_xy);
	im->item_xy = im->tag_xy = NULL;
}
