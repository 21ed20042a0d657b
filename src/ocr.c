/*
 * ocr.c: recognition through the Tesseract C API.
 *
 * One handle per worker process, initialised once with the profile's
 * languages and reused for every page: loading the model is what makes the
 * tesseract command slow per page.  A document is one searchable PDF
 * (Tesseract's own PDF renderer: the page image with an invisible text
 * layer) plus the UTF-8 text and mean confidence of each page.
 *
 * OMP_THREAD_LIMIT must be 1 before the process starts (libgomp reads it at
 * load time); worker.c execs workers with it set.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <leptonica/allheaders.h>
#include <tesseract/capi.h>
#include <utf8proc.h>

#include "sohoa.h"

struct ocr {
	TessBaseAPI *api;
	TessResultRenderer *pdf;
	char	*languages;
	struct syllable_dict *syl;	/* non-NULL: syllables are checked */
	char	*raw;			/* last page's reading, when fixed */
};

struct ocr *
ocr_open(const char *languages, char *err)
{
	struct ocr *o = xcalloc(1, sizeof *o);

	if (languages == NULL || *languages == '\0')
		languages = PROFILE_LANGUAGES;
	o->languages = xstrdup(languages);
	if ((o->api = TessBaseAPICreate()) == NULL)
		fatal("out of memory");
	/* NULL datapath: TESSDATA_PREFIX or the packaged tessdata folder. */
	errno = 0;
	if (TessBaseAPIInit3(o->api, NULL, languages) != 0) {
		if (errno == ENOMEM)
			snprintf(err, ERRMAX, "not enough memory to load "
			    "Tesseract's language data '%s'", languages);
		else
			snprintf(err, ERRMAX, "Tesseract cannot load the "
			    "language data '%s' (is tesseract-ocr-%s "
			    "installed?)", languages, languages);
		ocr_close(o);
		return NULL;
	}
	/* Keep the image in the PDF sharp enough to read, yet small. */
	TessBaseAPISetVariable(o->api, "jpg_quality", "75");
	return o;
}

void
ocr_close(struct ocr *o)
{
	if (o == NULL)
		return;
	if (o->pdf != NULL)
		TessDeleteResultRenderer(o->pdf);
	if (o->api != NULL) {
		TessBaseAPIEnd(o->api);
		TessBaseAPIDelete(o->api);
	}
	syllable_close(o->syl);
	free(o->raw);
	free(o->languages);
	free(o);
}

/*
 * The LSTM gives each symbol's alternatives only with lstm_choice_mode 2;
 * without it the choice iterator offers the reading alone.  One iteration
 * of its search (the default is 5) gives the second choice of each symbol,
 * nearly every fix the five give, at no measurable cost: five cost some
 * 12 % more recognition time per page.
 */
int
ocr_set_syllables(struct ocr *o, int on)
{
	if (!on) {
		syllable_close(o->syl);
		o->syl = NULL;
		TessBaseAPISetVariable(o->api, "lstm_choice_mode", "0");
		TessBaseAPISetVariable(o->api, "lstm_choice_iterations", "5");
		return 0;
	}
	if (o->syl == NULL && (o->syl = syllable_open(NULL, NULL)) == NULL)
		return -1;
	TessBaseAPISetVariable(o->api, "lstm_choice_mode", "2");
	TessBaseAPISetVariable(o->api, "lstm_choice_iterations", "1");
	return 0;
}

const char *
ocr_raw_text(const struct ocr *o)
{
	return o->raw;
}

/* The alternatives of one word's symbols, as syllable_choose takes them. */
struct ocr_word {
	struct syllable_symbol *sym;
	struct syllable_choice *alt;
	char	**strs;
	int	 n, cap, nalt, altcap, nstr, strcap;
};

static const char *
ocr_word_keep(struct ocr_word *w, const char *t)
{
	if (w->nstr == w->strcap) {
		w->strcap = w->strcap ? w->strcap * 2 : 64;
		w->strs = xrealloc(w->strs, (size_t)w->strcap *
		    sizeof *w->strs);
	}
	return w->strs[w->nstr++] = xstrdup(t);
}

static void
ocr_word_clear(struct ocr_word *w)
{
	int i;

	for (i = 0; i < w->nstr; i++)
		free(w->strs[i]);
	w->n = w->nalt = w->nstr = 0;
}

