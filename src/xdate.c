/*
 * xdate.c: the dates a result carries, read off its text (xdate_*; the x
 * of xline, the extraction's own): the date of issue, from the header's
 * "<place>, ngày D tháng M năm Y" first, a bare date only where a title
 * allows one, and until when the result holds ("có hiệu lực đến ngày
 * ...").  Day, month and year are read through OCR's slips in digits,
 * never from a recital, a birth date or what follows "Nơi nhận:".
 * header.c reads a date from its place on the layout with xdate_in, and
 * rule.c checks a profile rule's date with xdate_number and xdate_valid.
 * date.c is the other reader of dates, those people type.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sohoa.h"
#include "extract_int.h"

#define TITLE_DATE_LINES 4	/* under the title, a bare date may be its own */

/* A day, month or year group: O read as 0, l or I as 1; one real digit. */
int
xdate_number(const char *s, size_t len, int *out)
{
	int v = 0, real = 0, bad = 0;
	size_t i;

	for (i = 0; i < len && !bad; i++) {
		if (isdigit((unsigned char)s[i])) {
			v = v * 10 + (s[i] - '0');
			real++;
		} else if (s[i] == ' ')
			;	/* "năm 20 24": the patterns allow one */
		else if (s[i] == 'o')
			v = v * 10;
		else if (s[i] == 'i' || s[i] == 'l')
			v = v * 10 + 1;
		else
			bad = 1;
	}
	if (!bad && real > 0)
		*out = v;
	return bad || real == 0 ? -1 : 0;
}

int
xdate_valid(int y, int m, int d)
{
	/* A date on a result is not far in the future: OCR misread it. */
	return y <= 2100 && date_exists(y, m, d);
}

/* "sinh ngày 01/02/1990" is a birth date, never the date of issue. */
static int
xdate_after_birth(const struct xline *l, size_t at)
{
	size_t e = at;

	while (e > 0 && strchr(" :,", l->fold[e - 1]) != NULL)
		e--;
	return e >= 4 && strncmp(l->fold + e - 4, "sinh", 4) == 0;
}

/*
 * The date of issue as YYYY-MM-DD.  The header form "<place>, ngày ..."
 * comes first: a decision cites older laws by date ("Căn cứ Luật ... ngày
 * 19 tháng 6 năm 2015") before or after its own.
 */
int
xdate_in(struct extract_ctx *x, enum extract_re pass,
    const struct xline *l, char out[11])
{
	size_t start;
	int d, m, y, found = 0;

	for (start = 0; !found && extract_line_match(x, pass, l, start);
	    start = x->ov[0] + 1) {
		const char *f = l->fold;
		PCRE2_SIZE *ov = x->ov;

		if (xdate_after_birth(l, ov[0]))
			continue;
		if (xdate_number(f + ov[2], ov[3] - ov[2], &d) ||
		    xdate_number(f + ov[4], ov[5] - ov[4], &m) ||
		    xdate_number(f + ov[6], ov[7] - ov[6], &y) ||
		    !xdate_valid(y, m, d))
			continue;
		/* The ranges are checked; the modulos tell the compiler so. */
		snprintf(out, 11, "%04u-%02u-%02u", (unsigned)y % 10000,
		    (unsigned)m % 100, (unsigned)d % 100);
		found = 1;
	}
	return found;
}

/*
 * The text alone (a PDF's text layer, a package older than layouts): the
 * header form "<place>, ngày ..." first, then a bare date, but only on
 * the header lines and the few under the title (a certificate's "Đăng ký
 * lần đầu: ngày ..."), and only when there is a title.  Never from a recital ("Căn cứ Luật
 * ... ngày 19 tháng 6 năm 2015" cites an older law) nor from what
 * follows "Nơi nhận:" or the title (a deadline, a date in the body).
 */
int
xdate_issued(struct extract_ctx *x, char out[11])
{
	static const enum extract_re passes[] = {
		RE_DATE_PLACE, RE_DATE_PLACE_NUM, RE_DATE_WORDS, RE_DATE_NUM
	};
	size_t p, i, end;
	int found = 0;

	for (p = 0; p < sizeof passes / sizeof passes[0] && !found; p++) {
		if (p < 2)
			end = x->end;
		else if (x->title < x->end)
			end = x->title + TITLE_DATE_LINES < x->end ?
			    x->title + TITLE_DATE_LINES : x->end;
		else
			end = 0;
		for (i = 0; i < end && !found; i++)
			if (!x->recital[i] && (found = xdate_in(x,
			    passes[p], &x->lines[i], out)))
				extract_note(x, DOC_K_ISSUED_ON, "text",
				    x->lines[i].text, NULL);
	}
	return found;
}

/*
 * Until when the result holds, as its text says ("Giấy phép có hiệu lực
 * đến ngày ..."), a sentence that may run onto the next line.  Never from
 * a recital, which cites another document's validity.  A QR code's value,
 * when there is one, is taken over this (codes_merge).
 */
int
xdate_valid_until(struct extract_ctx *x, char out[11])
{
	static const enum extract_re passes[] = { RE_VALID_WORDS,
	    RE_VALID_NUM };
	struct xline two;
	size_t i, p;
	char *s;
	int found = 0;

	for (i = 0; i < x->nlines && !found; i++) {
		if (x->recital[i])
			continue;
		s = i + 1 < x->nlines ? xasprintf("%s %s", x->lines[i].text,
		    x->lines[i + 1].text) : xstrdup(x->lines[i].text);
		extract_xline_set(&two, s);
		free(s);
		for (p = 0; p < sizeof passes / sizeof passes[0] && !found; p++)
			found = xdate_in(x, passes[p], &two, out) &&
			    x->ov[0] < x->lines[i].flen;
		if (found)
			extract_note(x, DOC_K_VALID_UNTIL, "text", two.text,
			    NULL);
		extract_xline_free(&two);
	}
	return found;
}
