/*
 * register.c: the office's register of results issued, and its match to
 * the archive.
 *
 * Auditors measure digitization against the results an office issued,
 * and only the register knows those: the one-stop software exports it as
 * CSV.  `sohoa register import` reads that file with libcsv (UTF-8 with
 * or without a BOM, comma or semicolon, English or Vietnamese headers),
 * checks every row, and imports every entry or none: each bad row is
 * named by its line and reason and the transaction is rolled back.
 * Entries are keyed by dossier code, or without one by document number +
 * agency + issue date, so importing an export again updates its entries
 * instead of doubling them.  Exports do not always carry the code: a row
 * without one is the entry held with its number, agency and date, whether
 * that entry has a code or not, and it keeps its code (a file without the
 * column, or with the cell empty, does not say the code was withdrawn).
 * When several entries held with codes have that number, agency and date
 * (one decision for several dossiers) the row could be any of them, so it
 * is a bad row that asks for its code rather than a guess.  A row with a
 * code is the entry with that code, else the entry held without a code
 * under its number, agency and date (which takes the code); an entry with
 * another code is another dossier.  Entries missing from a later file are
 * kept: an export may cover only a period.
 *
 * Matching: an entry is digitized when an archived document (not a
 * duplicate) carries its dossier code or, when the scan's code is missing
 * or matches no entry, its document number with the same agency and
 * issue date.  Codes and numbers are compared by key (register_key: case,
 * marks and spaces ignored, đ read as d).  The match is kept in this
 * module's tables: register_docs has one row per document with the entry
 * it matches, register_entries.doc_id the first document of each entry.
 * Set-based SQL brings them up to date whenever a report runs: the
 * documents recorded since the last time, and those corrected or removed
 * since (a trigger on documents lists them in register_stale); after an
 * import, every document.  A report is then one grouped scan of the
 * register however large the archive, and a result scanned twice is
 * counted once because it is one entry.
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <csv.h>
#include <sqlite3.h>

#include "sohoa.h"

#define REGISTER_LINE_MAX	65536	/* bytes in one line of the CSV */
#define REGISTER_FIELD_MAX	512	/* bytes in one field */
#define REGISTER_FIELDS_MAX	256	/* fields in one row */

/* Covers the report's grouped scan: it reads no row, only this index. */
#define REGISTER_FIGURES_INDEX "CREATE INDEX IF NOT EXISTS " \
	"register_entries_figures ON register_entries(level, agency_code, " \
	"issued_on, status, valid_until, doc_id, agency_name)"
/* Entries whose first document changes at once beyond which the covering
 * index is rebuilt rather than updated entry by entry (seven times faster
 * for the first match of a million documents). */
#define REGISTER_BULK	100000

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
static const char register_first_doc_sql[] =
	"UPDATE register_entries SET doc_id = " REGISTER_FIRST_DOC " "
	"WHERE id IN (SELECT entry_id FROM temp.register_affected) AND "
	"doc_id IS NOT " REGISTER_FIRST_DOC;

/* The columns of a register, with the header names that mean each one,
 * written as register_header_name() leaves them. */
enum register_col {
	RC_DOSSIER,
	RC_NUMBER,
	RC_AGENCY,
	RC_AGENCY_NAME,
	RC_LEVEL,
	RC_PROCEDURE,
	RC_ISSUED,
	RC_VALID_UNTIL,
	RC_STATUS,
	RC_MAX
};

static const struct {
	const char *name;
	int	 required;
	const char *names[8];
} register_cols[RC_MAX] = {
	[RC_DOSSIER] = { "dossier_code", 0, { "dossier code", "ma ho so",
	    "ma so ho so", "so ho so", NULL } },
	[RC_NUMBER] = { "doc_number", 0, { "doc number", "document number",
	    "so van ban", "so ky hieu", "so ky hieu van ban", "so hieu van ban",
	    "so hieu", NULL } },
	[RC_AGENCY] = { "agency_code", 1, { "agency code", "ma co quan",
	    "ma don vi", "ma co quan ban hanh", NULL } },
	[RC_AGENCY_NAME] = { "agency_name", 0, { "agency name", "ten co quan",
	    "ten don vi", "co quan ban hanh", "ten co quan ban hanh", NULL } },
	[RC_LEVEL] = { "level", 1, { "level", "cap", "cap hanh chinh",
	    "cap co quan", NULL } },
	[RC_PROCEDURE] = { "procedure_code", 0, { "procedure code",
	    "ma thu tuc", "ma thu tuc hanh chinh", "ma tthc", NULL } },
	[RC_ISSUED] = { "issued_on", 1, { "issued on", "issue date",
	    "date issued", "ngay cap", "ngay ban hanh", "ngay ky", NULL } },
	[RC_VALID_UNTIL] = { "valid_until", 0, { "valid until",
	    "hieu luc den", "co hieu luc den", "ngay het hieu luc", NULL } },
	[RC_STATUS] = { "status", 1, { "status", "trang thai", "tinh trang",
	    NULL } },
};

