/* Idempotency keys over HTTP on both backends (POST /api/v1/citizens as
 * the write): a retry with the same key gets the first answer again and
 * stores nothing twice, even when 20 copies race and across a restart; a
 * key reused for another request is 422; keys belong to one account; a
 * failed write keeps no key. Children without a document are used where
 * a second record would be possible, so a double write would show. */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/arena.h"
#include "db/db.h"
#include "tsupport.h"

struct world {
	char *db;
	struct ts_server srv;
	struct ts_http *h;
	char *admin, *hanoi;
};

static struct world W;

static void start(void)
{
	ts_server_start(&W.srv, W.db, "--login-max-per-addr", "1000", NULL);
	W.h = ts_http_new(&W.srv);
}

static int group_setup(void **state)
{
	(void)state;
	W.db = ts_db_new();
	ts_db_seed(W.db);
	start();
	W.admin = ts_login(W.h, "admin", TS_DEMO_PASSWORD);
	W.hanoi = ts_login(W.h, "hanoi", TS_DEMO_PASSWORD);
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
	return st == 0 ? 0 : -1;
}

/* POST /api/v1/citizens with an Idempotency-Key (NULL: none). */
static struct ts_resp post_on(struct ts_http *h, const char *token, const char *key,
                              const char *body)
{
	char *hdr = key ? ts_fmt("Idempotency-Key: %s", key) : NULL;
	struct ts_resp r = ts_req_ct(h, "POST", "/api/v1/citizens", token, NULL, body,
	                             strlen(body), hdr);
	free(hdr);
	return r;
}

static struct ts_resp post(const char *token, const char *key, const char *body)
{
	return post_on(W.h, token, key, body);
}

static bool replayed(const struct ts_resp *r)
{
	return strcasestr(r->headers, "\nIdempotent-Replayed: true") != NULL;
}

/* A child without a document: nothing unique about the record. */
static char *child(const char *name)
{
	return ts_fmt("{\"full_name\":\"%s\",\"birth_date\":\"2024-03\",\"gender\":\"male\","
	              "\"commune_code\":\"00001\"}",
	              name);
}

static long long citizen_id(const struct ts_resp *r)
{
	return json_integer_value(json_object_get(json_object_get(r->json, "citizen"), "id"));
}

/* How many people the name search finds. */
static size_t count_named(const char *name)
{
	char enc[256] = "", *e = enc;
	for (const unsigned char *p = (const unsigned char *)name; *p; p++)
		e += sprintf(e, "%%%02X", *p);
	char *q = ts_fmt("/api/v1/citizens?q=%s", enc);
	json_t *j = ts_call(W.h, "GET", q, W.admin, NULL, 200);
	size_t n = json_array_size(json_object_get(j, "citizens"));
	json_decref(j);
	free(q);
	return n;
}

static void test_replay(void **state)
{
	(void)state;
	char *body = child("Trần Văn Lặp");
	struct ts_resp a = post(W.admin, "replay-1", body);
	assert_int_equal(a.status, 201);
	assert_false(replayed(&a));
	assert_true(citizen_id(&a) > 0);

	struct ts_resp b = post(W.admin, "replay-1", body);
	assert_int_equal(b.status, 201);
	assert_true(replayed(&b));
	assert_string_equal(a.body, b.body); /* the same record and QR token */
	assert_int_equal(count_named("Trần Văn Lặp"), 1);

	/* without a key the same request is a new write */
	struct ts_resp c = post(W.admin, NULL, body);
	assert_int_equal(c.status, 201);
	assert_false(replayed(&c));
	assert_true(citizen_id(&c) != citizen_id(&a));
	assert_int_equal(count_named("Trần Văn Lặp"), 2);
	ts_resp_free(&a);
	ts_resp_free(&b);
	ts_resp_free(&c);
	free(body);
}

static void test_reused_key(void **state)
{
	(void)state;
	char *one = child("Phạm Văn Một"), *two = child("Phạm Văn Hai");
	struct ts_resp a = post(W.admin, "reuse-1", one);
	assert_int_equal(a.status, 201);
	ts_expect(post(W.admin, "reuse-1", two), 422, "idempotency_key_reused",
	          "Idempotency-Key");
	/* the first request still gets its answer */
	struct ts_resp b = post(W.admin, "reuse-1", one);
	assert_int_equal(b.status, 201);
	assert_true(replayed(&b));
	assert_string_equal(a.body, b.body);
	assert_int_equal(count_named("Phạm Văn Hai"), 0);
	assert_int_equal(count_named("Phạm Văn Một"), 1);
	ts_resp_free(&a);
	ts_resp_free(&b);
	free(one);
	free(two);
}

