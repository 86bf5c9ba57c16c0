#include "sample/triplets.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "io/filekind.h"
#include "io/parse.h"
#include "io/text.h"

#define RECORD_SIZE 12

_Static_assert(sizeof(struct triplet) == RECORD_SIZE, "struct triplet must be 3 packed u32");
#define MAX_META (1u << 20)

static void
put_le32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)v;
	p[1] = (unsigned char)(v >> 8);
	p[2] = (unsigned char)(v >> 16);
	p[3] = (unsigned char)(v >> 24);
}

static uint32_t
get_le32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

void
triplets_write_header(struct triplet_writer *w, struct bpr_output *out, int tsv,
    uint32_t epochs, const char *meta)
{
	unsigned char h[12];
	size_t len = strlen(meta);

	memset(w, 0, sizeof(*w));
	w->out = out;
	w->tsv = tsv;
	if (tsv) {
		output_printf(out, "%s v%d epochs=%u %s\n", TRIPLETS_TSV_HEADER, TRIPLETS_VERSION,
		    epochs, meta);
		return;
	}
	output_write(out, TRIPLETS_MAGIC, MAGIC_LEN);
	put_le32(h, TRIPLETS_VERSION);
	put_le32(h + 4, epochs);
	put_le32(h + 8, (uint32_t)len);
	output_write(out, h, sizeof(h));
	output_write(out, meta, len);
}

static void
write_record(struct bpr_output *out, uint32_t a, uint32_t b, uint32_t c)
{
	unsigned char r[RECORD_SIZE];

	put_le32(r, a);
	put_le32(r + 4, b);
	put_le32(r + 8, c);
	output_write(out, r, sizeof(r));
}

void
triplets_write(struct triplet_writer *w, const struct triplet *t, size_t n)
{
	size_t i;

#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	/* struct triplet is three u32 without padding: already the record layout. */
	if (!w->tsv) {
		output_write(w->out, t, n * sizeof(*t));
		w->in_epoch += n;
		return;
	}
#endif
	for (i = 0; i < n; i++) {
		if (w->tsv) {
			output_u64(w->out, t[i].user);
			output_char(w->out, '\t');
			output_u64(w->out, t[i].pos);
			output_char(w->out, '\t');
			output_u64(w->out, t[i].neg);
			output_char(w->out, '\n');
		} else {
			write_record(w->out, t[i].user, t[i].pos, t[i].neg);
		}
	}
	w->in_epoch += n;
}

int
triplets_end_epoch(struct triplet_writer *w, struct bpr_err *e)
{
	if (w->in_epoch > UINT32_MAX)
		return bpr_fail(e, "an epoch of more than %u triplets cannot be streamed", UINT32_MAX);
	w->epoch++;
	if (w->tsv)
		output_printf(w->out, "#epoch %u %llu\n", w->epoch, (unsigned long long)w->in_epoch);
	else
		write_record(w->out, TRIPLET_MARKER, w->epoch, (uint32_t)w->in_epoch);
	w->in_epoch = 0;
	return 0;
}

static int
open_binary(struct triplet_reader *r, struct bpr_err *e)
{
	unsigned char h[MAGIC_LEN + 12];
	uint32_t version, len;

	if (input_read(r->in, h, sizeof(h), e) != (long)sizeof(h))
		return bpr_fail_at(e, input_name(r->in), 0, "truncated triplet stream header");
	version = get_le32(h + MAGIC_LEN);
	if (version != TRIPLETS_VERSION)
		return bpr_fail_at(e, input_name(r->in), 0,
		    "triplet stream version %u; this program reads version %d", version, TRIPLETS_VERSION);
	r->epochs_announced = get_le32(h + MAGIC_LEN + 4);
	len = get_le32(h + MAGIC_LEN + 8);
	if (len > MAX_META)
		return bpr_fail_at(e, input_name(r->in), 0, "corrupt triplet stream header");
	if ((r->meta = malloc(len + 1)) == NULL)
		return bpr_fail(e, "out of memory");
	if (input_read(r->in, r->meta, len, e) != (long)len)
		return bpr_fail_at(e, input_name(r->in), 0, "truncated triplet stream header");
	r->meta[len] = '\0';
	return 0;
}

