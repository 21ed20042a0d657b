/*
 * test_preprocess.c: a page that comes upside down, sideways or askew goes
 * to recognition upright and level, read both ways up when the test is
 * unsure; a red seal over the text goes and the
 * text stays; a dark scanner border goes; a coarse scan is scaled up; a
 * page covered in salt and pepper is cleared; and
 * with the switches off the page is left alone.  Every hard page is made
 * here from the committed birth-extract fixture (1650 x 1135, 300 dpi), so
 * no new image files are needed.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <leptonica/allheaders.h>

#include "sohoa.h"
#include "testlib.h"

static PIX *
page(const char *name)
{
	char *rel = xasprintf("good/%s", name), *path = testlib_fixture(rel);
	char err[ERRMAX] = "";
	struct image *im;
	struct buf b;
	PIX *pix;
	int dpi;

	assert_int_equal(util_read_file(path, 1 << 26, &b, err), 0);
	im = image_open(b.data, b.len, 300, NULL, err);
	assert_non_null(im);
	pix = image_page(im, 0, &dpi, err);
	assert_non_null(pix);
	image_close(im);
	buf_free(&b);
	free(path);
	free(rel);
	return pix;
}

/* The ink of an image as 1 bpp: what a reader would call black. */
static PIX *
ink(PIX *pix)
{
	PIX *g = pixConvertTo8(pix, 0), *b;

	b = pixThresholdToBinary(g, 128);
	pixDestroy(&g);
	return b;
}

/* Share of the ink of a or b that the other lacks (0: the same text). */
static double
ink_difference(PIX *a, PIX *b)
{
	PIX *ia = ink(a), *ib = ink(b), *x;
	l_int32 na, nb, nx;

	assert_int_equal(pixGetWidth(ia), pixGetWidth(ib));
	assert_int_equal(pixGetHeight(ia), pixGetHeight(ib));
	x = pixXor(NULL, ia, ib);
	pixCountPixels(ia, &na, NULL);
	pixCountPixels(ib, &nb, NULL);
	pixCountPixels(x, &nx, NULL);
	pixDestroy(&ia);
	pixDestroy(&ib);
	pixDestroy(&x);
	return (double)nx / (na > nb ? na : nb);
}

static void
run(const struct preprocess_opts *o, PIX *pix, int dpi,
    struct preprocess_page *pg)
{
	char err[ERRMAX] = "";

	assert_int_equal(preprocess_run(o, pix, dpi, pg, err), 0);
	assert_non_null(pg->ocr);
	assert_non_null(pg->show);
	/* The PDF's text layer lies on the shown image only if they match. */
	assert_int_equal(pixGetWidth(pg->ocr), pixGetWidth(pg->show));
	assert_int_equal(pixGetHeight(pg->ocr), pixGetHeight(pg->show));
}

static void
test_turned_pages_come_back_upright(void **state)
{
	struct preprocess_opts o;
	struct preprocess_page pg;
	PIX *orig = page("birth-extract.g4.tif"), *turned;
	l_int32 same = 0;
	static const struct { int quads, fix; } cases[] = {
		{ 2, 180 }, { 1, 270 }, { 3, 90 }
	};
	size_t i;

	preprocess_defaults(&o);
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		print_message("turned %d degrees\n", cases[i].quads * 90);
		turned = pixRotateOrth(orig, cases[i].quads);
		run(&o, turned, 300, &pg);
		assert_int_equal(pg.rotation, cases[i].fix);
		assert_true(pg.steps & (1u << PREPROCESS_ORIENTATION));
		/* The PDF shows the original, upright, pixel for pixel. */
		pixEqual(pg.show, orig, &same);
		assert_true(same);
		assert_true(ink_difference(pg.ocr, orig) < 0.05);
		preprocess_page_free(&pg);
		pixDestroy(&turned);
	}
	/* An upright page is left upright. */
	run(&o, orig, 300, &pg);
	assert_int_equal(pg.rotation, 0);
	preprocess_page_free(&pg);
	pixDestroy(&orig);
}

/*
 * The top of the page alone (its header, 800 lines), upside down: too few
 * lines for Leptonica's test to decide (-7.7, where 8 decides), so the
 * page is read both ways and turned, and page_info says so.  Without a
 * reader it is left as it came, and an upright one stays upright.
 */
