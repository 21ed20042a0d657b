/*
 * package.c: one package per document, a BagIt bag (RFC 8493) inside a
 * plain POSIX tar written with libarchive, so that tar, bsdtar and the
 * librarians' BagIt tools open it with no sohoa installed:
 *
 *	<bag>/data/<item>		the original scan, the PDF, the text...
 *	<bag>/bagit.txt
 *	<bag>/bag-info.txt		Bagging-Date, Payload-Oxum, agent
 *	<bag>/manifest-sha256.txt	"<hex>  data/<item>" per item
 *	<bag>/tagmanifest-sha256.txt	the three tag files above
 *
 * The payload comes first so that every checksum is known by the time the
 * manifests are written, in one pass, with the package itself hashed on its
 * way to the disk.  A package is written once, durably (temporary name,
 * fsync, rename, fsync of the folder), and never modified.
 *
 * Reading one member back is package_read.c's, verifying every member
 * package_verify.c's; what the three share is in package_int.h.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>

#include "sohoa.h"
#include "package_int.h"

/* Where the tar goes while it is written: the temporary file and its hash. */
struct package_sink {
	int		 fd;
	struct util_sha256 *md;
};

void
package_utf8_enter(struct package_utf8 *u)
{
	u->old = (locale_t)0;
	if ((u->loc = newlocale(LC_CTYPE_MASK, "C.UTF-8", (locale_t)0)) ==
	    (locale_t)0)
		u->loc = newlocale(LC_CTYPE_MASK, "en_US.UTF-8", (locale_t)0);
	if (u->loc != (locale_t)0)
		u->old = uselocale(u->loc);
}

void
package_utf8_leave(struct package_utf8 *u)
{
	if (u->loc != (locale_t)0) {
		uselocale(u->old);
		freelocale(u->loc);
		u->loc = (locale_t)0;
	}
}

const char *
package_errstr(struct archive *a)
{
	const char *s = archive_error_string(a);

	return s != NULL ? s : "unknown error";
}

/*
 * Returns NULL when name may be used, or why it may not.  A name is a
 * relative UTF-8 path of non-empty components with no "..", no control
 * characters and no backslash; with onecomponent, it may hold no "/".
 * Without a UTF-8 locale (utf8ok is 0) it must be ASCII.
 */
static int
package_ascii(const char *name)
{
	while (*name != '\0' && (unsigned char)*name < 0x80)
		name++;
	return *name == '\0';
}

const char *
package_bad_name(const char *name, int onecomponent, int utf8ok)
{
	const unsigned char *s;
	const char *why = NULL;

	if (name == NULL || *name == '\0')
		why = "it is empty";
	else if (name[0] == '/')
		why = "it starts with /";
	else if (strstr(name, "..") != NULL)
		why = "it contains \"..\"";
	else if (strcmp(name, ".") == 0 || strncmp(name, "./", 2) == 0 ||
	    strstr(name, "/./") != NULL ||
	    (strlen(name) >= 2 && strcmp(name + strlen(name) - 2, "/.") == 0))
		why = "it contains a \".\" folder";
	else if (!vntext_utf8_valid(name, strlen(name)))
		why = "it is not valid UTF-8";
	else if (!utf8ok && !package_ascii(name))
		why = "it is not ASCII and this system has no UTF-8 locale";
	for (s = (const unsigned char *)name; why == NULL && *s != '\0'; s++) {
		if (*s < 0x20 || *s == 0x7f)
			why = "it contains a control character";
		else if (*s == '\\')
			why = "it contains a backslash";
		else if (*s == '/' && onecomponent)
			why = "it contains a /";
		else if (*s == '/' && (s[1] == '/' || s[1] == '\0'))
			why = "it has an empty folder name";
	}
	return why;
}

/* A manifest line, with the path percent-encoded as RFC 8493 asks. */
static void
package_manifest_line(struct buf *m, const char *hex, const char *path)
{
	const char *s;

	buf_printf(m, "%s  ", hex);
	for (s = path; *s != '\0'; s++) {
		if (*s == '%')
			buf_append(m, "%25", 3);
		else
			buf_append(m, s, 1);
	}
	buf_append(m, "\n", 1);
}

