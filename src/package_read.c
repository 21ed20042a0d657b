/*
 * package_read.c: one member taken out of a package (package_read_*),
 * checked against the payload manifest, and the walk over a package's
 * members that package_verify.c makes too: the package opened with
 * libarchive, each member placed inside its bag, streamed through
 * SHA-256, and the manifests' lines parsed.
 *
 * Reading and verifying accept the members in any order and any format
 * libarchive reads.  They stream every member through SHA-256 and hold in
 * memory only the manifests and the one member asked for.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>

#include "sohoa.h"
#include "package_int.h"

struct archive *
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

const char *
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
const char *
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

/* All of data to fd: 0, or -1 with errno. */
static int
package_read_write_all(int fd, const char *data, size_t len)
{
	ssize_t w;

	while (len > 0) {
		if ((w = write(fd, data, len)) == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		data += w;
		len -= (size_t)w;
	}
	return 0;
}

/*
 * Streams the current member through SHA-256 into hex and *size, keeping
 * its bytes in keep when keep is not NULL, or writing them to fd when fd
 * is not -1.  Returns 0, 1 when keep overflowed (hashing stops there), 2
 * when fd could not be written (errno says why), or -1 on a read error.
 */
int
package_read_hash_member(struct archive *a, struct buf *keep, int fd,
    char hex[65], uint64_t *size)
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
		if (fd != -1 && package_read_write_all(fd, chunk,
		    (size_t)n) == -1) {
			rc = 2;
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
int
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
		for (i = 0; i < 64 && i < len &&
		    package_read_unhex(line[i]) != -1; i++)
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
				out[o++] = (char)(package_read_unhex(p[1]) *
				    16 + package_read_unhex(p[2]));
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

/* package_read, the member's bytes into out, or to fd when fd is not -1
 * (out then stays empty). */
static int
package_read_into(const char *pkg, const char *name, size_t max,
    struct buf *out, int fd, char *err)
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
			if ((r = package_read_hash_member(a, fd == -1 ? out :
			    NULL, fd, hex, &size)) == 1)
				snprintf(err, ERRMAX, "%s is too large (over %zu "
				    "bytes)", want, max);
			else if (r == 2)
				snprintf(err, ERRMAX, "cannot write the copy of "
				    "%s: %s", want, strerror(errno));
			found = 1;
		} else if (strcmp(rel, PACKAGE_MANIFEST) == 0) {
			if (manifest.data != NULL) {
				snprintf(err, ERRMAX, PACKAGE_MANIFEST " appears "
				    "more than once in the package");
				goto out_archive;
			}
			if ((r = package_read_hash_member(a, &manifest, -1,
			    mhex, &size)) == 1)
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
	while (!listed && (r = package_read_manifest_next(&manifest, &pos,
	    &lineno, sum, &path)) != 0) {
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

int
package_read(const char *pkg, const char *name, size_t max, struct buf *out,
    char *err)
{
	return package_read_into(pkg, name, max, out, -1, err);
}

/*
 * What `sohoa get` and sohoa-web hand out: what is "original" (the scan as
 * it came, whatever its format), "pdf" or "text".  *member names the file
 * found in the package.
 */
static int
package_take_into(const char *pkg, const char *what, size_t max,
    struct buf *out, int fd, const char **member, char *err)
{
	static const char *const originals[] = { "original.tif",
	    "original.png", "original.jpg", "original.pdf", NULL };
	static const char *const pdf[] = { "document.pdf", NULL };
	static const char *const text[] = { "text.txt", NULL };
	const char *const *try;
	int rc = -1;

	if (strcmp(what, "original") == 0)
		try = originals;
	else if (strcmp(what, "pdf") == 0)
		try = pdf;
	else if (strcmp(what, "text") == 0)
		try = text;
	else {
		snprintf(err, ERRMAX, "'%s' is not a part of a package: original, "
		    "pdf or text", what);
		return -1;
	}
	for (; *try != NULL && rc == -1; try++) {
		err[0] = '\0';
		rc = package_read_into(pkg, *try, max, out, fd, err);
		if (rc == 0)
			*member = *try;
		else if (strstr(err, "is not in the package") == NULL)
			break;	/* a real failure, not a missing member */
	}
	return rc;
}

int
package_take(const char *pkg, const char *what, size_t max, struct buf *out,
    const char **member, char *err)
{
	return package_take_into(pkg, what, max, out, -1, member, err);
}

int
package_take_fd(const char *pkg, const char *what, size_t max, int fd,
    const char **member, char *err)
{
	struct buf none;

	buf_init(&none, 0);
	return package_take_into(pkg, what, max, &none, fd, member, err);
}
