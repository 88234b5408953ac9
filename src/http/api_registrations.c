/* Registrations: POST /api/v1/registrations {citizen_id} (staff),
 * GET /api/v1/registrations?status=&unit=&priority_group=&age_min=&age_max=
 * &registered_from=&registered_to=, GET /api/v1/registrations/{id}, the
 * steps POST /api/v1/registrations/approve|reject|allocate|schedule|cancel
 * on {"ids": [...]} or {"filter": {...}, "limit": N}, and for a citizen
 * signed in by phone GET and POST /api/v1/me/registrations.
 *
 * A step on many registrations is one transaction in which each one gets
 * its own outcome: done, or skipped with a reason (wrong state, outside
 * your jurisdiction, session full, ...). Reads of people's registrations
 * are audited like reads of their records, so they are writer jobs. */
#include <jansson.h>
#include <microhttpd.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../core/tctime.h"
#include "../db/citizens.h"
#include "../db/records.h"
#include "../domain/appointment.h"
#include "../domain/birthdate.h"
#include "../domain/regflow.h"
#include "api.h"
#include "outbox.h"
#include "server.h"

#define MAX_IDS      1000
#define MAX_AGE      150
#define VN_OFFSET_US (7LL * 3600 * 1000000)
#define DAY_US       (86400LL * 1000000)

/* ---- views ---------------------------------------------------------------------- */

static void jw_id_or_null(struct tc_jw *w, const char *key, int64_t id)
{
	tc_jw_key(w, key);
	if (id)
		tc_jw_int(w, id);
	else
		tc_jw_null(w);
}

static void jw_registration(struct tc_jw *w, const struct tc_registration *g)
{
	tc_jw_obj(w);
	tc_jw_kint(w, "id", g->id);
	tc_jw_kint(w, "citizen_id", g->citizen_id);
	tc_jw_kstr(w, "full_name", g->full_name);
	tc_jw_kstr(w, "birth_date", g->birth_date);
	tc_jw_kstr(w, "commune_code", g->commune_code);
	tc_jw_kstr(w, "status", g->status);
	jw_id_or_null(w, "priority_group", g->priority_group);
	tc_jw_kstr(w, "scope", g->scope_path);
	tc_jw_kstr(w, "district_code", g->district_code);
	jw_id_or_null(w, "session_id", g->session_id);
	tc_jw_key(w, "appointment");
	if (g->session_id && strcmp(g->status, "scheduled") == 0 && g->day) {
		tc_jw_obj(w);
		tc_jw_kstr(w, "day", g->day);
		tc_jw_kstr(w, "starts", g->starts);
		tc_jw_kstr(w, "ends", g->ends);
		tc_jw_kint(w, "site_id", g->site_id);
		tc_jw_kstr(w, "site_name", g->site_name);
		tc_jw_end(w);
	} else {
		tc_jw_null(w);
	}
	tc_jw_kstr(w, "reason", g->reason);
	tc_jw_kstr(w, "source", g->source);
	tc_jw_kint(w, "version", g->version);
	tc_jw_key(w, "created_at");
	tc_jw_time(w, g->created_at);
	tc_jw_key(w, "updated_at");
	tc_jw_time(w, g->updated_at);
	tc_jw_end(w);
}

/* What the audit log keeps of a registration: its workflow fields. */
static const char *audit_json(const struct tc_registration *g, struct tc_arena *a)
{
	struct tc_buf b;
	struct tc_jw w;
	const char *out;

	tc_buf_init(&b);
	tc_jw_init(&w, &b);
	tc_jw_obj(&w);
	tc_jw_kint(&w, "citizen_id", g->citizen_id);
	tc_jw_kstr(&w, "status", g->status);
	tc_jw_kstr(&w, "district_code", g->district_code);
	jw_id_or_null(&w, "session_id", g->session_id);
	tc_jw_kstr(&w, "reason", g->reason);
	tc_jw_kint(&w, "version", g->version);
	tc_jw_end(&w);
	out = tc_arena_strndup(a, b.data, b.len);
	tc_buf_cleanup(&b);
	return out;
}

static const char *id_text(int64_t id, struct tc_arena *a)
{
	return tc_arena_printf(a, "%lld", (long long)id);
}

/* ---- scope resolver ----------------------------------------------------------- */

static enum tc_qs get_registration_by_id(struct tc_dbc *c, int64_t id, struct tc_arena *a,
                                         void *out)
{
	return tc_q_registration_get(c, id, a, out);
}

