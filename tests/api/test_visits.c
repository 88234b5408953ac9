/* The site flow over HTTP on both backends (docs/visits.md): check-in
 * (scheduled and walk-in), screening (eligible, postpone, refer), the
 * injection in one transaction (dose, stock, counters, registration done),
 * observation, adverse events and the district centre's alert, a
 * person's doses, a lot's recipients, the statistics; every refusal
 * before the needle leaves doses and stock as they were; two injections
 * for one person at once give one dose; `tiemchung stats rebuild` agrees
 * with the counters kept. */
#include <libpq-fe.h>
#include <pthread.h>
#include <setjmp.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "tsupport.h"

#define PF          "EU/1/20/1528" /* Comirnaty: 2 doses, 21 days apart */
#define AZ          "EU/1/21/1529" /* Vaxzevria */
#define ALERT_PHONE "+84912000111"

struct world {
	char *db;
	struct ts_server srv;
	struct ts_http *h;
	char *admin, *hanoi, *badinh, *manager, *staff, *viewer, *other;
	long long pw, dc, site, site2;
	long long session, session2;
	long long lot; /* PF, on hand at the site */
};

static struct world W;
static char today[11];

#define call(method, path, token, body, want)                                            \
	ts_call(W.h, (method), (path), (token), (body), (want))

static json_t *callf(const char *method, const char *path, const char *token, char *body,
                     long want)
{
	json_t *j = call(method, path, token, body, want);
	free(body);
	return j;
}

/* Expects an error answer; `path` and `body` are freed. */
static json_t *expect(const char *method, char *path, const char *token, char *body,
                      long status, const char *code, const char *field)
{
	struct ts_resp r = ts_req(W.h, method, path, token, body);
	if (r.status != status || (field && strcmp(ts_err_field(&r), field) != 0) ||
	    (code && strcmp(ts_err_code(&r), code) != 0))
		fail_msg("%s %s %s: %ld %s (wanted %ld %s %s)", method, path,
		         body ? body : "", r.status, r.body, status, code ? code : "",
		         field ? field : "");
	json_t *j = json_incref(r.json);
	ts_resp_free(&r);
	free(path);
	free(body);
	return j;
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

/* ---- the database itself, for what the API does not set ------------------- */

/* Runs one statement; gives the first column of the first row as a
 * number (0 when none). */
static long long sql(const char *text)
{
	long long v = 0;

	if (ts_is_pg()) {
		PGconn *c = PQconnectdb(W.db);
		assert_int_equal(PQstatus(c), CONNECTION_OK);
		PGresult *res = PQexec(c, text);
		int st = PQresultStatus(res);
		if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK)
			fail_msg("%s: %s", text, PQerrorMessage(c));
		if (st == PGRES_TUPLES_OK && PQntuples(res) > 0)
			v = atoll(PQgetvalue(res, 0, 0));
		PQclear(res);
		PQfinish(c);
		return v;
	}
	sqlite3 *db;
	sqlite3_stmt *s;
	assert_int_equal(sqlite3_open(W.db, &db), SQLITE_OK);
	sqlite3_busy_timeout(db, 5000);
	if (sqlite3_prepare_v2(db, text, -1, &s, NULL) != SQLITE_OK)
		fail_msg("%s: %s", text, sqlite3_errmsg(db));
	int rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		v = sqlite3_column_int64(s, 0);
	else if (rc != SQLITE_DONE)
		fail_msg("%s: %s", text, sqlite3_errmsg(db));
	sqlite3_finalize(s);
	sqlite3_close(db);
	return v;
}

static long long sqlf(char *text)
{
	long long v = sql(text);
	free(text);
	return v;
}

/* ---- set-up helpers ---------------------------------------------------------- */

static long long facility_named(const char *kind, const char *name)
{
	char *path = ts_fmt("/api/v1/facilities?kind=%s&limit=1000", kind);
	json_t *j = call("GET", path, W.admin, NULL, 200), *f;
	long long id = 0;
	size_t i;

	json_array_foreach(json_object_get(j, "facilities"), i, f)
	{
		if (strcmp(str(f, "name", NULL), name) == 0)
			id = num(f, "id", NULL);
	}
	json_decref(j);
	free(path);
	assert_true(id > 0);
	return id;
}

/* A new lot received at the warehouse and, with `to_site` doses, carried
 * down to the Phúc Xá site. */
