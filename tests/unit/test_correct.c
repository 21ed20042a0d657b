/*
 * test_correct.c: what staff notice when they correct a record: a value
 * that cannot be right is refused with a plain reason and changes nothing,
 * lists are typed with commas, and after `sohoa reindex` (which reads every
 * package's text again with the document's profile) each correction still
 * stands while the other fields are read afresh.
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
#include "testlib.h"

/* What an older extractor missed: the number (O for 0, a space). */
static const char decision_text[] =
    "ỦY BAN NHÂN DÂN\n"
    "QUẬN CẦU GIẤY\n"
    "Số: 1O45 /QĐ-UBND\n"
    "Cầu Giấy, ngày 05 tháng 3 năm 2024\n"
    "QUYẾT ĐỊNH\n"
    "Về việc cấp giấy phép kinh doanh\n"
    "Cấp cho Ông (Bà): NGUYỄN VĂN AN\n";

static const char permit_text[] =
    "SỞ XÂY DỰNG\n"
    "Hà Nội, ngày 20 tháng 02 năm 2024\n"
    "GIẤY PHÉP XÂY DỰNG\n"
    "Số: 245/GPXD\n"
    "Họ và tên: LÊ THỊ MAI\n";

struct fixture {
	char	*dir;
	struct index *ix;
	struct profile ward;
	int64_t	 decision, permit, lost;
};

static int64_t
add(struct fixture *f, const char *source, const char *profile,
    const char *text, int package)
{
	struct package_item item = { "text.txt", NULL, text, strlen(text) };
	char err[ERRMAX], sha[65], *rel, *path;
	json_t *doc;

	rel = xasprintf("archive/%s.tar", source);
	path = xasprintf("%s/%s", f->dir, rel);
	if (package)
		assert_int_equal(package_write(path, "bag", &item, 1, sha, err),
		    0);
	doc = json_pack("{s:s, s:s, s:i, s:s, s:s, s:s, s:n, s:[], s:[], "
	    "s:s, s:s}", "source_name", source, "sha256", source, "pages", 1,
	    "profile", profile, "agency_name", "Tên cơ quan ghi lúc nhận",
	    "doc_type", "VĂN BẢN", "doc_number", "people", "id_numbers",
	    "archive", rel, "ingested_at", "2026-11-22T10:00:00+07:00");
	free(rel);
	free(path);
	return testlib_store(f->ix, doc, text);
}

static int
setup(void **state)
{
	struct fixture *f = calloc(1, sizeof *f);
	char *dir;

	f->dir = testlib_tmpdir("test_correct");
	dir = xasprintf("%s/archive", f->dir);
	assert_int_equal(util_mkdirs(dir, 0750), 0);
	free(dir);
	f->ix = testlib_index(f->dir, "sohoa");
	/* The profile the decision came through: its dossier codes are in
	 * the file names. */
	profile_default(&f->ward);
	free(f->ward.name);
	f->ward.name = xstrdup("ward");
	free(f->ward.agency_name);
	f->ward.agency_name = xstrdup("UBND quận Cầu Giấy");
	f->ward.filename_pattern = xstrdup("^([0-9A-Z.]+-[0-9]{6}-[0-9]{4})_");
	f->decision = add(f, "000.23.11.H26-240315-0017_qd.tif", "ward",
	    decision_text, 1);
	f->permit = add(f, "permit.tif", "gone", permit_text, 1);
	f->lost = add(f, "lost.tif", "ward", "Biên bản bàn giao hồ sơ\n", 0);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;

	index_close(f->ix);
	profile_free(&f->ward);
	assert_int_equal(testlib_rmdir(f->dir), 0);
	free(f->dir);
	free(f);
	return 0;
}

static const char *
field(json_t *doc, const char *key)
{
	return json_string_value(json_object_get(doc, key));
}

static void
test_bad_values_change_nothing(void **state)
{
	static const struct {
		const char *assign[3];
		const char *reason;
	} bad[] = {
		{ { "issued_on=2024-02-30" }, "issued_on '2024-02-30' "
		    DATE_NOT },
		{ { "issued_on=31/02/2024" }, "issued_on '31/02/2024' "
		    DATE_NOT },
		{ { "id_numbers=001323012345, 12345" }, "'12345' is not a "
		    "personal ID number" },
		{ { "sha256=abc" }, "there is no field 'sha256' to correct" },
		{ { "doc_type" }, "'doc_type' is not field=value" },
		{ { "=x" }, "'=x' is not field=value" },
		{ { "doc_type=A", "doc_type=B" }, "doc_type is given twice" },
		{ { "doc_number=1/QĐ", "dossier_code=000 23" }, "a dossier code "
		    "is letters, digits, dots and dashes" },
	};
	struct fixture *f = *state;
	json_t *changed, *c;
	char err[ERRMAX];
	size_t i;
	int n;

	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		for (n = 0; n < 3 && bad[i].assign[n] != NULL; n++)
			;
		err[0] = '\0';
		if (correct_edit(f->ix, f->decision, (char **)bad[i].assign, n,
		    &changed, err) != -1)
			fail_msg("%s: accepted", bad[i].assign[0]);
		if (strstr(err, bad[i].reason) == NULL)
			fail_msg("%s: said \"%s\"", bad[i].assign[0], err);
		assert_null(changed);
	}
	c = correct_history(f->ix, f->decision);
	assert_int_equal(json_array_size(c), 0);
	json_decref(c);
	assert_int_equal(correct_edit(f->ix, 999, (char *[]){ "doc_type=A" }, 1,
	    &changed, err), -1);
	assert_non_null(strstr(err, "no document #999"));
}

