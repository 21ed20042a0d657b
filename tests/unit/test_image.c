/*
 * test_image.c: every scan form records staff produce decodes to the right
 * pages at the right resolution; every bad file is refused with a reason,
 * before any large allocation.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <leptonica/allheaders.h>

#include "sohoa.h"
#include "testlib.h"

struct expect {
	const char *file;
	int	 pages;
	int	 width;	/* of page 1 */
	int	 depth;	/* Leptonica bits per pixel of page 1 */
	int	 dpi;
	const char *format;
};

static const struct expect good[] = {
	{ "good/birth-extract.g4.tif", 1, 1650, 1, 300, "tiff" },
	{ "good/decision.grey-lzw.tif", 1, 1650, 8, 300, "tiff" },
	{ "good/business-household.rgb-jpeg.tif", 1, 1650, 32, 300, "tiff" },
	{ "good/building-permit.palette-deflate.tif", 1, 1650, 32, 300, "tiff" },
	{ "good/birth-extract-snippet.grey-none.tif", 1, 1120, 8, 300, "tiff" },
	{ "good/business-household-snippet.rgb-none.tif", 1, 963, 32, 300, "tiff" },
	/* No resolution tags: the profile's dpi (here 200) is assumed. */
	{ "good/decision.g4-nores.tif", 1, 1650, 1, 200, "tiff" },
	{ "good/multipage.tif", 3, 1650, 1, 300, "tiff" },
	{ "good/building-permit.grey.png", 1, 1650, 8, 300, "png" },
	{ "good/birth-extract.rgb.jpg", 1, 1650, 32, 300, "jpeg" },
	{ NULL, 0, 0, 0, 0, NULL }
};

static void
test_good_scans_decode(void **state)
{
	const struct expect *e;

	for (e = good; e->file != NULL; e++) {
		char *path = testlib_fixture(e->file), err[ERRMAX] = "";
		struct buf b;
		struct image *im;
		PIX *pix;
		int i, dpi = 0;

		print_message("%s\n", e->file);
		assert_int_equal(util_read_file(path, 1 << 26, &b, err), 0);
		im = image_open(b.data, b.len, 200, NULL, err);
		assert_non_null(im);
		assert_string_equal(image_format(im), e->format);
		assert_int_equal(image_npages(im), e->pages);
		for (i = 0; i < e->pages; i++) {
			pix = image_page(im, i, &dpi, err);
			assert_non_null(pix);
			if (i == 0) {
				assert_int_equal(pixGetWidth(pix), e->width);
				assert_int_equal(pixGetDepth(pix), e->depth);
				assert_int_equal(dpi, e->dpi);
				assert_int_equal(pixGetXRes(pix), e->dpi);
			}
			pixDestroy(&pix);
		}
		image_close(im);
		buf_free(&b);
		free(path);
	}
}

/* G4 min-is-white: black text must come out as black (1) pixels, a few
 * percent of the page, not an inverted page. */
static void
test_bilevel_polarity(void **state)
{
	char *path = testlib_fixture("good/birth-extract.g4.tif"), err[ERRMAX];
	struct buf b;
	struct image *im;
	PIX *pix;
	l_int32 black;
	int dpi;

	assert_int_equal(util_read_file(path, 1 << 26, &b, err), 0);
	assert_non_null(im = image_open(b.data, b.len, 300, NULL, err));
	assert_non_null(pix = image_page(im, 0, &dpi, err));
	pixCountPixels(pix, &black, NULL);
	assert_true(black > 0);
	assert_true(black < pixGetWidth(pix) * pixGetHeight(pix) / 5);
	pixDestroy(&pix);
	image_close(im);
	buf_free(&b);
	free(path);
}

struct bad {
	const char *file;
	const char *reason;	/* words the error must contain */
	int	 at_open;	/* refused before any page is decoded */
};

static const struct bad bad[] = {
	{ "bad/empty.tif", "empty", 1 },
	{ "bad/not-an-image.tif", "not an image", 1 },
	{ "bad/corrupt-ifd.tif", "damaged", 1 },
	{ "bad/huge-header.tif", "100000 x 100000", 1 },
	{ "bad/many-pages.tif", "more than 1000 pages", 1 },
	{ "bad/garbage.jpg", "JPEG", 1 },
	{ "bad/truncated.tif", "cut short", 0 },
	{ "bad/truncated.png", "cut short", 0 },
	{ NULL, NULL, 0 }
};

