/*
 * outbox.c: the local outbox of what this office still owes the city's
 * PostgreSQL, and the sending of it.
 *
 * Every change to a record (its row, its corrections) or to a register
 * entry puts ('document' | 'register', id) into the outbox by a trigger,
 * in the very transaction that makes the change, whatever program makes
 * it (sohoad, sohoa edit, register import, reindex): nothing committed
 * can be forgotten.  The triggers fire only once city_state has its row,
 * which the first shipping makes (outbox_start), queueing every record
 * and entry there is in the same transaction: the first load of an old
 * archive.
 *
 * Sending (outbox_send) reads a batch by seq and builds each record from
 * the local state as it is now (a record no longer there is deleted in
 * PostgreSQL), upserts the batch in one PostgreSQL transaction whose
 * upserts rewrite a row only when something in it differs, commits, and
 * only then deletes the rows sent from the outbox: each only if its seq
 * is still the one sent, since a change made meanwhile gave the row a new
 * one.  A crash between the two commits sends the batch again, which
 * changes nothing: delivered at least once, applied exactly once.
 *
 * seq comes from a counter in city_state that only grows, so a row
 * queued again never takes the seq of one a sender has in hand; and the
 * senders of one office (sohoad's, a `sohoa sync`) take turns on a
 * PostgreSQL advisory lock held from before a batch is read until it is
 * committed, so an older state of a record can never overwrite a newer
 * one in the city.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "sohoa.h"

#define OUTBOX_VERSION	1

#define OUTBOX_NOW	"strftime('%Y-%m-%dT%H:%M:%SZ', 'now')"
/* Seconds a change the city refused waits before sohoad sends it again:
 * a constraint there is the DBA's to mend, and a retry every second would
 * fill the log. */
#define OUTBOX_REFUSED_WAIT	"600"

/* What a trigger puts into the outbox: (kind, ref), with the next seq;
 * a row already there keeps when it was first queued, the age of its
 * oldest unsent change, and is tried again at once even if the city
 * refused it before (the change may be what mends it). */
#define OUTBOX_QUEUE(kind, ref) \
	"UPDATE city_state SET seq = seq + 1;" \
	"INSERT INTO outbox (kind, ref, seq, queued_at) VALUES ('" kind "', " \
	ref ", (SELECT seq FROM city_state), " OUTBOX_NOW ") " \
	"ON CONFLICT (kind, ref) DO UPDATE SET seq = excluded.seq, " \
	"not_before = NULL;"

#define OUTBOX_TRIGGER(name, when, table, kind, ref) \
	"CREATE TRIGGER IF NOT EXISTS " name " AFTER " when " ON " table \
	" WHEN EXISTS (SELECT 1 FROM city_state) BEGIN " \
	OUTBOX_QUEUE(kind, ref) " END;"

static const char outbox_schema[] =
	/* seq: the last seq given (the contract's columns, and this);
	 * sent_at: when a batch last reached the city. */
	"CREATE TABLE IF NOT EXISTS city_state ("
	"  id INTEGER PRIMARY KEY CHECK (id = 1),"
	"  office TEXT NOT NULL,"
	"  since TEXT NOT NULL,"
	"  seq INTEGER NOT NULL DEFAULT 0,"
	"  sent_at TEXT);"
	"CREATE TABLE IF NOT EXISTS outbox ("
	"  kind TEXT NOT NULL,"
	"  ref INTEGER NOT NULL,"
	"  seq INTEGER NOT NULL,"
	"  queued_at TEXT NOT NULL,"
	/* The city refused it: sohoad tries again after this, not at
	 * every batch (the contract's columns, and this). */
	"  not_before TEXT,"
	"  PRIMARY KEY (kind, ref));"
	"CREATE INDEX IF NOT EXISTS outbox_seq ON outbox(seq);"
	OUTBOX_TRIGGER("city_document_inserted", "INSERT", "documents",
	    "document", "NEW.id")
	OUTBOX_TRIGGER("city_document_updated", "UPDATE", "documents",
	    "document", "NEW.id")
	OUTBOX_TRIGGER("city_document_deleted", "DELETE", "documents",
	    "document", "OLD.id")
	OUTBOX_TRIGGER("city_correction_added", "INSERT", "corrections",
	    "document", "NEW.document")
	OUTBOX_TRIGGER("city_entry_inserted", "INSERT", "register_entries",
	    "register", "NEW.id")
	OUTBOX_TRIGGER("city_entry_updated", "UPDATE", "register_entries",
	    "register", "NEW.id")
	OUTBOX_TRIGGER("city_entry_deleted", "DELETE", "register_entries",
	    "register", "OLD.id");

