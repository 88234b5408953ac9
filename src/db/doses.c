/* The injection's write (tc_dose_give), the counters kept in its
 * transaction, the statistics read from them, and their rebuild. */
#include <stdio.h>
#include <string.h>

#include "../core/arena.h"
#include "../core/util.h"
#include "../domain/appointment.h"
#include "../domain/birthdate.h"
#include "../io/mixing_csv.h"
#include "counters.h"
#include "dbi.h"
#include "visits.h"

/* ---- Reference data ---------------------------------------------------------- */

tc_err tc_vaxref_load(struct tc_dbc *c, const char *data_dir, struct tc_arena *a,
                      struct tc_vaxref *out, struct tc_fault *f)
{
	enum tc_qs qs = tc_q_product_infos(c, a, &out->infos, &out->nproducts);
	const char **codes;

	if (qs < 0)
		return tc_qs_err(qs, f);
	out->products =
	        TC_NEWN(a, struct tc_sched_product, out->nproducts ? out->nproducts : 1);
	codes = TC_NEWN(a, const char *, out->nproducts ? out->nproducts : 1);
	for (size_t i = 0; i < out->nproducts; i++) {
		const struct tc_product_info *p = &out->infos[i];
		out->products[i] = (struct tc_sched_product){
			.code = p->code,
			.name = p->name,
			.platform = p->platform,
			.series_doses = p->series_doses,
			.min_interval_days = p->min_interval_days,
			.booster_min_days = p->booster_min_days,
			.min_age_years = p->min_age_years,
		};
		codes[i] = p->code;
	}
	return tc_mixing_csv_load(data_dir, codes, out->nproducts, a, &out->rules,
	                          &out->nrules, f);
}

const struct tc_product_info *tc_vaxref_product(const struct tc_vaxref *v,
                                                const char *code)
{
	for (size_t i = 0; code && i < v->nproducts; i++)
		if (strcmp(v->infos[i].code, code) == 0)
			return &v->infos[i];
	return NULL;
}

/* ---- The injection ----------------------------------------------------------- */

/* The person's row, locked on PostgreSQL until the transaction ends: two
 * injections for one person take turns. */
static struct tc_sql q_person_lock = TC_SQL2(
        "SELECT birth_date, commune_code, scope_path FROM citizens WHERE id = $1 FOR "
        "UPDATE",
        "SELECT birth_date, commune_code, scope_path FROM citizens WHERE id = $1");
static struct tc_sql q_site = TC_SQL("SELECT f.active, f.unit_code, f.scope_path, f.name "
                                     "FROM facilities f WHERE f.id = $1");
static struct tc_sql q_lot_at_site = TC_SQL(
        "SELECT l.product, l.lot_number, l.expiry, l.quarantined, COALESCE(b.on_hand, 0),"
        " COALESCE(b.vvm, 0), p.doses_per_vial, p.open_vial_hours FROM lots l"
        " JOIN vaccine_products p ON p.code = l.product LEFT JOIN stock_balances b"
        " ON b.lot_id = l.id AND b.facility_id = $2 WHERE l.id = $1");
/* The three above in one statement, for the common case where all three
 * exist (NONE: one is missing, and the three alone tell which). */
#define PLS_COLS                                                                         \
	"SELECT c.birth_date, c.commune_code, c.scope_path, f.active, f.unit_code,"      \
	" f.scope_path, f.name, l.product, l.lot_number, l.expiry, l.quarantined,"       \
	" COALESCE(b.on_hand, 0), COALESCE(b.vvm, 0), p.doses_per_vial, "                \
	"p.open_vial_hours"                                                              \
	" FROM citizens c CROSS JOIN facilities f CROSS JOIN lots l"                     \
	" JOIN vaccine_products p ON p.code = l.product"                                 \
	" LEFT JOIN stock_balances b ON b.lot_id = l.id AND b.facility_id = f.id"        \
	" WHERE c.id = $1 AND f.id = $2 AND l.id = $3"
static struct tc_sql q_person_lot_site = TC_SQL2(PLS_COLS " FOR UPDATE OF c", PLS_COLS);
/* What the schedule needs of the person's history, and no more. */
static struct tc_sql q_history =
        TC_SQL("SELECT id, product, given_on, status FROM doses WHERE citizen_id = $1");

struct person {
	struct tc_arena *a;
	const char *birth_date, *commune, *scope;
};

