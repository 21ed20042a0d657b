/*
 * codes_zxing.cpp: the one C++ file of sohoa, a thin C interface to
 * zxing-cpp so that codes.c can stay C.  It takes an 8-bit grey page (rows
 * stride bytes apart) and
 * hands every code zxing-cpp finds to a C callback: its format, its bytes
 * as they are (a payload need not be UTF-8; codes.c decides how to keep
 * it) and its corners.  No C++ exception may cross into C: everything is
 * caught here and becomes an error sentence.
 */
#include <cstdio>
#include <exception>

/* Results as std::string, the form this file uses throughout. */
#define ZX_USE_UTF8 1
#include <ReadBarcode.h>

/* As in sohoa.h, which is C only (it includes <stdnoreturn.h>): keep the
 * two alike. */
#define ERRMAX	512
extern "C" {
typedef void (*codes_found_fn)(void *arg, const char *format,
    const char *bytes, size_t len, int left, int top, int width, int height);
int	codes_zxing_read(const unsigned char *grey, int width, int height,
	    int stride, int qr_only, codes_found_fn found, void *arg, char *err);
}

extern "C" int
codes_zxing_read(const unsigned char *grey, int width, int height,
    int stride, int qr_only, codes_found_fn found, void *arg, char *err)
{
	try {
		ZXing::ImageView view(grey, width, height, ZXing::ImageFormat::Lum,
		    stride);
		ZXing::DecodeHints hints;
		int n = 0;

		/* Every format: a result may carry a Code 128 dossier code as
		 * well as the QR of Thông tư 01/2023.  A second look for a
		 * small QR code needs no turning: a QR reads at any angle. */
		hints.setTryHarder(true).setTryRotate(!qr_only);
		/* No smaller copies of the page: on the 64 rendered result
		 * pages they found no code the page itself did not give, and
		 * cost a third of the reading. */
		hints.setTryDownscale(false);
		if (qr_only)
			hints.setFormats(ZXing::BarcodeFormat::QRCode);
		for (const ZXing::Result &r : ZXing::ReadBarcodes(view, hints)) {
			const ZXing::ByteArray &b = r.bytes();
			const ZXing::Position &p = r.position();
			int x0 = p.topLeft().x, y0 = p.topLeft().y;
			int x1 = x0, y1 = y0;

			if (!r.isValid())
				continue;
			for (const ZXing::PointI &q : p) {
				x0 = q.x < x0 ? q.x : x0;
				y0 = q.y < y0 ? q.y : y0;
				x1 = q.x > x1 ? q.x : x1;
				y1 = q.y > y1 ? q.y : y1;
			}
			found(arg, ZXing::ToString(r.format()),
			    reinterpret_cast<const char *>(b.data()), b.size(),
			    x0, y0, x1 - x0 + 1, y1 - y0 + 1);
			n++;
		}
		return n;
	} catch (const std::exception &e) {
		std::snprintf(err, ERRMAX, "the barcode reader failed: %s",
		    e.what());
	} catch (...) {
		std::snprintf(err, ERRMAX, "the barcode reader failed");
	}
	return -1;
}
