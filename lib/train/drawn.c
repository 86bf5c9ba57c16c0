#include "train/drawn.h"

#include <stdlib.h>
#include <string.h>

#include "io/mem.h"
#include "model/model_impl.h"

/* One thread's room: its draws' scratch, the block as drawn and as rows. */
struct drawn_room {
	struct user_draw draw;
	struct sample *s;
	struct row_triplet *t;
	uint64_t *named;	/* by item row: a negative drawn (small enough for L1) */
};

/* Uniform negatives' table by id, and a row each: not past this many ids and 4 per universe item. */
#define ID_TABLE_MAX (64u << 20)

int
drawn_epochs_fit(const struct sampled_epochs *src)
{
	size_t ids = (size_t)src->pos.max_item_id + 1;

	/* uniform negatives give every id 0..max a row: sparse ids would make far too many */
	return src->sampler.mode != NEG_UNIFORM || ids <= ID_TABLE_MAX || ids <= 4 * src->pos.nitems;
}

/* Rows for the users with a triplet, in the blocks' order of users: a block's rows are together. */
static int
add_user_rows(struct drawn_epochs *d, struct bpr_model *m, const struct sampled_epochs *src,
    struct bpr_err *e)
{
	const struct positives *p = &src->pos;
	int64_t row;
	size_t j;
	uint32_t u;

	if ((d->user_row = mem_array(p->nusers + 1, sizeof(*d->user_row), 0, "the user rows", e)) == NULL ||
	    model_room_for_users(m, p->user_id, p->nusers, e) < 0)
		return -1;
	for (j = 0; j < p->nusers; j++) {
		u = d->blocks.users[j];
		d->user_row[u] = -1;
		if (!sampler_user_ok(&src->sampler, u))
			continue;
		if ((row = model_user_row(m, p->user_id[u], e)) < 0)
			return -1;
		d->user_row[u] = (int32_t)row;
	}
	return 0;
}

/* Whether a triplet can name universe item i, as positive, seen item or negative. */
static void
nameable_items(const struct sampled_epochs *src, unsigned char *can)
{
	const struct positives *p = &src->pos;
	size_t i;

	for (i = 0; i < p->nitems; i++)
		can[i] = src->sampler.mode == NEG_UNSEEN || p->item_count[i] > 0;
	for (i = 0; p->seen != NULL && src->how.seen_rate > 0 && i < p->nseen; i++)
		can[p->seen[i]] = 1;
}

/*
 * Rows for every item a triplet can name, by ascending id; then the
 * tables: universe index to row, and for uniform negatives (ids) id to row.
 */
static int
add_item_rows(struct drawn_epochs *d, struct bpr_model *m, const struct sampled_epochs *src,
    struct bpr_err *e)
{
	const struct positives *p = &src->pos;
	int uniform = src->sampler.mode == NEG_UNIFORM;
	size_t ids = (size_t)p->max_item_id + 1, i;
	unsigned char *can = mem_array(p->nitems + 1, 1, 0, "the item rows", e);
	int rc = -1;

	if (can == NULL || model_room_for_items(m, uniform ? NULL : p->item_id, uniform ? ids : p->nitems,
	    e) < 0) {
		free(can);
		return -1;
	}
	nameable_items(src, can);
	for (i = 0; i < (uniform ? ids : p->nitems); i++)
		if ((uniform || can[i]) && model_item_row(m, uniform ? (uint32_t)i : p->item_id[i], e) < 0)
			goto done;
	if (uniform && (d->id_row = mem_array(ids, sizeof(*d->id_row), 0, "the item rows", e)) == NULL)
		goto done;
	for (i = 0; uniform && i < ids; i++)
		d->id_row[i] = (int32_t)model_item_find(m, (uint32_t)i);
	if ((d->item_row = positives_item_map(p, model_item_find, m, e)) == NULL)
		goto done;
	d->neg_row = uniform ? d->id_row : d->item_row;
	d->named_words = m->item.rows / 64 + 1;
	rc = 0;
done:
	free(can);
	return rc;
}

