/*
 * store.c: the records of the documents, typed (struct document).
 *
 * A document's record (documents), its full text (documents_fts: the OCR
 * text and the fields clerks type in) and the people it names (names: each
 * person folded, whole and by their last words, for search.c) are written
 * together, inside the caller's transaction (ingest.c: one per document).
 * A duplicate, the same bytes scanned again, gets a record of its own that
 * points to the first copy (duplicate_of) and neither full text nor names.
 * Records go in and come out as struct document; store_get, store_list and
 * store_row_json give the JSON contract for the edges (the CLI's output).
 */
#include <sys/types.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>


#include "sohoa.h"

int64_t
store_find_sha256(struct index *ix, const char *sha256)
{
	struct db_stmt *st = index_stmt(ix, STMT_FIND_SHA);
	int64_t id = 0;

	db_bind_text(st, 1, sha256);
	if (db_step(st) == DB_ROW)
		id = db_col_int64(st, 0);
	db_reset(st);
	return id;
}

/* Binds a string member of the record, or NULL when it is unknown. */
static void
store_bind_str(struct db_stmt *st, int col, const char *s)
{
	if (s != NULL)
		db_bind_text(st, col, s);
	else
		db_bind_null(st, col);
}

/* A list of the record as the column holds it: a compact JSON array. */
static void
store_bind_strings(struct db_stmt *st, int col,
    const struct document_strings *a)
{
	json_t *j = document_strings_to_json(a);
	char *s = json_dumps(j, JSON_COMPACT);

	db_bind_text(st, col, s ? s : "[]");
	free(s);
	json_decref(j);
}

static void
store_fields_add(struct buf *b, const char *s)
{
	if (s != NULL)
		buf_printf(b, "%s\n", s);
}

/* What the FTS "fields" column holds: the values clerks type in, NFC.
 * Caller frees. */
char *
store_fields_text(const struct document *doc)
{
	struct buf b;
	size_t i;
	char *s;

	buf_init(&b, 1 << 20);
	store_fields_add(&b, doc->doc_number);
	store_fields_add(&b, doc->dossier_code);
	store_fields_add(&b, doc->doc_type);
	store_fields_add(&b, doc->agency_name);
	store_fields_add(&b, doc->agency_code);
	store_fields_add(&b, doc->source_name);
	for (i = 0; i < doc->people.n; i++)
		store_fields_add(&b, doc->people.v[i]);
	for (i = 0; i < doc->id_numbers.n; i++)
		store_fields_add(&b, doc->id_numbers.v[i]);
	s = vntext_nfc(b.data ? b.data : "", b.len);
	buf_free(&b);
	return s;
}

/*
 * Keeps the names table for document id: each person of doc, folded,
 * whole and by its last two words or more.  A duplicate has none.
 */
int
store_names_put(struct index *ix, int64_t id, const struct document *doc,
    char *err)
{
	struct db_stmt *st = index_stmt(ix, STMT_NAME_DEL);
	size_t i, k, nw;
	char *w, *p, *word[16];
	int rc;

	db_bind_int64(st, 1, id);
	rc = db_step(st);
	db_reset(st);
	if (doc->duplicate_of > 0)
		goto out;
	for (i = 0; i < doc->people.n && rc == DB_DONE; i++) {
		w = tokenizer_words(doc->people.v[i]);
		for (nw = 0, p = w; *p != '\0' && nw < 16; nw++) {
			word[nw] = p;
			p += strcspn(p, " ");
			p += *p == ' ';
		}
		for (k = 0; nw >= 2 && k + 2 <= nw && rc == DB_DONE; k++) {
			st = index_stmt(ix, STMT_NAME_ADD);
			db_bind_text(st, 1, word[k]);
			db_bind_int64(st, 2, id);
			rc = db_step(st);
			db_reset(st);
		}
		free(w);
	}
out:
	if (rc != DB_DONE) {
		snprintf(err, ERRMAX, "cannot index the names of document "
		    "#%lld: %s", (long long)id, db_errmsg(index_db(ix)));
		return -1;
	}
	return 0;
}

/* Puts a document's text and fields into the full text. */
int
store_fts_insert(struct index *ix, int64_t id, const struct document *doc,
    const char *text, char *err)
{
	struct db_stmt *st;
	char *body, *fields;
	int rc;

	body = vntext_nfc(text, strlen(text));
	fields = store_fields_text(doc);
	st = index_stmt(ix, STMT_INSERT_FTS);
	db_bind_int64(st, 1, id);
	db_bind_text(st, 2, body);
	db_bind_text(st, 3, fields);
	rc = db_step(st);
	db_reset(st);
	free(body);
	free(fields);
	if (rc != DB_DONE) {
		snprintf(err, ERRMAX, "cannot index the document text: %s",
		    db_errmsg(index_db(ix)));
		return -1;
	}
	return 0;
}

