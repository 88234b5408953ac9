/* io: the table readers (CSV in three encodings, XLSX, XLS) and the text
 * decoders under them. XLSX files are built here with libzip from XML
 * written in the test; the XLS file is tests/fixtures/citizens.xls. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <iconv.h>
#include <sys/resource.h>
#include <unistd.h>
#include <zip.h>

#include "core/arena.h"
#include "io/csv.h"
#include "io/table.h"
#include "io/textenc.h"

static char tmpdir[64];

static int setup(void **state)
{
	strcpy(tmpdir, "/tmp/tc-table-XXXXXX");
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	return system(cmd);
}

/* A file in the temp dir holding `len` bytes; the path is malloc'd. */
static char *write_file(const char *name, const void *data, size_t len)
{
	char *path;
	FILE *fp;
	assert_true(asprintf(&path, "%s/%s", tmpdir, name) > 0);
	fp = fopen(path, "wb");
	assert_non_null(fp);
	assert_int_equal(fwrite(data, 1, len, fp), len);
	fclose(fp);
	return path;
}

static struct tc_table *open_mem(const char *data, size_t len, const char *enc)
{
	struct tc_table *t = NULL;
	struct tc_fault f = { 0 };
	struct tc_arena a;
	tc_arena_init(&a);
	if (tc_table_open_mem(data, len, enc, &a, &t, &f) != TC_ERR_OK)
		fail_msg("open: %s", f.message ? f.message : "?");
	tc_arena_cleanup(&a);
	return t;
}

/* The next row, asserting there is one, as "a|b|c" (kinds not shown). */
static const char *row_text(struct tc_table *t)
{
	static char buf[1024];
	size_t used = 0;
	int got = tc_table_next(t);
	if (got != 1)
		fail_msg("expected a row, got %d (%s)", got,
		         tc_table_error(t) ? tc_table_error(t) : "end");
	buf[0] = '\0';
	for (size_t i = 0; i < tc_table_ncols(t); i++) {
		const struct tc_cell *c = tc_table_cell(t, i);
		assert_non_null(c);
		assert_int_equal(strlen(c->s), c->n);
		used += (size_t)snprintf(buf + used, sizeof(buf) - used, "%s%s",
		                         i ? "|" : "", c->s);
	}
	assert_null(tc_table_cell(t, tc_table_ncols(t)));
	return buf;
}

static enum tc_cell_kind kind(struct tc_table *t, size_t i)
{
	return tc_table_cell(t, i)->kind;
}

/* ---- CSV ------------------------------------------------------------------ */

static void test_csv_utf8(void **state)
{
	/* NFD "Nguyễn" (e + circumflex + tilde) must come back composed */
	static const char nfd[] = "Ho ten,Noi\nNguye\xCC\x82\xCC\x83n Va\xCC\x86n "
	                          "A,H\xC3\xA0 N\xE1\xBB\x99i\n";
	static const char bom[] = "\xEF\xBB\xBF"
	                          "a,b\r\n\"x,y\",\r\n";
	struct tc_table *t = open_mem(nfd, strlen(nfd), NULL);
	(void)state;

	assert_int_equal(tc_table_format(t), TC_TABLE_CSV);
	assert_string_equal(tc_table_encoding(t), "utf-8");
	assert_string_equal(row_text(t), "Ho ten|Noi");
	assert_int_equal(tc_table_row(t), 1);
	assert_string_equal(row_text(t), "Nguyễn Văn A|Hà Nội");
	assert_int_equal(kind(t, 0), TC_CELL_TEXT);
	assert_int_equal(tc_table_next(t), 0);
	assert_int_equal(tc_table_next(t), 0);
	assert_null(tc_table_error(t));
	tc_table_close(t);

	t = open_mem(bom, strlen(bom), NULL);
	assert_string_equal(tc_table_encoding(t), "utf-8");
	assert_string_equal(row_text(t), "a|b");
	assert_string_equal(row_text(t), "x,y|");
	assert_int_equal(tc_table_ncols(t), 2);
	assert_int_equal(kind(t, 1), TC_CELL_EMPTY);
	assert_int_equal(tc_table_row(t), 2);
	assert_int_equal(tc_table_next(t), 0);
	tc_table_close(t);
	tc_table_close(NULL);
}

