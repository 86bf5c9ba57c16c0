/*
 * gunzip-check N: copy standard input to standard output through
 * lib/io/gunzip.c, asking for N bytes a read, so that its small-buffer
 * paths (an output buffer full in the middle of a member, a member ending
 * with nothing produced) run too. Standard error says "plain" or "gzip";
 * on an error, the message, and exit 1.
 */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "io/gunzip.h"

int
main(int argc, char **argv)
{
	struct bpr_err e = { 0 };
	struct gunzip *g;
	unsigned char *buf;
	long got;
	size_t n = argc > 1 ? strtoul(argv[1], NULL, 10) : 4096;

	if (n == 0 || (buf = malloc(n)) == NULL || (g = gunzip_open(dup(STDIN_FILENO))) == NULL)
		return 2;
	while ((got = gunzip_read(g, "stdin", buf, n, &e)) > 0)
		if (fwrite(buf, 1, (size_t)got, stdout) != (size_t)got)
			return 2;
	if (got < 0)
		fprintf(stderr, "gunzip-check: %s\n", e.msg);
	else
		fprintf(stderr, "%s\n", gunzip_is_plain(g) ? "plain" : "gzip");
	gunzip_close(g);
	free(buf);
	return got < 0 ? 1 : 0;
}
