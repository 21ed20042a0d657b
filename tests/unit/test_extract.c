/*
 * test_extract.c: fields read off OCR text as Tesseract gives it for the
 * results a one-stop office hands back: birth extracts, decisions, business
 * household certificates, construction permits.  Both header layouts
 * (columns joined on one line, or one column after the other), the slips
 * Tesseract makes on real scans, and a text with nothing to find, which
 * must give nulls and empty lists, never a guess.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <utf8proc.h>

#include "sohoa.h"

#define MAXLIST	8

struct extract_case {
	const char	*what;
	const char	*text;
	const char	*source;		/* file name, or NULL */
	const char	*pattern;		/* profile filename_pattern */
	const char	*doc_type;		/* NULL: must be null */
	const char	*doc_number;
	const char	*issued_on;
	const char	*agency_name;
	const char	*people[MAXLIST];	/* NULL-terminated */
	const char	*id_numbers[MAXLIST];
	const char	*dossier_code;
};

/* Tesseract's default reading order joins the two header columns. */
static const char birth_joined[] =
    "ỦY BAN NHÂN DÂN CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\n"
    "PHƯỜNG DỊCH VỌNG HẬU Độc lập - Tự do - Hạnh phúc\n"
    "Số: 1245/TLKS-BS Cầu Giấy, ngày 15 tháng 3 năm 2024\n"
    "\n"
    "TRÍCH LỤC KHAI SINH\n"
    "Họ, chữ đệm, tên: NGUYỄN THỊ THU HƯỜNG\n"
    "Ngày, tháng, năm sinh: 02/01/2024 ghi bằng chữ: Ngày hai, tháng một, "
    "năm hai nghìn không trăm hai mươi bốn\n"
    "Giới tính: Nữ Dân tộc: Kinh Quốc tịch: Việt Nam\n"
    "Nơi sinh: Bệnh viện Phụ sản Hà Nội\n"
    "Quê quán: Nam Trực, Nam Định\n"
    "Số định danh cá nhân: 001324012345\n"
    "Họ, chữ đệm, tên người mẹ: TRẦN THỊ LAN\n"
    "Năm sinh: 1995 Dân tộc: Kinh Quốc tịch: Việt Nam\n"
    "Nơi cư trú: Số 12 ngõ 34 Trần Thái Tông, phường Dịch Vọng Hậu\n"
    "Họ, chữ đệm, tên người cha: NGUYỄN VĂN ĐỨC\n"
    "Năm sinh: 1993 Dân tộc: Kinh Quốc tịch: Việt Nam\n"
    "Nơi đăng ký khai sinh: Ủy ban nhân dân phường Dịch Vọng Hậu\n"
    "Ngày, tháng, năm đăng ký: 10/01/2024\n"
    "Mã hồ sơ: 000.23.11.H26-240315-0017\n"
    "TM. ỦY BAN NHÂN DÂN\n"
    "KT. CHỦ TỊCH\n"
    "PHÓ CHỦ TỊCH\n"
    "Lê Văn Minh\n";

/* The same extract read one column after the other, right column first. */
static const char birth_columns[] =
    "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\n"
    "Độc lập - Tự do - Hạnh phúc\n"
    "Cầu Giấy, ngày 15 tháng 3 năm 2024\n"
    "ỦY BAN NHÂN DÂN\n"
    "PHƯỜNG DỊCH VỌNG HẬU\n"
    "Số: 1245/TLKS-BS\n"
    "TRÍCH LỤC KHAI SINH\n"
    "Họ, chữ đệm, tên: NGUYỄN THỊ THU HƯỜNG\n"
    "Giới tính: Nữ\n"
    "Số định danh cá nhân: 001324012345\n"
    "Họ, chữ đệm, tên người mẹ: TRẦN THỊ LAN\n"
    "Họ, chữ đệm, tên người cha: NGUYỄN VĂN ĐỨC\n";

/* A decision read column by column, with the slips of a real scan: O for
 * 0 and a space in the number, NGUYỄN read as NGUYÊN, a space inside the
 * ID number, l for 1 in an old ID card number, an older law cited by date. */
static const char decision_slips[] =
    "ỦY BAN NHÂN DÂN\n"
    "QUẬN CẦU GIẤY\n"
    "-------\n"
    "Số: 1O45 /QĐ-UBND\n"
    "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\n"
    "Độc lập - Tự do - Hạnh phúc\n"
    "---------------\n"
    "Cầu Giấy, ngày 05/03/2024\n"
    "QUYẾT ĐỊNH\n"
    "Về việc cấp giấy phép kinh doanh dịch vụ\n"
    "CHỦ TỊCH ỦY BAN NHÂN DÂN QUẬN CẦU GIẤY\n"
    "Căn cứ Luật Tổ chức chính quyền địa phương ngày 19 tháng 6 năm 2015;\n"
    "QUYẾT ĐỊNH:\n"
    "Điều 1. Cấp cho Ông (Bà): NGUYÊN VĂN AN Sinh ngày: 12/08/1985\n"
    "CCCD số: 001085 012345 cấp ngày 10/07/2021\n"
    "Người đại diện: Bà: Trần Thị Bích Ngọc, CMND số 0l2345678 cấp năm 2010\n"
    "Điều 2. Quyết định có hiệu lực kể từ ngày ký.\n"
    "Nơi nhận:\n"
    "- Như Điều 1;\n"
    "- Lưu: VT.\n"
    "KT. CHỦ TỊCH\n"
    "PHÓ CHỦ TỊCH\n";

/* A district office's certificate: the title printed over two lines, no
 * "Số:" line, an O for 0 at the start of the ID number. */
static const char household_business[] =
    "UBND QUẬN CẦU GIẤY CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\n"
    "PHÒNG TÀI CHÍNH - KẾ HOẠCH Độc lập - Tự do - Hạnh phúc\n"
    "\n"
    "GIẤY CHỨNG NHẬN\n"
    "ĐĂNG KÝ HỘ KINH DOANH\n"
    "Mã số hộ kinh doanh: 01A8012345\n"
    "Đăng ký lần đầu: ngày 10 tháng 01 năm 2023\n"
    "1. Tên hộ kinh doanh: CỬA HÀNG TẠP HÓA HƯƠNG LAN\n"
    "2. Địa chỉ: Số 5 ngõ 12/3 phố Trần Quốc Vượng, phường Dịch Vọng Hậu\n"
    "Điện thoại: 0912345678\n"
    "3. Vốn kinh doanh: 100.000.000 đồng\n"
    "4. Thông tin về đại diện hộ kinh doanh:\n"
    "Họ và tên: PHẠM THỊ HƯƠNG Giới tính: Nữ\n"
    "Sinh ngày: 20/11/1980 Dân tộc: Kinh Quốc tịch: Việt Nam\n"
    "Số định danh cá nhân: O01180023456\n"
    "TRƯỞNG PHÒNG\n"
    "Vũ Đình Toàn\n";

/* A city department's permit: "Số:" under the title, an address with a
 * lower-case "số 12/3", names in ordinary case after a label. */
