/*
 * test_report.c: the figures auditors read, computed by hand for the
 * fixture register (tests/fixtures/register/register.csv) and a set of
 * archived documents: expired, revoked and not-yet-issued results left
 * out, a result scanned twice counted once, an office with no valid
 * results (no rate, no division by zero), the documents still needed in
 * exact arithmetic, the list of what to scan next, and the same figures
 * in the table, CSV, JSON and HTML.
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

#define CITY	"000.00.12.H26"		/* Sở Tư pháp thành phố Hà Nội */
#define QUAN	"000.00.05.H26"		/* UBND quận Cầu Giấy (former district) */
#define PHUONG	"000.11.30.H26"		/* UBND phường Dịch Vọng Hậu */
#define NGHIADO	"000.11.31.H26"		/* UBND phường Nghĩa Đô: nothing valid */

static char *dir;
static struct conf conf;
static struct index *ix;		/* the register and the documents */

static void
on_bad(long line, const char *why, void *arg)
{
	print_message("line %ld: %s\n", line, why);
}

static void
import(struct index *to, const char *path)
{
	struct register_stats st;
	char err[ERRMAX];

	if (register_import(to, &conf, path, on_bad, NULL, &st, err) == -1)
		fail_msg("%s: %s", path, err);
}

static int64_t
add_doc(struct index *to, const char *sha, const char *dossier,
    const char *number, const char *agency, const char *level,
    const char *issued, int64_t dup)
{
	json_t *doc = json_pack("{s:s, s:s, s:i, s:s, s:s, s:s, s:s?, s:s?, "
	    "s:s?, s:[], s:[], s:s}", "source_name", sha, "sha256", sha,
	    "pages", 1, "profile", "test", "agency_code", agency, "level",
	    level, "dossier_code", dossier, "doc_number", number, "issued_on",
	    issued, "people", "id_numbers", "ingested_at",
	    "2025-09-01T10:00:00+07:00");

	json_object_set_new(doc, "agency_name", json_string("tên theo máy quét"));
	if (dup)
		json_object_set_new(doc, "duplicate_of", json_integer(dup));
	return testlib_store(to, doc, dup ? NULL : "text");
}

/* The archive of the tests, against register.csv:
 *  city      A1 by dossier, A2 by number typed another way; 31/QĐ-STP
 *            scanned under the wrong agency (A3 stays missing); A4
 *            (expired) and A5 (issued after the as-of date) scanned.
 *  district  B1 scanned twice plus a duplicate copy, B2 by number;
 *            601/QĐ-UBND with the wrong date (B4 stays missing).
 *  commune   C1 by number, C2 by number when its dossier code was
 *            misread, C3 by dossier code with a misread number. */
static void
add_archive(struct index *to)
{
	int64_t b1;

	add_doc(to, "a1", "000.00.12.H26-240102-0001", "15/QĐ-STP", CITY,
	    "city", "2024-01-02", 0);
	add_doc(to, "a2", NULL, "27 / qđ-stp", CITY, "city", "2024-02-10", 0);
	add_doc(to, "a3", NULL, "31/QĐ-STP", PHUONG, "commune", "2024-03-05",
	    0);
	add_doc(to, "a4", "000.00.12.H26-230815-0004", NULL, CITY, "city",
	    NULL, 0);
	add_doc(to, "a5", "000.00.12.H26-251015-0005", NULL, CITY, "city",
	    NULL, 0);
	b1 = add_doc(to, "b1", "000.23.11.H26-240315-0017", "2087/QĐ-UBND",
	    QUAN, "district", "2024-03-20", 0);
	add_doc(to, "b1-second-scan", "000.23.11.H26-240315-0017",
	    "2087/QĐ-UBND", QUAN, "district", "2024-03-20", 0);
	add_doc(to, "b1-copy", "000.23.11.H26-240315-0017", "2087/QĐ-UBND",
	    QUAN, "district", "2024-03-20", b1);
	add_doc(to, "b2", NULL, "356/GPXD", QUAN, "district", "2023-11-08", 0);
	add_doc(to, "b4", NULL, "601/QĐ-UBND", QUAN, "district", "2024-05-02",
	    0);
	add_doc(to, "c1", NULL, "1245/TLKS-BS", PHUONG, "commune", "2024-03-15",
	    0);
	add_doc(to, "c2", "000.11.30.H26-2406200101", "88/QĐ-UBND", PHUONG,
	    "commune", "2024-06-20", 0);
	add_doc(to, "c3", "000.11.30.H26-250110-0102", "12/GCN-UBNĐ", PHUONG,
	    "commune", "2025-01-10", 0);
	add_doc(to, "shop", NULL, NULL, PHUONG, "commune", "2023-06-05", 0);
}

