/* The visit at a site (docs/visits.md): POST /api/v1/visits (check-in, a
 * walk-in registered and booked in the same step), GET /api/v1/visits
 * ?session=&status=, GET /api/v1/visits/{id}, GET /api/v1/sessions/{id}
 * /queue, POST /api/v1/visits/{id}/cancel and .../complete, and GET
 * /api/v1/screening/checklist. Screening, injection and adverse events
 * have their own files. */
#include <microhttpd.h>
#include <string.h>

#include "../core/tctime.h"
#include "../db/records.h"
#include "../domain/birthdate.h"
#include "../domain/regflow.h"
#include "../domain/screening.h"
#include "api.h"
#include "api_stock.h"
#include "api_visits.h"
#include "server.h"

static const char *id_text(int64_t id, struct tc_arena *a)
{
	return tc_arena_printf(a, "%lld", (long long)id);
}

static const char *visit_text(const struct tc_visit *v, struct tc_arena *a)
{
	struct tc_jtext x;

	tc_jw_visit(tc_jtext_begin(&x), v, NULL, v->updated_at);
	return tc_jtext_end(&x, a);
}

static tc_err reply_visit(struct tc_req *r, unsigned status, const struct tc_visit *v,
                          const struct tc_dose *dose)
{
	struct tc_jw *w = tc_reply_begin(r);

	tc_jw_obj(w);
	tc_jw_key(w, "visit");
	tc_jw_visit(w, v, dose, tc_now_us());
	tc_jw_end(w);
	return tc_reply_end(r, status);
}

/* ---- scope resolver: the visit's site ------------------------------------------- */

static enum tc_qs get_visit(struct tc_dbc *c, int64_t id, struct tc_arena *a, void *out)
{
	return tc_q_visit_get(c, id, a, out);
}

tc_err tc_scope_visit_id(struct tc_req *r)
{
	struct tc_visit *v = TC_NEW(&r->arena, struct tc_visit);
	tc_err rc = tc_req_load_by_id(r, get_visit, v);

	if (rc != TC_ERR_OK)
		return rc;
	r->target = v;
	r->target_scope = v->scope_path;
	return TC_ERR_OK;
}

/* ---- GET /api/v1/screening/checklist ------------------------------------------------ */

tc_err tc_api_screening_checklist(struct tc_req *r)
{
	struct tc_jw *w = tc_reply_begin(r);

	tc_screen_checklist_json(w, tc_server_checklist(r->srv));
	return tc_reply_end(r, MHD_HTTP_OK);
}

/* ---- POST /api/v1/visits ---------------------------------------------------------------- */

struct checkin_body {
	struct tc_jint citizen_id, session_id;
};

static const struct tc_jfield checkin_spec[] = {
	TC_JINT(struct checkin_body, citizen_id, TC_JF_REQUIRED, 1, INT64_MAX),
	TC_JINT(struct checkin_body, session_id, TC_JF_REQUIRED, 1, INT64_MAX),
	TC_JEND,
};

struct checkin {
	struct tc_actor actor;
	struct tc_arena *a;
	int64_t citizen_id, session_id;
	struct tc_visit v;
};

/* The district code of a site's scope ("VN/01/001/00001/F7" -> "001"). */
static const char *site_district(const char *scope, struct tc_arena *a)
{
	const char *p = scope;

	for (int i = 0; i < 2 && p; i++)
		if ((p = strchr(p, '/')) != NULL)
			p++;
	return p ? tc_arena_strndup(a, p, strcspn(p, "/")) : NULL;
}

/* A walk-in: a place of the session, and the person's registration
 * created or moved into it. Sets *reg_id. */
static tc_err walk_in(struct tc_dbc *c, struct checkin *ck, const struct tc_vsession *s,
                      const struct tc_citizen *ct, int64_t now, int64_t *reg_id,
                      struct tc_fault *f)
{
	struct tc_registration g, after;
	int64_t open = 0;
	enum tc_qs qs = tc_q_vsession_book(c, s->id);

