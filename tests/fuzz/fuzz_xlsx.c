/* Fuzzes the XLSX reader (src/io/xlsx.c) through tc_table_open_mem. The
 * first byte picks a mode:
 *   0  the rest as a whole file (a zip, or anything: CSV then);
 *   1  the rest as the sheet XML inside a valid workbook built here;
 *   2  the rest as xl/sharedStrings.xml, with a sheet citing strings 0-3;
 *   3  the rest as xl/styles.xml, with a sheet of numbers in styles 0-5.
 * Modes 1-3 zip the input (stored, for speed) with libzip in memory, so
 * expat and our handlers see real XML rather than failing at the zip.
 * Every row read must have NUL-terminated NFC UTF-8 cells of known kinds,
 * at most 16,384 of them, with the last not empty, on strictly increasing
 * row numbers; a failure must say why. Files that look like XLS are left
 * alone: those go to libfreexl, which is not ours to fuzz. */
#include <stdint.h>
#include <utf8proc.h>
#include <zip.h>

#include "core/arena.h"
#include "fuzz.h"
#include "io/table.h"
#include "io/textenc.h"

static const char wb[] =
        "<workbook xmlns:r=\"r\"><sheets><sheet r:id=\"rId1\"/></sheets></workbook>";
static const char rels[] = "<Relationships><Relationship Id=\"rId1\" "
                           "Target=\"worksheets/sheet1.xml\"/></Relationships>";
static const char styles[] = "<styleSheet><numFmts><numFmt numFmtId=\"164\" "
                             "formatCode=\"dd/mm/yyyy\"/></numFmts>"
                             "<cellXfs><xf numFmtId=\"0\"/><xf numFmtId=\"14\"/><xf "
                             "numFmtId=\"164\"/></cellXfs>"
                             "</styleSheet>";
static const char strings[] =
        "<sst><si><t>Họ tên</t></si><si><r><t>a</t></r><r><t>b</t></r>"
        "</si></sst>";
static const char sheet_ss[] = "<worksheet><sheetData><row><c t=\"s\"><v>0</v></c><c "
                               "r=\"C1\" t=\"s\"><v>1</v></c></row>"
                               "<row r=\"4\"><c t=\"s\"><v>2</v></c><c "
                               "t=\"s\"><v>3</v></c></row></sheetData></worksheet>";
static const char sheet_styles[] =
        "<worksheet><sheetData><row><c s=\"0\"><v>1</v></c><c s=\"1\"><v>2.5</v></c>"
        "<c s=\"2\"><v>32874</v></c><c s=\"3\"><v>1E9</v></c><c s=\"4\"><v>-1</v></c>"
        "<c s=\"5\"><v>0.1</v></c></row></sheetData></worksheet>";

static void add(zip_t *z, const char *name, const void *p, size_t n)
{
	zip_source_t *s = zip_source_buffer(z, p, n, 0);
	zip_int64_t i;
	FUZZ_CHECK(s != NULL);
	i = zip_file_add(z, name, s, 0);
	FUZZ_CHECK(i >= 0);
	zip_set_file_compression(z, (zip_uint64_t)i, ZIP_CM_STORE, 0);
}

/* A workbook whose part `name` is p[0 .. n); the others are fixed. The
 * bytes are malloc'd. */
