/* The table object, format detection and the CSV backend. */
#include "table.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../core/arena.h"
#include "csv.h"
#include "table_int.h"
#include "textenc.h"

/* How much of a CSV file the encoding is guessed from. */
#define DETECT_BYTES (1u << 20)

/* ---- the row ------------------------------------------------------------ */

void tc_table_row_reset(struct tc_table *t)
{
	tc_buf_reset(&t->text);
	t->ncells = 0;
}

static void cell_begin(struct tc_table *t)
{
	if (t->ncells == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 16;
		t->off = tc_xrealloc(t->off, t->cap * sizeof(*t->off));
		t->cells = tc_xrealloc(t->cells, t->cap * sizeof(*t->cells));
	}
	t->off[t->ncells] = t->text.len;
}

static void cell_end(struct tc_table *t, enum tc_cell_kind kind)
{
	struct tc_cell *c = &t->cells[t->ncells];
	c->n = t->text.len - t->off[t->ncells];
	c->kind = c->n ? kind : TC_CELL_EMPTY;
	c->s = NULL;
	tc_buf_append(&t->text, "", 1); /* each cell NUL-terminated */
	t->ncells++;
}

void tc_table_cell_add(struct tc_table *t, enum tc_cell_kind kind, const char *s,
                       size_t n)
{
	cell_begin(t);
	tc_buf_append(&t->text, s, n);
	cell_end(t, kind);
}

bool tc_table_cell_add_utf8(struct tc_table *t, enum tc_cell_kind kind, const char *s,
                            size_t n)
{
	cell_begin(t);
	if (!tc_utf8_nfc_append(&t->nfc, s, n, &t->text))
		return false;
	cell_end(t, kind);
	return true;
}

void tc_table_row_trim(struct tc_table *t)
{
	while (t->ncells > 0 && t->cells[t->ncells - 1].kind == TC_CELL_EMPTY)
		t->ncells--;
}

void tc_table_row_finish(struct tc_table *t)
{
	for (size_t i = 0; i < t->ncells; i++)
		t->cells[i].s = t->text.data + t->off[i];
}

int tc_table_fail(struct tc_table *t, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	tc_buf_reset(&t->error);
	{
		char *msg;
		if (vasprintf(&msg, fmt, ap) < 0)
			tc_die("out of memory");
		tc_buf_puts(&t->error, msg);
		free(msg);
	}
	va_end(ap);
	return -1;
}

void tc_table_fmt_number(double x, char out[32])
{
	if (x == 0) {
		memcpy(out, "0", 2); /* also -0 */
		return;
	}
	if (x == trunc(x) && fabs(x) < 1e17) {
		snprintf(out, 32, "%.0f", x);
		return;
	}
	for (int prec = 1; prec <= 17; prec++) {
		snprintf(out, 32, "%.*g", prec, x);
		if (strtod(out, NULL) == x)
			return;
	}
}

/* ---- the public interface ------------------------------------------------ */

int tc_table_next(struct tc_table *t)
{
	int got;

	if (t->state != 1)
		return t->state;
	got = t->next(t);
	if (got == 1) {
		tc_table_row_finish(t);
		return 1;
	}
	t->ncells = 0;
	t->state = got < 0 ? -1 : 0;
	return t->state;
}

size_t tc_table_ncols(const struct tc_table *t)
{
	return t->ncells;
}

const struct tc_cell *tc_table_cell(const struct tc_table *t, size_t i)
{
	return i < t->ncells ? &t->cells[i] : NULL;
}

long tc_table_row(const struct tc_table *t)
{
	return t->row;
}

const char *tc_table_error(const struct tc_table *t)
{
	return t->state < 0 ? t->error.data : NULL;
}

enum tc_table_format tc_table_format(const struct tc_table *t)
{
	return t->format;
}

const char *tc_table_encoding(const struct tc_table *t)
{
	return t->encoding;
}

void tc_table_close(struct tc_table *t)
{
	if (t == NULL)
		return;
	if (t->close)
		t->close(t);
	if (t->map)
		munmap(t->map, t->map_len);
	tc_buf_cleanup(&t->text);
	tc_buf_cleanup(&t->error);
	tc_nfc_cleanup(&t->nfc);
	free(t->off);
	free(t->cells);
	free(t);
}

/* ---- CSV ----------------------------------------------------------------- */

struct csv {
	struct tc_csv r;
	struct tc_textdec dec;
	bool detected;
};

