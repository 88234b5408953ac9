/* Shared by the site-flow handlers (api_visits.c, api_screening.c,
 * api_injection.c, api_aefi.c, api_doses.c): JSON views of visits, doses,
 * adverse events and alerts. Private to src/http. docs/visits.md is the
 * API. */
#ifndef TC_API_VISITS_H
#define TC_API_VISITS_H

#include "../db/visits.h"
#include "request.h"

/* VISIT of docs/visits.md; `dose` may be NULL (none, or not loaded);
 * `now` counts observe_seconds_left down. */
void tc_jw_visit(struct tc_jw *w, const struct tc_visit *v, const struct tc_dose *dose,
                 int64_t now);
/* The same with its dose already written as JSON (NULL: none), for an
 * answer that carries the dose twice. */
void tc_jw_visit_raw(struct tc_jw *w, const struct tc_visit *v, const char *dose_json,
                     int64_t now);
/* DOSE of docs/visits.md. */

/* A visit read inside the job of one of its steps, which is where the
 * step checks it (not first on the HTTP thread, whose reading connection
 * starts each read with an empty cache once the log has moved on): not
 * found (field "id"), or out of the actor's jurisdiction. */
tc_err tc_visit_read(struct tc_dbc *c, const struct tc_actor *actor, int64_t id,
                     struct tc_arena *a, struct tc_visit *v, struct tc_fault *f);
/* The same with its dose, if it has one (dose->id 0 otherwise). */
tc_err tc_visit_load(struct tc_dbc *c, const struct tc_actor *actor, int64_t id,
                     struct tc_arena *a, struct tc_visit *v, struct tc_dose *dose,
                     struct tc_fault *f);

/* The unit path a jurisdiction stands for: a facility's scope without its
 * "/F<id>" (from `a`), any other path as it is. */
const char *tc_scope_unit_path(const char *scope, struct tc_arena *a);

#endif
