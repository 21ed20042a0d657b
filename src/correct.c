/*
 * correct.c: corrections by staff, and the reindex that keeps them.
 *
 * OCR and the rules of extract.c get a field wrong now and then; staff put
 * it right with `sohoa edit ID field=value`.  Each value is checked here (a
 * date must exist: date_read; an ID number has 12 digits or 9:
 * util_id_number) and recorded with who,
 * when, the old and the new value (corrections, in index.c's schema), in
 * every record of the same scan.  `sohoa reindex` re-reads every
 * document's text from its archive package, reads the fields off it again
 * with the document's profile, rebuilds the full text and re-applies the
 * corrections in the order they were made: a correction outlives new
 * extraction rules and a new tokenizer alike.
 *
 * A record names its profile, not the file it came from, so profiles are
 * looked up by name: first those given on the command line, then those in
 * the profiles folder of sohoa.conf, then the built-in one.  A document
 * whose profile is not found is read with the built-in sample profile (no
 * filename pattern, no rules) and keeps the issuing body on its record,
 * which its own profile gave.
 */
#include <sys/types.h>

#include <ctype.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>


#include "sohoa.h"

#define CORRECT_VALUEMAX	1000	/* bytes of one value */

/* value, trimmed, in NFC.  Caller frees. */
static char *
correct_trim(const char *s, size_t len)
{
	while (len > 0 && isspace((unsigned char)*s)) {
		s++;
		len--;
	}
	while (len > 0 && isspace((unsigned char)s[len - 1]))
		len--;
	return vntext_nfc(s, len);
}

/* "a, b,,c" as a JSON array of the trimmed, non-empty items. */
static int
correct_list(const char *field, const char *text, json_t **value, char *err)
{
	json_t *a = json_array();
	const char *p = text, *comma;
	char *item, id[UTIL_ID_DIGITS + 1];
	int rc = 0;

	while (rc == 0 && *p != '\0') {
		comma = strchr(p, ',');
		item = correct_trim(p, comma ? (size_t)(comma - p) : strlen(p));
		p = comma ? comma + 1 : p + strlen(p);
		if (*item == '\0')
			;
		else if (strcmp(field, DOC_K_ID_NUMBERS) != 0)
			json_array_append_new(a, json_string(item));
		else if (util_id_number(item, id) == 0)
			json_array_append_new(a, json_string(id));
		else {
			snprintf(err, ERRMAX, "'%s' is not a personal ID number "
			    "(" UTIL_ID_RULE ")", item);
			rc = -1;
		}
		free(item);
	}
	if (rc == 0)
		*value = a;
	else
		json_decref(a);
	return rc;
}

/*
 * Checks the value staff typed for field and makes it the record's JSON:
 * a string (null when empty), or for people and id_numbers an array of the
 * comma-separated items.  Caller json_decref()s *value.
 */
static int
correct_value(const char *field, const char *text, json_t **value, char *err)
{
	char *v = NULL, *p, ymd[11];
	int rc = -1;

	*value = NULL;
	if (strlen(text) > CORRECT_VALUEMAX) {
		snprintf(err, ERRMAX, "the value of %s is longer than %d bytes",
		    field, CORRECT_VALUEMAX);
		goto out;
	}
	if (strcmp(field, DOC_K_PEOPLE) == 0 ||
	    strcmp(field, DOC_K_ID_NUMBERS) == 0) {
		rc = correct_list(field, text, value, err);
		goto out;
	}
	v = correct_trim(text, strlen(text));
	if (*v == '\0') {
		*value = json_null();
		rc = 0;
		goto out;
	}
	if (strcmp(field, DOC_K_ISSUED_ON) == 0) {
		if (date_arg(DOC_K_ISSUED_ON, v, ymd, err) == -1)
			goto out;
		free(v);
		v = xstrdup(ymd);
	}
	if (strcmp(field, DOC_K_DOSSIER_CODE) == 0) {
		for (p = v; *p != '\0'; p++)
			*p = (char)toupper((unsigned char)*p);
		if (strspn(v, "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ.-") !=
		    strlen(v)) {
			snprintf(err, ERRMAX, "a dossier code is letters, digits, "
			    "dots and dashes, such as 000.23.11.H26-240315-0017, "
			    "not '%s'", v);
			goto out;
		}
	}
	*value = json_string(v);
	rc = 0;
out:
	free(v);
	return rc;
}