enum outbox_stmt {
	OB_STATE,
	OB_NEXT,
	OB_DONE,
	OB_REQUEUE,
	OB_BUMP,
	OB_BODY,
	OB_ENTRY,
	OB_PENDING,
	OB_SENT_AT,
	OB_MAX
};

static const char *const outbox_sql[OB_MAX] = {
	[OB_STATE] = "SELECT office, since, seq, sent_at FROM city_state",
	[OB_NEXT] = "SELECT kind, ref, seq FROM outbox WHERE (?2 = 0 OR "
	    "seq <= ?2) AND (?3 = 1 OR not_before IS NULL OR not_before <= "
	    OUTBOX_NOW ") ORDER BY seq LIMIT ?1",
	[OB_DONE] = "DELETE FROM outbox WHERE kind = ?1 AND ref = ?2 AND "
	    "seq = ?3",
	/* A row the city refused goes to the end of the queue, and waits
	 * OUTBOX_REFUSED_WAIT before sohoad tries it again. */
	[OB_REQUEUE] = "UPDATE outbox SET seq = (SELECT seq FROM city_state), "
	    "not_before = strftime('%Y-%m-%dT%H:%M:%SZ', 'now', '+"
	    OUTBOX_REFUSED_WAIT " seconds') WHERE kind = ?1 AND ref = ?2 AND "
	    "seq = ?3",
	[OB_BUMP] = "UPDATE city_state SET seq = seq + 1",
	[OB_BODY] = "SELECT body FROM documents_fts WHERE rowid = ?1",
	[OB_ENTRY] = "SELECT id, entry_key, dossier_code, doc_number, "
	    "agency_code, agency_name, level, procedure_code, issued_on, "
	    "valid_until, status, doc_id FROM register_entries WHERE id = ?1",
	[OB_PENDING] = "SELECT count(*), min(queued_at), CAST(round(("
	    "julianday('now') - julianday(min(queued_at))) * 86400) AS "
	    "INTEGER) FROM outbox WHERE ?1 = 0 OR seq <= ?1",
	[OB_SENT_AT] = "UPDATE city_state SET sent_at = " OUTBOX_NOW,
};

static int
outbox_upgrade(struct db *db, int from, char *err)
{
	if (db_exec(db, outbox_schema, NULL) == -1) {
		snprintf(err, ERRMAX, "cannot set up the city outbox: %s",
		    db_errmsg(db));
		return -1;
	}
	return 0;
}

const struct db_module city_module = {
	"city", OUTBOX_VERSION, outbox_upgrade, outbox_sql, OB_MAX, NULL
};

static struct db_stmt *
outbox_stmt(struct index *ix, enum outbox_stmt s)
{
	return db_stmt(index_db(ix), &city_module, s);
}

int
outbox_start(struct index *ix, const char *office, int64_t *queued,
    char *err)
{
	struct db *db = index_db(ix);
	struct db_stmt *st;
	int rc = -1;

	*queued = 0;
	if (db_begin(db) == -1) {
		snprintf(err, ERRMAX, "cannot start the city outbox: %s",
		    db_errmsg(db));
		return -1;
	}
	st = outbox_stmt(ix, OB_STATE);
	if (db_step(st) == DB_ROW) {
		if (strcmp(db_col_text(st, 0), office) != 0)
			snprintf(err, ERRMAX, "this installation ships to the "
			    "city as office %s since %s, and sohoa.conf says %s: "
			    "an office keeps its name", db_col_text(st, 0),
			    db_col_text(st, 1), office);
		else
			rc = 0;
		db_reset(st);
		db_rollback(db);
		return rc;
	}
	db_reset(st);
	/* The first time: every record and entry there is is owed. */
	if ((st = db_prepare(db, "INSERT INTO city_state (id, office, since, "
	    "seq) VALUES (1, ?1, " OUTBOX_NOW ", 0)")) == NULL)
		goto fail;
	db_bind_text(st, 1, office);
	rc = db_run(st);
	db_finalize(st);
	if (rc == -1 || db_exec(db,
	    "INSERT OR IGNORE INTO outbox (kind, ref, seq, queued_at) "
	    "SELECT 'document', id, id, " OUTBOX_NOW " FROM documents;"
	    "INSERT OR IGNORE INTO outbox (kind, ref, seq, queued_at) "
	    "SELECT 'register', id, id + (SELECT coalesce(max(id), 0) FROM "
	    "documents), " OUTBOX_NOW " FROM register_entries;"
	    "UPDATE city_state SET seq = (SELECT coalesce(max(seq), 0) FROM "
	    "outbox);", NULL) == -1)
		goto fail;
	*queued = db_int(db, "SELECT count(*) FROM outbox", 0);
	if (db_commit(db) == -1)
		goto fail;
	return 0;
fail:
	snprintf(err, ERRMAX, "cannot start the city outbox: %s",
	    db_errmsg(db));
	if (db_in_transaction(db))
		db_rollback(db);
	*queued = 0;
	return -1;
}

