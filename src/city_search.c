/*
 * city_search.c: the city-wide commands' reading side (issue 13): a
 * search, a record and the report over every office that ships to the
 * city's PostgreSQL, with the same filters and the same JSON as an
 * office's own, each record with its "office" added, so that OFFICE:ID
 * names a record city-wide.
 *
 * The full text is citytext.c's: tsvectors sohoa made from the local
 * tokenizer's tokens, asked by a tsquery made from search.c's own parse
 * of the query, so that a word finds in the city what it finds in its
 * office.  Results are ordered as the local search orders them: first by
 * how many words typed with diacritics match as typed (the twins' queries
 * matched), then by ts_rank with the fields weighing four times the text
 * (where the office ranks by BM25: the same records, in the same order
 * where the twins decide, nearly always otherwise).  The report is
 * counted by aggregate queries in PostgreSQL, never by fetching entries,
 * and drawn by report.c and report_format.c as an office's is.
 *
 * Every search and show is written to the city's access_log with the
 * installation's office and the user who asked (as the local log names
 * them) before anything is shown; a log that cannot be written fails the
 * command.  Every value goes as a parameter, never into the SQL.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "sohoa.h"

#define CITY_TEXTOID	25	/* every parameter is text, cast in the SQL */

/*
 * The filters, numbered as search.c's statements number them: $3 level,
 * $4 agency code, $5 " folded words of the type ", $6 from, $7 to, $8 ID
 * number, $9 dossier code (upper case); $10 and $11 the folding of the
 * type (citytext_fold_map), whose words are split where tokenizer_words
 * splits them, at ASCII that is no letter or digit.
 */
#define CITY_FILTERS \
	" AND d.duplicate_of IS NULL" \
	" AND ($3::text IS NULL OR d.level = $3::text)" \
	" AND ($4::text IS NULL OR d.agency_code = $4::text)" \
	" AND ($5::text IS NULL OR strpos(' ' || btrim(regexp_replace(" \
	"     translate(coalesce(d.doc_type, ''), $10::text, $11::text), " \
	"     '[\\x01-\\x2f\\x3a-\\x40\\x5b-\\x60\\x7b-\\x7f]+', ' ', 'g')) " \
	"     || ' ', $5::text) > 0)" \
	" AND ($6::date IS NULL OR d.issued_on >= $6::date)" \
	" AND ($7::date IS NULL OR d.issued_on <= $7::date)" \
	" AND ($8::text IS NULL OR d.id_numbers @> ARRAY[$8::text])" \
	" AND ($9::text IS NULL OR upper(d.dossier_code) = $9::text)"

/*
 * Ranking every record that holds a common name ("nguyen thi huong" is in
 * one record of forty) costs seconds at a million records, so the city
 * ranks as an office does (search.c): the newest candidates, at most
 * CITY_WINDOW a range, taken by ranges of seq (the order records reached
 * the city) from the newest, CITY_SPAN records first and eight times more
 * each time, until as many as asked for were ranked or every record was
 * looked at.  Words that may be a name are first looked for as one: the
 * newest CITY_WINDOW records naming that person whole (name_keys, folded,
 * however old), and when they are as many as asked for, the records that
 * hold the words apart are not looked for (they would rank after them:
 * a clerk typing a full name wants that person, and where an office
 * ranks every record by BM25 the city ranks those first).  A range costs about the records in it that
 * hold every word (the full text's index finds them, their rows give
 * seq), so a range's cost does not grow with the city.  A phrase is
 * checked against the positions in each such row, a few microseconds
 * each: a phrase of common words ("van duc") begins with a range an
 * eighth as large.
 */
#define CITY_WINDOW	250	/* as the LIMIT of city_sql_window */
#define CITY_SPAN	100000

/* Twins of $2 matched and rank, for the candidates of cand: the best $12,
 * each with its record, its text and how many candidates there were. */
