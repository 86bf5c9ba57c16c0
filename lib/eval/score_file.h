/*
 * Evaluation of any scorer: a "user<TAB>item<TAB>score" stream in, the
 * same metrics and protocol as for a model out. A user's candidates are
 * the items scored for them.
 */
#ifndef BPR_SCORE_FILE_H
#define BPR_SCORE_FILE_H

#include "data/positives.h"
#include "eval/eval.h"
#include "io/err.h"
#include "io/input.h"

int evaluate_scores(struct bpr_input *in, const struct positives *test,
    const struct positives *exclude, const struct eval_config *c, struct eval_result *r,
    struct bpr_err *e);

#endif
