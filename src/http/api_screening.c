/* Step 2 at a site: POST /api/v1/visits/{id}/screening (docs/visits.md).
 * The checklist the server read at start (src/domain/screening.h) applied
 * to the person's age on the screening day, sex and answers, for the
 * product screened for; the outcome moves the visit on:
 *   eligible -> screened, postpone -> postponed, refer -> referred,
 *   needs_consent and contraindicated -> stays checked_in (the guardian
 *   signs, or another product is screened for).
 * The outcome, the reasons and every input are kept as JSON in
 * screening_json, which is the visit's "screening". */
#include <microhttpd.h>
#include <string.h>
#include <strings.h>

#include "../core/tctime.h"
#include "../db/records.h"
#include "../domain/appointment.h"
#include "../domain/birthdate.h"
#include "../domain/idnum.h"
#include "api.h"
#include "api_stock.h"
#include "api_visits.h"
#include "server.h"
#include "visit_bodies.h"

#define MAX_AGE 150

struct screen {
	struct tc_actor actor;
	struct tc_arena *a;
	const struct tc_screen_checklist *checklist;
	const struct tc_vaxref *ref;
	int64_t id;
	struct tc_screening_body b;
	struct tc_visit before, after;
};

static void jw_measure(struct tc_jw *w, const char *key, int v)
{
	tc_jw_key(w, key);
	if (v)
		tc_jw_int(w, v);
	else
		tc_jw_null(w);
}

/* The visit's "screening": outcome, reasons and every input. */
static const char *screening_text(const struct screen *s, const char *product,
                                  const struct tc_screen_result *res, struct tc_arena *a)
{
	struct tc_jtext x;
	struct tc_jw *w = tc_jtext_begin(&x);
	char until[11];

	tc_jw_obj(w);
	/* first: the injection reads it straight off (api_injection.c) */
	tc_jw_kstr(w, "product", product);
	tc_jw_kstr(w, "outcome", tc_screen_outcome_name(res->verdict));
	tc_jw_key(w, "reasons");
	tc_jw_arr(w);
	for (size_t i = 0; i < res->nreasons; i++) {
		tc_jw_obj(w);
		tc_jw_kstr(w, "code", res->reasons[i].code);
		tc_jw_kstr(w, "outcome", tc_screen_outcome_name(res->reasons[i].outcome));
		tc_jw_kstr(w, "text_vi", res->reasons[i].text_vi);
		tc_jw_kstr(w, "text_en", res->reasons[i].text_en);
		tc_jw_end(w);
	}
	tc_jw_end(w);
	tc_jw_key(w, "postpone_until");
	if (res->verdict == TC_SCREEN_POSTPONE && res->postpone_days >= 0) {
		tc_day_format(res->postpone_until, until);
		tc_jw_str(w, until);
	} else {
		tc_jw_null(w);
	}
	tc_jw_kbool(w, "caution", res->caution);
	tc_jw_kint(w, "observe_minutes", res->observe_minutes);
	tc_jw_key(w, "temperature");
	tc_jw_raw(w, tc_arena_printf(a, "%d.%d", s->b.temperature_dc / 10,
	                             s->b.temperature_dc % 10));
	jw_measure(w, "systolic", s->b.systolic);
	jw_measure(w, "diastolic", s->b.diastolic);
	jw_measure(w, "pulse", s->b.pulse);
	tc_jw_kbool(w, "guardian_consent", s->b.guardian_consent);
	tc_jw_kstr(w, "guardian_name", s->b.guardian_name);
	tc_jw_key(w, "answers");
	tc_jw_obj(w);
	for (size_t i = 0; i < s->b.nanswers; i++)
		tc_jw_kbool(w, s->b.answers[i].code, s->b.answers[i].yes);
	tc_jw_end(w);
	tc_jw_end(w);
	return tc_jtext_end(&x, a);
}

static const char *status_after(enum tc_screen_outcome o)
{
	switch (o) {
	case TC_SCREEN_ELIGIBLE: return "screened";
	case TC_SCREEN_POSTPONE: return "postponed";
	case TC_SCREEN_REFER: return "referred";
	default: return "checked_in";
	}
}

