/*
 * kernel-check: the training kernel's scores of a triplet and its hard
 * candidates against their definition. For item and tag widths on both
 * sides of the unrolled tag width, the mean and the sum of tags, items
 * with no, one and several tags (shared ones too), every score that
 * score_items gives (two items or three in one pass) and score_of (one
 * item alone) gives is compared with a double-precision sum over the model's own vectors:
 * the user's, the item's embedding, each catalogue tag's embedding
 * (averaged or summed here), and the bias. The tag part left in the
 * buffer must be that combination too, and an item's score must have the
 * same bits alone as in a pass with others. Prints one line a configuration; exit 1 on the first
 * failure. Last, model_in_range, which training runs after every epoch, must
 * see one infinite, NaN or too large value anywhere.
 */
#define KERNEL_NAME kernel_check_work
#include "train/trainer_kernel.h"

#include <stdio.h>

#include "data/rng.h"
#include "io/mem.h"

#define USERS 7
#define ITEMS 43	/* 43 biases: the finite check's tail past 8 lanes is tried */
#define TAGS 9

static struct bpr_rng rng;

/* Every catalogue pair: item i has i % 5 tags (item 0 none), drawn from TAGS, some twice across items. */
static uint64_t *
catalogue(size_t *n)
{
	uint64_t *pairs = malloc(ITEMS * 5 * sizeof(uint64_t));
	uint32_t i, k, tag;

	*n = 0;
	for (i = 1; i <= ITEMS; i++)
		for (k = 0, tag = rng_below(&rng, TAGS); k < i % 5; k++, tag = (tag + 1 + rng_below(&rng, 2)) % TAGS)
			pairs[(*n)++] = (uint64_t)i << 32 | tag;
	return pairs;
}

/* The item's tag part by its definition, in double: the mean or the sum of its tags' embeddings. */
static void
tag_part(const struct bpr_model *m, uint32_t iid, enum tag_mode mode, double *out)
{
	float row[MODEL_MAX_DIM];
	const uint32_t *tags;
	size_t n = model_catalogue_tags(m, iid, &tags), k, d;

	for (d = 0; d < m->tag_dim; d++)
		out[d] = 0;
	for (k = 0; k < n; k++) {
		model_vector(m, MODEL_TAGS, tags[k], row);
		for (d = 0; d < m->tag_dim; d++)
			out[d] += row[d];
	}
	for (d = 0; mode == TAGS_MEAN && n > 0 && d < m->tag_dim; d++)
		out[d] /= (double)n;
}

/* The score by its definition, and the sum of its terms' magnitudes (for the rounding bound). */
static double
definition(const struct bpr_model *m, uint32_t uid, uint32_t iid, enum tag_mode mode,
    double *part, double *scale)
{
	float user[2 * MODEL_MAX_DIM], item[2 * MODEL_MAX_DIM], bias = 0;
	double s = 0, t;
	size_t d;

	model_vector(m, MODEL_USERS, uid, user);
	model_vector(m, MODEL_ITEMS, iid, item);
	model_vector(m, MODEL_BIASES, iid, &bias);
	tag_part(m, iid, mode, part);
	*scale = fabs((double)bias);
	for (d = 0; d < m->item_dim + m->tag_dim; d++) {
		t = (double)user[d] * (d < m->item_dim ? (double)item[d] : part[d - m->item_dim]);
		s += t;
		*scale += fabs(t);
	}
	return s + bias;
}

/* Item row of id, user row of id (model_impl.h's maps). */
static uint32_t
item_row(const struct bpr_model *m, uint32_t id)
{
	return (uint32_t)idmap_find(&m->item_rows, id);
}

static int
check_item(const struct bpr_model *m, uint32_t uid, uint32_t iid, enum tag_mode mode, float got,
    const float *tag, const char *what)
{
	double part[MODEL_MAX_DIM], scale, want = definition(m, uid, iid, mode, part, &scale);
	size_t d;

	if (fabs((double)got - want) > 1e-5 * scale + 1e-30) {
		printf("FAIL %s: user %u item %u: %.9g, by definition %.9g\n", what, uid, iid, got, want);
		return 1;
	}
	for (d = 0; d < m->tag_dim; d++)
		if (fabs((double)tag[d] - part[d]) > 1e-6 * fabs(part[d]) + 1e-30) {
			printf("FAIL %s: item %u's tag part [%zu] %.9g, by definition %.9g\n", what, iid,
			    d, tag[d], part[d]);
			return 1;
		}
	return 0;
}

