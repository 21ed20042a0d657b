/*
 * index.c: the installation's database, and the index module in it: the
 * records that clerks search, their full text, the people they name, the
 * corrections and the access log.
 *
 * db.c owns the connection; index_open opens it with the list of every
 * module that keeps tables in it (index_modules: this one first, since the
 * others' tables and triggers may name its documents), and the index
 * module's statements are an array indexed by an enum (enum index_stmt, in
 * sohoa.h).  The modules that keep their data in the index's tables take
 * their statements from here (index_stmt): the records (store.c), the
 * search (search.c), the access log (accesslog.c) and the corrections
 * (correct.c).  One transaction per document.
 *
 * Full text lives in an FTS5 table tokenized by "sohoa" (tokenizer.c) and
 * ranked by sohoa_rank (rank.c), which db.c registers with each
 * connection.  A database made by an older sohoa is brought up to date in
 * place when it is opened (index_upgrade).
 */
#include <stdio.h>
#include <stdlib.h>

#include "sohoa.h"

/* The index module's schema version: 2 = exact twins in the FTS and the
 * names table, 3 = the access log says from where, through which program
 * and why, 4 = the pairs of words in the FTS (tokenizer.c).  Before db.c
 * kept versions it was the database's PRAGMA user_version, which is
 * still set for an older sohoa to read. */
#define INDEX_VERSION	4

/* The columns of a record, INDEX_DOC_NCOLUMNS of them (sohoa.h), in the
 * order store_row_document reads them. */
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
	/* The same, the oldest first: FTS5 reads a doclist forwards in about
	 * two thirds of the time it takes backwards (search_rank_range). */
	[STMT_RANK_FORWARD] = "SELECT documents_fts.rowid, "
	    "sohoa_rank(documents_fts, ?2, ?13) FROM documents_fts "
	    "CROSS JOIN documents d ON d.id = documents_fts.rowid "
	    "WHERE documents_fts MATCH ?1 AND documents_fts.rowid >= ?11 "
	    "AND documents_fts.rowid <= ?14" FILTERS
	    " ORDER BY documents_fts.rowid LIMIT ?10",
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
	    "document, taken, results, address, via, purpose, what) VALUES "
	    "(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
	[STMT_ACCESS_LOG] = "SELECT id, at, who, action, query, filters, "
	    "document, taken, results, address, via, purpose, what "
	    "FROM access_log WHERE (?2 IS NULL OR who = ?2) AND "
	    "(?3 IS NULL OR action = ?3) AND (?4 IS NULL OR at >= ?4) AND "
	    "(?5 IS NULL OR substr(at, 1, 10) <= ?5) "
	    "ORDER BY id DESC LIMIT ?1",
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

/* The access log's columns since version 3: the client's address (the
 * web's), the program (cli | web: the entries older sohoas wrote were the
 * command line's), the purpose the user gave, and what an event was
 * about. */
#define ACCESS_LOG_COLUMNS \
	", address TEXT, via TEXT NOT NULL DEFAULT 'cli', purpose TEXT, " \
	"what TEXT"

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
	/* search | get | show | list, or an event (accesslog_event) */
	"  action TEXT NOT NULL,"
	"  query TEXT,"
	"  filters TEXT,"			/* JSON object */
	"  document INTEGER,"
	"  taken TEXT,"				/* original | pdf | text */
	"  results INTEGER"
	/* Since version 3; see index_columns. */
	ACCESS_LOG_COLUMNS ");";

struct index {
	struct db *db;
	int64_t	 named_span;	/* 0: search.c's own, but in tests */
	/* accesslog.c's actor: its strings owned here; has_actor 0 for the
	 * command line's default. */
	struct accesslog_actor actor;
	int	 has_actor;
};

/*
 * Columns added since the tables were first made, added in place before
 * any statement naming them is prepared.  A database made before the QR
 * codes were read has no procedure_code or valid_until (NULL for the
 * records already there, whose packages may hold them in metadata.json);
 * one made before version 3 has an access log that names only the OS
 * user: its entries were all the command line's (via 'cli').
 */
