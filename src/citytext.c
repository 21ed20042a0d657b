/*
 * citytext.c: the city's full text, in PostgreSQL's terms, made so that a
 * city search finds what the office's own search finds.
 *
 * PostgreSQL's parsers know no Vietnamese folding, so sohoa makes the
 * tsvector itself (citytext_tsvector) from the tokens of the local FTS5
 * tokenizer, got by the very code the local index runs (tokenizer_each):
 * each folded token at its position, its exact twin at the same one, never
 * the pairs (a phrase is <-> in PostgreSQL).  Positions count folded
 * tokens from 1 through the body, then through the fields after a gap of
 * one, so that no phrase runs from the text into the fields; the body
 * weighs D, the fields A (ts_rank's {0.25,0.25,0.25,1}: the fields four
 * times the text, as RANK_FIELDS_WEIGHT).  PostgreSQL's own limits are
 * kept here rather than left to fail the cast: a position past 16383 is
 * 16383, a lexeme keeps 256 positions (its fields' first), a lexeme over
 * 2047 bytes is left out, and so are new lexemes once they hold 1 MB.
 *
 * The query side (citytext_tsquery) reads search.c's parsed terms as
 * search.c does for FTS5: the folded words ANDed, a phrase or a whole
 * identifier as its tokens joined by <->, a prefix as :*, split ID
 * numbers also whole; and, when any word is typed with diacritics, the
 * twin query of each word, whose matches the city search counts to put
 * first the documents holding the words as typed, as sohoa_rank does.
 * Every lexeme is quoted, so that no input is read as tsquery syntax.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <utf8proc.h>

#include "sohoa.h"

#define CITYTEXT_MAXPOS		16383		/* PostgreSQL's MAXENTRYPOS - 1 */
#define CITYTEXT_NUMPOS		256		/* positions of a lexeme kept */
#define CITYTEXT_MAXLEX		2047		/* bytes of a lexeme */
#define CITYTEXT_MAXSTR		((1 << 20) - 1)	/* bytes of all lexemes */
#define CITYTEXT_FIELDROOM	(64 << 10)	/* of them kept for the fields */
#define CITYTEXT_WEIGHT_A	3		/* as WordEntryPos holds it */
#define CITYTEXT_SNIPPET	12		/* tokens of a snippet */

/* One lexeme of a tsvector being made, with its positions (weight in the
 * top two bits, as PostgreSQL's WordEntryPos). */
struct citytext_lex {
	char	*s;
	int	 len;
	uint16_t *pos;
	int	 npos, cappos;
	int	 nbody, nfields;	/* positions seen of each, capped */
};

struct citytext_vec {
	struct citytext_lex *lex;
	size_t	 nlex, caplex;
	size_t	*slot;		/* open addressing: index + 1, 0 empty */
	size_t	 nslot;
	size_t	 bytes;		/* of every lexeme */
	int	 pos;		/* the last folded token's */
	int	 weight;
};

static uint64_t
citytext_hash(const char *s, int len)
{
	uint64_t h = 1469598103934665603ULL;	/* FNV-1a */
	int i;

	for (i = 0; i < len; i++) {
		h ^= (unsigned char)s[i];
		h *= 1099511628211ULL;
	}
	return h;
}

static void
citytext_grow(struct citytext_vec *v)
{
	size_t i, j, n = v->nslot ? v->nslot * 2 : 1024;

	free(v->slot);
	v->slot = xcalloc(n, sizeof *v->slot);
	v->nslot = n;
	for (i = 0; i < v->nlex; i++) {
		j = citytext_hash(v->lex[i].s, v->lex[i].len) & (n - 1);
		while (v->slot[j] != 0)
			j = (j + 1) & (n - 1);
		v->slot[j] = i + 1;
	}
}

