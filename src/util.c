/*
 * util.c: the small pieces every stage needs: allocation that cannot fail
 * (out of memory is fatal), growing buffers with a hard cap, the one
 * durable file write (a mkostemp name in the target's folder, fsync,
 * rename, fsync of the folder), folders and files kept from other users,
 * the one SHA-256 (OpenSSL's libcrypto), and the ID-number rule.
 */
#include <sys/stat.h>
#include <sys/statvfs.h>

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "sohoa.h"

void *
xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (p == NULL)
		fatal("out of memory");
	return p;
}

void *
xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);

	if (p == NULL)
		fatal("out of memory");
	return p;
}

void *
xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);

	if (q == NULL)
		fatal("out of memory");
	return q;
}

char *
xstrdup(const char *s)
{
	char *p = strdup(s);

	if (p == NULL)
		fatal("out of memory");
	return p;
}

char *
xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) == -1)
		fatal("out of memory");
	va_end(ap);
	return s;
}

void
buf_init(struct buf *b, size_t max)
{
	b->data = NULL;
	b->len = b->cap = 0;
	b->max = max;
}

int
buf_append(struct buf *b, const void *p, size_t n)
{
	if (n > b->max || b->len > b->max - n)
		return -1;
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 4096;

		while (cap < b->len + n + 1)
			cap *= 2;
		b->data = xrealloc(b->data, cap);
		b->cap = cap;
	}
	if (n > 0)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
	return 0;
}

int
buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	char *s;
	int n, rc;

	va_start(ap, fmt);
	n = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (n == -1)
		fatal("out of memory");
	rc = buf_append(b, s, (size_t)n);
	free(s);
	return rc;
}

void
buf_free(struct buf *b)
{
	free(b->data);
	buf_init(b, b->max);
}

int
util_read_file(const char *path, size_t max, struct buf *out, char *err)
{
	struct stat st;
	char chunk[65536];
	ssize_t n;
	int fd, rc = -1;

	buf_init(out, max);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) == -1) {
		snprintf(err, ERRMAX, "cannot open the file: %s", strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) == -1) {
		snprintf(err, ERRMAX, "cannot read the file: %s", strerror(errno));
		goto out_close;
	}
	if (!S_ISREG(st.st_mode)) {
		snprintf(err, ERRMAX, "not a regular file");
		goto out_close;
	}
	if ((uint64_t)st.st_size > max) {
		snprintf(err, ERRMAX, "the file is too large (%lld bytes, the limit "
		    "is %zu)", (long long)st.st_size, max);
		goto out_close;
	}
	for (;;) {
		n = read(fd, chunk, sizeof chunk);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			snprintf(err, ERRMAX, "cannot read the file: %s",
			    strerror(errno));
			goto out_free;
		}
		if (n == 0)
			break;
		if (buf_append(out, chunk, (size_t)n) == -1) {
			snprintf(err, ERRMAX, "the file is too large (over %zu "
			    "bytes)", max);
			goto out_free;
		}
	}
	if (out->data == NULL)
		buf_append(out, "", 0);
	rc = 0;
	goto out_close;
out_free:
	buf_free(out);
out_close:
	close(fd);
	return rc;
}

int
util_fsync_dir_of(const char *path)
{
	char *copy = xstrdup(path);
	int fd, rc = -1;

	if ((fd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC)) != -1) {
		rc = fsync(fd);
		close(fd);
	}
	free(copy);
	return rc;
}

/*
 * The one durable write.  The temporary file is made by mkostemp in the
 * target's folder (rename must not cross filesystems), with a short dot
 * name of its own, not the target's name plus a suffix: a target whose
 * name is near NAME_MAX must still be writable, the watcher and the
 * spool's recovery skip dotfiles (the recovery removes ".sohoa-" ones),
 * and mkostemp's O_EXCL means two writers never share (or truncate) one
 * temporary file.
 */