int64_t
outbox_last_seq(struct index *ix)
{
	return db_int(index_db(ix), "SELECT seq FROM city_state", 0);
}

int64_t
outbox_pending(struct index *ix, int64_t max_seq)
{
	struct db_stmt *st = outbox_stmt(ix, OB_PENDING);
	int64_t n = 0;

	db_bind_int64(st, 1, max_seq);
	if (db_step(st) == DB_ROW)
		n = db_col_int64(st, 0);
	db_reset(st);
	return n;
}

json_t *
outbox_status(struct index *ix)
{
	struct db_stmt *st = outbox_stmt(ix, OB_STATE);
	json_t *o;

	if (db_step(st) != DB_ROW) {
		db_reset(st);
		return NULL;
	}
	o = json_pack("{s:o, s:o, s:o}", "office", db_col_str(st, 0),
	    "since", db_col_str(st, 1), "last_sent_at", db_col_str(st, 3));
	db_reset(st);
	st = outbox_stmt(ix, OB_PENDING);
	db_bind_int64(st, 1, 0);
	if (db_step(st) == DB_ROW) {
		json_object_set_new(o, "pending", json_integer(db_col_int64(st,
		    0)));
		json_object_set_new(o, "oldest_unsent", db_col_str(st, 1));
		json_object_set_new(o, "oldest_age_seconds", db_col_null(st, 2) ?
		    json_null() : json_integer(db_col_int64(st, 2)));
	}
	db_reset(st);
	return o;
}

int
outbox_check_city(PGconn *pg, const char *office, char *err)
{
	PGresult *res;
	const char *params[1] = { office };
	int v, rc = -1;

	if ((v = city_schema_version(pg, err)) == -1)
		return -1;
	if (v < city_schema_latest()) {
		snprintf(err, ERRMAX, "the city database's schema is version %d, "
		    "this sohoa ships into version %d: the city's DBA runs sohoa "
		    "city init", v, city_schema_latest());
		return -1;
	}
	if ((res = city_query(pg, "SELECT role, role = current_user, "
	    "current_user FROM offices WHERE office = $1", 1, params,
	    err)) == NULL)
		return -1;
	if (PQntuples(res) == 0)
		snprintf(err, ERRMAX, "the city database has no office %s: the "
		    "city's DBA adds it (sohoa city office add %s --role ROLE)",
		    office, office);
	else if (strcmp(PQgetvalue(res, 0, 1), "t") != 0)
		snprintf(err, ERRMAX, "office %s is written by the role %s in the "
		    "city database, and [city] url connects as %s", office,
		    PQgetvalue(res, 0, 0), PQgetvalue(res, 0, 2));
	else
		rc = 0;
	PQclear(res);
	return rc;
}

/* ---- building what is sent ---- */

#define OUTBOX_DOC_PARAMS	20
#define OUTBOX_ENTRY_PARAMS	13

