/* The database layer on the backend named by $TC_TEST_BACKEND: migrations,
 * schema checks, query statuses, group commit, append-only audit. */
#include <pthread.h>
#include <setjmp.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/arena.h"
#include "core/tctime.h"
#include "crypto/secret.h"
#include "db/dbi.h"
#include "db/records.h"
#include "db/stock.h"
#include "tsupport.h"

struct fixture {
	char *where;
	struct tc_db *db;
	struct tc_arena a;
};

static int setup_with(void **state, const struct tc_db_options *opt)
{
	struct fixture *fx = calloc(1, sizeof(*fx));
	struct tc_fault f = {0};
	char *why = NULL;

	fx->where = ts_db_new();
	fx->db = tc_db_open(fx->where, opt, &why);
	if (fx->db == NULL)
		fail_msg("open %s: %s", fx->where, why);
	tc_arena_init(&fx->a);
	if (tc_db_migrate(fx->db, "data", &f, &fx->a) != TC_ERR_OK)
		fail_msg("migrate: %s", f.message);
	*state = fx;
	return 0;
}

static int setup(void **state)
{
	return setup_with(state, NULL);
}

/* A log that starts over past 64 frames (test_wal_restarts). */
static int setup_small_log(void **state)
{
	struct tc_db_options opt = { .wal_restart_frames = 64 };
	return setup_with(state, &opt);
}

static int teardown(void **state)
{
	struct fixture *fx = *state;
	tc_db_close(fx->db);
	ts_db_drop(fx->where);
	free(fx->where);
	tc_arena_cleanup(&fx->a);
	free(fx);
	return 0;
}

static tc_err run_script(struct tc_dbc *c, void *cls, struct tc_fault *f)
{
	return tc_exec_script(c, cls) == TC_QS_NONE ? TC_ERR_OK
	                                            : tc_fault_set(f, TC_ERR_DB, NULL, "script");
}

static void test_migrate(void **state)
{
	struct fixture *fx = *state;
	struct tc_fault f = {0};
	struct tc_dbc *c;
	int v = 0;
	int64_t n = 0;

	assert_int_equal(tc_db_schema_version(fx->db, &v), TC_ERR_OK);
	assert_int_equal(v, tc_db_schema_latest(fx->db));
	assert_int_equal(tc_db_check_schema(fx->db, &f), TC_ERR_OK);
	/* again: nothing to do, nothing changes */
	assert_int_equal(tc_db_migrate(fx->db, "data", &f, &fx->a), TC_ERR_OK);
	c = tc_db_acquire(fx->db);
	assert_int_equal(tc_q_units_count(c, &n), TC_QS_ONE);
	assert_int_equal(n, 1 + 63 + 705 + 10599);
	struct tc_unit u, *kids;
	size_t k;
	assert_int_equal(tc_q_unit_get(c, "00001", &fx->a, &u), TC_QS_ONE);
	assert_string_equal(u.path, "VN/01/001/00001");
	assert_string_equal(u.name, "Phúc Xá");
	assert_true(tc_q_units_children(c, "VN", &fx->a, &kids, &k) >= 0);
	assert_int_equal(k, 63);
	assert_string_equal(kids[0].code, "01");
	assert_true(tc_q_units_children(c, "318", &fx->a, &kids, &k) >= 0);
	assert_int_equal(k, 0); /* an island district without communes */
	assert_int_equal(tc_q_unit_get(c, "nope", &fx->a, &u), TC_QS_NONE);
	tc_db_release(fx->db, c);
}

static void test_schema_too_new(void **state)
{
	struct fixture *fx = *state;
	struct tc_fault f = {0};
	char *out = NULL;

	assert_int_equal(tc_db_run(fx->db, run_script,
	                           "INSERT INTO schema_version (version, name, applied_at)"
	                           " VALUES (9999, 'from_the_future', '2030-01-01T00:00:00Z')",
	                           &f),
	                 TC_ERR_OK);
	assert_int_equal(tc_db_check_schema(fx->db, &f), TC_ERR_SCHEMA_TOO_NEW);
	assert_int_equal(tc_db_migrate(fx->db, "data", &f, &fx->a), TC_ERR_SCHEMA_TOO_NEW);
	/* and the server refuses to start on it */
	int rc = ts_run(NULL, &out, "serve", "--db", fx->where, "--listen", "127.0.0.1:0", NULL);
	assert_int_not_equal(rc, 0);
	assert_non_null(strstr(out, "newer than this program"));
	free(out);
}

static void test_serve_refuses_unmigrated(void **state)
{
	char *where = ts_db_new(), *out = NULL;
	(void)state;
	int rc = ts_run(NULL, &out, "serve", "--db", where, "--listen", "127.0.0.1:0", NULL);
	assert_int_not_equal(rc, 0);
	assert_non_null(strstr(out, "tiemchung migrate"));
	free(out);
	ts_db_drop(where);
	free(where);
}

