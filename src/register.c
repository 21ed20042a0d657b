/*
 * register.c: the office's register of results issued: its tables, the
 * key its codes and numbers are compared by, and the import of an export
 * into it.
 *
 * Auditors measure digitization against the results an office issued,
 * and only the register knows those: the one-stop software exports it as
 * CSV.  `sohoa register import` reads that file (register_csv.c checks
 * every row) and imports every entry or none: each bad row is named by
 * its line and reason and the transaction is rolled back.  Entries are
 * keyed by dossier code, or without one by document number + agency +
 * issue date, so importing an export again updates its entries instead
 * of doubling them.  Exports do not always carry the code: a row without
 * one is the entry held with its number, agency and date, whether that
 * entry has a code or not, and it keeps its code (a file without the
 * column, or with the cell empty, does not say the code was withdrawn).
 * When several entries held with codes have that number, agency and date
 * (one decision for several dossiers) the row could be any of them, so it
 * is a bad row that asks for its code rather than a guess.  A row with a
 * code is the entry with that code, else the entry held without a code
 * under its number, agency and date (which takes the code); an entry with
 * another code is another dossier.  Entries missing from a later file are
 * kept: an export may cover only a period.
 *
 * Codes and numbers are compared by key (register_key: case, marks and
 * spaces ignored, đ read as d), here and in the match to the archive
 * (register_match.c), which an import runs again for every document.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "sohoa.h"
#include "register_int.h"

static const char register_schema[] =
	"CREATE TABLE IF NOT EXISTS register_imports ("
	"  id INTEGER PRIMARY KEY,"
	"  file TEXT NOT NULL,"
	"  imported_at TEXT NOT NULL,"
	"  rows INTEGER NOT NULL DEFAULT 0,"
	"  added INTEGER NOT NULL DEFAULT 0,"
	"  updated INTEGER NOT NULL DEFAULT 0);"
	"CREATE TABLE IF NOT EXISTS register_entries ("
	"  id INTEGER PRIMARY KEY,"
	"  entry_key TEXT NOT NULL UNIQUE,"
	"  dossier_code TEXT, dossier_key TEXT,"
	"  doc_number TEXT, number_key TEXT,"
	"  agency_code TEXT NOT NULL, agency_name TEXT,"
	"  level TEXT NOT NULL,"
	"  procedure_code TEXT,"
	"  issued_on TEXT NOT NULL,"
	"  valid_until TEXT,"
	"  status TEXT NOT NULL CHECK (status IN ('valid', 'revoked')),"
	"  import_id INTEGER NOT NULL REFERENCES register_imports(id),"
	"  line INTEGER NOT NULL,"
	"  doc_id INTEGER);"
	"CREATE INDEX IF NOT EXISTS register_entries_dossier ON "
	"  register_entries(dossier_key) WHERE dossier_key IS NOT NULL;"
	"CREATE INDEX IF NOT EXISTS register_entries_number ON "
	"  register_entries(number_key, agency_code, issued_on) "
	"  WHERE number_key IS NOT NULL;"
	REGISTER_FIGURES_INDEX ";"
	"CREATE TABLE IF NOT EXISTS register_docs ("
	"  doc_id INTEGER PRIMARY KEY,"
	"  dossier_key TEXT, number_key TEXT,"
	"  agency_code TEXT, issued_on TEXT,"
	"  entry_id INTEGER);"
	"CREATE INDEX IF NOT EXISTS register_docs_entry ON "
	"  register_docs(entry_id) WHERE entry_id IS NOT NULL;"
	/* Documents to key and match again, and how far the last run got. */
	"CREATE TABLE IF NOT EXISTS register_stale ("
	"  doc_id INTEGER PRIMARY KEY);"
	"CREATE TABLE IF NOT EXISTS register_state ("
	"  id INTEGER PRIMARY KEY CHECK (id = 1),"
	"  last_doc_id INTEGER NOT NULL);"
	"INSERT OR IGNORE INTO register_state VALUES (1, 0);"
	/* A record corrected (sohoa edit, reindex) or removed is matched
	 * again; plain SQL, so that it fires on every connection. */
	"CREATE TRIGGER IF NOT EXISTS register_document_changed "
	"  AFTER UPDATE OF dossier_code, doc_number, agency_code, issued_on, "
	"  duplicate_of ON documents WHEN "
	"  OLD.dossier_code IS NOT NEW.dossier_code OR "
	"  OLD.doc_number IS NOT NEW.doc_number OR "
	"  OLD.agency_code IS NOT NEW.agency_code OR "
	"  OLD.issued_on IS NOT NEW.issued_on OR "
	"  OLD.duplicate_of IS NOT NEW.duplicate_of "
	"  BEGIN INSERT OR IGNORE INTO register_stale VALUES (NEW.id); END;"
	"CREATE TRIGGER IF NOT EXISTS register_document_deleted "
	"  AFTER DELETE ON documents "
	"  BEGIN INSERT OR IGNORE INTO register_stale VALUES (OLD.id); END;"
	"CREATE TEMP TABLE IF NOT EXISTS register_affected ("
	"  entry_id INTEGER PRIMARY KEY);"
	/* The entries the file being imported has named, and where. */
	"CREATE TEMP TABLE IF NOT EXISTS register_seen ("
	"  entry_key TEXT PRIMARY KEY, line INTEGER NOT NULL);";

