/* The HTTP API against a real `tiemchung serve` on a free loopback port,
 * on the backend named by $TC_TEST_BACKEND. Every answer's status, error
 * code and field is checked, and so is what was stored. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "tsupport.h"

struct world {
	char *db;
	struct ts_server srv;
	struct ts_http *h;
	char *admin, *hanoi, *badinh, *manager, *staff, *viewer;
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
	W.manager = ts_login(W.h, "phucxa.manager", TS_DEMO_PASSWORD);
	W.staff = ts_login(W.h, "phucxa.staff", TS_DEMO_PASSWORD);
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
	free(W.manager);
	free(W.staff);
	free(W.viewer);
	return st == 0 ? 0 : -1;
}

static json_t *get_json(const char *path, const char *token, long want)
{
	struct ts_resp r = ts_req(W.h, "GET", path, token, NULL);
	if (r.status != want)
		fail_msg("GET %s: %ld %s", path, r.status, r.body);
	json_t *j = json_incref(r.json);
	ts_resp_free(&r);
	return j;
}

/* Facility id by name, as the admin sees it. */
static long long facility_count(const char *unit)
{
	char *path = ts_fmt("/api/v1/facilities?unit=%s&limit=1000", unit);
	json_t *j = get_json(path, W.admin, 200);
	long long n = (long long)json_array_size(json_object_get(j, "facilities"));
	json_decref(j);
	free(path);
	return n;
}

/* ---- plumbing ------------------------------------------------------------ */

/* The value of a sample in Prometheus text (the whole name, labels and
 * all); fails the test when it is missing. */
static unsigned long long metric(const char *body, const char *name)
{
	size_t n = strlen(name);
	for (const char *p = body; (p = strstr(p, name)) != NULL; p += n)
		if ((p == body || p[-1] == '\n') && p[n] == ' ')
			return strtoull(p + n + 1, NULL, 10);
	fail_msg("no %s in /metrics", name);
	return 0;
}

static void test_health_and_metrics(void **state)
{
	(void)state;
	json_t *j = get_json("/healthz", NULL, 200);
	assert_string_equal(json_string_value(json_object_get(j, "status")), "ok");
	assert_string_equal(json_string_value(json_object_get(j, "database")),
	                    ts_is_pg() ? "postgresql" : "sqlite");
	json_decref(j);
	struct ts_resp r = ts_req(W.h, "GET", "/metrics", NULL, NULL);
	assert_int_equal(r.status, 200);
	assert_non_null(strstr(r.body, "tiemchung_http_requests_total{route=\"POST /api/v1/auth/login\",status=\"200\"}"));
	assert_non_null(strstr(r.body, "tiemchung_http_request_duration_seconds_bucket"));
	assert_non_null(strstr(r.body, "tiemchung_db_commit_batch_size_count"));
	assert_non_null(strstr(r.body, "tiemchung_http_resume_wait_max_seconds"));
	assert_non_null(strstr(r.body, "tiemchung_http_resume_wait_seconds_count"));
	/* the logins before were write jobs: each went through all three phases */
	static const char *const phases[] = { "queue", "batch", "sync" };
	for (size_t i = 0; i < sizeof(phases) / sizeof(phases[0]); i++) {
		char name[96];
		snprintf(name, sizeof(name),
		         "tiemchung_db_write_phase_seconds_count{phase=\"%s\"}",
		         phases[i]);
		assert_true(metric(r.body, name) > 0);
	}
	/* on SQLite every commit answered was made durable one of three ways */
	unsigned long long commits = metric(r.body, "tiemchung_db_commits_total");
	unsigned long long synced =
	        metric(r.body, "tiemchung_db_commit_syncs_total{how=\"completer\"}") +
	        metric(r.body, "tiemchung_db_commit_syncs_total{how=\"shared\"}") +
	        metric(r.body, "tiemchung_db_commit_syncs_total{how=\"in_commit\"}");
	if (!ts_is_pg()) {
		assert_true(commits > 0);
		assert_true(synced > 0 && synced <= commits);
	}
	ts_resp_free(&r);
}

static void test_keep_alive(void **state)
{
	(void)state;
	struct ts_http *h = ts_http_new(&W.srv);
	for (int i = 0; i < 60; i++) {
		if (i % 3 == 0) {
			char *body = ts_fmt("{\"kind\":\"vaccination_site\",\"name\":\"Keepalive %d-%u\","
			                    "\"unit\":\"00004\",\"daily_capacity\":50}", i, ts_rand());
			ts_expect(ts_req(h, "POST", "/api/v1/facilities", W.admin, body), 201, NULL, NULL);
			free(body);
		} else if (i % 3 == 1) {
			ts_expect(ts_req(h, "GET", "/api/v1/units?parent=01", W.admin, NULL), 200, NULL, NULL);
		} else {
			ts_expect(ts_req(h, "GET", "/api/v1/nothing", W.admin, NULL), 404, "no_such_route", NULL);
		}
	}
	assert_int_equal(ts_http_connects(h), 1); /* one connection served all 60 */
	ts_http_free(h);
}