tc_err tc_scope_registration_id(struct tc_req *r)
{
	struct tc_registration *g = TC_NEW(&r->arena, struct tc_registration);
	char district[TC_DISTRICT_PATH_LEN];
	tc_err rc = tc_req_load_by_id(r, get_registration_by_id, g);

	if (rc != TC_ERR_OK)
		return rc;
	r->target = g;
	r->target_scope = g->scope_path;
	/* the district centre it was allocated to sees it too */
	if (!tc_scope_contains(r->actor.scope, g->scope_path) && g->district_code &&
	    tc_reg_district_path(g->scope_path, g->district_code, district))
		r->target_scope = tc_arena_strdup(&r->arena, district);
	return TC_ERR_OK;
}

/* ---- filters -------------------------------------------------------------------- */

/* The filters as given, from the query string or a JSON body. */
struct filter_in {
	const char *status;
	const char *unit;
	struct tc_jint priority_group;
	struct tc_jint age_min, age_max;
	const char *registered_from, *registered_to;
};

static const struct tc_jfield filter_spec[] = {
	TC_JSTR(struct filter_in, status, 0, 1, 16),
	TC_JSTR(struct filter_in, unit, 0, 1, 16),
	TC_JINT(struct filter_in, priority_group, 0, 1, TC_PRIORITY_GROUPS),
	TC_JINT(struct filter_in, age_min, 0, 0, MAX_AGE),
	TC_JINT(struct filter_in, age_max, 0, 0, MAX_AGE),
	TC_JSTR(struct filter_in, registered_from, 0, 1, 10),
	TC_JSTR(struct filter_in, registered_to, 0, 1, 10),
	TC_JEND,
};

/* "YYYY-MM-DD", `years` before day number `today`, as text that compares
 * like dates (29 February stays: only its order matters). */
static const char *years_before(int64_t today, int64_t years, struct tc_arena *a)
{
	int64_t y;
	unsigned m, d;

	tc_civil_from_days(today, &y, &m, &d);
	return tc_arena_printf(a, "%04lld-%02u-%02u", (long long)(y - years), m, d);
}

/* Checks the filters and fills `out`, except scope and district. Faults
 * name the field (prefix "filter." for a body) with `code`. */
static tc_err filter_build(const struct filter_in *in, tc_err code, const char *prefix,
                           struct tc_arena *a, struct tc_reg_filter *out,
                           struct tc_fault *f)
{
	int64_t today = tc_vn_day(tc_now_us()), from, to;
	enum tc_reg_state st;

#define FIELD(name) tc_arena_printf(a, "%s%s", prefix, name)
	if (in->status && strcmp(in->status, "open") != 0 &&
	    !tc_reg_state_parse(in->status, &st))
		return tc_fault_set(
		        f, code, FIELD("status"),
		        "status must be pending, approved, allocated, scheduled, "
		        "done, rejected, cancelled or open");
	out->status = in->status;
	out->priority_group = in->priority_group.set ? in->priority_group.v : 0;
	if (in->age_min.set)
		out->born_by = years_before(today, in->age_min.v, a);
	if (in->age_max.set)
		out->born_after = years_before(today, in->age_max.v + 1, a);
	if (in->age_min.set && in->age_max.set && in->age_min.v > in->age_max.v)
		return tc_fault_set(f, code, FIELD("age_max"),
		                    "age_max is below age_min");
	if (in->registered_from) {
		if (!tc_day_parse(in->registered_from, &from))
			return tc_fault_set(
			        f, code, FIELD("registered_from"),
			        "registered_from must be a date written YYYY-MM-DD");
		out->from_us = from * DAY_US - VN_OFFSET_US;
	}
	if (in->registered_to) {
		if (!tc_day_parse(in->registered_to, &to))
			return tc_fault_set(
			        f, code, FIELD("registered_to"),
			        "registered_to must be a date written YYYY-MM-DD");
		/* the whole of that day, in Vietnam's time */
		out->to_us = (to + 1) * DAY_US - VN_OFFSET_US;
		if (in->registered_from && to < from)
			return tc_fault_set(f, code, FIELD("registered_to"),
			                    "registered_to is before registered_from");
	}
#undef FIELD
	return TC_ERR_OK;
}

/* A district's jurisdiction also holds the people allocated to it. */
static void filter_scope(struct tc_reg_filter *flt, const char *scope, struct tc_arena *a)
{
	enum tc_level level;
	const char *slash = strrchr(scope, '/');

	flt->scope = scope;
	flt->district = NULL;
	if (tc_scope_level(scope, &level) && level == TC_LEVEL_DISTRICT && slash)
		flt->district = tc_arena_strdup(a, slash + 1);
}

