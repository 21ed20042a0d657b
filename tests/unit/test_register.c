/*
 * test_register.c: the register as auditors import it: the one-stop
 * software's CSV in its English, Vietnamese and semicolon+BOM forms reads
 * the same; a re-import updates and never doubles, also when it comes
 * with its dossier codes or without them; a file with bad rows names
 * each line and imports nothing; levels come from the targets; and
 * documents match entries by dossier code, else by number + agency + date,
 * however the number was typed, also after a record is corrected.
 */
#include <sys/stat.h>

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

static char *dir;
static struct conf conf;

static char *
fixture(const char *name)
{
	char *rel = xasprintf("register/%s", name), *path;

	path = testlib_fixture(rel);
	free(rel);
	return path;
}

static char *
write_file(const char *name, const char *text)
{
	return testlib_write(dir, name, text);
}

static struct index *
fresh_index(const char *name)
{
	return testlib_index(dir, name);
}

/* Collects the bad rows' lines and reasons. */
struct bad {
	long	 lines[32];
	char	 why[32][ERRMAX];
	int	 n;
};

static void
on_bad(long line, const char *why, void *arg)
{
	struct bad *b = arg;

	print_message("line %ld: %s\n", line, why);
	if (b->n < 32) {
		b->lines[b->n] = line;
		snprintf(b->why[b->n], ERRMAX, "%s", why);
	}
	b->n++;
}

static int
import(struct index *ix, const char *name, struct register_stats *st,
    struct bad *b)
{
	char *path = fixture(name), err[ERRMAX];
	struct bad local;
	int rc;

	memset(&local, 0, sizeof local);
	rc = register_import(ix, &conf, path, on_bad, b ? b : &local, st, err);
	if (rc == -1)
		print_message("%s: %s\n", name, err);
	free(path);
	return rc;
}

/* The register as one string, for comparing what two files imported. */
static char *
dump(struct index *ix)
{
	struct db_stmt *st;
	struct buf b;
	int i;

	buf_init(&b, 1 << 20);
	st = db_prepare(index_db(ix), "SELECT entry_key, dossier_key, "
	    "number_key, agency_code, agency_name, level, procedure_code, "
	    "issued_on, valid_until, status FROM register_entries ORDER BY "
	    "entry_key");
	assert_non_null(st);
	while (db_step(st) == DB_ROW) {
		for (i = 0; i < 10; i++)
			buf_printf(&b, "%s|", db_col_text(st, i) ?
			    db_col_text(st, i) : "NULL");
		buf_printf(&b, "\n");
	}
	db_finalize(st);
	return b.data;
}

static char *
entry(struct index *ix, const char *what, const char *number)
{
	struct db_stmt *st;
	char *sql = xasprintf("SELECT %s FROM register_entries WHERE "
	    "number_key = ?1", what), *k = register_key(number), *v = NULL;

	st = db_prepare(index_db(ix), sql);
	assert_non_null(st);
	db_bind_text(st, 1, k);
	if (db_step(st) == DB_ROW && db_col_text(st, 0))
		v = xstrdup(db_col_text(st, 0));
	db_finalize(st);
	free(sql);
	free(k);
	return v;
}