static int fill_person(void *cls, const struct tc_dbrow *r)
{
	struct person *p = cls;
	p->birth_date = tc_row_text(r, 0, p->a);
	p->commune = tc_row_text(r, 1, p->a);
	p->scope = tc_row_text(r, 2, p->a);
	return 1;
}

struct site {
	struct tc_arena *a;
	bool active;
	const char *unit, *scope, *name;
};

static int fill_site(void *cls, const struct tc_dbrow *r)
{
	struct site *s = cls;
	s->active = tc_row_bool(r, 0);
	s->unit = tc_row_text(r, 1, s->a);
	s->scope = tc_row_text(r, 2, s->a);
	s->name = tc_row_text(r, 3, s->a);
	return 1;
}

struct lotrow {
	struct tc_arena *a;
	const char *product, *number, *expiry;
	bool quarantined;
	int64_t on_hand, vvm;
	int64_t doses_per_vial, open_vial_hours;
};

static int fill_lotrow(void *cls, const struct tc_dbrow *r)
{
	struct lotrow *l = cls;
	l->product = tc_row_text(r, 0, l->a);
	l->number = tc_row_text(r, 1, l->a);
	l->expiry = tc_row_text(r, 2, l->a);
	l->quarantined = tc_row_bool(r, 3);
	l->on_hand = tc_row_i64(r, 4);
	l->vvm = tc_row_i64(r, 5);
	l->doses_per_vial = tc_row_i64(r, 6);
	l->open_vial_hours = tc_row_i64(r, 7);
	return 1;
}

struct pls {
	struct person *pn;
	struct site *st;
	struct lotrow *lot;
};

static int fill_pls(void *cls, const struct tc_dbrow *r)
{
	struct pls *x = cls;
	struct tc_arena *a = x->pn->a;

	x->pn->birth_date = tc_row_text(r, 0, a);
	x->pn->commune = tc_row_text(r, 1, a);
	x->pn->scope = tc_row_text(r, 2, a);
	x->st->active = tc_row_bool(r, 3);
	x->st->unit = tc_row_text(r, 4, a);
	x->st->scope = tc_row_text(r, 5, a);
	x->st->name = tc_row_text(r, 6, a);
	x->lot->product = tc_row_text(r, 7, a);
	x->lot->number = tc_row_text(r, 8, a);
	x->lot->expiry = tc_row_text(r, 9, a);
	x->lot->quarantined = tc_row_bool(r, 10);
	x->lot->on_hand = tc_row_i64(r, 11);
	x->lot->vvm = tc_row_i64(r, 12);
	x->lot->doses_per_vial = tc_row_i64(r, 13);
	x->lot->open_vial_hours = tc_row_i64(r, 14);
	return 1;
}

/* The person (locked), the site and the lot with the site's balance of
 * it: one statement when all three exist, else one at a time to say
 * which is missing. */
static tc_err read_pls(struct tc_dbc *c, const struct tc_dose_in *in, struct person *pn,
                       struct site *st, struct lotrow *lot, struct tc_fault *f)
{
	struct pls x = { pn, st, lot };
	enum tc_qs qs;
	{
		struct tc_dbv p[] = { TC_P_I64(in->citizen_id), TC_P_I64(in->site_id),
			              TC_P_I64(in->lot_id) };
		if ((qs = tc_exec(c, &q_person_lot_site, p, 3, fill_pls, &x)) < 0)
			return tc_qs_err(qs, f);
		if (qs == TC_QS_ONE)
			return st->active
			               ? TC_ERR_OK
			               : tc_fault_set(
			                         f, TC_ERR_INVALID_FIELD, "site_id",
			                         "no open vaccination site has that id");
	}
	{
		struct tc_dbv p[] = { TC_P_I64(in->citizen_id) };
		if ((qs = tc_exec(c, &q_person_lock, p, 1, fill_person, pn)) < 0)
			return tc_qs_err(qs, f);
		if (qs == TC_QS_NONE)
			return tc_fault_set(f, TC_ERR_INVALID_FIELD, "citizen_id",
			                    "no person has that id");
	}
	{
		struct tc_dbv p[] = { TC_P_I64(in->site_id) };
		if ((qs = tc_exec(c, &q_site, p, 1, fill_site, st)) < 0)
			return tc_qs_err(qs, f);
		if (qs == TC_QS_NONE || !st->active)
			return tc_fault_set(f, TC_ERR_INVALID_FIELD, "site_id",
			                    "no open vaccination site has that id");
	}
	{
		struct tc_dbv p[] = { TC_P_I64(in->lot_id), TC_P_I64(in->site_id) };
		if ((qs = tc_exec(c, &q_lot_at_site, p, 2, fill_lotrow, lot)) < 0)
			return tc_qs_err(qs, f);
		if (qs == TC_QS_NONE)
			return tc_fault_set(f, TC_ERR_INVALID_FIELD, "lot_id",
			                    "no lot has that id");
	}
	return TC_ERR_OK;
}

