/*
 * test_index.c: what a clerk notices about search: a table of queries and
 * the documents each must find, best first: words with or without
 * diacritics, in NFD, in capitals, đ typed as d, a word typed with its
 * diacritics ranked above its look-alikes ("Đức" above "Dục", "Hòa" equal
 * to "Hoà"), identifiers whole and in parts, prefixes, phrases, every
 * filter, and queries that must get a plain error and never break the
 * search.  Then what auditors and staff notice: the access log, the
 * corrections, a reindex that keeps them, and an older database brought
 * up to date.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "sohoa.h"
#include "testlib.h"

/* The documents every test starts with, by source name. */
struct doc_spec {
	const char	*source;
	const char	*text;		/* NULL: a duplicate of the first */
	const char	*doc_type;
	const char	*doc_number;
	const char	*issued_on;
	const char	*level;
	const char	*agency_code;
	const char	*person;
	const char	*id_number;
	const char	*dossier;
};

static const struct doc_spec docs[] = {
	{ "birth.tif", "TRÍCH LỤC KHAI SINH\n"
	    "Họ, chữ đệm, tên: NGUYỄN THỊ THU HƯỜNG\n"
	    "Số định danh cá nhân: 001323012345\n",
	    "TRÍCH LỤC KHAI SINH", "1245/TLKS-BS", "2024-03-15", "commune",
	    "000.11.30.H26", "NGUYỄN THỊ THU HƯỜNG", "001323012345", NULL },
	{ "decision.tif", "QUYẾT ĐỊNH\n"
	    "Về việc cấp phép xây dựng nhà ở riêng lẻ\n",
	    "QUYẾT ĐỊNH", "2087/QĐ-UBND", "2024-03-20", "district",
	    "000.00.11.H26", NULL, NULL, "000.23.11.H26-240315-0017" },
	{ "shop.tif", "GIẤY CHỨNG NHẬN ĐĂNG KÝ HỘ KINH DOANH\n"
	    "Họ và tên: ĐẶNG VĂN ĐỨC\nSố CMND: 013456789\n"
	    "Ngành, nghề kinh doanh: bán lẻ đồ điện gia dụng, sửa chữa máy "
	    "móc thiết bị; vốn kinh doanh năm trăm triệu đồng\n",
	    "GIẤY CHỨNG NHẬN ĐĂNG KÝ HỘ KINH DOANH", NULL, "2023-06-05",
	    "district", "000.00.12.H26", "ĐẶNG VĂN ĐỨC", "013456789", NULL },
	/* "dục" five times: bm25 alone would put it first even for "Đức". */
	{ "school.tif", "Sở Giáo dục khen thưởng Đặng Văn Dục, giáo viên "
	    "thể dục, tổ giáo dục thể chất, phòng giáo dục\n", "QUYẾT ĐỊNH",
	    "15/QĐ-SGDĐT",
	    "2023-01-10", "city", "000.00.00.H26", "Đặng Văn Dục", NULL,
	    NULL },
	/* "Đức" is a common name: its exact form weighs little in bm25. */
	{ "shop-2.tif", "Hộ kinh doanh Minh Đức, chủ hộ Lê Minh Đức\n",
	    NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL },
	/* Long, with Đức once: bm25 alone ranks it below the "dục" text. */
	{ "shop-3.tif", "Tên hộ kinh doanh: Cửa hàng vật liệu xây dựng Thành "
	    "Đức\nĐịa chỉ: số 45 đường Hoàng Quốc Việt, phường Cổ Nhuế 1, quận Bắc "
	    "Từ Liêm, thành phố Hà Nội\nNgành, nghề kinh doanh: bán buôn, bán "
	    "lẻ vật liệu xây dựng, gạch, ngói, xi măng, cát, sỏi, sắt thép, "
	    "thiết bị lắp đặt khác trong xây dựng\nVốn kinh doanh: một tỷ "
	    "hai trăm triệu đồng\nSố lao động: mười hai người\nNgười đại "
	    "diện hộ kinh doanh là chủ hộ, cư trú tại địa chỉ trên, đã nộp đủ "
	    "hồ sơ theo quy định của pháp luật\n",
	    NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL },
	/* Old tone placement ("Hoà", "Thuỷ") against the new and plain. */
	{ "permit-old.tif", "GIẤY PHÉP XÂY DỰNG\nCấp cho bà Lê Thị Hoà, "
	    "con bà Phạm Thị Thuỷ\n", "GIẤY PHÉP XÂY DỰNG", "356/GPXD",
	    "2023-11-08", "city", "000.00.00.H26", NULL, NULL, NULL },
	{ "permit-plain.tif", "GIẤY PHÉP SỬA CHỮA\nCấp cho bà Lê Thị Hoa, "
	    "con bà Phạm Thị Thúy, nhà ở phường Láng Hạ đã được sửa chữa, "
	    "cải tạo và mở rộng\n", "GIẤY PHÉP SỬA CHỮA", "357/GPXD",
	    "2023-11-09", "city", "000.00.00.H26", NULL, NULL, NULL },
};
#define NDOCS (sizeof docs / sizeof docs[0])
/* Minutes of meetings, found by none of the queries: with them, words are
 * as rare as in a real index, and bm25 weighs them as it would there. */
#define NFILL 40

struct fixture {
	char	*dir;
	char	*db;
	struct index *ix;
	int64_t	 id[NDOCS];
};

/* [s], or [] when s is NULL: a record's lists hold strings only. */
static json_t *
spec_list(const char *s)
{
	return s != NULL ? json_pack("[s]", s) : json_array();
}