static const char building_permit[] =
    "UBND THÀNH PHỐ HÀ NỘI CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\n"
    "SỞ XÂY DỰNG Độc lập - Tự do - Hạnh phúc\n"
    "Hà Nội, ngày 20 tháng 02 năm 2024\n"
    "GIẤY PHÉP XÂY DỰNG\n"
    "Số: 245/GPXD\n"
    "1. Cấp cho: Ông/Bà: Lê Thị Mai\n"
    "Địa chỉ: số 12/3 phố Duy Tân, phường Dịch Vọng Hậu\n"
    "Họ và tên người đại diện:\n"
    "HOÀNG MINH TUẤN\n"
    "Căn cước: 001090004321\n"
    "2. Được phép xây dựng công trình: Nhà ở riêng lẻ\n"
    "Mã hồ sơ: 000.A0.01.H26-210212-9090\n"
    "GIÁM ĐỐC\n";

/* A copy of a marriage certificate read with the gaps between columns
 * kept: two people and two ID numbers side by side, O for 0 twice. */
static const char marriage_wide[] =
    "UỶ BAN NHÂN DÂN                CỘNG HOÀ XÃ HỘI CHỦ NGHĨA VIỆT NAM\n"
    "XÃ ĐÔNG ANH                   Độc lập - Tự do - Hạnh phúc\n"
    "                              ___________________\n"
    "Số: 56/2024/SCT/BS            Đông Anh, ngày 7 tháng 11 năm 2024\n"
    "                    BẢN SAO\n"
    "            GIẤY CHỨNG NHẬN KẾT HÔN\n"
    "Họ, chữ đệm, tên chồng: Nguyễn Văn Bình      "
    "Họ, chữ đệm, tên vợ: Lê Thị Hoa\n"
    "Ngày, tháng, năm sinh: 01/01/1990             "
    "Ngày, tháng, năm sinh: 02/02/1992\n"
    "Số CCCD: 001090001111                         Số CCCD: OO1192002222\n";

/*
 * The same documents as a poor scan gives them: l and I for 1, O for 0,
 * a space inside a number or a year, Ð for Đ, marks lost on capitals.
 * Digits and codes are read through the slips; names stay as read.
 */
static const char birth_slips[] =
    "ỦY BAN NHÂN DÂN CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\n"
    "PHƯỜNG DỊCH VỌNG HẬU Độc lập - Tự do - Hạnh phúc\n"
    "Số: l245/TLKS-BS Cầu Giấy, ngày l5 tháng 3 năm 2O 24\n"
    "TRÍCH LỤC KHAI SINH\n"
    "Họ, chữ đệm, tên: NGUYÊN THỊ THU HƯỜNG\n"
    "Số định danh cá nhân: 0O1323 O12345\n"
    "Mã hồ sơ: OOO.23.11.H26-24O3l5 - OO 17\n";

static const char decision_eth[] =
    "ỦY BAN NHÂN DÂN\n"
    "QUẬN CẦU GIẤY\n"
    "Số: 2O87/QÐ-UBND\n"
    "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\n"
    "Độc lập - Tự do - Hạnh phúc\n"
    "Cầu Giấy, ngày 2O/O3/2O24\n"
    "Mã hồ sơ: 000.23.11.H26-240315-0017\n"
    "QUYẾT ĐỊNH\n"
    "Về việc cấp đổi giấy chứng nhận quyền sử dụng đất\n"
    "Xét đơn của bà Phạm Thị Quỳnh, thường trú tại\n"
    "số 12 ngõ 68 phố Trung Kính, phường Yên Hòa.\n"
    "Điều 1. Cấp đổi giấy chứng nhận cho bà Phạm Thị Quỳnh\n"
    "KT. CHỦ TỊCH\n"
    "PHÓ CHỦ TỊCH\n";

/* A household business certificate: its number is one code under the
 * title; the owner is labelled "Chủ hộ kinh doanh". */
static const char household_slips[] =
    "ỦY BAN NHÂN DÂN QUẬN BẮC TỪ LIÊM CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\n"
    "PHÒNG TÀI CHÍNH - KẾ HOẠCH Độc lập - Tự do - Hạnh phúc\n"
    "GIẤY CHỨNG NHẬN ĐĂNG KÝ HỘ KINH DOANH\n"
    "Số: 01D8012345\n"
    "Đăng ký lần đầu: ngày O5 tháng 6 năm 2023\n"
    "1. Tên hộ kinh doanh: Cửa hàng điện máy Đức Đạt\n"
    "5. Chủ hộ kinh doanh: ĐẶNG VĂN ĐỨC\n"
    "Số chứng minh nhân dân: Ol3456789\n"
    "Ngày cấp: 20/05/2010; nơi cấp: Công an Hà Nội\n"
    "TRƯỞNG PHÒNG\n";

static const char permit_slips[] =
    "ỦY BAN NHÂN DÂN\n"
    "QUẬN TÂY HỒ\n"
    "Số: 356/GPXD\n"
    "Tây Hồ, ngày O8 tháng 1l năm 2023\n"
    "GIẤY PHÉP XÂY DỰNG\n"
    "Cấp cho: ông Lê Hoàng Long\n"
    "Căn cước công dân: 00l090004321\n"
    "Được phép xây dựng công trình: nhà ở riêng lẻ\n"
    "Mã hồ sơ: 000.A0.01.HlO-2l0212-9O90\n"
    "KT. CHỦ TỊCH\n";

/* "ông" and "bà" before titles and before names. */
static const char honorifics[] =
    "Kính gửi: ông Chủ Tịch UBND phường\n"
    "Ông Chủ Tịch Xã đã ký. Bà Con đồng ý.\n"
    "Có mặt bà Nguyễn Thị Lan và ông TRẦN VĂN HÙNG, ông Ba Đình.\n";

/* Dates of birth and register numbers are not the document's. */
static const char birth_dates_only[] =
    "Họ và tên: NGUYỄN VĂN AN\n"
    "Sinh ngày: 01/01/1980\n"
    "Ngày, tháng, năm sinh: 02/02/1990\n"
    "Quyển số: 01/2024-SCT/BS\n"
    "Mã số: 12/HKD\n";

/* Nothing here is a field, though it has words that look like labels. */
static const char nothing[] =
    "Biên bản họp tổ dân phố số 7\n"
    "Hôm nay, các hộ gia đình đã thảo luận về vệ sinh môi trường.\n"
    "Địa chỉ: số 12/3 ngõ 45 phố Trần Thái Tông\n"
    "Điện thoại liên hệ: 0912 345 678, mã bưu chính 100000\n"
    "Ông Ba nói rằng ngày mai sẽ họp tiếp lúc 8 giờ.\n"
    "Bà con đồng ý với kế hoạch.\n";

/* A household certificate numbered with ten digits, an incoming stamp
 * beside its title (issue 10: "numbers with no slash are not taken"). */