static json_t *
build(const char *as_of, const char *from, const char *to,
    const char *level, const char *agency, int missing)
{
	struct report_opts ro = { as_of, from, to, level, agency, missing };
	char err[ERRMAX];
	json_t *r = report_build(ix, &conf, &ro, err);

	if (r == NULL)
		fail_msg("report: %s", err);
	return r;
}

static json_t *
find(json_t *r, const char *list, const char *key, const char *value)
{
	json_t *o;
	size_t i;

	json_array_foreach(json_object_get(r, list), i, o)
		if (json_is_string(json_object_get(o, key)) &&
		    strcmp(json_string_value(json_object_get(o, key)), value) == 0)
			return o;
	fail_msg("no %s with %s %s", list, key, value);
	return NULL;
}

/* valid, digitized, needed, and met: 1, 0, or -1 for null. */
static void
expect(json_t *o, long valid, long digitized, long needed, int met)
{
	json_t *rate = json_object_get(o, "rate");

	assert_int_equal(json_integer_value(json_object_get(o, "valid_issued")),
	    valid);
	assert_int_equal(json_integer_value(json_object_get(o, "digitized")),
	    digitized);
	assert_int_equal(json_integer_value(json_object_get(o, "needed")),
	    needed);
	if (met < 0)
		assert_true(json_is_null(json_object_get(o, "met")));
	else
		assert_int_equal(json_is_true(json_object_get(o, "met")), met);
	if (valid == 0)
		assert_true(json_is_null(rate));
	else {
		assert_true(json_is_real(rate));
		assert_true(json_real_value(rate) * valid > digitized - 1e-9 &&
		    json_real_value(rate) * valid < digitized + 1e-9);
	}
}

static void
test_needed_is_exact(void **state)
{
	/* ceil() of the product would give 8, 56 and 4. */
	assert_int_equal(report_needed(0.07 * 10, 10, 0), 7);
	assert_int_equal(report_needed(0.55, 100, 0), 55);
	assert_int_equal(report_needed(0.1 * 3, 10, 0), 3);
	assert_int_equal(report_needed(0.7, 10, 7), 0);
	assert_int_equal(report_needed(0.7, 10, 6), 1);
	assert_int_equal(report_needed(0.7, 3, 2), 1);	/* 2.1 -> 3 */
	assert_int_equal(report_needed(0.5, 3, 0), 2);
	assert_int_equal(report_needed(0.6, 5, 3), 0);
	assert_int_equal(report_needed(0.5, 0, 0), 0);
	assert_int_equal(report_needed(0.5, 4, 4), 0);	/* never below 0 */
	assert_int_equal(report_needed(conf_target(&conf, "city"), 1000000,
	    0), 700000);
}

static void
test_figures(void **state)
{
	json_t *r = build("2025-09-30", NULL, NULL, NULL, NULL, 0), *o;

	assert_string_equal(json_string_value(json_object_get(r, "as_of")),
	    "2025-09-30");
	assert_int_equal(json_array_size(json_object_get(r, "levels")), 3);
	/* city: A1 A2 A3 valid (A4 expired, A5 not yet issued); A1 A2 in. */
	expect(find(r, "levels", "level", "city"), 3, 2, 1, 0);
	/* district: B1 B2 B4 B5 (B3 revoked); B1 once for three scans, B2. */
	expect(find(r, "levels", "level", "district"), 4, 2, 1, 0);
	/* commune: C1 C2 C3 all in; Nghĩa Đô has nothing valid. */
	expect(find(r, "levels", "level", "commune"), 3, 3, 0, 1);
	o = find(r, "levels", "level", "district");
	assert_true(json_real_value(json_object_get(o, "target")) == 0.6);

	assert_int_equal(json_array_size(json_object_get(r, "offices")), 4);
	expect(find(r, "offices", "agency_code", CITY), 3, 2, 1, 0);
	expect(find(r, "offices", "agency_code", QUAN), 4, 2, 1, 0);
	expect(find(r, "offices", "agency_code", PHUONG), 3, 3, 0, 1);
	o = find(r, "offices", "agency_code", NGHIADO);
	expect(o, 0, 0, 0, -1);
	/* The office's name and level come from the register. */
	assert_string_equal(json_string_value(json_object_get(o,
	    "agency_name")), "UBND phường Nghĩa Đô, quận Cầu Giấy");
	assert_string_equal(json_string_value(json_object_get(o, "level")),
	    "commune");
	/* Offices in the order of the targets' levels. */
	assert_string_equal(json_string_value(json_object_get(json_array_get(
	    json_object_get(r, "offices"), 0), "agency_code")), CITY);
	assert_true(json_is_null(json_object_get(r, "note")));
	json_decref(r);
}