static void
test_keys(void **state)
{
	static const char *same[] = { "2087/QĐ-UBND", "2087/qđ-ubnd",
	    "2087 / QĐ - UBND", "2087/QD-UBND", "Số: 2087/QĐ-UBND",
	    "2087/Q\xc4\x90\xe2\x80\x90UBND", " 2087/QĐ-UBND\xc2\xa0", NULL };
	char *want = register_key("2087/QĐ-UBND"), *k;
	char d[11];
	size_t i;

	assert_string_equal(want, "2087/qd-ubnd");
	for (i = 0; same[i] != NULL; i++) {
		k = register_key(same[i]);
		assert_non_null(k);
		assert_string_equal(k, want);
		free(k);
	}
	k = register_key("2088/QĐ-UBND");
	assert_string_not_equal(k, want);
	free(k);
	/* Marks other than đ go through the full folding. */
	k = register_key("12/GCN-UBNĐ-Hà Nội");
	assert_string_equal(k, "12/gcn-ubnd-hanoi");
	free(k);
	k = register_key("000.23.11.H26-240315-0017");
	assert_string_equal(k, "000.23.11.h26-240315-0017");
	free(k);
	assert_null(register_key("  "));
	assert_null(register_key(NULL));
	free(want);

	assert_int_equal(date_read("2024-03-20", d), 0);
	assert_string_equal(d, "2024-03-20");
	assert_int_equal(date_read("20/03/2024", d), 0);
	assert_string_equal(d, "2024-03-20");
	assert_int_equal(date_read("5/3/2024", d), 0);
	assert_string_equal(d, "2024-03-05");
	assert_int_equal(date_read("29/02/2024", d), 0);
	assert_int_equal(date_read("2024-03-20 00:00:00", d), 0);
	assert_string_equal(d, "2024-03-20");
	assert_int_equal(date_read("29/02/2023", d), -1);
	assert_int_equal(date_read("31/04/2024", d), -1);
	assert_int_equal(date_read("2024-13-01", d), -1);
	assert_int_equal(date_read("20.03.24", d), -1);
	assert_int_equal(date_read("hôm qua", d), -1);
	assert_int_equal(date_read("", d), -1);
}

static void
test_import_and_variants(void **state)
{
	struct index *en = fresh_index("en"), *semi = fresh_index("semi");
	struct index *vi = fresh_index("vi");
	struct register_stats st;
	char *a, *b, *c, *v;

	assert_int_equal(import(en, "register.csv", &st, NULL), 0);
	assert_int_equal(st.rows, 15);
	assert_int_equal(st.added, 15);
	assert_int_equal(st.bad, 0);
	assert_int_equal(register_count(en), 15);
	assert_int_equal(import(semi, "register-semicolon-bom.csv", &st, NULL),
	    0);
	assert_int_equal(st.added, 15);
	assert_int_equal(import(vi, "register-vi.csv", &st, NULL), 0);
	assert_int_equal(st.added, 15);

	/* Three ways to write one register, one register. */
	a = dump(en);
	b = dump(semi);
	c = dump(vi);
	assert_string_equal(a, b);
	assert_string_equal(a, c);

	/* What the Vietnamese file said, as it is stored. */
	v = entry(vi, "level", "2087/QĐ-UBND");
	assert_string_equal(v, "district");		/* "Quận" */
	free(v);
	v = entry(vi, "status", "512/QĐ-UBND");
	assert_string_equal(v, "revoked");		/* "Thu hồi" */
	free(v);
	v = entry(vi, "valid_until", "45/QĐ-UBND");
	assert_string_equal(v, "2024-12-31");		/* 31/12/2024 */
	free(v);
	v = entry(en, "agency_name", "45/QĐ-UBND");
	assert_string_equal(v, "UBND phường Nghĩa Đô, quận Cầu Giấy");
	free(v);
	v = entry(en, "valid_until", "2087/QĐ-UBND");
	assert_null(v);					/* empty: no end */
	free(a);
	free(b);
	free(c);
	index_close(en);
	index_close(semi);
	index_close(vi);
}

