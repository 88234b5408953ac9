/* Imports over HTTP on both backends: a deliberately dirty CSV with exact
 * counts, the same file again (nobody twice), the rejected rows file, an
 * XLSX with numbers where Excel dropped leading zeros, an XLS without the
 * required columns, jurisdictions, and a server killed in the middle of a
 * large import: nothing committed is lost, no row is half there, and
 * running the same file again finishes the job. */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <zip.h>

#include <cmocka.h>

#include "tsupport.h"

struct world {
	char *db;
	struct ts_server srv;
	struct ts_http *h;
	char *admin, *badinh;
};

static struct world W;

static void login_all(void)
{
	W.h = ts_http_new(&W.srv);
	W.admin = ts_login(W.h, "admin", TS_DEMO_PASSWORD);
	W.badinh = ts_login(W.h, "badinh", TS_DEMO_PASSWORD);
}

static void logout_all(void)
{
	ts_http_free(W.h);
	free(W.admin);
	free(W.badinh);
}

static int group_setup(void **state)
{
	(void)state;
	W.db = ts_db_new();
	ts_db_seed(W.db);
	ts_server_start(&W.srv, W.db, "--login-max-per-addr", "1000", NULL);
	login_all();
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	logout_all();
	int st = ts_server_stop(&W.srv);
	ts_db_drop(W.db);
	free(W.db);
	return st == 0 ? 0 : -1;
}

static json_t *upload(const char *token, const char *name, const char *data, size_t len,
                      long want)
{
	char *path = ts_fmt("/api/v1/imports/citizens?name=%s", name);
	struct ts_resp r = ts_req_ct(W.h, "POST", path, token, "text/csv", data, len, NULL);
	if (r.status != want)
		fail_msg("upload %s: %ld %s", name, r.status, r.body);
	json_t *j = json_incref(json_object_get(r.json, "import"));
	if (j == NULL)
		j = json_incref(r.json);
	ts_resp_free(&r);
	free(path);
	return j;
}

/* Polls the job until it is no longer running; returns it. */
static json_t *wait_done(long long id, const char *token)
{
	char *path = ts_fmt("/api/v1/imports/%lld", id);
	json_t *j = NULL;
	for (int i = 0; i < 6000; i++) {
		struct ts_resp r = ts_req(W.h, "GET", path, token, NULL);
		assert_int_equal(r.status, 200);
		j = json_incref(json_object_get(r.json, "import"));
		ts_resp_free(&r);
		if (strcmp(json_string_value(json_object_get(j, "status")), "running") != 0)
			break;
		json_decref(j);
		j = NULL;
		usleep(10000);
	}
	free(path);
	if (j == NULL)
		fail_msg("import %lld never finished", id);
	return j;
}

static long long num(json_t *j, const char *k)
{
	return json_integer_value(json_object_get(j, k));
}

/* The dirty file: the header in Vietnamese, in its own order, with a
 * column nobody asked for; a byte-order mark; CRLF line ends. */
