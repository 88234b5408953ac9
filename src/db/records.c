#include "records.h"

#include <ctype.h>
#include <string.h>

#include "../core/arena.h"
#include "../core/jspec.h"
#include "../core/tctime.h"
#include "../core/util.h"

const struct tc_actor tc_cli_actor = {
	.authenticated = true,
	.user_id = 0,
	.username = "cli",
	.role = TC_ROLE_NATIONAL_ADMIN,
	.scope = "VN",
	.unit_code = "VN",
};

void tc_jw_user(struct tc_jw *w, const struct tc_user *u)
{
	tc_jw_obj(w);
	tc_jw_user_fields(w, u);
	tc_jw_end(w);
}

void tc_jw_user_fields(struct tc_jw *w, const struct tc_user *u)
{
	tc_jw_kint(w, "id", u->id);
	tc_jw_kstr(w, "username", u->username);
	tc_jw_kstr(w, "role", u->role);
	tc_jw_kstr(w, "unit", u->unit_code);
	tc_jw_key(w, "facility");
	if (u->facility_id)
		tc_jw_int(w, u->facility_id);
	else
		tc_jw_null(w);
	tc_jw_kstr(w, "scope", u->scope_path);
	tc_jw_kbool(w, "active", u->active);
	tc_jw_key(w, "created_at");
	tc_jw_time(w, u->created_at);
	if (u->place_name)
		tc_jw_kstr(w, "place_name", u->place_name);
}

void tc_jw_facility(struct tc_jw *w, const struct tc_facility *f)
{
	tc_jw_obj(w);
	tc_jw_kint(w, "id", f->id);
	tc_jw_kstr(w, "kind", f->kind);
	tc_jw_kstr(w, "name", f->name);
	tc_jw_kstr(w, "unit", f->unit_code);
	tc_jw_kstr(w, "address", f->address);
	tc_jw_kint(w, "daily_capacity", f->daily_capacity);
	tc_jw_kbool(w, "active", f->active);
	tc_jw_kstr(w, "scope", f->scope_path);
	tc_jw_key(w, "created_at");
	tc_jw_time(w, f->created_at);
	tc_jw_end(w);
}

void tc_jw_unit(struct tc_jw *w, const struct tc_unit *u)
{
	tc_jw_obj(w);
	tc_jw_unit_fields(w, u);
	tc_jw_end(w);
}

void tc_jw_unit_fields(struct tc_jw *w, const struct tc_unit *u)
{
	tc_jw_kstr(w, "code", u->code);
	tc_jw_kstr(w, "level", u->level);
	tc_jw_kstr(w, "parent", u->parent_code);
	tc_jw_kstr(w, "name", u->name);
	tc_jw_kstr(w, "name_with_type", u->name_with_type);
	tc_jw_kstr(w, "type", u->type);
	tc_jw_key(w, "population");
	if (u->population >= 0)
		tc_jw_int(w, u->population);
	else
		tc_jw_null(w);
}

void tc_jw_audit(struct tc_jw *w, const struct tc_audit *e)
{
	tc_jw_obj(w);
	tc_jw_kint(w, "id", e->id);
	tc_jw_key(w, "at");
	tc_jw_time(w, e->at);
	tc_jw_key(w, "actor_id");
	if (e->actor_id)
		tc_jw_int(w, e->actor_id);
	else
		tc_jw_null(w);
	tc_jw_kstr(w, "actor", e->actor);
	tc_jw_kstr(w, "action", e->action);
	tc_jw_kstr(w, "entity", e->entity);
	tc_jw_kstr(w, "entity_id", e->entity_id);
	tc_jw_kstr(w, "scope", e->scope_path);
	/* stored JSON, written back as JSON */
	tc_jw_key(w, "before");
	tc_jw_raw(w, e->before_json);
	tc_jw_key(w, "after");
	tc_jw_raw(w, e->after_json);
	tc_jw_end(w);
}

static const char *to_arena(struct tc_buf *b, struct tc_arena *a)
{
	const char *s = tc_arena_strndup(a, b->data, b->len);
	tc_buf_cleanup(b);
	return s;
}

const char *tc_user_json(const struct tc_user *u, struct tc_arena *a)
{
	struct tc_buf b;
	struct tc_jw w;

	tc_buf_init(&b);
	tc_jw_init(&w, &b);
	tc_jw_user(&w, u);
	return to_arena(&b, a);
}

const char *tc_facility_json(const struct tc_facility *f, struct tc_arena *a)
{
	struct tc_buf b;
	struct tc_jw w;

	tc_buf_init(&b);
	tc_jw_init(&w, &b);
	tc_jw_facility(&w, f);
	return to_arena(&b, a);
}

tc_err tc_audit_record(struct tc_dbc *c, const struct tc_actor *actor,
                       const char *action, const char *entity,
                       const char *entity_id, const char *scope, const char *before,
                       const char *after, struct tc_fault *f)
{
	struct tc_audit e = {
		.at = tc_now_us(),
		.actor_id = actor->user_id,
		.actor = actor->username ? actor->username : "system",
		.action = action,
		.entity = entity,
		.entity_id = entity_id,
		.scope_path = scope,
		.before_json = before,
		.after_json = after,
	};
	enum tc_qs qs = tc_q_audit_insert(c, &e);

	return qs < 0 ? tc_qs_err(qs, f) : TC_ERR_OK;
}

tc_err tc_place_resolve(struct tc_dbc *c, const char *unit_code,
                        int64_t facility_id, struct tc_arena *a,
                        struct tc_place *out, struct tc_fault *f)
{
	enum tc_qs qs;