static const char outbox_doc_upsert[] =
	"INSERT INTO documents AS t (office, id, sha256, doc, level, "
	"agency_code, doc_type, doc_number, dossier_code, issued_on, "
	"valid_until, duplicate_of, id_numbers, names, body, tsv, corrections, "
	"archive, archive_sha256, name_keys) VALUES ($1, $2::bigint, $3, "
	"$4::jsonb, $5, $6, $7, $8, $9, $10::date, $11::date, $12::bigint, "
	"$13::text[], $14::text[], $15, $16::tsvector, $17::jsonb, $18, $19, "
	"$20::text[]) "
	"ON CONFLICT (office, id) DO UPDATE SET sha256 = EXCLUDED.sha256, "
	"doc = EXCLUDED.doc, level = EXCLUDED.level, "
	"agency_code = EXCLUDED.agency_code, doc_type = EXCLUDED.doc_type, "
	"doc_number = EXCLUDED.doc_number, "
	"dossier_code = EXCLUDED.dossier_code, "
	"issued_on = EXCLUDED.issued_on, valid_until = EXCLUDED.valid_until, "
	"duplicate_of = EXCLUDED.duplicate_of, "
	"id_numbers = EXCLUDED.id_numbers, names = EXCLUDED.names, "
	"name_keys = EXCLUDED.name_keys, body = EXCLUDED.body, tsv = EXCLUDED.tsv, "
	"corrections = EXCLUDED.corrections, archive = EXCLUDED.archive, "
	"archive_sha256 = EXCLUDED.archive_sha256, received_at = now() "
	"WHERE (t.sha256, t.doc, t.level, t.agency_code, t.doc_type, "
	"t.doc_number, t.dossier_code, t.issued_on, t.valid_until, "
	"t.duplicate_of, t.id_numbers, t.names, t.body, t.tsv, t.corrections, "
	"t.archive, t.archive_sha256) IS DISTINCT FROM (EXCLUDED.sha256, "
	"EXCLUDED.doc, EXCLUDED.level, EXCLUDED.agency_code, "
	"EXCLUDED.doc_type, EXCLUDED.doc_number, EXCLUDED.dossier_code, "
	"EXCLUDED.issued_on, EXCLUDED.valid_until, EXCLUDED.duplicate_of, "
	"EXCLUDED.id_numbers, EXCLUDED.names, EXCLUDED.body, EXCLUDED.tsv, "
	"EXCLUDED.corrections, EXCLUDED.archive, EXCLUDED.archive_sha256)";

static const char outbox_entry_upsert[] =
	"INSERT INTO register_entries AS t (office, id, entry_key, "
	"dossier_code, doc_number, agency_code, agency_name, level, "
	"procedure_code, issued_on, valid_until, status, doc_id) VALUES ($1, "
	"$2::bigint, $3, $4, $5, $6, $7, $8, $9, $10::date, $11::date, $12, "
	"$13::bigint) "
	"ON CONFLICT (office, id) DO UPDATE SET entry_key = EXCLUDED.entry_key, "
	"dossier_code = EXCLUDED.dossier_code, "
	"doc_number = EXCLUDED.doc_number, agency_code = EXCLUDED.agency_code, "
	"agency_name = EXCLUDED.agency_name, level = EXCLUDED.level, "
	"procedure_code = EXCLUDED.procedure_code, "
	"issued_on = EXCLUDED.issued_on, valid_until = EXCLUDED.valid_until, "
	"status = EXCLUDED.status, doc_id = EXCLUDED.doc_id "
	"WHERE (t.entry_key, t.dossier_code, t.doc_number, t.agency_code, "
	"t.agency_name, t.level, t.procedure_code, t.issued_on, t.valid_until, "
	"t.status, t.doc_id) IS DISTINCT FROM (EXCLUDED.entry_key, "
	"EXCLUDED.dossier_code, EXCLUDED.doc_number, EXCLUDED.agency_code, "
	"EXCLUDED.agency_name, EXCLUDED.level, EXCLUDED.procedure_code, "
	"EXCLUDED.issued_on, EXCLUDED.valid_until, EXCLUDED.status, "
	"EXCLUDED.doc_id)";

/* The parameters of one statement, every string owned. */
struct outbox_params {
	char	*v[OUTBOX_DOC_PARAMS];
	int	 n;
};

static void
outbox_params_free(struct outbox_params *p)
{
	int i;

	for (i = 0; i < p->n; i++)
		free(p->v[i]);
	p->n = 0;
}

/*
 * Adds s (NULL: SQL NULL) as the next parameter.  PostgreSQL refuses text
 * that is not UTF-8, which would stop every batch behind it: such bytes
 * (a file name from an old Windows share) go as U+FFFD.
 */
static void
outbox_param(struct outbox_params *p, const char *s)
{
	if (s == NULL)
		p->v[p->n++] = NULL;
	else if (vntext_utf8_valid(s, strlen(s)))
		p->v[p->n++] = xstrdup(s);
	else
		p->v[p->n++] = vntext_nfc(s, strlen(s));
}

static void
outbox_param_int(struct outbox_params *p, int64_t v, int null_if_zero)
{
	char n[32];

	snprintf(n, sizeof n, "%lld", (long long)v);
	outbox_param(p, null_if_zero && v == 0 ? NULL : n);
}

/* A date as PostgreSQL takes it, or NULL when it is none: one odd value
 * must not stop the batch. */
static void
outbox_param_date(struct outbox_params *p, const char *s)
{
	char d[11];

	outbox_param(p, s != NULL && date_read(s, d) == 0 ? d : NULL);
}

