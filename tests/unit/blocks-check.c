/*
 * blocks-check: epochs drawn a block of users at a time (sample/blocks.h),
 * checked against what an epoch must be, for each negative mode:
 *   - the blocks cut a drawn order of the users, each user once, none
 *     over its limits;
 *   - each epoch's block order is a permutation;
 *   - each user's triplets are its positives, each exactly once, and
 *     nothing for a user who has every item (unseen);
 *   - every negative is one the mode allows (unseen: not a positive of
 *     the user; pop: an item with positives; uniform: an id 0..max);
 *   - a block's draws do not depend on the order blocks are drawn in or
 *     by whom (drawn again in reverse, with other room: the same);
 *   - a block of several users comes shuffled, epochs differ, and a
 *     user's unseen negatives are spread evenly over the items.
 * Prints "ok MODE ..." per run; exits 1 on the first failure.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "data/positives.h"
#include "data/rng.h"
#include "sample/blocks.h"
#include "sample/sampler.h"

#define USERS 700
#define ITEMS 300
#define EPOCHS 40
#define PER 64		/* users a block, at most */

static int failed;

#define CHECK(cond, ...) do { if (!(cond)) { printf("FAIL: " __VA_ARGS__); printf("\n"); \
	failed = 1; return; } } while (0)

/*
 * Users with skewed activity: user 0 has every item (no unseen
 * negative), user 1 enough for a block of its own, the rest 1..60.
 */
static void
make_positives(struct positives *p)
{
	struct bpr_rng rng;
	uint64_t *keys = malloc(sizeof(*keys) * USERS * ITEMS);
	size_t n = 0, u, i, k;
	struct bpr_err e;

	rng_seed(&rng, 7, 1, 0);
	for (u = 0; u < USERS; u++) {
		k = u == 0 ? ITEMS : u == 1 ? ITEMS - 10 : 1 + rng_below(&rng, 60);
		for (i = 0; i < k; i++)
			keys[n++] = (uint64_t)(u + 1) << 32 | (u < 2 ? i + 1 : 1 + rng_below(&rng, ITEMS));
	}
	if (positives_from_keys(p, keys, n, NULL, 0, &e) < 0) {
		printf("FAIL: positives: %s\n", e.msg);
		exit(1);
	}
	free(keys);
}

static int
is_positive(const struct positives *p, uint32_t u, uint32_t item)
{
	uint32_t j;

	for (j = p->start[u]; j < p->start[u + 1]; j++)
		if (p->items[j] == item)
			return 1;
	return 0;
}

static void
check_cut(const struct user_blocks *b, const struct positives *p, const struct neg_sampler *s,
    size_t max)
{
	size_t k, n;
	uint32_t u;

	uint32_t *times = calloc(p->nusers, sizeof(*times)), j;

	CHECK(b->first[0] == 0 && b->first[b->count] == p->nusers, "blocks do not cover the users");
	for (j = 0; j < p->nusers; j++)
		CHECK(b->users[j] < p->nusers && times[b->users[j]]++ == 0, "the users' order repeats one");
	free(times);
	CHECK(b->users[0] != 0 || b->users[1] != 1 || b->users[2] != 2, "the users' order is not drawn");
	for (k = 0; k < b->count; k++) {
		CHECK(b->first[k + 1] > b->first[k], "block %zu is empty", k);
		CHECK(b->first[k + 1] - b->first[k] <= PER, "block %zu has too many users", k);
		for (n = 0, j = b->first[k]; j < b->first[k + 1]; j++) {
			u = b->users[j];
			n += sampler_user_ok(s, u) ? p->start[u + 1] - p->start[u] : 0;
		}
		CHECK(n <= max || b->first[k + 1] - b->first[k] == 1,
		    "block %zu has %zu triplets", k, n);
	}
}

/* One user's triplets of a block: its positives once each, allowed negatives. */
static void
check_user(const struct positives *p, const struct neg_sampler *s, uint32_t u,
    const struct sample *t, size_t n)
{
	uint32_t want = p->start[u + 1] - p->start[u], got = 0, *seen = calloc(ITEMS + 1, 4);
	size_t i;

	if (!sampler_user_ok(s, u))
		want = 0;
	for (i = 0; i < n; i++) {
		if (t[i].user != u)
			continue;
		got++;
		CHECK(t[i].item < p->nitems && is_positive(p, u, t[i].item), "user %u: not a positive", u);
		CHECK(seen[t[i].item]++ == 0, "user %u: positive %u twice", u, t[i].item);
		if (s->mode == NEG_UNSEEN)
			CHECK(t[i].neg < p->nitems && !is_positive(p, u, t[i].neg),
			    "user %u: negative %u is a positive", u, t[i].neg);
		else if (s->mode == NEG_POP)
			CHECK(t[i].neg < p->nitems && p->item_count[t[i].neg] > 0,
			    "user %u: negative %u has no positive", u, t[i].neg);
		else
			CHECK(t[i].neg <= p->max_item_id, "user %u: negative %u past the ids", u, t[i].neg);
	}
	free(seen);
	CHECK(got == want, "user %u: %u triplets, want %u", u, got, want);
}