static void test_errors_are_json(void **state)
{
	(void)state;
	ts_expect(ts_req(W.h, "GET", "/api/v1/nothing", NULL, NULL), 404, "no_such_route", NULL);
	struct ts_resp r = ts_req(W.h, "DELETE", "/api/v1/units", W.admin, NULL);
	assert_int_equal(r.status, 405);
	assert_string_equal(ts_err_code(&r), "method_not_allowed");
	assert_non_null(strstr(r.headers, "Allow: GET"));
	ts_resp_free(&r);
	ts_expect(ts_req(W.h, "GET", "/api/v1/facilities/abc", W.admin, NULL), 400,
	          "invalid_parameter", "id");
	ts_expect(ts_req(W.h, "GET", "/api/v1/facilities/999999", W.admin, NULL), 404,
	          "not_found", NULL);
	ts_expect(ts_req(W.h, "GET", "/api/v1/facilities?limit=0", W.admin, NULL), 400,
	          "invalid_parameter", "limit");
	ts_expect(ts_req(W.h, "GET", "/api/v1/facilities?kind=hospital", W.admin, NULL), 400,
	          "invalid_parameter", "kind");
	/* parameters that are not text never reach the database */
	ts_expect(ts_req(W.h, "GET", "/api/v1/units?parent=%FF%FE", W.admin, NULL), 400,
	          "invalid_parameter", "parent");
	ts_expect(ts_req(W.h, "GET", "/api/v1/units/%C3%28", W.admin, NULL), 400,
	          "invalid_parameter", "path");
	ts_expect(ts_req(W.h, "GET", "/api/v1/units?parent=%0A01", W.admin, NULL), 400,
	          "invalid_parameter", "parent");
}

static void test_bad_bodies(void **state)
{
	(void)state;
	const char *p = "/api/v1/facilities";
	long long before = facility_count("VN");
	ts_expect(ts_req(W.h, "POST", p, W.admin, "{\"kind\":"), 400, "malformed_json", NULL);
	ts_expect(ts_req(W.h, "POST", p, W.admin, ""), 400, "malformed_json", NULL);
	ts_expect(ts_req(W.h, "POST", p, W.admin, "[]"), 400, "not_an_object", NULL);
	ts_expect(ts_req(W.h, "POST", p, W.admin, "{\"name\":\"X site\",\"unit\":\"00001\"}"),
	          400, "missing_field", "kind");
	ts_expect(ts_req(W.h, "POST", p, W.admin,
	                 "{\"kind\":\"vaccination_site\",\"name\":7,\"unit\":\"00001\"}"),
	          400, "wrong_type", "name");
	ts_expect(ts_req(W.h, "POST", p, W.admin,
	                 "{\"kind\":\"vaccination_site\",\"name\":\"XY site\",\"unit\":\"00001\","
	                 "\"daily_capacity\":10,\"colour\":\"red\"}"),
	          400, "unknown_field", "colour");
	ts_expect(ts_req(W.h, "POST", p, W.admin,
	                 "{\"kind\":\"vaccination_site\",\"name\":\"Y site\",\"unit\":\"00001\","
	                 "\"daily_capacity\":-1}"),
	          400, "invalid_field", "daily_capacity");
	ts_expect(ts_req_ct(W.h, "POST", p, W.admin, "text/plain", "{}", 2, NULL), 415,
	          "unsupported_media_type", NULL);
	/* too large: declared, and streamed without a length */
	size_t big = 200 * 1024;
	char *huge = malloc(big + 1);
	memset(huge, ' ', big);
	huge[big] = '\0';
	huge[0] = '{';
	huge[big - 1] = '}';
	struct ts_http *h = ts_http_new(&W.srv);
	ts_expect(ts_req_ct(h, "POST", p, W.admin, NULL, huge, big, NULL), 413, "body_too_large", NULL);
	/* the body was read and dropped: the connection lives on */
	ts_expect(ts_req(h, "GET", "/healthz", NULL, NULL), 200, NULL, NULL);
	assert_int_equal(ts_http_connects(h), 1);
	ts_http_free(h);
	h = ts_http_new(&W.srv);
	ts_expect(ts_req_ct(h, "POST", p, W.admin, NULL, huge, big, "Expect: 100-continue"), 413,
	          "body_too_large", NULL);
	ts_http_free(h);
	h = ts_http_new(&W.srv);
	ts_expect(ts_req_ct(h, "POST", p, W.admin, NULL, huge, big, "Transfer-Encoding: chunked"),
	          413, "body_too_large", NULL);
	ts_http_free(h);
	free(huge);
	/* nothing was written by any of them */
	assert_int_equal(facility_count("VN"), before);
}