const char *const correct_fields[] = { DOC_K_TYPE, DOC_K_NUMBER,
    DOC_K_ISSUED_ON, DOC_K_AGENCY_NAME, DOC_K_PEOPLE, DOC_K_ID_NUMBERS,
    DOC_K_DOSSIER_CODE,
    NULL };

static int
correct_is_field(const char *field)
{
	size_t i;

	for (i = 0; correct_fields[i] != NULL; i++)
		if (strcmp(field, correct_fields[i]) == 0)
			return 1;
	return 0;
}

static int
correct_add(struct index *ix, int64_t id, const char *field,
    json_t *old, json_t *new, const char *who, const char *at, char *err)
{
	struct db_stmt *st = index_stmt(ix, STMT_ADD_CORRECTION);
	char *o = json_dumps(old, JSON_ENCODE_ANY | JSON_COMPACT);
	char *n = json_dumps(new, JSON_ENCODE_ANY | JSON_COMPACT);
	int rc;

	db_bind_int64(st, 1, id);
	db_bind_text(st, 2, field);
	db_bind_text(st, 3, o);
	db_bind_text(st, 4, n);
	db_bind_text(st, 5, who);
	db_bind_text(st, 6, at);
	rc = db_step(st);
	db_reset(st);
	free(o);
	free(n);
	if (rc != DB_DONE) {
		snprintf(err, ERRMAX, "cannot record the correction: %s",
		    db_errmsg(index_db(ix)));
		return -1;
	}
	return 0;
}

/* Corrects one record; its changes are appended to changed, if given.
 * The corrections table keeps values as JSON: each field of the typed
 * record is converted for it, and back. */
static int
correct_one(struct index *ix, int64_t id, size_t n,
    const char *const *field, json_t *const *value, const char *who,
    const char *now, json_t *changed, char *err)
{
	struct document doc;
	json_t *old = NULL;
	size_t i, made = 0;
	int rc = -1;

	if (store_get_document(ix, id, &doc) == -1) {
		snprintf(err, ERRMAX, "there is no document #%lld",
		    (long long)id);
		return -1;
	}
	for (i = 0; i < n; i++) {
		old = document_get(&doc, field[i]);
		if (json_equal(old, value[i])) {
			json_decref(old);
			old = NULL;
			continue;
		}
		if (correct_add(ix, id, field[i], old, value[i], who,
		    now, err) == -1)
			goto out;
		if (changed != NULL)
			json_array_append_new(changed, json_pack("{s:s, s:O, "
			    "s:O, s:s, s:s}", "field", field[i], "old", old,
			    "new", value[i], "who", who, "at", now));
		json_decref(old);
		old = NULL;
		if (document_set(&doc, field[i], value[i], err) == -1)
			goto out;
		made++;
	}
	if (made > 0 && store_set_fields(ix, id, &doc, 1, err) == -1)
		goto out;
	rc = 0;
out:
	json_decref(old);
	document_free(&doc);
	return rc;
}

/*
 * A duplicate is the same scan as its first copy, so a correction made to
 * any record of a scan is made to every record of it, each keeping its own
 * old value (reindex re-applies each record's own); *changedp lists the
 * changes to the record asked for.
 */
