#include "io/progress.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#include "io/clock.h"

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct progress_view stage;
static int reading;		/* the stage is reading files */
static atomic_uint_fast64_t done;

static void
set_stage(const char *what, uint64_t total, const char *unit)
{
	if (snprintf(stage.what, sizeof(stage.what), "%s", what) < 0 ||
	    snprintf(stage.unit, sizeof(stage.unit), "%s", unit) < 0)
		stage.what[0] = '\0';
	stage.total = total;
	stage.started = monotonic_seconds();
	atomic_store_explicit(&done, 0, memory_order_relaxed);
}

void
progress_stage(uint64_t total, const char *unit, const char *fmt, ...)
{
	char what[sizeof(stage.what)];
	va_list ap;

	va_start(ap, fmt);
	if (vsnprintf(what, sizeof(what), fmt, ap) < 0)
		what[0] = '\0';
	va_end(ap);
	pthread_mutex_lock(&lock);
	set_stage(what, total, unit);
	reading = 0;
	pthread_mutex_unlock(&lock);
}

void
progress_done(void)
{
	pthread_mutex_lock(&lock);
	set_stage("", 0, "");
	reading = 0;
	pthread_mutex_unlock(&lock);
}

void
progress_add(uint64_t n)
{
	atomic_fetch_add_explicit(&done, n, memory_order_relaxed);
}

void
progress_reading(const char *name, uint64_t bytes)
{
	char what[sizeof(stage.what)];

	pthread_mutex_lock(&lock);
	if (reading && stage.total > 0 && bytes > 0) {
		/* cut short when long: it is a label */
		if (snprintf(what, sizeof(what), "%s and %s", stage.what, name) >= 0)
			memcpy(stage.what, what, sizeof(what));
		stage.total += bytes;
	} else {
		if (snprintf(what, sizeof(what), "reading %s", name) < 0)
			what[0] = '\0';
		set_stage(what, bytes, "bytes");
		reading = 1;
	}
	pthread_mutex_unlock(&lock);
}

void
progress_get(struct progress_view *v)
{
	pthread_mutex_lock(&lock);
	*v = stage;
	v->done = atomic_load_explicit(&done, memory_order_relaxed);
	pthread_mutex_unlock(&lock);
}