static void
test_reimport_updates_never_doubles(void **state)
{
	struct index *ix = fresh_index("again");
	struct register_stats st;
	char *v;

	assert_int_equal(import(ix, "register.csv", &st, NULL), 0);
	assert_int_equal(import(ix, "register.csv", &st, NULL), 0);
	assert_int_equal(st.added, 0);
	assert_int_equal(st.updated, 0);
	assert_int_equal(st.unchanged, 15);
	assert_int_equal(register_count(ix), 15);
	/* The same entries with numbers typed another way: still 15. */
	assert_int_equal(import(ix, "register-vi.csv", &st, NULL), 0);
	assert_int_equal(st.added, 0);
	assert_int_equal(register_count(ix), 15);

	assert_int_equal(import(ix, "register-update.csv", &st, NULL), 0);
	assert_int_equal(st.rows, 5);
	assert_int_equal(st.added, 1);		/* 130/QĐ-UBND */
	assert_int_equal(st.updated, 3);	/* 356/, 77/, 88/ */
	assert_int_equal(st.unchanged, 1);	/* 15/QĐ-STP */
	assert_int_equal(register_count(ix), 16);
	v = entry(ix, "status", "77/GP-UBND");
	assert_string_equal(v, "revoked");
	free(v);
	v = entry(ix, "valid_until", "88/QĐ-UBND");
	assert_string_equal(v, "2025-06-30");
	free(v);
	/* 356/GPXD was keyed by number, now has a dossier code: one row. */
	v = entry(ix, "dossier_code", "356/GPXD");
	assert_string_equal(v, "000.00.05.H26-231101-0044");
	free(v);
	v = entry(ix, "count(*)", "356/GPXD");
	assert_string_equal(v, "1");
	free(v);
	index_close(ix);
}

/* Imports a file written for the test; returns what register_import did. */
static int
import_text(struct index *ix, const char *name, const char *text,
    struct register_stats *st, struct bad *b)
{
	char *path = write_file(name, text), err[ERRMAX];
	int rc;

	memset(b, 0, sizeof *b);
	rc = register_import(ix, &conf, path, on_bad, b, st, err);
	if (rc == -1)
		print_message("%s: %s\n", name, err);
	free(path);
	return rc;
}

static void
test_reexport_without_dossier_codes(void **state)
{
	struct index *ix = fresh_index("nocode"), *rev = fresh_index("nocode2");
	struct index *plain = fresh_index("nocode3");
	struct register_stats st;
	struct bad b;
	char *before, *after, *v;

	/* The same results without the dossier_code column: the same 15
	 * entries, their codes kept (the issue: 8 more valid results). */
	assert_int_equal(import(ix, "register.csv", &st, NULL), 0);
	before = dump(ix);
	assert_int_equal(import(ix, "register-no-code.csv", &st, NULL), 0);
	assert_int_equal(st.added, 0);
	assert_int_equal(st.updated, 0);
	assert_int_equal(st.unchanged, 15);
	assert_int_equal(register_count(ix), 15);
	after = dump(ix);
	assert_string_equal(before, after);
	free(before);
	free(after);

	/* A change sent without the code updates the entry that has it. */
	assert_int_equal(import_text(ix, "revoked.csv", "doc_number,"
	    "agency_code,level,issued_on,status\n"
	    "Số: 2087/qđ-ubnd,000.00.05.H26,district,20/03/2024,thu hồi\n",
	    &st, &b), 0);
	assert_int_equal(st.updated, 1);
	assert_int_equal(st.added, 0);
	assert_int_equal(register_count(ix), 15);
	v = entry(ix, "status || ' ' || dossier_code", "2087/QĐ-UBND");
	assert_string_equal(v, "revoked 000.23.11.H26-240315-0017");
	free(v);

	/* In one file, a row with the code and one without it for the same
	 * number are one entry named twice. */
	assert_int_equal(import_text(ix, "twice.csv", "dossier_code,"
	    "doc_number,agency_code,level,issued_on,status\n"
	    "000.00.05.H26-240501-0032,601/QĐ-UBND,000.00.05.H26,district,"
	    "2024-05-01,valid\n"
	    ",601/QĐ-UBND,000.00.05.H26,district,2024-05-01,revoked\n",
	    &st, &b), -1);
	assert_int_equal(b.n, 1);
	assert_int_equal(b.lines[0], 3);
	assert_non_null(strstr(b.why[0], "the same entry as line 2"));

	/* Another dossier code for the same decision is another dossier. */
	assert_int_equal(import_text(ix, "other.csv", "dossier_code,"
	    "doc_number,agency_code,level,issued_on,status\n"
	    "000.00.05.H26-240501-0099,601/QĐ-UBND,000.00.05.H26,district,"
	    "2024-05-01,valid\n", &st, &b), 0);
	assert_int_equal(st.added, 1);
	assert_int_equal(register_count(ix), 16);
	/* ... and then a row without a code could be either: the file is
	 * refused, its line named with both codes, nothing changed. */
	assert_int_equal(import_text(ix, "which.csv", "doc_number,agency_code,"
	    "level,issued_on,status\n"
	    "15/QĐ-STP,000.00.12.H26,city,2024-01-02,valid\n"
	    "601/QĐ-UBND,000.00.05.H26,district,2024-05-01,revoked\n",
	    &st, &b), -1);
	assert_int_equal(b.n, 1);
	assert_int_equal(b.lines[0], 3);
	assert_non_null(strstr(b.why[0], "2 entries already held"));
	assert_non_null(strstr(b.why[0], "000.00.05.H26-240501-0032, "
	    "000.00.05.H26-240501-0099"));
	assert_int_equal(register_count(ix), 16);
	v = entry(ix, "group_concat(status)", "601/QĐ-UBND");
	assert_string_equal(v, "valid,valid");
	free(v);

	/* The other way round: first without codes, then with them. */
	assert_int_equal(import(rev, "register-no-code.csv", &st, NULL), 0);
	assert_int_equal(st.added, 15);
	assert_int_equal(import(rev, "register.csv", &st, NULL), 0);
	assert_int_equal(st.added, 0);
	assert_int_equal(st.updated, 11);	/* the rows with a code */
	assert_int_equal(st.unchanged, 4);
	assert_int_equal(register_count(rev), 15);
	assert_int_equal(import(rev, "register-no-code.csv", &st, NULL), 0);
	assert_int_equal(st.unchanged, 15);
	assert_int_equal(register_count(rev), 15);
	/* ... which leaves the register the file with codes gives alone. */
	assert_int_equal(import(plain, "register.csv", &st, NULL), 0);
	before = dump(plain);
	after = dump(rev);
	assert_string_equal(before, after);
	free(before);
	free(after);
	index_close(ix);
	index_close(rev);
	index_close(plain);
}