/* Adds the symbol at it, with its alternatives, to the word. */
static void
ocr_word_add(struct ocr_word *w, TessResultIterator *it, const char *text)
{
	TessChoiceIterator *ci;
	int first = w->nalt;

	if ((ci = TessResultIteratorGetChoiceIterator(it)) != NULL) {
		do {
			const char *c = TessChoiceIteratorGetUTF8Text(ci);

			if (c == NULL || *c == '\0')
				continue;
			if (w->nalt == w->altcap) {
				w->altcap = w->altcap ? w->altcap * 2 : 64;
				w->alt = xrealloc(w->alt, (size_t)w->altcap *
				    sizeof *w->alt);
			}
			w->alt[w->nalt].text = ocr_word_keep(w, c);
			w->alt[w->nalt++].conf =
			    TessChoiceIteratorConfidence(ci);
		} while (TessChoiceIteratorNext(ci));
		TessChoiceIteratorDelete(ci);
	}
	if (w->n == w->cap) {
		w->cap = w->cap ? w->cap * 2 : 16;
		w->sym = xrealloc(w->sym, (size_t)w->cap * sizeof *w->sym);
	}
	w->sym[w->n].text = ocr_word_keep(w, text);
	w->sym[w->n].conf = TessResultIteratorConfidence(it, RIL_SYMBOL);
	/* Offsets for now: alt moves as it grows. */
	w->sym[w->n].alt = (const struct syllable_choice *)(intptr_t)first;
	w->sym[w->n++].nalt = w->nalt - first;
}

/*
 * Copies raw up to the end of the word into out, the word replaced by its
 * fix if it has one.  The word is looked for where the last one ended,
 * past white space only: one not found there (in a block GetUTF8Text
 * leaves out) is left alone.
 */
static void
ocr_word_fix(struct ocr *o, struct ocr_word *w, const char *raw, size_t *pos,
    struct buf *out, int *changed)
{
	struct buf word;
	const char *at;
	char *fix = NULL;
	size_t gap;
	int i;

	if (w->n == 0)
		return;
	for (i = 0; i < w->n; i++)
		w->sym[i].alt = w->alt + (intptr_t)w->sym[i].alt;
	buf_init(&word, 1u << 16);
	for (i = 0; i < w->n; i++)
		buf_append(&word, w->sym[i].text, strlen(w->sym[i].text));
	gap = strspn(raw + *pos, " \t\n");
	at = raw + *pos + gap;
	if (word.data == NULL || strncmp(at, word.data, word.len) != 0)
		goto out;
	if ((fix = syllable_choose(o->syl, w->sym, w->n)) != NULL) {
		buf_append(out, raw + *pos, gap);
		buf_append(out, fix, strlen(fix));
		(*changed)++;
	} else
		buf_append(out, raw + *pos, gap + word.len);
	*pos += gap + word.len;
out:
	buf_free(&word);
	free(fix);
	ocr_word_clear(w);
}

/*
 * The page's text with each word that is not a valid syllable replaced by
 * the best valid reading among Tesseract's alternatives; NULL when no word
 * changed.  The words are replaced in GetUTF8Text's own text, so that its
 * line and paragraph breaks stay as they are.
 */
static char *
ocr_syllable_text(struct ocr *o, const char *raw)
{
	TessResultIterator *it;
	TessPageIterator *pit;
	struct ocr_word w;
	struct buf out;
	size_t pos = 0;
	int changed = 0;
	char *t;

	if ((it = TessBaseAPIGetIterator(o->api)) == NULL)
		return NULL;
	pit = TessResultIteratorGetPageIterator(it);
	memset(&w, 0, sizeof w);
	buf_init(&out, (size_t)1 << 30);
	do {
		if ((t = TessResultIteratorGetUTF8Text(it, RIL_SYMBOL)) == NULL)
			continue;
		if (TessPageIteratorIsAtBeginningOf(pit, RIL_WORD))
			ocr_word_fix(o, &w, raw, &pos, &out, &changed);
		ocr_word_add(&w, it, t);
		TessDeleteText(t);
	} while (TessResultIteratorNext(it, RIL_SYMBOL));
	ocr_word_fix(o, &w, raw, &pos, &out, &changed);
	TessResultIteratorDelete(it);
	ocr_word_clear(&w);
	free(w.sym);
	free(w.alt);
	free(w.strs);
	if (changed == 0) {
		buf_free(&out);
		return NULL;
	}
	buf_append(&out, raw + pos, strlen(raw + pos));
	return out.data;
}

