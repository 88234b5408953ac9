/* Registrations over HTTP on both backends: the whole way from pending to
 * a session with the appointment SMS at the gateway, rejections with a
 * reason, jurisdictions (province, district, the district a person was
 * allocated to), bad input per field, filters, the citizen portal, and
 * scheduling from many clients at once never passing a session's
 * capacity. */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "tsupport.h"

struct world {
	char *db;
	struct ts_server srv;
	struct ts_http *h;
	struct ts_sms *sms;
	char *admin, *hanoi, *badinh, *viewer, *hcm, *hoankiem;
	long long phucxa_site, hoankiem_site, centre_id;
};

static struct world W;
static char today[11], soon[11], yesterday[11];

#define day_text ts_vn_day

/* a request that must answer `want` */
#define call(method, path, token, body, want) \
	ts_call(W.h, (method), (path), (token), (body), (want))

/* Expects an error answer; `body` is freed. */
static void expect(const char *method, const char *path, const char *token, char *body,
                   long status, const char *code, const char *field)
{
	struct ts_resp r = ts_req(W.h, method, path, token, body);
	if (r.status != status || (field && strcmp(ts_err_field(&r), field) != 0))
		fail_msg("%s %s %s: %ld %s", method, path, body ? body : "", r.status,
		         r.body);
	ts_expect(r, status, code, field);
	free(body);
}

static long long num(json_t *j, const char *a, const char *b)
{
	json_t *v = json_object_get(j, a);
	if (b)
		v = json_object_get(v, b);
	return json_integer_value(v);
}

static const char *str(json_t *j, const char *a, const char *b)
{
	json_t *v = json_object_get(j, a);
	if (b)
		v = json_object_get(v, b);
	return json_string_value(v);
}

static char *login_new(const char *user, const char *role, const char *unit)
{
	char *body = ts_fmt("{\"username\":\"%s\",\"password\":\"%s\",\"role\":\"%s\","
	                    "\"unit\":\"%s\"}",
	                    user, TS_DEMO_PASSWORD, role, unit);
	json_decref(call("POST", "/api/v1/users", W.admin, body, 201));
	free(body);
	return ts_login(W.h, user, TS_DEMO_PASSWORD);
}

static long long facility(const char *kind, const char *name, const char *unit,
                          const char *more)
{
	char *body = ts_fmt("{\"kind\":\"%s\",\"name\":\"%s\",\"unit\":\"%s\"%s}", kind,
	                    name, unit, more ? more : "");
	json_t *j = call("POST", "/api/v1/facilities", W.admin, body, 201);
	long long id = num(j, "facility", "id");
	json_decref(j);
	free(body);
	return id;
}

static int group_setup(void **state)
{
	(void)state;
	day_text(0, today);
	day_text(3, soon);
	day_text(-1, yesterday);
	W.db = ts_db_new();
	ts_db_seed(W.db);
	W.sms = ts_sms_start();
	ts_server_start(&W.srv, W.db, "--sms-gateway", ts_sms_url(W.sms),
	                "--login-max-per-addr", "1000", "--otp-max-per-addr", "1000",
	                NULL);
	W.h = ts_http_new(&W.srv);
	W.admin = ts_login(W.h, "admin", TS_DEMO_PASSWORD);
	W.hanoi = ts_login(W.h, "hanoi", TS_DEMO_PASSWORD);
	W.badinh = ts_login(W.h, "badinh", TS_DEMO_PASSWORD);
	W.viewer = ts_login(W.h, "viewer", TS_DEMO_PASSWORD);
	W.hcm = login_new("hcm", "province_health", "79");
	W.hoankiem = login_new("hoankiem", "district_centre", "002");
	W.phucxa_site = facility("vaccination_site", "Trạm Y tế phường Phúc Xá 2",
	                         "00001", ",\"daily_capacity\":300");
	W.hoankiem_site = facility("vaccination_site", "Trạm Y tế phường Phúc Tân",
	                           "00037", ",\"daily_capacity\":300");
	W.centre_id =
	        facility("district_centre", "Trung tâm Y tế quận Hoàn Kiếm", "002", NULL);
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	ts_http_free(W.h);
	int st = ts_server_stop(&W.srv);
	ts_sms_stop(W.sms);
	ts_db_drop(W.db);
	free(W.db);
	free(W.admin);
	free(W.hanoi);
	free(W.badinh);
	free(W.viewer);
	free(W.hcm);
	free(W.hoankiem);
	return st == 0 ? 0 : -1;
}

/* A person: CCCD 0PP C YY nnnnnn must agree with the birth year. */
static long long citizen(const char *prov, const char *birth, const char *commune,
                         const char *phone, int group)
{
	static int seq;
	int year = atoi(birth);
	char pg[32] = "";
	if (group)
		snprintf(pg, sizeof(pg), ",\"priority_group\":%d", group);
	char *more = ts_fmt("%s%s%s%s", phone ? ",\"phone\":\"" : "", phone ? phone : "",
	                    phone ? "\"" : "", pg);
	char *body = ts_fmt(
	        "{\"id_number\":\"0%s%d%02d%06d\",\"full_name\":\"Nguyễn Văn An\","
	        "\"birth_date\":\"%s\",\"gender\":\"male\",\"commune_code\":\"%s\"%s}",
	        prov, year >= 2000 ? 2 : 0, year % 100, ++seq, birth, commune, more);
	json_t *j = call("POST", "/api/v1/citizens", W.admin, body, 201);
	long long id = num(j, "citizen", "id");
	json_decref(j);
	free(body);
	free(more);
	return id;
}

static long long reg(const char *token, long long citizen_id)
{
	char *body = ts_fmt("{\"citizen_id\":%lld}", citizen_id);
	json_t *j = call("POST", "/api/v1/registrations", token, body, 201);
	long long id = num(j, "registration", "id");
	assert_string_equal(str(j, "registration", "status"), "pending");
	json_decref(j);
	free(body);
	return id;
}

