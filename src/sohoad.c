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
};

static volatile sig_atomic_t got_term, got_hup, got_int;

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

static char *
sohoad_abspath(const char *p)
{
	char cwd[PATH_MAX];

	if (p[0] == '/' || getcwd(cwd, sizeof cwd) == NULL)
		return xstrdup(p);
	return xasprintf("%s/%s", cwd, p);
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

/* What the daemon needs of a profile beyond what profile_load checks. */
static int
profset_check(struct profset *ps, struct profile *p, char *err)
{
	char *tmp;
	size_t i;

	if (p->inbox == NULL || p->quarantine == NULL) {
		snprintf(err, ERRMAX, "%s: the daemon needs '%s' in the "
		    "[profile] section", p->path, p->inbox == NULL ? "inbox" :
		    "quarantine");
		return -1;
	}
	tmp = sohoad_abspath(p->inbox);
	free(p->inbox);
	p->inbox = tmp;
	tmp = sohoad_abspath(p->quarantine);
	free(p->quarantine);
	p->quarantine = tmp;
	if (strcmp(p->inbox, p->quarantine) == 0) {
		snprintf(err, ERRMAX, "%s: inbox and quarantine must be "
		    "different folders", p->path);
		return -1;
	}
	for (i = 0; i < ps->n; i++) {
		if (strcmp(ps->v[i].name, p->name) == 0) {
			snprintf(err, ERRMAX, "%s: the name '%s' is already "
			    "used by %s", p->path, p->name, ps->v[i].path);
			return -1;
		}
		if (strcmp(ps->v[i].inbox, p->inbox) == 0) {
			snprintf(err, ERRMAX, "%s: the inbox %s is already "
			    "watched for %s", p->path, p->inbox, ps->v[i].path);
			return -1;
		}
	}
	return 0;
}

/*
 * Loads every profile of a folder (or the one file named), reporting each
 * error through log_warnx.  Returns the number of errors; on 0 errors *ps
 * holds the new set, otherwise it is left empty.
 */
static int
profset_load(const char *path, struct profset *ps)
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
		} else if (profset_check(ps, &p, err) == -1) {
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

static void
sohoad_quarantine(struct sohoad *sd, struct job *j, const char *reason)
{
	const struct profile *p = sohoad_profile(sd, j->profile);
	char err[ERRMAX];

	if (p == NULL) {
		log_warnx("%s: %s; its profile '%s' is gone, so it stays in %s",
		    j->source_name, reason, j->profile, j->spool_path);
		return;
	}
	if (job_quarantine(sd->ix, j, p->quarantine, reason, err) == -1) {
		log_warnx("%s: %s; and it cannot be set aside: %s",
		    j->source_name, reason, err);
		return;
	}
	log_warnx("%s: %s; set aside in %s", j->source_name, reason,
	    j->quarantine_path);
	sd->quarantined++;
	sohoad_drop(sd, j);
}

static void
sohoad_claim(int prof, const char *path, const char *rel, void *arg)
{
	struct sohoad *sd = arg;
	const struct profile *p = &sd->ps.v[prof];
	char *spooldir = xasprintf("%s/%s", sd->spoolroot, p->name);
	char err[ERRMAX];
	int64_t id;

	if (job_claim(sd->ix, spooldir, p->name, path, rel, &id, err) == -1)
		log_warnx("%s: %s", path, err);
	else {
		log_debug("%s: claimed as job %lld", path, (long long)id);
		sd->claimed = 1;
	}
	free(spooldir);
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

/* Hands queued jobs to idle workers; duplicates are recorded right here. */
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

	for (k = 0; k < sd->nq && pool_idle(sd->pool) > 0; k++) {
		j = sd->q[k];
		if (j->state != JOB_QUEUED || sd->retry_at[k] > now ||
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
		if ((first = index_find_sha256(sd->ix, j->sha256)) != 0) {
			hook.before_commit = job_done_tx;
			hook.arg = j;
			err[0] = '\0';
			if (ingest_record_duplicate(sd->ix, p, j->source_name,
			    first, &hook, &doc, err) == -1) {
				log_warnx("%s: %s", j->source_name, err);
				sd->retry_at[k] = now + SOHOAD_RETRY_SECONDS;
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
			sd->retry_at[k] = now + SOHOAD_RETRY_SECONDS;
			continue;
		}
		job = ingest_job(p, j->spool_path, j->workdir,
		    sd->conf.max_pages);
		if (pool_submit(sd->pool, job, j) == 0) {
			j->state = JOB_PROCESSING;
			job_set_state(sd->ix, j->id, JOB_PROCESSING);
		}
		json_decref(job);
	}
}

static void
sohoad_result(struct sohoad *sd, struct job *j, json_t *res)
{
	const struct profile *p = sohoad_profile(sd, j->profile);
	const char *why = json_string_value(json_object_get(res, "reason"));
	struct ingest_hook hook;
	json_t *doc;
	char err[ERRMAX] = "", *msg;
	size_t k;

	if (why == NULL)
		why = "the scan could not be read";
	if (p == NULL) {
		/* Its profile went away in a reload: keep it queued. */
		log_warnx("%s: its profile '%s' is no longer loaded; it waits "
		    "in %s", j->source_name, j->profile, j->spool_path);
		j->state = JOB_QUEUED;
		job_set_state(sd->ix, j->id, JOB_QUEUED);
		return;
	}
	if (json_is_true(json_object_get(res, "ok"))) {
		hook.before_commit = job_done_tx;
		hook.arg = j;
		if (ingest_record(sd->ix, sd->datadir, p, j->spool_path,
		    j->source_name, j->sha256, res, &hook, &doc, err) == 0) {
			log_info("%s: recorded as #%lld (%lld page%s)",
			    j->source_name, (long long)json_integer_value(
			    json_object_get(doc, "id")),
			    (long long)json_integer_value(json_object_get(doc,
			    "pages")), json_integer_value(json_object_get(doc,
			    "pages")) == 1 ? "" : "s");
			sd->pages += (int)json_integer_value(json_object_get(doc,
			    "pages"));
			sd->since_optimize++;
			json_decref(doc);
			job_finish(j);
			sd->done++;
			sohoad_drop(sd, j);
			return;
		}
		/* Our side failed (disk full, database): try again later. */
		log_warnx("%s: %s; will try again", j->source_name, err);
		j->state = JOB_QUEUED;
		job_set_state(sd->ix, j->id, JOB_QUEUED);
		for (k = 0; k < sd->nq; k++)
			if (sd->q[k] == j)
				sd->retry_at[k] = time(NULL) +
				    SOHOAD_RETRY_SECONDS;
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

	sd_notifyf(0, "STATUS=queue %zu, %d recorded, %d set aside since "
	    "start, %.1f pages/min", sd->nq, sd->done, sd->quarantined,
	    mins > 0.01 ? sd->pages / mins : 0.0);
}

static int
sohoad_reload(struct sohoad *sd)
{
	struct profset ps;
	int errors;

	log_info("reloading the scanner profiles from %s", sd->profiles_path);
	if ((errors = profset_load(sd->profiles_path, &ps)) > 0) {
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
	if (ftruncate(fd, 0) == -1 || write(fd, pid, strlen(pid)) == -1)
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

static void
sohoad_run(struct sohoad *sd, char *self)
{
	struct pool_opts po;
	struct sigaction sa;
	uint64_t wd_usec = 0;
	time_t last_status = 0, last_wd = 0, stop_deadline = 0, now;
	char err[ERRMAX], *db, *wargv[3];
	json_t *res;
	void *tag;
	int lockfd;

	if (util_mkdirs_private(sd->datadir) == -1)
		fatal("cannot create the data folder %s", sd->datadir);
	lockfd = sohoad_lock(sd->datadir);
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
			watch_poll(sd->watch, sohoad_claim, sd);
			/* The journal is read again only when claims added to it. */
			if (sd->claimed) {
				sd->claimed = 0;
				sohoad_load_queue(sd);
			}
			sohoad_dispatch(sd);
		}
		if (pool_wait(sd->pool, 250, &res, &tag) == 1) {
			sohoad_result(sd, tag, res);
			json_decref(res);
			continue;	/* dispatch again before sleeping */
		}
		if (now - last_status >= 5) {
			sohoad_notify_status(sd);
			last_status = now;
		}
		if (sd->nq > 0 || pool_busy(sd->pool) > 0)
			sd->busy_at = now;
		else if (sd->conf.optimize_after > 0 &&
		    sd->since_optimize >= sd->conf.optimize_after &&
		    now - sd->busy_at >= sd->conf.optimize_idle_seconds &&
		    !got_term) {
			/*
			 * Merged into one segment, the full text answers in
			 * about half the time over a million records
			 * (bench/search-1m); it costs about 12 s per million
			 * records, holding the write lock, so only when idle.
			 */
			log_info("idle: merging the full-text index after %d new "
			    "documents", sd->since_optimize);
			if (index_optimize(sd->ix, err) == -1)
				log_warnx("%s", err);
			sd->since_optimize = 0;
		}
		if (wd_usec > 0 && (uint64_t)(now - last_wd) * 2000000 >= wd_usec) {
			sd_notify(0, "WATCHDOG=1");
			last_wd = now;
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
	close(lockfd);
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
	errors += profset_load(sd.profiles_path, &sd.ps);
	if (check) {
		if (errors == 0)
			printf("configuration OK\n");
		profset_free(&sd.ps);
		conf_free(&sd.conf);
		return errors ? 1 : 0;
	}
	if (errors)
		fatalx("%d error%s in the configuration; nothing started",
		    errors, errors == 1 ? "" : "s");
	sd.datadir = sohoad_abspath(sohoad_datadir(data, &sd.conf));
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
