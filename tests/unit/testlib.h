/*
 * testlib.h: what the unit tests share, so that no test file carries its
 * own copy: a private temporary folder (also as a group's set-up), the
 * paths of the fixtures, files written and read whole, a sohoa.conf, an
 * empty index and records stored in it, a quick scan to read, the worker
 * command, and assertions on text.  Each test program links testlib.o
 * (see the Makefile).  Include it after <cmocka.h> and "sohoa.h".
 */
#ifndef TESTLIB_H
#define TESTLIB_H

struct Pix;	/* leptonica's PIX */

/* Makes a private folder /tmp/NAME.XXXXXX and returns its path (caller
 * frees); fails the test when it cannot. */
char	*testlib_tmpdir(const char *name);
/* Removes dir and everything in it; 0, or -1 when something stayed. */
int	 testlib_rmdir(const char *dir);
/* Set-up and tear-down (of each test or of the group) for tests that want
 * only a private folder: its path is the test's *state, the folder named
 * for the program. */
int	 testlib_setup_tmpdir(void **state);
int	 testlib_teardown_tmpdir(void **state);
/* The path of a fixture: $FIXTURES/NAME, else tests/fixtures/NAME (the
 * tests run from the source tree).  Caller frees. */
char	*testlib_fixture(const char *name);
/* Writes text to DIR/NAME and returns the path (caller frees). */
char	*testlib_write(const char *dir, const char *name, const char *text);
/* The whole of a file, NUL-terminated, its length in *len when len is
 * not NULL; NULL when it cannot be read.  Caller frees. */
char	*testlib_slurp(const char *path, size_t *len);
/* How many entries dir holds (-1 when it cannot be read). */
int	 testlib_count_entries(const char *dir);
/* A new empty index at DIR/NAME.db; fails the test when it cannot be
 * made.  Caller index_close()s. */
struct index *testlib_index(const char *dir, const char *name);
/* Stores doc with its text (NULL for a duplicate) in a transaction of its
 * own, takes doc (json_decref) and returns the new record's id; fails the
 * test when it cannot. */
int64_t	 testlib_store(struct index *ix, json_t *doc, const char *text);
/* Writes text to DIR/sohoa.conf and loads it into *c; fails the test when
 * it does not load.  Caller conf_free()s. */
void	 testlib_conf(const char *dir, const char *text, struct conf *c);
/* The sohoa binary the system tests use ($SOHOA, else build/sohoa), for
 * tests that need worker processes.  Not to be freed. */
const char *testlib_sohoa(void);
/* The argv that runs one worker: { sohoa, "worker", NULL }; fails the test
 * when sohoa is not built.  Static, not to be freed. */
char	**testlib_worker_argv(void);
/* A strip of a good page (the header of a building permit, 700 x 140 at
 * 300 dpi): quick to OCR, with Vietnamese words on it.  Caller
 * pixDestroy()s. */
struct Pix *testlib_strip(void);
/* The same strip written as DIR/strip.png; its path (caller frees). */
char	*testlib_strip_png(const char *dir);

/* assert_contains(haystack, needle): fails with both when needle is not
 * in haystack (NULL included). */
#define assert_contains(h, n) do {					\
	const char *h_ = (h), *n_ = (n);				\
	if (h_ == NULL || strstr(h_, n_) == NULL)			\
		fail_msg("\"%s\" does not contain \"%s\"",		\
		    h_ ? h_ : "(null)", n_);				\
} while (0)
#define assert_not_contains(h, n) do {					\
	const char *h_ = (h), *n_ = (n);				\
	if (h_ != NULL && strstr(h_, n_) != NULL)			\
		fail_msg("\"%s\" contains \"%s\"", h_, n_);		\
} while (0)

#endif