static void test_schemas_agree(void **state)
{
	struct fixture *fx = *state;
	char *mine = NULL, *other_desc = NULL;
	struct tc_fault f = {0};

	assert_int_equal(tc_db_describe(fx->db, &fx->a, &mine), TC_ERR_OK);
	assert_non_null(strstr(mine, "users.password_hash\n"));
	assert_non_null(strstr(mine, "audit_log.after\n"));
	if (getenv("TC_TEST_PG") == NULL || *getenv("TC_TEST_PG") == '\0') {
		print_message("no PostgreSQL cluster: compared nothing\n");
		return;
	}
	/* Describe the other engine too and compare. */
	const char *saved = getenv("TC_TEST_BACKEND");
	char *keep = saved ? strdup(saved) : NULL;
	setenv("TC_TEST_BACKEND", ts_is_pg() ? "sqlite" : "pg", 1);
	char *where = ts_db_new(), *why = NULL;
	struct tc_db *db = tc_db_open(where, NULL, &why);
	assert_non_null(db);
	assert_int_equal(tc_db_migrate(db, "data", &f, &fx->a), TC_ERR_OK);
	assert_int_equal(tc_db_describe(db, &fx->a, &other_desc), TC_ERR_OK);
	tc_db_close(db);
	ts_db_drop(where);
	free(where);
	if (keep) {
		setenv("TC_TEST_BACKEND", keep, 1);
		free(keep);
	} else {
		unsetenv("TC_TEST_BACKEND");
	}
	assert_string_equal(mine, other_desc);
}

/* ---- group commit -------------------------------------------------------- */

/* Jobs whose done callbacks count down to zero, submitted from several
 * threads at once. */
struct countdown {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int left;
};

static void countdown_done(struct countdown *cd)
{
	pthread_mutex_lock(&cd->mu);
	cd->left--;
	pthread_cond_signal(&cd->cv);
	pthread_mutex_unlock(&cd->mu);
}

struct submitter {
	struct tc_job **jobs;
	int from, to;
	struct tc_db *db;
};

static void *submit_range(void *arg)
{
	struct submitter *s = arg;
	for (int i = s->from; i < s->to; i++)
		tc_db_submit(s->db, s->jobs[i]);
	return NULL;
}

/* Submits the n jobs from T threads and waits until every one is done. */
static void submit_and_wait(struct tc_db *db, struct tc_job **jobs, int n,
                            struct countdown *cd)
{
	enum { T = 8 };
	pthread_t th[T];
	struct submitter sub[T];

	cd->left = n;
	for (int t = 0; t < T; t++) {
		sub[t] = (struct submitter){ jobs, t * n / T, (t + 1) * n / T, db };
		pthread_create(&th[t], NULL, submit_range, &sub[t]);
	}
	for (int t = 0; t < T; t++)
		pthread_join(th[t], NULL);
	pthread_mutex_lock(&cd->mu);
	while (cd->left > 0)
		pthread_cond_wait(&cd->cv, &cd->mu);
	pthread_mutex_unlock(&cd->mu);
}

struct gc_job {
	struct tc_job job;
	int i;
	bool fail; /* writes an audit row, then fails: both must vanish */
	struct tc_arena a;
	struct countdown *cd;
};

static tc_err gc_run(struct tc_dbc *c, void *cls, struct tc_fault *f)
{
	struct gc_job *g = cls;
	struct tc_facility fac = {
		.kind = "vaccination_site",
		.name = tc_arena_printf(&g->a, "gc-%d", g->fail ? -1 : g->i),
		.unit_code = "00001",
		.daily_capacity = 10,
		.active = true,
		.created_at = tc_now_us(),
	};
	tc_err rc = tc_audit_record(c, &tc_cli_actor, "create", "gc", "x", "VN", NULL,
	                            NULL, f);
	if (rc != TC_ERR_OK)
		return rc;
	if (g->fail)
		return tc_fault_set(f, TC_ERR_INVALID_FIELD, "x", "this job fails on purpose");
	enum tc_qs qs = tc_q_facility_insert(c, "VN/01/001/00001", &fac, &g->a);
	return qs < 0 ? tc_qs_err(qs, f) : TC_ERR_OK;
}

static void gc_done(struct tc_job *j)
{
	countdown_done(((struct gc_job *)j)->cd);
}

static int64_t count(struct tc_db *db, const char *sql)
{
	struct tc_sql q = {.text = sql};
	struct tc_dbc *c = tc_db_acquire(db);
	int64_t n = -1;
	assert_true(tc_exec(c, &q, NULL, 0, tc_rows_i64, &n) >= 0);
	tc_db_release(db, c);
	return n;
}

static void test_group_commit(void **state)
{
	struct fixture *fx = *state;
	enum { N = 400 };
	struct gc_job *jobs = calloc(N, sizeof(*jobs));
	struct tc_job *ptrs[N];
	struct countdown cd = { PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0 };
	struct tc_db_stats before, after;
	int failed = 0;

	tc_db_stats(fx->db, &before);
	for (int i = 0; i < N; i++) {
		jobs[i].i = i;
		jobs[i].fail = i % 7 == 3;
		failed += jobs[i].fail;
		tc_arena_init(&jobs[i].a);
		jobs[i].cd = &cd;
		jobs[i].job.run = gc_run;
		jobs[i].job.cls = &jobs[i];
		jobs[i].job.done = gc_done;
		ptrs[i] = &jobs[i].job;
	}
	submit_and_wait(fx->db, ptrs, N, &cd);
	for (int i = 0; i < N; i++) {
		if (jobs[i].fail) {
			assert_int_equal(jobs[i].job.rc, TC_ERR_INVALID_FIELD);
			assert_string_equal(jobs[i].job.fault.field, "x");
		} else {
			assert_int_equal(jobs[i].job.rc, TC_ERR_OK);
		}
		tc_arena_cleanup(&jobs[i].a);
	}
	tc_db_stats(fx->db, &after);
	assert_int_equal(after.jobs - before.jobs, N);
	/* every failing job was rolled back alone, with its audit row */
	assert_int_equal(count(fx->db, "SELECT COUNT(*) FROM facilities WHERE name LIKE 'gc-%'"),
	                 N - failed);
	assert_int_equal(count(fx->db, "SELECT COUNT(*) FROM audit_log WHERE entity = 'gc'"),
	                 N - failed);
	print_message("%d jobs in %llu commits\n", N,
	              (unsigned long long)(after.batches - before.batches));
	if (!ts_is_pg())
		assert_true(after.batches - before.batches < N); /* batching happened */
	free(jobs);
}

