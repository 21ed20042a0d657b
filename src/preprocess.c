/*
 * preprocess.c: makes a hard scan readable before Tesseract sees it.
 *
 * Office scans come upside down or sideways, a few degrees askew, on
 * yellowed or shadowed paper, speckled, with a black band where the
 * scanner lid was open, at 150 dpi, with a red seal or a blue signature
 * across the text.  Each of these costs Tesseract words or the whole page.
 * preprocess_run() turns one decoded page into two images of the same size
 * and geometry:
 *
 *  - the image to recognise: grey, coloured ink (seals, signatures) made
 *    paper, scaled up when the scan is coarse, dark borders removed,
 *    background flattened to white, turned upright and level, despeckled,
 *    and binarised if the profile asks (grey read better, so by default
 *    Tesseract gets grey);
 *  - the image to show in the searchable PDF: the scan itself, only scaled,
 *    turned and levelled exactly like the first, so that the text layer
 *    Tesseract writes from the first lies on the words of the second.
 *
 * Geometry (scale, quarter turns, the skew rotation) is applied to both in
 * the same order with the same Leptonica calls; everything else works pixel
 * by pixel on the first alone.  Every step is a profile switch.  Orientation
 * uses Leptonica's ascender/descender test (pixOrientDetect), which costs a
 * few milliseconds where Tesseract's OSD costs a fifth of a second, and
 * which was right on every page we tried, where OSD wanted to turn one
 * upright real scan upside down.  When that test is unsure, the page is
 * read both ways up and Tesseract's confidence decides.
 *
 * Runs in worker processes, on untrusted images: sizes are bounded by
 * image.c, and any Leptonica failure is a plain error, never a crash.  A
 * Leptonica call returns NULL both when memory runs out and when it cannot
 * work on the image it was given (one too small for its filter, say); only
 * errno tells them apart, so each step starts with errno cleared and the
 * error names the step, and memory only when malloc said so.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <leptonica/allheaders.h>

#include "sohoa.h"

#define PREPROCESS_TARGET_DPI	300	/* coarse scans are scaled up to this */
#define PREPROCESS_MAX_SCALE	4.0
#define PREPROCESS_SKEW_RANGE	10.0	/* degrees searched either way */
#define PREPROCESS_MIN_SKEW	1.5	/* Tesseract copes with less itself */
#define PREPROCESS_MIN_SKEW_CONF 3.0	/* Leptonica's confidence scale */

static const char *const preprocess_step_names[] = {
	"suppress_seals", "upscale", "normalize_background", "remove_borders",
	"orientation", "deskew", "binarize", "despeckle", "denoise"
};

void
preprocess_defaults(struct preprocess_opts *o)
{
	memset(o, 0, sizeof *o);	/* padding too: options are compared whole */
	o->enabled = 1;
	o->orientation = 1;
	o->deskew = 1;
	o->normalize_background = 1;
	o->binarize = 0;	/* Tesseract reads our clean grey better */
	o->despeckle = 1;
	o->remove_borders = 1;
	o->suppress_seals = 1;
	o->upscale_below_dpi = 250;
	o->reader = NULL;
}

json_t *
preprocess_opts_json(const struct preprocess_opts *o)
{
	return json_pack("{s:b, s:b, s:b, s:b, s:b, s:b, s:b, s:b, s:i}",
	    "enabled", o->enabled, "orientation", o->orientation,
	    "deskew", o->deskew, "normalize_background",
	    o->normalize_background, "binarize", o->binarize,
	    "despeckle", o->despeckle, "remove_borders", o->remove_borders,
	    "suppress_seals", o->suppress_seals, "upscale_below_dpi",
	    o->upscale_below_dpi);
}

