/*
 * image.c: turns the bytes of one scan into page images (Leptonica Pix).
 *
 * TIFF is decoded with libtiff directly, so that every page header can be
 * checked against the limits before a single pixel is decoded: a header
 * claiming 100000 x 100000 pixels or a file of thousands of pages is
 * refused with a plain reason instead of exhausting memory.  Bilevel pages
 * (G4 and friends) are read as 1 bpp; everything else goes through
 * libtiff's RGBA reader, which copes with every compression and
 * photometric, and gray pages are brought back to 8 bpp.  PNG and JPEG go
 * through Leptonica, after checking the header the same way.  PDF goes
 * to pdf.c (poppler), whose pages may carry their own text.
 *
 * Scans are untrusted input; this code runs in worker processes.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <leptonica/allheaders.h>
#include <tiffio.h>

#include "sohoa.h"

struct image_mem {
	const unsigned char *data;
	size_t	 len;
	size_t	 pos;
};

struct image {
	const char *format;
	int	 npages;
	int	 default_dpi;
	const unsigned char *data;
	size_t	 len;
	TIFF	*tif;
	TIFFOpenOptions *opts;
	struct pdf *pdf;
	struct image_mem mem;
	uint32_t width, height;		/* of the one PNG or JPEG page */
	char	 tifferr[256];		/* first libtiff error, in its words */
};

/*
 * The smallest page worth recognising, in pixels either way.  Tesseract
 * does not believe a letter whose x-height is under 10 pixels (its
 * textord_min_xheight); with ascenders and descenders, about a third of
 * that each way, the smallest line it reads is 16 pixels high, and a word
 * of two such letters is as wide.  A page below this in either direction
 * (a strip of 2281 x 7, a stray 1 x 1 image) holds no text to read, and
 * saying so beats a failure deep in preprocessing.
 */
#define IMAGE_MIN_SIDE	16

void
image_default_limits(struct image_limits *l)
{
	l->max_side = 30000;
	l->max_pixels = 200000000ULL;	/* A3 at 1200 dpi is 2.8e8; A3 at 600 is 7e7 */
	l->max_pages = 1000;
}

const char *
image_sniff(const void *data, size_t len)
{
	const unsigned char *p = data;

	if (len >= 4 && ((p[0] == 'I' && p[1] == 'I' && (p[2] == 42 || p[2] == 43) &&
	    p[3] == 0) || (p[0] == 'M' && p[1] == 'M' && p[2] == 0 &&
	    (p[3] == 42 || p[3] == 43))))
		return "tiff";
	if (len >= 8 && memcmp(p, "\x89PNG\r\n\x1a\n", 8) == 0)
		return "png";
	if (len >= 2 && p[0] == 0xff && p[1] == 0xd8)	/* SOI */
		return "jpeg";
	if (len >= 5 && memcmp(p, "%PDF-", 5) == 0)
		return "pdf";
	return NULL;
}

/* libtiff reads from our buffer through these. */
static tmsize_t
image_mem_read(thandle_t h, void *buf, tmsize_t n)
{
	struct image_mem *m = h;
	size_t left = m->len - m->pos;

	if (n < 0)
		return -1;
	if ((size_t)n > left)
		n = (tmsize_t)left;
	memcpy(buf, m->data + m->pos, (size_t)n);
	m->pos += (size_t)n;
	return n;
}

static tmsize_t
image_mem_write(thandle_t h, void *buf, tmsize_t n)
{
	return -1;
}

static toff_t
image_mem_seek(thandle_t h, toff_t off, int whence)
{
	struct image_mem *m = h;
	uint64_t base;

	switch (whence) {
	case SEEK_SET:
		base = 0;
		break;
	case SEEK_CUR:
		base = m->pos;
		break;
	case SEEK_END:
		base = m->len;
		break;
	default:
		return (toff_t)-1;
	}
	if (off > UINT64_MAX - base)
		return (toff_t)-1;
	/* Seeking past the end is allowed; reads there return nothing. */
	m->pos = base + off > m->len ? m->len : (size_t)(base + off);
	return base + off;
}

static int
image_mem_close(thandle_t h)
{
	return 0;
}

static toff_t
image_mem_size(thandle_t h)
{
	return ((struct image_mem *)h)->len;
}

