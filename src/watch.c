/*
 * watch.c: noticing scans in the inboxes and deciding when each is whole.
 *
 * Per profile, either inotify (IN_CLOSE_WRITE, IN_MOVED_TO and friends;
 * the watch is added before the first scan of the folder, so nothing
 * written in between is missed) or, for network shares where inotify sees
 * nothing, polling every poll_seconds.  Every inbox is also rescanned in
 * full every rescan_seconds, which catches what an overflowing event queue
 * dropped.  When inotify cannot be had (the system's limits on watchers or
 * watched folders are reached, often by other programs), the daemon does not
 * stop: it says so once and looks at the inboxes concerned every
 * WATCH_FALLBACK_POLL seconds instead.
 *
 * A file is ready when it was closed after writing (or moved in) and has
 * not changed for a moment since, or when its size and mtime have stayed
 * still for the profile's settle_seconds.  Dotfiles, temporary names and
 * anything that is not a regular file are never taken; symlinks are not
 * followed, so nothing outside the inbox can be pulled in.
 *
 * The daemon's loop polls watch_fd and calls watch_events when it is
 * readable, and watch_poll at the time watch_next_ms gives: the next
 * rescan due, or the moment the first file waiting would be whole.
 *
 * Which profiles the daemon may watch is decided here too
 * (watch_profiles_load): every inbox and quarantine checked against the
 * system's folders, the data folder and each other.
 */
#include <sys/inotify.h>
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "sohoa.h"

#define WATCH_DIR_MASK	(IN_CLOSE_WRITE | IN_MOVED_TO | IN_MODIFY | \
	IN_CREATE | IN_ONLYDIR | IN_DONT_FOLLOW | IN_EXCL_UNLINK)
#define WATCH_MAX_DEPTH	16
#define WATCH_CLOSE_QUIET 1.0	/* seconds a closed file must stay unchanged */
#define WATCH_FALLBACK_POLL 2	/* seconds between looks without inotify */
/* Seconds between looks at a file that is still being written where no
 * inotify event will say when it changes (polled inboxes). */
#define WATCH_LOOK_EVERY 0.25

struct watch_entry {
	int	 prof;
	char	*path;
	char	*rel;
	off_t	 size;
	struct timespec mtime;
	double	 still_since;	/* when size or mtime last changed */
	double	 closed_at;	/* closed after writing or moved in; 0 = no */
	double	 looked_at;	/* its last lstat */
};

struct watch_dir {
	int	 wd;
	int	 prof;
	char	*path;
	char	*rel;		/* "" for the inbox itself */
};

struct watch {
	const struct profile *profiles;
	size_t	 nprof;
	int	 rescan_seconds;
	int	 fd;
	struct watch_dir *dirs;
	size_t	 ndirs;
	struct watch_entry *ents;
	size_t	 nents;
	double	*next_scan;	/* per profile */
	int	*inbox_watched;	/* per profile */
	int	*unwatchable;	/* per profile: a folder could not be watched */
};

static double
watch_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Names scanners and copy tools use while a file is still being written. */
int
watch_ignored(const char *name)
{
	static const char *suffixes[] = { "~", ".tmp", ".temp", ".part",
	    ".partial", ".crdownload", ".swp", ".reason.txt", NULL };
	size_t len = strlen(name), sl;
	int i;

	if (name[0] == '.' || strncmp(name, "~$", 2) == 0)
		return 1;
	for (i = 0; suffixes[i] != NULL; i++) {
		sl = strlen(suffixes[i]);
		if (len >= sl && strcasecmp(name + len - sl, suffixes[i]) == 0)
			return 1;
	}
	return 0;
}

static struct watch_entry *
watch_entry_find(struct watch *w, const char *path)
{
	size_t i;

	for (i = 0; i < w->nents; i++)
		if (strcmp(w->ents[i].path, path) == 0)
			return &w->ents[i];
	return NULL;
}

