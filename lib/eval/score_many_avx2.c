/*
 * The scoring loop compiled for AVX2 (the Makefile adds -mavx2 to
 * *_avx2.c files on x86-64); score_many.c picks it on processors with AVX2.
 */
#if defined(__x86_64__)
#define SCORE_NAME score_users_avx2
#define TALLY_NAME tally_avx2
#include "eval/score_many_kernel.h"
#else
typedef int scoring_avx2_unused;	/* ISO C wants something in a translation unit */
#endif
