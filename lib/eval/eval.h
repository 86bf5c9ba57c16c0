/*
 * Evaluation: for every test user, rank the candidate items by score and
 * measure the test positives' places. AUC is each user's full AUC (a
 * positive above a negative counts 1, a tie 1/2), averaged over users;
 * with k, precision, recall, NDCG and MAP at k and the reciprocal rank of
 * the first positive, ties in the ranking broken by candidate order.
 *
 * The protocol is explicit: which candidates are ranked (the model's items,
 * or every id 0..max as the notebook ranks them) and whether each user's
 * train positives are left out of the ranking or count as negatives.
 */
#ifndef BPR_EVAL_H
#define BPR_EVAL_H

#include <math.h>
#include <stddef.h>
#include <stdint.h>

#include "data/positives.h"
#include "eval/blend.h"
#include "eval/metrics.h"
#include "eval/place.h"
#include "eval/score_many.h"
#include "eval/shard.h"
#include "eval/topk.h"
#include "io/err.h"
#include "model/model.h"

struct user_metrics {
	double auc;
	double value[METRIC_SLOTS];	/* metrics[i]'s (eval/metrics.h) */
};

/*
 * One user's ranking under way, fed its candidates' scores a block at a
 * time (a NaN score is a candidate left out): the positives' scores laid
 * out for place, the sums so far, and the top k.
 */
struct user_rank {
	float *sorted;		/* the positives' scores: room for cap */
	float *levels;		/* place_table_size(cap) */
	struct scored *heap;	/* k + 1 */
	size_t cap, npos, skipped;
	uint32_t k;
	place_fn place;
	struct place_table table;
	struct placed placed;
	struct topk top;
};

/* Room for npos positives (kept, grown as needed) and the top k. */
int user_rank_reserve(struct user_rank *r, size_t npos, uint32_t k, struct bpr_err *e);
void user_rank_free(struct user_rank *r);
/*
 * Start a user whose npos positives' scores are in r->sorted (any order),
 * skipped of its candidates left out.
 */
void user_rank_begin(struct user_rank *r, size_t npos, size_t skipped);
/* The scores of candidates first .. first + n - 1. */
void user_rank_feed(struct user_rank *r, const float *score, size_t first, size_t n);
/*
 * The metrics over n candidates (labels by candidate, for the top k); the
 * best positive ranks below the candidates above it and below
 * equal_earlier of those equal to it (asked for only when
 * r->placed.at_highest > 1). Returns 0, or -1 when there is no negative.
 */
int user_rank_finish(struct user_rank *r, size_t n, const uint8_t *label, size_t equal_earlier,
    struct user_metrics *out);

/*
 * What ranking one user works in, for up to n candidates and the top k:
 * the candidates' labels (all LABEL_NEG between users), the positive
 * candidates, and the ranking, with room for n positives.
 */
struct rank_space {
	uint8_t *label;
	uint32_t *pos;
	struct user_rank rank;
};

int rank_space_alloc(struct rank_space *w, size_t n, uint32_t k, struct bpr_err *e);
void rank_space_free(struct rank_space *w);

/* Leave candidate c out of the ranking: user_metrics wants its score NaN. */
static inline void
rank_skip(struct rank_space *w, float *score, size_t c)
{
	w->label[c] = LABEL_SKIP;
	score[c] = NAN;
}

/*
 * Metrics of one user from the scores of n candidates labelled in w
 * negative, positive or skipped (by rank_skip, `skipped` of them); w->pos
 * lists the npos positive candidates; the top k is rank_space_alloc's.
 * Returns 0, or -1 when there is no negative (no AUC).
 */
int user_metrics(const float *score, size_t n, size_t npos, size_t skipped, struct rank_space *w,
    struct user_metrics *out);

enum universe_kind {
	UNIVERSE_MODEL,		/* the model's items */
	UNIVERSE_LIST,		/* the items of a list (a catalogue) */
	UNIVERSE_ALL_IDS,	/* every id 0..max, as the notebook ranks */
};

/*
 * Items the model has no row for (a catalogue item never trained on, an
 * id no item has) are scored by their tags alone, or 0 without tags.
 */
struct eval_config {
	enum universe_kind universe;
	const uint32_t *ids;	/* UNIVERSE_LIST: ascending ids; ALL_IDS: widen max */
	size_t nids;
	uint32_t k;		/* 0: AUC only */
	int threads;
	int quiet;		/* count no progress: it runs beside work that does */
	struct shard shard;	/* evaluate only this shard's users */
	/*
	 * Several models' rank blend instead of the model's scores: its
	 * candidates must be the universe's (UNIVERSE_LIST, the same ids).
	 */
	const struct blend *blend;
};

/* --compat's values: none, or the notebook's protocol (every id 0..max ranked). */
extern const struct names compat_names;

struct eval_result {
	double auc;
	double value[METRIC_SLOTS];	/* metrics[i]'s, averaged over the users */
	size_t users;			/* evaluated */
	size_t users_unknown;		/* test users the model lacks (of the shard's) */
	size_t users_without;		/* no positive (or no negative) left */
	size_t positives;		/* test positives ranked */
	size_t positives_unknown;	/* test items outside the candidates */
	size_t candidates;
	size_t cold;			/* candidates without a row in the model */
	uint32_t max_id;		/* UNIVERSE_ALL_IDS: the largest id */
	struct user_metrics *user;	/* [test users]: .auc NaN when not evaluated */
	uint32_t *user_id;		/* [test users] */
	size_t nusers;
};

/*
 * Evaluate model m on test positives; exclude (may be NULL) holds each
 * user's train positives, left out of the ranking.
 */
int evaluate(const struct bpr_model *m, const struct positives *test,
    const struct positives *exclude, const struct eval_config *c, struct eval_result *r,
    struct bpr_err *e);
/*
 * evaluate for c (UNIVERSE_MODEL) into r and, from the same scores, the
 * notebook's AUC (nbc: UNIVERSE_ALL_IDS, k 0, nothing left out) into nb:
 * one product for both protocols, as bpr-train measures every epoch. The
 * results are evaluate's for each, but for nb's metrics other than AUC
 * (its candidates come in another order, which only ties' ranks see).
 */
int evaluate_with_notebook(const struct bpr_model *m, const struct positives *test,
    const struct positives *exclude, const struct eval_config *c, struct eval_result *r,
    const struct eval_config *nbc, struct eval_result *nb, struct bpr_err *e);
/*
 * evaluate for the rank blend b: its candidates (UNIVERSE_LIST) and c's k,
 * threads and shard; r's cold counts the candidates any model lacks.
 */
int evaluate_blend(const struct blend *b, const struct positives *test,
    const struct positives *exclude, const struct eval_config *c, struct eval_result *r,
    struct bpr_err *e);
void eval_result_free(struct eval_result *r);

/* The pieces evaluate uses, for evaluations of other scores (score_file.c). */
void eval_add_user(struct eval_result *r, size_t tu, const struct user_metrics *um,
    size_t npos);
void eval_finish(struct eval_result *r);

/* The protocol in words, for the # line above the numbers. */
void eval_protocol(const struct eval_result *r, const struct eval_config *c, int excluded,
    int from_scores, char *buf, size_t size);

#endif
