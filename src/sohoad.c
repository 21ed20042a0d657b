/*
 * sohoad.c: the scanner-folder daemon.
 *
 * Records staff drop scans into inbox folders and walk away.  The daemon
 * takes every scan exactly once: watch.c says when a file is whole, job.c
 * claims it into the spool and journals it, worker processes (worker.c)
 * decode and recognise it, and ingest.c archives and indexes it, the job's
 * "done" committing with the record.  A scan that cannot be read goes to
 * the profile's quarantine folder with a reason a person can read; a scan
 * whose worker crashed twice too.  After a crash or a power cut,
 * job_recover() resumes every unfinished job.
 *
 * A full data disk is not a scan's fault: while the disk holds less than
 * min_free_mb (sohoa.conf), or once a write failed for room, no scan is
 * claimed or read; scans wait in the inboxes and the spool, the log and
 * `sohoa status` say why, and reading goes on by itself once there is
 * room again.  Nothing is set aside for it.
 *
 * Signal handlers only set flags; the loop acts on them.  SIGHUP reloads
 * the profiles (the new set is parsed completely before it replaces the
 * old; a broken file keeps the old set).  SIGTERM stops taking scans,
 * lets running jobs finish for a while, and leaves the rest queued for the
 * next start.  A second SIGINT exits at once.
 */
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <systemd/sd-daemon.h>

#include "sohoa.h"

#define SOHOAD_STOP_GRACE	20	/* seconds running jobs get at SIGTERM */
#define SOHOAD_RETRY_SECONDS	30	/* after a failure on our side */
#define SOHOAD_FULL_CHECK	2	/* seconds between looks at a full disk */
#define SOHOAD_FULL_RETRY	60	/* ... and between tries to read anyway */
#define SOHOAD_MB		(1024 * 1024)
/* Work done in one turn of the loop before its periodic duties come round:
 * a claim or a duplicate costs a few fsyncs, and 200 scans dropped at
 * once would otherwise hold the loop for seconds. */
#define SOHOAD_TURN_USEC	200000


struct profset {
	struct profile *v;
	size_t	 n;
};

struct sohoad {
	struct conf conf;
	struct profset ps;
	const char *profiles_path;
	char	*datadir;
	char	*spoolroot;
	struct index *ix;
	struct watch *watch;
	struct pool *pool;
	struct job **q;		/* unfinished jobs, oldest first */
	size_t	 nq;
	time_t	*retry_at;	/* per queue slot: not before this time */
	int	 done, quarantined, pages;
	int	 since_optimize;	/* documents recorded since the last merge */
	time_t	 busy_at;		/* last time there was work */
	int	 claimed;		/* new jobs in the journal since the last load */
	time_t	 started;
	int	 lockfd;		/* the pid file, which also tells the disk's state */
	int	 full;			/* the data disk is full: nothing is read */
	uint64_t full_free;		/* bytes free when it was found full */
	time_t	 full_since, full_tried, full_checked;
	uint64_t turn_end;		/* monotonic usec: this turn's work stops */
};

static volatile sig_atomic_t got_term, got_hup, got_int;

static uint64_t
sohoad_usec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

/* This turn's share of work is used up: the rest waits for the next. */
static int
sohoad_turn_over(const struct sohoad *sd)
{
	return sohoad_usec() >= sd->turn_end;
}

static void
sohoad_signal(int sig)
{
	switch (sig) {
	case SIGHUP:
		got_hup = 1;
		break;
	case SIGINT:
		if (got_int++ > 0)
			_exit(130);	/* the second one: at once */
		got_term = 1;
		break;
	default:
		got_term = 1;
		break;
	}
}

static void
usage(FILE *f)
{
	fprintf(f, "usage: sohoad [--data DIR] [--profiles DIR|FILE] [-c FILE] "
	    "[-n] [-v]\n\n"
	    "Watches the scanner profiles' inbox folders, and OCRs, archives and "
	    "indexes\nevery scan dropped there.\n\n"
	    "  --data DIR        database and archive (default: sohoa.conf's "
	    "data,\n                    else $SOHOA_DATA, else %s)\n"
	    "  --profiles PATH   folder of scanner profiles, or one profile "
	    "file\n                    (default: sohoa.conf's profiles, else "
	    "%s/scanner-profiles)\n"
	    "  -c FILE           sohoa.conf (default: $SOHOA_CONF, else "
	    "%s/sohoa.conf)\n"
	    "  -n                check the configuration, print "
	    "\"configuration OK\" or each\n                    error as "
	    "file:line, and exit\n"
	    "  -v                say more (twice: debug)\n\n"
	    "See sohoad(8), sohoa.conf(5).\n", SOHOA_DEFAULT_DATA,
	    SOHOA_SYSCONFDIR, SOHOA_SYSCONFDIR);
}