static void
test_unsure_page_is_read_both_ways(void **state)
{
	struct preprocess_opts o;
	struct preprocess_page pg;
	PIX *orig = page("birth-extract.g4.tif"), *top, *turned;
	BOX *box = boxCreate(0, 0, pixGetWidth(orig), 800);
	char err[ERRMAX] = "";
	json_t *info, *check;

	top = pixClipRectangle(orig, box, NULL);
	turned = pixRotateOrth(top, 2);
	preprocess_defaults(&o);
	run(&o, turned, 300, &pg);
	assert_int_equal(pg.rotation, 0);
	preprocess_page_free(&pg);

	o.reader = ocr_open("vie", err);
	assert_non_null(o.reader);
	run(&o, turned, 300, &pg);
	assert_int_equal(pg.rotation, 180);
	assert_true(pg.steps & (1u << PREPROCESS_ORIENTATION));
	info = preprocess_info(&pg);
	check = json_object_get(info, "orientation_check");
	assert_non_null(check);
	assert_int_equal(json_integer_value(json_object_get(check, "tried")),
	    180);
	assert_true(json_integer_value(json_object_get(check,
	    "confidence_turned")) > json_integer_value(json_object_get(check,
	    "confidence_upright")));
	json_decref(info);
	preprocess_page_free(&pg);

	run(&o, top, 300, &pg);
	assert_int_equal(pg.rotation, 0);
	preprocess_page_free(&pg);
	ocr_close(o.reader);
	pixDestroy(&turned);
	pixDestroy(&top);
	boxDestroy(&box);
	pixDestroy(&orig);
}

static void
test_skewed_page_comes_back_level(void **state)
{
	struct preprocess_opts o;
	struct preprocess_page pg;
	PIX *orig = page("birth-extract.g4.tif"), *gray, *skewed, *probe;
	l_float32 angle = 99, conf = 0;

	preprocess_defaults(&o);
	gray = pixConvertTo8(orig, 0);
	skewed = pixRotate(gray, 6.0 * M_PI / 180, L_ROTATE_AREA_MAP,
	    L_BRING_IN_WHITE, 0, 0);
	run(&o, skewed, 300, &pg);
	assert_true(pg.steps & (1u << PREPROCESS_DESKEW));
	assert_true(fabs(fabs(pg.skew) - 6.0) < 0.5);
	/* What Tesseract gets is level, to half a degree. */
	probe = ink(pg.ocr);
	assert_int_equal(pixFindSkew(probe, &angle, &conf), 0);
	print_message("residual skew %.2f degrees (confidence %.1f)\n", angle,
	    conf);
	assert_true(conf > 3.0);
	assert_true(fabs(angle) < 0.5);
	/* So is the image the PDF shows. */
	pixDestroy(&probe);
	probe = ink(pg.show);
	assert_int_equal(pixFindSkew(probe, &angle, &conf), 0);
	assert_true(fabs(angle) < 0.5);
	pixDestroy(&probe);
	preprocess_page_free(&pg);
	pixDestroy(&skewed);
	pixDestroy(&gray);
	pixDestroy(&orig);
}

/*
 * Stamps a seal over the page as ink does, multiplying: an outer ring, an
 * inner ring and strokes across the middle where the seal's words are,
 * all as thin as real seal strokes, so that only colour can tell them from
 * the text.
 */
static void
stamp(PIX *rgb, int cx, int cy, int sr, int sg, int sb)
{
	l_int32 x, y, w = pixGetWidth(rgb), h = pixGetHeight(rgb);
	l_int32 pr, pgr, pb;
	double d;

	for (y = cy - 170; y <= cy + 170; y++)
		for (x = cx - 170; x <= cx + 170; x++) {
			if (x < 0 || y < 0 || x >= w || y >= h)
				continue;
			d = hypot(x - cx, y - cy);
			if (!(d >= 158 && d <= 170) &&
			    !(d >= 124 && d <= 130) &&
			    !(d < 115 && ((y - cy + 200) % 28 < 6 ||
			    (x - cx + 200) % 40 < 5)))
				continue;
			pixGetRGBPixel(rgb, x, y, &pr, &pgr, &pb);
			pixSetRGBPixel(rgb, x, y, pr * sr / 255, pgr * sg / 255,
			    pb * sb / 255);
		}
}