/* ---- deferred work ------------------------------------------------------- */

/* A job that writes a row in run and another in finish, with what its
 * prepare made; every 37th fails in its second part. On SQLite most are
 * deferred (prepare on the helper thread); a batch whose finish fails runs
 * again the careful way, where run does everything itself. */
struct df_job {
	struct tc_job job;
	int i;
	bool fail;
	struct tc_arena a;
	char made[32];
	pthread_t run_thread, prepare_thread;
	bool deferred, finish_saw_made, prepared_elsewhere, chain_ok;
	struct countdown *cd;
};

static void df_make(struct df_job *d)
{
	snprintf(d->made, sizeof d->made, "made-%d", d->i);
}

static tc_err df_second(struct tc_dbc *c, struct df_job *d, struct tc_fault *f)
{
	if (d->fail)
		return tc_fault_set(f, TC_ERR_INVALID_FIELD, "x",
		                    "this job fails on purpose");
	char want[32];
	snprintf(want, sizeof want, "made-%d", d->i);
	d->finish_saw_made = strcmp(d->made, want) == 0;
	return tc_audit_record(c, &tc_cli_actor, "finish", "df", d->made, "VN", NULL,
	                       NULL, f);
}

static void df_prepare(struct tc_job *j)
{
	struct df_job *d = (struct df_job *)j;
	d->prepare_thread = pthread_self();
	df_make(d);
}

static tc_err df_finish(struct tc_dbc *c, struct tc_job *j, struct tc_fault *f)
{
	struct df_job *d = (struct df_job *)j;
	d->prepared_elsewhere = !pthread_equal(d->prepare_thread, d->run_thread);
	return df_second(c, d, f);
}

static tc_err df_run(struct tc_dbc *c, void *cls, struct tc_fault *f)
{
	struct df_job *d = cls;
	tc_err rc;

	d->made[0] = '\0';
	d->deferred = d->finish_saw_made = d->prepared_elsewhere = d->chain_ok = false;
	d->run_thread = pthread_self();
	rc = tc_audit_record(c, &tc_cli_actor, "run", "df",
	                     tc_arena_printf(&d->a, "run-%d", d->i), "VN", NULL, NULL, f);
	if (rc != TC_ERR_OK)
		return rc;
	if (tc_dbc_can_defer(c)) {
		/* filed by key (a few share one): the key's chain ends with this
		 * job and holds only that key's jobs */
		uint64_t key = (uint64_t)(d->i % 53) + 1;
		d->deferred = true;
		tc_job_defer(c, &d->job, df_prepare, df_finish, key);
		struct tc_job *k = tc_dbc_deferred_find(c, key);
		d->chain_ok = k != NULL;
		for (; k; k = k->next_same_key)
			if (k->defer_key != key || !k->deferred ||
			    (k->next_same_key == NULL) != (k == &d->job))
				d->chain_ok = false;
		return TC_ERR_OK;
	}
	df_make(d);
	return df_second(c, d, f);
}

static void df_done(struct tc_job *j)
{
	countdown_done(((struct df_job *)j)->cd);
}

/* N jobs from 8 threads, every fail_every-th failing (0: none); answers
 * how many were deferred. */
