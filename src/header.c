/*
 * header.c: the header fields of a result (document type and number, the
 * issuing body, the date of issue) read from their place on page 1's
 * layout, when the OCR engine gave one; extract.c reads the rest of the
 * fields, and the header fields from the text alone when there is no
 * layout.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sohoa.h"
#include "extract_int.h"

/*
 * Header fields from their place on page 1 (ocr_layout's lines, words and
 * boxes), as Nghị định 30/2020 sets them out: the left header column holds
 * the issuing body and "Số:", the right one the motto and "<place>, ngày D
 * tháng M năm Y", and the title in capitals is centred under both.  Each
 * engine line is cut into segments at gaps much wider than its text is
 * tall (PSM 6 reads the two header columns, or a stamp and a title, as one
 * line), and a segment is told left, centre or right by where it sits.
 * Nothing below the title (recitals, citations, the body, the recipients)
 * and nothing inside an incoming-document stamp gives a header field; a
 * place that is there but unreadable or left blank gives null.
 */
#define SEG_GAP		2.0	/* text heights: a wider gap parts columns */
#define HEAD_ZONE	0.45	/* of the page's height: headers are above */
#define TITLE_ZONE	0.6	/* ... and the title */
#define CENTRE_TOL	0.15	/* of the page's width: a title is centred */
#define CENTRE_COL	0.07	/* ... and a centre segment, not a right one */
#define DATE_LINES	3	/* lines under the motto the date line is on */
#define BODY_WIDTH	0.7	/* of the page's width: a line of the body */
#define SO_UNDER_TITLE	4	/* lines under the title a certificate's Số is */
/* Tesseract's confidence below which a number is taken as misread: on the
 * 64-page fields set the one with a slipped letter (440/QĐ-GT for
 * 440/QĐ-CT) had 32, on eval-public's real scans 1906/SGDĐT-CTYTT for
 * -CTrTT 46; numbers read right mostly 55 or more (one 47, one 39, now
 * null): a wrong number costs more than a missing one. */
#define NUMBER_MINCONF	50

enum { COL_LEFT, COL_CENTRE, COL_RIGHT };

static void
header_note_seg(struct extract_ctx *x, const char *field,
    const struct xseg *s)
{
	int box[4] = { s->x0, s->y0, s->x1, s->y1 };

	extract_note(x, field, "page layout", s->l.text, box);
}

static int
header_box(const json_t *a, int b[4])
{
	size_t i;

	if (json_array_size(a) != 4)
		return -1;
	for (i = 0; i < 4; i++) {
		if (!json_is_integer(json_array_get(a, i)))
			return -1;
		b[i] = (int)json_integer_value(json_array_get(a, i));
	}
	return b[2] >= b[0] && b[3] >= b[1] ? 0 : -1;
}

static int
header_int_cmp(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;

	return (x > y) - (x < y);
}

/* Words [first, last) of a line, one space between them, into b (which
 * it initialises; caller frees). */
static void
header_join(struct buf *b, char **txt, size_t first, size_t last)
{
	size_t i;

	buf_init(b, 1u << 20);
	for (i = first; i < last; i++) {
		if (i > first)
			buf_append(b, " ", 1);
		buf_append(b, txt[i], strlen(txt[i]));
	}
}

