/*
 * search.c: what clerks type, and the documents it finds, best first.
 *
 * A query is words, "quoted phrases" and prefixes*, with or without
 * diacritics, in any case, NFC or NFD; filters narrow it by level, agency,
 * type, dates, ID number and dossier code.  Each is checked with a plain
 * sentence for what cannot be meant, and made into an FTS5 expression in
 * which every string is quoted, so that no input is read as FTS5 syntax.
 *
 * Ranking by diacritics.  The full text holds beside each folded token its
 * exact twin (tokenizer.c).  When a query is typed with diacritics, each of
 * its words becomes "folded OR twin"; since a twin implies its folded
 * token, that finds exactly what the folded word alone finds, and the aux
 * function sohoa_rank counts the words matched through their twins.
 * Results are ordered by that count, then by BM25.  A query typed without
 * diacritics is folded only and ranked by BM25 alone.
 *
 * A million documents.  A common name ("nguyen van minh") is in a tenth of
 * them, and ranking them all takes longer than a clerk should wait: FTS5's
 * bm25() alone counts every row holding each word.  So sohoa_rank computes
 * BM25 itself with the IDF estimated on the newest SEARCH_SAMPLE documents,
 * only the newest SEARCH_WINDOW candidates are ranked, and a table of the
 * people named on each document (names: folded, whole and by their last
 * words, kept by store.c) brings in the older documents naming a person as
 * typed.  A name typed whole is found however old its document; a query of
 * common words found apart ranks the newest SEARCH_WINDOW documents that
 * hold them (see search_rank).  The older documents are scored from the
 * name they hold (search_score_named), not by asking the full text once
 * each: there the diacritics typed count as matched when that person's
 * name has them.  Measured by bench/search-1m.
 */
#include <sys/types.h>

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <utf8proc.h>

#include "sohoa.h"

#define SEARCH_QUERYMAX	4096	/* bytes of a query */
#define SEARCH_WINDOW	1000	/* candidates ranked, newest first */
#define SEARCH_SPAN	500	/* candidates in the first range, with filters */
#define SEARCH_SCAN	10000	/* about the most looked at, to meet filters */
#define SEARCH_FORWARD	2000	/* candidates passing filters read oldest
				 * first, at most (search_rank_range) */
#define SEARCH_SAMPLE	5000	/* newest documents IDF is estimated on */
#define SEARCH_NAMED_SPAN 100000 /* newest documents searched word by word
				 * for a name the names table knows */

/* Letters or digits, the characters tokens are made of. */
static void
search_term_classify(struct search_term *t)
{
	const utf8proc_uint8_t *p = (const utf8proc_uint8_t *)t->text;
	utf8proc_int32_t cp;
	utf8proc_ssize_t n;
	size_t i, len = strlen(t->text);
	char *folded;
	int alnum = 0;

	t->digits = len > 0 && strspn(t->text, "0123456789") == len;
	for (i = 0; i < len; i += n > 0 ? (size_t)n : 1) {
		n = utf8proc_iterate(p + i, (utf8proc_ssize_t)(len - i), &cp);
		if (n <= 0)
			continue;
		switch (utf8proc_category(cp)) {
		case UTF8PROC_CATEGORY_LU: case UTF8PROC_CATEGORY_LL:
		case UTF8PROC_CATEGORY_LT: case UTF8PROC_CATEGORY_LM:
		case UTF8PROC_CATEGORY_LO:
			t->letters = 1;
			alnum = 1;
			break;
		case UTF8PROC_CATEGORY_ND: case UTF8PROC_CATEGORY_NL:
		case UTF8PROC_CATEGORY_NO:
			alnum = 1;
			break;
		default:
			break;
		}
	}
	/* Diacritics: folding changes more than ASCII case. */
	folded = vntext_fold(t->text);
	for (i = 0; folded[i] != '\0' && t->text[i] != '\0' &&
	    folded[i] == tolower((unsigned char)t->text[i]); i++)
		;
	t->marks = folded[i] != '\0' || t->text[i] != '\0';
	free(folded);
	if (!alnum) {
		free(t->text);
		t->text = NULL;
	}
}

void
search_terms_free(struct search_term *terms, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(terms[i].text);
	free(terms);
}