static void
test_bad_rows_import_nothing(void **state)
{
	static const struct {
		long	 line;
		const char *words;
	} want[] = {
		{ 3, "'31/02/2024' is not a date" },
		{ 4, "level 'province'" },
		{ 5, "status 'maybe'" },
		{ 6, "no dossier code and no document number" },
		{ 7, "the same entry as line 2" },
		{ 8, "7 fields where the header has 9" },
		{ 11, "is not an agency identifier" },	/* after a 2-line row */
	};
	struct index *ix = fresh_index("bad");
	struct register_stats st;
	struct bad b;
	char err[ERRMAX], *path;
	size_t i;

	assert_int_equal(import(ix, "register.csv", &st, NULL), 0);
	memset(&b, 0, sizeof b);
	assert_int_equal(import(ix, "register-bad.csv", &st, &b), -1);
	assert_int_equal(b.n, (int)(sizeof want / sizeof want[0]));
	for (i = 0; i < sizeof want / sizeof want[0]; i++) {
		assert_int_equal(b.lines[i], want[i].line);
		assert_non_null(strstr(b.why[i], want[i].words));
	}
	assert_non_null(strstr(b.why[6], "before its issue date"));
	assert_int_equal(st.bad, 7);
	assert_int_equal(register_count(ix), 15);	/* nothing imported */

	/* The whole-file problems. */
	path = write_file("noagency.csv", "doc_number,level,issued_on,status\n"
	    "1/QĐ,commune,2024-01-01,valid\n");
	memset(&b, 0, sizeof b);
	assert_int_equal(register_import(ix, &conf, path, on_bad, &b, &st,
	    err), -1);
	assert_int_equal(b.n, 1);
	assert_int_equal(b.lines[0], 1);
	assert_non_null(strstr(b.why[0], "no agency_code column"));
	assert_non_null(strstr(err, "nothing was imported"));
	free(path);
	path = write_file("empty.csv", "\n\n");
	assert_int_equal(register_import(ix, &conf, path, on_bad, &b, &st,
	    err), -1);
	assert_non_null(strstr(err, "empty"));
	free(path);
	path = write_file("quote.csv", "doc_number,agency_code,level,issued_on,"
	    "status\n1/QĐ,000.11.30.H26,commune,2024-01-01,valid\n"
	    "2/Q\"Đ,000.11.30.H26,commune,2024-01-01,valid\n");
	memset(&b, 0, sizeof b);
	assert_int_equal(register_import(ix, &conf, path, on_bad, &b, &st,
	    err), -1);
	assert_int_equal(b.lines[0], 3);
	assert_non_null(strstr(b.why[0], "quote"));
	free(path);
	path = write_file("latin1.csv", "doc_number,agency_code,level,"
	    "issued_on,status\n1/Q\xd0,000.11.30.H26,commune,2024-01-01,valid\n");
	memset(&b, 0, sizeof b);
	assert_int_equal(register_import(ix, &conf, path, on_bad, &b, &st,
	    err), -1);
	assert_non_null(strstr(b.why[0], "UTF-8"));
	free(path);
	/* A number that is only "Số:" names no entry (it crashed once). */
	assert_int_equal(import_text(ix, "so.csv", "dossier_code,doc_number,"
	    "agency_code,level,issued_on,status\n"
	    ",Số:,000.11.30.H26,commune,2024-01-01,valid\n"
	    "Số:,1/QĐ,000.11.30.H26,commune,2024-01-01,valid\n", &st, &b), -1);
	assert_int_equal(b.n, 2);
	assert_non_null(strstr(b.why[0], "holds no number"));
	assert_non_null(strstr(b.why[1], "holds no code"));
	assert_int_equal(register_count(ix), 15);
	index_close(ix);
}