static void test_csv_delimiters(void **state)
{
	static const char semi[] = "Họ tên;Ngày sinh;Ghi chú\n"
	                           "Trần Thị Bình;01/02/1990;\"a;b, c\"\n";
	static const char tab[] = "a\tb\tc,d\n1\t2\t3\n";
	struct tc_table *t = open_mem(semi, strlen(semi), NULL);
	(void)state;

	assert_string_equal(row_text(t), "Họ tên|Ngày sinh|Ghi chú");
	assert_string_equal(row_text(t), "Trần Thị Bình|01/02/1990|a;b, c");
	tc_table_close(t);
	t = open_mem(tab, strlen(tab), NULL);
	assert_string_equal(row_text(t), "a|b|c,d");
	tc_table_close(t);
	assert_int_equal(tc_csv_sniff_delim("\"a;b;c\",d\n", 10), ',');
	assert_int_equal(tc_csv_sniff_delim("", 0), ',');
}

/* "Họ tên;Nơi ở" / "Nguyễn Văn A;Hà Nội" / "Trần Thị Bình;Huế" */
static const char cp1258[] = "H\x6F\xF2 t\xEAn;N\xF5i \xF5\xD2\n"
                             "Nguy\xEA\xDEn V\xE3n A;H\xE0 N\xF4\xF2i\n"
                             "Tr\xE2\xCCn Thi\xF2 Bi\xCCnh;Hu\xEA\xEC\n";
static const char tcvn3[] = "H\xE4 t\xAAn;N\xAC\x69 \xEB\n"
                            "Nguy\xD4n V\xA8n A;H\xB5 N\xE9i\n"
                            "Tr\xC7n Th\xDE B\xD7nh;Hu\xD5\n";

static void expect_vietnamese(struct tc_table *t)
{
	assert_string_equal(row_text(t), "Họ tên|Nơi ở");
	assert_string_equal(row_text(t), "Nguyễn Văn A|Hà Nội");
	assert_string_equal(row_text(t), "Trần Thị Bình|Huế");
	assert_int_equal(tc_table_row(t), 3);
	assert_int_equal(tc_table_next(t), 0);
}

static void test_csv_legacy(void **state)
{
	struct tc_table *t;
	(void)state;

	t = open_mem(cp1258, strlen(cp1258), NULL);
	assert_string_equal(tc_table_encoding(t), "windows-1258");
	expect_vietnamese(t);
	tc_table_close(t);

	t = open_mem(tcvn3, strlen(tcvn3), NULL);
	assert_string_equal(tc_table_encoding(t), "tcvn3");
	expect_vietnamese(t);
	tc_table_close(t);

	/* from a file too */
	{
		char *path = write_file("tcvn3.csv", tcvn3, strlen(tcvn3));
		struct tc_fault f = { 0 };
		struct tc_arena a;
		tc_arena_init(&a);
		assert_int_equal(tc_table_open(path, NULL, &a, &t, &f), TC_ERR_OK);
		expect_vietnamese(t);
		tc_table_close(t);
		tc_arena_cleanup(&a);
		free(path);
	}
}

static void test_csv_forced(void **state)
{
	static const char bad[] = "a,b\nx,\xFF\xFE\n";
	struct tc_table *t;
	struct tc_fault f = { 0 };
	struct tc_arena a;
	(void)state;

	t = open_mem(cp1258, strlen(cp1258), "Windows-1258");
	expect_vietnamese(t);
	tc_table_close(t);
	t = open_mem(tcvn3, strlen(tcvn3), "tcvn3");
	assert_string_equal(tc_table_encoding(t), "tcvn3");
	expect_vietnamese(t);
	tc_table_close(t);

	/* forced UTF-8 on bytes that are not: an error naming the row */
	t = open_mem(bad, strlen(bad), "utf-8");
	assert_string_equal(row_text(t), "a|b");
	assert_int_equal(tc_table_next(t), -1);
	assert_int_equal(tc_table_row(t), 2);
	assert_non_null(strstr(tc_table_error(t), "row 2: invalid UTF-8 in column 2"));
	assert_int_equal(tc_table_next(t), -1);
	assert_null(tc_table_cell(t, 0));
	tc_table_close(t);

	/* a malformed CSV names its row too */
	t = open_mem("a\n\"b\n", 5, NULL);
	assert_string_equal(row_text(t), "a");
	assert_int_equal(tc_table_next(t), -1);
	assert_string_equal(tc_table_error(t), "row 2: a quoted field is never closed");
	tc_table_close(t);

	tc_arena_init(&a);
	assert_int_equal(tc_table_open_mem("a", 1, "latin-9", &a, &t, &f),
	                 TC_ERR_INVALID_FIELD);
	assert_string_equal(f.field, "encoding");
	assert_int_equal(tc_table_open("/nonexistent/x.csv", NULL, &a, &t, &f),
	                 TC_ERR_IO);
	assert_string_equal(f.field, "file");
	assert_non_null(strstr(f.message, "cannot open"));
	tc_arena_cleanup(&a);
}

