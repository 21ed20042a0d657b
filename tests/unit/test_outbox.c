/*
 * test_outbox.c: the local outbox of the city's shipping (outbox.c), with
 * no PostgreSQL: nothing is queued before an installation ships; the first
 * start queues every record there is, once; a record stored or corrected
 * afterwards is queued by the triggers in its own transaction, once per
 * record however often it changes, with a seq that only grows and the
 * time of its oldest unsent change; an installation keeps its office's
 * name.  And the names an office may have.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "sohoa.h"
#include "testlib.h"

struct fixture {
	char	*dir;
	struct index *ix;
};

static int64_t
add(struct fixture *f, const char *name)
{
	json_t *doc = json_pack("{s:s, s:s, s:i, s:s, s:s, s:[s], s:[], "
	    "s:s}", "source_name", name, "sha256", name, "pages", 1,
	    "doc_type", "GIẤY PHÉP XÂY DỰNG", "doc_number", "12/GPXD", "people",
	    "Nguyễn Văn An", "id_numbers", "ingested_at",
	    "2026-11-22T10:00:00+07:00");

	return testlib_store(f->ix, doc, "Cấp cho ông Nguyễn Văn An");
}

static int64_t
count(struct fixture *f, const char *sql)
{
	return db_int(index_db(f->ix), sql, -1);
}

static int
setup(void **state)
{
	struct fixture *f = calloc(1, sizeof *f);

	f->dir = testlib_tmpdir("test_outbox");
	f->ix = testlib_index(f->dir, "sohoa");
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;

	index_close(f->ix);
	testlib_rmdir(f->dir);
	free(f->dir);
	free(f);
	return 0;
}

static void
test_nothing_before_shipping(void **state)
{
	struct fixture *f = *state;

	add(f, "a.tif");
	assert_int_equal(count(f, "SELECT count(*) FROM outbox"), 0);
	assert_null(outbox_status(f->ix));
}

static void
test_first_load_once(void **state)
{
	struct fixture *f = *state;
	char err[ERRMAX];
	int64_t queued;
	json_t *st;

	add(f, "a.tif");
	add(f, "b.tif");
	assert_int_equal(outbox_start(f->ix, "phuong-a", &queued, err), 0);
	assert_int_equal(queued, 2);
	assert_int_equal(outbox_pending(f->ix, 0), 2);
	assert_int_equal(outbox_last_seq(f->ix), 2);
	/* Again: nothing more. */
	assert_int_equal(outbox_start(f->ix, "phuong-a", &queued, err), 0);
	assert_int_equal(queued, 0);
	assert_int_equal(outbox_pending(f->ix, 0), 2);
	st = outbox_status(f->ix);
	assert_non_null(st);
	assert_string_equal(json_string_value(json_object_get(st, "office")),
	    "phuong-a");
	assert_int_equal(json_integer_value(json_object_get(st, "pending")), 2);
	assert_true(json_is_integer(json_object_get(st, "oldest_age_seconds")));
	assert_true(json_is_null(json_object_get(st, "last_sent_at")));
	json_decref(st);
}

static void
test_office_keeps_its_name(void **state)
{
	struct fixture *f = *state;
	char err[ERRMAX];
	int64_t queued;

	assert_int_equal(outbox_start(f->ix, "phuong-a", &queued, err), 0);
	assert_int_equal(outbox_start(f->ix, "phuong-b", &queued, err), -1);
	assert_contains(err, "as office phuong-a");
	assert_contains(err, "sohoa.conf says phuong-b");
}

static void
test_changes_queued_once_seq_grows(void **state)
{
	struct fixture *f = *state;
	char err[ERRMAX], *assign[] = { "doc_number=13/GPXD" };
	int64_t queued, id, seq1, seq2;
	json_t *changed = NULL;

	assert_int_equal(outbox_start(f->ix, "phuong-a", &queued, err), 0);
	assert_int_equal(queued, 0);
	id = add(f, "c.tif");
	assert_int_equal(count(f, "SELECT count(*) FROM outbox WHERE kind = "
	    "'document'"), 1);
	seq1 = count(f, "SELECT seq FROM outbox");
	db_exec(index_db(f->ix), "UPDATE outbox SET queued_at = "
	    "'2026-01-01T00:00:00Z'", NULL);
	assert_int_equal(correct_edit(f->ix, id, assign, 1, &changed, err), 0);
	json_decref(changed);
	/* One row still, a later seq, the time of the first change kept. */
	assert_int_equal(count(f, "SELECT count(*) FROM outbox"), 1);
	seq2 = count(f, "SELECT seq FROM outbox");
	assert_true(seq2 > seq1);
	assert_int_equal(count(f, "SELECT count(*) FROM outbox WHERE "
	    "queued_at = '2026-01-01T00:00:00Z'"), 1);
	assert_int_equal(outbox_pending(f->ix, seq1), 0);
	assert_int_equal(outbox_pending(f->ix, seq2), 1);
	/* The counter never goes back, even once the outbox is empty. */
	db_exec(index_db(f->ix), "DELETE FROM outbox", NULL);
	add(f, "d.tif");
	assert_true(count(f, "SELECT seq FROM outbox") > seq2);
}

static void
test_rolled_back_change_not_queued(void **state)
{
	struct fixture *f = *state;
	struct db *db;
	char err[ERRMAX];
	int64_t queued;

	assert_int_equal(outbox_start(f->ix, "phuong-a", &queued, err), 0);
	db = index_db(f->ix);
	assert_int_equal(db_begin(db), 0);
	assert_int_equal(db_exec(db, "INSERT INTO documents (source_name, "
	    "sha256, pages, ingested_at) VALUES ('x', 'x', 1, 'now')", NULL), 0);
	assert_int_equal(count(f, "SELECT count(*) FROM outbox"), 1);
	db_rollback(db);
	assert_int_equal(count(f, "SELECT count(*) FROM outbox"), 0);
}

static void
test_office_names(void **state)
{
	static const char *const good[] = { "a", "phuong-dich-vong-hau",
	    "0.1_x", "s-tu-phap" };
	static const char *const bad[] = { "", "A", "-a", ".a", "phường",
	    "a b", "a/b",
	    "a234567890123456789012345678901234567890123456789012345678901234" };
	char why[ERRMAX];
	size_t i;

	for (i = 0; i < sizeof good / sizeof good[0]; i++)
		assert_int_equal(city_office_ok(good[i], why), 0);
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		assert_int_equal(city_office_ok(bad[i], why), -1);
		assert_contains(why, "an office's name is");
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_nothing_before_shipping,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_first_load_once, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_office_keeps_its_name,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_changes_queued_once_seq_grows, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_rolled_back_change_not_queued, setup, teardown),
		cmocka_unit_test(test_office_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
