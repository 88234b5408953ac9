#include "qr.h"

#include <errno.h>
#include <limits.h>
#include <png.h>
#include <qrencode.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>

#define QUIET 4 /* modules of white around the symbol */

/* Encodes text in 8-bit mode, level M, the smallest version that holds it.
 * The caller frees *qr with QRcode_free. */
static tc_err encode(const char *text, size_t len, QRcode **qr, struct tc_fault *f)
{
	*qr = NULL;
	if (len == 0)
		return tc_fault_set(f, TC_ERR_INVALID_FIELD, "qr",
		                    "there is no text to put in a QR code");
	if (len > INT_MAX)
		return tc_fault_set(f, TC_ERR_INVALID_FIELD, "qr",
		                    "the text is too long for a QR code");
	errno = 0;
	*qr = QRcode_encodeData((int)len, (const unsigned char *)text, 0, QR_ECLEVEL_M);
	if (*qr)
		return TC_ERR_OK;
	if (errno == ERANGE)
		return tc_fault_set(f, TC_ERR_INVALID_FIELD, "qr",
		                    "the text is too long for a QR code");
	if (errno == ENOMEM)
		tc_die("out of memory (libqrencode)");
	return tc_fault_internal(f, TC_ERR_INTERNAL,
	                         "libqrencode could not encode a text");
}

static bool dark(const QRcode *qr, int x, int y)
{
	return qr->data[y * qr->width + x] & 1;
}

tc_err tc_qr_svg(const char *text, size_t len, struct tc_buf *out, struct tc_fault *f)
{
	QRcode *qr;
	tc_err rc = encode(text, len, &qr, f);
	int side;

	if (rc != TC_ERR_OK)
		return rc;
	side = qr->width + 2 * QUIET;
	tc_buf_printf(out,
	              "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %d %d\" "
	              "shape-rendering=\"crispEdges\">"
	              "<rect width=\"%d\" height=\"%d\" fill=\"#fff\"/><path "
	              "fill=\"#000\" d=\"",
	              side, side, side, side);
	for (int y = 0; y < qr->width; y++) {
		for (int x = 0; x < qr->width;) {
			int run = 0;
			while (x + run < qr->width && dark(qr, x + run, y))
				run++;
			if (run > 0)
				tc_buf_printf(out, "M%d %dh%dv1h-%dz", x + QUIET,
				              y + QUIET, run, run);
			x += run + 1;
		}
	}
	tc_buf_puts(out, "\"/></svg>\n");
	QRcode_free(qr);
	return TC_ERR_OK;
}

static void png_write(png_structp png, png_bytep data, size_t n)
{
	tc_buf_append(png_get_io_ptr(png), data, n);
}

static void png_flush(png_structp png)
{
	(void)png;
}

tc_err tc_qr_png(const char *text, size_t len, int scale, struct tc_buf *out,
                 struct tc_fault *f)
{
	QRcode *qr = NULL;
	png_structp png = NULL;
	png_infop info = NULL;
	unsigned char *row = NULL;
	size_t start = out->len;
	int side;
	tc_err rc;

	if (scale < 1 || scale > 32)
		return tc_fault_set(f, TC_ERR_INVALID_FIELD, "scale",
		                    "the scale of a QR image is 1 to 32 pixels a module");
	rc = encode(text, len, &qr, f);
	if (rc != TC_ERR_OK)
		return rc;
	png = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
	info = png ? png_create_info_struct(png) : NULL;
	if (info == NULL)
		tc_die("out of memory (libpng)");
	side = (qr->width + 2 * QUIET) * scale;
	row = tc_xmalloc(((size_t)side + 7) / 8);
	if (setjmp(png_jmpbuf(png))) {
		/* nothing set between here and a png_error is read after it */
		rc = tc_fault_internal(f, TC_ERR_INTERNAL,
		                       "libpng could not write a QR code");
		out->len = start;
		if (out->data)
			out->data[start] = '\0';
		goto done;
	}
	png_set_write_fn(png, out, png_write, png_flush);
	png_set_IHDR(png, info, (png_uint_32)side, (png_uint_32)side, 1,
	             PNG_COLOR_TYPE_GRAY, PNG_INTERLACE_NONE,
	             PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
	png_write_info(png, info);
	/* In 1-bit grey a set bit is white; the first pixel is the high bit. */
	for (int py = 0; py < side; py++) {
		int y = py / scale - QUIET;
		memset(row, 0xff, ((size_t)side + 7) / 8);
		for (int px = 0; y >= 0 && y < qr->width && px < side; px++) {
			int x = px / scale - QUIET;
			if (x >= 0 && x < qr->width && dark(qr, x, y))
				row[px / 8] &= (unsigned char)~(0x80u >> (px % 8));
		}
		png_write_row(png, row);
	}
	png_write_end(png, NULL);
done:
	png_destroy_write_struct(&png, &info);
	free(row);
	QRcode_free(qr);
	return rc;
}