/* An array literal of text: {"a","b"}, with " and \ escaped. */
static void
outbox_array_add(struct buf *b, const char *s)
{
	const char *c;

	buf_append(b, b->len > 1 ? ",\"" : "\"", b->len > 1 ? 2 : 1);
	for (c = s; *c != '\0'; c++) {
		if (*c == '"' || *c == '\\')
			buf_append(b, "\\", 1);
		buf_append(b, c, 1);
	}
	buf_append(b, "\"", 1);
}

/*
 * The names the city finds a record by however old (the column name_keys):
 * each person, folded, whole and by the last two words or more, as
 * store_names_put keeps an office's names table.
 */
static void
outbox_param_name_keys(struct outbox_params *p,
    const struct document_strings *people)
{
	struct buf b;
	char *w, *s;
	size_t i;

	buf_init(&b, (size_t)1 << 26);
	buf_append(&b, "{", 1);
	for (i = 0; i < people->n; i++) {
		w = tokenizer_words(people->v[i]);
		/* From the whole name down to its last two words. */
		for (s = w; strchr(s, ' ') != NULL; s = strchr(s, ' ') + 1)
			outbox_array_add(&b, s);
		free(w);
	}
	buf_append(&b, "}", 1);
	outbox_param(p, b.data);
	buf_free(&b);
}

static void
outbox_param_array(struct outbox_params *p, const struct document_strings *v,
    int fold)
{
	struct buf b;
	char *w;
	size_t i, j;

	buf_init(&b, (size_t)1 << 26);
	buf_append(&b, "{", 1);
	for (i = 0; i < v->n; i++) {
		w = fold ? tokenizer_words(v->v[i]) : xstrdup(v->v[i]);
		/* Names folded alike are one name. */
		for (j = 0; fold && j < i; j++) {
			char *o = tokenizer_words(v->v[j]);
			int same = strcmp(o, w) == 0;

			free(o);
			if (same)
				break;
		}
		if (*w != '\0' && (!fold || j == i))
			outbox_array_add(&b, w);
		free(w);
	}
	buf_append(&b, "}", 1);
	outbox_param(p, b.data);
	buf_free(&b);
}

/*
 * Record id as the city keeps it, into p: 1, or 0 when there is no such
 * record any more (it is deleted in the city), -1 with err.
 */
static int
outbox_doc_params(struct index *ix, const char *office, int64_t id,
    struct outbox_params *p, char *err)
{
	struct document d;
	struct db_stmt *st;
	json_t *o, *corr;
	char *body = NULL, *fields, *tsv, *doc, *sha;
	int has_text = 0;

	if (store_get_document(ix, id, &d) == -1)
		return 0;
	st = outbox_stmt(ix, OB_BODY);
	db_bind_int64(st, 1, id);
	if (db_step(st) == DB_ROW) {
		has_text = 1;
		body = xstrdup(db_col_text(st, 0) != NULL ? db_col_text(st, 0) :
		    "");
	}
	db_reset(st);
	/* A duplicate is not in the full text here: nor is it there. */
	if (has_text) {
		fields = store_fields_text(&d);
		tsv = citytext_tsvector(body, fields);
		free(fields);
		if (tsv == NULL) {
			snprintf(err, ERRMAX, "record #%lld: cannot build its "
			    "full text for the city", (long long)id);
			free(body);
			document_free(&d);
			return -1;
		}
	} else
		tsv = xstrdup("");
	o = document_to_json(&d);
	if ((doc = json_dumps(o, JSON_COMPACT)) == NULL)
		fatalx("out of memory");
	json_decref(o);
	corr = correct_history(ix, id);
	sha = store_archive_sha256(ix, id);

	outbox_param(p, office);
	outbox_param_int(p, id, 0);
	outbox_param(p, d.sha256 != NULL ? d.sha256 : "");
	outbox_param(p, doc);
	outbox_param(p, d.level);
	outbox_param(p, d.agency_code);
	outbox_param(p, d.doc_type);
	outbox_param(p, d.doc_number);
	outbox_param(p, d.dossier_code);
	outbox_param_date(p, d.issued_on);
	outbox_param_date(p, d.valid_until);
	outbox_param_int(p, d.duplicate_of, 1);
	outbox_param_array(p, &d.id_numbers, 0);
	outbox_param_array(p, &d.people, 1);
	outbox_param(p, body != NULL ? body : "");
	outbox_param(p, tsv);
	free(doc);
	doc = json_dumps(corr != NULL ? corr : json_array(), JSON_COMPACT);
	outbox_param(p, doc != NULL ? doc : "[]");
	outbox_param(p, d.archive);
	outbox_param(p, sha);
	outbox_param_name_keys(p, &d.people);
	free(doc);
	json_decref(corr);
	free(sha);
	free(tsv);
	free(body);
	document_free(&d);
	return 1;
}

