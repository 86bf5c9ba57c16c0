/*
 * ml-synth: a synthetic MovieLens-shaped data set for benchmarks, made
 * with our own seeded generator (MovieLens itself may not be shipped).
 * Shaped like ml-25m by default: 162,541 users, 59,047 items, 25,000,095
 * ratings in ratings.csv layout (sorted by user, then item), item
 * popularity and user activity Zipf-like with exponent 1, half-star
 * ratings distributed like ml-25m's, sparse movie ids up to 209,171; and
 * a movies.csv with quoted titles and 1-6 of 19 genres per movie.
 *
 * By default a user's items follow popularity alone: no model can rank
 * better than popularity does. With -p (planted) they follow a planted
 * model a recommender can find: each item belongs to one of `dim` topics,
 * each user weighs the topics by softmax(g / temperature) with g standard
 * normal per user and topic, and a user's items are drawn by topic, then
 * by popularity within it. In factor terms the planted scores are rank
 * dim (a user's vector its topic weights, an item's its topic's indicator,
 * times the item's popularity); a low temperature concentrates a user on
 * few topics, a high one spreads it over all, leaving no structure.
 *
 * usage: ml-synth [-p | --planted] [-d | --dim dim] [-t | --temperature T]
 *                 [-u users] [-i items] [-r ratings] [-s seed] dir
 */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "data/rng.h"
#include "data/sort.h"
#include "io/err.h"
#include "io/output.h"
#include "sample/sampler.h"

#define MIN_PER_USER 20
#define ZIPF_OFFSET 100.0	/* Zipf-Mandelbrot q: caps the head near real data */
#define MAX_ITEM_ID_FACTOR 3.5425	/* ml-25m: 209171 ids for 59047 movies */

static const char *const genres[19] = {
	"Action", "Adventure", "Animation", "Children", "Comedy", "Crime", "Documentary",
	"Drama", "Fantasy", "Film-Noir", "Horror", "IMAX", "Musical", "Mystery", "Romance",
	"Sci-Fi", "Thriller", "War", "Western",
};

/* ml-25m's share of each half star 0.5..5, in per mille. */
static const int star_share[10] = { 16, 31, 16, 66, 50, 196, 126, 266, 85, 148 };

static void
die(const char *msg)
{
	fprintf(stderr, "ml-synth: %s\n", msg);
	exit(1);
}

static void *
xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size);

	if (p == NULL)
		die("out of memory");
	return p;
}

/* Ratings per user: 20 + a Zipf-Mandelbrot share of the rest, summing exactly. */
static uint32_t *
user_counts(size_t users, size_t items, uint64_t total)
{
	uint32_t *n = xcalloc(users, sizeof(*n));
	double h = 0, extra = (double)total - (double)users * MIN_PER_USER;
	uint64_t sum = 0;
	size_t u;

	for (u = 0; u < users; u++)
		h += 1 / (u + 1 + ZIPF_OFFSET);
	for (u = 0; u < users; u++) {
		double share = extra / ((u + 1 + ZIPF_OFFSET) * h);
		n[u] = MIN_PER_USER + (uint32_t)share;
		if (n[u] > items * 2 / 3)
			n[u] = (uint32_t)(items * 2 / 3);
		sum += n[u];
	}
	for (u = 0; sum < total; u = (u + 1) % users) {
		if (n[u] < items * 2 / 3) {
			n[u]++;
			sum++;
		}
	}
	return n;
}

/* Random distinct movie ids 1..max, in random order: rank -> id. */
static uint32_t *
movie_ids(size_t items, struct bpr_rng *rng)
{
	uint32_t max = (uint32_t)(items * MAX_ITEM_ID_FACTOR), *ids, i, j, t;
	uint32_t *all = xcalloc(max, sizeof(*all));

	for (i = 0; i < max; i++)
		all[i] = i + 1;
	for (i = 0; i < items; i++) {	/* partial Fisher-Yates */
		j = i + rng_below(rng, max - i);
		t = all[i];
		all[i] = all[j];
		all[j] = t;
	}
	ids = xcalloc(items, sizeof(*ids));
	memcpy(ids, all, items * sizeof(*ids));
	free(all);
	return ids;
}

static double
half_star(struct bpr_rng *rng)
{
	int r = (int)rng_below(rng, 1000), k = 0;

	while (k < 9 && r >= star_share[k])
		r -= star_share[k++];
	return 0.5 * (k + 1);
}

/* The planted model (-p): topics of items, and a user's weights on them. */
struct planted {
	size_t dim;		/* 0: no planted model, popularity alone */
	double temperature;
	uint32_t **member;	/* each topic's item ranks */
	size_t *members;
	struct alias_table *within;	/* each topic's items by popularity */
	double *weight;		/* the current user's topic weights, summing to 1 */
};

