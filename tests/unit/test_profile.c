/*
 * test_profile.c: scanner profiles as an administrator writes them.  A good
 * file loads with its values and the documented defaults; every mistake
 * (a missing required key, a bad value, a typo in a key or section name, a
 * broken regular expression) is refused with "file:line: reason" naming
 * the line to fix; the profiles shipped in scanner-profiles/ all load.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "sohoa.h"
#include "testlib.h"

struct fixture {
	char	*dir;
	char	*files[64];
	int	 nfiles;
};

static int
setup(void **state)
{
	struct fixture *f = xcalloc(1, sizeof *f);

	f->dir = testlib_tmpdir("test_profile");
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;
	int i, rc = testlib_rmdir(f->dir);

	for (i = 0; i < f->nfiles; i++)
		free(f->files[i]);
	free(f->dir);
	free(f);
	return rc;
}

/* Writes a profile file into the fixture's folder; returns its path. */
static const char *
write_profile(struct fixture *f, const char *name, const char *text)
{
	char *path;

	assert_true(f->nfiles < 64);
	path = testlib_write(f->dir, name, text);
	f->files[f->nfiles++] = path;
	return path;
}

/* Asserts err is "path:line: ..." and mentions what. */
static void
assert_error_at(const char *err, const char *path, int line, const char *what)
{
	char *prefix = xasprintf("%s:%d: ", path, line);

	if (strncmp(err, prefix, strlen(prefix)) != 0)
		fail_msg("error \"%s\" does not start with \"%s\"", err, prefix);
	if (strstr(err, what) == NULL)
		fail_msg("error \"%s\" does not mention \"%s\"", err, what);
	free(prefix);
}

static const char good_text[] =
    "# a comment\n"
    "[profile]\n"
    "name = phuong-x\n"
    "inbox = /var/lib/sohoa/inbox/phuong-x\n"
    "quarantine = /var/lib/sohoa/quarantine/phuong-x\n"
    "agency_code = 000.11.30.H26\n"
    "agency_name = UBND phường Dịch Vọng Hậu\n"
    "level = commune\n"
    "languages = vie+eng\n"
    "dpi = 400\n"
    "settle_seconds = 7\n"
    "poll_seconds = 30\n"
    "; another comment\n"
    "recursive = yes\n"
    "filename_pattern = ^([0-9A-Z.]+-[0-9]{6}-[0-9]{4})_\n";

static void
test_good_file(void **state)
{
	struct fixture *f = *state;
	struct profile p;
	char err[ERRMAX];
	const char *path = write_profile(f, "good.conf", good_text);

	assert_int_equal(profile_load(path, &p, err), 0);
	assert_string_equal(p.path, path);
	assert_string_equal(p.name, "phuong-x");
	assert_string_equal(p.inbox, "/var/lib/sohoa/inbox/phuong-x");
	assert_string_equal(p.quarantine, "/var/lib/sohoa/quarantine/phuong-x");
	assert_string_equal(p.agency_code, "000.11.30.H26");
	assert_string_equal(p.agency_name, "UBND phường Dịch Vọng Hậu");
	assert_string_equal(p.level, "commune");
	assert_string_equal(p.languages, "vie+eng");
	assert_int_equal(p.dpi, 400);
	assert_int_equal(p.settle_seconds, 7);
	assert_int_equal(p.poll_seconds, 30);
	assert_int_equal(p.recursive, 1);
	assert_string_equal(p.filename_pattern,
	    "^([0-9A-Z.]+-[0-9]{6}-[0-9]{4})_");
	profile_free(&p);
	assert_null(p.name);
}

static void
test_defaults(void **state)
{
	struct fixture *f = *state;
	struct profile p;
	char err[ERRMAX];
	const char *path = write_profile(f, "minimal.conf",
	    "[profile]\n"
	    "name = so-tp\n"
	    "agency_code = H26.79\n"
	    "agency_name = Sở Tư pháp\n"
	    "level = city\n");

	assert_int_equal(profile_load(path, &p, err), 0);
	assert_string_equal(p.languages, "vie");
	assert_int_equal(p.dpi, 300);
	assert_int_equal(p.settle_seconds, 5);
	assert_int_equal(p.poll_seconds, 0);
	assert_int_equal(p.recursive, 0);
	assert_null(p.filename_pattern);
	/* Absent here; the daemon insists on them before it watches. */
	assert_null(p.inbox);
	assert_null(p.quarantine);
	profile_free(&p);
}