#define CITY_RANKED(cand) \
	"WITH tw AS (SELECT coalesce(array_agg(x::tsquery), '{}') AS a " \
	"  FROM jsonb_array_elements_text($2::jsonb) x), " \
	"c AS (SELECT d.office, d.id, d.tsv FROM documents d WHERE " cand \
	"), " \
	"r AS (SELECT c.office, c.id, " \
	"  (SELECT count(*) FROM unnest((SELECT a FROM tw)) t(q) " \
	"   WHERE c.tsv @@ t.q) AS twins, " \
	"  ts_rank('{0.25,0.25,0.25,1}', c.tsv, $1::tsquery) AS rank, " \
	"  count(*) OVER () AS n FROM c " \
	"  ORDER BY twins DESC, rank DESC, c.office, c.id DESC " \
	"  LIMIT $12::int) " \
	"SELECT r.office, r.id, r.twins, r.rank, d.doc::text, d.body, r.n " \
	"FROM r JOIN documents d ON d.office = r.office AND d.id = r.id"

/* The newest CITY_WINDOW matching $1 with seq in ($13, $14]. */
static const char city_sql_window[] = CITY_RANKED(
	"d.tsv @@ $1::tsquery AND d.seq > $13::bigint AND d.seq <= $14::bigint"
	CITY_FILTERS " ORDER BY d.seq DESC LIMIT 250");

/* The newest CITY_WINDOW naming $15 whole (a person's name, folded, or
 * its last words), which match $1 (the name's words are in their
 * fields). */
static const char city_sql_named[] = CITY_RANKED(
	"d.name_keys @> ARRAY[$15::text]" CITY_FILTERS
	" ORDER BY d.seq DESC LIMIT 250");

/* Filters only: the newest they keep ($1, when not null, the ID number
 * and dossier code in the fields, which the full text's index finds). */
static const char city_sql_filtered[] =
	"SELECT d.office, d.id, NULL, NULL, d.doc::text, NULL "
	"FROM documents d WHERE ($1::tsquery IS NULL OR d.tsv @@ $1::tsquery)"
	CITY_FILTERS " ORDER BY d.seq DESC LIMIT $12::int";

static const char city_sql_log[] =
	"INSERT INTO access_log (office, who, via, address, action, query, "
	"filters, document, results, purpose) VALUES ($1, $2, $3, $4, $5, $6, "
	"$7::jsonb, $8, $9::int, $10)";

/* Runs sql with n text parameters; the result, or NULL with err. */
static PGresult *
city_search_query(PGconn *pg, const char *sql, int n, const char *const *v,
    ExecStatusType want, const char *what, char *err)
{
	Oid types[16];
	PGresult *r;
	int i;

	for (i = 0; i < n && i < 16; i++)
		types[i] = CITY_TEXTOID;
	/* Typed, so that a parameter a statement leaves out is no error. */
	r = PQexecParams(pg, sql, n, types, v, NULL, NULL, 0);
	if (r == NULL || PQresultStatus(r) != want) {
		char msg[ERRMAX];

		city_error(pg, r, msg);
		snprintf(err, ERRMAX, "%s: %s", what, msg);
		PQclear(r);
		return NULL;
	}
	return r;
}

int
city_ref(const char *s, char office[CITY_OFFICEMAX + 1], int64_t *id)
{
	const char *colon = strrchr(s, ':');
	char *end, why[ERRMAX];
	long long v;
	size_t n;

	if (colon == NULL || (n = (size_t)(colon - s)) == 0 ||
	    n >= CITY_OFFICEMAX + 1)
		return -1;
	memcpy(office, s, n);
	office[n] = '\0';
	if (city_office_ok(office, why) == -1)
		return -1;
	if (colon[1] == '#')
		colon++;
	if (colon[1] < '0' || colon[1] > '9')
		return -1;
	v = strtoll(colon + 1, &end, 10);
	if (*end != '\0' || v <= 0 || v == INT64_MAX)
		return -1;
	*id = v;
	return 0;
}

