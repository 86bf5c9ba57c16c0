#include "io/zipread.h"

#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "io/gunzip.h"

#define SIG_LOCAL 0x04034b50u
#define SIG_CENTRAL 0x02014b50u
#define SIG_END 0x06054b50u
#define SIG_END64 0x06064b50u
#define SIG_LOCATOR64 0x07064b50u
#define END_RECORD_SIZE 22
#define LOCATOR64_SIZE 20
#define END64_SIZE 56
#define EXTRA_ZIP64 0x0001
#define MASK32 0xffffffffu
#define MAX_COMMENT 65535

struct zip_member {
	FILE *f;
	char *display;
	int method;		/* 0 stored, 8 deflate */
	uint64_t comp_left;	/* compressed bytes not yet read */
	uint64_t size_want, size_got;
	uint32_t crc_want, crc_got;
	int inflating, finished;
	z_stream zs;
	unsigned char in[1 << 16];
};

struct central_entry {
	uint16_t flags, method;
	uint32_t crc;
	uint64_t comp_size, size, local_offset;
	char *name;
};

/* Where the central directory is, and how many entries it has. */
struct central_dir {
	uint64_t count, offset;
};

static uint32_t
le16(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8;
}

static uint32_t
le32(const unsigned char *p)
{
	return le16(p) | le16(p + 2) << 16;
}

static uint64_t
le64(const unsigned char *p)
{
	return le32(p) | (uint64_t)le32(p + 4) << 32;
}

int
zip_has_magic(const unsigned char *head, size_t n)
{
	return n >= 4 && (le32(head) == SIG_LOCAL || le32(head) == SIG_END);
}

static const char *
base_name(const char *name)
{
	const char *slash = strrchr(name, '/');

	return slash ? slash + 1 : name;
}

static int
name_matches(const char *entry, const char *want)
{
	return strcmp(entry, want) == 0 || strcmp(base_name(entry), want) == 0;
}

/* Locate the end-of-central-directory record in the archive's tail. */
static int
find_end_record(FILE *f, const char *path, unsigned char *rec, long *at, struct bpr_err *e)
{
	unsigned char *tail;
	long size, start, i;
	size_t got;

	if (fseek(f, 0, SEEK_END) != 0 || (size = ftell(f)) < 0)
		return bpr_fail(e, "%s: cannot seek (zip archives must be regular files)", path);
	start = size > END_RECORD_SIZE + MAX_COMMENT ? size - (END_RECORD_SIZE + MAX_COMMENT) : 0;
	if ((tail = malloc((size_t)(size - start) + 1)) == NULL)
		return bpr_fail(e, "%s: out of memory", path);
	if (fseek(f, start, SEEK_SET) != 0 ||
	    (got = fread(tail, 1, (size_t)(size - start), f)) != (size_t)(size - start)) {
		free(tail);
		return bpr_fail(e, "%s: read error", path);
	}
	for (i = (long)got - END_RECORD_SIZE; i >= 0; i--) {
		if (le32(tail + i) == SIG_END) {
			memcpy(rec, tail + i, END_RECORD_SIZE);
			*at = start + i;
			free(tail);
			return 0;
		}
	}
	free(tail);
	return bpr_fail(e, "%s: not a zip archive, or truncated (no end-of-central-directory record)", path);
}

static int
read_exact(FILE *f, void *buf, size_t n)
{
	return fread(buf, 1, n, f) == n ? 0 : -1;
}

static int
seek_to(FILE *f, uint64_t offset)
{
	return offset > (uint64_t)LONG_MAX ? -1 : fseek(f, (long)offset, SEEK_SET);
}

/*
 * The central directory from the end record; in a zip64 archive (a field
 * at its maximum), from the zip64 end record that the locator just before
 * the end record points to.
 */
static int
find_central_dir(FILE *f, const char *path, struct central_dir *cd, struct bpr_err *e)
{
	unsigned char end[END_RECORD_SIZE] = { 0 }, loc[LOCATOR64_SIZE], end64[END64_SIZE];
	long at = 0;	/* set by find_end_record; some gcc -O1 builds cannot tell */

	if (find_end_record(f, path, end, &at, e) < 0)
		return -1;
	cd->count = le16(end + 10);
	cd->offset = le32(end + 16);
	if (cd->count != 0xffff && cd->offset != MASK32 && le32(end + 12) != MASK32)
		return 0;
	if (at < LOCATOR64_SIZE || fseek(f, at - LOCATOR64_SIZE, SEEK_SET) != 0 ||
	    read_exact(f, loc, sizeof(loc)) < 0 || le32(loc) != SIG_LOCATOR64)
		return bpr_fail(e, "%s: corrupt zip64 archive (no zip64 end record locator)", path);
	if (seek_to(f, le64(loc + 8)) != 0 || read_exact(f, end64, sizeof(end64)) < 0 ||
	    le32(end64) != SIG_END64)
		return bpr_fail(e, "%s: corrupt zip64 archive (bad zip64 end record)", path);
	cd->count = le64(end64 + 32);
	cd->offset = le64(end64 + 48);
	return 0;
}

