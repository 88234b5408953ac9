/* Reads the COVID-19 vaccine medicinal products from the EU DCC value set
 * file (data/dcc-valuesets/vaccine-medicinal-product.json): an object
 * whose "valueSetValues" maps each product code to {"display", "active",
 * ...}. */
#ifndef TC_PRODUCTS_JSON_H
#define TC_PRODUCTS_JSON_H

#include <stddef.h>

#include "../core/err.h"
#include "../db/db.h"

struct tc_arena;

/* Parses the file's text. Records and strings live in `a`, in the file's
 * order. Refuses a file without products, or with a code or name that is
 * empty, longer than 100 characters or not clean UTF-8. */
tc_err tc_products_parse(const char *json, size_t len, struct tc_arena *a,
                         struct tc_product **out, size_t *n, struct tc_fault *f);

/* Reads DIR/vaccine-medicinal-product.json, parses it, and gives the
 * SHA-256 (hex) of its bytes so a reload can be skipped when unchanged. */
tc_err tc_products_load(const char *dir, struct tc_arena *a, struct tc_product **out,
                        size_t *n, const char **sha256, struct tc_fault *f);

#endif