/* Writes one entry of the city's access log: 0, or -1 with err. */
static int
city_log(PGconn *pg, const struct city_asker *who, const char *action,
    const char *query, const json_t *filters, const char *document,
    int results, char *err)
{
	const struct accesslog_actor *a = who->actor;
	const char *v[10];
	char user[ACCESSLOG_USERMAX], n[24];
	char *f = filters ? json_dumps(filters, JSON_COMPACT) : NULL;
	char *q = query ? vntext_nfc(query, strlen(query)) : NULL;
	PGresult *r;

	if (a != NULL && a->user != NULL)
		snprintf(user, sizeof user, "%s", a->user);
	else
		accesslog_user(user);
	snprintf(n, sizeof n, "%d", results);
	v[0] = who->office;
	v[1] = user;
	v[2] = a != NULL && a->via != NULL ? a->via : "cli";
	v[3] = a != NULL ? a->address : NULL;
	v[4] = action;
	v[5] = q;
	v[6] = f;
	v[7] = document;
	v[8] = results >= 0 ? n : NULL;
	v[9] = a != NULL ? a->purpose : NULL;
	r = city_search_query(pg, city_sql_log, 10, v, PGRES_COMMAND_OK,
	    "cannot write the city's access log, so nothing is shown", err);
	free(f);
	free(q);
	if (r == NULL)
		return -1;
	PQclear(r);
	return 0;
}

/* Each correction's members in the order the local show gives them (the
 * city's jsonb keeps its own). */
static json_t *
city_corrections(json_t *in)
{
	static const char *const keys[] = { "field", "old", "new", "who", "at",
	    NULL };
	json_t *out = json_array(), *c, *o, *v;
	const char *k;
	size_t i, j;

	json_array_foreach(in, i, c) {
		o = json_object();
		for (j = 0; keys[j] != NULL; j++)
			if ((v = json_object_get(c, keys[j])) != NULL)
				json_object_set(o, keys[j], v);
		json_object_foreach(c, k, v)
			if (json_object_get(o, k) == NULL)
				json_object_set(o, k, v);
		json_array_append_new(out, o);
	}
	return out;
}

/*
 * A record as the local commands give it, with its office first: the
 * contract's members in the contract's order (jsonb keeps its own), the
 * rest after them.  *doc, when not NULL, gets the typed record (caller
 * document_free()s).  NULL with err when doc is not a record.
 */
static json_t *
city_record(const char *office, const char *docjson, struct document *doc,
    char *err)
{
	struct document d;
	json_t *in, *c, *o, *v;
	const char *k;
	char why[ERRMAX];

	if ((in = json_loads(docjson, 0, NULL)) == NULL ||
	    document_from_json(in, &d, why) == -1) {
		snprintf(err, ERRMAX, "the city's database holds a record of %s "
		    "that is not one", office);
		json_decref(in);
		return NULL;
	}
	c = document_to_json(&d);
	o = json_pack("{s:s}", "office", office);
	json_object_foreach(c, k, v)
		json_object_set(o, k, v);
	json_object_foreach(in, k, v)
		if (json_object_get(o, k) == NULL)
			json_object_set(o, k, v);
	json_decref(c);
	json_decref(in);
	if (doc != NULL)
		*doc = d;
	else
		document_free(&d);
	return o;
}

/* The rows found, from every result they came in. */
struct city_hit {
	PGresult	*r;
	int		 row;
	double		 score;		/* twins + rank / (1 + rank) */
	long long	 id;
};
struct city_hits {
	PGresult	**res;
	size_t		  nres;
	struct city_hit	 *v;
	size_t		  n;
};

static int
city_hit_cmp(const void *a, const void *b)
{
	const struct city_hit *x = a, *y = b;
	int c;

	if (x->score != y->score)
		return x->score < y->score ? 1 : -1;
	if ((c = strcmp(PQgetvalue(x->r, x->row, 0), PQgetvalue(y->r, y->row,
	    0))) != 0)
		return c;
	return x->id < y->id ? 1 : x->id > y->id ? -1 : 0;
}

/* Keeps r's rows that h has not yet (a record may be in a range and be
 * named too); returns how many candidates r's ranking looked at. */
