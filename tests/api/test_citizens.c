/* Citizens over HTTP on both backends: the identity rules on fresh data,
 * one person one record (409 with the existing id), likely duplicates,
 * jurisdictions, audited reads, accent-insensitive search, optimistic
 * edits, the personal QR and the check-in lookup. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "tsupport.h"

struct world {
	char *db;
	struct ts_server srv;
	struct ts_http *h;
	char *admin, *hanoi, *badinh, *staff, *officer, *viewer;
};

static struct world W;

static int group_setup(void **state)
{
	(void)state;
	W.db = ts_db_new();
	ts_db_seed(W.db);
	ts_server_start(&W.srv, W.db, "--login-max-per-addr", "1000", NULL);
	W.h = ts_http_new(&W.srv);
	W.admin = ts_login(W.h, "admin", TS_DEMO_PASSWORD);
	W.hanoi = ts_login(W.h, "hanoi", TS_DEMO_PASSWORD);
	W.badinh = ts_login(W.h, "badinh", TS_DEMO_PASSWORD);
	W.staff = ts_login(W.h, "phucxa.staff", TS_DEMO_PASSWORD);
	W.officer = ts_login(W.h, "phucxa.officer", TS_DEMO_PASSWORD);
	W.viewer = ts_login(W.h, "viewer", TS_DEMO_PASSWORD);
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	ts_http_free(W.h);
	int st = ts_server_stop(&W.srv);
	ts_db_drop(W.db);
	free(W.db);
	free(W.admin);
	free(W.hanoi);
	free(W.badinh);
	free(W.staff);
	free(W.officer);
	free(W.viewer);
	return st == 0 ? 0 : -1;
}

/* POSTs a body and expects a status; returns the parsed answer. */
static json_t *post(const char *path, const char *token, const char *body, long want)
{
	struct ts_resp r = ts_req(W.h, "POST", path, token, body);
	if (r.status != want)
		fail_msg("POST %s %s: %ld %s", path, body, r.status, r.body);
	json_t *j = json_incref(r.json);
	ts_resp_free(&r);
	return j;
}

static json_t *get(const char *path, const char *token, long want)
{
	struct ts_resp r = ts_req(W.h, "GET", path, token, NULL);
	if (r.status != want)
		fail_msg("GET %s: %ld %s", path, r.status, r.body);
	json_t *j = json_incref(r.json);
	ts_resp_free(&r);
	return j;
}

static const char *str(json_t *j, const char *path)
{
	json_t *v = j;
	char key[64];
	const char *p = path;
	while (*p) {
		size_t n = strcspn(p, ".");
		snprintf(key, sizeof(key), "%.*s", (int)n, p);
		v = json_object_get(v, key);
		p += n;
		if (*p == '.')
			p++;
	}
	return json_string_value(v);
}

static long long num(json_t *j, const char *a, const char *b)
{
	json_t *v = json_object_get(j, a);
	if (b)
		v = json_object_get(v, b);
	return json_integer_value(v);
}

/* A citizen body, with `more` JSON members appended. */
static char *person(const char *id, const char *name, const char *birth,
                    const char *gender, const char *commune, const char *more)
{
	return ts_fmt("{\"id_number\":\"%s\",\"full_name\":\"%s\",\"birth_date\":\"%s\","
	              "\"gender\":\"%s\",\"commune_code\":\"%s\"%s%s}",
	              id, name, birth, gender, commune, more ? "," : "", more ? more : "");
}

static void expect_post(const char *token, char *body, long status, const char *code,
                        const char *field)
{
	struct ts_resp r = ts_req(W.h, "POST", "/api/v1/citizens", token, body);
	if (r.status != status)
		fail_msg("%s: %ld %s", body, r.status, r.body);
	ts_expect(r, status, code, field);
	free(body);
}

static long long create(const char *token, char *body, json_t **out)
{
	json_t *j = post("/api/v1/citizens", token, body, 201);
	long long id = num(j, "citizen", "id");
	free(body);
	if (out)
		*out = j;
	else
		json_decref(j);
	return id;
}

