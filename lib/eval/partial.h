/*
 * Partial evaluations: what `auc --shard I/N` writes and `auc --merge`
 * adds up. A partial holds each of its users' metrics, not only their
 * sums, so that the merge adds them in the order one run would (by user
 * id) and prints the same digits; and it names the inputs it was measured
 * on by their CRC32 and size, so that a shard of another model or test
 * set (or of an earlier version of the same file) is refused, not merged.
 *
 *   bprtools-auc-partial<TAB>1
 *   shard<TAB>I<TAB>N
 *   source<TAB>scores or model name<TAB>test name
 *   input<TAB>role<TAB>crc32 (8 hex digits)<TAB>bytes      one per input
 *   protocol<TAB>k<TAB>universe<TAB>excluded<TAB>from scores<TAB>candidates<TAB>cold<TAB>max id
 *   counts<TAB>users unknown<TAB>users without<TAB>positives<TAB>positives unknown
 *   user<TAB>id<TAB>auc<TAB>metric...      each evaluated user, ids ascending
 *   end<TAB>number of user lines
 */
#ifndef BPR_PARTIAL_H
#define BPR_PARTIAL_H

#include <stddef.h>
#include <stdint.h>

#include "eval/eval.h"
#include "eval/shard.h"
#include "io/err.h"
#include "io/input.h"
#include "io/output.h"

#define PARTIAL_MAX_INPUTS (BLEND_MAX + 4)

/* An input the evaluation read, as the partial names it. */
struct partial_input {
	char role[16];		/* model, scores, test, exclude, items */
	uint32_t crc;
	uint64_t bytes;
};

struct partial {
	struct shard shard;
	char *source, *test_name;
	struct partial_input input[PARTIAL_MAX_INPUTS];
	size_t ninputs;
	struct eval_config config;	/* k and universe */
	int excluded, from_scores;
	struct eval_result result;	/* user and user_id: the evaluated users only */
};

/* Add an input to those p names. */
void partial_add_input(struct partial *p, const char *role, uint32_t crc, uint64_t bytes);
/*
 * A blend's inputs: each model (its header's CRC and size), then "blend",
 * the CRC and length of its weights' text, so that only shards of one
 * blend merge.
 */
void partial_add_blend(struct partial *p, const struct blend *b);
/*
 * Write r, an evaluation of shard s with config c, as a partial: source
 * and test_name as the metric lines' # line names them.
 */
int partial_write(struct bpr_output *o, const struct partial *p, struct bpr_err *e);
/*
 * What auc prints of an evaluation: a # line naming the source, the test
 * and the protocol, then metric<TAB>value lines; and the --per-user file's
 * user<TAB>auc lines.
 */
void partial_print(struct bpr_output *o, const struct partial *p);
void partial_print_per_user(struct bpr_output *o, const struct partial *p);
/* Read one partial. */
int partial_read(struct bpr_input *in, struct partial *p, struct bpr_err *e);
void partial_free(struct partial *p);
/*
 * Merge n partials, named by names[] in messages, into *out (which takes
 * the first shard's names): refuses a shard missing, given twice, cut
 * short, or measured on other inputs or settings than the rest.
 */
int partial_merge(struct partial *p, size_t n, const char *const *names, struct partial *out,
    struct bpr_err *e);

#endif
