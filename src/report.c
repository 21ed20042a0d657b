/*
 * report.c: what auditors check: the share of still-valid results that
 * are digitized, per level and per office, against the targets of
 * sohoa.conf (70 % city, 60 % district, 50 % commune by default).
 *
 * A result is still valid on the as-of date when it was issued on or
 * before that date, is not revoked, and has no end of validity or one on
 * or after it.  What was issued comes from the register (register.c),
 * what is digitized from its match to the archive; with no register the
 * report can only count archived documents, and says so.
 *
 * report_build runs a few grouped queries and makes the report as one
 * JSON object (the `--format json` output); report_write renders that
 * same object as a terminal table, CSV for Excel (UTF-8 BOM, CRLF,
 * quoted text), JSON, or one printable HTML page with an inline SVG bar
 * per level and office against its target.  Every format shows the same
 * figures because each is drawn from the same object.
 *
 * "Needed" (documents still to scan to reach the target) is computed in
 * millionths with integers: 0.7 x 10 is 7 and never 7.000000000000001,
 * which ceil() would make 8.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <csv.h>
#include <sqlite3.h>

#include "sohoa.h"

#define REPORT_MILLION	1000000
#define REPORT_MAX	((size_t)1 << 30)	/* bytes of a rendered report */

#define REPORT_MET_COLOUR	"#2e7d32"
#define REPORT_UNMET_COLOUR	"#c62828"
#define REPORT_TARGET_COLOUR	"#1a237e"

/* Still valid on ?1, issued from ?2 to ?3 (?3 never after ?1). */
#define REPORT_VALID "status = 'valid' AND issued_on >= ?2 AND " \
	"issued_on <= ?3 AND (valid_until IS NULL OR valid_until >= ?1)"
#define REPORT_FILTER "(?4 IS NULL OR level = ?4) AND " \
	"(?5 IS NULL OR agency_code = ?5)"

static const char report_offices_sql[] =
	"SELECT level, agency_code, max(agency_name), "
	"sum(" REPORT_VALID "), "
	"sum(" REPORT_VALID " AND doc_id IS NOT NULL) "
	"FROM register_entries WHERE " REPORT_FILTER " "
	"GROUP BY level, agency_code";

/* Without a register: archived documents, one per result as far as the
 * scans tell (the number and date, which a result always carries, else the
 * dossier code). */
static const char report_documents_sql[] =
	"SELECT d.level, d.agency_code, max(d.agency_name), NULL, "
	"count(DISTINCT coalesce('n:' || r.number_key || '|' || r.issued_on, "
	"'d:' || r.dossier_key, 'i:' || r.doc_id)) "
	"FROM register_docs r JOIN documents d ON d.id = r.doc_id "
	"WHERE (r.issued_on IS NULL OR (r.issued_on >= ?2 AND "
	"r.issued_on <= ?3)) AND "
	"(?4 IS NULL OR d.level = ?4) AND (?5 IS NULL OR d.agency_code = ?5) "
	"GROUP BY d.level, d.agency_code";

static const char report_missing_sql[] =
	"SELECT level, agency_code, dossier_code, doc_number, procedure_code, "
	"issued_on, valid_until FROM register_entries "
	"WHERE doc_id IS NULL AND " REPORT_VALID " AND " REPORT_FILTER " "
	"ORDER BY level, agency_code, issued_on, doc_number, dossier_code, id";

static const char *report_s(json_t *, const char *);

struct report_office {
	char	*level;			/* NULL: a document with no level */
	char	*code;
	char	*name;
	size_t	 rank;			/* the level's place in the targets */
	int64_t	 valid;			/* -1: no register */
	int64_t	 digitized;
};

/* A rendering in progress: the buffer and whether it overflowed. */
struct report_out {
	struct buf *b;
	int	 full;
};

int
report_format(const char *name, enum report_format *f)
{
	static const char *const names[] = { "table", "csv", "json", "html" };
	size_t i;

	for (i = 0; i < sizeof names / sizeof names[0]; i++)
		if (strcmp(name, names[i]) == 0) {
			*f = (enum report_format)i;
			return 0;
		}
	return -1;
}

int64_t
report_needed(double target, int64_t valid, int64_t digitized)
{
	int64_t t = llround(target * REPORT_MILLION), need;

	need = (t * valid + REPORT_MILLION - 1) / REPORT_MILLION - digitized;
	return need > 0 ? need : 0;
}

/* The level's place among the targets; unconfigured levels come last. */
static size_t
report_rank(const struct conf *conf, const char *level)
{
	size_t i;

	for (i = 0; level != NULL && i < conf->ntargets; i++)
		if (strcmp(conf->targets[i].level, level) == 0)
			return i;
	return conf->ntargets;
}

static int
report_office_cmp(const void *a, const void *b)
{
	const struct report_office *x = a, *y = b;
	int c;

	if (x->rank != y->rank)
		return x->rank < y->rank ? -1 : 1;
	if ((c = strcmp(x->level ? x->level : "", y->level ? y->level : "")))
		return c;
	return strcmp(x->code ? x->code : "", y->code ? y->code : "");
}

