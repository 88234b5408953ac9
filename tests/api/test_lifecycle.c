/* Backups taken while writes go on, and a graceful stop that keeps every
 * acknowledged write. */
#include <curl/curl.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "tsupport.h"

/* ---- writers that keep going until told to stop ---------------------------- */

#define MAX_ACKED 20000

struct writer {
	pthread_t th;
	int id;
	const char *base;
	const char *token;
	atomic_int *stop;
	char (*acked)[48];
	int nacked;
	int errors; /* connection failures or non-201 answers */
};

static size_t sink(char *p, size_t s, size_t n, void *u)
{
	(void)p;
	(void)u;
	return s * n;
}

static void *write_loop(void *arg)
{
	struct writer *w = arg;
	CURL *c = curl_easy_init();
	char url[128], auth[128], body[256], name[48];
	struct curl_slist *h = NULL;

	snprintf(url, sizeof(url), "%s/api/v1/facilities", w->base);
	snprintf(auth, sizeof(auth), "Authorization: Bearer %s", w->token);
	h = curl_slist_append(h, auth);
	h = curl_slist_append(h, "Content-Type: application/json");
	h = curl_slist_append(h, "Expect:");
	for (int i = 0; !atomic_load(w->stop) && w->nacked < MAX_ACKED; i++) {
		long status = 0;
		snprintf(name, sizeof(name), "Lifecycle w%d n%d", w->id, i);
		snprintf(body, sizeof(body),
		         "{\"kind\":\"vaccination_site\",\"name\":\"%s\",\"unit\":\"00001\","
		         "\"daily_capacity\":10}", name);
		curl_easy_reset(c);
		curl_easy_setopt(c, CURLOPT_URL, url);
		curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, sink);
		curl_easy_setopt(c, CURLOPT_TIMEOUT, 30L);
		curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
		if (curl_easy_perform(c) == CURLE_OK)
			curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
		if (status == 201) {
			memcpy(w->acked[w->nacked++], name, sizeof(name));
		} else {
			w->errors++;
			struct timespec ts = {0, 20000000};
			nanosleep(&ts, NULL);
		}
	}
	curl_slist_free_all(h);
	curl_easy_cleanup(c);
	return NULL;
}

static void writers_start(struct writer *ws, int n, const struct ts_server *s,
                          const char *token, atomic_int *stop)
{
	for (int i = 0; i < n; i++) {
		ws[i] = (struct writer){.id = i, .base = s->base, .token = token, .stop = stop,
		                        .acked = calloc(MAX_ACKED, 48)};
		pthread_create(&ws[i].th, NULL, write_loop, &ws[i]);
	}
}

static int writers_join(struct writer *ws, int n)
{
	int total = 0;
	for (int i = 0; i < n; i++) {
		pthread_join(ws[i].th, NULL);
		total += ws[i].nacked;
	}
	return total;
}

static void writers_free(struct writer *ws, int n)
{
	for (int i = 0; i < n; i++)
		free(ws[i].acked);
}

static void sleep_ms(int ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
	nanosleep(&ts, NULL);
}

/* ---- backup ------------------------------------------------------------------ */