/* Adds position pos (with v's weight) to the lexeme s[0..len). */
static void
citytext_add(struct citytext_vec *v, const char *s, int len, int pos)
{
	struct citytext_lex *l;
	size_t j;
	int fields = v->weight == CITYTEXT_WEIGHT_A;

	if (len <= 0 || len > CITYTEXT_MAXLEX)
		return;
	if (pos > CITYTEXT_MAXPOS)
		pos = CITYTEXT_MAXPOS;
	if (v->nlex * 2 >= v->nslot)
		citytext_grow(v);
	j = citytext_hash(s, len) & (v->nslot - 1);
	for (; v->slot[j] != 0; j = (j + 1) & (v->nslot - 1)) {
		l = &v->lex[v->slot[j] - 1];
		if (l->len == len && memcmp(l->s, s, (size_t)len) == 0)
			goto found;
	}
	/* A text of a megabyte of words (OCR of a bad page) leaves room for
	 * the fields, which come after it and are what clerks type. */
	if (v->bytes + (size_t)len > (fields ? CITYTEXT_MAXSTR :
	    CITYTEXT_MAXSTR - CITYTEXT_FIELDROOM))
		return;
	if (v->nlex == v->caplex) {
		v->caplex = v->caplex ? v->caplex * 2 : 256;
		v->lex = xrealloc(v->lex, v->caplex * sizeof *v->lex);
	}
	l = &v->lex[v->nlex];
	memset(l, 0, sizeof *l);
	l->s = xmalloc((size_t)len);
	memcpy(l->s, s, (size_t)len);
	l->len = len;
	v->slot[j] = ++v->nlex;
	v->bytes += (size_t)len;
found:
	/* The first CITYTEXT_NUMPOS of each column are enough to keep the
	 * fields' own when the text repeats a word: the rest is cut at the
	 * end (citytext_positions). */
	if ((fields ? l->nfields : l->nbody) >= CITYTEXT_NUMPOS)
		return;
	if (l->npos > 0 && (l->pos[l->npos - 1] & 0x3fff) == pos) {
		/* A twin colocated with its folded token, or positions
		 * capped: once, with the higher weight. */
		if (fields)
			l->pos[l->npos - 1] = (uint16_t)(pos |
			    CITYTEXT_WEIGHT_A << 14);
		return;
	}
	if (l->npos == l->cappos) {
		l->cappos = l->cappos ? l->cappos * 2 : 4;
		l->pos = xrealloc(l->pos, (size_t)l->cappos * sizeof *l->pos);
	}
	l->pos[l->npos++] = (uint16_t)(pos | (fields ? CITYTEXT_WEIGHT_A << 14 :
	    0));
	if (fields)
		l->nfields++;
	else
		l->nbody++;
}

static int
citytext_vec_token(void *arg, int colocated, const char *tok, int len,
    int start, int end)
{
	struct citytext_vec *v = arg;

	if (!colocated)
		citytext_add(v, tok, len, ++v->pos);
	else if (len > 0 && tok[0] == TOKENIZER_TWIN)
		citytext_add(v, tok, len, v->pos > 0 ? v->pos : 1);
	/* Pairs are FTS5's way to phrases; PostgreSQL has <->. */
	return 0;
}

/* PostgreSQL's order of lexemes: bytes, then the shorter first. */
static int
citytext_lex_cmp(const void *a, const void *b)
{
	const struct citytext_lex *x = a, *y = b;
	int c = memcmp(x->s, y->s, (size_t)(x->len < y->len ? x->len : y->len));

	if (c != 0)
		return c;
	return x->len < y->len ? -1 : x->len > y->len;
}

/* Appends s[0..len) to b quoted as a tsvector or tsquery lexeme. */
static void
citytext_quote(struct buf *b, const char *s, int len)
{
	int i;

	buf_append(b, "'", 1);
	for (i = 0; i < len; i++) {
		if (s[i] == '\'' || s[i] == '\\')
			buf_append(b, s[i] == '\'' ? "'" : "\\", 1);
		buf_append(b, s + i, 1);
	}
	buf_append(b, "'", 1);
}

