/*
 * test_vntext.c: Vietnamese normalisation as a clerk meets it.  A name
 * typed with or without marks, in capitals, decomposed by another system
 * or mangled into invalid UTF-8 must fold to one and the same search key,
 * and NFC must never fail or lose the letters it was given.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "sohoa.h"

struct fold_case {
	const char	*what;
	const char	*in;
	const char	*want;
};

static const struct fold_case fold_cases[] = {
	{ "precomposed name", "Nguyễn Văn Đức", "nguyen van duc" },
	/* N g u y e U+0302 U+0303 n, V a U+0306 n, Đ u U+0301 c */
	{ "decomposed name (NFD)",
	  "Nguye\xcc\x82\xcc\x83n Va\xcc\x86n \xc4\x90u\xcc\x81" "c",
	  "nguyen van duc" },
	{ "capitals", "NGUYỄN VĂN ĐỨC", "nguyen van duc" },
	{ "tone mark on o (new style)", "hòa", "hoa" },
	{ "tone mark on a (old style)", "hoà", "hoa" },
	{ "capitals, old style", "HOÀ", "hoa" },
	{ "hỏi on u and on y", "thuỷ thủy", "thuy thuy" },
	/* t h u y U+0309: the hỏi as a combining mark after y */
	{ "decomposed hỏi", "thuy\xcc\x89", "thuy" },
	{ "vowel marks go too", "ăâêôơư ĂÂÊÔƠƯ", "aaeoou aaeoou" },
	{ "đ and Đ", "đăng ký Đống Đa", "dang ky dong da" },
	{ "eth read for Đ", "\xc3\x90\xe1\xbb\xa8" "C", "duc" },
	{ "identifiers unchanged but lower case", "1245/QĐ-UBND",
	  "1245/qd-ubnd" },
	{ "digits and punctuation kept", "000.23.11.H26-240315-0017",
	  "000.23.11.h26-240315-0017" },
	{ "ID number kept", "CCCD: 001323012345", "cccd: 001323012345" },
	{ "invalid byte becomes U+FFFD", "Ha\xff N\xe1\xbb\x99i",
	  "ha\xef\xbf\xbd noi" },
	{ "truncated sequence", "Vi\xe1\xbb", "vi\xef\xbf\xbd\xef\xbf\xbd" },
	{ "empty string", "", "" },
};

static void
test_fold_table(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof fold_cases / sizeof fold_cases[0]; i++) {
		char *got = vntext_fold(fold_cases[i].in);

		if (strcmp(got, fold_cases[i].want) != 0)
			fail_msg("%s: \"%s\" folded to \"%s\", expected \"%s\"",
			    fold_cases[i].what, fold_cases[i].in, got,
			    fold_cases[i].want);
		free(got);
	}
}

struct nfc_case {
	const char	*what;
	const char	*in;
	size_t		 len;		/* 0: strlen(in) */
	const char	*want;
};

static const struct nfc_case nfc_cases[] = {
	{ "NFC stays as it is", "Nguyễn Thị Thu Hường", 0,
	  "Nguyễn Thị Thu Hường" },
	{ "NFD is composed",
	  "Nguye\xcc\x82\xcc\x83n Thi\xcc\xa3 Thu Hu\xcc\x9bo\xcc\x9b\xcc\x80ng", 0,
	  "Nguyễn Thị Thu Hường" },
	{ "dot below, then circumflex",
	  "Ha\xcc\xa3\xcc\x82u", 0, "Hậu" },
	{ "circumflex, then dot below",
	  "Ha\xcc\x82\xcc\xa3u", 0, "Hậu" },
	{ "đ has no decomposition and stays", "Đức", 0, "Đức" },
	{ "invalid bytes become U+FFFD", "a\x80" "b\xc3", 0,
	  "a\xef\xbf\xbd" "b\xef\xbf\xbd" },
	{ "overlong encoding is invalid", "\xc0\xaf", 0,
	  "\xef\xbf\xbd\xef\xbf\xbd" },
	{ "surrogate is invalid", "\xed\xa0\x80", 0,
	  "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd" },
	{ "embedded NUL is replaced, length is honoured", "ab\0cd", 5,
	  "ab\xef\xbf\xbd" "cd" },
	{ "only the first len bytes", "Hà Nội", 3, "Hà" },
	{ "empty string", "", 0, "" },
};