	if (qs < 0)
		return tc_qs_err(qs, f);
	if (qs == TC_QS_NONE)
		return tc_fault_set(
		        f, TC_ERR_CONFLICT, "session_id",
		        "the session is full: no place is left for a walk-in");
	if ((qs = tc_q_registration_open_for(c, ct->id, &open)) < 0)
		return tc_qs_err(qs, f);
	if (qs == TC_QS_NONE || open == 0) {
		g = (struct tc_registration){
			.id = tc_db_next_id(c),
			.citizen_id = ct->id,
			.status = "scheduled",
			.priority_group = ct->priority_group,
			.scope_path = ct->scope_path,
			.district_code = site_district(s->scope_path, ck->a),
			.session_id = s->id,
			.source = "staff",
			.created_at = now,
			.updated_at = now,
			.version = 1,
		};
		if ((qs = tc_q_registration_insert(c, &g)) < 0)
			return tc_qs_err(qs, f);
		*reg_id = g.id;
		return tc_audit_record(
		        c, &ck->actor, "create", "registration", id_text(g.id, ck->a),
		        g.scope_path, NULL,
		        tc_arena_printf(ck->a,
		                        "{\"status\":\"scheduled\","
		                        "\"session_id\":%lld,\"walk_in\":true}",
		                        (long long)s->id),
		        f);
	}
	if ((qs = tc_q_registration_get(c, open, ck->a, &g)) != TC_QS_ONE)
		return tc_qs_err(qs, f);
	/* scheduled elsewhere: that place is given back */
	if (g.session_id && strcmp(g.status, "scheduled") == 0 &&
	    (qs = tc_q_vsession_unbook(c, g.session_id)) < 0)
		return tc_qs_err(qs, f);
	after = g;
	after.status = "scheduled";
	after.session_id = s->id;
	if (!after.district_code)
		after.district_code = site_district(s->scope_path, ck->a);
	after.updated_at = now;
	if ((qs = tc_q_registration_update(c, &g, &after)) < 0)
		return tc_qs_err(qs, f);
	if (qs == TC_QS_NONE)
		return tc_fault_set(
		        f, TC_ERR_CONFLICT, "citizen_id",
		        "the person's registration changed meanwhile; try again");
	*reg_id = g.id;
	return tc_audit_record(
	        c, &ck->actor, "walk_in", "registration", id_text(g.id, ck->a),
	        g.scope_path,
	        tc_arena_printf(ck->a, "{\"status\":\"%s\",\"session_id\":%lld}",
	                        g.status, (long long)g.session_id),
	        tc_arena_printf(ck->a, "{\"status\":\"scheduled\",\"session_id\":%lld}",
	                        (long long)s->id),
	        f);
}

static tc_err checkin_run(struct tc_dbc *c, void *cls, struct tc_fault *f)
{
	struct checkin *ck = cls;
	struct tc_vsession s;
	struct tc_citizen ct;
	struct tc_registration g;
	int64_t now = tc_now_us(), open = 0, reg_id = 0;
	char today[11];
	bool scheduled = false;
	enum tc_qs qs;
	tc_err rc;

	if ((qs = tc_q_vsession_get(c, ck->session_id, ck->a, &s)) < 0)
		return tc_qs_err(qs, f);
	if (qs == TC_QS_NONE)
		return tc_fault_set(f, TC_ERR_INVALID_FIELD, "session_id",
		                    "no session has that id");
	if (strcmp(s.status, "open") != 0)
		return tc_fault_setf(f, ck->a, TC_ERR_INVALID_FIELD, "session_id",
		                     "that session is %s", s.status);
	tc_api_stock_today(now, today);
	if (strcmp(s.day, today) != 0)
		return tc_fault_setf(
		        f, ck->a, TC_ERR_INVALID_FIELD, "session_id",
		        "that session is on %s; check-in is on the session's day "
		        "(today is %s in Vietnam)",
		        s.day, today);
	if ((qs = tc_q_citizen_get(c, ck->citizen_id, ck->a, &ct)) < 0)
		return tc_qs_err(qs, f);
	if (qs == TC_QS_NONE)
		return tc_fault_set(f, TC_ERR_INVALID_FIELD, "citizen_id",
		                    "no citizen has that id");
	if ((qs = tc_q_visit_open_in(c, ct.id, s.id, &open)) < 0)
		return tc_qs_err(qs, f);
	if (qs == TC_QS_ONE && open) {
		tc_fault_set(f, TC_ERR_CONFLICT, "citizen_id",
		             "this person is already checked in to this session");
		f->existing_id = open;
		return TC_ERR_CONFLICT;
	}
	/* scheduled into this session: linked; anyone else walks in */
	if ((qs = tc_q_registration_open_for(c, ct.id, &reg_id)) < 0)
		return tc_qs_err(qs, f);
	if (qs == TC_QS_ONE && reg_id) {
		if ((qs = tc_q_registration_get(c, reg_id, ck->a, &g)) != TC_QS_ONE)
			return tc_qs_err(qs, f);
		scheduled = strcmp(g.status, "scheduled") == 0 && g.session_id == s.id;
	}
	if (!scheduled && (rc = walk_in(c, ck, &s, &ct, now, &reg_id, f)) != TC_ERR_OK)
		return rc;
	ck->v = (struct tc_visit){
		.id = tc_db_next_id(c),
		.citizen_id = ct.id,
		.site_id = s.site_id,
		.session_id = s.id,
		.registration_id = reg_id,
		.day = tc_arena_strdup(ck->a, today),
		.walk_in = !scheduled,
		.status = "checked_in",
		.observe_minutes = TC_SCREEN_OBSERVE_MINUTES,
		.scope_path = s.scope_path,
		.created_at = now,
		.created_by = ck->actor.user_id,
	};
	if ((qs = tc_q_visit_insert(c, &ck->v)) < 0)
		return tc_qs_err(qs, f);
	if ((qs = tc_q_visit_get(c, ck->v.id, ck->a, &ck->v)) != TC_QS_ONE)
		return tc_qs_err(qs, f);
	return tc_audit_record(c, &ck->actor, "check_in", "visit",
	                       id_text(ck->v.id, ck->a), ck->v.scope_path, NULL,
	                       visit_text(&ck->v, ck->a), f);
}