int
util_durable_open(struct util_durable *d, const char *path, mode_t mode,
    char *err)
{
	const char *slash = strrchr(path, '/');

	d->path = xstrdup(path);
	if (slash == NULL)
		d->tmp = xstrdup(UTIL_TEMP_PREFIX "XXXXXX");
	else
		d->tmp = xasprintf("%.*s" UTIL_TEMP_PREFIX "XXXXXX",
		    (int)(slash - path + 1), path);
	if ((d->fd = mkostemp(d->tmp, O_CLOEXEC)) == -1) {
		snprintf(err, ERRMAX, "cannot create a file beside %s: %s", path,
		    strerror(errno));
		goto out_free;
	}
	/* mkostemp makes the file 0600; the staff group may need to read it. */
	if (fchmod(d->fd, mode) == -1) {
		snprintf(err, ERRMAX, "cannot set the mode of %s: %s", d->tmp,
		    strerror(errno));
		util_durable_abort(d);
		return -1;
	}
	return 0;
out_free:
	free(d->tmp);
	free(d->path);
	d->tmp = d->path = NULL;
	return -1;
}

int
util_durable_write(struct util_durable *d, const void *data, size_t len,
    char *err)
{
	const char *p = data;

	while (len > 0) {
		ssize_t n = write(d->fd, p, len);

		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			snprintf(err, ERRMAX, "cannot write %s: %s", d->tmp,
			    strerror(errno));
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int
util_durable_commit(struct util_durable *d, char *err)
{
	int rc = -1;

	if (fsync(d->fd) == -1) {
		snprintf(err, ERRMAX, "cannot flush %s: %s", d->tmp,
		    strerror(errno));
		goto out_abort;
	}
	if (close(d->fd) == -1) {
		d->fd = -1;
		snprintf(err, ERRMAX, "cannot write %s: %s", d->tmp,
		    strerror(errno));
		goto out_abort;
	}
	d->fd = -1;
	if (rename(d->tmp, d->path) == -1) {
		snprintf(err, ERRMAX, "cannot rename %s to %s: %s", d->tmp,
		    d->path, strerror(errno));
		goto out_abort;
	}
	/*
	 * Renamed but not flushed, the file may vanish with a power cut, or
	 * come back after the caller moved on: taken back, so that the write
	 * is whole and durable or not there at all (a copy into the spool
	 * then stays in its inbox, a package is written again).  EINVAL is a
	 * filesystem that cannot flush a folder at all (some shares): it has
	 * done what it can.
	 */
	if (util_fsync_dir_of(d->path) == -1 && errno != EINVAL) {
		snprintf(err, ERRMAX, "cannot flush the folder of %s: %s",
		    d->path, strerror(errno));
		unlink(d->path);
	} else
		rc = 0;
	free(d->tmp);
	free(d->path);
	d->tmp = d->path = NULL;
	return rc;
out_abort:
	util_durable_abort(d);
	return -1;
}

void
util_durable_abort(struct util_durable *d)
{
	if (d->fd != -1)
		close(d->fd);
	d->fd = -1;
	if (d->tmp != NULL)
		unlink(d->tmp);
	free(d->tmp);
	free(d->path);
	d->tmp = d->path = NULL;
}

int
util_write_durable(const char *path, const void *data, size_t len, char *err)
{
	struct util_durable d;

	/* What is written this way holds personal data (a scan copied in, its
	 * text, a copy taken out, a report): never for other users. */
	if (util_durable_open(&d, path, UTIL_PRIVATE_FILE, err) == -1)
		return -1;
	if (util_durable_write(&d, data, len, err) == -1) {
		util_durable_abort(&d);
		return -1;
	}
	return util_durable_commit(&d, err);
}

int
util_mkdirs(const char *path, mode_t mode)
{
	char *p = xstrdup(path), *s;
	int rc = 0;

	for (s = p + 1; *s != '\0'; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(p, mode) == -1 && errno != EEXIST)
			rc = -1;
		*s = '/';
	}
	if (rc == 0 && mkdir(p, mode) == -1 && errno != EEXIST)
		rc = -1;
	free(p);
	return rc;
}

/*
 * Folders and files that an older sohoa made under umask 022 grant other
 * users read access (0755, 0644).  util_unshare takes those bits away and
 * leaves the group's alone: the staff group reads the archive.  Only the
 * owner (or root) may change a mode; for anyone else (a clerk in the
 * group) there is nothing to try, and the owner's next start fixes it.
 */
int
util_unshare(const char *path, mode_t *was)
{
	struct stat st;

	if (stat(path, &st) == -1)
		return errno == ENOENT ? 0 : -1;
	*was = st.st_mode & 07777;
	if ((st.st_mode & S_IRWXO) == 0 ||
	    (st.st_uid != geteuid() && geteuid() != 0))
		return 0;
	if (chmod(path, st.st_mode & 07777 & ~(mode_t)S_IRWXO) == -1)
		return -1;
	return 1;
}

int
util_keep_private(const char *path)
{
	mode_t was;
	int rc;

	if ((rc = util_unshare(path, &was)) == 1)
		log_info("%s was open to other users (mode %04o); now %04o, "
		    "for its owner and group only", path, (unsigned)was,
		    (unsigned)(was & ~(mode_t)S_IRWXO));
	else if (rc == -1)
		log_warn("cannot close %s to other users", path);
	return rc;
}

int
util_mkdirs_private(const char *path)
{
	if (util_mkdirs(path, UTIL_PRIVATE_DIR) == -1)
		return -1;
	util_keep_private(path);
	return 0;
}

/*
 * The one SHA-256 of sohoa, on libcrypto's EVP: packages, their members,
 * originals and manifests are all hashed through it, streaming or whole.
 */
struct util_sha256 {
	EVP_MD_CTX	*md;
};

struct util_sha256 *
util_sha256_new(void)
{
	struct util_sha256 *h = xmalloc(sizeof *h);

	if ((h->md = EVP_MD_CTX_new()) == NULL)
		fatal("out of memory");
	if (EVP_DigestInit_ex(h->md, EVP_sha256(), NULL) != 1)
		fatalx("SHA-256 is not available from libcrypto");
	return h;
}

void
util_sha256_add(struct util_sha256 *h, const void *data, size_t len)
{
	if (len > 0 && EVP_DigestUpdate(h->md, data, len) != 1)
		fatalx("SHA-256 failed in libcrypto");
}

void
util_sha256_end(struct util_sha256 *h, char hex[65])
{
	static const char digits[] = "0123456789abcdef";
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0, i;

	if (EVP_DigestFinal_ex(h->md, md, &mdlen) != 1 || mdlen != 32)
		fatalx("SHA-256 failed in libcrypto");
	for (i = 0; i < 32; i++) {
		hex[2 * i] = digits[md[i] >> 4];
		hex[2 * i + 1] = digits[md[i] & 15];
	}
	hex[64] = '\0';
	util_sha256_free(h);
}

void
util_sha256_free(struct util_sha256 *h)
{
	if (h == NULL)
		return;
	EVP_MD_CTX_free(h->md);
	free(h);
}

void
util_sha256(const void *data, size_t len, char hex[65])
{
	struct util_sha256 *h = util_sha256_new();

	util_sha256_add(h, data, len);
	util_sha256_end(h, hex);
}

int
util_sha256_file(const char *path, char hex[65], char *err)
{
	unsigned char chunk[65536];
	struct util_sha256 *h;
	ssize_t n;
	int fd, rc = -1;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		snprintf(err, ERRMAX, "cannot open %s: %s", path, strerror(errno));
		return -1;
	}
	h = util_sha256_new();
	for (;;) {
		n = read(fd, chunk, sizeof chunk);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			snprintf(err, ERRMAX, "cannot read %s: %s", path,
			    strerror(errno));
			goto out_free;
		}
		if (n == 0)
			break;
		util_sha256_add(h, chunk, (size_t)n);
	}
	util_sha256_end(h, hex);
	rc = 0;
	goto out;
