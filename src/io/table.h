/* One streaming row interface over the lists sites and communes deliver:
 * CSV (UTF-8, Windows-1258 or TCVN3; ',' ';' or tab), XLSX and old XLS.
 *
 *   struct tc_table *t;
 *   if (tc_table_open(path, NULL, a, &t, f) != TC_ERR_OK) return f->code;
 *   while ((got = tc_table_next(t)) == 1)
 *           for (size_t i = 0; i < tc_table_ncols(t); i++) use(tc_table_cell(t, i));
 *   if (got < 0) report(tc_table_row(t), tc_table_error(t));
 *   tc_table_close(t);
 *
 * Memory stays flat however long the file: a CSV file is mapped and read
 * in place; an XLSX sheet is inflated and parsed in chunks, one row at a
 * time (only its shared strings and styles are held, as they must be:
 * cells refer to them by index; shared strings are capped at 256 MB). An
 * XLS file is loaded whole by libfreexl: BIFF files are at most 65,536
 * rows, and old lists are small.
 *
 * Cells are NUL-terminated UTF-8 in NFC, valid until the next call of
 * tc_table_next or tc_table_close. A cell with no text is TC_CELL_EMPTY.
 * Workbooks: the first sheet; rows with no value are left out (row numbers
 * stay those of the sheet) and trailing empty cells are dropped; columns a
 * row skips are filled with empty cells. Numbers are written as their
 * shortest faithful text ("1090001234", "0.1"); XLSX dates (a number in a
 * date format) are TC_CELL_DATE with the serial ("32874", "32874.5"), XLS
 * dates TC_CELL_DATE with freexl's text ("1990-01-01", "1990-01-01
 * 12:00:00"). Booleans are "TRUE" or "FALSE", error values their text
 * ("#N/A"), both TC_CELL_TEXT. Text longer than Excel's 32,767 characters
 * is an error. CSV fields are TC_CELL_TEXT (or EMPTY): CSV has no types.
 *
 * tc_text_fix_tcvn3_mojibake (textenc.h) repairs workbook text typed in
 * TCVN3 through a .VnTime font; it is not applied here, because only the
 * caller knows which columns hold names. */
#ifndef TC_TABLE_H
#define TC_TABLE_H

#include <stddef.h>

#include "../core/err.h"

struct tc_arena;
struct tc_table;

enum tc_table_format { TC_TABLE_CSV, TC_TABLE_XLSX, TC_TABLE_XLS };
enum tc_cell_kind { TC_CELL_EMPTY, TC_CELL_TEXT, TC_CELL_NUMBER, TC_CELL_DATE };

struct tc_cell {
	const char *s; /* NUL-terminated UTF-8, NFC; "" when empty */
	size_t n;
	enum tc_cell_kind kind;
};

/* Opens a file, telling the format from its first bytes: "PK\3\4" (a zip)
 * is XLSX, D0 CF 11 E0 A1 B1 1A E1 (a compound file) XLS, anything else CSV text. For
 * CSV, `encoding` ("utf-8", "windows-1258", "tcvn3"; NULL or "" to
 * detect) chooses the decoding: detection takes UTF-8 when the file starts
 * with a byte-order mark or its first megabyte is valid UTF-8, else
 * whichever of Windows-1258 and TCVN3 reads as more plausible Vietnamese.
 * Workbooks ignore `encoding` (their text is Unicode). The separator is
 * whichever of ',', ';' and tab the first line uses most.
 * Errors: TC_ERR_IO (field "file") when the file cannot be read,
 * TC_ERR_INVALID_FIELD with field "encoding" for an unknown encoding and
 * field "file" for a file that is not a readable table (an XLSX without a
 * workbook or sheet, broken XML in its strings or styles, a corrupt XLS).
 * Messages are allocated from `a`, which must outlive the fault only. */
tc_err tc_table_open(const char *path, const char *encoding, struct tc_arena *a,
                     struct tc_table **out, struct tc_fault *f);
/* Same from memory. `data` is borrowed: it must stay unchanged until
 * tc_table_close. (An XLS is written to a temporary file for libfreexl.) */
tc_err tc_table_open_mem(const void *data, size_t len, const char *encoding,
                         struct tc_arena *a, struct tc_table **out, struct tc_fault *f);

/* 1: a row is ready; 0: the end; -1: the rest of the file cannot be read
 * (tc_table_error says why, naming the row). After 0 or -1 every further
 * call answers the same. */
int tc_table_next(struct tc_table *t);
size_t tc_table_ncols(const struct tc_table *t);
/* The i-th cell of the current row, or NULL past its end. */
const struct tc_cell *tc_table_cell(const struct tc_table *t, size_t i);
/* 1-based number of the current row in the source: the spreadsheet row,
 * or the CSV line it starts on. */
long tc_table_row(const struct tc_table *t);
/* Why tc_table_next answered -1 ("row 17: invalid UTF-8"), else NULL.
 * Valid until tc_table_close. */
const char *tc_table_error(const struct tc_table *t);
enum tc_table_format tc_table_format(const struct tc_table *t);
/* "utf-8", "windows-1258" or "tcvn3"; "utf-8" for workbooks. */
const char *tc_table_encoding(const struct tc_table *t);
void tc_table_close(struct tc_table *t);
/* How much of the source has been read, 0..1 (bytes of a CSV or of the
 * sheet's XML, rows of an XLS): for progress bars. */
double tc_table_progress(const struct tc_table *t); /* NULL-safe */

#endif