int
ocr_begin(struct ocr *o, const char *pdf_base, const char *title, char *err)
{
	if (o->pdf != NULL) {
		TessDeleteResultRenderer(o->pdf);
		o->pdf = NULL;
	}
	o->pdf = TessPDFRendererCreate(pdf_base, TessBaseAPIGetDatapath(o->api),
	    0);
	if (o->pdf == NULL || !TessResultRendererBeginDocument(o->pdf, title)) {
		snprintf(err, ERRMAX, "cannot start the PDF %s.pdf (is pdf.ttf "
		    "in the tessdata folder?)", pdf_base);
		if (o->pdf != NULL)
			TessDeleteResultRenderer(o->pdf);
		o->pdf = NULL;
		return -1;
	}
	/* The renderer would otherwise re-read the input file by name. */
	TessBaseAPISetInputName(o->api, NULL);
	return 0;
}

int
ocr_page(struct ocr *o, struct Pix *pix, int dpi, char **text, int *confidence,
    char *err)
{
	return ocr_page_shown(o, pix, NULL, dpi, text, confidence, err);
}

/*
 * Tesseract's PDF renderer embeds the "input image", which SetImage sets to
 * the image recognised; SetInputImage swaps in the one to show.  It must
 * come after recognition: the LSTM reads the input image too when it is of
 * the recognised size.  The page size comes from the shown image and the
 * text positions from the recognised one, both at the same resolution:
 * hence the same size.
 */
int
ocr_page_shown(struct ocr *o, struct Pix *pix, struct Pix *show, int dpi,
    char **text, int *confidence, char *err)
{
	char *t;

	*text = NULL;
	if (show != NULL && (pixGetWidth(show) != pixGetWidth(pix) ||
	    pixGetHeight(show) != pixGetHeight(pix))) {
		snprintf(err, ERRMAX, "the image to show (%d x %d) is not the "
		    "size of the image recognised (%d x %d)", pixGetWidth(show),
		    pixGetHeight(show), pixGetWidth(pix), pixGetHeight(pix));
		errno = EINVAL;
		return -1;
	}
	/*
	 * Tesseract says only that recognition failed; when a copy of the
	 * image or a buffer could not be allocated (SetImage copies the page,
	 * and fails quietly), malloc left ENOMEM, and that is the reason.
	 */
	errno = 0;
	TessBaseAPISetImage2(o->api, pix);
	TessBaseAPISetSourceResolution(o->api, dpi);
	if (TessBaseAPIRecognize(o->api, NULL) != 0) {
		if (errno == ENOMEM)
			snprintf(err, ERRMAX, "not enough memory to recognise "
			    "the page");
		else {
			snprintf(err, ERRMAX, "Tesseract could not recognise "
			    "the page");
			errno = EINVAL;
		}
		return -1;
	}
	errno = 0;
	if ((t = TessBaseAPIGetUTF8Text(o->api)) == NULL) {
		snprintf(err, ERRMAX, errno == ENOMEM ? "not enough memory to "
		    "return the page's text" : "Tesseract returned no text for "
		    "the page");
		return -1;
	}
	free(o->raw);
	o->raw = NULL;
	if (o->syl != NULL && (*text = ocr_syllable_text(o, t)) != NULL)
		o->raw = xstrdup(t);
	else
		*text = xstrdup(t);
	TessDeleteText(t);
	*confidence = TessBaseAPIMeanTextConf(o->api);
	/* Tesseract 5 takes ownership of the input image: give it a clone. */
	if (show != NULL && show != pix)
		TessBaseAPISetInputImage(o->api, pixClone(show));
	errno = 0;
	if (o->pdf != NULL && !TessResultRendererAddImage(o->pdf, o->api)) {
		snprintf(err, ERRMAX, "cannot add the page to the PDF%s",
		    errno == ENOMEM ? " (not enough memory)" : "");
		free(*text);
		*text = NULL;
		return -1;
	}
	return 0;
}

/*
 * The layout of the page last recognised, from Tesseract's result
 * iterator: the page's size and each text line with its block, box and
 * words (text, box, confidence).  Compact keys, as it is kept in every
 * package: {"w": W, "h": H, "lines": [{"b": block, "box": [l, t, r, b],
 * "words": [{"t": text, "box": [l, t, r, b], "c": conf}]}]}.  Boxes are
 * in the pixels of the recognised image.  extract.c reads the header
 * fields from where they sit in it; a line is kept whole, as the engine
 * gave it, so that how it is cut into columns can change without reading
 * the page again.  Call after ocr_page or ocr_page_shown, before ocr_end.
 */