static const char household_digits[] =
    "ỦY BAN NHÂN DÂN CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\n"
    "PHƯỜNG THANH XUÂN Độc lập - Tự do - Hạnh phúc\n"
    "PHÒNG KINH TẾ Thanh Xuân, ngày 20 tháng 4 năm 2026\n"
    "VĂN PHÒNG HĐND VÀ UBND\n"
    "ĐẾN Số: 1060\n"
    "Ngày Tân GIẤY CHỨNG NHẬN ĐĂNG KÝ HỘ KINH DOANH\n"
    "Số: 0195706119\n"
    "Đăng ký lần đầu: ngày 08 tháng 3 năm 2024\n"
    "5. Chủ hộ kinh doanh: PHẠM CÔNG HƯỞNG\n";

/* Slips in the type code, the title beside a stamp's hour. */
static const char decision_code_slips[] =
    "UBND THÀNH PHỐ HÀ NỘI CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\n"
    "SỞ XÂY DỰNG Độc lập - Tự do - Hạnh phúc\n"
    "Số: 1245/QĐĐ-SXD Hà Nội, ngày 10 tháng 3 năm 2026\n"
    "ĐẾN Số: 2868\n"
    "Giờ: 7h45 QUYẾT ĐỊNH\n"
    "Về việc cấp giấy phép\n";

/* The place of the date line joined to the number, an I before L. */
static const char birth_code_slips[] =
    "XÃ ĐÔNG ANH Độc lập - Tự do - Hạnh phúc\n"
    "Số: 572/TILKS-BS -Đông Anh, ngày 15 tháng 01 năm 2026\n"
    "TRÍCH LỤC KHAI SlNH\n";

/* The second page of a letter: no title, and its lines are none. */
static const char letter_page2[] =
    "BAN NHÂN DẦN\n"
    "- Như trên;\n"
    "- Lưu: VT, KT.\n"
    "TM. ỦY BAN NHÂN DÂN\n";

static const struct extract_case cases[] = {
	{
		.what = "household certificate, ten digits, stamp by the title",
		.text = household_digits,
		.doc_type = "GIẤY CHỨNG NHẬN ĐĂNG KÝ HỘ KINH DOANH",
		.doc_number = "0195706119",
		.issued_on = "2026-04-20",
		.agency_name = "PHÒNG KINH TẾ",
		.people = { "PHẠM CÔNG HƯỞNG" },
	},
	{
		.what = "a doubled Đ in the type code, the title by a stamp",
		.text = decision_code_slips,
		.doc_type = "QUYẾT ĐỊNH",
		.doc_number = "1245/QĐ-SXD",
		.issued_on = "2026-03-10",
		.agency_name = "SỞ XÂY DỰNG",
	},
	{
		.what = "TILKS for TLKS, the place joined to the number",
		.text = birth_code_slips,
		.doc_type = "TRÍCH LỤC KHAI SINH",
		.doc_number = "572/TLKS-BS",
		.issued_on = "2026-01-15",
	},
	{
		.what = "a header line is no document type",
		.text = letter_page2,
	},
	{
		.what = "birth extract, columns joined",
		.text = birth_joined,
		.doc_type = "TRÍCH LỤC KHAI SINH",
		.doc_number = "1245/TLKS-BS",
		.issued_on = "2024-03-15",
		.agency_name = "ỦY BAN NHÂN DÂN PHƯỜNG DỊCH VỌNG HẬU",
		.people = { "NGUYỄN THỊ THU HƯỜNG", "TRẦN THỊ LAN",
		    "NGUYỄN VĂN ĐỨC" },
		.id_numbers = { "001324012345" },
		.dossier_code = "000.23.11.H26-240315-0017",
	},
	{
		.what = "birth extract, one column after the other",
		.text = birth_columns,
		.doc_type = "TRÍCH LỤC KHAI SINH",
		.doc_number = "1245/TLKS-BS",
		.issued_on = "2024-03-15",
		.agency_name = "ỦY BAN NHÂN DÂN PHƯỜNG DỊCH VỌNG HẬU",
		.people = { "NGUYỄN THỊ THU HƯỜNG", "TRẦN THỊ LAN",
		    "NGUYỄN VĂN ĐỨC" },
		.id_numbers = { "001324012345" },
	},
	{
		.what = "decision with OCR slips",
		.text = decision_slips,
		.doc_type = "QUYẾT ĐỊNH",
		.doc_number = "1045/QĐ-UBND",
		.issued_on = "2024-03-05",
		.agency_name = "ỦY BAN NHÂN DÂN QUẬN CẦU GIẤY",
		.people = { "NGUYỄN VĂN AN", "Trần Thị Bích Ngọc" },
		.id_numbers = { "001085012345", "012345678" },
	},
	{
		.what = "household business certificate",
		.text = household_business,
		.doc_type = "GIẤY CHỨNG NHẬN ĐĂNG KÝ HỘ KINH DOANH",
		.issued_on = "2023-01-10",
		.agency_name = "PHÒNG TÀI CHÍNH - KẾ HOẠCH",
		.people = { "PHẠM THỊ HƯƠNG" },
		.id_numbers = { "001180023456" },
	},
	{
		.what = "construction permit from a department",
		.text = building_permit,
		.doc_type = "GIẤY PHÉP XÂY DỰNG",
		.doc_number = "245/GPXD",
		.issued_on = "2024-02-20",
		.agency_name = "SỞ XÂY DỰNG",
		.people = { "Lê Thị Mai", "HOÀNG MINH TUẤN" },
		.id_numbers = { "001090004321" },
		.dossier_code = "000.A0.01.H26-210212-9090",
	},
	{
		.what = "marriage certificate, wide gaps between columns",
		.text = marriage_wide,
		.doc_type = "GIẤY CHỨNG NHẬN KẾT HÔN",
		.doc_number = "56/2024/SCT/BS",
		.issued_on = "2024-11-07",
		.agency_name = "UỶ BAN NHÂN DÂN XÃ ĐÔNG ANH",
		.people = { "Nguyễn Văn Bình", "Lê Thị Hoa" },
		.id_numbers = { "001090001111", "001192002222" },
	},
	{
		.what = "birth extract with OCR slips in every number",
		.text = birth_slips,
		.doc_type = "TRÍCH LỤC KHAI SINH",
		.doc_number = "1245/TLKS-BS",
		.issued_on = "2024-03-15",
		.agency_name = "ỦY BAN NHÂN DÂN PHƯỜNG DỊCH VỌNG HẬU",
		.people = { "NGUYỄN THỊ THU HƯỜNG" },
		.id_numbers = { "001323012345" },
		.dossier_code = "000.23.11.H26-240315-0017",
	},
	{
		.what = "decision: Ð for Đ, O for 0, names after bà",
		.text = decision_eth,
		.doc_type = "QUYẾT ĐỊNH",
		.doc_number = "2087/QĐ-UBND",
		.issued_on = "2024-03-20",
		.agency_name = "ỦY BAN NHÂN DÂN QUẬN CẦU GIẤY",
		.people = { "Phạm Thị Quỳnh" },
		.dossier_code = "000.23.11.H26-240315-0017",
	},
	{
		.what = "household business certificate with slips",
		.text = household_slips,
		.doc_type = "GIẤY CHỨNG NHẬN ĐĂNG KÝ HỘ KINH DOANH",
		.doc_number = "01D8012345",
		.issued_on = "2023-06-05",
		.agency_name = "PHÒNG TÀI CHÍNH - KẾ HOẠCH",
		.people = { "ĐẶNG VĂN ĐỨC" },
		.id_numbers = { "013456789" },
	},
	{
		.what = "construction permit with slips, ông after the label",
		.text = permit_slips,
		.doc_type = "GIẤY PHÉP XÂY DỰNG",
		.doc_number = "356/GPXD",
		.issued_on = "2023-11-08",
		.agency_name = "ỦY BAN NHÂN DÂN QUẬN TÂY HỒ",
		.people = { "Lê Hoàng Long" },
		.id_numbers = { "001090004321" },
		.dossier_code = "000.A0.01.H10-210212-9090",
	},
	{
		.what = "ông and bà: names, not titles nor places",
		.text = honorifics,
		.people = { "Nguyễn Thị Lan", "TRẦN VĂN HÙNG" },
	},
	{
		.what = "a number under Số: without letters is no certificate",
		.text = "Số: 0912345678\nSố: ABCDE12345\nSố: 12AB\n",
	},
	{
		.what = "a dossier code whose dots OCR read as spaces",
		.text = "Mã hồ sơ 000 23 11 H26-240315-0017\n",
		.dossier_code = "000.23.11.H26-240315-0017",
	},
	{
		.what = "... or as commas",
		.text = "Mã hồ sơ: 000,A0.01, H26 - 210212 - 9090\n",
		.dossier_code = "000.A0.01.H26-210212-9090",
	},
	{
		.what = "a dossier code with too few real digits is not read",
		.text = "Mã hồ sơ: 000.23.11.H26-llOOll-OOll\n",
	},
	{
		.what = "birth dates and register numbers are not the "
		    "document's",
		.text = birth_dates_only,
		.people = { "NGUYỄN VĂN AN" },
	},
	{
		.what = "nothing to find: all null, never invented",
		.text = nothing,
	},
	{
		.what = "empty text",
		.text = "",
	},
	{
		.what = "a date that does not exist is not a date",
		.text = "Hà Nội, ngày 31 tháng 02 năm 2024\n"
		    "Số: 12/QĐ-UBND\n",
		.doc_number = "12/QĐ-UBND",
	},
	{
		.what = "\"Sô\" without a colon, spaces in the number",
		.text = "UBND PHƯỜNG DỊCH VỌNG HẬU\n"
		    "Sô 1245 / QĐ - UBND\n"
		    "Hà Nội, ngày 5 tháng 3 năm 2024\n",
		.doc_number = "1245/QĐ-UBND",
		.issued_on = "2024-03-05",
		.agency_name = "UBND PHƯỜNG DỊCH VỌNG HẬU",
	},
	{
		.what = "a year with O for 0 in the number",
		.text = "Số: 123/2O24/NĐ-CP\n",
		.doc_number = "123/2024/NĐ-CP",
	},
	{
		.what = "dossier code from the file name (first group)",
		.text = "TRÍCH LỤC KHAI SINH\n",
		.source = "000.A0.01.H26-210212-9090_trang1.tif",
		.pattern = "^([0-9A-Z]{3}\\.[0-9A-Z]{2}\\.[0-9A-Z]{2}\\."
		    "[A-Z][0-9]{2}-[0-9]{6}-[0-9]{4})_",
		.doc_type = "TRÍCH LỤC KHAI SINH",
		.dossier_code = "000.A0.01.H26-210212-9090",
	},
	{
		.what = "dossier code from the file name (whole match)",
		.text = "",
		.source = "scan 000.23.11.H26-240315-0017.pdf",
		.pattern = "[0-9A-Z.]+-[0-9]{6}-[0-9]{4}",
		.dossier_code = "000.23.11.H26-240315-0017",
	},
	{
		.what = "a file name the pattern does not match",
		.text = "",
		.source = "IMG_0001.jpg",
		.pattern = "^([0-9A-Z.]+-[0-9]{6}-[0-9]{4})",
	},
	{
		.what = "the code in the text wins over the file name",
		.text = "Mã hồ sơ: 000.23.11.H26-240315-0017\n",
		.source = "000.A0.01.H26-210212-9090.tif",
		.pattern = "^([0-9A-Z.]+-[0-9]{6}-[0-9]{4})",
		.dossier_code = "000.23.11.H26-240315-0017",
	},
};