static int
image_mem_map(thandle_t h, void **base, toff_t *size)
{
	struct image_mem *m = h;

	*base = (void *)m->data;
	*size = m->len;
	return 1;
}

static void
image_mem_unmap(thandle_t h, void *base, toff_t size)
{
}

/*
 * libtiff words some errors over two lines ("Improper JPEG sampling factors
 * 2,2\nApparently should be 1,1."), and a reason is one line, read as a
 * sentence: line breaks become "; ", other control characters spaces, and
 * the trailing break or blank goes.
 */
static void
image_one_line(char *out, size_t outlen, const char *in)
{
	size_t o = 0;

	for (; *in != '\0' && o + 3 < outlen; in++) {
		unsigned char c = (unsigned char)*in;

		if (c != '\n' && c != '\r') {
			out[o++] = c < 0x20 || c == 0x7f ? ' ' : (char)c;
			continue;
		}
		while (in[1] == '\n' || in[1] == '\r' || in[1] == ' ')
			in++;
		while (o > 0 && out[o - 1] == ' ')
			o--;
		if (o > 0 && in[1] != '\0') {
			out[o++] = ';';
			out[o++] = ' ';
		}
	}
	out[o] = '\0';
}

static int
image_tiff_error(TIFF *tif, void *arg, const char *module, const char *fmt,
    va_list ap)
{
	struct image *im = arg;
	char msg[sizeof im->tifferr];

	if (im->tifferr[0] == '\0') {
		vsnprintf(msg, sizeof msg, fmt, ap);
		image_one_line(im->tifferr, sizeof im->tifferr, msg);
	}
	return 1;
}

static int
image_tiff_warning(TIFF *tif, void *arg, const char *module, const char *fmt,
    va_list ap)
{
	return 1;	/* unknown tags and the like: not the user's concern */
}

static int
image_check_size(uint32_t w, uint32_t h, int page, const struct image_limits *l,
    char *err)
{
	if (w == 0 || h == 0) {
		snprintf(err, ERRMAX, "page %d has no pixels (%u x %u)", page + 1,
		    w, h);
		return -1;
	}
	if (w > l->max_side || h > l->max_side ||
	    (uint64_t)w * h > l->max_pixels) {
		snprintf(err, ERRMAX, "page %d claims %u x %u pixels, more than "
		    "any scanner makes (the limit is %u on a side and %llu "
		    "million in all)", page + 1, w, h, l->max_side,
		    (unsigned long long)(l->max_pixels / 1000000));
		return -1;
	}
	return 0;
}

static int
image_tiff_open(struct image *im, const struct image_limits *l, char *err)
{
	uint32_t w, h;
	char emsg[1024], line[1024];
	int n = 0;

	im->mem.data = im->data;
	im->mem.len = im->len;
	im->mem.pos = 0;
	if ((im->opts = TIFFOpenOptionsAlloc()) == NULL)
		fatal("out of memory");
	TIFFOpenOptionsSetErrorHandlerExtR(im->opts, image_tiff_error, im);
	TIFFOpenOptionsSetWarningHandlerExtR(im->opts, image_tiff_warning, im);
	/* One allocation above the largest page we accept is a damaged file. */
	TIFFOpenOptionsSetMaxSingleMemAlloc(im->opts,
	    (tmsize_t)(l->max_pixels * 4 + 65536));
	im->tif = TIFFClientOpenExt("scan", "rm", &im->mem, image_mem_read,
	    image_mem_write, image_mem_seek, image_mem_close, image_mem_size,
	    image_mem_map, image_mem_unmap, im->opts);
	if (im->tif == NULL) {
		snprintf(err, ERRMAX, "the TIFF structure is damaged (%s)",
		    im->tifferr[0] ? im->tifferr : "no readable first page");
		return -1;
	}
	do {
		if (n >= l->max_pages) {
			snprintf(err, ERRMAX, "the TIFF has more than %d pages, "
			    "the most one document may have", l->max_pages);
			return -1;
		}
		if (!TIFFGetField(im->tif, TIFFTAG_IMAGEWIDTH, &w) ||
		    !TIFFGetField(im->tif, TIFFTAG_IMAGELENGTH, &h)) {
			snprintf(err, ERRMAX, "page %d of the TIFF has no size",
			    n + 1);
			return -1;
		}
		if (image_check_size(w, h, n, l, err) == -1)
			return -1;
		if (!TIFFRGBAImageOK(im->tif, emsg)) {
			image_one_line(line, sizeof line, emsg);
			snprintf(err, ERRMAX, "page %d of the TIFF is in a form "
			    "that cannot be decoded (%s)", n + 1, line);
			return -1;
		}
		n++;
	} while (TIFFReadDirectory(im->tif));
	if (im->tifferr[0] != '\0') {
		snprintf(err, ERRMAX, "the TIFF structure is damaged after page "
		    "%d (%s)", n, im->tifferr);
		return -1;
	}
	im->npages = n;
	im->tifferr[0] = '\0';
	return 0;
}

