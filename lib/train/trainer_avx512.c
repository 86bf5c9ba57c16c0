/*
 * The trainer's loops compiled for AVX-512 (the Makefile adds -mavx512f
 * to *_avx512.c files on x86-64); trainer.c picks this copy at run time
 * on processors that have it. The element-wise updates take 16 floats a
 * vector here (trainer_kernel.h's CHUNK): the same expressions lane by
 * lane, so the same bits as the other copies.
 */
#if defined(__x86_64__)
#define KERNEL_NAME train_work_avx512
#include "train/trainer_kernel.h"
#else
typedef int train_avx512_unused;	/* ISO C wants something in a translation unit */
#endif
