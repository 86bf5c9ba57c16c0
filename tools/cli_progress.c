/*
 * The progress line: on a terminal only, one line on standard error
 * redrawn four times a second by a thread of its own from the library's
 * counts (io/progress.h): what is being done, how far, the rate, the time
 * left and the time so far, so that it moves even while one long step
 * runs. Anything else written to standard error pauses it first.
 */
#include "cli.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "io/clock.h"
#include "io/progress.h"

static pthread_mutex_t drawing;	/* recursive: a pause may hold it around a warning */
static pthread_t ticker;
static int running, stopping, drawn;
static double started;

/* n units: bytes as MB, other units as counts. */
static void
amount(char *buf, size_t size, double n, const char *unit)
{
	if (strcmp(unit, "bytes") == 0)
		snprintf(buf, size, "%.1f", n / 1e6);
	else if (n >= 1e6)
		snprintf(buf, size, "%.2f M", n / 1e6);
	else
		snprintf(buf, size, "%.0f", n);
}

/* "auc 12.3 s: ranking test users, 52340/162530 users (32%), 12600 users/s, 8 s left" */
static void
compose(char *line, size_t size, const struct progress_view *v, double now)
{
	char done[32], total[32], rate[32];
	const char *unit = strcmp(v->unit, "bytes") == 0 ? "MB" : v->unit;
	double secs = now - v->started, per_s = secs > 0 ? (double)v->done / secs : 0;
	int n;

	amount(done, sizeof(done), (double)v->done, v->unit);
	amount(total, sizeof(total), (double)v->total, v->unit);
	amount(rate, sizeof(rate), per_s, v->unit);
	n = snprintf(line, size, "%s %.1f s: %s", cli_name(), now - started, v->what);
	if (n >= 0 && (size_t)n < size && v->total > 0 && v->done >= v->total)
		n += snprintf(line + n, size - (size_t)n, ", %s/%s %s (100%%)", done, total, unit);
	else if (n >= 0 && (size_t)n < size && v->total > 0)
		n += snprintf(line + n, size - (size_t)n, ", %s/%s %s (%.0f%%), %s %s/s", done, total,
		    unit, 100.0 * (double)v->done / (double)v->total, rate, unit);
	else if (n >= 0 && (size_t)n < size && v->done > 0)
		n += snprintf(line + n, size - (size_t)n, ", %s %s, %s %s/s", done, unit, rate, unit);
	if (n >= 0 && (size_t)n < size && v->total > v->done && per_s > 0)
		snprintf(line + n, size - (size_t)n, ", %.0f s left",
		    (double)(v->total - v->done) / per_s);
}

/* Draw the line, cut to the terminal's width (a wrapped line cannot be redrawn). */
static void
draw(void)
{
	struct progress_view v;
	struct winsize ws;
	char line[512];
	size_t width = ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 1 ?
	    (size_t)ws.ws_col - 1 : 79;

	progress_get(&v);
	if (v.what[0] == '\0') {	/* between stages, or done: nothing to show */
		if (drawn)
			fputs("\r\033[K", stderr);
		drawn = 0;
		return;
	}
	compose(line, sizeof(line), &v, monotonic_seconds());
	if (strlen(line) > width && width < sizeof(line))
		line[width] = '\0';
	fprintf(stderr, "\r\033[K%s", line);
	fflush(stderr);
	drawn = 1;
}

static void *
tick(void *arg)
{
	struct timespec quarter = { 0, 250000000 };

	(void)arg;
	for (;;) {
		nanosleep(&quarter, NULL);
		pthread_mutex_lock(&drawing);
		if (stopping) {
			pthread_mutex_unlock(&drawing);
			return NULL;
		}
		draw();
		pthread_mutex_unlock(&drawing);
	}
}

void
cli_progress_begin(int quiet)
{
	started = monotonic_seconds();
	pthread_mutexattr_t recursive;

	if (running || !cli_progress_wanted(quiet))
		return;
	pthread_mutexattr_init(&recursive);
	pthread_mutexattr_settype(&recursive, PTHREAD_MUTEX_RECURSIVE);
	pthread_mutex_init(&drawing, &recursive);
	pthread_mutexattr_destroy(&recursive);
	running = pthread_create(&ticker, NULL, tick, NULL) == 0;
	if (running)
		atexit(cli_progress_end);
}

/* Without a ticker (not a terminal, -q) there is nothing to pause. */
void
cli_progress_pause(void)
{
	if (!running)
		return;
	pthread_mutex_lock(&drawing);
	if (drawn) {
		fputs("\r\033[K", stderr);
		drawn = 0;
	}
}

void
cli_progress_resume(void)
{
	if (running)
		pthread_mutex_unlock(&drawing);
}

void
cli_progress_end(void)
{
	if (!running)
		return;
	cli_progress_pause();
	stopping = 1;
	cli_progress_resume();
	pthread_join(ticker, NULL);
	running = 0;
	pthread_mutex_destroy(&drawing);
}
