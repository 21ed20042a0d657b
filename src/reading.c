/*
 * reading.c: the reading order of a page's header.
 *
 * sohoa reads a page as one block (PSM 6: it reads real bodies of text
 * better than Tesseract's own layout analysis), so the two header columns
 * of a result (Nghị định 30/2020: the issuing body and "Số:" on the left,
 * the national motto and "<place>, ngày ..." on the right) come out
 * interleaved, a line of each on one line.  A person reads them as the
 * blocks they are, the left one and then the right one, and so do the
 * archive's text and its search snippets: this puts them back in that
 * order, with the page's layout (ocr_layout) to tell where each column
 * is.  Only the first run of two-column lines in the top of the page is
 * reordered; a form's "label: value ... label: value" rows further down
 * stay as rows.  When the text and the layout do not line up word for
 * word the text is left as it is.
 */
#include <stdlib.h>
#include <string.h>

#include "sohoa.h"

#define HEADER_ZONE	0.35	/* of the page height: where the run starts */
#define GAP_MEDIAN	2.5	/* a column gap is this many median gaps... */
#define GAP_HEIGHT	0.6	/* ... and this many text heights at least */
#define GAP_MIDDLE_LO	0.3	/* the gap's middle lies in this band of the */
#define GAP_MIDDLE_HI	0.7	/* page width */
#define LINE_GAP	1.5	/* text heights between lines of one run */
#define LINE_JOIN	0.8	/* ... and for a line of one column only */

enum { LINE_SPAN, LINE_SPLIT, LINE_LEFT, LINE_RIGHT };

static int	reading_is_word(const char *);
static int	reading_motto(const char *, const char *);

struct rline {
	int	 x0, x1, y0, y1, h;
	int	 split;		/* column gap's middle, or -1 */
	int	 lx1, rx0;	/* where the gap begins and ends */
	size_t	 k;		/* words before the gap */
	size_t	 nwords;
	int	*wx0, *wx1;	/* each word's left and right edge */
	int	 motto;		/* the word "CỘNG" of "CỘNG HÒA ...", or 0 */
};

static int
reading_int_cmp(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;

	return (x > y) - (x < y);
}

static int
reading_box(const json_t *w, int b[4])
{
	const json_t *box = json_object_get(w, "box");
	size_t i;

	if (json_array_size(box) != 4)
		return -1;
	for (i = 0; i < 4; i++)
		b[i] = (int)json_integer_value(json_array_get(box, i));
	return 0;
}

/* A line's extent (from its words), text height and column gap, if any. */
static int
reading_line(const json_t *line, int width, struct rline *r)
{
	const json_t *words = json_object_get(line, "words");
	size_t n = json_array_size(words), i, best = 0;
	int *gaps, *hs, b[4], prev = -1, g, gmax = -1, gmed, ng = 0;
	const char *t;

	memset(r, 0, sizeof *r);
	r->split = -1;
	r->nwords = n;
	if (n == 0)
		return -1;
	gaps = xcalloc(n, sizeof *gaps);
	hs = xcalloc(n, sizeof *hs);
	r->wx0 = xcalloc(n, sizeof *r->wx0);
	r->wx1 = xcalloc(n, sizeof *r->wx1);
	r->y0 = -1;
	for (i = 0; i < n; i++) {
		if (reading_box(json_array_get(words, i), b) == -1) {
			free(gaps);
			free(hs);
			return -1;
		}
		t = json_string_value(json_object_get(json_array_get(words, i),
		    "t"));
		hs[i] = b[3] - b[1];
		r->wx0[i] = b[0];
		r->wx1[i] = b[2];
		if (i > 0 && r->motto == 0 && i + 1 < n && reading_motto(t,
		    json_string_value(json_object_get(json_array_get(words,
		    i + 1), "t"))))
			r->motto = (int)i;
		/* A speck read as "_", ":" or "~" in a margin or between the
		 * columns is no word: the gap runs over it. */
		if (!reading_is_word(t) && b[2] - b[0] < hs[i])
			continue;
		if (prev < 0)
			r->x0 = b[0];
		r->x1 = b[2];
		if (r->y0 < 0 || b[1] < r->y0)
			r->y0 = b[1];
		if (b[3] > r->y1)
			r->y1 = b[3];
		if (prev >= 0) {
			g = b[0] - prev;
			gaps[ng++] = g;
			if (g > gmax) {
				gmax = g;
				best = i;
			}
		}
		prev = b[2];
	}
	qsort(hs, n, sizeof *hs, reading_int_cmp);
	r->h = hs[n / 2] > 0 ? hs[n / 2] : 1;
	if (ng >= 1) {
		qsort(gaps, (size_t)ng, sizeof *gaps, reading_int_cmp);
		gmed = gaps[ng / 2];
		/* The gap itself is among the gaps: with few words, the median
		 * of the others is what counts. */
		if (ng >= 2 && gmed == gmax)
			gmed = gaps[ng / 2 - 1];
		g = gmax;
		if (g >= GAP_HEIGHT * r->h && (ng == 1 || g >= GAP_MEDIAN *
		    (gmed > 1 ? gmed : 1))) {
			int mid;

			reading_box(json_array_get(words, best), b);
			mid = b[0] - g / 2;
			r->lx1 = b[0] - g;
			r->rx0 = b[0];

			if (mid > GAP_MIDDLE_LO * width &&
			    mid < GAP_MIDDLE_HI * width) {
				r->split = mid;
				r->k = best;
			}
		}
	}
	free(gaps);
	free(hs);
	return 0;
}

