/* Every handler and scope resolver named in the route table. */
#ifndef TC_API_H
#define TC_API_H

#include "request.h"

tc_err tc_api_healthz(struct tc_req *r);
tc_err tc_api_metrics(struct tc_req *r);

tc_err tc_api_login(struct tc_req *r);
tc_err tc_api_logout(struct tc_req *r);
tc_err tc_api_me(struct tc_req *r);

tc_err tc_api_units_list(struct tc_req *r);
tc_err tc_api_unit_get(struct tc_req *r);

tc_err tc_api_facilities_list(struct tc_req *r);
tc_err tc_api_facility_get(struct tc_req *r);
tc_err tc_api_facility_create(struct tc_req *r);

tc_err tc_api_users_list(struct tc_req *r);
tc_err tc_api_user_get(struct tc_req *r);
tc_err tc_api_user_create(struct tc_req *r);
tc_err tc_api_user_patch(struct tc_req *r);

tc_err tc_api_audit_list(struct tc_req *r);

/* Scope resolvers: set r->target_scope (and r->target). */
tc_err tc_scope_user_id(struct tc_req *r);
tc_err tc_scope_facility_id(struct tc_req *r);
tc_err tc_scope_query_place(struct tc_req *r);

#endif
