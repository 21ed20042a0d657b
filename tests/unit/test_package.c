/*
 * test_package.c: package.c as a user sees it.  A package written from
 * bytes and from a file opens with GNU tar and bsdtar, its manifests pass
 * sha256sum -c, package_read gives back the very bytes, and every kind of
 * damage (a flipped byte in a member or in the manifest, a truncated file,
 * an extra member) is caught and named.  Bad item names are refused and
 * leave nothing behind.
 */
#include <sys/resource.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <setjmp.h>

#include <cmocka.h>

#include "sohoa.h"
#include "testlib.h"

#define SCANLEN		200000
#define PDFLEN		150000
#define PDFMARK		"<<MARK-IN-THE-MIDDLE-OF-THE-PDF>>"
#define MAXREPORTS	32

static const char text_txt[] =
    "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc\n"
    "Quyết định số 1245/QĐ-UBND\n";
static const char metadata_json[] =
    "{\"doc_type\": \"quyet_dinh\", \"doc_number\": \"1245/QĐ-UBND\"}\n";

static struct {
	char		*dir;		/* the private folder */
	char		 pkg[256];	/* the package every test reads */
	char		 src[256];	/* document.pdf, copied in from a path */
	char		 sha[65];	/* what package_write said */
	unsigned char	 scan[SCANLEN];
	char		 pdf[PDFLEN];
} F;

struct reports {
	int	 n;
	char	*member[MAXREPORTS];
	char	*why[MAXREPORTS];
};

static void
collect(const char *member, const char *why, void *arg)
{
	struct reports *r = arg;

	if (r->n < MAXREPORTS) {
		r->member[r->n] = member != NULL ? strdup(member) : NULL;
		r->why[r->n] = strdup(why);
		r->n++;
	}
}

static void
reports_free(struct reports *r)
{
	int i;

	for (i = 0; i < r->n; i++) {
		free(r->member[i]);
		free(r->why[i]);
	}
	r->n = 0;
}

/* The index of the report about member (NULL: the package), or -1. */
static int
reported(const struct reports *r, const char *member)
{
	int i, found = -1;

	for (i = 0; found == -1 && i < r->n; i++) {
		if (member == NULL && r->member[i] == NULL)
			found = i;
		else if (member != NULL && r->member[i] != NULL &&
		    strcmp(member, r->member[i]) == 0)
			found = i;
	}
	return found;
}

static int
spit(const char *path, const void *data, size_t len)
{
	FILE *f;
	int rc = -1;

	if ((f = fopen(path, "wb")) != NULL) {
		if (fwrite(data, 1, len, f) == len)
			rc = 0;
		if (fclose(f) != 0)
			rc = -1;
	}
	return rc;
}

/* A copy of the package under a new name in the temp folder. */
static char *
copy_pkg(const char *name, char **data, size_t *len)
{
	char *path = xasprintf("%s/%s", F.dir, name);

	*data = testlib_slurp(F.pkg, len);
	assert_non_null(*data);
	assert_int_equal(spit(path, *data, *len), 0);
	return path;
}

/* Runs a shell command, returns its exit status and its output. */
static int
run(char *out, size_t outlen, const char *fmt, ...)
{
	char cmd[2048];
	va_list ap;
	FILE *p;
	size_t n = 0, got;
	int st;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof cmd, fmt, ap);
	va_end(ap);
	if ((p = popen(cmd, "r")) == NULL)
		return -1;
	while (out != NULL && n + 1 < outlen &&
	    (got = fread(out + n, 1, outlen - 1 - n, p)) > 0)
		n += got;
	if (out != NULL)
		out[n] = '\0';
	else {
		char sink[4096];

		while (fread(sink, 1, sizeof sink, p) > 0)
			;
	}
	st = pclose(p);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static int