static void
test_bad_scans_refused(void **state)
{
	const struct bad *e;

	for (e = bad; e->file != NULL; e++) {
		char *path = testlib_fixture(e->file), err[ERRMAX] = "";
		struct buf b;
		struct image *im;
		PIX *pix = NULL;
		int dpi;

		print_message("%s\n", e->file);
		assert_int_equal(util_read_file(path, 1 << 26, &b, err), 0);
		im = image_open(b.data, b.len, 300, NULL, err);
		if (e->at_open)
			assert_null(im);
		else {
			assert_non_null(im);
			pix = image_page(im, 0, &dpi, err);
			assert_null(pix);
			image_close(im);
		}
		assert_non_null(strstr(err, e->reason));
		buf_free(&b);
		free(path);
	}
}

static void
test_limits_are_configurable(void **state)
{
	char *path = testlib_fixture("good/multipage.tif"), err[ERRMAX] = "";
	struct image_limits lim;
	struct buf b;

	image_default_limits(&lim);
	lim.max_pages = 2;
	assert_int_equal(util_read_file(path, 1 << 26, &b, err), 0);
	assert_null(image_open(b.data, b.len, 300, &lim, err));
	assert_non_null(strstr(err, "more than 2 pages"));
	image_default_limits(&lim);
	lim.max_pixels = 1000000;
	assert_null(image_open(b.data, b.len, 300, &lim, err));
	assert_non_null(strstr(err, "claims 1650 x"));
	buf_free(&b);
	free(path);
}

/*
 * A page under 16 pixels either way holds no line of text: refused with
 * its size when it is read, before preprocessing, and never as a lack of
 * memory.  One of 16 x 16 is read.
 */
static void
test_tiny_pages_refused(void **state)
{
	static const struct { int w, h, fmt, ok; } cases[] = {
		{ 2281, 7, IFF_PNG, 0 }, { 1, 1, IFF_PNG, 0 },
		{ 7, 2281, IFF_TIFF_LZW, 0 }, { 1, 1, IFF_TIFF_G4, 0 },
		{ 15, 400, IFF_PNG, 0 }, { 16, 16, IFF_PNG, 1 },
		{ 2281, 16, IFF_TIFF_LZW, 1 }
	};
	size_t i;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		int depth = cases[i].fmt == IFF_TIFF_G4 ? 1 : 8, dpi;
		PIX *pix = pixCreate(cases[i].w, cases[i].h, depth), *got;
		char err[ERRMAX] = "", want[64];
		l_uint8 *data = NULL;
		size_t len = 0;
		struct image *im;

		pixSetAll(pix);
		assert_int_equal(pixWriteMem(&data, &len, pix, cases[i].fmt), 0);
		assert_non_null(im = image_open(data, len, 300, NULL, err));
		got = image_page(im, 0, &dpi, err);
		if (cases[i].ok)
			assert_non_null(got);
		else {
			assert_null(got);
			snprintf(want, sizeof want, "page 1 is %d x %d pixels, "
			    "too small to hold any text", cases[i].w,
			    cases[i].h);
			assert_non_null(strstr(err, want));
		}
		pixDestroy(&got);
		image_close(im);
		lept_free(data);
		pixDestroy(&pix);
	}
}

static void
test_sniff(void **state)
{
	assert_string_equal(image_sniff("II*\0", 4), "tiff");
	assert_string_equal(image_sniff("MM\0*", 4), "tiff");
	assert_string_equal(image_sniff("\x89PNG\r\n\x1a\n", 8), "png");
	assert_string_equal(image_sniff("\xff\xd8\xff\xe0", 4), "jpeg");
	assert_string_equal(image_sniff("%PDF-1.5", 8), "pdf");
	assert_null(image_sniff("%PD", 3));
	assert_null(image_sniff("II", 2));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good_scans_decode),
		cmocka_unit_test(test_bilevel_polarity),
		cmocka_unit_test(test_bad_scans_refused),
		cmocka_unit_test(test_limits_are_configurable),
		cmocka_unit_test(test_tiny_pages_refused),
		cmocka_unit_test(test_sniff),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
