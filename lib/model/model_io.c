#include "model/model_impl.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "data/sort.h"
#include "io/mem.h"
#include "model/modelfile.h"

static int load_tables(struct bpr_model *m, struct modelfile *mf, const char *path,
    struct bpr_err *e);

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

/*
 * One array of a parameter table as the file holds it, made a piece at a
 * time as it is written: rows in id order (order[i] is the i-th row; NULL,
 * rows as they are), padding left out.
 */
struct table_rows {
	const struct param_table *t;
	const void *base;	/* t->w, t->m or t->v (segments); t->rv or t->last (one value) */
	const uint32_t *order;
	size_t value_size;	/* 0 for the segments of a float row */
};

static void
fill_rows(const void *ctx, uint64_t from, size_t n, void *out)
{
	const struct table_rows *r = ctx;
	const struct param_table *t = r->t;
	unsigned char *dst = out;
	size_t i, row;
	int s;

	for (i = 0; i < n; i++) {
		row = r->order != NULL ? r->order[from + i] : (size_t)(from + i);
		if (r->value_size > 0) {
			memcpy(dst, (const unsigned char *)r->base + row * r->value_size, r->value_size);
			dst += r->value_size;
			continue;
		}
		for (s = 0; s < t->nseg; s++) {
			const float *seg = (const float *)r->base + row * t->stride + t->seg_off[s];
			memcpy(dst, seg, t->seg_len[s] * sizeof(float));
			dst += t->seg_len[s] * sizeof(float);
		}
	}
}

