/* Reads the vaccine products' schedule and handling attributes from
 * data/vaccines/products.csv, checked against the EU DCC value sets in
 * data/dcc-valuesets/ (products and manufacturers, src/io/products_json.h),
 * into struct tc_product_info records.
 *
 * The file is UTF-8 CSV with a header row naming the columns (code,
 * manufacturer, platform, used_in_vn, series_doses, min_interval_days,
 * rec_interval_days, booster_min_days, min_age_years, doses_per_vial,
 * open_vial_hours, storage_min_c, storage_max_c, in any order); lines
 * starting with '#' (and blank lines) before the header are comments.
 * Every product of the value set must have exactly one row, and every row
 * a product of the value set. The rules each value must meet are in
 * products_csv.c; an error names the file, the line and the column. */
#ifndef TC_PRODUCTS_CSV_H
#define TC_PRODUCTS_CSV_H

#include <stddef.h>

#include "../core/err.h"
#include "../db/db.h"
#include "../db/stock.h"

struct tc_arena;

#define TC_PRODUCTS_CSV_FILE "products.csv"

/* Parses the CSV text against the products (name, active) and the
 * manufacturers (name) of the value sets; both are borrowed. The records
 * come in the products' order; they and their strings live in `a`. */
tc_err tc_products_csv_parse(const char *csv, size_t len,
                             const struct tc_product *products, size_t nproducts,
                             const struct tc_product *manufacturers,
                             size_t nmanufacturers, struct tc_arena *a,
                             struct tc_product_info **out, size_t *n, struct tc_fault *f);

/* Reads DATA/dcc-valuesets/{vaccine-medicinal-product,vaccine-mah-manf}.json
 * and DATA/vaccines/products.csv, parses them, and gives one SHA-256 (hex)
 * over the three files so a reload can be skipped when none changed. */
tc_err tc_products_csv_load(const char *data_dir, struct tc_arena *a,
                            struct tc_product_info **out, size_t *n, const char **sha256,
                            struct tc_fault *f);

#endif
