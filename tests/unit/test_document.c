/*
 * test_document.c: the typed record and its JSON contract.  A full record
 * read from JSON and written back is the same text, key order included
 * (the order clients and the golden outputs see); unknown values come out
 * null and empty lists as []; a member of the wrong type is refused with
 * one sentence naming it, and nothing is kept of the record.  A record
 * stored and read back (store.c) is the same typed record and the same
 * contract object.  A typed record stored, corrected and copied is what
 * search finds: its fields in the full text, its people in the names
 * table, a duplicate in neither.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "sohoa.h"
#include "testlib.h"

#define FULL "{\"id\": 7, \"source_name\": \"QD 12.pdf\", " \
	"\"sha256\": \"ab12\", \"pages\": 2, \"ocr_confidence\": 87.5, " \
	"\"profile\": \"ubnd-xa\", \"agency_code\": \"H26.1.2\", " \
	"\"agency_name\": \"UBND phường Dịch Vọng\", \"level\": \"commune\", " \
	"\"doc_type\": \"Quyết định\", \"doc_number\": \"12/QĐ-UBND\", " \
	"\"issued_on\": \"2024-03-15\", " \
	"\"people\": [\"NGUYỄN VĂN AN\", \"Trần Thị Bình\"], " \
	"\"id_numbers\": [\"001323012345\"], " \
	"\"dossier_code\": \"000.23.11.H26-240315-0017\", " \
	"\"archive\": \"packages/2024/7.tar\", " \
	"\"ingested_at\": \"2024-03-16T08:00:00Z\", \"duplicate_of\": 3, " \
	"\"procedure_code\": \"1.001612.000.00.00.H26\", " \
	"\"valid_until\": \"2030-12-31\"}"

#define EMPTY "{\"id\": 0, \"source_name\": null, \"sha256\": null, " \
	"\"pages\": 0, \"ocr_confidence\": null, \"profile\": null, " \
	"\"agency_code\": null, \"agency_name\": null, \"level\": null, " \
	"\"doc_type\": null, \"doc_number\": null, \"issued_on\": null, " \
	"\"people\": [], \"id_numbers\": [], \"dossier_code\": null, " \
	"\"archive\": null, \"ingested_at\": null, \"duplicate_of\": null, " \
	"\"procedure_code\": null, \"valid_until\": null}"

/* The text of document_to_json(document_from_json(text)). */
static char *
round_trip(const char *text)
{
	char err[ERRMAX] = "";
	struct document d;
	json_t *in, *out;
	char *s;

	in = json_loads(text, 0, NULL);
	assert_non_null(in);
	assert_int_equal(document_from_json(in, &d, err), 0);
	assert_string_equal(err, "");
	out = document_to_json(&d);
	s = json_dumps(out, 0);
	json_decref(out);
	json_decref(in);
	document_free(&d);
	return s;
}

static void
test_full_record(void **state)
{
	char err[ERRMAX];
	struct document d;
	json_t *in;
	char *s;

	(void)state;
	s = round_trip(FULL);
	assert_string_equal(s, FULL);
	free(s);

	/* The members are where a C reader looks for them. */
	in = json_loads(FULL, 0, NULL);
	assert_int_equal(document_from_json(in, &d, err), 0);
	assert_int_equal(d.id, 7);
	assert_int_equal(d.pages, 2);
	assert_true(d.has_ocr_confidence);
	assert_true(d.ocr_confidence == 87.5);
	assert_string_equal(d.doc_number, "12/QĐ-UBND");
	assert_int_equal(d.people.n, 2);
	assert_string_equal(d.people.v[1], "Trần Thị Bình");
	assert_int_equal(d.id_numbers.n, 1);
	assert_int_equal(d.duplicate_of, 3);
	document_free(&d);
	assert_null(d.doc_number);
	assert_int_equal(d.people.n, 0);
	json_decref(in);
}

