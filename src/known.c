/*
 * known.c: the names and codes results really carry, so that a field read
 * by OCR is settled to one of them or left as it was read, never guessed.
 *
 * - Document types: the names and abbreviations of Nghị định 30/2020
 *   (Phụ lục III), the legal documents results cite as their own type
 *   (Luật, Nghị định, Thông tư) and the results the procedures issue
 *   (Trích lục khai sinh TLKS, Giấy phép xây dựng GPXD, ...).  A title is
 *   compared in folded form (vntext_fold: no marks, đ = d) with a small
 *   edit distance, and gives a name only when exactly one known name is
 *   that close: doc_type is only ever a known name or null.
 * - Document numbers "sequence[/year]/TYPE-AGENCY[-UNIT]": each code part
 *   one OCR slip away from exactly one known code becomes that code
 *   (QĐĐ -> QĐ, QÐ with the eth -> QĐ, TILKS -> TLKS); a part that is
 *   equally near two codes, or far from all, stays as read.
 * - Registration numbers with no slash (household businesses: ten
 *   characters, 0195163130 or 01D8012345).
 *
 * Agencies come built in (the ministries, the provincial departments, the
 * units that draft letters) and are learned from the profiles: the
 * abbreviation of an office's name is its initials (Sở Xây dựng -> SXD),
 * as Nghị định 30/2020 forms them.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include <utf8proc.h>

#include "sohoa.h"

#define KNOWN_CODEMAX	16	/* characters in one code part */
#define KNOWN_LEARNMAX	256	/* agency abbreviations learned */
#define KNOWN_WORDMAX	24	/* words of a title looked at */

struct known_type {
	const char	*name;		/* as printed, in capitals */
	const char	*code;		/* its abbreviation in numbers, or NULL */
};

/* Nghị định 30/2020, Phụ lục III, in its order, then the results. */
static const struct known_type known_types[] = {
	{ "NGHỊ QUYẾT", "NQ" },
	{ "QUYẾT ĐỊNH", "QĐ" },
	{ "CHỈ THỊ", "CT" },
	{ "QUY CHẾ", "QC" },
	{ "QUY ĐỊNH", "QyĐ" },
	{ "THÔNG CÁO", "TC" },
	{ "THÔNG BÁO", "TB" },
	{ "HƯỚNG DẪN", "HD" },
	{ "CHƯƠNG TRÌNH", "CTr" },
	{ "KẾ HOẠCH", "KH" },
	{ "PHƯƠNG ÁN", "PA" },
	{ "ĐỀ ÁN", "ĐA" },
	{ "DỰ ÁN", "DA" },
	{ "BÁO CÁO", "BC" },
	{ "BIÊN BẢN", "BB" },
	{ "TỜ TRÌNH", "TTr" },
	{ "HỢP ĐỒNG", "HĐ" },
	{ "CÔNG VĂN", NULL },	/* numbered AGENCY-UNIT, no type code */
	{ "CÔNG ĐIỆN", "CĐ" },
	{ "BẢN GHI NHỚ", "GN" },
	{ "BẢN THỎA THUẬN", "TTh" },
	{ "GIẤY ỦY QUYỀN", "UQ" },
	{ "GIẤY MỜI", "GM" },
	{ "GIẤY GIỚI THIỆU", "GT" },
	{ "GIẤY NGHỈ PHÉP", "NP" },
	{ "PHIẾU GỬI", "PG" },
	{ "PHIẾU CHUYỂN", "PC" },
	{ "PHIẾU BÁO", "PB" },
	{ "THƯ CÔNG", NULL },
	/* Legal documents (Luật Ban hành văn bản quy phạm pháp luật). */
	{ "LUẬT", NULL },
	{ "PHÁP LỆNH", "PL" },
	{ "NGHỊ ĐỊNH", "NĐ" },
	{ "THÔNG TƯ", "TT" },
	{ "THÔNG TƯ LIÊN TỊCH", "TTLT" },
	/* Results of procedures. */
	{ "TRÍCH LỤC KHAI SINH", "TLKS" },
	{ "TRÍCH LỤC KẾT HÔN", "TLKH" },
	{ "TRÍCH LỤC KHAI TỬ", "TLKT" },
	{ "TRÍCH LỤC HỘ TỊCH", "TLHT" },
	{ "GIẤY KHAI SINH", NULL },
	{ "GIẤY CHỨNG NHẬN KẾT HÔN", NULL },
	{ "GIẤY XÁC NHẬN TÌNH TRẠNG HÔN NHÂN", "XNTTHN" },
	{ "GIẤY PHÉP XÂY DỰNG", "GPXD" },
	{ "GIẤY CHỨNG NHẬN ĐĂNG KÝ HỘ KINH DOANH", NULL },
	{ "GIẤY CHỨNG NHẬN ĐĂNG KÝ DOANH NGHIỆP", NULL },
	{ "GIẤY CHỨNG NHẬN QUYỀN SỬ DỤNG ĐẤT, QUYỀN SỞ HỮU NHÀ Ở VÀ TÀI SẢN "
	    "KHÁC GẮN LIỀN VỚI ĐẤT", NULL },
	{ "GIẤY CHỨNG NHẬN QUYỀN SỬ DỤNG ĐẤT", NULL },
};