static int
rooms_init(struct drawn_epochs *d, const struct sampled_epochs *src, int threads,
    struct bpr_err *e)
{
	size_t most = d->blocks.most_block + 1;
	int i;

	if ((d->room = calloc((size_t)threads, sizeof(*d->room))) == NULL)
		return bpr_fail(e, "out of memory for the samplers' room");
	d->threads = threads;
	for (i = 0; i < threads; i++) {
		struct drawn_room *r = &d->room[i];
		if (user_draw_init(&r->draw, &src->sampler, src->how.seen_rate,
		    USER_DRAW_OWN_BITMAP | USER_DRAW_INDEXES, e) < 0 ||
		    (r->named = mem_array(d->named_words, sizeof(*r->named), 1, "item flags", e)) == NULL ||
		    (r->s = mem_array(most, sizeof(*r->s), 0, "a block of triplets", e)) == NULL ||
		    (r->t = mem_array(most, sizeof(*r->t), 0, "a block of triplets", e)) == NULL)
			return -1;
	}
	return 0;
}

int
drawn_epochs_init(struct drawn_epochs *d, struct bpr_model *m, const struct sampled_epochs *src,
    uint32_t per, int threads, struct bpr_err *e)
{
	memset(d, 0, sizeof(*d));
	if (user_blocks_init(&d->blocks, &src->pos, &src->sampler, src->how.seed,
	    src->gen.draw.seen_rate, per, BLOCK_TRIPLETS, e) < 0 || add_user_rows(d, m, src, e) < 0 ||
	    add_item_rows(d, m, src, e) < 0 || rooms_init(d, src, threads, e) < 0) {
		drawn_epochs_free(d);
		return -1;
	}
	return 0;
}

void
drawn_epochs_free(struct drawn_epochs *d)
{
	int i;

	for (i = 0; d->room != NULL && i < d->threads; i++) {
		user_draw_free(&d->room[i].draw);
		free(d->room[i].named);
		free(d->room[i].s);
		free(d->room[i].t);
	}
	free(d->room);
	free(d->user_row);
	free(d->item_row);
	free(d->id_row);
	user_blocks_free(&d->blocks);
	memset(d, 0, sizeof(*d));
}

void
drawn_epochs_named(const struct drawn_epochs *d, unsigned char *named)
{
	const struct positives *p = d->blocks.pos;
	size_t u, j, row;
	int t;

	for (u = 0; u < p->nusers; u++)
		for (j = p->start[u]; d->user_row[u] >= 0 && j < p->start[u + 1]; j++)
			named[d->item_row[p->items[j]]] = 1;
	for (t = 0; t < d->threads; t++)
		for (row = 0; row < d->named_words * 64; row++)
			if (d->room[t].named[row / 64] >> (row % 64) & 1)
				named[row] = 1;
}

size_t
drawn_epochs_expected(const struct drawn_epochs *d)
{
	const struct user_blocks *b = &d->blocks;

	return b->positives + (size_t)((double)(b->most_epoch - b->positives) * b->seen_rate + 0.5);
}

size_t
drawn_epochs_fill(void *ctx, int thread, size_t k, const struct row_triplet **out)
{
	struct drawn_epochs *d = ctx;
	struct drawn_room *r = &d->room[thread];
	size_t n = user_blocks_draw(&d->blocks, &r->draw, k, r->s), i;
	uint32_t q;
	int seen = d->blocks.seen_rate > 0;

	for (i = 0; i < n; i++) {
		q = (uint32_t)d->neg_row[r->s[i].neg];
		r->t[i].u = (uint32_t)d->user_row[r->s[i].user];
		r->t[i].p = (uint32_t)d->item_row[r->s[i].item];
		r->t[i].n = q;
		/* every positive is in every epoch, but seen items are drawn */
		r->named[q / 64] |= (uint64_t)1 << (q % 64);
		if (seen)
			r->named[r->t[i].p / 64] |= (uint64_t)1 << (r->t[i].p % 64);
	}
	*out = r->t;
	return n;
}
