/*
 * test_codes.c: what a QR payload really holds.  The procedure systems
 * write URLs, JSON with Vietnamese keys and delimited text; each shape
 * must give the dossier code, procedure code, ID number and validity it
 * carries, under any spelling of the key, and nothing it does not carry:
 * an office's web address gives no dossier code, and a value of the wrong
 * shape is not taken.  Codes are read off committed images, a payload that
 * is not UTF-8 among them.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <leptonica/allheaders.h>

#include "sohoa.h"
#include "testlib.h"

#define DOSSIER		"000.23.11.H26-240315-0017"
#define PROCEDURE	"1.001612.000.00.00.H26"

/* The value of key in codes_fields(text) as a string, "" when absent, and
 * the first ID number for "id". */
static const char *
field(json_t *f, const char *key)
{
	json_t *v;

	if (strcmp(key, "id") == 0)
		v = json_array_get(json_object_get(f, "id_numbers"), 0);
	else
		v = json_object_get(f, key);
	return json_is_string(v) ? json_string_value(v) : "";
}

struct shape_case {
	const char	*what;
	const char	*payload;
	const char	*dossier, *procedure, *id, *valid;
};

static const struct shape_case shape_cases[] = {
	{ "URL with camelCase keys",
	  "https://dichvucong.hanoi.gov.vn/tra-cuu?maHoSo=" DOSSIER
	  "&maTTHC=" PROCEDURE "&soDinhDanh=001323012345&ngayHetHan=31/12/2030",
	  DOSSIER, PROCEDURE, "001323012345", "2030-12-31" },
	{ "URL with snake_case keys, escapes, a fragment",
	  "HTTP://dvc.gov.vn/kq?ma_ho_so=000.A0.01.H26%2D210212%2D9090;"
	  "MA_TTHC=2.000815.000.00.00.H55&cccd=001323012345&hieu_luc="
	  "2031-01-15T00:00:00#top",
	  "000.A0.01.H26-210212-9090", "2.000815.000.00.00.H55",
	  "001323012345", "2031-01-15" },
	{ "the office's web address alone gives nothing",
	  "https://ubnd.dichvong.hanoi.gov.vn/", "", "", "", "" },
	{ "a URL whose path looks like a dossier code gives nothing",
	  "https://dvc.gov.vn/hoso/" DOSSIER, "", "", "", "" },
	{ "JSON with Vietnamese keys",
	  "{\"Mã hồ sơ\": \"" DOSSIER "\", \"Mã TTHC\": \"" PROCEDURE "\","
	  " \"Số định danh\": \"001323012345\", \"Tên giấy tờ\": \"Trích lục"
	  " khai sinh\", \"Hiệu lực đến\": \"2030-12-31\"}",
	  DOSSIER, PROCEDURE, "001323012345", "2030-12-31" },
	{ "JSON nested, an old 9-digit ID number",
	  "{\"ketQua\": {\"maHoSo\": \"" DOSSIER "\", \"soCMND\": \"012345678\"}}",
	  DOSSIER, "", "012345678", "" },
	{ "delimited key: value|key: value",
	  "Mã hồ sơ: " DOSSIER "|Mã TTHC: " PROCEDURE "|Số CCCD: 001323012345"
	  "|Ngày hết hạn: 01-06-2029", DOSSIER, PROCEDURE, "001323012345",
	  "2029-06-01" },
	{ "lines of key=value, without marks",
	  "ma ho so=" DOSSIER "\nma tthc=" PROCEDURE "\n", DOSSIER, PROCEDURE,
	  "", "" },
	{ "a barcode holding the dossier code alone", DOSSIER, DOSSIER, "", "",
	  "" },
	{ "values of the wrong shape are not taken",
	  "maHoSo=HS-2024-17|maTTHC=1.0016.H26|cccd=0013230123|hieuLuc=vĩnh viễn",
	  "", "", "", "" },
	{ "a month 13 is no date in a dossier code",
	  "maHoSo=000.23.11.H26-241315-0017", "", "", "", "" },
	{ "an ID number under an unknown key is not taken",
	  "{\"soDienThoai\": \"001323012345\"}", "", "", "", "" },
};

