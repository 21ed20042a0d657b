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
 * One loop (loop.c) runs it all: the inotify descriptor, the workers'
 * sockets and the signals' pipe are its descriptors; the pass over the
 * inboxes and the queue, systemd's watchdog, STATUS=, the look at a full
 * disk and the idle merge of the full text are timers with deadlines, so
 * each runs on time however fast results come.  The pass does at most a
 * turn's share of claims and dispatches (SOHOAD_TURN_USEC) and comes back
 * on the next turn for the rest; it is planned for when it has work: a
 * file that may be whole, a rescan due, a retry, a result.
 *
 * Signal handlers only note the signal; the loop acts on it.  SIGHUP
 * reloads the profiles (the new set is parsed completely before it
 * replaces the old; a broken file keeps the old set).  SIGTERM stops
 * taking scans, lets running jobs finish for a while, and leaves the rest
 * queued for the next start.  A second SIGINT exits at once.
 */
#include <sys/stat.h>

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
#define SOHOAD_STATUS_MS	5000	/* between STATUS= lines */
/* Work done in one pass before the loop turns again: a claim or a
 * duplicate costs a few fsyncs, and 200 scans dropped at once would
 * otherwise hold the loop for seconds. */
#define SOHOAD_TURN_USEC	200000

struct sohoad {
	struct conf conf;
	struct watch_profiles ps;
	const char *profiles_path;
	char	*datadir;
	char	*spoolroot;
	struct index *ix;
	struct watch *watch;
	struct pool *pool;
	struct loop *loop;
	struct job **q;		/* unfinished jobs, oldest first */
	size_t	 nq;
	uint64_t *retry_at;	/* per queue slot: not before (loop_now) */
	int	 done, quarantined, pages;
	int	 since_optimize;	/* documents recorded since the last merge */
	uint64_t busy_at;		/* last time there was work (loop_now) */
	int	 claimed;		/* new jobs in the journal since the last load */
	int	 work_timer;		/* the next pass, or 0 */
	uint64_t work_at;		/* ... and when it runs */
	int	 merge_timer, wd_timer;
	uint64_t wd_ms;			/* between WATCHDOG=1, 0 = none asked */
	int	 stopping;
	time_t	 started;
	int	 lockfd;		/* the pid file, which also tells the disk's state */
	struct room room;		/* full: nothing is read */
	struct ship *ship;		/* the city's shipper, or NULL without [city] */
	uint64_t turn_end;		/* monotonic usec: this turn's work stops */
};

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


