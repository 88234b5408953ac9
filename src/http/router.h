/* All routes in one table: method, path pattern, handler, the roles that
 * may call it, body limit, and how to find the jurisdiction it touches.
 * The router checks the token and the role before a handler runs, and
 * the jurisdiction when the route names a scope function; handlers never
 * repeat those checks. */
#ifndef TC_ROUTER_H
#define TC_ROUTER_H

#include <stddef.h>

#include "request.h"

typedef tc_err (*tc_handler)(struct tc_req *r);
/* Finds the jurisdiction path a request touches (r->target_scope), or
 * leaves it NULL. A route without one checks the jurisdiction itself:
 * from a path in its body, or in its job from the record it reads there
 * (the visit's steps, tc_visit_read). */
typedef tc_err (*tc_scope_fn)(struct tc_req *r);

enum { TC_PUBLIC = 0 };
/* A route for citizens signed in with a one-time code (no staff role). */
#define TC_CITIZEN_ONLY (1u << 30)

struct tc_route {
	const char *method;
	const char *pattern; /* "/api/v1/users/{id}" */
	tc_handler handler;
	unsigned roles;    /* TC_ROLE_BIT set; TC_PUBLIC: no token needed */
	size_t body_limit; /* 0: the server's default */
	tc_scope_fn scope;
};

/* Whether a route's body goes to a temporary file (r->spool_path) rather
 * than to memory; the token and role are then checked before any of it
 * is read. Uploads of files. */
bool tc_route_spools(const struct tc_route *r);

extern const struct tc_route tc_routes[];
extern const int tc_nroutes;

/* Finds the route for method and path. Returns its index, or -1 with
 * *path_known telling whether another method would have matched (405). */
int tc_route_match(const char *method, const char *path,
                   const char *params[TC_MAX_PATH_PARAMS], struct tc_arena *a,
                   bool *path_known, const char **allow);

#endif
