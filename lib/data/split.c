#include "data/split.h"

#include <stdlib.h>
#include <string.h>

#include "data/idmap.h"
#include "data/rng.h"
#include "data/sort.h"
#include "io/mem.h"
#include "io/text.h"

static const char *const split_scheme_names_list[] = {
	"allbut", "fold", "random", "leave-out", "temporal", "none",
};
const struct names split_scheme_names = NAMES_OF(split_scheme_names_list);

int
ratings_table_reserve(struct rating_table *t, size_t n, struct bpr_err *e)
{
	size_t cap;

	if (n <= t->cap)
		return 0;
	if (n >= UINT32_MAX)
		return bpr_fail(e, "more than %u rows are not supported", UINT32_MAX - 1);
	cap = t->cap;
	if (mem_grow(&t->user, &cap, n, sizeof(*t->user), "ratings", e) < 0)
		return -1;
	cap = t->cap;
	if (mem_grow(&t->item, &cap, n, sizeof(*t->item), "ratings", e) < 0)
		return -1;
	cap = t->cap;
	if (mem_grow(&t->rating, &cap, n, sizeof(*t->rating), "ratings", e) < 0)
		return -1;
	cap = t->cap;
	if (mem_grow(&t->timestamp, &cap, n, sizeof(*t->timestamp), "ratings", e) < 0)
		return -1;
	t->cap = cap;
	return 0;
}

int
ratings_table_push(struct rating_table *t, const struct rating_row *row, struct bpr_err *e)
{
	if (t->n == t->cap && ratings_table_reserve(t, t->n + 1, e) < 0)
		return -1;
	t->user[t->n] = row->user;
	t->item[t->n] = row->item;
	t->rating[t->n] = row->rating;
	t->timestamp[t->n] = row->timestamp;
	t->n++;
	return 0;
}

void
ratings_table_free(struct rating_table *t)
{
	free(t->user);
	free(t->item);
	free(t->rating);
	free(t->timestamp);
	memset(t, 0, sizeof(*t));
}

/* Rows grouped by user (users in order of first appearance, rows in input order). */
struct by_user {
	uint32_t *start;	/* users + 1 offsets into rows */
	uint32_t *rows;
	size_t users;
};

static void
by_user_free(struct by_user *g)
{
	free(g->start);
	free(g->rows);
}

static int
group_by_user(const struct rating_table *t, struct by_user *g, struct bpr_err *e)
{
	struct idmap users;
	uint32_t *uidx = NULL, *fill = NULL;
	size_t i;
	int rc = -1;

	memset(g, 0, sizeof(*g));
	if (idmap_init(&users, 1024) < 0)
		return bpr_fail(e, "out of memory");
	if ((uidx = mem_array(t->n, sizeof(*uidx), 0, "user index", e)) == NULL)
		goto done;
	for (i = 0; i < t->n; i++) {
		/* MovieLens files group a user's rows: reuse the last lookup. */
		int64_t u = i > 0 && t->user[i] == t->user[i - 1] ? uidx[i - 1] :
		    idmap_add(&users, t->user[i]);
		if (u < 0) {
			bpr_fail(e, "out of memory for the user index");
			goto done;
		}
		uidx[i] = (uint32_t)u;
	}
	g->users = users.count;
	if ((g->start = mem_array(g->users + 1, sizeof(*g->start), 1, "user groups", e)) == NULL ||
	    (fill = mem_array(g->users, sizeof(*fill), 0, "user groups", e)) == NULL ||
	    (g->rows = mem_array(t->n, sizeof(*g->rows), 0, "user groups", e)) == NULL)
		goto done;
	for (i = 0; i < t->n; i++)
		g->start[uidx[i] + 1]++;
	for (i = 0; i < g->users; i++)
		g->start[i + 1] += g->start[i];
	memcpy(fill, g->start, g->users * sizeof(*fill));
	for (i = 0; i < t->n; i++)
		g->rows[fill[uidx[i]]++] = (uint32_t)i;
	rc = 0;
done:
	idmap_free(&users);
	free(uidx);
	free(fill);
	if (rc < 0)
		by_user_free(g);
	return rc;
}

/*
 * Later occurrences of a (user, item) pair; counts distinct items too.
 * seen_by[item] holds 1 + the last user index that had the item, indexed
 * by the item id itself when ids are compact enough (MovieLens: a few
 * hundred thousand), else by an index from a hash map.
 */
