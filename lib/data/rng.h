/*
 * A seedable random number generator that gives the same stream on every
 * platform: xoshiro256** seeded through splitmix64. Integer ranges use
 * Lemire's multiply-and-reject method so every value is exactly equally
 * likely; nothing depends on rand(), long or the host's float quirks.
 */
#ifndef BPR_RNG_H
#define BPR_RNG_H

#include <stddef.h>
#include <stdint.h>

struct bpr_rng {
	uint64_t s[4];
};

/* Independent named streams from one user seed (sampling, init, threads). */
enum {
	RNG_STREAM_SAMPLE = 1,
	RNG_STREAM_INIT = 2,
	RNG_STREAM_SPLIT = 3,
	RNG_STREAM_TRAIN = 4,
	RNG_STREAM_BLOCKS = 5,	/* epochs drawn a block of users at a time */
};

static inline uint64_t
rng_splitmix(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* Seed from (seed, stream, substream): distinct triples give unrelated streams. */
void rng_seed(struct bpr_rng *r, uint64_t seed, uint64_t stream, uint64_t sub);

static inline uint64_t
rng_rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

static inline uint64_t
rng_next(struct bpr_rng *r)
{
	uint64_t *s = r->s;
	uint64_t result = rng_rotl(s[1] * 5, 7) * 9;
	uint64_t t = s[1] << 17;

	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rng_rotl(s[3], 45);
	return result;
}

/* Uniform integer in [0, n), n > 0, exactly unbiased. */
static inline uint32_t
rng_below(struct bpr_rng *r, uint32_t n)
{
	uint64_t m = (uint64_t)(uint32_t)(rng_next(r) >> 32) * n;
	uint32_t low = (uint32_t)m;

	if (low < n) {
		uint32_t threshold = (uint32_t)-n % n;
		while (low < threshold) {
			m = (uint64_t)(uint32_t)(rng_next(r) >> 32) * n;
			low = (uint32_t)m;
		}
	}
	return (uint32_t)(m >> 32);
}

/* Uniform double in [0, 1) with 53 random bits. */
static inline double
rng_double(struct bpr_rng *r)
{
	return (double)(rng_next(r) >> 11) * 0x1.0p-53;
}

/* a[0..n) = 0..n-1 in a uniformly random order (Fisher-Yates, from the end). */
void rng_permutation(struct bpr_rng *r, uint32_t *a, size_t n);

/* Uniform float in [lo, hi). */
static inline float
rng_float(struct bpr_rng *r, float lo, float hi)
{
	return lo + (hi - lo) * (float)((rng_next(r) >> 40) * 0x1.0p-24);
}

#endif
