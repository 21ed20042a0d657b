/*
 * codes.c: QR codes and barcodes on a page, and the fields their payloads
 * really hold.  Thông tư 01/2023/TT-VPCP puts a QR code at the top left of
 * results issued from the procedure systems (dossier code, procedure code,
 * the holder's ID number, validity...), but lays down no syntax: payloads
 * are URLs with query parameters, JSON with Vietnamese keys, or delimited
 * text.  codes_read finds the codes (zxing-cpp through codes_zxing.cpp, or
 * zbar, kept for measuring one against the other), codes_fields parses a
 * payload and keeps a value only under a key that names it and only when
 * it has the shape of that value: a QR holding the office's web address
 * gives no dossier code.
 */
#include <ctype.h>
#include <regex.h>
#include <stdlib.h>
#include <string.h>

#include <leptonica/allheaders.h>
#include <zbar.h>

#include "sohoa.h"

/* Payloads beyond this are not a result's QR (a QR holds under 3 kB). */
#define CODES_TEXT_MAX	8192

struct codes_found {
	json_t		*list;
	int		 dx, dy, scale;	/* from the image read to the page */
};

/* One code found: its payload kept safe for JSON, deduplicated by bytes
 * (the second, cropped pass finds the same code again). */
static void
codes_add(void *arg, const char *format, const char *bytes, size_t len,
    int left, int top, int width, int height)
{
	struct codes_found *f = arg;
	json_t *c, *v;
	size_t i;
	char *hex;

	if (len > CODES_TEXT_MAX)
		len = CODES_TEXT_MAX;
	json_array_foreach(f->list, i, v) {
		json_t *b = json_object_get(v, "bytes");

		if (b != NULL && json_string_length(b) == len &&
		    memcmp(json_string_value(b), bytes, len) == 0)
			return;
	}
	c = json_object();
	json_object_set_new(c, "format", json_string(format));
	/* Valid UTF-8 is kept as it is; anything else is shown escaped, and
	 * its bytes kept in hex so that nothing of it is lost. */
	if (vntext_utf8_valid(bytes, len)) {
		json_object_set_new(c, "text", json_stringn(bytes, len));
	} else {
		char *shown = vntext_escape(bytes, len);

		json_object_set_new(c, "text", json_string(shown));
		free(shown);
		hex = xmalloc(len * 2 + 1);
		for (i = 0; i < len; i++)
			snprintf(hex + 2 * i, 3, "%02x", (unsigned char)bytes[i]);
		json_object_set_new(c, "hex", json_string(hex));
		free(hex);
	}
	/* Kept only while reading, to deduplicate; dropped at the end. */
	json_object_set_new(c, "bytes", json_stringn_nocheck(bytes, len));
	json_object_set_new(c, "left", json_integer(f->dx + left / f->scale));
	json_object_set_new(c, "top", json_integer(f->dy + top / f->scale));
	json_object_set_new(c, "width", json_integer(width / f->scale));
	json_object_set_new(c, "height", json_integer(height / f->scale));
	json_array_append_new(f->list, c);
}

/* zbar's C API on the same grey bytes; -1 on failure. */
static int
codes_zbar_read(const unsigned char *grey, int w, int h,
    struct codes_found *f, char *err)
{
	zbar_image_scanner_t *sc;
	zbar_image_t *img;
	const zbar_symbol_t *s;
	int n;