struct hist {
	struct tc_arena *a;
	struct tc_sched_dose *d;
	size_t n, cap;
	int64_t today;
	bool today_already;
};

static int fill_hist(void *cls, const struct tc_dbrow *r)
{
	struct hist *h = cls;
	int64_t day;

	if (h->n == h->cap) {
		size_t cap = h->cap ? h->cap * 2 : 8;
		struct tc_sched_dose *d = TC_NEWN(h->a, struct tc_sched_dose, cap);
		if (h->n)
			memcpy(d, h->d, h->n * sizeof *d);
		h->d = d;
		h->cap = cap;
	}
	bool valid = strcmp(tc_row_text(r, 3, h->a), "valid") == 0;
	if (!tc_day_parse(tc_row_text(r, 2, h->a), &day))
		day = INT64_MIN;
	h->d[h->n++] = (struct tc_sched_dose){ .id = tc_row_i64(r, 0),
		                               .product = tc_row_text(r, 1, h->a),
		                               .day = day,
		                               .counts = valid };
	h->today_already |= valid && day == h->today;
	return 0;
}

/* One more dose in the counters: per day and place, and (for the person's
 * commune) a first dose, a completed series, a first booster. */
/* One more dose in the counters, where the person stood before taken
 * from the schedule's reading of the history. */
static tc_err count_dose(struct tc_dbc *c, const struct tc_dose *d,
                         const struct tc_sched_result *res, const char *commune,
                         struct tc_fault *f)
{
	bool booster = res->kind == TC_SCHED_KIND_BOOSTER;
	struct tc_vax_status before = {
		.doses = res->before.given + res->before.boosters,
		.complete = res->before.stage >= TC_SCHED_STAGE_COMPLETE,
		.boosters = res->before.boosters,
	};
	struct tc_vax_status after = {
		.doses = before.doses + 1,
		.complete = before.complete || res->completes || booster,
		.boosters = before.boosters + booster,
		.last_day = d->given_on,
	};
	tc_err rc;

	if (!d->kind) /* not numbered (a product without a schedule): not counted */
		return TC_ERR_OK;
	if ((rc = tc_count_day(c, d, d->kind, d->number, 1, f)) != TC_ERR_OK ||
	    (rc = tc_count_status(c, d->citizen_id, commune, &after, f)) != TC_ERR_OK)
		return rc;
	return tc_count_coverage(c, commune, &before, &after, f);
}

static const char *kind_name(enum tc_sched_kind k)
{
	return k == TC_SCHED_KIND_PRIMARY   ? "primary"
	       : k == TC_SCHED_KIND_BOOSTER ? "booster"
	                                    : NULL;
}

static int64_t birth_day(const char *birth_date)
{
	struct tc_bdate bd;
	/* a date known to the year or month: its first day, which makes the
	 * person as old as they can be (the benefit of the doubt) */
	return birth_date && tc_bdate_parse_iso(birth_date, &bd) ? tc_bdate_first_day(&bd)
	                                                         : INT64_MIN;
}

tc_err tc_dose_give(struct tc_dbc *c, const struct tc_stock_by *by,
                    const struct tc_vaxref *ref, const struct tc_dose_in *in,
                    struct tc_arena *a, struct tc_dose *out,
                    struct tc_sched_result *verdict, struct tc_fault *f)
{
	struct person pn = { .a = a };
	struct site st = { .a = a };
	struct lotrow lot = { .a = a };
	char today[11];
	int64_t day = tc_vn_day(by->now);
	bool flagged;
	enum tc_qs qs;
	tc_err rc;