static void
test_levels_are_configuration(void **state)
{
	char *cpath = write_file("province.conf", "[targets]\n"
	    "province = 75%\ncommune = 50%\n");
	char *csv = write_file("province.csv", "Số văn bản;Mã cơ quan;Cấp;"
	    "Ngày cấp;Trạng thái\n"
	    "1/QĐ-UBND;H55;province;01/02/2024;còn hiệu lực\n"
	    "2/QĐ-UBND;H55.242;Xã;01/02/2024;còn hiệu lực\n");
	struct index *ix = fresh_index("levels");
	struct register_stats st;
	struct conf c;
	struct bad b;
	char err[ERRMAX];

	/* The default targets know no province. */
	memset(&b, 0, sizeof b);
	assert_int_equal(register_import(ix, &conf, csv, on_bad, &b, &st, err),
	    -1);
	assert_int_equal(b.n, 1);
	assert_int_equal(b.lines[0], 2);
	/* An installation with a province level (and no district) takes it. */
	assert_int_equal(conf_load(cpath, &c, err), 0);
	memset(&b, 0, sizeof b);
	assert_int_equal(register_import(ix, &c, csv, on_bad, &b, &st, err), 0);
	assert_int_equal(st.added, 2);
	conf_free(&c);
	free(cpath);
	free(csv);
	index_close(ix);
}

/* Two tiers: the register's huyện, quận and cấp huyện rows go where
 * sohoa.conf says the former districts count, tỉnh to province. */