/* The results whose number is a registration number with no slash. */
static const char *const known_regno_types[] = {
	"GIẤY CHỨNG NHẬN ĐĂNG KÝ HỘ KINH DOANH",
	"GIẤY CHỨNG NHẬN ĐĂNG KÝ DOANH NGHIỆP",
};

/*
 * Codes met in the type place that name no type of their own: the
 * abbreviations other forms print there (Bản ghi nhớ as BGN, ...), the
 * certification books of Nghị định 23/2015 (SCT) and the old Công văn
 * (CV).  Known so that they are not "corrected" into a neighbour.
 */
static const char *const known_other_codes[] = {
	"BGN", "BTT", "GUQ", "GGT", "GNP", "SCT", "CV", "BSY", "TS", "SL",
	"HKD", "GCNKH", "GP", "GCN", "GXN",
};

/*
 * Issuing bodies and the units that draft (the part after the type), and
 * the register types of certification numbers (SCT/BS, SCT/CK,ĐC).
 */
static const char *const known_agencies[] = {
	/* National bodies. */
	"QH", "UBTVQH", "CTN", "CP", "TTg", "VPCP", "TANDTC", "VKSNDTC",
	"KTNN", "NHNN",
	/* Ministries. */
	"BCA", "BQP", "BNG", "BNV", "BTP", "BTC", "BCT", "BXD", "BYT", "BKHĐT",
	"BTNMT", "BGDĐT", "BGTVT", "BLĐTBXH", "BNNPTNT", "BVHTTDL", "BTTTT",
	"BKHCN", "BNNMT", "UBDT",
	/* Local government and its departments. */
	"HĐND", "UBND", "CT", "VP", "SXD", "STP", "SNV", "STC", "SKHĐT",
	"STNMT", "SYT", "SGDĐT", "SLĐTBXH", "SGTVT", "SCT", "SNNPTNT",
	"SVHTTDL", "STTTT", "SKHCN", "CA", "CAT", "CAH", "CAX",
	/* Units of a commune or former district. */
	"KT", "TCKH", "TNMT", "QLĐT", "TP", "VHTT", "VHXH", "LĐTBXH", "NV",
	"TC", "YT", "GDĐT", "ĐKKD", "TCCB", "TH", "HC",
	/* Register types (Nghị định 23/2015). */
	"BS", "CK", "ĐC", "CKND", "HT",
};

static char *known_learned[KNOWN_LEARNMAX];
static size_t known_nlearned;

/* --- Folded names ---------------------------------------------------- */

/* Levenshtein distance between two short byte strings, or a large value
 * past KNOWN_NAMEMAX bytes. */
