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
 * Reading and verifying accept the members in any order and any format
 * libarchive reads.  They stream every member through SHA-256 and hold in
 * memory only the manifests and the one member asked for.
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

#define PACKAGE_CHUNK	65536
#define PACKAGE_TAGMAX	(16 * 1024 * 1024)	/* largest tag file we load */

#define PACKAGE_MANIFEST	"manifest-sha256.txt"
#define PACKAGE_TAGMANIFEST	"tagmanifest-sha256.txt"

/* Where the tar goes while it is written: the temporary file and its hash. */
struct package_sink {
	int		 fd;
	struct util_sha256 *md;
};

/* One member seen by package_verify: its name and hash, never its bytes. */
struct package_seen {
	char		*rel;		/* path inside the bag */
	char		 hex[65];	/* empty when it could not be hashed */
	uint64_t	 size;
	int		 listed;	/* PACKAGE_IN_MANIFEST | PACKAGE_IN_TAGMANIFEST */
};
#define PACKAGE_IN_MANIFEST	1
#define PACKAGE_IN_TAGMANIFEST	2

/*
 * libarchive converts names through the character set of the locale, and
 * in the C locale it cannot carry a UTF-8 name (3.6 even crashes on one).
 * Names in a package are UTF-8, so libarchive runs under C.UTF-8 in this
 * thread only (uselocale); the process locale is left alone.
 */
struct package_utf8 {
	locale_t	 loc;		/* (locale_t)0 when there is none */
	locale_t	 old;
};

/* The state of one package_verify run. */
struct package_check {
	void	(*report)(const char *, const char *, void *);
	void	 *arg;
	int	  problems;
	struct package_seen *seen;
	size_t	  nseen;
};

static void
package_utf8_enter(struct package_utf8 *u)
{
	u->old = (locale_t)0;
	if ((u->loc = newlocale(LC_CTYPE_MASK, "C.UTF-8", (locale_t)0)) ==
	    (locale_t)0)
		u->loc = newlocale(LC_CTYPE_MASK, "en_US.UTF-8", (locale_t)0);
	if (u->loc != (locale_t)0)
		u->old = uselocale(u->loc);
}

static void
package_utf8_leave(struct package_utf8 *u)
{
	if (u->loc != (locale_t)0) {
		uselocale(u->old);
		freelocale(u->loc);
		u->loc = (locale_t)0;
	}
}

static const char *
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

static const char *
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

static struct archive *
package_read_open(const char *pkg, char *err)
{
	struct archive *a;

	if ((a = archive_read_new()) == NULL)
		fatal("out of memory");
	archive_read_support_filter_all(a);
	archive_read_support_format_all(a);
	if (archive_read_open_filename(a, pkg, PACKAGE_CHUNK) != ARCHIVE_OK) {
		snprintf(err, ERRMAX, "the package cannot be read: %s",
		    package_errstr(a));
		archive_read_free(a);
		a = NULL;
	}
	return a;
}

static const char *
package_read_member_path(struct archive_entry *e)
{
	const char *p;

	if ((p = archive_entry_pathname_utf8(e)) == NULL)
		p = archive_entry_pathname(e);
	return p != NULL ? p : "";
}

/*
 * The path of a member inside its bag ("data/x", "bagit.txt", "" for the
 * bag folder itself), or NULL when the member lies outside the bag.  The
 * bag is the top folder of the first member; *bag is set from it.
 */
static const char *
package_read_in_bag(const char *path, int isdir, char **bag)
{
	const char *slash, *rel;
	size_t toplen;

	while (strncmp(path, "./", 2) == 0)
		path += 2;
	if (*path == '\0' || strcmp(path, ".") == 0)
		rel = "";
	else {
		if ((slash = strchr(path, '/')) != NULL) {
			toplen = (size_t)(slash - path);
			rel = slash + 1;
		} else {
			toplen = strlen(path);
			rel = isdir ? "" : NULL;
		}
		if (rel != NULL && *bag == NULL)
			*bag = xasprintf("%.*s", (int)toplen, path);
		if (rel != NULL && (strlen(*bag) != toplen ||
		    strncmp(*bag, path, toplen) != 0))
			rel = NULL;
	}
	return rel;
}