/* ---- tests ----------------------------------------------------------------- */

static long long an_id, hoa_id;
static char *an_token;

static void test_create(void **state)
{
	json_t *j;
	(void)state;

	an_id = create(W.admin,
	               person("001 090 123 456", "  Nguyễn   Văn An ", "1990-05-17", "male",
	                      "00001", "\"phone\":\"0912 345 678\",\"address\":\"12 Phó Đức Chính\""),
	               &j);
	assert_true(an_id > 0);
	assert_true(an_id < (1LL << 53));
	assert_string_equal(str(j, "citizen.id_type"), "cccd");
	assert_string_equal(str(j, "citizen.id_number"), "001090123456");
	assert_string_equal(str(j, "citizen.full_name"), "Nguyễn Văn An");
	assert_string_equal(str(j, "citizen.family_name"), "Nguyễn");
	assert_string_equal(str(j, "citizen.given_name"), "Văn An");
	assert_string_equal(str(j, "citizen.phone"), "+84912345678");
	assert_string_equal(str(j, "citizen.nationality"), "VN");
	assert_string_equal(str(j, "citizen.source"), "staff");
	assert_int_equal(json_array_size(json_object_get(json_object_get(j, "citizen"), "flags")), 0);
	assert_non_null(str(j, "qr_token"));
	an_token = strdup(str(j, "qr_token"));
	/* the token is opaque: it is not the ID number */
	assert_null(strstr(an_token, "001090123456"));
	json_decref(j);

	/* compound family name, year-only birth date, a woman born 1985 */
	hoa_id = create(W.hanoi,
	                person("001185000777", "Tôn Nữ Thị Hoa", "1985", "female", "00037", NULL),
	                &j);
	assert_string_equal(str(j, "citizen.family_name"), "Tôn Nữ");
	assert_string_equal(str(j, "citizen.given_name"), "Thị Hoa");
	assert_string_equal(str(j, "citizen.birth_date"), "1985");
	json_decref(j);

	/* the same document again: 409 with the existing id */
	struct ts_resp r = ts_req(W.h, "POST", "/api/v1/citizens", W.admin,
	                          "{\"id_number\":\"001090123456\",\"full_name\":\"Nguyen Van B\","
	                          "\"birth_date\":\"1990\",\"gender\":\"male\","
	                          "\"commune_code\":\"00001\"}");
	assert_int_equal(r.status, 409);
	assert_string_equal(ts_err_code(&r), "conflict");
	assert_string_equal(ts_err_field(&r), "id_number");
	assert_int_equal(json_integer_value(json_object_get(json_object_get(r.json, "error"),
	                                                    "existing_id")),
	                 an_id);
	ts_resp_free(&r);
}

