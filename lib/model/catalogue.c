#include "model/model_impl.h"

#include <stdlib.h>
#include <string.h>

#include "data/positives.h"
#include "data/sort.h"
#include "io/mem.h"

static int model_make_tag_rows(struct bpr_model *m, struct bpr_err *e);

/* Group (item, tag) pairs by item: cat_items maps an item id to its list. */
int
model_set_catalogue(struct bpr_model *m, uint64_t *pairs, size_t n, struct bpr_err *e)
{
	uint64_t *tmp = mem_array(n + 1, sizeof(*tmp), 0, "item tags", e);
	size_t i, lists = 0, run = 0;
	uint32_t item, tag;

	if (tmp == NULL)
		return -1;
	radix_sort_u64(pairs, tmp, n);
	free(tmp);
	m->cat_tags = mem_array(n + 1, sizeof(*m->cat_tags), 0, "item tags", e);
	m->cat_start = mem_array(n + 1, sizeof(*m->cat_start), 0, "item tags", e);
	if (m->cat_tags == NULL || m->cat_start == NULL)
		return -1;
	for (i = 0; i < n; i++) {
		if (i > 0 && pairs[i] == pairs[i - 1])
			continue;	/* a repeated pair is one tag */
		item = (uint32_t)(pairs[i] >> 32);
		tag = (uint32_t)pairs[i];
		if (lists == 0 || item != m->cat_items.ids[lists - 1]) {
			if (idmap_add(&m->cat_items, item) < 0)
				return bpr_fail(e, "out of memory");
			m->cat_start[lists++] = (uint32_t)m->cat_len;
			run = 0;
		}
		m->cat_tags[m->cat_len++] = tag;
		m->ntags = tag + 1 > m->ntags ? tag + 1 : m->ntags;
		m->pad_len = ++run > m->pad_len ? (uint32_t)run : m->pad_len;
	}
	m->cat_start[lists] = (uint32_t)m->cat_len;
	if (m->tag_mode == TAGS_PADDED_MEAN && m->ntags == 0)
		m->ntags = 1;	/* padding is tag 0 even when no item has a tag */
	return model_make_tag_rows(m, e);
}

int
model_copy_catalogue(struct bpr_model *dst, const struct bpr_model *src, struct bpr_err *e)
{
	uint64_t *keys = mem_array(src->cat_len + 1, sizeof(*keys), 0, "item tags", e);
	size_t i, k, n = 0;
	int rc;

	if (keys == NULL)
		return -1;
	for (i = 0; i < src->cat_items.count; i++)
		for (k = src->cat_start[i]; k < src->cat_start[i + 1]; k++)
			keys[n++] = (uint64_t)src->cat_items.ids[i] << 32 | src->cat_tags[k];
	rc = model_set_catalogue(dst, keys, n, e);
	free(keys);
	return rc;
}

/* Tag rows 0..ntags-1: tag ids are small integers (ml-genres' vocabulary). */
static int
model_make_tag_rows(struct bpr_model *m, struct bpr_err *e)
{
	uint32_t t;

	if (m->tag_dim == 0)
		return 0;
	if (m->ntags > (1u << 24))
		return bpr_fail(e, "tag id %u is too large: tags are small integers as ml-genres writes them",
		    m->ntags - 1);
	for (t = (uint32_t)m->tag.rows; t < m->ntags; t++)
		if (model_add_row(m, &m->tag, t, m->step, e) < 0)
			return -1;
	return 0;
}

static int
push_tag(struct bpr_model *m, uint32_t tag, struct bpr_err *e)
{
	if (mem_grow(&m->tag_list, &m->tag_list_cap, m->tag_list_len + 1, sizeof(*m->tag_list),
	    "item tags", e) < 0)
		return -1;
	m->tag_list[m->tag_list_len++] = tag;
	return 0;
}

size_t
model_catalogue_tags(const struct bpr_model *m, uint32_t id, const uint32_t **tags)
{
	/* an empty map has no table to probe */
	int64_t c = m->cat_items.count > 0 ? idmap_find(&m->cat_items, id) : -1;

	if (c < 0)
		return 0;
	*tags = m->cat_tags + m->cat_start[c];
	return m->cat_start[c + 1] - m->cat_start[c];
}