static void
test_nulls_and_empty(void **state)
{
	char *s;

	(void)state;
	/* Null members, empty lists: as they came. */
	s = round_trip(EMPTY);
	assert_string_equal(s, EMPTY);
	free(s);
	/* Absent members are unknown: the contract's object still has them
	 * all, null, in order; other keys are not the record's. */
	s = round_trip("{\"issued_on\": null, \"text\": \"x\"}");
	assert_string_equal(s, EMPTY);
	free(s);
	/* An integer confidence is a number like another. */
	s = round_trip("{\"ocr_confidence\": 90}");
	assert_non_null(strstr(s, "\"ocr_confidence\": 90.0,"));
	free(s);
}

static void
test_bad_types_refused(void **state)
{
	static const struct {
		const char	*json, *key;
	} cases[] = {
		{ "{\"doc_number\": 12}", "\"doc_number\"" },
		{ "{\"people\": \"NGUYỄN VĂN AN\"}", "\"people\"" },
		{ "{\"people\": [\"AN\", 3]}", "\"people\"" },
		{ "{\"id_numbers\": null}", "\"id_numbers\"" },
		{ "{\"pages\": \"2\"}", "\"pages\"" },
		{ "{\"pages\": -1}", "\"pages\"" },
		{ "{\"id\": -4}", "\"id\"" },
		{ "{\"duplicate_of\": 0}", "\"duplicate_of\"" },
		{ "{\"ocr_confidence\": \"high\"}", "\"ocr_confidence\"" },
		{ "[1, 2]", "not a JSON object" },
	};
	char err[ERRMAX];
	struct document d;
	json_t *in;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		in = json_loads(cases[i].json, JSON_DECODE_ANY, NULL);
		assert_non_null(in);
		err[0] = '\0';
		assert_int_equal(document_from_json(in, &d, err), -1);
		assert_non_null(strstr(err, cases[i].key));
		assert_null(strchr(err, '\n'));
		/* Nothing is kept: the record is empty, nothing to free. */
		assert_null(d.source_name);
		assert_null(d.people.v);
		json_decref(in);
	}
	/* A wrong member after good ones: those are freed too (ASan). */
	in = json_loads("{\"source_name\": \"a.pdf\", \"people\": [\"AN\"], "
	    "\"valid_until\": 2030}", 0, NULL);
	assert_int_equal(document_from_json(in, &d, err), -1);
	assert_non_null(strstr(err, "\"valid_until\""));
	assert_null(d.source_name);
	assert_null(d.people.v);
	json_decref(in);
}

/* One member by its key, as the corrections table keeps it: set from
 * JSON, read as JSON, a wrong type refused with d as it was. */
static void
test_member_by_key(void **state)
{
	char err[ERRMAX] = "";
	struct document d;
	json_t *in, *v;

	(void)state;
	in = json_loads(FULL, 0, NULL);
	assert_int_equal(document_from_json(in, &d, err), 0);
	json_decref(in);

	v = document_get(&d, DOC_K_NUMBER);
	assert_string_equal(json_string_value(v), "12/QĐ-UBND");
	json_decref(v);
	assert_null(document_get(&d, "no_such_member"));

	v = json_string("13/QĐ-UBND");
	assert_int_equal(document_set(&d, DOC_K_NUMBER, v, err), 0);
	json_decref(v);
	assert_string_equal(d.doc_number, "13/QĐ-UBND");
	assert_int_equal(document_set(&d, DOC_K_NUMBER, json_null(), err), 0);
	assert_null(d.doc_number);
	v = document_get(&d, DOC_K_NUMBER);
	assert_true(json_is_null(v));
	json_decref(v);

	v = json_pack("[s]", "TRẦN VĂN AN");
	assert_int_equal(document_set(&d, DOC_K_PEOPLE, v, err), 0);
	json_decref(v);
	assert_int_equal(d.people.n, 1);
	assert_string_equal(d.people.v[0], "TRẦN VĂN AN");

	/* The wrong type: refused in a sentence, the member kept. */
	v = json_string("TRẦN VĂN AN");
	assert_int_equal(document_set(&d, DOC_K_PEOPLE, v, err), -1);
	json_decref(v);
	assert_non_null(strstr(err, "\"people\""));
	assert_int_equal(d.people.n, 1);
	v = json_integer(5);
	assert_int_equal(document_set(&d, DOC_K_DOSSIER_CODE, v, err), -1);
	json_decref(v);
	assert_string_equal(d.dossier_code, "000.23.11.H26-240315-0017");
	assert_int_equal(document_set(&d, "no_such_member", json_null(), err),
	    -1);
	assert_non_null(strstr(err, "no_such_member"));

	/* A reference set to null is unknown again. */
	assert_int_equal(document_set(&d, DOC_K_DUPLICATE_OF, json_null(), err),
	    0);
	assert_int_equal(d.duplicate_of, 0);
	document_free(&d);
}

