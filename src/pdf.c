/*
 * pdf.c: PDF scans through poppler-glib: each page is either its own text
 * layer or a page image (Leptonica Pix) for recognition.
 *
 * Office scanners save PDF with one image per page (often 200 dpi CCITT
 * G4), and results issued electronically are born-digital PDFs whose text
 * is already there.  A page whose text layer holds real text gives that
 * text and is not recognised: reading it again from pixels could only add
 * errors.  Any other page gives its image: the one image that covers it,
 * at the image's own resolution and bit depth, or else the page rendered
 * at PDF_RENDER_DPI.  Nothing is re-encoded lossily; the original file is
 * kept byte for byte by the caller.
 *
 * PDFs are untrusted input; this code runs in worker processes, like
 * image.c, which dispatches here.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cairo.h>
#include <jansson.h>
#include <leptonica/allheaders.h>
#include <poppler.h>
#include <utf8proc.h>

#include "sohoa.h"

/*
 * Pages that are not one image are drawn at the resolution Tesseract reads
 * best and Nghị định 30/2020 asks of copies at least (200 dpi); 300 keeps
 * 10 pt text well above Tesseract's smallest x-height.
 */
#define PDF_RENDER_DPI	300

/*
 * A text layer counts as the page's text when it has at least
 * PDF_MIN_LETTERS letters and letters make at least half of its visible
 * characters.  A scanned page often carries a few stray characters (a
 * page number, a stamp's text), which are not the page; and a font with
 * no usable Unicode mapping gives symbols, private-use characters or
 * U+FFFD, which are not letters, so such a layer falls to OCR instead of
 * being trusted as garbage.
 */
#define PDF_MIN_LETTERS	20

struct pdf {
	PopplerDocument *doc;
	GBytes	*bytes;
	int	 npages;
	struct image_limits lim;
};

/* poppler's messages are its own words; a reason is one line. */
static void
pdf_one_line(char *out, size_t outlen, const char *in)
{
	size_t o = 0;

	for (; *in != '\0' && o + 1 < outlen; in++) {
		unsigned char c = (unsigned char)*in;

		out[o++] = c < 0x20 || c == 0x7f ? ' ' : (char)c;
	}
	while (o > 0 && (out[o - 1] == ' ' || out[o - 1] == '.'))
		o--;
	out[o] = '\0';
}

struct pdf *
pdf_open(const void *data, size_t len, const struct image_limits *lim,
    char *err)
{
	struct pdf *p;
	GError *gerr = NULL;
	char msg[256];

	p = xcalloc(1, sizeof *p);
	p->lim = *lim;
	/* The caller's bytes outlive the document: no copy. */
	p->bytes = g_bytes_new_static(data, len);
	p->doc = poppler_document_new_from_bytes(p->bytes, NULL, &gerr);
	if (p->doc == NULL) {
		if (gerr != NULL && g_error_matches(gerr, POPPLER_ERROR,
		    POPPLER_ERROR_ENCRYPTED))
			snprintf(err, ERRMAX, "the PDF is protected by a "
			    "password, so its pages cannot be read");
		else {
			pdf_one_line(msg, sizeof msg, gerr != NULL &&
			    gerr->message != NULL ? gerr->message : "no reason "
			    "given");
			snprintf(err, ERRMAX, "the PDF is damaged and cannot be "
			    "opened (%s)", msg);
		}
		errno = EINVAL;
		goto out_free;
	}
	p->npages = poppler_document_get_n_pages(p->doc);
	if (p->npages <= 0) {
		snprintf(err, ERRMAX, "the PDF has no pages");
		errno = EINVAL;
		goto out_free;
	}
	if (p->npages > lim->max_pages) {
		snprintf(err, ERRMAX, "the PDF has more than %d pages (it has "
		    "%d), the most one document may have", lim->max_pages,
		    p->npages);
		errno = EINVAL;
		goto out_free;
	}
	if (gerr != NULL)
		g_error_free(gerr);
	return p;
out_free:
	if (gerr != NULL)
		g_error_free(gerr);
	pdf_close(p);
	return NULL;
}

int
pdf_npages(const struct pdf *p)
{
	return p->npages;
}