static void
test_former_districts(void **state)
{
	char *cpath = write_file("former.conf", "[targets]\n"
	    "province = 70%\ncommune = 50%\n\n[levels]\n"
	    "former_district = province\n");
	char *csv = write_file("former.csv", "Số văn bản;Mã cơ quan;Cấp;"
	    "Ngày cấp;Trạng thái\n"
	    "1/QĐ-UBND;H26;Tỉnh;01/02/2024;còn hiệu lực\n"
	    "2/QĐ-UBND;H26.05;Huyện;01/02/2024;còn hiệu lực\n"
	    "3/QĐ-UBND;H26.05;Quận;01/02/2024;còn hiệu lực\n"
	    "4/QĐ-UBND;H26.05;Cấp huyện;01/02/2024;còn hiệu lực\n"
	    "5/QĐ-UBND;H26.05.11;Xã;01/02/2024;còn hiệu lực\n");
	struct index *ix = fresh_index("former");
	struct register_stats st;
	struct conf c;
	struct bad b;
	char err[ERRMAX], *level;
	static const char *const want[] = { "province", "province", "province",
	    "province", "commune" };
	char number[16];
	size_t i;

	assert_int_equal(conf_load(cpath, &c, err), 0);
	memset(&b, 0, sizeof b);
	assert_int_equal(register_import(ix, &c, csv, on_bad, &b, &st, err), 0);
	assert_int_equal(st.added, 5);
	for (i = 0; i < 5; i++) {
		snprintf(number, sizeof number, "%zu/QĐ-UBND", i + 1);
		level = entry(ix, "level", number);
		assert_non_null(level);
		assert_string_equal(level, want[i]);
		free(level);
	}
	conf_free(&c);
	/* The default levels keep today's words: huyện is a district. */
	index_close(ix);
	ix = fresh_index("former-default");
	memset(&b, 0, sizeof b);
	assert_int_equal(register_import(ix, &conf, csv, on_bad, &b, &st, err),
	    0);
	level = entry(ix, "level", "2/QĐ-UBND");
	assert_string_equal(level, "district");
	free(level);
	level = entry(ix, "level", "1/QĐ-UBND");
	assert_string_equal(level, "city");
	free(level);
	index_close(ix);
	free(cpath);
	free(csv);
}

static int64_t
add_doc(struct index *ix, const char *sha, const char *dossier,
    const char *number, const char *agency, const char *issued, int64_t dup)
{
	json_t *doc = json_pack("{s:s, s:s, s:i, s:s, s:s?, s:s, s:s?, s:s?, "
	    "s:s?, s:[], s:[], s:s}", "source_name", sha, "sha256", sha,
	    "pages", 1, "profile", "test", "agency_code", agency, "level",
	    "commune", "dossier_code", dossier, "doc_number", number,
	    "issued_on", issued, "people", "id_numbers", "ingested_at",
	    "2025-09-01T10:00:00+07:00");

	if (dup)
		json_object_set_new(doc, "duplicate_of", json_integer(dup));
	return testlib_store(ix, doc, dup ? NULL : "text");
}

static int
has_number(json_t *a, const char *key, const char *v)
{
	json_t *e;
	size_t i;

	json_array_foreach(a, i, e)
		if (json_is_string(json_object_get(e, key)) &&
		    strcmp(json_string_value(json_object_get(e, key)), v) == 0)
			return 1;
	return 0;
}