/* Register entry id into p, as outbox_doc_params. */
static int
outbox_entry_params(struct index *ix, const char *office, int64_t id,
    struct outbox_params *p, char *err)
{
	struct db_stmt *st = outbox_stmt(ix, OB_ENTRY);
	char d[11];
	int i, rc;

	db_bind_int64(st, 1, id);
	if ((rc = db_step(st)) != DB_ROW) {
		db_reset(st);
		if (rc == DB_DONE)
			return 0;
		snprintf(err, ERRMAX, "register entry %lld: %s", (long long)id,
		    db_errmsg(index_db(ix)));
		return -1;
	}
	if (db_col_text(st, 8) == NULL || date_read(db_col_text(st, 8), d) ==
	    -1) {
		snprintf(err, ERRMAX, "register entry %lld: its issue date '%s' "
		    "is no date", (long long)id, db_col_text(st, 8) ?
		    db_col_text(st, 8) : "");
		db_reset(st);
		return -1;
	}
	outbox_param(p, office);
	for (i = 0; i < 12; i++) {
		if (i == 8 || i == 9)
			outbox_param_date(p, db_col_text(st, i));
		else if (i == 11 && db_col_null(st, i))
			outbox_param(p, NULL);
		else
			outbox_param(p, db_col_text(st, i));
	}
	db_reset(st);
	return 1;
}

/* ---- sending ---- */

struct outbox_row {
	char	 kind[16];
	int64_t	 ref;
	int64_t	 seq;
	int	 ok;		/* the city took it: delete it here */
	int	 gone;		/* no longer here: deleted there */
};

/* One row sent inside the caller's PostgreSQL transaction: 0, or -1
 * with err (a server-side refusal, or the link lost). */
static int
outbox_send_row(struct index *ix, PGconn *pg, const char *office,
    const struct outbox_row *r, struct outbox_result *res, char *err)
{
	struct outbox_params p = { { NULL }, 0 };
	char why[ERRMAX], id[32];
	const char *del[2] = { office, id };
	int doc = strcmp(r->kind, "document") == 0, found, rc = -1;

	found = doc ? outbox_doc_params(ix, office, r->ref, &p, why) :
	    outbox_entry_params(ix, office, r->ref, &p, why);
	if (found == -1) {
		snprintf(err, ERRMAX, "%s", why);
		goto out;
	}
	if (found == 0) {
		snprintf(id, sizeof id, "%lld", (long long)r->ref);
		if (city_exec_params(pg, doc ? "DELETE FROM documents WHERE "
		    "office = $1 AND id = $2::bigint" : "DELETE FROM "
		    "register_entries WHERE office = $1 AND id = $2::bigint", 2,
		    del, why) == -1)
			goto fail;
		res->deleted++;
	} else {
		if (city_exec_params(pg, doc ? outbox_doc_upsert :
		    outbox_entry_upsert, p.n, (const char *const *)p.v,
		    why) == -1)
			goto fail;
		res->sent++;
	}
	rc = 0;
	goto out;
fail:
	snprintf(err, ERRMAX, "%s %lld: %s", doc ? "record" : "register entry",
	    (long long)r->ref, why);
out:
	outbox_params_free(&p);
	return rc;
}

/* Takes this office's turn at sending, inside a new transaction. */
static int
outbox_pg_begin(PGconn *pg, const char *office, char *err)
{
	const char *params[1] = { office };

	return city_exec(pg, "BEGIN", err) == -1 || city_exec_params(pg,
	    "SELECT pg_advisory_xact_lock(hashtext('sohoa-ship:' || $1))", 1,
	    params, err) == -1 ? -1 : 0;
}

/* The rows the city took, deleted here (each only if not queued again);
 * the others moved to the end of the queue. */
static int
outbox_forget(struct index *ix, struct outbox_row *rows, size_t n,
    char *err)
{
	struct db *db = index_db(ix);
	struct db_stmt *st;
	size_t i;

	if (db_begin(db) == -1)
		goto fail;
	for (i = 0; i < n; i++) {
		if (!rows[i].ok && db_run(outbox_stmt(ix, OB_BUMP)) == -1)
			goto fail;
		st = outbox_stmt(ix, rows[i].ok ? OB_DONE : OB_REQUEUE);
		db_bind_text(st, 1, rows[i].kind);
		db_bind_int64(st, 2, rows[i].ref);
		db_bind_int64(st, 3, rows[i].seq);
		if (db_run(st) == -1)
			goto fail;
	}
	if (db_run(outbox_stmt(ix, OB_SENT_AT)) == -1 || db_commit(db) == -1)
		goto fail;
	return 0;
fail:
	snprintf(err, ERRMAX, "the city outbox: %s", db_errmsg(db));
	if (db_in_transaction(db))
		db_rollback(db);
	return -1;
}