static void
test_values_as_staff_type_them(void **state)
{
	char *assign[] = { "people=Nguyễn Văn An, LÊ THỊ HOA ,,",
	    "id_numbers=001323 012345,013456789", "issued_on=",
	    "dossier_code= 000.23.11.h26-240315-0017 ",
	    "doc_number=1045/QĐ-UBND" };
	struct fixture *f = *state;
	json_t *changed, *d, *a;
	char err[ERRMAX];

	assert_int_equal(correct_edit(f->ix, f->decision, assign, 5, &changed,
	    err), 0);
	/* issued_on was null already: not a correction. */
	assert_int_equal(json_array_size(changed), 4);
	json_decref(changed);
	d = store_get(f->ix, f->decision);
	a = json_object_get(d, "people");
	assert_int_equal(json_array_size(a), 2);
	assert_string_equal(json_string_value(json_array_get(a, 1)),
	    "LÊ THỊ HOA");
	a = json_object_get(d, "id_numbers");
	assert_string_equal(json_string_value(json_array_get(a, 0)),
	    "001323012345");
	assert_string_equal(json_string_value(json_array_get(a, 1)),
	    "013456789");
	assert_true(json_is_null(json_object_get(d, "issued_on")));
	assert_string_equal(field(d, "dossier_code"),
	    "000.23.11.H26-240315-0017");
	json_decref(d);
	/* The same values again change nothing. */
	assert_int_equal(correct_edit(f->ix, f->decision, assign, 5, &changed,
	    err), 0);
	assert_int_equal(json_array_size(changed), 0);
	json_decref(changed);
	/* A date as staff write it, kept as every date is. */
	assert_int_equal(correct_edit(f->ix, f->decision,
	    (char *[]){ "issued_on=15/03/2024" }, 1, &changed, err), 0);
	json_decref(changed);
	d = store_get(f->ix, f->decision);
	assert_string_equal(field(d, "issued_on"), "2024-03-15");
	json_decref(d);
	assert_int_equal(correct_edit(f->ix, f->decision,
	    (char *[]){ "issued_on=" }, 1, &changed, err), 0);
	assert_int_equal(json_array_size(changed), 1);
	json_decref(changed);
}

static void
test_reindex_reads_again_and_keeps_corrections(void **state)
{
	struct fixture *f = *state;
	struct correct_reindex_stats st;
	char *assign[] = { "doc_type=QUYẾT ĐỊNH CẤP PHÉP KINH DOANH" };
	json_t *changed, *d, *r;
	char err[ERRMAX];
	int builtin;

	assert_int_equal(correct_edit(f->ix, f->decision, assign, 1, &changed,
	    err), 0);
	json_decref(changed);
	assert_int_equal(correct_reindex(f->ix, f->dir, &f->ward, 1, NULL, &st,
	    &builtin, err), 0);
	assert_int_equal(st.documents, 3);
	assert_int_equal(st.reread, 2);
	assert_int_equal(st.kept, 1);
	assert_int_equal(st.corrections, 1);
	assert_int_equal(builtin, 1);

	/* Read again with its own profile: the number off the text, the
	 * dossier code off the file name, the office from the profile; the
	 * correction of the type stands. */
	d = store_get(f->ix, f->decision);
	assert_string_equal(field(d, "doc_number"), "1045/QĐ-UBND");
	assert_string_equal(field(d, "issued_on"), "2024-03-05");
	assert_string_equal(field(d, "dossier_code"),
	    "000.23.11.H26-240315-0017");
	assert_string_equal(field(d, "agency_name"), "UBND quận Cầu Giấy");
	assert_string_equal(field(d, "doc_type"),
	    "QUYẾT ĐỊNH CẤP PHÉP KINH DOANH");
	assert_string_equal(json_string_value(json_array_get(json_object_get(d,
	    "people"), 0)), "NGUYỄN VĂN AN");
	json_decref(d);
	/* Its profile is unknown: the built-in one reads the text, and the
	 * office recorded at ingest stays. */
	d = store_get(f->ix, f->permit);
	assert_string_equal(field(d, "doc_number"), "245/GPXD");
	assert_string_equal(field(d, "doc_type"), "GIẤY PHÉP XÂY DỰNG");
	assert_string_equal(field(d, "agency_name"), "Tên cơ quan ghi lúc nhận");
	json_decref(d);
	/* No package: the record and the text already indexed stay. */
	d = store_get(f->ix, f->lost);
	assert_string_equal(field(d, "doc_type"), "VĂN BẢN");
	json_decref(d);
	r = search_find(f->ix, "ban giao ho so", NULL, 10, err);
	assert_int_equal(json_array_size(r), 1);
	json_decref(r);
	/* The corrected type is what search finds. */
	r = search_find(f->ix, "cap phep kinh doanh", &(struct search_filter){
	    .doc_type = "quyet dinh cap phep" }, 10, err);
	assert_int_equal(json_array_size(r), 1);
	json_decref(r);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_bad_values_change_nothing,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_values_as_staff_type_them,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_reindex_reads_again_and_keeps_corrections, setup,
		    teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