/*
 * Streams the current member through SHA-256 into hex and *size, keeping
 * its bytes in keep when keep is not NULL.  Returns 0, 1 when keep
 * overflowed (hashing stops there), or -1 on a read error.
 */
static int
package_read_hash_member(struct archive *a, struct buf *keep, char hex[65],
    uint64_t *size)
{
	char chunk[PACKAGE_CHUNK];
	struct util_sha256 *md = util_sha256_new();
	la_ssize_t n;
	int rc = 0;

	*size = 0;
	while ((n = archive_read_data(a, chunk, sizeof chunk)) > 0) {
		util_sha256_add(md, chunk, (size_t)n);
		*size += (uint64_t)n;
		if (keep != NULL && buf_append(keep, chunk, (size_t)n) == -1) {
			rc = 1;
			break;
		}
	}
	if (n < 0)
		rc = -1;
	if (keep != NULL && rc == 0 && keep->data == NULL)
		buf_append(keep, "", 0);
	util_sha256_end(md, hex);
	return rc;
}

static int
package_read_unhex(int c)
{
	int v = -1;

	if (c >= '0' && c <= '9')
		v = c - '0';
	else if (c >= 'a' && c <= 'f')
		v = c - 'a' + 10;
	else if (c >= 'A' && c <= 'F')
		v = c - 'A' + 10;
	return v;
}

/*
 * Parses the next line of manifest text m from *pos: "<64 hex digits>
 * <path>".  Returns 1 with hex (lower case) and *path (percent-decoded,
 * caller frees), 0 at the end, or -1 for a line that is not of this form;
 * *lineno counts lines.  Blank lines are skipped.
 */
static int
package_read_manifest_next(const struct buf *m, size_t *pos, size_t *lineno,
    char hex[65], char **path)
{
	const char *line, *end, *p;
	char *out;
	size_t len, i, o;
	int rc = 0;

	*path = NULL;
	while (rc == 0 && m->data != NULL && *pos < m->len) {
		line = m->data + *pos;
		if ((end = memchr(line, '\n', m->len - *pos)) == NULL)
			end = m->data + m->len;
		*pos = (size_t)(end - m->data) + (end < m->data + m->len);
		(*lineno)++;
		len = (size_t)(end - line);
		if (len > 0 && line[len - 1] == '\r')
			len--;
		if (len == 0)
			continue;
		rc = -1;
		for (i = 0; i < 64 && i < len && package_read_unhex(line[i]) != -1;
		    i++)
			hex[i] = (char)(line[i] >= 'A' && line[i] <= 'F' ?
			    line[i] - 'A' + 'a' : line[i]);
		hex[i] = '\0';
		if (i < 64 || i == len || (line[i] != ' ' && line[i] != '\t'))
			break;
		for (p = line + i; p < line + len && (*p == ' ' || *p == '\t');
		    p++)
			;
		if (p == line + len)
			break;
		out = xmalloc((size_t)(line + len - p) + 1);
		for (o = 0; p < line + len; p++) {
			if (*p == '%' && p + 2 < line + len &&
			    package_read_unhex(p[1]) != -1 &&
			    package_read_unhex(p[2]) != -1) {
				out[o++] = (char)(package_read_unhex(p[1]) * 16 +
				    package_read_unhex(p[2]));
				p += 2;
			} else
				out[o++] = *p;
		}
		out[o] = '\0';
		*path = out;
		rc = 1;
	}
	return rc;
}