static void test_page_headers(void **state)
{
	(void)state;
	struct ts_resp r = ts_req(W.h, "GET", "/", NULL, NULL);
	assert_int_equal(r.status, 200);
	assert_non_null(strstr(r.headers, "Content-Security-Policy: default-src 'self'"));
	assert_non_null(strstr(r.headers, "X-Frame-Options: DENY"));
	assert_non_null(strstr(r.headers, "X-Content-Type-Options: nosniff"));
	assert_non_null(strstr(r.headers, "Referrer-Policy: no-referrer"));
	assert_non_null(strstr(r.headers, "text/html"));
	ts_resp_free(&r);
	r = ts_req(W.h, "GET", "/api/v1/units", W.admin, NULL);
	assert_non_null(strstr(r.headers, "Cache-Control: no-store"));
	assert_non_null(strstr(r.headers, "application/json"));
	ts_resp_free(&r);
	ts_expect(ts_req(W.h, "GET", "/../Makefile", NULL, NULL), 404, NULL, NULL);
	ts_expect(ts_req(W.h, "GET", "/%2e%2e/Makefile", NULL, NULL), 404, NULL, NULL);
	ts_expect(ts_req(W.h, "GET", "/.git/config", NULL, NULL), 404, NULL, NULL);
	ts_expect(ts_req(W.h, "GET", "/index.html/x", NULL, NULL), 404, NULL, NULL);
	ts_expect(ts_req(W.h, "POST", "/index.html", NULL, "{}"), 405, NULL, NULL);
}

/* ---- authentication ------------------------------------------------------ */

static void test_login(void **state)
{
	(void)state;
	const char *p = "/api/v1/auth/login";
	ts_expect(ts_req(W.h, "POST", p, NULL, "{\"username\":\"viewer\",\"password\":\"wrong password\"}"),
	          401, "invalid_credentials", NULL);
	ts_expect(ts_req(W.h, "POST", p, NULL, "{\"username\":\"nobody.here\",\"password\":\"x\"}"),
	          401, "invalid_credentials", NULL);
	ts_expect(ts_req(W.h, "POST", p, NULL, "{\"username\":\"viewer\"}"), 400, "missing_field",
	          "password");
	ts_expect(ts_req(W.h, "POST", p, NULL, "{\"username\":1,\"password\":\"x\"}"), 400,
	          "wrong_type", "username");
	struct ts_resp r = ts_req(W.h, "POST", p, NULL,
	                          "{\"username\":\"viewer\",\"password\":\"" TS_DEMO_PASSWORD "\"}");
	assert_int_equal(r.status, 200);
	const char *tok = json_string_value(json_object_get(r.json, "token"));
	assert_int_equal(strlen(tok), 43);
	assert_string_equal(json_string_value(json_object_get(json_object_get(r.json, "user"), "role")),
	                    "viewer");
	assert_null(json_object_get(json_object_get(r.json, "user"), "password_hash"));
	ts_resp_free(&r);
}

