#include "io/output.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "io/parse.h"

#define OUTPUT_BUFFER (1u << 20)
#define MAX_TEMPORARIES 64
#define MAX_LINK_HOPS 40
#define TEMP_SUFFIX ".XXXXXX"

/*
 * The registry of temporary files: process-wide by nature, since a signal
 * may arrive while any output of the process is half-written. Slots are
 * filled and emptied with the signals blocked and under the lock; the
 * handler only reads them.
 */
static char *volatile temporaries[MAX_TEMPORARIES];
static pthread_mutex_t registry_lock = PTHREAD_MUTEX_INITIALIZER;

static void
block_signals(sigset_t *old)
{
	sigset_t all;

	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, old);
}

static void
restore_signals(const sigset_t *old)
{
	pthread_sigmask(SIG_SETMASK, old, NULL);
}

static int
register_temporary(char *tmp)
{
	int i, done = 0;

	pthread_mutex_lock(&registry_lock);
	for (i = 0; i < MAX_TEMPORARIES && !done; i++)
		if (temporaries[i] == NULL) {
			temporaries[i] = tmp;
			done = 1;
		}
	pthread_mutex_unlock(&registry_lock);
	return done ? 0 : -1;
}

static void
unregister_temporary(const char *tmp)
{
	int i;

	pthread_mutex_lock(&registry_lock);
	for (i = 0; i < MAX_TEMPORARIES; i++)
		if (tmp != NULL && temporaries[i] == tmp)
			temporaries[i] = NULL;
	pthread_mutex_unlock(&registry_lock);
}

void
output_remove_temporaries(void)
{
	int i;

	for (i = 0; i < MAX_TEMPORARIES; i++)
		if (temporaries[i] != NULL)
			unlink(temporaries[i]);
}

static void
remove_temporaries_and_die(int sig)
{
	output_remove_temporaries();
	signal(sig, SIG_DFL);
	raise(sig);
}

int
output_guard_process(int closed[3])
{
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP };
	struct sigaction sa;
	unsigned i;
	int fd;

	for (fd = 0; fd < 3; fd++) {
		closed[fd] = 0;
		if (fcntl(fd, F_GETFD) >= 0 || errno != EBADF)
			continue;
		closed[fd] = 1;
		if (open("/dev/null", fd == 0 ? O_RDONLY : O_WRONLY) != fd)
			return -1;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = remove_temporaries_and_die;
	sigemptyset(&sa.sa_mask);
	for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		sigaction(sigs[i], &sa, NULL);
	return 0;
}

int
output_quiet_thread(pthread_t *tid, void *(*fn)(void *), void *arg)
{
	sigset_t old;
	int rc;

	block_signals(&old);	/* the new thread inherits the mask */
	rc = pthread_create(tid, NULL, fn, arg);
	restore_signals(&old);
	return rc;
}

int
output_run_threads(int n, void *(*fn)(void *), void *jobs, size_t job_size)
{
	pthread_t tid[256];
	int i, started;

	for (started = 1; started < n && started < 256; started++)
		if (output_quiet_thread(&tid[started], fn, (char *)jobs + (size_t)started * job_size) != 0)
			break;
	if (started == n)
		fn(jobs);
	for (i = 1; i < started; i++)
		pthread_join(tid[i], NULL);
	return started == n ? 0 : -1;
}

/* dir/name, where dir is the directory part of `of` (with its slash). */
static char *
beside(const char *of, const char *name)
{
	const char *slash = strrchr(of, '/');
	size_t dirlen = slash ? (size_t)(slash - of + 1) : 0;
	size_t n = dirlen + strlen(name) + 1;
	char *p = malloc(n);

	if (p != NULL)
		snprintf(p, n, "%.*s%s", (int)dirlen, of, name);
	return p;
}

char *
output_target(const char *path, struct bpr_err *e)
{
	char *at = strdup(path), *next, link[PATH_MAX];
	struct stat st;
	ssize_t n;
	int hops;

	for (hops = 0; at != NULL && lstat(at, &st) == 0 && S_ISLNK(st.st_mode); hops++) {
		if (hops == MAX_LINK_HOPS || (n = readlink(at, link, sizeof(link) - 1)) < 0) {
			bpr_fail(e, "%s: %s", path, hops == MAX_LINK_HOPS ? "too many levels of symbolic links" :
			    strerror(errno));
			free(at);
			return NULL;
		}
		link[n] = '\0';
		next = link[0] == '/' ? strdup(link) : beside(at, link);
		free(at);
		at = next;
	}
	if (at == NULL)
		bpr_fail(e, "%s: out of memory", path);
	return at;
}