struct image *
image_open(const void *data, size_t len, int default_dpi,
    const struct image_limits *lim, char *err)
{
	struct image_limits deflim;
	struct image *im;
	l_int32 format, w, h, bps, spp, iscmap;

	if (lim == NULL) {
		image_default_limits(&deflim);
		lim = &deflim;
	}
	if (len == 0) {
		snprintf(err, ERRMAX, "the file is empty (0 bytes)");
		return NULL;
	}
	im = xcalloc(1, sizeof *im);
	im->data = data;
	im->len = len;
	im->default_dpi = default_dpi > 0 ? default_dpi : 300;
	im->format = image_sniff(data, len);
	if (im->format == NULL) {
		snprintf(err, ERRMAX, "not an image: the file is not TIFF, PNG, "
		    "JPEG or PDF");
		goto out_free;
	}
	if (strcmp(im->format, "pdf") == 0) {
		if ((im->pdf = pdf_open(data, len, lim, err)) == NULL)
			goto out_free;
		im->npages = pdf_npages(im->pdf);
		return im;
	}
	if (strcmp(im->format, "tiff") == 0) {
		if (image_tiff_open(im, lim, err) == -1)
			goto out_free;
		return im;
	}
	if (pixReadHeaderMem(data, len, &format, &w, &h, &bps, &spp,
	    &iscmap) != 0) {
		snprintf(err, ERRMAX, "the %s header is damaged",
		    strcmp(im->format, "png") == 0 ? "PNG" : "JPEG");
		goto out_free;
	}
	if (image_check_size((uint32_t)w, (uint32_t)h, 0, lim, err) == -1)
		goto out_free;
	im->width = (uint32_t)w;
	im->height = (uint32_t)h;
	im->npages = 1;
	return im;
out_free:
	image_close(im);
	return NULL;
}

int
image_npages(const struct image *im)
{
	return im->npages;
}

const char *
image_format(const struct image *im)
{
	return im->format;
}

/*
 * A resolution is believed when it is one a scanner uses and it makes a
 * page of plausible size; JPEGs often say 72 dpi whatever the scan was.
 */
static int
image_plausible_dpi(double dpi, uint32_t w, uint32_t h, int default_dpi)
{
	uint32_t longest = w > h ? w : h;

	if (!(dpi >= 70 && dpi <= 2400) || longest / dpi > 25.0)
		return default_dpi;
	return (int)lround(dpi);
}

static int
image_tiff_dpi(struct image *im, uint32_t w, uint32_t h)
{
	float xres = 0;
	uint16_t unit = RESUNIT_INCH;
	double dpi;

	if (!TIFFGetField(im->tif, TIFFTAG_XRESOLUTION, &xres) || xres <= 0)
		return im->default_dpi;
	TIFFGetFieldDefaulted(im->tif, TIFFTAG_RESOLUTIONUNIT, &unit);
	if (unit == RESUNIT_CENTIMETER)
		dpi = xres * 2.54;
	else if (unit == RESUNIT_INCH)
		dpi = xres;
	else
		return im->default_dpi;
	return image_plausible_dpi(dpi, w, h, im->default_dpi);
}

/*
 * A decoder that fails may have run out of memory or met damaged data; the
 * reason says which, and errno is left ENOMEM exactly when it was memory,
 * so that the worker can tell its memory limit from a bad scan.
 */
static void
image_nomem(char *err, int page)
{
	snprintf(err, ERRMAX, "not enough memory to decode page %d", page + 1);
	errno = ENOMEM;
}