	if ((sc = zbar_image_scanner_create()) == NULL) {
		snprintf(err, ERRMAX, "the barcode reader failed to start");
		return -1;
	}
	zbar_image_scanner_set_config(sc, 0, ZBAR_CFG_ENABLE, 1);
	img = zbar_image_create();
	zbar_image_set_format(img, zbar_fourcc('Y', '8', '0', '0'));
	zbar_image_set_size(img, (unsigned)w, (unsigned)h);
	zbar_image_set_data(img, grey, (unsigned long)w * h, NULL);
	if ((n = zbar_scan_image(sc, img)) < 0)
		snprintf(err, ERRMAX, "the barcode reader failed");
	for (s = zbar_image_first_symbol(img); n >= 0 && s != NULL;
	    s = zbar_symbol_next(s)) {
		int i, x0 = w, y0 = h, x1 = 0, y1 = 0;
		unsigned k = zbar_symbol_get_loc_size(s);

		for (i = 0; i < (int)k; i++) {
			int x = zbar_symbol_get_loc_x(s, i);
			int y = zbar_symbol_get_loc_y(s, i);

			x0 = x < x0 ? x : x0;
			y0 = y < y0 ? y : y0;
			x1 = x > x1 ? x : x1;
			y1 = y > y1 ? y : y1;
		}
		if (k == 0)
			x0 = y0 = x1 = y1 = 0;
		codes_add(f, zbar_get_symbol_name(zbar_symbol_get_type(s)),
		    zbar_symbol_get_data(s), zbar_symbol_get_data_length(s),
		    x0, y0, x1 - x0 + 1, y1 - y0 + 1);
	}
	zbar_image_destroy(img);
	zbar_image_scanner_destroy(sc);
	return n < 0 ? -1 : 0;
}

/*
 * The page as grey bytes in reading order: Leptonica keeps an 8 bpp
 * image in 32-bit words, the first pixel in the word's high byte, so on a
 * little-endian machine one swap of each word puts the bytes in order;
 * the rows keep their padding (a stride of wpl words).
 */
static PIX *
codes_grey(struct Pix *pix)
{
	PIX *g, *swapped;

	if ((g = pixConvertTo8(pix, 0)) == NULL)
		return NULL;
	swapped = pixEndianByteSwapNew(g);
	pixDestroy(&g);
	return swapped;
}

static int
codes_read_pix(struct Pix *pix, int zbar, int qr_only, struct codes_found *f,
    char *err)
{
	PIX *g;
	unsigned char *packed, *rows;
	int w, h, stride, y, rc;

	if ((g = codes_grey(pix)) == NULL) {
		snprintf(err, ERRMAX, "the page cannot be made grey");
		return -1;
	}
	w = pixGetWidth(g);
	h = pixGetHeight(g);
	stride = pixGetWpl(g) * 4;
	rows = (unsigned char *)pixGetData(g);
	if (zbar) {	/* zbar wants the rows packed */
		packed = xmalloc((size_t)w * h);
		for (y = 0; y < h; y++)
			memcpy(packed + (size_t)y * w, rows + (size_t)y * stride,
			    (size_t)w);
		rc = codes_zbar_read(packed, w, h, f, err);
		free(packed);
	} else
		rc = codes_zxing_read(rows, w, h, stride, qr_only, codes_add, f,
		    err);
	pixDestroy(&g);
	return rc < 0 ? -1 : 0;
}

/*
 * A code the scan blurred or peppered with specks: the top left, where
 * Thông tư 01/2023 puts it, read again through a 5 x 5 median when it is
 * peppered with impulse noise (the median clears specks up to two pixels
 * and keeps the modules, a dozen pixels wide), then sharpened (an unsharp
 * mask gives a blurred module its edges back).  A page with no code pays
 * one read of a sixth of the page, two when it is peppered.
 */
static int
codes_read_cleaned(struct Pix *pix, int zbar, struct codes_found *f,
    char *err)
{
	int pw = pixGetWidth(pix), ph = pixGetHeight(pix), rc = 0, k;
	BOX *box = boxCreate(0, 0, pw / 2, ph / 3);
	PIX *crop = pixClipRectangle(pix, box, NULL), *grey = NULL, *clean;

	boxDestroy(&box);
	if (crop != NULL)
		grey = pixConvertTo8(crop, 0);
	pixDestroy(&crop);
	if (grey == NULL) {
		snprintf(err, ERRMAX, "the page cannot be made grey");
		return -1;
	}
	f->scale = 1;
	for (k = 0; k < 2 && rc == 0 && json_array_size(f->list) == 0; k++) {
		if (k == 0 && !preprocess_impulse_dense(grey))
			continue;
		clean = k == 0 ? pixMedianFilter(grey, 2, 2) :
		    pixUnsharpMaskingGray(grey, 3, 1.5);
		if (clean == NULL) {
			snprintf(err, ERRMAX, "the page cannot be cleaned");
			rc = -1;
			break;
		}
		rc = codes_read_pix(clean, zbar, 1, f, err);
		pixDestroy(&clean);
	}
	pixDestroy(&grey);
	return rc;
}

