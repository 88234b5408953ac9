/* Doses recorded from elsewhere, corrections and the review list:
 * POST /api/v1/doses, POST /api/v1/doses/{id}/void, POST
 * /api/v1/doses/{id}/correct, GET /api/v1/doses/review, POST
 * /api/v1/doses/{id}/review. A dose that was given is never refused for a
 * rule of the schedule: it is stored, flagged and listed for review
 * (src/db/dose_records.c). A void or a correction takes the approval of
 * the site manager or the district (the roles of the routes), a reason,
 * and is audited with the record before and after; nothing is deleted.
 * The dose routes find their record with tc_scope_dose_id (api_aefi.c). */
#include <microhttpd.h>
#include <string.h>

#include "../core/tctime.h"
#include "../db/records.h"
#include "../db/visits.h"
#include "api.h"
#include "server.h"

static const char *dose_json(const struct tc_dose *d, struct tc_arena *a)
{
	struct tc_buf b;
	struct tc_jw w;
	const char *out;

	tc_buf_init(&b);
	tc_jw_init(&w, &b);
	tc_jw_dose(&w, d);
	out = tc_arena_strndup(a, b.data, b.len);
	tc_buf_cleanup(&b);
	return out;
}

static tc_err reply_dose(struct tc_req *r, unsigned status, const struct tc_dose *d)
{
	struct tc_jw *w = tc_reply_begin(r);
	tc_jw_obj(w);
	tc_jw_key(w, "dose");
	tc_jw_dose(w, d);
	tc_jw_end(w);
	return tc_reply_end(r, status);
}

/* ---- POST /api/v1/doses --------------------------------------------------------- */

struct record_body {
	struct tc_jint citizen_id, site_id;
	const char *product, *given_on, *lot_number, *place, *source_ref, *source;
	const char *reason; /* corrections */
};

static const struct tc_jfield record_spec[] = {
	TC_JINT(struct record_body, citizen_id, TC_JF_REQUIRED, 1, INT64_MAX),
	TC_JSTR(struct record_body, product, TC_JF_REQUIRED, 1, 100),
	TC_JSTR(struct record_body, given_on, TC_JF_REQUIRED, 10, 10),
	TC_JSTR(struct record_body, lot_number, 0, 1, 40),
	TC_JINT(struct record_body, site_id, 0, 1, INT64_MAX),
	TC_JSTR(struct record_body, place, 0, 1, 300),
	TC_JSTR(struct record_body, source_ref, 0, 1, 200),
	TC_JSTR(struct record_body, source, 0, 1, 16),
	TC_JEND,
};

struct record_job {
	struct tc_actor actor;
	struct tc_stock_by by;
	const struct tc_vaxref *ref;
	struct tc_arena *a;
	struct tc_dose in, out;
	/* a correction: the dose it replaces, as read */
	struct tc_dose before;
	const char *reason;
};

static tc_err record_run(struct tc_dbc *c, void *cls, struct tc_fault *f)
{
	struct record_job *j = cls;
	tc_err rc;

	if (j->before.id) {
		struct tc_dose was;
		if ((rc = tc_dose_void(c, &j->by, j->ref, &j->before, j->reason, j->a, f)) !=
		    TC_ERR_OK)
			return rc;
		if (tc_q_dose_get(c, j->before.id, j->a, &was) != TC_QS_ONE)
			return tc_fault_internal(f, TC_ERR_DB, "the voided dose is gone");
		if ((rc = tc_audit_record(c, &j->actor, "void", "dose",
		                          tc_arena_printf(j->a, "%lld", (long long)was.id),
		                          was.scope_path, dose_json(&j->before, j->a),
		                          dose_json(&was, j->a), f)) != TC_ERR_OK)
			return rc;
	}
	if ((rc = tc_dose_record(c, &j->by, j->ref, &j->in, j->a, &j->out, f)) != TC_ERR_OK)
		return rc;
	return tc_audit_record(c, &j->actor, j->before.id ? "correct" : "record", "dose",
	                       tc_arena_printf(j->a, "%lld", (long long)j->out.id),
	                       j->out.scope_path, NULL, dose_json(&j->out, j->a), f);
}

/* Inside the transaction: the answer a retried request gets again. */
static unsigned record_render(void *cls, struct tc_jw *w)
{
	struct record_job *j = cls;
	tc_jw_obj(w);
	tc_jw_key(w, "dose");
	tc_jw_dose(w, &j->out);
	tc_jw_end(w);
	return MHD_HTTP_CREATED;
}

/* The person must live in the caller's jurisdiction, or the dose must have
 * been given at a place in it. */
