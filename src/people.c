/*
 * people.c: the people a result names (after "Ông", "Bà", "Họ và tên:"
 * and the like, a name in capitals or in title case) and their personal ID
 * numbers (CMND, CCCD, số định danh cá nhân), read off the lines
 * extract.c has split and folded.
 */

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <utf8proc.h>

#include "sohoa.h"
#include "extract_int.h"

#define NAME_MINWORDS	2
#define NAME_MAXWORDS	8
#define NAME_MAXTOKENS	16
#define NAME_MAXLETTERS	15	/* longer "words" are OCR debris */
#define ID_WINDOW	40	/* bytes after an ID label to find the number */

enum { TOK_CAPS = 1, TOK_TITLE, TOK_LOWER };

struct name_token {
	size_t	 off;
	size_t	 len;
	int	 kind;
	int	 letters;
	int	 colon;		/* a ':' follows: the word ends in a label */
};

/*
 * Splits s[0..len) into words of letters, separated by one or two spaces,
 * up to punctuation, a wider gap (another column) or a ':' (which marks
 * the word before it as part of a label).  Returns the number of words.
 */
static size_t
people_name_tokens(const char *s, size_t len, struct name_token *tok)
{
	const utf8proc_uint8_t *p = (const utf8proc_uint8_t *)s;
	utf8proc_int32_t cp;
	utf8proc_ssize_t n;
	size_t pos = 0, ntok = 0, endpos;
	int first, lower, more = 1;

	while (pos < len && (s[pos] == ' ' || s[pos] == '\t'))
		pos++;
	while (more && pos < len && ntok < NAME_MAXTOKENS) {
		struct name_token *t = &tok[ntok];

		memset(t, 0, sizeof *t);
		t->off = pos;
		first = lower = 0;
		for (n = 1; n > 0 && pos < len; pos += (size_t)n) {
			n = utf8proc_iterate(p + pos, (utf8proc_ssize_t)(len - pos),
			    &cp);
			if (n <= 0)
				break;
			switch (utf8proc_category(cp)) {
			case UTF8PROC_CATEGORY_LU:
			case UTF8PROC_CATEGORY_LT:
				if (t->letters++ == 0)
					first = TOK_CAPS;
				break;
			case UTF8PROC_CATEGORY_LL:
				lower++;
				if (t->letters++ == 0)
					first = TOK_LOWER;
				break;
			case UTF8PROC_CATEGORY_MN:
			case UTF8PROC_CATEGORY_MC:
				break;
			default:
				n = 0;
				break;
			}
		}
		if (t->letters == 0)
			break;
		t->len = pos - t->off;
		if (first == TOK_LOWER)
			t->kind = TOK_LOWER;
		else
			t->kind = lower == 0 ? TOK_CAPS : TOK_TITLE;
		ntok++;
		endpos = pos;
		if (pos < len && s[pos] == ' ')
			pos++;
		if (pos < len && s[pos] == ' ')
			pos++;
		if (pos < len && s[pos] == ':')
			t->colon = 1;
		more = !t->colon && pos != endpos && (pos >= len || s[pos] != ' ');
	}
	return ntok;
}

/*
 * A person's name at the start of s[0..len): two to eight words, all in
 * capitals or all capitalised, as written.  Stops at punctuation, a gap
 * between columns, or the next label on the line ("Giới tính:").  With
 * whole set, the name must be all there is.  Caller frees.
 */
static char *
people_name(const char *s, size_t len, int whole)
{
	struct name_token tok[NAME_MAXTOKENS];
	size_t ntok, k, j, e;
	int mode, ok;
	struct buf b;
	char *name = NULL;

	ntok = people_name_tokens(s, len, tok);
	if (ntok == 0 || tok[0].kind == TOK_LOWER)
		goto out;
	mode = tok[0].kind;
	for (k = 0; k < ntok; k++) {
		if (mode == TOK_CAPS)
			ok = tok[k].kind == TOK_CAPS;
		else
			ok = tok[k].kind == TOK_TITLE ||
			    (tok[k].kind == TOK_CAPS && tok[k].letters == 1);
		if (!ok || tok[k].colon || tok[k].letters > NAME_MAXLETTERS)
			break;
	}
	/* "Nguyễn Văn An Giới tính:": Giới heads the next label. */
	if (k > 0 && k < ntok && mode == TOK_TITLE && tok[k].kind == TOK_LOWER) {
		for (j = k; j < ntok && !tok[j].colon && tok[j].kind == TOK_LOWER;
		    j++)
			;
		if (j < ntok && tok[j].colon && tok[j].kind == TOK_LOWER)
			k--;
	}
	if (k < NAME_MINWORDS || k > NAME_MAXWORDS)
		goto out;
	if (whole) {
		for (e = tok[k - 1].off + tok[k - 1].len;
		    e < len && (s[e] == ' ' || s[e] == '\t'); e++)
			;
		if (k < ntok || e < len)
			goto out;
	}
	buf_init(&b, 1024);
	for (j = 0; j < k; j++) {
		if (j > 0)
			buf_append(&b, " ", 1);
		buf_append(&b, s + tok[j].off, tok[j].len);
	}
	name = xstrdup(b.data);
	buf_free(&b);
out:
	return name;
}

