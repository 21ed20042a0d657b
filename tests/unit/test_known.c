/*
 * test_known.c: document types and codes settled to the ones results
 * really carry.  A title or a code read with one OCR slip must come back
 * as it was printed; one that could be either of two known ones, or none,
 * must stay as read (numbers) or give null (types): a wrong value in a
 * clerk's index is worse than a missing one.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "sohoa.h"

struct known_case {
	const char	*what;
	const char	*in;
	const char	*want;		/* NULL: none */
};

static const struct known_case type_cases[] = {
	{ "as printed", "QUYẾT ĐỊNH", "QUYẾT ĐỊNH" },
	{ "marks lost", "QUYET DINH", "QUYẾT ĐỊNH" },
	{ "marks slipped, trailing dot", "TRÍCH LUC KHAI SlNH.",
	    "TRÍCH LỤC KHAI SINH" },
	{ "the two lines of a household certificate",
	    "GIẤY CHỨNG NHẬN ĐĂNG KÝ HỘ KINH DOANH",
	    "GIẤY CHỨNG NHẬN ĐĂNG KÝ HỘ KINH DOANH" },
	{ "a letter doubled", "GIẤY PHÉPP XÂY DỰNG", "GIẤY PHÉP XÂY DỰNG" },
	{ "two slips in a long name", "GIAY CHUNG NHAN DANG KV HO KlNH DOANH",
	    "GIẤY CHỨNG NHẬN ĐĂNG KÝ HỘ KINH DOANH" },
	{ "in lower case", "thông tư", "THÔNG TƯ" },
	{ "Nghị định", "NGHỊ ĐỊNH", "NGHỊ ĐỊNH" },
	{ "Luật, exactly", "LUẬT", "LUẬT" },
	{ "a short name takes no slip: LUẬN is not LUẬT", "LUẬN", NULL },
	{ "ĐỀ ÁN and DỰ ÁN are one apart: both exact", "DỰ ÁN", "DỰ ÁN" },
	{ "THÔNG BÁO exact, though THÔNG CÁO is one away", "THONG BAO",
	    "THÔNG BÁO" },
	{ "one slip from both THÔNG BÁO and THÔNG CÁO", "THÔNG DÁO", NULL },
	{ "OCR debris is no type", "TT HE. NG", NULL },
	{ "a header line is no type", "BAN NHÂN DẦN", NULL },
	{ "the signature is no type",
	    "CHỦ TỊCH ỦY BAN NHÂN DÂN PHƯỜNG LĨNH NAM", NULL },
	{ "empty", "", NULL },
	{ "no generic certificate: unsure which", "GIẤY CHỨNG NHẬN", NULL },
};

static void
test_doc_type(void **state)
{
	size_t i;
	const char *got;

	(void)state;
	for (i = 0; i < sizeof type_cases / sizeof type_cases[0]; i++) {
		got = known_doc_type(type_cases[i].in);
		if (type_cases[i].want == NULL && got != NULL)
			fail_msg("%s: got %s, want null", type_cases[i].what,
			    got);
		if (type_cases[i].want != NULL && (got == NULL ||
		    strcmp(got, type_cases[i].want) != 0))
			fail_msg("%s: got %s, want %s", type_cases[i].what,
			    got != NULL ? got : "null", type_cases[i].want);
	}
	assert_null(known_doc_type(NULL));
}