/* "CỘNG HÒA" (or "HOÀ"), the motto's first words, as OCR reads them. */
static int
reading_motto(const char *a, const char *b)
{
	char *fa, *fb;
	int yes;

	if (a == NULL || b == NULL)
		return 0;
	fa = vntext_fold(a);
	fb = vntext_fold(b);
	yes = strcmp(fa, "cong") == 0 && strncmp(fb, "hoa", 3) == 0 &&
	    (unsigned char)a[0] == 'C';
	free(fa);
	free(fb);
	return yes;
}

/* Has a letter or a digit (ASCII or not: any byte over 0x7f counts). */
static int
reading_is_word(const char *t)
{
	for (; t != NULL && *t != '\0'; t++)
		if (((unsigned char)*t >= '0' && (unsigned char)*t <= '9') ||
		    ((*t | 0x20) >= 'a' && (*t | 0x20) <= 'z') ||
		    (unsigned char)*t >= 0x80)
			return 1;
	return 0;
}

/*
 * lmax: where the left column ends, rmin: where the right one begins.  A
 * line whose own gap was too narrow to tell is split where a word ends
 * at the left column's edge and the next begins at the right's.  *k: the
 * words before the split.
 */
static int
reading_kind(const struct rline *r, int lmax, int rmin, size_t *k)
{
	int tol = r->h / 2;
	size_t i;

	*k = r->k;
	if (r->split >= 0 && r->lx1 < rmin && r->rx0 > lmax)
		return LINE_SPLIT;
	if (r->x1 < rmin)
		return LINE_LEFT;
	if (r->x0 > lmax)
		return LINE_RIGHT;
	/* The motto begins the right column, however close it sits. */
	if (r->motto > 0 && r->wx0[r->motto] > lmax / 2) {
		*k = (size_t)r->motto;
		return LINE_SPLIT;
	}
	for (i = 1; i < r->nwords; i++)
		if (r->wx1[i - 1] <= lmax + tol && r->wx0[i] >= rmin - tol &&
		    r->wx0[i] > r->wx1[i - 1]) {
			*k = i;
			return LINE_SPLIT;
		}
	return LINE_SPAN;
}

/*
 * Whether line a, next to line b of a run, belongs to it: a line of one
 * column or both, close above or under b.  A line of one column only
 * must also be closer to b, within a line's spacing: "Kính gửi:" a
 * little under the left header starts the body.
 */