static tc_err query_int(struct tc_req *r, const char *name, int64_t lo, int64_t hi,
                        struct tc_jint *out)
{
	const char *v = tc_req_query(r, name);

	if (v == NULL)
		return TC_ERR_OK;
	if (!tc_parse_i64(v, lo, hi, &out->v))
		return tc_fault_setf(&r->fault, &r->arena, TC_ERR_INVALID_PARAMETER, name,
		                     "%s must be a whole number from %lld to %lld", name,
		                     (long long)lo, (long long)hi);
	out->set = true;
	return TC_ERR_OK;
}

/* ---- GET /api/v1/registrations ---------------------------------------------------- */

struct search {
	struct tc_actor actor;
	struct tc_reg_filter flt;
	struct tc_page page;
	struct tc_arena *a;
	struct tc_registration *list;
	size_t n;
};

static tc_err search_run(struct tc_dbc *c, void *cls, struct tc_fault *f)
{
	struct search *s = cls;
	enum tc_qs qs =
	        tc_q_registrations_list(c, &s->flt, s->page, s->a, &s->list, &s->n);
	struct tc_buf b;
	struct tc_jw w;

	if (qs < 0)
		return tc_qs_err(qs, f);
	/* one entry per search: which registrations came back */
	tc_buf_init(&b);
	tc_jw_init(&w, &b);
	tc_jw_obj(&w);
	tc_jw_kstr(&w, "status", s->flt.status);
	tc_jw_key(&w, "ids");
	tc_jw_arr(&w);
	for (size_t i = 0; i < s->n; i++)
		tc_jw_int(&w, s->list[i].id);
	tc_jw_end(&w);
	tc_jw_end(&w);
	const char *what = tc_arena_strndup(s->a, b.data, b.len);
	tc_buf_cleanup(&b);
	return tc_audit_record(c, &s->actor, "search", "registration", "-", s->flt.scope,
	                       NULL, what, f);
}

static tc_err reply_list(struct tc_req *r, struct tc_registration *list, size_t n,
                         const struct tc_page *page)
{
	struct tc_jw *w = tc_reply_begin(r);

	tc_jw_obj(w);
	tc_jw_key(w, "registrations");
	tc_jw_arr(w);
	for (size_t i = 0; i < n; i++)
		jw_registration(w, &list[i]);
	tc_jw_end(w);
	if (page) {
		tc_jw_kint(w, "limit", page->limit);
		tc_jw_kint(w, "offset", page->offset);
	}
	tc_jw_end(w);
	return tc_reply_end(r, MHD_HTTP_OK);
}

static tc_err search_after(struct tc_req *r)
{
	struct search *s = r->job.cls;
	return reply_list(r, s->list, s->n, &s->page);
}

tc_err tc_api_registrations_list(struct tc_req *r)
{
	struct search *s = TC_NEW(&r->arena, struct search);
	struct filter_in in = {
		.status = tc_req_query(r, "status"),
		.registered_from = tc_req_query(r, "registered_from"),
		.registered_to = tc_req_query(r, "registered_to"),
	};
	tc_err rc;

	if ((rc = query_int(r, "priority_group", 1, TC_PRIORITY_GROUPS,
	                    &in.priority_group)) != TC_ERR_OK ||
	    (rc = query_int(r, "age_min", 0, MAX_AGE, &in.age_min)) != TC_ERR_OK ||
	    (rc = query_int(r, "age_max", 0, MAX_AGE, &in.age_max)) != TC_ERR_OK)
		return rc;
	rc = filter_build(&in, TC_ERR_INVALID_PARAMETER, "", &r->arena, &s->flt,
	                  &r->fault);
	if (rc != TC_ERR_OK)
		return rc;
	rc = tc_req_page(r, 100, 1000, &s->page);
	if (rc != TC_ERR_OK)
		return rc;
	filter_scope(&s->flt, r->target_scope, &r->arena);
	s->actor = r->actor;
	s->a = &r->arena;
	return tc_req_write(r, search_run, s, search_after);
}

/* ---- GET /api/v1/registrations/{id} ------------------------------------------------ */

struct read {
	struct tc_actor actor;
	struct tc_registration *g;
	struct tc_arena *a;
};

static tc_err read_run(struct tc_dbc *c, void *cls, struct tc_fault *f)
{
	struct read *rd = cls;
	int64_t id = rd->g->id;
	enum tc_qs qs = tc_q_registration_get(c, id, rd->a, rd->g);

	if (qs != TC_QS_ONE)
		return tc_qs_err(qs, f);
	return tc_audit_record(c, &rd->actor, "read", "registration", id_text(id, rd->a),
	                       rd->g->scope_path, NULL, NULL, f);
}

