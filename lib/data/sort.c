#include "data/sort.h"

#include <stdlib.h>
#include <string.h>

#define RADIX_BITS 16
#define RADIX_SIZE (1u << RADIX_BITS)

/* Each digit's count becomes where its keys start. */
static void
counts_to_starts(size_t *count, size_t digits)
{
	size_t i, sum = 0, c;

	for (i = 0; i < digits; i++) {
		c = count[i];
		count[i] = sum;
		sum += c;
	}
}

/* One counting pass on bits [shift, shift+16) from src into dst. */
static void
radix_pass(const uint64_t *src, uint64_t *dst, size_t n, unsigned shift, size_t *count)
{
	size_t i;

	memset(count, 0, RADIX_SIZE * sizeof(*count));
	for (i = 0; i < n; i++)
		count[(src[i] >> shift) & (RADIX_SIZE - 1)]++;
	counts_to_starts(count, RADIX_SIZE);
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

/* Below this many ids an insertion sort beats a radix pass's setup. */
#define INSERTION_MAX 48

static void
insertion_sort_u32(uint32_t *ids, size_t n)
{
	size_t i, j;
	uint32_t x;

	for (i = 1; i < n; i++) {
		x = ids[i];
		for (j = i; j > 0 && ids[j - 1] > x; j--)
			ids[j] = ids[j - 1];
		ids[j] = x;
	}
}

/*
 * LSD radix on bytes, skipping the bytes all ids share (model rows fit in
 * two): 8-bit digits keep the counts' setup small, as bpr-train sorts the
 * positives of each of its users, most of them short lists.
 */
static void
radix_sort_u32(uint32_t *ids, uint32_t *tmp, size_t n)
{
	size_t count[256], i;
	uint32_t all_or = 0, all_and = ~(uint32_t)0, *src = ids, *dst = tmp, *swap;
	unsigned shift;

	for (i = 0; i < n; i++) {
		all_or |= ids[i];
		all_and &= ids[i];
	}
	for (shift = 0; shift < 32; shift += 8) {
		if (((all_or ^ all_and) >> shift & 0xff) == 0)
			continue;	/* every id has the same byte here */
		memset(count, 0, sizeof(count));
		for (i = 0; i < n; i++)
			count[src[i] >> shift & 0xff]++;
		counts_to_starts(count, 256);
		for (i = 0; i < n; i++)
			dst[count[src[i] >> shift & 0xff]++] = src[i];
		swap = src;
		src = dst;
		dst = swap;
	}
	if (src != ids)
		memcpy(ids, src, n * sizeof(*ids));
}

void
sort_u32(uint32_t *ids, size_t n)
{
	uint32_t *tmp;

	if (n <= INSERTION_MAX) {
		insertion_sort_u32(ids, n);
		return;
	}
	if ((tmp = malloc(n * sizeof(*tmp))) == NULL) {
		sort_array(ids, n, sizeof(*ids), ascending_u32);	/* no room: slower, same order */
		return;
	}
	radix_sort_u32(ids, tmp, n);
	free(tmp);
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