static void
test_as_of_and_period(void **state)
{
	json_t *r;

	/* On 31/12/2024: A4 still valid (until 30/06/2025) and scanned; C3
	 * not issued yet; Nghĩa Đô's 45/QĐ-UBND valid through that day. */
	r = build("31/12/2024", NULL, NULL, NULL, NULL, 0);
	expect(find(r, "levels", "level", "city"), 4, 3, 0, 1);
	expect(find(r, "levels", "level", "commune"), 3, 2, 0, 1);
	expect(find(r, "offices", "agency_code", NGHIADO), 1, 0, 1, 0);
	json_decref(r);
	/* Issued from March to December 2024, still valid on 30/09/2025. */
	r = build("2025-09-30", "2024-03-01", "2024-12-31", NULL, NULL, 0);
	expect(find(r, "levels", "level", "city"), 1, 0, 1, 0);
	expect(find(r, "levels", "level", "district"), 3, 1, 1, 0);
	expect(find(r, "levels", "level", "commune"), 2, 2, 0, 1);
	assert_string_equal(json_string_value(json_object_get(r, "from")),
	    "2024-03-01");
	json_decref(r);
	/* One level, one office. */
	r = build("2025-09-30", NULL, NULL, "commune", NULL, 0);
	assert_int_equal(json_array_size(json_object_get(r, "levels")), 1);
	assert_int_equal(json_array_size(json_object_get(r, "offices")), 2);
	json_decref(r);
	r = build("2025-09-30", NULL, NULL, NULL, QUAN, 0);
	assert_int_equal(json_array_size(json_object_get(r, "offices")), 1);
	expect(find(r, "levels", "level", "district"), 4, 2, 1, 0);
	expect(find(r, "levels", "level", "city"), 0, 0, 0, -1);
	json_decref(r);
}

static void
test_bad_options(void **state)
{
	struct report_opts ro;
	char err[ERRMAX];

	memset(&ro, 0, sizeof ro);
	ro.as_of = "30/02/2025";
	assert_null(report_build(ix, &conf, &ro, err));
	assert_non_null(strstr(err, "--as-of '30/02/2025' " DATE_NOT));
	ro.as_of = NULL;
	ro.from = "2025-01-01";
	ro.to = "2024-01-01";
	assert_null(report_build(ix, &conf, &ro, err));
	assert_non_null(strstr(err, "after"));
	ro.from = ro.to = NULL;
	ro.level = "province";
	assert_null(report_build(ix, &conf, &ro, err));
	assert_non_null(strstr(err, "city, district, commune"));
}

static void
test_missing_oldest_first(void **state)
{
	json_t *r = build("2025-09-30", NULL, NULL, NULL, NULL, 1), *m;

	m = json_object_get(find(r, "offices", "agency_code", CITY), "missing");
	assert_int_equal(json_array_size(m), 1);
	assert_string_equal(json_string_value(json_object_get(
	    json_array_get(m, 0), "doc_number")), "31/QĐ-STP");
	m = json_object_get(find(r, "offices", "agency_code", QUAN), "missing");
	assert_int_equal(json_array_size(m), 2);
	assert_string_equal(json_string_value(json_object_get(
	    json_array_get(m, 0), "issued_on")), "2024-05-01");
	assert_string_equal(json_string_value(json_object_get(
	    json_array_get(m, 1), "doc_number")), "77/GP-UBND");
	assert_int_equal(json_array_size(json_object_get(find(r, "offices",
	    "agency_code", PHUONG), "missing")), 0);
	json_decref(r);
}

static int
count(const char *s, const char *what)
{
	int n = 0;

	for (; (s = strstr(s, what)) != NULL; s++)
		n++;
	return n;
}

static char *
render(json_t *r, enum report_format f)
{
	struct buf b;
	char err[ERRMAX];

	buf_init(&b, 0);
	assert_int_equal(report_format_write(r, f, &b, err), 0);
	assert_non_null(b.data);
	return b.data;
}

