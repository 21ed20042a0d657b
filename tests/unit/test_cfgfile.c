/*
 * test_cfgfile.c: what someone who edits a profile or sohoa.conf by hand
 * sees from cfgfile.c.  A good file gives every value, with the line it
 * was on; each mistake is one error naming the file and the line
 * ("file:line: reason") in words that say what to change: an unknown
 * section or key (listing the known ones), a key set twice, before any
 * heading, indented, empty or quoted, a value the caller refuses, a
 * required key missing, a line that is no INI at all.  A UTF-8 BOM is
 * fine.  The value readers take what they promise and nothing else.
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

static const char *const sections[] = { "profile", "fields", NULL };
static const struct cfgfile_key keys[] = {
	{ "profile", "name", 1 },
	{ "profile", "dpi", 0 },
	{ "profile", "deskew", 0 },
	{ "fields", "*", 0 },
};
#define NKEYS ((int)(sizeof keys / sizeof keys[0]))

/* What set() was given, in order. */
struct got {
	char	 seen[1024];
	int	 dpi;
};

static int
set(void *arg, int key, const char *name, const char *value, char *why)
{
	struct got *g = arg;
	size_t n = strlen(g->seen);

	if (key == 1 && cfgfile_int(value, 72, 1200, &g->dpi) == -1) {
		snprintf(why, ERRMAX / 2, "dpi must be a number from 72 to "
		    "1200, not '%s'", value);
		return -1;
	}
	snprintf(g->seen + n, sizeof g->seen - n, "%d:%s=%s;", key, name,
	    value);
	return 0;
}

/* Parses text as DIR/x.conf: its error, or "" with what set() saw in
 * *g.  Caller frees. */
static char *
parse(const char *dir, const char *text, struct got *g, int *lines)
{
	char *path = testlib_write(dir, "x.conf", text), err[ERRMAX];
	char *r;

	memset(g, 0, sizeof *g);
	err[0] = '\0';
	if (cfgfile_parse(path, sections, keys, NKEYS, set, g, lines,
	    err) == 0) {
		assert_string_equal(err, "");
		r = xstrdup("");
	} else {
		/* Every error starts with the file's path. */
		assert_true(strncmp(err, path, strlen(path)) == 0);
		r = xstrdup(err + strlen(path));
	}
	free(path);
	return r;
}

static void
test_good_file(void **state)
{
	struct got g;
	int lines[NKEYS];
	char *e;

	e = parse(*state, "\xef\xbb\xbf# a comment\n[profile]\n"
	    "name = Phường Dịch Vọng Hậu\n; another comment\n\ndpi = 300\n"
	    "[fields]\nso_ho_so = [0-9]+\nngay = \\d+\n", &g, lines);
	assert_string_equal(e, "");
	assert_string_equal(g.seen, "0:name=Phường Dịch Vọng Hậu;1:dpi=300;"
	    "3:so_ho_so=[0-9]+;3:ngay=\\d+;");
	assert_int_equal(g.dpi, 300);
	/* The line of each key, 0 for one not set. */
	assert_int_equal(lines[0], 3);
	assert_int_equal(lines[1], 6);
	assert_int_equal(lines[2], 0);
	free(e);
}

static const struct {
	const char	*what;
	const char	*text;
	const char	*err;	/* after the path */
} bad[] = {
	{ "an unknown section, with the known ones",
	    "[profile]\nname = x\n[feilds]\n",
	    ":3: unknown section [feilds]; the sections are [profile], "
	    "[fields]" },
	{ "an unknown key, with the known ones",
	    "[profile]\nname = x\ndesk = yes\n",
	    ":3: unknown key 'desk' in [profile] (the keys are name, dpi, "
	    "deskew)" },
	{ "a key set twice, with the first line",
	    "[profile]\nname = x\ndpi = 300\n\ndpi = 400\n",
	    ":5: 'dpi' is set twice (first on line 3)" },
	{ "a key before any heading",
	    "name = x\n[profile]\n",
	    ":1: 'name' comes before a section heading ([profile], "
	    "[fields])" },
	{ "an indented line, which inih reads as more of the value above",
	    "[profile]\nname = x\n  dpi = 300\n",
	    ":3: this line is indented, so it would continue the value of "
	    "'name' above it; remove the indentation or make it a comment" },
	{ "an empty value",
	    "[profile]\nname =\n",
	    ":2: 'name' has no value" },
	{ "a quoted value",
	    "[profile]\nname = \"x\"\n",
	    ":2: write the value of 'name' without quotes" },
	{ "a value the caller refuses, in its words",
	    "[profile]\nname = x\ndpi = 30\n",
	    ":3: dpi must be a number from 72 to 1200, not '30'" },
	{ "a line that is no INI",
	    "[profile]\nname = x\nthis is not a setting\n",
	    ":3: expected a [section] heading, a 'key = value' line or a "
	    "comment" },
	{ "a required key missing, at its section's line",
	    "# profile\n[profile]\ndpi = 300\n",
	    ":2: the [profile] section has no 'name', which is required" },
	{ "a required key's section missing",
	    "[fields]\na = b\n",
	    ": there is no [profile] section" },
};

