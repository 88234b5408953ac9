/* XLSX: the first sheet of an Office Open XML workbook, streamed.
 *
 * libzip inflates the sheet in chunks and expat parses each as it comes;
 * at every </row> with a value the parser is suspended (XML_StopParser
 * resumable) and the row handed out, so a sheet never sits in memory. The
 * shared strings and the styles' date formats are read at open: cells
 * refer to them by index. Element names are compared without their
 * namespace prefix, as some writers prefix the main namespace ("x:row"). */
#include <expat.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zip.h>

#include "table_int.h"
#include "textenc.h"

#define CHUNK            65536
#define MAX_SHARED_XML   (512ull << 20) /* inflated sharedStrings.xml */
#define MAX_SHARED_TEXT  (256u << 20)   /* the strings we keep */
#define MAX_SMALL_XML    (32ull << 20)  /* workbook, relationships, styles */
#define MAX_STYLES       (1u << 20)
#define MAX_COLS         16384    /* XFD, Excel's last column */
#define MAX_ROW          1048576L /* Excel's last row */
#define MAX_NUMBER_CHARS 64

struct numfmt {
	unsigned id;
	bool date;
};

struct xlsx {
	struct tc_table *t;
	zip_t *zip;
	zip_uint64_t sheet_size, sheet_read; /* uncompressed, for progress */
	XML_Parser cur; /* the parser running, for stopping it from a handler */
	bool failed;
	char *why; /* what a handler found wrong (malloc'd) */

	/* xl/workbook.xml and its relationships: the first sheet */
	bool have_sheet;
	char *sheet_rid, *sheet_target;

	/* xl/styles.xml: whether each cell format (cellXfs) shows a date */
	struct numfmt *fmts;
	size_t nfmts;
	unsigned char *xf_date;
	size_t nxf;
	bool in_numfmts, in_cellxfs;

	/* xl/sharedStrings.xml: strings packed NUL-terminated in `ss`, the
	 * i-th at ss_off[i] up to ss_off[i + 1] - 1 */
	struct tc_buf ss;
	size_t *ss_off;
	size_t nss, ss_cap;
	bool in_si;

	/* text being collected: a shared string or a cell's value */
	struct tc_buf val;
	size_t val_chars;
	bool in_t, in_v, in_is, in_c, in_row;
	int in_rph; /* phonetic runs, which are not part of the text */

	/* the sheet */
	char *sheet_path;
	zip_file_t *sheet;
	XML_Parser p;
	bool suspended, eof;
	long row, last_row;
	long col, next_col; /* the cell's column and the next free, 0-based */
	char ctype; /* 'n' number, 's' shared, 'i' inline, 'S' str, 'b', 'e', 'd' */
	bool cdate;
	char cref[24]; /* the cell's reference, for messages */
};

static const char *local(const char *name)
{
	const char *c = strrchr(name, ':');
	return c ? c + 1 : name;
}

static bool is(const char *name, const char *want)
{
	return strcmp(local(name), want) == 0;
}

static const char *attr(const char **atts, const char *want)
{
	for (size_t i = 0; atts[i]; i += 2)
		if (is(atts[i], want))
			return atts[i + 1];
	return NULL;
}

static void xfail(struct xlsx *x, const char *fmt, ...)
        __attribute__((format(printf, 2, 3)));
static void xfail(struct xlsx *x, const char *fmt, ...)
{
	va_list ap;
	if (x->failed)
		return;
	va_start(ap, fmt);
	if (vasprintf(&x->why, fmt, ap) < 0)
		tc_die("out of memory");
	va_end(ap);
	x->failed = true;
	XML_StopParser(x->cur, XML_FALSE);
}

static void on_doctype(void *ud, const XML_Char *name, const XML_Char *sysid,
                       const XML_Char *pubid, int has_internal)
{
	xfail(ud, "a document type declaration, which xlsx never has");
}

/* Collects text, counting characters against Excel's limit. */
static void on_text(void *ud, const XML_Char *s, int len)
{
	struct xlsx *x = ud;

	if (!(x->in_v || (x->in_t && x->in_rph == 0)) || x->failed)
		return;
	for (int i = 0; i < len; i++)
		x->val_chars += ((unsigned char)s[i] & 0xC0) != 0x80;
	if (x->val_chars > TC_TABLE_MAX_CELL_CHARS) {
		if (x->in_si)
			xfail(x, "a shared string is longer than %d characters",
			      TC_TABLE_MAX_CELL_CHARS);
		else
			xfail(x, "row %ld: cell %s is longer than %d characters", x->row,
			      x->cref, TC_TABLE_MAX_CELL_CHARS);
		return;
	}
	tc_buf_append(&x->val, s, (size_t)len);
}