static void
assert_field(const char *what, json_t *doc, const char *key,
    const char *want)
{
	json_t *v = json_object_get(doc, key);

	if (v == NULL)
		fail_msg("%s: no key %s", what, key);
	if (want == NULL) {
		if (!json_is_null(v))
			fail_msg("%s: %s is \"%s\", expected null", what, key,
			    json_is_string(v) ? json_string_value(v) : "?");
		return;
	}
	if (!json_is_string(v))
		fail_msg("%s: %s is not a string, expected \"%s\"", what, key,
		    want);
	if (strcmp(json_string_value(v), want) != 0)
		fail_msg("%s: %s is \"%s\", expected \"%s\"", what, key,
		    json_string_value(v), want);
}

static void
assert_list(const char *what, json_t *doc, const char *key,
    const char *const want[MAXLIST])
{
	json_t *v = json_object_get(doc, key);
	size_t i, n = 0;

	while (n < MAXLIST && want[n] != NULL)
		n++;
	if (!json_is_array(v))
		fail_msg("%s: %s is not an array", what, key);
	if (json_array_size(v) != n) {
		char *dump = json_dumps(v, JSON_ENSURE_ASCII);

		fail_msg("%s: %s has %zu entries, expected %zu: %s", what, key,
		    json_array_size(v), n, dump);
	}
	for (i = 0; i < n; i++)
		if (strcmp(json_string_value(json_array_get(v, i)), want[i]))
			fail_msg("%s: %s[%zu] is \"%s\", expected \"%s\"", what,
			    key, i, json_string_value(json_array_get(v, i)),
			    want[i]);
}

static void
check_case(const struct extract_case *c, const char *text, const char *what)
{
	struct profile p;
	json_t *doc;

	memset(&p, 0, sizeof p);
	p.name = (char *)"test";
	p.filename_pattern = (char *)c->pattern;
	doc = extract_fields(text, NULL, c->source, &p);
	assert_non_null(doc);
	/* Exactly the contract's keys, no more. */
	assert_int_equal(json_object_size(doc), 8);
	assert_field(what, doc, "doc_type", c->doc_type);
	assert_field(what, doc, "doc_number", c->doc_number);
	assert_field(what, doc, "issued_on", c->issued_on);
	assert_field(what, doc, "agency_name", c->agency_name);
	assert_list(what, doc, "people", c->people);
	assert_list(what, doc, "id_numbers", c->id_numbers);
	assert_field(what, doc, "dossier_code", c->dossier_code);
	json_decref(doc);
}

static void
test_cases(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++)
		check_case(&cases[i], cases[i].text, cases[i].what);
}

