/*
 * Allocation with the size checked up front: n * size overflow and
 * failure both become a message that says how much memory was wanted
 * and for what.
 */
#ifndef BPR_MEM_H
#define BPR_MEM_H

#include <stddef.h>

#include "io/err.h"

/* calloc-like (zeroed when zero is set); NULL with a message on failure. */
void *mem_array(size_t n, size_t size, int zero, const char *what,
    struct bpr_err *e);
/* 64-byte aligned (SIMD rows), zeroed. Free with free(). */
void *mem_aligned(size_t n, size_t size, const char *what, struct bpr_err *e);
/* Grow *p to hold at least need elements (doubling); -1 with a message. */
int mem_grow(void *pp, size_t *cap, size_t need, size_t size, const char *what,
    struct bpr_err *e);

/*
 * Keep freed memory in the process for the next allocation of its size
 * instead of handing it back at once, as glibc comes to do on its own
 * once a large block is freed: from the start, for tools that allocate
 * and free the same large buffers (an evaluation each epoch, a growing
 * array), where fresh zeroed pages cost more than the work.
 */
void mem_keep_freed(void);

#endif
