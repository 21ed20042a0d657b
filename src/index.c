/*
 * index.c: the SQLite database that clerks search.
 *
 * One database per installation, WAL mode with synchronous=FULL (a scan
 * leaves the spool only after its record is committed, so a commit must
 * survive a power cut), one transaction per document, every statement
 * prepared once and kept in an array indexed by an enum.
 *
 * Full text lives in an FTS5 table tokenized by "sohoa" (tokenizer.c):
 * unicode61 without diacritics, đ folded to d, and beside each folded
 * token its "exact twin", the word with its marks kept.
 *
 * Ranking by diacritics.  When a query is typed with diacritics, each of
 * its words becomes "folded OR twin"; since a twin implies its folded
 * token, that finds exactly what the folded word alone finds, and the aux
 * function sohoa_rank counts the words matched through their twins.
 * Results are ordered by that count, then by BM25.  A query typed without
 * diacritics is folded only and ranked by BM25 alone.
 *
 * A million documents.  A common name ("nguyen van minh") is in a tenth of
 * them, and ranking them all takes longer than a clerk should wait: FTS5's
 * bm25() alone counts every row holding each word.  So sohoa_rank computes
 * BM25 itself with the IDF estimated on the newest INDEX_SAMPLE documents,
 * only the newest INDEX_WINDOW candidates are ranked, and a table of the
 * people named on each document (names: folded, whole and by their last
 * words) brings in the older documents naming a person as typed.  A name
 * typed whole is found however old its document; a query of common words
 * found apart ranks the newest INDEX_WINDOW documents that hold them (see
 * index_rank).  The older documents are scored from the name they hold
 * (index_score_named), not by asking the full text once each: there the
 * diacritics typed count as matched when that person's name has them.
 * Measured by bench/search-1m.
 *
 * The database also keeps who corrected which field (corrections) and who
 * searched for what or took which document out (access_log, written by
 * accesslog.c).
 */
#include <sys/types.h>

#include <ctype.h>
#include <fcntl.h>
#include <math.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>
#include <utf8proc.h>

#include "sohoa.h"

#define INDEX_VERSION	2	/* user_version: 2 = exact twins in the FTS */
#define INDEX_QUERYMAX	4096	/* bytes of a query */
#define INDEX_WINDOW	1000	/* candidates ranked, newest first */
#define INDEX_SPAN	500	/* candidates in the first range, with filters */
#define INDEX_SCAN	10000	/* about the most looked at, to meet filters */
#define INDEX_SAMPLE	5000	/* newest documents IDF is estimated on */
#define INDEX_NAMED_SPAN 100000	/* newest documents searched word by word
				 * for a name the names table knows */
#define INDEX_K1	1.2	/* BM25, as FTS5's bm25() */
#define INDEX_B		0.75
#define INDEX_FIELDS_WEIGHT 4.0	/* a word in the fields counts four times */

/* The columns of a record, INDEX_DOC_NCOLUMNS of them (sohoa.h), in the
 * order store_row_json reads them. */
#define DOC_COLUMNS "d.id, d.source_name, d.sha256, d.pages, " \
	"d.ocr_confidence, d.profile, d.agency_code, d.agency_name, d.level, " \
	"d.doc_type, d.doc_number, d.issued_on, d.people, d.id_numbers, " \
	"d.dossier_code, d.archive, d.ingested_at, d.duplicate_of, " \
	"d.procedure_code, d.valid_until"

/*
 * The filters of the three search statements, bound to the same numbers:
 * ?3 level, ?4 agency code, ?5 " folded words of the type ", ?6 from,
 * ?7 to, ?8 ID number, ?9 dossier code (upper case), ?10 limit.
 */
#define FILTERS \
	" AND (?3 IS NULL OR d.level = ?3)" \
	" AND (?4 IS NULL OR d.agency_code = ?4)" \
	" AND (?5 IS NULL OR instr(' ' || sohoa_words(d.doc_type) || ' ', ?5) > 0)" \
	" AND (?6 IS NULL OR d.issued_on >= ?6)" \
	" AND (?7 IS NULL OR d.issued_on <= ?7)" \
	" AND (?8 IS NULL OR EXISTS (SELECT 1 FROM json_each(d.id_numbers) " \
	"     WHERE json_each.value = ?8))" \
	" AND (?9 IS NULL OR upper(d.dossier_code) = ?9)"

static const char *index_sql[STMT_MAX] = {
	[STMT_FIND_SHA] = "SELECT id FROM documents WHERE sha256 = ?1 AND "
	    "duplicate_of IS NULL ORDER BY id LIMIT 1",
	[STMT_INSERT] = "INSERT INTO documents (source_name, sha256, pages, "
	    "ocr_confidence, profile, agency_code, agency_name, level, "
	    "doc_type, doc_number, issued_on, people, id_numbers, "
	    "dossier_code, archive, ingested_at, duplicate_of, "
	    "procedure_code, valid_until) VALUES "
	    "(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, "
	    "?15, ?16, ?17, ?18, ?19)",
	[STMT_INSERT_FTS] = "INSERT INTO documents_fts (rowid, body, fields) "
	    "VALUES (?1, ?2, ?3)",
	[STMT_UPDATE_FTS] = "UPDATE documents_fts SET fields = ?2 "
	    "WHERE rowid = ?1",
	[STMT_SET_ARCHIVE] = "UPDATE documents SET archive = ?2, "
	    "archive_sha256 = ?3 WHERE id = ?1",
	[STMT_SET_FIELDS] = "UPDATE documents SET doc_type = ?2, "
	    "doc_number = ?3, issued_on = ?4, agency_name = ?5, people = ?6, "
	    "id_numbers = ?7, dossier_code = ?8 WHERE id = ?1",
	[STMT_GET] = "SELECT " DOC_COLUMNS " FROM documents d WHERE d.id = ?1",
	[STMT_LIST] = "SELECT " DOC_COLUMNS " FROM documents d "
	    "ORDER BY d.id DESC LIMIT ?1",
	/* Where the sample IDF is estimated on begins, and its size. */
	[STMT_MAX_ID] = "SELECT max(id) FROM documents",
	[STMT_SAMPLE_ALL] = "SELECT count(*) FROM documents "
	    "WHERE duplicate_of IS NULL",
	[STMT_SAMPLE] = "SELECT count(*) FROM documents_fts "
	    "WHERE documents_fts MATCH ?1 AND rowid >= ?2",
	/* The newest ?10 candidates with rowids in [?11, ?14], and their
	 * scores: FTS5 hands rows out newest first by itself, so no more than
	 * that many are read. */
	[STMT_RANK] = "SELECT rowid, sohoa_rank(documents_fts, ?2, ?13) "
	    "FROM documents_fts WHERE documents_fts MATCH ?1 AND rowid >= ?11 "
	    "AND rowid <= ?14 ORDER BY rowid DESC LIMIT ?10",
	/* The same among those the filters keep.  CROSS JOIN keeps SQLite
	 * from driving the search from the documents table, which would run
	 * the full text query once per row. */
	[STMT_RANK_FILTERED] = "SELECT documents_fts.rowid, "
	    "sohoa_rank(documents_fts, ?2, ?13) FROM documents_fts "
	    "CROSS JOIN documents d ON d.id = documents_fts.rowid "
	    "WHERE documents_fts MATCH ?1 AND documents_fts.rowid >= ?11 "
	    "AND documents_fts.rowid <= ?14" FILTERS
	    " ORDER BY documents_fts.rowid DESC LIMIT ?10",
	[STMT_NAME_KNOWN] = "SELECT 1 FROM names WHERE name = ?1 LIMIT 1",
	/* The newest ?10 documents older than ?11 naming a person ?15. */
	[STMT_OLDER] = "SELECT n.document, d.people FROM names n "
	    "CROSS JOIN documents d "
	    "ON d.id = n.document WHERE n.name = ?15 AND n.document < ?11"
	    FILTERS " ORDER BY n.document DESC LIMIT ?10",
	/* One result, with the snippet that costs a pass over its text. */
	[STMT_FETCH] = "SELECT " DOC_COLUMNS ", "
	    "snippet(documents_fts, -1, '[', ']', '…', 12) "
	    "FROM documents_fts CROSS JOIN documents d "
	    "ON d.id = documents_fts.rowid "
	    "WHERE documents_fts MATCH ?1 AND documents_fts.rowid = ?2",
	[STMT_FILTER] = "SELECT " DOC_COLUMNS " FROM documents d "
	    "WHERE d.duplicate_of IS NULL" FILTERS " ORDER BY d.id DESC LIMIT ?10",
	/* Filters only, one of them an ID number or a dossier code: the
	 * full text of the fields finds the few candidates. */
	[STMT_FILTER_FTS] = "SELECT " DOC_COLUMNS " FROM documents_fts "
	    "CROSS JOIN documents d ON d.id = documents_fts.rowid "
	    "WHERE documents_fts MATCH ?1" FILTERS
	    " ORDER BY d.id DESC LIMIT ?10",
	[STMT_NAME_ADD] = "INSERT OR IGNORE INTO names (name, document) "
	    "VALUES (?1, ?2)",
	[STMT_NAME_DEL] = "DELETE FROM names WHERE document = ?1",
	[STMT_PACKAGES] = "SELECT id, archive, archive_sha256 FROM documents "
	    "WHERE duplicate_of IS NULL AND archive IS NOT NULL ORDER BY id",
	[STMT_ARCHIVE_SHA] = "SELECT archive_sha256 FROM documents WHERE id = ?1",
	[STMT_ADD_CORRECTION] = "INSERT INTO corrections (document, field, "
	    "old_value, new_value, who, at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
	/* The records of one scan: the first copy and its duplicates. */
	[STMT_COPIES] = "SELECT id FROM documents WHERE id = ?1 OR "
	    "duplicate_of = ?1 ORDER BY id",
	[STMT_CORRECTIONS] = "SELECT field, old_value, new_value, who, at "
	    "FROM corrections WHERE document = ?1 ORDER BY id",
	[STMT_LOG] = "INSERT INTO access_log (at, who, action, query, filters, "
	    "document, taken, results) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
	[STMT_ACCESS_LOG] = "SELECT id, at, who, action, query, filters, "
	    "document, taken, results FROM access_log ORDER BY id DESC "
	    "LIMIT ?1",
	[STMT_BEGIN] = "BEGIN IMMEDIATE",
	[STMT_COMMIT] = "COMMIT",
	[STMT_ROLLBACK] = "ROLLBACK",
};

