/*
 * job.c: the daemon's journal of scans taken from the inboxes.
 *
 * A scan is claimed in three steps: the job is recorded as "claiming"
 * with the inbox path and the spool path it is going to, the file is
 * moved (an atomic rename, or a durable copy and an unlink from a network
 * share), and the job becomes "queued".  A job then moves queued ->
 * processing -> done, or -> quarantining -> quarantined, and the table
 * lives in the index's database so that "done" commits in the same
 * transaction as the record.  The spool file is removed only after that
 * commit; a file set aside goes to the quarantine folder with
 * NAME.reason.txt beside it.
 *
 * A file name from the inbox is bytes (a scanner writing to a share in a
 * legacy encoding makes names that are not UTF-8, others make names near
 * the 255-byte limit): the job keeps them as they are, the spool name is
 * made of a unique prefix and a short, clean form of the name, so that it
 * always fits, and the quarantine gives the scan back its own name, cut
 * only where the ".reason.txt" beside it would not fit.
 *
 * Killed at any instant, job_recover() brings every scan back to a state
 * it can go on from: a claim cut short is finished or undone (the journal
 * says where the file was and where it was going), a spool file with no
 * job (left by an older sohoa) is adopted, processing jobs are queued
 * again, a done job's leftover spool file is removed, a half-done
 * quarantine is finished.  Nothing is lost and nothing is recorded twice.
 */
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <utf8proc.h>

#include "sohoa.h"

static const char job_schema[] =
	"CREATE TABLE IF NOT EXISTS jobs ("
	"  id INTEGER PRIMARY KEY,"
	"  profile TEXT NOT NULL,"
	"  source_name TEXT NOT NULL,"
	"  spool_path TEXT NOT NULL UNIQUE,"
	"  state TEXT NOT NULL,"
	"  attempts INTEGER NOT NULL DEFAULT 0,"
	"  reason TEXT,"
	"  quarantine_path TEXT,"
	"  document_id INTEGER,"
	"  claimed_at TEXT NOT NULL,"
	"  finished_at TEXT,"
	"  inbox_path TEXT);"		/* where a claim took it from */
	"CREATE INDEX IF NOT EXISTS jobs_state ON jobs(state, profile);";

#define JOB_VERSION	1	/* the journal's schema (db.c) */

const char *job_state_names[] = {
	[JOB_QUEUED] = "queued",
	[JOB_PROCESSING] = "processing",
	[JOB_DONE] = "done",
	[JOB_QUARANTINING] = "quarantining",
	[JOB_QUARANTINED] = "quarantined",
	[JOB_CLAIMING] = "claiming",
	[JOB_REQUEUED] = "requeued",	/* put back into its inbox */
};

/*
 * The journal's table, from version from to 1 (db.c's setup transaction):
 * made if missing, and inbox_path added to a journal made before claims
 * were recorded first.
 */
static int
job_upgrade(struct db *db, int from, char *err)
{
	char msg[ERRMAX];

	if (db_exec(db, job_schema, msg) == -1 ||
	    (!db_has_column(db, "jobs", "inbox_path") && db_exec(db,
	    "ALTER TABLE jobs ADD COLUMN inbox_path TEXT", msg) == -1)) {
		snprintf(err, ERRMAX, "cannot set up the job journal: %s", msg);
		return -1;
	}
	return 0;
}

const struct db_module job_module = {
	"jobs", JOB_VERSION, job_upgrade, NULL, 0, NULL
};

/* Runs one statement with text/integer arguments given as a format:
 * 's' text (NULL = SQL NULL), 'i' int64.  Returns 0 when it ran. */
