/*
 * test_job.c: the daemon's journal of scans, as a clerk and an operator
 * see it.  A claimed scan leaves the inbox for the spool and is queued
 * under its own name (bytes, as the scanner wrote it); it moves queued ->
 * processing -> done in the record's transaction, and its spool copy goes
 * once done; a worker crash counts an attempt and queues it again with the
 * reason; a scan set aside lands in the quarantine under its own name with
 * NAME.reason.txt saying why; `sohoa status` counts each; after a kill,
 * job_recover queues what was being processed and adopts a spool file
 * that has no job.
 */
#include <sys/stat.h>

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

struct fixture {
	char	*dir;
	char	*inbox;
	char	*spoolroot;
	char	*spool;		/* spoolroot/pa */
	char	*qdir;
	struct index *ix;
};

static int
setup(void **state)
{
	struct fixture *f = xcalloc(1, sizeof *f);

	f->dir = testlib_tmpdir("test_job");
	f->inbox = xasprintf("%s/inbox", f->dir);
	f->spoolroot = xasprintf("%s/spool", f->dir);
	f->spool = xasprintf("%s/pa", f->spoolroot);
	f->qdir = xasprintf("%s/quarantine", f->dir);
	assert_int_equal(util_mkdirs(f->inbox, 0750), 0);
	f->ix = testlib_index(f->dir, "sohoa");
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;
	int rc;

	index_close(f->ix);
	rc = testlib_rmdir(f->dir);
	free(f->inbox);
	free(f->spoolroot);
	free(f->spool);
	free(f->qdir);
	free(f->dir);
	free(f);
	return rc;
}

/* Writes NAME into the inbox and claims it; returns the job's id. */
static int64_t
claim(struct fixture *f, const char *name)
{
	char *path, err[ERRMAX];
	int64_t id = 0;

	path = testlib_write(f->inbox, name, "II* the bytes of a scan");
	if (job_claim(f->ix, f->spool, "pa", path, name, &id, err) == -1)
		fail_msg("job_claim %s: %s", name, err);
	/* Gone from the inbox. */
	assert_int_equal(access(path, F_OK), -1);
	free(path);
	assert_true(id > 0);
	return id;
}

/* The one job in this state (fails unless there is exactly one). */
static struct job *
only(struct fixture *f, int state)
{
	struct job **v, *j;
	size_t n = job_list(f->ix, state, &v);

	if (n != 1)
		fail_msg("%zu jobs in state %d, not 1", n, state);
	j = v[0];
	free(v);
	return j;
}

/* The status line of profile "pa", as `sohoa status --json` shows it. */
static json_int_t
status(struct fixture *f, const char *key)
{
	json_t *a = job_status(f->ix), *p;
	json_int_t v;

	assert_int_equal(json_array_size(a), 1);
	p = json_array_get(a, 0);
	assert_string_equal(json_string_value(json_object_get(p, "profile")),
	    "pa");
	v = json_integer_value(json_object_get(p, key));
	json_decref(a);
	return v;
}

static void
test_claim_to_done(void **state)
{
	struct fixture *f = *state;
	char err[ERRMAX], *data;
	int64_t id = claim(f, "giấy phép 12.tif"), doc;
	struct job *j;
	struct document rec;

	j = only(f, JOB_QUEUED);
	assert_int_equal(j->id, id);
	assert_string_equal(j->profile, "pa");
	assert_string_equal(j->source_name, "giấy phép 12.tif");
	assert_int_equal(j->attempts, 0);
	/* The scan's bytes are in the spool, under the spool folder. */
	assert_true(strncmp(j->spool_path, f->spool, strlen(f->spool)) == 0);
	data = testlib_slurp(j->spool_path, NULL);
	assert_non_null(data);
	assert_string_equal(data, "II* the bytes of a scan");
	free(data);
	assert_int_equal(status(f, "queue"), 1);

	assert_int_equal(job_set_state(f->ix, id, JOB_PROCESSING), 0);
	job_free(only(f, JOB_PROCESSING));
	assert_int_equal(status(f, "queue"), 1);	/* still to do */

	/* Done in the same transaction as the record. */
	memset(&rec, 0, sizeof rec);
	document_set_str(&rec.source_name, j->source_name);
	document_set_str(&rec.sha256, "abc");
	rec.pages = 1;
	document_set_str(&rec.ingested_at, "2026-11-22T10:00:00+07:00");
	assert_int_equal(index_begin(f->ix), 0);
	assert_int_equal(store_insert(f->ix, &rec, "Giấy phép xây dựng", err),
	    0);
	doc = rec.id;
	assert_int_equal(job_done_tx(f->ix, doc, j, err), 0);
	assert_int_equal(index_commit(f->ix), 0);
	document_free(&rec);
	job_free(only(f, JOB_DONE));
	job_finish(j);
	assert_int_equal(access(j->spool_path, F_OK), -1);
	assert_int_equal(status(f, "queue"), 0);
	assert_int_equal(status(f, "done_today"), 1);
	/* Nothing unfinished. */
	{
		struct job **v;

		assert_int_equal(job_list(f->ix, -1, &v), 0);
		job_free_list(v, 0);
	}
	job_free(j);
}

