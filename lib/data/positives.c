#include "data/positives.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "data/idmap.h"
#include "data/sort.h"
#include "io/filekind.h"
#include "io/mem.h"
#include "io/parse.h"
#include "io/text.h"

/* Lines read before the file's size tells how many it holds in all. */
#define ESTIMATE_AFTER 4096

static const char *const interaction_names[3] = { "user", "item", "interactions" };
static const char *const seen_names[3] = { "user", "item", "seen interactions" };

void
positives_free(struct positives *p)
{
	free(p->user_id);
	free(p->item_id);
	free(p->start);
	free(p->items);
	free(p->item_count);
	free(p->seen_start);
	free(p->seen);
	memset(p, 0, sizeof(*p));
}

int
parse_id_pair(const char *line, size_t len, const char *const names[2], uint64_t *key,
    const char *file, long lineno, struct bpr_err *e)
{
	struct field f[2];
	uint32_t user, item;
	const char *why, *tab = memchr(line, '\t', len), *end;

	/* Only the first two fields matter: do not scan the rest. */
	f[0].s = line;
	f[0].len = tab ? (size_t)(tab - line) : len;
	if (tab != NULL) {
		f[1].s = tab + 1;
		end = memchr(f[1].s, '\t', (size_t)(line + len - f[1].s));
		f[1].len = (size_t)((end ? end : line + len) - f[1].s);
	}
	if (tab == NULL)
		return bpr_fail_at(e, file, lineno, "1 field, expected at least 2 (%s<TAB>%s)",
		    names[0], names[1]);
	if (parse_id(f[0].s, f[0].len, &user, &why) < 0)
		return bpr_fail_at(e, file, lineno, "%s id '%.*s' %s", names[0], field_show(&f[0]), why);
	if (parse_id(f[1].s, f[1].len, &item, &why) < 0)
		return bpr_fail_at(e, file, lineno, "%s id '%.*s' %s", names[1], field_show(&f[1]), why);
	*key = (uint64_t)user << 32 | item;
	return 0;
}

/* The third field of a line, when it is a star rating: 0..5 in halves. */
static void
count_stars(const char *line, size_t len, struct star_count *stars)
{
	const char *end = line + len, *s, *t;
	double v;
	size_t n;

	/* memchr, not a field split: this runs on every line of tens of millions */
	if ((s = memchr(line, '\t', len)) == NULL ||
	    (s = memchr(s + 1, '\t', (size_t)(end - s - 1))) == NULL)
		return;
	s++;
	t = memchr(s, '\t', (size_t)(end - s));
	n = (size_t)((t != NULL ? t : end) - s);
	if (n == 1 && s[0] >= '0' && s[0] <= '5')
		v = s[0] - '0';
	else if (n == 3 && s[0] >= '0' && s[0] <= '5' && s[1] == '.' && (s[2] == '0' || s[2] == '5'))
		v = s[0] - '0' + (s[2] == '5' ? 0.5 : 0);
	else
		return;
	if (v > 5)
		return;
	stars->rated++;
	stars->below += v < STAR_LIKED;
}

int
read_id_pairs(struct bpr_input *in, const char *const names[3], uint64_t **keys, size_t *n,
    struct star_count *stars, struct bpr_err *e)
{
	size_t cap = 0, len;
	char what[96], *line;
	int rc;

	*keys = NULL;
	*n = 0;
	snprintf(what, sizeof(what), "%s (%s<TAB>%s)", names[2], names[0], names[1]);
	if (expect_text(in, what, 0, e) < 0)
		return -1;
	while ((rc = input_record(in, &line, &len, e)) > 0) {
		/* room for the whole file at once, by its first lines: an estimate, so failing is no error */
		if (*n == ESTIMATE_AFTER)
			(void)mem_grow(keys, &cap, input_records_expected(in, *n), sizeof(**keys), what,
			    &(struct bpr_err){ 0 });
		if (mem_grow(keys, &cap, *n + 1, sizeof(**keys), what, e) < 0 ||
		    parse_id_pair(line, len, names, &(*keys)[*n], input_name(in), input_lineno(in), e) < 0)
			return -1;
		if (stars != NULL)
			count_stars(line, len, stars);
		(*n)++;
	}
	if (rc == 0 && *n == 0)
		return bpr_fail_at(e, input_name(in), 0, "no %s in the input", names[2]);
	return rc;
}