static void
test_payload_shapes(void **state)
{
	size_t i;

	for (i = 0; i < sizeof shape_cases / sizeof shape_cases[0]; i++) {
		const struct shape_case *c = &shape_cases[i];
		json_t *f = codes_fields(c->payload);

		print_message("# %s\n", c->what);
		assert_non_null(f);
		assert_string_equal(field(f, "dossier_code"), c->dossier);
		assert_string_equal(field(f, "procedure_code"), c->procedure);
		assert_string_equal(field(f, "id"), c->id);
		assert_string_equal(field(f, "valid_until"), c->valid);
		json_decref(f);
	}
}

static void
test_names_are_nfc(void **state)
{
	/* "Trích" with the sắc as a combining mark (NFD) comes back NFC. */
	json_t *f = codes_fields("{\"tenGiayTo\": \"Tri\xcc\x81" "ch lục\"}");

	assert_string_equal(field(f, "document_name"), "Trích lục");
	json_decref(f);
	f = codes_fields(NULL);
	assert_int_equal(json_object_size(f), 0);
	json_decref(f);
	f = codes_fields("");
	assert_int_equal(json_object_size(f), 0);
	json_decref(f);
}

static json_t *
read_fixture(const char *name)
{
	char *rel = xasprintf("codes/%s", name), *path, err[ERRMAX];
	json_t *c;
	PIX *pix;

	path = testlib_fixture(rel);
	free(rel);
	pix = pixRead(path);
	assert_non_null(pix);
	c = codes_read(pix, NULL, err);
	assert_non_null(c);
	pixDestroy(&pix);
	free(path);
	return c;
}

static void
test_read_page(void **state)
{
	json_t *c = read_fixture("qr-url.png"), *q;

	assert_int_equal(json_array_size(c), 1);
	q = json_array_get(c, 0);
	assert_string_equal(json_string_value(json_object_get(q, "format")),
	    "QRCode");
	assert_non_null(strstr(json_string_value(json_object_get(q, "text")),
	    "maHoSo=" DOSSIER));
	/* At the top left, where Thông tư 01/2023 puts it. */
	assert_true(json_integer_value(json_object_get(q, "left")) < 300);
	assert_true(json_integer_value(json_object_get(q, "top")) < 300);
	json_decref(c);
}

/* A blurred scan and one peppered with impulse noise: their codes are
 * read all the same (make-degraded.sh made both from qr-url.png; the
 * page as decoded gives nothing on either). */
static void
test_read_degraded(void **state)
{
	static const char *const names[] = { "qr-blur.jpg", "qr-pepper.png" };
	json_t *c;
	size_t i;

	(void)state;
	for (i = 0; i < 2; i++) {
		c = read_fixture(names[i]);
		assert_int_equal(json_array_size(c), 1);
		assert_non_null(strstr(json_string_value(json_object_get(
		    json_array_get(c, 0), "text")), "maHoSo=" DOSSIER));
		json_decref(c);
	}
}

static void
test_read_bytes_not_utf8(void **state)
{
	json_t *c = read_fixture("qr-latin1.png"), *q;
	const char *t, *hex;

	assert_int_equal(json_array_size(c), 1);
	q = json_array_get(c, 0);
	t = json_string_value(json_object_get(q, "text"));
	assert_true(vntext_utf8_valid(t, strlen(t)));
	/* Whatever zxing-cpp made of the bytes, the JSON is valid UTF-8;
	 * where it kept them raw, they are also there in hex. */
	hex = json_string_value(json_object_get(q, "hex"));
	if (hex != NULL)
		assert_non_null(strstr(hex, "e9"));
	json_decref(c);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_payload_shapes),
		cmocka_unit_test(test_names_are_nfc),
		cmocka_unit_test(test_read_page),
		cmocka_unit_test(test_read_bytes_not_utf8),
		cmocka_unit_test(test_read_degraded),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