/* Words [first, last) of an engine line as one segment. */
static void
header_seg_add(struct xlayout *lay, size_t line, char **txt,
    int (*box)[5], size_t first, size_t last, int h, int col)
{
	struct xseg *sg;
	struct buf b;
	size_t i;

	if (lay->nseg == lay->cap) {
		lay->cap = lay->cap ? lay->cap * 2 : 64;
		lay->seg = xrealloc(lay->seg, lay->cap * sizeof *lay->seg);
	}
	sg = &lay->seg[lay->nseg++];
	memset(sg, 0, sizeof *sg);
	buf_init(&b, 1u << 20);
	sg->x0 = box[first][0];
	sg->y0 = box[first][1];
	sg->x1 = box[first][2];
	sg->y1 = box[first][3];
	for (i = first; i < last; i++) {
		if (i > first)
			buf_append(&b, " ", 1);
		buf_append(&b, txt[i], strlen(txt[i]));
		sg->x0 = box[i][0] < sg->x0 ? box[i][0] : sg->x0;
		sg->y0 = box[i][1] < sg->y0 ? box[i][1] : sg->y0;
		sg->x1 = box[i][2] > sg->x1 ? box[i][2] : sg->x1;
		sg->y1 = box[i][3] > sg->y1 ? box[i][3] : sg->y1;
	}
	extract_xline_set(&sg->l, b.data != NULL ? b.data : "");
	buf_free(&b);
	sg->h = h;
	sg->line = line;
	sg->conf = box[first][4];
	for (i = first + 1; i < last; i++)
		if (i == first + 1 || box[i][4] < sg->conf)
			sg->conf = box[i][4];
	if (col >= 0)
		sg->col = col;
	else if (sg->x0 * 2 < lay->w && sg->x1 * 2 > lay->w &&
	    abs(sg->x0 + sg->x1 - lay->w) < 2 * CENTRE_COL * lay->w)
		sg->col = COL_CENTRE;
	else
		sg->col = sg->x0 + sg->x1 < lay->w ? COL_LEFT : COL_RIGHT;
}

static int
header_seg_right(struct extract_ctx *x, char **txt, size_t first,
    size_t last)
{
	struct xline l;
	struct buf b;
	int yes;

	header_join(&b, txt, first, last);
	extract_xline_set(&l, b.data);
	yes = extract_line_match(x, RE_DATE_COMMA, &l, 0) ||
	    (extract_line_match(x, RE_MOTTO, &l, 0) && x->ov[0] == 0) ||
	    (extract_line_match(x, RE_DOCLAP, &l, 0) && x->ov[0] == 0);
	extract_xline_free(&l);
	buf_free(&b);
	return yes;
}

/*
 * Words [first, last) as one segment or two: near the top of the page, a
 * segment that holds the left header and the right one (the gap between
 * the columns was not wide enough to tell) is cut where the motto, "Độc
 * lập" or "<place>, ngày" begins, as the text path cuts its lines.
 */
static void
header_seg_cut(struct extract_ctx *x, struct xlayout *lay, size_t line,
    char **txt, int (*box)[5], size_t first, size_t last, int h)
{
	struct xline l;
	struct buf b;
	size_t i, off, cut, k = last;

	if (box[first][1] <= HEAD_ZONE * lay->h && last - first > 1) {
		header_join(&b, txt, first, last);
		extract_xline_set(&l, b.data);
		cut = extract_right_at(x, &l);
		for (i = first, off = 0; cut > 0 && i < last && k == last;
		    i++) {
			if (off >= cut && i > first)
				k = i;
			off += strlen(txt[i]) + 1;
		}
		extract_xline_free(&l);
		buf_free(&b);
		/* A right header begins right of the page's first quarter,
		 * with the motto or "<place>, ngày" (not a bare "ngày 5" of
		 * the body). */
		if (k < last && (box[k][0] * 4 < lay->w ||
		    !header_seg_right(x, txt, k, last)))
			k = last;
	}
	/* Cut, the two parts are the two columns wherever they sit. */
	header_seg_add(lay, line, txt, box, first, k, h, k < last ? COL_LEFT :
	    -1);
	if (k < last)
		header_seg_add(lay, line, txt, box, k, last, h, COL_RIGHT);
}

/* Cuts an engine line into segments at its wide gaps. */
static void
header_line(struct extract_ctx *x, struct xlayout *lay, size_t line,
    const json_t *words)
{
	size_t n = json_array_size(words), m = 0, i, first;
	char **txt = xcalloc(n + 1, sizeof *txt);
	int (*box)[5] = xcalloc(n + 1, sizeof *box);
	int *hs = xcalloc(n + 1, sizeof *hs), h;

	for (i = 0; i < n; i++) {
		const json_t *w = json_array_get(words, i);
		const char *t = json_string_value(json_object_get(w, "t"));

		if (t == NULL || *t == '\0' ||
		    header_box(json_object_get(w, "box"), box[m]) == -1)
			continue;
		txt[m] = vntext_nfc(t, strlen(t));
		box[m][4] = json_is_integer(json_object_get(w, "c")) ?
		    (int)json_integer_value(json_object_get(w, "c")) : 100;
		hs[m] = box[m][3] - box[m][1];
		m++;
	}
	if (m > 0) {
		qsort(hs, m, sizeof *hs, header_int_cmp);
		h = hs[m / 2] > 0 ? hs[m / 2] : 1;
		for (first = 0, i = 1; i <= m; i++) {
			if (i < m && box[i][0] - box[i - 1][2] <= SEG_GAP * h)
				continue;
			header_seg_cut(x, lay, line, txt, box, first, i, h);
			first = i;
		}
	}
	for (i = 0; i < m; i++)
		free(txt[i]);
	free(txt);
	free(box);
	free(hs);
}