int
correct_apply(struct index *ix, int64_t id, size_t n,
    const char *const *field, json_t *const *value, json_t **changedp,
    char *err)
{
	json_t *changed = json_array(), *copies = NULL, *v;
	char now[40], who[ACCESSLOG_USERMAX];
	size_t i;
	int rc = -1;

	*changedp = NULL;
	for (i = 0; i < n; i++)
		if (!correct_is_field(field[i])) {
			snprintf(err, ERRMAX, "%s cannot be corrected", field[i]);
			goto out;
		}
	if (index_begin(ix) == -1) {
		snprintf(err, ERRMAX, "the database is busy or read-only");
		goto out;
	}
	util_now_iso8601(now);
	accesslog_who(ix, who);
	copies = store_copies(ix, id);
	if (json_array_size(copies) == 0) {
		snprintf(err, ERRMAX, "there is no document #%lld",
		    (long long)id);
		goto out_rollback;
	}
	json_array_foreach(copies, i, v)
		if (correct_one(ix, json_integer_value(v), n, field,
		    value, who, now, json_integer_value(v) == id ? changed :
		    NULL, err) == -1)
			goto out_rollback;
	if (index_commit(ix) == -1) {
		snprintf(err, ERRMAX, "cannot commit the correction: %s",
		    db_errmsg(index_db(ix)));
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
correct_history(struct index *ix, int64_t id)
{
	struct db_stmt *st = index_stmt(ix, STMT_CORRECTIONS);
	json_t *a = json_array(), *c;

	db_bind_int64(st, 1, id);
	while (db_step(st) == DB_ROW) {
		c = json_object();
		json_object_set_new(c, "field", db_col_str(st, 0));
		json_object_set_new(c, "old", db_col_json(st, 1));
		json_object_set_new(c, "new", db_col_json(st, 2));
		json_object_set_new(c, "who", db_col_str(st, 3));
		json_object_set_new(c, "at", db_col_str(st, 4));
		json_array_append_new(a, c);
	}
	db_reset(st);
	return a;
}

int
correct_edit(struct index *ix, int64_t id, char **assign, int n,
    json_t **changed, char *err)
{
	const char **field = xcalloc((size_t)n + 1, sizeof *field);
	json_t **value = xcalloc((size_t)n + 1, sizeof *value);
	char **names = xcalloc((size_t)n + 1, sizeof *names);
	const char *eq;
	int i, j, rc = -1;

	*changed = NULL;
	for (i = 0; i < n; i++) {
		if ((eq = strchr(assign[i], '=')) == NULL || eq == assign[i]) {
			snprintf(err, ERRMAX, "'%s' is not field=value, such as "
			    "doc_number=1245/QĐ-UBND", assign[i]);
			goto out;
		}
		names[i] = xasprintf("%.*s", (int)(eq - assign[i]), assign[i]);
		for (j = 0; correct_fields[j] != NULL &&
		    strcmp(correct_fields[j], names[i]) != 0; j++)
			;
		if (correct_fields[j] == NULL) {
			snprintf(err, ERRMAX, "there is no field '%s' to correct; "
			    "the fields are doc_type, doc_number, issued_on, "
			    "agency_name, people, id_numbers and dossier_code",
			    names[i]);
			goto out;
		}
		for (j = 0; j < i; j++)
			if (strcmp(names[j], names[i]) == 0) {
				snprintf(err, ERRMAX, "%s is given twice",
				    names[i]);
				goto out;
			}
		field[i] = names[i];
		if (correct_value(names[i], eq + 1, &value[i], err) == -1)
			goto out;
	}
	rc = correct_apply(ix, id, (size_t)n, field, value, changed, err);
out:
	for (i = 0; i < n; i++) {
		free(names[i]);
		json_decref(value[i]);
	}
	free(names);
	free(value);
	free(field);
	return rc;
}

struct correct_reindex {
	const char	*datadir;
	const struct profile *given;
	size_t		 ngiven;
	struct profile	*found;		/* from the profiles folder */
	size_t		 nfound;
	struct profile	 builtin;
	int		 unknown;	/* documents read with the built-in one */
};

/* Loads every *.conf and *.ini in conf's profiles folder; a broken file is
 * named and left out. */
static void
correct_load_dir(struct correct_reindex *r, const struct conf *conf)
{
	const char *dir = conf != NULL ? conf->profiles : NULL;
	struct dirent *de;
	struct profile p;
	char err[ERRMAX], *path;
	size_t len;
	DIR *d;

	if (dir == NULL || (d = opendir(dir)) == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		len = strlen(de->d_name);
		if (de->d_name[0] == '.' || !((len > 5 &&
		    strcmp(de->d_name + len - 5, ".conf") == 0) || (len > 4 &&
		    strcmp(de->d_name + len - 4, ".ini") == 0)))
			continue;
		path = xasprintf("%s/%s", dir, de->d_name);
		if (profile_load_conf(path, conf, &p, err) == 0) {
			r->found = xrealloc(r->found, (r->nfound + 1) *
			    sizeof *r->found);
			r->found[r->nfound++] = p;
		} else
			log_warnx("%s; documents of that profile are read with "
			    "the built-in one", err);
		free(path);
	}
	closedir(d);
}

static const struct profile *
correct_profile(struct correct_reindex *r, const char *name)
{
	size_t i;

	for (i = 0; name != NULL && i < r->ngiven; i++)
		if (r->given[i].name != NULL &&
		    strcmp(r->given[i].name, name) == 0)
			return &r->given[i];
	for (i = 0; name != NULL && i < r->nfound; i++)
		if (strcmp(r->found[i].name, name) == 0)
			return &r->found[i];
	if (name != NULL && strcmp(r->builtin.name, name) == 0)
		return &r->builtin;
	return NULL;
}

/* As at ingest, the codes read off the pages (kept in the package's
 * metadata.json) win over the text: a reindex must not put back an OCR'd
 * dossier code the QR had corrected.  A package without them (older
 * than codes) leaves fields as the text gave them. */
static void
correct_codes(json_t *fields, const char *datadir, const char *archive)
{
	char err[ERRMAX], *pkg = xasprintf("%s/%s", datadir, archive);
	json_t *meta, *merged;
	struct buf b;

	if (package_read(pkg, "metadata.json", 64u << 20, &b, err) == 0) {
		meta = json_loadb(b.data ? b.data : "", b.len, 0, NULL);
		if (json_array_size(json_object_get(meta, "codes")) > 0) {
			merged = codes_merge(fields, json_object_get(meta,
			    "codes"));
			json_decref(merged);
		}
		json_decref(meta);
		buf_free(&b);
	}
	free(pkg);
}

/* correct_rebuild's reread: the text out of the package, the fields off it. */
static int
correct_reread(const struct document *doc, char **text, json_t **fields,
    void *arg)
{
	struct correct_reindex *r = arg;
	const char *archive = doc->archive;
	const struct profile *prof;
	long long id = doc->id;
	struct buf b, lb;
	char err[ERRMAX], e2[ERRMAX], *pkg;
	json_t *layout = NULL;
	int rc;

	if (archive == NULL) {
		log_warnx("document #%lld has no archive package; its fields "
		    "stay as they are", id);
		return -1;
	}
	pkg = xasprintf("%s/%s", r->datadir, archive);
	rc = package_read(pkg, "text.txt", 256u << 20, &b, err);
	if (rc == -1)
		log_warnx("document #%lld: %s: %s; its fields and text stay as "
		    "they are", id, pkg, err);
	/* The pages' layout, as at ingest; a package older than layouts
	 * has none, and its fields come from the text alone. */
	if (rc == 0 && package_read(pkg, WORKER_LAYOUT, 256u << 20, &lb,
	    e2) == 0) {
		layout = json_loadb(lb.data ? lb.data : "", lb.len, 0, NULL);
		buf_free(&lb);
	}
	free(pkg);
	if (rc == -1)
		return -1;
	prof = correct_profile(r, doc->profile);
	*fields = extract_fields(b.data ? b.data : "", layout,
	    doc->source_name, prof != NULL ? prof : &r->builtin);
	json_decref(layout);
	correct_codes(*fields, r->datadir, archive);
	/* As at ingest: the profile's issuing body wins over the text's. */
	if (prof == NULL) {
		r->unknown++;
		json_object_del(*fields, DOC_K_AGENCY_NAME);
	} else if (prof->agency_name != NULL)
		json_object_set_new(*fields, DOC_K_AGENCY_NAME,
		    json_string(prof->agency_name));
	*text = b.data ? b.data : xstrdup("");
	return 0;
}

/* Re-applies a document's corrections to doc, oldest first; returns how
 * many.  A value the table holds of the wrong type (written by hand into
 * the database) is named and passed over. */
static int
correct_reapply(struct index *ix, int64_t id, struct document *doc)
{
	json_t *a = correct_history(ix, id), *c;
	const char *field;
	char err[ERRMAX];
	size_t i;
	int n = 0;

	json_array_foreach(a, i, c) {
		field = json_string_value(json_object_get(c, "field"));
		if (field != NULL && correct_is_field(field)) {
			if (document_set(doc, field, json_object_get(c, "new"),
			    err) == -1)
				log_warnx("document #%lld: a correction is "
				    "passed over: %s", (long long)id, err);
			n++;
		}
	}
	json_decref(a);
	return n;
}

/* The text of a document in the full text being replaced.  Caller frees. */
static char *
correct_old_body(struct db_stmt *old, int64_t id)
{
	const char *s;
	char *body = NULL;

	db_reset(old);
	db_bind_int64(old, 1, id);
	if (db_step(old) == DB_ROW &&
	    (s = db_col_text(old, 0)) != NULL)
		body = xstrdup(s);
	db_reset(old);
	return body;
}

int
correct_rebuild(struct index *ix,
    int (*reread)(const struct document *, char **, json_t **, void *),
    void *arg, struct correct_reindex_stats *stats, char *err)
{
	struct db_stmt *ids = NULL, *old = NULL;
	struct document doc;
	json_t *fields, *v;
	char e2[ERRMAX];
	const char *k;
	char *text;
	int64_t id;
	int rc = -1, dup;

	memset(stats, 0, sizeof *stats);
	if (index_begin(ix) == -1) {
		snprintf(err, ERRMAX, "the database is busy or read-only");
		goto out;
	}
	/* The old full text stays until the new one is whole: it holds the
	 * text of any document whose package cannot be read. */
	if (index_fts_renew(ix, &old, err) == -1)
		goto out_rollback;
	/* Its own statement: the loop uses the cached ones. */
	if ((ids = index_prepare(ix, STMT_RECORDS)) == NULL) {
		snprintf(err, ERRMAX, "cannot rebuild the full text: %s",
		    db_errmsg(index_db(ix)));
		goto out_rollback;
	}
	while ((rc = db_step(ids)) == DB_ROW) {
		id = db_col_int64(ids, 0);
		dup = (int)db_col_int64(ids, 1);
		if (store_get_document(ix, id, &doc) == -1) {
			snprintf(err, ERRMAX, "cannot read document #%lld",
			    (long long)id);
			goto out_rollback;
		}
		stats->documents++;
		text = NULL;
		fields = NULL;
		if (reread(&doc, &text, &fields, arg) == 0) {
			stats->reread++;
			json_object_foreach(fields, k, v)
				if (correct_is_field(k) && document_set(&doc, k,
				    v, e2) == -1)
					log_warnx("document #%lld: %s; it keeps "
					    "the value it had", (long long)id, e2);
			json_decref(fields);
		} else if (!dup && (text = correct_old_body(old, id)) != NULL)
			stats->kept++;
		else if (!dup) {
			log_warnx("document #%lld: no text to index",
			    (long long)id);
			stats->failed++;
		}
		stats->corrections += correct_reapply(ix, id, &doc);
		rc = store_set_fields(ix, id, &doc, 0, err);
		if (rc == 0 && !dup && text != NULL)
			rc = store_fts_insert(ix, id, &doc, text, err);
		free(text);
		document_free(&doc);
		if (rc == -1)
			goto out_rollback;
	}
	if (rc != DB_DONE) {
		snprintf(err, ERRMAX, "cannot read the records: %s",
		    db_errmsg(index_db(ix)));
		goto out_rollback;
	}
	db_finalize(old);
	old = NULL;
	db_finalize(ids);
	ids = NULL;
	if (index_optimize(ix, err) == -1)
		goto out_rollback;
	if (index_fts_drop_old(ix, err) == -1)
		goto out_rollback;
	if (index_commit(ix) == -1) {
		snprintf(err, ERRMAX, "cannot commit the new full text: %s",
		    db_errmsg(index_db(ix)));
		goto out_rollback;
	}
	rc = 0;
	goto out;
out_rollback:
	rc = -1;
	db_finalize(old);
	db_finalize(ids);
	index_rollback(ix);
out:
	return rc;
}

int
correct_reindex(struct index *ix, const char *datadir,
    const struct profile *profiles, size_t nprofiles, const struct conf *conf,
    struct correct_reindex_stats *stats, int *builtin, char *err)
{
	struct correct_reindex r;
	size_t i;
	int rc;

	memset(&r, 0, sizeof r);
	r.datadir = datadir;
	r.given = profiles;
	r.ngiven = nprofiles;
	correct_load_dir(&r, conf);
	profile_default(&r.builtin);
	register_learn_codes(ix);
	rc = correct_rebuild(ix, correct_reread, &r, stats, err);
	*builtin = r.unknown;
	for (i = 0; i < r.nfound; i++)
		profile_free(&r.found[i]);
	free(r.found);
	profile_free(&r.builtin);
	return rc;
}