group_setup(void **state)
{
	struct package_item items[4];
	char err[ERRMAX] = "";
	size_t i;
	uint32_t x = 2463534242u;

	(void)state;
	F.dir = testlib_tmpdir("test_package");
	/* Binary, with NULs and every byte value. */
	for (i = 0; i < SCANLEN; i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		F.scan[i] = i < 4096 ? (unsigned char)(i & 0xff) :
		    (unsigned char)x;
	}
	memcpy(F.scan, "II*\0", 4);
	for (i = 0; i < PDFLEN; i++)
		F.pdf[i] = (char)('a' + i % 26);
	memcpy(F.pdf, "%PDF-1.4\n", 9);
	memcpy(F.pdf + PDFLEN / 2, PDFMARK, strlen(PDFMARK));
	snprintf(F.src, sizeof F.src, "%s/source.pdf", F.dir);
	if (spit(F.src, F.pdf, PDFLEN) == -1)
		return -1;

	/* A folder that does not exist yet. */
	snprintf(F.pkg, sizeof F.pkg, "%s/out/2026/11/doc-1.tar", F.dir);
	items[0] = (struct package_item){ "original.tif", NULL, F.scan,
	    SCANLEN };
	items[1] = (struct package_item){ "document.pdf", F.src, NULL, 0 };
	items[2] = (struct package_item){ "text.txt", NULL, text_txt,
	    strlen(text_txt) };
	items[3] = (struct package_item){ "metadata.json", NULL, metadata_json,
	    strlen(metadata_json) };
	if (package_write(F.pkg, "bag", items, 4, F.sha, err) == -1) {
		fprintf(stderr, "package_write: %s\n", err);
		return -1;
	}
	return 0;
}

static int
group_teardown(void **state)
{
	int rc = testlib_rmdir(F.dir);

	(void)state;
	free(F.dir);
	F.dir = NULL;
	return rc;
}

static void
test_write_leaves_one_file(void **state)
{
	struct stat st;
	char hex[65], err[ERRMAX], *dir;

	(void)state;
	assert_int_equal(stat(F.pkg, &st), 0);
	assert_true(S_ISREG(st.st_mode));
	/* Citizens' scans: the owner and the staff group, nobody else. */
	assert_int_equal(st.st_mode & 07777, 0640);
	assert_int_equal(st.st_size % 512, 0);
	dir = xasprintf("%s/out/2026/11", F.dir);
	assert_int_equal(testlib_count_entries(dir), 1);	/* no temp file left */
	free(dir);
	assert_int_equal(util_sha256_file(F.pkg, hex, err), 0);
	assert_string_equal(F.sha, hex);
}

static const char listing[] =
    "bag/\n"
    "bag/data/\n"
    "bag/data/original.tif\n"
    "bag/data/document.pdf\n"
    "bag/data/text.txt\n"
    "bag/data/metadata.json\n"
    "bag/bagit.txt\n"
    "bag/bag-info.txt\n"
    "bag/manifest-sha256.txt\n"
    "bag/tagmanifest-sha256.txt\n";

static void
test_tar_and_bsdtar_list(void **state)
{
	char out[4096];

	(void)state;
	assert_int_equal(run(out, sizeof out, "tar -tf '%s' 2>&1", F.pkg), 0);
	assert_string_equal(out, listing);
	assert_int_equal(run(out, sizeof out, "bsdtar -tf '%s' 2>&1", F.pkg),
	    0);
	assert_string_equal(out, listing);
}

