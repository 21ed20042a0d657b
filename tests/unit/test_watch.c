/*
 * test_watch.c: what a clerk whose scanner writes into an inbox sees of
 * watch.c.  A scan closed after writing is taken within moments, once;
 * one still being written (open, growing) is not, however long it takes;
 * dotfiles, temporary and partial names, reason files and symlinks are
 * never taken; a scan the daemon cannot take now is offered again; on a
 * folder without inotify (poll_seconds), a scan whose size stays still for
 * settle_seconds is taken.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "sohoa.h"
#include "testlib.h"

struct fixture {
	char	*dir;
	char	*taken;		/* where ready() moves what it takes */
	struct profile prof;
	struct watch *w;
	/* What ready() was offered, "rel;rel;..." */
	char	 offered[4096];
	int	 refuse;	/* ready() says "not now" this many times */
};

static int
ready(int prof, const char *path, const char *rel, void *arg)
{
	struct fixture *f = arg;
	size_t n = strlen(f->offered);
	char *to;

	assert_int_equal(prof, 0);
	snprintf(f->offered + n, sizeof f->offered - n, "%s;", rel);
	if (f->refuse > 0) {
		f->refuse--;
		return -1;
	}
	/* As the daemon does: the scan leaves the inbox once claimed. */
	to = xasprintf("%s/%s", f->taken, util_basename(path));
	assert_int_equal(rename(path, to), 0);
	free(to);
	return 0;
}

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Polls for the given seconds, or until ready() has been offered want. */
static void
poll_for(struct fixture *f, double seconds, const char *want)
{
	double end = now() + seconds;

	do {
		watch_poll(f->w, ready, f);
		if (want != NULL && strcmp(f->offered, want) == 0)
			return;
		usleep(50 * 1000);
	} while (now() < end);
}

static struct fixture *
fixture_new(int settle, int poll_seconds)
{
	struct fixture *f = xcalloc(1, sizeof *f);

	f->dir = testlib_tmpdir("test_watch");
	f->taken = xasprintf("%s/taken", f->dir);
	assert_int_equal(util_mkdirs(f->taken, 0750), 0);
	profile_default(&f->prof);
	free(f->prof.inbox);
	f->prof.inbox = xasprintf("%s/inbox", f->dir);
	assert_int_equal(util_mkdirs(f->prof.inbox, 0750), 0);
	f->prof.settle_seconds = settle;
	f->prof.poll_seconds = poll_seconds;
	f->prof.recursive = 0;
	f->w = watch_open(&f->prof, 1, 3600);
	assert_non_null(f->w);
	/* The first poll watches the inbox: what is written from then on is
	 * seen. */
	watch_poll(f->w, ready, f);
	return f;
}

static void
fixture_free(struct fixture *f)
{
	watch_close(f->w);
	profile_free(&f->prof);
	assert_int_equal(testlib_rmdir(f->dir), 0);
	free(f->taken);
	free(f->dir);
	free(f);
}

static void
write_file(const char *dir, const char *name, const char *text)
{
	free(testlib_write(dir, name, text));
}

static void
test_closed_scan_taken_once(void **state)
{
	struct fixture *f = fixture_new(30, 0);
	char *path;

	write_file(f->prof.inbox, "scan-1.tif", "II*\0 a scan");
	/* settle_seconds is 30, yet a closed file is taken after a moment. */
	poll_for(f, 5, "scan-1.tif;");
	assert_string_equal(f->offered, "scan-1.tif;");
	path = xasprintf("%s/scan-1.tif", f->taken);
	assert_int_equal(access(path, F_OK), 0);
	free(path);
	/* Once. */
	poll_for(f, 0.5, NULL);
	assert_string_equal(f->offered, "scan-1.tif;");
	assert_int_equal(watch_pending(f->w, 0), 0);
	fixture_free(f);
}

static void
test_open_scan_waits(void **state)
{
	struct fixture *f = fixture_new(30, 0);
	char *path = xasprintf("%s/slow.tif", f->prof.inbox);
	int fd, i;

	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0640);
	assert_true(fd >= 0);
	/* Written in chunks, held open: never taken meanwhile. */
	for (i = 0; i < 6; i++) {
		assert_int_equal(write(fd, "0123456789", 10), 10);
		poll_for(f, 0.3, NULL);
	}
	poll_for(f, 1.5, NULL);		/* still open, quiet for a while */
	assert_string_equal(f->offered, "");
	assert_int_equal(watch_pending(f->w, 0), 1);
	assert_int_equal(close(fd), 0);
	poll_for(f, 5, "slow.tif;");
	assert_string_equal(f->offered, "slow.tif;");
	free(path);
	fixture_free(f);
}

static void
test_names_never_taken(void **state)
{
	static const char *names[] = { ".hidden.tif", "scan.tif.part",
	    "scan.tmp", "scan.TMP", "~$scan.tif", "scan.tif~", "scan.partial",
	    "scan.crdownload", ".scan.tif.swp", "scan.tif.reason.txt",
	    ".sohoa-123-0.tmp", NULL };
	struct fixture *f = fixture_new(1, 0);
	char *link, *sub;
	int i;

	for (i = 0; names[i] != NULL; i++)
		write_file(f->prof.inbox, names[i], "x");
	/* A symlink to a scan outside, and a folder (not recursive). */
	write_file(f->dir, "outside.tif", "x");
	link = xasprintf("%s/link.tif", f->prof.inbox);
	sub = xasprintf("%s/outside.tif", f->dir);
	assert_int_equal(symlink(sub, link), 0);
	free(sub);
	sub = xasprintf("%s/sub.tif", f->prof.inbox);
	assert_int_equal(mkdir(sub, 0750), 0);
	write_file(f->prof.inbox, "real.tif", "x");
	watch_rescan(f->w);
	poll_for(f, 3, "real.tif;");
	poll_for(f, 0.5, NULL);
	/* The real scan alone. */
	assert_string_equal(f->offered, "real.tif;");
	for (i = 0; names[i] != NULL; i++)
		assert_int_equal(watch_ignored(names[i]), 1);
	assert_int_equal(watch_ignored("scan.tif"), 0);
	assert_int_equal(watch_ignored("Giấy phép 12.pdf"), 0);
	assert_int_equal(watch_ignored("tmp.tif"), 0);
	free(link);
	free(sub);
	fixture_free(f);
}

static void
test_not_now_offered_again(void **state)
{
	struct fixture *f = fixture_new(30, 0);

	f->refuse = 2;
	write_file(f->prof.inbox, "busy.tif", "x");
	poll_for(f, 5, "busy.tif;busy.tif;busy.tif;");
	assert_string_equal(f->offered, "busy.tif;busy.tif;busy.tif;");
	assert_int_equal(watch_pending(f->w, 0), 0);
	fixture_free(f);
}

static void
test_polled_folder_settles(void **state)
{
	struct fixture *f = fixture_new(1, 1);

	write_file(f->prof.inbox, "share.tif", "x");
	/* Not before its size and mtime have stayed still for a second. */
	poll_for(f, 0.5, NULL);
	assert_string_equal(f->offered, "");
	poll_for(f, 5, "share.tif;");
	assert_string_equal(f->offered, "share.tif;");
	fixture_free(f);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_closed_scan_taken_once),
		cmocka_unit_test(test_open_scan_waits),
		cmocka_unit_test(test_names_never_taken),
		cmocka_unit_test(test_not_now_offered_again),
		cmocka_unit_test(test_polled_folder_settles),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