/* Append item row i's tag list, as its catalogue entry and the tag mode say. */
int
model_add_item_tags(struct bpr_model *m, size_t i, uint32_t id, struct bpr_err *e)
{
	const uint32_t *tags = NULL;
	uint32_t k, n = m->tag_dim ? (uint32_t)model_catalogue_tags(m, id, &tags) : 0;

	size_t cap_start = m->tag_rows_cap, cap_scale = m->tag_rows_cap;

	/* Two arrays, one capacity: grow both from the same count. */
	if (mem_grow(&m->tag_start, &cap_start, i + 2, sizeof(*m->tag_start), "item tags", e) < 0 ||
	    mem_grow(&m->tag_scale, &cap_scale, i + 2, sizeof(*m->tag_scale), "item tags", e) < 0)
		return -1;
	m->tag_rows_cap = cap_start;
	for (k = 0; k < n; k++)
		if (push_tag(m, tags[k], e) < 0)
			return -1;
	m->tag_scale[i] = n > 0 ? 1.0f / (float)n : 1.0f;
	if (m->tag_mode == TAGS_SUM)
		m->tag_scale[i] = 1.0f;
	if (m->tag_mode == TAGS_PADDED_MEAN && m->tag_dim > 0 && m->pad_len > 0) {
		for (; n < m->pad_len; n++)
			if (push_tag(m, 0, e) < 0)
				return -1;
		m->tag_scale[i] = 1.0f / (float)m->pad_len;
	}
	m->tag_start[i + 1] = (uint32_t)m->tag_list_len;
	return 0;
}

int
model_add_catalogue_rows(struct bpr_model *m, struct bpr_err *e)
{
	size_t c;

	for (c = 0; c < m->cat_items.count; c++)
		if (model_item_row(m, m->cat_items.ids[c], e) < 0)
			return -1;
	return 0;
}

int
model_cold_vector(const struct bpr_model *m, const uint32_t *tags, size_t n, float *out,
    struct bpr_err *e)
{
	float *t = out + m->ipad, scale;
	size_t i, count = n;

	memset(out, 0, (m->ipad + m->tpad) * sizeof(float));
	if (m->tag_dim == 0)
		return bpr_fail(e, "the model has no tag part: it cannot score an item by its tags");
	for (i = 0; i < n; i++) {
		if (tags[i] >= m->tag.rows)
			return bpr_fail(e, "tag %u is not in the model (it has tags 0..%zu)", tags[i],
			    m->tag.rows - 1);
		vec_axpy(t, 1.0f, model_row(&m->tag, tags[i]), m->tpad);
	}
	if (m->tag_mode == TAGS_PADDED_MEAN && m->pad_len > n) {
		/* the notebook pads the list with tag 0 */
		for (; count < m->pad_len; count++)
			vec_axpy(t, 1.0f, model_row(&m->tag, 0), m->tpad);
	}
	scale = m->tag_mode == TAGS_SUM || count == 0 ? 1.0f : 1.0f / (float)count;
	if (scale != 1.0f)
		vec_scale_to(t, scale, t, m->tpad);
	return 0;
}

int
model_item_vector(const struct bpr_model *m, uint32_t id, float *out, float *bias,
    struct bpr_err *e)
{
	int64_t row = idmap_find(&m->item_rows, id);
	const uint32_t *tags;
	size_t n;

	*bias = 0;
	if (row >= 0) {
		memcpy(out, model_row(&m->item, (size_t)row), m->ipad * sizeof(float));
		if (m->tpad > 0)
			model_tag_part(m, (size_t)row, out + m->ipad);
		if (m->use_bias)
			*bias = m->bias.w[row];
		return 1;
	}
	memset(out, 0, (m->ipad + m->tpad) * sizeof(float));
	n = m->tag_dim > 0 ? model_catalogue_tags(m, id, &tags) : 0;
	if (n > 0 && model_cold_vector(m, tags, n, out, e) < 0)
		return -1;
	return 0;
}

const uint32_t *
model_catalogue_items(const struct bpr_model *m, size_t *n)
{
	*n = m->cat_items.count;
	return m->cat_items.ids;
}

int
model_read_catalogue(struct bpr_model *m, struct bpr_input *in, uint32_t *crc, struct bpr_err *e)
{
	static const char *const names[3] = { "item", "tag", "item tags" };
	uint64_t *pairs;
	size_t n;
	int rc;

	input_track_crc(in);
	rc = read_id_pairs(in, names, &pairs, &n, NULL, e) < 0 ? -1 :
	    model_set_catalogue(m, pairs, n, e);
	*crc = input_crc(in);
	free(pairs);
	return rc;
}