static void
test_red_seal_goes_text_stays(void **state)
{
	struct preprocess_opts o;
	struct preprocess_page pg;
	PIX *orig = page("birth-extract.g4.tif"), *rgb, *cut, *want;
	BOX *disc;
	l_int32 n = 0;
	double d;

	preprocess_defaults(&o);
	o.deskew = o.orientation = 0;
	rgb = pixConvertTo32(orig);
	/* Over the signature block and the parents' names above it. */
	stamp(rgb, 1150, 930, 214, 38, 52);
	disc = boxCreate(1150 - 175, 930 - 175, 350, 350);
	run(&o, rgb, 300, &pg);
	assert_true(pg.steps & (1u << PREPROCESS_SUPPRESS_SEALS));
	cut = pixClipRectangle(pg.ocr, disc, NULL);
	want = pixClipRectangle(orig, disc, NULL);
	pixCountPixels(want, &n, NULL);
	assert_true(n > 3000);		/* there is text under the seal */
	d = ink_difference(cut, want);
	print_message("under the seal, %.1f%% of the ink differs\n", d * 100);
	assert_true(d < 0.15);
	pixDestroy(&cut);
	preprocess_page_free(&pg);

	/* Without the switch, the seal is ink that buries the text. */
	o.suppress_seals = 0;
	run(&o, rgb, 300, &pg);
	cut = pixClipRectangle(pg.ocr, disc, NULL);
	d = ink_difference(cut, want);
	print_message("without suppress_seals, %.1f%% differs\n", d * 100);
	assert_true(d > 0.5);
	pixDestroy(&cut);
	preprocess_page_free(&pg);

	pixDestroy(&want);
	boxDestroy(&disc);
	pixDestroy(&rgb);
	pixDestroy(&orig);
}

static void
test_blue_ink_page_keeps_its_text(void **state)
{
	struct preprocess_opts o;
	struct preprocess_page pg;
	PIX *blue = page("building-permit.palette-deflate.tif");

	preprocess_defaults(&o);
	assert_int_equal(pixGetDepth(blue), 32);
	run(&o, blue, 300, &pg);
	/* The text is the blue: nothing of it may go as "signature". */
	assert_true(ink_difference(pg.ocr, blue) < 0.1);
	preprocess_page_free(&pg);
	pixDestroy(&blue);
}

/* A QR code decoded on the page is paper in the image recognised (read
 * as text it is junk) and stays in the image shown; a barcode stays. */
static void
test_code_made_paper(void **state)
{
	struct preprocess_opts o;
	struct preprocess_page pg;
	PIX *orig = page("birth-extract.g4.tif"), *gray, *part;
	BOX *qr, *bars;
	l_float32 mean = 0;
	json_t *codes;

	(void)state;
	preprocess_defaults(&o);
	o.orientation = o.deskew = 0;
	gray = pixConvertTo8(orig, 0);
	pixRasterop(gray, 40, 40, 200, 200, PIX_CLR, NULL, 0, 0);
	pixRasterop(gray, 400, 40, 300, 60, PIX_CLR, NULL, 0, 0);
	codes = json_pack("[{s:s, s:i, s:i, s:i, s:i}, {s:s, s:i, s:i, s:i, "
	    "s:i}]", "format", "QRCode", "left", 50, "top", 50, "width", 180,
	    "height", 180, "format", "Code128", "left", 400, "top", 40,
	    "width", 300, "height", 60);
	o.codes = codes;
	run(&o, gray, 300, &pg);
	qr = boxCreate(40, 40, 200, 200);
	part = pixClipRectangle(pg.ocr, qr, NULL);
	pixGetAverageMasked(part, NULL, 0, 0, 1, L_MEAN_ABSVAL, &mean);
	assert_true(mean > 250);
	pixDestroy(&part);
	part = pixClipRectangle(pg.show, qr, NULL);
	pixGetAverageMasked(part, NULL, 0, 0, 1, L_MEAN_ABSVAL, &mean);
	assert_true(mean < 5);
	pixDestroy(&part);
	bars = boxCreate(400, 40, 300, 60);
	part = pixClipRectangle(pg.ocr, bars, NULL);
	pixGetAverageMasked(part, NULL, 0, 0, 1, L_MEAN_ABSVAL, &mean);
	assert_true(mean < 128);
	pixDestroy(&part);
	preprocess_page_free(&pg);
	boxDestroy(&qr);
	boxDestroy(&bars);
	json_decref(codes);
	pixDestroy(&gray);
	pixDestroy(&orig);
}