/* A key missing from the job keeps its default: jobs from an older parent. */
void
preprocess_opts_from_json(const json_t *j, struct preprocess_opts *o)
{
	json_t *v;

	preprocess_defaults(o);
	if (!json_is_object(j))
		return;
#define PREPROCESS_BOOL(k) \
	if ((v = json_object_get(j, #k)) != NULL && json_is_boolean(v)) \
		o->k = json_is_true(v)
	PREPROCESS_BOOL(enabled);
	PREPROCESS_BOOL(orientation);
	PREPROCESS_BOOL(deskew);
	PREPROCESS_BOOL(normalize_background);
	PREPROCESS_BOOL(binarize);
	PREPROCESS_BOOL(despeckle);
	PREPROCESS_BOOL(remove_borders);
	PREPROCESS_BOOL(suppress_seals);
#undef PREPROCESS_BOOL
	if ((v = json_object_get(j, "upscale_below_dpi")) != NULL &&
	    json_is_integer(v) && json_integer_value(v) >= 0 &&
	    json_integer_value(v) <= 2400)
		o->upscale_below_dpi = (int)json_integer_value(v);
}

static double
preprocess_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void
preprocess_did(struct preprocess_page *pg, enum preprocess_step s)
{
	pg->steps |= 1u << s;
}

/* Replaces *pp by q (which may be *pp itself, cloned); NULL q is an error. */
static int
preprocess_swap(PIX **pp, PIX *q)
{
	if (q == NULL)
		return -1;
	pixDestroy(pp);
	*pp = q;
	return 0;
}

/*
 * Colour to grey, with seals and signatures made paper.  A pixel is its
 * luminance, unless its colour is clearly red or blue: then it is its
 * brightest channel (a red seal is bright in red, a blue signature in
 * blue), pushed further towards white by how saturated it is.  So the
 * stroke of a seal vanishes while black text under it, which stays dark in
 * every channel, survives.  When the page's own text is blue (or red) ink,
 * that colour is left alone: the count of dark pixels by colour decides.
 * (The brightest channel for every pixel, which also whitens yellowed
 * paper, cost a character here and there on clean pages.)
 */
/* The kinds of pixel preprocess_drop_colour() tells apart. */
enum preprocess_hue {
	PREPROCESS_PAPER,
	PREPROCESS_NEUTRAL,	/* black to grey ink */
	PREPROCESS_RED,
	PREPROCESS_BLUE,
	PREPROCESS_OTHER	/* yellow, brown, green: paper and aged ink */
};

/* Sorts one RGB pixel; *mx is its brightest channel, *c its saturation. */
static enum preprocess_hue
preprocess_hue(l_uint32 *px, int *mx, int *c)
{
	int r = GET_DATA_BYTE(px, COLOR_RED);
	int g = GET_DATA_BYTE(px, COLOR_GREEN);
	int b = GET_DATA_BYTE(px, COLOR_BLUE);
	int mn = r < g ? (r < b ? r : b) : (g < b ? g : b);

	*mx = r > g ? (r > b ? r : b) : (g > b ? g : b);
	*c = *mx - mn;
	if (*mx > 200 && *c < 60)
		return PREPROCESS_PAPER;
	if (*c < 40)
		return PREPROCESS_NEUTRAL;
	if (r == *mx && r - g > *c * 6 / 10)
		return PREPROCESS_RED;
	if (b == *mx && b - r > *c / 2)
		return PREPROCESS_BLUE;
	return PREPROCESS_OTHER;
}

static PIX *
preprocess_drop_colour(PIX *pix, int suppress, int *dropped)
{
	l_uint32 *line, *dline, *px, *data = pixGetData(pix), *ddata;
	l_int32 w = pixGetWidth(pix), h = pixGetHeight(pix);
	l_int32 wpl = pixGetWpl(pix), dwpl, x, y;
	size_t count[PREPROCESS_OTHER + 1] = { 0 };
	int drop_red, drop_blue, mx, c, v;
	enum preprocess_hue hue;
	PIX *pixd;

	*dropped = 0;
	if ((pixd = pixCreate(w, h, 8)) == NULL)
		return NULL;
	pixCopyResolution(pixd, pix);
	ddata = pixGetData(pixd);
	dwpl = pixGetWpl(pixd);
	/* Which colours are the page's own ink: every fourth pixel tells. */
	for (y = 0; suppress && y < h; y += 2) {
		line = data + (size_t)y * wpl;
		for (x = 0; x < w; x += 2)
			count[preprocess_hue(line + x, &mx, &c)]++;
	}
	drop_red = suppress && count[PREPROCESS_RED] > 0 &&
	    count[PREPROCESS_RED] < count[PREPROCESS_NEUTRAL];
	drop_blue = suppress && count[PREPROCESS_BLUE] > 0 &&
	    count[PREPROCESS_BLUE] < count[PREPROCESS_NEUTRAL];
	for (y = 0; y < h; y++) {
		line = data + (size_t)y * wpl;
		dline = ddata + (size_t)y * dwpl;
		for (x = 0; x < w; x++) {
			px = line + x;
			hue = preprocess_hue(px, &mx, &c);
			if ((hue == PREPROCESS_RED && drop_red) ||
			    (hue == PREPROCESS_BLUE && drop_blue))
				v = mx + c - 40;
			else	/* luminance */
				v = (GET_DATA_BYTE(px, COLOR_RED) * 77 +
				    GET_DATA_BYTE(px, COLOR_GREEN) * 150 +
				    GET_DATA_BYTE(px, COLOR_BLUE) * 29) >> 8;
			SET_DATA_BYTE(dline, x, v > 255 ? 255 : v);
		}
	}
	*dropped = drop_red || drop_blue;
	return pixd;
}

/*
 * Flattens the paper to white: shadows, yellowing, uneven lighting.  The
 * background is estimated by a grey closing big enough to swallow strokes
 * (about 1/5 inch), on a 4x reduced image, then divided out; a wide black
 * band at the edge counts as background and goes too.
 */
static PIX *
preprocess_flatten(PIX *gray, int dpi)
{
	int size = dpi / 20;
	PIX *norm;

	if (size % 2 == 0)
		size++;
	if (size < 7)
		size = 7;
	if ((norm = pixBackgroundNormMorph(gray, NULL, 4, size, 230)) == NULL)
		return NULL;
	/* Ink that faded with the paper is dark again; paper is white. */
	pixGammaTRC(norm, norm, 1.0, 40, 220);
	return norm;
}

/*
 * Dark regions that touch the edge of the page and are large (a tenth of
 * the page in width or height) are the scanner's, not the document's: a
 * lid left open, the edge of a book.  Only their solid part, what survives
 * an opening wider than any stroke, becomes paper, so text that runs into
 * a dark edge keeps its letters.
 */
static int
preprocess_clear_borders(PIX *gray, int dpi, int *cleared)
{
	l_int32 w = pixGetWidth(gray), h = pixGetHeight(gray);
	PIX *dark = NULL, *inner = NULL, *edge = NULL, *big = NULL;
	int k = dpi / 20 | 1;
	l_int32 empty = 1;
	int rc = -1;

	*cleared = 0;
	if ((dark = pixThresholdToBinary(gray, 70)) == NULL)
		goto out;
	if ((inner = pixRemoveBorderConnComps(dark, 8)) == NULL)
		goto out;
	if ((edge = pixXor(NULL, dark, inner)) == NULL)
		goto out;
	if ((big = pixSelectBySize(edge, w / 10, h / 10, 8, L_SELECT_IF_EITHER,
	    L_SELECT_IF_GTE, NULL)) == NULL)
		goto out;
	pixZero(big, &empty);
	if (!empty) {
		pixOpenBrick(big, big, k, k);
		pixZero(big, &empty);
	}
	if (!empty) {
		/* and the grey fringe where the band meets the paper */
		pixDilateBrick(big, big, k, k);
		pixSetMasked(gray, big, 255);
		*cleared = 1;
	}
	rc = 0;
out:
	pixDestroy(&dark);
	pixDestroy(&inner);
	pixDestroy(&edge);
	pixDestroy(&big);
	return rc;
}

/*
 * Specks.  A speckled page is one where dots of a pixel or two are more
 * than two per square inch (a clean scan has a handful) and more than a
 * third of all the marks on the page.  It loses every mark smaller than
 * half the height of a typical letter (at most 1/30 inch) that is not
 * within half that height (at most 1/20 inch) of larger ink: diacritics
 * (the dot of nặng, the hook of hỏi, a tone mark stacked over a circumflex
 * on a capital) are as small but sit on or over their letter, while dust
 * lies in the margins and between the lines.  (A fifth of the height, at
 * most 1/60 inch, took the marks off capitals such as ỦY and QUẬN: CER 0.053
 * instead of 0.004 on the lightly noisy fixture pages.)
 * Sizes follow the letters, not the resolution the file claims: a 70 dpi
 * photo that says 300 has letters a quarter of the size.  The typical
 * height is the median weighted by area, so that thousands of specks do
 * not outvote the letters.  A clean page is
 * left alone: there the same rule would take full stops and dots from
 * beside wide gaps, and the odd lone dot does Tesseract no harm.
 */
static PIX *
preprocess_despeckle(PIX *bin, int dpi, int *removed)
{
	int tiny = dpi / 150, s, near, specks = 0;
	PIX *big = NULL, *mask = NULL, *small = NULL, *out = NULL;
	BOXA *boxa = NULL;
	l_int32 i, n, bw, bh, n0 = 0, n1 = 0;
	l_int32 ph = pixGetHeight(bin);
	double sqin, area = 0, sum = 0, *byheight;
	int letter = 0;

	*removed = 0;
	if (tiny < 2)
		tiny = 2;
	byheight = xcalloc((size_t)ph + 1, sizeof *byheight);
	if ((boxa = pixConnCompBB(bin, 8)) == NULL)
		goto out;
	n = boxaGetCount(boxa);
	for (i = 0; i < n; i++) {
		if (boxaGetBoxGeometry(boxa, i, NULL, NULL, &bw, &bh) != 0)
			continue;
		if (bw <= tiny && bh <= tiny)
			specks++;
		area += (double)bw * bh;
		byheight[bh <= ph ? bh : ph] += (double)bw * bh;
	}
	sqin = (double)pixGetWidth(bin) * ph / ((double)dpi * dpi);
	if (specks <= 2 * sqin || specks * 3 <= n) {
		out = pixClone(bin);
		goto out;
	}
	while (letter < ph && sum + byheight[letter] < area / 2)
		sum += byheight[letter++];
	s = letter / 2 < dpi / 30 ? letter / 2 : dpi / 30;
	near = letter / 2 < dpi / 20 ? letter / 2 : dpi / 20;
	if (s < tiny)
		s = tiny;
	if (near < 1)
		near = 1;
	if ((big = pixSelectBySize(bin, s, s, 8, L_SELECT_IF_EITHER,
	    L_SELECT_IF_GT, NULL)) == NULL)
		goto out;
	if ((mask = pixDilateBrick(NULL, big, 2 * near + 1, 2 * near + 1)) ==
	    NULL || (small = pixSubtract(NULL, bin, big)) == NULL)
		goto out;
	pixCountPixels(small, &n0, NULL);
	pixAnd(small, small, mask);
	pixCountPixels(small, &n1, NULL);
	out = pixOr(NULL, big, small);
	*removed = n1 < n0;
out:
	boxaDestroy(&boxa);
	free(byheight);
	pixDestroy(&big);
	pixDestroy(&mask);
	pixDestroy(&small);
	return out;
}

/*
 * Dense impulse noise ("salt and pepper": lone black and white pixels all
 * over the page, as a faulty scanner or a fax line leaves) hides the
 * letters from Tesseract, which then drops two words in three.  It is told
 * by its lone dark pixels: darker by more than PREPROCESS_IMPULSE_DIFF
 * levels than each of their eight neighbours.  Ink never makes one, not
 * even at 100 dpi where strokes are a pixel wide (a stroke pixel has stroke
 * on either side); noise at a few percent makes thousands.  Every other
 * pixel of every other row is looked at; the share of lone pixels, in
 * parts per ten thousand, is returned.  (The share of pixels far from the
 * median of their neighbourhood, the usual test, is 2-3 % on real 100 dpi
 * photos of clean pages too: their one-pixel strokes count.)  Measured:
 * 350-360 on the noisy rendered pages, at most 2 on every other page,
 * rendered or real.
 */
#define PREPROCESS_IMPULSE_DIFF	100
#define PREPROCESS_IMPULSE_DENSE 50	/* per 10^4 pixels */

static int
preprocess_impulses(PIX *gray)
{
	l_uint32 *data = pixGetData(gray), *l0, *l1, *l2;
	l_int32 w = pixGetWidth(gray), h = pixGetHeight(gray);
	l_int32 wpl = pixGetWpl(gray), x, y;
	size_t seen = 0, lone = 0;
	int k, c, v[9];

	for (y = 1; y + 1 < h; y += 2) {
		l0 = data + (size_t)(y - 1) * wpl;
		l1 = l0 + wpl;
		l2 = l1 + wpl;
		for (x = 1; x + 1 < w; x += 2) {
			seen++;
			if ((c = GET_DATA_BYTE(l1, x)) >
			    255 - PREPROCESS_IMPULSE_DIFF)
				continue;
			for (k = 0; k < 3; k++) {
				v[k] = GET_DATA_BYTE(l0, x - 1 + k);
				v[3 + k] = GET_DATA_BYTE(l1, x - 1 + k);
				v[6 + k] = GET_DATA_BYTE(l2, x - 1 + k);
			}
			for (k = 0; k < 9; k++)
				if (k != 4 && v[k] - c <= PREPROCESS_IMPULSE_DIFF)
					break;
			if (k == 9)
				lone++;
		}
	}
	return seen == 0 ? 0 : (int)(lone * 10000 / seen);
}

int
preprocess_impulse_dense(struct Pix *gray)
{
	return pixGetDepth(gray) == 8 && pixGetColormap(gray) == NULL &&
	    preprocess_impulses(gray) >= PREPROCESS_IMPULSE_DENSE;
}

/*
 * Each impulse becomes the median of its neighbourhood, and only the
 * impulses: the rest of the page, soft stroke edges included, keeps its
 * grey.  Noise dense enough leaves clusters a first pass turns into new
 * impulses, hence a second pass.
 */
static PIX *
preprocess_unimpulse(PIX *gray)
{
	l_uint32 *g, *m;
	l_int32 w = pixGetWidth(gray), h = pixGetHeight(gray), x, y;
	PIX *out, *med = NULL;
	int pass, d;

	if ((out = pixCopy(NULL, gray)) == NULL)
		return NULL;
	for (pass = 0; pass < 2; pass++) {
		if ((med = pixMedianFilter(out, 3, 3)) == NULL) {
			pixDestroy(&out);
			return NULL;
		}
		for (y = 0; y < h; y++) {
			g = pixGetData(out) + (size_t)y * pixGetWpl(out);
			m = pixGetData(med) + (size_t)y * pixGetWpl(med);
			for (x = 0; x < w; x++) {
				d = GET_DATA_BYTE(g, x) - GET_DATA_BYTE(m, x);
				if (d > PREPROCESS_IMPULSE_DIFF ||
				    d < -PREPROCESS_IMPULSE_DIFF)
					SET_DATA_BYTE(g, x, GET_DATA_BYTE(m, x));
			}
		}
		pixDestroy(&med);
	}
	return out;
}

/* A binary image for finding orientation and skew, at most about 300 dpi. */
static PIX *
preprocess_probe(PIX *gray, int dpi)
{
	PIX *bin, *red;

	if ((bin = pixThresholdToBinary(gray, 160)) == NULL)
		return NULL;
	if (dpi >= 450) {
		red = pixReduceRankBinary2(bin, 1, NULL);
		pixDestroy(&bin);
		bin = red;
	}
	return bin;
}

/*
 * Quarter turns clockwise that make the page upright, 0 when unsure.  The
 * test counts ascenders against descenders, both ways, on the page at
 * about 300 dpi (at 150 dpi, halved, it could not decide on our pages).
 * When it is unsure, *lean is the way its counts lean, if that is not
 * upright and they lean at all (PREPROCESS_ORIENT_LEAN on Leptonica's
 * scale, where 8 decides): a page with too little text for the test, or
 * whose upright and upside-down counts are both high (a birth extract
 * upside down: -8.7 against -4.1), for a second opinion to settle.
 */
#define PREPROCESS_ORIENT_LEAN	3.0

static int
preprocess_orientation(PIX *probe, int *lean)
{
	l_float32 up = 0, left = 0;
	l_int32 orient = L_TEXT_ORIENT_UNKNOWN;

	*lean = 0;
	if (pixOrientDetect(probe, &up, &left, 0, 0) != 0 ||
	    makeOrientDecision(up, left, 0, 0, &orient, 0) != 0)
		return 0;
	switch (orient) {
	case L_TEXT_ORIENT_LEFT:
		return 1;
	case L_TEXT_ORIENT_DOWN:
		return 2;
	case L_TEXT_ORIENT_RIGHT:
		return 3;
	case L_TEXT_ORIENT_UP:
		return 0;
	}
	if (fabs(up) >= fabs(left)) {
		if (up <= -PREPROCESS_ORIENT_LEAN)
			*lean = 2;
	} else if (left >= PREPROCESS_ORIENT_LEAN)
		*lean = 1;
	else if (left <= -PREPROCESS_ORIENT_LEAN)
		*lean = 3;
	return 0;
}

#define PREPROCESS_ORIENT_MARGIN 15

/* The middle half of the page, top to bottom: enough lines to judge by. */
static PIX *
preprocess_band(PIX *pix)
{
	l_int32 w = pixGetWidth(pix), h = pixGetHeight(pix);
	BOX *box;
	PIX *band;

	if ((box = boxCreate(0, h / 4, w, h / 2 > 0 ? h / 2 : 1)) == NULL)
		return NULL;
	band = pixClipRectangle(pix, box, NULL);
	boxDestroy(&box);
	return band;
}

/*
 * The second opinion: the middle of the page is read as it came and turned
 * the way the test leaned, and the turn is kept only when its reading is
 * clearly the more confident (PREPROCESS_ORIENT_MARGIN points of
 * Tesseract's mean word confidence: an upside-down birth extract reads at
 * 37 as it came and 93 turned; a sideways second page 39 and 95).  Returns
 * the quarter turns to make, or -1 on error.
 */
static int
preprocess_second_opinion(struct ocr *reader, PIX *gray, int dpi, int lean,
    struct preprocess_page *pg, char *err)
{
	PIX *turned = NULL, *a = NULL, *b = NULL;

	errno = 0;
	if ((turned = pixRotateOrth(gray, lean)) == NULL ||
	    (a = preprocess_band(gray)) == NULL ||
	    (b = preprocess_band(turned)) == NULL) {
		snprintf(err, ERRMAX, errno == ENOMEM ? "not enough memory to "
		    "turn the page for a second opinion" : "Leptonica could not "
		    "turn the page for a second opinion");
		pixDestroy(&turned);
		pixDestroy(&a);
		return -1;
	}
	pg->asked = lean;
	pg->conf_upright = ocr_confidence(reader, a, dpi, err);
	pg->conf_turned = pg->conf_upright < 0 ? -1 :
	    ocr_confidence(reader, b, dpi, err);
	pixDestroy(&turned);
	pixDestroy(&a);
	pixDestroy(&b);
	if (pg->conf_turned < 0)
		return -1;
	return pg->conf_turned >= pg->conf_upright + PREPROCESS_ORIENT_MARGIN ?
	    lean : 0;
}

/* The angle in degrees that levels the text, 0 when it is level or unsure. */
static double
preprocess_skew(PIX *probe)
{
	l_float32 angle = 0, conf = 0;

	if (pixFindSkewSweepAndSearch(probe, &angle, &conf, 4, 2,
	    PREPROCESS_SKEW_RANGE, 1.0, 0.01) != 0)
		return 0;
	if (conf < PREPROCESS_MIN_SKEW_CONF ||
	    fabs(angle) < PREPROCESS_MIN_SKEW)
		return 0;
	return angle;
}

/* The same turn for both images: quarter turns, then the small angle. */
static int
preprocess_turn(PIX **pp, int quads, double degrees)
{
	if (quads != 0 && preprocess_swap(pp, pixRotateOrth(*pp, quads)) == -1)
		return -1;
	if (degrees == 0)
		return 0;
	/* The fast colour rotation: the same geometry, half the time. */
	if (pixGetDepth(*pp) == 32)
		return preprocess_swap(pp, pixRotateAMColorFast(*pp,
		    degrees * M_PI / 180.0, 0xffffff00));
	if (preprocess_swap(pp, pixRotate(*pp, degrees * M_PI / 180.0,
	    L_ROTATE_AREA_MAP, L_BRING_IN_WHITE, 0, 0)) == -1)
		return -1;
	return 0;
}

/* What preprocess_run() is doing, for its error; malloc sets errno anew. */
static const char *
preprocess_step(const char *what)
{
	errno = 0;
	return what;
}

/*
 * Read as text, a QR code gives a line or two of junk ("II TnnzEHfdiif
 * 244L]") at the top of every page that carries one; where a code was
 * decoded, it is made paper, with a margin of a tenth of its size for the
 * quiet zone.  Two-dimensional codes only: a barcode's digits under its
 * bars are text.
 */
static void
preprocess_blank_codes(PIX *gray, const json_t *codes)
{
	const json_t *c;
	const char *format;
	size_t i;
	int l, t, w, h, m;
	BOX *box;

	json_array_foreach(codes, i, c) {
		format = json_string_value(json_object_get(c, "format"));
		if (format == NULL || (strcmp(format, "QRCode") != 0 &&
		    strcmp(format, "MicroQRCode") != 0 &&
		    strcmp(format, "DataMatrix") != 0 &&
		    strcmp(format, "Aztec") != 0))
			continue;
		l = (int)json_integer_value(json_object_get(c, "left"));
		t = (int)json_integer_value(json_object_get(c, "top"));
		w = (int)json_integer_value(json_object_get(c, "width"));
		h = (int)json_integer_value(json_object_get(c, "height"));
		if (w < 16 || h < 16)
			continue;
		m = (w > h ? w : h) / 10;
		if ((box = boxCreate(l - m, t - m, w + 2 * m, h + 2 * m)) == NULL)
			continue;
		pixSetInRect(gray, box);	/* all ones: white */
		boxDestroy(&box);
	}
}

int
preprocess_run(const struct preprocess_opts *o, struct Pix *pix, int dpi,
    struct preprocess_page *pg, char *err)
{
	PIX *gray = NULL, *show = NULL, *probe = NULL, *bin = NULL, *tmp;
	double t0 = preprocess_now(), scale = 1.0, angle = 0;
	int quads = 0, lean = 0, flag, rc = -1, saved;
	const char *step;

	memset(pg, 0, sizeof *pg);
	pg->dpi = dpi;
	pg->scale = 1.0;
	if (!o->enabled) {
		pg->ocr = pixClone(pix);
		pg->show = pixClone(pix);
		return 0;
	}
	/* Colour to grey; 1 bpp and colormapped pages become grey too. */
	step = preprocess_step("make the page grey");
	if (pixGetDepth(pix) == 32) {
		gray = preprocess_drop_colour(pix, o->suppress_seals, &flag);
		if (flag)
			preprocess_did(pg, PREPROCESS_SUPPRESS_SEALS);
	} else
		gray = pixConvertTo8(pix, 0);
	if (gray == NULL)
		goto fail;
	show = pixClone(pix);
	preprocess_blank_codes(gray, o->codes);

	/* Before scaling up, which would make each impulse a blot. */
	if (o->despeckle) {
		step = preprocess_step("clear impulse noise");
		pg->impulses = preprocess_impulses(gray);
		if (pg->impulses >= PREPROCESS_IMPULSE_DENSE) {
			if (preprocess_swap(&gray, preprocess_unimpulse(gray)) == -1)
				goto fail;
			preprocess_did(pg, PREPROCESS_DENOISE);
		}
	}

	if (o->upscale_below_dpi > 0 && dpi < o->upscale_below_dpi) {
		step = preprocess_step("scale the page up");
		scale = (double)PREPROCESS_TARGET_DPI / dpi;
		if (scale > PREPROCESS_MAX_SCALE)
			scale = PREPROCESS_MAX_SCALE;
		if (preprocess_swap(&gray, pixScale(gray, scale, scale)) ==
		    -1 || preprocess_swap(&show, pixScale(show, scale,
		    scale)) == -1)
			goto fail;
		/* Grey and 1 bpp scaling round alike; make sure of it. */
		if ((pixGetWidth(show) != pixGetWidth(gray) ||
		    pixGetHeight(show) != pixGetHeight(gray)) &&
		    preprocess_swap(&show, pixScaleToSize(show,
		    pixGetWidth(gray), pixGetHeight(gray))) == -1)
			goto fail;
		pg->dpi = (int)lround(dpi * scale);
		pg->scale = scale;
		preprocess_did(pg, PREPROCESS_UPSCALE);
	}
	if (o->remove_borders) {
		step = preprocess_step("clear the dark borders");
		if (preprocess_clear_borders(gray, pg->dpi, &flag) == -1)
			goto fail;
		if (flag)
			preprocess_did(pg, PREPROCESS_REMOVE_BORDERS);
	}
	if (o->normalize_background && pixGetDepth(pix) != 1) {
		step = preprocess_step("flatten the background");
		if (preprocess_swap(&gray, preprocess_flatten(gray,
		    pg->dpi)) == -1)
			goto fail;
		preprocess_did(pg, PREPROCESS_NORMALIZE_BACKGROUND);
	}

	if (o->orientation || o->deskew) {
		step = preprocess_step("find which way up the page is");
		if ((probe = preprocess_probe(gray, pg->dpi)) == NULL)
			goto fail;
		if (o->orientation)
			quads = preprocess_orientation(probe, &lean);
		if (lean != 0 && o->reader != NULL) {
			step = preprocess_step("read the page both ways up");
			quads = preprocess_second_opinion(o->reader, gray,
			    pg->dpi, lean, pg, err);
			/* err says what failed: memory fails the page, as
			 * anywhere; a reading that failed tells nothing */
			if (quads == -1 && errno == ENOMEM)
				goto out;
			if (quads == -1) {
				quads = 0;
				pg->asked = 0;
			}
		}
		if (o->deskew) {
			if (quads != 0 && preprocess_swap(&probe,
			    pixRotateOrth(probe, quads)) == -1)
				goto fail;
			angle = preprocess_skew(probe);
		}
		step = preprocess_step("turn the page upright and level");
		if (preprocess_turn(&gray, quads, angle) == -1 ||
		    preprocess_turn(&show, quads, angle) == -1)
			goto fail;
		if (quads != 0)
			preprocess_did(pg, PREPROCESS_ORIENTATION);
		if (angle != 0)
			preprocess_did(pg, PREPROCESS_DESKEW);
		pg->rotation = quads * 90;
		pg->skew = angle;
	}

	/*
	 * Specks are found on a binary image either way; Tesseract gets
	 * either that binary image or the grey one with the specks painted
	 * over (its LSTM reads grey better where strokes are soft).
	 */
	if (o->binarize) {
		/*
		 * Sauvola's window is a twelfth of an inch either side, and
		 * Leptonica refuses a window wider than the page allows (2 x
		 * half-width + 3): on a strip of one line it is narrowed.
		 */
		int half = pg->dpi / 12, side = pixGetWidth(gray) <
		    pixGetHeight(gray) ? pixGetWidth(gray) : pixGetHeight(gray);

		if (half > (side - 3) / 2)
			half = (side - 3) / 2;
		step = preprocess_step("make the page black and white");
		if (half < 2)
			bin = pixThresholdToBinary(gray, 160);
		else if (pixSauvolaBinarizeTiled(gray, half, 0.34, 1, 1, NULL,
		    &bin) != 0)
			bin = NULL;
		if (bin == NULL)
			goto fail;
		preprocess_did(pg, PREPROCESS_BINARIZE);
	} else if (o->despeckle) {
		step = preprocess_step("remove specks");
		if ((bin = pixThresholdToBinary(gray, 160)) == NULL)
			goto fail;
	}
	if (o->despeckle) {
		step = preprocess_step("remove specks");
		if ((tmp = preprocess_despeckle(bin, pg->dpi, &flag)) == NULL)
			goto fail;
		if (flag)
			preprocess_did(pg, PREPROCESS_DESPECKLE);
		if (!o->binarize && flag) {
			/* what went, a pixel wider, becomes paper */
			pixXor(bin, bin, tmp);
			pixDilateBrick(bin, bin, 3, 3);
			pixSetMasked(gray, bin, 255);
		}
		pixDestroy(&bin);
		bin = tmp;
	}
	if (o->binarize) {
		pixDestroy(&gray);
		gray = bin;
		bin = NULL;
	}
	pixSetResolution(gray, pg->dpi, pg->dpi);
	pixSetResolution(show, pg->dpi, pg->dpi);
	pg->ocr = gray;
	pg->show = show;
	gray = show = NULL;
	rc = 0;
	goto out;
fail:
	/* errno is ENOMEM here exactly when memory ran out; the caller uses it. */
	if (errno == ENOMEM)
		snprintf(err, ERRMAX, "not enough memory to %s", step);
	else {
		snprintf(err, ERRMAX, "Leptonica could not %s (the page is %d x "
		    "%d pixels at %d dpi)", step, pixGetWidth(pix),
		    pixGetHeight(pix), dpi);
		errno = EINVAL;
	}
out:
	saved = errno;
	pixDestroy(&gray);
	pixDestroy(&show);
	pixDestroy(&probe);
	pixDestroy(&bin);
	pg->seconds = preprocess_now() - t0;
	errno = saved;
	return rc;
}

json_t *
preprocess_info(const struct preprocess_page *pg)
{
	json_t *steps = json_array(), *j;
	size_t i;

	for (i = 0; i < sizeof preprocess_step_names /
	    sizeof preprocess_step_names[0]; i++)
		if (pg->steps & (1u << i))
			json_array_append_new(steps,
			    json_string(preprocess_step_names[i]));
	j = json_pack("{s:i, s:f, s:f, s:o, s:f}", "rotation", pg->rotation,
	    "skew", round(pg->skew * 100) / 100, "scale",
	    round(pg->scale * 1000) / 1000, "steps", steps, "seconds",
	    round(pg->seconds * 1000) / 1000);
	/* Both readings of an unsure page, so that its turn can be checked. */
	if (pg->asked != 0)
		json_object_set_new(j, "orientation_check", json_pack("{s:i, "
		    "s:i, s:i}", "tried", pg->asked * 90, "confidence_upright",
		    pg->conf_upright, "confidence_turned", pg->conf_turned));
	/* How dense the noise that was cleared, for whoever checks the page. */
	if (pg->steps & (1u << PREPROCESS_DENOISE))
		json_object_set_new(j, "impulse_noise", json_real(pg->impulses /
		    10000.0));
	return j;
}

void
preprocess_page_free(struct preprocess_page *pg)
{
	pixDestroy(&pg->ocr);
	pixDestroy(&pg->show);
}
