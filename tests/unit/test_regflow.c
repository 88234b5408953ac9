/* domain/regflow: the registration workflow's states, steps and roles,
 * and whose jurisdiction a registration lies in. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/util.h"
#include "domain/regflow.h"

#define NAT   TC_ROLE_NATIONAL_ADMIN
#define PROV  TC_ROLE_PROVINCE_HEALTH
#define DIST  TC_ROLE_DISTRICT_CENTRE
#define MGR   TC_ROLE_SITE_MANAGER
#define STAFF TC_ROLE_SITE_STAFF
#define COMM  TC_ROLE_COMMUNE_OFFICER
#define MCC   TC_ROLE_MCC_AGENT
#define VIEW  TC_ROLE_VIEWER

#define OK       TC_REGFLOW_OK
#define WRONG    TC_REGFLOW_WRONG_STATE
#define NOTYOURS TC_REGFLOW_NOT_YOUR_STEP

static const struct {
	enum tc_role role;
	enum tc_reg_action a;
	enum tc_reg_state from;
	enum tc_regflow_verdict v;
	enum tc_reg_state to;
} cases[] = {
	/* the province approves, and only pending ones */
	{ PROV, TC_REGA_APPROVE, TC_REG_PENDING, OK, TC_REG_APPROVED },
	{ NAT, TC_REGA_APPROVE, TC_REG_PENDING, OK, TC_REG_APPROVED },
	{ DIST, TC_REGA_APPROVE, TC_REG_PENDING, NOTYOURS, 0 },
	{ COMM, TC_REGA_APPROVE, TC_REG_PENDING, NOTYOURS, 0 },
	{ PROV, TC_REGA_APPROVE, TC_REG_APPROVED, WRONG, 0 },
	{ PROV, TC_REGA_APPROVE, TC_REG_REJECTED, WRONG, 0 },
	{ PROV, TC_REGA_APPROVE, TC_REG_DONE, WRONG, 0 },
	/* reject: the province before allocation, the district after */
	{ PROV, TC_REGA_REJECT, TC_REG_PENDING, OK, TC_REG_REJECTED },
	{ PROV, TC_REGA_REJECT, TC_REG_APPROVED, OK, TC_REG_REJECTED },
	{ PROV, TC_REGA_REJECT, TC_REG_ALLOCATED, OK, TC_REG_REJECTED },
	{ DIST, TC_REGA_REJECT, TC_REG_PENDING, NOTYOURS, 0 },
	{ DIST, TC_REGA_REJECT, TC_REG_ALLOCATED, OK, TC_REG_REJECTED },
	{ PROV, TC_REGA_REJECT, TC_REG_SCHEDULED, WRONG, 0 },
	{ PROV, TC_REGA_REJECT, TC_REG_CANCELLED, WRONG, 0 },
	/* allocate: approved ones, or move an allocated one */
	{ PROV, TC_REGA_ALLOCATE, TC_REG_APPROVED, OK, TC_REG_ALLOCATED },
	{ PROV, TC_REGA_ALLOCATE, TC_REG_ALLOCATED, OK, TC_REG_ALLOCATED },
	{ PROV, TC_REGA_ALLOCATE, TC_REG_PENDING, WRONG, 0 },
	{ PROV, TC_REGA_ALLOCATE, TC_REG_SCHEDULED, WRONG, 0 },
	{ DIST, TC_REGA_ALLOCATE, TC_REG_APPROVED, NOTYOURS, 0 },
	/* schedule: allocated ones, by the centres and the offices */
	{ DIST, TC_REGA_SCHEDULE, TC_REG_ALLOCATED, OK, TC_REG_SCHEDULED },
	{ PROV, TC_REGA_SCHEDULE, TC_REG_ALLOCATED, OK, TC_REG_SCHEDULED },
	{ DIST, TC_REGA_SCHEDULE, TC_REG_APPROVED, WRONG, 0 },
	{ DIST, TC_REGA_SCHEDULE, TC_REG_SCHEDULED, WRONG, 0 },
	{ MGR, TC_REGA_SCHEDULE, TC_REG_ALLOCATED, NOTYOURS, 0 },
	/* cancel: any open state; the district only once allocated */
	{ PROV, TC_REGA_CANCEL, TC_REG_PENDING, OK, TC_REG_CANCELLED },
	{ PROV, TC_REGA_CANCEL, TC_REG_SCHEDULED, OK, TC_REG_CANCELLED },
	{ DIST, TC_REGA_CANCEL, TC_REG_PENDING, NOTYOURS, 0 },
	{ DIST, TC_REGA_CANCEL, TC_REG_ALLOCATED, OK, TC_REG_CANCELLED },
	{ DIST, TC_REGA_CANCEL, TC_REG_SCHEDULED, OK, TC_REG_CANCELLED },
	{ PROV, TC_REGA_CANCEL, TC_REG_DONE, WRONG, 0 },
	{ PROV, TC_REGA_CANCEL, TC_REG_CANCELLED, WRONG, 0 },
	{ PROV, TC_REGA_CANCEL, TC_REG_REJECTED, WRONG, 0 },
	/* a cancelled session sends people back to allocated */
	{ DIST, TC_REGA_UNSCHEDULE, TC_REG_SCHEDULED, OK, TC_REG_ALLOCATED },
	{ DIST, TC_REGA_UNSCHEDULE, TC_REG_ALLOCATED, WRONG, 0 },
	/* the site records the dose */
	{ STAFF, TC_REGA_COMPLETE, TC_REG_SCHEDULED, OK, TC_REG_DONE },
	{ MGR, TC_REGA_COMPLETE, TC_REG_SCHEDULED, OK, TC_REG_DONE },
	{ DIST, TC_REGA_COMPLETE, TC_REG_SCHEDULED, NOTYOURS, 0 },
	{ STAFF, TC_REGA_COMPLETE, TC_REG_ALLOCATED, WRONG, 0 },
	/* no step at all for these roles */
	{ VIEW, TC_REGA_APPROVE, TC_REG_PENDING, NOTYOURS, 0 },
	{ MCC, TC_REGA_CANCEL, TC_REG_PENDING, NOTYOURS, 0 },
	{ TC_ROLE__COUNT, TC_REGA_APPROVE, TC_REG_PENDING, NOTYOURS, 0 },
	/* nothing leaves done, rejected or cancelled */
	{ NAT, TC_REGA_SCHEDULE, TC_REG_DONE, WRONG, 0 },
	{ NAT, TC_REGA_ALLOCATE, TC_REG_REJECTED, WRONG, 0 },
	{ NAT, TC_REGA_APPROVE, TC_REG_CANCELLED, WRONG, 0 },
};