/*
 * Temporary name ".NAME.XXXXXX" beside the target, so rename(2) is
 * atomic; NAME is cut short when the whole would pass NAME_MAX, so that
 * any name the file system takes can be written.
 */
static char *
temp_name_for(const char *target)
{
	const char *slash = strrchr(target, '/');
	const char *base = slash ? slash + 1 : target;
	size_t keep = strlen(base), room = NAME_MAX - 1 - strlen(TEMP_SUFFIX);
	char name[NAME_MAX + 1];

	if (keep > room)
		keep = room;
	snprintf(name, sizeof(name), ".%.*s%s", (int)keep, base, TEMP_SUFFIX);
	return beside(target, name);
}

static mode_t
creation_mode(void)
{
	mode_t mask = umask(0);

	umask(mask);
	return 0666 & ~mask;
}

/* Create and register the temporary file, with no signal in between. */
static int
create_temporary(struct bpr_output *o, struct bpr_err *e)
{
	sigset_t old;
	int saved;

	block_signals(&old);
	o->fd = mkstemp(o->tmp);
	saved = errno;
	if (o->fd >= 0 && register_temporary(o->tmp) < 0) {
		unlink(o->tmp);
		close(o->fd);
		o->fd = -1;
		saved = EMFILE;
	}
	restore_signals(&old);
	if (o->fd < 0) {
		free(o->tmp);
		o->tmp = NULL;
		return bpr_fail(e, "%s: cannot create: %s", o->path, saved == EMFILE ?
		    "too many outputs open at once" : strerror(saved));
	}
	return 0;
}

/* A new file gets the umask's mode; a replaced one keeps its own. */
static int
open_temporary(struct bpr_output *o, const struct stat *old, struct bpr_err *e)
{
	if ((o->tmp = temp_name_for(o->target)) == NULL)
		return bpr_fail(e, "%s: out of memory", o->path);
	if (create_temporary(o, e) < 0)
		return -1;
	if (old == NULL) {
		fchmod(o->fd, creation_mode());
		return 0;
	}
	/* root may own what it replaces for another user: keep the owner too */
	if ((old->st_uid != geteuid() || old->st_gid != getegid()) &&
	    fchown(o->fd, old->st_uid, old->st_gid) < 0)
		fchmod(o->fd, old->st_mode & 0777);
	else
		fchmod(o->fd, old->st_mode & 07777);
	return 0;
}

static int
open_target(struct bpr_output *o, const char *path, struct bpr_err *e)
{
	struct stat st;

	if (strcmp(path, "-") == 0) {
		o->fd = STDOUT_FILENO;
		return 0;
	}
	if (path[0] == '\0')
		return bpr_fail_usage(e, "an empty output file name");
	if ((o->target = output_target(path, e)) == NULL)
		return -1;
	if (stat(o->target, &st) < 0)
		return open_temporary(o, NULL, e);
	if (S_ISDIR(st.st_mode))
		return bpr_fail(e, "%s: is a directory", path);
	if (!S_ISREG(st.st_mode)) {
		if ((o->fd = open(path, O_WRONLY | O_TRUNC)) < 0)
			return bpr_fail(e, "%s: cannot open: %s", path, strerror(errno));
		return 0;
	}
	if (access(o->target, W_OK) < 0)
		return bpr_fail(e, "%s: cannot write: %s", path, strerror(errno));
	return open_temporary(o, &st, e);
}

int
output_open(struct bpr_output *o, const char *path, struct bpr_err *e)
{
	memset(o, 0, sizeof(*o));
	o->fd = -1;
	o->path = strdup(strcmp(path, "-") == 0 ? "stdout" : path);
	o->buf = malloc(OUTPUT_BUFFER);
	if (o->path == NULL || o->buf == NULL) {
		output_abort(o);
		return bpr_fail(e, "%s: out of memory", path);
	}
	o->cap = OUTPUT_BUFFER;
	if (open_target(o, path, e) < 0) {
		output_abort(o);
		return -1;
	}
	return 0;
}