static char *
report_col(sqlite3_stmt *st, int col)
{
	const unsigned char *s = sqlite3_column_text(st, col);

	return s ? xstrdup((const char *)s) : NULL;
}

static json_t *
report_jstr(const char *s)
{
	return s ? json_string(s) : json_null();
}

/* The figures of one level or office, set on o. */
static void
report_figures(json_t *o, double target, int64_t valid, int64_t digitized)
{
	int64_t t = llround(target * REPORT_MILLION);
	int have_target = target >= 0, have_register = valid >= 0;

	json_object_set_new(o, "valid_issued", have_register ?
	    json_integer(valid) : json_null());
	json_object_set_new(o, "digitized", json_integer(digitized));
	json_object_set_new(o, "rate", valid > 0 ?
	    json_real((double)digitized / (double)valid) : json_null());
	json_object_set_new(o, "target", have_target ? json_real(target) :
	    json_null());
	json_object_set_new(o, "met", have_target && valid > 0 ?
	    json_boolean(digitized * REPORT_MILLION >= t * valid) :
	    json_null());
	json_object_set_new(o, "needed", have_target && have_register ?
	    json_integer(report_needed(target, valid, digitized)) :
	    json_null());
}

static void
report_today(char out[11])
{
	struct tm tm;
	time_t now = time(NULL);

	localtime_r(&now, &tm);
	strftime(out, 11, "%Y-%m-%d", &tm);
}

/* Binds the dates and filters every query of the report takes. */
static void
report_bind(sqlite3_stmt *st, const char *as_of, const char *lo,
    const char *hi, const struct report_opts *ro)
{
	sqlite3_bind_text(st, 1, as_of, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, lo, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, hi, -1, SQLITE_STATIC);
	if (ro->level != NULL)
		sqlite3_bind_text(st, 4, ro->level, -1, SQLITE_STATIC);
	if (ro->agency != NULL)
		sqlite3_bind_text(st, 5, ro->agency, -1, SQLITE_STATIC);
}

/* Reads the offices' counts; returns how many, or -1. */
static int
report_offices(sqlite3 *db, const struct conf *conf, int have_register,
    const char *as_of, const char *lo, const char *hi,
    const struct report_opts *ro, struct report_office **out, size_t *n,
    char *err)
{
	sqlite3_stmt *st;
	struct report_office *o;
	size_t cap = 0;
	int rc;

	*out = NULL;
	*n = 0;
	if (sqlite3_prepare_v2(db, have_register ? report_offices_sql :
	    report_documents_sql, -1, &st, NULL) != SQLITE_OK) {
		snprintf(err, ERRMAX, "cannot compute the report: %s",
		    sqlite3_errmsg(db));
		return -1;
	}
	report_bind(st, as_of, lo, hi, ro);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (*n == cap) {
			cap = cap ? cap * 2 : 64;
			*out = xrealloc(*out, cap * sizeof **out);
		}
		o = &(*out)[(*n)++];
		o->level = report_col(st, 0);
		o->code = report_col(st, 1);
		o->name = report_col(st, 2);
		o->rank = report_rank(conf, o->level);
		o->valid = have_register ? sqlite3_column_int64(st, 3) : -1;
		o->digitized = sqlite3_column_int64(st, 4);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		snprintf(err, ERRMAX, "cannot compute the report: %s",
		    sqlite3_errmsg(db));
		return -1;
	}
	qsort(*out, *n, sizeof **out, report_office_cmp);
	return 0;
}

static void
report_offices_free(struct report_office *o, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(o[i].level);
		free(o[i].code);
		free(o[i].name);
	}
	free(o);
}

static int
report_same_level(const struct report_office *a, const struct report_office *b)
{
	return strcmp(a->level ? a->level : "", b->level ? b->level : "") == 0;
}

/* The per-level figures: every configured level (or the one asked for),
 * then the levels of the register or the archive that have no target. */
static json_t *
report_levels(const struct conf *conf, const struct report_opts *ro,
    const struct report_office *o, size_t n, int have_register)
{
	json_t *levels = json_array(), *l;
	int64_t valid, digitized;
	size_t i, j, k;

	for (i = 0; i < conf->ntargets; i++) {
		if (ro->level != NULL && strcmp(conf->targets[i].level,
		    ro->level) != 0)
			continue;
		valid = digitized = 0;
		for (j = 0; j < n; j++)
			if (o[j].rank == i) {
				valid += o[j].valid;
				digitized += o[j].digitized;
			}
		l = json_pack("{s:s}", "level", conf->targets[i].level);
		report_figures(l, conf->targets[i].target,
		    have_register ? valid : -1, digitized);
		json_array_append_new(levels, l);
	}
	/* The offices are sorted by level: those without a target are last. */
	for (j = 0; j < n; j = k) {
		valid = digitized = 0;
		for (k = j; k < n && report_same_level(&o[j], &o[k]); k++) {
			valid += o[k].valid;
			digitized += o[k].digitized;
		}
		if (o[j].rank < conf->ntargets)
			continue;
		l = json_pack("{s:o}", "level", report_jstr(o[j].level));
		report_figures(l, -1, have_register ? valid : -1, digitized);
		json_array_append_new(levels, l);
	}
	return levels;
}