/* Runs a step on one registration; returns "done" or the skip reason
 * (static buffer). */
static const char *step1(const char *token, const char *action, long long id,
                         const char *more)
{
	static char why[64];
	char *path = ts_fmt("/api/v1/registrations/%s", action);
	char *body = ts_fmt("{\"ids\":[%lld]%s}", id, more ? more : "");
	json_t *j = call("POST", path, token, body, 200);
	json_t *skipped = json_object_get(j, "skipped");
	if (num(j, "done", NULL) == 1) {
		assert_int_equal(json_array_size(skipped), 0);
		snprintf(why, sizeof(why), "done");
	} else {
		assert_int_equal(json_array_size(skipped), 1);
		assert_int_equal(num(json_array_get(skipped, 0), "id", NULL), id);
		snprintf(why, sizeof(why), "%s",
		         str(json_array_get(skipped, 0), "reason", NULL));
	}
	json_decref(j);
	free(path);
	free(body);
	return why;
}

static json_t *get_reg(long long id)
{
	char *path = ts_fmt("/api/v1/registrations/%lld", id);
	json_t *j = call("GET", path, W.admin, NULL, 200);
	free(path);
	json_t *g = json_incref(json_object_get(j, "registration"));
	json_decref(j);
	return g;
}

static long long session(const char *token, long long site, const char *day, int capacity)
{
	char *body =
	        ts_fmt("{\"site_id\":%lld,\"day\":\"%s\",\"starts\":\"07:30\","
	               "\"ends\":\"11:00\",\"product\":\"EU/1/20/1528\",\"capacity\":%d}",
	               site, day, capacity);
	json_t *j = call("POST", "/api/v1/sessions", token, body, 201);
	long long id = num(j, "session", "id");
	assert_int_equal(num(j, "session", "booked"), 0);
	assert_string_equal(str(j, "session", "status"), "open");
	json_decref(j);
	free(body);
	return id;
}

static json_t *get_session(long long id)
{
	char *path = ts_fmt("/api/v1/sessions/%lld", id);
	json_t *j = call("GET", path, W.badinh, NULL, 200);
	json_t *s = json_incref(json_object_get(j, "session"));
	json_decref(j);
	free(path);
	return s;
}

/* ---- tests ------------------------------------------------------------------------ */

static long long s1; /* Phúc Xá, soon, 5 places */

static json_t *product(json_t *ps, const char *code)
{
	for (size_t i = 0; i < json_array_size(ps); i++)
		if (strcmp(str(json_array_get(ps, i), "code", NULL), code) == 0)
			return json_array_get(ps, i);
	fail_msg("no product %s", code);
	return NULL;
}

