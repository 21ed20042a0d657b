/*
 * test_document.c: the typed record and its JSON contract.  A full record
 * read from JSON and written back is the same text, key order included
 * (the order clients and the golden outputs see); unknown values come out
 * null and empty lists as []; a member of the wrong type is refused with
 * one sentence naming it, and nothing is kept of the record.  A record
 * stored and read back (store.c) is the same typed record and the same
 * contract object.
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

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_full_record),
		cmocka_unit_test(test_nulls_and_empty),
		cmocka_unit_test(test_bad_types_refused),
		cmocka_unit_test(test_stored_record),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