static const char dirty[] =
	"\xEF\xBB\xBF"
	"Họ và tên,Giới tính,Ngày sinh,Số CCCD/CMND,Mã xã,Số điện thoại,Ghi chú,Quốc tịch,"
	"Nhóm ưu tiên\r\n"
	/* 2: accepted, dd/mm/yyyy */
	"Nguyễn Văn Hùng,Nam,17/05/1990,001090100001,00001,0912345001,,,\r\n"
	/* 3: accepted, year only */
	"Trần Thị Lan,Nữ,1975,001175100002,00001,,,,\r\n"
	/* 4: accepted, an Excel date serial (1990-01-01) */
	"Lê Văn Minh,Nam,32874,001090100003,00001,,,,\r\n"
	/* 5: rejected, an adult without a number */
	"Phạm Thị Hoa,Nữ,1980,,00001,,,,\r\n"
	/* 6: rejected, a number that is no document */
	"Vũ Văn Nam,Nam,1980,12345,00001,,,,\r\n"
	/* 7: rejected, an impossible date */
	"Đỗ Thị Mai,Nữ,30/02/1990,001190100004,00001,,,,\r\n"
	/* 8: rejected, a wrong phone */
	"Hoàng Văn Long,Nam,1990,001090100005,00001,0123,,,\r\n"
	/* 9: empty: skipped */
	"\r\n"
	/* 10: the same as row 2: unchanged */
	"Nguyễn  văn HÙNG,Nam,17/05/1990,001090100001,00001,+84912345001,,,\r\n"
	/* 11: row 2's number with another name: a conflict */
	"Nguyễn Văn Hưng,Nam,17/05/1990,001090100001,00001,,,,\r\n"
	/* 12: already on file (created before), identical: unchanged */
	"Bùi Thị Thu,Nữ,1992-03-04,001192100006,00001,,,,\r\n"
	/* 13: on file with another birth date: a conflict */
	"Đặng Văn Tài,Nam,02/02/1991,001091100007,00001,,,,\r\n"
	/* 14: accepted, a child without a document */
	"Nguyễn Gia Bảo,Nam,03/2022,,00001,,,,\r\n"
	/* 15: accepted, a foreigner with a passport */
	"John Smith,Nam,1980,X1234567,00001,,,US,\r\n"
	/* 16: rejected, gender */
	"Lý Văn Tú,X,1990,001090100008,00001,,,,\r\n"
	/* 17: rejected, commune */
	"Lý Văn Tú,Nam,1990,001090100008,99999,,,,\r\n"
	/* 18: accepted, month and year, a CMND, priority group "Nhóm 9" */
	"Mai Văn Sơn,Nam,05/1960,012345678,00001,,,,Nhóm 9\r\n"
	/* 19: rejected, priority group */
	"Mai Thị Cúc,Nữ,1960,012345679,00001,,,,17\r\n"
	/* 20: rejected, outside Ba Đình (for the district's import) / accepted for admin */
	"Tạ Văn Bình,Nam,1990,079090100009,26734,,,,\r\n";

