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
 * JSON object (the `--format json` output); report_format.c renders that
 * same object in every format, so every format shows the same figures.
 *
 * "Needed" (documents still to scan to reach the target) is computed in
 * millionths with integers: 0.7 x 10 is 7 and never 7.000000000000001,
 * which ceil() would make 8.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sohoa.h"
#include "report_int.h"

#define REPORT_MILLION	1000000

/* Still valid on ?1, issued from ?2 to ?3 (?3 never after ?1). */
#define REPORT_VALID "status = 'valid' AND issued_on >= ?2 AND " \
	"issued_on <= ?3 AND (valid_until IS NULL OR valid_until >= ?1)"
#define REPORT_FILTER "(?4 IS NULL OR level = ?4) AND " \
	"(?5 IS NULL OR agency_code = ?5)"

enum report_stmt {
	RP_OFFICES,
	RP_DOCUMENTS,
	RP_MISSING,
	RP_MAX
};

static const char *const report_sql[RP_MAX] = {
	[RP_OFFICES] =
	"SELECT level, agency_code, max(agency_name), "
	"sum(" REPORT_VALID "), "
	"sum(" REPORT_VALID " AND doc_id IS NOT NULL) "
	"FROM register_entries WHERE " REPORT_FILTER " "
	"GROUP BY level, agency_code",

/* Without a register: archived documents, one per result as far as the
 * scans tell (the number and date, which a result always carries, else the
 * dossier code). */
	[RP_DOCUMENTS] =
	"SELECT d.level, d.agency_code, max(d.agency_name), NULL, "
	"count(DISTINCT coalesce('n:' || r.number_key || '|' || r.issued_on, "
	"'d:' || r.dossier_key, 'i:' || r.doc_id)) "
	"FROM register_docs r JOIN documents d ON d.id = r.doc_id "
	"WHERE (r.issued_on IS NULL OR (r.issued_on >= ?2 AND "
	"r.issued_on <= ?3)) AND "
	"(?4 IS NULL OR d.level = ?4) AND (?5 IS NULL OR d.agency_code = ?5) "
	"GROUP BY d.level, d.agency_code",

	[RP_MISSING] =
	"SELECT level, agency_code, dossier_code, doc_number, procedure_code, "
	"issued_on, valid_until FROM register_entries "
	"WHERE doc_id IS NULL AND " REPORT_VALID " AND " REPORT_FILTER " "
	"ORDER BY level, agency_code, issued_on, doc_number, dossier_code, id",
};

/* The report keeps no tables (version 0, no upgrade): it reads the
 * register's and the index's, after them in the list of modules. */
const struct db_module report_module = {
	"report", 0, NULL, report_sql, RP_MAX, NULL
};

/* One row of the report (struct report_row, sohoa.h) and the place of its
 * level among the targets. */
struct report_office {
	struct report_row r;
	size_t	 rank;
};

int64_t
report_needed(double target, int64_t valid, int64_t digitized)
{
	int64_t t = llround(target * REPORT_MILLION), need;

	need = (t * valid + REPORT_MILLION - 1) / REPORT_MILLION - digitized;
	return need > 0 ? need : 0;
}

/* The level's place among the targets; unconfigured levels come last.  A
 * former district's results count under the level sohoa.conf says. */
static size_t
report_rank(const struct conf *conf, const char *level)
{
	return levels_rank(conf, level);
}

static int
report_office_cmp(const void *a, const void *b)
{
	const struct report_office *x = a, *y = b;
	int c;

	if (x->rank != y->rank)
		return x->rank < y->rank ? -1 : 1;
	if ((c = strcmp(x->r.level ? x->r.level : "", y->r.level ?
	    y->r.level : "")))
		return c;
	if ((c = strcmp(x->r.code ? x->r.code : "", y->r.code ? y->r.code :
	    "")))
		return c;
	return strcmp(x->r.office ? x->r.office : "", y->r.office ?
	    y->r.office : "");
}

static char *
report_col(struct db_stmt *st, int col)
{
	const char *s = db_col_text(st, col);

	return s ? xstrdup(s) : NULL;
}

static json_t *
report_jstr(const char *s)
{
	return s ? json_string(s) : json_null();
}

