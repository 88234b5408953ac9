#include "regflow.h"

#include <stdio.h>
#include <string.h>

#define R(x)    TC_ROLE_BIT(TC_ROLE_##x)
#define OFFICES (R(NATIONAL_ADMIN) | R(PROVINCE_HEALTH))
#define CENTRES (OFFICES | R(DISTRICT_CENTRE))
#define SITES   (R(SITE_MANAGER) | R(SITE_STAFF))

static const char *const state_names[TC_REG__COUNT] = {
	[TC_REG_PENDING] = "pending",     [TC_REG_APPROVED] = "approved",
	[TC_REG_ALLOCATED] = "allocated", [TC_REG_SCHEDULED] = "scheduled",
	[TC_REG_DONE] = "done",           [TC_REG_REJECTED] = "rejected",
	[TC_REG_CANCELLED] = "cancelled",
};

static const char *const action_names[TC_REGA__COUNT] = {
	[TC_REGA_APPROVE] = "approve",   [TC_REGA_REJECT] = "reject",
	[TC_REGA_ALLOCATE] = "allocate", [TC_REGA_SCHEDULE] = "schedule",
	[TC_REGA_CANCEL] = "cancel",     [TC_REGA_UNSCHEDULE] = "unschedule",
	[TC_REGA_COMPLETE] = "complete",
};

/* The whole workflow: one row per step, from state, to state and the
 * roles that take it. The province decides who goes ahead and where;
 * the district centre works on the people allocated to it. */
static const struct {
	enum tc_reg_action a;
	enum tc_reg_state from, to;
	unsigned roles;
} steps[] = {
	{ TC_REGA_APPROVE, TC_REG_PENDING, TC_REG_APPROVED, OFFICES },
	{ TC_REGA_REJECT, TC_REG_PENDING, TC_REG_REJECTED, OFFICES },
	{ TC_REGA_REJECT, TC_REG_APPROVED, TC_REG_REJECTED, OFFICES },
	{ TC_REGA_REJECT, TC_REG_ALLOCATED, TC_REG_REJECTED, CENTRES },
	{ TC_REGA_ALLOCATE, TC_REG_APPROVED, TC_REG_ALLOCATED, OFFICES },
	{ TC_REGA_ALLOCATE, TC_REG_ALLOCATED, TC_REG_ALLOCATED, OFFICES },
	{ TC_REGA_SCHEDULE, TC_REG_ALLOCATED, TC_REG_SCHEDULED, CENTRES },
	{ TC_REGA_CANCEL, TC_REG_PENDING, TC_REG_CANCELLED, OFFICES },
	{ TC_REGA_CANCEL, TC_REG_APPROVED, TC_REG_CANCELLED, OFFICES },
	{ TC_REGA_CANCEL, TC_REG_ALLOCATED, TC_REG_CANCELLED, CENTRES },
	{ TC_REGA_CANCEL, TC_REG_SCHEDULED, TC_REG_CANCELLED, CENTRES },
	{ TC_REGA_UNSCHEDULE, TC_REG_SCHEDULED, TC_REG_ALLOCATED, CENTRES },
	{ TC_REGA_COMPLETE, TC_REG_SCHEDULED, TC_REG_DONE, SITES },
};

bool tc_reg_state_parse(const char *s, enum tc_reg_state *out)
{
	for (int i = 0; s && i < TC_REG__COUNT; i++) {
		if (strcmp(state_names[i], s) == 0) {
			*out = (enum tc_reg_state)i;
			return true;
		}
	}
	return false;
}

const char *tc_reg_state_name(enum tc_reg_state s)
{
	return (unsigned)s < TC_REG__COUNT ? state_names[s] : "?";
}

bool tc_reg_state_open(enum tc_reg_state s)
{
	return s == TC_REG_PENDING || s == TC_REG_APPROVED || s == TC_REG_ALLOCATED ||
	       s == TC_REG_SCHEDULED;
}

bool tc_reg_action_parse(const char *s, enum tc_reg_action *out)
{
	for (int i = 0; s && i < TC_REGA__COUNT; i++) {
		if (strcmp(action_names[i], s) == 0) {
			*out = (enum tc_reg_action)i;
			return true;
		}
	}
	return false;
}

const char *tc_reg_action_name(enum tc_reg_action a)
{
	return (unsigned)a < TC_REGA__COUNT ? action_names[a] : "?";
}

const char *tc_reg_action_default_status(enum tc_reg_action a)
{
	switch (a) {
	case TC_REGA_APPROVE:
	case TC_REGA_REJECT: return "pending";
	case TC_REGA_ALLOCATE: return "approved";
	case TC_REGA_SCHEDULE: return "allocated";
	case TC_REGA_UNSCHEDULE:
	case TC_REGA_COMPLETE: return "scheduled";
	case TC_REGA_CANCEL:
	case TC_REGA__COUNT: break;
	}
	return "open";
}

enum tc_regflow_verdict tc_regflow_step(enum tc_role role, enum tc_reg_action a,
                                        enum tc_reg_state from, enum tc_reg_state *to)
{
	bool known = false;

	for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		if (steps[i].a != a || steps[i].from != from)
			continue;
		known = true;
		if ((unsigned)role < TC_ROLE__COUNT &&
		    (steps[i].roles & TC_ROLE_BIT(role))) {
			*to = steps[i].to;
			return TC_REGFLOW_OK;
		}
	}
	return known ? TC_REGFLOW_NOT_YOUR_STEP : TC_REGFLOW_WRONG_STATE;
}

unsigned tc_regflow_roles(enum tc_reg_action a)
{
	unsigned roles = 0;

	for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++)
		if (steps[i].a == a)
			roles |= steps[i].roles;
	return roles;
}

static bool digits(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

bool tc_reg_district_path(const char *person_scope, const char *district_code,
                          char out[TC_DISTRICT_PATH_LEN])
{
	/* "VN/01/..." */
	if (person_scope == NULL || district_code == NULL ||
	    strncmp(person_scope, "VN/", 3) != 0 || strlen(person_scope) < 5 ||
	    !digits(person_scope + 3, 2) || (person_scope[5] != '/' && person_scope[5]) ||
	    strlen(district_code) != 3 || !digits(district_code, 3))
		return false;
	snprintf(out, TC_DISTRICT_PATH_LEN, "VN/%.2s/%s", person_scope + 3,
	         district_code);
	return true;
}

bool tc_reg_in_scope(const char *scope, const char *person_scope,
                     const char *district_code)
{
	char district[TC_DISTRICT_PATH_LEN];

	if (tc_scope_contains(scope, person_scope))
		return true;
	return district_code &&
	       tc_reg_district_path(person_scope, district_code, district) &&
	       tc_scope_contains(scope, district);
}