/* What is stored comes back typed, and as the object it went in as. */
static void
test_stored_record(void **state)
{
	char err[ERRMAX], *dir, *want, *got;
	struct document d;
	struct index *ix;
	struct db_stmt *st;
	json_t *in, *out;
	int64_t id;

	(void)state;
	dir = testlib_tmpdir("test_document");
	ix = testlib_index(dir, "sohoa");
	in = json_loads(FULL, 0, NULL);
	json_object_del(in, DOC_K_ID);
	/* A first copy: a duplicate must point to a record that is there. */
	json_object_set_new(in, DOC_K_DUPLICATE_OF, json_null());
	id = testlib_store(ix, json_incref(in), "Quyết định số 12/QĐ-UBND");
	json_object_set_new(in, DOC_K_ID, json_integer(id));

	st = index_stmt(ix, STMT_GET);
	db_bind_int64(st, 1, id);
	assert_int_equal(db_step(st), DB_ROW);
	store_row_document(st, &d);
	db_reset(st);
	assert_int_equal(d.id, id);
	assert_string_equal(d.agency_name, "UBND phường Dịch Vọng");
	assert_int_equal(d.people.n, 2);
	assert_string_equal(d.people.v[0], "NGUYỄN VĂN AN");
	assert_int_equal(d.duplicate_of, 0);
	assert_true(d.has_ocr_confidence);
	document_free(&d);

	out = store_get(ix, id);
	assert_non_null(out);
	/* The key order of store_get is the contract's. */
	assert_int_equal(document_from_json(in, &d, err), 0);
	json_decref(in);
	in = document_to_json(&d);
	document_free(&d);
	want = json_dumps(in, 0);
	got = json_dumps(out, 0);
	assert_string_equal(got, want);
	free(want);
	free(got);
	json_decref(in);
	json_decref(out);
	index_close(ix);
	assert_int_equal(testlib_rmdir(dir), 0);
	free(dir);
}

/* How many rows of the names table name document id (as sql's %lld). */
static int64_t
names_of(struct index *ix, int64_t id)
{
	char *sql = xasprintf("SELECT count(*) FROM names WHERE document = "
	    "%lld", (long long)id);
	int64_t n = db_int(index_db(ix), sql, -1);

	free(sql);
	return n;
}

/* The ids search_find gives for query, joined by spaces. */
static char *
found(struct index *ix, const char *query)
{
	char err[ERRMAX] = "";
	struct buf b;
	json_t *r, *v;
	size_t i;
	char *s;

	r = search_find(ix, query, NULL, 10, err);
	assert_non_null(r);
	buf_init(&b, 1 << 10);
	json_array_foreach(r, i, v)
		buf_printf(&b, "%s%lld", i > 0 ? " " : "", (long long)
		    json_integer_value(json_object_get(v, DOC_K_ID)));
	json_decref(r);
	s = xstrdup(b.data != NULL ? b.data : "");
	buf_free(&b);
	return s;
}

/* A record put in as a structure, with no JSON on the way: stored,
 * searched, corrected, copied. */