/* Adds to each office its still-valid results not yet digitized. */
static int
report_missing(sqlite3 *db, json_t *offices, const char *as_of,
    const char *lo, const char *hi, const struct report_opts *ro, char *err)
{
	json_t *byoffice = json_object(), *o, *e;
	sqlite3_stmt *st;
	size_t i;
	char *key;
	int rc;

	json_array_foreach(offices, i, o) {
		key = xasprintf("%s\x1f%s", report_s(o, "level"),
		    report_s(o, "agency_code"));
		json_object_set_new(o, "missing", json_array());
		json_object_set(byoffice, key, o);
		free(key);
	}
	if (sqlite3_prepare_v2(db, report_missing_sql, -1, &st, NULL) !=
	    SQLITE_OK) {
		snprintf(err, ERRMAX, "cannot list what is missing: %s",
		    sqlite3_errmsg(db));
		json_decref(byoffice);
		return -1;
	}
	report_bind(st, as_of, lo, hi, ro);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		key = xasprintf("%s\x1f%s", (const char *)
		    sqlite3_column_text(st, 0), (const char *)
		    sqlite3_column_text(st, 1));
		o = json_object_get(byoffice, key);
		free(key);
		if (o == NULL)
			continue;
		e = json_object();
		json_object_set_new(e, "dossier_code",
		    report_jstr((const char *)sqlite3_column_text(st, 2)));
		json_object_set_new(e, "doc_number",
		    report_jstr((const char *)sqlite3_column_text(st, 3)));
		json_object_set_new(e, "procedure_code",
		    report_jstr((const char *)sqlite3_column_text(st, 4)));
		json_object_set_new(e, "issued_on",
		    report_jstr((const char *)sqlite3_column_text(st, 5)));
		json_object_set_new(e, "valid_until",
		    report_jstr((const char *)sqlite3_column_text(st, 6)));
		json_array_append_new(json_object_get(o, "missing"), e);
	}
	sqlite3_finalize(st);
	json_decref(byoffice);
	if (rc != SQLITE_DONE) {
		snprintf(err, ERRMAX, "cannot list what is missing: %s",
		    sqlite3_errmsg(db));
		return -1;
	}
	return 0;
}

json_t *
report_build(struct index *ix, const struct conf *conf,
    const struct report_opts *ro, char *err)
{
	sqlite3 *db = db_raw(index_db(ix));
	struct report_office *o = NULL;
	json_t *r = NULL, *offices, *j;
	char as_of[11], from[11], to[11];
	const char *lo, *hi;
	size_t n = 0, i;
	long nreg;

	if (date_arg("--as-of", ro->as_of, as_of, err) == -1 ||
	    date_arg("--from", ro->from, from, err) == -1 ||
	    date_arg("--to", ro->to, to, err) == -1)
		return NULL;
	if (as_of[0] == '\0')
		report_today(as_of);
	if (from[0] != '\0' && to[0] != '\0' && strcmp(from, to) > 0) {
		snprintf(err, ERRMAX, "--from %s is after --to %s", from, to);
		return NULL;
	}
	if (ro->level != NULL && conf_target(conf, ro->level) < 0) {
		struct buf levels;

		buf_init(&levels, ERRMAX);
		for (i = 0; i < conf->ntargets; i++)
			buf_printf(&levels, "%s%s", i ? ", " : "",
			    conf->targets[i].level);
		snprintf(err, ERRMAX, "there is no level '%s' among the "
		    "targets (%s)", ro->level, levels.data ? levels.data :
		    "none");
		buf_free(&levels);
		return NULL;
	}
	lo = from[0] ? from : "0000-00-00";
	hi = to[0] && strcmp(to, as_of) < 0 ? to : as_of;
	if (register_refresh(ix, err) == -1)
		return NULL;
	if ((nreg = register_count(ix)) < 0) {
		snprintf(err, ERRMAX, "cannot read the register: %s",
		    sqlite3_errmsg(db));
		return NULL;
	}
	if (report_offices(db, conf, nreg > 0, as_of, lo, hi, ro, &o, &n,
	    err) == -1)
		goto out;

	r = json_object();
	json_object_set_new(r, "as_of", json_string(as_of));
	json_object_set_new(r, "from", report_jstr(from[0] ? from : NULL));
	json_object_set_new(r, "to", report_jstr(to[0] ? to : NULL));
	json_object_set_new(r, "level_filter", report_jstr(ro->level));
	json_object_set_new(r, "agency_filter", report_jstr(ro->agency));
	json_object_set_new(r, "register_entries", json_integer(nreg));
	json_object_set_new(r, "note", nreg > 0 ? json_null() :
	    json_string("No register has been imported: these are archived "
	    "documents only.  Rates need the register of results issued "
	    "(sohoa register import FILE.csv)."));
	json_object_set_new(r, "levels", report_levels(conf, ro, o, n,
	    nreg > 0));
	offices = json_array();
	for (i = 0; i < n; i++) {
		j = json_object();
		json_object_set_new(j, "agency_code", report_jstr(o[i].code));
		json_object_set_new(j, "agency_name", report_jstr(o[i].name));
		json_object_set_new(j, "level", report_jstr(o[i].level));
		report_figures(j, o[i].rank < conf->ntargets ?
		    conf->targets[o[i].rank].target : -1, o[i].valid,
		    o[i].digitized);
		json_array_append_new(offices, j);
	}
	json_object_set_new(r, "offices", offices);
	json_object_set_new(r, "missing_listed", json_boolean(ro->missing &&
	    nreg > 0));
	if (ro->missing && nreg > 0 && report_missing(db, offices, as_of, lo,
	    hi, ro, err) == -1) {
		json_decref(r);
		r = NULL;
	}
out:
	report_offices_free(o, n);
	return r;
}

