#include "io/mem.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#ifdef __linux__
#include <sys/mman.h>
#endif

#define HUGE_PAGE ((uintptr_t)2 << 20)
/* glibc's blocks from this size up are mappings of their own (mem_keep_freed) */
#define OWN_MAPPING ((size_t)32 << 20)

/*
 * Ask for huge pages for the whole 2 MB pages inside [p, p + n): on a
 * virtual machine each 4 KB page's first touch can cost 5-10 us, and a 2
 * MB page's about what 14 of those do. Pages already touched stay as
 * they are; where there are no huge pages it changes nothing.
 */
static void
prefer_huge_pages(void *p, size_t n)
{
#ifdef MADV_HUGEPAGE
	uintptr_t lo = ((uintptr_t)p + HUGE_PAGE - 1) & ~(HUGE_PAGE - 1);
	uintptr_t hi = ((uintptr_t)p + n) & ~(HUGE_PAGE - 1);

	if (hi > lo)
		(void)madvise((void *)lo, hi - lo, MADV_HUGEPAGE);
#else
	(void)p;
	(void)n;
#endif
}

/*
 * A block of 4 MB or more is asked for huge pages: one of its own mapping,
 * or one from the heap past the part asked at the start (mem_keep_freed).
 */
static void *
big_block(void *p, size_t bytes)
{
	if (p != NULL && bytes >= 2 * HUGE_PAGE)
		prefer_huge_pages(p, bytes);
	return p;
}

static int
too_big(size_t n, size_t size, const char *what, struct bpr_err *e)
{
	char human[32];

	if (size != 0 && n > SIZE_MAX / size)
		return bpr_fail(e, "cannot allocate %zu x %zu bytes for %s: the size overflows",
		    n, size, what);
	return bpr_fail(e, "cannot allocate %s for %s: out of memory",
	    bpr_human_bytes((double)n * (double)size, human, sizeof(human)), what);
}

void *
mem_array(size_t n, size_t size, int zero, const char *what, struct bpr_err *e)
{
	void *p;

	if (size != 0 && n > SIZE_MAX / size) {
		too_big(n, size, what, e);
		return NULL;
	}
	if (n == 0 || size == 0)
		n = size = 1;
	p = big_block(zero ? calloc(n, size) : malloc(n * size), n * size);
	if (p == NULL)
		too_big(n, size, what, e);
	return p;
}

void *
mem_aligned(size_t n, size_t size, const char *what, struct bpr_err *e)
{
	size_t bytes;
	void *p;

	if (size != 0 && n > (SIZE_MAX - 64) / size) {
		too_big(n, size, what, e);
		return NULL;
	}
	bytes = (n * size + 63) & ~(size_t)63;
	if (bytes == 0)
		bytes = 64;
	if ((p = big_block(aligned_alloc(64, bytes), bytes)) == NULL) {
		too_big(n, size, what, e);
		return NULL;
	}
	memset(p, 0, bytes);
	return p;
}

int
mem_grow(void *pp, size_t *cap, size_t need, size_t size, const char *what,
    struct bpr_err *e)
{
	void **p = pp, *q;
	size_t n = *cap ? *cap : 16;

	if (need <= *cap)
		return 0;
	while (n < need) {
		if (n > SIZE_MAX / 2)
			return too_big(need, size, what, e);
		n *= 2;
	}
	if (n > SIZE_MAX / size)
		return too_big(n, size, what, e);
	if ((q = big_block(realloc(*p, n * size), n * size)) == NULL)
		return too_big(n, size, what, e);
	*p = q;
	*cap = n;
	return 0;
}

void
mem_keep_freed(void)
{
#ifdef M_MMAP_THRESHOLD
	size_t reserve = OWN_MAPPING - HUGE_PAGE;
	void *p;

	/* blocks up to 32 MB from the heap, and up to 64 MB of free top kept */
	mallopt(M_MMAP_THRESHOLD, (int)OWN_MAPPING);
	mallopt(M_TRIM_THRESHOLD, 64 << 20);
	/*
	 * The heap grown by 30 MB at once, asked for huge pages, and freed
	 * (kept, below the trim threshold): the blocks carved from it later
	 * take 2 MB pages as they are touched. Threads allocate from it too
	 * (one arena): they allocate seldom, and outside the hot loops.
	 */
	mallopt(M_ARENA_MAX, 1);
	if ((p = malloc(reserve)) != NULL) {
		prefer_huge_pages(p, reserve);
		free(p);
	}
#endif
}
