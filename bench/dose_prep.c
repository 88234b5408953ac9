/* Set-up for the dose benchmarks and the crash test: see dose_prep.h. */
#include "dose_prep.h"

#include <stdio.h>
#include <string.h>

#include "core/tctime.h"
#include "db/dbi.h"
#include "db/records.h"
#include "db/stock.h"
#include "domain/appointment.h"
#include "domain/birthdate.h"
#include "domain/stockrules.h"

/* ---- people ------------------------------------------------------------------ */

static struct tc_sql q_max_citizen = TC_SQL("SELECT COALESCE(MAX(id), 0) FROM citizens");
static const char *const communes_make =
	"CREATE TEMP TABLE bench_communes AS SELECT ROW_NUMBER() OVER (ORDER BY code) - 1 AS k,"
	" code, path FROM units WHERE level = 'commune'";
static struct tc_sql q_communes = TC_SQL("SELECT COUNT(*) FROM bench_communes");
/* $1 first id, $2 how many, $3 communes, $4 now. Random name keys, so the
 * name indexes take keys in random order as they do with real people. */
static struct tc_sql q_people = TC_SQL2(
	"INSERT INTO citizens (id, id_type, full_name, family_name, given_name, name_key,"
	" last_word_key, birth_date, birth_year, gender, phone, commune_code, address,"
	" scope_path, qr_token, source, created_at, updated_at)"
	" SELECT CAST($1 AS BIGINT) + i, 'none', 'Bench ' || i, 'Bench', 'B' || i,"
	" md5(random()::text), substr(md5(random()::text), 1, 8),"
	" (1950 + i % 50) || '-0' || (1 + i % 9) || '-1' || (i % 9), 1950 + i % 50,"
	" CASE WHEN i % 2 = 0 THEN 'male' ELSE 'female' END, '+849' || (10000000 + i),"
	" m.code, 'bench', m.path, md5(random()::text || i), 'import',"
	" CAST($4 AS TIMESTAMPTZ), CAST($4 AS TIMESTAMPTZ)"
	" FROM generate_series(0, CAST($2 AS BIGINT) - 1) AS s(i)"
	" JOIN bench_communes m ON m.k = i % CAST($3 AS BIGINT)",
	"WITH RECURSIVE s(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM s WHERE i + 1 < $2)"
	" INSERT INTO citizens (id, id_type, full_name, family_name, given_name, name_key,"
	" last_word_key, birth_date, birth_year, gender, phone, commune_code, address,"
	" scope_path, qr_token, source, created_at, updated_at)"
	" SELECT $1 + i, 'none', 'Bench ' || i, 'Bench', 'B' || i, lower(hex(randomblob(8))),"
	" lower(hex(randomblob(4))), (1950 + i % 50) || '-0' || (1 + i % 9) || '-1' || (i % 9),"
	" 1950 + i % 50, CASE WHEN i % 2 = 0 THEN 'male' ELSE 'female' END,"
	" '+849' || (10000000 + i), m.code, 'bench', m.path, lower(hex(randomblob(16))),"
	" 'import', $4, $4 FROM s JOIN bench_communes m ON m.k = i % $3");

static struct tc_sql q_count_citizens = TC_SQL("SELECT COUNT(*) FROM citizens");

static tc_err count_run(struct tc_dbc *c, void *cls, struct tc_fault *f)
{
	enum tc_qs qs = tc_exec(c, &q_count_citizens, NULL, 0, tc_rows_i64, cls);
	return qs < 0 ? tc_qs_err(qs, f) : TC_ERR_OK;
}

tc_err dp_count_citizens(struct tc_db *db, int64_t *n, struct tc_fault *f)
{
	*n = 0;
	return tc_db_run(db, count_run, n, f);
}

struct people_job {
	int64_t n, first;
};

static tc_err people_run(struct tc_dbc *c, void *cls, struct tc_fault *f)
{
	struct people_job *j = cls;
	int64_t ncomm = 0;
	enum tc_qs qs;

	if ((qs = tc_exec(c, &q_max_citizen, NULL, 0, tc_rows_i64, &j->first)) < 0 ||
	    (qs = tc_exec_script(c, "DROP TABLE IF EXISTS bench_communes")) < 0 ||
	    (qs = tc_exec_script(c, communes_make)) < 0 ||
	    (qs = tc_exec(c, &q_communes, NULL, 0, tc_rows_i64, &ncomm)) < 0)
		return tc_qs_err(qs, f);
	if (ncomm == 0)
		return tc_fault_set(f, TC_ERR_NOT_FOUND, "units", "no communes: run migrate");
	j->first++;
	struct tc_dbv p[] = {TC_P_I64(j->first), TC_P_I64(j->n), TC_P_I64(ncomm),
	                     TC_P_TIME(tc_now_us())};
	if ((qs = tc_exec(c, &q_people, p, 4, NULL, NULL)) < 0 ||
	    (qs = tc_exec_script(c, "DROP TABLE bench_communes")) < 0)
		return tc_qs_err(qs, f);
	return TC_ERR_OK;
}