static struct watch_entry *
watch_entry_add(struct watch *w, int prof, const char *path, const char *rel,
    double now)
{
	struct watch_entry *e = watch_entry_find(w, path);

	if (e != NULL)
		return e;
	w->ents = xrealloc(w->ents, (w->nents + 1) * sizeof *w->ents);
	e = &w->ents[w->nents++];
	memset(e, 0, sizeof *e);
	e->prof = prof;
	e->path = xstrdup(path);
	e->rel = xstrdup(rel);
	e->size = -1;
	e->still_since = now;
	return e;
}

static void
watch_entry_drop(struct watch *w, struct watch_entry *e)
{
	free(e->path);
	free(e->rel);
	*e = w->ents[--w->nents];
}

static void
watch_add_dir(struct watch *w, int prof, const char *path, const char *rel)
{
	size_t i;
	int wd;

	if (w->profiles[prof].poll_seconds > 0)
		return;
	if (w->fd == -1) {
		w->unwatchable[prof] = 1;
		return;
	}
	if ((wd = inotify_add_watch(w->fd, path, WATCH_DIR_MASK)) == -1) {
		if (!w->unwatchable[prof])
			log_warnx("%s: cannot watch the folder for new scans "
			    "(%s); looking at it every %d seconds instead",
			    path, errno == ENOSPC ? "the system's limit on "
			    "watched folders is reached, see "
			    "fs.inotify.max_user_watches" : strerror(errno),
			    WATCH_FALLBACK_POLL);
		w->unwatchable[prof] = 1;
		return;
	}
	for (i = 0; i < w->ndirs; i++)
		if (w->dirs[i].wd == wd)
			return;
	w->dirs = xrealloc(w->dirs, (w->ndirs + 1) * sizeof *w->dirs);
	w->dirs[w->ndirs].wd = wd;
	w->dirs[w->ndirs].prof = prof;
	w->dirs[w->ndirs].path = xstrdup(path);
	w->dirs[w->ndirs].rel = xstrdup(rel);
	w->ndirs++;
	if (*rel == '\0')
		w->inbox_watched[prof] = 1;
}

/* Walks one folder of an inbox: every file becomes a candidate. */
static void
watch_scan_dir(struct watch *w, int prof, const char *path, const char *rel,
    int depth, double now)
{
	const struct profile *p = &w->profiles[prof];
	struct dirent *de;
	struct stat st;
	DIR *d;
	char *sub, *subrel;

	if (depth == 0 || p->recursive)
		watch_add_dir(w, prof, path, rel);
	if ((d = opendir(path)) == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		if (watch_ignored(de->d_name))
			continue;
		sub = xasprintf("%s/%s", path, de->d_name);
		subrel = *rel ? xasprintf("%s/%s", rel, de->d_name) :
		    xstrdup(de->d_name);
		if (lstat(sub, &st) == 0) {
			if (S_ISREG(st.st_mode))
				watch_entry_add(w, prof, sub, subrel, now);
			else if (S_ISDIR(st.st_mode) && p->recursive &&
			    depth < WATCH_MAX_DEPTH)
				watch_scan_dir(w, prof, sub, subrel, depth + 1,
				    now);
		}
		free(sub);
		free(subrel);
	}
	closedir(d);
}

struct watch *
watch_open(const struct profile *profiles, size_t nprof, int rescan_seconds)
{
	struct watch *w = xcalloc(1, sizeof *w);
	size_t i;

	w->profiles = profiles;
	w->nprof = nprof;
	w->rescan_seconds = rescan_seconds > 0 ? rescan_seconds : 60;
	w->next_scan = xcalloc(nprof, sizeof *w->next_scan);
	w->inbox_watched = xcalloc(nprof, sizeof *w->inbox_watched);
	w->unwatchable = xcalloc(nprof, sizeof *w->unwatchable);
	if ((w->fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC)) == -1)
		log_warnx("cannot watch folders for new scans (%s); looking at "
		    "every inbox every %d seconds instead",
		    errno == EMFILE ? "the system's limit on folder watchers "
		    "is reached, see fs.inotify.max_user_instances" :
		    strerror(errno), WATCH_FALLBACK_POLL);
	/* next_scan = 0: every inbox is scanned on the first poll, after its
	 * watch is in place. */
	for (i = 0; i < nprof; i++)
		if (profiles[i].poll_seconds == 0)
			watch_add_dir(w, (int)i, profiles[i].inbox, "");
	return w;
}

