/* Roles and jurisdictions, as pure rules (no I/O).
 *
 * A jurisdiction is a path: "VN" (the whole country), "VN/01" (Hà Nội),
 * "VN/01/001" (Ba Đình), "VN/01/001/00001" (Phúc Xá), and a facility's
 * "<its unit's path>/F<id>". Something lies inside a jurisdiction when its
 * path equals it or continues it after a '/'. */
#ifndef TC_ACCESS_H
#define TC_ACCESS_H

#include <stdbool.h>
#include <stdint.h>

enum tc_role {
	TC_ROLE_NATIONAL_ADMIN,
	TC_ROLE_PROVINCE_HEALTH,
	TC_ROLE_DISTRICT_CENTRE,
	TC_ROLE_SITE_MANAGER,
	TC_ROLE_SITE_STAFF,
	TC_ROLE_COMMUNE_OFFICER,
	TC_ROLE_MCC_AGENT,
	TC_ROLE_VIEWER,
	TC_ROLE__COUNT
};

#define TC_ROLE_BIT(r) (1u << (r))
#define TC_ROLES_ANY ((1u << TC_ROLE__COUNT) - 1)
#define TC_ROLES_ADMIN                                                         \
	(TC_ROLE_BIT(TC_ROLE_NATIONAL_ADMIN) | TC_ROLE_BIT(TC_ROLE_PROVINCE_HEALTH) | \
	 TC_ROLE_BIT(TC_ROLE_DISTRICT_CENTRE) | TC_ROLE_BIT(TC_ROLE_SITE_MANAGER))

/* Where a jurisdiction sits. */
enum tc_level {
	TC_LEVEL_COUNTRY,
	TC_LEVEL_PROVINCE,
	TC_LEVEL_DISTRICT,
	TC_LEVEL_COMMUNE,
	TC_LEVEL_FACILITY,
	TC_LEVEL__COUNT
};

/* Who is acting: a staff member from a bearer token, or the operator at
 * the command line (user_id 0, national scope). */
struct tc_actor {
	bool authenticated;
	int64_t user_id;
	int64_t session_id;
	const char *username;
	enum tc_role role;
	const char *scope; /* jurisdiction path */
	const char *unit_code;
	int64_t facility_id;
	int64_t session_expires_at; /* absolute end of the session */
	int64_t session_idle_s;     /* idle limit, seconds */
	/* a citizen signed in by a one-time code: the verified phone (then
	 * user_id is 0, role is TC_ROLE__COUNT and scope holds nothing) */
	const char *citizen_phone;
};

bool tc_role_parse(const char *s, enum tc_role *out);
const char *tc_role_name(enum tc_role r);
bool tc_role_is_admin(enum tc_role r);
/* Whether a user of role r may be placed at a jurisdiction of level l. */
bool tc_role_allowed_at(enum tc_role r, enum tc_level l);
/* The levels a role may be placed at, for error messages. */
const char *tc_role_levels_text(enum tc_role r);

/* "country", "province", "district", "commune" -> level. */
bool tc_level_parse(const char *s, enum tc_level *out);

bool tc_scope_contains(const char *outer, const char *inner);
/* The level of a jurisdiction path; false when it is not one. */
bool tc_scope_level(const char *path, enum tc_level *out);

enum tc_grant {
	TC_GRANT_OK,
	TC_GRANT_NOT_ADMIN,    /* the actor creates no users at all */
	TC_GRANT_ROLE_TOO_HIGH,/* the role outranks the actor's */
	TC_GRANT_OUT_OF_SCOPE, /* the jurisdiction is not inside the actor's */
	TC_GRANT_WRONG_LEVEL,  /* that role does not belong at that level */
	TC_GRANT_NOT_BELOW,    /* an existing account the actor does not outrank */
};

/* May an actor (role, jurisdiction) give `role` at `scope` of `level`? */
enum tc_grant tc_may_grant(enum tc_role actor, const char *actor_scope,
                           enum tc_role role, enum tc_level level,
                           const char *scope);

/* May an actor change or disable an existing account (role, scope)? Only
 * one inside its jurisdiction whose role ranks strictly below its own:
 * peers cannot take each other over, and nobody changes themselves. */
enum tc_grant tc_may_manage(enum tc_role actor, const char *actor_scope,
                            enum tc_role role, const char *scope);

/* Whether a role registers and corrects people wherever they live: a
 * vaccination site takes whoever comes (walk-ins, migrant workers), so
 * its staff are not held to the person's commune. Everyone else works on
 * people who live inside their jurisdiction. */
bool tc_may_register_anywhere(enum tc_role r);

/* Facility kinds and the unit levels each belongs at. */
bool tc_facility_kind_valid(const char *kind);
bool tc_facility_kind_at(const char *kind, enum tc_level unit_level);
/* Whether a role may create a facility of that kind. */
bool tc_facility_kind_creatable_by(const char *kind, enum tc_role r);

#endif
