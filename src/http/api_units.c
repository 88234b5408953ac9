/* GET /api/v1/units?parent=CODE and GET /api/v1/units/{code}:
 * Vietnam's administrative units, open to every signed-in user. */
#include <microhttpd.h>

#include "../db/records.h"
#include "api.h"

tc_err tc_api_units_list(struct tc_req *r)
{
	const char *parent = tc_req_query(r, "parent");
	struct tc_unit p, *units;
	struct tc_dbc *c;
	size_t n = 0;
	enum tc_qs qs;
	tc_err rc;

	if (parent == NULL)
		parent = "VN";
	rc = tc_req_dbc(r, &c);
	if (rc != TC_ERR_OK)
		return rc;
	qs = tc_q_unit_get(c, parent, &r->arena, &p);
	if (qs == TC_QS_ONE)
		qs = tc_q_units_children(c, parent, &r->arena, &units, &n);
	else if (qs == TC_QS_NONE)
		rc = tc_fault_set(&r->fault, TC_ERR_INVALID_PARAMETER, "parent",
		                  "no administrative unit has that code");
	tc_req_dbc_release(r, c);
	if (rc != TC_ERR_OK)
		return rc;
	if (qs < 0)
		return tc_qs_err(qs, &r->fault);
	struct tc_jw *w = tc_reply_begin(r);
	tc_jw_obj(w);
	tc_jw_key(w, "parent");
	tc_jw_unit(w, &p);
	tc_jw_key(w, "units");
	tc_jw_arr(w);
	for (size_t i = 0; i < n; i++)
		tc_jw_unit(w, &units[i]);
	tc_jw_end(w);
	tc_jw_end(w);
	return tc_reply_end(r, MHD_HTTP_OK);
}

tc_err tc_api_unit_get(struct tc_req *r)
{
	struct tc_unit u;
	struct tc_dbc *c;
	enum tc_qs qs;
	tc_err rc;

	rc = tc_req_dbc(r, &c);
	if (rc != TC_ERR_OK)
		return rc;
	qs = tc_q_unit_get(c, tc_req_param(r, 0), &r->arena, &u);
	tc_req_dbc_release(r, c);
	if (qs != TC_QS_ONE)
		return tc_qs_err(qs, &r->fault);
	struct tc_jw *w = tc_reply_begin(r);
	tc_jw_obj(w);
	tc_jw_key(w, "unit");
	tc_jw_obj(w);
	tc_jw_unit_fields(w, &u);
	tc_jw_kstr(w, "path", u.path);
	tc_jw_end(w);
	tc_jw_end(w);
	return tc_reply_end(r, MHD_HTTP_OK);
}