#define FTS_COLUMNS "fts5(body, fields, tokenize = 'sohoa')"
/*
 * Set when the full-text table is made (FTS5 keeps it in the table):
 * merging segments two at a time instead of four keeps fewer of them as
 * the index grows.  bench/search-1m, 1M records as grown: p99 of a name
 * 50 -> 42 ms, with diacritics 80 -> 67 ms, at 6 % fewer records a second.
 */
#define FTS_TUNE "INSERT INTO documents_fts (documents_fts, rank) " \
	"VALUES ('automerge', 2);"

static const char index_schema[] =
	"CREATE TABLE IF NOT EXISTS documents ("
	"  id INTEGER PRIMARY KEY,"
	"  source_name TEXT NOT NULL,"
	"  sha256 TEXT NOT NULL,"
	"  pages INTEGER NOT NULL,"
	"  ocr_confidence REAL,"
	"  profile TEXT, agency_code TEXT, agency_name TEXT, level TEXT,"
	"  doc_type TEXT, doc_number TEXT, issued_on TEXT,"
	"  people TEXT NOT NULL DEFAULT '[]',"
	"  id_numbers TEXT NOT NULL DEFAULT '[]',"
	"  dossier_code TEXT,"
	"  archive TEXT, archive_sha256 TEXT,"
	"  ingested_at TEXT NOT NULL,"
	"  duplicate_of INTEGER REFERENCES documents(id),"
	/* From the QR codes on the result (codes.c); see index_columns. */
	"  procedure_code TEXT, valid_until TEXT);"
	"CREATE INDEX IF NOT EXISTS documents_sha256 ON documents(sha256);"
	"CREATE VIRTUAL TABLE IF NOT EXISTS documents_fts USING " FTS_COLUMNS ";"
	/* Values are JSON (a string, an array or null), as in the record. */
	"CREATE TABLE IF NOT EXISTS corrections ("
	"  id INTEGER PRIMARY KEY,"
	"  document INTEGER NOT NULL REFERENCES documents(id),"
	"  field TEXT NOT NULL,"
	"  old_value TEXT, new_value TEXT,"
	"  who TEXT NOT NULL,"
	"  at TEXT NOT NULL);"
	"CREATE INDEX IF NOT EXISTS corrections_document ON "
	"  corrections(document, id);"
	/* The people of each searchable document, folded, whole and by their
	 * last words ("thu huong"): a name typed whole is found at once
	 * however old its document (see index_rank). */
	"CREATE TABLE IF NOT EXISTS names ("
	"  name TEXT NOT NULL,"
	"  document INTEGER NOT NULL,"
	"  PRIMARY KEY (name, document)) WITHOUT ROWID;"
	"CREATE INDEX IF NOT EXISTS names_document ON names(document);"
	"CREATE TABLE IF NOT EXISTS access_log ("
	"  id INTEGER PRIMARY KEY,"
	"  at TEXT NOT NULL,"
	"  who TEXT NOT NULL,"
	"  action TEXT NOT NULL,"		/* search | get | show | list */
	"  query TEXT,"
	"  filters TEXT,"			/* JSON object */
	"  document INTEGER,"
	"  taken TEXT,"				/* original | pdf | text */
	"  results INTEGER);";

const char *const index_correctable[] = { "doc_type", "doc_number",
    "issued_on", "agency_name", "people", "id_numbers", "dossier_code",
    NULL };

struct index {
	sqlite3	*db;
	sqlite3_stmt *stmt[STMT_MAX];
	int64_t	 named_span;	/* INDEX_NAMED_SPAN, but in tests */
};

static fts5_api *
index_fts5_api(sqlite3 *db)
{
	fts5_api *api = NULL;
	sqlite3_stmt *st;

	if (sqlite3_prepare_v2(db, "SELECT fts5(?1)", -1, &st, NULL) != SQLITE_OK)
		return NULL;
	sqlite3_bind_pointer(st, 1, &api, "fts5_api_ptr", NULL);
	sqlite3_step(st);
	sqlite3_finalize(st);
	return api;
}

/* What sohoa_rank works out once per query. */
struct index_rank {
	int	 nphrase;
	double	*idf;		/* per phrase, as index_search estimated it */
	double	 avgdl;		/* tokens in an average row */
};

static void
index_rank_free(void *p)
{
	struct index_rank *r = p;

	free(r->idf);
	free(r);
}

/*
 * sohoa_rank(documents_fts, mask, idfs): the score of this row, higher is
 * better: how many phrases marked '1' in mask match (the words typed with
 * diacritics that match as typed), plus BM25 squeezed into [0, 1).  BM25
 * is FTS5's own (k1 1.2, b 0.75, the fields column weighing 4), except
 * that the IDF of each phrase comes in idfs (comma-separated), which
 * index_search estimates on the newest documents: FTS5's bm25() counts
 * every row holding each phrase, tens of milliseconds for a common name
 * over a million documents.
 */
static void
index_fts_rank(const Fts5ExtensionApi *api, Fts5Context *fts,
    sqlite3_context *ctx, int nval, sqlite3_value **val)
{
	static const double weight[2] = { 1.0, INDEX_FIELDS_WEIGHT };
	const double k1 = INDEX_K1, b = INDEX_B;
	const unsigned char *mask = nval > 0 ? sqlite3_value_text(val[0]) : NULL;
	const char *idfs = nval > 1 ? (const char *)sqlite3_value_text(val[1]) :
	    NULL;
	struct index_rank *r = api->xGetAuxdata(fts, 0);
	double tf[64], score = 0, d;
	sqlite3_int64 nrow = 0, ntok = 0;
	int i, n, ninst, ip, ic, io, dl = 0, exact = 0;
	char *end;

	if (r == NULL) {
		r = xcalloc(1, sizeof *r);
		r->nphrase = api->xPhraseCount(fts);
		r->idf = xcalloc((size_t)r->nphrase + 1, sizeof *r->idf);
		for (i = 0; i < r->nphrase; i++) {
			r->idf[i] = idfs != NULL ? strtod(idfs, &end) : 1;
			if (idfs != NULL)
				idfs = *end == ',' ? end + 1 : end;
		}
		if (api->xRowCount(fts, &nrow) == SQLITE_OK &&
		    api->xColumnTotalSize(fts, -1, &ntok) == SQLITE_OK &&
		    nrow > 0)
			r->avgdl = (double)ntok / (double)nrow;
		if (api->xSetAuxdata(fts, r, index_rank_free) != SQLITE_OK) {
			sqlite3_result_error_nomem(ctx);
			return;
		}
	}
	n = r->nphrase < 64 ? r->nphrase : 64;
	memset(tf, 0, sizeof tf);
	if (api->xInstCount(fts, &ninst) == SQLITE_OK)
		for (i = 0; i < ninst; i++)
			if (api->xInst(fts, i, &ip, &ic, &io) == SQLITE_OK &&
			    ip < n && ic >= 0 && ic < 2)
				tf[ip] += weight[ic];
	api->xColumnSize(fts, -1, &dl);
	for (i = 0; i < n; i++) {
		if (tf[i] <= 0)
			continue;
		d = r->avgdl > 0 ? dl / r->avgdl : 1;
		score += r->idf[i] * tf[i] * (k1 + 1) /
		    (tf[i] + k1 * (1 - b + b * d));
		if (mask != NULL && (int)strlen((const char *)mask) > i &&
		    mask[i] == '1')
			exact++;
	}
	if (score < 0)
		score = 0;
	sqlite3_result_double(ctx, exact + score / (1 + score));
}