tc_err dp_citizens(struct tc_db *db, int64_t n, int64_t *first, struct tc_fault *f)
{
	/* in chunks: one statement for a million rows outlasts PostgreSQL's
	 * statement_timeout (backend_pg.c) on a busy machine */
	const int64_t chunk = 50000;
	tc_err rc = TC_ERR_OK;

	*first = 0;
	for (int64_t done = 0; done < n && rc == TC_ERR_OK; done += chunk) {
		struct people_job j = {.n = n - done < chunk ? n - done : chunk};
		rc = tc_db_run(db, people_run, &j, f);
		if (done == 0)
			*first = j.first;
	}
	return rc;
}

/* ---- the place, the session and the stock ------------------------------------ */

static const struct {
	const char *unit, *name;
} chain[] = {
	{"VN", "Kho vắc xin quốc gia"},
	{"01", "Kho vắc xin Hà Nội"},
	{"001", "Trung tâm Y tế quận Ba Đình"},
	{"00001", "Trạm Y tế phường Phúc Xá"},
};

struct place_job {
	const char *product;
	int64_t doses;
	struct dp_place *out;
	struct tc_arena *a;
};

static tc_err place_run(struct tc_dbc *c, void *cls, struct tc_fault *f)
{
	struct place_job *j = cls;
	struct tc_stock_by by = {.actor_id = 0, .now = tc_now_us()};
	struct tc_facility fac[4];
	struct tc_product_info p;
	char today[11], expiry[11];
	int64_t mv, y;
	unsigned m, d;
	enum tc_qs qs;
	tc_err rc;

	for (int i = 0; i < 4; i++)
		if ((qs = tc_q_facility_by_name(c, chain[i].unit, chain[i].name, j->a, &fac[i])) !=
		    TC_QS_ONE)
			return qs < 0 ? tc_qs_err(qs, f)
			              : tc_fault_set(f, TC_ERR_NOT_FOUND, "facility",
			                             "demo facilities missing: run seed-demo");
	if ((qs = tc_q_product_info(c, j->product, j->a, &p)) != TC_QS_ONE)
		return tc_fault_set(f, TC_ERR_NOT_FOUND, "product", "no such product");
	tc_day_format(tc_vn_day(by.now), today);
	tc_civil_from_days(tc_vn_day(by.now) + 365, &y, &m, &d);
	snprintf(expiry, sizeof expiry, "%04lld-%02u-%02u", (long long)y, m, d);

	struct tc_lot lot = {.product = j->product,
	                     .lot_number = tc_arena_printf(j->a, "BENCH-%lld", (long long)by.now),
	                     .expiry = expiry,
	                     .manufacturer = "bench",
	                     .created_at = by.now};
	if ((qs = tc_q_lot_insert(c, &lot)) < 0)
		return tc_qs_err(qs, f);
	struct tc_receipt r = {.facility_id = fac[0].id, .lot_id = lot.id, .quantity = j->doses,
	                       .vvm = 1, .source = "covax", .party = "bench"};
	if ((rc = tc_stock_receipt(c, &by, &r, &mv, f)) != TC_ERR_OK)
		return rc;
	for (int step = 0; step < 3; step++) {
		struct tc_transfer_item it = {.lot_id = lot.id, .shipped = j->doses};
		struct tc_transfer t = {.from_facility = fac[step].id,
		                        .to_facility = fac[step + 1].id,
		                        .items = &it,
		                        .nitems = 1,
		                        .note = "bench"};
		struct tc_arrival arr = {.lot_id = lot.id, .received = j->doses, .vvm = 1};
		struct tc_transfer got;
		if ((rc = tc_stock_ship(c, &by, &t, j->a, f)) != TC_ERR_OK ||
		    (rc = tc_stock_receive(c, &by, t.id, &arr, 1, NULL, j->a, &got, f)) != TC_ERR_OK)
			return rc;
	}
	struct tc_vsession s = {.site_id = fac[3].id,
	                        .day = today,
	                        .starts = "00:00",
	                        .ends = "23:59",
	                        .product = j->product,
	                        .capacity = 100000000,
	                        .scope_path = fac[3].scope_path,
	                        .created_at = by.now};
	if ((qs = tc_q_vsession_insert(c, &s)) < 0)
		return tc_qs_err(qs, f);
	*j->out = (struct dp_place){.site_id = fac[3].id, .session_id = s.id, .lot_id = lot.id,
	                            .product = j->product};
	return TC_ERR_OK;
}