int
package_read(const char *pkg, const char *name, size_t max, struct buf *out,
    char *err)
{
	struct package_utf8 u;
	struct archive *a = NULL;
	struct archive_entry *e;
	struct buf manifest;
	const char *rel, *why;
	char *want = NULL, *bag = NULL, *path = NULL, hex[65], sum[65] = "";
	char mhex[65];
	uint64_t size;
	size_t pos = 0, lineno = 0;
	int r, found = 0, listed = 0, rc = -1;

	buf_init(out, max);
	buf_init(&manifest, PACKAGE_TAGMAX);
	package_utf8_enter(&u);
	if ((why = package_bad_name(name, 0, 1)) != NULL) {
		snprintf(err, ERRMAX, "the item name \"%s\" is not allowed: %s",
		    name != NULL ? name : "", why);
		goto out;
	}
	want = xasprintf("data/%s", name);
	if ((a = package_read_open(pkg, err)) == NULL)
		goto out;
	while (!found || manifest.data == NULL) {
		if ((r = archive_read_next_header(a, &e)) == ARCHIVE_EOF)
			break;
		if (r < ARCHIVE_WARN) {
			snprintf(err, ERRMAX, "the package cannot be read: %s",
			    package_errstr(a));
			goto out_archive;
		}
		rel = package_read_in_bag(package_read_member_path(e),
		    archive_entry_filetype(e) == AE_IFDIR, &bag);
		if (rel == NULL)
			continue;
		if (strcmp(rel, want) == 0) {
			if (found) {
				snprintf(err, ERRMAX, "%s appears more than once "
				    "in the package", want);
				goto out_archive;
			}
			if (archive_entry_filetype(e) != AE_IFREG) {
				snprintf(err, ERRMAX, "%s is not a regular file "
				    "in the package", want);
				goto out_archive;
			}
			if (archive_entry_size_is_set(e) &&
			    (uint64_t)archive_entry_size(e) > max) {
				snprintf(err, ERRMAX, "%s is too large (%lld "
				    "bytes, the limit is %zu)", want,
				    (long long)archive_entry_size(e), max);
				goto out_archive;
			}
			if ((r = package_read_hash_member(a, out, hex, &size)) == 1)
				snprintf(err, ERRMAX, "%s is too large (over %zu "
				    "bytes)", want, max);
			found = 1;
		} else if (strcmp(rel, PACKAGE_MANIFEST) == 0) {
			if (manifest.data != NULL) {
				snprintf(err, ERRMAX, PACKAGE_MANIFEST " appears "
				    "more than once in the package");
				goto out_archive;
			}
			if ((r = package_read_hash_member(a, &manifest, mhex,
			    &size)) == 1)
				snprintf(err, ERRMAX, PACKAGE_MANIFEST " is too "
				    "large (over %d bytes)", PACKAGE_TAGMAX);
		} else
			continue;
		if (r == -1)
			snprintf(err, ERRMAX, "the package cannot be read: %s",
			    package_errstr(a));
		if (r != 0)
			goto out_archive;
	}
	if (!found) {
		snprintf(err, ERRMAX, "%s is not in the package", want);
		goto out_archive;
	}
	if (manifest.data == NULL) {
		snprintf(err, ERRMAX, "the package has no " PACKAGE_MANIFEST);
		goto out_archive;
	}
	while (!listed && (r = package_read_manifest_next(&manifest, &pos, &lineno,
	    sum, &path)) != 0) {
		if (r == 1 && strcmp(path, want) == 0)
			listed = 1;
		free(path);
	}
	if (!listed) {
		snprintf(err, ERRMAX, "%s has no entry in the manifest", want);
		goto out_archive;
	}
	if (strcmp(sum, hex) != 0) {
		snprintf(err, ERRMAX, "%s does not match its checksum in the "
		    "manifest", want);
		goto out_archive;
	}
	rc = 0;
out_archive:
	archive_read_free(a);
out:
	package_utf8_leave(&u);
	if (rc == -1)
		buf_free(out);
	buf_free(&manifest);
	free(bag);
	free(want);
	return rc;
}

static void package_verify_problem(struct package_check *, const char *,
    const char *, ...) PRINTFLIKE(3, 4);

static void
package_verify_problem(struct package_check *c, const char *member,
    const char *fmt, ...)
{
	char why[ERRMAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof why, fmt, ap);
	va_end(ap);
	if (c->report != NULL)
		c->report(member, why, c->arg);
	c->problems++;
}

static struct package_seen *
package_verify_find_seen(struct package_check *c, const char *rel)
{
	struct package_seen *s = NULL;
	size_t i;

	for (i = 0; s == NULL && i < c->nseen; i++)
		if (strcmp(c->seen[i].rel, rel) == 0)
			s = &c->seen[i];
	return s;
}

