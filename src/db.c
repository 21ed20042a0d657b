/*
 * db.c: the one owner of the database: the SQLite connection, its pragmas,
 * the privacy of its file, the schema versions of the modules that keep
 * tables in it, their prepared statements, and thin wrappers for the rest.
 *
 * One database per installation, WAL mode with synchronous=FULL (a scan
 * leaves the spool only after its record is committed, so a commit must
 * survive a power cut).  Every module that keeps tables in it describes
 * itself in a struct db_module (sohoa.h): its name, its schema version,
 * the function that brings its tables from an older version to that one,
 * and its statements.  db_open runs the upgrades of every module in one
 * write transaction, records the versions in schema_versions, then
 * prepares every module's statements once (db_stmt hands them out reset).
 * A module with no row in schema_versions is at version 0: its upgrade
 * then copes with tables a sohoa that kept no versions made (index.c reads
 * the PRAGMA user_version that sohoa kept); one that fails undoes every
 * module's work of that opening, which fails with one line saying why.
 * No other file holds a connection or a statement of SQLite: struct db and
 * struct db_stmt are opaque outside this file.  The FTS5 tokenizer and the
 * SQL functions the queries call (tokenizer.c, rank.c) are SQLite
 * extensions, registered here with every connection.
 */
#include <sys/types.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "sohoa.h"

struct db {
	sqlite3	*conn;
	const struct db_module **modules;	/* a copy of db_open's list */
	size_t	 nmodules;
	sqlite3_stmt ***stmt;		/* per module, its nsql statements */
	sqlite3_stmt *tx[3];		/* BEGIN IMMEDIATE, COMMIT, ROLLBACK */
	int	 setting_up;		/* inside db_open's setup transaction */
};

static const char *const db_tx_sql[3] = {
	"BEGIN IMMEDIATE", "COMMIT", "ROLLBACK"
};

/* A struct db_stmt is SQLite's statement under another name. */
#define ST(s)	((sqlite3_stmt *)(s))

static const char db_versions_schema[] =
	"CREATE TABLE IF NOT EXISTS schema_versions ("
	"  module TEXT PRIMARY KEY,"
	"  version INTEGER NOT NULL);";

/*
 * The database holds citizens' names and ID numbers: for its owner and
 * the staff group only.  SQLite would make a new one 0644 under umask
 * 022, so it is made 0640 here first; SQLite gives the -wal and -shm
 * files the mode of the database, whatever the umask.  A database an
 * older sohoa left open to others is closed, and so are its -wal and -shm
 * when a crash left them behind.  Failures are SQLite's to report.
 */
static void
db_keep_private(const char *path)
{
	static const char *const sidecars[] = { "-wal", "-shm" };
	char *side;
	size_t i;
	int fd;

	if ((fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
	    UTIL_PRIVATE_FILE)) != -1)
		close(fd);
	util_keep_private(path);
	for (i = 0; i < sizeof sidecars / sizeof sidecars[0]; i++) {
		side = xasprintf("%s%s", path, sidecars[i]);
		util_keep_private(side);
		free(side);
	}
}

struct fts5_api *
db_fts5(struct db *db)
{
	fts5_api *api = NULL;
	sqlite3_stmt *st;

	if (sqlite3_prepare_v2(db->conn, "SELECT fts5(?1)", -1, &st, NULL) !=
	    SQLITE_OK)
		return NULL;
	sqlite3_bind_pointer(st, 1, &api, "fts5_api_ptr", NULL);
	sqlite3_step(st);
	sqlite3_finalize(st);
	return api;
}

/* The extensions the schema and the queries name: the tokenizer "sohoa"
 * and sohoa_rank (FTS5's), and sohoa_words (an SQL function). */
