/* Facilities: GET /api/v1/facilities?unit=&kind=, GET .../{id},
 * POST /api/v1/facilities. */
#include <microhttpd.h>
#include <string.h>

#include "../core/tctime.h"
#include "../db/records.h"
#include "api.h"

static enum tc_qs get_facility(struct tc_dbc *c, int64_t id, struct tc_arena *a, void *out)
{
	return tc_q_facility_get(c, id, a, out);
}

tc_err tc_scope_facility_id(struct tc_req *r)
{
	struct tc_facility *f = TC_NEW(&r->arena, struct tc_facility);
	tc_err rc = tc_req_load_by_id(r, get_facility, f);

	if (rc != TC_ERR_OK)
		return rc;
	r->target = f;
	r->target_scope = f->scope_path;
	return TC_ERR_OK;
}

tc_err tc_api_facilities_list(struct tc_req *r)
{
	const char *kind = tc_req_query(r, "kind");
	struct tc_facility *fs;
	struct tc_page page;
	struct tc_dbc *c;
	size_t n;
	enum tc_qs qs;
	tc_err rc;

	if (kind && !tc_facility_kind_valid(kind))
		return tc_fault_set(&r->fault, TC_ERR_INVALID_PARAMETER, "kind",
		                    "kind must be national_warehouse, provincial_warehouse,"
		                    " district_centre or vaccination_site");
	rc = tc_req_page(r, 100, 1000, &page);
	if (rc != TC_ERR_OK)
		return rc;
	rc = tc_req_dbc(r, &c);
	if (rc != TC_ERR_OK)
		return rc;
	qs = tc_q_facilities_list(c, r->target_scope, kind, page, &r->arena, &fs, &n);
	tc_req_dbc_release(r, c);
	if (qs < 0)
		return tc_qs_err(qs, &r->fault);
	struct tc_jw *w = tc_reply_begin(r);
	tc_jw_obj(w);
	tc_jw_key(w, "facilities");
	tc_jw_arr(w);
	for (size_t i = 0; i < n; i++)
		tc_jw_facility(w, &fs[i]);
	tc_jw_end(w);
	tc_jw_kint(w, "limit", page.limit);
	tc_jw_kint(w, "offset", page.offset);
	tc_jw_end(w);
	return tc_reply_end(r, MHD_HTTP_OK);
}

static tc_err reply_facility(struct tc_req *r, unsigned status,
                             const struct tc_facility *f)
{
	struct tc_jw *w = tc_reply_begin(r);
	tc_jw_obj(w);
	tc_jw_key(w, "facility");
	tc_jw_facility(w, f);
	tc_jw_end(w);
	return tc_reply_end(r, status);
}

tc_err tc_api_facility_get(struct tc_req *r)
{
	return reply_facility(r, MHD_HTTP_OK, r->target);
}

struct fac_body {
	const char *kind;
	const char *name;
	const char *unit;
	const char *address;
	struct tc_jint daily_capacity;
};

static const struct tc_jfield create_spec[] = {
	TC_JSTR(struct fac_body, kind, TC_JF_REQUIRED, 1, 32),
	TC_JSTR(struct fac_body, name, TC_JF_REQUIRED, 2, 200),
	TC_JSTR(struct fac_body, unit, TC_JF_REQUIRED, 1, 16),
	TC_JSTR(struct fac_body, address, 0, 0, 500),
	TC_JINT(struct fac_body, daily_capacity, 0, 0, 1000000),
	TC_JEND,
};

struct fac_create {
	struct tc_actor actor;
	const char *unit_path;
	struct tc_facility f;
	struct tc_arena *a;
};

static tc_err create_run(struct tc_dbc *c, void *cls, struct tc_fault *f)
{
	struct fac_create *fc = cls;
	enum tc_qs qs = tc_q_facility_insert(c, fc->unit_path, &fc->f, fc->a);

	if (qs == TC_QS_CONFLICT)
		return tc_fault_set(f, TC_ERR_CONFLICT, "name",
		                    "a facility of that name already exists in that unit");
	if (qs < 0)
		return tc_qs_err(qs, f);
	return tc_audit_record(c, &fc->actor, "create", "facility",
	                       tc_arena_printf(fc->a, "%lld", (long long)fc->f.id),
	                       fc->f.scope_path, NULL, tc_facility_json(&fc->f, fc->a), f);
}

static tc_err create_after(struct tc_req *r)
{
	struct fac_create *fc = r->job.cls;
	return reply_facility(r, MHD_HTTP_CREATED, &fc->f);
}

tc_err tc_api_facility_create(struct tc_req *r)
{
	struct fac_body b = {0};
	struct fac_create *fc = TC_NEW(&r->arena, struct fac_create);
	struct tc_place place;
	struct tc_dbc *c;
	tc_err rc;

	rc = tc_req_body(r, create_spec, &b);
	if (rc != TC_ERR_OK)
		return rc;
	if (!tc_facility_kind_valid(b.kind))
		return tc_fault_set(&r->fault, TC_ERR_INVALID_FIELD, "kind",
		                    "kind must be national_warehouse, provincial_warehouse,"
		                    " district_centre or vaccination_site");
	if (!tc_facility_kind_creatable_by(b.kind, r->actor.role))
		return tc_fault_setf(&r->fault, &r->arena, TC_ERR_FORBIDDEN, "kind",
		                     "a %s cannot create a %s", tc_role_name(r->actor.role),
		                     b.kind);
	rc = tc_req_dbc(r, &c);
	if (rc != TC_ERR_OK)
		return rc;
	rc = tc_place_resolve(c, b.unit, 0, &r->arena, &place, &r->fault);
	tc_req_dbc_release(r, c);
	if (rc != TC_ERR_OK)
		return rc;
	rc = tc_req_require_scope(r, place.scope);
	if (rc != TC_ERR_OK) {
		r->fault.field = "unit";
		return rc;
	}
	if (!tc_facility_kind_at(b.kind, place.level))
		return tc_fault_set(&r->fault, TC_ERR_INVALID_FIELD, "unit",
		                    "that kind of facility does not belong at that level "
		                    "(national warehouse: VN; provincial: a province; "
		                    "district centre: a district; site: a district or commune)");
	if (strcmp(b.kind, "vaccination_site") == 0 &&
	    (!b.daily_capacity.set || b.daily_capacity.v < 1))
		return tc_fault_set(&r->fault, TC_ERR_INVALID_FIELD, "daily_capacity",
		                    "a vaccination site needs a daily capacity of 1 or more");
	fc->actor = r->actor;
	fc->a = &r->arena;
	fc->unit_path = place.scope;
	fc->f = (struct tc_facility){.kind = b.kind,
	                             .name = b.name,
	                             .unit_code = place.unit_code,
	                             .address = b.address,
	                             .daily_capacity = b.daily_capacity.set ? b.daily_capacity.v : 0,
	                             .active = true,
	                             .created_at = tc_now_us()};
	return tc_req_write(r, create_run, fc, create_after);
}