/* The upserts, prepared once per connection (a batch names them 500
 * times): 0, or -1 with err. */
static int
outbox_prepare(PGconn *pg, char *err)
{
	static const struct {
		const char *name;
		const char *sql;
		int	 n;
	} st[] = {
		{ "sohoa_doc_upsert", outbox_doc_upsert, OUTBOX_DOC_PARAMS },
		{ "sohoa_entry_upsert", outbox_entry_upsert, OUTBOX_ENTRY_PARAMS },
	};
	PGresult *res;
	const char *params[1];
	size_t i;
	int have;

	for (i = 0; i < sizeof st / sizeof st[0]; i++) {
		params[0] = st[i].name;
		if ((res = city_query(pg, "SELECT 1 FROM pg_prepared_statements "
		    "WHERE name = $1", 1, params, err)) == NULL)
			return -1;
		have = PQntuples(res) > 0;
		PQclear(res);
		if (have)
			continue;
		res = PQprepare(pg, st[i].name, st[i].sql, st[i].n, NULL);
		if (PQresultStatus(res) != PGRES_COMMAND_OK) {
			city_error(pg, res, err);
			PQclear(res);
			return -1;
		}
		PQclear(res);
	}
	return 0;
}

/*
 * The rows of a batch and its COMMIT sent in one pipeline (libpq's
 * pipeline mode): one round trip for the batch instead of one per row,
 * which is what a city link a few milliseconds away needs.  Inside the
 * caller's transaction; 0 when it committed, -1 with err (the caller
 * rolls back; PQstatus says whether the link is still there).
 */
static int
outbox_send_pipeline(struct index *ix, PGconn *pg, const char *office,
    struct outbox_row *rows, size_t n, struct outbox_result *one, char *err)
{
	struct outbox_params p = { { NULL }, 0 };
	PGresult *res;
	ExecStatusType est;
	char why[ERRMAX], id[32];
	const char *del[2] = { office, id };
	size_t i, sent, got, expect;
	int doc, found, ok = 1, rc = -1;

	err[0] = '\0';
	if (PQenterPipelineMode(pg) != 1) {
		city_error(pg, NULL, err);
		return -1;
	}
	for (sent = 0; sent < n; sent++) {
		doc = strcmp(rows[sent].kind, "document") == 0;
		found = doc ? outbox_doc_params(ix, office, rows[sent].ref, &p,
		    why) : outbox_entry_params(ix, office, rows[sent].ref, &p,
		    why);
		if (found == -1) {
			snprintf(err, ERRMAX, "%s", why);
			ok = 0;
			break;
		}
		rows[sent].gone = found == 0;
		snprintf(id, sizeof id, "%lld", (long long)rows[sent].ref);
		if ((found ? PQsendQueryPrepared(pg, doc ? "sohoa_doc_upsert" :
		    "sohoa_entry_upsert", p.n, (const char *const *)p.v, NULL,
		    NULL, 0) : PQsendQueryParams(pg, doc ? "DELETE FROM "
		    "documents WHERE office = $1 AND id = $2::bigint" : "DELETE "
		    "FROM register_entries WHERE office = $1 AND id = $2::bigint",
		    2, NULL, del, NULL, NULL, 0)) != 1) {
			city_error(pg, NULL, err);
			ok = 0;
			outbox_params_free(&p);
			break;
		}
		outbox_params_free(&p);
	}
	if (ok && PQsendQueryParams(pg, "COMMIT", 0, NULL, NULL, NULL, NULL,
	    0) != 1) {
		city_error(pg, NULL, err);
		ok = 0;
	}
	if (PQpipelineSync(pg) != 1) {
		city_error(pg, NULL, err);
		goto out;
	}
	/* One result per query sent (then NULL), the COMMIT's, the sync. */
	expect = sent + (size_t)ok;
	for (got = 0; got < expect; got++) {
		if ((res = PQgetResult(pg)) == NULL)
			break;
		est = PQresultStatus(res);
		if (est != PGRES_COMMAND_OK && est != PGRES_TUPLES_OK) {
			if (ok && est != PGRES_PIPELINE_ABORTED) {
				city_error(pg, res, why);
				snprintf(err, ERRMAX, "%s %lld: %s", got < sent &&
				    strcmp(rows[got].kind, "document") == 0 ?
				    "record" : "register entry", (long long)(got <
				    sent ? rows[got].ref : 0), why);
				if (got == sent)
					snprintf(err, ERRMAX, "%s", why);
			}
			ok = 0;
		}
		PQclear(res);
		while ((res = PQgetResult(pg)) != NULL)
			PQclear(res);
	}
	while ((res = PQgetResult(pg)) != NULL) {
		est = PQresultStatus(res);
		PQclear(res);
		if (est == PGRES_PIPELINE_SYNC)
			break;
	}
	if (ok && got == expect && expect == n + 1) {
		for (i = 0; i < n; i++) {
			rows[i].ok = 1;
			if (rows[i].gone)
				one->deleted++;
			else
				one->sent++;
		}
		rc = 0;
	} else if (err[0] == '\0')
		city_error(pg, NULL, err);
out:
	PQexitPipelineMode(pg);
	return rc;
}