tc_err dp_place(struct tc_db *db, const char *product, int64_t doses, struct dp_place *out,
                struct tc_fault *f)
{
	struct tc_arena a;
	tc_arena_init(&a);
	struct place_job j = {.product = product, .doses = doses, .out = out, .a = &a};
	tc_err rc = tc_db_run(db, place_run, &j, f);
	tc_arena_cleanup(&a);
	return rc;
}

/* ---- visits ------------------------------------------------------------------ */

/* Visit ids are the person's id plus this: below the time-ordered ids
 * tc_db_next_id draws (about 2^48 today), so they never meet. */
#define VISIT_ID_BASE 1000000000000LL

static struct tc_sql q_next_person = TC_SQL(
	"SELECT COALESCE(MAX(citizen_id), 0) FROM visits");
static struct tc_sql q_people_left = TC_SQL(
	"SELECT COUNT(*) FROM citizens WHERE id > $1 AND id <= $1 + $2");
/* What the screening step writes for an eligible adult (api_screening.c),
 * after the product, which comes first. */
#define SCREENING_REST \
	"\",\"outcome\":\"eligible\",\"reasons\":[],\"postpone_until\":null," \
	"\"caution\":false,\"observe_minutes\":30,\"temperature\":36.6,\"systolic\":120," \
	"\"diastolic\":80,\"pulse\":78,\"guardian_consent\":false,\"guardian_name\":null," \
	"\"answers\":{\"anaphylaxis_same_vaccine\":false," \
	"\"severe_reaction_previous_dose\":false,\"covid19_recent\":false," \
	"\"acute_illness\":false,\"chronic_progressing\":false," \
	"\"other_vaccine_14d\":false,\"pregnant_lt13w\":false," \
	"\"pregnant_ge13w\":false,\"anaphylaxis_grade3_other\":false," \
	"\"immunosuppression_severe\":false,\"allergy_any\":false," \
	"\"bleeding_disorder\":false,\"consciousness_behaviour\":false}}"
/* $1 id base, $2 site, $3 session, $4 day, $5 now, $6 site's scope, $7 after
 * this person, $8 how many, $9 the product screened for */
static struct tc_sql q_visits = TC_SQL2(
	"INSERT INTO visits (id, citizen_id, site_id, session_id, day, walk_in, status,"
	" screening, screening_json, observe_minutes, screened_at, scope_path, created_at,"
	" updated_at) SELECT CAST($1 AS BIGINT) + c.id, c.id, CAST($2 AS BIGINT),"
	" CAST($3 AS BIGINT), CAST($4 AS TEXT), TRUE, 'screened', 'eligible',"
	" '{\"product\":\"' || CAST($9 AS TEXT) || '" SCREENING_REST "',"
	" 30, CAST($5 AS TIMESTAMPTZ), CAST($6 AS TEXT), CAST($5 AS TIMESTAMPTZ),"
	" CAST($5 AS TIMESTAMPTZ) FROM citizens c"
	" WHERE c.id > CAST($7 AS BIGINT) AND c.id <= CAST($7 AS BIGINT) + CAST($8 AS BIGINT)",
	"INSERT INTO visits (id, citizen_id, site_id, session_id, day, walk_in, status,"
	" screening, screening_json, observe_minutes, screened_at, scope_path, created_at,"
	" updated_at) SELECT $1 + c.id, c.id, $2, $3, $4, 1, 'screened', 'eligible',"
	" '{\"product\":\"' || $9 || '" SCREENING_REST "', 30, $5, $6, $5, $5"
	" FROM citizens c WHERE c.id > $7 AND c.id <= $7 + $8");
static struct tc_sql q_site_scope = TC_SQL("SELECT scope_path FROM facilities WHERE id = $1");

struct visits_job {
	const struct dp_place *p;
	int64_t n, first;
	struct tc_arena *a;
};

static int row_text(void *cls, const struct tc_dbrow *r)
{
	struct {
		struct tc_arena *a;
		const char *s;
	} *o = cls;
	o->s = tc_row_text(r, 0, o->a);
	return 1;
}