static long
city_hits_add(struct city_hits *h, PGresult *r, int ranked)
{
	double rank;
	size_t k;
	int i, n = PQntuples(r);

	h->res = xrealloc(h->res, (h->nres + 1) * sizeof *h->res);
	h->res[h->nres++] = r;
	h->v = xrealloc(h->v, (h->n + (size_t)n + 1) * sizeof *h->v);
	for (i = 0; i < n; i++) {
		struct city_hit *e = &h->v[h->n];

		e->r = r;
		e->row = i;
		e->id = strtoll(PQgetvalue(r, i, 1), NULL, 10);
		e->score = 0;
		if (ranked) {
			rank = strtod(PQgetvalue(r, i, 3), NULL);
			e->score = strtod(PQgetvalue(r, i, 2), NULL) +
			    rank / (1 + rank);
		}
		for (k = 0; k < h->n; k++)
			if (h->v[k].id == e->id && strcmp(PQgetvalue(h->v[k].r,
			    h->v[k].row, 0), PQgetvalue(r, i, 0)) == 0)
				break;
		if (k == h->n)
			h->n++;
	}
	return n > 0 && ranked ? strtol(PQgetvalue(r, 0, 6), NULL, 10) : 0;
}

static void
city_hits_free(struct city_hits *h)
{
	size_t i;

	for (i = 0; i < h->nres; i++)
		PQclear(h->res[i]);
	free(h->res);
	free(h->v);
}

/* The ranked search (see CITY_WINDOW) of limit results: v holds $1 to
 * $12, and room for $13 to $15.  0, or -1 with err. */
static int
city_search_ranked(PGconn *pg, const char **v, const char *name,
    int phrase, int limit, struct city_hits *h, char *err)
{
	static const char what[] = "the city search could not be run";
	PGresult *r;
	long long top, hi, lo, span = CITY_SPAN, reach;
	long seen = 0;
	char los[24], his[24], msg[ERRMAX], *e = getenv("SOHOA_CITY_SPAN");

	/* The first range's size, smaller in tests, which have no million
	 * records to make ranges of. */
	if (e != NULL && atoll(e) > 0)
		span = atoll(e);
	/*
	 * A phrase is checked in the positions of every record in a range
	 * that holds its words, a few microseconds each: one of words every
	 * record holds, in an order none has ("xa hoi nguyen"), read the
	 * whole city, 87 s at a million records.  So a phrase is looked for
	 * among the newest reach records only, as an office looks for the
	 * words of a name it knows among its newest 100,000 (a name in
	 * quotes is found however old by name_keys), from a first range an
	 * eighth as large.
	 */
	reach = span;
	if (phrase && (e == NULL || atoll(e) <= 0))
		span /= 8;

	/*
	 * The planner counts an index entry read at 0.005 of a page: reading
	 * the full text's index for words in every other record ("nguyen
	 * thi hoa": "hòa" is in every heading) then looks cheaper than it is,
	 * about 0.6 us an entry over every record of the city (110 ms at a
	 * million, with a level and dates), where walking the newest records
	 * by seq finds the window in 20 ms.  At 0.02 it walks for such words
	 * and still reads the index for rare ones (6 ms).  Measured by
	 * bench/city; this connection's only, set in the round trip that
	 * asks for the newest seq.
	 */
	r = PQexec(pg, "SET cpu_index_tuple_cost = 0.02; "
	    "SELECT coalesce(max(seq), 0) FROM documents");
	if (r == NULL || PQresultStatus(r) != PGRES_TUPLES_OK) {
		city_error(pg, r, msg);
		snprintf(err, ERRMAX, "%s: %s", what, msg);
		PQclear(r);
		return -1;
	}
	top = hi = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
	PQclear(r);
	v[12] = los;
	v[13] = his;
	v[14] = name;
	snprintf(los, sizeof los, "0");
	snprintf(his, sizeof his, "%lld", hi);
	/* Enough records naming the person typed: the words apart would only
	 * come after them. */
	if (name != NULL) {
		if ((r = city_search_query(pg, city_sql_named, 15, v,
		    PGRES_TUPLES_OK, what, err)) == NULL)
			return -1;
		if (city_hits_add(h, r, 1) >= limit)
			return 0;
	}
	for (;;) {
		lo = hi > span ? hi - span : 0;
		if (phrase && lo < top - reach)
			lo = top > reach ? top - reach : 0;
		snprintf(los, sizeof los, "%lld", lo);
		snprintf(his, sizeof his, "%lld", hi);
		if ((r = city_search_query(pg, city_sql_window, 15, v,
		    PGRES_TUPLES_OK, what, err)) == NULL)
			return -1;
		seen += city_hits_add(h, r, 1);
		if (seen >= limit || lo == 0 || (phrase && lo == top - reach))
			break;
		hi = lo;
		span *= 8;
	}
	return 0;
}