static void
test_tar_extracts_a_valid_bag(void **state)
{
	char out[4096], *path, *data, *expect;
	size_t len;

	(void)state;
	/* GNU tar, then the BagIt manifests checked by plain sha256sum. */
	assert_int_equal(run(out, sizeof out, "mkdir -p '%s/x' && "
	    "tar -xf '%s' -C '%s/x' && cd '%s/x/bag' && "
	    "sha256sum --quiet -c manifest-sha256.txt && "
	    "sha256sum --quiet -c tagmanifest-sha256.txt 2>&1",
	    F.dir, F.pkg, F.dir, F.dir), 0);
	path = xasprintf("%s/x/bag/data/original.tif", F.dir);
	data = testlib_slurp(path, &len);
	assert_non_null(data);
	assert_int_equal(len, SCANLEN);
	assert_memory_equal(data, F.scan, SCANLEN);
	free(data);
	free(path);

	path = xasprintf("%s/x/bag/bagit.txt", F.dir);
	data = testlib_slurp(path, &len);
	assert_string_equal(data, "BagIt-Version: 1.0\n"
	    "Tag-File-Character-Encoding: UTF-8\n");
	free(data);
	free(path);

	path = xasprintf("%s/x/bag/bag-info.txt", F.dir);
	data = testlib_slurp(path, &len);
	assert_non_null(data);
	assert_non_null(strstr(data, "Bagging-Date: 2"));
	expect = xasprintf("\nPayload-Oxum: %zu.4\n", (size_t)SCANLEN + PDFLEN +
	    strlen(text_txt) + strlen(metadata_json));
	assert_non_null(strstr(data, expect));
	assert_non_null(strstr(data, "\nBag-Software-Agent: sohoa "
	    SOHOA_VERSION "\n"));
	free(expect);
	free(data);
	free(path);

	/* bsdtar too. */
	assert_int_equal(run(out, sizeof out, "mkdir -p '%s/y' && "
	    "bsdtar -xf '%s' -C '%s/y' && cmp '%s' '%s/y/bag/data/document.pdf' "
	    "2>&1", F.dir, F.pkg, F.dir, F.src, F.dir), 0);
	assert_int_equal(run(NULL, 0, "rm -rf '%s/x' '%s/y'", F.dir, F.dir), 0);
}

static void
test_read_gives_back_the_bytes(void **state)
{
	struct buf b;
	char err[ERRMAX] = "";

	(void)state;
	assert_int_equal(package_read(F.pkg, "original.tif", 1 << 20, &b, err),
	    0);
	assert_int_equal(b.len, SCANLEN);
	assert_memory_equal(b.data, F.scan, SCANLEN);
	assert_int_equal(b.data[b.len], '\0');
	buf_free(&b);

	assert_int_equal(package_read(F.pkg, "document.pdf", 1 << 20, &b, err),
	    0);
	assert_int_equal(b.len, PDFLEN);
	assert_memory_equal(b.data, F.pdf, PDFLEN);
	buf_free(&b);

	assert_int_equal(package_read(F.pkg, "text.txt", 1 << 20, &b, err), 0);
	assert_string_equal(b.data, text_txt);
	buf_free(&b);

	assert_int_equal(package_read(F.pkg, "metadata.json", 1 << 20, &b,
	    err), 0);
	assert_string_equal(b.data, metadata_json);
	buf_free(&b);
}

static void
test_read_failures_say_why(void **state)
{
	struct buf b;
	char err[ERRMAX] = "", *missing;

	(void)state;
	assert_int_equal(package_read(F.pkg, "nothing.txt", 1 << 20, &b, err),
	    -1);
	assert_string_equal(err, "data/nothing.txt is not in the package");
	assert_null(b.data);

	assert_int_equal(package_read(F.pkg, "original.tif", 1000, &b, err),
	    -1);
	assert_non_null(strstr(err, "data/original.tif is too large"));
	assert_null(b.data);

	assert_int_equal(package_read(F.pkg, "../bagit.txt", 1000, &b, err),
	    -1);
	assert_non_null(strstr(err, "not allowed"));

	missing = xasprintf("%s/no-such.tar", F.dir);
	assert_int_equal(package_read(missing, "text.txt", 1000, &b, err), -1);
	assert_non_null(strstr(err, "the package cannot be read"));
	free(missing);
}

static void
test_verify_good_package(void **state)
{
	struct reports r = { 0 };

	(void)state;
	assert_int_equal(package_verify(F.pkg, collect, &r), 0);
	assert_int_equal(r.n, 0);
}

static void
test_flipped_data_byte(void **state)
{
	struct reports r = { 0 };
	struct buf b;
	char err[ERRMAX] = "", *path, *data, *mark;
	size_t len;

	(void)state;
	path = copy_pkg("flip-data.tar", &data, &len);
	mark = memmem(data, len, PDFMARK, strlen(PDFMARK));
	assert_non_null(mark);
	mark[5] ^= 0x01;
	assert_int_equal(spit(path, data, len), 0);

	assert_int_equal(package_read(path, "document.pdf", 1 << 20, &b, err),
	    -1);
	assert_string_equal(err, "data/document.pdf does not match its "
	    "checksum in the manifest");
	assert_null(b.data);
	/* The other members are still good. */
	assert_int_equal(package_read(path, "original.tif", 1 << 20, &b, err),
	    0);
	assert_memory_equal(b.data, F.scan, SCANLEN);
	buf_free(&b);

	assert_int_equal(package_verify(path, collect, &r), 1);
	assert_int_equal(r.n, 1);
	assert_string_equal(r.member[0], "data/document.pdf");
	assert_string_equal(r.why[0], "data/document.pdf does not match its "
	    "checksum in the manifest");
	reports_free(&r);
	free(data);
	free(path);
}