/*
 * A lexeme's positions as they go into the literal: ascending, one per
 * position, at most CITYTEXT_NUMPOS, the fields' kept first when there
 * are more (PostgreSQL would keep the first ones, the body's, and lose
 * the weight that ranks a name in the fields above one in the text).
 */
static void
citytext_positions(struct buf *b, struct citytext_lex *l)
{
	int i, keep_body = l->npos, n = 0;

	if (l->npos > CITYTEXT_NUMPOS)
		keep_body = CITYTEXT_NUMPOS - (l->nfields < CITYTEXT_NUMPOS ?
		    l->nfields : CITYTEXT_NUMPOS);
	for (i = 0; i < l->npos && n < CITYTEXT_NUMPOS; i++) {
		if ((l->pos[i] >> 14) != CITYTEXT_WEIGHT_A && keep_body-- <= 0)
			continue;
		buf_printf(b, "%s%d%s", n++ ? "," : ":", l->pos[i] & 0x3fff,
		    (l->pos[i] >> 14) == CITYTEXT_WEIGHT_A ? "A" : "");
	}
}

char *
citytext_tsvector(const char *body, const char *fields)
{
	struct citytext_vec v;
	struct buf b;
	char err[ERRMAX], *nfc;
	size_t i;
	int rc;

	memset(&v, 0, sizeof v);
	nfc = vntext_nfc(body ? body : "", body ? strlen(body) : 0);
	rc = tokenizer_each(nfc, strlen(nfc), TOKENIZER_DOCUMENT,
	    citytext_vec_token, &v, err);
	free(nfc);
	if (rc == 0) {
		v.pos++;
		v.weight = CITYTEXT_WEIGHT_A;
		nfc = vntext_nfc(fields ? fields : "", fields ? strlen(fields) :
		    0);
		rc = tokenizer_each(nfc, strlen(nfc), TOKENIZER_DOCUMENT,
		    citytext_vec_token, &v, err);
		free(nfc);
	}
	/* 1 MB of lexemes, quoted, with up to 256 positions each. */
	buf_init(&b, (size_t)64 << 20);
	buf_append(&b, "", 0);
	if (v.nlex > 0)
		qsort(v.lex, v.nlex, sizeof *v.lex, citytext_lex_cmp);
	for (i = 0; rc == 0 && i < v.nlex; i++) {
		if (i > 0)
			buf_append(&b, " ", 1);
		citytext_quote(&b, v.lex[i].s, v.lex[i].len);
		citytext_positions(&b, &v.lex[i]);
	}
	for (i = 0; i < v.nlex; i++) {
		free(v.lex[i].s);
		free(v.lex[i].pos);
	}
	free(v.lex);
	free(v.slot);
	if (rc != 0) {
		log_warnx("city full text: %s", err);
		buf_free(&b);
		return NULL;
	}
	return b.data;
}

/* The tokens of one term of a query. */
struct citytext_toks {
	char	**v;
	int	*len;
	size_t	 n;
};

static int
citytext_tok_keep(void *arg, int colocated, const char *tok, int len,
    int start, int end)
{
	struct citytext_toks *t = arg;

	if (colocated)
		return 0;
	t->v = xrealloc(t->v, (t->n + 1) * sizeof *t->v);
	t->len = xrealloc(t->len, (t->n + 1) * sizeof *t->len);
	t->v[t->n] = xmalloc((size_t)len + 1);
	memcpy(t->v[t->n], tok, (size_t)len);
	t->v[t->n][len] = '\0';
	t->len[t->n++] = len;
	return 0;
}

static void
citytext_toks_free(struct citytext_toks *t)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		free(t->v[i]);
	free(t->v);
	free(t->len);
	memset(t, 0, sizeof *t);
}

