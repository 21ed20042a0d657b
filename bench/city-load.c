/*
 * city-load.c: the city's PostgreSQL with a million records of 300
 * offices, filled through the real shipping code, and how fast the city's
 * searches and report are over it (bench/city runs it).
 *
 * Each office in turn gets an index of its own in a temporary folder: it
 * is made to ship (outbox_start), its share of search-1m's records goes in
 * through store_insert (the outbox's triggers queue each one), its
 * register (every record it holds, and a fifth more it does not) goes in
 * through register_import, and outbox_send ships it all to the city as the
 * office's own PostgreSQL role, under row-level security, in batches as
 * sohoad and `sohoa sync` send them.  The office's folder is then removed.
 * Shipping is timed apart from the making of the records: records a
 * second from one office.
 *
 * Then city_search is timed over the shapes of bench/search-1m (the same
 * records, the same queries), each query made from a record of some
 * office, and city_report (`sohoa report --city`) over every office.
 *
 * Usage: city-load -a ADMIN_CONNINFO -b OFFICE_CONNINFO [-n RECORDS]
 *     [-o OFFICES] [-q QUERIES] [-s]
 *   -b is the conninfo offices connect with, without user= (each office
 *   adds its own role); -s skips the filling (the city already holds the
 *   same -n and -o: the queries only).
 */
#include <sys/stat.h>

#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sohoa.h"
#include "records.h"

#define CITY_BATCH	1000	/* changes a shipping batch */

struct city_sample {
	struct bench_sample s;
	char	 office[32];
	int64_t	 id;		/* in its office */
};

static void
city_office_name(int o, char *name, size_t len, char *role, size_t rlen)
{
	snprintf(name, len, "phuong-%03d", o + 1);
	snprintf(role, rlen, "bench_office_%03d", o + 1);
}

static void
city_bad_row(long line, const char *why, void *arg)
{
	fatalx("register line %ld: %s", line, why);
}

/*
 * An office issues its results in its own agency's name: one agency code
 * per office (the generator draws one of 1,600 per record, which search-1m
 * wants and the city's report would show as 1,600 agencies per office).
 */
static void
city_office_agency(json_t *doc, int o)
{
	char code[32], name[64];

	snprintf(code, sizeof code, "000.%02d.%02d.H26", 1 + o / 40, o % 40);
	snprintf(name, sizeof name, "UBND phường số %d", o + 1);
	json_object_set_new(doc, "agency_code", json_string(code));
	json_object_set_new(doc, "agency_name", json_string(name));
}

/* The register of an office: every record it holds, then a fifth more it
 * does not (issued, never scanned). */
static void
city_register(const char *path, json_t **docs, long n)
{
	FILE *f = fopen(path, "w");
	long i;

	if (f == NULL)
		fatal("%s", path);
	fprintf(f, "dossier_code,doc_number,agency_code,agency_name,level,"
	    "procedure_code,issued_on,valid_until,status\n");
	for (i = 0; i < n + n / 5; i++) {
		json_t *d = docs[i % n];
		int missing = i >= n;

		fprintf(f, "%s%s,%s%s,%s,\"%s\",%s,,%s,,valid\n",
		    json_string_value(json_object_get(d, "dossier_code")),
		    missing ? "-m" : "",
		    missing ? "9" : "",
		    json_string_value(json_object_get(d, "doc_number")),
		    json_string_value(json_object_get(d, "agency_code")),
		    json_string_value(json_object_get(d, "agency_name")),
		    json_string_value(json_object_get(d, "level")),
		    json_string_value(json_object_get(d, "issued_on")));
	}
	if (fclose(f) == EOF)
		fatal("%s", path);
}

static void
city_rm(const char *dir)
{
	static const char *const files[] = { "sohoa.db", "sohoa.db-wal",
	    "sohoa.db-shm", "register.csv", NULL };
	char *p;
	int i;

	for (i = 0; files[i] != NULL; i++) {
		p = xasprintf("%s/%s", dir, files[i]);
		unlink(p);
		free(p);
	}
}