static int
db_register(struct db *db, const char *path, char *err)
{
	fts5_api *api = db_fts5(db);

	if (api == NULL || tokenizer_register(api) == -1 ||
	    rank_register(api) == -1) {
		snprintf(err, ERRMAX, "this SQLite has no FTS5 full-text search");
		return -1;
	}
	if (sqlite3_create_function(db->conn, "sohoa_words", 1, SQLITE_UTF8 |
	    SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS, NULL, tokenizer_sql_words,
	    NULL, NULL) != SQLITE_OK) {
		snprintf(err, ERRMAX, "database %s: %s", path,
		    sqlite3_errmsg(db->conn));
		return -1;
	}
	return 0;
}

static int
db_set_version(struct db *db, const char *module, int version)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(db->conn, "INSERT INTO schema_versions "
	    "(module, version) VALUES (?1, ?2) ON CONFLICT (module) DO UPDATE "
	    "SET version = excluded.version", -1, &st, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_text(st, 1, module, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 2, version);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

/*
 * Inside the setup transaction: each module's tables brought from the
 * version recorded to its own, in the order of the list (a module may name
 * the tables of one before it), and the new versions recorded.  A module
 * whose tables a newer sohoa made is refused: this one would not know
 * what they hold.
 */
static int
db_upgrade(struct db *db, const char *path, char *err)
{
	const struct db_module *m;
	char merr[ERRMAX];
	size_t i;
	int v;

	if (db_exec(db, db_versions_schema, NULL) == -1) {
		snprintf(err, ERRMAX, "cannot set up the database %s: %s", path,
		    db_errmsg(db));
		return -1;
	}
	for (i = 0; i < db->nmodules; i++) {
		m = db->modules[i];
		if ((v = db_version(db, m->name)) == -1) {
			snprintf(err, ERRMAX, "cannot set up the database %s: %s",
			    path, db_errmsg(db));
			return -1;
		}
		if (v > m->version) {
			snprintf(err, ERRMAX, "database %s: its %s tables are "
			    "version %d, made by a newer sohoa (this one knows "
			    "%d)", path, m->name, v, m->version);
			return -1;
		}
		if (v == m->version)
			continue;
		merr[0] = '\0';
		if (m->upgrade != NULL && m->upgrade(db, v, merr) == -1) {
			snprintf(err, ERRMAX, "cannot set up the database %s: %s",
			    path, merr[0] != '\0' ? merr : db_errmsg(db));
			return -1;
		}
		if (db_set_version(db, m->name, m->version) == -1) {
			snprintf(err, ERRMAX, "cannot set up the database %s: %s",
			    path, db_errmsg(db));
			return -1;
		}
	}
	return 0;
}

/*
 * WAL, the pragmas, and the upgrades, in one write transaction taken at
 * once, so that processes opening a new database together (sohoad
 * starting while sohoa status asks) make it once.  Where SQLite answers
 * "busy" without waiting (turning a new file to WAL while another process
 * does, upgrading a lock another one wants too), the whole step is tried
 * again, for as long as the busy timeout.  Searches jump about a large
 * file: it is read through the page cache of the system (mmap) rather
 * than a copy per page, and SQLite keeps more of it in its own cache than
 * the 2 MB it keeps by default.
 */
static int
db_setup(struct db *db, const char *path, char *err)
{
	struct timespec pause = { 0, 20 * 1000 * 1000 };
	int tries, rc, busy;

	for (tries = 0; tries < 500; tries++) {
		err[0] = '\0';
		rc = sqlite3_exec(db->conn, "PRAGMA journal_mode = WAL;"
		    "PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON;"
		    "PRAGMA mmap_size = 1073741824; PRAGMA cache_size = -32768;"
		    "BEGIN IMMEDIATE", NULL, NULL, NULL);
		if (rc == SQLITE_OK) {
			db->setting_up = 1;
			rc = db_upgrade(db, path, err) == 0 ? SQLITE_OK :
			    SQLITE_ERROR;
			db->setting_up = 0;
			if (rc == SQLITE_OK)
				rc = sqlite3_exec(db->conn, "COMMIT", NULL, NULL,
				    NULL);
			if (rc != SQLITE_OK) {
				busy = db_busy(db);
				if (err[0] == '\0')
					snprintf(err, ERRMAX, "cannot set up the "
					    "database %s: %s", path,
					    sqlite3_errmsg(db->conn));
				if (!sqlite3_get_autocommit(db->conn))
					sqlite3_exec(db->conn, "ROLLBACK", NULL,
					    NULL, NULL);
				if (!busy)
					return -1;
			}
		} else {
			snprintf(err, ERRMAX, "cannot set up the database %s: %s",
			    path, sqlite3_errmsg(db->conn));
			if ((rc & 0xff) != SQLITE_BUSY &&
			    (rc & 0xff) != SQLITE_LOCKED)
				return -1;
		}
		if (rc == SQLITE_OK)
			return 0;
		nanosleep(&pause, NULL);
	}
	return -1;
}

static int
db_prepare_module(struct db *db, size_t k, const char *path, char *err)
{
	const struct db_module *m = db->modules[k];
	size_t i;

	for (i = 0; i < m->nsql; i++) {
		if (db->stmt[k][i] != NULL || m->sql[i] == NULL)
			continue;
		if (sqlite3_prepare_v3(db->conn, m->sql[i], -1,
		    SQLITE_PREPARE_PERSISTENT, &db->stmt[k][i], NULL) !=
		    SQLITE_OK) {
			snprintf(err, ERRMAX, "database %s: %s", path,
			    sqlite3_errmsg(db->conn));
			return -1;
		}
	}
	return 0;
}

struct db *
db_open(const char *path, const struct db_module *const *modules,
    size_t nmodules, char *err)
{
	struct db *db = xcalloc(1, sizeof *db);
	size_t k;
	int i;

	/* The list is copied: a caller's array may be gone before db_close
	 * (the modules themselves are static). */
	db->modules = xcalloc(nmodules ? nmodules : 1, sizeof *db->modules);
	memcpy(db->modules, modules, nmodules * sizeof *db->modules);
	db->nmodules = nmodules;
	db->stmt = xcalloc(nmodules ? nmodules : 1, sizeof *db->stmt);
	for (k = 0; k < nmodules; k++)
		db->stmt[k] = xcalloc(modules[k]->nsql ? modules[k]->nsql : 1,
		    sizeof *db->stmt[k]);
	db_keep_private(path);
	if (sqlite3_open_v2(path, &db->conn, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
		snprintf(err, ERRMAX, "cannot open the database %s: %s", path,
		    sqlite3_errmsg(db->conn));
		goto out_close;
	}
	sqlite3_busy_timeout(db->conn, 10000);
	if (db_register(db, path, err) == -1 || db_setup(db, path, err) == -1)
		goto out_close;
	for (k = 0; k < nmodules; k++)
		if (modules[k]->connect != NULL &&
		    modules[k]->connect(db, err) == -1)
			goto out_close;
	for (i = 0; i < 3; i++)
		if (sqlite3_prepare_v3(db->conn, db_tx_sql[i], -1,
		    SQLITE_PREPARE_PERSISTENT, &db->tx[i], NULL) != SQLITE_OK) {
			snprintf(err, ERRMAX, "database %s: %s", path,
			    sqlite3_errmsg(db->conn));
			goto out_close;
		}
	for (k = 0; k < nmodules; k++)
		if (db_prepare_module(db, k, path, err) == -1)
			goto out_close;
	return db;
out_close:
	db_close(db);
	return NULL;
}

void
db_close(struct db *db)
{
	size_t k, i;

	if (db == NULL)
		return;
	for (k = 0; k < db->nmodules; k++) {
		for (i = 0; i < db->modules[k]->nsql; i++)
			sqlite3_finalize(db->stmt[k][i]);
		free(db->stmt[k]);
	}
	free(db->stmt);
	free(db->modules);
	for (i = 0; i < 3; i++)
		sqlite3_finalize(db->tx[i]);
	sqlite3_close(db->conn);
	free(db);
}

int
db_version(struct db *db, const char *module)
{
	sqlite3_stmt *st;
	int rc, v = -1;

	if (sqlite3_prepare_v2(db->conn, "SELECT version FROM schema_versions "
	    "WHERE module = ?1", -1, &st, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_text(st, 1, module, -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW)
		v = sqlite3_column_int(st, 0);
	else if (rc == SQLITE_DONE)
		v = 0;
	sqlite3_finalize(st);
	return v;
}

/*
 * Statement i of module m.  While the modules' upgrades run, their
 * statements are not prepared yet (the tables they name may be made only
 * then): one an upgrade asks for is prepared at once, on the tables made
 * so far.  NULL then if it cannot be (db_step fails on it).
 */
struct db_stmt *
db_stmt(struct db *db, const struct db_module *m, size_t i)
{
	size_t k;
	sqlite3_stmt *st;

	for (k = 0; k < db->nmodules && db->modules[k] != m; k++)
		;
	if (k == db->nmodules || i >= m->nsql)
		fatalx("db_stmt: statement %zu of module %s is not registered",
		    i, m->name);
	if ((st = db->stmt[k][i]) == NULL) {
		if (!db->setting_up || sqlite3_prepare_v3(db->conn, m->sql[i],
		    -1, SQLITE_PREPARE_PERSISTENT, &db->stmt[k][i], NULL) !=
		    SQLITE_OK)
			return NULL;
		st = db->stmt[k][i];
	}
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return (struct db_stmt *)st;
}

struct db_stmt *
db_prepare(struct db *db, const char *sql)
{
	sqlite3_stmt *st;

	if (sqlite3_prepare_v2(db->conn, sql, -1, &st, NULL) != SQLITE_OK) {
		sqlite3_finalize(st);
		return NULL;
	}
	return (struct db_stmt *)st;
}

void
db_finalize(struct db_stmt *st)
{
	sqlite3_finalize(ST(st));
}

void
db_reset(struct db_stmt *st)
{
	sqlite3_reset(ST(st));
}

void
db_bind_text(struct db_stmt *st, int col, const char *s)
{
	if (s != NULL)
		sqlite3_bind_text(ST(st), col, s, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(ST(st), col);
}

void
db_bind_int64(struct db_stmt *st, int col, int64_t v)
{
	sqlite3_bind_int64(ST(st), col, v);
}

void
db_bind_double(struct db_stmt *st, int col, double v)
{
	sqlite3_bind_double(ST(st), col, v);
}

void
db_bind_null(struct db_stmt *st, int col)
{
	sqlite3_bind_null(ST(st), col);
}

int
db_bind_count(struct db_stmt *st)
{
	return sqlite3_bind_parameter_count(ST(st));
}

int
db_step(struct db_stmt *st)
{
	int rc;

	if (st == NULL)
		return DB_ERROR;
	rc = sqlite3_step(ST(st));
	return rc == SQLITE_ROW ? DB_ROW : rc == SQLITE_DONE ? DB_DONE :
	    DB_ERROR;
}

int
db_run(struct db_stmt *st)
{
	int rc = db_step(st);

	if (st != NULL)
		sqlite3_reset(ST(st));
	return rc == DB_ERROR ? -1 : 0;
}

const char *
db_col_text(struct db_stmt *st, int col)
{
	return (const char *)sqlite3_column_text(ST(st), col);
}

int64_t
db_col_int64(struct db_stmt *st, int col)
{
	return sqlite3_column_int64(ST(st), col);
}

double
db_col_double(struct db_stmt *st, int col)
{
	return sqlite3_column_double(ST(st), col);
}

int
db_col_null(struct db_stmt *st, int col)
{
	return sqlite3_column_type(ST(st), col) == SQLITE_NULL;
}

/* A column holding text as a JSON string, or null. */
json_t *
db_col_str(struct db_stmt *st, int col)
{
	const unsigned char *s = sqlite3_column_text(ST(st), col);

	return s ? json_string((const char *)s) : json_null();
}

/* A column holding JSON text (a correction's value), or null. */
json_t *
db_col_json(struct db_stmt *st, int col)
{
	const unsigned char *s = sqlite3_column_text(ST(st), col);
	json_t *v = s ? json_loads((const char *)s, JSON_DECODE_ANY, NULL) :
	    NULL;

	return v != NULL ? v : json_null();
}

int
db_exec(struct db *db, const char *sql, char *err)
{
	if (sqlite3_exec(db->conn, sql, NULL, NULL, NULL) == SQLITE_OK)
		return 0;
	if (err != NULL)
		snprintf(err, ERRMAX, "%s", sqlite3_errmsg(db->conn));
	return -1;
}

int64_t
db_int(struct db *db, const char *sql, int64_t dflt)
{
	sqlite3_stmt *st;
	int64_t v = dflt;

	if (sqlite3_prepare_v2(db->conn, sql, -1, &st, NULL) != SQLITE_OK)
		return dflt;
	if (sqlite3_step(st) == SQLITE_ROW &&
	    sqlite3_column_type(st, 0) != SQLITE_NULL)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

static int
db_tx(struct db *db, int i)
{
	int rc;

	sqlite3_reset(db->tx[i]);
	rc = sqlite3_step(db->tx[i]);
	sqlite3_reset(db->tx[i]);
	return rc == SQLITE_DONE ? 0 : -1;
}

int
db_begin(struct db *db)
{
	return db_tx(db, 0);
}

int
db_commit(struct db *db)
{
	return db_tx(db, 1);
}

void
db_rollback(struct db *db)
{
	if (!sqlite3_get_autocommit(db->conn))
		db_tx(db, 2);
}

int
db_in_transaction(struct db *db)
{
	return !sqlite3_get_autocommit(db->conn);
}

int64_t
db_last_id(struct db *db)
{
	return sqlite3_last_insert_rowid(db->conn);
}

int
db_changes(struct db *db)
{
	return sqlite3_changes(db->conn);
}

const char *
db_errmsg(struct db *db)
{
	return sqlite3_errmsg(db->conn);
}

int
db_busy(struct db *db)
{
	int rc = sqlite3_errcode(db->conn) & 0xff;

	return rc == SQLITE_BUSY || rc == SQLITE_LOCKED;
}

int
db_has_column(struct db *db, const char *table, const char *column)
{
	return sqlite3_table_column_metadata(db->conn, NULL, table, column,
	    NULL, NULL, NULL, NULL, NULL) == SQLITE_OK;
}

int
db_has_table(struct db *db, const char *table)
{
	return db_has_column(db, table, NULL);
}

/* What db_function hands SQLite for one function: the C function. */
struct db_function {
	char	*(*fn)(const char *);
};

static void
db_function_call(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	const struct db_function *f = sqlite3_user_data(ctx);
	const unsigned char *s = sqlite3_value_text(argv[0]);
	char *v = s != NULL ? f->fn((const char *)s) : NULL;

	if (v == NULL)
		sqlite3_result_null(ctx);
	else
		sqlite3_result_text(ctx, v, -1, free);
}

/* A module's own SQL function of one text (register.c's key), so that the
 * module need not be an SQLite extension itself. */
int
db_function(struct db *db, const char *name, char *(*fn)(const char *),
    char *err)
{
	struct db_function *f = xmalloc(sizeof *f);

	f->fn = fn;
	if (sqlite3_create_function_v2(db->conn, name, 1, SQLITE_UTF8 |
	    SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS, f, db_function_call, NULL,
	    NULL, free) != SQLITE_OK) {
		if (err != NULL)
			snprintf(err, ERRMAX, "%s", sqlite3_errmsg(db->conn));
		return -1;
	}
	return 0;
}

