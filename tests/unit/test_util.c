/*
 * test_util.c: what the rest of sohoa counts on util.c for.  A durable
 * write leaves the whole content under the name and nothing beside it, is
 * for the owner and staff only, replaces an older file whole, and says why
 * when it cannot; a capped buffer refuses past its cap; a file is read
 * whole or refused as too large; SHA-256 matches the standard's vectors;
 * paths are judged inside or outside a folder after "..", and symlinks;
 * a lock held by another process is seen with its pid.
 */
#include <sys/stat.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
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
test_durable_write_whole_and_alone(void **state)
{
	const char *dir = *state;
	char *path = xasprintf("%s/metadata.json", dir), *got, err[ERRMAX];
	size_t len, i;
	struct buf big;
	struct stat st;

	/* Larger than one write() is sure to take. */
	buf_init(&big, 8 << 20);
	for (i = 0; i < 200000; i++)
		assert_int_equal(buf_printf(&big, "%zu,", i), 0);
	assert_int_equal(util_write_durable(path, big.data, big.len, err), 0);
	got = testlib_slurp(path, &len);
	assert_non_null(got);
	assert_int_equal(len, big.len);
	assert_memory_equal(got, big.data, len);
	free(got);
	/* No temporary file is left beside it. */
	assert_int_equal(testlib_count_entries(dir), 1);
	/* Personal data: never for other users, whatever the umask. */
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0007, 0);
	buf_free(&big);
	free(path);
}

static void
test_durable_write_replaces_whole(void **state)
{
	const char *dir = *state;
	char *path = xasprintf("%s/report.csv", dir), *got, err[ERRMAX];

	assert_int_equal(util_write_durable(path, "a much longer first version\n",
	    28, err), 0);
	assert_int_equal(util_write_durable(path, "short\n", 6, err), 0);
	/* Nothing of the longer one is left at the end. */
	got = testlib_slurp(path, NULL);
	assert_string_equal(got, "short\n");
	free(got);
	assert_int_equal(testlib_count_entries(dir), 1);
	/* Empty content is a file, empty. */
	assert_int_equal(util_write_durable(path, "", 0, err), 0);
	got = testlib_slurp(path, NULL);
	assert_string_equal(got, "");
	free(got);
	free(path);
}

static void
test_durable_write_says_why(void **state)
{
	const char *dir = *state;
	char *path = xasprintf("%s/no-such-folder/x.txt", dir), err[ERRMAX];

	err[0] = '\0';
	assert_int_equal(util_write_durable(path, "x", 1, err), -1);
	assert_contains(err, "no-such-folder");
	assert_contains(err, strerror(ENOENT));
	assert_int_equal(testlib_count_entries(dir), 0);
	free(path);
}

static void
test_buf_cap(void **state)
{
	struct buf b;

	buf_init(&b, 10);
	assert_int_equal(buf_append(&b, "0123456789", 10), 0);
	assert_int_equal(b.len, 10);
	assert_string_equal(b.data, "0123456789");
	/* One byte past the cap is refused and changes nothing. */
	assert_int_equal(buf_append(&b, "x", 1), -1);
	assert_int_equal(buf_printf(&b, "%d", 7), -1);
	assert_int_equal(b.len, 10);
	assert_string_equal(b.data, "0123456789");
	buf_free(&b);
	/* A length near SIZE_MAX does not wrap round the check. */
	buf_init(&b, 100);
	assert_int_equal(buf_append(&b, "ab", 2), 0);
	assert_int_equal(buf_append(&b, "c", SIZE_MAX - 1), -1);
	assert_int_equal(b.len, 2);
	buf_free(&b);
}

static void
test_read_file_whole_or_refused(void **state)
{
	const char *dir = *state;
	char *path = testlib_write(dir, "text.txt", "Ủy ban nhân dân\n");
	char err[ERRMAX];
	struct buf b;

	assert_int_equal(util_read_file(path, 1000, &b, err), 0);
	assert_string_equal(b.data, "Ủy ban nhân dân\n");
	assert_int_equal(b.len, strlen("Ủy ban nhân dân\n"));
	buf_free(&b);
	err[0] = '\0';
	assert_int_equal(util_read_file(path, 5, &b, err), -1);
	assert_contains(err, "too large");
	err[0] = '\0';
	assert_int_equal(util_read_file(dir, 1000, &b, err), -1);
	assert_contains(err, "not a regular file");
	free(path);
	path = xasprintf("%s/missing", dir);
	err[0] = '\0';
	assert_int_equal(util_read_file(path, 1000, &b, err), -1);
	assert_contains(err, strerror(ENOENT));
	free(path);
}

