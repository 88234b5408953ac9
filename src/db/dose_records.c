/* Doses recorded from elsewhere (paper books, the offline app, other
 * systems) and corrections: a dose that was given is never refused for a
 * rule; it is stored, numbered with the person's other doses, flagged for
 * review when it breaks a rule; a wrong record is voided (or replaced by
 * its correction) and everything that depended on it moves with it: the
 * later doses' numbers, the counters, the stock movement. */
#include <string.h>

#include "../core/arena.h"
#include "../domain/appointment.h"
#include "../domain/birthdate.h"
#include "counters.h"
#include "dbi.h"
#include "visits.h"

/* Doses of COVID-19 vaccines were first given in December 2020. */
#define FIRST_VACCINATION_DAY "2020-12-01"

static struct tc_sql q_person = TC_SQL2(
	"SELECT birth_date, commune_code, scope_path, id_type FROM citizens WHERE id = $1"
	" FOR UPDATE",
	"SELECT birth_date, commune_code, scope_path, id_type FROM citizens WHERE id = $1");
static struct tc_sql q_restate = TC_SQL(
	"UPDATE doses SET kind = $2, number = $3, flags = $4,"
	" review = CASE WHEN $4 <> '' AND review = 'none' THEN 'pending' ELSE review END,"
	" version = version + 1 WHERE id = $1");
static struct tc_sql q_status_get = TC_SQL(
	"SELECT doses, complete, boosters FROM vax_status WHERE citizen_id = $1");
static struct tc_sql q_same_dose = TC_SQL(
	"SELECT id FROM doses WHERE citizen_id = $1 AND product = $2 AND given_on = $3"
	" AND status = 'valid'");
static struct tc_sql q_void = TC_SQL(
	"UPDATE doses SET status = 'voided', void_reason = $2, voided_at = $3, voided_by = $4,"
	" review = CASE WHEN review = 'pending' THEN 'done' ELSE review END,"
	" version = version + 1 WHERE id = $1 AND status = 'valid' AND version = $5");
static struct tc_sql q_lot_of = TC_SQL("SELECT id FROM lots WHERE product = $1 AND lot_number = $2");
static struct tc_sql q_place = TC_SQL(
	"SELECT f.active, f.unit_code, f.scope_path FROM facilities f WHERE f.id = $1");

struct person {
	struct tc_arena *a;
	const char *birth_date, *commune, *scope, *id_type;
};

static int fill_person(void *cls, const struct tc_dbrow *r)
{
	struct person *p = cls;
	p->birth_date = tc_row_text(r, 0, p->a);
	p->commune = tc_row_text(r, 1, p->a);
	p->scope = tc_row_text(r, 2, p->a);
	p->id_type = tc_row_text(r, 3, p->a);
	return 1;
}

static tc_err lock_person(struct tc_dbc *c, int64_t id, struct person *p, struct tc_fault *f)
{
	struct tc_dbv pv[] = {TC_P_I64(id)};
	enum tc_qs qs = tc_exec(c, &q_person, pv, 1, fill_person, p);

	if (qs < 0)
		return tc_qs_err(qs, f);
	if (qs == TC_QS_NONE)
		return tc_fault_set(f, TC_ERR_INVALID_FIELD, "citizen_id", "no person has that id");
	return TC_ERR_OK;
}

static int kind_of(const char *k)
{
	return !k ? TC_SCHED_KIND_NONE
	          : strcmp(k, "primary") == 0 ? TC_SCHED_KIND_PRIMARY
	                                       : strcmp(k, "booster") == 0 ? TC_SCHED_KIND_BOOSTER
	                                                                   : TC_SCHED_KIND_NONE;
}

static const char *kind_name(int k)
{
	return k == TC_SCHED_KIND_PRIMARY ? "primary" : k == TC_SCHED_KIND_BOOSTER ? "booster"
	                                                                           : NULL;
}

static int fill_status(void *cls, const struct tc_dbrow *r)
{
	int64_t *v = cls;
	v[0] = tc_row_i64(r, 0);
	v[1] = tc_row_bool(r, 1);
	v[2] = tc_row_i64(r, 2);
	return 1;
}

/* Numbers every dose of the person again from the schedule, stores what
 * changed (kind, number, the flags of doses recorded from elsewhere),
 * moves the day counters with it, and brings where the person stands and
 * their commune's coverage up to date. The caller holds the person's
 * lock. */
