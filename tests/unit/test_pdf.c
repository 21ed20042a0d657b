/*
 * test_pdf.c: a scanned PDF gives its pages as images at their own
 * resolution and depth, a born-digital one gives its text, and an
 * encrypted, damaged or too long PDF is refused with one plain line.
 *
 * The PDFs are made here from the TIFF fixtures (tiff2pdf copies the G4
 * data as it is) and by tests/fixtures/src/make_pdf.py, so that no binary
 * PDF needs committing.
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

static char *dir;
static char *fx;	/* the fixtures folder */

static const char *
fixtures(void)
{
	if (fx == NULL)
		fx = testlib_fixture(".");
	return fx;
}

static void
run(const char *cmd)
{
	if (system(cmd) != 0)
		fail_msg("could not make a test PDF: %s", cmd);
}

static int
setup(void **state)
{
	char *cmd;

	dir = testlib_tmpdir("sohoa-test-pdf");
	cmd = xasprintf("tiff2pdf -x 200 -y 200 -o %s/g4.pdf "
	    "%s/good/decision.g4-nores.tif && tiff2pdf -o %s/multi.pdf "
	    "%s/good/multipage.tif && python3 %s/src/make_pdf.py %s/text.pdf "
	    "'Decision on the registration of business households|in the "
	    "district' 'The second page of the decision' && python3 "
	    "%s/src/make_pdf.py --encrypted %s/enc.pdf 'A protected page "
	    "of plain words' && head -c 2000 %s/g4.pdf >%s/cut.pdf", dir,
	    fixtures(), dir, fixtures(), fixtures(), dir, fixtures(), dir, dir,
	    dir);
	run(cmd);
	free(cmd);
	return 0;
}

static int
teardown(void **state)
{
	int rc = testlib_rmdir(dir);

	free(dir);
	free(fx);
	dir = fx = NULL;
	return rc;
}

/* Opens dir/name; NULL with err set when refused. */
static struct image *
open_pdf(const char *name, struct buf *b, int max_pages, char *err)
{
	struct image_limits lim;
	char *path = xasprintf("%s/%s", dir, name);

	image_default_limits(&lim);
	if (max_pages > 0)
		lim.max_pages = max_pages;
	assert_int_equal(util_read_file(path, 1 << 24, b, err), 0);
	free(path);
	return image_open(b->data, b->len, 300, &lim, err);
}

static void
test_scanned_pdf_gives_the_g4_image_at_its_own_dpi(void **state)
{
	struct buf b;
	struct image *im;
	char err[ERRMAX] = "";
	PIX *pix;
	int dpi = 0;

	im = open_pdf("g4.pdf", &b, 0, err);
	assert_non_null(im);
	assert_string_equal(image_format(im), "pdf");
	assert_int_equal(image_npages(im), 1);
	assert_null(image_page_text(im, 0));
	pix = image_page(im, 0, &dpi, err);
	assert_non_null(pix);
	assert_int_equal(pixGetWidth(pix), 1650);
	assert_int_equal(pixGetDepth(pix), 1);	/* bilevel stays bilevel */
	assert_int_equal(dpi, 200);
	pixDestroy(&pix);
	image_close(im);
	buf_free(&b);
}

static void
test_born_digital_pdf_gives_its_text(void **state)
{
	struct buf b;
	struct image *im;
	char err[ERRMAX] = "", *t;

	im = open_pdf("text.pdf", &b, 0, err);
	assert_non_null(im);
	assert_int_equal(image_npages(im), 2);
	t = image_page_text(im, 0);
	assert_non_null(t);
	assert_non_null(strstr(t, "registration of business households"));
	free(t);
	t = image_page_text(im, 1);
	assert_non_null(t);
	assert_non_null(strstr(t, "The second page of the decision"));
	free(t);
	image_close(im);
	buf_free(&b);
}

static void
test_bad_pdfs_are_refused_in_one_line(void **state)
{
	static const struct {
		const char *file, *says;
		int	 max_pages;
	} bad[] = {
		{ "enc.pdf", "protected by a password", 0 },
		{ "cut.pdf", "the PDF is damaged", 0 },
		{ "multi.pdf", "the PDF has more than 2 pages (it has 3)", 2 },
	};
	size_t i;

	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct buf b;
		char err[ERRMAX] = "";

		assert_null(open_pdf(bad[i].file, &b, bad[i].max_pages, err));
		if (strstr(err, bad[i].says) == NULL)
			fail_msg("%s: \"%s\" does not say \"%s\"", bad[i].file,
			    err, bad[i].says);
		assert_null(strchr(err, '\n'));
		buf_free(&b);
	}
}

static void
test_real_text_needs_letters(void **state)
{
	/* A page number or a stamp's few characters is not the page. */
	assert_false(pdf_real_text(""));
	assert_false(pdf_real_text("  12 \n\f"));
	assert_false(pdf_real_text("ĐẾN Số 12"));
	/* Symbols from a font with no Unicode map are not text either. */
	assert_false(pdf_real_text("\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd "
	    "!!!! #### $$$$ %%%% &&&& **** ++++ ---- //// ~~~~ ab cd ef gh ij "
	    "kl mn op qr st uv"));
	assert_true(pdf_real_text("QUYẾT ĐỊNH về việc cấp giấy phép xây dựng"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_scanned_pdf_gives_the_g4_image_at_its_own_dpi),
		cmocka_unit_test(test_born_digital_pdf_gives_its_text),
		cmocka_unit_test(test_bad_pdfs_are_refused_in_one_line),
		cmocka_unit_test(test_real_text_needs_letters),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