/* Inserts doc (its id is assigned and set in doc) with its full text and
 * names; text NULL for a duplicate. */
int
store_insert(struct index *ix, struct document *doc, const char *text,
    char *err)
{
	struct db_stmt *st = index_stmt(ix, STMT_INSERT);
	int rc;

	store_bind_str(st, 1, doc->source_name);
	store_bind_str(st, 2, doc->sha256);
	db_bind_int64(st, 3, doc->pages);
	if (doc->has_ocr_confidence)
		db_bind_double(st, 4, doc->ocr_confidence);
	store_bind_str(st, 5, doc->profile);
	store_bind_str(st, 6, doc->agency_code);
	store_bind_str(st, 7, doc->agency_name);
	store_bind_str(st, 8, doc->level);
	store_bind_str(st, 9, doc->doc_type);
	store_bind_str(st, 10, doc->doc_number);
	store_bind_str(st, 11, doc->issued_on);
	store_bind_strings(st, 12, &doc->people);
	store_bind_strings(st, 13, &doc->id_numbers);
	store_bind_str(st, 14, doc->dossier_code);
	store_bind_str(st, 15, doc->archive);
	store_bind_str(st, 16, doc->ingested_at);
	if (doc->duplicate_of > 0)
		db_bind_int64(st, 17, doc->duplicate_of);
	store_bind_str(st, 18, doc->procedure_code);
	store_bind_str(st, 19, doc->valid_until);
	rc = db_step(st);
	db_reset(st);
	if (rc != DB_DONE) {
		snprintf(err, ERRMAX, "cannot record the document: %s",
		    db_errmsg(index_db(ix)));
		return -1;
	}
	doc->id = db_last_id(index_db(ix));
	if (text == NULL)
		return 0;
	if (store_fts_insert(ix, doc->id, doc, text, err) == -1)
		return -1;
	return store_names_put(ix, doc->id, doc, err);
}

int
store_set_archive(struct index *ix, int64_t id, const char *archive,
    const char *archive_sha256, char *err)
{
	struct db_stmt *st = index_stmt(ix, STMT_SET_ARCHIVE);
	int rc;

	db_bind_int64(st, 1, id);
	db_bind_text(st, 2, archive);
	db_bind_text(st, 3, archive_sha256);
	rc = db_step(st);
	db_reset(st);
	if (rc != DB_DONE) {
		snprintf(err, ERRMAX, "cannot record the archive package: %s",
		    db_errmsg(index_db(ix)));
		return -1;
	}
	return 0;
}

/* Writes the correctable fields of doc into its record and, with fts set
 * and when the document has full text, into its FTS "fields" column. */
int
store_set_fields(struct index *ix, int64_t id, const struct document *doc,
    int fts, char *err)
{
	struct db_stmt *st = index_stmt(ix, STMT_SET_FIELDS);
	char *fields;
	int rc;

	db_bind_int64(st, 1, id);
	store_bind_str(st, 2, doc->doc_type);
	store_bind_str(st, 3, doc->doc_number);
	store_bind_str(st, 4, doc->issued_on);
	store_bind_str(st, 5, doc->agency_name);
	store_bind_strings(st, 6, &doc->people);
	store_bind_strings(st, 7, &doc->id_numbers);
	store_bind_str(st, 8, doc->dossier_code);
	rc = db_step(st);
	db_reset(st);
	if (rc == DB_DONE && fts) {
		fields = store_fields_text(doc);
		st = index_stmt(ix, STMT_UPDATE_FTS);
		db_bind_int64(st, 1, id);
		db_bind_text(st, 2, fields);
		rc = db_step(st);
		db_reset(st);
		free(fields);
	}
	if (rc != DB_DONE) {
		snprintf(err, ERRMAX, "cannot update document #%lld: %s",
		    (long long)id, db_errmsg(index_db(ix)));
		return -1;
	}
	return store_names_put(ix, id, doc, err);
}

/* Column col, holding a JSON array of strings, into *a.  What is not an
 * array (NULL, bad JSON) is an empty list, as it always read. */
static void
store_col_strings(struct db_stmt *st, int col, struct document_strings *a)
{
	const char *s = db_col_text(st, col);
	json_t *j = s ? json_loads(s, 0, NULL) : NULL, *v;
	size_t i;

	json_array_foreach(j, i, v)
		if (json_is_string(v))
			document_strings_add(a, json_string_value(v));
	json_decref(j);
}