static int
sohoad_profile_file(const char *name)
{
	size_t len = strlen(name);

	return name[0] != '.' && ((len > 5 && strcmp(name + len - 5, ".conf")
	    == 0) || (len > 4 && strcmp(name + len - 4, ".ini") == 0));
}

static int
sohoad_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void
profset_free(struct profset *ps)
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
sohoad_system_folder(const char *real)
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
profset_check(struct profset *ps, struct profile *p, const char *datadir,
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
	else if (sohoad_system_folder(p->inbox))
		snprintf(err, ERRMAX, "%s:%d: the inbox %s is a system folder; "
		    "sohoad would move every file in it into its spool",
		    p->path, p->inbox_line, p->inbox);
	else if (sohoad_system_folder(p->quarantine))
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
static int
profset_load(const char *path, const char *datadir, struct profset *ps)
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
			if (sohoad_profile_file(de->d_name)) {
				names = xrealloc(names, (n + 1) * sizeof *names);
				names[n++] = xasprintf("%s/%s", path, de->d_name);
			}
		closedir(d);
		qsort(names, n, sizeof *names, sohoad_cmp);
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
		if (profile_load(file, &p, err) == -1) {
			log_warnx("%s", err);
			errors++;
		} else if (profset_check(ps, &p, datadir, err) == -1) {
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
		profset_free(ps);
	return errors;
}

static const struct profile *
sohoad_profile(struct sohoad *sd, const char *name)
{
	size_t i;

	for (i = 0; i < sd->ps.n; i++)
		if (strcmp(sd->ps.v[i].name, name) == 0)
			return &sd->ps.v[i];
	return NULL;
}

static int
sohoad_prepare_folders(struct profset *ps)
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

/* Adds jobs the journal has and the queue does not (new claims, adoptions). */
static void
sohoad_load_queue(struct sohoad *sd)
{
	struct job **v;
	size_t n, i, k;

	n = job_list(sd->ix, -1, &v);
	for (i = 0; i < n; i++) {
		for (k = 0; k < sd->nq; k++)
			if (sd->q[k]->id == v[i]->id)
				break;
		if (k < sd->nq) {
			job_free(v[i]);
			continue;
		}
		sd->q = xrealloc(sd->q, (sd->nq + 1) * sizeof *sd->q);
		sd->retry_at = xrealloc(sd->retry_at, (sd->nq + 1) *
		    sizeof *sd->retry_at);
		sd->retry_at[sd->nq] = 0;
		sd->q[sd->nq++] = v[i];
	}
	free(v);
}

static void
sohoad_drop(struct sohoad *sd, struct job *j)
{
	size_t k;

	for (k = 0; k < sd->nq; k++)
		if (sd->q[k] == j)
			break;
	if (k == sd->nq)
		return;
	if (j->workdir != NULL) {
		ingest_cleanup_workdir(j->workdir);
		free(j->workdir);
	}
	job_free(j);
	memmove(&sd->q[k], &sd->q[k + 1], (sd->nq - k - 1) * sizeof *sd->q);
	memmove(&sd->retry_at[k], &sd->retry_at[k + 1], (sd->nq - k - 1) *
	    sizeof *sd->retry_at);
	sd->nq--;
}

/*
 * The pid file's second line tells `sohoa status` what sohoad cannot put
 * in the database while the disk is full: "full FREE SINCE", or nothing.
 * Rewriting the file's first few bytes takes no new room on the disk.
 */
static void
sohoad_tell_state(struct sohoad *sd)
{
	char line[128];
	int n;

	if (sd->full)
		n = snprintf(line, sizeof line, "%ld\nfull %llu %lld\n",
		    (long)getpid(), (unsigned long long)sd->full_free,
		    (long long)sd->full_since);
	else
		n = snprintf(line, sizeof line, "%ld\n", (long)getpid());
	if (pwrite(sd->lockfd, line, (size_t)n, 0) != n ||
	    ftruncate(sd->lockfd, n) == -1)
		log_debug("cannot note the disk's state in the pid file");
}

static uint64_t
sohoad_floor(const struct sohoad *sd)
{
	return (uint64_t)sd->conf.min_free_mb * SOHOAD_MB;
}

static size_t
sohoad_waiting(const struct sohoad *sd)
{
	return sd->nq;
}

/* Stops reading scans until there is room (see sohoad_check_room). */
static void
sohoad_disk_full(struct sohoad *sd, uint64_t room)
{
	time_t now = time(NULL);

	if (!sd->full) {
		log_warnx("the data disk is full: %.1f MB free on %s (sohoad "
		    "keeps min_free_mb = %d MB free); %zu claimed scan%s and "
		    "those in the inboxes wait, and are read once there is "
		    "room", room / (double)SOHOAD_MB, sd->datadir,
		    sd->conf.min_free_mb, sohoad_waiting(sd),
		    sohoad_waiting(sd) == 1 ? "" : "s");
		sd->full_since = now;
	}
	sd->full = 1;
	sd->full_free = room;
	sd->full_tried = now;
	sd->full_checked = now;
	sohoad_tell_state(sd);
}

/*
 * After something failed: is it the disk?  It is when the disk now holds
 * less than min_free_mb plus what the job needs (needs bytes).
 */
static int
sohoad_short_of_room(struct sohoad *sd, uint64_t needs)
{
	uint64_t room;

	if (util_disk_free(sd->datadir, &room) == -1 ||
	    room >= sohoad_floor(sd) + needs)
		return 0;
	sohoad_disk_full(sd, room);
	return 1;
}

/* Room a job's package takes: the scan, the worker's PDF and text. */
static uint64_t
sohoad_job_needs(const struct job *j)
{
	const char *names[] = { WORKER_PDF, WORKER_TEXT, WORKER_LAYOUT };
	struct stat st;
	uint64_t n = 0;
	char *p;
	size_t i;

	if (stat(j->spool_path, &st) == 0)
		n += (uint64_t)st.st_size;
	for (i = 0; j->workdir != NULL && i < sizeof names / sizeof names[0]; i++) {
		p = xasprintf("%s/%s", j->workdir, names[i]);
		if (stat(p, &st) == 0)
			n += (uint64_t)st.st_size;
		free(p);
	}
	/* Tar headers, manifests, the database's share: a quarter more. */
	return n + n / 4 + SOHOAD_MB;
}

/*
 * Once per loop: below min_free_mb nothing is read; once full, the disk
 * is looked at every SOHOAD_FULL_CHECK seconds, and reading goes on when
 * it holds min_free_mb and a megabyte more than when it filled up (or,
 * every SOHOAD_FULL_RETRY seconds, once anyway: a failed write leaves
 * no trace in the free space).
 */
static void
sohoad_check_room(struct sohoad *sd, time_t now)
{
	uint64_t room;
	size_t k;

	if (!sd->full) {
		if (util_disk_free(sd->datadir, &room) == 0 &&
		    room < sohoad_floor(sd))
			sohoad_disk_full(sd, room);
		return;
	}
	if (now - sd->full_checked < SOHOAD_FULL_CHECK)
		return;
	sd->full_checked = now;
	if (util_disk_free(sd->datadir, &room) == -1 ||
	    room < sohoad_floor(sd) || (room < sd->full_free + SOHOAD_MB &&
	    now - sd->full_tried < SOHOAD_FULL_RETRY))
		return;
	log_info("there is room on the data disk again (%.1f MB free): "
	    "reading the waiting scans", room / (double)SOHOAD_MB);
	sd->full = 0;
	for (k = 0; k < sd->nq; k++)
		sd->retry_at[k] = 0;
	watch_rescan(sd->watch);
	sohoad_tell_state(sd);
}

static int
sohoad_slot(const struct sohoad *sd, const struct job *j)
{
	size_t k;

	for (k = 0; k < sd->nq; k++)
		if (sd->q[k] == j)
			return (int)k;
	return -1;
}

static void
sohoad_retry_later(struct sohoad *sd, struct job *j, int seconds)
{
	int k = sohoad_slot(sd, j);

	if (k >= 0)
		sd->retry_at[k] = time(NULL) + seconds;
}

/*
 * Sets a scan aside.  When that cannot be done now (a full disk: no room
 * for the reason file or the journal), the job keeps its reason and is
 * set aside later; it is never read again for it, nor lost.
 */
static void
sohoad_quarantine(struct sohoad *sd, struct job *j, const char *reason)
{
	const struct profile *p = sohoad_profile(sd, j->profile);
	char err[ERRMAX], *why = xstrdup(reason);
	int rc;

	if (p == NULL) {
		log_warnx("%s: %s; its profile '%s' is gone, so it stays in %s",
		    j->source_name, why, j->profile, j->spool_path);
		goto out;
	}
	if (j->state == JOB_QUARANTINING && j->quarantine_path != NULL)
		rc = job_quarantine_retry(sd->ix, j, err);
	else
		rc = job_quarantine(sd->ix, j, p->quarantine, why, err);
	if (rc == -1) {
		log_warnx("%s: %s; it cannot be set aside yet (%s), so it "
		    "waits in the spool", j->source_name, why, err);
		j->set_aside = 1;
		if (j->state == JOB_PROCESSING)
			j->state = JOB_QUEUED;
		free(j->reason);
		j->reason = xstrdup(why);
		if (!sohoad_short_of_room(sd, SOHOAD_MB))
			sohoad_retry_later(sd, j, SOHOAD_RETRY_SECONDS);
		goto out;
	}
	log_warnx("%s: %s; set aside in %s", j->source_name, why,
	    j->quarantine_path);
	sd->quarantined++;
	sohoad_drop(sd, j);
out:
	free(why);
}

static int
sohoad_claim(int prof, const char *path, const char *rel, void *arg)
{
	struct sohoad *sd = arg;
	const struct profile *p = &sd->ps.v[prof];
	char *spooldir = xasprintf("%s/%s", sd->spoolroot, p->name);
	char err[ERRMAX];
	struct stat st;
	int64_t id;
	int rc = 0;

	/* A disk found full by an earlier claim: the rest wait in the inbox. */
	if (sd->full || sohoad_turn_over(sd)) {
		rc = -1;
		goto out;
	}
	if (job_claim(sd->ix, spooldir, p->name, path, rel, &id, err) == -1) {
		if (stat(path, &st) == -1 || !sohoad_short_of_room(sd,
		    (uint64_t)st.st_size + SOHOAD_MB))
			log_warnx("%s: %s", path, err);
	} else {
		log_debug("%s: claimed as job %lld", path, (long long)id);
		sd->claimed = 1;
	}
out:
	free(spooldir);
	return rc;
}

static int
sohoad_sha_running(struct sohoad *sd, const char *sha)
{
	size_t k;

	for (k = 0; k < sd->nq; k++)
		if (sd->q[k]->state == JOB_PROCESSING &&
		    strcmp(sd->q[k]->sha256, sha) == 0)
			return 1;
	return 0;
}

/*
 * Hands queued jobs to idle workers; duplicates are recorded right here,
 * set-asides that had to wait are tried again, claims cut short settled.
 */
static void
sohoad_dispatch(struct sohoad *sd)
{
	struct ingest_hook hook;
	const struct profile *p;
	struct job *j;
	json_t *job, *doc;
	char err[ERRMAX];
	time_t now = time(NULL);
	int64_t first;
	size_t k;

	for (k = 0; k < sd->nq && !sd->full && !sohoad_turn_over(sd); k++) {
		j = sd->q[k];
		if (sd->retry_at[k] > now)
			continue;
		if (j->set_aside) {
			size_t before = sd->nq;

			sohoad_quarantine(sd, j, j->reason);
			if (sd->nq < before)
				k--;	/* it left the queue */
			continue;
		}
		if (j->state == JOB_CLAIMING && job_settle_claim(sd->ix, j) !=
		    JOB_QUEUED) {
			if (j->state == JOB_CLAIMING)
				sd->retry_at[k] = now + SOHOAD_RETRY_SECONDS;
			else {
				sohoad_drop(sd, j);
				k--;
			}
			continue;
		}
		if (j->state != JOB_QUEUED || pool_idle(sd->pool) == 0 ||
		    (p = sohoad_profile(sd, j->profile)) == NULL)
			continue;
		if (j->sha256[0] == '\0' &&
		    util_sha256_file(j->spool_path, j->sha256, err) == -1) {
			log_warnx("%s: the claimed file is gone from the spool "
			    "(%s)", j->source_name, err);
			job_set_state(sd->ix, j->id, JOB_QUARANTINED);
			sohoad_drop(sd, j);
			k--;
			continue;
		}
		if (sohoad_sha_running(sd, j->sha256))
			continue;	/* its twin is being read: wait */
		if ((first = store_find_sha256(sd->ix, j->sha256)) != 0) {
			hook.before_commit = job_done_tx;
			hook.arg = j;
			err[0] = '\0';
			if (ingest_record_duplicate(sd->ix, p, j->source_name,
			    first, &hook, &doc, err) == -1) {
				log_warnx("%s: %s", j->source_name, err);
				if (!sohoad_short_of_room(sd, SOHOAD_MB))
					sd->retry_at[k] = now +
					    SOHOAD_RETRY_SECONDS;
				continue;
			}
			log_info("%s: recorded as #%lld, a duplicate of #%lld",
			    j->source_name, (long long)json_integer_value(
			    json_object_get(doc, "id")), (long long)first);
			json_decref(doc);
			job_finish(j);
			sd->done++;
			sohoad_drop(sd, j);
			k--;
			continue;
		}
		free(j->workdir);
		j->workdir = xasprintf("%s/tmp/job-%lld", sd->datadir,
		    (long long)j->id);
		ingest_cleanup_workdir(j->workdir);
		if (util_mkdirs(j->workdir, 0700) == -1) {
			log_warn("%s: cannot create %s", j->source_name,
			    j->workdir);
			if (!sohoad_short_of_room(sd, SOHOAD_MB))
				sd->retry_at[k] = now + SOHOAD_RETRY_SECONDS;
			continue;
		}
		job = ingest_job(p, j->spool_path, j->workdir,
		    sd->conf.max_pages);
		if (pool_submit(sd->pool, job, j) == 0) {
			j->state = JOB_PROCESSING;
			job_set_state(sd->ix, j->id, JOB_PROCESSING);
		} else
			sd->retry_at[k] = now + SOHOAD_RETRY_SECONDS;
		json_decref(job);
	}
}

/* A job goes back to the queue: read again later, or once there is room. */
static void
sohoad_requeue(struct sohoad *sd, struct job *j, int later)
{
	/* What the worker wrote goes now: on a full disk it is in the way. */
	if (j->workdir != NULL)
		ingest_cleanup_workdir(j->workdir);
	j->state = JOB_QUEUED;
	job_set_state(sd->ix, j->id, JOB_QUEUED);
	if (later)
		sohoad_retry_later(sd, j, SOHOAD_RETRY_SECONDS);
}

static void
sohoad_result(struct sohoad *sd, struct job *j, json_t *res)
{
	const struct profile *p = sohoad_profile(sd, j->profile);
	const char *why = json_string_value(json_object_get(res, "reason"));
	struct ingest_hook hook;
	struct stat st;
	json_t *doc;
	char err[ERRMAX] = "", *msg;

	if (why == NULL)
		why = "the scan could not be read";
	if (p == NULL) {
		/* Its profile went away in a reload: keep it queued. */
		log_warnx("%s: its profile '%s' is no longer loaded; it waits "
		    "in %s", j->source_name, j->profile, j->spool_path);
		sohoad_requeue(sd, j, 0);
		return;
	}
	if (json_is_true(json_object_get(res, "ok"))) {
		hook.before_commit = job_done_tx;
		hook.arg = j;
		if (ingest_record(sd->ix, sd->datadir, p, j->spool_path,
		    j->workdir, j->source_name, j->sha256, res, &hook, &doc,
		    err) == 0) {
			if (json_is_integer(json_object_get(doc, "duplicate_of")))
				log_info("%s: recorded as #%lld, a duplicate of "
				    "#%lld", j->source_name,
				    (long long)json_integer_value(
				    json_object_get(doc, "id")),
				    (long long)json_integer_value(
				    json_object_get(doc, "duplicate_of")));
			else {
				log_info("%s: recorded as #%lld (%lld page%s)",
				    j->source_name, (long long)
				    json_integer_value(json_object_get(doc,
				    "id")), (long long)json_integer_value(
				    json_object_get(doc, "pages")),
				    json_integer_value(json_object_get(doc,
				    "pages")) == 1 ? "" : "s");
				sd->pages += (int)json_integer_value(
				    json_object_get(doc, "pages"));
				sd->since_optimize++;
			}
			json_decref(doc);
			job_finish(j);
			sd->done++;
			sohoad_drop(sd, j);
			return;
		}
		/* Our side failed (disk full, database): try again later. */
		log_warnx("%s: %s; will try again", j->source_name, err);
		sohoad_requeue(sd, j, !sohoad_short_of_room(sd,
		    sohoad_job_needs(j)));
		return;
	}
	/*
	 * The worker could not write its PDF or text, or failed while the
	 * disk was all but full: the scan waits for room, it is not set
	 * aside.  Twice the scan's size is room enough for its PDF.
	 */
	if (json_is_true(json_object_get(res, "disk_full")) ||
	    sohoad_short_of_room(sd, 2 * (stat(j->spool_path, &st) == 0 ?
	    (uint64_t)st.st_size : 0) + SOHOAD_MB)) {
		if (json_is_true(json_object_get(res, "disk_full")) &&
		    util_disk_free(sd->datadir, &sd->full_free) == 0)
			sohoad_disk_full(sd, sd->full_free);
		log_info("%s: %s; it waits until the data disk has room",
		    j->source_name, why);
		sohoad_requeue(sd, j, 0);
	} else if (json_is_true(json_object_get(res, "timed_out"))) {
		sohoad_quarantine(sd, j, why);
	} else if (json_is_true(json_object_get(res, "crashed"))) {
		if (job_crashed(sd->ix, j, why) >= 2) {
			msg = xasprintf("%s; it stopped its worker twice, so it "
			    "is not tried again", why);
			sohoad_quarantine(sd, j, msg);
			free(msg);
		} else
			log_warnx("%s: %s; trying once more", j->source_name,
			    why);
	} else
		sohoad_quarantine(sd, j, why);
	/* The job may be gone; its work folder went with it. */
}

static void
sohoad_notify_status(struct sohoad *sd)
{
	double mins = difftime(time(NULL), sd->started) / 60.0;

	if (sd->full)
		sd_notifyf(0, "STATUS=waiting: the data disk is full (%.1f MB "
		    "free); queue %zu, %d recorded, %d set aside since start",
		    sd->full_free / (double)SOHOAD_MB, sd->nq, sd->done,
		    sd->quarantined);
	else
		sd_notifyf(0, "STATUS=queue %zu, %d recorded, %d set aside "
		    "since start, %.1f pages/min", sd->nq, sd->done,
		    sd->quarantined, mins > 0.01 ? sd->pages / mins : 0.0);
}

static int
sohoad_reload(struct sohoad *sd)
{
	struct profset ps;
	int errors;

	log_info("reloading the scanner profiles from %s", sd->profiles_path);
	if ((errors = profset_load(sd->profiles_path, sd->datadir, &ps)) > 0) {
		log_warnx("%d error%s in the new profiles; keeping the %zu "
		    "profile%s in use", errors, errors == 1 ? "" : "s",
		    sd->ps.n, sd->ps.n == 1 ? "" : "s");
		return -1;
	}
	sohoad_prepare_folders(&ps);
	watch_close(sd->watch);
	profset_free(&sd->ps);
	sd->ps = ps;
	sd->watch = watch_open(sd->ps.v, sd->ps.n, sd->conf.rescan_seconds);
	log_info("%zu profile%s in use", sd->ps.n, sd->ps.n == 1 ? "" : "s");
	return 0;
}

/*
 * The pid file doubles as the "is it running" lock for `sohoa status`.  A
 * POSIX record lock, not flock(): status asks with util_lock_held,
 * which takes nothing, so a status run at the moment sohoad starts cannot make it
 * believe another one holds the lock (with flock, status held a shared
 * lock for an instant, and a sohoad starting then gave up).  The
 * descriptor stays open for the daemon's life: closing any descriptor of
 * the file would drop the lock.
 */
static int
sohoad_lock(const char *datadir)
{
	char *path = xasprintf("%s/sohoad.pid", datadir), pid[32];
	long owner;
	int fd;

	if ((fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644)) == -1)
		fatal("cannot open %s", path);
	if (util_lock(fd) == -1) {
		if (errno != EACCES && errno != EAGAIN)
			fatal("cannot lock %s", path);
		if (util_lock_held(fd, &owner) == 1 && owner > 0)
			fatalx("another sohoad (pid %ld) is already running on "
			    "%s", owner, datadir);
		fatalx("another sohoad is already running on %s", datadir);
	}
	snprintf(pid, sizeof pid, "%ld\n", (long)getpid());
	if (ftruncate(fd, 0) == -1 || pwrite(fd, pid, strlen(pid), 0) == -1)
		log_warn("cannot write %s", path);
	free(path);
	return fd;
}

