/*
 * test_accesslog.c: accesslog.c's actor and events.  With no actor an
 * entry names the OS user, through the command line, from nowhere, for no
 * stated purpose; an actor set on the handle (sohoa-web's, per request)
 * names its user, address, program and purpose on every entry until it is
 * cleared, and on the corrections made meanwhile; a program that is none
 * and an overlong purpose are refused; the web's events are written with
 * what they were about, and an event sohoa does not know is refused.
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
	int64_t	 id;
};

static int
setup(void **state)
{
	struct fixture *f = xcalloc(1, sizeof *f);

	f->dir = testlib_tmpdir("test_accesslog");
	f->ix = testlib_index(f->dir, "sohoa");
	f->id = testlib_store(f->ix, json_pack("{s:s, s:s, s:i, s:[s], s:[], "
	    "s:s}", "source_name", "birth.tif", "sha256", "birth.tif", "pages",
	    1, "people", "Nguyễn Thị Thu Hường", "id_numbers", "ingested_at",
	    "2026-11-22T10:00:00+07:00"), "Giấy khai sinh");
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

static const char *
entry(json_t *log, size_t i, const char *key)
{
	return json_string_value(json_object_get(json_array_get(log, i), key));
}

static void
test_default_is_the_command_line(void **state)
{
	struct fixture *f = *state;
	char err[ERRMAX], os[ACCESSLOG_USERMAX];
	json_t *log;

	assert_null(accesslog_actor(f->ix));
	assert_int_equal(accesslog_show(f->ix, f->id, err), 0);
	log = accesslog_newest(f->ix, 1);
	accesslog_user(os);
	assert_string_equal(entry(log, 0, "who"), os);
	assert_string_equal(entry(log, 0, "via"), "cli");
	assert_true(json_is_null(json_object_get(json_array_get(log, 0),
	    "address")));
	assert_true(json_is_null(json_object_get(json_array_get(log, 0),
	    "purpose")));
	json_decref(log);
}

static void
test_actor(void **state)
{
	struct fixture *f = *state;
	struct accesslog_actor a = { "lan.nguyen", "192.0.2.7", "web",
	    "hồ sơ 000.23.11.H26-240315-0017: xác minh khai sinh" };
	const char *fields[] = { "doc_number" };
	json_t *values[1], *changed, *log, *hist;
	char err[ERRMAX], os[ACCESSLOG_USERMAX], user[32];

	/* The actor is copied: the caller's strings may go at once. */
	snprintf(user, sizeof user, "%s", a.user);
	a.user = user;
	assert_int_equal(accesslog_set_actor(f->ix, &a, err), 0);
	user[0] = 'X';
	assert_string_equal(accesslog_actor(f->ix)->user, "lan.nguyen");
	assert_int_equal(accesslog_search(f->ix, "thu huong", NULL, 1, err), 0);
	assert_int_equal(accesslog_get(f->ix, f->id, "pdf", err), 0);
	values[0] = json_string("12/QĐ-UBND");
	assert_int_equal(correct_apply(f->ix, f->id, 1, fields, values,
	    &changed, err), 0);
	json_decref(values[0]);
	json_decref(changed);

	/* Back to the command line's default. */
	assert_int_equal(accesslog_set_actor(f->ix, NULL, err), 0);
	assert_null(accesslog_actor(f->ix));
	assert_int_equal(accesslog_list(f->ix, 1, err), 0);

	log = accesslog_newest(f->ix, 10);
	assert_int_equal(json_array_size(log), 3);
	accesslog_user(os);
	assert_string_equal(entry(log, 0, "action"), "list");
	assert_string_equal(entry(log, 0, "who"), os);
	assert_string_equal(entry(log, 0, "via"), "cli");
	assert_string_equal(entry(log, 1, "action"), "get");
	assert_string_equal(entry(log, 2, "action"), "search");
	assert_string_equal(entry(log, 2, "query"), "thu huong");
	for (size_t i = 1; i < 3; i++) {
		assert_string_equal(entry(log, i, "who"), "lan.nguyen");
		assert_string_equal(entry(log, i, "via"), "web");
		assert_string_equal(entry(log, i, "address"), "192.0.2.7");
		assert_string_equal(entry(log, i, "purpose"),
		    "hồ sơ 000.23.11.H26-240315-0017: xác minh khai sinh");
	}
	json_decref(log);
	/* The correction names the web's user, not the web's account. */
	hist = correct_history(f->ix, f->id);
	assert_int_equal(json_array_size(hist), 1);
	assert_string_equal(json_string_value(json_object_get(json_array_get(
	    hist, 0), "who")), "lan.nguyen");
	json_decref(hist);
}