static void
test_flipped_manifest_byte(void **state)
{
	static const char line[] = "  data/original.tif\n";
	struct reports r = { 0 };
	struct buf b;
	char err[ERRMAX] = "", *path, *data, *at;
	size_t len;
	int n;

	(void)state;
	path = copy_pkg("flip-manifest.tar", &data, &len);
	at = memmem(data, len, line, strlen(line));
	assert_non_null(at);
	at -= 64;			/* the first hex digit of that line */
	*at = *at == '0' ? '1' : '0';
	assert_int_equal(spit(path, data, len), 0);

	n = package_verify(path, collect, &r);
	assert_int_equal(n, 2);
	assert_int_equal(r.n, 2);
	assert_true(reported(&r, "manifest-sha256.txt") >= 0);
	assert_string_equal(r.why[reported(&r, "manifest-sha256.txt")],
	    "manifest-sha256.txt does not match its checksum in "
	    "tagmanifest-sha256.txt");
	assert_true(reported(&r, "data/original.tif") >= 0);
	reports_free(&r);

	assert_int_equal(package_read(path, "original.tif", 1 << 20, &b, err),
	    -1);
	assert_non_null(strstr(err, "data/original.tif"));
	free(data);
	free(path);
}

static void
test_truncated_package(void **state)
{
	struct reports r = { 0 };
	struct buf b;
	char err[ERRMAX] = "", *path, *data, *mark;
	size_t len;

	(void)state;
	path = copy_pkg("truncated.tar", &data, &len);
	mark = memmem(data, len, PDFMARK, strlen(PDFMARK));
	assert_non_null(mark);
	assert_int_equal(truncate(path, mark - data), 0);

	assert_int_equal(package_verify(path, collect, &r), -1);
	assert_int_equal(r.n, 1);
	assert_null(r.member[0]);
	assert_non_null(strstr(r.why[0], "the package cannot be read: "));
	reports_free(&r);
	assert_int_equal(package_read(path, "document.pdf", 1 << 20, &b, err),
	    -1);
	assert_non_null(strstr(err, "cannot be read"));

	/*
	 * Cut exactly before a member's header: tar sees a clean end, but
	 * the members lost are named.
	 */
	mark = memmem(data, len, "bag/manifest-sha256.txt", 24);
	assert_non_null(mark);
	assert_int_equal((mark - data) % 512, 0);
	assert_int_equal(spit(path, data, (size_t)(mark - data)), 0);
	assert_true(package_verify(path, collect, &r) > 0);
	assert_true(reported(&r, "manifest-sha256.txt") >= 0);
	assert_true(reported(&r, "tagmanifest-sha256.txt") >= 0);
	reports_free(&r);
	assert_int_equal(package_read(path, "text.txt", 1 << 20, &b, err), -1);
	assert_string_equal(err, "the package has no manifest-sha256.txt");

	/* Nothing left at all, and bytes that are no archive. */
	assert_int_equal(truncate(path, 0), 0);
	assert_int_equal(package_verify(path, collect, &r), -1);
	assert_int_equal(r.n, 1);
	assert_null(r.member[0]);
	reports_free(&r);
	assert_int_equal(spit(path, F.scan + 5000, 3000), 0);
	assert_int_equal(package_verify(path, collect, &r), -1);
	assert_int_equal(reported(&r, NULL), 0);
	reports_free(&r);
	assert_int_equal(package_verify(path, NULL, NULL), -1);
	free(data);
	free(path);
}

