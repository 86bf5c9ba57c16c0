/* One member of a .zip archive, read with raw inflate. */
#include "fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const wanted[] = { "u.data", "ratings.csv", "a", NULL };
	struct bpr_input *in;
	struct bpr_err e;
	char path[64];
	int fd = fuzz_file(data, size, path, sizeof(path));

	if (fd < 0)
		return 0;
	if ((in = input_open(path, wanted, &e)) != NULL) {
		fuzz_drain_lines(in);
		input_close(in);
	}
	close(fd);
	return 0;
}
