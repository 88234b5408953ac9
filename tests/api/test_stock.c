/* The vaccine supply chain over HTTP on both backends (docs/stock.md):
 * lots, receipts into the provincial warehouse, shipping down to the
 * district centre (first expiry first) and receiving with exact
 * quantities or a shortfall, quarantine, VVM write-offs, physical counts,
 * wastage, allocations, a reconciliation checked by hand, who may do
 * what, and every refused write leaving the stock as it was. */
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

#define AZ "EU/1/21/1529" /* Vaxzevria */
#define PF "EU/1/20/1528" /* Comirnaty */

struct world {
	char *db;
	struct ts_server srv;
	struct ts_http *h;
	char *admin, *hanoi, *badinh, *manager, *staff, *viewer;
	long long nat, pw, dc, site, hcm; /* facilities */
};

static struct world W;
static char today[11], yesterday[11];
static unsigned lot_seq;

#define day_text ts_vn_day

/* a request that must answer `want` */
#define call(method, path, token, body, want) \
	ts_call(W.h, (method), (path), (token), (body), (want))

/* Like call(), with a body made by ts_fmt (freed). */
static json_t *callf(const char *method, const char *path, const char *token, char *body,
                     long want)
{
	json_t *j = call(method, path, token, body, want);
	free(body);
	return j;
}

