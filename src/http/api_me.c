/* The citizen portal's API, for a phone verified by a one-time code:
 * GET and POST /api/v1/me/people (the owner and family members registered
 * with this phone: many households share one), the personal QR of each,
 * and POST /api/v1/me/logout. A citizen reaches only the records that
 * carry their verified phone. */
#include <microhttpd.h>
#include <string.h>

#include "../core/tctime.h"
#include "../db/citizens.h"
#include "../db/records.h"
#include "../domain/birthdate.h"
#include "../io/qr.h"
#include "api.h"

/* A household registers at most this many people on one phone. */
#define MAX_PEOPLE_PER_PHONE 10

/* ---- GET /api/v1/me/people ------------------------------------------------ */

struct people {
	struct tc_actor actor;
	struct tc_arena *a;
	struct tc_citizen *list;
	size_t n;
};

static tc_err people_run(struct tc_dbc *c, void *cls, struct tc_fault *f)
{
	struct people *p = cls;
	enum tc_qs qs = tc_q_citizens_by_phone(c, p->actor.citizen_phone, p->a, &p->list, &p->n);

	if (qs < 0)
		return tc_qs_err(qs, f);
	for (size_t i = 0; i < p->n; i++) {
		tc_err rc = tc_audit_record(c, &p->actor, "read", "citizen",
		                            tc_arena_printf(p->a, "%lld", (long long)p->list[i].id),
		                            p->list[i].scope_path, NULL, NULL, f);
		if (rc != TC_ERR_OK)
			return rc;
	}
	return TC_ERR_OK;
}

static tc_err people_after(struct tc_req *r)
{
	struct people *p = r->job.cls;
	struct tc_jw *w = tc_reply_begin(r);

	tc_jw_obj(w);
	tc_jw_kstr(w, "phone", p->actor.citizen_phone);
	tc_jw_key(w, "people");
	tc_jw_arr(w);
	for (size_t i = 0; i < p->n; i++)
		tc_jw_citizen(w, &p->list[i]);
	tc_jw_end(w);
	tc_jw_end(w);
	return tc_reply_end(r, MHD_HTTP_OK);
}

tc_err tc_api_me_people(struct tc_req *r)
{
	struct people *p = TC_NEW(&r->arena, struct people);

	p->actor = r->actor;
	p->a = &r->arena;
	return tc_req_write(r, people_run, p, people_after);
}

/* ---- POST /api/v1/me/people ------------------------------------------------- */

struct reg_body {
	const char *id_type;
	const char *id_number;
	const char *full_name;
	const char *birth_date;
	const char *gender;
	const char *commune_code;
	const char *address;
	const char *nationality;
	struct tc_jint priority_group;
	struct tc_jint guardian_id;
};

static const struct tc_jfield reg_spec[] = {
	TC_JSTR(struct reg_body, id_type, 0, 1, 16),
	TC_JSTR(struct reg_body, id_number, 0, 0, 32),
	TC_JSTR(struct reg_body, full_name, TC_JF_REQUIRED, 1, 200),
	TC_JSTR(struct reg_body, birth_date, TC_JF_REQUIRED, 4, 10),
	TC_JSTR(struct reg_body, gender, TC_JF_REQUIRED, 1, 16),
	TC_JSTR(struct reg_body, commune_code, TC_JF_REQUIRED, 1, 16),
	TC_JSTR(struct reg_body, address, 0, 0, 500),
	TC_JSTR(struct reg_body, nationality, 0, 2, 2),
	TC_JINT(struct reg_body, priority_group, 0, 0, TC_PRIORITY_GROUPS),
	TC_JINT(struct reg_body, guardian_id, 0, 0, INT64_MAX),
	TC_JEND,
};

struct reg {
	struct tc_actor actor;
	struct tc_citizen ct;
	struct tc_arena *a;
	int64_t existing;
	bool dups;
};

/* A citizen is told the number is on file, not whose record holds it. */
static tc_err reg_conflict(struct tc_fault *f)
{
	f->existing_id = 0;
	return f->code;
}

static tc_err reg_run(struct tc_dbc *c, void *cls, struct tc_fault *f)
{
	struct reg *g = cls;
	struct tc_citizen *same;
	size_t n;
	enum tc_qs qs = tc_q_citizens_by_phone(c, g->actor.citizen_phone, g->a, &same, &n);

	if (qs < 0)
		return tc_qs_err(qs, f);
	if (n >= MAX_PEOPLE_PER_PHONE)
		return tc_fault_set(f, TC_ERR_INVALID_FIELD, "phone",
		                    "this phone already has 10 people registered");
	/* a guardian named here must be one of this phone's people */
	if (g->ct.guardian_id) {
		bool mine = false;
		for (size_t i = 0; i < n; i++)
			mine = mine || same[i].id == g->ct.guardian_id;
		if (!mine)
			return tc_fault_set(f, TC_ERR_INVALID_FIELD, "guardian_id",
			                    "the guardian must be registered with this phone");
	}
	tc_err rc = tc_citizen_insert(c, &g->actor, &g->ct, g->a, &g->existing, &g->dups, f);
	return rc == TC_ERR_CONFLICT ? reg_conflict(f) : rc;
}