static long long deliver(const char *product, long long to_site)
{
	static unsigned seq;
	char exp[11];
	json_t *j;
	char *path;

	ts_vn_day(200, exp);
	j = callf(
	        "POST", "/api/v1/lots", W.hanoi,
	        ts_fmt("{\"product\":\"%s\",\"lot_number\":\"V%u-%u\",\"expiry\":\"%s\","
	               "\"manufacturer\":\"Nhà sản xuất\"}",
	               product, ts_rand() % 100000, ++seq, exp),
	        201);
	long long lot = num(j, "lot", "id");
	json_decref(j);
	json_decref(callf("POST", "/api/v1/stock/receipts", W.hanoi,
	                  ts_fmt("{\"facility_id\":%lld,\"lot_id\":%lld,\"quantity\":100,"
	                         "\"source\":\"covax\"}",
	                         W.pw, lot),
	                  201));
	if (to_site == 0)
		return lot;
	const long long hops[2][2] = { { W.pw, W.dc }, { W.dc, W.site } };
	const char *by[2] = { W.hanoi, W.badinh }, *at[2] = { W.badinh, W.manager };
	for (int i = 0; i < 2; i++) {
		j = callf(
		        "POST", "/api/v1/stock/transfers", by[i],
		        ts_fmt("{\"from_facility\":%lld,\"to_facility\":%lld,\"items\":[{"
		               "\"lot_id\":%lld,\"quantity\":%lld}]}",
		               hops[i][0], hops[i][1], lot, to_site),
		        201);
		path = ts_fmt("/api/v1/stock/transfers/%lld/receive",
		              num(j, "transfer", "id"));
		json_decref(j);
		json_decref(
		        callf("POST", path, at[i],
		              ts_fmt("{\"items\":[{\"lot_id\":%lld,\"received\":%lld}]}",
		                     lot, to_site),
		              201));
		free(path);
	}
	return lot;
}

#define on_hand(facility, lot) ts_on_hand(W.h, W.admin, (facility), (lot))

/* The site's whole stock as text, for before and after. */
static char *site_stock(void)
{
	char *path = ts_fmt("/api/v1/stock?facility=%lld&all=1", W.site);
	json_t *j = call("GET", path, W.admin, NULL, 200);
	char *text =
	        json_dumps(json_object_get(j, "stock"), JSON_SORT_KEYS | JSON_COMPACT);
	json_decref(j);
	free(path);
	return text;
}

static long long session_new(long long site, const char *token)
{
	json_t *j = callf("POST", "/api/v1/sessions", token,
	                  ts_fmt("{\"site_id\":%lld,\"day\":\"%s\",\"starts\":\"00:00\","
	                         "\"ends\":\"23:59\",\"product\":\"%s\",\"capacity\":50}",
	                         site, today, PF),
	                  201);
	long long id = num(j, "session", "id");
	json_decref(j);
	return id;
}

/* A man of 30 living in Phúc Xá. */
static long long person(void)
{
	static int seq;
	seq++;
	json_t *j = callf(
	        "POST", "/api/v1/citizens", W.admin,
	        ts_fmt("{\"id_number\":\"001095%06d\",\"full_name\":\"Trần Văn Bình\","
	               "\"birth_date\":\"1995-03-0%d\",\"gender\":\"male\","
	               "\"commune_code\":\"00001\"}",
	               (int)(ts_rand() % 9000) * 100 + seq, 1 + seq % 9),
	        201);
	long long id = num(j, "citizen", "id");
	json_decref(j);
	return id;
}

static json_t *checkin(long long citizen, long long session, const char *token)
{
	return callf(
	        "POST", "/api/v1/visits", token,
	        ts_fmt("{\"citizen_id\":%lld,\"session_id\":%lld}", citizen, session),
	        201);
}

/* Every question an adult man is asked, "no" but `yes`. */
static char *answers(const char *yes)
{
	static const char *const codes[] = { "anaphylaxis_same_vaccine",
		                             "severe_reaction_previous_dose",
		                             "covid19_recent",
		                             "acute_illness",
		                             "chronic_progressing",
		                             "other_vaccine_14d",
		                             "anaphylaxis_grade3_other",
		                             "immunosuppression_severe",
		                             "allergy_any",
		                             "bleeding_disorder",
		                             "consciousness_behaviour" };
	char buf[1024] = "";
	size_t n = 0;
	for (size_t i = 0; i < sizeof codes / sizeof *codes; i++)
		n += (size_t)snprintf(
		        buf + n, sizeof buf - n, "%s\"%s\":%s", i ? "," : "", codes[i],
		        yes && strcmp(yes, codes[i]) == 0 ? "true" : "false");
	return ts_fmt(
	        "{\"temperature\":36.8,\"systolic\":120,\"diastolic\":80,\"pulse\":72,"
	        "\"answers\":{%s}}",
	        buf);
}

static json_t *screen(long long visit, const char *yes)
{
	char *path = ts_fmt("/api/v1/visits/%lld/screening", visit);
	json_t *j = callf("POST", path, W.staff, answers(yes), 201);
	free(path);
	return j;
}

static json_t *inject(long long visit, long long lot, const char *token, long want)
{
	char *path = ts_fmt("/api/v1/visits/%lld/injection", visit);
	json_t *j = callf("POST", path, token, ts_fmt("{\"lot_id\":%lld}", lot), want);
	free(path);
	return j;
}