static XML_Parser new_parser(struct xlsx *x, XML_StartElementHandler start,
                             XML_EndElementHandler end)
{
	XML_Parser p = XML_ParserCreate("UTF-8");
	if (p == NULL)
		tc_die("out of memory");
	XML_SetUserData(p, x);
	XML_SetElementHandler(p, start, end);
	XML_SetCharacterDataHandler(p, on_text);
	XML_SetStartDoctypeDeclHandler(p, on_doctype);
	x->cur = p;
	return p;
}

/* Parses a whole part through `p` in chunks. A part that is not in the
 * archive sets *found false and is no error. */
static tc_err parse_part(struct xlsx *x, XML_Parser p, const char *name,
                         unsigned long long cap, bool *found, struct tc_arena *a,
                         struct tc_fault *f)
{
	zip_int64_t idx = zip_name_locate(x->zip, name, 0);
	zip_file_t *zf;
	unsigned long long total = 0;
	tc_err e = TC_ERR_OK;

	*found = idx >= 0;
	if (idx < 0)
		return TC_ERR_OK;
	zf = zip_fopen_index(x->zip, (zip_uint64_t)idx, 0);
	if (zf == NULL)
		return tc_fault_setf(f, a, TC_ERR_INVALID_FIELD, "file",
		                     "xlsx: cannot read %s: %s", name,
		                     zip_strerror(x->zip));
	x->cur = p;
	for (;;) {
		void *buf = XML_GetBuffer(p, CHUNK);
		zip_int64_t n;
		if (buf == NULL)
			tc_die("out of memory");
		n = zip_fread(zf, buf, CHUNK);
		if (n < 0) {
			e = tc_fault_setf(f, a, TC_ERR_INVALID_FIELD, "file",
			                  "xlsx: %s is damaged: %s", name,
			                  zip_file_strerror(zf));
			break;
		}
		total += (unsigned long long)n;
		if (total > cap) {
			e = tc_fault_setf(f, a, TC_ERR_INVALID_FIELD, "file",
			                  "xlsx: %s is larger than %llu MB", name,
			                  cap >> 20);
			break;
		}
		if (XML_ParseBuffer(p, (int)n, n == 0) == XML_STATUS_ERROR) {
			if (x->failed)
				e = tc_fault_setf(f, a, TC_ERR_INVALID_FIELD, "file",
				                  "xlsx: %s: %s", name, x->why);
			else
				e = tc_fault_setf(
				        f, a, TC_ERR_INVALID_FIELD, "file",
				        "xlsx: %s: line %lu: %s", name,
				        (unsigned long)XML_GetCurrentLineNumber(p),
				        XML_ErrorString(XML_GetErrorCode(p)));
			break;
		}
		if (n == 0)
			break;
	}
	zip_fclose(zf);
	return e;
}

/* ---- workbook: which part is the first sheet ------------------------------ */

static void wb_start(void *ud, const XML_Char *name, const XML_Char **atts)
{
	struct xlsx *x = ud;
	const char *rid;

	if (x->have_sheet || !is(name, "sheet"))
		return;
	x->have_sheet = true;
	rid = attr(atts, "id"); /* r:id */
	if (rid)
		x->sheet_rid = tc_xstrdup(rid);
}

static void ignore_end(void *ud, const XML_Char *name)
{
}

static void rels_start(void *ud, const XML_Char *name, const XML_Char **atts)
{
	struct xlsx *x = ud;
	const char *id = attr(atts, "Id"), *target = attr(atts, "Target");

	if (x->sheet_target || !is(name, "Relationship") || !id || !target ||
	    strcmp(id, x->sheet_rid) != 0)
		return;
	x->sheet_target = tc_xstrdup(target);
}

/* ---- styles: which cell formats are dates ---------------------------------- */

/* A number format shows a date if its code has a day or year, or a month
 * without hours or seconds (then "m" is minutes), outside quoted text,
 * [brackets] (colours, locales; [h] elapsed hours counts as a time) and
 * escaped characters. */
