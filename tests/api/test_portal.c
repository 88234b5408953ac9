/* The citizen portal over HTTP on both backends: one-time codes through a
 * real HTTP SMS gateway (the outbox worker posts to it), code rules
 * (wrong, reused, too many attempts, rate limits), citizens' sessions,
 * registering a household on one phone, and the personal QR. */
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
	struct ts_sms *sms;
	char *admin;
};

static struct world W;

static int group_setup(void **state)
{
	(void)state;
	W.db = ts_db_new();
	ts_db_seed(W.db);
	W.sms = ts_sms_start();
	ts_server_start(&W.srv, W.db, "--sms-gateway", ts_sms_url(W.sms), "--otp-max-per-phone",
	                "3", "--otp-max-per-addr", "1000", "--login-max-per-addr", "1000",
	                NULL);
	W.h = ts_http_new(&W.srv);
	W.admin = ts_login(W.h, "admin", TS_DEMO_PASSWORD);
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
	return st == 0 ? 0 : -1;
}

/* a request that must answer `want` */
#define call(method, path, token, body, want) \
	ts_call(W.h, (method), (path), (token), (body), (want))

/* Asks for a code and reads it from the gateway. */
static char *ask_code(const char *phone, const char *e164)
{
	char *body = ts_fmt("{\"phone\":\"%s\"}", phone);
	json_t *j = call("POST", "/api/v1/auth/otp", NULL, body, 202);
	assert_true(json_is_true(json_object_get(j, "sent")));
	assert_int_equal(json_integer_value(json_object_get(j, "expires_in")), 300);
	json_decref(j);
	free(body);
	char *text = ts_sms_wait(W.sms, e164, 10000);
	if (text == NULL)
		fail_msg("no SMS reached the gateway for %s", e164);
	char *code = strdup(ts_sms_code(text));
	assert_int_equal(strlen(code), 6);
	free(text);
	return code;
}

static char *verify(const char *phone, const char *code, long want)
{
	char *body = ts_fmt("{\"phone\":\"%s\",\"code\":\"%s\"}", phone, code);
	json_t *j = call("POST", "/api/v1/auth/otp/verify", NULL, body, want);
	char *token = NULL;
	if (want == 200)
		token = strdup(json_string_value(json_object_get(j, "token")));
	json_decref(j);
	free(body);
	return token;
}

static char *citizen; /* a citizen's token for 0912 000 111 */
static long long me_id;

static void test_code_flow(void **state)
{
	(void)state;
	char *code = ask_code("0912 000 111", "+84912000111");
	char wrong[12];
	snprintf(wrong, sizeof(wrong), "%06d", (atoi(code) + 1) % 1000000);
	free(verify("0912000111", wrong, 401));
	/* the phone may be written either way */
	citizen = verify("+84 912 000 111", code, 200);
	/* a code works once */
	free(verify("0912000111", code, 401));
	free(code);

	ts_expect(ts_req(W.h, "POST", "/api/v1/auth/otp", NULL, "{\"phone\":\"0212345678\"}"), 400,
	          "invalid_field", "phone");
	ts_expect(ts_req(W.h, "POST", "/api/v1/auth/otp", NULL, "{}"), 400, "missing_field",
	          "phone");
	ts_expect(ts_req(W.h, "POST", "/api/v1/auth/otp/verify", NULL,
	                 "{\"phone\":\"0912000111\",\"code\":\"12a456\"}"),
	          400, "invalid_field", "code");
}

static void test_attempts_and_limits(void **state)
{
	(void)state;
	char *code = ask_code("0987000222", "+84987000222");
	char wrong[12];
	snprintf(wrong, sizeof(wrong), "%06d", (atoi(code) + 7) % 1000000);
	for (int i = 0; i < 4; i++)
		free(verify("0987000222", wrong, 401));
	/* the fifth wrong code uses the code up, even the right one then fails */
	free(verify("0987000222", wrong, 429));
	free(verify("0987000222", code, 429));
	free(code);
	/* codes per phone per window: three asked (above, and two more) */
	free(ask_code("0987000222", "+84987000222"));
	free(ask_code("0987000222", "+84987000222"));
	struct ts_resp r = ts_req(W.h, "POST", "/api/v1/auth/otp", NULL,
	                          "{\"phone\":\"0987000222\"}");
	assert_int_equal(r.status, 429);
	assert_string_equal(ts_err_code(&r), "rate_limited");
	assert_non_null(strstr(r.headers, "Retry-After"));
	ts_resp_free(&r);
}

