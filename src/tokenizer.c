/*
 * tokenizer.c: the "sohoa" FTS5 tokenizer, the folding of words and their
 * exact twins.
 *
 * The full text (index.c) is tokenized by "sohoa", which wraps unicode61
 * (remove_diacritics 2) and also folds đ to d, which unicode61 does not:
 * "dang ky" then finds "đăng ký".  Text and queries are NFC before they
 * reach it, so NFD input matches too.  Identifiers such as 1245/QĐ-UBND
 * are split into tokens and a query for the whole identifier becomes a
 * phrase of those tokens (search.c).
 *
 * Beside each folded token of a document the tokenizer puts, at the same
 * position (FTS5_TOKEN_COLOCATED), an "exact twin": the word in lower case
 * with its vowel marks and đ kept and its tone moved to the end, so "Hoà"
 * and "Hòa" (the two tone placements in use) make the same twin while
 * "Đức" and "Dục" do not.  Twins begin with a byte no folded token has
 * (TOKENIZER_TWIN), so folded queries never see them; the search asks for
 * them to rank the words typed with diacritics.
 *
 * Beside each folded token that follows another in the same column, the
 * tokenizer also puts its "pair": TOKENIZER_PAIR, the token before, a
 * space and this one, at this one's position (colocated too).  A phrase
 * the search asks for by its pairs (a query string beginning with
 * TOKENIZER_PAIR) is then the phrase of its pairs, which finds exactly the
 * rows and the places the phrase of its words finds: "a b c" is at p when
 * "a b" is at p + 1 and "b c" at p + 2.  A phrase of common words ("cong
 * nam": CỘNG HÒA ... VIỆT NAM is on every result) otherwise has the
 * places of both words compared in every row holding them; its pair is a
 * word of its own, held by the few rows that hold the phrase.  Colocated
 * tokens do not count in a row's length, so BM25 is what it was.
 *
 * The words of a value, folded (tokenizer_words), are what the names table
 * holds and what the --type filter compares (the SQL function
 * sohoa_words).
 */
#include <sys/types.h>

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>
#include <utf8proc.h>

#include "sohoa.h"

#define TOKENIZER_TWINMAX	256	/* bytes of a word still given a twin */
#define TOKENIZER_TWINBUF	(TOKENIZER_TWINMAX * 4 + 32)
#define TOKENIZER_PAIRMAX	TOKENIZER_TWINMAX /* bytes of a word still paired */

/*
 * The "sohoa" FTS5 tokenizer.  Documents get the folded token, its exact
 * twin and its pair; a query string gets folded tokens, twins when it
 * begins with TOKENIZER_TWIN, pairs when it begins with TOKENIZER_PAIR (the
 * search writes those); snippets get folded tokens only.
 */
struct tokenizer {
	fts5_tokenizer inner_api;
	Fts5Tokenizer *inner;
};

enum tokenizer_mode { TOK_DOCUMENT, TOK_FOLDED, TOK_EXACT, TOK_PAIRS };

/* The folded tokens of a TOK_PAIRS query string, kept until its end. */
struct tokenizer_word {
	size_t	 off;		/* in struct tokenizer_call's words */
	int	 len, flags, start, end;
};

struct tokenizer_call {
	void		*ctx;
	int		(*token)(void *, int, const char *, int, int, int);
	const char	*text;		/* what unicode61 is tokenizing */
	enum tokenizer_mode mode;
	int		 prefix;	/* the query string ends in '*' */
	/* TOK_EXACT holds each twin back until the next one: the last of a
	 * prefix query loses its tone ("Hườ*" must find "Hường"). */
	char		 held[TOKENIZER_TWINBUF];
	int		 heldlen;	/* -1: nothing held */
	int		 heldtone;	/* bytes of tone at the end of held */
	int		 heldflags, heldstart, heldend;
	/* TOK_DOCUMENT: the folded token before, for its pair; -1 for none
	 * (the first of a column, or too long to pair). */
	char		 prev[TOKENIZER_PAIRMAX];
	int		 prevlen;
	/* TOK_PAIRS: the folded tokens of the query string. */
	struct buf	 words;
	struct tokenizer_word *word;
	size_t		 nword, capword;
};

