#include "model/model.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "data/rng.h"
#include "data/sort.h"
#include "io/mem.h"
#include "io/parse.h"
#include "io/text.h"
#include "model/modelfile.h"

static const char *const tag_mode_names[] = { "mean", "sum", "off", "padded-mean" };

const char *
tag_mode_name(enum tag_mode mode)
{
	return tag_mode_names[mode];
}

int
tag_mode_parse(const char *s, enum tag_mode *mode)
{
	int i = NAME_INDEX(s, tag_mode_names);

	return i < 0 ? -1 : (*mode = (enum tag_mode)i, 0);
}

static int model_make_tag_rows(struct bpr_model *m, struct bpr_err *e);
struct modelfile;
static int load_tables(struct bpr_model *m, struct modelfile *mf, const char *path,
    struct bpr_err *e);

static void
table_shape(struct param_table *t, size_t stride, uint32_t stream)
{
	memset(t, 0, sizeof(*t));
	t->stride = stride;
	t->init_stream = stream;
}

static void
add_segment(struct param_table *t, size_t off, size_t len)
{
	if (len == 0)
		return;
	t->seg_off[t->nseg] = off;
	t->seg_len[t->nseg] = len;
	t->nseg++;
}

int
model_init(struct bpr_model *m, uint32_t item_dim, uint32_t tag_dim, enum tag_mode mode,
    int use_bias, uint64_t seed, float init_scale, struct bpr_err *e)
{
	memset(m, 0, sizeof(*m));
	m->item_dim = item_dim;
	m->tag_dim = mode == TAGS_OFF ? 0 : tag_dim;
	m->ipad = vec_pad(m->item_dim);
	m->tpad = vec_pad(m->tag_dim);
	m->tag_mode = mode;
	m->use_bias = use_bias;
	m->seed = seed;
	m->init_scale = init_scale;
	table_shape(&m->user, m->ipad + m->tpad, 1);
	add_segment(&m->user, 0, m->item_dim);
	add_segment(&m->user, m->ipad, m->tag_dim);
	table_shape(&m->item, m->ipad, 2);
	add_segment(&m->item, 0, m->item_dim);
	table_shape(&m->tag, m->tpad, 3);
	add_segment(&m->tag, 0, m->tag_dim);
	table_shape(&m->bias, 1, 4);
	add_segment(&m->bias, 0, 1);
	if (idmap_init(&m->user_rows, 1024) < 0 || idmap_init(&m->item_rows, 1024) < 0 ||
	    idmap_init(&m->cat_items, 16) < 0)
		return bpr_fail(e, "out of memory");
	if ((m->tag_start = calloc(1, sizeof(*m->tag_start))) == NULL)
		return bpr_fail(e, "out of memory");
	m->tag_rows_cap = 1;
	return 0;
}

static void
table_free(struct param_table *t)
{
	free(t->w);
	free(t->m);
	free(t->v);
	free(t->rv);
	free(t->last);
	memset(t, 0, sizeof(*t));
}

void
model_free(struct bpr_model *m)
{
	table_free(&m->user);
	table_free(&m->item);
	table_free(&m->tag);
	table_free(&m->bias);
	idmap_free(&m->user_rows);
	idmap_free(&m->item_rows);
	idmap_free(&m->cat_items);
	free(m->tag_start);
	free(m->tag_list);
	free(m->tag_scale);
	free(m->cat_start);
	free(m->cat_tags);
	free(m->meta);
	memset(m, 0, sizeof(*m));
}

/* Grow one aligned float array from `rows` to `cap` rows, zero-filled. */
static int
grow_floats(float **p, size_t rows, size_t cap, size_t stride, const char *what,
    struct bpr_err *e)
{
	float *q = mem_aligned(cap, stride * sizeof(float), what, e);

	if (q == NULL)
		return -1;
	if (*p != NULL)
		memcpy(q, *p, rows * stride * sizeof(float));
	free(*p);
	*p = q;
	return 0;
}

static int
table_reserve(struct param_table *t, size_t need, struct bpr_err *e)
{
	size_t cap = t->cap ? t->cap : 64;
	uint64_t *last;

	if (need <= t->cap)
		return 0;
	while (cap < need)
		cap *= 2;
	if (grow_floats(&t->w, t->rows, cap, t->stride, "model parameters", e) < 0 ||
	    (t->has_m && grow_floats(&t->m, t->rows, cap, t->stride, "optimiser state", e) < 0) ||
	    (t->has_v && grow_floats(&t->v, t->rows, cap, t->stride, "optimiser state", e) < 0) ||
	    (t->has_rv && grow_floats(&t->rv, t->rows, cap, 1, "optimiser state", e) < 0))
		return -1;
	if (t->last != NULL || t->has_m) {
		if ((last = mem_array(cap, sizeof(*last), 1, "optimiser state", e)) == NULL)
			return -1;
		if (t->last != NULL)
			memcpy(last, t->last, t->rows * sizeof(*last));
		free(t->last);
		t->last = last;
	}
	t->cap = cap;
	return 0;
}