static long long doses_of(long long citizen)
{
	char *path = ts_fmt("/api/v1/citizens/%lld/doses", citizen);
	json_t *j = call("GET", path, W.staff, NULL, 200);
	long long n = (long long)json_array_size(json_object_get(j, "doses"));
	json_decref(j);
	free(path);
	return n;
}

/* ---- the group ------------------------------------------------------------------- */

static int group_setup(void **state)
{
	(void)state;
	ts_vn_day(0, today);
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
	W.pw = facility_named("provincial_warehouse", "Kho vắc xin Hà Nội");
	W.dc = facility_named("district_centre", "Trung tâm Y tế quận Ba Đình");
	W.site = facility_named("vaccination_site", "Trạm Y tế phường Phúc Xá");
	/* another site of the district, with its own staff */
	json_t *j = call(
	        "POST", "/api/v1/facilities", W.admin,
	        "{\"kind\":\"vaccination_site\",\"name\":\"Trạm Y tế phường Trúc Bạch\","
	        "\"unit\":\"00004\",\"daily_capacity\":100}",
	        201);
	W.site2 = num(j, "facility", "id");
	json_decref(j);
	unsigned u = ts_rand() % 100000;
	json_decref(callf("POST", "/api/v1/users", W.admin,
	                  ts_fmt("{\"username\":\"trucbach%u\",\"password\":\"%s\","
	                         "\"role\":\"site_staff\",\"facility\":%lld}",
	                         u, TS_DEMO_PASSWORD, W.site2),
	                  201));
	char *name = ts_fmt("trucbach%u", u);
	W.other = ts_login(W.h, name, TS_DEMO_PASSWORD);
	free(name);
	W.lot = deliver(PF, 40);
	W.session = session_new(W.site, W.badinh);
	W.session2 = session_new(W.site, W.badinh);
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
	free(W.other);
	return st == 0 ? 0 : -1;
}

/* ---- the whole flow ------------------------------------------------------------------- */