static json_t *
spec_json(const struct doc_spec *s)
{
	return json_pack("{s:s, s:s, s:i, s:f, s:s, s:s?, s:s?, s:s?, s:s?, "
	    "s:s?, s:s?, s:o, s:o, s:s?, s:s}", "source_name", s->source,
	    "sha256", s->source, "pages", 1, "ocr_confidence", 90.0, "profile",
	    "test", "agency_code", s->agency_code, "level", s->level,
	    "doc_type", s->doc_type, "doc_number", s->doc_number, "issued_on",
	    s->issued_on, "agency_name", NULL, "people", spec_list(s->person),
	    "id_numbers", spec_list(s->id_number), "dossier_code", s->dossier,
	    "ingested_at", "2026-11-22T10:00:00+07:00");
}

static int
setup(void **state)
{
	struct fixture *f = calloc(1, sizeof *f);
	size_t i;

	f->dir = testlib_tmpdir("test_index");
	f->db = xasprintf("%s/sohoa.db", f->dir);
	f->ix = testlib_index(f->dir, "sohoa");
	for (i = 0; i < NDOCS; i++)
		f->id[i] = testlib_store(f->ix, spec_json(&docs[i]),
		    docs[i].text);
	for (i = 0; i < NFILL; i++) {
		char name[32], *text;

		snprintf(name, sizeof name, "minutes-%zu.tif", i);
		text = xasprintf("Biên bản họp tổ dân phố số %zu về vệ sinh môi "
		    "trường", i + 1);
		testlib_store(f->ix, json_pack("{s:s, s:s, s:i, s:[], s:[], "
		    "s:s}", "source_name", name, "sha256", name, "pages", 1,
		    "people", "id_numbers", "ingested_at",
		    "2026-11-22T10:00:00+07:00"), text);
		free(text);
	}
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;

	index_close(f->ix);
	assert_int_equal(testlib_rmdir(f->dir), 0);
	free(f->dir);
	free(f->db);
	free(f);
	return 0;
}

/* The source names found, best first, joined by spaces; "ERROR: why"
 * when the search fails.  Caller frees. */
static char *
found(struct index *ix, const char *q, const struct search_filter *flt)
{
	char err[ERRMAX];
	json_t *r = search_find(ix, q, flt, 20, err), *d;
	struct buf b;
	size_t i;

	if (r == NULL)
		return xasprintf("ERROR: %s", err);
	buf_init(&b, 1 << 16);
	buf_append(&b, "", 0);
	json_array_foreach(r, i, d)
		buf_printf(&b, "%s%s", i ? " " : "",
		    json_string_value(json_object_get(d, "source_name")));
	json_decref(r);
	return b.data;
}

struct search_case {
	const char	*what;
	const char	*query;
	struct search_filter filter;
	const char	*want;		/* source names, best first: groups
					 * in order, split by '|', each in
					 * any order */
};

#define NFD_NGUYEN "Nguye\xcc\x82\xcc\x83n Thi\xcc\xa3 Thu Hu\xcc\x9bo\xcc\x9b\xcc\x80ng"