/* Some OCR engines and PDF text layers emit combining marks (NFD): the
 * fields must be the same, and come back in NFC. */
static void
test_cases_nfd(void **state)
{
	utf8proc_uint8_t *nfd;
	char *what;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		assert_true(utf8proc_map((const utf8proc_uint8_t *)cases[i].text,
		    0, &nfd, UTF8PROC_NULLTERM | UTF8PROC_STABLE |
		    UTF8PROC_DECOMPOSE) >= 0);
		what = xasprintf("%s (NFD)", cases[i].what);
		check_case(&cases[i], (const char *)nfd, what);
		free(what);
		free(nfd);
	}
}

static void
test_null_text_and_profile(void **state)
{
	json_t *doc;

	(void)state;
	doc = extract_fields(NULL, NULL, NULL, NULL);
	assert_non_null(doc);
	assert_true(json_is_null(json_object_get(doc, "doc_type")));
	assert_int_equal(json_array_size(json_object_get(doc, "people")), 0);
	json_decref(doc);
	/* Without a profile a file name yields nothing. */
	doc = extract_fields("", NULL, "000.A0.01.H26-210212-9090.tif", NULL);
	assert_true(json_is_null(json_object_get(doc, "dossier_code")));
	json_decref(doc);
}

/* Broken bytes in the OCR text or the file name still give valid JSON. */
static void
test_invalid_utf8(void **state)
{
	struct profile p;
	json_t *doc;
	char *dump;

	(void)state;
	memset(&p, 0, sizeof p);
	p.filename_pattern = (char *)"([0-9A-Z.]+-[0-9]{6}-[0-9]{4})";
	doc = extract_fields("TR\xc3ÍCH LỤC KHAI SINH\n"
	    "Họ, chữ đệm, tên: NGUY\xff" "ỄN VĂN AN\n", NULL,
	    "h\xe1\xbb 000.A0.01.H26-210212-9090.tif", &p);
	dump = json_dumps(doc, 0);
	assert_non_null(dump);
	assert_string_equal(json_string_value(json_object_get(doc,
	    "dossier_code")), "000.A0.01.H26-210212-9090");
	free(dump);
	json_decref(doc);
}

/* The same ID number printed twice is listed once. */
static void
test_ids_deduplicated(void **state)
{
	json_t *doc, *ids;

	(void)state;
	doc = extract_fields("Số định danh cá nhân: 001324012345\n"
	    "CCCD: 001324 012345\n"
	    "Bản sao: 001324012345\n", NULL, NULL, NULL);
	ids = json_object_get(doc, "id_numbers");
	assert_int_equal(json_array_size(ids), 1);
	assert_string_equal(json_string_value(json_array_get(ids, 0)),
	    "001324012345");
	json_decref(doc);
}

/* Writes a profile of the lines given to a temporary file; caller frees
 * the path and unlinks it. */
static char *
write_profile(const char *rules)
{
	char *path = xstrdup("/tmp/sohoa-rules.XXXXXX");
	FILE *f;
	int fd;

	assert_true((fd = mkstemp(path)) != -1);
	assert_non_null(f = fdopen(fd, "w"));
	fprintf(f, "[profile]\nname = phuong-x\nagency_code = 000.11.30.H26\n"
	    "agency_name = UBND phường X\nlevel = commune\n%s", rules);
	fclose(f);
	return path;
}

/* An office whose results say "Số hiệu văn bản", "Người nộp", "Ngày ký":
 * the profile's rules read them; the built-in rules still do the rest. */
static void
test_profile_rules(void **state)
{
	static const char text[] =
	    "ỦY BAN NHÂN DÂN PHƯỜNG X\n"
	    "Số: 99/TB-UBND\n"
	    "THÔNG BÁO\n"
	    "Số hiệu văn bản: 15 /2O24/ QĐ-UBND\n"
	    "Ngày ký: 05/O3/2024\n"
	    "Người nộp: Lê Văn Tám\n"
	    "Người nộp: Trần Thị Bé\n"
	    "Họ và tên: NGUYỄN VĂN AN\n"
	    "Mã định danh: 079 203 OO1234\n"
	    "Mã định danh: 12345\n";
	struct profile p;
	char err[ERRMAX], *path;
	json_t *doc;

	(void)state;
	path = write_profile(
	    "rule_doc_number = ^Số hiệu văn bản:\\s*(.+)$\n"
	    "rule_issued_on = ^Ngày ký:\\s*(.+)$\n"
	    "rule_people = ^Người nộp:\\s*(.+)$\n"
	    "rule_id_numbers = ^Mã định danh:\\s*(.+)$\n");
	if (profile_load(path, &p, err) == -1)
		fail_msg("%s", err);
	doc = extract_fields(text, NULL, NULL, &p);
	/* The rule wins over "Số:", through O for 0 and the spaces. */
	assert_field("rules", doc, "doc_number", "15/2024/QĐ-UBND");
	assert_field("rules", doc, "issued_on", "2024-03-05");
	assert_field("rules", doc, "doc_type", "THÔNG BÁO");
	assert_list("rules", doc, "people", (const char *const[MAXLIST]){
	    "Lê Văn Tám", "Trần Thị Bé", "NGUYỄN VĂN AN" });
	/* "12345" is no ID number: left out, not invented. */
	assert_list("rules", doc, "id_numbers", (const char *const[MAXLIST]){
	    "079203001234" });
	json_decref(doc);
	profile_free(&p);
	unlink(path);
	free(path);

	/* A rule that finds a date that does not exist gives none. */
	path = write_profile("rule_issued_on = ^Ngày ký:\\s*(.+)$\n");
	assert_int_equal(profile_load(path, &p, err), 0);
	doc = extract_fields("Ngày ký: 31/02/2024\n", NULL, NULL, &p);
	assert_field("bad date", doc, "issued_on", NULL);
	json_decref(doc);
	profile_free(&p);
	unlink(path);
	free(path);
}

/* A rule that cannot work is refused when the profile is read. */
static void
test_profile_rules_refused(void **state)
{
	struct profile p;
	char err[ERRMAX], *path, *where;

	(void)state;
	path = write_profile("rule_doc_number = Số: ([0-9+\n");
	assert_int_equal(profile_load(path, &p, err), -1);
	where = xasprintf("%s:6: rule_doc_number is not a valid regular "
	    "expression", path);
	if (strstr(err, where) == NULL)
		fail_msg("said: %s", err);
	free(where);
	unlink(path);
	free(path);
	path = write_profile("rule_people = Người nộp: .+\n");
	assert_int_equal(profile_load(path, &p, err), -1);
	assert_non_null(strstr(err, "rule_people needs a group, ( ), around "
	    "the value it reads"));
	unlink(path);
	free(path);
	path = write_profile("rule_nothing = (x)\n");
	assert_int_equal(profile_load(path, &p, err), -1);
	unlink(path);
	free(path);
}

/*
 * The layout path: pages built here as ocr_layout gives them (A4 at 300
 * dpi, one engine line per row, as PSM 6 reads the two header columns as
 * one line), each word 22 px a letter, 40 px tall, 14 px apart.
 */
