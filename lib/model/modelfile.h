/*
 * The model file: one self-describing binary file of named tables.
 *
 *   0   8  magic "BPRMODEL"
 *   8   4  format version
 *  12   4  number of tables N
 *  16   8  file size in bytes
 *  24   4  CRC32 of bytes 0..24 and 28..32+64N (the header and directory)
 *  28   4  reserved, 0
 *  32 64N  directory: name[24], dtype u32, CRC32 of the data u32,
 *          rows u64, cols u64, offset u64, bytes u64
 *  ...     the tables' data, back to back, little-endian
 *
 * Every byte is covered by a CRC or checked against the directory, so a
 * truncated, corrupted or foreign file is refused whole, never half-read.
 */
#ifndef BPR_MODELFILE_H
#define BPR_MODELFILE_H

#include <stddef.h>
#include <stdint.h>

#include "io/err.h"

#define MODELFILE_VERSION 1
#define MODELFILE_NAME_LEN 24

enum mf_dtype { MF_F32 = 1, MF_U32 = 2, MF_U64 = 3, MF_TEXT = 4 };

/*
 * Rows made on demand, for a table that is not one array as it stands (rows
 * to put in id order, padding to leave out): fill writes rows [from, from +
 * n) into out, host order. The writer asks for each row twice (once for the
 * CRC, once to write it), a few hundred kilobytes at a time, so saving needs
 * no copy of the table; the rows must hold still until it returns (training
 * is flushed and idle whenever a model is saved).
 */
typedef void mf_fill_fn(const void *ctx, uint64_t from, size_t n, void *out);

struct mf_table {
	char name[MODELFILE_NAME_LEN];
	enum mf_dtype dtype;
	uint64_t rows, cols;
	const void *data;	/* rows * cols elements, host order */
	mf_fill_fn *fill;	/* or, when not NULL, the rows from fill(fill_ctx, ...) */
	const void *fill_ctx;
	uint32_t crc;
	uint64_t offset, bytes;
};

/* Write tables atomically (temporary file, fsync, rename). */
int modelfile_write(const char *path, struct mf_table *t, size_t n, struct bpr_err *e);

struct modelfile {
	unsigned char *buf;	/* the whole file */
	size_t size;
	struct mf_table *table;
	size_t ntables;
	const char *path;
	uint32_t header_crc;	/* covers every table's CRC: the file's identity */
};

/* Read and verify a whole model file. */
int modelfile_read(const char *path, struct modelfile *mf, struct bpr_err *e);
/*
 * Verify bytes already in mf->buf[0..size) (malloc'd; mf takes them),
 * mf->path naming them in messages.
 */
int modelfile_parse(struct modelfile *mf, struct bpr_err *e);
void modelfile_free(struct modelfile *mf);
/* Whether the file holds a table of that name (its shape unchecked). */
int modelfile_has(const struct modelfile *mf, const char *name);
/*
 * Table `name` after checking its dtype and shape (cols 0 accepts any);
 * *t is NULL with rc 0 when it is absent and optional.
 */
int modelfile_find(const struct modelfile *mf, const char *name, enum mf_dtype dtype,
    uint64_t rows, uint64_t cols, int optional, const struct mf_table **t, struct bpr_err *e);
/* Copy elements [first, first + count) of a table found there to dst, host order. */
void modelfile_elements(const struct mf_table *t, uint64_t first, size_t count, void *dst);
/*
 * Copy table `name` into a new host-order buffer after checking its dtype
 * and shape (cols 0 accepts any); *out is NULL with rc 0 when the table is
 * absent and optional.
 */
int modelfile_get(const struct modelfile *mf, const char *name, enum mf_dtype dtype,
    uint64_t rows, uint64_t cols, int optional, void **out, uint64_t *rows_out,
    struct bpr_err *e);

#endif