/* Fills the city: returns the seconds spent shipping. */
static double
city_fill(PGconn *admin, const char *base, const struct conf *conf,
    long n, int offices, struct city_sample *samples, double *making)
{
	struct outbox_result res;
	struct register_stats rs;
	struct document d;
	struct index *ix;
	struct buf text;
	char tmpl[] = "/tmp/sohoa-city-load.XXXXXX", name[32], role[40];
	char err[ERRMAX], *dbpath, *csv, *conninfo;
	long i, lo, hi, every = n / BENCH_SAMPLES, k;
	double t0, shipping = 0;
	int64_t queued;
	json_t **docs;
	PGconn *pg;
	int o, added;

	if (mkdtemp(tmpl) == NULL)
		fatal("mkdtemp");
	buf_init(&text, 1 << 20);
	docs = xcalloc((size_t)(n / offices + 1), sizeof *docs);
	dbpath = xasprintf("%s/sohoa.db", tmpl);
	csv = xasprintf("%s/register.csv", tmpl);
	*making = 0;
	for (o = 0; o < offices; o++) {
		city_office_name(o, name, sizeof name, role, sizeof role);
		if (city_schema_office_add(admin, name, role, &added, err) == -1)
			fatalx("office %s: %s", name, err);
		lo = n * o / offices;
		hi = n * (o + 1) / offices;
		t0 = bench_now();
		if ((ix = index_open(dbpath, err)) == NULL)
			fatalx("%s", err);
		if (outbox_start(ix, name, &queued, err) == -1)
			fatalx("%s: %s", name, err);
		if (index_begin(ix) == -1)
			fatalx("cannot begin a transaction");
		for (i = lo; i < hi; i++) {
			struct bench_sample *s = NULL;

			k = i / every;
			if (i % every == 0 && k < BENCH_SAMPLES) {
				s = &samples[k].s;
				snprintf(samples[k].office,
				    sizeof samples[k].office, "%s", name);
				samples[k].id = i - lo + 1;
			}
			docs[i - lo] = bench_record(i, &text, s);
			city_office_agency(docs[i - lo], o);
			if (document_from_json(docs[i - lo], &d, err) == -1 ||
			    store_insert(ix, &d, text.data, err) == -1)
				fatalx("record %ld: %s", i, err);
			document_free(&d);
		}
		if (index_commit(ix) == -1)
			fatalx("cannot commit");
		city_register(csv, docs, hi - lo);
		for (i = lo; i < hi; i++)
			json_decref(docs[i - lo]);
		if (register_import(ix, conf, csv, city_bad_row, NULL, &rs,
		    err) == -1)
			fatalx("%s: register: %s", name, err);
		if (register_match_refresh(ix, err) == -1)
			fatalx("%s: %s", name, err);
		*making += bench_now() - t0;

		/* Shipping, as the office's own role. */
		t0 = bench_now();
		conninfo = xasprintf("%s user=%s", base, role);
		if ((pg = city_connect(conninfo, err)) == NULL)
			fatalx("%s", err);
		memset(&res, 0, sizeof res);
		while ((k = outbox_send(ix, pg, name, CITY_BATCH, 0, 0, &res,
		    err)) > 0)
			;
		if (k == -1)
			fatalx("%s: %s", name, err);
		if (res.refused > 0)
			fatalx("%s: the city refused %lld changes", name,
			    (long long)res.refused);
		city_close(pg);
		free(conninfo);
		shipping += bench_now() - t0;
		index_close(ix);
		city_rm(tmpl);
		if ((o + 1) % (offices / 10 > 0 ? offices / 10 : 1) == 0) {
			printf("  %d offices, %ld records: making %.0f s, "
			    "shipping %.0f s (%.0f records/s)\n", o + 1, hi,
			    *making, shipping, hi / shipping);
			fflush(stdout);
		}
	}
	rmdir(tmpl);
	free(dbpath);
	free(csv);
	free(docs);
	buf_free(&text);
	return shipping;
}

static void
city_queries(PGconn *pg, struct city_sample *samples, int nq)
{
	struct city_asker asker = { "phuong-001", NULL };
	struct search_filter f;
	double t1, *lat[SHAPE_COUNT];
	long found[SHAPE_COUNT];
	char err[ERRMAX], from[11], to[11], *query;
	size_t i;
	int k, q;
	json_t *r, *e;

	for (k = 0; k < SHAPE_COUNT; k++) {
		lat[k] = xcalloc((size_t)nq, sizeof *lat[k]);
		found[k] = 0;
	}
	for (q = 0; q < nq; q++) {
		for (k = 0; k < SHAPE_COUNT; k++) {
			struct city_sample *s =
			    &samples[bench_rand(BENCH_SAMPLES)];

			query = bench_shape_query(k, &s->s, &f, from, to);
			t1 = bench_now();
			r = city_search(pg, &asker, query, k == SHAPE_FILTERED ?
			    &f : NULL, 20, err);
			lat[k][q] = (bench_now() - t1) * 1000;
			if (r == NULL)
				fatalx("'%s': %s", query, err);
			json_array_foreach(r, i, e)
				if (json_integer_value(json_object_get(e,
				    "id")) == s->id && strcmp(json_string_value(
				    json_object_get(e, "office")), s->office) ==
				    0) {
					found[k]++;
					break;
				}
			json_decref(r);
			free(query);
		}
	}
	bench_print_shapes("city_search", lat, found, nq);
	for (k = 0; k < SHAPE_COUNT; k++)
		free(lat[k]);
}

