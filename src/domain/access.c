#include "access.h"

#include <string.h>

#define L(x) (1u << TC_LEVEL_##x)

static const struct {
	const char *name;
	int rank;        /* admins outrank; 0 for roles that create no one */
	unsigned levels; /* where the role may be placed */
	const char *levels_text;
} roles[TC_ROLE__COUNT] = {
	[TC_ROLE_NATIONAL_ADMIN] = {"national_admin", 4, L(COUNTRY), "the country (VN)"},
	[TC_ROLE_PROVINCE_HEALTH] = {"province_health", 3, L(PROVINCE), "a province"},
	[TC_ROLE_DISTRICT_CENTRE] = {"district_centre", 2, L(DISTRICT), "a district"},
	[TC_ROLE_SITE_MANAGER] = {"site_manager", 1, L(FACILITY), "a facility"},
	[TC_ROLE_SITE_STAFF] = {"site_staff", 0, L(FACILITY), "a facility"},
	[TC_ROLE_COMMUNE_OFFICER] = {"commune_officer", 0, L(COMMUNE), "a commune"},
	[TC_ROLE_MCC_AGENT] = {"mcc_agent", 0, L(COUNTRY) | L(PROVINCE) | L(DISTRICT),
	                       "the country, a province or a district"},
	[TC_ROLE_VIEWER] = {"viewer", 0,
	                    L(COUNTRY) | L(PROVINCE) | L(DISTRICT) | L(COMMUNE) | L(FACILITY),
	                    "any unit or facility"},
};

bool tc_role_parse(const char *s, enum tc_role *out)
{
	if (s == NULL)
		return false;
	for (int r = 0; r < TC_ROLE__COUNT; r++) {
		if (strcmp(roles[r].name, s) == 0) {
			*out = (enum tc_role)r;
			return true;
		}
	}
	return false;
}

const char *tc_role_name(enum tc_role r)
{
	return (unsigned)r < TC_ROLE__COUNT ? roles[r].name : "?";
}

bool tc_role_is_admin(enum tc_role r)
{
	return (unsigned)r < TC_ROLE__COUNT && roles[r].rank > 0;
}

bool tc_role_allowed_at(enum tc_role r, enum tc_level l)
{
	return (unsigned)r < TC_ROLE__COUNT && (unsigned)l < TC_LEVEL__COUNT &&
	       (roles[r].levels & (1u << l));
}

const char *tc_role_levels_text(enum tc_role r)
{
	return (unsigned)r < TC_ROLE__COUNT ? roles[r].levels_text : "";
}

bool tc_level_parse(const char *s, enum tc_level *out)
{
	static const char *const names[] = {"country", "province", "district",
	                                    "commune"};
	for (int i = 0; s && i < 4; i++) {
		if (strcmp(names[i], s) == 0) {
			*out = (enum tc_level)i;
			return true;
		}
	}
	return false;
}

bool tc_scope_contains(const char *outer, const char *inner)
{
	size_t n;

	if (outer == NULL || inner == NULL || *outer == '\0')
		return false;
	n = strlen(outer);
	return strncmp(outer, inner, n) == 0 && (inner[n] == '\0' || inner[n] == '/');
}

bool tc_scope_level(const char *path, enum tc_level *out)
{
	static const size_t seg_len[] = {2, 2, 3, 5}; /* VN, 01, 001, 00001 */
	int depth = 0;
	const char *s = path;

	if (path == NULL || strncmp(path, "VN", 2) != 0)
		return false;
	for (;;) {
		size_t n = strcspn(s, "/");
		if (s[0] == 'F' && depth > 0) {
			if (n < 2 || s[n] != '\0')
				return false;
			for (size_t i = 1; i < n; i++)
				if (s[i] < '0' || s[i] > '9')
					return false;
			*out = TC_LEVEL_FACILITY;
			return true;
		}
		if (depth >= 4 || n != seg_len[depth])
			return false;
		for (size_t i = 0; depth > 0 && i < n; i++)
			if (s[i] < '0' || s[i] > '9')
				return false;
		depth++;
		if (s[n] == '\0')
			break;
		s += n + 1;
	}
	*out = (enum tc_level)(depth - 1);
	return true;
}

enum tc_grant tc_may_grant(enum tc_role actor, const char *actor_scope,
                           enum tc_role role, enum tc_level level,
                           const char *scope)
{
	if (!tc_role_is_admin(actor))
		return TC_GRANT_NOT_ADMIN;
	if ((unsigned)role >= TC_ROLE__COUNT || roles[role].rank > roles[actor].rank)
		return TC_GRANT_ROLE_TOO_HIGH;
	if (!tc_role_allowed_at(role, level))
		return TC_GRANT_WRONG_LEVEL;
	if (!tc_scope_contains(actor_scope, scope))
		return TC_GRANT_OUT_OF_SCOPE;
	return TC_GRANT_OK;
}

enum tc_grant tc_may_manage(enum tc_role actor, const char *actor_scope,
                            enum tc_role role, const char *scope)
{
	if (!tc_role_is_admin(actor))
		return TC_GRANT_NOT_ADMIN;
	if (!tc_scope_contains(actor_scope, scope))
		return TC_GRANT_OUT_OF_SCOPE;
	if ((unsigned)role >= TC_ROLE__COUNT || roles[role].rank >= roles[actor].rank)
		return TC_GRANT_NOT_BELOW;
	return TC_GRANT_OK;
}

static const struct {
	const char *kind;
	unsigned levels;
	unsigned creators; /* role bits */
} kinds[] = {
	{"national_warehouse", L(COUNTRY), 1u << TC_ROLE_NATIONAL_ADMIN},
	{"provincial_warehouse", L(PROVINCE),
	 (1u << TC_ROLE_NATIONAL_ADMIN) | (1u << TC_ROLE_PROVINCE_HEALTH)},
	{"district_centre", L(DISTRICT),
	 (1u << TC_ROLE_NATIONAL_ADMIN) | (1u << TC_ROLE_PROVINCE_HEALTH)},
	{"vaccination_site", L(DISTRICT) | L(COMMUNE),
	 (1u << TC_ROLE_NATIONAL_ADMIN) | (1u << TC_ROLE_PROVINCE_HEALTH) |
	         (1u << TC_ROLE_DISTRICT_CENTRE)},
};

static int kind_index(const char *kind)
{
	for (size_t i = 0; kind && i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (strcmp(kinds[i].kind, kind) == 0)
			return (int)i;
	return -1;
}

bool tc_facility_kind_valid(const char *kind)
{
	return kind_index(kind) >= 0;
}

bool tc_facility_kind_at(const char *kind, enum tc_level unit_level)
{
	int i = kind_index(kind);
	return i >= 0 && (kinds[i].levels & (1u << unit_level));
}

bool tc_facility_kind_creatable_by(const char *kind, enum tc_role r)
{
	int i = kind_index(kind);
	return i >= 0 && (kinds[i].creators & (1u << r));
}

bool tc_may_register_anywhere(enum tc_role r)
{
	return r == TC_ROLE_SITE_MANAGER || r == TC_ROLE_SITE_STAFF;
}
