/* Sorting the large integer arrays the tools build (tens of millions of keys). */
#ifndef BPR_SORT_H
#define BPR_SORT_H

#include <stddef.h>
#include <stdint.h>

/* LSD radix sort of 64-bit keys; tmp has room for n keys. Stable. */
void radix_sort_u64(uint64_t *keys, uint64_t *tmp, size_t n);

/*
 * qsort that takes an empty array as it comes: C requires qsort's base to
 * be a valid pointer even for n = 0, and an empty input leaves it NULL.
 */
void sort_array(void *base, size_t n, size_t size, int (*cmp)(const void *, const void *));

/* ids ascending; the distinct form also drops repeats and returns how many are left. */
void sort_u32(uint32_t *ids, size_t n);
size_t sort_u32_distinct(uint32_t *ids, size_t n);

#endif