static void test_products_and_sessions(void **state)
{
	(void)state;
	json_t *j = call("GET", "/api/v1/products", W.viewer, NULL, 200);
	json_t *ps = json_object_get(j, "products");
	bool comirnaty = false;
	assert_true(json_array_size(ps) >= 30);
	for (size_t i = 0; i < json_array_size(ps); i++)
		comirnaty = comirnaty || (strcmp(str(json_array_get(ps, i), "code", NULL),
		                                 "EU/1/20/1528") == 0 &&
		                          strcmp(str(json_array_get(ps, i), "name", NULL),
		                                 "Comirnaty") == 0);
	assert_true(comirnaty);
	/* every attribute of data/vaccines/products.csv (docs/stock.md) */
	json_t *vax = product(ps, "EU/1/21/1529"), *com = product(ps, "EU/1/20/1528");
	assert_string_equal(str(vax, "name", NULL), "Vaxzevria");
	assert_string_equal(str(vax, "manufacturer", NULL), "ORG-100001699");
	assert_string_equal(str(vax, "manufacturer_name", NULL), "AstraZeneca AB");
	assert_string_equal(str(vax, "platform", NULL), "viral_vector");
	assert_true(json_is_true(json_object_get(vax, "used_in_vn")));
	assert_int_equal(json_integer_value(json_object_get(vax, "series_doses")), 2);
	assert_int_equal(json_integer_value(json_object_get(vax, "min_interval_days")), 28);
	assert_int_equal(json_integer_value(json_object_get(vax, "rec_interval_days")), 56);
	assert_int_equal(json_integer_value(json_object_get(vax, "booster_min_days")), 90);
	assert_int_equal(json_integer_value(json_object_get(vax, "min_age_years")), 18);
	assert_int_equal(json_integer_value(json_object_get(vax, "doses_per_vial")), 10);
	assert_int_equal(json_integer_value(json_object_get(vax, "open_vial_hours")), 6);
	assert_int_equal(json_integer_value(json_object_get(vax, "storage_min_c")), 2);
	assert_int_equal(json_integer_value(json_object_get(vax, "storage_max_c")), 8);
	assert_int_equal(json_integer_value(json_object_get(com, "min_age_years")), 12);
	assert_int_equal(json_integer_value(json_object_get(com, "storage_min_c")), -90);
	assert_true(json_is_null(json_object_get(product(ps, "Abdala"), "booster_min_days")));
	assert_true(json_is_null(json_object_get(product(ps, "Sputnik-V"), "storage_min_c")));
	assert_int_equal(
	        json_integer_value(json_object_get(product(ps, "Sputnik-V"), "storage_max_c")),
	        -18);
	/* active ones first, and among them those used in Vietnam */
	assert_true(json_is_true(json_object_get(json_array_get(ps, 0), "used_in_vn")));
	json_decref(j);
	ts_expect(ts_req(W.h, "GET", "/api/v1/products", NULL, NULL), 401,
	          "unauthenticated", NULL);

	s1 = session(W.badinh, W.phucxa_site, soon, 5);
	/* one field wrong at a time */
	const char *S = "/api/v1/sessions";
#define SBODY(site, day, st, en, prod, cap)                                              \
	ts_fmt("{\"site_id\":%lld,\"day\":\"%s\",\"starts\":\"%s\",\"ends\":\"%s\","     \
	       "\"product\":\"%s\",\"capacity\":%d}",                                    \
	       (long long)(site), day, st, en, prod, cap)
	long long site = W.phucxa_site;
	expect("POST", S, W.badinh,
	       SBODY(site, yesterday, "07:30", "11:00", "EU/1/20/1528", 5), 400,
	       "invalid_field", "day");
	expect("POST", S, W.badinh,
	       SBODY(site, "2026-02-30", "07:30", "11:00", "EU/1/20/1528", 5), 400,
	       "invalid_field", "day");
	expect("POST", S, W.badinh,
	       SBODY(site, "3000-01-01", "07:30", "11:00", "EU/1/20/1528", 5), 400,
	       "invalid_field", "day");
	expect("POST", S, W.badinh, SBODY(site, soon, "7:30", "11:00", "EU/1/20/1528", 5),
	       400, "invalid_field", "starts");
	expect("POST", S, W.badinh,
	       SBODY(site, soon, "07:30", "25:00", "EU/1/20/1528", 5), 400,
	       "invalid_field", "ends");
	expect("POST", S, W.badinh,
	       SBODY(site, soon, "11:00", "07:30", "EU/1/20/1528", 5), 400,
	       "invalid_field", "ends");
	expect("POST", S, W.badinh, SBODY(site, soon, "07:30", "11:00", "Sputnik-X", 5),
	       400, "invalid_field", "product");
	/* deprecated in the value set */
	expect("POST", S, W.badinh, SBODY(site, soon, "07:30", "11:00", "NVX-CoV2373", 5),
	       400, "invalid_field", "product");
	expect("POST", S, W.badinh,
	       SBODY(site, soon, "07:30", "11:00", "EU/1/20/1528", 0), 400,
	       "invalid_field", "capacity");
	/* a district centre is no vaccination site */
	expect("POST", S, W.admin,
	       SBODY(W.centre_id, soon, "07:30", "11:00", "EU/1/20/1528", 5), 400,
	       "invalid_field", "site_id");
	expect("POST", S, W.badinh,
	       SBODY(999999, soon, "07:30", "11:00", "EU/1/20/1528", 5), 400,
	       "invalid_field", "site_id");
	/* Ba Đình plans no sessions at Hoàn Kiếm's sites */
	expect("POST", S, W.badinh,
	       SBODY(W.hoankiem_site, soon, "07:30", "11:00", "EU/1/20/1528", 5), 403,
	       "out_of_jurisdiction", "site_id");
	expect("POST", S, W.viewer,
	       SBODY(site, soon, "07:30", "11:00", "EU/1/20/1528", 5), 403, "forbidden",
	       NULL);
	expect("POST", S, W.badinh, ts_fmt("{\"site_id\":%lld}", site), 400,
	       "missing_field", NULL);
#undef SBODY

	/* the list, by unit, site and date */
	char *path = ts_fmt("/api/v1/sessions?unit=001&date=%s", soon);
	j = call("GET", path, W.hanoi, NULL, 200);
	assert_int_equal(json_array_size(json_object_get(j, "sessions")), 1);
	json_t *s = json_array_get(json_object_get(j, "sessions"), 0);
	assert_int_equal(num(s, "id", NULL), s1);
	assert_int_equal(num(s, "capacity", NULL), 5);
	assert_int_equal(num(s, "available", NULL), 5);
	assert_string_equal(str(s, "site_name", NULL), "Trạm Y tế phường Phúc Xá 2");
	json_decref(j);
	free(path);
	path = ts_fmt("/api/v1/sessions?site=%lld", W.hoankiem_site);
	j = call("GET", path, W.hanoi, NULL, 200);
	assert_int_equal(json_array_size(json_object_get(j, "sessions")), 0);
	json_decref(j);
	free(path);
	json_decref(call("GET", "/api/v1/sessions?unit=002", W.badinh, NULL, 403));
	json_decref(call("GET", "/api/v1/sessions?date=soon", W.badinh, NULL, 400));
	char *one = ts_fmt("/api/v1/sessions/%lld", s1);
	json_decref(call("GET", one, W.hoankiem, NULL, 403));
	free(one);
}

static long long an_reg;