static const struct search_case cases[] = {
	/* Vietnamese folding, the same on both sides. */
	{ "a name with diacritics", "Nguyễn Thị Thu Hường", {0}, "birth.tif" },
	{ "the name without diacritics", "nguyen thi thu huong", {0},
	    "birth.tif" },
	{ "the name in capitals", "NGUYEN THI THU HUONG", {0}, "birth.tif" },
	{ "the name in NFD", NFD_NGUYEN, {0}, "birth.tif" },
	{ "đ typed as d", "dang ky", {0}, "shop.tif" },
	{ "đ typed as d, in a name", "dang van duc", {0},
	    "shop.tif school.tif" },
	{ "Đ typed with its stroke", "ĐĂNG KÝ", {0}, "shop.tif" },
	/* A word typed with diacritics: exact matches first. */
	{ "Đức ranks above Dục", "Đặng Văn Đức", {0},
	    "shop.tif | school.tif" },
	{ "Đức alone: every Đức above the text full of dục", "Đức", {0},
	    "shop.tif shop-2.tif shop-3.tif | school.tif" },
	{ "Dục ranks above Đức", "Đặng Văn Dục", {0},
	    "school.tif | shop.tif" },
	{ "lower case and diacritics: Đức first still", "văn đức", {0},
	    "shop.tif | school.tif" },
	{ "Hòa (new tone placement) finds Hoà first", "Lê Thị Hòa", {0},
	    "permit-old.tif | permit-plain.tif" },
	{ "Hoà (old tone placement) finds Hoà first", "Hoà", {0},
	    "permit-old.tif | permit-plain.tif" },
	{ "Thủy finds Thuỷ before Thúy", "Thủy", {0},
	    "permit-old.tif | permit-plain.tif" },
	{ "Thúy finds Thúy before Thuỷ", "Thúy", {0},
	    "permit-plain.tif | permit-old.tif" },
	{ "a word typed plain in a query with diacritics counts",
	    "Lê Thị Hoa", {0}, "permit-plain.tif | permit-old.tif" },
	{ "typed without diacritics, both are found", "le thi hoa", {0},
	    "permit-old.tif permit-plain.tif" },
	/* Identifiers, whole and in parts. */
	{ "a document number whole", "2087/QĐ-UBND", {0}, "decision.tif" },
	{ "a document number without đ", "2087/QD-UBND", {0},
	    "decision.tif" },
	{ "a document number in lower case", "2087/qđ-ubnd", {0},
	    "decision.tif" },
	{ "a document number's sequence", "2087", {0}, "decision.tif" },
	{ "a document number's type and body", "QĐ-UBND", {0},
	    "decision.tif" },
	{ "a document number that is not there", "9999/QĐ-UBND", {0}, "" },
	{ "a dossier code whole", "000.23.11.H26-240315-0017", {0},
	    "decision.tif" },
	{ "a dossier code's date and sequence", "240315-0017", {0},
	    "decision.tif" },
	{ "a 12-digit personal ID number", "001323012345", {0}, "birth.tif" },
	{ "the ID number typed in two groups", "001323 012345", {0},
	    "birth.tif" },
	{ "a 9-digit old ID number", "013456789", {0}, "shop.tif" },
	{ "part of an ID number is not a match", "001323", {0}, "" },
	/* Prefixes and phrases. */
	{ "a prefix", "huon*", {0}, "birth.tif" },
	{ "a prefix with diacritics", "Hườ*", {0}, "birth.tif" },
	{ "a prefix of an identifier", "1245/TLK*", {0}, "birth.tif" },
	{ "a phrase", "\"thu huong\"", {0}, "birth.tif" },
	{ "a phrase in the wrong order", "\"huong thu\"", {0}, "" },
	{ "a phrase with a prefix", "\"thu hườ\"*", {0}, "birth.tif" },
	{ "a phrase and a word", "\"xay dung\" nha", {0}, "decision.tif" },
	{ "a phrase of three words", "\"thi thu huong\"", {0}, "birth.tif" },
	{ "a phrase of three words with a prefix", "\"thi thu hu\"*", {0},
	    "birth.tif" },
	{ "a phrase of one word", "\"huong\"", {0}, "birth.tif" },
	{ "a phrase over a line break", "\"huong so dinh\"", {0},
	    "birth.tif" },
	{ "a phrase from the text into the fields is not a match",
	    "\"012345 1245\"", {0}, "" },
	{ "a phrase with a word too long to be paired", "\"thu "
	    "huonggggggggggggggggggggggggggggggggggggggggggggggggggggggggggggg"
	    "gggggggggggggggggggggggggggggggggggggggggggggggggggggggggggggggg"
	    "gggggggggggggggggggggggggggggggggggggggggggggggggggggggggggggggg"
	    "gggggggggggggggggggggggggggggggggggggggggggggggggggggggggggggggg"
	    "\"", {0}, "" },
	{ "a phrase typed with diacritics", "\"Thu Hường\"", {0},
	    "birth.tif" },
	/* Filters, with and without words. */
	{ "--level with words", "quyet dinh", { .level = "city" },
	    "school.tif" },
	{ "--level alone lists newest first", NULL, { .level = "district" },
	    "shop.tif | decision.tif" },
	{ "--agency", NULL, { .agency_code = "000.00.12.h26" }, "shop.tif" },
	{ "--type, folded", NULL, { .doc_type = "quyet dinh" },
	    "school.tif | decision.tif" },
	{ "--type, whole words only", NULL, { .doc_type = "giay phep xay" },
	    "permit-old.tif" },
	{ "--type with marks and other case", "Lê", { .doc_type = "Giấy "
	    "phép" }, "permit-old.tif permit-plain.tif" },
	{ "--from and --to", NULL, { .from = "2024-01-01",
	    .to = "2024-03-15" }, "birth.tif" },
	{ "--from alone", NULL, { .from = "2024-03-16" }, "decision.tif" },
	{ "--to alone", NULL, { .to = "2023-01-10" }, "school.tif" },
	{ "--person-id alone", NULL, { .person_id = "001323012345" },
	    "birth.tif" },
	{ "--person-id with a space", NULL, { .person_id = "013 456 789" },
	    "shop.tif" },
	{ "--person-id and words that are not there", "quyet dinh",
	    { .person_id = "001323012345" }, "" },
	{ "--dossier in lower case", NULL,
	    { .dossier_code = "000.23.11.h26-240315-0017" }, "decision.tif" },
	{ "--dossier that no document has", NULL,
	    { .dossier_code = "000.23.11.H26-240315-0018" }, "" },
	{ "filters together", "dang", { .level = "city", .from = "2023-01-01",
	    .to = "2023-12-31", .doc_type = "quyết định" }, "school.tif" },
	{ "a name, a level and a date range", "Lê Thị Hòa", { .level = "city",
	    .from = "2023-11-09" }, "permit-plain.tif" },
	/* Plain errors, never FTS5's. */
	{ "an unclosed quotation mark", "\"thu huong", {0},
	    "ERROR: a quotation mark (\") is not closed; put a phrase between "
	    "two, as in \"thu huong\"" },
	{ "a * inside a word", "hu*ng", {0}, "ERROR: a * stands for the rest "
	    "of a word and must end it, as in huon*" },
	{ "punctuation only", "  -  ", {0}, "ERROR: the query has no letters "
	    "or digits to search for" },
	{ "a lone *", "*", {0}, "ERROR: the query has no letters or digits "
	    "to search for" },
	{ "nothing at all", "", {0}, "ERROR: give words to search for, a "
	    "filter, or both" },
	{ "a level that does not exist", "huong", { .level = "province" },
	    "ERROR: the level is city, district or commune, not 'province'" },
	{ "a date that does not exist", NULL, { .from = "2024-02-30" },
	    "ERROR: --from '2024-02-30' " DATE_NOT },
	{ "a date range backwards", NULL, { .from = "2024-03-15",
	    .to = "2024-03-14" }, "ERROR: the date range ends (2024-03-14) "
	    "before it starts (2024-03-15)" },
	{ "an ID number too short", NULL, { .person_id = "12345" },
	    "ERROR: '12345' is not a personal ID number (" UTIL_ID_RULE ")" },
	{ "an agency code with a space", NULL, { .agency_code = "000 11" },
	    "ERROR: an agency code is letters, digits and dots, such as "
	    "000.00.11.H26, not '000 11'" },
	{ "FTS5 operators are words", "AND", {0}, "" },
	{ "FTS5 syntax is words", "NEAR(xay dung", {0}, "" },
	{ "a column filter is words", "fields:huong", {0}, "" },
};

