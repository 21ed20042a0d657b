/*
 * test_index.c: what a clerk notices about search: words found with or
 * without diacritics, đ typed as d, NFD input, identifiers typed whole,
 * duplicates not listed twice, and no query that breaks the search.
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

#include "sohoa.h"

struct fixture {
	char	 dir[64];
	char	*db;
	struct index *ix;
	int64_t	 birth, decision, shop;
};

static int64_t
add(struct index *ix, const char *source, const char *sha, const char *text,
    const char *doc_number, const char *dossier, int64_t dup)
{
	json_t *doc = json_pack("{s:s, s:s, s:i, s:f, s:s, s:s?, s:s?, s:[], "
	    "s:[], s:s}", "source_name", source, "sha256", sha, "pages", 1,
	    "ocr_confidence", 90.0, "profile", "test", "doc_number",
	    doc_number, "dossier_code", dossier, "people", "id_numbers",
	    "ingested_at", "2026-11-22T10:00:00+07:00");
	char err[ERRMAX];
	int64_t id;

	if (dup)
		json_object_set_new(doc, "duplicate_of", json_integer(dup));
	assert_int_equal(index_begin(ix), 0);
	assert_int_equal(index_insert(ix, doc, text, err), 0);
	assert_int_equal(index_commit(ix), 0);
	id = json_integer_value(json_object_get(doc, "id"));
	json_decref(doc);
	return id;
}

static int
setup(void **state)
{
	struct fixture *f = calloc(1, sizeof *f);
	char err[ERRMAX];

	snprintf(f->dir, sizeof f->dir, "/tmp/sohoa-index.XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	f->db = xasprintf("%s/sohoa.db", f->dir);
	f->ix = index_open(f->db, err);
	assert_non_null(f->ix);
	f->birth = add(f->ix, "birth.tif", "aa", "TRÍCH LỤC KHAI SINH\n"
	    "Họ, chữ đệm, tên: NGUYỄN THỊ THU HƯỜNG\n"
	    "Số định danh cá nhân: 001323012345\n", "1245/TLKS-BS", NULL, 0);
	f->decision = add(f->ix, "decision.tif", "bb", "QUYẾT ĐỊNH\n"
	    "Về việc cấp phép xây dựng nhà ở riêng lẻ\n",
	    "2087/QĐ-UBND", "000.23.11.H26-240315-0017", 0);
	f->shop = add(f->ix, "shop.tif", "cc", "GIẤY CHỨNG NHẬN ĐĂNG KÝ HỘ "
	    "KINH DOANH\nHọ và tên: ĐẶNG VĂN ĐỨC\n", NULL, NULL, 0);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;
	char *cmd = xasprintf("rm -rf %s", f->dir);

	index_close(f->ix);
	assert_int_equal(system(cmd), 0);
	free(cmd);
	free(f->db);
	free(f);
	return 0;
}

/* The id of the first result, 0 when nothing is found. */
static int64_t
first(struct fixture *f, const char *q, size_t *n)
{
	char err[ERRMAX];
	json_t *r = index_search(f->ix, q, 10, err);
	int64_t id;

	assert_non_null(r);
	*n = json_array_size(r);
	id = *n ? json_integer_value(json_object_get(json_array_get(r, 0),
	    "id")) : 0;
	json_decref(r);
	return id;
}

static void
test_found_with_and_without_diacritics(void **state)
{
	struct fixture *f = *state;
	size_t n;

	assert_int_equal(first(f, "Nguyễn Thị Thu Hường", &n), f->birth);
	assert_int_equal(first(f, "nguyen thi thu huong", &n), f->birth);
	assert_int_equal(n, 1);
	assert_int_equal(first(f, "NGUYEN THI", &n), f->birth);
	/* NFD: e + circumflex + tilde as combining marks. */
	assert_int_equal(first(f, "Nguye\xcc\x82\xcc\x83n", &n), f->birth);
}

static void
test_d_stroke_folds_to_d(void **state)
{
	struct fixture *f = *state;
	size_t n;

	assert_int_equal(first(f, "dang van duc", &n), f->shop);
	assert_int_equal(first(f, "dang ky", &n), f->shop);
	assert_int_equal(first(f, "Đặng", &n), f->shop);
	assert_int_equal(first(f, "quyet dinh", &n), f->decision);
}