/* Checks the members against one manifest (payload or tag). */
static void
package_verify_manifest(struct package_check *c, const char *mname,
    const struct buf *m, int flag)
{
	struct package_seen *s;
	size_t pos = 0, lineno = 0;
	char hex[65], *path;
	const char *what = flag == PACKAGE_IN_MANIFEST ? "the manifest" :
	    PACKAGE_TAGMANIFEST;
	int r;

	while ((r = package_read_manifest_next(m, &pos, &lineno, hex, &path)) != 0) {
		if (r == -1) {
			package_verify_problem(c, mname, "line %zu of %s cannot be "
			    "understood", lineno, mname);
			continue;
		}
		if (flag == PACKAGE_IN_MANIFEST && strncmp(path, "data/", 5) != 0)
			package_verify_problem(c, mname, "%s lists %s, which is not "
			    "under data/", mname, path);
		else if ((s = package_verify_find_seen(c, path)) == NULL)
			package_verify_problem(c, path, "%s is listed in %s but "
			    "missing from the package", path, mname);
		else {
			s->listed |= flag;
			if (strcmp(s->hex, hex) != 0)
				package_verify_problem(c, path, "%s does not match its "
				    "checksum in %s", path, what);
		}
		free(path);
	}
}

/* Compares the Payload-Oxum of bag-info.txt with the payload found. */
static void
package_verify_oxum(struct package_check *c, const struct buf *info)
{
	unsigned long long octets, count, have_octets = 0, have_count = 0;
	const char *p;
	size_t i;

	if (info->data == NULL || (p = strstr(info->data, "Payload-Oxum:")) ==
	    NULL || (p != info->data && p[-1] != '\n'))
		return;
	for (i = 0; i < c->nseen; i++) {
		if (strncmp(c->seen[i].rel, "data/", 5) == 0) {
			have_octets += c->seen[i].size;
			have_count++;
		}
	}
	if (sscanf(p, "Payload-Oxum: %llu.%llu", &octets, &count) != 2)
		package_verify_problem(c, "bag-info.txt", "the Payload-Oxum of "
		    "bag-info.txt cannot be understood");
	else if (octets != have_octets || count != have_count)
		package_verify_problem(c, "bag-info.txt", "bag-info.txt gives a payload "
		    "of %llu bytes in %llu files but the package holds %llu "
		    "bytes in %llu files", octets, count, have_octets,
		    have_count);
}

/* After a complete pass, the checks that need every member seen. */
static void
package_verify_bag(struct package_check *c, const struct buf *bagit,
    const struct buf *info, const struct buf *manifest,
    const struct buf *tagmanifest)
{
	struct package_seen *s;
	size_t i;

	if (bagit->data == NULL)
		package_verify_problem(c, "bagit.txt", "the package has no bagit.txt");
	if (manifest->data == NULL)
		package_verify_problem(c, PACKAGE_MANIFEST, "the package has no "
		    PACKAGE_MANIFEST);
	else
		package_verify_manifest(c, PACKAGE_MANIFEST, manifest,
		    PACKAGE_IN_MANIFEST);
	if (tagmanifest->data == NULL)
		package_verify_problem(c, PACKAGE_TAGMANIFEST, "the package has no "
		    PACKAGE_TAGMANIFEST);
	else
		package_verify_manifest(c, PACKAGE_TAGMANIFEST, tagmanifest,
		    PACKAGE_IN_TAGMANIFEST);
	for (i = 0; i < c->nseen; i++) {
		s = &c->seen[i];
		if (strncmp(s->rel, "data/", 5) == 0) {
			if (manifest->data != NULL &&
			    !(s->listed & PACKAGE_IN_MANIFEST))
				package_verify_problem(c, s->rel, "%s is not listed in "
				    "the manifest", s->rel);
		} else if (strncmp(s->rel, "tagmanifest-", 12) != 0) {
			if (tagmanifest->data != NULL &&
			    !(s->listed & PACKAGE_IN_TAGMANIFEST))
				package_verify_problem(c, s->rel, "%s is not listed in "
				    PACKAGE_TAGMANIFEST, s->rel);
		}
	}
	package_verify_oxum(c, info);
}