/* "#bprtools-triplets v1 epochs=N META": the same metadata as a binary header. */
static int
open_tsv(struct triplet_reader *r, struct bpr_err *e)
{
	unsigned long long epochs = 0;
	char *line, *meta;
	size_t len;
	int used = 0;

	r->tsv = 1;
	if (input_line(r->in, &line, &len, e) <= 0)
		return -1;
	if (sscanf(line + strlen(TRIPLETS_TSV_HEADER), " v%*u epochs=%llu %n", &epochs, &used) < 1 ||
	    used == 0)
		return bpr_fail_at(e, input_name(r->in), 1, "malformed triplet stream header "
		    "(expected \"%s v1 epochs=N ...\")", TRIPLETS_TSV_HEADER);
	meta = line + strlen(TRIPLETS_TSV_HEADER) + used;
	r->epochs_announced = epochs > UINT32_MAX ? 0 : (uint32_t)epochs;
	r->meta = strdup(meta);
	return r->meta ? 0 : bpr_fail(e, "out of memory");
}

int
triplets_open(struct triplet_reader *r, struct bpr_input *in, struct bpr_err *e)
{
	const unsigned char *p;
	size_t n;
	enum file_kind k;

	memset(r, 0, sizeof(*r));
	r->in = in;
	if (input_peek(in, 512, &p, &n, e) < 0)
		return -1;
	k = sniff_kind(p, n);
	if (k == KIND_TRIPLETS_BINARY || k == KIND_TRIPLETS_TSV) {
		if ((k == KIND_TRIPLETS_BINARY ? open_binary(r, e) : open_tsv(r, e)) == 0)
			return 0;
		triplets_close(r);
		return -1;
	}
	if (k == KIND_TEXT) {
		/* Hand-written "user<TAB>pos<TAB>neg" without a header. */
		r->tsv = 1;
		r->meta = strdup("");
		return r->meta ? 0 : bpr_fail(e, "out of memory");
	}
	return bpr_fail_at(e, input_name(in), 0, "is %s, not a triplet stream "
	    "(expected the binary stream of triplet-sample, or user<TAB>pos<TAB>neg lines)",
	    k == KIND_EMPTY ? "empty" : file_kind_name(k));
}

void
triplets_close(struct triplet_reader *r)
{
	free(r->meta);
	r->meta = NULL;
}

static int
end_of_stream(struct triplet_reader *r, struct bpr_err *e)
{
	if (r->in_epoch > 0 && (!r->tsv || r->saw_marker))
		return bpr_fail_at(e, input_name(r->in), 0,
		    "truncated triplet stream: epoch %u has %llu triplets and no end marker",
		    r->epoch + 1, (unsigned long long)r->in_epoch);
	if (r->in_epoch > 0)
		return 2;	/* TSV without markers: the input is one epoch */
	if (r->epochs_announced != 0 && r->epoch < r->epochs_announced)
		return bpr_fail_at(e, input_name(r->in), 0,
		    "truncated triplet stream: %u of %u epoch%s", r->epoch, r->epochs_announced,
		    PLURAL(r->epochs_announced));
	if (r->epoch == 0)
		return bpr_fail_at(e, input_name(r->in), 0, "the triplet stream holds no triplets");
	return 0;
}

static int
check_marker(struct triplet_reader *r, uint64_t epoch, uint64_t count, long line,
    struct bpr_err *e)
{
	if (epoch != (uint64_t)r->epoch + 1 || count != r->in_epoch)
		return bpr_fail_at(e, input_name(r->in), line,
		    "corrupt triplet stream: end of epoch %llu with %llu triplets, "
		    "but this is epoch %u with %llu", (unsigned long long)epoch,
		    (unsigned long long)count, r->epoch + 1, (unsigned long long)r->in_epoch);
	r->epoch++;
	r->in_epoch = 0;
	r->saw_marker = 1;
	return 2;
}

static int
read_binary(struct triplet_reader *r, struct triplet *out, size_t max, size_t *got,
    struct bpr_err *e)
{
	const unsigned char *p;
	size_t avail, k;

