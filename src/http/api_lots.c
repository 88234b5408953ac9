/* Vaccine lots: POST /api/v1/lots, GET /api/v1/lots?product=&q=, GET
 * /api/v1/lots/{id} (with the facilities holding it inside the caller's
 * jurisdiction), POST /api/v1/lots/{id}/quarantine and .../release. A lot
 * is national reference data: anyone who reads stock reads lots; the
 * offices register them (they receive from suppliers). */
#include <microhttpd.h>
#include <string.h>

#include "../core/tctime.h"
#include "../db/records.h"
#include "../domain/appointment.h"
#include "api.h"
#include "api_stock.h"

#define LOT_NUMBER_MAX 40
/* Expiry dates we take: a lot of a COVID-19 vaccine is made after 2020
 * and keeps for years, not decades. */
#define EXPIRY_MIN     "2020-01-01"
#define EXPIRY_MAX     "2099-12-31"

static const char *lot_json(const struct tc_lot *l, const char *today, struct tc_arena *a)
{
	struct tc_jtext t;

	tc_jw_lot(tc_jtext_begin(&t), l, today);
	return tc_jtext_end(&t, a);
}

static tc_err reply_lot(struct tc_req *r, unsigned status, const struct tc_lot *l)
{
	char today[11];
	struct tc_jw *w = tc_reply_begin(r);

	tc_api_stock_today(tc_now_us(), today);
	tc_jw_obj(w);
	tc_jw_key(w, "lot");
	tc_jw_lot(w, l, today);
	tc_jw_end(w);
	return tc_reply_end(r, status);
}

/* Printable ASCII, no space at either end: how lot numbers are printed
 * on vials and cartons. */
static bool lot_number_valid(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > LOT_NUMBER_MAX || s[0] == ' ' || s[n - 1] == ' ')
		return false;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || (unsigned char)s[i] > 0x7e)
			return false;
	return true;
}

/* ---- POST /api/v1/lots ----------------------------------------------------------- */

struct lot_body {
	const char *product;
	const char *lot_number;
	const char *expiry;
	const char *manufacturer;
};

static const struct tc_jfield lot_spec[] = {
	TC_JSTR(struct lot_body, product, TC_JF_REQUIRED, 1, 100),
	TC_JSTR(struct lot_body, lot_number, TC_JF_REQUIRED, 1, LOT_NUMBER_MAX),
	TC_JSTR(struct lot_body, expiry, TC_JF_REQUIRED, 1, 10),
	TC_JSTR(struct lot_body, manufacturer, 0, 1, 200),
	TC_JEND,
};

struct lot_create {
	struct tc_actor actor;
	struct tc_arena *a;
	struct tc_lot in, lot;
	char today[11];
};

static tc_err create_run(struct tc_dbc *c, void *cls, struct tc_fault *f)
{
	struct lot_create *lc = cls;
	enum tc_qs qs;

	lc->lot = lc->in;
	qs = tc_q_lot_insert(c, &lc->lot);
	if (qs == TC_QS_CONFLICT) {
		struct tc_lot old;
		qs = tc_q_lot_by_number(c, lc->in.product, lc->in.lot_number, lc->a,
		                        &old);
		if (qs < 0)
			return tc_qs_err(qs, f);
		tc_fault_set(f, TC_ERR_CONFLICT, "lot_number",
		             "that product already has a lot with this number");
		f->existing_id = qs == TC_QS_ONE ? old.id : 0;
		return TC_ERR_CONFLICT;
	}
	if (qs < 0)
		return tc_qs_err(qs, f);
	return tc_audit_record(c, &lc->actor, "create", "lot",
	                       tc_arena_printf(lc->a, "%lld", (long long)lc->lot.id),
	                       "VN", NULL, lot_json(&lc->lot, lc->today, lc->a), f);
}

static tc_err create_after(struct tc_req *r)
{
	struct lot_create *lc = r->job.cls;
	return reply_lot(r, MHD_HTTP_CREATED, &lc->lot);
}