json_t *
ocr_layout(struct ocr *o, struct Pix *pix)
{
	TessResultIterator *ri;
	TessPageIterator *pi;
	json_t *page, *lines, *line = NULL, *words = NULL;
	int l, t, r, b, block = 0;
	char *w;

	page = json_pack("{s:i, s:i, s:[]}", "w", pixGetWidth(pix), "h",
	    pixGetHeight(pix), "lines");
	if (page == NULL)
		fatal("out of memory");
	lines = json_object_get(page, "lines");
	if ((ri = TessBaseAPIGetIterator(o->api)) == NULL)
		return page;
	pi = TessResultIteratorGetPageIterator(ri);
	do {
		if (TessPageIteratorIsAtBeginningOf(pi, RIL_BLOCK))
			block++;
		if (TessPageIteratorIsAtBeginningOf(pi, RIL_TEXTLINE) ||
		    line == NULL) {
			if (!TessPageIteratorBoundingBox(pi, RIL_TEXTLINE, &l,
			    &t, &r, &b))
				continue;
			line = json_pack("{s:i, s:[iiii], s:[]}", "b", block,
			    "box", l, t, r, b, "words");
			if (line == NULL)
				fatal("out of memory");
			words = json_object_get(line, "words");
			json_array_append_new(lines, line);
		}
		if (!TessPageIteratorBoundingBox(pi, RIL_WORD, &l, &t, &r, &b) ||
		    (w = TessResultIteratorGetUTF8Text(ri, RIL_WORD)) == NULL)
			continue;
		if (*w != '\0')
			json_array_append_new(words, json_pack("{s:s, s:[iiii], "
			    "s:i}", "t", w, "box", l, t, r, b, "c",
			    (int)(TessResultIteratorConfidence(ri, RIL_WORD) +
			    0.5)));
		TessDeleteText(w);
	} while (TessResultIteratorNext(ri, RIL_WORD));
	TessResultIteratorDelete(ri);
	return page;
}

int
ocr_end(struct ocr *o, char *err)
{
	int rc = 0;

	if (o->pdf == NULL)
		return 0;
	if (!TessResultRendererEndDocument(o->pdf)) {
		snprintf(err, ERRMAX, "cannot finish the PDF");
		rc = -1;
	}
	TessDeleteResultRenderer(o->pdf);
	o->pdf = NULL;
	TessBaseAPIClear(o->api);
	return rc;
}

/*
 * A reading for its confidence alone, when preprocess.c cannot tell which
 * way up a page is: the page is read as it will be read (same handle, same
 * settings), so the reading that wins is the one that will be kept.  The
 * PDF renderer is not told; the next page's SetImage replaces this one.
 */
int
ocr_confidence(struct ocr *o, struct Pix *pix, int dpi, char *err)
{
	int conf;

	errno = 0;
	TessBaseAPISetImage2(o->api, pix);
	TessBaseAPISetSourceResolution(o->api, dpi);
	if (TessBaseAPIRecognize(o->api, NULL) != 0) {
		snprintf(err, ERRMAX, errno == ENOMEM ? "not enough memory to "
		    "recognise the page" : "Tesseract could not recognise the "
		    "page");
		return -1;
	}
	conf = TessBaseAPIMeanTextConf(o->api);
	TessBaseAPIClear(o->api);
	return conf < 0 ? 0 : conf;
}

/*
 * Names in capitals lose their marks: in a page read as one block the
 * line Tesseract cuts for recognition ends at the capitals' tops, and the
 * marks stacked on them (the hook of Ả, the grave of Ù, the tilde over Ê)
 * fall outside it: "BÙI THANH BẢO NGỮ" comes back "BUI THANH BAO NGỮ".
 * Read again as one line, from a box reaching OCR_REREAD_ABOVE of the
 * line's height above it, the same line gives its marks back.  Only the
 * lines a form gives a name on ("label: CAPITALS") are read again, and
 * of them only words in capitals that are the same letters once marks
 * are set aside, and a valid syllable, are taken: marks, and nothing
 * else, come from the second reading.
 */
#define OCR_REREAD_ABOVE 0.45	/* more reaches the line above */
#define OCR_REREAD_BELOW 0.10
#define OCR_REREAD_SIDE	 0.30
#define OCR_REREAD_SLACK 2	/* words a second reading may split or join */

