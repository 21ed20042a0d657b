/*
 * citytext_stub.c: TEMPORARY.  A stand-in for citytext_tsvector until the
 * reading side's src/citytext.c is merged; the lead removes this file (and
 * its line in the Makefile) then.  It is not the contract's tsvector: the
 * folded words of tokenizer_words with their positions, body weight D and
 * fields weight A, without the exact twins.  Enough for the shipper's
 * tests, which compare what the offices hold, not what a search finds.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sohoa.h"

#define CITYTEXT_STUB_MAXPOS	16383	/* PostgreSQL's last position */

/* The words of s (folded) appended to b as lexemes from position *pos. */
static void
citytext_stub_add(struct buf *b, const char *s, int *pos, char weight)
{
	char *w, *words, *save, *p;

	if (s == NULL)
		return;
	words = tokenizer_words(s);
	for (w = strtok_r(words, " ", &save); w != NULL;
	    w = strtok_r(NULL, " ", &save)) {
		if (*pos > CITYTEXT_STUB_MAXPOS)
			*pos = CITYTEXT_STUB_MAXPOS;
		buf_printf(b, "%s'", b->len > 0 ? " " : "");
		for (p = w; *p != '\0'; p++) {
			if (*p == '\'' || *p == '\\')
				buf_append(b, p, 1);
			buf_append(b, p, 1);
		}
		buf_printf(b, "':%d%c", *pos, weight);
		(*pos)++;
	}
	free(words);
}

char *
citytext_tsvector(const char *body, const char *fields)
{
	struct buf b;
	int pos = 1;

	buf_init(&b, (size_t)1 << 30);
	citytext_stub_add(&b, body, &pos, 'D');
	pos++;
	citytext_stub_add(&b, fields, &pos, 'A');
	return b.data != NULL ? b.data : xstrdup("");
}