void
watch_close(struct watch *w)
{
	size_t i;

	if (w == NULL)
		return;
	if (w->fd != -1)
		close(w->fd);
	for (i = 0; i < w->ndirs; i++) {
		free(w->dirs[i].path);
		free(w->dirs[i].rel);
	}
	for (i = 0; i < w->nents; i++) {
		free(w->ents[i].path);
		free(w->ents[i].rel);
	}
	free(w->dirs);
	free(w->ents);
	free(w->next_scan);
	free(w->inbox_watched);
	free(w->unwatchable);
	free(w);
}

static struct watch_dir *
watch_dir_find(struct watch *w, int wd)
{
	size_t i;

	for (i = 0; i < w->ndirs; i++)
		if (w->dirs[i].wd == wd)
			return &w->dirs[i];
	return NULL;
}

static void
watch_dir_drop(struct watch *w, int wd)
{
	size_t i;

	for (i = 0; i < w->ndirs; i++) {
		if (w->dirs[i].wd != wd)
			continue;
		if (*w->dirs[i].rel == '\0')
			w->inbox_watched[w->dirs[i].prof] = 0;
		free(w->dirs[i].path);
		free(w->dirs[i].rel);
		w->dirs[i] = w->dirs[--w->ndirs];
		return;
	}
}

static void
watch_event(struct watch *w, const struct inotify_event *ev, double now)
{
	struct watch_dir *dir;
	struct watch_entry *e;
	char *path, *rel;
	int prof;

	if (ev->mask & IN_Q_OVERFLOW) {
		size_t i;

		log_info("too many events at once; rescanning every inbox");
		for (i = 0; i < w->nprof; i++)
			w->next_scan[i] = 0;
		return;
	}
	if (ev->mask & IN_IGNORED) {
		watch_dir_drop(w, ev->wd);
		return;
	}
	if (ev->len == 0 || (dir = watch_dir_find(w, ev->wd)) == NULL ||
	    watch_ignored(ev->name))
		return;
	prof = dir->prof;
	path = xasprintf("%s/%s", dir->path, ev->name);
	rel = *dir->rel ? xasprintf("%s/%s", dir->rel, ev->name) :
	    xstrdup(ev->name);
	if (ev->mask & IN_ISDIR) {
		if (w->profiles[prof].recursive && (ev->mask &
		    (IN_CREATE | IN_MOVED_TO)))
			watch_scan_dir(w, prof, path, rel, 1, now);
	} else {
		e = watch_entry_add(w, prof, path, rel, now);
		if (ev->mask & (IN_CLOSE_WRITE | IN_MOVED_TO))
			e->closed_at = now;
		else if (ev->mask & (IN_MODIFY | IN_CREATE)) {
			e->closed_at = 0;
			e->still_since = now;
		}
	}
	free(path);
	free(rel);
}

static void
watch_read_events(struct watch *w, double now)
{
	char buf[65536] __attribute__((aligned(__alignof__(struct inotify_event))));
	const struct inotify_event *ev;
	ssize_t n;
	char *p;

	if (w->fd == -1)
		return;
	for (;;) {
		n = read(w->fd, buf, sizeof buf);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		for (p = buf; p < buf + n; p += sizeof *ev + ev->len) {
			ev = (const struct inotify_event *)p;
			watch_event(w, ev, now);
		}
	}
}

static int
watch_ready(const struct profile *p, struct watch_entry *e, double now)
{
	double quiet = now - e->still_since;
	double settle = p->settle_seconds;

	if (e->closed_at > 0)
		return quiet >= (settle < WATCH_CLOSE_QUIET ? settle :
		    WATCH_CLOSE_QUIET);
	return quiet >= settle;
}

int
watch_fd(const struct watch *w)
{
	return w->fd;
}

void
watch_events(struct watch *w)
{
	watch_read_events(w, watch_now());
}

/* Events will say when a file of this profile changes. */
static int
watch_evented(const struct watch *w, int prof)
{
	return w->fd != -1 && w->profiles[prof].poll_seconds == 0 &&
	    !w->unwatchable[prof];
}

