/*
 * failalloc.so: make one allocation fail, to test the paths that handle
 * running out of memory. Preloaded (LD_PRELOAD) into a tool, it counts the
 * allocations the program makes from main() on (malloc, calloc, realloc,
 * aligned_alloc and the posix_memalign family, also those made inside
 * libc for the program, as glibc routes them here) and fails the one
 * numbered $BPR_FAIL_ALLOC (from 1) with ENOMEM; every other succeeds.
 * With $BPR_COUNT_ALLOC set to a path, it writes there how many it saw;
 * with $BPR_FAIL_TRAP set, the failing one raises SIGTRAP first, so that
 * a debugger shows where it was made.
 *
 * glibc lets a program replace malloc; the real ones are its __libc_*.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void *__libc_malloc(size_t);
void *__libc_calloc(size_t, size_t);
void *__libc_realloc(void *, size_t);
void *__libc_memalign(size_t, size_t);

static unsigned long seen, fail_at;
static int armed, trap;

/* Counting starts here: libc is up, main() has not begun. */
__attribute__((constructor)) static void
arm(void)
{
	const char *n = getenv("BPR_FAIL_ALLOC");

	fail_at = n != NULL ? strtoul(n, NULL, 10) : 0;
	trap = getenv("BPR_FAIL_TRAP") != NULL;
	armed = 1;
}

__attribute__((destructor)) static void
report(void)
{
	const char *path = getenv("BPR_COUNT_ALLOC");
	char text[32];
	int fd, len;

	if (path == NULL || (fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644)) < 0)
		return;
	len = snprintf(text, sizeof(text), "%lu\n", seen);
	if (write(fd, text, (size_t)len) != len)
		len = 0;
	close(fd);
}

/* Whether this allocation is the one to fail. */
static int
fails(void)
{
	if (!armed)
		return 0;
	if (__atomic_add_fetch(&seen, 1, __ATOMIC_RELAXED) != fail_at)
		return 0;
	if (trap)
		raise(SIGTRAP);
	errno = ENOMEM;
	return 1;
}

void *
malloc(size_t n)
{
	return fails() ? NULL : __libc_malloc(n);
}

void *
calloc(size_t n, size_t size)
{
	return fails() ? NULL : __libc_calloc(n, size);
}

void *
realloc(void *p, size_t n)
{
	return fails() ? NULL : __libc_realloc(p, n);
}

void *
aligned_alloc(size_t align, size_t n)
{
	return fails() ? NULL : __libc_memalign(align, n);
}

void *
memalign(size_t align, size_t n)
{
	return fails() ? NULL : __libc_memalign(align, n);
}

int
posix_memalign(void **p, size_t align, size_t n)
{
	if (fails())
		return ENOMEM;
	*p = __libc_memalign(align, n);
	return *p != NULL ? 0 : ENOMEM;
}