static void test_steps(void **state)
{
	(void)state;
	for (size_t i = 0; i < TC_ARRAY_LEN(cases); i++) {
		enum tc_reg_state to = TC_REG__COUNT;
		enum tc_regflow_verdict v =
		        tc_regflow_step(cases[i].role, cases[i].a, cases[i].from, &to);
		if (v != cases[i].v || (v == OK && to != cases[i].to))
			fail_msg("case %zu: %s %s from %s: verdict %d to %s", i,
			         tc_role_name(cases[i].role),
			         tc_reg_action_name(cases[i].a),
			         tc_reg_state_name(cases[i].from), v,
			         tc_reg_state_name(to));
	}
}

/* Every closed state is final, every open one has a way on. */
static void test_final_states(void **state)
{
	(void)state;
	for (int s = 0; s < TC_REG__COUNT; s++) {
		bool leaves = false;
		for (int a = 0; a < TC_REGA__COUNT; a++) {
			enum tc_reg_state to;
			leaves = leaves ||
			         tc_regflow_step(NAT, (enum tc_reg_action)a,
			                         (enum tc_reg_state)s, &to) != WRONG;
		}
		assert_int_equal(leaves, tc_reg_state_open((enum tc_reg_state)s));
	}
}

static void test_names(void **state)
{
	enum tc_reg_state s;
	enum tc_reg_action a;
	(void)state;
	for (int i = 0; i < TC_REG__COUNT; i++) {
		assert_true(
		        tc_reg_state_parse(tc_reg_state_name((enum tc_reg_state)i), &s));
		assert_int_equal(s, i);
	}
	for (int i = 0; i < TC_REGA__COUNT; i++) {
		assert_true(tc_reg_action_parse(tc_reg_action_name((enum tc_reg_action)i),
		                                &a));
		assert_int_equal(a, i);
	}
	assert_false(tc_reg_state_parse("open", &s));
	assert_false(tc_reg_state_parse(NULL, &s));
	assert_false(tc_reg_action_parse("delete", &a));
	assert_string_equal(tc_reg_action_default_status(TC_REGA_APPROVE), "pending");
	assert_string_equal(tc_reg_action_default_status(TC_REGA_ALLOCATE), "approved");
	assert_string_equal(tc_reg_action_default_status(TC_REGA_SCHEDULE), "allocated");
	assert_string_equal(tc_reg_action_default_status(TC_REGA_CANCEL), "open");
}