static const struct profile *
sohoad_profile(struct sohoad *sd, const char *name)
{
	size_t i;

	for (i = 0; i < sd->ps.n; i++)
		if (strcmp(sd->ps.v[i].name, name) == 0)
			return &sd->ps.v[i];
	return NULL;
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
 * Now and then (a pass, a timer): below min_free_mb nothing is read
 * (room.c); when there is room again, the waiting scans go first.
 */
static void
sohoad_check_room(struct sohoad *sd, time_t now)
{
	size_t k;

	if (room_check(&sd->room, now) == 0)
		return;
	for (k = 0; k < sd->nq; k++)
		sd->retry_at[k] = 0;
	watch_rescan(sd->watch);
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
		sd->retry_at[k] = loop_now() + (uint64_t)seconds * 1000;
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
		if (!room_short(&sd->room, ROOM_MB))
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
	if (sd->room.full || sohoad_turn_over(sd)) {
		rc = -1;
		goto out;
	}
	if (job_claim(sd->ix, spooldir, p->name, path, rel, &id, err) == -1) {
		if (stat(path, &st) == -1 || !room_short(&sd->room,
		    (uint64_t)st.st_size + ROOM_MB))
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
 * Returns 1 when the turn's share ran out before the queue's end.
 */
static int
sohoad_dispatch(struct sohoad *sd)
{
	struct ingest_hook hook;
	const struct profile *p;
	struct job *j;
	struct document doc;
	json_t *job;
	char err[ERRMAX];
	uint64_t now = loop_now(), later = now + SOHOAD_RETRY_SECONDS * 1000;
	int64_t first;
	size_t k;

	for (k = 0; k < sd->nq && !sd->room.full && !sohoad_turn_over(sd); k++) {
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
				sd->retry_at[k] = later;
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
				if (!room_short(&sd->room, ROOM_MB))
					sd->retry_at[k] = later;
				continue;
			}
			log_info("%s: recorded as #%lld, a duplicate of #%lld",
			    j->source_name, (long long)doc.id, (long long)first);
			ship_wake(sd->ship);
			document_free(&doc);
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
			if (!room_short(&sd->room, ROOM_MB))
				sd->retry_at[k] = later;
			continue;
		}
		job = ingest_job(p, j->spool_path, j->workdir,
		    sd->conf.max_pages);
		if (pool_submit(sd->pool, job, j) == 0) {
			j->state = JOB_PROCESSING;
			job_set_state(sd->ix, j->id, JOB_PROCESSING);
		} else
			sd->retry_at[k] = later;
		json_decref(job);
	}
	return k < sd->nq && !sd->room.full;
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
	struct document doc;
	struct stat st;
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
			if (doc.duplicate_of > 0)
				log_info("%s: recorded as #%lld, a duplicate of "
				    "#%lld", j->source_name, (long long)doc.id,
				    (long long)doc.duplicate_of);
			else {
				log_info("%s: recorded as #%lld (%d page%s)",
				    j->source_name, (long long)doc.id,
				    doc.pages, doc.pages == 1 ? "" : "s");
				sd->pages += doc.pages;
				sd->since_optimize++;
			}
			ship_wake(sd->ship);
			document_free(&doc);
			job_finish(j);
			sd->done++;
			sohoad_drop(sd, j);
			return;
		}
		/* Our side failed (disk full, database): try again later. */
		log_warnx("%s: %s; will try again", j->source_name, err);
		sohoad_requeue(sd, j, !room_short(&sd->room,
		    room_job_needs(j->spool_path, j->workdir)));
		return;
	}
	/*
	 * The worker could not write its PDF or text, or failed while the
	 * disk was all but full: the scan waits for room, it is not set
	 * aside.  Twice the scan's size is room enough for its PDF.
	 */
	if (json_is_true(json_object_get(res, "disk_full")) ||
	    room_short(&sd->room, 2 * (stat(j->spool_path, &st) == 0 ?
	    (uint64_t)st.st_size : 0) + ROOM_MB)) {
		if (json_is_true(json_object_get(res, "disk_full")) &&
		    util_disk_free(sd->datadir, &sd->room.free) == 0)
			room_full(&sd->room, sd->room.free);
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

	if (sd->room.full)
		sd_notifyf(0, "STATUS=waiting: the data disk is full (%.1f MB "
		    "free); queue %zu, %d recorded, %d set aside since start",
		    sd->room.free / (double)ROOM_MB, sd->nq, sd->done,
		    sd->quarantined);
	else
		sd_notifyf(0, "STATUS=queue %zu, %d recorded, %d set aside "
		    "since start, %.1f pages/min", sd->nq, sd->done,
		    sd->quarantined, mins > 0.01 ? sd->pages / mins : 0.0);
}

static void sohoad_work(void *);
static void sohoad_watch_open(struct sohoad *);
static void sohoad_watch_close(struct sohoad *);

/* The next pass runs in ms milliseconds, or sooner if one is planned. */
static void
sohoad_kick(struct sohoad *sd, uint64_t ms)
{
	uint64_t at = loop_now() + ms;

	if (sd->stopping)
		return;
	if (sd->work_timer != 0) {
		if (sd->work_at <= at)
			return;
		loop_remove_timer(sd->loop, sd->work_timer);
	}
	sd->work_at = at;
	sd->work_timer = loop_add_timer(sd->loop, ms, sohoad_work, sd);
}

