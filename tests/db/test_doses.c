/* Doses at the database level (issue 5): the injection's write, doses
 * recorded from elsewhere (numbered with the person's other doses, a late
 * earlier dose renumbering the later ones, broken rules flagged and never
 * refused, exact duplicates recognised), voids, and the counters, which a
 * rebuild from the doses must find exact. Both engines. */
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
#include "domain/birthdate.h"
#include "core/tctime.h"
#include "db/dbi.h"
#include "db/stock.h"
#include "db/visits.h"
#include "domain/appointment.h"
#include "tsupport.h"

#define VAXZEVRIA "EU/1/21/1529"
#define COMIRNATY "EU/1/20/1528"
#define COMMUNE   "00001" /* Phúc Xá, where the people live */
#define COMMUNE_PATH "VN/01/001/00001"
#define DAY_COUNTS_SUM "SELECT COALESCE(SUM(n), 0) FROM dose_counts"
#define SITE_ON_HAND                                                                      \
	"SELECT b.on_hand FROM stock_balances b JOIN facilities f ON f.id = b.facility_id"  \
	" WHERE b.lot_id = $1 AND f.kind = 'vaccination_site'"

enum { P_ANH, P_BINH, P_CHI, NPEOPLE };

struct fixture {
	char *where;
	struct tc_db *db;
	struct tc_arena a;
	struct tc_vaxref ref;
	int64_t site, lot;
	int64_t people[NPEOPLE];
	char today[11];
};

/* A person living in commune $4 (scope $5). */
static struct tc_sql q_person = {
	.text = "INSERT INTO citizens (id, id_type, full_name, family_name,"
	        " given_name, name_key, last_word_key, birth_date, birth_year,"
	        " commune_code, scope_path, qr_token, source, created_at,"
	        " updated_at) VALUES ($1, 'none', $2, 'Test', $2, $3, $3,"
	        " '1980-01-01', 1980, $4, $5, $6, 'staff', $7, $7)"
};

static tc_err setup_run(struct tc_dbc *c, void *cls, struct tc_fault *f)
{
	struct fixture *fx = cls;
	struct tc_stock_by by = {0, tc_now_us()};
	struct tc_facility site = {.kind = "vaccination_site",
	                           .name = "doses test site",
	                           .unit_code = COMMUNE,
	                           .active = true,
	                           .created_at = by.now};
	struct tc_facility wh = {.kind = "provincial_warehouse",
	                         .name = "doses test warehouse",
	                         .unit_code = "01",
	                         .active = true,
	                         .created_at = by.now};
	struct tc_lot lot = {.product = VAXZEVRIA,
	                     .lot_number = "DOSES-1",
	                     .expiry = "2099-12-31",
	                     .manufacturer = "AstraZeneca AB",
	                     .created_at = by.now};
	int64_t mv;
	enum tc_qs qs;
	tc_err rc;

	if ((qs = tc_q_facility_insert(c, "VN/01/001/00001", &site, &fx->a)) < 0 ||
	    (qs = tc_q_facility_insert(c, "VN/01", &wh, &fx->a)) < 0 ||
	    (qs = tc_q_lot_insert(c, &lot)) < 0)
		return tc_qs_err(qs, f);
	fx->site = site.id;
	fx->lot = lot.id;
	struct tc_receipt r = {.facility_id = wh.id, .lot_id = lot.id, .quantity = 100,
	                       .source = "covax"};
	if ((rc = tc_stock_receipt(c, &by, &r, &mv, f)) != TC_ERR_OK)
		return rc;
	struct tc_transfer_item it = {.lot_id = lot.id, .shipped = 50};
	struct tc_transfer t = {.from_facility = wh.id, .to_facility = site.id, .items = &it,
	                        .nitems = 1};
	struct tc_arrival arr = {.lot_id = lot.id, .received = 50};
	struct tc_transfer got;
	if ((rc = tc_stock_ship(c, &by, &t, &fx->a, f)) != TC_ERR_OK ||
	    (rc = tc_stock_receive(c, &by, t.id, &arr, 1, NULL, &fx->a, &got, f)) != TC_ERR_OK)
		return rc;
	for (int i = 0; i < NPEOPLE; i++) {
		const char *name = tc_arena_printf(&fx->a, "Person %d", i);
		fx->people[i] = tc_db_next_id(c);
		struct tc_dbv p[] = {TC_P_I64(fx->people[i]), TC_P_TEXT(name),
		                     TC_P_TEXT(tc_arena_printf(&fx->a, "person %d", i)),
		                     TC_P_TEXT(COMMUNE), TC_P_TEXT(COMMUNE_PATH),
		                     TC_P_TEXT(tc_arena_printf(&fx->a, "qr-doses-%lld",
		                                               (long long)fx->people[i])),
		                     TC_P_TIME(by.now)};
		if ((qs = tc_exec(c, &q_person, p, 7, NULL, NULL)) < 0)
			return tc_qs_err(qs, f);
	}
	return tc_vaxref_load(c, "data", &fx->a, &fx->ref, f);
}

