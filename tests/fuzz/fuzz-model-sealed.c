/*
 * Model files whose CRCs are recomputed after the fuzzer's mutation, so
 * that every input reaches the checks behind them: counts, ids, offsets
 * and values. Whatever loads must be usable as training and scoring use
 * it: every catalogue item scored, given a row (as --init training does)
 * and scored again, the model copied (as early stopping keeps the best).
 * A test, not a tool: it reaches the copy through model/model_impl.h.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "io/mem.h"
#include "model-reseal.h"
#include "model/model_impl.h"

static void
use_model(struct bpr_model *m)
{
	struct bpr_model copy;
	struct bpr_err e;
	const uint32_t *ids = NULL;
	float *items, *v, bias;
	size_t c, n;

	if ((items = model_compose_items(m, &e)) != NULL)
		free(items);
	if ((v = mem_aligned(model_composed_size(m) + VEC_LANES, sizeof(float), "v", &e)) == NULL)
		return;
	ids = model_catalogue_items(m, &n);
	for (c = 0; c < n && c < 4096; c++)
		if (model_item_vector(m, ids[c], v, &bias, &e) == 1 && !isfinite(bias))
			abort();	/* a loaded model has only finite values */
	for (c = 0; c < n && c < 4096; c++)
		if (model_item_row(m, model_catalogue_items(m, &n)[c], &e) < 0)
			break;
	if ((items = model_compose_items(m, &e)) != NULL)
		free(items);
	free(v);
	if (model_clone(&copy, m, &e) == 0)
		model_clear(&copy);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned char *buf = malloc(size + 1);
	struct bpr_model *m;
	struct bpr_err e;

	if (buf == NULL)
		return 0;
	memcpy(buf, data, size);
	model_reseal(buf, size);
	if ((m = model_load_bytes(buf, size, "fuzz", &e)) != NULL) {
		use_model(m);
		model_free(m);
	}
	free(buf);
	return 0;
}
