/*
 * search-1m.c: how fast clerks' searches are over a million records.
 *
 * Builds an index of N synthetic results (default 1,000,000) through the
 * real index code (store_insert, the "sohoa" tokenizer with its exact
 * twins), in a temporary folder, then times search_find over 200 queries
 * of each shape a clerk types: a name without diacritics, the same name
 * with them, a 12-digit ID number, a dossier code, a quoted phrase, and a
 * name narrowed by level and a date range.  Prints p50 and p99 latency per
 * shape (goal: p99 under 50 ms), records indexed per second and the size
 * of the index on disk; then merges the full text (index_optimize, as
 * `sohoa reindex` does) and times the same queries again.
 *
 * The records look like real ones: family names as common as they are in
 * Viet Nam (Nguyễn on nearly four in ten), middle and given names by sex,
 * wards and districts of Hà Nội, document types with their numbers,
 * dossier codes, personal ID numbers, a few hundred bytes of text each.
 * A fixed seed makes every run build the same index.
 *
 * Usage: search-1m [-n RECORDS] [-q QUERIES] [-k] [-g] [-d DIR]
 *   -k keeps the folder; -d DIR queries the index an earlier -k run left
 *   there (with the same -n), without building it again; -g times the
 *   index as it grew only, without merging it (so that a kept index can
 *   be queried as grown again).
 */
#include <sys/stat.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "sohoa.h"
#include "records.h"

#define BENCH_BATCH	10000	/* records per transaction */

/* nq queries of each shape, one at a time; prints their latencies. */
static void
bench_queries(struct index *ix, struct bench_sample *samples, int nq,
    const char *title)
{
	struct search_filter f;
	double t1, *lat[SHAPE_COUNT];
	long found[SHAPE_COUNT], i;
	char err[ERRMAX], from[11], to[11], *query;
	int k, q;
	json_t *r;

	for (k = 0; k < SHAPE_COUNT; k++) {
		lat[k] = xcalloc((size_t)nq, sizeof *lat[k]);
		found[k] = 0;
	}
	for (q = 0; q < nq; q++) {
		for (k = 0; k < SHAPE_COUNT; k++) {
			struct bench_sample *s =
			    &samples[bench_rand(BENCH_SAMPLES)];

			query = bench_shape_query(k, s, &f, from, to);
			t1 = bench_now();
			r = search_find(ix, query, k == SHAPE_FILTERED ? &f :
			    NULL, 20, err);
			lat[k][q] = (bench_now() - t1) * 1000;
			if (r == NULL)
				fatalx("'%s': %s", query, err);
			for (i = 0; i < (long)json_array_size(r); i++)
				if (json_integer_value(json_object_get(
				    json_array_get(r, (size_t)i), "id")) == s->rec) {
					found[k]++;
					break;
				}
			json_decref(r);
			free(query);
		}
	}
	bench_print_shapes(title, lat, found, nq);
	for (k = 0; k < SHAPE_COUNT; k++)
		free(lat[k]);
}

int
main(int argc, char **argv)
{
	struct bench_sample *samples;
	struct index *ix;
	struct buf text;
	struct stat st;
	double t0, build = 0;
	long n = 1000000, i, every;
	int nq = 200, keep = 0, grown_only = 0, ch;
	char tmpl[] = "/tmp/sohoa-search-1m.XXXXXX", err[ERRMAX];
	const char *dir = NULL;
	char *db, *wal;
	json_t *doc;
	struct document d;
	off_t size = 0;

	while ((ch = getopt(argc, argv, "d:gn:q:k")) != -1) {
		switch (ch) {
		case 'd':
			dir = optarg;
			keep = 1;
			break;
		case 'n':
			n = atol(optarg);
			break;
		case 'q':
			nq = atoi(optarg);
			break;
		case 'g':
			grown_only = 1;
			break;
		case 'k':
			keep = 1;
			break;
		default:
			fprintf(stderr, "usage: search-1m [-n RECORDS] "
			    "[-q QUERIES] [-k] [-g] [-d DIR]\n");
			return 2;
		}
	}
	if (n < BENCH_SAMPLES || nq < 1)
		fatalx("at least %d records and one query", BENCH_SAMPLES);
	log_init("search-1m", 0);
	if (dir == NULL && (dir = mkdtemp(tmpl)) == NULL)
		fatal("mkdtemp");
	db = xasprintf("%s/sohoa.db", dir);
	wal = xasprintf("%s/sohoa.db-wal", dir);
	if ((ix = index_open(db, err)) == NULL)
		fatalx("%s", err);
	samples = xcalloc(BENCH_SAMPLES, sizeof *samples);
	every = n / BENCH_SAMPLES;
	buf_init(&text, 1 << 20);

	printf("%s an index of %ld records in %s ...\n", keep && dir != tmpl ?
	    "using" : "building", n, dir);
	fflush(stdout);
	t0 = bench_now();
	for (i = 0; i < n && dir != tmpl; i++) {
		/* The same records, for their samples, without the index. */
		json_decref(bench_record(i, &text, i % every == 0 &&
		    i / every < BENCH_SAMPLES ? &samples[i / every] : NULL));
	}
	for (i = 0; i < n && dir == tmpl; i++) {
		if (i % BENCH_BATCH == 0 && index_begin(ix) == -1)
			fatalx("cannot begin a transaction");
		doc = bench_record(i, &text, i % every == 0 &&
		    i / every < BENCH_SAMPLES ? &samples[i / every] : NULL);
		if (document_from_json(doc, &d, err) == -1 ||
		    store_insert(ix, &d, text.data, err) == -1)
			fatalx("record %ld: %s", i, err);
		document_free(&d);
		json_decref(doc);
		if ((i + 1) % BENCH_BATCH == 0 || i + 1 == n) {
			if (index_commit(ix) == -1)
				fatalx("cannot commit");
			if ((i + 1) % (n / 10) == 0) {
				printf("  %ld records, %.0f s\n", i + 1,
				    bench_now() - t0);
				fflush(stdout);
			}
		}
	}
	build = bench_now() - t0;
	db_exec(index_db(ix), "PRAGMA wal_checkpoint(TRUNCATE)", NULL);
	if (stat(db, &st) == 0)
		size += st.st_size;
	if (stat(wal, &st) == 0)
		size += st.st_size;

	if (dir == tmpl)
		printf("\n%ld records indexed in %.1f s: %.0f records/s", n,
		    build, n / build);
	printf("\nindex on disk %.0f MB (%.0f bytes/record)\n", size / 1e6,
	    (double)size / n);
	bench_queries(ix, samples, nq, "the index as it grew");
	if (grown_only)
		goto done;
	t0 = bench_now();
	if (index_optimize(ix, err) == -1)
		fatalx("%s", err);
	printf("\nmerged into one segment (index_optimize) in %.1f s\n",
	    bench_now() - t0);
	bench_queries(ix, samples, nq, "after index_optimize");
done:
	printf("\n\"in top 20\": the record the query was made from is among "
	    "the results\n(a common name is held by many records).  Goal: p99 "
	    "under 50 ms for every shape.\n");

	index_close(ix);
	buf_free(&text);
	free(samples);
	if (!keep) {
		unlink(db);
		unlink(wal);
		free(db);
		db = xasprintf("%s/sohoa.db-shm", dir);
		unlink(db);
		rmdir(dir);
	} else
		printf("kept: %s\n", dir);
	free(db);
	free(wal);
	return 0;
}
