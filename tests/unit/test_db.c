/*
 * test_db.c: db.c, the one owner of the database.  Opening records every
 * module's schema version; a module's upgrade runs once from 0 and then
 * not again until its version grows, and then from the version recorded;
 * an upgrade that fails undoes every module's work of that opening, and
 * the opening fails with one line saying why; a database made by a newer
 * sohoa is refused; statements come back reset with their bindings
 * cleared; a statement that cannot be prepared says why.
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

struct fixture {
	char	*dir;
	char	*path;
};

/* What the test modules' upgrades saw. */
static int calls_a, from_a, calls_b, from_b;

static int
setup(void **state)
{
	struct fixture *f = xcalloc(1, sizeof *f);

	f->dir = testlib_tmpdir("test_db");
	f->path = xasprintf("%s/t.db", f->dir);
	calls_a = calls_b = 0;
	from_a = from_b = -1;
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;

	testlib_rmdir(f->dir);
	free(f->dir);
	free(f->path);
	free(f);
	return 0;
}

static int
upgrade_a(struct db *db, int from, char *err)
{
	calls_a++;
	from_a = from;
	if (db_exec(db, "CREATE TABLE IF NOT EXISTS a_items (id INTEGER "
	    "PRIMARY KEY, name TEXT)", err) == -1)
		return -1;
	if (from < 2 && !db_has_column(db, "a_items", "note") &&
	    db_exec(db, "ALTER TABLE a_items ADD COLUMN note TEXT", err) == -1)
		return -1;
	return 0;
}

static int
upgrade_b_fails(struct db *db, int from, char *err)
{
	calls_b++;
	from_b = from;
	if (db_exec(db, "CREATE TABLE b_items (id INTEGER PRIMARY KEY)",
	    err) == -1)
		return -1;
	snprintf(err, ERRMAX, "b cannot move its data");
	return -1;
}

static int
upgrade_b(struct db *db, int from, char *err)
{
	calls_b++;
	from_b = from;
	return db_exec(db, "CREATE TABLE IF NOT EXISTS b_items (id INTEGER "
	    "PRIMARY KEY)", err);
}

enum { A_ADD, A_NAMES, A_IS_NULL, A_MAX };
static const char *const a_sql[A_MAX] = {
	[A_ADD] = "INSERT INTO a_items (name) VALUES (?1)",
	[A_NAMES] = "SELECT name FROM a_items ORDER BY id",
	[A_IS_NULL] = "SELECT ?1 IS NULL",
};
static const struct db_module mod_a1 = { "a", 1, upgrade_a, a_sql, A_MAX,
    NULL };
static const struct db_module mod_a2 = { "a", 2, upgrade_a, a_sql, A_MAX,
    NULL };
static const struct db_module mod_b = { "b", 1, upgrade_b, NULL, 0, NULL };
static const struct db_module mod_b_fails = { "b", 1, upgrade_b_fails, NULL,
    0, NULL };

static struct db *
open_with(const char *path, const struct db_module *m1,
    const struct db_module *m2, char *err)
{
	const struct db_module *list[2] = { m1, m2 };

	return db_open(path, list, m2 != NULL ? 2 : 1, err);
}