static char *
ocr_strndup(const char *s, size_t len)
{
	char *d = xmalloc(len + 1);

	memcpy(d, s, len);
	d[len] = '\0';
	return d;
}

/* The letters of w without what leads and trails them: "ÁNH." -> "ÁNH". */
static void
ocr_core(const char *w, const char **start, size_t *len)
{
	const utf8proc_uint8_t *p = (const utf8proc_uint8_t *)w;
	utf8proc_ssize_t n, i = 0, end = (utf8proc_ssize_t)strlen(w), first = -1,
	    last = 0;
	utf8proc_int32_t cp;

	while (i < end) {
		if ((n = utf8proc_iterate(p + i, end - i, &cp)) <= 0)
			break;
		if (utf8proc_category(cp) >= UTF8PROC_CATEGORY_LU &&
		    utf8proc_category(cp) <= UTF8PROC_CATEGORY_ME) {
			/* letters and marks come first in utf8proc's order */
			if (first < 0)
				first = i;
			last = i + n;
		}
		i += n;
	}
	*start = w + (first < 0 ? 0 : first);
	*len = first < 0 ? 0 : (size_t)(last - first);
}

/* Whether w's letters are two or more capitals, and nothing else. */
static int
ocr_is_capitals(const char *w)
{
	struct vntext_stats st;
	const char *s;
	size_t len;

	ocr_core(w, &s, &len);
	vntext_stats(s, len, &st);
	return st.letters >= 2 && st.upper == st.letters && st.words == 1 &&
	    st.digits == 0;
}

static int
ocr_same_letters(const char *a, const char *b)
{
	const char *s;
	size_t len;
	char *x, *y, *fa, *fb;
	int same;

	ocr_core(a, &s, &len);
	x = ocr_strndup(s, len);
	ocr_core(b, &s, &len);
	y = ocr_strndup(s, len);
	fa = vntext_fold(x);
	fb = vntext_fold(y);
	same = *fa != '\0' && strcmp(fa, fb) == 0;
	free(x);
	free(y);
	free(fa);
	free(fb);
	return same;
}

/* Whether the line is "label: CAPITALS...", a form's name line: the
 * index of the first word in capitals after the label, else 0. */
static size_t
ocr_is_name_line(char **tok, size_t n)
{
	size_t i;
	int label = 0;

	for (i = 0; i < n; i++) {
		size_t len = strlen(tok[i]);

		/* "356/GPXD" is no name: ocr_is_capitals sees its letters */
		if (label && ocr_is_capitals(tok[i]) &&
		    strpbrk(tok[i], "0123456789") == NULL)
			return i;
		if (len > 0 && tok[i][len - 1] == ':')
			label = 1;
	}
	return 0;
}

/* The words of the line in the rectangle, read as one line, and their
 * confidences in *conf; NULL if none.  Caller frees both. */
static char **
ocr_read_line(struct ocr *o, int l, int t, int w, int h, size_t *n,
    int **conf)
{
	TessResultIterator *ri;
	char **words = NULL, *s;
	size_t cap = 0;

	*n = 0;
	*conf = NULL;
	TessBaseAPISetRectangle(o->api, l, t, w, h);
	if (TessBaseAPIRecognize(o->api, NULL) != 0 ||
	    (ri = TessBaseAPIGetIterator(o->api)) == NULL)
		return NULL;
	do {
		if ((s = TessResultIteratorGetUTF8Text(ri, RIL_WORD)) == NULL)
			continue;
		if (*s != '\0') {
			if (*n == cap) {
				cap = cap ? 2 * cap : 16;
				words = xrealloc(words, cap * sizeof *words);
				*conf = xrealloc(*conf, cap * sizeof **conf);
			}
			(*conf)[*n] = (int)(TessResultIteratorConfidence(ri,
			    RIL_WORD) + 0.5);
			words[(*n)++] = xstrdup(s);
		}
		TessDeleteText(s);
	} while (TessResultIteratorNext(ri, RIL_WORD));
	TessResultIteratorDelete(ri);
	return words;
}

/* A word with a digit the page reading was unsure of (under
 * OCR_REREAD_UNSURE), in a line that begins "Số:". */
#define OCR_REREAD_UNSURE 50