static long long q1(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *st;
	long long v = -1;
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

static void test_backup_while_writing(void **state)
{
	(void)state;
	char *out = NULL;
	if (ts_is_pg()) {
		/* PostgreSQL is backed up with its own tools; the command says so. */
		char *db = ts_db_new();
		ts_db_seed(db);
		assert_int_not_equal(ts_run(NULL, &out, "backup", "/tmp/x.db", "--db", db, NULL), 0);
		assert_non_null(strstr(out, "pg_dump"));
		free(out);
		ts_db_drop(db);
		free(db);
		return;
	}
	char *db = ts_db_new();
	ts_db_seed(db);
	struct ts_server s;
	ts_server_start(&s, db, NULL);
	struct ts_http *h = ts_http_new(&s);
	char *token = ts_login(h, "admin", TS_DEMO_PASSWORD);
	atomic_int stop = 0;
	struct writer ws[4];
	writers_start(ws, 4, &s, token, &stop);
	sleep_ms(800);
	char *copy = ts_fmt("%s.backup", db);
	assert_int_equal(ts_run(NULL, &out, "backup", copy, "--db", db, NULL), 0);
	free(out);
	sleep_ms(400);
	atomic_store(&stop, 1);
	int acked = writers_join(ws, 4);
	assert_true(acked > 20);
	/* a second backup into the same file is refused */
	assert_int_not_equal(ts_run(NULL, &out, "backup", copy, "--db", db, NULL), 0);
	assert_non_null(strstr(out, "already exists"));
	free(out);
	ts_http_free(h);
	assert_int_equal(ts_server_stop(&s), 0);

	/* The copy is whole and consistent: every facility has its audit row. */
	sqlite3 *b;
	assert_int_equal(sqlite3_open_v2(copy, &b, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	sqlite3_stmt *st;
	assert_int_equal(sqlite3_prepare_v2(b, "PRAGMA integrity_check", -1, &st, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	assert_string_equal((const char *)sqlite3_column_text(st, 0), "ok");
	sqlite3_finalize(st);
	long long facs = q1(b, "SELECT COUNT(*) FROM facilities WHERE name LIKE 'Lifecycle%'");
	long long audits = q1(b, "SELECT COUNT(*) FROM audit_log a JOIN facilities f"
	                         " ON a.entity = 'facility' AND a.entity_id = CAST(f.id AS TEXT)"
	                         " WHERE f.name LIKE 'Lifecycle%'");
	print_message("backup holds %lld of %d acknowledged writes\n", facs, acked);
	assert_true(facs > 0 && facs <= acked);
	assert_int_equal(facs, audits);
	assert_int_equal(q1(b, "SELECT COUNT(*) FROM units"), 11368);
	sqlite3_close(b);

	/* ...and a server runs on it */
	ts_server_start(&s, copy, NULL);
	h = ts_http_new(&s);
	free(token);
	token = ts_login(h, "hanoi", TS_DEMO_PASSWORD);
	ts_expect(ts_req(h, "GET", "/healthz", NULL, NULL), 200, NULL, NULL);
	ts_http_free(h);
	assert_int_equal(ts_server_stop(&s), 0);
	writers_free(ws, 4);
	free(token);
	ts_db_drop(db);
	free(copy);
	free(db);
}

/* ---- graceful stop -------------------------------------------------------------- */

static void test_stop_keeps_acknowledged_writes(void **state)
{
	(void)state;
	char *db = ts_db_new();
	ts_db_seed(db);
	struct ts_server s;
	ts_server_start(&s, db, NULL);
	struct ts_http *h = ts_http_new(&s);
	char *token = ts_login(h, "admin", TS_DEMO_PASSWORD);
	ts_http_free(h);
	atomic_int stop = 0;
	enum { N = 8 };
	struct writer ws[N];
	writers_start(ws, N, &s, token, &stop);
	sleep_ms(1500);
	/* SIGTERM in the middle of the writes: the server must finish what it
	 * took, answer it, close the database and exit 0. */
	char *log;
	assert_int_equal(ts_server_stop_log(&s, &log), 0);
	atomic_store(&stop, 1);
	int acked = writers_join(ws, N);
	assert_non_null(strstr(log, "SIGTERM: stopping"));
	assert_non_null(strstr(log, "stopped; database closed"));
	free(log);
	print_message("%d writes acknowledged before the stop\n", acked);
	assert_true(acked > 20);

	/* Every acknowledged write is there after a restart. */
	ts_server_start(&s, db, NULL);
	h = ts_http_new(&s);
	free(token);
	token = ts_login(h, "admin", TS_DEMO_PASSWORD);
	json_t *all = json_array();
	for (int off = 0;; off += 1000) {
		char *path = ts_fmt("/api/v1/facilities?unit=00001&limit=1000&offset=%d", off);
		struct ts_resp r = ts_req(h, "GET", path, token, NULL);
		free(path);
		assert_int_equal(r.status, 200);
		json_t *arr = json_object_get(r.json, "facilities");
		json_array_extend(all, arr);
		size_t got = json_array_size(arr);
		ts_resp_free(&r);
		if (got < 1000)
			break;
	}
	int found = 0;
	for (int i = 0; i < N; i++) {
		for (int k = 0; k < ws[i].nacked; k++) {
			bool seen = false;
			for (size_t j = 0; j < json_array_size(all) && !seen; j++)
				seen = strcmp(json_string_value(json_object_get(json_array_get(all, j), "name")),
				              ws[i].acked[k]) == 0;
			if (!seen)
				fail_msg("acknowledged write '%s' is missing after the stop", ws[i].acked[k]);
			found++;
		}
	}
	assert_int_equal(found, acked);
	json_decref(all);
	ts_http_free(h);
	assert_int_equal(ts_server_stop(&s), 0);
	writers_free(ws, N);
	free(token);
	ts_db_drop(db);
	free(db);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_backup_while_writing),
		cmocka_unit_test(test_stop_keeps_acknowledged_writes),
	};
	curl_global_init(CURL_GLOBAL_DEFAULT);
	int rc = cmocka_run_group_tests_name(ts_is_pg() ? "lifecycle (postgresql)"
	                                                : "lifecycle (sqlite)",
	                                     tests, NULL, NULL);
	curl_global_cleanup();
	return rc;
}
