/*
 * vntext.c: Vietnamese text normalisation, the bottom layer under
 * extraction and search.  Scanned text arrives from Tesseract, from file
 * names and from people typing queries, in NFC or NFD, sometimes with
 * broken UTF-8.  vntext_nfc makes any byte string into valid NFC UTF-8,
 * and vntext_fold makes the form that matching works on: lower case,
 * every tone and vowel mark removed, and đ/Đ turned into d, which Unicode
 * does not do for us because Đ has no decomposition.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <utf8proc.h>

#include "sohoa.h"

#define VNTEXT_REPLACEMENT	0xFFFD
/* Longest folded sequence of one character (a case fold expands to at
 * most three characters, each decomposes to a letter plus marks). */
#define VNTEXT_FOLDMAX		32

/*
 * Copies s[0..len) with every byte that does not begin a valid UTF-8
 * sequence, and every NUL, replaced by U+FFFD, so that the result is
 * valid UTF-8 and a C string.  Caller frees.
 */
static char *
vntext_sanitize(const char *s, size_t len, size_t *outlen)
{
	const utf8proc_uint8_t *p = (const utf8proc_uint8_t *)s;
	utf8proc_int32_t cp;
	utf8proc_ssize_t n;
	size_t i = 0, o = 0;
	char *out;

	/* One bad byte grows into three (U+FFFD); nothing grows more. */
	if (len > (SIZE_MAX - 1) / 3)
		fatalx("text too large to normalise");
	out = xmalloc(len * 3 + 1);
	while (i < len) {
		n = utf8proc_iterate(p + i, (utf8proc_ssize_t)(len - i), &cp);
		if (n <= 0 || cp == 0) {
			o += (size_t)utf8proc_encode_char(VNTEXT_REPLACEMENT,
			    (utf8proc_uint8_t *)out + o);
			i++;
			continue;
		}
		memcpy(out + o, p + i, (size_t)n);
		o += (size_t)n;
		i += (size_t)n;
	}
	out[o] = '\0';
	*outlen = o;
	return out;
}

char *
vntext_nfc(const char *s, size_t len)
{
	utf8proc_uint8_t *nfc = NULL;
	utf8proc_ssize_t n;
	size_t cleanlen;
	char *clean, *result;

	if (s == NULL)
		len = 0;
	clean = vntext_sanitize(s, len, &cleanlen);
	n = utf8proc_map((const utf8proc_uint8_t *)clean,
	    (utf8proc_ssize_t)cleanlen, &nfc, UTF8PROC_STABLE | UTF8PROC_COMPOSE);
	if (n == UTF8PROC_ERROR_NOMEM)
		fatalx("out of memory");
	if (n < 0) {
		/* Cannot happen on valid UTF-8 short of an overflow; the
		 * clean text is still valid UTF-8, so it is a fair answer. */
		result = clean;
		clean = NULL;
	} else
		result = (char *)nfc;
	free(clean);
	return result;
}

/*
 * Folds one character into out and returns how many characters it became
 * (0 for a mark, which folding removes).  The đ family is mapped before
 * Unicode case folding; Ð/ð (eth) are included because Tesseract reads
 * Đ as Ð on some scans.  Hangul syllables are left alone: decomposing them
 * would leave jamo that only recomposition could undo.
 */
static int
vntext_fold_char(utf8proc_int32_t cp, utf8proc_int32_t out[VNTEXT_FOLDMAX])
{
	utf8proc_ssize_t n = 1;

	if (cp == 0x0110 || cp == 0x0111 || cp == 0x00D0 || cp == 0x00F0)
		out[0] = 'd';
	else if (cp >= 0xAC00 && cp <= 0xD7A3)
		out[0] = cp;
	else {
		n = utf8proc_decompose_char(cp, out, VNTEXT_FOLDMAX,
		    UTF8PROC_DECOMPOSE | UTF8PROC_CASEFOLD | UTF8PROC_STRIPMARK,
		    NULL);
		if (n < 0 || n > VNTEXT_FOLDMAX) {
			out[0] = cp;
			n = 1;
		}
	}
	return (int)n;
}

/*
 * Folds s[0..len) character by character.  When mapp is not NULL, *mapp
 * receives one offset into s per output byte plus one for the end.
 * Invalid bytes fold to U+FFFD.
 */
static char *
vntext_fold_buf(const char *s, size_t len, size_t **mapp)
{
	const utf8proc_uint8_t *p = (const utf8proc_uint8_t *)s;
	utf8proc_int32_t cp, folded[VNTEXT_FOLDMAX];
	utf8proc_ssize_t n;
	size_t i = 0, o = 0, cap, *map = NULL;
	char *out;
	int k, nf;

	cap = len + 16;
	out = xmalloc(cap);
	if (mapp != NULL)
		map = xcalloc(cap, sizeof *map);
	while (i < len) {
		n = utf8proc_iterate(p + i, (utf8proc_ssize_t)(len - i), &cp);
		if (n <= 0 || cp == 0) {
			cp = VNTEXT_REPLACEMENT;
			n = 1;
		}
		nf = vntext_fold_char(cp, folded);
		for (k = 0; k < nf; k++) {
			utf8proc_uint8_t enc[4];
			utf8proc_ssize_t m, j;

			m = utf8proc_encode_char(folded[k], enc);
			if (o + (size_t)m + 1 > cap) {
				cap = cap * 2 + (size_t)m;
				out = xrealloc(out, cap);
				if (map != NULL)
					map = xrealloc(map, cap * sizeof *map);
			}
			for (j = 0; j < m; j++) {
				if (map != NULL)
					map[o] = i;
				out[o++] = (char)enc[j];
			}
		}
		i += (size_t)n;
	}
	out[o] = '\0';
	if (map != NULL) {
		map[o] = len;
		*mapp = map;
	}
	return out;
}