static tc_err checkin_after(struct tc_req *r)
{
	struct checkin *ck = r->job.cls;
	return reply_visit(r, MHD_HTTP_CREATED, &ck->v, NULL);
}

/* The session named by `field`, read for its jurisdiction. */
static tc_err session_in_scope(struct tc_req *r, int64_t id, const char *field,
                               tc_err unknown, struct tc_vsession *s)
{
	struct tc_dbc *c;
	enum tc_qs qs;
	tc_err rc = tc_req_dbc(r, &c);

	if (rc != TC_ERR_OK)
		return rc;
	qs = tc_q_vsession_get(c, id, &r->arena, s);
	tc_req_dbc_release(r, c);
	if (qs < 0)
		return tc_qs_err(qs, &r->fault);
	if (qs == TC_QS_NONE)
		return tc_fault_set(&r->fault, unknown, field, "no session has that id");
	if ((rc = tc_req_require_scope(r, s->scope_path)) != TC_ERR_OK)
		r->fault.field = field;
	return rc;
}

tc_err tc_api_visit_checkin(struct tc_req *r)
{
	struct checkin *ck = TC_NEW(&r->arena, struct checkin);
	struct checkin_body b = { 0 };
	struct tc_vsession s;
	tc_err rc = tc_req_body(r, checkin_spec, &b);

	if (rc != TC_ERR_OK)
		return rc;
	rc = session_in_scope(r, b.session_id.v, "session_id", TC_ERR_INVALID_FIELD, &s);
	if (rc != TC_ERR_OK)
		return rc;
	ck->actor = r->actor;
	ck->a = &r->arena;
	ck->citizen_id = b.citizen_id.v;
	ck->session_id = s.id;
	return tc_req_write(r, checkin_run, ck, checkin_after);
}

/* ---- GET /api/v1/visits?session=&status= ---------------------------------------------- */

static const char *const statuses[] = { "checked_in", "screened",   "postponed",
	                                "referred",   "vaccinated", "completed",
	                                "cancelled",  NULL };

static bool status_known(const char *s)
{
	for (const char *const *p = statuses; *p; p++)
		if (strcmp(*p, s) == 0)
			return true;
	return false;
}

/* Writes the visits with their doses, read on `c`. */
static tc_err jw_visits(struct tc_req *r, struct tc_dbc *c, struct tc_jw *w,
                        const struct tc_visit *v, size_t n, int64_t now)
{
	tc_jw_arr(w);
	for (size_t i = 0; i < n; i++) {
		struct tc_dose d = { 0 };
		enum tc_qs qs = v[i].dose_id
		                        ? tc_q_dose_get(c, v[i].dose_id, &r->arena, &d)
		                        : TC_QS_NONE;
		if (qs < 0)
			return tc_qs_err(qs, &r->fault);
		tc_jw_visit(w, &v[i], qs == TC_QS_ONE ? &d : NULL, now);
	}
	tc_jw_end(w);
	return TC_ERR_OK;
}