/* The string at key in o, or "-" when it is null or missing. */
const char *
report_s(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s ? s : "-";
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
report_bind(struct db_stmt *st, const char *as_of, const char *lo,
    const char *hi, const struct report_opts *ro)
{
	db_bind_text(st, 1, as_of);
	db_bind_text(st, 2, lo);
	db_bind_text(st, 3, hi);
	db_bind_text(st, 4, ro->level);
	db_bind_text(st, 5, ro->agency);
}

/* Reads the offices' counts; returns how many, or -1. */
static int
report_offices(struct db *db, const struct conf *conf, int have_register,
    const char *as_of, const char *lo, const char *hi,
    const struct report_opts *ro, struct report_office **out, size_t *n,
    char *err)
{
	struct db_stmt *st;
	struct report_office *o;
	size_t cap = 0;
	int rc;

	(void)conf;
	*out = NULL;
	*n = 0;
	st = db_stmt(db, &report_module, have_register ? RP_OFFICES :
	    RP_DOCUMENTS);
	report_bind(st, as_of, lo, hi, ro);
	while ((rc = db_step(st)) == DB_ROW) {
		if (*n == cap) {
			cap = cap ? cap * 2 : 64;
			*out = xrealloc(*out, cap * sizeof **out);
		}
		o = &(*out)[(*n)++];
		memset(o, 0, sizeof *o);
		o->r.level = report_col(st, 0);
		o->r.code = report_col(st, 1);
		o->r.name = report_col(st, 2);
		o->r.valid = have_register ? db_col_int64(st, 3) : -1;
		o->r.digitized = db_col_int64(st, 4);
	}
	db_reset(st);
	if (rc != DB_DONE) {
		snprintf(err, ERRMAX, "cannot compute the report: %s",
		    db_errmsg(db));
		return -1;
	}
	return 0;
}

static void
report_offices_free(struct report_office *o, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(o[i].r.office);
		free(o[i].r.level);
		free(o[i].r.code);
		free(o[i].r.name);
	}
	free(o);
}

static int
report_same_level(const struct report_office *a, const struct report_office *b)
{
	return strcmp(a->r.level ? a->r.level : "", b->r.level ? b->r.level :
	    "") == 0;
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
				valid += o[j].r.valid;
				digitized += o[j].r.digitized;
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
			valid += o[k].r.valid;
			digitized += o[k].r.digitized;
		}
		if (o[j].rank < conf->ntargets)
			continue;
		l = json_pack("{s:o}", "level", report_jstr(o[j].r.level));
		report_figures(l, -1, have_register ? valid : -1, digitized);
		json_array_append_new(levels, l);
	}
	return levels;
}

/* Adds to each office its still-valid results not yet digitized. */
static int
report_missing(struct db *db, json_t *offices, const char *as_of,
    const char *lo, const char *hi, const struct report_opts *ro, char *err)
{
	json_t *byoffice = json_object(), *o, *e;
	struct db_stmt *st;
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
	st = db_stmt(db, &report_module, RP_MISSING);
	report_bind(st, as_of, lo, hi, ro);
	while ((rc = db_step(st)) == DB_ROW) {
		key = xasprintf("%s\x1f%s", db_col_text(st, 0),
		    db_col_text(st, 1));
		o = json_object_get(byoffice, key);
		free(key);
		if (o == NULL)
			continue;
		e = json_object();
		json_object_set_new(e, "dossier_code",
		    report_jstr(db_col_text(st, 2)));
		json_object_set_new(e, "doc_number",
		    report_jstr(db_col_text(st, 3)));
		json_object_set_new(e, "procedure_code",
		    report_jstr(db_col_text(st, 4)));
		json_object_set_new(e, "issued_on",
		    report_jstr(db_col_text(st, 5)));
		json_object_set_new(e, "valid_until",
		    report_jstr(db_col_text(st, 6)));
		json_array_append_new(json_object_get(o, "missing"), e);
	}
	db_reset(st);
	json_decref(byoffice);
	if (rc != DB_DONE) {
		snprintf(err, ERRMAX, "cannot list what is missing: %s",
		    db_errmsg(db));
		return -1;
	}
	return 0;
}