int
watch_next_ms(const struct watch *w)
{
	double now = watch_now(), next = now + 3600, t, settle;
	size_t i;

	for (i = 0; i < w->nprof; i++)
		if (w->next_scan[i] < next)
			next = w->next_scan[i];
	for (i = 0; i < w->nents; i++) {
		const struct watch_entry *e = &w->ents[i];

		settle = w->profiles[e->prof].settle_seconds;
		if (e->closed_at > 0 && settle > WATCH_CLOSE_QUIET)
			settle = WATCH_CLOSE_QUIET;
		t = e->still_since + settle;
		if (!watch_evented(w, e->prof) && e->looked_at +
		    WATCH_LOOK_EVERY < t)
			t = e->looked_at + WATCH_LOOK_EVERY;
		if (t < next)
			next = t;
	}
	if (next <= now)
		return 0;
	/* Rounded up: woken early, the file would not be whole yet. */
	return (int)((next - now) * 1000) + 1;
}

void
watch_poll(struct watch *w, int (*ready)(int prof, const char *path,
    const char *rel, void *), void *arg)
{
	double now = watch_now();
	struct watch_entry *e;
	struct stat st;
	size_t i;

	watch_read_events(w, now);
	for (i = 0; i < w->nprof; i++) {
		const struct profile *p = &w->profiles[i];

		if (now < w->next_scan[i])
			continue;
		if (p->poll_seconds == 0 && !w->inbox_watched[i])
			watch_add_dir(w, (int)i, p->inbox, "");
		watch_scan_dir(w, (int)i, p->inbox, "", 0, now);
		w->next_scan[i] = now + (p->poll_seconds > 0 ?
		    p->poll_seconds : w->unwatchable[i] ?
		    WATCH_FALLBACK_POLL : w->rescan_seconds);
	}
	for (i = 0; i < w->nents; ) {
		e = &w->ents[i];
		if (lstat(e->path, &st) == -1 || !S_ISREG(st.st_mode)) {
			watch_entry_drop(w, e);
			continue;
		}
		e->looked_at = now;
		if (st.st_size != e->size ||
		    st.st_mtim.tv_sec != e->mtime.tv_sec ||
		    st.st_mtim.tv_nsec != e->mtime.tv_nsec) {
			if (e->size != -1)
				e->still_since = now;
			e->size = st.st_size;
			e->mtime = st.st_mtim;
		}
		if (!watch_ready(&w->profiles[e->prof], e, now)) {
			i++;
			continue;
		}
		if (ready(e->prof, e->path, e->rel, arg) == -1) {
			i++;	/* not now: offered again on the next poll */
			continue;
		}
		watch_entry_drop(w, e);
	}
}

void
watch_rescan(struct watch *w)
{
	size_t i;

	for (i = 0; i < w->nprof; i++)
		w->next_scan[i] = 0;
}

size_t
watch_pending(const struct watch *w, int prof)
{
	size_t i, n = 0;

	for (i = 0; i < w->nents; i++)
		if (w->ents[i].prof == prof)
			n++;
	return n;
}

/* ---- the set of profiles the daemon watches ---- */

static int
watch_profile_file(const char *name)
{
	size_t len = strlen(name);

	return name[0] != '.' && ((len > 5 && strcmp(name + len - 5, ".conf")
	    == 0) || (len > 4 && strcmp(name + len - 4, ".ini") == 0));
}

static int
watch_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

void
watch_profiles_free(struct watch_profiles *ps)
{
	size_t i;

	for (i = 0; i < ps->n; i++)
		profile_free(&ps->v[i]);
	free(ps->v);
	ps->v = NULL;
	ps->n = 0;
}

/*
 * Folders no inbox may be: the root and the system's own folders (and
 * anything inside those of the first list), where sohoad would move the
 * system's files into its spool.
 */