/*
 * s with the words of each group (split by '|') sorted, and the groups
 * split by " | ": results whose order within a group does not matter.
 * Caller frees.
 */
static char *
grouped(const char *s)
{
	char *copy = xstrdup(s), *gsave, *save, *g, *w, *words[64];
	size_t n, i, j, ngroups = 0;
	struct buf b;

	buf_init(&b, 1 << 16);
	buf_append(&b, "", 0);
	for (g = strtok_r(copy, "|", &gsave); g != NULL;
	    g = strtok_r(NULL, "|", &gsave)) {
		n = 0;
		for (w = strtok_r(g, " ", &save); w != NULL && n < 64;
		    w = strtok_r(NULL, " ", &save))
			words[n++] = w;
		for (i = 1; i < n; i++)
			for (j = i; j > 0 && strcmp(words[j - 1], words[j]) > 0;
			    j--) {
				w = words[j];
				words[j] = words[j - 1];
				words[j - 1] = w;
			}
		buf_printf(&b, "%s", ngroups++ ? " | " : "");
		for (i = 0; i < n; i++)
			buf_printf(&b, "%s%s", i ? " " : "", words[i]);
	}
	free(copy);
	return b.data;
}

/* The results cut into groups the sizes of want's.  Caller frees. */
static char *
as_groups(const char *got, const char *want)
{
	char *g = xstrdup(got), *save, *w, *r;
	const char *p;
	struct buf b;
	size_t left;

	buf_init(&b, 1 << 16);
	buf_append(&b, "", 0);
	w = strtok_r(g, " ", &save);
	for (p = want; w != NULL; ) {
		/* Words in this group of want. */
		for (left = 0; *p != '\0' && *p != '|'; p++)
			if (*p != ' ' && (p == want || p[-1] == ' ' ||
			    p[-1] == '|'))
				left++;
		if (*p == '|')
			p++;
		if (left == 0)		/* results beyond want: the rest */
			left = SIZE_MAX;
		for (; w != NULL && left > 0; left--) {
			buf_printf(&b, "%s ", w);
			w = strtok_r(NULL, " ", &save);
		}
		if (w != NULL)
			buf_append(&b, "| ", 2);
	}
	free(g);
	r = grouped(b.data);
	buf_free(&b);
	return r;
}

static void
test_search_table(void **state)
{
	struct fixture *f = *state;
	char *got, *a, *b;
	size_t i;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		got = found(f->ix, cases[i].query, &cases[i].filter);
		if (strncmp(got, "ERROR", 5) == 0) {
			a = xstrdup(got);
			b = xstrdup(cases[i].want);
		} else {
			a = as_groups(got, cases[i].want);
			b = grouped(cases[i].want);
		}
		if (strcmp(a, b) != 0)
			fail_msg("%s: \"%s\" found \"%s\", expected \"%s\"",
			    cases[i].what, cases[i].query ? cases[i].query : "",
			    got, cases[i].want);
		free(a);
		free(b);
		free(got);
	}
}

/* Queries a clerk may type by mistake, or that FTS5 would read as its own
 * syntax: each gets a plain error that says what to type instead, or the
 * answer its words give as words (FTS5's operators, column filters and
 * controls are no syntax to sohoa), never an FTS5 error or a crash. */
static void
test_bad_queries_never_break(void **state)
{
#define NO_WORDS "ERROR: the query has no letters or digits to search for"
#define OPEN_QUOTE "ERROR: a quotation mark (\") is not closed; put a " \
	    "phrase between two, as in \"thu huong\""
#define BAD_STAR "ERROR: a * stands for the rest of a word and must end " \
	    "it, as in huon*"
	static const struct {
		const char	*query;
		const char	*want;	/* found()'s answer */
		const char	*same_as; /* or the answer to this query */
	} bad[] = {
		{ "\"", OPEN_QUOTE, NULL },
		{ "\"unterminated", OPEN_QUOTE, NULL },
		{ "*", NO_WORDS, NULL },
		{ "^", NO_WORDS, NULL },
		{ "-", NO_WORDS, NULL },
		{ "'", NO_WORDS, NULL },
		{ "(", NO_WORDS, NULL },
		{ ")", NO_WORDS, NULL },
		{ "+", NO_WORDS, NULL },
		{ "\"\"", NO_WORDS, NULL },
		{ "\"\"*", NO_WORDS, NULL },
		{ "\xff\xfe", NO_WORDS, NULL },
		{ "\xcc\x80", NO_WORDS, NULL },	/* a combining mark alone */
		{ "**", BAD_STAR, NULL },
		{ "huong**", BAD_STAR, NULL },
		/* FTS5's operators and column filters are words here, and
		 * no page has them. */
		{ "AND", "", NULL },
		{ "OR (", "", NULL },
		{ "NEAR(a b", "", NULL },
		{ "NOT huong", "", NULL },
		{ "huong NOT", "", NULL },
		{ "a:b", "", NULL },
		{ "col:", "", NULL },
		{ "{body}: huong", "", NULL },
		{ "\"a\"\"b\"", "", NULL },
		/* A control character is no part of a word. */
		{ "huong\x01", "birth.tif", NULL },
		{ "\x01Đức", NULL, "Đức" },
		/* A combining mark after a letter belongs to it. */
		{ "Đ\xcc\x80*", NULL, "Đ*" },
	};
	struct fixture *f = *state;
	char *got, *want;
	size_t i;

	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		got = found(f->ix, bad[i].query, NULL);
		want = bad[i].want ? xstrdup(bad[i].want) :
		    found(f->ix, bad[i].same_as, NULL);
		if (strcmp(got, want) != 0)
			fail_msg("'%s': got \"%s\", want \"%s\"", bad[i].query,
			    got, want);
		free(got);
		free(want);
	}