static char *build(int mode, const uint8_t *p, size_t n, size_t *len)
{
	zip_error_t ze;
	zip_source_t *src;
	zip_stat_t st;
	zip_t *z;
	char *out;

	zip_error_init(&ze);
	src = zip_source_buffer_create(NULL, 0, 0, &ze);
	FUZZ_CHECK(src != NULL);
	z = zip_open_from_source(src, ZIP_TRUNCATE, &ze);
	FUZZ_CHECK(z != NULL);
	zip_source_keep(src);
	add(z, "xl/workbook.xml", wb, strlen(wb));
	add(z, "xl/_rels/workbook.xml.rels", rels, strlen(rels));
	if (mode == 3)
		add(z, "xl/styles.xml", p, n);
	else
		add(z, "xl/styles.xml", styles, strlen(styles));
	if (mode == 2)
		add(z, "xl/sharedStrings.xml", p, n);
	else
		add(z, "xl/sharedStrings.xml", strings, strlen(strings));
	if (mode == 1)
		add(z, "xl/worksheets/sheet1.xml", p, n);
	else if (mode == 2)
		add(z, "xl/worksheets/sheet1.xml", sheet_ss, strlen(sheet_ss));
	else
		add(z, "xl/worksheets/sheet1.xml", sheet_styles, strlen(sheet_styles));
	FUZZ_CHECK(zip_close(z) == 0);
	FUZZ_CHECK(zip_source_stat(src, &st) == 0 && (st.valid & ZIP_STAT_SIZE));
	out = malloc(st.size ? st.size : 1);
	FUZZ_CHECK(out != NULL);
	FUZZ_CHECK(zip_source_open(src) == 0);
	FUZZ_CHECK(zip_source_read(src, out, st.size) == (zip_int64_t)st.size);
	zip_source_close(src);
	zip_source_free(src);
	zip_error_fini(&ze);
	*len = st.size;
	return out;
}

static void check_cell(const struct tc_cell *c, bool workbook)
{
	utf8proc_uint8_t *again = NULL;
	utf8proc_ssize_t k;

	FUZZ_CHECK(c != NULL && c->s != NULL);
	FUZZ_CHECK(c->s[c->n] == '\0');
	FUZZ_CHECK(c->kind >= TC_CELL_EMPTY && c->kind <= TC_CELL_DATE);
	FUZZ_CHECK((c->kind == TC_CELL_EMPTY) == (c->n == 0));
	if (workbook)
		FUZZ_CHECK(strlen(c->s) == c->n); /* XML has no NUL */
	FUZZ_CHECK(tc_utf8_valid(c->s, c->n, false));
	k = utf8proc_map((const utf8proc_uint8_t *)c->s, (utf8proc_ssize_t)c->n, &again,
	                 UTF8PROC_COMPOSE | UTF8PROC_STABLE);
	FUZZ_CHECK(k == (utf8proc_ssize_t)c->n && memcmp(again, c->s, c->n) == 0);
	free(again);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tc_table *t;
	struct tc_fault f = { 0 };
	struct tc_arena a;
	char *file;
	size_t len;
	int mode, got;
	long last = 0, rows = 0;

	if (size < 1)
		return 0;
	mode = data[0] % 4;
	data++;
	size--;
	if (mode == 0) {
		if (size >= 4 && memcmp(data, "\xD0\xCF\x11\xE0", 4) == 0)
			return 0;
		file = fuzz_memdup(data, size);
		len = size;
	} else {
		file = build(mode, data, size, &len);
	}
	tc_arena_init(&a);
	if (tc_table_open_mem(file, len, NULL, &a, &t, &f) != TC_ERR_OK) {
		FUZZ_CHECK(f.message != NULL && *f.message != '\0');
		FUZZ_CHECK(mode == 0 || f.code == TC_ERR_INVALID_FIELD);
		goto done;
	}
	FUZZ_CHECK(mode == 0 || tc_table_format(t) == TC_TABLE_XLSX);
	while ((got = tc_table_next(t)) == 1) {
		bool wb = tc_table_format(t) == TC_TABLE_XLSX;
		size_t n = tc_table_ncols(t);
		FUZZ_CHECK(tc_table_row(t) > last || (!wb && tc_table_row(t) >= last));
		last = tc_table_row(t);
		if (wb)
			FUZZ_CHECK(n >= 1 && n <= 16384 &&
			           tc_table_cell(t, n - 1)->kind != TC_CELL_EMPTY);
		for (size_t i = 0; i < n; i++)
			check_cell(tc_table_cell(t, i), wb);
		FUZZ_CHECK(tc_table_cell(t, n) == NULL);
		FUZZ_CHECK(++rows <= (long)len + 1);
	}
	if (got < 0)
		FUZZ_CHECK(tc_table_error(t) != NULL && *tc_table_error(t) != '\0');
	else
		FUZZ_CHECK(tc_table_error(t) == NULL);
	FUZZ_CHECK(tc_table_next(t) == got);
	tc_table_close(t);
done:
	tc_arena_cleanup(&a);
	free(file);
	return 0;
}
