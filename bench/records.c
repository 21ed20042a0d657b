/*
 * records.c: the benchmarks' synthetic results (records.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "records.h"

/* Family names and how common they are, per thousand. */
static const struct {
	const char *name;
	int	 weight;
} bench_family[] = {
	{ "Nguyễn", 384 }, { "Trần", 110 }, { "Lê", 95 }, { "Phạm", 71 },
	{ "Hoàng", 51 }, { "Huỳnh", 30 }, { "Phan", 45 }, { "Vũ", 39 },
	{ "Võ", 30 }, { "Đặng", 21 }, { "Bùi", 20 }, { "Đỗ", 14 },
	{ "Hồ", 13 }, { "Ngô", 13 }, { "Dương", 10 }, { "Lý", 5 },
	{ "Đinh", 20 }, { "Trịnh", 15 }, { "Đào", 15 },
};

static const char *const bench_middle_f[] = { "Thị", "Thị", "Thị", "Thu",
    "Ngọc", "Thanh", "Minh", "Hồng", "Kim", "Phương", "Bích", "Thúy",
    "Diệu", "Mai" };
static const char *const bench_middle_m[] = { "Văn", "Văn", "Văn", "Đức",
    "Minh", "Quốc", "Hữu", "Thanh", "Công", "Đình", "Xuân", "Hoàng",
    "Quang", "Anh", "Tuấn" };
static const char *const bench_given_f[] = { "Hường", "Hương", "Lan",
    "Mai", "Hoa", "Hòa", "Hạnh", "Hằng", "Linh", "Ngọc", "Nhung", "Phương",
    "Quỳnh", "Thảo", "Trang", "Thủy", "Thúy", "Vân", "Yến", "Dung",
    "Giang", "Hà", "Huyền", "Loan", "Nga", "Oanh", "Tâm", "Uyên", "Xuân",
    "Anh", "Chi", "Hiền", "Khánh", "Liên", "My", "Thư", "Trâm", "Vy" };
static const char *const bench_given_m[] = { "An", "Anh", "Bình", "Cường",
    "Dũng", "Đức", "Dục", "Hải", "Hùng", "Huy", "Hiếu", "Khánh", "Long",
    "Minh", "Nam", "Phong", "Phúc", "Quân", "Quang", "Sơn", "Thành",
    "Thắng", "Trung", "Tuấn", "Tú", "Việt", "Vinh", "Hòa", "Hoàng", "Kiên",
    "Lâm", "Mạnh", "Nghĩa", "Tài", "Thịnh", "Toàn", "Đạt", "Duy", "Lộc" };
static const struct {
	const char *ward;
	const char *district;
} bench_place[] = {
	{ "Dịch Vọng Hậu", "Cầu Giấy" }, { "Dịch Vọng", "Cầu Giấy" },
	{ "Quan Hoa", "Cầu Giấy" }, { "Yên Hòa", "Cầu Giấy" },
	{ "Trung Hòa", "Cầu Giấy" }, { "Nghĩa Đô", "Cầu Giấy" },
	{ "Quảng An", "Tây Hồ" }, { "Thụy Khuê", "Tây Hồ" },
	{ "Bưởi", "Tây Hồ" }, { "Cổ Nhuế 1", "Bắc Từ Liêm" },
	{ "Đông Ngạc", "Bắc Từ Liêm" }, { "Láng Hạ", "Đống Đa" },
	{ "Văn Miếu", "Đống Đa" }, { "Kim Liên", "Đống Đa" },
	{ "Hàng Bạc", "Hoàn Kiếm" }, { "Tràng Tiền", "Hoàn Kiếm" },
	{ "Bạch Mai", "Hai Bà Trưng" }, { "Thanh Nhàn", "Hai Bà Trưng" },
	{ "Mai Dịch", "Cầu Giấy" }, { "Phúc Xá", "Ba Đình" },
};
static const char *const bench_street[] = { "Trần Thái Tông", "Duy Tân",
    "Xuân Thủy", "Trần Quốc Vượng", "Phạm Văn Đồng", "Hoàng Quốc Việt",
    "Trung Kính", "Tô Ngọc Vân", "Láng Hạ", "Kim Mã", "Đội Cấn",
    "Nguyễn Chí Thanh", "Lạc Long Quân", "Âu Cơ" };
