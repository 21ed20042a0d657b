/*
 * test_ingest.c: what `sohoa ingest` does with a small batch, through
 * ingest_files and real worker processes.  A strip of a good scan becomes
 * one record whose package, named by the scan's SHA-256, holds the
 * original byte for byte; a second copy of the same bytes is recorded as
 * its duplicate without reading it again; a bad file fails alone, the rest
 * of the batch goes on; no work folder is left behind.  The job a worker
 * gets carries the profile's settings.  A worker's result is typed once:
 * the record and its metadata.json carry what it said, and a result of the
 * wrong shape is refused in a sentence, leaving neither record nor
 * package.
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
	char	*data;		/* the data folder */
	char	*scan;		/* a strip of a good page */
	struct profile prof;
	struct index *ix;
};

static int
setup(void **state)
{
	struct fixture *f = xcalloc(1, sizeof *f);

	f->dir = testlib_tmpdir("test_ingest");
	f->scan = testlib_strip_png(f->dir);
	f->data = xasprintf("%s/data", f->dir);
	assert_int_equal(util_mkdirs(f->data, 0750), 0);
	f->ix = testlib_index(f->data, "sohoa");
	profile_default(&f->prof);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;
	int rc;

	index_close(f->ix);
	profile_free(&f->prof);
	rc = testlib_rmdir(f->dir);
	free(f->scan);
	free(f->data);
	free(f->dir);
	free(f);
	return rc;
}

static int
run(struct fixture *f, char **files, int n)
{
	struct ingest_opts o;

	memset(&o, 0, sizeof o);
	o.datadir = f->data;
	o.profile = &f->prof;
	o.jobs = 1;
	o.worker_argv = testlib_worker_argv();
	o.time_limit = 120;
	return ingest_files(f->ix, &o, files, n);
}

/* The record with this source name in `sohoa list`, or NULL. */
static json_t *
record(struct fixture *f, json_t *list, const char *name)
{
	json_t *d;
	size_t i;

	json_array_foreach(list, i, d)
		if (strcmp(json_string_value(json_object_get(d,
		    "source_name")), name) == 0)
			return d;
	return NULL;
}

static void
test_batch(void **state)
{
	struct fixture *f = *state;
	char *copy = xasprintf("%s/copy.png", f->dir), *bad, *files[3];
	char sha[65], err[ERRMAX], *rel, *pkg, *cmd, *tmp;
	json_t *list, *first, *dup;

	assert_int_equal(link(f->scan, copy), 0);
	bad = testlib_fixture("bad/empty.tif");
	files[0] = f->scan;
	files[1] = bad;
	files[2] = copy;
	/* One failed: the bad file, and it alone. */
	assert_int_equal(run(f, files, 3), 1);
	list = store_list(f->ix, 100);
	assert_int_equal(json_array_size(list), 2);
	first = record(f, list, "strip.png");
	dup = record(f, list, "copy.png");
	assert_non_null(first);
	assert_non_null(dup);
	assert_null(record(f, list, "empty.tif"));
	/* The copy is the first's duplicate, same bytes, same package. */
	assert_int_equal(json_integer_value(json_object_get(dup,
	    "duplicate_of")), json_integer_value(json_object_get(first, "id")));
	assert_int_equal(util_sha256_file(f->scan, sha, err), 0);
	assert_string_equal(json_string_value(json_object_get(first,
	    "sha256")), sha);
	rel = ingest_archive_path(sha);
	assert_string_equal(json_string_value(json_object_get(first,
	    "archive")), rel);
	/* The package holds the original byte for byte. */
	pkg = xasprintf("%s/%s", f->data, rel);
	cmd = xasprintf("tar -xOf '%s' --wildcards '*/data/original.png' | "
	    "cmp -s - '%s'", pkg, f->scan);
	assert_int_equal(system(cmd), 0);
	free(cmd);
	/* The page's words are searchable. */
	json_decref(list);
	list = search_find(f->ix, "ủy ban nhân dân", NULL, 10, err);
	assert_non_null(list);
	assert_int_equal(json_array_size(list), 1);
	assert_string_equal(json_string_value(json_object_get(json_array_get(
	    list, 0), "source_name")), "strip.png");
	/* No work folder left behind. */
	tmp = xasprintf("%s/tmp", f->data);
	assert_true(testlib_count_entries(tmp) <= 0);
	free(tmp);
	json_decref(list);
	free(pkg);
	free(rel);
	free(bad);
	free(copy);
}