#define KNOWN_NAMEMAX	128
static int
known_distance(const char *a, const char *b)
{
	int row[KNOWN_NAMEMAX + 1], prev, cur, i, j;
	int la = (int)strlen(a), lb = (int)strlen(b);

	if (la > KNOWN_NAMEMAX || lb > KNOWN_NAMEMAX)
		return 1000;
	for (j = 0; j <= lb; j++)
		row[j] = j;
	for (i = 1; i <= la; i++) {
		prev = row[0];
		row[0] = i;
		for (j = 1; j <= lb; j++) {
			cur = row[j];
			row[j] = prev + (a[i - 1] != b[j - 1]);
			if (row[j - 1] + 1 < row[j])
				row[j] = row[j - 1] + 1;
			if (cur + 1 < row[j])
				row[j] = cur + 1;
			prev = cur;
		}
	}
	return row[lb];
}

/* The folded form of s with every run of non-letters one space and the
 * ends trimmed: "TRÍCH LỤC KHAI SINH." -> "trich luc khai sinh".  Caller
 * frees. */
static char *
known_fold_words(const char *s)
{
	char *f = vntext_fold(s), *r, *w;

	for (r = w = f; *r != '\0'; r++) {
		if (isalpha((unsigned char)*r) || (unsigned char)*r >= 0x80)
			*w++ = *r;
		else if (w > f && w[-1] != ' ')
			*w++ = ' ';
	}
	while (w > f && w[-1] == ' ')
		w--;
	*w = '\0';
	return f;
}

/* Edits a folded name of len bytes may be away: none for a short name
 * ("luat", "de an" and "du an" are one apart), one per six letters, at
 * most three. */
static int
known_slack(size_t len)
{
	size_t n = len / 6;

	return n > 3 ? 3 : (int)n;
}

#define KNOWN_NTYPES	(sizeof known_types / sizeof known_types[0])

/* The folded names and their word counts, made once for the process. */
static char *known_type_fold[KNOWN_NTYPES];
static size_t known_type_words[KNOWN_NTYPES];

static void
known_init(void)
{
	size_t i, k;

	if (known_type_fold[0] != NULL)
		return;
	for (i = 0; i < KNOWN_NTYPES; i++) {
		known_type_fold[i] = known_fold_words(known_types[i].name);
		for (k = 0, known_type_words[i] = 1;
		    known_type_fold[i][k] != '\0'; k++)
			known_type_words[i] += known_type_fold[i][k] == ' ';
	}
}

/*
 * The known type whose folded name f (folded words) is: the one it equals,
 * or the only one within its slack.  NULL when none or several are.
 */
static const char *
known_type_of_fold(const char *f)
{
	const char *found = NULL;
	size_t i, n = 0;
	int d;

	known_init();
	for (i = 0; i < KNOWN_NTYPES; i++) {
		d = known_distance(f, known_type_fold[i]);
		if (d == 0)
			return known_types[i].name;
		if (d <= known_slack(strlen(known_type_fold[i])) &&
		    d <= known_slack(strlen(f))) {
			found = known_types[i].name;
			n++;
		}
	}
	return n == 1 ? found : NULL;
}

const char *
known_doc_type(const char *title)
{
	const char *name = NULL;
	char *f;

	if (title == NULL)
		return NULL;
	f = known_fold_words(title);
	if (*f != '\0')
		name = known_type_of_fold(f);
	free(f);
	return name;
}

static size_t
known_words_of(const char *name)
{
	size_t i;

	for (i = 0; i < KNOWN_NTYPES; i++)
		if (known_types[i].name == name)
			return known_type_words[i];
	return 0;
}

/* 1 when most letters of s[0..len) are capitals. */
static int
known_mostly_upper(const char *s, size_t len)
{
	struct vntext_stats st;

	vntext_stats(s, len, &st);
	return st.letters >= 4 && st.upper * 5 >= st.letters * 4;
}

/* 1 when s[0..len) has two letters or more, all capitals. */
static int
known_all_caps(const char *s, size_t len)
{
	struct vntext_stats st;

	vntext_stats(s, len, &st);
	return st.letters >= 2 && st.upper == st.letters;
}

/*
 * 1 when the word before word w (of the starts of a line's words) is in
 * capitals, past a dash between them: the name is then the end of a
 * longer phrase in capitals, an office ("PHÒNG TÀI CHÍNH - KẾ HOẠCH",
 * "BAN QUẢN LÝ DỰ ÁN"), not a title with a stamp before it.
 */
