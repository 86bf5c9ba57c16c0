/*
 * The pairwise losses, as one table: each row names a loss of x =
 * s(u, pos) - s(u, neg), says what it is, and gives the function that
 * returns its value and its slope in x. The first row is the default.
 * A new loss is one function and one row.
 */
#ifndef BPR_LOSSES_H
#define BPR_LOSSES_H

#include "io/text.h"

struct loss {
	const char *name;
	const char *help;
	/* the loss of x (weighted, for a sampled loss) and its slope in x */
	void (*of)(float x, float weight, double *loss, float *slope);
	/*
	 * Negatives are drawn until one comes within the margin, and the loss
	 * weighted by the rank that the number of draws implies (WARP).
	 */
	int sampled;
};

extern const struct loss losses[];
/* The losses' names (and their help), in the table's order. */
extern const struct names loss_names;

#endif