#undef NO_WORDS
#undef OPEN_QUOTE
#undef BAD_STAR
}

static void
test_duplicates_not_searched_but_listed(void **state)
{
	struct fixture *f = *state;
	json_t *l, *doc;
	int64_t dup;
	char *got;

	doc = spec_json(&docs[0]);
	json_object_set_new(doc, "source_name", json_string("birth-copy.tif"));
	json_object_set_new(doc, "duplicate_of", json_integer(f->id[0]));
	dup = testlib_store(f->ix, doc, NULL);
	got = found(f->ix, "huong", NULL);
	assert_string_equal(got, "birth.tif");
	free(got);
	/* Nor listed by filters alone. */
	got = found(f->ix, NULL, &(struct search_filter){ .level = "commune" });
	assert_string_equal(got, "birth.tif");
	free(got);
	assert_int_equal(store_find_sha256(f->ix, "birth.tif"), f->id[0]);
	l = store_list(f->ix, 1000);
	assert_int_equal(json_array_size(l), NDOCS + NFILL + 1);
	/* Newest first. */
	assert_int_equal(json_integer_value(json_object_get(json_array_get(l, 0),
	    "id")), dup);
	json_decref(l);
}

static void
test_record_has_contract_fields(void **state)
{
	static const char *keys[] = { "id", "source_name", "sha256", "pages",
	    "ocr_confidence", "profile", "agency_code", "agency_name", "level",
	    "doc_type", "doc_number", "issued_on", "people", "id_numbers",
	    "dossier_code", "archive", "ingested_at", "duplicate_of", NULL };
	struct fixture *f = *state;
	json_t *d = store_get(f->ix, f->id[1]);
	int i;

	assert_non_null(d);
	for (i = 0; keys[i] != NULL; i++)
		assert_non_null(json_object_get(d, keys[i]));
	assert_true(json_is_null(json_object_get(d, "agency_name")));
	assert_true(json_is_null(json_object_get(d, "duplicate_of")));
	assert_true(json_is_array(json_object_get(d, "people")));
	assert_string_equal(json_string_value(json_object_get(d,
	    "dossier_code")), "000.23.11.H26-240315-0017");
	json_decref(d);
	assert_null(store_get(f->ix, 999));
}

static void
test_snippet_and_score(void **state)
{
	struct fixture *f = *state;
	char err[ERRMAX];
	json_t *r = search_find(f->ix, "xay dung nha", NULL, 10, err), *d;
	const char *s;

	assert_int_equal(json_array_size(r), 1);
	s = json_string_value(json_object_get(json_array_get(r, 0), "snippet"));
	assert_non_null(s);
	assert_non_null(strstr(s, "[xây]"));
	assert_true(json_real_value(json_object_get(json_array_get(r, 0),
	    "score")) > 0);
	json_decref(r);
	/* Exact words come first in the score too: one per word. */
	r = search_find(f->ix, "Đặng Văn Đức", NULL, 10, err);
	d = json_array_get(r, 0);
	assert_true(json_real_value(json_object_get(d, "score")) >= 3);
	assert_true(json_real_value(json_object_get(json_array_get(r, 1),
	    "score")) < 3);
	assert_non_null(strstr(json_string_value(json_object_get(d,
	    "snippet")), "[ĐỨC]"));
	json_decref(r);
	/* Filters alone: no score, no snippet. */
	r = search_find(f->ix, NULL, &(struct search_filter){ .level = "city" },
	    10, err);
	assert_int_equal(json_array_size(r), 3);
	assert_true(json_is_null(json_object_get(json_array_get(r, 0),
	    "score")));
	assert_true(json_is_null(json_object_get(json_array_get(r, 0),
	    "snippet")));
	json_decref(r);
}

static void
test_limit(void **state)
{
	struct fixture *f = *state;
	char err[ERRMAX];
	json_t *r;

	r = search_find(f->ix, "giay", NULL, 1, err);
	assert_int_equal(json_array_size(r), 1);
	json_decref(r);
	r = search_find(f->ix, NULL, &(struct search_filter){ .level = "city" },
	    2, err);
	assert_int_equal(json_array_size(r), 2);
	json_decref(r);
}

static void
test_access_log(void **state)
{
	struct fixture *f = *state;
	struct search_filter flt = { .level = "commune", .person_id =
	    "001323012345" };
	char err[ERRMAX];
	json_t *log, *e;

	setenv("SUDO_USER", "lan.nguyen", 1);
	assert_int_equal(accesslog_search(f->ix, "Nguyễn Thị Thu Hường", &flt,
	    1, err), 0);
	unsetenv("SUDO_USER");
	assert_int_equal(accesslog_get(f->ix, f->id[0], "pdf", err), 0);
	log = accesslog_newest(f->ix, 10);
	assert_int_equal(json_array_size(log), 2);
	/* Newest first: the get, then the search. */
	e = json_array_get(log, 0);
	assert_string_equal(json_string_value(json_object_get(e, "action")),
	    "get");
	assert_int_equal(json_integer_value(json_object_get(e, "document")),
	    f->id[0]);
	assert_string_equal(json_string_value(json_object_get(e, "taken")),
	    "pdf");
	if (geteuid() == 0)
		assert_string_equal(json_string_value(json_object_get(e, "who")),
		    "root");
	e = json_array_get(log, 1);
	assert_string_equal(json_string_value(json_object_get(e, "action")),
	    "search");
	assert_string_equal(json_string_value(json_object_get(e, "query")),
	    "Nguyễn Thị Thu Hường");
	assert_string_equal(json_string_value(json_object_get(json_object_get(e,
	    "filters"), "person_id")), "001323012345");
	assert_string_equal(json_string_value(json_object_get(json_object_get(e,
	    "filters"), "level")), "commune");
	assert_int_equal(json_integer_value(json_object_get(e, "results")), 1);
	assert_non_null(json_string_value(json_object_get(e, "at")));
	if (geteuid() == 0)
		assert_string_equal(json_string_value(json_object_get(e, "who")),
		    "lan.nguyen");
	json_decref(log);
	log = accesslog_newest(f->ix, 1);
	assert_int_equal(json_array_size(log), 1);
	json_decref(log);
}

