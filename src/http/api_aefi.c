/* Adverse events following immunisation and the alerts they raise
 * (docs/visits.md): POST /api/v1/visits/{id}/aefi, POST /api/v1/doses/{id}
 * /aefi, GET /api/v1/alerts?unit=&open=, POST /api/v1/alerts/{id}/ack.
 * A severe event is an alert for the district health centre of the site
 * (its console lists it) and an SMS to the centre's alert_phone through
 * the outbox, in the report's transaction. */
#include <microhttpd.h>
#include <string.h>
#include <strings.h>

#include "../core/tctime.h"
#include "../db/records.h"
#include "api.h"
#include "api_stock.h"
#include "api_visits.h"
#include "outbox.h"
#include "server.h"
#include "visit_bodies.h"

/* ---- scope resolvers -------------------------------------------------------------- */

static enum tc_qs get_dose(struct tc_dbc *c, int64_t id, struct tc_arena *a, void *out)
{
	return tc_q_dose_get(c, id, a, out);
}

tc_err tc_scope_dose_id(struct tc_req *r)
{
	struct tc_dose *d = TC_NEW(&r->arena, struct tc_dose);
	tc_err rc = tc_req_load_by_id(r, get_dose, d);

	if (rc != TC_ERR_OK)
		return rc;
	r->target = d;
	r->target_scope = d->scope_path;
	return TC_ERR_OK;
}

static enum tc_qs get_alert(struct tc_dbc *c, int64_t id, struct tc_arena *a, void *out)
{
	return tc_q_alert_get(c, id, a, out);
}

tc_err tc_scope_alert_id(struct tc_req *r)
{
	struct tc_alert *al = TC_NEW(&r->arena, struct tc_alert);
	tc_err rc = tc_req_load_by_id(r, get_alert, al);

	if (rc != TC_ERR_OK)
		return rc;
	r->target = al;
	r->target_scope = al->scope_path;
	return TC_ERR_OK;
}

/* ---- POST /api/v1/visits/{id}/aefi and /api/v1/doses/{id}/aefi ---------------------------- */

struct report {
	struct tc_actor actor;
	struct tc_arena *a;
	int64_t dose_id;
	struct tc_aefi_body b;
	struct tc_aefi e;
	int64_t alert_id;
	bool sms;
};

/* The district centre of the district a site's scope lies in, or none
 * (centre->id 0). */
static tc_err district_centre(struct tc_dbc *c, const char *site_scope,
                              struct tc_arena *a, struct tc_facility *centre,
                              struct tc_fault *f)
{
	struct tc_facility *list;
	struct tc_page one = { .limit = 1, .offset = 0 };
	const char *p = site_scope;
	size_t n = 0;
	enum tc_qs qs;

	memset(centre, 0, sizeof *centre);
	/* "VN/01/001/00001/F7" -> "VN/01/001" */
	for (int i = 0; i < 3 && p; i++)
		if ((p = strchr(p, '/')) != NULL)
			p++;
	if (p == NULL)
		return TC_ERR_OK;
	qs = tc_q_facilities_list(
	        c, tc_arena_strndup(a, site_scope, (size_t)(p - 1 - site_scope)),
	        "district_centre", one, a, &list, &n);
	if (qs < 0)
		return tc_qs_err(qs, f);
	if (n)
		*centre = list[0];
	return TC_ERR_OK;
}

