#include "eval/export.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "data/positives.h"
#include "eval/map2d.h"
#include "eval/topk.h"
#include "io/filekind.h"
#include "io/mem.h"
#include "io/parse.h"
#include "model/vec.h"

const char *const export_projector_files[EXPORT_PROJECTOR_FILES] = { "items.tsv",
	"items-meta.tsv", "users.tsv", "users-meta.tsv", "tags.tsv", "tags-meta.tsv",
	"projector_config.pbtxt" };

/* Values TAB separated; the first without a TAB before it unless after. */
static void
write_values(struct bpr_output *o, const float *v, size_t n, int after)
{
	size_t k;

	for (k = 0; k < n; k++) {
		if (after || k > 0)
			output_char(o, '\t');
		output_printf(o, "%.9g", (double)v[k]);
	}
}

int
export_vectors(struct bpr_output *o, const struct bpr_model *m, enum model_table t, int with_id,
    int bias_column, struct bpr_err *e)
{
	size_t n, i, width = model_vector_size(m, t);
	uint32_t *ids = model_ids(m, t, &n, e);
	float *v = mem_array(width + 1, sizeof(*v), 0, "a row", e), bias;
	int biased = bias_column && model_rows(m, MODEL_BIASES) > 0 && t != MODEL_TAGS;

	if (ids == NULL || v == NULL) {
		free(ids);
		free(v);
		return -1;
	}
	for (i = 0; i < n; i++) {
		if (with_id)
			output_u64(o, ids[i]);
		model_vector(m, t, ids[i], v);
		write_values(o, v, width, with_id);
		if (biased && t == MODEL_ITEMS && model_vector(m, MODEL_BIASES, ids[i], &bias))
			output_printf(o, "\t%.9g", (double)bias);
		else if (biased && t == MODEL_USERS)
			output_str(o, "\t1");
		output_char(o, '\n');
	}
	free(ids);
	free(v);
	return 0;
}

/* A tag's name from the vocabulary, or "tag N". */
static void
write_tag_name(struct bpr_output *o, const struct titles *vocab, int64_t tag)
{
	const char *name = vocab != NULL && tag >= 0 ? titles_get(vocab, (uint32_t)tag) : "";

	if (*name != '\0')
		output_str(o, name);
	else if (tag >= 0)
		output_printf(o, "tag %lld", (long long)tag);
}

/* "Action|Comedy": an item's tags by name. */
static void
write_item_tags(struct bpr_output *o, const struct bpr_model *m, uint32_t id,
    const struct titles *vocab)
{
	const uint32_t *tags;
	size_t n = model_catalogue_tags(m, id, &tags), k;

	for (k = 0; k < n; k++) {
		if (k > 0)
			output_char(o, '|');
		write_tag_name(o, vocab, tags[k]);
	}
}

int
export_map_items(struct bpr_output *o, const struct bpr_model *m, const struct titles *titles,
    const struct titles *vocab, struct bpr_err *e)
{
	struct item_map im;
	uint32_t *order, *counts = NULL;
	int64_t tag;
	size_t n, i, r;

	if ((order = model_ids(m, MODEL_ITEMS, &n, e)) == NULL ||
	    (counts = tag_item_counts(m, e)) == NULL || item_map_build(&im, m, e) < 0) {
		free(order);
		free(counts);
		return -1;
	}
	for (i = 0; i < n; i++) {
		r = (size_t)model_item_find(m, order[i]);
		tag = item_main_tag(m, order[i], counts);
		output_printf(o, "%u\t%.6f\t%.6f\t", order[i], im.item_xy[2 * r], im.item_xy[2 * r + 1]);
		if (tag >= 0)
			output_printf(o, "%lld", (long long)tag);
		output_char(o, '\t');
		write_tag_name(o, vocab, tag);
		output_char(o, '\t');
		if (titles != NULL)
			output_str(o, titles_get(titles, order[i]));
		output_char(o, '\n');
	}
	item_map_free(&im);
	free(counts);
	free(order);
	return 0;
}

int
export_map_tags(struct bpr_output *o, const struct bpr_model *m, const struct titles *vocab,
    struct bpr_err *e)
{
	struct model_shape shape;
	struct item_map im;
	size_t t;

	model_get_shape(m, &shape);
	if (shape.tag_dim == 0)
		return bpr_fail(e, "the model has no tag part: no tags to map");
	if (item_map_build(&im, m, e) < 0)
		return -1;
	for (t = 0; t < im.ntags; t++) {
		output_printf(o, "%zu\t%.6f\t%.6f\t", t, im.tag_xy[2 * t], im.tag_xy[2 * t + 1]);
		write_tag_name(o, vocab, (int64_t)t);
		output_char(o, '\n');
	}
	item_map_free(&im);
	return 0;
}