	tc_day_format(day, today);
	if ((rc = read_pls(c, in, &pn, &st, &lot, f)) != TC_ERR_OK)
		return rc;
	/* before the needle: the lot */
	if (lot.quarantined)
		return tc_fault_set(
		        f, TC_ERR_LOT_UNUSABLE, "lot_id",
		        "that lot is quarantined (recalled): it may not be injected");
	if (strcmp(lot.expiry, today) < 0)
		return tc_fault_set(f, TC_ERR_LOT_UNUSABLE, "lot_id",
		                    "that lot has expired");
	if (lot.vvm >= TC_VVM_UNUSABLE)
		return tc_fault_set(f, TC_ERR_LOT_UNUSABLE, "lot_id",
		                    "the vial monitor says this stock is unusable");
	if (lot.on_hand < 1)
		return tc_fault_set(f, TC_ERR_INSUFFICIENT_STOCK, "lot_id",
		                    "this site has no doses of that lot on hand");
	if (in->expect_product && strcmp(in->expect_product, lot.product) != 0)
		return tc_fault_setf(f, a, TC_ERR_INVALID_FIELD, "lot_id",
		                     "that lot is %s; the person was screened for %s",
		                     lot.product, in->expect_product);

	/* the schedule, against the history as it stands with the person
	 * locked */
	struct hist hist = { .a = a, .today = day };
	{
		struct tc_dbv p[] = { TC_P_I64(in->citizen_id) };
		if ((qs = tc_exec(c, &q_history, p, 1, fill_hist, &hist)) < 0)
			return tc_qs_err(qs, f);
	}
	struct tc_sched_dose *sd = hist.d;
	size_t nhist = hist.n;
	bool today_already = hist.today_already;
	struct tc_sched_ctx cx = { .products = ref->products,
		                   .nproducts = ref->nproducts,
		                   .rules = ref->rules,
		                   .nrules = ref->nrules,
		                   .birth_day = birth_day(pn.birth_date) };
	tc_sched_check(&cx, sd, nhist, lot.product, day, verdict, a);
	if (today_already)
		return tc_fault_set(f, TC_ERR_SCHEDULE, "lot_id",
		                    "this person was already given a dose today");
	bool override = false;
	if (verdict->verdict != TC_SCHED_OK) {
		if (!in->override_reason || !tc_sched_overridable(verdict->verdict))
			return tc_fault_set(f, TC_ERR_SCHEDULE, "lot_id",
			                    verdict->reason ? verdict->reason
			                                    : tc_sched_verdict_code(
			                                              verdict->verdict));
		override = true;
	}

	*out = (struct tc_dose){
		.id = tc_db_next_id(c),
		.citizen_id = in->citizen_id,
		.product = lot.product,
		.lot_id = in->lot_id,
		.lot_number = lot.number,
		.given_on = tc_arena_strdup(a, today),
		.given_at = by->now,
		.kind = kind_name(verdict->kind),
		.number = verdict->number,
		.site_id = in->site_id,
		.unit_code = st.unit,
		.visit_id = in->visit_id,
		.source = "site",
		.status = "valid",
		.flags = override ? tc_sched_verdict_code(verdict->verdict) : "",
		.override_reason = override ? in->override_reason : NULL,
		.review = "none",
		.scope_path = st.scope,
		.created_at = by->now,
		.created_by = by->actor_id,
		.version = 1,
	};
	if ((qs = tc_q_dose_insert(c, out)) < 0)
		return qs == TC_QS_CONFLICT ? tc_fault_set(f, TC_ERR_SCHEDULE, "lot_id",
		                                           "this person was already "
		                                           "given this vaccine today")
		                            : tc_qs_err(qs, f);
	struct tc_stock_where at = { .facility_id = in->site_id,
		                     .scope = st.scope,
		                     .lot_id = in->lot_id,
		                     .doses_per_vial = lot.doses_per_vial,
		                     .open_vial_hours = lot.open_vial_hours };
	if ((rc = tc_stock_administer_at(c, by, &at, out->id, &flagged, f)) != TC_ERR_OK)
		return rc;
	const struct tc_product_info *info = tc_vaxref_product(ref, lot.product);
	out->product_name = info ? info->name : lot.product;
	out->site_name = st.name;
	return count_dose(c, out, verdict, pn.commune, f);
}

/* ---- Statistics ---------------------------------------------------------------- */

