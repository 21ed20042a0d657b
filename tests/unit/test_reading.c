/*
 * test_reading.c: a result's two header columns, read as one block line
 * by line, come back in reading order (the left column, then the right),
 * and nothing else moves: a clerk reads the archive's text as the page
 * reads, and a form's rows further down stay rows.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "sohoa.h"

/* A line of words, each word 20 px high; x positions from a spec
 * "word@x0-x1 word@x0-x1 ...". */
static void
add_line(json_t *lines, int y, const char *spec)
{
	json_t *words = json_array();
	char *copy = strdup(spec), *tok, *save = NULL;
	int x0, x1, first = -1, last = 0;

	for (tok = strtok_r(copy, " ", &save); tok != NULL;
	    tok = strtok_r(NULL, " ", &save)) {
		char *at = strrchr(tok, '@');

		assert_non_null(at);
		*at = '\0';
		assert_int_equal(sscanf(at + 1, "%d-%d", &x0, &x1), 2);
		json_array_append_new(words, json_pack("{s:s, s:[iiii], s:i}",
		    "t", tok, "box", x0, y, x1, y + 20, "c", 90));
		if (first < 0)
			first = x0;
		last = x1;
	}
	json_array_append_new(lines, json_pack("{s:i, s:[iiii], s:o}", "b", 1,
	    "box", first, y, last, y + 20, "words", words));
	free(copy);
}

static json_t *
page(void)
{
	json_t *p = json_pack("{s:i, s:i, s:[]}", "w", 1000, "h", 1400,
	    "lines");
	json_t *l = json_object_get(p, "lines");

	add_line(l, 40, "UBND@60-120 PHƯỜNG@130-220 A@230-250 "
	    "CỘNG@560-640 HOÀ@650-720 XÃ@730-770 HỘI@780-840");
	add_line(l, 65, "Số:@70-110 12/QĐ-UBND@120-300 "
	    "Hà@560-600 Nội,@610-660 ngày@670-720 5@730-745");
	add_line(l, 90, "V/v@70-110 cấp@120-170 phép@180-240");
	add_line(l, 160, "Kính@300-360 gửi:@370-430");
	add_line(l, 300, "Họ@60-90 tên:@100-160 AN@170-220 "
	    "Giới@560-620 tính:@630-690 Nam@700-750");
	return p;
}

static void
test_header_columns(void **state)
{
	const char *text = "UBND PHƯỜNG A CỘNG HOÀ XÃ HỘI\n"
	    "Số: 12/QĐ-UBND Hà Nội, ngày 5\n"
	    "V/v cấp phép\n\nKính gửi:\n\nHọ tên: AN Giới tính: Nam\n";
	json_t *p = page();
	char *o;

	(void)state;
	o = reading_order(text, p);
	assert_non_null(o);
	assert_string_equal(o, "UBND PHƯỜNG A\nSố: 12/QĐ-UBND\nV/v cấp phép\n"
	    "CỘNG HOÀ XÃ HỘI\nHà Nội, ngày 5\nKính gửi:\n\n"
	    "Họ tên: AN Giới tính: Nam\n");
	free(o);
	json_decref(p);
}

/* Text that does not line up with its layout word for word stays. */
static void
test_mismatch_left_alone(void **state)
{
	json_t *p = page();

	(void)state;
	assert_null(reading_order("UBND PHƯỜNG A CỘNG HOÀ XÃ HỘI\n", p));
	assert_null(reading_order("UBND PHƯỜNG A CỘNG HOÀ XÃ\n"
	    "Số: 12/QĐ-UBND Hà Nội, ngày 5\nV/v cấp phép\nKính gửi:\n"
	    "Họ tên: AN Giới tính: Nam\n", p));
	assert_null(reading_order(NULL, p));
	assert_null(reading_order("x", NULL));
	json_decref(p);
}

/* A page with no two-column header (a second page) stays as read. */
static void
test_no_header(void **state)
{
	json_t *p = json_pack("{s:i, s:i, s:[]}", "w", 1000, "h", 1400,
	    "lines");

	(void)state;
	add_line(json_object_get(p, "lines"), 40, "một@60-120 hai@130-200 "
	    "ba@210-260 bốn@270-330 năm@340-400 sáu@410-470 bảy@480-540 "
	    "tám@550-610 chín@620-680");
	add_line(json_object_get(p, "lines"), 65, "mười@60-120");
	assert_null(reading_order("một hai ba bốn năm sáu bảy tám chín\n"
	    "mười\n", p));
	json_decref(p);
}

/* A foot: the recipients on the left, the signature on the right; and a
 * header line whose gap is too narrow to tell alone, split at the
 * columns' edges the other lines show. */
static void
test_foot_and_narrow_gap(void **state)
{
	json_t *p = json_pack("{s:i, s:i, s:[]}", "w", 1000, "h", 1400,
	    "lines");
	json_t *l = json_object_get(p, "lines");
	const char *text = "UBND A CỘNG HOÀ\nSố: 1/TB Độc lập\n"
	    "một hai ba bốn năm sáu bảy tám chín mười\n"
	    "Nơi nhận: TM. ỦY BAN\n- Như trên; CHỦ TỊCH\n- Lưu: VT.\n";
	char *o;

	(void)state;
	add_line(l, 40, "UBND@60-120 A@130-420 CỘNG@440-640 HOÀ@650-720");
	add_line(l, 65, "Số:@70-110 1/TB@120-300 Độc@600-660 lập@670-720");
	add_line(l, 400, "một@60-120 hai@130-200 ba@210-260 bốn@270-330 "
	    "năm@340-400 sáu@410-470 bảy@480-540 tám@550-610 chín@620-680 "
	    "mười@690-750");
	add_line(l, 700, "Nơi@60-100 nhận:@110-180 TM.@560-610 ỦY@620-660 "
	    "BAN@670-720");
	add_line(l, 725, "-@60-70 Như@80-120 trên;@130-190 CHỦ@600-660 "
	    "TỊCH@670-730");
	add_line(l, 750, "-@60-70 Lưu:@80-130 VT.@140-180");
	o = reading_order(text, p);
	assert_non_null(o);
	assert_string_equal(o, "UBND A\nSố: 1/TB\nCỘNG HOÀ\nĐộc lập\n"
	    "một hai ba bốn năm sáu bảy tám chín mười\n"
	    "Nơi nhận:\n- Như trên;\n- Lưu: VT.\nTM. ỦY BAN\nCHỦ TỊCH\n");
	free(o);
	json_decref(p);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_header_columns),
		cmocka_unit_test(test_mismatch_left_alone),
		cmocka_unit_test(test_no_header),
		cmocka_unit_test(test_foot_and_narrow_gap),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
