/*
 * register_match.c: which register entries the archive holds.
 *
 * An entry is digitized when an archived document (not a duplicate)
 * carries its dossier code or, when the scan's code is missing or
 * matches no entry, its document number with the same agency and issue
 * date, compared by register_key.  The match is kept in the register's
 * tables: register_docs has one row per document with the entry it
 * matches, register_entries.doc_id the first document of each entry.
 * Set-based SQL brings them up to date whenever a report runs: the
 * documents recorded since the last time, and those corrected or removed
 * since (a trigger on documents lists them in register_stale); after an
 * import, every document.  A report is then one grouped scan of the
 * register however large the archive, and a result scanned twice is
 * counted once because it is one entry.  What matches nothing, either
 * way, is listed for `sohoa register unmatched`.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "sohoa.h"
#include "register_int.h"

/* Entries whose first document changes at once beyond which the covering
 * index is rebuilt rather than updated entry by entry (seven times faster
 * for the first match of a million documents). */
#define REGISTER_BULK	100000

/*
 * Matching the documents listed in register_stale (new ones, corrected
 * ones, or all of them after an import): forget what they matched, key
 * them again (duplicates are left out) matching each by dossier code or
 * else by number, agency and date, and give every entry they touched its
 * first document again.  Set-based, and every lookup is on an index.
 */
#define REGISTER_STALE "doc_id IN (SELECT doc_id FROM register_stale)"
static const char *const register_match_sql[] = {
	"INSERT OR IGNORE INTO temp.register_affected SELECT entry_id FROM "
	"register_docs WHERE " REGISTER_STALE " AND entry_id IS NOT NULL",
	"DELETE FROM register_docs WHERE " REGISTER_STALE,
	"INSERT INTO register_docs (doc_id, dossier_key, number_key, "
	"agency_code, issued_on, entry_id) SELECT doc_id, dk, nk, agency_code, "
	"issued_on, coalesce("
	"(SELECT min(e.id) FROM register_entries e WHERE e.dossier_key = dk), "
	"(SELECT min(e.id) FROM register_entries e WHERE e.number_key = nk AND "
	"e.agency_code = k.agency_code AND e.issued_on = k.issued_on)) "
	"FROM (SELECT id AS doc_id, sohoa_register_key(dossier_code) AS dk, "
	"sohoa_register_key(doc_number) AS nk, agency_code, issued_on "
	"FROM documents WHERE id IN (SELECT doc_id FROM register_stale) AND "
	"duplicate_of IS NULL) k",
	"INSERT OR IGNORE INTO temp.register_affected SELECT entry_id FROM "
	"register_docs WHERE " REGISTER_STALE " AND entry_id IS NOT NULL",
	NULL
};
#define REGISTER_FIRST_DOC "(SELECT min(d.doc_id) FROM register_docs d " \
	"WHERE d.entry_id = register_entries.id)"
static const char register_match_first_doc_sql[] =
	"UPDATE register_entries SET doc_id = " REGISTER_FIRST_DOC " "
	"WHERE id IN (SELECT entry_id FROM temp.register_affected) AND "
	"doc_id IS NOT " REGISTER_FIRST_DOC;

/* Matches the documents recorded since the last time and those changed
 * since, or with all set every document (the register changed).  Runs
 * inside the caller's transaction. */
int
register_match_run(sqlite3 *db, int all, char *err)
{
	size_t i;
	int bulk;

	if (all) {
		if (register_exec(db, "INSERT OR IGNORE INTO register_stale "
		    "SELECT id FROM documents", err) == -1 ||
		    register_exec(db, "INSERT OR IGNORE INTO register_stale "
		    "SELECT doc_id FROM register_docs", err) == -1)
			return -1;
	} else if (register_exec(db, "INSERT OR IGNORE INTO register_stale "
	    "SELECT id FROM documents WHERE id > (SELECT last_doc_id FROM "
	    "register_state)", err) == -1)
		return -1;
	if (register_exec(db, "UPDATE register_state SET last_doc_id = "
	    "(SELECT coalesce(max(id), 0) FROM documents)", err) == -1)
		return -1;
	for (i = 0; register_match_sql[i] != NULL; i++)
		if (register_exec(db, register_match_sql[i], err) == -1)
			return -1;
	bulk = register_int(db, "SELECT count(*) FROM temp.register_affected") >
	    REGISTER_BULK;
	if ((bulk && register_exec(db, "DROP INDEX IF EXISTS "
	    "register_entries_figures", err) == -1) ||
	    register_exec(db, register_match_first_doc_sql, err) == -1 ||
	    (bulk && register_exec(db, REGISTER_FIGURES_INDEX, err) == -1) ||
	    register_exec(db, "DELETE FROM temp.register_affected",
	    err) == -1 ||
	    register_exec(db, "DELETE FROM register_stale", err) == -1)
		return -1;
	return 0;
}