json_t *
city_search(PGconn *pg, const struct city_asker *who, const char *query,
    const struct search_filter *f, int limit, char *err)
{
	struct search_parsed p;
	struct citytext_query q;
	struct city_hits h;
	struct document d;
	PGresult *r;
	json_t *a = NULL, *o, *filters;
	const char *v[15];
	char lim[24], *twins = NULL, *from = NULL, *to = NULL, *fields, *snip;
	size_t i;
	int row;

	memset(&q, 0, sizeof q);
	memset(&h, 0, sizeof h);
	if (search_parse(query, f, &p, err) == -1)
		return NULL;
	if (citytext_tsquery(&p, &q, err) == -1)
		goto out;
	twins = json_dumps(q.twins, JSON_COMPACT);
	citytext_fold_map(&from, &to);
	snprintf(lim, sizeof lim, "%d", limit);
	v[0] = q.match;
	v[1] = twins;
	v[2] = p.nf.level;
	v[3] = p.nf.agency_code;
	v[4] = p.nf.doc_type;
	v[5] = p.nf.from;
	v[6] = p.nf.to;
	v[7] = p.nf.person_id;
	v[8] = p.nf.dossier_code;
	v[9] = from;
	v[10] = to;
	v[11] = lim;
	if (q.ranked && q.match == NULL) {
		/* Words the tokenizer keeps none of match nothing. */
		a = json_array();
		goto logged;
	}
	if (q.ranked) {
		if (city_search_ranked(pg, v, q.name, q.phrase, limit, &h,
		    err) == -1)
			goto out;
		if (h.n > 0)
			qsort(h.v, h.n, sizeof *h.v, city_hit_cmp);
	} else {
		if ((r = city_search_query(pg, city_sql_filtered, 12, v,
		    PGRES_TUPLES_OK, "the city search could not be run",
		    err)) == NULL)
			goto out;
		city_hits_add(&h, r, 0);
	}
	a = json_array();
	for (i = 0; i < h.n && i < (size_t)limit; i++) {
		r = h.v[i].r;
		row = h.v[i].row;
		if ((o = city_record(PQgetvalue(r, row, 0), PQgetvalue(r, row,
		    4), &d, err)) == NULL) {
			json_decref(a);
			a = NULL;
			goto out;
		}
		json_object_set_new(o, DOC_K_ID, json_integer(h.v[i].id));
		if (q.ranked) {
			json_object_set_new(o, "score", json_real(h.v[i].score));
			fields = store_fields_text(&d);
			snip = citytext_snippet(PQgetvalue(r, row, 5), fields,
			    &q);
			json_object_set_new(o, "snippet", json_string(snip));
			free(snip);
			free(fields);
		} else {
			json_object_set_new(o, "score", json_null());
			json_object_set_new(o, "snippet", json_null());
		}
		document_free(&d);
		json_array_append_new(a, o);
	}
logged:
	/* Personal data is shown only once the search is in the log. */
	filters = accesslog_filter_json(f);
	if (city_log(pg, who, "search", query, filters, NULL,
	    (int)json_array_size(a), err) == -1) {
		json_decref(a);
		a = NULL;
	}
	json_decref(filters);
out:
	city_hits_free(&h);
	free(twins);
	free(from);
	free(to);
	citytext_query_free(&q);
	search_parsed_free(&p);
	return a;
}