static void
test_bad_names_leave_nothing(void **state)
{
	static const char *bad[] = { "../evil.txt", "/etc/passwd",
	    "a/../b.txt", "", "sub//x.txt", "two\nlines.txt", "./x.txt",
	    "dir/", NULL };
	struct package_item items[2];
	char err[ERRMAX], sha[65] = "", *dir, *dest, *missing;
	int i;

	(void)state;
	dir = xasprintf("%s/refused", F.dir);
	dest = xasprintf("%s/doc.tar", dir);
	assert_int_equal(util_mkdirs(dir, 0755), 0);
	items[0] = (struct package_item){ "text.txt", NULL, "x", 1 };
	for (i = 0; bad[i] != NULL; i++) {
		items[1] = (struct package_item){ bad[i], NULL, "y", 1 };
		err[0] = '\0';
		assert_int_equal(package_write(dest, "bag", items, 2, sha, err),
		    -1);
		assert_non_null(strstr(err, "not allowed"));
		assert_int_equal(access(dest, F_OK), -1);
	}
	items[1] = (struct package_item){ NULL, NULL, "y", 1 };
	assert_int_equal(package_write(dest, "bag", items, 2, sha, err), -1);

	/* A bag name with a folder in it, and the same name twice. */
	assert_int_equal(package_write(dest, "a/b", items, 1, sha, err), -1);
	assert_non_null(strstr(err, "not allowed"));
	items[1] = items[0];
	assert_int_equal(package_write(dest, "bag", items, 2, sha, err), -1);
	assert_non_null(strstr(err, "twice"));

	/* A source file that is missing fails after the temp file exists. */
	missing = xasprintf("%s/no-such-scan.tif", F.dir);
	items[1] = (struct package_item){ "original.tif", missing, NULL, 0 };
	assert_int_equal(package_write(dest, "bag", items, 2, sha, err), -1);
	assert_non_null(strstr(err, missing));
	assert_int_equal(access(dest, F_OK), -1);
	assert_int_equal(testlib_count_entries(dir), 0);
	assert_string_equal(sha, "");
	free(missing);
	free(dest);
	free(dir);
}

/* A write that fails half-way (the file size limit here, a full disk in
 * life) leaves neither the package nor a temporary file. */
static void
test_failed_write_cleans_up(void **state)
{
	struct package_item items[1];
	struct rlimit old, small;
	char err[ERRMAX] = "", sha[65] = "", *dir, *dest;
	int rc;

	(void)state;
	dir = xasprintf("%s/full", F.dir);
	dest = xasprintf("%s/doc.tar", dir);
	items[0] = (struct package_item){ "original.tif", NULL, F.scan,
	    SCANLEN };
	signal(SIGXFSZ, SIG_IGN);
	assert_int_equal(getrlimit(RLIMIT_FSIZE, &old), 0);
	small = old;
	small.rlim_cur = SCANLEN / 2;
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &small), 0);
	rc = package_write(dest, "bag", items, 1, sha, err);
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &old), 0);
	signal(SIGXFSZ, SIG_DFL);
	assert_int_equal(rc, -1);
	assert_non_null(strstr(err, "cannot write"));
	assert_non_null(strstr(err, "File too large"));
	assert_int_equal(access(dest, F_OK), -1);
	assert_int_equal(testlib_count_entries(dir), 0);
	assert_string_equal(sha, "");
	free(dest);
	free(dir);
}

static void
test_extra_member_is_named(void **state)
{
	struct reports r = { 0 };
	char *path, *data;
	size_t len;

	(void)state;
	path = copy_pkg("extra.tar", &data, &len);
	assert_int_equal(run(NULL, 0, "mkdir -p '%s/e/bag/data' && "
	    "echo smuggled > '%s/e/bag/data/extra.txt' && "
	    "tar -rf '%s' -C '%s/e' bag/data/extra.txt", F.dir, F.dir, path,
	    F.dir), 0);
	assert_int_equal(package_verify(path, collect, &r), 2);
	assert_true(reported(&r, "data/extra.txt") >= 0);
	assert_string_equal(r.why[reported(&r, "data/extra.txt")],
	    "data/extra.txt is not listed in the manifest");
	assert_true(reported(&r, "bag-info.txt") >= 0);	/* Payload-Oxum */
	reports_free(&r);
	assert_int_equal(run(NULL, 0, "rm -rf '%s/e'", F.dir), 0);
	free(data);
	free(path);
}

