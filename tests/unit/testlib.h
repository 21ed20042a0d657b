/*
 * testlib.h: what the unit tests share, so that no test file carries its
 * own copy: a private temporary folder, the paths of the fixtures, files
 * written and read whole, an empty index, and assertions on text.  Each
 * test program links testlib.o (see the Makefile).  Include it after
 * <cmocka.h> and "sohoa.h".
 */
#ifndef TESTLIB_H
#define TESTLIB_H

/* Makes a private folder /tmp/NAME.XXXXXX and returns its path (caller
 * frees); fails the test when it cannot. */
char	*testlib_tmpdir(const char *name);
/* Removes dir and everything in it; 0, or -1 when something stayed. */
int	 testlib_rmdir(const char *dir);
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
/* The sohoa binary the system tests use ($SOHOA, else build/sohoa), for
 * tests that need worker processes.  Not to be freed. */
const char *testlib_sohoa(void);

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