int
report_span(const struct conf *conf, const struct report_opts *ro,
    struct report_span *sp, char *err)
{
	size_t i;

	memset(sp, 0, sizeof *sp);
	if (date_arg("--as-of", ro->as_of, sp->as_of, err) == -1 ||
	    date_arg("--from", ro->from, sp->from, err) == -1 ||
	    date_arg("--to", ro->to, sp->to, err) == -1)
		return -1;
	if (sp->as_of[0] == '\0')
		report_today(sp->as_of);
	if (sp->from[0] != '\0' && sp->to[0] != '\0' &&
	    strcmp(sp->from, sp->to) > 0) {
		snprintf(err, ERRMAX, "--from %s is after --to %s", sp->from,
		    sp->to);
		return -1;
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
		return -1;
	}
	sp->lo = sp->from[0] ? sp->from : "0000-00-00";
	sp->hi = sp->to[0] && strcmp(sp->to, sp->as_of) < 0 ? sp->to :
	    sp->as_of;
	return 0;
}

/*
 * The report's object from its rows (the rows are sorted here, by level,
 * agency, office): what report_build makes of the office's register, and
 * city_report of the city's.
 */
static json_t *
report_assemble(const struct conf *conf, const struct report_opts *ro,
    const struct report_span *sp, struct report_office *o, size_t n,
    long nreg)
{
	json_t *r, *offices, *j;
	size_t i;

	for (i = 0; i < n; i++)
		o[i].rank = report_rank(conf, o[i].r.level);
	if (n > 0)
		qsort(o, n, sizeof *o, report_office_cmp);
	r = json_object();
	json_object_set_new(r, "as_of", json_string(sp->as_of));
	json_object_set_new(r, "from", report_jstr(sp->from[0] ? sp->from :
	    NULL));
	json_object_set_new(r, "to", report_jstr(sp->to[0] ? sp->to : NULL));
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
		if (o[i].r.office != NULL)
			json_object_set_new(j, "office",
			    json_string(o[i].r.office));
		json_object_set_new(j, "agency_code", report_jstr(o[i].r.code));
		json_object_set_new(j, "agency_name", report_jstr(o[i].r.name));
		json_object_set_new(j, "level", report_jstr(o[i].r.level));
		report_figures(j, o[i].rank < conf->ntargets ?
		    conf->targets[o[i].rank].target : -1, o[i].r.valid,
		    o[i].r.digitized);
		json_array_append_new(offices, j);
	}
	json_object_set_new(r, "offices", offices);
	json_object_set_new(r, "missing_listed", json_boolean(ro->missing &&
	    nreg > 0));
	return r;
}

json_t *
report_from_rows(const struct conf *conf, const struct report_opts *ro,
    const struct report_span *sp, const struct report_row *rows, size_t n,
    long nreg)
{
	struct report_office *o = xcalloc(n + 1, sizeof *o);
	json_t *r;
	size_t i;

	for (i = 0; i < n; i++)
		o[i].r = rows[i];
	r = report_assemble(conf, ro, sp, o, n, nreg);
	free(o);
	return r;
}

json_t *
report_build(struct index *ix, const struct conf *conf,
    const struct report_opts *ro, char *err)
{
	struct db *db = index_db(ix);
	struct report_office *o = NULL;
	struct report_span sp;
	json_t *r = NULL;
	size_t n = 0;
	long nreg;

	if (report_span(conf, ro, &sp, err) == -1)
		return NULL;
	if (register_match_refresh(ix, err) == -1)
		return NULL;
	if ((nreg = register_count(ix)) < 0) {
		snprintf(err, ERRMAX, "cannot read the register: %s",
		    db_errmsg(db));
		return NULL;
	}
	if (report_offices(db, conf, nreg > 0, sp.as_of, sp.lo, sp.hi, ro, &o,
	    &n, err) == -1)
		goto out;
	r = report_assemble(conf, ro, &sp, o, n, nreg);
	if (ro->missing && nreg > 0 && report_missing(db,
	    json_object_get(r, "offices"), sp.as_of, sp.lo, sp.hi, ro,
	    err) == -1) {
		json_decref(r);
		r = NULL;
	}
out:
	report_offices_free(o, n);
	return r;
}