static void test_dirty_file(void **state)
{
	(void)state;
	json_t *j;
	/* the two people on file before the import */
	struct ts_resp r = ts_req(W.h, "POST", "/api/v1/citizens", W.admin,
	                          "{\"id_number\":\"001192100006\",\"full_name\":\"Bùi Thị Thu\","
	                          "\"birth_date\":\"1992-03-04\",\"gender\":\"female\","
	                          "\"commune_code\":\"00001\"}");
	assert_int_equal(r.status, 201);
	ts_resp_free(&r);
	r = ts_req(W.h, "POST", "/api/v1/citizens", W.admin,
	           "{\"id_number\":\"001091100007\",\"full_name\":\"Đặng Văn Tài\","
	           "\"birth_date\":\"1991-01-01\",\"gender\":\"male\",\"commune_code\":\"00001\"}");
	assert_int_equal(r.status, 201);
	ts_resp_free(&r);

	j = upload(W.badinh, "danh-sach.csv", dirty, sizeof(dirty) - 1, 202);
	long long id = num(j, "id");
	assert_string_equal(json_string_value(json_object_get(j, "format")), "csv");
	json_decref(j);
	j = wait_done(id, W.badinh);
	assert_string_equal(json_string_value(json_object_get(j, "status")), "done");
	assert_int_equal(num(j, "rows"), 18);
	assert_int_equal(num(j, "accepted"), 6);
	assert_int_equal(num(j, "unchanged"), 2);
	assert_int_equal(num(j, "rejected"), 10);
	json_decref(j);

	/* the rejected rows come back with the original columns and a reason */
	char *path = ts_fmt("/api/v1/imports/%lld/rejects.csv", id);
	r = ts_req(W.h, "GET", path, W.badinh, NULL);
	assert_int_equal(r.status, 200);
	assert_non_null(strstr(r.headers, "text/csv"));
	assert_non_null(strstr(r.body, "Họ và tên,Giới tính,Ngày sinh,Số CCCD/CMND,Mã xã,"
	                               "Số điện thoại,Ghi chú,Quốc tịch,Nhóm ưu tiên,row,reason"));
	assert_non_null(strstr(r.body, ",7,birth_date: not a real date"));
	assert_non_null(strstr(r.body, ",11,id_number: conflict: citizen "));
	assert_non_null(strstr(r.body, "different full_name"));
	assert_non_null(strstr(r.body, ",13,id_number: conflict: citizen "));
	assert_non_null(strstr(r.body, "different birth_date"));
	assert_non_null(strstr(r.body, ",20,commune_code: "));
	int lines = 0;
	for (const char *p = r.body; *p; p++)
		lines += *p == '\n';
	assert_int_equal(lines, 11); /* the header and 10 rows */
	ts_resp_free(&r);
	free(path);

	/* the same file again adds nobody */
	j = upload(W.badinh, "danh-sach.csv", dirty, sizeof(dirty) - 1, 202);
	long long id2 = num(j, "id");
	assert_true(id2 != id);
	json_decref(j);
	j = wait_done(id2, W.badinh);
	assert_int_equal(num(j, "rows"), 18);
	assert_int_equal(num(j, "accepted"), 0);
	assert_int_equal(num(j, "unchanged"), 8);
	assert_int_equal(num(j, "rejected"), 10);
	json_decref(j);

	/* the people are there, found by name */
	r = ts_req(W.h, "GET", "/api/v1/citizens?q=nguyen%20van%20hung", W.admin, NULL);
	assert_int_equal(json_array_size(json_object_get(r.json, "citizens")), 1);
	ts_resp_free(&r);
	r = ts_req(W.h, "GET", "/api/v1/citizens?q=john%20smith", W.admin, NULL);
	assert_int_equal(json_array_size(json_object_get(r.json, "citizens")), 1);
	ts_resp_free(&r);

	/* another district cannot see Ba Đình's import */
	path = ts_fmt("/api/v1/imports/%lld", id);
	char *hcm = ts_login(W.h, "hanoi", TS_DEMO_PASSWORD);
	ts_expect(ts_req(W.h, "GET", path, hcm, NULL), 200, NULL, NULL);
	free(hcm);
	ts_expect(ts_req(W.h, "GET", path, NULL, NULL), 401, "unauthenticated", NULL);
	free(path);
}

static void test_bad_files(void **state)
{
	(void)state;
	json_t *j;
	/* no header naming the columns */
	j = upload(W.admin, "x.csv", "a,b,c\n1,2,3\n", 12, 400);
	assert_string_equal(json_string_value(json_object_get(json_object_get(j, "error"), "field")),
	                    "file");
	json_decref(j);
	j = upload(W.admin, "x.csv", "", 0, 400);
	json_decref(j);
	/* an old .xls without gender and commune columns */
	FILE *fp = fopen("tests/fixtures/citizens.xls", "rb");
	assert_non_null(fp);
	char buf[65536];
	size_t n = fread(buf, 1, sizeof(buf), fp);
	fclose(fp);
	j = upload(W.admin, "old.xls", buf, n, 400);
	const char *msg =
	        json_string_value(json_object_get(json_object_get(j, "error"), "message"));
	assert_non_null(strstr(msg, "gender"));
	json_decref(j);
	/* a broken zip */
	j = upload(W.admin, "x.xlsx", "PK\x03\x04garbage", 11, 400);
	json_decref(j);
	ts_expect(ts_req_ct(W.h, "POST", "/api/v1/imports/citizens", W.admin, "text/csv", "x", 1,
	                    NULL),
	          400, NULL, "file");
	/* a site's staff do not import lists */
	char *staff = ts_login(W.h, "phucxa.staff", TS_DEMO_PASSWORD);
	ts_expect(ts_req_ct(W.h, "POST", "/api/v1/imports/citizens", staff, "text/csv", "x", 1,
	                    NULL),
	          403, "forbidden", NULL);
	free(staff);
}

/* A workbook whose ID and phone cells are numbers (Excel drops the
 * leading zero) and whose birth date is a date serial. */
