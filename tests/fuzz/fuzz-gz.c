/* gzip input (and plain files through the same reader). */
#include "fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_open_and_drain(data, size, NULL);
	return 0;
}