static void test_tokens(void **state)
{
	(void)state;
	ts_expect(ts_req(W.h, "GET", "/api/v1/me", NULL, NULL), 401, "unauthenticated", NULL);
	ts_expect(ts_req(W.h, "GET", "/api/v1/me", "not-a-token", NULL), 401, "unauthenticated", NULL);
	ts_expect(ts_req(W.h, "GET", "/api/v1/me", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", NULL),
	          401, "unauthenticated", NULL);
	json_t *me = get_json("/api/v1/me", W.hanoi, 200);
	json_t *u = json_object_get(me, "user");
	assert_string_equal(json_string_value(json_object_get(u, "role")), "province_health");
	assert_string_equal(json_string_value(json_object_get(u, "scope")), "VN/01");
	assert_string_equal(json_string_value(json_object_get(u, "jurisdiction_name")),
	                    "Thành phố Hà Nội");
	assert_int_equal(json_integer_value(json_object_get(json_object_get(me, "session"),
	                                                    "idle_seconds")), 1800);
	json_decref(me);
	me = get_json("/api/v1/me", W.staff, 200); /* site tablets idle out sooner */
	assert_int_equal(json_integer_value(json_object_get(json_object_get(me, "session"),
	                                                    "idle_seconds")), 600);
	json_decref(me);
	/* logout ends exactly that session */
	char *t = ts_login(W.h, "viewer", TS_DEMO_PASSWORD);
	ts_expect(ts_req(W.h, "POST", "/api/v1/auth/logout", t, NULL), 200, NULL, NULL);
	ts_expect(ts_req(W.h, "GET", "/api/v1/me", t, NULL), 401, "unauthenticated", NULL);
	ts_expect(ts_req(W.h, "GET", "/api/v1/me", W.viewer, NULL), 200, NULL, NULL);
	free(t);
}

static void test_roles_on_routes(void **state)
{
	(void)state;
	ts_expect(ts_req(W.h, "GET", "/api/v1/users", W.staff, NULL), 403, "forbidden", NULL);
	ts_expect(ts_req(W.h, "GET", "/api/v1/users", W.viewer, NULL), 403, "forbidden", NULL);
	ts_expect(ts_req(W.h, "GET", "/api/v1/audit", W.viewer, NULL), 403, "forbidden", NULL);
	ts_expect(ts_req(W.h, "POST", "/api/v1/facilities", W.staff,
	                 "{\"kind\":\"vaccination_site\",\"name\":\"Z\",\"unit\":\"00001\"}"),
	          403, "forbidden", NULL);
	ts_expect(ts_req(W.h, "GET", "/api/v1/units", W.staff, NULL), 200, NULL, NULL);
}

/* ---- units ---------------------------------------------------------------- */

static void test_units(void **state)
{
	(void)state;
	json_t *j = get_json("/api/v1/units?parent=VN", W.viewer, 200);
	json_t *units = json_object_get(j, "units");
	assert_int_equal(json_array_size(units), 63);
	assert_string_equal(json_string_value(json_object_get(json_array_get(units, 0), "name")),
	                    "Hà Nội");
	assert_int_equal(json_integer_value(json_object_get(json_array_get(units, 0), "population")),
	                 8246600);
	json_decref(j);
	j = get_json("/api/v1/units?parent=01", W.staff, 200);
	units = json_object_get(j, "units");
	assert_int_equal(json_array_size(units), 30);
	assert_string_equal(json_string_value(json_object_get(json_array_get(units, 0), "name_with_type")),
	                    "Quận Ba Đình");
	json_decref(j);
	j = get_json("/api/v1/units?parent=001", W.staff, 200);
	assert_int_equal(json_array_size(json_object_get(j, "units")), 14);
	json_decref(j);
	j = get_json("/api/v1/units", W.staff, 200); /* default: the country */
	assert_int_equal(json_array_size(json_object_get(j, "units")), 63);
	json_decref(j);
	j = get_json("/api/v1/units/00001", W.staff, 200);
	assert_string_equal(json_string_value(json_object_get(json_object_get(j, "unit"), "path")),
	                    "VN/01/001/00001");
	json_decref(j);
	ts_expect(ts_req(W.h, "GET", "/api/v1/units?parent=99", W.staff, NULL), 400,
	          "invalid_parameter", "parent");
	ts_expect(ts_req(W.h, "GET", "/api/v1/units/999999", W.staff, NULL), 404, "not_found", NULL);
	ts_expect(ts_req(W.h, "GET", "/api/v1/units", NULL, NULL), 401, "unauthenticated", NULL);
}

/* ---- facilities ----------------------------------------------------------- */

static long long create_facility(const char *token, const char *kind, const char *unit,
                                 long want, const char *code, const char *field)
{
	char *body = ts_fmt("{\"kind\":\"%s\",\"name\":\"Cơ sở %s %u\",\"unit\":\"%s\","
	                    "\"daily_capacity\":100}", kind, unit, ts_rand(), unit);
	struct ts_resp r = ts_req(W.h, "POST", "/api/v1/facilities", token, body);
	long long id = 0;
	free(body);
	if (r.status == 201)
		id = json_integer_value(json_object_get(json_object_get(r.json, "facility"), "id"));
	ts_expect_at(r, want, code, field, __FILE__, __LINE__);
	return id;
}

static void test_facilities(void **state)
{
	(void)state;
	const char *p = "/api/v1/facilities";
	char *body = ts_fmt("{\"kind\":\"vaccination_site\",\"name\":\"Điểm tiêm THCS %u\","
	                    "\"unit\":\"00004\",\"address\":\"Trúc Bạch\",\"daily_capacity\":400}",
	                    ts_rand());
	struct ts_resp r = ts_req(W.h, "POST", p, W.badinh, body);
	assert_int_equal(r.status, 201);
	json_t *fac = json_object_get(r.json, "facility");
	long long id = json_integer_value(json_object_get(fac, "id"));
	char *scope = ts_fmt("VN/01/001/00004/F%lld", id);
	assert_string_equal(json_string_value(json_object_get(fac, "scope")), scope);
	assert_int_equal(json_integer_value(json_object_get(fac, "daily_capacity")), 400);
	ts_resp_free(&r);
	/* the same name in the same unit is refused, nothing else is written */
	long long before = facility_count("00004");
	ts_expect(ts_req(W.h, "POST", p, W.badinh, body), 409, "conflict", "name");
	assert_int_equal(facility_count("00004"), before);
	free(body);
	/* it reads back */
	char *path = ts_fmt("/api/v1/facilities/%lld", id);
	json_t *j = get_json(path, W.badinh, 200);
	assert_string_equal(json_string_value(json_object_get(json_object_get(j, "facility"), "address")),
	                    "Trúc Bạch");
	json_decref(j);
	/* ...but not from another district's or a site's point of view */
	ts_expect(ts_req(W.h, "GET", path, W.manager, NULL), 403, "out_of_jurisdiction", NULL);
	free(path);
	free(scope);

	/* who may create what, where */
	create_facility(W.badinh, "vaccination_site", "001", 201, NULL, NULL);
	create_facility(W.badinh, "vaccination_site", "002", 403, "out_of_jurisdiction", "unit");
	create_facility(W.badinh, "vaccination_site", "00037", 403, "out_of_jurisdiction", "unit");
	create_facility(W.badinh, "district_centre", "001", 403, "forbidden", "kind");
	create_facility(W.hanoi, "district_centre", "002", 201, NULL, NULL);
	create_facility(W.hanoi, "provincial_warehouse", "79", 403, "out_of_jurisdiction", "unit");
	create_facility(W.hanoi, "national_warehouse", "VN", 403, "forbidden", "kind");
	create_facility(W.admin, "vaccination_site", "01", 400, "invalid_field", "unit");
	create_facility(W.admin, "provincial_warehouse", "001", 400, "invalid_field", "unit");
	create_facility(W.admin, "hospital", "001", 400, "invalid_field", "kind");
	create_facility(W.admin, "vaccination_site", "12345678", 400, "invalid_field", "unit");
	ts_expect(ts_req(W.h, "POST", p, W.admin,
	                 "{\"kind\":\"vaccination_site\",\"name\":\"No capacity\",\"unit\":\"001\"}"),
	          400, "invalid_field", "daily_capacity");
	ts_expect(ts_req(W.h, "POST", p, W.manager,
	                 "{\"kind\":\"vaccination_site\",\"name\":\"M\",\"unit\":\"00001\","
	                 "\"daily_capacity\":1}"),
	          403, "forbidden", NULL);

	/* lists stay inside the caller's jurisdiction */
	j = get_json("/api/v1/facilities?limit=1000", W.badinh, 200);
	json_t *arr = json_object_get(j, "facilities");
	assert_true(json_array_size(arr) >= 4);
	for (size_t i = 0; i < json_array_size(arr); i++) {
		const char *s = json_string_value(json_object_get(json_array_get(arr, i), "scope"));
		assert_true(strncmp(s, "VN/01/001/", 10) == 0);
	}
	json_decref(j);
	j = get_json("/api/v1/facilities?kind=vaccination_site", W.manager, 200);
	arr = json_object_get(j, "facilities");
	assert_int_equal(json_array_size(arr), 1); /* only its own site */
	assert_string_equal(json_string_value(json_object_get(json_array_get(arr, 0), "name")),
	                    "Trạm Y tế phường Phúc Xá");
	json_decref(j);
	ts_expect(ts_req(W.h, "GET", "/api/v1/facilities?unit=002", W.badinh, NULL), 403,
	          "out_of_jurisdiction", NULL);
	ts_expect(ts_req(W.h, "GET", "/api/v1/facilities?unit=nope", W.badinh, NULL), 400,
	          "invalid_parameter", "unit");
	j = get_json("/api/v1/facilities?unit=01&kind=provincial_warehouse", W.hanoi, 200);
	assert_int_equal(json_array_size(json_object_get(j, "facilities")), 1);
	json_decref(j);
	j = get_json("/api/v1/facilities?limit=2&offset=1", W.admin, 200);
	assert_int_equal(json_array_size(json_object_get(j, "facilities")), 2);
	json_decref(j);
}

/* ---- staff accounts ------------------------------------------------------- */

static long long create_user(const char *token, const char *name, const char *role,
                             const char *where, long want, const char *code,
                             const char *field)
{
	char *body = ts_fmt("{\"username\":\"%s\",\"password\":\"mật khẩu rất dài\","
	                    "\"role\":\"%s\",%s}", name, role, where);
	struct ts_resp r = ts_req(W.h, "POST", "/api/v1/users", token, body);
	long long id = 0;
	free(body);
	if (r.status == 201)
		id = json_integer_value(json_object_get(json_object_get(r.json, "user"), "id"));
	ts_expect_at(r, want, code, field, __FILE__, __LINE__);
	return id;
}

static void test_users_create(void **state)
{
	(void)state;
	unsigned n = ts_rand();
	char name[64];

	snprintf(name, sizeof(name), "dc.hoankiem.%u", n);
	assert_true(create_user(W.hanoi, name, "district_centre", "\"unit\":\"002\"", 201, NULL, NULL) > 0);
	create_user(W.hanoi, name, "viewer", "\"unit\":\"01\"", 409, "conflict", "username");
	snprintf(name, sizeof(name), "x.%u", n);
	create_user(W.hanoi, name, "national_admin", "\"unit\":\"VN\"", 403, "forbidden", "role");
	create_user(W.hanoi, name, "province_health", "\"unit\":\"79\"", 403,
	            "out_of_jurisdiction", "unit");
	create_user(W.hanoi, name, "commune_officer", "\"unit\":\"001\"", 400, "invalid_field", "unit");
	create_user(W.hanoi, name, "site_staff", "\"unit\":\"001\"", 400, "invalid_field", "unit");
	create_user(W.hanoi, name, "emperor", "\"unit\":\"01\"", 400, "invalid_field", "role");
	create_user(W.hanoi, name, "viewer", "\"unit\":\"01\",\"facility\":4", 400, "invalid_field", NULL);
	create_user(W.hanoi, name, "viewer", "\"unit\":\"nope\"", 400, "invalid_field", "unit");
	create_user(W.hanoi, name, "site_staff", "\"facility\":999999", 400, "invalid_field", "facility");
	create_user(W.hanoi, "Bad Name", "viewer", "\"unit\":\"01\"", 400, "invalid_field", "username");
	ts_expect(ts_req(W.h, "POST", "/api/v1/users", W.hanoi,
	                 "{\"username\":\"shortpw\",\"password\":\"123\",\"role\":\"viewer\",\"unit\":\"01\"}"),
	          400, "invalid_field", "password");
	ts_expect(ts_req(W.h, "POST", "/api/v1/users", W.hanoi,
	                 "{\"username\":\"nowhere\",\"password\":\"long enough pw\",\"role\":\"viewer\"}"),
	          400, "missing_field", "unit");
	/* a site manager adds staff to its own site only */
	snprintf(name, sizeof(name), "staff.%u", n);
	assert_true(create_user(W.manager, name, "site_staff", "\"facility\":4", 201, NULL, NULL) > 0);
	snprintf(name, sizeof(name), "staff2.%u", n);
	create_user(W.manager, name, "site_staff", "\"facility\":5", 403, "out_of_jurisdiction",
	            "facility");
	create_user(W.manager, name, "district_centre", "\"unit\":\"001\"", 403, "forbidden", "role");
	create_user(W.staff, name, "site_staff", "\"facility\":4", 403, "forbidden", NULL);
	/* the new account can log in */
	snprintf(name, sizeof(name), "staff.%u", n);
	char *t = ts_login(W.h, name, "mật khẩu rất dài");
	json_t *me = get_json("/api/v1/me", t, 200);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(me, "user"), "facility")), 4);
	json_decref(me);
	free(t);
}