static void
image_damaged(struct image *im, char *err, int page, const char *where)
{
	int saved = errno;

	if (saved == ENOMEM) {
		image_nomem(err, page);
		return;
	}
	if (im->tif != NULL)
		snprintf(err, ERRMAX, "page %d of the TIFF is damaged or cut "
		    "short%s (%s)", page + 1, where, im->tifferr[0] ?
		    im->tifferr : "no data");
	else
		snprintf(err, ERRMAX, "the %s data is damaged or cut short",
		    strcmp(im->format, "png") == 0 ? "PNG" : "JPEG");
	errno = EINVAL;
}

/* Before decoding: a page too small to hold a line of text is refused. */
static int
image_check_readable(uint32_t w, uint32_t h, int page, char *err)
{
	if (w >= IMAGE_MIN_SIDE && h >= IMAGE_MIN_SIDE)
		return 0;
	snprintf(err, ERRMAX, "page %d is %u x %u pixels, too small to hold any "
	    "text (a page needs at least %d pixels each way)", page + 1, w, h,
	    IMAGE_MIN_SIDE);
	errno = EINVAL;
	return -1;
}

/* Bilevel strips straight into a 1 bpp Pix (1 = black in Leptonica). */
static PIX *
image_tiff_bilevel(struct image *im, uint32_t w, uint32_t h, uint16_t photo,
    int page, char *err)
{
	PIX *pix;
	l_uint32 *line;
	tmsize_t sl = TIFFScanlineSize(im->tif);
	int wpl;
	uint32_t y;
	char where[64];

	/* The size was checked at open: only memory can fail pixCreate. */
	if ((pix = pixCreate((l_int32)w, (l_int32)h, 1)) == NULL) {
		image_nomem(err, page);
		return NULL;
	}
	wpl = pixGetWpl(pix);
	if (sl <= 0 || (size_t)sl > (size_t)wpl * 4) {
		snprintf(err, ERRMAX, "page %d of the TIFF has a bad line size",
		    page + 1);
		errno = EINVAL;
		goto out_destroy;
	}
	for (y = 0; y < h; y++) {
		line = pixGetData(pix) + (size_t)y * wpl;
		errno = 0;
		if (TIFFReadScanline(im->tif, line, y, 0) == -1) {
			snprintf(where, sizeof where, " at line %u", y);
			image_damaged(im, err, page, where);
			goto out_destroy;
		}
	}
	pixEndianByteSwap(pix);	/* bytes in file order -> Leptonica words */
	if (photo == PHOTOMETRIC_MINISBLACK)
		pixInvert(pix, pix);
	return pix;
out_destroy:
	pixDestroy(&pix);
	return NULL;
}

static PIX *
image_tiff_rgba(struct image *im, uint32_t w, uint32_t h, uint16_t photo,
    int page, char *err)
{
	uint32_t *raster, *p;
	l_uint32 *line;
	PIX *pix = NULL, *gray;
	int wpl;
	uint32_t x, y;

	if ((raster = malloc((size_t)w * h * sizeof *raster)) == NULL) {
		image_nomem(err, page);
		return NULL;
	}
	errno = 0;
	if (!TIFFReadRGBAImageOriented(im->tif, w, h, raster,
	    ORIENTATION_TOPLEFT, 1)) {
		image_damaged(im, err, page, "");
		goto out_free;
	}
	if ((pix = pixCreate((l_int32)w, (l_int32)h, 32)) == NULL) {
		image_nomem(err, page);
		goto out_free;
	}
	wpl = pixGetWpl(pix);
	for (y = 0; y < h; y++) {
		line = pixGetData(pix) + (size_t)y * wpl;
		p = raster + (size_t)y * w;
		for (x = 0; x < w; x++) {
			uint32_t a = TIFFGetA(p[x]);
			uint32_t r = TIFFGetR(p[x]), g = TIFFGetG(p[x]),
			    b = TIFFGetB(p[x]);

			if (a != 255) {	/* lay transparency over white paper */
				r = (r * a + 255 * (255 - a)) / 255;
				g = (g * a + 255 * (255 - a)) / 255;
				b = (b * a + 255 * (255 - a)) / 255;
			}
			composeRGBPixel((l_int32)r, (l_int32)g, (l_int32)b,
			    line + x);
		}
	}
	if (photo == PHOTOMETRIC_MINISBLACK || photo == PHOTOMETRIC_MINISWHITE) {
		/* of a valid 32 bpp Pix: only memory can fail */
		gray = pixConvertRGBToLuminance(pix);
		pixDestroy(&pix);
		pix = gray;
		if (pix == NULL)
			image_nomem(err, page);
	}
out_free:
	free(raster);
	return pix;
}

