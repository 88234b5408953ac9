/* Bearer-token authentication for the router. */
#ifndef TC_AUTH_H
#define TC_AUTH_H

#include "request.h"

struct tc_config;

/* Checks "Authorization: Bearer <token>", finds the session and its
 * (active) user, enforces idle and absolute expiry, and fills r->actor.
 * A session seen again after a while gets its last-seen time written in
 * the background. */
tc_err tc_auth_request(struct tc_req *r);

/* The same for a citizen's token (from a one-time code): fills
 * r->actor.citizen_phone; staff tokens are not citizens' tokens. */
tc_err tc_auth_citizen(struct tc_req *r);

/* Idle timeout for a role: short on shared site tablets. */
int64_t tc_auth_idle_seconds(const struct tc_config *cfg, enum tc_role role);

#endif