static void test_users_list_and_patch(void **state)
{
	(void)state;
	unsigned n = ts_rand();
	char name[64], *path;

	/* lists stay inside the jurisdiction */
	json_t *j = get_json("/api/v1/users?limit=1000", W.badinh, 200);
	json_t *arr = json_object_get(j, "users");
	assert_true(json_array_size(arr) >= 3); /* badinh, the site's manager and staff */
	for (size_t i = 0; i < json_array_size(arr); i++) {
		const char *s = json_string_value(json_object_get(json_array_get(arr, i), "scope"));
		assert_true(strncmp(s, "VN/01/001", 9) == 0);
	}
	json_decref(j);
	j = get_json("/api/v1/users?role=district_centre&unit=001", W.hanoi, 200);
	assert_string_equal(json_string_value(json_object_get(json_array_get(json_object_get(j, "users"), 0),
	                                                      "place_name")),
	                    "Quận Ba Đình");
	json_decref(j);
	j = get_json("/api/v1/users?role=site_staff", W.hanoi, 200);
	arr = json_object_get(j, "users");
	for (size_t i = 0; i < json_array_size(arr); i++)
		assert_string_equal(json_string_value(json_object_get(json_array_get(arr, i), "role")),
		                    "site_staff");
	json_decref(j);
	ts_expect(ts_req(W.h, "GET", "/api/v1/users?role=king", W.hanoi, NULL), 400,
	          "invalid_parameter", "role");
	ts_expect(ts_req(W.h, "GET", "/api/v1/users?unit=79", W.hanoi, NULL), 403,
	          "out_of_jurisdiction", NULL);

	/* disable a user: their session dies at once, login is refused */
	snprintf(name, sizeof(name), "tobedisabled.%u", n);
	long long id = create_user(W.badinh, name, "site_staff", "\"facility\":4", 201, NULL, NULL);
	char *t = ts_login(W.h, name, "mật khẩu rất dài");
	ts_expect(ts_req(W.h, "GET", "/api/v1/me", t, NULL), 200, NULL, NULL);
	path = ts_fmt("/api/v1/users/%lld", id);
	ts_expect(ts_req(W.h, "PATCH", path, W.badinh, "{\"active\":false}"), 200, NULL, NULL);
	ts_expect(ts_req(W.h, "GET", "/api/v1/me", t, NULL), 401, "unauthenticated", NULL);
	char *login = ts_fmt("{\"username\":\"%s\",\"password\":\"mật khẩu rất dài\"}", name);
	ts_expect(ts_req(W.h, "POST", "/api/v1/auth/login", NULL, login), 401,
	          "invalid_credentials", NULL);
	json_t *u = get_json(path, W.badinh, 200);
	assert_false(json_is_true(json_object_get(json_object_get(u, "user"), "active")));
	json_decref(u);
	/* enable again, with a new password */
	ts_expect(ts_req(W.h, "PATCH", path, W.badinh,
	                 "{\"active\":true,\"password\":\"một mật khẩu mới\"}"),
	          200, NULL, NULL);
	free(t);
	t = ts_login(W.h, name, "một mật khẩu mới");
	free(t);
	free(login);

	/* no widening, no reaching outside, no self-harm */
	ts_expect(ts_req(W.h, "PATCH", path, W.badinh, "{\"role\":\"province_health\",\"unit\":\"01\"}"),
	          403, "forbidden", "role");
	ts_expect(ts_req(W.h, "PATCH", path, W.badinh, "{\"facility\":999999}"), 400,
	          "invalid_field", "facility");
	ts_expect(ts_req(W.h, "PATCH", path, W.badinh, "{\"role\":\"viewer\",\"unit\":\"002\"}"), 403,
	          "out_of_jurisdiction", "unit");
	ts_expect(ts_req(W.h, "PATCH", path, W.badinh, "{\"role\":\"commune_officer\",\"unit\":\"00001\"}"),
	          200, NULL, NULL);
	ts_expect(ts_req(W.h, "PATCH", path, W.badinh, "{\"username\":\"x\"}"), 400, "unknown_field",
	          "username");
	free(path);
	json_t *me = get_json("/api/v1/me", W.badinh, 200);
	long long self = json_integer_value(json_object_get(json_object_get(me, "user"), "id"));
	json_decref(me);
	path = ts_fmt("/api/v1/users/%lld", self);
	ts_expect(ts_req(W.h, "PATCH", path, W.badinh, "{\"active\":false}"), 403, "forbidden", NULL);
	free(path);
	/* peers cannot take each other over: a second site manager at the same
	 * site may not reset or disable the first */
	snprintf(name, sizeof(name), "mgr2.%u", n);
	create_user(W.manager, name, "site_manager", "\"facility\":4", 201, NULL, NULL);
	char *mgr2 = ts_login(W.h, name, "mật khẩu rất dài");
	me = get_json("/api/v1/me", W.manager, 200);
	long long mgr1 = json_integer_value(json_object_get(json_object_get(me, "user"), "id"));
	json_decref(me);
	path = ts_fmt("/api/v1/users/%lld", mgr1);
	ts_expect(ts_req(W.h, "PATCH", path, mgr2, "{\"password\":\"taken over now!\"}"), 403,
	          "forbidden", NULL);
	ts_expect(ts_req(W.h, "PATCH", path, mgr2, "{\"active\":false}"), 403, "forbidden", NULL);
	free(path);
	free(mgr2);
	/* the province's account is outside the district's jurisdiction */
	me = get_json("/api/v1/me", W.hanoi, 200);
	long long hanoi = json_integer_value(json_object_get(json_object_get(me, "user"), "id"));
	json_decref(me);
	path = ts_fmt("/api/v1/users/%lld", hanoi);
	ts_expect(ts_req(W.h, "PATCH", path, W.badinh, "{\"active\":false}"), 403,
	          "out_of_jurisdiction", NULL);
	ts_expect(ts_req(W.h, "GET", path, W.badinh, NULL), 403, "out_of_jurisdiction", NULL);
	free(path);
	ts_expect(ts_req(W.h, "PATCH", "/api/v1/users/9999999", W.admin, "{\"active\":false}"), 404,
	          "not_found", NULL);
}