static tc_err reply_registration(struct tc_req *r, unsigned status,
                                 const struct tc_registration *g)
{
	struct tc_jw *w = tc_reply_begin(r);
	tc_jw_obj(w);
	tc_jw_key(w, "registration");
	jw_registration(w, g);
	tc_jw_end(w);
	return tc_reply_end(r, status);
}

static tc_err read_after(struct tc_req *r)
{
	struct read *rd = r->job.cls;
	return reply_registration(r, MHD_HTTP_OK, rd->g);
}

tc_err tc_api_registration_get(struct tc_req *r)
{
	struct read *rd = TC_NEW(&r->arena, struct read);

	rd->actor = r->actor;
	rd->g = r->target;
	rd->a = &r->arena;
	return tc_req_write(r, read_run, rd, read_after);
}

/* ---- POST /api/v1/registrations and /api/v1/me/registrations ---------------------- */

struct reg_body {
	struct tc_jint citizen_id;
};

static const struct tc_jfield reg_spec[] = {
	TC_JINT(struct reg_body, citizen_id, TC_JF_REQUIRED, 1, INT64_MAX),
	TC_JEND,
};

struct reg_new {
	struct tc_actor actor;
	struct tc_arena *a;
	int64_t citizen_id;
	bool self; /* a citizen by phone: only the people of that phone */
	struct tc_registration g;
};

static tc_err new_run(struct tc_dbc *c, void *cls, struct tc_fault *f)
{
	struct reg_new *rn = cls;
	struct tc_citizen ct;
	int64_t open = 0;
	enum tc_qs qs = tc_q_citizen_get(c, rn->citizen_id, rn->a, &ct);

	if (qs < 0)
		return tc_qs_err(qs, f);
	/* someone else's person answers as if there were none */
	if (qs == TC_QS_NONE ||
	    (rn->self &&
	     (ct.phone == NULL || strcmp(ct.phone, rn->actor.citizen_phone) != 0)))
		return tc_fault_set(
		        f, TC_ERR_INVALID_FIELD, "citizen_id",
		        rn->self ? "no person with that id is registered with your "
		                   "phone"
		                 : "no citizen has that id");
	if (!rn->self && !tc_scope_contains(rn->actor.scope, ct.scope_path))
		return tc_fault_set(f, TC_ERR_OUT_OF_JURISDICTION, "citizen_id",
		                    "that person lives outside your jurisdiction");
	rn->g = (struct tc_registration){
		.id = tc_db_next_id(c),
		.citizen_id = ct.id,
		.status = "pending",
		.priority_group = ct.priority_group,
		.scope_path = ct.scope_path,
		.source = rn->self ? "self" : "staff",
		.version = 1,
		.full_name = ct.full_name,
		.birth_date = ct.birth_date,
		.commune_code = ct.commune_code,
	};
	rn->g.created_at = rn->g.updated_at = tc_now_us();
	qs = tc_q_registration_insert(c, &rn->g);
	if (qs == TC_QS_CONFLICT) {
		if ((qs = tc_q_registration_open_for(c, ct.id, &open)) < 0)
			return tc_qs_err(qs, f);
		tc_fault_set(f, TC_ERR_CONFLICT, "citizen_id",
		             "this person already has an open registration");
		f->existing_id = open;
		return TC_ERR_CONFLICT;
	}
	if (qs < 0)
		return tc_qs_err(qs, f);
	return tc_audit_record(c, &rn->actor, "create", "registration",
	                       id_text(rn->g.id, rn->a), rn->g.scope_path, NULL,
	                       audit_json(&rn->g, rn->a), f);
}

static tc_err new_after(struct tc_req *r)
{
	struct reg_new *rn = r->job.cls;
	return reply_registration(r, MHD_HTTP_CREATED, &rn->g);
}

static tc_err reg_new(struct tc_req *r, bool self)
{
	struct reg_new *rn = TC_NEW(&r->arena, struct reg_new);
	struct reg_body b = { 0 };
	tc_err rc = tc_req_body(r, reg_spec, &b);

	if (rc != TC_ERR_OK)
		return rc;
	rn->actor = r->actor;
	rn->a = &r->arena;
	rn->citizen_id = b.citizen_id.v;
	rn->self = self;
	return tc_req_write(r, new_run, rn, new_after);
}

tc_err tc_api_registration_create(struct tc_req *r)
{
	return reg_new(r, false);
}

tc_err tc_api_me_registration_create(struct tc_req *r)
{
	return reg_new(r, true);
}