json_t *
codes_read(struct Pix *pix, const char *decoder, char *err)
{
	struct codes_found f = { json_array(), 0, 0, 1 };
	int zbar = decoder != NULL && strcmp(decoder, "zbar") == 0;
	int pw = pixGetWidth(pix), ph = pixGetHeight(pix);
	json_t *c;
	size_t i;

	if (codes_read_pix(pix, zbar, 0, &f, err) == -1)
		goto out_fail;
	/* A code of a centimetre or two is a few dozen pixels on a 200-dpi
	 * page: read the top left quarter, where Thông tư 01/2023 puts it,
	 * again at twice the size. */
	if (json_array_size(f.list) == 0 && pw >= 64 && ph >= 64) {
		BOX *box = boxCreate(0, 0, pw / 2, ph / 3);
		PIX *crop = pixClipRectangle(pix, box, NULL), *big = NULL;

		boxDestroy(&box);
		if (crop != NULL)
			big = pixScale(crop, 2.0, 2.0);
		pixDestroy(&crop);
		if (big == NULL) {
			snprintf(err, ERRMAX, "the page cannot be enlarged");
			goto out_fail;
		}
		f.scale = 2;
		if (codes_read_pix(big, zbar, 1, &f, err) == -1) {
			pixDestroy(&big);
			goto out_fail;
		}
		pixDestroy(&big);
	}
	if (json_array_size(f.list) == 0 && pw >= 64 && ph >= 64 &&
	    codes_read_cleaned(pix, zbar, &f, err) == -1)
		goto out_fail;
	json_array_foreach(f.list, i, c)
		json_object_del(c, "bytes");
	return f.list;
out_fail:
	json_decref(f.list);
	return NULL;
}

/*
 * Payload fields.  A key is compared folded (vntext_fold: no case, no
 * marks, đ as d) with everything but letters and digits removed, so that
 * "maHoSo", "ma_ho_so", "MaHoSo" and "Mã hồ sơ" are all "mahoso".
 */
enum codes_field {
	CODES_DOSSIER, CODES_PROCEDURE, CODES_ID, CODES_VALID, CODES_ISSUED,
	CODES_DOCNAME, CODES_SYSTEM, CODES_NFIELDS
};

static const char *const codes_field_name[CODES_NFIELDS] = {
	DOC_K_DOSSIER_CODE, DOC_K_PROCEDURE_CODE, DOC_K_ID_NUMBERS,
	DOC_K_VALID_UNTIL, DOC_K_ISSUED_ON, "document_name", "issuing_system"
};

