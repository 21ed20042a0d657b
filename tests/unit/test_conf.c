/*
 * test_conf.c: sohoa.conf as an installer writes it: defaults when there
 * is no file, targets in any of the ways people write a share, levels that
 * are configuration, and every mistake named with its file and line.
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

static void
test_defaults_without_file(void **state)
{
	struct conf c;
	char err[ERRMAX];

	setenv("SOHOA_CONF", "", 1);	/* and no /etc/sohoa/sohoa.conf here */
	if (access(SOHOA_SYSCONFDIR "/sohoa.conf", F_OK) == 0)
		skip();
	assert_int_equal(conf_load(NULL, &c, err), 0);
	assert_null(c.path);
	assert_true(conf_target(&c, "city") == 0.70);
	assert_true(conf_target(&c, "district") == 0.60);
	assert_true(conf_target(&c, "commune") == 0.50);
	assert_true(conf_target(&c, "province") < 0);
	assert_int_equal(c.job_time_limit, 600);
	conf_free(&c);
}

static void
test_targets_and_settings(void **state)
{
	char *path = testlib_write(*state, "good.conf",
	    "# an installation\n"
	    "[sohoa]\n"
	    "data = /srv/sohoa\n"
	    "workers = 2\n"
	    "job_time_limit = 120\n"
	    "\n"
	    "[targets]\n"
	    "city = 80%\n"
	    "district = 0.65\n"
	    "commune = 55\n"
	    "province = 75%\n");
	struct conf c;
	char err[ERRMAX];

	assert_int_equal(conf_load(path, &c, err), 0);
	assert_string_equal(c.data, "/srv/sohoa");
	assert_int_equal(c.workers, 2);
	assert_int_equal(c.job_time_limit, 120);
	assert_true(conf_target(&c, "city") > 0.799 &&
	    conf_target(&c, "city") < 0.801);
	assert_true(conf_target(&c, "district") > 0.649 &&
	    conf_target(&c, "district") < 0.651);
	assert_true(conf_target(&c, "commune") > 0.549 &&
	    conf_target(&c, "commune") < 0.551);
	assert_true(conf_target(&c, "province") > 0.749);
	conf_free(&c);
	free(path);
}

static void
test_env_names_the_file(void **state)
{
	char *path = testlib_write(*state, "env.conf",
	    "[targets]\ncity = 90%\n");
	struct conf c;
	char err[ERRMAX];

	setenv("SOHOA_CONF", path, 1);
	assert_int_equal(conf_load(NULL, &c, err), 0);
	assert_string_equal(c.path, path);
	assert_true(conf_target(&c, "city") > 0.899);
	conf_free(&c);
	unsetenv("SOHOA_CONF");
	free(path);
}

static void
test_mistakes_named_with_line(void **state)
{
	static const struct {
		const char *text;
		int	 line;
		const char *words;
	} bad[] = {
		{ "[targets]\ncity = lots\n", 2, "share such as 70%" },
		{ "[targets]\ncity = 70%\ncity = 80%\n", 3, "set twice" },
		{ "[targets]\ncity = 170%\n", 2, "share" },
		{ "[sohoa]\nworkres = 2\n", 2, "unknown key 'workres'" },
		{ "[sohoa]\nworkers = -1\n", 2, "workers must be" },
		{ "[sohoa]\n\n[target]\n", 3, "unknown section [target]" },
		{ "workers = 2\n", 1, "comes before a section heading" },
		{ "[targets]\nCity = 70%\n", 2, "small letters" },
	};
	struct conf c;
	char err[ERRMAX], *path, *want;
	size_t i;

	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		path = testlib_write(*state, "bad.conf", bad[i].text);
		assert_int_equal(conf_load(path, &c, err), -1);
		want = xasprintf("%s:%d: ", path, bad[i].line);
		print_message("%s\n", err);
		assert_non_null(strstr(err, want));
		assert_non_null(strstr(err, bad[i].words));
		free(want);
		free(path);
	}
	assert_int_equal(conf_load("/nonexistent/sohoa.conf", &c, err), -1);
	assert_non_null(strstr(err, "cannot open"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults_without_file),
		cmocka_unit_test(test_targets_and_settings),
		cmocka_unit_test(test_env_names_the_file),
		cmocka_unit_test(test_mistakes_named_with_line),
	};

	return cmocka_run_group_tests(tests, testlib_setup_tmpdir,
	    testlib_teardown_tmpdir);
}