static struct tc_sql q_daily = TC_SQL(
        "SELECT k.day, SUM(k.n) FROM dose_counts k JOIN units u ON u.code = k.unit_code"
        " WHERE (u.path = $1 OR (u.path >= $2 AND u.path < $3)) AND k.day >= $4 AND "
        "k.day <= $5"
        " GROUP BY k.day ORDER BY k.day");
static struct tc_sql q_daily_products =
        TC_SQL("SELECT k.product, k.kind, k.number, SUM(k.n) FROM dose_counts k"
               " JOIN units u ON u.code = k.unit_code"
               " WHERE (u.path = $1 OR (u.path >= $2 AND u.path < $3)) AND k.day >= $4 "
               "AND k.day <= $5"
               " GROUP BY k.product, k.kind, k.number ORDER BY k.product, k.kind DESC, "
               "k.number");

static void fill_day(void *item, const struct tc_dbrow *r, struct tc_arena *a)
{
	struct tc_day_count *d = item;
	d->day = tc_row_text(r, 0, a);
	d->doses = tc_row_i64(r, 1);
}

static void fill_pcount(void *item, const struct tc_dbrow *r, struct tc_arena *a)
{
	struct tc_product_count *p = item;
	p->product = tc_row_text(r, 0, a);
	p->kind = tc_row_text(r, 1, a);
	p->number = tc_row_i64(r, 2);
	p->doses = tc_row_i64(r, 3);
}

enum tc_qs tc_q_stats_daily(struct tc_dbc *c, const char *unit_path, const char *from,
                            const char *to, struct tc_arena *a,
                            struct tc_day_count **days, size_t *ndays,
                            struct tc_product_count **products, size_t *nproducts)
{
	const char *lo, *hi;
	tc_scope_range(a, unit_path, &lo, &hi);
	struct tc_dbv p[] = { TC_P_TEXT(unit_path), TC_P_TEXT(lo), TC_P_TEXT(hi),
		              TC_P_TEXT(from), TC_P_TEXT(to) };
	struct tc_rows_into d = { .a = a,
		                  .size = sizeof(struct tc_day_count),
		                  .fill = fill_day };
	struct tc_rows_into pr = { .a = a,
		                   .size = sizeof(struct tc_product_count),
		                   .fill = fill_pcount };
	enum tc_qs qs = tc_exec(c, &q_daily, p, 5, tc_rows_collect, &d);
	if (qs >= 0)
		qs = tc_exec(c, &q_daily_products, p, 5, tc_rows_collect, &pr);
	*days = d.items;
	*ndays = d.n;
	*products = pr.items;
	*nproducts = pr.n;
	return qs;
}

/* Per child unit of $1's unit: its population and the people living under
 * it (communes are the leaves) counted in coverage_counts. */
static struct tc_sql q_coverage =
        TC_SQL("SELECT ch.code, ch.name, COALESCE(ch.population, -1),"
               " COALESCE(SUM(k.first), 0), COALESCE(SUM(k.complete), 0), "
               "COALESCE(SUM(k.boosted), 0)"
               " FROM units ch LEFT JOIN units cm ON cm.path = ch.path"
               " OR (cm.path > ch.path || '/' AND cm.path < ch.path || '0')"
               " LEFT JOIN coverage_counts k ON k.unit_code = cm.code"
               " WHERE ch.parent_code = $1 GROUP BY ch.code, ch.name, ch.population "
               "ORDER BY ch.code");
static struct tc_sql q_coverage_total =
        TC_SQL("SELECT u.code, u.name, COALESCE(u.population, -1),"
               " COALESCE(SUM(k.first), 0), COALESCE(SUM(k.complete), 0), "
               "COALESCE(SUM(k.boosted), 0)"
               " FROM units u LEFT JOIN units cm ON cm.path = u.path"
               " OR (cm.path > u.path || '/' AND cm.path < u.path || '0')"
               " LEFT JOIN coverage_counts k ON k.unit_code = cm.code"
               " WHERE u.path = $1 GROUP BY u.code, u.name, u.population");

static void fill_cov(void *item, const struct tc_dbrow *r, struct tc_arena *a)
{
	struct tc_coverage *cv = item;
	cv->code = tc_row_text(r, 0, a);
	cv->name = tc_row_text(r, 1, a);
	cv->population = tc_row_i64(r, 2);
	cv->first = tc_row_i64(r, 3);
	cv->complete = tc_row_i64(r, 4);
	cv->boosted = tc_row_i64(r, 5);
}