/* Remembers a folded word of the query, for the snippet's marks. */
static void
citytext_word(struct citytext_query *q, const char *w, int len, int prefix)
{
	size_t i;

	for (i = 0; i < q->nwords; i++)
		if (strcmp(q->words[i], w) == 0 && q->prefix[i] == prefix)
			return;
	q->words = xrealloc(q->words, (q->nwords + 1) * sizeof *q->words);
	q->prefix = xrealloc(q->prefix, (q->nwords + 1) * sizeof *q->prefix);
	q->words[q->nwords] = xstrdup(w);
	q->prefix[q->nwords++] = prefix;
	(void)len;
}

/*
 * The phrase of s's tokens into b: 'a' <-> 'b' <-> 'c', the last with :*
 * for a prefix, each with :A when weight is set (the fields only).  twin:
 * the twins' phrase (s read as a query beginning with TOKENIZER_TWIN).
 * Returns how many tokens, 0 when s has none (nothing is appended), -1
 * with err.
 */
static int
citytext_phrase(struct citytext_query *q, struct buf *b, const char *s,
    int prefix, int twin, int weight, char *err)
{
	struct citytext_toks t = { NULL, NULL, 0 };
	char *text = twin ? xasprintf("%c%s", TOKENIZER_TWIN, s) : xstrdup(s);
	size_t i;
	int rc;

	rc = tokenizer_each(text, strlen(text), prefix ? TOKENIZER_QUERY_PREFIX :
	    TOKENIZER_QUERY, citytext_tok_keep, &t, err);
	free(text);
	if (rc == -1) {
		citytext_toks_free(&t);
		return -1;
	}
	if (t.n > 1) {
		buf_append(b, "(", 1);
		q->phrase |= !twin;
	}
	for (i = 0; i < t.n; i++) {
		if (i > 0)
			buf_append(b, " <-> ", 5);
		citytext_quote(b, t.v[i], t.len[i]);
		if ((prefix && i + 1 == t.n) || weight)
			buf_printf(b, ":%s%s", prefix && i + 1 == t.n ? "*" :
			    "", weight ? "A" : "");
		if (!twin)
			citytext_word(q, t.v[i], t.len[i], prefix &&
			    i + 1 == t.n);
	}
	if (t.n > 1)
		buf_append(b, ")", 1);
	rc = (int)t.n;
	citytext_toks_free(&t);
	return rc;
}

static void
citytext_and(struct buf *b)
{
	if (b->len > 0)
		buf_append(b, " & ", 3);
}

void
citytext_query_free(struct citytext_query *q)
{
	size_t i;

	free(q->match);
	free(q->name);
	json_decref(q->twins);
	for (i = 0; i < q->nwords; i++)
		free(q->words[i]);
	free(q->words);
	free(q->prefix);
	memset(q, 0, sizeof *q);
}