/* Whether text is a page's real text, by the rule at PDF_MIN_LETTERS. */
int
pdf_real_text(const char *text)
{
	const utf8proc_uint8_t *s = (const utf8proc_uint8_t *)text;
	utf8proc_ssize_t n, len = (utf8proc_ssize_t)strlen(text);
	utf8proc_int32_t c;
	long letters = 0, visible = 0;

	while (len > 0) {
		if ((n = utf8proc_iterate(s, len, &c)) <= 0) {
			n = 1;
			c = 0xfffd;
		}
		s += n;
		len -= n;
		switch (utf8proc_category(c)) {
		case UTF8PROC_CATEGORY_LU:
		case UTF8PROC_CATEGORY_LL:
		case UTF8PROC_CATEGORY_LT:
		case UTF8PROC_CATEGORY_LM:
		case UTF8PROC_CATEGORY_LO:
			letters++;
			visible++;
			break;
		case UTF8PROC_CATEGORY_ZS:
		case UTF8PROC_CATEGORY_ZL:
		case UTF8PROC_CATEGORY_ZP:
		case UTF8PROC_CATEGORY_CC:
		case UTF8PROC_CATEGORY_MN:	/* marks belong to their letter */
			break;
		default:
			visible++;
		}
	}
	return letters >= PDF_MIN_LETTERS && letters * 2 >= visible;
}

char *
pdf_page_text(struct pdf *p, int i)
{
	PopplerPage *page;
	char *text, *nfc = NULL;

	if (i < 0 || i >= p->npages ||
	    (page = poppler_document_get_page(p->doc, i)) == NULL)
		return NULL;
	text = poppler_page_get_text(page);
	if (text != NULL && pdf_real_text(text))
		nfc = vntext_nfc(text, strlen(text));
	g_free(text);
	g_object_unref(page);
	return nfc;
}

static int
pdf_check_size(const struct pdf *p, double w, double h, int page, char *err)
{
	if (!(w >= 1 && h >= 1)) {
		snprintf(err, ERRMAX, "page %d of the PDF has no size", page + 1);
		errno = EINVAL;
		return -1;
	}
	if (w > p->lim.max_side || h > p->lim.max_side ||
	    w * h > (double)p->lim.max_pixels) {
		snprintf(err, ERRMAX, "page %d of the PDF would be %.0f x %.0f "
		    "pixels, more than any scanner makes (the limit is %u on a "
		    "side and %llu million in all)", page + 1, w, h,
		    p->lim.max_side,
		    (unsigned long long)(p->lim.max_pixels / 1000000));
		errno = EINVAL;
		return -1;
	}
	return 0;
}

/*
 * Any cairo surface (an image of any format, or a rendering) laid over
 * white paper into a Pix.  A page whose pixels are all grey becomes 8 bpp,
 * and one that is only black and white (a G4 scan) 1 bpp, so that the
 * rest of the chain sees what a TIFF of the same scan would give.
 */
static PIX *
pdf_surface_pix(cairo_surface_t *src, int page, char *err)
{
	cairo_surface_t *flat;
	cairo_t *cr;
	PIX *pix = NULL, *tmp;
	unsigned char *row;
	l_uint32 *line;
	int w, h, stride, wpl, x, y, grey = 1, bilevel = 1;

	w = cairo_image_surface_get_width(src);
	h = cairo_image_surface_get_height(src);
	flat = cairo_image_surface_create(CAIRO_FORMAT_RGB24, w, h);
	if (cairo_surface_status(flat) != CAIRO_STATUS_SUCCESS)
		goto out_nomem;
	cr = cairo_create(flat);
	cairo_set_source_rgb(cr, 1, 1, 1);
	cairo_paint(cr);
	cairo_set_source_surface(cr, src, 0, 0);
	cairo_paint(cr);
	cairo_destroy(cr);
	cairo_surface_flush(flat);
	if ((pix = pixCreate(w, h, 32)) == NULL)
		goto out_nomem;
	wpl = pixGetWpl(pix);
	stride = cairo_image_surface_get_stride(flat);
	for (y = 0; y < h; y++) {
		row = cairo_image_surface_get_data(flat) + (size_t)y * stride;
		line = pixGetData(pix) + (size_t)y * wpl;
		for (x = 0; x < w; x++) {
			uint32_t v = ((uint32_t *)(void *)row)[x];
			int r = (v >> 16) & 0xff, g = (v >> 8) & 0xff, b = v & 0xff;

			if (r != g || g != b)
				grey = bilevel = 0;
			else if (r != 0 && r != 255)
				bilevel = 0;
			composeRGBPixel(r, g, b, line + x);
		}
	}
	if (grey) {
		tmp = pixConvertRGBToLuminance(pix);
		pixDestroy(&pix);
		if ((pix = tmp) == NULL)
			goto out_nomem;
		if (bilevel) {
			tmp = pixThresholdToBinary(pix, 128);
			pixDestroy(&pix);
			if ((pix = tmp) == NULL)
				goto out_nomem;
		}
	}
	cairo_surface_destroy(flat);
	return pix;
out_nomem:
	cairo_surface_destroy(flat);
	pixDestroy(&pix);
	snprintf(err, ERRMAX, "not enough memory to decode page %d", page + 1);
	errno = ENOMEM;
	return NULL;
}

