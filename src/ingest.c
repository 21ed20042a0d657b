/*
 * ingest.c: one scan from file to archived, indexed record.
 *
 * The heavy and risky part (decoding, OCR, the PDF) runs in a worker
 * process (worker.c).  What the worker returns is recorded here, in the
 * process that holds the database, in this order: fields are read off the
 * text; the package is reserved (reserve.c, a short transaction); the
 * archive package is written and fsynced with no transaction open, so
 * that other writers of the database do not wait for its disk; then, in
 * one transaction, the record is inserted, the package noted in it, the
 * reservation ended, and the transaction commits.  Killed at any instant,
 * either the whole record exists with its package or no record does; a
 * package written by a program killed before its commit is written again
 * (or cleared) later.
 *
 * A scan whose SHA-256 is already known is recorded as a duplicate of the
 * first copy, with the first copy's fields and package, and is not OCR'd.
 * The SHA-256 is looked up again when the package is reserved, under the
 * database's lock: two programs reading the same bytes at once (two
 * `sohoa ingest`, or one beside sohoad) make one record and one package,
 * and the later one, which waits for the first one's reservation, is its
 * duplicate.
 *
 * The worker's result is JSON, as the worker protocol has it; the record
 * is typed from it once (ingest_new_doc) and goes on as a struct
 * document, to store.c and to the package's metadata.json, written from
 * it by document_to_json.
 *
 * A file's name is bytes: the record holds it as it is when it is UTF-8,
 * else escaped (vntext_escape), so that JSON can carry it whatever its
 * encoding; whatever shows it escapes it.
 *
 * ingest_files() is the batch loop of `sohoa ingest`.
 */
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "sohoa.h"

static const char *
ingest_ext(const char *format)
{
	if (format == NULL)
		return "bin";
	if (strcmp(format, "tiff") == 0)
		return "tif";
	if (strcmp(format, "jpeg") == 0)
		return "jpg";
	return format;
}

char *
ingest_archive_path(const char *sha256)
{
	return xasprintf("archive/%.2s/%.2s/%s.tar", sha256, sha256 + 2, sha256);
}

/*
 * The name a record keeps for a file: as it is when it is UTF-8 (what
 * shows it escapes its controls), else escaped, since JSON and the
 * database's text hold nothing but UTF-8.
 */
static char *
ingest_name(const char *name)
{
	if (vntext_utf8_valid(name, strlen(name)))
		return xstrdup(name);
	return vntext_escape(name, strlen(name));
}

static json_t *
ingest_name_json(const char *name)
{
	char *shown = ingest_name(name);
	json_t *j = json_string(shown);

	free(shown);
	return j;
}

/*
 * The record before it has an id, into *d.  What the worker counted (its
 * pages and confidence: the worker protocol is an edge) and what was read
 * off the text and the codes are typed here, once, by document_from_json;
 * the profile and the scan give the rest.  A worker's result of the wrong
 * shape: -1 and err.
 */
static int
ingest_new_doc(const struct profile *prof, const char *source_name,
    const char *sha256, json_t *result, json_t *fields, json_t *fromcodes,
    struct document *d, char *err)
{
	json_t *o;
	char now[40];
	int rc;

	o = json_copy(fields);
	json_object_set(o, DOC_K_PAGES, json_object_get(result, "pages"));
	json_object_set(o, DOC_K_OCR_CONFIDENCE, json_object_get(result,
	    "ocr_confidence"));
	/* A QR code gives these, the text perhaps valid_until (codes_merge). */
	json_object_set(o, DOC_K_PROCEDURE_CODE, json_object_get(fromcodes,
	    DOC_K_PROCEDURE_CODE));
	json_object_set(o, DOC_K_VALID_UNTIL, json_object_get(fromcodes,
	    DOC_K_VALID_UNTIL));
	rc = document_from_json(o, d, err);
	json_decref(o);
	if (rc == -1)
		return -1;
	if (d->has_ocr_confidence)
		d->ocr_confidence = round(d->ocr_confidence * 10) / 10;
	util_now_iso8601(now);
	d->source_name = ingest_name(source_name);
	document_set_str(&d->sha256, sha256);
	document_set_str(&d->profile, prof->name);
	document_set_str(&d->agency_code, prof->agency_code);
	/* The profile's issuing body wins over the text's. */
	if (prof->agency_name != NULL)
		document_set_str(&d->agency_name, prof->agency_name);
	document_set_str(&d->level, prof->level);
	document_set_str(&d->ingested_at, now);
	return 0;
}