static int
index_columns(struct db *db, char *err)
{
	static const struct {
		const char *table, *column, *decl;
	} cols[] = {
		{ "documents", "procedure_code", "TEXT" },
		{ "documents", "valid_until", "TEXT" },
		{ "access_log", "address", "TEXT" },
		{ "access_log", "via", "TEXT NOT NULL DEFAULT 'cli'" },
		{ "access_log", "purpose", "TEXT" },
		{ "access_log", "what", "TEXT" },
	};
	char *sql;
	size_t i;
	int rc = 0;

	for (i = 0; rc == 0 && i < sizeof cols / sizeof cols[0]; i++)
		if (!db_has_column(db, cols[i].table, cols[i].column)) {
			sql = xasprintf("ALTER TABLE %s ADD COLUMN %s %s",
			    cols[i].table, cols[i].column, cols[i].decl);
			rc = db_exec(db, sql, err);
			free(sql);
		}
	return rc;
}

/*
 * Version 1 had no exact twins and no names, version 2 no pairs: the full
 * text is re-tokenized from the text FTS5 keeps and, from version 1, the
 * names are read off the records, with the index's own statements (db_stmt
 * prepares them inside the setup transaction).
 */
static int
index_retokenize(struct db *db, int from, char *err)
{
	struct index tmp = { .db = db };
	struct db_stmt *st;
	struct document doc;
	int rc = 0;

	if (db_exec(db, "INSERT INTO documents_fts(documents_fts) "
	    "VALUES ('rebuild')", err) == -1)
		return -1;
	if (from >= 2)
		return 0;
	if ((st = db_prepare(db, "SELECT rowid FROM documents_fts "
	    "ORDER BY rowid")) == NULL) {
		snprintf(err, ERRMAX, "%s", db_errmsg(db));
		return -1;
	}
	while (rc == 0 && db_step(st) == DB_ROW) {
		if (store_get_document(&tmp, db_col_int64(st, 0), &doc) == 0 &&
		    store_names_put(&tmp, db_col_int64(st, 0), &doc, err) == -1)
			rc = -1;
		document_free(&doc);
	}
	db_finalize(st);
	return rc;
}

/*
 * Brings the index's tables from version from to INDEX_VERSION, in
 * db_open's setup transaction: the tables made if missing (automerge set
 * on a new full text), the columns added since, and a version 1 to 3 full
 * text re-tokenized (the word pairs came with 4).  A database made before db.c kept versions has no row for
 * the index: its version is then the PRAGMA user_version that sohoa set
 * (0 for a new one).
 */
static int
index_upgrade(struct db *db, int from, char *err)
{
	char sql[64];
	int fresh;

	if (from == 0)
		from = (int)db_int(db, "PRAGMA user_version", 0);
	fresh = !db_has_table(db, "documents_fts");
	if (db_exec(db, index_schema, err) == -1 ||
	    (fresh && db_exec(db, FTS_TUNE, err) == -1) ||
	    index_columns(db, err) == -1)
		return -1;
	if (from >= 1 && from <= 3 && index_retokenize(db, from, err) == -1) {
		if (err[0] != '\0') {
			char msg[ERRMAX];

			snprintf(msg, sizeof msg, "%s", err);
			snprintf(err, ERRMAX, "cannot bring the database up to "
			    "date: %s", msg);
		}
		return -1;
	}
	snprintf(sql, sizeof sql, "PRAGMA user_version = %d", INDEX_VERSION);
	return db_exec(db, sql, err);
}

const struct db_module index_module = {
	"index", INDEX_VERSION, index_upgrade, index_sql, STMT_MAX, NULL
};

/* Every module keeping tables in the installation's database, in the
 * order their tables are made: the index first, whose documents the
 * others name. */
static const struct db_module *const index_modules[] = {
	&index_module,
	&job_module,
	&reserve_module,
	&register_module,
	&report_module,
	&users_module,
	&city_module,	/* its triggers name documents, corrections and the
			 * register's entries */
};