static const struct {
	const char *title;
	const char *abbr;
	const char *level;
} bench_type[] = {
	{ "TRÍCH LỤC KHAI SINH", "TLKS-BS", "commune" },
	{ "TRÍCH LỤC KHAI TỬ", "TLKT-BS", "commune" },
	{ "GIẤY CHỨNG NHẬN KẾT HÔN", "KH-BS", "commune" },
	{ "GIẤY XÁC NHẬN TÌNH TRẠNG HÔN NHÂN", "XNHN", "commune" },
	{ "QUYẾT ĐỊNH", "QĐ-UBND", "district" },
	{ "GIẤY CHỨNG NHẬN ĐĂNG KÝ HỘ KINH DOANH", "HKD", "district" },
	{ "GIẤY PHÉP XÂY DỰNG", "GPXD", "city" },
	{ "QUYẾT ĐỊNH", "QĐ-STP", "city" },
};
#define NELEM(a) (sizeof (a) / sizeof (a)[0])

static uint64_t bench_rng = 0x9e3779b97f4a7c15ULL;

uint32_t
bench_rand(uint32_t n)
{
	bench_rng ^= bench_rng << 13;
	bench_rng ^= bench_rng >> 7;
	bench_rng ^= bench_rng << 17;
	return (uint32_t)((bench_rng >> 11) % n);
}

static const char *
bench_family_name(void)
{
	uint32_t r, i, acc = 0, total = 0;

	for (i = 0; i < NELEM(bench_family); i++)
		total += (uint32_t)bench_family[i].weight;
	r = bench_rand(total);
	for (i = 0; i < NELEM(bench_family); i++)
		if (r < (acc += (uint32_t)bench_family[i].weight))
			return bench_family[i].name;
	return bench_family[0].name;
}

/* A full name into out: family, one or two middle names, given name. */
static void
bench_name(char *out, size_t len, int female)
{
	const char *const *mid = female ? bench_middle_f : bench_middle_m;
	const char *const *giv = female ? bench_given_f : bench_given_m;
	size_t nmid = female ? NELEM(bench_middle_f) : NELEM(bench_middle_m);
	size_t ngiv = female ? NELEM(bench_given_f) : NELEM(bench_given_m);

	if (bench_rand(10) < 3)
		snprintf(out, len, "%s %s %s %s", bench_family_name(),
		    mid[bench_rand((uint32_t)nmid)],
		    mid[bench_rand((uint32_t)nmid)],
		    giv[bench_rand((uint32_t)ngiv)]);
	else
		snprintf(out, len, "%s %s %s", bench_family_name(),
		    mid[bench_rand((uint32_t)nmid)],
		    giv[bench_rand((uint32_t)ngiv)]);
}


double
bench_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* One record and its text; fills sample with what it holds. */
json_t *
bench_record(long i, struct buf *text, struct bench_sample *s)
{
	char child[96], mother[96], father[96], docno[48], agency[40];
	char dossier[40], id[16], date[11], sha[65], src[40];
	int t = (int)bench_rand(NELEM(bench_type)), p, y, m, d, female;
	json_t *doc;

	female = (int)bench_rand(2);
	bench_name(child, sizeof child, female);
	bench_name(mother, sizeof mother, 1);
	bench_name(father, sizeof father, 0);
	p = (int)bench_rand(NELEM(bench_place));
	y = 2015 + (int)bench_rand(11);
	m = 1 + (int)bench_rand(12);
	d = 1 + (int)bench_rand(28);
	snprintf(date, sizeof date, "%04d-%02d-%02d", y, m, d);
	snprintf(docno, sizeof docno, "%u/%s", 1 + bench_rand(3000),
	    bench_type[t].abbr);
	snprintf(agency, sizeof agency, "000.%02u.%02u.H26", bench_rand(40),
	    bench_rand(40));
	snprintf(dossier, sizeof dossier, "%s-%02d%02d%02d-%04u", agency,
	    y % 100, m, d, bench_rand(10000));
	snprintf(id, sizeof id, "%03u%u%02u%06u", 1 + bench_rand(96),
	    female ? 1 + 2 * bench_rand(2) : 2 * bench_rand(2),
	    bench_rand(100), bench_rand(1000000));
	snprintf(src, sizeof src, "scan-%07ld.tif", i);
	snprintf(sha, sizeof sha, "%064ld", i);

	text->len = 0;
	buf_printf(text, "ỦY BAN NHÂN DÂN CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\n"
	    "PHƯỜNG %s Độc lập - Tự do - Hạnh phúc\n"
	    "Số: %s %s, ngày %d tháng %d năm %d\n%s\n"
	    "Họ, chữ đệm, tên: %s\n"
	    "Ngày, tháng, năm sinh: %02u/%02u/%u; giới tính: %s\n"
	    "Số định danh cá nhân: %s\n"
	    "Nơi cư trú: số %u ngõ %u phố %s, phường %s, quận %s, Hà Nội\n"
	    "Họ, chữ đệm, tên người mẹ: %s\n"
	    "Họ, chữ đệm, tên người cha: %s\n"
	    "Mã hồ sơ: %s\n"
	    "TM. ỦY BAN NHÂN DÂN\nCHỦ TỊCH\n", bench_place[p].ward, docno,
	    bench_place[p].district, d, m, y, bench_type[t].title, child,
	    1 + bench_rand(28), 1 + bench_rand(12), 1950 + bench_rand(70),
	    female ? "Nữ" : "Nam", id, 1 + bench_rand(200),
	    1 + bench_rand(100), bench_street[bench_rand(NELEM(bench_street))],
	    bench_place[p].ward, bench_place[p].district, mother, father,
	    dossier);

	doc = json_pack("{s:s, s:s, s:i, s:f, s:s, s:s, s:s, s:s, s:s, s:s, "
	    "s:s, s:[s, s, s], s:[s], s:s, s:n, s:s, s:n}", "source_name", src,
	    "sha256", sha, "pages", 1, "ocr_confidence", 92.5, "profile",
	    "bench", "agency_code", agency, "agency_name",
	    bench_place[p].ward, "level", bench_type[t].level, "doc_type",
	    bench_type[t].title, "doc_number", docno, "issued_on", date,
	    "people", child, mother, father, "id_numbers", id, "dossier_code",
	    dossier, "archive", "ingested_at", "2026-11-22T10:00:00+07:00",
	    "duplicate_of");
	if (s != NULL) {
		s->rec = i + 1;
		snprintf(s->name, sizeof s->name, "%s", child);
		snprintf(s->id, sizeof s->id, "%s", id);
		snprintf(s->dossier, sizeof s->dossier, "%s", dossier);
		snprintf(s->date, sizeof s->date, "%s", date);
		s->level = bench_type[t].level;
	}
	return doc;
}