static void
test_dark_border_goes(void **state)
{
	struct preprocess_opts o;
	struct preprocess_page pg;
	PIX *orig = page("birth-extract.g4.tif"), *gray, *inner, *want;
	BOX *band, *body;
	l_float32 mean = 0;
	l_int32 w, h;

	preprocess_defaults(&o);
	gray = pixConvertTo8(orig, 0);
	w = pixGetWidth(gray);
	h = pixGetHeight(gray);
	/* The lid left open: a black band down the left, 80 pixels wide. */
	pixRasterop(gray, 0, 0, 80, h, PIX_CLR, NULL, 0, 0);
	band = boxCreate(0, 0, 80, h);
	body = boxCreate(100, 0, w - 100, h);
	run(&o, gray, 300, &pg);
	assert_true(pg.steps & (1u << PREPROCESS_REMOVE_BORDERS));
	inner = pixClipRectangle(pg.ocr, band, NULL);
	pixGetAverageMasked(inner, NULL, 0, 0, 1, L_MEAN_ABSVAL, &mean);
	print_message("the band's mean grey is %.0f\n", mean);
	assert_true(mean > 240);
	pixDestroy(&inner);
	inner = pixClipRectangle(pg.ocr, body, NULL);
	want = pixClipRectangle(orig, body, NULL);
	assert_true(ink_difference(inner, want) < 0.05);
	pixDestroy(&inner);
	pixDestroy(&want);
	preprocess_page_free(&pg);
	boxDestroy(&band);
	boxDestroy(&body);
	pixDestroy(&gray);
	pixDestroy(&orig);
}

static void
test_coarse_scan_is_scaled_up(void **state)
{
	struct preprocess_opts o;
	struct preprocess_page pg;
	PIX *orig = page("birth-extract.g4.tif"), *gray, *small;

	preprocess_defaults(&o);
	gray = pixConvertTo8(orig, 0);
	small = pixScale(gray, 0.5, 0.5);
	run(&o, small, 150, &pg);
	assert_int_equal(pg.dpi, 300);
	assert_true(fabs(pg.scale - 2.0) < 1e-9);
	assert_int_equal(pixGetWidth(pg.ocr), 2 * pixGetWidth(small));
	assert_int_equal(pixGetXRes(pg.show), 300);
	preprocess_page_free(&pg);
	/* Not below the profile's threshold, and never with 0. */
	o.upscale_below_dpi = 120;
	run(&o, small, 150, &pg);
	assert_int_equal(pg.dpi, 150);
	assert_int_equal(pixGetWidth(pg.ocr), pixGetWidth(small));
	preprocess_page_free(&pg);
	pixDestroy(&small);
	pixDestroy(&gray);
	pixDestroy(&orig);
}

static void
test_switches_off_leave_the_page_alone(void **state)
{
	struct preprocess_opts o;
	struct preprocess_page pg;
	PIX *orig = page("birth-extract.g4.tif"), *turned, *gray;
	l_int32 same = 0;

	turned = pixRotateOrth(orig, 2);
	preprocess_defaults(&o);
	o.enabled = 0;
	run(&o, turned, 300, &pg);
	pixEqual(pg.ocr, turned, &same);
	assert_true(same);
	pixEqual(pg.show, turned, &same);
	assert_true(same);
	assert_int_equal(pg.rotation, 0);
	assert_int_equal(pg.steps, 0);
	preprocess_page_free(&pg);

	/* Orientation off: an upside-down page stays upside down. */
	preprocess_defaults(&o);
	o.orientation = 0;
	run(&o, turned, 300, &pg);
	assert_int_equal(pg.rotation, 0);
	pixEqual(pg.show, turned, &same);
	assert_true(same);
	preprocess_page_free(&pg);

	/* Every step off: a grey page comes through unchanged. */
	memset(&o, 0, sizeof o);
	o.enabled = 1;
	gray = pixConvertTo8(turned, 0);
	run(&o, gray, 300, &pg);
	pixEqual(pg.ocr, gray, &same);
	assert_true(same);
	assert_int_equal(pg.steps, 0);
	preprocess_page_free(&pg);
	pixDestroy(&gray);
	pixDestroy(&turned);
	pixDestroy(&orig);
}

/*
 * The smallest pages image.c lets through, a square of 16 pixels and a
 * strip one line high, are prepared with every step on, binarisation too
 * (its window once wider than such a page allowed, and the page failed).
 */
static void
test_smallest_pages_are_prepared(void **state)
{
	static const struct { int w, h, dpi; } cases[] = {
		{ 16, 16, 300 }, { 1650, 16, 300 }, { 16, 1135, 300 },
		{ 30, 30, 600 }, { 16, 16, 75 }
	};
	struct preprocess_opts o;
	struct preprocess_page pg;
	PIX *orig = page("birth-extract.g4.tif"), *part;
	BOX *box;
	size_t i;

	preprocess_defaults(&o);
	o.binarize = 1;
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		box = boxCreate(0, 200, cases[i].w, cases[i].h);
		part = pixClipRectangle(orig, box, NULL);
		run(&o, part, cases[i].dpi, &pg);
		preprocess_page_free(&pg);
		pixDestroy(&part);
		boxDestroy(&box);
	}
	pixDestroy(&orig);
}

