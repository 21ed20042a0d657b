/*
 * extract.c: reads the fields a clerk searches by off the OCR text of one
 * result of an administrative procedure: document type, document number,
 * date of issue, issuing body, people named, personal ID numbers and the
 * dossier code.  The rules follow the layout Nghị định 30/2020 prescribes
 * (DOMAIN.md): a left header with the issuing body and "Số:", a right
 * header with the national motto and "<place>, ngày D tháng M năm Y", then
 * the title in capitals.  Tesseract often joins the two header columns into
 * one line, so every rule works on either layout.
 *
 * Labels are matched on the folded text (vntext_fold_map: lower case, no
 * marks, đ -> d), which shrugs off OCR slips on diacritics ("Sô", "HO VA
 * TEN"); values are then cut from the NFC text as it was read, so a name
 * misread as NGUYÊN stays NGUYÊN.  A field that is not clearly there is
 * null: a wrong value in an index is worse than a missing one.
 *
 * With page 1's layout the header fields come from their place on it
 * (header.c); the dates are read in xdate.c, the people and their ID
 * numbers in people.c, a profile's own rules applied in rule.c.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <utf8proc.h>

#include "sohoa.h"
#include "extract_int.h"

#define HEAD_LINES	25	/* the header and title are within these */
#define AGENCY_LINES	8	/* left header lines looked at for the body */
#define HEADING_MAX	300	/* bytes; a longer line is text, not a heading */

/* A day, month or year as OCR writes it: O for 0, l or I for 1; a year
 * may have a space in the middle. */
#define D	"[0-9oil]"
#define YEAR	"(" D "{2}\\s?" D "{2})"
/* A digit of a number or a code, before folding: O, l, I and | slip in. */
#define N	"[0-9OolI|]"
/* The dot between the parts of a code, read as a comma or a space. */
#define SEP	"(?:[.,] ?| )"
/* "hiệu lực đến ngày", "giá trị (sử dụng) đến (hết) ngày". */
#define VALID	"(?<!\\p{L})(?:hieu\\s*luc|gia\\s*tri(?:\\s*su\\s*dung)?)\\s*" \
	"(?:den|toi)\\s*(?:het\\s*)?(?:ngay\\s*)?"