/* Standard output, devices and FIFOs: written directly, no temporary file. */
static int
written_directly(const char *path)
{
	struct stat st;

	return strcmp(path, "-") == 0 ||
	    (stat(path, &st) == 0 && !S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode));
}

int
output_probe(const char *path, struct bpr_err *e)
{
	struct bpr_output o;

	if (path[0] != '\0' && written_directly(path))
		return 0;
	if (output_open(&o, path, e) < 0)
		return -1;
	output_abort(&o);
	return 0;
}

void
output_flush(struct bpr_output *o)
{
	size_t done = 0;
	ssize_t n;

	while (done < o->len && o->failed_errno == 0) {
		n = write(o->fd, o->buf + done, o->len - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			o->failed_errno = errno;
		else
			done += (size_t)n;
	}
	o->len = 0;
}

static void
release(struct bpr_output *o)
{
	if (o->fd > STDERR_FILENO)
		close(o->fd);
	o->fd = -1;
	free(o->tmp);
	free(o->target);
	free(o->path);
	free(o->buf);
	o->tmp = o->target = o->path = NULL;
	o->buf = NULL;
}

/* A renamed file survives a crash only once its directory is on disk too. */
static void
sync_directory(const char *target)
{
	char *dir = beside(target, ".");
	int fd = dir != NULL ? open(dir, O_RDONLY | O_DIRECTORY) : -1;

	if (fd >= 0) {
		fsync(fd);
		close(fd);
	}
	free(dir);
}

/* Rename into place and take the name off the registry, with no signal in between. */
static int
rename_temporary(struct bpr_output *o)
{
	sigset_t old;
	int rc;

	block_signals(&old);
	rc = rename(o->tmp, o->target);
	if (rc == 0)
		unregister_temporary(o->tmp);
	restore_signals(&old);
	return rc;
}

int
output_commit(struct bpr_output *o, int durable, struct bpr_err *e)
{
	output_flush(o);
	if (o->failed_errno == 0 && durable && o->tmp != NULL && fsync(o->fd) < 0)
		o->failed_errno = errno;
	if (o->fd > STDERR_FILENO && close(o->fd) < 0 && o->failed_errno == 0)
		o->failed_errno = errno;
	o->fd = -1;
	if (o->failed_errno == 0 && o->tmp != NULL && rename_temporary(o) < 0)
		o->failed_errno = errno;
	if (o->failed_errno != 0) {
		bpr_fail(e, "%s: write error: %s", o->path, strerror(o->failed_errno));
		output_abort(o);
		return -1;
	}
	if (durable && o->tmp != NULL)
		sync_directory(o->target);
	release(o);
	return 0;
}

void
output_abort(struct bpr_output *o)
{
	sigset_t old;

	if (o->fd > STDERR_FILENO)
		close(o->fd);
	o->fd = -1;
	if (o->tmp != NULL) {
		block_signals(&old);
		unlink(o->tmp);
		unregister_temporary(o->tmp);
		restore_signals(&old);
	}
	release(o);
}

void
output_u64(struct bpr_output *o, uint64_t v)
{
	char buf[24];

	output_write(o, buf, (size_t)format_u64(buf, v));
}

void
output_float(struct bpr_output *o, float v)
{
	char buf[40];

	output_write(o, buf, (size_t)format_float(buf, v));
}

void
output_printf(struct bpr_output *o, const char *fmt, ...)
{
	char small[512], *text = small;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(small, sizeof(small), fmt, ap);
	va_end(ap);
	if (n < 0) {
		/* a line that cannot be formatted fails the file, not just the line */
		if (o->failed_errno == 0)
			o->failed_errno = errno != 0 ? errno : EINVAL;
		return;
	}
	if ((size_t)n >= sizeof(small)) {
		if ((text = malloc((size_t)n + 1)) == NULL) {
			o->failed_errno = ENOMEM;
			return;
		}
		va_start(ap, fmt);
		vsnprintf(text, (size_t)n + 1, fmt, ap);
		va_end(ap);
	}
	output_write(o, text, (size_t)n);
	if (text != small)
		free(text);
}

void
output_double(struct bpr_output *o, double v)
{
	char buf[40];

	output_write(o, buf, (size_t)format_double(buf, v));
}