int
bench_cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* The last two words of a name, in quotes: "thu huong". */
char *
bench_phrase(const char *folded)
{
	const char *p = folded + strlen(folded);
	int spaces = 0;

	while (p > folded && spaces < 2)
		if (*--p == ' ')
			spaces++;
	if (*p == ' ')
		p++;
	return xasprintf("\"%s\"", p);
}

const char *const bench_shape[SHAPE_COUNT] = {
	"name, no diacritics", "name, with diacritics", "ID number (12 digits)",
	"dossier code", "phrase (\"thu huong\")", "name + level + date range",
};

/*
 * The query of shape k made from sample s, as a clerk would type it
 * (caller frees); for SHAPE_FILTERED, f is narrowed to the record's level
 * and a year either side of its date (from and to hold the dates).
 */
char *
bench_shape_query(int k, const struct bench_sample *s,
    struct search_filter *f, char from[11], char to[11])
{
	char *query, *folded = vntext_fold(s->name);
	int y;

	memset(f, 0, sizeof *f);
	switch (k) {
	case SHAPE_FOLDED:
		query = xstrdup(folded);
		break;
	case SHAPE_MARKS:
		query = xstrdup(s->name);
		break;
	case SHAPE_ID:
		query = xstrdup(s->id);
		break;
	case SHAPE_DOSSIER:
		query = xstrdup(s->dossier);
		break;
	case SHAPE_PHRASE:
		query = bench_phrase(folded);
		break;
	default:
		query = xstrdup(folded);
		y = atoi(s->date);
		snprintf(from, 11, "%04d%s", y - 1, s->date + 4);
		snprintf(to, 11, "%04d%s", y + 1, s->date + 4);
		f->level = s->level;
		f->from = from;
		f->to = to;
		break;
	}
	free(folded);
	return query;
}

void
bench_print_shapes(const char *title, double *lat[SHAPE_COUNT],
    const long found[SHAPE_COUNT], int nq)
{
	double sum;
	int k, q;

	printf("\n%s: %d queries of each shape, 20 results each, one at a "
	    "time\n\n", title, nq);
	printf("%-28s %9s %9s %9s %9s\n", "query shape", "p50 ms", "p99 ms",
	    "mean ms", "in top 20");
	for (k = 0; k < SHAPE_COUNT; k++) {
		qsort(lat[k], (size_t)nq, sizeof *lat[k], bench_cmp);
		for (q = 0, sum = 0; q < nq; q++)
			sum += lat[k][q];
		printf("%-28s %9.2f %9.2f %9.2f %8ld%%\n", bench_shape[k],
		    lat[k][nq / 2], lat[k][(nq * 99 + 99) / 100 - 1],
		    sum / nq, found[k] * 100 / nq);
	}
	fflush(stdout);
}