static int
mark_duplicates(const struct rating_table *t, const struct by_user *g,
    uint8_t *dup, size_t *items, struct bpr_err *e)
{
	struct idmap imap;
	uint32_t *seen_by, max_id = 0;
	size_t i, u, k, slots;
	int dense, rc = 0;

	for (i = 0; i < t->n; i++)
		max_id = t->item[i] > max_id ? t->item[i] : max_id;
	dense = (size_t)max_id < 4 * t->n + (1u << 20);
	slots = dense ? (size_t)max_id + 1 : t->n;
	if ((seen_by = mem_array(slots, sizeof(*seen_by), 1, "the item index", e)) == NULL)
		return -1;
	if (!dense && idmap_init(&imap, 1024) < 0) {
		free(seen_by);
		return bpr_fail(e, "out of memory for the item index");
	}
	*items = 0;
	for (u = 0; u < g->users && rc == 0; u++) {
		for (k = g->start[u]; k < g->start[u + 1]; k++) {
			uint32_t r = g->rows[k];
			int64_t it = dense ? (int64_t)t->item[r] : idmap_add(&imap, t->item[r]);
			if (it < 0) {
				rc = bpr_fail(e, "out of memory for the item index");
				break;
			}
			*items += seen_by[it] == 0;
			dup[r] = seen_by[it] == u + 1;
			seen_by[it] = (uint32_t)(u + 1);
		}
	}
	if (!dense)
		idmap_free(&imap);
	free(seen_by);
	return rc;
}

/*
 * Whether every user's rows come in ascending item order (ml-latest's
 * ratings.csv): then input order is no sample of a user's ratings, and
 * the first ten would be the ten lowest ids.
 */
static int
sorted_by_item(const struct rating_table *t, const struct by_user *g)
{
	size_t u, k, pairs = 0;

	for (u = 0; u < g->users; u++) {
		for (k = g->start[u] + 1; k < g->start[u + 1]; k++) {
			if (t->item[g->rows[k]] < t->item[g->rows[k - 1]])
				return 0;
			pairs++;
		}
	}
	return pairs > 0;
}

/*
 * Each user's ratings lo..hi in input order (u.data's order is a random
 * one, as GroupLens' allbut.pl took it); where the input is in item order,
 * in an order drawn at random (--seed) instead.
 */
static int
assign_allbut(const struct rating_table *t, const struct by_user *g,
    const struct split_options *o, uint8_t *dest, int *shuffled, struct bpr_err *e)
{
	struct bpr_rng rng;
	uint32_t *order = NULL, tmp;
	size_t cap = 0, u, k, n, j;

	*shuffled = sorted_by_item(t, g);
	rng_seed(&rng, o->seed, RNG_STREAM_SPLIT, 2);
	for (u = 0; u < g->users; u++) {
		n = g->start[u + 1] - g->start[u];
		if (mem_grow(&order, &cap, n + 1, sizeof(*order), "the split", e) < 0)
			return -1;
		memcpy(order, g->rows + g->start[u], n * sizeof(*order));
		for (k = n; *shuffled && k > 1; k--) {
			j = rng_below(&rng, (uint32_t)k);
			tmp = order[k - 1];
			order[k - 1] = order[j];
			order[j] = tmp;
		}
		for (k = 0; k < n; k++)
			dest[order[k]] = k + 1 >= o->range_lo && k + 1 <= o->range_hi ? ROW_TEST : ROW_TRAIN;
	}
	free(order);
	return 0;
}

/* Slice boundaries as the GroupLens script cuts 100000 rows into 20000s. */
static void
assign_fold(size_t n, const struct split_options *o, uint8_t *dest)
{
	size_t lo = (size_t)((unsigned long long)n * (o->fold - 1) / o->folds);
	size_t hi = (size_t)((unsigned long long)n * o->fold / o->folds);
	size_t i;

	for (i = 0; i < n; i++)
		dest[i] = i >= lo && i < hi ? ROW_TEST : ROW_TRAIN;
}

/*
 * Selection sampling (Knuth's Algorithm S): exactly `want` of the n
 * candidates, each subset equally likely, in one ordered pass.
 */
static void
select_exactly(struct bpr_rng *rng, const uint32_t *rows, size_t n, size_t want,
    uint8_t *dest)
{
	size_t i, chosen = 0;

	for (i = 0; i < n; i++) {
		uint32_t r = rows != NULL ? rows[i] : (uint32_t)i;
		int take = (double)(n - i) * rng_double(rng) < (double)(want - chosen);
		dest[r] = take ? ROW_TEST : ROW_TRAIN;
		chosen += (size_t)take;
	}
}