static la_ssize_t
package_sink_write(struct archive *a, void *arg, const void *data, size_t len)
{
	struct package_sink *sink = arg;
	const char *p = data;
	size_t left = len;
	ssize_t n;
	la_ssize_t rc = (la_ssize_t)len;

	while (left > 0) {
		n = write(sink->fd, p, left);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			archive_set_error(a, errno, "%s", strerror(errno));
			rc = -1;
			break;
		}
		p += n;
		left -= (size_t)n;
	}
	if (rc != -1)
		util_sha256_add(sink->md, data, len);
	return rc;
}

static int
package_put_header(struct archive *a, const char *member, unsigned int type,
    int64_t size, time_t now, char *err)
{
	struct archive_entry *e;
	int rc = 0;

	if ((e = archive_entry_new()) == NULL)
		fatal("out of memory");
	archive_entry_set_pathname_utf8(e, member);
	archive_entry_set_filetype(e, type);
	/* Extracted with tar, a member is for its owner and group only, as
	 * the package is. */
	archive_entry_set_perm(e, type == AE_IFDIR ? UTIL_PRIVATE_DIR :
	    UTIL_PRIVATE_FILE);
	archive_entry_set_size(e, type == AE_IFDIR ? 0 : size);
	archive_entry_set_mtime(e, now, 0);
	archive_entry_set_uid(e, 0);
	archive_entry_set_gid(e, 0);
	if (archive_write_header(a, e) != ARCHIVE_OK) {
		snprintf(err, ERRMAX, "cannot write %s into the package: %s",
		    member, package_errstr(a));
		rc = -1;
	}
	archive_entry_free(e);
	return rc;
}

static int
package_put_data(struct archive *a, const char *member, const void *data,
    size_t len, char *err)
{
	la_ssize_t n;
	int rc = 0;

	if (len > 0 && ((n = archive_write_data(a, data, len)) < 0 ||
	    (size_t)n != len)) {
		snprintf(err, ERRMAX, "cannot write %s into the package: %s",
		    member, package_errstr(a));
		rc = -1;
	}
	return rc;
}

/* Writes a member from memory; hex gets its SHA-256. */
static int
package_put_mem(struct archive *a, const char *member, const void *data,
    size_t len, time_t now, char hex[65], char *err)
{
	int rc = -1;

	if (package_put_header(a, member, AE_IFREG, (int64_t)len, now,
	    err) == -1)
		goto out;
	if (package_put_data(a, member, data, len, err) == -1)
		goto out;
	util_sha256(data != NULL ? data : "", len, hex);
	rc = 0;
out:
	return rc;
}

/* Copies the regular file at path into the package, streaming. */
static int
package_put_file(struct archive *a, const char *member, const char *path,
    time_t now, char hex[65], uint64_t *size, char *err)
{
	char chunk[PACKAGE_CHUNK];
	struct util_sha256 *md = NULL;
	struct stat st;
	uint64_t done = 0, want;
	ssize_t n;
	int fd, rc = -1;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY)) == -1) {
		snprintf(err, ERRMAX, "cannot open %s: %s", path,
		    strerror(errno));
		goto out;
	}
	if (fstat(fd, &st) == -1) {
		snprintf(err, ERRMAX, "cannot read %s: %s", path,
		    strerror(errno));
		goto out_close;
	}
	if (!S_ISREG(st.st_mode)) {
		snprintf(err, ERRMAX, "%s is not a regular file", path);
		goto out_close;
	}
	if (package_put_header(a, member, AE_IFREG, (int64_t)st.st_size, now,
	    err) == -1)
		goto out_close;
	md = util_sha256_new();
	for (;;) {
		want = (uint64_t)st.st_size - done;
		if (want > sizeof chunk)
			want = sizeof chunk;
		/* Past the size in the header, read one byte: there must be none. */
		n = read(fd, chunk, want > 0 ? (size_t)want : 1);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			snprintf(err, ERRMAX, "cannot read %s: %s", path,
			    strerror(errno));
			goto out_md;
		}
		if (want == 0 && n > 0) {
			snprintf(err, ERRMAX, "%s grew while it was being "
			    "archived", path);
			goto out_md;
		}
		if (n == 0 && want > 0) {
			snprintf(err, ERRMAX, "%s shrank while it was being "
			    "archived", path);
			goto out_md;
		}
		if (n == 0)
			break;
		util_sha256_add(md, chunk, (size_t)n);
		if (package_put_data(a, member, chunk, (size_t)n, err) == -1)
			goto out_md;
		done += (uint64_t)n;
	}
	util_sha256_end(md, hex);
	md = NULL;
	*size = done;
	rc = 0;