static void
test_matching(void **state)
{
	struct index *ix = fresh_index("match");
	struct register_stats st;
	json_t *docs, *entries;
	char err[ERRMAX], *sql;
	int64_t wrong_agency, first;

	/* Documents first, the register after: the import matches them. */
	add_doc(ix, "a1", "000.00.12.H26-240102-0001", "15/QĐ-STP",
	    "000.00.12.H26", "2024-01-02", 0);
	add_doc(ix, "a2", NULL, "27 / qđ-stp", "000.00.12.H26", "2024-02-10", 0);
	wrong_agency = add_doc(ix, "a3", NULL, "31/QĐ-STP", "000.11.30.H26",
	    "2024-03-05", 0);
	first = add_doc(ix, "b1", "000.23.11.H26-240315-0017", "2087/QĐ-UBND",
	    "000.00.05.H26", "2024-03-20", 0);
	assert_int_equal(import(ix, "register.csv", &st, NULL), 0);
	assert_int_equal(st.digitized, 3);
	/* ... and documents recorded after the import are matched too. */
	add_doc(ix, "b1-other-scan", "000.23.11.H26-240315-0017", NULL,
	    "000.00.05.H26", NULL, 0);
	add_doc(ix, "b1-copy", "000.23.11.H26-240315-0017", "2087/QĐ-UBND",
	    "000.00.05.H26", "2024-03-20", first);
	add_doc(ix, "b2", NULL, "356/GPXD", "000.00.05.H26", "2023-11-08", 0);
	add_doc(ix, "b4-wrong-date", NULL, "601/QĐ-UBND", "000.00.05.H26",
	    "2024-05-02", 0);
	/* A misread dossier code falls back to the number. */
	add_doc(ix, "c2", "000.11.30.H26-999999-9999", "88/QĐ-UBND",
	    "000.11.30.H26", "2024-06-20", 0);
	add_doc(ix, "nothing", NULL, NULL, "000.11.30.H26", NULL, 0);

	entries = register_match_unmatched(ix, 0, err);
	assert_non_null(entries);
	/* 15 entries; matched: 15/, 27/, 2087/, 356/, 88/. */
	assert_int_equal(json_array_size(entries), 10);
	assert_true(has_number(entries, "doc_number", "31/QĐ-STP"));
	assert_true(has_number(entries, "doc_number", "601/QĐ-UBND"));
	assert_false(has_number(entries, "doc_number", "2087/QĐ-UBND"));
	assert_false(has_number(entries, "doc_number", "88/QĐ-UBND"));
	docs = register_match_unmatched(ix, 1, err);
	assert_non_null(docs);
	/* Not the duplicate copy, not the second scan of 2087/QĐ-UBND. */
	assert_int_equal(json_array_size(docs), 3);
	assert_true(has_number(docs, "source_name", "a3"));
	assert_true(has_number(docs, "source_name", "b4-wrong-date"));
	assert_true(has_number(docs, "source_name", "nothing"));
	assert_non_null(strstr(json_string_value(json_object_get(
	    json_array_get(docs, 2), "reason")), "neither"));
	json_decref(docs);
	json_decref(entries);

	/* A clerk corrects the agency of a3 (sohoa edit): it now matches. */
	sql = xasprintf("UPDATE documents SET agency_code = '000.00.12.H26' "
	    "WHERE id = %lld", (long long)wrong_agency);
	assert_int_equal(db_exec(index_db(ix), sql, NULL), 0);
	free(sql);
	entries = register_match_unmatched(ix, 0, err);
	assert_int_equal(json_array_size(entries), 9);
	assert_false(has_number(entries, "doc_number", "31/QĐ-STP"));
	json_decref(entries);
	/* ... and a record removed no longer counts. */
	assert_int_equal(db_exec(index_db(ix), "DELETE FROM documents "
	    "WHERE source_name = 'b2'", NULL), 0);
	entries = register_match_unmatched(ix, 0, err);
	assert_int_equal(json_array_size(entries), 10);
	assert_true(has_number(entries, "doc_number", "356/GPXD"));
	json_decref(entries);
	index_close(ix);
}

/* An office's own codes, typed into its register, settle what OCR read
 * (known.c): a slip in a code known from nowhere else is kept until then. */
static void
test_codes_learned(void **state)
{
	struct index *ix = fresh_index("learn");
	struct register_stats st;
	struct bad b;
	char *path, *got, err[ERRMAX];

	(void)state;
	memset(&b, 0, sizeof b);
	register_learn_codes(ix);		/* no register: nothing */
	got = known_doc_number("13/QĐ-BQLDO");
	assert_string_equal(got, "13/QĐ-BQLDO");
	free(got);
	path = write_file("learn.csv", "dossier_code,doc_number,agency_code,"
	    "agency_name,level,procedure_code,issued_on,valid_until,status\n"
	    "000.00.12.H26-240102-0001,12/QĐ-BQLDA,000.00.12.H26,Ban quản lý "
	    "dự án,city,,2024-01-02,,valid\n");
	assert_int_equal(register_import(ix, &conf, path, on_bad, &b, &st,
	    err), 0);
	register_learn_codes(ix);
	got = known_doc_number("13/QĐ-BQLDO");
	assert_string_equal(got, "13/QĐ-BQLDA");
	free(got);
	free(path);
	index_close(ix);
}

/* A copy of the database that the sohoa before schema versions were kept
 * made (tests/fixtures/db: three scans, the test register imported). */
