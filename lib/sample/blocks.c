#include "sample/blocks.h"

#include <stdlib.h>
#include <string.h>

#include "io/mem.h"

/* The substream of the blocks' order in an epoch (block numbers stay below it). */
#define ORDER_SUB UINT32_MAX
/* The epoch number whose substreams draw the users' order, once (no epoch reaches it). */
#define USERS_EPOCH UINT32_MAX

/* Cut the users, in b->users' order, into blocks; returns how many. */
static size_t
cut_blocks(struct user_blocks *b, const struct neg_sampler *s, uint32_t per, size_t max)
{
	const struct positives *p = b->pos;
	size_t k = 0, in = 0, users = 0, most, j;
	uint32_t u;

	for (j = 0; j < p->nusers; j++) {
		u = b->users[j];
		most = sampler_user_ok(s, u) ? user_draw_most(p, u, b->seen_rate) : 0;
		if (users > 0 && (users == per || in + most > max)) {
			k++;
			in = users = 0;
		}
		if (users == 0)
			b->first[k] = (uint32_t)j;
		in += most;
		users++;
		b->most_epoch += most;
		b->positives += most > 0 ? p->start[u + 1] - p->start[u] : 0;
		if (in > b->most_block)
			b->most_block = in;
	}
	k += users > 0;
	b->first[k] = (uint32_t)p->nusers;
	return k;
}

int
user_blocks_init(struct user_blocks *b, const struct positives *p, const struct neg_sampler *s,
    uint64_t seed, double seen_rate, uint32_t per, size_t max_triplets, struct bpr_err *e)
{
	struct bpr_rng rng;

	memset(b, 0, sizeof(*b));
	b->pos = p;
	b->seed = seed;
	b->seen_rate = seen_rate;
	if (p->nusers >= ORDER_SUB)
		return bpr_fail(e, "too many users to cut into blocks");
	/* at most a block a user */
	b->users = mem_array(p->nusers + 1, sizeof(*b->users), 0, "the users' order", e);
	b->first = mem_array(p->nusers + 1, sizeof(*b->first), 0, "the blocks", e);
	b->order = mem_array(p->nusers + 1, sizeof(*b->order), 0, "the blocks' order", e);
	if (b->users == NULL || b->first == NULL || b->order == NULL) {
		user_blocks_free(b);
		return -1;
	}
	rng_seed(&rng, seed, RNG_STREAM_BLOCKS, (uint64_t)USERS_EPOCH << 32 | ORDER_SUB);
	rng_permutation(&rng, b->users, p->nusers);
	b->count = cut_blocks(b, s, per > 0 ? per : 1, max_triplets);
	return 0;
}

void
user_blocks_free(struct user_blocks *b)
{
	free(b->order);
	free(b->first);
	free(b->users);
	b->order = b->first = b->users = NULL;
}

void
user_blocks_begin(struct user_blocks *b)
{
	struct bpr_rng rng;

	rng_seed(&rng, b->seed, RNG_STREAM_BLOCKS, (uint64_t)b->epoch << 32 | ORDER_SUB);
	rng_permutation(&rng, b->order, b->count);
	b->epoch++;
}

size_t
user_blocks_draw(const struct user_blocks *b, struct user_draw *d, size_t k, struct sample *out)
{
	uint32_t block = b->order[k], j;
	struct bpr_rng rng;
	size_t n = 0;

	rng_seed(&rng, b->seed, RNG_STREAM_BLOCKS, (uint64_t)(b->epoch - 1) << 32 | block);
	for (j = b->first[block]; j < b->first[block + 1]; j++)
		n += user_draw_samples(d, &rng, b->users[j], out + n);
	fisher_yates_samples(out, n, &rng);
	return n;
}
