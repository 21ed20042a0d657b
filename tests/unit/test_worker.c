/*
 * test_worker.c: the worker protocol, both ends: jobs written as one JSON
 * line to `sohoa worker` and answers read back, directly and through the
 * pool (pool.c) that sohoa ingest and sohoad use.  A strip of a good scan
 * comes back ok with its page, its text and its PDF in the work folder; a
 * file that is not an image comes back as a one-line reason and the worker
 * takes the next job; a path that is not UTF-8 travels as bytes; a line
 * that is not a job is answered, not a crash.
 */
#include <sys/stat.h>
#include <sys/wait.h>

#include <errno.h>
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

struct fixture {
	char	*dir;
	char	*scan;		/* a strip of a good page */
	struct profile prof;
};

static int
setup(void **state)
{
	struct fixture *f = xcalloc(1, sizeof *f);

	f->dir = testlib_tmpdir("test_worker");
	/* One strip of the page: quick to read, with words on it. */
	f->scan = testlib_strip_png(f->dir);
	profile_default(&f->prof);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;
	int rc = testlib_rmdir(f->dir);

	profile_free(&f->prof);
	free(f->scan);
	free(f->dir);
	free(f);
	return rc;
}

static char *
workdir(struct fixture *f, const char *name)
{
	char *w = xasprintf("%s/%s", f->dir, name);

	assert_int_equal(util_mkdirs(w, 0750), 0);
	return w;
}

static struct pool *
start(int workers)
{
	struct pool_opts o;
	struct pool *p;
	char err[ERRMAX];

	memset(&o, 0, sizeof o);
	o.workers = workers;
	o.argv = testlib_worker_argv();
	o.time_limit = 120;
	o.memory_mb = 0;
	p = pool_start(&o, err);
	if (p == NULL)
		fail_msg("pool_start: %s", err);
	return p;
}

/* Submits one job and waits for its answer. */
static json_t *
run_job(struct pool *p, json_t *job)
{
	json_t *res = NULL;
	void *tag = NULL;
	int tries;

	assert_int_equal(pool_submit(p, job, (void *)0x5eed), 0);
	json_decref(job);
	for (tries = 0; tries < 300; tries++)
		if (pool_wait(p, 1000, &res, &tag) == 1)
			break;
	assert_non_null(res);
	assert_ptr_equal(tag, (void *)0x5eed);
	return res;
}

static void
test_good_scan_round_trip(void **state)
{
	struct fixture *f = *state;
	struct pool *p = start(1);
	char *w = workdir(f, "job-1"), *path, *text;
	json_t *res;

	res = run_job(p, ingest_job(&f->prof, f->scan, w, 0));
	if (!json_is_true(json_object_get(res, "ok")))
		fail_msg("not ok: %s", json_string_value(json_object_get(res,
		    "reason")));
	assert_int_equal(json_integer_value(json_object_get(res, "pages")), 1);
	assert_string_equal(json_string_value(json_object_get(res, "format")),
	    "png");
	assert_true(json_real_value(json_object_get(res, "ocr_confidence")) >
	    50);
	assert_int_equal(json_array_size(json_object_get(res, "page_info")), 1);
	/* The text and the PDF are in the work folder. */
	path = xasprintf("%s/%s", w, WORKER_TEXT);
	text = testlib_slurp(path, NULL);
	assert_non_null(text);
	assert_contains(text, "ỦY BAN NHÂN DÂN");
	free(text);
	free(path);
	path = xasprintf("%s/%s", w, WORKER_PDF);
	text = testlib_slurp(path, NULL);
	assert_non_null(text);
	assert_true(strncmp(text, "%PDF-", 5) == 0);
	free(text);
	free(path);
	json_decref(res);
	pool_stop(p);
	free(w);
}

static void
test_bad_scan_then_next_job(void **state)
{
	struct fixture *f = *state;
	struct pool *p = start(1);
	char *bad = testlib_fixture("bad/not-an-image.tif");
	char *w1 = workdir(f, "job-bad"), *w2 = workdir(f, "job-next");
	const char *reason;
	json_t *res;

	res = run_job(p, ingest_job(&f->prof, bad, w1, 0));
	assert_false(json_is_true(json_object_get(res, "ok")));
	reason = json_string_value(json_object_get(res, "reason"));
	assert_contains(reason, "not an image");
	assert_not_contains(reason, "\n");
	json_decref(res);
	/* The same worker goes on with the next job. */
	assert_int_equal(pool_size(p), 1);
	res = run_job(p, ingest_job(&f->prof, f->scan, w2, 0));
	assert_true(json_is_true(json_object_get(res, "ok")));
	json_decref(res);
	pool_stop(p);
	free(bad);
	free(w1);
	free(w2);
}

static void
test_path_not_utf8(void **state)
{
	struct fixture *f = *state;
	struct pool *p = start(1);
	char *latin = xasprintf("%s/gi\xe1y-ph\xe9p.png", f->dir);
	char *w = workdir(f, "job-latin1");
	json_t *j, *res;
	char *s;

	assert_int_equal(link(f->scan, latin), 0);
	/* In the job as its bytes, in hex. */
	j = worker_path_json(latin);
	s = json_dumps(j, JSON_COMPACT);
	assert_contains(s, "{\"hex\":\"");
	assert_contains(s, "6769e1792d7068e9702e706e67");
	free(s);
	json_decref(j);
	res = run_job(p, ingest_job(&f->prof, latin, w, 0));
	if (!json_is_true(json_object_get(res, "ok")))
		fail_msg("not ok: %s", json_string_value(json_object_get(res,
		    "reason")));
	json_decref(res);
	pool_stop(p);
	free(latin);
	free(w);
}

/* Lines written to `sohoa worker` by hand: each gets one answer line. */
static void
test_lines_that_are_no_job(void **state)
{
	static const char *lines[] = { "not json at all\n", "{\"x\": 1}\n",
	    "[]\n" };
	int in[2], out[2], st;
	char *answer = NULL;
	size_t cap = 0, i;
	pid_t pid;
	FILE *r;

	assert_int_equal(pipe(in), 0);
	assert_int_equal(pipe(out), 0);
	if ((pid = fork()) == 0) {
		dup2(in[0], 0);
		dup2(out[1], 1);
		close(in[1]);
		close(out[0]);
		setenv("OMP_THREAD_LIMIT", "1", 1);
		execl(testlib_sohoa(), testlib_sohoa(), "worker", (char *)NULL);
		_exit(127);
	}
	close(in[0]);
	close(out[1]);
	r = fdopen(out[0], "r");
	for (i = 0; i < sizeof lines / sizeof lines[0]; i++) {
		json_t *a;

		assert_int_equal(write(in[1], lines[i], strlen(lines[i])),
		    (ssize_t)strlen(lines[i]));
		assert_true(getline(&answer, &cap, r) > 0);
		a = json_loads(answer, 0, NULL);
		assert_non_null(a);
		assert_false(json_is_true(json_object_get(a, "ok")));
		assert_string_equal(json_string_value(json_object_get(a,
		    "reason")), "the job is malformed");
		json_decref(a);
	}
	/* stdin closed: the worker ends, cleanly. */
	close(in[1]);
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 0);
	fclose(r);
	free(answer);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_good_scan_round_trip,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_scan_then_next_job,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_path_not_utf8, setup,
		    teardown),
		cmocka_unit_test(test_lines_that_are_no_job),
	};

	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