tc_err tc_api_lot_create(struct tc_req *r)
{
	struct lot_create *lc = TC_NEW(&r->arena, struct lot_create);
	struct lot_body b = { 0 };
	struct tc_product_info p;
	struct tc_dbc *c;
	enum tc_qs qs;
	int64_t day, now = tc_now_us();
	tc_err rc = tc_req_body(r, lot_spec, &b);

	if (rc != TC_ERR_OK)
		return rc;
	if (!lot_number_valid(b.lot_number))
		return tc_fault_set(
		        &r->fault, TC_ERR_INVALID_FIELD, "lot_number",
		        "lot_number must be 1 to 40 printable ASCII characters, "
		        "as printed on the vial");
	if (!tc_day_parse(b.expiry, &day) || strcmp(b.expiry, EXPIRY_MIN) < 0 ||
	    strcmp(b.expiry, EXPIRY_MAX) > 0)
		return tc_fault_set(&r->fault, TC_ERR_INVALID_FIELD, "expiry",
		                    "expiry must be a real date written YYYY-MM-DD "
		                    "(2020 to 2099)");
	if ((rc = tc_req_dbc(r, &c)) != TC_ERR_OK)
		return rc;
	qs = tc_q_product_info(c, b.product, &r->arena, &p);
	tc_req_dbc_release(r, c);
	if (qs < 0)
		return tc_qs_err(qs, &r->fault);
	if (qs == TC_QS_NONE)
		return tc_fault_set(
		        &r->fault, TC_ERR_INVALID_FIELD, "product",
		        "product must be a vaccine code from GET /api/v1/products");
	/* the product's maker, when known, unless the lot says otherwise */
	if (b.manufacturer == NULL)
		b.manufacturer =
		        p.manufacturer_name ? p.manufacturer_name : p.manufacturer;
	if (b.manufacturer == NULL)
		return tc_fault_set(&r->fault, TC_ERR_MISSING_FIELD, "manufacturer",
		                    "no manufacturer is on record for this product: "
		                    "give the lot's");
	lc->actor = r->actor;
	lc->a = &r->arena;
	tc_api_stock_today(now, lc->today);
	lc->in = (struct tc_lot){
		.product = p.code,
		.lot_number = b.lot_number,
		.expiry = b.expiry,
		.manufacturer = b.manufacturer,
		.created_at = now,
		.created_by = r->actor.user_id,
		.product_name = p.name,
		.doses_per_vial = p.doses_per_vial,
	};
	return tc_req_write(r, create_run, lc, create_after);
}

/* ---- GET /api/v1/lots?product=&q= -------------------------------------------------- */

tc_err tc_api_lots_list(struct tc_req *r)
{
	const char *product = tc_req_query(r, "product");
	const char *prefix = tc_req_query(r, "q");
	struct tc_lot *lots;
	struct tc_page page;
	struct tc_dbc *c;
	char today[11];
	size_t n;
	enum tc_qs qs;
	tc_err rc;

	if (product && (*product == '\0' || strlen(product) > 100))
		return tc_fault_set(&r->fault, TC_ERR_INVALID_PARAMETER, "product",
		                    "product must be a vaccine code");
	if (prefix && (*prefix == '\0' || strlen(prefix) > LOT_NUMBER_MAX))
		return tc_fault_set(
		        &r->fault, TC_ERR_INVALID_PARAMETER, "q",
		        "q must be the start of a lot number (1 to 40 characters)");
	if ((rc = tc_req_page(r, 100, 1000, &page)) != TC_ERR_OK)
		return rc;
	if ((rc = tc_req_dbc(r, &c)) != TC_ERR_OK)
		return rc;
	qs = tc_q_lots_list(c, product, prefix, page, &r->arena, &lots, &n);
	tc_req_dbc_release(r, c);
	if (qs < 0)
		return tc_qs_err(qs, &r->fault);
	tc_api_stock_today(tc_now_us(), today);
	struct tc_jw *w = tc_reply_begin(r);
	tc_jw_obj(w);
	tc_jw_key(w, "lots");
	tc_jw_arr(w);
	for (size_t i = 0; i < n; i++)
		tc_jw_lot(w, &lots[i], today);
	tc_jw_end(w);
	tc_jw_kint(w, "limit", page.limit);
	tc_jw_kint(w, "offset", page.offset);
	tc_jw_end(w);
	return tc_reply_end(r, MHD_HTTP_OK);
}

/* ---- GET /api/v1/lots/{id} ---------------------------------------------------------- */

