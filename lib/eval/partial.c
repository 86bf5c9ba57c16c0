/* Partial evaluations of shards, and their exact merge (partial.h). */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "data/sort.h"
#include "eval/partial.h"
#include "io/mem.h"
#include "io/parse.h"
#include "io/text.h"
#include "model/model.h"

#define PARTIAL_MAGIC "bprtools-auc-partial"
#define PARTIAL_VERSION 1
#define MAX_FIELDS (3 + METRIC_SLOTS)

/* Seventeen significant digits read back as the same double. */
static void
put_exact(struct bpr_output *o, double v)
{
	output_printf(o, "\t%.17g", v);
}

void
partial_add_input(struct partial *p, const char *role, uint32_t crc, uint64_t bytes)
{
	struct partial_input *x = &p->input[p->ninputs++];

	snprintf(x->role, sizeof(x->role), "%s", role);
	x->crc = crc;
	x->bytes = bytes;
}

void
partial_add_blend(struct partial *p, const struct blend *b)
{
	char text[BLEND_WEIGHTS_TEXT];
	uint32_t crc;
	uint64_t bytes;
	size_t k, n;

	for (k = 0; k < b->nparts; k++) {
		model_file_id(b->part[k].m, &crc, &bytes);
		partial_add_input(p, "model", crc, bytes);
	}
	blend_weights_text(b, text, sizeof(text));
	n = strlen(text);
	partial_add_input(p, "blend", (uint32_t)crc32(0L, (const Bytef *)text, (uInt)n), n);
}

int
partial_write(struct bpr_output *o, const struct partial *p, struct bpr_err *e)
{
	const struct eval_result *r = &p->result;
	size_t i, tu, n = 0;

	if (strpbrk(p->source, "\t\n") != NULL || strpbrk(p->test_name, "\t\n") != NULL)
		return bpr_fail_usage(e, "a partial cannot name a file whose name holds a TAB or a newline");
	output_printf(o, "%s\t%d\nshard\t%u\t%u\nsource\t%s\t%s\n", PARTIAL_MAGIC, PARTIAL_VERSION,
	    p->shard.index, p->shard.count, p->source, p->test_name);
	for (i = 0; i < p->ninputs; i++)
		output_printf(o, "input\t%s\t%08" PRIx32 "\t%" PRIu64 "\n", p->input[i].role,
		    p->input[i].crc, p->input[i].bytes);
	output_printf(o, "protocol\t%u\t%d\t%d\t%d\t%zu\t%zu\t%u\n", p->config.k,
	    (int)p->config.universe, p->excluded, p->from_scores, r->candidates, r->cold, r->max_id);
	output_printf(o, "counts\t%zu\t%zu\t%zu\t%zu\n", r->users_unknown, r->users_without,
	    r->positives, r->positives_unknown);
	for (tu = 0; tu < r->nusers; tu++) {
		if (isnan(r->user[tu].auc))
			continue;
		output_printf(o, "user\t%u", r->user_id[tu]);
		put_exact(o, r->user[tu].auc);
		for (i = 0; i < metric_count; i++)
			put_exact(o, r->user[tu].value[i]);
		output_char(o, '\n');
		n++;
	}
	output_printf(o, "end\t%zu\n", n);
	return 0;
}

void
partial_free(struct partial *p)
{
	free(p->source);
	free(p->test_name);
	eval_result_free(&p->result);
	memset(p, 0, sizeof(*p));
}

/* Eight hex digits. */
static int
parse_crc(const char *s, size_t len, uint32_t *out)
{
	uint32_t v = 0;
	size_t i;

	if (len != 8)
		return -1;
	for (i = 0; i < len; i++) {
		int c = s[i], d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
		if (d < 0)
			return -1;
		v = v << 4 | (uint32_t)d;
	}
	*out = v;
	return 0;
}

void
partial_print(struct bpr_output *o, const struct partial *p)
{
	const struct eval_result *r = &p->result;
	char protocol[512];
	size_t i;

	eval_protocol(r, &p->config, p->excluded, p->from_scores, protocol, sizeof(protocol));
	output_printf(o, "# %s on %s; %s\nauc\t%.6f\n", p->source, p->test_name, protocol, r->auc);
	for (i = 0; p->config.k > 0 && i < metric_count; i++) {
		output_printf(o, "%s", metrics[i].name);
		if (metrics[i].at_k)
			output_printf(o, "@%u", p->config.k);
		output_printf(o, "\t%.6f\n", r->value[i]);
	}
}

void
partial_print_per_user(struct bpr_output *o, const struct partial *p)
{
	const struct eval_result *r = &p->result;
	size_t i;

	for (i = 0; i < r->nusers; i++)
		if (!isnan(r->user[i].auc))
			output_printf(o, "%u\t%.6f\n", r->user_id[i], r->user[i].auc);
}