int
read_id_column(struct bpr_input *in, uint32_t **ids, size_t *n, struct bpr_err *e)
{
	struct field f[1];
	size_t cap = 0, len;
	const char *why;
	char *line;
	int rc;

	*ids = NULL;
	*n = 0;
	if (expect_text(in, "a TSV whose first column is ids", 1, e) < 0)
		return -1;
	while ((rc = input_record(in, &line, &len, e)) > 0) {
		split_fields(line, len, "\t", 1, f, 1);
		if (mem_grow(ids, &cap, *n + 1, sizeof(**ids), "ids", e) < 0)
			return -1;
		if (parse_id(f[0].s, f[0].len, &(*ids)[*n], &why) < 0)
			return bpr_fail_at(e, input_name(in), input_lineno(in), "id '%.*s' %s",
			    field_show(&f[0]), why);
		(*n)++;
	}
	return rc;
}

/* The item of the i-th of the keys (their low half) and then of the extra list. */
static uint32_t
universe_item(const uint64_t *keys, size_t n, const uint32_t *extra, size_t i)
{
	return i < n ? (uint32_t)keys[i] : extra[i - n];
}

/*
 * Distinct ids by marking, straight from the keys and the extra list: fast
 * when ids are compact (MovieLens), and no copy of the ids.
 */
static size_t
distinct_by_marking(const uint64_t *keys, size_t n, const uint32_t *extra, size_t nextra,
    uint32_t max, uint8_t *mark, uint32_t *out)
{
	size_t i, m = 0;
	uint32_t id;

	for (i = 0; i < n + nextra; i++)
		mark[universe_item(keys, n, extra, i)] = 1;
	for (id = 0; id <= max; id++)
		if (mark[id])
			out[m++] = id;
	return m;
}

/* Distinct ids by sorting them where they go: any ids. */
static size_t
distinct_by_sorting(const uint64_t *keys, size_t n, const uint32_t *extra, size_t nextra,
    uint32_t *out)
{
	size_t i;

	for (i = 0; i < n + nextra; i++)
		out[i] = universe_item(keys, n, extra, i);
	return sort_u32_distinct(out, n + nextra);
}

/* Sorted distinct items of the keys and of the extra list. */
static int
build_universe(struct positives *p, const uint64_t *keys, size_t n,
    const uint32_t *extra, size_t nextra, struct bpr_err *e)
{
	size_t total = n + nextra, i;
	uint8_t *mark;
	uint32_t max = 0, id;

	if ((p->item_id = mem_array(total, sizeof(*p->item_id), 0, "the item universe", e)) == NULL)
		return -1;
	for (i = 0; i < total; i++)
		max = (id = universe_item(keys, n, extra, i)) > max ? id : max;
	p->max_item_id = max;
	if ((size_t)max >= 4 * total + (1u << 24)) {
		p->nitems = distinct_by_sorting(keys, n, extra, nextra, p->item_id);
		return 0;
	}
	if ((mark = mem_array((size_t)max + 1, 1, 1, "the item universe", e)) == NULL)
		return -1;
	p->nitems = distinct_by_marking(keys, n, extra, nextra, max, mark, p->item_id);
	free(mark);
	return 0;
}

/* Group the sorted distinct keys by user, items as universe indexes. */
static int
build_groups(struct positives *p, const uint64_t *keys, size_t n, struct bpr_err *e)
{
	struct idmap index;
	size_t i, u = 0;

	if (idmap_init(&index, p->nitems) < 0)
		return bpr_fail(e, "out of memory for the item index");
	for (i = 0; i < p->nitems; i++) {
		if (idmap_add(&index, p->item_id[i]) < 0) {
			idmap_free(&index);
			return bpr_fail(e, "out of memory for the item index");
		}
	}
	p->user_id = mem_array(n, sizeof(*p->user_id), 0, "users", e);
	p->start = mem_array(n + 1, sizeof(*p->start), 0, "users", e);
	p->items = mem_array(n, sizeof(*p->items), 0, "positives", e);
	p->item_count = mem_array(p->nitems, sizeof(*p->item_count), 1, "item counts", e);
	if (p->user_id == NULL || p->start == NULL || p->items == NULL || p->item_count == NULL) {
		idmap_free(&index);
		return -1;
	}
	for (i = 0; i < n; i++) {
		uint32_t user = (uint32_t)(keys[i] >> 32);
		if (i == 0 || user != p->user_id[u - 1]) {
			p->user_id[u] = user;
			p->start[u++] = (uint32_t)i;
		}
		p->items[i] = (uint32_t)idmap_find(&index, (uint32_t)keys[i]);
		p->item_count[p->items[i]]++;
	}
	p->start[u] = (uint32_t)n;
	p->nusers = u;
	p->npairs = n;
	idmap_free(&index);
	return 0;
}