static int
known_capitals_before(const char *const *starts, size_t w)
{
	size_t len;

	while (w > 0) {
		w--;
		len = (size_t)(starts[w + 1] - starts[w]);
		while (len > 0 && (starts[w][len - 1] == ' ' ||
		    starts[w][len - 1] == '\t'))
			len--;
		if (strspn(starts[w], "-&,") >= len ||
		    (len == 3 && memcmp(starts[w], "\xe2\x80\x93", 3) == 0))
			continue;	/* "-", "–" */
		return known_all_caps(starts[w], len);
	}
	return 0;
}

/*
 * A known title ending line, in capitals: "Giờ: 7h45 QUYẾT ĐỊNH" (a stamp
 * beside the title), "Ngày Tân GIẤY CHỨNG NHẬN ĐĂNG KÝ HỘ KINH DOANH".
 * The last words of the line are compared, as many as the name has; a
 * line whose name is followed by a colon ("QUYẾT ĐỊNH:", the formula
 * before the articles) is no title.
 */
const char *
known_doc_type_tail(const char *line)
{
	const char *starts[KNOWN_WORDMAX], *p, *name = NULL, *end;
	size_t nw = 0, i, words;
	char *f, *tail;
	int inword = 0;

	if (line == NULL)
		return NULL;
	/* Trailing dots and spaces may follow a title; a colon may not. */
	end = line + strlen(line);
	while (end > line && strchr(" \t.,;_-", end[-1]) != NULL)
		end--;
	if (end > line && end[-1] == ':')
		return NULL;
	/* The starts of the last words (runs of anything but spaces). */
	for (p = line; p < end; p++) {
		if (*p == ' ' || *p == '\t') {
			inword = 0;
			continue;
		}
		if (!inword) {
			if (nw == KNOWN_WORDMAX) {
				memmove(starts, starts + 1,
				    (KNOWN_WORDMAX - 1) * sizeof *starts);
				nw--;
			}
			starts[nw++] = p;
		}
		inword = 1;
	}
	known_init();
	/* The tails as long as some name, shortest first: a stamp's word
	 * before the title makes a longer tail no name. */
	for (words = 2; words <= nw && words <= KNOWN_WORDMAX && name == NULL;
	    words++) {
		for (i = 0; i < KNOWN_NTYPES; i++)
			if (known_type_words[i] == words)
				break;
		if (i == KNOWN_NTYPES)
			continue;	/* "LUẬT" alone at a line's end is a word */
		p = starts[nw - words];
		if (!known_mostly_upper(p, (size_t)(end - p)) ||
		    known_capitals_before(starts, nw - words))
			continue;
		tail = xstrdup(p);
		tail[end - p] = '\0';
		f = known_fold_words(tail);
		if ((name = known_type_of_fold(f)) != NULL &&
		    known_words_of(name) != words)
			name = NULL;
		free(f);
		free(tail);
	}
	return name;
}

int
known_regno_type(const char *doc_type)
{
	size_t i;

	for (i = 0; doc_type != NULL &&
	    i < sizeof known_regno_types / sizeof known_regno_types[0]; i++)
		if (strcmp(doc_type, known_regno_types[i]) == 0)
			return 1;
	return 0;
}

int
known_regno(const char *s)
{
	size_t i, digits = 0;

	if (s == NULL || strlen(s) != 10 || !isdigit((unsigned char)s[0]) ||
	    !isdigit((unsigned char)s[1]))
		return 0;
	for (i = 0; i < 10; i++) {
		if (isdigit((unsigned char)s[i]))
			digits++;
		else if (s[i] < 'A' || s[i] > 'Z')
			return 0;
	}
	return digits >= 7;
}

/* --- Codes in document numbers --------------------------------------- */

/* A code part as capital code points: Ð (eth) is Đ; -1 when too long or
 * not UTF-8. */
