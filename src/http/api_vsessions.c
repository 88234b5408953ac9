/* Vaccination sessions and vaccine products: POST /api/v1/sessions, GET
 * /api/v1/sessions?site=&date=&unit=, GET and PATCH /api/v1/sessions/{id},
 * GET /api/v1/products. A district centre plans sessions at the sites of
 * its district; cancelling a session sends the people scheduled into it
 * back to "allocated", each with a message. */
#include <microhttpd.h>
#include <string.h>

#include "../core/tctime.h"
#include "../db/records.h"
#include "../db/stock.h"
#include "../domain/appointment.h"
#include "../domain/birthdate.h"
#include "../domain/regflow.h"
#include "api.h"
#include "outbox.h"
#include "server.h"

/* Sessions are planned at most this far ahead. */
#define MAX_DAYS_AHEAD 366
#define MAX_CAPACITY   100000

static void jw_vsession(struct tc_jw *w, const struct tc_vsession *s)
{
	tc_jw_obj(w);
	tc_jw_kint(w, "id", s->id);
	tc_jw_kint(w, "site_id", s->site_id);
	tc_jw_kstr(w, "site_name", s->site_name);
	tc_jw_kstr(w, "day", s->day);
	tc_jw_kstr(w, "starts", s->starts);
	tc_jw_kstr(w, "ends", s->ends);
	tc_jw_kstr(w, "product", s->product);
	tc_jw_kint(w, "capacity", s->capacity);
	tc_jw_kint(w, "booked", s->booked);
	tc_jw_kint(w, "available", s->capacity - s->booked);
	tc_jw_kstr(w, "status", s->status);
	tc_jw_kstr(w, "scope", s->scope_path);
	tc_jw_key(w, "created_at");
	tc_jw_time(w, s->created_at);
	tc_jw_end(w);
}

static const char *vsession_json(const struct tc_vsession *s, struct tc_arena *a)
{
	struct tc_buf b;
	struct tc_jw w;
	const char *out;

	tc_buf_init(&b);
	tc_jw_init(&w, &b);
	jw_vsession(&w, s);
	out = tc_arena_strndup(a, b.data, b.len);
	tc_buf_cleanup(&b);
	return out;
}

static tc_err reply_vsession(struct tc_req *r, unsigned status,
                             const struct tc_vsession *s)
{
	struct tc_jw *w = tc_reply_begin(r);
	tc_jw_obj(w);
	tc_jw_key(w, "session");
	jw_vsession(w, s);
	tc_jw_end(w);
	return tc_reply_end(r, status);
}

/* ---- scope resolver ----------------------------------------------------------- */

static enum tc_qs get_vsession(struct tc_dbc *c, int64_t id, struct tc_arena *a, void *out)
{
	return tc_q_vsession_get(c, id, a, out);
}

tc_err tc_scope_vsession_id(struct tc_req *r)
{
	struct tc_vsession *s = TC_NEW(&r->arena, struct tc_vsession);
	tc_err rc = tc_req_load_by_id(r, get_vsession, s);

	if (rc != TC_ERR_OK)
		return rc;
	r->target = s;
	r->target_scope = s->scope_path;
	return TC_ERR_OK;
}

/* ---- GET /api/v1/products ---------------------------------------------------- */

/* An optional integer: null when not given (`none`). */
static void jw_kint_or_null(struct tc_jw *w, const char *key, int64_t v, int64_t none)
{
	tc_jw_key(w, key);
	if (v == none)
		tc_jw_null(w);
	else
		tc_jw_int(w, v);
}

static void jw_product(struct tc_jw *w, const struct tc_product_info *p)
{
	tc_jw_obj(w);
	tc_jw_kstr(w, "code", p->code);
	tc_jw_kstr(w, "name", p->name);
	tc_jw_kbool(w, "active", p->active);
	tc_jw_kstr(w, "manufacturer", p->manufacturer);
	tc_jw_kstr(w, "manufacturer_name", p->manufacturer_name);
	tc_jw_kstr(w, "platform", p->platform);
	tc_jw_kbool(w, "used_in_vn", p->used_in_vn);
	tc_jw_kint(w, "series_doses", p->series_doses);
	tc_jw_kint(w, "min_interval_days", p->min_interval_days);
	tc_jw_kint(w, "rec_interval_days", p->rec_interval_days);
	jw_kint_or_null(w, "booster_min_days", p->booster_min_days, -1);
	tc_jw_kint(w, "min_age_years", p->min_age_years);
	tc_jw_kint(w, "doses_per_vial", p->doses_per_vial);
	tc_jw_kint(w, "open_vial_hours", p->open_vial_hours);
	jw_kint_or_null(w, "storage_min_c", p->storage_min_c, INT64_MIN);
	jw_kint_or_null(w, "storage_max_c", p->storage_max_c, INT64_MIN);
	tc_jw_end(w);
}