static int
watch_system_folder(const char *real)
{
	static const char *const inside[] = { "/bin", "/boot", "/dev", "/etc",
	    "/lib", "/lib32", "/lib64", "/libx32", "/proc", "/sbin", "/sys",
	    "/usr", NULL };
	static const char *const exactly[] = { "/", "/home", "/media", "/mnt",
	    "/opt", "/root", "/run", "/srv", "/tmp", "/var", "/var/lib",
	    "/var/tmp", NULL };
	int i;

	for (i = 0; inside[i] != NULL; i++)
		if (util_path_within(real, inside[i]))
			return 1;
	for (i = 0; exactly[i] != NULL; i++)
		if (strcmp(real, exactly[i]) == 0)
			return 1;
	return 0;
}

/*
 * What the daemon needs of a profile beyond what profile_load checks:
 * an inbox and a quarantine, neither a system folder, and folders that
 * cannot swallow each other.  sohoad moves every file of an inbox into
 * its spool, so an inbox holding the data folder (or inside it) would
 * take the database, its journal and the pid file for scans; one holding
 * its own profile would take the configuration; a quarantine inside an
 * inbox read with its subfolders would read set-aside scans again.
 * Folders are compared by their real paths (symlinks resolved).
 */
static int
watch_profiles_check(struct watch_profiles *ps, struct profile *p, const char *datadir,
    char *err)
{
	char *tmp, *dir;
	size_t i;
	int rc = -1;

	if (p->inbox == NULL || p->quarantine == NULL) {
		snprintf(err, ERRMAX, "%s: the daemon needs '%s' in the "
		    "[profile] section", p->path, p->inbox == NULL ? "inbox" :
		    "quarantine");
		return -1;
	}
	tmp = util_path_real(p->inbox);
	free(p->inbox);
	p->inbox = tmp;
	tmp = util_path_real(p->quarantine);
	free(p->quarantine);
	p->quarantine = tmp;
	dir = util_path_real(p->path);
	if ((tmp = strrchr(dir, '/')) != NULL)
		*(tmp == dir ? tmp + 1 : tmp) = '\0';
	if (strcmp(p->inbox, p->quarantine) == 0)
		snprintf(err, ERRMAX, "%s:%d: inbox and quarantine must be "
		    "different folders", p->path, p->quarantine_line);
	else if (watch_system_folder(p->inbox))
		snprintf(err, ERRMAX, "%s:%d: the inbox %s is a system folder; "
		    "sohoad would move every file in it into its spool",
		    p->path, p->inbox_line, p->inbox);
	else if (watch_system_folder(p->quarantine))
		snprintf(err, ERRMAX, "%s:%d: the quarantine %s is a system "
		    "folder; choose a folder for set-aside scans", p->path,
		    p->quarantine_line, p->quarantine);
	else if (util_path_within(p->inbox, datadir))
		snprintf(err, ERRMAX, "%s:%d: the inbox %s is inside the data "
		    "folder %s; sohoad would take its own database and "
		    "archive for scans", p->path, p->inbox_line, p->inbox,
		    datadir);
	else if (util_path_within(datadir, p->inbox))
		snprintf(err, ERRMAX, "%s:%d: the data folder %s is inside the "
		    "inbox %s; sohoad would take its own database and archive "
		    "for scans", p->path, p->inbox_line, datadir, p->inbox);
	else if (strcmp(dir, p->inbox) == 0 || (p->recursive &&
	    util_path_within(dir, p->inbox)))
		snprintf(err, ERRMAX, "%s:%d: this profile is inside its own "
		    "inbox %s; sohoad would take it for a scan", p->path,
		    p->inbox_line, p->inbox);
	else if (p->recursive && util_path_within(p->quarantine, p->inbox))
		snprintf(err, ERRMAX, "%s:%d: the quarantine %s is inside the "
		    "inbox %s, which is read with its subfolders: set-aside "
		    "scans would be read again", p->path, p->quarantine_line,
		    p->quarantine, p->inbox);
	else
		err[0] = '\0';
	if (err[0] != '\0')
		goto out;
	for (i = 0; i < ps->n; i++) {
		const struct profile *q = &ps->v[i];

		if (strcmp(q->name, p->name) == 0) {
			snprintf(err, ERRMAX, "%s: the name '%s' is already "
			    "used by %s", p->path, p->name, q->path);
			goto out;
		}
		if (strcmp(q->inbox, p->inbox) == 0) {
			snprintf(err, ERRMAX, "%s:%d: the inbox %s is already "
			    "watched for %s", p->path, p->inbox_line, p->inbox,
			    q->path);
			goto out;
		}
		if ((q->recursive && util_path_within(p->inbox, q->inbox)) ||
		    (p->recursive && util_path_within(q->inbox, p->inbox))) {
			snprintf(err, ERRMAX, "%s:%d: the inbox %s and the inbox "
			    "%s of %s are inside each other, and one is read "
			    "with its subfolders", p->path, p->inbox_line,
			    p->inbox, q->inbox, q->path);
			goto out;
		}
		if ((q->recursive && util_path_within(p->quarantine,
		    q->inbox)) || strcmp(p->quarantine, q->inbox) == 0) {
			snprintf(err, ERRMAX, "%s:%d: the quarantine %s is the "
			    "inbox of %s, or inside it", p->path,
			    p->quarantine_line, p->quarantine, q->path);
			goto out;
		}
		if ((p->recursive && util_path_within(q->quarantine,
		    p->inbox)) || strcmp(q->quarantine, p->inbox) == 0) {
			snprintf(err, ERRMAX, "%s:%d: the inbox %s holds the "
			    "quarantine of %s", p->path, p->inbox_line,
			    p->inbox, q->path);
			goto out;
		}
	}
	rc = 0;
out:
	free(dir);
	return rc;
}