/* Windows Notepad saves with a byte order mark and CRLF line ends. */
static void
test_bom_and_crlf(void **state)
{
	struct fixture *f = *state;
	struct profile p;
	char err[ERRMAX];
	const char *path = write_profile(f, "notepad.conf",
	    "\xef\xbb\xbf[profile]\r\n"
	    "name = q\r\n"
	    "agency_code = 000.00.05.H26\r\n"
	    "agency_name = UBND quận Cầu Giấy\r\n"
	    "level = district\r\n"
	    "recursive = No\r\n");

	if (profile_load(path, &p, err) != 0)
		fail_msg("%s", err);
	assert_string_equal(p.level, "district");
	assert_string_equal(p.agency_name, "UBND quận Cầu Giấy");
	assert_int_equal(p.recursive, 0);
	profile_free(&p);
}

/* An agency name typed on a system that writes NFD is stored in NFC. */
static void
test_agency_name_nfc(void **state)
{
	struct fixture *f = *state;
	struct profile p;
	char err[ERRMAX];
	const char *path = write_profile(f, "nfd.conf",
	    "[profile]\n"
	    "name = q\n"
	    "agency_code = 000.00.05.H26\n"
	    "agency_name = UBND qua\xcc\x82\xcc\xa3n Ca\xcc\x82\xcc\x80u "
	    "Gia\xcc\x82\xcc\x81y\n"
	    "level = district\n");

	assert_int_equal(profile_load(path, &p, err), 0);
	assert_string_equal(p.agency_name, "UBND quận Cầu Giấy");
	profile_free(&p);
}

static void
test_missing_required_keys(void **state)
{
	static const char *required[] = {
		"name", "agency_code", "agency_name", "level"
	};
	static const char *lines[] = {
		"name = x\n", "agency_code = 000.00.05.H26\n",
		"agency_name = UBND\n", "level = commune\n"
	};
	struct fixture *f = *state;
	struct profile p;
	char err[ERRMAX], file[32], *what;
	struct buf b;
	size_t i, j;

	for (i = 0; i < 4; i++) {
		const char *path;

		buf_init(&b, 4096);
		buf_printf(&b, "# comment\n[profile]\n");
		for (j = 0; j < 4; j++)
			if (j != i)
				buf_printf(&b, "%s", lines[j]);
		snprintf(file, sizeof file, "missing-%zu.conf", i);
		path = write_profile(f, file, b.data);
		buf_free(&b);
		assert_int_equal(profile_load(path, &p, err), -1);
		/* Points at the [profile] heading the key belongs under. */
		what = xasprintf("'%s'", required[i]);
		assert_error_at(err, path, 2, what);
		assert_non_null(strstr(err, "required"));
		free(what);
		assert_null(p.name);
		assert_null(p.path);
	}
}

struct bad_case {
	const char	*line;		/* put on line 3 of a good file */
	const char	*what;		/* the error must mention this */
};

static const struct bad_case bad_cases[] = {
	{ "level = ward", "level must be city, district or commune" },
	{ "level = City", "level must be" },
	{ "dpi = 30", "dpi must be a whole number from 50 to 2400" },
	{ "dpi = 5000", "dpi must be" },
	{ "dpi = abc", "not 'abc'" },
	{ "dpi = 300dpi", "dpi must be" },
	{ "dpi = -300", "dpi must be" },
	{ "settle_seconds = 1.5", "settle_seconds must be" },
	{ "poll_seconds = 100000", "poll_seconds must be" },
	{ "recursive = maybe", "recursive must be yes or no" },
	{ "agency_code = 000.00.05.h26", "agency_code '000.00.05.h26'" },
	{ "agency_code = 000.00.00.00.00.00.00.00.00.00.00.00.H26",
	  "at most 35" },
	{ "agency_name = UBND \xff", "not valid UTF-8" },
	{ "name = phường x", "name 'phường x' may hold only" },
	{ "languages = vie++eng", "languages 'vie++eng'" },
	{ "inbox =", "'inbox' has no value" },
	{ "inbox = \"/var/lib/sohoa/inbox/x\"", "without quotes" },
	{ "foo = bar", "unknown key 'foo'" },
	{ "Name = x", "unknown key 'Name'" },
	{ "filename_pattern = ([0-9", "filename_pattern is not a valid "
	  "regular expression" },
	{ "filename_pattern = (?<x", "regular expression" },
	{ "[scanner]", "unknown section [scanner]" },
	{ "this line has no equals sign", "expected a [section] heading" },
	{ "name = again", "'name' is set twice (first on line 3)" },
};