static int
reading_joins(const struct rline *r, size_t a, size_t b, int lmax, int rmin)
{
	size_t lo = a < b ? a : b, hi = a < b ? b : a;
	size_t k;
	int kind = reading_kind(&r[a], lmax, rmin, &k);
	int gap = r[hi].y0 - r[lo].y1;

	if (kind == LINE_SPAN || gap > LINE_GAP * r[b].h)
		return 0;
	return kind == LINE_SPLIT || gap <= LINE_JOIN * r[b].h;
}

struct rrun {
	size_t	 first, last;
	int	 lmax, rmin;
};

/*
 * The first run of two-column lines from line `from` whose first split
 * line starts between y lo and hi: the columns' edges from its split
 * lines, then the lines of one column or both close above and under.
 */
static int
reading_run(const struct rline *r, size_t nl, size_t from, double lo,
    double hi, int width, struct rrun *u)
{
	size_t i;
	int split = -1;

	for (i = from; i < nl && split < 0 && r[i].y0 <= hi; i++)
		if (r[i].split >= 0 && r[i].y0 >= lo) {
			u->first = i;
			split = r[i].split;
		}
	if (split < 0)
		return -1;
	u->last = u->first;
	for (i = u->first, u->lmax = 0, u->rmin = width; i < nl &&
	    r[i].y0 <= hi; i++)
		if (r[i].split >= 0 && abs(r[i].split - split) < split / 4) {
			if (r[i].lx1 > u->lmax)
				u->lmax = r[i].lx1;
			if (r[i].rx0 < u->rmin)
				u->rmin = r[i].rx0;
		}
	if (u->lmax >= u->rmin)
		return -1;
	while (u->first > from && reading_joins(r, u->first - 1, u->first,
	    u->lmax, u->rmin))
		u->first--;
	while (u->last + 1 < nl && reading_joins(r, u->last + 1, u->last,
	    u->lmax, u->rmin))
		u->last++;
	return 0;
}

/* Whether a line of the run begins with "Nơi nhận" (OCR's slips on the
 * marks shrugged off). */
static int
reading_has_recipients(char **tl, const size_t *ti, size_t nt,
    const struct rrun *u)
{
	size_t i;
	char *f;
	int yes = 0;

	for (i = 0; i < nt && !yes; i++) {
		if (ti[i] == (size_t)-1 || ti[i] < u->first || ti[i] > u->last)
			continue;
		f = vntext_fold(tl[i]);
		yes = strncmp(f + strspn(f, " -."), "noi nhan", 8) == 0;
		free(f);
	}
	return yes;
}

/* The words of a text line, split at single spaces. */
static size_t
reading_count_words(const char *s)
{
	size_t n = 0;
	int in = 0;

	for (; *s != '\0'; s++) {
		if (*s == ' ')
			in = 0;
		else if (!in) {
			in = 1;
			n++;
		}
	}
	return n;
}

/* Appends words [from, to) of s (counted as reading_count_words does). */
static void
reading_append_words(struct buf *b, const char *s, size_t from, size_t to)
{
	size_t n = 0;
	int in = 0, any = 0;
	const char *p, *start = NULL;

	for (p = s;; p++) {
		if (*p == ' ' || *p == '\0') {
			if (in && n > from && n <= to) {
				if (any)
					buf_append(b, " ", 1);
				buf_append(b, start, (size_t)(p - start));
				any = 1;
			}
			in = 0;
			if (*p == '\0')
				break;
		} else if (!in) {
			in = 1;
			n++;
			start = p;
		}
	}
}

/*
 * The page's text with its header in reading order: the left column's
 * lines, then the right column's.  Returns a new string, or NULL when the
 * text stays as it is (no two-column header, or text and layout that do
 * not line up).
 */