/* Vietnamese names of the usual levels, used when the level is configured. */
static const struct {
	const char *level;
	const char *names[8];
} register_level_names[] = {
	{ "city", { "tinh", "thanh pho", "cap tinh", "cap thanh pho",
	    "tinh thanh pho", "thanh pho truc thuoc trung uong", NULL } },
	{ "district", { "huyen", "quan", "thi xa", "cap huyen", "quan huyen",
	    NULL } },
	{ "commune", { "xa", "phuong", "thi tran", "cap xa", "xa phuong",
	    NULL } },
};

static const struct {
	const char *status;
	const char *names[6];
} register_status_names[] = {
	{ "valid", { "valid", "con hieu luc", "hieu luc", NULL } },
	{ "revoked", { "revoked", "thu hoi", "da thu hoi", "bi thu hoi",
	    NULL } },
};

enum register_stmt {
	RS_FIND,
	RS_BY_NUMBER,
	RS_INSERT,
	RS_UPDATE,
	RS_SEEN,
	RS_REMEMBER,
	RS_MAX
};

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

/* One import in progress: libcsv's callbacks see only this. */
struct register_reader {
	const struct conf *conf;
	void	(*bad)(long, const char *, void *);
	void	*arg;
	struct register_stats *st;
	sqlite3	*db;
	sqlite3_stmt *stmt[RS_MAX];
	int64_t	 import_id;
	char	**f;			/* fields of the record being read */
	size_t	 nf;
	size_t	 capf;
	int	 toomany;		/* over REGISTER_FIELDS_MAX fields */
	long	 line;			/* line being read */
	long	 rec_line;		/* line the record began on */
	int	 pending;		/* a record has begun and not ended */
	int	 header_done;
	int	 col[RC_MAX];		/* field of each column, or -1 */
	size_t	 ncols;			/* fields of the header */
	int	 stop;			/* a problem with the whole file */
	int	 bad_header;
	char	*err;
};

static int
register_is_ascii(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s >= 0x80)
			return 0;
	return 1;
}

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

/*
 * A header name or a word value as it is compared: folded (no case, no
 * marks, đ -> d), "_", "-" and "/" read as spaces, ",", ":", "." and "*"
 * dropped, spaces collapsed.  "Số, ký hiệu" -> "so ky hieu".  Caller frees.
 */
static char *
register_header_name(const char *s)
{
	char *fold = vntext_fold(s), *out = xmalloc(strlen(fold) + 1);
	const char *p;
	size_t n = 0;

	for (p = fold; *p != '\0'; p++) {
		char c = *p;

		if (c == '_' || c == '-' || c == '/' ||
		    isspace((unsigned char)c))
			c = ' ';
		else if (c == ',' || c == ':' || c == '.' || c == '*')
			continue;
		if (c == ' ' && (n == 0 || out[n - 1] == ' '))
			continue;
		out[n++] = c;
	}
	while (n > 0 && out[n - 1] == ' ')
		n--;
	out[n] = '\0';
	free(fold);
	return out;
}

static int
register_in(const char *s, const char *const *names)
{
	for (; *names != NULL; names++)
		if (strcmp(s, *names) == 0)
			return 1;
	return 0;
}

/* The configured level that v names, or NULL. */
static const char *
register_level(const struct conf *conf, const char *v)
{
	char *name = register_header_name(v);
	const char *level = NULL;
	size_t i, j;

	for (i = 0; i < conf->ntargets && level == NULL; i++) {
		char *own = register_header_name(conf->targets[i].level);

		if (strcmp(name, own) == 0)
			level = conf->targets[i].level;
		free(own);
	}
	for (j = 0; j < sizeof register_level_names /
	    sizeof register_level_names[0] && level == NULL; j++)
		if (register_in(name, register_level_names[j].names))
			for (i = 0; i < conf->ntargets; i++)
				if (strcmp(conf->targets[i].level,
				    register_level_names[j].level) == 0)
					level = conf->targets[i].level;
	free(name);
	return level;
}

