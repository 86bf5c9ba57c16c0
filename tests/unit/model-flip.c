/*
 * model-flip MODEL: flip every byte of a model file in turn (and truncate
 * it at every length) and check that loading refuses each damaged copy.
 * Prints how many copies were tried and exits 1 if any was accepted.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/model.h"

static unsigned char *
slurp(const char *path, size_t *n)
{
	FILE *f = fopen(path, "rb");
	unsigned char *buf;
	long size;

	if (f == NULL || fseek(f, 0, SEEK_END) != 0 || (size = ftell(f)) < 0 ||
	    fseek(f, 0, SEEK_SET) != 0 || (buf = malloc((size_t)size + 1)) == NULL ||
	    fread(buf, 1, (size_t)size, f) != (size_t)size) {
		perror(path);
		exit(2);
	}
	fclose(f);
	*n = (size_t)size;
	return buf;
}

/* 1 when the bytes load as a model (which they must not). */
static int
loads(const unsigned char *buf, size_t n)
{
	struct bpr_model *m;
	struct bpr_err e;

	if ((m = model_load_bytes(buf, n, "damaged", &e)) == NULL)
		return 0;
	model_free(m);
	return 1;
}

int
main(int argc, char **argv)
{
	unsigned char *buf;
	size_t n, i, accepted = 0, tried = 0;
	int bit;

	if (argc != 2) {
		fprintf(stderr, "usage: model-flip model\n");
		return 2;
	}
	buf = slurp(argv[1], &n);
	if (!loads(buf, n)) {
		fprintf(stderr, "model-flip: the undamaged model does not load\n");
		return 2;
	}
	for (i = 0; i < n; i++) {
		for (bit = 0; bit < 8; bit += 7) {	/* the lowest and highest bit */
			buf[i] ^= (unsigned char)(1u << bit);
			tried++;
			if (loads(buf, n)) {
				fprintf(stderr, "model-flip: byte %zu bit %d flipped was accepted\n", i, bit);
				accepted++;
			}
			buf[i] ^= (unsigned char)(1u << bit);
		}
		tried++;
		if (loads(buf, i)) {
			fprintf(stderr, "model-flip: truncated to %zu bytes was accepted\n", i);
			accepted++;
		}
	}
	free(buf);
	printf("%zu damaged copies of %zu bytes tried, %zu accepted\n", tried, n, accepted);
	return accepted > 0;
}