/* Open dir/name for writing. */
static int
open_in_dir(struct bpr_output *o, const char *dir, const char *name, struct bpr_err *e)
{
	char path[4096];

	if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, name) >= sizeof(path))
		return bpr_fail(e, "%s: the path is too long", dir);
	return output_open(o, path, e);
}

/* A projector table's two files in dir: TABLE.tsv, its vectors, and TABLE-meta.tsv. */
static int
open_pair(struct bpr_output *vec, struct bpr_output *meta, const char *dir, const char *table,
    struct bpr_err *e)
{
	char name[64];

	snprintf(name, sizeof(name), "%s.tsv", table);
	if (open_in_dir(vec, dir, name, e) < 0)
		return -1;
	snprintf(name, sizeof(name), "%s-meta.tsv", table);
	if (open_in_dir(meta, dir, name, e) < 0) {
		output_abort(vec);
		return -1;
	}
	return 0;
}

/* Two outputs of one projector table, both committed or neither. */
static int
commit_pair(struct bpr_output *vec, struct bpr_output *meta, int rc, struct bpr_err *e)
{
	if (rc == 0 && output_commit(vec, 0, e) == 0)
		return output_commit(meta, 0, e);
	output_abort(vec);
	output_abort(meta);
	return -1;
}

/*
 * Metadata with more than one column starts with a header row; a single
 * column has none (the projector's rule). Rows follow the vectors' order.
 */
static int
projector_items(const char *dir, const struct bpr_model *m, const struct titles *titles,
    const struct titles *vocab, struct bpr_err *e)
{
	struct bpr_output vec, meta;
	uint32_t *order = NULL, *counts = NULL;
	size_t n, i;
	int rc = -1;

	if (open_pair(&vec, &meta, dir, "items", e) < 0)
		return -1;
	if ((order = model_ids(m, MODEL_ITEMS, &n, e)) != NULL &&
	    (counts = tag_item_counts(m, e)) != NULL &&
	    export_vectors(&vec, m, MODEL_ITEMS, 0, 0, e) == 0) {
		output_str(&meta, "id\ttitle\tgenres\tmain genre\n");
		for (i = 0; i < n; i++) {
			output_printf(&meta, "%u\t%s\t", order[i], titles ? titles_get(titles, order[i]) : "");
			write_item_tags(&meta, m, order[i], vocab);
			output_char(&meta, '\t');
			write_tag_name(&meta, vocab, item_main_tag(m, order[i], counts));
			output_char(&meta, '\n');
		}
		rc = 0;
	}
	free(order);
	free(counts);
	return commit_pair(&vec, &meta, rc, e);
}

static int
projector_tags(const char *dir, const struct bpr_model *m, const struct titles *vocab,
    struct bpr_err *e)
{
	struct bpr_output vec, meta;
	size_t t, n = model_rows(m, MODEL_TAGS);
	int rc;

	if (open_pair(&vec, &meta, dir, "tags", e) < 0)
		return -1;
	rc = export_vectors(&vec, m, MODEL_TAGS, 0, 0, e);
	output_str(&meta, "id\tname\n");
	for (t = 0; t < n; t++) {
		output_printf(&meta, "%zu\t", t);
		write_tag_name(&meta, vocab, (int64_t)t);
		output_char(&meta, '\n');
	}
	return commit_pair(&vec, &meta, rc, e);
}

static int
projector_users(const char *dir, const struct bpr_model *m, struct bpr_err *e)
{
	struct bpr_output vec, meta;
	uint32_t *order;
	size_t n, i;
	int rc = -1;

	if (open_pair(&vec, &meta, dir, "users", e) < 0)
		return -1;
	if ((order = model_ids(m, MODEL_USERS, &n, e)) != NULL &&
	    export_vectors(&vec, m, MODEL_USERS, 0, 0, e) == 0) {
		for (i = 0; i < n; i++)
			output_printf(&meta, "%u\n", order[i]);
		rc = 0;
	}
	free(order);
	return commit_pair(&vec, &meta, rc, e);
}

