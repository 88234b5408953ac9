/* Things built on the queries that both the HTTP API and the command
 * line need: JSON views of records, the audit write, jurisdiction lookup,
 * and staff-account rules that touch the database. */
#ifndef TC_RECORDS_H
#define TC_RECORDS_H

#include "../core/jw.h"
#include "../domain/access.h"
#include "db.h"

/* JSON views of records, written with tc_jw. Never a password hash. */
void tc_jw_user(struct tc_jw *w, const struct tc_user *u);
void tc_jw_facility(struct tc_jw *w, const struct tc_facility *f);
void tc_jw_unit(struct tc_jw *w, const struct tc_unit *u);
void tc_jw_audit(struct tc_jw *w, const struct tc_audit *e);
/* The members alone, for answers that add their own. */
void tc_jw_user_fields(struct tc_jw *w, const struct tc_user *u);
void tc_jw_unit_fields(struct tc_jw *w, const struct tc_unit *u);
/* The same as JSON text in `a`, for audit records. */
const char *tc_user_json(const struct tc_user *u, struct tc_arena *a);
const char *tc_facility_json(const struct tc_facility *f, struct tc_arena *a);

/* Appends to the audit log in the caller's transaction. `before` and
 * `after` are JSON texts (NULL allowed). */
tc_err tc_audit_record(struct tc_dbc *c, const struct tc_actor *actor,
                       const char *action, const char *entity,
                       const char *entity_id, const char *scope, const char *before,
                       const char *after, struct tc_fault *f);

/* A jurisdiction: a unit or a facility, with its level and path. */
struct tc_place {
	enum tc_level level;
	const char *scope;
	const char *unit_code;
	int64_t facility_id;
	const char *name;
};

/* Finds the unit or (exactly one of them) the facility. Faults name the
 * field: "unit" or "facility". */
tc_err tc_place_resolve(struct tc_dbc *c, const char *unit_code,
                        int64_t facility_id, struct tc_arena *a,
                        struct tc_place *out, struct tc_fault *f);

/* Staff account rules: usernames are 3-64 of a-z 0-9 . _ - (stored in
 * lower case); passwords 10-128 characters. */
tc_err tc_staff_check_username(const char *username, struct tc_fault *f);
tc_err tc_staff_check_password(const char *password, struct tc_fault *f);
/* Turns a grant verdict into an answer (field: "role", "unit" or
 * "facility"). */
tc_err tc_staff_grant_err(enum tc_grant g, enum tc_role role, bool by_facility,
                          struct tc_arena *a, struct tc_fault *f);

/* Inserts u (id set on return) and audits it, in the caller's
 * transaction. CONFLICT when the username is taken. */
tc_err tc_staff_insert(struct tc_dbc *c, const struct tc_actor *actor,
                       struct tc_user *u, struct tc_arena *a, struct tc_fault *f);

/* Inside a write: fails with UNAUTHENTICATED unless the actor's session
 * is still alive with the role and jurisdiction the request was checked
 * against (the command-line actor always is). */
tc_err tc_actor_still_current(struct tc_dbc *c, const struct tc_actor *actor,
                              struct tc_fault *f);

/* The actor of command-line work: national scope, no user. */
extern const struct tc_actor tc_cli_actor;

#endif