/* ---- text encodings ----------------------------------------------------- */

/* Our TCVN3 table agrees with glibc's TCVN5712-1 (VN1) on every byte from
 * 0x80 (where VN1 and VN3 coincide); below, VN3 is ASCII. */
static void test_tcvn3_table(void **state)
{
	iconv_t cd = iconv_open("UTF-8", "TCVN5712-1");
	struct tc_textdec d;
	struct tc_buf ours;
	(void)state;

	assert_true(cd != (iconv_t)-1);
	tc_textdec_init(&d, TC_TEXTENC_TCVN3);
	tc_buf_init(&ours);
	for (int c = 0x80; c <= 0xFF; c++) {
		char in[1] = { (char)c }, out[16];
		char *ip = in, *op = out;
		size_t il = 1, ol = sizeof(out);
		iconv(cd, NULL, NULL, NULL, NULL);
		assert_true(iconv(cd, &ip, &il, &op, &ol) != (size_t)-1);
		assert_true(iconv(cd, NULL, NULL, &op, &ol) != (size_t)-1);
		tc_buf_reset(&ours);
		assert_true(tc_textdec_append(&d, in, 1, &ours));
		if (ours.len != (size_t)(op - out) ||
		    memcmp(ours.data, out, ours.len) != 0)
			fail_msg("byte 0x%02X differs from glibc", c);
	}
	tc_buf_reset(&ours);
	assert_true(tc_textdec_append(&d, "\x01\x02", 2, &ours));
	assert_memory_equal(ours.data, "\x01\x02", 2); /* VN1 would give letters */
	/* a combining tone (0xB0-0xB4) composes with its letter */
	tc_buf_reset(&ours);
	tc_textdec_append(&d, "a\xB3", 2, &ours);
	assert_string_equal(ours.data, "á");
	tc_buf_cleanup(&ours);
	tc_textdec_cleanup(&d);
	iconv_close(cd);
}

static void test_textenc(void **state)
{
	struct tc_textdec d;
	struct tc_buf b;
	enum tc_textenc e;
	(void)state;

	assert_true(tc_textenc_parse("UTF8", &e) && e == TC_TEXTENC_UTF8);
	assert_true(tc_textenc_parse("cp1258", &e) && e == TC_TEXTENC_WIN1258);
	assert_false(tc_textenc_parse("koi8-r", &e));
	assert_true(tc_utf8_valid("a\xE1\xBB", 3, true)); /* cut at the end */
	assert_false(tc_utf8_valid("a\xE1\xBB", 3, false));
	assert_false(tc_utf8_valid("\xC0\x80", 2, false));     /* overlong */
	assert_false(tc_utf8_valid("\xED\xA0\x80", 3, false)); /* surrogate */
	assert_int_equal(tc_textenc_detect("plain", 5), TC_TEXTENC_UTF8);
	assert_int_equal(tc_textenc_detect("\xEF\xBB\xBF\xFF", 4), TC_TEXTENC_UTF8);

	/* an undefined Windows-1258 byte becomes U+FFFD */
	tc_textdec_init(&d, TC_TEXTENC_WIN1258);
	tc_buf_init(&b);
	assert_true(tc_textdec_append(&d, "a\x81z", 3, &b));
	assert_string_equal(b.data, "a\xEF\xBF\xBDz");
	tc_buf_cleanup(&b);
	tc_textdec_cleanup(&d);
	tc_textdec_cleanup(&d); /* idempotent */
}