int
package_verify(const char *pkg,
    void (*report)(const char *member, const char *why, void *arg),
    void *arg)
{
	struct package_check c = { report, arg, 0, NULL, 0 };
	struct package_utf8 u;
	struct archive *a;
	struct archive_entry *e;
	struct package_seen *s;
	struct buf bagit, info, manifest, tagmanifest, *keep;
	const char *path, *rel;
	char *bag = NULL, err[ERRMAX] = "";
	size_t nentries = 0, allocated = 0, i;
	int r, rc = -1;

	buf_init(&bagit, PACKAGE_TAGMAX);
	buf_init(&info, PACKAGE_TAGMAX);
	buf_init(&manifest, PACKAGE_TAGMAX);
	buf_init(&tagmanifest, PACKAGE_TAGMAX);
	package_utf8_enter(&u);
	if ((a = package_read_open(pkg, err)) == NULL)
		goto out;
	for (;;) {
		if ((r = archive_read_next_header(a, &e)) == ARCHIVE_EOF)
			break;
		if (r < ARCHIVE_WARN) {
			snprintf(err, sizeof err, "the package cannot be read: "
			    "%s", package_errstr(a));
			goto out_archive;
		}
		nentries++;
		path = package_read_member_path(e);
		if ((rel = package_read_in_bag(path, archive_entry_filetype(e) ==
		    AE_IFDIR, &bag)) == NULL) {
			package_verify_problem(&c, path, "%s lies outside the bag "
			    "folder%s%s", path, bag != NULL ? " " : "",
			    bag != NULL ? bag : "");
			continue;
		}
		if (archive_entry_filetype(e) == AE_IFDIR || *rel == '\0')
			continue;
		if (archive_entry_filetype(e) != AE_IFREG) {
			package_verify_problem(&c, rel, "%s is not a regular file",
			    rel);
			continue;
		}
		if (package_verify_find_seen(&c, rel) != NULL) {
			package_verify_problem(&c, rel, "%s appears more than once in "
			    "the package", rel);
			continue;
		}
		keep = NULL;
		if (strcmp(rel, "bagit.txt") == 0)
			keep = &bagit;
		else if (strcmp(rel, "bag-info.txt") == 0)
			keep = &info;
		else if (strcmp(rel, PACKAGE_MANIFEST) == 0)
			keep = &manifest;
		else if (strcmp(rel, PACKAGE_TAGMANIFEST) == 0)
			keep = &tagmanifest;
		if (c.nseen == allocated) {
			allocated = allocated ? 2 * allocated : 16;
			c.seen = xrealloc(c.seen, allocated * sizeof *c.seen);
		}
		s = &c.seen[c.nseen++];
		s->rel = xstrdup(rel);
		s->listed = 0;
		if ((r = package_read_hash_member(a, keep, s->hex, &s->size)) == -1) {
			snprintf(err, sizeof err, "the package cannot be read: "
			    "%s", package_errstr(a));
			goto out_archive;
		}
		if (r == 1) {
			s->hex[0] = '\0';
			buf_free(keep);
			package_verify_problem(&c, rel, "%s is too large for a tag file "
			    "(over %d bytes)", rel, PACKAGE_TAGMAX);
		}
	}
	if (nentries == 0) {
		snprintf(err, sizeof err, "the package cannot be read: it holds "
		    "no files");
		goto out_archive;
	}
	package_verify_bag(&c, &bagit, &info, &manifest, &tagmanifest);
	rc = c.problems;
out_archive:
	archive_read_free(a);
out:
	package_utf8_leave(&u);
	if (rc == -1 && report != NULL)
		report(NULL, err, arg);
	for (i = 0; i < c.nseen; i++)
		free(c.seen[i].rel);
	free(c.seen);
	free(bag);
	buf_free(&tagmanifest);
	buf_free(&manifest);
	buf_free(&info);
	buf_free(&bagit);
	return rc;
}
