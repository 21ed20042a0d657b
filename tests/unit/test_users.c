/*
 * test_users.c: users.c, the people who sign in to sohoa-web.  A user is
 * added with a role and found again; a name taken (in any case), a role
 * that is none, a bad name and a short password are refused; a sign-in
 * with the right password passes, and one with a wrong password, an
 * unknown name or a disabled user fails with the same words, an unknown
 * name taking as long as a known one; a new password replaces the old;
 * the list never holds a hash; each change is in the access log, and one
 * the log cannot take is not made.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "sohoa.h"
#include "testlib.h"

struct fixture {
	char	*dir;
	struct index *ix;
};

static int
setup(void **state)
{
	struct fixture *f = xcalloc(1, sizeof *f);

	f->dir = testlib_tmpdir("test_users");
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
test_add_and_list(void **state)
{
	struct fixture *f = *state;
	char err[ERRMAX], role[USERS_ROLEMAX], *dump;
	json_t *a, *u;
	int disabled = -1;

	assert_int_equal(users_add(f->ix, "lan.nguyen", "clerk",
	    "mật khẩu dài", err), 0);
	assert_int_equal(users_add(f->ix, "an_tran-2", "admin", "0123456789",
	    err), 0);
	assert_int_equal(users_get(f->ix, "lan.nguyen", role, &disabled, NULL), 0);
	assert_string_equal(role, "clerk");
	assert_int_equal(disabled, 0);
	assert_int_equal(users_get(f->ix, "nobody", role, &disabled, NULL), -1);
	/* Names are compared as typed. */
	assert_int_equal(users_get(f->ix, "LAN.NGUYEN", role, &disabled, NULL), -1);

	a = users_list(f->ix, err);
	assert_non_null(a);
	assert_int_equal(json_array_size(a), 2);
	u = json_array_get(a, 0);		/* by name */
	assert_string_equal(json_string_value(json_object_get(u, "name")),
	    "an_tran-2");
	assert_string_equal(json_string_value(json_object_get(u, "role")),
	    "admin");
	assert_true(json_is_false(json_object_get(u, "disabled")));
	assert_non_null(json_string_value(json_object_get(u, "created_at")));
	assert_non_null(json_string_value(json_object_get(u, "changed_at")));
	dump = json_dumps(a, JSON_COMPACT);
	assert_not_contains(dump, "argon2");
	assert_not_contains(dump, "password");
	free(dump);
	json_decref(a);
}

static void
test_refused(void **state)
{
	struct fixture *f = *state;
	char err[ERRMAX];
	json_t *a;

	assert_int_equal(users_add(f->ix, "lan", "clerk", "password1", err), 0);
	assert_int_equal(users_add(f->ix, "lan", "staff", "password2", err),
	    -1);
	assert_contains(err, "there is a user lan already");
	assert_int_equal(users_add(f->ix, "LAN", "staff", "password2", err),
	    -1);
	assert_contains(err, "there is a user lan already");
	assert_int_equal(users_add(f->ix, "binh", "boss", "password2", err),
	    -1);
	assert_contains(err, "no role 'boss'");
	assert_int_equal(users_add(f->ix, "binh", "", "password2", err), -1);
	assert_int_equal(users_add(f->ix, "", "clerk", "password2", err), -1);
	assert_contains(err, "1 to 64");
	assert_int_equal(users_add(f->ix, "bình", "clerk", "password2", err),
	    -1);
	assert_contains(err, "only letters");
	assert_int_equal(users_add(f->ix, "a b", "clerk", "password2", err),
	    -1);
	assert_int_equal(users_add(f->ix, "x'; DROP TABLE users; --", "clerk",
	    "password2", err), -1);
	assert_int_equal(users_add(f->ix,
	    "a123456789012345678901234567890123456789012345678901234567890123z",
	    "clerk", "password2", err), -1);
	assert_int_equal(users_add(f->ix, "binh", "clerk", "", err), -1);
	assert_contains(err, "empty");
	assert_int_equal(users_add(f->ix, "binh", "clerk", "1234567", err), -1);
	assert_contains(err, "at least 8 characters");
	/* Eight characters, fewer than eight bytes apart: characters count. */
	assert_int_equal(users_add(f->ix, "binh", "clerk", "đđđđ", err), -1);
	assert_int_equal(users_add(f->ix, "binh", "clerk", "đđđđđđđđ", err),
	    0);
	a = users_list(f->ix, err);
	assert_int_equal(json_array_size(a), 2);
	json_decref(a);
}

