/*
 * Shared by the libFuzzer harnesses: bytes as an input, either straight
 * from memory or through a file descriptor (for the readers that need a
 * real file: gzip and zip archives).
 */
#ifndef BPR_FUZZ_H
#define BPR_FUZZ_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

#include "io/input.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The bytes as a file: /proc/self/fd/N of a memory file; -1 on failure. */
static inline int
fuzz_file(const uint8_t *data, size_t size, char *path, size_t pathsize)
{
	int fd = memfd_create("fuzz", 0);

	if (fd < 0)
		return -1;
	if (size > 0 && write(fd, data, size) != (ssize_t)size) {
		close(fd);
		return -1;
	}
	snprintf(path, pathsize, "/proc/self/fd/%d", fd);
	return fd;
}

/* Read every line of an input (what every text reader does first). */
static inline void
fuzz_drain_lines(struct bpr_input *in)
{
	struct bpr_err e;
	size_t len;
	char *line;

	while (input_line(in, &line, &len, &e) > 0)
		;
}

/* The bytes as a file opened by input_open (wanted: zip members), drained. */
static inline void
fuzz_open_and_drain(const uint8_t *data, size_t size, const char *const *wanted)
{
	struct bpr_input *in;
	struct bpr_err e;
	char path[64];
	int fd = fuzz_file(data, size, path, sizeof(path));

	if (fd < 0)
		return;
	if ((in = input_open(path, wanted, &e)) != NULL) {
		fuzz_drain_lines(in);
		input_close(in);
	}
	close(fd);
}

#endif