static void
test_nfc_table(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof nfc_cases / sizeof nfc_cases[0]; i++) {
		const struct nfc_case *c = &nfc_cases[i];
		size_t len = c->len ? c->len : strlen(c->in);
		char *got = vntext_nfc(c->in, len);

		if (strcmp(got, c->want) != 0)
			fail_msg("%s: got \"%s\", expected \"%s\"", c->what,
			    got, c->want);
		free(got);
	}
}

/* A query typed three ways must find the same stored name. */
static void
test_fold_query_forms_agree(void **state)
{
	const char *forms[] = {
		"Trần Thị Hoà", "tran thi hoa", "TRẦN THỊ HÒA",
		"Tra\xcc\x82\xcc\x80n Thi\xcc\xa3 Hoa\xcc\x80",
	};
	char *first, *got;
	size_t i;

	(void)state;
	first = vntext_fold(forms[0]);
	assert_string_equal(first, "tran thi hoa");
	for (i = 1; i < sizeof forms / sizeof forms[0]; i++) {
		got = vntext_fold(forms[i]);
		assert_string_equal(got, first);
		free(got);
	}
	free(first);
}

/* Matching on the folded form must be able to cut the original text. */
static void
test_fold_map_cuts_original(void **state)
{
	const char *s = "Số: 1245/QĐ-UBND Cầu Giấy";
	size_t *map = NULL;
	char *folded, *hit, *whole;
	size_t start, end;

	(void)state;
	folded = vntext_fold_map(s, &map);
	whole = vntext_fold(s);
	assert_string_equal(folded, whole);
	assert_string_equal(folded, "so: 1245/qd-ubnd cau giay");
	hit = strstr(folded, "1245/qd-ubnd");
	assert_non_null(hit);
	start = map[hit - folded];
	end = map[hit - folded + strlen("1245/qd-ubnd")];
	assert_int_equal(end - start, strlen("1245/QĐ-UBND"));
	assert_memory_equal(s + start, "1245/QĐ-UBND", end - start);
	assert_int_equal(map[strlen(folded)], strlen(s));
	free(whole);
	free(folded);
	free(map);
}

static void
test_null_is_empty(void **state)
{
	char *s;

	(void)state;
	s = vntext_nfc(NULL, 0);
	assert_string_equal(s, "");
	free(s);
	s = vntext_fold(NULL);
	assert_string_equal(s, "");
	free(s);
}

/* What a terminal, a log line or a table is given: one line, no escape
 * sequence, Vietnamese as it is, bytes that are not UTF-8 named. */
static void
test_escape_for_display(void **state)
{
	static const struct { const char *in, *out; } t[] = {
		{ "Nguyễn Văn Đức", "Nguyễn Văn Đức" },
		{ "an\nGIA MAO\033[1A", "an\\nGIA MAO\\e[1A" },
		{ "scan-\xe0\xf1.png", "scan-\\xe0\\xf1.png" },
		{ "tab\there\r", "tab\\there\\r" },
		{ "\xc2\x85next", "\\u0085next" },		/* C1 NEL */
		{ "abc\xe2\x80\xaetxt.exe", "abc\\u202etxt.exe" },	/* RLO */
		{ "line\xe2\x80\xa8sep", "line\\u2028sep" },
		{ "\x7f", "\\x7f" },
		{ "\xe1\xba", "\\xe1\\xba" },		/* cut short */
		{ "", "" },
	};
	char small[8], *e;
	size_t i, n;

	(void)state;
	for (i = 0; i < sizeof t / sizeof t[0]; i++) {
		e = vntext_escape(t[i].in, strlen(t[i].in));
		assert_string_equal(e, t[i].out);
		free(e);
	}
	/* Cut between pieces, never inside one; the length is the whole. */
	n = vntext_escape_into(small, sizeof small, "ab\ncdef", 7);
	assert_int_equal(n, 8);
	assert_string_equal(small, "ab\\ncde");
	n = vntext_escape_into(small, sizeof small, "Đức Đức", strlen("Đức Đức"));
	assert_int_equal(n, 13);
	assert_string_equal(small, "Đức ");
	assert_true(vntext_utf8_valid("Đức", 5));
	assert_false(vntext_utf8_valid("\xe0\xf1", 2));
	assert_false(vntext_utf8_valid("a\0b", 3));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fold_table),
		cmocka_unit_test(test_nfc_table),
		cmocka_unit_test(test_fold_query_forms_agree),
		cmocka_unit_test(test_fold_map_cuts_original),
		cmocka_unit_test(test_null_is_empty),
		cmocka_unit_test(test_escape_for_display),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