static int
known_code_points(const char *s, size_t len, utf8proc_int32_t *out)
{
	const utf8proc_uint8_t *p = (const utf8proc_uint8_t *)s;
	utf8proc_int32_t cp;
	utf8proc_ssize_t n;
	size_t i = 0;
	int k = 0;

	while (i < len) {
		n = utf8proc_iterate(p + i, (utf8proc_ssize_t)(len - i), &cp);
		if (n <= 0 || k == KNOWN_CODEMAX)
			return -1;
		i += (size_t)n;
		if (cp == 0x00D0 || cp == 0x00F0 || cp == 0x0111)
			cp = 0x0110;
		out[k++] = utf8proc_toupper(cp);
	}
	return k;
}

/* Shapes Tesseract takes for one another in capitals and digits. */
static int
known_similar(utf8proc_int32_t a, utf8proc_int32_t b)
{
	static const char *const pairs[] = {
		"IT", "IL", "I1", "L1", "O0", "OD", "OQ", "Q0", "B8", "S5",
		"Z2", "G6", "CG", "UV", "EF",
	};
	size_t i;

	if ((a == 'D' && b == 0x0110) || (a == 0x0110 && b == 'D'))
		return 1;
	for (i = 0; i < sizeof pairs / sizeof pairs[0]; i++)
		if ((a == pairs[i][0] && b == pairs[i][1]) ||
		    (a == pairs[i][1] && b == pairs[i][0]))
			return 1;
	return 0;
}

/*
 * The cost, in half slips, of reading known code k as r: a letter read as
 * a similar one or doubled is half a slip, any other change a whole one.
 */
static int
known_code_cost(const utf8proc_int32_t *r, int lr, const utf8proc_int32_t *k,
    int lk)
{
	int d[KNOWN_CODEMAX + 1][KNOWN_CODEMAX + 1], i, j, c;

	for (i = 0; i <= lr; i++)
		d[i][0] = 2 * i;
	for (j = 0; j <= lk; j++)
		d[0][j] = 2 * j;
	for (i = 1; i <= lr; i++)
		for (j = 1; j <= lk; j++) {
			c = r[i - 1] == k[j - 1] ? 0 :
			    known_similar(r[i - 1], k[j - 1]) ? 1 : 2;
			d[i][j] = d[i - 1][j - 1] + c;
			/* A letter of r too many: doubled, or any. */
			c = i >= 2 && r[i - 1] == r[i - 2] ? 1 : 2;
			if (d[i - 1][j] + c < d[i][j])
				d[i][j] = d[i - 1][j] + c;
			if (d[i][j - 1] + 2 < d[i][j])
				d[i][j] = d[i][j - 1] + 2;
		}
	return d[lr][lk];
}

struct known_best {
	const char	*code;
	int		 cost;
	int		 ties;
};

static void
known_consider(struct known_best *b, const utf8proc_int32_t *r, int lr,
    const char *code)
{
	utf8proc_int32_t k[KNOWN_CODEMAX];
	int lk, cost;

	if (code == NULL || (lk = known_code_points(code, strlen(code), k)) < 0)
		return;
	cost = known_code_cost(r, lr, k, lk);
	if (b->code != NULL && strcmp(b->code, code) == 0)
		return;	/* the same code in two lists */
	if (b->code == NULL || cost < b->cost) {
		b->code = code;
		b->cost = cost;
		b->ties = 0;
	} else if (cost == b->cost)
		b->ties++;
}

/*
 * The known code a code part s[0..len) was read for: itself when known,
 * else the one nearest within one slip when no other is as near; NULL to
 * keep it as read.  types: the part stands where the type goes, where a
 * letter's agency (UBND-KT) may stand as well.
 */
static const char *
known_settle_code(const char *s, size_t len, int types)
{
	utf8proc_int32_t r[KNOWN_CODEMAX];
	struct known_best b = { NULL, 0, 0 };
	size_t i;
	int lr;

	if (len == 0 || (lr = known_code_points(s, len, r)) < 0)
		return NULL;
	for (i = 0; types && i < sizeof known_types / sizeof known_types[0]; i++)
		known_consider(&b, r, lr, known_types[i].code);
	for (i = 0; types &&
	    i < sizeof known_other_codes / sizeof known_other_codes[0]; i++)
		known_consider(&b, r, lr, known_other_codes[i]);
	for (i = 0; i < sizeof known_agencies / sizeof known_agencies[0]; i++)
		known_consider(&b, r, lr, known_agencies[i]);
	for (i = 0; i < known_nlearned; i++)
		known_consider(&b, r, lr, known_learned[i]);
	if (b.code == NULL || b.cost > 2 || b.ties > 0)
		return NULL;
	/* Known as it is (case aside, QYĐ for QyĐ): the code as printed. */
	return b.code;
}