static void test_identity_rules(void **state)
{
	(void)state;
	const char *A = W.admin;
	expect_post(A, ts_fmt("{\"birth_date\":\"1990\",\"gender\":\"male\",\"commune_code\":\"00001\"}"),
	            400, "missing_field", "full_name");
	/* 003 is no province */
	expect_post(A, person("003090123456", "Lê Văn C", "1990", "male", "00001", NULL), 400,
	            "invalid_field", "id_number");
	/* digits 5-6 must be the birth year */
	expect_post(A, person("001091123456", "Lê Văn C", "1990", "male", "00001", NULL), 400,
	            "invalid_field", NULL);
	/* the 4th digit says female */
	expect_post(A, person("001190123456", "Lê Văn C", "1990", "male", "00001", NULL), 400,
	            "invalid_field", NULL);
	expect_post(A, person("00109012345", "Lê Văn C", "1990", "male", "00001",
	                      "\"id_type\":\"cccd\""),
	            400, "invalid_field", "id_number");
	expect_post(A, person("001090123457", "Lê Văn C", "1990-02-30", "male", "00001", NULL),
	            400, "invalid_field", "birth_date");
	expect_post(A, person("001090123457", "Lê Văn C", "17/05/1990", "male", "00001", NULL),
	            400, "invalid_field", "birth_date");
	expect_post(A, person("001290123457", "Lê Văn C", "2090", "male", "00001", NULL), 400,
	            "invalid_field", "birth_date");
	expect_post(A, person("001090123457", "Lê Văn C", "1990", "x", "00001", NULL), 400,
	            "invalid_field", "gender");
	expect_post(A, person("001090123457", "Lê Văn 3", "1990", "male", "00001", NULL), 400,
	            "invalid_field", "full_name");
	expect_post(A, person("001090123457", "Lê Văn C", "1990", "male", "00001",
	                      "\"phone\":\"0212345678\""),
	            400, "invalid_field", "phone");
	expect_post(A, person("001090123457", "Lê Văn C", "1990", "male", "01", NULL), 400,
	            "invalid_field", "commune_code");
	expect_post(A, person("001090123457", "Lê Văn C", "1990", "male", "99999", NULL), 400,
	            "invalid_field", "commune_code");
	expect_post(A, person("001090123457", "Lê Văn C", "1990", "male", "00001",
	                      "\"priority_group\":17"),
	            400, "invalid_field", "priority_group");
	expect_post(A, person("001090123457", "Lê Văn C", "1990", "male", "00001",
	                      "\"nationality\":\"VNM\""),
	            400, "invalid_field", "nationality");
	expect_post(A, person("B1234567", "John Smith", "1980", "male", "00001",
	                      "\"id_type\":\"passport\""),
	            400, "invalid_field", "nationality");
	expect_post(A, person("001090123457", "Lê Văn C", "1990", "male", "00001",
	                      "\"id_type\":\"card\""),
	            400, "invalid_field", "id_type");
	/* an adult without a document is refused, a child is stored and flagged */
	expect_post(A, ts_fmt("{\"full_name\":\"Lê Văn D\",\"birth_date\":\"1990\","
	                      "\"gender\":\"male\",\"commune_code\":\"00001\"}"),
	            400, "missing_field", "id_number");
	expect_post(A, ts_fmt("{\"full_name\":\"Lê Văn D\",\"birth_date\":\"1990\","
	                      "\"gender\":\"male\",\"commune_code\":\"00001\",\"guardian_id\":5}"),
	            400, "missing_field", "id_number");
	expect_post(A, person("001090123457", "Lê Văn C", "1990", "male", "00001",
	                      "\"unknown\":1"),
	            400, "unknown_field", "unknown");

	json_t *j;
	long long kid = create(A, ts_fmt("{\"full_name\":\"Nguyễn Minh Khang\","
	                                 "\"birth_date\":\"2024-03\",\"gender\":\"male\","
	                                 "\"commune_code\":\"00001\"}"),
	                       &j);
	json_t *flags = json_object_get(json_object_get(j, "citizen"), "flags");
	assert_string_equal(str(j, "citizen.id_type"), "none");
	assert_int_equal(json_array_size(flags), 2);
	assert_string_equal(json_string_value(json_array_get(flags, 0)), "no_document");
	assert_string_equal(json_string_value(json_array_get(flags, 1)), "minor_without_guardian");
	json_decref(j);
	assert_true(kid > 0);

	/* a child with a guardian; the guardian must exist and be an adult */
	char *more = ts_fmt("\"guardian_id\":%lld", an_id);
	create(A, person("001324000321", "Nguyễn Thị Mai", "2024-01-05", "female", "00001", more),
	       &j);
	assert_int_equal(json_array_size(json_object_get(json_object_get(j, "citizen"), "flags")), 0);
	json_decref(j);
	free(more);
	more = ts_fmt("\"guardian_id\":%lld", kid);
	expect_post(A, person("001324000322", "Nguyễn Thị Lan", "2024-01-05", "female", "00001", more),
	            400, "invalid_field", "guardian_id");
	free(more);
	expect_post(A, person("001324000322", "Nguyễn Thị Lan", "2024-01-05", "female", "00001",
	                      "\"guardian_id\":12345"),
	            400, "invalid_field", "guardian_id");

	/* a birth registered abroad (code above 096): accepted and flagged */
	create(A, person("840195000123", "Trần Thị Bích", "1995", "female", "00001", NULL), &j);
	assert_string_equal(json_string_value(json_array_get(
	                            json_object_get(json_object_get(j, "citizen"), "flags"), 0)),
	                    "born_abroad");
	json_decref(j);
	/* a foreigner with a passport */
	create(A, person("c1234567", "John Smith", "1980-07", "male", "00001",
	                 "\"id_type\":\"passport\",\"nationality\":\"US\""),
	       &j);
	assert_string_equal(str(j, "citizen.id_number"), "C1234567");
	json_decref(j);
}