char *
reading_order(const char *text, const json_t *layout)
{
	const json_t *lines = json_object_get(layout, "lines");
	int width = (int)json_integer_value(json_object_get(layout, "w"));
	int height = (int)json_integer_value(json_object_get(layout, "h"));
	size_t nl = json_array_size(lines), nt = 0, i, j, s;
	struct rline *r = NULL;
	char **tl = NULL, *copy = NULL, *p, *result = NULL;
	size_t *ti = NULL, ntext = 0;
	struct buf b;
	struct rrun run[2];
	size_t nruns;
	int kind;

	if (text == NULL || nl < 2 || width <= 0 || height <= 0)
		return NULL;
	r = xcalloc(nl, sizeof *r);
	for (i = 0, j = 0; i < nl; i++) {
		if (json_array_size(json_object_get(json_array_get(lines, i),
		    "words")) == 0)
			continue;
		if (reading_line(json_array_get(lines, i), width, &r[j]) == -1)
			goto out;
		j++;
	}
	nl = j;
	/* The text's lines; the non-empty ones are the layout's lines. */
	copy = xstrdup(text);
	for (p = copy; *p != '\0'; p++)
		if (*p == '\n')
			nt++;
	tl = xcalloc(nt + 2, sizeof *tl);
	ti = xcalloc(nt + 2, sizeof *ti);
	nt = 0;
	for (p = copy;;) {
		char *e = strchr(p, '\n');

		if (e != NULL)
			*e = '\0';
		tl[nt] = p;
		if (strspn(p, " \t") != strlen(p))
			ti[nt] = ntext++;
		else
			ti[nt] = (size_t)-1;
		nt++;
		if (e == NULL)
			break;
		p = e + 1;
	}
	if (ntext != nl)
		goto out;
	/* The header at the top, the signature and recipients at the
	 * bottom. */
	nruns = 0;
	if (reading_run(r, nl, 0, 0, HEADER_ZONE * height, width,
	    &run[nruns]) == 0)
		nruns++;
	/* Further down only a letter's or a decision's foot: "Nơi nhận:"
	 * on the left, the signature on the right.  A form's rows of
	 * "label: value  label: value" stay rows. */
	if (reading_run(r, nl, nruns > 0 ? run[0].last + 1 : 0, 0, height,
	    width, &run[nruns]) == 0 &&
	    reading_has_recipients(tl, ti, nt, &run[nruns]))
		nruns++;
	if (nruns == 0)
		goto out;
	/* Every split line must split its text where its words do. */
	for (i = 0; i < nt; i++)
		for (j = 0; j < nruns; j++)
			if (ti[i] != (size_t)-1 && ti[i] >= run[j].first &&
			    ti[i] <= run[j].last &&
			    r[ti[i]].nwords != reading_count_words(tl[i]))
				goto out;

	buf_init(&b, 256u << 20);
	for (i = 0; i < nt; ) {
		const struct rrun *u = NULL;

		for (j = 0; j < nruns && ti[i] != (size_t)-1; j++)
			if (ti[i] == run[j].first)
				u = &run[j];
		if (u == NULL) {
			buf_append(&b, tl[i], strlen(tl[i]));
			if (i + 1 < nt)
				buf_append(&b, "\n", 1);
			i++;
			continue;
		}
		s = i;
		for (kind = 0; kind < 2; kind++)
			for (i = s; i < nt && (ti[i] == (size_t)-1 ||
			    ti[i] <= u->last); i++) {
				size_t before = b.len, w;
				int k;

				if (ti[i] == (size_t)-1)
					continue;
				k = reading_kind(&r[ti[i]], u->lmax, u->rmin,
				    &w);
				if (kind == 0 && k == LINE_SPLIT)
					reading_append_words(&b, tl[i], 0, w);
				else if (kind == 1 && k == LINE_SPLIT)
					reading_append_words(&b, tl[i], w,
					    r[ti[i]].nwords);
				else if ((kind == 0 && k == LINE_LEFT) ||
				    (kind == 1 && k == LINE_RIGHT))
					buf_append(&b, tl[i], strlen(tl[i]));
				if (b.len > before)
					buf_append(&b, "\n", 1);
			}
	}
	if (b.data != NULL)
		result = xstrdup(b.data);
	buf_free(&b);
out:
	for (i = 0; r != NULL && i < nl; i++) {
		free(r[i].wx0);
		free(r[i].wx1);
	}
	free(r);
	free(tl);
	free(ti);
	free(copy);
	return result;
}