/* ---- GET /api/v1/me/registrations ---------------------------------------------------- */

static tc_err mine_run(struct tc_dbc *c, void *cls, struct tc_fault *f)
{
	struct search *s = cls;
	enum tc_qs qs = tc_q_registrations_by_phone(c, s->actor.citizen_phone, s->a,
	                                            &s->list, &s->n);

	if (qs < 0)
		return tc_qs_err(qs, f);
	for (size_t i = 0; i < s->n; i++) {
		tc_err rc = tc_audit_record(c, &s->actor, "read", "registration",
		                            id_text(s->list[i].id, s->a),
		                            s->list[i].scope_path, NULL, NULL, f);
		if (rc != TC_ERR_OK)
			return rc;
	}
	return TC_ERR_OK;
}

static tc_err mine_after(struct tc_req *r)
{
	struct search *s = r->job.cls;
	return reply_list(r, s->list, s->n, NULL);
}

tc_err tc_api_me_registrations(struct tc_req *r)
{
	struct search *s = TC_NEW(&r->arena, struct search);

	s->actor = r->actor;
	s->a = &r->arena;
	return tc_req_write(r, mine_run, s, mine_after);
}

/* ---- the steps, on many at once --------------------------------------------------------- */

struct step_body {
	struct tc_jint limit;
	const char *reason;
	const char *district;
	struct tc_jint session_id;
};

#define STEP_LIMIT TC_JINT(struct step_body, limit, 0, 1, MAX_IDS)
static const struct tc_jfield approve_spec[] = { STEP_LIMIT, TC_JEND };
static const struct tc_jfield reason_spec[] = {
	STEP_LIMIT,
	TC_JSTR(struct step_body, reason, TC_JF_REQUIRED, 3, 500),
	TC_JEND,
};
static const struct tc_jfield allocate_spec[] = {
	STEP_LIMIT,
	TC_JSTR(struct step_body, district, TC_JF_REQUIRED, 1, 16),
	TC_JEND,
};
static const struct tc_jfield schedule_spec[] = {
	STEP_LIMIT,
	TC_JINT(struct step_body, session_id, TC_JF_REQUIRED, 1, INT64_MAX),
	TC_JEND,
};

struct skip {
	int64_t id;
	const char *reason;
};

struct bulk {
	struct tc_actor actor;
	struct tc_arena *a;
	enum tc_reg_action act;
	/* which: ids, or a filter */
	int64_t *ids;
	size_t nids;
	bool by_filter;
	struct tc_reg_filter flt;
	int64_t limit;
	/* what the step needs */
	const char *reason;
	const char *district;
	const char *district_path;
	int64_t session_id;
	/* the outcome (reset by every attempt) */
	struct tc_vsession ses;
	int64_t now, today;
	size_t done, nskipped;
	struct skip *skipped;
	size_t messages;
};

static void skip(struct bulk *b, int64_t id, const char *reason)
{
	b->skipped[b->nskipped++] = (struct skip){ id, reason };
}

/* The session a schedule step fills, read inside the transaction. */
static tc_err load_session(struct tc_dbc *c, struct bulk *b, struct tc_fault *f)
{
	char today[11];
	enum tc_qs qs = tc_q_vsession_get(c, b->session_id, b->a, &b->ses);

	if (qs < 0)
		return tc_qs_err(qs, f);
	if (qs == TC_QS_NONE)
		return tc_fault_set(f, TC_ERR_INVALID_FIELD, "session_id",
		                    "no session has that id");
	if (!tc_scope_contains(b->actor.scope, b->ses.scope_path))
		return tc_fault_set(
		        f, TC_ERR_OUT_OF_JURISDICTION, "session_id",
		        "that session is at a site outside your jurisdiction");
	if (strcmp(b->ses.status, "open") != 0)
		return tc_fault_setf(f, b->a, TC_ERR_INVALID_FIELD, "session_id",
		                     "that session is %s", b->ses.status);
	tc_day_format(b->today, today);
	if (strcmp(b->ses.day, today) < 0)
		return tc_fault_set(f, TC_ERR_INVALID_FIELD, "session_id",
		                    "that session is in the past");
	return TC_ERR_OK;
}