static int
tokenizer_create(void *ctx, const char **args, int nargs, Fts5Tokenizer **out)
{
	static const char *inner_args[] = { "remove_diacritics", "2" };
	fts5_api *api = ctx;
	struct tokenizer *t;
	void *uctx;
	int rc;

	t = xcalloc(1, sizeof *t);
	rc = api->xFindTokenizer(api, "unicode61", &uctx, &t->inner_api);
	if (rc == SQLITE_OK)
		rc = t->inner_api.xCreate(uctx, inner_args, 2, &t->inner);
	if (rc != SQLITE_OK) {
		free(t);
		return rc;
	}
	*out = (Fts5Tokenizer *)t;
	return SQLITE_OK;
}

static void
tokenizer_delete(Fts5Tokenizer *p)
{
	struct tokenizer *t = (struct tokenizer *)p;

	t->inner_api.xDelete(t->inner);
	free(t);
}

/* The tone of a combining mark, as the byte that ends a twin, or 0. */
static int
tokenizer_tone(utf8proc_int32_t cp)
{
	switch (cp) {
	case 0x0300:	/* huyền */
		return 2;
	case 0x0301:	/* sắc */
		return 3;
	case 0x0309:	/* hỏi */
		return 4;
	case 0x0303:	/* ngã */
		return 5;
	case 0x0323:	/* nặng */
		return 6;
	}
	return 0;
}

/*
 * The exact twin of the word s[0..len) (NFC) into out (TOKENIZER_TWINBUF
 * bytes): TOKENIZER_TWIN, the word in lower case with vowel marks and đ kept
 * (Ð read as Đ, as OCR does), then its tones, one byte each.  Sets *tone
 * to the bytes of tone at the end.  Returns the length, or 0 when the
 * word gets no twin: digits only (nothing to tell apart) or too long.
 */
static int
tokenizer_twin(const char *s, int len, char *out, int *tone)
{
	utf8proc_int32_t cps[TOKENIZER_TWINMAX * 4], cp;
	char tones[TOKENIZER_TWINMAX];
	utf8proc_ssize_t n = 0, r, k, j, w;
	const utf8proc_ssize_t cap = sizeof cps / sizeof cps[0];
	int i, o = 0, t, ntones = 0, ascii = 1, digits = 1;

	*tone = 0;
	if (len <= 0 || len > TOKENIZER_TWINMAX)
		return 0;
	for (i = 0; i < len; i++) {
		if ((unsigned char)s[i] >= 0x80)
			ascii = 0;
		if (s[i] < '0' || s[i] > '9')
			digits = 0;
	}
	if (digits)
		return 0;
	out[o++] = TOKENIZER_TWIN;
	if (ascii) {
		for (i = 0; i < len; i++)
			out[o++] = (char)tolower((unsigned char)s[i]);
		return o;
	}
	for (i = 0; i < len; i += (int)r) {
		r = utf8proc_iterate((const utf8proc_uint8_t *)s + i, len - i,
		    &cp);
		if (r <= 0) {
			cp = 0xFFFD;
			r = 1;
		}
		if (cp == 0x0110 || cp == 0x0111 || cp == 0x00D0 ||
		    cp == 0x00F0) {
			cps[n++] = 0x0111;
			continue;
		}
		k = utf8proc_decompose_char(cp, cps + n, cap - n,
		    UTF8PROC_DECOMPOSE | UTF8PROC_CASEFOLD, NULL);
		if (k < 0 || k > cap - n)
			return 0;
		/* Tone marks leave the word and go to its end. */
		for (j = w = n; j < n + k; j++) {
			if ((t = tokenizer_tone(cps[j])) == 0)
				cps[w++] = cps[j];
			else if (ntones < (int)sizeof tones)
				tones[ntones++] = (char)t;
		}
		n = w;
	}
	if ((n = utf8proc_normalize_utf32(cps, n, UTF8PROC_COMPOSE |
	    UTF8PROC_STABLE)) < 0)
		return 0;
	for (j = 0; j < n; j++) {
		if (o + 4 + ntones > TOKENIZER_TWINBUF)
			return 0;
		o += (int)utf8proc_encode_char(cps[j], (utf8proc_uint8_t *)out + o);
	}
	memcpy(out + o, tones, (size_t)ntones);
	*tone = ntones;
	return o + ntones;
}

/* Emits the held twin, without its tone when it ends a prefix query. */
static int
tokenizer_flush(struct tokenizer_call *c, int last)
{
	int len = c->heldlen, rc = SQLITE_OK;

	if (len >= 0) {
		if (last && c->prefix)
			len -= c->heldtone;
		rc = c->token(c->ctx, c->heldflags, c->held, len, c->heldstart,
		    c->heldend);
		c->heldlen = -1;
	}
	return rc;
}

