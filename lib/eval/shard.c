/* --shard I/N. */
#include <stdint.h>
#include <string.h>

#include "eval/shard.h"
#include "io/parse.h"

int
shard_parse(const char *opt, const char *arg, struct shard *s, struct bpr_err *e)
{
	const char *slash = strchr(arg, '/');
	uint32_t index, count;
	const char *why;

	if (slash == NULL)
		return bpr_fail_usage(e, "%s '%s': expected I/N, shard I of N (0 <= I < N)", opt, arg);
	if (parse_id(arg, (size_t)(slash - arg), &index, &why) < 0 ||
	    parse_id(slash + 1, strlen(slash + 1), &count, &why) < 0)
		return bpr_fail_usage(e, "%s '%s': expected I/N, shard I of N (0 <= I < N)", opt, arg);
	if (count < 1 || count > SHARD_MAX || index >= count)
		return bpr_fail_usage(e, "%s %s is out of range (expected 0 <= I < N <= %d)", opt, arg,
		    SHARD_MAX);
	s->index = index;
	s->count = count;
	return 0;
}