int
citytext_tsquery(const struct search_parsed *p, struct citytext_query *q,
    char *err)
{
	const struct search_term *t = p->terms;
	struct buf m, tw, id, whole;
	size_t i, j, k, run;
	int exact = 0, rc = -1, n, named = p->nterms > 0;

	memset(q, 0, sizeof *q);
	q->twins = json_array();
	buf_init(&m, 1 << 20);
	buf_init(&tw, 1 << 20);
	buf_init(&id, 256);
	buf_init(&whole, 1 << 16);
	for (i = 0; i < p->nterms; i++)
		exact |= t[i].marks;
	for (i = 0; i < p->nterms; i = j) {
		if ((run = search_id_run(t, p->nterms, i)) > 0) {
			/* Digits typed apart: each, or all of them whole. */
			citytext_and(&m);
			buf_append(&m, "((", 2);
			for (k = i; k < i + run; k++) {
				if (k > i)
					buf_append(&m, " & ", 3);
				if (citytext_phrase(q, &m, t[k].text, 0, 0, 0,
				    err) == -1)
					goto out;
				buf_append(&id, t[k].text, strlen(t[k].text));
			}
			buf_append(&m, ") | ", 4);
			if (citytext_phrase(q, &m, id.data, 0, 0, 0, err) == -1)
				goto out;
			buf_append(&m, ")", 1);
			buf_free(&id);
			buf_init(&id, 256);
			j = i + run;
			named = 0;
			continue;
		}
		j = i + 1;
		if (t[i].prefix)
			named = 0;
		buf_printf(&whole, "%s%s", whole.len ? " " : "", t[i].text);
		n = (int)m.len;
		citytext_and(&m);
		if ((rc = citytext_phrase(q, &m, t[i].text, t[i].prefix, 0, 0,
		    err)) == -1)
			goto out;
		if (rc == 0) {
			/* Nothing the tokenizer keeps: no condition. */
			m.len = (size_t)n;
			m.data[n] = '\0';
		}
		rc = -1;
		if (exact && t[i].letters) {
			tw.len = 0;
			if (tw.data != NULL)
				tw.data[0] = '\0';
			if ((n = citytext_phrase(q, &tw, t[i].text, t[i].prefix,
			    1, 0, err)) == -1)
				goto out;
			if (n > 0)
				json_array_append_new(q->twins,
				    json_string(tw.data));
		}
	}
	if (p->nf.person_id != NULL) {
		citytext_and(&m);
		if (citytext_phrase(q, &m, p->nf.person_id, 0, 0, 1, err) == -1)
			goto out;
	}
	if (p->nf.dossier_code != NULL) {
		citytext_and(&m);
		if (citytext_phrase(q, &m, p->nf.dossier_code, 0, 0, 1,
		    err) == -1)
			goto out;
	}
	if (m.len > 0) {
		q->match = m.data;
		m.data = NULL;
	}
	q->ranked = p->nterms > 0;
	/* Words that may be a name: all of them, folded, as name_keys and an
	 * office's names table hold it. */
	if (named && whole.data != NULL) {
		q->name = tokenizer_words(whole.data);
		if (strchr(q->name, ' ') == NULL) {
			free(q->name);
			q->name = NULL;
		}
	}
	rc = 0;
out:
	buf_free(&whole);
	buf_free(&m);
	buf_free(&tw);
	buf_free(&id);
	if (rc == -1)
		citytext_query_free(q);
	return rc;
}

/* The folded tokens of one column, with their bytes in it. */
struct citytext_span {
	int	 start, end, hit;
};
struct citytext_spans {
	const struct citytext_query *q;
	struct citytext_span *v;
	size_t	 n, cap;
};

static int
citytext_span_token(void *arg, int colocated, const char *tok, int len,
    int start, int end)
{
	struct citytext_spans *s = arg;
	const struct citytext_query *q = s->q;
	size_t i, wl;
	int hit = 0;

	if (colocated)
		return 0;
	for (i = 0; i < q->nwords && !hit; i++) {
		wl = strlen(q->words[i]);
		hit = q->prefix[i] ? (size_t)len >= wl &&
		    memcmp(tok, q->words[i], wl) == 0 : (size_t)len == wl &&
		    memcmp(tok, q->words[i], wl) == 0;
	}
	if (s->n == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 256;
		s->v = xrealloc(s->v, s->cap * sizeof *s->v);
	}
	s->v[s->n].start = start;
	s->v[s->n].end = end;
	s->v[s->n++].hit = hit;
	return 0;
}

/* The best window of a column: most hits in CITYTEXT_SNIPPET tokens. */
static size_t
citytext_best(const struct citytext_spans *s, int *hits)
{
	size_t i, best = 0;
	int n = 0;

	*hits = 0;
	for (i = 0; i < s->n; i++) {
		n += s->v[i].hit;
		if (i >= CITYTEXT_SNIPPET)
			n -= s->v[i - CITYTEXT_SNIPPET].hit;
		if (n > *hits) {
			*hits = n;
			best = i >= CITYTEXT_SNIPPET - 1 ? i + 1 -
			    CITYTEXT_SNIPPET : 0;
		}
	}
	return best;
}

