/*
 * Questions asked of a trained model: the top k items for a user (leaving
 * out what they already have), the items or users nearest one of them,
 * and a new item built from its tags alone.
 */
#ifndef BPR_QUERY_H
#define BPR_QUERY_H

#include <stddef.h>
#include <stdint.h>

#include "data/idmap.h"
#include "data/positives.h"
#include "eval/blend.h"
#include "io/err.h"
#include "io/input.h"
#include "model/model.h"

/*
 * Item titles (ml-genres --titles): item<TAB>title lines; or any other
 * id<TAB>name list, such as tag names (kind "tag", label "name").
 */
struct titles {
	struct idmap items;
	char **title;
	size_t cap;
};

int titles_read(struct titles *t, struct bpr_input *in, const char *kind, const char *label,
    struct bpr_err *e);
const char *titles_get(const struct titles *t, uint32_t item);
void titles_free(struct titles *t);

struct ranked {
	uint32_t id;
	float score;
};

/*
 * The k best items for each of n users, best first, into out[i * k ..];
 * got[i] says how many (fewer when the catalogue runs out). Positives of
 * exclude (may be NULL) are left out. Fails on a user the model lacks.
 * With blend (may be NULL; its candidates m's items, m its first model)
 * the items are ranked by the blend, and a user is refused only when no
 * model has them.
 */
int recommend(const struct bpr_model *m, const struct blend *blend, const uint32_t *users,
    size_t n, uint32_t k, const struct positives *exclude, int threads, struct ranked *out,
    uint32_t *got, struct bpr_err *e);

/* What a query ranks: items for a user, a neighbour's items or users, a new item's users. */
enum query_kind { QUERY_TOP, QUERY_SIMILAR_ITEMS, QUERY_SIMILAR_USERS, QUERY_COLD };
/* A usage error when k is more than the query ranks in model m. */
int query_check_k(const struct bpr_model *m, enum query_kind q, uint32_t k, struct bpr_err *e);

/* The k items (users when of_users) with vectors most like id's, by cosine. */
int most_similar(const struct bpr_model *m, int of_users, uint32_t id, uint32_t k,
    struct ranked *out, size_t *got, struct bpr_err *e);

#endif