static void test_jurisdiction(void **state)
{
	(void)state;
	/* Ba Đình's centre registers people of Ba Đình, not of Hoàn Kiếm */
	expect_post(W.badinh, person("001090555001", "Phạm Văn E", "1990", "male", "00037", NULL),
	            403, "out_of_jurisdiction", "commune_code");
	/* a site takes whoever comes, from anywhere */
	long long walkin = create(W.staff, person("079090555002", "Võ Văn F", "1990", "male",
	                                          "26734", NULL),
	                          NULL);
	/* the viewer reads no personal records; a site reads no records by id */
	char *path = ts_fmt("/api/v1/citizens/%lld", walkin);
	json_decref(get(path, W.viewer, 403));
	json_decref(get(path, W.staff, 403));
	json_decref(get(path, W.hanoi, 403));
	json_t *j = get(path, W.admin, 200);
	assert_string_equal(str(j, "citizen.full_name"), "Võ Văn F");
	json_decref(j);
	free(path);
	path = ts_fmt("/api/v1/citizens/%lld", hoa_id);
	json_decref(get(path, W.badinh, 403));
	json_decref(get(path, W.hanoi, 200));
	free(path);

	/* every read of a record is in the audit log */
	path = ts_fmt("/api/v1/audit?entity=citizen&id=%lld", walkin);
	j = get(path, W.admin, 200);
	json_t *entries = json_object_get(j, "entries");
	int reads = 0, creates = 0;
	for (size_t i = 0; i < json_array_size(entries); i++) {
		const char *action = json_string_value(
		        json_object_get(json_array_get(entries, i), "action"));
		reads += strcmp(action, "read") == 0;
		creates += strcmp(action, "create") == 0;
	}
	assert_int_equal(creates, 1);
	assert_int_equal(reads, 1);
	json_decref(j);
	free(path);
}

static int count(json_t *j)
{
	return (int)json_array_size(json_object_get(j, "citizens"));
}

static void test_search(void **state)
{
	(void)state;
	create(W.admin, person("001190000888", "Đặng Thị Hằng", "1990-01-02", "female", "00001",
	                       NULL),
	       NULL);
	json_t *j = get("/api/v1/citizens?q=nguyen%20%20VAN%20an", W.admin, 200);
	assert_int_equal(count(j), 1);
	assert_string_equal(json_string_value(json_object_get(
	                            json_array_get(json_object_get(j, "citizens"), 0), "full_name")),
	                    "Nguyễn Văn An");
	json_decref(j);
	j = get("/api/v1/citizens?q=dang", W.admin, 200);
	assert_int_equal(count(j), 1);
	json_decref(j);
	/* a given name finds the person too */
	j = get("/api/v1/citizens?q=hang", W.admin, 200);
	assert_int_equal(count(j), 1);
	json_decref(j);
	/* Hoàn Kiếm's Hoa is not in Ba Đình */
	j = get("/api/v1/citizens?q=ton%20nu", W.badinh, 200);
	assert_int_equal(count(j), 0);
	json_decref(j);
	j = get("/api/v1/citizens?q=ton%20nu", W.hanoi, 200);
	assert_int_equal(count(j), 1);
	json_decref(j);
	json_decref(get("/api/v1/citizens?unit=79", W.badinh, 403));
	json_decref(get("/api/v1/citizens?limit=0", W.admin, 400));
}