static tc_err screen_run(struct tc_dbc *c, void *cls, struct tc_fault *f)
{
	struct screen *s = cls;
	struct tc_screen_result res;
	struct tc_citizen ct;
	struct tc_bdate bd;
	enum tc_gender sex = TC_GENDER_UNKNOWN;
	int64_t now = tc_now_us(), today = tc_vn_day(now);
	const char *product;
	const struct tc_product_info *info;
	enum tc_qs qs;
	tc_err rc;

	if ((rc = tc_visit_read(c, &s->actor, s->id, s->a, &s->before, f)) != TC_ERR_OK)
		return rc;
	if (strcmp(s->before.status, "checked_in") != 0 &&
	    strcmp(s->before.status, "screened") != 0 &&
	    strcmp(s->before.status, "postponed") != 0 &&
	    strcmp(s->before.status, "referred") != 0)
		return tc_fault_setf(
		        f, s->a, TC_ERR_WRONG_STATE, "status",
		        "the visit is %s: screening comes before the injection",
		        s->before.status);
	if ((qs = tc_q_citizen_get(c, s->before.citizen_id, s->a, &ct)) != TC_QS_ONE)
		return tc_qs_err(qs, f);
	product = s->b.product ? s->b.product : s->before.product;
	if ((info = tc_vaxref_product(s->ref, product)) == NULL)
		return tc_fault_set(
		        f, TC_ERR_INVALID_FIELD, "product",
		        "product must be a vaccine code from GET /api/v1/products");
	if (!ct.birth_date || !tc_bdate_parse_iso(ct.birth_date, &bd))
		return tc_fault_set(
		        f, TC_ERR_WRONG_STATE, "birth_date",
		        "the person's birth date is not on file: correct the record "
		        "first");
	if (ct.gender)
		tc_gender_parse(ct.gender, &sex);
	if (sex == TC_GENDER_UNKNOWN)
		return tc_fault_set(
		        f, TC_ERR_WRONG_STATE, "gender",
		        "the person's sex is not on file: correct the record first");
	int age = tc_bdate_age_on(&bd, today);
	struct tc_screening in = {
		.day = today,
		.answers = s->b.answers,
		.nanswers = s->b.nanswers,
		.temperature_dc = s->b.temperature_dc,
		.systolic = s->b.systolic,
		.diastolic = s->b.diastolic,
		.pulse = s->b.pulse,
		.age_years = age < 0         ? 0
		             : age > MAX_AGE ? MAX_AGE
		                             : age,
		.sex = sex,
		.guardian_consent = s->b.guardian_consent,
		.product_min_age = (int)info->min_age_years,
	};
	if ((rc = tc_screen_evaluate(s->checklist, &in, s->a, &res, f)) != TC_ERR_OK)
		return rc;
	s->after = s->before;
	s->after.status = status_after(res.verdict);
	s->after.screening = tc_screen_outcome_name(res.verdict);
	s->after.screening_json = screening_text(s, product, &res, s->a);
	s->after.postpone_until = NULL;
	if (res.verdict == TC_SCREEN_POSTPONE && res.postpone_days >= 0) {
		char until[11];
		tc_day_format(res.postpone_until, until);
		s->after.postpone_until = tc_arena_strdup(s->a, until);
	}
	s->after.guardian_name = s->b.guardian_name;
	s->after.observe_minutes = res.observe_minutes;
	s->after.screened_at = now;
	s->after.screened_by = s->actor.user_id;
	s->after.updated_at = now;
	if ((qs = tc_q_visit_update(c, &s->before, &s->after)) < 0)
		return tc_qs_err(qs, f);
	if (qs == TC_QS_NONE)
		return tc_fault_set(f, TC_ERR_CONFLICT, "id",
		                    "the visit changed meanwhile; load it again");
	s->after.version = s->before.version + 1;
	return tc_audit_record(c, &s->actor, "screen", "visit",
	                       tc_arena_printf(s->a, "%lld", (long long)s->id),
	                       s->before.scope_path, s->before.screening_json,
	                       s->after.screening_json, f);
}

static tc_err screen_after(struct tc_req *r)
{
	struct screen *s = r->job.cls;
	struct tc_jw *w = tc_reply_begin(r);

	tc_jw_obj(w);
	tc_jw_key(w, "visit");
	tc_jw_visit(w, &s->after, NULL, tc_now_us());
	tc_jw_end(w);
	return tc_reply_end(r, MHD_HTTP_CREATED);
}

tc_err tc_api_visit_screening(struct tc_req *r)
{
	struct screen *s = TC_NEW(&r->arena, struct screen);
	const char *ct = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND,
	                                             MHD_HTTP_HEADER_CONTENT_TYPE);
	tc_err rc = tc_req_param_id(r, 0, &s->id);

	if (rc != TC_ERR_OK)
		return rc;
	if (ct && strncasecmp(ct, "application/json", 16) != 0)
		return tc_fault_set(&r->fault, TC_ERR_UNSUPPORTED_MEDIA, NULL, NULL);
	rc = tc_screening_body_parse(r->body.data ? r->body.data : "", r->body.len,
	                             &r->arena, &s->b, &r->fault);
	if (rc != TC_ERR_OK)
		return rc;
	s->actor = r->actor;
	s->a = &r->arena;
	s->checklist = tc_server_checklist(r->srv);
	s->ref = tc_server_vaxref(r->srv);
	return tc_req_write(r, screen_run, s, screen_after);
}
