#include "source.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mem.h"

int
source_open_stream(struct triplet_source *s, struct bpr_input *in, struct bpr_err *e)
{
	memset(s, 0, sizeof(*s));
	s->in = in;
	if (triplets_open(&s->reader, in, e) < 0)
		return -1;
	s->epochs_announced = s->reader.epochs_announced;
	snprintf(s->meta, sizeof(s->meta), "%s", s->reader.meta);
	return 0;
}

int
source_open_sampler(struct triplet_source *s, struct bpr_input *in, struct bpr_input *items,
    struct bpr_input *seen, const struct sampling *how, struct bpr_err *e)
{
	memset(s, 0, sizeof(*s));
	s->internal = 1;
	if (positives_read_seen(&s->pos, in, items, seen, e) < 0)
		return -1;
	if (sampler_init(&s->sampler, &s->pos, how->neg, how->alpha, e) < 0 ||
	    epoch_gen_init(&s->gen, &s->pos, &s->sampler, how->seed, how->seen_rate, e) < 0)
		return -1;
	if ((s->buf = mem_array(s->gen.cap, sizeof(*s->buf), 0, "an epoch of triplets", e)) == NULL)
		return -1;
	s->cap = s->gen.cap;
	epoch_gen_describe(&s->gen, how->seed, input_name(in), seen ? input_name(seen) : NULL,
	    s->meta, sizeof(s->meta));
	return 0;
}

static int
read_stream_epoch(struct triplet_source *s, struct bpr_err *e)
{
	size_t got;
	int rc;

	s->len = 0;
	for (;;) {
		if (mem_grow(&s->buf, &s->cap, s->len + 65536, sizeof(*s->buf), "an epoch of triplets", e) < 0)
			return -1;
		rc = triplets_read(&s->reader, s->buf + s->len, s->cap - s->len, &got, e);
		if (rc < 0)
			return -1;
		s->len += got;
		if (rc == 2)
			return 1;
		if (rc == 0)
			return 0;
	}
}

int
source_next(struct triplet_source *s, struct bpr_err *e)
{
	int rc;

	if (s->internal) {
		epoch_begin(&s->gen);
		s->len = epoch_fill(&s->gen, s->buf, s->cap);
		s->epochs_read++;
		return 1;
	}
	if ((rc = read_stream_epoch(s, e)) == 1)
		s->epochs_read++;
	return rc;
}

void
source_close(struct triplet_source *s)
{
	if (s->internal) {
		epoch_gen_free(&s->gen);
		sampler_free(&s->sampler);
		positives_free(&s->pos);
	} else {
		triplets_close(&s->reader);
		input_close(s->in);
		s->in = NULL;
	}
	free(s->buf);
	s->buf = NULL;
}