static int
job_exec(struct index *ix, const char *sql, const char *fmt, ...)
{
	struct db_stmt *st;
	va_list ap;
	int i, rc;

	if ((st = db_prepare(index_db(ix), sql)) == NULL) {
		log_warnx("job journal: %s", db_errmsg(index_db(ix)));
		return -1;
	}
	va_start(ap, fmt);
	for (i = 0; fmt[i] != '\0'; i++) {
		if (fmt[i] == 's') {
			const char *s = va_arg(ap, const char *);

			if (s == NULL)
				db_bind_null(st, i + 1);
			else
				db_bind_text(st, i + 1, s);
		} else
			db_bind_int64(st, i + 1, va_arg(ap, int64_t));
	}
	va_end(ap);
	rc = db_step(st);
	db_finalize(st);
	if (rc != DB_DONE && rc != DB_ROW) {
		log_warnx("job journal: %s", db_errmsg(index_db(ix)));
		return -1;
	}
	return 0;
}

void
job_free(struct job *j)
{
	if (j == NULL)
		return;
	free(j->profile);
	free(j->source_name);
	free(j->spool_path);
	free(j->quarantine_path);
	free(j->reason);
	free(j->inbox_path);
	free(j);
}

static enum job_state
job_state_of(const char *s)
{
	int i;

	for (i = 0; i <= JOB_REQUEUED; i++)
		if (s != NULL && strcmp(s, job_state_names[i]) == 0)
			return (enum job_state)i;
	return JOB_QUEUED;
}

static char *
job_col(struct db_stmt *st, int i)
{
	const char *s = db_col_text(st, i);

	return s ? xstrdup(s) : NULL;
}

/* Jobs in the given state (or every unfinished one when state < 0), oldest
 * first.  Returns the count; *out is an array the caller frees with
 * job_free_list. */
size_t
job_list(struct index *ix, int state, struct job ***out)
{
	struct db_stmt *st;
	struct job **v = NULL, *j;
	size_t n = 0;

	*out = NULL;
	if ((st = db_prepare(index_db(ix), state >= 0 ?
	    "SELECT id, profile, source_name, spool_path, state, attempts, "
	    "reason, quarantine_path, inbox_path FROM jobs WHERE state = ?1 "
	    "ORDER BY id" :
	    "SELECT id, profile, source_name, spool_path, state, attempts, "
	    "reason, quarantine_path, inbox_path FROM jobs WHERE state NOT IN "
	    "('done', 'quarantined', 'requeued') ORDER BY id")) == NULL)
		return 0;
	if (state >= 0)
		db_bind_text(st, 1, job_state_names[state]);
	while (db_step(st) == DB_ROW) {
		j = xcalloc(1, sizeof *j);
		j->id = db_col_int64(st, 0);
		j->profile = job_col(st, 1);
		j->source_name = job_col(st, 2);
		j->spool_path = job_col(st, 3);
		j->state = job_state_of(db_col_text(st, 4));
		j->attempts = (int)db_col_int64(st, 5);
		j->reason = job_col(st, 6);
		j->quarantine_path = job_col(st, 7);
		j->inbox_path = job_col(st, 8);
		v = xrealloc(v, (n + 1) * sizeof *v);
		v[n++] = j;
	}
	db_finalize(st);
	*out = v;
	return n;
}

void
job_free_list(struct job **v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		job_free(v[i]);
	free(v);
}

/* Copies src to dst durably and removes src: for an inbox on another
 * filesystem (a network share), where rename cannot move the file. */
static int
job_copy_move(const char *src, const char *dst, char *err)
{
	struct buf b;
	int rc;

	if (util_read_file(src, (size_t)8 << 30, &b, err) == -1)
		return -1;
	rc = util_write_durable(dst, b.data, b.len, err);
	buf_free(&b);
	if (rc == 0 && unlink(src) == -1) {
		snprintf(err, ERRMAX, "copied, but cannot remove %s: %s", src,
		    strerror(errno));
		unlink(dst);
		rc = -1;
	}
	return rc;
}

