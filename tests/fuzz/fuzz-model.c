/* Model files: whatever loads must be consistent enough to use. */
#include <stdlib.h>

#include "fuzz.h"
#include "model/model.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct bpr_model *m;
	struct bpr_err e;
	float *items;

	if ((m = model_load_bytes(data, size, "fuzz", &e)) == NULL)
		return 0;
	if ((items = model_compose_items(m, &e)) != NULL)
		free(items);
	model_free(m);
	return 0;
}
