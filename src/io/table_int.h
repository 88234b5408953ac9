/* Inside the table readers (table.c, xlsx.c, xls.c): the table object, the
 * row each format fills, and the format backends. Not for other modules. */
#ifndef TC_TABLE_INT_H
#define TC_TABLE_INT_H

#include <stdbool.h>
#include <stddef.h>

#include "../core/util.h"
#include "table.h"
#include "textenc.h"

/* Excel's limit on a cell's text, in characters. */
#define TC_TABLE_MAX_CELL_CHARS 32767
/* A row's text beyond this is a hostile file, not a list. */
#define TC_TABLE_MAX_ROW_BYTES  (16u << 20)

struct tc_table {
	enum tc_table_format format;
	const char *encoding;
	long row;

	/* The current row: its text packed in `text`, each cell's offset in
	 * `off`; `cells` points into `text` once the row is complete. */
	struct tc_buf text;
	size_t *off;
	struct tc_cell *cells;
	size_t ncells, cap;

	struct tc_nfc nfc;
	struct tc_buf error;
	int state; /* 1 reading, 0 ended, -1 failed */
	double progress; /* share of the source read, 0..1, for progress bars */

	/* The format's reader; `next` fills the row and answers like
	 * tc_table_next; `close` frees `impl`. */
	int (*next)(struct tc_table *t);
	void (*close)(struct tc_table *t);
	void *impl;

	/* The source bytes: a mapping of the file or the caller's memory. */
	const char *data;
	size_t len;
	void *map;
	size_t map_len;
};

void tc_table_row_reset(struct tc_table *t);
/* Appends a cell with text s[0 .. n) copied as it is (the caller vouches
 * for UTF-8 in NFC); n == 0 makes it TC_CELL_EMPTY. */
void tc_table_cell_add(struct tc_table *t, enum tc_cell_kind kind, const char *s,
                       size_t n);
/* Appends valid UTF-8 text after composing it to NFC; false if it is not
 * valid UTF-8 (nothing added). */
bool tc_table_cell_add_utf8(struct tc_table *t, enum tc_cell_kind kind, const char *s,
                            size_t n);
/* Drops trailing empty cells (workbooks). */
void tc_table_row_trim(struct tc_table *t);
/* Points the cells into the text; call when a row is complete. */
void tc_table_row_finish(struct tc_table *t);
/* Records why reading stopped; returns -1 for `return tc_table_fail(...)`. */
int tc_table_fail(struct tc_table *t, const char *fmt, ...)
        __attribute__((format(printf, 2, 3)));

/* The shortest text that reads back as x ("1090001234", "0.1", "1e+20");
 * out must hold 32 bytes. */
void tc_table_fmt_number(double x, char out[32]);

tc_err tc_table_open_xlsx(struct tc_table *t, struct tc_arena *a, struct tc_fault *f);
tc_err tc_table_open_xls(struct tc_table *t, const char *path, struct tc_arena *a,
                         struct tc_fault *f);

#endif