/*
 * An incoming-document stamp ("ĐẾN", "Số:", "Ngày:", "Giờ:", "Chuyển:"):
 * every segment around one of its lines is the stamp's.
 */
static void
header_stamps(struct extract_ctx *x, struct xlayout *lay)
{
	size_t i, j;

	for (i = 0; i < lay->nseg; i++) {
		const struct xseg *a = &lay->seg[i];
		int h = a->h, l, t, r, b;

		if (!extract_line_match(x, RE_STAMP, &a->l, 0))
			continue;
		l = a->x0 - 4 * h;
		r = a->x1 + 4 * h;
		t = a->y0 - 3 * h;
		b = a->y1 + 4 * h;
		for (j = 0; j < lay->nseg; j++) {
			struct xseg *s = &lay->seg[j];
			int cx = (s->x0 + s->x1) / 2, cy = (s->y0 + s->y1) / 2;

			if (cx >= l && cx <= r && cy >= t && cy <= b &&
			    s->col != COL_CENTRE)
				s->stamp = 1;
		}
		lay->seg[i].stamp = 1;
	}
}

/* Page 1's layout, cut into segments; -1 when there is none to read. */
int
header_read(struct extract_ctx *x, const json_t *layout,
    struct xlayout *lay)
{
	const json_t *pg = json_is_array(layout) ? json_array_get(layout, 0) :
	    layout, *lines;
	size_t i;

	memset(lay, 0, sizeof *lay);
	lines = json_object_get(pg, "lines");
	if (!json_is_object(pg) || !json_is_array(lines) ||
	    !json_is_integer(json_object_get(pg, "w")) ||
	    !json_is_integer(json_object_get(pg, "h")))
		return -1;
	lay->w = (int)json_integer_value(json_object_get(pg, "w"));
	lay->h = (int)json_integer_value(json_object_get(pg, "h"));
	if (lay->w <= 0 || lay->h <= 0)
		return -1;
	for (i = 0; i < json_array_size(lines); i++)
		header_line(x, lay, i, json_object_get(
		    json_array_get(lines, i), "words"));
	header_stamps(x, lay);
	return 0;
}

void
header_free(struct xlayout *lay)
{
	size_t i;

	for (i = 0; i < lay->nseg; i++)
		extract_xline_free(&lay->seg[i].l);
	free(lay->seg);
}

static int
header_centred(const struct xlayout *lay, const struct xseg *s, double tol)
{
	return abs(s->x0 + s->x1 - lay->w) < 2 * tol * lay->w;
}

/*
 * The number on a "Số:" segment, or NULL.  Where the layout puts it, a
 * number of digits alone is a registration number (a household business
 * certificate's 0195163130), which the text alone cannot tell from any
 * other number.  Caller frees.
 */
static char *
header_number(struct extract_ctx *x, const struct xseg *s)
{
	char *v;

	if (s->conf < NUMBER_MINCONF)
		return NULL;
	if ((v = extract_docno(x, &s->l)) == NULL &&
	    (v = extract_certno(x, &s->l, 0)) == NULL &&
	    extract_line_match(x, RE_SO_DIGITS, &s->l, 0))
		v = extract_cut(&s->l, x->ov[2], x->ov[3]);
	return v;
}

/*
 * The right header's part of engine line `line` (its segments outside
 * the left column and stamps, joined) into l; 0 when it has none.  On a
 * narrow page the right header may sit under the left one, across the
 * middle.
 */