static int
job_move(const char *src, const char *dst, char *err)
{
	if (rename(src, dst) == 0) {
		util_fsync_dir_of(dst);
		util_fsync_dir_of(src);
		return 0;
	}
	if (errno == EXDEV)
		return job_copy_move(src, dst, err);
	snprintf(err, ERRMAX, "cannot move %s to %s: %s", src, dst,
	    strerror(errno));
	return -1;
}

/*
 * A spool name: a prefix unique to this claim, then the scan's name made
 * short and plain (at most JOB_SPOOL_NAMEMAX bytes of it, cut between
 * characters, with bytes that are not UTF-8, controls and slashes turned
 * into '_'), so that it always fits in a folder entry and always goes
 * into the worker's JSON.  The journal keeps the name itself.
 */
#define JOB_SPOOL_NAMEMAX	80
static char *
job_spool_name(const char *spooldir, const char *rel)
{
	static unsigned counter;
	const unsigned char *p = (const unsigned char *)util_basename(rel);
	struct timespec ts;
	struct buf clean;
	utf8proc_int32_t cp;
	utf8proc_ssize_t n;
	char *name;

	buf_init(&clean, JOB_SPOOL_NAMEMAX);
	while (*p != '\0') {
		n = utf8proc_iterate(p, -1, &cp);
		if (n <= 0 || cp < 0x20 || cp == 0x7f || (cp >= 0x80 &&
		    cp < 0xa0)) {
			if (buf_append(&clean, "_", 1) == -1)
				break;
			p++;
			continue;
		}
		if (buf_append(&clean, p, (size_t)n) == -1)
			break;
		p += n;
	}
	clock_gettime(CLOCK_REALTIME, &ts);
	name = xasprintf("%s/%lld%09ld-%d-%u_%s", spooldir,
	    (long long)ts.tv_sec, ts.tv_nsec, (int)getpid(), counter++,
	    clean.data ? clean.data : "scan");
	buf_free(&clean);
	return name;
}

/* Records a job for a file that is (or is about to be) in the spool. */
static int
job_insert(struct index *ix, const char *profile, const char *name,
    const char *inbox, const char *spool, enum job_state state)
{
	char now[40];

	util_now_iso8601(now);
	return job_exec(ix, "INSERT INTO jobs (profile, source_name, "
	    "inbox_path, spool_path, state, claimed_at) VALUES (?1, ?2, ?3, "
	    "?4, ?5, ?6)", "ssssss", profile, name, inbox, spool,
	    job_state_names[state], now);
}

int
job_claim(struct index *ix, const char *spooldir, const char *profile,
    const char *path, const char *rel, int64_t *id, char *err)
{
	char *spool = job_spool_name(spooldir, rel);
	int rc = -1;

	if (util_mkdirs(spooldir, 0750) == -1) {
		snprintf(err, ERRMAX, "cannot create the spool folder %s: %s",
		    spooldir, strerror(errno));
		goto out;
	}
	/* The plan is on record before anything moves. */
	if (job_insert(ix, profile, rel, path, spool, JOB_CLAIMING) == -1) {
		snprintf(err, ERRMAX, "cannot record the job (%s); the scan "
		    "stays in the inbox", db_errmsg(index_db(ix)));
		goto out;
	}
	*id = db_last_id(index_db(ix));
	if (job_move(path, spool, err) == -1) {
		/* Nothing moved: the scan is still in the inbox. */
		job_exec(ix, "DELETE FROM jobs WHERE id = ?1", "i", *id);
		goto out;
	}
	/* Should this fail, job_settle_claim finishes the claim later. */
	job_set_state(ix, *id, JOB_QUEUED);
	rc = 0;
out:
	free(spool);
	return rc;
}

/*
 * A claim cut short (killed, or its last step failed): where is the
 * scan?  In the spool: the claim happened, the job is queued; a copy left
 * in the inbox by a move across filesystems is removed when it holds the
 * same bytes (otherwise it is a new scan under the same name, and stays).
 * Still in the inbox: nothing was moved, the job is dropped and the scan
 * is claimed again like any other.  In neither: someone took it away.
 * Returns the job's state now, or -1 when the job is gone.
 */
