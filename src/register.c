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
 *
 * The tables, their triggers on index.c's documents and the statements of
 * the three register files are register_module, which db.c sets up when
 * the database opens (index.c lists it after the index).
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
	"  BEGIN INSERT OR IGNORE INTO register_stale VALUES (OLD.id); END;";

/* Each connection's own: the entries a match touches, and those the file
 * being imported has named, and where. */
static const char register_temp_schema[] =
	"CREATE TEMP TABLE IF NOT EXISTS register_affected ("
	"  entry_id INTEGER PRIMARY KEY);"
	"CREATE TEMP TABLE IF NOT EXISTS register_seen ("
	"  entry_key TEXT PRIMARY KEY, line INTEGER NOT NULL);";

/*
 * Matching the documents listed in register_stale (new ones, corrected
 * ones, or all of them after an import): forget what they matched, key
 * them again (duplicates are left out) matching each by dossier code or
 * else by number, agency and date, and give every entry they touched its
 * first document again.  Set-based, and every lookup is on an index.
 */
#define REGISTER_STALE "doc_id IN (SELECT doc_id FROM register_stale)"
#define REGISTER_FIRST_DOC "(SELECT min(d.doc_id) FROM register_docs d " \
	"WHERE d.entry_id = register_entries.id)"

/* The module's statements, prepared once when the database opens. */
static const char *const register_sql[RS_MAX] = {
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
	[RS_FORGET_SEEN] = "DELETE FROM temp.register_seen",
	[RS_IMPORT_ADD] = "INSERT INTO register_imports (file, imported_at) "
	    "VALUES (?1, ?2)",
	[RS_IMPORT_DONE] = "UPDATE register_imports SET rows = ?2, "
	    "added = ?3, updated = ?4 WHERE id = ?1",
	[RS_ENTRIES] = "SELECT count(*) FROM register_entries",
	[RS_DIGITIZED] = "SELECT count(*) FROM register_entries WHERE doc_id "
	    "IS NOT NULL",
	[RS_LAST_IMPORT] = "SELECT max(id) FROM register_imports",
	[RS_NUMBERS] = "SELECT doc_number FROM register_entries WHERE "
	    "doc_number IS NOT NULL ORDER BY id DESC LIMIT 20000",

	[RS_ANY_NEW] = "SELECT (SELECT coalesce(max(id), 0) FROM documents) > "
	    "(SELECT last_doc_id FROM register_state) OR EXISTS (SELECT 1 "
	    "FROM register_stale)",
	[RS_STALE_ALL] = "INSERT OR IGNORE INTO register_stale SELECT id FROM "
	    "documents",
	[RS_STALE_MATCHED] = "INSERT OR IGNORE INTO register_stale SELECT "
	    "doc_id FROM register_docs",
	[RS_STALE_NEW] = "INSERT OR IGNORE INTO register_stale SELECT id FROM "
	    "documents WHERE id > (SELECT last_doc_id FROM register_state)",
	[RS_STATE] = "UPDATE register_state SET last_doc_id = (SELECT "
	    "coalesce(max(id), 0) FROM documents)",
	[RS_AFFECTED_OLD] = "INSERT OR IGNORE INTO temp.register_affected "
	    "SELECT entry_id FROM register_docs WHERE " REGISTER_STALE " AND "
	    "entry_id IS NOT NULL",
	[RS_DOCS_FORGET] = "DELETE FROM register_docs WHERE " REGISTER_STALE,
	[RS_DOCS_KEY] = "INSERT INTO register_docs (doc_id, dossier_key, "
	    "number_key, agency_code, issued_on, entry_id) SELECT doc_id, dk, "
	    "nk, agency_code, issued_on, coalesce("
	    "(SELECT min(e.id) FROM register_entries e WHERE e.dossier_key = "
	    "dk), "
	    "(SELECT min(e.id) FROM register_entries e WHERE e.number_key = nk "
	    "AND e.agency_code = k.agency_code AND e.issued_on = k.issued_on)) "
	    "FROM (SELECT id AS doc_id, sohoa_register_key(dossier_code) AS dk, "
	    "sohoa_register_key(doc_number) AS nk, agency_code, issued_on "
	    "FROM documents WHERE id IN (SELECT doc_id FROM register_stale) AND "
	    "duplicate_of IS NULL) k",
	[RS_AFFECTED_NEW] = "INSERT OR IGNORE INTO temp.register_affected "
	    "SELECT entry_id FROM register_docs WHERE " REGISTER_STALE " AND "
	    "entry_id IS NOT NULL",
	[RS_AFFECTED_COUNT] = "SELECT count(*) FROM temp.register_affected",
	[RS_FIRST_DOC] = "UPDATE register_entries SET doc_id = "
	    REGISTER_FIRST_DOC " WHERE id IN (SELECT entry_id FROM "
	    "temp.register_affected) AND doc_id IS NOT " REGISTER_FIRST_DOC,
	[RS_AFFECTED_CLEAR] = "DELETE FROM temp.register_affected",
	[RS_STALE_CLEAR] = "DELETE FROM register_stale",
	[RS_UNMATCHED_ENTRIES] = "SELECT level, agency_code, agency_name, "
	    "dossier_code, doc_number, procedure_code, issued_on, valid_until, "
	    "status, line FROM register_entries WHERE doc_id IS NULL ORDER BY "
	    "level, agency_code, issued_on, doc_number, id",
	[RS_UNMATCHED_DOCS] = "SELECT d.id, d.source_name, d.level, "
	    "d.agency_code, d.agency_name, d.doc_number, d.dossier_code, "
	    "d.issued_on FROM register_docs r JOIN documents d ON d.id = "
	    "r.doc_id WHERE r.entry_id IS NULL ORDER BY d.id",
};

