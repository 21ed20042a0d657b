/*
 * rank.c: sohoa_rank, the FTS5 function that scores a row of the full
 * text for search.c.  An extension SQLite calls back, hence a file of its
 * own: it sees SQLite's types, search.c does not (db.c registers it).
 */
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "sohoa.h"

/* What sohoa_rank works out once per query. */
struct rank_aux {
	int	 nphrase;
	double	*idf;		/* per phrase, as search_find estimated it */
	double	 avgdl;		/* tokens in an average row */
};

static void
rank_aux_free(void *p)
{
	struct rank_aux *r = p;

	free(r->idf);
	free(r);
}

/*
 * sohoa_rank(documents_fts, mask, idfs): the score of this row, higher is
 * better: how many phrases marked '1' in mask match (the words typed with
 * diacritics that match as typed), plus BM25 squeezed into [0, 1).  BM25
 * is FTS5's own (k1 1.2, b 0.75, the fields column weighing 4), except
 * that the IDF of each phrase comes in idfs (comma-separated), which
 * search_find estimates on the newest documents: FTS5's bm25() counts
 * every row holding each phrase, tens of milliseconds for a common name
 * over a million documents.
 */
static void
rank_fts(const Fts5ExtensionApi *api, Fts5Context *fts,
    sqlite3_context *ctx, int nval, sqlite3_value **val)
{
	static const double weight[2] = { 1.0, RANK_FIELDS_WEIGHT };
	const double k1 = RANK_K1, b = RANK_B;
	const unsigned char *mask = nval > 0 ? sqlite3_value_text(val[0]) : NULL;
	const char *idfs = nval > 1 ? (const char *)sqlite3_value_text(val[1]) :
	    NULL;
	struct rank_aux *r = api->xGetAuxdata(fts, 0);
	double tf[64], score = 0, d;
	sqlite3_int64 nrow = 0, ntok = 0;
	int i, n, ninst, ip, ic, io, dl = 0, exact = 0;
	char *end;

	if (r == NULL) {
		r = xcalloc(1, sizeof *r);
		r->nphrase = api->xPhraseCount(fts);
		r->idf = xcalloc((size_t)r->nphrase + 1, sizeof *r->idf);
		for (i = 0; i < r->nphrase; i++) {
			r->idf[i] = idfs != NULL ? strtod(idfs, &end) : 1;
			if (idfs != NULL)
				idfs = *end == ',' ? end + 1 : end;
		}
		if (api->xRowCount(fts, &nrow) == SQLITE_OK &&
		    api->xColumnTotalSize(fts, -1, &ntok) == SQLITE_OK &&
		    nrow > 0)
			r->avgdl = (double)ntok / (double)nrow;
		if (api->xSetAuxdata(fts, r, rank_aux_free) != SQLITE_OK) {
			sqlite3_result_error_nomem(ctx);
			return;
		}
	}
	n = r->nphrase < 64 ? r->nphrase : 64;
	memset(tf, 0, sizeof tf);
	if (api->xInstCount(fts, &ninst) == SQLITE_OK)
		for (i = 0; i < ninst; i++)
			if (api->xInst(fts, i, &ip, &ic, &io) == SQLITE_OK &&
			    ip < n && ic >= 0 && ic < 2)
				tf[ip] += weight[ic];
	api->xColumnSize(fts, -1, &dl);
	for (i = 0; i < n; i++) {
		if (tf[i] <= 0)
			continue;
		d = r->avgdl > 0 ? dl / r->avgdl : 1;
		score += r->idf[i] * tf[i] * (k1 + 1) /
		    (tf[i] + k1 * (1 - b + b * d));
		if (mask != NULL && (int)strlen((const char *)mask) > i &&
		    mask[i] == '1')
			exact++;
	}
	if (score < 0)
		score = 0;
	sqlite3_result_double(ctx, exact + score / (1 + score));
}

int
rank_register(fts5_api *api)
{
	if (api->xCreateFunction(api, "sohoa_rank", NULL, rank_fts,
	    NULL) != SQLITE_OK)
		return -1;
	return 0;
}
