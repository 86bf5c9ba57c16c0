/* gzip input (and plain files through the same reader). */
#include "fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct bpr_input *in;
	struct bpr_err e;
	char path[64];
	int fd = fuzz_file(data, size, path, sizeof(path));

	if (fd < 0)
		return 0;
	if ((in = input_open(path, NULL, &e)) != NULL) {
		fuzz_drain_lines(in);
		input_close(in);
	}
	close(fd);
	return 0;
}