static int df_round(struct fixture *fx, int fail_every)
{
	enum { N = 600 };
	struct df_job *jobs = calloc(N, sizeof(*jobs));
	struct tc_job *ptrs[N];
	struct countdown cd = { PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0 };
	int64_t rows0 =
	        count(fx->db, "SELECT COUNT(*) FROM audit_log WHERE entity = 'df'");
	int64_t made0 =
	        count(fx->db, "SELECT COUNT(*) FROM audit_log WHERE entity = 'df' "
	                      "AND action = 'finish' AND entity_id LIKE 'made-%'");
	int failed = 0, deferred = 0;

	for (int i = 0; i < N; i++) {
		jobs[i].i = i;
		jobs[i].fail = fail_every && i % fail_every == 5;
		failed += jobs[i].fail;
		tc_arena_init(&jobs[i].a);
		jobs[i].cd = &cd;
		jobs[i].job.run = df_run;
		jobs[i].job.cls = &jobs[i];
		jobs[i].job.done = df_done;
		ptrs[i] = &jobs[i].job;
	}
	submit_and_wait(fx->db, ptrs, N, &cd);
	for (int i = 0; i < N; i++) {
		if (jobs[i].fail) {
			assert_int_equal(jobs[i].job.rc, TC_ERR_INVALID_FIELD);
			assert_string_equal(jobs[i].job.fault.field, "x");
		} else {
			assert_int_equal(jobs[i].job.rc, TC_ERR_OK);
			assert_true(jobs[i].finish_saw_made);
			if (jobs[i].deferred) {
				assert_true(jobs[i].prepared_elsewhere);
				assert_true(jobs[i].chain_ok);
				deferred++;
			}
		}
		tc_arena_cleanup(&jobs[i].a);
	}
	/* both rows of every job that succeeded, none of one that failed */
	assert_int_equal(
	        count(fx->db, "SELECT COUNT(*) FROM audit_log WHERE entity = 'df'") -
	                rows0,
	        2 * (N - failed));
	assert_int_equal(count(fx->db,
	                       "SELECT COUNT(*) FROM audit_log WHERE entity = 'df' "
	                       "AND action = 'finish' AND entity_id LIKE 'made-%'") -
	                         made0,
	                 N - failed);
	print_message("%d jobs, %d failing, %d deferred\n", N, failed, deferred);
	free(jobs);
	return deferred;
}

static void test_deferred(void **state)
{
	struct fixture *fx = *state;
	int deferred = df_round(fx, 0);

	/* SQLite batches defer; PostgreSQL runs a job at a time and never does */
	if (ts_is_pg())
		assert_int_equal(deferred, 0);
	else
		assert_true(deferred > 0);
	/* a failing finish sends its batch round again, the careful way */
	df_round(fx, 37);
}

/* ---- statuses and round trips -------------------------------------------- */

struct ins_user {
	struct tc_user u;
	enum tc_qs qs;
};

static tc_err insert_user(struct tc_dbc *c, void *cls, struct tc_fault *f)
{
	struct ins_user *iu = cls;
	iu->qs = tc_q_user_insert(c, &iu->u);
	return iu->qs < 0 ? tc_qs_err(iu->qs, f) : TC_ERR_OK;
}

static void test_statuses(void **state)
{
	struct fixture *fx = *state;
	struct tc_fault f = {0};
	struct tc_user got;
	struct tc_dbc *c;
	int64_t t = 1795362759123456; /* microseconds survive both engines */
	struct ins_user iu = {.u = {.username = "dbtest", .password_hash = "x",
	                            .role = "viewer", .unit_code = "01",
	                            .scope_path = "VN/01", .active = true,
	                            .created_at = t}};

	assert_int_equal(tc_db_run(fx->db, insert_user, &iu, &f), TC_ERR_OK);
	assert_true(iu.u.id > 0);
	assert_int_equal(tc_db_run(fx->db, insert_user, &iu, &f), TC_ERR_CONFLICT);
	assert_int_equal(iu.qs, TC_QS_CONFLICT);
	c = tc_db_acquire(fx->db);
	assert_int_equal(tc_q_user_get(c, iu.u.id, &fx->a, &got), TC_QS_ONE);
	assert_string_equal(got.username, "dbtest");
	assert_int_equal(got.created_at, t);
	assert_true(got.active);
	assert_null(got.password_hash);
	assert_int_equal(got.facility_id, 0);
	assert_int_equal(tc_q_user_get(c, 987654, &fx->a, &got), TC_QS_NONE);
	assert_int_equal(tc_q_user_by_username(c, "dbtest", &fx->a, &got), TC_QS_ONE);
	assert_string_equal(got.password_hash, "x");

	/* prefix lists stop at path boundaries */
	struct tc_user *list;
	size_t n;
	struct tc_page page = {100, 0};
	assert_true(tc_q_users_list(c, "VN/0", NULL, page, &fx->a, &list, &n) >= 0);
	assert_int_equal(n, 0);
	assert_true(tc_q_users_list(c, "VN/01", "viewer", page, &fx->a, &list, &n) >= 0);
	assert_int_equal(n, 1);
	assert_true(tc_q_users_list(c, "VN", "site_staff", page, &fx->a, &list, &n) >= 0);
	assert_int_equal(n, 0);
	tc_db_release(fx->db, c);
}

struct sess {
	struct tc_session s;
	int64_t uid;
	int step;
};

static tc_err sess_job(struct tc_dbc *c, void *cls, struct tc_fault *f)
{
	struct sess *x = cls;
	enum tc_qs qs = TC_QS_ONE;
	switch (x->step) {
	case 0:
		qs = tc_q_session_insert(c, "aaaa", &x->s);
		break;
	case 1:
		qs = tc_q_session_touch(c, x->s.id, x->s.last_seen_at + 5000000);
		break;
	case 2: { /* disable */
		struct tc_user before = {.id = x->uid, .role = "viewer", .unit_code = "01",
		                         .scope_path = "VN/01", .active = true};
		struct tc_user u = before;
		u.active = false;
		qs = tc_q_user_update(c, &before, &u);
		break;
	}
	case 3: { /* the same change again: the row moved on, so nothing */
		struct tc_user before = {.id = x->uid, .role = "viewer", .unit_code = "01",
		                         .scope_path = "VN/01", .active = true};
		qs = tc_q_user_update(c, &before, &before);
		return qs == TC_QS_NONE ? TC_ERR_OK : tc_fault_set(f, TC_ERR_INTERNAL, NULL, "x");
	}
	case 5: /* housekeeping: a year later every session is gone */
		qs = tc_q_sessions_purge(c, x->s.expires_at + 1, x->s.last_seen_at);
		if (qs >= 0)
			qs = tc_q_authfail_purge(c, x->s.expires_at + 1);
		break;
	case 4: { /* a new session, then re-enable: the epoch moves, it dies */
		struct tc_user before = {.id = x->uid, .role = "viewer", .unit_code = "01",
		                         .scope_path = "VN/01", .active = false,
		                         .session_epoch = 1};
		struct tc_user u = before;
		u.active = true;
		x->s.user_epoch = 1;
		qs = tc_q_session_insert(c, "bbbb", &x->s);
		if (qs >= 0)
			qs = tc_q_user_update(c, &before, &u);
		break;
	}
	}
	return qs < 0 ? tc_qs_err(qs, f) : TC_ERR_OK;
}

