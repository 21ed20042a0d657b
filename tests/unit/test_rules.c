/*
 * test_rules.c: the rules sohoa holds once: the date reader (date.c), the
 * ID-number rule, the durable write and SHA-256 (util.c), and UTF-8 as
 * utf8proc checks it.  Each was written several times, the copies
 * disagreeing; these tests say what the one copy must do.
 */
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
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
test_dates_in_the_forms_people_type(void **state)
{
	static const struct {
		const char *in, *out;
	} good[] = {
		{ "2024-03-20", "2024-03-20" },
		{ "20/03/2024", "2024-03-20" },
		{ "30/09/2025", "2025-09-30" },
		{ "5/3/2024", "2024-03-05" },
		{ "20.03.2024", "2024-03-20" },
		{ "20-03-2024", "2024-03-20" },
		{ " 20/03/2024 ", "2024-03-20" },
		{ "29/02/2024", "2024-02-29" },		/* a leap year */
		{ "29/02/2000", "2000-02-29" },
		{ "2024-03-20 00:00:00", "2024-03-20" },	/* a spreadsheet's */
		{ "2031-01-15T00:00:00+07:00", "2031-01-15" },
		{ "31/12/9999", "9999-12-31" },		/* "no end" in registers */
	};
	static const char *const bad[] = {
		"31/02/2025", "29/02/2023", "29/02/1900", "31/04/2024",
		"2024-02-30", "2024-13-01", "00/01/2024", "20/03/24",
		"20.03.24", "20/03-2024", "2024/03/20", "1899-12-31",
		"20/03/2024x", "hôm qua", "", "   ", "2024-3",
	};
	char out[11];
	size_t i;

	for (i = 0; i < sizeof good / sizeof good[0]; i++) {
		memset(out, 0, sizeof out);
		if (date_read(good[i].in, out) != 0)
			fail_msg("'%s' refused", good[i].in);
		assert_string_equal(out, good[i].out);
	}
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++)
		if (date_read(bad[i], out) != -1)
			fail_msg("'%s' taken as %s", bad[i], out);
	assert_true(date_exists(2024, 2, 29));
	assert_false(date_exists(2023, 2, 29));
	assert_false(date_exists(2024, 0, 1));
	assert_false(date_exists(1899, 12, 31));
}

static void
test_one_message_for_a_date_that_is_none(void **state)
{
	char out[11], err[ERRMAX];

	/* Absent: no date, and no error. */
	strcpy(out, "x");
	assert_int_equal(date_arg("--from", NULL, out, err), 0);
	assert_string_equal(out, "");
	assert_int_equal(date_arg("--from", "30/09/2025", out, err), 0);
	assert_string_equal(out, "2025-09-30");
	assert_int_equal(date_arg("--from", "31/02/2025", out, err), -1);
	assert_string_equal(err, "--from '31/02/2025' is not a date "
	    "(dd/mm/yyyy or yyyy-mm-dd)");
	assert_string_equal(out, "");
	assert_int_equal(date_arg("issued_on", "hôm qua", out, err), -1);
	assert_string_equal(err, "issued_on 'hôm qua' " DATE_NOT);
}

static void
test_id_numbers_of_both_cards(void **state)
{
	static const char *const bad[] = {
		"0013230123", "0013230123456", "00132301234a", "12345", "",
		"   ", "001-323-012-345", "０01323012345",
	};
	char out[UTIL_ID_DIGITS + 1];
	size_t i;

	assert_int_equal(util_id_number("001323012345", out), 0);
	assert_string_equal(out, "001323012345");
	assert_int_equal(util_id_number(" 001 323 012 345 ", out), 0);
	assert_string_equal(out, "001323012345");
	assert_int_equal(util_id_number("013456789", out), 0);	/* CMND */
	assert_string_equal(out, "013456789");
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++)
		if (util_id_number(bad[i], out) != -1)
			fail_msg("'%s' taken as an ID number", bad[i]);
	assert_true(util_id_length_ok(12));
	assert_true(util_id_length_ok(9));
	assert_false(util_id_length_ok(10));
	assert_false(util_id_length_ok(0));
}

static void
test_sha256_whole_streamed_and_of_a_file(void **state)
{
	static const char abc_hex[] = "ba7816bf8f01cfea414140de5dae2223"
	    "b00361a396177a9cb410ff61f20015ad";
	static const char empty_hex[] = "e3b0c44298fc1c149afbf4c8996fb924"
	    "27ae41e4649b934ca495991b7852b855";
	struct util_sha256 *h;
	char hex[65], again[65], err[ERRMAX], *path, *big;
	size_t i, n = 200000;

	util_sha256("abc", 3, hex);
	assert_string_equal(hex, abc_hex);
	util_sha256("", 0, hex);
	assert_string_equal(hex, empty_hex);

	/* Streamed in uneven pieces: the same as whole. */
	big = xmalloc(n);
	for (i = 0; i < n; i++)
		big[i] = (char)(i * 7 + i / 251);
	util_sha256(big, n, hex);
	h = util_sha256_new();
	for (i = 0; i < n; i += 1 + i % 9973)
		util_sha256_add(h, big + i, (i + 1 + i % 9973 > n ? n :
		    i + 1 + i % 9973) - i);
	util_sha256_end(h, again);
	assert_string_equal(hex, again);

	path = xasprintf("%s/big", (char *)*state);
	assert_int_equal(util_write_durable(path, big, n, err), 0);
	assert_int_equal(util_sha256_file(path, again, err), 0);
	assert_string_equal(hex, again);
	unlink(path);
	assert_int_equal(util_sha256_file(path, again, err), -1);
	assert_non_null(strstr(err, "cannot open"));
	free(path);
	free(big);

	/* Dropped unfinished: nothing leaks (the sanitizer build says). */
	h = util_sha256_new();
	util_sha256_add(h, "abc", 3);
	util_sha256_free(h);
	util_sha256_free(NULL);
}