static void test_xlsx(void **state)
{
	(void)state;
	const char *sheet =
	        "<worksheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\">"
	        "<sheetData>"
	        "<row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t>id_number</t></is></c>"
	        "<c r=\"B1\" t=\"inlineStr\"><is><t>full_name</t></is></c>"
	        "<c r=\"C1\" t=\"inlineStr\"><is><t>birth_date</t></is></c>"
	        "<c r=\"D1\" t=\"inlineStr\"><is><t>gender</t></is></c>"
	        "<c r=\"E1\" t=\"inlineStr\"><is><t>commune_code</t></is></c>"
	        "<c r=\"F1\" t=\"inlineStr\"><is><t>phone</t></is></c></row>"
	        "<row r=\"2\"><c r=\"A2\"><v>1.193200011E9</v></c>"
	        "<c r=\"B2\" t=\"inlineStr\"><is><t>Cao Thị Yến</t></is></c>"
	        "<c r=\"C2\"><v>34000</v></c>"
	        "<c r=\"D2\" t=\"inlineStr\"><is><t>Nữ</t></is></c>"
	        "<c r=\"E2\"><v>1</v></c>"
	        "<c r=\"F2\"><v>912000333</v></c></row>"
	        "</sheetData></worksheet>";
	zip_source_t *src;
	zip_error_t err;
	void *data;
	zip_int64_t len;

	zip_error_init(&err);
	src = zip_source_buffer_create(NULL, 0, 0, &err);
	zip_t *z = zip_open_from_source(src, ZIP_TRUNCATE, &err);
	assert_non_null(z);
	zip_source_keep(src);
	zip_file_add(z, "[Content_Types].xml", zip_source_buffer(z, "<Types/>", 8, 0), 0);
	zip_file_add(z, "xl/workbook.xml", zip_source_buffer(z, "<workbook/>", 11, 0), 0);
	zip_file_add(z, "xl/worksheets/sheet1.xml",
	             zip_source_buffer(z, sheet, strlen(sheet), 0), 0);
	assert_int_equal(zip_close(z), 0);
	assert_int_equal(zip_source_open(src), 0);
	zip_source_seek(src, 0, SEEK_END);
	len = zip_source_tell(src);
	zip_source_seek(src, 0, SEEK_SET);
	data = malloc((size_t)len);
	assert_int_equal(zip_source_read(src, data, (zip_uint64_t)len), len);
	zip_source_close(src);
	zip_source_free(src);

	json_t *j = upload(W.admin, "yen.xlsx", data, (size_t)len, 202);
	long long id = num(j, "id");
	assert_string_equal(json_string_value(json_object_get(j, "format")), "xlsx");
	json_decref(j);
	free(data);
	j = wait_done(id, W.admin);
	assert_int_equal(num(j, "accepted"), 1);
	assert_int_equal(num(j, "rejected"), 0);
	json_decref(j);
	/* 1193200011 was 001193200011, 1 was commune 00001, 34000 is 1993-01-31 */
	json_t *body = json_pack("{ss}", "qr", "001193200011");
	char *s = json_dumps(body, 0);
	struct ts_resp r = ts_req(W.h, "POST", "/api/v1/checkin", W.admin, s);
	assert_int_equal(r.status, 200);
	json_t *ct = json_object_get(r.json, "citizen");
	assert_string_equal(json_string_value(json_object_get(ct, "full_name")), "Cao Thị Yến");
	assert_string_equal(json_string_value(json_object_get(ct, "birth_date")), "1993-01-31");
	assert_string_equal(json_string_value(json_object_get(ct, "commune_code")), "00001");
	assert_string_equal(json_string_value(json_object_get(ct, "phone")), "+84912000333");
	ts_resp_free(&r);
	free(s);
	json_decref(body);
}

/* A name without digits for person i: its digits as syllables. */
static void name_of(int i, char *out, size_t n)
{
	static const char *const syl[] = {"An", "Bình", "Cường", "Dũng", "Giang",
	                                  "Hà", "Khánh", "Linh", "Minh", "Nam"};
	size_t k = (size_t)snprintf(out, n, "Nguyễn");
	do {
		k += (size_t)snprintf(out + k, n - k, " %s", syl[i % 10]);
		i /= 10;
	} while (i > 0 && k < n);
}