char *
citytext_snippet(const char *body, const char *fields,
    const struct citytext_query *q)
{
	struct citytext_spans s[2];
	const char *col[2];
	char *text[2], err[ERRMAX];
	struct buf b;
	size_t first[2], i, end;
	int hits[2], c, k, pos;

	col[0] = body ? body : "";
	col[1] = fields ? fields : "";
	for (k = 0; k < 2; k++) {
		memset(&s[k], 0, sizeof s[k]);
		s[k].q = q;
		text[k] = vntext_nfc(col[k], strlen(col[k]));
		if (tokenizer_each(text[k], strlen(text[k]), TOKENIZER_DOCUMENT,
		    citytext_span_token, &s[k], err) == -1)
			s[k].n = 0;
		first[k] = citytext_best(&s[k], &hits[k]);
	}
	/* The column with more words found; the text when they tie. */
	c = hits[1] > hits[0] ? 1 : 0;
	buf_init(&b, 1 << 16);
	buf_append(&b, "", 0);
	if (s[c].n > 0) {
		end = first[c] + CITYTEXT_SNIPPET < s[c].n ? first[c] +
		    CITYTEXT_SNIPPET : s[c].n;
		if (first[c] > 0)
			buf_append(&b, "…", strlen("…"));
		pos = s[c].v[first[c]].start;
		for (i = first[c]; i < end; i++) {
			buf_append(&b, text[c] + pos, (size_t)(s[c].v[i].start -
			    pos));
			if (s[c].v[i].hit)
				buf_append(&b, "[", 1);
			buf_append(&b, text[c] + s[c].v[i].start,
			    (size_t)(s[c].v[i].end - s[c].v[i].start));
			if (s[c].v[i].hit)
				buf_append(&b, "]", 1);
			pos = s[c].v[i].end;
		}
		if (end < s[c].n)
			buf_append(&b, "…", strlen("…"));
	}
	for (k = 0; k < 2; k++) {
		free(s[k].v);
		free(text[k]);
	}
	return b.data;
}

/*
 * The folding tokenizer_words does, as two strings for PostgreSQL's
 * translate(): each capital ASCII letter and each precomposed Latin
 * letter (Vietnamese's among them) that folds to one ASCII letter or
 * digit, and what it folds to.  The --type filter compares doc_type so in
 * the city's database, which has no sohoa_words.  Caller frees both.
 */
void
citytext_fold_map(char **from, char **to)
{
	static const struct { utf8proc_int32_t lo, hi; } ranges[] = {
		{ 'A', 'Z' }, { 0x00C0, 0x024F }, { 0x1E00, 0x1EFF },
	};
	utf8proc_uint8_t one[8];
	struct buf f, t;
	utf8proc_ssize_t n;
	utf8proc_int32_t cp;
	size_t r;
	char *folded;

	buf_init(&f, 1 << 16);
	buf_init(&t, 1 << 16);
	buf_append(&f, "", 0);
	buf_append(&t, "", 0);
	for (r = 0; r < sizeof ranges / sizeof ranges[0]; r++)
		for (cp = ranges[r].lo; cp <= ranges[r].hi; cp++) {
			if (!utf8proc_codepoint_valid(cp))
				continue;
			n = utf8proc_encode_char(cp, one);
			one[n] = '\0';
			folded = vntext_fold((const char *)one);
			if (strlen(folded) == 1 &&
			    isalnum((unsigned char)folded[0]) &&
			    strcmp(folded, (const char *)one) != 0) {
				buf_append(&f, one, (size_t)n);
				buf_append(&t, folded, 1);
			}
			free(folded);
		}
	*from = f.data;
	*to = t.data;
}
