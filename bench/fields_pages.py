#!/usr/bin/env python3
"""Writes the page sources and the ground truth of the fields set.

usage: bench/fields_pages.py OUTDIR PAGES

bench/fields-make-set runs this, then renders each page.  For every page
it writes
  OUTDIR/src/PAGE.txt       the page source (tests/fixtures/README.md
                            "Sources", with bench/render.sh's `|` blocks)
  OUTDIR/src/PAGE.qr        the QR payload, UTF-8, on pages that carry one
  OUTDIR/src/PAGE.stamp     the incoming stamp's lines, on pages that carry one
  OUTDIR/PAGE.fields.json   the fields as issued (null where the page has none)
and OUTDIR/src/plan.tsv: page, kind, look, overlays (seal, stamp, qr,
smudge or -), the number of header lines (for the stamp), the line of the
printed dossier code (for the smudge; 0 if none).

Everything is invented: people, numbers, places.  The layout follows Nghị
định 30/2020 (DOMAIN.md): the left header (bodies, "Số:"), the right header
(motto, place and date), the title in capitals; bodies carry the
distractors today's extractor takes fields from: recitals citing other
documents' numbers and dates, birth and registration dates, deadlines,
recipients lists, incoming stamps.  Deterministic: one seeded generator.
Standard library only.
"""
import json
import os
import random
import sys
import textwrap
import urllib.parse

SEED = 10

FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ",
          "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô", "Dương", "Lý", "Đinh", "Đoàn",
          "Trịnh", "Tô", "Lương", "Mạc", "Khổng", "Lữ"]
MIDDLE_M = ["Văn", "Hữu", "Đức", "Quốc", "Minh", "Thế", "Bảo", "Xuân", "Công"]
MIDDLE_F = ["Thị", "Thu", "Ngọc", "Diệu", "Hồng", "Mỹ", "Thanh", "Kim"]
GIVEN_M = ["Đức", "Thắng", "Hiếu", "Lộc", "Tuấn", "Dũng", "Đạt", "Hậu", "Nhật",
           "Hưởng", "Tưởng", "Chiến", "Quyết", "Khoa", "Đông", "Thuận", "Cường"]
GIVEN_F = ["Hường", "Quỳnh", "Nguyệt", "Ngữ", "Phượng", "Khuê", "Ánh", "Thủy",
           "Thảo", "Yến", "Huyền", "Diễm", "Oanh", "Nhung", "Trang", "Dịu"]
# (ward in capitals, ward as written, former district)
WARDS = [("PHƯỜNG NGHĨA ĐÔ", "Nghĩa Đô"), ("PHƯỜNG ĐỐNG ĐA", "Đống Đa"),
         ("PHƯỜNG HOÀNG MAI", "Hoàng Mai"), ("XÃ ĐÔNG ANH", "Đông Anh"),
         ("XÃ QUANG MINH", "Quang Minh"), ("PHƯỜNG CẦU GIẤY", "Cầu Giấy"),
         ("PHƯỜNG THANH XUÂN", "Thanh Xuân"), ("XÃ SÓC SƠN", "Sóc Sơn"),
         ("PHƯỜNG ĐẠI MỖ", "Đại Mỗ"), ("PHƯỜNG LĨNH NAM", "Lĩnh Nam")]
STREETS = ["phố Trần Quốc Hoàn", "phố Hoàng Hoa Thám", "đường Láng",
           "phố Đội Cấn", "đường Nguyễn Trãi", "phố Kim Mã", "ngõ 15 phố Vọng",
           "đường Phạm Văn Đồng", "phố Lê Trọng Tấn", "ngõ 68 Cầu Giấy"]
PROVINCES = ["001", "001", "001", "031", "034", "036", "038", "040", "025", "027",
             "079", "048"]
AGENCIES = ["000.23.11.H26", "000.A0.01.H26", "000.00.07.H26", "000.30.25.H26",
            "000.17.12.H26"]
PROCEDURES = {"birth": "1.001193.000.00.00.H26",
              "household": "2.000720.000.00.00.H26",
              "permit": "1.009994.000.00.00.H26",
              "decision": "1.001612.000.00.00.H26"}
TITLES = {"birth": "TRÍCH LỤC KHAI SINH",
          "household": "GIẤY CHỨNG NHẬN ĐĂNG KÝ HỘ KINH DOANH",
          "permit": "GIẤY PHÉP XÂY DỰNG", "decision": "QUYẾT ĐỊNH",
          "circular": "THÔNG TƯ"}
