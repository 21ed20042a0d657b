/*
 * store.c: the records of the documents, as the JSON contract has them.
 *
 * A document's record (documents), its full text (documents_fts: the OCR
 * text and the fields clerks type in) and the people it names (names: each
 * person folded, whole and by their last words, for search.c) are written
 * together, inside the caller's transaction (ingest.c: one per document).
 * A duplicate, the same bytes scanned again, gets a record of its own that
 * points to the first copy (duplicate_of) and neither full text nor names.
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

/* Binds a string member of doc, or NULL when it is missing or null. */
static void
store_bind_str(struct db_stmt *st, int col, json_t *doc, const char *key)
{
	const char *s = json_string_value(json_object_get(doc, key));

	if (s != NULL)
		db_bind_text(st, col, s);
	else
		db_bind_null(st, col);
}

static void
store_bind_array(struct db_stmt *st, int col, json_t *doc, const char *key)
{
	json_t *a = json_object_get(doc, key);
	char *s = json_is_array(a) ? json_dumps(a, JSON_COMPACT) : NULL;

	db_bind_text(st, col, s ? s : "[]");
	free(s);
}

/* What the FTS "fields" column holds: the values clerks type in, NFC.
 * Caller frees. */
static char *
store_fields_text(json_t *doc)
{
	static const char *keys[] = { DOC_K_NUMBER, DOC_K_DOSSIER_CODE,
	    DOC_K_TYPE, DOC_K_AGENCY_NAME, DOC_K_AGENCY_CODE,
	    DOC_K_SOURCE_NAME, NULL };
	static const char *arrays[] = { DOC_K_PEOPLE, DOC_K_ID_NUMBERS, NULL };
	struct buf b;
	json_t *v;
	size_t i, j;
	char *s;

	buf_init(&b, 1 << 20);
	for (i = 0; keys[i] != NULL; i++)
		if ((v = json_object_get(doc, keys[i])) != NULL &&
		    json_is_string(v))
			buf_printf(&b, "%s\n", json_string_value(v));
	for (i = 0; arrays[i] != NULL; i++)
		json_array_foreach(json_object_get(doc, arrays[i]), j, v)
			if (json_is_string(v))
				buf_printf(&b, "%s\n", json_string_value(v));
	s = vntext_nfc(b.data ? b.data : "", b.len);
	buf_free(&b);
	return s;
}

/*
 * Keeps the names table for document id: each person of doc, folded,
 * whole and by its last two words or more.  A duplicate has none.
 */
int
store_names_put(struct index *ix, int64_t id, json_t *doc, char *err)
{
	struct db_stmt *st = index_stmt(ix, STMT_NAME_DEL);
	json_t *v;
	size_t i, k, nw;
	char *w, *p, *word[16];
	int rc;

	db_bind_int64(st, 1, id);
	rc = db_step(st);
	db_reset(st);
	if (json_is_integer(json_object_get(doc, DOC_K_DUPLICATE_OF)))
		goto out;
	json_array_foreach(json_object_get(doc, DOC_K_PEOPLE), i, v) {
		if (rc != DB_DONE || !json_is_string(v))
			continue;
		w = tokenizer_words(json_string_value(v));
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
store_fts_insert(struct index *ix, int64_t id, json_t *doc, const char *text,
    char *err)
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

int
store_insert(struct index *ix, json_t *doc, const char *text, char *err)
{
	struct db_stmt *st = index_stmt(ix, STMT_INSERT);
	json_t *conf = json_object_get(doc, DOC_K_OCR_CONFIDENCE);
	json_t *dup = json_object_get(doc, DOC_K_DUPLICATE_OF);
	int64_t id;
	int rc;

	store_bind_str(st, 1, doc, DOC_K_SOURCE_NAME);
	store_bind_str(st, 2, doc, DOC_K_SHA256);
	db_bind_int64(st, 3, json_integer_value(json_object_get(doc,
	    DOC_K_PAGES)));
	if (json_is_number(conf))
		db_bind_double(st, 4, json_number_value(conf));
	store_bind_str(st, 5, doc, DOC_K_PROFILE);
	store_bind_str(st, 6, doc, DOC_K_AGENCY_CODE);
	store_bind_str(st, 7, doc, DOC_K_AGENCY_NAME);
	store_bind_str(st, 8, doc, DOC_K_LEVEL);
	store_bind_str(st, 9, doc, DOC_K_TYPE);
	store_bind_str(st, 10, doc, DOC_K_NUMBER);
	store_bind_str(st, 11, doc, DOC_K_ISSUED_ON);
	store_bind_array(st, 12, doc, DOC_K_PEOPLE);
	store_bind_array(st, 13, doc, DOC_K_ID_NUMBERS);
	store_bind_str(st, 14, doc, DOC_K_DOSSIER_CODE);
	store_bind_str(st, 15, doc, DOC_K_ARCHIVE);
	store_bind_str(st, 16, doc, DOC_K_INGESTED_AT);
	if (json_is_integer(dup))
		db_bind_int64(st, 17, json_integer_value(dup));
	store_bind_str(st, 18, doc, DOC_K_PROCEDURE_CODE);
	store_bind_str(st, 19, doc, DOC_K_VALID_UNTIL);
	rc = db_step(st);
	db_reset(st);
	if (rc != DB_DONE) {
		snprintf(err, ERRMAX, "cannot record the document: %s",
		    db_errmsg(index_db(ix)));
		return -1;
	}
	id = db_last_id(index_db(ix));
	json_object_set_new(doc, DOC_K_ID, json_integer(id));
	if (text == NULL)
		return 0;
	if (store_fts_insert(ix, id, doc, text, err) == -1)
		return -1;
	return store_names_put(ix, id, doc, err);
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
store_set_fields(struct index *ix, int64_t id, json_t *doc, int fts, char *err)
{
	struct db_stmt *st = index_stmt(ix, STMT_SET_FIELDS);
	char *fields;
	int rc;

	db_bind_int64(st, 1, id);
	store_bind_str(st, 2, doc, DOC_K_TYPE);
	store_bind_str(st, 3, doc, DOC_K_NUMBER);
	store_bind_str(st, 4, doc, DOC_K_ISSUED_ON);
	store_bind_str(st, 5, doc, DOC_K_AGENCY_NAME);
	store_bind_array(st, 6, doc, DOC_K_PEOPLE);
	store_bind_array(st, 7, doc, DOC_K_ID_NUMBERS);
	store_bind_str(st, 8, doc, DOC_K_DOSSIER_CODE);
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

json_t *
store_get(struct index *ix, int64_t id)
{
	struct db_stmt *st = index_stmt(ix, STMT_GET);
	json_t *d = NULL;

	db_bind_int64(st, 1, id);
	if (db_step(st) == DB_ROW)
		d = store_row_json(st);
	db_reset(st);
	return d;
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
	struct db_stmt *st = index_stmt(ix, STMT_COPIES);
	json_t *doc = store_get(ix, id), *a = json_array(), *first;

	if (doc == NULL)
		return a;
	first = json_object_get(doc, DOC_K_DUPLICATE_OF);
	db_bind_int64(st, 1, json_is_integer(first) ?
	    json_integer_value(first) : id);
	while (db_step(st) == DB_ROW)
		json_array_append_new(a, json_integer(db_col_int64(st,
		    0)));
	db_reset(st);
	json_decref(doc);
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
