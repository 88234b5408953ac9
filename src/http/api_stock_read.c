/* Reading stock: GET /api/v1/stock, /stock/fefo, /stock/movements,
 * /stock/reconciliation, /stock/wastage-rates, /stock/vials and
 * /stock/allocations. The route's scope resolver (tc_scope_query_place)
 * has checked ?facility= or ?unit= against the caller's jurisdiction and
 * set r->target_scope; without either it is the caller's own. */
#include <microhttpd.h>
#include <stdio.h>
#include <string.h>

#include "../core/tctime.h"
#include "../domain/appointment.h"
#include "api.h"
#include "api_stock.h"

/* Lots this close to their expiry are an alert. */
#define EXPIRING_ALERT_DAYS 30
#define MAX_EXPIRING_DAYS   3650
/* Longest reconciliation or wastage period. */
#define MAX_PERIOD_DAYS     3660
#define MAX_TRANSIT         200

/* ?facility= as an id (0 when absent); the resolver has checked it. */
static tc_err query_facility(struct tc_req *r, bool required, int64_t *id)
{
	bool set;
	tc_err rc =
	        tc_api_stock_query_int(r, "facility", 1, INT64_MAX, required, id, &set);

	if (!set)
		*id = 0;
	return rc;
}

/* The first instant of a day (a day number) in Vietnam. */
static int64_t day_start_us(int64_t day)
{
	return day * TC_DAY_US - TC_VN_OFFSET_US;
}

static void jw_rate(struct tc_jw *w, int64_t administered, int64_t wasted)
{
	char text[32];

	tc_jw_key(w, "wastage_rate");
	if (administered + wasted == 0) {
		tc_jw_null(w);
		return;
	}
	snprintf(text, sizeof text, "%.4f",
	         (double)wasted / (double)(administered + wasted));
	tc_jw_raw(w, text);
}

/* ---- GET /api/v1/stock ----------------------------------------------------------------- */

static bool balance_usable(const struct tc_balance *b, const char *today)
{
	return !b->quarantined && strcmp(b->expiry, today) >= 0 &&
	       b->vvm < TC_VVM_UNUSABLE;
}

static void jw_balance(struct tc_jw *w, const struct tc_balance *b, int64_t today_day,
                       const char *today)
{
	int64_t exp = 0;
	bool expired = strcmp(b->expiry, today) < 0;

	tc_day_parse(b->expiry, &exp);
	tc_jw_obj(w);
	tc_jw_kint(w, "facility_id", b->facility_id);
	tc_jw_kstr(w, "facility_name", b->facility_name);
	tc_jw_kstr(w, "facility_kind", b->facility_kind);
	tc_jw_kint(w, "lot_id", b->lot_id);
	tc_jw_kstr(w, "product", b->product);
	tc_jw_kstr(w, "product_name", b->product_name);
	tc_jw_kstr(w, "lot_number", b->lot_number);
	tc_jw_kstr(w, "expiry", b->expiry);
	tc_jw_kint(w, "days_to_expiry", exp - today_day);
	tc_jw_kint(w, "on_hand", b->on_hand);
	tc_jw_kid(w, "vvm", b->vvm);
	tc_jw_kbool(w, "quarantined", b->quarantined);
	tc_jw_kbool(w, "expired", expired);
	tc_jw_kbool(w, "usable", balance_usable(b, today));
	tc_jw_end(w);
}

static void jw_alert(struct tc_jw *w, const struct tc_balance *b, const char *reason,
                     const char *detail)
{
	tc_jw_obj(w);
	tc_jw_kint(w, "lot_id", b->lot_id);
	tc_jw_kstr(w, "lot_number", b->lot_number);
	tc_jw_kstr(w, "product", b->product);
	tc_jw_kstr(w, "reason", reason);
	tc_jw_kstr(w, "detail", detail);
	tc_jw_kint(w, "facility_id", b->facility_id);
	tc_jw_kstr(w, "facility_name", b->facility_name);
	tc_jw_kint(w, "on_hand", b->on_hand);
	tc_jw_end(w);
}