/*
 * Inside the caller's transaction: a record for a second copy of the
 * bytes of document first, sharing its fields and package; then the hook.
 */
static int
ingest_duplicate_tx(struct index *ix, const struct profile *prof,
    const char *source_name, int64_t first, const struct ingest_hook *hook,
    int64_t *id, char *err)
{
	struct document doc;
	char now[40], *name;
	int rc = -1;

	if (store_get_document(ix, first, &doc) == -1) {
		snprintf(err, ERRMAX, "the first copy (#%lld) is gone",
		    (long long)first);
		return -1;
	}
	util_now_iso8601(now);
	name = ingest_name(source_name);
	free(doc.source_name);
	doc.source_name = name;
	document_set_str(&doc.profile, prof->name);
	document_set_str(&doc.ingested_at, now);
	doc.duplicate_of = first;
	if (store_insert(ix, &doc, NULL, err) == -1)
		goto out;
	*id = doc.id;
	if (hook != NULL && hook->before_commit(ix, *id, hook->arg, err) == -1)
		goto out;
	rc = 0;
out:
	document_free(&doc);
	return rc;
}

/* Removes what a writer that died left of a package: the package and its
 * temporary files (package_write's ".NAME.XXXXXX"). */
static void
ingest_remove_package(const char *sha256, void *arg)
{
	const char *datadir = arg;
	char *rel, *abspath, *slash, *p;
	const char *base;
	struct dirent *de;
	size_t len;
	DIR *d;

	if (strlen(sha256) != 64 || strchr(sha256, '/') != NULL)
		return;
	rel = ingest_archive_path(sha256);
	abspath = xasprintf("%s/%s", datadir, rel);
	unlink(abspath);
	base = util_basename(abspath);
	len = strlen(base);
	slash = strrchr(abspath, '/');
	*slash = '\0';		/* abspath is the package's folder now */
	if ((d = opendir(abspath)) != NULL) {
		while ((de = readdir(d)) != NULL)
			if (de->d_name[0] == '.' && strncmp(de->d_name + 1,
			    slash + 1, len) == 0 && de->d_name[len + 1] == '.') {
				p = xasprintf("%s/%s", abspath, de->d_name);
				unlink(p);
				free(p);
			}
		closedir(d);
	}
	free(rel);
	free(abspath);
}

int
ingest_recover(struct index *ix, const char *datadir)
{
	int n = reserve_recover(ix, ingest_remove_package, (void *)datadir);

	if (n > 0)
		log_info("cleared %d package%s a program stopped writing before "
		    "its record", n, n == 1 ? "" : "s");
	return n;
}

/* Writes the package of doc (its id set) to abspath, with doc in
 * metadata.json; *pkgsha gets its SHA-256 for the record. */
static int
ingest_write_package(const char *abspath, const char *sha256,
    const struct document *doc, json_t *result, json_t *fromcodes,
    const char *path, const char *workdir,
    const struct buf *text, const struct buf *lay, int with_layout,
    char pkgsha[65], char *err)
{
	const char *format = json_string_value(json_object_get(result, "format"));
	struct package_item items[6];
	char *metatext, *orig, *pdf, *raw;
	size_t nitems = 4;
	json_t *meta;
	int rc;

	/* metadata.json is an edge: the record as the contract has it, then
	 * what the index does not hold. */
	meta = document_to_json(doc);
	json_object_set(meta, "format", json_object_get(result, "format"));
	json_object_set(meta, "page_info", json_object_get(result, "page_info"));
	if (json_is_array(json_object_get(result, "signatures")))
		json_object_set(meta, "signatures", json_object_get(result,
		    "signatures"));
	json_object_update(meta, fromcodes);
	json_object_set_new(meta, "software", json_string("sohoa "
	    SOHOA_VERSION));
	metatext = json_dumps(meta, JSON_INDENT(2));
	json_decref(meta);
	orig = xasprintf("original.%s", ingest_ext(format));
	pdf = xasprintf("%s/%s", workdir, WORKER_PDF);
	items[0] = (struct package_item){ orig, path, NULL, 0 };
	items[1] = (struct package_item){ "document.pdf", pdf, NULL, 0 };
	items[2] = (struct package_item){ "text.txt", NULL, text->data,
	    text->len };
	items[3] = (struct package_item){ "metadata.json", NULL, metatext,
	    strlen(metatext) };
	/* Kept so that a reindex reads the header fields from their place. */
	if (with_layout)
		items[nitems++] = (struct package_item){ WORKER_LAYOUT, NULL,
		    lay->data, lay->len };
	/* Tesseract's own reading, kept when syllables were read again. */
	raw = xasprintf("%s/%s", workdir, WORKER_RAW_TEXT);
	if (access(raw, F_OK) == 0)
		items[nitems++] = (struct package_item){ WORKER_RAW_TEXT, raw,
		    NULL, 0 };
	rc = package_write(abspath, sha256, items, nitems, pkgsha, err);
	free(raw);
	free(pdf);
	free(orig);
	free(metatext);
	return rc;
}