out_free:
	util_sha256_free(h);
out:
	close(fd);
	return rc;
}

int
util_id_length_ok(size_t n)
{
	return n == UTIL_ID_DIGITS || n == UTIL_ID_DIGITS_OLD;
}

int
util_id_number(const char *s, char out[UTIL_ID_DIGITS + 1])
{
	size_t n = 0;

	for (; *s != '\0'; s++) {
		if (*s == ' ')
			continue;
		if (*s < '0' || *s > '9' || n == UTIL_ID_DIGITS)
			return -1;
		out[n++] = *s;
	}
	out[n] = '\0';
	return util_id_length_ok(n) ? 0 : -1;
}

void
util_now_iso8601(char out[40])
{
	time_t now = time(NULL);
	struct tm tm;
	char off[8];

	localtime_r(&now, &tm);
	strftime(out, 40, "%Y-%m-%dT%H:%M:%S", &tm);
	strftime(off, sizeof off, "%z", &tm);	/* +0700 -> +07:00 */
	if (strlen(off) == 5)
		snprintf(out + strlen(out), 40 - strlen(out), "%.3s:%s", off,
		    off + 3);
}

const char *
util_basename(const char *path)
{
	const char *s = strrchr(path, '/');

	return s ? s + 1 : path;
}

int
util_ncpus(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	return n > 0 ? (int)n : 1;
}