static const char *const register_import_sql[RS_MAX] = {
	[RS_FIND] = "SELECT id, import_id, line, dossier_code, doc_number, "
	    "agency_code, agency_name, level, procedure_code, issued_on, "
	    "valid_until, status FROM register_entries WHERE entry_key = ?1",
	/* The columns of RS_FIND, then what a row without a dossier code
	 * takes over from the entry it names, and how many it could name. */
	[RS_BY_NUMBER] = "SELECT id, import_id, line, dossier_code, "
	    "doc_number, agency_code, agency_name, level, procedure_code, "
	    "issued_on, valid_until, status, entry_key, dossier_key, "
	    "count(*) OVER () FROM register_entries WHERE number_key = ?1 AND "
	    "agency_code = ?2 AND issued_on = ?3 AND dossier_key IS NOT NULL "
	    "ORDER BY id",
	[RS_INSERT] = "INSERT INTO register_entries (entry_key, dossier_code, "
	    "dossier_key, doc_number, number_key, agency_code, agency_name, "
	    "level, procedure_code, issued_on, valid_until, status, import_id, "
	    "line) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, "
	    "?13, ?14)",
	[RS_UPDATE] = "UPDATE register_entries SET entry_key = ?1, "
	    "dossier_code = ?2, dossier_key = ?3, doc_number = ?4, "
	    "number_key = ?5, agency_code = ?6, agency_name = ?7, level = ?8, "
	    "procedure_code = ?9, issued_on = ?10, valid_until = ?11, "
	    "status = ?12, import_id = ?13, line = ?14 WHERE id = ?15",
	[RS_SEEN] = "SELECT line FROM temp.register_seen WHERE entry_key = ?1",
	[RS_REMEMBER] = "INSERT OR IGNORE INTO temp.register_seen "
	    "(entry_key, line) VALUES (?1, ?2)",
};