static void test_sessions(void **state)
{
	struct fixture *fx = *state;
	struct tc_fault f = {0};
	struct tc_dbc *c;
	struct tc_session s;
	struct tc_user u;
	struct ins_user iu = {.u = {.username = "sess", .password_hash = "x",
	                            .role = "viewer", .unit_code = "01",
	                            .scope_path = "VN/01", .active = true,
	                            .created_at = tc_now_us()}};
	assert_int_equal(tc_db_run(fx->db, insert_user, &iu, &f), TC_ERR_OK);
	int64_t now = tc_now_us();
	struct sess x = {.s = {.user_id = iu.u.id, .created_at = now, .last_seen_at = now,
	                       .expires_at = now + 3600000000LL, .idle_seconds = 60},
	                 .uid = iu.u.id};
	assert_int_equal(tc_db_run(fx->db, sess_job, &x, &f), TC_ERR_OK);
	x.step = 1;
	assert_int_equal(tc_db_run(fx->db, sess_job, &x, &f), TC_ERR_OK);
	c = tc_db_acquire(fx->db);
	assert_int_equal(tc_q_session_lookup(c, "aaaa", &fx->a, &s, &u), TC_QS_ONE);
	assert_int_equal(s.last_seen_at, now + 5000000);
	assert_string_equal(u.username, "sess");
	assert_string_equal(u.scope_path, "VN/01");
	tc_db_release(fx->db, c);
	x.step = 2; /* disabling the user kills the session at once */
	assert_int_equal(tc_db_run(fx->db, sess_job, &x, &f), TC_ERR_OK);
	c = tc_db_acquire(fx->db);
	assert_int_equal(tc_q_session_lookup(c, "aaaa", &fx->a, &s, &u), TC_QS_NONE);
	tc_db_release(fx->db, c);
	x.step = 3;
	assert_int_equal(tc_db_run(fx->db, sess_job, &x, &f), TC_ERR_OK);
	x.step = 4; /* a session made under epoch 1 dies when the epoch moves to 2 */
	assert_int_equal(tc_db_run(fx->db, sess_job, &x, &f), TC_ERR_OK);
	c = tc_db_acquire(fx->db);
	assert_int_equal(tc_q_user_get(c, iu.u.id, &fx->a, &u), TC_QS_ONE);
	assert_true(u.active);
	assert_int_equal(u.session_epoch, 2);
	assert_int_equal(tc_q_session_lookup(c, "bbbb", &fx->a, &s, &u), TC_QS_NONE);
	tc_db_release(fx->db, c);
	x.step = 5;
	assert_int_equal(tc_db_run(fx->db, sess_job, &x, &f), TC_ERR_OK);
	assert_int_equal(count(fx->db, "SELECT COUNT(*) FROM sessions"), 0);
}

static tc_err product_upsert(struct tc_dbc *c, void *cls, struct tc_fault *f)
{
	enum tc_qs qs = tc_q_product_info_upsert(c, cls);
	return qs < 0 ? tc_qs_err(qs, f) : TC_ERR_OK;
}