static void test_patch(void **state)
{
	(void)state;
	char *path = ts_fmt("/api/v1/citizens/%lld", an_id);
	struct ts_resp r = ts_req(W.h, "PATCH", path, W.officer,
	                          "{\"version\":1,\"phone\":\"+84 987 654 321\"}");
	assert_int_equal(r.status, 200);
	assert_string_equal(str(r.json, "citizen.phone"), "+84987654321");
	assert_int_equal(num(r.json, "citizen", "version"), 2);
	assert_string_equal(str(r.json, "citizen.full_name"), "Nguyễn Văn An");
	ts_resp_free(&r);
	/* a stale version */
	ts_expect(ts_req(W.h, "PATCH", path, W.officer, "{\"version\":1,\"address\":\"x\"}"),
	          409, "conflict", "version");
	/* somebody else's document number */
	r = ts_req(W.h, "PATCH", path, W.admin, "{\"version\":2,\"id_number\":\"001190000888\","
	                                         "\"gender\":\"female\"}");
	assert_int_equal(r.status, 409);
	assert_true(json_integer_value(json_object_get(json_object_get(r.json, "error"),
	                                               "existing_id")) > 0);
	ts_resp_free(&r);
	/* bad data is refused as on create */
	ts_expect(ts_req(W.h, "PATCH", path, W.admin, "{\"version\":2,\"birth_date\":\"1991\"}"),
	          400, "invalid_field", NULL);
	/* a new full name splits again */
	r = ts_req(W.h, "PATCH", path, W.admin, "{\"version\":2,\"full_name\":\"Âu Dương Phong\"}");
	assert_int_equal(r.status, 200);
	assert_string_equal(str(r.json, "citizen.family_name"), "Âu Dương");
	assert_string_equal(str(r.json, "citizen.given_name"), "Phong");
	ts_resp_free(&r);
	/* a guardian must be another adult on file */
	ts_expect(ts_req(W.h, "PATCH", path, W.admin, "{\"version\":3,\"guardian_id\":12345}"),
	          400, "invalid_field", "guardian_id");
	char *self = ts_fmt("{\"version\":3,\"guardian_id\":%lld}", an_id);
	ts_expect(ts_req(W.h, "PATCH", path, W.admin, self), 400, "invalid_field", "guardian_id");
	free(self);
	/* a site cannot edit records; the commune officer only in its commune */
	ts_expect(ts_req(W.h, "PATCH", path, W.staff, "{\"version\":3}"), 403, "forbidden", NULL);
	free(path);
	path = ts_fmt("/api/v1/citizens/%lld", hoa_id);
	ts_expect(ts_req(W.h, "PATCH", path, W.officer, "{\"version\":1}"), 403,
	          "out_of_jurisdiction", NULL);
	free(path);
}

static json_t *checkin(const char *text, long want)
{
	json_t *body = json_pack("{ss}", "qr", text);
	char *s = json_dumps(body, 0);
	json_t *j = post("/api/v1/checkin", W.staff, s, want);
	free(s);
	json_decref(body);
	return j;
}

