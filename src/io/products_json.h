/* Reads EU DCC value set files (data/dcc-valuesets/): an object whose
 * "valueSetValues" maps each code to {"display", "active", ...}. Two of
 * them are read: the COVID-19 vaccine medicinal products
 * (vaccine-medicinal-product.json) and their marketing-authorisation
 * holders and manufacturers (vaccine-mah-manf.json). Either set's entries
 * are given as struct tc_product: code, display name, active. */
#ifndef TC_PRODUCTS_JSON_H
#define TC_PRODUCTS_JSON_H

#include <stddef.h>

#include "../core/err.h"
#include "../db/db.h"

struct tc_arena;

#define TC_DCC_PRODUCTS_FILE      "vaccine-medicinal-product.json"
#define TC_DCC_MANUFACTURERS_FILE "vaccine-mah-manf.json"

/* Parses a value set file's text; `file` names it in error messages.
 * Records and strings live in `a`, in the file's order. Refuses a file
 * without values, or with a code or name that is empty, longer than 100
 * characters or not clean UTF-8. */
tc_err tc_valueset_parse(const char *file, const char *json, size_t len,
                         struct tc_arena *a, struct tc_product **out, size_t *n,
                         struct tc_fault *f);

/* Reads DIR/FILE, parses it, and gives the SHA-256 (hex) of its bytes so a
 * reload can be skipped when unchanged. */
tc_err tc_valueset_load(const char *dir, const char *file, struct tc_arena *a,
                        struct tc_product **out, size_t *n, const char **sha256,
                        struct tc_fault *f);

/* The products' value set (TC_DCC_PRODUCTS_FILE). */
tc_err tc_products_parse(const char *json, size_t len, struct tc_arena *a,
                         struct tc_product **out, size_t *n, struct tc_fault *f);

#endif
