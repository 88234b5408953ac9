/* Reference data in CSV (data/vaccines/, data/screening/): comment lines
 * at the top, a header naming its columns, then rows.
 *
 * Before the header, a UTF-8 byte-order mark and lines starting with '#'
 * (and blank lines) are skipped; the header names each of the caller's
 * columns once, in any order, and no other. After it every row but a blank
 * line has as many fields as the header. Errors are IO faults on the field
 * "file" whose message starts "FILE line N" (and "column C (name)" where a
 * column is at fault), N counted in the whole file. The loaders keep their
 * own rules for the values. */
#ifndef TC_DATACSV_H
#define TC_DATACSV_H

#include <stddef.h>
#include <stdint.h>

#include "../core/err.h"
#include "csv.h"

struct tc_arena;

struct tc_datacsv {
	const char *file;         /* name for errors; borrowed */
	const char *const *names; /* names[c] of column c; NULL: not in this file */
	int nnames;
	int *pos;       /* column c's index in a row (arena), -1 if not in this file */
	size_t ncols;   /* fields in the header */
	size_t skipped; /* lines before the CSV reader's first */
	struct tc_csv r;
	struct tc_arena *a;
	struct tc_fault *f;
};

/* Skips the comments and reads the header of `text` (len bytes, borrowed
 * like `file` and `names[0 .. nnames)` as long as d is used). Call
 * tc_datacsv_cleanup afterwards, whether this failed or not. */
tc_err tc_datacsv_open(struct tc_datacsv *d, const char *file, const char *text,
                       size_t len, const char *const *names, int nnames,
                       struct tc_arena *a, struct tc_fault *f);
/* The next row that is not a blank line: *more is false at the end. */
tc_err tc_datacsv_next(struct tc_datacsv *d, bool *more);
void tc_datacsv_cleanup(struct tc_datacsv *d);

/* The line of the row just read, in the whole file. */
size_t tc_datacsv_line(const struct tc_datacsv *d);
/* Column c of the row just read (c is in this file). */
const struct tc_csv_field *tc_datacsv_field(const struct tc_datacsv *d, int c);
/* Whether the field is exactly the text s. */
bool tc_datacsv_is(const struct tc_csv_field *v, const char *s);

/* "FILE line N column C (name): why 'value'"; value may be NULL. */
tc_err tc_datacsv_fail(struct tc_datacsv *d, int c, const char *why, const char *value);
/* Column c's field as a whole number in [min, max]. An empty field is an
 * error when `required`, else leaves *out as it was. */
tc_err tc_datacsv_number(struct tc_datacsv *d, int c, bool required, int64_t min,
                         int64_t max, int64_t *out);

#endif