/*
 * The divergence check: one infinite, NaN or too large value anywhere in any table
 * (its vector lanes or its tail past a multiple of 8) puts the model out
 * of range; put back, it is in range again.
 */
static int
check_in_range(struct bpr_model *m)
{
	struct param_table *tables[] = { &m->user, &m->item, &m->tag, &m->bias };
	const float bad[] = { INFINITY, -INFINITY, NAN, 2 * MODEL_MAX_VALUE, -2 * MODEL_MAX_VALUE };
	size_t t, n, at[3], a, b;
	float keep;

	if (!model_in_range(m)) {
		printf("FAIL model_in_range: a model in range is not\n");
		return 1;
	}
	for (t = 0; t < 4; t++) {
		n = tables[t]->rows * tables[t]->stride;
		at[0] = 0;
		at[1] = n / 2;
		at[2] = n - 1;
		for (a = 0; a < 3; a++)
			for (b = 0; b < sizeof(bad) / sizeof(bad[0]); b++) {
				keep = tables[t]->w[at[a]];
				tables[t]->w[at[a]] = bad[b];
				if (model_in_range(m)) {
					printf("FAIL model_in_range: %g at %zu of table %zu (%zu values) not seen\n",
					    bad[b], at[a], t, n);
					return 1;
				}
				tables[t]->w[at[a]] = keep;
			}
	}
	return !model_in_range(m);
}

static int
check(uint32_t item_dim, uint32_t tag_dim, enum tag_mode mode)
{
	struct bpr_err e;
	struct bpr_model *m = model_new(item_dim, tag_dim, mode, 1, 7, 0.5f, &e);
	float *buf = mem_aligned(3 * m->tpad + VEC_LANES, sizeof(float), "tags", &e), s[3], one;
	float *tag[3] = { buf, buf + m->tpad, buf + 2 * m->tpad };
	uint64_t *pairs;
	size_t npairs, r;
	uint32_t uid, item[3], ids[3], trial;
	int k, bad = 0;

	pairs = catalogue(&npairs);
	if (model_set_catalogue(m, pairs, npairs, &e) < 0) {
		printf("FAIL catalogue: %s\n", e.msg);
		return 1;
	}
	for (uid = 1; uid <= USERS; uid++)
		model_user_row(m, uid, &e);
	for (ids[0] = 1; ids[0] <= ITEMS; ids[0]++)
		model_item_row(m, ids[0], &e);
	for (r = 0; r < m->bias.rows; r++)	/* biases start at 0: give them values */
		m->bias.w[r] = (float)(rng_double(&rng) - 0.5);
	for (trial = 0; trial < 400 && !bad; trial++) {
		uid = 1 + rng_below(&rng, USERS);
		for (k = 0; k < 3; k++) {
			ids[k] = 1 + rng_below(&rng, ITEMS);
			item[k] = item_row(m, ids[k]);
		}
		score_items(m, (size_t)idmap_find(&m->user_rows, uid), item, trial % 2 ? 3 : 2, tag, s);
		for (k = 0; k < (trial % 2 ? 3 : 2) && !bad; k++) {
			bad |= check_item(m, uid, ids[k], mode, s[k], tag[k], "score_items");
			one = score_of(m, (size_t)idmap_find(&m->user_rows, uid), item[k], tag[0]);
			if (!bad && memcmp(&one, &s[k], sizeof(one)) != 0) {
				printf("FAIL score_of %.9g, score_items %.9g (user %u item %u)\n", one, s[k],
				    uid, ids[k]);
				bad = 1;
			}
		}
	}
	bad = bad || check_in_range(m);
	printf("%s item-dim %u tag-dim %u (%zu-float tag rows) %s: 400 triplets, finite check\n",
	    bad ? "FAIL" : "ok", item_dim, tag_dim, m->tpad, tag_mode_names.name[mode]);
	free(pairs);
	free(buf);
	model_free(m);
	return bad;
}

int
main(void)
{
	rng_seed(&rng, 11, 0, 0);
	return check(20, 10, TAGS_MEAN) || check(20, 10, TAGS_SUM) || check(90, 10, TAGS_MEAN) ||
	    check(40, 20, TAGS_MEAN) || check(8, 3, TAGS_SUM) ? 1 : 0;
}