/* Record id, as stored, into *docp; d, what was inserted, if it cannot
 * be read back (it is then moved, d left empty). */
static void
ingest_stored(struct index *ix, int64_t id, struct document *d,
    struct document *docp)
{
	if (store_get_document(ix, id, docp) == 0)
		return;
	*docp = *d;
	memset(d, 0, sizeof(*d));
}

int
ingest_record(struct index *ix, const char *datadir,
    const struct profile *prof, const char *path, const char *workdir,
    const char *source_name, const char *sha256, json_t *result,
    const struct ingest_hook *hook, struct document *docp, char *err)
{
	struct document doc;
	struct buf text, lay;
	json_t *fields = NULL, *fromcodes = NULL, *layout = NULL;
	json_t *noted = NULL;
	char *rel = NULL, *abspath = NULL, *txt, *layp, pkgsha[65], e2[ERRMAX];
	int64_t id, reserved, first;
	int rc = -1, with_layout;

	memset(docp, 0, sizeof(*docp));
	memset(&doc, 0, sizeof doc);
	txt = xasprintf("%s/%s", workdir, WORKER_TEXT);
	if (util_read_file(txt, 256u << 20, &text, err) == -1) {
		free(txt);
		return -1;
	}
	register_learn_codes(ix);
	/* The pages' layouts, when the worker wrote them; without them (an
	 * older worker) the fields come from the text alone. */
	layp = xasprintf("%s/%s", workdir, WORKER_LAYOUT);
	memset(&lay, 0, sizeof lay);
	if (util_read_file(layp, 256u << 20, &lay, e2) == 0)
		layout = json_loadb(lay.data ? lay.data : "", lay.len, 0, NULL);
	with_layout = json_is_array(layout);
	fields = extract_fields_noted(text.data, layout, source_name, prof,
	    &noted);
	fromcodes = codes_merge(fields, json_object_get(result,
	    "codes"));
	/* Where each value came from: a code's word over the text's. */
	json_object_update_missing(json_object_get(fromcodes, "evidence"),
	    noted);
	json_decref(noted);
	if (ingest_new_doc(prof, source_name, sha256, result, fields,
	    fromcodes, &doc, err) == -1)
		goto out;
	rel = ingest_archive_path(sha256);
	abspath = xasprintf("%s/%s", datadir, rel);
	document_set_str(&doc.archive, rel);

	err[0] = '\0';
	switch (reserve_take(ix, sha256, &reserved, &first, err)) {
	case RESERVE_FAILED:
		goto out;
	case RESERVE_KNOWN:
		/* Recorded by another program since we looked: a copy. */
		if (ingest_duplicate_tx(ix, prof, source_name, first, hook, &id,
		    err) == -1 || index_commit(ix) == -1) {
			if (err[0] == '\0')
				snprintf(err, ERRMAX, "cannot commit the record");
			index_rollback(ix);
			goto out;
		}
		store_get_document(ix, id, docp);
		rc = 0;
		goto out;
	case RESERVE_OURS:
		break;
	}

	/* The package first, with no transaction open. */
	doc.id = reserved;
	if (ingest_write_package(abspath, sha256, &doc, result, fromcodes, path,
	    workdir, &text, &lay, with_layout, pkgsha, err) == -1)
		goto out_drop;
	if (index_begin(ix) == -1) {
		snprintf(err, ERRMAX, "the database is busy or read-only");
		goto out_drop;
	}
	if (!reserve_held(ix, sha256, reserved)) {
		/* Taken over as stale: the package is another's now. */
		snprintf(err, ERRMAX, "another program took over the writing "
		    "of this scan's package");
		index_rollback(ix);
		goto out;
	}
	if (store_insert(ix, &doc, text.data, err) == -1)
		goto out_rollback;
	id = doc.id;
	/* Another program recorded one in between: metadata.json must name
	 * the id the record got. */
	if (id != reserved && ingest_write_package(abspath, sha256, &doc,
	    result, fromcodes, path, workdir, &text, &lay, with_layout, pkgsha,
	    err) == -1)
		goto out_rollback;
	if (store_set_archive(ix, id, rel, pkgsha, err) == -1 ||
	    (hook != NULL && hook->before_commit(ix, id, hook->arg, err) == -1) ||
	    reserve_done(ix, sha256) == -1 || index_commit(ix) == -1) {
		if (err[0] == '\0')
			snprintf(err, ERRMAX, "cannot commit the record");
		goto out_rollback;
	}
	ingest_stored(ix, id, &doc, docp);
	rc = 0;
	goto out;
out_rollback:
	index_rollback(ix);
out_drop:
	/* What was written of the package goes while the reservation still
	 * keeps others from writing it. */
	unlink(abspath);
	reserve_drop(ix, sha256, reserved);
out:
	buf_free(&text);
	buf_free(&lay);
	json_decref(layout);
	free(layp);
	json_decref(fields);
	json_decref(fromcodes);
	document_free(&doc);
	free(rel);
	free(abspath);
	free(txt);
	return rc;
}