static int setup(void **state)
{
	struct fixture *fx = calloc(1, sizeof(*fx));
	struct tc_fault f = {0};
	char *why = NULL;

	fx->where = ts_db_new();
	fx->db = tc_db_open(fx->where, NULL, &why);
	if (fx->db == NULL)
		fail_msg("open %s: %s", fx->where, why);
	tc_arena_init(&fx->a);
	if (tc_db_migrate(fx->db, "data", &f, &fx->a) != TC_ERR_OK)
		fail_msg("migrate: %s", f.message);
	if (tc_db_run(fx->db, setup_run, fx, &f) != TC_ERR_OK)
		fail_msg("setup: %s (%s)", f.message ? f.message : "?", f.field ? f.field : "-");
	tc_day_format(tc_vn_day(tc_now_us()), fx->today);
	*state = fx;
	return 0;
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

/* ---- jobs ------------------------------------------------------------------ */

struct give_job {
	struct fixture *fx;
	int64_t person;
	const char *override;
	struct tc_dose dose;
	struct tc_sched_result verdict;
};

static tc_err give_run(struct tc_dbc *c, void *cls, struct tc_fault *f)
{
	struct give_job *j = cls;
	struct tc_stock_by by = {0, tc_now_us()};
	struct tc_dose_in in = {.citizen_id = j->person,
	                        .site_id = j->fx->site,
	                        .lot_id = j->fx->lot,
	                        .override_reason = j->override};
	return tc_dose_give(c, &by, &j->fx->ref, &in, &j->fx->a, &j->dose, &j->verdict, f);
}

struct record_job {
	struct fixture *fx;
	struct tc_dose in, out;
};

static tc_err record_run(struct tc_dbc *c, void *cls, struct tc_fault *f)
{
	struct record_job *j = cls;
	struct tc_stock_by by = {0, tc_now_us()};
	return tc_dose_record(c, &by, &j->fx->ref, &j->in, &j->fx->a, &j->out, f);
}

static tc_err record(struct fixture *fx, int64_t person, const char *product, const char *day,
                     struct tc_dose *out, struct tc_fault *f)
{
	struct record_job j = {.fx = fx,
	                       .in = {.citizen_id = person,
	                              .product = product,
	                              .given_on = day,
	                              .place = "Bệnh viện Bạch Mai",
	                              .source = "record"}};
	tc_err rc = tc_db_run(fx->db, record_run, &j, f);
	if (out)
		*out = j.out;
	return rc;
}

struct void_job {
	struct fixture *fx;
	struct tc_dose before;
};

static tc_err void_run(struct tc_dbc *c, void *cls, struct tc_fault *f)
{
	struct void_job *j = cls;
	struct tc_stock_by by = {0, tc_now_us()};
	return tc_dose_void(c, &by, &j->fx->ref, &j->before, "entered for the wrong person",
	                    &j->fx->a, f);
}

/* ---- reads ------------------------------------------------------------------ */

static int64_t sql_i64(struct fixture *fx, const char *sql, int64_t id)
{
	struct tc_sql q = {.text = sql};
	struct tc_dbc *c = tc_db_acquire(fx->db);
	struct tc_dbv p[] = {TC_P_I64(id)};
	int64_t v = -1;
	enum tc_qs qs = tc_exec(c, &q, p, strstr(sql, "$1") ? 1 : 0, tc_rows_i64, &v);
	tc_db_release(fx->db, c);
	assert_true(qs >= 0);
	return v;
}

static struct tc_dose *doses_of(struct fixture *fx, int64_t person, size_t *n)
{
	struct tc_dbc *c = tc_db_acquire(fx->db);
	struct tc_dose *d;
	assert_true(tc_q_doses_of(c, person, &fx->a, &d, n) >= 0);
	tc_db_release(fx->db, c);
	return d;
}

static int64_t coverage(struct fixture *fx, const char *column)
{
	char sql[128];
	snprintf(sql, sizeof sql, "SELECT COALESCE(SUM(%s), 0) FROM coverage_counts", column);
	return sql_i64(fx, sql, 0);
}

struct rebuild_job {
	struct fixture *fx;
	int64_t doses, differences;
	char *report;
};

static tc_err rebuild_run(struct tc_dbc *c, void *cls, struct tc_fault *f)
{
	struct rebuild_job *j = cls;
	return tc_stats_rebuild(c, &j->fx->ref, &j->fx->a, &j->doses, &j->differences,
	                        &j->report, f);
}

static void expect_exact(struct fixture *fx)
{
	struct rebuild_job rj = {.fx = fx};
	struct tc_fault f = {0};
	assert_int_equal(tc_db_run(fx->db, rebuild_run, &rj, &f), TC_ERR_OK);
	if (rj.differences)
		fail_msg("the counters differ from the doses:\n%s", rj.report);
}

/* ---- tests ------------------------------------------------------------------ */

static void test_give(void **state)
{
	struct fixture *fx = *state;
	struct give_job j = {.fx = fx, .person = fx->people[P_ANH]};
	struct tc_fault f = {0};

	assert_int_equal(tc_db_run(fx->db, give_run, &j, &f), TC_ERR_OK);
	assert_string_equal(j.dose.kind, "primary");
	assert_int_equal(j.dose.number, 1);
	assert_string_equal(j.dose.given_on, fx->today);
	/* the stock moved, the counters counted */
	assert_int_equal(sql_i64(fx, SITE_ON_HAND, fx->lot), 49); /* of 50 shipped */
	assert_int_equal(sql_i64(fx,
	                         "SELECT COUNT(*) FROM stock_movements WHERE kind = 'administered'"
	                         " AND dose_id = $1",
	                         j.dose.id),
	                 1);
	assert_int_equal(sql_i64(fx, "SELECT SUM(n) FROM dose_counts", 0), 1);
	assert_int_equal(coverage(fx, "first"), 1);
	assert_int_equal(coverage(fx, "complete"), 0);

	/* the same person again today: refused, nothing written */
	struct give_job again = {.fx = fx, .person = fx->people[P_ANH]};
	tc_fault_clear(&f);
	assert_int_equal(tc_db_run(fx->db, give_run, &again, &f), TC_ERR_SCHEDULE);
	assert_string_equal(f.field, "lot_id");
	/* even with an override: one dose a day */
	struct give_job over = {.fx = fx, .person = fx->people[P_ANH], .override = "asked"};
	tc_fault_clear(&f);
	assert_int_equal(tc_db_run(fx->db, give_run, &over, &f), TC_ERR_SCHEDULE);
	assert_int_equal(sql_i64(fx, "SELECT COUNT(*) FROM doses", 0), 1);
	expect_exact(fx);
}

static void test_records(void **state)
{
	struct fixture *fx = *state;
	struct tc_fault f = {0};
	struct tc_dose d, late;
	size_t n;

	/* Bình: a second-dose record first, then the first dose arrives late */
	assert_int_equal(record(fx, fx->people[P_BINH], COMIRNATY, "2021-09-01", &d, &f),
	                 TC_ERR_OK);
	assert_string_equal(d.kind, "primary");
	assert_int_equal(d.number, 1);
	assert_int_equal(record(fx, fx->people[P_BINH], COMIRNATY, "2021-08-01", &late, &f),
	                 TC_ERR_OK);
	struct tc_dose *h = doses_of(fx, fx->people[P_BINH], &n);
	assert_int_equal(n, 2);
	assert_string_equal(h[0].given_on, "2021-08-01");
	assert_int_equal(h[0].number, 1);
	assert_string_equal(h[1].given_on, "2021-09-01");
	assert_int_equal(h[1].number, 2); /* renumbered */
	assert_string_equal(h[1].flags, "");
	int64_t complete = coverage(fx, "complete");
	assert_true(complete >= 1);

	/* an exact duplicate is the same dose */
	tc_fault_clear(&f);
	assert_int_equal(record(fx, fx->people[P_BINH], COMIRNATY, "2021-08-01", NULL, &f),
	                 TC_ERR_CONFLICT);
	assert_int_equal(f.existing_id, late.id);

	/* Chí: a second dose four days after the first breaks the interval:
	 * stored, numbered, flagged, on the review list */
	assert_int_equal(record(fx, fx->people[P_CHI], COMIRNATY, "2021-10-01", NULL, &f),
	                 TC_ERR_OK);
	assert_int_equal(record(fx, fx->people[P_CHI], COMIRNATY, "2021-10-05", &d, &f),
	                 TC_ERR_OK);
	assert_int_equal(d.number, 2);
	assert_string_equal(d.flags, "too_early");
	assert_string_equal(d.review, "pending");

	/* bad input is refused */
	tc_fault_clear(&f);
	assert_int_equal(record(fx, fx->people[P_CHI], COMIRNATY, "2999-01-01", NULL, &f),
	                 TC_ERR_INVALID_FIELD);
	assert_string_equal(f.field, "given_on");
	tc_fault_clear(&f);
	assert_int_equal(record(fx, fx->people[P_CHI], "NOT-A-VACCINE", "2021-10-09", NULL, &f),
	                 TC_ERR_INVALID_FIELD);
	assert_string_equal(f.field, "product");
	expect_exact(fx);

	/* the late first dose was entered for the wrong person: voided, the
	 * other one is dose 1 again, the series no longer complete */
	complete = coverage(fx, "complete");
	struct void_job vj = {.fx = fx, .before = late};
	tc_fault_clear(&f);
	if (tc_db_run(fx->db, void_run, &vj, &f) != TC_ERR_OK)
		fail_msg("void: %s (%s)", f.message ? f.message : tc_err_code(f.code),
		         f.field ? f.field : "-");
	h = doses_of(fx, fx->people[P_BINH], &n);
	assert_int_equal(n, 2);
	assert_string_equal(h[0].status, "voided");
	assert_string_equal(h[1].status, "valid");
	assert_int_equal(h[1].number, 1);
	assert_int_equal(coverage(fx, "complete"), complete - 1);
	/* voiding it twice: the record changed meanwhile */
	tc_fault_clear(&f);
	assert_int_equal(tc_db_run(fx->db, void_run, &vj, &f), TC_ERR_WRONG_STATE);
	expect_exact(fx);
}

static void test_void_given(void **state)
{
	struct fixture *fx = *state;
	struct tc_fault f = {0};
	size_t n;
	struct tc_dose *h = doses_of(fx, fx->people[P_ANH], &n);
	int64_t on_hand = sql_i64(fx, SITE_ON_HAND, fx->lot);

	assert_int_equal(n, 1);
	struct void_job vj = {.fx = fx, .before = h[0]};
	assert_int_equal(tc_db_run(fx->db, void_run, &vj, &f), TC_ERR_OK);
	/* the dose goes back on the books, and the ledger still adds up */
	assert_int_equal(sql_i64(fx, SITE_ON_HAND, fx->lot), on_hand + 1);
	int64_t bal, mov, problems;
	char *report;
	struct tc_dbc *c = tc_db_acquire(fx->db);
	assert_int_equal(tc_stock_check(c, &fx->a, &bal, &mov, &problems, &report, &f),
	                 TC_ERR_OK);
	tc_db_release(fx->db, c);
	if (problems)
		fail_msg("the ledger does not add up:\n%s", report);
	assert_int_equal(coverage(fx, "first"), sql_i64(fx,
	                                                "SELECT COUNT(*) FROM vax_status"
	                                                " WHERE doses > 0",
	                                                0));
	expect_exact(fx);
}

/* ---- many doses in one transaction ---------------------------------------- */

/* Within one transaction (on SQLite a group commit, where the day counts
 * and coverage are summed in memory until the commit: counters.h):
 * people vaccinated, the counters compared with the doses, more people
 * vaccinated and one of those doses voided, all before the commit; or,
 * when the job then fails, nothing of it kept. */
struct batch_job {
	struct fixture *fx;
	bool fail; /* fail at the end */
	int64_t differences, after_void;
};

#define BATCH_PEOPLE 6

/* A new person of `commune` (path: its scope), vaccinated at the site. */
static tc_err give_new(struct tc_dbc *c, struct fixture *fx, const char *commune,
                       const char *path, struct tc_dose *out, struct tc_fault *f)
{
	struct tc_stock_by by = { 0, tc_now_us() };
	struct tc_sched_result verdict;
	int64_t id = tc_db_next_id(c);
	struct tc_dbv p[] = {
		TC_P_I64(id),
		TC_P_TEXT(tc_arena_printf(&fx->a, "Batch %lld", (long long)id)),
		TC_P_TEXT(tc_arena_printf(&fx->a, "batch %lld", (long long)id)),
		TC_P_TEXT(commune),
		TC_P_TEXT(path),
		TC_P_TEXT(tc_arena_printf(&fx->a, "qr-batch-%lld", (long long)id)),
		TC_P_TIME(by.now)
	};
	enum tc_qs qs = tc_exec(c, &q_person, p, 7, NULL, NULL);
	if (qs < 0)
		return tc_qs_err(qs, f);
	struct tc_dose_in in = { .citizen_id = id,
		                 .site_id = fx->site,
		                 .lot_id = fx->lot };
	return tc_dose_give(c, &by, &fx->ref, &in, &fx->a, out, &verdict, f);
}

static tc_err batch_run(struct tc_dbc *c, void *cls, struct tc_fault *f)
{
	struct batch_job *j = cls;
	struct fixture *fx = j->fx;
	struct tc_stock_by by = { 0, tc_now_us() };
	struct tc_dose given[BATCH_PEOPLE];
	struct tc_sql q_sum = { .text = DAY_COUNTS_SUM };
	int64_t doses;
	char *report;
	enum tc_qs qs;
	tc_err rc;

	for (int i = 0; i < BATCH_PEOPLE / 2; i++)
		if ((rc = give_new(c, fx, COMMUNE, COMMUNE_PATH, &given[i], f)) !=
		    TC_ERR_OK)
			return rc;
	if ((rc = tc_stats_rebuild(c, &fx->ref, &fx->a, &doses, &j->differences, &report,
	                           f)) != TC_ERR_OK)
		return rc;
	for (int i = BATCH_PEOPLE / 2; i < BATCH_PEOPLE; i++)
		if ((rc = give_new(c, fx, COMMUNE, COMMUNE_PATH, &given[i], f)) !=
		    TC_ERR_OK)
			return rc;
	if ((rc = tc_dose_void(c, &by, &fx->ref, &given[BATCH_PEOPLE - 1],
	                       "entered for the wrong person", &fx->a, f)) != TC_ERR_OK)
		return rc;
	/* what the table holds now: the doses counted so far, the void too */
	if ((qs = tc_exec(c, &q_sum, NULL, 0, tc_rows_i64, &j->after_void)) < 0)
		return tc_qs_err(qs, f);
	if (j->fail)
		return tc_fault_set(f, TC_ERR_CONFLICT, "id", "the test's failure");
	return TC_ERR_OK;
}

static void test_batch(void **state)
{
	struct fixture *fx = *state;
	struct tc_fault f = { 0 };
	int64_t counted = sql_i64(fx, DAY_COUNTS_SUM, 0), first = coverage(fx, "first");
	int64_t doses = sql_i64(fx, "SELECT COUNT(*) FROM doses", 0);

	/* failing at the end: nothing kept, the counters as they were */
	struct batch_job bad = { .fx = fx, .fail = true };
	assert_int_equal(tc_db_run(fx->db, batch_run, &bad, &f), TC_ERR_CONFLICT);
	assert_int_equal(sql_i64(fx, "SELECT COUNT(*) FROM doses", 0), doses);
	assert_int_equal(sql_i64(fx, DAY_COUNTS_SUM, 0), counted);
	assert_int_equal(coverage(fx, "first"), first);

	struct batch_job ok = { .fx = fx };
	tc_fault_clear(&f);
	if (tc_db_run(fx->db, batch_run, &ok, &f) != TC_ERR_OK)
		fail_msg("batch: %s (%s)", f.message ? f.message : tc_err_code(f.code),
		         f.field ? f.field : "-");
	/* the rebuild saw the first three doses counted */
	assert_int_equal(ok.differences, 0);
	/* taking a dose back wrote the three counted after the rebuild first */
	assert_int_equal(ok.after_void, counted + BATCH_PEOPLE - 1);
	assert_int_equal(sql_i64(fx, "SELECT COUNT(*) FROM doses", 0),
	                 doses + BATCH_PEOPLE);
	assert_int_equal(sql_i64(fx, DAY_COUNTS_SUM, 0), counted + BATCH_PEOPLE - 1);
	assert_int_equal(coverage(fx, "first"), first + BATCH_PEOPLE - 1);
	expect_exact(fx);
}

/* ---- jobs of one batch ---------------------------------------------------- */

/* Many jobs queued at once run as one group commit on SQLite (the first
 * holds the writer while the rest queue): people of 40 communes
 * vaccinated one job each (40 coverage rows held back, past the first
 * size of the table), a later job voiding the first job's dose (its
 * count still held back), and a rebuild comparing all of it, in the same
 * transaction; then the counters are exact. SQLite only: PostgreSQL runs
 * such jobs side by side, each in its own transaction, in no set order. */
#define NCOMMUNES 40

struct queued {
	struct tc_job job;
	struct fixture *fx;
	const char *commune, *path;
	struct tc_dose dose;
	const struct tc_dose *to_void;
	int64_t doses, differences;
	pthread_mutex_t *mu;
	pthread_cond_t *cv;
	int *left;
};

static tc_err hold_run(struct tc_dbc *c, void *cls, struct tc_fault *f)
{
	(void)c, (void)cls, (void)f;
	usleep(200 * 1000);
	return TC_ERR_OK;
}

static tc_err give_in_run(struct tc_dbc *c, void *cls, struct tc_fault *f)
{
	struct queued *q = cls;
	return give_new(c, q->fx, q->commune, q->path, &q->dose, f);
}

static tc_err void_queued_run(struct tc_dbc *c, void *cls, struct tc_fault *f)
{
	struct queued *q = cls;
	struct tc_stock_by by = { 0, tc_now_us() };
	return tc_dose_void(c, &by, &q->fx->ref, q->to_void,
	                    "entered for the wrong person", &q->fx->a, f);
}

static tc_err rebuild_queued_run(struct tc_dbc *c, void *cls, struct tc_fault *f)
{
	struct queued *q = cls;
	char *report;
	return tc_stats_rebuild(c, &q->fx->ref, &q->fx->a, &q->doses, &q->differences,
	                        &report, f);
}

static void queued_done(struct tc_job *j)
{
	struct queued *q = (struct queued *)j;
	pthread_mutex_lock(q->mu);
	if (--*q->left == 0)
		pthread_cond_signal(q->cv);
	pthread_mutex_unlock(q->mu);
}

static int fill_commune(void *cls, const struct tc_dbrow *r)
{
	struct queued *q = cls;
	int i = 0;
	while (q[i].commune)
		i++;
	q[i].commune = tc_row_text(r, 0, &q[i].fx->a);
	q[i].path = tc_row_text(r, 1, &q[i].fx->a);
	return 0;
}

static void test_batch_jobs(void **state)
{
	struct fixture *fx = *state;
	enum { NQ = 1 + NCOMMUNES + 2 };
	struct queued q[NQ + 1];
	struct tc_sql q_communes = {
		.text = "SELECT code, path FROM units WHERE level = 'commune'"
		        " ORDER BY code LIMIT 40"
	};
	pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
	pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
	int left = NQ;
	struct tc_db_stats s0, s1;
	int64_t counted = sql_i64(fx, DAY_COUNTS_SUM, 0), first = coverage(fx, "first");

	memset(q, 0, sizeof q);
	for (int i = 0; i < NQ; i++)
		q[i] = (struct queued){ .fx = fx, .mu = &mu, .cv = &cv, .left = &left };
	struct tc_dbc *c = tc_db_acquire(fx->db);
	assert_true(tc_exec(c, &q_communes, NULL, 0, fill_commune, &q[1]) >= 0);
	tc_db_release(fx->db, c);
	assert_non_null(q[NCOMMUNES].commune);

	q[0].job.run = hold_run;
	for (int i = 1; i <= NCOMMUNES; i++)
		q[i].job.run = give_in_run;
	q[NQ - 2].job.run = void_queued_run;
	q[NQ - 2].to_void = &q[1].dose;
	q[NQ - 1].job.run = rebuild_queued_run;
	tc_db_stats(fx->db, &s0);
	for (int i = 0; i < NQ; i++) {
		q[i].job.cls = &q[i];
		q[i].job.done = queued_done;
		tc_db_submit(fx->db, &q[i].job);
	}
	pthread_mutex_lock(&mu);
	while (left > 0)
		pthread_cond_wait(&cv, &mu);
	pthread_mutex_unlock(&mu);
	tc_db_stats(fx->db, &s1);

	for (int i = 0; i < NQ; i++)
		if (q[i].job.rc != TC_ERR_OK)
			fail_msg("job %d: %s %s", i, tc_err_code(q[i].job.rc),
			         q[i].job.fault.message ? q[i].job.fault.message : "");
	/* all together, or the held one and then the rest */
	assert_true(s1.batches - s0.batches <= 2);
	assert_int_equal(q[NQ - 1].differences, 0);
	assert_int_equal(sql_i64(fx, DAY_COUNTS_SUM, 0), counted + NCOMMUNES - 1);
	assert_int_equal(coverage(fx, "first"), first + NCOMMUNES - 1);
	expect_exact(fx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_give),       cmocka_unit_test(test_records),
		cmocka_unit_test(test_void_given), cmocka_unit_test(test_batch),
		cmocka_unit_test(test_batch_jobs), /* last: SQLite only */
	};
	size_t n = sizeof tests / sizeof *tests - (ts_is_pg() ? 1 : 0);
	return _cmocka_run_group_tests(ts_is_pg() ? "doses (postgresql)"
	                                          : "doses (sqlite)",
	                               tests, n, setup, teardown);
}
