/*
 * syllable.c: valid Vietnamese syllables, and the choice of a valid one
 * among the recogniser's own alternatives.
 *
 * Vietnamese writes a closed set of syllables, one per word of print;
 * Debian's hunspell-vi lists them (some 6,600), and the phonotactics rule
 * out more: a syllable that ends in a stop (p, t, c, ch) takes only the
 * sắc or nặng tone.  When Tesseract's best reading of a word is not a
 * valid syllable, a reading it scored only slightly lower often is ("ngưòi"
 * with "ờ" as the second choice of its fourth letter): the valid reading
 * that costs the least confidence is taken, and never a character that
 * Tesseract did not offer at that place.
 *
 * Only what looks like a Vietnamese word is judged: a word with a digit,
 * a letter Vietnamese does not write (f, j, w, z), or in capitals or mixed
 * case with no vowel or tone mark (UBND, TLKS, eKYC, roman numerals) is an
 * abbreviation, a code or a foreign word, and is left as read.
 */
#include <stdlib.h>
#include <string.h>

#include <hunspell/hunspell.h>
#include <utf8proc.h>

#include "sohoa.h"

#define SYLLABLE_AFF	"/usr/share/hunspell/vi_VN.aff"
#define SYLLABLE_DIC	"/usr/share/hunspell/vi_VN.dic"
/* The longest syllable, "nghiêng", has 7 letters. */
#define SYLLABLE_MAXLEN	8
/* Alternatives tried per letter, and letters changed per word: beyond,
 * the search would make up words rather than read them. */
#define SYLLABLE_MAXALT	3
#define SYLLABLE_MAXCHANGE 2

struct syllable_dict {
	Hunhandle *h;
};

struct syllable_dict *
syllable_open(const char *aff, const char *dic)
{
	struct syllable_dict *d;
	FILE *f;

	if (aff == NULL)
		aff = SYLLABLE_AFF;
	if (dic == NULL)
		dic = SYLLABLE_DIC;
	/* Hunspell says nothing of a missing file: look first. */
	if ((f = fopen(dic, "r")) == NULL)
		return NULL;
	fclose(f);
	if ((f = fopen(aff, "r")) == NULL)
		return NULL;
	fclose(f);
	d = xcalloc(1, sizeof *d);
	if ((d->h = Hunspell_create(aff, dic)) == NULL) {
		free(d);
		return NULL;
	}
	return d;
}

void
syllable_close(struct syllable_dict *d)
{
	if (d == NULL)
		return;
	Hunspell_destroy(d->h);
	free(d);
}

/*
 * What the letters of w say about it: the count of letters, whether any is
 * not a letter, capitals, small letters, a tone or vowel mark (đ is a
 * letter of its own, not a mark: "QĐ" is an abbreviation), a foreign
 * letter, and the tone (the combining mark U+0300 huyền, U+0301 sắc,
 * U+0303 ngã, U+0309 hỏi, U+0323 nặng, or 0 for ngang).
 */
struct syllable_shape {
	int	 letters, other, upper, lower, first_upper, marks, foreign, dd;
	int32_t	 tone;
	char	 end[3];		/* last two base letters, lower case */
};

static void
syllable_shape(const char *w, struct syllable_shape *s)
{
	const utf8proc_uint8_t *p = (const utf8proc_uint8_t *)w;
	utf8proc_int32_t cp, dec[8];
	utf8proc_ssize_t n, nd, i, k;
	int lastbase = 0, prevbase = 0;

	memset(s, 0, sizeof *s);
	while (*p != '\0') {
		if ((n = utf8proc_iterate(p, -1, &cp)) <= 0) {
			s->other++;
			break;
		}
		p += n;
		nd = utf8proc_decompose_char(cp, dec, 8, UTF8PROC_DECOMPOSE,
		    NULL);
		for (i = 0; i < nd && i < 8; i++) {
			utf8proc_int32_t c = dec[i];
			utf8proc_category_t cat = utf8proc_category(c);

			if (cat == UTF8PROC_CATEGORY_MN) {
				if (c == 0x300 || c == 0x301 || c == 0x303 ||
				    c == 0x309 || c == 0x323)
					s->tone = c;
				s->marks++;
				continue;
			}
			if (cat != UTF8PROC_CATEGORY_LU &&
			    cat != UTF8PROC_CATEGORY_LL) {
				s->other++;
				continue;
			}
			if (cat == UTF8PROC_CATEGORY_LU) {
				if (s->letters == 0)
					s->first_upper = 1;
				s->upper++;
			} else
				s->lower++;
			s->letters++;
			k = utf8proc_tolower(c);
			/* Decomposed, Vietnamese letters are ASCII but đ;
			 * the Icelandic eth is Tesseract's slip for Đ. */
			if (k == 'f' || k == 'j' || k == 'w' || k == 'z' ||
			    (k > 0x7f && k != 0x111 && k != 0xf0))
				s->foreign++;
			if (k == 0x111 || k == 0xf0)
				s->dd++;
			prevbase = lastbase;
			lastbase = k < 0x80 ? (int)k : '?';
		}
	}
	s->end[0] = (char)(prevbase ? prevbase : ' ');
	s->end[1] = (char)(lastbase ? lastbase : ' ');
}