static void test_keys_per_account(void **state)
{
	(void)state;
	char *one = child("Đỗ Văn Riêng"), *two = child("Đỗ Thị Riêng");
	struct ts_resp a = post(W.admin, "shared-key", one);
	struct ts_resp b = post(W.hanoi, "shared-key", two);
	assert_int_equal(a.status, 201);
	assert_int_equal(b.status, 201);
	assert_false(replayed(&a));
	assert_false(replayed(&b));
	assert_true(citizen_id(&a) != citizen_id(&b));
	/* the same request from two accounts is two writes */
	struct ts_resp c = post(W.hanoi, "shared-key-2", one);
	struct ts_resp d = post(W.admin, "shared-key-2", one);
	assert_false(replayed(&d));
	assert_true(citizen_id(&c) != citizen_id(&d));
	assert_int_equal(count_named("Đỗ Văn Riêng"), 3);
	ts_resp_free(&a);
	ts_resp_free(&b);
	ts_resp_free(&c);
	ts_resp_free(&d);
	free(one);
	free(two);
}

static void test_failed_requests_keep_no_key(void **state)
{
	(void)state;
	/* refused before the write */
	ts_expect(post(W.admin, "fail-1",
	               "{\"full_name\":\"Vũ Văn Sai\",\"birth_date\":\"2024-03\","
	               "\"gender\":\"x\",\"commune_code\":\"00001\"}"),
	          400, "invalid_field", "gender");
	char *good = child("Vũ Văn Sai");
	struct ts_resp a = post(W.admin, "fail-1", good);
	assert_int_equal(a.status, 201);
	assert_false(replayed(&a));
	ts_resp_free(&a);
	free(good);

	/* refused by the write itself (a document already on file) */
	const char *doc = "{\"id_number\":\"001090200001\",\"full_name\":\"Vũ Văn Giấy\","
	                  "\"birth_date\":\"1990\",\"gender\":\"male\",\"commune_code\":\"00001\"}";
	struct ts_resp first = post(W.admin, NULL, doc);
	assert_int_equal(first.status, 201);
	ts_expect(post(W.admin, "fail-2", doc), 409, "conflict", "id_number");
	ts_expect(post(W.admin, "fail-2", doc), 409, "conflict", "id_number");
	char *other = child("Vũ Văn Khác");
	struct ts_resp b = post(W.admin, "fail-2", other);
	assert_int_equal(b.status, 201);
	assert_false(replayed(&b));
	ts_resp_free(&first);
	ts_resp_free(&b);
	free(other);
}

static void test_bad_keys(void **state)
{
	(void)state;
	char *body = child("Lý Văn Khoá");
	char long_key[300];
	memset(long_key, 'k', 256);
	long_key[256] = '\0';
	ts_expect(post(W.admin, long_key, body), 400, "invalid_field", "Idempotency-Key");
	ts_expect(post(W.admin, "khoá-1", body), 400, "invalid_field", "Idempotency-Key");
	/* curl sends an empty header for "Name;" */
	struct ts_resp r = ts_req_ct(W.h, "POST", "/api/v1/citizens", W.admin, NULL, body,
	                             strlen(body), "Idempotency-Key;");
	ts_expect(r, 400, "invalid_field", "Idempotency-Key");
	long_key[255] = '\0';
	struct ts_resp ok = post(W.admin, long_key, body);
	assert_int_equal(ok.status, 201);
	ts_resp_free(&ok);
	assert_int_equal(count_named("Lý Văn Khoá"), 1);
	free(body);
}

/* ---- 20 copies at once ------------------------------------------------------ */

#define RACERS 20

struct racer {
	struct ts_http *h;
	pthread_barrier_t *go;
	const char *key, *body;
	struct ts_resp r;
};

static void *race(void *arg)
{
	struct racer *x = arg;
	pthread_barrier_wait(x->go);
	x->r = post_on(x->h, W.admin, x->key, x->body);
	return NULL;
}

/* Sends `body` with `key` from RACERS clients at once: every one gets the
 * same 201, one of them fresh. */
static void race_all(const char *key, const char *body)
{
	struct racer x[RACERS];
	pthread_t t[RACERS];
	pthread_barrier_t go;
	int fresh = 0;

	pthread_barrier_init(&go, NULL, RACERS);
	for (int i = 0; i < RACERS; i++) {
		x[i] = (struct racer){.h = ts_http_new(&W.srv), .go = &go, .key = key,
		                      .body = body};
		assert_int_equal(pthread_create(&t[i], NULL, race, &x[i]), 0);
	}
	for (int i = 0; i < RACERS; i++)
		pthread_join(t[i], NULL);
	pthread_barrier_destroy(&go);
	for (int i = 0; i < RACERS; i++) {
		if (x[i].r.status != 201)
			fail_msg("racer %d: %ld %s", i, x[i].r.status, x[i].r.body);
		assert_string_equal(x[i].r.body, x[0].r.body);
		fresh += !replayed(&x[i].r);
	}
	assert_int_equal(fresh, 1);
	for (int i = 0; i < RACERS; i++) {
		ts_resp_free(&x[i].r);
		ts_http_free(x[i].h);
	}
}