static void
test_bad_values(void **state)
{
	struct fixture *f = *state;
	struct profile p;
	char err[ERRMAX], file[32];
	size_t i;

	for (i = 0; i < sizeof bad_cases / sizeof bad_cases[0]; i++) {
		char *text = xasprintf(
		    "# profile with one mistake\n"
		    "[profile]\n"
		    "%s\n"
		    "level = commune\n"
		    "name = x\n"
		    "agency_code = 000.00.05.H26\n"
		    "agency_name = UBND\n", bad_cases[i].line);
		const char *path;
		int line = 3;

		snprintf(file, sizeof file, "bad-%zu.conf", i);
		path = write_profile(f, file, text);
		free(text);
		if (profile_load(path, &p, err) != -1)
			fail_msg("\"%s\" was accepted", bad_cases[i].line);
		/* A repeated key is reported where it repeats. */
		if (strcmp(bad_cases[i].line, "name = again") == 0)
			line = 5;
		assert_error_at(err, path, line, bad_cases[i].what);
		assert_null(p.name);
	}
}

/* inih would read an indented line as more of the value above it. */
static void
test_indented_line(void **state)
{
	struct fixture *f = *state;
	struct profile p;
	char err[ERRMAX];
	const char *path = write_profile(f, "indent.conf",
	    "[profile]\n"
	    "name = x\n"
	    "  level = commune\n");

	assert_int_equal(profile_load(path, &p, err), -1);
	assert_error_at(err, path, 3, "indented");
	assert_non_null(strstr(err, "'name'"));
}

static void
test_key_before_section(void **state)
{
	struct fixture *f = *state;
	struct profile p;
	char err[ERRMAX];
	const char *path = write_profile(f, "early.conf",
	    "\n"
	    "name = x\n"
	    "[profile]\n");

	assert_int_equal(profile_load(path, &p, err), -1);
	assert_error_at(err, path, 2, "'name' comes before the [profile] "
	    "heading");
}

static void
test_no_section(void **state)
{
	struct fixture *f = *state;
	struct profile p;
	char err[ERRMAX], *want;
	const char *path = write_profile(f, "empty.conf", "# nothing here\n");

	assert_int_equal(profile_load(path, &p, err), -1);
	want = xasprintf("%s: there is no [profile] section", path);
	assert_string_equal(err, want);
	free(want);
}

static void
test_missing_file(void **state)
{
	struct fixture *f = *state;
	struct profile p;
	char err[ERRMAX], *path;

	path = xasprintf("%s/absent.conf", f->dir);
	assert_int_equal(profile_load(path, &p, err), -1);
	assert_true(strncmp(err, path, strlen(path)) == 0);
	assert_non_null(strstr(err, "cannot open the file"));
	assert_null(p.name);
	free(path);
}

static void
test_long_line(void **state)
{
	struct fixture *f = *state;
	struct profile p;
	char err[ERRMAX], line[400];
	const char *path;
	char *text;

	memset(line, 'a', sizeof line - 1);
	line[sizeof line - 1] = '\0';
	text = xasprintf("[profile]\n# %s\nname = x\n", line);
	path = write_profile(f, "long.conf", text);
	free(text);
	assert_int_equal(profile_load(path, &p, err), -1);
	assert_error_at(err, path, 2, "longer than");
}

static void
test_default_profile(void **state)
{
	struct profile p;

	(void)state;
	profile_default(&p);
	assert_string_equal(p.name, "sample");
	assert_string_equal(p.level, "commune");
	assert_string_equal(p.agency_code, "000.11.30.H26");
	assert_string_equal(p.agency_name, "UBND phường Dịch Vọng Hậu");
	assert_string_equal(p.inbox, "var/inbox/sample");
	assert_string_equal(p.quarantine, "var/quarantine/sample");
	assert_string_equal(p.languages, "vie");
	assert_int_equal(p.dpi, 300);
	assert_int_equal(p.settle_seconds, 2);
	assert_int_equal(p.poll_seconds, 0);
	assert_null(p.filename_pattern);
	profile_free(&p);
}

static char *
profiles_dir(void)
{
	const char *src = getenv("SOHOA_SRCDIR");

	if (src != NULL && *src != '\0')
		return xasprintf("%s/scanner-profiles", src);
	return xstrdup("scanner-profiles");
}