static bool code_is_date(const char *code)
{
	bool dy = false, m = false, hs = false;

	for (const char *p = code; *p; p++) {
		const char *close;
		switch (*p) {
		case '"':
		case '[':
			close = strchr(p + 1, *p == '"' ? '"' : ']');
			if (close == NULL)
				return dy || (m && !hs);
			/* [h], [mm], [ss]: elapsed time, so a duration */
			if (*p == '[' && strchr("hHmMsS", p[1]) != NULL)
				hs = true;
			p = close;
			continue;
		case '\\':
		case '_':
		case '*':
			if (p[1] == '\0')
				return dy || (m && !hs);
			p++;
			continue;
		}
		switch (*p | 0x20) {
		case 'd':
		case 'y': dy = true; break;
		case 'm': m = true; break;
		case 'h':
		case 's': hs = true; break;
		}
	}
	return dy || (m && !hs);
}

static bool fmt_is_date(const struct xlsx *x, unsigned id)
{
	for (size_t i = 0; i < x->nfmts; i++)
		if (x->fmts[i].id == id)
			return x->fmts[i].date;
	return (id >= 14 && id <= 22) || (id >= 45 && id <= 47);
}

static unsigned parse_uint(const char *s, unsigned max)
{
	unsigned long v;
	char *end;
	if (s == NULL || *s < '0' || *s > '9')
		return max;
	v = strtoul(s, &end, 10);
	return *end == '\0' && v < max ? (unsigned)v : max;
}

static void styles_start(void *ud, const XML_Char *name, const XML_Char **atts)
{
	struct xlsx *x = ud;

	if (is(name, "numFmts")) {
		x->in_numfmts = true;
	} else if (is(name, "cellXfs")) {
		x->in_cellxfs = true;
	} else if (x->in_numfmts && is(name, "numFmt") && x->nfmts < MAX_STYLES) {
		const char *code = attr(atts, "formatCode");
		x->fmts = tc_xrealloc(x->fmts, (x->nfmts + 1) * sizeof(*x->fmts));
		x->fmts[x->nfmts].id = parse_uint(attr(atts, "numFmtId"), 1u << 20);
		x->fmts[x->nfmts].date = code && code_is_date(code);
		x->nfmts++;
	} else if (x->in_cellxfs && is(name, "xf") && x->nxf < MAX_STYLES) {
		unsigned id = parse_uint(attr(atts, "numFmtId"), 1u << 20);
		x->xf_date = tc_xrealloc(x->xf_date, x->nxf + 1);
		x->xf_date[x->nxf++] = fmt_is_date(x, id);
	}
}

static void styles_end(void *ud, const XML_Char *name)
{
	struct xlsx *x = ud;
	if (is(name, "numFmts"))
		x->in_numfmts = false;
	else if (is(name, "cellXfs"))
		x->in_cellxfs = false;
}

/* ---- shared strings -------------------------------------------------------- */

static void ss_start(void *ud, const XML_Char *name, const XML_Char **atts)
{
	struct xlsx *x = ud;

	if (is(name, "si")) {
		x->in_si = true;
		tc_buf_reset(&x->val);
		x->val_chars = 0;
	} else if (x->in_si && is(name, "t")) {
		x->in_t = true;
	} else if (x->in_si && is(name, "rPh")) {
		x->in_rph++;
	}
}

static void ss_end(void *ud, const XML_Char *name)
{
	struct xlsx *x = ud;

	if (is(name, "t")) {
		x->in_t = false;
	} else if (is(name, "rPh")) {
		x->in_rph -= x->in_rph > 0;
	} else if (x->in_si && is(name, "si")) {
		x->in_si = false;
		if (!tc_utf8_nfc_append(&x->t->nfc, x->val.data, x->val.len, &x->ss))
			tc_die("expat passed invalid UTF-8"); /* impossible */
		tc_buf_append(&x->ss, "", 1);
		if (x->nss + 2 > x->ss_cap) {
			x->ss_cap = x->ss_cap ? 2 * x->ss_cap : 1024;
			x->ss_off =
			        tc_xrealloc(x->ss_off, x->ss_cap * sizeof(*x->ss_off));
		}
		x->ss_off[++x->nss] = x->ss.len;
		if (x->ss.len > MAX_SHARED_TEXT)
			xfail(x, "the shared strings are larger than %u MB",
			      MAX_SHARED_TEXT >> 20);
	}
}

/* ---- the sheet ------------------------------------------------------------- */

/* The 0-based column of a reference such as "C5", or -1. */
static long ref_col(const char *ref)
{
	long c = 0;
	int k = 0;

	while (*ref >= 'A' && *ref <= 'Z') {
		if (++k > 3)
			return -1;
		c = c * 26 + (*ref++ - 'A' + 1);
	}
	if (k == 0)
		return -1;
	while (*ref >= '0' && *ref <= '9')
		ref++;
	return *ref == '\0' ? c - 1 : -1;
}