static void test_full_flow(void **state)
{
	(void)state;
	long long who = person(), before = on_hand(W.site, W.lot);
	json_t *j;
	char *path;

	/* registered, approved, allocated, scheduled into the session */
	j = callf("POST", "/api/v1/registrations", W.hanoi,
	          ts_fmt("{\"citizen_id\":%lld}", who), 201);
	long long reg = num(j, "registration", "id");
	json_decref(j);
	json_decref(callf("POST", "/api/v1/registrations/approve", W.hanoi,
	                  ts_fmt("{\"ids\":[%lld]}", reg), 200));
	json_decref(callf("POST", "/api/v1/registrations/allocate", W.hanoi,
	                  ts_fmt("{\"ids\":[%lld],\"district\":\"001\"}", reg), 200));
	j = callf("POST", "/api/v1/registrations/schedule", W.badinh,
	          ts_fmt("{\"ids\":[%lld],\"session_id\":%lld}", reg, W.session), 200);
	assert_int_equal(num(j, "done", NULL), 1);
	json_decref(j);

	/* the queue lists the person without a visit */
	path = ts_fmt("/api/v1/sessions/%lld/queue", W.session);
	j = call("GET", path, W.staff, NULL, 200);
	json_t *p = json_array_get(json_object_get(j, "people"), 0);
	assert_int_equal(num(p, "citizen_id", NULL), who);
	assert_true(json_is_null(json_object_get(p, "visit")));
	json_decref(j);

	/* step 1: check-in, linked to the registration */
	j = checkin(who, W.session, W.staff);
	long long v = num(j, "visit", "id");
	assert_false(
	        json_is_true(json_object_get(json_object_get(j, "visit"), "walk_in")));
	assert_int_equal(num(json_object_get(j, "visit"), "registration_id", NULL), reg);
	assert_string_equal(str(j, "visit", "status"), "checked_in");
	assert_string_equal(str(j, "visit", "day"), today);
	json_decref(j);
	j = call("GET", path, W.staff, NULL, 200);
	p = json_array_get(json_object_get(j, "people"), 0);
	assert_int_equal(num(json_object_get(p, "visit"), "id", NULL), v);
	json_decref(j);
	free(path);

	/* step 2: screening, eligible */
	j = screen(v, NULL);
	json_t *sc = json_object_get(json_object_get(j, "visit"), "screening");
	assert_string_equal(str(j, "visit", "status"), "screened");
	assert_string_equal(str(sc, "outcome", NULL), "eligible");
	assert_string_equal(str(sc, "product", NULL), PF);
	assert_true(json_real_value(json_object_get(sc, "temperature")) > 36.7);
	assert_int_equal(num(sc, "observe_minutes", NULL), 30);
	json_decref(j);

	/* step 3: the injection */
	j = inject(v, W.lot, W.staff, 201);
	assert_null(json_object_get(j, "dose")); /* once, in the visit */
	json_t *dose = json_object_get(json_object_get(j, "visit"), "dose");
	long long dose_id = num(dose, "id", NULL);
	assert_true(dose_id > 0);
	assert_string_equal(str(dose, "kind", NULL), "primary");
	assert_int_equal(num(dose, "number", NULL), 1);
	assert_int_equal(num(dose, "lot_id", NULL), W.lot);
	assert_string_equal(str(dose, "given_on", NULL), today);
	assert_string_equal(str(dose, "source", NULL), "site");
	assert_string_equal(str(j, "visit", "status"), "vaccinated");
	assert_int_equal(num(json_object_get(j, "visit"), "dose_id", NULL),
	                 0); /* not a key */
	assert_true(num(json_object_get(j, "visit"), "observe_seconds_left", NULL) >
	            1700);
	json_decref(j);

	/* the stock: one dose fewer, an 'administered' movement with the dose */
	assert_int_equal(on_hand(W.site, W.lot), before - 1);
	path = ts_fmt("/api/v1/stock/movements?facility=%lld&limit=1000", W.site);
	j = call("GET", path, W.admin, NULL, 200);
	json_t *m;
	size_t i;
	int found = 0;
	json_array_foreach(json_object_get(j, "movements"), i, m)
	{
		if (strcmp(str(m, "kind", NULL), "administered") == 0 &&
		    num(m, "dose_id", NULL) == dose_id) {
			found++;
			assert_int_equal(num(m, "quantity", NULL), 1);
			assert_int_equal(num(m, "lot_id", NULL), W.lot);
		}
	}
	assert_int_equal(found, 1);
	json_decref(j);
	free(path);

	/* the registration is done */
	path = ts_fmt("/api/v1/registrations/%lld", reg);
	j = call("GET", path, W.hanoi, NULL, 200);
	assert_string_equal(str(j, "registration", "status"), "done");
	json_decref(j);
	free(path);

	/* step 4: too early to complete; the observation list has the person */
	json_decref(expect("POST", ts_fmt("/api/v1/visits/%lld/complete", v), W.staff,
	                   NULL, 409, "wrong_state", NULL));
	path = ts_fmt("/api/v1/visits?session=%lld&status=vaccinated", W.session);
	j = call("GET", path, W.staff, NULL, 200);
	assert_int_equal(num(json_array_get(json_object_get(j, "visits"), 0), "id", NULL),
	                 v);
	json_decref(j);
	free(path);

	/* the person's history and the lot's recipients */
	path = ts_fmt("/api/v1/citizens/%lld/doses", who);
	j = call("GET", path, W.staff, NULL, 200);
	assert_int_equal(json_array_size(json_object_get(j, "doses")), 1);
	dose = json_array_get(json_object_get(j, "doses"), 0);
	assert_int_equal(num(dose, "id", NULL), dose_id);
	assert_string_equal(str(dose, "kind", NULL), "primary");
	assert_int_equal(num(dose, "number", NULL), 1);
	json_decref(j);
	free(path);
	path = ts_fmt("/api/v1/lots/%lld/recipients", W.lot);
	j = call("GET", path, W.badinh, NULL, 200);
	found = 0;
	json_array_foreach(json_object_get(j, "recipients"), i, m)
	{
		found += num(m, "citizen_id", NULL) == who &&
		         num(m, "dose_id", NULL) == dose_id;
	}
	assert_int_equal(found, 1);
	json_decref(j);
	free(path);

	/* adverse events: mild, no alert; severe, an alert and an SMS */
	sqlf(ts_fmt("UPDATE facilities SET alert_phone = '%s' WHERE id = %lld",
	            ALERT_PHONE, W.dc));
	path = ts_fmt("/api/v1/visits/%lld/aefi", v);
	j = callf("POST", path, W.staff,
	          ts_fmt("{\"onset_at\":\"%sT01:00:00Z\",\"symptoms\":[\"fever\","
	                 "\"injection_site_pain\"],\"severity\":\"mild\",\"outcome\":"
	                 "\"recovering\"}",
	                 today),
	          201);
	assert_true(json_is_null(json_object_get(j, "alert_id")));
	assert_int_equal(num(j, "aefi", "dose_id"), dose_id);
	assert_int_equal(
	        json_array_size(json_object_get(json_object_get(j, "aefi"), "symptoms")),
	        2);
	json_decref(j);
	json_decref(
	        expect("POST", ts_fmt("%s", path), W.staff,
	               ts_fmt("{\"onset_at\":\"x\",\"symptoms\":[],\"severity\":\"mild\","
	                      "\"outcome\":\"recovering\"}"),
	               400, "invalid_field", "onset_at"));
	json_decref(
	        expect("POST", ts_fmt("%s", path), W.staff,
	               ts_fmt("{\"onset_at\":\"%sT01:00:00Z\",\"symptoms\":[\"fever\"],"
	                      "\"severity\":\"awful\",\"outcome\":\"recovering\"}",
	                      today),
	               400, "invalid_field", "severity"));
	free(path);
	path = ts_fmt("/api/v1/doses/%lld/aefi", dose_id);
	j = callf("POST", path, W.staff,
	          ts_fmt("{\"onset_at\":\"%sT01:10:00Z\",\"symptoms\":[\"anaphylaxis\"],"
	                 "\"severity\":\"severe\",\"actions\":\"adrenaline\",\"outcome\":"
	                 "\"hospitalised\"}",
	                 today),
	          201);
	long long alert = num(j, "alert_id", NULL);
	assert_true(alert > 0);
	json_decref(j);
	free(path);
	j = call("GET", "/api/v1/alerts?open=true", W.badinh, NULL, 200);
	json_t *al = json_array_get(json_object_get(j, "alerts"), 0);
	assert_int_equal(num(al, "id", NULL), alert);
	assert_string_equal(str(al, "kind", NULL), "aefi_severe");
	assert_int_equal(num(al, "facility_id", NULL), W.dc);
	assert_true(json_is_null(json_object_get(al, "acknowledged_at")));
	json_decref(j);
	j = call("GET", "/api/v1/alerts", W.viewer, NULL, 200);
	assert_true(json_array_size(json_object_get(j, "alerts")) >= 1);
	json_decref(j);
	assert_int_equal(
	        sqlf(ts_fmt(
	                "SELECT COUNT(*) FROM outbox WHERE recipient = '%s' AND kind = "
	                "'aefi_alert'",
	                ALERT_PHONE)),
	        1);
	path = ts_fmt("/api/v1/alerts/%lld/ack", alert);
	json_decref(call("POST", path, W.badinh, "{}", 200));
	json_decref(
	        expect("POST", path, W.badinh, ts_fmt("{}"), 409, "wrong_state", NULL));
	j = call("GET", "/api/v1/alerts?open=true", W.badinh, NULL, 200);
	assert_int_equal(json_array_size(json_object_get(j, "alerts")), 0);
	json_decref(j);

	/* the statistics count it */
	j = call("GET", "/api/v1/stats/daily", W.badinh, NULL, 200);
	json_t *d = json_array_get(json_object_get(j, "days"), 0);
	assert_string_equal(str(d, "day", NULL), today);
	assert_true(num(d, "doses", NULL) >= 1);
	json_t *bp = json_array_get(json_object_get(j, "by_product"), 0);
	assert_string_equal(str(bp, "product", NULL), PF);
	assert_string_equal(str(bp, "kind", NULL), "primary");
	assert_int_equal(num(bp, "number", NULL), 1);
	json_decref(j);
	j = call("GET", "/api/v1/stats/coverage?unit=001", W.viewer, NULL, 200);
	assert_string_equal(str(j, "unit", NULL), "001");
	assert_true(num(j, "first", NULL) >= 1);
	found = 0;
	json_array_foreach(json_object_get(j, "children"), i, m)
	{
		if (strcmp(str(m, "code", NULL), "00001") == 0)
			found = (int)num(m, "first", NULL);
	}
	assert_true(found >= 1);
	json_decref(j);
}

