/* Fuzzes the CSV reader tc_csv_next (src/io/csv.c): reads every row of the
 * input and touches every byte of every field, and compares each row with a
 * second reader written as a character-at-a-time state machine from the
 * rules in src/io/csv.h (RFC 4180 quoting, "" for a quote, CRLF, LF or a
 * lone CR ends a row, a leading UTF-8 byte-order mark is skipped). Both
 * must agree on every field, on the line a row starts at, and on where the
 * input turns out malformed. tc_csv_column is checked on the first row.
 * The input is read twice: with ',' and with the separator
 * tc_csv_sniff_delim finds in its first line (',', ';' or tab). */
#include <stdbool.h>
#include <stdint.h>

#include "io/csv.h"
#include "fuzz.h"

struct ref {
	const unsigned char *in;
	size_t n, pos;
	size_t line;   /* line the next row starts on */
	size_t row_line;
	/* fields of the current row, packed: text, then offsets and lengths */
	unsigned char *text;
	size_t text_len;
	size_t *off, *len;
	size_t nfields;
	char delim;
};

enum { START, UNQUOTED, QUOTED, AFTER_QUOTE };

static void ref_finish(struct ref *r, size_t start)
{
	r->off[r->nfields] = start;
	r->len[r->nfields] = r->text_len - start;
	r->nfields++;
}

static void ref_line_end(struct ref *r)
{
	if (r->pos < r->n && r->in[r->pos] == '\r')
		r->pos++;
	if (r->pos < r->n && r->in[r->pos] == '\n')
		r->pos++;
	r->line++;
}

/* 1: a row; 0: end of input; -1: malformed. */
static int ref_next(struct ref *r)
{
	int state = START;
	size_t start = 0;

	if (r->pos >= r->n)
		return 0;
	r->text_len = 0;
	r->nfields = 0;
	r->row_line = r->line;
	for (;;) {
		if (r->pos == r->n) {
			if (state == QUOTED)
				return -1;
			if (state == START)
				start = r->text_len; /* an empty last field */
			ref_finish(r, start);
			r->line++;
			return 1;
		}
		unsigned char c = r->in[r->pos];
		switch (state) {
		case START:
			start = r->text_len;
			if (c == '"') {
				state = QUOTED;
				r->pos++;
			} else {
				state = UNQUOTED;
			}
			break;
		case UNQUOTED:
			if (c == r->delim) {
				ref_finish(r, start);
				state = START;
				r->pos++;
			} else if (c == '\r' || c == '\n') {
				ref_finish(r, start);
				ref_line_end(r);
				return 1;
			} else if (c == '"') {
				return -1;
			} else {
				r->text[r->text_len++] = c;
				r->pos++;
			}
			break;
		case QUOTED:
			if (c == '"') {
				state = AFTER_QUOTE;
			} else {
				if (c == '\n')
					r->line++;
				r->text[r->text_len++] = c;
			}
			r->pos++;
			break;
		case AFTER_QUOTE:
			if (c == '"') {
				r->text[r->text_len++] = '"';
				state = QUOTED;
				r->pos++;
			} else if (c == r->delim) {
				ref_finish(r, start);
				state = START;
				r->pos++;
			} else if (c == '\r' || c == '\n') {
				ref_finish(r, start);
				ref_line_end(r);
				return 1;
			} else {
				return -1;
			}
			break;
		}
	}
}

static void run(const uint8_t *data, size_t size, char delim)
{
	char *text = fuzz_memdup(data, size); /* exactly size bytes, no NUL */
	struct tc_csv r;
	struct ref ref = {0};
	size_t rows = 0, sum = 0;
	int got, want;

	ref.in = data;
	ref.n = size;
	ref.delim = delim;
	ref.line = 1;
	if (size >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0)
		ref.pos = 3;
	ref.text = malloc(size + 1);
	ref.off = malloc((size + 1) * sizeof(size_t));
	ref.len = malloc((size + 1) * sizeof(size_t));
	FUZZ_CHECK(ref.text && ref.off && ref.len);

	tc_csv_init(&r, text, size);
	r.delim = delim;
	for (;;) {
		got = tc_csv_next(&r);
		want = ref_next(&ref);
		if (got != want)
			fprintf(stderr, "row %zu: tc_csv_next %d, reference %d\n", rows + 1,
			        got, want);
		FUZZ_CHECK(got == want);
		if (got <= 0)
			break;
		rows++;
		FUZZ_CHECK(r.nfields >= 1);
		FUZZ_CHECK(r.nfields == ref.nfields);
		FUZZ_CHECK(r.line == ref.row_line);
		for (size_t i = 0; i < r.nfields; i++) {
			const struct tc_csv_field *fl = &r.fields[i];
			FUZZ_CHECK(fl->s != NULL);
			FUZZ_CHECK(fl->s[fl->n] == '\0');
			for (size_t k = 0; k < fl->n; k++)
				sum += (unsigned char)fl->s[k];
			FUZZ_CHECK(fl->n == ref.len[i]);
			FUZZ_CHECK(memcmp(fl->s, ref.text + ref.off[i], fl->n) == 0);
		}
		if (rows == 1) {
			/* Each header name is found, at its first occurrence. */
			for (size_t i = 0; i < r.nfields; i++) {
				int c = tc_csv_column(&r, r.fields[i].s);
				FUZZ_CHECK(c >= 0 && (size_t)c <= i);
				FUZZ_CHECK(strcmp(r.fields[c].s, r.fields[i].s) == 0);
			}
		}
		FUZZ_CHECK(rows <= size + 1); /* always progresses */
	}
	if (got < 0) {
		FUZZ_CHECK(r.error != NULL && *r.error != '\0');
		FUZZ_CHECK(r.line == ref.row_line);
	}
	/* Reading past the end keeps answering "end" (or the same error). */
	if (got == 0)
		FUZZ_CHECK(tc_csv_next(&r) == 0);
	tc_csv_cleanup(&r);
	tc_csv_cleanup(&r); /* idempotent */
	free(ref.text);
	free(ref.off);
	free(ref.len);
	free(text);
	/* keep the byte sum alive so the reads are not optimised away */
	__asm__ volatile("" : : "r"(sum));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char sniffed = tc_csv_sniff_delim((const char *)data, size);

	FUZZ_CHECK(sniffed == ',' || sniffed == ';' || sniffed == '\t');
	run(data, size, ',');
	if (sniffed != ',')
		run(data, size, sniffed);
	return 0;
}