	*got = 0;
	while (*got < max) {
		if (input_peek(r->in, RECORD_SIZE * (max - *got < 65536 ? max - *got : 65536),
		    &p, &avail, e) < 0)
			return -1;
		if (avail < RECORD_SIZE) {
			if (avail > 0)
				return bpr_fail_at(e, input_name(r->in), 0,
				    "truncated triplet stream (a partial record at the end)");
			return *got > 0 ? 1 : end_of_stream(r, e);
		}
		for (k = 0; k + RECORD_SIZE <= avail && *got < max; k += RECORD_SIZE) {
			uint32_t a = get_le32(p + k), b = get_le32(p + k + 4), c = get_le32(p + k + 8);
			r->record++;
			if (a == TRIPLET_MARKER) {
				input_skip(r->in, k + RECORD_SIZE);
				return check_marker(r, b, c, 0, e);
			}
			if (a > BPR_ID_MAX || b > BPR_ID_MAX || c > BPR_ID_MAX)
				return bpr_fail_at(e, input_name(r->in), 0,
				    "corrupt triplet stream: record %llu has an id beyond 2147483647",
				    (unsigned long long)r->record);
			out[*got].user = a;
			out[*got].pos = b;
			out[*got].neg = c;
			(*got)++;
			r->in_epoch++;
		}
		input_skip(r->in, k);
	}
	return 1;
}

static int
parse_marker(struct triplet_reader *r, const char *line, size_t len, struct bpr_err *e)
{
	struct field f[4];
	uint64_t epoch, count;
	const char *why;

	if (split_fields(line, len, " ", 1, f, 4) != 3 ||
	    parse_u64(f[1].s, f[1].len, &epoch, &why) < 0 ||
	    parse_u64(f[2].s, f[2].len, &count, &why) < 0)
		return bpr_fail_at(e, input_name(r->in), input_lineno(r->in),
		    "malformed epoch marker (expected \"#epoch N COUNT\")");
	return check_marker(r, epoch, count, input_lineno(r->in), e);
}

static int
parse_triplet_line(struct triplet_reader *r, char *line, size_t len, struct triplet *t,
    struct bpr_err *e)
{
	static const char *const what[] = { "user", "positive item", "negative item" };
	struct field f[3];
	uint32_t v[3];
	const char *why;
	size_t nf = split_fields(line, len, "\t", 1, f, 3), i;

	if (nf != 3)
		return bpr_fail_at(e, input_name(r->in), input_lineno(r->in),
		    "%zu field%s, expected 3 (user<TAB>pos<TAB>neg)", nf, PLURAL(nf));
	for (i = 0; i < 3; i++)
		if (parse_id(f[i].s, f[i].len, &v[i], &why) < 0)
			return bpr_fail_at(e, input_name(r->in), input_lineno(r->in), "%s id '%.*s' %s",
			    what[i], field_show(&f[i]), why);
	t->user = v[0];
	t->pos = v[1];
	t->neg = v[2];
	return 0;
}

static int
read_tsv(struct triplet_reader *r, struct triplet *out, size_t max, size_t *got,
    struct bpr_err *e)
{
	char *line;
	size_t len;
	int rc;

	*got = 0;
	while (*got < max) {
		if ((rc = input_line(r->in, &line, &len, e)) < 0)
			return -1;
		if (rc == 0)
			return *got > 0 ? 1 : end_of_stream(r, e);
		if (strncmp(line, "#epoch ", 7) == 0)
			return parse_marker(r, line, len, e);
		if (is_comment_or_blank(line, len))
			continue;
		if (parse_triplet_line(r, line, len, &out[*got], e) < 0)
			return -1;
		(*got)++;
		r->in_epoch++;
	}
	return 1;
}

int
triplets_read(struct triplet_reader *r, struct triplet *out, size_t max, size_t *got,
    struct bpr_err *e)
{
	int rc = r->tsv ? read_tsv(r, out, max, got, e) : read_binary(r, out, max, got, e);

	/* TSV without markers: the end of input closes its only epoch. */
	if (rc == 2 && r->tsv && !r->saw_marker) {
		r->epoch++;
		r->in_epoch = 0;
	}
	return rc;
}