/* ---- a walk-in ---------------------------------------------------------------------- */

static void test_walk_in(void **state)
{
	(void)state;
	long long who = person();
	char *path = ts_fmt("/api/v1/sessions/%lld", W.session);
	json_t *j = call("GET", path, W.staff, NULL, 200);
	long long booked = num(j, "session", "booked");
	json_decref(j);

	j = checkin(who, W.session, W.staff);
	long long v = num(j, "visit", "id"), reg = num(j, "visit", "registration_id");
	assert_true(
	        json_is_true(json_object_get(json_object_get(j, "visit"), "walk_in")));
	assert_true(reg > 0);
	json_decref(j);
	j = call("GET", path, W.staff, NULL, 200);
	assert_int_equal(num(j, "session", "booked"), booked + 1);
	json_decref(j);
	free(path);
	path = ts_fmt("/api/v1/registrations/%lld", reg);
	j = call("GET", path, W.hanoi, NULL, 200);
	assert_string_equal(str(j, "registration", "status"), "scheduled");
	assert_int_equal(num(j, "registration", "session_id"), W.session);
	json_decref(j);
	free(path);

	/* checked in twice: 409 with the open visit */
	j = expect("POST", ts_fmt("/api/v1/visits"), W.staff,
	           ts_fmt("{\"citizen_id\":%lld,\"session_id\":%lld}", who, W.session),
	           409, "conflict", NULL);
	assert_int_equal(num(j, "error", "existing_id"), v);
	json_decref(j);
	/* another site's staff may not check in here */
	json_decref(expect(
	        "POST", ts_fmt("/api/v1/visits"), W.other,
	        ts_fmt("{\"citizen_id\":%lld,\"session_id\":%lld}", who, W.session), 403,
	        "out_of_jurisdiction", "session_id"));
	/* the walk-in is vaccinated like anyone */
	j = screen(v, NULL);
	json_decref(j);
	j = inject(v, W.lot, W.manager, 201);
	assert_int_equal(num(json_object_get(j, "visit"), "dose", "number"), 1);
	json_decref(j);
	path = ts_fmt("/api/v1/visits/%lld/cancel", v);
	json_decref(expect("POST", path, W.staff, ts_fmt("{\"reason\":\"left\"}"), 409,
	                   "wrong_state", NULL));
}