/* What GET /stock reads, on one read connection. */
struct stock_view {
	struct tc_balance *bal, *held; /* held: quarantined lots on hand */
	size_t nbal, nheld;
	const char **why; /* held[i]'s lot's quarantine reason */
	struct tc_transfer *tr;
	size_t ntr;
	struct tc_consumption *use;
	size_t nuse;
};

static enum tc_qs stock_read(struct tc_dbc *c, struct tc_stock_filter flt,
                             struct tc_page page, int64_t since, const char *today,
                             struct tc_arena *a, struct stock_view *v)
{
	struct tc_page all = { .limit = 1000, .offset = 0 };
	struct tc_page transit = { .limit = MAX_TRANSIT, .offset = 0 };
	enum tc_qs qs = tc_q_stock_list(c, &flt, page, a, &v->bal, &v->nbal);

	if (qs < 0)
		return qs;
	/* quarantined lots held, whatever their expiry */
	flt.quarantined_only = true;
	flt.with_empty = false;
	flt.expiring_by = NULL;
	if ((qs = tc_q_stock_list(c, &flt, all, a, &v->held, &v->nheld)) < 0)
		return qs;
	v->why = TC_NEWN(a, const char *, v->nheld + 1);
	for (size_t i = 0; i < v->nheld; i++) {
		struct tc_lot lot;
		if (i > 0 && v->held[i].lot_id == v->held[i - 1].lot_id) {
			v->why[i] = v->why[i - 1];
			continue;
		}
		if ((qs = tc_q_lot_get(c, v->held[i].lot_id, a, &lot)) < 0)
			return qs;
		v->why[i] = qs == TC_QS_ONE ? lot.quarantine_reason : NULL;
	}
	qs = tc_q_transfers_list(c, flt.scope, flt.facility_id, "in_transit", transit, a,
	                         &v->tr, &v->ntr);
	if (qs < 0)
		return qs;
	for (size_t i = 0; i < v->ntr; i++) {
		struct tc_transfer full;
		if ((qs = tc_q_transfer_get(c, v->tr[i].id, a, &full)) < 0)
			return qs;
		if (qs == TC_QS_ONE)
			v->tr[i] = full;
	}
	if (flt.facility_id)
		qs = tc_q_stock_consumption(c, flt.facility_id, since, today, a, &v->use,
		                            &v->nuse);
	return qs < 0 ? qs : TC_QS_ONE;
}

static void jw_in_transit(struct tc_jw *w, const struct stock_view *v)
{
	tc_jw_key(w, "in_transit");
	tc_jw_arr(w);
	for (size_t i = 0; i < v->ntr; i++) {
		const struct tc_transfer *t = &v->tr[i];
		for (size_t k = 0; k < t->nitems; k++) {
			const struct tc_transfer_item *it = &t->items[k];
			if (it->in_transit <= 0)
				continue;
			tc_jw_obj(w);
			tc_jw_kint(w, "transfer_id", t->id);
			tc_jw_kint(w, "from_facility", t->from_facility);
			tc_jw_kstr(w, "from_name", t->from_name);
			tc_jw_kint(w, "to_facility", t->to_facility);
			tc_jw_kstr(w, "to_name", t->to_name);
			tc_jw_kint(w, "lot_id", it->lot_id);
			tc_jw_kstr(w, "lot_number", it->lot_number);
			tc_jw_kstr(w, "product", it->product);
			tc_jw_kint(w, "quantity", it->in_transit);
			tc_jw_key(w, "shipped_at");
			tc_jw_time(w, t->shipped_at);
			tc_jw_end(w);
		}
	}
	tc_jw_end(w);
}

static void jw_alerts(struct tc_jw *w, const struct stock_view *v, int64_t today_day,
                      const char *today)
{
	tc_jw_key(w, "alerts");
	tc_jw_arr(w);
	for (size_t i = 0; i < v->nheld; i++)
		jw_alert(w, &v->held[i], "quarantined", v->why[i]);
	for (size_t i = 0; i < v->nbal; i++) {
		const struct tc_balance *b = &v->bal[i];
		int64_t exp = 0;
		if (b->on_hand <= 0 || b->quarantined)
			continue;
		tc_day_parse(b->expiry, &exp);
		if (strcmp(b->expiry, today) < 0)
			jw_alert(w, b, "expired", NULL);
		else if (b->vvm >= TC_VVM_UNUSABLE)
			jw_alert(w, b, "vvm", NULL);
		else if (exp - today_day <= EXPIRING_ALERT_DAYS)
			jw_alert(w, b, "expiring", NULL);
	}
	tc_jw_end(w);
}