static PIX *
image_tiff_page(struct image *im, int i, int *dpi, char *err)
{
	uint32_t w = 0, h = 0;
	uint16_t bps = 1, spp = 1, photo = PHOTOMETRIC_MINISWHITE;
	PIX *pix;

	im->tifferr[0] = '\0';
	if (!TIFFSetDirectory(im->tif, (tdir_t)i)) {
		snprintf(err, ERRMAX, "page %d of the TIFF cannot be read (%s)",
		    i + 1, im->tifferr[0] ? im->tifferr : "bad directory");
		errno = EINVAL;
		return NULL;
	}
	TIFFGetField(im->tif, TIFFTAG_IMAGEWIDTH, &w);
	TIFFGetField(im->tif, TIFFTAG_IMAGELENGTH, &h);
	TIFFGetFieldDefaulted(im->tif, TIFFTAG_BITSPERSAMPLE, &bps);
	TIFFGetFieldDefaulted(im->tif, TIFFTAG_SAMPLESPERPIXEL, &spp);
	TIFFGetField(im->tif, TIFFTAG_PHOTOMETRIC, &photo);
	if (image_check_readable(w, h, i, err) == -1)
		return NULL;
	if (bps == 1 && spp == 1 && !TIFFIsTiled(im->tif) &&
	    (photo == PHOTOMETRIC_MINISWHITE || photo == PHOTOMETRIC_MINISBLACK))
		pix = image_tiff_bilevel(im, w, h, photo, i, err);
	else
		pix = image_tiff_rgba(im, w, h, photo, i, err);
	if (pix == NULL)
		return NULL;
	*dpi = image_tiff_dpi(im, w, h);
	pixSetResolution(pix, *dpi, *dpi);
	return pix;
}

static PIX *
image_leptonica_page(struct image *im, int *dpi, char *err)
{
	PIX *pix, *tmp;

	if (image_check_readable(im->width, im->height, 0, err) == -1)
		return NULL;
	errno = 0;
	if ((pix = pixReadMem(im->data, im->len)) == NULL) {
		image_damaged(im, err, 0, "");
		return NULL;
	}
	/* Both take any valid Pix: only memory can fail them. */
	if (pixGetColormap(pix) != NULL) {
		tmp = pixRemoveColormap(pix, REMOVE_CMAP_BASED_ON_SRC);
		pixDestroy(&pix);
		pix = tmp;
	} else if (pixGetDepth(pix) == 32 && pixGetSpp(pix) == 4) {
		tmp = pixAlphaBlendUniform(pix, 0xffffff00);
		pixDestroy(&pix);
		pix = tmp;
	}
	if (pix == NULL) {
		image_nomem(err, 0);
		return NULL;
	}
	*dpi = image_plausible_dpi(pixGetXRes(pix), (uint32_t)pixGetWidth(pix),
	    (uint32_t)pixGetHeight(pix), im->default_dpi);
	pixSetResolution(pix, *dpi, *dpi);
	return pix;
}

PIX *
image_page(struct image *im, int i, int *dpi, char *err)
{
	if (i < 0 || i >= im->npages) {
		snprintf(err, ERRMAX, "there is no page %d", i + 1);
		errno = EINVAL;
		return NULL;
	}
	if (im->tif != NULL)
		return image_tiff_page(im, i, dpi, err);
	if (im->pdf != NULL)
		return pdf_page_pix(im->pdf, i, im->default_dpi, dpi, err);
	return image_leptonica_page(im, dpi, err);
}

char *
image_page_text(struct image *im, int i)
{
	if (im->pdf == NULL || i < 0 || i >= im->npages)
		return NULL;
	return pdf_page_text(im->pdf, i);
}

json_t *
image_signatures(struct image *im)
{
	return im->pdf != NULL ? pdf_signatures(im->pdf) : NULL;
}

void
image_close(struct image *im)
{
	if (im == NULL)
		return;
	if (im->tif != NULL)
		TIFFClose(im->tif);
	if (im->opts != NULL)
		TIFFOpenOptionsFree(im->opts);
	pdf_close(im->pdf);
	free(im);
}