static tc_err raise_alert(struct tc_dbc *c, struct report *rp, const struct tc_dose *d,
                          int64_t now, struct tc_fault *f)
{
	struct tc_facility centre;
	const char *phone = NULL;
	enum tc_qs qs;
	tc_err rc = district_centre(c, d->scope_path, rp->a, &centre, f);

	if (rc != TC_ERR_OK)
		return rc;
	struct tc_alert al = {
		.kind = "aefi_severe",
		.facility_id = centre.id,
		.scope_path = d->scope_path,
		.ref_id = rp->e.id,
		.message = tc_arena_printf(rp->a,
		                           "Phản ứng nặng sau tiêm tại %s: liều #%lld "
		                           "%s, lô %s; triệu chứng %s; "
		                           "tình trạng %s",
		                           d->site_name ? d->site_name : "điểm tiêm",
		                           (long long)d->id,
		                           d->product_name ? d->product_name : d->product,
		                           d->lot_number ? d->lot_number : "-",
		                           rp->e.symptoms, rp->e.outcome),
		.created_at = now,
	};
	if ((qs = tc_q_alert_insert(c, &al)) < 0)
		return tc_qs_err(qs, f);
	rp->alert_id = al.id;
	if (centre.id &&
	    (qs = tc_q_facility_alert_phone(c, centre.id, rp->a, &phone)) < 0)
		return tc_qs_err(qs, f);
	if (phone) {
		struct tc_message m = {
			.channel = "sms",
			.recipient = phone,
			.kind = "aefi_alert",
			.body = al.message,
			.created_at = now,
		};
		if ((qs = tc_q_outbox_add(c, &m)) < 0)
			return tc_qs_err(qs, f);
		rp->sms = true;
	}
	return TC_ERR_OK;
}

static tc_err report_run(struct tc_dbc *c, void *cls, struct tc_fault *f)
{
	struct report *rp = cls;
	struct tc_dose d;
	struct tc_jtext x;
	int64_t now = tc_now_us();
	enum tc_qs qs;
	tc_err rc;

	rp->alert_id = 0;
	rp->sms = false;
	if ((qs = tc_q_dose_get(c, rp->dose_id, rp->a, &d)) != TC_QS_ONE)
		return tc_qs_err(qs, f);
	rp->e = (struct tc_aefi){
		.dose_id = d.id,
		.citizen_id = d.citizen_id,
		.lot_id = d.lot_id,
		.site_id = d.site_id,
		.onset_at = rp->b.onset_at,
		.symptoms = rp->b.symptoms_csv,
		.description = rp->b.description,
		.severity = rp->b.severity,
		.actions = rp->b.actions,
		.outcome = rp->b.outcome,
		.scope_path = d.scope_path,
		.reported_at = now,
		.reported_by = rp->actor.user_id,
	};
	if ((qs = tc_q_aefi_insert(c, &rp->e)) < 0)
		return tc_qs_err(qs, f);
	if (strcmp(rp->e.severity, "severe") == 0 &&
	    (rc = raise_alert(c, rp, &d, now, f)) != TC_ERR_OK)
		return rc;
	tc_jw_aefi(tc_jtext_begin(&x), &rp->e);
	return tc_audit_record(c, &rp->actor, "report", "aefi",
	                       tc_arena_printf(rp->a, "%lld", (long long)rp->e.id),
	                       rp->e.scope_path, NULL, tc_jtext_end(&x, rp->a), f);
}

static tc_err report_after(struct tc_req *r)
{
	struct report *rp = r->job.cls;
	struct tc_jw *w;

	if (rp->sms)
		tc_outbox_kick(tc_server_outbox(r->srv));
	w = tc_reply_begin(r);
	tc_jw_obj(w);
	tc_jw_key(w, "aefi");
	tc_jw_aefi(w, &rp->e);
	tc_jw_kid(w, "alert_id", rp->alert_id);
	tc_jw_end(w);
	return tc_reply_end(r, MHD_HTTP_CREATED);
}

static tc_err report(struct tc_req *r, int64_t dose_id)
{
	struct report *rp = TC_NEW(&r->arena, struct report);
	const char *ct = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND,
	                                             MHD_HTTP_HEADER_CONTENT_TYPE);
	tc_err rc;

	if (ct && strncasecmp(ct, "application/json", 16) != 0)
		return tc_fault_set(&r->fault, TC_ERR_UNSUPPORTED_MEDIA, NULL, NULL);
	rc = tc_aefi_body_parse(r->body.data ? r->body.data : "", r->body.len, &r->arena,
	                        &rp->b, &r->fault);
	if (rc != TC_ERR_OK)
		return rc;
	rp->actor = r->actor;
	rp->a = &r->arena;
	rp->dose_id = dose_id;
	return tc_req_write(r, report_run, rp, report_after);
}

tc_err tc_api_visit_aefi(struct tc_req *r)
{
	const struct tc_visit *v = r->target;

	if (!v->dose_id)
		return tc_fault_setf(&r->fault, &r->arena, TC_ERR_WRONG_STATE, "status",
		                     "the visit is %s: no dose was given at it",
		                     v->status);
	return report(r, v->dose_id);
}