static int
sohoad_reload(struct sohoad *sd)
{
	struct watch_profiles ps;
	int errors;

	log_info("reloading the scanner profiles from %s", sd->profiles_path);
	if ((errors = watch_profiles_load(sd->profiles_path, sd->datadir,
	    &sd->conf, &ps)) > 0) {
		log_warnx("%d error%s in the new profiles; keeping the %zu "
		    "profile%s in use", errors, errors == 1 ? "" : "s",
		    sd->ps.n, sd->ps.n == 1 ? "" : "s");
		return -1;
	}
	watch_make_folders(&ps);
	sohoad_watch_close(sd);
	watch_profiles_free(&sd->ps);
	sd->ps = ps;
	sohoad_watch_open(sd);
	log_info("%zu profile%s in use", sd->ps.n, sd->ps.n == 1 ? "" : "s");
	/* Jobs of a profile that came back can be read now. */
	sohoad_kick(sd, 0);
	return 0;
}


static void
sohoad_watchdog(void *arg)
{
	struct sohoad *sd = arg;

	sd_notify(0, "WATCHDOG=1");
	sd->wd_timer = loop_add_timer(sd->loop, sd->wd_ms, sohoad_watchdog, sd);
}

static void
sohoad_status(void *arg)
{
	struct sohoad *sd = arg;

	sohoad_notify_status(sd);
	loop_add_timer(sd->loop, SOHOAD_STATUS_MS, sohoad_status, sd);
}

static int
sohoad_busy(const struct sohoad *sd)
{
	return sd->nq > 0 || pool_busy(sd->pool) > 0;
}

/*
 * Merged into one segment, the full text answers in about half the time
 * over a million records (bench/search-1m); it costs about 12 s per
 * million records, holding the write lock, so only once the daemon has
 * been idle for optimize_idle_seconds, and well inside the unit's
 * WatchdogSec.
 */
static void
sohoad_merge(void *arg)
{
	struct sohoad *sd = arg;
	uint64_t idle = (uint64_t)sd->conf.optimize_idle_seconds * 1000;
	uint64_t now = loop_now();
	char err[ERRMAX];

	sd->merge_timer = 0;
	if (sohoad_busy(sd) || sd->stopping || sd->room.full)
		return;		/* planned again once idle (sohoad_plan) */
	if (now - sd->busy_at < idle) {
		sd->merge_timer = loop_add_timer(sd->loop, sd->busy_at + idle -
		    now, sohoad_merge, sd);
		return;
	}
	log_info("idle: merging the full-text index after %d new documents",
	    sd->since_optimize);
	if (sd->wd_ms > 0)
		sd_notify(0, "WATCHDOG=1");
	if (index_optimize(sd->ix, err) == -1)
		log_warnx("%s", err);
	sd->since_optimize = 0;
	if (sd->wd_ms > 0) {
		loop_remove_timer(sd->loop, sd->wd_timer);
		sohoad_watchdog(sd);	/* at once: the merge took a while */
	}
}

/*
 * After a pass: the next one when there is something to do (more == 1:
 * the pass stopped at its share), and the merge once idle.
 */
static void
sohoad_plan(struct sohoad *sd, int more)
{
	uint64_t now = loop_now(), next, idle;
	size_t k;

	next = more ? 0 : (uint64_t)watch_next_ms(sd->watch);
	for (k = 0; k < sd->nq; k++)
		if (sd->retry_at[k] > now && sd->retry_at[k] - now < next)
			next = sd->retry_at[k] - now;
	sohoad_kick(sd, next);
	if (sohoad_busy(sd)) {
		sd->busy_at = now;
		return;
	}
	idle = (uint64_t)sd->conf.optimize_idle_seconds * 1000;
	if (sd->conf.optimize_after > 0 && sd->since_optimize >=
	    sd->conf.optimize_after && sd->merge_timer == 0)
		sd->merge_timer = loop_add_timer(sd->loop, sd->busy_at + idle >
		    now ? sd->busy_at + idle - now : 0, sohoad_merge, sd);
}