/* One registration through the step: NULL when done, else why not. */
static const char *step_one(struct tc_dbc *c, struct bulk *b, struct tc_registration *g,
                            bool *full, tc_err *err, struct tc_fault *f)
{
	char district[TC_DISTRICT_PATH_LEN];
	struct tc_registration after = *g;
	enum tc_reg_state from, to;
	bool booked = false;
	enum tc_qs qs;

	*err = TC_ERR_OK;
	if (!tc_reg_in_scope(b->actor.scope, g->scope_path, g->district_code))
		return "out_of_jurisdiction";
	if (!tc_reg_state_parse(g->status, &from))
		return "wrong_state";
	switch (tc_regflow_step(b->actor.role, b->act, from, &to)) {
	case TC_REGFLOW_OK: break;
	case TC_REGFLOW_WRONG_STATE: return "wrong_state";
	case TC_REGFLOW_NOT_YOUR_STEP: return "not_your_step";
	}
	after.status = tc_reg_state_name(to);
	after.updated_at = b->now;
	switch (b->act) {
	case TC_REGA_REJECT:
	case TC_REGA_CANCEL: after.reason = b->reason; break;
	case TC_REGA_ALLOCATE:
		/* people are allocated within their own province */
		if (!tc_reg_district_path(g->scope_path, b->district, district) ||
		    strcmp(district, b->district_path) != 0)
			return "other_province";
		if (from == TC_REG_ALLOCATED && g->district_code &&
		    strcmp(g->district_code, b->district) == 0)
			return "already_there";
		after.district_code = b->district;
		break;
	case TC_REGA_SCHEDULE:
		if (*full)
			return "session_full";
		if (!g->district_code ||
		    !tc_reg_district_path(g->scope_path, g->district_code, district) ||
		    !tc_scope_contains(district, b->ses.scope_path))
			return "other_district";
		qs = tc_q_vsession_book(c, b->ses.id);
		if (qs < 0)
			goto db_error;
		if (qs == TC_QS_NONE) {
			*full = true;
			return "session_full";
		}
		booked = true;
		after.session_id = b->ses.id;
		break;
	default: break;
	}
	qs = tc_q_registration_update(c, g, &after);
	if (qs < 0)
		goto db_error;
	if (qs == TC_QS_NONE) {
		/* changed by another request since it was read */
		if (booked && (qs = tc_q_vsession_unbook(c, b->ses.id)) < 0)
			goto db_error;
		return "changed";
	}
	/* a scheduled person who is cancelled frees the place */
	if (b->act == TC_REGA_CANCEL && from == TC_REG_SCHEDULED && g->session_id &&
	    (qs = tc_q_vsession_unbook(c, g->session_id)) < 0)
		goto db_error;
	after.version = g->version + 1;
	*err = tc_audit_record(c, &b->actor, tc_reg_action_name(b->act), "registration",
	                       id_text(g->id, b->a), g->scope_path, audit_json(g, b->a),
	                       audit_json(&after, b->a), f);
	if (*err != TC_ERR_OK)
		return "error";
	if (b->act == TC_REGA_SCHEDULE && g->phone) {
		struct tc_message m = {
			.channel = "sms",
			.recipient = g->phone,
			.kind = "appointment",
			.body = tc_appointment_sms(g->full_name, b->ses.day,
			                           b->ses.starts, b->ses.ends,
			                           b->ses.site_name, b->a),
			.created_at = b->now,
		};
		if ((qs = tc_q_outbox_add(c, &m)) < 0)
			goto db_error;
		b->messages++;
	}
	*g = after;
	return NULL;
db_error:
	*err = tc_qs_err(qs, f);
	return "error";
}

static tc_err bulk_run(struct tc_dbc *c, void *cls, struct tc_fault *f)
{
	struct bulk *b = cls;
	struct tc_registration *regs = NULL;
	size_t n = 0;
	bool full = false;
	enum tc_qs qs;
	tc_err rc;

	/* start from the inputs: the job may run again */
	b->done = b->nskipped = b->messages = 0;
	b->now = tc_now_us();
	b->today = tc_vn_day(b->now);
	if (b->act == TC_REGA_SCHEDULE && (rc = load_session(c, b, f)) != TC_ERR_OK)
		return rc;
	if (b->by_filter) {
		struct tc_page page = { .limit = b->limit, .offset = 0 };
		qs = tc_q_registrations_list(c, &b->flt, page, b->a, &regs, &n);
		if (qs < 0)
			return tc_qs_err(qs, f);
	} else {
		regs = TC_NEWN(b->a, struct tc_registration, b->nids);
	}
	b->skipped = TC_NEWN(b->a, struct skip, b->by_filter ? n + 1 : b->nids + 1);
	for (size_t i = 0; i < (b->by_filter ? n : b->nids); i++) {
		struct tc_registration *g = &regs[i];
		if (!b->by_filter) {
			qs = tc_q_registration_get(c, b->ids[i], b->a, g);
			if (qs < 0)
				return tc_qs_err(qs, f);
			if (qs == TC_QS_NONE) {
				skip(b, b->ids[i], "not_found");
				continue;
			}
		}
		const char *why = step_one(c, b, g, &full, &rc, f);
		if (rc != TC_ERR_OK)
			return rc;
		if (why)
			skip(b, g->id, why);
		else
			b->done++;
	}
	return TC_ERR_OK;
}