out_md:
	util_sha256_free(md);
out_close:
	close(fd);
out:
	return rc;
}

/* Checks the arguments of package_write before anything is created. */
static int
package_check_items(const char *bag, const struct package_item *items,
    size_t nitems, int utf8ok, char *err)
{
	const char *why;
	size_t i, j;
	int rc = -1;

	if ((why = package_bad_name(bag, 1, utf8ok)) != NULL) {
		snprintf(err, ERRMAX, "the bag name \"%s\" is not allowed: %s",
		    bag != NULL ? bag : "", why);
		goto out;
	}
	for (i = 0; i < nitems; i++) {
		if ((why = package_bad_name(items[i].name, 0, utf8ok)) != NULL) {
			snprintf(err, ERRMAX, "the item name \"%s\" is not "
			    "allowed: %s", items[i].name != NULL ?
			    items[i].name : "", why);
			goto out;
		}
		if (items[i].path == NULL && items[i].data == NULL &&
		    items[i].len > 0) {
			snprintf(err, ERRMAX, "the item \"%s\" has neither a "
			    "file nor bytes", items[i].name);
			goto out;
		}
		for (j = 0; j < i; j++) {
			if (strcmp(items[i].name, items[j].name) == 0) {
				snprintf(err, ERRMAX, "the item name \"%s\" "
				    "appears twice", items[i].name);
				goto out;
			}
		}
	}
	rc = 0;
out:
	return rc;
}

/* Writes the payload and the tag files through an open libarchive writer. */
static int
package_put_bag(struct archive *a, const char *bag,
    const struct package_item *items, size_t nitems, time_t now, char *err)
{
	struct buf manifest, tagmanifest, info;
	char hex[65], date[16], *member = NULL;
	static const char bagit[] =
	    "BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n";
	uint64_t octets = 0, size;
	struct tm tm;
	size_t i;
	int rc = -1;

	buf_init(&manifest, SIZE_MAX);
	buf_init(&tagmanifest, SIZE_MAX);
	buf_init(&info, SIZE_MAX);

	member = xasprintf("%s/", bag);
	if (package_put_header(a, member, AE_IFDIR, 0, now, err) == -1)
		goto out;
	free(member);
	member = xasprintf("%s/data/", bag);
	if (package_put_header(a, member, AE_IFDIR, 0, now, err) == -1)
		goto out;

	for (i = 0; i < nitems; i++) {
		free(member);
		member = xasprintf("%s/data/%s", bag, items[i].name);
		if (items[i].path != NULL) {
			if (package_put_file(a, member, items[i].path, now, hex,
			    &size, err) == -1)
				goto out;
		} else {
			if (package_put_mem(a, member, items[i].data,
			    items[i].len, now, hex, err) == -1)
				goto out;
			size = items[i].len;
		}
		octets += size;
		free(member);
		member = xasprintf("data/%s", items[i].name);
		package_manifest_line(&manifest, hex, member);
	}

	localtime_r(&now, &tm);
	strftime(date, sizeof date, "%Y-%m-%d", &tm);
	buf_printf(&info, "Bagging-Date: %s\nPayload-Oxum: %llu.%zu\n"
	    "Bag-Software-Agent: sohoa %s\n", date, (unsigned long long)octets,
	    nitems, SOHOA_VERSION);

	free(member);
	member = xasprintf("%s/bagit.txt", bag);
	if (package_put_mem(a, member, bagit, sizeof bagit - 1, now, hex,
	    err) == -1)
		goto out;
	package_manifest_line(&tagmanifest, hex, "bagit.txt");
	free(member);
	member = xasprintf("%s/bag-info.txt", bag);
	if (package_put_mem(a, member, info.data, info.len, now, hex,
	    err) == -1)
		goto out;
	package_manifest_line(&tagmanifest, hex, "bag-info.txt");
	free(member);
	member = xasprintf("%s/" PACKAGE_MANIFEST, bag);
	if (package_put_mem(a, member, manifest.data, manifest.len, now, hex,
	    err) == -1)
		goto out;
	package_manifest_line(&tagmanifest, hex, PACKAGE_MANIFEST);
	free(member);
	member = xasprintf("%s/" PACKAGE_TAGMANIFEST, bag);
	if (package_put_mem(a, member, tagmanifest.data, tagmanifest.len, now,
	    hex, err) == -1)
		goto out;
	rc = 0;
out:
	free(member);
	buf_free(&info);
	buf_free(&tagmanifest);
	buf_free(&manifest);
	return rc;
}