int
job_settle_claim(struct index *ix, struct job *j)
{
	struct stat st;
	char a[65], b[65], err[ERRMAX];

	if (lstat(j->spool_path, &st) == 0) {
		if (j->inbox_path != NULL && lstat(j->inbox_path, &st) == 0 &&
		    util_sha256_file(j->inbox_path, a, err) == 0 &&
		    util_sha256_file(j->spool_path, b, err) == 0 &&
		    strcmp(a, b) == 0 && unlink(j->inbox_path) == 0)
			util_fsync_dir_of(j->inbox_path);
		if (job_set_state(ix, j->id, JOB_QUEUED) == -1)
			return JOB_CLAIMING;
		j->state = JOB_QUEUED;
		return JOB_QUEUED;
	}
	if (j->inbox_path == NULL || lstat(j->inbox_path, &st) == -1)
		log_warnx("%s: the scan was taken out of the inbox before it "
		    "could be claimed", j->source_name);
	if (job_exec(ix, "DELETE FROM jobs WHERE id = ?1", "i", j->id) == -1)
		return JOB_CLAIMING;
	return -1;
}

int
job_set_state(struct index *ix, int64_t id, enum job_state state)
{
	return job_exec(ix, "UPDATE jobs SET state = ?2 WHERE id = ?1", "is",
	    id, job_state_names[state]);
}

/* The ingest hook: marks the job done inside the record's transaction. */
int
job_done_tx(struct index *ix, int64_t doc_id, void *arg, char *err)
{
	struct job *j = arg;
	char now[40];

	util_now_iso8601(now);
	if (job_exec(ix, "UPDATE jobs SET state = 'done', document_id = ?2, "
	    "finished_at = ?3, reason = NULL WHERE id = ?1", "iis", j->id,
	    doc_id, now) == -1) {
		snprintf(err, ERRMAX, "cannot mark the job done");
		return -1;
	}
	return 0;
}

/* After the commit: the original leaves the spool. */
void
job_finish(struct job *j)
{
	if (unlink(j->spool_path) == 0)
		util_fsync_dir_of(j->spool_path);
}

/*
 * The scan's own name, cut to at most max bytes when it is longer: the
 * extension is kept, the stem is cut between characters and followed by
 * "~" and 8 hex digits of the whole name's SHA-256, so that two long
 * names cut alike still differ.  Caller frees.
 */
static char *
job_fit_name(const char *base, size_t max)
{
	const char *dot = strrchr(base, '.');
	size_t len = strlen(base), ext, stem;
	char hex[65];

	if (len <= max)
		return xstrdup(base);
	ext = dot != NULL && dot != base && strlen(dot) <= 16 ? strlen(dot) : 0;
	stem = max - ext - 9;
	/* Not inside a UTF-8 character: back off its continuation bytes. */
	while (stem > 0 && ((unsigned char)base[stem] & 0xc0) == 0x80)
		stem--;
	util_sha256(base, len, hex);
	return xasprintf("%.*s~%.8s%s", (int)stem, base, hex,
	    ext ? base + len - ext : "");
}

/*
 * A free name in the quarantine folder: NAME, else NAME.1, NAME.2 ...;
 * NAME cut (job_fit_name) so that NAME.9999.reason.txt still fits.
 */
static char *
job_quarantine_name(const char *qdir, const char *source_name)
{
	char *base = job_fit_name(util_basename(source_name), NAME_MAX -
	    strlen(".9999") - strlen(".reason.txt"));
	char *p = xasprintf("%s/%s", qdir, base);
	struct stat st;
	int i;

	for (i = 1; lstat(p, &st) == 0 && i < 10000; i++) {
		free(p);
		p = xasprintf("%s/%s.%d", qdir, base, i);
	}
	free(base);
	return p;
}