# Sixteen pages a round: the four results three times, then the others.
ROUND = ["birth", "household", "permit", "decision"] * 3 + [
    "letter", "page2", "decision-blank", "circular"]
# How each page is scanned; 13 looks against 16 kinds, so every kind meets
# every look within the 64 pages.
LOOKS = ["clean", "noise", "skew", "rot90", "saltpepper", "blur", "dpi200",
         "clean-g4", "rot180", "jpeg", "skew-neg", "dpi200-notag", "clean"]

# The page whose printed dossier code is smudged (its QR is clean) is the
# first coded QR page scanned in one of these looks.
SMUDGE_LOOKS = ("clean", "jpeg", "noise")

R = random.Random(SEED)


def person(female=None):
    if female is None:
        female = R.random() < 0.5
    mid = R.choice(MIDDLE_F if female else MIDDLE_M)
    given = R.choice(GIVEN_F if female else GIVEN_M)
    if R.random() < 0.3:
        second = R.choice(["Thu", "Ngọc", "Minh", "Bảo", "Xuân"] if female
                          else ["Minh", "Quang", "Hoàng", "Anh", "Việt"])
        mid += " " + second
    return "%s %s %s" % (R.choice(FAMILY), mid, given), female


def id_number(year, female):
    century = 0 if year < 2000 else 2
    return "%s%d%02d%06d" % (R.choice(PROVINCES), century + female, year % 100,
                             R.randrange(1000000))


def vn_date(y, m, d):
    """As Nghị định 30/2020 writes it: days below 10 and months 1 and 2 with a 0."""
    return "ngày %02d tháng %s năm %d" % (d, "%02d" % m if m < 3 else str(m), y)


def iso(y, m, d):
    return "%04d-%02d-%02d" % (y, m, d)


def issue_date():
    y = R.choice([2023, 2024, 2025, 2026, 2026, 2026])
    return y, R.randint(1, 12 if y < 2026 else 4), R.randint(1, 28)


def minus_days(y, m, d, days):
    d -= days
    while d < 1:
        m -= 1
        if m < 1:
            m, y = 12, y - 1
        d += 28
    return y, m, d


def dossier_code(y, m, d):
    ry, rm, rd = minus_days(y, m, d, R.randint(3, 20))
    return "%s-%02d%02d%02d-%04d" % (R.choice(AGENCIES), ry % 100, rm, rd,
                                     R.randint(1, 400))


def wrap(text, flags="L"):
    return [(flags, t) for t in textwrap.wrap(text, 76)]