static void test_qr_and_checkin(void **state)
{
	(void)state;
	char *path = ts_fmt("/api/v1/citizens/%lld/qr.svg", an_id);
	struct ts_resp r = ts_req(W.h, "GET", path, W.admin, NULL);
	assert_int_equal(r.status, 200);
	assert_non_null(strstr(r.headers, "image/svg+xml"));
	assert_memory_equal(r.body, "<svg", 4);
	ts_resp_free(&r);
	free(path);
	path = ts_fmt("/api/v1/citizens/%lld/qr.png", an_id);
	r = ts_req(W.h, "GET", path, W.admin, NULL);
	assert_int_equal(r.status, 200);
	assert_memory_equal(r.body, "\x89PNG\r\n\x1a\n", 8);
	ts_resp_free(&r);
	free(path);

	/* by personal QR */
	json_t *j = checkin(an_token, 200);
	assert_true(json_is_true(json_object_get(j, "found")));
	assert_string_equal(str(j, "matched_by"), "personal_qr");
	assert_int_equal(num(j, "citizen", "id"), an_id);
	json_decref(j);
	/* by a typed number, with spaces */
	j = checkin(" 001 090 123 456 ", 200);
	assert_string_equal(str(j, "matched_by"), "id_number");
	assert_int_equal(num(j, "citizen", "id"), an_id);
	json_decref(j);
	/* by the card's QR: the record was renamed above, so the card differs */
	j = checkin("001090123456|012345678|Nguyễn Văn An|17051990|Nam|12 Phó Đức Chính, "
	            "Phúc Xá, Ba Đình, Hà Nội|01072021",
	            200);
	assert_string_equal(str(j, "matched_by"), "cccd_card");
	assert_int_equal(num(j, "citizen", "id"), an_id);
	assert_string_equal(json_string_value(json_array_get(json_object_get(j, "differences"), 0)),
	                    "full_name");
	json_decref(j);
	/* a card of someone not on file: the parsed fields, to register in one step */
	j = checkin("001195009999||Lý Thị Cúc|02031995|Nữ|Hà Nội|05062021", 200);
	assert_true(json_is_false(json_object_get(j, "found")));
	assert_string_equal(str(j, "card.id_number"), "001195009999");
	assert_string_equal(str(j, "card.full_name"), "Lý Thị Cúc");
	assert_string_equal(str(j, "card.birth_date"), "1995-03-02");
	assert_string_equal(str(j, "card.gender"), "female");
	json_decref(j);
	j = checkin("079090999999", 200);
	assert_true(json_is_false(json_object_get(j, "found")));
	json_decref(j);
	json_decref(checkin("hello there", 400));
	json_decref(checkin("001090123456|", 400));
	json_decref(checkin("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", 404));
	json_decref(post("/api/v1/checkin", W.viewer, "{\"qr\":\"001090123456\"}", 403));

	/* rotating the token: the old one stops working */
	path = ts_fmt("/api/v1/citizens/%lld/qr/rotate", an_id);
	j = post(path, W.officer, "{}", 200);
	char *fresh = strdup(str(j, "qr_token"));
	json_decref(j);
	free(path);
	assert_string_not_equal(fresh, an_token);
	json_decref(checkin(an_token, 404));
	j = checkin(fresh, 200);
	assert_int_equal(num(j, "citizen", "id"), an_id);
	json_decref(j);
	free(fresh);
}

static void test_duplicates(void **state)
{
	(void)state;
	json_t *j;
	create(W.admin, person("001088777001", "Hoàng Văn Tú", "1988-08-08", "male", "00001",
	                       "\"phone\":\"0988000111\""),
	       &j);
	assert_true(json_is_false(json_object_get(j, "possible_duplicates")));
	json_decref(j);
	/* the same name, birth date and phone with another document */
	create(W.admin, person("001088777002", "HOÀNG  văn tú", "1988-08-08", "male", "00004",
	                       "\"phone\":\"+84988000111\""),
	       &j);
	assert_true(json_is_true(json_object_get(j, "possible_duplicates")));
	json_decref(j);
	j = get("/api/v1/citizens/duplicates", W.badinh, 200);
	json_t *d = json_object_get(j, "duplicates");
	assert_true(json_array_size(d) >= 1);
	assert_string_equal(json_string_value(json_object_get(json_array_get(d, 0), "reason")),
	                    "same_phone");
	json_decref(j);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_create),
		cmocka_unit_test(test_identity_rules),
		cmocka_unit_test(test_jurisdiction),
		cmocka_unit_test(test_search),
		cmocka_unit_test(test_patch),
		cmocka_unit_test(test_qr_and_checkin),
		cmocka_unit_test(test_duplicates),
	};
	int rc = cmocka_run_group_tests_name(ts_is_pg() ? "citizens (postgresql)"
	                                                : "citizens (sqlite)",
	                                     tests, group_setup, group_teardown);
	free(an_token);
	return rc;
}