int
ingest_record_duplicate(struct index *ix, const struct profile *prof,
    const char *source_name, int64_t first, const struct ingest_hook *hook,
    struct document *docp, char *err)
{
	int64_t id;

	memset(docp, 0, sizeof(*docp));
	if (index_begin(ix) == -1) {
		snprintf(err, ERRMAX, "the database is busy or read-only");
		return -1;
	}
	if (ingest_duplicate_tx(ix, prof, source_name, first, hook, &id,
	    err) == -1 || index_commit(ix) == -1) {
		if (err[0] == '\0')
			snprintf(err, ERRMAX, "cannot commit the record");
		index_rollback(ix);
		return -1;
	}
	store_get_document(ix, id, docp);
	return 0;
}

/* Removes a job's work folder and what the worker left in it. */
void
ingest_cleanup_workdir(const char *dir)
{
	DIR *d;
	struct dirent *de;
	char *p;

	if ((d = opendir(dir)) == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		p = xasprintf("%s/%s", dir, de->d_name);
		unlink(p);
		free(p);
	}
	closedir(d);
	rmdir(dir);
}

/* What a worker needs to read one scan: the file, where to put its
 * output, and how the profile says to read it. */
json_t *
ingest_job(const struct profile *prof, const char *path, const char *workdir,
    int max_pages)
{
	return json_pack("{s:o, s:o, s:s, s:i, s:i, s:o, s:b}", "path",
	    worker_path_json(path), "workdir", worker_path_json(workdir),
	    "languages", prof->languages ? prof->languages :
	    PROFILE_LANGUAGES, "dpi", prof->dpi > 0 ? prof->dpi : PROFILE_DPI,
	    "max_pages", max_pages > 0 ? max_pages : 1000, "preprocess",
	    preprocess_opts_json(&prof->pre), "syllables", prof->syllables);
}

/* ---- the batch loop of `sohoa ingest` ---- */

enum item_state { ITEM_PENDING, ITEM_RUNNING, ITEM_DONE, ITEM_FAILED };

struct ingest_item {
	const char *path;
	char	 sha256[65];
	enum item_state state;
	int	 first;		/* index of the first copy in this batch, or -1 */
	char	*workdir;
};

struct ingest_batch {
	struct index *ix;
	const struct ingest_opts *o;
	struct ingest_item *items;
	int	 n;
	int	 done, failed, duplicates, pages;
	time_t	 started;
	int	 progress_shown;
};

static void
ingest_progress(struct ingest_batch *b)
{
	double mins = difftime(time(NULL), b->started) / 60.0;
	int finished = b->done + b->failed;

	if (!b->o->progress)
		return;
	fprintf(stderr, "\r\033[K[%d/%d] %d%%  %d pages", finished, b->n,
	    b->n ? finished * 100 / b->n : 100, b->pages);
	if (mins > 0.05 && b->pages > 0)
		fprintf(stderr, ", %.1f pages/min", b->pages / mins);
	if (b->failed)
		fprintf(stderr, ", %d failed", b->failed);
	fflush(stderr);
	b->progress_shown = 1;
}