void
people_add_unique(json_t *array, const char *s)
{
	size_t i, n = json_array_size(array);

	for (i = 0; i < n; i++)
		if (strcmp(json_string_value(json_array_get(array, i)), s) == 0)
			break;
	if (i == n)
		json_array_append_new(array, json_string(s));
}

/* Whether the honorific matched at fold offsets [fs, fe) of l is written
 * "ông" or "bà" (folding also makes "ba", three, and "bá" of them). */
static int
people_is_honorific(const struct xline *l, size_t fs, size_t fe)
{
	/* "Ong" too, its mark lost: capitalised it is the title, not ong,
	 * a bee. */
	static const char *const words[] = { "ông", "Ông", "ÔNG", "Ong",
	    "ONG", "bà", "Bà", "BÀ", NULL };
	size_t i, n, at = l->map[fs];

	for (; fe > fs && l->fold[fe - 1] == ' '; fe--)
		;
	n = l->map[fe] - at;
	for (i = 0; words[i] != NULL; i++)
		if (strlen(words[i]) <= n &&
		    strncmp(l->text + at, words[i], strlen(words[i])) == 0)
			return 1;
	return 0;
}

/*
 * Whether a name found by an honorific alone ("cho bà Phạm Thị Quỳnh")
 * starts with a family name, and not with a title ("ông Chủ Tịch").  On
 * the folded name, so NGUYÊN read for NGUYỄN still counts.
 */
static int
people_family_name(const char *name)
{
	static const char *const titles[] = { "chu tich", "chu nhiem",
	    "chu ho", "chu dau", "chu so", "truong phong", "truong ban",
	    "truong thon", "truong cong", "to truong", "pho ", "giam doc",
	    "can bo", "dai dien", NULL };
	char *f = vntext_fold(name), *first;
	size_t i, n = strcspn(f, " ");
	int yes;

	first = xstrdup(f);
	first[n] = '\0';
	yes = known_is_family_name(first);
	for (i = 0; titles[i] != NULL && yes; i++)
		yes = strncmp(f, titles[i], strlen(titles[i])) != 0;
	free(first);
	free(f);
	return yes;
}

/* The name with its family name settled (known_family_name). */
static char *
people_settle_family(char *name)
{
	size_t n = strcspn(name, " ");
	char *first = xstrdup(name), *fam, *r;

	first[n] = '\0';
	if ((fam = known_family_name(first)) == NULL) {
		free(first);
		return name;
	}
	r = xasprintf("%s%s", fam, name + n);
	free(fam);
	free(first);
	free(name);
	return r;
}

/*
 * People: a name after a label ("Họ và tên:", "Ông (Bà):", "Chủ hộ kinh
 * doanh:", "Cấp cho: ông ..."), then a name after "ông" or "bà" in running
 * text when it starts with a family name.
 */
/*
 * A name that is the first words of another name found ("Dương Ngọc" and
 * "Dương Ngọc Minh Trang") is that name cut at a line's end: one person.
 */
static void
people_drop_cut_names(json_t *people)
{
	size_t i, j, n;
	const char *a, *b;
	int cut;

	for (i = 0; i < json_array_size(people); ) {
		a = json_string_value(json_array_get(people, i));
		n = a != NULL ? strlen(a) : 0;
		cut = 0;
		for (j = 0; j < json_array_size(people) && !cut; j++) {
			b = json_string_value(json_array_get(people, j));
			cut = j != i && b != NULL && n > 0 && strlen(b) > n &&
			    strncmp(a, b, n) == 0 && b[n] == ' ';
		}
		if (cut)
			json_array_remove(people, i);
		else
			i++;
	}
}