static int register_upgrade(struct db *, int, char *);
static int register_connect(struct db *, char *);

/* Version 1: the tables as the sohoa before versions were kept made
 * them, so that from 0 CREATE ... IF NOT EXISTS finds them or makes them. */
#define REGISTER_VERSION 1	/* 1: the tables of today's register */

const struct db_module register_module = {
	"register", REGISTER_VERSION, register_upgrade, register_sql, RS_MAX,
	register_connect
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

/*
 * From 0 (no register yet, or one made by a sohoa that kept no version)
 * to 1: every CREATE is IF NOT EXISTS, so that tables, indexes and
 * triggers made before are kept as they are and the missing ones made.
 */
static int
register_upgrade(struct db *db, int from, char *err)
{
	if (db_exec(db, register_schema, NULL) == -1) {
		snprintf(err, ERRMAX, "cannot set up the register tables: %s",
		    db_errmsg(db));
		return -1;
	}
	return 0;
}

/* The key as an SQL function, for the match, and the temporary tables. */
static int
register_connect(struct db *db, char *err)
{
	if (db_function(db, "sohoa_register_key", register_key, NULL) == -1 ||
	    db_exec(db, register_temp_schema, NULL) == -1) {
		snprintf(err, ERRMAX, "cannot set up the register tables: %s",
		    db_errmsg(db));
		return -1;
	}
	return 0;
}

struct db_stmt *
register_stmt(struct db *db, enum register_stmt s)
{
	return db_stmt(db, &register_module, s);
}

/* Runs one statement of the matching; err says why it failed. */
int
register_run(struct db *db, enum register_stmt s, char *err)
{
	if (db_run(register_stmt(db, s)) == -1) {
		snprintf(err, ERRMAX, "cannot match the register: %s",
		    db_errmsg(db));
		return -1;
	}
	return 0;
}

int64_t
register_int(struct db *db, enum register_stmt s)
{
	struct db_stmt *st = register_stmt(db, s);
	int64_t v = -1;

	if (db_step(st) == DB_ROW)
		v = db_col_int64(st, 0);
	db_reset(st);
	return v;
}

static int
register_same(struct db_stmt *st, int col, const char *s)
{
	const char *t = db_col_text(st, col);

	if (s == NULL || t == NULL)
		return s == t;
	return strcmp(s, t) == 0;
}

/* The entry already recorded under key: 1 with *row (RS_FIND) on its row,
 * 0 if none. */
static int
register_find(struct register_reader *r, const char *key,
    struct db_stmt **row)
{
	struct db_stmt *st = register_stmt(r->db, RS_FIND);
	int rc;

	*row = st;
	db_bind_text(st, 1, key);
	rc = db_step(st);
	if (rc == DB_ROW)
		return 1;
	if (rc != DB_DONE) {
		snprintf(r->err, ERRMAX, "cannot read the register: %s",
		    db_errmsg(r->db));
		r->stop = 1;
	}
	return 0;
}

/* The line of this file that already named the entry under key, or 0;
 * with remember set, notes that the current row names it. */
static long
register_seen(struct register_reader *r, const char *key, int remember)
{
	struct db_stmt *st = register_stmt(r->db, remember ? RS_REMEMBER :
	    RS_SEEN);
	long line = 0;
	int rc;

	db_bind_text(st, 1, key);
	if (remember)
		db_bind_int64(st, 2, r->rec_line);
	if ((rc = db_step(st)) == DB_ROW)
		line = (long)db_col_int64(st, 0);
	else if (rc != DB_DONE) {
		snprintf(r->err, ERRMAX, "cannot import the register: %s",
		    db_errmsg(r->db));
		r->stop = 1;
	}
	db_reset(st);
	return line;
}

/*
 * The entry held with a dossier code that a row without one names by its
 * number, agency and issue date: 1 with *row (RS_BY_NUMBER) on its row, 0
 * if there is none, -1 if there are several (why says which), for a guess
 * would update one dossier with another's status.
 */
static int
register_find_number(struct register_reader *r, const char *nkey,
    const char *agency, const char *issued, char *why, struct db_stmt **row)
{
	struct db_stmt *st = register_stmt(r->db, RS_BY_NUMBER);
	struct buf codes;
	int64_t n;
	int rc, shown = 0, found = 0;

	db_bind_text(st, 1, nkey);
	db_bind_text(st, 2, agency);
	db_bind_text(st, 3, issued);
	if ((rc = db_step(st)) == DB_DONE)
		goto out;
	if (rc != DB_ROW)
		goto out_dberr;
	if ((n = db_col_int64(st, 14)) == 1) {
		found = 1;
		*row = st;
		goto out;
	}
	buf_init(&codes, ERRMAX);
	do {
		buf_printf(&codes, "%s%s", shown ? ", " : "",
		    db_col_text(st, 3));
	} while (++shown < 3 && (rc = db_step(st)) == DB_ROW);
	if (shown < n)
		buf_printf(&codes, "...");
	snprintf(why, ERRMAX, "no dossier code, and its document number, "
	    "agency and issue date are those of %lld entries already held "
	    "(dossier codes %s): give its dossier code so that the right one "
	    "is updated", (long long)n, codes.data);
	buf_free(&codes);
	if (rc != DB_ROW && rc != DB_DONE)
		goto out_dberr;
	found = -1;
	goto out;
out_dberr:
	snprintf(r->err, ERRMAX, "cannot read the register: %s",
	    db_errmsg(r->db));
	r->stop = 1;
out:
	if (found != 1)
		db_reset(st);
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
	struct db_stmt *find = NULL, *st;
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
	found = register_find(r, key, &find);
	/* An entry first imported without its dossier code keeps its row. */
	if (!found && !r->stop && dkey != NULL && nkey_full != NULL &&
	    (found = register_find(r, nkey_full, &find))) {
		if (!db_col_null(find, 3))
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
		    why, &find);
		if (found == -1) {
			r->st->bad++;
			r->bad(r->rec_line, why, r->arg);
			goto out;
		}
		if (found) {
			free(key);
			key = xstrdup(db_col_text(find, 12));
			code = held_code = xstrdup(db_col_text(find, 3));
			held_dkey = xstrdup(db_col_text(find, 13));
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
	st = register_stmt(r->db, found ? RS_UPDATE : RS_INSERT);
	db_bind_text(st, 1, key);
	db_bind_text(st, 2, code);
	db_bind_text(st, 3, code_key);
	db_bind_text(st, 4, v[RC_NUMBER]);
	db_bind_text(st, 5, nkey);
	db_bind_text(st, 6, v[RC_AGENCY]);
	db_bind_text(st, 7, v[RC_AGENCY_NAME]);
	db_bind_text(st, 8, level);
	db_bind_text(st, 9, v[RC_PROCEDURE]);
	db_bind_text(st, 10, issued);
	db_bind_text(st, 11, until);
	db_bind_text(st, 12, status);
	db_bind_int64(st, 13, r->import_id);
	db_bind_int64(st, 14, r->rec_line);
	if (found)
		db_bind_int64(st, 15, db_col_int64(find, 0));
	db_reset(find);
	if (db_step(st) != DB_DONE) {
		snprintf(r->err, ERRMAX, "cannot record the entry of line %ld: "
		    "%s", r->rec_line, db_errmsg(r->db));
		r->stop = 1;
	} else if (found)
		r->st->updated++;
	else
		r->st->added++;
	db_reset(st);
out:
	if (find != NULL)
		db_reset(find);
	free(held_code);
	free(held_dkey);
	free(key);
	free(nkey_full);
	free(dkey);
	free(nkey);
}

void
register_learn_codes(struct index *ix)
{
	static int64_t learned = -1;	/* the last import learned from */
	struct db *db = index_db(ix);
	struct db_stmt *st;
	int64_t last;

	/* 0 when nothing was imported: nothing to learn. */
	if ((last = register_int(db, RS_LAST_IMPORT)) <= learned)
		return;
	learned = last;
	st = register_stmt(db, RS_NUMBERS);
	while (db_step(st) == DB_ROW)
		known_learn_number(db_col_text(st, 0));
	db_reset(st);
}

long
register_count(struct index *ix)
{
	return (long)register_int(index_db(ix), RS_ENTRIES);
}

int
register_import(struct index *ix, const struct conf *conf, const char *path,
    void (*bad)(long, const char *, void *), void *arg,
    struct register_stats *st, char *err)
{
	struct register_reader r;
	struct db *db = index_db(ix);
	struct db_stmt *ins;
	char now[40], rerr[ERRMAX] = "";
	int64_t cache = 0;
	FILE *f;
	int rc = -1;

	memset(st, 0, sizeof *st);
	memset(&r, 0, sizeof r);
	err[0] = '\0';
	if ((f = fopen(path, "r")) == NULL) {
		snprintf(err, ERRMAX, "cannot open the register: %s",
		    strerror(errno));
		return -1;
	}
	r.conf = conf;
	r.bad = bad;
	r.arg = arg;
	r.st = st;
	r.db = db;
	r.err = rerr;
	if (index_begin(ix) == -1) {
		snprintf(err, ERRMAX, "cannot import the register: %s",
		    db_errmsg(db));
		goto out_forget;
	}
	util_now_iso8601(now);
	ins = register_stmt(db, RS_IMPORT_ADD);
	db_bind_text(ins, 1, util_basename(path));
	db_bind_text(ins, 2, now);
	if (db_run(ins) == -1)
		goto out_dberr;
	r.import_id = db_last_id(db);
	/* A bigger page cache for this transaction only: a large register
	 * otherwise spills pages to the WAL over and over. */
	if ((cache = db_int(db, "PRAGMA cache_size", -1)) == -1)
		cache = 0;			/* unknown: leave it bigger */
	db_exec(db, "PRAGMA cache_size = -65536", NULL);
	if (register_run(db, RS_FORGET_SEEN, err) == -1)
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
	ins = register_stmt(db, RS_IMPORT_DONE);
	db_bind_int64(ins, 1, r.import_id);
	db_bind_int64(ins, 2, st->rows);
	db_bind_int64(ins, 3, st->added);
	db_bind_int64(ins, 4, st->updated);
	if (db_run(ins) == -1)
		goto out_dberr;
	if (register_match_run(db, 1, err) == -1)
		goto out_rollback;
	st->entries = (long)register_int(db, RS_ENTRIES);
	st->digitized = (long)register_int(db, RS_DIGITIZED);
	if (index_commit(ix) == -1)
		goto out_dberr;
	rc = 0;
	goto out_forget;
out_dberr:
	snprintf(err, ERRMAX, "cannot import the register: %s",
	    db_errmsg(db));
out_rollback:
	index_rollback(ix);
out_forget:
	db_run(register_stmt(db, RS_FORGET_SEEN));
	if (cache != 0) {
		char *pragma = xasprintf("PRAGMA cache_size = %lld",
		    (long long)cache);

		db_exec(db, pragma, NULL);
		free(pragma);
	}
	fclose(f);
	return rc;
}