/* ---- rendering ---- */

static void PRINTFLIKE(2, 3)
report_put(struct report_out *out, const char *fmt, ...)
{
	va_list ap;
	char *s;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (n == -1)
		fatalx("out of memory");
	if (buf_append(out->b, s, (size_t)n) == -1)
		out->full = 1;
	free(s);
}

static void
report_puts(struct report_out *out, const char *s)
{
	if (buf_append(out->b, s, strlen(s)) == -1)
		out->full = 1;
}

static const char *
report_s(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s ? s : "-";
}

static int64_t
report_i(json_t *o, const char *key)
{
	return json_integer_value(json_object_get(o, key));
}

/* "66.7%" for a fraction, "-" for null. */
static const char *
report_pct(json_t *v, char buf[24])
{
	if (!json_is_number(v))
		return "-";
	snprintf(buf, 24, "%.1f%%", json_number_value(v) * 100);
	return buf;
}

/* "70%" or "65.5%" for a target. */
static const char *
report_target_pct(json_t *v, char buf[24])
{
	if (!json_is_number(v))
		return "-";
	snprintf(buf, 24, "%g%%", round(json_number_value(v) * 1000) / 10);
	return buf;
}

static const char *
report_met(json_t *v)
{
	return json_is_true(v) ? "yes" : json_is_false(v) ? "no" : "-";
}

static const char *
report_num(json_t *v, char buf[24])
{
	if (!json_is_integer(v))
		return "-";
	snprintf(buf, 24, "%lld", (long long)json_integer_value(v));
	return buf;
}