static int csv_next(struct tc_table *t)
{
	struct csv *c = t->impl;
	int got = tc_csv_next(&c->r);

	if (t->len)
		t->progress = (double)(c->r.p - t->data) / (double)t->len;
	if (got == 0)
		return 0;
	t->row = (long)c->r.line;
	if (got < 0)
		return tc_table_fail(t, "row %ld: %s", t->row, c->r.error);
	tc_table_row_reset(t);
	for (size_t i = 0; i < c->r.nfields; i++) {
		const struct tc_csv_field *fl = &c->r.fields[i];
		cell_begin(t);
		if (!tc_textdec_append(&c->dec, fl->s, fl->n, &t->text))
			return tc_table_fail(
			        t, "row %ld: invalid UTF-8 in column %zu%s", t->row,
			        i + 1,
			        c->detected ? " (UTF-8 was detected from the file's "
			                      "beginning; "
			                      "name its encoding to read it otherwise)"
			                    : "");
		cell_end(t, TC_CELL_TEXT);
	}
	return 1;
}

static void csv_close(struct tc_table *t)
{
	struct csv *c = t->impl;
	tc_csv_cleanup(&c->r);
	tc_textdec_cleanup(&c->dec);
	free(c);
}

static void open_csv(struct tc_table *t, const enum tc_textenc *forced)
{
	struct csv *c = tc_xcalloc(1, sizeof(*c));
	enum tc_textenc enc;

	if (forced)
		enc = *forced;
	else
		enc = tc_textenc_detect(t->data,
		                        t->len < DETECT_BYTES ? t->len : DETECT_BYTES);
	c->detected = forced == NULL;
	tc_textdec_init(&c->dec, enc);
	tc_csv_init(&c->r, t->data, t->len);
	c->r.delim = tc_csv_sniff_delim(t->data, t->len);
	t->format = TC_TABLE_CSV;
	t->encoding = tc_textenc_name(enc);
	t->impl = c;
	t->next = csv_next;
	t->close = csv_close;
}

/* ---- opening ------------------------------------------------------------- */

static tc_err open_any(struct tc_table *t, const char *path, const char *encoding,
                       struct tc_arena *a, struct tc_fault *f)
{
	enum tc_textenc enc;
	bool forced = encoding != NULL && *encoding != '\0';

	if (forced && !tc_textenc_parse(encoding, &enc))
		return tc_fault_setf(f, a, TC_ERR_INVALID_FIELD, "encoding",
		                     "unknown encoding '%s' (utf-8, windows-1258, tcvn3)",
		                     encoding);
	t->state = 1;
	t->encoding = "utf-8";
	tc_buf_init(&t->text);
	tc_buf_init(&t->error);
	if (t->len >= 4 && memcmp(t->data, "PK\3\4", 4) == 0) {
		t->format = TC_TABLE_XLSX;
		return tc_table_open_xlsx(t, a, f);
	}
	if (t->len >= 8 && memcmp(t->data, "\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1", 8) == 0) {
		t->format = TC_TABLE_XLS;
		return tc_table_open_xls(t, path, a, f);
	}
	open_csv(t, forced ? &enc : NULL);
	return TC_ERR_OK;
}

tc_err tc_table_open_mem(const void *data, size_t len, const char *encoding,
                         struct tc_arena *a, struct tc_table **out, struct tc_fault *f)
{
	struct tc_table *t = tc_xcalloc(1, sizeof(*t));
	tc_err e;

	t->data = len ? data : "";
	t->len = len;
	e = open_any(t, NULL, encoding, a, f);
	if (e != TC_ERR_OK) {
		tc_table_close(t);
		return e;
	}
	*out = t;
	return TC_ERR_OK;
}

tc_err tc_table_open(const char *path, const char *encoding, struct tc_arena *a,
                     struct tc_table **out, struct tc_fault *f)
{
	struct tc_table *t;
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	tc_err e;

	if (fd < 0)
		return tc_fault_setf(f, a, TC_ERR_IO, "file", "cannot open '%s': %s",
		                     path, strerror(errno));
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return tc_fault_setf(f, a, TC_ERR_IO, "file",
		                     "'%s' is not a regular file", path);
	}
	t = tc_xcalloc(1, sizeof(*t));
	t->data = "";
	if (st.st_size > 0) {
		/* Mapped, read once front to back: the kernel may drop pages
		 * behind us, so a big file costs little memory. */
		void *m = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
		if (m == MAP_FAILED) {
			e = tc_fault_setf(f, a, TC_ERR_IO, "file", "cannot map '%s': %s",
			                  path, strerror(errno));
			close(fd);
			free(t);
			return e;
		}
		madvise(m, (size_t)st.st_size, MADV_SEQUENTIAL);
		t->map = m;
		t->map_len = (size_t)st.st_size;
		t->data = m;
		t->len = (size_t)st.st_size;
	}
	close(fd);
	e = open_any(t, path, encoding, a, f);
	if (e != TC_ERR_OK) {
		tc_table_close(t);
		return e;
	}
	*out = t;
	return TC_ERR_OK;
}

double tc_table_progress(const struct tc_table *t)
{
	if (t == NULL)
		return 0;
	if (t->state == 0)
		return 1;
	return t->progress < 0 ? 0 : t->progress > 1 ? 1 : t->progress;
}