static const struct {
	const char		*key;
	enum codes_field	 field;
} codes_keys[] = {
	{ "mahoso", CODES_DOSSIER }, { "sohoso", CODES_DOSSIER },
	{ "mahs", CODES_DOSSIER }, { "hoso", CODES_DOSSIER },
	{ "dossiercode", CODES_DOSSIER }, { "dossier", CODES_DOSSIER },
	{ "matthc", CODES_PROCEDURE }, { "mathutuc", CODES_PROCEDURE },
	{ "mathutuchanhchinh", CODES_PROCEDURE }, { "tthc", CODES_PROCEDURE },
	{ "procedurecode", CODES_PROCEDURE },
	{ "sodinhdanh", CODES_ID }, { "sodinhdanhcanhan", CODES_ID },
	{ "madinhdanh", CODES_ID }, { "dinhdanh", CODES_ID },
	{ "cccd", CODES_ID }, { "socccd", CODES_ID }, { "cmnd", CODES_ID },
	{ "socmnd", CODES_ID }, { "socancuoc", CODES_ID },
	{ "cancuoc", CODES_ID }, { "idnumber", CODES_ID },
	{ "ngayhethan", CODES_VALID }, { "hethan", CODES_VALID },
	{ "hieuluc", CODES_VALID }, { "hieulucden", CODES_VALID },
	{ "cohieulucden", CODES_VALID }, { "thoihan", CODES_VALID },
	{ "thoihanhieuluc", CODES_VALID }, { "validuntil", CODES_VALID },
	{ "ngaycap", CODES_ISSUED }, { "thoigiancap", CODES_ISSUED },
	{ "ngaybanhanh", CODES_ISSUED }, { "ngayky", CODES_ISSUED },
	{ "thoigianky", CODES_ISSUED }, { "issuedon", CODES_ISSUED },
	{ "tengiayto", CODES_DOCNAME }, { "tenketqua", CODES_DOCNAME },
	{ "tenvanban", CODES_DOCNAME }, { "tenloaigiayto", CODES_DOCNAME },
	{ "hethong", CODES_SYSTEM }, { "hethongcap", CODES_SYSTEM },
	{ "hethongphathanh", CODES_SYSTEM }, { "nguoncap", CODES_SYSTEM },
};

/* The field key names, or -1. */
static int
codes_field_of(const char *key, size_t len)
{
	char *raw = xmalloc(len + 1), *folded;
	size_t i, o;
	int field = -1;

	memcpy(raw, key, len);
	raw[len] = '\0';
	folded = vntext_fold(raw);
	for (i = o = 0; folded[i] != '\0'; i++)
		if (isalnum((unsigned char)folded[i]))
			folded[o++] = folded[i];
	folded[o] = '\0';
	for (i = 0; i < sizeof codes_keys / sizeof codes_keys[0]; i++)
		if (strcmp(folded, codes_keys[i].key) == 0)
			field = (int)codes_keys[i].field;
	free(raw);
	free(folded);
	return field;
}

static int
codes_match(const char *pattern, const char *s)
{
	regex_t re;
	int ok;

	if (regcomp(&re, pattern, REG_EXTENDED | REG_NOSUB) != 0)
		return 0;
	ok = regexec(&re, s, 0, NULL, 0) == 0;
	regfree(&re);
	return ok;
}

/* A date as YYYY-MM-DD into out (11 bytes), read by date_read up to the
 * first space or "T": what follows (a time, a URL's "#top") is not ours
 * to judge; 0 on success. */
static int
codes_date(const char *s, char *out)
{
	char *day = xasprintf("%.*s", (int)strcspn(s, " T"), s);
	int rc = date_read(day, out);

	free(day);
	return rc;
}

/* 1 when s has the shape of a dossier code (Thông tư 01/2018 art. 19:
 * office.code-YYMMDD-sequence) with a plausible month and day. */
static int
codes_is_dossier(const char *s)
{
	const char *d;
	int mm, dd;

	if (!codes_match("^[0-9A-Z]{3}\\.[0-9A-Z]{2}\\.[0-9A-Z]{2}\\.[A-Z][0-9]{2}"
	    "-[0-9]{6}-[0-9]{4,5}$", s))
		return 0;
	d = strchr(s, '-') + 1;
	mm = (d[2] - '0') * 10 + (d[3] - '0');
	dd = (d[4] - '0') * 10 + (d[5] - '0');
	return mm >= 1 && mm <= 12 && dd >= 1 && dd <= 31;
}

static int
codes_is_procedure(const char *s)
{
	return codes_match("^[0-9]\\.[0-9]{6}\\.[0-9]{3}\\.[0-9]{2}\\.[0-9]{2}"
	    "\\.H[0-9]{2}$", s);
}

