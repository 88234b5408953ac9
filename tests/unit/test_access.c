/* domain/access: roles, jurisdiction paths, who may grant what. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "core/util.h"
#include "domain/access.h"

static void test_roles(void **state)
{
	enum tc_role r;
	(void)state;
	for (int i = 0; i < TC_ROLE__COUNT; i++) {
		assert_true(tc_role_parse(tc_role_name((enum tc_role)i), &r));
		assert_int_equal(r, i);
	}
	assert_false(tc_role_parse("root", &r));
	assert_false(tc_role_parse("", &r));
	assert_false(tc_role_parse(NULL, &r));
	assert_true(tc_role_is_admin(TC_ROLE_SITE_MANAGER));
	assert_false(tc_role_is_admin(TC_ROLE_SITE_STAFF));
	assert_false(tc_role_is_admin(TC_ROLE_VIEWER));
}

static const struct {
	const char *outer, *inner;
	bool in;
} contains[] = {
	{"VN", "VN", true},
	{"VN", "VN/01/001/00001", true},
	{"VN/01", "VN/01/001", true},
	{"VN/01", "VN/010", false}, /* a prefix is not enough */
	{"VN/01", "VN/02/001", false},
	{"VN/01/001", "VN/01", false},
	{"VN/01/001/00001/F4", "VN/01/001/00001/F4", true},
	{"VN/01/001/00001/F4", "VN/01/001/00001/F42", false},
	{"VN/01/001/00001/F4", "VN/01/001/00001", false},
	{"", "VN", false},
	{NULL, "VN", false},
	{"VN", NULL, false},
};

static void test_contains(void **state)
{
	(void)state;
	for (size_t i = 0; i < TC_ARRAY_LEN(contains); i++)
		if (tc_scope_contains(contains[i].outer, contains[i].inner) != contains[i].in)
			fail_msg("case %zu: %s in %s", i, contains[i].inner ? contains[i].inner : "(null)",
			         contains[i].outer ? contains[i].outer : "(null)");
}

static const struct {
	const char *path;
	bool ok;
	enum tc_level level;
} levels[] = {
	{"VN", true, TC_LEVEL_COUNTRY},
	{"VN/01", true, TC_LEVEL_PROVINCE},
	{"VN/01/001", true, TC_LEVEL_DISTRICT},
	{"VN/01/001/00001", true, TC_LEVEL_COMMUNE},
	{"VN/01/001/00001/F4", true, TC_LEVEL_FACILITY},
	{"VN/F1", true, TC_LEVEL_FACILITY},
	{"VN/01/F12", true, TC_LEVEL_FACILITY},
	{"VN/1", false, 0},
	{"VN/01/01", false, 0},
	{"VN/01/001/00001/00002", false, 0},
	{"VN/01/F", false, 0},
	{"VN/01/F1/x", false, 0},
	{"VN/0a", false, 0},
	{"F1", false, 0},
	{"XX", false, 0},
	{"VN/", false, 0},
	{"", false, 0},
};

static void test_levels(void **state)
{
	(void)state;
	for (size_t i = 0; i < TC_ARRAY_LEN(levels); i++) {
		enum tc_level l = TC_LEVEL__COUNT;
		bool ok = tc_scope_level(levels[i].path, &l);
		if (ok != levels[i].ok || (ok && l != levels[i].level))
			fail_msg("case %zu: %s", i, levels[i].path);
	}
}

#define R(x) TC_ROLE_##x
#define L(x) TC_LEVEL_##x
#define G(x) TC_GRANT_##x

static const struct {
	enum tc_role actor;
	const char *actor_scope;
	enum tc_role role;
	enum tc_level level;
	const char *scope;
	enum tc_grant want;
} grants[] = {
	/* the national admin places anyone anywhere their role belongs */
	{R(NATIONAL_ADMIN), "VN", R(NATIONAL_ADMIN), L(COUNTRY), "VN", G(OK)},
	{R(NATIONAL_ADMIN), "VN", R(PROVINCE_HEALTH), L(PROVINCE), "VN/79", G(OK)},
	{R(NATIONAL_ADMIN), "VN", R(PROVINCE_HEALTH), L(DISTRICT), "VN/79/760", G(WRONG_LEVEL)},
	{R(NATIONAL_ADMIN), "VN", R(SITE_STAFF), L(COMMUNE), "VN/01/001/00001", G(WRONG_LEVEL)},
	{R(NATIONAL_ADMIN), "VN", R(SITE_STAFF), L(FACILITY), "VN/01/001/00001/F4", G(OK)},
	/* a province: its own level and below, never above, never elsewhere */
	{R(PROVINCE_HEALTH), "VN/01", R(PROVINCE_HEALTH), L(PROVINCE), "VN/01", G(OK)},
	{R(PROVINCE_HEALTH), "VN/01", R(NATIONAL_ADMIN), L(COUNTRY), "VN", G(ROLE_TOO_HIGH)},
	{R(PROVINCE_HEALTH), "VN/01", R(PROVINCE_HEALTH), L(PROVINCE), "VN/79", G(OUT_OF_SCOPE)},
	{R(PROVINCE_HEALTH), "VN/01", R(DISTRICT_CENTRE), L(DISTRICT), "VN/01/001", G(OK)},
	{R(PROVINCE_HEALTH), "VN/01", R(COMMUNE_OFFICER), L(COMMUNE), "VN/01/001/00001", G(OK)},
	{R(PROVINCE_HEALTH), "VN/01", R(MCC_AGENT), L(COUNTRY), "VN", G(OUT_OF_SCOPE)},
	{R(PROVINCE_HEALTH), "VN/01", R(VIEWER), L(PROVINCE), "VN/01", G(OK)},
	/* a district */
	{R(DISTRICT_CENTRE), "VN/01/001", R(PROVINCE_HEALTH), L(PROVINCE), "VN/01", G(ROLE_TOO_HIGH)},
	{R(DISTRICT_CENTRE), "VN/01/001", R(SITE_MANAGER), L(FACILITY), "VN/01/001/00001/F4", G(OK)},
	{R(DISTRICT_CENTRE), "VN/01/001", R(SITE_MANAGER), L(FACILITY), "VN/01/002/00037/F9", G(OUT_OF_SCOPE)},
	/* a site manager: only its own facility, never above itself */
	{R(SITE_MANAGER), "VN/01/001/00001/F4", R(SITE_STAFF), L(FACILITY), "VN/01/001/00001/F4", G(OK)},
	{R(SITE_MANAGER), "VN/01/001/00001/F4", R(SITE_STAFF), L(FACILITY), "VN/01/001/00001/F5", G(OUT_OF_SCOPE)},
	{R(SITE_MANAGER), "VN/01/001/00001/F4", R(DISTRICT_CENTRE), L(DISTRICT), "VN/01/001", G(ROLE_TOO_HIGH)},
	{R(SITE_MANAGER), "VN/01/001/00001/F4", R(COMMUNE_OFFICER), L(COMMUNE), "VN/01/001/00001", G(OUT_OF_SCOPE)},
	/* roles that manage nobody */
	{R(SITE_STAFF), "VN/01/001/00001/F4", R(SITE_STAFF), L(FACILITY), "VN/01/001/00001/F4", G(NOT_ADMIN)},
	{R(VIEWER), "VN", R(VIEWER), L(COUNTRY), "VN", G(NOT_ADMIN)},
	{R(MCC_AGENT), "VN", R(VIEWER), L(COUNTRY), "VN", G(NOT_ADMIN)},
	{R(COMMUNE_OFFICER), "VN/01/001/00001", R(VIEWER), L(COMMUNE), "VN/01/001/00001", G(NOT_ADMIN)},
};