static char *
legacy_copy(const char *name)
{
	char *from = testlib_fixture("db/made-by-0.x.db"), *data, *to;
	size_t len;
	FILE *f;

	data = testlib_slurp(from, &len);
	assert_non_null(data);
	to = xasprintf("%s/%s.db", dir, name);
	assert_non_null(f = fopen(to, "wb"));
	assert_int_equal(fwrite(data, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(chmod(to, 0640), 0);	/* as the fixture's own */
	free(data);
	free(from);
	return to;
}

static void
same_as_fixture(json_t *got, const char *name)
{
	char *path = testlib_fixture(name);
	json_error_t je;
	json_t *want = json_load_file(path, 0, &je);

	assert_non_null(want);
	assert_non_null(got);
	if (!json_equal(got, want)) {
		char *s = json_dumps(got, JSON_INDENT(2));

		fprintf(stderr, "%s differs; got:\n%s\n", name, s);
		free(s);
		fail();
	}
	json_decref(want);
	free(path);
}

/*
 * That database opens with its register as it was: its version recorded
 * as the current one, the same entries, the same matches either way and
 * the same report as the old sohoa gave, and its export imported again
 * changes nothing (the statements run on the tables it made).
 */
static void
test_made_before_versions(void **state)
{
	char *path = legacy_copy("legacy"), *csv, err[ERRMAX];
	struct report_opts ro = { "2025-09-30", NULL, NULL, NULL, NULL, 0 };
	struct register_stats st;
	struct index *ix;
	struct bad b;
	json_t *a;

	(void)state;
	memset(&b, 0, sizeof b);
	ix = index_open(path, err);
	if (ix == NULL)
		fail_msg("%s", err);
	assert_int_equal(db_version(index_db(ix), "register"),
	    register_module.version);
	assert_int_equal(register_count(ix), 15);
	a = register_match_unmatched(ix, 0, err);
	same_as_fixture(a, "db/made-by-0.x.unmatched.json");
	json_decref(a);
	a = register_match_unmatched(ix, 1, err);
	same_as_fixture(a, "db/made-by-0.x.unmatched-documents.json");
	json_decref(a);
	a = report_build(ix, &conf, &ro, err);
	same_as_fixture(a, "db/made-by-0.x.report.json");
	json_decref(a);
	csv = fixture("register.csv");
	assert_int_equal(register_import(ix, &conf, csv, on_bad, &b, &st,
	    err), 0);
	assert_int_equal(st.added, 0);
	assert_int_equal(st.updated, 0);
	assert_int_equal(st.unchanged, st.rows);
	assert_int_equal(st.entries, 15);
	index_close(ix);

	/* Opened again, nothing is made twice and nothing is lost. */
	ix = index_open(path, err);
	if (ix == NULL)
		fail_msg("%s", err);
	assert_int_equal(register_count(ix), 15);
	a = register_match_unmatched(ix, 0, err);
	same_as_fixture(a, "db/made-by-0.x.unmatched.json");
	json_decref(a);
	index_close(ix);
	free(csv);
	free(path);
}

static int
setup(void **state)
{
	dir = testlib_tmpdir("test_register");
	testlib_conf(dir, "[targets]\ncity = 70%\ndistrict = 60%\n"
	    "commune = 50%\n", &conf);
	return 0;
}

static int
teardown(void **state)
{
	int rc = testlib_rmdir(dir);

	conf_free(&conf);
	free(dir);
	dir = NULL;
	return rc;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_keys),
		cmocka_unit_test(test_codes_learned),
		cmocka_unit_test(test_import_and_variants),
		cmocka_unit_test(test_reimport_updates_never_doubles),
		cmocka_unit_test(test_reexport_without_dossier_codes),
		cmocka_unit_test(test_bad_rows_import_nothing),
		cmocka_unit_test(test_levels_are_configuration),
		cmocka_unit_test(test_former_districts),
		cmocka_unit_test(test_matching),
		cmocka_unit_test(test_made_before_versions),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