#define LAY_W		2480
#define LAY_H		3508
#define LAY_CHAR	22
#define LAY_SPACE	14
#define LAY_HEIGHT	40

/* Adds an engine line at y: pairs of (x, "words"), the last x < 0; conf
 * is every word's confidence. */
static void
lay_line_conf(json_t *page, int conf, int y, ...)
{
	json_t *words = json_array(), *line;
	int x, x0 = -1, x1 = 0;
	const char *s, *e;
	va_list ap;

	va_start(ap, y);
	while ((x = va_arg(ap, int)) >= 0) {
		s = va_arg(ap, const char *);
		while (*s != '\0') {
			size_t n, chars = 0, i;

			e = strchr(s, ' ');
			n = e != NULL ? (size_t)(e - s) : strlen(s);
			for (i = 0; i < n; i++)
				if (((unsigned char)s[i] & 0xC0) != 0x80)
					chars++;
			if (n > 0) {
				char *w = strndup(s, n);

				json_array_append_new(words, json_pack(
				    "{s:s, s:[iiii], s:i}", "t", w, "box", x, y,
				    x + (int)chars * LAY_CHAR, y + LAY_HEIGHT,
				    "c", conf));
				free(w);
				if (x0 < 0)
					x0 = x;
				x += (int)chars * LAY_CHAR;
				x1 = x;
				x += LAY_SPACE;
			}
			s += n;
			while (*s == ' ')
				s++;
		}
	}
	va_end(ap);
	line = json_pack("{s:i, s:[iiii], s:o}", "b", 1, "box", x0, y, x1,
	    y + LAY_HEIGHT, "words", words);
	json_array_append_new(json_object_get(page, "lines"), line);
}

#define lay_line(page, ...)	lay_line_conf(page, 91, __VA_ARGS__)

/* x that centres s on the page. */
static int
lay_centre(const char *s)
{
	size_t chars = 0;

	for (; *s != '\0'; s++)
		if (((unsigned char)*s & 0xC0) != 0x80)
			chars++;
	return (LAY_W - (int)chars * LAY_CHAR) / 2;
}

static json_t *
lay_page(void)
{
	return json_pack("{s:i, s:i, s:[]}", "w", LAY_W, "h", LAY_H, "lines");
}

/* The text of a layout's lines, as ocr.c gives it alongside. */
static char *
lay_text(json_t *page)
{
	struct buf b;
	json_t *line, *w;
	size_t i, j;

	buf_init(&b, 1u << 20);
	json_array_foreach(json_object_get(page, "lines"), i, line) {
		json_array_foreach(json_object_get(line, "words"), j, w) {
			if (j > 0)
				buf_append(&b, " ", 1);
			buf_append(&b, json_string_value(json_object_get(w,
			    "t")), strlen(json_string_value(json_object_get(w,
			    "t"))));
		}
		buf_append(&b, "\n", 1);
	}
	return b.data;
}

/* Fields of a one-page layout, through the layouts array as stored. */
static json_t *
lay_fields(json_t *page)
{
	json_t *pages = json_pack("[O]", page), *doc;
	char *text = lay_text(page);

	doc = extract_fields(text, pages, NULL, NULL);
	json_decref(pages);
	free(text);
	return doc;
}

static void
lay_decision_header(json_t *pg, const char *no, const char *date)
{
	lay_line(pg, 300, 330, "ỦY BAN NHÂN DÂN", 1200,
	    "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", -1);
	lay_line(pg, 360, 300, "PHƯỜNG DỊCH VỌNG HẬU", 1350,
	    "Độc lập - Tự do - Hạnh phúc", -1);
	lay_line(pg, 430, 320, no, 1250, date, -1);
}

/* The header's fields from their place; the recitals' dates and
 * numbers, and the body's, are never taken. */
static void
test_layout_header(void **state)
{
	json_t *pg = lay_page(), *doc;

	(void)state;
	lay_decision_header(pg, "Số: 1245/QĐ-UBND",
	    "Cầu Giấy, ngày 15 tháng 3 năm 2024");
	lay_line(pg, 560, lay_centre("QUYẾT ĐỊNH"), "QUYẾT ĐỊNH", -1);
	lay_line(pg, 620, lay_centre("Về việc cấp giấy phép"),
	    "Về việc cấp giấy phép", -1);
	lay_line(pg, 700, 240, "Căn cứ Luật Tổ chức Chính phủ ngày 18 tháng "
	    "02 năm 2025;", -1);
	lay_line(pg, 760, 240, "Căn cứ Thông tư Số: 79/2024/TT-BCA ngày 15 "
	    "tháng 11 năm 2024;", -1);
	doc = lay_fields(pg);
	assert_field("layout", doc, "doc_type", "QUYẾT ĐỊNH");
	assert_field("layout", doc, "doc_number", "1245/QĐ-UBND");
	assert_field("layout", doc, "issued_on", "2024-03-15");
	assert_field("layout", doc, "agency_name",
	    "ỦY BAN NHÂN DÂN PHƯỜNG DỊCH VỌNG HẬU");
	json_decref(doc);
	json_decref(pg);
}

/* A day or a number left blank gives null, not a date or number from
 * elsewhere on the page; the text alone says the same. */
static void
test_layout_blank(void **state)
{
	json_t *pg = lay_page(), *doc;
	char *text;

	(void)state;
	lay_decision_header(pg, "Số:        /QĐ-UBND",
	    "Thanh Xuân, ngày        tháng 5 năm 2026");
	lay_line(pg, 560, lay_centre("QUYẾT ĐỊNH"), "QUYẾT ĐỊNH", -1);
	lay_line(pg, 700, 240, "Căn cứ Quyết định số 13/2025/QĐ-UBND ngày 18 "
	    "tháng 02 năm 2025;", -1);
	lay_line(pg, 760, 240, "Xét đơn đề nghị ngày 22 tháng 6 năm 2025 của "
	    "ông Mạc Minh Đông.", -1);
	doc = lay_fields(pg);
	assert_field("blank", doc, "doc_type", "QUYẾT ĐỊNH");
	assert_field("blank", doc, "doc_number", NULL);
	assert_field("blank", doc, "issued_on", NULL);
	json_decref(doc);
	text = lay_text(pg);
	doc = extract_fields(text, NULL, NULL, NULL);
	assert_field("blank, text", doc, "doc_number", NULL);
	assert_field("blank, text", doc, "issued_on", NULL);
	json_decref(doc);
	free(text);
	json_decref(pg);
}

/* An incoming-document stamp in the margin, on the header's and the
 * title's rows: none of it is a field, and the title is still the title. */