static void test_grants(void **state)
{
	(void)state;
	for (size_t i = 0; i < TC_ARRAY_LEN(grants); i++) {
		enum tc_grant g = tc_may_grant(grants[i].actor, grants[i].actor_scope,
		                               grants[i].role, grants[i].level, grants[i].scope);
		if (g != grants[i].want)
			fail_msg("case %zu: %s grants %s at %s: got %d want %d", i,
			         tc_role_name(grants[i].actor), tc_role_name(grants[i].role),
			         grants[i].scope, g, grants[i].want);
	}
}

static void test_manage(void **state)
{
	(void)state;
	/* strictly above, and inside */
	assert_int_equal(tc_may_manage(R(DISTRICT_CENTRE), "VN/01/001", R(SITE_MANAGER),
	                               "VN/01/001/00001/F4"), G(OK));
	assert_int_equal(tc_may_manage(R(SITE_MANAGER), "VN/01/001/00001/F4", R(SITE_STAFF),
	                               "VN/01/001/00001/F4"), G(OK));
	assert_int_equal(tc_may_manage(R(NATIONAL_ADMIN), "VN", R(PROVINCE_HEALTH), "VN/79"),
	                 G(OK));
	/* peers cannot take each other over */
	assert_int_equal(tc_may_manage(R(SITE_MANAGER), "VN/01/001/00001/F4", R(SITE_MANAGER),
	                               "VN/01/001/00001/F4"), G(NOT_BELOW));
	assert_int_equal(tc_may_manage(R(PROVINCE_HEALTH), "VN/01", R(PROVINCE_HEALTH), "VN/01"),
	                 G(NOT_BELOW));
	assert_int_equal(tc_may_manage(R(NATIONAL_ADMIN), "VN", R(NATIONAL_ADMIN), "VN"),
	                 G(NOT_BELOW));
	/* nor reach outside, nor manage at all without being an admin */
	assert_int_equal(tc_may_manage(R(DISTRICT_CENTRE), "VN/01/001", R(VIEWER), "VN/01/002"),
	                 G(OUT_OF_SCOPE));
	assert_int_equal(tc_may_manage(R(MCC_AGENT), "VN", R(VIEWER), "VN"), G(NOT_ADMIN));
}

static void test_facility_kinds(void **state)
{
	(void)state;
	assert_true(tc_facility_kind_valid("vaccination_site"));
	assert_false(tc_facility_kind_valid("hospital"));
	assert_false(tc_facility_kind_valid(NULL));
	assert_true(tc_facility_kind_at("national_warehouse", TC_LEVEL_COUNTRY));
	assert_false(tc_facility_kind_at("national_warehouse", TC_LEVEL_PROVINCE));
	assert_true(tc_facility_kind_at("vaccination_site", TC_LEVEL_COMMUNE));
	assert_true(tc_facility_kind_at("vaccination_site", TC_LEVEL_DISTRICT));
	assert_false(tc_facility_kind_at("vaccination_site", TC_LEVEL_PROVINCE));
	assert_true(tc_facility_kind_creatable_by("vaccination_site", TC_ROLE_DISTRICT_CENTRE));
	assert_false(tc_facility_kind_creatable_by("district_centre", TC_ROLE_DISTRICT_CENTRE));
	assert_false(tc_facility_kind_creatable_by("national_warehouse", TC_ROLE_PROVINCE_HEALTH));
	assert_false(tc_facility_kind_creatable_by("vaccination_site", TC_ROLE_SITE_MANAGER));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_roles),  cmocka_unit_test(test_contains),
		cmocka_unit_test(test_levels), cmocka_unit_test(test_grants),
		cmocka_unit_test(test_manage),
		cmocka_unit_test(test_facility_kinds),
	};
	return cmocka_run_group_tests_name("access", tests, NULL, NULL);
}