tc_err tc_api_products_list(struct tc_req *r)
{
	struct tc_product_info *p;
	struct tc_dbc *c;
	size_t n;
	enum tc_qs qs;
	tc_err rc = tc_req_dbc(r, &c);

	if (rc != TC_ERR_OK)
		return rc;
	qs = tc_q_product_infos(c, &r->arena, &p, &n);
	tc_req_dbc_release(r, c);
	if (qs < 0)
		return tc_qs_err(qs, &r->fault);
	struct tc_jw *w = tc_reply_begin(r);
	tc_jw_obj(w);
	tc_jw_key(w, "products");
	tc_jw_arr(w);
	for (size_t i = 0; i < n; i++)
		jw_product(w, &p[i]);
	tc_jw_end(w);
	tc_jw_end(w);
	return tc_reply_end(r, MHD_HTTP_OK);
}

/* ---- POST /api/v1/sessions ----------------------------------------------------- */

struct vs_body {
	struct tc_jint site_id;
	const char *day;
	const char *starts;
	const char *ends;
	const char *product;
	struct tc_jint capacity;
};

static const struct tc_jfield create_spec[] = {
	TC_JINT(struct vs_body, site_id, TC_JF_REQUIRED, 1, INT64_MAX),
	TC_JSTR(struct vs_body, day, TC_JF_REQUIRED, 1, 10),
	TC_JSTR(struct vs_body, starts, TC_JF_REQUIRED, 1, 5),
	TC_JSTR(struct vs_body, ends, TC_JF_REQUIRED, 1, 5),
	TC_JSTR(struct vs_body, product, TC_JF_REQUIRED, 1, 100),
	TC_JINT(struct vs_body, capacity, TC_JF_REQUIRED, 1, MAX_CAPACITY),
	TC_JEND,
};

struct vs_create {
	struct tc_actor actor;
	struct tc_vsession s;
	struct tc_arena *a;
};

static tc_err create_run(struct tc_dbc *c, void *cls, struct tc_fault *f)
{
	struct vs_create *vc = cls;
	enum tc_qs qs;

	qs = tc_q_vsession_insert(c, &vc->s);
	if (qs < 0)
		return tc_qs_err(qs, f);
	return tc_audit_record(c, &vc->actor, "create", "vaccination_session",
	                       tc_arena_printf(vc->a, "%lld", (long long)vc->s.id),
	                       vc->s.scope_path, NULL, vsession_json(&vc->s, vc->a), f);
}

static tc_err create_after(struct tc_req *r)
{
	struct vs_create *vc = r->job.cls;
	return reply_vsession(r, MHD_HTTP_CREATED, &vc->s);
}

/* The site and the product, read before the write: both change rarely,
 * and the foreign keys hold the rest. */
static tc_err check_site_product(struct tc_req *r, const struct vs_body *b,
                                 struct tc_facility *site)
{
	struct tc_product prod;
	struct tc_dbc *c;
	enum tc_qs qs, qp;
	tc_err rc = tc_req_dbc(r, &c);

	if (rc != TC_ERR_OK)
		return rc;
	qs = tc_q_facility_get(c, b->site_id.v, &r->arena, site);
	qp = tc_q_product_get(c, b->product, &r->arena, &prod);
	tc_req_dbc_release(r, c);
	if (qs < 0 || qp < 0)
		return tc_qs_err(qs < 0 ? qs : qp, &r->fault);
	if (qs == TC_QS_NONE || strcmp(site->kind, "vaccination_site") != 0)
		return tc_fault_set(&r->fault, TC_ERR_INVALID_FIELD, "site_id",
		                    "site_id must be the id of a vaccination site");
	if (!site->active)
		return tc_fault_set(&r->fault, TC_ERR_INVALID_FIELD, "site_id",
		                    "that vaccination site is closed");
	if (qp == TC_QS_NONE)
		return tc_fault_set(
		        &r->fault, TC_ERR_INVALID_FIELD, "product",
		        "product must be a vaccine code from GET /api/v1/products");
	if (!prod.active)
		return tc_fault_set(&r->fault, TC_ERR_INVALID_FIELD, "product",
		                    "that vaccine product is no longer in use");
	return TC_ERR_OK;
}