/* The names in dir, other than "." and "..", joined by spaces. */
static char *
names_in(const char *d)
{
	struct buf b;
	DIR *dp = opendir(d);
	struct dirent *de;

	assert_non_null(dp);
	buf_init(&b, 1 << 20);
	buf_append(&b, "", 0);
	while ((de = readdir(dp)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		buf_printf(&b, "%s%s", b.len ? " " : "", de->d_name);
	}
	closedir(dp);
	return b.data;
}

static char *
slurp(const char *path)
{
	struct buf b;
	char err[ERRMAX];

	assert_int_equal(util_read_file(path, 1 << 20, &b, err), 0);
	return b.data;
}

static void
test_durable_write_leaves_the_file_or_nothing(void **state)
{
	struct util_durable a, b;
	struct stat st;
	char err[ERRMAX], *sub, *path, *names, *s, *longname;

	sub = xasprintf("%s/durable", (char *)*state);
	assert_int_equal(util_mkdirs(sub, 0700), 0);
	path = xasprintf("%s/report.csv", sub);

	/* Written whole, for the owner and the staff group only, and no
	 * temporary file left beside it. */
	assert_int_equal(util_write_durable(path, "a,b\n", 4, err), 0);
	s = slurp(path);
	assert_string_equal(s, "a,b\n");
	free(s);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, UTIL_PRIVATE_FILE);
	names = names_in(sub);
	assert_string_equal(names, "report.csv");
	free(names);

	/* Replaced whole. */
	assert_int_equal(util_write_durable(path, "c\n", 2, err), 0);
	s = slurp(path);
	assert_string_equal(s, "c\n");
	free(s);

	/* While it is written: a dot name of its own in the same folder,
	 * which the watcher skips; two writers never share one; the target
	 * is untouched until the commit. */
	assert_int_equal(util_durable_open(&a, path, 0600, err), 0);
	assert_int_equal(util_durable_open(&b, path, 0600, err), 0);
	assert_string_not_equal(a.tmp, b.tmp);
	assert_true(strncmp(a.tmp, sub, strlen(sub)) == 0);
	assert_true(strncmp(util_basename(a.tmp), UTIL_TEMP_PREFIX,
	    strlen(UTIL_TEMP_PREFIX)) == 0);
	assert_true(watch_ignored(util_basename(a.tmp)));
	assert_int_equal(util_durable_write(&a, "new\n", 4, err), 0);
	assert_int_equal(util_durable_write(&b, "other\n", 6, err), 0);
	s = slurp(path);
	assert_string_equal(s, "c\n");
	free(s);
	util_durable_abort(&b);
	assert_null(b.tmp);
	assert_int_equal(util_durable_commit(&a, err), 0);
	util_durable_abort(&a);		/* after a commit: nothing to do */
	s = slurp(path);
	assert_string_equal(s, "new\n");
	free(s);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	names = names_in(sub);
	assert_string_equal(names, "report.csv");
	free(names);

	/* A name near NAME_MAX is still writable: the temporary name is
	 * short, not the target's plus a suffix. */
	longname = xmalloc(strlen(sub) + 1 + 255 + 1);
	sprintf(longname, "%s/", sub);
	memset(longname + strlen(sub) + 1, 'x', 255);
	longname[strlen(sub) + 1 + 255] = '\0';
	assert_int_equal(util_write_durable(longname, "x", 1, err), 0);
	assert_int_equal(unlink(longname), 0);
	free(longname);

	/* A folder that is not there: an error naming the file, nothing
	 * made. */
	free(path);
	path = xasprintf("%s/none/report.csv", sub);
	assert_int_equal(util_write_durable(path, "x", 1, err), -1);
	assert_non_null(strstr(err, path));
	assert_int_equal(access(path, F_OK), -1);
	names = names_in(sub);
	assert_string_equal(names, "report.csv");
	free(names);
	free(path);
	free(sub);
}

static void
test_utf8_as_utf8proc_reads_it(void **state)
{
	static const char *const bad[] = {
		"\xc0\xaf",		/* "/" overlong */
		"\xe0\x80\xaf",		/* again, in three bytes */
		"\xed\xa0\x80",		/* a surrogate */
		"\xf4\x90\x80\x80",	/* past U+10FFFF */
		"Nguy\xe1\xbb",		/* cut short */
		"\xff",
		"\x80",
	};
	size_t i;

	assert_true(vntext_utf8_valid("Nguyễn Văn Đức", strlen("Nguyễn Văn "
	    "Đức")));
	assert_true(vntext_utf8_valid("", 0));
	assert_true(vntext_utf8_valid("\xf0\x9f\x93\x84", 4));	/* U+1F4C4 */
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++)
		if (vntext_utf8_valid(bad[i], strlen(bad[i])))
			fail_msg("bad UTF-8 #%zu taken", i);
	/* A NUL inside is not text. */
	assert_false(vntext_utf8_valid("a\0b", 3));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dates_in_the_forms_people_type),
		cmocka_unit_test(test_one_message_for_a_date_that_is_none),
		cmocka_unit_test(test_id_numbers_of_both_cards),
		cmocka_unit_test(test_sha256_whole_streamed_and_of_a_file),
		cmocka_unit_test(test_durable_write_leaves_the_file_or_nothing),
		cmocka_unit_test(test_utf8_as_utf8proc_reads_it),
	};

	return cmocka_run_group_tests(tests, testlib_setup_tmpdir,
	    testlib_teardown_tmpdir);
}