static void
ingest_clear_progress(struct ingest_batch *b)
{
	if (b->progress_shown) {
		fprintf(stderr, "\r\033[K");
		b->progress_shown = 0;
	}
}

/* One line per document; OCR's words and the name shown escaped.  With
 * --json the record as the contract has it (an edge), with the PDF's
 * signatures when it had any: metadata.json keeps them, the index not. */
static void
ingest_report_ok(struct ingest_batch *b, const struct document *doc,
    json_t *signatures)
{
	const char *name = doc->source_name;
	char *stype, *snum, *sname;
	json_t *o;

	ingest_clear_progress(b);
	stype = doc->doc_type ? vntext_escape(doc->doc_type,
	    strlen(doc->doc_type)) : NULL;
	snum = doc->doc_number ? vntext_escape(doc->doc_number,
	    strlen(doc->doc_number)) : NULL;
	sname = vntext_escape(name ? name : "", name ? strlen(name) : 0);
	if (b->o->json) {
		o = document_to_json(doc);
		if (json_is_array(signatures))
			json_object_set(o, "signatures", signatures);
		json_dumpf(o, stdout, JSON_COMPACT);
		fputc('\n', stdout);
		json_decref(o);
	} else if (doc->duplicate_of > 0) {
		printf("#%lld %s: duplicate of #%lld, not read again\n",
		    (long long)doc->id, sname, (long long)doc->duplicate_of);
	} else {
		printf("#%lld %s: %d page%s, confidence %.0f%%%s%s%s%s\n",
		    (long long)doc->id, sname, doc->pages,
		    doc->pages == 1 ? "" : "s",
		    doc->has_ocr_confidence ? doc->ocr_confidence : 0.0,
		    stype ? ", " : "", stype ? stype : "", snum ? " " : "",
		    snum ? snum : "");
	}
	fflush(stdout);
	free(stype);
	free(snum);
	free(sname);
}

static void
ingest_report_fail(struct ingest_batch *b, struct ingest_item *it,
    const char *why)
{
	json_t *o;

	ingest_clear_progress(b);
	it->state = ITEM_FAILED;
	b->failed++;
	log_warnx("%s: %s", it->path, why);
	if (b->o->json) {
		o = json_pack("{s:o, s:s}", DOC_K_SOURCE_NAME,
		    ingest_name_json(util_basename(it->path)), "error", why);
		json_dumpf(o, stdout, JSON_COMPACT);
		fputc('\n', stdout);
		fflush(stdout);
		json_decref(o);
	}
}

static void
ingest_duplicate(struct ingest_batch *b, struct ingest_item *it, int64_t first)
{
	struct document doc;
	char err[ERRMAX] = "";

	if (ingest_record_duplicate(b->ix, b->o->profile,
	    util_basename(it->path), first, NULL, &doc, err) == -1) {
		ingest_report_fail(b, it, err);
		return;
	}
	it->state = ITEM_DONE;
	b->done++;
	b->duplicates++;
	ingest_report_ok(b, &doc, NULL);
	document_free(&doc);
}

static int
ingest_submit(struct ingest_batch *b, struct pool *pool, struct ingest_item *it,
    int seq)
{
	char err[ERRMAX];
	json_t *job;
	int rc;

	it->workdir = xasprintf("%s/tmp/job-%ld-%d", b->o->datadir,
	    (long)getpid(), seq);
	if (util_mkdirs(it->workdir, 0700) == -1) {
		snprintf(err, ERRMAX, "cannot create the work folder %s: %s",
		    it->workdir, strerror(errno));
		ingest_report_fail(b, it, err);
		return 0;
	}
	job = ingest_job(b->o->profile, it->path, it->workdir, b->o->max_pages);
	rc = pool_submit(pool, job, it);
	json_decref(job);
	if (rc == 0)
		it->state = ITEM_RUNNING;
	return rc;
}