tc_err tc_api_vsession_create(struct tc_req *r)
{
	struct vs_create *vc = TC_NEW(&r->arena, struct vs_create);
	struct vs_body b = { 0 };
	struct tc_facility site;
	int64_t day, today = tc_vn_day(tc_now_us());
	tc_err rc;

	rc = tc_req_body(r, create_spec, &b);
	if (rc != TC_ERR_OK)
		return rc;
	if (!tc_day_parse(b.day, &day))
		return tc_fault_set(&r->fault, TC_ERR_INVALID_FIELD, "day",
		                    "day must be a date written YYYY-MM-DD");
	if (day < today)
		return tc_fault_set(&r->fault, TC_ERR_INVALID_FIELD, "day",
		                    "day is in the past (dates are in Vietnam's time)");
	if (day > today + MAX_DAYS_AHEAD)
		return tc_fault_set(&r->fault, TC_ERR_INVALID_FIELD, "day",
		                    "sessions are planned at most a year ahead");
	if (!tc_hhmm_valid(b.starts))
		return tc_fault_set(
		        &r->fault, TC_ERR_INVALID_FIELD, "starts",
		        "starts must be a time written HH:MM (00:00 to 23:59)");
	if (!tc_hhmm_valid(b.ends))
		return tc_fault_set(&r->fault, TC_ERR_INVALID_FIELD, "ends",
		                    "ends must be a time written HH:MM (00:00 to 23:59)");
	if (strcmp(b.starts, b.ends) >= 0)
		return tc_fault_set(&r->fault, TC_ERR_INVALID_FIELD, "ends",
		                    "ends must come after starts");
	rc = check_site_product(r, &b, &site);
	if (rc != TC_ERR_OK)
		return rc;
	rc = tc_req_require_scope(r, site.scope_path);
	if (rc != TC_ERR_OK) {
		r->fault.field = "site_id";
		return rc;
	}
	vc->actor = r->actor;
	vc->a = &r->arena;
	vc->s = (struct tc_vsession){
		.site_id = site.id,
		.day = b.day,
		.starts = b.starts,
		.ends = b.ends,
		.product = b.product,
		.capacity = b.capacity.v,
		.status = "open",
		.scope_path = site.scope_path,
		.created_at = tc_now_us(),
		.created_by = r->actor.user_id,
		.site_name = site.name,
	};
	return tc_req_write(r, create_run, vc, create_after);
}

/* ---- GET /api/v1/sessions?site=&date=&unit= ------------------------------------ */

tc_err tc_api_vsessions_list(struct tc_req *r)
{
	const char *site = tc_req_query(r, "site");
	const char *date = tc_req_query(r, "date");
	struct tc_vsession *s;
	struct tc_page page;
	struct tc_dbc *c;
	int64_t site_id = 0, day;
	size_t n;
	enum tc_qs qs;
	tc_err rc;

	if (site && !tc_parse_i64(site, 1, INT64_MAX, &site_id))
		return tc_fault_set(&r->fault, TC_ERR_INVALID_PARAMETER, "site",
		                    "site must be a facility id");
	if (date && !tc_day_parse(date, &day))
		return tc_fault_set(&r->fault, TC_ERR_INVALID_PARAMETER, "date",
		                    "date must be written YYYY-MM-DD");
	rc = tc_req_page(r, 100, 1000, &page);
	if (rc != TC_ERR_OK)
		return rc;
	rc = tc_req_dbc(r, &c);
	if (rc != TC_ERR_OK)
		return rc;
	qs = tc_q_vsessions_list(c, r->target_scope, site_id, date, page, &r->arena, &s,
	                         &n);
	tc_req_dbc_release(r, c);
	if (qs < 0)
		return tc_qs_err(qs, &r->fault);
	struct tc_jw *w = tc_reply_begin(r);
	tc_jw_obj(w);
	tc_jw_key(w, "sessions");
	tc_jw_arr(w);
	for (size_t i = 0; i < n; i++)
		jw_vsession(w, &s[i]);
	tc_jw_end(w);
	tc_jw_kint(w, "limit", page.limit);
	tc_jw_kint(w, "offset", page.offset);
	tc_jw_end(w);
	return tc_reply_end(r, MHD_HTTP_OK);
}