/*
 * A central entry's zip64 extra field holds, in this order, the 64-bit
 * size, compressed size and local header offset, each only when its
 * 32-bit field is at the maximum.
 */
static int
read_zip64_extra(const unsigned char *x, size_t len, struct central_entry *ce)
{
	uint64_t *field[] = { &ce->size, &ce->comp_size, &ce->local_offset };
	size_t i, id, n, at;

	for (i = 0; i + 4 <= len; i += 4 + n) {
		id = le16(x + i);
		n = le16(x + i + 2);
		if (i + 4 + n > len)
			return -1;
		if (id != EXTRA_ZIP64)
			continue;
		for (at = i + 4, id = 0; id < 3; id++) {
			if (*field[id] != MASK32)
				continue;
			if (at + 8 > i + 4 + n)
				return -1;
			*field[id] = le64(x + at);
			at += 8;
		}
		return 0;
	}
	return -1;
}

/* Read one central directory entry at the current position. */
static int
read_central_entry(FILE *f, const char *path, struct central_entry *ce,
    struct bpr_err *e)
{
	unsigned char h[46], extra[65535];
	uint32_t name_len, extra_len, comment_len;
	int wide;

	if (read_exact(f, h, sizeof(h)) < 0 || le32(h) != SIG_CENTRAL)
		return bpr_fail(e, "%s: corrupt zip central directory", path);
	ce->flags = (uint16_t)le16(h + 8);
	ce->method = (uint16_t)le16(h + 10);
	ce->crc = le32(h + 16);
	ce->comp_size = le32(h + 20);
	ce->size = le32(h + 24);
	name_len = le16(h + 28);
	extra_len = le16(h + 30);
	comment_len = le16(h + 32);
	ce->local_offset = le32(h + 42);
	wide = ce->comp_size == MASK32 || ce->size == MASK32 || ce->local_offset == MASK32;
	if ((ce->name = malloc(name_len + 1)) == NULL)
		return bpr_fail(e, "%s: out of memory", path);
	if (read_exact(f, ce->name, name_len) < 0 || read_exact(f, extra, extra_len) < 0 ||
	    fseek(f, (long)comment_len, SEEK_CUR) != 0 ||
	    (wide && read_zip64_extra(extra, extra_len, ce) < 0)) {
		free(ce->name);
		return bpr_fail(e, "%s: corrupt zip central directory", path);
	}
	ce->name[name_len] = '\0';
	return 0;
}

/* Rank of an entry against the wanted list: lower is better, -1 none. */
static int
entry_rank(const char *name, const char *member, const char *const *wanted)
{
	int i;

	if (name[0] == '\0' || name[strlen(name) - 1] == '/')
		return -1;	/* directory */
	if (member != NULL)
		return name_matches(name, member) ? 0 : -1;
	for (i = 0; wanted != NULL && wanted[i] != NULL; i++)
		if (name_matches(name, wanted[i]))
			return i;
	return -1;
}

static void
describe_wanted(char *buf, size_t size, const char *member, const char *const *wanted)
{
	size_t n = 0;
	int i;

	if (member != NULL) {
		snprintf(buf, size, "%s", member);
		return;
	}
	buf[0] = '\0';
	for (i = 0; wanted != NULL && wanted[i] != NULL && n < size; i++)
		n += (size_t)snprintf(buf + n, size - n, "%s%s", i ? " or " : "", wanted[i]);
}

/* Walk the central directory and pick the best-ranked member. */
static int
choose_entry(FILE *f, const char *path, const char *member,
    const char *const *wanted, struct central_entry *best, struct bpr_err *e)
{
	struct central_entry ce = { 0 };
	struct central_dir cd;
	uint64_t i;
	int best_rank = -1, rank;
	char want[256];

	if (find_central_dir(f, path, &cd, e) < 0)
		return -1;
	if (seek_to(f, cd.offset) != 0)
		return bpr_fail(e, "%s: corrupt zip (bad central directory offset)", path);
	for (i = 0; i < cd.count; i++) {
		if (read_central_entry(f, path, &ce, e) < 0) {
			if (best_rank >= 0)
				free(best->name);
			return -1;
		}
		rank = entry_rank(ce.name, member, wanted);
		if (rank >= 0 && (best_rank < 0 || rank < best_rank)) {
			if (best_rank >= 0)
				free(best->name);
			*best = ce;
			best_rank = rank;
		} else {
			free(ce.name);
		}
	}
	if (best_rank < 0) {
		describe_wanted(want, sizeof(want), member, wanted);
		return bpr_fail(e, "%s: the archive has no member named %s", path, want);
	}
	return 0;
}

/* Position the stream at the member's data, past its local header. */
static int
seek_to_data(struct zip_member *z, const struct central_entry *ce, struct bpr_err *e)
{
	unsigned char h[30];

	if (seek_to(z->f, ce->local_offset) != 0 ||
	    read_exact(z->f, h, sizeof(h)) < 0 || le32(h) != SIG_LOCAL)
		return bpr_fail(e, "%s: corrupt zip (bad local header)", z->display);
	if (fseek(z->f, (long)(le16(h + 26) + le16(h + 28)), SEEK_CUR) != 0)
		return bpr_fail(e, "%s: corrupt zip (bad local header)", z->display);
	return 0;
}