static void
test_each_mistake_at_its_line(void **state)
{
	struct got g;
	size_t i;
	char *e;

	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		e = parse(*state, bad[i].text, &g, NULL);
		if (strcmp(e, bad[i].err) != 0)
			fail_msg("%s: got \"%s\", want \"%s\"", bad[i].what, e,
			    bad[i].err);
		free(e);
	}
}

static void
test_binary_file(void **state)
{
	char *path = xasprintf("%s/bin.conf", (char *)*state), err[ERRMAX];
	FILE *f = fopen(path, "w");
	struct got g;

	assert_non_null(f);
	fwrite("[profile]\nna\0me = x\n", 1, 20, f);
	fclose(f);
	memset(&g, 0, sizeof g);
	assert_int_equal(cfgfile_parse(path, sections, keys, NKEYS, set, &g,
	    NULL, err), -1);
	assert_contains(err, ":2: the line holds a NUL byte");
	free(path);
	/* A file that is not there: its name and why. */
	path = xasprintf("%s/missing.conf", (char *)*state);
	assert_int_equal(cfgfile_parse(path, sections, keys, NKEYS, set, &g,
	    NULL, err), -1);
	assert_contains(err, "missing.conf: cannot open the file");
	free(path);
}

static void
test_value_readers(void **state)
{
	int v = -7;

	assert_int_equal(cfgfile_int("300", 72, 1200, &v), 0);
	assert_int_equal(v, 300);
	assert_int_equal(cfgfile_int("72", 72, 1200, &v), 0);
	assert_int_equal(cfgfile_int("1200", 72, 1200, &v), 0);
	v = -7;
	assert_int_equal(cfgfile_int("71", 72, 1200, &v), -1);
	assert_int_equal(cfgfile_int("1201", 72, 1200, &v), -1);
	assert_int_equal(cfgfile_int("-5", -10, 10, &v), -1);	/* digits only */
	assert_int_equal(cfgfile_int("300dpi", 72, 1200, &v), -1);
	assert_int_equal(cfgfile_int(" 300", 72, 1200, &v), -1);
	assert_int_equal(cfgfile_int("", 0, 10, &v), -1);
	assert_int_equal(cfgfile_int("99999999999999999999", 0, 10, &v), -1);
	assert_int_equal(v, -7);	/* refused: left as it was */
	assert_int_equal(cfgfile_bool("yes", &v), 0);
	assert_int_equal(v, 1);
	assert_int_equal(cfgfile_bool("Off", &v), 0);
	assert_int_equal(v, 0);
	assert_int_equal(cfgfile_bool("TRUE", &v), 0);
	assert_int_equal(v, 1);
	assert_int_equal(cfgfile_bool("0", &v), 0);
	assert_int_equal(v, 0);
	assert_int_equal(cfgfile_bool("có", &v), -1);
	assert_int_equal(cfgfile_bool("", &v), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_good_file,
		    testlib_setup_tmpdir, testlib_teardown_tmpdir),
		cmocka_unit_test_setup_teardown(test_each_mistake_at_its_line,
		    testlib_setup_tmpdir, testlib_teardown_tmpdir),
		cmocka_unit_test_setup_teardown(test_binary_file,
		    testlib_setup_tmpdir, testlib_teardown_tmpdir),
		cmocka_unit_test(test_value_readers),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
