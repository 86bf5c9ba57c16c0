/*
 * Data set ids (any 0..2^31-1) to dense indexes 0..n-1 in order of first
 * appearance. Small ids (MovieLens' are all below a million) are looked
 * up in a plain array indexed by id; others in an open-addressing hash
 * table, so huge or sparse ids cost nothing extra.
 */
#ifndef BPR_IDMAP_H
#define BPR_IDMAP_H

#include <stddef.h>
#include <stdint.h>

#define IDMAP_EMPTY 0xffffffffu
#define IDMAP_DIRECT_LIMIT (1u << 22)	/* ids below this use the array */

struct idmap {
	int32_t *direct;	/* [direct_cap]: index of id, or -1 */
	size_t direct_cap;	/* covers every id below it that was added */
	uint32_t *keys;		/* hash of the larger ids; IDMAP_EMPTY is free */
	uint32_t *index;
	uint32_t *ids;		/* ids in index order */
	size_t count, slots, hashed;	/* slots is a power of two */
	size_t ids_cap;
};

int idmap_init(struct idmap *m, size_t expected);
void idmap_free(struct idmap *m);

static inline size_t
idmap_slot(const struct idmap *m, uint32_t id)
{
	/* Fibonacci hashing spreads consecutive ids over the table. */
	return (size_t)(((uint64_t)id * 0x9e3779b97f4a7c15ULL) >> 32) & (m->slots - 1);
}

/* Index of id, or -1 when absent. */
static inline int64_t
idmap_find(const struct idmap *m, uint32_t id)
{
	size_t s;

	if (id < IDMAP_DIRECT_LIMIT)
		return id < m->direct_cap ? m->direct[id] : -1;
	s = idmap_slot(m, id);
	while (m->keys[s] != IDMAP_EMPTY) {
		if (m->keys[s] == id)
			return m->index[s];
		s = (s + 1) & (m->slots - 1);
	}
	return -1;
}

/* Add id, which must be absent: its index, or -1 when out of memory. */
int64_t idmap_insert(struct idmap *m, uint32_t id);

/*
 * Index of id, adding it if new; -1 when out of memory. Inline, since
 * callers look up every id of every epoch and nearly all are known.
 */
static inline int64_t
idmap_add(struct idmap *m, uint32_t id)
{
	int64_t found = idmap_find(m, id);

	return found >= 0 ? found : idmap_insert(m, id);
}

#endif
