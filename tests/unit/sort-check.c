/*
 * sort-check: read unsigned 32-bit ids, one a line, from standard input
 * and print them as lib/data/sort.c's sort_u32 orders them (with -u,
 * sort_u32_distinct), one a line.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "data/sort.h"

int
main(int argc, char **argv)
{
	uint32_t *ids = NULL, *grown;
	size_t n = 0, cap = 0, i;
	unsigned long v;
	int distinct = argc > 1 && strcmp(argv[1], "-u") == 0;

	while (scanf("%lu", &v) == 1) {
		if (v > UINT32_MAX)
			return 2;
		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			if ((grown = realloc(ids, cap * sizeof(*ids))) == NULL)
				return 2;
			ids = grown;
		}
		ids[n++] = (uint32_t)v;
	}
	if (distinct)
		n = sort_u32_distinct(ids, n);
	else
		sort_u32(ids, n);
	for (i = 0; i < n; i++)
		printf("%lu\n", (unsigned long)ids[i]);
	free(ids);
	return 0;
}