/* A pass over the inboxes (claims) and the queue (dispatch). */
static void
sohoad_work(void *arg)
{
	struct sohoad *sd = arg;
	int more;

	sd->work_timer = 0;
	if (sd->stopping)
		return;
	sohoad_check_room(sd, time(NULL));
	if (sd->room.full)
		return;		/* sohoad_room looks again, and kicks */
	sd->turn_end = sohoad_usec() + SOHOAD_TURN_USEC;
	watch_poll(sd->watch, sohoad_claim, sd);
	/* The journal is read again only when claims added to it. */
	if (sd->claimed) {
		sd->claimed = 0;
		sohoad_load_queue(sd);
	}
	sd->turn_end = sohoad_usec() + SOHOAD_TURN_USEC;
	more = sohoad_dispatch(sd);
	if (!sd->room.full)
		sohoad_plan(sd, more);
}

/* Every few seconds: a disk that filled up, or has room again. */
static void
sohoad_room(void *arg)
{
	struct sohoad *sd = arg;
	int was = sd->room.full;

	if (!sd->stopping)
		sohoad_check_room(sd, time(NULL));
	if (was && !sd->room.full)
		sohoad_kick(sd, 0);
	loop_add_timer(sd->loop, ROOM_CHECK_SECONDS * 1000, sohoad_room, sd);
}

static void
sohoad_inotify(int fd, void *arg)
{
	struct sohoad *sd = arg;

	watch_events(sd->watch);
	if (!sd->room.full)
		sohoad_kick(sd, (uint64_t)watch_next_ms(sd->watch));
}

static void
sohoad_watch_open(struct sohoad *sd)
{
	sd->watch = watch_open(sd->ps.v, sd->ps.n, sd->conf.rescan_seconds);
	if (watch_fd(sd->watch) != -1)
		loop_add_fd(sd->loop, watch_fd(sd->watch), sohoad_inotify, sd);
}

static void
sohoad_watch_close(struct sohoad *sd)
{
	if (watch_fd(sd->watch) != -1)
		loop_remove_fd(sd->loop, watch_fd(sd->watch));
	watch_close(sd->watch);
	sd->watch = NULL;
}

static void
sohoad_on_result(void *tag, json_t *res, void *arg)
{
	struct sohoad *sd = arg;

	sohoad_result(sd, tag, res);
	sd->busy_at = loop_now();
	if (sd->stopping && pool_busy(sd->pool) == 0)
		loop_quit(sd->loop);
	sohoad_kick(sd, 0);	/* a worker is free */
}

static void
sohoad_quit(void *arg)
{
	struct sohoad *sd = arg;

	loop_quit(sd->loop);
}

static noreturn void
sohoad_int_again(int sig)
{
	_exit(130);
}