static int
projector_config(const char *dir, int with_tags, struct bpr_err *e)
{
	static const char *const names[3] = { "items", "users", "tags" };
	struct bpr_output o;
	int i;

	if (open_in_dir(&o, dir, "projector_config.pbtxt", e) < 0)
		return -1;
	for (i = 0; i < 2 + with_tags; i++)
		output_printf(&o, "embeddings {\n  tensor_name: \"%s\"\n  tensor_path: \"%s.tsv\"\n"
		    "  metadata_path: \"%s-meta.tsv\"\n}\n", names[i], names[i], names[i]);
	return output_commit(&o, 0, e);
}

int
export_projector(const char *dir, const struct bpr_model *m, const struct titles *titles,
    const struct titles *vocab, struct bpr_err *e)
{
	struct model_shape shape;
	int with_tags;

	model_get_shape(m, &shape);
	with_tags = shape.tag_dim > 0 && model_rows(m, MODEL_TAGS) > 0;
	if (mkdir(dir, 0777) < 0 && errno != EEXIST)
		return bpr_fail(e, "%s: %s", dir, strerror(errno));
	if (projector_items(dir, m, titles, vocab, e) < 0 || projector_users(dir, m, e) < 0 ||
	    (with_tags && projector_tags(dir, m, vocab, e) < 0))
		return -1;
	return projector_config(dir, with_tags, e);
}

void
export_ranked(struct bpr_output *o, const char *query, const struct ranked *r, size_t n,
    const struct titles *titles)
{
	size_t i;

	for (i = 0; i < n; i++) {
		output_printf(o, "%s\t%zu\t%u\t", query, i + 1, r[i].id);
		output_float(o, r[i].score);
		if (titles != NULL) {
			output_char(o, '\t');
			output_str(o, titles_get(titles, r[i].id));
		}
		output_char(o, '\n');
	}
}

int
export_pair_scores(struct bpr_output *o, const struct bpr_model *m, struct bpr_input *in,
    const struct shard *s, struct bpr_err *e)
{
	static const char *const names[2] = { "user", "item" };
	uint32_t uid, iid;
	uint64_t key;
	size_t len;
	char *line;
	float score;
	int rc;

	if (expect_text(in, "user<TAB>item pairs", 1, e) < 0)
		return -1;
	while ((rc = input_record(in, &line, &len, e)) > 0) {
		if (parse_id_pair(line, len, names, &key, input_name(in), input_lineno(in), e) < 0)
			return -1;
		uid = (uint32_t)(key >> 32);
		iid = (uint32_t)key;
		if (!shard_has(s, uid))
			continue;
		if ((rc = model_pair_score(m, uid, iid, &score)) < 0)
			return bpr_fail_at(e, input_name(in), input_lineno(in), "%s %u is not in the model",
			    rc == -1 ? "user" : "item", rc == -1 ? uid : iid);
		output_printf(o, "%u\t%u\t", uid, iid);
		output_float(o, score);
		output_char(o, '\n');
	}
	return rc;
}

int
export_cold_item(struct bpr_output *o, const struct bpr_model *m, const uint32_t *tags,
    size_t ntags, const uint32_t *users, size_t nusers, uint32_t top, struct bpr_err *e)
{
	char name[256 * 11] = "";
	float *v = mem_aligned(model_composed_size(m) + VEC_LANES, sizeof(float), "the new item", e);
	struct ranked *best = mem_array(top + 1, sizeof(*best), 0, "the ranking", e);
	struct scored *heap = mem_array(top + 1, sizeof(*heap), 0, "the ranking", e);
	struct topk tk;
	float score;
	size_t u, n;
	int rc = -1;

	if (v == NULL || best == NULL || heap == NULL || model_cold_vector(m, tags, ntags, v, e) < 0)
		goto done;
	for (u = 0; u < ntags; u++)
		snprintf(name + strlen(name), sizeof(name) - strlen(name), "%s%u", u ? "," : "", tags[u]);
	topk_reset(&tk, heap, top);
	for (u = 0; u < nusers; u++) {
		if (model_user_score(m, users[u], v, &score) < 0) {
			bpr_fail(e, "user %u is not in the model", users[u]);
			goto done;
		}
		if (top > 0) {
			topk_offer(&tk, score, users[u]);
			continue;
		}
		output_printf(o, "%u\t%s\t", users[u], name);
		output_float(o, score);
		output_char(o, '\n');
	}
	n = top > 0 ? topk_sorted(&tk) : 0;
	for (u = 0; u < n; u++)
		best[u] = (struct ranked){ heap[u].index, heap[u].score };
	export_ranked(o, name, best, n, NULL);
	rc = 0;
done:
	free(v);
	free(best);
	free(heap);
	return rc;
}