/* migrate loaded data/vaccines/products.csv; NULLs read back as "not given" */
static void test_products(void **state)
{
	struct fixture *fx = *state;
	struct tc_fault f = {0};
	struct tc_dbc *c = tc_db_acquire(fx->db);
	struct tc_product_info *all, p;
	size_t n;

	assert_true(tc_q_product_infos(c, &fx->a, &all, &n) >= 0);
	assert_int_equal(n, 39);
	for (size_t i = 1; i < n; i++) {
		/* active first, then those used in Vietnam, then by name */
		assert_false(all[i].active && !all[i - 1].active);
		if (all[i].active == all[i - 1].active)
			assert_false(all[i].used_in_vn && !all[i - 1].used_in_vn);
	}
	assert_true(all[0].active && all[0].used_in_vn);
	assert_int_equal(tc_q_product_info(c, "EU/1/21/1529", &fx->a, &p), TC_QS_ONE);
	assert_string_equal(p.name, "Vaxzevria");
	assert_string_equal(p.manufacturer, "ORG-100001699");
	assert_string_equal(p.manufacturer_name, "AstraZeneca AB");
	assert_string_equal(p.platform, "viral_vector");
	assert_true(p.active && p.used_in_vn);
	assert_int_equal(p.series_doses, 2);
	assert_int_equal(p.min_interval_days, 28);
	assert_int_equal(p.rec_interval_days, 56);
	assert_int_equal(p.booster_min_days, 90);
	assert_int_equal(p.min_age_years, 18);
	assert_int_equal(p.doses_per_vial, 10);
	assert_int_equal(p.open_vial_hours, 6);
	assert_int_equal(p.storage_min_c, 2);
	assert_int_equal(p.storage_max_c, 8);
	assert_int_equal(tc_q_product_info(c, "Sputnik-V", &fx->a, &p), TC_QS_ONE);
	assert_int_equal(p.storage_min_c, INT64_MIN);
	assert_int_equal(p.storage_max_c, -18);
	assert_int_equal(tc_q_product_info(c, "Abdala", &fx->a, &p), TC_QS_ONE);
	assert_int_equal(p.booster_min_days, -1);
	assert_int_equal(tc_q_product_info(c, "nope", &fx->a, &p), TC_QS_NONE);
	tc_db_release(fx->db, c);

	/* an update of every attribute, to NULL and back */
	p.booster_min_days = 120;
	p.storage_min_c = INT64_MIN;
	p.storage_max_c = INT64_MIN;
	p.used_in_vn = false;
	p.active = false;
	assert_int_equal(tc_db_run(fx->db, product_upsert, &p, &f), TC_ERR_OK);
	c = tc_db_acquire(fx->db);
	assert_int_equal(tc_q_product_info(c, "Abdala", &fx->a, &p), TC_QS_ONE);
	assert_int_equal(p.booster_min_days, 120);
	assert_int_equal(p.storage_min_c, INT64_MIN);
	assert_int_equal(p.storage_max_c, INT64_MIN);
	assert_false(p.used_in_vn || p.active);
	tc_db_release(fx->db, c);
	/* the files did not change: migrate does not reload them */
	assert_int_equal(tc_db_migrate(fx->db, "data", &f, &fx->a), TC_ERR_OK);
	c = tc_db_acquire(fx->db);
	assert_int_equal(tc_q_product_info(c, "Abdala", &fx->a, &p), TC_QS_ONE);
	assert_int_equal(p.booster_min_days, 120);
	tc_db_release(fx->db, c);
}

struct af {
	int64_t now, window;
};

static tc_err authfail_add(struct tc_dbc *c, void *cls, struct tc_fault *f)
{
	struct af *x = cls;
	enum tc_qs qs = tc_q_authfail_add(c, "user", "k", x->now, x->window);
	return qs < 0 ? tc_qs_err(qs, f) : TC_ERR_OK;
}

static void test_authfail_window(void **state)
{
	struct fixture *fx = *state;
	struct tc_fault f = {0};
	struct tc_dbc *c;
	int64_t n, t0 = 1795362759000000, win = 900000000;
	struct af x = {t0, t0 - win};

	for (int i = 0; i < 3; i++)
		assert_int_equal(tc_db_run(fx->db, authfail_add, &x, &f), TC_ERR_OK);
	c = tc_db_acquire(fx->db);
	assert_true(tc_q_authfail_get(c, "user", "k", t0 - win, &n) >= 0);
	assert_int_equal(n, 3);
	assert_true(tc_q_authfail_get(c, "addr", "k", t0 - win, &n) >= 0);
	assert_int_equal(n, 0);
	tc_db_release(fx->db, c);
	/* a failure after the window restarts the count */
	x.now = t0 + win + 1;
	x.window = x.now - win;
	assert_int_equal(tc_db_run(fx->db, authfail_add, &x, &f), TC_ERR_OK);
	c = tc_db_acquire(fx->db);
	assert_true(tc_q_authfail_get(c, "user", "k", x.window, &n) >= 0);
	assert_int_equal(n, 1);
	tc_db_release(fx->db, c);
}

static void test_audit_append_only(void **state)
{
	struct fixture *fx = *state;
	struct tc_fault f = {0};
	assert_int_equal(tc_db_run(fx->db, run_script,
	                           "INSERT INTO audit_log (at, actor, action, entity,"
	                           " entity_id, scope_path) VALUES ('2026-01-01T00:00:00Z',"
	                           " 'cli', 'create', 'x', '1', 'VN')",
	                           &f),
	                 TC_ERR_OK);
	int64_t before = count(fx->db, "SELECT COUNT(*) FROM audit_log");
	assert_true(before > 0);
	tc_err rc1 = tc_db_run(fx->db, run_script, "UPDATE audit_log SET actor = 'evil'", &f);
	tc_err rc2 = tc_db_run(fx->db, run_script, "DELETE FROM audit_log", &f);
	if (!ts_is_pg()) {
		assert_int_not_equal(rc1, TC_ERR_OK);
		assert_int_not_equal(rc2, TC_ERR_OK);
	}
	assert_int_equal(count(fx->db, "SELECT COUNT(*) FROM audit_log"), before);
	assert_int_equal(count(fx->db, "SELECT COUNT(*) FROM audit_log WHERE actor = 'evil'"), 0);
}

/* A job that meets a unique conflict and carries on: SQLite rolls back
 * only the statement, PostgreSQL the whole transaction. Either way nothing
 * may be acknowledged that was not stored. */
