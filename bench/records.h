/*
 * records.h: the synthetic results the benchmarks index and search
 * (search-1m over one office, city over many): names as common as they are
 * in Viet Nam, wards of Hà Nội, document types with their numbers, dossier
 * codes and ID numbers, from a fixed seed, and the query shapes clerks
 * type.
 */
#ifndef BENCH_RECORDS_H
#define BENCH_RECORDS_H

#include "sohoa.h"

#define BENCH_SAMPLES	2000	/* records remembered to query for */

/* What a query is made from: one record's values. */
struct bench_sample {
	long	 rec;		/* the record's id: ids are given in order */
	char	 name[96];
	char	 id[16];
	char	 dossier[40];
	char	 date[11];
	const char *level;
};

enum { SHAPE_FOLDED, SHAPE_MARKS, SHAPE_ID, SHAPE_DOSSIER, SHAPE_PHRASE,
    SHAPE_FILTERED, SHAPE_COUNT };
extern const char *const bench_shape[SHAPE_COUNT];

/* A number below n from the fixed-seed generator. */
uint32_t bench_rand(uint32_t n);
/* Seconds on the monotonic clock. */
double	bench_now(void);
/* Record i (id i + 1 in an index filled in order) as the document object,
 * its text into text; fills s, when not NULL, with what it holds. */
json_t	*bench_record(long i, struct buf *text, struct bench_sample *s);
/* qsort's comparison of doubles. */
int	bench_cmp(const void *, const void *);
/* The last two words of a folded name, in quotes: "thu huong". */
char	*bench_phrase(const char *folded);
char	*bench_shape_query(int k, const struct bench_sample *s,
	    struct search_filter *f, char from[11], char to[11]);
/* The p50, p99 and mean of nq latencies (ms) of each shape, sorting
 * them, and how often the record asked for was in the top 20. */
void	bench_print_shapes(const char *title, double *lat[SHAPE_COUNT],
	    const long found[SHAPE_COUNT], int nq);

#endif
