#include "data/idmap.h"

#include <stdlib.h>
#include <string.h>

/* New empty slots; on failure the map keeps the ones it had. */
static int
alloc_slots(struct idmap *m, size_t slots)
{
	uint32_t *keys = malloc(slots * sizeof(*keys)), *index = malloc(slots * sizeof(*index));

	if (keys == NULL || index == NULL) {
		free(keys);
		free(index);
		return -1;
	}
	memset(keys, 0xff, slots * sizeof(*keys));
	m->keys = keys;
	m->index = index;
	m->slots = slots;
	return 0;
}

int
idmap_init(struct idmap *m, size_t expected)
{
	size_t slots = 64;

	memset(m, 0, sizeof(*m));
	(void)expected;	/* the hash holds only ids past the direct array: start small */
	return alloc_slots(m, slots);
}

void
idmap_free(struct idmap *m)
{
	free(m->direct);
	free(m->keys);
	free(m->index);
	free(m->ids);
	memset(m, 0, sizeof(*m));
}

static void
hash_put(struct idmap *m, uint32_t id, uint32_t index)
{
	size_t s = idmap_slot(m, id);

	while (m->keys[s] != IDMAP_EMPTY)
		s = (s + 1) & (m->slots - 1);
	m->keys[s] = id;
	m->index[s] = index;
}

/* Keep the load at most one half so probes stay short. */
static int
rehash(struct idmap *m)
{
	uint32_t *old_keys = m->keys, *old_index = m->index;
	size_t old_slots = m->slots, i;

	if (alloc_slots(m, old_slots * 2) < 0)
		return -1;
	for (i = 0; i < old_slots; i++)
		if (old_keys[i] != IDMAP_EMPTY)
			hash_put(m, old_keys[i], old_index[i]);
	free(old_keys);
	free(old_index);
	return 0;
}

/* Make the direct array cover id, the new part marked absent. */
static int
cover(struct idmap *m, uint32_t id)
{
	size_t cap = m->direct_cap ? m->direct_cap : 1024;
	int32_t *d;

	while (cap <= id)
		cap *= 2;
	if (cap > IDMAP_DIRECT_LIMIT)
		cap = IDMAP_DIRECT_LIMIT;
	if ((d = realloc(m->direct, cap * sizeof(*d))) == NULL)
		return -1;
	memset(d + m->direct_cap, 0xff, (cap - m->direct_cap) * sizeof(*d));
	m->direct = d;
	m->direct_cap = cap;
	return 0;
}

static int
remember(struct idmap *m, uint32_t id, uint32_t index)
{
	if (id < IDMAP_DIRECT_LIMIT) {
		if (id >= m->direct_cap && cover(m, id) < 0)
			return -1;
		m->direct[id] = (int32_t)index;
		return 0;
	}
	if ((m->hashed + 1) * 2 > m->slots && rehash(m) < 0)
		return -1;
	hash_put(m, id, index);
	m->hashed++;
	return 0;
}

int64_t
idmap_insert(struct idmap *m, uint32_t id)
{
	if (m->count == m->ids_cap) {
		size_t cap = m->ids_cap ? m->ids_cap * 2 : 64;
		uint32_t *ids = realloc(m->ids, cap * sizeof(*ids));
		if (ids == NULL)
			return -1;
		m->ids = ids;
		m->ids_cap = cap;
	}
	if (remember(m, id, (uint32_t)m->count) < 0)
		return -1;
	m->ids[m->count] = id;
	return (int64_t)m->count++;
}
