/*
 * test_citytext.c: the city's full text.  The tsvector literal must cast
 * in PostgreSQL whatever a scan's text holds (quotes, backslashes, bytes
 * that are not UTF-8), hold the very tokens the office's index holds (the
 * folded word and its twin, no pairs), at the positions and weights the
 * city's ranking counts on, within PostgreSQL's limits; the tsquery must
 * ask what the local search asks, every lexeme quoted.  Whether the
 * literal casts is checked against a real PostgreSQL by
 * tests/system/86-city-read.sh.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "sohoa.h"

/* The literal with the twins' bytes readable: \x01 as '=', tones as
 * digits. */
static char *
shown(const char *s)
{
	char *r = xstrdup(s), *p;

	for (p = r; *p != '\0'; p++)
		if (*p == TOKENIZER_TWIN)
			*p = '=';
		else if (*p >= 2 && *p <= 6)
			*p = (char)('0' + *p);
	return r;
}

static void
expect_vector(const char *body, const char *fields, const char *want)
{
	char *v = citytext_tsvector(body, fields), *s;

	assert_non_null(v);
	s = shown(v);
	assert_string_equal(s, want);
	free(s);
	free(v);
}

/* Lexemes in PostgreSQL's order (bytes, then the shorter); the twins of
 * words with letters beside them, digits without; D unmarked, A marked. */
static void
test_literal_shape(void **state)
{
	expect_vector("Nguyễn Văn", NULL,
	    "'=nguyên5':1 '=văn':2 'nguyen':1 'van':2");
	expect_vector("", "Đức", "'=đưc3':2A 'duc':2A");
	expect_vector("a", "a", "'=a':1,3A 'a':1,3A");
	/* Identifiers are split as the local index splits them. */
	expect_vector("Số: 1245/QĐ-UBND", NULL,
	    "'=qđ':3 '=sô3':1 '=ubnd':4 '1245':2 'qd':3 'so':1 'ubnd':4");
	expect_vector(NULL, NULL, "");
	expect_vector("  ,;  ", "", "");
}

/* NFD and NFC give one literal; so do the two tone placements. */
static void
test_forms_agree(void **state)
{
	char *a = citytext_tsvector("Hoà", NULL);
	char *b = citytext_tsvector("Ho\xcc\x80" "a", NULL);
	char *c = citytext_tsvector("Hòa", NULL);

	assert_string_equal(a, b);
	assert_string_equal(a, c);
	free(a);
	free(b);
	free(c);
}

/*
 * Whatever the text: no byte of it reaches the literal unquoted.  The
 * tokenizer keeps letters and digits only, so quotes and backslashes are
 * separators here; a byte that is not UTF-8 is U+FFFD, no letter; the
 * literal is valid UTF-8 and every quote inside a lexeme doubled.
 */
static void
test_escaping(void **state)
{
	const char *odd = "l'an \\x O'Brien \"q\" \xe0\xf1\xff tab\there "
	    "nul-less \x7f end";
	char *v = citytext_tsvector(odd, "a'b\\c");
	size_t i, quotes = 0;

	assert_non_null(v);
	assert_true(vntext_utf8_valid(v, strlen(v)));
	for (i = 0; v[i] != '\0'; i++)
		if (v[i] == '\'')
			quotes++;
	assert_int_equal(quotes % 2, 0);
	assert_null(strchr(v, '\\'));
	assert_non_null(strstr(v, "'obrien'") == NULL ? strstr(v, "'o'") :
	    strstr(v, "'obrien'"));
	free(v);
}

/* Positions past 16383 are 16383, the fields after the body's last + 1. */
static void
test_positions_capped(void **state)
{
	struct buf b;
	char *v, *p;
	int i;

	buf_init(&b, 1 << 20);
	for (i = 0; i < 17000; i++)
		buf_printf(&b, "w%d ", i);
	v = citytext_tsvector(b.data, "tail");
	assert_non_null(v);
	assert_non_null(strstr(v, "'w0':1 "));
	assert_non_null(strstr(v, "'w16382':16383 "));
	assert_non_null(strstr(v, "'w16999':16383 "));
	assert_non_null(p = strstr(v, "'tail':16383A"));
	free(v);
	v = citytext_tsvector("one two", "three");
	assert_non_null(strstr(v, "'three':4A"));
	free(v);
	buf_free(&b);
}

/* A word repeated more than 256 times keeps 256 positions, those of the
 * fields among them; a lexeme longer than PostgreSQL takes is left out. */
static void
test_position_count_and_length(void **state)
{
	struct buf b;
	char *v, *p, *long_word;
	int i, n;

	buf_init(&b, 1 << 20);
	for (i = 0; i < 400; i++)
		buf_printf(&b, "nam ");
	v = citytext_tsvector(b.data, "nam");
	p = strstr(v, "'nam':");
	assert_non_null(p);
	for (n = 1, p += 6; *p != ' ' && *p != '\0'; p++)
		n += *p == ',';
	assert_int_equal(n, 256);
	assert_non_null(strstr(v, ",402A"));
	free(v);
	buf_free(&b);

	long_word = xmalloc(3001);
	memset(long_word, 'x', 3000);
	long_word[3000] = '\0';
	v = citytext_tsvector(long_word, "ok");
	assert_null(strstr(v, "xxxx"));
	assert_non_null(strstr(v, "'ok':3A"));
	free(v);
	free(long_word);
}

/* A text of more words than a tsvector holds (1 MB of lexemes) keeps
 * within it, and keeps the fields' words, which come after it. */