static void test_mojibake(void **state)
{
	struct tc_buf b;
	(void)state;

	tc_buf_init(&b);
	assert_true(
	        tc_text_fix_tcvn3_mojibake("NguyÔn V¨n A", strlen("NguyÔn V¨n A"), &b));
	assert_string_equal(b.data, "Nguyễn Văn A");
	tc_buf_reset(&b);
	assert_true(
	        tc_text_fix_tcvn3_mojibake("TrÇn ThÞ B×nh", strlen("TrÇn ThÞ B×nh"), &b));
	assert_string_equal(b.data, "Trần Thị Bình");
	/* genuine text is left alone */
	assert_false(tc_text_fix_tcvn3_mojibake("José", strlen("José"), &b));
	assert_false(tc_text_fix_tcvn3_mojibake("Hà Tô", strlen("Hà Tô"), &b));
	assert_false(tc_text_fix_tcvn3_mojibake("Nguyễn", strlen("Nguyễn"), &b));
	assert_false(tc_text_fix_tcvn3_mojibake("plain", 5, &b));
	tc_buf_reset(&b);
	assert_int_equal(b.len, 0);
	tc_buf_cleanup(&b);
}

/* ---- XLSX ------------------------------------------------------------------ */

struct part {
	const char *name, *xml;
};

/* Writes an .xlsx of the given parts (deflated) into the temp dir. */
static char *make_xlsx(const char *name, const struct part *parts, size_t n)
{
	char *path;
	zip_t *z;
	int err;

	assert_true(asprintf(&path, "%s/%s", tmpdir, name) > 0);
	z = zip_open(path, ZIP_CREATE | ZIP_TRUNCATE, &err);
	assert_non_null(z);
	for (size_t i = 0; i < n; i++) {
		zip_source_t *s =
		        zip_source_buffer(z, parts[i].xml, strlen(parts[i].xml), 0);
		assert_non_null(s);
		assert_true(zip_file_add(z, parts[i].name, s, ZIP_FL_ENC_UTF_8) >= 0);
	}
	assert_int_equal(zip_close(z), 0);
	return path;
}

static const char wb_xml[] =
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
        "<workbook xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" "
        "xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\">"
        "<sheets><sheet name=\"Danh sách\" sheetId=\"7\" r:id=\"rId3\"/>"
        "<sheet name=\"Other\" sheetId=\"1\" r:id=\"rId1\"/></sheets></workbook>";
static const char rels_xml[] =
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
        "<Relationships "
        "xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
        "<Relationship Id=\"rId1\" Type=\"worksheet\" Target=\"worksheets/sheet1.xml\"/>"
        "<Relationship Id=\"rId3\" Type=\"worksheet\" "
        "Target=\"/xl/worksheets/list.xml\"/>"
        "</Relationships>";
static const char styles_xml[] =
        "<styleSheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\">"
        "<numFmts count=\"3\"><numFmt numFmtId=\"164\" formatCode=\"dd/mm/yyyy\"/>"
        "<numFmt numFmtId=\"165\" formatCode=\"0.00&quot;d&quot;\"/>"
        "<numFmt numFmtId=\"166\" formatCode=\"[h]:mm\"/></numFmts>"
        "<cellStyleXfs count=\"1\"><xf numFmtId=\"14\"/></cellStyleXfs>"
        "<cellXfs count=\"5\"><xf numFmtId=\"0\"/><xf numFmtId=\"14\"/><xf "
        "numFmtId=\"164\"/>"
        "<xf numFmtId=\"165\"/><xf numFmtId=\"166\"/></cellXfs></styleSheet>";
static const char ss_xml[] =
        "<sst xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" "
        "count=\"3\">"
        "<si><t>Họ tên</t></si>"
        "<si><r><rPr><b/></rPr><t>Ngày</t></r><r><t xml:space=\"preserve\"> sinh</t></r>"
        "<rPh sb=\"0\" eb=\"1\"><t>phonetic</t></rPh></si>"
        "<si><t>Trần Thị Bình</t></si></sst>";
/* Row 2 is skipped, B3 is skipped, row 5 has only a styled empty cell,
 * row 6 has cells without references, the big ID is in E notation. */