static int
setup_member(struct zip_member *z, const struct central_entry *ce, struct bpr_err *e)
{
	if (ce->flags & 1)
		return bpr_fail(e, "%s: encrypted zip members are not supported", z->display);
	if (ce->method != 0 && ce->method != 8)
		return bpr_fail(e, "%s: zip compression method %u is not supported (only stored and deflate)",
		    z->display, ce->method);
	z->method = ce->method;
	z->comp_left = ce->comp_size;
	z->size_want = ce->size;
	z->crc_want = ce->crc;
	z->crc_got = (uint32_t)crc32(0L, Z_NULL, 0);
	if (z->method == 8) {
		int rc = inflateInit2(&z->zs, -MAX_WBITS);
		if (rc != Z_OK)
			return bpr_fail(e, "%s: cannot start inflate%s", z->display,
			    rc == Z_MEM_ERROR ? ": out of memory" : "");
		z->inflating = 1;
	}
	return seek_to_data(z, ce, e);
}

struct zip_member *
zip_member_open(FILE *f, const char *path, const char *member, const char *const *wanted,
    char **display, struct bpr_err *e)
{
	struct central_entry ce = { 0 };
	struct zip_member *z;
	size_t n;

	if ((z = calloc(1, sizeof(*z))) == NULL) {
		fclose(f);
		bpr_fail(e, "%s: out of memory", path);
		return NULL;
	}
	z->f = f;
	if (choose_entry(z->f, path, member, wanted, &ce, e) < 0) {
		zip_member_close(z);
		return NULL;
	}
	n = strlen(path) + strlen(ce.name) + 2;
	if ((z->display = malloc(n)) != NULL)
		snprintf(z->display, n, "%s:%s", path, ce.name);
	free(ce.name);
	if (z->display == NULL) {
		bpr_fail(e, "%s: out of memory", path);
		zip_member_close(z);
		return NULL;
	}
	if (setup_member(z, &ce, e) < 0) {
		zip_member_close(z);
		return NULL;
	}
	*display = strdup(z->display);
	return z;
}

static int
verify_end(struct zip_member *z, struct bpr_err *e)
{
	if (z->size_got != z->size_want)
		return bpr_fail(e, "%s: member is truncated (%llu of %llu bytes)", z->display,
		    (unsigned long long)z->size_got, (unsigned long long)z->size_want);
	if (z->crc_got != z->crc_want)
		return bpr_fail(e, "%s: CRC mismatch: the archive is corrupt", z->display);
	z->finished = 1;
	return 0;
}

static long
read_stored(struct zip_member *z, unsigned char *dst, size_t n, struct bpr_err *e)
{
	size_t want = n < z->comp_left ? n : (size_t)z->comp_left, got;

	got = fread(dst, 1, want, z->f);
	if (got < want)
		return bpr_fail(e, "%s: member is truncated", z->display);
	z->comp_left -= got;
	return (long)got;
}

static long
read_deflated(struct zip_member *z, unsigned char *dst, size_t n, struct bpr_err *e)
{
	static const struct inflate_words zip_words = { .truncated = "member is truncated",
		.corrupt = "corrupt compressed data", .no_memory = "out of memory to inflate" };
	int rc, end;

	z->zs.next_out = dst;
	z->zs.avail_out = (uInt)(n > (1u << 30) ? (1u << 30) : n);
	while (z->zs.avail_out > 0) {
		if (z->zs.avail_in == 0 && z->comp_left > 0) {
			size_t want = z->comp_left < sizeof(z->in) ? (size_t)z->comp_left : sizeof(z->in);
			if (fread(z->in, 1, want, z->f) != want)
				return bpr_fail(e, "%s: member is truncated", z->display);
			z->comp_left -= want;
			z->zs.next_in = z->in;
			z->zs.avail_in = (uInt)want;
		}
		rc = inflate(&z->zs, Z_NO_FLUSH);
		if ((end = inflate_outcome(&z->zs, rc, z->zs.avail_in == 0 && z->comp_left == 0,
		    z->display, &zip_words, e)) < 0)
			return -1;
		if (end)
			break;
	}
	return (long)((unsigned char *)z->zs.next_out - dst);
}

long
zip_member_read(struct zip_member *z, unsigned char *dst, size_t n, struct bpr_err *e)
{
	long got;

	if (z->finished || n == 0)
		return 0;
	got = z->method == 0 ? read_stored(z, dst, n, e) : read_deflated(z, dst, n, e);
	if (got < 0)
		return -1;
	z->crc_got = (uint32_t)crc32(z->crc_got, dst, (uInt)got);
	z->size_got += (uint64_t)got;
	if (got == 0 && verify_end(z, e) < 0)
		return -1;
	return got;
}

void
zip_member_close(struct zip_member *z)
{
	if (z == NULL)
		return;
	if (z->inflating)
		inflateEnd(&z->zs);
	if (z->f != NULL)
		fclose(z->f);
	free(z->display);
	free(z);
}