static tc_err visits_run(struct tc_dbc *c, void *cls, struct tc_fault *f)
{
	struct visits_job *j = cls;
	int64_t after = 0, left = 0, now = tc_now_us();
	char today[11];
	const char *day = today;
	struct {
		struct tc_arena *a;
		const char *s;
	} scope = {j->a, NULL};
	enum tc_qs qs;

	tc_day_format(tc_vn_day(now), today);
	if ((qs = tc_exec(c, &q_next_person, NULL, 0, tc_rows_i64, &after)) < 0)
		return tc_qs_err(qs, f);
	struct tc_dbv pl[] = {TC_P_I64(after), TC_P_I64(j->n)};
	if ((qs = tc_exec(c, &q_people_left, pl, 2, tc_rows_i64, &left)) < 0)
		return tc_qs_err(qs, f);
	if (left < j->n)
		return tc_fault_setf(f, j->a, TC_ERR_CONFLICT, "citizens",
		                     "only %lld people without a visit are left, %lld wanted",
		                     (long long)left, (long long)j->n);
	struct tc_dbv ps[] = {TC_P_I64(j->p->site_id)};
	if ((qs = tc_exec(c, &q_site_scope, ps, 1, row_text, &scope)) != TC_QS_ONE)
		return tc_qs_err(qs < 0 ? qs : TC_QS_NONE, f);
	struct tc_dbv p[] = {TC_P_I64(VISIT_ID_BASE), TC_P_I64(j->p->site_id),
	                     TC_P_I64(j->p->session_id), TC_P_TEXT((const char *)day),
	                     TC_P_TIME(now),        TC_P_TEXT(scope.s),
	                     TC_P_I64(after),       TC_P_I64(j->n),
	                     TC_P_TEXT(j->p->product)};
	if ((qs = tc_exec(c, &q_visits, p, 9, NULL, NULL)) < 0)
		return tc_qs_err(qs, f);
	j->first = VISIT_ID_BASE + after + 1;
	return TC_ERR_OK;
}

tc_err dp_visits(struct tc_db *db, const struct dp_place *p, int64_t n, int64_t *first,
                 struct tc_fault *f)
{
	struct tc_arena a;
	tc_arena_init(&a);
	struct visits_job j = {.p = p, .n = n, .a = &a};
	tc_err rc = tc_db_run(db, visits_run, &j, f);
	*first = j.first;
	tc_arena_cleanup(&a);
	return rc;
}

/* ---- the injection --------------------------------------------------------------- */

tc_err dp_inject_run(struct tc_dbc *c, void *cls, struct tc_fault *f)
{
	struct dp_inject *j = cls;
	struct tc_stock_by by = {.actor_id = 0, .now = tc_now_us()};
	struct tc_sched_result verdict;
	struct tc_visit v, after;
	struct tc_dose d;
	enum tc_qs qs;
	tc_err rc;

	if ((qs = tc_q_visit_get(c, j->visit_id, j->a, &v)) != TC_QS_ONE)
		return qs < 0 ? tc_qs_err(qs, f)
		              : tc_fault_set(f, TC_ERR_NOT_FOUND, "visit", "no such visit");
	if (strcmp(v.status, "screened") != 0 || !v.screening ||
	    strcmp(v.screening, "eligible") != 0)
		return tc_fault_set(f, TC_ERR_WRONG_STATE, "visit", "not screened eligible");
	struct tc_dose_in in = {.citizen_id = v.citizen_id,
	                        .site_id = v.site_id,
	                        .lot_id = j->lot_id,
	                        .visit_id = v.id,
	                        .expect_product = j->product};
	if ((rc = tc_dose_give(c, &by, j->ref, &in, j->a, &d, &verdict, f)) != TC_ERR_OK)
		return rc;
	after = v;
	after.status = "vaccinated";
	after.dose_id = d.id;
	after.injected_at = by.now;
	after.observe_until = by.now + v.observe_minutes * 60 * 1000000LL;
	after.updated_at = by.now;
	if ((qs = tc_q_visit_injected(c, &v, &after)) != TC_QS_ONE)
		return qs < 0 ? tc_qs_err(qs, f)
		              : tc_fault_set(f, TC_ERR_WRONG_STATE, "visit", "changed meanwhile");
	if ((rc = tc_audit_record(
		     c, &tc_cli_actor, "inject", "visit",
		     tc_arena_printf(j->a, "%lld", (long long)v.id), v.scope_path, NULL,
		     tc_arena_printf(j->a, "{\"dose_id\":%lld,\"lot_id\":%lld,\"number\":%lld}",
		                     (long long)d.id, (long long)d.lot_id, (long long)d.number),
		     f)) != TC_ERR_OK)
		return rc;
	j->dose_id = d.id;
	return TC_ERR_OK;
}

struct ref_job {
	const char *dir;
	struct tc_arena *a;
	struct tc_vaxref *out;
};

static tc_err ref_run(struct tc_dbc *c, void *cls, struct tc_fault *f)
{
	struct ref_job *j = cls;
	return tc_vaxref_load(c, j->dir, j->a, j->out, f);
}

tc_err dp_vaxref(struct tc_db *db, const char *data_dir, struct tc_arena *a,
                 struct tc_vaxref *out, struct tc_fault *f)
{
	struct ref_job j = {data_dir, a, out};
	return tc_db_run(db, ref_run, &j, f);
}
