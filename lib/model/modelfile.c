#include "model/modelfile.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "io/filekind.h"
#include "io/input.h"
#include "io/mem.h"
#include "io/output.h"

#define HEADER_SIZE 32
#define ENTRY_SIZE 64
#define MAX_TABLES 4096

static size_t
dtype_size(enum mf_dtype t)
{
	switch (t) {
	case MF_F32:
	case MF_U32:
		return 4;
	case MF_U64:
		return 8;
	case MF_TEXT:
		return 1;
	}
	return 0;
}

static void
put32(unsigned char *p, uint32_t v)
{
	int i;

	for (i = 0; i < 4; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

static void
put64(unsigned char *p, uint64_t v)
{
	put32(p, (uint32_t)v);
	put32(p + 4, (uint32_t)(v >> 32));
}

static uint32_t
get32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t
get64(const unsigned char *p)
{
	return (uint64_t)get32(p) | (uint64_t)get32(p + 4) << 32;
}

/*
 * Tables go out in pieces of at most PIECE_BYTES made at a time (or, for an
 * array already as the file holds it, up to 1 GiB read in place: crc32()
 * takes uInt lengths).
 */
#define PIECE_BYTES (256u << 10)
#define IN_PLACE_MAX (1u << 30)

struct pieces {
	unsigned char *buf;	/* room for one piece */
	size_t cap;
};

static size_t
row_bytes(const struct mf_table *t)
{
	return (size_t)t->cols * dtype_size(t->dtype);
}

/* Host-order elements to little-endian bytes, in place (nothing on little-endian hosts). */
static void
to_le(unsigned char *p, size_t count, size_t size)
{
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	(void)p;
	(void)count;
	(void)size;
#else
	size_t i, b;

	for (i = 0; i < count; i++, p += size)
		for (b = 0; b < size / 2; b++) {
			unsigned char c = p[b];
			p[b] = p[size - 1 - b];
			p[size - 1 - b] = c;
		}
#endif
}

/*
 * The next piece of table t from row *at, as the file holds it: *out points
 * into the table's own array when that already is the bytes, else into
 * pc->buf where they were made. Moves *at on; 0 at the end.
 */
static size_t
next_piece(const struct mf_table *t, uint64_t *at, struct pieces *pc, const unsigned char **out)
{
	size_t rb = row_bytes(t), n;
	uint64_t left = t->rows - *at;
	int in_place = t->fill == NULL && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__;

	if (left == 0 || rb == 0)
		return 0;
	n = (in_place ? IN_PLACE_MAX : pc->cap) / rb;	/* pc->cap holds a row or more */
	n = n > left ? (size_t)left : n > 0 ? n : 1;
	if (in_place) {
		*out = (const unsigned char *)t->data + *at * rb;
	} else {
		if (t->fill != NULL)
			t->fill(t->fill_ctx, *at, n, pc->buf);
		else
			memcpy(pc->buf, (const unsigned char *)t->data + *at * rb, n * rb);
		to_le(pc->buf, n * (size_t)t->cols, dtype_size(t->dtype));
		*out = pc->buf;
	}
	*at += n;
	return n * rb;
}

/* Room for a piece of any of the tables: at least one row of the widest. */
static int
pieces_alloc(struct pieces *pc, const struct mf_table *t, size_t n, struct bpr_err *e)
{
	size_t i;

	pc->cap = PIECE_BYTES;
	for (i = 0; i < n; i++)
		pc->cap = row_bytes(&t[i]) > pc->cap ? row_bytes(&t[i]) : pc->cap;
	pc->buf = mem_array(pc->cap, 1, 0, "saving the model", e);
	return pc->buf != NULL ? 0 : -1;
}

static uint32_t
crc_of_bytes(const unsigned char *p, size_t n)
{
	uint32_t crc = (uint32_t)crc32(0L, Z_NULL, 0);

	for (; n > IN_PLACE_MAX; p += IN_PLACE_MAX, n -= IN_PLACE_MAX)
		crc = (uint32_t)crc32(crc, p, IN_PLACE_MAX);
	return (uint32_t)crc32(crc, p, (uInt)n);
}

static uint32_t
crc_of_table(const struct mf_table *t, struct pieces *pc)
{
	uint32_t crc = (uint32_t)crc32(0L, Z_NULL, 0);
	const unsigned char *p;
	uint64_t at = 0;
	size_t len;

	while ((len = next_piece(t, &at, pc, &p)) > 0)
		crc = (uint32_t)crc32(crc, p, (uInt)len);
	return crc;
}

static uint32_t
header_crc(const unsigned char *head, size_t ntables)
{
	uint32_t crc = (uint32_t)crc32(0L, head, 24);

	return (uint32_t)crc32(crc, head + 28, (uInt)(4 + ENTRY_SIZE * ntables));
}

/* Lay the tables out and compute their CRCs. */
static void
plan_tables(struct mf_table *t, size_t n, struct pieces *pc, uint64_t *total)
{
	uint64_t offset = HEADER_SIZE + (uint64_t)ENTRY_SIZE * n;
	size_t i;

	for (i = 0; i < n; i++) {
		t[i].bytes = t[i].rows * t[i].cols * dtype_size(t[i].dtype);
		t[i].offset = offset;
		offset += t[i].bytes;
		t[i].crc = crc_of_table(&t[i], pc);
	}
	*total = offset;
}

static void
encode_header(unsigned char *h, const struct mf_table *t, size_t n, uint64_t total)
{
	size_t i;

	memset(h, 0, HEADER_SIZE + ENTRY_SIZE * n);
	memcpy(h, MODEL_MAGIC, MAGIC_LEN);
	put32(h + 8, MODELFILE_VERSION);
	put32(h + 12, (uint32_t)n);
	put64(h + 16, total);
	for (i = 0; i < n; i++) {
		unsigned char *d = h + HEADER_SIZE + ENTRY_SIZE * i;
		memcpy(d, t[i].name, strnlen(t[i].name, MODELFILE_NAME_LEN));
		put32(d + 24, (uint32_t)t[i].dtype);
		put32(d + 28, t[i].crc);
		put64(d + 32, t[i].rows);
		put64(d + 40, t[i].cols);
		put64(d + 48, t[i].offset);
		put64(d + 56, t[i].bytes);
	}
	put32(h + 24, header_crc(h, n));
}

int
modelfile_write(const char *path, struct mf_table *t, size_t n, struct bpr_err *e)
{
	struct bpr_output o;
	struct pieces pc;
	unsigned char *head;
	const unsigned char *p;
	uint64_t total = 0, at;
	size_t i, len;

	if (pieces_alloc(&pc, t, n, e) < 0)
		return -1;
	plan_tables(t, n, &pc, &total);
	if ((head = mem_array(HEADER_SIZE + ENTRY_SIZE * n, 1, 0, "the model header", e)) == NULL ||
	    output_open(&o, path, e) < 0) {
		free(head);
		free(pc.buf);
		return -1;
	}
	encode_header(head, t, n, total);
	output_write(&o, head, HEADER_SIZE + ENTRY_SIZE * n);
	free(head);
	for (i = 0; i < n; i++)
		for (at = 0; (len = next_piece(&t[i], &at, &pc, &p)) > 0;)
			output_write(&o, p, len);
	free(pc.buf);
	return output_commit(&o, 1, e);
}

static int
read_all(const char *path, struct modelfile *mf, struct bpr_err *e)
{
	struct bpr_input *in = input_open(path, NULL, e);
	size_t cap = 0;
	long got;

	if (in == NULL)
		return -1;
	mf->size = 0;
	/* room for a plain file at once (a byte over, so the read that sees its end fits) */
	if (input_file_size(in) > 0 && input_file_size(in) < SIZE_MAX &&
	    mem_grow(&mf->buf, &cap, (size_t)input_file_size(in) + 1, 1, "the model file", e) < 0) {
		input_close(in);
		return -1;
	}
	for (;;) {
		if (mem_grow(&mf->buf, &cap, mf->size + (1 << 20), 1, "the model file", e) < 0 ||
		    (got = input_read(in, mf->buf + mf->size, cap - mf->size, e)) < 0) {
			input_close(in);
			return -1;
		}
		mf->size += (size_t)got;
		if (mf->size < cap)
			break;
	}
	input_close(in);
	return 0;
}

/*
 * The header's CRC is checked before anything it says is believed: a
 * damaged version field is damage, not a newer format.
 */
static int
check_header(struct modelfile *mf, struct bpr_err *e)
{
	const unsigned char *h = mf->buf;
	uint32_t version;
	uint64_t size;

	if (mf->size < MAGIC_LEN || memcmp(h, MODEL_MAGIC, MAGIC_LEN) != 0)
		return bpr_fail(e, "%s: not a bprtools model (%s)", mf->path,
		    mf->size < MAGIC_LEN ? "too short" : "bad magic number");
	if (mf->size < HEADER_SIZE)
		return bpr_fail(e, "%s: corrupt or truncated model header", mf->path);
	mf->ntables = get32(h + 12);
	if (mf->ntables > MAX_TABLES || mf->size < HEADER_SIZE + ENTRY_SIZE * mf->ntables)
		return bpr_fail(e, "%s: corrupt or truncated model header", mf->path);
	if (header_crc(h, mf->ntables) != get32(h + 24) || get32(h + 28) != 0)
		return bpr_fail(e, "%s: corrupt model header (CRC mismatch)", mf->path);
	mf->header_crc = get32(h + 24);
	version = get32(h + 8);
	if (version > MODELFILE_VERSION)
		return bpr_fail(e, "%s: model format version %u is newer than this program reads (%d): "
		    "upgrade bprtools", mf->path, version, MODELFILE_VERSION);
	if (version == 0)
		return bpr_fail(e, "%s: corrupt model header (version 0)", mf->path);
	size = get64(h + 16);
	if (size != mf->size)
		return bpr_fail(e, "%s: model file is %s (%zu bytes, the header says %llu)", mf->path,
		    mf->size < size ? "truncated" : "too long", mf->size, (unsigned long long)size);
	return 0;
}

static int
parse_entry(struct modelfile *mf, size_t i, uint64_t expected_offset, struct bpr_err *e)
{
	const unsigned char *d = mf->buf + HEADER_SIZE + ENTRY_SIZE * i;
	struct mf_table *t = &mf->table[i];
	size_t es;

	memcpy(t->name, d, MODELFILE_NAME_LEN);
	t->name[MODELFILE_NAME_LEN - 1] = '\0';
	t->dtype = (enum mf_dtype)get32(d + 24);
	t->crc = get32(d + 28);
	t->rows = get64(d + 32);
	t->cols = get64(d + 40);
	t->offset = get64(d + 48);
	t->bytes = get64(d + 56);
	es = dtype_size(t->dtype);
	if (es == 0 || t->offset != expected_offset || t->bytes > mf->size - t->offset ||
	    (t->cols != 0 && t->rows > UINT64_MAX / t->cols) || t->rows * t->cols > UINT64_MAX / es ||
	    t->rows * t->cols * es != t->bytes)
		return bpr_fail(e, "%s: corrupt model directory (table %zu)", mf->path, i);
	if (crc_of_bytes(mf->buf + t->offset, (size_t)t->bytes) != t->crc)
		return bpr_fail(e, "%s: table '%s' is corrupt (CRC mismatch)", mf->path, t->name);
	t->data = mf->buf + t->offset;
	return 0;
}

int
modelfile_read(const char *path, struct modelfile *mf, struct bpr_err *e)
{
	memset(mf, 0, sizeof(*mf));
	mf->path = path;
	if (read_all(path, mf, e) < 0) {
		modelfile_free(mf);
		return -1;
	}
	return modelfile_parse(mf, e);
}

int
modelfile_parse(struct modelfile *mf, struct bpr_err *e)
{
	uint64_t offset;
	size_t i;

	if (check_header(mf, e) < 0)
		goto fail;
	if ((mf->table = mem_array(mf->ntables, sizeof(*mf->table), 1, "the model directory", e)) == NULL)
		goto fail;
	offset = HEADER_SIZE + (uint64_t)ENTRY_SIZE * mf->ntables;
	for (i = 0; i < mf->ntables; i++) {
		if (parse_entry(mf, i, offset, e) < 0)
			goto fail;
		offset += mf->table[i].bytes;
	}
	if (offset != mf->size) {
		bpr_fail(e, "%s: corrupt model directory (tables do not fill the file)", mf->path);
		goto fail;
	}
	return 0;
fail:
	modelfile_free(mf);
	return -1;
}

void
modelfile_free(struct modelfile *mf)
{
	free(mf->buf);
	free(mf->table);
	mf->buf = NULL;
	mf->table = NULL;
}

/* Little-endian bytes to host-order elements. */
static void
from_le(void *dst, const unsigned char *src, size_t count, size_t size)
{
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	memcpy(dst, src, count * size);
#else
	unsigned char *d = dst;
	size_t i, b;

	for (i = 0; i < count; i++)
		for (b = 0; b < size; b++)
			d[i * size + b] = src[i * size + size - 1 - b];
#endif
}

static const struct mf_table *
find_table(const struct modelfile *mf, const char *name)
{
	size_t i;

	for (i = 0; i < mf->ntables; i++)
		if (strcmp(mf->table[i].name, name) == 0)
			return &mf->table[i];
	return NULL;
}

int
modelfile_has(const struct modelfile *mf, const char *name)
{
	return find_table(mf, name) != NULL;
}

int
modelfile_find(const struct modelfile *mf, const char *name, enum mf_dtype dtype,
    uint64_t rows, uint64_t cols, int optional, const struct mf_table **out, struct bpr_err *e)
{
	const struct mf_table *t = find_table(mf, name);

	*out = NULL;
	if (t == NULL)
		return optional ? 0 : bpr_fail(e, "%s: the model has no '%s' table", mf->path, name);
	if (t->dtype != dtype || (rows != UINT64_MAX && t->rows != rows) || (cols != 0 && t->cols != cols))
		return bpr_fail(e, "%s: table '%s' has the wrong type or shape "
		    "(%llu x %llu, expected %llu x %llu)", mf->path, name, (unsigned long long)t->rows,
		    (unsigned long long)t->cols, (unsigned long long)rows, (unsigned long long)cols);
	*out = t;
	return 0;
}

void
modelfile_elements(const struct mf_table *t, uint64_t first, size_t count, void *dst)
{
	size_t size = dtype_size(t->dtype);

	from_le(dst, (const unsigned char *)t->data + first * size, count, size);
}

int
modelfile_get(const struct modelfile *mf, const char *name, enum mf_dtype dtype,
    uint64_t rows, uint64_t cols, int optional, void **out, uint64_t *rows_out,
    struct bpr_err *e)
{
	const struct mf_table *t;

	*out = NULL;
	if (modelfile_find(mf, name, dtype, rows, cols, optional, &t, e) < 0)
		return -1;
	if (t == NULL)
		return 0;	/* absent, and optional */
	if ((*out = mem_array((size_t)t->bytes + 1, 1, 0, "a model table", e)) == NULL)
		return -1;
	modelfile_elements(t, 0, (size_t)(t->rows * t->cols), *out);
	if (dtype == MF_TEXT)
		((char *)*out)[t->bytes] = '\0';
	if (rows_out != NULL)
		*rows_out = t->rows;
	return 0;
}
