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

void
sort_array(void *base, size_t n, size_t size, int (*cmp)(const void *, const void *))
{
	if (n > 1)
		qsort(base, n, size, cmp);
}