static const struct known_case tail_cases[] = {
	{ "a stamp's hour beside the title", "Giờ: 7h45 QUYẾT ĐỊNH",
	    "QUYẾT ĐỊNH" },
	{ "a stamp's day", "Ngày: 231212 GIẤY PHÉP XÂY DỰNG",
	    "GIẤY PHÉP XÂY DỰNG" },
	{ "debris", "(12m ..... GIẤY CHỨNG NHẬN ĐĂNG KÝ HỘ KINH DOANH",
	    "GIẤY CHỨNG NHẬN ĐĂNG KÝ HỘ KINH DOANH" },
	{ "the formula before the articles", "QUYẾT ĐỊNH:", NULL },
	{ "a sentence ending in a type, in lower case",
	    "Chánh Văn phòng chịu trách nhiệm thi hành quyết định", NULL },
	{ "a word in capitals alone is not taken", "Căn cứ LUẬT", NULL },
	{ "nothing known", "VĂN PHÒNG HĐND VÀ UBND", NULL },
	{ "an office ending in a type's words: a dash",
	    "PHÒNG TÀI CHÍNH - KẾ HOẠCH", NULL },
	{ "an office ending in a type's words", "BAN QUẢN LÝ DỰ ÁN", NULL },
	{ "a stamp's word in capitals", "ĐẾN GIẤY PHÉP XÂY DỰNG", NULL },
	{ "the whole line", "KẾ HOẠCH", "KẾ HOẠCH" },
};

static void
test_doc_type_tail(void **state)
{
	size_t i;
	const char *got;

	(void)state;
	for (i = 0; i < sizeof tail_cases / sizeof tail_cases[0]; i++) {
		got = known_doc_type_tail(tail_cases[i].in);
		if (tail_cases[i].want == NULL && got != NULL)
			fail_msg("%s: got %s, want null", tail_cases[i].what,
			    got);
		if (tail_cases[i].want != NULL && (got == NULL ||
		    strcmp(got, tail_cases[i].want) != 0))
			fail_msg("%s: got %s, want %s", tail_cases[i].what,
			    got != NULL ? got : "null", tail_cases[i].want);
	}
}

static const struct known_case number_cases[] = {
	{ "known as printed", "1245/QĐ-UBND", "1245/QĐ-UBND" },
	{ "with a year", "12/2024/TT-BCA", "12/2024/TT-BCA" },
	{ "a letter doubled", "1245/QĐĐ-SXD", "1245/QĐ-SXD" },
	{ "eth for Đ", "17/2026/Q\xc3\x90-UBND", "17/2026/QĐ-UBND" },
	{ "D for Đ", "1245/QD-UBND", "1245/QĐ-UBND" },
	{ "an I too many", "37/TILKS-BS", "37/TLKS-BS" },
	{ "I for T", "37/ILKS-BS", "37/TLKS-BS" },
	{ "a slip in the agency", "1245/QĐ-UBNO", "1245/QĐ-UBND" },
	{ "QyĐ as printed, whatever the case", "5/QYĐ-UBND", "5/QyĐ-UBND" },
	{ "a letter: agency and unit", "731/UBND-KT", "731/UBND-KT" },
	{ "a certification number", "66/2026/SCT/BS", "66/2026/SCT/BS" },
	{ "a certification number with two types", "5/2024/SCT/CK,ĐC",
	    "5/2024/SCT/CK,ĐC" },
	{ "a certification book number", "01/2024-SCT/BS",
	    "01/2024-SCT/BS" },
	{ "a slip in the book's type", "66/2026/SCI/BS", "66/2026/SCT/BS" },
	{ "0 for Q", "1245/0Đ-UBND", "1245/QĐ-UBND" },
	{ "the date line's place joined", "572/TLKS-BS-Đông", "572/TLKS-BS" },
	{ "equally near two codes: as read", "12/QX-UBND", "12/QX-UBND" },
	{ "far from every code: as read", "12/XYZW-UBND", "12/XYZW-UBND" },
	{ "no slash: as read", "0195163130", "0195163130" },
	{ "no sequence: as read", "QĐ-UBND", "QĐ-UBND" },
};

static void
test_doc_number(void **state)
{
	size_t i;
	char *got;

	(void)state;
	for (i = 0; i < sizeof number_cases / sizeof number_cases[0]; i++) {
		got = known_doc_number(number_cases[i].in);
		if (got == NULL || strcmp(got, number_cases[i].want) != 0)
			fail_msg("%s: %s gave %s, want %s",
			    number_cases[i].what, number_cases[i].in,
			    got != NULL ? got : "null", number_cases[i].want);
		free(got);
	}
	assert_null(known_doc_number(NULL));
}