/* index_open records the version of every module of the installation. */
static void
test_versions_recorded(void **state)
{
	struct fixture *f = *state;
	struct index *ix = testlib_index(f->dir, "sohoa");
	struct db *db = index_db(ix);
	struct stat sb;
	char *p;

	assert_int_equal(db_version(db, "index"), index_module.version);
	assert_int_equal(db_version(db, "jobs"), job_module.version);
	assert_int_equal(db_version(db, "reserve"), reserve_module.version);
	assert_true(index_module.version >= 2);
	assert_int_equal(db_version(db, "no such module"), 0);
	/* Every table exists once index_open returned. */
	assert_true(db_has_table(db, "documents"));
	assert_true(db_has_table(db, "jobs"));
	assert_true(db_has_table(db, "package_reservations"));
	assert_true(db_has_column(db, "jobs", "inbox_path"));
	assert_false(db_has_column(db, "jobs", "no_such_column"));
	index_close(ix);
	/* The file holds names and ID numbers: owner and group only. */
	p = xasprintf("%s/sohoa.db", f->dir);
	assert_int_equal(stat(p, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0640);
	free(p);
}

/* From 0 once, then never again at the same version; a new version runs
 * it from the one recorded. */
static void
test_upgrade_runs_once(void **state)
{
	struct fixture *f = *state;
	char err[ERRMAX];
	struct db *db;

	assert_non_null(db = open_with(f->path, &mod_a1, NULL, err));
	assert_int_equal(calls_a, 1);
	assert_int_equal(from_a, 0);
	assert_int_equal(db_version(db, "a"), 1);
	db_close(db);

	assert_non_null(db = open_with(f->path, &mod_a1, NULL, err));
	assert_int_equal(calls_a, 1);
	db_close(db);

	assert_non_null(db = open_with(f->path, &mod_a2, NULL, err));
	assert_int_equal(calls_a, 2);
	assert_int_equal(from_a, 1);
	assert_int_equal(db_version(db, "a"), 2);
	assert_true(db_has_column(db, "a_items", "note"));
	db_close(db);

	/* A module added later starts from 0; the others stay as they are. */
	assert_non_null(db = open_with(f->path, &mod_a2, &mod_b, err));
	assert_int_equal(calls_a, 2);
	assert_int_equal(calls_b, 1);
	assert_int_equal(from_b, 0);
	assert_int_equal(db_version(db, "b"), 1);
	db_close(db);
}

/* One failing upgrade undoes the work of every module in that opening. */
static void
test_failed_upgrade_rolls_back(void **state)
{
	struct fixture *f = *state;
	char err[ERRMAX];
	struct db *db;

	assert_null(open_with(f->path, &mod_a1, &mod_b_fails, err));
	assert_int_equal(calls_a, 1);
	assert_int_equal(calls_b, 1);
	assert_contains(err, f->path);
	assert_contains(err, "b cannot move its data");
	assert_null(strchr(err, '\n'));

	/* Nothing of a's stayed either: it starts from 0 again. */
	assert_non_null(db = open_with(f->path, &mod_a1, NULL, err));
	assert_int_equal(calls_a, 2);
	assert_int_equal(from_a, 0);
	assert_false(db_has_table(db, "b_items"));
	assert_int_equal(db_version(db, "b"), 0);
	db_close(db);
}

/*
 * index_open fails with one line when a module's upgrade fails: here the
 * job journal's, on a "jobs" that is a view (no index can be made on it).
 * The index's tables, made before in the same transaction, are gone too.
 */
static void
test_index_open_fails_whole(void **state)
{
	struct fixture *f = *state;
	const struct db_module *list[1] = { &mod_a1 };
	char err[ERRMAX], *path;
	struct index *ix;
	struct db *db;

	path = xasprintf("%s/sohoa.db", f->dir);
	assert_non_null(db = db_open(path, list, 1, err));
	assert_int_equal(db_exec(db, "CREATE VIEW jobs AS SELECT 1 AS id",
	    err), 0);
	db_close(db);

	assert_null(ix = index_open(path, err));
	assert_contains(err, "cannot set up the job journal");
	assert_null(strchr(err, '\n'));

	assert_non_null(db = db_open(path, list, 1, err));
	assert_false(db_has_table(db, "documents"));
	assert_int_equal(db_version(db, "index"), 0);
	db_close(db);
	free(path);
}

/* A database whose tables a newer sohoa made is not touched. */
static void
test_newer_version_refused(void **state)
{
	struct fixture *f = *state;
	char err[ERRMAX];
	struct db *db;

	assert_non_null(db = open_with(f->path, &mod_a2, NULL, err));
	db_close(db);
	assert_null(open_with(f->path, &mod_a1, NULL, err));
	assert_contains(err, "newer sohoa");
	assert_int_equal(calls_a, 1);
}

/* The same statement each time, reset and with its bindings cleared. */
static void
test_statements_cached_and_reset(void **state)
{
	struct fixture *f = *state;
	struct db_stmt *st, *again;
	char err[ERRMAX];
	struct db *db;

	assert_non_null(db = open_with(f->path, &mod_a1, NULL, err));
	st = db_stmt(db, &mod_a1, A_ADD);
	db_bind_text(st, 1, "một");
	assert_int_equal(db_run(st), 0);
	st = db_stmt(db, &mod_a1, A_ADD);
	db_bind_text(st, 1, "hai");
	assert_int_equal(db_run(st), 0);
	assert_int_equal(db_last_id(db), 2);
	assert_int_equal(db_changes(db), 1);

	st = db_stmt(db, &mod_a1, A_NAMES);
	assert_int_equal(db_step(st), DB_ROW);
	assert_string_equal(db_col_text(st, 0), "một");
	assert_int_equal(db_step(st), DB_ROW);
	/* Asked again in the middle of its rows: back at the first. */
	again = db_stmt(db, &mod_a1, A_NAMES);
	assert_ptr_equal(again, st);
	assert_int_equal(db_step(again), DB_ROW);
	assert_string_equal(db_col_text(again, 0), "một");
	db_reset(again);

	st = db_stmt(db, &mod_a1, A_IS_NULL);
	db_bind_text(st, 1, "x");
	assert_int_equal(db_step(st), DB_ROW);
	assert_int_equal(db_col_int64(st, 0), 0);
	st = db_stmt(db, &mod_a1, A_IS_NULL);
	assert_int_equal(db_step(st), DB_ROW);
	assert_int_equal(db_col_int64(st, 0), 1);
	db_reset(st);
	db_bind_text(st, 1, NULL);
	assert_int_equal(db_step(st), DB_ROW);
	assert_int_equal(db_col_int64(st, 0), 1);
	db_close(db);
}

/* What cannot be prepared or run says why. */
static void
test_errors_reported(void **state)
{
	static const char *const bad_sql[1] = {
		"SELECT missing FROM no_such_table"
	};
	static const struct db_module bad = { "bad", 1, NULL, bad_sql, 1,
	    NULL };
	struct fixture *f = *state;
	struct db_stmt *st;
	char err[ERRMAX];
	struct db *db;

	assert_non_null(db = open_with(f->path, &mod_a1, NULL, err));
	assert_null(db_prepare(db, "SELECT * FROM no_such_table"));
	assert_contains(db_errmsg(db), "no such table: no_such_table");
	assert_int_equal(db_exec(db, "INSERT INTO no_such_table VALUES (1)",
	    err), -1);
	assert_contains(err, "no such table");
	assert_int_equal(db_busy(db), 0);
	assert_int_equal(db_int(db, "SELECT count(*) FROM a_items", -1), 0);
	assert_int_equal(db_int(db, "SELECT missing FROM nowhere", -7), -7);

	/* A constraint broken: DB_ERROR, and why. */
	assert_int_equal(db_exec(db, "CREATE TABLE u (k TEXT UNIQUE)", err), 0);
	assert_non_null(st = db_prepare(db, "INSERT INTO u VALUES (?1)"));
	assert_int_equal(db_bind_count(st), 1);
	db_bind_text(st, 1, "k");
	assert_int_equal(db_step(st), DB_DONE);
	db_reset(st);
	assert_int_equal(db_step(st), DB_ERROR);
	assert_contains(db_errmsg(db), "UNIQUE");
	db_finalize(st);
	db_finalize(NULL);

	/* Transactions. */
	assert_int_equal(db_in_transaction(db), 0);
	assert_int_equal(db_begin(db), 0);
	assert_int_equal(db_in_transaction(db), 1);
	assert_int_equal(db_exec(db, "INSERT INTO u VALUES ('gone')", err), 0);
	db_rollback(db);
	assert_int_equal(db_in_transaction(db), 0);
	assert_int_equal(db_int(db, "SELECT count(*) FROM u", -1), 1);
	db_rollback(db);		/* none open: nothing happens */
	db_close(db);

	/* A module's statement that does not prepare fails the opening. */
	assert_null(open_with(f->path, &mod_a1, &bad, err));
	assert_contains(err, "no such table: no_such_table");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_versions_recorded, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_upgrade_runs_once, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_failed_upgrade_rolls_back,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_index_open_fails_whole,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_newer_version_refused,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_statements_cached_and_reset, setup, teardown),
		cmocka_unit_test_setup_teardown(test_errors_reported, setup,
		    teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