json_t *
city_show(PGconn *pg, const struct city_asker *who, const char *office,
    int64_t id, char *err)
{
	PGresult *r = NULL;
	json_t *o = NULL, *c;
	const char *v[2];
	char ids[24], ref[CITY_OFFICEMAX + 1 + 24];

	snprintf(ids, sizeof ids, "%lld", (long long)id);
	snprintf(ref, sizeof ref, "%s:%lld", office, (long long)id);
	v[0] = office;
	v[1] = ids;
	if ((r = city_search_query(pg, "SELECT d.doc::text, d.corrections::text, "
	    "EXISTS (SELECT 1 FROM offices o WHERE o.office = $1) "
	    "FROM (SELECT 1) one LEFT JOIN documents d ON d.office = $1 AND "
	    "d.id = $2::bigint", 2, v, PGRES_TUPLES_OK,
	    "the city's database could not be read", err)) == NULL)
		goto out;
	if (PQgetisnull(r, 0, 0)) {
		if (strcmp(PQgetvalue(r, 0, 2), "t") != 0)
			snprintf(err, ERRMAX, "there is no office '%s' in the "
			    "city's database", office);
		else
			snprintf(err, ERRMAX, "there is no document %s in the "
			    "city's database", ref);
		goto out;
	}
	if ((o = city_record(office, PQgetvalue(r, 0, 0), NULL, err)) == NULL)
		goto out;
	json_object_set_new(o, DOC_K_ID, json_integer(id));
	c = json_loads(PQgetvalue(r, 0, 1), 0, NULL);
	if (json_array_size(c) > 0)
		json_object_set_new(o, "corrections", city_corrections(c));
	json_decref(c);
	if (city_log(pg, who, "show", NULL, NULL, ref, -1, err) == -1) {
		json_decref(o);
		o = NULL;
	}
out:
	PQclear(r);
	return o;
}

/* Still valid on $1, issued from $2 to $3; $4 level, $5 agency. */
#define CITY_VALID "status = 'valid' AND ($2::date IS NULL OR " \
	"issued_on >= $2::date) AND " \
	"issued_on <= $3::date AND (valid_until IS NULL OR " \
	"valid_until >= $1::date)"
#define CITY_REPORT_FILTER "($4::text IS NULL OR level = $4::text) AND " \
	"($5::text IS NULL OR agency_code = $5::text)"

/* Per office, level and agency: the register's counts, in PostgreSQL. */
static const char city_sql_report[] =
	"SELECT office, level, agency_code, max(agency_name), "
	"count(*) FILTER (WHERE " CITY_VALID "), "
	"count(*) FILTER (WHERE " CITY_VALID " AND doc_id IS NOT NULL) "
	"FROM register_entries WHERE " CITY_REPORT_FILTER " "
	"GROUP BY office, level, agency_code";

/* Without any register: archived documents, one per result as far as
 * their number and date tell (report.c's RP_DOCUMENTS, the number
 * compared without case or spaces). */
static const char city_sql_report_docs[] =
	"SELECT office, level, agency_code, max(agency_name), NULL, "
	"count(DISTINCT coalesce('n:' || lower(regexp_replace(doc_number, "
	"'\\s+', '', 'g')) || '|' || issued_on, 'd:' || lower(dossier_code), "
	"'i:' || id)) FROM documents WHERE duplicate_of IS NULL AND "
	"(issued_on IS NULL OR (($2::date IS NULL OR issued_on >= $2::date) AND "
	"issued_on <= $3::date)) AND " CITY_REPORT_FILTER " "
	"GROUP BY office, level, agency_code";

static const char city_sql_missing[] =
	"SELECT office, level, agency_code, dossier_code, doc_number, "
	"procedure_code, issued_on::text, valid_until::text "
	"FROM register_entries WHERE doc_id IS NULL AND " CITY_VALID " AND "
	CITY_REPORT_FILTER " ORDER BY office, level, agency_code, issued_on, "
	"doc_number, dossier_code, id";

static json_t *
city_jstr(PGresult *r, int row, int col)
{
	return PQgetisnull(r, row, col) ? json_null() :
	    json_string(PQgetvalue(r, row, col));
}

static char *
city_col(PGresult *r, int row, int col)
{
	return PQgetisnull(r, row, col) ? NULL :
	    xstrdup(PQgetvalue(r, row, col));
}

/* The string at key in o, "-" for none (report.c's own way). */
static const char *
city_s(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s ? s : "-";
}

