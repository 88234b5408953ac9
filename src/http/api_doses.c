/* Doses and statistics (docs/visits.md): GET /api/v1/citizens/{id}/doses,
 * GET /api/v1/lots/{id}/recipients, GET /api/v1/stats/daily?from=&to=
 * &unit=, GET /api/v1/stats/coverage?unit=. The statistics read the
 * counters kept in each dose's transaction. */
#include <microhttpd.h>
#include <string.h>

#include "../core/tctime.h"
#include "../db/citizens.h"
#include "../domain/appointment.h"
#include "../domain/birthdate.h"
#include "api.h"
#include "api_stock.h"
#include "api_visits.h"

#define DAILY_DEFAULT_DAYS 30
#define DAILY_MAX_DAYS     366

/* ---- GET /api/v1/citizens/{id}/doses ----------------------------------------------- */

static enum tc_qs get_citizen(struct tc_dbc *c, int64_t id, struct tc_arena *a, void *out)
{
	return tc_q_citizen_get(c, id, a, out);
}

/* A site vaccinates whoever comes, so its staff read anyone's history;
 * everyone else the people living in their jurisdiction. */
tc_err tc_scope_citizen_doses(struct tc_req *r)
{
	struct tc_citizen *ct = TC_NEW(&r->arena, struct tc_citizen);
	tc_err rc = tc_req_load_by_id(r, get_citizen, ct);

	if (rc != TC_ERR_OK)
		return rc;
	r->target = ct;
	r->target_scope =
	        tc_may_register_anywhere(r->actor.role) ? r->actor.scope : ct->scope_path;
	return TC_ERR_OK;
}

tc_err tc_api_citizen_doses(struct tc_req *r)
{
	const struct tc_citizen *ct = r->target;
	struct tc_dose *d;
	struct tc_dbc *c;
	size_t n;
	enum tc_qs qs;
	tc_err rc = tc_req_dbc(r, &c);

	if (rc != TC_ERR_OK)
		return rc;
	qs = tc_q_doses_of(c, ct->id, &r->arena, &d, &n);
	tc_req_dbc_release(r, c);
	if (qs < 0)
		return tc_qs_err(qs, &r->fault);
	struct tc_jw *w = tc_reply_begin(r);
	tc_jw_obj(w);
	tc_jw_key(w, "doses");
	tc_jw_arr(w);
	for (size_t i = 0; i < n; i++)
		tc_jw_dose(w, &d[i]);
	tc_jw_end(w);
	tc_jw_end(w);
	return tc_reply_end(r, MHD_HTTP_OK);
}

/* ---- GET /api/v1/lots/{id}/recipients ------------------------------------------------- */

tc_err tc_api_lot_recipients(struct tc_req *r)
{
	struct tc_dose *d;
	struct tc_page page;
	struct tc_dbc *c;
	int64_t id;
	size_t n;
	enum tc_qs qs;
	tc_err rc;

	if ((rc = tc_req_param_id(r, 0, &id)) != TC_ERR_OK ||
	    (rc = tc_req_page(r, 1000, 10000, &page)) != TC_ERR_OK ||
	    (rc = tc_req_dbc(r, &c)) != TC_ERR_OK)
		return rc;
	qs = tc_q_lot_recipients(c, id, page, &r->arena, &d, &n);
	tc_req_dbc_release(r, c);
	if (qs < 0)
		return tc_qs_err(qs, &r->fault);
	struct tc_jw *w = tc_reply_begin(r);
	tc_jw_obj(w);
	tc_jw_key(w, "recipients");
	tc_jw_arr(w);
	/* a recall reaches people through the places that vaccinated them:
	 * each caller sees the doses given inside their jurisdiction */
	for (size_t i = 0; i < n; i++) {
		if (!tc_scope_contains(r->actor.scope, d[i].scope_path))
			continue;
		tc_jw_obj(w);
		tc_jw_kint(w, "citizen_id", d[i].citizen_id);
		tc_jw_kstr(w, "full_name", d[i].full_name);
		tc_jw_kint(w, "dose_id", d[i].id);
		tc_jw_kstr(w, "given_on", d[i].given_on);
		tc_jw_kid(w, "site_id", d[i].site_id);
		tc_jw_kstr(w, "site_name", d[i].site_name);
		tc_jw_end(w);
	}
	tc_jw_end(w);
	tc_jw_kint(w, "limit", page.limit);
	tc_jw_kint(w, "offset", page.offset);
	tc_jw_end(w);
	return tc_reply_end(r, MHD_HTTP_OK);
}

/* ---- GET /api/v1/stats/daily?from=&to=&unit= ------------------------------------------ */

