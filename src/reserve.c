/*
 * reserve.c: who writes the archive package of a SHA-256.
 *
 * ingest.c writes a package outside any transaction, so that the
 * database's write lock is not held through its writing and fsync.  What
 * keeps two programs (two `sohoa ingest`, or one beside sohoad) from
 * writing the same package, and from both recording the scan as new, is a
 * reservation: a row committed before the package is written, under the
 * database's lock and after the SHA-256 was found unknown, and deleted in
 * the transaction that records the document.  While a reservation exists
 * no first record of its SHA-256 does, so the package at its path is its
 * holder's alone.
 *
 * A reservation also says the id the record will have (the next one, other
 * reservations counted), which the package's metadata.json names; when
 * another program recorded something in between, the record gets another
 * id and ingest.c writes the package again before it commits.
 *
 * A reservation whose program died (killed between the reservation and
 * the commit) is stale: the next ingest of the same bytes takes it over,
 * and sohoad clears the stale ones it finds at its start (reserve_recover)
 * with what they left in the archive.
 *
 * (Not job.c's claims, which take scans from the inboxes into the spool.)
 */
#include <sys/sysinfo.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>


#include "sohoa.h"

#define RESERVE_WAIT_MS	60000	/* for another program's package */
#define RESERVE_VERSION	1	/* the table's schema (db.c) */
#define RESERVE_STALE	3600	/* seconds: surely no package takes that */

static const char reserve_schema[] =
	"CREATE TABLE IF NOT EXISTS package_reservations ("
	"  sha256 TEXT PRIMARY KEY,"
	"  pid INTEGER NOT NULL,"	/* the program writing the package */
	"  id INTEGER NOT NULL,"	/* the record it is written for */
	"  reserved_at INTEGER NOT NULL)";	/* seconds since the epoch */

/* The table, from version from to 1 (db.c's setup transaction). */
static int
reserve_upgrade(struct db *db, int from, char *err)
{
	char msg[ERRMAX];

	if (db_exec(db, reserve_schema, msg) == -1) {
		snprintf(err, ERRMAX, "cannot set up the table of package "
		    "reservations: %s", msg);
		return -1;
	}
	return 0;
}

const struct db_module reserve_module = {
	"reserve", RESERVE_VERSION, reserve_upgrade, NULL, 0, NULL
};

/*
 * A reservation nobody is writing under: its program is gone, or is this
 * one (an earlier try that failed: a program records one scan at a time),
 * or it was made before this boot, or so long ago that no package takes
 * that long (its pid may have gone to another program since).
 */
static int
reserve_stale(long pid, int64_t at)
{
	struct sysinfo si;
	time_t now = time(NULL);

	if (pid <= 0 || pid == (long)getpid())
		return 1;
	if (kill((pid_t)pid, 0) == -1 && errno == ESRCH)
		return 1;
	if (sysinfo(&si) == 0 && at < (int64_t)now - si.uptime)
		return 1;
	return (int64_t)now - at > RESERVE_STALE;
}

/* The reservation of sha256: 1 with its pid, id and time, 0 if there is
 * none, -1 on error. */
static int
reserve_get(struct index *ix, const char *sha256, long *pid, int64_t *id,
    int64_t *at)
{
	struct db_stmt *st;
	int rc;

	if ((st = db_prepare(index_db(ix), "SELECT pid, id, reserved_at "
	    "FROM package_reservations WHERE sha256 = ?1")) == NULL)
		return -1;
	db_bind_text(st, 1, sha256);
	rc = db_step(st);
	if (rc == DB_ROW) {
		*pid = (long)db_col_int64(st, 0);
		*id = db_col_int64(st, 1);
		*at = db_col_int64(st, 2);
	}
	db_finalize(st);
	return rc == DB_ROW ? 1 : rc == DB_DONE ? 0 : -1;
}

/* Runs one statement with sha256 as ?1 and, where it has them, a and b as
 * ?2 and ?3; 0 when it ran. */
static int
reserve_exec(struct index *ix, const char *sql, const char *sha256,
    int64_t a, int64_t b)
{
	struct db_stmt *st;
	int rc;

	if ((st = db_prepare(index_db(ix), sql)) == NULL)
		return -1;
	db_bind_text(st, 1, sha256);
	if (db_bind_count(st) >= 2)
		db_bind_int64(st, 2, a);
	if (db_bind_count(st) >= 3)
		db_bind_int64(st, 3, b);
	rc = db_step(st);
	db_finalize(st);
	return rc == DB_DONE ? 0 : -1;
}

