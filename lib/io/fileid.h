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
	int once;		/* a FIFO or socket: what one reader takes, no other sees */
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

/* What a file named on a command line is to the run. */
enum file_role {
	FILE_INPUT,
	FILE_INPUT_RESUMED,	/* a model resumed: may be an earlier checkpoint */
	FILE_OUTPUT,
	FILE_OUTPUT_UNPROBED,	/* in a directory made later (bpr-score --projector) */
	FILE_CHECKPOINTS,	/* path is the output whose .epochN files are written */
};

struct run_file {
	const char *opt;	/* the option or operand, for messages */
	const char *path;	/* NULL when not given */
	enum file_role role;
};

/*
 * Every file a run names, checked as a whole before any is read: a
 * usage error (status 2) for an empty name, a standard stream the run
 * needs that was closed (std_closed: stdin, stdout, stderr), standard
 * input read twice, an output that is an input or another output however
 * spelled (./x, a link; devices and FIFOs may be shared), or a file a
 * checkpoint would replace; an error (status 1) when an output could not
 * be written (no such directory, no permission).
 */
int files_check(const struct run_file *f, size_t n, const int std_closed[3], struct bpr_err *e);
/* A usage error when a checkpoint after epoch epochs_done of output would replace input. */
int files_checkpoints_spare(const char *opt, const char *input, const char *output,
    unsigned long epochs_done, struct bpr_err *e);

#endif