static tc_err tolerant(struct tc_dbc *c, void *cls, struct tc_fault *f)
{
	const char *const names[] = {"tol-a", "tol-dup", "tol-dup", "tol-b"};
	(void)cls;
	for (int i = 0; i < 4; i++) {
		struct tc_user u = {.username = names[i], .password_hash = "x", .role = "viewer",
		                    .unit_code = "01", .scope_path = "VN/01", .active = true,
		                    .created_at = tc_now_us()};
		enum tc_qs qs = tc_q_user_insert(c, &u);
		if (qs < 0 && qs != TC_QS_CONFLICT)
			return tc_qs_err(qs, f);
	}
	return TC_ERR_OK;
}

static void test_no_false_acknowledgement(void **state)
{
	struct fixture *fx = *state;
	struct tc_fault f = {0};
	tc_err rc = tc_db_run(fx->db, tolerant, NULL, &f);
	int64_t n = count(fx->db, "SELECT COUNT(*) FROM users WHERE username LIKE 'tol-%'");
	if (rc == TC_ERR_OK)
		assert_int_equal(n, 3); /* SQLite: the conflicting insert alone was undone */
	else
		assert_int_equal(n, 0); /* PostgreSQL: the job failed as a whole */
	print_message("tolerated conflict: %s, %lld rows\n", tc_err_code(rc), (long long)n);
}

/* Another process holds SQLite's write lock: the writer answers "busy"
 * (503) once its wait runs out, instead of an internal error. */
static void test_busy_database(void **state)
{
	struct fixture *fx = *state;
	struct tc_fault f = {0};
	if (ts_is_pg()) {
		print_message("SQLite only\n");
		return;
	}
	sqlite3 *other;
	assert_int_equal(sqlite3_open(fx->where, &other), SQLITE_OK);
	assert_int_equal(sqlite3_exec(other, "BEGIN IMMEDIATE", NULL, NULL, NULL), SQLITE_OK);
	tc_err rc = tc_db_run(fx->db, run_script, "INSERT INTO ref_data VALUES ('x', 'y', 'z')", &f);
	assert_int_equal(rc, TC_ERR_RETRY);
	sqlite3_exec(other, "ROLLBACK", NULL, NULL, NULL);
	sqlite3_close(other);
	assert_int_equal(tc_db_run(fx->db, run_script, "INSERT INTO ref_data VALUES ('x', 'y', 'z')", &f),
	                 TC_ERR_OK);
}

/* ---- the log starts over ------------------------------------------------- */

/* Readers that never stop, as a busy server's: one of them is always in
 * the log, so it could never start over by itself. */
struct reading {
	struct tc_db *db;
	atomic_bool stop;
	atomic_int reads, errors;
};

static void *keep_reading(void *arg)
{
	static struct tc_sql q = TC_SQL("SELECT COUNT(*) FROM ref_data");
	struct reading *r = arg;

	while (!atomic_load(&r->stop)) {
		struct tc_dbc *c = tc_db_acquire(r->db);
		int64_t n = 0;
		if (c == NULL || tc_exec(c, &q, NULL, 0, tc_rows_i64, &n) < 0)
			atomic_fetch_add(&r->errors, 1);
		tc_db_release(r->db, c);
		atomic_fetch_add(&r->reads, 1);
	}
	return NULL;
}

/* The log's checkpoint sequence number (its header's fourth field),
 * which goes up by one each time the log starts over. */
static uint32_t log_sequence(const char *where)
{
	char *wal = ts_fmt("%s-wal", where);
	unsigned char h[16];
	FILE *fp = fopen(wal, "rb");

	assert_non_null(fp);
	assert_int_equal(fread(h, 1, sizeof h, fp), sizeof h);
	fclose(fp);
	free(wal);
	return (uint32_t)h[12] << 24 | (uint32_t)h[13] << 16 | (uint32_t)h[14] << 8 |
	       h[15];
}

static void commit_row(struct tc_db *db, int i)
{
	struct tc_fault f = { 0 };
	char *sql = ts_fmt(
	        "INSERT INTO ref_data VALUES ('wal-%d', hex(randomblob(1500)), 'now')",
	        i);

	assert_int_equal(tc_db_run(db, run_script, sql, &f), TC_ERR_OK);
	free(sql);
}

/* Commits of about 3 KB each while two threads read without pause: the
 * checkpointer has the log start over each time it is past its limit (64
 * frames here), which the log's own header shows; every row is there, and
 * no read failed. */
