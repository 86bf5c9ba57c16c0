#include "sort.h"

#include <stdlib.h>
#include <string.h>

#define RADIX_BITS 16
#define RADIX_SIZE (1u << RADIX_BITS)

/* One counting pass on bits [shift, shift+16) from src into dst. */
static void
radix_pass(const uint64_t *src, uint64_t *dst, size_t n, unsigned shift, size_t *count)
{
	size_t i, sum = 0, c;

	memset(count, 0, RADIX_SIZE * sizeof(*count));
	for (i = 0; i < n; i++)
		count[(src[i] >> shift) & (RADIX_SIZE - 1)]++;
	for (i = 0; i < RADIX_SIZE; i++) {
		c = count[i];
		count[i] = sum;
		sum += c;
	}
	for (i = 0; i < n; i++)
		dst[count[(src[i] >> shift) & (RADIX_SIZE - 1)]++] = src[i];
}

void
radix_sort_u64(uint64_t *keys, uint64_t *tmp, size_t n)
{
	size_t count[RADIX_SIZE];
	uint64_t all_or = 0, all_and = ~(uint64_t)0, *src = keys, *dst = tmp, *swap;
	unsigned shift;
	size_t i, sorted = 1;

	for (i = 0; i < n; i++) {
		all_or |= keys[i];
		all_and &= keys[i];
		sorted &= i == 0 || keys[i - 1] <= keys[i];
	}
	if (sorted)
		return;	/* MovieLens files usually arrive sorted */
	for (shift = 0; shift < 64; shift += RADIX_BITS) {
		uint64_t mask = (uint64_t)(RADIX_SIZE - 1) << shift;
		if ((all_or & mask) == (all_and & mask))
			continue;	/* every key has the same digit here */
		radix_pass(src, dst, n, shift, count);
		swap = src;
		src = dst;
		dst = swap;
	}
	if (src != keys)
		memcpy(keys, src, n * sizeof(*keys));
}

static int
ascending_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return (x > y) - (x < y);
}

void
sort_array(void *base, size_t n, size_t size, int (*cmp)(const void *, const void *))
{
	if (n > 1)
		qsort(base, n, size, cmp);
}

void
sort_u32(uint32_t *ids, size_t n)
{
	sort_array(ids, n, sizeof(*ids), ascending_u32);
}

size_t
sort_u32_distinct(uint32_t *ids, size_t n)
{
	size_t i, m = 0;

	sort_u32(ids, n);
	for (i = 0; i < n; i++)
		if (m == 0 || ids[m - 1] != ids[i])
			ids[m++] = ids[i];
	return m;
}