/*
 * Splits a query into words and "quoted phrases", each possibly ending in
 * '*' (a prefix).  A word or phrase with no letter or digit is dropped.
 * Returns -1 with a plain sentence in err for what cannot be meant.
 */
int
search_parse_query(const char *query, struct search_term **termsp, size_t *np,
    char *err)
{
	struct search_term *terms = NULL;
	size_t n = 0, cap = 0, len;
	char *q, *p, *start, *end;
	int rc = -1, prefix, quoted;

	q = vntext_nfc(query, strlen(query));
	if (strlen(q) > SEARCH_QUERYMAX) {
		snprintf(err, ERRMAX, "the query is longer than %d bytes",
		    SEARCH_QUERYMAX);
		goto out;
	}
	for (p = q; *p != '\0'; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = ' ';
	for (p = q; *p != '\0';) {
		if (*p == ' ') {
			p++;
			continue;
		}
		if ((quoted = *p == '"')) {
			start = p + 1;
			if ((end = strchr(start, '"')) == NULL) {
				snprintf(err, ERRMAX, "a quotation mark (\") is "
				    "not closed; put a phrase between two, as "
				    "in \"thu huong\"");
				goto out;
			}
			p = end + 1;
		} else {
			start = p;
			end = p + strcspn(p, " \"");
			p = end;
		}
		len = (size_t)(end - start);
		prefix = 0;
		if (quoted && *p == '*') {
			prefix = 1;
			p++;
		} else if (!quoted && len > 0 && start[len - 1] == '*') {
			prefix = 1;
			len--;
		}
		if (memchr(start, '*', len) != NULL) {
			snprintf(err, ERRMAX, "a * stands for the rest of a word "
			    "and must end it, as in huon*");
			goto out;
		}
		if (n == cap) {
			cap = cap ? cap * 2 : 8;
			terms = xrealloc(terms, cap * sizeof *terms);
		}
		memset(&terms[n], 0, sizeof terms[n]);
		terms[n].text = xmalloc(len + 1);
		memcpy(terms[n].text, start, len);
		terms[n].text[len] = '\0';
		terms[n].prefix = prefix;
		search_term_classify(&terms[n]);
		if (terms[n].text != NULL) {
			terms[n].digits = terms[n].digits && !quoted && !prefix;
			n++;
		}
	}
	rc = 0;
out:
	free(q);
	if (rc == -1) {
		search_terms_free(terms, n);
		terms = NULL;
		n = 0;
	}
	*termsp = terms;
	*np = n;
	return rc;
}

/* A query made for FTS5: its expression and what search_find needs to
 * rank what it finds. */
struct search_query {
	struct buf expr;	/* the FTS5 expression, every string quoted */
	struct buf plain;	/* the same without the twins: it finds the
				 * same documents, for less */
	struct buf shown;	/* plain by words, not pairs: the snippet marks
				 * the words of a phrase, not its last one */
	struct buf mask;	/* per phrase: '1' for an exact twin */
	char	**phrase;	/* each phrase alone, in FTS5's order */
	size_t	 nphrase;
	char	*name;		/* all the words, folded, as the names table
				 * holds a name; NULL for a prefix */
	char	**twin;		/* with name: each word's exact twin, or NULL
				 * when the query is folded only */
	size_t	 nwords;
};

static void
search_query_free(struct search_query *q)
{
	size_t i;

	buf_free(&q->expr);
	buf_free(&q->plain);
	buf_free(&q->shown);
	buf_free(&q->mask);
	for (i = 0; i < q->nphrase; i++)
		free(q->phrase[i]);
	for (i = 0; i < q->nwords; i++)
		free(q->twin[i]);
	free(q->twin);
	free(q->phrase);
	free(q->name);
}

static void	search_name_twins(struct search_query *, const char *);

/* One quoted string into b: column, the string's first byte (a twin's or
 * a pair's, or none), s, and '*' for a prefix. */
static void
search_quoted(struct buf *b, const char *column, const char *prefix,
    const char *s, int star)
{
	buf_append(b, column, strlen(column));
	buf_append(b, "\"", 1);
	buf_append(b, prefix, strlen(prefix));
	for (; *s != '\0'; s++)
		buf_append(b, s, *s == '"' ? 0 : 1);
	buf_append(b, star ? "\"*" : "\"", star ? 2 : 1);
}

/*
 * Appends one quoted string, and notes it as a phrase; all but the twins
 * go to q->plain and q->shown too.  The folded words are asked for by
 * their pairs (tokenizer.c), which find the same rows and places as the
 * words of a phrase do, without comparing the places of common words in
 * every row; the snippet is asked for by the words (q->shown).
 */
static void
search_phrase(struct search_query *q, const char *column, const char *prefix,
    const char *s, int star, char kind)
{
	const char pair[2] = { TOKENIZER_PAIR, '\0' };
	struct buf p;

	buf_init(&p, SEARCH_QUERYMAX * 4);
	search_quoted(&p, column, kind == '0' ? pair : prefix, s, star);
	buf_append(&q->expr, p.data, p.len);
	if (kind == '0') {
		buf_append(&q->plain, p.data, p.len);
		search_quoted(&q->shown, column, prefix, s, star);
	}
	buf_append(&q->mask, &kind, 1);
	q->phrase = xrealloc(q->phrase, (q->nphrase + 1) * sizeof *q->phrase);
	q->phrase[q->nphrase++] = p.data;
}

/* Appends s to the expressions without twins and with. */
static void
search_both(struct search_query *q, const char *s)
{
	buf_append(&q->expr, s, strlen(s));
	buf_append(&q->plain, s, strlen(s));
	buf_append(&q->shown, s, strlen(s));
}

static void
search_and(struct search_query *q)
{
	if (q->expr.len > 0)
		search_both(q, " AND ");
}

/*
 * Bare words of digits from t[i] on that add up to an ID number ("001323
 * 012345"): how many (at least 2), or 0.  They may match it whole.
 */
size_t
search_id_run(const struct search_term *t, size_t n, size_t i)
{
	size_t j, digits = 0;

	for (j = i; j < n && t[j].digits; j++)
		digits += strlen(t[j].text);
	return j - i >= 2 && util_id_length_ok(digits) ? j - i : 0;
}

/*
 * The FTS5 query for the terms and the filters that the full text can
 * narrow (ID number, dossier code), every string quoted, so that no input
 * is read as FTS5 syntax.  When a term is typed with diacritics, each
 * word becomes "folded OR twin".  Bare words of digits in a row that add
 * up to an ID number ("001323 012345") may also match it whole.  q->expr
 * is empty when there is nothing to match.
 */
static void
search_fts_query(struct search_term *t, size_t n, const char *person_id,
    const char *dossier, struct search_query *q)
{
	struct buf whole, id;
	size_t i, j, k;
	int exact = 0, phrase = n >= 2;
	char twin[2] = { TOKENIZER_TWIN, '\0' };

	memset(q, 0, sizeof *q);
	buf_init(&q->expr, SEARCH_QUERYMAX * 8);
	buf_init(&q->plain, SEARCH_QUERYMAX * 8);
	buf_init(&q->shown, SEARCH_QUERYMAX * 8);
	buf_init(&q->mask, SEARCH_QUERYMAX * 2);
	buf_init(&whole, SEARCH_QUERYMAX * 2);
	buf_init(&id, 64);
	for (i = 0; i < n; i++)
		exact |= t[i].marks;
	for (i = 0; i < n; i = j) {
		if ((j = i + search_id_run(t, n, i)) > i) {
			search_and(q);
			search_both(q, "((");
			for (k = i; k < j; k++) {
				if (k > i)
					search_both(q, " AND ");
				search_phrase(q, "", "", t[k].text, 0, '0');
				buf_printf(&whole, "%s%s", whole.len ? " " : "",
				    t[k].text);
			}
			search_both(q, ") OR ");
			for (k = i; k < j; k++)
				buf_append(&id, t[k].text, strlen(t[k].text));
			search_phrase(q, "", "", id.data, 0, '0');
			buf_free(&id);
			search_both(q, ")");
			continue;
		}
		j = i + 1;
		search_and(q);
		if (exact && t[i].letters) {
			buf_append(&q->expr, "(", 1);
			search_phrase(q, "", "", t[i].text, t[i].prefix, '0');
			buf_append(&q->expr, " OR ", 4);
			search_phrase(q, "", twin, t[i].text, t[i].prefix, '1');
			buf_append(&q->expr, ")", 1);
		} else
			search_phrase(q, "", "", t[i].text, t[i].prefix, '0');
		if (t[i].prefix)
			phrase = 0;
		buf_printf(&whole, "%s%s", whole.len ? " " : "", t[i].text);
	}
	if (person_id != NULL) {
		search_and(q);
		search_phrase(q, "fields : ", "", person_id, 0, '0');
	}
	if (dossier != NULL) {
		search_and(q);
		search_phrase(q, "fields : ", "", dossier, 0, '0');
	}
	if (phrase && whole.data != NULL) {
		q->name = tokenizer_words(whole.data);
		if (strchr(q->name, ' ') == NULL) {
			free(q->name);
			q->name = NULL;
		} else if (exact)
			search_name_twins(q, whole.data);
	}
	buf_free(&whole);
}

/* q->twin: the exact twin of each word of the name typed (NFC), when the
 * words line up with those of q->name. */
static void
search_name_twins(struct search_query *q, const char *typed)
{
	char *copy, *word[64];
	size_t i, n = tokenizer_split_words(typed, &copy, word, 64), folded = 1;

	for (i = 0; q->name[i] != '\0'; i++)
		folded += q->name[i] == ' ';
	if (n == folded) {
		q->twin = xcalloc(n, sizeof *q->twin);
		q->nwords = n;
		for (i = 0; i < n; i++)
			q->twin[i] = tokenizer_twin_str(word[i]);
	}
	free(copy);
}

/*
 * The score sohoa_rank would give an older document found through the
 * names table, without asking the full text (a point query per document
 * costs a seek per word and segment; twenty of them, as long as the rest of
 * the search).  Such a document names a person as typed (people holds the
 * names), so: the words typed with diacritics that match that person's
 * name as typed, counted as sohoa_rank counts exact twins, plus BM25 as
 * for a document of average length holding each word once in the text and
 * once in the fields.
 */
static double
search_score_named(const struct search_query *q, const double *idf,
    const char *people)
{
	const double tf = 1 + RANK_FIELDS_WEIGHT;
	json_t *a = people != NULL ? json_loads(people, 0, NULL) : NULL, *v;
	size_t i, k, n, len = strlen(q->name), nl, exact, best = 0, ntwin = 0;
	double bm25 = 0, g = tf * (RANK_K1 + 1) / (tf + RANK_K1);
	char *folded, *copy, *word[64], *t;

	json_array_foreach(a, i, v) {
		if (!json_is_string(v) || q->twin == NULL)
			continue;
		folded = tokenizer_words(json_string_value(v));
		nl = strlen(folded);
		if (nl >= len && strcmp(folded + nl - len, q->name) == 0 &&
		    (nl == len || folded[nl - len - 1] == ' ')) {
			n = tokenizer_split_words(json_string_value(v), &copy,
			    word, 64);
			for (k = exact = 0; n >= q->nwords && k < q->nwords;
			    k++) {
				t = tokenizer_twin_str(word[n - q->nwords + k]);
				if (t != NULL && q->twin[k] != NULL &&
				    strcmp(t, q->twin[k]) == 0)
					exact++;
				free(t);
			}
			if (exact > best)
				best = exact;
			free(copy);
		}
		free(folded);
	}
	json_decref(a);
	for (i = 0; i < q->nphrase; i++)
		if (q->mask.data[i] == '0')
			bm25 += idf[i] * g;
		else
			ntwin++;
	/* The twins of the words found exact count too, as in sohoa_rank. */
	for (i = 0, k = 0; i < q->nphrase && ntwin > 0; i++)
		if (q->mask.data[i] == '1' && k++ < best)
			bm25 += idf[i] * g;
	return (double)best + bm25 / (1 + bm25);
}

void
search_filter_norm_free(struct search_filter_norm *n)
{
	free(n->agency_code);
	free(n->doc_type);
	free(n->person_id);
	free(n->dossier_code);
}

static char *
search_upper_ascii(const char *s)
{
	char *r = xstrdup(s), *p;

	for (p = r; *p != '\0'; p++)
		*p = (char)toupper((unsigned char)*p);
	return r;
}

int
search_filter_check(const struct search_filter *f, struct search_filter_norm *n,
    char *err)
{
	const char *s;
	char *w;

	memset(n, 0, sizeof *n);
	if (f == NULL)
		return 0;
	if ((s = f->level) != NULL) {
		if (levels_named(f->levels, s) == NULL) {
			struct buf levels;

			buf_init(&levels, ERRMAX / 2);
			levels_list(f->levels, " or ", &levels);
			snprintf(err, ERRMAX, "the level is %s, not '%s'",
			    levels.data ? levels.data : "none", s);
			buf_free(&levels);
			return -1;
		}
		n->level = s;
	}
	if ((s = f->agency_code) != NULL) {
		n->agency_code = search_upper_ascii(s);
		if (*s == '\0' || strlen(s) > 35 || strspn(n->agency_code,
		    "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ.") != strlen(s)) {
			snprintf(err, ERRMAX, "an agency code is letters, digits "
			    "and dots, such as 000.00.11.H26, not '%s'", s);
			return -1;
		}
	}
	if ((s = f->doc_type) != NULL) {
		w = tokenizer_words(s);
		if (*w == '\0') {
			free(w);
			snprintf(err, ERRMAX, "the document type to look for has "
			    "no words");
			return -1;
		}
		n->doc_type = xasprintf(" %s ", w);
		free(w);
	}
	if (date_arg("--from", f->from, n->from_ymd, err) == -1 ||
	    date_arg("--to", f->to, n->to_ymd, err) == -1)
		return -1;
	n->from = f->from ? n->from_ymd : NULL;
	n->to = f->to ? n->to_ymd : NULL;
	if (n->from != NULL && n->to != NULL && strcmp(n->from, n->to) > 0) {
		snprintf(err, ERRMAX, "the date range ends (%s) before it "
		    "starts (%s)", n->to, n->from);
		return -1;
	}
	if ((s = f->person_id) != NULL) {
		n->person_id = xmalloc(UTIL_ID_DIGITS + 1);
		if (util_id_number(s, n->person_id) == -1) {
			snprintf(err, ERRMAX, "'%s' is not a personal ID number "
			    "(" UTIL_ID_RULE ")", s);
			return -1;
		}
	}
	if ((s = f->dossier_code) != NULL) {
		n->dossier_code = search_upper_ascii(s);
		if (*s == '\0' || strlen(s) > 64 || strspn(n->dossier_code,
		    "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ.-") != strlen(s) ||
		    strpbrk(s, "0123456789") == NULL) {
			snprintf(err, ERRMAX, "a dossier code is letters, digits, "
			    "dots and dashes, such as 000.23.11.H26-240315-0017, "
			    "not '%s'", s);
			return -1;
		}
	}
	n->any = n->level || n->agency_code || n->doc_type || n->from ||
	    n->to || n->person_id || n->dossier_code;
	return 0;
}

static void
search_bind_filters(struct db_stmt *st, const struct search_filter_norm *nf)
{
	db_bind_text(st, 3, nf->level);
	db_bind_text(st, 4, nf->agency_code);
	db_bind_text(st, 5, nf->doc_type);
	db_bind_text(st, 6, nf->from);
	db_bind_text(st, 7, nf->to);
	db_bind_text(st, 8, nf->person_id);
	db_bind_text(st, 9, nf->dossier_code);
}

/* Steps st to its end; the rows go to row(st, arg).  0, or -1 with err. */
static int
search_rows(struct index *ix, struct db_stmt *st,
    void (*row)(struct db_stmt *, void *), void *arg, char *err)
{
	int rc;

	while ((rc = db_step(st)) == DB_ROW)
		if (row != NULL)
			row(st, arg);
	db_reset(st);
	if (rc != DB_DONE) {
		/* Every string is quoted, so this is not the user's doing. */
		snprintf(err, ERRMAX, "the search could not be run: %s",
		    db_errmsg(index_db(ix)));
		return -1;
	}
	return 0;
}

static void
search_row_int64(struct db_stmt *st, void *arg)
{
	*(int64_t *)arg = db_col_int64(st, 0);
}

/*
 * The IDF of each phrase of q, estimated as FTS5's bm25() does, on the
 * newest SEARCH_SAMPLE documents (all of them in a smaller index); an exact
 * twin gets its folded word's.  Into idf (q->nphrase of them), and
 * returned as sohoa_rank takes them, "idf,idf,..." (caller frees).
 * *share is the share of those documents the whole query finds, *maxid
 * the newest id.
 */
static char *
search_idfs(struct index *ix, struct search_query *q, double *idf,
    double *share, int64_t *maxid, char *err)
{
	struct buf b;
	struct db_stmt *st;
	int64_t lo = 0, n = 0, hits;
	size_t i;

	/* Ids are given in order, so the newest are the highest. */
	if (search_rows(ix, index_stmt(ix, STMT_MAX_ID), search_row_int64, &lo,
	    err) == -1)
		return NULL;
	*maxid = lo;
	if (lo > SEARCH_SAMPLE) {
		lo -= SEARCH_SAMPLE - 1;
		n = SEARCH_SAMPLE;
	} else if (lo = 0, search_rows(ix, index_stmt(ix, STMT_SAMPLE_ALL),
	    search_row_int64, &n, err) == -1)
		return NULL;
	for (i = 0; i <= q->nphrase; i++) {
		/* A twin weighs what its folded word, just before it, weighs:
		 * which of them matches is counted apart (sohoa_rank). */
		if (i < q->nphrase && i > 0 && q->mask.data[i] == '1') {
			idf[i] = idf[i - 1];
			continue;
		}
		st = index_stmt(ix, STMT_SAMPLE);
		db_bind_text(st, 1, i < q->nphrase ? q->phrase[i] :
		    q->plain.data);
		db_bind_int64(st, 2, lo);
		hits = 0;
		if (search_rows(ix, st, search_row_int64, &hits, err) == -1)
			return NULL;
		if (i == q->nphrase) {
			*share = n > 0 ? (double)hits / n : 0;
			break;
		}
		idf[i] = log((n - hits + 0.5) / (hits + 0.5));
		if (idf[i] < 1e-6)
			idf[i] = 1e-6;
	}
	buf_init(&b, 1 << 16);
	buf_append(&b, "", 0);
	for (i = 0; i < q->nphrase; i++)
		buf_printf(&b, "%s%.6g", i ? "," : "", idf[i]);
	return b.data;
}

/* Candidates, with their scores once ranked. */
struct search_hit {
	int64_t	 id;
	double	 score;
};
struct search_hits {
	struct search_hit *v;
	size_t	 n;
	size_t	 cap;
};

static void
search_hits_add(struct search_hits *h, int64_t id, double score)
{
	if (h->n == h->cap) {
		h->cap = h->cap ? h->cap * 2 : 64;
		h->v = xrealloc(h->v, h->cap * sizeof *h->v);
	}
	h->v[h->n].id = id;
	h->v[h->n++].score = score;
}

static void
search_row_hit(struct db_stmt *st, void *arg)
{
	search_hits_add(arg, db_col_int64(st, 0),
	    db_col_double(st, 1));
}

/* An older document naming the person typed, scored from its names. */
struct search_named {
	const struct search_query *q;
	const double *idf;
	struct search_hits *h;
};

static void
search_row_named(struct db_stmt *st, void *arg)
{
	struct search_named *nm = arg;

	search_hits_add(nm->h, db_col_int64(st, 0),
	    search_score_named(nm->q, nm->idf,
	    db_col_text(st, 1)));
}

/* The newer document first. */
static int
search_hit_newer(const void *a, const void *b)
{
	const struct search_hit *x = a, *y = b;

	return x->id < y->id ? 1 : x->id > y->id ? -1 : 0;
}

/*
 * The newest most candidates with rowids in [lo, hi], with their scores,
 * added to h.  With filters, the range is one search_rank sized to hold a
 * few hundred candidates, fewer than most of which pass as a rule: it is
 * read oldest first, which FTS5 does faster, and the newest most of those
 * that pass kept; the same ones newest first would have given.  Should
 * more than SEARCH_FORWARD pass, they are asked for newest first instead,
 * so that no more than that are ranked for nothing.
 */
static int
search_rank_range(struct index *ix, struct search_query *q, const char *idfs,
    const struct search_filter_norm *nf, int64_t lo, int64_t hi, int most,
    struct search_hits *h, char *err)
{
	struct db_stmt *st;
	size_t before = h->n;
	int forward = nf->any && most < SEARCH_FORWARD;

	for (;;) {
		st = index_stmt(ix, !nf->any ? STMT_RANK : forward ?
		    STMT_RANK_FORWARD : STMT_RANK_FILTERED);
		db_bind_text(st, 1, q->expr.data);
		db_bind_text(st, 2, q->mask.data);
		if (nf->any)
			search_bind_filters(st, nf);
		db_bind_int64(st, 10, forward ? SEARCH_FORWARD : most);
		db_bind_int64(st, 11, lo);
		db_bind_text(st, 13, idfs);
		db_bind_int64(st, 14, hi);
		if (search_rows(ix, st, search_row_hit, h, err) == -1)
			return -1;
		if (!forward || h->n - before < SEARCH_FORWARD)
			break;
		h->n = before;
		forward = 0;
	}
	if (h->n - before > (size_t)most) {
		qsort(h->v + before, h->n - before, sizeof *h->v,
		    search_hit_newer);
		h->n = before + (size_t)most;
	}
	return 0;
}

/* Best first: the higher score, then the newer document. */
static int
search_hit_cmp(const void *a, const void *b)
{
	const struct search_hit *x = a, *y = b;

	if (x->score != y->score)
		return x->score < y->score ? 1 : -1;
	return x->id < y->id ? 1 : x->id > y->id ? -1 : 0;
}

/*
 * Ranks the documents matching q.  Ranking a million documents that hold a
 * common name costs more than a clerk should wait, so the newest
 * SEARCH_WINDOW candidates are ranked.  With filters, each candidate is
 * looked up in the records: the newest documents are taken in ranges
 * expected to hold SEARCH_SPAN candidates (from the share the sample found),
 * four times larger each time while fewer than limit pass, until about
 * SEARCH_SCAN candidates were looked at.  The newest older documents that
 * name a person as typed (the names table: a full name, or its last words
 * such as "thu huong") are ranked too: a name typed whole is found however
 * old its document.
 */
static int
search_rank(struct index *ix, struct search_query *q,
    const struct search_filter_norm *nf, int limit, struct search_hits *h,
    char *err)
{
	struct search_named named;
	struct db_stmt *st;
	int64_t lo = 0, hi = INT64_MAX, maxid = 0, docs, floor = 0, span;
	double share = 0, seen = 0, *idf = NULL;
	char *idfs = NULL;
	size_t i, before;
	int rc = -1;

	if ((span = index_named_span(ix)) <= 0)
		span = SEARCH_NAMED_SPAN;
	idf = xcalloc(q->nphrase + 1, sizeof *idf);
	if ((idfs = search_idfs(ix, q, idf, &share, &maxid, err)) == NULL)
		goto out;
	docs = share > 0 ? (int64_t)(SEARCH_SPAN / share) : maxid;
	/*
	 * A rare name typed whole would have the full text read back to the
	 * first document for the words found apart.  When the names table
	 * knows the name, the documents naming that person are found there
	 * however old, so the words apart are looked for among the newest
	 * SEARCH_NAMED_SPAN documents only, with filters or without.
	 */
	if (q->name != NULL && maxid > span &&
	    share * (double)maxid < 4.0 * SEARCH_WINDOW) {
		st = index_stmt(ix, STMT_NAME_KNOWN);
		db_bind_text(st, 1, q->name);
		if (db_step(st) == DB_ROW)
			floor = maxid - span + 1;
		db_reset(st);
	}
	for (;;) {
		before = h->n;
		lo = nf->any ? hi - docs + 1 : 0;
		if (hi == INT64_MAX)
			lo = nf->any ? maxid - docs + 1 : 0;
		if (lo < floor)
			lo = floor;
		if (lo <= 1)
			lo = 0;
		if (search_rank_range(ix, q, idfs, nf, lo, hi, SEARCH_WINDOW, h,
		    err) == -1)
			goto out;
		/* A full window: the older candidates were left out. */
		if (h->n - before == SEARCH_WINDOW)
			for (i = before, lo = hi; i < h->n; i++)
				if (h->v[i].id < lo)
					lo = h->v[i].id;
		seen += share * (double)docs;
		if (!nf->any || lo == 0 || lo == floor ||
		    h->n - before == SEARCH_WINDOW ||
		    h->n >= (size_t)limit || seen >= SEARCH_SCAN)
			break;
		hi = lo - 1;
		docs *= 4;
	}
	if (lo > 0 && q->name != NULL) {
		named.q = q;
		named.idf = idf;
		named.h = h;
		st = index_stmt(ix, STMT_OLDER);
		search_bind_filters(st, nf);
		db_bind_int64(st, 10, limit);
		db_bind_int64(st, 11, lo);
		db_bind_text(st, 15, q->name);
		if (search_rows(ix, st, search_row_named, &named, err) == -1)
			goto out;
	}
	if (h->n > 0)
		qsort(h->v, h->n, sizeof *h->v, search_hit_cmp);
	if (h->n > (size_t)limit)
		h->n = (size_t)limit;
	rc = 0;
out:
	free(idf);
	free(idfs);
	return rc;
}

/* The documents of the hits, best first, with score and snippet. */
static json_t *
search_fetch(struct index *ix, struct search_query *q, struct search_hits *h,
    char *err)
{
	struct db_stmt *st;
	json_t *a = json_array(), *d;
	size_t i;
	int rc;

	for (i = 0; i < h->n; i++) {
		/* The twins sit where their folded words do: the plain
		 * expression marks the same words, for less; by words, not
		 * pairs, it marks every word of a phrase. */
		st = index_stmt(ix, STMT_FETCH);
		db_bind_text(st, 1, q->shown.data);
		db_bind_int64(st, 2, h->v[i].id);
		if ((rc = db_step(st)) == DB_ROW) {
			d = store_row_json(st);
			json_object_set_new(d, "score", json_real(h->v[i].score));
			json_object_set_new(d, "snippet",
			    db_col_str(st, INDEX_DOC_NCOLUMNS));
			json_array_append_new(a, d);
		}
		db_reset(st);
		if (rc != DB_ROW && rc != DB_DONE) {
			snprintf(err, ERRMAX, "the search could not be run: %s",
			    db_errmsg(index_db(ix)));
			json_decref(a);
			return NULL;
		}
	}
	return a;
}

static void
search_row_doc(struct db_stmt *st, void *arg)
{
	json_t *d = store_row_json(st);

	json_object_set_new(d, "score", json_null());
	json_object_set_new(d, "snippet", json_null());
	json_array_append_new(arg, d);
}

int
search_parse(const char *query, const struct search_filter *f,
    struct search_parsed *p, char *err)
{
	int blank;

	memset(p, 0, sizeof *p);
	if (search_filter_check(f, &p->nf, err) == -1)
		goto fail;
	blank = query == NULL || strspn(query, " \t\r\n") == strlen(query);
	if (!blank && search_parse_query(query, &p->terms, &p->nterms,
	    err) == -1)
		goto fail;
	if (!blank && p->nterms == 0) {
		snprintf(err, ERRMAX, "the query has no letters or digits to "
		    "search for");
		goto fail;
	}
	if (blank && !p->nf.any) {
		snprintf(err, ERRMAX, "give words to search for, a filter, or "
		    "both");
		goto fail;
	}
	return 0;
fail:
	search_parsed_free(p);
	return -1;
}

void
search_parsed_free(struct search_parsed *p)
{
	search_terms_free(p->terms, p->nterms);
	search_filter_norm_free(&p->nf);
	memset(p, 0, sizeof *p);
}

json_t *
search_find(struct index *ix, const char *query, const struct search_filter *f,
    int limit, char *err)
{
	struct search_parsed p;
	struct search_query q;
	struct search_hits hits;
	struct db_stmt *st;
	json_t *a = NULL;

	memset(&q, 0, sizeof q);
	memset(&hits, 0, sizeof hits);
	if (search_parse(query, f, &p, err) == -1)
		return NULL;
	search_fts_query(p.terms, p.nterms, p.nf.person_id, p.nf.dossier_code,
	    &q);
	if (p.nterms > 0) {
		if (search_rank(ix, &q, &p.nf, limit, &hits, err) == 0)
			a = search_fetch(ix, &q, &hits, err);
		goto out;
	}
	/* Filters only: the newest documents they keep. */
	st = index_stmt(ix, q.expr.len > 0 ? STMT_FILTER_FTS : STMT_FILTER);
	if (q.expr.len > 0)
		db_bind_text(st, 1, q.expr.data);
	search_bind_filters(st, &p.nf);
	db_bind_int64(st, 10, limit);
	a = json_array();
	if (search_rows(ix, st, search_row_doc, a, err) == -1) {
		json_decref(a);
		a = NULL;
	}
out:
	free(hits.v);
	search_query_free(&q);
	search_parsed_free(&p);
	return a;
}
