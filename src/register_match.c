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

#include "sohoa.h"
#include "register_int.h"

/* Entries whose first document changes at once beyond which the covering
 * index is rebuilt rather than updated entry by entry (seven times faster
 * for the first match of a million documents). */
#define REGISTER_BULK	100000

/* A statement that changes the schema, in the match; err says why it
 * failed. */
static int
register_match_exec(struct db *db, const char *sql, char *err)
{
	if (db_exec(db, sql, NULL) == -1) {
		snprintf(err, ERRMAX, "cannot match the register: %s",
		    db_errmsg(db));
		return -1;
	}
	return 0;
}

/*
 * Matches the documents recorded since the last time and those changed
 * since, or with all set every document (the register changed), as
 * register_sql's comment says (register.c).  Runs inside the caller's
 * transaction.
 */
int
register_match_run(struct db *db, int all, char *err)
{
	int i, bulk;

	if (all) {
		if (register_run(db, RS_STALE_ALL, err) == -1 ||
		    register_run(db, RS_STALE_MATCHED, err) == -1)
			return -1;
	} else if (register_run(db, RS_STALE_NEW, err) == -1)
		return -1;
	if (register_run(db, RS_STATE, err) == -1)
		return -1;
	for (i = RS_AFFECTED_OLD; i <= RS_AFFECTED_NEW; i++)
		if (register_run(db, i, err) == -1)
			return -1;
	bulk = register_int(db, RS_AFFECTED_COUNT) > REGISTER_BULK;
	if ((bulk && register_match_exec(db, "DROP INDEX IF EXISTS "
	    "register_entries_figures", err) == -1) ||
	    register_run(db, RS_FIRST_DOC, err) == -1 ||
	    (bulk && register_match_exec(db, REGISTER_FIGURES_INDEX,
	    err) == -1) ||
	    register_run(db, RS_AFFECTED_CLEAR, err) == -1 ||
	    register_run(db, RS_STALE_CLEAR, err) == -1)
		return -1;
	return 0;
}

int
register_match_refresh(struct index *ix, char *err)
{
	struct db *db = index_db(ix);

	err[0] = '\0';
	/* Nothing new (the common case) takes no write lock. */
	if (register_int(db, RS_ANY_NEW) == 0)
		return 0;
	if (index_begin(ix) == -1) {
		snprintf(err, ERRMAX, "cannot update the register's matches: "
		    "%s", db_errmsg(db));
		return -1;
	}
	if (register_match_run(db, 0, err) == -1 || index_commit(ix) == -1) {
		if (err[0] == '\0')
			snprintf(err, ERRMAX, "cannot update the register's "
			    "matches: %s", db_errmsg(db));
		index_rollback(ix);
		return -1;
	}
	return 0;
}

/* Why an archived document matches no entry, in the clerk's words. */
static const char *
register_match_why(struct db_stmt *st)
{
	int dossier = !db_col_null(st, 6);
	int number = !db_col_null(st, 5);

	if (!dossier && !number)
		return "neither a dossier code nor a document number was read "
		    "off the scan";
	if (!dossier && db_col_null(st, 7))
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
	/* The register's own names for its columns (register_csv.c). */
	static const char *const entry_keys[] = { "level", "agency_code",
	    "agency_name", "dossier_code", "doc_number", "procedure_code",
	    "issued_on", "valid_until", "status", NULL };
	/* The documents' by the record's names. */
	static const char *const doc_keys[] = { DOC_K_ID, DOC_K_SOURCE_NAME,
	    DOC_K_LEVEL, DOC_K_AGENCY_CODE, DOC_K_AGENCY_NAME, DOC_K_NUMBER,
	    DOC_K_DOSSIER_CODE, DOC_K_ISSUED_ON, NULL };
	const char *const *keys = documents ? doc_keys : entry_keys;
	struct db *db = index_db(ix);
	struct db_stmt *st;
	json_t *a, *o;
	int rc, i;

	if (register_match_refresh(ix, err) == -1)
		return NULL;
	st = register_stmt(db, documents ? RS_UNMATCHED_DOCS :
	    RS_UNMATCHED_ENTRIES);
	a = json_array();
	while ((rc = db_step(st)) == DB_ROW) {
		o = json_object();
		for (i = 0; keys[i] != NULL; i++)
			json_object_set_new(o, keys[i], i == 0 && documents ?
			    json_integer(db_col_int64(st, 0)) :
			    db_col_str(st, i));
		if (documents)
			json_object_set_new(o, "reason",
			    json_string(register_match_why(st)));
		else
			json_object_set_new(o, "line",
			    json_integer(db_col_int64(st, 9)));
		json_array_append_new(a, o);
	}
	if (rc != DB_DONE) {
		snprintf(err, ERRMAX, "cannot read the register: %s",
		    db_errmsg(db));
		json_decref(a);
		a = NULL;
	}
	db_reset(st);
	return a;
}
