#include "io/filekind.h"

#include <string.h>

static int
starts_with(const unsigned char *p, size_t n, const char *magic)
{
	size_t m = strlen(magic);

	return n >= m && memcmp(p, magic, m) == 0;
}

/*
 * Compressions we do not undo, by their magic numbers (bzip2's with its
 * first block's, so that text starting "BZh" stays text), and gzip's,
 * seen only where one gzip (or a zip member) has been undone already.
 */
static enum file_kind
foreign_compression(const unsigned char *p, size_t n)
{
	if (n >= 10 && starts_with(p, n, "BZh") && p[3] >= '1' && p[3] <= '9' &&
	    memcmp(p + 4, "1AY&SY", 6) == 0)
		return KIND_BZIP2;
	if (n >= 6 && memcmp(p, "\xfd" "7zXZ\0", 6) == 0)
		return KIND_XZ;
	if (n >= 4 && memcmp(p, "\x28\xb5\x2f\xfd", 4) == 0)
		return KIND_ZSTD;
	if (n >= 3 && memcmp(p, "\x1f\x8b\x08", 3) == 0)
		return KIND_GZIP_AGAIN;
	return KIND_TEXT;
}

enum file_kind
sniff_kind(const unsigned char *p, size_t n)
{
	enum file_kind k;
	size_t i;

	if (n == 0)
		return KIND_EMPTY;
	if ((k = foreign_compression(p, n)) != KIND_TEXT)
		return k;
	if (starts_with(p, n, TRIPLETS_MAGIC))
		return KIND_TRIPLETS_BINARY;
	if (starts_with(p, n, MODEL_MAGIC))
		return KIND_MODEL;
	if (starts_with(p, n, TRIPLETS_TSV_HEADER))
		return KIND_TRIPLETS_TSV;
	for (i = 0; i < n && i < 512; i++)
		if (p[i] == '\0')
			return KIND_BINARY;
	return KIND_TEXT;
}

const char *
file_kind_name(enum file_kind k)
{
	switch (k) {
	case KIND_EMPTY:
		return "empty";
	case KIND_TEXT:
		return "text";
	case KIND_TRIPLETS_BINARY:
		return "a binary triplet stream";
	case KIND_TRIPLETS_TSV:
		return "a TSV triplet stream";
	case KIND_MODEL:
		return "a bprtools model file";
	case KIND_BZIP2:
		return "bzip2-compressed (only gzip is undone here: bunzip2 it first)";
	case KIND_XZ:
		return "xz-compressed (only gzip is undone here: unxz it first)";
	case KIND_ZSTD:
		return "zstd-compressed (only gzip is undone here: unzstd it first)";
	case KIND_GZIP_AGAIN:
		return "gzip-compressed inside a gzip or zip (one layer is undone here: undo the other first)";
	case KIND_BINARY:
		return "binary data";
	}
	return "unknown";
}

int
expect_text(struct bpr_input *in, const char *what, int allow_empty,
    struct bpr_err *e)
{
	const unsigned char *p;
	size_t n;
	enum file_kind k;

	if (input_peek(in, 512, &p, &n, e) < 0)
		return -1;
	k = sniff_kind(p, n);
	if (k == KIND_TEXT || (k == KIND_EMPTY && allow_empty))
		return 0;
	if (k == KIND_EMPTY)
		return bpr_fail_at(e, input_name(in), 0, "is empty (expected %s)", what);
	return bpr_fail_at(e, input_name(in), 0, "is %s, not %s", file_kind_name(k), what);
}
