/* QR code images (libqrencode): SVG and PNG (libpng), for personal QR
 * codes and certificates. Error correction level M, a quiet zone of four
 * modules. */
#ifndef TC_QR_H
#define TC_QR_H

#include <stddef.h>

#include "../core/err.h"
#include "../core/util.h"

struct tc_fault;

/* Appends an SVG document drawing `text` (8-bit mode) to `out`: one
 * <path> of the dark modules, viewBox in modules, crisp edges. */
tc_err tc_qr_svg(const char *text, size_t len, struct tc_buf *out, struct tc_fault *f);
/* Appends a PNG (1-bit grey) of `text` to `out`, each module `scale`
 * pixels (1..32). */
tc_err tc_qr_png(const char *text, size_t len, int scale, struct tc_buf *out,
                 struct tc_fault *f);

#endif