enum tc_qs tc_q_stats_coverage(struct tc_dbc *c, const char *unit_path,
                               struct tc_arena *a, struct tc_coverage *total,
                               struct tc_coverage **children, size_t *n)
{
	struct tc_dbv pt[] = { TC_P_TEXT(unit_path) };
	struct tc_row_into o = { a, total, fill_cov };
	enum tc_qs qs = tc_exec(c, &q_coverage_total, pt, 1, tc_rows_one, &o);
	struct tc_rows_into into = { .a = a,
		                     .size = sizeof(struct tc_coverage),
		                     .fill = fill_cov };

	*children = NULL;
	*n = 0;
	if (qs != TC_QS_ONE)
		return qs;
	struct tc_dbv pc[] = { TC_P_TEXT(total->code) };
	qs = tc_exec(c, &q_coverage, pc, 1, tc_rows_collect, &into);
	*children = into.items;
	*n = into.n;
	return qs < 0 ? qs : TC_QS_ONE;
}

/* ---- Rebuild -------------------------------------------------------------------- */

/* The counters as the doses say they should be, in temporary tables. */
static const char *const rebuild_prepare[] = {
	"CREATE TEMP TABLE want_counts AS SELECT given_on AS day, unit_code, product, "
	"kind,"
	" number, COUNT(*) AS n FROM doses WHERE status = 'valid' AND kind IS NOT NULL"
	" AND unit_code IS NOT NULL GROUP BY given_on, unit_code, product, kind, number",
	"CREATE TEMP TABLE want_status AS SELECT d.citizen_id, c.commune_code, COUNT(*) "
	"AS doses,"
	" MAX(CASE WHEN d.kind = 'booster' THEN 1"
	" WHEN d.number >= (SELECT p.series_doses FROM doses x JOIN vaccine_products p"
	" ON p.code = x.product WHERE x.citizen_id = d.citizen_id AND x.status = 'valid'"
	" AND x.kind = 'primary' AND x.number = 1 ORDER BY x.id LIMIT 1) THEN 1 ELSE 0 "
	"END)"
	" > 0 AS complete,"
	" SUM(CASE WHEN d.kind = 'booster' THEN 1 ELSE 0 END) AS boosters,"
	" MAX(d.given_on) AS last_day"
	" FROM doses d JOIN citizens c ON c.id = d.citizen_id"
	" WHERE d.status = 'valid' AND d.kind IS NOT NULL GROUP BY d.citizen_id, "
	"c.commune_code",
	"CREATE TEMP TABLE want_coverage AS SELECT commune_code AS unit_code,"
	" COUNT(*) AS first, SUM(CASE WHEN complete THEN 1 ELSE 0 END) AS complete,"
	" SUM(CASE WHEN boosters > 0 THEN 1 ELSE 0 END) AS boosted FROM want_status"
	" WHERE commune_code IS NOT NULL GROUP BY commune_code",
};
static const char *const rebuild_replace[] = {
	"DELETE FROM dose_counts",
	"INSERT INTO dose_counts (day, unit_code, product, kind, number, n)"
	" SELECT day, unit_code, product, kind, number, n FROM want_counts",
	"DELETE FROM vax_status",
	"INSERT INTO vax_status (citizen_id, commune_code, doses, complete, boosters, "
	"last_day)"
	" SELECT citizen_id, commune_code, doses, complete, boosters, last_day FROM "
	"want_status",
	"DELETE FROM coverage_counts",
	"INSERT INTO coverage_counts (unit_code, first, complete, boosted)"
	" SELECT unit_code, first, complete, boosted FROM want_coverage",
	"DROP TABLE want_counts",
	"DROP TABLE want_status",
	"DROP TABLE want_coverage",
};

/* Rows kept that the doses do not back, and rows the doses want that are
 * not kept (zero counts are no rows). */
