#include "io/err.h"

#include <stdio.h>
#include <string.h>

static void
set_message(struct bpr_err *e, const char *prefix, const char *fmt, va_list ap)
{
	size_t n;

	snprintf(e->msg, sizeof(e->msg), "%s", prefix);
	n = strlen(e->msg);
	vsnprintf(e->msg + n, sizeof(e->msg) - n, fmt, ap);
}

int
bpr_fail_as(struct bpr_err *e, int status, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	set_message(e, "", fmt, ap);
	va_end(ap);
	e->status = status;
	return -1;
}

int
bpr_fail_at(struct bpr_err *e, const char *file, long line, const char *fmt, ...)
{
	char prefix[512];
	va_list ap;

	if (line > 0)
		snprintf(prefix, sizeof(prefix), "%s:%ld: ", file, line);
	else
		snprintf(prefix, sizeof(prefix), "%s: ", file);
	va_start(ap, fmt);
	set_message(e, prefix, fmt, ap);
	va_end(ap);
	e->status = BPR_EXIT_DATA;
	return -1;
}

void
bpr_err_prefix(struct bpr_err *e, const char *fmt, ...)
{
	char old[sizeof(e->msg)];
	size_t n;
	va_list ap;

	memcpy(old, e->msg, sizeof(old));
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
	n = strlen(e->msg);
	snprintf(e->msg + n, sizeof(e->msg) - n, "%s", old);
}

const char *
bpr_human_bytes(double bytes, char *buf, unsigned size)
{
	static const char *const unit[] = { "bytes", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB" };
	unsigned u = 0;

	while (bytes >= 1024 && u + 1 < sizeof(unit) / sizeof(unit[0])) {
		bytes /= 1024;
		u++;
	}
	if (u == 0)
		snprintf(buf, size, "%.0f bytes", bytes);
	else
		snprintf(buf, size, "%.1f %s", bytes, unit[u]);
	return buf;
}