tc_err tc_api_stock_list(struct tc_req *r)
{
	struct tc_stock_filter flt = { .scope = r->target_scope };
	struct stock_view v = { 0 };
	const char *all = tc_req_query(r, "all");
	struct tc_page page;
	struct tc_dbc *c;
	char today[11], by[11];
	int64_t now = tc_now_us(), today_day = tc_api_stock_today(now, today), days = 0;
	bool expiring;
	enum tc_qs qs;
	tc_err rc;

	if ((rc = query_facility(r, false, &flt.facility_id)) != TC_ERR_OK)
		return rc;
	rc = tc_api_stock_query_int(r, "expiring_days", 0, MAX_EXPIRING_DAYS, false,
	                            &days, &expiring);
	if (rc != TC_ERR_OK)
		return rc;
	if (all && strcmp(all, "1") != 0 && strcmp(all, "0") != 0)
		return tc_fault_set(&r->fault, TC_ERR_INVALID_PARAMETER, "all",
		                    "all must be 1 or 0");
	flt.with_empty = all && strcmp(all, "1") == 0;
	flt.product = tc_req_query(r, "product");
	if (expiring) {
		tc_day_format(today_day + days, by);
		flt.expiring_by = by;
	}
	if ((rc = tc_req_page(r, 500, 5000, &page)) != TC_ERR_OK)
		return rc;
	if ((rc = tc_req_dbc(r, &c)) != TC_ERR_OK)
		return rc;
	qs = stock_read(c, flt, page, now - 7 * TC_DAY_US, today, &r->arena, &v);
	tc_req_dbc_release(r, c);
	if (qs < 0)
		return tc_qs_err(qs, &r->fault);

	struct tc_jw *w = tc_reply_begin(r);
	tc_jw_obj(w);
	tc_jw_key(w, "stock");
	tc_jw_arr(w);
	for (size_t i = 0; i < v.nbal; i++)
		jw_balance(w, &v.bal[i], today_day, today);
	tc_jw_end(w);
	jw_in_transit(w, &v);
	tc_jw_key(w, "days_left");
	tc_jw_arr(w);
	for (size_t i = 0; i < v.nuse; i++) {
		tc_jw_obj(w);
		tc_jw_kstr(w, "product", v.use[i].product);
		tc_jw_kint(w, "on_hand", v.use[i].on_hand);
		tc_jw_kint(w, "used_7d", v.use[i].used);
		tc_jw_key(w, "days_left");
		if (v.use[i].used > 0)
			tc_jw_int(w, v.use[i].on_hand * 7 / v.use[i].used);
		else
			tc_jw_null(w);
		tc_jw_end(w);
	}
	tc_jw_end(w);
	jw_alerts(w, &v, today_day, today);
	tc_jw_kint(w, "limit", page.limit);
	tc_jw_kint(w, "offset", page.offset);
	tc_jw_end(w);
	return tc_reply_end(r, MHD_HTTP_OK);
}

/* ---- GET /api/v1/stock/fefo?facility=&product=&quantity= ------------------------------ */