static void
test_crash_counts_and_requeues(void **state)
{
	struct fixture *f = *state;
	struct job *j;

	claim(f, "scan.tif");
	j = only(f, JOB_QUEUED);
	assert_int_equal(job_set_state(f->ix, j->id, JOB_PROCESSING), 0);
	assert_int_equal(job_crashed(f->ix, j, "the worker crashed "
	    "(Segmentation fault)"), 1);
	job_free(j);
	/* As stored, not only in memory. */
	j = only(f, JOB_QUEUED);
	assert_int_equal(j->attempts, 1);
	assert_string_equal(j->reason, "the worker crashed (Segmentation "
	    "fault)");
	assert_int_equal(job_crashed(f->ix, j, "again"), 2);
	job_free(j);
	j = only(f, JOB_QUEUED);
	assert_int_equal(j->attempts, 2);
	job_free(j);
}

static void
test_quarantine_with_reason(void **state)
{
	struct fixture *f = *state;
	char err[ERRMAX], *path, *why;
	struct job *j;

	claim(f, "hỏng.tif");
	j = only(f, JOB_QUEUED);
	if (job_quarantine(f->ix, j, f->qdir, "the TIFF is damaged",
	    err) == -1)
		fail_msg("job_quarantine: %s", err);
	assert_int_equal(j->state, JOB_QUARANTINED);
	/* Under its own name, the reason beside it; the spool is empty. */
	path = xasprintf("%s/hỏng.tif", f->qdir);
	assert_string_equal(j->quarantine_path, path);
	assert_int_equal(access(path, F_OK), 0);
	free(path);
	path = xasprintf("%s/hỏng.tif.reason.txt", f->qdir);
	why = testlib_slurp(path, NULL);
	assert_non_null(why);
	assert_string_equal(why, "hỏng.tif: the TIFF is damaged.\n");
	free(why);
	free(path);
	assert_int_equal(access(j->spool_path, F_OK), -1);
	job_free(j);
	job_free(only(f, JOB_QUARANTINED));
	assert_int_equal(status(f, "quarantined"), 1);
	assert_int_equal(status(f, "queue"), 0);
}

static void
test_name_kept_as_bytes(void **state)
{
	struct fixture *f = *state;
	char name[256], err[ERRMAX], *why, *path;
	struct job *j;

	/* Latin-1 from an old scanner, and near the longest name there is. */
	memset(name, 'a', sizeof name - 1);
	name[sizeof name - 1] = '\0';
	memcpy(name, "gi\xe1y ph\xe9p ", 10);
	memcpy(name + 250, ".tif", 5);
	claim(f, name);
	j = only(f, JOB_QUEUED);
	assert_string_equal(j->source_name, name);
	/* The spool name fits the file system, whatever the name. */
	assert_true(strlen(util_basename(j->spool_path)) <= 255);
	assert_int_equal(job_quarantine(f->ix, j, f->qdir, "unreadable",
	    err), 0);
	/* The reason file fits beside it, and shows the name escaped. */
	assert_true(strlen(util_basename(j->quarantine_path)) +
	    strlen(".reason.txt") <= 255);
	path = xasprintf("%s.reason.txt", j->quarantine_path);
	why = testlib_slurp(path, NULL);
	assert_non_null(why);
	assert_contains(why, "gi\\xe1y ph\\xe9p aaa");
	assert_true(vntext_utf8_valid(why, strlen(why)));
	free(why);
	free(path);
	job_free(j);
}

static void
test_recover_after_kill(void **state)
{
	struct fixture *f = *state;
	char *orphan;
	struct job **v, *j;
	size_t n;

	claim(f, "was-processing.tif");
	j = only(f, JOB_QUEUED);
	assert_int_equal(job_set_state(f->ix, j->id, JOB_PROCESSING), 0);
	job_free(j);
	/* A spool file with no job: killed between the rename and the
	 * journal (an older sohoa). */
	orphan = testlib_write(f->spool, "1700000000-1-0_orphan.tif", "x");
	assert_int_equal(job_recover(f->ix, f->spoolroot), 0);
	n = job_list(f->ix, JOB_QUEUED, &v);
	assert_int_equal(n, 2);
	assert_string_equal(v[0]->source_name, "was-processing.tif");
	assert_string_equal(v[1]->source_name, "orphan.tif");
	assert_string_equal(v[1]->profile, "pa");
	assert_string_equal(v[1]->spool_path, orphan);
	job_free_list(v, n);
	/* Twice is once. */
	assert_int_equal(job_recover(f->ix, f->spoolroot), 0);
	n = job_list(f->ix, -1, &v);
	assert_int_equal(n, 2);
	job_free_list(v, n);
	free(orphan);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_claim_to_done, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_crash_counts_and_requeues,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_quarantine_with_reason,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_name_kept_as_bytes, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_recover_after_kill, setup,
		    teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