static void
test_typed_store(void **state)
{
	char err[ERRMAX] = "", *dir, *got;
	struct document d, back, dup;
	struct index *ix;
	int64_t first;

	(void)state;
	dir = testlib_tmpdir("test_document");
	ix = testlib_index(dir, "sohoa");
	memset(&d, 0, sizeof d);
	document_set_str(&d.source_name, "QD 12.tif");
	document_set_str(&d.sha256, "ab12");
	d.pages = 2;
	d.has_ocr_confidence = 1;
	d.ocr_confidence = 87.5;
	document_set_str(&d.profile, "ubnd-xa");
	document_set_str(&d.level, "commune");
	document_set_str(&d.doc_number, "12/QĐ-UBND");
	document_strings_add(&d.people, "Nguyễn Thị Thu Hường");
	document_strings_add(&d.id_numbers, "001323012345");
	document_set_str(&d.ingested_at, "2024-03-16T08:00:00Z");
	assert_int_equal(index_begin(ix), 0);
	assert_int_equal(store_insert(ix, &d, "Quyết định về việc cấp phép",
	    err), 0);
	assert_int_equal(index_commit(ix), 0);
	first = d.id;
	assert_true(first > 0);

	/* Read back typed: every member as it went in. */
	assert_int_equal(store_get_document(ix, first, &back), 0);
	assert_int_equal(back.id, first);
	assert_string_equal(back.source_name, "QD 12.tif");
	assert_int_equal(back.pages, 2);
	assert_true(back.has_ocr_confidence);
	assert_true(back.ocr_confidence == 87.5);
	assert_string_equal(back.doc_number, "12/QĐ-UBND");
	assert_null(back.doc_type);
	assert_int_equal(back.people.n, 1);
	assert_string_equal(back.people.v[0], "Nguyễn Thị Thu Hường");
	assert_int_equal(back.id_numbers.n, 1);
	assert_int_equal(back.duplicate_of, 0);
	document_free(&back);
	assert_int_equal(store_get_document(ix, 999, &back), -1);
	assert_null(back.source_name);
	assert_int_equal(back.people.n, 0);

	/* Its fields and people are what clerks find it by. */
	got = found(ix, "12/QĐ-UBND");
	assert_int_equal(strtoll(got, NULL, 10), first);
	free(got);
	assert_int_equal(names_of(ix, first), 3);	/* whole, by 3 and 2 */

	/* Corrected: the new number and person found, the old ones not. */
	document_set_str(&d.doc_number, "13/QĐ-UBND");
	document_strings_free(&d.people);
	document_strings_add(&d.people, "Trần Văn An");
	assert_int_equal(index_begin(ix), 0);
	assert_int_equal(store_set_fields(ix, first, &d, 1, err), 0);
	assert_int_equal(index_commit(ix), 0);
	got = found(ix, "13/QĐ-UBND");
	assert_int_equal(strtoll(got, NULL, 10), first);
	free(got);
	got = found(ix, "12/QĐ-UBND");
	assert_string_equal(got, "");
	free(got);
	assert_int_equal(names_of(ix, first), 2);	/* whole, "van an" */
	assert_int_equal(store_get_document(ix, first, &back), 0);
	assert_string_equal(back.doc_number, "13/QĐ-UBND");
	assert_string_equal(back.people.v[0], "Trần Văn An");
	document_free(&back);

	/* A duplicate: its own record, pointing to the first; not searched. */
	assert_int_equal(store_get_document(ix, first, &dup), 0);
	document_set_str(&dup.source_name, "QD 12 again.tif");
	dup.duplicate_of = first;
	assert_int_equal(index_begin(ix), 0);
	assert_int_equal(store_insert(ix, &dup, NULL, err), 0);
	assert_int_equal(index_commit(ix), 0);
	assert_true(dup.id > first);
	assert_int_equal(names_of(ix, dup.id), 0);
	got = found(ix, "13/QĐ-UBND");
	assert_int_equal(strtoll(got, NULL, 10), first);
	assert_null(strchr(got, ' '));
	free(got);
	assert_int_equal(store_get_document(ix, dup.id, &back), 0);
	assert_int_equal(back.duplicate_of, first);
	document_free(&back);

	document_free(&dup);
	document_free(&d);
	index_close(ix);
	assert_int_equal(testlib_rmdir(dir), 0);
	free(dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_full_record),
		cmocka_unit_test(test_nulls_and_empty),
		cmocka_unit_test(test_bad_types_refused),
		cmocka_unit_test(test_member_by_key),
		cmocka_unit_test(test_stored_record),
		cmocka_unit_test(test_typed_store),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
