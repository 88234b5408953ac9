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
	json_t *arr = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(arr, tc_json_unit(&units[i]));
	return tc_reply_json(r, MHD_HTTP_OK,
	                     json_pack("{s:o, s:o}", "parent", tc_json_unit(&p), "units", arr));
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
	json_t *j = tc_json_unit(&u);
	json_object_set_new(j, "path", json_string(u.path));
	return tc_reply_json(r, MHD_HTTP_OK, json_pack("{s:o}", "unit", j));
}
