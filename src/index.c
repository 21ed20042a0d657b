/*
 * index.c: the SQLite database that clerks search.
 *
 * One database per installation, WAL mode with synchronous=FULL (a scan
 * leaves the spool only after its record is committed, so a commit must
 * survive a power cut), one transaction per document, every statement
 * prepared once and kept in an array indexed by an enum.
 *
 * Full text lives in an FTS5 table whose tokenizer, "sohoa", wraps
 * unicode61 (remove_diacritics 2) and also folds đ to d, which unicode61
 * does not: "dang ky" then finds "đăng ký".  Text and queries are NFC
 * before they reach it, so NFD input matches too.  Identifiers such as
 * 1245/QĐ-UBND are split into tokens and a query for the whole identifier
 * becomes a phrase of those tokens.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "sohoa.h"

enum index_stmt {
	STMT_FIND_SHA,
	STMT_INSERT,
	STMT_INSERT_FTS,
	STMT_SET_ARCHIVE,
	STMT_GET,
	STMT_LIST,
	STMT_SEARCH,
	STMT_PACKAGES,
	STMT_ARCHIVE_SHA,
	STMT_BEGIN,
	STMT_COMMIT,
	STMT_ROLLBACK,
	STMT_MAX
};

#define DOC_COLUMNS "d.id, d.source_name, d.sha256, d.pages, " \
	"d.ocr_confidence, d.profile, d.agency_code, d.agency_name, d.level, " \
	"d.doc_type, d.doc_number, d.issued_on, d.people, d.id_numbers, " \
	"d.dossier_code, d.archive, d.ingested_at, d.duplicate_of"
#define DOC_NCOLUMNS 18

static const char *index_sql[STMT_MAX] = {
	[STMT_FIND_SHA] = "SELECT id FROM documents WHERE sha256 = ?1 AND "
	    "duplicate_of IS NULL ORDER BY id LIMIT 1",
	[STMT_INSERT] = "INSERT INTO documents (source_name, sha256, pages, "
	    "ocr_confidence, profile, agency_code, agency_name, level, "
	    "doc_type, doc_number, issued_on, people, id_numbers, "
	    "dossier_code, archive, ingested_at, duplicate_of) VALUES "
	    "(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, "
	    "?15, ?16, ?17)",
	[STMT_INSERT_FTS] = "INSERT INTO documents_fts (rowid, body, fields) "
	    "VALUES (?1, ?2, ?3)",
	[STMT_SET_ARCHIVE] = "UPDATE documents SET archive = ?2, "
	    "archive_sha256 = ?3 WHERE id = ?1",
	[STMT_GET] = "SELECT " DOC_COLUMNS " FROM documents d WHERE d.id = ?1",
	[STMT_LIST] = "SELECT " DOC_COLUMNS " FROM documents d "
	    "ORDER BY d.id DESC LIMIT ?1",
	[STMT_SEARCH] = "SELECT " DOC_COLUMNS ", -bm25(documents_fts, 1.0, 4.0), "
	    "snippet(documents_fts, -1, '[', ']', '…', 12) "
	    "FROM documents_fts JOIN documents d ON d.id = documents_fts.rowid "
	    "WHERE documents_fts MATCH ?1 "
	    "ORDER BY bm25(documents_fts, 1.0, 4.0) LIMIT ?2",
	[STMT_PACKAGES] = "SELECT id, archive, archive_sha256 FROM documents "
	    "WHERE duplicate_of IS NULL AND archive IS NOT NULL ORDER BY id",
	[STMT_ARCHIVE_SHA] = "SELECT archive_sha256 FROM documents WHERE id = ?1",
	[STMT_BEGIN] = "BEGIN IMMEDIATE",
	[STMT_COMMIT] = "COMMIT",
	[STMT_ROLLBACK] = "ROLLBACK",
};

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
	"  duplicate_of INTEGER REFERENCES documents(id));"
	"CREATE INDEX IF NOT EXISTS documents_sha256 ON documents(sha256);"
	"CREATE VIRTUAL TABLE IF NOT EXISTS documents_fts USING "
	"  fts5(body, fields, tokenize = 'sohoa');"
	"PRAGMA user_version = 1;";

struct index {
	sqlite3	*db;
	sqlite3_stmt *stmt[STMT_MAX];
};

/* The "sohoa" FTS5 tokenizer: unicode61 with diacritics removed, plus đ -> d. */
struct index_tok {
	fts5_tokenizer inner_api;
	Fts5Tokenizer *inner;
};