/* Second half of a quarantine, also what job_recover() redoes. */
static int
job_quarantine_move(struct index *ix, struct job *j, char *err)
{
	struct stat st;
	char *why = NULL, now[40];
	int rc = -1;

	why = xasprintf("%s.reason.txt", j->quarantine_path);
	if (lstat(j->spool_path, &st) == 0) {
		struct buf text;

		char *shown = vntext_escape(j->source_name,
		    strlen(j->source_name));

		/* The name as it is shown everywhere, whatever its bytes. */
		buf_init(&text, 1 << 16);
		buf_printf(&text, "%s: %s.\n", shown,
		    j->reason ? j->reason : "the scan could not be read");
		free(shown);
		if (util_write_durable(why, text.data, text.len, err) == -1) {
			buf_free(&text);
			goto out;
		}
		buf_free(&text);
		if (job_move(j->spool_path, j->quarantine_path, err) == -1)
			goto out;
	}
	util_now_iso8601(now);
	if (job_exec(ix, "UPDATE jobs SET state = 'quarantined', "
	    "finished_at = ?2 WHERE id = ?1", "is", j->id, now) == -1) {
		snprintf(err, ERRMAX, "cannot record the quarantine");
		goto out;
	}
	j->state = JOB_QUARANTINED;
	rc = 0;
out:
	free(why);
	return rc;
}

int
job_quarantine_retry(struct index *ix, struct job *j, char *err)
{
	return job_quarantine_move(ix, j, err);
}

int
job_quarantine(struct index *ix, struct job *j, const char *qdir,
    const char *reason, char *err)
{
	if (util_mkdirs(qdir, 0750) == -1) {
		snprintf(err, ERRMAX, "cannot create the quarantine folder %s: "
		    "%s", qdir, strerror(errno));
		return -1;
	}
	free(j->reason);
	j->reason = xstrdup(reason);
	free(j->quarantine_path);
	j->quarantine_path = job_quarantine_name(qdir, j->source_name);
	/* The plan is on record before anything moves. */
	if (job_exec(ix, "UPDATE jobs SET state = 'quarantining', reason = ?2, "
	    "quarantine_path = ?3 WHERE id = ?1", "iss", j->id, reason,
	    j->quarantine_path) == -1) {
		snprintf(err, ERRMAX, "cannot record the quarantine");
		return -1;
	}
	j->state = JOB_QUARANTINING;
	return job_quarantine_move(ix, j, err);
}

int
job_crashed(struct index *ix, struct job *j, const char *reason)
{
	j->attempts++;
	free(j->reason);
	j->reason = xstrdup(reason);
	job_exec(ix, "UPDATE jobs SET attempts = ?2, reason = ?3, state = "
	    "'queued' WHERE id = ?1", "iis", j->id, (int64_t)j->attempts,
	    reason);
	j->state = JOB_QUEUED;
	return j->attempts;
}

static int
job_known_spool(struct index *ix, const char *path)
{
	struct db_stmt *st;
	int known = 0;

	if ((st = db_prepare(index_db(ix), "SELECT 1 FROM jobs WHERE "
	    "spool_path = ?1")) == NULL)
		return 1;	/* when in doubt, leave the file alone */
	db_bind_text(st, 1, path);
	known = db_step(st) == DB_ROW;
	db_finalize(st);
	return known;
}