static const char *const extract_patterns[RE_COUNT] = {
	[RE_MOTTO] = "cong\\s*hoa\\s*xa\\s*hoi|xa\\s*hoi\\s*chu\\s*nghia"
	    "|chu\\s*nghia\\s*viet\\s*nam",
	[RE_DOCLAP] = "doc\\s*lap\\s*[-\\x{2013}\\x{2014}.,]"
	    "|tu\\s*do\\s*[-\\x{2013}\\x{2014}.,]+\\s*hanh\\s*phuc"
	    "|doc\\s*lap\\s*$",
	[RE_UBND] = "^(?:uy\\s*ban\\s*nhan\\s*dan|ubnd)(?![\\p{L}\\p{N}])",
	[RE_ORGAN] = "^(?:so|phong|chi\\s*cuc|tong\\s*cuc|cuc|van\\s*phong"
	    "|chi\\s*nhanh|ban\\s*quan\\s*ly|trung\\s*tam|bo|cong\\s*an)"
	    "\\s+\\p{L}",
	[RE_LOCALITY] = "^(?:phuong|xa|thi\\s*tran|quan|huyen|thi\\s*xa"
	    "|thanh\\s*pho|tinh|tp\\.?)(?!\\p{L})",
	[RE_SIGNATURE] = "^(?:tm|kt|tl|tuq|q)\\s*\\.|^(?:pho\\s*)?chu\\s*tich"
	    "(?!\\p{L})|^(?:pho\\s*)?giam\\s*doc(?!\\p{L})"
	    "|^(?:pho\\s*)?truong\\s*phong|^noi\\s*nhan|^nguoi\\s*ky",
	/* "Số: 1245/QĐ-UBND", not "Quyển số" nor "Mã số". */
	[RE_DOCNO] = "(?<![\\p{L}\\p{N}])(?<!quyen\\s)(?<!ma\\s)"
	    "so\\s*[:;.]?\\s*((?=[0-9oil|]*[0-9])[0-9oil|]+(?:\\s[0-9oil|]+)?"
	    "(?:\\s*[-/]\\s*[0-9a-z.]+(?:,[0-9a-z]+)*)+)",
	/* "Số: 01D8012345": a certificate's number is one code, no "/". */
	[RE_CERTNO] = "(?<![\\p{L}\\p{N}])(?<!quyen\\s)(?<!ma\\s)"
	    "so\\s*:\\s*([0-9a-z]{8,15})\\s*$",
	[RE_DATE_PLACE] = ",\\s*ngay\\s*(" D "{1,2})\\s*[,.]?\\s*thang\\s*"
	    "(" D "{1,2})\\s*[,.]?\\s*nam\\s*" YEAR "(?![0-9])",
	[RE_DATE_PLACE_NUM] = ",\\s*ngay\\s*([0-9o]" D "?)\\s*[-/.]\\s*"
	    "(" D "{1,2})\\s*[-/.]\\s*(" D "{4})(?![0-9])",
	[RE_DATE_WORDS] = "(?<!\\p{L})ngay\\s*(" D "{1,2})\\s*[,.]?\\s*thang"
	    "\\s*(" D "{1,2})\\s*[,.]?\\s*nam\\s*" YEAR "(?![0-9])",
	[RE_DATE_NUM] = "(?<!\\p{L})ngay(?:(?!sinh|het\\s*han)[^0-9]){0,30}?"
	    "(?<![0-9])([0-9o]" D "?)\\s*[-/.]\\s*(" D "{1,2})\\s*[-/.]\\s*"
	    "(" D "{4})(?![0-9])",
	[RE_DATE_CUT] = ",\\s*ngay(?!\\p{L})|(?<!\\p{L})ngay\\s*[0-9o]",
	[RE_PERSON] = "(?<![\\p{L}\\p{N}])(?:(?:ho\\s*,?\\s*chu\\s*dem\\s*,?"
	    "\\s*(?:va\\s*)?ten|ho\\s*va\\s*ten|ho\\s*ten)[^:]{0,40}?"
	    "|ong\\s*\\(\\s*ba\\s*\\)|ba\\s*\\(\\s*ong\\s*\\)|ong\\s*/\\s*ba"
	    "|ba\\s*/\\s*ong|ong|ba|chu\\s*ho(?:\\s*kinh\\s*doanh)?"
	    "|chu\\s*so\\s*huu|chu\\s*dau\\s*tu|cap\\s*cho|nguoi\\s*yeu\\s*cau"
	    "|nguoi\\s*duoc\\s*cap|nguoi\\s*dai\\s*dien(?:\\s*theo\\s*phap"
	    "\\s*luat)?)\\s*:",
	/* "ông", "bà", "ông/bà", "Ông (Bà)" before a name, without a colon. */
	[RE_HONORIFIC] = "(?<![\\p{L}\\p{N}])(?:ong|ba)(?:\\s*(?:/|\\()\\s*"
	    "(?:ba|ong)\\s*\\)?)?\\s+(?=\\p{L})",
	[RE_ID_LABEL] = "(?<![\\p{L}\\p{N}])(?:so\\s*dinh\\s*danh"
	    "(?:\\s*ca\\s*nhan)?|dinh\\s*danh\\s*ca\\s*nhan"
	    "|can\\s*cuoc(?:\\s*cong\\s*dan)?|cccd|cmnd|cmtnd"
	    "|chung\\s*minh\\s*(?:nhan\\s*dan|thu))(?!\\p{L})",
	[RE_ID_BARE] = "(?<![\\p{L}\\p{N}])[0-9]{12}(?![\\p{L}\\p{N}])",
	/* V1V2V3.Z1Z2.Y1Y2.MX1X2-YYMMDD-XXXX (Thông tư 01/2018/TT-VPCP). */
	[RE_DOSSIER] = "(?<![0-9A-Za-z.])([0-9A-Z]{3}" SEP "[0-9A-Z]{2}" SEP
	    "[0-9A-Z]{2}" SEP "[A-Z]" N "{2})\\s?-\\s?(" N "(?:\\s?" N "){5})"
	    "\\s?-\\s?(" N "(?:\\s?" N "){3})(?![0-9A-Za-z])",
	/* A segment that starts with the "Số:" label. */
	[RE_SO_LABEL] = "^so\\s*[:;.]",
	/* "CHỦ TỊCH ỦY BAN NHÂN DÂN PHƯỜNG ...": who decides, not what. */
	[RE_AUTHORITY] = "(?<!\\p{L})nhan\\s*dan(?!\\p{L})",
	[RE_SO_DIGITS] = "^so\\s*[:;.]\\s*([0-9]{8,15})\\s*$",
	/* Lines of an incoming-document stamp ("ĐẾN / Số: / Ngày: / Giờ:
	 * / Chuyển:"), never a header. */
	[RE_STAMP] = "^(?:cong\\s*van\\s*)?den(?!\\p{L})|^gio\\s*[:.]"
	    "|^chuyen\\s*[:.]|^ngay\\s*:|^luu\\s*ho\\s*so",
	[RE_NGAY] = "(?<!\\p{L})ngay(?!\\p{L})",
	[RE_DATE_COMMA] = ",\\s*ngay(?!\\p{L})",
	/* A certificate's "Đăng ký lần đầu: ngày ...", "Đăng ký thay đổi lần
	 * thứ 1: ngày ...": the last is when it was issued. */
	[RE_REGISTERED] = "^dang\\s*ky\\s*(?:lan\\s*dau|thay\\s*doi)",
	/* Recitals cite other documents by number and date. */
	[RE_RECITAL] = "^(?:can\\s*cu|xet)(?!\\p{L})",
	[RE_RECIPIENTS] = "^noi\\s*nhan(?!\\p{L})",
	/* "Giấy phép có hiệu lực đến ngày 03 tháng 4 năm 2027", "có giá trị
	 * sử dụng đến 31/12/2030": how long the result holds. */
	[RE_VALID_WORDS] = VALID "(" D "{1,2})\\s*[,.]?\\s*thang\\s*(" D
	    "{1,2})\\s*[,.]?\\s*nam\\s*" YEAR "(?![0-9])",
	[RE_VALID_NUM] = VALID "([0-9o]" D "?)\\s*[-/.]\\s*(" D "{1,2})"
	    "\\s*[-/.]\\s*(" D "{4})(?![0-9])",
};

