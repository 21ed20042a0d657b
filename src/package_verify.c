/*
 * package_verify.c: every member of a package re-hashed against the
 * manifests (package_verify_*), for `sohoa verify`: each problem named in
 * a plain sentence (a member missing, extra, changed or listed twice, a
 * manifest line that cannot be understood, a Payload-Oxum that does not
 * add up), in one pass over the package through package_read.c's walk.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <archive.h>
#include <archive_entry.h>

#include "sohoa.h"
#include "package_int.h"

/* One member seen by package_verify: its name and hash, never its bytes. */
struct package_seen {
	char		*rel;		/* path inside the bag */
	char		 hex[65];	/* empty when it could not be hashed */
	uint64_t	 size;
	int		 listed;	/* PACKAGE_IN_MANIFEST |
					   PACKAGE_IN_TAGMANIFEST */
};
#define PACKAGE_IN_MANIFEST	1
#define PACKAGE_IN_TAGMANIFEST	2

/* The state of one package_verify run. */
struct package_check {
	void	(*report)(const char *, const char *, void *);
	void	 *arg;
	int	  problems;
	struct package_seen *seen;
	size_t	  nseen;
};

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

	while ((r = package_read_manifest_next(m, &pos, &lineno, hex,
	    &path)) != 0) {
		if (r == -1) {
			package_verify_problem(c, mname, "line %zu of %s "
			    "cannot be understood", lineno, mname);
			continue;
		}
		if (flag == PACKAGE_IN_MANIFEST &&
		    strncmp(path, "data/", 5) != 0)
			package_verify_problem(c, mname, "%s lists %s, which "
			    "is not under data/", mname, path);
		else if ((s = package_verify_find_seen(c, path)) == NULL)
			package_verify_problem(c, path, "%s is listed in %s "
			    "but missing from the package", path, mname);
		else {
			s->listed |= flag;
			if (strcmp(s->hex, hex) != 0)
				package_verify_problem(c, path, "%s does not "
				    "match its checksum in %s", path, what);
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
		package_verify_problem(c, "bag-info.txt", "bag-info.txt gives "
		    "a payload of %llu bytes in %llu files but the package "
		    "holds %llu bytes in %llu files", octets, count,
		    have_octets, have_count);
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
		package_verify_problem(c, "bagit.txt", "the package has no "
		    "bagit.txt");
	if (manifest->data == NULL)
		package_verify_problem(c, PACKAGE_MANIFEST, "the package has "
		    "no " PACKAGE_MANIFEST);
	else
		package_verify_manifest(c, PACKAGE_MANIFEST, manifest,
		    PACKAGE_IN_MANIFEST);
	if (tagmanifest->data == NULL)
		package_verify_problem(c, PACKAGE_TAGMANIFEST, "the package "
		    "has no " PACKAGE_TAGMANIFEST);
	else
		package_verify_manifest(c, PACKAGE_TAGMANIFEST, tagmanifest,
		    PACKAGE_IN_TAGMANIFEST);
	for (i = 0; i < c->nseen; i++) {
		s = &c->seen[i];
		if (strncmp(s->rel, "data/", 5) == 0) {
			if (manifest->data != NULL &&
			    !(s->listed & PACKAGE_IN_MANIFEST))
				package_verify_problem(c, s->rel, "%s is not "
				    "listed in the manifest", s->rel);
		} else if (strncmp(s->rel, "tagmanifest-", 12) != 0) {
			if (tagmanifest->data != NULL &&
			    !(s->listed & PACKAGE_IN_TAGMANIFEST))
				package_verify_problem(c, s->rel, "%s is not "
				    "listed in " PACKAGE_TAGMANIFEST, s->rel);
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
		if ((rel = package_read_in_bag(path,
		    archive_entry_filetype(e) == AE_IFDIR, &bag)) == NULL) {
			package_verify_problem(&c, path, "%s lies outside the "
			    "bag folder%s%s", path, bag != NULL ? " " : "",
			    bag != NULL ? bag : "");
			continue;
		}
		if (archive_entry_filetype(e) == AE_IFDIR || *rel == '\0')
			continue;
		if (archive_entry_filetype(e) != AE_IFREG) {
			package_verify_problem(&c, rel, "%s is not a regular "
			    "file", rel);
			continue;
		}
		if (package_verify_find_seen(&c, rel) != NULL) {
			package_verify_problem(&c, rel, "%s appears more than "
			    "once in the package", rel);
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
		if ((r = package_read_hash_member(a, keep, -1, s->hex,
		    &s->size)) == -1) {
			snprintf(err, sizeof err, "the package cannot be read: "
			    "%s", package_errstr(a));
			goto out_archive;
		}
		if (r == 1) {
			s->hex[0] = '\0';
			buf_free(keep);
			package_verify_problem(&c, rel, "%s is too large for a "
			    "tag file (over %d bytes)", rel, PACKAGE_TAGMAX);
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