/* Lone black and white pixels, a share of them, where a fixed sequence says. */
static PIX *
salt_and_pepper(PIX *pix, double share)
{
	PIX *g = pixConvertTo8(pix, 0);
	l_int32 w = pixGetWidth(g), h = pixGetHeight(g), x, y;
	unsigned r = 12345;

	for (y = 0; y < h; y++)
		for (x = 0; x < w; x++) {
			r = r * 1103515245u + 12345u;
			if ((r >> 8) % 10000 < share * 10000)
				pixSetPixel(g, x, y, (r >> 20) & 1 ? 255 : 0);
		}
	return g;
}

/*
 * A page covered in salt and pepper comes to recognition clean, its text
 * kept; a clean page, and one with a few specks only, is not touched by
 * that step (the median would thin its strokes).
 */
static void
test_dense_impulse_noise_is_cleared(void **state)
{
	struct preprocess_opts o;
	struct preprocess_page pg;
	PIX *orig = page("birth-extract.g4.tif"), *noisy, *grey;
	json_t *info;

	preprocess_defaults(&o);
	o.normalize_background = 0;
	noisy = salt_and_pepper(orig, 0.08);
	grey = pixConvertTo8(orig, 0);
	assert_true(ink_difference(noisy, grey) > 0.3);
	run(&o, noisy, 300, &pg);
	assert_true(pg.steps & (1u << PREPROCESS_DENOISE));
	print_message("noisy %.3f, cleared %.3f\n", ink_difference(noisy, grey), ink_difference(pg.ocr, grey));
	assert_true(ink_difference(pg.ocr, grey) < 0.1);
	info = preprocess_info(&pg);
	assert_true(json_real_value(json_object_get(info, "impulse_noise")) >
	    0.01);
	json_decref(info);
	preprocess_page_free(&pg);
	pixDestroy(&noisy);

	run(&o, orig, 300, &pg);
	assert_false(pg.steps & (1u << PREPROCESS_DENOISE));
	info = preprocess_info(&pg);
	assert_null(json_object_get(info, "impulse_noise"));
	json_decref(info);
	preprocess_page_free(&pg);
	noisy = salt_and_pepper(orig, 0.001);
	run(&o, noisy, 300, &pg);
	assert_false(pg.steps & (1u << PREPROCESS_DENOISE));
	preprocess_page_free(&pg);
	pixDestroy(&noisy);
	pixDestroy(&grey);
	pixDestroy(&orig);
}

static void
test_options_travel_in_the_job(void **state)
{
	struct preprocess_opts a, b;
	json_t *j;

	preprocess_defaults(&a);
	a.deskew = 0;
	a.binarize = 1;
	a.upscale_below_dpi = 0;
	j = preprocess_opts_json(&a);
	preprocess_opts_from_json(j, &b);
	assert_memory_equal(&a, &b, sizeof a);
	json_decref(j);
	/* A job without the object, or with junk in it, gets the defaults. */
	preprocess_defaults(&a);
	preprocess_opts_from_json(NULL, &b);
	assert_memory_equal(&a, &b, sizeof a);
	j = json_pack("{s:s, s:i}", "deskew", "yes", "upscale_below_dpi", -5);
	preprocess_opts_from_json(j, &b);
	assert_memory_equal(&a, &b, sizeof a);
	json_decref(j);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_turned_pages_come_back_upright),
		cmocka_unit_test(test_unsure_page_is_read_both_ways),
		cmocka_unit_test(test_skewed_page_comes_back_level),
		cmocka_unit_test(test_red_seal_goes_text_stays),
		cmocka_unit_test(test_blue_ink_page_keeps_its_text),
		cmocka_unit_test(test_dark_border_goes),
		cmocka_unit_test(test_code_made_paper),
		cmocka_unit_test(test_coarse_scan_is_scaled_up),
		cmocka_unit_test(test_switches_off_leave_the_page_alone),
		cmocka_unit_test(test_smallest_pages_are_prepared),
		cmocka_unit_test(test_dense_impulse_noise_is_cleared),
		cmocka_unit_test(test_options_travel_in_the_job),
	};

	setMsgSeverity(L_SEVERITY_NONE);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
