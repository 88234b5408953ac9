/* GET /api/v1/audit?entity=&id=: the audit trail inside the caller's
 * jurisdiction, newest first. */
#include <microhttpd.h>

#include "../db/records.h"
#include "api.h"

tc_err tc_api_audit_list(struct tc_req *r)
{
	const char *entity = tc_req_query(r, "entity");
	const char *id = tc_req_query(r, "id");
	struct tc_audit *es;
	struct tc_page page;
	struct tc_dbc *c;
	size_t n;
	enum tc_qs qs;
	tc_err rc;

	if (id && !entity)
		return tc_fault_set(&r->fault, TC_ERR_INVALID_PARAMETER, "entity",
		                    "give the entity the id belongs to");
	rc = tc_req_page(r, 100, 1000, &page);
	if (rc != TC_ERR_OK)
		return rc;
	rc = tc_req_dbc(r, &c);
	if (rc != TC_ERR_OK)
		return rc;
	qs = tc_q_audit_list(c, r->actor.scope, entity, id, page, &r->arena, &es, &n);
	tc_req_dbc_release(r, c);
	if (qs < 0)
		return tc_qs_err(qs, &r->fault);
	struct tc_jw *w = tc_reply_begin(r);
	tc_jw_obj(w);
	tc_jw_key(w, "entries");
	tc_jw_arr(w);
	for (size_t i = 0; i < n; i++)
		tc_jw_audit(w, &es[i]);
	tc_jw_end(w);
	tc_jw_kint(w, "limit", page.limit);
	tc_jw_kint(w, "offset", page.offset);
	tc_jw_end(w);
	return tc_reply_end(r, MHD_HTTP_OK);
}