static void
test_regno(void **state)
{
	(void)state;
	assert_true(known_regno("0195163130"));
	assert_true(known_regno("01D8012345"));
	assert_false(known_regno("01D801234"));		/* nine */
	assert_false(known_regno("D018012345"));	/* a letter first */
	assert_false(known_regno("01ABCDE123"));	/* too few digits */
	assert_false(known_regno("01d8012345"));
	assert_false(known_regno(NULL));
	assert_true(known_regno_type("GIẤY CHỨNG NHẬN ĐĂNG KÝ HỘ KINH DOANH"));
	assert_false(known_regno_type("QUYẾT ĐỊNH"));
	assert_false(known_regno_type(NULL));
}

static void
test_agency_learned(void **state)
{
	struct profile pr;
	char *a;
	char *got;

	(void)state;
	a = known_agency_abbr("Sở Xây dựng");
	assert_string_equal(a, "SXD");
	free(a);
	a = known_agency_abbr("Hội đồng nhân dân phường Dịch Vọng Hậu");
	assert_string_equal(a, "HĐND");
	free(a);
	a = known_agency_abbr("UBND phường Dịch Vọng Hậu");
	assert_string_equal(a, "UBND");
	free(a);
	assert_null(known_agency_abbr(NULL));

	/* An office the built-in list does not know: a slip in its
	 * abbreviation is kept until a profile names it, then settled. */
	got = known_doc_number("12/QĐ-BQLDAXO");
	assert_string_equal(got, "12/QĐ-BQLDAXO");
	free(got);
	memset(&pr, 0, sizeof pr);
	pr.agency_name = xstrdup("Ban quản lý dự án xây dựng");
	known_learn_profile(&pr);
	free(pr.agency_name);
	got = known_doc_number("12/QĐ-BQLDAXO");
	assert_string_equal(got, "12/QĐ-BQLDAXD");
	free(got);
	got = known_doc_number("12/QĐ-BQLDAXD");
	assert_string_equal(got, "12/QĐ-BQLDAXD");
	free(got);
}

static void
expect_family(const char *word, const char *want)
{
	char *got = known_family_name(word);

	if (want == NULL)
		assert_null(got);
	else {
		assert_non_null(got);
		assert_string_equal(got, want);
	}
	free(got);
}

/* A family name read with its marks lost or wrong is the one family name
 * it folds to; where two fold alike, or it is none, it stays as read. */
static void
test_family_name(void **state)
{
	(void)state;
	expect_family("KHÔNG", "KHỔNG");	/* không is no name */
	expect_family("NGUYÊN", "NGUYỄN");
	expect_family("NGUYEN", "NGUYỄN");
	expect_family("Nguyen", "Nguyễn");
	expect_family("TRÂN", "TRẦN");
	expect_family("Dang", "Đặng");
	expect_family("NGUYỄN", NULL);		/* already so */
	expect_family("LƯ", NULL);		/* Lư or Lữ: both are names */
	expect_family("LU", NULL);
	expect_family("La", NULL);		/* La or Lã */
	expect_family("HÙNG", NULL);		/* a given name */
	expect_family("nguyen", NULL);		/* not written as a name */
	expect_family("", NULL);
	expect_family(NULL, NULL);
	assert_true(known_is_family_name("NGUYEN"));
	assert_true(known_is_family_name("Lữ"));
	assert_false(known_is_family_name("Văn"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_doc_type),
		cmocka_unit_test(test_doc_type_tail),
		cmocka_unit_test(test_doc_number),
		cmocka_unit_test(test_regno),
		cmocka_unit_test(test_agency_learned),
		cmocka_unit_test(test_family_name),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
