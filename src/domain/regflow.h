/* The registration workflow as pure rules (no I/O): the states, the
 * steps staff take, which role may take which step from which state, and
 * whose jurisdiction a registration lies in.
 *
 *   pending --approve--> approved --allocate--> allocated --schedule--> scheduled
 *   scheduled --complete--> done;  scheduled --unschedule--> allocated
 *   pending, approved, allocated --reject--> rejected
 *   any open state --cancel--> cancelled
 */
#ifndef TC_REGFLOW_H
#define TC_REGFLOW_H

#include <stdbool.h>
#include <stddef.h>

#include "access.h"

enum tc_reg_state {
	TC_REG_PENDING,
	TC_REG_APPROVED,
	TC_REG_ALLOCATED,
	TC_REG_SCHEDULED,
	TC_REG_DONE,
	TC_REG_REJECTED,
	TC_REG_CANCELLED,
	TC_REG__COUNT
};

enum tc_reg_action {
	TC_REGA_APPROVE,
	TC_REGA_REJECT,
	TC_REGA_ALLOCATE, /* also moves an allocated person to another district */
	TC_REGA_SCHEDULE,
	TC_REGA_CANCEL,
	TC_REGA_UNSCHEDULE, /* the session was cancelled: back to allocated */
	TC_REGA_COMPLETE,   /* vaccinated at the site */
	TC_REGA__COUNT
};

bool tc_reg_state_parse(const char *s, enum tc_reg_state *out);
const char *tc_reg_state_name(enum tc_reg_state s);
/* pending, approved, allocated and scheduled: a person has at most one
 * open registration. */
bool tc_reg_state_open(enum tc_reg_state s);

bool tc_reg_action_parse(const char *s, enum tc_reg_action *out);
const char *tc_reg_action_name(enum tc_reg_action a);
/* The state a filtered bulk action takes registrations from when the
 * filter names none ("open" for cancel: any open state). */
const char *tc_reg_action_default_status(enum tc_reg_action a);

enum tc_regflow_verdict {
	TC_REGFLOW_OK,
	TC_REGFLOW_WRONG_STATE,   /* the step does not start from that state */
	TC_REGFLOW_NOT_YOUR_STEP, /* it does, but not for that role */
};

/* May `role` take step `a` from state `from`? On OK, *to is where it
 * leads. */
enum tc_regflow_verdict tc_regflow_step(enum tc_role role, enum tc_reg_action a,
                                        enum tc_reg_state from, enum tc_reg_state *to);
/* The roles that take step `a` from some state (TC_ROLE_BIT set). */
unsigned tc_regflow_roles(enum tc_reg_action a);

#define TC_DISTRICT_PATH_LEN 16 /* "VN/01/001" + NUL, with room */

/* The path of district `district_code` in the province of a person living
 * at `person_scope` ("VN/01/001/00001", "001" -> "VN/01/001"): people are
 * allocated only within their province. False when either is malformed. */
bool tc_reg_district_path(const char *person_scope, const char *district_code,
                          char out[TC_DISTRICT_PATH_LEN]);
/* Whether a registration lies inside jurisdiction `scope`: the person
 * lives there, or it is the district the person was allocated to (or
 * contains it). `district_code` may be NULL (not allocated). */
bool tc_reg_in_scope(const char *scope, const char *person_scope,
                     const char *district_code);

#endif