/* Reading: one line's fields, checked against what the line should hold. */
struct reader {
	struct bpr_input *in;
	struct field f[MAX_FIELDS + 1];
	size_t nf;
	size_t user_cap, id_cap;
	struct bpr_err *e;
};

static int
bad(struct reader *rd, const char *what)
{
	return bpr_fail_at(rd->e, input_name(rd->in), input_lineno(rd->in),
	    "not a partial of auc --shard, or one cut short: %s", what);
}

static int
is_key(const struct reader *rd, const char *key)
{
	return rd->f[0].len == strlen(key) && memcmp(rd->f[0].s, key, rd->f[0].len) == 0;
}

/* The next line, which must start with key and hold nf fields (0: any). */
static int
next_line(struct reader *rd, const char *key, size_t nf)
{
	char what[64];
	char *line;
	size_t len;
	int rc;

	if ((rc = input_line(rd->in, &line, &len, rd->e)) < 0)
		return -1;
	if (rc == 0)
		return bpr_fail(rd->e, "%s: cut short before its %s line (was its shard stopped "
		    "while writing?)", input_name(rd->in), key);
	rd->nf = split_fields(line, len, "\t", 1, rd->f, MAX_FIELDS + 1);
	if (key == NULL)
		return 0;
	snprintf(what, sizeof(what), "expected a %s line", key);
	if (!is_key(rd, key))
		return bad(rd, what);
	if (nf > 0 && rd->nf != nf)
		return bad(rd, "a line with another number of fields than this version writes");
	return 0;
}

static int
field_u64(struct reader *rd, size_t i, uint64_t max, uint64_t *out)
{
	const char *why;

	if (parse_u64(rd->f[i].s, rd->f[i].len, out, &why) < 0 || *out > max)
		return bad(rd, "a count that is not one");
	return 0;
}

static int
field_size(struct reader *rd, size_t i, size_t *out)
{
	uint64_t v;

	if (field_u64(rd, i, SIZE_MAX, &v) < 0)
		return -1;
	*out = (size_t)v;
	return 0;
}

static int
field_double(struct reader *rd, size_t i, double *out)
{
	const char *why;

	if (parse_double(rd->f[i].s, rd->f[i].len, out, &why) < 0)
		return bad(rd, "a metric that is not a number");
	return 0;
}

static char *
field_copy(struct reader *rd, size_t i)
{
	char *s = mem_array(rd->f[i].len + 1, 1, 0, "a partial", rd->e);

	if (s != NULL) {
		memcpy(s, rd->f[i].s, rd->f[i].len);
		s[rd->f[i].len] = '\0';
	}
	return s;
}

static int
read_head(struct reader *rd, struct partial *p)
{
	uint64_t v[2];

	if (next_line(rd, PARTIAL_MAGIC, 2) < 0 || field_u64(rd, 1, UINT32_MAX, &v[0]) < 0)
		return -1;
	if (v[0] != PARTIAL_VERSION)
		return bad(rd, "another version of the format");
	if (next_line(rd, "shard", 3) < 0 || field_u64(rd, 1, SHARD_MAX, &v[0]) < 0 ||
	    field_u64(rd, 2, SHARD_MAX, &v[1]) < 0)
		return -1;
	if (v[1] == 0 || v[0] >= v[1])
		return bad(rd, "a shard outside 0 <= I < N");
	p->shard.index = (uint32_t)v[0];
	p->shard.count = (uint32_t)v[1];
	if (next_line(rd, "source", 3) < 0 || (p->source = field_copy(rd, 1)) == NULL ||
	    (p->test_name = field_copy(rd, 2)) == NULL)
		return -1;
	return 0;
}

static int
read_input(struct reader *rd, struct partial *p)
{
	struct partial_input *x = &p->input[p->ninputs];
	if (p->ninputs == PARTIAL_MAX_INPUTS || rd->f[1].len >= sizeof(x->role) || rd->nf != 4)
		return bad(rd, "an input line this version does not write");
	memcpy(x->role, rd->f[1].s, rd->f[1].len);
	x->role[rd->f[1].len] = '\0';
	if (parse_crc(rd->f[2].s, rd->f[2].len, &x->crc) < 0 ||
	    field_u64(rd, 3, UINT64_MAX, &x->bytes) < 0)
		return bad(rd, "an input without its CRC and size");
	p->ninputs++;
	return 0;
}

