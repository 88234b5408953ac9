/* io/qr: QR code images, read back and compared module by module with
 * libqrencode's own matrix for the same text. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <png.h>
#include <qrencode.h>

#include "core/util.h"
#include "io/qr.h"

#define TOKEN "TC1:9f86d081884c7d659a2feaa0c55ad015"

/* The reference matrix: 8-bit mode, level M, as qr.h promises. */
static QRcode *reference(const char *text)
{
	QRcode *qr = QRcode_encodeString8bit(text, 0, QR_ECLEVEL_M);
	assert_non_null(qr);
	return qr;
}

static int ref_dark(const QRcode *qr, int x, int y)
{
	return qr->data[y * qr->width + x] & 1;
}

static void test_png(void **state)
{
	static const int scales[] = { 1, 3, 8 };
	QRcode *qr = reference(TOKEN);
	(void)state;

	for (size_t k = 0; k < TC_ARRAY_LEN(scales); k++) {
		int scale = scales[k], side = (qr->width + 8) * scale;
		struct tc_buf out;
		struct tc_fault f = { 0 };
		png_image img;
		unsigned char *px;

		tc_buf_init(&out);
		assert_int_equal(tc_qr_png(TOKEN, strlen(TOKEN), scale, &out, &f),
		                 TC_ERR_OK);
		assert_memory_equal(out.data, "\x89PNG\r\n\x1a\n", 8);
		assert_int_equal(out.data[24], 1); /* IHDR: bit depth 1, */
		assert_int_equal(out.data[25], 0); /* grey */

		memset(&img, 0, sizeof(img));
		img.version = PNG_IMAGE_VERSION;
		assert_true(png_image_begin_read_from_memory(&img, out.data, out.len));
		assert_int_equal(img.width, side);
		assert_int_equal(img.height, side);
		img.format = PNG_FORMAT_GRAY;
		px = tc_xmalloc(PNG_IMAGE_SIZE(img));
		assert_true(png_image_finish_read(&img, NULL, px, 0, NULL));

		/* every pixel: white in the quiet zone, the module's colour inside */
		for (int y = 0; y < side; y++) {
			for (int x = 0; x < side; x++) {
				int mx = x / scale - 4, my = y / scale - 4;
				int inside = mx >= 0 && my >= 0 && mx < qr->width &&
				             my < qr->width;
				int want = inside && ref_dark(qr, mx, my) ? 0 : 255;
				if (px[y * side + x] != want)
					fail_msg("scale %d: pixel (%d,%d) is %d, want %d",
					         scale, x, y, px[y * side + x], want);
			}
		}
		/* the corners of the three finder patterns, at the quiet zone's edge */
		int q = 4 * scale, far = (4 + qr->width - 1) * scale;
		assert_int_equal(px[q * side + q], 0);
		assert_int_equal(px[q * side + far], 0);
		assert_int_equal(px[far * side + q], 0);
		assert_int_equal(px[(q - 1) * side + (q - 1)], 255);
		assert_int_equal(px[0], 255);
		assert_int_equal(px[side * side - 1], 255);
		free(px);
		tc_buf_cleanup(&out);
	}
	QRcode_free(qr);
}

/* Redraws the SVG's path into a grid of modules. */
static void draw_path(const char *d, const QRcode *qr, unsigned char *grid)
{
	int x, y, h, h2, n, w = qr->width;

	while (*d != '"') {
		assert_int_equal(sscanf(d, "M%d %dh%dv1h-%dz%n", &x, &y, &h, &h2, &n), 4);
		assert_int_equal(h, h2);
		assert_true(h >= 1 && x >= 4 && y >= 4 && x - 4 + h <= w && y - 4 < w);
		x -= 4;
		y -= 4;
		for (int i = 0; i < h; i++) {
			assert_int_equal(grid[y * w + x + i], 0); /* drawn once */
			grid[y * w + x + i] = 1;
		}
		/* runs are merged: a run ends before a light module */
		if (x + h < w)
			assert_false(ref_dark(qr, x + h, y));
		d += n;
	}
}