static tc_err check_record(struct tc_req *r, const struct record_body *b)
{
	struct tc_citizen ct;
	struct tc_facility site;
	struct tc_dbc *c;
	enum tc_qs qc, qf = TC_QS_NONE;
	tc_err rc = tc_req_dbc(r, &c);

	if (rc != TC_ERR_OK)
		return rc;
	qc = tc_q_citizen_get(c, b->citizen_id.v, &r->arena, &ct);
	if (qc == TC_QS_ONE && b->site_id.set)
		qf = tc_q_facility_get(c, b->site_id.v, &r->arena, &site);
	tc_req_dbc_release(r, c);
	if (qc < 0 || qf < 0)
		return tc_qs_err(qc < 0 ? qc : qf, &r->fault);
	if (qc == TC_QS_NONE)
		return tc_fault_set(&r->fault, TC_ERR_INVALID_FIELD, "citizen_id",
		                    "no person has that id");
	if (b->site_id.set && qf == TC_QS_NONE)
		return tc_fault_set(&r->fault, TC_ERR_INVALID_FIELD, "site_id",
		                    "no facility has that id");
	if (b->site_id.set && tc_scope_contains(r->actor.scope, site.scope_path))
		return TC_ERR_OK;
	if (tc_scope_contains(r->actor.scope, ct.scope_path))
		return TC_ERR_OK;
	return tc_fault_set(&r->fault, TC_ERR_OUT_OF_JURISDICTION,
	                    b->site_id.set ? "site_id" : "citizen_id",
	                    "neither the person nor the place lies in your jurisdiction");
}

static tc_err start_record(struct tc_req *r, const struct record_body *b,
                           const struct tc_dose *before, const char *reason)
{
	struct record_job *j = TC_NEW(&r->arena, struct record_job);
	tc_err rc;

	if (b->source && strcmp(b->source, "record") != 0 && strcmp(b->source, "import") != 0)
		return tc_fault_set(&r->fault, TC_ERR_INVALID_FIELD, "source",
		                    "source is record (paper, another system) or import");
	if ((rc = check_record(r, b)) != TC_ERR_OK)
		return rc;
	j->actor = r->actor;
	j->by = (struct tc_stock_by){.actor_id = r->actor.user_id, .now = tc_now_us()};
	j->ref = tc_server_vaxref(r->srv);
	j->a = &r->arena;
	j->in = (struct tc_dose){.citizen_id = b->citizen_id.v,
	                         .product = b->product,
	                         .given_on = b->given_on,
	                         .lot_number = b->lot_number,
	                         .site_id = b->site_id.set ? b->site_id.v : 0,
	                         .place = b->place,
	                         .source = b->source ? b->source : "record",
	                         .source_ref = b->source_ref,
	                         .replaces_id = before ? before->id : 0};
	if (before) {
		j->before = *before;
		j->reason = reason;
	}
	/* the offline app and other systems retry: Idempotency-Key */
	return tc_req_write_idem(r, record_run, j, record_render);
}

tc_err tc_api_dose_record(struct tc_req *r)
{
	struct record_body b = {0};
	tc_err rc = tc_req_body(r, record_spec, &b);

	return rc != TC_ERR_OK ? rc : start_record(r, &b, NULL, NULL);
}

/* ---- POST /api/v1/doses/{id}/correct ------------------------------------------------ */

struct correct_body {
	const char *reason;
	struct tc_jint citizen_id, site_id;
	const char *product, *given_on, *lot_number, *place;
};

static const struct tc_jfield correct_spec[] = {
	TC_JSTR(struct correct_body, reason, TC_JF_REQUIRED, 1, 500),
	TC_JINT(struct correct_body, citizen_id, 0, 1, INT64_MAX),
	TC_JSTR(struct correct_body, product, 0, 1, 100),
	TC_JSTR(struct correct_body, given_on, 0, 10, 10),
	TC_JSTR(struct correct_body, lot_number, 0, 1, 40),
	TC_JINT(struct correct_body, site_id, 0, 1, INT64_MAX),
	TC_JSTR(struct correct_body, place, 0, 1, 300),
	TC_JEND,
};

tc_err tc_api_dose_correct(struct tc_req *r)
{
	const struct tc_dose *d = r->target;
	struct correct_body b = {0};
	tc_err rc = tc_req_body(r, correct_spec, &b);

	if (rc != TC_ERR_OK)
		return rc;
	if (strcmp(d->status, "valid") != 0)
		return tc_fault_set(&r->fault, TC_ERR_WRONG_STATE, NULL,
		                    "that dose record was already voided");
	/* the record as it should have been: what the body says, else as it was */
	struct record_body nb = {
		.citizen_id = {true, b.citizen_id.set ? b.citizen_id.v : d->citizen_id},
		.site_id = {b.site_id.set || d->site_id, b.site_id.set ? b.site_id.v : d->site_id},
		.product = b.product ? b.product : d->product,
		.given_on = b.given_on ? b.given_on : d->given_on,
		.lot_number = b.lot_number ? b.lot_number : d->lot_number,
		.place = b.place ? b.place : d->place,
		.source = strcmp(d->source, "import") == 0 ? "import" : "record",
		.source_ref = tc_arena_printf(&r->arena, "correction of dose %lld",
		                              (long long)d->id),
	};
	return start_record(r, &nb, d, b.reason);
}