static void row_start(struct xlsx *x, const XML_Char **atts)
{
	const char *r = attr(atts, "r");
	long n = x->last_row + 1;

	if (r) {
		unsigned v = parse_uint(r, MAX_ROW + 1);
		if (v == 0 || v > MAX_ROW) {
			xfail(x, "row \"%.20s\" is not a row number", r);
			return;
		}
		n = (long)v;
	}
	if (n <= x->last_row) {
		/* the sheet's order is ascending; a row again would confuse reports */
		xfail(x, "row %ld comes after row %ld", n, x->last_row);
		return;
	}
	x->in_row = true;
	x->row = n;
	x->t->row = n;
	x->next_col = 0;
	tc_table_row_reset(x->t);
}

static void cell_start(struct xlsx *x, const XML_Char **atts)
{
	const char *r = attr(atts, "r"), *type = attr(atts, "t"), *s = attr(atts, "s");
	long col = x->next_col;

	if (r) {
		col = ref_col(r);
		snprintf(x->cref, sizeof(x->cref), "%.10s", r);
		if (col < 0 || col >= MAX_COLS) {
			xfail(x, "row %ld: \"%s\" is not a cell reference", x->row,
			      x->cref);
			return;
		}
		if (col < x->next_col) {
			xfail(x, "row %ld: cell %s comes after a cell to its right",
			      x->row, x->cref);
			return;
		}
	} else if (col >= MAX_COLS) {
		xfail(x, "row %ld has more than %d columns", x->row, MAX_COLS);
		return;
	} else {
		snprintf(x->cref, sizeof(x->cref), "#%d", (int)col + 1);
	}
	while ((long)x->t->ncells < col)
		tc_table_cell_add(x->t, TC_CELL_EMPTY, "", 0);
	x->col = col;
	x->in_c = true;
	x->ctype = 'n';
	if (type) {
		if (strcmp(type, "s") == 0)
			x->ctype = 's';
		else if (strcmp(type, "inlineStr") == 0)
			x->ctype = 'i';
		else if (strcmp(type, "str") == 0)
			x->ctype = 'S';
		else if (strcmp(type, "b") == 0 || strcmp(type, "e") == 0 ||
		         strcmp(type, "d") == 0)
			x->ctype = type[0];
	}
	if (s) {
		unsigned xf = parse_uint(s, MAX_STYLES);
		x->cdate = xf < x->nxf && x->xf_date[xf];
	} else {
		x->cdate = x->nxf > 0 && x->xf_date[0];
	}
	tc_buf_reset(&x->val);
	x->val_chars = 0;
}

static void number_cell(struct xlsx *x, const char *v, size_t n)
{
	char *end, out[32];
	double d;

	if (n == 0 || n > MAX_NUMBER_CHARS || (d = strtod(v, &end), *end != '\0') ||
	    !isfinite(d)) {
		/* not a number after all: keep what the file says */
		tc_table_cell_add_utf8(x->t, TC_CELL_TEXT, v, n);
		return;
	}
	tc_table_fmt_number(d, out);
	tc_table_cell_add(x->t, x->cdate ? TC_CELL_DATE : TC_CELL_NUMBER, out,
	                  strlen(out));
}

static void cell_end(struct xlsx *x)
{
	const char *v = x->val.data ? x->val.data : "";
	size_t n = x->val.len;
	unsigned idx;

	x->in_c = false;
	x->next_col = x->col + 1;
	switch (x->ctype) {
	case 's':
		if (n == 0) {
			tc_table_cell_add(x->t, TC_CELL_EMPTY, "", 0);
			break;
		}
		idx = parse_uint(v, x->nss);
		if (idx >= x->nss) {
			xfail(x,
			      "row %ld: cell %s refers to a shared string that does not "
			      "exist",
			      x->row, x->cref);
			return;
		}
		tc_table_cell_add(x->t, TC_CELL_TEXT, x->ss.data + x->ss_off[idx],
		                  x->ss_off[idx + 1] - x->ss_off[idx] - 1);
		break;
	case 'b':
		if (n == 0)
			tc_table_cell_add(x->t, TC_CELL_EMPTY, "", 0);
		else if (strcmp(v, "0") == 0)
			tc_table_cell_add(x->t, TC_CELL_TEXT, "FALSE", 5);
		else
			tc_table_cell_add(x->t, TC_CELL_TEXT, "TRUE", 4);
		break;
	case 'd': tc_table_cell_add_utf8(x->t, TC_CELL_DATE, v, n); break;
	case 'n': number_cell(x, v, n); break;
	default: /* inline strings, formula strings, error values */
		tc_table_cell_add_utf8(x->t, TC_CELL_TEXT, v, n);
		break;
	}
	if (x->t->text.len > TC_TABLE_MAX_ROW_BYTES)
		xfail(x, "row %ld is larger than %u MB", x->row,
		      TC_TABLE_MAX_ROW_BYTES >> 20);
}