static const char sheet_xml[] =
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        "<x:worksheet "
        "xmlns:x=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\">"
        "<x:sheetData>"
        "<x:row r=\"1\"><x:c r=\"A1\" t=\"s\"><x:v>0</x:v></x:c><x:c r=\"B1\" "
        "t=\"s\"><x:v>1</x:v></x:c>"
        "<x:c r=\"C1\" t=\"inlineStr\"><x:is><x:t>CCCD</x:t></x:is></x:c></x:row>\n"
        "<x:row r=\"3\"><x:c r=\"A3\" "
        "t=\"inlineStr\"><x:is><x:r><x:t>Nguye\xCC\x82\xCC\x83n</x:t></x:r>"
        "<x:r><x:t xml:space=\"preserve\"> Văn A</x:t></x:r></x:is></x:c>"
        "<x:c r=\"C3\"><x:v>1.090001234E9</x:v></x:c>"
        "<x:c r=\"D3\" s=\"1\"><x:v>32874</x:v></x:c>"
        "<x:c r=\"E3\" t=\"b\"><x:v>1</x:v></x:c>"
        "<x:c r=\"F3\"><x:v>0.1</x:v></x:c>"
        "<x:c r=\"G3\" t=\"str\"><x:f>A1&amp;\"x\"</x:f><x:v>Họ tênx</x:v></x:c>"
        "<x:c r=\"H3\" t=\"e\"><x:v>#N/A</x:v></x:c></x:row>\n"
        "<x:row r=\"4\"><x:c r=\"A4\" t=\"s\"><x:v>2</x:v></x:c><x:c "
        "s=\"2\"><x:v>32874.5</x:v></x:c>"
        "<x:c s=\"3\"><x:v>12.5</x:v></x:c><x:c s=\"4\"><x:v>0.25</x:v></x:c>"
        "<x:c r=\"F4\" s=\"1\"/><x:c r=\"G4\" t=\"s\"/></x:row>\n"
        "<x:row r=\"5\"><x:c r=\"A5\" s=\"1\"/></x:row>\n"
        "<x:row r=\"6\" spans=\"1:2\"><x:c "
        "t=\"inlineStr\"><x:is><x:t>last</x:t></x:is></x:c>"
        "<x:c><x:v>-3</x:v></x:c></x:row>\n"
        "</x:sheetData></x:worksheet>";

static void test_xlsx(void **state)
{
	const struct part parts[] = {
		{ "[Content_Types].xml", "<Types/>" },
		{ "xl/workbook.xml", wb_xml },
		{ "xl/_rels/workbook.xml.rels", rels_xml },
		{ "xl/styles.xml", styles_xml },
		{ "xl/sharedStrings.xml", ss_xml },
		{ "xl/worksheets/sheet1.xml",
		  "<worksheet><sheetData><row r=\"1\"><c t=\"inlineStr\">"
		  "<is><t>wrong sheet</t></is></c></row></sheetData></worksheet>" },
		{ "xl/worksheets/list.xml", sheet_xml },
	};
	char *path = make_xlsx("list.xlsx", parts, TC_ARRAY_LEN(parts));
	struct tc_table *t;
	struct tc_fault f = { 0 };
	struct tc_arena a;
	(void)state;

	tc_arena_init(&a);
	assert_int_equal(tc_table_open(path, "tcvn3", &a, &t, &f), TC_ERR_OK);
	assert_int_equal(tc_table_format(t), TC_TABLE_XLSX);
	assert_string_equal(tc_table_encoding(t), "utf-8");
	assert_string_equal(row_text(t), "Họ tên|Ngày sinh|CCCD");
	assert_int_equal(tc_table_row(t), 1);
	assert_string_equal(row_text(t),
	                    "Nguyễn Văn A||1090001234|32874|TRUE|0.1|Họ tênx|#N/A");
	assert_int_equal(tc_table_row(t), 3);
	assert_int_equal(kind(t, 0), TC_CELL_TEXT);
	assert_int_equal(kind(t, 1), TC_CELL_EMPTY);
	assert_int_equal(kind(t, 2), TC_CELL_NUMBER);
	assert_int_equal(kind(t, 3), TC_CELL_DATE);
	assert_int_equal(kind(t, 4), TC_CELL_TEXT);
	assert_int_equal(kind(t, 5), TC_CELL_NUMBER);
	assert_string_equal(row_text(t), "Trần Thị Bình|32874.5|12.5|0.25");
	assert_int_equal(tc_table_row(t), 4);
	assert_int_equal(tc_table_ncols(t), 4); /* trailing empty cells dropped */
	assert_int_equal(kind(t, 1), TC_CELL_DATE);
	assert_int_equal(kind(t, 2), TC_CELL_NUMBER); /* "d" was quoted */
	assert_int_equal(kind(t, 3), TC_CELL_NUMBER); /* [h]:mm is a duration */
	assert_string_equal(row_text(t), "last|-3");
	assert_int_equal(tc_table_row(t), 6);
	assert_int_equal(tc_table_next(t), 0);
	tc_table_close(t);
	tc_arena_cleanup(&a);
	free(path);
}

