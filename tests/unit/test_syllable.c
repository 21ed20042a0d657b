/*
 * test_syllable.c: which words are valid Vietnamese syllables, and which
 * reading is chosen among Tesseract's alternatives.  A clerk notices a
 * word misread ("ngưòi") and a code or a name mangled into a syllable
 * (UBND, "Email" turned Vietnamese): both are tested.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "sohoa.h"

static struct syllable_dict *dict;

static int
setup(void **state)
{
	/* scripts/install-deps installs hunspell-vi: its absence is a fault. */
	if ((dict = syllable_open(NULL, NULL)) == NULL)
		fail_msg("hunspell-vi (/usr/share/hunspell/vi_VN.dic) is "
		    "missing");
	return 0;
}

static int
teardown(void **state)
{
	syllable_close(dict);
	return 0;
}

/* Valid or other: never read again. */
#define LEFT_ALONE	-1

struct check_case {
	const char	*word;
	int		 want;
};

static const struct check_case check_cases[] = {
	/* Syllables, in small letters, capitalised, in capitals. */
	{ "người", SYLLABLE_VALID },
	{ "Người", SYLLABLE_VALID },
	{ "NGƯỜI", SYLLABLE_VALID },
	{ "nghiêng", SYLLABLE_VALID },
	{ "quốc", SYLLABLE_VALID },
	{ "đăng", SYLLABLE_VALID },
	{ "ký", SYLLABLE_VALID },
	/* The tone on either vowel: the list has hoà, khoẻ, thuỷ. */
	{ "hoà", SYLLABLE_VALID },
	{ "hòa", SYLLABLE_VALID },
	{ "khỏe", SYLLABLE_VALID },
	{ "thủy", SYLLABLE_VALID },
	/* Misreadings. */
	{ "ngưòi", SYLLABLE_INVALID },
	{ "triên", SYLLABLE_INVALID },
	{ "phỏ", SYLLABLE_INVALID },
	{ "ViỆt", SYLLABLE_INVALID },
	/* A stop ending takes only sắc or nặng. */
	{ "tốt", SYLLABLE_VALID },
	{ "học", SYLLABLE_VALID },
	{ "sách", SYLLABLE_VALID },
	{ "đạp", SYLLABLE_VALID },
	{ "tồt", SYLLABLE_INVALID },
	{ "hỏc", SYLLABLE_INVALID },
	{ "sãch", SYLLABLE_INVALID },
	{ "lẫp", SYLLABLE_INVALID },
	/* Not Vietnamese words: left alone. */
	{ "UBND", SYLLABLE_OTHER },
	{ "QĐ", SYLLABLE_OTHER },
	{ "TLKS", SYLLABLE_OTHER },
	{ "XIV", SYLLABLE_OTHER },
	{ "eKYC", SYLLABLE_OTHER },
	{ "Email", LEFT_ALONE },		/* the list has it */
	{ "Internet", LEFT_ALONE },
	{ "website", SYLLABLE_OTHER },
	{ "Zalo", SYLLABLE_OTHER },
	{ "1245/QĐ-UBND", SYLLABLE_OTHER },
	{ "2019", SYLLABLE_OTHER },
	{ "12a", SYLLABLE_OTHER },
	{ "b", SYLLABLE_OTHER },
	{ "nh", SYLLABLE_OTHER },
	{ "ngày,", SYLLABLE_OTHER },	/* the caller strips punctuation */
	{ "", SYLLABLE_OTHER },
};

static void
test_check_table(void **state)
{
	size_t i;

	for (i = 0; i < sizeof check_cases / sizeof check_cases[0]; i++) {
		int got = syllable_check(dict, check_cases[i].word);

		if (check_cases[i].want == LEFT_ALONE ? got == SYLLABLE_INVALID :
		    got != check_cases[i].want)
			fail_msg("'%s': %d, want %d", check_cases[i].word, got,
			    check_cases[i].want);
	}
}

/* Without the list, the tone rule of stop endings still holds. */
static void
test_check_without_list(void **state)
{
	assert_int_equal(syllable_check(NULL, "tồt"), SYLLABLE_INVALID);
	assert_int_equal(syllable_check(NULL, "UBND"), SYLLABLE_OTHER);
}

/* A word of symbols: each is "text" with alternatives "a/50 b/30...". */
struct word {
	struct syllable_symbol sym[12];
	struct syllable_choice alt[12][6];
	int	 n;
};

static void
word_add(struct word *w, const char *text, float conf, int nalt, ...)
{
	va_list ap;
	int i;

	va_start(ap, nalt);
	for (i = 0; i < nalt; i++) {
		w->alt[w->n][i].text = va_arg(ap, const char *);
		w->alt[w->n][i].conf = (float)va_arg(ap, double);
	}
	va_end(ap);
	w->sym[w->n] = (struct syllable_symbol){ text, conf, w->alt[w->n],
	    nalt };
	w->n++;
}