struct index *
index_open(const char *dbpath, char *err)
{
	struct index *ix = xcalloc(1, sizeof *ix);

	if ((ix->db = db_open(dbpath, index_modules, sizeof index_modules /
	    sizeof index_modules[0], err)) == NULL) {
		free(ix);
		return NULL;
	}
	return ix;
}

void
index_close(struct index *ix)
{
	if (ix == NULL)
		return;
	index_set_actor(ix, NULL);
	db_close(ix->db);
	free(ix);
}

static char *
index_dup(const char *s)
{
	return s != NULL ? xstrdup(s) : NULL;
}

void
index_set_actor(struct index *ix, const struct accesslog_actor *a)
{
	struct accesslog_actor copy = { NULL, NULL, NULL, NULL };

	/* Copied before the old one is freed: a may point into it. */
	if (a != NULL) {
		copy.user = index_dup(a->user);
		copy.address = index_dup(a->address);
		copy.via = index_dup(a->via);
		copy.purpose = index_dup(a->purpose);
	}
	free((char *)ix->actor.user);
	free((char *)ix->actor.address);
	free((char *)ix->actor.via);
	free((char *)ix->actor.purpose);
	ix->actor = copy;
	ix->has_actor = a != NULL;
}

const struct accesslog_actor *
index_actor(struct index *ix)
{
	return ix->has_actor ? &ix->actor : NULL;
}

/* The connection, for modules that keep tables of their own in the same
 * database and must commit with the record (job.c). */
struct db *
index_db(struct index *ix)
{
	return ix->db;
}

struct db_stmt *
index_stmt(struct index *ix, enum index_stmt s)
{
	return db_stmt(ix->db, &index_module, s);
}

/* A copy of statement s of its own, for a loop whose body uses the
 * cached ones: NULL when it cannot be prepared.  Caller finalizes. */
struct db_stmt *
index_prepare(struct index *ix, enum index_stmt s)
{
	return db_prepare(ix->db, index_sql[s]);
}

int
index_begin(struct index *ix)
{
	return db_begin(ix->db);
}

int
index_commit(struct index *ix)
{
	return db_commit(ix->db);
}

void
index_rollback(struct index *ix)
{
	db_rollback(ix->db);
}

/*
 * Sets the full text aside as documents_fts_old and makes a new, empty
 * one, inside the caller's transaction (a reindex).  *old then reads the
 * text of document ?1 in the full text set aside; the caller finalizes it
 * before index_fts_drop_old.
 */
int
index_fts_renew(struct index *ix, struct db_stmt **old, char *err)
{
	*old = NULL;
	if (db_exec(ix->db, "DROP TABLE IF EXISTS documents_fts_old;"
	    "ALTER TABLE documents_fts RENAME TO documents_fts_old;"
	    "CREATE VIRTUAL TABLE documents_fts USING " FTS_COLUMNS ";"
	    FTS_TUNE, NULL) == -1 ||
	    (*old = db_prepare(ix->db, "SELECT body FROM documents_fts_old "
	    "WHERE rowid = ?1")) == NULL) {
		snprintf(err, ERRMAX, "cannot rebuild the full text: %s",
		    db_errmsg(ix->db));
		return -1;
	}
	return 0;
}

/* Drops the full text index_fts_renew set aside, once the new one is
 * whole. */
int
index_fts_drop_old(struct index *ix, char *err)
{
	if (db_exec(ix->db, "DROP TABLE documents_fts_old", NULL) == -1) {
		snprintf(err, ERRMAX, "cannot commit the new full text: %s",
		    db_errmsg(ix->db));
		return -1;
	}
	return 0;
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
	if (db_exec(ix->db, "INSERT INTO documents_fts(documents_fts) "
	    "VALUES ('optimize')", NULL) == -1) {
		snprintf(err, ERRMAX, "cannot merge the full text: %s",
		    db_errmsg(ix->db));
		return -1;
	}
	return 0;
}