static tc_err open_parts(const char *name, const struct part *parts, size_t n,
                         struct tc_table **t, struct tc_fault *f, struct tc_arena *a)
{
	char *path = make_xlsx(name, parts, n);
	tc_err e = tc_table_open(path, NULL, a, t, f);
	free(path);
	return e;
}

static void test_xlsx_errors(void **state)
{
	const struct part no_wb[] = { { "xl/worksheets/sheet1.xml", sheet_xml } };
	const struct part no_sheet[] = { { "xl/workbook.xml", "<workbook/>" } };
	const struct part bad_ss[] = { { "xl/workbook.xml", "<workbook/>" },
		                       { "xl/sharedStrings.xml",
		                         "<sst><si><t>x</si></sst>" },
		                       { "xl/worksheets/sheet1.xml", sheet_xml } };
	const struct part dtd[] = { { "xl/workbook.xml",
		                      "<!DOCTYPE w [<!ENTITY a \"b\">]><w/>" } };
	const struct part bad_rows[] = {
		{ "xl/workbook.xml", "<workbook/>" },
		{ "xl/worksheets/sheet1.xml",
		  "<worksheet><sheetData><row r=\"2\"><c r=\"B2\"><v>1</v></c></row>"
		  "<row r=\"3\"><c r=\"C3\" "
		  "t=\"s\"><v>4</v></c></row></sheetData></worksheet>" }
	};
	const struct part cut[] = {
		{ "xl/workbook.xml", "<workbook/>" },
		{ "xl/worksheets/sheet1.xml",
		  "<worksheet><sheetData><row><c><v>1</v></c></row><row><c>" }
	};
	const struct part order[] = {
		{ "xl/workbook.xml", "<workbook/>" },
		{ "xl/worksheets/sheet1.xml",
		  "<worksheet><sheetData><row><c r=\"C1\"><v>1</v></c>"
		  "<c r=\"A1\"><v>1</v></c></row></sheetData></worksheet>" }
	};
	struct tc_table *t;
	struct tc_fault f = { 0 };
	struct tc_arena a;
	(void)state;

	tc_arena_init(&a);
	assert_int_equal(open_parts("e1.xlsx", no_wb, 1, &t, &f, &a),
	                 TC_ERR_INVALID_FIELD);
	assert_string_equal(f.message, "xlsx: xl/workbook.xml is missing");
	assert_string_equal(f.field, "file");
	assert_int_equal(open_parts("e2.xlsx", no_sheet, 1, &t, &f, &a),
	                 TC_ERR_INVALID_FIELD);
	assert_non_null(strstr(f.message, "xl/worksheets/sheet1.xml) is missing"));
	assert_int_equal(open_parts("e3.xlsx", bad_ss, 3, &t, &f, &a),
	                 TC_ERR_INVALID_FIELD);
	assert_non_null(
	        strstr(f.message, "xlsx: xl/sharedStrings.xml: line 1: mismatched tag"));
	assert_int_equal(open_parts("e4.xlsx", dtd, 1, &t, &f, &a), TC_ERR_INVALID_FIELD);
	assert_non_null(strstr(f.message, "document type"));
	assert_int_equal(tc_table_open_mem("PK\3\4junk", 8, NULL, &a, &t, &f),
	                 TC_ERR_INVALID_FIELD);
	assert_non_null(strstr(f.message, "not a readable zip"));

	assert_int_equal(open_parts("e5.xlsx", bad_rows, 2, &t, &f, &a), TC_ERR_OK);
	assert_string_equal(row_text(t), "|1");
	assert_int_equal(tc_table_row(t), 2);
	assert_int_equal(tc_table_next(t), -1);
	assert_string_equal(
	        tc_table_error(t),
	        "row 3: cell C3 refers to a shared string that does not exist");
	tc_table_close(t);

	assert_int_equal(open_parts("e6.xlsx", cut, 2, &t, &f, &a), TC_ERR_OK);
	assert_string_equal(row_text(t), "1");
	assert_int_equal(tc_table_next(t), -1);
	assert_non_null(
	        strstr(tc_table_error(t), "xlsx: xl/worksheets/sheet1.xml: line 1"));
	tc_table_close(t);

	assert_int_equal(open_parts("e7.xlsx", order, 2, &t, &f, &a), TC_ERR_OK);
	assert_int_equal(tc_table_next(t), -1);
	assert_string_equal(tc_table_error(t),
	                    "row 1: cell A1 comes after a cell to its right");
	tc_table_close(t);
	tc_arena_cleanup(&a);
}