static void test_whole_flow(void **state)
{
	(void)state;
	long long an = citizen("01", "1990-05-17", "00001", "0912 345 678", 3);
	an_reg = reg(W.hanoi, an);

	/* one open registration per person: 409 names it */
	char *body = ts_fmt("{\"citizen_id\":%lld}", an);
	struct ts_resp r = ts_req(W.h, "POST", "/api/v1/registrations", W.badinh, body);
	assert_int_equal(r.status, 409);
	assert_string_equal(ts_err_field(&r), "citizen_id");
	assert_int_equal(json_integer_value(json_object_get(
	                         json_object_get(r.json, "error"), "existing_id")),
	                 an_reg);
	ts_resp_free(&r);
	free(body);

	/* the province approves and allocates, the district schedules */
	char *more = ts_fmt(",\"session_id\":%lld", s1);
	assert_string_equal(step1(W.badinh, "schedule", an_reg, more), "wrong_state");
	assert_string_equal(step1(W.hanoi, "approve", an_reg, NULL), "done");
	assert_string_equal(step1(W.hanoi, "approve", an_reg, NULL), "wrong_state");
	assert_string_equal(step1(W.hanoi, "allocate", an_reg, ",\"district\":\"001\""),
	                    "done");
	assert_string_equal(step1(W.badinh, "schedule", an_reg, more), "done");
	free(more);

	json_t *g = get_reg(an_reg);
	assert_string_equal(str(g, "status", NULL), "scheduled");
	assert_string_equal(str(g, "district_code", NULL), "001");
	assert_int_equal(num(g, "session_id", NULL), s1);
	assert_int_equal(num(g, "priority_group", NULL), 3);
	assert_int_equal(num(g, "version", NULL), 4);
	assert_string_equal(str(g, "source", NULL), "staff");
	assert_string_equal(str(json_object_get(g, "appointment"), "day", NULL), soon);
	assert_string_equal(str(json_object_get(g, "appointment"), "starts", NULL),
	                    "07:30");
	json_decref(g);
	json_t *s = get_session(s1);
	assert_int_equal(num(s, "booked", NULL), 1);
	assert_int_equal(num(s, "available", NULL), 4);
	json_decref(s);

	/* the appointment reaches the person's phone */
	char *text = ts_sms_wait(W.sms, "+84912345678", 10000);
	if (text == NULL)
		fail_msg("no appointment SMS reached the gateway");
	char vn[11];
	snprintf(vn, sizeof(vn), "%.2s/%.2s/%.4s", soon + 8, soon + 5, soon);
	assert_non_null(strstr(text, vn));
	assert_non_null(strstr(text, "tu 07:30 den 11:00"));
	assert_non_null(strstr(text, "Tram Y te phuong Phuc Xa 2"));
	assert_non_null(strstr(text, "Nguyen Van An"));
	free(text);

	/* every step is in the audit log */
	char *path = ts_fmt("/api/v1/audit?entity=registration&id=%lld", an_reg);
	json_t *j = call("GET", path, W.admin, NULL, 200);
	json_t *entries = json_object_get(j, "entries");
	const char *want[] = { "create", "approve", "allocate", "schedule" };
	int seen[4] = { 0 };
	for (size_t i = 0; i < json_array_size(entries); i++)
		for (int k = 0; k < 4; k++)
			seen[k] += strcmp(str(json_array_get(entries, i), "action", NULL),
			                  want[k]) == 0;
	for (int k = 0; k < 4; k++)
		if (seen[k] != 1)
			fail_msg("audit: %d entries for %s", seen[k], want[k]);
	json_decref(j);
	free(path);
}

static void test_reject_and_cancel(void **state)
{
	(void)state;
	long long p = citizen("01", "1985", "00001", NULL, 0);
	long long id = reg(W.hanoi, p);
	char *body = ts_fmt("{\"ids\":[%lld]}", id);
	expect("POST", "/api/v1/registrations/reject", W.hanoi, body, 400,
	       "missing_field", "reason");
	expect("POST", "/api/v1/registrations/reject", W.hanoi,
	       ts_fmt("{\"ids\":[%lld],\"reason\":\"\"}", id), 400, "invalid_field",
	       "reason");
	/* the district takes no decision on a pending one */
	assert_string_equal(step1(W.badinh, "reject", id, ",\"reason\":\"duplicate\""),
	                    "not_your_step");
	assert_string_equal(step1(W.hanoi, "reject", id,
	                          ",\"reason\":\"Đã tiêm đủ liều ở tỉnh khác\""),
	                    "done");
	json_t *g = get_reg(id);
	assert_string_equal(str(g, "status", NULL), "rejected");
	assert_string_equal(str(g, "reason", NULL), "Đã tiêm đủ liều ở tỉnh khác");
	json_decref(g);
	assert_string_equal(step1(W.hanoi, "reject", id, ",\"reason\":\"again\""),
	                    "wrong_state");
	assert_string_equal(step1(W.hanoi, "approve", id, NULL), "wrong_state");

	/* a closed registration leaves room for a new one */
	long long again = reg(W.hanoi, p);
	assert_true(again != id);
	assert_string_equal(
	        step1(W.hanoi, "cancel", again, ",\"reason\":\"moved abroad\""), "done");
	g = get_reg(again);
	assert_string_equal(str(g, "status", NULL), "cancelled");
	assert_string_equal(str(g, "reason", NULL), "moved abroad");
	json_decref(g);

	/* cancelling a scheduled person frees the place */
	long long q = citizen("01", "1987", "00001", NULL, 0);
	long long qid = reg(W.hanoi, q);
	assert_string_equal(step1(W.hanoi, "approve", qid, NULL), "done");
	assert_string_equal(step1(W.hanoi, "allocate", qid, ",\"district\":\"001\""),
	                    "done");
	char *more = ts_fmt(",\"session_id\":%lld", s1);
	assert_string_equal(step1(W.badinh, "schedule", qid, more), "done");
	free(more);
	json_t *s = get_session(s1);
	assert_int_equal(num(s, "booked", NULL), 2);
	json_decref(s);
	assert_string_equal(step1(W.badinh, "cancel", qid, ",\"reason\":\"sick\""),
	                    "done");
	s = get_session(s1);
	assert_int_equal(num(s, "booked", NULL), 1);
	json_decref(s);
}