static void
test_layout_stamp(void **state)
{
	json_t *pg = lay_page(), *doc;

	(void)state;
	lay_line(pg, 300, 330, "ỦY BAN NHÂN DÂN", 1200,
	    "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", -1);
	lay_line(pg, 360, 300, "PHƯỜNG LĨNH NAM", 1350,
	    "Độc lập - Tự do - Hạnh phúc", -1);
	/* The Số line is lost under the stamp; the stamp has its own. */
	lay_line(pg, 430, 1250, "Lĩnh Nam, ngày 16 tháng 7 năm 2023", -1);
	lay_line(pg, 480, 60, "CỔNG THÔNG TIN", -1);
	lay_line(pg, 520, 60, "ĐẾN", -1);
	lay_line(pg, 560, 60, "Số: 79/2024/TT-BCA", lay_centre("TRÍCH LỤC "
	    "KHAI SINH"), "TRÍCH LỤC KHAI SINH", -1);
	lay_line(pg, 600, 60, "Ngày: 20/4/2026", -1);
	lay_line(pg, 640, 60, "Giờ. 16h00", 700, "Họ, chữ đệm, tên: LÊ VĂN "
	    "CƯỜNG", -1);
	doc = lay_fields(pg);
	assert_field("stamp", doc, "doc_type", "TRÍCH LỤC KHAI SINH");
	assert_field("stamp", doc, "doc_number", NULL);
	assert_field("stamp", doc, "issued_on", "2023-07-16");
	assert_field("stamp", doc, "agency_name",
	    "ỦY BAN NHÂN DÂN PHƯỜNG LĨNH NAM");
	json_decref(doc);
	json_decref(pg);
}

/* A letter's second page has no header: no header field, whatever its
 * body and recipients say; the text alone says the same. */
static void
test_layout_no_header(void **state)
{
	json_t *pg = lay_page(), *doc;
	char *text;

	(void)state;
	lay_line(pg, 150, 1230, "2", -1);
	lay_line(pg, 300, 240, "kết quả kiểm tra ngày 28 tháng 4 năm 2026, "
	    "các phòng, ban chuyên môn rà soát", -1);
	lay_line(pg, 360, 240, "Đề nghị các cơ quan, đơn vị hoàn thành trước "
	    "ngày 25/8/2026.", -1);
	lay_line(pg, 440, 240, "Nơi nhận:", 1500, "TM. ỦY BAN NHÂN DÂN", -1);
	lay_line(pg, 500, 240, "- Như trên;", 1600, "CHỦ TỊCH", -1);
	lay_line(pg, 560, 240, "- Lưu: VT, KT.", -1);
	doc = lay_fields(pg);
	assert_field("page 2", doc, "doc_type", NULL);
	assert_field("page 2", doc, "doc_number", NULL);
	assert_field("page 2", doc, "issued_on", NULL);
	assert_field("page 2", doc, "agency_name", NULL);
	json_decref(doc);
	text = lay_text(pg);
	doc = extract_fields(text, NULL, NULL, NULL);
	assert_field("page 2, text", doc, "doc_type", NULL);
	assert_field("page 2, text", doc, "issued_on", NULL);
	json_decref(doc);
	free(text);
	json_decref(pg);
}

/* A household business certificate: its number, digits alone, under the
 * title; a number Tesseract is unsure of is left null. */
static void
test_layout_certificate(void **state)
{
	json_t *pg = lay_page(), *doc;
	const char *t = "GIẤY CHỨNG NHẬN ĐĂNG KÝ HỘ KINH DOANH";

	(void)state;
	lay_line(pg, 300, 330, "ỦY BAN NHÂN DÂN", 1200,
	    "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", -1);
	lay_line(pg, 360, 330, "XÃ QUANG MINH", 1350,
	    "Độc lập - Tự do - Hạnh phúc", -1);
	lay_line(pg, 420, 340, "PHÒNG KINH TẾ", 1250,
	    "Quang Minh, ngày 25 tháng 3 năm 2026", -1);
	lay_line(pg, 560, lay_centre(t), t, -1);
	lay_line(pg, 620, lay_centre("Số: 0195163130"), "Số: 0195163130", -1);
	lay_line(pg, 680, lay_centre("Đăng ký lần đầu: ngày 13 tháng 02 năm "
	    "2026"), "Đăng ký lần đầu: ngày 13 tháng 02 năm 2026", -1);
	doc = lay_fields(pg);
	assert_field("certificate", doc, "doc_type", t);
	assert_field("certificate", doc, "doc_number", "0195163130");
	assert_field("certificate", doc, "issued_on", "2026-03-25");
	assert_field("certificate", doc, "agency_name", "PHÒNG KINH TẾ");
	json_decref(doc);
	json_decref(pg);

	/* An older certificate with no place-and-date line: issued when it
	 * was last registered, as printed under its title. */
	pg = lay_page();
	lay_line(pg, 300, 330, "ỦY BAN NHÂN DÂN", 1200,
	    "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", -1);
	lay_line(pg, 360, 330, "XÃ QUANG MINH", 1350,
	    "Độc lập - Tự do - Hạnh phúc", -1);
	lay_line(pg, 560, lay_centre(t), t, -1);
	lay_line(pg, 620, lay_centre("Số: 01D8012345"), "Số: 01D8012345", -1);
	lay_line(pg, 680, 240, "Đăng ký lần đầu: ngày 05 tháng 6 năm 2023", -1);
	lay_line(pg, 740, 240, "Đăng ký thay đổi lần thứ 1: ngày 25 tháng 3 "
	    "năm 2026", -1);
	lay_line(pg, 800, 240, "Căn cứ Luật ngày 18 tháng 02 năm 2025;", -1);
	doc = lay_fields(pg);
	assert_field("older certificate", doc, "doc_number", "01D8012345");
	assert_field("older certificate", doc, "issued_on", "2026-03-25");
	json_decref(doc);
	json_decref(pg);

	pg = lay_page();
	lay_line(pg, 300, 330, "ỦY BAN NHÂN DÂN", 1200,
	    "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", -1);
	lay_line(pg, 360, 300, "PHƯỜNG LĨNH NAM", 1350,
	    "Độc lập - Tự do - Hạnh phúc", -1);
	lay_line_conf(pg, 45, 430, 320, "Số: 445/NQ-CP", -1);
	lay_line(pg, 430, 1250, "Lĩnh Nam, ngày 24 tháng 02 năm 2026", -1);
	doc = lay_fields(pg);
	assert_field("unsure number", doc, "doc_number", NULL);
	assert_field("unsure number", doc, "issued_on", "2026-02-24");
	json_decref(doc);
	json_decref(pg);
}

/* Header columns Tesseract put close together on one line are still told
 * apart (at the motto, at "<place>, ngày"). */