/* Members in another order, "./" names, gzip: still read and verified. */
static void
test_other_tools_other_order(void **state)
{
	struct reports r = { 0 };
	struct buf b;
	char err[ERRMAX] = "", *tgz;

	(void)state;
	tgz = xasprintf("%s/retarred.tgz", F.dir);
	assert_int_equal(run(NULL, 0, "mkdir -p '%s/o' && tar -xf '%s' -C "
	    "'%s/o' && cd '%s/o' && tar -czf '%s' ./bag/manifest-sha256.txt "
	    "./bag/tagmanifest-sha256.txt ./bag/bagit.txt ./bag/bag-info.txt "
	    "./bag/data", F.dir, F.pkg, F.dir, F.dir, tgz), 0);
	assert_int_equal(package_read(tgz, "document.pdf", 1 << 20, &b, err),
	    0);
	assert_int_equal(b.len, PDFLEN);
	assert_memory_equal(b.data, F.pdf, PDFLEN);
	buf_free(&b);
	assert_int_equal(package_verify(tgz, collect, &r), 0);
	assert_int_equal(r.n, 0);
	assert_int_equal(run(NULL, 0, "rm -rf '%s/o'", F.dir), 0);
	free(tgz);
}

/* Vietnamese and percent signs in names, an empty item, a replaced package. */
static void
test_odd_names_round_trip(void **state)
{
	struct package_item items[3];
	struct reports r = { 0 };
	struct buf b;
	char err[ERRMAX] = "", sha[65], hex[65], *dest;

	(void)state;
	dest = xasprintf("%s/odd.tar", F.dir);
	assert_int_equal(spit(dest, "old bytes", 9), 0);
	items[0] = (struct package_item){ "biên bản họp.txt", NULL, text_txt,
	    strlen(text_txt) };
	items[1] = (struct package_item){ "100%.txt", NULL, "percent", 7 };
	items[2] = (struct package_item){ "pages/empty.txt", NULL, NULL, 0 };
	assert_int_equal(package_write(dest, "sohoa-000042", items, 3, sha,
	    err), 0);
	assert_int_equal(util_sha256_file(dest, hex, err), 0);
	assert_string_equal(sha, hex);

	assert_int_equal(package_read(dest, "biên bản họp.txt", 1 << 20, &b,
	    err), 0);
	assert_string_equal(b.data, text_txt);
	buf_free(&b);
	assert_int_equal(package_read(dest, "100%.txt", 1 << 20, &b, err), 0);
	assert_string_equal(b.data, "percent");
	buf_free(&b);
	assert_int_equal(package_read(dest, "pages/empty.txt", 1 << 20, &b,
	    err), 0);
	assert_int_equal(b.len, 0);
	assert_non_null(b.data);
	buf_free(&b);
	assert_int_equal(package_verify(dest, collect, &r), 0);
	assert_int_equal(run(NULL, 0, "bsdtar -tf '%s' | grep -q "
	    "'^sohoa-000042/data/pages/empty.txt$'", dest), 0);
	free(dest);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_write_leaves_one_file),
		cmocka_unit_test(test_tar_and_bsdtar_list),
		cmocka_unit_test(test_tar_extracts_a_valid_bag),
		cmocka_unit_test(test_read_gives_back_the_bytes),
		cmocka_unit_test(test_read_failures_say_why),
		cmocka_unit_test(test_verify_good_package),
		cmocka_unit_test(test_flipped_data_byte),
		cmocka_unit_test(test_flipped_manifest_byte),
		cmocka_unit_test(test_truncated_package),
		cmocka_unit_test(test_bad_names_leave_nothing),
		cmocka_unit_test(test_failed_write_cleans_up),
		cmocka_unit_test(test_extra_member_is_named),
		cmocka_unit_test(test_other_tools_other_order),
		cmocka_unit_test(test_odd_names_round_trip),
	};

	log_init("test_package", 0);
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
