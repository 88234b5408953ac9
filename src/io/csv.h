/* CSV reader (RFC 4180): comma-separated fields, double-quoted fields with
 * "" for a quote, CRLF or LF line ends, a UTF-8 byte-order mark skipped.
 * Reads from memory; fields are views valid until the next call. The
 * separator may be changed from ',' (Excel in a Vietnamese locale writes
 * ';'); bytes other than the separator, '"', CR and LF are passed through,
 * so any ASCII-compatible encoding reads correctly and is decoded later. */
#ifndef TC_CSV_H
#define TC_CSV_H

#include <stddef.h>

#include "../core/util.h"

struct tc_csv_field {
	const char *s; /* NUL-terminated */
	size_t n;
};

struct tc_csv {
	const char *p, *end;
	size_t line;      /* first line of the row just read, 1-based */
	size_t next_line; /* line where the next row starts */
	struct tc_buf buf;
	size_t *offs;
	struct tc_csv_field *fields;
	size_t nfields, cap;
	const char *error; /* static text, set when tc_csv_next returns -1 */
	char delim;        /* ',' after tc_csv_init; may be set before reading */
};

void tc_csv_init(struct tc_csv *r, const char *data, size_t len);
/* 1: a row is in r->fields[0 .. r->nfields); 0: end of input; -1: the
 * input is malformed (r->error says why, r->line where). */
int tc_csv_next(struct tc_csv *r);
void tc_csv_cleanup(struct tc_csv *r);

/* The separator a header line uses: whichever of ',', ';' and tab occurs
 * most often outside quotes in the first line of data; ',' on a tie. */
char tc_csv_sniff_delim(const char *data, size_t len);

/* Index of the column named `name` in a header row, or -1. */
int tc_csv_column(const struct tc_csv *r, const char *name);

#endif