static void sheet_start(void *ud, const XML_Char *name, const XML_Char **atts)
{
	struct xlsx *x = ud;
	const char *l = local(name);

	if (x->failed)
		return;
	if (strcmp(l, "row") == 0)
		row_start(x, atts);
	else if (x->in_row && strcmp(l, "c") == 0)
		cell_start(x, atts);
	else if (x->in_c && strcmp(l, "v") == 0)
		x->in_v = true;
	else if (x->in_c && strcmp(l, "is") == 0)
		x->in_is = true;
	else if (x->in_is && strcmp(l, "t") == 0)
		x->in_t = true;
	else if (x->in_is && strcmp(l, "rPh") == 0)
		x->in_rph++;
}

static void sheet_end(void *ud, const XML_Char *name)
{
	struct xlsx *x = ud;
	const char *l = local(name);

	if (x->failed)
		return;
	if (strcmp(l, "v") == 0) {
		x->in_v = false;
	} else if (strcmp(l, "t") == 0) {
		x->in_t = false;
	} else if (strcmp(l, "rPh") == 0) {
		x->in_rph -= x->in_rph > 0;
	} else if (strcmp(l, "is") == 0) {
		x->in_is = false;
	} else if (x->in_c && strcmp(l, "c") == 0) {
		cell_end(x);
	} else if (x->in_row && strcmp(l, "row") == 0) {
		x->in_row = false;
		x->last_row = x->row;
		tc_table_row_trim(x->t);
		if (x->t->ncells > 0)
			XML_StopParser(x->p, XML_TRUE); /* a row to hand out */
	}
}

static int xlsx_next(struct tc_table *t)
{
	struct xlsx *x = t->impl;

	for (;;) {
		enum XML_Status st;
		if (x->suspended) {
			x->suspended = false;
			st = XML_ResumeParser(x->p);
		} else if (x->eof) {
			return 0;
		} else {
			void *buf = XML_GetBuffer(x->p, CHUNK);
			zip_int64_t n;
			if (buf == NULL)
				tc_die("out of memory");
			n = zip_fread(x->sheet, buf, CHUNK);
			if (n < 0)
				return tc_table_fail(t, "xlsx: %s is damaged: %s",
				                     x->sheet_path,
				                     zip_file_strerror(x->sheet));
			x->eof = n == 0;
			x->sheet_read += (zip_uint64_t)n;
			if (x->sheet_size)
				t->progress = (double)x->sheet_read / (double)x->sheet_size;
			st = XML_ParseBuffer(x->p, (int)n, x->eof);
		}
		if (st == XML_STATUS_SUSPENDED) {
			x->suspended = true;
			return 1;
		}
		if (st == XML_STATUS_ERROR) {
			if (x->failed)
				return tc_table_fail(t, "%s", x->why);
			return tc_table_fail(
			        t, "xlsx: %s: line %lu: %s", x->sheet_path,
			        (unsigned long)XML_GetCurrentLineNumber(x->p),
			        XML_ErrorString(XML_GetErrorCode(x->p)));
		}
	}
}

static void xlsx_close(struct tc_table *t)
{
	struct xlsx *x = t->impl;

	if (x == NULL)
		return;
	if (x->p)
		XML_ParserFree(x->p);
	if (x->sheet)
		zip_fclose(x->sheet);
	if (x->zip)
		zip_discard(x->zip);
	free(x->why);
	free(x->sheet_rid);
	free(x->sheet_target);
	free(x->sheet_path);
	free(x->fmts);
	free(x->xf_date);
	free(x->ss_off);
	tc_buf_cleanup(&x->ss);
	tc_buf_cleanup(&x->val);
	free(x);
	t->impl = NULL;
}

/* Which part holds the first sheet: the workbook's first <sheet>, through
 * its relationship; xl/worksheets/sheet1.xml when those say nothing. */
