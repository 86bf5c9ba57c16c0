/*
 * The bytes of a descriptor, gunzipped when they start with gzip's magic
 * and passed through as they are otherwise. Every member of a multi-member
 * file (cat a.gz b.gz, pigz, bgzip) is read in turn, and bytes after a
 * member that are no gzip member are an error. zlib's gzread ends quietly
 * there instead: one damaged byte in the second member's header lost every
 * row after the first member, with no message.
 */
#ifndef BPR_GUNZIP_H
#define BPR_GUNZIP_H

#include <stddef.h>
#include <zlib.h>

#include "io/err.h"

struct gunzip;

/* Read fd (the stream owns it from now on; NULL: out of memory, fd closed). */
struct gunzip *gunzip_open(int fd);
/*
 * Up to n bytes into dst: how many (0 at the end), or -1 with a message
 * naming `name`.
 */
long gunzip_read(struct gunzip *g, const char *name, unsigned char *dst, size_t n,
    struct bpr_err *e);
/* True once the first read has found no gzip magic: the bytes are the file's own. */
int gunzip_is_plain(const struct gunzip *g);
/* Close the descriptor and free g (NULL is ignored). */
void gunzip_close(struct gunzip *g);

/* What a reader of deflated data calls the ways inflate can stop, in messages. */
struct inflate_words {
	const char *truncated;	/* the input ended inside the stream */
	const char *corrupt;	/* zlib's reason follows, in parentheses */
	const char *no_memory;
};
/*
 * How the inflate call on z that returned rc ended, for gzip members and
 * zip members alike: 1 at the end of the stream, 0 to go on, -1 with a
 * message naming `name`. input_done: z has used all its input and none
 * will come, so a stream that wants more is cut short.
 */
int inflate_outcome(const z_stream *z, int rc, int input_done, const char *name,
    const struct inflate_words *w, struct bpr_err *e);

#endif