/* Takes value for field into out when it has the field's shape; values
 * are trimmed, and names must be valid UTF-8 (made NFC). */
static void
codes_take(json_t *out, int field, const char *value, size_t len)
{
	char *v, *nfc, date[11], id[UTIL_ID_DIGITS + 1];
	size_t a = 0, b = len;

	while (a < b && isspace((unsigned char)value[a]))
		a++;
	while (b > a && isspace((unsigned char)value[b - 1]))
		b--;
	if (field < 0 || b == a || b - a > 512 || memchr(value + a, '\0',
	    b - a) != NULL)
		return;
	v = xmalloc(b - a + 1);
	memcpy(v, value + a, b - a);
	v[b - a] = '\0';
	switch (field) {
	case CODES_DOSSIER:
		if (codes_is_dossier(v) &&
		    json_object_get(out, DOC_K_DOSSIER_CODE) == NULL)
			json_object_set_new(out, DOC_K_DOSSIER_CODE,
			    json_string(v));
		break;
	case CODES_PROCEDURE:
		if (codes_is_procedure(v) &&
		    json_object_get(out, DOC_K_PROCEDURE_CODE) == NULL)
			json_object_set_new(out, DOC_K_PROCEDURE_CODE,
			    json_string(v));
		break;
	case CODES_ID:
		if (util_id_number(v, id) == 0) {
			json_t *ids = json_object_get(out, DOC_K_ID_NUMBERS);
			json_t *x;
			size_t i;

			if (ids == NULL) {
				ids = json_array();
				json_object_set_new(out, DOC_K_ID_NUMBERS, ids);
			}
			json_array_foreach(ids, i, x)
				if (strcmp(json_string_value(x), id) == 0)
					break;
			if (i == json_array_size(ids))
				json_array_append_new(ids, json_string(id));
		}
		break;
	case CODES_VALID:
	case CODES_ISSUED:
		if (codes_date(v, date) == 0 && json_object_get(out,
		    codes_field_name[field]) == NULL)
			json_object_set_new(out, codes_field_name[field],
			    json_string(date));
		break;
	default:
		if (vntext_utf8_valid(v, strlen(v)) && json_object_get(out,
		    codes_field_name[field]) == NULL) {
			nfc = vntext_nfc(v, strlen(v));
			json_object_set_new(out, codes_field_name[field],
			    json_string(nfc));
			free(nfc);
		}
		break;
	}
	free(v);
}

static int
codes_hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* s[0..len) percent-decoded, '+' as a space.  Caller frees; *outlen set. */
static char *
codes_unescape(const char *s, size_t len, size_t *outlen)
{
	char *out = xmalloc(len + 1);
	size_t i, o = 0;

	for (i = 0; i < len; i++) {
		if (s[i] == '%' && i + 2 < len + 0 && codes_hexval(s[i + 1]) >= 0 &&
		    codes_hexval(s[i + 2]) >= 0) {
			out[o++] = (char)(codes_hexval(s[i + 1]) * 16 +
			    codes_hexval(s[i + 2]));
			i += 2;
		} else
			out[o++] = s[i] == '+' ? ' ' : s[i];
	}
	out[o] = '\0';
	*outlen = o;
	return out;
}

/* A URL: only its query parameters are fields; the address is none. */
static void
codes_fields_url(json_t *out, const char *s)
{
	const char *q = strchr(s, '?'), *end, *p, *amp, *eq;

	if (q == NULL)
		return;
	q++;
	end = q + strcspn(q, "#");
	for (p = q; p < end; p = amp + 1) {
		char *k, *v;
		size_t kl, vl;

		for (amp = p; amp < end && *amp != '&' && *amp != ';'; amp++)
			;
		for (eq = p; eq < amp && *eq != '='; eq++)
			;
		if (eq < amp) {
			k = codes_unescape(p, (size_t)(eq - p), &kl);
			v = codes_unescape(eq + 1, (size_t)(amp - eq - 1), &vl);
			codes_take(out, codes_field_of(k, kl), v, vl);
			free(k);
			free(v);
		}
		if (amp >= end)
			break;
	}
}