static const char *
sohoad_datadir(const char *opt, const struct conf *c)
{
	const char *d = opt;

	if (d == NULL || *d == '\0')
		d = c->data;
	if (d == NULL || *d == '\0')
		d = getenv("SOHOA_DATA");
	if (d == NULL || *d == '\0')
		d = SOHOA_DEFAULT_DATA;
	return d;
}

/*
 * The loop.  Every turn does the periodic duties (status, watchdog,
 * merging when idle) whatever else happened in it: a fast batch hands a
 * result back on nearly every turn, and a daemon that skipped its
 * watchdog for them would be killed by systemd in the middle of work.
 */
static void
sohoad_run(struct sohoad *sd, char *self)
{
	struct pool_opts po;
	struct sigaction sa;
	uint64_t wd_usec = 0, last_wd = 0, last_status = 0, now_us;
	time_t stop_deadline = 0, now;
	char err[ERRMAX], *db, *wargv[3];
	json_t *res;
	void *tag;

	if (util_mkdirs_private(sd->datadir) == -1)
		fatal("cannot create the data folder %s", sd->datadir);
	sd->lockfd = sohoad_lock(sd->datadir);
	db = xasprintf("%s/sohoa.db", sd->datadir);
	if ((sd->ix = index_open(db, err)) == NULL || job_init(sd->ix, err) == -1)
		fatalx("%s", err);
	free(db);
	sd->spoolroot = xasprintf("%s/spool", sd->datadir);
	job_recover(sd->ix, sd->spoolroot);
	sohoad_prepare_folders(&sd->ps);

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = sohoad_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	wargv[0] = self;
	wargv[1] = "--worker";
	wargv[2] = NULL;
	memset(&po, 0, sizeof po);
	po.workers = sd->conf.workers;
	po.argv = wargv;
	po.time_limit = sd->conf.job_time_limit;
	po.memory_mb = sd->conf.job_memory_mb;
	if ((sd->pool = pool_start(&po, err)) == NULL)
		fatalx("%s", err);
	sd->watch = watch_open(sd->ps.v, sd->ps.n, sd->conf.rescan_seconds);
	sohoad_load_queue(sd);
	sd->started = time(NULL);
	log_info("watching %zu inbox%s with %d worker%s; %zu scan%s waiting "
	    "from before", sd->ps.n, sd->ps.n == 1 ? "" : "es",
	    pool_size(sd->pool), pool_size(sd->pool) == 1 ? "" : "s", sd->nq,
	    sd->nq == 1 ? "" : "s");
	sd_notify(0, "READY=1");
	if (sd_watchdog_enabled(0, &wd_usec) <= 0)
		wd_usec = 0;

	for (;;) {
		now = time(NULL);
		if (got_hup) {
			got_hup = 0;
			sd_notify(0, "RELOADING=1");
			sohoad_reload(sd);
			sd_notify(0, "READY=1");
		}
		if (got_term && stop_deadline == 0) {
			stop_deadline = now + SOHOAD_STOP_GRACE;
			log_info("stopping: %d job%s running get %d seconds to "
			    "finish", pool_busy(sd->pool),
			    pool_busy(sd->pool) == 1 ? "" : "s",
			    SOHOAD_STOP_GRACE);
			sd_notify(0, "STOPPING=1");
		}
		if (stop_deadline != 0) {
			if (pool_busy(sd->pool) == 0 || now >= stop_deadline)
				break;
		} else {
			sohoad_check_room(sd, now);
			sd->turn_end = sohoad_usec() + SOHOAD_TURN_USEC;
			watch_poll(sd->watch, sohoad_claim, sd);
			/* The journal is read again only when claims added to it. */
			if (sd->claimed) {
				sd->claimed = 0;
				sohoad_load_queue(sd);
			}
			sd->turn_end = sohoad_usec() + SOHOAD_TURN_USEC;
			sohoad_dispatch(sd);
		}
		if (pool_wait(sd->pool, 250, &res, &tag) == 1) {
			sohoad_result(sd, tag, res);
			json_decref(res);
		}

		now = time(NULL);
		now_us = sohoad_usec();
		/* Twice as often as systemd asks: a slow turn has room. */
		if (wd_usec > 0 && now_us - last_wd >= wd_usec / 4) {
			sd_notify(0, "WATCHDOG=1");
			last_wd = now_us;
		}
		if (now_us - last_status >= 5000000) {
			sohoad_notify_status(sd);
			last_status = now_us;
		}
		if (sd->nq > 0 || pool_busy(sd->pool) > 0)
			sd->busy_at = now;
		else if (sd->conf.optimize_after > 0 &&
		    sd->since_optimize >= sd->conf.optimize_after &&
		    now - sd->busy_at >= sd->conf.optimize_idle_seconds &&
		    !got_term && !sd->full) {
			/*
			 * Merged into one segment, the full text answers in
			 * about half the time over a million records
			 * (bench/search-1m); it costs about 12 s per million
			 * records, holding the write lock, so only when idle,
			 * and well inside the unit's WatchdogSec.
			 */
			log_info("idle: merging the full-text index after %d new "
			    "documents", sd->since_optimize);
			if (wd_usec > 0)
				sd_notify(0, "WATCHDOG=1");
			if (index_optimize(sd->ix, err) == -1)
				log_warnx("%s", err);
			sd->since_optimize = 0;
			last_wd = 0;	/* a ping at once on the next turn */
		}
	}

	/* Checkpoint: what did not finish is queued for the next start. */
	pool_stop(sd->pool);
	while (sd->nq > 0) {
		if (sd->q[0]->state == JOB_PROCESSING)
			job_set_state(sd->ix, sd->q[0]->id, JOB_QUEUED);
		sohoad_drop(sd, sd->q[0]);
	}
	free(sd->q);
	free(sd->retry_at);
	watch_close(sd->watch);
	index_close(sd->ix);
	log_info("stopped: %d recorded, %d set aside", sd->done,
	    sd->quarantined);
	sd->full = 0;
	sohoad_tell_state(sd);
	close(sd->lockfd);
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "data", required_argument, NULL, 'd' },
		{ "profiles", required_argument, NULL, 'p' },
		{ "config", required_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct sohoad sd;
	const char *data = NULL, *config = NULL;
	char err[ERRMAX], self[PATH_MAX];
	ssize_t n;
	int ch, check = 0, verbose = 0, errors = 0;

	if (argc == 2 && strcmp(argv[1], "--worker") == 0) {
		log_init("sohoad", 0);
		return worker_main();
	}
	log_init("sohoad", 0);
	memset(&sd, 0, sizeof sd);
	while ((ch = getopt_long(argc, argv, "c:hnv", longopts, NULL)) != -1) {
		switch (ch) {
		case 'd':
			data = optarg;
			break;
		case 'p':
			sd.profiles_path = optarg;
			break;
		case 'c':
			config = optarg;
			break;
		case 'n':
			check = 1;
			break;
		case 'v':
			verbose++;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return 2;
	}
	log_setverbose(verbose);

	if (conf_load(config, &sd.conf, err) == -1) {
		log_warnx("%s", err);
		errors++;
		conf_load("/dev/null", &sd.conf, err);	/* defaults */
	}
	if (sd.profiles_path == NULL)
		sd.profiles_path = sd.conf.profiles;
	/* The data folder first: no inbox may hold it (profset_check). */
	sd.datadir = util_path_real(sohoad_datadir(data, &sd.conf));
	errors += profset_load(sd.profiles_path, sd.datadir, &sd.ps);
	if (check) {
		if (errors == 0)
			printf("configuration OK\n");
		profset_free(&sd.ps);
		conf_free(&sd.conf);
		free(sd.datadir);
		return errors ? 1 : 0;
	}
	if (errors)
		fatalx("%d error%s in the configuration; nothing started",
		    errors, errors == 1 ? "" : "s");
	if ((n = readlink("/proc/self/exe", self, sizeof self - 1)) == -1)
		fatal("cannot find my own program file");
	self[n] = '\0';
	sohoad_run(&sd, self);
	profset_free(&sd.ps);
	conf_free(&sd.conf);
	free(sd.datadir);
	free(sd.spoolroot);
	return 0;
}