static tc_err bulk_after(struct tc_req *r)
{
	struct bulk *b = r->job.cls;
	struct tc_jw *w;

	if (b->messages)
		tc_outbox_kick(tc_server_outbox(r->srv));
	w = tc_reply_begin(r);
	tc_jw_obj(w);
	tc_jw_kint(w, "done", (int64_t)b->done);
	tc_jw_key(w, "skipped");
	tc_jw_arr(w);
	for (size_t i = 0; i < b->nskipped; i++) {
		tc_jw_obj(w);
		tc_jw_kint(w, "id", b->skipped[i].id);
		tc_jw_kstr(w, "reason", b->skipped[i].reason);
		tc_jw_end(w);
	}
	tc_jw_end(w);
	tc_jw_end(w);
	return tc_reply_end(r, MHD_HTTP_OK);
}

/* Takes "ids" (an array of registration ids) or "filter" (an object of
 * filters) out of the body, then reads what is left by `spec`. */
static tc_err bulk_parse(struct tc_req *r, const struct tc_jfield *spec,
                         struct step_body *sb, struct filter_in *fin, struct bulk *b)
{
	const char *ct = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND,
	                                             MHD_HTTP_HEADER_CONTENT_TYPE);
	json_error_t jerr;
	json_t *root, *ids, *filter;
	char *rest = NULL, *ftext = NULL;
	tc_err rc = TC_ERR_OK;

	if (ct && strncasecmp(ct, "application/json", 16) != 0)
		return tc_fault_set(&r->fault, TC_ERR_UNSUPPORTED_MEDIA, NULL, NULL);
	if (r->body.len == 0)
		return tc_fault_set(
		        &r->fault, TC_ERR_BAD_JSON, NULL,
		        "the request body is empty; a JSON object is required");
	root = json_loadb(r->body.data, r->body.len,
	                  JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL, &jerr);
	if (root == NULL)
		return tc_fault_setf(&r->fault, &r->arena, TC_ERR_BAD_JSON, NULL,
		                     "malformed JSON at line %d, column %d: %s",
		                     jerr.line, jerr.column, jerr.text);
	if (!json_is_object(root)) {
		rc = tc_fault_set(&r->fault, TC_ERR_NOT_OBJECT, NULL, NULL);
		goto out;
	}
	ids = json_incref(json_object_get(root, "ids"));
	filter = json_incref(json_object_get(root, "filter"));
	json_object_del(root, "ids");
	json_object_del(root, "filter");
	if ((ids == NULL) == (filter == NULL)) {
		rc = tc_fault_set(
		        &r->fault, ids ? TC_ERR_INVALID_FIELD : TC_ERR_MISSING_FIELD,
		        "ids", "give either ids (a list of registration ids) or filter");
	} else if (ids) {
		size_t k;
		json_t *v;
		if (!json_is_array(ids) || json_array_size(ids) == 0 ||
		    json_array_size(ids) > MAX_IDS) {
			rc = tc_fault_set(
			        &r->fault, TC_ERR_INVALID_FIELD, "ids",
			        "ids must be a list of 1 to 1000 registration ids");
		} else {
			b->ids = TC_NEWN(&r->arena, int64_t, json_array_size(ids));
			json_array_foreach(ids, k, v)
			{
				if (!json_is_integer(v) || json_integer_value(v) < 1) {
					rc = tc_fault_set(
					        &r->fault, TC_ERR_INVALID_FIELD, "ids",
					        "ids must be whole numbers, 1 or more");
					break;
				}
				b->ids[b->nids++] = json_integer_value(v);
			}
		}
	} else if (!json_is_object(filter)) {
		rc = tc_fault_set(&r->fault, TC_ERR_WRONG_TYPE, "filter",
		                  "filter must be an object");
	} else {
		b->by_filter = true;
		ftext = json_dumps(filter, JSON_COMPACT);
		rc = tc_jspec_parse(ftext, strlen(ftext), filter_spec, fin, &r->arena,
		                    &r->fault);
		if (rc != TC_ERR_OK && r->fault.field)
			r->fault.field =
			        tc_arena_printf(&r->arena, "filter.%s", r->fault.field);
	}
	json_decref(ids);
	json_decref(filter);
	if (rc != TC_ERR_OK)
		goto out;
	rest = json_dumps(root, JSON_COMPACT);
	rc = tc_jspec_parse(rest, strlen(rest), spec, sb, &r->arena, &r->fault);
	if (rc == TC_ERR_OK && sb->limit.set && !b->by_filter)
		rc = tc_fault_set(&r->fault, TC_ERR_INVALID_FIELD, "limit",
		                  "limit goes with filter, not with ids");