static void test_audit(void **state)
{
	(void)state;
	long long id = create_facility(W.badinh, "vaccination_site", "00007", 201, NULL, NULL);
	char *path = ts_fmt("/api/v1/audit?entity=facility&id=%lld", id);
	json_t *j = get_json(path, W.badinh, 200);
	json_t *e = json_array_get(json_object_get(j, "entries"), 0);
	assert_non_null(e);
	assert_string_equal(json_string_value(json_object_get(e, "action")), "create");
	assert_string_equal(json_string_value(json_object_get(e, "actor")), "badinh");
	assert_true(json_is_null(json_object_get(e, "before")));
	assert_int_equal(json_integer_value(json_object_get(json_object_get(e, "after"), "id")), id);
	json_decref(j);
	/* the province sees it too; another district's centre would not */
	j = get_json(path, W.hanoi, 200);
	assert_int_equal(json_array_size(json_object_get(j, "entries")), 1);
	json_decref(j);
	j = get_json(path, W.manager, 200);
	assert_int_equal(json_array_size(json_object_get(j, "entries")), 0);
	json_decref(j);
	free(path);
	/* a change keeps before and after */
	char name[64];
	snprintf(name, sizeof(name), "audited.%u", ts_rand());
	long long uid = create_user(W.hanoi, name, "viewer", "\"unit\":\"01\"", 201, NULL, NULL);
	path = ts_fmt("/api/v1/users/%lld", uid);
	ts_expect(ts_req(W.h, "PATCH", path, W.hanoi, "{\"active\":false}"), 200, NULL, NULL);
	free(path);
	path = ts_fmt("/api/v1/audit?entity=user&id=%lld", uid);
	j = get_json(path, W.hanoi, 200);
	json_t *arr = json_object_get(j, "entries");
	assert_int_equal(json_array_size(arr), 2);
	e = json_array_get(arr, 0);
	assert_string_equal(json_string_value(json_object_get(e, "action")), "disable");
	assert_true(json_is_true(json_object_get(json_object_get(e, "before"), "active")));
	assert_false(json_is_true(json_object_get(json_object_get(e, "after"), "active")));
	json_decref(j);
	free(path);
	ts_expect(ts_req(W.h, "GET", "/api/v1/audit?id=4", W.admin, NULL), 400, "invalid_parameter",
	          "entity");
	/* the whole log holds no password hash anywhere */
	struct ts_resp r = ts_req(W.h, "GET", "/api/v1/audit?limit=1000", W.admin, NULL);
	assert_int_equal(r.status, 200);
	assert_null(strstr(r.body, "argon2"));
	assert_null(strstr(r.body, "password_hash"));
	ts_resp_free(&r);
}