tc_err tc_api_lot_get(struct tc_req *r)
{
	struct tc_stock_filter flt = { .scope = r->actor.scope };
	struct tc_page page = { .limit = 1000, .offset = 0 };
	struct tc_balance *bal = NULL;
	struct tc_lot lot;
	struct tc_dbc *c;
	char today[11];
	size_t n = 0;
	enum tc_qs ql, qb = TC_QS_NONE;
	tc_err rc = tc_req_param_id(r, 0, &flt.lot_id);

	if (rc != TC_ERR_OK)
		return rc;
	if ((rc = tc_req_dbc(r, &c)) != TC_ERR_OK)
		return rc;
	ql = tc_q_lot_get(c, flt.lot_id, &r->arena, &lot);
	if (ql == TC_QS_ONE)
		qb = tc_q_stock_list(c, &flt, page, &r->arena, &bal, &n);
	tc_req_dbc_release(r, c);
	if (ql == TC_QS_NONE)
		return tc_fault_set(&r->fault, TC_ERR_NOT_FOUND, NULL, "no such lot");
	if (ql < 0 || qb < 0)
		return tc_qs_err(ql < 0 ? ql : qb, &r->fault);
	tc_api_stock_today(tc_now_us(), today);
	struct tc_jw *w = tc_reply_begin(r);
	tc_jw_obj(w);
	tc_jw_key(w, "lot");
	tc_jw_lot(w, &lot, today);
	tc_jw_key(w, "holders");
	tc_jw_arr(w);
	for (size_t i = 0; i < n; i++) {
		tc_jw_obj(w);
		tc_jw_kint(w, "facility_id", bal[i].facility_id);
		tc_jw_kstr(w, "facility_name", bal[i].facility_name);
		tc_jw_kint(w, "on_hand", bal[i].on_hand);
		tc_jw_end(w);
	}
	tc_jw_end(w);
	tc_jw_end(w);
	return tc_reply_end(r, MHD_HTTP_OK);
}

/* ---- POST /api/v1/lots/{id}/quarantine, /release ------------------------------------ */

struct reason_body {
	const char *reason;
};

static const struct tc_jfield reason_spec[] = {
	TC_JSTR(struct reason_body, reason, TC_JF_REQUIRED, 1, 500),
	TC_JEND,
};

struct lot_hold {
	struct tc_actor actor;
	struct tc_arena *a;
	int64_t id, now;
	bool quarantine; /* false: release */
	const char *reason;
	char today[11];
	struct tc_lot before, after;
};

static tc_err hold_run(struct tc_dbc *c, void *cls, struct tc_fault *f)
{
	struct lot_hold *h = cls;
	enum tc_qs qs;
	struct tc_jtext t;

	qs = tc_q_lot_get(c, h->id, h->a, &h->before);
	if (qs == TC_QS_NONE)
		return tc_fault_set(f, TC_ERR_NOT_FOUND, NULL, "no such lot");
	if (qs < 0)
		return tc_qs_err(qs, f);
	qs = tc_q_lot_quarantine(c, h->id, h->quarantine ? h->reason : NULL,
	                         h->actor.user_id, h->now);
	if (qs == TC_QS_NONE)
		return tc_fault_set(f, TC_ERR_WRONG_STATE, NULL,
		                    h->quarantine ? "the lot is already quarantined"
		                                  : "the lot is not quarantined");
	if (qs < 0)
		return tc_qs_err(qs, f);
	if ((qs = tc_q_lot_get(c, h->id, h->a, &h->after)) != TC_QS_ONE)
		return tc_qs_err(qs, f);
	struct tc_jw *w = tc_jtext_begin(&t);
	tc_jw_obj(w);
	tc_jw_key(w, "lot");
	tc_jw_lot(w, &h->after, h->today);
	tc_jw_kstr(w, "reason", h->reason);
	tc_jw_end(w);
	return tc_audit_record(c, &h->actor, h->quarantine ? "quarantine" : "release",
	                       "lot", tc_arena_printf(h->a, "%lld", (long long)h->id),
	                       "VN", lot_json(&h->before, h->today, h->a),
	                       tc_jtext_end(&t, h->a), f);
}

static tc_err hold_after(struct tc_req *r)
{
	struct lot_hold *h = r->job.cls;
	return reply_lot(r, MHD_HTTP_CREATED, &h->after);
}

static tc_err lot_hold(struct tc_req *r, bool quarantine)
{
	struct lot_hold *h = TC_NEW(&r->arena, struct lot_hold);
	struct reason_body b = { 0 };
	tc_err rc = tc_req_param_id(r, 0, &h->id);

	if (rc != TC_ERR_OK)
		return rc;
	if ((rc = tc_req_body(r, reason_spec, &b)) != TC_ERR_OK)
		return rc;
	h->actor = r->actor;
	h->a = &r->arena;
	h->now = tc_now_us();
	h->quarantine = quarantine;
	h->reason = b.reason;
	tc_api_stock_today(h->now, h->today);
	return tc_req_write(r, hold_run, h, hold_after);
}

tc_err tc_api_lot_quarantine(struct tc_req *r)
{
	return lot_hold(r, true);
}

tc_err tc_api_lot_release(struct tc_req *r)
{
	return lot_hold(r, false);
}