/* 1 when s[0..len) holds two lower-case letters or more: a word of the
 * line the number shared ("-Đông Anh, ngày"), never a code. */
static int
known_has_words(const char *s, size_t len)
{
	struct vntext_stats st;

	vntext_stats(s, len, &st);
	return st.lower >= 2;
}

static int
known_all_digits(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (!isdigit((unsigned char)s[i]))
			return 0;
	return len > 0;
}

char *
known_doc_number(const char *number)
{
	struct buf b;
	const char *p, *part, *code, *sep;
	char *out;
	size_t len;
	int first = 1, settled_last = 0;

	if (number == NULL)
		return NULL;
	/* "sequence/..."; anything else (a registration number) as read. */
	len = strspn(number, "0123456789");
	if (len == 0 || number[len] != '/')
		return xstrdup(number);
	buf_init(&b, 256);
	buf_append(&b, number, len + 1);
	p = number + len + 1;
	/* A year: 12/2024/QĐ-UBND. */
	len = strspn(p, "0123456789");
	if (len == 4 && p[len] == '/') {
		buf_append(&b, p, len + 1);
		p += len + 1;
	}
	for (part = p; *part != '\0'; part = sep + (*sep != '\0')) {
		len = strcspn(part, "/-,");
		sep = part + len;
		code = NULL;
		if (!known_all_digits(part, len))
			code = known_settle_code(part, len, first);
		/* "572/TLKS-BS-Đông": the place of the date line, joined. */
		if (code == NULL && !first && settled_last &&
		    known_has_words(part, len) && part[-1] == '-') {
			b.len--;	/* the "-" before it */
			b.data[b.len] = '\0';
			break;
		}
		if (code != NULL)
			buf_append(&b, code, strlen(code));
		else
			buf_append(&b, part, len);
		if (*sep != '\0')
			buf_append(&b, sep, 1);
		settled_last = code != NULL;
		first = 0;
	}
	out = xstrdup(b.data != NULL ? b.data : number);
	buf_free(&b);
	return out;
}

/* --- Learning agencies ----------------------------------------------- */

void
known_learn_agency(const char *abbr)
{
	utf8proc_int32_t r[KNOWN_CODEMAX];
	size_t i;

	if (abbr == NULL || strlen(abbr) < 2 ||
	    known_code_points(abbr, strlen(abbr), r) < 0)
		return;
	for (i = 0; i < sizeof known_agencies / sizeof known_agencies[0]; i++)
		if (strcmp(known_agencies[i], abbr) == 0)
			return;
	for (i = 0; i < known_nlearned; i++)
		if (strcmp(known_learned[i], abbr) == 0)
			return;
	if (known_nlearned < KNOWN_LEARNMAX)
		known_learned[known_nlearned++] = xstrdup(abbr);
}

/* 1 when s[0..len) is an agency known already, case aside. */
static int
known_exact(const char *s, size_t len)
{
	utf8proc_int32_t r[KNOWN_CODEMAX], k[KNOWN_CODEMAX];
	const char *code = known_settle_code(s, len, 0);
	int lr, lk;

	if (code == NULL || (lr = known_code_points(s, len, r)) < 0 ||
	    (lk = known_code_points(code, strlen(code), k)) != lr)
		return 0;
	return memcmp(r, k, (size_t)lr * sizeof *r) == 0;
}

/* 1 when s[0..len) looks like a code as typed into a register: 2 to 12
 * capitals, digits or Đ, a lower-case letter at most (TTg, QyĐ). */
static int
known_code_shape(const char *s, size_t len)
{
	utf8proc_int32_t r[KNOWN_CODEMAX];
	int n, i, lower = 0, letters = 0;

	if ((n = known_code_points(s, len, r)) < 2 || n > 12)
		return 0;
	for (i = 0; i < n; i++)
		if (r[i] == 0x0110 || (r[i] >= 'A' && r[i] <= 'Z'))
			letters++;
		else if (!(r[i] >= '0' && r[i] <= '9'))
			return 0;
	for (i = 0; i < (int)len; i++)
		lower += s[i] >= 'a' && s[i] <= 'z';
	return letters >= 2 && lower <= 1;
}