static void test_household(void **state)
{
	(void)state;
	json_t *j = call("GET", "/api/v1/me/people", citizen, NULL, 200);
	assert_string_equal(json_string_value(json_object_get(j, "phone")), "+84912000111");
	assert_int_equal(json_array_size(json_object_get(j, "people")), 0);
	json_decref(j);

	j = call("POST", "/api/v1/me/people", citizen,
	         "{\"id_number\":\"001090000111\",\"full_name\":\"Trần Văn Bình\","
	         "\"birth_date\":\"1990-04-30\",\"gender\":\"male\",\"commune_code\":\"00001\"}",
	         201);
	json_t *ct = json_object_get(j, "citizen");
	me_id = json_integer_value(json_object_get(ct, "id"));
	assert_string_equal(json_string_value(json_object_get(ct, "phone")), "+84912000111");
	assert_string_equal(json_string_value(json_object_get(ct, "source")), "self");
	/* no token in the citizen's own answer either: the QR shows it */
	assert_null(json_object_get(j, "qr_token"));
	json_decref(j);

	/* a child of the household, with the father as guardian */
	char *body = ts_fmt("{\"id_number\":\"001318000222\",\"full_name\":\"Trần Thị An\","
	                    "\"birth_date\":\"2018-06-01\",\"gender\":\"female\","
	                    "\"commune_code\":\"00001\",\"guardian_id\":%lld}",
	                    me_id);
	json_decref(call("POST", "/api/v1/me/people", citizen, body, 201));
	free(body);
	/* the same document again: one person, one record; a citizen is not
	 * told whose record holds the number */
	j = call("POST", "/api/v1/me/people", citizen,
	         "{\"id_number\":\"001090000111\",\"full_name\":\"Trần Văn Bình\","
	         "\"birth_date\":\"1990-04-30\",\"gender\":\"male\","
	         "\"commune_code\":\"00001\"}",
	         409);
	assert_null(json_object_get(json_object_get(j, "error"), "existing_id"));
	json_decref(j);
	/* the units for the address, without a staff account */
	j = call("GET", "/api/v1/public/units?parent=001", NULL, NULL, 200);
	assert_int_equal(json_array_size(json_object_get(j, "units")), 14);
	json_decref(j);
	/* bad data is refused with the field */
	ts_expect(ts_req(W.h, "POST", "/api/v1/me/people", citizen,
	                 "{\"id_number\":\"001090000112\",\"full_name\":\"Trần Văn C\","
	                 "\"birth_date\":\"1990-02-30\",\"gender\":\"male\","
	                 "\"commune_code\":\"00001\"}"),
	          400, "invalid_field", "birth_date");
	/* a phone cannot be chosen: it is the verified one */
	ts_expect(ts_req(W.h, "POST", "/api/v1/me/people", citizen,
	                 "{\"id_number\":\"001090000113\",\"full_name\":\"Trần Văn D\","
	                 "\"birth_date\":\"1990\",\"gender\":\"male\",\"commune_code\":\"00001\","
	                 "\"phone\":\"0999999999\"}"),
	          400, "unknown_field", "phone");

	j = call("GET", "/api/v1/me/people", citizen, NULL, 200);
	assert_int_equal(json_array_size(json_object_get(j, "people")), 2);
	json_decref(j);
}

static void test_qr_and_tokens(void **state)
{
	(void)state;
	char *path = ts_fmt("/api/v1/me/people/%lld/qr.svg", me_id);
	struct ts_resp r = ts_req(W.h, "GET", path, citizen, NULL);
	assert_int_equal(r.status, 200);
	assert_memory_equal(r.body, "<svg", 4);
	ts_resp_free(&r);
	/* staff tokens are not citizens' tokens, and the other way round */
	ts_expect(ts_req(W.h, "GET", path, W.admin, NULL), 401, "unauthenticated", NULL);
	ts_expect(ts_req(W.h, "GET", "/api/v1/citizens", citizen, NULL), 401, "unauthenticated",
	          NULL);
	free(path);

	/* somebody else's record is not found */
	json_t *j = call("POST", "/api/v1/citizens", W.admin,
	                 "{\"id_number\":\"001090000999\",\"full_name\":\"Lê Văn Khác\","
	                 "\"birth_date\":\"1990\",\"gender\":\"male\",\"commune_code\":\"00001\"}",
	                 201);
	long long other = json_integer_value(json_object_get(json_object_get(j, "citizen"), "id"));
	json_decref(j);
	path = ts_fmt("/api/v1/me/people/%lld/qr.png", other);
	ts_expect(ts_req(W.h, "GET", path, citizen, NULL), 404, "not_found", NULL);
	free(path);

	/* the QR a citizen shows is the one the site scans */
	path = ts_fmt("/api/v1/citizens/%lld/qr/rotate", me_id);
	j = call("POST", path, W.admin, "{}", 200);
	char *body = ts_fmt("{\"qr\":\"%s\"}",
	                    json_string_value(json_object_get(j, "qr_token")));
	json_decref(j);
	free(path);
	j = call("POST", "/api/v1/checkin", W.admin, body, 200);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(j, "citizen"), "id")),
	                 me_id);
	json_decref(j);
	free(body);

	/* logging out ends the session */
	json_decref(call("POST", "/api/v1/me/logout", citizen, "{}", 200));
	ts_expect(ts_req(W.h, "GET", "/api/v1/me/people", citizen, NULL), 401, "unauthenticated",
	          NULL);
	free(citizen);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_code_flow),
		cmocka_unit_test(test_attempts_and_limits),
		cmocka_unit_test(test_household),
		cmocka_unit_test(test_qr_and_tokens),
	};
	return cmocka_run_group_tests_name(ts_is_pg() ? "portal (postgresql)" : "portal (sqlite)",
	                                   tests, group_setup, group_teardown);
}