static struct tc_sql q_diff_counts = TC_SQL(
        "SELECT 'dose_counts', day || ' ' || unit_code || ' ' || product || ' ' || kind "
        "|| ' '"
        " || CAST(number AS TEXT) || ': ' || CAST(n AS TEXT) FROM"
        " (SELECT day, unit_code, product, kind, number, n FROM dose_counts WHERE n <> 0"
        " EXCEPT SELECT day, unit_code, product, kind, number, n FROM want_counts) x"
        " UNION ALL SELECT 'want_counts', day || ' ' || unit_code || ' ' || product || ' "
        "'"
        " || kind || ' ' || CAST(number AS TEXT) || ': ' || CAST(n AS TEXT) FROM"
        " (SELECT day, unit_code, product, kind, number, n FROM want_counts"
        " EXCEPT SELECT day, unit_code, product, kind, number, n FROM dose_counts) y");
static struct tc_sql q_diff_status = TC_SQL(
        "SELECT 'vax_status', CAST(citizen_id AS TEXT) FROM"
        " (SELECT citizen_id, commune_code, doses, complete, boosters FROM vax_status"
        " WHERE doses > 0"
        " EXCEPT SELECT citizen_id, commune_code, doses, complete, boosters FROM "
        "want_status) x"
        " UNION ALL SELECT 'want_status', CAST(citizen_id AS TEXT) FROM"
        " (SELECT citizen_id, commune_code, doses, complete, boosters FROM want_status"
        " EXCEPT SELECT citizen_id, commune_code, doses, complete, boosters FROM "
        "vax_status"
        " WHERE doses > 0) y");
static struct tc_sql q_diff_coverage = TC_SQL(
        "SELECT 'coverage_counts', unit_code FROM"
        " (SELECT unit_code, first, complete, boosted FROM coverage_counts"
        " WHERE first + complete + boosted > 0"
        " EXCEPT SELECT unit_code, first, complete, boosted FROM want_coverage) x"
        " UNION ALL SELECT 'want_coverage', unit_code FROM"
        " (SELECT unit_code, first, complete, boosted FROM want_coverage"
        " EXCEPT SELECT unit_code, first, complete, boosted FROM coverage_counts) y");
static struct tc_sql q_count_doses =
        TC_SQL("SELECT COUNT(*) FROM doses WHERE status = 'valid'");

struct diff_out {
	struct tc_arena *a;
	struct tc_buf *b;
	int64_t n;
};

static int diff_row(void *cls, const struct tc_dbrow *r)
{
	struct diff_out *d = cls;
	const char *table = tc_row_text(r, 0, d->a), *what = tc_row_text(r, 1, d->a);

	if (d->n++ < 100)
		tc_buf_printf(d->b, "%s %s: %s\n",
		              strncmp(table, "want_", 5) == 0 ? "missing from"
		                                              : "wrong in",
		              strncmp(table, "want_", 5) == 0 ? table + 5 : table, what);
	return 0;
}

tc_err tc_stats_rebuild(struct tc_dbc *c, const struct tc_vaxref *ref, struct tc_arena *a,
                        int64_t *doses, int64_t *differences, char **report,
                        struct tc_fault *f)
{
	struct tc_sql *diffs[] = { &q_diff_counts, &q_diff_status, &q_diff_coverage };
	struct tc_buf b;
	struct diff_out d = { a, &b, 0 };
	enum tc_qs qs;
	tc_err rc;

	(void)ref;
	*doses = *differences = 0;
	*report = NULL;
	/* what this batch counted so far, before the counters are compared */
	if ((rc = tc_counts_flush(c, f)) != TC_ERR_OK)
		return rc;
	if ((qs = tc_exec(c, &q_count_doses, NULL, 0, tc_rows_i64, doses)) < 0)
		return tc_qs_err(qs, f);
	for (size_t i = 0; i < sizeof rebuild_prepare / sizeof *rebuild_prepare; i++)
		if ((qs = tc_exec_script(c, rebuild_prepare[i])) < 0)
			return tc_qs_err(qs, f);
	tc_buf_init(&b);
	for (size_t i = 0; i < sizeof diffs / sizeof *diffs; i++)
		if ((qs = tc_exec(c, diffs[i], NULL, 0, diff_row, &d)) < 0) {
			tc_buf_cleanup(&b);
			return tc_qs_err(qs, f);
		}
	*differences = d.n;
	if (b.len)
		*report = tc_arena_strndup(a, b.data, b.len);
	tc_buf_cleanup(&b);
	for (size_t i = 0; i < sizeof rebuild_replace / sizeof *rebuild_replace; i++)
		if ((qs = tc_exec_script(c, rebuild_replace[i])) < 0)
			return tc_qs_err(qs, f);
	return TC_ERR_OK;
}
