/* The counters kept with the doses (counters.h). */
#include "counters.h"

#include "dbi.h"

static struct tc_sql q_day_add = TC_SQL(
	"INSERT INTO dose_counts (day, unit_code, product, kind, number, n)"
	" VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (day, unit_code, product, kind, number)"
	" DO UPDATE SET n = dose_counts.n + excluded.n");
/* Taking a count back: the row exists (it was counted), and an upsert of
 * a negative count would fail its CHECK before it met the conflict. */
static struct tc_sql q_day_sub = TC_SQL(
	"UPDATE dose_counts SET n = n + $6 WHERE day = $1 AND unit_code = $2 AND product = $3"
	" AND kind = $4 AND number = $5");
static struct tc_sql q_status_put = TC_SQL(
	"INSERT INTO vax_status (citizen_id, commune_code, doses, complete, boosters, last_day)"
	" VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (citizen_id) DO UPDATE SET"
	" commune_code = excluded.commune_code, doses = excluded.doses,"
	" complete = excluded.complete, boosters = excluded.boosters,"
	" last_day = excluded.last_day");
static struct tc_sql q_coverage_add = TC_SQL(
	"INSERT INTO coverage_counts (unit_code, first, complete, boosted) VALUES ($1, $2, $3, $4)"
	" ON CONFLICT (unit_code) DO UPDATE SET first = coverage_counts.first + excluded.first,"
	" complete = coverage_counts.complete + excluded.complete,"
	" boosted = coverage_counts.boosted + excluded.boosted");
static struct tc_sql q_coverage_move = TC_SQL(
	"UPDATE coverage_counts SET first = first + $2, complete = complete + $3,"
	" boosted = boosted + $4 WHERE unit_code = $1");

tc_err tc_count_day(struct tc_dbc *c, const struct tc_dose *d, const char *kind,
                    int64_t number, int64_t delta, struct tc_fault *f)
{
	if (!kind || !d->unit_code || delta == 0)
		return TC_ERR_OK;
	struct tc_dbv p[] = {TC_P_TEXT(d->given_on), TC_P_TEXT(d->unit_code),
	                     TC_P_TEXT(d->product),  TC_P_TEXT(kind),
	                     TC_P_I64(number),       TC_P_I64(delta)};
	enum tc_qs qs = tc_exec(c, delta < 0 ? &q_day_sub : &q_day_add, p, 6, NULL, NULL);
	if (qs == TC_QS_NONE && delta < 0)
		return tc_fault_internal(f, TC_ERR_DB, "a dose counter to take back is missing");
	return qs < 0 ? tc_qs_err(qs, f) : TC_ERR_OK;
}

tc_err tc_count_status(struct tc_dbc *c, int64_t citizen_id, const char *commune,
                       const struct tc_vax_status *st, struct tc_fault *f)
{
	struct tc_dbv p[] = {TC_P_I64(citizen_id), TC_P_TEXT(commune), TC_P_I64(st->doses),
	                     TC_P_BOOL(st->complete), TC_P_I64(st->boosters),
	                     TC_P_TEXT(st->last_day)};
	enum tc_qs qs = tc_exec(c, &q_status_put, p, 6, NULL, NULL);
	return qs < 0 ? tc_qs_err(qs, f) : TC_ERR_OK;
}

tc_err tc_count_coverage(struct tc_dbc *c, const char *commune,
                         const struct tc_vax_status *before,
                         const struct tc_vax_status *after, struct tc_fault *f)
{
	int64_t first = (after->doses > 0) - (before->doses > 0);
	int64_t complete = (int64_t)after->complete - (int64_t)before->complete;
	int64_t boosted = (after->boosters > 0) - (before->boosters > 0);

	if (!commune || (!first && !complete && !boosted))
		return TC_ERR_OK;
	struct tc_dbv p[] = {TC_P_TEXT(commune), TC_P_I64(first), TC_P_I64(complete),
	                     TC_P_I64(boosted)};
	bool back = first < 0 || complete < 0 || boosted < 0;
	enum tc_qs qs = tc_exec(c, back ? &q_coverage_move : &q_coverage_add, p, 4, NULL, NULL);
	return qs < 0 ? tc_qs_err(qs, f) : TC_ERR_OK;
}