static void
test_correction_is_searched(void **state)
{
	struct fixture *f = *state;
	const char *fields[] = { "doc_number", "people", "issued_on" };
	json_t *values[3], *changed, *c, *d;
	char err[ERRMAX], *got;

	values[0] = json_string("2088/QĐ-UBND");
	values[1] = json_pack("[s]", "Phạm Thị Quỳnh");
	values[2] = json_string("2024-03-20");	/* unchanged: not recorded */
	assert_int_equal(correct_apply(f->ix, f->id[1], 3, fields, values,
	    &changed, err), 0);
	assert_int_equal(json_array_size(changed), 2);
	json_decref(changed);
	got = found(f->ix, "2088/QĐ-UBND", NULL);
	assert_string_equal(got, "decision.tif");
	free(got);
	got = found(f->ix, "2087/QĐ-UBND", NULL);
	assert_string_equal(got, "");
	free(got);
	got = found(f->ix, "pham thi quynh", NULL);
	assert_string_equal(got, "decision.tif");
	free(got);
	d = store_get(f->ix, f->id[1]);
	assert_string_equal(json_string_value(json_object_get(d, "doc_number")),
	    "2088/QĐ-UBND");
	json_decref(d);
	c = correct_history(f->ix, f->id[1]);
	assert_int_equal(json_array_size(c), 2);
	assert_string_equal(json_string_value(json_object_get(json_array_get(c,
	    0), "field")), "doc_number");
	assert_string_equal(json_string_value(json_object_get(json_array_get(c,
	    0), "old")), "2087/QĐ-UBND");
	assert_string_equal(json_string_value(json_object_get(json_array_get(c,
	    0), "new")), "2088/QĐ-UBND");
	assert_true(json_is_array(json_object_get(json_array_get(c, 1),
	    "old")));
	json_decref(c);
	json_decref(values[0]);
	json_decref(values[1]);
	json_decref(values[2]);
	/* Not a field staff may correct; no such document. */
	values[0] = json_string("x");
	fields[0] = "sha256";
	assert_int_equal(correct_apply(f->ix, f->id[1], 1, fields, values,
	    &changed, err), -1);
	fields[0] = "doc_type";
	assert_int_equal(correct_apply(f->ix, 999, 1, fields, values,
	    &changed, err), -1);
	assert_non_null(strstr(err, "no document #999"));
	json_decref(values[0]);
}

/* reindex's reread for the tests: "extracts" a new doc_number off every
 * document but the birth extract, whose package "cannot be read". */
static int
reread_stub(const struct document *doc, char **text, json_t **fields,
    void *arg)
{
	const char *src = doc->source_name;
	int *calls = arg;

	(*calls)++;
	if (strcmp(src, "birth.tif") == 0)
		return -1;
	*text = xasprintf("Văn bản đọc lại từ gói lưu trữ: %s", src);
	*fields = json_pack("{s:s, s:s}", "doc_number", "1/REREAD",
	    "sha256", "must not be copied");
	return 0;
}

static void
test_reindex_keeps_corrections(void **state)
{
	struct fixture *f = *state;
	struct correct_reindex_stats st;
	const char *fields[] = { "doc_number" };
	json_t *values[1], *changed, *d;
	char err[ERRMAX], *got;
	int calls = 0;

	values[0] = json_string("2088/QĐ-UBND");
	assert_int_equal(correct_apply(f->ix, f->id[1], 1, fields, values,
	    &changed, err), 0);
	json_decref(changed);
	json_decref(values[0]);
	assert_int_equal(correct_rebuild(f->ix, reread_stub, &calls, &st, err),
	    0);
	assert_int_equal(calls, NDOCS + NFILL);
	assert_int_equal(st.documents, NDOCS + NFILL);
	assert_int_equal(st.reread, NDOCS + NFILL - 1);
	assert_int_equal(st.kept, 1);
	assert_int_equal(st.failed, 0);
	assert_int_equal(st.corrections, 1);
	/* The correction wins over the field read again... */
	d = store_get(f->ix, f->id[1]);
	assert_string_equal(json_string_value(json_object_get(d, "doc_number")),
	    "2088/QĐ-UBND");
	json_decref(d);
	d = store_get(f->ix, f->id[2]);
	assert_string_equal(json_string_value(json_object_get(d, "doc_number")),
	    "1/REREAD");
	assert_string_equal(json_string_value(json_object_get(d, "sha256")),
	    "shop.tif");
	json_decref(d);
	/* ... the new text is searched, the unreadable one kept its text. */
	got = found(f->ix, "goi luu tru", NULL);
	assert_int_equal(strlen(got) > 0, 1);
	assert_null(strstr(got, "birth.tif"));
	free(got);
	got = found(f->ix, "2088/QĐ-UBND", NULL);
	assert_string_equal(got, "decision.tif");
	free(got);
	got = found(f->ix, "Nguyễn Thị Thu Hường", NULL);
	assert_string_equal(got, "birth.tif");
	free(got);
	got = found(f->ix, "xay dung nha", NULL);
	assert_string_equal(got, "");
	free(got);
	/* And the new full text is whole. */
	assert_int_equal(db_exec(index_db(f->ix), "INSERT INTO "
	    "documents_fts(documents_fts, rank) VALUES ('integrity-check', 1)",
	    NULL), 0);
}