static void
ingest_finish(struct ingest_batch *b, struct ingest_item *it, json_t *res)
{
	struct document doc;
	char err[ERRMAX] = "";
	int i;

	if (!json_is_true(json_object_get(res, "ok"))) {
		const char *why = json_string_value(json_object_get(res,
		    "reason"));

		ingest_report_fail(b, it, why ? why : "the scan could not be read");
	} else if (ingest_record(b->ix, b->o->datadir, b->o->profile, it->path,
	    it->workdir, util_basename(it->path), it->sha256, res, NULL, &doc,
	    err) == -1) {
		ingest_report_fail(b, it, err);
	} else {
		it->state = ITEM_DONE;
		b->done++;
		if (doc.duplicate_of > 0) {
			b->duplicates++;
			ingest_report_ok(b, &doc, NULL);
		} else {
			b->pages += doc.pages;
			ingest_report_ok(b, &doc, json_object_get(res,
			    "signatures"));
		}
		document_free(&doc);
	}
	ingest_cleanup_workdir(it->workdir);
	/* Later copies of the same bytes in this batch follow the first. */
	for (i = 0; i < b->n; i++) {
		struct ingest_item *d = &b->items[i];

		if (d->first != it - b->items || d->state != ITEM_PENDING)
			continue;
		if (it->state == ITEM_DONE)
			ingest_duplicate(b, d, store_find_sha256(b->ix,
			    it->sha256));
		else {
			snprintf(err, ERRMAX, "same bytes as %s, which could "
			    "not be read", it->path);
			ingest_report_fail(b, d, err);
		}
	}
	ingest_progress(b);
}

int
ingest_files(struct index *ix, const struct ingest_opts *o, char **files,
    int nfiles)
{
	struct ingest_batch b;
	struct pool_opts po;
	struct pool *pool = NULL;
	char err[ERRMAX];
	int i, j, next = 0, seq = 0;

	memset(&b, 0, sizeof b);
	b.ix = ix;
	b.o = o;
	b.n = nfiles;
	b.items = xcalloc((size_t)nfiles, sizeof *b.items);
	b.started = time(NULL);

	/* Hash everything first: duplicates are never sent to a worker. */
	for (i = 0; i < nfiles; i++) {
		struct ingest_item *it = &b.items[i];
		int64_t known;

		it->path = files[i];
		it->first = -1;
		if (util_sha256_file(it->path, it->sha256, err) == -1) {
			snprintf(err, ERRMAX, "cannot read the file: %s",
			    strerror(errno));
			ingest_report_fail(&b, it, err);
			continue;
		}
		if ((known = store_find_sha256(ix, it->sha256)) != 0) {
			ingest_duplicate(&b, it, known);
			continue;
		}
		for (j = 0; j < i; j++)
			if (b.items[j].state != ITEM_FAILED &&
			    b.items[j].first == -1 &&
			    strcmp(b.items[j].sha256, it->sha256) == 0) {
				it->first = j;
				break;
			}
	}

	memset(&po, 0, sizeof po);
	po.workers = o->jobs;
	po.argv = o->worker_argv;
	po.time_limit = o->time_limit;
	po.memory_mb = o->memory_mb;
	for (i = 0; i < nfiles; i++)
		if (b.items[i].state == ITEM_PENDING && b.items[i].first == -1)
			break;
	if (i < nfiles && (pool = pool_start(&po, err)) == NULL) {
		log_warnx("%s", err);
		for (; i < nfiles; i++)
			if (b.items[i].state == ITEM_PENDING)
				ingest_report_fail(&b, &b.items[i], err);
	}
	ingest_progress(&b);
	while (pool != NULL) {
		json_t *res;
		void *tag;

		while (next < nfiles && pool_idle(pool) > 0) {
			struct ingest_item *it = &b.items[next++];

			if (it->state == ITEM_PENDING && it->first == -1)
				ingest_submit(&b, pool, it, seq++);
		}
		if (pool_busy(pool) == 0 && next >= nfiles)
			break;
		if (pool_wait(pool, 1000, &res, &tag) == 1) {
			ingest_finish(&b, tag, res);
			json_decref(res);
		} else
			ingest_progress(&b);
	}
	pool_stop(pool);
	ingest_clear_progress(&b);
	if (o->progress || nfiles > 1) {
		double secs = difftime(time(NULL), b.started);

		fprintf(stderr, "%d recorded (%d duplicate%s), %d failed, %d "
		    "page%s in %.0f s", b.done, b.duplicates,
		    b.duplicates == 1 ? "" : "s", b.failed, b.pages,
		    b.pages == 1 ? "" : "s", secs);
		if (secs >= 1 && b.pages > 0)
			fprintf(stderr, " (%.1f pages/min)", b.pages * 60.0 / secs);
		fputc('\n', stderr);
	}
	for (i = 0; i < nfiles; i++) {
		if (b.items[i].state == ITEM_PENDING)
			ingest_report_fail(&b, &b.items[i], "the scan was not "
			    "processed because the batch stopped");
		free(b.items[i].workdir);
	}
	free(b.items);
	return b.failed;
}