char *
register_key(const char *s)
{
	const unsigned char *p;
	char *fold = NULL, *out;
	size_t n = 0;
	int fast = 1;

	if (s == NULL)
		return NULL;
	/* Numbers and codes are ASCII but for Đ: fold those by hand, which
	 * is what keys a million documents in well under a second. */
	for (p = (const unsigned char *)s; *p != '\0'; p++)
		if (*p >= 0x80) {
			if (p[0] == 0xc4 && (p[1] == 0x90 || p[1] == 0x91))
				p++;
			else {
				fast = 0;
				break;
			}
		}
	if (!fast)
		s = fold = vntext_fold(s);
	p = (const unsigned char *)s;
	while (isspace(*p))
		p++;
	/* "Số: 12/QĐ-UBND" and "12/QĐ-UBND" are the same number. */
	if ((p[0] == 's' || p[0] == 'S') && (p[1] == 'o' || p[1] == 'O') &&
	    (p[2] == ':' || p[2] == '.' || isspace(p[2])))
		p += 3;
	out = xmalloc(strlen((const char *)p) + 1);
	for (; *p != '\0'; p++) {
		if (isspace(*p))
			continue;
		if (p[0] == 0xc2 && p[1] == 0xa0) {	/* no-break space */
			p++;
			continue;
		}
		if (p[0] == 0xc4 && (p[1] == 0x90 || p[1] == 0x91)) {
			out[n++] = 'd';
			p++;
			continue;
		}
		/* Dashes U+2010..U+2015 and minus U+2212 are hyphens. */
		if (p[0] == 0xe2 && ((p[1] == 0x80 && p[2] >= 0x90 &&
		    p[2] <= 0x95) || (p[1] == 0x88 && p[2] == 0x92))) {
			out[n++] = '-';
			p += 2;
			continue;
		}
		out[n++] = (char)tolower(*p);
	}
	out[n] = '\0';
	free(fold);
	if (n == 0) {
		free(out);
		out = NULL;
	}
	return out;
}

static void
register_key_sql(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	const unsigned char *s = sqlite3_value_text(argv[0]);
	char *k = s ? register_key((const char *)s) : NULL;

	if (k == NULL)
		sqlite3_result_null(ctx);
	else
		sqlite3_result_text(ctx, k, -1, free);
}

int
register_setup(struct index *ix, char *err)
{
	sqlite3 *db = db_raw(index_db(ix));
	char *msg = NULL;

	if (sqlite3_create_function_v2(db, "sohoa_register_key", 1,
	    SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS, NULL,
	    register_key_sql, NULL, NULL, NULL) != SQLITE_OK ||
	    sqlite3_exec(db, register_schema, NULL, NULL, &msg) != SQLITE_OK) {
		snprintf(err, ERRMAX, "cannot set up the register tables: %s",
		    msg ? msg : sqlite3_errmsg(db));
		sqlite3_free(msg);
		return -1;
	}
	return 0;
}

static void
register_bind(sqlite3_stmt *st, int col, const char *s)
{
	if (s != NULL)
		sqlite3_bind_text(st, col, s, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, col);
}

static int
register_same(sqlite3_stmt *st, int col, const char *s)
{
	const char *t = (const char *)sqlite3_column_text(st, col);

	if (s == NULL || t == NULL)
		return s == t;
	return strcmp(s, t) == 0;
}

/* The entry already recorded under key: 1 with st on its row, 0 if none. */
static int
register_find(struct register_reader *r, const char *key)
{
	sqlite3_stmt *st = r->stmt[RS_FIND];
	int rc;

	sqlite3_reset(st);
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		return 1;
	if (rc != SQLITE_DONE) {
		snprintf(r->err, ERRMAX, "cannot read the register: %s",
		    sqlite3_errmsg(r->db));
		r->stop = 1;
	}
	return 0;
}

/* The line of this file that already named the entry under key, or 0;
 * with remember set, notes that the current row names it. */
static long
register_seen(struct register_reader *r, const char *key, int remember)
{
	sqlite3_stmt *st = r->stmt[remember ? RS_REMEMBER : RS_SEEN];
	long line = 0;
	int rc;

	sqlite3_reset(st);
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	if (remember)
		sqlite3_bind_int64(st, 2, r->rec_line);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW)
		line = (long)sqlite3_column_int64(st, 0);
	else if (rc != SQLITE_DONE) {
		snprintf(r->err, ERRMAX, "cannot import the register: %s",
		    sqlite3_errmsg(r->db));
		r->stop = 1;
	}
	sqlite3_reset(st);
	return line;
}

/*
 * The entry held with a dossier code that a row without one names by its
 * number, agency and issue date: 1 with RS_BY_NUMBER on its row, 0 if
 * there is none, -1 if there are several (why says which), for a guess
 * would update one dossier with another's status.
 */