static int
index_register_fts(sqlite3 *db)
{
	fts5_api *api = index_fts5_api(db);

	if (api == NULL)
		return -1;
	if (tokenizer_register(api) == -1 ||
	    api->xCreateFunction(api, "sohoa_rank", NULL, index_fts_rank,
	    NULL) != SQLITE_OK)
		return -1;
	return 0;
}

/*
 * A database made before the QR codes were read has no procedure_code or
 * valid_until: they are added in place (NULL for the records already
 * there, whose packages may hold them in metadata.json), before any
 * statement naming them is prepared.  Inside the schema's transaction.
 */
static int
index_columns(sqlite3 *db, char **msg)
{
	static const char *const cols[] = { "procedure_code", "valid_until" };
	char *sql;
	size_t i;
	int rc = SQLITE_OK;

	for (i = 0; rc == SQLITE_OK && i < sizeof cols / sizeof cols[0]; i++)
		if (sqlite3_table_column_metadata(db, NULL, "documents",
		    cols[i], NULL, NULL, NULL, NULL, NULL) != SQLITE_OK) {
			sql = xasprintf("ALTER TABLE documents ADD COLUMN %s "
			    "TEXT", cols[i]);
			rc = sqlite3_exec(db, sql, NULL, NULL, msg);
			free(sql);
		}
	return rc;
}

static int
index_version(struct index *ix)
{
	sqlite3_stmt *st;
	int version = -1;

	if (sqlite3_prepare_v2(ix->db, "PRAGMA user_version", -1, &st,
	    NULL) == SQLITE_OK) {
		if (sqlite3_step(st) == SQLITE_ROW)
			version = sqlite3_column_int(st, 0);
		sqlite3_finalize(st);
	}
	return version;
}

/*
 * Brings a database made by an older sohoa up to INDEX_VERSION (a new one
 * is version 0).  Version 1 had no exact twins and no names: its full text
 * is re-tokenized from the text FTS5 keeps and the names are read off the
 * records, in one transaction.
 */
static int
index_upgrade(struct index *ix, char *err)
{
	sqlite3_stmt *st = NULL;
	char *msg = NULL;
	json_t *doc;
	int version, rc;

	if (index_version(ix) == INDEX_VERSION)
		return 0;
	if (sqlite3_exec(ix->db, "BEGIN IMMEDIATE", NULL, NULL, &msg) !=
	    SQLITE_OK)
		goto fail;
	rc = SQLITE_OK;
	if ((version = index_version(ix)) < INDEX_VERSION) {
		if (version >= 1)
			rc = sqlite3_exec(ix->db, "INSERT INTO documents_fts"
			    "(documents_fts) VALUES ('rebuild')", NULL, NULL, &msg);
		if (rc == SQLITE_OK && version >= 1)
			rc = sqlite3_prepare_v2(ix->db, "SELECT rowid FROM "
			    "documents_fts ORDER BY rowid", -1, &st, NULL);
		while (rc == SQLITE_OK && st != NULL &&
		    sqlite3_step(st) == SQLITE_ROW) {
			doc = store_get(ix, sqlite3_column_int64(st, 0));
			if (doc != NULL && store_names_put(ix,
			    sqlite3_column_int64(st, 0), doc, err) == -1)
				rc = SQLITE_ERROR;
			json_decref(doc);
		}
		sqlite3_finalize(st);
		if (rc == SQLITE_OK)
			rc = sqlite3_exec(ix->db, "PRAGMA user_version = 2",
			    NULL, NULL, &msg);
	}
	if (rc == SQLITE_OK)
		rc = sqlite3_exec(ix->db, "COMMIT", NULL, NULL, &msg);
	if (rc == SQLITE_OK)
		return 0;
	sqlite3_exec(ix->db, "ROLLBACK", NULL, NULL, NULL);
fail:
	if (msg != NULL || err[0] == '\0')
		snprintf(err, ERRMAX, "cannot bring the database up to date: %s",
		    msg ? msg : sqlite3_errmsg(ix->db));
	sqlite3_free(msg);
	return -1;
}

/*
 * WAL, the pragmas, and the tables made if missing, in one write
 * transaction taken at once, so that processes opening a new database
 * together (sohoad starting while sohoa status asks) make it once.  Where
 * SQLite answers "busy" without waiting (turning a new file to WAL while
 * another process does, upgrading a lock another one wants too), the
 * whole step is tried again, for as long as the busy timeout.
 */
static int
index_setup(sqlite3 *db, char **msg)
{
	struct timespec pause = { 0, 20 * 1000 * 1000 };
	int rc, fresh, tries;

	for (tries = 0; tries < 500; tries++) {
		sqlite3_free(*msg);
		*msg = NULL;
		rc = sqlite3_exec(db, "PRAGMA journal_mode = WAL;"
		    "PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON;"
		    "PRAGMA mmap_size = 1073741824; PRAGMA cache_size = -32768;"
		    "BEGIN IMMEDIATE", NULL, NULL, msg);
		if (rc == SQLITE_OK) {
			fresh = sqlite3_table_column_metadata(db, NULL,
			    "documents_fts", NULL, NULL, NULL, NULL, NULL,
			    NULL) != SQLITE_OK;
			if ((rc = sqlite3_exec(db, index_schema, NULL, NULL,
			    msg)) == SQLITE_OK && fresh)
				rc = sqlite3_exec(db, FTS_TUNE, NULL, NULL, msg);
			if (rc == SQLITE_OK)
				rc = index_columns(db, msg);
			if (rc == SQLITE_OK)
				rc = sqlite3_exec(db, "COMMIT", NULL, NULL, msg);
			if (rc != SQLITE_OK && !sqlite3_get_autocommit(db))
				sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
		}
		if ((rc & 0xff) != SQLITE_BUSY && (rc & 0xff) != SQLITE_LOCKED)
			return rc;
		nanosleep(&pause, NULL);
	}
	return rc;
}

/*
 * The database holds citizens' names and ID numbers: for its owner and
 * the staff group only.  SQLite would make a new one 0644 under umask
 * 022, so it is made 0640 here first; SQLite gives the -wal and -shm
 * files the mode of the database, whatever the umask.  A database an
 * older sohoa left open to others is closed, and so are its -wal and -shm
 * when a crash left them behind.  Failures are SQLite's to report.
 */
static void
index_keep_private(const char *dbpath)
{
	static const char *const sidecars[] = { "-wal", "-shm" };
	char *side;
	size_t i;
	int fd;

	if ((fd = open(dbpath, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
	    UTIL_PRIVATE_FILE)) != -1)
		close(fd);
	util_keep_private(dbpath);
	for (i = 0; i < sizeof sidecars / sizeof sidecars[0]; i++) {
		side = xasprintf("%s%s", dbpath, sidecars[i]);
		util_keep_private(side);
		free(side);
	}
}