static const char *
register_status(const char *v)
{
	char *name = register_header_name(v);
	const char *status = NULL;
	size_t i;

	for (i = 0; i < sizeof register_status_names /
	    sizeof register_status_names[0] && status == NULL; i++)
		if (register_in(name, register_status_names[i].names))
			status = register_status_names[i].status;
	free(name);
	return status;
}

static void
register_levels_list(const struct conf *conf, struct buf *b)
{
	size_t i;

	for (i = 0; i < conf->ntargets; i++)
		buf_printf(b, "%s%s", i ? ", " : "", conf->targets[i].level);
}

static void
register_header(struct register_reader *r)
{
	struct buf why;
	char *name;
	size_t i;
	int c;

	buf_init(&why, ERRMAX);
	r->header_done = 1;
	r->ncols = r->nf;
	for (c = 0; c < RC_MAX; c++)
		r->col[c] = -1;
	for (i = 0; i < r->nf; i++) {
		name = register_header_name(r->f[i]);
		for (c = 0; c < RC_MAX; c++) {
			char *own = register_header_name(register_cols[c].name);
			int hit = strcmp(name, own) == 0 ||
			    register_in(name, register_cols[c].names);

			free(own);
			if (!hit)
				continue;
			if (r->col[c] != -1 && why.len == 0)
				buf_printf(&why, "the header names the %s "
				    "column twice (columns %d and %zu)",
				    register_cols[c].name, r->col[c] + 1,
				    i + 1);
			r->col[c] = (int)i;
			break;
		}
		if (c == RC_MAX && name[0] != '\0')
			log_debug("register column %zu ('%s') is not used",
			    i + 1, r->f[i]);
		free(name);
	}
	for (c = 0; c < RC_MAX && why.len == 0; c++)
		if (register_cols[c].required && r->col[c] == -1)
			buf_printf(&why, "the header has no %s column (one of "
			    "the header names in sohoa(1), such as \"%s\")",
			    register_cols[c].name, register_cols[c].name);
	if (why.len == 0 && r->col[RC_DOSSIER] == -1 && r->col[RC_NUMBER] == -1)
		buf_printf(&why, "the header has neither a dossier_code nor a "
		    "doc_number column (\"Mã hồ sơ\", \"Số văn bản\")");
	if (why.len > 0) {
		r->bad(r->rec_line, why.data, r->arg);
		r->stop = 1;
		r->bad_header = 1;
	}
	buf_free(&why);
}

/* The value of column c in the record: NFC, trimmed; NULL when empty. */
static char *
register_value(struct register_reader *r, enum register_col c)
{
	const char *v;
	char *out;
	size_t len;

	if (r->col[c] == -1 || (size_t)r->col[c] >= r->nf)
		return NULL;
	v = r->f[r->col[c]];
	while (isspace((unsigned char)*v))
		v++;
	len = strlen(v);
	while (len > 0 && isspace((unsigned char)v[len - 1]))
		len--;
	if (len == 0)
		return NULL;
	if (!register_is_ascii(v))
		return vntext_nfc(v, len);
	out = xmalloc(len + 1);
	memcpy(out, v, len);
	out[len] = '\0';
	return out;
}