tc_err tc_api_stock_fefo(struct tc_req *r)
{
	const char *product = tc_req_query(r, "product");
	struct tc_balance *bal;
	struct tc_dbc *c;
	char today[11];
	int64_t fid, want, left;
	bool set;
	size_t n;
	enum tc_qs qs;
	tc_err rc;

	if ((rc = query_facility(r, true, &fid)) != TC_ERR_OK)
		return rc;
	if (product == NULL || *product == '\0')
		return tc_fault_set(&r->fault, TC_ERR_INVALID_PARAMETER, "product",
		                    "product (a vaccine code) is required");
	rc = tc_api_stock_query_int(r, "quantity", 1, TC_STOCK_MAX_QTY, true, &want,
	                            &set);
	if (rc != TC_ERR_OK)
		return rc;
	tc_api_stock_today(tc_now_us(), today);
	if ((rc = tc_req_dbc(r, &c)) != TC_ERR_OK)
		return rc;
	qs = tc_q_stock_fefo(c, fid, product, today, &r->arena, &bal, &n);
	tc_req_dbc_release(r, c);
	if (qs < 0)
		return tc_qs_err(qs, &r->fault);
	struct tc_jw *w = tc_reply_begin(r);
	tc_jw_obj(w);
	tc_jw_key(w, "picks");
	tc_jw_arr(w);
	left = want;
	for (size_t i = 0; i < n && left > 0; i++) {
		int64_t take = bal[i].on_hand < left ? bal[i].on_hand : left;
		if (take <= 0)
			continue;
		tc_jw_obj(w);
		tc_jw_kint(w, "lot_id", bal[i].lot_id);
		tc_jw_kstr(w, "lot_number", bal[i].lot_number);
		tc_jw_kstr(w, "expiry", bal[i].expiry);
		tc_jw_kint(w, "on_hand", bal[i].on_hand);
		tc_jw_kint(w, "take", take);
		tc_jw_end(w);
		left -= take;
	}
	tc_jw_end(w);
	tc_jw_kint(w, "short", left);
	tc_jw_end(w);
	return tc_reply_end(r, MHD_HTTP_OK);
}

/* ---- GET /api/v1/stock/movements?facility=&lot=&flagged=1 --------------------------- */

tc_err tc_api_stock_movements(struct tc_req *r)
{
	const char *flagged = tc_req_query(r, "flagged");
	struct tc_movement *m;
	struct tc_page page;
	struct tc_dbc *c;
	int64_t fid, lot = 0;
	bool set;
	size_t n;
	enum tc_qs qs;
	tc_err rc;

	if ((rc = query_facility(r, false, &fid)) != TC_ERR_OK)
		return rc;
	if ((rc = tc_api_stock_query_int(r, "lot", 1, INT64_MAX, false, &lot, &set)) !=
	    TC_ERR_OK)
		return rc;
	if (!set)
		lot = 0;
	if (flagged && strcmp(flagged, "1") != 0 && strcmp(flagged, "0") != 0)
		return tc_fault_set(&r->fault, TC_ERR_INVALID_PARAMETER, "flagged",
		                    "flagged must be 1 or 0");
	if ((rc = tc_req_page(r, 100, 1000, &page)) != TC_ERR_OK)
		return rc;
	if ((rc = tc_req_dbc(r, &c)) != TC_ERR_OK)
		return rc;
	qs = tc_q_movements_list(c, r->target_scope, fid, lot,
	                         flagged && strcmp(flagged, "1") == 0, page, &r->arena,
	                         &m, &n);
	tc_req_dbc_release(r, c);
	if (qs < 0)
		return tc_qs_err(qs, &r->fault);
	struct tc_jw *w = tc_reply_begin(r);
	tc_jw_obj(w);
	tc_jw_key(w, "movements");
	tc_jw_arr(w);
	for (size_t i = 0; i < n; i++)
		tc_jw_movement(w, &m[i]);
	tc_jw_end(w);
	tc_jw_kint(w, "limit", page.limit);
	tc_jw_kint(w, "offset", page.offset);
	tc_jw_end(w);
	return tc_reply_end(r, MHD_HTTP_OK);
}

/* ---- GET /api/v1/stock/reconciliation?facility=&from=&to= ------------------------------ */

/* A period of Vietnam days, `to` inclusive, as [from_us, to_us). */
static tc_err query_period(struct tc_req *r, int64_t *from, int64_t *to, int64_t *from_us,
                           int64_t *to_us)
{
	tc_err rc = tc_api_stock_query_day(r, "from", from);

	if (rc == TC_ERR_OK)
		rc = tc_api_stock_query_day(r, "to", to);
	if (rc != TC_ERR_OK)
		return rc;
	if (*to < *from)
		return tc_fault_set(&r->fault, TC_ERR_INVALID_PARAMETER, "to",
		                    "to is before from");
	if (*to - *from >= MAX_PERIOD_DAYS)
		return tc_fault_set(&r->fault, TC_ERR_INVALID_PARAMETER, "to",
		                    "the period is at most ten years");
	*from_us = day_start_us(*from);
	*to_us = day_start_us(*to + 1);
	return TC_ERR_OK;
}

