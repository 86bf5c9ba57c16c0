#include "model/model_impl.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "data/rng.h"
#include "data/sort.h"
#include "io/mem.h"
#include "io/text.h"

static const char *const tag_mode_names_list[] = { "mean", "sum", "off", "padded-mean" };
const struct names tag_mode_names = NAMES_OF(tag_mode_names_list);

static void
param_table_shape(struct param_table *t, size_t stride, uint32_t stream)
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
	param_table_shape(&m->user, m->ipad + m->tpad, 1);
	add_segment(&m->user, 0, m->item_dim);
	add_segment(&m->user, m->ipad, m->tag_dim);
	param_table_shape(&m->item, m->ipad, 2);
	add_segment(&m->item, 0, m->item_dim);
	param_table_shape(&m->tag, m->tpad, 3);
	add_segment(&m->tag, 0, m->tag_dim);
	param_table_shape(&m->bias, 1, 4);
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
param_table_free(struct param_table *t)
{
	free(t->w);
	free(t->m);
	free(t->v);
	free(t->rv);
	free(t->last);
	memset(t, 0, sizeof(*t));
}

void
model_clear(struct bpr_model *m)
{
	param_table_free(&m->user);
	param_table_free(&m->item);
	param_table_free(&m->tag);
	param_table_free(&m->bias);
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

/* Table t's arrays made room for cap rows (more than it has room for). */
static int
table_grow_to(struct param_table *t, size_t cap, struct bpr_err *e)
{
	uint64_t *last;

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

int
model_table_reserve(struct param_table *t, size_t need, struct bpr_err *e)
{
	size_t cap = t->cap ? t->cap : 64;

	if (need <= t->cap)
		return 0;
	while (cap < need)
		cap *= 2;
	return table_grow_to(t, cap, e);
}

/* How many of ids[0..n) (0..n-1 when ids is NULL) map has no row for. */
static size_t
count_new(const struct idmap *map, const uint32_t *ids, size_t n)
{
	size_t i, fresh = 0;

	for (i = 0; i < n; i++)
		fresh += idmap_find(map, ids != NULL ? ids[i] : (uint32_t)i) < 0;
	return fresh;
}

int
model_table_room(struct param_table *t, size_t more, struct bpr_err *e)
{
	return more > t->cap - t->rows ? table_grow_to(t, t->rows + more, e) : 0;
}

int
model_room_for_users(struct bpr_model *m, const uint32_t *ids, size_t n, struct bpr_err *e)
{
	return model_table_room(&m->user, count_new(&m->user_rows, ids, n), e);
}

int
model_room_for_items(struct bpr_model *m, const uint32_t *ids, size_t n, struct bpr_err *e)
{
	size_t more = count_new(&m->item_rows, ids, n);

	if (model_table_room(&m->item, more, e) < 0 ||
	    (m->use_bias && model_table_room(&m->bias, more, e) < 0))
		return -1;
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

int
model_add_row(struct bpr_model *m, struct param_table *t, uint32_t id, uint64_t step,
    struct bpr_err *e)
{
	if (model_table_reserve(t, t->rows + 1, e) < 0)
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

int64_t
model_user_row(struct bpr_model *m, uint32_t id, struct bpr_err *e)
{
	int64_t row = idmap_find(&m->user_rows, id);

	if (row >= 0)
		return row;
	if ((row = idmap_insert(&m->user_rows, id)) < 0)
		return bpr_fail(e, "out of memory for the user index");
	return model_add_row(m, &m->user, id, m->step, e) < 0 ? -1 : row;
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
	if (model_add_row(m, &m->item, id, m->step, e) < 0 ||
	    (m->use_bias && model_add_row(m, &m->bias, id, m->step, e) < 0) ||
	    model_add_item_tags(m, (size_t)row, id, e) < 0)
		return -1;
	return row;
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

/*
 * Whether n values are all within +-MODEL_MAX_VALUE (a NaN is not): eight
 * lanes of comparisons check the values without a branch each (training
 * checks every epoch).
 */
static int
values_in_range(const float *w, size_t n)
{
	typedef int32_t vec8i __attribute__((vector_size(32)));
	const vec8 hi = { MODEL_MAX_VALUE, MODEL_MAX_VALUE, MODEL_MAX_VALUE, MODEL_MAX_VALUE,
	    MODEL_MAX_VALUE, MODEL_MAX_VALUE, MODEL_MAX_VALUE, MODEL_MAX_VALUE };
	vec8 x;
	vec8i out = { 0 };
	size_t k, lane;

	for (k = 0; k + 8 <= n; k += 8) {
		memcpy(&x, w + k, sizeof(x));
		out |= ~((x <= hi) & (-x <= hi));
	}
	for (lane = 0; lane < 8; lane++)
		if (out[lane] != 0)
			return 0;
	for (; k < n; k++)
		if (!(fabsf(w[k]) <= MODEL_MAX_VALUE))
			return 0;
	return 1;
}

int
model_in_range(const struct bpr_model *m)
{
	const struct param_table *tables[] = { &m->user, &m->item, &m->tag, &m->bias };
	size_t i;

	for (i = 0; i < 4; i++)
		if (!values_in_range(tables[i]->w, tables[i]->rows * tables[i]->stride))
			return 0;
	return 1;
}

/* The table t names. */
static const struct param_table *
table_of(const struct bpr_model *m, enum model_table t)
{
	switch (t) {
	case MODEL_USERS:
		return &m->user;
	case MODEL_ITEMS:
		return &m->item;
	case MODEL_TAGS:
		return &m->tag;
	case MODEL_BIASES:
		break;
	}
	return &m->bias;
}

uint64_t
model_param_count(const struct bpr_model *m, enum model_table which)
{
	const struct param_table *t = table_of(m, which);
	uint64_t per_row = 0;
	int s;

	for (s = 0; s < t->nseg; s++)
		per_row += t->seg_len[s];
	return per_row * t->rows;
}

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
		model_clear(d);
	return rc;
}

struct bpr_model *
model_new(uint32_t item_dim, uint32_t tag_dim, enum tag_mode mode, int use_bias, uint64_t seed,
    float init_scale, struct bpr_err *e)
{
	struct bpr_model *m = calloc(1, sizeof(*m));

	if (m == NULL) {
		bpr_fail(e, "out of memory");
		return NULL;
	}
	if (model_init(m, item_dim, tag_dim, mode, use_bias, seed, init_scale, e) < 0) {
		model_free(m);
		return NULL;
	}
	return m;
}

void
model_free(struct bpr_model *m)
{
	if (m == NULL)
		return;
	model_clear(m);
	free(m);
}

void
model_get_shape(const struct bpr_model *m, struct model_shape *s)
{
	s->item_dim = m->item_dim;
	s->tag_dim = m->tag_dim;
	s->tag_mode = m->tag_mode;
	s->use_bias = m->use_bias;
	s->ntags = m->ntags;
}

size_t
model_rows(const struct bpr_model *m, enum model_table t)
{
	return t == MODEL_BIASES && !m->use_bias ? 0 : table_of(m, t)->rows;
}

uint32_t
model_progress(const struct bpr_model *m, uint64_t *steps)
{
	if (steps != NULL)
		*steps = m->step;
	return m->epochs;
}

/* The id map of a table with ids (tags are their rows: none). */
static const struct idmap *
ids_of(const struct bpr_model *m, enum model_table t)
{
	return t == MODEL_USERS ? &m->user_rows : t == MODEL_TAGS ? NULL : &m->item_rows;
}

uint32_t *
model_ids(const struct bpr_model *m, enum model_table t, size_t *n, struct bpr_err *e)
{
	const struct idmap *map = ids_of(m, t);
	uint32_t *ids;
	size_t i;

	*n = model_rows(m, t);
	if ((ids = mem_array(*n + 1, sizeof(*ids), 0, "the ids of a table", e)) == NULL)
		return NULL;
	for (i = 0; i < *n; i++)
		ids[i] = map != NULL ? map->ids[i] : (uint32_t)i;
	sort_u32(ids, *n);
	return ids;
}

size_t
model_vector_size(const struct bpr_model *m, enum model_table t)
{
	switch (t) {
	case MODEL_USERS:
	case MODEL_ITEMS:
		return m->item_dim + m->tag_dim;
	case MODEL_TAGS:
		return m->tag_dim;
	case MODEL_BIASES:
		break;
	}
	return 1;
}

/* The real values of a padded row: its segments, back to back. */
static void
unpad(const struct param_table *t, const float *row, float *out)
{
	size_t k = 0;
	int s;

	for (s = 0; s < t->nseg; s++) {
		memcpy(out + k, row + t->seg_off[s], t->seg_len[s] * sizeof(float));
		k += t->seg_len[s];
	}
}

/* Item row i composed for scoring: its embedding, then its tag part. */
static void
compose_item(const struct bpr_model *m, size_t i, float *out)
{
	memcpy(out, model_row(&m->item, i), m->ipad * sizeof(float));
	if (m->tpad > 0)
		model_tag_part(m, i, out + m->ipad);
}

int
model_vector(const struct bpr_model *m, enum model_table t, uint32_t id, float *out)
{
	const struct idmap *map = ids_of(m, t);
	float composed[2 * MODEL_MAX_DIM + VEC_LANES] __attribute__((aligned(64)));
	int64_t row = map != NULL ? idmap_find(map, id) : id < m->tag.rows ? (int64_t)id : -1;

	if (row < 0 || (t == MODEL_BIASES && !m->use_bias))
		return 0;
	if (t == MODEL_ITEMS) {
		compose_item(m, (size_t)row, composed);
		memcpy(out, composed, m->item_dim * sizeof(float));
		memcpy(out + m->item_dim, composed + m->ipad, m->tag_dim * sizeof(float));
		return 1;
	}
	unpad(table_of(m, t), model_row(table_of(m, t), (size_t)row), out);
	return 1;
}

int
model_pair_score(const struct bpr_model *m, uint32_t uid, uint32_t iid, float *score)
{
	float tag[MODEL_MAX_DIM + VEC_LANES] __attribute__((aligned(64)));
	const float *user;
	int64_t u = idmap_find(&m->user_rows, uid), i = idmap_find(&m->item_rows, iid);

	if (u < 0)
		return -1;
	if (i < 0)
		return -2;
	model_tag_part(m, (size_t)i, tag);
	/* the ranking's order (vec_dot_fused), not training's */
	user = model_row(&m->user, (size_t)u);
	*score = vec_dot_fused_on(vec_dot_fused(user, model_row(&m->item, (size_t)i), m->ipad),
	    user + m->ipad, tag, m->tpad);
	if (m->use_bias)
		*score += m->bias.w[i];
	return 0;
}

size_t
model_composed_size(const struct bpr_model *m)
{
	return m->ipad + m->tpad;
}

int
model_user_score(const struct bpr_model *m, uint32_t uid, const float *composed, float *score)
{
	int64_t u = idmap_find(&m->user_rows, uid);

	if (u < 0)
		return -1;
	*score = vec_dot_fused(model_row(&m->user, (size_t)u), composed, m->ipad + m->tpad);
	return 0;
}

size_t
model_summary(const struct bpr_model *m, char *buf, size_t size)
{
	static const char *const names[] = { "user", "item", "tag", "item bias" };
	/* an item's own embedding: its tag part is the tags' table */
	const uint32_t dims[] = { m->item_dim + m->tag_dim, m->item_dim, m->tag_dim, 1 };
	uint64_t total = 0;
	size_t n = 0;
	int t;

	n += (size_t)snprintf(buf + n, size - n, "  %-10s %10s %6s %12s\n", "table", "rows", "dim",
	    "parameters");
	for (t = MODEL_USERS; t <= MODEL_BIASES && n < size; t++) {
		if (model_rows(m, (enum model_table)t) == 0)
			continue;
		n += (size_t)snprintf(buf + n, size - n, "  %-10s %10zu %6u %12llu\n", names[t],
		    model_rows(m, (enum model_table)t), dims[t],
		    (unsigned long long)model_param_count(m, (enum model_table)t));
		total += model_param_count(m, (enum model_table)t);
	}
	if (n < size)
		n += (size_t)snprintf(buf + n, size - n, "  %-10s %10s %6s %12llu\n", "total", "", "",
		    (unsigned long long)total);
	if (n < size && m->tag_dim > 0)
		n += (size_t)snprintf(buf + n, size - n, "  item vector = item embedding (%u) + %s of tag "
		    "embeddings (%u; %u tags)\n", m->item_dim, names_get(&tag_mode_names, m->tag_mode),
		    m->tag_dim, m->ntags);
	else if (n < size)
		n += (size_t)snprintf(buf + n, size - n, "  item vector = item embedding (%u), no tag part\n",
		    m->item_dim);
	return n;
}