/*
 * The page's one image, when a single image covers (nearly) all of it, as
 * scanners write pages; NULL otherwise.  *dpi is its own resolution.
 */
static cairo_surface_t *
pdf_only_image(PopplerPage *page, double pw, double ph, int *dpi)
{
	GList *maps;
	PopplerImageMapping *m;
	cairo_surface_t *s = NULL;
	double aw, ah;
	int iw;

	maps = poppler_page_get_image_mapping(page);
	if (maps == NULL || maps->next != NULL)
		goto out_free;
	m = maps->data;
	aw = fabs(m->area.x2 - m->area.x1);
	ah = fabs(m->area.y2 - m->area.y1);
	if (aw < 0.9 * pw || ah < 0.9 * ph)
		goto out_free;
	s = poppler_page_get_image(page, m->image_id);
	if (s == NULL || cairo_surface_status(s) != CAIRO_STATUS_SUCCESS ||
	    cairo_surface_get_type(s) != CAIRO_SURFACE_TYPE_IMAGE) {
		if (s != NULL)
			cairo_surface_destroy(s);
		s = NULL;
		goto out_free;
	}
	iw = cairo_image_surface_get_width(s);
	*dpi = (int)lround(iw / (aw / 72.0));
out_free:
	poppler_page_free_image_mapping(maps);
	return s;
}

PIX *
pdf_page_pix(struct pdf *p, int i, int default_dpi, int *dpi, char *err)
{
	PopplerPage *page;
	cairo_surface_t *s;
	cairo_t *cr;
	PIX *pix = NULL;
	double pw = 0, ph = 0, scale;
	int idpi = 0;

	if ((page = poppler_document_get_page(p->doc, i)) == NULL) {
		snprintf(err, ERRMAX, "page %d of the PDF cannot be read",
		    i + 1);
		errno = EINVAL;
		return NULL;
	}
	poppler_page_get_size(page, &pw, &ph);
	if (pdf_check_size(p, pw, ph, i, err) == -1)
		goto out_page;
	if ((s = pdf_only_image(page, pw, ph, &idpi)) != NULL) {
		if (pdf_check_size(p, cairo_image_surface_get_width(s),
		    cairo_image_surface_get_height(s), i, err) == -1) {
			cairo_surface_destroy(s);
			goto out_page;
		}
		/* An image stretched over the page keeps the profile's dpi. */
		*dpi = idpi >= 70 && idpi <= 2400 ? idpi : default_dpi;
	} else {
		scale = PDF_RENDER_DPI / 72.0;
		if (pdf_check_size(p, ceil(pw * scale), ceil(ph * scale), i,
		    err) == -1)
			goto out_page;
		s = cairo_image_surface_create(CAIRO_FORMAT_RGB24,
		    (int)ceil(pw * scale), (int)ceil(ph * scale));
		if (cairo_surface_status(s) != CAIRO_STATUS_SUCCESS) {
			cairo_surface_destroy(s);
			snprintf(err, ERRMAX, "not enough memory to decode page "
			    "%d", i + 1);
			errno = ENOMEM;
			goto out_page;
		}
		cr = cairo_create(s);
		cairo_set_source_rgb(cr, 1, 1, 1);
		cairo_paint(cr);
		cairo_scale(cr, scale, scale);
		poppler_page_render(page, cr);
		cairo_destroy(cr);
		*dpi = PDF_RENDER_DPI;
	}
	pix = pdf_surface_pix(s, i, err);
	cairo_surface_destroy(s);
	if (pix != NULL)
		pixSetResolution(pix, *dpi, *dpi);
out_page:
	g_object_unref(page);
	return pix;
}