/* ---- a retried injection ------------------------------------------------------------------ */

/* The tablet lost the answer and sends the injection again with the same
 * Idempotency-Key: the first answer again, one dose. */
static void test_retried_injection(void **state)
{
	(void)state;
	long long who = person();
	json_t *j = checkin(who, W.session, W.staff);
	long long v = num(j, "visit", "id");
	json_decref(j);
	json_decref(screen(v, NULL));
	char *path = ts_fmt("/api/v1/visits/%lld/injection", v);
	char *body = ts_fmt("{\"lot_id\":%lld}", W.lot);
	const char *key = "Idempotency-Key: tablet-3-attempt-41";
	struct ts_resp a = ts_req_ct(W.h, "POST", path, W.staff, NULL, body, strlen(body), key);
	struct ts_resp b = ts_req_ct(W.h, "POST", path, W.staff, NULL, body, strlen(body), key);

	assert_int_equal(a.status, 201);
	assert_int_equal(b.status, 201);
	assert_string_equal(a.body, b.body);
	ts_resp_free(&a);
	ts_resp_free(&b);
	assert_int_equal(doses_of(who), 1);
	/* without the key it is a second injection, refused before the needle */
	json_decref(expect("POST", path, W.staff, body, 409, "wrong_state", NULL));
	assert_int_equal(doses_of(who), 1);
}

/* ---- postpone, refer, cancel ------------------------------------------------------------------ */

static void test_postpone_refer(void **state)
{
	(void)state;
	long long a = person(), b = person(), c = person();
	char until[11];
	json_t *j = checkin(a, W.session, W.staff);
	long long va = num(j, "visit", "id");
	json_decref(j);

	/* a question left out */
	json_decref(expect(
	        "POST", ts_fmt("/api/v1/visits/%lld/screening", va), W.staff,
	        ts_fmt("{\"temperature\":36.5,\"answers\":{\"allergy_any\":false}}"), 400,
	        "missing_field", NULL));
	json_decref(expect("POST", ts_fmt("/api/v1/visits/%lld/screening", va), W.staff,
	                   ts_fmt("{\"temperature\":\"hot\",\"answers\":{}}"), 400,
	                   "wrong_type", "temperature"));

	j = screen(va, "covid19_recent");
	ts_vn_day(90, until);
	assert_string_equal(str(j, "visit", "status"), "postponed");
	json_t *sc = json_object_get(json_object_get(j, "visit"), "screening");
	assert_string_equal(str(sc, "outcome", NULL), "postpone");
	assert_string_equal(str(sc, "postpone_until", NULL), until);
	assert_string_equal(
	        str(json_array_get(json_object_get(sc, "reasons"), 0), "code", NULL),
	        "covid19_recent");
	json_decref(j);
	json_decref(expect("POST", ts_fmt("/api/v1/visits/%lld/injection", va), W.staff,
	                   ts_fmt("{\"lot_id\":%lld}", W.lot), 409, "wrong_state", NULL));

	j = checkin(b, W.session, W.staff);
	long long vb = num(j, "visit", "id");
	json_decref(j);
	j = screen(vb, "severe_reaction_previous_dose");
	assert_string_equal(str(j, "visit", "status"), "referred");
	assert_string_equal(str(json_object_get(json_object_get(j, "visit"), "screening"),
	                        "outcome", NULL),
	                    "refer");
	json_decref(j);

	/* fever: postponed by the thermometer */
	j = checkin(c, W.session, W.staff);
	long long vc = num(j, "visit", "id");
	json_decref(j);
	char *body = answers(NULL);
	memcpy(strstr(body, "36.8"), "38.2", 4);
	char *path = ts_fmt("/api/v1/visits/%lld/screening", vc);
	j = callf("POST", path, W.staff, body, 201);
	assert_string_equal(str(j, "visit", "status"), "postponed");
	json_decref(j);
	free(path);
	/* the person leaves */
	path = ts_fmt("/api/v1/visits/%lld/cancel", vc);
	j = call("POST", path, W.staff, "{\"reason\":\"went home\"}", 201);
	assert_string_equal(str(j, "visit", "status"), "cancelled");
	json_decref(j);
	free(path);
	assert_int_equal(doses_of(a) + doses_of(b) + doses_of(c), 0);
}

/* ---- refused before the needle, with nothing changed --------------------------------------------- */

static void refused(long long visit, long long citizen, const char *token, char *body,
                    long status, const char *code, const char *field)
{
	char *stock = site_stock();
	long long n = doses_of(citizen);
	json_decref(expect("POST", ts_fmt("/api/v1/visits/%lld/injection", visit), token,
	                   body, status, code, field));
	char *after = site_stock();
	assert_string_equal(stock, after);
	assert_int_equal(doses_of(citizen), n);
	free(stock);
	free(after);
}