/*
 * In a document, the pair of the folded token tok (len bytes) and the one
 * before it, colocated with tok; tok is then the one before.  Words too
 * long to pair break the chain, as they do in a query (tokenizer_pairs).
 */
static int
tokenizer_pair(struct tokenizer_call *c, const char *tok, int len, int flags,
    int start, int end)
{
	char pair[1 + TOKENIZER_PAIRMAX * 2 + 1];
	int rc = SQLITE_OK;

	if (len > TOKENIZER_PAIRMAX) {
		c->prevlen = -1;
		return SQLITE_OK;
	}
	if (c->prevlen > 0) {
		pair[0] = TOKENIZER_PAIR;
		memcpy(pair + 1, c->prev, (size_t)c->prevlen);
		pair[1 + c->prevlen] = ' ';
		memcpy(pair + 2 + c->prevlen, tok, (size_t)len);
		rc = c->token(c->ctx, flags | FTS5_TOKEN_COLOCATED, pair,
		    2 + c->prevlen + len, start, end);
	}
	memcpy(c->prev, tok, (size_t)len);
	c->prevlen = len;
	return rc;
}

/* In a TOK_PAIRS query string, keeps a folded token until the end. */
static int
tokenizer_keep(struct tokenizer_call *c, const char *tok, int len, int flags,
    int start, int end)
{
	if (c->nword == c->capword) {
		c->capword = c->capword ? c->capword * 2 : 16;
		c->word = xrealloc(c->word, c->capword * sizeof *c->word);
	}
	c->word[c->nword].off = c->words.len;
	c->word[c->nword].len = len;
	c->word[c->nword].flags = flags;
	c->word[c->nword].start = start;
	c->word[c->nword].end = end;
	c->nword++;
	return buf_append(&c->words, tok, (size_t)len) == 0 ? SQLITE_OK :
	    SQLITE_NOMEM;
}

/*
 * The end of a TOK_PAIRS query string: the pairs of its tokens in turn,
 * the phrase of which finds what the phrase of the tokens finds.  One
 * token, or one too long to be paired in a document, and it is the tokens
 * themselves, as a string without TOKENIZER_PAIR.
 */
static int
tokenizer_pairs(struct tokenizer_call *c)
{
	const struct tokenizer_word *a, *b;
	char pair[1 + TOKENIZER_PAIRMAX * 2 + 1];
	size_t i;
	int rc = SQLITE_OK, paired = c->nword >= 2;

	for (i = 0; i < c->nword; i++)
		if (c->word[i].len > TOKENIZER_PAIRMAX)
			paired = 0;
	for (i = paired; i < c->nword && rc == SQLITE_OK; i++) {
		b = &c->word[i];
		if (!paired) {
			rc = c->token(c->ctx, b->flags, c->words.data + b->off,
			    b->len, b->start, b->end);
			continue;
		}
		a = &c->word[i - 1];
		pair[0] = TOKENIZER_PAIR;
		memcpy(pair + 1, c->words.data + a->off, (size_t)a->len);
		pair[1 + a->len] = ' ';
		memcpy(pair + 2 + a->len, c->words.data + b->off,
		    (size_t)b->len);
		rc = c->token(c->ctx, b->flags, pair, 2 + a->len + b->len,
		    a->start, b->end);
	}
	return rc;
}