#undef D
#undef YEAR
#undef N
#undef SEP
#undef VALID

/* Compiled on first use and kept for the life of the process. */
static pcre2_code *extract_re[RE_COUNT];

/*
 * Where a field's value was read, for metadata.json: what it came from
 * ("page layout", "text", "file name", "profile rule"), the words as read
 * and, from a layout, the page and the box, so that a person can look.
 * The first note of a field stands; a field that ends null loses it.
 */
void
extract_note(struct extract_ctx *x, const char *field, const char *from,
    const char *text, const int *box)
{
	json_t *e, *v;

	if (x->evidence == NULL || json_object_get(x->evidence, field) != NULL)
		return;
	if ((e = json_pack("{s:s}", "from", from)) == NULL)
		fatalx("out of memory");
	if (text != NULL) {
		v = json_string(text);
		json_object_set_new(e, "text", v != NULL ? v : json_null());
	}
	if (box != NULL) {
		json_object_set_new(e, "page", json_integer(1));
		json_object_set_new(e, "box", json_pack("[i,i,i,i]", box[0],
		    box[1], box[2], box[3]));
	}
	json_object_set_new(x->evidence, field, e);
}

static pcre2_code *
extract_regex(enum extract_re which)
{
	PCRE2_UCHAR msg[256];
	PCRE2_SIZE off;
	int code;

	if (extract_re[which] == NULL) {
		extract_re[which] = pcre2_compile(
		    (PCRE2_SPTR)extract_patterns[which], PCRE2_ZERO_TERMINATED,
		    PCRE2_UTF | PCRE2_UCP, &code, &off, NULL);
		if (extract_re[which] == NULL) {
			pcre2_get_error_message(code, msg, sizeof msg);
			fatalx("extraction pattern %d does not compile at %zu: "
			    "%s", (int)which, (size_t)off, (char *)msg);
		}
	}
	return extract_re[which];
}

/* Matches s[0..len) from start; on a match x->ov holds the offsets. */
static int
extract_match(struct extract_ctx *x, enum extract_re which, const char *s,
    size_t len, size_t start)
{
	int rc = PCRE2_ERROR_NOMATCH;

	/* Our subjects are valid UTF-8 (NFC or folded); checking them again
	 * on every call would make a long line quadratic. */
	if (start <= len)
		rc = pcre2_match(extract_regex(which), (PCRE2_SPTR)s, len,
		    start, PCRE2_NO_UTF_CHECK, x->md, NULL);
	if (rc < 0 && rc != PCRE2_ERROR_NOMATCH)
		log_debug("extract: pattern %d: match error %d", (int)which,
		    rc);
	if (rc > 0)
		x->ov = pcre2_get_ovector_pointer(x->md);
	return rc > 0;
}

int
extract_line_match(struct extract_ctx *x, enum extract_re which,
    const struct xline *l, size_t start)
{
	return extract_match(x, which, l->fold, l->flen, start);
}