static void test_numbers(void **state)
{
	struct {
		const char *v, *want;
	} cases[] = {
		{ "1.090001234E9", "1090001234" },
		{ "0.1", "0.1" },
		{ "-0", "0" },
		{ "1E+20", "1e+20" },
		{ "0.30000000000000004", "0.30000000000000004" },
		{ "123456789012", "123456789012" },
		{ "1.5e-7", "1.5e-07" },
	};
	(void)state;
	for (size_t i = 0; i < TC_ARRAY_LEN(cases); i++) {
		char xml[256];
		struct part parts[] = { { "xl/workbook.xml", "<workbook/>" },
			                { "xl/worksheets/sheet1.xml", xml } };
		struct tc_table *t;
		struct tc_fault f = { 0 };
		struct tc_arena a;
		snprintf(xml, sizeof(xml),
		         "<worksheet><sheetData><row><c><v>%s</v></c></row></sheetData></"
		         "worksheet>",
		         cases[i].v);
		tc_arena_init(&a);
		assert_int_equal(open_parts("n.xlsx", parts, 2, &t, &f, &a), TC_ERR_OK);
		assert_string_equal(row_text(t), cases[i].want);
		tc_table_close(t);
		tc_arena_cleanup(&a);
	}
}

/* ---- XLS -------------------------------------------------------------------- */

static void expect_xls(struct tc_table *t)
{
	assert_int_equal(tc_table_format(t), TC_TABLE_XLS);
	assert_string_equal(tc_table_encoding(t), "utf-8");
	assert_string_equal(row_text(t), "Họ tên|Ngày sinh|CCCD");
	assert_string_equal(row_text(t), "Nguyễn Văn A|1990-01-01|1090001234");
	assert_int_equal(tc_table_row(t), 2);
	assert_int_equal(kind(t, 0), TC_CELL_TEXT);
	assert_int_equal(kind(t, 1), TC_CELL_DATE);
	assert_int_equal(kind(t, 2), TC_CELL_NUMBER);
	assert_string_equal(row_text(t), "Trần Thị Bình|1990-01-01 12:00:00|42");
	assert_int_equal(tc_table_row(t), 4); /* row 3 is empty */
	assert_int_equal(tc_table_next(t), 0);
}

static void test_xls(void **state)
{
	const char *path = "tests/fixtures/citizens.xls";
	struct tc_table *t;
	struct tc_fault f = { 0 };
	struct tc_arena a;
	char *data;
	long len;
	FILE *fp;
	(void)state;

	tc_arena_init(&a);
	assert_int_equal(tc_table_open(path, NULL, &a, &t, &f), TC_ERR_OK);
	expect_xls(t);
	tc_table_close(t);

	fp = fopen(path, "rb");
	assert_non_null(fp);
	fseek(fp, 0, SEEK_END);
	len = ftell(fp);
	rewind(fp);
	data = malloc((size_t)len);
	assert_int_equal(fread(data, 1, (size_t)len, fp), (size_t)len);
	fclose(fp);
	t = open_mem(data, (size_t)len, NULL);
	expect_xls(t);
	tc_table_close(t);

	/* the compound-file signature and nothing readable after it */
	memset(data + 8, 0xEE, 512);
	assert_int_equal(tc_table_open_mem(data, (size_t)len, NULL, &a, &t, &f),
	                 TC_ERR_INVALID_FIELD);
	assert_non_null(strstr(f.message, "xls: not a readable Excel 97-2003 workbook"));
	free(data);
	tc_arena_cleanup(&a);
}