struct index *
index_open(const char *dbpath, char *err)
{
	struct index *ix = xcalloc(1, sizeof *ix);
	char *msg = NULL;
	int i;

	ix->named_span = INDEX_NAMED_SPAN;
	index_keep_private(dbpath);
	if (sqlite3_open_v2(dbpath, &ix->db, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
		snprintf(err, ERRMAX, "cannot open the database %s: %s", dbpath,
		    sqlite3_errmsg(ix->db));
		goto out_close;
	}
	sqlite3_busy_timeout(ix->db, 10000);
	if (index_register_fts(ix->db) == -1) {
		snprintf(err, ERRMAX, "this SQLite has no FTS5 full-text search");
		goto out_close;
	}
	if (tokenizer_register_words(ix->db) == -1) {
		snprintf(err, ERRMAX, "database %s: %s", dbpath,
		    sqlite3_errmsg(ix->db));
		goto out_close;
	}
	/* Searches jump about a large file: read it through the page cache
	 * of the system (mmap) rather than a copy per page, and keep more of
	 * it in SQLite's own cache than the 2 MB it keeps by default. */
	if (index_setup(ix->db, &msg) != SQLITE_OK) {
		snprintf(err, ERRMAX, "cannot set up the database %s: %s", dbpath,
		    msg ? msg : sqlite3_errmsg(ix->db));
		sqlite3_free(msg);
		goto out_close;
	}
	for (i = 0; i < STMT_MAX; i++) {
		if (sqlite3_prepare_v3(ix->db, index_sql[i], -1,
		    SQLITE_PREPARE_PERSISTENT, &ix->stmt[i], NULL) != SQLITE_OK) {
			snprintf(err, ERRMAX, "database %s: %s", dbpath,
			    sqlite3_errmsg(ix->db));
			goto out_close;
		}
	}
	err[0] = '\0';
	if (index_upgrade(ix, err) == -1)
		goto out_close;
	return ix;
out_close:
	index_close(ix);
	return NULL;
}

void
index_close(struct index *ix)
{
	int i;

	if (ix == NULL)
		return;
	for (i = 0; i < STMT_MAX; i++)
		sqlite3_finalize(ix->stmt[i]);
	sqlite3_close(ix->db);
	free(ix);
}

/* The connection, for modules that keep tables of their own in the same
 * database and must commit with the record (job.c). */
sqlite3 *
index_db(struct index *ix)
{
	return ix->db;
}

sqlite3_stmt *
index_stmt(struct index *ix, enum index_stmt s)
{
	sqlite3_reset(ix->stmt[s]);
	sqlite3_clear_bindings(ix->stmt[s]);
	return ix->stmt[s];
}

/* A copy of statement s of its own, for a loop whose body uses the
 * cached ones: NULL when it cannot be prepared.  Caller finalizes. */
sqlite3_stmt *
index_prepare(struct index *ix, enum index_stmt s)
{
	sqlite3_stmt *st;

	if (sqlite3_prepare_v2(ix->db, index_sql[s], -1, &st, NULL) !=
	    SQLITE_OK)
		return NULL;
	return st;
}

/* Binds s, or NULL when s is NULL. */
void
index_bind_opt(sqlite3_stmt *st, int col, const char *s)
{
	if (s != NULL)
		sqlite3_bind_text(st, col, s, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(st, col);
}

/* A column holding text as a JSON string, or null. */
json_t *
index_col_str(sqlite3_stmt *st, int col)
{
	const unsigned char *s = sqlite3_column_text(st, col);

	return s ? json_string((const char *)s) : json_null();
}

/* A column holding JSON text (a correction's value), or null. */
json_t *
index_col_json(sqlite3_stmt *st, int col)
{
	const unsigned char *s = sqlite3_column_text(st, col);
	json_t *v = s ? json_loads((const char *)s, JSON_DECODE_ANY, NULL) :
	    NULL;

	return v != NULL ? v : json_null();
}

static int
index_exec(struct index *ix, enum index_stmt s)
{
	int rc = sqlite3_step(index_stmt(ix, s));

	sqlite3_reset(ix->stmt[s]);
	return rc == SQLITE_DONE ? 0 : -1;
}

int
index_begin(struct index *ix)
{
	return index_exec(ix, STMT_BEGIN);
}

int
index_commit(struct index *ix)
{
	return index_exec(ix, STMT_COMMIT);
}

void
index_rollback(struct index *ix)
{
	if (!sqlite3_get_autocommit(ix->db))
		index_exec(ix, STMT_ROLLBACK);
}

int
index_date_ok(const char *s)
{
	static const int mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31,
	    30, 31 };
	int i, y, m, d;

	if (s == NULL || strlen(s) != 10 || s[4] != '-' || s[7] != '-')
		return 0;
	for (i = 0; i < 10; i++)
		if (i != 4 && i != 7 && !isdigit((unsigned char)s[i]))
			return 0;
	y = atoi(s);
	m = atoi(s + 5);
	d = atoi(s + 8);
	if (y < 1900 || y > 2100 || m < 1 || m > 12 || d < 1 ||
	    d > mdays[m - 1])
		return 0;
	return m != 2 || d < 29 || (y % 4 == 0 && (y % 100 != 0 ||
	    y % 400 == 0));
}

/* One word or "phrase" of a query as the user typed it. */
struct index_term {
	char	*text;		/* NFC, without quotes and '*' */
	int	 prefix;	/* ended in '*' */
	int	 digits;	/* a bare word of ASCII digits */
	int	 marks;		/* typed with diacritics */
	int	 letters;	/* holds a letter: may match an exact twin */
};

/* Letters or digits, the characters tokens are made of. */
static void
index_term_classify(struct index_term *t)
{
	const utf8proc_uint8_t *p = (const utf8proc_uint8_t *)t->text;
	utf8proc_int32_t cp;
	utf8proc_ssize_t n;
	size_t i, len = strlen(t->text);
	char *folded;
	int alnum = 0;

	t->digits = len > 0 && strspn(t->text, "0123456789") == len;
	for (i = 0; i < len; i += n > 0 ? (size_t)n : 1) {
		n = utf8proc_iterate(p + i, (utf8proc_ssize_t)(len - i), &cp);
		if (n <= 0)
			continue;
		switch (utf8proc_category(cp)) {
		case UTF8PROC_CATEGORY_LU: case UTF8PROC_CATEGORY_LL:
		case UTF8PROC_CATEGORY_LT: case UTF8PROC_CATEGORY_LM:
		case UTF8PROC_CATEGORY_LO:
			t->letters = 1;
			alnum = 1;
			break;
		case UTF8PROC_CATEGORY_ND: case UTF8PROC_CATEGORY_NL:
		case UTF8PROC_CATEGORY_NO:
			alnum = 1;
			break;
		default:
			break;
		}
	}
	/* Diacritics: folding changes more than ASCII case. */
	folded = vntext_fold(t->text);
	for (i = 0; folded[i] != '\0' && t->text[i] != '\0' &&
	    folded[i] == tolower((unsigned char)t->text[i]); i++)
		;
	t->marks = folded[i] != '\0' || t->text[i] != '\0';
	free(folded);
	if (!alnum) {
		free(t->text);
		t->text = NULL;
	}
}

static void
index_terms_free(struct index_term *terms, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(terms[i].text);
	free(terms);
}

/*
 * Splits a query into words and "quoted phrases", each possibly ending in
 * '*' (a prefix).  A word or phrase with no letter or digit is dropped.
 * Returns -1 with a plain sentence in err for what cannot be meant.
 */
static int
index_parse_query(const char *query, struct index_term **termsp, size_t *np,
    char *err)
{
	struct index_term *terms = NULL;
	size_t n = 0, cap = 0, len;
	char *q, *p, *start, *end;
	int rc = -1, prefix, quoted;

	q = vntext_nfc(query, strlen(query));
	if (strlen(q) > INDEX_QUERYMAX) {
		snprintf(err, ERRMAX, "the query is longer than %d bytes",
		    INDEX_QUERYMAX);
		goto out;
	}
	for (p = q; *p != '\0'; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = ' ';
	for (p = q; *p != '\0';) {
		if (*p == ' ') {
			p++;
			continue;
		}
		if ((quoted = *p == '"')) {
			start = p + 1;
			if ((end = strchr(start, '"')) == NULL) {
				snprintf(err, ERRMAX, "a quotation mark (\") is "
				    "not closed; put a phrase between two, as "
				    "in \"thu huong\"");
				goto out;
			}
			p = end + 1;
		} else {
			start = p;
			end = p + strcspn(p, " \"");
			p = end;
		}
		len = (size_t)(end - start);
		prefix = 0;
		if (quoted && *p == '*') {
			prefix = 1;
			p++;
		} else if (!quoted && len > 0 && start[len - 1] == '*') {
			prefix = 1;
			len--;
		}
		if (memchr(start, '*', len) != NULL) {
			snprintf(err, ERRMAX, "a * stands for the rest of a word "
			    "and must end it, as in huon*");
			goto out;
		}
		if (n == cap) {
			cap = cap ? cap * 2 : 8;
			terms = xrealloc(terms, cap * sizeof *terms);
		}
		memset(&terms[n], 0, sizeof terms[n]);
		terms[n].text = xmalloc(len + 1);
		memcpy(terms[n].text, start, len);
		terms[n].text[len] = '\0';
		terms[n].prefix = prefix;
		index_term_classify(&terms[n]);
		if (terms[n].text != NULL) {
			terms[n].digits = terms[n].digits && !quoted && !prefix;
			n++;
		}
	}
	rc = 0;
out:
	free(q);
	if (rc == -1) {
		index_terms_free(terms, n);
		terms = NULL;
		n = 0;
	}
	*termsp = terms;
	*np = n;
	return rc;
}

/* A query made for FTS5: its expression and what index_search needs to
 * rank what it finds. */
struct index_query {
	struct buf expr;	/* the FTS5 expression, every string quoted */
	struct buf plain;	/* the same without the twins: it finds the
				 * same documents, for less */
	struct buf mask;	/* per phrase: '1' for an exact twin */
	char	**phrase;	/* each phrase alone, in FTS5's order */
	size_t	 nphrase;
	char	*name;		/* all the words, folded, as the names table
				 * holds a name; NULL for a prefix */
	char	**twin;		/* with name: each word's exact twin, or NULL
				 * when the query is folded only */
	size_t	 nwords;
};

static void
index_query_free(struct index_query *q)
{
	size_t i;

	buf_free(&q->expr);
	buf_free(&q->plain);
	buf_free(&q->mask);
	for (i = 0; i < q->nphrase; i++)
		free(q->phrase[i]);
	for (i = 0; i < q->nwords; i++)
		free(q->twin[i]);
	free(q->twin);
	free(q->phrase);
	free(q->name);
}

static void	index_name_twins(struct index_query *, const char *);

/* Appends one quoted string, and notes it as a phrase; all but the twins
 * go to q->plain too. */
static void
index_phrase(struct index_query *q, const char *column, const char *prefix,
    const char *s, int star, char kind)
{
	struct buf p;

	buf_init(&p, INDEX_QUERYMAX * 4);
	buf_append(&p, column, strlen(column));
	buf_append(&p, "\"", 1);
	buf_append(&p, prefix, strlen(prefix));
	for (; *s != '\0'; s++)
		buf_append(&p, s, *s == '"' ? 0 : 1);
	buf_append(&p, star ? "\"*" : "\"", star ? 2 : 1);
	buf_append(&q->expr, p.data, p.len);
	if (kind == '0')
		buf_append(&q->plain, p.data, p.len);
	buf_append(&q->mask, &kind, 1);
	q->phrase = xrealloc(q->phrase, (q->nphrase + 1) * sizeof *q->phrase);
	q->phrase[q->nphrase++] = p.data;
}

/* Appends s to both expressions. */
static void
index_both(struct index_query *q, const char *s)
{
	buf_append(&q->expr, s, strlen(s));
	buf_append(&q->plain, s, strlen(s));
}

static void
index_and(struct index_query *q)
{
	if (q->expr.len > 0)
		index_both(q, " AND ");
}

/*
 * The FTS5 query for the terms and the filters that the full text can
 * narrow (ID number, dossier code), every string quoted, so that no input
 * is read as FTS5 syntax.  When a term is typed with diacritics, each
 * word becomes "folded OR twin".  Bare words of digits in a row that add
 * up to an ID number ("001323 012345") may also match it whole.  q->expr
 * is empty when there is nothing to match.
 */
static void
index_fts_query(struct index_term *t, size_t n, const char *person_id,
    const char *dossier, struct index_query *q)
{
	struct buf whole, id;
	size_t i, j, k, digits;
	int exact = 0, phrase = n >= 2;
	char twin[2] = { TOKENIZER_TWIN, '\0' };

	memset(q, 0, sizeof *q);
	buf_init(&q->expr, INDEX_QUERYMAX * 8);
	buf_init(&q->plain, INDEX_QUERYMAX * 8);
	buf_init(&q->mask, INDEX_QUERYMAX * 2);
	buf_init(&whole, INDEX_QUERYMAX * 2);
	buf_init(&id, 64);
	for (i = 0; i < n; i++)
		exact |= t[i].marks;
	for (i = 0; i < n; i = j) {
		for (j = i, digits = 0; j < n && t[j].digits; j++)
			digits += strlen(t[j].text);
		if (j - i >= 2 && (digits == 9 || digits == 12)) {
			index_and(q);
			index_both(q, "((");
			for (k = i; k < j; k++) {
				if (k > i)
					index_both(q, " AND ");
				index_phrase(q, "", "", t[k].text, 0, '0');
				buf_printf(&whole, "%s%s", whole.len ? " " : "",
				    t[k].text);
			}
			index_both(q, ") OR ");
			for (k = i; k < j; k++)
				buf_append(&id, t[k].text, strlen(t[k].text));
			index_phrase(q, "", "", id.data, 0, '0');
			buf_free(&id);
			index_both(q, ")");
			continue;
		}
		j = i + 1;
		index_and(q);
		if (exact && t[i].letters) {
			buf_append(&q->expr, "(", 1);
			index_phrase(q, "", "", t[i].text, t[i].prefix, '0');
			buf_append(&q->expr, " OR ", 4);
			index_phrase(q, "", twin, t[i].text, t[i].prefix, '1');
			buf_append(&q->expr, ")", 1);
		} else
			index_phrase(q, "", "", t[i].text, t[i].prefix, '0');
		if (t[i].prefix)
			phrase = 0;
		buf_printf(&whole, "%s%s", whole.len ? " " : "", t[i].text);
	}
	if (person_id != NULL) {
		index_and(q);
		index_phrase(q, "fields : ", "", person_id, 0, '0');
	}
	if (dossier != NULL) {
		index_and(q);
		index_phrase(q, "fields : ", "", dossier, 0, '0');
	}
	if (phrase && whole.data != NULL) {
		q->name = tokenizer_words(whole.data);
		if (strchr(q->name, ' ') == NULL) {
			free(q->name);
			q->name = NULL;
		} else if (exact)
			index_name_twins(q, whole.data);
	}
	buf_free(&whole);
}

/* q->twin: the exact twin of each word of the name typed (NFC), when the
 * words line up with those of q->name. */
static void
index_name_twins(struct index_query *q, const char *typed)
{
	char *copy, *word[64];
	size_t i, n = tokenizer_split_words(typed, &copy, word, 64), folded = 1;

	for (i = 0; q->name[i] != '\0'; i++)
		folded += q->name[i] == ' ';
	if (n == folded) {
		q->twin = xcalloc(n, sizeof *q->twin);
		q->nwords = n;
		for (i = 0; i < n; i++)
			q->twin[i] = tokenizer_twin_str(word[i]);
	}
	free(copy);
}

/*
 * The score sohoa_rank would give an older document found through the
 * names table, without asking the full text (a point query per document
 * costs a seek per word and segment; twenty of them, as long as the rest of
 * the search).  Such a document names a person as typed (people holds the
 * names), so: the words typed with diacritics that match that person's
 * name as typed, counted as sohoa_rank counts exact twins, plus BM25 as
 * for a document of average length holding each word once in the text and
 * once in the fields.
 */
static double
index_score_named(const struct index_query *q, const double *idf,
    const char *people)
{
	const double tf = 1 + INDEX_FIELDS_WEIGHT;
	json_t *a = people != NULL ? json_loads(people, 0, NULL) : NULL, *v;
	size_t i, k, n, len = strlen(q->name), nl, exact, best = 0, ntwin = 0;
	double bm25 = 0, g = tf * (INDEX_K1 + 1) / (tf + INDEX_K1);
	char *folded, *copy, *word[64], *t;

	json_array_foreach(a, i, v) {
		if (!json_is_string(v) || q->twin == NULL)
			continue;
		folded = tokenizer_words(json_string_value(v));
		nl = strlen(folded);
		if (nl >= len && strcmp(folded + nl - len, q->name) == 0 &&
		    (nl == len || folded[nl - len - 1] == ' ')) {
			n = tokenizer_split_words(json_string_value(v), &copy,
			    word, 64);
			for (k = exact = 0; n >= q->nwords && k < q->nwords;
			    k++) {
				t = tokenizer_twin_str(word[n - q->nwords + k]);
				if (t != NULL && q->twin[k] != NULL &&
				    strcmp(t, q->twin[k]) == 0)
					exact++;
				free(t);
			}
			if (exact > best)
				best = exact;
			free(copy);
		}
		free(folded);
	}
	json_decref(a);
	for (i = 0; i < q->nphrase; i++)
		if (q->mask.data[i] == '0')
			bm25 += idf[i] * g;
		else
			ntwin++;
	/* The twins of the words found exact count too, as in sohoa_rank. */
	for (i = 0, k = 0; i < q->nphrase && ntwin > 0; i++)
		if (q->mask.data[i] == '1' && k++ < best)
			bm25 += idf[i] * g;
	return (double)best + bm25 / (1 + bm25);
}

/* Filters checked and put the way the statements compare them. */
struct index_filter_norm {
	const char *level;
	char	*agency_code;
	char	*doc_type;	/* " folded words " */
	const char *from;
	const char *to;
	char	*person_id;
	char	*dossier_code;
	int	 any;
};

static void
index_filter_norm_free(struct index_filter_norm *n)
{
	free(n->agency_code);
	free(n->doc_type);
	free(n->person_id);
	free(n->dossier_code);
}

static char *
index_upper_ascii(const char *s)
{
	char *r = xstrdup(s), *p;

	for (p = r; *p != '\0'; p++)
		*p = (char)toupper((unsigned char)*p);
	return r;
}

static int
index_filter_check(const struct index_filter *f, struct index_filter_norm *n,
    char *err)
{
	const char *s;
	char *w, *p, *o;

	memset(n, 0, sizeof *n);
	if (f == NULL)
		return 0;
	if ((s = f->level) != NULL) {
		if (strcmp(s, "city") != 0 && strcmp(s, "district") != 0 &&
		    strcmp(s, "commune") != 0) {
			snprintf(err, ERRMAX, "the level is city, district or "
			    "commune, not '%s'", s);
			return -1;
		}
		n->level = s;
	}
	if ((s = f->agency_code) != NULL) {
		n->agency_code = index_upper_ascii(s);
		if (*s == '\0' || strlen(s) > 35 || strspn(n->agency_code,
		    "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ.") != strlen(s)) {
			snprintf(err, ERRMAX, "an agency code is letters, digits "
			    "and dots, such as 000.00.11.H26, not '%s'", s);
			return -1;
		}
	}
	if ((s = f->doc_type) != NULL) {
		w = tokenizer_words(s);
		if (*w == '\0') {
			free(w);
			snprintf(err, ERRMAX, "the document type to look for has "
			    "no words");
			return -1;
		}
		n->doc_type = xasprintf(" %s ", w);
		free(w);
	}
	if ((s = f->from) != NULL && !index_date_ok(s)) {
		snprintf(err, ERRMAX, "--from takes a date as YYYY-MM-DD, such "
		    "as 2024-03-15, not '%s'", s);
		return -1;
	}
	n->from = s;
	if ((s = f->to) != NULL && !index_date_ok(s)) {
		snprintf(err, ERRMAX, "--to takes a date as YYYY-MM-DD, such "
		    "as 2024-03-15, not '%s'", s);
		return -1;
	}
	n->to = s;
	if (n->from != NULL && n->to != NULL && strcmp(n->from, n->to) > 0) {
		snprintf(err, ERRMAX, "the date range ends (%s) before it "
		    "starts (%s)", n->to, n->from);
		return -1;
	}
	if ((s = f->person_id) != NULL) {
		n->person_id = o = xstrdup(s);
		for (p = n->person_id; *p != '\0'; p++)
			if (*p != ' ')
				*o++ = *p;
		*o = '\0';
		if ((strlen(n->person_id) != 12 && strlen(n->person_id) != 9) ||
		    strspn(n->person_id, "0123456789") != strlen(n->person_id)) {
			snprintf(err, ERRMAX, "a personal ID number has 12 digits "
			    "(9 on an old card), not '%s'", s);
			return -1;
		}
	}
	if ((s = f->dossier_code) != NULL) {
		n->dossier_code = index_upper_ascii(s);
		if (*s == '\0' || strlen(s) > 64 || strspn(n->dossier_code,
		    "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ.-") != strlen(s) ||
		    strpbrk(s, "0123456789") == NULL) {
			snprintf(err, ERRMAX, "a dossier code is letters, digits, "
			    "dots and dashes, such as 000.23.11.H26-240315-0017, "
			    "not '%s'", s);
			return -1;
		}
	}
	n->any = n->level || n->agency_code || n->doc_type || n->from ||
	    n->to || n->person_id || n->dossier_code;
	return 0;
}

static void
index_bind_filters(sqlite3_stmt *st, const struct index_filter_norm *nf)
{
	index_bind_opt(st, 3, nf->level);
	index_bind_opt(st, 4, nf->agency_code);
	index_bind_opt(st, 5, nf->doc_type);
	index_bind_opt(st, 6, nf->from);
	index_bind_opt(st, 7, nf->to);
	index_bind_opt(st, 8, nf->person_id);
	index_bind_opt(st, 9, nf->dossier_code);
}

/* Steps st to its end; the rows go to row(st, arg).  0, or -1 with err. */
static int
index_rows(struct index *ix, sqlite3_stmt *st,
    void (*row)(sqlite3_stmt *, void *), void *arg, char *err)
{
	int rc;

	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		if (row != NULL)
			row(st, arg);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE) {
		/* Every string is quoted, so this is not the user's doing. */
		snprintf(err, ERRMAX, "the search could not be run: %s",
		    sqlite3_errmsg(ix->db));
		return -1;
	}
	return 0;
}

static void
index_row_int64(sqlite3_stmt *st, void *arg)
{
	*(int64_t *)arg = sqlite3_column_int64(st, 0);
}

/*
 * The IDF of each phrase of q, estimated as FTS5's bm25() does, on the
 * newest INDEX_SAMPLE documents (all of them in a smaller index); an exact
 * twin gets its folded word's.  Into idf (q->nphrase of them), and
 * returned as sohoa_rank takes them, "idf,idf,..." (caller frees).
 * *share is the share of those documents the whole query finds, *maxid
 * the newest id.
 */
static char *
index_idfs(struct index *ix, struct index_query *q, double *idf,
    double *share, int64_t *maxid, char *err)
{
	struct buf b;
	sqlite3_stmt *st;
	int64_t lo = 0, n = 0, hits;
	size_t i;

	/* Ids are given in order, so the newest are the highest. */
	if (index_rows(ix, index_stmt(ix, STMT_MAX_ID), index_row_int64, &lo,
	    err) == -1)
		return NULL;
	*maxid = lo;
	if (lo > INDEX_SAMPLE) {
		lo -= INDEX_SAMPLE - 1;
		n = INDEX_SAMPLE;
	} else if (lo = 0, index_rows(ix, index_stmt(ix, STMT_SAMPLE_ALL),
	    index_row_int64, &n, err) == -1)
		return NULL;
	for (i = 0; i <= q->nphrase; i++) {
		/* A twin weighs what its folded word, just before it, weighs:
		 * which of them matches is counted apart (sohoa_rank). */
		if (i < q->nphrase && i > 0 && q->mask.data[i] == '1') {
			idf[i] = idf[i - 1];
			continue;
		}
		st = index_stmt(ix, STMT_SAMPLE);
		sqlite3_bind_text(st, 1, i < q->nphrase ? q->phrase[i] :
		    q->plain.data, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 2, lo);
		hits = 0;
		if (index_rows(ix, st, index_row_int64, &hits, err) == -1)
			return NULL;
		if (i == q->nphrase) {
			*share = n > 0 ? (double)hits / n : 0;
			break;
		}
		idf[i] = log((n - hits + 0.5) / (hits + 0.5));
		if (idf[i] < 1e-6)
			idf[i] = 1e-6;
	}
	buf_init(&b, 1 << 16);
	buf_append(&b, "", 0);
	for (i = 0; i < q->nphrase; i++)
		buf_printf(&b, "%s%.6g", i ? "," : "", idf[i]);
	return b.data;
}

/* Candidates, with their scores once ranked. */
struct index_hit {
	int64_t	 id;
	double	 score;
};
struct index_hits {
	struct index_hit *v;
	size_t	 n;
	size_t	 cap;
};

static void
index_hits_add(struct index_hits *h, int64_t id, double score)
{
	if (h->n == h->cap) {
		h->cap = h->cap ? h->cap * 2 : 64;
		h->v = xrealloc(h->v, h->cap * sizeof *h->v);
	}
	h->v[h->n].id = id;
	h->v[h->n++].score = score;
}

static void
index_row_hit(sqlite3_stmt *st, void *arg)
{
	index_hits_add(arg, sqlite3_column_int64(st, 0),
	    sqlite3_column_double(st, 1));
}

/* An older document naming the person typed, scored from its names. */
struct index_named {
	const struct index_query *q;
	const double *idf;
	struct index_hits *h;
};

static void
index_row_named(sqlite3_stmt *st, void *arg)
{
	struct index_named *nm = arg;

	index_hits_add(nm->h, sqlite3_column_int64(st, 0),
	    index_score_named(nm->q, nm->idf,
	    (const char *)sqlite3_column_text(st, 1)));
}

/* The newest most candidates with rowids in [lo, hi], with their
 * scores, added to h. */
static int
index_rank_range(struct index *ix, struct index_query *q, const char *idfs,
    const struct index_filter_norm *nf, int64_t lo, int64_t hi, int most,
    struct index_hits *h, char *err)
{
	sqlite3_stmt *st = index_stmt(ix, nf->any ? STMT_RANK_FILTERED :
	    STMT_RANK);

	sqlite3_bind_text(st, 1, q->expr.data, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, q->mask.data, -1, SQLITE_STATIC);
	if (nf->any)
		index_bind_filters(st, nf);
	sqlite3_bind_int(st, 10, most);
	sqlite3_bind_int64(st, 11, lo);
	sqlite3_bind_text(st, 13, idfs, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 14, hi);
	return index_rows(ix, st, index_row_hit, h, err);
}

/* Best first: the higher score, then the newer document. */
static int
index_hit_cmp(const void *a, const void *b)
{
	const struct index_hit *x = a, *y = b;

	if (x->score != y->score)
		return x->score < y->score ? 1 : -1;
	return x->id < y->id ? 1 : x->id > y->id ? -1 : 0;
}

/*
 * Ranks the documents matching q.  Ranking a million documents that hold a
 * common name costs more than a clerk should wait, so the newest
 * INDEX_WINDOW candidates are ranked.  With filters, each candidate is
 * looked up in the records: the newest documents are taken in ranges
 * expected to hold INDEX_SPAN candidates (from the share the sample found),
 * four times larger each time while fewer than limit pass, until about
 * INDEX_SCAN candidates were looked at.  The newest older documents that
 * name a person as typed (the names table: a full name, or its last words
 * such as "thu huong") are ranked too: a name typed whole is found however
 * old its document.
 */
static int
index_rank(struct index *ix, struct index_query *q,
    const struct index_filter_norm *nf, int limit, struct index_hits *h,
    char *err)
{
	struct index_named named;
	sqlite3_stmt *st;
	int64_t lo = 0, hi = INT64_MAX, maxid = 0, docs, floor = 0;
	double share = 0, seen = 0, *idf = NULL;
	char *idfs = NULL;
	size_t i, before;
	int rc = -1;

	idf = xcalloc(q->nphrase + 1, sizeof *idf);
	if ((idfs = index_idfs(ix, q, idf, &share, &maxid, err)) == NULL)
		goto out;
	docs = share > 0 ? (int64_t)(INDEX_SPAN / share) : maxid;
	/*
	 * A rare name typed whole would have the full text read back to the
	 * first document for the words found apart.  When the names table
	 * knows the name, the documents naming that person are found there
	 * however old, so the words apart are looked for among the newest
	 * INDEX_NAMED_SPAN documents only, with filters or without.
	 */
	if (q->name != NULL && maxid > ix->named_span &&
	    share * (double)maxid < 4.0 * INDEX_WINDOW) {
		st = index_stmt(ix, STMT_NAME_KNOWN);
		sqlite3_bind_text(st, 1, q->name, -1, SQLITE_STATIC);
		if (sqlite3_step(st) == SQLITE_ROW)
			floor = maxid - ix->named_span + 1;
		sqlite3_reset(st);
	}
	for (;;) {
		before = h->n;
		lo = nf->any ? hi - docs + 1 : 0;
		if (hi == INT64_MAX)
			lo = nf->any ? maxid - docs + 1 : 0;
		if (lo < floor)
			lo = floor;
		if (lo <= 1)
			lo = 0;
		if (index_rank_range(ix, q, idfs, nf, lo, hi, INDEX_WINDOW, h,
		    err) == -1)
			goto out;
		/* A full window: the older candidates were left out. */
		if (h->n - before == INDEX_WINDOW)
			for (i = before, lo = hi; i < h->n; i++)
				if (h->v[i].id < lo)
					lo = h->v[i].id;
		seen += share * (double)docs;
		if (!nf->any || lo == 0 || lo == floor ||
		    h->n - before == INDEX_WINDOW ||
		    h->n >= (size_t)limit || seen >= INDEX_SCAN)
			break;
		hi = lo - 1;
		docs *= 4;
	}
	if (lo > 0 && q->name != NULL) {
		named.q = q;
		named.idf = idf;
		named.h = h;
		st = index_stmt(ix, STMT_OLDER);
		index_bind_filters(st, nf);
		sqlite3_bind_int(st, 10, limit);
		sqlite3_bind_int64(st, 11, lo);
		sqlite3_bind_text(st, 15, q->name, -1, SQLITE_STATIC);
		if (index_rows(ix, st, index_row_named, &named, err) == -1)
			goto out;
	}
	if (h->n > 0)
		qsort(h->v, h->n, sizeof *h->v, index_hit_cmp);
	if (h->n > (size_t)limit)
		h->n = (size_t)limit;
	rc = 0;
out:
	free(idf);
	free(idfs);
	return rc;
}

/* The documents of the hits, best first, with score and snippet. */
static json_t *
index_fetch(struct index *ix, struct index_query *q, struct index_hits *h,
    char *err)
{
	sqlite3_stmt *st;
	json_t *a = json_array(), *d;
	size_t i;
	int rc;

	for (i = 0; i < h->n; i++) {
		/* The twins sit where their folded words do: the plain
		 * expression marks the same words, for less. */
		st = index_stmt(ix, STMT_FETCH);
		sqlite3_bind_text(st, 1, q->plain.data, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 2, h->v[i].id);
		if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
			d = store_row_json(st);
			json_object_set_new(d, "score", json_real(h->v[i].score));
			json_object_set_new(d, "snippet",
			    index_col_str(st, INDEX_DOC_NCOLUMNS));
			json_array_append_new(a, d);
		}
		sqlite3_reset(st);
		if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
			snprintf(err, ERRMAX, "the search could not be run: %s",
			    sqlite3_errmsg(ix->db));
			json_decref(a);
			return NULL;
		}
	}
	return a;
}

