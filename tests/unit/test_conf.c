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
	assert_int_equal(c.web_source_city, 0);
	conf_free(&c);
}

/* [web] source = city reads the records from [city]'s database. */
static void
test_web_source(void **state)
{
	struct conf c;
	char err[ERRMAX], *path;

	path = testlib_write(*state, "city.conf", "[web]\nsource = city\n"
	    "[city]\nurl = host=/run/postgresql dbname=city\n"
	    "office = thanh-pho\n");
	assert_int_equal(conf_load(path, &c, err), 0);
	assert_int_equal(c.web_source_city, 1);
	conf_free(&c);
	free(path);
	path = testlib_write(*state, "office.conf", "[web]\nsource = office\n");
	assert_int_equal(conf_load(path, &c, err), 0);
	assert_int_equal(c.web_source_city, 0);
	conf_free(&c);
	free(path);
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
		{ "[targets]\nprovince = 70%\n[levels]\nformer_district = "
		    "district\n", 4, "former_district must name one of the "
		    "levels of [targets] (province), not 'district'" },
		{ "[levels]\nformer_district = city\n", 2, "there is no "
		    "district level, but [targets] names one" },
		{ "[levels]\nprovince = tinh\n", 2, "'province' is not one of "
		    "the levels (city, district, commune)" },
		{ "[levels]\ncommune = xa\n[targets]\ncommune = 50%\n", 4,
		    "write it first" },
		{ "[levels]\ncity = tinh\ncommune = xa, Tỉnh\n", 3,
		    "'Tỉnh' already means the level 'city'" },
		{ "[levels]\ncommune = xa, , phuong\n", 2, "none may be empty" },
		{ "[levels]\ncommune = xa\ncommune = phuong\n", 3, "set twice" },
		{ "[targets]\nformer_district = 50%\n", 2, "is no level" },
		{ "[web]\nsource = thanh-pho\n", 2, "source is office "
		    "(this office's records) or city" },
		{ "[web]\nlisten = :8080\nsource = city\n", 3, "source = "
		    "city needs a [city] section" },
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

/* [targets] says which levels there are, in its order; [levels] which
 * words of a register mean which, and where former districts count. */
static void
test_levels_are_the_targets(void **state)
{
	char *path = testlib_write(*state, "two.conf", "[targets]\n"
	    "province = 70%\n"
	    "commune = 50%\n"
	    "\n"
	    "[levels]\n"
	    "commune = xã, phường, thị trấn, Đặc khu\n"
	    "former_district = province\n");
	struct conf c;
	struct buf b;
	char err[ERRMAX];

	assert_int_equal(conf_load(path, &c, err), 0);
	assert_int_equal(c.ntargets, 2);
	assert_string_equal(c.targets[0].level, "province");
	assert_string_equal(c.targets[1].level, "commune");
	assert_true(conf_target(&c, "city") < 0);
	assert_true(conf_target(&c, "district") < 0);
	assert_string_equal(c.former_district, "province");
	/* The register's words. */
	assert_string_equal(levels_find(&c, "Tỉnh"), "province");
	assert_string_equal(levels_find(&c, "Cấp tỉnh"), "province");
	assert_string_equal(levels_find(&c, "PROVINCE"), "province");
	assert_string_equal(levels_find(&c, "Huyện"), "province");
	assert_string_equal(levels_find(&c, "quận"), "province");
	assert_string_equal(levels_find(&c, "Cấp huyện"), "province");
	assert_string_equal(levels_find(&c, "district"), "province");
	assert_string_equal(levels_find(&c, "đặc khu"), "commune");
	assert_string_equal(levels_find(&c, "Phường"), "commune");
	assert_null(levels_find(&c, "cấp xã"));	/* its own words only */
	assert_null(levels_find(&c, "ward"));
	/* A profile's level: a level, or district for a former district. */
	assert_string_equal(levels_profile(&c, "province"), "province");
	assert_string_equal(levels_profile(&c, "district"), "province");
	assert_null(levels_profile(&c, "city"));
	assert_null(levels_profile(&c, "Tỉnh"));
	/* --level: the levels' names alone. */
	assert_null(levels_named(&c, "district"));
	assert_int_equal(levels_rank(&c, "district"), 0);
	assert_int_equal(levels_rank(&c, "commune"), 1);
	assert_int_equal(levels_rank(&c, "ward"), 2);
	buf_init(&b, 256);
	levels_list(&c, " or ", &b);
	assert_string_equal(b.data, "province or commune");
	buf_free(&b);
	/* The first level named drops the built-in ones, all of them. */
	assert_true(c.targets[0].target > 0.699 && c.targets[0].target < 0.701);
	conf_free(&c);
	free(path);

	/* Without sohoa.conf: the built-in levels and today's words. */
	assert_string_equal(levels_find(NULL, "Thành phố"), "city");
	assert_string_equal(levels_find(NULL, "Quận"), "district");
	assert_string_equal(levels_find(NULL, "xã"), "commune");
	assert_null(levels_find(NULL, "province"));
	assert_null(levels_profile(NULL, "province"));
	assert_string_equal(levels_profile(NULL, "district"), "district");
	buf_init(&b, 256);
	levels_list(NULL, " or ", &b);
	assert_string_equal(b.data, "city, district or commune");
	buf_free(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults_without_file),
		cmocka_unit_test(test_targets_and_settings),
		cmocka_unit_test(test_env_names_the_file),
		cmocka_unit_test(test_mistakes_named_with_line),
		cmocka_unit_test(test_web_source),
		cmocka_unit_test(test_levels_are_the_targets),
	};

	return cmocka_run_group_tests(tests, testlib_setup_tmpdir,
	    testlib_teardown_tmpdir);
}