def header(left, right_place, date_text):
    """The two headers side by side: left lines (bodies, Số:), then the right."""
    out = [("|h", left[0])] + [("|hB", t) for t in left[1:-1]] + [("|h", left[-1])]
    out += [("|HB", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"),
            ("|HB", "Độc lập - Tự do - Hạnh phúc")]
    out.append(("|HI", "%s, %s" % (right_place, date_text)))
    return out


def signature(by, role, signer, recipients):
    out = [("-", "")]
    if recipients:
        out += [("|LBI", "Nơi nhận:")] + [("|L", "- " + r) for r in recipients]
    out += [("|HB", t) for t in by]
    out += [("|HB", role)]
    out += [("-", "")] * 5 + [("HB", signer)]
    return out


def new_page(kind):
    """One page: (lines, fields, extras) of the kind asked."""
    ward, place = R.choice(WARDS)
    y, m, d = issue_date()
    seq = R.randint(2, 2400)
    f = {"doc_type": TITLES.get(kind.split("-")[0]), "doc_number": None,
         "issued_on": iso(y, m, d), "people": [], "id_numbers": [],
         "dossier_code": None, "procedure_code": None, "valid_until": None,
         "holder": None}
    signer = person()[0]
    wn = "%s %s" % (ward.split()[0].lower(), place)    # "phường Nghĩa Đô"
    lines = []
    if kind == "birth":
        child, fem = person()
        by = R.randint(2015, 2025)
        mother, _ = person(True)
        father, _ = person(False)
        pid = id_number(by, fem)
        f["doc_number"] = R.choice(["%d/TLKS-BS" % seq, "%d/TLKS" % seq,
                                    "%d/%d/SCT/BS" % (seq % 300 + 1, y)])
        lines += header(["ỦY BAN NHÂN DÂN", ward, "Số: " + f["doc_number"]],
                        place, vn_date(y, m, d))
        bm, bd = R.randint(1, 12), R.randint(1, 28)
        lines += [("-", ""), ("CB", TITLES[kind]), ("-", ""),
                  ("L", "Họ, chữ đệm, tên: " + child.upper()),
                  ("L", "Ngày, tháng, năm sinh: %02d/%02d/%d" % (bd, bm, by)),
                  ("L", "Giới tính: %s; Dân tộc: Kinh; Quốc tịch: Việt Nam" %
                   ("Nữ" if fem else "Nam")),
                  ("L", "Nơi sinh: Bệnh viện Phụ sản Hà Nội"),
                  ("L", "Số định danh cá nhân: " + pid),
                  ("L", "Họ, chữ đệm, tên người mẹ: " + mother.upper()),
                  ("L", "Họ, chữ đệm, tên người cha: " + father.upper()),
                  ("L", "Nơi đăng ký khai sinh: Ủy ban nhân dân %s, Hà Nội" % wn),
                  ("L", "Ngày đăng ký: %02d/%02d/%d; Số: %d, Quyển số: 01/%d" %
                   (min(bd + 9, 28), bm, by, R.randint(10, 300), by))]
        f.update(people=[child.upper(), mother.upper(), father.upper()],
                 id_numbers=[pid], holder=child)
        tail = signature(["TM. ỦY BAN NHÂN DÂN"], "KT. CHỦ TỊCH", signer, [])
    elif kind == "household":
        owner, fem = person()
        oy = R.randint(1965, 2000)
        pid = id_number(oy, fem) if R.random() < 0.85 else "0%08d" % R.randrange(10**8)
        f["doc_number"] = "01" + R.choice(["D8", "E8", "95", "96", "B8"]) + \
            "%06d" % R.randrange(10**6)
        lines += header(["ỦY BAN NHÂN DÂN", ward, "PHÒNG KINH TẾ"], place,
                        vn_date(y, m, d))
        fy, fm, fd = minus_days(y - R.randint(0, 3), m, d, 40)
        lines += [("-", ""), ("CB", TITLES[kind]), ("C", "Số: " + f["doc_number"]),
                  ("CI", "Đăng ký lần đầu: " + vn_date(fy, fm, fd))]
        if (fy, fm, fd) < (y, m, d) and R.random() < 0.6:
            lines.append(("CI", "Đăng ký thay đổi lần thứ 1: " + vn_date(y, m, d)))
        lines += [("-", ""),
                  ("L", "1. Tên hộ kinh doanh: HỘ KINH DOANH " +
                   owner.split()[-1].upper() + " " + R.choice(["ĐẠT", "PHÁT", "LỘC"])),
                  ("L", "2. Địa điểm kinh doanh: số %d %s, %s, Hà Nội" %
                   (R.randint(2, 120), R.choice(STREETS), wn)),
                  ("L", "Điện thoại: 09%08d" % R.randrange(10**8)),
                  ("L", "3. Ngành, nghề kinh doanh: " + R.choice([
                      "bán lẻ đồ uống; dịch vụ ăn uống", "sửa chữa xe máy",
                      "bán lẻ văn phòng phẩm", "may mặc"])),
                  ("L", "4. Vốn kinh doanh: %d.000.000 đồng" % R.choice([50, 120, 300])),
                  ("L", "5. Chủ hộ kinh doanh: " + owner.upper()),
                  ("L", "Giới tính: %s; sinh ngày: %02d/%02d/%d; quốc tịch: Việt Nam" %
                   ("Nữ" if fem else "Nam", R.randint(1, 28), R.randint(1, 12), oy)),
                  ("L", "Số định danh cá nhân: " + pid)]
        f.update(people=[owner.upper()], id_numbers=[pid], holder=owner)
        tail = signature(["TM. ỦY BAN NHÂN DÂN"], "KT. CHỦ TỊCH", signer, [])
    elif kind == "permit":
        owner, fem = person()
        pid = id_number(R.randint(1960, 1995), fem)
        city = R.random() < 0.5
        f["doc_number"] = ("%d/GPXD" % seq) if city else ("%d/GPXD-UBND" % seq)
        left = (["UBND THÀNH PHỐ HÀ NỘI", "SỞ XÂY DỰNG"] if city
                else ["ỦY BAN NHÂN DÂN", ward])
        lines += header(left + ["Số: " + f["doc_number"]],
                        "Hà Nội" if city else place, vn_date(y, m, d))
        ay, am, ad = minus_days(y, m, d, R.randint(10, 25))
        hon = "bà" if fem else "ông"
        lines += [("-", ""), ("CB", TITLES[kind]),
                  ("CI", "(Sử dụng cho nhà ở riêng lẻ)"), ("-", ""),
                  ("L", "Căn cứ Luật Xây dựng ngày 18 tháng 6 năm 2014;"),
                  ("L", "Căn cứ Nghị định số 175/2024/NĐ-CP ngày 30 tháng 12 năm 2024;")]
        lines += wrap("Xét đơn đề nghị cấp giấy phép xây dựng %s của %s %s." %
                      (vn_date(ay, am, ad), hon, owner))
        lines += [("L", "1. Cấp cho: %s %s" % (hon.capitalize(), owner)),
                  ("L", "Số định danh cá nhân: " + pid),
                  ("L", "Địa chỉ: số %d %s, Hà Nội" % (R.randint(2, 90), R.choice(STREETS))),
                  ("L", "2. Được phép xây dựng công trình: nhà ở riêng lẻ"),
                  ("L", "- Diện tích xây dựng tầng 1: %d m2; số tầng: %d" %
                   (R.randint(40, 120), R.randint(2, 5)))]
        if R.random() < 0.5:
            vy = y + 1
            lines.append(("L", "3. Giấy phép có hiệu lực đến %s." % vn_date(vy, m, d)))
            f["valid_until"] = iso(vy, m, d)
        else:
            lines += wrap("3. Giấy phép có hiệu lực khởi công xây dựng trong thời "
                          "hạn 12 tháng kể từ ngày cấp.")
        f.update(people=[owner], id_numbers=[pid], holder=owner)
        tail = signature(["KT. GIÁM ĐỐC" if city else "TM. ỦY BAN NHÂN DÂN"],
                         "PHÓ GIÁM ĐỐC" if city else "CHỦ TỊCH", signer,
                         ["Như trên;", "Lưu: VT."])
    elif kind.startswith("decision"):
        holder, fem = person()
        pid = id_number(R.randint(1955, 2000), fem)
        f["doc_number"] = R.choice(["%d/QĐ-UBND" % seq, "%d/QĐ-UBND" % seq,
                                    "%d/QĐ-CT" % seq, "%d/%d/QĐ-UBND" % (seq % 60 + 1, y)])
        number, date = "Số: " + f["doc_number"], vn_date(y, m, d)
        if kind == "decision-blank":
            # Left for the hand to fill in: the day, and on some the number.
            date = "ngày    tháng %d năm %d" % (m, y)
            f["issued_on"] = None
            if R.random() < 0.5:
                number, f["doc_number"] = "Số:        /QĐ-UBND", None
        lines += header(["ỦY BAN NHÂN DÂN", ward, number], place, date)
        what = R.choice(["hỗ trợ kinh phí cho hộ gia đình",
                         "công nhận hộ thoát nghèo", "cấp đổi giấy chứng nhận",
                         "bồi thường khi Nhà nước thu hồi đất"])
        hon = "bà" if fem else "ông"
        lines += [("-", ""), ("CB", "QUYẾT ĐỊNH"), ("CB", "Về việc " + what), ("-", ""),
                  ("CB", "CHỦ TỊCH ỦY BAN NHÂN DÂN " + ward), ("-", ""),
                  ("L", "Căn cứ Luật Tổ chức chính quyền địa phương ngày 16 tháng 6 năm 2025;"),
                  ("L", "Căn cứ Quyết định số %d/%d/QĐ-UBND ngày 18 tháng 02 năm %d;" %
                   (R.randint(2, 60), y - 1, y - 1)),
                  ("L", "Xét đề nghị của Trưởng phòng Kinh tế tại Tờ trình số %d/TTr-KT." %
                   R.randint(10, 200)),
                  ("CB", "QUYẾT ĐỊNH:")]
        lines += wrap("Điều 1. Quyết định %s cho %s %s, số định danh cá nhân %s, "
                      "thường trú tại %s, Hà Nội." % (what, hon, holder, pid, wn))
        lines += wrap("Điều 2. Quyết định này có hiệu lực kể từ ngày ký.")
        lines += wrap("Điều 3. Chánh Văn phòng, Trưởng phòng Kinh tế và %s %s chịu "
                      "trách nhiệm thi hành Quyết định này." % (hon, holder))
        f.update(people=[holder], id_numbers=[pid], holder=holder)
        tail = signature(["TM. ỦY BAN NHÂN DÂN"], "CHỦ TỊCH", signer,
                         ["Như Điều 3;", "Lưu: VT, KT."])
    elif kind == "letter":
        citizen, fem = person()
        hon = "bà" if fem else "ông"
        f["doc_number"] = "%d/UBND-KT" % seq
        f["doc_type"] = None    # a letter has no title
        lines += header(["ỦY BAN NHÂN DÂN", ward, "Số: " + f["doc_number"]],
                        place, vn_date(y, m, d))
        lines.insert(3, ("|hI", "V/v trả lời đơn của công dân"))
        ay, am, ad = minus_days(y, m, d, 15)
        lines += [("-", ""), ("C", "Kính gửi: %s %s" % (hon.capitalize(), citizen)), ("-", "")]
        lines += wrap("Ủy ban nhân dân %s nhận được đơn đề nghị ngày %02d/%02d/%d "
                      "của %s %s về việc cấp lại giấy chứng nhận." %
                      (wn, ad, am, ay, hon, citizen))
        lines += wrap("Căn cứ Thông tư số 79/2024/TT-BCA ngày 15 tháng 11 năm 2024 của "
                      "Bộ Công an, Ủy ban nhân dân %s trả lời như sau:" % wn)
        lines += wrap("Đề nghị %s bổ sung hồ sơ tại Bộ phận Một cửa trước ngày "
                      "25/%d/%d." % (hon, min(m + 1, 12), y))
        f.update(people=[citizen], holder=citizen)
        tail = signature(["TM. ỦY BAN NHÂN DÂN"], "KT. CHỦ TỊCH", signer,
                         ["Như trên;", "Lưu: VT, KT."])
    elif kind == "page2":
        # The second page of a letter, scanned alone: no header, no title.
        other = person()[0]
        f.update(doc_type=None, issued_on=None)
        lines += [("C", "2"), ("-", "")]
        lines += wrap("kết quả kiểm tra %s, các phòng, ban chuyên môn rà soát "
                      "hồ sơ còn tồn đọng và báo cáo Chủ tịch Ủy ban nhân dân." %
                      vn_date(y, m, d))
        lines += wrap("Đề nghị các cơ quan, đơn vị hoàn thành trước ngày 25/8/%d." % y)
        tail = signature(["TM. ỦY BAN NHÂN DÂN"], "CHỦ TỊCH", signer,
                         ["Như trên;", "Ông %s (để biết);" % other, "Lưu: VT, KT."])
    else:   # circular: a normative document citing the one it amends
        f["doc_number"] = "%d/%d/TT-BCA" % (seq % 80 + 1, y)
        lines += header(["BỘ CÔNG AN", "Số: " + f["doc_number"]], "Hà Nội",
                        vn_date(y, m, d))
        lines += [("-", ""), ("CB", "THÔNG TƯ"),
                  ("CB", "Sửa đổi, bổ sung một số điều của Thông tư số 79/2024/TT-BCA"),
                  ("-", ""),
                  ("L", "Căn cứ Luật Cư trú ngày 13 tháng 11 năm 2020;"),
                  ("L", "Căn cứ Nghị định số 02/2025/NĐ-CP ngày 18 tháng 02 năm 2025;"),
                  ("L", "Theo đề nghị của Giám đốc Công an thành phố Hà Nội;")]
        lines += wrap("Bộ trưởng Bộ Công an ban hành Thông tư sửa đổi, bổ sung một số "
                      "điều của Thông tư số 79/2024/TT-BCA ngày 15 tháng 11 năm 2024.")
        lines += wrap("Điều 1. Thông tư này có hiệu lực từ ngày 01 tháng 6 năm %d." % y)
        tail = signature([], "BỘ TRƯỞNG", signer, ["Như Điều 1;", "Lưu: VT, V03."])
    nhead = sum(1 for fl, _ in lines if fl.startswith("|"))
    return lines, tail, f, (y, m, d), nhead, ward


def qr_payload(shape, f, when, ward):
    y, m, d = when
    stamp = "%04d-%02d-%02dT%02d:%02d:00+07:00" % (y, m, d, R.randint(8, 16), R.randint(0, 59))
    valid = f["valid_until"]
    name = (f["doc_type"] or "").capitalize()
    if shape == "web":
        return "https://dichvucong.hanoi.gov.vn"
    if shape == "url":
        q = [("maHoSo", f["dossier_code"]), ("maTTHC", f["procedure_code"]),
             ("soDinhDanh", f["id_numbers"][0]), ("tenGiayTo", name),
             ("heThong", "HTTTGQTTHC.HaNoi"), ("thoiGianCap", stamp),
             ("hieuLuc", valid or "KTH")]
        return "https://dichvucong.hanoi.gov.vn/tra-cuu-ket-qua?" + urllib.parse.urlencode(q)
    if shape == "json":
        return json.dumps({"Mã hồ sơ": f["dossier_code"], "Mã TTHC": f["procedure_code"],
                           "Số định danh": f["id_numbers"][0], "Tên giấy tờ": name,
                           "Hệ thống": "Hệ thống thông tin giải quyết TTHC thành phố Hà Nội",
                           "Thời gian cấp": stamp, "Hiệu lực": valid or "Không thời hạn",
                           "Phạm vi": "Toàn quốc"}, ensure_ascii=False)
    return "|".join([f["dossier_code"], f["procedure_code"], f["id_numbers"][0], name,
                     "DVC Ha Noi", "%02d/%02d/%04d" % (d, m, y),
                     "%s/%s/%s" % tuple(reversed(valid.split("-"))) if valid else "KTH"])


def main(argv):
    if len(argv) != 2:
        sys.stderr.write(__doc__.split("\n\n")[1] + "\n")
        return 2
    out, pages = argv[0], int(argv[1])
    os.makedirs(os.path.join(out, "src"), exist_ok=True)
    plan = []
    qr_shapes = ["url", "json", "delim", "web", "url", "json", "delim"]
    nqr = 0
    smudged = False
    for i in range(pages):
        kind = ROUND[i % len(ROUND)]
        look = LOOKS[i % len(LOOKS)]
        page = "p%02d-%s-%s" % (i + 1, kind, look)
        lines, tail, f, when, nhead, ward = new_page(kind)
        overlays = []
        shape = None
        if kind in PROCEDURES and R.random() < 0.33:
            shape = qr_shapes[nqr % len(qr_shapes)]
            nqr += 1
        coded = shape in ("url", "json", "delim")
        if coded:
            # The QR holds the dossier code; the page prints it too, mostly.
            f["dossier_code"] = dossier_code(*when)
            f["procedure_code"] = PROCEDURES[kind]
            printed = R.random() < 0.7 or (not smudged and look in SMUDGE_LOOKS)
        elif kind in PROCEDURES and not (shape == "web" and nqr <= len(qr_shapes)):
            printed = R.random() < 0.35
            if printed:
                f["dossier_code"] = dossier_code(*when)
        else:
            printed = False     # the first web-address QR: no code anywhere
        dossier_line = 0
        if printed:
            lines.append(("L", "Mã hồ sơ: " + f["dossier_code"]))
            dossier_line = sum(1 for fl, _ in lines if fl != "-")
        if shape:
            overlays.append("qr")
            payload = qr_payload(shape, f, when, ward)
            with open(os.path.join(out, "src", page + ".qr"), "w", encoding="utf-8") as q:
                q.write(payload)
            if coded and dossier_line and not smudged and look in SMUDGE_LOOKS:
                overlays.append("smudge")
                smudged = True
        if kind not in ("page2", "circular") and i % 5 == 2:
            overlays.append("stamp")
            lines[nhead:nhead] = [("-", "")] * 5
            sy, sm, sd = when
            with open(os.path.join(out, "src", page + ".stamp"), "w", encoding="utf-8") as s:
                s.write("VĂN PHÒNG HĐND VÀ UBND\nĐẾN Số: %d\nNgày: %d/%d/%d\nGiờ: %dh%02d\n" % (
                    R.randint(100, 9000), min(sd + 3, 28), sm, sy, R.randint(7, 16),
                    R.choice([0, 15, 30, 45])))
        if R.random() < 0.4 and kind != "circular":
            overlays.append("seal")
        lines += tail
        with open(os.path.join(out, "src", page + ".txt"), "w", encoding="utf-8") as s:
            s.write("# %s: invented, made by bench/fields_pages.py\n" % page)
            for fl, t in lines:
                s.write("-\n" if fl == "-" else "%s\t%s\n" % (fl, t))
        f["qr"] = shape
        with open(os.path.join(out, page + ".fields.json"), "w", encoding="utf-8") as j:
            json.dump(f, j, ensure_ascii=False, indent=1)
            j.write("\n")
        plan.append("%s\t%s\t%s\t%s\t%d\t%d" % (page, kind, look, ",".join(overlays) or "-",
                                                nhead, dossier_line))
    with open(os.path.join(out, "src", "plan.tsv"), "w", encoding="utf-8") as p:
        p.write("\n".join(plan) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