/* Initial values depend only on (seed, table, id), not on creation order. */
static void
init_row(const struct bpr_model *m, struct param_table *t, size_t row, uint32_t id)
{
	struct bpr_rng rng;
	float *w = model_row(t, row);
	int s;
	size_t k;

	if (t == &m->bias) {
		w[0] = 0;	/* biases start at zero */
		return;
	}
	rng_seed(&rng, m->seed, RNG_STREAM_INIT, (uint64_t)t->init_stream << 32 | id);
	for (s = 0; s < t->nseg; s++)
		for (k = 0; k < t->seg_len[s]; k++)
			w[t->seg_off[s] + k] = rng_float(&rng, -m->init_scale, m->init_scale);
}

static int
add_row(struct bpr_model *m, struct param_table *t, uint32_t id, uint64_t step,
    struct bpr_err *e)
{
	if (table_reserve(t, t->rows + 1, e) < 0)
		return -1;
	init_row(m, t, t->rows, id);
	if (t->last != NULL)
		t->last[t->rows] = step;
	t->rows++;
	return 0;
}

int
model_enable_state(struct bpr_model *m, int moments, int with_last, int row_state,
    struct bpr_err *e)
{
	struct param_table *tables[] = { &m->user, &m->item, &m->tag, &m->bias };
	size_t i;

	for (i = 0; i < 4; i++) {
		struct param_table *t = tables[i];
		size_t cap = t->cap;
		t->has_m = moments >= 2;
		t->has_v = moments >= 1;
		t->has_rv = row_state;
		if (cap == 0)
			continue;
		if (t->has_rv && t->rv == NULL && grow_floats(&t->rv, 0, cap, 1, "optimiser state", e) < 0)
			return -1;
		if ((t->has_m && t->m == NULL && grow_floats(&t->m, 0, cap, t->stride, "optimiser state", e) < 0) ||
		    (t->has_v && t->v == NULL && grow_floats(&t->v, 0, cap, t->stride, "optimiser state", e) < 0))
			return -1;
		if (with_last && t->last == NULL &&
		    (t->last = mem_array(cap, sizeof(*t->last), 1, "optimiser state", e)) == NULL)
			return -1;
	}
	return 0;
}

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
		if (add_row(m, &m->tag, t, m->step, e) < 0)
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

size_t
model_catalogue_unrowed(const struct bpr_model *m)
{
	size_t c, n = 0;

	for (c = 0; c < m->cat_items.count; c++)
		n += model_item_find(m, m->cat_items.ids[c]) < 0;
	return n;
}

/* Append item row i's tag list, as its catalogue entry and the tag mode say. */
static int
add_item_tags(struct bpr_model *m, size_t i, uint32_t id, struct bpr_err *e)
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

int64_t
model_user_row(struct bpr_model *m, uint32_t id, struct bpr_err *e)
{
	int64_t row = idmap_find(&m->user_rows, id);

	if (row >= 0)
		return row;
	if ((row = idmap_insert(&m->user_rows, id)) < 0)
		return bpr_fail(e, "out of memory for the user index");
	return add_row(m, &m->user, id, m->step, e) < 0 ? -1 : row;
}

int64_t
model_item_find(const void *m, uint32_t id)
{
	return idmap_find(&((const struct bpr_model *)m)->item_rows, id);
}