static void
sohoad_signal(int sig, void *arg)
{
	struct sohoad *sd = arg;

	if (sig == SIGHUP) {
		sd_notify(0, "RELOADING=1");
		sohoad_reload(sd);
		sd_notify(0, "READY=1");
		return;
	}
	/* A second SIGINT exits at once, whatever the loop is doing. */
	if (sig == SIGINT)
		signal(SIGINT, sohoad_int_again);
	if (sd->stopping)
		return;
	sd->stopping = 1;
	log_info("stopping: %d job%s running get %d seconds to finish",
	    pool_busy(sd->pool), pool_busy(sd->pool) == 1 ? "" : "s",
	    SOHOAD_STOP_GRACE);
	sd_notify(0, "STOPPING=1");
	if (pool_busy(sd->pool) == 0)
		loop_quit(sd->loop);
	else
		loop_add_timer(sd->loop, SOHOAD_STOP_GRACE * 1000, sohoad_quit,
		    sd);
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

/* Starts everything, runs the loop until told to stop, checkpoints. */
static void
sohoad_run(struct sohoad *sd, char *self)
{
	static const int sigs[] = { SIGTERM, SIGINT, SIGHUP };
	struct pool_opts po;
	uint64_t wd_usec = 0;
	char err[ERRMAX], *db, *wargv[3];
	size_t i;

	if (util_mkdirs_private(sd->datadir) == -1)
		fatal("cannot create the data folder %s", sd->datadir);
	sd->lockfd = sohoad_lock(sd->datadir);
	room_init(&sd->room, sd->datadir, sd->conf.min_free_mb, sd->lockfd,
	    &sd->nq);
	db = xasprintf("%s/sohoa.db", sd->datadir);
	if ((sd->ix = index_open(db, err)) == NULL)
		fatalx("%s", err);
	free(db);
	sd->spoolroot = xasprintf("%s/spool", sd->datadir);
	job_recover(sd->ix, sd->spoolroot);
	ingest_recover(sd->ix, sd->datadir);
	watch_make_folders(&sd->ps);

	sd->loop = loop_new();
	for (i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
		if (loop_signal(sd->loop, sigs[i], sohoad_signal, sd) == -1)
			fatal("cannot take signals");
	signal(SIGPIPE, SIG_IGN);
	sd->ship = ship_begin(sd->loop, sd->ix, &sd->conf, self, sd->datadir);

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
	pool_attach(sd->pool, sd->loop, sohoad_on_result, sd);
	sohoad_watch_open(sd);
	sohoad_load_queue(sd);
	sd->started = time(NULL);
	log_info("watching %zu inbox%s with %d worker%s; %zu scan%s waiting "
	    "from before", sd->ps.n, sd->ps.n == 1 ? "" : "es",
	    pool_size(sd->pool), pool_size(sd->pool) == 1 ? "" : "s", sd->nq,
	    sd->nq == 1 ? "" : "s");
	sd_notify(0, "READY=1");
	/* Twice as often as systemd asks, and twice again: a callback that
	 * takes a while (a big package's fsync) still leaves room. */
	if (sd_watchdog_enabled(0, &wd_usec) > 0 && wd_usec > 0) {
		sd->wd_ms = wd_usec / 4000 > 0 ? wd_usec / 4000 : 1;
		sohoad_watchdog(sd);
	}
	sohoad_status(sd);
	loop_add_timer(sd->loop, ROOM_CHECK_SECONDS * 1000, sohoad_room, sd);
	sohoad_kick(sd, 0);
	loop_run(sd->loop);

	/* Checkpoint: what did not finish is queued for the next start. */
	pool_stop(sd->pool);
	while (sd->nq > 0) {
		if (sd->q[0]->state == JOB_PROCESSING)
			job_set_state(sd->ix, sd->q[0]->id, JOB_QUEUED);
		sohoad_drop(sd, sd->q[0]);
	}
	free(sd->q);
	free(sd->retry_at);
	sohoad_watch_close(sd);
	ship_stop(sd->ship);
	loop_free(sd->loop);
	index_close(sd->ix);
	log_info("stopped: %d recorded, %d set aside", sd->done,
	    sd->quarantined);
	sd->room.full = 0;
	room_tell(&sd->room);
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
	/* The city's shipper (ship.c), started by sohoad itself. */
	if (argc == 4 && strcmp(argv[1], "--ship") == 0) {
		log_init("sohoad", 0);
		return ship_main(argv[2], argv[3]);
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
	/* The data folder first: no inbox may hold it (watch_profiles_check). */
	sd.datadir = util_path_real(sohoad_datadir(data, &sd.conf));
	errors += watch_profiles_load(sd.profiles_path, sd.datadir, &sd.conf,
	    &sd.ps);
	if (check) {
		if (errors == 0)
			printf("configuration OK\n");
		watch_profiles_free(&sd.ps);
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
	watch_profiles_free(&sd.ps);
	conf_free(&sd.conf);
	free(sd.datadir);
	free(sd.spoolroot);
	return 0;
}
