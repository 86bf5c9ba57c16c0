/*
 * output-registry DIR: the registry of temporary files holds 64 at a time.
 * Commits 200 outputs one after another (each commit must free its slot),
 * then opens 64 at once and a 65th, which must be refused, not overrun;
 * prints "ok" and exits 0 when both hold.
 */
#include <stdio.h>
#include <string.h>

#include "io/output.h"

#define SLOTS 64

int
main(int argc, char **argv)
{
	static struct bpr_output o[SLOTS + 1];
	struct bpr_err e;
	char path[4096];
	int i;

	if (argc != 2) {
		fprintf(stderr, "usage: output-registry dir\n");
		return 2;
	}
	for (i = 0; i < 200; i++) {
		snprintf(path, sizeof(path), "%s/seq%d", argv[1], i);
		if (output_open(&o[0], path, &e) < 0 || output_commit(&o[0], 0, &e) < 0) {
			fprintf(stderr, "output %d in sequence: %s\n", i, e.msg);
			return 1;
		}
	}
	for (i = 0; i < SLOTS; i++) {
		snprintf(path, sizeof(path), "%s/many%d", argv[1], i);
		if (output_open(&o[i], path, &e) < 0) {
			fprintf(stderr, "output %d of %d at once: %s\n", i, SLOTS, e.msg);
			return 1;
		}
	}
	snprintf(path, sizeof(path), "%s/one-too-many", argv[1]);
	if (output_open(&o[SLOTS], path, &e) == 0) {
		fprintf(stderr, "a 65th output at once was accepted\n");
		return 1;
	}
	for (i = 0; i < SLOTS; i++)
		output_abort(&o[i]);
	printf("ok\n");
	return 0;
}
