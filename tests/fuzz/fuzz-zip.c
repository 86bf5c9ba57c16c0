/* One member of a .zip archive, read with raw inflate. */
#include "fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const wanted[] = { "u.data", "ratings.csv", "a", NULL };

	fuzz_open_and_drain(data, size, wanted);
	return 0;
}