out:
	free(rest);
	free(ftext);
	json_decref(root);
	return rc;
}

/* The filter's unit: a unit or facility code inside the caller's
 * jurisdiction (the caller's own when not given). */
static tc_err bulk_filter_scope(struct tc_req *r, const struct filter_in *fin,
                                struct bulk *b)
{
	struct tc_place place;
	struct tc_dbc *c;
	tc_err rc;

	if (fin->unit == NULL) {
		filter_scope(&b->flt, r->actor.scope, &r->arena);
		return TC_ERR_OK;
	}
	if ((rc = tc_req_dbc(r, &c)) != TC_ERR_OK)
		return rc;
	rc = tc_place_resolve(c, fin->unit, 0, &r->arena, &place, &r->fault);
	tc_req_dbc_release(r, c);
	if (rc == TC_ERR_OK)
		rc = tc_req_require_scope(r, place.scope);
	if (rc != TC_ERR_OK && tc_err_status(rc) < 500)
		r->fault.field = "filter.unit";
	if (rc == TC_ERR_OK)
		filter_scope(&b->flt, place.scope, &r->arena);
	return rc;
}

/* allocate: the district must be one, inside the caller's jurisdiction */
static tc_err bulk_district(struct tc_req *r, struct bulk *b)
{
	const struct tc_unit *u;
	struct tc_dbc *c;
	tc_err rc = tc_req_dbc(r, &c);

	if (rc != TC_ERR_OK)
		return rc;
	u = tc_units_get(tc_db_units(c), b->district);
	tc_req_dbc_release(r, c);
	if (u == NULL || strcmp(u->level, "district") != 0)
		return tc_fault_set(&r->fault, TC_ERR_INVALID_FIELD, "district",
		                    "district must be the code of a district (3 digits)");
	rc = tc_req_require_scope(r, u->path);
	if (rc != TC_ERR_OK) {
		r->fault.field = "district";
		return rc;
	}
	b->district = u->code;
	b->district_path = u->path;
	return TC_ERR_OK;
}

static tc_err bulk(struct tc_req *r, enum tc_reg_action act, const struct tc_jfield *spec)
{
	struct bulk *b = TC_NEW(&r->arena, struct bulk);
	struct step_body sb = { 0 };
	struct filter_in fin = { 0 };
	tc_err rc;

	rc = bulk_parse(r, spec, &sb, &fin, b);
	if (rc != TC_ERR_OK)
		return rc;
	b->act = act;
	b->actor = r->actor;
	b->a = &r->arena;
	b->reason = sb.reason;
	b->session_id = sb.session_id.v;
	if (act == TC_REGA_ALLOCATE) {
		b->district = sb.district;
		if ((rc = bulk_district(r, b)) != TC_ERR_OK)
			return rc;
	}
	if (b->by_filter) {
		if (fin.status == NULL)
			fin.status = tc_reg_action_default_status(act);
		rc = filter_build(&fin, TC_ERR_INVALID_FIELD, "filter.", &r->arena,
		                  &b->flt, &r->fault);
		if (rc == TC_ERR_OK)
			rc = bulk_filter_scope(r, &fin, b);
		if (rc != TC_ERR_OK)
			return rc;
		b->limit = sb.limit.set ? sb.limit.v : 100;
	}
	return tc_req_write(r, bulk_run, b, bulk_after);
}

tc_err tc_api_registrations_approve(struct tc_req *r)
{
	return bulk(r, TC_REGA_APPROVE, approve_spec);
}

tc_err tc_api_registrations_reject(struct tc_req *r)
{
	return bulk(r, TC_REGA_REJECT, reason_spec);
}

tc_err tc_api_registrations_allocate(struct tc_req *r)
{
	return bulk(r, TC_REGA_ALLOCATE, allocate_spec);
}

tc_err tc_api_registrations_schedule(struct tc_req *r)
{
	return bulk(r, TC_REGA_SCHEDULE, schedule_spec);
}

tc_err tc_api_registrations_cancel(struct tc_req *r)
{
	return bulk(r, TC_REGA_CANCEL, reason_spec);
}