static void
test_text_too_large(void **state)
{
	struct buf b;
	char *v, *p;
	size_t bytes = 0;
	int i;

	(void)state;
	buf_init(&b, 8 << 20);
	for (i = 0; i < 200000; i++)
		buf_printf(&b, "w%07dx ", i);
	v = citytext_tsvector(b.data, "Nguyễn Văn An");
	for (p = v; (p = strchr(p, '\'')) != NULL; p = strchr(p + 1, '\'') + 1)
		bytes += (size_t)(strchr(p + 1, '\'') - p - 1);
	assert_true(bytes < (1 << 20));
	assert_true(bytes > (900 << 10));
	assert_non_null(strstr(v, "'nguyen':"));
	assert_non_null(strstr(v, "'an':"));
	free(v);
	buf_free(&b);
}

/* The twins' queries, "[q1|q2]" (JSON would escape their bytes). */
static char *
twins_joined(json_t *twins)
{
	struct buf b;
	json_t *v;
	size_t i;

	buf_init(&b, 1 << 20);
	buf_append(&b, "[", 1);
	json_array_foreach(twins, i, v)
		buf_printf(&b, "%s%s", i ? "|" : "", json_string_value(v));
	buf_append(&b, "]", 1);
	return b.data;
}

static void
expect_query(const char *query, const struct search_filter *f,
    const char *match, const char *twins)
{
	struct search_parsed p;
	struct citytext_query q;
	char err[ERRMAX], *s, *t;

	assert_int_equal(search_parse(query, f, &p, err), 0);
	assert_int_equal(citytext_tsquery(&p, &q, err), 0);
	if (match == NULL)
		assert_null(q.match);
	else {
		s = shown(q.match);
		assert_string_equal(s, match);
		free(s);
	}
	t = twins_joined(q.twins);
	s = shown(t);
	assert_string_equal(s, twins);
	free(s);
	free(t);
	citytext_query_free(&q);
	search_parsed_free(&p);
}

/* Words ANDed, identifiers and phrases as <->, prefixes, twins of the
 * words when one is typed with diacritics, the filters in the fields. */
static void
test_tsquery(void **state)
{
	struct search_filter f;

	expect_query("nguyen van an", NULL, "'nguyen' & 'van' & 'an'", "[]");
	expect_query("Đức nguyen", NULL, "'duc' & 'nguyen'",
	    "['=đưc3'|'=nguyen']");
	expect_query("1245/QĐ-UBND", NULL, "('1245' <-> 'qd' <-> 'ubnd')",
	    "[('1245' <-> '=qđ' <-> '=ubnd')]");
	expect_query("\"thu huong\" huon*", NULL,
	    "('thu' <-> 'huong') & 'huon':*", "[]");
	expect_query("Hườ*", NULL, "'huo':*", "['=hươ':*]");
	expect_query("001323 012345", NULL,
	    "(('001323' & '012345') | '001323012345')", "[]");
	/* A word is its tokens in a row, whatever splits them. */
	expect_query("o'brien a\\b", NULL, "('o' <-> 'brien') & ('a' <-> 'b')",
	    "[]");
	memset(&f, 0, sizeof f);
	f.person_id = "001323012345";
	f.dossier_code = "000.23.11.h26-240315-0017";
	expect_query(NULL, &f, "'001323012345':A & ('000':A <-> '23':A <-> "
	    "'11':A <-> 'h26':A <-> '240315':A <-> '0017':A)", "[]");
	memset(&f, 0, sizeof f);
	f.agency_code = "000.00.05.H26";
	expect_query(NULL, &f, NULL, "[]");
}

static void
test_snippet(void **state)
{
	struct search_parsed p;
	struct citytext_query q;
	char err[ERRMAX], *s;

	assert_int_equal(search_parse("nguyen van an", NULL, &p, err), 0);
	assert_int_equal(citytext_tsquery(&p, &q, err), 0);
	s = citytext_snippet("TRÍCH LỤC KHAI SINH\nHọ, chữ đệm, tên: NGUYỄN "
	    "VĂN AN\nNgày sinh: 01/02/2020 một hai ba bốn năm sáu bảy tám",
	    "NGUYỄN VĂN AN\n", &q);
	assert_string_equal(s, "TRÍCH LỤC KHAI SINH\nHọ, chữ đệm, tên: "
	    "[NGUYỄN] [VĂN] [AN]\nNgày…");
	free(s);
	s = citytext_snippet("", "", &q);
	assert_string_equal(s, "");
	free(s);
	citytext_query_free(&q);
	search_parsed_free(&p);
}

/* The type filter's folding in PostgreSQL matches tokenizer_words's. */
static void
test_fold_map(void **state)
{
	char *from, *to, *p;
	const char *v;
	size_t n;

	citytext_fold_map(&from, &to);
	v = strstr(from, "Ấ");
	assert_non_null(v);
	/* The character's place among the characters of from. */
	for (n = 0, p = from; p < v; p++)
		n += ((unsigned char)*p & 0xc0) != 0x80;
	assert_int_equal(to[n], 'a');
	assert_non_null(strstr(from, "Đ"));
	assert_non_null(strstr(from, "đ"));
	assert_non_null(strchr(from, 'Q'));
	assert_null(strchr(from, 'q'));
	assert_true(vntext_utf8_valid(from, strlen(from)));
	free(from);
	free(to);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_literal_shape),
		cmocka_unit_test(test_text_too_large),
		cmocka_unit_test(test_forms_agree),
		cmocka_unit_test(test_escaping),
		cmocka_unit_test(test_positions_capped),
		cmocka_unit_test(test_position_count_and_length),
		cmocka_unit_test(test_tsquery),
		cmocka_unit_test(test_snippet),
		cmocka_unit_test(test_fold_map),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