static void
city_reports(PGconn *pg, const struct conf *conf)
{
	struct city_asker asker = { "phuong-001", NULL };
	struct report_opts opts;
	double t, best = 1e9, worst = 0;
	char err[ERRMAX];
	json_t *r;
	int i;

	memset(&opts, 0, sizeof opts);
	for (i = 0; i < 5; i++) {
		t = bench_now();
		if ((r = city_report(pg, &asker, conf, &opts, err)) == NULL)
			fatalx("report --city: %s", err);
		t = bench_now() - t;
		if (t < best)
			best = t;
		if (t > worst)
			worst = t;
		if (i == 0) {
			char *s = json_dumps(json_object_get(r, "levels"),
			    JSON_COMPACT);

			printf("\nreport --city levels: %.300s\n", s);
			free(s);
		}
		json_decref(r);
	}
	printf("report --city over every office: best %.2f s, worst %.2f s "
	    "(5 runs)\n", best, worst);
}

int
main(int argc, char **argv)
{
	struct city_sample *samples;
	struct conf conf;
	const char *admin_url = NULL, *base = NULL;
	char err[ERRMAX], cpath[] = "/tmp/sohoa-city-conf.XXXXXX";
	long n = 1000000, i, every;
	int offices = 300, nq = 200, skip = 0, ch, fd;
	double making, shipping;
	struct buf text;
	PGconn *admin, *pg;

	while ((ch = getopt(argc, argv, "a:b:n:o:q:s")) != -1) {
		switch (ch) {
		case 'a':
			admin_url = optarg;
			break;
		case 'b':
			base = optarg;
			break;
		case 'n':
			n = atol(optarg);
			break;
		case 'o':
			offices = atoi(optarg);
			break;
		case 'q':
			nq = atoi(optarg);
			break;
		case 's':
			skip = 1;
			break;
		default:
			goto usage;
		}
	}
	if (admin_url == NULL || base == NULL)
		goto usage;
	if (n < BENCH_SAMPLES || offices < 1 || n / offices < 10 || nq < 1)
		fatalx("at least %d records, 10 an office, and one query",
		    BENCH_SAMPLES);
	log_init("city-load", 0);
	/* The built-in levels and targets, as an office without [targets]. */
	if ((fd = mkstemp(cpath)) == -1)
		fatal("mkstemp");
	close(fd);
	if (conf_load(cpath, &conf, err) == -1)
		fatalx("%s", err);
	unlink(cpath);
	if ((admin = city_connect(admin_url, err)) == NULL)
		fatalx("%s", err);
	samples = xcalloc(BENCH_SAMPLES, sizeof *samples);
	every = n / BENCH_SAMPLES;
	if (skip) {
		/* The same records, for their samples, without the city. */
		buf_init(&text, 1 << 20);
		for (i = 0; i < n; i++) {
			long k = i / every, o;

			if (i % every != 0 || k >= BENCH_SAMPLES) {
				json_decref(bench_record(i, &text, NULL));
				continue;
			}
			json_decref(bench_record(i, &text, &samples[k].s));
			for (o = 0; n * (o + 1) / offices <= i; o++)
				;
			snprintf(samples[k].office, sizeof samples[k].office,
			    "phuong-%03ld", o + 1);
			samples[k].id = i - n * o / offices + 1;
		}
		buf_free(&text);
	} else {
		printf("filling the city with %ld records of %d offices ...\n",
		    n, offices);
		fflush(stdout);
		shipping = city_fill(admin, base, &conf, n, offices, samples,
		    &making);
		printf("\n%ld records of %d offices: making them %.0f s; "
		    "shipping %.0f s, %.0f records/s from one office at a "
		    "time\n", n, offices, making, shipping, n / shipping);
		if (city_exec(admin, "VACUUM ANALYZE", err) == -1)
			fatalx("%s", err);
	}
	/* City users search as an office's role: phuong-001's. */
	{
		char *ci = xasprintf("%s user=bench_office_001", base);

		if ((pg = city_connect(ci, err)) == NULL)
			fatalx("%s", err);
		free(ci);
	}
	city_queries(pg, samples, nq);
	city_reports(pg, &conf);
	printf("\n\"in top 20\": the record the query was made from is among "
	    "the results.\nGoals: p99 under 100 ms for every shape, report "
	    "under 3 s, shipping at least 2,000 records/s.\n");
	city_close(pg);
	city_close(admin);
	conf_free(&conf);
	free(samples);
	return 0;
usage:
	fprintf(stderr, "usage: city-load -a ADMIN_CONNINFO -b "
	    "OFFICE_CONNINFO [-n RECORDS] [-o OFFICES] [-q QUERIES] [-s]\n");
	return 2;
}