static void test_access_log(void **state)
{
	(void)state;
	ts_expect(ts_req(W.h, "GET", "/api/v1/units?parent=01&secret=42", W.viewer, NULL), 200, NULL, NULL);
	char *log = ts_server_log(&W.srv);
	assert_non_null(strstr(log, "access GET /api/v1/units 200 "));
	assert_null(strstr(log, "secret=42"));
	assert_null(strstr(log, TS_DEMO_PASSWORD));
	assert_null(strstr(log, "mật khẩu"));
	assert_null(strstr(log, W.viewer)); /* no tokens either */
	free(log);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_health_and_metrics),
		cmocka_unit_test(test_keep_alive),
		cmocka_unit_test(test_errors_are_json),
		cmocka_unit_test(test_bad_bodies),
		cmocka_unit_test(test_page_headers),
		cmocka_unit_test(test_login),
		cmocka_unit_test(test_tokens),
		cmocka_unit_test(test_roles_on_routes),
		cmocka_unit_test(test_units),
		cmocka_unit_test(test_facilities),
		cmocka_unit_test(test_users_create),
		cmocka_unit_test(test_users_list_and_patch),
		cmocka_unit_test(test_audit),
		cmocka_unit_test(test_access_log),
	};
	return cmocka_run_group_tests_name(ts_is_pg() ? "api (postgresql)" : "api (sqlite)",
	                                   tests, group_setup, group_teardown);
}