static int
syllable_is_tone(int32_t c)
{
	return c == 0x300 || c == 0x301 || c == 0x303 || c == 0x309 ||
	    c == 0x323;
}

/*
 * Whether hunspell-vi lists w, with its tone mark where w has it or on
 * another vowel: the list writes the old placement (hoà, khoẻ, thuỷ), and
 * today's (hòa, khỏe, thủy) is as valid.
 */
static int
syllable_spell(const struct syllable_dict *d, const char *w)
{
	utf8proc_int32_t cp[4 * SYLLABLE_MAXLEN], v[4 * SYLLABLE_MAXLEN + 1];
	utf8proc_uint8_t out[8 * 4 * SYLLABLE_MAXLEN + 8], *nfc;
	utf8proc_ssize_t n, i, j, k, len;
	int32_t tone = 0;
	int ok = 0;

	if (Hunspell_spell(d->h, w))
		return 1;
	n = utf8proc_decompose((const utf8proc_uint8_t *)w, -1, cp,
	    4 * SYLLABLE_MAXLEN, UTF8PROC_NULLTERM | UTF8PROC_DECOMPOSE);
	if (n <= 0 || n > 4 * SYLLABLE_MAXLEN)
		return 0;
	for (i = j = 0; i < n; i++)
		if (syllable_is_tone(cp[i]) && tone == 0)
			tone = cp[i];
		else
			cp[j++] = cp[i];
	n = j;
	if (tone == 0)
		return 0;
	for (i = 0; i < n && !ok; i++) {
		if (strchr("aeiouyAEIOUY", (int)(cp[i] < 0x80 ? cp[i] : 'b')) ==
		    NULL)
			continue;
		/* After the vowel's own marks: ơ is o and a horn. */
		for (j = i + 1; j < n && utf8proc_category(cp[j]) ==
		    UTF8PROC_CATEGORY_MN; j++)
			;
		for (k = 0, len = 0; k <= n; k++) {
			if (k == j)
				v[len++] = tone;
			if (k < n)
				v[len++] = cp[k];
		}
		for (k = 0, j = 0; k < len; k++)
			j += utf8proc_encode_char(v[k], out + j);
		out[j] = '\0';
		nfc = utf8proc_NFC(out);
		ok = nfc != NULL && strcmp((char *)nfc, w) != 0 &&
		    Hunspell_spell(d->h, (char *)nfc);
		free(nfc);
	}
	return ok;
}

int
syllable_check(const struct syllable_dict *d, const char *w)
{
	struct syllable_shape s;
	int stop;

	if (w == NULL || *w == '\0')
		return SYLLABLE_OTHER;
	syllable_shape(w, &s);
	if (s.other > 0 || s.foreign > 0 || s.letters == 0)
		return SYLLABLE_OTHER;
	/* Capitals or mixed case with no mark: an abbreviation or a name. */
	if (s.marks == 0 && s.upper > 0 && !(s.upper == 1 && s.first_upper))
		return SYLLABLE_OTHER;
	stop = s.end[1] == 'p' || s.end[1] == 't' || s.end[1] == 'c' ||
	    (s.end[0] == 'c' && s.end[1] == 'h');
	if (stop && s.tone != 0 && s.tone != 0x301 && s.tone != 0x323)
		return SYLLABLE_INVALID;
	if (d != NULL && syllable_spell(d, w))
		return SYLLABLE_VALID;
	/* Not listed and with no mark: a foreign word ("on", "is"), a
	 * fragment ("nh"), a list item's "b": nothing says it is Vietnamese. */
	if (s.marks == 0 && !s.dd)
		return SYLLABLE_OTHER;
	return d != NULL || stop ? SYLLABLE_INVALID : SYLLABLE_OTHER;
}

