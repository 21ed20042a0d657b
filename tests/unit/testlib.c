/*
 * testlib.c: the set-up the unit tests share (see testlib.h).  These
 * helpers fail the running cmocka test themselves, so a test reads as what
 * it checks.
 */
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <ftw.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <leptonica/allheaders.h>

#include "sohoa.h"
#include "testlib.h"

char *
testlib_tmpdir(const char *name)
{
	char *dir = xasprintf("/tmp/%s.XXXXXX", name);

	if (mkdtemp(dir) == NULL)
		fail_msg("cannot make %s: %s", dir, strerror(errno));
	return dir;
}

static int
testlib_rm_one(const char *path, const struct stat *st, int flag,
    struct FTW *ftw)
{
	return remove(path);
}

int
testlib_rmdir(const char *dir)
{
	if (dir == NULL)
		return 0;
	/* Depth first, not following links: a test's symlink to /etc stays
	 * a link removed. */
	return nftw(dir, testlib_rm_one, 16, FTW_DEPTH | FTW_PHYS) == 0 ? 0 :
	    -1;
}

int
testlib_setup_tmpdir(void **state)
{
	*state = testlib_tmpdir(program_invocation_short_name);
	return 0;
}

int
testlib_teardown_tmpdir(void **state)
{
	int rc = testlib_rmdir(*state);

	free(*state);
	*state = NULL;
	return rc;
}

char *
testlib_fixture(const char *name)
{
	const char *dir = getenv("FIXTURES");

	return xasprintf("%s/%s", dir ? dir : "tests/fixtures", name);
}

char *
testlib_write(const char *dir, const char *name, const char *text)
{
	char *path = xasprintf("%s/%s", dir, name);
	FILE *f = fopen(path, "w");

	if (f == NULL)
		fail_msg("cannot write %s: %s", path, strerror(errno));
	fputs(text, f);
	if (fclose(f) == EOF)
		fail_msg("cannot write %s: %s", path, strerror(errno));
	return path;
}

char *
testlib_slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *data = NULL;
	size_t n = 0, cap = 0, got;

	if (f == NULL)
		return NULL;
	do {
		if (n + 4096 + 1 > cap) {
			cap = (n + 4096 + 1) * 2;
			data = xrealloc(data, cap);
		}
		got = fread(data + n, 1, cap - n - 1, f);
		n += got;
	} while (got > 0);
	fclose(f);
	data[n] = '\0';
	if (len != NULL)
		*len = n;
	return data;
}

int
testlib_count_entries(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	if (d == NULL)
		return -1;
	while ((e = readdir(d)) != NULL)
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
			n++;
	closedir(d);
	return n;
}

struct index *
testlib_index(const char *dir, const char *name)
{
	char *db = xasprintf("%s/%s.db", dir, name), err[ERRMAX];
	struct index *ix;

	unlink(db);
	if ((ix = index_open(db, err)) == NULL)
		fail_msg("cannot make the index %s: %s", db, err);
	free(db);
	return ix;
}

const char *
testlib_sohoa(void)
{
	const char *s = getenv("SOHOA");

	return s != NULL && *s != '\0' ? s : "build/sohoa";
}

char **
testlib_worker_argv(void)
{
	static char *argv[3];

	argv[0] = (char *)testlib_sohoa();
	argv[1] = "worker";
	argv[2] = NULL;
	if (access(argv[0], X_OK) != 0)
		fail_msg("%s is not built (set SOHOA)", argv[0]);
	return argv;
}

int64_t
testlib_store(struct index *ix, json_t *doc, const char *text)
{
	struct document d;
	char err[ERRMAX];
	int64_t id;

	if (document_from_json(doc, &d, err) != 0)
		fail_msg("document_from_json: %s", err);
	json_decref(doc);
	assert_int_equal(index_begin(ix), 0);
	if (store_insert(ix, &d, text, err) != 0)
		fail_msg("store_insert: %s", err);
	assert_int_equal(index_commit(ix), 0);
	id = d.id;
	document_free(&d);
	return id;
}

void
testlib_conf(const char *dir, const char *text, struct conf *c)
{
	char *path = testlib_write(dir, "sohoa.conf", text), err[ERRMAX];

	if (conf_load(path, c, err) == -1)
		fail_msg("conf_load: %s", err);
	free(path);
}

PIX *
testlib_strip(void)
{
	char *page = testlib_fixture("good/building-permit.grey.png");
	PIX *pix, *strip;
	BOX *box;

	if ((pix = pixRead(page)) == NULL)
		fail_msg("cannot read %s", page);
	box = boxCreate(40, 60, 700, 140);
	strip = pixClipRectangle(pix, box, NULL);
	assert_non_null(strip);
	pixDestroy(&pix);
	boxDestroy(&box);
	free(page);
	return strip;
}

char *
testlib_strip_png(const char *dir)
{
	char *path = xasprintf("%s/strip.png", dir);
	PIX *strip = testlib_strip();

	assert_int_equal(pixWrite(path, strip, IFF_PNG), 0);
	pixDestroy(&strip);
	return path;
}