/* ---- GET /api/v1/sessions/{id} -------------------------------------------------- */

tc_err tc_api_vsession_get(struct tc_req *r)
{
	return reply_vsession(r, MHD_HTTP_OK, r->target);
}

/* ---- PATCH /api/v1/sessions/{id} ------------------------------------------------- */

struct vs_patch_body {
	struct tc_jint capacity;
	const char *status;
	const char *reason;
};

static const struct tc_jfield patch_spec[] = {
	TC_JINT(struct vs_patch_body, capacity, 0, 1, MAX_CAPACITY),
	TC_JSTR(struct vs_patch_body, status, 0, 1, 16),
	TC_JSTR(struct vs_patch_body, reason, 0, 1, 500),
	TC_JEND,
};

struct vs_patch {
	struct tc_actor actor;
	struct tc_arena *a;
	int64_t id;
	struct tc_jint capacity;
	const char *status, *reason;
	struct tc_vsession before, after;
	size_t returned; /* people sent back to "allocated" */
};

/* Cancelling: everyone scheduled goes back to "allocated", with a message. */
static tc_err unschedule_all(struct tc_dbc *c, struct vs_patch *p, struct tc_fault *f)
{
	struct tc_registration *regs;
	enum tc_reg_state from, to;
	size_t n;
	enum tc_qs qs = tc_q_registrations_in_session(c, p->id, p->a, &regs, &n);
	int64_t now = tc_now_us();

	if (qs < 0)
		return tc_qs_err(qs, f);
	for (size_t i = 0; i < n; i++) {
		struct tc_registration *g = &regs[i], after = *g;
		if (!tc_reg_state_parse(g->status, &from) ||
		    tc_regflow_step(TC_ROLE_NATIONAL_ADMIN, TC_REGA_UNSCHEDULE, from,
		                    &to) != TC_REGFLOW_OK)
			return tc_fault_internal(f, TC_ERR_INTERNAL, "cannot unschedule");
		after.status = tc_reg_state_name(to);
		after.session_id = 0;
		after.updated_at = now;
		qs = tc_q_registration_update(c, g, &after);
		if (qs < 0)
			return tc_qs_err(qs, f);
		tc_err rc = tc_audit_record(
		        c, &p->actor, "unschedule", "registration",
		        tc_arena_printf(p->a, "%lld", (long long)g->id), g->scope_path,
		        tc_arena_printf(p->a,
		                        "{\"status\":\"scheduled\",\"session_id\":%lld}",
		                        (long long)p->id),
		        tc_arena_printf(p->a, "{\"status\":\"%s\",\"session_id\":null}",
		                        after.status),
		        f);
		if (rc != TC_ERR_OK)
			return rc;
		if (g->phone) {
			struct tc_message m = {
				.channel = "sms",
				.recipient = g->phone,
				.kind = "appointment_cancelled",
				.body = tc_appointment_cancelled_sms(
				        g->full_name, p->before.day, p->before.starts,
				        p->before.site_name, p->a),
				.created_at = now,
			};
			if ((qs = tc_q_outbox_add(c, &m)) < 0)
				return tc_qs_err(qs, f);
		}
		p->returned++;
	}
	return TC_ERR_OK;
}

/* {"session": ..., "reason": "..."} for the audit record of a cancel. */
static const char *with_reason(const char *session_json, const char *reason,
                               struct tc_arena *a)
{
	struct tc_buf b;
	struct tc_jw w;
	const char *out;

	tc_buf_init(&b);
	tc_jw_init(&w, &b);
	tc_jw_obj(&w);
	tc_jw_key(&w, "session");
	tc_jw_raw(&w, session_json);
	tc_jw_kstr(&w, "reason", reason);
	tc_jw_end(&w);
	out = tc_arena_strndup(a, b.data, b.len);
	tc_buf_cleanup(&b);
	return out;
}