static tc_err reg_after(struct tc_req *r)
{
	struct reg *g = r->job.cls;
	struct tc_jw *w = tc_reply_begin(r);

	tc_jw_obj(w);
	tc_jw_key(w, "citizen");
	tc_jw_citizen(w, &g->ct);
	tc_jw_end(w);
	return tc_reply_end(r, MHD_HTTP_CREATED);
}

tc_err tc_api_me_register(struct tc_req *r)
{
	struct reg *g = TC_NEW(&r->arena, struct reg);
	struct reg_body b = {0};
	struct tc_citizen_in in;
	const struct tc_units *units;
	struct tc_dbc *c;
	tc_err rc;

	rc = tc_req_body(r, reg_spec, &b);
	if (rc != TC_ERR_OK)
		return rc;
	in = (struct tc_citizen_in){
		.id_type = b.id_type,
		.id_number = b.id_number,
		.full_name = b.full_name,
		.birth_date = b.birth_date,
		.gender = b.gender,
		.phone = r->actor.citizen_phone, /* the verified phone, never another */
		.commune_code = b.commune_code,
		.address = b.address,
		.nationality = b.nationality,
		.priority_group = b.priority_group.set ? b.priority_group.v : 0,
		.guardian_id = b.guardian_id.set ? b.guardian_id.v : 0,
	};
	rc = tc_req_dbc(r, &c);
	if (rc != TC_ERR_OK)
		return rc;
	units = tc_db_units(c);
	tc_req_dbc_release(r, c);
	rc = tc_citizen_prepare(&in, units, tc_vn_day(tc_now_us()), &r->arena, &g->ct,
	                        &r->fault);
	if (rc != TC_ERR_OK)
		return rc;
	g->actor = r->actor;
	g->a = &r->arena;
	g->ct.source = "self";
	g->ct.created_at = g->ct.updated_at = tc_now_us();
	return tc_req_write(r, reg_run, g, reg_after);
}

/* ---- GET /api/v1/me/people/{id}/qr.svg|png ------------------------------------ */

struct myqr {
	struct tc_actor actor;
	struct tc_arena *a;
	int64_t id;
	bool png;
	struct tc_citizen ct;
};

static tc_err myqr_run(struct tc_dbc *c, void *cls, struct tc_fault *f)
{
	struct myqr *q = cls;
	enum tc_qs qs = tc_q_citizen_get(c, q->id, q->a, &q->ct);

	/* someone else's record answers as if it did not exist */
	if (qs == TC_QS_ONE && (q->ct.phone == NULL ||
	                        strcmp(q->ct.phone, q->actor.citizen_phone) != 0))
		qs = TC_QS_NONE;
	if (qs != TC_QS_ONE)
		return tc_qs_err(qs, f);
	return tc_audit_record(c, &q->actor, "read_qr", "citizen",
	                       tc_arena_printf(q->a, "%lld", (long long)q->id),
	                       q->ct.scope_path, NULL, NULL, f);
}

static tc_err myqr_after(struct tc_req *r)
{
	struct myqr *q = r->job.cls;
	struct tc_buf b;
	tc_err rc;

	tc_buf_init(&b);
	rc = q->png ? tc_qr_png(q->ct.qr_token, strlen(q->ct.qr_token), 8, &b, &r->fault)
	            : tc_qr_svg(q->ct.qr_token, strlen(q->ct.qr_token), &b, &r->fault);
	if (rc == TC_ERR_OK)
		tc_reply_text(r, MHD_HTTP_OK, q->png ? "image/png" : "image/svg+xml", b.data,
		              b.len);
	tc_buf_cleanup(&b);
	return rc;
}

static tc_err myqr(struct tc_req *r, bool png)
{
	struct myqr *q = TC_NEW(&r->arena, struct myqr);
	tc_err rc = tc_req_param_id(r, 0, &q->id);

	if (rc != TC_ERR_OK)
		return rc;
	q->actor = r->actor;
	q->a = &r->arena;
	q->png = png;
	return tc_req_write(r, myqr_run, q, myqr_after);
}

tc_err tc_api_me_qr_svg(struct tc_req *r)
{
	return myqr(r, false);
}

tc_err tc_api_me_qr_png(struct tc_req *r)
{
	return myqr(r, true);
}

/* ---- POST /api/v1/me/logout ------------------------------------------------------ */

static tc_err logout_run(struct tc_dbc *c, void *cls, struct tc_fault *f)
{
	const struct tc_actor *actor = cls;
	enum tc_qs qs = tc_q_csession_delete(c, actor->session_id);
	return qs < 0 ? tc_qs_err(qs, f) : TC_ERR_OK;
}

static tc_err logout_after(struct tc_req *r)
{
	struct tc_jw *w = tc_reply_begin(r);
	tc_jw_obj(w);
	tc_jw_kbool(w, "logged_out", true);
	tc_jw_end(w);
	return tc_reply_end(r, MHD_HTTP_OK);
}

tc_err tc_api_me_logout(struct tc_req *r)
{
	struct tc_actor *a = TC_NEW(&r->arena, struct tc_actor);
	*a = r->actor;
	return tc_req_write(r, logout_run, a, logout_after);
}