/* Adds to each office row its still-valid results not yet digitized. */
static int
city_report_missing(PGconn *pg, json_t *offices, const char *const *v,
    char *err)
{
	json_t *by = json_object(), *o, *e;
	PGresult *r;
	size_t i;
	char *key;
	int row, n;

	json_array_foreach(offices, i, o) {
		key = xasprintf("%s\x1f%s\x1f%s", city_s(o, "office"),
		    city_s(o, "level"), city_s(o, "agency_code"));
		json_object_set_new(o, "missing", json_array());
		json_object_set(by, key, o);
		free(key);
	}
	if ((r = city_search_query(pg, city_sql_missing, 5, v, PGRES_TUPLES_OK,
	    "cannot list what is missing", err)) == NULL) {
		json_decref(by);
		return -1;
	}
	n = PQntuples(r);
	for (row = 0; row < n; row++) {
		key = xasprintf("%s\x1f%s\x1f%s", PQgetvalue(r, row, 0),
		    PQgetisnull(r, row, 1) ? "-" : PQgetvalue(r, row, 1),
		    PQgetisnull(r, row, 2) ? "-" : PQgetvalue(r, row, 2));
		o = json_object_get(by, key);
		free(key);
		if (o == NULL)
			continue;
		e = json_object();
		json_object_set_new(e, "dossier_code", city_jstr(r, row, 3));
		json_object_set_new(e, "doc_number", city_jstr(r, row, 4));
		json_object_set_new(e, "procedure_code", city_jstr(r, row, 5));
		json_object_set_new(e, "issued_on", city_jstr(r, row, 6));
		json_object_set_new(e, "valid_until", city_jstr(r, row, 7));
		json_array_append_new(json_object_get(o, "missing"), e);
	}
	PQclear(r);
	json_decref(by);
	return 0;
}

json_t *
city_report(PGconn *pg, const struct city_asker *who, const struct conf *conf,
    const struct report_opts *ro, char *err)
{
	struct report_span sp;
	struct report_row *rows = NULL;
	PGresult *r = NULL;
	json_t *rep = NULL, *filters;
	const char *v[5];
	long nreg;
	int i, n = 0;

	if (report_span(conf, ro, &sp, err) == -1)
		return NULL;
	v[0] = sp.as_of;
	/* report.c's open start, "0000-00-00", is no date to PostgreSQL. */
	v[1] = sp.from[0] ? sp.lo : NULL;
	v[2] = sp.hi;
	v[3] = ro->level;
	v[4] = ro->agency;
	if ((r = city_search_query(pg, "SELECT count(*) FROM register_entries", 0,
	    NULL, PGRES_TUPLES_OK, "cannot read the city's registers",
	    err)) == NULL)
		return NULL;
	nreg = strtol(PQgetvalue(r, 0, 0), NULL, 10);
	PQclear(r);
	if ((r = city_search_query(pg, nreg > 0 ? city_sql_report :
	    city_sql_report_docs, 5, v, PGRES_TUPLES_OK,
	    "cannot compute the city's report", err)) == NULL)
		return NULL;
	n = PQntuples(r);
	rows = xcalloc((size_t)n + 1, sizeof *rows);
	for (i = 0; i < n; i++) {
		rows[i].office = city_col(r, i, 0);
		rows[i].level = city_col(r, i, 1);
		rows[i].code = city_col(r, i, 2);
		rows[i].name = city_col(r, i, 3);
		rows[i].valid = nreg > 0 ? strtoll(PQgetvalue(r, i, 4), NULL,
		    10) : -1;
		rows[i].digitized = strtoll(PQgetvalue(r, i, 5), NULL, 10);
	}
	PQclear(r);
	rep = report_from_rows(conf, ro, &sp, rows, (size_t)n, nreg);
	json_object_set_new(rep, "city", json_true());
	if (ro->missing && nreg > 0 && city_report_missing(pg,
	    json_object_get(rep, "offices"), v, err) == -1)
		goto fail;
	filters = json_pack("{s:s, s:s?, s:s?, s:s?, s:s?}", "as_of", sp.as_of,
	    "from", sp.from[0] ? sp.from : NULL, "to", sp.to[0] ? sp.to : NULL,
	    "level", ro->level, "agency", ro->agency);
	i = city_log(pg, who, "report", NULL, filters, NULL, -1, err);
	json_decref(filters);
	if (i == -1)
		goto fail;
	goto out;
fail:
	json_decref(rep);
	rep = NULL;
out:
	for (i = 0; i < n; i++) {
		free(rows[i].office);
		free(rows[i].level);
		free(rows[i].code);
		free(rows[i].name);
	}
	free(rows);
	return rep;
}