tc_err tc_api_visits_list(struct tc_req *r)
{
	const char *status = tc_req_query(r, "status");
	struct tc_vsession s;
	struct tc_visit *v;
	struct tc_page page;
	struct tc_dbc *c;
	int64_t sid = 0;
	bool set;
	size_t n;
	enum tc_qs qs;
	tc_err rc;

	if ((rc = tc_api_stock_query_int(r, "session", 1, INT64_MAX, true, &sid, &set)) !=
	    TC_ERR_OK)
		return rc;
	if (status && !status_known(status))
		return tc_fault_set(
		        &r->fault, TC_ERR_INVALID_PARAMETER, "status",
		        "status must be checked_in, screened, postponed, referred, "
		        "vaccinated, completed or cancelled");
	if ((rc = tc_req_page(r, 200, 1000, &page)) != TC_ERR_OK)
		return rc;
	rc = session_in_scope(r, sid, "session", TC_ERR_INVALID_PARAMETER, &s);
	if (rc != TC_ERR_OK)
		return rc;
	if ((rc = tc_req_dbc(r, &c)) != TC_ERR_OK)
		return rc;
	qs = tc_q_visits_list(c, sid, status, page, &r->arena, &v, &n);
	if (qs < 0) {
		tc_req_dbc_release(r, c);
		return tc_qs_err(qs, &r->fault);
	}
	struct tc_jw *w = tc_reply_begin(r);
	tc_jw_obj(w);
	tc_jw_key(w, "visits");
	rc = jw_visits(r, c, w, v, n, tc_now_us());
	tc_req_dbc_release(r, c);
	if (rc != TC_ERR_OK)
		return rc;
	tc_jw_kint(w, "limit", page.limit);
	tc_jw_kint(w, "offset", page.offset);
	tc_jw_end(w);
	return tc_reply_end(r, MHD_HTTP_OK);
}

/* ---- GET /api/v1/visits/{id} ----------------------------------------------------------- */

tc_err tc_api_visit_get(struct tc_req *r)
{
	const struct tc_visit *v = r->target;
	struct tc_dose d = { 0 };
	struct tc_dbc *c;
	enum tc_qs qs = TC_QS_NONE;
	tc_err rc;

	if (v->dose_id) {
		if ((rc = tc_req_dbc(r, &c)) != TC_ERR_OK)
			return rc;
		qs = tc_q_dose_get(c, v->dose_id, &r->arena, &d);
		tc_req_dbc_release(r, c);
		if (qs < 0)
			return tc_qs_err(qs, &r->fault);
	}
	return reply_visit(r, MHD_HTTP_OK, v, qs == TC_QS_ONE ? &d : NULL);
}

/* ---- GET /api/v1/sessions/{id}/queue ---------------------------------------------------- */

/* The person's latest visit in the list, or NULL. */
static const struct tc_visit *visit_of(const struct tc_visit *v, size_t n,
                                       int64_t citizen)
{
	const struct tc_visit *found = NULL;

	for (size_t i = 0; i < n; i++)
		if (v[i].citizen_id == citizen)
			found = &v[i];
	return found;
}

static void jw_person(struct tc_jw *w, int64_t reg_id, int64_t citizen, const char *name,
                      const char *birth, const char *gender, const struct tc_visit *v,
                      int64_t now)
{
	tc_jw_obj(w);
	tc_jw_kid(w, "registration_id", reg_id);
	tc_jw_kint(w, "citizen_id", citizen);
	tc_jw_kstr(w, "full_name", name);
	tc_jw_kstr(w, "birth_date", birth);
	tc_jw_kstr(w, "gender", gender);
	tc_jw_key(w, "visit");
	if (v)
		tc_jw_visit(w, v, NULL, now);
	else
		tc_jw_null(w);
	tc_jw_end(w);
}

tc_err tc_api_session_queue(struct tc_req *r)
{
	const struct tc_vsession *s = r->target;
	struct tc_registration *g;
	struct tc_visit *v;
	struct tc_page all = { .limit = 100000, .offset = 0 };
	struct tc_dbc *c;
	size_t ng, nv;
	int64_t now = tc_now_us();
	enum tc_qs qs;
	tc_err rc = tc_req_dbc(r, &c);

	if (rc != TC_ERR_OK)
		return rc;
	qs = tc_q_registrations_in_session(c, s->id, &r->arena, &g, &ng);
	if (qs >= 0)
		qs = tc_q_visits_list(c, s->id, NULL, all, &r->arena, &v, &nv);
	tc_req_dbc_release(r, c);
	if (qs < 0)
		return tc_qs_err(qs, &r->fault);
	struct tc_jw *w = tc_reply_begin(r);
	tc_jw_obj(w);
	tc_jw_key(w, "session");
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
	tc_jw_kstr(w, "status", s->status);
	tc_jw_end(w);
	tc_jw_key(w, "people");
	tc_jw_arr(w);
	/* everyone scheduled, then whoever else has a visit (walk-ins, and
	 * people whose registration is done), each once */
	for (size_t i = 0; i < ng; i++)
		jw_person(w, g[i].id, g[i].citizen_id, g[i].full_name, g[i].birth_date,
		          g[i].gender, visit_of(v, nv, g[i].citizen_id), now);
	for (size_t i = 0; i < nv; i++) {
		bool listed = false;
		for (size_t k = 0; k < ng && !listed; k++)
			listed = g[k].citizen_id == v[i].citizen_id;
		for (size_t k = 0; k < i && !listed; k++)
			listed = v[k].citizen_id == v[i].citizen_id;
		if (!listed)
			jw_person(w, v[i].registration_id, v[i].citizen_id,
			          v[i].full_name, v[i].birth_date, v[i].gender,
			          visit_of(v, nv, v[i].citizen_id), now);
	}
	tc_jw_end(w);
	tc_jw_end(w);
	return tc_reply_end(r, MHD_HTTP_OK);
}

