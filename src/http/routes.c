/* Every route of the server. The router checks the bearer token and the
 * role listed here, then runs the scope resolver and checks that what it
 * found lies inside the caller's jurisdiction, before the handler runs. */
#include "api.h"
#include "router.h"

#define ANY TC_ROLES_ANY
#define ADMINS TC_ROLES_ADMIN
#define R(x) TC_ROLE_BIT(TC_ROLE_##x)

const struct tc_route tc_routes[] = {
	{"GET", "/healthz", tc_api_healthz, TC_PUBLIC, 0, NULL},
	{"GET", "/metrics", tc_api_metrics, TC_PUBLIC, 0, NULL},

	{"POST", "/api/v1/auth/login", tc_api_login, TC_PUBLIC, 4096, NULL},
	{"POST", "/api/v1/auth/logout", tc_api_logout, ANY, 1024, NULL},
	{"GET", "/api/v1/me", tc_api_me, ANY, 0, NULL},

	{"GET", "/api/v1/units", tc_api_units_list, ANY, 0, NULL},
	{"GET", "/api/v1/units/{code}", tc_api_unit_get, ANY, 0, NULL},

	{"GET", "/api/v1/facilities", tc_api_facilities_list, ANY, 0, tc_scope_query_place},
	{"POST", "/api/v1/facilities", tc_api_facility_create,
	 R(NATIONAL_ADMIN) | R(PROVINCE_HEALTH) | R(DISTRICT_CENTRE), 16384, NULL},
	{"GET", "/api/v1/facilities/{id}", tc_api_facility_get, ANY, 0, tc_scope_facility_id},

	{"GET", "/api/v1/users", tc_api_users_list, ADMINS, 0, tc_scope_query_place},
	{"POST", "/api/v1/users", tc_api_user_create, ADMINS, 8192, NULL},
	{"GET", "/api/v1/users/{id}", tc_api_user_get, ADMINS, 0, tc_scope_user_id},
	{"PATCH", "/api/v1/users/{id}", tc_api_user_patch, ADMINS, 8192, tc_scope_user_id},

	{"GET", "/api/v1/audit", tc_api_audit_list, ADMINS, 0, NULL},
};

const int tc_nroutes = (int)(sizeof(tc_routes) / sizeof(tc_routes[0]));