static tc_err query_day(struct tc_req *r, const char *name, int64_t def, int64_t *day)
{
	const char *s = tc_req_query(r, name);

	*day = def;
	if (s && !tc_day_parse(s, day))
		return tc_fault_setf(&r->fault, &r->arena, TC_ERR_INVALID_PARAMETER, name,
		                     "%s must be a date written YYYY-MM-DD", name);
	return TC_ERR_OK;
}

tc_err tc_api_stats_daily(struct tc_req *r)
{
	int64_t today = tc_vn_day(tc_now_us()), from, to;
	char from_s[11], to_s[11];
	struct tc_day_count *days;
	struct tc_product_count *prods;
	struct tc_dbc *c;
	size_t nd, np;
	enum tc_qs qs;
	tc_err rc;

	if ((rc = query_day(r, "to", today, &to)) != TC_ERR_OK ||
	    (rc = query_day(r, "from", to - DAILY_DEFAULT_DAYS + 1, &from)) != TC_ERR_OK)
		return rc;
	if (from > to)
		return tc_fault_set(&r->fault, TC_ERR_INVALID_PARAMETER, "from",
		                    "from is after to");
	if (to - from >= DAILY_MAX_DAYS)
		return tc_fault_set(&r->fault, TC_ERR_INVALID_PARAMETER, "from",
		                    "ask for at most 366 days at once");
	tc_day_format(from, from_s);
	tc_day_format(to, to_s);
	if ((rc = tc_req_dbc(r, &c)) != TC_ERR_OK)
		return rc;
	qs = tc_q_stats_daily(c, tc_scope_unit_path(r->target_scope, &r->arena), from_s, to_s,
	                      &r->arena, &days, &nd, &prods, &np);
	tc_req_dbc_release(r, c);
	if (qs < 0)
		return tc_qs_err(qs, &r->fault);
	struct tc_jw *w = tc_reply_begin(r);
	tc_jw_obj(w);
	tc_jw_kstr(w, "from", from_s);
	tc_jw_kstr(w, "to", to_s);
	tc_jw_kstr(w, "scope", r->target_scope);
	tc_jw_key(w, "days");
	tc_jw_arr(w);
	for (size_t i = 0; i < nd; i++) {
		tc_jw_obj(w);
		tc_jw_kstr(w, "day", days[i].day);
		tc_jw_kint(w, "doses", days[i].doses);
		tc_jw_end(w);
	}
	tc_jw_end(w);
	tc_jw_key(w, "by_product");
	tc_jw_arr(w);
	for (size_t i = 0; i < np; i++) {
		tc_jw_obj(w);
		tc_jw_kstr(w, "product", prods[i].product);
		tc_jw_kstr(w, "kind", prods[i].kind);
		tc_jw_kint(w, "number", prods[i].number);
		tc_jw_kint(w, "doses", prods[i].doses);
		tc_jw_end(w);
	}
	tc_jw_end(w);
	tc_jw_end(w);
	return tc_reply_end(r, MHD_HTTP_OK);
}

/* ---- GET /api/v1/stats/coverage?unit= ---------------------------------------------------- */

static void jw_coverage(struct tc_jw *w, const struct tc_coverage *cv)
{
	tc_jw_kstr(w, "code", cv->code);
	tc_jw_kstr(w, "name", cv->name);
	tc_jw_key(w, "population");
	if (cv->population >= 0)
		tc_jw_int(w, cv->population);
	else
		tc_jw_null(w);
	tc_jw_kint(w, "first", cv->first);
	tc_jw_kint(w, "complete", cv->complete);
	tc_jw_kint(w, "boosted", cv->boosted);
}

tc_err tc_api_stats_coverage(struct tc_req *r)
{
	struct tc_coverage total, *ch;
	struct tc_dbc *c;
	size_t n;
	enum tc_qs qs;
	tc_err rc = tc_req_dbc(r, &c);

	if (rc != TC_ERR_OK)
		return rc;
	qs = tc_q_stats_coverage(c, tc_scope_unit_path(r->target_scope, &r->arena), &r->arena,
	                         &total, &ch, &n);
	tc_req_dbc_release(r, c);
	if (qs == TC_QS_NONE)
		return tc_fault_set(&r->fault, TC_ERR_NOT_FOUND, "unit", "no such unit");
	if (qs < 0)
		return tc_qs_err(qs, &r->fault);
	struct tc_jw *w = tc_reply_begin(r);
	tc_jw_obj(w);
	tc_jw_kstr(w, "unit", total.code);
	jw_coverage(w, &total);
	tc_jw_key(w, "children");
	tc_jw_arr(w);
	for (size_t i = 0; i < n; i++) {
		tc_jw_obj(w);
		jw_coverage(w, &ch[i]);
		tc_jw_end(w);
	}
	tc_jw_end(w);
	tc_jw_end(w);
	return tc_reply_end(r, MHD_HTTP_OK);
}
