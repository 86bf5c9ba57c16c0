/*
 * Shards: the work that grows as users x items (every user's AUC, every
 * user's top-K) split by user so that N runs, on N machines if need be,
 * together do one run's work. Shard I of N holds the users whose id
 * hashes to I: MurmurHash3's 32-bit finaliser of the id, modulo N. The
 * hash is part of the file formats (bpr-formats(5)): never change it.
 */
#ifndef BPR_SHARD_H
#define BPR_SHARD_H

#include <stdint.h>

#include "io/err.h"

#define SHARD_MAX 65536

struct shard {
	uint32_t index, count;	/* count 0: no sharding, every user */
};

/* The finaliser mixes every bit of the id into every bit of the hash. */
static inline uint32_t
shard_hash(uint32_t id)
{
	id ^= id >> 16;
	id *= 0x85ebca6bu;
	id ^= id >> 13;
	id *= 0xc2b2ae35u;
	id ^= id >> 16;
	return id;
}

/* Whether user id belongs to shard s. */
static inline int
shard_has(const struct shard *s, uint32_t id)
{
	return s->count == 0 || shard_hash(id) % s->count == s->index;
}

/* Read --shard's I/N: 0 <= I < N <= SHARD_MAX. */
int shard_parse(const char *opt, const char *arg, struct shard *s, struct bpr_err *e);

#endif