static void
assign_random(size_t n, const struct split_options *o, uint8_t *dest)
{
	struct bpr_rng rng;
	size_t want = (size_t)(o->fraction * (double)n + 0.5);

	rng_seed(&rng, o->seed, RNG_STREAM_SPLIT, 0);
	select_exactly(&rng, NULL, n, want, dest);
}

static void
assign_leave_out(const struct by_user *g, const struct split_options *o, uint8_t *dest)
{
	struct bpr_rng rng;
	size_t u, n;

	rng_seed(&rng, o->seed, RNG_STREAM_SPLIT, 1);
	for (u = 0; u < g->users; u++) {
		n = g->start[u + 1] - g->start[u];
		/* A user needs one train row left, or they teach the model nothing. */
		select_exactly(&rng, g->rows + g->start[u], n, n > o->count ? o->count : 0, dest);
	}
}

struct timed_row {
	int64_t ts;
	uint32_t row;
};

static int
by_time(const void *a, const void *b)
{
	const struct timed_row *x = a, *y = b;

	if (x->ts != y->ts)
		return x->ts < y->ts ? -1 : 1;
	return x->row < y->row ? -1 : x->row > y->row;
}

/* Each user's last `count` ratings by timestamp (input order breaks ties). */
static int
assign_temporal_per_user(const struct rating_table *t, const struct by_user *g,
    const struct split_options *o, uint8_t *dest, struct bpr_err *e)
{
	struct timed_row *tmp = NULL;
	size_t cap = 0, u, k, n;

	for (u = 0; u < g->users; u++) {
		n = g->start[u + 1] - g->start[u];
		if (mem_grow(&tmp, &cap, n, sizeof(*tmp), "sorting by time", e) < 0)
			return -1;
		for (k = 0; k < n; k++) {
			tmp[k].row = g->rows[g->start[u] + k];
			tmp[k].ts = t->timestamp[tmp[k].row];
		}
		sort_array(tmp, n, sizeof(*tmp), by_time);
		for (k = 0; k < n; k++)
			dest[tmp[k].row] = n > o->count && k >= n - o->count ? ROW_TEST : ROW_TRAIN;
	}
	free(tmp);
	return 0;
}

static int
assign_scheme(const struct rating_table *t, const struct by_user *g,
    const struct split_options *o, uint8_t *dest, struct split_stats *st, struct bpr_err *e)
{
	size_t i;

	switch (o->scheme) {
	case SPLIT_ALLBUT:
		return assign_allbut(t, g, o, dest, &st->allbut_shuffled, e);
	case SPLIT_FOLD:
		assign_fold(t->n, o, dest);
		break;
	case SPLIT_RANDOM:
		assign_random(t->n, o, dest);
		break;
	case SPLIT_LEAVE_OUT:
		assign_leave_out(g, o, dest);
		break;
	case SPLIT_TEMPORAL:
		if (!o->use_time_cut)
			return assign_temporal_per_user(t, g, o, dest, e);
		for (i = 0; i < t->n; i++)
			dest[i] = t->timestamp[i] >= o->time_cut ? ROW_TEST : ROW_TRAIN;
		break;
	case SPLIT_NONE:
		break;
	}
	return 0;
}

static void
drop_and_count(const struct rating_table *t, const struct split_options *o,
    const uint8_t *dup, uint8_t *dest, struct split_stats *st)
{
	size_t i;

	for (i = 0; i < t->n; i++) {
		if (dup[i])
			dest[i] = ROW_DUPLICATE;
		else if (t->rating[i] < o->min_rating)
			dest[i] = ROW_BELOW_MIN;
		st->train += dest[i] == ROW_TRAIN;
		st->test += dest[i] == ROW_TEST;
		st->duplicates += dest[i] == ROW_DUPLICATE;
		st->below_min += dest[i] == ROW_BELOW_MIN;
	}
}

int
split_rows(const struct rating_table *t, const struct split_options *o,
    uint8_t *dest, struct split_stats *st, struct bpr_err *e)
{
	struct by_user g;
	uint8_t *dup;
	int rc = -1;

	memset(st, 0, sizeof(*st));
	st->rows = t->n;
	if ((dup = mem_array(t->n, 1, 1, "duplicate marks", e)) == NULL)
		return -1;
	if (group_by_user(t, &g, e) < 0) {
		free(dup);
		return -1;
	}
	st->users = g.users;
	if (mark_duplicates(t, &g, dup, &st->items, e) == 0 &&
	    assign_scheme(t, &g, o, dest, st, e) == 0) {
		drop_and_count(t, o, dup, dest, st);
		rc = 0;
	}
	by_user_free(&g);
	free(dup);
	return rc;
}
