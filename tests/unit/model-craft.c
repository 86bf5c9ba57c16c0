/*
 * model-craft IN OUT [OP ARGS]...: write a copy of model IN with the
 * given changes, its CRCs recomputed (unless --raw comes first), so that
 * what loading checks behind the CRCs can be tested:
 *
 *   version V            the format version field
 *   count N              the number of tables
 *   size N               the file size field
 *   dir NAME FIELD V     a directory field: dtype, rows, cols, offset, bytes
 *   u32|u64|f32 NAME I V element I of table NAME (f32 takes nan, inf, -1)
 *   text NAME OLD NEW    the first OLD in table NAME becomes NEW (same length)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../fuzz/model-reseal.h"

static unsigned char *buf;
static size_t size;

static void
die(const char *msg, const char *arg)
{
	fprintf(stderr, "model-craft: %s%s%s\n", msg, arg ? ": " : "", arg ? arg : "");
	exit(2);
}

static void
slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	long n = 0;

	if (f == NULL || fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 ||
	    fseek(f, 0, SEEK_SET) != 0 || (buf = malloc((size_t)n + 1)) == NULL ||
	    fread(buf, 1, (size_t)n, f) != (size_t)n)
		die("cannot read", path);
	fclose(f);
	size = (size_t)n;
}

static unsigned char *
entry(const char *name)
{
	unsigned char *d = reseal_entry(buf, size, name);

	if (d == NULL)
		die("no such table", name);
	return d;
}

/* Address of element i (of width w) of table name, inside the file. */
static unsigned char *
element(const char *name, const char *index, size_t w)
{
	unsigned char *d = entry(name);
	uint64_t off = reseal_get64(d + 48), bytes = reseal_get64(d + 56);
	uint64_t i = strtoull(index, NULL, 10);

	if (off > size || (i + 1) * w > bytes || off + (i + 1) * w > size)
		die("element out of the table", index);
	return buf + off + i * w;
}

static void
set_dir(const char *name, const char *field, const char *value)
{
	static const char *const fields[] = { "dtype", "rows", "cols", "offset", "bytes" };
	static const int at[] = { 24, 32, 40, 48, 56 };
	unsigned char *d = entry(name);
	uint64_t v = strtoull(value, NULL, 0);
	int i;

	for (i = 0; i < 5; i++) {
		if (strcmp(field, fields[i]) != 0)
			continue;
		if (i == 0)
			reseal_put32(d + at[i], (uint32_t)v);
		else
			reseal_put64(d + at[i], v);
		return;
	}
	die("no such directory field", field);
}

static void
replace_text(const char *name, const char *old, const char *new)
{
	unsigned char *d = entry(name);
	uint64_t off = reseal_get64(d + 48), bytes = reseal_get64(d + 56), i;
	size_t n = strlen(old);

	if (strlen(new) != n)
		die("text: OLD and NEW must have the same length", new);
	for (i = 0; off + i + n <= size && i + n <= bytes; i++) {
		if (memcmp(buf + off + i, old, n) == 0) {
			memcpy(buf + off + i, new, n);
			return;
		}
	}
	die("text not found", old);
}

/* Apply the op at argv[0]; returns how many arguments it took. */
static int
apply(int argc, char **argv)
{
	const char *op = argv[0];
	float f;

	if (strcmp(op, "version") == 0 && argc >= 2)
		reseal_put32(buf + 8, (uint32_t)strtoul(argv[1], NULL, 0));
	else if (strcmp(op, "count") == 0 && argc >= 2)
		reseal_put32(buf + 12, (uint32_t)strtoul(argv[1], NULL, 0));
	else if (strcmp(op, "size") == 0 && argc >= 2)
		reseal_put64(buf + 16, strtoull(argv[1], NULL, 0));
	else if (strcmp(op, "dir") == 0 && argc >= 4)
		set_dir(argv[1], argv[2], argv[3]);
	else if (strcmp(op, "u32") == 0 && argc >= 4)
		reseal_put32(element(argv[1], argv[2], 4), (uint32_t)strtoul(argv[3], NULL, 0));
	else if (strcmp(op, "u64") == 0 && argc >= 4)
		reseal_put64(element(argv[1], argv[2], 8), strtoull(argv[3], NULL, 0));
	else if (strcmp(op, "f32") == 0 && argc >= 4) {
		f = strtof(argv[3], NULL);
		memcpy(element(argv[1], argv[2], 4), &f, 4);
	} else if (strcmp(op, "text") == 0 && argc >= 4)
		replace_text(argv[1], argv[2], argv[3]);
	else
		die("unknown operation or missing arguments", op);
	return strcmp(op, "version") == 0 || strcmp(op, "count") == 0 || strcmp(op, "size") == 0 ?
	    2 : 4;
}

int
main(int argc, char **argv)
{
	int raw = 0, i;
	FILE *f;

	if (argc > 1 && strcmp(argv[1], "--raw") == 0) {
		raw = 1;
		argc--;
		argv++;
	}
	if (argc < 3)
		die("usage: model-craft [--raw] in out [op args]...", NULL);
	slurp(argv[1]);
	if (size < RESEAL_HEADER)
		die("too short to be a model", argv[1]);
	for (i = 3; i < argc; i += apply(argc - i, argv + i))
		;
	if (!raw)
		model_reseal(buf, size);
	if ((f = fopen(argv[2], "wb")) == NULL || fwrite(buf, 1, size, f) != size || fclose(f) != 0)
		die("cannot write", argv[2]);
	free(buf);
	return 0;
}