static void test_refusals(void **state)
{
	(void)state;
	long long who = person();
	json_t *j = checkin(who, W.session, W.staff);
	long long v = num(j, "visit", "id");
	json_decref(j);

	/* the visit's other steps, by staff of another site or on a visit that
	 * does not exist, are refused by their jobs, and the visit stays
	 * checked in (as the refusal below says) */
	json_decref(expect("POST", ts_fmt("/api/v1/visits/%lld/screening", v), W.other,
	                   answers(NULL), 403, "out_of_jurisdiction", NULL));
	json_decref(expect("POST", ts_fmt("/api/v1/visits/%lld/screening", v + 987654321),
	                   W.staff, answers(NULL), 404, "not_found", "id"));
	json_decref(expect("POST", ts_fmt("/api/v1/visits/%lld/cancel", v), W.other,
	                   ts_fmt("{\"reason\":\"left\"}"), 403, "out_of_jurisdiction",
	                   NULL));
	json_decref(expect("POST", ts_fmt("/api/v1/visits/%lld/complete", v), W.other,
	                   NULL, 403, "out_of_jurisdiction", NULL));
	json_decref(expect("POST", ts_fmt("/api/v1/visits/%lld/complete", v + 987654321),
	                   W.staff, NULL, 404, "not_found", "id"));
	/* not screened */
	refused(v, who, W.staff, ts_fmt("{\"lot_id\":%lld}", W.lot), 409, "wrong_state",
	        NULL);
	json_decref(screen(v, NULL));
	/* a lot not at this site (only at the warehouse) */
	long long away = deliver(PF, 0);
	refused(v, who, W.staff, ts_fmt("{\"lot_id\":%lld}", away), 409,
	        "insufficient_stock", "lot_id");
	/* another product than the one screened for */
	long long az = deliver(AZ, 5);
	refused(v, who, W.staff, ts_fmt("{\"lot_id\":%lld}", az), 400, "invalid_field",
	        "lot_id");
	/* an expired lot */
	long long old = deliver(PF, 5);
	sqlf(ts_fmt("UPDATE lots SET expiry = '2021-06-30' WHERE id = %lld", old));
	refused(v, who, W.staff, ts_fmt("{\"lot_id\":%lld}", old), 409, "lot_unusable",
	        "lot_id");
	/* a quarantined lot */
	long long bad = deliver(PF, 5);
	char *q = ts_fmt("/api/v1/lots/%lld/quarantine", bad);
	json_decref(call("POST", q, W.hanoi, "{\"reason\":\"Bộ Y tế thu hồi lô\"}", 201));
	free(q);
	refused(v, who, W.staff, ts_fmt("{\"lot_id\":%lld}", bad), 409, "lot_unusable",
	        "lot_id");
	/* staff of another site */
	refused(v, who, W.other, ts_fmt("{\"lot_id\":%lld}", W.lot), 403,
	        "out_of_jurisdiction", NULL);
	/* no such visit (the job reads it, not the HTTP thread) */
	refused(v + 987654321, who, W.staff, ts_fmt("{\"lot_id\":%lld}", W.lot), 404,
	        "not_found", "id");
	/* a body that does not parse is refused before the job */
	refused(v, who, W.staff, ts_fmt("{\"lot_id\":\"x\"}"), 400, "wrong_type",
	        "lot_id");
	/* no such lot */
	refused(v, who, W.staff, ts_fmt("{\"lot_id\":987654321}"), 400, "invalid_field",
	        "lot_id");

	/* given, then not twice for the same visit */
	json_decref(inject(v, W.lot, W.staff, 201));
	refused(v, who, W.staff, ts_fmt("{\"lot_id\":%lld}", W.lot), 409, "wrong_state",
	        NULL);

	/* a second visit the same day (another session: the first visit is
	 * still under observation): the schedule refuses, override or not */
	j = checkin(who, W.session2, W.staff);
	long long v2 = num(j, "visit", "id");
	json_decref(j);
	json_decref(screen(v2, NULL));
	refused(v2, who, W.staff, ts_fmt("{\"lot_id\":%lld}", W.lot), 409, "schedule",
	        "lot_id");
	refused(v2, who, W.staff,
	        ts_fmt("{\"lot_id\":%lld,\"override_reason\":\"travel abroad\"}", W.lot),
	        409, "schedule", "lot_id");

	/* the first dose a day earlier (the counters moved with it): too
	 * early for dose 2 (21 days) unless overridden */
	char yesterday[11], earliest[11];
	ts_vn_day(-1, yesterday);
	ts_vn_day(20, earliest);
	sqlf(ts_fmt("UPDATE doses SET given_on = '%s' WHERE citizen_id = %lld", yesterday,
	            who));
	sqlf(ts_fmt("UPDATE dose_counts SET n = n - 1 WHERE day = '%s' AND product = '%s'"
	            " AND kind = 'primary' AND number = 1 AND unit_code = '00001'",
	            today, PF));
	sqlf(ts_fmt("INSERT INTO dose_counts (day, unit_code, product, kind, number, n)"
	            " VALUES ('%s', '00001', '%s', 'primary', 1, 1) ON CONFLICT (day, "
	            "unit_code,"
	            " product, kind, number) DO UPDATE SET n = dose_counts.n + 1",
	            yesterday, PF));
	char *stock = site_stock();
	j = expect("POST", ts_fmt("/api/v1/visits/%lld/injection", v2), W.staff,
	           ts_fmt("{\"lot_id\":%lld}", W.lot), 409, "schedule", "lot_id");
	assert_string_equal(str(j, "error", "reason"), "too_early");
	assert_string_equal(str(j, "error", "earliest"), earliest);
	json_decref(j);
	char *after = site_stock();
	assert_string_equal(stock, after);
	free(stock);
	free(after);
	assert_int_equal(doses_of(who), 1);
	char *path = ts_fmt("/api/v1/visits/%lld/injection", v2);
	j = callf(
	        "POST", path, W.staff,
	        ts_fmt("{\"lot_id\":%lld,\"override_reason\":\"travel abroad\"}", W.lot),
	        201);
	free(path);
	json_t *dose = json_object_get(json_object_get(j, "visit"), "dose");
	assert_int_equal(num(dose, "number", NULL), 2);
	assert_string_equal(str(dose, "override_reason", NULL), "travel abroad");
	assert_string_equal(
	        json_string_value(json_array_get(json_object_get(dose, "flags"), 0)),
	        "too_early");
	json_decref(j);
	assert_int_equal(doses_of(who), 2);
}