int
register_match_refresh(struct index *ix, char *err)
{
	sqlite3 *db = db_raw(index_db(ix));

	err[0] = '\0';
	if (register_setup(ix, err) == -1)
		return -1;
	/* Nothing new (the common case) takes no write lock. */
	if (register_int(db, "SELECT (SELECT coalesce(max(id), 0) FROM "
	    "documents) > (SELECT last_doc_id FROM register_state) OR "
	    "EXISTS (SELECT 1 FROM register_stale)") == 0)
		return 0;
	if (index_begin(ix) == -1) {
		snprintf(err, ERRMAX, "cannot update the register's matches: "
		    "%s", sqlite3_errmsg(db));
		return -1;
	}
	if (register_match_run(db, 0, err) == -1 || index_commit(ix) == -1) {
		if (err[0] == '\0')
			snprintf(err, ERRMAX, "cannot update the register's "
			    "matches: %s", sqlite3_errmsg(db));
		index_rollback(ix);
		return -1;
	}
	return 0;
}

static json_t *
register_match_col_str(sqlite3_stmt *st, int col)
{
	const unsigned char *s = sqlite3_column_text(st, col);

	return s ? json_string((const char *)s) : json_null();
}

/* Why an archived document matches no entry, in the clerk's words. */
static const char *
register_match_why(sqlite3_stmt *st)
{
	int dossier = sqlite3_column_type(st, 6) != SQLITE_NULL;
	int number = sqlite3_column_type(st, 5) != SQLITE_NULL;

	if (!dossier && !number)
		return "neither a dossier code nor a document number was read "
		    "off the scan";
	if (!dossier && sqlite3_column_type(st, 7) == SQLITE_NULL)
		return "no dossier code and no issue date were read off the "
		    "scan, so its number cannot be matched";
	if (!number)
		return "no register entry has its dossier code";
	return "no register entry has its dossier code, nor its document "
	    "number from this agency on this date";
}

json_t *
register_match_unmatched(struct index *ix, int documents, char *err)
{
	static const char entries_sql[] = "SELECT level, agency_code, "
	    "agency_name, dossier_code, doc_number, procedure_code, issued_on, "
	    "valid_until, status, line FROM register_entries WHERE doc_id IS "
	    "NULL ORDER BY level, agency_code, issued_on, doc_number, id";
	static const char documents_sql[] = "SELECT d.id, d.source_name, "
	    "d.level, d.agency_code, d.agency_name, d.doc_number, "
	    "d.dossier_code, d.issued_on FROM register_docs r JOIN documents d "
	    "ON d.id = r.doc_id WHERE r.entry_id IS NULL ORDER BY d.id";
	static const char *const entry_keys[] = { "level", "agency_code",
	    "agency_name", "dossier_code", "doc_number", "procedure_code",
	    "issued_on", "valid_until", "status", NULL };
	static const char *const doc_keys[] = { "id", "source_name", "level",
	    "agency_code", "agency_name", "doc_number", "dossier_code",
	    "issued_on", NULL };
	const char *const *keys = documents ? doc_keys : entry_keys;
	sqlite3 *db = db_raw(index_db(ix));
	sqlite3_stmt *st;
	json_t *a, *o;
	int rc, i;

	if (register_match_refresh(ix, err) == -1)
		return NULL;
	if (sqlite3_prepare_v2(db, documents ? documents_sql : entries_sql, -1,
	    &st, NULL) != SQLITE_OK) {
		snprintf(err, ERRMAX, "cannot read the register: %s",
		    sqlite3_errmsg(db));
		return NULL;
	}
	a = json_array();
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		o = json_object();
		for (i = 0; keys[i] != NULL; i++)
			json_object_set_new(o, keys[i], i == 0 && documents ?
			    json_integer(sqlite3_column_int64(st, 0)) :
			    register_match_col_str(st, i));
		if (documents)
			json_object_set_new(o, "reason",
			    json_string(register_match_why(st)));
		else
			json_object_set_new(o, "line",
			    json_integer(sqlite3_column_int64(st, 9)));
		json_array_append_new(a, o);
	}
	if (rc != SQLITE_DONE) {
		snprintf(err, ERRMAX, "cannot read the register: %s",
		    sqlite3_errmsg(db));
		json_decref(a);
		a = NULL;
	}
	sqlite3_finalize(st);
	return a;
}