static void jw_sums(struct tc_jw *w, const struct tc_recon_row *s)
{
	tc_jw_kint(w, "opening", s->opening);
	tc_jw_kint(w, "received", s->received);
	tc_jw_kint(w, "sent", s->sent);
	tc_jw_kint(w, "administered", s->administered);
	tc_jw_kint(w, "wasted", s->wasted);
	tc_jw_kint(w, "expired", s->expired);
	tc_jw_kint(w, "adjust_in", s->adjust_in);
	tc_jw_kint(w, "adjust_out", s->adjust_out);
	tc_jw_kint(w, "closing", s->closing);
	tc_jw_kint(w, "flagged", s->flagged);
}

static bool row_balanced(const struct tc_recon_row *s)
{
	return s->opening + s->received - s->sent - s->administered - s->wasted -
	               s->expired + s->adjust_in - s->adjust_out ==
	       s->closing;
}

static void sums_add(struct tc_recon_row *t, const struct tc_recon_row *s)
{
	t->opening += s->opening;
	t->received += s->received;
	t->sent += s->sent;
	t->administered += s->administered;
	t->wasted += s->wasted;
	t->expired += s->expired;
	t->adjust_in += s->adjust_in;
	t->adjust_out += s->adjust_out;
	t->closing += s->closing;
	t->flagged += s->flagged;
}

tc_err tc_api_stock_reconciliation(struct tc_req *r)
{
	struct tc_recon_row *rows, *prod;
	struct tc_dbc *c;
	char from_text[11], to_text[11];
	int64_t fid, from, to, from_us, to_us;
	size_t n, np = 0;
	bool balanced = true;
	enum tc_qs qs;
	tc_err rc;

	if ((rc = query_facility(r, true, &fid)) != TC_ERR_OK)
		return rc;
	if ((rc = query_period(r, &from, &to, &from_us, &to_us)) != TC_ERR_OK)
		return rc;
	if ((rc = tc_req_dbc(r, &c)) != TC_ERR_OK)
		return rc;
	qs = tc_q_stock_reconcile(c, fid, from_us, to_us, &r->arena, &rows, &n);
	tc_req_dbc_release(r, c);
	if (qs < 0)
		return tc_qs_err(qs, &r->fault);
	/* per product, in the order the lots came */
	prod = TC_NEWN(&r->arena, struct tc_recon_row, n + 1);
	for (size_t i = 0; i < n; i++) {
		size_t k = 0;
		while (k < np && strcmp(prod[k].product, rows[i].product) != 0)
			k++;
		if (k == np)
			prod[np++].product = rows[i].product;
		sums_add(&prod[k], &rows[i]);
		balanced = balanced && row_balanced(&rows[i]);
	}
	tc_day_format(from, from_text);
	tc_day_format(to, to_text);
	struct tc_jw *w = tc_reply_begin(r);
	tc_jw_obj(w);
	tc_jw_kint(w, "facility_id", fid);
	tc_jw_kstr(w, "from", from_text);
	tc_jw_kstr(w, "to", to_text);
	tc_jw_key(w, "lots");
	tc_jw_arr(w);
	for (size_t i = 0; i < n; i++) {
		tc_jw_obj(w);
		tc_jw_kint(w, "lot_id", rows[i].lot_id);
		tc_jw_kstr(w, "product", rows[i].product);
		tc_jw_kstr(w, "lot_number", rows[i].lot_number);
		tc_jw_kstr(w, "expiry", rows[i].expiry);
		jw_sums(w, &rows[i]);
		tc_jw_end(w);
	}
	tc_jw_end(w);
	tc_jw_key(w, "products");
	tc_jw_arr(w);
	for (size_t k = 0; k < np; k++) {
		tc_jw_obj(w);
		tc_jw_kstr(w, "product", prod[k].product);
		jw_sums(w, &prod[k]);
		jw_rate(w, prod[k].administered, prod[k].wasted);
		tc_jw_end(w);
	}
	tc_jw_end(w);
	tc_jw_kbool(w, "balanced", balanced);
	tc_jw_end(w);
	return tc_reply_end(r, MHD_HTTP_OK);
}