/* Expects an error answer; `body` is freed. */
static void expect(const char *method, const char *path, const char *token, char *body,
                   long status, const char *code, const char *field)
{
	struct ts_resp r = ts_req(W.h, method, path, token, body);
	if (r.status != status || (field && strcmp(ts_err_field(&r), field) != 0) ||
	    (code && strcmp(ts_err_code(&r), code) != 0))
		fail_msg("%s %s %s: %ld %s (wanted %ld %s %s)", method, path,
		         body ? body : "", r.status, r.body, status, code ? code : "",
		         field ? field : "");
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

static const char *str(json_t *j, const char *a)
{
	return json_string_value(json_object_get(j, a));
}

static long long facility_named(const char *kind, const char *name)
{
	char *path = ts_fmt("/api/v1/facilities?kind=%s&limit=1000", kind);
	json_t *j = call("GET", path, W.admin, NULL, 200), *f;
	long long id = 0;
	size_t i;

	json_array_foreach(json_object_get(j, "facilities"), i, f)
	{
		if (strcmp(str(f, "name"), name) == 0)
			id = num(f, "id", NULL);
	}
	json_decref(j);
	free(path);
	assert_true(id > 0);
	return id;
}

/* A new lot of `product`, expiring `days` from today (or on `expiry`). */
static long long lot_new(const char *product, int days, const char *expiry)
{
	char exp[11];
	if (expiry == NULL) {
		day_text(days, exp);
		expiry = exp;
	}
	json_t *j = callf("POST", "/api/v1/lots", W.hanoi,
	                  ts_fmt("{\"product\":\"%s\",\"lot_number\":\"T%u-%u\","
	                         "\"expiry\":\"%s\",\"manufacturer\":\"Nhà sản xuất\"}",
	                         product, ts_rand() % 100000, ++lot_seq, expiry),
	                  201);
	long long id = num(j, "lot", "id");
	json_decref(j);
	return id;
}

static void receive_into(long long facility, long long lot, long long quantity)
{
	json_t *j =
	        callf("POST", "/api/v1/stock/receipts", W.hanoi,
	              ts_fmt("{\"facility_id\":%lld,\"lot_id\":%lld,\"quantity\":%lld,"
	                     "\"source\":\"covax\"}",
	                     facility, lot, quantity),
	              201);
	assert_true(num(j, "movement_id", NULL) > 0);
	assert_int_equal(num(j, "written_off", NULL), 0);
	json_decref(j);
}

/* Ships one line and returns the transfer's id. */
static long long ship(const char *token, long long from, long long to, long long lot,
                      long long quantity)
{
	json_t *j = callf("POST", "/api/v1/stock/transfers", token,
	                  ts_fmt("{\"from_facility\":%lld,\"to_facility\":%lld,"
	                         "\"items\":[{\"lot_id\":%lld,\"quantity\":%lld}]}",
	                         from, to, lot, quantity),
	                  201);
	long long id = num(j, "transfer", "id");
	assert_string_equal(str(json_object_get(j, "transfer"), "status"), "in_transit");
	json_decref(j);
	return id;
}

static void receive_all(const char *token, long long transfer, long long lot,
                        long long quantity)
{
	char *path = ts_fmt("/api/v1/stock/transfers/%lld/receive", transfer);
	json_decref(callf("POST", path, token,
	                  ts_fmt("{\"items\":[{\"lot_id\":%lld,\"received\":%lld}]}", lot,
	                         quantity),
	                  201));
	free(path);
}

#define on_hand(facility, lot) ts_on_hand(W.h, W.admin, (facility), (lot))

/* The whole country's stock and transit, as text, for before/after. */
static char *snapshot(void)
{
	json_t *j = call("GET", "/api/v1/stock?all=1", W.admin, NULL, 200);
	json_t *s = json_pack("{sOsO}", "stock", json_object_get(j, "stock"),
	                      "in_transit", json_object_get(j, "in_transit"));
	char *text = json_dumps(s, JSON_SORT_KEYS | JSON_COMPACT);
	json_decref(s);
	json_decref(j);
	return text;
}

static long long movements_count(void)
{
	json_t *j = call("GET", "/api/v1/stock/movements?limit=1000", W.admin, NULL, 200);
	long long n = (long long)json_array_size(json_object_get(j, "movements"));
	json_decref(j);
	return n;
}

static int group_setup(void **state)
{
	(void)state;
	day_text(0, today);
	day_text(-1, yesterday);
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
	W.nat = facility_named("national_warehouse", "Kho vắc xin quốc gia");
	W.pw = facility_named("provincial_warehouse", "Kho vắc xin Hà Nội");
	W.dc = facility_named("district_centre", "Trung tâm Y tế quận Ba Đình");
	W.site = facility_named("vaccination_site", "Trạm Y tế phường Phúc Xá");
	json_t *j =
	        call("POST", "/api/v1/facilities", W.admin,
	             "{\"kind\":\"provincial_warehouse\",\"name\":\"Kho vắc xin TP HCM\","
	             "\"unit\":\"79\"}",
	             201);
	W.hcm = num(j, "facility", "id");
	json_decref(j);
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
	return st;
}

/* ---- lots ------------------------------------------------------------------ */

static void test_lots(void **state)
{
	(void)state;
	char *body = ts_fmt("{\"product\":\"%s\",\"lot_number\":\"ABV%u\",\"expiry\":"
	                    "\"2030-03-31\",\"manufacturer\":\"AstraZeneca AB\"}",
	                    AZ, ts_rand() % 100000);
	json_t *j = call("POST", "/api/v1/lots", W.hanoi, body, 201), *lot;
	lot = json_object_get(j, "lot");
	long long id = num(lot, "id", NULL);
	assert_true(id > 0);
	assert_string_equal(str(lot, "product"), AZ);
	assert_string_equal(str(lot, "expiry"), "2030-03-31");
	assert_true(json_is_false(json_object_get(lot, "quarantined")));
	assert_true(json_is_false(json_object_get(lot, "expired")));
	assert_string_equal(str(lot, "manufacturer"), "AstraZeneca AB");
	json_decref(j);

	/* the same number again: 409 with the lot that has it */
	struct ts_resp r = ts_req(W.h, "POST", "/api/v1/lots", W.hanoi, body);
	assert_int_equal(r.status, 409);
	assert_string_equal(ts_err_code(&r), "conflict");
	assert_string_equal(ts_err_field(&r), "lot_number");
	assert_int_equal(num(r.json, "error", "existing_id"), id);
	ts_resp_free(&r);
	free(body);

	expect("POST", "/api/v1/lots", W.hanoi,
	       ts_fmt("{\"product\":\"%s\",\"lot_number\":\"X1\",\"expiry\":\"2030-02-"
	              "30\"}",
	              AZ),
	       400, "invalid_field", "expiry");
	expect("POST", "/api/v1/lots", W.hanoi,
	       ts_fmt("{\"product\":\"%s\",\"lot_number\":\"X1\",\"expiry\":\"31/03/"
	              "2030\"}",
	              AZ),
	       400, "invalid_field", "expiry");
	expect("POST", "/api/v1/lots", W.hanoi,
	       ts_fmt("{\"product\":\"%s\",\"lot_number\":\"%s\",\"expiry\":\"2030-03-"
	              "31\"}",
	              AZ, "A123456789012345678901234567890123456789X"),
	       400, "invalid_field", "lot_number");
	expect("POST", "/api/v1/lots", W.hanoi,
	       ts_fmt("{\"product\":\"%s\",\"lot_number\":\"Số "
	              "1\",\"expiry\":\"2030-03-31\"}",
	              AZ),
	       400, "invalid_field", "lot_number");
	expect("POST", "/api/v1/lots", W.hanoi,
	       ts_fmt("{\"product\":\"NOPE\",\"lot_number\":\"X1\",\"expiry\":\"2030-03-"
	              "31\"}"),
	       400, "invalid_field", "product");
	expect("POST", "/api/v1/lots", W.viewer,
	       ts_fmt("{\"product\":\"%s\",\"lot_number\":\"X1\",\"expiry\":\"2030-03-"
	              "31\"}",
	              AZ),
	       403, "forbidden", NULL);

	/* lists and reads */
	char *path = ts_fmt("/api/v1/lots?product=%s", AZ);
	j = call("GET", path, W.viewer, NULL, 200);
	assert_true(json_array_size(json_object_get(j, "lots")) >= 1);
	json_decref(j);
	free(path);
	path = ts_fmt("/api/v1/lots/%lld", id);
	j = call("GET", path, W.staff, NULL, 200);
	assert_int_equal(num(j, "lot", "id"), id);
	assert_int_equal(json_array_size(json_object_get(j, "holders")), 0);
	json_decref(j);
	free(path);
	json_decref(call("GET", "/api/v1/lots/99999999", W.admin, NULL, 404));
}

/* ---- receipt, FEFO, ship, receive ------------------------------------------------ */

static void test_receipt_ship_receive(void **state)
{
	(void)state;
	long long late = lot_new(AZ, 300, NULL), soon = lot_new(AZ, 100, NULL);

	receive_into(W.pw, late, 500);
	receive_into(W.pw, soon, 1000);
	assert_int_equal(on_hand(W.pw, soon), 1000);
	/* only warehouses take in from a supplier */
	expect("POST", "/api/v1/stock/receipts", W.hanoi,
	       ts_fmt("{\"facility_id\":%lld,\"lot_id\":%lld,\"quantity\":5,"
	              "\"source\":\"covax\"}",
	              W.dc, soon),
	       400, "invalid_field", "facility_id");

	/* FEFO: the soonest expiry first, then the next */
	char *path = ts_fmt("/api/v1/stock/fefo?facility=%lld&product=%s&quantity=1200",
	                    W.pw, AZ);
	json_t *j = call("GET", path, W.hanoi, NULL, 200), *picks;
	free(path);
	picks = json_object_get(j, "picks");
	assert_true(json_array_size(picks) >= 2);
	long long first_take = 0, late_take = 0;
	size_t i;
	json_t *p;
	/* earlier test lots of the product may come first: they expire sooner */
	json_array_foreach(picks, i, p)
	{
		if (num(p, "lot_id", NULL) == soon)
			first_take = num(p, "take", NULL);
		if (num(p, "lot_id", NULL) == late)
			late_take = num(p, "take", NULL);
		if (i > 0)
			assert_true(strcmp(str(json_array_get(picks, i - 1), "expiry"),
			                   str(p, "expiry")) <= 0);
	}
	assert_int_equal(first_take, 1000);
	assert_int_equal(late_take, 200);
	assert_int_equal(num(j, "short", NULL), 0);
	json_decref(j);

	/* ship 300 of the soonest to the district centre */
	long long t1 = ship(W.hanoi, W.pw, W.dc, soon, 300);
	assert_int_equal(on_hand(W.pw, soon), 700);
	j = call("GET", "/api/v1/stock?all=1", W.badinh, NULL, 200);
	int seen = 0;
	json_array_foreach(json_object_get(j, "in_transit"), i, p)
	{
		seen += num(p, "transfer_id", NULL) == t1 &&
		        num(p, "quantity", NULL) == 300;
	}
	assert_int_equal(seen, 1);
	json_decref(j);

	/* the district centre receives exactly what was shipped */
	receive_all(W.badinh, t1, soon, 300);
	assert_int_equal(on_hand(W.dc, soon), 300);
	path = ts_fmt("/api/v1/stock/transfers/%lld", t1);
	j = call("GET", path, W.viewer, NULL, 200);
	assert_string_equal(str(json_object_get(j, "transfer"), "status"), "received");
	json_decref(j);
	/* a site's staff does not see a transfer between the warehouse and the centre */
	json_decref(call("GET", path, W.staff, NULL, 403));
	free(path);
	/* already received */
	path = ts_fmt("/api/v1/stock/transfers/%lld/receive", t1);
	expect("POST", path, W.badinh,
	       ts_fmt("{\"items\":[{\"lot_id\":%lld,\"received\":300}]}", soon), 409,
	       "wrong_state", NULL);
	free(path);

	/* two lines, one arriving short: the reason is required */
	j = callf("POST", "/api/v1/stock/transfers", W.hanoi,
	          ts_fmt("{\"from_facility\":%lld,\"to_facility\":%lld,\"items\":"
	                 "[{\"lot_id\":%lld,\"quantity\":100},"
	                 "{\"lot_id\":%lld,\"quantity\":50}],\"note\":\"đợt 2\"}",
	                 W.pw, W.dc, soon, late),
	          201);
	long long t2 = num(j, "transfer", "id");
	assert_int_equal(
	        json_array_size(json_object_get(json_object_get(j, "transfer"), "items")),
	        2);
	json_decref(j);
	path = ts_fmt("/api/v1/stock/transfers/%lld/receive", t2);
	char *before = snapshot();
	expect("POST", path, W.badinh,
	       ts_fmt("{\"items\":[{\"lot_id\":%lld,\"received\":95},"
	              "{\"lot_id\":%lld,\"received\":50}]}",
	              soon, late),
	       400, "missing_field", "reason");
	/* every line must be named */
	expect("POST", path, W.badinh,
	       ts_fmt("{\"items\":[{\"lot_id\":%lld,\"received\":100}]}", soon), 400,
	       "missing_field", "items");
	/* not by a site of the district */
	expect("POST", path, W.manager,
	       ts_fmt("{\"items\":[{\"lot_id\":%lld,\"received\":100},"
	              "{\"lot_id\":%lld,\"received\":50}]}",
	              soon, late),
	       403, "out_of_jurisdiction", "to_facility");
	char *after = snapshot();
	assert_string_equal(before, after);
	free(before);
	free(after);
	j = callf("POST", path, W.badinh,
	          ts_fmt("{\"items\":[{\"lot_id\":%lld,\"received\":95},"
	                 "{\"lot_id\":%lld,\"received\":50}],"
	                 "\"reason\":\"5 lọ vỡ khi vận chuyển\"}",
	                 soon, late),
	          201);
	assert_string_equal(str(json_object_get(j, "transfer"), "discrepancy_reason"),
	                    "5 lọ vỡ khi vận chuyển");
	json_decref(j);
	free(path);
	assert_int_equal(on_hand(W.dc, soon), 395);
	assert_int_equal(on_hand(W.dc, late), 50);
	/* the shortfall is a discrepancy movement of 5 doses */
	path = ts_fmt("/api/v1/stock/movements?facility=%lld&lot=%lld", W.dc, soon);
	j = call("GET", path, W.badinh, NULL, 200);
	free(path);
	seen = 0;
	json_array_foreach(json_object_get(j, "movements"), i, p)
	{
		if (strcmp(str(p, "kind"), "discrepancy") == 0) {
			assert_int_equal(num(p, "quantity", NULL), 5);
			assert_string_equal(str(p, "src"), "transit");
			assert_string_equal(str(p, "dst"), "discrepancy");
			assert_int_equal(num(p, "transfer_id", NULL), t2);
			seen++;
		}
	}
	assert_int_equal(seen, 1);
	json_decref(j);
}

/* ---- bad input changes nothing ----------------------------------------------------- */

static void test_bad_input(void **state)
{
	(void)state;
	long long lot = lot_new(AZ, 90, NULL);
	long long old = lot_new(AZ, 0, "2021-06-30"); /* expired */
	receive_into(W.pw, lot, 100);
	long long t = ship(W.hanoi, W.pw, W.dc, lot, 10);
	char *rpath = ts_fmt("/api/v1/stock/transfers/%lld/receive", t);
	long long moves = movements_count();
	char *before = snapshot();

	/* unknown lot */
	expect("POST", "/api/v1/stock/receipts", W.hanoi,
	       ts_fmt("{\"facility_id\":%lld,\"lot_id\":99999999,\"quantity\":5,"
	              "\"source\":\"covax\"}",
	              W.pw),
	       400, "invalid_field", "lot_id");
	expect("POST", "/api/v1/stock/transfers", W.hanoi,
	       ts_fmt("{\"from_facility\":%lld,\"to_facility\":%lld,"
	              "\"items\":[{\"lot_id\":99999999,\"quantity\":5}]}",
	              W.pw, W.dc),
	       400, "invalid_field", "items[0].lot_id");
	/* unknown facility */
	expect("POST", "/api/v1/stock/receipts", W.hanoi,
	       ts_fmt("{\"facility_id\":99999999,\"lot_id\":%lld,\"quantity\":5,"
	              "\"source\":\"covax\"}",
	              lot),
	       400, "invalid_field", "facility_id");
	/* expired lot */
	expect("POST", "/api/v1/stock/receipts", W.hanoi,
	       ts_fmt("{\"facility_id\":%lld,\"lot_id\":%lld,\"quantity\":5,"
	              "\"source\":\"covax\"}",
	              W.pw, old),
	       409, "lot_unusable", "lot_id");
	/* quantity <= 0 */
	expect("POST", "/api/v1/stock/receipts", W.hanoi,
	       ts_fmt("{\"facility_id\":%lld,\"lot_id\":%lld,\"quantity\":0,"
	              "\"source\":\"covax\"}",
	              W.pw, lot),
	       400, "invalid_field", "quantity");
	expect("POST", "/api/v1/stock/transfers", W.hanoi,
	       ts_fmt("{\"from_facility\":%lld,\"to_facility\":%lld,"
	              "\"items\":[{\"lot_id\":%lld,\"quantity\":-3}]}",
	              W.pw, W.dc, lot),
	       400, "invalid_field", "items[0].quantity");
	expect("POST", "/api/v1/stock/wastage", W.hanoi,
	       ts_fmt("{\"facility_id\":%lld,\"lot_id\":%lld,\"quantity\":0,"
	              "\"reason\":\"breakage\"}",
	              W.pw, lot),
	       400, "invalid_field", "quantity");
	/* more than on hand (90 are left) */
	expect("POST", "/api/v1/stock/transfers", W.hanoi,
	       ts_fmt("{\"from_facility\":%lld,\"to_facility\":%lld,"
	              "\"items\":[{\"lot_id\":%lld,\"quantity\":91}]}",
	              W.pw, W.dc, lot),
	       409, "insufficient_stock", "items[0].quantity");
	expect("POST", "/api/v1/stock/wastage", W.hanoi,
	       ts_fmt("{\"facility_id\":%lld,\"lot_id\":%lld,\"quantity\":91,"
	              "\"reason\":\"breakage\"}",
	              W.pw, lot),
	       409, "insufficient_stock", "quantity");
	expect("POST", "/api/v1/stock/returns", W.hanoi,
	       ts_fmt("{\"facility_id\":%lld,\"lot_id\":%lld,\"quantity\":91,"
	              "\"reason\":\"recall\"}",
	              W.pw, lot),
	       409, "insufficient_stock", "quantity");
	/* receiving more than was shipped, without a reason */
	expect("POST", rpath, W.badinh,
	       ts_fmt("{\"items\":[{\"lot_id\":%lld,\"received\":12}]}", lot), 400,
	       "missing_field", "reason");
	/* a lot that is not on the transfer */
	expect("POST", rpath, W.badinh,
	       ts_fmt("{\"items\":[{\"lot_id\":%lld,\"received\":10}]}", old), 400,
	       "invalid_field", "items[0].lot_id");
	/* outside the sender's jurisdiction: the district ships from the province */
	expect("POST", "/api/v1/stock/transfers", W.badinh,
	       ts_fmt("{\"from_facility\":%lld,\"to_facility\":%lld,"
	              "\"items\":[{\"lot_id\":%lld,\"quantity\":5}]}",
	              W.pw, W.dc, lot),
	       403, "out_of_jurisdiction", "from_facility");
	/* ... or the province to another province */
	expect("POST", "/api/v1/stock/transfers", W.hanoi,
	       ts_fmt("{\"from_facility\":%lld,\"to_facility\":%lld,"
	              "\"items\":[{\"lot_id\":%lld,\"quantity\":5}]}",
	              W.pw, W.hcm, lot),
	       403, "out_of_jurisdiction", "to_facility");
	expect("POST", "/api/v1/stock/receipts", W.badinh,
	       ts_fmt("{\"facility_id\":%lld,\"lot_id\":%lld,\"quantity\":5,"
	              "\"source\":\"covax\"}",
	              W.pw, lot),
	       403, "out_of_jurisdiction", "facility_id");
	/* malformed items */
	expect("POST", "/api/v1/stock/transfers", W.hanoi,
	       ts_fmt("{\"from_facility\":%lld,\"to_facility\":%lld,\"items\":[]}", W.pw,
	              W.dc),
	       400, "invalid_field", "items");
	expect("POST", "/api/v1/stock/transfers", W.hanoi,
	       ts_fmt("{\"from_facility\":%lld,\"to_facility\":%lld}", W.pw, W.dc), 400,
	       "missing_field", "items");
	expect("POST", "/api/v1/stock/transfers", W.hanoi,
	       ts_fmt("{\"from_facility\":%lld,\"to_facility\":%lld,"
	              "\"items\":[{\"lot_id\":%lld,\"quantity\":1,\"x\":1}]}",
	              W.pw, W.dc, lot),
	       400, "unknown_field", "items[0].x");
	expect("POST", "/api/v1/stock/transfers", W.hanoi,
	       ts_fmt("{\"from_facility\":%lld,\"to_facility\":%lld,"
	              "\"items\":[{\"lot_id\":%lld,\"quantity\":1},"
	              "{\"lot_id\":%lld,\"quantity\":2}]}",
	              W.pw, W.dc, lot, lot),
	       400, "invalid_field", "items[1].lot_id");
	expect("POST", "/api/v1/stock/transfers", W.hanoi,
	       ts_fmt("{\"from_facility\":%lld,\"to_facility\":%lld,"
	              "\"items\":[{\"lot_id\":%lld,\"quantity\":1}]}",
	              W.pw, W.pw, lot),
	       400, "invalid_field", "to_facility");
	expect("POST", "/api/v1/stock/receipts", W.hanoi,
	       ts_fmt("{\"facility_id\":%lld,\"lot_id\":%lld,\"quantity\":5,"
	              "\"source\":\"gift\"}",
	              W.pw, lot),
	       400, "invalid_field", "source");

	char *after = snapshot();
	assert_string_equal(before, after);
	assert_int_equal(movements_count(), moves);
	free(before);
	free(after);

	/* with a reason, the extra doses come in */
	json_decref(callf("POST", rpath, W.badinh,
	                  ts_fmt("{\"items\":[{\"lot_id\":%lld,\"received\":12}],"
	                         "\"reason\":\"kho gửi thừa 2 liều\"}",
	                         lot),
	                  201));
	assert_int_equal(on_hand(W.dc, lot), 12);
	free(rpath);
}

/* ---- quarantine -------------------------------------------------------------------- */

static int alerts_for(long long lot, const char *reason)
{
	json_t *j = call("GET", "/api/v1/stock", W.viewer, NULL, 200), *a;
	int n = 0;
	size_t i;

	json_array_foreach(json_object_get(j, "alerts"), i, a)
	{
		n += num(a, "lot_id", NULL) == lot &&
		     strcmp(str(a, "reason"), reason) == 0;
	}
	json_decref(j);
	return n;
}

static void test_quarantine(void **state)
{
	(void)state;
	long long lot = lot_new(AZ, 150, NULL);
	receive_into(W.pw, lot, 200);
	receive_all(W.badinh, ship(W.hanoi, W.pw, W.dc, lot, 40), lot, 40);
	char *q = ts_fmt("/api/v1/lots/%lld/quarantine", lot);
	char *rel = ts_fmt("/api/v1/lots/%lld/release", lot);

	expect("POST", q, W.badinh, ts_fmt("{\"reason\":\"x\"}"), 403, "forbidden", NULL);
	expect("POST", q, W.hanoi, ts_fmt("{}"), 400, "missing_field", "reason");
	json_t *j = call("POST", q, W.hanoi, "{\"reason\":\"Bộ Y tế thu hồi lô\"}", 201);
	assert_true(
	        json_is_true(json_object_get(json_object_get(j, "lot"), "quarantined")));
	json_decref(j);
	expect("POST", q, W.hanoi, ts_fmt("{\"reason\":\"again\"}"), 409, "wrong_state",
	       NULL);
	/* every holder sees it */
	assert_int_equal(alerts_for(lot, "quarantined"), 2);
	char *path = ts_fmt("/api/v1/stock?facility=%lld", W.dc);
	j = call("GET", path, W.badinh, NULL, 200);
	json_t *a;
	size_t i;
	int seen = 0;
	json_array_foreach(json_object_get(j, "alerts"), i, a)
	{
		if (num(a, "lot_id", NULL) == lot) {
			assert_string_equal(str(a, "detail"), "Bộ Y tế thu hồi lô");
			assert_int_equal(num(a, "on_hand", NULL), 40);
			seen++;
		}
	}
	assert_int_equal(seen, 1);
	json_decref(j);
	free(path);
	path = ts_fmt("/api/v1/lots/%lld", lot);
	j = call("GET", path, W.hanoi, NULL, 200);
	assert_int_equal(json_array_size(json_object_get(j, "holders")), 2);
	json_decref(j);
	free(path);

	/* it cannot be shipped */
	char *before = snapshot();
	expect("POST", "/api/v1/stock/transfers", W.hanoi,
	       ts_fmt("{\"from_facility\":%lld,\"to_facility\":%lld,"
	              "\"items\":[{\"lot_id\":%lld,\"quantity\":5}]}",
	              W.pw, W.dc, lot),
	       409, "lot_unusable", "items[0].lot_id");
	char *after = snapshot();
	assert_string_equal(before, after);
	free(before);
	free(after);

	/* release: the national admin only */
	expect("POST", rel, W.hanoi, ts_fmt("{\"reason\":\"ok\"}"), 403, "forbidden",
	       NULL);
	json_decref(call("POST", rel, W.admin, "{\"reason\":\"kiểm định đạt\"}", 201));
	expect("POST", rel, W.admin, ts_fmt("{\"reason\":\"ok\"}"), 409, "wrong_state",
	       NULL);
	assert_int_equal(alerts_for(lot, "quarantined"), 0);
	ship(W.hanoi, W.pw, W.dc, lot, 5);
	free(q);
	free(rel);
}

/* ---- VVM on receipt, physical counts ------------------------------------------------- */

static void test_vvm_and_count(void **state)
{
	(void)state;
	long long lot = lot_new(AZ, 200, NULL), bad = lot_new(AZ, 200, NULL);

	/* VVM stage 3 on arrival: written off at once */
	json_t *j = callf("POST", "/api/v1/stock/receipts", W.hanoi,
	                  ts_fmt("{\"facility_id\":%lld,\"lot_id\":%lld,\"quantity\":60,"
	                         "\"source\":\"donation\",\"party\":\"COVAX\",\"vvm\":3}",
	                         W.pw, bad),
	                  201);
	assert_int_equal(num(j, "written_off", NULL), 60);
	json_decref(j);
	assert_int_equal(on_hand(W.pw, bad), 0);
	char *path = ts_fmt("/api/v1/stock/movements?facility=%lld&lot=%lld", W.pw, bad);
	j = call("GET", path, W.hanoi, NULL, 200);
	json_t *m;
	size_t i;
	int wasted = 0;
	json_array_foreach(json_object_get(j, "movements"), i, m)
	{
		wasted += strcmp(str(m, "kind"), "wastage") == 0 &&
		          strcmp(str(m, "reason"), "vvm") == 0 &&
		          num(m, "quantity", NULL) == 60;
	}
	assert_int_equal(wasted, 1);
	json_decref(j);
	free(path);
	expect("POST", "/api/v1/stock/receipts", W.hanoi,
	       ts_fmt("{\"facility_id\":%lld,\"lot_id\":%lld,\"quantity\":1,"
	              "\"source\":\"covax\",\"vvm\":5}",
	              W.pw, bad),
	       400, "invalid_field", "vvm");

	/* a count that matches needs no reason */
	receive_into(W.pw, lot, 80);
	j = callf("POST", "/api/v1/stock/adjustments", W.hanoi,
	          ts_fmt("{\"facility_id\":%lld,\"lot_id\":%lld,\"counted\":80}", W.pw,
	                 lot),
	          201);
	assert_int_equal(num(j, "delta", NULL), 0);
	assert_int_equal(num(j, "on_hand", NULL), 80);
	json_decref(j);
	/* one that differs does */
	char *before = snapshot();
	expect("POST", "/api/v1/stock/adjustments", W.hanoi,
	       ts_fmt("{\"facility_id\":%lld,\"lot_id\":%lld,\"counted\":77}", W.pw, lot),
	       400, "missing_field", "reason");
	expect("POST", "/api/v1/stock/adjustments", W.hanoi,
	       ts_fmt("{\"facility_id\":%lld,\"lot_id\":%lld,\"counted\":-1,\"reason\":"
	              "\"x\"}",
	              W.pw, lot),
	       400, "invalid_field", "counted");
	char *after = snapshot();
	assert_string_equal(before, after);
	free(before);
	free(after);
	j = callf("POST", "/api/v1/stock/adjustments", W.hanoi,
	          ts_fmt("{\"facility_id\":%lld,\"lot_id\":%lld,\"counted\":77,"
	                 "\"reason\":\"kiểm kê cuối tháng\"}",
	                 W.pw, lot),
	          201);
	assert_int_equal(num(j, "delta", NULL), -3);
	assert_int_equal(num(j, "on_hand", NULL), 77);
	json_decref(j);
	assert_int_equal(on_hand(W.pw, lot), 77);
	j = callf("POST", "/api/v1/stock/adjustments", W.hanoi,
	          ts_fmt("{\"facility_id\":%lld,\"lot_id\":%lld,\"counted\":79,"
	                 "\"reason\":\"tìm thấy 2 lọ\"}",
	                 W.pw, lot),
	          201);
	assert_int_equal(num(j, "delta", NULL), 2);
	json_decref(j);
	assert_int_equal(on_hand(W.pw, lot), 79);
}

/* ---- wastage, roles --------------------------------------------------------------------- */

static void test_wastage_and_roles(void **state)
{
	(void)state;
	long long lot = lot_new(AZ, 120, NULL);
	receive_into(W.pw, lot, 100);
	receive_all(W.badinh, ship(W.hanoi, W.pw, W.dc, lot, 50), lot, 50);
	/* the district centre ships on to the site, whose manager receives */
	receive_all(W.manager, ship(W.badinh, W.dc, W.site, lot, 20), lot, 20);
	assert_int_equal(on_hand(W.site, lot), 20);

	char *before = snapshot();
	expect("POST", "/api/v1/stock/wastage", W.staff,
	       ts_fmt("{\"facility_id\":%lld,\"lot_id\":%lld,\"quantity\":1,"
	              "\"reason\":\"spilled\"}",
	              W.site, lot),
	       400, "invalid_field", "reason");
	expect("POST", "/api/v1/stock/wastage", W.staff,
	       ts_fmt("{\"facility_id\":%lld,\"lot_id\":%lld,\"quantity\":1,"
	              "\"reason\":\"other\"}",
	              W.site, lot),
	       400, "missing_field", "note");
	expect("POST", "/api/v1/stock/wastage", W.staff,
	       ts_fmt("{\"facility_id\":%lld,\"lot_id\":%lld,\"quantity\":1}", W.site,
	              lot),
	       400, "missing_field", "reason");
	/* the site's staff record wastage at their site only */
	expect("POST", "/api/v1/stock/wastage", W.staff,
	       ts_fmt("{\"facility_id\":%lld,\"lot_id\":%lld,\"quantity\":1,"
	              "\"reason\":\"breakage\"}",
	              W.dc, lot),
	       403, "out_of_jurisdiction", "facility_id");
	/* site staff cannot ship, viewers write nothing */
	expect("POST", "/api/v1/stock/transfers", W.staff,
	       ts_fmt("{\"from_facility\":%lld,\"to_facility\":%lld,"
	              "\"items\":[{\"lot_id\":%lld,\"quantity\":1}]}",
	              W.site, W.dc, lot),
	       403, "forbidden", NULL);
	expect("POST", "/api/v1/stock/receipts", W.viewer,
	       ts_fmt("{\"facility_id\":%lld,\"lot_id\":%lld,\"quantity\":5,"
	              "\"source\":\"covax\"}",
	              W.pw, lot),
	       403, "forbidden", NULL);
	expect("POST", "/api/v1/stock/wastage", W.viewer,
	       ts_fmt("{\"facility_id\":%lld,\"lot_id\":%lld,\"quantity\":1,"
	              "\"reason\":\"breakage\"}",
	              W.site, lot),
	       403, "forbidden", NULL);
	expect("POST", "/api/v1/stock/adjustments", W.staff,
	       ts_fmt("{\"facility_id\":%lld,\"lot_id\":%lld,\"counted\":1,\"reason\":"
	              "\"x\"}",
	              W.site, lot),
	       403, "forbidden", NULL);
	char *after = snapshot();
	assert_string_equal(before, after);
	free(before);
	free(after);

	json_t *j = callf("POST", "/api/v1/stock/wastage", W.staff,
	                  ts_fmt("{\"facility_id\":%lld,\"lot_id\":%lld,\"quantity\":2,"
	                         "\"reason\":\"breakage\",\"note\":\"rơi vỡ\"}",
	                         W.site, lot),
	                  201);
	assert_true(num(j, "movement_id", NULL) > 0);
	json_decref(j);
	json_decref(callf("POST", "/api/v1/stock/wastage", W.manager,
	                  ts_fmt("{\"facility_id\":%lld,\"lot_id\":%lld,\"quantity\":1,"
	                         "\"reason\":\"other\",\"note\":\"nhiệt độ tủ lạnh\"}",
	                         W.site, lot),
	                  201));
	assert_int_equal(on_hand(W.site, lot), 17);
	/* viewers and staff read */
	char *path = ts_fmt("/api/v1/stock?facility=%lld", W.site);
	json_decref(call("GET", path, W.staff, NULL, 200));
	free(path);
	path = ts_fmt("/api/v1/stock?facility=%lld", W.pw);
	json_decref(call("GET", path, W.staff, NULL, 403));
	free(path);
	json_decref(call("GET", "/api/v1/stock/movements", W.viewer, NULL, 200));
}

/* ---- allocations ---------------------------------------------------------------------------- */

static void test_allocations(void **state)
{
	(void)state;
	long long lot = lot_new(AZ, 250, NULL);
	receive_into(W.pw, lot, 500);
	json_t *j = callf("POST", "/api/v1/stock/allocations", W.hanoi,
	                  ts_fmt("{\"from_facility\":%lld,\"to_facility\":%lld,"
	                         "\"product\":\"%s\",\"quantity\":100}",
	                         W.pw, W.dc, AZ),
	                  201);
	long long al = num(j, "allocation", "id");
	assert_int_equal(num(j, "allocation", "shipped"), 0);
	json_decref(j);
	expect("POST", "/api/v1/stock/allocations", W.badinh,
	       ts_fmt("{\"from_facility\":%lld,\"to_facility\":%lld,"
	              "\"product\":\"%s\",\"quantity\":100}",
	              W.pw, W.dc, AZ),
	       403, "out_of_jurisdiction", "from_facility");
	expect("POST", "/api/v1/stock/transfers", W.hanoi,
	       ts_fmt("{\"from_facility\":%lld,\"to_facility\":%lld,\"allocation_id\":%"
	              "lld,"
	              "\"items\":[{\"lot_id\":%lld,\"quantity\":150}]}",
	              W.pw, W.dc, al, lot),
	       400, "invalid_field", "allocation_id");
	json_decref(callf("POST", "/api/v1/stock/transfers", W.hanoi,
	                  ts_fmt("{\"from_facility\":%lld,\"to_facility\":%lld,"
	                         "\"allocation_id\":%lld,"
	                         "\"items\":[{\"lot_id\":%lld,\"quantity\":60}]}",
	                         W.pw, W.dc, al, lot),
	                  201));
	char *path = ts_fmt("/api/v1/stock/allocations?facility=%lld", W.dc);
	j = call("GET", path, W.badinh, NULL, 200);
	json_t *a;
	size_t i;
	int seen = 0;
	json_array_foreach(json_object_get(j, "allocations"), i, a)
	{
		if (num(a, "id", NULL) == al) {
			assert_int_equal(num(a, "shipped", NULL), 60);
			seen++;
		}
	}
	assert_int_equal(seen, 1);
	json_decref(j);
	free(path);
}

/* ---- reconciliation --------------------------------------------------------------------------- */

static json_t *find_by(json_t *arr, const char *key, long long id)
{
	json_t *v;
	size_t i;
	json_array_foreach(arr, i, v)
	{
		if (num(v, key, NULL) == id)
			return v;
	}
	return NULL;
}

static void test_reconciliation(void **state)
{
	(void)state;
	/* a Comirnaty lot: the only one of its product at the site */
	long long lot = lot_new(PF, 180, NULL);
	receive_into(W.pw, lot, 100);
	receive_all(W.badinh, ship(W.hanoi, W.pw, W.dc, lot, 60), lot, 60);
	receive_all(W.manager, ship(W.badinh, W.dc, W.site, lot, 40), lot, 40);
	/* at the site: 3 broken, a count finds 35 of 37, 5 go back on a recall */
	json_decref(callf("POST", "/api/v1/stock/wastage", W.staff,
	                  ts_fmt("{\"facility_id\":%lld,\"lot_id\":%lld,\"quantity\":3,"
	                         "\"reason\":\"breakage\"}",
	                         W.site, lot),
	                  201));
	json_decref(callf("POST", "/api/v1/stock/adjustments", W.manager,
	                  ts_fmt("{\"facility_id\":%lld,\"lot_id\":%lld,\"counted\":35,"
	                         "\"reason\":\"kiểm kê\"}",
	                         W.site, lot),
	                  201));
	json_decref(callf("POST", "/api/v1/stock/returns", W.manager,
	                  ts_fmt("{\"facility_id\":%lld,\"lot_id\":%lld,\"quantity\":5,"
	                         "\"reason\":\"thu hồi\",\"party\":\"Pfizer\"}",
	                         W.site, lot),
	                  201));

	/* today, in Vietnam:
	 *   opening 0 + received 40 - sent 5 (the return) - administered 0
	 *   - wasted 3 - expired 0 + adjust_in 0 - adjust_out 2 (37 counted
	 *   as 35) = closing 30; wastage rate 3 / (0 + 3) = 1. */
	char *path = ts_fmt("/api/v1/stock/reconciliation?facility=%lld&from=%s&to=%s",
	                    W.site, today, today);
	json_t *j = call("GET", path, W.manager, NULL, 200), *row;
	free(path);
	row = find_by(json_object_get(j, "lots"), "lot_id", lot);
	assert_non_null(row);
	assert_int_equal(num(row, "opening", NULL), 0);
	assert_int_equal(num(row, "received", NULL), 40);
	assert_int_equal(num(row, "sent", NULL), 5);
	assert_int_equal(num(row, "administered", NULL), 0);
	assert_int_equal(num(row, "wasted", NULL), 3);
	assert_int_equal(num(row, "expired", NULL), 0);
	assert_int_equal(num(row, "adjust_in", NULL), 0);
	assert_int_equal(num(row, "adjust_out", NULL), 2);
	assert_int_equal(num(row, "closing", NULL), 30);
	assert_true(json_is_true(json_object_get(j, "balanced")));
	json_t *p, *prod = NULL;
	size_t i;
	json_array_foreach(json_object_get(j, "products"), i, p)
	{
		if (strcmp(str(p, "product"), PF) == 0)
			prod = p;
	}
	assert_non_null(prod);
	assert_int_equal(num(prod, "closing", NULL), 30);
	assert_true(json_real_value(json_object_get(prod, "wastage_rate")) == 1.0);
	json_decref(j);
	assert_int_equal(on_hand(W.site, lot), 30);

	/* days of stock left at the site: 3 doses left for use in 7 days
	 * (the wastage; a return is not use), 30 on hand: 30 * 7 / 3 = 70 */
	path = ts_fmt("/api/v1/stock?facility=%lld&product=%s", W.site, PF);
	j = call("GET", path, W.staff, NULL, 200);
	free(path);
	json_t *d = NULL;
	json_array_foreach(json_object_get(j, "days_left"), i, p)
	{
		if (strcmp(str(p, "product"), PF) == 0)
			d = p;
	}
	assert_non_null(d);
	assert_int_equal(num(d, "on_hand", NULL), 30);
	assert_int_equal(num(d, "used_7d", NULL), 3);
	assert_int_equal(num(d, "days_left", NULL), 70);
	json_decref(j);

	/* the wastage movement carries no flag: nothing to resolve */
	path = ts_fmt("/api/v1/stock/movements?facility=%lld&lot=%lld", W.site, lot);
	j = call("GET", path, W.manager, NULL, 200);
	free(path);
	long long mid = 0;
	json_array_foreach(json_object_get(j, "movements"), i, p)
	{
		if (strcmp(str(p, "kind"), "wastage") == 0)
			mid = num(p, "id", NULL);
	}
	json_decref(j);
	assert_true(mid > 0);
	path = ts_fmt("/api/v1/stock/movements/%lld/resolve", mid);
	expect("POST", path, W.staff, ts_fmt("{\"resolution\":\"x\"}"), 403, "forbidden",
	       NULL);
	expect("POST", path, W.manager, ts_fmt("{\"resolution\":\"x\"}"), 409,
	       "wrong_state", NULL);
	free(path);
	path = ts_fmt("/api/v1/stock/vials?facility=%lld", W.site);
	j = call("GET", path, W.staff, NULL, 200);
	assert_true(json_is_array(json_object_get(j, "vials")));
	json_decref(j);
	free(path);

	/* the provincial warehouse that day: 100 in, 60 out, 40 left */
	path = ts_fmt("/api/v1/stock/reconciliation?facility=%lld&from=%s&to=%s", W.pw,
	              yesterday, today);
	j = call("GET", path, W.hanoi, NULL, 200);
	free(path);
	row = find_by(json_object_get(j, "lots"), "lot_id", lot);
	assert_non_null(row);
	assert_int_equal(num(row, "received", NULL), 100);
	assert_int_equal(num(row, "sent", NULL), 60);
	assert_int_equal(num(row, "closing", NULL), 40);
	json_decref(j);

	/* yesterday nothing had happened: the lot is not there */
	path = ts_fmt("/api/v1/stock/reconciliation?facility=%lld&from=%s&to=%s", W.site,
	              yesterday, yesterday);
	j = call("GET", path, W.manager, NULL, 200);
	free(path);
	assert_null(find_by(json_object_get(j, "lots"), "lot_id", lot));
	json_decref(j);

	path = ts_fmt("/api/v1/stock/reconciliation?facility=%lld&from=%s&to=%s", W.site,
	              today, yesterday);
	ts_expect(ts_req(W.h, "GET", path, W.manager, NULL), 400, "invalid_parameter",
	          "to");
	free(path);
	path = ts_fmt("/api/v1/stock/reconciliation?facility=%lld&from=%s&to=%s", W.pw,
	              today, today);
	ts_expect(ts_req(W.h, "GET", path, W.manager, NULL), 403, "out_of_jurisdiction",
	          NULL);
	free(path);

	/* wastage rates of the district */
	path = ts_fmt("/api/v1/stock/wastage-rates?unit=001&from=%s&to=%s", today, today);
	j = call("GET", path, W.badinh, NULL, 200);
	free(path);
	int seen = 0;
	json_array_foreach(json_object_get(j, "rates"), i, p)
	{
		if (num(p, "facility_id", NULL) == W.site &&
		    strcmp(str(p, "product"), PF) == 0) {
			assert_int_equal(num(p, "wasted", NULL), 3);
			seen++;
		}
	}
	assert_int_equal(seen, 1);
	json_decref(j);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lots),
		cmocka_unit_test(test_receipt_ship_receive),
		cmocka_unit_test(test_bad_input),
		cmocka_unit_test(test_quarantine),
		cmocka_unit_test(test_vvm_and_count),
		cmocka_unit_test(test_wastage_and_roles),
		cmocka_unit_test(test_allocations),
		cmocka_unit_test(test_reconciliation),
	};
	return cmocka_run_group_tests_name(ts_is_pg() ? "stock (postgresql)"
	                                              : "stock (sqlite)",
	                                   tests, group_setup, group_teardown);
}
