/* Login limits, client addresses behind a trusted proxy, idle expiry,
 * sessions ended by another process and CLI account creation: each with
 * a server started for the purpose. */
#include <curl/curl.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/arena.h"
#include "db/db.h"
#include "tsupport.h"

static char *DB;

/* Each test gets its own database: failed-login counts are stored. */
static int setup(void **state)
{
	(void)state;
	DB = ts_db_new();
	ts_db_seed(DB);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	ts_db_drop(DB);
	free(DB);
	return 0;
}

static struct ts_resp login(struct ts_http *h, const char *user, const char *pw,
                            const char *xff)
{
	char *body = ts_fmt("{\"username\":\"%s\",\"password\":\"%s\"}", user, pw);
	char *hdr = xff ? ts_fmt("X-Forwarded-For: %s", xff) : NULL;
	struct ts_resp r = ts_req_ct(h, "POST", "/api/v1/auth/login", NULL, NULL, body,
	                             strlen(body), hdr);
	free(body);
	free(hdr);
	return r;
}

static void test_limit_per_username(void **state)
{
	struct ts_server s;
	(void)state;
	ts_server_start(&s, DB, "--login-max-per-user", "3", NULL);
	struct ts_http *h = ts_http_new(&s);
	for (int i = 0; i < 3; i++)
		ts_expect(login(h, "mcc", "wrong-password", NULL), 401, "invalid_credentials", NULL);
	/* now even the right password is refused, with Retry-After */
	struct ts_resp r = login(h, "mcc", TS_DEMO_PASSWORD, NULL);
	assert_int_equal(r.status, 429);
	assert_string_equal(ts_err_code(&r), "rate_limited");
	assert_non_null(strstr(r.headers, "Retry-After: 900"));
	ts_resp_free(&r);
	/* another account from the same address is unaffected */
	ts_expect(login(h, "viewer", TS_DEMO_PASSWORD, NULL), 200, NULL, NULL);
	ts_http_free(h);
	assert_int_equal(ts_server_stop(&s), 0);
	/* the count is stored: a restarted server remembers it */
	ts_server_start(&s, DB, "--login-max-per-user", "3", NULL);
	h = ts_http_new(&s);
	ts_expect(login(h, "mcc", TS_DEMO_PASSWORD, NULL), 429, "rate_limited", NULL);
	ts_http_free(h);
	assert_int_equal(ts_server_stop(&s), 0);
	/* a short window lets the account in again once it ended */
	ts_server_start(&s, DB, "--login-max-per-user", "3", "--login-window", "1", NULL);
	h = ts_http_new(&s);
	sleep(2);
	ts_expect(login(h, "mcc", TS_DEMO_PASSWORD, NULL), 200, NULL, NULL);
	ts_http_free(h);
	assert_int_equal(ts_server_stop(&s), 0);
}

struct guesser {
	pthread_t th;
	const char *base;
	long status;
};

static void *guess(void *arg)
{
	struct guesser *g = arg;
	CURL *c = curl_easy_init();
	struct curl_slist *h = curl_slist_append(NULL, "Content-Type: application/json");
	char *url = ts_fmt("%s/api/v1/auth/login", g->base);
	FILE *devnull = fopen("/dev/null", "w");

	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(c, CURLOPT_POSTFIELDS, "{\"username\":\"viewer\",\"password\":\"a guess\"}");
	curl_easy_setopt(c, CURLOPT_WRITEDATA, devnull);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	if (curl_easy_perform(c) == CURLE_OK)
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &g->status);
	fclose(devnull);
	free(url);
	curl_slist_free_all(h);
	curl_easy_cleanup(c);
	return NULL;
}

static void test_concurrent_guesses(void **state)
{
	struct ts_server s;
	enum { N = 16 };
	struct guesser g[N];
	int refused = 0, checked = 0;
	(void)state;
	/* 16 guesses at once against a limit of 4: each attempt is counted
	 * before its password is checked, so at most 4 get checked at all. */
	ts_server_start(&s, DB, "--login-max-per-user", "4", "--login-max-per-addr", "1000", NULL);
	for (int i = 0; i < N; i++) {
		g[i] = (struct guesser){.base = s.base};
		pthread_create(&g[i].th, NULL, guess, &g[i]);
	}
	for (int i = 0; i < N; i++) {
		pthread_join(g[i].th, NULL);
		refused += g[i].status == 429;
		checked += g[i].status == 401;
	}
	assert_int_equal(checked, 4);
	assert_int_equal(refused, N - 4);
	assert_int_equal(ts_server_stop(&s), 0);
}