static int
register_find_number(struct register_reader *r, const char *nkey,
    const char *agency, const char *issued, char *why)
{
	sqlite3_stmt *st = r->stmt[RS_BY_NUMBER];
	struct buf codes;
	int64_t n;
	int rc, shown = 0, found = 0;

	sqlite3_reset(st);
	sqlite3_bind_text(st, 1, nkey, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, agency, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, issued, -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(st)) == SQLITE_DONE)
		goto out;
	if (rc != SQLITE_ROW)
		goto out_dberr;
	if ((n = sqlite3_column_int64(st, 14)) == 1) {
		found = 1;
		goto out;
	}
	buf_init(&codes, ERRMAX);
	do {
		buf_printf(&codes, "%s%s", shown ? ", " : "",
		    (const char *)sqlite3_column_text(st, 3));
	} while (++shown < 3 && (rc = sqlite3_step(st)) == SQLITE_ROW);
	if (shown < n)
		buf_printf(&codes, "...");
	snprintf(why, ERRMAX, "no dossier code, and its document number, "
	    "agency and issue date are those of %lld entries already held "
	    "(dossier codes %s): give its dossier code so that the right one "
	    "is updated", (long long)n, codes.data);
	buf_free(&codes);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		goto out_dberr;
	found = -1;
	goto out;
out_dberr:
	snprintf(r->err, ERRMAX, "cannot read the register: %s",
	    sqlite3_errmsg(r->db));
	r->stop = 1;
out:
	if (found != 1)
		sqlite3_reset(st);
	return found;
}

/*
 * Inserts or updates one checked row (v holds its values); an entry that
 * has not changed is not written at all, so importing the same export
 * again costs little more than reading it.
 */
void
register_store(struct register_reader *r, char **v, const char *level,
    const char *status, const char *issued, const char *until)
{
	sqlite3_stmt *find = r->stmt[RS_FIND], *st;
	char *dkey = register_key(v[RC_DOSSIER]);
	char *nkey = register_key(v[RC_NUMBER]);
	char *key, *nkey_full = NULL, *held_code = NULL, *held_dkey = NULL;
	char why[ERRMAX];
	const char *code = v[RC_DOSSIER], *code_key;
	int found, renamed = 0, same;
	long seen = 0;

	nkey_full = nkey ? xasprintf("n:%s|%s|%s", nkey, v[RC_AGENCY], issued) :
	    NULL;
	key = dkey ? xasprintf("d:%s", dkey) : xstrdup(nkey_full);
	found = register_find(r, key);
	/* An entry first imported without its dossier code keeps its row. */
	if (!found && !r->stop && dkey != NULL && nkey_full != NULL &&
	    (found = register_find(r, nkey_full))) {
		if (sqlite3_column_type(find, 3) != SQLITE_NULL)
			found = 0;
		else
			renamed = 1;
	}
	/*
	 * And one exported again without its dossier code is the entry
	 * held with that number, agency and date, and keeps its code: a
	 * file without the column (or with the cell empty) does not say the
	 * code is gone, and the entry is still the same result.
	 */
	if (!found && !r->stop && dkey == NULL) {
		found = register_find_number(r, nkey, v[RC_AGENCY], issued,
		    why);
		if (found == -1) {
			r->st->bad++;
			r->bad(r->rec_line, why, r->arg);
			goto out;
		}
		if (found) {
			find = r->stmt[RS_BY_NUMBER];
			free(key);
			key = xstrdup((const char *)sqlite3_column_text(find,
			    12));
			code = held_code = xstrdup((const char *)
			    sqlite3_column_text(find, 3));
			held_dkey = xstrdup((const char *)
			    sqlite3_column_text(find, 13));
		}
	}
	code_key = held_dkey ? held_dkey : dkey;
	if (!r->stop && (seen = register_seen(r, key, 0)) == 0 && renamed)
		seen = register_seen(r, nkey_full, 0);
	if (r->stop)
		goto out;
	if (seen > 0) {
		snprintf(why, sizeof why, "the same entry as line %ld (the "
		    "same %s)", seen, dkey ? "dossier code" : "document "
		    "number, agency and issue date");
		r->st->bad++;
		r->bad(r->rec_line, why, r->arg);
		goto out;
	}
	register_seen(r, key, 1);
	if (renamed)
		register_seen(r, nkey_full, 1);
	same = found && register_same(find, 3, code) &&
	    register_same(find, 4, v[RC_NUMBER]) &&
	    register_same(find, 5, v[RC_AGENCY]) &&
	    register_same(find, 6, v[RC_AGENCY_NAME]) &&
	    register_same(find, 7, level) &&
	    register_same(find, 8, v[RC_PROCEDURE]) &&
	    register_same(find, 9, issued) &&
	    register_same(find, 10, until) &&
	    register_same(find, 11, status);
	if (same) {
		r->st->unchanged++;
		goto out;
	}
	st = r->stmt[found ? RS_UPDATE : RS_INSERT];
	sqlite3_reset(st);
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	register_bind(st, 2, code);
	register_bind(st, 3, code_key);
	register_bind(st, 4, v[RC_NUMBER]);
	register_bind(st, 5, nkey);
	register_bind(st, 6, v[RC_AGENCY]);
	register_bind(st, 7, v[RC_AGENCY_NAME]);
	register_bind(st, 8, level);
	register_bind(st, 9, v[RC_PROCEDURE]);
	register_bind(st, 10, issued);
	register_bind(st, 11, until);
	register_bind(st, 12, status);
	sqlite3_bind_int64(st, 13, r->import_id);
	sqlite3_bind_int64(st, 14, r->rec_line);
	if (found)
		sqlite3_bind_int64(st, 15, sqlite3_column_int64(find, 0));
	sqlite3_reset(find);
	if (sqlite3_step(st) != SQLITE_DONE) {
		snprintf(r->err, ERRMAX, "cannot record the entry of line %ld: "
		    "%s", r->rec_line, sqlite3_errmsg(r->db));
		r->stop = 1;
	} else if (found)
		r->st->updated++;
	else
		r->st->added++;
	sqlite3_reset(st);
out:
	sqlite3_reset(find);
	free(held_code);
	free(held_dkey);
	free(key);
	free(nkey_full);
	free(dkey);
	free(nkey);
}