/* The route table grants each step's endpoint to these roles. */
static void test_roles(void **state)
{
	unsigned offices = TC_ROLE_BIT(NAT) | TC_ROLE_BIT(PROV);
	unsigned centres = offices | TC_ROLE_BIT(DIST);
	(void)state;
	assert_int_equal(tc_regflow_roles(TC_REGA_APPROVE), offices);
	assert_int_equal(tc_regflow_roles(TC_REGA_ALLOCATE), offices);
	assert_int_equal(tc_regflow_roles(TC_REGA_REJECT), centres);
	assert_int_equal(tc_regflow_roles(TC_REGA_SCHEDULE), centres);
	assert_int_equal(tc_regflow_roles(TC_REGA_CANCEL), centres);
}

static const struct {
	const char *scope, *person, *district;
	bool in;
} scopes[] = {
	{ "VN", "VN/01/001/00001", NULL, true },
	{ "VN/01", "VN/01/001/00001", NULL, true },
	{ "VN/79", "VN/01/001/00001", NULL, false },
	{ "VN/01/001", "VN/01/001/00001", NULL, true },
	{ "VN/01/002", "VN/01/001/00001", NULL, false },
	/* allocated to district 002: its centre sees the person too */
	{ "VN/01/002", "VN/01/001/00001", "002", true },
	{ "VN/01/003", "VN/01/001/00001", "002", false },
	/* a district of the same number in another province is not it */
	{ "VN/79/002", "VN/01/001/00001", "002", false },
	{ "VN/01/001/00001", "VN/01/001/00001", "002", true },
	{ "VN/01/002/00040", "VN/01/001/00001", "002", false },
	{ "VN/01/001/00001/F4", "VN/01/001/00001", NULL, false },
};

static void test_in_scope(void **state)
{
	(void)state;
	for (size_t i = 0; i < TC_ARRAY_LEN(scopes); i++)
		if (tc_reg_in_scope(scopes[i].scope, scopes[i].person,
		                    scopes[i].district) != scopes[i].in)
			fail_msg("case %zu: %s in %s (district %s)", i, scopes[i].person,
			         scopes[i].scope,
			         scopes[i].district ? scopes[i].district : "-");
}

static void test_district_path(void **state)
{
	char out[TC_DISTRICT_PATH_LEN];
	(void)state;
	assert_true(tc_reg_district_path("VN/01/001/00001", "002", out));
	assert_string_equal(out, "VN/01/002");
	assert_true(tc_reg_district_path("VN/79", "760", out));
	assert_string_equal(out, "VN/79/760");
	assert_false(tc_reg_district_path("VN", "001", out));
	assert_false(tc_reg_district_path("VN/01/001", "01", out));
	assert_false(tc_reg_district_path("VN/01/001", "0012", out));
	assert_false(tc_reg_district_path("VN/01/001", "a01", out));
	assert_false(tc_reg_district_path("VN/0x/001", "001", out));
	assert_false(tc_reg_district_path("VN/011/001", "001", out));
	assert_false(tc_reg_district_path(NULL, "001", out));
	assert_false(tc_reg_district_path("VN/01", NULL, out));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_steps),    cmocka_unit_test(test_final_states),
		cmocka_unit_test(test_names),    cmocka_unit_test(test_roles),
		cmocka_unit_test(test_in_scope), cmocka_unit_test(test_district_path),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