tc_err tc_api_dose_aefi(struct tc_req *r)
{
	const struct tc_dose *d = r->target;
	return report(r, d->id);
}

/* ---- GET /api/v1/alerts?unit=&facility=&open= ---------------------------------------------- */

tc_err tc_api_alerts_list(struct tc_req *r)
{
	const char *open = tc_req_query(r, "open");
	struct tc_alert *al;
	struct tc_page page;
	struct tc_dbc *c;
	size_t n;
	enum tc_qs qs;
	tc_err rc;

	if (open && strcmp(open, "true") != 0 && strcmp(open, "false") != 0)
		return tc_fault_set(&r->fault, TC_ERR_INVALID_PARAMETER, "open",
		                    "open must be true or false");
	if ((rc = tc_req_page(r, 100, 1000, &page)) != TC_ERR_OK)
		return rc;
	if ((rc = tc_req_dbc(r, &c)) != TC_ERR_OK)
		return rc;
	qs = tc_q_alerts_list(c, r->target_scope, open && strcmp(open, "true") == 0, page,
	                      &r->arena, &al, &n);
	tc_req_dbc_release(r, c);
	if (qs < 0)
		return tc_qs_err(qs, &r->fault);
	struct tc_jw *w = tc_reply_begin(r);
	tc_jw_obj(w);
	tc_jw_key(w, "alerts");
	tc_jw_arr(w);
	for (size_t i = 0; i < n; i++) {
		tc_jw_obj(w);
		tc_jw_kint(w, "id", al[i].id);
		tc_jw_kstr(w, "kind", al[i].kind);
		tc_jw_kstr(w, "text", al[i].message);
		tc_jw_kid(w, "facility_id", al[i].facility_id);
		tc_jw_kint(w, "ref_id", al[i].ref_id);
		tc_jw_kstr(w, "scope", al[i].scope_path);
		tc_jw_key(w, "created_at");
		tc_jw_time(w, al[i].created_at);
		tc_jw_key(w, "acknowledged_at");
		tc_jw_time(w, al[i].acknowledged_at);
		tc_jw_end(w);
	}
	tc_jw_end(w);
	tc_jw_kint(w, "limit", page.limit);
	tc_jw_kint(w, "offset", page.offset);
	tc_jw_end(w);
	return tc_reply_end(r, MHD_HTTP_OK);
}

/* ---- POST /api/v1/alerts/{id}/ack ---------------------------------------------------------- */

struct ack {
	struct tc_actor actor;
	struct tc_arena *a;
	int64_t id, now;
	const char *scope;
};

static tc_err ack_run(struct tc_dbc *c, void *cls, struct tc_fault *f)
{
	struct ack *k = cls;
	enum tc_qs qs;

	k->now = tc_now_us();
	if ((qs = tc_q_alert_ack(c, k->id, k->actor.user_id, k->now)) < 0)
		return tc_qs_err(qs, f);
	if (qs == TC_QS_NONE)
		return tc_fault_set(f, TC_ERR_WRONG_STATE, "id",
		                    "the alert was already acknowledged");
	return tc_audit_record(c, &k->actor, "acknowledge", "alert",
	                       tc_arena_printf(k->a, "%lld", (long long)k->id), k->scope,
	                       NULL, NULL, f);
}

static tc_err ack_after(struct tc_req *r)
{
	struct ack *k = r->job.cls;
	struct tc_jw *w = tc_reply_begin(r);

	tc_jw_obj(w);
	tc_jw_kint(w, "id", k->id);
	tc_jw_key(w, "acknowledged_at");
	tc_jw_time(w, k->now);
	tc_jw_end(w);
	return tc_reply_end(r, MHD_HTTP_OK);
}

tc_err tc_api_alert_ack(struct tc_req *r)
{
	const struct tc_alert *al = r->target;
	struct ack *k = TC_NEW(&r->arena, struct ack);

	k->actor = r->actor;
	k->a = &r->arena;
	k->id = al->id;
	k->scope = al->scope_path;
	return tc_req_write(r, ack_run, k, ack_after);
}