/* Sort and collapse repeated (user << 32 | item) keys; returns how many remain. */
static size_t
distinct_keys(uint64_t *keys, size_t n, uint64_t *tmp)
{
	size_t i, m = 0;

	radix_sort_u64(keys, tmp, n);
	for (i = 0; i < n; i++)
		if (m == 0 || keys[m - 1] != keys[i])
			keys[m++] = keys[i];
	return m;
}

/*
 * Group the seen keys (sorted, distinct, every item in the universe) by
 * the positives' users, leaving out the users' positives and the users
 * who have none: a seen item is only ever trained beside positives.
 */
static int
group_seen(struct positives *p, const uint64_t *keys, size_t n, struct bpr_err *e)
{
	size_t i, u = 0;
	uint32_t user, item;

	p->seen_start = mem_array(p->nusers + 1, sizeof(*p->seen_start), 1, "seen interactions", e);
	p->seen = mem_array(n, sizeof(*p->seen), 0, "seen interactions", e);
	if (p->seen_start == NULL || p->seen == NULL)
		return -1;
	for (i = 0; i < n; i++) {
		user = (uint32_t)(keys[i] >> 32);
		while (u < p->nusers && p->user_id[u] < user)
			p->seen_start[++u] = (uint32_t)p->nseen;
		item = (uint32_t)positives_item_index(p, (uint32_t)keys[i]);
		if (u == p->nusers || p->user_id[u] != user || positives_has(p, (uint32_t)u, item))
			p->seen_unused++;
		else
			p->seen[p->nseen++] = item;
	}
	while (u < p->nusers)
		p->seen_start[++u] = (uint32_t)p->nseen;
	return 0;
}

int
positives_from_keys(struct positives *p, uint64_t *keys, size_t n, const uint32_t *extra,
    size_t nextra, struct bpr_err *e)
{
	uint64_t *tmp;
	size_t m;

	memset(p, 0, sizeof(*p));
	p->rows = n;
	if ((tmp = mem_array(n, sizeof(*tmp), 0, "sorting interactions", e)) == NULL)
		return -1;
	m = distinct_keys(keys, n, tmp);
	free(tmp);
	p->duplicates = n - m;
	if (build_universe(p, keys, m, extra, nextra, e) < 0 || build_groups(p, keys, m, e) < 0) {
		positives_free(p);
		return -1;
	}
	return 0;
}

/* True, with the message, when n pairs are more than 32-bit offsets can hold. */
static int
too_many(const struct bpr_input *in, size_t n, struct bpr_err *e)
{
	if (n < UINT32_MAX)
		return 0;
	bpr_fail(e, "%s: more than %u interactions are not supported", input_name(in), UINT32_MAX - 1);
	return 1;
}

/* Read the seen pairs, and append their items to the catalogue's. */
static int
read_seen(struct bpr_input *in, uint64_t **keys, size_t *n, uint32_t **extra, size_t *nextra,
    struct bpr_err *e)
{
	size_t cap = *nextra, i;

	input_track_crc(in);
	if (read_id_pairs(in, seen_names, keys, n, NULL, e) < 0 ||
	    mem_grow(extra, &cap, *nextra + *n, sizeof(**extra), "the item universe", e) < 0)
		return -1;
	for (i = 0; i < *n; i++)
		(*extra)[(*nextra)++] = (uint32_t)(*keys)[i];
	return 0;
}

/* The seen pairs as groups of p, which was built with their items. */
static int
attach_seen(struct positives *p, struct bpr_input *in, uint64_t *keys, size_t n,
    struct bpr_err *e)
{
	uint64_t *tmp = mem_array(n, sizeof(*tmp), 0, "sorting seen interactions", e);
	size_t m;

	if (tmp == NULL)
		return -1;
	m = distinct_keys(keys, n, tmp);
	free(tmp);
	p->seen_rows = n;
	p->seen_crc = input_crc(in);
	return group_seen(p, keys, m, e);
}

int
positives_read_seen(struct positives *p, struct bpr_input *in, const struct id_list *given,
    struct bpr_input *seen, struct bpr_err *e)
{
	uint64_t *keys = NULL, *seen_keys = NULL;
	uint32_t *extra = NULL;
	size_t n = 0, nextra = 0, nseen = 0;
	struct star_count stars = { 0, 0 };
	int rc = -1;