static void test_jurisdictions(void **state)
{
	(void)state;
	/* a person of Hồ Chí Minh City (province 79) */
	long long sg = citizen("79", "1990", "26734", NULL, 0);
	char *body = ts_fmt("{\"citizen_id\":%lld}", sg);
	expect("POST", "/api/v1/registrations", W.hanoi, body, 403, "out_of_jurisdiction",
	       "citizen_id");
	long long id = reg(W.hcm, sg);
	/* Hà Nội's office cannot approve it, nor read it */
	assert_string_equal(step1(W.hanoi, "approve", id, NULL), "out_of_jurisdiction");
	char *path = ts_fmt("/api/v1/registrations/%lld", id);
	json_decref(call("GET", path, W.hanoi, NULL, 403));
	free(path);
	assert_string_equal(step1(W.hcm, "approve", id, NULL), "done");
	/* districts only within one's own province */
	expect("POST", "/api/v1/registrations/allocate", W.hanoi,
	       ts_fmt("{\"ids\":[%lld],\"district\":\"760\"}", id), 403,
	       "out_of_jurisdiction", "district");
	expect("POST", "/api/v1/registrations/allocate", W.hcm,
	       ts_fmt("{\"ids\":[%lld],\"district\":\"001\"}", id), 403,
	       "out_of_jurisdiction", "district");
	/* the national office can, but not across provinces */
	assert_string_equal(step1(W.admin, "allocate", id, ",\"district\":\"001\""),
	                    "other_province");
	assert_string_equal(step1(W.hcm, "allocate", id, ",\"district\":\"760\""),
	                    "done");
	/* the district centre approves nothing */
	expect("POST", "/api/v1/registrations/approve", W.badinh,
	       ts_fmt("{\"ids\":[%lld]}", id), 403, "forbidden", NULL);

	/* someone of Ba Đình allocated to Hoàn Kiếm: Hoàn Kiếm schedules */
	long long s2 = session(W.hoankiem, W.hoankiem_site, soon, 3);
	long long p = citizen("01", "1991", "00001", NULL, 0);
	long long pid = reg(W.badinh, p);
	assert_string_equal(step1(W.hanoi, "approve", pid, NULL), "done");
	assert_string_equal(step1(W.hanoi, "allocate", pid, ",\"district\":\"002\""),
	                    "done");
	/* Hoàn Kiếm sees it in its list, though the person lives elsewhere */
	json_t *j = call("GET", "/api/v1/registrations?status=allocated", W.hoankiem,
	                 NULL, 200);
	json_t *list = json_object_get(j, "registrations");
	bool found = false;
	for (size_t i = 0; i < json_array_size(list); i++)
		found = found || num(json_array_get(list, i), "id", NULL) == pid;
	assert_true(found);
	json_decref(j);
	/* Ba Đình cannot put it into its own session, nor into Hoàn Kiếm's */
	char *more = ts_fmt(",\"session_id\":%lld", s1);
	assert_string_equal(step1(W.badinh, "schedule", pid, more), "other_district");
	free(more);
	expect("POST", "/api/v1/registrations/schedule", W.badinh,
	       ts_fmt("{\"ids\":[%lld],\"session_id\":%lld}", pid, s2), 403,
	       "out_of_jurisdiction", "session_id");
	more = ts_fmt(",\"session_id\":%lld", s2);
	assert_string_equal(step1(W.hoankiem, "schedule", pid, more), "done");
	free(more);
	/* and Hoàn Kiếm cannot touch Ba Đình's people who are not its own */
	assert_string_equal(step1(W.hoankiem, "cancel", an_reg, ",\"reason\":\"x y z\""),
	                    "out_of_jurisdiction");
}

static void test_bad_input(void **state)
{
	(void)state;
	const char *A = "/api/v1/registrations/approve";
	expect("POST", A, W.hanoi, ts_fmt("{}"), 400, "missing_field", "ids");
	expect("POST", A, W.hanoi, ts_fmt("{\"ids\":[]}"), 400, "invalid_field", "ids");
	expect("POST", A, W.hanoi, ts_fmt("{\"ids\":[\"1\"]}"), 400, "invalid_field",
	       "ids");
	expect("POST", A, W.hanoi, ts_fmt("{\"ids\":[0]}"), 400, "invalid_field", "ids");
	expect("POST", A, W.hanoi, ts_fmt("{\"ids\":5}"), 400, "invalid_field", "ids");
	expect("POST", A, W.hanoi, ts_fmt("{\"ids\":[1],\"filter\":{}}"), 400,
	       "invalid_field", "ids");
	expect("POST", A, W.hanoi, ts_fmt("{\"ids\":[1],\"limit\":5}"), 400,
	       "invalid_field", "limit");
	expect("POST", A, W.hanoi, ts_fmt("{\"ids\":[1],\"color\":5}"), 400,
	       "unknown_field", "color");
	expect("POST", A, W.hanoi, ts_fmt("{\"filter\":[]}"), 400, "wrong_type",
	       "filter");
	expect("POST", A, W.hanoi, ts_fmt("{\"filter\":{\"status\":\"waiting\"}}"), 400,
	       "invalid_field", "filter.status");
	expect("POST", A, W.hanoi, ts_fmt("{\"filter\":{\"age_min\":200}}"), 400,
	       "invalid_field", "filter.age_min");
	expect("POST", A, W.hanoi, ts_fmt("{\"filter\":{\"age_min\":60,\"age_max\":20}}"),
	       400, "invalid_field", "filter.age_max");
	expect("POST", A, W.hanoi, ts_fmt("{\"filter\":{\"priority_group\":17}}"), 400,
	       "invalid_field", "filter.priority_group");
	expect("POST", A, W.hanoi,
	       ts_fmt("{\"filter\":{\"registered_from\":\"2026-13-01\"}}"), 400,
	       "invalid_field", "filter.registered_from");
	expect("POST", A, W.hanoi,
	       ts_fmt("{\"filter\":{\"registered_from\":\"2026-02-01\","
	              "\"registered_to\":\"2026-01-01\"}}"),
	       400, "invalid_field", "filter.registered_to");
	expect("POST", A, W.hanoi, ts_fmt("{\"filter\":{\"unit\":\"79\"}}"), 403,
	       "out_of_jurisdiction", "filter.unit");
	expect("POST", A, W.hanoi, ts_fmt("{\"filter\":{\"unit\":\"zz\"}}"), 400,
	       "invalid_field", "filter.unit");
	expect("POST", A, W.hanoi, ts_fmt("{\"filter\":{\"colour\":1}}"), 400,
	       "unknown_field", "filter.colour");
	expect("POST", A, W.hanoi, ts_fmt("{\"filter\":{},\"limit\":0}"), 400,
	       "invalid_field", "limit");
	expect("POST", A, W.hanoi, ts_fmt("{\"ids\":[1"), 400, "malformed_json", NULL);
	expect("POST", A, W.hanoi, ts_fmt("[1]"), 400, "not_an_object", NULL);
	expect("POST", "/api/v1/registrations/schedule", W.badinh,
	       ts_fmt("{\"ids\":[1]}"), 400, "missing_field", "session_id");
	expect("POST", "/api/v1/registrations/schedule", W.badinh,
	       ts_fmt("{\"ids\":[1],\"session_id\":999999}"), 400, "invalid_field",
	       "session_id");
	expect("POST", "/api/v1/registrations/allocate", W.hanoi,
	       ts_fmt("{\"ids\":[1],\"district\":\"01\"}"), 400, "invalid_field",
	       "district");
	expect("POST", "/api/v1/registrations/allocate", W.hanoi, ts_fmt("{\"ids\":[1]}"),
	       400, "missing_field", "district");
	expect("POST", "/api/v1/registrations/cancel", W.hanoi, ts_fmt("{\"ids\":[1]}"),
	       400, "missing_field", "reason");
	expect("POST", "/api/v1/registrations", W.hanoi, ts_fmt("{\"citizen_id\":12345}"),
	       400, "invalid_field", "citizen_id");
	expect("POST", "/api/v1/registrations", W.hanoi, ts_fmt("{\"citizen_id\":\"1\"}"),
	       400, "wrong_type", "citizen_id");
	expect("POST", "/api/v1/registrations", W.viewer, ts_fmt("{\"citizen_id\":1}"),
	       403, "forbidden", NULL);
	expect("GET", "/api/v1/registrations?age_min=x", W.hanoi, NULL, 400,
	       "invalid_parameter", "age_min");
	expect("GET", "/api/v1/registrations?status=waiting", W.hanoi, NULL, 400,
	       "invalid_parameter", "status");
	expect("GET", "/api/v1/registrations?registered_to=yesterday", W.hanoi, NULL, 400,
	       "invalid_parameter", "registered_to");
	expect("GET", "/api/v1/registrations?unit=79", W.hanoi, NULL, 403,
	       "out_of_jurisdiction", NULL);
	expect("GET", "/api/v1/registrations/999999", W.admin, NULL, 404, "not_found",
	       NULL);
	/* an unknown id is skipped, not fatal */
	assert_string_equal(step1(W.hanoi, "approve", 999999, NULL), "not_found");

	char *path = ts_fmt("/api/v1/sessions/%lld", s1);
	expect("PATCH", path, W.badinh, ts_fmt("{\"capacity\":0}"), 400, "invalid_field",
	       "capacity");
	expect("PATCH", path, W.badinh, ts_fmt("{\"status\":\"done\"}"), 400,
	       "invalid_field", "status");
	expect("PATCH", path, W.badinh, ts_fmt("{\"status\":\"cancelled\"}"), 400,
	       "missing_field", "reason");
	expect("PATCH", path, W.badinh, ts_fmt("{}"), 400, "missing_field", NULL);
	expect("PATCH", path, W.hoankiem, ts_fmt("{\"capacity\":9}"), 403,
	       "out_of_jurisdiction", NULL);
	free(path);
}