/* ---- two injections for one person at once -------------------------------------------------- */

struct shot {
	long long visit;
	long status;
	char code[32];
};

static void *shoot(void *cls)
{
	struct shot *s = cls;
	struct ts_http *h = ts_http_new(&W.srv);
	char *path = ts_fmt("/api/v1/visits/%lld/injection", s->visit);
	char *body = ts_fmt("{\"lot_id\":%lld}", W.lot);
	struct ts_resp r = ts_req(h, "POST", path, W.staff, body);
	s->status = r.status;
	snprintf(s->code, sizeof s->code, "%s", ts_err_code(&r));
	ts_resp_free(&r);
	free(path);
	free(body);
	ts_http_free(h);
	return NULL;
}

static void test_concurrent(void **state)
{
	(void)state;
	long long who = person();
	json_t *j = checkin(who, W.session, W.staff);
	struct shot s[2] = { { .visit = num(j, "visit", "id") }, { 0 } };
	json_decref(j);
	j = checkin(who, W.session2, W.staff);
	s[1].visit = num(j, "visit", "id");
	json_decref(j);
	json_decref(screen(s[0].visit, NULL));
	json_decref(screen(s[1].visit, NULL));
	long long before = on_hand(W.site, W.lot);
	pthread_t t[2];
	for (int i = 0; i < 2; i++)
		assert_int_equal(pthread_create(&t[i], NULL, shoot, &s[i]), 0);
	for (int i = 0; i < 2; i++)
		pthread_join(t[i], NULL);
	int ok = (s[0].status == 201) + (s[1].status == 201);
	assert_int_equal(ok, 1);
	struct shot *lost = s[0].status == 201 ? &s[1] : &s[0];
	assert_int_equal(lost->status, 409);
	assert_string_equal(lost->code, "schedule");
	assert_int_equal(doses_of(who), 1);
	assert_int_equal(on_hand(W.site, W.lot), before - 1);
}

/* ---- the counters rebuilt from the doses agree ----------------------------------------------- */

static void test_stats_rebuild(void **state)
{
	(void)state;
	char *out = NULL;
	long long doses = sql("SELECT COUNT(*) FROM doses WHERE status = 'valid'");
	assert_true(doses >= 5);
	assert_int_equal(ts_server_stop(&W.srv), 0);
	int st = ts_run(NULL, &out, "stats", "rebuild", "--db", W.db, NULL);
	char *want = ts_fmt("%lld doses, 0 differences", doses);
	if (st != 0 || strstr(out, want) == NULL)
		fail_msg("stats rebuild: %d\n%s", st, out ? out : "");
	free(want);
	free(out);
	ts_server_start(&W.srv, W.db, "--login-max-per-addr", "1000", NULL);
	ts_http_free(W.h);
	W.h = ts_http_new(&W.srv);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_full_flow),
		cmocka_unit_test(test_walk_in),
		cmocka_unit_test(test_retried_injection),
		cmocka_unit_test(test_postpone_refer),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_concurrent),
		cmocka_unit_test(test_stats_rebuild),
	};
	return cmocka_run_group_tests_name(ts_is_pg() ? "visits (postgresql)"
	                                              : "visits (sqlite)",
	                                   tests, group_setup, group_teardown);
}
