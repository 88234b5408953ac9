#include "records.h"

#include <ctype.h>
#include <string.h>

#include "../core/arena.h"
#include "../core/jspec.h"
#include "../core/tctime.h"

const struct tc_actor tc_cli_actor = {
	.authenticated = true,
	.user_id = 0,
	.username = "cli",
	.role = TC_ROLE_NATIONAL_ADMIN,
	.scope = "VN",
	.unit_code = "VN",
};

static json_t *str_or_null(const char *s)
{
	return s ? json_string(s) : json_null();
}

static json_t *time_or_null(int64_t us, struct tc_arena *a)
{
	char *t;
	if (us == 0)
		return json_null();
	t = tc_arena_alloc(a, TC_TIME_TEXT_LEN);
	tc_time_format(us, t);
	return json_string(t);
}

json_t *tc_json_user(const struct tc_user *u, struct tc_arena *a)
{
	json_t *j = json_pack("{s:I, s:s, s:s, s:o, s:o, s:s, s:b, s:o}", "id",
	                 (json_int_t)u->id, "username", u->username, "role", u->role,
	                 "unit", str_or_null(u->unit_code), "facility",
	                 u->facility_id ? json_integer(u->facility_id) : json_null(),
	                 "scope", u->scope_path, "active", u->active, "created_at",
	                 time_or_null(u->created_at, a));
	if (j && u->place_name)
		json_object_set_new(j, "place_name", json_string(u->place_name));
	return j;
}

json_t *tc_json_facility(const struct tc_facility *f, struct tc_arena *a)
{
	return json_pack("{s:I, s:s, s:s, s:s, s:o, s:I, s:b, s:s, s:o}", "id",
	                 (json_int_t)f->id, "kind", f->kind, "name", f->name, "unit",
	                 f->unit_code, "address", str_or_null(f->address),
	                 "daily_capacity", (json_int_t)f->daily_capacity, "active",
	                 f->active, "scope", f->scope_path, "created_at",
	                 time_or_null(f->created_at, a));
}

json_t *tc_json_unit(const struct tc_unit *u)
{
	return json_pack("{s:s, s:s, s:o, s:s, s:s, s:s, s:o}", "code", u->code,
	                 "level", u->level, "parent", str_or_null(u->parent_code),
	                 "name", u->name, "name_with_type", u->name_with_type, "type",
	                 u->type, "population",
	                 u->population >= 0 ? json_integer(u->population) : json_null());
}

static json_t *parse_or_null(const char *text)
{
	json_t *j;
	if (text == NULL)
		return json_null();
	j = json_loads(text, 0, NULL);
	return j ? j : json_string(text);
}

json_t *tc_json_audit(const struct tc_audit *e, struct tc_arena *a)
{
	return json_pack("{s:I, s:o, s:o, s:s, s:s, s:s, s:s, s:s, s:o, s:o}", "id",
	                 (json_int_t)e->id, "at", time_or_null(e->at, a), "actor_id",
	                 e->actor_id ? json_integer(e->actor_id) : json_null(), "actor",
	                 e->actor, "action", e->action, "entity", e->entity,
	                 "entity_id", e->entity_id, "scope", e->scope_path, "before",
	                 parse_or_null(e->before_json), "after",
	                 parse_or_null(e->after_json));
}

tc_err tc_audit_record(struct tc_dbc *c, const struct tc_actor *actor,
                       const char *action, const char *entity,
                       const char *entity_id, const char *scope, json_t *before,
                       json_t *after, struct tc_fault *f)
{
	struct tc_audit e = {
		.at = tc_now_us(),
		.actor_id = actor->user_id,
		.actor = actor->username ? actor->username : "system",
		.action = action,
		.entity = entity,
		.entity_id = entity_id,
		.scope_path = scope,
	};
	char *b = before ? json_dumps(before, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
	char *af = after ? json_dumps(after, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
	enum tc_qs qs;

	json_decref(before);
	json_decref(after);
	e.before_json = b;
	e.after_json = af;
	qs = tc_q_audit_insert(c, &e);
	free(b);
	free(af);
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
		struct tc_unit u;
		qs = tc_q_unit_get(c, unit_code, a, &u);
		if (qs < 0)
			return tc_qs_err(qs, f);
		if (qs == TC_QS_NONE)
			return tc_fault_set(f, TC_ERR_INVALID_FIELD, "unit",
			                    "no administrative unit has that code");
		if (!tc_level_parse(u.level, &out->level))
			return tc_fault_internal(f, TC_ERR_INTERNAL, "unit of unknown level");
		out->scope = u.path;
		out->unit_code = u.code;
		out->name = u.name_with_type;
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
	tc_err rc = tc_actor_still_current(c, actor, f);
	enum tc_qs qs;

	if (rc != TC_ERR_OK)
		return rc;
	u->id = 0;
	qs = tc_q_user_insert(c, u);
	if (qs == TC_QS_CONFLICT)
		return tc_fault_set(f, TC_ERR_CONFLICT, "username",
		                    "that username is already taken");
	if (qs < 0)
		return tc_qs_err(qs, f);
	return tc_audit_record(c, actor, "create", "user",
	                       tc_arena_printf(a, "%lld", (long long)u->id),
	                       u->scope_path, NULL, tc_json_user(u, a), f);
}