static void test_filters(void **state)
{
	(void)state;
	/* in Đồng Xuân (Hoàn Kiếm): an elder, a young adult, a health worker */
	long long old = reg(W.hanoi, citizen("01", "1950-01-01", "00040", NULL, 0));
	long long young = reg(W.hanoi, citizen("01", "2005-06", "00040", NULL, 0));
	long long nurse = reg(W.hanoi, citizen("01", "1980", "00040", NULL, 1));
	json_t *j, *list;

	j = call("GET", "/api/v1/registrations?unit=00040&age_min=60", W.hanoi, NULL,
	         200);
	list = json_object_get(j, "registrations");
	assert_int_equal(json_array_size(list), 1);
	assert_int_equal(num(json_array_get(list, 0), "id", NULL), old);
	json_decref(j);
	j = call("GET", "/api/v1/registrations?unit=00040&age_max=30", W.hanoi, NULL,
	         200);
	list = json_object_get(j, "registrations");
	assert_int_equal(json_array_size(list), 1);
	assert_int_equal(num(json_array_get(list, 0), "id", NULL), young);
	json_decref(j);
	j = call("GET", "/api/v1/registrations?unit=00040&priority_group=1", W.hanoi,
	         NULL, 200);
	list = json_object_get(j, "registrations");
	assert_int_equal(json_array_size(list), 1);
	assert_int_equal(num(json_array_get(list, 0), "id", NULL), nurse);
	json_decref(j);
	/* priority first, then the oldest registration */
	char *path =
	        ts_fmt("/api/v1/registrations?unit=002&status=pending&registered_from=%s"
	               "&registered_to=%s",
	               today, today);
	j = call("GET", path, W.hoankiem, NULL, 200);
	list = json_object_get(j, "registrations");
	assert_int_equal(json_array_size(list), 3);
	assert_int_equal(num(json_array_get(list, 0), "id", NULL), nurse);
	assert_int_equal(num(json_array_get(list, 1), "id", NULL), old);
	assert_string_equal(str(json_array_get(list, 1), "full_name", NULL),
	                    "Nguyễn Văn An");
	json_decref(j);
	free(path);
	j = call("GET", "/api/v1/registrations?unit=00040&registered_to=2020-01-01",
	         W.hanoi, NULL, 200);
	assert_int_equal(json_array_size(json_object_get(j, "registrations")), 0);
	json_decref(j);

	/* a filtered step: approve the two first of Đồng Xuân's pending ones */
	j = call("POST", "/api/v1/registrations/approve", W.hanoi,
	         "{\"filter\":{\"unit\":\"00040\"},\"limit\":2}", 200);
	assert_int_equal(num(j, "done", NULL), 2);
	json_decref(j);
	json_t *g = get_reg(young);
	assert_string_equal(str(g, "status", NULL), "pending");
	json_decref(g);
	g = get_reg(nurse);
	assert_string_equal(str(g, "status", NULL), "approved");
	json_decref(g);
	/* allocate everyone approved in Đồng Xuân, 60 or older */
	j = call("POST", "/api/v1/registrations/allocate", W.hanoi,
	         "{\"filter\":{\"unit\":\"00040\",\"age_min\":60},\"district\":\"002\"}",
	         200);
	assert_int_equal(num(j, "done", NULL), 1);
	json_decref(j);
	g = get_reg(old);
	assert_string_equal(str(g, "status", NULL), "allocated");
	json_decref(g);
}