/* 200,000 rows, about 60 MB of sheet XML, read with little memory. */
static void test_xlsx_streaming(void **state)
{
	enum { ROWS = 200000 };
	char *xml_path, *path;
	FILE *fp;
	zip_t *z;
	zip_source_t *src;
	struct tc_table *t;
	struct tc_fault f = { 0 };
	struct tc_arena a;
	struct rusage before, after;
	long rows = 0;
	int err, got;
	(void)state;

	assert_true(asprintf(&xml_path, "%s/big-sheet.xml", tmpdir) > 0);
	assert_true(asprintf(&path, "%s/big.xlsx", tmpdir) > 0);
	fp = fopen(xml_path, "w");
	assert_non_null(fp);
	fputs("<worksheet><sheetData>", fp);
	for (long r = 1; r <= ROWS; r++)
		fprintf(fp,
		        "<row r=\"%ld\"><c r=\"A%ld\" t=\"inlineStr\"><is><t>Nguyễn Văn "
		        "Người "
		        "Thứ %ld ở xã Phúc Xá quận Ba Đình Hà Nội</t></is></c>"
		        "<c r=\"B%ld\"><v>%ld</v></c><c r=\"C%ld\" s=\"0\"><v>0.5</v></c>"
		        "<c r=\"D%ld\" t=\"inlineStr\"><is><t>Số nhà %ld, ngõ 42, đường "
		        "Láng</t>"
		        "</is></c></row>\n",
		        r, r, r, r, 1090000000 + r, r, r, r);
	fputs("</sheetData></worksheet>", fp);
	fclose(fp);
	z = zip_open(path, ZIP_CREATE | ZIP_TRUNCATE, &err);
	assert_non_null(z);
	src = zip_source_buffer(z, "<workbook/>", 11, 0);
	assert_true(zip_file_add(z, "xl/workbook.xml", src, 0) >= 0);
	src = zip_source_file(z, xml_path, 0, -1);
	assert_non_null(src);
	assert_true(zip_file_add(z, "xl/worksheets/sheet1.xml", src, 0) >= 0);
	assert_int_equal(zip_close(z), 0);
	unlink(xml_path);

	tc_arena_init(&a);
	getrusage(RUSAGE_SELF, &before);
	assert_int_equal(tc_table_open(path, NULL, &a, &t, &f), TC_ERR_OK);
	while ((got = tc_table_next(t)) == 1) {
		rows++;
		assert_int_equal(tc_table_row(t), rows);
		assert_int_equal(tc_table_ncols(t), 4);
	}
	assert_int_equal(got, 0);
	assert_int_equal(rows, ROWS);
	tc_table_close(t);
	getrusage(RUSAGE_SELF, &after);
	/* ru_maxrss is in kilobytes */
	print_message("# peak RSS grew %ld kB reading %d rows\n",
	              after.ru_maxrss - before.ru_maxrss, ROWS);
	assert_true(after.ru_maxrss - before.ru_maxrss < 50 * 1024);
	tc_arena_cleanup(&a);
	free(xml_path);
	free(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_csv_utf8),    cmocka_unit_test(test_csv_delimiters),
		cmocka_unit_test(test_csv_legacy),  cmocka_unit_test(test_csv_forced),
		cmocka_unit_test(test_tcvn3_table), cmocka_unit_test(test_textenc),
		cmocka_unit_test(test_mojibake),    cmocka_unit_test(test_xlsx),
		cmocka_unit_test(test_xlsx_errors), cmocka_unit_test(test_numbers),
		cmocka_unit_test(test_xls),         cmocka_unit_test(test_xlsx_streaming),
	};
	return cmocka_run_group_tests_name("table", tests, setup, teardown);
}