/* Spool files with no job: the daemon died between rename and insert. */
static void
job_adopt(struct index *ix, const char *spoolroot)
{
	DIR *top, *d;
	struct dirent *pe, *fe;
	char *pdir, *path;
	const char *name;

	if ((top = opendir(spoolroot)) == NULL)
		return;
	while ((pe = readdir(top)) != NULL) {
		if (pe->d_name[0] == '.')
			continue;
		pdir = xasprintf("%s/%s", spoolroot, pe->d_name);
		if ((d = opendir(pdir)) == NULL) {
			free(pdir);
			continue;
		}
		while ((fe = readdir(d)) != NULL) {
			if (fe->d_name[0] == '.') {
				/* A copy from a share cut short; the scan is
				 * still in its inbox. */
				if (strncmp(fe->d_name, UTIL_TEMP_PREFIX,
				    strlen(UTIL_TEMP_PREFIX)) == 0) {
					path = xasprintf("%s/%s", pdir,
					    fe->d_name);
					unlink(path);
					free(path);
				}
				continue;
			}
			path = xasprintf("%s/%s", pdir, fe->d_name);
			if (!job_known_spool(ix, path)) {
				name = strchr(fe->d_name, '_');
				name = name ? name + 1 : fe->d_name;
				job_insert(ix, pe->d_name, name, NULL, path,
				    JOB_QUEUED);
				log_info("%s: taken back into the queue after a "
				    "restart", name);
			}
			free(path);
		}
		closedir(d);
		free(pdir);
	}
	closedir(top);
}

int
job_recover(struct index *ix, const char *spoolroot)
{
	struct job **v;
	struct stat st;
	char err[ERRMAX];
	size_t n, i;

	n = job_list(ix, JOB_CLAIMING, &v);
	for (i = 0; i < n; i++)
		job_settle_claim(ix, v[i]);
	job_free_list(v, n);
	job_adopt(ix, spoolroot);
	job_exec(ix, "UPDATE jobs SET state = 'queued' WHERE state = "
	    "'processing'", "");
	n = job_list(ix, JOB_QUARANTINING, &v);
	for (i = 0; i < n; i++)
		if (job_quarantine_move(ix, v[i], err) == -1)
			log_warnx("%s: %s", v[i]->source_name, err);
	job_free_list(v, n);
	/* A done job whose spool file survived: the kill came after COMMIT. */
	n = job_list(ix, JOB_DONE, &v);
	for (i = 0; i < n; i++)
		if (lstat(v[i]->spool_path, &st) == 0)
			job_finish(v[i]);
	job_free_list(v, n);
	return 0;
}

/* Per profile: what `sohoa status` shows.  Caller json_decref()s. */
json_t *
job_status(struct index *ix)
{
	static const char sql[] =
	    "SELECT j.profile,"
	    " sum(j.state IN ('queued', 'processing')),"
	    " sum(j.state = 'done' AND j.finished_at >= date('now', 'localtime')),"
	    " sum(j.state = 'quarantined' AND j.finished_at >= date('now', 'localtime')),"
	    " sum(j.state = 'quarantined'),"
	    " (SELECT coalesce(sum(d.pages), 0) FROM jobs k JOIN documents d"
	    "   ON d.id = k.document_id WHERE k.profile = j.profile AND"
	    "   k.state = 'done' AND k.finished_at >= ?1),"
	    " min(CASE WHEN j.state IN ('queued', 'processing') THEN"
	    "   j.claimed_at END)"
	    " FROM jobs j GROUP BY j.profile ORDER BY j.profile";
	struct db_stmt *st;
	json_t *a = json_array();
	char since[40];
	time_t t = time(NULL) - 15 * 60;
	struct tm tm;

	/* Pages per minute over the last quarter of an hour. */
	localtime_r(&t, &tm);
	strftime(since, sizeof since, "%Y-%m-%dT%H:%M:%S", &tm);
	if ((st = db_prepare(index_db(ix), sql)) == NULL)
		return a;
	db_bind_text(st, 1, since);
	while (db_step(st) == DB_ROW) {
		const char *oldest = db_col_text(st, 6);

		json_array_append_new(a, json_pack("{s:s, s:i, s:i, s:i, s:i, "
		    "s:f, s:o}", "profile", db_col_text(st, 0),
		    "queue", (int)db_col_int64(st, 1),
		    "done_today", (int)db_col_int64(st, 2),
		    "failed_today", (int)db_col_int64(st, 3),
		    "quarantined", (int)db_col_int64(st, 4),
		    "pages_per_minute", (int)db_col_int64(st, 5) / 15.0,
		    "oldest_pending", oldest ? json_string((const char *)oldest)
		    : json_null()));
	}
	db_finalize(st);
	return a;
}