static void test_citizen_portal(void **state)
{
	(void)state;
	long long me = citizen("01", "1970", "00001", "0987 000 222", 0);
	long long other = citizen("01", "1971", "00001", "0987 000 333", 0);
	json_decref(call("POST", "/api/v1/auth/otp", NULL, "{\"phone\":\"0987000222\"}",
	                 202));
	char *text = ts_sms_wait(W.sms, "+84987000222", 10000);
	assert_non_null(text);
	char *body =
	        ts_fmt("{\"phone\":\"0987000222\",\"code\":\"%s\"}", ts_sms_code(text));
	free(text);
	json_t *j = call("POST", "/api/v1/auth/otp/verify", NULL, body, 200);
	char *tok = strdup(str(j, "token", NULL));
	json_decref(j);
	free(body);

	body = ts_fmt("{\"citizen_id\":%lld}", me);
	j = call("POST", "/api/v1/me/registrations", tok, body, 201);
	assert_string_equal(str(j, "registration", "source"), "self");
	long long id = num(j, "registration", "id");
	json_decref(j);
	ts_expect(ts_req(W.h, "POST", "/api/v1/me/registrations", tok, body), 409,
	          "conflict", "citizen_id");
	free(body);
	expect("POST", "/api/v1/me/registrations", tok,
	       ts_fmt("{\"citizen_id\":%lld}", other), 400, "invalid_field",
	       "citizen_id");
	/* staff tokens are not citizens' and the other way round */
	expect("GET", "/api/v1/me/registrations", W.admin, NULL, 401, "unauthenticated",
	       NULL);
	expect("GET", "/api/v1/registrations", tok, NULL, 401, "unauthenticated", NULL);
	j = call("GET", "/api/v1/me/registrations", tok, NULL, 200);
	json_t *list = json_object_get(j, "registrations");
	assert_int_equal(json_array_size(list), 1);
	assert_int_equal(num(json_array_get(list, 0), "id", NULL), id);
	assert_string_equal(str(json_array_get(list, 0), "status", NULL), "pending");
	json_decref(j);
	free(tok);
}

/* ---- many clients scheduling into one session at once ------------------------------ */

#define PEOPLE   40
#define THREADS  4
#define CAPACITY 10

struct sched_thread {
	pthread_t th;
	pthread_barrier_t *go;
	long long session;
	long long ids[PEOPLE / THREADS];
	int done, full, other;
	long status;
};

static void *sched_main(void *arg)
{
	struct sched_thread *t = arg;
	struct ts_http *h = ts_http_new(&W.srv);
	char body[1024];
	int n = snprintf(body, sizeof(body), "{\"session_id\":%lld,\"ids\":[",
	                 t->session);
	for (int i = 0; i < PEOPLE / THREADS; i++)
		n += snprintf(body + n, sizeof(body) - (size_t)n, "%s%lld", i ? "," : "",
		              t->ids[i]);
	snprintf(body + n, sizeof(body) - (size_t)n, "]}");
	pthread_barrier_wait(t->go);
	/* one by one as well as in a batch: both race */
	struct ts_resp r =
	        ts_req(h, "POST", "/api/v1/registrations/schedule", W.badinh, body);
	t->status = r.status;
	if (r.status == 200) {
		json_t *sk = json_object_get(r.json, "skipped");
		t->done = (int)json_integer_value(json_object_get(r.json, "done"));
		for (size_t i = 0; i < json_array_size(sk); i++) {
			const char *why = json_string_value(
			        json_object_get(json_array_get(sk, i), "reason"));
			if (why && strcmp(why, "session_full") == 0)
				t->full++;
			else
				t->other++;
		}
	}
	ts_resp_free(&r);
	ts_http_free(h);
	return NULL;
}

static long long conc_session;
static long long conc_ids[PEOPLE];

static void test_concurrent_schedule(void **state)
{
	(void)state;
	struct sched_thread ts[THREADS];
	pthread_barrier_t go;
	char ids[PEOPLE * 24] = "";
	size_t n = 0;

	conc_session = session(W.badinh, W.phucxa_site, soon, CAPACITY);
	for (int i = 0; i < PEOPLE; i++) {
		conc_ids[i] = reg(W.badinh, citizen("01", "1995", "00001", NULL, 0));
		n += (size_t)snprintf(ids + n, sizeof(ids) - n, "%s%lld", i ? "," : "",
		                      conc_ids[i]);
	}
	char *body = ts_fmt("{\"ids\":[%s]}", ids);
	json_t *j = call("POST", "/api/v1/registrations/approve", W.hanoi, body, 200);
	assert_int_equal(num(j, "done", NULL), PEOPLE);
	json_decref(j);
	free(body);
	body = ts_fmt("{\"ids\":[%s],\"district\":\"001\"}", ids);
	j = call("POST", "/api/v1/registrations/allocate", W.hanoi, body, 200);
	assert_int_equal(num(j, "done", NULL), PEOPLE);
	json_decref(j);
	free(body);

	pthread_barrier_init(&go, NULL, THREADS);
	for (int t = 0; t < THREADS; t++) {
		memset(&ts[t], 0, sizeof(ts[t]));
		ts[t].go = &go;
		ts[t].session = conc_session;
		for (int i = 0; i < PEOPLE / THREADS; i++)
			ts[t].ids[i] = conc_ids[t * (PEOPLE / THREADS) + i];
		pthread_create(&ts[t].th, NULL, sched_main, &ts[t]);
	}
	int done = 0, full = 0, other = 0;
	for (int t = 0; t < THREADS; t++) {
		pthread_join(ts[t].th, NULL);
		assert_int_equal(ts[t].status, 200);
		done += ts[t].done;
		full += ts[t].full;
		other += ts[t].other;
	}
	pthread_barrier_destroy(&go);
	assert_int_equal(done, CAPACITY);
	assert_int_equal(full, PEOPLE - CAPACITY);
	assert_int_equal(other, 0);

	json_t *s = get_session(conc_session);
	assert_int_equal(num(s, "booked", NULL), CAPACITY);
	assert_int_equal(num(s, "available", NULL), 0);
	json_decref(s);
	int scheduled = 0;
	for (int i = 0; i < PEOPLE; i++) {
		json_t *g = get_reg(conc_ids[i]);
		if (strcmp(str(g, "status", NULL), "scheduled") == 0) {
			assert_int_equal(num(g, "session_id", NULL), conc_session);
			scheduled++;
		} else {
			assert_string_equal(str(g, "status", NULL), "allocated");
		}
		json_decref(g);
	}
	assert_int_equal(scheduled, CAPACITY);
	/* a full session stops a filtered step too */
	char *more =
	        ts_fmt("{\"filter\":{\"unit\":\"001\"},\"session_id\":%lld,\"limit\":5}",
	               conc_session);
	j = call("POST", "/api/v1/registrations/schedule", W.badinh, more, 200);
	assert_int_equal(num(j, "done", NULL), 0);
	assert_int_equal(json_array_size(json_object_get(j, "skipped")), 5);
	assert_string_equal(
	        str(json_array_get(json_object_get(j, "skipped"), 0), "reason", NULL),
	        "session_full");
	json_decref(j);
	free(more);
}