static int
read_protocol(struct reader *rd, struct partial *p)
{
	struct eval_result *r = &p->result;
	uint64_t v[5];

	if (rd->nf != 8 || field_u64(rd, 1, UINT32_MAX, &v[0]) < 0 ||
	    field_u64(rd, 2, UNIVERSE_ALL_IDS, &v[1]) < 0 || field_u64(rd, 3, 1, &v[2]) < 0 ||
	    field_u64(rd, 4, 1, &v[3]) < 0 || field_size(rd, 5, &r->candidates) < 0 ||
	    field_size(rd, 6, &r->cold) < 0 || field_u64(rd, 7, UINT32_MAX, &v[4]) < 0)
		return rd->nf != 8 ? bad(rd, "a protocol line this version does not write") : -1;
	p->config.k = (uint32_t)v[0];
	p->config.universe = (enum universe_kind)v[1];
	p->excluded = (int)v[2];
	p->from_scores = (int)v[3];
	r->max_id = (uint32_t)v[4];
	if (next_line(rd, "counts", 5) < 0 || field_size(rd, 1, &r->users_unknown) < 0 ||
	    field_size(rd, 2, &r->users_without) < 0 || field_size(rd, 3, &r->positives) < 0 ||
	    field_size(rd, 4, &r->positives_unknown) < 0)
		return -1;
	return 0;
}

/* One user line into the next slot of p's result, ids ascending. */
static int
read_user(struct reader *rd, struct partial *p)
{
	struct eval_result *r = &p->result;
	struct user_metrics um = { 0 };
	uint64_t id;
	size_t i;

	if (rd->nf != 3 + metric_count)
		return bad(rd, "a user line with another number of metrics than this version's");
	if (field_u64(rd, 1, UINT32_MAX, &id) < 0 || field_double(rd, 2, &um.auc) < 0)
		return -1;
	for (i = 0; i < metric_count; i++)
		if (field_double(rd, 3 + i, &um.value[i]) < 0)
			return -1;
	if (r->nusers > 0 && id <= r->user_id[r->nusers - 1])
		return bad(rd, "user ids not ascending");
	if (!shard_has(&p->shard, (uint32_t)id))
		return bad(rd, "a user of another shard");
	if (mem_grow(&r->user, &rd->user_cap, r->nusers + 1, sizeof(*r->user), "a partial",
	    rd->e) < 0 || mem_grow(&r->user_id, &rd->id_cap, r->nusers + 1, sizeof(*r->user_id),
	    "a partial", rd->e) < 0)
		return -1;
	r->user[r->nusers] = um;
	r->user_id[r->nusers++] = (uint32_t)id;
	return 0;
}

/* The user lines, then the end line that counts them. */
static int
read_users(struct reader *rd, struct partial *p)
{
	size_t n;

	for (;;) {
		if (next_line(rd, NULL, 0) < 0)
			return -1;
		if (is_key(rd, "end"))
			break;
		if (!is_key(rd, "user"))
			return bad(rd, "expected a user or end line");
		if (read_user(rd, p) < 0)
			return -1;
	}
	if (rd->nf != 2 || field_size(rd, 1, &n) < 0 || n != p->result.nusers)
		return bad(rd, "the end line does not count the user lines");
	p->result.users = n;
	return 0;
}

int
partial_read(struct bpr_input *in, struct partial *p, struct bpr_err *e)
{
	struct reader rd = { .in = in, .e = e };
	char *line;
	size_t len;
	int rc;

	memset(p, 0, sizeof(*p));
	if (read_head(&rd, p) < 0 || next_line(&rd, NULL, 0) < 0)
		goto fail;
	while (is_key(&rd, "input"))
		if (read_input(&rd, p) < 0 || next_line(&rd, NULL, 0) < 0)
			goto fail;
	if (!is_key(&rd, "protocol")) {
		bad(&rd, "expected an input or protocol line");
		goto fail;
	}
	if (read_protocol(&rd, p) < 0 || read_users(&rd, p) < 0)
		goto fail;
	if ((rc = input_line(in, &line, &len, e)) != 0) {
		if (rc > 0)
			bad(&rd, "a line after the end line");
		goto fail;
	}
	return 0;
fail:
	partial_free(p);
	return -1;
}

/* What differs between the inputs or settings of two partials, or NULL. */
static const char *
difference(const struct partial *a, const struct partial *b)
{
	const struct eval_result *x = &a->result, *y = &b->result;
	size_t i;

	if (a->shard.count != b->shard.count)
		return "number of shards";
	for (i = 0; i < a->ninputs && i < b->ninputs; i++)
		if (strcmp(a->input[i].role, b->input[i].role) != 0)
			return "set of inputs";
		else if (a->input[i].crc != b->input[i].crc || a->input[i].bytes != b->input[i].bytes)
			return a->input[i].role;
	if (a->ninputs != b->ninputs)
		return "set of inputs";
	if (a->config.k != b->config.k || a->config.universe != b->config.universe ||
	    a->excluded != b->excluded || a->from_scores != b->from_scores ||
	    x->candidates != y->candidates || x->cold != y->cold || x->max_id != y->max_id)
		return "protocol (-k, --items, --compat or --exclude)";
	return NULL;
}

