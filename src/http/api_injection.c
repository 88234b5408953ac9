/* Step 3 at a site: POST /api/v1/visits/{id}/injection {"lot_id",
 * "override_reason"?} (docs/visits.md). One job: the visit is read in the
 * transaction that changes it (tc_visit_read), must be in the caller's
 * jurisdiction and be screened eligible; tc_dose_give locks the person,
 * checks the lot and the schedule before the needle and writes the dose,
 * the 'administered' movement and the counters; then the visit is
 * vaccinated (observed until observe_minutes from now), the registration
 * done, and the audit entry written. The answer is built by
 * inject_render from what the job kept, so that a stored first answer can
 * stand for it. */
#include <jansson.h>
#include <microhttpd.h>
#include <string.h>

#include "../core/tctime.h"
#include "../db/records.h"
#include "../domain/appointment.h"
#include "../domain/birthdate.h"
#include "api.h"
#include "api_stock.h"
#include "api_visits.h"
#include "server.h"

#define MINUTE_US (60LL * 1000000)

struct inject_body {
	struct tc_jint lot_id;
	const char *override_reason;
};

static const struct tc_jfield inject_spec[] = {
	TC_JINT(struct inject_body, lot_id, TC_JF_REQUIRED, 1, INT64_MAX),
	TC_JSTR(struct inject_body, override_reason, TC_JF_MULTILINE, 3, 500),
	TC_JEND,
};

struct inject {
	struct tc_actor actor;
	struct tc_arena *a;
	const struct tc_vaxref *ref;
	int64_t id, lot_id;
	/* the visit as the job read it (before) and the product it was
	 * screened for */
	const char *product;
	const char *override_reason;
	struct tc_visit before, after;
	struct tc_dose dose;
	int64_t now;
};

/* The product the visit was screened for, from its screening_json. The
 * screening step writes that text with "product" first (api_screening.c)
 * and product codes need no escapes: read it straight off when it is so,
 * parse the JSON otherwise. */
static const char *screened_product(const char *screening_json, struct tc_arena *a)
{
	static const char lead[] = "{\"product\":\"";
	json_t *root;
	const char *p, *end, *out;

	if (screening_json == NULL)
		return NULL;
	if (strncmp(screening_json, lead, sizeof lead - 1) == 0) {
		p = screening_json + sizeof lead - 1;
		end = strpbrk(p, "\"\\");
		if (end && *end == '"' && end > p)
			return tc_arena_strndup(a, p, (size_t)(end - p));
	}
	root = json_loads(screening_json, 0, NULL);
	p = json_string_value(json_object_get(root, "product"));
	out = p ? tc_arena_strdup(a, p) : NULL;
	json_decref(root);
	return out;
}

/* The registration the visit came with: done, the site's step
 * (src/domain/regflow.c: scheduled -> done), taken by one guarded update
 * (NONE: it was not scheduled any more, and stays as it is). */
static tc_err registration_done(struct tc_dbc *c, struct inject *j, struct tc_fault *f)
{
	const char *scope = NULL;
	enum tc_qs qs;

	if (!j->before.registration_id)
		return TC_ERR_OK;
	if ((qs = tc_q_registration_complete(c, j->before.registration_id, j->now, j->a,
	                                     &scope)) < 0)
		return tc_qs_err(qs, f);
	if (qs == TC_QS_NONE)
		return TC_ERR_OK;
	return tc_audit_record(
	        c, &j->actor, "complete", "registration",
	        tc_arena_printf(j->a, "%lld", (long long)j->before.registration_id),
	        scope, "{\"status\":\"scheduled\"}", "{\"status\":\"done\"}", f);
}

static const char *inject_text(const struct inject *j)
{
	struct tc_jtext x;
	struct tc_jw *w = tc_jtext_begin(&x);

	/* what was decided, compactly: the dose record itself is the doses
	 * table's, never edited, only voided */
	tc_jw_obj(w);
	tc_jw_kstr(w, "status", j->after.status);
	tc_jw_kint(w, "dose_id", j->dose.id);
	tc_jw_kstr(w, "product", j->dose.product);
	tc_jw_kint(w, "lot_id", j->dose.lot_id);
	tc_jw_kstr(w, "kind", j->dose.kind);
	tc_jw_kint(w, "number", j->dose.number);
	if (j->dose.flags && *j->dose.flags)
		tc_jw_kstr(w, "flags", j->dose.flags);
	if (j->dose.override_reason)
		tc_jw_kstr(w, "override_reason", j->dose.override_reason);
	tc_jw_end(w);
	return tc_jtext_end(&x, j->a);
}