int
outbox_send(struct index *ix, PGconn *pg, const char *office, int limit,
    int64_t max_seq, int refused_too, struct outbox_result *res, char *err)
{
	struct outbox_result one;
	struct outbox_row *rows = NULL;
	struct db_stmt *st;
	const char *k;
	char why[ERRMAX];
	size_t n = 0, i;
	int rc = -1, step, lost = 0;

	/* Register entries are matched to new records lazily (report.c does
	 * it before counting): match them now, so that what the city counts
	 * as digitized is what this office would.  The entries it changes
	 * are queued by the triggers like any change. */
	if (register_match_refresh(ix, err) == -1)
		goto out;
	if (outbox_prepare(pg, err) == -1 ||
	    outbox_pg_begin(pg, office, err) == -1)
		goto out;
	/* Read under the lock: what another sender committed before it is
	 * in the local state read now, or gone from the outbox. */
	rows = xcalloc((size_t)limit, sizeof *rows);
	st = outbox_stmt(ix, OB_NEXT);
	db_bind_int64(st, 1, limit);
	db_bind_int64(st, 2, max_seq);
	db_bind_int64(st, 3, refused_too != 0);
	while ((step = db_step(st)) == DB_ROW && n < (size_t)limit) {
		k = db_col_text(st, 0);
		snprintf(rows[n].kind, sizeof rows[n].kind, "%s", k ? k : "");
		rows[n].ref = db_col_int64(st, 1);
		rows[n].seq = db_col_int64(st, 2);
		n++;
	}
	db_reset(st);
	if (step == DB_ERROR) {
		snprintf(err, ERRMAX, "the city outbox: %s",
		    db_errmsg(index_db(ix)));
		goto out;
	}
	if (n == 0) {
		city_rollback(pg);
		rc = 0;
		goto out;
	}
	memset(&one, 0, sizeof one);
	if (outbox_send_pipeline(ix, pg, office, rows, n, &one, why) == 0) {
		res->sent += one.sent;
		res->deleted += one.deleted;
	} else {
		/* The link is gone: the batch waits.  Else the city refused
		 * one row: each is sent alone, so that the rest go and the
		 * one refused is said and left for later. */
		city_rollback(pg);
		if (PQstatus(pg) != CONNECTION_OK) {
			snprintf(err, ERRMAX, "%s", why);
			goto out;
		}
		log_warnx("city: %s; sending that batch one by one", why);
		for (i = 0; i < n && !lost; i++) {
			memset(&one, 0, sizeof one);
			rows[i].ok = 0;
			if (outbox_pg_begin(pg, office, why) == -1 ||
			    outbox_send_row(ix, pg, office, &rows[i], &one,
			    why) == -1 || city_exec(pg, "COMMIT", why) == -1) {
				city_rollback(pg);
				if (PQstatus(pg) != CONNECTION_OK) {
					snprintf(err, ERRMAX, "%s", why);
					lost = 1;
					n = i;	/* those before it went */
					break;
				}
				log_warnx("city: %s; it waits at the end of the "
				    "outbox", why);
				res->refused++;
				continue;
			}
			rows[i].ok = 1;
			res->sent += one.sent;
			res->deleted += one.deleted;
		}
	}
	if (lost) {
		outbox_forget(ix, rows, n, why);
		goto out;
	}
	if (outbox_forget(ix, rows, n, err) == -1)
		goto out;
	rc = (int)n;
out:
	if (rc == -1)
		city_rollback(pg);
	free(rows);
	return rc;
}