/* ---- POST /api/v1/doses/{id}/void --------------------------------------------------- */

struct void_body {
	const char *reason;
};

static const struct tc_jfield void_spec[] = {
	TC_JSTR(struct void_body, reason, TC_JF_REQUIRED, 1, 500),
	TC_JEND,
};

struct void_job {
	struct tc_actor actor;
	struct tc_stock_by by;
	const struct tc_vaxref *ref;
	struct tc_arena *a;
	struct tc_dose before, after;
	const char *reason;
};

static tc_err void_run(struct tc_dbc *c, void *cls, struct tc_fault *f)
{
	struct void_job *j = cls;
	tc_err rc;

	if ((rc = tc_dose_void(c, &j->by, j->ref, &j->before, j->reason, j->a, f)) !=
	    TC_ERR_OK)
		return rc;
	if (tc_q_dose_get(c, j->before.id, j->a, &j->after) != TC_QS_ONE)
		return tc_fault_internal(f, TC_ERR_DB, "the voided dose is gone");
	return tc_audit_record(c, &j->actor, "void", "dose",
	                       tc_arena_printf(j->a, "%lld", (long long)j->before.id),
	                       j->before.scope_path, dose_json(&j->before, j->a),
	                       dose_json(&j->after, j->a), f);
}

static tc_err void_after(struct tc_req *r)
{
	struct void_job *j = r->job.cls;
	return reply_dose(r, MHD_HTTP_CREATED, &j->after);
}

tc_err tc_api_dose_void(struct tc_req *r)
{
	struct void_job *j = TC_NEW(&r->arena, struct void_job);
	struct void_body b = {0};
	tc_err rc = tc_req_body(r, void_spec, &b);

	if (rc != TC_ERR_OK)
		return rc;
	j->actor = r->actor;
	j->by = (struct tc_stock_by){.actor_id = r->actor.user_id, .now = tc_now_us()};
	j->ref = tc_server_vaxref(r->srv);
	j->a = &r->arena;
	j->before = *(const struct tc_dose *)r->target;
	j->reason = b.reason;
	return tc_req_write(r, void_run, j, void_after);
}

/* ---- the review list ------------------------------------------------------------------ */

tc_err tc_api_doses_review(struct tc_req *r)
{
	struct tc_page page;
	struct tc_dose *d;
	struct tc_dbc *c;
	size_t n;
	enum tc_qs qs;
	tc_err rc = tc_req_page(r, 100, 1000, &page);

	if (rc != TC_ERR_OK || (rc = tc_req_dbc(r, &c)) != TC_ERR_OK)
		return rc;
	qs = tc_q_doses_review(c, r->target_scope ? r->target_scope : r->actor.scope, page,
	                       &r->arena, &d, &n);
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
	tc_jw_kint(w, "limit", page.limit);
	tc_jw_kint(w, "offset", page.offset);
	tc_jw_end(w);
	return tc_reply_end(r, MHD_HTTP_OK);
}

struct reviewed_job {
	struct tc_actor actor;
	struct tc_arena *a;
	struct tc_dose d;
};

static tc_err reviewed_run(struct tc_dbc *c, void *cls, struct tc_fault *f)
{
	struct reviewed_job *j = cls;
	enum tc_qs qs;

	if ((qs = tc_q_dose_reviewed(c, j->d.id)) < 0)
		return tc_qs_err(qs, f);
	if (qs == TC_QS_NONE)
		return tc_fault_set(f, TC_ERR_WRONG_STATE, NULL,
		                    "that dose is not waiting for review");
	if (tc_q_dose_get(c, j->d.id, j->a, &j->d) != TC_QS_ONE)
		return tc_fault_internal(f, TC_ERR_DB, "the reviewed dose is gone");
	return tc_audit_record(c, &j->actor, "review", "dose",
	                       tc_arena_printf(j->a, "%lld", (long long)j->d.id), j->d.scope_path,
	                       NULL, dose_json(&j->d, j->a), f);
}

static tc_err reviewed_after(struct tc_req *r)
{
	struct reviewed_job *j = r->job.cls;
	return reply_dose(r, MHD_HTTP_CREATED, &j->d);
}

tc_err tc_api_dose_reviewed(struct tc_req *r)
{
	struct reviewed_job *j = TC_NEW(&r->arena, struct reviewed_job);

	j->actor = r->actor;
	j->a = &r->arena;
	j->d = *(const struct tc_dose *)r->target;
	return tc_req_write(r, reviewed_run, j, reviewed_after);
}