/* ---- GET /api/v1/stock/wastage-rates?unit=&from=&to= ---------------------------------- */

tc_err tc_api_stock_wastage_rates(struct tc_req *r)
{
	struct tc_wastage_rate *wr;
	struct tc_dbc *c;
	int64_t from, to, from_us, to_us;
	size_t n;
	enum tc_qs qs;
	tc_err rc;

	if ((rc = query_period(r, &from, &to, &from_us, &to_us)) != TC_ERR_OK)
		return rc;
	if ((rc = tc_req_dbc(r, &c)) != TC_ERR_OK)
		return rc;
	qs = tc_q_wastage_rates(c, r->target_scope, from_us, to_us, &r->arena, &wr, &n);
	tc_req_dbc_release(r, c);
	if (qs < 0)
		return tc_qs_err(qs, &r->fault);
	struct tc_jw *w = tc_reply_begin(r);
	tc_jw_obj(w);
	tc_jw_key(w, "rates");
	tc_jw_arr(w);
	for (size_t i = 0; i < n; i++) {
		tc_jw_obj(w);
		tc_jw_kint(w, "facility_id", wr[i].facility_id);
		tc_jw_kstr(w, "facility_name", wr[i].facility_name);
		tc_jw_kstr(w, "product", wr[i].product);
		tc_jw_kint(w, "administered", wr[i].administered);
		tc_jw_kint(w, "wasted", wr[i].wasted);
		jw_rate(w, wr[i].administered, wr[i].wasted);
		tc_jw_end(w);
	}
	tc_jw_end(w);
	tc_jw_end(w);
	return tc_reply_end(r, MHD_HTTP_OK);
}

/* ---- GET /api/v1/stock/vials?facility= ---------------------------------------------------- */

tc_err tc_api_stock_vials_list(struct tc_req *r)
{
	struct tc_open_vial *v;
	struct tc_dbc *c;
	int64_t fid;
	size_t n;
	enum tc_qs qs;
	tc_err rc;

	if ((rc = query_facility(r, true, &fid)) != TC_ERR_OK)
		return rc;
	if ((rc = tc_req_dbc(r, &c)) != TC_ERR_OK)
		return rc;
	qs = tc_q_open_vials(c, fid, &r->arena, &v, &n);
	tc_req_dbc_release(r, c);
	if (qs < 0)
		return tc_qs_err(qs, &r->fault);
	struct tc_jw *w = tc_reply_begin(r);
	tc_jw_obj(w);
	tc_jw_key(w, "vials");
	tc_jw_arr(w);
	for (size_t i = 0; i < n; i++)
		tc_jw_vial(w, &v[i]);
	tc_jw_end(w);
	tc_jw_end(w);
	return tc_reply_end(r, MHD_HTTP_OK);
}

/* ---- GET /api/v1/stock/allocations?facility= ------------------------------------------------ */

tc_err tc_api_stock_allocations_list(struct tc_req *r)
{
	struct tc_allocation *al;
	struct tc_page page;
	struct tc_dbc *c;
	int64_t fid;
	size_t n;
	enum tc_qs qs;
	tc_err rc;

	if ((rc = query_facility(r, false, &fid)) != TC_ERR_OK)
		return rc;
	if ((rc = tc_req_page(r, 100, 1000, &page)) != TC_ERR_OK)
		return rc;
	if ((rc = tc_req_dbc(r, &c)) != TC_ERR_OK)
		return rc;
	qs = tc_q_allocations_list(c, r->target_scope, fid, page, &r->arena, &al, &n);
	tc_req_dbc_release(r, c);
	if (qs < 0)
		return tc_qs_err(qs, &r->fault);
	struct tc_jw *w = tc_reply_begin(r);
	tc_jw_obj(w);
	tc_jw_key(w, "allocations");
	tc_jw_arr(w);
	for (size_t i = 0; i < n; i++)
		tc_jw_allocation(w, &al[i]);
	tc_jw_end(w);
	tc_jw_kint(w, "limit", page.limit);
	tc_jw_kint(w, "offset", page.offset);
	tc_jw_end(w);
	return tc_reply_end(r, MHD_HTTP_OK);
}