static int
ocr_unsure_number(const json_t *word)
{
	const char *t = json_string_value(json_object_get(word, "t"));

	return t != NULL && strpbrk(t, "0123456789") != NULL &&
	    json_integer_value(json_object_get(word, "c")) < OCR_REREAD_UNSURE;
}

static int
ocr_is_number_line(char **tok, size_t n, const json_t *words)
{
	size_t i;

	if (n < 2 || (strcmp(tok[0], "Số:") != 0 && strcmp(tok[0], "SỐ:") != 0))
		return 0;
	for (i = 1; i < n; i++)
		if (ocr_unsure_number(json_array_get(words, i)))
			return 1;
	return 0;
}

/*
 * A number read alike twice, once in the page and once as a line of its
 * own, is as sure as the surer reading: its confidence becomes that one.
 * A number the two readings differ on keeps its own, and extract.c, which
 * takes no number under 50, leaves it null.
 */
static void
ocr_confirm_numbers(char **tok, size_t n, json_t *words, char **again,
    const int *conf, size_t na)
{
	size_t i, k;
	json_t *w;

	for (i = 0; i < n; i++) {
		w = json_array_get(words, i);
		if (!ocr_unsure_number(w))
			continue;
		for (k = 0; k < na; k++)
			if (strcmp(tok[i], again[k]) == 0 && conf[k] >
			    json_integer_value(json_object_get(w, "c"))) {
				json_object_set_new(w, "c", json_integer(
				    conf[k]));
				break;
			}
	}
}

/* The word of the second reading to take for tok, or NULL: its letters in
 * capitals, the same once folded, a valid syllable, and marks it adds. */
static const char *
ocr_better_word(const struct ocr *o, const char *tok, const char *again)
{
	const char *s;
	size_t len;
	char *core;
	int ok;

	if (strcmp(tok, again) == 0 || !ocr_is_capitals(tok) ||
	    !ocr_is_capitals(again) || !ocr_same_letters(tok, again))
		return NULL;
	ocr_core(again, &s, &len);
	core = ocr_strndup(s, len);
	ok = o->syl == NULL || syllable_check(o->syl, core) != SYLLABLE_INVALID;
	free(core);
	return ok ? again : NULL;
}

/* Takes the second reading's marks into the line's words; the count. */
static int
ocr_take_marks(const struct ocr *o, char **tok, size_t n, json_t *words,
    char **again, size_t na)
{
	size_t i, j = 0, k, len, clen;
	const char *s, *c, *better;
	char *w;
	int changed = 0;

	for (i = 0; i < n; i++) {
		for (k = j; k < na && k <= j + OCR_REREAD_SLACK; k++)
			if (ocr_same_letters(tok[i], again[k]))
				break;
		if (k >= na || k > j + OCR_REREAD_SLACK)
			continue;	/* not in the second reading: kept */
		j = k + 1;
		if ((better = ocr_better_word(o, tok[i], again[k])) == NULL)
			continue;
		/* The second reading's letters, the first's punctuation. */
		ocr_core(tok[i], &s, &len);
		ocr_core(better, &c, &clen);
		w = xmalloc(strlen(tok[i]) - len + clen + 1);
		memcpy(w, tok[i], (size_t)(s - tok[i]));
		memcpy(w + (s - tok[i]), c, clen);
		strcpy(w + (s - tok[i]) + clen, s + len);
		json_object_set_new(json_array_get(words, i), "t",
		    json_string(w));
		free(tok[i]);
		tok[i] = w;
		changed++;
	}
	return changed;
}

/* The words of a text line, split at its spaces (Tesseract puts one). */
static char **
ocr_split(const char *line, size_t *n)
{
	char **tok = NULL, *copy = xstrdup(line), *w, *save = NULL;
	size_t cap = 0;

	*n = 0;
	for (w = strtok_r(copy, " \t", &save); w != NULL;
	    w = strtok_r(NULL, " \t", &save)) {
		if (*n == cap) {
			cap = cap ? 2 * cap : 16;
			tok = xrealloc(tok, cap * sizeof *tok);
		}
		tok[(*n)++] = xstrdup(w);
	}
	free(copy);
	return tok;
}

static void
ocr_free_words(char **w, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(w[i]);
	free(w);
}