/* A work folder as a worker leaves it: the text and the PDF. */
static char *
workdir(struct fixture *f, const char *name)
{
	char *w = xasprintf("%s/%s", f->dir, name), *p;

	assert_int_equal(util_mkdirs(w, 0700), 0);
	p = testlib_write(w, WORKER_TEXT, "ỦY BAN NHÂN DÂN\nQUYẾT ĐỊNH\n"
	    "Số: 12/QĐ-UBND\n");
	free(p);
	p = testlib_write(w, WORKER_PDF, "%PDF-1.4 not really\n");
	free(p);
	return w;
}

static void
test_result_typed_once(void **state)
{
	struct fixture *f = *state;
	char sha[65], err[ERRMAX] = "", *w, *pkg, *rel;
	struct document d;
	struct buf meta;
	json_t *res, *m, *contract, *v;
	const char *k;
	void *it;

	assert_int_equal(util_sha256_file(f->scan, sha, err), 0);
	w = workdir(f, "w1");
	/* The wrong shape first: nothing is kept of it. */
	res = json_pack("{s:b, s:s, s:s, s:f}", "ok", 1, "format", "png",
	    "pages", "one", "ocr_confidence", 91.26);
	assert_int_equal(ingest_record(f->ix, f->data, &f->prof, f->scan, w,
	    "strip.png", sha, res, NULL, &d, err), -1);
	assert_non_null(strstr(err, "\"pages\""));
	assert_int_equal(d.id, 0);
	assert_int_equal(store_find_sha256(f->ix, sha), 0);
	rel = ingest_archive_path(sha);
	pkg = xasprintf("%s/%s", f->data, rel);
	assert_int_not_equal(access(pkg, F_OK), 0);
	json_decref(res);

	res = json_pack("{s:b, s:s, s:i, s:f}", "ok", 1, "format", "png",
	    "pages", 1, "ocr_confidence", 91.26);
	assert_int_equal(ingest_record(f->ix, f->data, &f->prof, f->scan, w,
	    "strip.png", sha, res, NULL, &d, err), 0);
	assert_true(d.id > 0);
	assert_int_equal(d.pages, 1);
	assert_true(d.has_ocr_confidence && d.ocr_confidence == 91.3);
	assert_string_equal(d.sha256, sha);
	assert_string_equal(d.archive, rel);
	assert_string_equal(d.profile, f->prof.name);
	assert_int_equal(d.duplicate_of, 0);

	/* metadata.json: the record, its keys in the contract's order, then
	 * what the index does not keep. */
	assert_int_equal(package_read(pkg, "metadata.json", 1 << 20, &meta,
	    err), 0);
	m = json_loadb(meta.data, meta.len, 0, NULL);
	assert_non_null(m);
	contract = document_to_json(&d);
	it = json_object_iter(m);
	json_object_foreach(contract, k, v) {
		assert_non_null(it);
		assert_string_equal(json_object_iter_key(it), k);
		assert_true(json_equal(json_object_iter_value(it), v));
		it = json_object_iter_next(m, it);
	}
	assert_non_null(it);
	assert_string_equal(json_object_iter_key(it), "format");
	json_decref(contract);
	json_decref(m);
	json_decref(res);
	buf_free(&meta);
	document_free(&d);
	free(pkg);
	free(rel);
	ingest_cleanup_workdir(w);
	free(w);
}

static void
test_job_carries_the_profile(void **state)
{
	struct fixture *f = *state;
	json_t *job;

	f->prof.dpi = 200;
	job = ingest_job(&f->prof, "/in/scan.tif", "/data/tmp/w1", 7);
	assert_string_equal(json_string_value(json_object_get(job, "path")),
	    "/in/scan.tif");
	assert_string_equal(json_string_value(json_object_get(job,
	    "workdir")), "/data/tmp/w1");
	assert_string_equal(json_string_value(json_object_get(job,
	    "languages")), "vie");
	assert_int_equal(json_integer_value(json_object_get(job, "dpi")), 200);
	assert_int_equal(json_integer_value(json_object_get(job,
	    "max_pages")), 7);
	/* The preprocessing switches, as the worker reads them back. */
	assert_true(json_is_boolean(json_object_get(json_object_get(job,
	    "preprocess"), "deskew")));
	assert_true(json_is_boolean(json_object_get(job, "syllables")));
	json_decref(job);
	/* No limit given: the built-in one. */
	job = ingest_job(&f->prof, "/in/scan.tif", "/w", 0);
	assert_int_equal(json_integer_value(json_object_get(job,
	    "max_pages")), 1000);
	json_decref(job);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_batch, setup, teardown),
		cmocka_unit_test_setup_teardown(test_result_typed_once, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_job_carries_the_profile,
		    setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