static void test_wal_restarts(void **state)
{
	struct fixture *fx = *state;
	struct tc_db_stats st = { 0 }, st0;
	struct reading r = { .db = fx->db };
	pthread_t readers[2];
	const char *where = fx->where;
	int64_t deadline = tc_mono_us() + 60 * 1000000LL;
	uint32_t seq0;
	int n = 0;

	if (ts_is_pg()) {
		print_message("SQLite only\n");
		return;
	}
	commit_row(r.db, n++);
	seq0 = log_sequence(where);
	tc_db_stats(r.db, &st0);
	for (int i = 0; i < 2; i++)
		assert_int_equal(pthread_create(&readers[i], NULL, keep_reading, &r), 0);
	/* until the checkpointer has had it start over twice (every 200 ms
	 * or so once past the limit), and the file says so: the writer starts
	 * the log over at its next commit, unless a reader slipped into the
	 * log between the checkpoint and that commit (it then starts over at
	 * a later restart, not at once) */
	while ((st.wal_restarts < st0.wal_restarts + 2 ||
	        log_sequence(where) < seq0 + 2) &&
	       tc_mono_us() < deadline) {
		commit_row(r.db, n++);
		tc_db_stats(r.db, &st);
	}
	commit_row(r.db, n++);
	atomic_store(&r.stop, true);
	for (int i = 0; i < 2; i++)
		pthread_join(readers[i], NULL);
	print_message(
	        "%d commits, %d reads: the log started over %llu times (its sequence "
	        "number %u -> %u)\n",
	        n, atomic_load(&r.reads),
	        (unsigned long long)(st.wal_restarts - st0.wal_restarts), seq0,
	        log_sequence(where));
	assert_int_equal(atomic_load(&r.errors), 0);
	assert_true(st.wal_restarts >= st0.wal_restarts + 2);
	assert_true(log_sequence(where) >= seq0 + 2);
	assert_int_equal(
	        count(r.db, "SELECT COUNT(*) FROM ref_data WHERE name LIKE 'wal-%'"), n);
}

/* Idempotency keys: taken once, answered, found again, purged by age. */
struct idem_step {
	int step;
	struct tc_idem_entry e;
	enum tc_qs qs;
};

static tc_err idem_job(struct tc_dbc *c, void *cls, struct tc_fault *f)
{
	struct idem_step *x = cls;
	switch (x->step) {
	case 0:
		x->qs = tc_q_idem_reserve(c, &x->e);
		break;
	case 1:
		x->qs = tc_q_idem_answer(c, &x->e);
		break;
	default:
		x->qs = tc_q_idem_purge(c, x->e.created_at + x->step - 2);
		break;
	}
	return x->qs < 0 ? tc_qs_err(x->qs, f) : TC_ERR_OK;
}

static void test_idem_keys(void **state)
{
	struct fixture *fx = *state;
	struct tc_fault f = {0};
	struct tc_idem_entry got;
	struct tc_dbc *c;
	struct idem_step x = {.e = {.actor_key = "u7", .idem_key = "k 1", .request_sha = "ab",
	                            .created_at = 1700000000123456}};

	assert_int_equal(tc_db_run(fx->db, idem_job, &x, &f), TC_ERR_OK);
	assert_int_equal(x.qs, TC_QS_ONE);
	assert_int_equal(tc_db_run(fx->db, idem_job, &x, &f), TC_ERR_OK);
	assert_int_equal(x.qs, TC_QS_NONE); /* taken already */
	x.step = 1;
	x.e.status = 201;
	x.e.body = "{\"id\":1,\"name\":\"Phúc Xá\"}";
	assert_int_equal(tc_db_run(fx->db, idem_job, &x, &f), TC_ERR_OK);
	assert_int_equal(x.qs, TC_QS_ONE);
	c = tc_db_acquire(fx->db);
	assert_int_equal(tc_q_idem_get(c, "u7", "k 1", &fx->a, &got), TC_QS_ONE);
	assert_string_equal(got.request_sha, "ab");
	assert_int_equal(got.status, 201);
	assert_string_equal(got.body, x.e.body);
	assert_int_equal(got.created_at, x.e.created_at);
	assert_int_equal(tc_q_idem_get(c, "u8", "k 1", &fx->a, &got), TC_QS_NONE);
	tc_db_release(fx->db, c);
	x.step = 2; /* older than created_at: kept */
	assert_int_equal(tc_db_run(fx->db, idem_job, &x, &f), TC_ERR_OK);
	assert_int_equal(x.qs, TC_QS_NONE);
	x.step = 3; /* older than created_at + 1us: gone */
	assert_int_equal(tc_db_run(fx->db, idem_job, &x, &f), TC_ERR_OK);
	assert_int_equal(x.qs, TC_QS_ONE);
	c = tc_db_acquire(fx->db);
	assert_int_equal(tc_q_idem_get(c, "u7", "k 1", &fx->a, &got), TC_QS_NONE);
	tc_db_release(fx->db, c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_migrate, setup, teardown),
		cmocka_unit_test_setup_teardown(test_schema_too_new, setup, teardown),
		cmocka_unit_test(test_serve_refuses_unmigrated),
		cmocka_unit_test_setup_teardown(test_schemas_agree, setup, teardown),
		cmocka_unit_test_setup_teardown(test_group_commit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_deferred, setup, teardown),
		cmocka_unit_test_setup_teardown(test_statuses, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sessions, setup, teardown),
		cmocka_unit_test_setup_teardown(test_products, setup, teardown),
		cmocka_unit_test_setup_teardown(test_authfail_window, setup, teardown),
		cmocka_unit_test_setup_teardown(test_audit_append_only, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_false_acknowledgement, setup,
		                                teardown),
		cmocka_unit_test_setup_teardown(test_busy_database, setup, teardown),
		cmocka_unit_test_setup_teardown(test_wal_restarts, setup_small_log,
		                                teardown),
		cmocka_unit_test_setup_teardown(test_idem_keys, setup, teardown),
	};
	tc_secret_init();
	return cmocka_run_group_tests_name(ts_is_pg() ? "db (postgresql)" : "db (sqlite)",
	                                   tests, NULL, NULL);
}