/*
 * Creates the folder dir and whatever is missing above it, durably: each
 * folder made is an entry in its parent, and the parents are flushed.
 */
static int
package_make_folder(const char *dir, char *err)
{
	struct stat st;
	char *p = xstrdup(dir), *slash;
	size_t existing;
	int rc = -1;

	/* The longest part of dir that exists already. */
	while (stat(p, &st) == -1 && (slash = strrchr(p, '/')) != NULL &&
	    slash != p)
		*slash = '\0';
	existing = stat(p, &st) == 0 ? strlen(p) : 0;
	if (util_mkdirs(dir, UTIL_PRIVATE_DIR) == -1) {
		snprintf(err, ERRMAX, "cannot create the folder %s: %s", dir,
		    strerror(errno));
		goto out;
	}
	memcpy(p, dir, strlen(dir) + 1);	/* p is as long as dir */
	while (strlen(p) > existing) {
		if (util_fsync_dir_of(p) == -1) {
			snprintf(err, ERRMAX, "cannot flush the folder above "
			    "%s: %s", p, strerror(errno));
			goto out;
		}
		if ((slash = strrchr(p, '/')) == NULL || slash == p)
			break;
		*slash = '\0';
	}
	rc = 0;
out:
	free(p);
	return rc;
}

int
package_write(const char *dest, const char *bag,
    const struct package_item *items, size_t nitems, char pkg_sha256[65],
    char *err)
{
	struct package_sink sink = { -1, NULL };
	struct util_durable out = { -1, NULL, NULL };
	struct package_utf8 u;
	struct archive *a = NULL;
	const char *slash;
	char *dir = NULL, hex[65];
	time_t now = time(NULL);
	int rc = -1;

	package_utf8_enter(&u);
	if (package_check_items(bag, items, nitems, u.loc != (locale_t)0,
	    err) == -1)
		goto out;
	if (dest == NULL || *dest == '\0' || dest[strlen(dest) - 1] == '/') {
		snprintf(err, ERRMAX, "the package needs a file name");
		goto out;
	}
	if ((slash = strrchr(dest, '/')) == NULL)
		dir = xstrdup(".");
	else if (slash == dest)
		dir = xstrdup("/");
	else
		dir = xasprintf("%.*s", (int)(slash - dest), dest);
	if (package_make_folder(dir, err) == -1)
		goto out;
	/* The package's members hold citizens' scans: for the staff group
	 * (clerks read packages through it), never for other users. */
	if (util_durable_open(&out, dest, UTIL_PRIVATE_FILE, err) == -1)
		goto out;
	sink.fd = out.fd;
	sink.md = util_sha256_new();

	if ((a = archive_write_new()) == NULL)
		fatal("out of memory");
	if (archive_write_set_format_pax_restricted(a) != ARCHIVE_OK ||
	    archive_write_add_filter_none(a) != ARCHIVE_OK ||
	    archive_write_open2(a, &sink, NULL, package_sink_write, NULL,
	    NULL) != ARCHIVE_OK) {
		snprintf(err, ERRMAX, "cannot start the package %s: %s", out.tmp,
		    package_errstr(a));
		goto out_archive;
	}
	if (package_put_bag(a, bag, items, nitems, now, err) == -1)
		goto out_archive;
	if (archive_write_close(a) != ARCHIVE_OK) {
		snprintf(err, ERRMAX, "cannot finish the package %s: %s",
		    out.tmp,
		    package_errstr(a));
		goto out_archive;
	}
	archive_write_free(a);
	a = NULL;

	sink.fd = -1;
	if (util_durable_commit(&out, err) == -1)
		goto out_tmp;
	util_sha256_end(sink.md, hex);
	sink.md = NULL;
	memcpy(pkg_sha256, hex, sizeof hex);
	rc = 0;
out_archive:
	if (a != NULL) {
		/*
		 * Fatal first, so that close neither pads the member cut
		 * short nor counts it; close then frees the output buffer,
		 * which free alone does not do on a fatal writer.
		 */
		archive_write_fail(a);
		archive_write_close(a);
		archive_write_free(a);
	}
out_tmp:
	if (rc == -1)
		util_durable_abort(&out);
	util_sha256_free(sink.md);
out:
	package_utf8_leave(&u);
	free(dir);
	return rc;
}