static int
tokenizer_token(void *arg, int flags, const char *tok, int len, int start,
    int end)
{
	struct tokenizer_call *c = arg;
	char small[128] = "", *out, twin[TOKENIZER_TWINBUF];
	int i, n = 0, rc, twinlen, tone;

	if (c->mode == TOK_DOCUMENT || c->mode == TOK_EXACT) {
		twinlen = tokenizer_twin(c->text + start, end - start, twin,
		    &tone);
		if (c->mode == TOK_EXACT && twinlen > 0) {
			if ((rc = tokenizer_flush(c, 0)) != SQLITE_OK)
				return rc;
			memcpy(c->held, twin, (size_t)twinlen);
			c->heldlen = twinlen;
			c->heldtone = tone;
			c->heldflags = flags;
			c->heldstart = start;
			c->heldend = end;
			return SQLITE_OK;
		}
	} else
		twinlen = 0;
	if (c->mode == TOK_EXACT && (rc = tokenizer_flush(c, 0)) != SQLITE_OK)
		return rc;

	if (memchr(tok, 0xc4, (size_t)len) == NULL) {
		out = (char *)tok;
		n = len;
	} else {
		out = (size_t)len < sizeof small ? small : xmalloc((size_t)len);
		for (i = 0; i < len; i++) {
			/* đ is U+0111, C4 91 in UTF-8; unicode61 already
			 * lowered Đ. */
			if ((unsigned char)tok[i] == 0xc4 && i + 1 < len &&
			    (unsigned char)tok[i + 1] == 0x91) {
				out[n++] = 'd';
				i++;
			} else
				out[n++] = tok[i];
		}
	}
	if (c->mode == TOK_PAIRS)
		rc = tokenizer_keep(c, out, n, flags, start, end);
	else
		rc = c->token(c->ctx, flags, out, n, start, end);
	if (rc == SQLITE_OK && c->mode == TOK_DOCUMENT && twinlen > 0)
		rc = c->token(c->ctx, flags | FTS5_TOKEN_COLOCATED, twin,
		    twinlen, start, end);
	if (rc == SQLITE_OK && c->mode == TOK_DOCUMENT)
		rc = tokenizer_pair(c, out, n, flags, start, end);
	if (out != tok && out != small)
		free(out);
	return rc;
}

static int
tokenizer_tokenize(Fts5Tokenizer *p, void *ctx, int flags, const char *text,
    int len, int (*token)(void *, int, const char *, int, int, int))
{
	struct tokenizer *t = (struct tokenizer *)p;
	struct tokenizer_call call, *c = &call;
	int rc;

	c->ctx = ctx;
	c->token = token;
	c->text = text;
	c->heldlen = -1;
	c->prefix = (flags & FTS5_TOKENIZE_PREFIX) != 0;
	c->prevlen = -1;
	c->word = NULL;
	c->nword = c->capword = 0;
	if (flags & FTS5_TOKENIZE_DOCUMENT)
		c->mode = TOK_DOCUMENT;
	else if ((flags & FTS5_TOKENIZE_QUERY) && len > 0 &&
	    (text[0] == TOKENIZER_TWIN || text[0] == TOKENIZER_PAIR)) {
		c->mode = text[0] == TOKENIZER_TWIN ? TOK_EXACT : TOK_PAIRS;
		c->text = ++text;
		len--;
	} else
		c->mode = TOK_FOLDED;
	/* Folding never makes a token four times longer. */
	buf_init(&c->words, (size_t)len * 4 + 64);
	rc = t->inner_api.xTokenize(t->inner, c, flags, text, len,
	    tokenizer_token);
	if (rc == SQLITE_OK && c->mode == TOK_EXACT)
		rc = tokenizer_flush(c, 1);
	if (rc == SQLITE_OK && c->mode == TOK_PAIRS)
		rc = tokenizer_pairs(c);
	buf_free(&c->words);
	free(c->word);
	return rc;
}

int
tokenizer_register(fts5_api *api)
{
	static fts5_tokenizer tok = {
		tokenizer_create, tokenizer_delete, tokenizer_tokenize
	};

	if (api->xCreateTokenizer(api, "sohoa", api, &tok, NULL) != SQLITE_OK)
		return -1;
	return 0;
}

/* Words are split at ASCII characters that are not letters or digits. */
static int
tokenizer_word_byte(char c)
{
	return (unsigned char)c >= 0x80 || isalnum((unsigned char)c);
}

/*
 * The words of s, folded, one space between them: "GIẤY PHÉP (XÂY
 * DỰNG)" -> "giay phep xay dung".  Caller frees.
 */
char *
tokenizer_words(const char *s)
{
	char *f = vntext_fold(s), *r = f, *w = f;
	int space = 0;

	for (; *r != '\0'; r++) {
		if (!tokenizer_word_byte(*r)) {
			space = w != f;
			continue;
		}
		if (space)
			*w++ = ' ';
		space = 0;
		*w++ = *r;
	}
	*w = '\0';
	return f;
}

/* SQL sohoa_words(x): tokenizer_words, for the --type filter (db.c
 * creates the function with every connection). */
void
tokenizer_sql_words(sqlite3_context *ctx, int n, sqlite3_value **v)
{
	const unsigned char *s = sqlite3_value_text(v[0]);
	char *w;

	if (s == NULL) {
		sqlite3_result_null(ctx);
		return;
	}
	w = tokenizer_words((const char *)s);
	sqlite3_result_text(ctx, w, -1, free);
}