/* True when each user's triplets sit together, as drawn before a shuffle. */
static int
grouped(const struct sample *t, size_t n)
{
	unsigned char *done = calloc(USERS, 1);
	size_t i;
	int ok = 1;

	for (i = 0; i < n && ok; i++) {
		if (i > 0 && t[i].user != t[i - 1].user)
			done[t[i - 1].user] = 1;
		ok = !done[t[i].user];
	}
	free(done);
	return ok;
}

static void
check_mode(const struct positives *p, enum neg_mode mode, const char *name, size_t max)
{
	struct neg_sampler s;
	struct user_blocks b;
	struct user_draw d1, d2;
	struct sample *t, *again, *first_epoch;
	size_t k, n, m, shuffled = 0, same_epoch = 1, hits[ITEMS] = { 0 };
	uint32_t u, e, *count = calloc(USERS, sizeof(*count));
	struct bpr_err err;
	int flags = USER_DRAW_OWN_BITMAP | USER_DRAW_INDEXES;

	if (sampler_init(&s, p, mode, 1, &err) < 0 || user_blocks_init(&b, p, &s, 3, 0, PER, max, &err) < 0 ||
	    user_draw_init(&d1, &s, 0, flags, &err) < 0 || user_draw_init(&d2, &s, 0, flags, &err) < 0) {
		printf("FAIL: %s: %s\n", name, err.msg);
		exit(1);
	}
	t = malloc(sizeof(*t) * (b.most_block + 1));
	again = malloc(sizeof(*t) * (b.most_block + 1));
	first_epoch = malloc(sizeof(*t) * (b.most_block + 1));
	check_cut(&b, p, &s, max);
	for (e = 0; e < EPOCHS && !failed; e++) {
		user_blocks_begin(&b);
		memset(count, 0, sizeof(*count) * USERS);
		for (k = 0; k < b.count; k++)
			count[b.order[k]]++;
		for (k = 0; k < b.count; k++)
			CHECK(count[k] == 1, "%s: epoch %u: block %zu ordered %u times", name, e, k, count[k]);
		for (k = b.count; k-- > 0 && !failed;) {
			n = user_blocks_draw(&b, &d1, k, t);
			m = user_blocks_draw(&b, &d2, k, again);
			CHECK(n == m && memcmp(t, again, n * sizeof(*t)) == 0,
			    "%s: block %zu drawn twice differs", name, k);
			for (u = b.first[b.order[k]]; u < b.first[b.order[k] + 1]; u++)
				check_user(p, &s, b.users[u], t, n);
			shuffled += b.first[b.order[k] + 1] - b.first[b.order[k]] > 1 && !grouped(t, n);
			if (b.order[k] == 2 && e == 0)
				memcpy(first_epoch, t, n * sizeof(*t));
			if (b.order[k] == 2 && e == 1)
				same_epoch = memcmp(first_epoch, t, n * sizeof(*t)) == 0;
			for (m = 0; mode == NEG_UNSEEN && m < n; m++)
				hits[t[m].neg] += t[m].user == 1;
		}
	}
	if (!failed) {
		CHECK(shuffled > 0, "%s: no block of several users came shuffled", name);
		CHECK(!same_epoch, "%s: two epochs drew the same block alike", name);
		/* user 1 lacks items 290..299: 290 draws an epoch over 10 items, 1160 each expected */
		for (k = 0; mode == NEG_UNSEEN && k < ITEMS; k++)
			CHECK(k < ITEMS - 10 ? hits[k] == 0 : hits[k] > 1000 && hits[k] < 1320,
			    "%s: user 1 drew item %zu %zu times", name, k, hits[k]);
	}
	if (!failed)
		printf("ok %s: %zu blocks of at most %d users and %zu triplets, %u epochs\n", name,
		    b.count, PER, max, EPOCHS);
	free(t);
	free(again);
	free(first_epoch);
	free(count);
	user_draw_free(&d1);
	user_draw_free(&d2);
	user_blocks_free(&b);
	sampler_free(&s);
}

int
main(void)
{
	struct positives p;

	memset(&p, 0, sizeof(p));
	make_positives(&p);
	/* 400 triplets cut most blocks before 64 users; 100000 never does */
	check_mode(&p, NEG_UNSEEN, "unseen", 400);
	check_mode(&p, NEG_UNSEEN, "unseen", 100000);
	check_mode(&p, NEG_POP, "pop", 400);
	check_mode(&p, NEG_UNIFORM, "uniform", 400);
	positives_free(&p);
	return failed;
}