static double
seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void
test_check(void **state)
{
	struct fixture *f = *state;
	char err[ERRMAX], role[USERS_ROLEMAX], wrong[ERRMAX];
	double t0, known, unknown;
	int i, disabled;

	assert_int_equal(users_add(f->ix, "lan", "auditor", "correct horse",
	    err), 0);
	assert_int_equal(users_check(f->ix, "lan", "correct horse", role, err),
	    0);
	assert_string_equal(role, "auditor");

	assert_int_equal(users_check(f->ix, "lan", "correct horsE", role, err),
	    -1);
	assert_string_equal(role, "");
	snprintf(wrong, sizeof wrong, "%s", err);
	assert_string_equal(wrong, "wrong user name or password");
	assert_int_equal(users_check(f->ix, "lan", "", role, err), -1);
	assert_string_equal(err, wrong);
	assert_int_equal(users_check(f->ix, "LAN", "correct horse", role, err),
	    -1);
	assert_int_equal(users_check(f->ix, "nobody", "correct horse", role,
	    err), -1);
	assert_string_equal(err, wrong);

	/* An unknown name costs a hash too: not under half a known one's
	 * time, taking the best of three of each. */
	known = unknown = 1e9;
	for (i = 0; i < 3; i++) {
		t0 = seconds();
		users_check(f->ix, "lan", "not the password", role, err);
		if (seconds() - t0 < known)
			known = seconds() - t0;
		t0 = seconds();
		users_check(f->ix, "nobody", "not the password", role, err);
		if (seconds() - t0 < unknown)
			unknown = seconds() - t0;
	}
	assert_true(known > 0.002);		/* Argon2id did run */
	assert_true(unknown > known / 2);

	assert_int_equal(users_disable(f->ix, "lan", err), 0);
	assert_int_equal(users_get(f->ix, "lan", role, &disabled, NULL), 0);
	assert_int_equal(disabled, 1);
	assert_int_equal(users_check(f->ix, "lan", "correct horse", role, err),
	    -1);
	assert_string_equal(err, wrong);
	assert_string_equal(role, "");
	/* Disabled twice is disabled. */
	assert_int_equal(users_disable(f->ix, "lan", err), 0);
	assert_int_equal(users_disable(f->ix, "nobody", err), -1);
	assert_contains(err, "there is no user nobody");
}

static void
test_passwd(void **state)
{
	struct fixture *f = *state;
	char err[ERRMAX], role[USERS_ROLEMAX], stamp1[65], stamp2[65];
	int disabled;
	json_t *a;

	assert_int_equal(users_add(f->ix, "lan", "staff", "first password",
	    err), 0);
	assert_int_equal(users_passwd(f->ix, "lan", "short", err), -1);
	assert_contains(err, "at least 8");
	assert_int_equal(users_check(f->ix, "lan", "first password", role,
	    err), 0);
	assert_int_equal(users_get(f->ix, "lan", role, &disabled, stamp1), 0);
	assert_int_equal(strlen(stamp1), 64);
	assert_int_equal(users_passwd(f->ix, "lan", "second password", err),
	    0);
	/* A new password, a new stamp: sohoa-web's old sessions end. */
	assert_int_equal(users_get(f->ix, "lan", role, &disabled, stamp2), 0);
	assert_string_not_equal(stamp1, stamp2);
	assert_int_equal(users_check(f->ix, "lan", "first password", role,
	    err), -1);
	assert_int_equal(users_check(f->ix, "lan", "second password", role,
	    err), 0);
	assert_string_equal(role, "staff");
	assert_int_equal(users_passwd(f->ix, "nobody", "second password",
	    err), -1);
	assert_contains(err, "there is no user nobody");
	a = users_list(f->ix, err);
	assert_int_equal(json_array_size(a), 1);
	json_decref(a);
}

/* Who added, changed and disabled whom is in the access log. */
static void
test_logged(void **state)
{
	struct fixture *f = *state;
	char err[ERRMAX];
	json_t *log;

	assert_int_equal(users_add(f->ix, "lan", "staff", "first password",
	    err), 0);
	assert_int_equal(users_passwd(f->ix, "lan", "second password", err),
	    0);
	assert_int_equal(users_disable(f->ix, "lan", err), 0);
	assert_int_equal(users_add(f->ix, "lan", "staff", "first password",
	    err), -1);
	log = accesslog_newest(f->ix, 10);
	assert_int_equal(json_array_size(log), 3);
	assert_string_equal(json_string_value(json_object_get(json_array_get(
	    log, 0), "action")), "user-disable");
	assert_string_equal(json_string_value(json_object_get(json_array_get(
	    log, 1), "action")), "user-passwd");
	assert_string_equal(json_string_value(json_object_get(json_array_get(
	    log, 2), "action")), "user-add");
	assert_string_equal(json_string_value(json_object_get(json_array_get(
	    log, 2), "what")), "lan");
	json_decref(log);
}

/* A change the access log cannot take is not made. */
static void
test_unlogged_is_undone(void **state)
{
	struct fixture *f = *state;
	char err[ERRMAX], role[USERS_ROLEMAX];
	json_t *a;
	int disabled;

	assert_int_equal(users_add(f->ix, "lan", "staff", "first password",
	    err), 0);
	assert_int_equal(db_exec(index_db(f->ix), "CREATE TEMP TRIGGER "
	    "log_full BEFORE INSERT ON access_log BEGIN "
	    "SELECT RAISE(ABORT, 'the log is full'); END", err), 0);
	assert_int_equal(users_add(f->ix, "binh", "clerk", "some password",
	    err), -1);
	assert_contains(err, "cannot write the access log");
	assert_int_equal(users_passwd(f->ix, "lan", "second password", err),
	    -1);
	assert_int_equal(users_disable(f->ix, "lan", err), -1);
	assert_contains(err, "left as it was");
	a = users_list(f->ix, err);
	assert_int_equal(json_array_size(a), 1);
	json_decref(a);
	assert_int_equal(users_check(f->ix, "lan", "first password", role,
	    err), 0);
	assert_int_equal(users_get(f->ix, "lan", role, &disabled, NULL), 0);
	assert_int_equal(disabled, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_add_and_list, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_check, setup, teardown),
		cmocka_unit_test_setup_teardown(test_passwd, setup, teardown),
		cmocka_unit_test_setup_teardown(test_logged, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unlogged_is_undone, setup,
		    teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