static void
test_actor_refused(void **state)
{
	struct fixture *f = *state;
	struct accesslog_actor web = { "lan", "192.0.2.7", "web", NULL };
	struct accesslog_actor bad = { "lan", NULL, "ftp", NULL };
	char err[ERRMAX], purpose[ACCESSLOG_PURPOSEMAX + 2];

	assert_int_equal(accesslog_set_actor(f->ix, &web, err), 0);
	assert_int_equal(accesslog_set_actor(f->ix, &bad, err), -1);
	assert_contains(err, "'ftp'");
	memset(purpose, 'x', sizeof purpose - 1);
	purpose[sizeof purpose - 1] = '\0';
	bad.via = "web";
	bad.purpose = purpose;
	assert_int_equal(accesslog_set_actor(f->ix, &bad, err), -1);
	assert_contains(err, "purpose");
	/* A refusal leaves the actor as it was. */
	assert_string_equal(accesslog_actor(f->ix)->via, "web");
	assert_string_equal(accesslog_actor(f->ix)->address, "192.0.2.7");
	/* A purpose of the greatest length is kept whole. */
	purpose[ACCESSLOG_PURPOSEMAX] = '\0';
	assert_int_equal(accesslog_set_actor(f->ix, &bad, err), 0);
	assert_int_equal(strlen(accesslog_actor(f->ix)->purpose),
	    ACCESSLOG_PURPOSEMAX);
}

static void
test_events(void **state)
{
	struct fixture *f = *state;
	static const char *const events[] = { "login", "login-failed",
	    "logout", "reveal", "correct", "requeue" };
	struct accesslog_actor a = { NULL, "2001:db8::5", "web", NULL };
	char err[ERRMAX], what[64];
	json_t *log;
	size_t i, n = sizeof events / sizeof events[0];

	assert_int_equal(accesslog_set_actor(f->ix, &a, err), 0);
	for (i = 0; i < n; i++) {
		snprintf(what, sizeof what, "event %zu", i);
		assert_int_equal(accesslog_event(f->ix, events[i], what, err),
		    0);
	}
	assert_int_equal(accesslog_event(f->ix, "login", NULL, err), 0);
	assert_int_equal(accesslog_event(f->ix, "search", "x", err), -1);
	assert_int_equal(accesslog_event(f->ix, "drop", "x", err), -1);
	assert_contains(err, "'drop'");
	log = accesslog_newest(f->ix, 20);
	assert_int_equal(json_array_size(log), n + 1);
	assert_string_equal(entry(log, 0, "action"), "login");
	assert_true(json_is_null(json_object_get(json_array_get(log, 0),
	    "what")));
	for (i = 0; i < n; i++) {
		snprintf(what, sizeof what, "event %zu", i);
		assert_string_equal(entry(log, n - i, "action"), events[i]);
		assert_string_equal(entry(log, n - i, "what"), what);
		assert_string_equal(entry(log, n - i, "via"), "web");
		assert_string_equal(entry(log, n - i, "address"),
		    "2001:db8::5");
		/* No user on the actor: the program's account. */
		assert_non_null(entry(log, n - i, "who"));
		assert_true(json_is_null(json_object_get(json_array_get(log,
		    n - i), "document")));
	}
	json_decref(log);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_default_is_the_command_line,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_actor, setup, teardown),
		cmocka_unit_test_setup_teardown(test_actor_refused, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_events, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
