#include "scoring.h"

#include <stdlib.h>
#include <string.h>

#define SCORE_NAME score_users_baseline
#include "score_kernel.h"

score_fn
score_kernel(void)
{
	const char *ref = getenv("BPRTOOLS_REFERENCE");

	if (ref != NULL && *ref != '\0' && strcmp(ref, "0") != 0)
		return score_users_baseline;
#if defined(__x86_64__)
	__builtin_cpu_init();
	if (__builtin_cpu_supports("avx2"))
		return score_users_avx2;
#endif
	return score_users_baseline;
}