struct table_list {
	struct mf_table t[40];
	void *owned[40];
	struct table_rows rows[40];
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

/* A table whose rows fill_rows makes from one of t's arrays. */
static void
list_rows(struct table_list *l, const char *name, enum mf_dtype dtype, uint64_t cols,
    const struct param_table *t, const void *base, const uint32_t *order, size_t value_size)
{
	struct table_rows *r = &l->rows[l->n];

	*r = (struct table_rows){ t, base, order, value_size };
	list_add(l, name, dtype, t->rows, cols, NULL, NULL);
	l->t[l->n - 1].fill = fill_rows;
	l->t[l->n - 1].fill_ctx = r;
}

/* One parameter table and its optimiser state, rows in id order. */
static void
list_param_table(struct table_list *l, const char *name, const struct param_table *t,
    const uint32_t *order)
{
	char full[MODELFILE_NAME_LEN];
	size_t width = row_width(t);

	list_rows(l, name, MF_F32, width, t, t->w, order, 0);
	if (t->has_m) {
		snprintf(full, sizeof(full), "%s.m", name);
		list_rows(l, full, MF_F32, width, t, t->m, order, 0);
	}
	if (t->has_v) {
		snprintf(full, sizeof(full), "%s.v", name);
		list_rows(l, full, MF_F32, width, t, t->v, order, 0);
	}
	if (t->has_rv) {
		snprintf(full, sizeof(full), "%s.rv", name);
		list_rows(l, full, MF_F32, 1, t, t->rv, order, sizeof(float));
	}
	if (t->last != NULL) {
		snprintf(full, sizeof(full), "%s.last", name);
		list_rows(l, full, MF_U64, 1, t, t->last, order, sizeof(uint64_t));
	}
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

int
model_save(const struct bpr_model *m, const char *path, struct bpr_err *e)
{
	struct table_list l = { .n = 0 };
	uint32_t *users = sorted_rows(&m->user_rows, e), *items = NULL;
	char *meta = model_current_meta(m, e);
	int rc = -1;

	if (meta == NULL || users == NULL || (items = sorted_rows(&m->item_rows, e)) == NULL)
		goto done;
	list_add(&l, "meta", MF_TEXT, strlen(meta), 1, meta, meta);
	meta = NULL;
	if (list_ids(&l, "user.id", &m->user_rows, users, e) < 0 ||
	    list_ids(&l, "item.id", &m->item_rows, items, e) < 0)
		goto done;
	list_param_table(&l, "user", &m->user, users);
	list_param_table(&l, "item", &m->item, items);
	if (m->tag_dim > 0)
		list_param_table(&l, "tag", &m->tag, NULL);
	if (m->use_bias)
		list_param_table(&l, "item.bias", &m->bias, items);
	if (list_item_tags(&l, m, items, e) < 0)
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

/* Steps are counted exactly in a double (the Adam step table): 2^53. */
#define MAX_STEP (UINT64_C(1) << 53)

static int
load_shape(struct bpr_model *m, const char *meta, const char *path, struct bpr_err *e)
{
	struct bpr_model probe = { .meta = (char *)meta };
	uint64_t idim, tdim, bias, seed, step, epochs;
	double scale;
	char mode[32];
	int tm;

	tm = names_find(&tag_mode_names, model_meta(&probe, "tag_mode", mode, sizeof(mode)));
	if (model_meta_count(&probe, "item_dim", MODEL_MAX_DIM, &idim) < 0 || idim == 0 ||
	    model_meta_count(&probe, "tag_dim", MODEL_MAX_DIM, &tdim) < 0 ||
	    model_meta_count(&probe, "bias", 1, &bias) < 0 ||
	    model_meta_count(&probe, "seed", UINT64_MAX, &seed) < 0 ||
	    model_meta_number(&probe, "init_scale", &scale) < 0 || scale < 0 ||
	    model_meta_count(&probe, "step", MAX_STEP, &step) < 0 ||
	    model_meta_count(&probe, "epochs", UINT32_MAX, &epochs) < 0 || tm < 0)
		return bpr_fail(e, "%s: the model's description (table 'meta') is incomplete or out of "
		    "range", path);
	if (model_init(m, (uint32_t)idim, (uint32_t)tdim, (enum tag_mode)tm, bias != 0, seed,
	    (float)scale, e) < 0)
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
		if ((i > 0 && ids[i] <= ids[i - 1]) || ids[i] > 2147483647u) {
			free(ids);
			return bpr_fail(e, "%s: table '%s' is not a list of ascending ids", mf->path, name);
		}
		if (idmap_add(map, ids[i]) < 0) {
			free(ids);
			return bpr_fail(e, "%s: out of memory for table '%s'", mf->path, name);
		}
	}
	free(ids);
	return 0;
}

/* Spread a table's unpadded rows into a padded array. */
static void
scatter(const struct param_table *t, float *dst, const struct mf_table *src)
{
	size_t i, k = 0;
	int s;

	for (i = 0; i < t->rows; i++) {
		for (s = 0; s < t->nseg; s++) {
			modelfile_elements(src, k, t->seg_len[s], dst + i * t->stride + t->seg_off[s]);
			k += t->seg_len[s];
		}
	}
}

static int
load_array(const struct modelfile *mf, const char *name, struct param_table *t, float *dst,
    int optional, int *present, struct bpr_err *e)
{
	const struct mf_table *src;

	if (modelfile_find(mf, name, MF_F32, t->rows, row_width(t), optional, &src, e) < 0)
		return -1;
	if (present != NULL)
		*present = src != NULL;
	if (src != NULL)
		scatter(t, dst, src);
	return 0;
}

/*
 * An optional state table of one value a row (name) into *dst, made t->cap
 * rows long when NULL; 1 when the file has it, 0 when not.
 */
static int
load_row_values(const struct modelfile *mf, const char *name, enum mf_dtype dtype, size_t size,
    const struct param_table *t, void **dst, struct bpr_err *e)
{
	const struct mf_table *src;

	if (modelfile_find(mf, name, dtype, t->rows, 1, 1, &src, e) < 0)
		return -1;
	if (src == NULL)
		return 0;
	if (*dst == NULL && (*dst = mem_array(t->cap, size, 1, "state", e)) == NULL)
		return -1;
	modelfile_elements(src, 0, t->rows, *dst);
	return 1;
}

static int
load_param_table(const struct modelfile *mf, const char *name, struct param_table *t,
    uint64_t rows, struct bpr_err *e)
{
	char full[MODELFILE_NAME_LEN];
	void *rv, *last;
	int rc;

	/* Which state tables there are, to size the arrays; each is checked as it loads. */
	snprintf(full, sizeof(full), "%s.m", name);
	t->has_m = modelfile_has(mf, full);
	snprintf(full, sizeof(full), "%s.v", name);
	t->has_v = modelfile_has(mf, full);
	if (model_table_room(t, rows, e) < 0)
		return -1;
	t->rows = rows;
	rv = t->rv;
	last = t->last;
	if (load_array(mf, name, t, t->w, 0, NULL, e) < 0)
		return -1;
	snprintf(full, sizeof(full), "%s.m", name);
	if (t->has_m && load_array(mf, full, t, t->m, 0, NULL, e) < 0)
		return -1;
	snprintf(full, sizeof(full), "%s.v", name);
	if (t->has_v && load_array(mf, full, t, t->v, 0, NULL, e) < 0)
		return -1;
	snprintf(full, sizeof(full), "%s.rv", name);
	if ((rc = load_row_values(mf, full, MF_F32, sizeof(float), t, &rv, e)) < 0)
		return -1;
	t->rv = rv;
	t->has_rv = t->has_rv || rc > 0;
	snprintf(full, sizeof(full), "%s.last", name);
	if (load_row_values(mf, full, MF_U64, sizeof(uint64_t), t, &last, e) < 0)
		return -1;
	t->last = last;
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

/*
 * Every value of an array finite, within +-MODEL_MAX_VALUE where it is a
 * model's value (bounded), and not negative where it is a sum of squares.
 */
static int
check_floats(const float *v, size_t n, int bounded, int nonnegative, const char *path,
    const char *table, struct bpr_err *e)
{
	size_t i;

	for (i = 0; v != NULL && i < n; i++) {
		if (!isfinite(v[i]))
			return bpr_fail(e, "%s: table '%s' holds a value that is not a finite number "
			    "(%g)", path, table, (double)v[i]);
		if (bounded && fabsf(v[i]) > MODEL_MAX_VALUE)
			return bpr_fail(e, "%s: table '%s' holds %g, beyond the +-%g a model's value "
			    "may reach (its scores could overflow)", path, table, (double)v[i],
			    (double)MODEL_MAX_VALUE);
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
	if (check_floats(t->w, n, 1, 0, path, name, e) < 0 ||
	    check_floats(t->has_m ? t->m : NULL, n, 0, 0, path, full, e) < 0)
		return -1;
	snprintf(full, sizeof(full), "%s.v", name);
	if (check_floats(t->has_v ? t->v : NULL, n, 0, 1, path, full, e) < 0)
		return -1;
	snprintf(full, sizeof(full), "%s.rv", name);
	if (check_floats(t->has_rv ? t->rv : NULL, t->rows, 0, 1, path, full, e) < 0)
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
		if (!(m->tag_scale[i] > 0 && m->tag_scale[i] <= MODEL_MAX_VALUE))
			return bpr_fail(e, "%s: table 'item.tags.scale' holds %g, not a positive "
			    "finite number up to %g", path, (double)m->tag_scale[i],
			    (double)MODEL_MAX_VALUE);
	return 0;
}

/* A model from a verified file (which it frees), or NULL with e set. */
static struct bpr_model *
model_from(struct modelfile *mf, const char *path, struct bpr_err *e)
{
	struct bpr_model *m = calloc(1, sizeof(*m));
	uint32_t crc;
	uint64_t bytes;

	if (m == NULL) {
		modelfile_free(mf);
		bpr_fail(e, "out of memory");
		return NULL;
	}
	crc = mf->header_crc;
	bytes = mf->size;
	if (load_tables(m, mf, path, e) < 0) {
		free(m);
		return NULL;
	}
	m->file_crc = crc;	/* after load_tables, which starts the model afresh */
	m->file_bytes = bytes;
	return m;
}

void
model_file_id(const struct bpr_model *m, uint32_t *crc, uint64_t *bytes)
{
	*crc = m->file_crc;
	*bytes = m->file_bytes;
}

struct bpr_model *
model_load(const char *path, struct bpr_err *e)
{
	struct modelfile mf;

	if (modelfile_read(path, &mf, e) < 0)
		return NULL;
	return model_from(&mf, path, e);
}

struct bpr_model *
model_load_bytes(const void *bytes, size_t n, const char *name, struct bpr_err *e)
{
	struct modelfile mf = { .size = n, .path = name };

	if ((mf.buf = mem_array(n + 1, 1, 0, "the model", e)) == NULL)
		return NULL;
	memcpy(mf.buf, bytes, n);
	if (modelfile_parse(&mf, e) < 0)
		return NULL;
	return model_from(&mf, name, e);
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
		model_clear(m);
	return rc;
}