int64_t
model_item_row(struct bpr_model *m, uint32_t id, struct bpr_err *e)
{
	int64_t row = idmap_find(&m->item_rows, id);

	if (row >= 0)
		return row;
	if ((row = idmap_insert(&m->item_rows, id)) < 0)
		return bpr_fail(e, "out of memory for the item index");
	if (add_row(m, &m->item, id, m->step, e) < 0 ||
	    (m->use_bias && add_row(m, &m->bias, id, m->step, e) < 0) ||
	    add_item_tags(m, (size_t)row, id, e) < 0)
		return -1;
	return row;
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

float *
model_compose_items(const struct bpr_model *m, struct bpr_err *e)
{
	size_t width = m->ipad + m->tpad, i;
	float *w = mem_aligned(m->item.rows, width * sizeof(float), "composed item vectors", e);

	if (w == NULL)
		return NULL;
	for (i = 0; i < m->item.rows; i++) {
		memcpy(w + i * width, model_row(&m->item, i), m->ipad * sizeof(float));
		if (m->tpad > 0)
			model_tag_part(m, i, w + i * width + m->ipad);
	}
	return w;
}

int
model_finite(const struct bpr_model *m)
{
	const struct param_table *tables[] = { &m->user, &m->item, &m->tag, &m->bias };
	size_t i, k;

	for (i = 0; i < 4; i++)
		for (k = 0; k < tables[i]->rows * tables[i]->stride; k++)
			if (!isfinite(tables[i]->w[k]))
				return 0;
	return 1;
}

uint64_t
model_param_count(const struct param_table *t)
{
	uint64_t per_row = 0;
	int s;

	for (s = 0; s < t->nseg; s++)
		per_row += t->seg_len[s];
	return per_row * t->rows;
}

const char *
model_meta(const struct bpr_model *m, const char *key, char *buf, size_t size)
{
	size_t klen = strlen(key), n;
	const char *p = m->meta, *eol;

	buf[0] = '\0';
	while (p != NULL && *p != '\0') {
		eol = strchr(p, '\n');
		n = eol ? (size_t)(eol - p) : strlen(p);
		if (n > klen && strncmp(p, key, klen) == 0 && p[klen] == '=') {
			snprintf(buf, size, "%.*s", (int)(n - klen - 1), p + klen + 1);
			break;
		}
		p = eol ? eol + 1 : NULL;
	}
	return buf;
}

int
model_set_meta(struct bpr_model *m, const char *text, struct bpr_err *e)
{
	char *copy = strdup(text);

	if (copy == NULL)
		return bpr_fail(e, "out of memory");
	free(m->meta);
	m->meta = copy;
	return 0;
}

/* ---------------------------------------------------------------- files */

struct id_row {
	uint32_t id, row;
};

static int
by_id(const void *a, const void *b)
{
	const struct id_row *x = a, *y = b;

	return (x->id > y->id) - (x->id < y->id);
}

/* Rows in ascending id order. */
static uint32_t *
sorted_rows(const struct idmap *map, struct bpr_err *e)
{
	struct id_row *pairs = mem_array(map->count, sizeof(*pairs), 0, "sorting rows", e);
	uint32_t *order = mem_array(map->count, sizeof(*order), 0, "sorting rows", e);
	size_t i;

	if (pairs == NULL || order == NULL) {
		free(pairs);
		free(order);
		return NULL;
	}
	for (i = 0; i < map->count; i++) {
		pairs[i].id = map->ids[i];
		pairs[i].row = (uint32_t)i;
	}
	sort_array(pairs, map->count, sizeof(*pairs), by_id);
	for (i = 0; i < map->count; i++)
		order[i] = pairs[i].row;
	free(pairs);
	return order;
}

static size_t
row_width(const struct param_table *t)
{
	size_t w = 0;
	int s;

	for (s = 0; s < t->nseg; s++)
		w += t->seg_len[s];
	return w;
}

/* The real values of rows order[0..n) (or 0..n) of one array, unpadded. */
static float *
gather(const struct param_table *t, const float *src, const uint32_t *order,
    struct bpr_err *e)
{
	size_t width = row_width(t), i, k = 0;
	float *out = mem_array(t->rows * width + 1, sizeof(float), 0, "saving the model", e);
	int s;

	if (out == NULL)
		return NULL;
	for (i = 0; i < t->rows; i++) {
		const float *row = src + (size_t)(order ? order[i] : i) * t->stride;
		for (s = 0; s < t->nseg; s++) {
			memcpy(out + k, row + t->seg_off[s], t->seg_len[s] * sizeof(float));
			k += t->seg_len[s];
		}
	}
	return out;
}

static uint64_t *
gather_last(const struct param_table *t, const uint32_t *order, struct bpr_err *e)
{
	uint64_t *out = mem_array(t->rows + 1, sizeof(*out), 0, "saving the model", e);
	size_t i;

	if (out != NULL)
		for (i = 0; i < t->rows; i++)
			out[i] = t->last[order ? order[i] : i];
	return out;
}

static float *
gather_row_state(const struct param_table *t, const uint32_t *order, struct bpr_err *e)
{
	float *out = mem_array(t->rows + 1, sizeof(*out), 0, "saving the model", e);
	size_t i;

	if (out != NULL)
		for (i = 0; i < t->rows; i++)
			out[i] = t->rv[order ? order[i] : i];
	return out;
}

struct table_list {
	struct mf_table t[40];
	void *owned[40];
	size_t n;
};

static void
list_add(struct table_list *l, const char *name, enum mf_dtype dtype, uint64_t rows,
    uint64_t cols, const void *data, void *owned)
{
	struct mf_table *t = &l->t[l->n];

	memset(t, 0, sizeof(*t));
	snprintf(t->name, sizeof(t->name), "%s", name);
	t->dtype = dtype;
	t->rows = rows;
	t->cols = cols;
	t->data = data;
	l->owned[l->n++] = owned;
}

static void
list_free(struct table_list *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		free(l->owned[i]);
}

/* One parameter table and its optimiser state, rows in id order. */
static int
list_param_table(struct table_list *l, const char *name, const struct param_table *t,
    const uint32_t *order, struct bpr_err *e)
{
	char full[MODELFILE_NAME_LEN];
	size_t width = row_width(t);
	void *p;

	if ((p = gather(t, t->w, order, e)) == NULL)
		return -1;
	list_add(l, name, MF_F32, t->rows, width, p, p);
	if (t->has_m) {
		snprintf(full, sizeof(full), "%s.m", name);
		if ((p = gather(t, t->m, order, e)) == NULL)
			return -1;
		list_add(l, full, MF_F32, t->rows, width, p, p);
	}
	if (t->has_v) {
		snprintf(full, sizeof(full), "%s.v", name);
		if ((p = gather(t, t->v, order, e)) == NULL)
			return -1;
		list_add(l, full, MF_F32, t->rows, width, p, p);
	}
	if (t->has_rv) {
		snprintf(full, sizeof(full), "%s.rv", name);
		if ((p = gather_row_state(t, order, e)) == NULL)
			return -1;
		list_add(l, full, MF_F32, t->rows, 1, p, p);
	}
	if (t->last != NULL) {
		snprintf(full, sizeof(full), "%s.last", name);
		if ((p = gather_last(t, order, e)) == NULL)
			return -1;
		list_add(l, full, MF_U64, t->rows, 1, p, p);
	}
	return 0;
}

static int
list_ids(struct table_list *l, const char *name, const struct idmap *map,
    const uint32_t *order, struct bpr_err *e)
{
	uint32_t *ids = mem_array(map->count + 1, sizeof(*ids), 0, "saving the model", e);
	size_t i;

	if (ids == NULL)
		return -1;
	for (i = 0; i < map->count; i++)
		ids[i] = map->ids[order[i]];
	list_add(l, name, MF_U32, map->count, 1, ids, ids);
	return 0;
}

/* Item rows' tag lists, in id order. */
static int
list_item_tags(struct table_list *l, const struct bpr_model *m, const uint32_t *order,
    struct bpr_err *e)
{
	size_t n = m->item.rows, i, k = 0;
	uint32_t *start = mem_array(n + 1, sizeof(*start), 0, "saving the model", e);
	uint32_t *tags = mem_array(m->tag_list_len + 1, sizeof(*tags), 0, "saving the model", e);
	float *scale = mem_array(n + 1, sizeof(*scale), 0, "saving the model", e);

	if (start == NULL || tags == NULL || scale == NULL) {
		free(start);
		free(tags);
		free(scale);
		return -1;
	}
	for (i = 0; i < n; i++) {
		uint32_t r = order[i], j;
		start[i] = (uint32_t)k;
		for (j = m->tag_start[r]; j < m->tag_start[r + 1]; j++)
			tags[k++] = m->tag_list[j];
		scale[i] = m->tag_scale[r];
	}
	start[n] = (uint32_t)k;
	list_add(l, "item.tags.start", MF_U32, n + 1, 1, start, start);
	list_add(l, "item.tags", MF_U32, k, 1, tags, tags);
	list_add(l, "item.tags.scale", MF_F32, n, 1, scale, scale);
	return 0;
}

static void
list_catalogue(struct table_list *l, const struct bpr_model *m)
{
	list_add(l, "catalogue.item", MF_U32, m->cat_items.count, 1, m->cat_items.ids, NULL);
	list_add(l, "catalogue.start", MF_U32, m->cat_items.count + 1, 1, m->cat_start, NULL);
	list_add(l, "catalogue.tags", MF_U32, m->cat_len, 1, m->cat_tags, NULL);
}

/* True when line sets a key (the text up to its '=') that one of updates' lines sets. */
static int
key_in(const char *line, const char *updates)
{
	const char *eq = strchr(line, '='), *nl = strchr(line, '\n'), *u, *next;
	size_t klen;

	if (eq == NULL || (nl != NULL && eq > nl))
		return 0;
	klen = (size_t)(eq - line) + 1;	/* the key and its '=' */
	for (u = updates; *u != '\0'; u = next) {
		next = strchr(u, '\n');
		next = next ? next + 1 : u + strlen(u);
		if (strncmp(u, line, klen) == 0)
			return 1;
	}
	return 0;
}

/*
 * The key=value lines of meta, those whose keys updates sets left out,
 * followed by updates' lines.
 */
static char *
meta_replaced(const char *meta, const char *updates, struct bpr_err *e)
{
	size_t size = strlen(meta) + strlen(updates) + 2, n = 0;
	char *out = mem_array(size, 1, 0, "the model description", e);
	const char *p, *eol;

	if (out == NULL)
		return NULL;
	for (p = meta; *p != '\0'; p = eol) {
		eol = strchr(p, '\n');
		eol = eol ? eol + 1 : p + strlen(p);
		if (!key_in(p, updates)) {
			memcpy(out + n, p, (size_t)(eol - p));
			n += (size_t)(eol - p);
		}
	}
	if (n > 0 && out[n - 1] != '\n')
		out[n++] = '\n';
	memcpy(out + n, updates, strlen(updates) + 1);
	return out;
}

int
model_update_meta(struct bpr_model *m, const char *updates, struct bpr_err *e)
{
	char *meta = meta_replaced(m->meta ? m->meta : "", updates, e);

	if (meta == NULL)
		return -1;
	free(m->meta);
	m->meta = meta;
	return 0;
}

/* The meta text with the run's progress (epochs, step) brought up to date. */
static char *
current_meta(const struct bpr_model *m, struct bpr_err *e)
{
	char progress[64];

	snprintf(progress, sizeof(progress), "epochs=%u\nstep=%llu\n", m->epochs,
	    (unsigned long long)m->step);
	return meta_replaced(m->meta ? m->meta : "", progress, e);
}

int
model_save(const struct bpr_model *m, const char *path, struct bpr_err *e)
{
	struct table_list l = { .n = 0 };
	uint32_t *users = sorted_rows(&m->user_rows, e), *items = NULL;
	char *meta = current_meta(m, e);
	int rc = -1;

	if (meta == NULL || users == NULL || (items = sorted_rows(&m->item_rows, e)) == NULL)
		goto done;
	list_add(&l, "meta", MF_TEXT, strlen(meta), 1, meta, meta);
	meta = NULL;
	if (list_ids(&l, "user.id", &m->user_rows, users, e) < 0 ||
	    list_ids(&l, "item.id", &m->item_rows, items, e) < 0 ||
	    list_param_table(&l, "user", &m->user, users, e) < 0 ||
	    list_param_table(&l, "item", &m->item, items, e) < 0 ||
	    (m->tag_dim > 0 && list_param_table(&l, "tag", &m->tag, NULL, e) < 0) ||
	    (m->use_bias && list_param_table(&l, "item.bias", &m->bias, items, e) < 0) ||
	    list_item_tags(&l, m, items, e) < 0)
		goto done;
	if (m->cat_start != NULL)
		list_catalogue(&l, m);
	rc = modelfile_write(path, l.t, l.n, e);
done:
	list_free(&l);
	free(meta);
	free(users);
	free(items);
	return rc;
}

/* A number from the meta text; -1 when missing or malformed. */
static int
meta_number(const struct bpr_model *m, const char *key, double *out)
{
	char buf[64];
	const char *why;

	model_meta(m, key, buf, sizeof(buf));
	return parse_double(buf, strlen(buf), out, &why) == 0 && isfinite(*out) ? 0 : -1;
}

/* A whole number from the meta text, at most max; -1 when missing, malformed or larger. */
static int
meta_count(const struct bpr_model *m, const char *key, uint64_t max, uint64_t *out)
{
	char buf[64];
	const char *why;

	model_meta(m, key, buf, sizeof(buf));
	return parse_u64(buf, strlen(buf), out, &why) == 0 && *out <= max ? 0 : -1;
}

/* Steps are counted exactly in a double (the Adam step table): 2^53. */
#define MAX_STEP (UINT64_C(1) << 53)

static int
load_shape(struct bpr_model *m, const char *meta, const char *path, struct bpr_err *e)
{
	struct bpr_model probe = { .meta = (char *)meta };
	uint64_t idim, tdim, bias, seed, step, epochs;
	double scale;
	char mode[32];
	enum tag_mode tm;

	model_meta(&probe, "tag_mode", mode, sizeof(mode));
	if (meta_count(&probe, "item_dim", 65536, &idim) < 0 || idim == 0 ||
	    meta_count(&probe, "tag_dim", 65536, &tdim) < 0 ||
	    meta_count(&probe, "bias", 1, &bias) < 0 ||
	    meta_count(&probe, "seed", UINT64_MAX, &seed) < 0 ||
	    meta_number(&probe, "init_scale", &scale) < 0 || scale < 0 ||
	    meta_count(&probe, "step", MAX_STEP, &step) < 0 ||
	    meta_count(&probe, "epochs", UINT32_MAX, &epochs) < 0 || tag_mode_parse(mode, &tm) < 0)
		return bpr_fail(e, "%s: the model's description (table 'meta') is incomplete or out of "
		    "range", path);
	if (model_init(m, (uint32_t)idim, (uint32_t)tdim, tm, bias != 0, seed, (float)scale, e) < 0)
		return -1;
	m->step = step;
	m->epochs = (uint32_t)epochs;
	return model_set_meta(m, meta, e);
}

static int
load_ids(const struct modelfile *mf, const char *name, struct idmap *map, uint64_t *n,
    struct bpr_err *e)
{
	uint32_t *ids;
	uint64_t i;

	if (modelfile_get(mf, name, MF_U32, UINT64_MAX, 1, 0, (void **)&ids, n, e) < 0)
		return -1;
	for (i = 0; i < *n; i++) {
		if ((i > 0 && ids[i] <= ids[i - 1]) || ids[i] > 2147483647u || idmap_add(map, ids[i]) < 0) {
			free(ids);
			return bpr_fail(e, "%s: table '%s' is not a list of ascending ids", mf->path, name);
		}
	}
	free(ids);
	return 0;
}

/* Spread unpadded rows into a padded array. */
static void
scatter(const struct param_table *t, float *dst, const float *src)
{
	size_t i, k = 0;
	int s;

	for (i = 0; i < t->rows; i++) {
		for (s = 0; s < t->nseg; s++) {
			memcpy(dst + i * t->stride + t->seg_off[s], src + k, t->seg_len[s] * sizeof(float));
			k += t->seg_len[s];
		}
	}
}

static int
load_array(const struct modelfile *mf, const char *name, struct param_table *t, float *dst,
    int optional, int *present, struct bpr_err *e)
{
	float *src;

	if (modelfile_get(mf, name, MF_F32, t->rows, row_width(t), optional, (void **)&src, NULL, e) < 0)
		return -1;
	if (present != NULL)
		*present = src != NULL;
	if (src != NULL)
		scatter(t, dst, src);
	free(src);
	return 0;
}

static int
load_param_table(const struct modelfile *mf, const char *name, struct param_table *t,
    uint64_t rows, struct bpr_err *e)
{
	char full[MODELFILE_NAME_LEN];
	uint64_t *last;

	/* Probe which state tables exist before sizing the arrays. */
	snprintf(full, sizeof(full), "%s.m", name);
	t->has_m = modelfile_get(mf, full, MF_F32, rows, 0, 1, (void **)&last, NULL, e) == 0 && last;
	free(last);
	snprintf(full, sizeof(full), "%s.v", name);
	t->has_v = modelfile_get(mf, full, MF_F32, rows, 0, 1, (void **)&last, NULL, e) == 0 && last;
	free(last);
	if (table_reserve(t, rows, e) < 0)
		return -1;
	t->rows = rows;
	if (load_array(mf, name, t, t->w, 0, NULL, e) < 0)
		return -1;
	snprintf(full, sizeof(full), "%s.m", name);
	if (t->has_m && load_array(mf, full, t, t->m, 0, NULL, e) < 0)
		return -1;
	snprintf(full, sizeof(full), "%s.v", name);
	if (t->has_v && load_array(mf, full, t, t->v, 0, NULL, e) < 0)
		return -1;
	snprintf(full, sizeof(full), "%s.rv", name);
	if (modelfile_get(mf, full, MF_F32, rows, 1, 1, (void **)&last, NULL, e) < 0)
		return -1;
	if (last != NULL) {
		t->has_rv = 1;
		if ((t->rv = mem_array(t->cap, sizeof(float), 1, "state", e)) == NULL) {
			free(last);
			return -1;
		}
		memcpy(t->rv, last, rows * sizeof(float));
		free(last);
	}
	snprintf(full, sizeof(full), "%s.last", name);
	if (modelfile_get(mf, full, MF_U64, rows, 1, 1, (void **)&last, NULL, e) < 0)
		return -1;
	if (last != NULL) {
		if (t->last == NULL && (t->last = mem_array(t->cap, sizeof(*t->last), 1, "state", e)) == NULL) {
			free(last);
			return -1;
		}
		memcpy(t->last, last, rows * sizeof(*last));
		free(last);
	}
	return 0;
}

static int
load_item_tags(const struct modelfile *mf, struct bpr_model *m, struct bpr_err *e)
{
	uint64_t n = m->item.rows, len, i;
	size_t scale_cap;

	free(m->tag_start);
	m->tag_start = NULL;
	if (modelfile_get(mf, "item.tags.start", MF_U32, n + 1, 1, 0, (void **)&m->tag_start, NULL, e) < 0 ||
	    modelfile_get(mf, "item.tags", MF_U32, UINT64_MAX, 1, 0, (void **)&m->tag_list, &len, e) < 0 ||
	    modelfile_get(mf, "item.tags.scale", MF_F32, n, 1, 0, (void **)&m->tag_scale, NULL, e) < 0)
		return -1;
	/* tag_start and tag_scale share one capacity: n + 1 */
	scale_cap = n;
	if (mem_grow(&m->tag_scale, &scale_cap, n + 1, sizeof(*m->tag_scale), "item tags", e) < 0)
		return -1;
	m->tag_rows_cap = n + 1;
	m->tag_list_len = m->tag_list_cap = len;
	if (m->tag_start[0] != 0 || m->tag_start[n] != len)
		return bpr_fail(e, "%s: corrupt item tag lists", mf->path);
	for (i = 0; i < n; i++)
		if (m->tag_start[i + 1] < m->tag_start[i])
			return bpr_fail(e, "%s: corrupt item tag lists", mf->path);
	for (i = 0; i < len; i++)
		if (m->tag_list[i] >= m->tag.rows)
			return bpr_fail(e, "%s: an item has tag %u, but the model has %zu tags", mf->path,
			    m->tag_list[i], m->tag.rows);
	return 0;
}

static int
load_catalogue(const struct modelfile *mf, struct bpr_model *m, struct bpr_err *e)
{
	uint32_t *items;
	uint64_t n, len, i;

	if (modelfile_get(mf, "catalogue.item", MF_U32, UINT64_MAX, 1, 1, (void **)&items, &n, e) < 0)
		return -1;
	if (items == NULL)
		return 0;
	for (i = 0; i < n; i++) {
		if (idmap_add(&m->cat_items, items[i]) < 0) {
			free(items);
			return bpr_fail(e, "out of memory");
		}
	}
	free(items);
	if (modelfile_get(mf, "catalogue.start", MF_U32, n + 1, 1, 0, (void **)&m->cat_start, NULL, e) < 0 ||
	    modelfile_get(mf, "catalogue.tags", MF_U32, UINT64_MAX, 1, 0, (void **)&m->cat_tags, &len, e) < 0)
		return -1;
	m->cat_len = len;
	if (m->cat_items.count != n || m->cat_start[n] != len)
		return bpr_fail(e, "%s: corrupt catalogue", mf->path);
	for (i = 0; i < n; i++) {
		if (m->cat_start[i + 1] < m->cat_start[i])
			return bpr_fail(e, "%s: corrupt catalogue", mf->path);
		if (m->cat_start[i + 1] - m->cat_start[i] > m->pad_len)
			m->pad_len = m->cat_start[i + 1] - m->cat_start[i];
	}
	for (i = 0; i < len; i++) {
		/* an item trained after loading takes its tags' rows from here */
		if (m->tag_dim > 0 && m->cat_tags[i] >= m->tag.rows)
			return bpr_fail(e, "%s: table 'catalogue.tags' names tag %u, but the model has %zu "
			    "tags", mf->path, m->cat_tags[i], m->tag.rows);
		m->ntags = m->cat_tags[i] + 1 > m->ntags ? m->cat_tags[i] + 1 : m->ntags;
	}
	return 0;
}

/* Every value of an array finite, and not negative where it is a sum of squares. */
static int
check_floats(const float *v, size_t n, int nonnegative, const char *path, const char *table,
    struct bpr_err *e)
{
	size_t i;

	for (i = 0; v != NULL && i < n; i++) {
		if (!isfinite(v[i]))
			return bpr_fail(e, "%s: table '%s' holds a value that is not a finite number "
			    "(%g)", path, table, (double)v[i]);
		if (nonnegative && v[i] < 0)
			return bpr_fail(e, "%s: table '%s' holds a negative sum of squares (%g)", path,
			    table, (double)v[i]);
	}
	return 0;
}

/* A parameter table's values and state: what training and scoring rely on. */
static int
check_param_values(const struct param_table *t, const char *name, uint64_t step,
    const char *path, struct bpr_err *e)
{
	char full[MODELFILE_NAME_LEN + 8];
	size_t n = t->rows * t->stride, r;

	snprintf(full, sizeof(full), "%s.m", name);
	if (check_floats(t->w, n, 0, path, name, e) < 0 ||
	    check_floats(t->has_m ? t->m : NULL, n, 0, path, full, e) < 0)
		return -1;
	snprintf(full, sizeof(full), "%s.v", name);
	if (check_floats(t->has_v ? t->v : NULL, n, 1, path, full, e) < 0)
		return -1;
	snprintf(full, sizeof(full), "%s.rv", name);
	if (check_floats(t->has_rv ? t->rv : NULL, t->rows, 1, path, full, e) < 0)
		return -1;
	for (r = 0; t->last != NULL && r < t->rows; r++)
		if (t->last[r] > step)
			return bpr_fail(e, "%s: table '%s.last' has row %zu at step %llu, after the "
			    "model's step %llu", path, name, r, (unsigned long long)t->last[r],
			    (unsigned long long)step);
	return 0;
}

/* Numbers a file can hold but a model cannot: refused before any use. */
static int
check_values(const struct bpr_model *m, const char *path, struct bpr_err *e)
{
	size_t i;

	if (check_param_values(&m->user, "user", m->step, path, e) < 0 ||
	    check_param_values(&m->item, "item", m->step, path, e) < 0 ||
	    check_param_values(&m->tag, "tag", m->step, path, e) < 0 ||
	    check_param_values(&m->bias, "item.bias", m->step, path, e) < 0)
		return -1;
	for (i = 0; i < m->item.rows; i++)
		if (!isfinite(m->tag_scale[i]) || m->tag_scale[i] <= 0)
			return bpr_fail(e, "%s: table 'item.tags.scale' holds %g, not a positive "
			    "finite number", path, (double)m->tag_scale[i]);
	return 0;
}

int
model_load(struct bpr_model *m, const char *path, struct bpr_err *e)
{
	struct modelfile mf;

	memset(m, 0, sizeof(*m));
	if (modelfile_read(path, &mf, e) < 0)
		return -1;
	return load_tables(m, &mf, path, e);
}

int
model_load_bytes(struct bpr_model *m, const void *bytes, size_t n, const char *name,
    struct bpr_err *e)
{
	struct modelfile mf = { .size = n, .path = name };

	memset(m, 0, sizeof(*m));
	if ((mf.buf = mem_array(n + 1, 1, 0, "the model", e)) == NULL)
		return -1;
	memcpy(mf.buf, bytes, n);
	if (modelfile_parse(&mf, e) < 0)
		return -1;
	return load_tables(m, &mf, name, e);
}

/* Build the model from a verified file; frees mf. */
static int
load_tables(struct bpr_model *m, struct modelfile *mf_in, const char *path, struct bpr_err *e)
{
	struct modelfile mf = *mf_in;
	uint64_t nusers, nitems, ntags = 0;
	char *meta = NULL;
	int rc = -1;

	if (modelfile_get(&mf, "meta", MF_TEXT, UINT64_MAX, 1, 0, (void **)&meta, NULL, e) < 0 ||
	    load_shape(m, meta, path, e) < 0 ||
	    load_ids(&mf, "user.id", &m->user_rows, &nusers, e) < 0 ||
	    load_ids(&mf, "item.id", &m->item_rows, &nitems, e) < 0 ||
	    load_param_table(&mf, "user", &m->user, nusers, e) < 0 ||
	    load_param_table(&mf, "item", &m->item, nitems, e) < 0)
		goto done;
	if (m->tag_dim > 0) {
		float *probe;
		if (modelfile_get(&mf, "tag", MF_F32, UINT64_MAX, m->tag_dim, 0, (void **)&probe, &ntags, e) < 0)
			goto done;
		free(probe);
		if (load_param_table(&mf, "tag", &m->tag, ntags, e) < 0)
			goto done;
	}
	if ((m->use_bias && load_param_table(&mf, "item.bias", &m->bias, nitems, e) < 0) ||
	    load_item_tags(&mf, m, e) < 0 || load_catalogue(&mf, m, e) < 0 ||
	    check_values(m, path, e) < 0)
		goto done;
	m->ntags = (uint32_t)ntags > m->ntags ? (uint32_t)ntags : m->ntags;
	rc = 0;
done:
	free(meta);
	modelfile_free(&mf);
	if (rc < 0)
		model_free(m);
	return rc;
}

/* ---------------------------------------------------------------- copies */

static int
dup_array(void *dstp, const void *src, size_t bytes, int aligned, struct bpr_err *e)
{
	void **dst = dstp;

	*dst = NULL;
	if (src == NULL)
		return 0;
	*dst = aligned ? mem_aligned(bytes, 1, "a copy of the model", e) :
	    mem_array(bytes, 1, 0, "a copy of the model", e);
	if (*dst == NULL)
		return -1;
	memcpy(*dst, src, bytes);
	return 0;
}

static int
dup_table(struct param_table *d, const struct param_table *s, struct bpr_err *e)
{
	size_t bytes = s->cap * s->stride * sizeof(float);

	*d = *s;
	d->w = d->m = d->v = d->rv = NULL;
	d->last = NULL;
	return dup_array(&d->w, s->w, bytes, 1, e) < 0 || dup_array(&d->m, s->m, bytes, 1, e) < 0 ||
	    dup_array(&d->v, s->v, bytes, 1, e) < 0 ||
	    dup_array(&d->rv, s->rv, s->cap * sizeof(float), 1, e) < 0 ||
	    dup_array(&d->last, s->last, s->cap * sizeof(uint64_t), 0, e) < 0 ? -1 : 0;
}

static int
dup_idmap(struct idmap *d, const struct idmap *s, struct bpr_err *e)
{
	*d = *s;
	d->keys = d->index = d->ids = NULL;
	d->direct = NULL;
	return dup_array(&d->direct, s->direct, s->direct_cap * sizeof(int32_t), 0, e) < 0 ||
	    dup_array(&d->keys, s->keys, s->slots * sizeof(uint32_t), 0, e) < 0 ||
	    dup_array(&d->index, s->index, s->slots * sizeof(uint32_t), 0, e) < 0 ||
	    dup_array(&d->ids, s->ids, s->ids_cap * sizeof(uint32_t), 0, e) < 0 ? -1 : 0;
}

int
model_clone(struct bpr_model *d, const struct bpr_model *s, struct bpr_err *e)
{
	int rc;

	*d = *s;
	/* Clear every pointer first so that a failure frees only what was copied. */
	memset(&d->user, 0, sizeof(d->user));
	memset(&d->item, 0, sizeof(d->item));
	memset(&d->tag, 0, sizeof(d->tag));
	memset(&d->bias, 0, sizeof(d->bias));
	memset(&d->user_rows, 0, sizeof(d->user_rows));
	memset(&d->item_rows, 0, sizeof(d->item_rows));
	memset(&d->cat_items, 0, sizeof(d->cat_items));
	d->tag_start = d->tag_list = d->cat_start = d->cat_tags = NULL;
	d->tag_scale = NULL;
	d->meta = NULL;
	rc = dup_table(&d->user, &s->user, e) < 0 || dup_table(&d->item, &s->item, e) < 0 ||
	    dup_table(&d->tag, &s->tag, e) < 0 || dup_table(&d->bias, &s->bias, e) < 0 ||
	    dup_idmap(&d->user_rows, &s->user_rows, e) < 0 ||
	    dup_idmap(&d->item_rows, &s->item_rows, e) < 0 ||
	    dup_idmap(&d->cat_items, &s->cat_items, e) < 0 ||
	    dup_array(&d->tag_start, s->tag_start, s->tag_rows_cap * sizeof(uint32_t), 0, e) < 0 ||
	    dup_array(&d->tag_scale, s->tag_scale, s->tag_rows_cap * sizeof(float), 0, e) < 0 ||
	    dup_array(&d->tag_list, s->tag_list, s->tag_list_cap * sizeof(uint32_t), 0, e) < 0 ||
	    dup_array(&d->cat_start, s->cat_start, (s->cat_items.count + 1) * sizeof(uint32_t), 0, e) < 0 ||
	    dup_array(&d->cat_tags, s->cat_tags, s->cat_len * sizeof(uint32_t), 0, e) < 0 ||
	    dup_array(&d->meta, s->meta, s->meta ? strlen(s->meta) + 1 : 0, 0, e) < 0 ? -1 : 0;
	if (rc < 0)
		model_free(d);
	return rc;
}

/* ------------------------------------------------------------ cold items */

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
