#include "sample/source.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "io/mem.h"

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
sampled_epochs_open(struct sampled_epochs *d, struct bpr_input *in, const struct id_list *items,
    struct bpr_input *seen, const struct sampling *how, struct bpr_err *e)
{
	memset(d, 0, sizeof(*d));
	d->how = *how;
	if (positives_read_seen(&d->pos, in, items, seen, e) < 0)
		return -1;
	if (sampler_init(&d->sampler, &d->pos, how->neg, how->alpha, e) < 0 ||
	    epoch_gen_init(&d->gen, &d->pos, &d->sampler, how->seed, how->seen_rate, e) < 0) {
		sampled_epochs_close(d);
		return -1;
	}
	return 0;
}

void
sampled_epochs_close(struct sampled_epochs *d)
{
	epoch_gen_free(&d->gen);
	sampler_free(&d->sampler);
	positives_free(&d->pos);
}

int
source_open_sampler(struct triplet_source *s, struct bpr_input *in, const struct id_list *items,
    struct bpr_input *seen, const struct sampling *how, struct bpr_err *e)
{
	struct epoch_gen *g = &s->drawn.gen;

	memset(s, 0, sizeof(*s));
	s->internal = 1;
	if (sampled_epochs_open(&s->drawn, in, items, seen, how, e) < 0)
		return -1;
	if ((s->buf = mem_array(g->cap, sizeof(*s->buf), 0, "an epoch of triplets", e)) == NULL)
		return -1;
	s->cap = g->cap;
	epoch_gen_describe(g, how->seed, s->meta, sizeof(s->meta));
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
		epoch_begin(&s->drawn.gen);
		s->len = epoch_fill(&s->drawn.gen, s->buf, s->cap);
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
		sampled_epochs_close(&s->drawn);
	} else {
		triplets_close(&s->reader);
		input_close(s->in);
		s->in = NULL;
	}
	free(s->buf);
	s->buf = NULL;
}