/*
 * A database from before exact twins (user_version 1, and no
 * schema_versions: db.c did not keep them yet): its full text was made by
 * a tokenizer without them.  Opening it re-tokenizes: the ranking
 * by diacritics works and FTS5 finds its index whole.
 */
static void
test_upgrade_from_version_1(void **state)
{
	struct fixture *f = *state;
	fts5_tokenizer plain;
	sqlite3_stmt *st;
	fts5_api *api = NULL;
	sqlite3 *db;
	void *uctx;
	char err[ERRMAX], *got;

	index_close(f->ix);
	f->ix = NULL;
	assert_int_equal(sqlite3_open(f->db, &db), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, "SELECT fts5(?1)", -1, &st,
	    NULL), SQLITE_OK);
	sqlite3_bind_pointer(st, 1, &api, "fts5_api_ptr", NULL);
	sqlite3_step(st);
	sqlite3_finalize(st);
	assert_non_null(api);
	assert_int_equal(api->xFindTokenizer(api, "unicode61", &uctx, &plain),
	    SQLITE_OK);
	assert_int_equal(api->xCreateTokenizer(api, "sohoa", uctx, &plain,
	    NULL), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "INSERT INTO documents_fts"
	    "(documents_fts) VALUES ('rebuild'); DELETE FROM names; "
	    "DROP TABLE schema_versions; PRAGMA user_version = 1", NULL, NULL,
	    NULL), SQLITE_OK);
	sqlite3_close(db);

	f->ix = index_open(f->db, err);
	assert_non_null(f->ix);
	got = found(f->ix, "Đặng Văn Đức", NULL);
	assert_string_equal(got, "shop.tif school.tif");
	free(got);
	assert_int_equal(db_exec(index_db(f->ix), "INSERT INTO "
	    "documents_fts(documents_fts, rank) VALUES ('integrity-check', 1)",
	    NULL), 0);
	/* The names are read off the records again. */
	assert_int_equal(db_int(index_db(f->ix), "SELECT count(*) FROM names "
	    "WHERE name = 'thu huong'", -1), 1);
}

/*
 * A database of version 2, whose full text has no pairs of words, is
 * re-tokenized when it is opened: a phrase, asked for by its pairs, finds
 * its documents again.  (A plain unicode61 "sohoa" makes the old full
 * text: without pairs, as version 2 had it.)
 */
static void
test_upgrade_from_version_2(void **state)
{
	struct fixture *f = *state;
	fts5_tokenizer plain;
	sqlite3_stmt *st;
	fts5_api *api = NULL;
	sqlite3 *db;
	void *uctx;
	char err[ERRMAX], *got;

	index_close(f->ix);
	f->ix = NULL;
	assert_int_equal(sqlite3_open(f->db, &db), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, "SELECT fts5(?1)", -1, &st,
	    NULL), SQLITE_OK);
	sqlite3_bind_pointer(st, 1, &api, "fts5_api_ptr", NULL);
	sqlite3_step(st);
	sqlite3_finalize(st);
	assert_non_null(api);
	assert_int_equal(api->xFindTokenizer(api, "unicode61", &uctx, &plain),
	    SQLITE_OK);
	assert_int_equal(api->xCreateTokenizer(api, "sohoa", uctx, &plain,
	    NULL), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "INSERT INTO documents_fts"
	    "(documents_fts) VALUES ('rebuild'); UPDATE schema_versions "
	    "SET version = 2 WHERE module = 'index'; PRAGMA user_version = 2",
	    NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);

	f->ix = index_open(f->db, err);
	assert_non_null(f->ix);
	got = found(f->ix, "\"thu huong\"", NULL);
	assert_string_equal(got, "birth.tif");
	free(got);
	got = found(f->ix, "\"dang ky\"", NULL);
	assert_string_equal(got, "shop.tif");
	free(got);
	assert_int_equal(db_exec(index_db(f->ix), "INSERT INTO "
	    "documents_fts(documents_fts, rank) VALUES ('integrity-check', 1)",
	    NULL), 0);
	assert_int_equal(db_int(index_db(f->ix), "SELECT version FROM "
	    "schema_versions WHERE module = 'index'", -1), 4);
}

/*
 * A big index: only the newest 2000 documents holding all the words are
 * ranked, but a person named as typed is found however old the document,
 * with or without filters, and before the newer ones holding the words
 * apart; typed with diacritics, the one named exactly so first.
 */