/* An agency identifier: at most 35 of [0-9A-Z.], put in capitals. */
static int
register_agency_ok(char *s)
{
	char *p;

	if (strlen(s) > 35 || strspn(s, "0123456789.ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "abcdefghijklmnopqrstuvwxyz") != strlen(s))
		return 0;
	for (p = s; *p != '\0'; p++)
		*p = (char)toupper((unsigned char)*p);
	return 1;
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
static void
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

static int
register_empty_key(const char *s)
{
	char *k = register_key(s);

	free(k);
	return k == NULL;
}

/* Adds one reason to the reasons a row is bad. */
static void PRINTFLIKE(2, 3)
register_why(struct buf *why, const char *fmt, ...)
{
	char s[ERRMAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(s, sizeof s, fmt, ap);
	va_end(ap);
	if (why->len > 0)
		buf_append(why, "; ", 2);
	buf_append(why, s, strlen(s));
}

/* Checks one row of the register and stores it, or reports why not. */
static void
register_row(struct register_reader *r)
{
	struct buf why;
	char *v[RC_MAX], issued[11] = "", until[11] = "";
	const char *level = NULL, *status = NULL;
	size_t i;
	int c;

	r->st->rows++;
	buf_init(&why, 4 * ERRMAX);
	memset(v, 0, sizeof v);
	if (r->toomany || r->nf != r->ncols) {
		buf_printf(&why, "%s%zu fields where the header has %zu",
		    r->toomany ? "more than " : "", r->nf, r->ncols);
		goto out;
	}
	for (i = 0; i < r->nf; i++) {
		if (!vntext_utf8_valid(r->f[i], strlen(r->f[i]))) {
			buf_printf(&why, "field %zu is not UTF-8 text (save "
			    "the file as \"CSV UTF-8\")", i + 1);
			goto out;
		}
		if (strlen(r->f[i]) > REGISTER_FIELD_MAX) {
			buf_printf(&why, "field %zu is longer than %d bytes",
			    i + 1, REGISTER_FIELD_MAX);
			goto out;
		}
	}
	for (c = 0; c < RC_MAX; c++)
		v[c] = register_value(r, c);
	if (v[RC_DOSSIER] == NULL && v[RC_NUMBER] == NULL)
		register_why(&why, "no dossier code and no document number");
	/* Keyed, "Số:" or a no-break space is nothing: no entry to name. */
	if (v[RC_DOSSIER] != NULL && register_empty_key(v[RC_DOSSIER]))
		register_why(&why, "dossier code '%s' holds no code",
		    v[RC_DOSSIER]);
	if (v[RC_NUMBER] != NULL && register_empty_key(v[RC_NUMBER]))
		register_why(&why, "document number '%s' holds no number",
		    v[RC_NUMBER]);
	if (v[RC_AGENCY] == NULL)
		register_why(&why, "no agency code");
	else if (!register_agency_ok(v[RC_AGENCY]))
		register_why(&why, "agency code '%s' is not an agency "
		    "identifier (capital letters, digits and dots, at most 35)",
		    v[RC_AGENCY]);
	if (v[RC_LEVEL] == NULL)
		register_why(&why, "no level");
	else if ((level = register_level(r->conf, v[RC_LEVEL])) == NULL) {
		struct buf levels;

		buf_init(&levels, ERRMAX);
		register_levels_list(r->conf, &levels);
		register_why(&why, "level '%s' is not one of the levels "
		    "with a target (%s)", v[RC_LEVEL],
		    levels.data ? levels.data : "none");
		buf_free(&levels);
	}
	if (v[RC_ISSUED] == NULL)
		register_why(&why, "no issue date");
	else if (date_read(v[RC_ISSUED], issued) == -1)
		register_why(&why, "issue date '%s' " DATE_NOT, v[RC_ISSUED]);
	if (v[RC_VALID_UNTIL] != NULL) {
		if (date_read(v[RC_VALID_UNTIL], until) == -1)
			register_why(&why, "valid-until date '%s' " DATE_NOT
			    "; empty for no end", v[RC_VALID_UNTIL]);
		else if (issued[0] != '\0' && strcmp(until, issued) < 0)
			register_why(&why, "valid until %s, before its issue "
			    "date %s", until, issued);
	}
	if (v[RC_STATUS] == NULL)
		register_why(&why, "no status (valid or revoked)");
	else if ((status = register_status(v[RC_STATUS])) == NULL)
		register_why(&why, "status '%s' is neither valid (còn hiệu "
		    "lực) nor revoked (thu hồi)", v[RC_STATUS]);
	if (why.len == 0)
		register_store(r, v, level, status, issued,
		    until[0] ? until : NULL);
out:
	if (why.len > 0) {
		r->st->bad++;
		r->bad(r->rec_line, why.data, r->arg);
	}
	for (c = 0; c < RC_MAX; c++)
		free(v[c]);
	buf_free(&why);
}

static void
register_csv_field(void *s, size_t len, void *arg)
{
	struct register_reader *r = arg;

	if (r->nf >= REGISTER_FIELDS_MAX) {
		r->toomany = 1;
		return;
	}
	if (r->nf == r->capf) {
		r->capf = r->capf ? r->capf * 2 : 16;
		r->f = xrealloc(r->f, r->capf * sizeof *r->f);
	}
	r->f[r->nf] = xmalloc(len + 1);
	memcpy(r->f[r->nf], s, len);
	r->f[r->nf][len] = '\0';
	r->nf++;
}

static void
register_csv_clear(struct register_reader *r)
{
	size_t i;

	for (i = 0; i < r->nf; i++)
		free(r->f[i]);
	r->nf = 0;
	r->toomany = 0;
}

static void
register_csv_record(int c, void *arg)
{
	struct register_reader *r = arg;

	if (!r->stop) {
		if (!r->header_done)
			register_header(r);
		else
			register_row(r);
	}
	register_csv_clear(r);
	r->pending = 0;
}

/* The header line's separator: the more frequent of ";" and ",". */
static unsigned char
register_delimiter(const char *line)
{
	size_t commas = 0, semis = 0;
	int quoted = 0;

	for (; *line != '\0'; line++) {
		if (*line == '"')
			quoted = !quoted;
		else if (!quoted && *line == ',')
			commas++;
		else if (!quoted && *line == ';')
			semis++;
	}
	return semis > commas ? ';' : ',';
}

static int
register_blank(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (!isspace((unsigned char)s[i]))
			return 0;
	return 1;
}

/* Runs one statement of the matching; err says why it failed. */
static int
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
static int64_t
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

/* Matches the documents recorded since the last time and those changed
 * since, or with all set every document (the register changed).  Runs
 * inside the caller's transaction. */
static int
register_match(sqlite3 *db, int all, char *err)
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
	    register_exec(db, register_first_doc_sql, err) == -1 ||
	    (bulk && register_exec(db, REGISTER_FIGURES_INDEX, err) == -1) ||
	    register_exec(db, "DELETE FROM temp.register_affected",
	    err) == -1 ||
	    register_exec(db, "DELETE FROM register_stale", err) == -1)
		return -1;
	return 0;
}

int
register_refresh(struct index *ix, char *err)
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
	if (register_match(db, 0, err) == -1 || index_commit(ix) == -1) {
		if (err[0] == '\0')
			snprintf(err, ERRMAX, "cannot update the register's "
			    "matches: %s", sqlite3_errmsg(db));
		index_rollback(ix);
		return -1;
	}
	return 0;
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

/* Feeds the file to libcsv one line at a time, to know each row's line. */
static int
register_read(struct register_reader *r, FILE *f, char *err)
{
	struct csv_parser p;
	char *line = NULL, *s;
	size_t cap = 0;
	ssize_t len;
	int rc = -1;

	if (csv_init(&p, CSV_STRICT | CSV_STRICT_FINI) != 0)
		fatalx("out of memory");
	while (!r->stop && (len = getline(&line, &cap, f)) != -1) {
		s = line;
		r->line++;
		if (r->line == 1) {
			if (len >= 3 && memcmp(s, "\xef\xbb\xbf", 3) == 0) {
				s += 3;
				len -= 3;
			}
			csv_set_delim(&p, register_delimiter(s));
		}
		if (len > REGISTER_LINE_MAX) {
			r->st->bad++;
			r->bad(r->line, "the line is too long for a register "
			    "row", r->arg);
			r->stop = 1;
			break;
		}
		if (!r->pending) {
			if (register_blank(s, (size_t)len))
				continue;
			r->rec_line = r->line;
			r->pending = 1;
		}
		if (csv_parse(&p, s, (size_t)len, register_csv_field,
		    register_csv_record, r) != (size_t)len) {
			r->st->bad++;
			r->bad(r->line, "a quote is out of place (a field that "
			    "holds quotes must be quoted, its quotes doubled)",
			    r->arg);
			r->stop = 1;
		}
	}
	if (ferror(f)) {
		snprintf(err, ERRMAX, "cannot read the file: %s",
		    strerror(errno));
		goto out;
	}
	if (!r->stop && csv_fini(&p, register_csv_field, register_csv_record,
	    r) != 0) {
		r->st->bad++;
		r->bad(r->rec_line, "a quoted field is not closed before the "
		    "end of the file", r->arg);
	}
	if (r->err[0] != '\0') {
		snprintf(err, ERRMAX, "%s", r->err);
		goto out;
	}
	if (!r->header_done) {
		snprintf(err, ERRMAX, "the file is empty: a register starts "
		    "with a header line naming its columns");
		goto out;
	}
	rc = 0;
out:
	register_csv_clear(r);
	free(r->f);
	free(line);
	csv_free(&p);
	return rc;
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

	if (register_read(&r, f, err) == -1)
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
	if (register_match(db, 1, err) == -1)
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

static json_t *
register_col_str(sqlite3_stmt *st, int col)
{
	const unsigned char *s = sqlite3_column_text(st, col);

	return s ? json_string((const char *)s) : json_null();
}

/* Why an archived document matches no entry, in the clerk's words. */
static const char *
register_why_unmatched(sqlite3_stmt *st)
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
register_unmatched(struct index *ix, int documents, char *err)
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

	if (register_refresh(ix, err) == -1)
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
			    register_col_str(st, i));
		if (documents)
			json_object_set_new(o, "reason",
			    json_string(register_why_unmatched(st)));
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