/* A JSON object: its members, and those of objects inside it. */
static void
codes_fields_json(json_t *out, json_t *obj, int depth)
{
	const char *k;
	json_t *v;

	json_object_foreach(obj, k, v) {
		int field = codes_field_of(k, strlen(k));
		char num[32];

		if (json_is_string(v))
			codes_take(out, field, json_string_value(v),
			    json_string_length(v));
		else if (json_is_integer(v)) {
			/* An ID number given as a number loses leading zeros:
			 * only a 9 or 12 digit one is taken. */
			snprintf(num, sizeof num, "%lld",
			    (long long)json_integer_value(v));
			codes_take(out, field, num, strlen(num));
		} else if (json_is_object(v) && depth < 3)
			codes_fields_json(out, v, depth + 1);
	}
}

/* Delimited text: items split at '|', ';' or line ends, each "key: value"
 * or "key=value"; an item with no key is taken only when it has the
 * unmistakable shape of a dossier or procedure code. */
static void
codes_fields_text(json_t *out, const char *s)
{
	const char *p = s, *e, *sep;

	while (*p != '\0') {
		size_t n = strcspn(p, "|;\r\n\t");

		e = p + n;
		for (sep = p; sep < e && *sep != ':' && *sep != '='; sep++)
			;
		if (sep < e)
			codes_take(out, codes_field_of(p, (size_t)(sep - p)),
			    sep + 1, (size_t)(e - sep - 1));
		else {
			codes_take(out, CODES_DOSSIER, p, n);
			codes_take(out, CODES_PROCEDURE, p, n);
		}
		p = *e != '\0' ? e + 1 : e;
	}
}

json_t *
codes_fields(const char *text)
{
	json_t *out = json_object(), *j;

	if (text == NULL)
		return out;
	while (isspace((unsigned char)*text))
		text++;
	if (strncasecmp(text, "http://", 7) == 0 ||
	    strncasecmp(text, "https://", 8) == 0)
		codes_fields_url(out, text);
	else if (*text == '{' && (j = json_loads(text, 0, NULL)) != NULL) {
		if (json_is_object(j))
			codes_fields_json(out, j, 0);
		json_decref(j);
	} else
		codes_fields_text(out, text);
	return out;
}

/* 1 when a and b are ID numbers of one length differing in at most two
 * digits: the OCR'd one is then a misreading of the one in the QR. */
static int
codes_id_slip(const char *a, const char *b)
{
	size_t i, n = strlen(a), diff = 0;

	if (strlen(b) != n)
		return 0;
	for (i = 0; i < n; i++)
		diff += a[i] != b[i];
	return diff <= 2;
}

/*
 * The evidence for a value a code gave: {"from": "qr code", "qr": value},
 * and "text", what the text said, when it said something else.
 */
static json_t *
codes_note(json_t *qr, json_t *text)
{
	json_t *e = json_pack("{s:s, s:O}", "from", "qr code", "qr", qr);

	if (e == NULL)
		fatalx("out of memory");
	if (text != NULL && !json_is_null(text) && !json_equal(text, qr))
		json_object_set(e, "text", text);
	return e;
}

/*
 * What the page's QR codes and barcodes hold (the worker's "codes"),
 * merged into fields, which extract_fields read off the OCR text (at
 * ingest, and again at reindex from metadata.json): a value
 * from a code is what the issuing system wrote, so it is taken over the
 * OCR'd one.  Returns a new object for metadata.json: "codes", what each
 * code held, and "evidence", each field a code gave (codes_note).  The
 * first code that holds a field gives it; ID numbers from codes come
 * first, and an OCR'd one a slip away from one of them is dropped.
 */