static int
header_right(const struct xlayout *lay, size_t line, struct xline *l,
    int *y0, int *y1)
{
	struct buf b;
	size_t i;
	int any = 0;

	buf_init(&b, 1u << 20);
	for (i = 0; i < lay->nseg; i++) {
		const struct xseg *s = &lay->seg[i];

		if (s->line != line || s->col == COL_LEFT || s->stamp)
			continue;
		if (any++ > 0)
			buf_append(&b, " ", 1);
		buf_append(&b, s->l.text, s->l.len);
		if (any == 1 || s->y0 < *y0)
			*y0 = s->y0;
		if (any == 1 || s->y1 > *y1)
			*y1 = s->y1;
	}
	if (any)
		extract_xline_set(l, b.data);
	buf_free(&b);
	return any > 0;
}

void
header_fields(struct extract_ctx *x, const struct xlayout *lay,
    char **doc_type, char **doc_number, char **agency, char date[11],
    int *have_date)
{
	static const enum extract_re dates[] = {
		RE_DATE_PLACE, RE_DATE_PLACE_NUM, RE_DATE_WORDS
	};
	const struct xseg *s;
	ssize_t motto = -1, doclap = -1, so = -1, title = -1, more = -1;
	int zone = (int)(HEAD_ZONE * lay->h), top = 0, hb = 0, dateline = 0;
	int y0 = 0, y1 = 0, limit;
	size_t i, j, p, lastline = (size_t)-1, al = (size_t)-1;
	struct xline dl, *save;
	size_t nsave;
	char *t;

	for (i = 0; i < lay->nseg; i++) {
		s = &lay->seg[i];
		if (s->stamp || s->y0 > zone || s->col == COL_LEFT)
			continue;
		if (motto < 0 && extract_line_match(x, RE_MOTTO, &s->l, 0))
			motto = (ssize_t)i;
		if (doclap < 0 && extract_line_match(x, RE_DOCLAP, &s->l, 0))
			doclap = (ssize_t)i;
	}
	if (doclap >= 0) {
		top = lay->seg[doclap].y1 - lay->seg[doclap].h;
		al = lay->seg[doclap].line;
	} else if (motto >= 0) {
		top = lay->seg[motto].y1 - lay->seg[motto].h;
		al = lay->seg[motto].line;
	}
	/* The "Số:" line of the left header, at the latest on the date's
	 * row (a "Số:" further down is under the title). */
	for (i = 0; i < lay->nseg && so < 0; i++) {
		s = &lay->seg[i];
		if (!s->stamp && s->col == COL_LEFT && s->y0 <= zone &&
		    (al == (size_t)-1 || s->line <= al + DATE_LINES) &&
		    extract_line_match(x, RE_SO_LABEL, &s->l, 0) &&
		    s->l.text[0] == 'S')
			so = (ssize_t)i;
	}
	/* The place-and-date line of the right header: the first one there
	 * decides, read or not. */
	for (i = 0; i < lay->nseg && !dateline; i++) {
		s = &lay->seg[i];
		if (s->line == lastline || s->y0 > zone || s->y1 < top ||
		    (al != (size_t)-1 && (s->line < al ||
		    s->line > al + DATE_LINES)))
			continue;
		lastline = s->line;
		if (!header_right(lay, s->line, &dl, &y0, &y1))
			continue;
		/* Without the motto to go by, only "<place>, ngày". */
		if (y1 >= top && extract_line_match(x, al != (size_t)-1 ?
		    RE_NGAY : RE_DATE_COMMA, &dl, 0)) {
			dateline = 1;
			for (p = 0; p < (al != (size_t)-1 ? sizeof dates /
			    sizeof dates[0] : 2) && !*have_date; p++)
				*have_date = xdate_in(x, dates[p], &dl,
				    date);
			if (*have_date) {
				int box[4] = { s->x0, y0, s->x1, y1 };

				extract_note(x, DOC_K_ISSUED_ON, "page layout",
				    dl.text, box);
			}
		}
		extract_xline_free(&dl);
	}
	if (motto < 0 && doclap < 0 && so < 0 && !dateline)
		return;		/* no header: a second page, a letter's end */
	if (doclap >= 0 && lay->seg[doclap].y1 > hb)
		hb = lay->seg[doclap].y1;
	if (motto >= 0 && lay->seg[motto].y1 > hb)
		hb = lay->seg[motto].y1;
	if (so >= 0 && lay->seg[so].y1 > hb)
		hb = lay->seg[so].y1;
	if (dateline && y1 > hb)
		hb = y1;
	/* The title: in capitals, centred under the headers, before the
	 * body begins. */
	for (i = 0; i < lay->nseg && title < 0; i++) {
		s = &lay->seg[i];
		if (s->stamp || s->y0 + s->h / 2 < hb)
			continue;
		if (s->y0 > TITLE_ZONE * lay->h ||
		    (s->x1 - s->x0 > BODY_WIDTH * lay->w &&
		    !header_centred(lay, s, CENTRE_COL)) ||
		    extract_line_match(x, RE_RECITAL, &s->l, 0))
			break;
		if (
		    !header_centred(lay, s, CENTRE_TOL))
			continue;
		if (extract_is_title(x, &s->l))
			title = (ssize_t)i;
	}
	if (title >= 0) {
		t = xstrdup(lay->seg[title].l.text);
		extract_tidy(t);
		for (j = (size_t)title + 1; j < lay->nseg && more < 0 &&
		    extract_title_continues(t); j++) {
			s = &lay->seg[j];
			if (s->line == lay->seg[title].line || s->stamp ||
			    !header_centred(lay, s, CENTRE_TOL))
				continue;
			if (extract_is_title(x, &s->l))
				more = (ssize_t)j;
			break;
		}
		if (more >= 0) {
			char *m = xstrdup(lay->seg[more].l.text);

			extract_tidy(m);
			*doc_type = xasprintf("%s %s", t, m);
			free(m);
			free(t);
		} else
			*doc_type = t;
	}
	if (title >= 0)
		header_note_seg(x, DOC_K_TYPE, &lay->seg[title]);
	if (so >= 0 && (title < 0 || lay->seg[so].y0 < lay->seg[title].y0)) {
		*doc_number = header_number(x, &lay->seg[so]);
		header_note_seg(x, DOC_K_NUMBER, &lay->seg[so]);
	}
	else if (title >= 0) {
		/* A certificate prints its number under the title. */
		so = -1;
		j = (size_t)(more >= 0 ? more : title) + 1;
		for (i = j; i < lay->nseg && so < 0 && lay->seg[i].line <=
		    lay->seg[j - 1].line + SO_UNDER_TITLE; i++) {
			s = &lay->seg[i];
			if (!s->stamp && header_centred(lay, s, 0.25) &&
			    extract_line_match(x, RE_SO_LABEL, &s->l, 0) &&
			    s->l.text[0] == 'S') {
				so = (ssize_t)i;
				*doc_number = header_number(x, s);
				header_note_seg(x, DOC_K_NUMBER, s);
			}
		}
		so = -1;
	}
	/* A certificate without a place-and-date line: the last
	 * registration under its title. */
	if (!dateline && title >= 0) {
		char day[11];

		j = (size_t)title + 1;
		for (i = j; i < lay->nseg && lay->seg[i].line <=
		    lay->seg[title].line + SO_UNDER_TITLE + 2; i++) {
			s = &lay->seg[i];
			if (s->stamp ||
			    !extract_line_match(x, RE_REGISTERED, &s->l, 0))
				continue;
			if (xdate_in(x, RE_DATE_WORDS, &s->l, day) ||
			    xdate_in(x, RE_DATE_NUM, &s->l, day)) {
				memcpy(date, day, 11);
				*have_date = 1;
				/* The last registration decides. */
				json_object_del(x->evidence, DOC_K_ISSUED_ON);
				header_note_seg(x, DOC_K_ISSUED_ON, s);
			}
		}
	}
	/* The issuing body: the left header's lines above "Số:". */
	limit = so >= 0 ? lay->seg[so].y0 : title >= 0 ? lay->seg[title].y0 :
	    zone;
	save = x->lines;
	nsave = x->nlines;
	x->lines = xcalloc(lay->nseg + 1, sizeof *x->lines);
	x->nlines = 0;
	for (i = 0; i < lay->nseg; i++) {
		s = &lay->seg[i];
		if (!s->stamp && s->col == COL_LEFT && s->y0 < limit)
			x->lines[x->nlines++] = s->l;
	}
	*agency = extract_agency(x, x->nlines);
	free(x->lines);
	x->lines = save;
	x->nlines = nsave;
}