char *
vntext_fold(const char *s)
{
	char *nfc, *folded;

	nfc = vntext_nfc(s, s != NULL ? strlen(s) : 0);
	folded = vntext_fold_buf(nfc, strlen(nfc), NULL);
	free(nfc);
	return folded;
}

char *
vntext_fold_map(const char *s, size_t **map)
{
	return vntext_fold_buf(s, strlen(s), map);
}

/*
 * Characters that must not reach a terminal, a log line or a table as
 * they are: C0 and C1 controls and DEL (a newline would start a forged
 * line, an escape sequence would move the cursor), the line and
 * paragraph separators, and the bidirectional controls that make text
 * read in another order than it is stored.
 */
static int
vntext_hidden(utf8proc_int32_t cp)
{
	utf8proc_category_t c;

	if (cp < 0x20 || (cp >= 0x7f && cp < 0xa0))
		return 1;
	if ((cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069) ||
	    cp == 0x200e || cp == 0x200f || cp == 0x061c)
		return 1;
	c = utf8proc_category(cp);
	return c == UTF8PROC_CATEGORY_ZL || c == UTF8PROC_CATEGORY_ZP;
}

size_t
vntext_escape_into(char *out, size_t outlen, const char *s, size_t len)
{
	const utf8proc_uint8_t *p = (const utf8proc_uint8_t *)s;
	utf8proc_int32_t cp;
	utf8proc_ssize_t n;
	char piece[16];
	size_t i = 0, o = 0, written = 0, plen;
	int full = out == NULL || outlen == 0;

	while (i < len) {
		n = utf8proc_iterate(p + i, (utf8proc_ssize_t)(len - i), &cp);
		if (n <= 0) {
			snprintf(piece, sizeof piece, "\\x%02x", p[i]);
			n = 1;
		} else if (!vntext_hidden(cp)) {
			memcpy(piece, p + i, (size_t)n);
			piece[n] = '\0';
		} else if (cp == '\n')
			snprintf(piece, sizeof piece, "\\n");
		else if (cp == '\t')
			snprintf(piece, sizeof piece, "\\t");
		else if (cp == '\r')
			snprintf(piece, sizeof piece, "\\r");
		else if (cp == 0x1b)
			snprintf(piece, sizeof piece, "\\e");
		else if (cp < 0x80)
			snprintf(piece, sizeof piece, "\\x%02x", (unsigned)cp);
		else
			snprintf(piece, sizeof piece, "\\u%04x", (unsigned)cp);
		plen = strlen(piece);
		/* Whole pieces only: a cut never splits a character. */
		if (!full && written + plen < outlen) {
			memcpy(out + written, piece, plen);
			written += plen;
		} else
			full = 1;
		o += plen;
		i += (size_t)n;
	}
	if (out != NULL && outlen > 0)
		out[written] = '\0';
	return o;
}

char *
vntext_escape(const char *s, size_t len)
{
	size_t n;
	char *out;

	if (s == NULL)
		return xstrdup("");
	n = vntext_escape_into(NULL, 0, s, len);
	out = xmalloc(n + 1);
	vntext_escape_into(out, n + 1, s, len);
	return out;
}

int
vntext_utf8_valid(const char *s, size_t len)
{
	const utf8proc_uint8_t *p = (const utf8proc_uint8_t *)s;
	utf8proc_int32_t cp;
	utf8proc_ssize_t n;
	size_t i = 0;

	while (i < len) {
		if ((n = utf8proc_iterate(p + i, (utf8proc_ssize_t)(len - i),
		    &cp)) <= 0 || cp == 0)
			return 0;
		i += (size_t)n;
	}
	return 1;
}

/*
 * What s[0..len) is made of: letters, capitals among them, lower case,
 * digits, and words (runs of letters; a combining mark stays in its word).
 */
void
vntext_stats(const char *s, size_t len, struct vntext_stats *st)
{
	const utf8proc_uint8_t *p = (const utf8proc_uint8_t *)s;
	utf8proc_int32_t cp;
	utf8proc_ssize_t n;
	size_t i = 0;
	int inword = 0;

	memset(st, 0, sizeof *st);
	while (i < len) {
		n = utf8proc_iterate(p + i, (utf8proc_ssize_t)(len - i), &cp);
		if (n <= 0) {
			i++;
			inword = 0;
			continue;
		}
		i += (size_t)n;
		switch (utf8proc_category(cp)) {
		case UTF8PROC_CATEGORY_LU:
		case UTF8PROC_CATEGORY_LT:
			st->upper++;
			/* FALLTHROUGH */
		case UTF8PROC_CATEGORY_LM:
		case UTF8PROC_CATEGORY_LO:
			st->letters++;
			break;
		case UTF8PROC_CATEGORY_LL:
			st->lower++;
			st->letters++;
			break;
		case UTF8PROC_CATEGORY_MN:
		case UTF8PROC_CATEGORY_MC:
		case UTF8PROC_CATEGORY_ME:
			continue;	/* a mark stays in its word */
		case UTF8PROC_CATEGORY_ND:
			st->digits++;
			inword = 0;
			continue;
		default:
			inword = 0;
			continue;
		}
		if (!inword)
			st->words++;
		inword = 1;
	}
}
