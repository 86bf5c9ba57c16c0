/*
 * The trainer's loops compiled for AVX2 (the Makefile adds -mavx2 to
 * *_avx2.c files on x86-64); trainer.c picks this copy at run time on
 * processors that have AVX2.
 */
#if defined(__x86_64__)
#define KERNEL_NAME train_work_avx2
#include "train/trainer_kernel.h"
#else
typedef int train_avx2_unused;	/* ISO C wants something in a translation unit */
#endif