static void test_session_changes(void **state)
{
	(void)state;
	char *path = ts_fmt("/api/v1/sessions/%lld", conc_session);
	/* capacity never below what is booked */
	expect("PATCH", path, W.badinh, ts_fmt("{\"capacity\":9}"), 400, "invalid_field",
	       "capacity");
	json_t *j = call("PATCH", path, W.badinh, "{\"capacity\":12}", 200);
	assert_int_equal(num(j, "session", "capacity"), 12);
	json_decref(j);
	j = call("PATCH", path, W.badinh, "{\"status\":\"closed\"}", 200);
	assert_string_equal(str(j, "session", "status"), "closed");
	json_decref(j);
	/* a closed session takes nobody */
	expect("POST", "/api/v1/registrations/schedule", W.badinh,
	       ts_fmt("{\"ids\":[%lld],\"session_id\":%lld}", conc_ids[0], conc_session),
	       400, "invalid_field", "session_id");
	/* cancelling sends everyone back to allocated */
	j = call("PATCH", path, W.badinh,
	         "{\"status\":\"cancelled\",\"reason\":\"Chưa nhận được vắc xin\"}", 200);
	assert_string_equal(str(j, "session", "status"), "cancelled");
	assert_int_equal(num(j, "session", "booked"), 0);
	assert_int_equal(num(j, "unscheduled", NULL), CAPACITY);
	json_decref(j);
	for (int i = 0; i < PEOPLE; i++) {
		json_t *g = get_reg(conc_ids[i]);
		assert_string_equal(str(g, "status", NULL), "allocated");
		assert_true(json_is_null(json_object_get(g, "session_id")));
		json_decref(g);
	}
	expect("PATCH", path, W.badinh, ts_fmt("{\"status\":\"open\"}"), 409, "conflict",
	       "status");
	free(path);
}

/* The check-in lookup shows the open registration and today's appointment. */
static void test_checkin_appointment(void **state)
{
	(void)state;
	json_t *j = call("POST", "/api/v1/citizens", W.admin,
	                 "{\"id_number\":\"001187445566\",\"full_name\":\"Lò Thị Sen\","
	                 "\"birth_date\":\"1987\",\"gender\":\"female\","
	                 "\"commune_code\":\"00001\"}",
	                 201);
	long long sen = num(j, "citizen", "id");
	json_decref(j);
	long long r = reg(W.hanoi, sen);
	const char *qr = "{\"qr\":\"001187445566\"}";

	j = call("POST", "/api/v1/checkin", W.admin, qr, 200);
	assert_string_equal(str(j, "registration", "status"), "pending");
	assert_true(json_is_null(json_object_get(j, "appointment_today")));
	json_decref(j);

	long long today_session = session(W.badinh, W.phucxa_site, today, 3);
	char *more = ts_fmt(",\"session_id\":%lld", today_session);
	assert_string_equal(step1(W.hanoi, "approve", r, NULL), "done");
	assert_string_equal(step1(W.hanoi, "allocate", r, ",\"district\":\"001\""), "done");
	assert_string_equal(step1(W.badinh, "schedule", r, more), "done");
	free(more);
	j = call("POST", "/api/v1/checkin", W.admin, qr, 200);
	assert_string_equal(str(j, "registration", "status"), "scheduled");
	json_t *ap = json_object_get(j, "appointment_today");
	assert_int_equal(json_integer_value(json_object_get(ap, "session_id")), today_session);
	assert_string_equal(json_string_value(json_object_get(ap, "starts")), "07:30");
	assert_string_equal(json_string_value(json_object_get(ap, "site_name")),
	                    "Trạm Y tế phường Phúc Xá 2");
	json_decref(j);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_products_and_sessions),
		cmocka_unit_test(test_whole_flow),
		cmocka_unit_test(test_reject_and_cancel),
		cmocka_unit_test(test_jurisdictions),
		cmocka_unit_test(test_bad_input),
		cmocka_unit_test(test_filters),
		cmocka_unit_test(test_citizen_portal),
		cmocka_unit_test(test_concurrent_schedule),
		cmocka_unit_test(test_session_changes),
		cmocka_unit_test(test_checkin_appointment),
	};
	return cmocka_run_group_tests_name(ts_is_pg() ? "registrations (postgresql)"
	                                              : "registrations (sqlite)",
	                                   tests, group_setup, group_teardown);
}