/* ---- POST /api/v1/visits/{id}/cancel and /complete ----------------------------------------- */

struct cancel_body {
	const char *reason;
};

static const struct tc_jfield cancel_spec[] = {
	TC_JSTR(struct cancel_body, reason, TC_JF_REQUIRED | TC_JF_MULTILINE, 1, 500),
	TC_JEND,
};

struct step {
	struct tc_actor actor;
	struct tc_arena *a;
	int64_t id;
	bool complete; /* else cancel */
	const char *reason;
	struct tc_visit before, after;
	struct tc_dose dose;
};

static tc_err step_run(struct tc_dbc *c, void *cls, struct tc_fault *f)
{
	struct step *st = cls;
	int64_t now = tc_now_us();
	enum tc_qs qs;
	tc_err rc;

	if ((rc = tc_visit_load(c, &st->actor, st->id, st->a, &st->before, &st->dose,
	                        f)) != TC_ERR_OK)
		return rc;
	st->after = st->before;
	st->after.updated_at = now;
	if (st->complete) {
		if (strcmp(st->before.status, "vaccinated") != 0)
			return tc_fault_setf(
			        f, st->a, TC_ERR_WRONG_STATE, "status",
			        "the visit is %s: only a vaccinated person completes "
			        "the observation",
			        st->before.status);
		if (now < st->before.observe_until)
			return tc_fault_setf(
			        f, st->a, TC_ERR_WRONG_STATE, "observe_until",
			        "the observation lasts %lld seconds more",
			        (long long)((st->before.observe_until - now) / 1000000 +
			                    1));
		st->after.status = "completed";
		st->after.completed_at = now;
	} else {
		if (strcmp(st->before.status, "vaccinated") == 0 ||
		    strcmp(st->before.status, "completed") == 0 ||
		    strcmp(st->before.status, "cancelled") == 0)
			return tc_fault_setf(
			        f, st->a, TC_ERR_WRONG_STATE, "status",
			        "the visit is %s: only a visit before the injection "
			        "is cancelled",
			        st->before.status);
		st->after.status = "cancelled";
		st->after.reason = st->reason;
	}
	if ((qs = tc_q_visit_update(c, &st->before, &st->after)) < 0)
		return tc_qs_err(qs, f);
	if (qs == TC_QS_NONE)
		return tc_fault_set(f, TC_ERR_CONFLICT, "id",
		                    "the visit changed meanwhile; load it again");
	st->after.version = st->before.version + 1;
	return tc_audit_record(c, &st->actor, st->complete ? "complete" : "cancel",
	                       "visit", id_text(st->id, st->a), st->before.scope_path,
	                       visit_text(&st->before, st->a),
	                       visit_text(&st->after, st->a), f);
}

static tc_err step_after(struct tc_req *r)
{
	struct step *st = r->job.cls;
	return reply_visit(r, MHD_HTTP_CREATED, &st->after, &st->dose);
}

static tc_err step(struct tc_req *r, bool complete)
{
	struct step *st = TC_NEW(&r->arena, struct step);
	struct cancel_body b = { 0 };
	tc_err rc = tc_req_param_id(r, 0, &st->id);

	if (rc != TC_ERR_OK)
		return rc;
	if (!complete && (rc = tc_req_body(r, cancel_spec, &b)) != TC_ERR_OK)
		return rc;
	st->actor = r->actor;
	st->a = &r->arena;
	st->complete = complete;
	st->reason = b.reason;
	return tc_req_write(r, step_run, st, step_after);
}

tc_err tc_api_visit_cancel(struct tc_req *r)
{
	return step(r, false);
}

tc_err tc_api_visit_complete(struct tc_req *r)
{
	return step(r, true);
}