static void
index_row_doc(sqlite3_stmt *st, void *arg)
{
	json_t *d = store_row_json(st);

	json_object_set_new(d, "score", json_null());
	json_object_set_new(d, "snippet", json_null());
	json_array_append_new(arg, d);
}

json_t *
index_search(struct index *ix, const char *query, const struct index_filter *f,
    int limit, char *err)
{
	struct index_filter_norm nf;
	struct index_term *terms = NULL;
	struct index_query q;
	struct index_hits hits;
	sqlite3_stmt *st;
	json_t *a = NULL;
	size_t nterms = 0;
	int blank;

	memset(&q, 0, sizeof q);
	memset(&hits, 0, sizeof hits);
	if (index_filter_check(f, &nf, err) == -1)
		goto out;
	blank = query == NULL || strspn(query, " \t\r\n") == strlen(query);
	if (!blank && index_parse_query(query, &terms, &nterms, err) == -1)
		goto out;
	if (!blank && nterms == 0) {
		snprintf(err, ERRMAX, "the query has no letters or digits to "
		    "search for");
		goto out;
	}
	if (blank && !nf.any) {
		snprintf(err, ERRMAX, "give words to search for, a filter, or "
		    "both");
		goto out;
	}
	index_fts_query(terms, nterms, nf.person_id, nf.dossier_code, &q);
	if (nterms > 0) {
		if (index_rank(ix, &q, &nf, limit, &hits, err) == 0)
			a = index_fetch(ix, &q, &hits, err);
		goto out;
	}
	/* Filters only: the newest documents they keep. */
	st = index_stmt(ix, q.expr.len > 0 ? STMT_FILTER_FTS : STMT_FILTER);
	if (q.expr.len > 0)
		sqlite3_bind_text(st, 1, q.expr.data, -1, SQLITE_STATIC);
	index_bind_filters(st, &nf);
	sqlite3_bind_int(st, 10, limit);
	a = json_array();
	if (index_rows(ix, st, index_row_doc, a, err) == -1) {
		json_decref(a);
		a = NULL;
	}
out:
	free(hits.v);
	index_query_free(&q);
	index_terms_free(terms, nterms);
	index_filter_norm_free(&nf);
	return a;
}