static tc_err find_sheet(struct xlsx *x, struct tc_arena *a, struct tc_fault *f)
{
	XML_Parser p;
	bool found;
	tc_err e;

	p = new_parser(x, wb_start, ignore_end);
	e = parse_part(x, p, "xl/workbook.xml", MAX_SMALL_XML, &found, a, f);
	XML_ParserFree(p);
	if (e != TC_ERR_OK)
		return e;
	if (!found)
		return tc_fault_set(f, TC_ERR_INVALID_FIELD, "file",
		                    "xlsx: xl/workbook.xml is missing");
	if (x->sheet_rid) {
		p = new_parser(x, rels_start, ignore_end);
		e = parse_part(x, p, "xl/_rels/workbook.xml.rels", MAX_SMALL_XML, &found,
		               a, f);
		XML_ParserFree(p);
		if (e != TC_ERR_OK)
			return e;
	}
	if (x->sheet_target && x->sheet_target[0] == '/')
		x->sheet_path = tc_xstrdup(x->sheet_target + 1);
	else if (x->sheet_target && strncmp(x->sheet_target, "xl/", 3) != 0 &&
	         asprintf(&x->sheet_path, "xl/%s", x->sheet_target) < 0)
		tc_die("out of memory");
	else if (x->sheet_target && x->sheet_path == NULL)
		x->sheet_path = tc_xstrdup(x->sheet_target);
	if (x->sheet_path == NULL || zip_name_locate(x->zip, x->sheet_path, 0) < 0) {
		free(x->sheet_path);
		x->sheet_path = tc_xstrdup("xl/worksheets/sheet1.xml");
	}
	return TC_ERR_OK;
}

tc_err tc_table_open_xlsx(struct tc_table *t, struct tc_arena *a, struct tc_fault *f)
{
	struct xlsx *x = tc_xcalloc(1, sizeof(*x));
	zip_error_t ze;
	zip_source_t *src;
	zip_int64_t idx;
	XML_Parser p;
	bool found;
	tc_err e;

	x->t = t;
	t->impl = x;
	t->close = xlsx_close;
	t->next = xlsx_next;
	tc_buf_init(&x->ss);
	tc_buf_init(&x->val);
	x->ss_cap = 1024;
	x->ss_off = tc_xcalloc(x->ss_cap, sizeof(*x->ss_off));

	zip_error_init(&ze);
	src = zip_source_buffer_create(t->data, t->len, 0, &ze);
	if (src == NULL)
		tc_die("out of memory");
	x->zip = zip_open_from_source(src, ZIP_RDONLY, &ze);
	if (x->zip == NULL) {
		e = tc_fault_setf(f, a, TC_ERR_INVALID_FIELD, "file",
		                  "xlsx: not a readable zip archive: %s",
		                  zip_error_strerror(&ze));
		zip_source_free(src);
		zip_error_fini(&ze);
		return e;
	}
	zip_error_fini(&ze);

	if ((e = find_sheet(x, a, f)) != TC_ERR_OK)
		return e;
	p = new_parser(x, styles_start, styles_end);
	e = parse_part(x, p, "xl/styles.xml", MAX_SMALL_XML, &found, a, f);
	XML_ParserFree(p);
	if (e != TC_ERR_OK)
		return e;
	p = new_parser(x, ss_start, ss_end);
	e = parse_part(x, p, "xl/sharedStrings.xml", MAX_SHARED_XML, &found, a, f);
	XML_ParserFree(p);
	if (e != TC_ERR_OK)
		return e;
	x->in_t = x->in_si = false;
	x->in_rph = 0;

	idx = zip_name_locate(x->zip, x->sheet_path, 0);
	if (idx < 0)
		return tc_fault_setf(f, a, TC_ERR_INVALID_FIELD, "file",
		                     "xlsx: the first sheet (%s) is missing",
		                     x->sheet_path);
	zip_stat_t zst;
	zip_stat_init(&zst);
	if (zip_stat_index(x->zip, (zip_uint64_t)idx, 0, &zst) == 0 &&
	    (zst.valid & ZIP_STAT_SIZE))
		x->sheet_size = zst.size;
	x->sheet = zip_fopen_index(x->zip, (zip_uint64_t)idx, 0);
	if (x->sheet == NULL)
		return tc_fault_setf(f, a, TC_ERR_INVALID_FIELD, "file",
		                     "xlsx: cannot read %s: %s", x->sheet_path,
		                     zip_strerror(x->zip));
	x->p = new_parser(x, sheet_start, sheet_end);
	return TC_ERR_OK;
}