static char *
store_col_dup(struct db_stmt *st, int col)
{
	const char *s = db_col_text(st, col);

	return s != NULL ? xstrdup(s) : NULL;
}

/* One row of DOC_COLUMNS into *d (zeroed first).  Caller
 * document_free()s. */
void
store_row_document(struct db_stmt *st, struct document *d)
{
	memset(d, 0, sizeof(*d));
	d->id = db_col_int64(st, 0);
	d->source_name = store_col_dup(st, 1);
	d->sha256 = store_col_dup(st, 2);
	d->pages = (int)db_col_int64(st, 3);
	if (!db_col_null(st, 4)) {
		d->has_ocr_confidence = 1;
		d->ocr_confidence = db_col_double(st, 4);
	}
	d->profile = store_col_dup(st, 5);
	d->agency_code = store_col_dup(st, 6);
	d->agency_name = store_col_dup(st, 7);
	d->level = store_col_dup(st, 8);
	d->doc_type = store_col_dup(st, 9);
	d->doc_number = store_col_dup(st, 10);
	d->issued_on = store_col_dup(st, 11);
	store_col_strings(st, 12, &d->people);
	store_col_strings(st, 13, &d->id_numbers);
	d->dossier_code = store_col_dup(st, 14);
	d->archive = store_col_dup(st, 15);
	d->ingested_at = store_col_dup(st, 16);
	if (!db_col_null(st, 17))
		d->duplicate_of = db_col_int64(st, 17);
	d->procedure_code = store_col_dup(st, 18);
	d->valid_until = store_col_dup(st, 19);
}

/* One row of DOC_COLUMNS as a document object of the JSON contract: the
 * record typed, then converted at the edge. */
json_t *
store_row_json(struct db_stmt *st)
{
	struct document d;
	json_t *o;

	store_row_document(st, &d);
	o = document_to_json(&d);
	document_free(&d);
	return o;
}

/* Record id into *d (zeroed first): 0, or -1 when there is none. */
int
store_get_document(struct index *ix, int64_t id, struct document *d)
{
	struct db_stmt *st = index_stmt(ix, STMT_GET);
	int rc = -1;

	memset(d, 0, sizeof(*d));
	db_bind_int64(st, 1, id);
	if (db_step(st) == DB_ROW) {
		store_row_document(st, d);
		rc = 0;
	}
	db_reset(st);
	return rc;
}

/* Record id as the JSON contract has it, for the edges (the CLI), or
 * NULL. */
json_t *
store_get(struct index *ix, int64_t id)
{
	struct document d;
	json_t *o;

	if (store_get_document(ix, id, &d) == -1)
		return NULL;
	o = document_to_json(&d);
	document_free(&d);
	return o;
}

char *
store_archive_sha256(struct index *ix, int64_t id)
{
	struct db_stmt *st = index_stmt(ix, STMT_ARCHIVE_SHA);
	const char *s;
	char *r = NULL;

	db_bind_int64(st, 1, id);
	if (db_step(st) == DB_ROW &&
	    (s = db_col_text(st, 0)) != NULL)
		r = xstrdup(s);
	db_reset(st);
	return r;
}

json_t *
store_list(struct index *ix, int limit)
{
	struct db_stmt *st = index_stmt(ix, STMT_LIST);
	json_t *a = json_array();

	db_bind_int64(st, 1, limit);
	while (db_step(st) == DB_ROW)
		json_array_append_new(a, store_row_json(st));
	db_reset(st);
	return a;
}

/* The ids of the records of the same scan as id (the first copy and its
 * duplicates, id among them), first copy first. */
json_t *
store_copies(struct index *ix, int64_t id)
{
	struct db_stmt *st;
	struct document doc;
	json_t *a = json_array();

	if (store_get_document(ix, id, &doc) == -1)
		return a;
	st = index_stmt(ix, STMT_COPIES);
	db_bind_int64(st, 1, doc.duplicate_of > 0 ? doc.duplicate_of : id);
	while (db_step(st) == DB_ROW)
		json_array_append_new(a, json_integer(db_col_int64(st,
		    0)));
	db_reset(st);
	document_free(&doc);
	return a;
}

int
store_foreach_package(struct index *ix,
    int (*cb)(int64_t, const char *, const char *, void *), void *arg)
{
	struct db_stmt *st;
	int rc = 0;

	/* A private statement: the callback may use the cached ones. */
	if ((st = index_prepare(ix, STMT_PACKAGES)) == NULL)
		return -1;
	while (rc == 0 && db_step(st) == DB_ROW)
		rc = cb(db_col_int64(st, 0),
		    db_col_text(st, 1),
		    db_col_text(st, 2), arg);
	db_finalize(st);
	return rc;
}