void
known_learn_number(const char *number)
{
	const char *p, *sep;
	char *code;
	size_t len;

	if (number == NULL)
		return;
	len = strspn(number, "0123456789");
	if (len == 0 || number[len] != '/')
		return;
	for (p = number + len + 1; *p != '\0'; p = sep + (*sep != '\0')) {
		len = strcspn(p, "/-,");
		sep = p + len;
		/* A year, debris, or an agency known already.  A code
		 * known as a type only (GT, Giấy giới thiệu) is learned: a
		 * unit may be called so too, and must not become CT. */
		if (known_all_digits(p, len) || !known_code_shape(p, len) ||
		    known_exact(p, len))
			continue;
		code = xstrdup(p);
		code[len] = '\0';
		known_learn_agency(code);
		free(code);
	}
}

/*
 * The abbreviation of an office's name as Nghị định 30/2020 forms it: the
 * initials of its words in capitals (Đ kept), a word already in capitals
 * taken whole, up to the locality ("Ủy ban nhân dân phường Dịch Vọng
 * Hậu" -> UBND, "Sở Xây dựng" -> SXD).  Caller frees; NULL when none.
 */
char *
known_agency_abbr(const char *name)
{
	/* With their marks: "quận" ends the name, "quản" does not. */
	static const char *const places[] = {
		"phường", "xã", "quận", "huyện", "thị", "thành", "tỉnh", "tp",
		"tp.",
	};
	utf8proc_uint8_t *low;
	struct buf b;
	const utf8proc_uint8_t *p;
	utf8proc_int32_t cp;
	utf8proc_ssize_t n;
	char *f, *w, *save = NULL, *orig, *ow, *osave = NULL, *abbr = NULL;
	utf8proc_uint8_t enc[4];
	size_t i, k;
	int stop = 0, allcaps;

	if (name == NULL)
		return NULL;
	buf_init(&b, 64);
	orig = vntext_nfc(name, strlen(name));
	allcaps = known_mostly_upper(orig, strlen(orig));
	f = vntext_fold(orig);
	for (w = strtok_r(f, " ", &save), ow = strtok_r(orig, " ", &osave);
	    w != NULL && ow != NULL && !stop;
	    w = strtok_r(NULL, " ", &save), ow = strtok_r(NULL, " ", &osave)) {
		if (utf8proc_map((const utf8proc_uint8_t *)ow, 0, &low,
		    UTF8PROC_NULLTERM | UTF8PROC_STABLE | UTF8PROC_COMPOSE |
		    UTF8PROC_CASEFOLD) < 0)
			break;
		for (i = 0; i < sizeof places / sizeof places[0]; i++)
			if (strcmp((char *)low, places[i]) == 0)
				stop = 1;
		free(low);
		if (stop || !isalpha((unsigned char)w[0]))
			break;
		p = (const utf8proc_uint8_t *)ow;
		/* "UBND phường ...": a word in capitals among others is an
		 * abbreviation already; in a name all in capitals it is not. */
		if (!allcaps && known_mostly_upper(ow, strlen(ow)) &&
		    strlen(w) >= 2 && strlen(w) <= 8) {
			buf_append(&b, ow, strlen(ow));
			continue;
		}
		if ((n = utf8proc_iterate(p, -1, &cp)) <= 0)
			break;
		if (cp != 0x0110 && cp != 0x0111)
			cp = (utf8proc_int32_t)toupper((unsigned char)w[0]);
		else
			cp = 0x0110;
		k = (size_t)utf8proc_encode_char(cp, enc);
		buf_append(&b, enc, k);
	}
	if (b.data != NULL && b.len >= 2 && b.len <= KNOWN_CODEMAX)
		abbr = xstrdup(b.data);
	buf_free(&b);
	free(f);
	free(orig);
	return abbr;
}