/* The scans set aside, newest first: id, profile, name (shown escaped),
 * reason and since. */
json_t *
job_quarantined(struct index *ix, int limit)
{
	struct db_stmt *st = db_prepare(index_db(ix), "SELECT id, profile, "
	    "source_name, reason, finished_at FROM jobs WHERE state = "
	    "'quarantined' ORDER BY finished_at DESC, id DESC LIMIT ?1");
	json_t *a = json_array();
	const char *name;
	char *shown;

	if (st == NULL)
		return a;
	db_bind_int64(st, 1, limit);
	while (db_step(st) == DB_ROW) {
		name = db_col_text(st, 2);
		shown = vntext_escape(name ? name : "", name ? strlen(name) : 0);
		json_array_append_new(a, json_pack("{s:I, s:o, s:s, s:o, s:o}",
		    "id", (json_int_t)db_col_int64(st, 0), "profile",
		    db_col_str(st, 1), "name", shown, "reason",
		    db_col_str(st, 3), "since", db_col_str(st, 4)));
		free(shown);
	}
	db_finalize(st);
	return a;
}

/*
 * Puts a quarantined scan back into the inbox it was claimed from, under
 * its own name (NAME.1 ... when that is taken), so that sohoad reads it
 * again as a new scan with a job of its own; the reason file goes, and the
 * old job is kept as 'requeued'.
 */
int
job_requeue(struct index *ix, int64_t id, char **where, char *err)
{
	struct db_stmt *st = db_prepare(index_db(ix), "SELECT quarantine_path, "
	    "inbox_path FROM jobs WHERE id = ?1 AND state = 'quarantined'");
	char *q = NULL, *inbox = NULL, *dst = NULL, *why, now[40];
	struct stat sb;
	int i, rc = -1;

	*where = NULL;
	if (st == NULL) {
		snprintf(err, ERRMAX, "the job journal cannot be read: %s",
		    db_errmsg(index_db(ix)));
		return -1;
	}
	db_bind_int64(st, 1, id);
	if (db_step(st) == DB_ROW) {
		q = db_col_text(st, 0) ? xstrdup(db_col_text(st, 0)) : NULL;
		inbox = db_col_text(st, 1) ? xstrdup(db_col_text(st, 1)) : NULL;
	} else {
		snprintf(err, ERRMAX, "there is no quarantined scan #%lld",
		    (long long)id);
		db_finalize(st);
		return -1;
	}
	db_finalize(st);
	if (q == NULL || lstat(q, &sb) == -1) {
		snprintf(err, ERRMAX, "scan #%lld is no longer in the "
		    "quarantine folder", (long long)id);
		goto out;
	}
	if (inbox == NULL) {
		snprintf(err, ERRMAX, "scan #%lld was claimed before sohoa kept "
		    "its inbox: move %s into an inbox by hand", (long long)id,
		    q);
		goto out;
	}
	dst = xstrdup(inbox);
	for (i = 1; lstat(dst, &sb) == 0 && i < 10000; i++) {
		free(dst);
		dst = xasprintf("%s.%d", inbox, i);
	}
	if (job_move(q, dst, err) == -1)
		goto out;
	why = xasprintf("%s.reason.txt", q);
	unlink(why);
	free(why);
	util_now_iso8601(now);
	if (job_exec(ix, "UPDATE jobs SET state = 'requeued', finished_at = ?2 "
	    "WHERE id = ?1", "is", id, now) == -1) {
		snprintf(err, ERRMAX, "scan #%lld is back in its inbox, but its "
		    "job could not be marked so", (long long)id);
		goto out;
	}
	*where = dst;
	dst = NULL;
	rc = 0;
out:
	free(q);
	free(inbox);
	free(dst);
	return rc;
}