/* The id the next record will get, reservations counted. */
static int64_t
reserve_next_id(struct index *ix)
{
	struct db_stmt *st = index_stmt(ix, STMT_MAX_ID);
	int64_t id = 0;

	if (db_step(st) == DB_ROW)
		id = db_col_int64(st, 0);
	db_reset(st);
	if ((st = db_prepare(index_db(ix), "SELECT max(id) FROM "
	    "package_reservations")) != NULL) {
		if (db_step(st) == DB_ROW &&
		    db_col_int64(st, 0) > id)
			id = db_col_int64(st, 0);
		db_finalize(st);
	}
	return id + 1;
}

enum reserve_result
reserve_take(struct index *ix, const char *sha256, int64_t *id,
    int64_t *first, char *err)
{
	uint64_t start = loop_now();
	int64_t rid, at;
	long pid;
	int held;

	for (;;) {
		if (index_begin(ix) == -1) {
			snprintf(err, ERRMAX, "the database is busy or "
			    "read-only");
			return RESERVE_FAILED;
		}
		if ((*first = store_find_sha256(ix, sha256)) != 0)
			return RESERVE_KNOWN;
		if ((held = reserve_get(ix, sha256, &pid, &rid, &at)) == -1)
			break;
		if (held == 0 || reserve_stale(pid, at)) {
			*id = reserve_next_id(ix);
			if (reserve_exec(ix, "INSERT OR REPLACE INTO "
			    "package_reservations (sha256, pid, id, "
			    "reserved_at) VALUES (?1, ?2, ?3, "
			    "CAST(strftime('%s', 'now') AS INTEGER))", sha256,
			    (int64_t)getpid(), *id) == -1 ||
			    index_commit(ix) == -1)
				break;
			return RESERVE_OURS;
		}
		/* Another program writes this package: its record comes soon,
		 * and this one will be its duplicate. */
		index_rollback(ix);
		if (loop_now() - start > RESERVE_WAIT_MS) {
			snprintf(err, ERRMAX, "the same scan is being recorded "
			    "by another program (pid %ld) for longer than %d "
			    "seconds", pid, RESERVE_WAIT_MS / 1000);
			return RESERVE_FAILED;
		}
		usleep(50000);
	}
	snprintf(err, ERRMAX, "cannot reserve the scan's package: %s",
	    db_errmsg(index_db(ix)));
	index_rollback(ix);
	return RESERVE_FAILED;
}

int
reserve_held(struct index *ix, const char *sha256, int64_t id)
{
	int64_t rid, at;
	long pid;

	return reserve_get(ix, sha256, &pid, &rid, &at) == 1 &&
	    pid == (long)getpid() && rid == id;
}

int
reserve_done(struct index *ix, const char *sha256)
{
	return reserve_exec(ix, "DELETE FROM package_reservations WHERE "
	    "sha256 = ?1", sha256, 0, 0);
}

void
reserve_drop(struct index *ix, const char *sha256, int64_t id)
{
	if (reserve_exec(ix, "DELETE FROM package_reservations WHERE "
	    "sha256 = ?1 AND pid = ?2 AND id = ?3", sha256, (int64_t)getpid(),
	    id) == -1)
		log_debug("%s: the reservation stays until it is taken over: "
		    "%s", sha256, db_errmsg(index_db(ix)));
}

int
reserve_recover(struct index *ix, void (*gone)(const char *sha256, void *),
    void *arg)
{
	struct db_stmt *st;
	char **shas = NULL;
	int64_t rid, at;
	size_t n = 0, i;
	long pid;
	int cleared = 0;

	if ((st = db_prepare(index_db(ix), "SELECT sha256 FROM "
	    "package_reservations")) == NULL)
		return 0;
	while (db_step(st) == DB_ROW) {
		shas = xrealloc(shas, (n + 1) * sizeof *shas);
		shas[n++] = xstrdup(db_col_text(st, 0));
	}
	db_finalize(st);
	for (i = 0; i < n; i++) {
		/* Under the write lock: nobody takes it over meanwhile. */
		if (index_begin(ix) == -1)
			break;
		if (reserve_get(ix, shas[i], &pid, &rid, &at) == 1 &&
		    reserve_stale(pid, at)) {
			gone(shas[i], arg);
			if (reserve_done(ix, shas[i]) == 0)
				cleared++;
		}
		if (index_commit(ix) == -1)
			index_rollback(ix);
	}
	for (i = 0; i < n; i++)
		free(shas[i]);
	free(shas);
	return cleared;
}