void
index_set_named_span(struct index *ix, int64_t documents)
{
	ix->named_span = documents > 0 ? documents : INDEX_NAMED_SPAN;
}

int
index_optimize(struct index *ix, char *err)
{
	char *msg = NULL;
	int rc = 0;

	if (sqlite3_exec(ix->db, "INSERT INTO documents_fts(documents_fts) "
	    "VALUES ('optimize')", NULL, NULL, &msg) != SQLITE_OK) {
		snprintf(err, ERRMAX, "cannot merge the full text: %s",
		    msg ? msg : sqlite3_errmsg(ix->db));
		rc = -1;
	}
	sqlite3_free(msg);
	return rc;
}

static int
index_is_correctable(const char *field)
{
	size_t i;

	for (i = 0; index_correctable[i] != NULL; i++)
		if (strcmp(field, index_correctable[i]) == 0)
			return 1;
	return 0;
}

static int
index_add_correction(struct index *ix, int64_t id, const char *field,
    json_t *old, json_t *new, const char *who, const char *at, char *err)
{
	sqlite3_stmt *st = index_stmt(ix, STMT_ADD_CORRECTION);
	char *o = json_dumps(old, JSON_ENCODE_ANY | JSON_COMPACT);
	char *n = json_dumps(new, JSON_ENCODE_ANY | JSON_COMPACT);
	int rc;

	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_text(st, 2, field, -1, SQLITE_STATIC);
	index_bind_opt(st, 3, o);
	index_bind_opt(st, 4, n);
	sqlite3_bind_text(st, 5, who, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, at, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	free(o);
	free(n);
	if (rc != SQLITE_DONE) {
		snprintf(err, ERRMAX, "cannot record the correction: %s",
		    sqlite3_errmsg(ix->db));
		return -1;
	}
	return 0;
}

/* Corrects one record; its changes are appended to changed, if given. */
static int
index_correct_one(struct index *ix, int64_t id, size_t n,
    const char *const *field, json_t *const *value, const char *who,
    const char *now, json_t *changed, char *err)
{
	json_t *doc, *old;
	size_t i, made = 0;
	int rc = -1;

	if ((doc = store_get(ix, id)) == NULL) {
		snprintf(err, ERRMAX, "there is no document #%lld",
		    (long long)id);
		return -1;
	}
	for (i = 0; i < n; i++) {
		old = json_object_get(doc, field[i]);
		if (json_equal(old, value[i]))
			continue;
		if (index_add_correction(ix, id, field[i], old, value[i], who,
		    now, err) == -1)
			goto out;
		if (changed != NULL)
			json_array_append_new(changed, json_pack("{s:s, s:O, "
			    "s:O, s:s, s:s}", "field", field[i], "old", old,
			    "new", value[i], "who", who, "at", now));
		json_object_set(doc, field[i], value[i]);
		made++;
	}
	if (made > 0 && store_set_fields(ix, id, doc, 1, err) == -1)
		goto out;
	rc = 0;
out:
	json_decref(doc);
	return rc;
}

/*
 * A duplicate is the same scan as its first copy, so a correction made to
 * any record of a scan is made to every record of it, each keeping its own
 * old value (reindex re-applies each record's own); *changedp lists the
 * changes to the record asked for.
 */
int
index_correct(struct index *ix, int64_t id, size_t n,
    const char *const *field, json_t *const *value, json_t **changedp,
    char *err)
{
	json_t *changed = json_array(), *copies = NULL, *v;
	char now[40], who[ACCESSLOG_USERMAX];
	size_t i;
	int rc = -1;

	*changedp = NULL;
	for (i = 0; i < n; i++)
		if (!index_is_correctable(field[i])) {
			snprintf(err, ERRMAX, "%s cannot be corrected", field[i]);
			goto out;
		}
	if (index_begin(ix) == -1) {
		snprintf(err, ERRMAX, "the database is busy or read-only");
		goto out;
	}
	util_now_iso8601(now);
	accesslog_user(who);
	copies = store_copies(ix, id);
	if (json_array_size(copies) == 0) {
		snprintf(err, ERRMAX, "there is no document #%lld",
		    (long long)id);
		goto out_rollback;
	}
	json_array_foreach(copies, i, v)
		if (index_correct_one(ix, json_integer_value(v), n, field,
		    value, who, now, json_integer_value(v) == id ? changed :
		    NULL, err) == -1)
			goto out_rollback;
	if (index_commit(ix) == -1) {
		snprintf(err, ERRMAX, "cannot commit the correction: %s",
		    sqlite3_errmsg(ix->db));
		goto out_rollback;
	}
	*changedp = changed;
	changed = NULL;
	rc = 0;
	goto out;
out_rollback:
	index_rollback(ix);
out:
	json_decref(copies);
	json_decref(changed);
	return rc;
}

json_t *
index_corrections(struct index *ix, int64_t id)
{
	sqlite3_stmt *st = index_stmt(ix, STMT_CORRECTIONS);
	json_t *a = json_array(), *c;

	sqlite3_bind_int64(st, 1, id);
	while (sqlite3_step(st) == SQLITE_ROW) {
		c = json_object();
		json_object_set_new(c, "field", index_col_str(st, 0));
		json_object_set_new(c, "old", index_col_json(st, 1));
		json_object_set_new(c, "new", index_col_json(st, 2));
		json_object_set_new(c, "who", index_col_str(st, 3));
		json_object_set_new(c, "at", index_col_str(st, 4));
		json_array_append_new(a, c);
	}
	sqlite3_reset(st);
	return a;
}

/* Re-applies a document's corrections to doc, oldest first; returns how
 * many. */
static int
index_reapply(struct index *ix, int64_t id, json_t *doc)
{
	json_t *a = index_corrections(ix, id), *c;
	const char *field;
	size_t i;
	int n = 0;

	json_array_foreach(a, i, c) {
		field = json_string_value(json_object_get(c, "field"));
		if (field != NULL && index_is_correctable(field)) {
			json_object_set(doc, field, json_object_get(c, "new"));
			n++;
		}
	}
	json_decref(a);
	return n;
}

/* The text of a document in the full text being replaced.  Caller frees. */
static char *
index_old_body(sqlite3_stmt *old, int64_t id)
{
	const unsigned char *s;
	char *body = NULL;

	sqlite3_reset(old);
	sqlite3_bind_int64(old, 1, id);
	if (sqlite3_step(old) == SQLITE_ROW &&
	    (s = sqlite3_column_text(old, 0)) != NULL)
		body = xstrdup((const char *)s);
	sqlite3_reset(old);
	return body;
}

int
index_reindex(struct index *ix,
    int (*reread)(json_t *, char **, json_t **, void *), void *arg,
    struct index_reindex_stats *stats, char *err)
{
	sqlite3_stmt *ids = NULL, *old = NULL;
	json_t *doc = NULL, *fields, *v;
	const char *k;
	char *text, *msg = NULL;
	int64_t id;
	int rc = -1, dup;

	memset(stats, 0, sizeof *stats);
	if (index_begin(ix) == -1) {
		snprintf(err, ERRMAX, "the database is busy or read-only");
		goto out;
	}
	/* The old full text stays until the new one is whole: it holds the
	 * text of any document whose package cannot be read. */
	if (sqlite3_exec(ix->db, "DROP TABLE IF EXISTS documents_fts_old;"
	    "ALTER TABLE documents_fts RENAME TO documents_fts_old;"
	    "CREATE VIRTUAL TABLE documents_fts USING " FTS_COLUMNS ";"
	    FTS_TUNE, NULL, NULL, &msg) != SQLITE_OK ||
	    sqlite3_prepare_v2(ix->db, "SELECT id, duplicate_of IS NOT NULL "
	    "FROM documents ORDER BY id", -1, &ids, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(ix->db, "SELECT body FROM documents_fts_old "
	    "WHERE rowid = ?1", -1, &old, NULL) != SQLITE_OK) {
		snprintf(err, ERRMAX, "cannot rebuild the full text: %s",
		    msg ? msg : sqlite3_errmsg(ix->db));
		goto out_rollback;
	}
	while ((rc = sqlite3_step(ids)) == SQLITE_ROW) {
		id = sqlite3_column_int64(ids, 0);
		dup = sqlite3_column_int(ids, 1);
		doc = store_get(ix, id);
		stats->documents++;
		text = NULL;
		fields = NULL;
		if (reread(doc, &text, &fields, arg) == 0) {
			stats->reread++;
			json_object_foreach(fields, k, v)
				if (index_is_correctable(k))
					json_object_set(doc, k, v);
			json_decref(fields);
		} else if (!dup && (text = index_old_body(old, id)) != NULL)
			stats->kept++;
		else if (!dup) {
			log_warnx("document #%lld: no text to index",
			    (long long)id);
			stats->failed++;
		}
		stats->corrections += index_reapply(ix, id, doc);
		rc = store_set_fields(ix, id, doc, 0, err);
		if (rc == 0 && !dup && text != NULL)
			rc = store_fts_insert(ix, id, doc, text, err);
		free(text);
		json_decref(doc);
		doc = NULL;
		if (rc == -1)
			goto out_rollback;
	}
	if (rc != SQLITE_DONE) {
		snprintf(err, ERRMAX, "cannot read the records: %s",
		    sqlite3_errmsg(ix->db));
		goto out_rollback;
	}
	sqlite3_finalize(old);
	old = NULL;
	sqlite3_finalize(ids);
	ids = NULL;
	if (index_optimize(ix, err) == -1)
		goto out_rollback;
	if (sqlite3_exec(ix->db, "DROP TABLE documents_fts_old", NULL, NULL,
	    &msg) != SQLITE_OK || index_commit(ix) == -1) {
		snprintf(err, ERRMAX, "cannot commit the new full text: %s",
		    msg ? msg : sqlite3_errmsg(ix->db));
		goto out_rollback;
	}
	rc = 0;
	goto out;
out_rollback:
	rc = -1;
	sqlite3_finalize(old);
	sqlite3_finalize(ids);
	index_rollback(ix);
out:
	sqlite3_free(msg);
	return rc;
}