/* Every profile shipped as an example (*.conf, *.ini) must load as it is. */
static void
test_shipped_profiles_load(void **state)
{
	char err[ERRMAX], *dir, *path;
	struct profile p;
	struct dirent *de;
	DIR *d;
	int n = 0;

	(void)state;
	dir = profiles_dir();
	if ((d = opendir(dir)) == NULL)
		fail_msg("cannot open %s (run from the source tree or set "
		    "SOHOA_SRCDIR)", dir);
	while ((de = readdir(d)) != NULL) {
		const char *dot = strrchr(de->d_name, '.');

		if (dot == NULL || (strcmp(dot, ".conf") != 0 &&
		    strcmp(dot, ".ini") != 0))
			continue;
		path = xasprintf("%s/%s", dir, de->d_name);
		if (profile_load(path, &p, err) != 0)
			fail_msg("%s", err);
		/* Each file is named after its profile. */
		assert_int_equal(strlen(p.name), (size_t)(dot - de->d_name));
		assert_memory_equal(p.name, de->d_name, strlen(p.name));
		assert_non_null(p.inbox);
		assert_non_null(p.quarantine);
		if (strcmp(p.name, "sample") != 0) {
			char *in = xasprintf("/var/lib/sohoa/inbox/%s", p.name);
			char *q = xasprintf("/var/lib/sohoa/quarantine/%s",
			    p.name);

			assert_string_equal(p.inbox, in);
			assert_string_equal(p.quarantine, q);
			free(in);
			free(q);
		}
		profile_free(&p);
		free(path);
		n++;
	}
	closedir(d);
	assert_true(n >= 4);
	free(dir);
}

/* sample.conf documents the built-in profile, so they must not drift. */
static void
test_sample_conf_is_default(void **state)
{
	struct profile p, d;
	char err[ERRMAX], *dir, *path;

	(void)state;
	dir = profiles_dir();
	path = xasprintf("%s/sample.conf", dir);
	if (profile_load(path, &p, err) != 0)
		fail_msg("%s", err);
	profile_default(&d);
	assert_string_equal(p.name, d.name);
	assert_string_equal(p.inbox, d.inbox);
	assert_string_equal(p.quarantine, d.quarantine);
	assert_string_equal(p.agency_code, d.agency_code);
	assert_string_equal(p.agency_name, d.agency_name);
	assert_string_equal(p.level, d.level);
	assert_string_equal(p.languages, d.languages);
	assert_int_equal(p.dpi, d.dpi);
	assert_int_equal(p.settle_seconds, d.settle_seconds);
	assert_int_equal(p.poll_seconds, d.poll_seconds);
	assert_int_equal(p.recursive, d.recursive);
	assert_true(p.filename_pattern == NULL && d.filename_pattern == NULL);
	profile_free(&p);
	profile_free(&d);
	free(path);
	free(dir);
}

/* With the levels of a sohoa.conf of two tiers: province and commune, and
 * a former district's profile counted under province. */
static void
test_levels_of_conf(void **state)
{
	struct fixture *f = *state;
	const char *head = "[profile]\nname = p\nagency_code = H26\n"
	    "agency_name = UBND\n";
	char *text, *cpath, err[ERRMAX];
	const char *path;
	struct profile p;
	struct conf c;

	cpath = testlib_write(f->dir, "two.conf", "[targets]\nprovince = 70%\n"
	    "commune = 50%\n");
	assert_int_equal(conf_load(cpath, &c, err), 0);
	text = xasprintf("%slevel = province\n", head);
	path = write_profile(f, "province.conf", text);
	free(text);
	assert_int_equal(profile_load_conf(path, &c, &p, err), 0);
	assert_string_equal(p.level, "province");
	profile_free(&p);
	/* Without the conf the built-in levels know no province. */
	assert_int_equal(profile_load(path, &p, err), -1);
	assert_error_at(err, path, 5, "level must be city, district or "
	    "commune, not 'province'");
	text = xasprintf("%slevel = district\n", head);
	path = write_profile(f, "district.conf", text);
	free(text);
	assert_int_equal(profile_load_conf(path, &c, &p, err), -1);
	assert_error_at(err, path, 5, "level must be province or commune");
	assert_non_null(strstr(err, cpath));
	conf_free(&c);
	/* Once sohoa.conf says where the former districts count. */
	free(cpath);
	cpath = testlib_write(f->dir, "two.conf", "[targets]\nprovince = 70%\n"
	    "commune = 50%\n[levels]\nformer_district = province\n");
	assert_int_equal(conf_load(cpath, &c, err), 0);
	assert_int_equal(profile_load_conf(path, &c, &p, err), 0);
	assert_string_equal(p.level, "province");
	profile_free(&p);
	conf_free(&c);
	free(cpath);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_good_file, setup, teardown),
		cmocka_unit_test_setup_teardown(test_defaults, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bom_and_crlf, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_agency_name_nfc, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_missing_required_keys,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_values, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_indented_line, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_key_before_section, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_no_section, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_missing_file, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_long_line, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_levels_of_conf, setup,
		    teardown),
		cmocka_unit_test(test_default_profile),
		cmocka_unit_test(test_shipped_profiles_load),
		cmocka_unit_test(test_sample_conf_is_default),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