json_t *
codes_merge(json_t *fields, json_t *codes)
{
	json_t *out = json_object(), *evidence = json_object(), *list;
	json_t *qr = json_object(), *c, *v, *ids, *x, *y;
	static const char *const one[] = { DOC_K_DOSSIER_CODE,
	    DOC_K_PROCEDURE_CODE, DOC_K_VALID_UNTIL, DOC_K_ISSUED_ON,
	    "document_name", "issuing_system" };
	size_t i, k, j;

	list = json_array();
	json_array_foreach(codes, i, c) {
		json_t *f = codes_fields(json_string_value(json_object_get(c,
		    "text")));
		json_t *entry = json_deep_copy(c);

		json_object_set(entry, "fields", f);
		json_array_append_new(list, entry);
		for (k = 0; k < sizeof one / sizeof one[0]; k++)
			if (json_object_get(qr, one[k]) == NULL &&
			    (v = json_object_get(f, one[k])) != NULL)
				json_object_set(qr, one[k], v);
		if ((ids = json_object_get(f, DOC_K_ID_NUMBERS)) != NULL) {
			if (json_object_get(qr, DOC_K_ID_NUMBERS) == NULL)
				json_object_set_new(qr, DOC_K_ID_NUMBERS,
				    json_array());
			json_array_extend(json_object_get(qr, DOC_K_ID_NUMBERS),
			    ids);
		}
		json_decref(f);
	}
	json_object_set_new(out, "codes", list);
	if ((v = json_object_get(qr, DOC_K_DOSSIER_CODE)) != NULL) {
		x = json_object_get(fields, DOC_K_DOSSIER_CODE);
		json_object_set_new(evidence, DOC_K_DOSSIER_CODE,
		    codes_note(v, x));
		json_object_set(fields, DOC_K_DOSSIER_CODE, v);
	}
	if ((ids = json_object_get(qr, DOC_K_ID_NUMBERS)) != NULL) {
		json_t *merged = json_deep_copy(ids), *slips = json_array();

		json_array_foreach(json_object_get(fields, DOC_K_ID_NUMBERS), i,
		    x) {
			int keep = 1;

			json_array_foreach(merged, j, y)
				if (json_equal(x, y) || codes_id_slip(
				    json_string_value(x), json_string_value(y)))
					keep = json_equal(x, y) ? -1 : 0;
			if (keep == 1)
				json_array_append(merged, x);
			else if (keep == 0)
				json_array_append(slips, x);
		}
		json_object_set_new(evidence, DOC_K_ID_NUMBERS, codes_note(ids,
		    json_array_size(slips) > 0 ? slips : NULL));
		json_decref(slips);
		json_object_set_new(fields, DOC_K_ID_NUMBERS, merged);
	}
	/* Only codes give the procedure code: JSON null when none did. */
	if ((v = json_object_get(qr, DOC_K_PROCEDURE_CODE)) != NULL)
		json_object_set_new(evidence, DOC_K_PROCEDURE_CODE,
		    codes_note(v, NULL));
	json_object_set(out, DOC_K_PROCEDURE_CODE, json_object_get(qr,
	    DOC_K_PROCEDURE_CODE) ? json_object_get(qr, DOC_K_PROCEDURE_CODE) :
	    json_null());
	/* The text may say until when the result holds; a code's value wins,
	 * a disagreement kept as evidence. */
	x = json_object_get(fields, DOC_K_VALID_UNTIL);
	if ((v = json_object_get(qr, DOC_K_VALID_UNTIL)) != NULL) {
		json_object_set_new(evidence, DOC_K_VALID_UNTIL,
		    codes_note(v, x));
		json_object_set(out, DOC_K_VALID_UNTIL, v);
	} else
		json_object_set(out, DOC_K_VALID_UNTIL, json_is_string(x) ? x :
		    json_null());
	json_object_set_new(out, "evidence", evidence);
	json_decref(qr);
	return out;
}
