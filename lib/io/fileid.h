/*
 * Which files a run names: two spellings of one file (./x and x, a
 * symbolic link and its target, a hard link) are the same file, so an
 * output that names an input, or another output, can be refused before
 * anything is read or written.
 */
#ifndef BPR_FILEID_H
#define BPR_FILEID_H

#include <sys/types.h>

#include "io/err.h"

struct file_id {
	int exists;		/* dev and ino are set */
	int regular;		/* a regular file (devices and FIFOs may be shared) */
	int stream;		/* 1 standard input ("-"), 2 standard output, else 0 */
	dev_t dev;
	ino_t ino;
	char *path;		/* absolute, links resolved as far as they exist */
};

/*
 * An input: "-" is standard input; "archive.zip:member" is the archive.
 * An output: "-" is standard output; a link is followed to the file that
 * writing replaces. -1 with a message when out of memory.
 */
int file_id_input(struct file_id *id, const char *path, struct bpr_err *e);
int file_id_output(struct file_id *id, const char *path, struct bpr_err *e);
void file_id_free(struct file_id *id);

/* True when writing one would destroy the other. */
int file_id_same(const struct file_id *a, const struct file_id *b);

/*
 * The checkpoints of an output, "OUTPUT.epochN": named as the output is
 * spelled (its own link is not followed), in its directory.
 */
int file_id_checkpoints(struct file_id *id, const char *output, struct bpr_err *e);
/* True when id is one of them with N > after. */
int file_id_is_checkpoint(const struct file_id *id, const struct file_id *checkpoints,
    unsigned long after);

#endif