void
people_find(struct extract_ctx *x, json_t *people)
{
	const struct xline *l;
	size_t i, start, vs, after;
	char *name;

	/* The recipients ("Nơi nhận: ... - Ông Võ Xuân Hậu (để biết);") are
	 * who is told, not whom the result is for. */
	for (i = 0; i < x->end; i++) {
		l = &x->lines[i];
		for (start = 0; extract_line_match(x, RE_PERSON, l, start);
		    start = after) {
			after = x->ov[1];
			/* "Cấp cho: ông Lê Hoàng Long": past the honorific. */
			vs = after + strspn(l->fold + after, " ");
			if (extract_line_match(x, RE_HONORIFIC, l, vs) &&
			    x->ov[0] == vs && people_is_honorific(l, x->ov[0],
			    x->ov[1]))
				vs = x->ov[1];
			vs = l->map[vs];
			name = people_name(l->text + vs, l->len - vs, 0);
			/* "Họ và tên:" at the end of a line, the name below. */
			if (name == NULL && after == l->flen &&
			    i + 1 < x->nlines)
				name = people_name(x->lines[i + 1].text,
				    x->lines[i + 1].len, 1);
			if (name != NULL) {
				name = people_settle_family(name);
				people_add_unique(people, name);
			}
			free(name);
		}
	}
	for (i = 0; i < x->end; i++) {
		l = &x->lines[i];
		for (start = 0; extract_line_match(x, RE_HONORIFIC, l, start);
		    start = after) {
			after = x->ov[1];
			if (!people_is_honorific(l, x->ov[0], after))
				continue;
			vs = l->map[after];
			name = people_name(l->text + vs, l->len - vs, 0);
			if (name != NULL && people_family_name(name)) {
				name = people_settle_family(name);
				people_add_unique(people, name);
			}
			free(name);
		}
	}
	people_drop_cut_names(people);
}

/*
 * The ID number within a few bytes after a label at fold offset e: 12 or
 * 9 digits, with O, l, I or | read as digits and at most one space inside.
 */
static int
people_id_after(const struct xline *l, size_t e, char out[13])
{
	const char *f = l->fold;
	size_t limit = l->flen < e + ID_WINDOW ? l->flen : e + ID_WINDOW;
	size_t p, r, i;
	int nd = 0, real = 0, split = -1, alnum_after, found = 0;
	char digits[14];

	for (p = e; p < limit && !isdigit((unsigned char)f[p]); p++)
		;
	if (p == limit)
		goto out;
	/* "O01..." starts with a slip, unless the slip ends a word ("so"). */
	for (r = p; r > e && extract_slip_digit(f[r - 1]); r--)
		;
	if (r < p && !isalpha((unsigned char)f[r - 1]))
		p = r;
	for (i = p; i < l->flen && nd < 13; i++) {
		char c = f[i];

		if (isdigit((unsigned char)c)) {
			digits[nd++] = c;
			real++;
		} else if (extract_slip_digit(c))
			digits[nd++] = c == 'o' ? '0' : '1';
		else if (c == ' ' && split == -1 && i + 1 < l->flen &&
		    (isdigit((unsigned char)f[i + 1]) ||
		    extract_slip_digit(f[i + 1])))
			split = nd;
		else
			break;
	}
	alnum_after = i < l->flen && (isalnum((unsigned char)f[i]) ||
	    (unsigned char)f[i] >= 0x80);
	if (!alnum_after && util_id_length_ok(nd) && real >= nd - 2)
		found = nd;
	else if (split > 0 && util_id_length_ok((size_t)split)) {
		/* "CMND 012345678 lần ...": the space ended the number. */
		for (i = 0, real = 0; i < (size_t)split; i++)
			real += isdigit((unsigned char)f[p + i]) != 0;
		if (real >= split - 2)
			found = split;
	}
	if (found) {
		memcpy(out, digits, (size_t)found);
		out[found] = '\0';
	}
out:
	return found != 0;
}

void
people_ids(struct extract_ctx *x, json_t *ids)
{
	const struct xline *l;
	size_t i, start;
	char id[13];

	for (i = 0; i < x->nlines; i++) {
		l = &x->lines[i];
		for (start = 0; extract_line_match(x, RE_ID_LABEL, l, start);
		    start = x->ov[1])
			if (people_id_after(l, x->ov[1], id))
				people_add_unique(ids, id);
		for (start = 0; extract_line_match(x, RE_ID_BARE, l, start);
		    start = x->ov[1]) {
			memcpy(id, l->fold + x->ov[0], 12);
			id[12] = '\0';
			people_add_unique(ids, id);
		}
	}
}
