#include "io/gunzip.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#define RAW_BUFFER (1u << 17)

enum gunzip_mode { UNDECIDED, PLAIN, GZIP };

struct gunzip {
	int fd;
	enum gunzip_mode mode;
	int raw_eof;		/* read(2) has said end of file */
	int member_ended;	/* a member is done; is another one next? */
	unsigned members;	/* members begun */
	z_stream zs;		/* next_in/avail_in: the raw bytes not used yet */
	unsigned char raw[RAW_BUFFER];
};

struct gunzip *
gunzip_open(int fd)
{
	struct gunzip *g = calloc(1, sizeof(*g));

	if (g == NULL) {
		close(fd);
		return NULL;
	}
	g->fd = fd;
	g->zs.next_in = g->raw;
	return g;
}

int
gunzip_is_plain(const struct gunzip *g)
{
	return g->mode == PLAIN;
}

void
gunzip_close(struct gunzip *g)
{
	if (g == NULL)
		return;
	if (g->mode == GZIP)
		inflateEnd(&g->zs);
	close(g->fd);
	free(g);
}

static long
read_raw(int fd, unsigned char *dst, size_t n, const char *name, struct bpr_err *e)
{
	ssize_t got;

	do
		got = read(fd, dst, n);
	while (got < 0 && errno == EINTR);
	if (got < 0)
		return bpr_fail(e, "%s: read error: %s", name, strerror(errno));
	return (long)got;
}

/* Read more raw bytes after the unused ones, moved to the front first. */
static int
refill(struct gunzip *g, const char *name, struct bpr_err *e)
{
	long got;

	if (g->zs.avail_in > 0 && g->zs.next_in != g->raw)
		memmove(g->raw, g->zs.next_in, g->zs.avail_in);
	g->zs.next_in = g->raw;
	got = read_raw(g->fd, g->raw + g->zs.avail_in, RAW_BUFFER - g->zs.avail_in, name, e);
	if (got < 0)
		return -1;
	if (got == 0)
		g->raw_eof = 1;
	g->zs.avail_in += (uInt)got;
	return 0;
}

/* Buffer at least the first two bytes the stream has left, if it has them. */
static int
want_two(struct gunzip *g, const char *name, struct bpr_err *e)
{
	while (g->zs.avail_in < 2 && !g->raw_eof)
		if (refill(g, name, e) < 0)
			return -1;
	return 0;
}

static int
at_gzip_magic(const struct gunzip *g)
{
	return g->zs.avail_in >= 2 && g->zs.next_in[0] == 0x1f && g->zs.next_in[1] == 0x8b;
}

/* Tell gzip from plain bytes by the first two, as gzip(1) does. */
static int
decide(struct gunzip *g, const char *name, struct bpr_err *e)
{
	if (want_two(g, name, e) < 0)
		return -1;
	if (!at_gzip_magic(g)) {
		g->mode = PLAIN;
		return 0;
	}
	if (inflateInit2(&g->zs, 16 + MAX_WBITS) != Z_OK)
		return bpr_fail(e, "%s: out of memory to gunzip", name);
	g->mode = GZIP;
	g->members = 1;
	return 0;
}

/* The buffered raw bytes first, then straight from the descriptor. */
static long
read_plain(struct gunzip *g, const char *name, unsigned char *dst, size_t n,
    struct bpr_err *e)
{
	long got;

	if (g->zs.avail_in > 0) {
		size_t k = n < g->zs.avail_in ? n : g->zs.avail_in;
		memcpy(dst, g->zs.next_in, k);
		g->zs.next_in += k;
		g->zs.avail_in -= (uInt)k;
		return (long)k;
	}
	if (g->raw_eof)
		return 0;
	if ((got = read_raw(g->fd, dst, n, name, e)) == 0)
		g->raw_eof = 1;
	return got;
}

/*
 * After a member: the end of the input, or the next member. Anything else
 * is an error, since what follows could be the rest of the data.
 */
static int
next_member(struct gunzip *g, const char *name, struct bpr_err *e)
{
	if (want_two(g, name, e) < 0)
		return -1;
	if (g->zs.avail_in == 0)
		return 0;
	if (!at_gzip_magic(g))
		return bpr_fail(e, "%s: the bytes after gzip member %u are not a gzip member "
		    "(a damaged member, or other data appended): the rest cannot be read",
		    name, g->members);
	if (inflateReset(&g->zs) != Z_OK)
		return bpr_fail(e, "%s: cannot restart inflate", name);
	g->member_ended = 0;
	g->members++;
	return 1;
}

int
inflate_outcome(const z_stream *z, int rc, int input_done, const char *name,
    const struct inflate_words *w, struct bpr_err *e)
{
	if (rc == Z_STREAM_END)
		return 1;
	if (rc == Z_OK || (rc == Z_BUF_ERROR && !input_done))
		return 0;	/* Z_BUF_ERROR: more input, or more room, and it goes on */
	if (rc == Z_BUF_ERROR)
		return bpr_fail(e, "%s: %s", name, w->truncated);
	if (rc == Z_MEM_ERROR)
		return bpr_fail(e, "%s: %s", name, w->no_memory);
	return bpr_fail(e, "%s: %s (%s)", name, w->corrupt, z->msg != NULL ? z->msg : "inflate failed");
}

static long
read_gzip(struct gunzip *g, const char *name, unsigned char *dst, size_t n,
    struct bpr_err *e)
{
	static const struct inflate_words gzip_words = {
		.truncated = "truncated gzip data (unexpected end of file)",
		.corrupt = "corrupt gzip data", .no_memory = "out of memory to gunzip" };
	uInt room = n > (1u << 30) ? (1u << 30) : (uInt)n;
	int rc, more, end;

	for (;;) {
		if (g->member_ended) {
			if ((more = next_member(g, name, e)) <= 0)
				return more;
		}
		if (g->zs.avail_in == 0 && !g->raw_eof && refill(g, name, e) < 0)
			return -1;
		g->zs.next_out = dst;
		g->zs.avail_out = room;
		rc = inflate(&g->zs, Z_NO_FLUSH);
		if ((end = inflate_outcome(&g->zs, rc, g->raw_eof && g->zs.avail_in == 0, name,
		    &gzip_words, e)) < 0)
			return -1;
		if (end)
			g->member_ended = 1;
		if (g->zs.avail_out < room)
			return (long)(room - g->zs.avail_out);
	}
}

long
gunzip_read(struct gunzip *g, const char *name, unsigned char *dst, size_t n,
    struct bpr_err *e)
{
	if (n == 0)
		return 0;
	if (g->mode == UNDECIDED && decide(g, name, e) < 0)
		return -1;
	if (g->mode == PLAIN)
		return read_plain(g, name, dst, n, e);
	return read_gzip(g, name, dst, n, e);
}