static void test_svg(void **state)
{
	QRcode *qr = reference(TOKEN);
	struct tc_buf out;
	struct tc_fault f = { 0 };
	char want[64];
	const char *d;
	unsigned char *grid;
	(void)state;

	tc_buf_init(&out);
	tc_buf_puts(&out, "kept:");
	assert_int_equal(tc_qr_svg(TOKEN, strlen(TOKEN), &out, &f), TC_ERR_OK);
	assert_memory_equal(out.data, "kept:<svg ", 10);
	snprintf(want, sizeof(want), "viewBox=\"0 0 %d %d\"", qr->width + 8,
	         qr->width + 8);
	assert_non_null(strstr(out.data, want));
	assert_non_null(strstr(out.data, "xmlns=\"http://www.w3.org/2000/svg\""));
	assert_non_null(strstr(out.data, "shape-rendering=\"crispEdges\""));
	assert_non_null(strstr(out.data, "fill=\"#fff\""));
	assert_int_equal(strlen(out.data), out.len);
	assert_string_equal(out.data + out.len - 7, "</svg>\n");

	d = strstr(out.data, " d=\"");
	assert_non_null(d);
	assert_null(strstr(d + 1, " d=\"")); /* one path */
	grid = calloc((size_t)qr->width * qr->width, 1);
	draw_path(d + 4, qr, grid);
	for (int y = 0; y < qr->width; y++)
		for (int x = 0; x < qr->width; x++)
			if (grid[y * qr->width + x] != ref_dark(qr, x, y))
				fail_msg("svg module (%d,%d) differs", x, y);
	free(grid);
	tc_buf_cleanup(&out);
	QRcode_free(qr);
}

static void test_errors(void **state)
{
	struct tc_buf out;
	struct tc_fault f = { 0 };
	char *big = malloc(3000);
	(void)state;

	memset(big, 'x', 3000);
	tc_buf_init(&out);
	tc_buf_puts(&out, "before");

	assert_int_equal(tc_qr_svg("", 0, &out, &f), TC_ERR_INVALID_FIELD);
	assert_string_equal(f.field, "qr");
	assert_int_equal(tc_qr_svg(big, 3000, &out, &f), TC_ERR_INVALID_FIELD);
	assert_string_equal(f.field, "qr");
	assert_non_null(strstr(f.message, "too long"));
	assert_int_equal(tc_qr_png(big, 3000, 4, &out, &f), TC_ERR_INVALID_FIELD);
	assert_string_equal(f.field, "qr");
	assert_int_equal(tc_qr_png(TOKEN, strlen(TOKEN), 0, &out, &f),
	                 TC_ERR_INVALID_FIELD);
	assert_string_equal(f.field, "scale");
	assert_int_equal(tc_qr_png(TOKEN, strlen(TOKEN), 33, &out, &f),
	                 TC_ERR_INVALID_FIELD);
	assert_string_equal(out.data, "before"); /* nothing appended on failure */

	/* the largest 8-bit symbol at level M holds 2331 bytes */
	assert_int_equal(tc_qr_svg(big, 2331, &out, &f), TC_ERR_OK);
	assert_non_null(strstr(out.data, "viewBox=\"0 0 185 185\""));
	assert_int_equal(tc_qr_svg(big, 2332, &out, &f), TC_ERR_INVALID_FIELD);
	/* bytes, not a C string: a NUL inside is encoded */
	tc_buf_reset(&out);
	assert_int_equal(tc_qr_png("a\0b", 3, 32, &out, &f), TC_ERR_OK);
	assert_true(out.len > 8);
	tc_buf_cleanup(&out);
	free(big);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_png),
		cmocka_unit_test(test_svg),
		cmocka_unit_test(test_errors),
	};
	return cmocka_run_group_tests_name("qr", tests, NULL, NULL);
}