static void
test_formats_same_figures(void **state)
{
	json_t *r = build("2025-09-30", NULL, NULL, NULL, NULL, 0), *back;
	char *table = render(r, REPORT_TABLE), *csv = render(r, REPORT_CSV);
	char *js = render(r, REPORT_JSON), *html = render(r, REPORT_HTML);
	char *p;

	/* Table: valid, digitized, rate, target, met, needed. */
	assert_non_null(strstr(table, "city            3          2   66.7%"
	    "     70%   no       1"));
	assert_non_null(strstr(table, "000.11.31.H26  commune         0"
	    "          0       -     50%    -       0  UBND phường Nghĩa Đô"));
	/* CSV: BOM, CRLF only, text quoted, the same figures. */
	assert_memory_equal(csv, "\xef\xbb\xbf" "as_of,kind,level,", 20);
	for (p = csv; (p = strchr(p, '\n')) != NULL; p++)
		assert_true(p[-1] == '\r');
	assert_non_null(strstr(csv, "\"2025-09-30\",level,\"city\",,,3,2,0.6667,"
	    "0.7,no,1\r\n"));
	assert_non_null(strstr(csv, "\"2025-09-30\",office,\"commune\","
	    "\"000.11.31.H26\",\"UBND phường Nghĩa Đô, quận Cầu Giấy\",0,0,,0.5,"
	    ",0\r\n"));
	/* JSON: the object itself. */
	back = json_loads(js, 0, NULL);
	assert_non_null(back);
	expect(find(back, "levels", "level", "district"), 4, 2, 1, 0);
	expect(find(back, "offices", "agency_code", NGHIADO), 0, 0, 0, -1);
	assert_true(json_real_value(json_object_get(find(back, "levels",
	    "level", "city"), "target")) == 0.7);
	/* HTML: the same cells, a bar per level and office, the target. */
	assert_non_null(strstr(html, "<td>city</td><td class=\"n\">3</td>"
	    "<td class=\"n\">2</td><td class=\"n\">66.7%</td><td class=\"n\">"
	    "70%</td><td class=\"unmet\">no</td><td class=\"n\">1</td>"));
	assert_non_null(strstr(html, "<td class=\"met\">yes</td>"));
	assert_non_null(strstr(html, "@media print"));
	assert_non_null(strstr(html, "<svg"));
	assert_non_null(strstr(html, "2025-09-30"));
	/* Bars in the colours of met and not met; nothing from outside. */
	assert_non_null(strstr(html, "fill=\"#2e7d32\""));
	assert_non_null(strstr(html, "fill=\"#c62828\""));
	assert_int_equal(count(html, "http"), count(html,
	    "http://www.w3.org/2000/svg"));
	assert_null(strstr(html, "<script"));
	assert_null(strstr(html, "<link"));
	json_decref(back);
	json_decref(r);
	free(table);
	free(csv);
	free(js);
	free(html);
}

static void
test_html_bars_and_escapes(void **state)
{
	char *path = xasprintf("%s/evil.csv", dir), *db, *html, err[ERRMAX];
	struct report_opts ro = { "2025-09-30", NULL, NULL, NULL, NULL, 1 };
	json_t *r = build("2025-09-30", NULL, NULL, NULL, NULL, 1);
	struct index *e;
	FILE *f;

	html = render(r, REPORT_HTML);
	/* 6 bars (Nghĩa Đô has no rate), 7 target lines. */
	assert_int_equal(count(html, "class=\"bar\""), 6);
	assert_int_equal(count(html, "class=\"target\""), 7);
	/* The missing list, oldest first. */
	assert_true(strstr(html, "601/QĐ-UBND") < strstr(html, "77/GP-UBND"));
	free(html);
	json_decref(r);

	f = fopen(path, "w");
	assert_non_null(f);
	fputs("doc_number,agency_code,agency_name,level,issued_on,status\n"
	    "\"<b>1</b>\",000.99.99.H26,\"UBND xã <script>alert('x')</script> "
	    "& \"\"Thử\"\"\",commune,2024-01-01,valid\n", f);
	fclose(f);
	db = xasprintf("%s/evil.db", dir);
	e = index_open(db, err);
	assert_non_null(e);
	if (register_import(e, &conf, path, on_bad, NULL,
	    &(struct register_stats){ 0 }, err) == -1)
		fail_msg("%s", err);
	r = report_build(e, &conf, &ro, err);
	assert_non_null(r);
	html = render(r, REPORT_HTML);
	assert_null(strstr(html, "<script>"));
	assert_null(strstr(html, "<b>1"));
	assert_non_null(strstr(html, "UBND xã &lt;script&gt;alert(&#39;x&#39;)"
	    "&lt;/script&gt; &amp; &quot;Thử&quot;"));
	assert_non_null(strstr(html, "&lt;b&gt;1&lt;/b&gt;"));
	free(html);
	json_decref(r);
	index_close(e);
	free(db);
	free(path);
}