static double
normal(struct bpr_rng *rng)
{
	double u = rng_double(rng), v = rng_double(rng);

	return sqrt(-2 * log(u > 0 ? u : 1e-300)) * cos(2 * M_PI * v);
}

static void
planted_init(struct planted *pl, size_t items, const double *pop, struct bpr_rng *rng)
{
	struct bpr_err e;
	uint32_t *topic = xcalloc(items, sizeof(*topic));
	double *w = xcalloc(items, sizeof(*w));
	size_t k, t, n;

	pl->member = xcalloc(pl->dim, sizeof(*pl->member));
	pl->members = xcalloc(pl->dim, sizeof(*pl->members));
	pl->within = xcalloc(pl->dim, sizeof(*pl->within));
	pl->weight = xcalloc(pl->dim, sizeof(*pl->weight));
	for (k = 0; k < items; k++)	/* every topic gets items: k % dim, then shuffled */
		topic[k] = (uint32_t)(k % pl->dim);
	for (k = items - 1; k > 0; k--) {
		uint32_t j = rng_below(rng, (uint32_t)k + 1), x = topic[k];
		topic[k] = topic[j];
		topic[j] = x;
	}
	for (t = 0; t < pl->dim; t++) {
		pl->member[t] = xcalloc(items / pl->dim + 1, sizeof(**pl->member));
		for (n = 0, k = 0; k < items; k++)
			if (topic[k] == t) {
				w[n] = pop[k];
				pl->member[t][n++] = (uint32_t)k;
			}
		pl->members[t] = n;
		if (alias_init(&pl->within[t], w, n, &e) < 0)
			die(e.msg);
	}
	free(topic);
	free(w);
}

static void
planted_free(struct planted *pl)
{
	size_t t;

	for (t = 0; t < pl->dim; t++) {
		free(pl->member[t]);
		alias_free(&pl->within[t]);
	}
	free(pl->member);
	free(pl->members);
	free(pl->within);
	free(pl->weight);
}

/* A new user's topic weights: softmax of normal draws over the temperature. */
static void
planted_user(struct planted *pl, struct bpr_rng *rng)
{
	double sum = 0, top = -HUGE_VAL;
	size_t t;

	for (t = 0; t < pl->dim; t++) {
		pl->weight[t] = normal(rng) / pl->temperature;
		top = pl->weight[t] > top ? pl->weight[t] : top;
	}
	for (t = 0; t < pl->dim; t++)
		sum += pl->weight[t] = exp(pl->weight[t] - top);
	for (t = 0; t < pl->dim; t++)
		pl->weight[t] /= sum;
}

/* An item rank drawn from the current user's planted preferences. */
static uint32_t
planted_draw(const struct planted *pl, struct bpr_rng *rng)
{
	double r = rng_double(rng);
	size_t t = 0;

	while (t + 1 < pl->dim && r >= pl->weight[t])
		r -= pl->weight[t++];
	return pl->member[t][alias_draw(&pl->within[t], rng)];
}

/*
 * n distinct item ranks drawn by popularity, or by the planted model
 * (then uniformly if slow: a user asking for more items than its topics
 * easily give).
 */
static void
draw_items(struct bpr_rng *rng, const struct alias_table *pop, const struct planted *pl,
    uint32_t *marks, uint32_t mark, size_t items, uint32_t n, uint32_t *out)
{
	uint64_t tries = 0;
	uint32_t got = 0, k;

	while (got < n) {
		if (tries++ < 20ull * n)
			k = pl->dim > 0 ? planted_draw(pl, rng) : alias_draw(pop, rng);
		else
			k = rng_below(rng, (uint32_t)items);
		if (marks[k] != mark) {
			marks[k] = mark;
			out[got++] = k;
		}
	}
}

