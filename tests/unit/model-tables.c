/*
 * model-tables MODEL: list a model file's tables, one a line: name, dtype,
 * rows, cols and the CRC32 of the data (so equal lines mean equal bytes),
 * then the meta table's text. Read from the format (bpr-formats(5)), so
 * that tests can compare two models table by table, or all but a name.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../fuzz/model-reseal.h"

int
main(int argc, char **argv)
{
	FILE *f;
	unsigned char *buf;
	long n;
	uint32_t count, i;
	const unsigned char *meta = NULL;
	uint64_t meta_len = 0;

	if (argc != 2 || (f = fopen(argv[1], "rb")) == NULL || fseek(f, 0, SEEK_END) != 0 ||
	    (n = ftell(f)) < RESEAL_HEADER || fseek(f, 0, SEEK_SET) != 0 ||
	    (buf = malloc((size_t)n)) == NULL || fread(buf, 1, (size_t)n, f) != (size_t)n) {
		fprintf(stderr, "usage: model-tables model (a readable model file)\n");
		return 2;
	}
	fclose(f);
	count = reseal_get32(buf + 12);
	for (i = 0; i < count && RESEAL_HEADER + (long)RESEAL_ENTRY * (i + 1) <= n; i++) {
		const unsigned char *d = buf + RESEAL_HEADER + (size_t)RESEAL_ENTRY * i;
		uint64_t off = reseal_get64(d + 48), bytes = reseal_get64(d + 56);
		printf("%.24s\t%u\t%llu\t%llu\t%08x\n", (const char *)d, reseal_get32(d + 24),
		    (unsigned long long)reseal_get64(d + 32), (unsigned long long)reseal_get64(d + 40),
		    reseal_get32(d + 28));
		if (strncmp((const char *)d, "meta", 24) == 0 && off <= (uint64_t)n &&
		    bytes <= (uint64_t)n - off) {
			meta = buf + off;
			meta_len = bytes;
		}
	}
	if (meta != NULL)
		fwrite(meta, 1, (size_t)meta_len, stdout);
	free(buf);
	return 0;
}