static void test_concurrent_retries(void **state)
{
	(void)state;
	char *body = child("Hoàng Văn Đua");
	race_all("race-1", body);
	assert_int_equal(count_named("Hoàng Văn Đua"), 1);
	free(body);
	/* with a document number: the copies must wait on the key, not
	 * collide on the document and answer 409 */
	race_all("race-2", "{\"id_number\":\"001090200002\",\"full_name\":\"Hoàng Văn Số\","
	                   "\"birth_date\":\"1990\",\"gender\":\"male\","
	                   "\"commune_code\":\"00001\"}");
	assert_int_equal(count_named("Hoàng Văn Số"), 1);
}

/* The admin's stored answer for key, read with the server stopped (into
 * e, from a); or, when plain is given, replaced by it, as a row written
 * before answers were packed would be. */
struct stored {
	const char *key, *plain;
	struct tc_arena *a;
	struct tc_idem_entry e;
};

static tc_err stored_run(struct tc_dbc *c, void *cls, struct tc_fault *f)
{
	struct stored *st = cls;
	struct tc_user u = { 0 };
	enum tc_qs qs = tc_q_user_by_username(c, "admin", st->a, &u);

	if (qs == TC_QS_ONE)
		qs = tc_q_idem_get(c, tc_arena_printf(st->a, "u%lld", (long long)u.id),
		                   st->key, st->a, &st->e);
	if (qs == TC_QS_ONE && st->plain) {
		st->e.body = st->plain;
		qs = tc_q_idem_answer(c, &st->e);
	}
	return qs == TC_QS_ONE ? TC_ERR_OK
	                       : tc_fault_set(f, TC_ERR_DB, NULL, "no such key");
}

static void stored(struct stored *st)
{
	struct tc_db_options opt = { .no_writer = true };
	struct tc_fault f = { 0 };
	char *why = NULL;
	struct tc_db *db = tc_db_open(W.db, &opt, &why);

	assert_non_null(db);
	assert_int_equal(tc_db_run(db, stored_run, st, &f), TC_ERR_OK);
	tc_db_close(db);
}

/* The request of `first` again with its key: the same answer, replayed,
 * and still one person named `name`. */
static void replayed_again(const struct ts_resp *first, const char *body,
                           const char *name)
{
	struct ts_resp r = post(W.admin, "restart-1", body);
	assert_int_equal(r.status, 201);
	assert_true(replayed(&r));
	assert_string_equal(first->body, r.body);
	assert_int_equal(count_named(name), 1);
	ts_resp_free(&r);
}

/* The answer is stored with the write, packed: a restart keeps both, and
 * an answer stored plain reads as it was. */
static void test_restart(void **state)
{
	(void)state;
	char *body = child("Ngô Văn Bền");
	struct ts_resp a = post(W.admin, "restart-1", body);
	assert_int_equal(a.status, 201);
	ts_http_free(W.h);
	assert_int_equal(ts_server_stop(&W.srv), 0);

	struct tc_arena ar;
	tc_arena_init(&ar);
	struct stored st = { .key = "restart-1", .a = &ar };
	stored(&st);
	assert_int_equal(st.e.status, 201);
	assert_memory_equal(st.e.body, "z1:", 3);
	assert_true(strlen(st.e.body) < a.len);

	start();
	replayed_again(&a, body, "Ngô Văn Bền");

	ts_http_free(W.h);
	assert_int_equal(ts_server_stop(&W.srv), 0);
	st = (struct stored){ .key = "restart-1", .a = &ar, .plain = a.body };
	stored(&st);
	start();
	replayed_again(&a, body, "Ngô Văn Bền");

	tc_arena_cleanup(&ar);
	ts_resp_free(&a);
	free(body);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_replay),
		cmocka_unit_test(test_reused_key),
		cmocka_unit_test(test_keys_per_account),
		cmocka_unit_test(test_failed_requests_keep_no_key),
		cmocka_unit_test(test_bad_keys),
		cmocka_unit_test(test_concurrent_retries),
		cmocka_unit_test(test_restart),
	};
	return cmocka_run_group_tests_name(ts_is_pg() ? "idempotency (postgresql)"
	                                              : "idempotency (sqlite)",
	                                   tests, group_setup, group_teardown);
}