static void
test_choose_offered_alternative(void **state)
{
	struct word w = { .n = 0 };
	char *got;

	/* "ngưòi," with "ờ" the second choice of its fourth letter. */
	word_add(&w, "n", 95, 1, "n", 95.0);
	word_add(&w, "g", 93, 2, "g", 93.0, "q", 2.0);
	word_add(&w, "ư", 90, 2, "ư", 90.0, "u", 40.0);
	word_add(&w, "ò", 80, 3, "ò", 80.0, "ờ", 60.0, "ó", 30.0);
	word_add(&w, "i", 94, 1, "i", 94.0);
	word_add(&w, ",", 90, 2, ",", 90.0, ".", 20.0);
	got = syllable_choose(dict, w.sym, w.n);
	assert_non_null(got);
	assert_string_equal(got, "người,");
	free(got);
}

static void
test_choose_cheapest(void **state)
{
	struct word w = { .n = 0 };
	char *got;

	/* "phỏ": both "phổ" and "phở" are syllables; "ổ" costs less. */
	word_add(&w, "p", 95, 1, "p", 95.0);
	word_add(&w, "h", 95, 1, "h", 95.0);
	word_add(&w, "ỏ", 70, 3, "ỏ", 70.0, "ở", 20.0, "ổ", 55.0);
	got = syllable_choose(dict, w.sym, w.n);
	assert_non_null(got);
	assert_string_equal(got, "phổ");
	free(got);
}

static void
test_choose_never_invents(void **state)
{
	struct word w = { .n = 0 };

	/* "triên": "triển" would be right, but "ể" was not offered. */
	word_add(&w, "t", 95, 1, "t", 95.0);
	word_add(&w, "r", 95, 1, "r", 95.0);
	word_add(&w, "i", 95, 1, "i", 95.0);
	word_add(&w, "ê", 80, 2, "ê", 80.0, "é", 40.0);
	word_add(&w, "n", 95, 2, "n", 95.0, "m", 30.0);
	assert_null(syllable_choose(dict, w.sym, w.n));
}

static void
test_choose_ignores_weak_alternatives(void **state)
{
	struct word w = { .n = 0 };

	/* "ờ" scored next to nothing: not a reading Tesseract offers. */
	word_add(&w, "n", 95, 1, "n", 95.0);
	word_add(&w, "g", 93, 1, "g", 93.0);
	word_add(&w, "ư", 90, 1, "ư", 90.0);
	word_add(&w, "ò", 80, 2, "ò", 80.0, "ờ", 0.5);
	word_add(&w, "i", 94, 1, "i", 94.0);
	assert_null(syllable_choose(dict, w.sym, w.n));
}

static void
test_choose_leaves_valid_and_codes(void **state)
{
	struct word w = { .n = 0 }, c = { .n = 0 };

	/* A valid reading stays even when an alternative is valid too. */
	word_add(&w, "t", 95, 1, "t", 95.0);
	word_add(&w, "ô", 90, 2, "ô", 90.0, "ố", 80.0);
	word_add(&w, "i", 95, 1, "i", 95.0);
	assert_null(syllable_choose(dict, w.sym, w.n));
	/* UBND is no syllable, but an abbreviation: "UBNĐ"? never. */
	word_add(&c, "U", 95, 2, "U", 95.0, "Ư", 40.0);
	word_add(&c, "B", 95, 1, "B", 95.0);
	word_add(&c, "N", 95, 1, "N", 95.0);
	word_add(&c, "D", 95, 2, "D", 95.0, "Đ", 40.0);
	assert_null(syllable_choose(dict, c.sym, c.n));
}

static void
test_choose_case_kept(void **state)
{
	struct word w = { .n = 0 };
	char *got;

	/* "ViỆt": the small "ệ" offered makes it "Việt"; "VIỆT"'s "I" is
	 * not offered, so capitals are not made up. */
	word_add(&w, "V", 95, 1, "V", 95.0);
	word_add(&w, "i", 95, 1, "i", 95.0);
	word_add(&w, "Ệ", 70, 2, "Ệ", 70.0, "ệ", 60.0);
	word_add(&w, "t", 95, 1, "t", 95.0);
	got = syllable_choose(dict, w.sym, w.n);
	assert_non_null(got);
	assert_string_equal(got, "Việt");
	free(got);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_check_table),
		cmocka_unit_test(test_check_without_list),
		cmocka_unit_test(test_choose_offered_alternative),
		cmocka_unit_test(test_choose_cheapest),
		cmocka_unit_test(test_choose_never_invents),
		cmocka_unit_test(test_choose_ignores_weak_alternatives),
		cmocka_unit_test(test_choose_leaves_valid_and_codes),
		cmocka_unit_test(test_choose_case_kept),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