void
known_learn_profile(const struct profile *pr)
{
	char *abbr;

	if (pr == NULL || (abbr = known_agency_abbr(pr->agency_name)) == NULL)
		return;
	known_learn_agency(abbr);
	free(abbr);
}

/* --- Family names ----------------------------------------------------- */

/*
 * The family names Vietnamese carry (a closed list: some hundred cover
 * nearly everyone), as written.  A name's first word that folds to
 * exactly one of them is that name: NGUYÊN and NGUYEN read for NGUYỄN,
 * KHÔNG for KHỔNG.  Where two share a folded form (Lư and Lữ, La and Lã,
 * Chu and Chử) the marks read are kept.
 */
static const char *const known_family[] = {
	"Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ",
	"Đặng", "Bùi", "Đỗ", "Hồ", "Ngô", "Dương", "Lý", "Đinh", "Trịnh",
	"Đào", "Mai", "Lưu", "Cao", "Tạ", "Hà", "Lâm", "Tô", "Chu", "Chử",
	"Triệu", "Quách", "Đoàn", "Thái", "Kiều", "Lương", "Tăng", "Vương",
	"Tôn", "Phùng", "Lục", "Châu", "Khúc", "Lại", "La", "Lã", "Đàm",
	"Giang", "Âu", "Mạc", "Thân", "Từ", "Nông", "Lò", "Hứa", "Thạch",
	"Tiêu", "Kim", "Nghiêm", "Ung", "Vi", "Điền", "Khổng", "Tống",
	"Diệp", "Hầu", "Bạch", "Trương", "Lư", "Lữ", "Nhữ", "Quan", "Tào",
	"Thiều", "Đồng", "Khương", "Mẫn", "Phí", "Sầm", "Yên",
};
#define KNOWN_NFAMILY	(sizeof known_family / sizeof known_family[0])

static char *known_family_fold[KNOWN_NFAMILY];

static void
known_family_init(void)
{
	size_t i;

	if (known_family_fold[0] != NULL)
		return;
	for (i = 0; i < KNOWN_NFAMILY; i++)
		known_family_fold[i] = vntext_fold(known_family[i]);
}

int
known_is_family_name(const char *word)
{
	char *f = vntext_fold(word);
	size_t i;
	int yes = 0;

	known_family_init();
	for (i = 0; i < KNOWN_NFAMILY && !yes; i++)
		yes = strcmp(f, known_family_fold[i]) == 0;
	free(f);
	return yes;
}

/* s in capitals, as utf8proc maps each letter.  Caller frees. */
static char *
known_upper(const char *s)
{
	const utf8proc_uint8_t *p = (const utf8proc_uint8_t *)s;
	utf8proc_int32_t cp;
	utf8proc_ssize_t n;
	char *out = xmalloc(4 * strlen(s) + 1);
	size_t o = 0;

	while (*p != '\0' && (n = utf8proc_iterate(p, -1, &cp)) > 0) {
		o += (size_t)utf8proc_encode_char(utf8proc_toupper(cp),
		    (utf8proc_uint8_t *)out + o);
		p += n;
	}
	out[o] = '\0';
	return out;
}

char *
known_family_name(const char *word)
{
	struct vntext_stats st;
	const char *only = NULL;
	char *f, *nfc, *r = NULL;
	size_t i;
	int n = 0;

	if (word == NULL || *word == '\0')
		return NULL;
	known_family_init();
	f = vntext_fold(word);
	for (i = 0; i < KNOWN_NFAMILY; i++)
		if (strcmp(f, known_family_fold[i]) == 0) {
			only = known_family[i];
			n++;
		}
	free(f);
	if (n != 1)
		return NULL;
	nfc = vntext_nfc(word, strlen(word));
	vntext_stats(nfc, strlen(nfc), &st);
	/* Written as the name is, in capitals or with a capital first. */
	if (st.words == 1 && st.upper == st.letters && st.letters > 1)
		r = known_upper(only);
	else if (st.words == 1 && st.upper == 1)
		r = xstrdup(only);
	if (r != NULL && strcmp(r, nfc) == 0) {
		free(r);
		r = NULL;
	}
	free(nfc);
	return r;
}
