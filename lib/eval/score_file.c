#include "eval/score_file.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "data/sort.h"
#include "io/filekind.h"
#include "io/mem.h"
#include "io/parse.h"
#include "io/text.h"

struct scored_pair {
	uint64_t key;		/* user << 32 | item */
	float score;
	long line;
};

static int
by_key(const void *a, const void *b)
{
	const struct scored_pair *x = a, *y = b;

	return (x->key > y->key) - (x->key < y->key);
}

static int
parse_score_line(struct bpr_input *in, char *line, size_t len, struct scored_pair *p,
    struct bpr_err *e)
{
	static const char *const what[] = { "user id", "item id", "score" };
	struct field f[3];
	uint32_t id[2];
	double v;
	const char *why;
	size_t nf = split_fields(line, len, "\t", 1, f, 3), i;

	if (nf != 3)
		return bpr_fail_at(e, input_name(in), input_lineno(in),
		    "%zu field%s, expected 3 (user<TAB>item<TAB>score)", nf, PLURAL(nf));
	for (i = 0; i < 2; i++)
		if (parse_id(f[i].s, f[i].len, &id[i], &why) < 0)
			return bpr_fail_at(e, input_name(in), input_lineno(in), "%s '%.*s' %s", what[i],
			    field_show(&f[i]), why);
	if (parse_double(f[2].s, f[2].len, &v, &why) < 0 || !isfinite((float)v))
		return bpr_fail_at(e, input_name(in), input_lineno(in), "score '%.*s' %s",
		    field_show(&f[2]), why ? why : "is not a finite float");
	p->key = (uint64_t)id[0] << 32 | id[1];
	p->score = (float)v;
	p->line = input_lineno(in);
	return 0;
}

static int
read_scores(struct bpr_input *in, struct scored_pair **out, size_t *n, struct bpr_err *e)
{
	size_t cap = 0, len, i;
	char *line;
	int rc;

	*out = NULL;
	*n = 0;
	if (expect_text(in, "user<TAB>item<TAB>score lines", 0, e) < 0)
		return -1;
	while ((rc = input_record(in, &line, &len, e)) > 0) {
		if (mem_grow(out, &cap, *n + 1, sizeof(**out), "scores", e) < 0 ||
		    parse_score_line(in, line, len, &(*out)[*n], e) < 0)
			return -1;
		(*n)++;
	}
	if (rc < 0)
		return -1;
	sort_array(*out, *n, sizeof(**out), by_key);
	for (i = 1; i < *n; i++)
		if ((*out)[i].key == (*out)[i - 1].key)
			return bpr_fail_at(e, input_name(in), (*out)[i].line,
			    "user %u, item %u is scored twice", (uint32_t)((*out)[i].key >> 32),
			    (uint32_t)(*out)[i].key);
	return 0;
}

/* True when user index u of set p has item id. */
static int
has_item(const struct positives *p, int64_t u, uint32_t id)
{
	int64_t i = u >= 0 ? positives_item_index(p, id) : -1;

	return i >= 0 && positives_has(p, (uint32_t)u, (uint32_t)i);
}

struct user_work {
	float *score;
	struct rank_space rank;
};

/* One user's group of scored pairs [from, to). */
static void
evaluate_group(const struct scored_pair *s, size_t from, size_t to, const struct positives *test,
    const struct positives *excl, struct user_work *w, struct eval_result *r, size_t tu)
{
	uint32_t user = (uint32_t)(s[from].key >> 32);
	int64_t xu = excl ? positives_user_index(excl, user) : -1;
	size_t i, n = to - from, npos = 0, skipped = 0, ranked;
	struct user_metrics um;

	for (i = 0; i < n; i++) {
		uint32_t item = (uint32_t)s[from + i].key;
		w->score[i] = s[from + i].score;
		w->rank.label[i] = LABEL_NEG;
		if (has_item(test, (int64_t)tu, item)) {
			w->rank.label[i] = LABEL_POS;
			w->rank.pos[npos++] = (uint32_t)i;
		} else if (excl != NULL && has_item(excl, xu, item)) {
			rank_skip(&w->rank, w->score, i);
			skipped++;
		}
	}
	ranked = npos;
	r->positives_unknown += (test->start[tu + 1] - test->start[tu]) - ranked;
	if (npos == 0 || user_metrics(w->score, n, npos, skipped, &w->rank, &um) < 0) {
		r->users_without++;
		return;
	}
	eval_add_user(r, tu, &um, npos);
}

static size_t
largest_group(const struct scored_pair *s, size_t n)
{
	size_t i, from = 0, largest = 0;

	for (i = 1; i <= n; i++) {
		if (i == n || s[i].key >> 32 != s[from].key >> 32) {
			largest = i - from > largest ? i - from : largest;
			from = i;
		}
	}
	return largest;
}

int
evaluate_scores(struct bpr_input *in, const struct positives *test,
    const struct positives *exclude, const struct eval_config *c, struct eval_result *r,
    struct bpr_err *e)
{
	struct scored_pair *s = NULL;
	struct user_work w = { 0 };
	size_t n, i, from, big, tu;
	int64_t u;
	int rc = -1;

	memset(r, 0, sizeof(*r));
	if (read_scores(in, &s, &n, e) < 0)
		goto done;
	big = largest_group(s, n) + 1;
	w.score = mem_array(big, sizeof(float), 0, "scores", e);
	if (w.score == NULL || rank_space_alloc(&w.rank, big, c->k, e) < 0)
		goto done;
	r->nusers = test->nusers;
	r->user = mem_array(test->nusers + 1, sizeof(*r->user), 0, "scores", e);
	r->user_id = mem_array(test->nusers + 1, sizeof(uint32_t), 0, "scores", e);
	if (!r->user || !r->user_id)
		goto done;
	for (tu = 0; tu < test->nusers; tu++) {
		r->user[tu].auc = NAN;
		r->user_id[tu] = test->user_id[tu];
	}
	for (from = 0, i = 1; from < n; i++) {
		if (i < n && s[i].key >> 32 == s[from].key >> 32)
			continue;
		if ((u = positives_user_index(test, (uint32_t)(s[from].key >> 32))) >= 0 &&
		    shard_has(&c->shard, test->user_id[u]))
			evaluate_group(s, from, i, test, exclude, &w, r, (size_t)u);
		r->candidates = i - from > r->candidates ? i - from : r->candidates;
		from = i;
	}
	for (tu = 0; tu < test->nusers; tu++)
		if (isnan(r->user[tu].auc) && shard_has(&c->shard, test->user_id[tu]))
			r->users_unknown++;
	r->users_unknown -= r->users_without;
	eval_finish(r);
	rc = 0;
done:
	free(s);
	free(w.score);
	rank_space_free(&w.rank);
	if (rc < 0)
		eval_result_free(r);
	return rc;
}