/* Reads the name line again and puts its marks in tok; the words changed. */
static int
ocr_reread_line(struct ocr *o, struct Pix *pix, int dpi, json_t *line,
    char **tok, size_t n, size_t first, int *set)
{
	const json_t *box = json_object_get(line, "box"), *wbox;
	int pw = pixGetWidth(pix), ph = pixGetHeight(pix), l, t, r, bt, h;
	int x0, y0, x1, y1, changed, *conf;
	char **again;
	size_t na;

	l = (int)json_integer_value(json_array_get(box, 0));
	/* A name from its first word on: the label needs no second
	 * reading, and the engine's time goes with the width read. */
	if (first > 0 && (wbox = json_object_get(json_array_get(
	    json_object_get(line, "words"), first), "box")) != NULL &&
	    json_integer_value(json_array_get(wbox, 0)) > l)
		l = (int)json_integer_value(json_array_get(wbox, 0));
	t = (int)json_integer_value(json_array_get(box, 1));
	r = (int)json_integer_value(json_array_get(box, 2));
	bt = (int)json_integer_value(json_array_get(box, 3));
	h = bt - t;
	x0 = l - (int)(OCR_REREAD_SIDE * h);
	x1 = r + (int)(OCR_REREAD_SIDE * h);
	y0 = t - (int)(OCR_REREAD_ABOVE * h);
	y1 = bt + (int)(OCR_REREAD_BELOW * h);
	x0 = x0 < 0 ? 0 : x0;
	y0 = y0 < 0 ? 0 : y0;
	x1 = x1 > pw ? pw : x1;
	y1 = y1 > ph ? ph : y1;
	if (h <= 0 || x1 <= x0 || y1 <= y0)
		return 0;
	if (!*set) {
		/* the page again: the PDF already has it, and the
		 * recognised image, not the one shown, is read */
		TessBaseAPISetImage2(o->api, pix);
		TessBaseAPISetSourceResolution(o->api, dpi);
		TessBaseAPISetPageSegMode(o->api, PSM_SINGLE_LINE);
		*set = 1;
	}
	again = ocr_read_line(o, x0, y0, x1 - x0, y1 - y0, &na, &conf);
	changed = ocr_take_marks(o, tok, n, json_object_get(line, "words"),
	    again, na);
	ocr_confirm_numbers(tok, n, json_object_get(line, "words"), again, conf,
	    na);
	ocr_free_words(again, na);
	free(conf);
	return changed;
}

int
ocr_reread_lines(struct ocr *o, struct Pix *pix, int dpi, json_t *layout,
    char **text)
{
	json_t *lines = json_object_get(layout, "lines"), *line;
	size_t nl = json_array_size(lines), li = 0, n, i, first;
	TessPageSegMode psm = TessBaseAPIGetPageSegMode(o->api);
	const char *p, *e;
	char **tok;
	int changed = 0, set = 0, k;
	struct buf b;

	if (*text == NULL || nl == 0)
		return 0;
	buf_init(&b, 256u << 20);
	/* The text's non-empty lines are the layout's lines with words. */
	for (p = *text; ; p = e + 1) {
		char *one;

		if ((e = strchr(p, '\n')) == NULL)
			e = p + strlen(p);
		one = xmalloc((size_t)(e - p) + 1);
		memcpy(one, p, (size_t)(e - p));
		one[e - p] = '\0';
		tok = ocr_split(one, &n);
		k = 0;
		if (n > 0) {
			while (li < nl && json_array_size(json_object_get(
			    json_array_get(lines, li), "words")) == 0)
				li++;
			line = li < nl ? json_array_get(lines, li++) : NULL;
			if (line != NULL && n == json_array_size(
			    json_object_get(line, "words")) &&
			    /* a number is read with its "Số:": alone, it
			     * reads less surely */
			    ((first = ocr_is_name_line(tok, n)) > 0 ||
			    ocr_is_number_line(tok, n, json_object_get(line,
			    "words"))))
				k = ocr_reread_line(o, pix, dpi, line, tok, n,
				    first, &set);
		}
		if (k > 0)
			for (i = 0; i < n; i++)
				buf_printf(&b, "%s%s", i ? " " : "", tok[i]);
		else
			buf_append(&b, one, strlen(one));
		changed += k;
		ocr_free_words(tok, n);
		free(one);
		if (*e == '\0')
			break;
		buf_append(&b, "\n", 1);
	}
	if (set)
		TessBaseAPISetPageSegMode(o->api, psm);
	if (changed > 0 && b.data != NULL) {
		free(*text);
		*text = xstrdup(b.data);
	}
	buf_free(&b);
	return changed;
}