/* Runs one statement of the matching; err says why it failed. */
int
register_exec(sqlite3 *db, const char *sql, char *err)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
		snprintf(err, ERRMAX, "cannot match the register: %s",
		    sqlite3_errmsg(db));
		return -1;
	}
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		snprintf(err, ERRMAX, "cannot match the register: %s",
		    sqlite3_errmsg(db));
		return -1;
	}
	return 0;
}

/* The number one query answers, or -1. */
int64_t
register_int(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *st;
	int64_t v = -1;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

void
register_learn_codes(struct index *ix)
{
	static int64_t learned = -1;	/* the last import learned from */
	sqlite3 *db = db_raw(index_db(ix));
	sqlite3_stmt *st;
	int64_t last;

	/* -1 when there is no register table: nothing to learn. */
	if ((last = register_int(db, "SELECT max(id) FROM register_imports")) <=
	    learned)
		return;
	learned = last;
	if (sqlite3_prepare_v2(db, "SELECT doc_number FROM "
	    "register_entries WHERE doc_number IS NOT NULL ORDER BY id DESC "
	    "LIMIT 20000", -1, &st, NULL) != SQLITE_OK)
		return;
	while (sqlite3_step(st) == SQLITE_ROW)
		known_learn_number((const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
}

long
register_count(struct index *ix)
{
	return (long)register_int(db_raw(index_db(ix)), "SELECT count(*) FROM "
	    "register_entries");
}

int
register_import(struct index *ix, const struct conf *conf, const char *path,
    void (*bad)(long, const char *, void *), void *arg,
    struct register_stats *st, char *err)
{
	struct register_reader r;
	sqlite3 *db = db_raw(index_db(ix));
	sqlite3_stmt *ins = NULL;
	char now[40], rerr[ERRMAX] = "";
	int64_t cache = 0;
	FILE *f;
	int i, rc = -1;

	memset(st, 0, sizeof *st);
	memset(&r, 0, sizeof r);
	err[0] = '\0';
	if ((f = fopen(path, "r")) == NULL) {
		snprintf(err, ERRMAX, "cannot open the register: %s",
		    strerror(errno));
		return -1;
	}
	if (register_setup(ix, err) == -1)
		goto out_close;
	r.conf = conf;
	r.bad = bad;
	r.arg = arg;
	r.st = st;
	r.db = db;
	r.err = rerr;
	for (i = 0; i < RS_MAX; i++)
		if (sqlite3_prepare_v2(db, register_import_sql[i], -1,
		    &r.stmt[i], NULL) != SQLITE_OK) {
			snprintf(err, ERRMAX, "cannot import the register: %s",
			    sqlite3_errmsg(db));
			goto out_finalize;
		}
	if (index_begin(ix) == -1) {
		snprintf(err, ERRMAX, "cannot import the register: %s",
		    sqlite3_errmsg(db));
		goto out_finalize;
	}
	util_now_iso8601(now);
	if (sqlite3_prepare_v2(db, "INSERT INTO register_imports (file, "
	    "imported_at) VALUES (?1, ?2)", -1, &ins, NULL) != SQLITE_OK)
		goto out_dberr;
	sqlite3_bind_text(ins, 1, util_basename(path), -1, SQLITE_STATIC);
	sqlite3_bind_text(ins, 2, now, -1, SQLITE_STATIC);
	if (sqlite3_step(ins) != SQLITE_DONE)
		goto out_dberr;
	r.import_id = sqlite3_last_insert_rowid(db);
	/* A bigger page cache for this transaction only: a large register
	 * otherwise spills pages to the WAL over and over. */
	if ((cache = register_int(db, "PRAGMA cache_size")) == -1)
		cache = 0;			/* unknown: leave it bigger */
	sqlite3_exec(db, "PRAGMA cache_size = -65536", NULL, NULL, NULL);
	if (register_exec(db, "DELETE FROM temp.register_seen", err) == -1)
		goto out_rollback;

	if (register_csv_read(&r, f, err) == -1)
		goto out_rollback;
	if (r.bad_header) {
		snprintf(err, ERRMAX, "the header does not name a register's "
		    "columns; nothing was imported");
		goto out_rollback;
	}
	if (st->bad > 0) {
		snprintf(err, ERRMAX, "%ld row%s errors; nothing was imported",
		    st->bad, st->bad == 1 ? " has" : "s have");
		goto out_rollback;
	}
	sqlite3_finalize(ins);
	if (sqlite3_prepare_v2(db, "UPDATE register_imports SET rows = ?2, "
	    "added = ?3, updated = ?4 WHERE id = ?1", -1, &ins, NULL) !=
	    SQLITE_OK)
		goto out_dberr;
	sqlite3_bind_int64(ins, 1, r.import_id);
	sqlite3_bind_int64(ins, 2, st->rows);
	sqlite3_bind_int64(ins, 3, st->added);
	sqlite3_bind_int64(ins, 4, st->updated);
	if (sqlite3_step(ins) != SQLITE_DONE)
		goto out_dberr;
	if (register_match_run(db, 1, err) == -1)
		goto out_rollback;
	st->entries = (long)register_int(db, "SELECT count(*) FROM "
	    "register_entries");
	st->digitized = (long)register_int(db, "SELECT count(*) FROM "
	    "register_entries WHERE doc_id IS NOT NULL");
	if (index_commit(ix) == -1)
		goto out_dberr;
	rc = 0;
	goto out_finalize;
out_dberr:
	snprintf(err, ERRMAX, "cannot import the register: %s",
	    sqlite3_errmsg(db));
out_rollback:
	index_rollback(ix);
out_finalize:
	sqlite3_finalize(ins);
	for (i = 0; i < RS_MAX; i++)
		sqlite3_finalize(r.stmt[i]);
	sqlite3_exec(db, "DELETE FROM temp.register_seen", NULL, NULL, NULL);
	if (cache != 0) {
		char *pragma = xasprintf("PRAGMA cache_size = %lld",
		    (long long)cache);

		sqlite3_exec(db, pragma, NULL, NULL, NULL);
		free(pragma);
	}
out_close:
	fclose(f);
	return rc;
}
