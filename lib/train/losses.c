#include "train/losses.h"

#include <math.h>

static float
sigmoid(float x)
{
	return 1.0f / (1.0f + expf(-x));
}

/* The notebook's: 1 - sigmoid(x). */
static void
notebook(float x, float weight, double *loss, float *slope)
{
	float sg = sigmoid(x);

	(void)weight;
	*loss = 1.0 - sg;
	*slope = -sg * (1.0f - sg);
}

/* BPR's -ln sigmoid(x) = ln(1 + e^-x), computed without overflow. */
static void
bpr(float x, float weight, double *loss, float *slope)
{
	float sg = sigmoid(x);

	(void)weight;
	*loss = x > 0 ? log1p(exp(-(double)x)) : -(double)x + log1p(exp((double)x));
	*slope = -(1.0f - sg);
}

/* The margin's hinge max(0, 1 - x), times the weight: WARP's rank weight, or 1. */
static void
hinge(float x, float weight, double *loss, float *slope)
{
	*loss = x < 1 ? (double)weight * (1 - (double)x) : 0;
	*slope = x < 1 ? -weight : 0;
}

const struct loss losses[] = {
	{ "notebook", "1 - sigmoid(x) (the default)", notebook, 0 },
	{ "bpr", "-ln sigmoid(x)", bpr, 0 },
	{ "warp", "L(rank) max(0, 1 - x), drawing negatives\nuntil one comes within the margin "
	    "(Weston et\nal. 2011)", hinge, 1 },
	{ "hinge", "max(0, 1 - x), the margin loss of many pairwise\nrankers", hinge, 0 },
};

const struct names loss_names = { &losses[0].name, sizeof(losses) / sizeof(losses[0]),
	sizeof(losses[0]), &losses[0].help };
