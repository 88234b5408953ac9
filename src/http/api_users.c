/* Staff accounts: POST /api/v1/users, GET /api/v1/users,
 * GET /api/v1/users/{id}, PATCH /api/v1/users/{id}.
 * Admins manage accounts inside their jurisdiction and never grant a
 * role or a jurisdiction wider than their own. */
#include <microhttpd.h>
#include <string.h>

#include "../core/tctime.h"
#include "../crypto/secret.h"
#include "../db/records.h"
#include "api.h"
#include "offload.h"

/* ---- scope resolvers (run by the router before the handler) ----------- */

static enum tc_qs get_user(struct tc_dbc *c, int64_t id, struct tc_arena *a, void *out)
{
	return tc_q_user_get(c, id, a, out);
}

tc_err tc_scope_user_id(struct tc_req *r)
{
	struct tc_user *u = TC_NEW(&r->arena, struct tc_user);
	tc_err rc = tc_req_load_by_id(r, get_user, u);

	if (rc != TC_ERR_OK)
		return rc;
	r->target = u;
	r->target_scope = u->scope_path;
	return TC_ERR_OK;
}

tc_err tc_scope_query_place(struct tc_req *r)
{
	const char *unit = tc_req_query(r, "unit");
	const char *fac = tc_req_query(r, "facility");
	struct tc_place place;
	struct tc_dbc *c;
	int64_t fid = 0;
	tc_err rc;

	if (unit == NULL && fac == NULL) {
		r->target_scope = r->actor.scope;
		return TC_ERR_OK;
	}
	if (fac && !tc_parse_i64(fac, 1, INT64_MAX, &fid))
		return tc_fault_set(&r->fault, TC_ERR_INVALID_PARAMETER, "facility",
		                    "facility must be a facility id");
	rc = tc_req_dbc(r, &c);
	if (rc != TC_ERR_OK)
		return rc;
	rc = tc_place_resolve(c, unit, fid, &r->arena, &place, &r->fault);
	tc_req_dbc_release(r, c);
	if (rc != TC_ERR_OK && tc_err_status(rc) < 500) {
		r->fault.code = TC_ERR_INVALID_PARAMETER;
		return TC_ERR_INVALID_PARAMETER;
	}
	if (rc != TC_ERR_OK)
		return rc;
	r->target_scope = place.scope;
	return TC_ERR_OK;
}

/* ---- POST /api/v1/users ------------------------------------------------ */

struct user_body {
	const char *username;
	const char *password;
	const char *role;
	const char *unit;
	struct tc_jint facility;
	struct tc_jbool active;
};

static const struct tc_jfield create_spec[] = {
	TC_JSTR(struct user_body, username, TC_JF_REQUIRED, 3, 64),
	TC_JSTR(struct user_body, password, TC_JF_REQUIRED, 1, 1024),
	TC_JSTR(struct user_body, role, TC_JF_REQUIRED, 1, 32),
	TC_JSTR(struct user_body, unit, 0, 1, 16),
	TC_JINT(struct user_body, facility, 0, 1, INT64_MAX),
	TC_JEND,
};

struct create {
	struct tc_actor actor;
	struct tc_user u;
	struct tc_arena *a;
	const char *password; /* wiped once hashed */
	char hash[TC_PWHASH_LEN];
	bool hashed;
};

/* On the hashing pool: Argon2id never runs on an HTTP worker. */
static void hash_password(const char *password, char out[TC_PWHASH_LEN], bool *ok)
{
	*ok = tc_password_hash(password, out) == 0;
	tc_wipe((char *)password, strlen(password));
}

static void create_hash(void *cls)
{
	struct create *cr = cls;
	hash_password(cr->password, cr->hash, &cr->hashed);
}

static tc_err create_run(struct tc_dbc *c, void *cls, struct tc_fault *f)
{
	struct create *cr = cls;
	return tc_staff_insert(c, &cr->actor, &cr->u, cr->a, f);
}

static tc_err reply_user(struct tc_req *r, unsigned status, const struct tc_user *u)
{
	struct tc_jw *w = tc_reply_begin(r);
	tc_jw_obj(w);
	tc_jw_key(w, "user");
	tc_jw_user(w, u);
	tc_jw_end(w);
	return tc_reply_end(r, status);
}

static tc_err create_after(struct tc_req *r)
{
	struct create *cr = r->job.cls;
	return reply_user(r, MHD_HTTP_CREATED, &cr->u);
}

static tc_err create_hashed(struct tc_req *r)
{
	struct create *cr = r->offloaded;

	if (!cr->hashed)
		return tc_fault_internal(&r->fault, TC_ERR_INTERNAL, "password hashing failed");
	cr->u.password_hash = cr->hash;
	return tc_req_write(r, create_run, cr, create_after);
}

static tc_err check_role(struct tc_req *r, const char *text, enum tc_role *role)
{
	if (!tc_role_parse(text, role))
		return tc_fault_set(&r->fault, TC_ERR_INVALID_FIELD, "role",
		                    "role must be one of national_admin, province_health, "
		                    "district_centre, site_manager, site_staff, "
		                    "commune_officer, mcc_agent, viewer");
	return TC_ERR_OK;
}