/*
 * The pid file lock (sohoad's): util_lock takes a POSIX write lock on the
 * whole file without waiting; util_lock_held asks whether one is held, and
 * by whom, without taking anything, so asking never gets in the way of a
 * daemon starting.
 */
int
util_lock(int fd)
{
	struct flock fl;

	memset(&fl, 0, sizeof fl);
	fl.l_type = F_WRLCK;
	fl.l_whence = SEEK_SET;
	return fcntl(fd, F_SETLK, &fl);
}

int
util_lock_held(int fd, long *pid)
{
	struct flock fl;

	memset(&fl, 0, sizeof fl);
	fl.l_type = F_WRLCK;
	fl.l_whence = SEEK_SET;
	*pid = 0;
	if (fcntl(fd, F_GETLK, &fl) == -1)
		return -1;
	if (fl.l_type == F_UNLCK)
		return 0;
	*pid = (long)fl.l_pid;
	return 1;
}

/*
 * path made absolute and plain: "." and ".." and repeated slashes taken
 * out, and symlinks resolved as far as the folders exist (a folder that
 * is not made yet cannot be a link), so that two names of one folder
 * compare equal.  Caller frees.
 */
char *
util_path_real(const char *path)
{
	struct buf b;
	char cwd[PATH_MAX], *abs, *copy, *tok, *save, *real, *rest;
	size_t cut;

	if (path[0] == '/' || getcwd(cwd, sizeof cwd) == NULL)
		abs = xstrdup(path);
	else
		abs = xasprintf("%s/%s", cwd, path);
	/* Lexically first: ".." must undo the name before it. */
	buf_init(&b, SIZE_MAX / 2);
	copy = xstrdup(abs);
	for (tok = strtok_r(copy, "/", &save); tok != NULL;
	    tok = strtok_r(NULL, "/", &save)) {
		if (strcmp(tok, ".") == 0)
			continue;
		if (strcmp(tok, "..") == 0) {
			char *last = b.data ? strrchr(b.data, '/') : NULL;

			if (last != NULL) {
				b.len = (size_t)(last - b.data);
				b.data[b.len] = '\0';
			}
			continue;
		}
		buf_append(&b, "/", 1);
		buf_append(&b, tok, strlen(tok));
	}
	free(copy);
	free(abs);
	if (b.data == NULL)
		buf_append(&b, "/", 1);
	/* Then the longest part that exists, through realpath(). */
	for (cut = b.len; ; ) {
		char saved = b.data[cut];

		b.data[cut] = '\0';
		real = realpath(cut ? b.data : "/", NULL);
		b.data[cut] = saved;
		if (real != NULL)
			break;
		while (cut > 0 && b.data[--cut] != '/')
			;
		if (cut == 0) {
			real = xstrdup("/");
			break;
		}
	}
	rest = b.data + cut;
	abs = xasprintf("%s%s", strcmp(real, "/") == 0 && *rest == '/' ? "" :
	    real, rest);
	free(real);
	buf_free(&b);
	return abs;
}

int
util_path_within(const char *inner, const char *outer)
{
	size_t n = strlen(outer);

	if (strcmp(outer, "/") == 0)
		return 1;
	return strncmp(inner, outer, n) == 0 && (inner[n] == '\0' ||
	    inner[n] == '/');
}

int
util_disk_free(const char *path, uint64_t *bytes)
{
	struct statvfs sv;

	if (statvfs(path, &sv) == -1)
		return -1;
	*bytes = (uint64_t)sv.f_bavail * (uint64_t)sv.f_frsize;
	return 0;
}

int
util_errno_disk_full(int e)
{
	return e == ENOSPC || e == EDQUOT;
}