/* The partial that most agree with (a majority vote), so the odd one out is named. */
static size_t
reference(const struct partial *p, size_t n)
{
	size_t i, best = 0, votes = 0;

	for (i = 0; i < n; i++) {
		if (votes == 0)
			best = i;
		votes += difference(&p[i], &p[best]) == NULL ? 1 : (size_t)-1;
	}
	for (i = 0; difference(&p[i], &p[best]) != NULL; i++)
		;
	return i;	/* the first of the majority, to name in messages */
}

/* Every shard 0..N-1 exactly once, all of the same inputs and settings. */
static int
check_shards(const struct partial *p, size_t n, const char *const *names, size_t ref,
    struct bpr_err *e)
{
	uint32_t count = p[ref].shard.count, k;
	size_t *given = mem_array(count, sizeof(size_t), 1, "the merge", e);
	const char *what;
	size_t i;

	if (given == NULL)
		return -1;
	for (i = 0; i < n; i++) {
		if ((what = difference(&p[i], &p[ref])) != NULL) {
			bpr_fail(e, "%s: of another %s than %s (another file, or the file changed since)",
			    names[i], what, names[ref]);
			goto fail;
		}
		k = p[i].shard.index;
		if (given[k] > 0) {
			bpr_fail(e, "%s: shard %u/%u given twice (also as %s)", names[i], k, count,
			    names[given[k] - 1]);
			goto fail;
		}
		given[k] = i + 1;
	}
	for (k = 0; k < count; k++)
		if (given[k] == 0) {
			bpr_fail(e, "shard %u/%u is missing: no partial of it was given", k, count);
			goto fail;
		}
	free(given);
	return 0;
fail:
	free(given);
	return -1;
}

/* The counts and names of out from the partials; the first shard's names. */
static int
merge_heads(struct partial *p, size_t n, struct partial *out, struct bpr_err *e)
{
	struct eval_result *r = &out->result;
	size_t i, first = 0;

	for (i = 0; i < n; i++) {
		first = p[i].shard.index == 0 ? i : first;
		r->users_unknown += p[i].result.users_unknown;
		r->users_without += p[i].result.users_without;
		r->positives += p[i].result.positives;
		r->positives_unknown += p[i].result.positives_unknown;
		r->nusers += p[i].result.nusers;
	}
	r->candidates = p[first].result.candidates;
	r->cold = p[first].result.cold;
	r->max_id = p[first].result.max_id;
	memcpy(out->input, p[first].input, sizeof(out->input));
	out->ninputs = p[first].ninputs;
	out->config = p[first].config;
	out->excluded = p[first].excluded;
	out->from_scores = p[first].from_scores;
	out->source = p[first].source;
	out->test_name = p[first].test_name;
	p[first].source = p[first].test_name = NULL;
	r->user = mem_array(r->nusers + 1, sizeof(*r->user), 0, "the merge", e);
	r->user_id = mem_array(r->nusers + 1, sizeof(*r->user_id), 0, "the merge", e);
	return r->user != NULL && r->user_id != NULL ? 0 : -1;
}

/*
 * Every user's metrics in ascending id, summed in that order as one run
 * sums them: the same additions, so the same bits.
 */
static int
merge_users(struct partial *p, size_t n, struct eval_result *r, struct bpr_err *e)
{
	uint64_t *key = mem_array(r->nusers + 1, sizeof(uint64_t), 0, "the merge", e);
	uint64_t *tmp = mem_array(r->nusers + 1, sizeof(uint64_t), 0, "the merge", e);
	size_t *next = mem_array(n, sizeof(size_t), 1, "the merge", e);
	size_t i, j, m = 0;

	if (key == NULL || tmp == NULL || next == NULL) {
		free(key);
		free(tmp);
		free(next);
		return -1;
	}
	for (i = 0; i < n; i++)
		for (j = 0; j < p[i].result.nusers; j++)
			key[m++] = (uint64_t)p[i].result.user_id[j] << 32 | i;
	radix_sort_u64(key, tmp, m);
	for (j = 0; j < m; j++) {
		struct partial *q = &p[key[j] & 0xffffffffu];
		r->user_id[j] = (uint32_t)(key[j] >> 32);
		r->user[j] = q->result.user[next[key[j] & 0xffffffffu]++];
		eval_add_user(r, j, &r->user[j], 0);
	}
	eval_finish(r);
	free(key);
	free(tmp);
	free(next);
	return 0;
}

int
partial_merge(struct partial *p, size_t n, const char *const *names, struct partial *out,
    struct bpr_err *e)
{
	size_t ref = reference(p, n);

	memset(out, 0, sizeof(*out));
	if (check_shards(p, n, names, ref, e) < 0 || merge_heads(p, n, out, e) < 0 ||
	    merge_users(p, n, &out->result, e) < 0) {
		partial_free(out);
		return -1;
	}
	return 0;
}