static int
syllable_is_letter(const char *t)
{
	utf8proc_int32_t cp;
	utf8proc_category_t cat;

	if (t == NULL || *t == '\0' ||
	    utf8proc_iterate((const utf8proc_uint8_t *)t, -1, &cp) <= 0)
		return 0;
	cat = utf8proc_category(cp);
	return cat == UTF8PROC_CATEGORY_LU || cat == UTF8PROC_CATEGORY_LL;
}

/* The search over the core's letters: at each place the reading or one
 * of its alternatives, the cheapest valid whole kept in best. */
struct syllable_search {
	const struct syllable_dict *d;
	const struct syllable_symbol *sym;
	int	 n;
	const char *pick[SYLLABLE_MAXLEN];
	const char *best[SYLLABLE_MAXLEN];
	float	 bestcost;
	int	 found;
};

static float
syllable_reading_conf(const struct syllable_symbol *s)
{
	int i;

	for (i = 0; i < s->nalt; i++)
		if (strcmp(s->alt[i].text, s->text) == 0)
			return s->alt[i].conf;
	return s->conf;
}

static void
syllable_try(struct syllable_search *q, int at, int changes, float cost)
{
	const struct syllable_symbol *s;
	char word[SYLLABLE_MAXLEN * 8 + 1];
	float ref;
	int i, tried;

	if (cost >= q->bestcost)
		return;
	if (at == q->n) {
		size_t len = 0, l;

		if (changes == 0)
			return;
		for (i = 0; i < q->n; i++) {
			l = strlen(q->pick[i]);
			if (len + l >= sizeof word)
				return;
			memcpy(word + len, q->pick[i], l);
			len += l;
		}
		word[len] = '\0';
		if (syllable_check(q->d, word) != SYLLABLE_VALID)
			return;
		memcpy(q->best, q->pick, sizeof q->best);
		q->bestcost = cost;
		q->found = 1;
		return;
	}
	s = &q->sym[at];
	q->pick[at] = s->text;
	syllable_try(q, at + 1, changes, cost);
	if (changes == SYLLABLE_MAXCHANGE)
		return;
	ref = syllable_reading_conf(s);
	for (i = 0, tried = 0; i < s->nalt && tried < SYLLABLE_MAXALT; i++) {
		const struct syllable_choice *c = &s->alt[i];

		if (strcmp(c->text, s->text) == 0 ||
		    c->conf < SYLLABLE_MIN_CONF || !syllable_is_letter(c->text))
			continue;
		tried++;
		q->pick[at] = c->text;
		syllable_try(q, at + 1, changes + 1, cost +
		    (ref > c->conf ? ref - c->conf : 0));
	}
	q->pick[at] = s->text;
}

char *
syllable_choose(const struct syllable_dict *d,
    const struct syllable_symbol *sym, int n)
{
	struct syllable_search q;
	struct buf out;
	char *core;
	int a, b, i;
	size_t len;

	if (d == NULL || n <= 0)
		return NULL;
	/* The core: the letters between leading and trailing punctuation. */
	for (a = 0; a < n && !syllable_is_letter(sym[a].text); a++)
		;
	for (b = n; b > a && !syllable_is_letter(sym[b - 1].text); b--)
		;
	if (b - a < 2 || b - a > SYLLABLE_MAXLEN)
		return NULL;
	for (i = a, len = 1; i < b; i++) {
		if (!syllable_is_letter(sym[i].text))
			return NULL;
		len += strlen(sym[i].text);
	}
	core = xcalloc(1, len);
	for (i = a; i < b; i++)
		strcat(core, sym[i].text);
	i = syllable_check(d, core);
	free(core);
	if (i != SYLLABLE_INVALID)
		return NULL;

	memset(&q, 0, sizeof q);
	q.d = d;
	q.sym = sym + a;
	q.n = b - a;
	q.bestcost = SYLLABLE_MAX_COST;
	syllable_try(&q, 0, 0, 0);
	if (!q.found)
		return NULL;
	buf_init(&out, 1u << 16);
	for (i = 0; i < n; i++) {
		const char *t = i >= a && i < b ? q.best[i - a] : sym[i].text;

		buf_append(&out, t, strlen(t));
	}
	return out.data;
}