static void
test_identifiers_whole(void **state)
{
	struct fixture *f = *state;
	size_t n;

	assert_int_equal(first(f, "2087/QĐ-UBND", &n), f->decision);
	assert_int_equal(n, 1);
	assert_int_equal(first(f, "2087/QD-UBND", &n), f->decision);
	assert_int_equal(first(f, "000.23.11.H26-240315-0017", &n), f->decision);
	assert_int_equal(first(f, "001323012345", &n), f->birth);
	assert_int_equal(first(f, "1245/TLKS-BS", &n), f->birth);
	/* An identifier that is not there finds nothing. */
	assert_int_equal(first(f, "9999/QĐ-UBND", &n), 0);
	assert_int_equal(n, 0);
}

static void
test_prefix(void **state)
{
	struct fixture *f = *state;
	size_t n;

	assert_int_equal(first(f, "huon*", &n), f->birth);
	assert_int_equal(n, 1);
}

static void
test_bad_queries_never_break(void **state)
{
	static const char *bad[] = { "\"", "AND", "OR (", "NEAR(a b", "*",
	    "a:b", "\"unterminated", "^", "-", "col:", "\xff\xfe", NULL };
	struct fixture *f = *state;
	char err[ERRMAX];
	json_t *r;
	int i;

	for (i = 0; bad[i] != NULL; i++) {
		err[0] = '\0';
		r = index_search(f->ix, bad[i], 10, err);
		if (r == NULL)	/* a plain sentence, not FTS5's words */
			assert_null(strstr(err, "fts5"));
		json_decref(r);
	}
	r = index_search(f->ix, "  -  ", 10, err);
	assert_null(r);
	assert_non_null(strstr(err, "letters or digits"));
}

static void
test_duplicates_not_searched_but_listed(void **state)
{
	struct fixture *f = *state;
	json_t *l;
	size_t n;
	int64_t dup;

	dup = add(f->ix, "birth-copy.tif", "aa", NULL, "1245/TLKS-BS", NULL,
	    f->birth);
	assert_int_equal(first(f, "huong", &n), f->birth);
	assert_int_equal(n, 1);
	assert_int_equal(index_find_sha256(f->ix, "aa"), f->birth);
	l = index_list(f->ix, 10);
	assert_int_equal(json_array_size(l), 4);
	/* Newest first. */
	assert_int_equal(json_integer_value(json_object_get(json_array_get(l, 0),
	    "id")), dup);
	json_decref(l);
}

static void
test_record_has_contract_fields(void **state)
{
	static const char *keys[] = { "id", "source_name", "sha256", "pages",
	    "ocr_confidence", "profile", "agency_code", "agency_name", "level",
	    "doc_type", "doc_number", "issued_on", "people", "id_numbers",
	    "dossier_code", "archive", "ingested_at", "duplicate_of", NULL };
	struct fixture *f = *state;
	json_t *d = index_get(f->ix, f->decision);
	int i;

	assert_non_null(d);
	for (i = 0; keys[i] != NULL; i++)
		assert_non_null(json_object_get(d, keys[i]));
	assert_true(json_is_null(json_object_get(d, "issued_on")));
	assert_true(json_is_null(json_object_get(d, "duplicate_of")));
	assert_true(json_is_array(json_object_get(d, "people")));
	assert_string_equal(json_string_value(json_object_get(d,
	    "dossier_code")), "000.23.11.H26-240315-0017");
	json_decref(d);
	assert_null(index_get(f->ix, 999));
}

static void
test_snippet_marks_match(void **state)
{
	struct fixture *f = *state;
	char err[ERRMAX];
	json_t *r = index_search(f->ix, "xay dung", 10, err);
	const char *s;

	assert_int_equal(json_array_size(r), 1);
	s = json_string_value(json_object_get(json_array_get(r, 0), "snippet"));
	assert_non_null(s);
	assert_non_null(strstr(s, "[xây]"));
	assert_true(json_real_value(json_object_get(json_array_get(r, 0),
	    "score")) > 0);
	json_decref(r);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
		    test_found_with_and_without_diacritics, setup, teardown),
		cmocka_unit_test_setup_teardown(test_d_stroke_folds_to_d,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_identifiers_whole,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_prefix, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_queries_never_break,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_duplicates_not_searched_but_listed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_record_has_contract_fields,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_snippet_marks_match,
		    setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
