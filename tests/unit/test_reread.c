/*
 * test_reread.c: names in capitals get their marks back.  A page read as
 * one block cuts each line at its capitals' tops and the marks above them
 * are lost ("BUI THANH BAO NGỮ" for "BÙI THANH BẢO NGỮ"); ocr_reread_lines
 * reads such a line again, with room above it, and takes the marks, and
 * only the marks, into the text and the layout.  The fixture is two name
 * lines of a rendered birth extract (JPEG, grey); the layout given here
 * has the clipped boxes and the markless words of the page reading.
 * A document number read unsure is read again too, and is sure only when
 * both readings agree.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <leptonica/allheaders.h>

#include "sohoa.h"

static PIX *
names_image(void)
{
	const char *dir = getenv("FIXTURES");
	char *path = xasprintf("%s/ocr/names-capitals.jpg", dir ? dir :
	    "tests/fixtures");
	PIX *pix = pixRead(path);

	assert_non_null(pix);
	free(path);
	return pix;
}

/* Where the page reading put the words of the fixture's two name lines
 * (tesseract --psm 6), their tops cut at the capitals as it cut them. */
static const int names_boxes[2][10][2] = {
	{ { 41, 116 }, { 136, 216 }, { 230, 331 }, { 350, 414 },
	  { 430, 555 }, { 571, 647 }, { 667, 756 }, { 772, 959 },
	  { 976, 1086 }, { 1104, 1222 } },
	{ { 41, 116 }, { 136, 216 }, { 230, 331 }, { 350, 414 },
	  { 430, 555 }, { 572, 656 }, { 676, 901 }, { 916, 1017 },
	  { 1034, 1182 }, { 0, 0 } },
};

/* One line of the layout: its box and its words, where the page reading
 * put them (spread over the line past the ones it has). */
static void
add_line(json_t *lines, int k, int t, int b, const char *text)
{
	json_t *words = json_array();
	char *copy = strdup(text), *w, *save = NULL;
	int i = 0, l = 41, r = k == 0 ? 1222 : 1182, x0, x1;

	for (w = strtok_r(copy, " ", &save); w != NULL;
	    w = strtok_r(NULL, " ", &save), i++) {
		if (i < 10 && names_boxes[k][i][1] > 0) {
			x0 = names_boxes[k][i][0];
			x1 = names_boxes[k][i][1];
		} else
			x0 = x1 = r;
		json_array_append_new(words, json_pack("{s:s, s:[iiii], s:i}",
		    "t", w, "box", x0, t, x1, b, "c", 90));
	}
	free(copy);
	json_array_append_new(lines, json_pack("{s:i, s:[iiii], s:o}", "b", 1,
	    "box", l, t, r, b, "words", words));
}

static json_t *
layout_of(const char *line1, const char *line2)
{
	json_t *page = json_pack("{s:i, s:i, s:[]}", "w", 1300, "h", 170,
	    "lines");
	json_t *lines = json_object_get(page, "lines");

	/* the tops cut at the capitals, as the page reading cut them */
	add_line(lines, 0, 26, 80, line1);
	add_line(lines, 1, 96, 131, line2);
	return page;
}

static const char *
word_of(json_t *layout, size_t line, size_t word)
{
	return json_string_value(json_object_get(json_array_get(
	    json_object_get(json_array_get(json_object_get(layout, "lines"),
	    line), "words"), word), "t"));
}

static void
test_marks_back(void **state)
{
	struct ocr *o = *state;
	const char *l1 = "Họ, chữ đệm, tên người mẹ: BUI THANH BAO NGỮ";
	const char *l2 = "Họ, chữ đệm, tên người cha: NGUYEN THẾ TUẤN";
	json_t *layout = layout_of(l1, l2);
	char *text = xasprintf("%s\n%s\n", l1, l2);
	PIX *pix = names_image();
	int n;

	n = ocr_reread_lines(o, pix, 300, layout, &text);
	assert_true(n >= 2);
	assert_non_null(strstr(text, "BÙI THANH BẢO NGỮ"));
	/* the labels, in lower case, are never touched */
	assert_non_null(strstr(text, "Họ, chữ đệm, tên người mẹ: "));
	assert_non_null(strstr(text, "Họ, chữ đệm, tên người cha: "));
	/* the layout has the same words as the text */
	assert_string_equal(word_of(layout, 0, 6), "BÙI");
	assert_string_equal(word_of(layout, 0, 8), "BẢO");
	free(text);
	json_decref(layout);
	pixDestroy(&pix);
}