static void
test_layout_tight_columns(void **state)
{
	json_t *pg = lay_page(), *doc;

	(void)state;
	lay_line(pg, 300, 400, "UBND THÀNH PHỐ HÀ NỘI CỘNG HÒA XÃ HỘI CHỦ "
	    "NGHĨA VIỆT NAM", -1);
	lay_line(pg, 360, 545, "SỞ XÂY DỰNG", 1340,
	    "Độc lập - Tự do - Hạnh phúc", -1);
	lay_line(pg, 420, 545, "Số: 1477/GPXD Hà Nội, ngày 09 tháng 6 năm "
	    "2023", -1);
	lay_line(pg, 560, lay_centre("GIẤY PHÉP XÂY DỰNG"),
	    "GIẤY PHÉP XÂY DỰNG", -1);
	lay_line(pg, 700, 240, "Căn cứ Luật Xây dựng ngày 18 tháng 6 năm "
	    "2014;", -1);
	doc = lay_fields(pg);
	assert_field("tight", doc, "doc_type", "GIẤY PHÉP XÂY DỰNG");
	assert_field("tight", doc, "doc_number", "1477/GPXD");
	assert_field("tight", doc, "issued_on", "2023-06-09");
	assert_field("tight", doc, "agency_name", "SỞ XÂY DỰNG");
	json_decref(doc);
	json_decref(pg);
}

/* The text alone: a recital's date is not the date of issue, nor is a
 * date after "Nơi nhận:". */
static void
test_text_recital(void **state)
{
	json_t *doc;

	(void)state;
	doc = extract_fields("ỦY BAN NHÂN DÂN\nPHƯỜNG LĨNH NAM\n"
	    "Số: 12/QĐ-UBND\nQUYẾT ĐỊNH\nVề việc hỗ trợ kinh phí\n"
	    "Căn cứ Luật Tổ chức Chính phủ\nngày 18 tháng 02 năm 2025;\n"
	    "Nơi nhận:\n- Như trên, ngày 20 tháng 4 năm 2026;\n", NULL, NULL,
	    NULL);
	assert_field("recital", doc, "doc_number", "12/QĐ-UBND");
	assert_field("recital", doc, "doc_type", "QUYẾT ĐỊNH");
	assert_field("recital", doc, "issued_on", NULL);
	json_decref(doc);
}

/* Until when a result holds, as its text says; never from a recital. */
static void
test_valid_until(void **state)
{
	static const struct {
		const char *text, *want;
	} c[] = {
		{ "3. Giấy phép có hiệu lực đến ngày 03 tháng 4 năm 2027.\n",
		    "2027-04-03" },
		{ "Giấy chứng nhận có giá trị sử dụng đến\n31/12/2030.\n",
		    "2030-12-31" },
		{ "3. Giấy phép có hiệu lực khởi công xây dựng trong thời hạn "
		    "12 tháng kể từ ngày cấp.\n", NULL },
		{ "Điều 2. Quyết định này có hiệu lực kể từ ngày ký.\n", NULL },
		{ "Căn cứ Giấy phép số 12/GPXD có hiệu lực đến ngày 01 tháng 01 "
		    "năm 2020;\n", NULL },
		{ "Giấy phép có hiệu lực đến ngày 31 tháng 02 năm 2027.\n",
		    NULL },
	};
	json_t *doc;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof c / sizeof c[0]; i++) {
		doc = extract_fields(c[i].text, NULL, NULL, NULL);
		assert_field(c[i].text, doc, "valid_until", c[i].want);
		json_decref(doc);
	}
}

/* Each value says where it was read; a null field has no note. */
static void
test_evidence(void **state)
{
	struct profile p;
	json_t *doc, *ev;

	(void)state;
	memset(&p, 0, sizeof p);
	p.name = (char *)"test";
	p.filename_pattern = (char *)"^([0-9A-Z.]+-[0-9]{6}-[0-9]{4})";
	doc = extract_fields_noted("ỦY BAN NHÂN DÂN\nPHƯỜNG LĨNH NAM\n"
	    "Số: 12/QĐ-UBND\nQUYẾT ĐỊNH\nVề việc hỗ trợ kinh phí\n", NULL,
	    "000.00.31.H26-240315-0017.tif", &p, &ev);
	assert_field("evidence", doc, "doc_number", "12/QĐ-UBND");
	assert_string_equal(json_string_value(json_object_get(json_object_get(
	    ev, "doc_number"), "from")), "text");
	assert_string_equal(json_string_value(json_object_get(json_object_get(
	    ev, "doc_number"), "text")), "Số: 12/QĐ-UBND");
	assert_string_equal(json_string_value(json_object_get(json_object_get(
	    ev, "doc_type"), "text")), "QUYẾT ĐỊNH");
	assert_string_equal(json_string_value(json_object_get(json_object_get(
	    ev, "dossier_code"), "from")), "file name");
	assert_null(json_object_get(ev, "issued_on"));
	json_decref(ev);
	json_decref(doc);
}

/* A name cut at a line's end and found again whole is one person. */
static void
test_cut_name_once(void **state)
{
	json_t *doc, *people;

	(void)state;
	doc = extract_fields("Họ và tên: Dương Ngọc Minh Trang\n"
	    "Giao ông Dương Ngọc\nMinh Trang thực hiện.\n", NULL, NULL, NULL);
	people = json_object_get(doc, "people");
	assert_int_equal(json_array_size(people), 1);
	assert_string_equal(json_string_value(json_array_get(people, 0)),
	    "Dương Ngọc Minh Trang");
	json_decref(doc);
}

/* The recipients are told, the result is not for them: a letter's second
 * page names nobody.  "Ong" with its mark lost is still the title. */
static void
test_people_not_recipients(void **state)
{
	json_t *doc, *people;

	(void)state;
	doc = extract_fields("Đề nghị các cơ quan hoàn thành trước ngày "
	    "25/8/2025.\nNơi nhận:\n- Như trên;\n- Ông Võ Xuân Hậu (để "
	    "biết);\n- Lưu: VT, KT.\nCHỦ TỊCH\nLữ Thế Hiếu\n", NULL, NULL,
	    NULL);
	assert_int_equal(json_array_size(json_object_get(doc, "people")), 0);
	json_decref(doc);

	doc = extract_fields("GIẤY PHÉP XÂY DỰNG\nCấp cho: Ong Huỳnh Công "
	    "Việt Dũng\nĐịa chỉ: số 5 phố Huế\nNơi nhận:\n- Bà Trần Thị "
	    "Lan;\n", NULL, NULL, NULL);
	people = json_object_get(doc, "people");
	assert_int_equal(json_array_size(people), 1);
	assert_string_equal(json_string_value(json_array_get(people, 0)),
	    "Huỳnh Công Việt Dũng");
	json_decref(doc);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_profile_rules),
		cmocka_unit_test(test_profile_rules_refused),
		cmocka_unit_test(test_cases),
		cmocka_unit_test(test_cases_nfd),
		cmocka_unit_test(test_null_text_and_profile),
		cmocka_unit_test(test_invalid_utf8),
		cmocka_unit_test(test_ids_deduplicated),
		cmocka_unit_test(test_layout_header),
		cmocka_unit_test(test_layout_blank),
		cmocka_unit_test(test_layout_stamp),
		cmocka_unit_test(test_layout_no_header),
		cmocka_unit_test(test_layout_certificate),
		cmocka_unit_test(test_layout_tight_columns),
		cmocka_unit_test(test_text_recital),
		cmocka_unit_test(test_valid_until),
		cmocka_unit_test(test_evidence),
		cmocka_unit_test(test_cut_name_once),
		cmocka_unit_test(test_people_not_recipients),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
