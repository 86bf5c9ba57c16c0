/* Wall-clock seconds for progress and logs, from a clock that never steps back. */
#ifndef BPR_CLOCK_H
#define BPR_CLOCK_H

#include <time.h>

static inline double
monotonic_seconds(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

#endif