static void
test_only_marks(void **state)
{
	struct ocr *o = *state;
	/* Other letters than the image's: a second reading gives marks, it
	 * never changes a letter. */
	const char *l1 = "Họ, chữ đệm, tên người mẹ: TRAN THANH BAO NGỮ";
	const char *l2 = "Nơi sinh: Hà Nội";
	json_t *layout = layout_of(l1, l2);
	char *text = xasprintf("%s\n%s", l1, l2);
	PIX *pix = names_image();

	ocr_reread_lines(o, pix, 300, layout, &text);
	assert_non_null(strstr(text, "TRAN THANH "));
	assert_non_null(strstr(text, "\nNơi sinh: Hà Nội"));
	assert_string_equal(word_of(layout, 0, 6), "TRAN");
	free(text);
	json_decref(layout);
	pixDestroy(&pix);
}

static void
test_text_not_the_layout(void **state)
{
	struct ocr *o = *state;
	const char *l1 = "Họ, chữ đệm, tên người mẹ: BUI THANH BAO NGỮ";
	json_t *layout = layout_of(l1, "Họ, chữ đệm, tên người cha: NGUYEN");
	/* A text of other lines than the layout's is left as it is. */
	char *text = xstrdup("Họ, chữ đệm: BUI THANH\nmột\nhai\nba");
	PIX *pix = names_image();

	assert_int_equal(ocr_reread_lines(o, pix, 300, layout, &text), 0);
	assert_string_equal(text, "Họ, chữ đệm: BUI THANH\nmột\nhai\nba");
	free(text);
	json_decref(layout);
	pixDestroy(&pix);
}

/* The "Số:" line of a building permit, its number read unsure. */
static json_t *
number_layout(const char *number, int conf)
{
	return json_pack("{s:i, s:i, s:[{s:i, s:[iiii], s:[{s:s, s:[iiii], "
	    "s:i}, {s:s, s:[iiii], s:i}]}]}", "w", 1650, "h", 1196, "lines",
	    "b", 1, "box", 307, 333, 630, 374, "words", "t", "Số:", "box", 307,
	    333, 371, 374, "c", 93, "t", number, "box", 392, 337, 630, 374,
	    "c", conf);
}

static int
conf_of(json_t *layout)
{
	return (int)json_integer_value(json_object_get(json_array_get(
	    json_object_get(json_array_get(json_object_get(layout, "lines"),
	    0), "words"), 1), "c"));
}

/* A number the page reading was unsure of, read alike as a line of its
 * own, is as sure as that reading; read otherwise, it stays unsure. */
static void
test_number_confirmed(void **state)
{
	struct ocr *o = *state;
	const char *dir = getenv("FIXTURES");
	char *path = xasprintf("%s/good/building-permit.grey.png", dir ? dir :
	    "tests/fixtures");
	PIX *pix = pixRead(path);
	json_t *layout;
	char *text;

	assert_non_null(pix);
	layout = number_layout("356/GPXD", 30);
	text = xstrdup("Số: 356/GPXD");
	ocr_reread_lines(o, pix, 300, layout, &text);
	assert_true(conf_of(layout) >= 50);
	assert_string_equal(text, "Số: 356/GPXD");
	free(text);
	json_decref(layout);

	layout = number_layout("358/GPXD", 30);
	text = xstrdup("Số: 358/GPXD");
	ocr_reread_lines(o, pix, 300, layout, &text);
	assert_int_equal(conf_of(layout), 30);
	assert_string_equal(text, "Số: 358/GPXD");	/* never rewritten */
	free(text);
	json_decref(layout);
	pixDestroy(&pix);
	free(path);
}

static int
setup(void **state)
{
	char err[ERRMAX];

	*state = ocr_open("vie", err);
	return *state == NULL ? -1 : 0;
}

static int
teardown(void **state)
{
	ocr_close(*state);
	return 0;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_marks_back),
		cmocka_unit_test(test_only_marks),
		cmocka_unit_test(test_text_not_the_layout),
		cmocka_unit_test(test_number_confirmed),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