static tc_err inject_run(struct tc_dbc *c, void *cls, struct tc_fault *f)
{
	struct inject *j = cls;
	struct tc_sched_result verdict;
	struct tc_stock_by by;
	struct tc_dose_in in;
	enum tc_qs qs;
	tc_err rc;

	j->now = tc_now_us();
	by = (struct tc_stock_by){ .actor_id = j->actor.user_id, .now = j->now };
	/* the visit as it is now, read in the transaction that changes it */
	if ((rc = tc_visit_read(c, &j->actor, j->id, j->a, &j->before, f)) != TC_ERR_OK)
		return rc;
	j->product = screened_product(j->before.screening_json, j->a);
	if (strcmp(j->before.status, "screened") != 0 || !j->before.screening ||
	    strcmp(j->before.screening, "eligible") != 0)
		return tc_fault_setf(f, j->a, TC_ERR_WRONG_STATE, "status",
		                     strcmp(j->before.status, "checked_in") == 0
		                             ? "the visit is %s: screen the person first"
		                             : "the visit is %s: only a person screened "
		                               "eligible is vaccinated",
		                     j->before.status);
	in = (struct tc_dose_in){
		.citizen_id = j->before.citizen_id,
		.site_id = j->before.site_id,
		.lot_id = j->lot_id,
		.visit_id = j->before.id,
		.override_reason = j->override_reason,
		.expect_product = j->product,
	};
	memset(&verdict, 0, sizeof verdict);
	rc = tc_dose_give(c, &by, j->ref, &in, j->a, &j->dose, &verdict, f);
	if (rc == TC_ERR_SCHEDULE) {
		char earliest[11];
		f->reason = verdict.verdict != TC_SCHED_OK
		                    ? tc_sched_verdict_code(verdict.verdict)
		                    : "already_given_today";
		if (verdict.earliest_day != INT64_MIN) {
			tc_day_format(verdict.verdict == TC_SCHED_OK ||
			                              verdict.earliest_day <=
			                                      tc_vn_day(j->now)
			                      ? tc_vn_day(j->now) + 1
			                      : verdict.earliest_day,
			              earliest);
			f->earliest = tc_arena_strdup(j->a, earliest);
		}
	}
	if (rc != TC_ERR_OK)
		return rc;
	j->dose.full_name = j->before.full_name;
	j->after = j->before;
	j->after.status = "vaccinated";
	j->after.dose_id = j->dose.id;
	j->after.injected_at = j->now;
	j->after.observe_until = j->now + j->before.observe_minutes * MINUTE_US;
	j->after.updated_at = j->now;
	if ((qs = tc_q_visit_injected(c, &j->before, &j->after)) < 0)
		return tc_qs_err(qs, f);
	if (qs == TC_QS_NONE)
		return tc_fault_set(f, TC_ERR_CONFLICT, "id",
		                    "the visit changed meanwhile; load it again");
	j->after.version = j->before.version + 1;
	if ((rc = registration_done(c, j, f)) != TC_ERR_OK)
		return rc;
	return tc_audit_record(c, &j->actor,
	                       j->override_reason ? "inject_override" : "inject", "visit",
	                       tc_arena_printf(j->a, "%lld", (long long)j->id),
	                       j->before.scope_path, NULL, inject_text(j), f);
}

/* The answer of a committed injection: {"visit"}, the dose inside it;
 * written inside the transaction and kept with an Idempotency-Key, so a
 * retried request gets it again and never a second dose. The dose is
 * not repeated at the top: the stored answer is about 1.5 KB rather than
 * 2.2, two to a page of the keys' table instead of one. */
static unsigned inject_render(void *cls, struct tc_jw *w)
{
	const struct inject *j = cls;
	struct tc_jtext x;

	tc_jw_dose(tc_jtext_begin(&x), &j->dose);
	tc_jw_obj(w);
	tc_jw_key(w, "visit");
	tc_jw_visit_raw(w, &j->after, tc_jtext_end(&x, j->a), j->now);
	tc_jw_end(w);
	return MHD_HTTP_CREATED;
}

tc_err tc_api_visit_injection(struct tc_req *r)
{
	struct inject *j = TC_NEW(&r->arena, struct inject);
	struct inject_body b = { 0 };
	tc_err rc = tc_req_param_id(r, 0, &j->id);

	if (rc == TC_ERR_OK)
		rc = tc_req_body(r, inject_spec, &b);
	if (rc != TC_ERR_OK)
		return rc;
	j->actor = r->actor;
	j->a = &r->arena;
	j->ref = tc_server_vaxref(r->srv);
	j->lot_id = b.lot_id.v;
	j->override_reason = b.override_reason;
	return tc_req_write_idem(r, inject_run, j, inject_render);
}