static tc_err resolve(struct tc_req *r, const char *unit, int64_t facility,
                      struct tc_place *place)
{
	struct tc_dbc *c;
	tc_err rc = tc_req_dbc(r, &c);

	if (rc != TC_ERR_OK)
		return rc;
	rc = tc_place_resolve(c, unit, facility, &r->arena, place, &r->fault);
	tc_req_dbc_release(r, c);
	return rc;
}

tc_err tc_api_user_create(struct tc_req *r)
{
	struct user_body b = {0};
	struct create *cr = TC_NEW(&r->arena, struct create);
	struct tc_place place;
	enum tc_role role;
	tc_err rc;

	rc = tc_req_body(r, create_spec, &b);
	if (rc != TC_ERR_OK)
		goto out;
	if ((rc = tc_staff_check_username(b.username, &r->fault)) != TC_ERR_OK ||
	    (rc = tc_staff_check_password(b.password, &r->fault)) != TC_ERR_OK ||
	    (rc = check_role(r, b.role, &role)) != TC_ERR_OK)
		goto out;
	if (!b.unit && !b.facility.set) {
		rc = tc_fault_set(&r->fault, TC_ERR_MISSING_FIELD, "unit",
		                  "give the account's unit or facility");
		goto out;
	}
	rc = resolve(r, b.unit, b.facility.set ? b.facility.v : 0, &place);
	if (rc != TC_ERR_OK)
		goto out;
	rc = tc_staff_grant_err(tc_may_grant(r->actor.role, r->actor.scope, role,
	                                     place.level, place.scope),
	                        role, b.facility.set, &r->arena, &r->fault);
	if (rc != TC_ERR_OK)
		goto out;
	cr->actor = r->actor;
	cr->a = &r->arena;
	cr->password = b.password;
	cr->u = (struct tc_user){.username = b.username,
	                         .role = tc_role_name(role),
	                         .unit_code = place.unit_code,
	                         .facility_id = place.facility_id,
	                         .scope_path = place.scope,
	                         .active = true,
	                         .created_at = tc_now_us(),
	                         .created_by = r->actor.user_id,
	                         .place_name = place.name};
	if (r->body.data)
		tc_wipe(r->body.data, r->body.len);
	r->offloaded = cr;
	return tc_req_offload(r, create_hash, cr, create_hashed);
out:
	if (b.password)
		tc_wipe((char *)b.password, strlen(b.password));
	if (r->body.data)
		tc_wipe(r->body.data, r->body.len);
	return rc;
}

/* ---- GET /api/v1/users, GET /api/v1/users/{id} ------------------------ */

tc_err tc_api_users_list(struct tc_req *r)
{
	const char *role = tc_req_query(r, "role");
	struct tc_page page;
	struct tc_user *users;
	struct tc_dbc *c;
	enum tc_role rr;
	size_t n;
	enum tc_qs qs;
	tc_err rc;

	if (role && !tc_role_parse(role, &rr))
		return tc_fault_set(&r->fault, TC_ERR_INVALID_PARAMETER, "role",
		                    "unknown role");
	rc = tc_req_page(r, 100, 1000, &page);
	if (rc != TC_ERR_OK)
		return rc;
	rc = tc_req_dbc(r, &c);
	if (rc != TC_ERR_OK)
		return rc;
	qs = tc_q_users_list(c, r->target_scope, role, page, &r->arena, &users, &n);
	tc_req_dbc_release(r, c);
	if (qs < 0)
		return tc_qs_err(qs, &r->fault);
	struct tc_jw *w = tc_reply_begin(r);
	tc_jw_obj(w);
	tc_jw_key(w, "users");
	tc_jw_arr(w);
	for (size_t i = 0; i < n; i++)
		tc_jw_user(w, &users[i]);
	tc_jw_end(w);
	tc_jw_kint(w, "limit", page.limit);
	tc_jw_kint(w, "offset", page.offset);
	tc_jw_end(w);
	return tc_reply_end(r, MHD_HTTP_OK);
}

tc_err tc_api_user_get(struct tc_req *r)
{
	return reply_user(r, MHD_HTTP_OK, r->target);
}

/* ---- PATCH /api/v1/users/{id} ----------------------------------------- */

static const struct tc_jfield patch_spec[] = {
	TC_JSTR(struct user_body, password, 0, 1, 1024),
	TC_JSTR(struct user_body, role, 0, 1, 32),
	TC_JSTR(struct user_body, unit, 0, 1, 16),
	TC_JINT(struct user_body, facility, 0, 1, INT64_MAX),
	TC_JBOOL(struct user_body, active, 0),
	TC_JEND,
};

struct patch {
	struct tc_actor actor;
	struct tc_user before, after;
	const char *hash; /* new password hash, or NULL */
	struct tc_arena *a;
	const char *password; /* new password until hashed, then wiped */
	char hashbuf[TC_PWHASH_LEN];
	bool hashed;
};

static void patch_hash(void *cls)
{
	struct patch *p = cls;
	hash_password(p->password, p->hashbuf, &p->hashed);
}