static void
write_ratings(const char *dir, size_t users, size_t items, uint64_t total,
    uint64_t seed, struct planted *pl)
{
	struct bpr_rng rng;
	struct alias_table pop;
	struct bpr_output o;
	struct bpr_err e;
	uint32_t *count = user_counts(users, items, total), *ids, *marks, *picked;
	double *w = xcalloc(items, sizeof(*w));
	char path[4096];
	size_t u, k;

	rng_seed(&rng, seed, 7, 0);
	ids = movie_ids(items, &rng);
	marks = xcalloc(items, sizeof(*marks));
	picked = xcalloc(items, sizeof(*picked));
	for (k = 0; k < items; k++)
		w[k] = 1 / (k + 1 + ZIPF_OFFSET);
	if (alias_init(&pop, w, items, &e) < 0)
		die(e.msg);
	if (pl->dim > 0)
		planted_init(pl, items, w, &rng);
	snprintf(path, sizeof(path), "%s/ratings.csv", dir);
	if (output_open(&o, path, &e) < 0)
		die(e.msg);
	output_str(&o, "userId,movieId,rating,timestamp\n");
	for (u = 0; u < users; u++) {
		int64_t t = 789652009 + (int64_t)rng_below(&rng, 780000000);
		if (pl->dim > 0)
			planted_user(pl, &rng);
		draw_items(&rng, &pop, pl, marks, (uint32_t)u + 1, items, count[u], picked);
		for (k = 0; k < count[u]; k++)
			picked[k] = ids[picked[k]];
		sort_u32(picked, count[u]);
		for (k = 0; k < count[u]; k++) {
			t += rng_below(&rng, 5000);
			output_u64(&o, u + 1);
			output_char(&o, ',');
			output_u64(&o, picked[k]);
			output_char(&o, ',');
			output_double(&o, half_star(&rng));
			output_char(&o, ',');
			output_u64(&o, (uint64_t)t);
			output_char(&o, '\n');
		}
	}
	if (output_commit(&o, 0, &e) < 0)
		die(e.msg);
	free(count);
	free(ids);
	free(marks);
	free(picked);
	free(w);
	alias_free(&pop);
}

static void
write_movies(const char *dir, size_t items, uint64_t seed)
{
	struct bpr_rng rng;
	struct bpr_output o;
	struct bpr_err e;
	uint32_t *ids;
	char path[4096];
	size_t i;
	int k, n, g, used[19];

	rng_seed(&rng, seed, 7, 0);
	ids = movie_ids(items, &rng);	/* the same ids as the ratings */
	sort_u32(ids, items);
	rng_seed(&rng, seed, 8, 0);
	snprintf(path, sizeof(path), "%s/movies.csv", dir);
	if (output_open(&o, path, &e) < 0)
		die(e.msg);
	output_str(&o, "movieId,title,genres\n");
	for (i = 0; i < items; i++) {
		int year = 1920 + (int)rng_below(&rng, 100);
		if (rng_below(&rng, 4) == 0)
			output_printf(&o, "%u,\"Synthetic Movie %u, The (%d)\",", ids[i], ids[i], year);
		else
			output_printf(&o, "%u,Synthetic Movie %u (%d),", ids[i], ids[i], year);
		memset(used, 0, sizeof(used));
		n = 1 + (int)rng_below(&rng, 6);
		for (k = 0; k < n; k++) {
			do
				g = (int)rng_below(&rng, 19);
			while (used[g]);
			used[g] = 1;
			output_printf(&o, "%s%s", k ? "|" : "", genres[g]);
		}
		output_char(&o, '\n');
	}
	if (output_commit(&o, 0, &e) < 0)
		die(e.msg);
	free(ids);
}

#define USAGE "usage: ml-synth [-p | --planted] [-d | --dim dim] [-t | --temperature T] " \
	"[-u users] [-i items>=100] " \
	"[-r ratings] [-s seed] dir (20 <= ratings per user <= items/2; dim <= items/10)"

int
main(int argc, char **argv)
{
	size_t users = 162541, items = 59047, dim = 32;
	uint64_t total = 25000095, seed = 1;
	struct planted pl = { .temperature = 0.5 };
	int c, planted = 0;

	static const struct option longopts[] = {
		{ "planted", no_argument, NULL, 'p' },
		{ "dim", required_argument, NULL, 'd' },
		{ "temperature", required_argument, NULL, 't' },
		{ NULL, 0, NULL, 0 },
	};

	while ((c = getopt_long(argc, argv, "pd:t:u:i:r:s:", longopts, NULL)) != -1) {
		switch (c) {
		case 'p': planted = 1; break;
		case 'd': dim = strtoul(optarg, NULL, 10); break;
		case 't': pl.temperature = strtod(optarg, NULL); break;
		case 'u': users = strtoul(optarg, NULL, 10); break;
		case 'i': items = strtoul(optarg, NULL, 10); break;
		case 'r': total = strtoull(optarg, NULL, 10); break;
		case 's': seed = strtoull(optarg, NULL, 10); break;
		default:
			fprintf(stderr, "%s\n", USAGE);
			return 2;
		}
	}
	if (optind != argc - 1 || users == 0 || items < 100 ||
	    total < (uint64_t)users * MIN_PER_USER || total > (uint64_t)users * items / 2 ||
	    dim < 1 || dim > items / 10 || !(pl.temperature > 0))
		die(USAGE);
	pl.dim = planted ? dim : 0;
	write_ratings(argv[optind], users, items, total, seed, &pl);
	write_movies(argv[optind], items, seed);
	planted_free(&pl);
	return 0;
}