static void test_limit_per_address_and_proxy(void **state)
{
	struct ts_server s;
	(void)state;
	/* No trusted proxy: X-Forwarded-For is ignored, all count as 127.0.0.1. */
	ts_server_start(&s, DB, "--login-max-per-addr", "3", NULL);
	struct ts_http *h = ts_http_new(&s);
	ts_expect(login(h, "nobody1", "x", "10.0.0.1"), 401, NULL, NULL);
	ts_expect(login(h, "nobody2", "x", "10.0.0.2"), 401, NULL, NULL);
	ts_expect(login(h, "nobody3", "x", "10.0.0.3"), 401, NULL, NULL);
	ts_expect(login(h, "hanoi", TS_DEMO_PASSWORD, "10.0.0.4"), 429, "rate_limited", NULL);
	ts_http_free(h);
	assert_int_equal(ts_server_stop(&s), 0);

	/* Behind a trusted proxy, the address it reports is the client's. */
	ts_server_start(&s, DB, "--login-max-per-addr", "2", "--trusted-proxy", "127.0.0.1", NULL);
	h = ts_http_new(&s);
	ts_expect(login(h, "nobody4", "x", "203.0.113.9"), 401, NULL, NULL);
	ts_expect(login(h, "nobody5", "x", "198.51.100.1, 203.0.113.9"), 401, NULL, NULL);
	ts_expect(login(h, "hanoi", TS_DEMO_PASSWORD, "203.0.113.9"), 429, "rate_limited", NULL);
	ts_expect(login(h, "hanoi", TS_DEMO_PASSWORD, "203.0.113.10"), 200, NULL, NULL);
	/* garbage in the header falls back to the proxy's own address */
	ts_expect(login(h, "hanoi", TS_DEMO_PASSWORD, "not-an-address"), 429, NULL, NULL);
	ts_http_free(h);
	assert_int_equal(ts_server_stop(&s), 0);
}

static void test_idle_expiry(void **state)
{
	struct ts_server s;
	(void)state;
	ts_server_start(&s, DB, "--session-idle", "4", "--site-session-idle", "1", NULL);
	struct ts_http *h = ts_http_new(&s);
	char *office = ts_login(h, "hanoi", TS_DEMO_PASSWORD);
	char *tablet = ts_login(h, "phucxa.staff", TS_DEMO_PASSWORD);
	sleep(2);
	/* the site tablet's short idle time has passed; the office's has not */
	ts_expect(ts_req(h, "GET", "/api/v1/me", tablet, NULL), 401, "token_expired", NULL);
	ts_expect(ts_req(h, "GET", "/api/v1/me", office, NULL), 200, NULL, NULL);
	sleep(2);
	/* use keeps a session alive (seen 2 s ago, idle limit 4 s) */
	ts_expect(ts_req(h, "GET", "/api/v1/me", office, NULL), 200, NULL, NULL);
	sleep(5);
	ts_expect(ts_req(h, "GET", "/api/v1/me", office, NULL), 401, "token_expired", NULL);
	free(office);
	free(tablet);
	ts_http_free(h);
	assert_int_equal(ts_server_stop(&s), 0);
}

static tc_err end_sessions_run(struct tc_dbc *c, void *cls, struct tc_fault *f)
{
	struct tc_arena a;
	struct tc_user u = { 0 };
	enum tc_qs qs;

	(void)cls;
	tc_arena_init(&a);
	qs = tc_q_user_by_username(c, "phucxa.staff", &a, &u);
	if (qs == TC_QS_ONE)
		qs = tc_q_sessions_delete_user(c, u.id);
	tc_arena_cleanup(&a);
	return qs > 0 ? TC_ERR_OK : tc_fault_set(f, TC_ERR_DB, NULL, "no session to end");
}

/* The server keeps sessions it read in memory for a moment. A session
 * ended by another process (another server, an operator at the database)
 * is refused for writes at once, and for reads within the cache's second;
 * other sessions are untouched. */