/* A large file, its server killed with SIGKILL in the middle. */
static void test_killed(void **state)
{
	(void)state;
	const int N = 60000;
	size_t cap = (size_t)N * 120 + 100, len = 0;
	char *csv = malloc(cap);

	len += (size_t)snprintf(csv + len, cap - len,
	                        "id_number,full_name,birth_date,gender,commune_code\n");
	for (int i = 0; i < N; i++) {
		char name[80];
		name_of(i, name, sizeof(name));
		len += (size_t)snprintf(csv + len, cap - len, "001%d%02d%06d,%s,%d,%s,00001\n",
		                        i % 2, 60 + i % 40, 200000 + i, name, 1960 + i % 40,
		                        i % 2 ? "female" : "male");
	}
	json_t *j = upload(W.admin, "big.csv", csv, len, 202);
	long long id = num(j, "id");
	json_decref(j);
	/* wait until some batches are in, then kill */
	char *path = ts_fmt("/api/v1/imports/%lld", id);
	long long before = 0;
	for (int i = 0; i < 3000 && before == 0; i++) {
		struct ts_resp r = ts_req(W.h, "GET", path, W.admin, NULL);
		before = num(json_object_get(r.json, "import"), "rows");
		ts_resp_free(&r);
		if (before == 0)
			usleep(2000);
	}
	kill(W.srv.pid, SIGKILL);
	waitpid(W.srv.pid, NULL, 0);
	logout_all();
	free(W.srv.db);
	ts_server_start(&W.srv, W.db, "--login-max-per-addr", "1000", NULL);
	login_all();

	struct ts_resp r = ts_req(W.h, "GET", path, W.admin, NULL);
	j = json_object_get(r.json, "import");
	long long rows = num(j, "rows");
	print_message("# killed with %lld of %d rows committed (status %s)\n", rows, N,
	              json_string_value(json_object_get(j, "status")));
	assert_true(rows >= before);
	/* what was committed is whole: counters and rows went in together */
	assert_int_equal(num(j, "accepted") + num(j, "rejected") + num(j, "unchanged"), rows);
	bool finished = strcmp(json_string_value(json_object_get(j, "status")), "done") == 0;
	ts_resp_free(&r);

	/* the same file again finishes the job, adding nobody twice; while
	 * the killed run's last mark is fresh the job counts as running (409,
	 * naming it), a few seconds later it is taken over */
	long long again = 0;
	char *up = ts_fmt("/api/v1/imports/citizens?name=big.csv");
	for (int i = 0; i < 100 && again == 0; i++) {
		r = ts_req_ct(W.h, "POST", up, W.admin, "text/csv", csv, len, NULL);
		if (r.status == 202)
			again = num(json_object_get(r.json, "import"), "id");
		else if (r.status == 409)
			assert_int_equal(json_integer_value(json_object_get(
			                         json_object_get(r.json, "error"), "existing_id")),
			                 id);
		else
			fail_msg("upload again: %ld %s", r.status, r.body);
		ts_resp_free(&r);
		if (again == 0)
			usleep(200000);
	}
	free(up);
	assert_true(again != 0);
	if (!finished)
		assert_int_equal(again, id); /* the unfinished job is taken up */
	j = wait_done(id, W.admin);
	assert_string_equal(json_string_value(json_object_get(j, "status")), "done");
	assert_int_equal(num(j, "rows"), N);
	assert_int_equal(num(j, "accepted"), N);
	assert_int_equal(num(j, "unchanged"), 0);
	assert_int_equal(num(j, "rejected"), 0);
	json_decref(j);
	if (again != id)
		json_decref(wait_done(again, W.admin));
	free(path);
	free(csv);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dirty_file),
		cmocka_unit_test(test_bad_files),
		cmocka_unit_test(test_xlsx),
		cmocka_unit_test(test_killed),
	};
	return cmocka_run_group_tests_name(ts_is_pg() ? "imports (postgresql)"
	                                              : "imports (sqlite)",
	                                   tests, group_setup, group_teardown);
}