/*
 * The words of s as tokenizer_words splits them (tokenizer_word_byte), not
 * folded, into word (at most max), each NUL-terminated in the copy *copy.
 * Returns the number of words.
 */
size_t
tokenizer_split_words(const char *s, char **copy, char **word, size_t max)
{
	char *p;
	size_t n = 0;

	*copy = xstrdup(s);
	for (p = *copy; *p != '\0';) {
		if (!tokenizer_word_byte(*p)) {
			*p++ = '\0';
			continue;
		}
		if (n == max)
			break;
		word[n++] = p;
		while (*p != '\0' && tokenizer_word_byte(*p))
			p++;
	}
	return n;
}

/* The twin of one word as a string, or NULL when it has none. */
char *
tokenizer_twin_str(const char *w)
{
	char twin[TOKENIZER_TWINBUF], *r;
	int len, tone;

	if ((len = tokenizer_twin(w, (int)strlen(w), twin, &tone)) <= 0)
		return NULL;
	r = xmalloc((size_t)len + 1);
	memcpy(r, twin, (size_t)len);
	r[len] = '\0';
	return r;
}

/*
 * tokenizer_each's tokenizer: the one FTS5 registers, found through an
 * in-memory SQLite connection of its own (unicode61 is SQLite's, reached
 * only through fts5_api), made on first use and kept for the process.
 */
static sqlite3 *tokenizer_conn;
static fts5_tokenizer tokenizer_each_api;
static Fts5Tokenizer *tokenizer_each_tok;

struct tokenizer_each_call {
	int	(*tok)(void *, int, const char *, int, int, int);
	void	*arg;
	int	 stopped;
};

static int
tokenizer_each_token(void *arg, int flags, const char *tok, int len,
    int start, int end)
{
	struct tokenizer_each_call *c = arg;

	if (c->tok(c->arg, (flags & FTS5_TOKEN_COLOCATED) != 0, tok, len,
	    start, end) != 0) {
		c->stopped = 1;
		return SQLITE_ABORT;
	}
	return SQLITE_OK;
}

static int
tokenizer_each_open(char *err)
{
	fts5_api *api = NULL;
	sqlite3_stmt *st;
	void *uctx;

	if (tokenizer_each_tok != NULL)
		return 0;
	if (tokenizer_conn == NULL &&
	    sqlite3_open(":memory:", &tokenizer_conn) != SQLITE_OK)
		goto fail;
	if (sqlite3_prepare_v2(tokenizer_conn, "SELECT fts5(?1)", -1, &st,
	    NULL) != SQLITE_OK)
		goto fail;
	sqlite3_bind_pointer(st, 1, &api, "fts5_api_ptr", NULL);
	sqlite3_step(st);
	sqlite3_finalize(st);
	if (api == NULL || tokenizer_register(api) == -1 ||
	    api->xFindTokenizer(api, "sohoa", &uctx, &tokenizer_each_api) !=
	    SQLITE_OK || tokenizer_each_api.xCreate(uctx, NULL, 0,
	    &tokenizer_each_tok) != SQLITE_OK) {
		tokenizer_each_tok = NULL;
		goto fail;
	}
	return 0;
fail:
	snprintf(err, ERRMAX, "this SQLite has no FTS5 full-text search to "
	    "tokenize with");
	return -1;
}

int
tokenizer_each(const char *text, size_t len, enum tokenizer_use use,
    int (*tok)(void *, int, const char *, int, int, int), void *arg,
    char *err)
{
	struct tokenizer_each_call c = { tok, arg, 0 };
	int flags, rc;

	if (tokenizer_each_open(err) == -1)
		return -1;
	if (len > (size_t)INT32_MAX / 4) {
		snprintf(err, ERRMAX, "the text is too long to tokenize");
		return -1;
	}
	flags = use == TOKENIZER_DOCUMENT ? FTS5_TOKENIZE_DOCUMENT :
	    use == TOKENIZER_QUERY ? FTS5_TOKENIZE_QUERY :
	    FTS5_TOKENIZE_QUERY | FTS5_TOKENIZE_PREFIX;
	rc = tokenizer_each_api.xTokenize(tokenizer_each_tok, &c, flags, text,
	    (int)len, tokenizer_each_token);
	if (rc != SQLITE_OK && !c.stopped) {
		snprintf(err, ERRMAX, "the text could not be tokenized (SQLite "
		    "error %d)", rc);
		return -1;
	}
	return c.stopped ? -1 : 0;
}
