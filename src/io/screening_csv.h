/* Reads the COVID-19 screening checklist from data/screening/: covid19.csv
 * (the questions) and covid19_vitals.csv (the limits of the measured vital
 * signs) into a struct tc_screen_checklist (src/domain/screening.h).
 *
 * Both files are UTF-8 CSV with a header row naming the columns, in any
 * order; lines starting with '#' (and blank lines) before the header are
 * comments. The columns and what each value must be are described at the
 * top of the files themselves and checked in screening_csv.c; an error
 * names the file, the line and the column. */
#ifndef TC_SCREENING_CSV_H
#define TC_SCREENING_CSV_H

#include <stddef.h>

#include "../core/err.h"
#include "../domain/screening.h"

struct tc_arena;

#define TC_SCREEN_ITEMS_FILE  "covid19.csv"
#define TC_SCREEN_LIMITS_FILE "covid19_vitals.csv"

/* Parses the two CSV texts (need not be NUL-terminated). The checklist,
 * its rows sorted by order, and its strings live in `a`. A fault is IO
 * with field "file" and a message that starts with the file's name. */
tc_err tc_screen_csv_parse(const char *items, size_t nitems, const char *limits,
                           size_t nlimits, struct tc_arena *a,
                           struct tc_screen_checklist *out, struct tc_fault *f);

/* Reads DIR/covid19.csv and DIR/covid19_vitals.csv (DIR is normally
 * data/screening), parses them, and gives one SHA-256 (hex) over the two
 * files so a reload can be skipped when neither changed. */
tc_err tc_screen_csv_load(const char *dir, struct tc_arena *a,
                          struct tc_screen_checklist *out, const char **sha256,
                          struct tc_fault *f);

#endif
