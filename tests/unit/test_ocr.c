/*
 * test_ocr.c: what ocr.c gives the worker for a page.  A strip of a good
 * scan reads as its Vietnamese words in NFC with a sensible confidence;
 * its layout has the page's size and lines of words with boxes inside the
 * page; the searchable PDF is written; the same handle reads a second
 * page; a blank page reads as nothing, with a low confidence; a language
 * that is not installed is a plain error naming it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <leptonica/allheaders.h>

#include "sohoa.h"
#include "testlib.h"

struct fixture {
	char	*dir;
	PIX	*strip;		/* the header of a building permit */
	struct ocr *ocr;
};

static int
setup(void **state)
{
	struct fixture *f = xcalloc(1, sizeof *f);
	char err[ERRMAX];

	f->dir = testlib_tmpdir("test_ocr");
	f->strip = testlib_strip();
	if ((f->ocr = ocr_open("vie", err)) == NULL)
		fail_msg("ocr_open: %s", err);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;
	int rc = testlib_rmdir(f->dir);

	ocr_close(f->ocr);
	pixDestroy(&f->strip);
	free(f->dir);
	free(f);
	return rc;
}

static void
test_page_text_layout_pdf(void **state)
{
	struct fixture *f = *state;
	char *base = xasprintf("%s/document", f->dir), *pdf, *text = NULL;
	char err[ERRMAX], *nfc;
	json_t *lay, *line, *word;
	size_t i, j, nwords = 0;
	int conf = -1, w, h;

	assert_int_equal(ocr_begin(f->ocr, base, "test", err), 0);
	assert_int_equal(ocr_page(f->ocr, f->strip, 300, &text, &conf, err),
	    0);
	assert_non_null(text);
	/* In NFC, as the index and the package keep it. */
	nfc = vntext_nfc(text, strlen(text));
	assert_string_equal(nfc, text);
	free(nfc);
	assert_contains(text, "ỦY BAN NHÂN DÂN");
	assert_true(conf > 50 && conf <= 100);
	lay = ocr_layout(f->ocr, f->strip);
	w = (int)json_integer_value(json_object_get(lay, "w"));
	h = (int)json_integer_value(json_object_get(lay, "h"));
	assert_int_equal(w, 700);
	assert_int_equal(h, 140);
	assert_true(json_array_size(json_object_get(lay, "lines")) >= 1);
	json_array_foreach(json_object_get(lay, "lines"), i, line) {
		json_array_foreach(json_object_get(line, "words"), j, word) {
			json_t *box = json_object_get(word, "box");

			assert_int_equal(json_array_size(box), 4);
			assert_true(json_integer_value(json_array_get(box, 0))
			    >= 0);
			assert_true(json_integer_value(json_array_get(box, 2))
			    <= w);
			assert_true(json_integer_value(json_array_get(box, 3))
			    <= h);
			assert_non_null(json_string_value(json_object_get(word,
			    "t")));
			nwords++;
		}
	}
	assert_true(nwords >= 4);
	json_decref(lay);
	free(text);
	/* The same handle reads a second page into the same PDF. */
	text = NULL;
	assert_int_equal(ocr_page(f->ocr, f->strip, 300, &text, &conf, err),
	    0);
	assert_contains(text, "ỦY BAN NHÂN DÂN");
	free(text);
	assert_int_equal(ocr_end(f->ocr, err), 0);
	pdf = xasprintf("%s.pdf", base);
	text = testlib_slurp(pdf, NULL);
	assert_non_null(text);
	assert_true(strncmp(text, "%PDF-", 5) == 0);
	free(text);
	free(pdf);
	free(base);
}

static void
test_blank_page(void **state)
{
	struct fixture *f = *state;
	PIX *blank = pixCreate(800, 300, 8);
	char err[ERRMAX], *text = NULL, *s;
	int conf = -1;

	pixSetAll(blank);	/* white */
	assert_int_equal(ocr_page(f->ocr, blank, 300, &text, &conf, err), 0);
	assert_non_null(text);
	for (s = text; *s != '\0'; s++)
		assert_true(*s == ' ' || *s == '\n' || *s == '\f');
	assert_true(conf < 50);
	free(text);
	/* ocr_confidence tells the blank from the page. */
	assert_true(ocr_confidence(f->ocr, blank, 300, err) <
	    ocr_confidence(f->ocr, f->strip, 300, err));
	assert_true(ocr_confidence(f->ocr, f->strip, 300, err) > 50);
	pixDestroy(&blank);
}

static void
test_missing_language(void **state)
{
	char err[ERRMAX];

	err[0] = '\0';
	assert_null(ocr_open("xyz", err));
	assert_string_equal(err, "Tesseract cannot load the language data "
	    "'xyz' (is tesseract-ocr-xyz installed?)");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_page_text_layout_pdf,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_blank_page, setup,
		    teardown),
		cmocka_unit_test(test_missing_language),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
