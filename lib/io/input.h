/*
 * One buffered reader for every input: a plain file, a gzip file of one
 * member or many (io/gunzip.h), standard input ("-"), or a member of a .zip
 * archive ("archive.zip", or "archive.zip:member"). Text is read a line at
 * a time, binary data by peek and read; the reader counts lines so every
 * message can say file:line.
 *
 * Each input is opened once, and what it holds is told from its first
 * bytes, peeked through this buffer: so a pipe, a FIFO or <(...) reads
 * exactly as the file would. A zip archive needs its central directory,
 * at its end: a regular file is read in place, anything else (a pipe) is
 * held in memory first, up to INPUT_MAX_PIPED_ZIP bytes.
 */
#ifndef BPR_INPUT_H
#define BPR_INPUT_H

#include <stddef.h>
#include <stdint.h>

#include "io/err.h"

/* Lines are short in every format we read: a longer one is an error. */
#define INPUT_MAX_LINE (1u << 20)
/* The largest zip archive taken from a pipe (GroupLens' largest is 335 MB). */
#define INPUT_MAX_PIPED_ZIP (1u << 30)

struct bpr_input;

/*
 * Open path ("-" is standard input). `wanted` lists member base names to
 * look for when path is a zip archive (NULL-ended, preferred first); it may
 * be NULL when zip archives make no sense for the caller.
 */
struct bpr_input *input_open(const char *path, const char *const *wanted,
    struct bpr_err *e);
void input_close(struct bpr_input *in);
/*
 * The member `name` in the same folder of the same zip archive as `of`'s
 * member, read from the same file or the same bytes in memory (a pipe's);
 * NULL when `of` is no archive member (no message) or on error (with one).
 */
struct bpr_input *input_open_sibling(const struct bpr_input *of, const char *name,
    struct bpr_err *e);
int input_is_member(const struct bpr_input *in);
/* Bytes already in memory, read like a file named name (tests, fuzzing). */
struct bpr_input *input_from_bytes(const char *name, const void *bytes, size_t n,
    struct bpr_err *e);

/* Name for messages: the path, "stdin", or "archive.zip:member". */
const char *input_name(const struct bpr_input *in);
/* Lines returned so far (the current line's number after input_line). */
long input_lineno(const struct bpr_input *in);
/* Compute a CRC32 of every byte delivered from now on (a data fingerprint). */
void input_track_crc(struct bpr_input *in);
/* Count the bytes read from now on as the progress of reading (io/progress.h). */
void input_count_progress(struct bpr_input *in);
/* Total bytes delivered, and their CRC32 when tracked. */
uint64_t input_bytes(const struct bpr_input *in);
uint32_t input_crc(const struct bpr_input *in);
/* A plain regular file's size in bytes (what reading it will give); 0 when not known. */
uint64_t input_file_size(const struct bpr_input *in);
/*
 * About how many records the whole input holds, were the rest like the n
 * consumed so far (a plain regular file's size over the bytes they took;
 * 0 when not known): to size an array once rather than by doubling.
 */
size_t input_records_expected(const struct bpr_input *in, size_t n);

/*
 * Make at least n bytes visible without consuming them (fewer at the end
 * of input); *p and *avail describe what is buffered.
 */
int input_peek(struct bpr_input *in, size_t n, const unsigned char **p,
    size_t *avail, struct bpr_err *e);
/* Consume n bytes already made visible by input_peek. */
void input_skip(struct bpr_input *in, size_t n);
/* Read exactly n bytes unless the input ends: returns bytes read, -1 on error. */
long input_read(struct bpr_input *in, void *dst, size_t n, struct bpr_err *e);

/*
 * Next line without its "\n" or "\r\n", NUL-terminated and writable in
 * place. Returns 1 with a line, 0 at the end, -1 on error (including a
 * NUL byte inside the line, the sign of binary data). A UTF-8 byte order
 * mark at the start of the input is skipped.
 */
int input_line(struct bpr_input *in, char **line, size_t *len, struct bpr_err *e);
/* Same, passing over the lines that hold no record: empty, blank, or a # comment. */
int input_record(struct bpr_input *in, char **line, size_t *len, struct bpr_err *e);

#endif