static void test_session_ended_elsewhere(void **state)
{
	struct tc_db_options opt = { .no_writer = true };
	struct tc_fault f = { 0 };
	struct ts_server s;
	char *why = NULL;
	(void)state;
	ts_server_start(&s, DB, NULL);
	struct ts_http *h = ts_http_new(&s);
	char *office = ts_login(h, "hanoi", TS_DEMO_PASSWORD);
	char *tablet = ts_login(h, "phucxa.staff", TS_DEMO_PASSWORD);
	ts_expect(ts_req(h, "GET", "/api/v1/me", tablet, NULL), 200, NULL, NULL);
	ts_expect(ts_req(h, "GET", "/api/v1/me", office, NULL), 200, NULL, NULL);

	struct tc_db *db = tc_db_open(DB, &opt, &why);
	assert_non_null(db);
	assert_int_equal(tc_db_run(db, end_sessions_run, NULL, &f), TC_ERR_OK);
	tc_db_close(db);

	/* a write checks the session in its own transaction */
	ts_expect(ts_req(h, "POST", "/api/v1/auth/logout", tablet, NULL), 401,
	          "unauthenticated", NULL);
	long status = 200;
	for (int i = 0; i < 30 && status == 200; i++) {
		struct ts_resp r = ts_req(h, "GET", "/api/v1/me", tablet, NULL);
		status = r.status;
		ts_resp_free(&r);
		if (status == 200)
			usleep(100 * 1000);
	}
	assert_int_equal(status, 401);
	ts_expect(ts_req(h, "GET", "/api/v1/me", office, NULL), 200, NULL, NULL);
	free(office);
	free(tablet);
	ts_http_free(h);
	assert_int_equal(ts_server_stop(&s), 0);
}

static void test_cli_user_add(void **state)
{
	char *out = NULL;
	struct ts_server s;
	(void)state;
	assert_int_equal(ts_run("mật khẩu của tổng đài\n", &out, "user", "add", "mcc.hcm",
	                        "--role", "mcc_agent", "--unit", "79", "--db", DB, NULL),
	                 0);
	free(out);
	/* refusals name what is wrong */
	assert_int_not_equal(ts_run("long enough password\n", &out, "user", "add", "mcc.hcm",
	                            "--role", "mcc_agent", "--unit", "79", "--db", DB, NULL),
	                     0);
	assert_non_null(strstr(out, "already taken"));
	free(out);
	assert_int_not_equal(ts_run("short\n", &out, "user", "add", "x.y", "--role", "viewer",
	                            "--unit", "79", "--db", DB, NULL),
	                     0);
	assert_non_null(strstr(out, "password"));
	free(out);
	assert_int_not_equal(ts_run("long enough password\n", &out, "user", "add", "x.y", "--role",
	                            "province_health", "--unit", "760", "--db", DB, NULL),
	                     0);
	assert_non_null(strstr(out, "province_health belongs to a province"));
	free(out);
	assert_int_not_equal(ts_run(NULL, &out, "user", "add", "x.y", "--role", "viewer", "--db",
	                            DB, NULL),
	                     0);
	free(out);
	/* the account works */
	ts_server_start(&s, DB, NULL);
	struct ts_http *h = ts_http_new(&s);
	char *t = ts_login(h, "mcc.hcm", "mật khẩu của tổng đài");
	struct ts_resp r = ts_req(h, "GET", "/api/v1/me", t, NULL);
	assert_int_equal(r.status, 200);
	assert_non_null(strstr(r.body, "\"scope\":\"VN/79\""));
	ts_resp_free(&r);
	free(t);
	ts_http_free(h);
	assert_int_equal(ts_server_stop(&s), 0);
	/* --help and --version answer without a database */
	assert_int_equal(ts_run(NULL, &out, "--help", NULL), 0);
	assert_non_null(strstr(out, "seed-demo"));
	free(out);
	assert_int_equal(ts_run(NULL, &out, "--version", NULL), 0);
	assert_non_null(strstr(out, "tiemchung "));
	free(out);
	assert_int_equal(ts_run(NULL, &out, "serve", "--help", NULL), 0);
	assert_non_null(strstr(out, "--trusted-proxy"));
	free(out);
	assert_int_equal(ts_run(NULL, &out, "frobnicate", NULL), 2);
	free(out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_limit_per_username, setup, teardown),
		cmocka_unit_test_setup_teardown(test_concurrent_guesses, setup, teardown),
		cmocka_unit_test_setup_teardown(test_limit_per_address_and_proxy, setup,
		                                teardown),
		cmocka_unit_test_setup_teardown(test_idle_expiry, setup, teardown),
		cmocka_unit_test_setup_teardown(test_session_ended_elsewhere, setup,
		                                teardown),
		cmocka_unit_test_setup_teardown(test_cli_user_add, setup, teardown),
	};
	return cmocka_run_group_tests_name(ts_is_pg() ? "sessions (postgresql)" : "sessions (sqlite)",
	                                   tests, NULL, NULL);
}