static const char *
pdf_signature_status(PopplerSignatureStatus s)
{
	switch (s) {
	case POPPLER_SIGNATURE_VALID:
		return "the signature matches the signed bytes";
	case POPPLER_SIGNATURE_INVALID:
		return "the signature is invalid";
	case POPPLER_SIGNATURE_DIGEST_MISMATCH:
		return "the document was changed after it was signed";
	case POPPLER_SIGNATURE_DECODING_ERROR:
		return "the signature's CMS structure is malformed";
	case POPPLER_SIGNATURE_NOT_FOUND:
		return "the signature field holds no signature";
	case POPPLER_SIGNATURE_NOT_VERIFIED:
		return "the signature was not verified";
	default:
		return "the signature could not be verified";
	}
}

static const char *
pdf_certificate_status(PopplerCertificateStatus s)
{
	switch (s) {
	case POPPLER_CERTIFICATE_TRUSTED:
		return "the certificate is trusted";
	case POPPLER_CERTIFICATE_UNTRUSTED_ISSUER:
		return "the issuer is not trusted";
	case POPPLER_CERTIFICATE_UNKNOWN_ISSUER:
		return "the chain ends in no trusted root";
	case POPPLER_CERTIFICATE_REVOKED:
		return "the certificate is revoked";
	case POPPLER_CERTIFICATE_EXPIRED:
		return "the certificate had expired at the signing time";
	case POPPLER_CERTIFICATE_NOT_VERIFIED:
		return "the certificate was not checked";
	default:
		return "the certificate could not be checked";
	}
}

/*
 * Each signature the PDF already carries, verified against the bytes it
 * signs.  Verification needs no network: OCSP is off, since a worker
 * must not reach out, and the certificate chain is checked against the
 * NSS database poppler finds (none in a worker, so the chain is reported
 * as not trusted while the signature itself still verifies).
 */
json_t *
pdf_signatures(struct pdf *p)
{
	json_t *out = json_array();
	GList *fields, *l;

	fields = poppler_document_get_signature_fields(p->doc);
	for (l = fields; l != NULL; l = l->next) {
		PopplerSignatureInfo *si;
		GDateTime *when;
		GError *gerr = NULL;
		const char *name;
		char *iso = NULL;

		si = poppler_form_field_signature_validate_sync(l->data,
		    POPPLER_SIGNATURE_VALIDATION_FLAG_VALIDATE_CERTIFICATE |
		    POPPLER_SIGNATURE_VALIDATION_FLAG_WITHOUT_OCSP_REVOCATION_CHECK,
		    NULL, &gerr);
		if (si == NULL) {
			json_array_append_new(out, json_pack("{s:n, s:n, s:n, "
			    "s:b, s:s}", "signer", "organisation", "signed_at",
			    "verified", 0, "status", "the signature could not be "
			    "read"));
			if (gerr != NULL)
				g_error_free(gerr);
			continue;
		}
		name = poppler_signature_info_get_signer_name(si);
		if ((when = poppler_signature_info_get_local_signing_time(si)) !=
		    NULL)
			iso = g_date_time_format_iso8601(when);
		/* poppler-glib 22.12 does not give the certificate's O=. */
		json_array_append_new(out, json_pack("{s:o, s:n, s:o, s:b, "
		    "s:s, s:s}", "signer", name != NULL ? json_string(name) :
		    json_null(), "organisation", "signed_at", iso != NULL ?
		    json_string(iso) : json_null(), "verified",
		    poppler_signature_info_get_signature_status(si) ==
		    POPPLER_SIGNATURE_VALID, "status", pdf_signature_status(
		    poppler_signature_info_get_signature_status(si)),
		    "certificate", pdf_certificate_status(
		    poppler_signature_info_get_certificate_status(si))));
		g_free(iso);
		poppler_signature_info_free(si);
	}
	g_list_free_full(fields, g_object_unref);
	return out;
}

void
pdf_close(struct pdf *p)
{
	if (p == NULL)
		return;
	if (p->doc != NULL)
		g_object_unref(p->doc);
	if (p->bytes != NULL)
		g_bytes_unref(p->bytes);
	free(p);
}