/* Characters (not bytes) in UTF-8 text, for aligning columns. */
static size_t
report_width(const char *s)
{
	size_t n = 0;

	for (; *s != '\0'; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			n++;
	return n;
}

/*
 * Register cells and names read by OCR are text from outside: in the
 * table (and in HTML) they are shown escaped (vntext_escape), so that a
 * newline or an escape sequence in one cannot add a line or move the
 * cursor, nor a bidirectional control reorder what an auditor reads.
 */
static void
report_text(struct report_out *out, const char *s)
{
	char *e = vntext_escape(s, strlen(s));

	report_puts(out, e);
	free(e);
}

/* Characters of s once escaped. */
static size_t
report_shown_width(const char *s)
{
	char *e = vntext_escape(s, strlen(s));
	size_t w = report_width(e);

	free(e);
	return w;
}

static void
report_cell(struct report_out *out, const char *s, size_t width, int right)
{
	size_t w = report_shown_width(s);

	if (right)
		for (; w < width; w++)
			report_puts(out, " ");
	report_text(out, s);
	if (!right)
		for (; w < width; w++)
			report_puts(out, " ");
}

static size_t
report_col_width(json_t *rows, const char *key, size_t min)
{
	json_t *o;
	size_t i, w;

	json_array_foreach(rows, i, o)
		if ((w = report_shown_width(report_s(o, key))) > min)
			min = w;
	return min;
}

static void
report_table_figures(struct report_out *out, json_t *o, int have_register)
{
	char b1[24], b2[24], b3[24], b4[24], b5[24];

	if (!have_register) {
		report_put(out, "  %9s", report_num(json_object_get(o,
		    "digitized"), b1));
		return;
	}
	report_put(out, "  %7s  %9s  %6s  %6s  %3s  %6s",
	    report_num(json_object_get(o, "valid_issued"), b1),
	    report_num(json_object_get(o, "digitized"), b2),
	    report_pct(json_object_get(o, "rate"), b3),
	    report_target_pct(json_object_get(o, "target"), b4),
	    report_met(json_object_get(o, "met")),
	    report_num(json_object_get(o, "needed"), b5));
}

static void
report_table_head(struct report_out *out, int have_register)
{
	if (have_register)
		report_put(out, "  %7s  %9s  %6s  %6s  %3s  %6s", "valid",
		    "digitized", "rate", "target", "met", "needed");
	else
		report_put(out, "  %9s", "digitized");
}

static void
report_table(struct report_out *out, json_t *r)
{
	json_t *levels = json_object_get(r, "levels");
	json_t *offices = json_object_get(r, "offices"), *o, *e;
	int have_register = report_i(r, "register_entries") > 0;
	size_t i, k, lw, cw;

	report_put(out, "Digitization of still-valid results as of %s\n",
	    report_s(r, "as_of"));
	if (json_is_string(json_object_get(r, "from")) ||
	    json_is_string(json_object_get(r, "to")))
		report_put(out, "Issued from %s to %s.\n", report_s(r, "from"),
		    report_s(r, "to"));
	if (have_register)
		report_put(out, "Register: %lld entries.\n",
		    (long long)report_i(r, "register_entries"));
	else
		report_put(out, "%s\n", report_s(r, "note"));
	lw = report_col_width(levels, "level", 5);
	lw = report_col_width(offices, "level", lw);
	report_puts(out, "\n");
	report_cell(out, "level", lw, 0);
	report_table_head(out, have_register);
	report_puts(out, "\n");
	json_array_foreach(levels, i, o) {
		report_cell(out, report_s(o, "level"), lw, 0);
		report_table_figures(out, o, have_register);
		report_puts(out, "\n");
	}
	cw = report_col_width(offices, "agency_code", 6);
	report_puts(out, "\n");
	report_cell(out, "office", cw, 0);
	report_puts(out, "  ");
	report_cell(out, "level", lw, 0);
	report_table_head(out, have_register);
	report_puts(out, "  name\n");
	json_array_foreach(offices, i, o) {
		report_cell(out, report_s(o, "agency_code"), cw, 0);
		report_puts(out, "  ");
		report_cell(out, report_s(o, "level"), lw, 0);
		report_table_figures(out, o, have_register);
		report_puts(out, "  ");
		report_text(out, report_s(o, "agency_name"));
		report_puts(out, "\n");
	}
	if (json_array_size(offices) == 0)
		report_puts(out, "(no office)\n");
	if (!json_is_true(json_object_get(r, "missing_listed")))
		return;
	report_puts(out, "\nStill valid, not yet digitized, oldest first:\n");
	json_array_foreach(offices, i, o) {
		json_t *missing = json_object_get(o, "missing");

		if (json_array_size(missing) == 0)
			continue;
		report_puts(out, "\n");
		report_text(out, report_s(o, "agency_code"));
		report_puts(out, "  ");
		report_text(out, report_s(o, "agency_name"));
		report_puts(out, " (");
		report_text(out, report_s(o, "level"));
		report_put(out, "): %zu\n", json_array_size(missing));
		report_puts(out, "  issued      number                "
		    "dossier code                 procedure                 "
		    "valid until\n");
		json_array_foreach(missing, k, e) {
			report_puts(out, "  ");
			report_text(out, report_s(e, "issued_on"));
			report_puts(out, "  ");
			report_cell(out, report_s(e, "doc_number"), 20, 0);
			report_puts(out, "  ");
			report_cell(out, report_s(e, "dossier_code"), 27, 0);
			report_puts(out, "  ");
			report_cell(out, report_s(e, "procedure_code"), 24, 0);
			report_puts(out, "  ");
			report_text(out, report_s(e, "valid_until"));
			report_puts(out, "\n");
		}
	}
}

/* One CSV text field, quoted by libcsv; nothing for null. */
static void
report_csv_text(struct report_out *out, json_t *v, int last)
{
	const char *s = json_string_value(v);
	size_t len, need;
	char *q;

	if (s != NULL) {
		len = strlen(s);
		need = csv_write(NULL, 0, s, len);
		q = xmalloc(need);
		csv_write(q, need, s, len);
		if (buf_append(out->b, q, need) == -1)
			out->full = 1;
		free(q);
	}
	report_puts(out, last ? "\r\n" : ",");
}

static void
report_csv_raw(struct report_out *out, const char *s, int last)
{
	report_puts(out, s);
	report_puts(out, last ? "\r\n" : ",");
}

/* A number as CSV holds it: decimals for a fraction, or -1 for %g. */
static const char *
report_csv_num(json_t *v, char buf[32], int decimals)
{
	if (json_is_integer(v))
		snprintf(buf, 32, "%lld", (long long)json_integer_value(v));
	else if (json_is_real(v) && decimals >= 0)
		snprintf(buf, 32, "%.*f", decimals, json_real_value(v));
	else if (json_is_real(v))
		snprintf(buf, 32, "%g", json_real_value(v));
	else if (json_is_boolean(v))
		snprintf(buf, 32, "%s", json_is_true(v) ? "yes" : "no");
	else
		buf[0] = '\0';
	return buf;
}

static void
report_csv_figures(struct report_out *out, json_t *asof, const char *kind,
    json_t *o)
{
	char b[32];

	report_csv_text(out, asof, 0);
	report_csv_raw(out, kind, 0);
	report_csv_text(out, json_object_get(o, "level"), 0);
	report_csv_text(out, json_object_get(o, "agency_code"), 0);
	report_csv_text(out, json_object_get(o, "agency_name"), 0);
	report_csv_raw(out, report_csv_num(json_object_get(o, "valid_issued"),
	    b, -1), 0);
	report_csv_raw(out, report_csv_num(json_object_get(o, "digitized"), b,
	    -1), 0);
	report_csv_raw(out, report_csv_num(json_object_get(o, "rate"), b,
	    4), 0);
	report_csv_raw(out, report_csv_num(json_object_get(o, "target"), b,
	    -1), 0);
	report_csv_raw(out, report_csv_num(json_object_get(o, "met"), b,
	    -1), 0);
	report_csv_raw(out, report_csv_num(json_object_get(o, "needed"), b,
	    -1), 1);
}

/*
 * CSV as Excel opens it with Vietnamese intact: a UTF-8 BOM, CRLF, every
 * text field quoted.  One table: the figures (a row per level, then per
 * office), or with --missing the results still to scan.
 */
static void
report_csv_missing(struct report_out *out, json_t *asof, json_t *office)
{
	static const char *const okeys[] = { "level", "agency_code",
	    "agency_name", NULL };
	static const char *const ekeys[] = { "issued_on", "doc_number",
	    "dossier_code", "procedure_code", "valid_until", NULL };
	json_t *e;
	size_t i, k;

	json_array_foreach(json_object_get(office, "missing"), i, e) {
		report_csv_text(out, asof, 0);
		for (k = 0; okeys[k] != NULL; k++)
			report_csv_text(out, json_object_get(office, okeys[k]),
			    0);
		for (k = 0; ekeys[k] != NULL; k++)
			report_csv_text(out, json_object_get(e, ekeys[k]),
			    ekeys[k + 1] == NULL);
	}
}

static void
report_csv(struct report_out *out, json_t *r)
{
	json_t *asof = json_object_get(r, "as_of"), *o;
	size_t i;

	report_puts(out, "\xef\xbb\xbf");
	if (json_is_true(json_object_get(r, "missing_listed"))) {
		report_puts(out, "as_of,level,agency_code,agency_name,"
		    "issued_on,doc_number,dossier_code,procedure_code,"
		    "valid_until\r\n");
		json_array_foreach(json_object_get(r, "offices"), i, o)
			report_csv_missing(out, asof, o);
		return;
	}
	report_puts(out, "as_of,kind,level,agency_code,agency_name,"
	    "valid_issued,digitized,rate,target,met,needed\r\n");
	json_array_foreach(json_object_get(r, "levels"), i, o)
		report_csv_figures(out, asof, "level", o);
	json_array_foreach(json_object_get(r, "offices"), i, o)
		report_csv_figures(out, asof, "office", o);
}

/* Text escaped for HTML, element content and attribute values alike;
 * controls escaped first, as in the table (a bidirectional control would
 * reorder the page's text as well as a terminal's). */
static void
report_esc(struct report_out *out, const char *text)
{
	char *shown = vntext_escape(text, strlen(text));
	const char *s = shown, *start = s;

	for (; *s != '\0'; s++) {
		const char *ent = NULL;

		switch (*s) {
		case '&': ent = "&amp;"; break;
		case '<': ent = "&lt;"; break;
		case '>': ent = "&gt;"; break;
		case '"': ent = "&quot;"; break;
		case '\'': ent = "&#39;"; break;
		}
		if (ent == NULL)
			continue;
		if (buf_append(out->b, start, (size_t)(s - start)) == -1)
			out->full = 1;
		report_puts(out, ent);
		start = s + 1;
	}
	report_puts(out, start);
	free(shown);
}

/* At most max characters of s, with "…" when cut.  Caller frees. */
static char *
report_shorten(const char *s, size_t max)
{
	const char *p = s;
	size_t n = 0;

	if (report_width(s) <= max)
		return xstrdup(s);
	for (; *p != '\0'; p++)
		if (((unsigned char)*p & 0xc0) != 0x80 && ++n == max)
			break;
	return xasprintf("%.*s…", (int)(p - s), s);
}

/* One bar per row, the target as a vertical line across it. */
static void
report_svg(struct report_out *out, json_t *rows, int offices)
{
	const int label = 330, width = 440, rowh = 30, barh = 18, top = 8;
	int h = top + (int)json_array_size(rows) * rowh + 22, y, x;
	char b1[24], b2[24];
	json_t *o, *rate, *target;
	size_t i;
	int t;

	report_put(out, "<svg xmlns=\"http://www.w3.org/2000/svg\" "
	    "class=\"chart\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" "
	    "role=\"img\" font-size=\"13\">\n", label + width + 190, h,
	    label + width + 190, h);
	for (t = 0; t <= 100; t += 25) {
		x = label + width * t / 100;
		report_put(out, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" "
		    "stroke=\"#cfd8dc\"/><text x=\"%d\" y=\"%d\" "
		    "text-anchor=\"middle\" fill=\"#546e7a\">%d %%</text>\n", x,
		    top - 4, x, h - 18, x, h - 4, t);
	}
	json_array_foreach(rows, i, o) {
		char *name;

		y = top + (int)i * rowh;
		rate = json_object_get(o, "rate");
		target = json_object_get(o, "target");
		if (!offices)
			name = report_shorten(report_s(o, "level"), 44);
		else if (json_is_string(json_object_get(o, "agency_name")))
			name = report_shorten(report_s(o, "agency_name"), 44);
		else
			name = report_shorten(report_s(o, "agency_code"), 44);
		report_put(out, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">",
		    label - 8, y + barh - 4);
		report_esc(out, name);
		report_puts(out, "</text>\n");
		free(name);
		report_put(out, "<rect x=\"%d\" y=\"%d\" width=\"%d\" "
		    "height=\"%d\" fill=\"#eceff1\"/>\n", label, y, width,
		    barh);
		if (json_is_number(rate))
			report_put(out, "<rect class=\"bar\" x=\"%d\" "
			    "y=\"%d\" width=\"%ld\" height=\"%d\" "
			    "fill=\"%s\"/>\n", label, y,
			    lround(json_number_value(rate) * width), barh,
			    json_is_true(json_object_get(o, "met")) ?
			    REPORT_MET_COLOUR : REPORT_UNMET_COLOUR);
		if (json_is_number(target)) {
			x = label + (int)lround(json_number_value(target) *
			    width);
			report_put(out, "<line class=\"target\" x1=\"%d\" "
			    "y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"%s\" "
			    "stroke-width=\"3\"/>\n", x, y - 4, x, y + barh + 4,
			    REPORT_TARGET_COLOUR);
		}
		report_put(out, "<text x=\"%d\" y=\"%d\">%s",
		    label + width + 10, y + barh - 4, json_is_number(rate) ?
		    report_pct(rate, b1) : "no valid results");
		if (json_is_number(target))
			report_put(out, " (target %s)",
			    report_target_pct(target, b2));
		report_puts(out, "</text>\n");
	}
	report_puts(out, "</svg>\n");
}

static void
report_html_cell(struct report_out *out, const char *s, int num)
{
	report_puts(out, num ? "<td class=\"n\">" : "<td>");
	report_esc(out, s);
	report_puts(out, "</td>");
}

static void
report_html_figures(struct report_out *out, json_t *o, int have_register)
{
	char b[24];
	json_t *met = json_object_get(o, "met");

	if (have_register)
		report_html_cell(out, report_num(json_object_get(o,
		    "valid_issued"), b), 1);
	report_html_cell(out, report_num(json_object_get(o, "digitized"), b),
	    1);
	if (!have_register)
		return;
	report_html_cell(out, report_pct(json_object_get(o, "rate"), b), 1);
	report_html_cell(out, report_target_pct(json_object_get(o, "target"),
	    b), 1);
	report_put(out, "<td class=\"%s\">%s</td>", json_is_true(met) ? "met" :
	    json_is_false(met) ? "unmet" : "", report_met(met));
	report_html_cell(out, report_num(json_object_get(o, "needed"), b), 1);
}

static void
report_html_head(struct report_out *out, const char *first, int offices,
    int have_register)
{
	report_put(out, "<tr><th>%s</th>%s", first, offices ?
	    "<th>agency code</th><th>level</th>" : "");
	if (have_register)
		report_puts(out, "<th>valid</th><th>digitized</th><th>rate</th>"
		    "<th>target</th><th>met</th><th>needed</th></tr>\n");
	else
		report_puts(out, "<th>digitized</th></tr>\n");
}

/* One office's results still to scan, oldest first. */
static void
report_html_missing(struct report_out *out, json_t *office)
{
	static const char *const keys[] = { "issued_on", "doc_number",
	    "dossier_code", "procedure_code", "valid_until", NULL };
	json_t *missing = json_object_get(office, "missing"), *e;
	size_t i, k;

	if (json_array_size(missing) == 0)
		return;
	report_puts(out, "<h3>");
	report_esc(out, report_s(office, "agency_name"));
	report_puts(out, " (");
	report_esc(out, report_s(office, "agency_code"));
	report_puts(out, ", ");
	report_esc(out, report_s(office, "level"));
	report_put(out, "): %zu</h3>\n<table>\n<tr><th>issued</th>"
	    "<th>number</th><th>dossier code</th><th>procedure</th>"
	    "<th>valid until</th></tr>\n", json_array_size(missing));
	json_array_foreach(missing, i, e) {
		report_puts(out, "<tr>");
		for (k = 0; keys[k] != NULL; k++)
			report_html_cell(out, report_s(e, keys[k]), 0);
		report_puts(out, "</tr>\n");
	}
	report_puts(out, "</table>\n");
}

static const char report_css[] =
	"body{font-family:\"Liberation Sans\",\"DejaVu Sans\",Arial,sans-serif;"
	"margin:24px;color:#212121}"
	"h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px}"
	"h3{font-size:14px;margin:18px 0 6px}p{margin:4px 0}"
	"table{border-collapse:collapse;font-size:13px;margin:8px 0}"
	"th,td{border:1px solid #b0bec5;padding:3px 8px;text-align:left}"
	"th{background:#eceff1}td.n{text-align:right;"
	"font-variant-numeric:tabular-nums}"
	".met{color:" REPORT_MET_COLOUR ";font-weight:bold}"
	".unmet{color:" REPORT_UNMET_COLOUR ";font-weight:bold}"
	".note{border-left:4px solid #f9a825;padding:4px 10px;"
	"background:#fffde7}"
	".legend span{display:inline-block;width:12px;height:12px;"
	"margin:0 4px 0 12px;vertical-align:middle}"
	"svg.chart{max-width:100%;height:auto;display:block}"
	"@page{size:A4;margin:12mm}"
	"@media print{body{margin:0;font-size:11px}h2,h3{break-after:avoid}"
	"table,svg{break-inside:avoid}"
	"*{-webkit-print-color-adjust:exact;print-color-adjust:exact}}";

/* One page, no outside resources, printable; all text escaped. */
static void
report_html(struct report_out *out, json_t *r)
{
	json_t *levels = json_object_get(r, "levels");
	json_t *offices = json_object_get(r, "offices"), *o;
	int have_register = report_i(r, "register_entries") > 0;
	size_t i;

	report_puts(out, "<!DOCTYPE html>\n<html lang=\"vi\">\n<head>\n"
	    "<meta charset=\"utf-8\">\n<meta name=\"generator\" "
	    "content=\"sohoa " SOHOA_VERSION "\">\n"
	    "<title>Digitization report as of ");
	report_esc(out, report_s(r, "as_of"));
	report_put(out, "</title>\n<style>%s</style>\n</head>\n<body>\n",
	    report_css);
	report_puts(out, "<h1>Digitization of still-valid results</h1>\n"
	    "<p>Tỷ lệ số hóa kết quả giải quyết thủ tục hành chính còn hiệu lực"
	    "</p>\n<p>As of <b>");
	report_esc(out, report_s(r, "as_of"));
	report_puts(out, "</b>");
	if (json_is_string(json_object_get(r, "from")) ||
	    json_is_string(json_object_get(r, "to"))) {
		report_puts(out, "; issued from ");
		report_esc(out, report_s(r, "from"));
		report_puts(out, " to ");
		report_esc(out, report_s(r, "to"));
	}
	if (have_register)
		report_put(out, "; register of %lld entries.</p>\n",
		    (long long)report_i(r, "register_entries"));
	else {
		report_puts(out, ".</p>\n<p class=\"note\">");
		report_esc(out, report_s(r, "note"));
		report_puts(out, "</p>\n");
	}

	report_puts(out, "<h2>By level</h2>\n");
	if (have_register) {
		report_puts(out, "<p class=\"legend\"><span style=\"background:"
		    REPORT_MET_COLOUR "\"></span>target met<span "
		    "style=\"background:" REPORT_UNMET_COLOUR "\"></span>below "
		    "target<span style=\"background:" REPORT_TARGET_COLOUR
		    ";width:3px\"></span>target</p>\n");
		report_svg(out, levels, 0);
	}
	report_puts(out, "<table>\n");
	report_html_head(out, "level", 0, have_register);
	json_array_foreach(levels, i, o) {
		report_puts(out, "<tr>");
		report_html_cell(out, report_s(o, "level"), 0);
		report_html_figures(out, o, have_register);
		report_puts(out, "</tr>\n");
	}
	report_puts(out, "</table>\n<h2>By office</h2>\n");
	if (have_register && json_array_size(offices) > 0)
		report_svg(out, offices, 1);
	report_puts(out, "<table>\n");
	report_html_head(out, "office", 1, have_register);
	json_array_foreach(offices, i, o) {
		report_puts(out, "<tr>");
		report_html_cell(out, report_s(o, "agency_name"), 0);
		report_html_cell(out, report_s(o, "agency_code"), 0);
		report_html_cell(out, report_s(o, "level"), 0);
		report_html_figures(out, o, have_register);
		report_puts(out, "</tr>\n");
	}
	report_puts(out, "</table>\n");
	if (json_is_true(json_object_get(r, "missing_listed"))) {
		report_puts(out, "<h2>Still valid, not yet digitized</h2>\n"
		    "<p>Oldest first: what to take from the cabinet next."
		    "</p>\n");
		json_array_foreach(offices, i, o)
			report_html_missing(out, o);
	}
	report_puts(out, "</body>\n</html>\n");
}

int
report_write(json_t *r, enum report_format f, struct buf *b, char *err)
{
	struct report_out out = { b, 0 };
	char *s;

	b->max = REPORT_MAX;
	switch (f) {
	case REPORT_TABLE:
		report_table(&out, r);
		break;
	case REPORT_CSV:
		report_csv(&out, r);
		break;
	case REPORT_JSON:
		s = json_dumps(r, JSON_INDENT(2) | JSON_REAL_PRECISION(10));
		report_puts(&out, s);
		report_puts(&out, "\n");
		free(s);
		break;
	case REPORT_HTML:
		report_html(&out, r);
		break;
	}
	if (out.full) {
		snprintf(err, ERRMAX, "the report is larger than %zu bytes",
		    REPORT_MAX);
		return -1;
	}
	return 0;
}
