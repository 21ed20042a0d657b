/*
 * index.c: the SQLite database that clerks search: its schema, its
 * connection and the table of its statements.
 *
 * One database per installation, WAL mode with synchronous=FULL (a scan
 * leaves the spool only after its record is committed, so a commit must
 * survive a power cut), one transaction per document, every statement
 * prepared once and kept in an array indexed by an enum (enum index_stmt,
 * in sohoa.h).  The modules that keep their data in this database take
 * their statements from here (index_stmt): the records (store.c), the
 * search (search.c), the access log (accesslog.c) and the corrections
 * (correct.c).
 *
 * Full text lives in an FTS5 table tokenized by "sohoa" (tokenizer.c) and
 * ranked by sohoa_rank (search.c), both registered with each connection
 * here.  A database made by an older sohoa is brought up to date in place
 * when it is opened (index_upgrade).
 */
#include <sys/types.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "sohoa.h"

#define INDEX_VERSION	2	/* user_version: 2 = exact twins in the FTS */

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
	/* Every record, and whether it is a duplicate (a reindex). */
	[STMT_RECORDS] = "SELECT id, duplicate_of IS NOT NULL FROM documents "
	    "ORDER BY id",
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
	 * however old its document (see search_rank). */
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

struct index {
	sqlite3	*db;
	sqlite3_stmt *stmt[STMT_MAX];
	int64_t	 named_span;	/* 0: search.c's own, but in tests */
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

static int
index_register_fts(sqlite3 *db)
{
	fts5_api *api = index_fts5_api(db);

	if (api == NULL)
		return -1;
	if (tokenizer_register(api) == -1 || search_register(api) == -1)
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

/*
 * Sets the full text aside as documents_fts_old and makes a new, empty
 * one, inside the caller's transaction (a reindex).  *old then reads the
 * text of document ?1 in the full text set aside; the caller finalizes it
 * before index_fts_drop_old.
 */
int
index_fts_renew(struct index *ix, sqlite3_stmt **old, char *err)
{
	char *msg = NULL;
	int rc = 0;

	*old = NULL;
	if (sqlite3_exec(ix->db, "DROP TABLE IF EXISTS documents_fts_old;"
	    "ALTER TABLE documents_fts RENAME TO documents_fts_old;"
	    "CREATE VIRTUAL TABLE documents_fts USING " FTS_COLUMNS ";"
	    FTS_TUNE, NULL, NULL, &msg) != SQLITE_OK ||
	    sqlite3_prepare_v2(ix->db, "SELECT body FROM documents_fts_old "
	    "WHERE rowid = ?1", -1, old, NULL) != SQLITE_OK) {
		snprintf(err, ERRMAX, "cannot rebuild the full text: %s",
		    msg ? msg : sqlite3_errmsg(ix->db));
		rc = -1;
	}
	sqlite3_free(msg);
	return rc;
}

/* Drops the full text index_fts_renew set aside, once the new one is
 * whole. */
int
index_fts_drop_old(struct index *ix, char *err)
{
	char *msg = NULL;
	int rc = 0;

	if (sqlite3_exec(ix->db, "DROP TABLE documents_fts_old", NULL, NULL,
	    &msg) != SQLITE_OK) {
		snprintf(err, ERRMAX, "cannot commit the new full text: %s",
		    msg ? msg : sqlite3_errmsg(ix->db));
		rc = -1;
	}
	sqlite3_free(msg);
	return rc;
}

void
index_set_named_span(struct index *ix, int64_t documents)
{
	ix->named_span = documents > 0 ? documents : 0;
}

int64_t
index_named_span(struct index *ix)
{
	return ix->named_span;
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