/*
 * Loads every profile of a folder (or the one file named), reporting each
 * error through log_warnx.  Returns the number of errors; on 0 errors *ps
 * holds the new set, otherwise it is left empty.
 */
int
watch_profiles_load(const char *path, const char *datadir,
    const struct conf *conf, struct watch_profiles *ps)
{
	struct stat st;
	struct profile p;
	char **names = NULL, err[ERRMAX], *file;
	size_t n = 0, i;
	struct dirent *de;
	DIR *d;
	int errors = 0;

	memset(ps, 0, sizeof *ps);
	if (stat(path, &st) == -1) {
		log_warnx("%s: cannot read the scanner profiles: %s", path,
		    strerror(errno));
		return 1;
	}
	if (S_ISDIR(st.st_mode)) {
		if ((d = opendir(path)) == NULL) {
			log_warn("%s", path);
			return 1;
		}
		while ((de = readdir(d)) != NULL)
			if (watch_profile_file(de->d_name)) {
				names = xrealloc(names, (n + 1) * sizeof *names);
				names[n++] = xasprintf("%s/%s", path, de->d_name);
			}
		closedir(d);
		qsort(names, n, sizeof *names, watch_cmp);
	} else {
		names = xmalloc(sizeof *names);
		names[n++] = xstrdup(path);
	}
	if (n == 0) {
		log_warnx("%s: there are no scanner profiles (*.conf) here; "
		    "copy one of the examples and edit it", path);
		errors++;
	}
	for (i = 0; i < n; i++) {
		file = names[i];
		if (profile_load_conf(file, conf, &p, err) == -1) {
			log_warnx("%s", err);
			errors++;
		} else if (watch_profiles_check(ps, &p, datadir, err) == -1) {
			log_warnx("%s", err);
			profile_free(&p);
			errors++;
		} else {
			ps->v = xrealloc(ps->v, (ps->n + 1) * sizeof *ps->v);
			ps->v[ps->n++] = p;
		}
		free(file);
	}
	free(names);
	if (errors)
		watch_profiles_free(ps);
	return errors;
}

int
watch_make_folders(const struct watch_profiles *ps)
{
	size_t i;
	int rc = 0;

	for (i = 0; i < ps->n; i++) {
		if (util_mkdirs(ps->v[i].inbox, 0770) == -1) {
			log_warn("%s: cannot create the inbox %s", ps->v[i].path,
			    ps->v[i].inbox);
			rc = -1;
		}
		if (util_mkdirs(ps->v[i].quarantine, 0770) == -1) {
			log_warn("%s: cannot create the quarantine folder %s",
			    ps->v[i].path, ps->v[i].quarantine);
			rc = -1;
		}
	}
	return rc;
}