static void
test_without_register(void **state)
{
	char *db = xasprintf("%s/bare.db", dir), err[ERRMAX], *table;
	struct index *bare = index_open(db, err);
	struct report_opts ro = { "2025-09-30", NULL, NULL, NULL, NULL, 1 };
	json_t *r, *o;

	assert_non_null(bare);
	add_archive(bare);
	/* A third scan of 2087/QĐ-UBND whose dossier code was not read. */
	add_doc(bare, "b1-third-scan", NULL, "2087/QĐ-UBND", QUAN, "district",
	    "2024-03-20", 0);
	r = report_build(bare, &conf, &ro, err);
	assert_non_null(r);
	assert_non_null(strstr(json_string_value(json_object_get(r, "note")),
	    "Rates need the register"));
	/* By the scanners' offices; B1's three scans and copy count once. */
	o = find(r, "offices", "agency_code", QUAN);
	assert_int_equal(json_integer_value(json_object_get(o, "digitized")),
	    3);
	assert_true(json_is_null(json_object_get(o, "valid_issued")));
	assert_true(json_is_null(json_object_get(o, "rate")));
	assert_true(json_is_null(json_object_get(o, "needed")));
	o = find(r, "levels", "level", "commune");
	assert_int_equal(json_integer_value(json_object_get(o, "digitized")),
	    5);
	table = render(r, REPORT_TABLE);
	assert_non_null(strstr(table, "Rates need the register"));
	free(table);
	json_decref(r);
	index_close(bare);
	free(db);
}

/* Two tiers: the register imported under city, district and commune, read
 * by an installation of province and commune whose former districts count
 * under province: city's 3 and the district's 4 valid results are the
 * province's 7 (4 digitized, ceil(4.9) - 4 = 1 needed); no other row. */
static void
test_two_tiers(void **state)
{
	char *path = xasprintf("%s/two.conf", dir), err[ERRMAX];
	struct report_opts ro = { "2025-09-30", NULL, NULL, NULL, NULL, 0 };
	struct conf two;
	json_t *r, *levels;
	FILE *f;

	assert_non_null(f = fopen(path, "w"));
	fputs("[targets]\nprovince = 70%\ncommune = 50%\n\n[levels]\n"
	    "former_district = province\n", f);
	fclose(f);
	assert_int_equal(conf_load(path, &two, err), 0);
	assert_non_null(r = report_build(ix, &two, &ro, err));
	levels = json_object_get(r, "levels");
	assert_int_equal(json_array_size(levels), 2);
	assert_string_equal(json_string_value(json_object_get(json_array_get(
	    levels, 0), "level")), "province");
	expect(json_array_get(levels, 0), 7, 4, 1, 0);
	expect(json_array_get(levels, 1), 3, 3, 0, 1);
	/* The former district's office: its own level, the province target. */
	assert_true(json_real_value(json_object_get(find(r, "offices",
	    "agency_code", QUAN), "target")) == 0.7);
	json_decref(r);
	ro.level = "district";
	assert_null(report_build(ix, &two, &ro, err));
	assert_non_null(strstr(err, "(province, commune)"));
	conf_free(&two);
	free(path);
}

static int
setup(void **state)
{
	char *path;

	dir = testlib_tmpdir("test_report");
	testlib_conf(dir, "[targets]\ncity = 70%\ndistrict = 60%\n"
	    "commune = 50%\n", &conf);
	ix = testlib_index(dir, "sohoa");
	/* The archive first: the import matches what is there. */
	add_archive(ix);
	path = testlib_fixture("register/register.csv");
	import(ix, path);
	free(path);
	return 0;
}

static int
teardown(void **state)
{
	int rc = testlib_rmdir(dir);

	index_close(ix);
	conf_free(&conf);
	free(dir);
	dir = NULL;
	return rc;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_needed_is_exact),
		cmocka_unit_test(test_figures),
		cmocka_unit_test(test_as_of_and_period),
		cmocka_unit_test(test_bad_options),
		cmocka_unit_test(test_missing_oldest_first),
		cmocka_unit_test(test_formats_same_figures),
		cmocka_unit_test(test_html_bars_and_escapes),
		cmocka_unit_test(test_without_register),
		cmocka_unit_test(test_two_tiers),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