struct index_tok_call {
	void	*ctx;
	int	(*token)(void *, int, const char *, int, int, int);
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
index_tok_create(void *ctx, const char **args, int nargs, Fts5Tokenizer **out)
{
	static const char *inner_args[] = { "remove_diacritics", "2" };
	fts5_api *api = ctx;
	struct index_tok *t;
	void *uctx;
	int rc;

	t = xcalloc(1, sizeof *t);
	rc = api->xFindTokenizer(api, "unicode61", &uctx, &t->inner_api);
	if (rc == SQLITE_OK)
		rc = t->inner_api.xCreate(uctx, inner_args, 2, &t->inner);
	if (rc != SQLITE_OK) {
		free(t);
		return rc;
	}
	*out = (Fts5Tokenizer *)t;
	return SQLITE_OK;
}

static void
index_tok_delete(Fts5Tokenizer *p)
{
	struct index_tok *t = (struct index_tok *)p;

	t->inner_api.xDelete(t->inner);
	free(t);
}

static int
index_tok_token(void *arg, int flags, const char *tok, int len, int start,
    int end)
{
	struct index_tok_call *c = arg;
	char small[128] = "", *out;
	int i, n = 0, rc;

	if (memchr(tok, 0xc4, (size_t)len) == NULL)
		return c->token(c->ctx, flags, tok, len, start, end);
	out = (size_t)len < sizeof small ? small : xmalloc((size_t)len);
	for (i = 0; i < len; i++) {
		/* đ is U+0111, C4 91 in UTF-8; unicode61 already lowered Đ. */
		if ((unsigned char)tok[i] == 0xc4 && i + 1 < len &&
		    (unsigned char)tok[i + 1] == 0x91) {
			out[n++] = 'd';
			i++;
		} else
			out[n++] = tok[i];
	}
	rc = c->token(c->ctx, flags, out, n, start, end);
	if (out != small)
		free(out);
	return rc;
}

static int
index_tok_tokenize(Fts5Tokenizer *p, void *ctx, int flags, const char *text,
    int len, int (*token)(void *, int, const char *, int, int, int))
{
	struct index_tok *t = (struct index_tok *)p;
	struct index_tok_call c = { ctx, token };

	return t->inner_api.xTokenize(t->inner, &c, flags, text, len,
	    index_tok_token);
}

static int
index_register_tokenizer(sqlite3 *db)
{
	static fts5_tokenizer tok = {
		index_tok_create, index_tok_delete, index_tok_tokenize
	};
	fts5_api *api = index_fts5_api(db);

	if (api == NULL)
		return -1;
	return api->xCreateTokenizer(api, "sohoa", api, &tok, NULL) ==
	    SQLITE_OK ? 0 : -1;
}

struct index *
index_open(const char *dbpath, char *err)
{
	struct index *ix = xcalloc(1, sizeof *ix);
	char *msg = NULL;
	int i;

	if (sqlite3_open_v2(dbpath, &ix->db, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
		snprintf(err, ERRMAX, "cannot open the database %s: %s", dbpath,
		    sqlite3_errmsg(ix->db));
		goto out_close;
	}
	sqlite3_busy_timeout(ix->db, 10000);
	if (index_register_tokenizer(ix->db) == -1) {
		snprintf(err, ERRMAX, "this SQLite has no FTS5 full-text search");
		goto out_close;
	}
	if (sqlite3_exec(ix->db, "PRAGMA journal_mode = WAL;"
	    "PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON;",
	    NULL, NULL, &msg) != SQLITE_OK ||
	    sqlite3_exec(ix->db, index_schema, NULL, NULL, &msg) != SQLITE_OK) {
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

static sqlite3_stmt *
index_stmt(struct index *ix, enum index_stmt s)
{
	sqlite3_reset(ix->stmt[s]);
	sqlite3_clear_bindings(ix->stmt[s]);
	return ix->stmt[s];
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

int64_t
index_find_sha256(struct index *ix, const char *sha256)
{
	sqlite3_stmt *st = index_stmt(ix, STMT_FIND_SHA);
	int64_t id = 0;

	sqlite3_bind_text(st, 1, sha256, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW)
		id = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return id;
}

/* Binds a string member of doc, or NULL when it is missing or null. */
static void
index_bind_str(sqlite3_stmt *st, int col, json_t *doc, const char *key)
{
	const char *s = json_string_value(json_object_get(doc, key));

	if (s != NULL)
		sqlite3_bind_text(st, col, s, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(st, col);
}

static void
index_bind_array(sqlite3_stmt *st, int col, json_t *doc, const char *key)
{
	json_t *a = json_object_get(doc, key);
	char *s = json_is_array(a) ? json_dumps(a, JSON_COMPACT) : NULL;

	sqlite3_bind_text(st, col, s ? s : "[]", -1, SQLITE_TRANSIENT);
	free(s);
}

/* What the FTS "fields" column holds: the values clerks type in. */
static void
index_fields_text(json_t *doc, struct buf *b)
{
	static const char *keys[] = { "doc_number", "dossier_code", "doc_type",
	    "agency_name", "agency_code", "source_name", NULL };
	static const char *arrays[] = { "people", "id_numbers", NULL };
	json_t *v;
	size_t i, j;

	for (i = 0; keys[i] != NULL; i++)
		if ((v = json_object_get(doc, keys[i])) != NULL &&
		    json_is_string(v))
			buf_printf(b, "%s\n", json_string_value(v));
	for (i = 0; arrays[i] != NULL; i++)
		json_array_foreach(json_object_get(doc, arrays[i]), j, v)
			if (json_is_string(v))
				buf_printf(b, "%s\n", json_string_value(v));
}

int
index_insert(struct index *ix, json_t *doc, const char *text, char *err)
{
	sqlite3_stmt *st = index_stmt(ix, STMT_INSERT);
	json_t *conf = json_object_get(doc, "ocr_confidence");
	json_t *dup = json_object_get(doc, "duplicate_of");
	struct buf fields;
	char *body, *nfields;
	int64_t id;
	int rc;

	index_bind_str(st, 1, doc, "source_name");
	index_bind_str(st, 2, doc, "sha256");
	sqlite3_bind_int64(st, 3, json_integer_value(json_object_get(doc,
	    "pages")));
	if (json_is_number(conf))
		sqlite3_bind_double(st, 4, json_number_value(conf));
	index_bind_str(st, 5, doc, "profile");
	index_bind_str(st, 6, doc, "agency_code");
	index_bind_str(st, 7, doc, "agency_name");
	index_bind_str(st, 8, doc, "level");
	index_bind_str(st, 9, doc, "doc_type");
	index_bind_str(st, 10, doc, "doc_number");
	index_bind_str(st, 11, doc, "issued_on");
	index_bind_array(st, 12, doc, "people");
	index_bind_array(st, 13, doc, "id_numbers");
	index_bind_str(st, 14, doc, "dossier_code");
	index_bind_str(st, 15, doc, "archive");
	index_bind_str(st, 16, doc, "ingested_at");
	if (json_is_integer(dup))
		sqlite3_bind_int64(st, 17, json_integer_value(dup));
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE) {
		snprintf(err, ERRMAX, "cannot record the document: %s",
		    sqlite3_errmsg(ix->db));
		return -1;
	}
	id = sqlite3_last_insert_rowid(ix->db);
	json_object_set_new(doc, "id", json_integer(id));
	if (text == NULL)
		return 0;

	buf_init(&fields, 1 << 20);
	index_fields_text(doc, &fields);
	body = vntext_nfc(text, strlen(text));
	nfields = vntext_nfc(fields.data ? fields.data : "", fields.len);
	st = index_stmt(ix, STMT_INSERT_FTS);
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_text(st, 2, body, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, nfields, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	free(body);
	free(nfields);
	buf_free(&fields);
	if (rc != SQLITE_DONE) {
		snprintf(err, ERRMAX, "cannot index the document text: %s",
		    sqlite3_errmsg(ix->db));
		return -1;
	}
	return 0;
}

int
index_set_archive(struct index *ix, int64_t id, const char *archive,
    const char *archive_sha256, char *err)
{
	sqlite3_stmt *st = index_stmt(ix, STMT_SET_ARCHIVE);
	int rc;

	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_text(st, 2, archive, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, archive_sha256, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE) {
		snprintf(err, ERRMAX, "cannot record the archive package: %s",
		    sqlite3_errmsg(ix->db));
		return -1;
	}
	return 0;
}

static json_t *
index_col_str(sqlite3_stmt *st, int col)
{
	const unsigned char *s = sqlite3_column_text(st, col);

	return s ? json_string((const char *)s) : json_null();
}

static json_t *
index_col_array(sqlite3_stmt *st, int col)
{
	const unsigned char *s = sqlite3_column_text(st, col);
	json_t *a = s ? json_loads((const char *)s, 0, NULL) : NULL;

	if (!json_is_array(a)) {
		json_decref(a);
		a = json_array();
	}
	return a;
}

/* One row of DOC_COLUMNS as a document object of the JSON contract. */
static json_t *
index_row_json(sqlite3_stmt *st)
{
	json_t *d = json_object();

	json_object_set_new(d, "id", json_integer(sqlite3_column_int64(st, 0)));
	json_object_set_new(d, "source_name", index_col_str(st, 1));
	json_object_set_new(d, "sha256", index_col_str(st, 2));
	json_object_set_new(d, "pages", json_integer(sqlite3_column_int(st, 3)));
	json_object_set_new(d, "ocr_confidence",
	    sqlite3_column_type(st, 4) == SQLITE_NULL ? json_null() :
	    json_real(sqlite3_column_double(st, 4)));
	json_object_set_new(d, "profile", index_col_str(st, 5));
	json_object_set_new(d, "agency_code", index_col_str(st, 6));
	json_object_set_new(d, "agency_name", index_col_str(st, 7));
	json_object_set_new(d, "level", index_col_str(st, 8));
	json_object_set_new(d, "doc_type", index_col_str(st, 9));
	json_object_set_new(d, "doc_number", index_col_str(st, 10));
	json_object_set_new(d, "issued_on", index_col_str(st, 11));
	json_object_set_new(d, "people", index_col_array(st, 12));
	json_object_set_new(d, "id_numbers", index_col_array(st, 13));
	json_object_set_new(d, "dossier_code", index_col_str(st, 14));
	json_object_set_new(d, "archive", index_col_str(st, 15));
	json_object_set_new(d, "ingested_at", index_col_str(st, 16));
	json_object_set_new(d, "duplicate_of",
	    sqlite3_column_type(st, 17) == SQLITE_NULL ? json_null() :
	    json_integer(sqlite3_column_int64(st, 17)));
	return d;
}

json_t *
index_get(struct index *ix, int64_t id)
{
	sqlite3_stmt *st = index_stmt(ix, STMT_GET);
	json_t *d = NULL;

	sqlite3_bind_int64(st, 1, id);
	if (sqlite3_step(st) == SQLITE_ROW)
		d = index_row_json(st);
	sqlite3_reset(st);
	return d;
}

char *
index_archive_sha256(struct index *ix, int64_t id)
{
	sqlite3_stmt *st = index_stmt(ix, STMT_ARCHIVE_SHA);
	const unsigned char *s;
	char *r = NULL;

	sqlite3_bind_int64(st, 1, id);
	if (sqlite3_step(st) == SQLITE_ROW &&
	    (s = sqlite3_column_text(st, 0)) != NULL)
		r = xstrdup((const char *)s);
	sqlite3_reset(st);
	return r;
}

json_t *
index_list(struct index *ix, int limit)
{
	sqlite3_stmt *st = index_stmt(ix, STMT_LIST);
	json_t *a = json_array();

	sqlite3_bind_int(st, 1, limit);
	while (sqlite3_step(st) == SQLITE_ROW)
		json_array_append_new(a, index_row_json(st));
	sqlite3_reset(st);
	return a;
}

/*
 * The user's words become FTS5 strings, each quoted, so that no input can
 * be read as FTS5 syntax: "1245/QĐ-UBND" is one quoted string, which the
 * tokenizer turns into the phrase 1245 + qd + ubnd.  A trailing * keeps
 * its meaning as a prefix search.  Returns NULL when nothing searchable
 * is left.
 */
static char *
index_fts_query(const char *query)
{
	struct buf q;
	char *nfc = vntext_nfc(query, strlen(query)), *save = NULL, *word;
	int nwords = 0;

	buf_init(&q, 65536);
	for (word = strtok_r(nfc, " \t\r\n", &save); word != NULL;
	    word = strtok_r(NULL, " \t\r\n", &save)) {
		size_t len = strlen(word);
		int prefix = len > 1 && word[len - 1] == '*';
		const char *s;
		int alnum = 0;

		if (prefix)
			word[--len] = '\0';
		for (s = word; *s != '\0'; s++)
			if ((unsigned char)*s >= 0x80 || (*s >= '0' && *s <= '9') ||
			    ((*s | 0x20) >= 'a' && (*s | 0x20) <= 'z'))
				alnum = 1;
		if (!alnum)
			continue;
		if (nwords++ > 0)
			buf_append(&q, " ", 1);
		buf_append(&q, "\"", 1);
		for (s = word; *s != '\0'; s++)
			buf_append(&q, s, *s == '"' ? 0 : 1);
		buf_append(&q, prefix ? "\"*" : "\"", prefix ? 2 : 1);
	}
	free(nfc);
	if (nwords == 0) {
		buf_free(&q);
		return NULL;
	}
	return q.data;
}

json_t *
index_search(struct index *ix, const char *query, int limit, char *err)
{
	sqlite3_stmt *st;
	json_t *a, *d;
	char *fts;
	int rc;

	if ((fts = index_fts_query(query)) == NULL) {
		snprintf(err, ERRMAX, "the query has no letters or digits to "
		    "search for");
		return NULL;
	}
	st = index_stmt(ix, STMT_SEARCH);
	sqlite3_bind_text(st, 1, fts, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 2, limit);
	a = json_array();
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		d = index_row_json(st);
		json_object_set_new(d, "score",
		    json_real(sqlite3_column_double(st, DOC_NCOLUMNS)));
		json_object_set_new(d, "snippet",
		    index_col_str(st, DOC_NCOLUMNS + 1));
		json_array_append_new(a, d);
	}
	sqlite3_reset(st);
	free(fts);
	if (rc != SQLITE_DONE) {
		snprintf(err, ERRMAX, "the search could not be run: %s",
		    sqlite3_errmsg(ix->db));
		json_decref(a);
		return NULL;
	}
	return a;
}

int
index_foreach_package(struct index *ix,
    int (*cb)(int64_t, const char *, const char *, void *), void *arg)
{
	sqlite3_stmt *st;
	int rc = 0;

	/* A private statement: the callback may use the cached ones. */
	if (sqlite3_prepare_v2(ix->db, index_sql[STMT_PACKAGES], -1, &st,
	    NULL) != SQLITE_OK)
		return -1;
	while (rc == 0 && sqlite3_step(st) == SQLITE_ROW)
		rc = cb(sqlite3_column_int64(st, 0),
		    (const char *)sqlite3_column_text(st, 1),
		    (const char *)sqlite3_column_text(st, 2), arg);
	sqlite3_finalize(st);
	return rc;
}
