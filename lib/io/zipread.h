/*
 * Reading one member of a .zip archive straight from the file, with zlib's
 * raw inflate: no unzip(1), no temporary copy. Only what GroupLens archives
 * need: stored or deflated members, no encryption, no zip64.
 */
#ifndef BPR_ZIPREAD_H
#define BPR_ZIPREAD_H

#include <stddef.h>
#include <stdio.h>

#include "io/err.h"

struct zip_member;

/* True when the first bytes of a file are a zip signature. */
int zip_has_magic(const unsigned char *head, size_t n);

/*
 * Open the member named `member` (full name, or a base name) of the
 * archive read through f (seekable; the member owns it from now on, and
 * closes it on failure too), `path` naming it in messages; when member is
 * NULL, the first base name of `wanted` (NULL-ended, in order of
 * preference) that the archive holds. *display receives
 * "path:member/name" for messages (caller frees).
 */
struct zip_member *zip_member_open(FILE *f, const char *path, const char *member,
    const char *const *wanted, char **display, struct bpr_err *e);
/* Read up to n bytes; 0 at the end (CRC and size verified), -1 on error. */
long zip_member_read(struct zip_member *z, unsigned char *dst, size_t n,
    struct bpr_err *e);
void zip_member_close(struct zip_member *z);

#endif