	memset(out, 0, sizeof(*out));
	if ((unit_code != NULL) == (facility_id != 0))
		return tc_fault_set(f, TC_ERR_INVALID_FIELD, unit_code ? "facility" : "unit",
		                    "give exactly one of unit and facility");
	if (unit_code) {
		const struct tc_units *units = tc_db_units(c);
		const struct tc_unit *u = tc_units_get(units, unit_code);
		if (units == NULL)
			return tc_fault_internal(f, TC_ERR_DB, "cannot read the units");
		if (u == NULL)
			return tc_fault_set(f, TC_ERR_INVALID_FIELD, "unit",
			                    "no administrative unit has that code");
		if (!tc_level_parse(u->level, &out->level))
			return tc_fault_internal(f, TC_ERR_INTERNAL, "unit of unknown level");
		out->scope = u->path;
		out->unit_code = u->code;
		out->name = u->name_with_type;
		return TC_ERR_OK;
	}
	struct tc_facility fac;
	qs = tc_q_facility_get(c, facility_id, a, &fac);
	if (qs < 0)
		return tc_qs_err(qs, f);
	if (qs == TC_QS_NONE)
		return tc_fault_set(f, TC_ERR_INVALID_FIELD, "facility",
		                    "no facility has that id");
	if (!fac.active)
		return tc_fault_set(f, TC_ERR_INVALID_FIELD, "facility",
		                    "that facility is closed");
	out->level = TC_LEVEL_FACILITY;
	out->scope = fac.scope_path;
	out->facility_id = fac.id;
	out->name = fac.name;
	return TC_ERR_OK;
}

tc_err tc_staff_check_username(const char *username, struct tc_fault *f)
{
	size_t n = username ? strlen(username) : 0;

	if (n < 3 || n > 64)
		return tc_fault_set(f, TC_ERR_INVALID_FIELD, "username",
		                    "username must be 3 to 64 characters long");
	for (size_t i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)username[i];
		if (!(islower(ch) || isdigit(ch) || ch == '.' || ch == '_' || ch == '-'))
			return tc_fault_set(f, TC_ERR_INVALID_FIELD, "username",
			                    "username may hold only a-z, 0-9, '.', '_' and '-'");
	}
	return TC_ERR_OK;
}

tc_err tc_staff_check_password(const char *password, struct tc_fault *f)
{
	long chars = password ? tc_utf8_check(password, strlen(password), false) : -1;

	if (chars < 0)
		return tc_fault_set(f, TC_ERR_INVALID_FIELD, "password",
		                    "password must be text without control characters");
	if (chars < 10 || chars > 128)
		return tc_fault_set(f, TC_ERR_INVALID_FIELD, "password",
		                    "password must be 10 to 128 characters long");
	return TC_ERR_OK;
}

tc_err tc_staff_grant_err(enum tc_grant g, enum tc_role role, bool by_facility,
                          struct tc_arena *a, struct tc_fault *f)
{
	const char *where = by_facility ? "facility" : "unit";

	switch (g) {
	case TC_GRANT_OK:
		return TC_ERR_OK;
	case TC_GRANT_NOT_ADMIN:
		return tc_fault_set(f, TC_ERR_FORBIDDEN, NULL,
		                    "your role does not manage staff accounts");
	case TC_GRANT_ROLE_TOO_HIGH:
		return tc_fault_set(f, TC_ERR_FORBIDDEN, "role",
		                    "you cannot grant a role above your own");
	case TC_GRANT_WRONG_LEVEL:
		return tc_fault_setf(f, a, TC_ERR_INVALID_FIELD, where,
		                     "a %s belongs to %s", tc_role_name(role),
		                     tc_role_levels_text(role));
	case TC_GRANT_OUT_OF_SCOPE:
		return tc_fault_set(f, TC_ERR_OUT_OF_JURISDICTION, where,
		                    "that lies outside your jurisdiction");
	case TC_GRANT_NOT_BELOW:
		return tc_fault_set(f, TC_ERR_FORBIDDEN, NULL,
		                    "you can change only accounts whose role ranks below "
		                    "yours; ask a higher administrator");
	}
	return tc_fault_internal(f, TC_ERR_INTERNAL, "unknown grant verdict");
}

tc_err tc_actor_still_current(struct tc_dbc *c, const struct tc_actor *actor,
                              struct tc_fault *f)
{
	enum tc_qs qs;

	if (actor->session_id == 0)
		return TC_ERR_OK; /* the command line */
	qs = tc_q_actor_current(c, actor->session_id, tc_role_name(actor->role), actor->scope);
	if (qs < 0)
		return tc_qs_err(qs, f);
	if (qs == TC_QS_NONE)
		return tc_fault_set(f, TC_ERR_UNAUTHENTICATED, NULL,
		                    "your session ended or your account changed; log in again");
	return TC_ERR_OK;
}

tc_err tc_staff_insert(struct tc_dbc *c, const struct tc_actor *actor,
                       struct tc_user *u, struct tc_arena *a, struct tc_fault *f)
{
	enum tc_qs qs;

	u->id = 0;
	qs = tc_q_user_insert(c, u);
	if (qs == TC_QS_CONFLICT)
		return tc_fault_set(f, TC_ERR_CONFLICT, "username",
		                    "that username is already taken");
	if (qs < 0)
		return tc_qs_err(qs, f);
	return tc_audit_record(c, actor, "create", "user",
	                       tc_arena_printf(a, "%lld", (long long)u->id),
	                       u->scope_path, NULL, tc_user_json(u, a), f);
}