static void
test_sha256(void **state)
{
	const char *dir = *state;
	char hex[65], fhex[65], err[ERRMAX], *path;

	/* FIPS 180-2's vectors. */
	util_sha256("abc", 3, hex);
	assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223"
	    "b00361a396177a9cb410ff61f20015ad");
	util_sha256("", 0, hex);
	assert_string_equal(hex, "e3b0c44298fc1c149afbf4c8996fb924"
	    "27ae41e4649b934ca495991b7852b855");
	/* A file hashes as its bytes do. */
	path = testlib_write(dir, "abc", "abc");
	assert_int_equal(util_sha256_file(path, fhex, err), 0);
	util_sha256("abc", 3, hex);
	assert_string_equal(fhex, hex);
	free(path);
	path = xasprintf("%s/missing", dir);
	assert_int_equal(util_sha256_file(path, fhex, err), -1);
	free(path);
}

static void
test_paths(void **state)
{
	const char *dir = *state;
	char *real_dir, *sub, *p, *link, *outside;

	real_dir = util_path_real(dir);
	assert_non_null(real_dir);
	sub = xasprintf("%s/inbox/a", real_dir);
	assert_int_equal(util_mkdirs(sub, 0750), 0);
	assert_int_equal(util_mkdirs(sub, 0750), 0);	/* again: fine */
	/* "..", "." and doubled slashes are taken out. */
	p = xasprintf("%s//inbox/./a/../a", dir);
	free(sub);
	sub = util_path_real(p);
	free(p);
	p = xasprintf("%s/inbox/a", real_dir);
	assert_string_equal(sub, p);
	free(p);
	assert_int_equal(util_path_within(sub, real_dir), 1);
	assert_int_equal(util_path_within(real_dir, real_dir), 1);
	assert_int_equal(util_path_within(real_dir, sub), 0);
	/* A name that only starts like the folder is not inside it. */
	p = xasprintf("%s-other/x", real_dir);
	assert_int_equal(util_path_within(p, real_dir), 0);
	free(p);
	/* A symlink is judged by where it leads. */
	link = xasprintf("%s/inbox/to-tmp", dir);
	assert_int_equal(symlink("/tmp", link), 0);
	outside = util_path_real(link);
	assert_string_equal(outside, "/tmp");
	assert_int_equal(util_path_within(outside, real_dir), 0);
	assert_string_equal(util_basename("/a/b/scan.tif"), "scan.tif");
	assert_string_equal(util_basename("scan.tif"), "scan.tif");
	free(outside);
	free(link);
	free(sub);
	free(real_dir);
}

static void
test_lock_seen_with_its_holder(void **state)
{
	const char *dir = *state;
	char *path = xasprintf("%s/sohoad.pid", dir);
	int fd, go[2], st;
	long pid = 0;
	pid_t child;
	char c;

	fd = open(path, O_RDWR | O_CREAT, 0640);
	assert_true(fd >= 0);
	assert_int_equal(util_lock_held(fd, &pid), 0);
	assert_int_equal(pipe(go), 0);
	if ((child = fork()) == 0) {
		int cfd = open(path, O_RDWR);

		close(go[0]);
		if (cfd == -1 || util_lock(cfd) == -1)
			_exit(1);
		(void)!write(go[1], "l", 1);
		pause();
		_exit(0);
	}
	close(go[1]);
	assert_int_equal(read(go[0], &c, 1), 1);
	assert_int_equal(util_lock_held(fd, &pid), 1);
	assert_int_equal(pid, (long)child);
	/* Held elsewhere: ours is refused, not waited for. */
	assert_int_equal(util_lock(fd), -1);
	assert_true(errno == EAGAIN || errno == EACCES);
	kill(child, SIGKILL);
	waitpid(child, &st, 0);
	/* Its holder gone, the lock is free again. */
	assert_int_equal(util_lock_held(fd, &pid), 0);
	assert_int_equal(util_lock(fd), 0);
	close(go[0]);
	close(fd);
	free(path);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_durable_write_whole_and_alone,
		    testlib_setup_tmpdir, testlib_teardown_tmpdir),
		cmocka_unit_test_setup_teardown(test_durable_write_replaces_whole,
		    testlib_setup_tmpdir, testlib_teardown_tmpdir),
		cmocka_unit_test_setup_teardown(test_durable_write_says_why,
		    testlib_setup_tmpdir, testlib_teardown_tmpdir),
		cmocka_unit_test(test_buf_cap),
		cmocka_unit_test_setup_teardown(test_read_file_whole_or_refused,
		    testlib_setup_tmpdir, testlib_teardown_tmpdir),
		cmocka_unit_test_setup_teardown(test_sha256,
		    testlib_setup_tmpdir, testlib_teardown_tmpdir),
		cmocka_unit_test_setup_teardown(test_paths,
		    testlib_setup_tmpdir, testlib_teardown_tmpdir),
		cmocka_unit_test_setup_teardown(test_lock_seen_with_its_holder,
		    testlib_setup_tmpdir, testlib_teardown_tmpdir),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