static void
test_old_name_behind_many_newer(void **state)
{
	struct fixture *f = *state;
	struct doc_spec s = { "old.tif", "Trích lục khai sinh của NGUYỄN THỊ "
	    "MINH DỤC, sinh năm 1990\n", "TRÍCH LỤC KHAI SINH", "12/TLKS-BS",
	    "2016-05-04", "commune", "000.11.30.H26", "NGUYỄN THỊ MINH DỤC",
	    NULL, NULL };
	struct search_filter flt = { .level = "commune", .to = "2016-05-31" };
	json_t *r;
	char err[ERRMAX], name[32], *text, *got;
	int64_t old;
	int i;

	struct doc_spec s2 = { "old2.tif", "Trích lục khai sinh của NGUYỄN "
	    "THỊ MINH ĐỨC, sinh năm 1991\n", "TRÍCH LỤC KHAI SINH",
	    "13/TLKS-BS", "2016-05-03", "district", "000.00.11.H26",
	    "NGUYỄN THỊ MINH ĐỨC", NULL, NULL };

	struct doc_spec s3 = { "apart.tif", "Biên bản: ông Khương, bà Nguyễn "
	    "Thị Minh, cháu Dục\n", "BIÊN BẢN", NULL, "2015-01-02",
	    "commune", "000.11.30.H26", NULL, NULL, NULL };

	testlib_store(f->ix, spec_json(&s3), s3.text);
	testlib_store(f->ix, spec_json(&s2), s2.text);
	old = testlib_store(f->ix, spec_json(&s), s.text);
	assert_int_equal(index_begin(f->ix), 0);
	for (i = 0; i < 2500; i++) {
		struct document doc;

		snprintf(name, sizeof name, "newer-%d.tif", i);
		text = xasprintf("Biên bản số %d: ông Nguyễn Văn Minh, bà Lê Thị "
		    "Hoa, cháu Trần Đức Dục có mặt", i);
		memset(&doc, 0, sizeof doc);
		document_set_str(&doc.source_name, name);
		document_set_str(&doc.sha256, name);
		doc.pages = 1;
		document_set_str(&doc.ingested_at, "2026-11-22T10:00:00+07:00");
		document_set_str(&doc.level, "commune");
		document_set_str(&doc.issued_on, "2016-06-01");
		assert_int_equal(store_insert(f->ix, &doc, text, err), 0);
		document_free(&doc);
		free(text);
	}
	assert_int_equal(index_commit(f->ix), 0);
	/* Sanity: the newer ones hold every word, the old one is behind. */
	r = search_find(f->ix, "nguyen minh thi duc", NULL, 10, err);
	assert_int_equal(json_array_size(r), 10);
	json_decref(r);
	got = found(f->ix, "Nguyễn Thị Minh Dục", NULL);
	assert_int_equal(strncmp(got, "old.tif ", 8), 0);
	free(got);
	got = found(f->ix, "nguyen thi minh duc", NULL);
	assert_int_equal(strncmp(got, "old.tif old2.tif ", 17), 0);
	free(got);
	/* Typed with diacritics, the old one named exactly so comes first,
	 * although every newer one holds all four words as typed, apart:
	 * "Trần Đức Dục". */
	got = found(f->ix, "Nguyễn Thị Minh Đức", NULL);
	assert_int_equal(strncmp(got, "old2.tif ", 9), 0);
	free(got);
	got = found(f->ix, "NGUYỄN THỊ MINH DỤC", NULL);
	assert_int_equal(strncmp(got, "old.tif ", 8), 0);
	free(got);
	/* By the last words of the name, and with filters. */
	got = found(f->ix, "\"minh duc\"", NULL);
	assert_int_equal(strncmp(got, "old.tif", 7), 0);
	free(got);
	got = found(f->ix, "nguyen thi minh duc", &flt);
	assert_string_equal(got, "old.tif apart.tif");
	free(got);
	r = search_find(f->ix, "nguyen thi minh duc", NULL, 1, err);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(r,
	    0), "id")), old);
	json_decref(r);
	/* A name the names table knows is looked for word by word among the
	 * newest documents only (100,000 in use; 500 here): the same. */
	index_set_named_span(f->ix, 500);
	got = found(f->ix, "Nguyễn Thị Minh Đức", NULL);
	assert_int_equal(strncmp(got, "old2.tif ", 9), 0);
	free(got);
	got = found(f->ix, "nguyen thi minh duc", NULL);
	assert_int_equal(strncmp(got, "old.tif old2.tif newer-2499.tif ", 32), 0);
	free(got);
	got = found(f->ix, "nguyen thi minh duc", &flt);
	assert_int_equal(strncmp(got, "old.tif", 7), 0);
	free(got);
	/* Words that name nobody are still looked for in every document. */
	got = found(f->ix, "khuong nguyen thi minh duc", NULL);
	assert_string_equal(got, "apart.tif");
	free(got);
}

/*
 * sohoad starting while sohoa status asks, or two commands on a new data
 * folder: processes opening a new database together all get it, never
 * "database is locked" (it happened about once in 250 before).
 */
static void
test_open_new_database_together(void **state)
{
	char *dir, *db;
	int round, k, status, failed = 0;

	(void)state;
	for (round = 0; round < 100; round++) {
		dir = testlib_tmpdir("sohoa-open");
		db = xasprintf("%s/sohoa.db", dir);
		for (k = 0; k < 8; k++)
			if (fork() == 0) {
				char err[ERRMAX];
				struct index *ix = index_open(db, err);

				if (ix == NULL)
					fprintf(stderr, "# %s\n", err);
				index_close(ix);
				_exit(ix == NULL);
			}
		for (k = 0; k < 8; k++) {
			assert_true(wait(&status) > 0);
			failed += !WIFEXITED(status) || WEXITSTATUS(status) != 0;
		}
		assert_int_equal(testlib_rmdir(dir), 0);
		free(db);
		free(dir);
	}
	assert_int_equal(failed, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_search_table, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_bad_queries_never_break,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_duplicates_not_searched_but_listed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_record_has_contract_fields,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_snippet_and_score, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_limit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_access_log, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_correction_is_searched,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_reindex_keeps_corrections,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_upgrade_from_version_1,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_upgrade_from_version_2,
		    setup, teardown),
		cmocka_unit_test(test_open_new_database_together),
		cmocka_unit_test_setup_teardown(test_old_name_behind_many_newer,
		    setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
