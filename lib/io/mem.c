#include "io/mem.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

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
	p = zero ? calloc(n, size) : malloc(n * size);
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
	if ((p = aligned_alloc(64, bytes)) == NULL) {
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
	if ((q = realloc(*p, n * size)) == NULL)
		return too_big(n, size, what, e);
	*p = q;
	*cap = n;
	return 0;
}

void
mem_keep_freed(void)
{
#ifdef M_MMAP_THRESHOLD
	/* blocks up to 32 MB from the heap, and up to 64 MB of free top kept */
	mallopt(M_MMAP_THRESHOLD, 32 << 20);
	mallopt(M_TRIM_THRESHOLD, 64 << 20);
#endif
}
