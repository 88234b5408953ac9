/* Reads the vaccine mixing rules, data/vaccines/mixing.csv, into struct
 * tc_mix_rule records (src/domain/schedule.h says what they mean).
 *
 * The file is UTF-8 CSV with a header row naming the columns kind, after,
 * then, min_days and source, in any order; lines starting with '#' (and
 * blank lines) before the header are comments. kind is primary, booster or
 * booster2; after is a product code of the caller's list, a platform or
 * "*"; then the same, or "=" in a booster row; min_days empty or a whole
 * number from 1 to 730; source a non-empty text. A row may not repeat
 * another's kind, after and then. An error names the file, the line and
 * the column. */
#ifndef TC_MIXING_CSV_H
#define TC_MIXING_CSV_H

#include <stddef.h>

#include "../core/err.h"
#include "../domain/schedule.h"

struct tc_arena;

#define TC_MIXING_CSV_FILE "mixing.csv"

/* Parses the CSV text; product codes are checked against codes[0 ..
 * ncodes), borrowed. The rules come in the file's order; they and their
 * strings live in `a`. */
tc_err tc_mixing_csv_parse(const char *csv, size_t len, const char *const *codes,
                           size_t ncodes, struct tc_arena *a, struct tc_mix_rule **out,
                           size_t *n, struct tc_fault *f);

/* Reads DATA/vaccines/mixing.csv and parses it. */
tc_err tc_mixing_csv_load(const char *data_dir, const char *const *codes, size_t ncodes,
                          struct tc_arena *a, struct tc_mix_rule **out, size_t *n,
                          struct tc_fault *f);

#endif
