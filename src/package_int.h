/*
 * package_int.h: what package.c, package_read.c and package_verify.c
 * share and no other file needs: the manifests' names, how much is read
 * at once, the UTF-8 locale libarchive runs under, the rule for names in
 * a bag, and the walk over a package's members that reading and
 * verifying both make.
 */

#ifndef PACKAGE_INT_H
#define PACKAGE_INT_H

#include <locale.h>
#include <stdint.h>

struct archive;
struct archive_entry;

#define PACKAGE_CHUNK	65536
#define PACKAGE_TAGMAX	(16 * 1024 * 1024)	/* largest tag file we load */

#define PACKAGE_MANIFEST	"manifest-sha256.txt"
#define PACKAGE_TAGMANIFEST	"tagmanifest-sha256.txt"

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

/* package.c */
void	 package_utf8_enter(struct package_utf8 *u);
void	 package_utf8_leave(struct package_utf8 *u);
const char *package_errstr(struct archive *a);
const char *package_bad_name(const char *name, int onecomponent, int utf8ok);

/* package_read.c */
struct archive *package_read_open(const char *pkg, char *err);
const char *package_read_member_path(struct archive_entry *e);
const char *package_read_in_bag(const char *path, int isdir, char **bag);
int	 package_read_hash_member(struct archive *a, struct buf *keep,
    int fd, char hex[65], uint64_t *size);
int	 package_read_manifest_next(const struct buf *m, size_t *pos,
    size_t *lineno, char hex[65], char **path);

#endif /* PACKAGE_INT_H */