static tc_err restate_person(struct tc_dbc *c, const struct tc_vaxref *ref, int64_t citizen_id,
                             const struct person *pn, struct tc_arena *a, struct tc_fault *f)
{
	struct tc_dose *h;
	size_t n;
	enum tc_qs qs = tc_q_doses_of(c, citizen_id, a, &h, &n);
	struct tc_bdate bd;
	tc_err rc;

	if (qs < 0)
		return tc_qs_err(qs, f);
	struct tc_sched_dose *sd = TC_NEWN(a, struct tc_sched_dose, n ? n : 1);
	struct tc_sched_result *res = TC_NEWN(a, struct tc_sched_result, n ? n : 1);
	for (size_t i = 0; i < n; i++) {
		int64_t day;
		if (!tc_day_parse(h[i].given_on, &day))
			day = INT64_MIN;
		sd[i] = (struct tc_sched_dose){.id = h[i].id,
		                               .product = h[i].product,
		                               .day = day,
		                               .counts = strcmp(h[i].status, "valid") == 0,
		                               .stored_kind = kind_of(h[i].kind),
		                               .stored_number = (int)h[i].number};
	}
	struct tc_sched_ctx cx = {.products = ref->products,
	                          .nproducts = ref->nproducts,
	                          .rules = ref->rules,
	                          .nrules = ref->nrules,
	                          .birth_day = pn->birth_date &&
	                                               tc_bdate_parse_iso(pn->birth_date, &bd)
	                                       ? tc_bdate_first_day(&bd)
	                                       : INT64_MIN};
	tc_sched_renumber(&cx, sd, n, res, a);

	struct tc_vax_status was = {0}, now = {0};
	int64_t old[3] = {0, 0, 0};
	for (size_t i = 0; i < n; i++) {
		const struct tc_dose *d = &h[i];
		bool site = strcmp(d->source, "site") == 0;
		const char *flags = site || !sd[i].counts || res[i].verdict == TC_SCHED_OK
		                            ? d->flags
		                            : tc_sched_verdict_code(res[i].verdict);
		const char *kind = kind_name(res[i].kind);

		if (res[i].kind != TC_SCHED_KIND_NONE) {
			now.doses++;
			now.boosters += res[i].kind == TC_SCHED_KIND_BOOSTER;
			now.complete |= res[i].completes || res[i].kind == TC_SCHED_KIND_BOOSTER;
			if (!now.last_day || strcmp(d->given_on, now.last_day) > 0)
				now.last_day = d->given_on;
		}
		if (!res[i].changed && strcmp(flags, d->flags) == 0)
			continue;
		if ((rc = tc_count_day(c, d, d->kind, d->number, -1, f)) != TC_ERR_OK ||
		    (rc = tc_count_day(c, d, kind, res[i].number, 1, f)) != TC_ERR_OK)
			return rc;
		struct tc_dbv p[] = {TC_P_I64(d->id), TC_P_TEXT(kind), TC_P_I64(res[i].number),
		                     TC_P_TEXT(flags)};
		if ((qs = tc_exec(c, &q_restate, p, 4, NULL, NULL)) < 0)
			return tc_qs_err(qs, f);
	}

	struct tc_dbv pg[] = {TC_P_I64(citizen_id)};
	if ((qs = tc_exec(c, &q_status_get, pg, 1, fill_status, old)) < 0)
		return tc_qs_err(qs, f);
	was = (struct tc_vax_status){.doses = old[0], .complete = old[1] != 0,
	                             .boosters = old[2]};
	if ((rc = tc_count_status(c, citizen_id, pn->commune, &now, f)) != TC_ERR_OK)
		return rc;
	return tc_count_coverage(c, pn->commune, &was, &now, f);
}

struct place {
	struct tc_arena *a;
	bool active;
	const char *unit, *scope;
};

static int fill_place(void *cls, const struct tc_dbrow *r)
{
	struct place *p = cls;
	p->active = tc_row_bool(r, 0);
	p->unit = tc_row_text(r, 1, p->a);
	p->scope = tc_row_text(r, 2, p->a);
	return 1;
}

tc_err tc_dose_record(struct tc_dbc *c, const struct tc_stock_by *by,
                      const struct tc_vaxref *ref, const struct tc_dose *in,
                      struct tc_arena *a, struct tc_dose *out, struct tc_fault *f)
{
	struct person pn = {.a = a};
	struct place pl = {.a = a};
	char today[11];
	int64_t day, existing = 0;
	enum tc_qs qs;
	tc_err rc;