static tc_err patch_run(struct tc_dbc *c, void *cls, struct tc_fault *f)
{
	struct patch *p = cls;
	const char *id = tc_arena_printf(p->a, "%lld", (long long)p->after.id);
	tc_err rc;
	enum tc_qs qs;

	/* Only if nobody changed the account since it was checked; the epoch
	 * moves on, which ends every session made before. */
	qs = tc_q_user_update(c, &p->before, &p->after);
	if (qs == TC_QS_NONE)
		return tc_fault_set(f, TC_ERR_CONFLICT, NULL,
		                    "the account changed meanwhile; reload it and try again");
	if (qs >= 0 && p->hash)
		qs = tc_q_user_set_password(c, p->after.id, p->hash);
	if (qs >= 0)
		qs = tc_q_sessions_delete_user(c, p->after.id);
	if (qs < 0)
		return tc_qs_err(qs, f);
	struct tc_buf b;
	struct tc_jw w;
	tc_buf_init(&b);
	tc_jw_init(&w, &b);
	tc_jw_obj(&w);
	tc_jw_user_fields(&w, &p->after);
	if (p->hash)
		tc_jw_kbool(&w, "password_changed", true);
	tc_jw_end(&w);
	rc = tc_audit_record(c, &p->actor, p->after.active ? "update" : "disable", "user", id,
	                     p->after.scope_path, tc_user_json(&p->before, p->a), b.data, f);
	tc_buf_cleanup(&b);
	return rc;
}

static tc_err patch_after(struct tc_req *r)
{
	struct patch *p = r->job.cls;
	return reply_user(r, MHD_HTTP_OK, &p->after);
}

static tc_err patch_hashed(struct tc_req *r)
{
	struct patch *p = r->offloaded;

	if (!p->hashed)
		return tc_fault_internal(&r->fault, TC_ERR_INTERNAL, "password hashing failed");
	p->hash = p->hashbuf;
	return tc_req_write(r, patch_run, p, patch_after);
}

tc_err tc_api_user_patch(struct tc_req *r)
{
	struct user_body b = {0};
	struct patch *p = TC_NEW(&r->arena, struct patch);
	const struct tc_user *cur = r->target;
	enum tc_role cur_role, role;
	enum tc_level cur_level;
	struct tc_place place;
	tc_err rc;

	rc = tc_req_body(r, patch_spec, &b);
	if (rc != TC_ERR_OK)
		goto out;
	if (!tc_role_parse(cur->role, &cur_role) || !tc_scope_level(cur->scope_path, &cur_level)) {
		rc = tc_fault_internal(&r->fault, TC_ERR_INTERNAL, "stored account is malformed");
		goto out;
	}
	if (cur->id == r->actor.user_id) {
		rc = tc_fault_set(&r->fault, TC_ERR_FORBIDDEN, NULL,
		                  "you cannot change your own account here; ask a higher "
		                  "administrator");
		goto out;
	}
	/* The actor must outrank the account as it stands... */
	rc = tc_staff_grant_err(tc_may_manage(r->actor.role, r->actor.scope, cur_role,
	                                      cur->scope_path),
	                        cur_role, cur->facility_id != 0, &r->arena, &r->fault);
	if (rc != TC_ERR_OK)
		goto out;
	p->before = *cur;
	p->after = *cur;
	/* ...and as it will be. */
	role = cur_role;
	if (b.role && (rc = check_role(r, b.role, &role)) != TC_ERR_OK)
		goto out;
	place = (struct tc_place){.level = cur_level, .scope = cur->scope_path,
	                          .unit_code = cur->unit_code,
	                          .facility_id = cur->facility_id};
	if (b.unit || b.facility.set) {
		rc = resolve(r, b.unit, b.facility.set ? b.facility.v : 0, &place);
		if (rc != TC_ERR_OK)
			goto out;
	}
	rc = tc_staff_grant_err(tc_may_grant(r->actor.role, r->actor.scope, role,
	                                     place.level, place.scope),
	                        role, place.facility_id != 0, &r->arena, &r->fault);
	if (rc != TC_ERR_OK)
		goto out;
	p->after.role = tc_role_name(role);
	p->after.unit_code = place.unit_code;
	p->after.facility_id = place.facility_id;
	p->after.scope_path = place.scope;
	if (b.unit || b.facility.set)
		p->after.place_name = place.name;
	if (b.active.set)
		p->after.active = b.active.v;
	p->actor = r->actor;
	p->a = &r->arena;
	if (b.password) {
		if ((rc = tc_staff_check_password(b.password, &r->fault)) != TC_ERR_OK)
			goto out;
		if (r->body.data)
			tc_wipe(r->body.data, r->body.len);
		p->password = b.password;
		r->offloaded = p;
		return tc_req_offload(r, patch_hash, p, patch_hashed);
	}
	rc = tc_req_write(r, patch_run, p, patch_after);
out:
	if (b.password)
		tc_wipe((char *)b.password, strlen(b.password));
	if (r->body.data)
		tc_wipe(r->body.data, r->body.len);
	return rc;
}