static tc_err patch_run(struct tc_dbc *c, void *cls, struct tc_fault *f)
{
	struct vs_patch *p = cls;
	tc_err rc;
	enum tc_qs qs;

	p->returned = 0;
	/* the stored row, read again inside the transaction */
	qs = tc_q_vsession_get(c, p->id, p->a, &p->before);
	if (qs != TC_QS_ONE)
		return tc_qs_err(qs, f);
	p->after = p->before;
	if (strcmp(p->before.status, "cancelled") == 0)
		return tc_fault_set(f, TC_ERR_CONFLICT, "status",
		                    "the session is cancelled; plan a new one");
	if (p->status)
		p->after.status = p->status;
	if (p->capacity.set)
		p->after.capacity = p->capacity.v;
	if (p->after.capacity < p->before.booked &&
	    strcmp(p->after.status, "cancelled") != 0)
		return tc_fault_setf(
		        f, p->a, TC_ERR_INVALID_FIELD, "capacity",
		        "%lld people are already scheduled: capacity cannot be "
		        "less than that",
		        (long long)p->before.booked);
	if (strcmp(p->after.status, "cancelled") == 0) {
		p->after.capacity = p->before.capacity;
		if ((rc = unschedule_all(c, p, f)) != TC_ERR_OK)
			return rc;
		p->after.booked = 0;
	}
	qs = tc_q_vsession_update(c, &p->before, &p->after);
	if (qs == TC_QS_NONE)
		return tc_fault_set(f, TC_ERR_CONFLICT, "capacity",
		                    "the session changed meanwhile; load it again");
	if (qs < 0)
		return tc_qs_err(qs, f);
	const char *after_json = vsession_json(&p->after, p->a);
	if (p->reason)
		after_json = with_reason(after_json, p->reason, p->a);
	return tc_audit_record(c, &p->actor, "update", "vaccination_session",
	                       tc_arena_printf(p->a, "%lld", (long long)p->id),
	                       p->before.scope_path, vsession_json(&p->before, p->a),
	                       after_json, f);
}

static tc_err patch_after(struct tc_req *r)
{
	struct vs_patch *p = r->job.cls;

	if (p->returned)
		tc_outbox_kick(tc_server_outbox(r->srv));
	struct tc_jw *w = tc_reply_begin(r);
	tc_jw_obj(w);
	tc_jw_key(w, "session");
	jw_vsession(w, &p->after);
	tc_jw_kint(w, "unscheduled", (int64_t)p->returned);
	tc_jw_end(w);
	return tc_reply_end(r, MHD_HTTP_OK);
}

tc_err tc_api_vsession_patch(struct tc_req *r)
{
	const struct tc_vsession *cur = r->target;
	struct vs_patch *p = TC_NEW(&r->arena, struct vs_patch);
	struct vs_patch_body b = { 0 };
	tc_err rc;

	rc = tc_req_body(r, patch_spec, &b);
	if (rc != TC_ERR_OK)
		return rc;
	if (b.status && strcmp(b.status, "open") != 0 &&
	    strcmp(b.status, "closed") != 0 && strcmp(b.status, "cancelled") != 0)
		return tc_fault_set(&r->fault, TC_ERR_INVALID_FIELD, "status",
		                    "status must be open, closed or cancelled");
	if (!b.status && !b.capacity.set)
		return tc_fault_set(&r->fault, TC_ERR_MISSING_FIELD, "status",
		                    "give a new capacity or status");
	if (b.status && strcmp(b.status, "cancelled") == 0 && !b.reason)
		return tc_fault_set(&r->fault, TC_ERR_MISSING_FIELD, "reason",
		                    "say why the session is cancelled");
	if (b.reason && !(b.status && strcmp(b.status, "cancelled") == 0))
		return tc_fault_set(&r->fault, TC_ERR_INVALID_FIELD, "reason",
		                    "a reason goes with status cancelled only");
	p->actor = r->actor;
	p->a = &r->arena;
	p->id = cur->id;
	p->capacity = b.capacity;
	p->status = b.status;
	p->reason = b.reason;
	return tc_req_write(r, patch_run, p, patch_after);
}