	tc_day_format(tc_vn_day(by->now), today);
	if (!in->given_on || !tc_day_parse(in->given_on, &day))
		return tc_fault_set(f, TC_ERR_INVALID_FIELD, "given_on",
		                    "given_on must be a date, YYYY-MM-DD");
	if (strcmp(in->given_on, today) > 0)
		return tc_fault_set(f, TC_ERR_INVALID_FIELD, "given_on",
		                    "given_on is in the future");
	if (strcmp(in->given_on, FIRST_VACCINATION_DAY) < 0)
		return tc_fault_set(f, TC_ERR_INVALID_FIELD, "given_on",
		                    "COVID-19 vaccines were not given before December 2020");
	if (!tc_vaxref_product(ref, in->product))
		return tc_fault_set(f, TC_ERR_INVALID_FIELD, "product",
		                    "product must be a vaccine code from GET /api/v1/products");
	if (strcmp(in->source, "record") != 0 && strcmp(in->source, "import") != 0)
		return tc_fault_internal(f, TC_ERR_INTERNAL, "a recorded dose's source");
	if ((rc = lock_person(c, in->citizen_id, &pn, f)) != TC_ERR_OK)
		return rc;
	*out = *in;
	if (in->site_id) {
		struct tc_dbv p[] = {TC_P_I64(in->site_id)};
		if ((qs = tc_exec(c, &q_place, p, 1, fill_place, &pl)) < 0)
			return tc_qs_err(qs, f);
		if (qs == TC_QS_NONE)
			return tc_fault_set(f, TC_ERR_INVALID_FIELD, "site_id",
			                    "no facility has that id");
		out->unit_code = pl.unit;
		out->scope_path = pl.scope;
	} else {
		out->scope_path = pn.scope;
	}
	/* the lot, when it is one of ours */
	out->lot_id = 0;
	if (in->lot_number) {
		struct tc_dbv p[] = {TC_P_TEXT(in->product), TC_P_TEXT(in->lot_number)};
		if ((qs = tc_exec(c, &q_lot_of, p, 2, tc_rows_i64, &out->lot_id)) < 0)
			return tc_qs_err(qs, f);
	}
	/* an exact duplicate is the same dose */
	{
		struct tc_dbv p[] = {TC_P_I64(in->citizen_id), TC_P_TEXT(in->product),
		                     TC_P_TEXT(in->given_on)};
		if ((qs = tc_exec(c, &q_same_dose, p, 3, tc_rows_i64, &existing)) < 0)
			return tc_qs_err(qs, f);
		if (existing) {
			tc_fault_set(f, TC_ERR_CONFLICT, "given_on",
			             "this dose is already on record (same person, vaccine and day)");
			f->existing_id = existing;
			return TC_ERR_CONFLICT;
		}
	}
	out->id = tc_db_next_id(c);
	out->kind = NULL;
	out->number = 0;
	out->status = "valid";
	out->flags = "";
	/* a person without a document needs a look as well */
	out->review = pn.id_type && strcmp(pn.id_type, "none") == 0 ? "pending" : "none";
	out->created_at = by->now;
	out->created_by = by->actor_id;
	out->version = 1;
	if ((qs = tc_q_dose_insert(c, out)) < 0)
		return qs == TC_QS_CONFLICT ? tc_fault_set(f, TC_ERR_CONFLICT, "given_on",
		                                           "this dose is already on record")
		                            : tc_qs_err(qs, f);
	/* given at one of our sites from a lot it held: the stock moves (a
	 * dose that finds no stock is flagged for the site manager) */
	if (in->site_id && out->lot_id) {
		bool flagged;
		struct tc_stock_by at = *by;
		if ((rc = tc_stock_administer(c, &at, in->site_id, out->lot_id, out->id, &flagged,
		                              f)) != TC_ERR_OK)
			return rc;
	}
	if ((rc = restate_person(c, ref, in->citizen_id, &pn, a, f)) != TC_ERR_OK)
		return rc;
	return tc_q_dose_get(c, out->id, a, out) == TC_QS_ONE
	               ? TC_ERR_OK
	               : tc_fault_internal(f, TC_ERR_DB, "the dose just written is gone");
}

tc_err tc_dose_void(struct tc_dbc *c, const struct tc_stock_by *by,
                    const struct tc_vaxref *ref, const struct tc_dose *before,
                    const char *reason, struct tc_arena *a, struct tc_fault *f)
{
	struct person pn = {.a = a};
	enum tc_qs qs;
	tc_err rc;

	if (!reason || !*reason)
		return tc_fault_set(f, TC_ERR_MISSING_FIELD, "reason",
		                    "say why the dose record is wrong");
	if ((rc = lock_person(c, before->citizen_id, &pn, f)) != TC_ERR_OK)
		return rc;
	struct tc_dbv p[] = {TC_P_I64(before->id), TC_P_TEXT(reason), TC_P_TIME(by->now),
	                     TC_P_ID(by->actor_id), TC_P_I64(before->version)};
	if ((qs = tc_exec(c, &q_void, p, 5, NULL, NULL)) < 0)
		return tc_qs_err(qs, f);
	if (qs == TC_QS_NONE)
		return tc_fault_set(f, TC_ERR_WRONG_STATE, NULL,
		                    "that dose was already voided or changed meanwhile");
	/* the dose given from our stock goes back on the books */
	if (before->site_id && before->lot_id) {
		if ((rc = tc_stock_unadminister(c, by, before->site_id, before->lot_id, before->id,
		                                f)) != TC_ERR_OK)
			return rc;
	}
	return restate_person(c, ref, before->citizen_id, &pn, a, f);
}