	memset(p, 0, sizeof(*p));
	input_track_crc(in);
	if (read_id_pairs(in, interaction_names, &keys, &n, &stars, e) < 0)
		goto done;
	if (too_many(in, n, e))
		goto done;
	/* a copy: the seen items are appended to it */
	if (given != NULL && given->n > 0) {
		if ((extra = mem_array(given->n, sizeof(uint32_t), 0, "the catalogue", e)) == NULL)
			goto done;
		memcpy(extra, given->ids, given->n * sizeof(uint32_t));
		nextra = given->n;
	}
	if (seen != NULL && (read_seen(seen, &seen_keys, &nseen, &extra, &nextra, e) < 0 ||
	    too_many(seen, nseen, e)))
		goto done;
	if ((rc = positives_from_keys(p, keys, n, extra, nextra, e)) < 0)
		goto done;
	p->crc = input_crc(in);
	p->bytes = input_bytes(in);
	p->stars = stars;
	if (seen != NULL)
		rc = attach_seen(p, seen, seen_keys, nseen, e);
done:
	free(keys);
	free(seen_keys);
	free(extra);
	if (rc < 0)
		positives_free(p);
	return rc;
}

int
positives_read(struct positives *p, struct bpr_input *in, struct bpr_input *extra_items,
    struct bpr_err *e)
{
	struct id_list extra = { NULL, 0 };
	uint32_t *ids = NULL;
	int rc;

	if (extra_items != NULL && read_id_column(extra_items, &ids, &extra.n, e) < 0)
		return -1;
	extra.ids = ids;
	rc = positives_read_seen(p, in, &extra, NULL, e);
	free(ids);
	return rc;
}

static int64_t
search_u32(const uint32_t *a, size_t n, uint32_t key)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (a[mid] < key)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < n && a[lo] == key ? (int64_t)lo : -1;
}

int64_t
positives_item_index(const struct positives *p, uint32_t id)
{
	return search_u32(p->item_id, p->nitems, id);
}

int64_t
positives_user_index(const struct positives *p, uint32_t id)
{
	return search_u32(p->user_id, p->nusers, id);
}

size_t
positives_common(const struct positives *a, const struct positives *b)
{
	size_t u = 0, v = 0, n = 0, i, j;
	uint32_t x, y;

	/* users ascend in both, and so do each user's items (by index and id) */
	while (u < a->nusers && v < b->nusers) {
		if (a->user_id[u] != b->user_id[v]) {
			if (a->user_id[u] < b->user_id[v])
				u++;
			else
				v++;
			continue;
		}
		for (i = a->start[u], j = b->start[v]; i < a->start[u + 1] && j < b->start[v + 1];) {
			x = a->item_id[a->items[i]];
			y = b->item_id[b->items[j]];
			n += x == y;
			i += x <= y;
			j += y <= x;
		}
		u++;
		v++;
	}
	return n;
}

int
positives_has(const struct positives *p, uint32_t u, uint32_t i)
{
	return search_u32(p->items + p->start[u], p->start[u + 1] - p->start[u], i) >= 0;
}

int32_t *
positives_item_map(const struct positives *p, int64_t (*find)(const void *ctx, uint32_t id),
    const void *ctx, struct bpr_err *e)
{
	int32_t *map = mem_array(p->nitems + 1, sizeof(int32_t), 0, "an item map", e);
	size_t i;

	if (map == NULL)
		return NULL;
	for (i = 0; i < p->nitems; i++)
		map[i] = (int32_t)find(ctx, p->item_id[i]);
	return map;
}

static void *
read_behind(void *arg)
{
	struct positives_behind *b = arg;

	b->rc = positives_read(b->p, b->in, NULL, &b->e);
	return NULL;
}

void
positives_read_behind(struct positives_behind *b, struct bpr_input *in)
{
	memset(b, 0, sizeof(*b));
	if ((b->in = in) == NULL)
		return;
	if ((b->p = calloc(1, sizeof(*b->p))) == NULL) {
		b->rc = bpr_fail(&b->e, "out of memory");
		return;
	}
	b->threaded = pthread_create(&b->thread, NULL, read_behind, b) == 0;
	if (!b->threaded)
		read_behind(b);
}

int
positives_wait(struct positives_behind *b, struct bpr_err *e)
{
	if (b->threaded)
		pthread_join(b->thread, NULL);
	b->threaded = 0;
	if (b->in != NULL)
		input_close(b->in);
	b->in = NULL;
	if (b->rc < 0) {
		*e = b->e;
		if (b->p != NULL)
			positives_free(b->p);
		free(b->p);
		b->p = NULL;
	}
	return b->rc;
}
