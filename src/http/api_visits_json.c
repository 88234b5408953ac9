/* JSON views of visits (docs/visits.md); doses and adverse events have
 * theirs in src/db/visit_json.c. */
#include <string.h>

#include "../core/arena.h"
#include "api_stock.h"
#include "api_visits.h"

#define MINUTE_US (60LL * 1000000)

/* The visit's fields before its dose, and after it. */
static void visit_head(struct tc_jw *w, const struct tc_visit *v)
{
	tc_jw_obj(w);
	tc_jw_kint(w, "id", v->id);
	tc_jw_kint(w, "citizen_id", v->citizen_id);
	tc_jw_kstr(w, "full_name", v->full_name);
	tc_jw_kstr(w, "birth_date", v->birth_date);
	tc_jw_kstr(w, "gender", v->gender);
	tc_jw_kint(w, "site_id", v->site_id);
	tc_jw_kint(w, "session_id", v->session_id);
	tc_jw_kid(w, "registration_id", v->registration_id);
	tc_jw_kstr(w, "day", v->day);
	tc_jw_kbool(w, "walk_in", v->walk_in);
	tc_jw_kstr(w, "status", v->status);
	tc_jw_key(w, "screening");
	if (v->screening_json)
		tc_jw_raw(w, v->screening_json);
	else
		tc_jw_null(w);
	tc_jw_key(w, "dose");
}

static void visit_tail(struct tc_jw *w, const struct tc_visit *v, int64_t now)
{
	tc_jw_key(w, "injected_at");
	tc_jw_time(w, v->injected_at);
	tc_jw_key(w, "observe_until");
	tc_jw_time(w, v->observe_until);
	tc_jw_key(w, "observe_seconds_left");
	if (strcmp(v->status, "vaccinated") == 0 && v->observe_until)
		tc_jw_int(w, v->observe_until > now
		                     ? (v->observe_until - now + 999999) / 1000000
		                     : 0);
	else
		tc_jw_null(w);
	tc_jw_kint(w, "observe_minutes", v->observe_minutes);
	tc_jw_kstr(w, "reason", v->reason);
	tc_jw_key(w, "completed_at");
	tc_jw_time(w, v->completed_at);
	tc_jw_key(w, "created_at");
	tc_jw_time(w, v->created_at);
	tc_jw_kint(w, "version", v->version);
	tc_jw_end(w);
}

void tc_jw_visit(struct tc_jw *w, const struct tc_visit *v, const struct tc_dose *dose,
                 int64_t now)
{
	visit_head(w, v);
	if (dose && dose->id)
		tc_jw_dose(w, dose);
	else
		tc_jw_null(w);
	visit_tail(w, v, now);
}

void tc_jw_visit_raw(struct tc_jw *w, const struct tc_visit *v, const char *dose_json,
                     int64_t now)
{
	visit_head(w, v);
	if (dose_json)
		tc_jw_raw(w, dose_json);
	else
		tc_jw_null(w);
	visit_tail(w, v, now);
}

tc_err tc_visit_read(struct tc_dbc *c, const struct tc_actor *actor, int64_t id,
                     struct tc_arena *a, struct tc_visit *v, struct tc_fault *f)
{
	enum tc_qs qs = tc_q_visit_get(c, id, a, v);

	if (qs == TC_QS_NONE)
		return tc_fault_set(f, TC_ERR_NOT_FOUND, "id", "no such visit");
	if (qs < 0)
		return tc_qs_err(qs, f);
	if (!tc_scope_contains(actor->scope, v->scope_path))
		return tc_fault_set(f, TC_ERR_OUT_OF_JURISDICTION, NULL, NULL);
	return TC_ERR_OK;
}

tc_err tc_visit_load(struct tc_dbc *c, const struct tc_actor *actor, int64_t id,
                     struct tc_arena *a, struct tc_visit *v, struct tc_dose *dose,
                     struct tc_fault *f)
{
	tc_err rc = tc_visit_read(c, actor, id, a, v, f);
	enum tc_qs qs;

	memset(dose, 0, sizeof *dose);
	if (rc != TC_ERR_OK)
		return rc;
	if (v->dose_id && (qs = tc_q_dose_get(c, v->dose_id, a, dose)) < 0)
		return tc_qs_err(qs, f);
	return TC_ERR_OK;
}

const char *tc_scope_unit_path(const char *scope, struct tc_arena *a)
{
	const char *slash = strrchr(scope, '/');

	if (slash && slash[1] == 'F')
		return tc_arena_strndup(a, scope, (size_t)(slash - scope));
	return scope;
}