char *
extract_strndup(const char *s, size_t n)
{
	char *p = xmalloc(n + 1);

	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

/* Collapses runs of white space to one space and trims the ends, plus any
 * rule or bullet characters OCR leaves around headings. */
void
extract_tidy(char *s)
{
	const char *edge = " \t-_*.|~=:;,";
	char *r = s, *w = s;
	size_t n;

	while (*r != '\0') {
		if (isspace((unsigned char)*r)) {
			while (isspace((unsigned char)*r))
				r++;
			if (w != s)
				*w++ = ' ';
			continue;
		}
		*w++ = *r++;
	}
	*w = '\0';
	n = strspn(s, edge);
	memmove(s, s + n, strlen(s + n) + 1);
	n = strlen(s);
	while (n > 0 && strchr(edge, s[n - 1]) != NULL)
		s[--n] = '\0';
}

/* Headings are set in capitals; OCR may drop a few to lower case. */
static int
extract_mostly_upper(const char *s, size_t len)
{
	struct vntext_stats st;

	vntext_stats(s, len, &st);
	return st.letters >= 4 && st.upper * 5 >= st.letters * 4 &&
	    st.digits * 4 <= st.letters;
}

/* Splits the NFC text into trimmed, non-empty lines with folded twins. */
static void
extract_split(struct extract_ctx *x)
{
	size_t cap = 64;
	char *p = x->nfc, *end;

	x->lines = xcalloc(cap, sizeof *x->lines);
	while (*p != '\0') {
		struct xline *l;
		size_t len;

		len = strcspn(p, "\n\r\f\v");
		end = p + len;
		if (*end != '\0')
			*end++ = '\0';
		while (*p == ' ' || *p == '\t') {
			p++;
			len--;
		}
		while (len > 0 && (p[len - 1] == ' ' || p[len - 1] == '\t'))
			p[--len] = '\0';
		if (len > 0) {
			if (x->nlines == cap) {
				cap *= 2;
				x->lines = xrealloc(x->lines,
				    cap * sizeof *x->lines);
			}
			l = &x->lines[x->nlines++];
			l->text = p;
			l->len = len;
			l->fold = vntext_fold_map(p, &l->map);
			l->flen = strlen(l->fold);
		}
		p = end;
	}
}

/* The original text behind folded bytes [fs, fe) of a line.  Caller frees. */
char *
extract_cut(const struct xline *l, size_t fs, size_t fe)
{
	return extract_strndup(l->text + l->map[fs], l->map[fe] - l->map[fs]);
}

int
extract_slip_digit(char c)
{
	return c == 'o' || c == 'i' || c == 'l' || c == '|';
}

/* Tesseract reads Đ as Ð (eth) on some scans; in a code it is Đ. */
void
extract_fix_eth(char *s)
{
	for (; s != NULL && *s != '\0'; s++)
		if ((unsigned char)s[0] == 0xc3 && ((unsigned char)s[1] == 0x90 ||
		    (unsigned char)s[1] == 0xb0)) {
			s[1] = (unsigned char)s[1] == 0x90 ? (char)0x90 :
			    (char)0x91;
			s[0] = (char)0xc4;
			s++;
		}
}

/* In a document number: O for 0, l or I for 1 in every all-numeric part
 * (a year "2O24"), Đ for Ð. */
void
extract_docno_slips(char *s)
{
	size_t seg, i, n, digits, len = s != NULL ? strlen(s) : 0;

	for (seg = 0; seg < len; seg = i + 1) {
		n = strcspn(s + seg, "/-");
		for (i = seg, digits = 0; i < seg + n; i++)
			if (isdigit((unsigned char)s[i]))
				digits++;
		if (digits > 0 && strspn(s + seg, "0123456789OolI|") >= n) {
			for (i = seg; i < seg + n; i++) {
				if (s[i] == 'O' || s[i] == 'o')
					s[i] = '0';
				else if (!isdigit((unsigned char)s[i]))
					s[i] = '1';
			}
		}
		i = seg + n;
	}
	extract_fix_eth(s);
}

/*
 * The document number after "Số:", spaces removed, O read for 0 and l or
 * I for 1 in the numeric parts.  It must have a "/" followed by letters (the type of
 * document), so "số 12/3" in an address is not taken.  Caller frees.
 */
char *
extract_docno(struct extract_ctx *x, const struct xline *l)
{
	struct buf b;
	size_t start = 0, fs, fe, k, i;
	char *rest, *slash, *result = NULL;
	struct vntext_stats st;

	while (result == NULL && extract_line_match(x, RE_DOCNO, l, start)) {
		fs = x->ov[2];
		fe = x->ov[3];
		start = x->ov[1];
		/* Headers write "Số" with a capital; body text writes "số". */
		if (l->text[l->map[x->ov[0]]] != 'S')
			continue;
		buf_init(&b, 256);
		for (k = fs; k < fe && strchr("0123456789oil| ", l->fold[k]);
		    k++)
			if (l->fold[k] != ' ')
				buf_append(&b, extract_slip_digit(l->fold[k]) ?
				    (l->fold[k] == 'o' ? "0" : "1") : &l->fold[k],
				    1);
		rest = extract_cut(l, k, fe);
		for (i = 0; rest[i] != '\0'; i++)
			if (!isspace((unsigned char)rest[i]))
				buf_append(&b, &rest[i], 1);
		free(rest);
		while (b.len > 0 && strchr(".,", b.data[b.len - 1]) != NULL)
			b.data[--b.len] = '\0';
		extract_docno_slips(b.data);
		if (b.data != NULL && (slash = strchr(b.data, '/')) != NULL) {
			vntext_stats(slash, strlen(slash), &st);
			if (st.letters > 0)
				result = xstrdup(b.data);
		}
		buf_free(&b);
	}
	return result;
}

/*
 * "Số: 01D8012345" alone on its line: a certificate's number (a household
 * business, Nghị định 01/2021), capital letters and digits, six of them or
 * more digits.  Taken as read: O and 0 cannot be told apart in a code that
 * has letters.  Caller frees.
 */
char *
extract_certno(struct extract_ctx *x, const struct xline *l, int digits_ok)
{
	size_t i, digits = 0, upper = 0, other = 0;
	char *v = NULL;

	if (!extract_line_match(x, RE_CERTNO, l, 0) ||
	    l->text[l->map[x->ov[0]]] != 'S')
		goto out;
	v = extract_cut(l, x->ov[2], x->ov[3]);
	for (i = 0; v[i] != '\0'; i++)
		if (isdigit((unsigned char)v[i]))
			digits++;
		else if (v[i] >= 'A' && v[i] <= 'Z')
			upper++;
		else
			other++;
	/* Ten digits alone only on a result numbered so (known_regno). */
	if ((other > 0 || upper == 0 || digits < 6) &&
	    !(digits_ok && known_regno(v))) {
		free(v);
		v = NULL;
	}
out:
	return v;
}

static int
extract_is_organ(struct extract_ctx *x, const char *s)
{
	struct vntext_stats st;
	size_t *map = NULL;
	char *f;
	int yes;

	f = vntext_fold_map(s, &map);
	vntext_stats(s, strlen(s), &st);
	yes = extract_match(x, RE_ORGAN, f, strlen(f), 0) && st.digits == 0 &&
	    strchr(s, ':') == NULL && extract_mostly_upper(s, strlen(s));
	free(f);
	free(map);
	return yes;
}

/* A line that belongs to the header blocks or the signature, never a title. */
static int
extract_is_furniture(struct extract_ctx *x, const struct xline *l)
{
	static const enum extract_re furniture[] = {
		RE_MOTTO, RE_DOCLAP, RE_UBND, RE_ORGAN, RE_LOCALITY,
		RE_SIGNATURE, RE_DOCNO, RE_DATE_CUT
	};
	size_t i;
	int yes;

	/* Stamps on copies, not titles. */
	yes = strcmp(l->fold, "ban sao") == 0 ||
	    strcmp(l->fold, "ban chinh") == 0 ||
	    strcmp(l->fold, "sao y ban chinh") == 0;
	for (i = 0; i < sizeof furniture / sizeof furniture[0] && !yes; i++)
		yes = extract_line_match(x, furniture[i], l, 0);
	return yes;
}

int
extract_is_title(struct extract_ctx *x, const struct xline *l)
{
	struct vntext_stats st;
	int yes = 0;

	if (l->len <= HEADING_MAX && memchr(l->text, ':', l->len) == NULL) {
		vntext_stats(l->text, l->len, &st);
		yes = st.words >= 2 && extract_mostly_upper(l->text, l->len) &&
		    !extract_is_furniture(x, l) &&
		    !extract_line_match(x, RE_AUTHORITY, l, 0);
	}
	return yes;
}

/* Titles printed over two lines start with one of these heads. */
int
extract_title_continues(const char *title)
{
	static const char *heads[] = {
		"giay chung nhan", "giay phep", "trich luc", "giay xac nhan",
		"chung nhan", "ban sao",
	};
	char *f = vntext_fold(title);
	size_t i;
	int yes = 0;

	for (i = 0; i < sizeof heads / sizeof heads[0]; i++)
		if (strcmp(f, heads[i]) == 0)
			yes = 1;
	free(f);
	return yes;
}

/*
 * The left part of a header line: what comes before the motto, "Độc lập -
 * Tự do - Hạnh phúc" or "<place>, ngày" that Tesseract put on the same
 * line.  The place is the run of words in ordinary case before the comma.
 * Caller frees; NULL when nothing is left.
 */
size_t
extract_right_at(struct extract_ctx *x, const struct xline *l)
{
	static const enum extract_re right[] = { RE_MOTTO, RE_DOCLAP };
	size_t cut = l->len, i, e, w;
	struct vntext_stats st;

	for (i = 0; i < sizeof right / sizeof right[0]; i++)
		if (extract_line_match(x, right[i], l, 0) &&
		    l->map[x->ov[0]] < cut)
			cut = l->map[x->ov[0]];
	if (extract_line_match(x, RE_DATE_CUT, l, 0) &&
	    l->map[x->ov[0]] < cut) {
		e = l->map[x->ov[0]];
		for (;;) {
			while (e > 0 && l->text[e - 1] == ' ')
				e--;
			for (w = e; w > 0 && l->text[w - 1] != ' '; w--)
				;
			vntext_stats(l->text + w, e - w, &st);
			if (w == e || st.lower == 0)
				break;
			e = w;
		}
		cut = e;
	}
	return cut;
}

static char *
extract_left_part(struct extract_ctx *x, const struct xline *l)
{
	size_t cut = extract_right_at(x, l);
	struct vntext_stats st;
	char *s = NULL;

	if (cut <= HEADING_MAX) {
		s = extract_strndup(l->text, cut);
		extract_tidy(s);
		vntext_stats(s, strlen(s), &st);
		if (st.letters < 2) {
			free(s);
			s = NULL;
		}
	}
	return s;
}

/*
 * The issuing body from the left header lines [0, end): "ỦY BAN NHÂN DÂN"
 * joined with the locality on the next line, or a department line (SỞ ...,
 * PHÒNG ...) as written.  Caller frees.
 */
char *
extract_agency(struct extract_ctx *x, size_t end)
{
	char *left[AGENCY_LINES], *result = NULL, *f;
	size_t nleft = 0, i, j, *map;
	ssize_t ubnd = -1;
	int rest = 0;

	for (i = 0; i < end && nleft < AGENCY_LINES; i++)
		if ((left[nleft] = extract_left_part(x, &x->lines[i])) != NULL)
			nleft++;
	for (i = 0; i < nleft && ubnd == -1; i++) {
		f = vntext_fold_map(left[i], &map);
		if (extract_match(x, RE_UBND, f, strlen(f), 0)) {
			ubnd = (ssize_t)i;
			rest = f[x->ov[1]] != '\0';
		}
		free(f);
		free(map);
	}
	if (ubnd >= 0) {
		for (j = (size_t)ubnd + 1; j < nleft && j <= (size_t)ubnd + 2 &&
		    result == NULL; j++)
			if (extract_is_organ(x, left[j]))
				result = xstrdup(left[j]);
		if (result == NULL && rest &&
		    extract_mostly_upper(left[ubnd], strlen(left[ubnd])))
			result = xstrdup(left[ubnd]);
		else if (result == NULL && !rest && (size_t)ubnd + 1 < nleft &&
		    extract_mostly_upper(left[ubnd + 1], strlen(left[ubnd + 1])))
			result = xasprintf("%s %s", left[ubnd], left[ubnd + 1]);
	} else {
		for (i = 0; i < nleft && result == NULL; i++)
			if (extract_is_organ(x, left[i]))
				result = xstrdup(left[i]);
	}
	for (i = 0; i < nleft; i++)
		free(left[i]);
	return result;
}

/* Fills doc_type, doc_number and agency_name from the top of the text. */
static void
extract_header(struct extract_ctx *x, char **doc_type, char **doc_number,
    char **agency)
{
	size_t n = x->end < HEAD_LINES ? x->end : HEAD_LINES;
	size_t i, so = n, title = n, end;
	char *t;

	for (i = 0; i < n && *doc_number == NULL; i++)
		if (!x->recital[i] &&
		    (*doc_number = extract_docno(x, &x->lines[i])) != NULL)
			so = i;
	for (i = 0; i < n && title == n; i++)
		if (!x->recital[i] && extract_is_title(x, &x->lines[i]))
			title = i;
	x->title = title < n ? title : x->nlines;
	if (title < n) {
		t = extract_strndup(x->lines[title].text, x->lines[title].len);
		extract_tidy(t);
		if (extract_title_continues(t) && title + 1 < x->nlines &&
		    extract_is_title(x, &x->lines[title + 1])) {
			char *more = extract_strndup(x->lines[title + 1].text,
			    x->lines[title + 1].len);

			extract_tidy(more);
			*doc_type = xasprintf("%s %s", t, more);
			free(more);
			free(t);
		} else
			*doc_type = t;
	}
	/* Only a known type, from the title or a line it ends, stamps beside. */
	t = *doc_type;
	*doc_type = (char *)known_doc_type(t);
	free(t);
	if (*doc_type != NULL && title < n)
		extract_note(x, DOC_K_TYPE, "text", x->lines[title].text, NULL);
	for (i = 0; i < n && *doc_type == NULL &&
	    strncmp(x->lines[i].fold, "can cu", 6) != 0; i++)
		if ((*doc_type = (char *)known_doc_type_tail(
		    x->lines[i].text)) != NULL)
			extract_note(x, DOC_K_TYPE, "text", x->lines[i].text,
			    NULL);
	if (*doc_type != NULL)
		*doc_type = xstrdup(*doc_type);
	for (i = 0; i < n && *doc_number == NULL; i++)
		if (!x->recital[i] && (*doc_number = extract_certno(x,
		    &x->lines[i], known_regno_type(*doc_type))) != NULL)
			so = i;
	t = *doc_number;
	*doc_number = known_doc_number(t);
	free(t);
	if (*doc_number != NULL && so < n)
		extract_note(x, DOC_K_NUMBER, "text", x->lines[so].text, NULL);
	end = so < title ? so : title;
	if (end == n && end > AGENCY_LINES)
		end = AGENCY_LINES;
	*agency = extract_agency(x, end);
}

/*
 * Marks the recitals ("Căn cứ ...", "Xét ..." up to the line that ends
 * in ";" or ".") and where the recipients list begins: neither gives a
 * header field.
 */
static void
extract_mark_text(struct extract_ctx *x)
{
	size_t i;
	int in = 0, n = 0;

	x->recital = xcalloc(x->nlines + 1, 1);
	x->end = x->nlines;
	x->title = x->nlines;
	for (i = 0; i < x->nlines; i++) {
		const struct xline *l = &x->lines[i];

		if (extract_line_match(x, RE_RECIPIENTS, l, 0)) {
			x->end = i;
			break;
		}
		if (extract_line_match(x, RE_RECITAL, l, 0)) {
			in = 1;
			n = 0;
		}
		x->recital[i] = (char)in;
		if (in && (strchr(";.", l->text[l->len - 1]) != NULL ||
		    ++n >= 4))
			in = 0;
	}
}

void
extract_xline_set(struct xline *l, const char *s)
{
	l->text = vntext_nfc(s, strlen(s));
	l->len = strlen(l->text);
	l->fold = vntext_fold_map(l->text, &l->map);
	l->flen = strlen(l->fold);
}

void
extract_xline_free(struct xline *l)
{
	free(l->text);
	free(l->fold);
	free(l->map);
}

/*
 * The digits of a group of a dossier code, s[0..len), into out: O read as
 * 0, l, I or | as 1, at most one space dropped.  Returns how many were
 * real digits, or -1 with a second space.
 */
static int
extract_code_digits(const char *s, size_t len, char *out)
{
	size_t i, n = 0;
	int real = 0, spaces = 0;

	for (i = 0; i < len; i++) {
		if (isspace((unsigned char)s[i])) {
			if (spaces++ > 0)
				return -1;
			continue;
		}
		if (isdigit((unsigned char)s[i])) {
			real++;
			out[n++] = s[i];
		} else
			out[n++] = s[i] == 'O' || s[i] == 'o' ? '0' : '1';
	}
	out[n] = '\0';
	return real;
}

/*
 * The first dossier code in the text whose date part is a plausible date,
 * read through the slips OCR makes in digits; most of the digits must be
 * real.  An office part of O and digits only ("OOO.23.11") is read as
 * digits; one with other letters (000.A0.01) is kept as it is.
 */
static char *
extract_dossier_text(struct extract_ctx *x)
{
	const char *s = x->nfc;
	size_t start, i, seg;
	char date[8], seq[6], office[16], *code = NULL;
	int mm, dd, rd, rs;

	for (start = 0; code == NULL &&
	    extract_match(x, RE_DOSSIER, s, x->nfclen, start);
	    start = x->ov[1]) {
		PCRE2_SIZE *ov = x->ov;

		rd = extract_code_digits(s + ov[4], ov[5] - ov[4], date);
		rs = extract_code_digits(s + ov[6], ov[7] - ov[6], seq);
		if (rd < 4 || rs < 2 || ov[3] - ov[2] >= 2 * sizeof office)
			continue;
		/* The office part with dots: 000.23.11.H26. */
		for (i = ov[2], seg = 0; i < ov[3] && seg + 1 < sizeof office;
		    i++) {
			if (strchr(".,", s[i]) != NULL || (s[i] == ' ' &&
			    s[i - 1] != '.' && s[i - 1] != ','))
				office[seg++] = '.';
			else if (s[i] != ' ')
				office[seg++] = s[i];
		}
		office[seg] = '\0';
		if (seg != 13)
			continue;
		for (seg = 0; seg < 9; seg = i + 1) {
			for (i = seg; office[i] != '.'; i++)
				;
			if (strspn(office + seg, "0123456789O") >= i - seg)
				for (i = seg; office[i] != '.'; i++)
					if (office[i] == 'O')
						office[i] = '0';
		}
		/* The province: a letter, two digits (H26). */
		for (i = 11; i < 13; i++)
			if (!isdigit((unsigned char)office[i]))
				office[i] = office[i] == 'O' || office[i] == 'o' ?
				    '0' : '1';
		mm = (date[2] - '0') * 10 + (date[3] - '0');
		dd = (date[4] - '0') * 10 + (date[5] - '0');
		if (mm >= 1 && mm <= 12 && dd >= 1 && dd <= 31)
			code = xasprintf("%s-%s-%s", office, date, seq);
		for (i = 0; code != NULL && i < x->nlines; i++)
			if (x->lines[i].text <= s + ov[2] &&
			    s + ov[2] < x->lines[i].text + x->lines[i].len)
				extract_note(x, DOC_K_DOSSIER_CODE, "text",
				    x->lines[i].text, NULL);
	}
	return code;
}

static json_t *
extract_json_string(const char *s)
{
	json_t *v = NULL;

	if (s != NULL)
		v = json_string(s);
	return v != NULL ? v : json_null();
}

json_t *
extract_fields(const char *text, const json_t *layout,
    const char *source_name, const struct profile *pr)
{
	return extract_fields_noted(text, layout, source_name, pr, NULL);
}

/*
 * extract_fields, and in *evidence (when not NULL) a new object naming
 * where each field that has a value was read (extract_note).
 */
json_t *
extract_fields_noted(const char *text, const json_t *layout,
    const char *source_name, const struct profile *pr, json_t **evidence)
{
	struct extract_ctx x;
	struct xlayout lay;
	char *doc_type = NULL, *doc_number = NULL, *agency = NULL;
	char *dossier = NULL, *t, date[11], valid[11];
	json_t *doc, *people, *ids;
	size_t i;
	int have_date;

	memset(&x, 0, sizeof x);
	if ((x.md = pcre2_match_data_create(16, NULL)) == NULL ||
	    (evidence != NULL && (x.evidence = json_object()) == NULL))
		fatalx("out of memory");
	x.nfc = vntext_nfc(text, text != NULL ? strlen(text) : 0);
	x.nfclen = strlen(x.nfc);
	extract_split(&x);
	known_learn_profile(pr);
	extract_mark_text(&x);

	if ((doc = json_object()) == NULL || (people = json_array()) == NULL ||
	    (ids = json_array()) == NULL)
		fatalx("out of memory");
	have_date = 0;
	if (layout != NULL && header_read(&x, layout, &lay) == 0) {
		header_fields(&x, &lay, &doc_type, &doc_number, &agency,
		    date, &have_date);
		header_free(&lay);
		/* Only a known type; a code one slip from a known one settled. */
		t = doc_type;
		doc_type = known_doc_type(t) != NULL ?
		    xstrdup(known_doc_type(t)) : NULL;
		free(t);
		t = doc_number;
		doc_number = known_doc_number(t);
		free(t);
	} else {
		extract_header(&x, &doc_type, &doc_number, &agency);
		have_date = xdate_issued(&x, date);
	}
	people_find(&x, people);
	people_ids(&x, ids);
	if ((dossier = extract_dossier_text(&x)) == NULL &&
	    (dossier = rule_dossier_filename(source_name, pr)) != NULL)
		extract_note(&x, DOC_K_DOSSIER_CODE, "file name", source_name,
		    NULL);
	{
		char **value[EXTRACT_NRULES] = { &doc_type, &doc_number, NULL,
		    &agency, NULL, NULL, &dossier };

		rule_apply(&x, pr, value, date, &have_date, people,
		    ids);
	}

	json_object_set_new(doc, DOC_K_TYPE, extract_json_string(doc_type));
	json_object_set_new(doc, DOC_K_NUMBER, extract_json_string(doc_number));
	json_object_set_new(doc, DOC_K_ISSUED_ON,
	    extract_json_string(have_date ? date : NULL));
	json_object_set_new(doc, DOC_K_AGENCY_NAME,
	    extract_json_string(agency));
	json_object_set_new(doc, DOC_K_PEOPLE, people);
	json_object_set_new(doc, DOC_K_ID_NUMBERS, ids);
	json_object_set_new(doc, DOC_K_DOSSIER_CODE,
	    extract_json_string(dossier));
	json_object_set_new(doc, DOC_K_VALID_UNTIL, extract_json_string(
	    xdate_valid_until(&x, valid) ? valid : NULL));
	if (evidence != NULL) {
		const char *k;
		json_t *v, *f;
		void *tmp;

		/* A note stands only for a value kept. */
		json_object_foreach_safe(x.evidence, tmp, k, v)
			if ((f = json_object_get(doc, k)) == NULL ||
			    json_is_null(f))
				json_object_del(x.evidence, k);
		*evidence = x.evidence;
	}

	free(dossier);
	free(agency);
	free(doc_number);
	free(doc_type);
	for (i = 0; i < x.nlines; i++) {
		free(x.lines[i].fold);
		free(x.lines[i].map);
	}
	free(x.lines);
	free(x.recital);
	free(x.nfc);
	pcre2_match_data_free(x.md);
	return doc;
}
