/*
 * Recompute a model file's CRCs after its bytes were changed on purpose
 * (a crafted test model, a fuzzer's mutation), so that loading gets past
 * them to the checks behind: counts, ids, offsets and values. Written
 * from the format (bpr-formats(5)), not with the library's own code:
 * header CRC over bytes 0..24 and 28..32+64N, each table's CRC over its
 * data where its directory entry points inside the file.
 */
#ifndef BPR_MODEL_RESEAL_H
#define BPR_MODEL_RESEAL_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <zlib.h>

#define RESEAL_HEADER 32
#define RESEAL_ENTRY 64

static inline uint32_t
reseal_get32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static inline uint64_t
reseal_get64(const unsigned char *p)
{
	return (uint64_t)reseal_get32(p) | (uint64_t)reseal_get32(p + 4) << 32;
}

static inline void
reseal_put32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)v;
	p[1] = (unsigned char)(v >> 8);
	p[2] = (unsigned char)(v >> 16);
	p[3] = (unsigned char)(v >> 24);
}

static inline void
reseal_put64(unsigned char *p, uint64_t v)
{
	reseal_put32(p, (uint32_t)v);
	reseal_put32(p + 4, (uint32_t)(v >> 32));
}

/* The directory entry of table `name`, or NULL. */
static inline unsigned char *
reseal_entry(unsigned char *buf, size_t n, const char *name)
{
	uint32_t count, i;

	if (n < RESEAL_HEADER)
		return NULL;
	count = reseal_get32(buf + 12);
	for (i = 0; i < count && RESEAL_HEADER + (size_t)RESEAL_ENTRY * (i + 1) <= n; i++) {
		unsigned char *d = buf + RESEAL_HEADER + (size_t)RESEAL_ENTRY * i;
		if (strncmp((const char *)d, name, 24) == 0)
			return d;
	}
	return NULL;
}

/* Every CRC that can be computed, recomputed. */
static inline void
model_reseal(unsigned char *buf, size_t n)
{
	uint32_t count, i, crc;
	uint64_t off, bytes;

	if (n < RESEAL_HEADER)
		return;
	count = reseal_get32(buf + 12);
	for (i = 0; i < count && RESEAL_HEADER + (size_t)RESEAL_ENTRY * (i + 1) <= n; i++) {
		unsigned char *d = buf + RESEAL_HEADER + (size_t)RESEAL_ENTRY * i;
		off = reseal_get64(d + 48);
		bytes = reseal_get64(d + 56);
		if (off > n || bytes > n - off || bytes > 0x7fffffffu)
			continue;
		reseal_put32(d + 28, (uint32_t)crc32(crc32(0L, Z_NULL, 0), buf + off, (uInt)bytes));
	}
	if (RESEAL_HEADER + (uint64_t)RESEAL_ENTRY * count > n)
		return;
	crc = (uint32_t)crc32(crc32(0L, Z_NULL, 0), buf, 24);
	crc = (uint32_t)crc32(crc, buf + 28, (uInt)(4 + RESEAL_ENTRY * (size_t)count));
	reseal_put32(buf + 24, crc);
}

#endif
